// SPDX-License-Identifier: MIT
/*
 * A process to attach to, for the wall-time test: "spinner" spins, "napper" sleeps 20 ms at a time
 * in nanosleep, "waiter" is blocked reading a pipe until the main thread writes to it, "idler"
 * waits in pause() until killed (asleep throughout: the kernel side never sees it), and the main
 * thread reads a line from stdin, then writes a byte to the waiter's pipe and waits in pause().
 * Prints "ready" once the threads run (the waiter and idler in their calls, as
 * /proc/PID/task/TID/syscall shows; the test waits for that).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int spun;
static int pipe_fds[2];

static void *spinner(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spinner");
	for (;;)
		spun = 1;
	return NULL;
}

static void *napper(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "napper");
	struct timespec t = { 0, 20000000 };
	for (;;)
		nanosleep(&t, NULL);
	return NULL;
}

static void *waiter(void *arg)
{
	char c;
	(void)arg;
	pthread_setname_np(pthread_self(), "waiter");
	if (read(pipe_fds[0], &c, 1) != 1)
		return NULL;
	for (;;)
		pause();
	return NULL;
}

static void *idler(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "idler");
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_t a, b, c, d;
	char line[16];
	if (pipe(pipe_fds))
		return 2;
	pthread_create(&a, NULL, spinner, NULL);
	pthread_create(&b, NULL, napper, NULL);
	pthread_create(&c, NULL, waiter, NULL);
	pthread_create(&d, NULL, idler, NULL);
	while (!spun)
		usleep(1000);
	printf("ready\n");
	fflush(stdout);
	if (read(0, line, sizeof(line)) <= 0)
		return 3;
	if (write(pipe_fds[1], "x", 1) != 1)
		return 4;
	for (;;)
		pause();
}
