// SPDX-License-Identifier: MIT
/*
 * syscope-launch [--die-with PID] FD_GO FD_ERR -- PROGRAM [ARGS...]
 *
 * Waits until the app has armed this pid in the helper (one byte on FD_GO), then execs PROGRAM,
 * so the helper counts every syscall after exec and none of ours before it. EOF on FD_GO means
 * "cancelled": exit 125 without exec. If exec fails, errno goes to FD_ERR as decimal text and we
 * exit 127; FD_ERR is close-on-exec, so a successful exec closes it with nothing written.
 * --die-with PID: PID is our parent (the app); should it die, even by SIGKILL, PROGRAM gets
 * SIGKILL instead of running on orphaned. If it is gone already, exit 125 without exec.
 * Never has capabilities: it is a plain binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

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

/*
 * The parent-death signal survives exec (not into a setuid or setcap program: the kernel clears
 * it there). The parent may have died before prctl() took effect: then we were reparented
 * already, and getppid() afterwards says so.
 */
static int die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) {
		int err = errno;

		fprintf(stderr, "syscope-launch: prctl(PR_SET_PDEATHSIG): %s\n", strerror(err));
		return -err;
	}
	if (getppid() != parent) {
		fprintf(stderr, "syscope-launch: the app (pid %d) is gone; not starting the command\n", (int)parent);
		return -ESRCH;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char go;
	ssize_t n;
	int fd_go, fd_err;
	pid_t parent = 0;

	if (argc >= 3 && strcmp(argv[1], "--die-with") == 0) {
		parent = parse_pid(argv[2]);
		if (parent < 0) {
			fprintf(stderr, "syscope-launch: --die-with needs a pid, not \"%s\"\n", argv[2]);
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: syscope-launch [--die-with PID] FD_GO FD_ERR -- PROGRAM [ARGS...]\n");
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
	do
		n = read(fd_go, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return 125;
	close(fd_go);
	execvp(argv[4], argv + 4);
	dprintf(fd_err, "%d", errno);
	return 127;
}
