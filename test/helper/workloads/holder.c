// SPDX-License-Identifier: MIT
// holder DIR: opens DIR/kept (written 10 bytes) and DIR/used\xff (a name that is not UTF-8), a pipe, an
// eventfd and a timerfd (two kinds of the kernel's one anonymous inode); and sockets: a TCP
// listener on 127.0.0.1 with one connection to it (both ends), a TCP listener on ::1, a UDP
// socket connected to a second one, a Unix listener at DIR/sock and one bound to an abstract name.
// It writes their ports to DIR/facts.json, says "ready" on stdout and waits for one line on stdin;
// then reads DIR/used\xff (5 bytes), reads the timerfd once it fired (8 bytes), sends 7 bytes from the TCP client to its accepted end (read
// there) and exits. For the test that the files and sockets a process holds as it is attached to
// are known, used or not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

/* a socket bound to addr (port 0: the kernel picks), its port in *port */
static int bound(int family, int type, const char *addr, int *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int s = socket(family, type, 0);
	if (s < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof(*a);
	}
	if (bind(s, (struct sockaddr *)&ss, len) || getsockname(s, (struct sockaddr *)&ss, &len))
		return -1;
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
}

static int connected_to(int s, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	return connect(s, (struct sockaddr *)&a, sizeof(a));
}

static int unix_bound(const char *path, int abstract)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || n + 1 >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path + (abstract ? 1 : 0), path, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	if (bind(s, (struct sockaddr *)&a, len) || listen(s, 1))
		return -1;
	return s;
}

int main(int argc, char **argv)
{
	char p[4096], buf[16];
	int pv[2], l4, l6, c4, u1, u2;
	if (argc != 2)
		return 2;
	snprintf(p, sizeof(p), "%s/kept", argv[1]);
	int kept = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	snprintf(p, sizeof(p), "%s/used\xff", argv[1]);
	int used = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (kept < 0 || used < 0 || pipe(pv) || write(kept, "0123456789", 10) != 10 ||
	    write(used, "abcde", 5) != 5 || lseek(used, 0, SEEK_SET))
		return 3;

	/* the eventfd at the lower fd, listed first in /proc/PID/fd; the timerfd the one used */
	int ev = eventfd(0, 0);
	int tf = timerfd_create(CLOCK_MONOTONIC, 0);
	if (ev < 0 || tf < 0)
		return 10;

	int listener = bound(AF_INET, SOCK_STREAM, "127.0.0.1", &l4);
	int listener6 = bound(AF_INET6, SOCK_STREAM, "::1", &l6);
	int client = bound(AF_INET, SOCK_STREAM, "127.0.0.1", &c4);
	int udp1 = bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &u1);
	int udp2 = bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &u2);
	if (listener < 0 || listener6 < 0 || client < 0 || udp1 < 0 || udp2 < 0 ||
	    listen(listener, 1) || listen(listener6, 1) || connected_to(client, l4) ||
	    connected_to(udp1, u2))
		return 6;
	int accepted = accept(listener, NULL, NULL);
	snprintf(p, sizeof(p), "%s/sock", argv[1]);
	unlink(p);
	int ux = unix_bound(p, 0);
	snprintf(p, sizeof(p), "syscope-holder-%d", (int)getpid());
	int ua = unix_bound(p, 1);
	if (accepted < 0 || ux < 0 || ua < 0)
		return 7;

	snprintf(p, sizeof(p), "%s/facts.json", argv[1]);
	FILE *f = fopen(p, "w");
	if (!f)
		return 8;
	fprintf(f, "{\"l4\":%d,\"l6\":%d,\"c4\":%d,\"u1\":%d,\"u2\":%d,\"abstract\":\"syscope-holder-%d\"}\n",
		l4, l6, c4, u1, u2, (int)getpid());
	fclose(f);
	printf("ready\n");
	fflush(stdout);
	if (read(0, buf, sizeof(buf)) <= 0)
		return 4;
	if (read(used, buf, sizeof(buf)) != 5)
		return 5;
	struct itimerspec soon = { .it_value = { .tv_nsec = 1000000 } };
	unsigned long long fired;
	if (timerfd_settime(tf, 0, &soon, NULL) || read(tf, &fired, sizeof(fired)) != 8)
		return 11;
	if (write(client, "1234567", 7) != 7 || read(accepted, buf, sizeof(buf)) != 7)
		return 9;
	return 0;
}
