// SPDX-License-Identifier: MIT
// manyconns N: N TCP connections over loopback to a listener of its own, one after another: each
// connected, accepted, one byte each way, both ends closed. For the test that the network
// monitor's kernel tables stay bounded over a session with more connections than they hold.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = strtol(argv[1], NULL, 10);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 16) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return 3;
	char b = 'x';
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
			return 4;
		int s = accept(l, NULL, NULL);
		if (s < 0 || send(c, &b, 1, 0) != 1 || recv(s, &b, 1, 0) != 1 || send(s, &b, 1, 0) != 1 ||
		    recv(c, &b, 1, 0) != 1)
			return 5;
		close(c);
		close(s);
	}
	return 0;
}
