/*
 * Table-driven tests of the /proc parsers (native/src/procread.c) on frozen file texts, then one
 * live read of this process. Built with ASan/UBSan by `make -C native test`.
 */
#include "../src/procread.c"

#include <math.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

struct stat_case {
	const char *text;
	int rc;
	const char *comm;
	char state;
	double ppid, minflt, majflt, utime, stime, threads, starttime, rss_pages;
};

struct keyed_case {
	const char *text;
	double a, b, c, d; /* the file's fields in the order parse_* fills them; -1 unavailable */
};

static void test_stat(void)
{
	static const struct stat_case cases[] = {
		{ "1234 (a) b (c) S 1 1234 1234 0 -1 4194560 100 0 5 0 250 50 0 0 20 0 3 0 98765 1000 77 "
		  "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		  0, "a) b (c", 'S', 1, 100, 5, 250, 50, 3, 98765, 77 },
		{ "42 (fix ture) R 1 42 42 0 -1 0 10 0 0 0 100 20 0 0 20 0 1 0 500 0 1024", 0, "fix ture",
		  'R', 1, 10, 0, 100, 20, 1, 500, 1024 },
		{ "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 2 0 0 184467 0\n", 0,
		  "kthreadd", 'S', 0, 0, 0, 0, 3, 1, 2, 0 },
		/* a comm of the longest kind, with spaces and parentheses */
		{ "7 ()) ( () Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0", 0, ")) ( (", 'Z', 1, 0, 0, 0,
		  0, 1, 9, 0 },
		{ "", -EIO },
		{ "garbage", -EIO },
		{ "1 (x)", -EIO },
		{ "1 (x) S 1", -EIO },
		{ "1 (x) S 1 1 1 0 -1 0 10 0 0 0 100 20 0 0 20 0 1 0 500 0", -EIO }, /* no rss */
		{ "1 (x)S 1 1 1 0 -1 0 10 0 0 0 100 20 0 0 20 0 1 0 500 0 1", -EIO },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct stat_case *c = &cases[i];
		struct proc_handle h = { 0 };
		double row[PF_COUNT];
		char buf[2048];
		for (int f = 0; f < PF_COUNT; f++)
			row[f] = NAN;
		snprintf(buf, sizeof(buf), "%s", c->text);
		int rc = parse_stat(buf, &h, row);
		CHECK(rc == c->rc, "stat case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc != 0 || c->rc != 0)
			continue;
		CHECK(!strcmp(h.comm, c->comm), "stat case %zu: comm '%s', want '%s'", i, h.comm, c->comm);
		CHECK(row[PF_COMM_CHANGED] == 1, "stat case %zu: first comm not reported as changed", i);
		CHECK(row[PF_STATE] == c->state, "stat case %zu: state %g", i, row[PF_STATE]);
		CHECK(row[PF_PPID] == c->ppid && row[PF_MINFLT] == c->minflt && row[PF_MAJFLT] == c->majflt,
		      "stat case %zu: ppid/faults %g %g %g", i, row[PF_PPID], row[PF_MINFLT], row[PF_MAJFLT]);
		CHECK(row[PF_UTIME] == c->utime && row[PF_STIME] == c->stime, "stat case %zu: cpu %g %g", i,
		      row[PF_UTIME], row[PF_STIME]);
		CHECK(row[PF_THREADS] == c->threads && row[PF_STARTTIME] == c->starttime,
		      "stat case %zu: threads/start %g %g", i, row[PF_THREADS], row[PF_STARTTIME]);
		CHECK(row[PF_RSS] == c->rss_pages * (double)page_size, "stat case %zu: rss %g", i, row[PF_RSS]);
		/* the same comm again is no change */
		snprintf(buf, sizeof(buf), "%s", c->text);
		parse_stat(buf, &h, row);
		CHECK(row[PF_COMM_CHANGED] == 0, "stat case %zu: unchanged comm reported as changed", i);
	}
}

static void test_status(void)
{
	static const struct keyed_case cases[] = {
		{ "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"
		  "VmSwap:\t 0 kB\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t3\n",
		  2048 * 1024, 0, 7, 3 },
		/* a kernel thread has no memory lines */
		{ "Name:\tkthreadd\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t0\n", -1, -1,
		  12, 0 },
		{ "", -1, -1, -1, -1 },
		{ "VmHWM:\n", -1, -1, -1, -1 },
		/* no newline at the end, and a key that only starts like a wanted one */
		{ "VmHWMx:\t5 kB\nVmSwap:\t8 kB", -1, 8 * 1024, -1, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct keyed_case *c = &cases[i];
		double row[PF_COUNT];
		parse_status(c->text, row);
		CHECK(row[PF_HWM] == c->a && row[PF_SWAP] == c->b && row[PF_VCSW] == c->c && row[PF_IVCSW] == c->d,
		      "status case %zu: %g %g %g %g", i, row[PF_HWM], row[PF_SWAP], row[PF_VCSW], row[PF_IVCSW]);
	}
}

static void test_io_and_smaps(void)
{
	static const struct keyed_case io[] = {
		{ "rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\n"
		  "cancelled_write_bytes: 0\n",
		  10, 20, 4096, 8192 },
		{ "rchar: 18446744073709551615\nwchar: 0\n", 18446744073709551615.0, 0, -1, -1 },
		{ "", -1, -1, -1, -1 },
	};
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		double row[PF_COUNT];
		row[PF_RCHAR] = row[PF_WCHAR] = row[PF_READ_BYTES] = row[PF_WRITE_BYTES] = -1;
		parse_io(io[i].text, row);
		CHECK(row[PF_RCHAR] == io[i].a && row[PF_WCHAR] == io[i].b && row[PF_READ_BYTES] == io[i].c &&
			      row[PF_WRITE_BYTES] == io[i].d,
		      "io case %zu: %g %g %g %g", i, row[PF_RCHAR], row[PF_WCHAR], row[PF_READ_BYTES],
		      row[PF_WRITE_BYTES]);
	}
	static const struct keyed_case smaps[] = {
		{ "00400000-7ffd ---p 00000000 00:00 0  [rollup]\nRss:   100 kB\nPss:    50 kB\n"
		  "Pss_Anon:  20 kB\nSwap:    0 kB\n",
		  50 * 1024 },
		{ "00400000-7ffd [rollup]\nPss_Anon:  20 kB\n", -1 },
		{ "", -1 },
	};
	for (size_t i = 0; i < sizeof(smaps) / sizeof(smaps[0]); i++)
		CHECK(parse_pss(smaps[i].text) == smaps[i].a, "smaps case %zu: %g", i, parse_pss(smaps[i].text));
}

static void test_live(void)
{
	struct proc_handle h;
	double row[PF_COUNT];
	int pids[8192];

	CHECK(proc_open(getpid(), &h) == 0, "proc_open(self) failed");
	CHECK(proc_sample(&h, PROC_STATUS | PROC_IO | PROC_SMAPS | PROC_FDS, row) == 0, "proc_sample(self) failed");
	CHECK(row[PF_OK] == 1 && row[PF_PPID] == getppid() && row[PF_THREADS] >= 1, "self: ok %g ppid %g threads %g",
	      row[PF_OK], row[PF_PPID], row[PF_THREADS]);
	CHECK(row[PF_RSS] > 0 && row[PF_HWM] >= row[PF_RSS] && row[PF_PSS] > 0 && row[PF_PSS_MS] >= 0,
	      "self: rss %g hwm %g pss %g (read in %g ms)", row[PF_RSS], row[PF_HWM], row[PF_PSS], row[PF_PSS_MS]);
	CHECK(row[PF_FDS] >= 3 && row[PF_RCHAR] > 0 && row[PF_VCSW] >= 0, "self: fds %g rchar %g vcsw %g",
	      row[PF_FDS], row[PF_RCHAR], row[PF_VCSW]);
	CHECK(proc_sample(&h, 0, row) == 0 && isnan(row[PF_HWM]) && isnan(row[PF_PSS]) && isnan(row[PF_PSS_MS]) &&
		      isnan(row[PF_FDS]),
	      "self: fields not asked for must be NaN");
	proc_close(&h);

	CHECK(proc_open(4194304 + 1, &h) == -ESRCH, "a pid above pid_max must be gone");

	int n = proc_list_pids(pids, 8192);
	int self = 0;
	for (int i = 0; i < n && i < 8192; i++)
		self |= pids[i] == getpid();
	CHECK(n > 0 && self, "proc_list_pids: %d pids, self %s", n, self ? "listed" : "missing");
	CHECK(proc_ppid(getpid()) == getppid(), "proc_ppid(self) = %d", proc_ppid(getpid()));
	CHECK(proc_ppid(4194304 + 1) == -1, "proc_ppid of a pid that cannot exist");
}

/*
 * PROC_SKIP_IDLE: a child blocked on a pipe is given its last values again (idle) until it runs;
 * then it is read, and what it did is there.
 */
static void test_skip_idle(void)
{
	int pipefd[2];
	struct proc_handle h;
	double row[PF_COUNT], before[PF_COUNT];

	CHECK(pipe(pipefd) == 0, "pipe");
	pid_t child = fork();
	if (child == 0) {
		char b[256];
		close(pipefd[1]);
		while (read(pipefd[0], b, sizeof(b)) > 0)
			;
		_exit(0);
	}
	close(pipefd[0]);
	usleep(100 * 1000); /* blocked in read by now */
	CHECK(proc_open(child, &h) == 0, "proc_open(child)");
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_IO, before) == 0 && before[PF_IDLE] == 0 &&
		      before[PF_THREADS] == 1 && before[PF_RCHAR] >= 0,
	      "first read: idle %g threads %g rchar %g", before[PF_IDLE], before[PF_THREADS], before[PF_RCHAR]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_IO, row) == 0 && row[PF_OK] == 1 && row[PF_IDLE] == 1 &&
		      row[PF_UTIME] == before[PF_UTIME] && row[PF_RSS] == before[PF_RSS] &&
		      row[PF_STARTTIME] == before[PF_STARTTIME] && row[PF_RCHAR] == before[PF_RCHAR] &&
		      row[PF_STATE] == before[PF_STATE],
	      "asleep: idle %g, values as before", row[PF_IDLE]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_STATUS, row) == 0 && row[PF_IDLE] == 2 && row[PF_HWM] > 0 &&
		      row[PF_UTIME] == before[PF_UTIME],
	      "a read of status reads stat too, and says the process did not run: idle %g", row[PF_IDLE]);
	CHECK(proc_sample(&h, 0, row) == 0 && row[PF_IDLE] == 0, "without PROC_SKIP_IDLE stat is read");
	CHECK(write(pipefd[1], "0123456789", 10) == 10, "write to the child");
	usleep(50 * 1000);
	/* stat alone after it ran: io read before it ran is not given again */
	CHECK(proc_sample(&h, PROC_SKIP_IDLE, row) == 0 && row[PF_IDLE] == 0, "it ran: idle %g", row[PF_IDLE]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_IO, row) == 0 && row[PF_IDLE] == 2 &&
		      row[PF_RCHAR] >= before[PF_RCHAR] + 10,
	      "io read again, not given again: idle %g, rchar %g (was %g)", row[PF_IDLE], row[PF_RCHAR],
	      before[PF_RCHAR]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_IO, before) == 0 && before[PF_IDLE] == 1 &&
		      before[PF_RCHAR] == row[PF_RCHAR],
	      "asleep again: idle %g", before[PF_IDLE]);
	close(pipefd[1]);
	waitpid(child, NULL, 0);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_IO, row) == -ESRCH && row[PF_OK] == 0,
	      "reaped: gone, not idle (ok %g)", row[PF_OK]);
	proc_close(&h);
}

/*
 * A process that ran at every look is read without looking for a while (BUSY_SKIP), and is seen
 * idle again soon after it stops running.
 */
static void test_busy_then_idle(void)
{
	int pipefd[2], donefd[2];
	struct proc_handle h;
	double row[PF_COUNT];

	CHECK(pipe(pipefd) == 0 && pipe2(donefd, O_NONBLOCK) == 0, "pipe");
	pid_t child = fork();
	if (child == 0) {
		char b;
		close(pipefd[1]);
		close(donefd[0]);
		for (int i = 0; i < 150; i++) /* ~300 ms running every 2 ms */
			usleep(2000);
		/* then asleep until the test ends */
		if (write(donefd[1], "", 1) != 1)
			_exit(1);
		while (read(pipefd[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(pipefd[0]);
	close(donefd[1]);
	usleep(20 * 1000);
	CHECK(proc_open(child, &h) == 0, "proc_open(child)");
	int idle_while_busy = 0, skipped = 0, busy = 1, reads_after = 0, idle_after = -1;
	for (int i = 0; i < 200 && idle_after < 0; i++) {
		char b;
		CHECK(proc_sample(&h, PROC_SKIP_IDLE, row) == 0, "read %d", i);
		skipped += h.skip_looks > 0;
		if (busy) {
			idle_while_busy += i < 10 && row[PF_IDLE] != 0;
			/* it wrote the byte, then blocked: the reads from now on count */
			busy = read(donefd[0], &b, 1) != 1;
		} else if (row[PF_IDLE] == 1) {
			idle_after = reads_after;
		} else {
			reads_after++;
		}
		usleep(10 * 1000);
	}
	CHECK(idle_while_busy == 0, "a running process was given as idle %d times", idle_while_busy);
	CHECK(skipped > 0, "a process running at every look was looked at every time");
	CHECK(idle_after >= 0 && idle_after <= BUSY_SKIP + 3, "idle again %d reads after it stopped", idle_after);
	close(donefd[0]);
	close(pipefd[1]);
	waitpid(child, NULL, 0);
	proc_close(&h);
}

/* a child that sleeps in read(2) until told to open 50 files ('f') or touch 64 MiB ('m'), with an
 * 8 MiB shared map of mapfd touched first; a byte on ready after setup and after each */
static void serve(int cmd, int ready, int mapfd, size_t map_len)
{
	char *map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, mapfd, 0);
	char c = 0;

	if (map == MAP_FAILED)
		_exit(1);
	for (size_t i = 0; i < map_len; i += 4096)
		map[i] = 1;
	do {
		if (c == 'f') {
			for (int i = 0; i < 50; i++)
				if (open("/dev/null", O_RDONLY) < 0)
					_exit(1);
		} else if (c == 'm') {
			size_t len = (size_t)64 << 20;
			char *p = malloc(len);
			if (!p)
				_exit(1);
			for (size_t i = 0; i < len; i += 4096)
				p[i] = 1;
		}
		if (write(ready, "", 1) != 1)
			_exit(1);
	} while (read(cmd, &c, 1) == 1);
	_exit(0);
}

/* tell the child what to do, and wait until it did it and sleeps in read(2) again */
static void tell(int cmd, int ready, const char *what)
{
	char b;

	CHECK(!what || write(cmd, what, 1) == 1, "write to the child");
	CHECK(read(ready, &b, 1) == 1, "the child's ready byte");
	usleep(30 * 1000);
}

/*
 * PROC_SKIP_UNCHANGED: status and the fd count of a child asleep on a pipe are left unread while it
 * does not run and its RSS stays; read once it ran (even if a look in between found it asleep
 * again), once its RSS moved without it running (a file it maps truncated under it), and whenever
 * the caller asks without the bit.
 */
static void test_skip_unchanged(void)
{
	const int slow = PROC_SKIP_IDLE | PROC_SKIP_UNCHANGED | PROC_STATUS | PROC_FDS;
	char path[] = "/tmp/procread_test-XXXXXX";
	size_t map_len = 8 << 20;
	int cmd[2], ready[2], mapfd = mkstemp(path);
	struct proc_handle h;
	double row[PF_COUNT], first[PF_COUNT];

	CHECK(mapfd >= 0 && ftruncate(mapfd, (off_t)map_len) == 0 && pipe(cmd) == 0 && pipe(ready) == 0,
	      "mkstemp, pipes");
	pid_t child = fork();
	if (child == 0) {
		close(cmd[1]);
		close(ready[0]);
		serve(cmd[0], ready[1], mapfd, map_len);
	}
	close(cmd[0]);
	close(ready[1]);
	tell(cmd[1], ready[0], NULL);
	CHECK(proc_open(child, &h) == 0, "proc_open(child)");
	/* the sampler's first read: everything, and a look at schedstat */
	CHECK(proc_sample(&h, PROC_SKIP_IDLE | PROC_STATUS | PROC_IO | PROC_SMAPS | PROC_FDS, first) == 0 &&
		      first[PF_THREADS] == 1 && first[PF_VCSW] >= 0 && first[PF_FDS] >= 3 &&
		      first[PF_HWM] >= first[PF_RSS] && first[PF_RSS] >= (double)map_len,
	      "first read: threads %g vcsw %g fds %g hwm %g rss %g", first[PF_THREADS], first[PF_VCSW],
	      first[PF_FDS], first[PF_HWM], first[PF_RSS]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE, row) == 0 && row[PF_IDLE] == 1, "asleep: idle %g", row[PF_IDLE]);
	CHECK(proc_sample(&h, slow, row) == 0 && row[PF_OK] == 1 && row[PF_IDLE] == 2 &&
		      row[PF_RSS] == first[PF_RSS] && isnan(row[PF_HWM]) && isnan(row[PF_SWAP]) &&
		      isnan(row[PF_VCSW]) && isnan(row[PF_IVCSW]) && isnan(row[PF_FDS]),
	      "asleep, same RSS: status and fds must be left unread (idle %g, hwm %g, fds %g)", row[PF_IDLE],
	      row[PF_HWM], row[PF_FDS]);
	/* the caller's read every fifth second */
	CHECK(proc_sample(&h, slow & ~PROC_SKIP_UNCHANGED, row) == 0 && row[PF_VCSW] == first[PF_VCSW] &&
		      row[PF_FDS] == first[PF_FDS] && row[PF_HWM] == first[PF_HWM],
	      "without PROC_SKIP_UNCHANGED: read (vcsw %g fds %g)", row[PF_VCSW], row[PF_FDS]);
	CHECK(proc_sample(&h, slow, row) == 0 && isnan(row[PF_VCSW]) && isnan(row[PF_FDS]), "and unread after");

	tell(cmd[1], ready[0], "f");
	CHECK(proc_sample(&h, PROC_SKIP_IDLE, row) == 0 && row[PF_IDLE] == 0, "it ran: idle %g", row[PF_IDLE]);
	CHECK(proc_sample(&h, PROC_SKIP_IDLE, row) == 0 && row[PF_IDLE] == 1, "asleep again: idle %g", row[PF_IDLE]);
	CHECK(proc_sample(&h, slow, row) == 0 && row[PF_IDLE] == 2 && row[PF_FDS] == first[PF_FDS] + 50 &&
		      row[PF_VCSW] > first[PF_VCSW],
	      "it ran since status was read: read (fds %g, was %g; vcsw %g, was %g)", row[PF_FDS], first[PF_FDS],
	      row[PF_VCSW], first[PF_VCSW]);
	CHECK(proc_sample(&h, slow, row) == 0 && isnan(row[PF_FDS]), "and unread after");

	tell(cmd[1], ready[0], "m");
	CHECK(proc_sample(&h, slow, row) == 0 && row[PF_IDLE] == 0 && row[PF_HWM] >= first[PF_HWM] + (64 << 20),
	      "64 MiB touched: VmHWM %g, was %g", row[PF_HWM], first[PF_HWM]);
	double rss = row[PF_RSS];
	CHECK(proc_sample(&h, slow, row) == 0 && isnan(row[PF_HWM]), "and unread after");

	/* its RSS falls while it sleeps: the kernel unmaps the truncated file's pages */
	CHECK(ftruncate(mapfd, 0) == 0, "truncate");
	CHECK(proc_sample(&h, slow, row) == 0 && row[PF_IDLE] == 2 && row[PF_RSS] <= rss - (double)map_len / 2 &&
		      row[PF_VCSW] >= 0 && row[PF_FDS] == first[PF_FDS] + 50,
	      "RSS moved without a run: read (idle %g, rss %g, was %g; fds %g)", row[PF_IDLE], row[PF_RSS], rss,
	      row[PF_FDS]);
	CHECK(proc_sample(&h, slow, row) == 0 && isnan(row[PF_VCSW]), "and unread after");

	close(cmd[1]);
	close(ready[0]);
	waitpid(child, NULL, 0);
	proc_close(&h);
	close(mapfd);
	unlink(path);
}

/* with the fd limit reached, a process is read with files opened per sample, or not at all */
static void test_out_of_fds(void)
{
	struct rlimit old, low;
	struct proc_handle h;
	double row[PF_COUNT];
	int fds[64], n = 0;

	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &low);
	while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		n++;
	CHECK(n > 1 && n < 64, "could not reach the fd limit (%d)", n);
	close(fds[--n]);
	CHECK(proc_open(getpid(), &h) == 0 && h.open && !h.held, "proc_open with one fd free: open %d held %d",
	      h.open, h.held);
	CHECK(proc_sample(&h, PROC_IO, row) == -EMFILE && row[PF_OK] == 2, "no fds: ok %g", row[PF_OK]);
	for (int i = 0; i < 5; i++)
		close(fds[--n]);
	CHECK(proc_sample(&h, PROC_IO | PROC_STATUS | PROC_SMAPS | PROC_FDS, row) == 0 && row[PF_OK] == 1 &&
		      row[PF_RSS] > 0 && row[PF_RCHAR] > 0 && row[PF_HWM] > 0 && row[PF_PSS] > 0,
	      "files opened per sample: ok %g rss %g rchar %g hwm %g pss %g", row[PF_OK], row[PF_RSS], row[PF_RCHAR],
	      row[PF_HWM], row[PF_PSS]);
	CHECK(h.dir == -1 && h.stat == -1, "files opened per sample must be closed after it");
	proc_close(&h);
	while (n > 0)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
}

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	test_stat();
	test_status();
	test_io_and_smaps();
	test_live();
	test_skip_idle();
	test_busy_then_idle();
	test_skip_unchanged();
	test_out_of_fds();
	if (failures) {
		fprintf(stderr, "procread_test: %d failures\n", failures);
		return 1;
	}
	printf("procread_test: ok\n");
	return 0;
}
