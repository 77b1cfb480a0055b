// SPDX-License-Identifier: MIT
// manyconns N: N TCP connections over loopback, all held open at once: a child process accepts
// them, the parent makes them; then one byte each way on every one, then all closed. For the
// test that the network monitor's kernel tables hold processes with that many connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long n = strtol(argv[1], NULL, 10);
	/* each process holds one end of every connection */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < (rlim_t)n + 16) {
		fprintf(stderr, "manyconns: needs %ld open files, the limit is %llu\n", n + 16,
			(unsigned long long)rl.rlim_cur);
		return 2;
	}
	int *fds = calloc(n, sizeof(int));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (!fds || l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4096) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		die("listen");
	char b = 'x';
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		for (long i = 0; i < n; i++)
			if ((fds[i] = accept(l, NULL, NULL)) < 0)
				die("accept");
		for (long i = 0; i < n; i++)
			if (recv(fds[i], &b, 1, 0) != 1 || send(fds[i], &b, 1, 0) != 1)
				die("server");
		for (long i = 0; i < n; i++)
			close(fds[i]);
		return 0;
	}
	close(l);
	for (long i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&a, sizeof(a)))
			die("connect");
	}
	for (long i = 0; i < n; i++)
		if (send(fds[i], &b, 1, 0) != 1 || recv(fds[i], &b, 1, 0) != 1)
			die("client");
	for (long i = 0; i < n; i++)
		close(fds[i]);
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}
