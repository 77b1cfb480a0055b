// SPDX-License-Identifier: MIT
/*
 * A process's anonymous pipes leave the file table once it holds them no more. Each pipe is a
 * new inode, so a long-lived shell running pipelines or command substitutions, or a program
 * starting children, kept one file_stats entry per pipe to its exit; at 65,536 the table was
 * full and every process's new files went uncounted (counted as lost, but lost). A close does
 * not tell when a process is done with a pipe (its children may hold the ends it closed, exec
 * closes O_CLOEXEC fds without a call, --counts-only sees no close at all); the process's own
 * /proc/PID/fd does. It is read for a slot whose keys grew by PIPES_CHECK since the last look;
 * an entry goes once it was sent (stamped before the last tick: each tick sends what it stamped,
 * and again the tick after), so the app keeps its last line. A pipe the process got again later
 * (an fd passed over a Unix socket) starts a new entry.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "keys.h"
#include "loader.h"
#include "pipes.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

/* the pipe file system's device, as the kernel keys files (MAJOR << 20 | MINOR); 0: unknown */
static uint64_t pipefs_dev(void)
{
	static uint64_t dev;
	static bool known;
	if (known)
		return dev;
	known = true;
	int fds[2];
	struct stat st;
	if (pipe(fds))
		return 0;
	if (!fstat(fds[0], &st))
		dev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
	close(fds[0]);
	close(fds[1]);
	return dev;
}

static int by_number(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* the inodes of the pipes pid holds ("pipe:[N]" in /proc/PID/fd), sorted, into *held (*n of
 * them); false where they cannot be read (the process is gone, or not ours to read) */
static bool pipes_held(uint32_t pid, uint64_t **held, uint32_t *n)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	uint32_t cap = 0;
	*n = 0;
	*held = NULL;
	struct dirent *e;
	bool ok = true;
	while ((e = readdir(d))) {
		ssize_t len = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		unsigned long long ino;
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "pipe:[%llu]", &ino) != 1)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			uint64_t *more = realloc(*held, cap * sizeof(**held));
			if (!more) {
				ok = false;
				break;
			}
			*held = more;
		}
		(*held)[(*n)++] = ino;
	}
	closedir(d);
	if (!ok) {
		free(*held);
		*held = NULL;
		return false;
	}
	qsort(*held, *n, sizeof(**held), by_number);
	return true;
}

/* what pipes_gone is given for one slot's keys */
struct look {
	int fd; /* file_stats */
	uint64_t dev, since;
	const uint64_t *held;
	uint32_t n_held;
};

/* a key of the slot's list whose entry is out: deleted here, or gone before (a socket's, which
 * leaves with it: net.c) */
static bool pipe_gone(void *ctx, const struct new_key *r)
{
	const struct look *l = ctx;
	const struct file_key *k = &r->key.file;
	if (r->table != KEY_USES || k->dev != l->dev)
		return false;
	uint64_t ino = k->ino;
	if (bsearch(&ino, l->held, l->n_held, sizeof(*l->held), by_number))
		return false;
	struct file_stats v;
	if (bpf_map_lookup_elem(l->fd, k, &v))
		return errno == ENOENT;
	if (stamped_since(v.seq, l->since))
		return false;
	return !bpf_map_delete_elem(l->fd, k);
}

void pipes_let_go(struct tracker *t, uint64_t since)
{
	struct keys *k = &t->keys;
	uint64_t dev = pipefs_dev();
	if (!k->rb || !dev)
		return;
	for (uint32_t slot = 0; slot < t->max_procs; slot++) {
		struct key_list *l = &k->slots[slot];
		uint32_t pid = t->slots[slot].pid;
		if (!pid || l->walk || l->len < (l->check_at ? l->check_at : PIPES_CHECK))
			continue;
		struct look look = { .fd = bpf_map__fd(t->ld->skel->maps.file_stats),
				     .dev = dev,
				     .since = since };
		uint64_t *held;
		if (!pipes_held(pid, &held, &look.n_held)) {
			/* not readable now (ended, or not dumpable): looked at again as it grows */
			l->check_at = l->len * 2;
			continue;
		}
		look.held = held;
		keys_drop_if(k, slot, pipe_gone, &look);
		free(held);
		l->check_at = l->len * 2 > PIPES_CHECK ? l->len * 2 : PIPES_CHECK;
	}
}
