/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is this task's process tracked, and may it stay so: the state lookups of each attach flavour,
 * the identity and ptrace checks that decide whether the owner may watch a process, and the
 * adoption of children the classic fork tracepoint could only name. Every concern file that acts
 * on a tracked process goes through checked() here. BPF code only.
 */
#ifndef SYSCOPE_TRACKED_BPF_H
#define SYSCOPE_TRACKED_BPF_H

#include "common.bpf.h"

/* ---- state lookups: task storage (tp_btf) or hashes (raw_tp, tracepoint) ---- */

static __always_inline struct proc_state *proc_of(bool ts, struct task_struct *leader, __u32 tgid)
{
	if (ts)
		return bpf_task_storage_get(&proc_task, leader, 0, 0);
	return bpf_map_lookup_elem(&proc_hash, &tgid);
}

static __always_inline struct thread_state *thread_of(bool ts, struct task_struct *task, __u32 tid,
						      bool create)
{
	if (ts)
		return bpf_task_storage_get(&thread_task, task, 0,
					    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	struct thread_state *t = bpf_map_lookup_elem(&thread_hash, &tid);
	if (t || !create)
		return t;
	struct thread_state zero = {};
	bpf_map_update_elem(&thread_hash, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&thread_hash, &tid);
}

/* ---- whose process: identity and the ptrace rule ---- */

/* /proc/<pid>/stat's start time (field 22) of the task's process */
static __always_inline __u64 start_ticks(struct task_struct *task)
{
	__u64 boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	return (boot_ns + boot_offset_ns) / ns_per_tick;
}

/* Is ns, or an ancestor, a user namespace the owner created in the initial one? The owner then
 * holds every capability in it, so capabilities there put no process out of the owner's reach. */
static __always_inline bool owner_holds_ns(struct user_namespace *ns)
{
	for (int i = 0; i < 33 && ns; i++) {
		int level = BPF_CORE_READ(ns, level);
		if (level <= 0)
			return false;
		if (level == 1)
			return BPF_CORE_READ(ns, owner.val) == owner_uid;
		ns = BPF_CORE_READ(ns, parent);
	}
	return false;
}

#define MMF_DUMPABLE_MASK 0x3
#define SUID_DUMP_USER 1

/*
 * Whether the owner could ptrace-read the task: the kernel's __ptrace_may_access for
 * PTRACE_MODE_READ, for a caller holding no capability, which the helper is once attached. All its
 * uids and gids are the owner's, it holds no capability the owner lacks, and it is dumpable; each
 * but where the owner holds every capability (a user namespace the owner made, as rootless
 * containers are). A process that fails it is not the owner's to watch: not its counts, nor its
 * I/O.
 */
static __always_inline bool owner_may_ptrace(struct task_struct *task)
{
	if (owner_uid == (__u32)-1)
		return true; /* a root helper may watch anyone */
	const struct cred *c = BPF_CORE_READ(task, real_cred);
	bool ids =
		BPF_CORE_READ(c, uid.val) == owner_uid && BPF_CORE_READ(c, euid.val) == owner_uid &&
		BPF_CORE_READ(c, suid.val) == owner_uid && BPF_CORE_READ(c, gid.val) == owner_gid &&
		BPF_CORE_READ(c, egid.val) == owner_gid && BPF_CORE_READ(c, sgid.val) == owner_gid;
	/* kernel_cap_t is 64 bits, a u64 or two u32s by kernel version */
	__u64 prm = 0;
	if (bpf_core_read(&prm, sizeof(prm), &c->cap_permitted))
		return false;
	if ((!ids || prm) && !owner_holds_ns(BPF_CORE_READ(c, user_ns)))
		return false;
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long mmf = 0;
	if (!mm)
		return true;
	/* mm->flags: an unsigned long, or (6.18+) a one-long bitmap */
	bpf_core_read(&mmf, sizeof(mmf), &mm->flags);
	return (mmf & MMF_DUMPABLE_MASK) == SUID_DUMP_USER ||
	       owner_holds_ns(BPF_CORE_READ(mm, user_ns));
}

/* Out of the tracked set, and told to the helper, which frees the slot. Only the caller whose
 * delete succeeds tells: two CPUs may meet the same entry at once. */
static __always_inline void untrack(bool ts, struct task_struct *leader, __u32 tgid, __u32 slot,
				    __u32 reason)
{
	long err;
	fast_forget(tgid, slot);
	if (ts)
		err = bpf_task_storage_delete(&proc_task, leader);
	else
		err = bpf_map_delete_elem(&proc_hash, &tgid);
	if (!err)
		emit_simple(EV_UNTRACKED, tgid, 0, slot, reason);
}

/*
 * The helper checks a process it is asked to track and then adds it; it may have exited between
 * the two, leaving the entry to whichever process gets its pid next (raw_tp, tracepoint) or to
 * its zombie. So the first hook to meet an entry from the helper (PROC_VERIFY) checks that its
 * process is the one the helper checked (start time) and still the owner's to watch, and drops it
 * if not. Once checked, it belongs to a live process whose exit hook deletes it. Tracked
 * processes pay one flag test for it; the untracked never get this far.
 */
static __always_inline struct proc_state *verify(bool ts, struct proc_state *p,
						 struct task_struct *task,
						 struct task_struct *leader, __u32 tgid,
						 __u32 creds_reason)
{
	if (!task)
		task = (struct task_struct *)bpf_get_current_task();
	__u32 slot = p->slot;
	if (start_ticks(task) != p->start_ticks) {
		untrack(ts, leader, tgid, slot, UNTRACK_NOT_SAME);
		return NULL;
	}
	if (!owner_may_ptrace(task)) {
		untrack(ts, leader, tgid, slot, creds_reason);
		return NULL;
	}
	p->flags &= ~PROC_VERIFY;
	return p;
}

static __always_inline struct proc_state *checked(bool ts, struct proc_state *p,
						  struct task_struct *task,
						  struct task_struct *leader, __u32 tgid)
{
	if (p && (p->flags & PROC_VERIFY))
		return verify(ts, p, task, leader, tgid, UNTRACK_PTRACE);
	return p;
}

/* An entry still there for a pid a new process was just given: one the helper added for a
 * process that exited before its first hook. Out with it, before the new one's goes in. */
static __always_inline void drop_stale(__u32 tgid)
{
	struct proc_state *old = bpf_map_lookup_elem(&proc_hash, &tgid);
	if (old)
		untrack(false, NULL, tgid, old->slot, UNTRACK_NOT_SAME);
}

/* A slot's counters of syscall nr (syscall_counts), or NULL for a number out of range. */
static __always_inline struct syscall_counts *counters_at(__u32 slot, __s64 nr)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR)
		return NULL;
	__u32 idx = slot * SYSCOPE_MAX_NR + (__u32)nr;
	return bpf_map_lookup_elem(&syscall_counts, &idx);
}

/*
 * A free slot for a new process: its own (tgid mod PREF_SLOTS) if free, whose counters the
 * counts-only hook finds without a dependent load (syscalls.bpf.c); else one from the queue; else
 * any free one of the first pref_slots (the queue holds none of them). False: all are taken.
 */
static __always_inline bool slot_take(__u32 tgid, __u32 *slot)
{
	__u32 pref = PREF_SLOT(tgid);
	if (pref < pref_slots && !__sync_val_compare_and_swap(&slot_taken[pref], 0, 1)) {
		*slot = pref;
		return true;
	}
	if (!bpf_map_pop_elem(&free_slots, slot))
		return true;
	for (__u32 i = 0; i < PREF_SLOTS && i < pref_slots; i++) {
		if (!slot_taken[i] && !__sync_val_compare_and_swap(&slot_taken[i], 0, 1)) {
			*slot = i;
			return true;
		}
	}
	return false;
}

/* A slot slot_take gave that was not used after all (nothing was written to its counters). */
static __always_inline void slot_give_back(__u32 slot)
{
	if (slot < pref_slots && slot < PREF_SLOTS)
		__sync_val_compare_and_swap(&slot_taken[slot], 1, 0);
	else
		bpf_map_push_elem(&free_slots, &slot, 0);
}

static __always_inline struct proc_state *adopt_pending(__u32 tgid, __u32 tid)
{
	struct pending_child *pc = bpf_map_lookup_elem(&pending_fork, &tid);
	if (!pc)
		return NULL;
	struct pending_child c = *pc;
	bpf_map_delete_elem(&pending_fork, &tid);
	__sync_fetch_and_sub(&pending_count, 1);
	if (tid != tgid)
		return NULL; /* a thread: its process state is its group's */
	__u32 slot;
	if (!slot_take(tgid, &slot)) {
		drop(DROP_PROCS);
		return NULL;
	}
	struct proc_state init = { .slot = slot,
				   .tracked_ns = bpf_ktime_get_ns(),
				   .flags = c.flags,
				   .start_ticks = start_ticks(
					   (struct task_struct *)bpf_get_current_task()) };
	drop_stale(tgid);
	if (bpf_map_update_elem(&proc_hash, &tgid, &init, BPF_NOEXIST)) {
		slot_give_back(slot);
		return NULL;
	}
	hint_add(tgid);
	emit_simple(EV_FORK, tgid, c.parent_tgid, slot, 0);
	return bpf_map_lookup_elem(&proc_hash, &tgid);
}

/* ---- the caller of a hook, and its thread record ---- */

/* The thread's syscall-in-flight record: the leader's is inside its process state. */
static __always_inline struct thread_state *thread_rec(enum hook_kind k, struct proc_state *p,
						       struct task_struct *task,
						       struct task_struct *leader, __u32 tgid,
						       __u32 tid, bool create)
{
	bool ts = k == HOOK_BTF;
	if (ts ? task == leader : tid == tgid)
		return &p->leader;
	return thread_of(ts, task, tid, create);
}

/* Who is calling. tp_btf reads the BTF task pointer it needs anyway instead of a second helper
 * call; the group leader is only loaded once the process may be tracked. */
static __always_inline void caller(enum hook_kind k, struct task_struct *task, __u32 *tgid,
				   __u32 *tid)
{
	if (k == HOOK_BTF) {
		*tgid = task->tgid;
		*tid = task->pid;
	} else {
		__u64 id = bpf_get_current_pid_tgid();
		*tgid = id >> 32;
		*tid = (__u32)id;
	}
}

/*
 * Could the process of a BTF task pointer be tracked at all? In tp_btf mode a tracked process's
 * state is task storage on its leader, so a leader that holds no task storage is not: a load
 * from task structs the kernel has just used. The hint (tracked_hint) is a first touch of our
 * maps in the syscall, ~15 ns here, which every untracked process would pay on every syscall
 * while we record. Leaders holding some (ours, or another tool's) go straight on to the
 * storage's lookup, which tells the two apart: the hint's page would be one more for every
 * tracked call (A/B, bench:helper: a timed call 5 ns cheaper without it), while another tool's
 * process costs the lookup's short list walk instead of one load.
 */
static __always_inline bool leader_holds_storage(struct task_struct *task)
{
	return task->group_leader->bpf_storage != NULL;
}

/*
 * The stack hint (tp_btf): untracked threads turned away with no helper call. Every thread on the
 * machine passes the syscall hooks while we record, and asking who is calling
 * (bpf_get_current_task_btf) is a call: 20 of the 24 ns an untracked call cost here over an empty
 * hook (AMD, where the return thunk against speculative returns makes every call dear). The hooks'
 * own first argument names the thread without one: its user registers, saved at the top of its
 * kernel stack, which no other live thread shares. So a thread is let on only where its stack's
 * bucket counts a tracked thread. The helper hints the threads a process has when it adds it
 * (hint_threads, lifecycle.bpf.c), the fork hook the threads and children a tracked process makes,
 * and each thread's exit takes its own count back. A bucket shared with a tracked thread sends an
 * untracked one on to the exact check, no further; a count that could not be recorded per thread
 * stays for good, with the same effect. Kernels without bpf_task_pt_regs (before 5.15) let
 * everyone on, as before. A thread's own way past the lookups goes further on the same number
 * (stack_fast, syscalls.bpf.c).
 */
#define HINTS_ON bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)

static __always_inline __u32 stack_bucket(__u64 regs)
{
	return (__u32)((regs * 0x9e3779b97f4a7c15ULL) >> (64 - STACK_HINT_BITS));
}

/* A pointer as a number the hash can take: its distance from one of our globals (the same
 * address in every program). The verifier lets a loader holding CAP_PERFMON, which tracing needs
 * anyway, subtract one pointer from another. */
#define AS_NUMBER(ptr) ((__u64)((const char *)(ptr) - (const char *)tracked_hint))

/* Does the bucket of the stack whose number is `me` count a tracked thread (or is there no hint)? */
static __always_inline bool hint_counts(__u64 me)
{
	if (!HINTS_ON)
		return true;
	__u32 zero = 0;
	struct stack_hints *h = bpf_map_lookup_elem(&stack_hint, &zero);
	return !h || h->n[stack_bucket(me)];
}

static __always_inline bool stack_hinted(const struct pt_regs *regs)
{
	return hint_counts(AS_NUMBER(regs));
}

/* Count the task's thread in its stack's bucket, once however often it is met. */
static __always_inline void hint_thread(struct task_struct *task)
{
	if (!HINTS_ON)
		return;
	__u32 zero = 0;
	struct stack_hints *h = bpf_map_lookup_elem(&stack_hint, &zero);
	if (!h)
		return;
	__u32 b = stack_bucket(AS_NUMBER(bpf_task_pt_regs(task)));
	__u64 *held = bpf_task_storage_get(&hint_task, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (held && __sync_val_compare_and_swap(held, 0, (__u64)b + 1))
		return;
	__sync_fetch_and_add(&h->n[b], 1);
}

/* At the thread's exit: the bucket's own way (syscalls.bpf.c) if the thread holds it,
 * whatever else it holds (its stack may be another thread's next, which must not find it), and
 * its count out of the bucket, if it has one. */
static __always_inline void unhint_thread(struct task_struct *task)
{
	if (!HINTS_ON)
		return;
	__u32 zero = 0;
	__u64 me = AS_NUMBER(bpf_task_pt_regs(task));
	__u32 b = stack_bucket(me);
	struct stack_hints *h = bpf_map_lookup_elem(&stack_hint, &zero);
	struct stack_way *w = bpf_map_lookup_elem(&stack_fast, &b);
	if (!h || !w)
		return;
	if (w->owner == me)
		__sync_val_compare_and_swap(&w->owner, me, 0);
	if (!task->bpf_storage)
		return;
	__u64 *held = bpf_task_storage_get(&hint_task, task, 0, 0);
	if (!held)
		return;
	__u64 hb = *held;
	if (hb && hb <= STACK_HINTS && __sync_val_compare_and_swap(held, hb, 0) == hb)
		__sync_fetch_and_add(&h->n[hb - 1], (__u32)-1); /* a 32-bit subtraction, pre-v3 */
}

/* A thread's own way past the lookups (syscalls.bpf.c): x86 (its ordering argument is TSO's),
 * with the stack hint's number */
#if defined(__TARGET_ARCH_x86)
#define OWN_WAY_ON HINTS_ON
#else
#define OWN_WAY_ON false
#endif

/* The bucket of the stack whose number is `me` for that way (tp_btf), or NULL */
static __always_inline struct stack_way *own_way(__u64 me)
{
	__u32 b = stack_bucket(me);
	return OWN_WAY_ON ? bpf_map_lookup_elem(&stack_fast, &b) : NULL;
}

/* The syscall a task is in if its entry went its stack's own way, else `why`: for its switch off
 * a CPU (regs: its user registers), so no syscall pays for them. */
static __always_inline __s32 own_way_call(const struct pt_regs *regs, __s32 why)
{
	__u64 me = AS_NUMBER(regs);
	struct stack_way *w = own_way(me);
	if (w && w->owner == me && w->enter_ns)
		return (__s32)w->nr;
	return why;
}

/* Is the task's process tracked (tp_btf)? Without the checks of checked(): for the hints. */
static __always_inline bool group_tracked(struct task_struct *task)
{
	return leader_holds_storage(task) &&
	       bpf_task_storage_get(&proc_task, task->group_leader, 0, 0);
}

static __always_inline bool may_be_tracked(bool ts, struct task_struct *task, __u32 tgid)
{
	if (ts)
		return leader_holds_storage(task);
	return maybe_tracked(tgid);
}

#endif
