// SPDX-License-Identifier: GPL-2.0
/*
 * Every tracked thread's wall time: on a CPU, waiting for one (after a wakeup, or after being
 * preempted), or blocked, by what it was blocked in (the syscall it was in, else a fault when
 * uninterruptible, else "other") and whether uninterruptibly. One record per thread in
 * thread_times (mmapped by the helper), given out from thread_free at the thread's first event:
 * its creation (sched_wakeup_new), a wakeup, or a switch onto or off a CPU. The scheduler's own
 * tracepoints, so each ns of a thread's life from then on goes to exactly one figure. tp_btf and
 * raw_tp: the classic tracepoints carry pids, not tasks. Built as part of syscope.bpf.c.
 */
#ifndef SYSCOPE_THREADS_BPF_C
#define SYSCOPE_THREADS_BPF_C

#include "tracked.bpf.h"
#include "fds.bpf.h"

/* set by the helper: it reads and frees the records (tp_btf and raw_tp) */
const volatile bool threads_on = false;
/* tt_move's clocked when the thread's CPU clock was not read */
#define TT_NOT_CLOCKED ((__u64)-1)

#define PF_EXITING_ 0x4
#define TASK_UNINTERRUPTIBLE_ 0x2
#define TASK_NOLOAD_ 0x400

/* before 5.14 the state was `state` */
struct task_struct___before_5_14 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long tt_task_state(bool ts, struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return ts ? task->__state : BPF_CORE_READ(task, __state);
	return BPF_CORE_READ((struct task_struct___before_5_14 *)task, state);
}

/* The why entry of a reason: its own, or the first unused, or the overflow. */
static __always_inline __u32 tt_why(struct thread_time *r, __s32 why)
{
	for (__u32 i = 0; i < THREAD_WHY; i++) {
		if (!r->why[i].used) {
			r->why[i].used = 1;
			r->why[i].nr = why;
			return i;
		}
		if (r->why[i].nr == why)
			return i;
	}
	r->why[THREAD_WHY].used = 1;
	r->why[THREAD_WHY].nr = TT_OVERFLOW;
	return THREAD_WHY;
}

/* Of the span since since_ns (to now), the part inside the syscall in flight (0: none). */
static __always_inline __u64 tt_in_sys(struct thread_time *r, __u64 now)
{
	if (!r->sys_since_ns)
		return 0;
	__u64 from = r->sys_since_ns > r->since_ns ? r->sys_since_ns : r->since_ns;
	return now > from ? now - from : 0;
}

/* Of the open on-CPU span, the part inside a syscall. */
static __always_inline __u64 tt_sys_part(struct thread_time *r, __u64 now)
{
	return r->state == TT_RUNNING ? tt_in_sys(r, now) : 0;
}

/* The figure of blocked reason `b` that the thread's current block adds to: uninterruptible or
 * not. `b` at most THREAD_WHY. */
static __always_inline __u64 *tt_why_ns(struct thread_time *r, __u32 b)
{
	return r->d ? &r->why[b].d_ns : &r->why[b].ns;
}

/*
 * Close the state the thread was in (its time since since_ns to its figure) and open `to`. The
 * clock is read once seq is odd: a helper that read the record before saw an older since_ns and
 * a now before this one, so what it added for the open state is never more than what is added
 * here (docs/threads.md). `clocked`: what the thread's CPU clock grew by in the span, where it
 * was read (a switch).
 */
static __always_inline void tt_move(struct thread_time *r, __u32 to, bool d, __s32 why,
				    bool preempted, __u64 clocked)
{
	r->seq++;
	asm volatile("" ::: "memory");
	__u64 now = bpf_ktime_get_ns();
	__u64 ns = now > r->since_ns ? now - r->since_ns : 0;
	__u32 c = r->cur;
	__u32 state = r->state;
	if (clocked == TT_NOT_CLOCKED)
		r->sys_ns += tt_sys_part(r, now);
	else {
		/* What the clock grew by was on a CPU (where a switch was not shown, part of a
		 * span thought off one); the rest stays with the state it was in, or, for a
		 * thread thought to be on a CPU all along, was spent waiting for one, counted as
		 * preempted (whether it was asleep instead is not known). */
		__u64 ran = clocked < ns ? clocked : ns;
		/*
		 * The kernel starts a thread's clock when it picks the thread, before the switch's
		 * tracepoint, and stops it before the next one: a short run (an event loop's, a few
		 * µs between sleeps) is longer by its clock than between the two hooks, by the
		 * scheduler's work in between (a third of such a thread's CPU time here). That much
		 * of the wait for a CPU before the run was on it by the kernel's clock; and where the
		 * kernel picked the thread before its wakeup's tracepoint (a CPU going idle drops its
		 * run queue's lock to look for work, and a waker on another CPU queues the thread
		 * then), of the time blocked before that wait.
		 */
		__u64 early = 0;
		if (state == TT_RUNNING && clocked > ns && r->gap_ns) {
			__u64 more = clocked - ns;
			early = more < r->gap_ns ? more : r->gap_ns;
			more -= early;
			if (r->woken_by_preempt) {
				r->preempt_ns -= early;
			} else {
				r->runq_ns -= early;
				/* woken: blocked just before, in the entry it left (tt_move keeps cur) */
				__u32 b = r->cur;
				if (more && b <= THREAD_WHY) {
					__u64 *f = tt_why_ns(r, b);
					__u64 took = more < *f ? more : *f;
					*f -= took;
					early += took;
				}
			}
		}
		r->on_cpu_ns += ran + early;
		/* in a syscall: of what it ran, as much as the syscall's part of the span (all of it
		 * when the syscall began before the span), as if it ran through the syscall */
		__u64 in_sys = tt_in_sys(r, now);
		r->sys_ns += in_sys < ran ? in_sys : ran;
		if (r->sys_since_ns && r->sys_since_ns <= r->since_ns)
			r->sys_ns += early;
		ns -= ran;
		if (state == TT_RUNNING) {
			r->preempt_ns += ns;
			ns = 0;
		}
		/* a syscall's exit counted its part by the switches' clock, which may run ahead of
		 * the thread's: never more in syscalls than on a CPU */
		if (r->sys_ns > r->on_cpu_ns)
			r->sys_ns = r->on_cpu_ns;
	}
	switch (state) {
	case TT_RUNNING:
		r->on_cpu_ns += ns;
		break;
	case TT_RUNNABLE:
		if (r->woken_by_preempt)
			r->preempt_ns += ns;
		else
			r->runq_ns += ns;
		break;
	case TT_BLOCKED:
		if (c <= THREAD_WHY)
			*tt_why_ns(r, c) += ns;
		break;
	}
	/* the wait just closed, for the run it opens (the span above) */
	r->gap_ns = state == TT_RUNNABLE && to == TT_RUNNING ? ns : 0;
	r->state = to;
	r->since_ns = now;
	if (to == TT_RUNNABLE)
		r->woken_by_preempt = preempted;
	if (to == TT_BLOCKED) {
		r->d = d;
		r->cur = tt_why(r, why);
	}
	asm volatile("" ::: "memory");
	r->seq++;
}

/* before 5.x kernels without CONFIG_SCHED_INFO have no run delay */
struct sched_info___run_delay {
	unsigned long long run_delay;
} __attribute__((preserve_access_index));

/*
 * A record made after its thread began, in a process tracked since before that: the thread's
 * creation was missed (its task storage could not be made then: bpf_task_storage_get creates
 * nothing while the per-CPU storage lock is held, as by a program preempted inside it), so the
 * kernel's own figures of the thread fill the span from its start: its run time, its wait for a
 * CPU (where the kernel keeps it), and the rest blocked, reason not known. Counted in
 * DROP_LATE_THREADS.
 */
static __always_inline void tt_backfill(bool ts, struct thread_time *r, struct task_struct *task,
					struct proc_state *p, __u64 now)
{
	__u64 start = ts ? task->start_time : BPF_CORE_READ(task, start_time);
	if (!p->tracked_ns || start <= p->tracked_ns || start >= now)
		return;
	__u64 span = now - start;
	__u64 ran = ts ? task->se.sum_exec_runtime : BPF_CORE_READ(task, se.sum_exec_runtime);
	__u64 waited = 0;
	if (bpf_core_field_exists(((struct sched_info___run_delay *)0)->run_delay))
		waited = BPF_CORE_READ((struct sched_info___run_delay *)&task->sched_info,
				       run_delay);
	if (ran > span)
		ran = span;
	if (waited > span - ran)
		waited = span - ran;
	r->first_ns = start;
	r->on_cpu_ns = ran;
	r->runq_ns = waited;
	__u32 i = tt_why(r, TT_OTHER);
	if (i <= THREAD_WHY)
		r->why[i].ns = span - ran - waited;
	drop(DROP_LATE_THREADS);
}

/*
 * A thread of a process attached to, met at its first event since: every change of its state is
 * an event (a switch either way, a wakeup), so the one met says what the thread was doing from
 * the attach (tracked_ns) until it: `prior`. Its record opens in that state since then; the
 * event's move closes it. Blocked: in the syscall its saved user registers name (tp_btf; raw_tp
 * has no typed task to read them from, so "other"), uninterruptibly if the kernel counted it in
 * the load as it went to sleep.
 */
static __always_inline __s32 blocked_on(struct task_struct *task, struct pt_regs *regs, __s32 nr);

static __always_inline void tt_since_attach(bool ts, struct thread_time *r,
					    struct task_struct *task, struct proc_state *p,
					    __u32 prior)
{
	r->state = prior;
	r->first_ns = r->since_ns = p->tracked_ns;
	if (prior != TT_BLOCKED)
		return;
	r->d = BPF_CORE_READ_BITFIELD_PROBED(task, sched_contributes_to_load);
	__s32 why = r->d ? TT_PAGE_FAULT : TT_OTHER;
	if (ts) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
		__s64 nr = SYSCALL_NR_CORE(regs);
		if (nr >= 0)
			why = blocked_on(task, regs, (__s32)nr);
	}
	r->cur = tt_why(r, why);
}

/*
 * The thread's record, given out at its first event (then *fresh: a zero-length "running" to
 * move from, or for a thread of a process attached to, the state `prior` since the attach; 0:
 * that event is its creation or its exec, so it has no past to fill in); NULL when it has none:
 * none was left (counted once per thread), it has exited, or it is exiting (its last switches
 * come after its exit was accounted).
 */
static __always_inline struct thread_time *tt_get(bool ts, struct thread_state *t,
						  struct task_struct *task, __u32 tid, __u32 tgid,
						  struct proc_state *p, __u32 prior, bool *fresh)
{
	__u32 s = t->tt_slot;
	__u32 idx;
	struct thread_time *r;

	*fresh = false;
	if (s == THREAD_NONE)
		return NULL;
	if (s) {
		idx = s - 1;
		r = bpf_map_lookup_elem(&thread_times, &idx);
		if (!r || r->tid != tid || r->state == TT_EXITED)
			return NULL;
		return r;
	}
	unsigned int flags = ts ? task->flags : BPF_CORE_READ(task, flags);
	if (flags & PF_EXITING_)
		return NULL;
	if (bpf_map_pop_elem(&thread_free, &idx)) {
		t->tt_slot = THREAD_NONE;
		drop(DROP_THREADS);
		return NULL;
	}
	r = bpf_map_lookup_elem(&thread_times, &idx);
	if (!r)
		return NULL;
	r->seq++;
	asm volatile("" ::: "memory");
	r->tid = tid;
	r->tgid = tgid;
	r->state = TT_RUNNING;
	r->first_ns = r->since_ns = bpf_ktime_get_ns();
	r->ran_ns = ts ? task->se.sum_exec_runtime : BPF_CORE_READ(task, se.sum_exec_runtime);
	r->sys_since_ns = counts_only ? 0 : t->enter_ns;
	if (prior) {
		__u64 start = ts ? task->start_time : BPF_CORE_READ(task, start_time);
		if (p->tracked_ns && start < p->tracked_ns)
			tt_since_attach(ts, r, task, p, prior);
		else
			tt_backfill(ts, r, task, p, r->since_ns);
	}
	bpf_probe_read_kernel(r->comm, sizeof(r->comm), &task->comm);
	asm volatile("" ::: "memory");
	r->seq++;
	t->tt_slot = idx + 1;
	*fresh = true;
	return r;
}

/*
 * A read or write the task is blocked in: what its fd is (a pipe, a socket, a file, a device),
 * above TT_ON_SHIFT in the reason, so that "blocked in read" says on what. The fd is the call's
 * first argument in the user registers saved at the kernel entry, its file read from the task's
 * own table as it is now (tp_btf: the task pointer is a typed one). Only at a switch off a CPU,
 * so no syscall pays for it. regs: the task's registers, if the caller has them already (NULL:
 * asked for here, where needed).
 */
static __always_inline __s32 blocked_on(struct task_struct *task, struct pt_regs *regs, __s32 nr)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR)
		return nr;
	/* (masked: the verifier does not carry the bound through the sign extension) */
	__u8 cls = detail_class[(__u32)nr & (SYSCOPE_MAX_NR - 1)];
	if (cls != DETAIL_READ && cls != DETAIL_WRITE)
		return nr;
	if (!regs)
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct file *f = fd_file(false, task, (int)PT_REGS_PARM1_CORE_SYSCALL(regs));
	if (!f)
		return nr;
	return nr | (__s32)((kind_of(false, f) + 1) << TT_ON_SHIFT);
}

/* A tracked task's thread record (struct thread_state), made if need be; NULL when untracked. */
static __always_inline struct thread_state *tt_thread(bool ts, struct task_struct *task,
						      struct proc_state *p,
						      struct task_struct *leader, __u32 tgid,
						      __u32 *tid)
{
	if (p->flags & PROC_AWAIT_EXEC)
		return NULL; /* the launcher, not yet the command */
	*tid = ts ? task->pid : BPF_CORE_READ(task, pid);
	return thread_rec(ts ? HOOK_BTF : HOOK_RAW, p, task, leader, tgid, *tid, true);
}

/* sched_switch, for a tracked task (sched.bpf.c has found its process): onto a CPU, or off it
 * runnable (preempted or yielding) or asleep. */
static __always_inline void tt_switch(bool ts, struct task_struct *task, struct proc_state *p,
				      struct task_struct *leader, __u32 tgid, bool in, bool preempt)
{
	if (!threads_on)
		return;
	__u32 tid;
	struct thread_state *t = tt_thread(ts, task, p, leader, tgid, &tid);
	if (!t)
		return;
	bool fresh;
	/* met first leaving a CPU, it was on one; met first coming onto one, it waited for it */
	struct thread_time *r =
		tt_get(ts, t, task, tid, tgid, p, in ? TT_RUNNABLE : TT_RUNNING, &fresh);
	if (!r)
		return;
	/*
	 * The thread's CPU clock only grows while it is on a CPU, and the kernel has brought it up
	 * to date for the task leaving (put_prev_task runs before the tracepoint). So a switch
	 * onto a CPU of a thread thought to be on one, or off it of a thread thought to be off,
	 * says a switch was not shown (seen on this VM about once in a hundred under load, by
	 * bpftrace too), and the clock says how long the thread ran in between. And a span on a
	 * CPU is the clock's growth, not the switches' interval: the two part by up to a quarter
	 * under heavy load on this VM (its TSC is marked unstable), and the clock is what the
	 * kernel charged the thread, what getrusage, top and the thread's own clock say.
	 */
	__u64 ran = ts ? task->se.sum_exec_runtime : BPF_CORE_READ(task, se.sum_exec_runtime);
	__u64 clocked = TT_NOT_CLOCKED;
	bool was_on = r->state == TT_RUNNING;
	if (!fresh && in == was_on)
		drop(DROP_SWITCHES);
	if (!fresh && (was_on || !in))
		clocked = ran > r->ran_ns ? ran - r->ran_ns : 0;
	r->ran_ns = ran;
	if (in) {
		tt_move(r, TT_RUNNING, false, 0, false, clocked);
		return;
	}
	long st = tt_task_state(ts, task);
	if (preempt || st == 0) {
		tt_move(r, TT_RUNNABLE, false, 0, true, clocked);
		return;
	}
	bool d = (st & TASK_UNINTERRUPTIBLE_) && !(st & TASK_NOLOAD_);
	__s32 why = d ? TT_PAGE_FAULT : TT_OTHER;
	/* the task's saved user registers, asked for once by whichever reads them first */
	struct pt_regs *regs = NULL;
	if (!counts_only) {
		/* the syscall in flight, as the entry hook left it: in the thread record, or where
		 * the entry went its stack's own way (syscalls.bpf.c; x86 only) */
		if (t->enter_ns) {
			why = (__s32)t->nr;
		} else if (ts && OWN_WAY_ON) {
			regs = (struct pt_regs *)bpf_task_pt_regs(task);
			why = own_way_call(regs, why);
		}
	} else if (ts) {
		/* no entry hook: the user registers saved at the kernel entry name the syscall
		 * (x86 orig_ax, arm64 syscallno), or are -1 for a fault or an interrupt */
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		__s64 nr = SYSCALL_NR_CORE(regs);
		if (nr >= 0)
			why = (__s32)nr;
	} else {
		why = TT_OTHER; /* raw_tp, counts-only: not known (docs/protocol.md) */
	}
	if (ts)
		why = blocked_on(task, regs, why);
	tt_move(r, TT_BLOCKED, d, why, false, clocked);
}

/* sched_wakeup and sched_wakeup_new: a blocked (or new) thread is runnable. A thread woken
 * before it got to sleep is still running: nothing changes. Not sched_waking, though it comes
 * earlier: a waker on another CPU can pass it before the sleeper's own sched_switch off its CPU,
 * and the wakeup would be lost; sched_wakeup follows the enqueue, which waits for that. */
static __always_inline void tt_wakeup(bool ts, struct task_struct *task, bool born)
{
	__u32 tgid = ts ? task->tgid : BPF_CORE_READ(task, tgid);
	if (!may_be_tracked(ts, task, tgid))
		return;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	__u32 tid;
	struct thread_state *t = tt_thread(ts, task, p, leader, tgid, &tid);
	if (!t)
		return;
	bool fresh;
	struct thread_time *r = tt_get(ts, t, task, tid, tgid, p, born ? 0 : TT_BLOCKED, &fresh);
	if (r && (fresh || r->state == TT_BLOCKED))
		tt_move(r, TT_RUNNABLE, false, 0, false, TT_NOT_CLOCKED);
}

/*
 * A thread in one of its own hooks is on a CPU; a record that says otherwise missed its switch
 * onto one (tt_switch). Its CPU clock (ran) says how long it ran since; as of the kernel's last
 * update of it, a tick ago at most, so that much of its run counts where it was.
 */
static __always_inline void tt_running_unseen(struct thread_time *r, __u64 ran)
{
	tt_move(r, TT_RUNNING, false, 0, false, ran > r->ran_ns ? ran - r->ran_ns : 0);
	r->ran_ns = ran;
	drop(DROP_SWITCHES);
}

/* sched_process_exit (lifecycle.bpf.c), on the exiting thread: its time so far is final. */
static __always_inline __u64 tt_exit(bool ts, struct task_struct *task, __u32 tgid, __u32 tid)
{
	if (!threads_on || !maybe_tracked(tgid))
		return 0;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = proc_of(ts, leader, tgid);
	if (!p)
		return 0;
	struct thread_state *t =
		thread_rec(ts ? HOOK_BTF : HOOK_RAW, p, task, leader, tgid, tid, false);
	if (!t)
		return 0;
	__u32 s = t->tt_slot;
	t->tt_slot = THREAD_NONE;
	if (!s || s == THREAD_NONE)
		return 0;
	__u32 idx = s - 1;
	struct thread_time *r = bpf_map_lookup_elem(&thread_times, &idx);
	if (!r || r->tid != tid || r->state == TT_EXITED)
		return 0;
	/*
	 * The kernel brings a running thread's CPU clock up to date at a tick or a switch, and
	 * neither comes between here and its last switch off a CPU: a thread that ran less than a
	 * tick since it was switched on (a shell's short subshell) would leave with a clock of 0.
	 * What it ran since, on the switches' clock, less what the clock grew by, is what its
	 * exit figures lack (the same span its record counts on a CPU just below).
	 */
	__u64 unclocked = 0;
	__u64 ran = ts ? task->se.sum_exec_runtime : BPF_CORE_READ(task, se.sum_exec_runtime);
	if (r->state == TT_RUNNING) {
		__u64 span = bpf_ktime_get_ns() - r->since_ns;
		__u64 grown = ran > r->ran_ns ? ran - r->ran_ns : 0;
		unclocked = span > grown ? span - grown : 0;
	} else {
		/* its switch back onto a CPU was not shown: what it ran since is on a CPU, not in
		 * the state the record was left in (a busy loop's neighbour lost 16 ms so, all of
		 * its last run, with the counts-only mode, which has no syscall exit to see it) */
		tt_running_unseen(r, ran);
	}
	/* its name as it leaves (a thread often names itself after it starts) */
	r->seq++;
	asm volatile("" ::: "memory");
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	asm volatile("" ::: "memory");
	r->seq++;
	tt_move(r, TT_EXITED, false, 0, false, TT_NOT_CLOCKED);
	return unclocked;
}

/* sched_process_exec (lifecycle.bpf.c): a launched command starts here, on a CPU. */
static __always_inline void tt_exec(bool ts, struct task_struct *task, struct proc_state *p,
				    __u32 tgid)
{
	if (!threads_on)
		return;
	__u32 tid;
	struct thread_state *t = tt_thread(ts, task, p, ts ? task : NULL, tgid, &tid);
	if (!t)
		return;
	bool fresh;
	tt_get(ts, t, task, tid, tgid, p, 0, &fresh);
}

/* The record of a thread whose syscall hooks found its state (NULL: none, or not this thread's). */
static __always_inline struct thread_time *tt_at(__u32 s, __u32 tid)
{
	if (!threads_on || !s || s == THREAD_NONE)
		return NULL;
	__u32 idx = s - 1;
	struct thread_time *r = bpf_map_lookup_elem(&thread_times, &idx);
	return r && r->tid == tid ? r : NULL;
}

/* a thread's wall-time record, if it has one (NULL also for a slot that is another's by now) */
static __always_inline struct thread_time *tt_record(struct thread_state *t, __u32 tid)
{
	return tt_at(t->tt_slot, tid);
}

/*
 * The timed mode's syscall exit (the entry sets sys_since_ns, syscalls.bpf.c): a thread on a CPU
 * inside a syscall is in the kernel for it (system time). The entry's one store needs no
 * seqcount: a helper that reads the record without it counts the moment since as user time,
 * which the exit then moves. `now` is the exit hook's clock, read before the seqcount: a
 * helper reading in between may have counted a few ns more in the syscall, given back in its
 * next entry (docs/threads.md).
 */
static __always_inline void tt_sys_exit(struct task_struct *task, struct thread_time *r, __u64 now)
{
	if (!r || !r->sys_since_ns || r->state == TT_EXITED)
		return;
	if (r->state != TT_RUNNING)
		tt_running_unseen(r,
				  task ? task->se.sum_exec_runtime
				       : BPF_CORE_READ((struct task_struct *)bpf_get_current_task(),
						       se.sum_exec_runtime));
	r->seq++;
	asm volatile("" ::: "memory");
	r->sys_ns += tt_sys_part(r, now);
	r->sys_since_ns = 0;
	asm volatile("" ::: "memory");
	r->seq++;
}

/* ---- programs ---- */

SEC("tp_btf/sched_wakeup")
int BPF_PROG(btf_wakeup, struct task_struct *p)
{
	tt_wakeup(true, p, false);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(btf_wakeup_new, struct task_struct *p)
{
	tt_wakeup(true, p, true);
	return 0;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(raw_wakeup, struct task_struct *p)
{
	tt_wakeup(false, p, false);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(raw_wakeup_new, struct task_struct *p)
{
	tt_wakeup(false, p, true);
	return 0;
}

#endif
