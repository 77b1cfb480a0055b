/* SPDX-License-Identifier: MIT */
/*
 * Files and network, the helper's side (--detail): each tick, the entries of the kernel's
 * detail tables that changed since the last tick, as lines; at a process's end, its entries'
 * final figures. detail.c walks the tables; files.c (file_stats, file_names, name_ops) and
 * net.c (sock_stats, peer_stats) say what each entry becomes (docs/protocol.md).
 */
#ifndef SYSCOPE_DETAIL_H
#define SYSCOPE_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct tracker;

/* each tick, before the counts: what changed since `since` (tracker_stamp; nothing when detail
 * is off) */
void detail_emit_changed(struct tracker *t, uint64_t since, struct jbuf *out);
/* a slot being released: its entries' final figures, then out of the tables */
void detail_release(struct tracker *t, uint32_t slot, struct jbuf *out);

/* ---- for files.c and net.c ---- */

/* what one pass over the tables sends: changes since `since`, or all of `slot`'s (final) */
struct pass {
	struct tracker *t;
	struct jbuf *out;
	int fd; /* the table being walked */
	uint64_t since;
	int64_t slot; /* -1: a tick's pass */
	unsigned tables; /* the tables it reads: 1 << enum changed_table */
};

/* every entry of the hash map p->fd, a batch at a time, to one(); keys and values hold a batch */
void detail_each_entry(struct pass *p, void *keys, size_t key_size, void *values, size_t value_size,
		       void (*one)(struct pass *, const void *, const void *));
/* of n keys of a slot's entries (keys.c), those of `table` still in the map p->fd, each to one();
 * value holds one entry */
struct new_key;
void detail_each_key(struct pass *p, const struct new_key *keys, uint32_t n, unsigned table,
		     void *value, void (*one)(struct pass *, const void *, const void *));
/* the pid of a tracked slot whose entry this pass sends (stamped `seq`), or 0: a tick's pass
 * and a release's alike send what changed since the tick before (the rest went out at its
 * tick, and the figures are cumulative) */
uint32_t detail_sent_for(const struct pass *p, uint32_t slot, uint64_t seq);
/* whether this is the release of slot, whose entries then leave the tables */
bool detail_released(const struct pass *p, uint32_t slot);
/* whether this is a release's pass (its lines are final), not a tick's */
bool detail_releasing(const struct pass *p);

#define DETAIL_BATCH 256

void files_send(struct pass *p);
void net_send(struct pass *p);
/* a pass by one slot's keys (n of them, of every table), in the tables p->tables says: each
 * entry looked up, sent if it changed (and at its release deleted) */
void files_send_keys(struct pass *p, const struct new_key *keys, uint32_t n);
void net_send_keys(struct pass *p, const struct new_key *keys, uint32_t n);
/* a release's: the names of its files and directories, if they are new */
void files_send_names_of(struct pass *p, const struct new_key *keys, uint32_t n);
/* a tick's: names by their keys (KEY_NAMES_SHORT, KEY_NAMES), if they are new */
void files_send_names(struct pass *p, const struct new_key *keys, uint32_t n);

#endif
