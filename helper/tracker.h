/* SPDX-License-Identifier: MIT */
/* The tracked processes: their slots, and the counts and `ran` lines read from them (tracker.c). */
#ifndef SYSCOPE_TRACKER_H
#define SYSCOPE_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "keys.h"
#include "latency.h"
#include "threads.h"

struct loader;

/* One tracked process, by slot. */
struct tracked {
	uint32_t pid; /* 0 = slot free */
	uint64_t *prev; /* last reported cumulative calls/errors/ns per nr: 3 * SYSCOPE_MAX_NR */
	uint64_t ins, outs; /* its run counters at the last tick */
	bool new_run; /* busy at its first tick, whatever the counters did */
	bool busy; /* this tick: it may have run or made syscalls since the last (tracker_note_runs) */
	/* a process `track` added, until the kernel has checked its entry (PROC_VERIFY): a pidfd of
	 * it, and the ticks it has been seen exited with its slot still held */
	int pidfd;
	uint32_t gone_ticks;
};

struct tracker {
	struct loader *ld;
	struct tracked *slots;
	uint32_t max_procs;
	uid_t owner; /* real uid of the helper */
	int free_fd, proc_fd, proc_hash_fd;
	bool task_storage;
	bool hints_all; /* every stack bucket counted for good (tracker.c, hint_threads) */
	uint64_t seq;
	uint64_t changes; /* how many times a slot was given or freed: who is tracked changed */
	struct jbuf msg; /* what the tracker says on its own (stale slots it frees) */
	struct latency lat;
	struct threads thr;
	struct keys keys;
};

int tracker_init(struct tracker *t, struct loader *ld, uid_t owner);
void tracker_free(struct tracker *t);
/* track (or arm, with await_exec) a pid of the owner's; 0 or -errno with msg */
int tracker_add(struct tracker *t, uint32_t pid, bool descendants, bool await_exec, char *msg,
		size_t msglen);
int tracker_remove(struct tracker *t, uint32_t pid, struct jbuf *out);
/* a counts message for a slot whose counters moved; `final` for exits */
void tracker_emit_counts(struct tracker *t, uint32_t slot, bool final, struct jbuf *out);
/* counts messages for every busy slot whose counters moved */
void tracker_emit_all(struct tracker *t, struct jbuf *out);
/* at each tick, before the counts: which tracked processes may have run since the last tick */
void tracker_note_runs(struct tracker *t);
/* `ran` messages: the processes tracker_note_runs found busy (none without run counters) */
void tracker_emit_ran(struct tracker *t, struct jbuf *out);
/* a slot given out by the kernel at fork: remember whose it is */
void tracker_adopt(struct tracker *t, uint32_t slot, uint32_t pid);
/* test-only pause points (the `hooks` build defines it; the helper's own does nothing): true
 * asks tracker_add to skip its check after the insert */
bool tracker_test_hook(const char *point, uint32_t pid);
/* each tick, first: the stamp the kernel marks table entries with moves on; returns the one
 * before, which marks what changed since the last tick (files, sockets, errnos, disk) */
uint64_t tracker_stamp(struct tracker *t);

/*
 * Whether an entry stamped `seq` goes out in a pass since `since`: stamped in this tick or in the
 * one before. A program that read the stamp just before tracker_stamp moved it may stamp an entry
 * with the old value after this pass read it; the next pass sends it again (same figures, no
 * harm), else a change made then would wait for the entry's next change, which may never come (a
 * closed socket's).
 */
static inline bool stamped_since(uint64_t seq, uint64_t since)
{
	return seq + 1 >= since;
}
/* final counts of a slot, then free it */
void tracker_release(struct tracker *t, uint32_t slot, struct jbuf *out);
int tracker_find(struct tracker *t, uint32_t pid);

#endif
