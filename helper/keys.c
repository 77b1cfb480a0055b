// SPDX-License-Identifier: MIT
/*
 * The keys of each slot's detail entries, from the kernel's new_keys ring (bpf/keys.bpf.h) into
 * a list per slot. The kernel writes a key after its insert and before the process can exit, so a
 * release that drains the ring first knows every entry of its slot, unless the ring was full
 * (keys_lost moved: every slot's release then walks) or the lists grew past KEYS_MAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "keys.h"
#include "loader.h"
#include "syscope.skel.h"

/* the helper's own build chooses by share; the test-only `hooks` build can force either way, or
 * hold the ring until a release (test/helper-c/bpf_gate.c) */
__attribute__((weak)) enum keys_test keys_test_mode(void)
{
	return KEYS_TEST_NONE;
}

static void drop_list(struct keys *k, uint32_t slot, bool walk)
{
	struct slot_keys *s = &k->slots[slot];
	k->total -= s->len;
	free(s->keys);
	*s = (struct slot_keys){ .walk = walk };
}

/* the bound: the longest list goes (a server whose closed connections' keys pile up) */
static void bound(struct keys *k)
{
	uint32_t longest = 0;
	for (uint32_t i = 1; i < k->max_procs; i++)
		if (k->slots[i].len > k->slots[longest].len)
			longest = i;
	drop_list(k, longest, true);
}

static int one_key(void *ctx, void *data, size_t size)
{
	struct keys *k = ctx;
	const struct new_key *r = data;
	if (size < sizeof(*r) || r->slot >= k->max_procs || r->table >= KEY_TABLES)
		return 0;
	struct slot_keys *s = &k->slots[r->slot];
	if (s->walk)
		return 0;
	if (s->len == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 16;
		struct new_key *keys = realloc(s->keys, cap * sizeof(*keys));
		if (!keys) {
			drop_list(k, r->slot, true);
			return 0;
		}
		s->keys = keys;
		s->cap = cap;
	}
	s->keys[s->len++] = *r;
	if (++k->total > KEYS_MAX)
		bound(k);
	return 0;
}

int keys_init(struct keys *k, struct loader *ld)
{
	memset(k, 0, sizeof(*k));
	if (!ld->detail)
		return 0;
	k->max_procs = ld->max_procs;
	k->lost = &ld->skel->bss->keys_lost;
	k->slots = calloc(k->max_procs, sizeof(*k->slots));
	k->rb = ring_buffer__new(bpf_map__fd(ld->skel->maps.new_keys), one_key, k, NULL);
	return k->slots && k->rb ? 0 : -ENOMEM;
}

void keys_free(struct keys *k)
{
	ring_buffer__free(k->rb);
	for (uint32_t i = 0; k->slots && i < k->max_procs; i++)
		free(k->slots[i].keys);
	free(k->slots);
	memset(k, 0, sizeof(*k));
}

int keys_epoll_fd(const struct keys *k)
{
	return k->rb && keys_test_mode() != KEYS_TEST_HOLD ? ring_buffer__epoll_fd(k->rb) : -1;
}

void keys_drain(struct keys *k, bool release)
{
	if (!k->rb || (!release && keys_test_mode() == KEYS_TEST_HOLD))
		return;
	ring_buffer__consume(k->rb);
	/* read after the ring: a key the kernel could not write was counted before its process
	 * could exit */
	__u64 lost = __atomic_load_n(k->lost, __ATOMIC_ACQUIRE);
	if (lost == k->lost_seen)
		return;
	k->lost_seen = lost;
	for (uint32_t i = 0; i < k->max_procs; i++)
		drop_list(k, i, true);
}

const struct slot_keys *keys_of(const struct keys *k, uint32_t slot)
{
	if (!k->rb || slot >= k->max_procs)
		return NULL;
	const struct slot_keys *s = &k->slots[slot];
	enum keys_test mode = keys_test_mode();
	if (s->walk || mode == KEYS_TEST_WALK)
		return NULL;
	if (mode == KEYS_TEST_NONE && (uint64_t)s->len * KEYS_WALK_SHARE > k->total)
		return NULL;
	return s;
}

void keys_forget(struct keys *k, uint32_t slot)
{
	if (k->rb && slot < k->max_procs)
		drop_list(k, slot, false);
}
