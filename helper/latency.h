/* SPDX-License-Identifier: MIT */
/*
 * Syscall latency, the helper's side (latency.c): each tick, the latency rows' new durations
 * (`latency`), the failed calls by errno that changed (`errnos`) and the calls that joined the
 * session's slowest (`slow`); a slot's last figures when it is released, and its rows back to
 * the kernel's free queue.
 */
#ifndef SYSCOPE_LATENCY_H
#define SYSCOPE_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

struct tracker;
struct syscall_counts;

/* what the helper keeps of the kernel's latency tables (lives in struct tracker) */
struct latency {
	uint64_t *prev; /* per latency row: its bucket counts last reported, HIST_BUCKETS each */
	int free_fd; /* lat_free */
	int errno_fd; /* errno_counts */
	uint64_t *cpu_seq; /* per CPU: the slow_cpus seq last read */
	struct slow_call *top; /* the session's slowest calls so far, longest first */
	bool *top_new; /* top[i] not sent yet */
	uint32_t top_used;
	struct slow_call *scratch; /* one CPU's part, copied */
};

int latency_init(struct tracker *t);
void latency_free(struct tracker *t);
/* a slot's `latency` line for the syscalls in nrs (those whose calls moved) */
void latency_emit(struct tracker *t, uint32_t slot, const uint32_t *nrs, uint32_t n, bool final,
		  struct jbuf *out);
/* each tick: failed calls by errno stamped since `since` (slot < 0), or all of one slot's */
void latency_emit_errnos(struct tracker *t, uint64_t since, int64_t slot, struct jbuf *out);
/* each tick: calls that joined the session's slowest since the last */
void latency_emit_slowest(struct tracker *t, struct jbuf *out);
/* a slot is freed: its rows back to the kernel, its errno entries out of the table */
void latency_release(struct tracker *t, struct syscall_counts *c);

#endif
