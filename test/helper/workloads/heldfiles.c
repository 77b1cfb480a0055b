// SPDX-License-Identifier: MIT
// heldfiles DIR N FIFO: creates N files in DIR (open with O_CREAT, close), opens DIR/log, looks up
// DIR/nope (not there), says "ready" on stdout, then reads FIFO a byte at a time: for each "w"
// writes one byte to DIR/log, for each "s" looks up DIR/nope again, at anything else exits. For
// the test that a tick reads the entries that changed, not all those a process holds, and the
// bench of the helper's own CPU beside it (npm run bench:helper).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], nope[4096];
	struct stat st;
	if (argc != 4)
		return 2;
	long n = strtol(argv[2], NULL, 10);
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", argv[1], i);
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0)
			return 3;
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/log", argv[1]);
	int log = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	snprintf(nope, sizeof(nope), "%s/nope", argv[1]);
	int go = open(argv[3], O_RDONLY);
	if (log < 0 || go < 0 || stat(nope, &st) == 0)
		return 3;
	printf("ready\n");
	fflush(stdout);
	char c;
	while (read(go, &c, 1) == 1) {
		if (c == 'w' && write(log, "x", 1) != 1)
			return 3;
		else if (c == 's' && stat(nope, &st) == 0)
			return 3;
		else if (c != 'w' && c != 's')
			break;
	}
	return 0;
}
