/* SPDX-License-Identifier: MIT */
/*
 * Disk, the helper's side (disk.c): each tick one `disk` message per block device whose requests
 * or queue moved: the completed requests' new counts, bytes and latency and size histograms by
 * (op, submitter), from the kernel's disk_counts (disk.bpf.c), and the device's mean queue depth
 * over the tick from /proc/diskstats' weighted time in queue.
 */
#ifndef SYSCOPE_DISK_H
#define SYSCOPE_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"

struct loader;
struct syscope_bpf;
struct tracker;
struct disk_key;
struct disk_counts;
struct disk_row;

/* a whole disk of /proc/diskstats as last read */
struct disk_dev {
	uint32_t dev; /* major << 20 | minor, as disk_key.dev */
	char name[64]; /* its DEVNAME */
	uint64_t ios; /* reads, writes, discards and flushes completed */
	uint64_t busy_ms; /* field 10: time the device had requests in flight */
	uint64_t queue_ms; /* field 11: weighted time in queue (sum of each request's time) */
	bool moved; /* this tick */
};

struct disk {
	bool on; /* block requests are timed (not in tracepoint mode) */
	int stats_fd; /* disk_counts */
	struct disk_key *keys; /* disk_counts entries last reported, and their figures then */
	struct disk_counts *prev;
	uint32_t seen, cap;
	struct disk_dev *devs; /* DISK_DEVS_MAX, ndevs used; only ever appended to */
	uint32_t ndevs;
	struct disk_dev *before; /* scratch: devs as they were before this tick's read */
	struct disk_row *rows; /* scratch: this tick's changed entries */
	struct disk_key *gone; /* scratch: entries of processes no longer tracked, to delete */
	uint32_t *pids; /* the tracked pids, sorted (max_procs), npids of them */
	uint32_t npids;
	uint64_t pids_changes; /* the tracker's `changes` when pids was listed; pids_listed: ever */
	bool pids_listed;
	uint64_t read_ns; /* when /proc/diskstats was last read (monotonic) */
};

/* before load: the disk programs of this attach mode (none in tracepoint mode) */
void disk_choose_programs(struct syscope_bpf *s, bool btf, bool raw, const char *btf_path);
int disk_init(struct disk *d, const struct loader *ld);
void disk_free(struct disk *d);
/* each tick: a `disk` message per device that moved; since: the stamp of this tick's changes; t:
 * who is tracked (the entries of the others are deleted once quiet) */
void disk_emit(struct disk *d, const struct tracker *t, uint64_t seq, uint64_t since,
	       struct jbuf *out);

#endif
