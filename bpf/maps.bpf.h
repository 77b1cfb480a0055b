/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map of the kernel side, in one place: the helper finds them by these names in the
 * skeleton (loader.c sizes them, tracker.c reads and writes them). BPF code only; included by
 * common.bpf.h.
 */
#ifndef SYSCOPE_MAPS_BPF_H
#define SYSCOPE_MAPS_BPF_H

/* ---- process and thread state: task storage (tp_btf) or hashes keyed by tgid/tid ---- */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct proc_state);
} proc_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} thread_task SEC(".maps");

/* tp_btf: the tracked threads' stack buckets (tracked.bpf.h), 16 KiB: a map of its own, which
 * user space never maps; the helper writes it only to open every bucket (tracker.c). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_hints);
} stack_hint SEC(".maps");

/* tp_btf: a thread's own way past the lookups (syscalls.bpf.c), by stack bucket */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STACK_HINTS);
	__type(key, __u32);
	__type(value, struct stack_way);
} stack_fast SEC(".maps");

/* tp_btf: the bucket (+ 1) a thread's hint is counted in, until its exit takes it back */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64); /* 64 bits: compare-and-swap before BPF v3 is 64-bit only */
} hint_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024); /* set to max_procs by the helper */
	__type(key, __u32);
	__type(value, struct proc_state);
} proc_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct thread_state);
} thread_hash SEC(".maps");

/* ---- syscall counting ---- */

/* slot * SYSCOPE_MAX_NR + nr; the helper mmaps it and reads deltas without syscalls */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024 * SYSCOPE_MAX_NR); /* max_procs * SYSCOPE_MAX_NR */
	__type(key, __u32);
	__type(value, struct syscall_counts);
} syscall_counts SEC(".maps");

/* ---- syscall latency, errnos, the slowest calls (latency.bpf.c) ---- */

/* the timed mode's histograms, one row per (slot, nr) that made a call, given out from lat_free
 * (which the helper fills, and refills with the rows of a slot it frees); mmapped by the helper */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 16384); /* set by the helper */
	__type(key, __u32);
	__type(value, struct lat_row);
} lat_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16384); /* lat_rows' */
	__type(value, __u32);
} lat_free SEC(".maps");

/* failed calls by errno: added on the failure path only */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct errno_key);
	__type(value, struct errno_count);
} errno_counts SEC(".maps");

/* CPU c's slowest calls are entries c * slow_n .. c * slow_n + slow_n - 1; mmapped */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* possible CPUs * slow_n, set by the helper */
	__type(key, __u32);
	__type(value, struct slow_call);
} slow_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* possible CPUs, set by the helper */
	__type(key, __u32);
	__type(value, struct slow_cpu);
} slow_cpus SEC(".maps");

/* A slow call on its way to slow_keep (latency.bpf.c): its first three arguments, `kept` a
 * close's file (FD_ARG_CLOSED) */
struct slow_args {
	__u64 task; /* the caller's task_struct, or 0 */
	__s64 nr;
	__s64 ret;
	__u64 ns;
	__u64 end;
	__u64 a[3];
	__u64 kept;
	__u32 tgid;
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slow_args);
} slow_pending SEC(".maps");

/* ---- scheduler ---- */

/*
 * slot → its threads' switches onto and off a CPU. The helper reads them each tick: a process
 * whose counters did not move, and are equal (no thread on a CPU), made no syscall and used no
 * CPU since its last look, so the helper need not scan its syscall counters nor the sampler read
 * its /proc files (docs/helper.md, docs/sampler.md).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024); /* max_procs */
	__type(key, __u32);
	__type(value, struct run_counts);
} runs SEC(".maps");

/* ---- every thread's wall time (threads.bpf.c) ---- */

/* one record per tracked thread, given out from thread_free (which the helper fills, and
 * refills with an exited thread's record once it has sent its last figures); mmapped */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 8192); /* set by the helper */
	__type(key, __u32);
	__type(value, struct thread_time);
} thread_times SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8192); /* thread_times' */
	__type(value, __u32);
} thread_free SEC(".maps");

/* ---- process lifecycle ---- */

/* free slot numbers from pref_slots on (those below are slot_taken's); the helper fills it, pops
 * for its own requests, pushes back after harvest */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1024);
	__type(value, __u32);
} free_slots SEC(".maps");

/* tracepoint mode only: forked children not yet known to be processes */
struct pending_child {
	__u32 parent_tgid;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_child);
} pending_fork SEC(".maps");

__u64 pending_count;

/* The last thread of a tracked process gone through sched_process_exit, by tid, until its
 * last switch off a CPU: its CPU clock is final only there (lifecycle.bpf.c). The helper
 * deletes an entry whose switch was not seen. exiting_count: entries, so that the machine's
 * other switches pay one load while none is waiting. */
struct exiting_task {
	__u32 tgid;
	__u32 pad;
	__u64 cpu[3]; /* the process's figures at sched_process_exit (final_cpu) */
	__u64 own[3]; /* and the thread's own then: utime, stime, sum_exec_runtime */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct exiting_task);
} exiting SEC(".maps");

__u64 exiting_count;

/* ---- files ---- */

/* (slot, file under its name: struct file_id) → what the process did with it; the helper sends
 * what changed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the helper */
	__type(key, struct file_key);
	__type(value, struct file_stats);
} file_stats SEC(".maps");

/* (device, inode, generation, name hash) → its path, resolved once: a path of FILE_NAME_SHORT
 * bytes or less (most) in file_names_short, the rest in file_names, allocated as used (a name
 * there is 1 KiB). A new file inserts into the short one and file_variants: both are allocated
 * when the helper loads (with --detail: 15 and 6 MiB), as file_stats is, for an insert from a
 * per-CPU free list ~0.8 µs cheaper a new file than the allocator's (docs/detail.md) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct file_id);
	__type(value, struct file_name);
} file_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct file_id);
	__type(value, struct file_name_short);
} file_names_short SEC(".maps");

/* (device, inode; the rest 0) → how many files or names were met there (file_variant); 64 bits:
 * BPF's fetch-and-add before v3 instructions is 64-bit only */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct file_id);
	__type(value, __u64);
} file_variants SEC(".maps");

/* (slot, call, base directory, name hash) → the calls on that name as given (name_op); most
 * names are short, and one process may name a whole tree (a tar of /usr/share stats 54,000
 * names): the short table holds four times as many, ~256 bytes an entry, allocated as used */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, struct name_key);
	__type(value, struct name_ops);
} name_ops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 131072);
	__type(key, struct name_key);
	__type(value, struct name_ops_short);
} name_ops_short SEC(".maps");

/* too big for the 512-byte stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_name);
} name_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct name_ops);
} name_ops_scratch SEC(".maps");

/* ---- network ---- */

/* (slot, sockfs device, inode) → the socket: who, where, when; the helper sends what changed and
 * deletes a closed one once sent. Sized for the sockets of a few seconds of a busy server
 * between two of the helper's reads (which wait for the app when it reads slowly); allocated as
 * used */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct file_key);
	__type(value, struct sock_stats);
} sock_stats SEC(".maps");

/* (slot, socket, remote address) → the traffic with that peer: a connected socket has one, a
 * datagram socket may have many */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 131072);
	__type(key, struct peer_key);
	__type(value, struct peer_stats);
} peer_stats SEC(".maps");

/* a TCP socket's struct sock → its entry in sock_stats: inet_sock_set_state names the socket
 * only, and runs in whatever context the state changed (softirq, another task) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct file_key);
} sock_owner SEC(".maps");

/* a new socket or peer entry, built here: too big for the stack */
struct net_scratch {
	struct sock_stats sock;
	struct peer_stats peer;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_scratch);
} net_scratch SEC(".maps");

/* a sendmmsg's or recvmmsg's messages summed (files.bpf.c, mmsg_io): in a map value, which the
 * verifier does not follow from one bpf_loop step to the next as it would a stack slot that
 * grows each step (that kept it from ever finishing) */
struct mmsg_sum {
	__u64 bytes;
	__u64 first; /* the first message's msg_name */
	__u64 one; /* every message to one peer */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mmsg_sum);
} mmsg_sums SEC(".maps");

/* ---- disk (disk.bpf.c) ---- */

/* block requests in flight on the whole machine, by the request's address: a request not kept
 * (full) is not timed, DROP_DISK. A deep NVMe queue holds a few thousand at most. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct disk_inflight);
} disk_inflight SEC(".maps");

/* completed requests by (device, op, submitter), cumulative; the helper never writes them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct disk_key);
	__type(value, struct disk_counts);
} disk_counts SEC(".maps");

/* ---- to the helper ---- */

/* fork, exec, exit events of ~416 bytes each: 8 MiB holds ~20,000, the three or four events of
 * ~5,000 short processes, while the helper waits for the app to read what it sent (a burst of
 * 2,000 children in 0.4 s lost 130-360 events at 1 MiB on the 2-core VM) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} events SEC(".maps");

/* each new entry of a slot's detail tables, by key (keys.bpf.h): 48-byte records, drained at
 * each tick and before each release; 4 MiB holds ~75,000 (a tar adds ~30,000 a second).
 * Sized by the helper: one page without --detail */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} new_keys SEC(".maps");

#endif
