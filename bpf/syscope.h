/* SPDX-License-Identifier: MIT */
/* Shared between the BPF programs and the helper: fixed-width types only. */
#ifndef SYSCOPE_H
#define SYSCOPE_H

/* Syscall numbers 0..SYSCOPE_MAX_NR-1 are counted (x86_64 and aarch64 both stay below 512). */
#define SYSCOPE_MAX_NR 512

/* Untracked processes are turned away by one load: a counter per (tgid mod HINT_SIZE) of the
 * tracked processes that map there. Zero ⇒ certainly untracked; otherwise the exact check. */
#define HINT_SIZE 65536

/* proc_state.flags */
#define PROC_DESCENDANTS 0x1 /* children forked from now on are tracked too */
#define PROC_AWAIT_EXEC 0x2 /* armed launcher: counting starts at its next exec */
/* added by the helper from user space: the first hook that meets it checks that its task is the
 * process the helper checked (start_ticks) and one the owner may ptrace, or drops it */
#define PROC_VERIFY 0x4

/* One thread's syscall in flight. */
struct thread_state {
	__u64 enter_ns;
	__s64 nr;
};

/* One tracked process (thread group), stored on its group leader. The leader's own syscall in
 * flight lives here too, so a single-threaded process costs one lookup per hook. */
struct proc_state {
	__u32 slot;
	__u32 flags;
	struct thread_state leader;
	/* the process's start time in clock ticks, as /proc/<pid>/stat field 22 shows it: with
	 * the tgid, which processes reuse, the identity of the process */
	__u64 start_ticks;
};

/* A tracked process's context switches (its threads'), by slot: while `ins` and `outs` are equal
 * and have not moved since the helper's last look, no thread of it has been on a CPU since. */
struct run_counts {
	__u64 ins;
	__u64 outs;
};

struct syscall_counts {
	__u64 calls;
	__u64 errors;
	__u64 time_ns;
};

enum syscope_event_type {
	EV_FORK = 1,
	EV_EXEC = 2,
	EV_EXIT = 3,
	EV_UNTRACKED = 4,
};

/* why a process left the tracked set without exiting */
enum syscope_untrack {
	UNTRACK_EXEC_CREDS = 1, /* it exec'd a program that gave it credentials the owner lacks */
	UNTRACK_NOT_SAME = 2, /* its pid belongs to another process now than the one checked */
	UNTRACK_PTRACE = 3, /* its credentials changed: the owner may no longer ptrace it */
	UNTRACK_EXITED = 4, /* it exited before its tracking took effect (user space only) */
};

#define EV_COMM_LEN 16
#define EV_FILENAME_LEN 256

struct syscope_event {
	__u32 type;
	__u32 pid; /* tgid */
	__u32 ppid; /* fork: parent tgid */
	__u32 slot;
	__s32 exit_code; /* exit: wait status (code << 8 | signal) */
	__u32 reason; /* untracked: enum syscope_untrack */
	__u64 t_ns;
	/* exit: the process's final /proc/<pid>/io figures (rchar, wchar, read_bytes, write_bytes),
	 * which the kernel adds to its reaper's when it is reaped; io_valid: EV_IO_* */
	__u64 io[4];
	__u32 io_valid;
	__u32 _pad;
	/* exit: the process's own CPU time, ns: user, system (tick-sampled, as /proc's before
	 * scaling) and the scheduler's exact run time; its reaped children's is not in it */
	__u64 cpu[3];
	/* exit: what getrusage(2) keeps for the process itself, as wait4 hands it to its parent
	 * (/usr/bin/time -v): max RSS (pages), minor and major faults, voluntary and involuntary
	 * context switches. EV_RU_* index it */
	__u64 rusage[5];
	char comm[EV_COMM_LEN];
	char filename[EV_FILENAME_LEN];
};

enum { EV_RU_MAXRSS_PAGES = 0, EV_RU_MINFLT, EV_RU_MAJFLT, EV_RU_NVCSW, EV_RU_NIVCSW };

#define EV_IO_CHARS 0x1 /* io[0..1]: rchar, wchar (CONFIG_TASK_XACCT) */
#define EV_IO_BYTES 0x2 /* io[2..3]: read_bytes, write_bytes (CONFIG_TASK_IO_ACCOUNTING) */
/* exec: counting starts here (an armed launcher); io, cpu and rusage hold what it used before */
#define EV_BASELINE 0x4

enum syscope_drop {
	DROP_PROCS = 0, /* descendants not tracked: slot table full */
	DROP_EVENTS = 1, /* ring buffer full */
	DROP_NR = 2, /* syscall number out of range */
	DROP_MAX = 4,
};

#endif /* SYSCOPE_H */
