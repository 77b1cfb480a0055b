/* Reading one process's /proc files through one directory fd, parsed in C. */
#ifndef SYSCOPE_PROCREAD_H
#define SYSCOPE_PROCREAD_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* -1 in an int64 field = unavailable (could not be read) */
struct proc_sample {
	int pid, ppid;
	char comm[64];
	char state;
	int64_t uid, starttime, utime, stime, threads, minflt, majflt;
	int64_t rss, pss, swap, hwm, vol_ctxsw, invol_ctxsw, fds;
	int64_t rchar, wchar, read_bytes, write_bytes;
};

/* what to read; stat is always read */
#define PROC_STATUS 0x1 /* uid, RSS, HWM, swap, context switches */
#define PROC_IO 0x2 /* rchar/wchar, read_bytes/write_bytes */
#define PROC_SMAPS 0x4 /* PSS (the kernel walks the page tables: the costly one) */
#define PROC_FDS 0x8 /* open fd count */
#define PROC_ALL 0xf

/* 0, or -errno: -ENOENT/-ESRCH when the process is gone. Fields not asked for are -2. */
int proc_read(int pid, int what, struct proc_sample *out);

/*
 * A process kept open between samples: its /proc directory and its stat, status and io files
 * stay open and are re-read with pread, so a tick costs no path lookup or open. The fds belong
 * to that process: once it is gone (even if its pid is reused) reads fail with ESRCH.
 */
struct proc_handle {
	int pid, dir, stat, status, io;
};

int proc_open(int pid, struct proc_handle *h);
int proc_read_open(struct proc_handle *h, int what, struct proc_sample *out);
void proc_close(struct proc_handle *h);

#ifdef __cplusplus
}
#endif
#endif
