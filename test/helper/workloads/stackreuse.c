// SPDX-License-Identifier: MIT
/*
 * Kernel stacks are reused: a thread's, freed at its end, is often the next new thread's on the
 * same CPU. "stackreuse tracked": prints "ready", reads a line, makes one thread that makes 100
 * getppid and ends, joins it, prints "done" and waits for EOF on stdin. "stackreuse other N M":
 * makes N threads one after the other, each making M getppid. Run both on one CPU, the second
 * while the first (tracked) waits: none of the second's calls is the first's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls;

static void *worker(void *arg)
{
	(void)arg;
	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	return NULL;
}

static int one_thread(void)
{
	pthread_t t;
	return pthread_create(&t, NULL, worker, NULL) || pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	char line[16];

	if (argc == 2 && !strcmp(argv[1], "tracked")) {
		calls = 100;
		printf("ready\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin) || one_thread())
			return 1;
		printf("done\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin))
			;
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "other")) {
		long n = atol(argv[2]);
		calls = atol(argv[3]);
		for (long i = 0; i < n; i++)
			if (one_thread())
				return 1;
		return 0;
	}
	fprintf(stderr, "usage: stackreuse tracked | stackreuse other N M\n");
	return 2;
}
