/* SPDX-License-Identifier: MIT */
/*
 * The keys of each slot's detail entries (keys.c), as the kernel tells them (new_keys): a
 * release reads and deletes its own entries by key rather than walking every table. Where a
 * slot's keys are not all known (the ring was full, its list outgrew its bound) or it holds a
 * big share of them all, its release walks, as before the keys.
 */
#ifndef SYSCOPE_KEYS_H
#define SYSCOPE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "syscope.h"

struct loader;
struct ring_buffer;

struct slot_keys {
	struct new_key *keys; /* in the order the kernel added them; some may be gone since */
	uint32_t len, cap;
	bool walk; /* not all known: its release walks the tables */
};

/* lives in struct tracker */
struct keys {
	struct ring_buffer *rb; /* NULL without --detail */
	struct slot_keys *slots; /* per slot */
	uint32_t max_procs;
	uint64_t total; /* keys held over all slots */
	__u64 lost_seen; /* the kernel's keys_lost when last read */
	const __u64 *lost; /* the kernel's keys_lost */
};

int keys_init(struct keys *k, struct loader *ld);
void keys_free(struct keys *k);
/* the ring's epoll fd (-1 without --detail): the kernel wakes it when the ring fills up */
int keys_epoll_fd(const struct keys *k);
/* what the kernel added since the last drain, into the slots' lists: before a release, and at
 * each tick and when the kernel wakes the helper (the ring half full) */
void keys_drain(struct keys *k, bool release);
/* a slot's keys, if its release should read them one by one (NULL: walk the tables); drain
 * first */
const struct slot_keys *keys_of(const struct keys *k, uint32_t slot);
/* a slot was released: its list is empty and known again */
void keys_forget(struct keys *k, uint32_t slot);

/* a slot's release walks if it holds more than 1/KEYS_WALK_SHARE of all keys held: by key, an
 * entry costs ~1.7 us (its lookups and delete; 100,000 of them, 170 ms), a walk reads one in
 * ~0.28 us (28 ms for a table of 100,000) */
#define KEYS_WALK_SHARE 8
/* keys held over all slots, at most (48 bytes each): past it, the longest list is dropped and
 * its slot walks at its release */
#define KEYS_MAX (1u << 20)

/* the test-only `hooks` build's choice (SYSCOPE_TEST_RELEASE): none in the helper's own */
enum keys_test {
	KEYS_TEST_NONE,
	KEYS_TEST_WALK, /* every release walks */
	KEYS_TEST_BY_KEY, /* every release whose keys are all known goes by key */
	KEYS_TEST_HOLD, /* as BY_KEY, and the ring is read at releases only: it fills */
};
enum keys_test keys_test_mode(void);

#endif
