// SPDX-License-Identifier: MIT
// holdfiles DIR N SECONDS: creates N files in DIR (open with O_CREAT, close: their entries stay
// in the detail tables to its exit), says "ready" on stdout, then writes one byte to DIR/log
// every 50 ms for SECONDS. For the bench of the helper's own CPU while a process holding many
// files changes one (npm run bench:helper).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	if (argc != 4)
		return 2;
	long n = strtol(argv[2], NULL, 10), ticks = strtol(argv[3], NULL, 10) * 20;
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", argv[1], i);
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0)
			return 3;
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/log", argv[1]);
	int log = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (log < 0)
		return 3;
	printf("ready\n");
	fflush(stdout);
	for (long i = 0; i < ticks; i++) {
		if (write(log, "x", 1) != 1)
			return 3;
		usleep(50000);
	}
	return 0;
}
