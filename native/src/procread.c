/*
 * /proc/<pid> is opened once as a directory and every file is read relative to that fd, so one
 * sample never mixes two processes that shared a pid (htop does the same).
 */
#define _GNU_SOURCE
#include "procread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

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

int proc_read(int pid, int with_smaps, struct proc_sample *s)
{
	char path[32], buf[8192];
	int dfd, n;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d", pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	s->pid = pid;
	n = read_at(dfd, "stat", buf, sizeof(buf));
	if (n < 0) {
		close(dfd);
		return n == -ENOENT ? -ESRCH : n;
	}
	/* comm ends at the last ')' */
	char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p) {
		close(dfd);
		return -EIO;
	}
	size_t cl = (size_t)(close_p - open_p - 1);
	if (cl >= sizeof(s->comm))
		cl = sizeof(s->comm) - 1;
	memcpy(s->comm, open_p + 1, cl);
	s->comm[cl] = 0;
	char state;
	long long f[20];
	int got = sscanf(close_p + 2,
			 "%c %lld %*d %*d %*d %*d %*u %lld %*u %lld %*u %lld %lld %*d %*d %*d %*d %lld %*d %lld",
			 &state, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]);
	if (got != 8) {
		close(dfd);
		return -EIO;
	}
	s->state = state;
	s->ppid = (int)f[0];
	s->minflt = f[1];
	s->majflt = f[2];
	s->utime = f[3];
	s->stime = f[4];
	s->threads = f[5];
	s->starttime = f[6];

	if (read_at(dfd, "status", buf, sizeof(buf)) < 0) {
		close(dfd);
		return -ESRCH;
	}
	s->uid = field(buf, "Uid", 0);
	s->rss = field(buf, "VmRSS", 1);
	s->hwm = field(buf, "VmHWM", 1);
	s->swap = field(buf, "VmSwap", 1);
	s->vol_ctxsw = field(buf, "voluntary_ctxt_switches", 0);
	s->invol_ctxsw = field(buf, "nonvoluntary_ctxt_switches", 0);
	s->pss = -1;
	if (with_smaps && read_at(dfd, "smaps_rollup", buf, sizeof(buf)) > 0) {
		/* the rollup's first line is the range header; fields follow */
		int64_t rss = field(strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf, "Rss", 1);
		if (rss >= 0)
			s->rss = rss;
		s->pss = field(strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf, "Pss", 1);
		int64_t sw = field(strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf, "Swap", 1);
		if (sw >= 0)
			s->swap = sw;
	}
	s->rchar = s->wchar = s->read_bytes = s->write_bytes = -1;
	if (read_at(dfd, "io", buf, sizeof(buf)) > 0) {
		s->rchar = field(buf, "rchar", 0);
		s->wchar = field(buf, "wchar", 0);
		s->read_bytes = field(buf, "read_bytes", 0);
		s->write_bytes = field(buf, "write_bytes", 0);
	}
	s->fds = count_fds(dfd);
	close(dfd);
	return 0;
}
