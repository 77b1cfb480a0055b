/* SPDX-License-Identifier: MIT */
/*
 * The keys of the detail tables' entries (keys.c), as the kernel tells them (new_keys): a list
 * per slot, the names added lately, and the file tables' keys added or changed lately. A tick
 * reads those file entries and the network entries of the slots that changed (slot_stamps) by
 * key and sends the new names by key; a release reads and deletes its slot's entries by key.
 * Where keys are not all known (the ring was full, a list outgrew its bound), or the entries to
 * read are a big share of those held, they walk the tables, as before the keys.
 */
#ifndef SYSCOPE_KEYS_H
#define SYSCOPE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "syscope.h"

struct loader;
struct ring_buffer;

/* keys in the order the kernel added them; some may be gone since */
struct key_list {
	struct new_key *keys;
	uint32_t len, cap;
	uint32_t net; /* of them, the network tables' (sockets, peers, owners) */
	/* a slot's: its length at which it is looked at for what its process holds no more, and
	 * the ticks to a look again (held.c) */
	uint32_t check_at;
	uint8_t recheck;
	bool walk; /* not all known: its reads walk the tables */
};

/* lives in struct tracker */
struct keys {
	struct ring_buffer *rb; /* NULL without --detail */
	struct key_list *slots; /* per slot */
	uint32_t max_procs;
	uint64_t total; /* keys held over all slots */
	uint64_t net_total; /* of them, the network tables' */
	/* the names added since the last tick (names[cur]) and in the tick before */
	struct key_list names[2];
	/* the file tables' keys (uses, calls on names) noted since the last tick (recent[cur]) and
	 * in the tick before: entries added, and entries changed for the first time in a tick
	 * (KEY_CHANGED). A tick reads those, not every entry of each process that changed: a
	 * process holding 50,000 files and writing one cost the helper a quarter of a CPU. */
	struct key_list recent[2];
	struct key_list seen; /* room for keys_recent's list */
	unsigned cur;
	unsigned lost_walk; /* ticks left whose names and file tables are walked (keys were lost) */
	__u64 lost_seen; /* the kernel's keys_lost when last read */
	const __u64 *lost; /* the kernel's keys_lost */
	__u32 *woken; /* the kernel's keys_woken: cleared at each drain */
	const __u32 *stamps; /* the kernel's slot_stamps */
};

int keys_init(struct keys *k, struct loader *ld);
void keys_free(struct keys *k);
/* the ring's epoll fd (-1 without --detail): the kernel wakes it when the ring fills up */
int keys_epoll_fd(const struct keys *k);
/* what the kernel added since the last drain, into the lists: before a release, and at each
 * tick and when the kernel wakes the helper (the ring half full) */
void keys_drain(struct keys *k, bool release);
/* a slot's keys, if its release should read them one by one (NULL: walk the tables); drain
 * first */
const struct key_list *keys_of(const struct keys *k, uint32_t slot);
/* a slot was released: its list is empty and known again */
void keys_forget(struct keys *k, uint32_t slot);
/* the keys of slot's list whose entries gone(ctx, key) says are out, out of the list */
void keys_drop_if(struct keys *k, uint32_t slot, bool (*gone)(void *ctx, const struct new_key *),
		  void *ctx);

/* a tick: whether it reads the network tables by key (the slots it then reads: keys_changed);
 * since as tracker_stamp's */
bool keys_tick_by_key(const struct keys *k, uint64_t since);
/* a slot's keys, as they are (a tick that reads by key) */
const struct key_list *keys_slot(const struct keys *k, uint32_t slot);
/* whether a tick reading by key reads slot (its entries changed in the last three ticks) */
bool keys_changed(const struct keys *k, uint32_t slot, uint64_t since);
/* a tick: whether it reads the file tables by the keys noted lately (keys_recent), else it walks
 * them */
bool keys_files_by_key(const struct keys *k);
/* the file tables' keys noted since the last tick and in the tick before, each once: *n of them
 * at *keys (false: no memory for the list; the tick walks) */
bool keys_recent(struct keys *k, const struct new_key **keys, uint32_t *n);
/* whether a tick sends the names by key (else it walks their tables) */
bool keys_names_known(const struct keys *k);
/* the names a tick sends by key, *n of them: those added since the last tick (which 0) and in
 * the tick before (1), each sent again the tick after, as a walk does */
const struct new_key *keys_names(const struct keys *k, unsigned which, uint32_t *n);
/* a tick's reads are done: the names added since start a new list */
void keys_tick_done(struct keys *k);

/* the slots a read takes by key hold at most 1/KEYS_WALK_SHARE of all keys held, else it walks:
 * by key, an entry costs ~1.7 us (its lookups and delete; 100,000 of them, 170 ms), a walk reads
 * one in ~0.28 us (28 ms for a table of 100,000) */
#define KEYS_WALK_SHARE 8
/* keys held over all slots, at most (48 bytes each): past it, the longest list is dropped and
 * its slot walks at its release; names past it in a tick make that tick's names walk */
#define KEYS_MAX (1u << 20)

/* the test-only `hooks` build's choice (SYSCOPE_TEST_READS): none in the helper's own */
enum keys_test {
	KEYS_TEST_NONE,
	KEYS_TEST_WALK, /* every read walks */
	KEYS_TEST_BY_KEY, /* every read whose keys are all known goes by key */
	KEYS_TEST_HOLD, /* the ring is read at releases only (it fills): ticks walk, releases as
			   BY_KEY */
};
enum keys_test keys_test_mode(void);

#endif
