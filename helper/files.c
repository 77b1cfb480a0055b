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

/* the names resolved since the last tick, each once (its first stamp) */
static void emit_names(int fd, uint64_t since, struct jbuf *out)
{
	static struct file_id keys[BATCH];
	static struct file_name values[BATCH];
	struct file_id token;
	bool first = true;

	for (;;) {
		__u32 n = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, values, &n,
					       NULL);
		first = false;
		if (err && errno != ENOENT)
			return;
		for (__u32 i = 0; i < n; i++) {
			if (values[i].seq < since)
				continue;
			msg_file_name(out, keys[i].dev, keys[i].ino, values[i].name,
				      values[i].len < FILE_NAME_MAX ? values[i].len : FILE_NAME_MAX,
				      values[i].whole);
			out_line(out);
		}
		/* one tick can hold tens of thousands of files: never more than the queue takes */
		out_make_room();
		if (err)
			return;
	}
}

/* file_stats entries stamped since `since` (or all of `slot`'s, final, when slot is given) */
static void emit_stats(struct tracker *t, int fd, uint64_t since, int64_t slot, struct jbuf *out)
{
	static struct file_key keys[BATCH];
	static struct file_stats values[BATCH];
	struct file_key token;
	bool first = true;

	for (;;) {
		__u32 n = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, values, &n,
					       NULL);
		first = false;
		if (err && errno != ENOENT)
			return;
		for (__u32 i = 0; i < n; i++) {
			const struct file_key *k = &keys[i];
			if (k->slot >= t->max_procs || !t->slots[k->slot].pid)
				continue;
			if (slot >= 0 ? k->slot != (uint64_t)slot : values[i].seq < since)
				continue;
			msg_file(out, t->seq, t->slots[k->slot].pid, k->dev, k->ino,
				 kind_name(values[i].kind), &values[i], slot >= 0);
			out_line(out);
			if (slot >= 0)
				bpf_map_delete_elem(fd, k);
		}
		/* one tick can hold tens of thousands of files: never more than the queue takes */
		out_make_room();
		if (err)
			return;
	}
}

static void emit_failed(struct tracker *t, int fd, uint64_t since, int64_t slot, struct jbuf *out)
{
	static struct failed_key keys[BATCH];
	static struct failed_open values[BATCH];
	struct failed_key token;
	bool first = true;

	for (;;) {
		__u32 n = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, values, &n,
					       NULL);
		first = false;
		if (err && errno != ENOENT)
			return;
		for (__u32 i = 0; i < n; i++) {
			const struct failed_key *k = &keys[i];
			if (k->slot >= t->max_procs || !t->slots[k->slot].pid)
				continue;
			if (slot >= 0 ? k->slot != (uint64_t)slot : values[i].seq < since)
				continue;
			msg_open_failed(out, t->seq, t->slots[k->slot].pid, &k->base, &values[i]);
			out_line(out);
			if (slot >= 0)
				bpf_map_delete_elem(fd, k);
		}
		/* one tick can hold tens of thousands of files: never more than the queue takes */
		out_make_room();
		if (err)
			return;
	}
}

void files_emit_changed(struct tracker *t, struct jbuf *out)
{
	struct syscope_bpf *skel = t->ld->skel;
	if (!t->ld->detail)
		return;
	/* from now on the kernel stamps with the new seq; what it changed since our last read
	 * carries the old one (or the new one) */
	uint64_t since = __atomic_load_n(&skel->bss->files_seq, __ATOMIC_RELAXED);
	__atomic_store_n(&skel->bss->files_seq, since + 1, __ATOMIC_RELAXED);
	caps_bpf_raise();
	emit_names(bpf_map__fd(skel->maps.file_names), since, out);
	emit_stats(t, bpf_map__fd(skel->maps.file_stats), since, -1, out);
	emit_failed(t, bpf_map__fd(skel->maps.failed_opens), since, -1, out);
	caps_bpf_lower();
}

void files_release(struct tracker *t, uint32_t slot, struct jbuf *out)
{
	struct syscope_bpf *skel = t->ld->skel;
	if (!t->ld->detail)
		return;
	uint64_t since = __atomic_load_n(&skel->bss->files_seq, __ATOMIC_RELAXED);
	caps_bpf_raise();
	/* names first: the final figures may be of a file no tick has named yet */
	emit_names(bpf_map__fd(skel->maps.file_names), since, out);
	emit_stats(t, bpf_map__fd(skel->maps.file_stats), 0, slot, out);
	emit_failed(t, bpf_map__fd(skel->maps.failed_opens), 0, slot, out);
	caps_bpf_lower();
}
