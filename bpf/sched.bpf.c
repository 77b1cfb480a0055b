// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler: counts each tracked process's threads switching onto and off a CPU (the runs map),
 * so the helper can tell which processes ran since its last tick. tp_btf and raw_tp only: the
 * classic sched_switch tracepoint carries pids, not tasks, and the helper then reports every
 * tracked process as busy. Built as part of syscope.bpf.c.
 */
#include "tracked.bpf.h"
#include "threads.bpf.c"

/*
 * sched_switch runs for every context switch on the machine, so an untracked task costs a load
 * or two (may_be_tracked: its leader's task storage pointer; raw_tp, the hint); a tracked one, its
 * state's lookup and an atomic add (threads of one process switch on several CPUs at once, and
 * an add lost would leave the counters unequal: "maybe on a CPU", scanned every tick, which is
 * safe but dear).
 */
static __always_inline void count_switch(bool ts, struct task_struct *task, bool in, bool preempt)
{
	/* a BTF task pointer is read directly (one load); a raw one through a probe read */
	__u32 tgid = ts ? task->tgid : BPF_CORE_READ(task, tgid);
	if (!may_be_tracked(ts, task, tgid))
		return;
	/* (a raw task pointer cannot be walked: proc_of uses the tgid then) */
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	__u32 slot = p->slot;
	struct run_counts *r = bpf_map_lookup_elem(&runs, &slot);
	if (!r)
		return;
	if (in)
		__sync_fetch_and_add(&r->ins, 1);
	else
		__sync_fetch_and_add(&r->outs, 1);
	/* and the thread's wall time (threads.bpf.c) */
	tt_switch(ts, task, p, leader, tgid, in, preempt);
}

/* ---- programs ---- */

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	on_last_switch(true, prev);
	count_switch(true, prev, false, preempt);
	count_switch(true, next, true, false);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	on_last_switch(false, prev);
	count_switch(false, prev, false, preempt);
	count_switch(false, next, true, false);
	return 0;
}
