// SPDX-License-Identifier: MIT
/*
 * Files and network, the helper's side: when and how the kernel's detail tables are read. The
 * kernel stamps what it changes with files_seq and marks its table and slot; each tick bumps
 * files_seq first (tracker_stamp) and then, in the tables marked lately, sends what carries the
 * previous stamp or the new one: by key for the slots stamped lately and the names added lately
 * (keys.c), or by reading the tables whole in batches (one syscall per DETAIL_BATCH entries). We
 * never write an entry the kernel adds to, so nothing it counts is lost; we delete a slot's
 * entries once its process is gone (and a closed socket's once sent: net.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "detail.h"
#include "held.h"
#include "keys.h"
#include "loader.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

/*
 * Every entry of a hash map, BATCH at a time (one syscall each), to one(); the out queue is
 * given room after each batch: one tick can hold tens of thousands of files. The batch token
 * of a hash map is a bucket number, which any key-sized buffer holds.
 */
void detail_each_entry(struct pass *p, void *keys, size_t key_size, void *values, size_t value_size,
		       void (*one)(struct pass *, const void *, const void *))
{
	__u64 token[8];
	bool first = true;

	for (;;) {
		__u32 n = DETAIL_BATCH;
		int err = bpf_map_lookup_batch(p->fd, first ? NULL : token, token, keys, values, &n,
					       NULL);
		first = false;
		if (err && errno != ENOENT)
			return;
		for (__u32 i = 0; i < n; i++)
			one(p, (const char *)keys + i * key_size,
			    (const char *)values + i * value_size);
		out_make_room();
		if (err)
			return;
	}
}

void detail_each_key(struct pass *p, const struct new_key *keys, uint32_t n, unsigned table,
		     void *value, void (*one)(struct pass *, const void *, const void *))
{
	for (uint32_t i = 0; i < n; i++)
		if (keys[i].table == table && !bpf_map_lookup_elem(p->fd, &keys[i].key, value))
			one(p, &keys[i].key, value);
}

uint32_t detail_sent_for(const struct pass *p, uint32_t slot, uint64_t seq)
{
	if (slot >= p->t->max_procs || !p->t->slots[slot].pid)
		return 0;
	if ((detail_releasing(p) && !detail_released(p, slot)) || !stamped_since(seq, p->since))
		return 0;
	return p->t->slots[slot].pid;
}

bool detail_releasing(const struct pass *p)
{
	return p->slot >= 0;
}

bool detail_released(const struct pass *p, uint32_t slot)
{
	return p->slot >= 0 && slot == (uint64_t)p->slot;
}

/*
 * The tables a tick reads: those the kernel marked since the last (detail_changed), and each for
 * the two ticks after. A change stamped with the old seq after this read (stamped_since), or
 * whose stores reach memory after it, is read by the next tick; a closed socket leaves its table
 * two ticks after it was sent (net.c).
 */
static unsigned tables_to_read(struct tracker *t)
{
	static unsigned left[CHANGED_TABLES];
	uint32_t *changed = t->ld->skel->bss->detail_changed;
	unsigned tables = 0;
	for (unsigned i = 0; i < CHANGED_TABLES; i++) {
		if (__atomic_exchange_n(&changed[i], 0, __ATOMIC_SEQ_CST))
			left[i] = 3;
		if (left[i]) {
			left[i]--;
			tables |= 1u << i;
		}
	}
	return tables;
}

/* the network tables' entries of the slots that changed lately (slot_stamps), by key */
static void send_changed_slots(struct pass *p)
{
	const struct keys *k = &p->t->keys;
	for (uint32_t slot = 0; slot < p->t->max_procs; slot++) {
		if (!keys_changed(k, slot, p->since))
			continue;
		const struct key_list *l = keys_slot(k, slot);
		net_send_keys(p, l->keys, l->len);
	}
}

/*
 * A tick: the names added lately, the file tables' entries added or changed lately and the
 * network tables' entries of the slots that changed lately, by key, where the helper knows their
 * keys (keys.c) and they are a small share of those held; else the marked tables walked whole.
 */
void detail_emit_changed(struct tracker *t, uint64_t since, struct jbuf *out)
{
	if (!t->ld->detail)
		return;
	unsigned tables = tables_to_read(t);
	bool names_by_key = keys_names_known(&t->keys);
	uint32_t n[2];
	const struct new_key *names[2] = { keys_names(&t->keys, 0, &n[0]),
					   keys_names(&t->keys, 1, &n[1]) };
	if (!tables && !(names_by_key && n[0] + n[1])) {
		keys_tick_done(&t->keys);
		return;
	}
	struct pass p = { .t = t, .out = out, .since = since, .slot = -1 };
	caps_bpf_raise();
	p.tables = 1u << CHANGED_NAMES;
	if (names_by_key) {
		files_send_names(&p, names[0], n[0]);
		files_send_names(&p, names[1], n[1]);
	} else if (tables & p.tables) {
		files_send(&p);
	}
	p.tables = tables & (1u << CHANGED_USES | 1u << CHANGED_NAME_OPS);
	const struct new_key *recent;
	uint32_t n_recent;
	if (p.tables && keys_files_by_key(&t->keys) && keys_recent(&t->keys, &recent, &n_recent))
		files_send_keys(&p, recent, n_recent);
	else if (p.tables)
		files_send(&p);
	p.tables = tables & 1u << CHANGED_NET;
	if (p.tables && keys_tick_by_key(&t->keys, since))
		send_changed_slots(&p);
	else if (p.tables)
		net_send(&p);
	caps_bpf_lower();
	held_let_go(t, since);
	keys_tick_done(&t->keys);
}

/*
 * A slot's entries, final: by their keys where the helper knows them all (keys.c), each looked up
 * and deleted; else every table walked, as its entries may be in any.
 */
void detail_release(struct tracker *t, uint32_t slot, struct jbuf *out)
{
	if (!t->ld->detail)
		return;
	struct pass p = { .t = t,
			  .out = out,
			  .since = __atomic_load_n(&t->ld->skel->bss->files_seq, __ATOMIC_RELAXED),
			  .slot = slot,
			  .tables = (1u << CHANGED_TABLES) - 1 };
	keys_drain(&t->keys, true);
	const struct key_list *own = keys_of(&t->keys, slot);
	caps_bpf_raise();
	if (own) {
		files_send_names_of(&p, own->keys, own->len);
		files_send_keys(&p, own->keys, own->len);
		net_send_keys(&p, own->keys, own->len);
	} else {
		files_send(&p);
		net_send(&p);
	}
	caps_bpf_lower();
}
