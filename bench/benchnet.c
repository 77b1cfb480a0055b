// SPDX-License-Identifier: MIT
/*
 * benchnet N SIZE: a client and a server (a forked child) on TCP over loopback; the client sends
 * N messages of SIZE bytes, one at a time, and the server answers each with the same bytes: a
 * network-heavy workload of many small messages for npm run bench:helper. Exits 0 when every
 * answer came back whole.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int io_all(int fd, char *buf, size_t n, int writing)
{
	while (n) {
		ssize_t r = writing ? write(fd, buf, n) : read(fd, buf, n);
		if (r <= 0)
			return -1;
		buf += r;
		n -= r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, size = argc > 2 ? atol(argv[2]) : 64;
	char buf[4096];
	if (n < 1 || size < 1 || size > (long)sizeof(buf)) {
		fprintf(stderr, "benchnet: N >= 1 and 1 <= SIZE <= %zu\n", sizeof(buf));
		return 2;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len)) {
		perror("benchnet: listen");
		return 1;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("benchnet: fork");
		return 1;
	}
	if (child == 0) {
		int s = accept(l, NULL, NULL);
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (long i = 0; i < n; i++)
			if (io_all(s, buf, size, 0) || io_all(s, buf, size, 1))
				return 1;
		return 0;
	}
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a))) {
		perror("benchnet: connect");
		return 1;
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(buf, 'x', sizeof(buf));
	for (long i = 0; i < n; i++)
		if (io_all(c, buf, size, 1) || io_all(c, buf, size, 0)) {
			fprintf(stderr, "benchnet: message %ld did not come back\n", i);
			return 1;
		}
	close(c);
	int status;
	return waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
