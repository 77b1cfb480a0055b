// SPDX-License-Identifier: MIT
/*
 * cputime FILE CMD [ARG...]: runs CMD, waits for it, and writes to FILE the CPU time it and the
 * children it waited for used (user and system, ns) and its wall time (ns), on one line; exits
 * with CMD's status. npm run bench:helper times its realistic workloads by it: CPU time leaves out
 * what the host steals from this VM's CPUs (up to 40 % of a wall-clock run here), and it holds
 * what the tracer's programs cost the workload, which run in the workload's own context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns_of(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: cputime FILE CMD [ARG...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("cputime: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("cputime: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f, "%lld %lld %lld\n", ns_of(ru.ru_utime), ns_of(ru.ru_stime),
		(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	if (fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
