// SPDX-License-Identifier: MIT
/*
 * syscope-helper: counts every syscall of the processes the app asks it to watch (and their
 * descendants) with eBPF, and streams per-interval counts over the Unix socket the app gave it
 * as fd 3 (docs/protocol.md). Needs cap_bpf,cap_perfmon on its file (or root); drops every
 * capability once its programs are attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "helper.h"
#include "protocol.h"
#include "syscope.h"
#include "syscope.skel.h"


#define OUT_MAX (16u << 20) /* the app stopped reading if this much is queued */

#define MAX_PROCS 65536
/*
 * Every process slot pins kernel memory for the helper's whole life: 512 syscall counters of 24
 * bytes, its run counters and its free-slot entry. Measured with `bpftool map show` (the maps'
 * memlock) between --max-procs 4096 and 16384: 12,308 bytes a slot in tp_btf mode, 12,404 in
 * raw_tp (its hash adds an entry), so 65536 slots pin about 770 MiB. A caller who is not root
 * gets at most 4096 (about 48 MiB, plus 1.3 MiB that does not depend on it).
 */
#define MAX_PROCS_UNPRIVILEGED 4096

static const char usage[] =
	"Usage: syscope-helper [OPTIONS]\n"
	"\n"
	"Examples:\n"
	"  syscope-helper --diagnose            is eBPF usable here, and what is missing\n"
	"  syscope-helper --mode raw_tp         (started by syscope with fd 3 = its socket)\n"
	"\n"
	"Counts every syscall of the processes syscope asks about, with eBPF, and streams\n"
	"the counts over fd 3. Needs `setcap cap_bpf,cap_perfmon=ep` on this file, or root.\n"
	"\n"
	"Options:\n"
	"  --mode MODE       auto (default), tp_btf, raw_tp or tracepoint\n"
	"  --max-procs N     processes tracked at once, 16..4096 (default 1024; up to 65536 as root)\n"
	"  --io fd3|stdio    talk over fd 3 (default), or read fd 0 and write fd 1\n"
	"  --btf FILE        kernel BTF to use when /sys/kernel/btf/vmlinux is missing (root only)\n"
	"  --diagnose        print what this machine supports as JSON and exit\n"
	"  --version         print version and build id\n"
	"  -h, --help        this help\n";

static struct {
	int in_fd, out_fd;
	char *out;
	size_t out_len, out_cap;
	bool out_blocked;
	int epfd;
} io = { .in_fd = 3, .out_fd = 3, .epfd = -1 };

static struct {
	struct loader ld;
	struct tracker tr;
	struct jbuf msg;
	bool said_hello;
	bool stop;
	int timer_fd;
	uint64_t last_drops[DROP_MAX];
} app;

static void flush_out(void)
{
	while (io.out_len) {
		ssize_t n = write(io.out_fd, io.out, io.out_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			app.stop = true; /* the app went away */
			io.out_len = 0;
			return;
		}
		memmove(io.out, io.out + n, io.out_len - (size_t)n);
		io.out_len -= (size_t)n;
	}
	bool blocked = io.out_len > 0;
	if (blocked != io.out_blocked && io.epfd >= 0) {
		/* wake up when the socket can take more; the loop flushes after every wake-up */
		uint32_t in = io.out_fd == io.in_fd ? EPOLLIN : 0;
		struct epoll_event ev = { .events = in | (blocked ? EPOLLOUT : 0), .data.fd = io.out_fd };
		epoll_ctl(io.epfd, EPOLL_CTL_MOD, io.out_fd, &ev);
		io.out_blocked = blocked;
	}
}

void out_line(struct jbuf *j)
{
	size_t need = j->len + 1;
	if (j->oom || need > MESSAGE_MAX) {
		fprintf(stderr, "syscope-helper: dropping a %zu-byte message (limit %d)\n", j->len, MESSAGE_MAX);
		return;
	}
	if (io.out_len + need > OUT_MAX) {
		fprintf(stderr, "syscope-helper: the app has not read %u bytes of output; exiting\n", OUT_MAX);
		app.stop = true;
		return;
	}
	if (io.out_len + need > io.out_cap) {
		size_t cap = io.out_cap ? io.out_cap : 65536;
		while (cap < io.out_len + need)
			cap *= 2;
		char *b = realloc(io.out, cap);
		if (!b) {
			app.stop = true;
			return;
		}
		io.out = b;
		io.out_cap = cap;
	}
	memcpy(io.out + io.out_len, j->buf, j->len);
	io.out[io.out_len + j->len] = '\n';
	io.out_len += need;
}

static void reply_error(uint32_t id, int err, const char *message)
{
	struct jbuf *j = &app.msg;
	jb_reset(j);
	jb_raw(j, "{\"type\":\"error\"");
	if (id) {
		jb_key(j, "id");
		jb_u64(j, id);
	}
	jb_key(j, "code");
	jb_str(j, errno_code(err));
	jb_key(j, "message");
	jb_str(j, message);
	jb_raw(j, "}");
	out_line(j);
}

static void reply_ok(uint32_t id, uint32_t pid)
{
	struct jbuf *j = &app.msg;
	jb_reset(j);
	jb_raw(j, "{\"type\":\"ok\",\"id\":");
	jb_u64(j, id);
	if (pid) {
		jb_raw(j, ",\"pid\":");
		jb_u64(j, pid);
	}
	jb_raw(j, "}");
	out_line(j);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void send_hello(void)
{
	struct utsname u;
	struct jbuf *j = &app.msg;
	uname(&u);
	jb_reset(j);
	jb_raw(j, "{\"type\":\"hello\",\"version\":1");
	jb_key(j, "helper");
	jb_str(j, SYSCOPE_VERSION);
	jb_key(j, "build");
	jb_str(j, SYSCOPE_BUILD_ID);
	jb_key(j, "mode");
	jb_str(j, mode_name(app.ld.mode));
	jb_key(j, "kernel");
	jb_str(j, u.release);
	jb_key(j, "arch");
	jb_str(j, u.machine);
	jb_key(j, "uid");
	jb_u64(j, getuid());
	jb_key(j, "caps");
	jb_str(j, caps_have_bpf() ? "held" : caps_bpf_is_on_demand() ? "cap_bpf_on_demand" : "dropped");
	jb_key(j, "max_procs");
	jb_u64(j, app.ld.max_procs);
	jb_key(j, "runs");
	jb_raw(j, app.ld.runs ? "true" : "false");
	jb_raw(j, "}");
	out_line(j);
}

static void send_tick(void)
{
	struct jbuf *j = &app.msg;
	__u64 *drops = app.ld.skel->bss->drops;
	tracker_note_runs(&app.tr);
	tracker_emit_all(&app.tr, j);
	tracker_emit_ran(&app.tr, j);
	jb_reset(j);
	jb_raw(j, "{\"type\":\"tick\",\"seq\":");
	jb_u64(j, app.tr.seq);
	jb_raw(j, ",\"t_ns\":");
	jb_u64(j, now_ns());
	jb_raw(j, ",\"drops\":{\"procs\":");
	jb_u64(j, __atomic_load_n(&drops[DROP_PROCS], __ATOMIC_RELAXED));
	jb_raw(j, ",\"events\":");
	jb_u64(j, __atomic_load_n(&drops[DROP_EVENTS], __ATOMIC_RELAXED));
	jb_raw(j, ",\"nr\":");
	jb_u64(j, __atomic_load_n(&drops[DROP_NR], __ATOMIC_RELAXED));
	jb_raw(j, "}}");
	out_line(j);
	app.tr.seq++;
}

static int set_interval(uint32_t ms)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
	};
	return timerfd_settime(app.timer_fd, 0, &its, NULL) ? -errno : 0;
}

static void handle_request(const char *line, size_t len)
{
	struct request r;
	uint32_t id = 0;
	char err[256];
	int rc = parse_request(line, len, &r, &id, err, sizeof(err));

	if (rc) {
		reply_error(id, rc, err);
		return;
	}
	if (r.verb == REQ_HELLO) {
		if (app.said_hello)
			reply_error(0, -EPROTO, "hello was already sent");
		else if (r.version != PROTOCOL_VERSION)
			reply_error(0, -EPROTO, "unsupported protocol version: this helper speaks 1");
		else {
			app.said_hello = true;
			send_hello();
		}
		return;
	}
	if (!app.said_hello) {
		reply_error(r.id, -EPROTO, "send hello first");
		return;
	}
	switch (r.verb) {
	case REQ_TRACK:
	case REQ_LAUNCH:
		rc = tracker_add(&app.tr, r.pid, r.descendants, r.verb == REQ_LAUNCH, err, sizeof(err));
		if (rc)
			reply_error(r.id, rc, err);
		else
			reply_ok(r.id, r.pid);
		break;
	case REQ_UNTRACK:
		if (tracker_remove(&app.tr, r.pid, &app.msg))
			reply_error(r.id, -ESRCH, "that pid is not tracked");
		else
			reply_ok(r.id, r.pid);
		break;
	case REQ_INTERVAL:
		rc = set_interval(r.interval_ms);
		if (rc)
			reply_error(r.id, rc, strerror(-rc));
		else
			reply_ok(r.id, 0);
		break;
	case REQ_SHUTDOWN:
		send_tick();
		reply_ok(r.id, 0);
		app.stop = true;
		break;
	default:
		break;
	}
}

static bool on_request_line(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	handle_request(line, len);
	return !app.stop;
}

static void on_request_too_long(void *ctx)
{
	(void)ctx;
	reply_error(0, -E2BIG, "request longer than 256 bytes");
}

/* Read what the app sent; requests are lines of at most REQUEST_MAX bytes. */
static void read_requests(void)
{
	static struct line_reader reader;
	static const struct line_handler handler = {
		.line = on_request_line,
		.too_long = on_request_too_long,
	};

	while (!app.stop) {
		size_t room;
		char *space = line_reader_space(&reader, &room);
		ssize_t n = read(io.in_fd, space, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				app.stop = true;
			return;
		}
		if (n == 0) {
			app.stop = true; /* the app closed the socket */
			return;
		}
		line_reader_take(&reader, (size_t)n, &handler);
	}
}

/*
 * A process's figures at exit (or, with EV_BASELINE, at the exec where counting starts): its
 * io, CPU time and what wait4 gives the parent, each field after a comma.
 */
static void put_figures(struct jbuf *j, const struct syscope_event *e)
{
	if (e->io_valid & EV_IO_CHARS) {
		/* [rchar, wchar, read_bytes, write_bytes]: null where the kernel keeps none */
		jb_raw(j, ",\"io\":[");
		for (int k = 0; k < 4; k++) {
			if (k)
				jb_raw(j, ",");
			if (k < 2 || (e->io_valid & EV_IO_BYTES))
				jb_u64(j, e->io[k]);
			else
				jb_raw(j, "null");
		}
		jb_raw(j, "]");
	}
	/* [user, system, run time] ns */
	jb_raw(j, ",\"cpu_ns\":[");
	jb_u64(j, e->cpu[0]);
	jb_raw(j, ",");
	jb_u64(j, e->cpu[1]);
	jb_raw(j, ",");
	jb_u64(j, e->cpu[2]);
	/* max RSS, [minor, major] faults, [voluntary, involuntary] context switches */
	jb_raw(j, "],\"maxrss_bytes\":");
	jb_u64(j, e->rusage[EV_RU_MAXRSS_PAGES] * (uint64_t)sysconf(_SC_PAGESIZE));
	jb_raw(j, ",\"faults\":[");
	jb_u64(j, e->rusage[EV_RU_MINFLT]);
	jb_raw(j, ",");
	jb_u64(j, e->rusage[EV_RU_MAJFLT]);
	jb_raw(j, "],\"ctxsw\":[");
	jb_u64(j, e->rusage[EV_RU_NVCSW]);
	jb_raw(j, ",");
	jb_u64(j, e->rusage[EV_RU_NIVCSW]);
	jb_raw(j, "]");
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct syscope_event *e = data;
	struct jbuf *j = &app.msg;
	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	switch (e->type) {
	case EV_FORK:
		tracker_adopt(&app.tr, e->slot, e->pid);
		jb_reset(j);
		jb_raw(j, "{\"type\":\"fork\",\"t_ns\":");
		jb_u64(j, e->t_ns);
		jb_raw(j, ",\"pid\":");
		jb_u64(j, e->pid);
		jb_raw(j, ",\"ppid\":");
		jb_u64(j, e->ppid);
		jb_raw(j, "}");
		out_line(j);
		break;
	case EV_EXEC:
		jb_reset(j);
		jb_raw(j, "{\"type\":\"exec\",\"t_ns\":");
		jb_u64(j, e->t_ns);
		jb_raw(j, ",\"pid\":");
		jb_u64(j, e->pid);
		jb_key(j, "comm");
		jb_strn(j, e->comm, strnlen(e->comm, sizeof(e->comm)));
		jb_key(j, "filename");
		jb_strn(j, e->filename, strnlen(e->filename, sizeof(e->filename)));
		if (e->io_valid & EV_BASELINE) {
			/* counting starts at this exec: what the process used before it */
			jb_raw(j, ",\"before\":{\"at\":\"exec\"");
			put_figures(j, e);
			jb_raw(j, "}");
		}
		jb_raw(j, "}");
		out_line(j);
		break;
	case EV_EXIT:
	case EV_UNTRACKED:
		/* the final counts come before the exit, then the slot is free for reuse */
		if (e->slot < app.tr.max_procs && app.tr.slots[e->slot].pid == e->pid)
			tracker_release(&app.tr, e->slot, j);
		if (e->type == EV_UNTRACKED) {
			tracker_untracked_line(j, e->t_ns, e->pid, e->reason);
			break;
		}
		jb_reset(j);
		if (e->type == EV_EXIT) {
			jb_raw(j, "{\"type\":\"exit\",\"t_ns\":");
			jb_u64(j, e->t_ns);
			jb_raw(j, ",\"pid\":");
			jb_u64(j, e->pid);
			jb_raw(j, ",\"code\":");
			jb_i64(j, (e->exit_code >> 8) & 0xff);
			jb_raw(j, ",\"signal\":");
			jb_i64(j, e->exit_code & 0x7f);
			put_figures(j, e);
		}
		jb_raw(j, "}");
		out_line(j);
		break;
	}
	return 0;
}

/* fd 3 must be a connected AF_UNIX stream socket whose peer is this user (or root). */
static int check_socket(int fd, char *why, size_t whylen)
{
	int type = 0, domain = 0;
	socklen_t l = sizeof(int);
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) || type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) || domain != AF_UNIX) {
		snprintf(why, whylen,
			 "fd %d is not a Unix stream socket: syscope-helper is started by the syscope app, which passes its socket as fd 3 (see --help)",
			 fd);
		return -ENOTSOCK;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl)) {
		snprintf(why, whylen, "cannot read the peer's credentials: %s", strerror(errno));
		return -errno;
	}
	if (getuid() != 0 && cred.uid != getuid() && cred.uid != 0) {
		snprintf(why, whylen, "the socket's peer is uid %u, not uid %u", cred.uid, getuid());
		return -EPERM;
	}
	return 0;
}

static int serve(void)
{
	struct ring_buffer *rb = NULL;
	sigset_t mask;
	int sfd = -1, err = 0;
	struct epoll_event ev;

	io.epfd = epoll_create1(EPOLL_CLOEXEC);
	app.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	rb = ring_buffer__new(bpf_map__fd(app.ld.skel->maps.events), on_event, NULL, NULL);
	if (io.epfd < 0 || app.timer_fd < 0 || sfd < 0 || !rb) {
		err = -errno;
		fprintf(stderr, "syscope-helper: set up the event loop: %s\n", strerror(errno));
		goto cleanup;
	}
	fcntl(io.in_fd, F_SETFL, fcntl(io.in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(io.out_fd, F_SETFL, fcntl(io.out_fd, F_GETFL) | O_NONBLOCK);
	set_interval(100);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = io.in_fd };
	epoll_ctl(io.epfd, EPOLL_CTL_ADD, io.in_fd, &ev);
	if (io.out_fd != io.in_fd) {
		ev = (struct epoll_event){ .events = 0, .data.fd = io.out_fd };
		epoll_ctl(io.epfd, EPOLL_CTL_ADD, io.out_fd, &ev);
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = app.timer_fd };
	epoll_ctl(io.epfd, EPOLL_CTL_ADD, app.timer_fd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = sfd };
	epoll_ctl(io.epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = ring_buffer__epoll_fd(rb) };
	epoll_ctl(io.epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);

	while (!app.stop) {
		struct epoll_event evs[8];
		int n = epoll_wait(io.epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (int i = 0; i < n && !app.stop; i++) {
			int fd = evs[i].data.fd;
			if (fd == ring_buffer__epoll_fd(rb)) {
				ring_buffer__consume(rb);
			} else if (fd == app.timer_fd) {
				uint64_t expirations;
				if (read(app.timer_fd, &expirations, sizeof(expirations)) > 0 && app.said_hello) {
					/* process events first, so exits are final before this tick */
					ring_buffer__consume(rb);
					send_tick();
				}
			} else if (fd == sfd) {
				app.stop = true;
			} else if (fd == io.in_fd && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
				read_requests();
			}
		}
		flush_out();
	}
	/* best effort: whatever is queued (the shutdown reply) goes out before we leave */
	fcntl(io.out_fd, F_SETFL, fcntl(io.out_fd, F_GETFL) & ~O_NONBLOCK);
	flush_out();
cleanup:
	ring_buffer__free(rb);
	if (sfd >= 0)
		close(sfd);
	if (app.timer_fd >= 0)
		close(app.timer_fd);
	if (io.epfd >= 0)
		close(io.epfd);
	return err;
}

static void fatal_to_app(const char *code, const char *message)
{
	/* the app may be waiting for hello: tell it why not, then exit */
	struct jbuf j = { 0 };
	jb_raw(&j, "{\"type\":\"error\"");
	jb_key(&j, "code");
	jb_str(&j, code);
	jb_key(&j, "message");
	jb_str(&j, message);
	jb_raw(&j, "}\n");
	if (!j.oom && write(io.out_fd, j.buf, j.len) < 0) {
		/* nothing else to do: stderr already has it */
	}
	jb_free(&j);
}

/*
 * Whether the caller may shape what is loaded (--btf, a large --max-procs, libbpf's environment).
 * Only root, and only when starting this file gave it nothing it did not have already: AT_SECURE
 * is set whenever the file's capabilities raised the caller's, which includes a root inside a
 * container that lacks CAP_BPF. Everyone else gets the helper's own choices alone.
 */
static bool caller_is_trusted(void)
{
	return getuid() == 0 && !getauxval(AT_SECURE);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },  { "max-procs", required_argument, NULL, 'p' },
		{ "io", required_argument, NULL, 'i' },    { "btf", required_argument, NULL, 'b' },
		{ "diagnose", no_argument, NULL, 'd' },    { "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },        { 0 },
	};
	struct loader_opts o = { .mode = MODE_AUTO, .max_procs = 1024 };
	bool want_diagnose = false;
	char why[1024];
	int c, err;
	bool trusted = caller_is_trusted();

	/*
	 * Not dumpable, so the user cannot ptrace it, open /proc/PID/fd or pidfd_getfd its BPF fds
	 * once it drops its capabilities: a raw_tp program fd could be attached to another
	 * tracepoint, whose arguments its CO-RE reads would then follow. The kernel leaves a
	 * file-capability exec dumpable when the uids do not change.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		fprintf(stderr, "syscope-helper: make the process non-dumpable: %s\n", strerror(errno));
		return 1;
	}

	/*
	 * Nothing in the caller's environment reaches libbpf or the C library: libbpf reads its
	 * variables with getenv, not secure_getenv (1.1, linked here: PATH and LD_LIBRARY_PATH for
	 * uprobe targets; 1.4 adds LIBBPF_BPF_TOKEN_PATH, 1.5 LIBBPF_LOG_LEVEL), and glibc's
	 * AT_SECURE filter covers only its own (LD_*, GCONV_PATH, ...).
	 */
	if (!trusted && clearenv()) {
		fprintf(stderr, "syscope-helper: clear the environment: %s\n", strerror(errno));
		return 1;
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "auto")) o.mode = MODE_AUTO;
			else if (!strcmp(optarg, "tp_btf")) o.mode = MODE_TP_BTF;
			else if (!strcmp(optarg, "raw_tp")) o.mode = MODE_RAW_TP;
			else if (!strcmp(optarg, "tracepoint")) o.mode = MODE_TRACEPOINT;
			else {
				fprintf(stderr, "syscope-helper: --mode must be auto, tp_btf, raw_tp or tracepoint\n");
				return 2;
			}
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 16 || v > MAX_PROCS) {
				fprintf(stderr, "syscope-helper: --max-procs must be from 16 to %d\n", MAX_PROCS);
				return 2;
			}
			if (v > MAX_PROCS_UNPRIVILEGED && !trusted) {
				fprintf(stderr,
					"syscope-helper: --max-procs above %d is for root only: each process slot pins about 12 KiB of kernel memory (%d slots, about 48 MiB). Ask for %d or fewer, or run the helper as root\n",
					MAX_PROCS_UNPRIVILEGED, MAX_PROCS_UNPRIVILEGED, MAX_PROCS_UNPRIVILEGED);
				return 2;
			}
			o.max_procs = (uint32_t)v;
			break;
		}
		case 'i':
			if (!strcmp(optarg, "stdio")) {
				io.in_fd = 0;
				io.out_fd = 1;
			} else if (strcmp(optarg, "fd3")) {
				fprintf(stderr, "syscope-helper: --io must be fd3 or stdio\n");
				return 2;
			}
			break;
		case 'b':
			o.btf_path = optarg;
			break;
		case 'd':
			want_diagnose = true;
			break;
		case 'V':
			printf("syscope-helper %s (build %s)\n", SYSCOPE_VERSION, SYSCOPE_BUILD_ID);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "syscope-helper: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	/* the file gives every CO-RE offset the programs use: whoever chooses it chooses what they
	 * read, so a caller without root's own privileges never does */
	if (o.btf_path && !trusted) {
		fprintf(stderr,
			"syscope-helper: --btf is for root only: a BTF file decides which kernel memory the BPF programs read, so a helper running with file capabilities takes none from its caller. Run it as root (sudo), or use a kernel with /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF=y)\n");
		return 2;
	}
	o.owner_uid = getuid() == 0 ? (uint32_t)-1 : getuid();
	if (want_diagnose)
		return diagnose(argv[0], &o);

	/* the socket first: nothing is loaded for a caller that is not the app */
	if ((err = check_socket(io.in_fd, why, sizeof(why)))) {
		fprintf(stderr, "syscope-helper: %s\n", why);
		return 2;
	}
	fcntl(io.in_fd, F_SETFD, FD_CLOEXEC);
	fcntl(io.out_fd, F_SETFD, FD_CLOEXEC);

	/* open, set rodata, load, attach: one mode, the best that works */
	err = loader_start(&app.ld, &o);
	if (err) {
		/* a refusal is a matter of capabilities only when they are missing (loader.c) */
		bool no_caps = app.ld.failure == LOAD_NO_CAPS;
		snprintf(why, sizeof(why), "%s%s", app.ld.error,
			 no_caps ? ". syscope-helper needs the capabilities cap_bpf and cap_perfmon on its file: "
				   "run the guided setup (Setup view, or `syscope doctor`), or "
				   "sudo setcap cap_bpf,cap_perfmon=ep <path to syscope-helper>"
				 : "");
		fprintf(stderr, "syscope-helper: %s\n", why);
		fatal_to_app(no_caps || app.ld.failure == LOAD_DENIED ? "EPERM" : "EIO", why);
		return 1;
	}
	err = tracker_init(&app.tr, &app.ld, getuid());
	if (err) {
		fprintf(stderr, "syscope-helper: fill the slot queue: %s\n", strerror(-err));
		fatal_to_app("EIO", "cannot initialise the tracked-process table");
		goto cleanup;
	}
	/* attached: from here on the fds we hold are all we need, except on kernels that check
	 * CAP_BPF for every bpf() command (see caps.c) */
	if (caps_bpf_ops_need_cap(bpf_map__fd(app.ld.skel->maps.syscall_counts),
				  sizeof(struct syscall_counts)))
		err = caps_keep_bpf_on_demand();
	else
		err = caps_drop_all();
	if (err) {
		fprintf(stderr, "syscope-helper: drop capabilities: %s\n", strerror(-err));
		fatal_to_app("EIO", "cannot drop capabilities");
		goto cleanup;
	}
	err = serve();
cleanup:
	tracker_free(&app.tr);
	loader_stop(&app.ld);
	jb_free(&app.msg);
	free(io.out);
	return err ? 1 : 0;
}
