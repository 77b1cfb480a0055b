// SPDX-License-Identifier: MIT
// manyfiles DIR N [stat]: creates N files in DIR (open with O_CREAT, write 1 byte, close), for the
// test that the files monitor's kernel tables stay bounded and say what they could not keep; with
// "stat", looks up N names in DIR that are not there instead (stat, ENOENT), for the test that a
// process naming a whole tree has each name kept.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	struct stat st;
	if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "stat")))
		return 2;
	long n = strtol(argv[2], NULL, 10);
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", argv[1], i);
		if (argc == 4) {
			if (stat(path, &st) == 0)
				return 3;
			continue;
		}
		int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			return 3;
		close(fd);
	}
	return 0;
}
