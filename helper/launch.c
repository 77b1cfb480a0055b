// SPDX-License-Identifier: MIT
/*
 * syscope-launch [--die-with PID] [--guard FD | --pty FD_CTL FD_TERM] FD_GO FD_ERR -- PROGRAM [ARGS...]
 *
 * Waits until the app has armed this pid in the helper (one byte on FD_GO), then execs PROGRAM,
 * so the helper counts every syscall after exec and none of ours before it. Before it waits it
 * writes one byte on FD_GO (a socket): the app arms only then. Arming as soon as the app's spawn
 * returns was too early under load: the spawn returns once our exec has closed its close-on-exec
 * fds, before the kernel's exec event, which then took our exec for PROGRAM's and counted our
 * own read and close. EOF on FD_GO means
 * "cancelled": exit 125 without exec. If exec fails, errno goes to FD_ERR as decimal text and we
 * exit 127; FD_ERR is close-on-exec, so a successful exec closes it with nothing written.
 * --die-with PID: PID is our parent (the app); should it die, even by SIGKILL, PROGRAM gets
 * SIGKILL instead of running on orphaned. If it is gone already, exit 125 without exec.
 * Never has capabilities: it is a plain binary.
 *
 * --guard FD (without --pty): FD is a socket to the app. Before anything else a guard process is
 * started (a double fork: PROGRAM never has it as a child) that stays in our process group,
 * which becomes PROGRAM's, and waits on FD; "guarded\n" is written on FD once it runs, and the
 * app arms us only then, so the guard is never tracked. 'r' from the app releases the guard: it
 * exits and PROGRAM's group is left alone. EOF without 'r' (the app died, even by SIGKILL) makes
 * it SIGKILL the whole group: PROGRAM's descendants with it, which the parent-death signal does
 * not reach. (On a pty, the relay's death hangs up the terminal, which ends its foreground group.)
 * The guard ignores the signals the app sends the group to stop it, so SIGKILL alone ends it.
 *
 * --pty FD_CTL FD_TERM: PROGRAM runs on a new pseudo-terminal, its controlling terminal and its
 * stdin, stdout and stderr. FD_TERM is the app's terminal (or "-"): the new one starts with its
 * settings and window size. Then we fork:
 *  - the child puts itself in a process group of its own, the terminal's foreground group, and
 *    waits on FD_GO and execs as above: it is PROGRAM, the pid the app arms and tracks.
 *  - we stay as its parent and relay: our stdin to the terminal, the terminal to our stdout, so
 *    the app only sees pipes. We are not PROGRAM's descendant, so none of our syscalls is counted.
 *    We lead the terminal's session from another process group, which keeps PROGRAM's group
 *    from being orphaned: Ctrl-Z stops it as in a shell (the kernel ignores SIGTSTP from a
 *    terminal in an orphaned group), and waitpid tells us.
 * FD_CTL is a socket to the app, lines out, bytes in:
 *    out "pid N"       PROGRAM's pid, sent once its group is the foreground; arm N, then go
 *    out "stopped" / "continued"   PROGRAM stopped (Ctrl-Z, SIGSTOP) or was continued
 *    in 'w'            copy FD_TERM's window size to the terminal (PROGRAM gets SIGWINCH)
 *    in 'd'            the app's input ended: the terminal's EOF character (^D) goes in
 *    in 'r'            the app put FD_TERM in raw mode: turn its output processing off too, as
 *                      Node cannot; PROGRAM's terminal did that processing already (a bare \n of
 *                      a program that cleared ONLCR, vim does, must stay a line feed). The app
 *                      restores FD_TERM's settings whole when it leaves raw mode.
 * When PROGRAM exits we read the terminal until it is closed (all its output, exactly: the
 * kernel gives what is buffered before EIO), for at most DRAIN_MS should a process PROGRAM left
 * behind hold it, then exit as PROGRAM did: its code, or its signal raised on ourselves.
 * Our stdout closed by the app (it exited or detached) only stops the copy: PROGRAM runs on.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* after PROGRAM exits, how long a process it left behind may keep its terminal open (ms) */
#define DRAIN_MS 500

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && !*end && v >= 3 && v < 1024) ? (int)v : -1;
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	return (*s && !*end && v >= 1 && v <= 4194304) ? (pid_t)v : -1;
}

static int fail(const char *step, int err)
{
	fprintf(stderr, "syscope-launch: %s: %s\n", step, strerror(err));
	return -err;
}

/*
 * The parent-death signal survives exec (not into a setuid or setcap program: the kernel clears
 * it there). The parent may have died before prctl() took effect: then we were reparented
 * already, and getppid() afterwards says so.
 */
static int die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return fail("prctl(PR_SET_PDEATHSIG)", errno);
	if (getppid() != parent) {
		fprintf(stderr,
			"syscope-launch: the app (pid %d) is gone; not starting the command\n",
			(int)parent);
		return -ESRCH;
	}
	return 0;
}

/* Returns only if there was no go (125) or exec failed (127): the status to exit with. */
static int exec_on_go(int fd_go, int fd_err, char **argv)
{
	char go = 'r';
	ssize_t n;

	/* we run: our exec is done. (On a plain pipe the write fails; no caller of that kind waits
	 * for it, so its result is not checked.) */
	(void)!write(fd_go, &go, 1);
	do
		n = read(fd_go, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return 125;
	close(fd_go);
	execvp(argv[0], argv);
	dprintf(fd_err, "%d", errno);
	return 127;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void say(int ctl, const char *fmt, ...)
{
	char line[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* the app gone is not our concern: PROGRAM runs on */
	if (n > 0 && (size_t)n < sizeof(line))
		(void)write_all(ctl, line, (size_t)n);
}

/*
 * The guard's life: in our process group, holding nothing of ours but FD (its cwd the root, so
 * that it keeps no mount busy), until the app releases it or goes.
 */
static void guard_run(int fd)
{
	static const int ignored[] = {
		SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU
	};
	int null = open("/dev/null", O_RDWR);
	pid_t group = getpgrp();
	char c;
	ssize_t n;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "syscope-guard", 0, 0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    dup2(fd, 3) < 0 || close_range(4, ~0U, 0) || chdir("/"))
		_exit(1);
	for (;;) {
		n = read(3, &c, 1);
		if (n == 1 && c == 'r')
			_exit(0);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	kill(-group, SIGKILL); /* ourselves too */
	_exit(0);
}

static int start_guard(int fd)
{
	pid_t mid = fork();
	int status;

	if (mid < 0)
		return fail("fork (guard)", errno);
	if (mid == 0) {
		pid_t guard = fork();

		if (guard == 0)
			guard_run(fd);
		_exit(guard < 0 ? 1 : 0);
	}
	if (waitpid(mid, &status, 0) != mid || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail("fork (guard)", EAGAIN);
	if (write_all(fd, "guarded\n", 8))
		return fail("writing to the guard's socket", errno);
	close(fd); /* the guard's now: PROGRAM holds no end of it */
	return 0;
}

/* The app's terminal's window size to PROGRAM's (the kernel sends SIGWINCH if it changed). */
static void copy_winsize(int term, int tty)
{
	struct winsize ws;

	if (term >= 0 && ioctl(term, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		(void)ioctl(tty, TIOCSWINSZ, &ws);
}

static void raw_output(int term)
{
	struct termios tio;

	if (term >= 0 && tcgetattr(term, &tio) == 0 && (tio.c_oflag & OPOST)) {
		tio.c_oflag &= ~OPOST;
		(void)tcsetattr(term, TCSANOW, &tio);
	}
}

/*
 * A new pseudo-terminal with the app's terminal's settings and size (80x24 and the kernel's
 * defaults without one), made our controlling terminal: we lead a session already (the app
 * starts us with setsid) or lead a new one.
 */
static int pty_open(int term, int *master_out, int *slave_out)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct termios tio;
	char name[64];
	int master, slave, err;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return fail("posix_openpt", errno);
	if (grantpt(master) || unlockpt(master)) {
		err = fail("grantpt/unlockpt", errno);
		goto close_master;
	}
	err = ptsname_r(master, name, sizeof(name));
	if (err) {
		err = fail("ptsname_r", err);
		goto close_master;
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		err = fail(name, errno);
		goto close_master;
	}
	if (term >= 0 && isatty(term)) {
		if (tcgetattr(term, &tio) == 0 && tcsetattr(slave, TCSANOW, &tio)) {
			err = fail("tcsetattr on the new terminal", errno);
			goto close_slave;
		}
		(void)ioctl(term, TIOCGWINSZ, &ws);
		if (!ws.ws_row || !ws.ws_col)
			ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	}
	if (ioctl(slave, TIOCSWINSZ, &ws)) {
		err = fail("TIOCSWINSZ", errno);
		goto close_slave;
	}
	if (getsid(0) != getpid() && setsid() < 0) {
		err = fail("setsid", errno);
		goto close_slave;
	}
	if (ioctl(slave, TIOCSCTTY, 0)) {
		err = fail("TIOCSCTTY", errno);
		goto close_slave;
	}
	*master_out = master;
	*slave_out = slave;
	return 0;
close_slave:
	close(slave);
close_master:
	close(master);
	return err;
}

/* In the child: PROGRAM's process group, terminal and parent-death signal, then exec on go. */
static int pty_child(int slave, int fd_go, int fd_err, const int *shut, pid_t relay, char **argv,
		     const sigset_t *mask)
{
	/* the parent does the same: whichever runs first, the group exists before tcsetpgrp */
	setpgid(0, 0);
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return 125;
	/* nothing of the app's or the relay's reaches PROGRAM: only 0-2, go and err stay */
	for (; *shut != -2; shut++)
		if (*shut >= 0)
			close(*shut);
	/* the relay's blocked SIGCHLD would be inherited through exec */
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (relay && die_with(relay))
		return 125;
	return exec_on_go(fd_go, fd_err, argv);
}

/* A signal PROGRAM died of, raised on ourselves so that the app sees the same end. */
static int exit_as(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	/* PROGRAM dumped its core, if it was to: not a second one of ours */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct relay {
	int master, ctl, term, sig;
	pid_t child;
	bool in_open, ctl_open, out_open, tty_open, exited, eof_asked;
	int status;
	long long deadline;
	char in[4096];
	size_t in_len, in_off;
};

/* PROGRAM's state changes: waitpid reports stops and continues as well as its end. */
static void reap(struct relay *r)
{
	struct signalfd_siginfo si;
	int st;

	while (read(r->sig, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	while (!r->exited) {
		pid_t p = waitpid(r->child, &st, WNOHANG | WUNTRACED | WCONTINUED);

		if (p <= 0)
			break;
		if (WIFSTOPPED(st)) {
			say(r->ctl, "stopped\n");
		} else if (WIFCONTINUED(st)) {
			say(r->ctl, "continued\n");
		} else {
			r->exited = true;
			r->status = st;
			r->deadline = now_ms() + DRAIN_MS;
		}
	}
}

static void from_tty(struct relay *r)
{
	char buf[16384];
	ssize_t n = read(r->master, buf, sizeof(buf));

	if (n > 0) {
		/* our stdout closed: PROGRAM's output goes nowhere, but it runs on */
		if (r->out_open && write_all(1, buf, (size_t)n))
			r->out_open = false;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		/* EIO: every process has closed the terminal, and we have read all it held */
		r->tty_open = false;
	}
}

static void to_tty(struct relay *r)
{
	if (r->in_len) {
		ssize_t n = write(r->master, r->in + r->in_off, r->in_len);

		if (n > 0) {
			r->in_off += (size_t)n;
			r->in_len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r->in_len = 0;
		}
	} else if (r->eof_asked && !r->in_open) {
		struct termios tio;

		/* in canonical mode, as a terminal's ^D: read() returns 0 */
		if (tcgetattr(r->master, &tio) == 0 && (tio.c_lflag & ICANON))
			(void)write(r->master, &tio.c_cc[VEOF], 1);
		r->eof_asked = false;
	}
}

static void from_input(struct relay *r)
{
	ssize_t n = read(0, r->in, sizeof(r->in));

	if (n > 0) {
		r->in_off = 0;
		r->in_len = (size_t)n;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		r->in_open = false;
	}
}

static void from_ctl(struct relay *r)
{
	char buf[64];
	ssize_t i, n = read(r->ctl, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		r->ctl_open = false;
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == 'w')
			copy_winsize(r->term, r->master);
		else if (buf[i] == 'd')
			r->eof_asked = true;
		else if (buf[i] == 'r')
			raw_output(r->term);
	}
}

static int relay_run(struct relay *r)
{
	for (;;) {
		bool out_pending = r->in_len || (r->eof_asked && !r->in_open);
		struct pollfd p[4] = {
			{ .fd = r->tty_open ? r->master : -1,
			  .events = POLLIN | (out_pending ? POLLOUT : 0) },
			{ .fd = r->in_open && !r->in_len ? 0 : -1, .events = POLLIN },
			{ .fd = r->ctl_open ? r->ctl : -1, .events = POLLIN },
			{ .fd = r->sig, .events = POLLIN },
		};
		int timeout = -1, n;

		if (r->exited) {
			long long left = r->deadline - now_ms();

			if (!r->tty_open || left <= 0)
				return exit_as(r->status);
			timeout = (int)left;
		}
		n = poll(p, 4, timeout);
		if (n < 0 && errno != EINTR)
			return fail("poll", errno), 125;
		if (n <= 0)
			continue;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			from_tty(r);
		if (r->tty_open && (p[0].revents & POLLOUT))
			to_tty(r);
		if (p[1].revents)
			from_input(r);
		if (p[2].revents)
			from_ctl(r);
		if (p[3].revents)
			reap(r);
	}
}

static int run_on_pty(int fd_go, int fd_err, int ctl, int term, pid_t parent, char **argv)
{
	struct relay r = { .ctl = ctl,
			   .term = term,
			   .in_open = true,
			   .ctl_open = true,
			   .out_open = true,
			   .tty_open = true };
	sigset_t chld, old;
	int slave = -1, err;

	err = pty_open(term, &r.master, &slave);
	if (err)
		return 125;
	/* blocked before fork, so that no SIGCHLD is lost before the signalfd exists */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	r.child = fork();
	if (r.child < 0)
		return fail("fork", errno), 125;
	if (r.child == 0) {
		int shut[] = { slave > 2 ? slave : -1, r.master, ctl, term, -2 };

		_exit(pty_child(slave, fd_go, fd_err, shut, parent ? getppid() : 0, argv, &old));
	}
	setpgid(r.child, r.child);
	/* we are in the foreground group still: no SIGTTOU */
	if (tcsetpgrp(slave, r.child))
		fail("tcsetpgrp", errno);
	/* the terminal ends (EIO) when PROGRAM and its descendants have closed it, not us */
	close(slave);
	close(fd_go);
	close(fd_err);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	r.sig = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r.sig < 0) {
		fail("signalfd", errno);
		kill(r.child, SIGKILL);
		return 125;
	}
	if (fcntl(r.master, F_SETFL, O_NONBLOCK) ||
	    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK)) {
		fail("O_NONBLOCK", errno);
		kill(r.child, SIGKILL);
		return 125;
	}
	say(ctl, "pid %d\n", (int)r.child);
	return relay_run(&r);
}

int main(int argc, char **argv)
{
	int fd_go, fd_err, fd_ctl = -1, fd_term = -1, fd_guard = -1;
	pid_t parent = 0;
	bool pty = false;

	if (argc >= 3 && strcmp(argv[1], "--die-with") == 0) {
		parent = parse_pid(argv[2]);
		if (parent < 0) {
			fprintf(stderr, "syscope-launch: --die-with needs a pid, not \"%s\"\n",
				argv[2]);
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc >= 3 && strcmp(argv[1], "--guard") == 0) {
		fd_guard = parse_fd(argv[2]);
		if (fd_guard < 0) {
			fprintf(stderr, "syscope-launch: --guard needs a descriptor 3..1023\n");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc >= 4 && strcmp(argv[1], "--pty") == 0) {
		pty = true;
		fd_ctl = parse_fd(argv[2]);
		fd_term = strcmp(argv[3], "-") == 0 ? -1 : parse_fd(argv[3]);
		if (fd_ctl < 0 || (fd_term < 0 && strcmp(argv[3], "-") != 0)) {
			fprintf(stderr,
				"syscope-launch: --pty needs FD_CTL and FD_TERM (or -), descriptors 3..1023\n");
			return 2;
		}
		argc -= 3;
		argv += 3;
	}
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr,
			"usage: syscope-launch [--die-with PID] [--guard FD | --pty FD_CTL FD_TERM] FD_GO FD_ERR -- PROGRAM [ARGS...]\n");
		return 2;
	}
	if (pty && fd_guard >= 0) {
		fprintf(stderr, "syscope-launch: --guard is for a command without --pty\n");
		return 2;
	}
	fd_go = parse_fd(argv[1]);
	fd_err = parse_fd(argv[2]);
	if (fd_go < 0 || fd_err < 0) {
		fprintf(stderr, "syscope-launch: FD_GO and FD_ERR must be descriptors 3..1023\n");
		return 2;
	}
	if (fcntl(fd_err, F_SETFD, FD_CLOEXEC)) {
		fprintf(stderr, "syscope-launch: fd %d: %s\n", fd_err, strerror(errno));
		return 2;
	}
	if (parent && die_with(parent))
		return 125;
	if (fd_guard >= 0 && start_guard(fd_guard))
		return 125;
	if (pty)
		return run_on_pty(fd_go, fd_err, fd_ctl, fd_term, parent, argv + 4);
	return exec_on_go(fd_go, fd_err, argv + 4);
}
