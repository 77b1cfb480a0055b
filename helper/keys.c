// SPDX-License-Identifier: MIT
/*
 * The keys of the detail tables' entries, from the kernel's new_keys ring (bpf/keys.bpf.h) into
 * a list per slot, and the names and the file tables' keys (added or changed: KEY_CHANGED, which
 * are in no slot's list) into the lists of the current tick. The kernel writes a key after
 * its insert and before the process can exit, so a read that drains the ring first knows every
 * entry there is, unless the ring was full (keys_lost moved: every slot then walks) or the lists
 * grew past KEYS_MAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "keys.h"
#include "loader.h"
#include "syscope.skel.h"

/* the helper's own build chooses by share; the test-only `hooks` build can force either way, or
 * hold the ring until a release (test/helper-c/bpf_gate.c) */
__attribute__((weak)) enum keys_test keys_test_mode(void)
{
	return KEYS_TEST_NONE;
}

static void list_clear(struct key_list *l, bool walk)
{
	free(l->keys);
	*l = (struct key_list){ .walk = walk };
}

static void drop_list(struct keys *k, uint32_t slot, bool walk)
{
	k->total -= k->slots[slot].len;
	k->net_total -= k->slots[slot].net;
	list_clear(&k->slots[slot], walk);
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

static bool append(struct key_list *l, const struct new_key *r)
{
	if (l->len == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 16;
		struct new_key *keys = realloc(l->keys, cap * sizeof(*keys));
		if (!keys)
			return false;
		l->keys = keys;
		l->cap = cap;
	}
	l->keys[l->len++] = *r;
	return true;
}

static bool is_net(uint32_t table)
{
	return table == KEY_SOCKS || table == KEY_PEERS || table == KEY_OWNERS;
}

/* a name's key, or a file table's (recent), into the current tick's list */
static void add_to_tick(struct key_list *l, const struct new_key *r)
{
	if (!l->walk && (l->len >= KEYS_MAX || !append(l, r)))
		list_clear(l, true);
}

static int one_key(void *ctx, void *data, size_t size)
{
	struct keys *k = ctx;
	if (size < sizeof(struct new_key))
		return 0;
	struct new_key r = *(const struct new_key *)data;
	bool changed = r.table & KEY_CHANGED;
	r.table &= ~KEY_CHANGED;
	if (r.table >= KEY_TABLES)
		return 0;
	if (r.table == KEY_NAMES_SHORT || r.table == KEY_NAMES) {
		add_to_tick(&k->names[k->cur], &r);
		return 0;
	}
	if (r.table == KEY_USES || r.table == KEY_NAME_OPS_SHORT || r.table == KEY_NAME_OPS)
		add_to_tick(&k->recent[k->cur], &r);
	/* a change: its entry is in the slot's list already */
	if (changed || r.slot >= k->max_procs)
		return 0;
	struct key_list *s = &k->slots[r.slot];
	if (s->walk)
		return 0;
	if (!append(s, &r)) {
		drop_list(k, r.slot, true);
		return 0;
	}
	if (is_net(r.table)) {
		s->net++;
		k->net_total++;
	}
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
	k->woken = &ld->skel->bss->keys_woken;
	k->stamps = ld->skel->bss->slot_stamps;
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
	for (unsigned i = 0; i < 2; i++) {
		free(k->names[i].keys);
		free(k->recent[i].keys);
	}
	free(k->seen.keys);
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
	/* before the ring: a record past the mark submitted while it is read wakes us again */
	__atomic_store_n(k->woken, 0, __ATOMIC_RELEASE);
	ring_buffer__consume(k->rb);
	/* read after the ring: a key the kernel could not write was counted before its process
	 * could exit */
	__u64 lost = __atomic_load_n(k->lost, __ATOMIC_ACQUIRE);
	if (lost == k->lost_seen)
		return;
	k->lost_seen = lost;
	for (uint32_t i = 0; i < k->max_procs; i++)
		drop_list(k, i, true);
	/* a lost key (a name, an entry added or changed) was noted in this tick or the last: its
	 * table walked by the next three ticks */
	k->lost_walk = 3;
}

const struct key_list *keys_of(const struct keys *k, uint32_t slot)
{
	if (!k->rb || slot >= k->max_procs)
		return NULL;
	const struct key_list *s = &k->slots[slot];
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

void keys_drop_if(struct keys *k, uint32_t slot, bool (*gone)(void *ctx, const struct new_key *),
		  void *ctx)
{
	struct key_list *s = &k->slots[slot];
	uint32_t m = 0;
	for (uint32_t i = 0; i < s->len; i++) {
		if (!gone(ctx, &s->keys[i]))
			s->keys[m++] = s->keys[i];
		else if (is_net(s->keys[i].table))
			s->net--, k->net_total--;
	}
	k->total -= s->len - m;
	s->len = m;
}

const struct key_list *keys_slot(const struct keys *k, uint32_t slot)
{
	return &k->slots[slot];
}

bool keys_changed(const struct keys *k, uint32_t slot, uint64_t since)
{
	/* three ticks: a change that landed late, and a closed socket let go two ticks after its
	 * last change (net.c); a stamp a late store set back by one tick is still in */
	uint32_t stamp = __atomic_load_n(&k->stamps[slot], __ATOMIC_RELAXED);
	/* from since - 3 to since + 1 (the tick now), in the low 32 bits the kernel keeps */
	return (uint32_t)(stamp - ((uint32_t)since - 3)) <= 4;
}

/* whether the keys a tick would read are all known: the ring is read at ticks and lost none
 * lately */
static bool tick_keys_known(const struct keys *k)
{
	enum keys_test mode = keys_test_mode();
	return k->rb && !k->lost_walk && mode != KEYS_TEST_WALK && mode != KEYS_TEST_HOLD;
}

bool keys_tick_by_key(const struct keys *k, uint64_t since)
{
	if (!tick_keys_known(k))
		return false;
	uint64_t n = 0;
	for (uint32_t i = 0; i < k->max_procs; i++) {
		if (!keys_changed(k, i, since))
			continue;
		if (k->slots[i].walk)
			return false;
		n += k->slots[i].net;
	}
	return keys_test_mode() == KEYS_TEST_BY_KEY || n * KEYS_WALK_SHARE <= k->net_total;
}

bool keys_files_by_key(const struct keys *k)
{
	if (!tick_keys_known(k) || k->recent[0].walk || k->recent[1].walk)
		return false;
	uint64_t n = (uint64_t)k->recent[0].len + k->recent[1].len;
	return keys_test_mode() == KEYS_TEST_BY_KEY ||
	       n * KEYS_WALK_SHARE <= k->total - k->net_total;
}

/* the bytes of a key of a file table (recent), for the order that finds the same key twice */
static size_t file_key_size(uint32_t table)
{
	return table == KEY_USES ? sizeof(struct file_key) : sizeof(struct name_key);
}

static int key_order(const void *a, const void *b)
{
	const struct new_key *x = a, *y = b;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return memcmp(&x->key, &y->key, file_key_size(x->table));
}

bool keys_recent(struct keys *k, const struct new_key **keys, uint32_t *n)
{
	/* an entry changed in both ticks was noted in each: read once */
	struct key_list *all = &k->seen;
	all->len = 0;
	for (unsigned i = 0; i < 2; i++)
		for (uint32_t j = 0; j < k->recent[i].len; j++)
			if (!append(all, &k->recent[i].keys[j]))
				return false;
	if (all->len)
		qsort(all->keys, all->len, sizeof(*all->keys), key_order);
	uint32_t m = 0;
	for (uint32_t j = 0; j < all->len; j++)
		if (!m || key_order(&all->keys[m - 1], &all->keys[j]))
			all->keys[m++] = all->keys[j];
	*keys = all->keys;
	*n = m;
	return true;
}

bool keys_names_known(const struct keys *k)
{
	return tick_keys_known(k) && !k->names[0].walk && !k->names[1].walk;
}

const struct new_key *keys_names(const struct keys *k, unsigned which, uint32_t *n)
{
	const struct key_list *l = &k->names[(k->cur + which) & 1];
	*n = l->len;
	return l->keys;
}

void keys_tick_done(struct keys *k)
{
	if (!k->rb)
		return;
	if (k->lost_walk)
		k->lost_walk--;
	k->cur ^= 1;
	/* their room is kept: each tick adds as many */
	k->names[k->cur].len = 0;
	k->names[k->cur].walk = false;
	k->recent[k->cur].len = 0;
	k->recent[k->cur].walk = false;
}
