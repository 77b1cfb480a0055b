// SPDX-License-Identifier: MIT
/*
 * benchload N M: waits for one byte on stdin (so a tracer can attach to its pid first), then
 * makes N getppid plus M 1-byte writes and M 1-byte reads on a pipe, and prints the loop's own
 * duration in nanoseconds: only the syscalls under test are timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, m = argc > 2 ? atol(argv[2]) : 500000;
	int p[2];
	char c = 'x', go;
	struct timespec a, b;
	if (pipe(p) || read(0, &go, 1) != 1)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++) {
		if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
