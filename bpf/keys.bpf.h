/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys of each slot's detail entries, told to the helper as they are added (new_keys): at a
 * process's end it reads and deletes its own entries by key, where it read every table whole
 * (a parent holding 100,000 files cost each of its short children's exits ~28 ms of the helper).
 * Shared by files.bpf.c and net.bpf.c. BPF code only.
 */
#ifndef SYSCOPE_KEYS_BPF_H
#define SYSCOPE_KEYS_BPF_H

#include "common.bpf.h"

/* new_keys' bytes past which a record wakes the helper; below, it finds them at its next tick
 * (a wakeup for each would cost more than the record). Set by the helper: half the ring */
const volatile __u64 new_keys_wake = 1 << 20;

/* keys the full ring did not take: the helper then reads every table at each release, as it
 * did before it had the keys (helper/keys.c) */
__u64 keys_lost;

/* key (size bytes, a constant) of slot's new entry in table: after the insert, so that the
 * helper, which reads this ring before a release, knows every entry the process had */
static __always_inline void note_key(enum key_table table, __u32 slot, const void *key, __u32 size)
{
	struct new_key *r = bpf_ringbuf_reserve(&new_keys, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&keys_lost, 1);
		return;
	}
	r->table = table;
	r->slot = slot;
	__builtin_memcpy(&r->key, key, size);
	__u64 wake = bpf_ringbuf_query(&new_keys, BPF_RB_AVAIL_DATA) > new_keys_wake
			     ? BPF_RB_FORCE_WAKEUP
			     : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, wake);
}

#endif
