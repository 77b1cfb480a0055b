// Workloads whose /proc figures are known, for checking the sampler.
//   procload alloc MIB SECONDS   allocate and touch MIB MiB, then sleep
//   procload busy SECONDS        spin one core
//   procload write MIB PATH      write MIB MiB to PATH with fsync, then sleep 1 s
//   procload files N SECONDS     open N files, then sleep
//   procload tree N SECONDS      N children that each spin for SECONDS/2 then exit, parent sleeps
//   procload serve PATH          map PATH (8 MiB, shared) and write every page, then sleep in
//                                read(2) on stdin, acting on each byte: 'f' opens 50 more files,
//                                'm' allocates and touches 64 MiB; "ok" on stdout when ready and
//                                after each; exits at end of input
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void spin(double seconds)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < seconds);
}

static void ack(void)
{
	/* for a test that reads stdout; nobody else needs it */
	ssize_t n = write(1, "ok\n", 3);
	(void)n;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "alloc")) {
		size_t n = (size_t)atol(argv[2]) << 20;
		char *p = malloc(n);
		for (size_t i = 0; i < n; i += 4096)
			p[i] = 1;
		sleep((unsigned)atoi(argv[3]));
		return p[n / 2] == 1 ? 0 : 1;
	}
	if (!strcmp(argv[1], "busy")) {
		spin(atof(argv[2]));
		return 0;
	}
	if (!strcmp(argv[1], "write")) {
		static char buf[1 << 20];
		memset(buf, 'x', sizeof(buf));
		int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		for (int i = 0; i < atoi(argv[2]); i++)
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				return 1;
		fsync(fd);
		close(fd);
		sleep(1);
		return 0;
	}
	if (!strcmp(argv[1], "files")) {
		for (int i = 0; i < atoi(argv[2]); i++)
			if (open("/dev/null", O_RDONLY) < 0)
				return 1;
		sleep((unsigned)atoi(argv[3]));
		return 0;
	}
	if (!strcmp(argv[1], "tree")) {
		int n = atoi(argv[2]);
		double s = atof(argv[3]);
		for (int i = 0; i < n; i++)
			if (fork() == 0) {
				spin(s / 2);
				_exit(0);
			}
		while (wait(NULL) > 0)
			;
		struct timespec ts = { .tv_sec = (time_t)(s / 2), .tv_nsec = 0 };
		nanosleep(&ts, NULL);
		return 0;
	}
	if (!strcmp(argv[1], "serve")) {
		size_t n = 8 << 20;
		int fd = open(argv[2], O_RDWR | O_CREAT, 0600);
		char *map = fd < 0 || ftruncate(fd, (off_t)n) ? MAP_FAILED : mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < n; i += 4096)
			map[i] = 1;
		char c;
		ack();
		while (read(0, &c, 1) == 1) {
			if (c == 'f') {
				for (int i = 0; i < 50; i++)
					if (open("/dev/null", O_RDONLY) < 0)
						return 1;
			} else if (c == 'm') {
				size_t m = (size_t)64 << 20;
				char *p = malloc(m);
				if (!p)
					return 1;
				for (size_t i = 0; i < m; i += 4096)
					p[i] = 1;
			}
			ack();
		}
		/* the map is not touched again: a test may have truncated its file (SIGBUS) */
		return 0;
	}
	return 2;
}
