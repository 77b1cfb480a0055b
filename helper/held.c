// SPDX-License-Identifier: MIT
/*
 * What a process holds no more leaves the detail tables. Each anonymous pipe is a new inode, so
 * a long-lived shell running pipelines or command substitutions, or a program starting children,
 * kept one file_stats entry per pipe to its exit; at 65,536 the table was full and every
 * process's new files went uncounted (counted as lost, but lost). A close does not tell when a
 * process is done with a pipe (its children may hold the ends it closed, exec closes O_CLOEXEC
 * fds without a call); with --counts-only no close is seen at all, and a server's closed sockets
 * stayed to its exit too (the timed mode lets them go at the close: net.c). The process's own
 * /proc/PID/fd tells. It is read for a slot whose keys grew by a step since the last look (at
 * least HELD_CHECK: a look reads the slot's list and the process's fds), and two ticks after a
 * look that kept some only because they were not yet sent; an entry goes once it was sent
 * (stamped before the last tick: each tick sends what it stamped, and again the tick after),
 * so the app keeps its last line. A TCP socket waits for
 * its CLOSE (its closing time comes from there); a UDP or Unix socket's closing time is not
 * known with --counts-only, before or after. A pipe or socket the process gets back later (an
 * fd passed over a Unix socket) starts a new entry.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "held.h"
#include "keys.h"
#include "loader.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

/* the device of fd's file system, as the kernel keys files (MAJOR << 20 | MINOR) */
static uint64_t fs_dev(int fd)
{
	struct stat st;
	uint64_t dev = 0;
	if (fd >= 0 && !fstat(fd, &st))
		dev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
	return dev;
}

/* the pipe and socket file systems' devices; 0 where unknown */
static void pseudo_devs(uint64_t *pipefs, uint64_t *sockfs)
{
	static uint64_t pipe_dev, sock_dev;
	static bool known;
	if (!known) {
		known = true;
		int fds[2];
		if (!pipe(fds)) {
			pipe_dev = fs_dev(fds[0]);
			close(fds[0]);
			close(fds[1]);
		}
		int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sock_dev = fs_dev(s);
		if (s >= 0)
			close(s);
	}
	*pipefs = pipe_dev;
	*sockfs = sock_dev;
}

static int by_number(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* the inodes of the pipes and sockets pid holds ("pipe:[N]", "socket:[N]" in /proc/PID/fd; the
 * two file systems number their inodes from one counter), sorted, into *held (*n of them); false
 * where they cannot be read (the process is gone, or not ours to read) */
static bool inodes_held(uint32_t pid, uint64_t **held, uint32_t *n)
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
		if (sscanf(link, "pipe:[%llu]", &ino) != 1 &&
		    sscanf(link, "socket:[%llu]", &ino) != 1)
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

/* what gone() is given for one slot's keys */
struct look {
	int uses, socks; /* file_stats, sock_stats */
	uint64_t pipefs, sockfs, since;
	bool socks_too; /* --counts-only: sockets as well */
	const uint64_t *held;
	uint32_t n_held;
	uint32_t recent; /* not held, but stamped since the last tick: kept for now */
};

static bool held(const struct look *l, uint64_t ino)
{
	return bsearch(&ino, l->held, l->n_held, sizeof(*l->held), by_number) != NULL;
}

/* an entry stamped since the last tick, not yet sent twice: kept for a look two ticks on */
static bool not_yet_sent(struct look *l, uint64_t seq)
{
	bool recent = stamped_since(seq, l->since);
	l->recent += recent;
	return recent;
}

/* a socket the process no longer holds, sent, and (TCP) closed: out, with its use as a file */
static bool socket_gone(struct look *l, const struct file_key *k)
{
	struct sock_stats v;
	if (bpf_map_lookup_elem(l->socks, k, &v))
		return errno == ENOENT;
	if (not_yet_sent(l, v.seq) || (v.proto == NET_TCP && !v.closed_ns))
		return false;
	bpf_map_delete_elem(l->uses, k);
	return !bpf_map_delete_elem(l->socks, k);
}

/* a key of the slot's list whose entry is out: deleted here, or gone before (a socket's use as a
 * file, which leaves with it: net.c) */
static bool gone(void *ctx, const struct new_key *r)
{
	struct look *l = ctx;
	const struct file_key *k = &r->key.file;
	bool pipe = r->table == KEY_USES && k->dev == l->pipefs;
	bool sock = l->socks_too && r->table == KEY_SOCKS && k->dev == l->sockfs;
	if ((!pipe && !sock) || held(l, k->ino))
		return false;
	if (sock)
		return socket_gone(l, k);
	struct file_stats v;
	if (bpf_map_lookup_elem(l->uses, k, &v))
		return errno == ENOENT;
	return !not_yet_sent(l, v.seq) && !bpf_map_delete_elem(l->uses, k);
}

/* whether slot's list is due for a look: it grew by the step set at the last, or that look kept
 * some it will let go once sent (looked at again two ticks on, grown or not) */
static bool due(struct key_list *l)
{
	if (l->recheck && !--l->recheck)
		return true;
	return l->len >= (l->check_at ? l->check_at : HELD_CHECK);
}

void held_let_go(struct tracker *t, uint64_t since)
{
	struct keys *k = &t->keys;
	struct look look = { .uses = bpf_map__fd(t->ld->skel->maps.file_stats),
			     .socks = bpf_map__fd(t->ld->skel->maps.sock_stats),
			     .since = since,
			     .socks_too = t->ld->counts_only };
	pseudo_devs(&look.pipefs, &look.sockfs);
	if (!k->rb || !look.pipefs || (look.socks_too && !look.sockfs))
		return;
	for (uint32_t slot = 0; slot < t->max_procs; slot++) {
		struct key_list *l = &k->slots[slot];
		uint32_t pid = t->slots[slot].pid;
		if (!pid || l->walk || !due(l))
			continue;
		uint64_t *inodes;
		if (!inodes_held(pid, &inodes, &look.n_held)) {
			/* not readable now (ended, or not dumpable): looked at again as it grows */
			l->check_at = l->len * 2;
			continue;
		}
		look.held = inodes;
		look.recent = 0;
		/* CAP_BPF for the tables only, not while /proc is read */
		caps_bpf_raise();
		keys_drop_if(k, slot, gone, &look);
		caps_bpf_lower();
		free(inodes);
		/* the next look once it grew by a step that pays for this one (its list and its
		 * fds read) */
		uint32_t step = l->len / 4 > look.n_held ? l->len / 4 : look.n_held;
		l->check_at = l->len + (step > HELD_CHECK ? step : HELD_CHECK);
		l->recheck = look.recent ? 2 : 0;
	}
}
