// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall counting: one program on syscall entry and one on exit for ALL syscalls, in each attach
 * flavour. Per tracked process and syscall number: calls, failures, and the time from entry to
 * exit, added to the process's slot in syscall_counts (mmapped by the helper), with the latency
 * figures of latency.bpf.c. The counts-and-errors mode (counts_only) loads the exit program alone:
 * calls and failures by errno, no clock. Built as part of syscope.bpf.c.
 */
#include "tracked.bpf.h"
#include "threads.bpf.c"
#include "files.bpf.c"
#include "latency.bpf.c"

/*
 * A process's counters are written only by its own threads (user space zeroes a slot only once
 * it is free). While the writer is the one thread on its group's list, no other CPU can be adding
 * to them: other threads have either not been created (only this thread could clone them, and it
 * is busy here; copy_process lists a thread before it can run) or have been released
 * (release_task unlists a thread after its last hook, lifecycle.bpf.c's exit hook included). So
 * plain adds are then exact and save a locked instruction each. The test reads this task's own
 * list links, in the task struct the kernel has just used: a list of one has the head on both
 * sides. (The group's live count would also do, but it is another structure's page to touch in
 * every syscall: ~28 ns in an empty hook here, more than the locked adds save.) x86 only: under
 * TSO the counter load cannot pass the load that saw the last other thread unlisted; weaker
 * architectures would need an acquire that BPF cannot express with older compilers.
 */
static __always_inline bool sole_thread(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return task && task->thread_node.next == task->thread_node.prev;
#else
	return false;
#endif
}

/* One call into its process's counters, which it returns (NULL: a number out of range). */
static __always_inline struct syscall_counts *count(__u32 slot, __s64 nr, __u64 errors, __u64 ns,
						    bool sole)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR) {
		drop(DROP_NR);
		return NULL;
	}
	struct syscall_counts *c = counters_at(slot, nr);
	if (!c)
		return NULL;
	counter_add(&c->calls, 1, sole);
	if (errors)
		counter_add(&c->errors, 1, sole);
	if (ns)
		counter_add(&c->time_ns, ns, sole);
	return c;
}

/* Syscalls after which a process's credentials or dumpability may have changed: checked again at
 * their exit, by tracked processes only (one subtraction and shift). */
static __always_inline bool may_change_creds(__s64 nr)
{
#if defined(__TARGET_ARCH_x86)
	/* setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid capset prctl */
	const __u64 mask = 1ULL << 0 | 1ULL << 1 | 1ULL << 8 | 1ULL << 9 | 1ULL << 12 | 1ULL << 14 |
			   1ULL << 17 | 1ULL << 18 | 1ULL << 21 | 1ULL << 52;
	__u64 d = (__u64)(nr - 105);
	return d < 64 && ((mask >> d) & 1);
#elif defined(__TARGET_ARCH_arm64)
	/* setregid setgid setreuid setuid setresuid setresgid setfsuid setfsgid prctl; capset */
	const __u64 mask = 1ULL << 0 | 1ULL << 1 | 1ULL << 2 | 1ULL << 3 | 1ULL << 4 | 1ULL << 6 |
			   1ULL << 8 | 1ULL << 9 | 1ULL << 24;
	__u64 d = (__u64)(nr - 143);
	return (d < 64 && ((mask >> d) & 1)) || nr == 91;
#else
	return false;
#endif
}

/* ---- the hot path ---- */

/* The first five arguments of the syscall: from the user registers (tp_btf loads them through
 * its typed pointer, raw_tp through CO-RE: one helper call each, all five made even where the
 * class needs two) or the classic tracepoint's record */
static __always_inline void entry_args(enum hook_kind k, void *src, __u64 a[5])
{
	if (k == HOOK_TP) {
		struct trace_event_raw_sys_enter *ctx = src;
		a[0] = ctx->args[0];
		a[1] = ctx->args[1];
		a[2] = ctx->args[2];
		a[3] = ctx->args[3];
		a[4] = ctx->args[4];
		return;
	}
	struct pt_regs *regs = src;
	if (k == HOOK_BTF) {
		a[0] = PT_REGS_PARM1_SYSCALL(regs);
		a[1] = PT_REGS_PARM2_SYSCALL(regs);
		a[2] = PT_REGS_PARM3_SYSCALL(regs);
		a[3] = PT_REGS_PARM4_SYSCALL(regs);
		a[4] = PT_REGS_PARM5_SYSCALL(regs);
		return;
	}
	a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	a[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
}

/*
 * The clock's read waits for every load before it to complete (kvm-clock reads the TSC behind a
 * fence), and on a machine with page-table isolation and no PCID each first touch of a page in a
 * syscall walks the page tables, ~20 ns. The exit adds to the call's counters and then to its
 * latency row, whose index the counters hold: after the exit's clock, two walks one after the
 * other. So the entry touches both while it looks the process state up: the walks overlap the
 * lookup, and the pages stay in the TLB to the exit (page tables are switched on the way back to
 * user space, or by a switch to another task: a call that blocks pays them again, once). The
 * exit's own early touch of the counters (−22..−40 ns when it was the first) is then redundant:
 * A/B runs of bench:helper, −17 ns a timed call with it gone (docs/helper.md, "The timed mode's
 * pages"). A process not in its own slot (PREF_SLOTS) touches another's counters and row: read
 * only, no harm.
 */
static __always_inline void fetch_early(__u64 v)
{
	barrier_var(v); /* the load stays: its value is not needed, its page is */
}

static __always_inline void fetch_early_row(__u32 slot, __s64 nr)
{
	struct syscall_counts *c = counters_at(slot, nr);
	if (!c)
		return;
	__u64 r = c->lat_row;
	if (!r)
		return;
	__u32 key = (__u32)(r - 1);
	struct lat_row *row = bpf_map_lookup_elem(&lat_rows, &key);
	if (row)
		fetch_early(row->min_ns);
}

/* The calling task's tracked process, or NULL: the common case on a busy machine, not ours,
 * costs one load. The classic tracepoint's forked children are adopted at their first hook.
 * row_nr: the timed entry's syscall, whose counters and latency row tp_btf touches while the
 * state is looked up (fetch_early_row; not measured in the other flavours), or -1. */
static __always_inline struct proc_state *tracked_caller(enum hook_kind k, struct task_struct *task,
							 __u32 *tgid, __u32 *tid,
							 struct task_struct **leader, __s64 row_nr)
{
	bool ts = k == HOOK_BTF;
	caller(k, task, tgid, tid);
	if (!may_be_tracked(ts, task, *tgid) && !(k == HOOK_TP && pending_count))
		return NULL;
	if (ts && row_nr >= 0)
		fetch_early_row(PREF_SLOT(*tgid), row_nr);
	*leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, *leader, *tgid), task, *leader, *tgid);
	if (!p && k == HOOK_TP && pending_count)
		p = adopt_pending(*tgid, *tid);
	return p;
}

/* detail: the files and network monitor is in this program (a constant in the tp_btf ones,
 * which have a program each way: with it, they read the kernel directly, fds.bpf.h) */
static __always_inline void on_enter(enum hook_kind k, struct task_struct *task, __s64 nr,
				     void *argsrc, bool detail)
{
	bool ts = k == HOOK_BTF;
	__u32 tgid, tid;
	struct task_struct *leader;
	struct proc_state *p = tracked_caller(k, task, &tgid, &tid, &leader, nr);
	if (!p)
		return;
	/* exit and exit_group never return: count them here */
	if (nr == nr_exit || nr == nr_exit_group) {
		if (!(p->flags & PROC_AWAIT_EXEC))
			count(p->slot, nr, 0, 0, sole_thread(task));
		return;
	}
	struct thread_state *t = thread_rec(k, p, task, leader, tgid, tid, true);
	if (!t)
		return;
	/* its wall time's record: in a syscall from now on (threads.bpf.c, tt_sys_exit) */
	struct thread_time *r = tt_record(t, tid);
	t->nr = nr;
	if (k == HOOK_TP) {
		struct trace_event_raw_sys_enter *e = argsrc;
		t->arg0 = e->args[0];
		/* poll's length, select's sets (exit_args) */
		if (nr >= 0 && nr < SYSCOPE_MAX_NR && arg0_fd[nr] >= FD_ARG_POLLFDS) {
			t->arg[0] = e->args[1];
			t->arg[1] = e->args[2];
		}
	}
	if (detail && nr >= 0 && nr < SYSCOPE_MAX_NR && detail_class[nr]) {
		__u64 a[5];
		entry_args(k, argsrc, a);
		detail_enter(k == HOOK_BTF, task, p->slot, t, detail_class[nr], a);
	}
	/* exec from a non-leader thread makes that thread the leader (de_thread): carry the
	 * process state over to it first, or tracking would be lost at the exec */
	if (ts && (nr == nr_execve || nr == nr_execveat) && task != leader) {
		struct proc_state copy = *p;
		struct proc_state *q = bpf_task_storage_get(&proc_task, task, &copy,
							    BPF_LOCAL_STORAGE_GET_F_CREATE);
		__u64 now = bpf_ktime_get_ns();
		if (q) {
			*q = copy;
			q->leader.nr = nr;
			q->leader.enter_ns = now;
		}
		t->enter_ns = now;
		if (r)
			r->sys_since_ns = now;
		return;
	}
	/* the clock last, so the time counted leaves out this program's own work */
	__u64 now = bpf_ktime_get_ns();
	t->enter_ns = now;
	if (r)
		r->sys_since_ns = now;
}

/* The syscall's first three arguments at its exit: from the user's registers as the call left
 * them (tp_btf reads its typed pointer directly, raw_tp through CO-RE), or kept at the entry from
 * the classic tracepoint's record (the second and third for poll and select only). Read only for
 * a call slow enough to be kept. */
static __always_inline void exit_args(enum hook_kind k, void *src, struct thread_state *t,
				      __u64 a[3])
{
	if (k == HOOK_TP) {
		a[0] = t->arg0;
		a[1] = t->arg[0];
		a[2] = t->arg[1];
		return;
	}
	struct pt_regs *regs = src;
	if (k == HOOK_BTF) {
		a[0] = PT_REGS_PARM1_SYSCALL(regs);
		a[1] = PT_REGS_PARM2_SYSCALL(regs);
		a[2] = PT_REGS_PARM3_SYSCALL(regs);
		return;
	}
	a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
}

/* setuid and the like cannot raise a process above its owner's reach, but PR_SET_DUMPABLE
 * (ssh-agent does it) and capabilities in a namespace can move it out of it */
static __always_inline void recheck_creds(bool ts, struct task_struct *task,
					  struct task_struct *leader, __u32 tgid, __u32 slot,
					  __s64 nr, long ret)
{
	if (owner_uid == (__u32)-1 || !may_change_creds(nr) || ret)
		return;
	if (!task)
		task = (struct task_struct *)bpf_get_current_task();
	if (!owner_may_ptrace(task))
		untrack(ts, leader, tgid, slot, UNTRACK_PTRACE);
}

/*
 * The timed exit's work once the call in flight is known (nr, from start to end): its time,
 * counters, latency row, the thread's wall-time record r and the slowest calls (h: this CPU's
 * part of them, slow_part). task: the BTF task, or NULL (raw_tp, the classic tracepoint, the
 * stack's own way); t: the thread record, NULL on the stack's own way, which has no files
 * monitor.
 */
static __always_inline void exit_timed(enum hook_kind k, struct task_struct *task, void *src,
				       struct thread_state *t, struct thread_time *r, __u32 slot,
				       __u32 tgid, __u32 tid, __s64 nr, __u64 start, __u64 end,
				       struct slow_cpu *h, __u32 cpu, long ret, bool sole,
				       bool detail)
{
	__u64 ns = end - start;
	tt_sys_exit(task, r, end);
	struct syscall_counts *c = count(slot, nr, ret < 0, ns, sole);
	if (c)
		lat_add(c, ns, sole);
	if (ret < 0)
		count_errno(slot, nr, ret);
	if (h && slow_enough(h, ns)) {
		__u32 zero = 0;
		struct slow_args *x = bpf_map_lookup_elem(&slow_pending, &zero);
		if (x) {
			x->task = (__u64)task;
			x->nr = nr;
			x->ret = ret;
			x->ns = ns;
			x->end = end;
			/* a close's file, kept by its entry (FD_ARG_CLOSED); else unused */
			x->kept = t ? t->arg[3] : 0;
			x->tgid = tgid;
			x->tid = tid;
			exit_args(k, src, t, x->a);
			slow_keep(cpu);
		}
	}
	/* the files monitor after: the exit programs then verify slow_keep's call once, not once
	 * for each of the monitor's paths (a slow call that is the monitor's first meeting with its
	 * file names it by its own leaf) */
	if (detail && t && nr >= 0 && nr < SYSCOPE_MAX_NR && detail_class[nr])
		detail_exit(k == HOOK_BTF, task, slot, detail_class[nr], detail_op[nr], t, ret, ns,
			    sole);
}

/* a process state that counts (checked, and not an armed launcher): the fast way may lead to it */
#define FAST_NOT (PROC_AWAIT_EXEC | PROC_VERIFY)

/* A call in flight whose entry went the stack's own way (stack_way_enter), as its exit found it;
 * start 0: none. */
struct way_call {
	__u64 start;
	__s64 nr;
};

static __always_inline void stack_way_settle(struct stack_way *w, __u64 me, __u32 tgid, __s64 slot,
					     __u32 tid, __u32 tt_slot);

/*
 * The lookups' way out of a syscall. w, me: tp_btf without --detail, on x86, the calling thread's
 * stack bucket and number (else NULL), and wc the call its entry left there, if it went that way:
 * the exit then settles the bucket for the next calls (stack_way_settle).
 */
static __always_inline void on_exit(enum hook_kind k, struct task_struct *task, long ret, void *src,
				    bool detail, struct stack_way *w, __u64 me,
				    const struct way_call *wc)
{
	bool ts = k == HOOK_BTF;
	__u32 tgid, tid;
	caller(k, task, &tgid, &tid);
	if (!may_be_tracked(ts, task, tgid))
		return;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	struct thread_state *t = thread_rec(k, p, task, leader, tgid, tid, false);
	if (!t)
		return;
	__u64 start = wc ? wc->start : 0;
	__s64 nr = wc ? wc->nr : 0;
	if (t->enter_ns) {
		if (!start) {
			start = t->enter_ns;
			nr = t->nr;
		}
		t->enter_ns = 0;
	}
	if (!start)
		return;
	__u32 slot = p->slot;
	bool counted = !(p->flags & PROC_AWAIT_EXEC);
	bool creds = may_change_creds(nr);
	/* an armed launcher's own syscalls are not counted; its successful execve returns after
	 * the exec cleared the flag, so that one is */
	if (counted) {
		/* this CPU's slowest-calls part before the clock, its page walk overlapping the
		 * lookups' (the entry may have run on another CPU: touching it there saved nothing) */
		__u32 cpu;
		struct slow_cpu *h = slow_part(&cpu);
		if (h)
			fetch_early(h->min_ns);
		__u64 end = bpf_ktime_get_ns();
		exit_timed(k, task, src, t, tt_record(t, tid), slot, tgid, tid, nr, start, end, h,
			   cpu, ret, sole_thread(task), detail);
	}
	recheck_creds(ts, task, leader, tgid, slot, nr, ret);
	if (!w)
		return;
	/* the next calls go the stack's own way: a plainly tracked process (still: a call that may
	 * change credentials may have untracked it), and a thread with its wall-time record, if
	 * those are kept (its index goes with the bucket) */
	if (counted && !creds && !(p->flags & FAST_NOT))
		fast_publish(tgid, slot);
	bool ready = counted && !creds && (!threads_on || t->tt_slot);
	stack_way_settle(w, me, tgid, ready ? (__s64)slot : -1, tid, t->tt_slot);
}

/*
 * The counts-only mode's files and sockets (--detail --counts-only), after the counting: the exit
 * alone sees the call, its arguments from the user's registers as the call left them (exit_args),
 * and no time. A close's socket is gone from the fd table by then: TCP's state change still tells
 * its end. direct: tp_btf's program, which reads the kernel directly (task its BTF task);
 * otherwise task is NULL.
 */
static __always_inline void detail_at_exit(bool direct, struct task_struct *task, __u32 slot,
					   __s64 nr, long ret, struct pt_regs *regs)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR)
		return;
	__u8 cls = detail_class[nr];
	if (!cls || cls == DETAIL_CLOSE)
		return;
	bool sole = sole_thread(task);
	if (!task)
		task = (struct task_struct *)bpf_get_current_task();
	struct thread_state t = {};
	__u64 a[5];
	entry_args(direct ? HOOK_BTF : HOOK_RAW, regs, a);
	detail_args(&t, cls, a);
	if (cls == DETAIL_CONNECT)
		connect_at_exit(direct, task, slot, &t, ret);
	else
		detail_exit(direct, task, slot, cls, detail_op[nr], &t, ret, 0, sole);
}

/* a new thread's or process's return from its clone (0, in the child) */
static __always_inline bool child_return(__s64 nr, long ret)
{
	return !ret && (nr == nr_clone || nr == nr_clone3 || nr == nr_fork || nr == nr_vfork);
}

/*
 * A thread's own way past the lookups (x86, tp_btf): no helper call at all. The thread's stack
 * bucket (stack_fast) names it as its holder, and the entry it wrote there is still its process's
 * tracked_fast entry, which is taken back wherever the process stops being tracked or counting
 * (so a process untracked, re-tracked in another slot, or gone leaves the entry dead). Only the
 * thread itself writes a bucket it holds (stack_way_settle) and only it reads the bucket as its
 * own; its holder is read again after the entry, and under TSO a later holder's entry cannot be
 * seen before the holder it replaced was cleared. Calls that may change credentials (checked
 * after, with the task), exit, exit_group and exec take the lookups' way: the callers turn them
 * away (a timed exit need not: its entry did).
 *
 * A bucket's entry, or 0 where it is not the calling thread's way.
 */
static __always_inline __u64 stack_way_entry(struct stack_way *w, __u64 me)
{
#if defined(__TARGET_ARCH_x86)
	if (*(volatile __u64 *)&w->owner != me)
		return 0;
	__u64 e = *(volatile __u64 *)&w->entry;
	if (*(volatile __u64 *)&w->owner != me || !e ||
	    tracked_fast[(e >> 32) & (HINT_SIZE - 1)] != e)
		return 0;
	return e;
#else
	return 0;
#endif
}

/* The counts-only exit's own way; true once the call is counted. */
static __always_inline bool stack_way_count(struct stack_way *w, __u64 me, __s64 nr, long ret)
{
	if (nr == -1)
		nr = nr_rt_sigreturn;
	if (may_change_creds(nr))
		return false;
	__u64 e = stack_way_entry(w, me);
	if (!e)
		return false;
	if (child_return(nr, ret))
		return true;
	__u32 slot = (__u32)e - 1;
	count(slot, nr, ret < 0, 0, false);
	if (ret < 0)
		count_errno(slot, nr, ret);
	return true;
}

/*
 * The timed entry's own way (without --detail): the call in flight is kept in the bucket, where
 * its exit (stack_way_exit) and the thread's switches off a CPU (own_way_call, tracked.bpf.h)
 * find it. True once the call is taken.
 */
static __always_inline bool stack_way_enter(struct stack_way *w, __u64 me, __s64 nr)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR || nr == nr_exit || nr == nr_exit_group ||
	    nr == nr_execve || nr == nr_execveat || may_change_creds(nr))
		return false;
	if (!stack_way_entry(w, me))
		return false;
	/* (no early touch of the counters and row, as the lookups' way makes: with no helper call
	 * to overlap, it cost a few ns here) */
	struct thread_time *r = tt_at(w->tt_slot, w->tid);
	w->nr = nr;
	/* the clock last, so the time counted leaves out this program's own work */
	__u64 now = bpf_ktime_get_ns();
	w->enter_ns = now;
	if (r)
		r->sys_since_ns = now;
	return true;
}

/*
 * The timed exit's own way: the call its entry kept in the bucket, counted where the entry is
 * still the process's (with locked adds: whether the thread is its process's only one is read
 * from the task). The clock first, as soon as the thread knows the call is its own: the time
 * counted leaves out the checks, and nothing here waits on a page walk (A/B, bench:helper: −9 ns
 * a call against the clock read after them). True once counted; otherwise wc holds the call, if
 * the entry kept one, for the lookups' way.
 */
static __always_inline bool stack_way_exit(struct stack_way *w, __u64 me, struct pt_regs *regs,
					   long ret, struct way_call *wc)
{
	if (*(volatile __u64 *)&w->owner != me || !w->enter_ns)
		return false;
	__u64 end = bpf_ktime_get_ns();
	wc->start = w->enter_ns;
	wc->nr = w->nr;
	w->enter_ns = 0;
	__u64 e = stack_way_entry(w, me);
	if (!e)
		return false;
	__u32 tid = w->tid, cpu;
	struct slow_cpu *h = slow_part(&cpu);
	exit_timed(HOOK_BTF, NULL, regs, NULL, tt_at(w->tt_slot, tid), (__u32)e - 1,
		   (__u32)(e >> 32), tid, wc->nr, wc->start, end, h, cpu, ret, false, false);
	return true;
}

/*
 * After the lookups' way: a thread whose process counts, published (tracked_fast) under this
 * slot, takes its bucket for the way above if no other thread holds it (tid, tt_slot: the timed
 * mode's, else 0); one whose call was not counted so lets go of a bucket it holds (untracked, or
 * a call that may change credentials: the next takes it again).
 */
static __always_inline void stack_way_settle(struct stack_way *w, __u64 me, __u32 tgid, __s64 slot,
					     __u32 tid, __u32 tt_slot)
{
#if defined(__TARGET_ARCH_x86)
	__u64 e = slot >= 0 ? FAST_ENTRY(tgid, slot) : 0;
	__u64 owner = w->owner;
	if (!e || tracked_fast[tgid & (HINT_SIZE - 1)] != e) {
		if (owner == me)
			__sync_val_compare_and_swap(&w->owner, me, 0);
		return;
	}
	if (owner == me && w->entry == e && w->tid == tid && w->tt_slot == tt_slot)
		return;
	if (owner == me)
		w->owner = STACK_OWNER_WRITING;
	else if (owner || __sync_val_compare_and_swap(&w->owner, 0, STACK_OWNER_WRITING))
		return; /* another thread's */
	w->entry = e;
	w->tid = tid;
	w->tt_slot = tt_slot;
	w->enter_ns = 0;
	*(volatile __u64 *)&w->owner = me;
#endif
}

/*
 * The counts-and-errors mode's one hook: the exit knows the syscall's number (the user's registers
 * keep it: x86 orig_ax, arm64 syscallno; the classic tracepoint's record has it) and its return,
 * which is all counting calls and failures needs. A new thread or process returns from its
 * clone in the child with 0: the call was the parent's, counted at its own return. exit and
 * exit_group never return: lifecycle.bpf.c counts them as their thread exits. Returns the slot
 * the call was counted in, or -1.
 */
static __always_inline __s64 on_exit_counts(enum hook_kind k, struct task_struct *task, __s64 nr,
					    long ret)
{
	bool ts = k == HOOK_BTF;
	__u32 tgid, tid;
	caller(k, task, &tgid, &tid);
	/* the one call that leaves no number behind (x86 orig_ax, arm64 syscallno: -1) */
	if (nr == -1)
		nr = nr_rt_sigreturn;
	/* untracked: the tp_btf program has turned them away (the leader's task storage), the
	 * others go by the hint */
	if (!ts && !maybe_tracked(tgid) && !(k == HOOK_TP && pending_count))
		return -1;
	/* the fast way: the process published in tracked_fast (a call that may change its
	 * credentials takes the lookup, which checks them after). In its own slot (PREF_SLOTS), the
	 * counters' place follows from the tgid: the CPU fetches them while the entry that confirms
	 * it is still on its way, not after (two page walks one after the other cost ~20 ns here). */
	__u64 *fast = &tracked_fast[tgid & (HINT_SIZE - 1)];
	__u64 e = *fast;
	bool creds = may_change_creds(nr);
	__u32 pref = PREF_SLOT(tgid);
	if (e >> 32 == tgid && e && !creds) {
		__u32 slot = e == FAST_ENTRY(tgid, pref) ? pref : (__u32)e - 1;
		if (child_return(nr, ret))
			return -1;
		count(slot, nr, ret < 0, 0, sole_thread(task));
		if (ret < 0)
			count_errno(slot, nr, ret);
		return slot;
	}
	struct task_struct *leader;
	struct proc_state *p = tracked_caller(k, task, &tgid, &tid, &leader, -1);
	if (!p || child_return(nr, ret))
		return -1;
	bool counted = !(p->flags & PROC_AWAIT_EXEC);
	if (counted) {
		count(p->slot, nr, ret < 0, 0, sole_thread(task));
		if (ret < 0)
			count_errno(p->slot, nr, ret);
	}
	recheck_creds(ts, task, leader, tgid, p->slot, nr, ret);
	/* plainly tracked, and still (a call that may change credentials may have untracked it):
	 * the next call takes the fast way (a bucket already holding another process keeps it) */
	if (!(p->flags & FAST_NOT) && !e && !creds)
		fast_publish(tgid, p->slot);
	/* no call on a file may change credentials: none was untracked just now. (The slot as
	 * signed first: `? p->slot : -1` is unsigned, and made an armed launcher's read of its go
	 * byte a file use of slot 4294967295, which no release ever took out of file_stats.) */
	return counted && !creds ? (__s64)p->slot : -1;
}

/* ---- programs, two pairs per attach flavour: one without --detail, one with (a program without
 * it holds none of the monitor's global functions, which a kernel before 6.8 would check even
 * where they cannot be called: fds.bpf.h) ---- */

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_sys_enter, struct pt_regs *regs, long id)
{
	__u64 me = AS_NUMBER(regs);
	if (!hint_counts(me))
		return 0;
	struct stack_way *w = own_way(me);
	if (w && stack_way_enter(w, me, id))
		return 0;
	on_enter(HOOK_BTF, bpf_get_current_task_btf(), id, regs, false);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 me = AS_NUMBER(regs);
	if (!hint_counts(me))
		return 0;
	struct stack_way *w = own_way(me);
	struct way_call wc = {};
	if (w && stack_way_exit(w, me, regs, ret, &wc))
		return 0;
	on_exit(HOOK_BTF, bpf_get_current_task_btf(), ret, regs, false, w, me, &wc);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_sys_enter_detail, struct pt_regs *regs, long id)
{
	if (stack_hinted(regs))
		on_enter(HOOK_BTF, bpf_get_current_task_btf(), id, regs, true);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_sys_exit_detail, struct pt_regs *regs, long ret)
{
	if (stack_hinted(regs))
		on_exit(HOOK_BTF, bpf_get_current_task_btf(), ret, regs, true, NULL, 0, NULL);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long id)
{
	on_enter(HOOK_RAW, NULL, id, regs, false);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	on_exit(HOOK_RAW, NULL, ret, regs, false, NULL, 0, NULL);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter_detail, struct pt_regs *regs, long id)
{
	on_enter(HOOK_RAW, NULL, id, regs, true);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit_detail, struct pt_regs *regs, long ret)
{
	on_exit(HOOK_RAW, NULL, ret, regs, true, NULL, 0, NULL);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	on_enter(HOOK_TP, NULL, ctx->id, ctx, false);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int tp_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	on_exit(HOOK_TP, NULL, ctx->ret, NULL, false, NULL, 0, NULL);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_sys_enter_detail(struct trace_event_raw_sys_enter *ctx)
{
	on_enter(HOOK_TP, NULL, ctx->id, ctx, true);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int tp_sys_exit_detail(struct trace_event_raw_sys_exit *ctx)
{
	on_exit(HOOK_TP, NULL, ctx->ret, NULL, true, NULL, 0, NULL);
	return 0;
}

/* ---- the counts-and-errors mode: the exit alone ---- */

/*
 * Every process on the machine pays this hook on every syscall while we record, and nearly all
 * are not tracked: their way out comes first (the stack hint, tracked.bpf.h), before the hook's
 * arguments are loaded (BPF_PROG would load them, and keep one across the helper call).
 */
SEC("tp_btf/sys_exit")
int btf_sys_exit_counts(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__u64 me = AS_NUMBER(regs);
	if (!hint_counts(me))
		return 0;
	struct stack_way *w = own_way(me);
	if (w && stack_way_count(w, me, SYSCALL_NR(regs), (long)ctx[1]))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (!leader_holds_storage(task))
		return 0;
	__s64 slot = on_exit_counts(HOOK_BTF, task, SYSCALL_NR(regs), (long)ctx[1]);
	if (w)
		stack_way_settle(w, me, task->tgid, slot, 0, 0);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit_counts, struct pt_regs *regs, long ret)
{
	on_exit_counts(HOOK_RAW, NULL, SYSCALL_NR_CORE(regs), ret);
	return 0;
}

/*
 * --detail --counts-only: the same hook, then the files and network monitor's part. Programs of
 * their own, so that the counting alone keeps its hot path as it is (keeping the registers and
 * the number for the part after costs stack stores on every call), and the part after the
 * counting, with nothing of it still needed: the verifier then walks the monitor's paths once,
 * not once for each state of the process checks (inside them: 1M instructions, refused).
 */
SEC("tp_btf/sys_exit")
int btf_sys_exit_counts_detail(__u64 *ctx)
{
	if (!stack_hinted((struct pt_regs *)ctx[0]))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (!leader_holds_storage(task))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	__s64 nr = SYSCALL_NR(regs);
	__s64 slot = on_exit_counts(HOOK_BTF, task, nr, (long)ctx[1]);
	if (slot >= 0)
		detail_at_exit(true, task, slot, nr, (long)ctx[1], regs);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit_counts_detail, struct pt_regs *regs, long ret)
{
	__s64 nr = SYSCALL_NR_CORE(regs);
	__s64 slot = on_exit_counts(HOOK_RAW, NULL, nr, ret);
	if (slot >= 0)
		detail_at_exit(false, NULL, slot, nr, ret, regs);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int tp_sys_exit_counts(struct trace_event_raw_sys_exit *ctx)
{
	/* no --detail here: the record holds no arguments (loader.c refuses the two together) */
	on_exit_counts(HOOK_TP, NULL, ctx->id, ctx->ret);
	return 0;
}
