// SPDX-License-Identifier: MIT
// files DIR: known file work in DIR (which holds sub/ and nothing else), for the files monitor's
// tests: every open, read and write below is counted by the test, byte for byte.
//   sub/a.txt   created (1 open), 2 writes of 1000 and 234 bytes; opened again as
//               "../sub/./a.txt" from sub (cwd) and as "sub/a.txt" relative to a dirfd of DIR
//               (3 opens); read 100 bytes, pread 50, and sendfile's 1234 (3 reads, 1384 bytes)
//   sub/b.txt   created (1 open), sendfile writes 1234 (1 write); opened through the symlink
//               DIR/link (2 opens), read 1234 in one call asking for 4096
//   DIR         opened as a directory (1 open)
//   a pipe      77 bytes written and read back
//   an eventfd  8 bytes written and read back; a timerfd, armed to fire once, read (8 bytes):
//               two anonymous inodes (the kernel's one inode for both), told apart by name
//   failed      "nope.txt" twice (relative to sub), DIR/missing/x once: ENOENT
//   long        sub/LONG/c.txt, LONG 140 "d"s (a path longer than the short names' table holds):
//               created (1 open), 1 write of 321 bytes; "LONG/nope.txt" (relative to sub) failed
//               once, a name as given longer than the short table holds too
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <stdint.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096], path[4096];
	if (argc != 2)
		return 2;
	memset(buf, 'x', sizeof(buf));
	snprintf(path, sizeof(path), "%s/sub", argv[1]);
	if (chdir(path))
		return 3;
	int f = open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (write(f, buf, 1000) != 1000 || write(f, buf, 234) != 234)
		return 4;
	close(f);
	f = open("../sub/./a.txt", O_RDONLY);
	if (read(f, buf, 100) != 100 || pread(f, buf, 50, 10) != 50)
		return 5;
	close(f);
	open("nope.txt", O_RDONLY);
	open("nope.txt", O_RDONLY);
	snprintf(path, sizeof(path), "%s/missing/x", argv[1]);
	open(path, O_RDONLY);
	int dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	int in = openat(dir, "sub/a.txt", O_RDONLY);
	int out = open("b.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (sendfile(out, in, NULL, 1234) != 1234)
		return 6;
	snprintf(path, sizeof(path), "%s/link", argv[1]);
	if (symlink("sub/b.txt", path))
		return 7;
	int l = open(path, O_RDONLY);
	if (read(l, buf, sizeof(buf)) != 1234)
		return 8;
	int p[2];
	if (pipe(p) || write(p[1], buf, 77) != 77 || read(p[0], buf, 77) != 77)
		return 9;
	uint64_t one = 1;
	int ev = eventfd(0, 0);
	if (ev < 0 || write(ev, &one, 8) != 8 || read(ev, &one, 8) != 8)
		return 10;
	int tm = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec soon = { .it_value = { .tv_nsec = 1000000 } };
	if (tm < 0 || timerfd_settime(tm, 0, &soon, NULL) || read(tm, &one, 8) != 8)
		return 11;
	char lng[141];
	memset(lng, 'd', 140);
	lng[140] = 0;
	if (mkdir(lng, 0755))
		return 12;
	snprintf(path, sizeof(path), "%s/c.txt", lng);
	f = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (write(f, buf, 321) != 321)
		return 13;
	snprintf(path, sizeof(path), "%s/nope.txt", lng);
	open(path, O_RDONLY);
	return 0;
}
