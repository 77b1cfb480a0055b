// SPDX-License-Identifier: MIT
// forkfiles DIR N: N children at once (all forked before any is waited for), child K writing
// K + 1 bytes to DIR/cK and exiting; for the test that a burst of exits each has its files
// before its exit, however many the helper lets go together.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char bytes[4096];
	char path[4096];
	if (argc != 3)
		return 2;
	long n = strtol(argv[2], NULL, 10);
	if (n < 1 || n >= (long)sizeof(bytes))
		return 2;
	memset(bytes, 'x', sizeof(bytes));
	for (long k = 0; k < n; k++) {
		pid_t c = fork();
		if (c < 0)
			return 3;
		if (c == 0) {
			snprintf(path, sizeof(path), "%s/c%ld", argv[1], k);
			int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
			if (fd < 0 || write(fd, bytes, (size_t)k + 1) != k + 1)
				_exit(4);
			close(fd);
			_exit(0);
		}
	}
	int status, bad = 0;
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	return bad ? 5 : 0;
}
