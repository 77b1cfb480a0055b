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
	PF_COUNT
};

#define PROC_FIELD_NAMES                                                                           \
	"ok", "state", "comm_changed", "ppid", "starttime", "utime", "stime", "threads", "minflt",  \
		"majflt", "rss", "hwm", "swap", "vcsw", "ivcsw", "rchar", "wchar", "read_bytes",    \
		"write_bytes", "pss", "pss_ms", "fds", "cutime", "cstime"

/* what to read besides stat (always read) */
#define PROC_STATUS 0x1 /* VmHWM, VmSwap, context switches */
#define PROC_IO 0x2 /* rchar/wchar, read_bytes/write_bytes */
#define PROC_SMAPS 0x4 /* PSS (the kernel walks the page tables: the costly one) */
#define PROC_FDS 0x8 /* open fd count */

/*
 * A process kept open between samples: its /proc directory and the files re-read with pread
 * (stat, io, status). The fds belong to that process: once it is gone (even if its pid is
 * reused) reads fail with ESRCH, and files opened relative to the directory fail with ENOENT.
 * When the fd limit leaves none to hold, the files are opened for each sample instead (held 0).
 */
struct proc_handle {
	int pid, open, held;
	int dir, stat, io, status;
	char comm[64];
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
