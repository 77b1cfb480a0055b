// SPDX-License-Identifier: MIT
/*
 * Disk, the helper's side. The kernel (disk.bpf.c) keeps cumulative figures per (device, op,
 * submitter) in disk_counts, stamped with the tick that changed them; each tick we read the
 * entries stamped in this tick or the one before (stamped_since), subtract what we reported
 * before, and send the differences with the device's queue depth from /proc/diskstats, one
 * `disk` message per device that moved.
 * As with the counters, we never write what the kernel adds to, with one exception: the entries
 * of a process no longer tracked are deleted once quiet (changed_rows), or the table would fill.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "disk.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

#define DISK_KEYS_MAX 4096 /* disk_counts' entries */
#define DISK_DEVS_MAX 256 /* whole disks followed in /proc/diskstats */
#define DISK_ROWS_PER_MESSAGE 16 /* two 48-bucket histograms each: well inside MESSAGE_MAX */
/* An entry of a process no longer tracked is deleted once it has not moved for this many ticks:
 * its requests still in flight when it exited have completed by then. On a device slower than
 * that, a late completion makes a new entry, which both sides count from zero. */
#define DISK_QUIET_TICKS 10

/* one changed entry, as its difference from the last report */
struct disk_row {
	struct disk_key key;
	struct disk_counts delta;
};

/* Does this kernel have block_io_start (6.5 and later), the tracepoint in the submitter's
 * context? Without it a request's submitter is taken where it is issued. */
static bool have_io_start(const char *btf_path)
{
	struct btf *btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)
		return false;
	bool found = btf__find_by_name_kind(btf, "btf_trace_block_io_start", BTF_KIND_TYPEDEF) >= 0;
	btf__free(btf);
	return found;
}

void disk_choose_programs(struct syscope_bpf *s, bool btf, bool raw, const char *btf_path)
{
	bool start = (btf || raw) && have_io_start(btf_path);

	s->rodata->disk_start_hooked = start;
	bpf_program__set_autoload(s->progs.btf_disk_start, btf && start);
	bpf_program__set_autoload(s->progs.btf_disk_issue, btf);
	bpf_program__set_autoload(s->progs.btf_disk_done, btf);
	bpf_program__set_autoload(s->progs.raw_disk_start, raw && start);
	bpf_program__set_autoload(s->progs.raw_disk_issue, raw);
	bpf_program__set_autoload(s->progs.raw_disk_done, raw);
	if (!btf && !raw) {
		bpf_map__set_max_entries(s->maps.disk_inflight, 1);
		bpf_map__set_max_entries(s->maps.disk_counts, 1);
	}
}

/* ---- /proc/diskstats ---- */

static uint32_t dev_of(unsigned int major, unsigned int minor)
{
	return major << 20 | (minor & 0xfffff);
}

/* the device's DEVNAME in /sys/dev/block/MAJ:MIN/uevent; "MAJ:MIN" when it has none */
static void dev_name(uint32_t dev, char *name, size_t len)
{
	char path[64], line[64 + 8];
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", dev >> 20, dev & 0xfffff);
	snprintf(name, len, "%u:%u", dev >> 20, dev & 0xfffff);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = 0;
		size_t n = strlen(line + 8);
		if (n >= len)
			n = len - 1;
		memcpy(name, line + 8, n);
		name[n] = 0;
		break;
	}
	fclose(f);
}

/* a partition's requests are its disk's: only whole disks are followed */
static bool is_partition(unsigned int major, unsigned int minor)
{
	char path[80];
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition", major, minor);
	return access(path, F_OK) == 0;
}

static struct disk_dev *dev_find(const struct disk *d, uint32_t dev)
{
	for (uint32_t i = 0; i < d->ndevs; i++)
		if (d->devs[i].dev == dev)
			return &d->devs[i];
	return NULL;
}

static struct disk_dev *dev_add(struct disk *d, uint32_t dev)
{
	if (d->ndevs == DISK_DEVS_MAX)
		return NULL;
	struct disk_dev *v = &d->devs[d->ndevs++];
	memset(v, 0, sizeof(*v));
	v->dev = dev;
	dev_name(dev, v->name, sizeof(v->name));
	return v;
}

/* Each whole disk's completed requests and times; moved: they changed since the last read (a
 * device first seen is only a baseline). */
static void read_diskstats(struct disk *d)
{
	char line[512];
	FILE *f = fopen("/proc/diskstats", "re");

	for (uint32_t i = 0; i < d->ndevs; i++)
		d->devs[i].moved = false;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int major, minor;
		unsigned long long v[17] = { 0 };
		char name[64];
		int n = sscanf(line,
			       " %u %u %63s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu"
			       " %llu %llu %llu %llu %llu %llu",
			       &major, &minor, name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			       &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
			       &v[15], &v[16]);
		if (n < 14)
			continue;
		uint32_t dev = dev_of(major, minor);
		struct disk_dev *e = dev_find(d, dev);
		bool fresh = !e;
		if (!e) {
			if (is_partition(major, minor))
				continue;
			e = dev_add(d, dev);
			if (!e)
				continue;
		}
		/* fields 1, 5, 12 and 16: reads, writes, discards, flushes completed */
		uint64_t ios = v[0] + v[4] + v[11] + v[15];
		e->moved = !fresh && (ios != e->ios || v[9] != e->busy_ms || v[10] != e->queue_ms);
		e->ios = ios;
		e->busy_ms = v[9];
		e->queue_ms = v[10];
	}
	fclose(f);
}

/* ---- the kernel's figures ---- */

int disk_init(struct disk *d, const struct loader *ld)
{
	memset(d, 0, sizeof(*d));
	d->stats_fd = -1;
	d->on = ld->disk;
	if (!d->on)
		return 0;
	d->stats_fd = bpf_map__fd(ld->skel->maps.disk_counts);
	d->devs = calloc(DISK_DEVS_MAX, sizeof(*d->devs));
	d->before = calloc(DISK_DEVS_MAX, sizeof(*d->before));
	d->rows = calloc(DISK_KEYS_MAX, sizeof(*d->rows));
	d->gone = calloc(DISK_KEYS_MAX, sizeof(*d->gone));
	d->pids = calloc(ld->max_procs, sizeof(*d->pids));
	if (!d->devs || !d->before || !d->rows || !d->gone || !d->pids)
		return -ENOMEM;
	read_diskstats(d);
	d->read_ns = monotonic_ns();
	return 0;
}

void disk_free(struct disk *d)
{
	free(d->keys);
	free(d->prev);
	free(d->devs);
	free(d->before);
	free(d->rows);
	free(d->gone);
	free(d->pids);
	memset(d, 0, sizeof(*d));
}

/* what this key's entry held when last reported, kept from now on */
static struct disk_counts *prev_of(struct disk *d, const struct disk_key *k)
{
	for (uint32_t i = 0; i < d->seen; i++)
		if (!memcmp(&d->keys[i], k, sizeof(*k)))
			return &d->prev[i];
	if (d->seen == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		if (cap > DISK_KEYS_MAX)
			return NULL;
		struct disk_key *keys = realloc(d->keys, cap * sizeof(*keys));
		if (!keys)
			return NULL;
		d->keys = keys;
		struct disk_counts *prev = realloc(d->prev, cap * sizeof(*prev));
		if (!prev)
			return NULL;
		d->prev = prev;
		d->cap = cap;
	}
	d->keys[d->seen] = *k;
	memset(&d->prev[d->seen], 0, sizeof(d->prev[0]));
	return &d->prev[d->seen++];
}

/* forget what this key's entry held (it is gone from the kernel's table) */
static void prev_forget(struct disk *d, const struct disk_key *k)
{
	for (uint32_t i = 0; i < d->seen; i++) {
		if (memcmp(&d->keys[i], k, sizeof(*k)))
			continue;
		d->seen--;
		d->keys[i] = d->keys[d->seen];
		d->prev[i] = d->prev[d->seen];
		return;
	}
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Is this pid tracked? The sorted list of tracked pids (max_procs of the same loader) is made
 * again only when the tracker's set has changed since: a long-lived process that did its I/O
 * early leaves a quiet entry that is asked about every tick. */
static bool is_tracked(struct disk *d, const struct tracker *t, uint32_t pid)
{
	if (!d->pids_listed || d->pids_changes != t->changes) {
		uint32_t n = 0;
		for (uint32_t s = 0; s < t->max_procs; s++)
			if (t->slots[s].pid)
				d->pids[n++] = t->slots[s].pid;
		qsort(d->pids, n, sizeof(*d->pids), by_pid);
		d->npids = n;
		d->pids_changes = t->changes;
		d->pids_listed = true;
	}
	return bsearch(&pid, d->pids, d->npids, sizeof(*d->pids), by_pid) != NULL;
}

static int by_dev(const void *a, const void *b)
{
	const struct disk_row *x = a, *y = b;
	return x->key.dev < y->key.dev ? -1 : x->key.dev > y->key.dev;
}

/* now's figures over what this key's entry held when last reported, as a row; false: no move */
static bool diff_row(struct disk *d, const struct disk_key *key, const struct disk_counts *now,
		     struct disk_row *r)
{
	struct disk_counts *prev = prev_of(d, key);
	if (!prev || now->requests == prev->requests)
		return false;
	r->key = *key;
	r->delta.requests = now->requests - prev->requests;
	r->delta.bytes = now->bytes - prev->bytes;
	r->delta.time_ns = now->time_ns - prev->time_ns;
	for (int b = 0; b < HIST_BUCKETS; b++) {
		r->delta.lat[b] = now->lat[b] - prev->lat[b];
		r->delta.size[b] = now->size[b] - prev->size[b];
	}
	*prev = *now;
	return true;
}

/*
 * The entries stamped since `since` (stamped_since) that moved, into rows (at most max); their
 * count. Entries of processes no longer tracked, quiet for DISK_QUIET_TICKS, are deleted, each
 * with its last figures read in the same step (a completion between a read and a delete would be
 * lost), and reported if they had moved.
 */
static uint32_t changed_rows(struct disk *d, const struct tracker *t, uint64_t since,
			     struct disk_row *rows, uint32_t max)
{
	struct disk_key key, next;
	struct disk_counts now;
	uint32_t n = 0, ngone = 0;
	bool first = true;

	caps_bpf_raise();
	while (n < max && !bpf_map_get_next_key(d->stats_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(d->stats_fd, &key, &now))
			continue;
		/* stamped in this tick or the one before: a completion that raced with our last read
		 * may carry the older stamp */
		if (stamped_since(now.seq, since)) {
			if (diff_row(d, &key, &now, &rows[n]))
				n++;
			continue;
		}
		/* submitter 0 (kernel threads, untracked processes) is one entry per device and op */
		if (!key.tgid || now.seq + DISK_QUIET_TICKS > since || ngone == DISK_KEYS_MAX)
			continue;
		if (!is_tracked(d, t, key.tgid))
			d->gone[ngone++] = key;
	}
	/* deleted after the walk, which a delete would send back to the table's start */
	for (uint32_t i = 0; i < ngone; i++) {
		if (bpf_map_lookup_and_delete_elem(d->stats_fd, &d->gone[i], &now))
			continue;
		if (n < max && diff_row(d, &d->gone[i], &now, &rows[n]))
			n++;
		prev_forget(d, &d->gone[i]);
	}
	caps_bpf_lower();
	return n;
}

/* One device's message(s): its queue figures in the first, its rows DISK_ROWS_PER_MESSAGE at a
 * time. */
static void emit_device(uint64_t seq, uint32_t dev, const struct disk_dev *prev,
			const struct disk_dev *cur, uint64_t interval_ns,
			const struct disk_row *rows, uint32_t n, struct jbuf *out)
{
	char name[64];
	const char *device = cur ? cur->name : name;
	uint32_t i = 0;

	if (!cur)
		dev_name(dev, name, sizeof(name));
	do {
		struct disk_queue q = { .interval_ns = interval_ns,
					.known = cur && prev && i == 0 };
		if (q.known) {
			q.ios = cur->ios - prev->ios;
			q.busy_ms = cur->busy_ms - prev->busy_ms;
			q.queue_ms = cur->queue_ms - prev->queue_ms;
		}
		msg_disk_begin(out, seq, dev, device, &q);
		for (uint32_t k = 0; k < DISK_ROWS_PER_MESSAGE && i < n; k++, i++)
			msg_disk_row(out, k == 0, rows[i].key.op, rows[i].key.tgid, &rows[i].delta);
		msg_disk_end(out);
		out_line(out);
	} while (i < n);
}

void disk_emit(struct disk *d, const struct tracker *t, uint64_t seq, uint64_t since,
	       struct jbuf *out)
{
	if (!d->on)
		return;
	struct disk_row *rows = d->rows;
	struct disk_dev *before = d->before;
	uint32_t nbefore = d->ndevs;
	memcpy(before, d->devs, nbefore * sizeof(*before));
	uint32_t n = changed_rows(d, t, since, rows, DISK_KEYS_MAX);
	uint64_t now = monotonic_ns();
	read_diskstats(d);
	uint64_t interval_ns = now - d->read_ns;
	d->read_ns = now;
	qsort(rows, n, sizeof(*rows), by_dev);

	/* the devices with requests timed, then those that moved in /proc/diskstats alone */
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		while (j < n && rows[j].key.dev == rows[i].key.dev)
			j++;
		uint32_t dev = rows[i].key.dev;
		const struct disk_dev *prev = NULL;
		for (uint32_t k = 0; k < nbefore; k++)
			if (before[k].dev == dev)
				prev = &before[k];
		emit_device(seq, dev, prev, dev_find(d, dev), interval_ns, rows + i, j - i, out);
		i = j;
	}
	for (uint32_t k = 0; k < d->ndevs; k++) {
		const struct disk_dev *cur = &d->devs[k];
		bool sent = false;
		for (uint32_t i = 0; i < n && !sent; i++)
			sent = rows[i].key.dev == cur->dev;
		if (!cur->moved || sent || k >= nbefore)
			continue;
		emit_device(seq, cur->dev, &before[k], cur, interval_ns, NULL, 0, out);
	}
}
