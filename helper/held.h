/* SPDX-License-Identifier: MIT */
/*
 * A process's pipes, and with --counts-only its sockets, leave the detail tables once it holds
 * them no more (held.c).
 */
#ifndef SYSCOPE_HELD_H
#define SYSCOPE_HELD_H

#include <stdint.h>

struct tracker;

/* a tick's: the pipes (and sockets) of each slot whose keys grew by a step since its last look
 * (HELD_CHECK at least), that its process no longer holds and that were sent, out of the tables
 * (CAP_BPF raised for that alone) */
void held_let_go(struct tracker *t, uint64_t since);

/* a slot's keys to grow by before it is looked at (again: or a quarter of those kept, or the
 * fds it held, if more) */
#define HELD_CHECK 1024

#endif
