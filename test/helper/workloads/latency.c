// Calls of known durations, for the latency tests. Each mode writes what the test needs to know
// (measured durations, addresses, pids, inodes) to the file named after it.
//
//   latency sleeps FILE    nanosleep 1 ms x20, 10 ms x10, 100 ms x3; FILE: each one's duration
//                          as measured around the call (ns, one a line)
//   latency slowset FILE   four calls blocked for known times, each woken by a thread or child
//                          that spins (no syscall) rather than sleeps, so that no other call
//                          lasts as long: read on a pipe, futex wait and wait4 for a child at
//                          least 400, 300 and 100 ms (the spins start once the main thread is
//                          asleep in the call), nanosleep 200 ms. FILE: "pipe INO",
//                          "futex ADDR", "child PID"
//   latency waits FILE     poll and select on several fds, each at least 150 ms: a poll of four
//                          entries (-1, an eventfd, an idle pipe, a pipe a thread writes once it
//                          has spun), a select of the idle pipe and that pipe, a pselect of two
//                          idle pipes that a thread's signal ends (ERESTARTNOHAND), a poll of a
//                          third idle pipe that times out. FILE: "ready INO", "idle INO",
//                          "idle2 INO", "idle3 INO"
//   latency linger FILE    a close that blocks about 1 s: a TCP socket connected on 127.0.0.1 to a
//                          listener that never reads, its buffers full, closed with SO_LINGER
//                          of 1 s. FILE: "port N" (the listener's)
//   latency errors         failures of known kinds: 377 opens of a missing file (ENOENT), 12
//                          reads of an empty non-blocking pipe (EAGAIN), 5 closes of a bad fd
//                          (EBADF), 3 pauses a timer's signal ends (ERESTARTNOHAND), each
//                          handler's rt_sigreturn then returning the pause's EINTR
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* busy for ms without a syscall */
static void spin_ms(unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;
	while (now_ns() < end)
		;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int sleeps(FILE *out)
{
	static const struct {
		uint64_t ns;
		int n;
	} plan[] = { { 1000000, 20 }, { 10000000, 10 }, { 100000000, 3 } };
	/* sleeps end as near their time as the timer allows: no 50 us of slack */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (size_t p = 0; p < sizeof(plan) / sizeof(plan[0]); p++) {
		for (int i = 0; i < plan[p].n; i++) {
			uint64_t t0 = now_ns();
			sleep_ns(plan[p].ns);
			fprintf(out, "%llu\n", (unsigned long long)(now_ns() - t0));
		}
	}
	return 0;
}

static int pipe_fds[2];
static uint32_t futex_word;

static pid_t main_pid, main_tid;

/* until the main thread is asleep (in the call it blocks in next: it does nothing else that
 * blocks meanwhile), so that the call lasts at least the spin that follows, however late the
 * main thread got there. From a thread or a child alike. */
static void await_main_asleep(void)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)main_pid, (int)main_tid);
	for (;;) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = 0;
		const char *state = strrchr(buf, ')');
		if (state && state[1] == ' ' && state[2] == 'S')
			return;
	}
}

/* a write to a pipe once the main thread is asleep and the spin is over */
struct late_write {
	int fd;
	unsigned ms;
};

static void *late_writer(void *arg)
{
	const struct late_write *w = arg;
	await_main_asleep();
	spin_ms(w->ms);
	if (write(w->fd, "x", 1) != 1)
		exit(3);
	return NULL;
}

static void *late_waker(void *arg)
{
	(void)arg;
	await_main_asleep();
	spin_ms(300);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

static int slowset(FILE *out)
{
	pthread_t t;
	char c;
	struct stat st;

	if (pipe(pipe_fds) || fstat(pipe_fds[0], &st))
		return 2;
	fprintf(out, "pipe %llu\nfutex %p\n", (unsigned long long)st.st_ino, (void *)&futex_word);
	fflush(out);
	/* read on the pipe, until the writer is done spinning */
	main_pid = getpid();
	main_tid = (pid_t)syscall(SYS_gettid);
	struct late_write w = { pipe_fds[1], 400 };
	pthread_create(&t, NULL, late_writer, &w);
	if (read(pipe_fds[0], &c, 1) != 1)
		return 2;
	pthread_join(t, NULL);
	/* a futex wait, until the waker is done spinning */
	pthread_create(&t, NULL, late_waker, NULL);
	while (!__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	pthread_join(t, NULL);
	/* a sleep */
	sleep_ns(200000000);
	/* a wait for a child that spins */
	pid_t child = fork();
	if (child == 0) {
		await_main_asleep();
		spin_ms(100);
		_exit(0);
	}
	int status;
	if (waitpid(child, &status, 0) != child)
		return 2;
	/* only now: a write between the fork and the wait could block too */
	fprintf(out, "child %d\n", (int)child);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* the waits mode's pipes: one written once a thread has spun, three never */
static int ready_fds[2], idle_fds[2], idle2_fds[2], idle3_fds[2];

static void *late_signal(void *arg)
{
	(void)arg;
	await_main_asleep();
	spin_ms(150);
	syscall(SYS_tgkill, (int)main_pid, (int)main_tid, SIGUSR1);
	return NULL;
}

static int drained(void)
{
	char c;
	return read(ready_fds[0], &c, 1) == 1;
}

static int waits(FILE *out)
{
	pthread_t t;
	struct stat st[4];
	int *reads[4] = { ready_fds, idle_fds, idle2_fds, idle3_fds };
	static const char *names[4] = { "ready", "idle", "idle2", "idle3" };
	for (int i = 0; i < 4; i++) {
		if (pipe(reads[i]) || fstat(reads[i][0], &st[i]))
			return 2;
		fprintf(out, "%s %llu\n", names[i], (unsigned long long)st[i].st_ino);
	}
	fflush(out);
	int ev = eventfd(0, 0);
	if (ev < 0)
		return 2;
	main_pid = getpid();
	main_tid = (pid_t)syscall(SYS_gettid);
	struct late_write ready = { ready_fds[1], 150 };
	/* a poll, the fd that becomes ready third of its four entries */
	struct pollfd p[4] = { { .fd = -1 },
			       { .fd = ev, .events = POLLIN },
			       { .fd = idle_fds[0], .events = POLLIN },
			       { .fd = ready_fds[0], .events = POLLIN } };
	pthread_create(&t, NULL, late_writer, &ready);
	if (poll(p, 4, -1) != 1 || !drained())
		return 2;
	pthread_join(t, NULL);
	/* a select of the idle pipe and the one that becomes ready */
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(idle_fds[0], &rd);
	FD_SET(ready_fds[0], &rd);
	int nfds = (idle_fds[0] > ready_fds[0] ? idle_fds[0] : ready_fds[0]) + 1;
	pthread_create(&t, NULL, late_writer, &ready);
	if (select(nfds, &rd, NULL, NULL, NULL) != 1 || !drained())
		return 2;
	pthread_join(t, NULL);
	/* a pselect a signal ends (a handler, no SA_RESTART): the sets stay as given */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGUSR1, &sa, NULL);
	FD_ZERO(&rd);
	FD_SET(idle2_fds[0], &rd);
	FD_SET(idle_fds[0], &rd);
	nfds = (idle_fds[0] > idle2_fds[0] ? idle_fds[0] : idle2_fds[0]) + 1;
	pthread_create(&t, NULL, late_signal, NULL);
	if (pselect(nfds, &rd, NULL, NULL, NULL, NULL) != -1 || errno != EINTR)
		return 2;
	pthread_join(t, NULL);
	/* a poll that times out */
	struct pollfd q = { .fd = idle3_fds[0], .events = POLLIN };
	if (poll(&q, 1, 150) != 0)
		return 2;
	return 0;
}

static int errors(void)
{
	int p[2];
	char c;
	struct sigaction sa = { .sa_handler = on_alarm };

	for (int i = 0; i < 377; i++)
		open("/nonexistent/syscope-latency-test", O_RDONLY);
	if (pipe2(p, O_NONBLOCK))
		return 2;
	for (int i = 0; i < 12; i++)
		if (read(p[0], &c, 1) != -1 || errno != EAGAIN)
			return 2;
	for (int i = 0; i < 5; i++)
		close(1000 + i);
	if (sigaction(SIGALRM, &sa, NULL))
		return 2;
	for (int i = 0; i < 3; i++) {
		struct itimerval it = { .it_value = { .tv_usec = 10000 } };
		if (setitimer(ITIMER_REAL, &it, NULL))
			return 2;
		pause();
	}
	return 0;
}

static int linger(FILE *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, len) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return 3;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, len))
		return 4;
	/* the peer (never accepted, never read) takes what its receive buffer holds; the rest
	 * waits in ours */
	static char chunk[65536];
	int flags = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, flags | O_NONBLOCK);
	while (write(c, chunk, sizeof(chunk)) > 0)
		;
	if (errno != EAGAIN)
		return 5;
	fcntl(c, F_SETFL, flags);
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		return 6;
	fprintf(out, "port %d\n", ntohs(a.sin_port));
	close(c);
	close(l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "errors"))
		return errors();
	if (argc < 3) {
		fprintf(stderr, "usage: latency sleeps|slowset|waits|linger FILE | latency errors\n");
		return 2;
	}
	FILE *out = fopen(argv[2], "w");
	if (!out)
		return 2;
	int rc = !strcmp(argv[1], "sleeps") ? sleeps(out) : !strcmp(argv[1], "slowset") ? slowset(out)
		 : !strcmp(argv[1], "waits")   ? waits(out)
		 : !strcmp(argv[1], "linger")  ? linger(out)
					       : 2;
	fclose(out);
	return rc;
}
