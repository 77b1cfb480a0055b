/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What changed in the detail tables, told to the helper: each entry's stamp and its table's mark
 * (stamp()), the slot's stamp (stamp_slot()), the key of each entry added (new_keys) and of a
 * file table's entry at its first change in a tick (KEY_CHANGED). The helper then reads the file
 * tables' entries added or changed lately and the network tables' entries of the slots that
 * changed, by key, and at a process's end its own entries, where it read every table whole (a
 * parent holding 100,000 files cost each tick, and each of its short children's exits, ~28 ms of
 * the helper). Shared by files.bpf.c and net.bpf.c. BPF code only.
 */
#ifndef SYSCOPE_KEYS_BPF_H
#define SYSCOPE_KEYS_BPF_H

#include "common.bpf.h"

/* new_keys' bytes past which a record wakes the helper; below, it finds them at its next tick
 * (a wakeup for each would cost more than the record). Set by the helper: half the ring */
const volatile __u64 new_keys_wake = 1 << 20;

/* keys the full ring did not take: the helper then reads the tables whole, as it did before it
 * had the keys (helper/keys.c) */
__u64 keys_lost;

/* Set where a record woke the helper, cleared by the helper as it drains the ring: one wakeup
 * for each drain. A wakeup is an irq_work on the caller's CPU (in a VM, an interrupt to itself
 * and one to wake the helper), and while a busy helper had not yet drained, every record past
 * the mark asked for one: `syscope record --counts-only --detail` of a tar of /usr/share asked
 * 49,000 times for 154,000 keys, and its exit program's time went from ~630 to ~340 ms with
 * one wakeup a drain (counts-only alone: 44). */
__u32 keys_woken;
/* the wakeups asked for (read by the tests) */
__u64 keys_wakeups;

/* the slot of what is not a slot's (a file's name) */
#define NO_SLOT ((__u32)-1)

/* by slot: the tick (files_seq, its low 32 bits) of its latest call that may have changed its
 * entries (stamp_slot); the helper's tick then reads those slots' network entries, by key */
__u32 slot_stamps[SLOT_STAMPS];

/* After each call the files and network monitor looked at, and each TCP state change: once there,
 * not at each place that stamps an entry (inlined there, its store at a variable index made the
 * verifier keep those places' states apart: --detail took ~0.3 s longer to load). A store that
 * lands late is in the helper's next read: it takes a slot for three ticks after its stamp. */
static __always_inline void stamp_slot(__u32 slot)
{
	slot_stamps[slot & (SLOT_STAMPS - 1)] = (__u32)files_seq;
}

/*
 * An entry of table t changed: stamped with this tick, and the table marked (a load, and a store
 * once a tick). Plain stores: the helper reads a marked table for three ticks, so a figure that
 * reaches memory after one read is in the next (helper/detail.c).
 */
static __always_inline void stamp(__u64 *seq, enum changed_table t)
{
	*seq = files_seq;
	if (!detail_changed[t])
		detail_changed[t] = 1;
}

/* key (size bytes, a constant) of slot's new entry in table (enum key_table): after the insert,
 * so that the helper, which reads this ring before a release, knows every entry the process had;
 * or of an entry's first change in a tick (table | KEY_CHANGED) */
static __always_inline void note_key(__u32 table, __u32 slot, const void *key, __u32 size)
{
	struct new_key *r = bpf_ringbuf_reserve(&new_keys, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&keys_lost, 1);
		return;
	}
	r->table = table;
	r->slot = slot;
	__builtin_memcpy(&r->key, key, size);
	__u64 wake = BPF_RB_NO_WAKEUP;
	if (!keys_woken && bpf_ringbuf_query(&new_keys, BPF_RB_AVAIL_DATA) > new_keys_wake) {
		keys_woken = 1;
		__sync_fetch_and_add(&keys_wakeups, 1);
		wake = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(r, wake);
}

#endif
