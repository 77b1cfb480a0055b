/* Sampling processes' /proc files through fds held open between samples, parsed in C. */
#ifndef SYSCOPE_PROCREAD_H
#define SYSCOPE_PROCREAD_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One process's row in a sample table (an array of doubles, PF_COUNT per process). Mirrored by
 * ROW_FIELDS in src/main/proc/row.ts; the addon exports the names so the two are checked at load.
 * A value is >= 0, -1 when it could not be read (unavailable), or NaN when it was not asked for
 * this time.
 */
enum proc_field {
	PF_OK, /* 1 read; 0 gone (exited, reaped, or never this process); 2 not read (no fds left) */
	PF_STATE, /* char code of stat's state letter */
	PF_COMM_CHANGED, /* 1 when stat's comm differs from the last read (exec, prctl) */
	PF_PPID,
	PF_STARTTIME, /* clock ticks after boot */
	PF_UTIME, /* clock ticks, whole process */
	PF_STIME,
	PF_THREADS,
	PF_MINFLT,
	PF_MAJFLT,
	PF_RSS, /* bytes */
	PF_HWM, /* status: bytes */
	PF_SWAP,
	PF_VCSW,
	PF_IVCSW,
	PF_RCHAR, /* io */
	PF_WCHAR,
	PF_READ_BYTES,
	PF_WRITE_BYTES,
	PF_PSS, /* smaps_rollup: bytes */
	PF_PSS_MS, /* how long reading smaps_rollup took (ms): it grows with the process's memory */
	PF_FDS,
	PF_CUTIME, /* clock ticks of reaped children (and theirs): the tree keeps them when they go */
	PF_CSTIME,
	PF_IDLE, /* not run since the last read (PROC_SKIP_IDLE): 1 its stat and io values are given
		  * again, 2 read all the same (a slow-tier read); 0 it may have run */
	PF_COUNT
};

#define PROC_FIELD_NAMES                                                                           \
	"ok", "state", "comm_changed", "ppid", "starttime", "utime", "stime", "threads", "minflt",  \
		"majflt", "rss", "hwm", "swap", "vcsw", "ivcsw", "rchar", "wchar", "read_bytes",    \
		"write_bytes", "pss", "pss_ms", "fds", "cutime", "cstime", "idle"

/* what to read besides stat (always read) */
#define PROC_STATUS 0x1 /* VmHWM, VmSwap, context switches */
#define PROC_IO 0x2 /* rchar/wchar, read_bytes/write_bytes */
#define PROC_SMAPS 0x4 /* PSS (the kernel walks the page tables: the costly one) */
#define PROC_FDS 0x8 /* open fd count */
/*
 * Skip stat (and io) of a single-threaded process that has not run since the last read: its
 * schedstat (run time and times scheduled in) is unchanged, so are its CPU times, faults, state,
 * children's times and I/O counters, and the last values read are given again (PF_IDLE 1).
 * Only for reads of stat and io alone: a read of status, smaps or fds reads stat too (PF_IDLE 2
 * when it did not run), so values that can change while a process sleeps (RSS under reclaim, a
 * new parent) are at most one slow period old.
 */
#define PROC_SKIP_IDLE 0x10
/*
 * Leave status and the fd count unread (NaN) when they cannot have changed since they were last
 * read together: the process is single-threaded, every look since then found it had not run (a
 * sample without PROC_SKIP_IDLE makes no look, so it counts as a run), and the RSS in the stat
 * read now is the one read with them.
 * Context switches and the fd table change only when the process runs; VmSwap moves by reclaim
 * only together with RSS; VmHWM is max(high-water mark, RSS) and the mark is raised only from an
 * RSS above it. What no rule foresees (a process sharing the fd table with CLONE_FILES, a
 * clear_refs reset of VmHWM, RSS moving less than the kernel's per-CPU counter batch) is caught
 * by the caller asking without this bit now and then (docs/sampler.md).
 */
#define PROC_SKIP_UNCHANGED 0x20

/*
 * A process kept open between samples: its /proc directory and the files re-read with pread
 * (stat, io, status). The fds belong to that process: once it is gone (even if its pid is
 * reused) reads fail with ESRCH, and files opened relative to the directory fail with ENOENT.
 * When the fd limit leaves none to hold, the files are opened for each sample instead (held 0).
 */
struct proc_handle {
	int pid, open, held;
	int dir, stat, io, status, sched;
	char comm[64];
	/* schedstat before the last stat read (run ns, times scheduled in); ran_known 0: none */
	unsigned long long ran_ns, ran_slices;
	int ran_known;
	/* a process found running at every look is not looked at for a few reads (see BUSY_*) */
	int ran_streak, skip_looks;
	/* the last values read: given again while the process does not run (have_io: io in them) */
	int have_last, have_io;
	/* status and the fd count (PROC_SKIP_UNCHANGED): read together before (have_slow), the RSS
	 * then, and whether some look since could not rule out that the process ran */
	int have_slow, ran_since_slow;
	double slow_rss;
	double last[PF_COUNT];
};

/* 0, -ESRCH when the process is gone, or -errno */
int proc_open(int pid, struct proc_handle *h);
/* fills row[PF_COUNT]; 0, -ESRCH when the process is gone, or -EMFILE/-ENFILE (row[PF_OK] says
 * which) */
int proc_sample(struct proc_handle *h, int what, double *row);
void proc_close(struct proc_handle *h);

/* pids listed in /proc, up to cap; returns how many there are (may exceed cap), or -errno */
int proc_list_pids(int *out, int cap);
/* ppid of pid from /proc/<pid>/stat, or -1 when it is gone */
int proc_ppid(int pid);

#ifdef __cplusplus
}
#endif
#endif
