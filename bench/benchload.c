// SPDX-License-Identifier: MIT
/*
 * benchload N M: for every byte it reads on stdin, makes N getppid plus M 1-byte writes and M
 * 1-byte reads on a pipe, and prints that loop's wall and thread CPU time in nanoseconds
 * ("WALL CPU\n"); exits at EOF. Only the syscalls under test are timed, and the benchmark can
 * attach or detach a tracer between two loops of the same process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, m = argc > 2 ? atol(argv[2]) : 500000;
	int p[2];
	char c = 'x', go;
	if (n < 0 || m < 0) {
		fprintf(stderr, "benchload: N and M must be >= 0\n");
		return 2;
	}
	if (pipe(p)) {
		perror("benchload: pipe");
		return 1;
	}
	while (read(0, &go, 1) == 1) {
		long long wall = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		for (long i = 0; i < m; i++) {
			if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1) {
				perror("benchload: pipe I/O");
				return 1;
			}
		}
		cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
		wall = now_ns(CLOCK_MONOTONIC) - wall;
		printf("%lld %lld\n", wall, cpu);
		fflush(stdout);
	}
	return 0;
}
