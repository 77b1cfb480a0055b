/*
 * /proc/<pid> is opened once as a directory and every file is read relative to that fd, so one
 * sample never mixes two processes that shared a pid (htop does the same).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "procread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pread_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	for (;;) {
		ssize_t n = pread(fd, buf + off, len - 1 - off, (off_t)off);
		if (n < 0)
			return -errno;
		if (n == 0 || off + (size_t)n >= len - 1) {
			off += (size_t)(n > 0 ? n : 0);
			break;
		}
		off += (size_t)n;
	}
	buf[off] = 0;
	return (int)off;
}

static int read_at(int dfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	for (;;) {
		ssize_t n = read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0 || off + (size_t)n >= len - 1) {
			off += (size_t)(n > 0 ? n : 0);
			break;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = 0;
	return (int)off;
}

/* value of "Key:<spaces>N" in a status-like file, in kB units converted if kb */
static int64_t field(const char *text, const char *key, int kb)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			long long v = strtoll(p + kl + 1, NULL, 10);
			return kb ? v * 1024 : v;
		}
	}
	return -1;
}

static int64_t count_fds(int dfd)
{
	int fd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	int64_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* fd < 0: open name under dfd for this read only */
static int read_file(int dfd, int fd, const char *name, char *buf, size_t len)
{
	return fd >= 0 ? pread_all(fd, buf, len) : read_at(dfd, name, buf, len);
}

static int sample(int dfd, int fd_stat, int fd_status, int fd_io, int pid, int what,
		  struct proc_sample *s)
{
	char buf[8192];
	int n;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	n = read_file(dfd, fd_stat, "stat", buf, sizeof(buf));
	if (n <= 0)
		return n == -ENOENT || n == 0 ? -ESRCH : n;
	/* comm ends at the last ')' */
	char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return -EIO;
	size_t cl = (size_t)(close_p - open_p - 1);
	if (cl >= sizeof(s->comm))
		cl = sizeof(s->comm) - 1;
	memcpy(s->comm, open_p + 1, cl);
	s->comm[cl] = 0;
	char state;
	long long f[8];
	int got = sscanf(close_p + 2,
			 "%c %lld %*d %*d %*d %*d %*u %lld %*u %lld %*u %lld %lld %*d %*d %*d %*d %lld %*d %lld",
			 &state, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]);
	if (got != 8)
		return -EIO;
	s->state = state;
	s->ppid = (int)f[0];
	s->minflt = f[1];
	s->majflt = f[2];
	s->utime = f[3];
	s->stime = f[4];
	s->threads = f[5];
	s->starttime = f[6];

	s->uid = s->rss = s->hwm = s->swap = s->vol_ctxsw = s->invol_ctxsw = -2;
	s->pss = s->fds = s->rchar = s->wchar = s->read_bytes = s->write_bytes = -2;
	if (what & PROC_STATUS) {
		if (read_file(dfd, fd_status, "status", buf, sizeof(buf)) <= 0)
			return -ESRCH;
		s->uid = field(buf, "Uid", 0);
		s->rss = field(buf, "VmRSS", 1);
		s->hwm = field(buf, "VmHWM", 1);
		s->swap = field(buf, "VmSwap", 1);
		s->vol_ctxsw = field(buf, "voluntary_ctxt_switches", 0);
		s->invol_ctxsw = field(buf, "nonvoluntary_ctxt_switches", 0);
	}
	if (what & PROC_SMAPS) {
		s->pss = -1;
		if (read_at(dfd, "smaps_rollup", buf, sizeof(buf)) > 0) {
			/* the rollup's first line is the range header; fields follow */
			const char *body = strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf;
			int64_t rss = field(body, "Rss", 1), sw = field(body, "Swap", 1);
			if (rss >= 0)
				s->rss = rss;
			s->pss = field(body, "Pss", 1);
			if (sw >= 0)
				s->swap = sw;
		}
	}
	if (what & PROC_IO) {
		s->rchar = s->wchar = s->read_bytes = s->write_bytes = -1;
		if ((fd_io != -2) && read_file(dfd, fd_io, "io", buf, sizeof(buf)) > 0) {
			s->rchar = field(buf, "rchar", 0);
			s->wchar = field(buf, "wchar", 0);
			s->read_bytes = field(buf, "read_bytes", 0);
			s->write_bytes = field(buf, "write_bytes", 0);
		}
	}
	if (what & PROC_FDS)
		s->fds = count_fds(dfd);
	return 0;
}

int proc_read(int pid, int what, struct proc_sample *s)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	int rc = sample(dfd, -1, -1, -1, pid, what, s);
	close(dfd);
	return rc;
}

int proc_open(int pid, struct proc_handle *h)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	h->pid = pid;
	h->dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->dir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	h->stat = openat(h->dir, "stat", O_RDONLY | O_CLOEXEC);
	h->status = openat(h->dir, "status", O_RDONLY | O_CLOEXEC);
	/* io needs ptrace-read access: -2 marks "not ours to read" */
	h->io = openat(h->dir, "io", O_RDONLY | O_CLOEXEC);
	if (h->io < 0)
		h->io = -2;
	if (h->stat < 0 || h->status < 0) {
		proc_close(h);
		return -ESRCH;
	}
	return 0;
}

int proc_read_open(struct proc_handle *h, int what, struct proc_sample *s)
{
	return sample(h->dir, h->stat, h->status, h->io, h->pid, what, s);
}

void proc_close(struct proc_handle *h)
{
	if (h->io >= 0)
		close(h->io);
	if (h->status >= 0)
		close(h->status);
	if (h->stat >= 0)
		close(h->stat);
	if (h->dir >= 0)
		close(h->dir);
	h->dir = h->stat = h->status = h->io = -1;
}
