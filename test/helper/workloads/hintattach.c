// SPDX-License-Identifier: MIT
/*
 * A process to attach to whose threads were made before the attach (the stack hint's iterator
 * must find them): three threads spin, making no syscall, until the main thread reads a line
 * from stdin; then each makes exactly 3,000 getppid and ends. The main thread, which makes no
 * getppid, joins them, prints "done", then "again" for each further line it reads, until EOF.
 * Prints "ready" once all three spin.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 3
#define CALLS 3000

static volatile int go, spinning;

static void *worker(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&spinning, 1, __ATOMIC_SEQ_CST);
	while (!go)
		;
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	char line[16];

	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 1;
	while (__atomic_load_n(&spinning, __ATOMIC_SEQ_CST) < THREADS)
		;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	go = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("done\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		printf("again\n");
		fflush(stdout);
	}
	return 0;
}
