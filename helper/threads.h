/* SPDX-License-Identifier: MIT */
/*
 * Every tracked thread's wall time, the helper's side (threads.c): each tick, one `threads` line
 * per process whose threads' time moved, with each thread's figures since its last line, the
 * state it is in split at the tick; an exited thread's last figures, then its record back to the
 * kernel's free queue.
 */
#ifndef SYSCOPE_THREADS_H
#define SYSCOPE_THREADS_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

struct tracker;

/* what a thread's figures were when last sent: its deltas are the figures now less these */
struct thread_seen {
	uint64_t on_cpu, runq, preempt, sys;
	uint64_t ns[17], d_ns[17]; /* THREAD_WHY + 1 */
	bool started; /* its first line is out (first_ns sent) */
	char comm[16]; /* the name last sent */
};

/* what the helper keeps of the kernel's thread records (lives in struct tracker) */
struct threads {
	struct thread_seen *seen; /* by record */
	uint32_t *order; /* scratch: the records to send this tick */
	int free_fd; /* thread_free */
};

int threads_init(struct tracker *t);
void threads_free(struct tracker *t);
/* each tick: every thread whose time moved, by process */
void threads_emit(struct tracker *t, struct jbuf *out);
/* a process leaves the tracked set: its threads' last figures, and their records freed */
void threads_release(struct tracker *t, uint32_t pid, struct jbuf *out);

#endif
