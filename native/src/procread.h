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

/* 0, or -errno: -ENOENT/-ESRCH when the process is gone */
int proc_read(int pid, int with_smaps, struct proc_sample *out);

#ifdef __cplusplus
}
#endif
#endif
