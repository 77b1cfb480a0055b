// SPDX-License-Identifier: MIT
/* The app's requests (docs/protocol.md): read as lines, parsed by protocol.c, answered here. */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "caps.h"
#include "events.h"
#include "messages.h"
#include "output.h"
#include "protocol.h"
#include "requests.h"
#include "session.h"
#include "tracker.h"

static void reply_error(struct session *s, uint32_t id, int err, const char *message)
{
	msg_error(&s->msg, id, errno_code(err), message);
	out_line(&s->msg);
}

static void reply_ok(struct session *s, uint32_t id, uint32_t pid)
{
	msg_ok(&s->msg, id, pid);
	out_line(&s->msg);
}

static void send_hello(struct session *s)
{
	struct utsname u;
	uname(&u);
	struct hello_info h = {
		.mode = mode_name(s->ld.mode),
		.kernel = u.release,
		.arch = u.machine,
		.uid = getuid(),
		.caps = caps_have_bpf()		  ? "held"
			: caps_bpf_is_on_demand() ? "cap_bpf_on_demand"
						  : "dropped",
		.max_procs = s->ld.max_procs,
		.runs = s->ld.runs != NULL,
		.detail = s->ld.detail,
		.tcp_states = s->ld.detail && s->ld.mode != MODE_TRACEPOINT,
		.detail_error = s->ld.detail_error[0] ? s->ld.detail_error : NULL,
		.timing = s->ld.counts_only ? "counts" : "timed",
		.slowest = s->ld.slow_n,
		.threads = s->ld.threads != NULL,
		.disk = s->ld.disk,
		.disk_submitter = s->ld.disk_submit ? "submit" : "issue",
	};
	msg_hello(&s->msg, &h);
	out_line(&s->msg);
}

int requests_set_interval(struct session *s, uint32_t ms)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
	};
	return timerfd_settime(s->timer_fd, 0, &its, NULL) ? -errno : 0;
}

static void handle_request(struct session *s, const char *line, size_t len)
{
	struct request r;
	uint32_t id = 0;
	char err[256];
	int rc = parse_request(line, len, &r, &id, err, sizeof(err));

	if (rc) {
		reply_error(s, id, rc, err);
		return;
	}
	if (r.verb == REQ_HELLO) {
		if (s->said_hello)
			reply_error(s, 0, -EPROTO, "hello was already sent");
		else if (r.version != PROTOCOL_VERSION)
			reply_error(s, 0, -EPROTO,
				    "unsupported protocol version: this helper speaks 1");
		else {
			s->said_hello = true;
			send_hello(s);
		}
		return;
	}
	if (!s->said_hello) {
		reply_error(s, r.id, -EPROTO, "send hello first");
		return;
	}
	switch (r.verb) {
	case REQ_TRACK:
	case REQ_LAUNCH:
		rc = tracker_add(&s->tr, r.pid, r.descendants, r.verb == REQ_LAUNCH, err,
				 sizeof(err));
		if (rc)
			reply_error(s, r.id, rc, err);
		else
			reply_ok(s, r.id, r.pid);
		break;
	case REQ_UNTRACK:
		if (tracker_remove(&s->tr, r.pid, &s->msg))
			reply_error(s, r.id, -ESRCH, "that pid is not tracked");
		else
			reply_ok(s, r.id, r.pid);
		break;
	case REQ_INTERVAL:
		rc = requests_set_interval(s, r.interval_ms);
		if (rc)
			reply_error(s, r.id, rc, strerror(-rc));
		else
			reply_ok(s, r.id, 0);
		break;
	case REQ_SHUTDOWN:
		events_tick(s, true);
		reply_ok(s, r.id, 0);
		s->stop = true;
		break;
	default:
		break;
	}
}

static bool on_request_line(void *ctx, const char *line, size_t len)
{
	struct session *s = ctx;
	handle_request(s, line, len);
	return !session_done(s);
}

static void on_request_too_long(void *ctx)
{
	reply_error(ctx, 0, -E2BIG, "request longer than 256 bytes");
}

/* Read what the app sent; requests are lines of at most REQUEST_MAX bytes. */
void requests_read(struct session *s, int fd)
{
	static struct line_reader reader;
	const struct line_handler handler = {
		.line = on_request_line,
		.too_long = on_request_too_long,
		.ctx = s,
	};

	while (!session_done(s)) {
		size_t room;
		char *space = line_reader_space(&reader, &room);
		ssize_t n = read(fd, space, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				s->stop = true;
			return;
		}
		if (n == 0) {
			s->stop = true; /* the app closed the socket */
			return;
		}
		line_reader_take(&reader, (size_t)n, &handler);
	}
}
