// SPDX-License-Identifier: MIT
/*
 * A process to attach to, for the wall-time test: "spinner" spins, "napper" sleeps 20 ms at a time
 * in nanosleep, and the main thread waits in pause() until killed (asleep throughout: the kernel
 * side never sees it). Prints "ready" once both threads run.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int spun;

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

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, spinner, NULL);
	pthread_create(&b, NULL, napper, NULL);
	while (!spun)
		usleep(1000);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
