// SPDX-License-Identifier: MIT
/*
 * Files, the helper's side: the entries of the kernel's files tables (bpf/files.bpf.c) as
 * `file_name`, `file`, `open_failed` and `name_op` lines. detail.c decides when and walks the tables.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "detail.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

/* a name resolved since the last tick (sent again the tick after: the app keeps one) */
static void name_line(struct pass *p, const struct file_id *k, const struct file_name_head *h,
		      const char *name, uint32_t max)
{
	if (!stamped_since(h->seq, p->since))
		return;
	msg_file_name(p->out, k->dev, k->ino, h->variant, name, h->len < max ? h->len : max,
		      h->whole);
	out_line(p->out);
}

static void one_name(struct pass *p, const void *key, const void *value)
{
	const struct file_name *v = value;
	name_line(p, key, &v->h, v->name, sizeof(v->name));
}

static void one_short_name(struct pass *p, const void *key, const void *value)
{
	const struct file_name_short *v = value;
	name_line(p, key, &v->h, v->name, sizeof(v->name));
}

static void one_use(struct pass *p, const void *key, const void *value)
{
	const struct file_key *k = key;
	const struct file_stats *v = value;
	uint32_t pid = detail_sent_for(p, k->slot, v->seq);
	if (pid) {
		msg_file(p->out, p->t->seq, pid, k->dev, k->ino, file_kind_name(v->kind), v,
			 detail_releasing(p));
		out_line(p->out);
	}
	if (detail_released(p, k->slot))
		bpf_map_delete_elem(p->fd, k);
}

/* a call on a name: a failed open as open_failed (as before name_op existed), the rest as name_op */
static void name_op_line(struct pass *p, const struct name_key *k, const struct name_counts *c,
			 const char *name, size_t max)
{
	uint32_t pid = detail_sent_for(p, k->slot, c->seq);
	if (pid) {
		size_t len = strnlen(name, max);
		if (k->op == NAME_OPEN)
			msg_open_failed(p->out, p->t->seq, pid, &k->base, c, name, len);
		else
			msg_name_op(p->out, p->t->seq, pid, k->op, &k->base, c, name, len);
		out_line(p->out);
	}
	if (detail_released(p, k->slot))
		bpf_map_delete_elem(p->fd, k);
}

static void one_name_op(struct pass *p, const void *key, const void *value)
{
	const struct name_ops *v = value;
	name_op_line(p, key, &v->c, v->name, sizeof(v->name));
}

static void one_short_name_op(struct pass *p, const void *key, const void *value)
{
	const struct name_ops_short *v = value;
	name_op_line(p, key, &v->c, v->name, sizeof(v->name));
}

/* names first: the figures that follow may be of a file no tick has named yet */
void files_send(struct pass *p)
{
	static struct file_id name_keys[DETAIL_BATCH];
	static struct file_name names[DETAIL_BATCH];
	static struct file_name_short short_names[DETAIL_BATCH];
	static struct file_key use_keys[DETAIL_BATCH];
	static struct file_stats uses[DETAIL_BATCH];
	static struct name_key name_op_keys[DETAIL_BATCH];
	static struct name_ops name_op_values[DETAIL_BATCH];
	static struct name_ops_short short_name_op_values[DETAIL_BATCH];
	struct syscope_bpf *skel = p->t->ld->skel;

	if (p->tables & 1u << CHANGED_NAMES) {
		p->fd = bpf_map__fd(skel->maps.file_names_short);
		detail_each_entry(p, name_keys, sizeof(name_keys[0]), short_names,
				  sizeof(short_names[0]), one_short_name);
		p->fd = bpf_map__fd(skel->maps.file_names);
		detail_each_entry(p, name_keys, sizeof(name_keys[0]), names, sizeof(names[0]),
				  one_name);
	}
	if (p->tables & 1u << CHANGED_USES) {
		p->fd = bpf_map__fd(skel->maps.file_stats);
		detail_each_entry(p, use_keys, sizeof(use_keys[0]), uses, sizeof(uses[0]), one_use);
	}
	if (p->tables & 1u << CHANGED_NAME_OPS) {
		p->fd = bpf_map__fd(skel->maps.name_ops_short);
		detail_each_entry(p, name_op_keys, sizeof(name_op_keys[0]), short_name_op_values,
				  sizeof(short_name_op_values[0]), one_short_name_op);
		p->fd = bpf_map__fd(skel->maps.name_ops);
		detail_each_entry(p, name_op_keys, sizeof(name_op_keys[0]), name_op_values,
				  sizeof(name_op_values[0]), one_name_op);
	}
}

/* one name looked up by key, in either table (send_name, files_send_names) */
static struct file_name_short key_short_name;
static struct file_name key_name;

/* the name of file id, if it changed since the last tick (the release's figures may be of a
 * file no tick has named yet) */
static void send_name(struct pass *p, const struct file_id *id)
{
	struct syscope_bpf *skel = p->t->ld->skel;

	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.file_names_short), id, &key_short_name))
		one_short_name(p, id, &key_short_name);
	else if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.file_names), id, &key_name))
		one_name(p, id, &key_name);
}

void files_send_names_of(struct pass *p, const struct new_key *keys, uint32_t n)
{
	struct file_id last = { 0 };

	for (uint32_t i = 0; i < n; i++) {
		struct file_id id;
		if (keys[i].table == KEY_USES) {
			const struct file_key *k = &keys[i].key.file;
			id = (struct file_id){
				.dev = k->dev, .ino = k->ino, .gen = k->gen, .name = k->name
			};
		} else if (keys[i].table == KEY_NAME_OPS_SHORT || keys[i].table == KEY_NAME_OPS) {
			id = keys[i].key.name.base;
			if (!id.dev && !id.ino)
				continue; /* an absolute name */
		} else {
			continue;
		}
		/* a directory's calls on names come in runs */
		if (memcmp(&id, &last, sizeof(id))) {
			send_name(p, &id);
			last = id;
		}
	}
}

void files_send_names(struct pass *p, const struct new_key *keys, uint32_t n)
{
	struct syscope_bpf *skel = p->t->ld->skel;

	p->fd = bpf_map__fd(skel->maps.file_names_short);
	detail_each_key(p, keys, n, KEY_NAMES_SHORT, &key_short_name, one_short_name);
	p->fd = bpf_map__fd(skel->maps.file_names);
	detail_each_key(p, keys, n, KEY_NAMES, &key_name, one_name);
}

/* as files_send, by key: uses, then calls on names */
void files_send_keys(struct pass *p, const struct new_key *keys, uint32_t n)
{
	static struct file_stats use;
	static struct name_ops op;
	static struct name_ops_short short_op;
	struct syscope_bpf *skel = p->t->ld->skel;

	if (p->tables & 1u << CHANGED_USES) {
		p->fd = bpf_map__fd(skel->maps.file_stats);
		detail_each_key(p, keys, n, KEY_USES, &use, one_use);
	}
	if (p->tables & 1u << CHANGED_NAME_OPS) {
		p->fd = bpf_map__fd(skel->maps.name_ops_short);
		detail_each_key(p, keys, n, KEY_NAME_OPS_SHORT, &short_op, one_short_name_op);
		p->fd = bpf_map__fd(skel->maps.name_ops);
		detail_each_key(p, keys, n, KEY_NAME_OPS, &op, one_name_op);
	}
}
