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
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "diagnose.h"
#include "events.h"
#include "loader.h"
#include "output.h"
#include "requests.h"
#include "session.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"
#include "version.h"

#define MAX_PROCS 65536
_Static_assert(MAX_PROCS <= SLOT_STAMPS, "the kernel keeps a stamp for each slot (bpf/keys.bpf.h)");
/*
 * Every process slot pins kernel memory for the helper's whole life: 512 syscall counters of 32
 * bytes, 16 latency rows, 8 thread records, its run counters and its free-slot entry. Measured
 * with `bpftool map show` (the maps' memlock) between --max-procs 4096 and 16384: 27,163 bytes a
 * slot in tp_btf mode, 27,322 in raw_tp (its hash adds an entry), so 65536 slots pin about
 * 1.66 GiB. A caller who is not root gets at most 4096 (about 106 MiB; docs/helper.md).
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
	"  --detail          files and network: which files and sockets each process used, and how\n"
	"                    much (in the tp_btf mode: Linux 6.2 or later; auto takes raw_tp before)\n"
	"  --counts-only     calls and failures only (by errno): the exit hook alone, no clock;\n"
	"                    no latency or slowest calls; with --detail, no time in calls\n"
	"                    (not in the tracepoint mode)\n"
	"  --slowest N       the slowest calls kept, 1..1000 (default 100)\n"
	"  --io fd3|stdio    talk over fd 3 (default), or read fd 0 and write fd 1\n"
	"  --btf FILE        kernel BTF to use when /sys/kernel/btf/vmlinux is missing (root only)\n"
	"  --diagnose        print what this machine supports as JSON and exit\n"
	"  --detail-probe-ms N  with --diagnose: stop loading --detail's programs after N ms,\n"
	"                    1..8000 (default 8000), and say so\n"
	"  --version         print version and build id\n"
	"  -h, --help        this help\n";

/* where requests come from and lines go to: fd 3 both ways, or 0 and 1 (--io stdio) */
static struct {
	int in_fd, out_fd;
} io = { .in_fd = 3, .out_fd = 3 };

static struct session app;

/* fd 3 must be a connected AF_UNIX stream socket whose peer is this user (or root). */
static int check_socket(int fd, char *why, size_t whylen)
{
	int type = 0, domain = 0;
	socklen_t l = sizeof(int);
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) || type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) || domain != AF_UNIX) {
		snprintf(
			why, whylen,
			"fd %d is not a Unix stream socket: syscope-helper is started by the syscope app, which passes its socket as fd 3 (see --help)",
			fd);
		return -ENOTSOCK;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl)) {
		snprintf(why, whylen, "cannot read the peer's credentials: %s", strerror(errno));
		return -errno;
	}
	if (getuid() != 0 && cred.uid != getuid() && cred.uid != 0) {
		snprintf(why, whylen, "the socket's peer is uid %u, not uid %u", cred.uid,
			 getuid());
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
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	app.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	rb = ring_buffer__new(bpf_map__fd(app.ld.skel->maps.events), events_on_ring, &app, NULL);
	if (epfd < 0 || app.timer_fd < 0 || sfd < 0 || !rb) {
		err = -errno;
		fprintf(stderr, "syscope-helper: set up the event loop: %s\n", strerror(errno));
		goto cleanup;
	}
	fcntl(io.in_fd, F_SETFL, fcntl(io.in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(io.out_fd, F_SETFL, fcntl(io.out_fd, F_GETFL) | O_NONBLOCK);
	requests_set_interval(&app, 100);
	/* output that waits also wakes the loop (EPOLLOUT) */
	out_watch(epfd, io.out_fd == io.in_fd ? EPOLLIN : 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = io.in_fd };
	epoll_ctl(epfd, EPOLL_CTL_ADD, io.in_fd, &ev);
	if (io.out_fd != io.in_fd) {
		ev = (struct epoll_event){ .events = 0, .data.fd = io.out_fd };
		epoll_ctl(epfd, EPOLL_CTL_ADD, io.out_fd, &ev);
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = app.timer_fd };
	epoll_ctl(epfd, EPOLL_CTL_ADD, app.timer_fd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = sfd };
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = ring_buffer__epoll_fd(rb) };
	epoll_ctl(epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);
	int keys_fd = keys_epoll_fd(&app.tr.keys);
	if (keys_fd >= 0) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = keys_fd };
		epoll_ctl(epfd, EPOLL_CTL_ADD, keys_fd, &ev);
	}

	while (!session_done(&app)) {
		struct epoll_event evs[8];
		int n = epoll_wait(epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (int i = 0; i < n && !session_done(&app); i++) {
			int fd = evs[i].data.fd;
			if (fd == ring_buffer__epoll_fd(rb)) {
				ring_buffer__consume(rb);
			} else if (fd == keys_fd) {
				keys_drain(&app.tr.keys, false);
			} else if (fd == app.timer_fd) {
				uint64_t expirations;
				if (read(app.timer_fd, &expirations, sizeof(expirations)) > 0 &&
				    app.said_hello) {
					/* process events first, so exits are final before this tick */
					ring_buffer__consume(rb);
					events_tick(&app, false);
				}
			} else if (fd == sfd) {
				app.stop = true;
			} else if (fd == io.in_fd &&
				   (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
				requests_read(&app, io.in_fd);
			}
		}
		out_flush();
	}
	/* best effort: whatever is queued (the shutdown reply) goes out before we leave */
	out_flush_all();
cleanup:
	ring_buffer__free(rb);
	if (sfd >= 0)
		close(sfd);
	if (app.timer_fd >= 0)
		close(app.timer_fd);
	out_watch(-1, 0);
	if (epfd >= 0)
		close(epfd);
	return err;
}

/*
 * Whether the caller may shape what is loaded (--btf, a large --max-procs, libbpf's environment).
 * Only root, and only when starting this file gave it nothing it did not have already: AT_SECURE
 * is set whenever the file's capabilities raised the caller's, which includes a root inside a
 * container that lacks CAP_BPF. Everyone else gets the helper's own choices alone.
 */
/* s as a whole decimal number from lo to hi */
static bool number_in(const char *s, long lo, long hi, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	return end != s && !*end && !errno && *v >= lo && *v <= hi;
}

static bool caller_is_trusted(void)
{
	return getuid() == 0 && !getauxval(AT_SECURE);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "max-procs", required_argument, NULL, 'p' },
		{ "io", required_argument, NULL, 'i' },
		{ "btf", required_argument, NULL, 'b' },
		{ "diagnose", no_argument, NULL, 'd' },
		{ "detail", no_argument, NULL, 'D' },
		{ "counts-only", no_argument, NULL, 'C' },
		{ "slowest", required_argument, NULL, 'S' },
		{ "detail-probe-ms", required_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct loader_opts o = { .mode = MODE_AUTO, .max_procs = 1024, .slow_n = 100 };
	bool want_diagnose = false;
	int probe_ms = DETAIL_PROBE_MS;
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
		fprintf(stderr, "syscope-helper: make the process non-dumpable: %s\n",
			strerror(errno));
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
			if (!strcmp(optarg, "auto"))
				o.mode = MODE_AUTO;
			else if (!strcmp(optarg, "tp_btf"))
				o.mode = MODE_TP_BTF;
			else if (!strcmp(optarg, "raw_tp"))
				o.mode = MODE_RAW_TP;
			else if (!strcmp(optarg, "tracepoint"))
				o.mode = MODE_TRACEPOINT;
			else {
				fprintf(stderr,
					"syscope-helper: --mode must be auto, tp_btf, raw_tp or tracepoint\n");
				return 2;
			}
			break;
		case 'p': {
			long v;
			if (!number_in(optarg, 16, MAX_PROCS, &v)) {
				fprintf(stderr,
					"syscope-helper: --max-procs must be from 16 to %d\n",
					MAX_PROCS);
				return 2;
			}
			if (v > MAX_PROCS_UNPRIVILEGED && !trusted) {
				fprintf(stderr,
					"syscope-helper: --max-procs above %d is for root only: each process slot pins about 27 KiB of kernel memory (%d slots, about 106 MiB). Ask for %d or fewer, or run the helper as root\n",
					MAX_PROCS_UNPRIVILEGED, MAX_PROCS_UNPRIVILEGED,
					MAX_PROCS_UNPRIVILEGED);
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
		case 'D':
			o.detail = true;
			break;
		case 'C':
			o.counts_only = true;
			break;
		case 'S': {
			long v;
			if (!number_in(optarg, 1, SLOW_MAX, &v)) {
				fprintf(stderr, "syscope-helper: --slowest must be from 1 to %d\n",
					SLOW_MAX);
				return 2;
			}
			o.slow_n = (uint32_t)v;
			break;
		}
		case 'P': {
			long v;
			if (!number_in(optarg, 1, DETAIL_PROBE_MS, &v)) {
				fprintf(stderr,
					"syscope-helper: --detail-probe-ms must be from 1 to %d\n",
					DETAIL_PROBE_MS);
				return 2;
			}
			probe_ms = (int)v;
			break;
		}
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
	out_init(io.out_fd);
	if (want_diagnose)
		return diagnose(argv[0], &o, probe_ms);

	/* the socket first: nothing is loaded for a caller that is not the app */
	if ((err = check_socket(io.in_fd, why, sizeof(why)))) {
		fprintf(stderr, "syscope-helper: %s\n", why);
		return 2;
	}
	fcntl(io.in_fd, F_SETFD, FD_CLOEXEC);
	fcntl(io.out_fd, F_SETFD, FD_CLOEXEC);
	/* A session of its own, and so a scheduler group of its own where the kernel groups tasks
	 * by session (autogroup, on by default in most distributions' kernels), rather than the
	 * app's: the app is busiest just when the helper is needed most, in a burst of the traced
	 * command's short processes (which have a group of their own: the launcher leads a
	 * session), whose slots the helper frees as it handles their exits (docs/helper.md, "Known
	 * limits": the helper waited ~250-640 ms for a CPU in such a burst, and all 1,024 slots
	 * filled). No terminal is ours to lose: the app ends us by closing the socket. */
	if (getsid(0) != getpid())
		(void)setsid();

	/* open, set rodata, load, attach: one mode, the best that works */
	err = loader_start(&app.ld, &o);
	if (err) {
		/* a refusal is a matter of capabilities only when they are missing (loader.c) */
		bool no_caps = app.ld.failure == LOAD_NO_CAPS;
		snprintf(
			why, sizeof(why), "%s%s", app.ld.error,
			no_caps ? ". syscope-helper needs the capabilities cap_bpf and cap_perfmon on its file: "
				  "run the guided setup (Setup view, or `syscope doctor`), or "
				  "sudo setcap cap_bpf,cap_perfmon=ep <path to syscope-helper>"
				: "");
		fprintf(stderr, "syscope-helper: %s\n", why);
		out_fatal(no_caps || app.ld.failure == LOAD_DENIED ? "EPERM" : "EIO", why);
		return 1;
	}
	err = tracker_init(&app.tr, &app.ld, getuid());
	if (err) {
		fprintf(stderr, "syscope-helper: fill the slot queue: %s\n", strerror(-err));
		out_fatal("EIO", "cannot initialise the tracked-process table");
		goto cleanup;
	}
	err = disk_init(&app.disk, &app.ld);
	if (err) {
		fprintf(stderr, "syscope-helper: set up the disk figures: %s\n", strerror(-err));
		out_fatal("EIO", "cannot set up the disk figures");
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
		out_fatal("EIO", "cannot drop capabilities");
		goto cleanup;
	}
	err = serve();
cleanup:
	disk_free(&app.disk);
	tracker_free(&app.tr);
	loader_stop(&app.ld);
	jb_free(&app.msg);
	out_free();
	return err ? 1 : 0;
}
