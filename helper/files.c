// SPDX-License-Identifier: MIT
/*
 * Files and network, the helper's side: each tick, the entries of the kernel's files tables
 * (bpf/files.bpf.c) that changed since the last tick, as lines. The kernel stamps what it changes
 * with files_seq; we bump files_seq first and then send what carries the previous stamp or the
 * new one, read in batches (one syscall per BATCH entries). We never write an entry the kernel
 * adds to, so nothing it counts is lost; we delete a slot's entries once its process is gone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "files.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

#define BATCH 256

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case FILE_REG:
		return "file";
	case FILE_DIR:
		return "dir";
	case FILE_PIPE:
		return "pipe";
	case FILE_SOCKET:
		return "socket";
	case FILE_DEVICE:
		return "device";
	case FILE_ANON:
		return "anon";
	default:
		return "other";
	}
}

/* what one pass over the tables sends: changes since `since`, or all of `slot`'s (final) */
struct pass {
	struct tracker *t;
	struct jbuf *out;
	int fd;
	uint64_t since;
	int64_t slot; /* -1: a tick's pass */
};

/*
 * Every entry of a hash map, BATCH at a time (one syscall each), to one(); the out queue is
 * given room after each batch: one tick can hold tens of thousands of files. The batch token
 * of a hash map is a bucket number, which any key-sized buffer holds.
 */
static void each_entry(struct pass *p, void *keys, size_t key_size, void *values, size_t value_size,
		       void (*one)(struct pass *, const void *, const void *))
{
	__u64 token[8];
	bool first = true;

	for (;;) {
		__u32 n = BATCH;
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

/* the pid of a tracked slot whose entry this pass sends (stamped `seq`), or 0 */
static uint32_t sent_for(const struct pass *p, uint32_t slot, uint64_t seq)
{
	if (slot >= p->t->max_procs || !p->t->slots[slot].pid)
		return 0;
	if (p->slot >= 0 ? slot != (uint64_t)p->slot : seq < p->since)
		return 0;
	return p->t->slots[slot].pid;
}

/* a name resolved since the last tick (sent again if it raced our read: the app keeps one) */
static void one_name(struct pass *p, const void *key, const void *value)
{
	const struct file_id *k = key;
	const struct file_name *v = value;
	if (v->seq < p->since)
		return;
	msg_file_name(p->out, k->dev, k->ino, v->name,
		      v->len < FILE_NAME_MAX ? v->len : FILE_NAME_MAX, v->whole);
	out_line(p->out);
}

static void one_use(struct pass *p, const void *key, const void *value)
{
	const struct file_key *k = key;
	const struct file_stats *v = value;
	uint32_t pid = sent_for(p, k->slot, v->seq);
	if (!pid)
		return;
	msg_file(p->out, p->t->seq, pid, k->dev, k->ino, kind_name(v->kind), v, p->slot >= 0);
	out_line(p->out);
	if (p->slot >= 0)
		bpf_map_delete_elem(p->fd, k);
}

static void one_failed(struct pass *p, const void *key, const void *value)
{
	const struct failed_key *k = key;
	const struct failed_open *v = value;
	uint32_t pid = sent_for(p, k->slot, v->seq);
	if (!pid)
		return;
	msg_open_failed(p->out, p->t->seq, pid, &k->base, v);
	out_line(p->out);
	if (p->slot >= 0)
		bpf_map_delete_elem(p->fd, k);
}

/* names first: the figures that follow may be of a file no tick has named yet */
static void send_tables(struct tracker *t, struct jbuf *out, uint64_t since, int64_t slot)
{
	static struct file_id name_keys[BATCH];
	static struct file_name names[BATCH];
	static struct file_key use_keys[BATCH];
	static struct file_stats uses[BATCH];
	static struct failed_key failed_keys[BATCH];
	static struct failed_open failed[BATCH];
	struct syscope_bpf *skel = t->ld->skel;
	struct pass p = { .t = t, .out = out, .since = since, .slot = slot };

	caps_bpf_raise();
	p.fd = bpf_map__fd(skel->maps.file_names);
	each_entry(&p, name_keys, sizeof(name_keys[0]), names, sizeof(names[0]), one_name);
	p.fd = bpf_map__fd(skel->maps.file_stats);
	each_entry(&p, use_keys, sizeof(use_keys[0]), uses, sizeof(uses[0]), one_use);
	p.fd = bpf_map__fd(skel->maps.failed_opens);
	each_entry(&p, failed_keys, sizeof(failed_keys[0]), failed, sizeof(failed[0]), one_failed);
	caps_bpf_lower();
}

void files_emit_changed(struct tracker *t, struct jbuf *out)
{
	if (!t->ld->detail)
		return;
	/* from now on the kernel stamps with the new seq; what it changed since our last read
	 * carries the old one (or the new one) */
	uint64_t since = __atomic_load_n(&t->ld->skel->bss->files_seq, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ld->skel->bss->files_seq, since + 1, __ATOMIC_RELAXED);
	send_tables(t, out, since, -1);
}

void files_release(struct tracker *t, uint32_t slot, struct jbuf *out)
{
	if (!t->ld->detail)
		return;
	send_tables(t, out, __atomic_load_n(&t->ld->skel->bss->files_seq, __ATOMIC_RELAXED), slot);
}
