// SPDX-License-Identifier: MIT
/*
 * Threads with known parts of their wall time, for the wall-time test (test/cli/wall-time.test.ts).
 * Phase 1, at once: "spin" spins 300 ms of CPU; "sleeper" sleeps 500 ms in nanosleep; "reader"
 * blocks in read on a pipe until "writer" writes 400 ms later; "futexw" waits on a futex until the
 * main thread wakes it 300 ms later; "zeroes" reads /dev/zero 16 MiB at a time for 200 ms of CPU,
 * nearly all of it in the kernel, and sums its CPU clock across each read (its time on a CPU in
 * syscalls; a read is a few hundred µs, so the kernel's way in and out around it, outside the
 * syscall tracepoints, is well under 1 % of it); "napper" sleeps 100 µs a thousand times and
 * sums its CPU clock. Phase 2: "pinA" and "pinB", both pinned to one CPU, spin for
 * 600 ms of wall time each, so each waits for the CPU about half of it. Each thread measures its
 * own part (its CPU clock, or the time its blocking call spent blocked) and the facts go to the
 * file named by argv[1], one JSON object per line.
 *
 * A blocking call's duration on CLOCK_MONOTONIC is not its time blocked: once woken, the thread
 * may wait for a CPU before the call returns (tens of ms beside busy loops), and syscope rightly
 * counts that as waiting for a CPU. So the blocked part is the call's duration less what the
 * kernel's own scheduler statistics (/proc/thread-self/schedstat: time on a CPU, time waiting on a
 * run queue) grew by across it.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static FILE *facts;
static int pipefd[2];
static uint32_t futex_word;
static uint64_t pin_deadline;

static uint64_t clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/*
 * The facts are kept in memory and written by the main thread after the others end: a thread
 * writing its own would take a lock and make a write, and waiting on either would add to the
 * parts being measured (a pinned spinner blocked on its twin's lock, futexw in another futex).
 */
struct fact {
	const char *name, *part;
	long tid;
	uint64_t ns;
};
static struct fact fact_list[32];
static unsigned int facts_n;

static void fact(const char *name, const char *part, uint64_t ns)
{
	unsigned int i = __atomic_fetch_add(&facts_n, 1, __ATOMIC_RELAXED);
	if (i >= sizeof(fact_list) / sizeof(fact_list[0]))
		exit(2);
	fact_list[i] = (struct fact){ name, part, (long)syscall(SYS_gettid), ns };
}

static void facts_write(void)
{
	for (unsigned int i = 0; i < facts_n; i++)
		fprintf(facts, "{\"name\":\"%s\",\"tid\":%ld,\"part\":\"%s\",\"ns\":%llu}\n",
			fact_list[i].name, fact_list[i].tid, fact_list[i].part,
			(unsigned long long)fact_list[i].ns);
}

/* the kernel's scheduler statistics for the calling thread: on a CPU, and waiting for one */
struct sched_times {
	uint64_t on_cpu, run_delay;
};

static int schedstat_open(void)
{
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		exit(2);
	return fd;
}

static struct sched_times schedstat_read(int fd)
{
	char buf[128];
	struct sched_times t;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		exit(2);
	buf[n] = 0;
	if (sscanf(buf, "%llu %llu", (unsigned long long *)&t.on_cpu, (unsigned long long *)&t.run_delay) != 2)
		exit(2);
	return t;
}

/* a blocking call's window, opened just before it and closed just after it */
struct window {
	int fd;
	uint64_t start;
	struct sched_times before;
};

static struct window window_open(void)
{
	struct window w = { .fd = schedstat_open() };
	w.before = schedstat_read(w.fd);
	w.start = clock_ns(CLOCK_MONOTONIC);
	return w;
}

/* the window's time blocked (its duration less its growth on a CPU and waiting for one) */
static void window_close(struct window *w, const char *name, const char *part)
{
	uint64_t duration = clock_ns(CLOCK_MONOTONIC) - w->start;
	struct sched_times after = schedstat_read(w->fd);
	uint64_t ran = after.on_cpu - w->before.on_cpu, waited = after.run_delay - w->before.run_delay;
	close(w->fd);
	fact(name, part, duration - ran - waited);
	fact(name, "call_runqueue", waited);
}

static void *spin(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spin");
	uint64_t start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < 300000000ull)
		;
	fact("spin", "on_cpu", clock_ns(CLOCK_THREAD_CPUTIME_ID));
	return NULL;
}

static void *zeroes(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "zeroes");
	size_t size = 16 << 20;
	char *buf = malloc(size);
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (!buf || fd < 0)
		exit(2);
	memset(buf, 1, size); /* its pages are there before the first read */
	uint64_t start = clock_ns(CLOCK_THREAD_CPUTIME_ID), in_reads = 0;
	for (;;) {
		uint64_t a = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (a - start >= 200000000ull)
			break;
		if (read(fd, buf, size) != (ssize_t)size)
			exit(2);
		in_reads += clock_ns(CLOCK_THREAD_CPUTIME_ID) - a;
	}
	/* its buffer's 16 MiB take a few ms to unmap: before its clock is read, not after */
	close(fd);
	free(buf);
	fact("zeroes", "on_cpu", clock_ns(CLOCK_THREAD_CPUTIME_ID));
	fact("zeroes", "system", in_reads);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "sleeper");
	struct timespec t = { 0, 500000000 };
	struct window w = window_open();
	nanosleep(&t, NULL);
	window_close(&w, "sleeper", "nanosleep");
	return NULL;
}

/* many short runs between short sleeps, as an event loop's: its CPU clock runs from when the
 * kernel picks it, a few µs before the switch's tracepoint, so the switches alone fall short */
static void *napper(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "napper");
	struct timespec t = { 0, 100000 };
	for (int i = 0; i < 1000; i++)
		nanosleep(&t, NULL);
	fact("napper", "on_cpu", clock_ns(CLOCK_THREAD_CPUTIME_ID));
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	char c;
	pthread_setname_np(pthread_self(), "reader");
	struct window w = window_open();
	if (read(pipefd[0], &c, 1) != 1)
		exit(2);
	window_close(&w, "reader", "read");
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "writer");
	struct timespec t = { 0, 400000000 };
	nanosleep(&t, NULL);
	if (write(pipefd[1], "x", 1) != 1)
		exit(2);
	return NULL;
}

static void *futexw(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "futexw");
	struct window w = window_open();
	while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) == 0)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	window_close(&w, "futexw", "futex");
	return NULL;
}

/* a pinned spinner: its name, and when its creation began (its wait for the CPU starts there) */
struct pin {
	const char *name;
	uint64_t created;
};

static void *pinned(void *arg)
{
	const struct pin *p = arg;
	pthread_setname_np(pthread_self(), p->name);
	while (clock_ns(CLOCK_MONOTONIC) < pin_deadline)
		;
	uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t wall = clock_ns(CLOCK_MONOTONIC) - p->created;
	fact(p->name, "on_cpu", cpu);
	fact(p->name, "runqueue", wall - cpu);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[7];
	if (argc != 2 || !(facts = fopen(argv[1], "w")) || pipe(pipefd)) {
		fprintf(stderr, "usage: wallparts FACTS-FILE\n");
		return 2;
	}
	pthread_create(&t[0], NULL, spin, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, reader, NULL);
	pthread_create(&t[3], NULL, writer, NULL);
	pthread_create(&t[4], NULL, futexw, NULL);
	pthread_create(&t[5], NULL, zeroes, NULL);
	pthread_create(&t[6], NULL, napper, NULL);
	struct timespec w = { 0, 300000000 };
	nanosleep(&w, NULL);
	__atomic_store_n(&futex_word, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	for (int i = 0; i < 7; i++)
		pthread_join(t[i], NULL);

	/* phase 2: two spinners on one CPU, from their creation */
	pthread_attr_t attr;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
	static struct pin pins[2] = { { "pinA", 0 }, { "pinB", 0 } };
	pin_deadline = clock_ns(CLOCK_MONOTONIC) + 600000000ull;
	for (int i = 0; i < 2; i++) {
		pins[i].created = clock_ns(CLOCK_MONOTONIC);
		pthread_create(&t[i], &attr, pinned, &pins[i]);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	facts_write();
	fclose(facts);
	return 0;
}
