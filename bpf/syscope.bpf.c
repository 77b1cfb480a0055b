// SPDX-License-Identifier: GPL-2.0
/*
 * syscope's kernel side: per-process syscall counts (calls, failures, time in the kernel),
 * aggregated in the kernel for a tracked set of processes that grows at fork and shrinks at exit.
 *
 * One program on syscall entry and one on exit for ALL syscalls. Three attach flavours of the same
 * logic; user space loads exactly one:
 *   tp_btf      BTF-typed tracepoints + task storage (fastest; 5.11+ with BTF)
 *   raw_tp      raw tracepoints + hash maps keyed by tgid/tid
 *   tracepoint  classic tracefs tracepoints + hash maps (needs tracefs access)
 *
 * Untracked processes are turned away by one load and branch per hook (tracked_hint).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "syscope.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the helper before load. */
const volatile __u32 owner_uid = (__u32)-1; /* -1: root helper, may track anyone */
const volatile __s64 nr_execve = -1;
const volatile __s64 nr_execveat = -1;
const volatile __s64 nr_exit = -1;
const volatile __s64 nr_exit_group = -1;

/* Cumulative loss counters, read by the helper through the mmapped .bss. */
__u64 drops[DROP_MAX];

/* see HINT_SIZE: the helper adds and removes its own tracked pids, the kernel adds children */
__u32 tracked_hint[HINT_SIZE];

static __always_inline bool maybe_tracked(__u32 tgid)
{
	return tracked_hint[tgid & (HINT_SIZE - 1)] != 0;
}

static __always_inline void hint_add(__u32 tgid)
{
	__sync_fetch_and_add(&tracked_hint[tgid & (HINT_SIZE - 1)], 1);
}

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

/* slot * SYSCOPE_MAX_NR + nr; the helper mmaps it and reads deltas without syscalls */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024 * SYSCOPE_MAX_NR); /* max_procs * SYSCOPE_MAX_NR */
	__type(key, __u32);
	__type(value, struct syscall_counts);
} syscall_counts SEC(".maps");

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

/* free slot numbers; the helper fills it, pops for its own requests, pushes back after harvest */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1024);
	__type(value, __u32);
} free_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

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

/*
 * A process's counters are written only by its own threads (user space zeroes a slot only once
 * it is free). While the writer is the one live thread of its group, no other CPU can be adding
 * to them: other threads have either not been created (only this thread could clone them, and it
 * is busy here) or are past their last syscall hook (signal->live drops in do_exit, after it).
 * Plain adds are then exact and save a locked instruction each (~5 ns apiece here). x86 only:
 * under TSO the counter load cannot pass the load of live that saw the last other thread leave;
 * weaker architectures would need an acquire that BPF cannot express with older compilers.
 */
static __always_inline bool sole_thread(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return task && task->signal->live.counter == 1;
#else
	return false;
#endif
}

static __always_inline void count(__u32 slot, __s64 nr, __u64 errors, __u64 ns, bool sole)
{
	if (nr < 0 || nr >= SYSCOPE_MAX_NR) {
		drop(DROP_NR);
		return;
	}
	__u32 idx = slot * SYSCOPE_MAX_NR + (__u32)nr;
	struct syscall_counts *c = bpf_map_lookup_elem(&syscall_counts, &idx);
	if (!c)
		return;
	if (sole) {
		c->calls++;
		c->errors += errors;
		c->time_ns += ns;
		return;
	}
	__sync_fetch_and_add(&c->calls, 1);
	if (errors)
		__sync_fetch_and_add(&c->errors, 1);
	if (ns)
		__sync_fetch_and_add(&c->time_ns, ns);
}

static __always_inline void emit_simple(__u32 type, __u32 pid, __u32 ppid, __u32 slot)
{
	struct syscope_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		drop(DROP_EVENTS);
		return;
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
	bpf_ringbuf_submit(e, 0);
}

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
	if (bpf_map_pop_elem(&free_slots, &slot)) {
		drop(DROP_PROCS);
		return NULL;
	}
	struct proc_state init = { .slot = slot, .flags = c.flags };
	if (bpf_map_update_elem(&proc_hash, &tgid, &init, BPF_NOEXIST)) {
		bpf_map_push_elem(&free_slots, &slot, 0);
		return NULL;
	}
	hint_add(tgid);
	emit_simple(EV_FORK, tgid, c.parent_tgid, slot);
	return bpf_map_lookup_elem(&proc_hash, &tgid);
}

/* ---- the hot path ---- */

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

static __always_inline void on_enter(enum hook_kind k, struct task_struct *task, __s64 nr)
{
	bool ts = k == HOOK_BTF;
	__u32 tgid, tid;
	caller(k, task, &tgid, &tid);
	/* the common case on a busy machine: not ours, one load and out */
	if (!maybe_tracked(tgid) && !(k == HOOK_TP && pending_count))
		return;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = proc_of(ts, leader, tgid);
	if (!p && k == HOOK_TP && pending_count)
		p = adopt_pending(tgid, tid);
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
	t->nr = nr;
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
		return;
	}
	/* last, so the time counted leaves out this program's own work */
	t->enter_ns = bpf_ktime_get_ns();
}

static __always_inline void on_exit(enum hook_kind k, struct task_struct *task, long ret)
{
	bool ts = k == HOOK_BTF;
	__u32 tgid, tid;
	caller(k, task, &tgid, &tid);
	if (!maybe_tracked(tgid))
		return;
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = proc_of(ts, leader, tgid);
	if (!p)
		return;
	struct thread_state *t = thread_rec(k, p, task, leader, tgid, tid, false);
	if (!t || !t->enter_ns)
		return;
	__u64 start = t->enter_ns;
	t->enter_ns = 0;
	/* an armed launcher's own syscalls are not counted; its successful execve returns after
	 * the exec cleared the flag, so that one is */
	if (p->flags & PROC_AWAIT_EXEC)
		return;
	count(p->slot, t->nr, ret < 0, bpf_ktime_get_ns() - start, sole_thread(task));
}

/* ---- process lifecycle ---- */

/* A new process (not a thread) forked by a tracked process with DESCENDANTS: give it a slot
 * and its own state before it runs, so its first syscall is counted. */
static __always_inline void on_fork(bool ts, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_pid = BPF_CORE_READ(child, pid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	if (child_pid != child_tgid)
		return;
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	struct proc_state *pp;
	if (ts)
		pp = bpf_task_storage_get(&proc_task, parent->group_leader, 0, 0);
	else
		pp = bpf_map_lookup_elem(&proc_hash, &parent_tgid);
	if (!pp || !(pp->flags & PROC_DESCENDANTS))
		return;
	__u32 slot;
	if (bpf_map_pop_elem(&free_slots, &slot)) {
		drop(DROP_PROCS);
		return;
	}
	struct proc_state init = { .slot = slot, .flags = pp->flags };
	if (ts) {
		struct proc_state *cs = bpf_task_storage_get(&proc_task, child, &init,
							     BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!cs) {
			bpf_map_push_elem(&free_slots, &slot, 0);
			drop(DROP_PROCS);
			return;
		}
		*cs = init;
	} else if (bpf_map_update_elem(&proc_hash, &child_tgid, &init, BPF_ANY)) {
		bpf_map_push_elem(&free_slots, &slot, 0);
		drop(DROP_PROCS);
		return;
	}
	hint_add(child_tgid);
	emit_simple(EV_FORK, child_tgid, parent_tgid, slot);
}

static __always_inline __u32 final_io(struct task_struct *task, __u64 io[4]);
static __always_inline void final_cpu(struct task_struct *task, __u64 cpu[3]);
static __always_inline void final_rusage(struct task_struct *task, __u64 ru[5], bool exiting);

static __always_inline void on_exec(bool ts, struct task_struct *task, const char *filename)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_state *p;
	if (ts)
		p = bpf_task_storage_get(&proc_task, task, 0, 0);
	else
		p = bpf_map_lookup_elem(&proc_hash, &tgid);
	if (!p)
		return;
	bool counting_starts = p->flags & PROC_AWAIT_EXEC;
	p->flags &= ~PROC_AWAIT_EXEC;
	/*
	 * After exec the process is this one thread, on a CPU now. Its run counters may hold a
	 * switch-out whose switch-in came before it was tracked (a launcher starting on another CPU
	 * while the helper armed it): outs one ahead for good, so "on a CPU" every tick. Align them.
	 */
	__u32 rslot = p->slot;
	struct run_counts *r = bpf_map_lookup_elem(&runs, &rslot);
	if (r)
		r->ins = r->outs + 1;
	struct syscope_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		drop(DROP_EVENTS);
	} else {
		e->type = EV_EXEC;
		e->pid = tgid;
		e->ppid = 0;
		e->slot = p->slot;
		e->exit_code = 0;
		e->reason = 0;
		e->t_ns = bpf_ktime_get_ns();
		e->io_valid = 0;
		if (counting_starts) {
			/* what the launcher (and the fork it came from) used: its exit figures less this
			 * are the command's own (the max RSS only where the command's exceeds it) */
			e->io_valid = final_io(task, e->io) | EV_BASELINE;
			final_cpu(task, e->cpu);
			final_rusage(task, e->rusage, false);
		}
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
		bpf_ringbuf_submit(e, 0);
	}
	/* a setuid/setgid/file-capability exec makes it someone else's process: stop watching */
	if (owner_uid != (__u32)-1) {
		__u32 uid = BPF_CORE_READ(task, cred, uid.val);
		__u32 euid = BPF_CORE_READ(task, cred, euid.val);
		if (uid != owner_uid || euid != owner_uid) {
			__u32 slot = p->slot;
			if (ts)
				bpf_task_storage_delete(&proc_task, task);
			else
				bpf_map_delete_elem(&proc_hash, &tgid);
			struct syscope_event *u = bpf_ringbuf_reserve(&events, sizeof(*u), 0);
			if (!u) {
				drop(DROP_EVENTS);
				return;
			}
			u->type = EV_UNTRACKED;
			u->pid = tgid;
			u->ppid = 0;
			u->slot = slot;
			u->exit_code = 0;
			u->reason = 1;
			u->t_ns = bpf_ktime_get_ns();
			u->io_valid = 0;
			u->comm[0] = 0;
			u->filename[0] = 0;
			bpf_ringbuf_submit(u, 0);
		}
	}
}

/*
 * A figure of the whole process as its last thread exits, summed as /proc/<pid>/{stat,io} sum
 * it: signal_struct holds the threads already released (and, for I/O, the children it reaped);
 * this thread and, if it is not the leader, the leader (not released while others lived) are
 * not in it yet.
 */
#define GROUP_SUM(task, leader, sig, sig_field, task_field)                                \
	(BPF_CORE_READ(sig, sig_field) + BPF_CORE_READ(task, task_field) +                 \
	 ((leader) != (task) ? BPF_CORE_READ(leader, task_field) : 0))

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
 * slice since the scheduler last accounted it (at most a tick) is not in it.
 */
static __always_inline void final_cpu(struct task_struct *task, __u64 cpu[3])
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	cpu[0] = GROUP_SUM(task, leader, sig, utime, utime);
	cpu[1] = GROUP_SUM(task, leader, sig, stime, stime);
	cpu[2] = GROUP_SUM(task, leader, sig, sum_sched_runtime, se.sum_exec_runtime);
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

/* The process is gone when its last thread exits (signal->live already dropped to 0 here). */
static __always_inline void on_task_exit(bool ts, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	if (!ts) {
		bpf_map_delete_elem(&thread_hash, &tid);
		if (pending_count && !bpf_map_delete_elem(&pending_fork, &tid))
			__sync_fetch_and_sub(&pending_count, 1);
	}
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	struct proc_state *p = proc_of(ts, ts ? task->group_leader : NULL, tgid);
	if (!p)
		return;
	__u32 slot = p->slot;
	/* gone from the tracked set now: its last switch off a CPU, after this, must not count on
	 * the slot, which the helper frees (zeroed) once it has this event and may give to another */
	if (ts)
		bpf_task_storage_delete(&proc_task, task->group_leader);
	else
		bpf_map_delete_elem(&proc_hash, &tgid);
	struct syscope_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		drop(DROP_EVENTS);
		return;
	}
	e->type = EV_EXIT;
	e->pid = tgid;
	e->ppid = 0;
	e->slot = slot;
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->reason = 0;
	e->t_ns = bpf_ktime_get_ns();
	e->io[0] = e->io[1] = e->io[2] = e->io[3] = 0;
	e->io_valid = final_io(task, e->io);
	final_cpu(task, e->cpu);
	final_rusage(task, e->rusage, true);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->filename[0] = 0;
	bpf_ringbuf_submit(e, 0);
}

/*
 * sched_switch runs for every context switch on the machine, so an untracked task costs the
 * hint's one load and branch; a tracked one, its state's lookup and an atomic add (threads of one
 * process switch on several CPUs at once, and an add lost would leave the counters unequal:
 * "maybe on a CPU", scanned every tick, which is safe but dear).
 */
static __always_inline void count_switch(bool ts, struct task_struct *task, bool in)
{
	/* a BTF task pointer is read directly (one load); a raw one through a probe read */
	__u32 tgid = ts ? task->tgid : BPF_CORE_READ(task, tgid);
	if (!maybe_tracked(tgid))
		return;
	/* (a raw task pointer cannot be walked: proc_of uses the tgid then) */
	struct proc_state *p = proc_of(ts, ts ? task->group_leader : NULL, tgid);
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
}

/* ---- tp_btf ---- */

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_sys_enter, struct pt_regs *regs, long id)
{
	on_enter(HOOK_BTF, bpf_get_current_task_btf(), id);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_sys_exit, struct pt_regs *regs, long ret)
{
	on_exit(HOOK_BTF, bpf_get_current_task_btf(), ret);
	return 0;
}

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

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	count_switch(true, prev, false);
	count_switch(true, next, true);
	return 0;
}

/* ---- raw_tp ---- */

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long id)
{
	on_enter(HOOK_RAW, NULL, id);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	on_exit(HOOK_RAW, NULL, ret);
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

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	count_switch(false, prev, false);
	count_switch(false, next, true);
	return 0;
}

/* ---- classic tracepoints (tracefs) ---- */

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	on_enter(HOOK_TP, NULL, ctx->id);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int tp_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	on_exit(HOOK_TP, NULL, ctx->ret);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* The classic tracepoint carries pids only and fires for new threads too, which must not
	 * get a process slot. So remember the child as pending; its first syscall tells whether it
	 * is a new process (tgid == its pid) and adopts it then (see adopt_pending). */
	__u32 parent_tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_state *pp = bpf_map_lookup_elem(&proc_hash, &parent_tgid);
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
