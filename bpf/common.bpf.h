/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every concern file of the kernel side shares: the BPF headers, the settings the helper
 * writes before load (.rodata) or while running (.bss), the loss counters, the tracked-pid hint,
 * the attach flavour of a program, and the ring buffer event writer. BPF code only.
 */
#ifndef SYSCOPE_COMMON_BPF_H
#define SYSCOPE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "syscope.h"
#include "hist.h"

/* Set by the helper before load. */
const volatile __u32 owner_uid = (__u32)-1; /* -1: root helper, may track anyone */
const volatile __s64 nr_execve = -1;
const volatile __s64 nr_execveat = -1;
const volatile __s64 nr_exit = -1;
const volatile __s64 nr_exit_group = -1;
/* the calls that return 0 in a new child (counts_only: not counted there) */
const volatile __s64 nr_clone = -1;
const volatile __s64 nr_clone3 = -1;
const volatile __s64 nr_fork = -1;
const volatile __s64 nr_vfork = -1;
/* rt_sigreturn puts back the user's registers as the signal found them, the saved syscall number
 * among them (-1): at its exit that number is gone (counts_only takes -1 there for it) */
const volatile __s64 nr_rt_sigreturn = -1;
/* files and network (files.bpf.c, in the *_detail programs): what each syscall's exit tells
 * about an fd */
const volatile __u8 detail_class[SYSCOPE_MAX_NR];
/* for the classes by name (DETAIL_NAME*): what the call does to it, enum name_op */
const volatile __u8 detail_op[SYSCOPE_MAX_NR];
/* TCP's state changes are hooked (net.bpf.c): not in tracepoint mode */
const volatile bool tcp_states_on = false;
/* the counts-and-errors mode: no sys_enter hook, no clock (syscalls.bpf.c) */
const volatile bool counts_only = false;
/* the timed mode's slowest calls kept per CPU (0: none), and for each syscall where in its
 * arguments an fd is, resolved to its file for them (enum fd_arg, latency.bpf.c) */
const volatile __u32 slow_n = 0;
const volatile __u8 arg0_fd[SYSCOPE_MAX_NR];
/* how many of the slots are given out by tgid (slot_taken): min(PREF_SLOTS, max procs) */
const volatile __u32 pref_slots = 0;
/* disk (disk.bpf.c): block_io_start is hooked, so a request's submitter is known before its
 * issue; otherwise the issue's own context is the best the kernel tells */
const volatile bool disk_start_hooked = false;

/* Set by the helper (tracker_init) before it tracks anything: the owner's real gid, which with
 * owner_uid every id of a process it tracks must equal (see owner_may_ptrace); the length of a
 * clock tick and the boot time offset of the helper's time namespace, so that start_ticks here
 * reads as /proc/<pid>/stat shows it to the helper. */
__u32 owner_gid = (__u32)-1;
__u64 ns_per_tick = 10000000;
__s64 boot_offset_ns;

/* The helper's tick count, which it writes before it reads the files tables: the stamp of what
 * changes (files.bpf.c) */
__u64 files_seq;

/* 1: the table changed since the helper last cleared it (enum changed_table). It reads only
 * those: a process that holds 100,000 files and sleeps costs it nothing each tick (it cost 37 %
 * of a core to read them all) */
__u32 detail_changed[CHANGED_TABLES];

/* Cumulative loss counters, read by the helper through the mmapped .bss. */
__u64 drops[DROP_MAX];

/* Slots below pref_slots: 1 while given out (see PREF_SLOTS). Taken by compare-and-swap here and
 * by the helper (64 bits: BPF's before v3 instructions is 64-bit only); given back by the helper
 * once it has harvested and zeroed the slot, or here when a new process's state could not be
 * stored. */
__u64 slot_taken[PREF_SLOTS];

/* see HINT_SIZE: the helper adds and removes its own tracked pids, the kernel adds children */
__u32 tracked_hint[HINT_SIZE];

/* The number of the syscall a task's user registers were saved for: a typed (tp_btf) pointer is
 * read directly, a raw one through CO-RE */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((__s64)(regs)->orig_ax)
#define SYSCALL_NR_CORE(regs) ((__s64)BPF_CORE_READ(regs, orig_ax))
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((__s64)(regs)->syscallno)
#define SYSCALL_NR_CORE(regs) ((__s64)BPF_CORE_READ(regs, syscallno))
#endif

static __always_inline bool maybe_tracked(__u32 tgid)
{
	return tracked_hint[tgid & (HINT_SIZE - 1)] != 0;
}

static __always_inline void hint_add(__u32 tgid)
{
	__sync_fetch_and_add(&tracked_hint[tgid & (HINT_SIZE - 1)], 1);
}

/*
 * The counts-only exit hook's way past the process state's lookup (a task storage or hash
 * lookup, about a third of its cost), and the entry a stack bucket's own way checks: per (tgid
 * mod HINT_SIZE), one tracked process's tgid and slot (FAST_ENTRY, syscope.h). Published by that
 * hook (and tp_btf's timed exit, whose stack buckets name the entry: syscalls.bpf.c) once it has
 * found the process plainly tracked (checked, and counting: FAST_NOT), and taken back
 * (fast_forget) wherever it stops being tracked: untrack(), its exit, and the helper's freeing of
 * its slot. A bucket two tracked processes share keeps the first; the other takes the lookup.
 */
__u64 tracked_fast[HINT_SIZE];

static __always_inline void fast_forget(__u32 tgid, __u32 slot)
{
	__sync_val_compare_and_swap(&tracked_fast[tgid & (HINT_SIZE - 1)], FAST_ENTRY(tgid, slot),
				    0);
}

/* published, unless the bucket holds another process already */
static __always_inline void fast_publish(__u32 tgid, __u32 slot)
{
	__u64 *fast = &tracked_fast[tgid & (HINT_SIZE - 1)];
	if (!*fast)
		__sync_val_compare_and_swap(fast, 0, FAST_ENTRY(tgid, slot));
}

/* Which flavour a program is; constant in each program, so the others' code is dropped. */
enum hook_kind {
	HOOK_BTF, /* task storage, BTF task pointer */
	HOOK_RAW, /* hashes */
	HOOK_TP, /* hashes, plus pending_fork (its fork tracepoint carries pids only) */
};

static __always_inline void drop(int kind)
{
	if (kind >= 0 && kind < DROP_MAX)
		__sync_fetch_and_add(&drops[kind], 1);
}

/* v into a counter of the calling process: plainly when its thread is the only one that can be
 * adding to it (sole_thread, syscalls.bpf.c), else as an atomic add */
static __always_inline void counter_add(__u64 *c, __u64 v, bool sole)
{
	if (sole)
		*c += v;
	else
		__sync_fetch_and_add(c, v);
}

#include "maps.bpf.h"

/* An event reserved in the ring buffer with its header set and nothing else told (no I/O, no
 * names; the CPU and rusage figures unset), or NULL when the buffer is full (counted). The
 * caller fills in what its type carries and submits it. */
static __always_inline struct syscope_event *event_begin(__u32 type, __u32 pid, __u32 ppid,
							 __u32 slot)
{
	struct syscope_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		drop(DROP_EVENTS);
		return NULL;
	}
	e->type = type;
	e->pid = pid;
	e->ppid = ppid;
	e->slot = slot;
	e->exit_code = 0;
	e->reason = 0;
	e->t_ns = bpf_ktime_get_ns();
	e->io_valid = 0;
	e->comm[0] = 0;
	e->filename[0] = 0;
	return e;
}

/* A fork, or a process leaving the tracked set: the events with no figures. */
static __always_inline void emit_simple(__u32 type, __u32 pid, __u32 ppid, __u32 slot, __u32 reason)
{
	struct syscope_event *e = event_begin(type, pid, ppid, slot);
	if (!e)
		return;
	e->reason = reason;
	/* a fork runs in the forking thread, whose name the child starts with: the app needs it
	 * for a child that ends before /proc can be read (a shell's subshell) */
	if (type == EV_FORK)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

#endif
