// A workload with exactly known syscall counts, for checking the helper's totals.
//   markers            the whole tree (see counts below)
//   markers grandchild 4444 getppid
//   markers spawned    666 getppid
//   markers burst N    N children, each 3 getppid then exit, about 50 alive at a time
//   markers exit C     exit with code C;  markers sleep MS N: N nanosleeps of MS
//   markers forkexit   a child that exits 3, a child killed by SIGKILL
//   markers burn N MS  N children one after another, each using MS ms of CPU and exiting
//   markers reap N MS FILE  as burn, the children on CPU 0 and the parent on CPU 1 polling for
//                      each one's exit: it reaps a child in the µs between the child's exit and
//                      its last switch off CPU 0, and writes "PID NS" to FILE, the child's run
//                      time as wait4 gives it (the kernel's clock scaled into utime + stime, µs)
//   markers group N T MS FILE  N children one after another, each with T threads spinning
//                      while its main thread burns MS ms of CPU and exits: exit_group kills
//                      the spinners, which leave on both CPUs around the last one; FILE as reap
//   markers threads N  N short-lived threads, 1..4 alive at a time, each 3 getppid + 1 failing
//                      chdir, while the main thread makes 1 getppid per thread started: the
//                      process keeps going from one thread to several and back
//   markers spin MS    getppid without a break for MS ms: on a CPU throughout, never blocking
//   markers naps N MS GAP  a second thread N times sleeps GAP ms, then uses MS ms of CPU, while
//                      the main thread waits for it: a process that runs now and then, though
//                      its main thread never does
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void getppid_n(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void *thread_main(void *arg)
{
	getppid_n(2000);
	return arg;
}

static void *churn_main(void *arg)
{
	getppid_n(3);
	chdir("/nonexistent/syscope-marker");
	return arg;
}

/* spin until this process has used `ms` of CPU */
static void burn_ms(int ms)
{
	struct timespec ts;
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < ms);
}

struct naps {
	int n, ms, gap;
};

static void *spin_main(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("");
	return NULL;
}

/* "PID NS": a reaped child's run time as wait4 gave it (utime + stime, µs) */
static void said_reaped(FILE *out, pid_t p, const struct rusage *ru)
{
	fprintf(out, "%d %lld\n", p,
		(long long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000 +
			(long long)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000);
}

static void *naps_main(void *arg)
{
	struct naps *a = arg;
	for (int i = 0; i < a->n; i++) {
		struct timespec gap = { .tv_sec = a->gap / 1000, .tv_nsec = (a->gap % 1000) * 1000000L };
		struct timespec t0, t;
		nanosleep(&gap, NULL);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		do
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < a->ms);
	}
	return NULL;
}

static void wait_all(void)
{
	while (wait(NULL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "grandchild")) {
		getppid_n(4444);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "spawned")) {
		getppid_n(666);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc > 3 && !strcmp(argv[1], "sleep")) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = atol(argv[2]) * 1000000L };
		for (int i = 0; i < atoi(argv[3]); i++)
			nanosleep(&ts, NULL);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "burst")) {
		int n = atoi(argv[2]), alive = 0;
		for (int i = 0; i < n; i++) {
			if (alive >= 50) {
				wait(NULL);
				alive--;
			}
			pid_t p = fork();
			if (p == 0) {
				getppid_n(3);
				_exit(0);
			}
			if (p > 0)
				alive++;
		}
		wait_all();
		return 0;
	}
	if (argc > 3 && !strcmp(argv[1], "burn")) {
		int n = atoi(argv[2]), ms = atoi(argv[3]);
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				burn_ms(ms);
				_exit(0);
			}
			if (p > 0)
				waitpid(p, NULL, 0);
		}
		return 0;
	}
	if (argc > 4 && !strcmp(argv[1], "reap")) {
		int n = atoi(argv[2]), ms = atoi(argv[3]);
		FILE *out = fopen(argv[4], "w");
		cpu_set_t cpus;
		if (!out)
			return 2;
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				CPU_ZERO(&cpus);
				CPU_SET(0, &cpus);
				if (sched_setaffinity(0, sizeof(cpus), &cpus))
					_exit(2);
				burn_ms(ms);
				_exit(0);
			}
			CPU_ZERO(&cpus);
			CPU_SET(1, &cpus);
			if (p < 0 || sched_setaffinity(0, sizeof(cpus), &cpus))
				return 2;
			struct rusage ru;
			pid_t got;
			while ((got = wait4(p, NULL, WNOHANG, &ru)) == 0)
				;
			if (got != p)
				return 2;
			said_reaped(out, p, &ru);
		}
		return fclose(out) ? 2 : 0;
	}
	if (argc > 5 && !strcmp(argv[1], "group")) {
		int n = atoi(argv[2]), threads = atoi(argv[3]), ms = atoi(argv[4]);
		FILE *out = fopen(argv[5], "w");
		if (!out)
			return 2;
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				pthread_t t;
				for (int k = 0; k < threads; k++)
					if (pthread_create(&t, NULL, spin_main, NULL) != 0)
						_exit(2);
				burn_ms(ms);
				/* exit_group, without flushing the parent's buffered lines again */
				_exit(0);
			}
			struct rusage ru;
			if (p < 0 || wait4(p, NULL, 0, &ru) != p)
				return 2;
			said_reaped(out, p, &ru);
		}
		return fclose(out) ? 2 : 0;
	}
	if (argc > 2 && !strcmp(argv[1], "threads")) {
		int n = atoi(argv[2]);
		for (int i = 0; i < n;) {
			pthread_t t[4];
			int k = 1 + i % 4;
			if (k > n - i)
				k = n - i;
			for (int j = 0; j < k; j++) {
				if (pthread_create(&t[j], NULL, churn_main, NULL) != 0)
					return 2;
				getppid_n(1);
			}
			for (int j = 0; j < k; j++)
				pthread_join(t[j], NULL);
			i += k;
		}
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "spin")) {
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			syscall(SYS_getppid);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < atoi(argv[2]));
		return 0;
	}
	if (argc > 4 && !strcmp(argv[1], "naps")) {
		struct naps a = { atoi(argv[2]), atoi(argv[3]), atoi(argv[4]) };
		pthread_t t;
		if (pthread_create(&t, NULL, naps_main, &a) != 0)
			return 2;
		pthread_join(t, NULL);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "forkexit")) {
		pid_t a = fork();
		if (a == 0)
			_exit(3);
		pid_t b = fork();
		if (b == 0) {
			pause();
			_exit(0);
		}
		waitpid(a, NULL, 0);
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		return 0;
	}

	/* the full tree: main 1000, two threads 2000 each, 77 failing chdir */
	pthread_t t1, t2;
	pthread_create(&t1, NULL, thread_main, NULL);
	pthread_create(&t2, NULL, thread_main, NULL);
	getppid_n(1000);
	for (int i = 0; i < 77; i++)
		chdir("/nonexistent/syscope-marker");
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	/* a child that exits at once after 555 */
	if (fork() == 0) {
		getppid_n(555);
		_exit(0);
	}
	/* a child that forks a grandchild which execs us again */
	if (fork() == 0) {
		if (fork() == 0) {
			execl("/proc/self/exe", argv[0], "grandchild", (char *)NULL);
			_exit(127);
		}
		wait_all();
		_exit(0);
	}
	/* a posix_spawn child */
	pid_t sp;
	char *sargv[] = { argv[0], "spawned", NULL };
	if (posix_spawn(&sp, "/proc/self/exe", NULL, NULL, sargv, environ))
		return 1;
	wait_all();
	return 0;
}
