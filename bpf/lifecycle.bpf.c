// SPDX-License-Identifier: GPL-2.0
/*
 * Process lifecycle: a tracked process's children join the tracked set at fork (with
 * DESCENDANTS), an exec is reported (and re-checks who may watch it), and the last thread's exit
 * reports the process's final figures (CPU, max RSS, faults, context switches, I/O) and frees its
 * state. Built as part of syscope.bpf.c.
 */
#include "tracked.bpf.h"
#include "threads.bpf.c"

/* A new process (not a thread) forked by a tracked process with DESCENDANTS: give it a slot
 * and its own state before it runs, so its first syscall is counted. */
static __always_inline void on_fork(bool ts, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_pid = BPF_CORE_READ(child, pid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	if (child_pid != child_tgid) {
		/* a thread: tracked with its process, from its first call (the stack hint) */
		if (ts && group_tracked(parent))
			hint_thread(child);
		return;
	}
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	struct proc_state *pp;
	struct task_struct *parent_leader = ts ? parent->group_leader : NULL;
	if (ts)
		pp = bpf_task_storage_get(&proc_task, parent_leader, 0, 0);
	else
		pp = bpf_map_lookup_elem(&proc_hash, &parent_tgid);
	pp = checked(ts, pp, parent, parent_leader, parent_tgid);
	if (!pp || !(pp->flags & PROC_DESCENDANTS))
		return;
	__u32 slot;
	if (!slot_take(child_tgid, &slot)) {
		drop(DROP_PROCS);
		return;
	}
	struct proc_state init = { .slot = slot,
				   .flags = pp->flags,
				   .tracked_ns = bpf_ktime_get_ns(),
				   .start_ticks = start_ticks(child) };
	if (!ts)
		drop_stale(child_tgid);
	if (ts) {
		struct proc_state *cs = bpf_task_storage_get(&proc_task, child, &init,
							     BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!cs) {
			slot_give_back(slot);
			drop(DROP_PROCS);
			return;
		}
		*cs = init;
		hint_thread(child);
	} else if (bpf_map_update_elem(&proc_hash, &child_tgid, &init, BPF_ANY)) {
		slot_give_back(slot);
		drop(DROP_PROCS);
		return;
	}
	hint_add(child_tgid);
	emit_simple(EV_FORK, child_tgid, parent_tgid, slot, 0);
}

static __always_inline __u32 final_io(struct task_struct *task, __u64 io[4]);
static __always_inline bool final_cpu(struct task_struct *task, __u64 cpu[3]);
static __always_inline void final_rusage(struct task_struct *task, __u64 ru[5], bool exiting);

static __always_inline void on_exec(bool ts, struct task_struct *task, const char *filename)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_state *p;
	if (ts)
		p = bpf_task_storage_get(&proc_task, task, 0, 0);
	else
		p = bpf_map_lookup_elem(&proc_hash, &tgid);
	/* a process whose exec gave it credentials the owner lacks (setuid, setgid, file
	 * capabilities, or a program the owner may not read) is someone else's now: stop watching
	 * before anything of the new program is told, its name included */
	if (p && (p->flags & PROC_VERIFY))
		p = verify(ts, p, task, task, tgid, UNTRACK_EXEC_CREDS);
	if (!p)
		return;
	if (!owner_may_ptrace(task)) {
		untrack(ts, task, tgid, p->slot, UNTRACK_EXEC_CREDS);
		return;
	}
	bool counting_starts = p->flags & PROC_AWAIT_EXEC;
	p->flags &= ~PROC_AWAIT_EXEC;
	if (counting_starts)
		p->tracked_ns = bpf_ktime_get_ns();
	tt_exec(ts, task, p, tgid);
	/*
	 * After exec the process is this one thread, on a CPU now. Its run counters may hold a
	 * switch-out whose switch-in came before it was tracked (a launcher starting on another CPU
	 * while the helper armed it): outs one ahead for good, so "on a CPU" every tick. Align them.
	 */
	__u32 rslot = p->slot;
	struct run_counts *r = bpf_map_lookup_elem(&runs, &rslot);
	if (r)
		r->ins = r->outs + 1;
	struct syscope_event *e = event_begin(EV_EXEC, tgid, 0, p->slot);
	if (!e)
		return;
	if (counting_starts) {
		/* what the launcher (and the fork it came from) used: its exit figures less this are
		 * the command's own (the max RSS only where the command's exceeds it) */
		e->io_valid = final_io(task, e->io) | EV_BASELINE;
		final_cpu(task, e->cpu);
		final_rusage(task, e->rusage, false);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	bpf_ringbuf_submit(e, 0);
}

/*
 * A figure of the whole process as its last thread exits, summed as /proc/<pid>/{stat,io} sum
 * it: signal_struct holds the threads already released (and, for I/O, the children it reaped);
 * this thread and, if it is not the leader, the leader (not released while others lived) are
 * not in it yet.
 */
#define GROUP_SUM(task, leader, sig, sig_field, task_field) \
	GROUP_SUM_OF(task, leader, sig, sig_field, task_field, true, (leader) != (task))
/* the same, the task added only if `own`, the leader only if `lead` (a released task is in sig) */
#define GROUP_SUM_OF(task, leader, sig, sig_field, task_field, own, lead)                \
	(BPF_CORE_READ(sig, sig_field) + ((own) ? BPF_CORE_READ(task, task_field) : 0) + \
	 ((lead) ? BPF_CORE_READ(leader, task_field) : 0))

/*
 * Its /proc/<pid>/io then, which is what its reaper's gains when it is reaped (wait4 adds the
 * leader's and signal->ioac). Sampling /proc cannot see the I/O of a process's last moments, nor
 * any of a process too short-lived to be sampled.
 */
static __always_inline __u32 final_io(struct task_struct *task, __u64 io[4])
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	__u32 valid = 0;

	if (bpf_core_field_exists(task->ioac.rchar)) {
		io[0] = GROUP_SUM(task, leader, sig, ioac.rchar, ioac.rchar);
		io[1] = GROUP_SUM(task, leader, sig, ioac.wchar, ioac.wchar);
		valid |= EV_IO_CHARS;
	}
	if (bpf_core_field_exists(task->ioac.read_bytes)) {
		io[2] = GROUP_SUM(task, leader, sig, ioac.read_bytes, ioac.read_bytes);
		io[3] = GROUP_SUM(task, leader, sig, ioac.write_bytes, ioac.write_bytes);
		valid |= EV_IO_BYTES;
	}
	return valid;
}

/*
 * Its own CPU time then (its reaped children's is in cutime, not here). This thread's current
 * slice since the scheduler last accounted it (at most a tick) is not in it. False if the
 * figures may be torn: see below.
 */
static __always_inline bool final_cpu(struct task_struct *task, __u64 cpu[3])
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	/*
	 * At the last switch off a CPU (on_last_switch) the process is a zombie, and its parent,
	 * on another CPU, may be reaping it: __exit_signal adds the task's figures to
	 * signal_struct and unhashes it (thread_pid NULL) in one write section of stats_lock,
	 * and the leader's if it was another. A released task must not be added again (a 1.2 s
	 * spinner read 2.3 s when its shell reaped it first). The section's seqcount, read
	 * around, says the two were seen together. The section can outlast our retries (on 6.18
	 * it wakes pidfd waiters inside it): then the figures may be torn, and the caller has
	 * others (a child burning 20 ms read 41 ms, one in about 300, `markers reap 20 20`).
	 */
	for (int i = 0; i < 4; i++) {
		unsigned int seq = BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence);
		bool own = BPF_CORE_READ(task, thread_pid) != NULL;
		bool lead = leader != task && BPF_CORE_READ(leader, thread_pid) != NULL;
		cpu[0] = GROUP_SUM_OF(task, leader, sig, utime, utime, own, lead);
		cpu[1] = GROUP_SUM_OF(task, leader, sig, stime, stime, own, lead);
		cpu[2] = GROUP_SUM_OF(task, leader, sig, sum_sched_runtime, se.sum_exec_runtime,
				      own, lead);
		if (!(seq & 1) && seq == BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence))
			return true;
	}
	return false;
}

/* a thread's own CPU clocks: utime, stime, sum_exec_runtime */
static __always_inline void own_cpu(struct task_struct *task, __u64 own[3])
{
	own[0] = BPF_CORE_READ(task, utime);
	own[1] = BPF_CORE_READ(task, stime);
	own[2] = BPF_CORE_READ(task, se.sum_exec_runtime);
}

/*
 * Its resource usage then, as wait4 reports it to the parent (its reaped children's is not in
 * it). The last thread to leave folded the mm's high-water RSS into signal->maxrss before
 * exit_mm, which runs before this tracepoint.
 */
static __always_inline void final_rusage(struct task_struct *task, __u64 ru[5], bool exiting)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	ru[EV_RU_MAXRSS_PAGES] = BPF_CORE_READ(sig, maxrss);
	ru[EV_RU_MINFLT] = GROUP_SUM(task, leader, sig, min_flt, min_flt);
	ru[EV_RU_MAJFLT] = GROUP_SUM(task, leader, sig, maj_flt, maj_flt);
	/* + this thread's switch off its CPU for good, still to come (do_task_dead counts it as
	 * voluntary); preemptions between here and then are not known */
	ru[EV_RU_NVCSW] = GROUP_SUM(task, leader, sig, nvcsw, nvcsw) + (exiting ? 1 : 0);
	ru[EV_RU_NIVCSW] = GROUP_SUM(task, leader, sig, nivcsw, nivcsw);
}

/* a task by pid, held (6.2+); a walked task pointer is not one task storage takes */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

/* before 5.19 the exec'ing thread was signal->group_exit_task */
struct signal_struct___before_5_19 {
	struct task_struct *group_exit_task;
} __attribute__((preserve_access_index));

/*
 * The counts-and-errors mode has no entry hook. So a thread's exit or exit_group, which never
 * returns, is counted as the thread exits: its user registers still name the call it entered
 * the kernel for (a thread killed by another's exit_group names its own call, or none). And an
 * exec from a thread other than the leader, whose entry the timed mode uses to carry the
 * process's state over (syscalls.bpf.c), is met here instead: the old leader exits first while
 * the exec'ing thread waits as signal->group_exec_task, which then gets the state (tp_btf: the
 * state lives on the leader's task; the hashes are keyed by the tgid, which the exec keeps).
 */
static __always_inline void counts_only_exit(bool ts, struct task_struct *task, __u32 tgid,
					     bool last)
{
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	/* the exiting task is current: its typed pointer, which bpf_task_pt_regs takes */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__s64 nr = SYSCALL_NR_CORE(regs);
	if ((nr == nr_exit || nr == nr_exit_group) && !(p->flags & PROC_AWAIT_EXEC)) {
		struct syscall_counts *c = counters_at(p->slot, nr);
		if (c)
			__sync_fetch_and_add(&c->calls, 1);
	}
	if (!ts || last || task != leader || !bpf_task_from_pid)
		return;
	struct signal_struct *sig = task->signal;
	struct task_struct *execing;
	if (bpf_core_field_exists(sig->group_exec_task))
		execing = BPF_CORE_READ(sig, group_exec_task);
	else
		execing = BPF_CORE_READ((struct signal_struct___before_5_19 *)sig, group_exit_task);
	if (!execing)
		return;
	struct task_struct *held = bpf_task_from_pid(BPF_CORE_READ(execing, pid));
	if (!held)
		return;
	struct proc_state copy = *p;
	struct proc_state *q =
		bpf_task_storage_get(&proc_task, held, &copy, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (q)
		*q = copy;
	bpf_task_release(held);
}

/* The process is gone when its last thread exits (signal->live already dropped to 0 here). */
static __always_inline void on_task_exit(bool ts, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	__u64 unclocked = tt_exit(ts, task, tgid, tid);
	if (ts) {
		unhint_thread(task);
	} else {
		bpf_map_delete_elem(&thread_hash, &tid);
		if (pending_count && !bpf_map_delete_elem(&pending_fork, &tid))
			__sync_fetch_and_sub(&pending_count, 1);
	}
	bool last = BPF_CORE_READ(task, signal, live.counter) == 0;
	if (counts_only && maybe_tracked(tgid))
		counts_only_exit(ts, task, tgid, last);
	if (!last)
		return;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	__u32 slot = p->slot;
	/* gone from the tracked set now: its last switch off a CPU, after this, must not count on
	 * the slot, which the helper frees (zeroed) once it has this event and may give to another */
	fast_forget(tgid, slot);
	if (ts)
		bpf_task_storage_delete(&proc_task, task->group_leader);
	else
		bpf_map_delete_elem(&proc_hash, &tgid);
	struct syscope_event *e = event_begin(EV_EXIT, tgid, tid, slot);
	if (!e)
		return;
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->io[0] = e->io[1] = e->io[2] = e->io[3] = 0;
	e->io_valid = final_io(task, e->io);
	/* not reaped yet (exit_notify comes after), nor is the leader: whole figures */
	final_cpu(task, e->cpu);
	/* its CPU time is final at its last switch off a CPU (on_last_switch), where the
	 * scheduler hooks see tasks; these figures are its fallback */
	if (threads_on) {
		struct exiting_task x = { .tgid = tgid };
		x.cpu[0] = e->cpu[0];
		x.cpu[1] = e->cpu[1];
		x.cpu[2] = e->cpu[2];
		own_cpu(task, x.own);
		if (!bpf_map_update_elem(&exiting, &tid, &x, BPF_NOEXIST))
			__sync_fetch_and_add(&exiting_count, 1);
	}
	/* the last thread's run since its clock was last brought up to date (tt_exit) */
	e->cpu[2] += unclocked;
	final_rusage(task, e->rusage, true);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* the state of a task switched off a CPU for good */
#define TASK_DEAD_ 0x80

struct task_struct___pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline bool task_dead(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return BPF_CORE_READ(task, __state) & TASK_DEAD_;
	return BPF_CORE_READ((struct task_struct___pre_5_14 *)task, state) & TASK_DEAD_;
}

/*
 * sched_switch, the task leaving (sched.bpf.c): the last thread of a tracked process that has
 * exited, switched off a CPU for good. The kernel has just brought its CPU clock up to date
 * (put_prev_task comes before the tracepoint), which at sched_process_exit it had not: the rest
 * of its exit, and for a process that ran less than a tick, all of its run. Its figures now are
 * those wait4 gives its parent.
 */
static __always_inline void on_last_switch(bool ts, struct task_struct *task)
{
	if (!exiting_count)
		return;
	__u32 tid = ts ? task->pid : BPF_CORE_READ(task, pid);
	struct exiting_task *found = bpf_map_lookup_elem(&exiting, &tid);
	if (!found || !task_dead(task))
		return;
	struct exiting_task x = *found;
	/* the helper may have let it go (its tick came first) */
	if (bpf_map_delete_elem(&exiting, &tid))
		return;
	__sync_fetch_and_sub(&exiting_count, 1);
	struct syscope_event *e = event_begin(EV_EXIT_CPU, x.tgid, tid, 0);
	if (!e)
		return;
	if (!final_cpu(task, e->cpu)) {
		/* torn by a reap on another CPU: the exit's figures and what this thread ran since
		 * (other threads released since then, in an exit_group, are not in them) */
		__u64 own[3];
		own_cpu(task, own);
		for (int i = 0; i < 3; i++)
			e->cpu[i] = x.cpu[i] + (own[i] > x.own[i] ? own[i] - x.own[i] : 0);
	}
	bpf_ringbuf_submit(e, 0);
}

/* ---- programs, one per event and attach flavour ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct *parent, struct task_struct *child)
{
	on_fork(true, parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec(true, p, BPF_CORE_READ(bprm, filename));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_exit, struct task_struct *p)
{
	on_task_exit(true, p);
	return 0;
}

/*
 * Run by the helper each time it adds a process (tp_btf): the threads of tracked processes that
 * hold no stack hint yet, which are the threads a process had before it was added (those it
 * makes after are hinted at their fork). It visits that process's threads (Linux 6.1 on), or every
 * task of the machine; one already exiting is left alone (its exit may have been and gone, and
 * would not take the count back).
 */
#define PF_EXITING_ 0x4

SEC("iter/task")
int hint_threads(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	if (task && !(task->flags & PF_EXITING_) && group_tracked(task))
		hint_thread(task);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_fork, struct task_struct *parent, struct task_struct *child)
{
	on_fork(false, parent, child);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec(false, p, BPF_CORE_READ(bprm, filename));
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_exit, struct task_struct *p)
{
	on_task_exit(false, p);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* The classic tracepoint carries pids only and fires for new threads too, which must not
	 * get a process slot. So remember the child as pending; its first syscall tells whether it
	 * is a new process (tgid == its pid) and adopts it then (see adopt_pending). */
	__u32 parent_tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_state *pp = checked(false, bpf_map_lookup_elem(&proc_hash, &parent_tgid), NULL,
					NULL, parent_tgid);
	if (!pp || !(pp->flags & PROC_DESCENDANTS))
		return 0;
	__u32 child = ctx->child_pid;
	struct pending_child pc = { .parent_tgid = parent_tgid, .flags = pp->flags };
	if (bpf_map_update_elem(&pending_fork, &child, &pc, BPF_ANY))
		drop(DROP_PROCS);
	else
		__sync_fetch_and_add(&pending_count, 1);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int tp_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned short off = ctx->__data_loc_filename & 0xFFFF;
	on_exec(false, task, (const char *)ctx + off);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(void *ctx)
{
	on_task_exit(false, (struct task_struct *)bpf_get_current_task());
	return 0;
}
