// SPDX-License-Identifier: MIT
// sockchurn FIFO N ROUNDS: ROUNDS times, opens and closes N UDP sockets, then waits for a byte on
// FIFO (the test's go-ahead), for the test that closed sockets leave the kernel's tables while
// their process lives on.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	int fifo = open(argv[1], O_RDONLY);
	long n = strtol(argv[2], NULL, 10), rounds = strtol(argv[3], NULL, 10);
	if (fifo < 0)
		return 3;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (fd < 0 || close(fd))
				return 4;
		}
		char c;
		if (read(fifo, &c, 1) != 1)
			return 5;
	}
	return 0;
}
