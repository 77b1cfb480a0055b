/* SPDX-License-Identifier: MIT */
/* What the helper reports unasked: the kernel's events, and a tick each interval (events.c). */
#ifndef SYSCOPE_EVENTS_H
#define SYSCOPE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

struct session;

/* ring_buffer__new's callback, ctx the session: one struct syscope_event to its line */
int events_on_ring(void *ctx, void *data, size_t size);
/* the end of an interval: counts and `ran` of the processes that may have run, then tick;
 * `last`: the final tick (every exit held back goes out first) */
void events_tick(struct session *s, bool last);

#endif
