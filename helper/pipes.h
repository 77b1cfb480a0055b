/* SPDX-License-Identifier: MIT */
/*
 * A process's anonymous pipes leave the file table once it holds them no more (pipes.c).
 */
#ifndef SYSCOPE_PIPES_H
#define SYSCOPE_PIPES_H

#include <stdint.h>

struct tracker;

/* a tick's: the pipes of each slot whose keys grew by PIPES_CHECK since its last look, that its
 * process no longer holds and that were sent, out of file_stats (CAP_BPF raised) */
void pipes_let_go(struct tracker *t, uint64_t since);

/* a slot's keys to grow by before its pipes are looked at (again: or twice those kept) */
#define PIPES_CHECK 1024

#endif
