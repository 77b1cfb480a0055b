// SPDX-License-Identifier: GPL-2.0
/*
 * Disk: every block request of the machine timed from its issue to the device to its completion
 * (as biolatency does) and sized at its issue (as bitesize does), aggregated per (device, op,
 * submitter) in disk_counts. The submitter is the tracked process in whose context the request
 * was made (block_io_start runs in submit_bio's caller); requests made by kernel threads
 * (writeback, the flusher, kworkers, jbd2) or by untracked processes go under submitter 0.
 * In-flight requests wait in disk_inflight, keyed by the request's address. Built as part of
 * syscope.bpf.c; tp_btf and raw_tp only (the classic tracepoints' tracefs access covers the
 * syscall and process events only).
 */
#include "tracked.bpf.h"

#define REQ_OP_BITS_ 8
#define REQ_OP_READ_ 0
#define REQ_OP_WRITE_ 1
#define REQ_OP_FLUSH_ 2
#define REQ_OP_DISCARD_ 3

/* a new disk_counts entry's first figures: too big for the stack, and never written */
static struct disk_counts disk_zero;

/* The tracked process of the current task, or 0. */
static __always_inline __u32 disk_submitter(bool ts)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!tgid || !maybe_tracked(tgid))
		return 0;
	struct task_struct *task =
		ts ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	return p ? tgid : 0;
}

/* block_io_start: a request made from bios, in the submitter's context. Only a tracked
 * submitter's request is noted here; the rest are noted at their issue. */
static __always_inline void disk_start(bool ts, struct request *rq)
{
	__u32 tgid = disk_submitter(ts);
	if (!tgid)
		return;
	__u64 key = (__u64)rq;
	struct disk_inflight v = { .tgid = tgid };
	/* any: a stale entry of a freed request at this address is replaced */
	if (bpf_map_update_elem(&disk_inflight, &key, &v, BPF_ANY))
		drop(DROP_DISK);
}

/* block_rq_issue: the request goes to the device driver now (again, when it was requeued). */
static __always_inline void disk_issue(bool ts, struct request *rq)
{
	__u64 key = (__u64)rq;
	__u64 now = bpf_ktime_get_ns();
	__u32 bytes = BPF_CORE_READ(rq, __data_len);
	struct disk_inflight *e = bpf_map_lookup_elem(&disk_inflight, &key);
	if (e) {
		e->issue_ns = now;
		e->bytes = bytes;
		return;
	}
	struct disk_inflight v = { .issue_ns = now, .bytes = bytes };
	if (!disk_start_hooked)
		v.tgid = disk_submitter(ts);
	if (bpf_map_update_elem(&disk_inflight, &key, &v, BPF_ANY))
		drop(DROP_DISK);
}

static __always_inline __u32 disk_op_of(__u32 cmd_flags)
{
	switch (cmd_flags & ((1 << REQ_OP_BITS_) - 1)) {
	case REQ_OP_READ_:
		return DISK_READ;
	case REQ_OP_WRITE_:
		return DISK_WRITE;
	case REQ_OP_FLUSH_:
		return DISK_FLUSH;
	case REQ_OP_DISCARD_:
		return DISK_DISCARD;
	default:
		return DISK_OTHER;
	}
}

/* block_rq_complete: the first completion of an issued request counts it whole (a partial
 * completion's remainder is not counted again); requests issued before we looked are skipped. */
static __always_inline void disk_done(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct disk_inflight *e = bpf_map_lookup_elem(&disk_inflight, &key);
	if (!e)
		return;
	__u64 issued = e->issue_ns;
	struct disk_key k = { .tgid = e->tgid };
	__u32 bytes = e->bytes;
	bpf_map_delete_elem(&disk_inflight, &key);
	if (!issued)
		return;
	__u64 ns = bpf_ktime_get_ns() - issued;
	struct gendisk *disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return;
	__u32 major = BPF_CORE_READ(disk, major);
	__u32 minor = BPF_CORE_READ(disk, first_minor);
	k.dev = major << 20 | (minor & 0xfffff);
	k.op = disk_op_of(BPF_CORE_READ(rq, cmd_flags));

	struct disk_counts *s = bpf_map_lookup_elem(&disk_counts, &k);
	if (!s) {
		/* two CPUs may add the first entry of a key at once: the second finds it there */
		bpf_map_update_elem(&disk_counts, &k, &disk_zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&disk_counts, &k);
		if (!s) {
			drop(DROP_DISK);
			return;
		}
	}
	__u32 lb = hist_bucket(ns), sb = hist_bucket(bytes);
	__sync_fetch_and_add(&s->requests, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	__sync_fetch_and_add(&s->time_ns, ns);
	if (lb < HIST_BUCKETS)
		__sync_fetch_and_add(&s->lat[lb], 1);
	if (sb < HIST_BUCKETS)
		__sync_fetch_and_add(&s->size[sb], 1);
	s->seq = files_seq;
}

/* ---- programs ---- */

SEC("tp_btf/block_io_start")
int BPF_PROG(btf_disk_start, struct request *rq)
{
	disk_start(true, rq);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(btf_disk_issue, struct request *rq)
{
	disk_issue(true, rq);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(btf_disk_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	disk_done(rq);
	return 0;
}

SEC("raw_tp/block_io_start")
int BPF_PROG(raw_disk_start, struct request *rq)
{
	disk_start(false, rq);
	return 0;
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(raw_disk_issue, struct request *rq)
{
	disk_issue(false, rq);
	return 0;
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(raw_disk_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	disk_done(rq);
	return 0;
}
