// SPDX-License-Identifier: MIT
/*
 * The output queue (output.h): lines wait here until the socket takes them, so a slow reader
 * never blocks the event loop, and one that stops reading altogether ends the helper.
 */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "messages.h"
#include "output.h"
#include "protocol.h"

#define OUT_MAX (16u << 20) /* the app stopped reading if this much is queued */

static struct {
	int fd;
	char *buf;
	/* the lines not yet written are buf[off, len): a write moves off, not the rest of the
	 * queue (megabytes in a burst, for the few hundred KiB a write takes) */
	size_t off, len, cap;
	bool blocked; /* waiting for EPOLLOUT */
	bool failed;
	int epfd;
	uint32_t idle_events;
} out = { .fd = 3, .epfd = -1 };

void out_init(int fd)
{
	out.fd = fd;
}

void out_watch(int epfd, uint32_t idle_events)
{
	out.epfd = epfd;
	out.idle_events = idle_events;
}

bool out_failed(void)
{
	return out.failed;
}

void out_flush(void)
{
	while (out.off < out.len) {
		ssize_t n = write(out.fd, out.buf + out.off, out.len - out.off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			out.failed = true; /* the app went away */
			out.off = out.len = 0;
			return;
		}
		out.off += (size_t)n;
	}
	if (out.off == out.len)
		out.off = out.len = 0;
	bool blocked = out.len > out.off;
	if (blocked != out.blocked && out.epfd >= 0) {
		/* wake up when the socket can take more; the loop flushes after every wake-up */
		struct epoll_event ev = { .events = out.idle_events | (blocked ? EPOLLOUT : 0),
					  .data.fd = out.fd };
		epoll_ctl(out.epfd, EPOLL_CTL_MOD, out.fd, &ev);
		out.blocked = blocked;
	}
}

void out_make_room(void)
{
	/* wait for the app to read (up to 5 s) rather than let one burst outgrow the queue */
	for (int i = 0; i < 50 && out.len - out.off > OUT_MAX / 4 && !out.failed; i++) {
		struct pollfd p = { .fd = out.fd, .events = POLLOUT };
		if (poll(&p, 1, 100) > 0)
			out_flush();
	}
}

void out_flush_all(void)
{
	fcntl(out.fd, F_SETFL, fcntl(out.fd, F_GETFL) & ~O_NONBLOCK);
	out_flush();
}

void out_line(struct jbuf *j)
{
	size_t need = j->len + 1;
	if (j->oom || need > MESSAGE_MAX) {
		fprintf(stderr, "syscope-helper: dropping a %zu-byte message (limit %d)\n", j->len,
			MESSAGE_MAX);
		return;
	}
	if (out.len - out.off + need > OUT_MAX) {
		fprintf(stderr,
			"syscope-helper: the app has not read %u bytes of output; exiting\n",
			OUT_MAX);
		out.failed = true;
		return;
	}
	/* room at the front, once the written part is at least as big as the rest (each byte is
	 * moved at most once for each byte written before it), or rather than grow past OUT_MAX */
	if (out.len + need > out.cap && out.off &&
	    (out.off >= out.len - out.off || out.len + need > OUT_MAX)) {
		memmove(out.buf, out.buf + out.off, out.len - out.off);
		out.len -= out.off;
		out.off = 0;
	}
	if (out.len + need > out.cap) {
		size_t cap = out.cap ? out.cap : 65536;
		while (cap < out.len + need)
			cap *= 2;
		char *b = realloc(out.buf, cap);
		if (!b) {
			out.failed = true;
			return;
		}
		out.buf = b;
		out.cap = cap;
	}
	memcpy(out.buf + out.len, j->buf, j->len);
	out.buf[out.len + j->len] = '\n';
	out.len += need;
}

void out_fatal(const char *code, const char *message)
{
	/* the app may be waiting for hello: tell it why not, then exit */
	struct jbuf j = { 0 };
	msg_error(&j, 0, code, message);
	jb_raw(&j, "\n");
	if (!j.oom && write(out.fd, j.buf, j.len) < 0) {
		/* nothing else to do: stderr already has it */
	}
	jb_free(&j);
}

void out_free(void)
{
	free(out.buf);
	out.buf = NULL;
	out.off = out.len = out.cap = 0;
}
