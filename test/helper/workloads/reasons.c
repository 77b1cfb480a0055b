// SPDX-License-Identifier: MIT
/*
 * reasons: one thread blocked about 20 ms in each of twelve syscalls in turn, as a wrapper script
 * that then execs a program is (a shell's reads, waits and stats, then the program's own waits):
 * nanosleep, clock_nanosleep, read of a pipe, poll, ppoll, select, pselect6, epoll_wait, futex,
 * wait4, rt_sigtimedwait, rt_sigsuspend. For the test that a thread's wall time names each of
 * its reasons, not only the first few.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 20

static const struct timespec wait_ts = { 0, MS * 1000000L };

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	int p[2];
	uint32_t word = 0;
	struct timeval tv = { 0, MS * 1000 };
	sigset_t usr1, none;
	if (pipe(p))
		return 2;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	signal(SIGALRM, on_alarm);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	/* the calls by number where glibc would make another (nanosleep as clock_nanosleep, poll as
	 * ppoll, select as pselect6, epoll_wait as epoll_pwait on some machines) */
	syscall(SYS_nanosleep, &wait_ts, NULL);
	syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &wait_ts, NULL);
	/* a child writes the pipe after 20 ms; then it waits 20 ms more and exits, and wait4 waits */
	pid_t c = fork();
	if (c == 0) {
		nanosleep(&wait_ts, NULL);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		nanosleep(&wait_ts, NULL);
		_exit(0);
	}
	char b;
	if (read(p[0], &b, 1) != 1)
		return 3;
	waitpid(c, NULL, 0);
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	syscall(SYS_poll, &pf, 1, MS);
	ppoll(&pf, 1, &wait_ts, NULL);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	pselect(p[0] + 1, &r, NULL, NULL, &wait_ts, NULL);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = p[0] };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	syscall(SYS_epoll_wait, ep, &ev, 1, MS);
	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &wait_ts, NULL, 0);
	sigtimedwait(&usr1, NULL, &wait_ts);
	/* an alarm in 20 ms ends the suspend */
	struct itimerval it = { .it_value = { 0, MS * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	sigsuspend(&none);
	return 0;
}
