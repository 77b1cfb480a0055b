/*
 * /proc/<pid> is opened once as a directory and every file is read relative to that fd, so one
 * sample never mixes two processes that shared a pid (htop does the same). The files read every
 * tick stay open and are re-read with one pread each: a read of a /proc file into a buffer larger
 * than the file returns all of it at once (seq_file), so no second read is needed to see its end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "procread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long page_size;

/* whole file into buf (NUL-terminated): length, or -errno */
static int pread_file(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static int read_at(int dfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int n = pread_file(fd, buf, len);
	close(fd);
	return n;
}

/* the digits at *pp (none: 0); *pp is left after them. Every field read is unsigned. */
static uint64_t dec(const char **pp)
{
	const char *p = *pp;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	*pp = p;
	return v;
}

/* value after "Key:" and blanks */
static double value_after(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	return (double)dec(&p);
}

#define HAS_KEY(p, key) (!strncmp((p), key, sizeof(key) - 1))

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* stat: comm ends at the LAST ')' (a comm may itself hold ") ("); fields after it by index */
static int parse_stat(char *buf, struct proc_handle *h, double *row)
{
	char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p || close_p[1] != ' ')
		return -EIO;
	size_t cl = (size_t)(close_p - open_p - 1);
	if (cl >= sizeof(h->comm))
		cl = sizeof(h->comm) - 1;
	row[PF_COMM_CHANGED] = 0;
	if (strncmp(h->comm, open_p + 1, cl) || h->comm[cl]) {
		memcpy(h->comm, open_p + 1, cl);
		h->comm[cl] = 0;
		row[PF_COMM_CHANGED] = 1;
	}
	/* after comm: state(0) ppid(1) ... minflt(7) majflt(9) utime(11) stime(12) cutime(13)
	 * cstime(14) num_threads(17) starttime(19) vsize(20) rss(21, pages) */
	const char *p = close_p + 2;
	row[PF_STATE] = (unsigned char)*p;
	for (int i = 0; i <= 21; i++) {
		const char *f = p;
		uint64_t v = dec(&f);
		switch (i) {
		case 1: row[PF_PPID] = (double)v; break;
		case 7: row[PF_MINFLT] = (double)v; break;
		case 9: row[PF_MAJFLT] = (double)v; break;
		case 11: row[PF_UTIME] = (double)v; break;
		case 12: row[PF_STIME] = (double)v; break;
		case 13: row[PF_CUTIME] = (double)v; break;
		case 14: row[PF_CSTIME] = (double)v; break;
		case 17: row[PF_THREADS] = (double)v; break;
		case 19: row[PF_STARTTIME] = (double)v; break;
		case 21: row[PF_RSS] = (double)v * (double)page_size; return 0;
		}
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	return 0;
}

static void parse_status(const char *p, double *row)
{
	/* a kernel thread has no Vm lines: unavailable */
	row[PF_HWM] = row[PF_SWAP] = row[PF_VCSW] = row[PF_IVCSW] = -1;
	for (; p && *p; p = next_line(p)) {
		switch (*p) {
		case 'V':
			if (HAS_KEY(p, "VmHWM:"))
				row[PF_HWM] = value_after(p + 6) * 1024;
			else if (HAS_KEY(p, "VmSwap:"))
				row[PF_SWAP] = value_after(p + 7) * 1024;
			break;
		case 'v':
			if (HAS_KEY(p, "voluntary_ctxt_switches:"))
				row[PF_VCSW] = value_after(p + 24);
			break;
		case 'n':
			if (HAS_KEY(p, "nonvoluntary_ctxt_switches:"))
				row[PF_IVCSW] = value_after(p + 27);
			break;
		}
	}
	/* value_after gave -1 for a missing number: -1 * 1024 is still "unavailable" */
	if (row[PF_HWM] < 0)
		row[PF_HWM] = -1;
	if (row[PF_SWAP] < 0)
		row[PF_SWAP] = -1;
}

static void parse_io(const char *p, double *row)
{
	for (; p && *p; p = next_line(p)) {
		if (HAS_KEY(p, "rchar:"))
			row[PF_RCHAR] = value_after(p + 6);
		else if (HAS_KEY(p, "wchar:"))
			row[PF_WCHAR] = value_after(p + 6);
		else if (HAS_KEY(p, "read_bytes:"))
			row[PF_READ_BYTES] = value_after(p + 11);
		else if (HAS_KEY(p, "write_bytes:"))
			row[PF_WRITE_BYTES] = value_after(p + 12);
	}
}

static double parse_pss(const char *p)
{
	for (; p && *p; p = next_line(p))
		if (HAS_KEY(p, "Pss:")) {
			double v = value_after(p + 4);
			return v < 0 ? -1 : v * 1024;
		}
	return -1;
}

static double count_fds(int dfd)
{
	/* since Linux 6.2 the fd directory's size is its number of open fds: no directory walk */
	struct stat st;
	if (fstatat(dfd, "fd", &st, 0) == 0 && st.st_size > 0)
		return (double)st.st_size;
	int fd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	double n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void close_files(struct proc_handle *h)
{
	int *fds[] = { &h->sched, &h->status, &h->io, &h->stat, &h->dir };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int out_of_fds(int err)
{
	return err == EMFILE || err == ENFILE;
}

/*
 * 0, -ESRCH when the process is gone, or -errno; files left unopened are -1. schedstat only when
 * the files are to be held: a handle that opens its files for each sample reads stat every time.
 */
static int open_files(struct proc_handle *h, int to_hold)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", h->pid);
	h->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	h->stat = openat(h->dir, "stat", O_RDONLY | O_CLOEXEC);
	if (h->stat < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* io needs ptrace-read access, checked at each read: a failed read is "unavailable" */
	h->io = openat(h->dir, "io", O_RDONLY | O_CLOEXEC);
	if (h->io < 0 && out_of_fds(errno))
		return -errno;
	h->status = openat(h->dir, "status", O_RDONLY | O_CLOEXEC);
	if (h->status < 0 && out_of_fds(errno))
		return -errno;
	if (!to_hold)
		return 0;
	h->sched = openat(h->dir, "schedstat", O_RDONLY | O_CLOEXEC);
	if (h->sched < 0 && out_of_fds(errno))
		return -errno;
	return 0;
}

int proc_open(int pid, struct proc_handle *h)
{
	if (!page_size)
		page_size = sysconf(_SC_PAGESIZE);
	memset(h, 0, sizeof(*h));
	h->pid = pid;
	h->dir = h->stat = h->io = h->status = h->sched = -1;
	int rc = open_files(h, 1);
	if (rc != 0) {
		close_files(h);
		if (!out_of_fds(-rc))
			return rc;
		/* no fds to hold: this process's files are opened for each sample instead (identity
		 * then rests on the sampler's start-time check) */
		h->held = 0;
	} else {
		h->held = 1;
	}
	h->open = 1;
	return 0;
}

/* stat's fields and io's, kept to be given again while the process does not run */
static const int stat_fields[] = { PF_STATE, PF_PPID, PF_STARTTIME, PF_UTIME, PF_STIME, PF_THREADS,
				   PF_MINFLT, PF_MAJFLT, PF_RSS, PF_CUTIME, PF_CSTIME };
static const int io_fields[] = { PF_RCHAR, PF_WCHAR, PF_READ_BYTES, PF_WRITE_BYTES };
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void copy_fields(double *to, const double *from, const int *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[fields[i]] = from[fields[i]];
}

/*
 * schedstat: the task's run time (ns) and how many times it was scheduled in. 1 read, 0 not
 * usable (the kernel keeps no sched info and prints zeros), or -errno.
 */
static int read_ran(int fd, unsigned long long *ns, unsigned long long *slices)
{
	char buf[128];
	int n = pread_file(fd, buf, sizeof(buf));
	if (n < 0)
		return n;
	const char *p = buf;
	*ns = dec(&p);
	if (*p++ != ' ')
		return 0;
	dec(&p); /* time waiting on a run queue: it grows while the task waits, not while it runs */
	if (*p++ != ' ')
		return 0;
	*slices = dec(&p);
	return *ns || *slices;
}

/* after BUSY_STREAK reads in a row that found it had run, stat is read BUSY_SKIP times unlooked */
#define BUSY_STREAK 2
#define BUSY_SKIP 8

/*
 * Is the process known not to have run since its last read (PROC_SKIP_IDLE)? Only a
 * single-threaded one: schedstat is its one thread's. A process last seen running ('R') may run
 * on without a scheduler event that updates its run time (a tickless CPU), so it is read. The
 * schedstat read now is kept as the baseline for the next time whenever stat is read after it.
 * 1 idle: give the last values again; 2 idle, but read (what asks for more than stat and io);
 * 0 it may have run, read; -ESRCH gone.
 */
static int idle_since_last(struct proc_handle *h, int what, unsigned long long *ns,
			   unsigned long long *slices, int *known)
{
	*known = 0;
	if (!(what & PROC_SKIP_IDLE) || h->sched < 0)
		return 0;
	if (h->have_last && (h->last[PF_THREADS] != 1 || h->last[PF_STATE] == 'R'))
		return 0;
	if (h->skip_looks > 0) {
		h->skip_looks--;
		return 0;
	}
	int rc = read_ran(h->sched, ns, slices);
	if (rc == -ESRCH)
		return -ESRCH;
	*known = rc == 1;
	if (!*known || !h->ran_known || !h->have_last)
		return 0;
	if (*ns != h->ran_ns || *slices != h->ran_slices) {
		/* it ran: one that runs between every two reads pays for schedstat and stat each time */
		if (++h->ran_streak >= BUSY_STREAK) {
			h->ran_streak = 0;
			h->skip_looks = BUSY_SKIP;
		}
		return 0;
	}
	h->ran_streak = 0;
	/* the files read with stat alone are the ones given again; io only when it was read before */
	if (what & (PROC_STATUS | PROC_SMAPS | PROC_FDS) || ((what & PROC_IO) && !h->have_io))
		return 2;
	return 1;
}

int proc_sample(struct proc_handle *h, int what, double *row)
{
	char buf[16384]; /* status: Cpus_allowed grows with the CPU count */
	int n, rc = 0;

	for (int i = 0; i < PF_COUNT; i++)
		row[i] = NAN;
	row[PF_OK] = 0;
	if (!h->held && (rc = open_files(h, 0)) != 0) {
		close_files(h);
		if (out_of_fds(-rc)) {
			row[PF_OK] = 2;
			return rc;
		}
		return -ESRCH;
	}
	unsigned long long ran_ns = 0, ran_slices = 0;
	int ran_known = 0;
	int idle = h->held ? idle_since_last(h, what, &ran_ns, &ran_slices, &ran_known) : 0;
	if (idle < 0)
		return idle;
	if (!idle)
		h->ran_since_slow = 1;
	if (idle == 1) {
		copy_fields(row, h->last, stat_fields, COUNT_OF(stat_fields));
		if (what & PROC_IO)
			copy_fields(row, h->last, io_fields, COUNT_OF(io_fields));
		row[PF_COMM_CHANGED] = 0;
		row[PF_IDLE] = 1;
		row[PF_OK] = 1;
		return 0;
	}
	n = pread_file(h->stat, buf, 2048);
	if (n <= 0 || parse_stat(buf, h, row) != 0) {
		rc = -ESRCH;
		goto out;
	}
	row[PF_OK] = 1;
	row[PF_IDLE] = idle;
	h->ran_known = h->held && ran_known;
	h->ran_ns = ran_ns;
	h->ran_slices = ran_slices;
	copy_fields(h->last, row, stat_fields, COUNT_OF(stat_fields));
	h->have_last = 1;
	/* it may have run since io was last read: those values may be old now */
	if (!idle && !(what & PROC_IO))
		h->have_io = 0;
	if ((what & PROC_SKIP_UNCHANGED) && h->have_slow && !h->ran_since_slow && row[PF_THREADS] == 1 &&
	    row[PF_RSS] == h->slow_rss) {
		what &= ~(PROC_STATUS | PROC_FDS);
	} else if ((what & (PROC_STATUS | PROC_FDS)) == (PROC_STATUS | PROC_FDS)) {
		/* the RSS is from the stat read before them: one that moves in between makes the next
		 * read see a change, never miss one */
		h->have_slow = 1;
		h->ran_since_slow = 0;
		h->slow_rss = row[PF_RSS];
	}

	if (what & PROC_STATUS) {
		row[PF_HWM] = row[PF_SWAP] = row[PF_VCSW] = row[PF_IVCSW] = -1;
		if (h->status >= 0 && pread_file(h->status, buf, sizeof(buf)) > 0)
			parse_status(buf, row);
	}
	if (what & PROC_IO) {
		row[PF_RCHAR] = row[PF_WCHAR] = row[PF_READ_BYTES] = row[PF_WRITE_BYTES] = -1;
		if (h->io >= 0 && pread_file(h->io, buf, 1024) > 0)
			parse_io(buf, row);
		copy_fields(h->last, row, io_fields, COUNT_OF(io_fields));
		h->have_io = 1;
	}
	if (what & PROC_SMAPS) {
		struct timespec t0, t1;
		/* its cost is the CPU the kernel spends walking the page tables for us: thread CPU
		 * time, which a busy machine's preemption does not inflate */
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		row[PF_PSS] = -1;
		/* not held: an open smaps_rollup pins the process's memory map */
		if (read_at(h->dir, "smaps_rollup", buf, sizeof(buf)) > 0)
			row[PF_PSS] = parse_pss(buf);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		row[PF_PSS_MS] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	if (what & PROC_FDS)
		row[PF_FDS] = count_fds(h->dir);
out:
	if (!h->held)
		close_files(h);
	return rc;
}

void proc_close(struct proc_handle *h)
{
	close_files(h);
	h->open = 0;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int proc_list_pids(int *out, int cap)
{
	char buf[32768];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int count = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *s = d->d_name;
			if (*s < '1' || *s > '9')
				continue;
			uint64_t pid = dec(&s);
			if (*s || pid > INT32_MAX)
				continue;
			if (count < cap)
				out[count] = (int)pid;
			count++;
		}
	}
	close(fd);
	return count;
}

int proc_ppid(int pid)
{
	char path[32], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int n = pread_file(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -1;
	const char *p = strrchr(buf, ')');
	/* ") S ppid" */
	if (!p || !p[1] || !p[2] || !p[3] || !p[4])
		return -1;
	p += 4;
	return (int)dec(&p);
}
