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

/* Set by the helper (tracker_init) before it tracks anything: the owner's real gid, which with
 * owner_uid every id of a process it tracks must equal (see owner_may_ptrace); the length of a
 * clock tick and the boot time offset of the helper's time namespace, so that start_ticks here
 * reads as /proc/<pid>/stat shows it to the helper. */
__u32 owner_gid = (__u32)-1;
__u64 ns_per_tick = 10000000;
__s64 boot_offset_ns;

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

static __always_inline void emit_simple(__u32 type, __u32 pid, __u32 ppid, __u32 slot,
					__u32 reason)
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
	e->reason = reason;
	e->t_ns = bpf_ktime_get_ns();
	e->io_valid = 0;
	e->comm[0] = 0;
	e->filename[0] = 0;
	bpf_ringbuf_submit(e, 0);
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
	bool ids = BPF_CORE_READ(c, uid.val) == owner_uid && BPF_CORE_READ(c, euid.val) == owner_uid &&
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

/* Syscalls after which a process's credentials or dumpability may have changed: checked again at
 * their exit, by tracked processes only (one subtraction and shift). */
static __always_inline bool may_change_creds(__s64 nr)
{
#if defined(__TARGET_ARCH_x86)
	/* setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid capset prctl */
	const __u64 mask = 1ULL << 0 | 1ULL << 1 | 1ULL << 8 | 1ULL << 9 | 1ULL << 12 |
			   1ULL << 14 | 1ULL << 17 | 1ULL << 18 | 1ULL << 21 | 1ULL << 52;
	__u64 d = (__u64)(nr - 105);
	return d < 64 && ((mask >> d) & 1);
#elif defined(__TARGET_ARCH_arm64)
	/* setregid setgid setreuid setuid setresuid setresgid setfsuid setfsgid prctl; capset */
	const __u64 mask = 1ULL << 0 | 1ULL << 1 | 1ULL << 2 | 1ULL << 3 | 1ULL << 4 |
			   1ULL << 6 | 1ULL << 8 | 1ULL << 9 | 1ULL << 24;
	__u64 d = (__u64)(nr - 143);
	return (d < 64 && ((mask >> d) & 1)) || nr == 91;
#else
	return false;
#endif
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
	struct proc_state init = { .slot = slot, .flags = c.flags,
				   .start_ticks = start_ticks((struct task_struct *)bpf_get_current_task()) };
	drop_stale(tgid);
	if (bpf_map_update_elem(&proc_hash, &tgid, &init, BPF_NOEXIST)) {
		bpf_map_push_elem(&free_slots, &slot, 0);
		return NULL;
	}
	hint_add(tgid);
	emit_simple(EV_FORK, tgid, c.parent_tgid, slot, 0);
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
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
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
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
	if (!p)
		return;
	struct thread_state *t = thread_rec(k, p, task, leader, tgid, tid, false);
	if (!t || !t->enter_ns)
		return;
	__u64 start = t->enter_ns;
	__s64 nr = t->nr;
	t->enter_ns = 0;
	/* an armed launcher's own syscalls are not counted; its successful execve returns after
	 * the exec cleared the flag, so that one is */
	if (!(p->flags & PROC_AWAIT_EXEC))
		count(p->slot, nr, ret < 0, bpf_ktime_get_ns() - start, sole_thread(task));
	/* setuid and the like cannot raise a process above its owner's reach, but PR_SET_DUMPABLE
	 * (ssh-agent does it) and capabilities in a namespace can move it out of it */
	if (owner_uid != (__u32)-1 && may_change_creds(nr) && !ret) {
		if (!task)
			task = (struct task_struct *)bpf_get_current_task();
		if (!owner_may_ptrace(task))
			untrack(ts, leader, tgid, p->slot, UNTRACK_PTRACE);
	}
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
	struct task_struct *parent_leader = ts ? parent->group_leader : NULL;
	if (ts)
		pp = bpf_task_storage_get(&proc_task, parent_leader, 0, 0);
	else
		pp = bpf_map_lookup_elem(&proc_hash, &parent_tgid);
	pp = checked(ts, pp, parent, parent_leader, parent_tgid);
	if (!pp || !(pp->flags & PROC_DESCENDANTS))
		return;
	__u32 slot;
	if (bpf_map_pop_elem(&free_slots, &slot)) {
		drop(DROP_PROCS);
		return;
	}
	struct proc_state init = { .slot = slot, .flags = pp->flags,
				   .start_ticks = start_ticks(child) };
	if (!ts)
		drop_stale(child_tgid);
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
	emit_simple(EV_FORK, child_tgid, parent_tgid, slot, 0);
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
	struct task_struct *leader = ts ? task->group_leader : NULL;
	struct proc_state *p = checked(ts, proc_of(ts, leader, tgid), task, leader, tgid);
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
