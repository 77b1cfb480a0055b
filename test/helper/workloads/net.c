// Network work of known shape, all on this machine, for the network monitor's tests: TCP over
// IPv4 and IPv6 (connected, accepted, listening), refused connects blocking and not, a connect
// that never completes, UDP to two peers unconnected (sendto, sendmsg) and connected, and by
// sendmmsg and recvmmsg, Unix stream sockets by path, a Unix datagram by abstract name, a Unix
// connect to nothing, a socketpair and a pipe. The ports and names it used go to DIR/facts.json for the test.
//
//   net DIR
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static char buf[4096];

static void send_all(int fd, size_t n)
{
	memset(buf, 'x', sizeof(buf));
	if (send(fd, buf, n, 0) != (ssize_t)n)
		die("send");
}

/* n bytes by read(), in as many calls as it takes */
static void recv_all(int fd, size_t n)
{
	while (n) {
		ssize_t r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r <= 0)
			die("read");
		n -= r;
	}
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int v4(struct sockaddr_in *a, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

static int listener(int family, int backlog)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (family == AF_INET) {
		struct sockaddr_in a;
		if (bind(fd, (struct sockaddr *)&a, v4(&a, 0)))
			die("bind");
	} else {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			die("bind6");
	}
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* Sockets whose ports must stay taken until the end: a port let go could be the next one bound
 * (TCP and UDP ports are separate spaces, so the tests also match by protocol). */
static int kept[8], n_kept;

static void keep(int fd)
{
	if (n_kept == (int)(sizeof(kept) / sizeof(kept[0])))
		die("keep: too many");
	kept[n_kept++] = fd;
}

/* a TCP conversation: the client sends `up` bytes, the server answers `down` */
static void tcp_talk(int family, size_t up, size_t down, int *lport, int *cport)
{
	int l = listener(family, 8);
	*lport = port_of(l);
	int c = socket(family, SOCK_STREAM, 0);
	struct sockaddr_storage to;
	socklen_t tolen = sizeof(to);
	if (getsockname(l, (struct sockaddr *)&to, &tolen))
		die("getsockname");
	if (connect(c, (struct sockaddr *)&to, tolen))
		die("connect");
	*cport = port_of(c);
	int a = accept(l, NULL, NULL);
	if (a < 0)
		die("accept");
	send_all(c, up);
	recv_all(a, up);
	if (write(a, memset(buf, 'y', down), down) != (ssize_t)down)
		die("write");
	recv_all(c, down);
	close(c);
	close(a);
	keep(l);
}

/* a port nothing listens on: bound, never listened on (a connect to it is refused), and held so
 * that no other socket takes it */
static int refusing_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	if (bind(fd, (struct sockaddr *)&a, v4(&a, 0)))
		die("bind");
	keep(fd);
	return port_of(fd);
}

static int udp(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, v4(&a, 0)))
		die("udp");
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: net DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	int l4, c4, l6, c6;

	/* TCP: 1000 up and 500 down over IPv4, 2000 and 700 over IPv6 */
	tcp_talk(AF_INET, 1000, 500, &l4, &c4);
	tcp_talk(AF_INET6, 2000, 700, &l6, &c6);

	/* refused, blocking: ECONNREFUSED from connect itself */
	int refused = refusing_port();
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&a, v4(&a, refused)) == 0 || errno != ECONNREFUSED)
		die("refused connect");
	close(s);

	/* refused, non-blocking: EINPROGRESS (or the refusal at once), then SO_ERROR */
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(s, (struct sockaddr *)&a, v4(&a, refused)) == 0)
		die("refused non-blocking connect succeeded");
	int refused_at_once = errno == ECONNREFUSED;
	if (errno == EINPROGRESS) {
		struct pollfd p = { .fd = s, .events = POLLOUT };
		if (poll(&p, 1, 10000) != 1)
			die("poll");
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != ECONNREFUSED)
			die("SO_ERROR");
	} else if (errno != ECONNREFUSED) {
		die("refused non-blocking connect");
	}
	close(s);

	/* never completes: a listener whose accept queue is full drops the SYN; closed while
	 * still connecting */
	int full = listener(AF_INET, 0);
	int full_port = port_of(full);
	int first = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(first, (struct sockaddr *)&a, v4(&a, full_port)))
		die("connect to fill");
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(s, (struct sockaddr *)&a, v4(&a, full_port)) == 0 || errno != EINPROGRESS)
		die("connect that should hang");
	close(s);
	close(first);
	keep(full);

	/* reset: the server closes with SO_LINGER 0, which sends a RST; the client's read fails */
	int rl = listener(AF_INET, 1), rport = port_of(rl);
	int rc = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(rc, (struct sockaddr *)&a, v4(&a, rport)))
		die("connect to reset");
	int ra = accept(rl, NULL, NULL);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	if (ra < 0 || setsockopt(ra, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("linger");
	close(ra);
	if (read(rc, buf, 1) != -1 || errno != ECONNRESET)
		die("read after reset");
	close(rc);
	keep(rl);

	/* UDP: u1 sends 2 x 100 to u2 by sendto and 300 to u3 by sendmsg; u4, connected to
	 * u2, sends 50 */
	int u1 = udp(), u2 = udp(), u3 = udp(), u4 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to2, to3;
	v4(&to2, port_of(u2));
	v4(&to3, port_of(u3));
	memset(buf, 'u', sizeof(buf));
	for (int i = 0; i < 2; i++)
		if (sendto(u1, buf, 100, 0, (struct sockaddr *)&to2, sizeof(to2)) != 100)
			die("sendto");
	struct iovec iov = { .iov_base = buf, .iov_len = 300 };
	struct msghdr mh = { .msg_name = &to3, .msg_namelen = sizeof(to3), .msg_iov = &iov, .msg_iovlen = 1 };
	if (sendmsg(u1, &mh, 0) != 300)
		die("sendmsg");
	if (connect(u4, (struct sockaddr *)&to2, sizeof(to2)) || send(u4, buf, 50, 0) != 50)
		die("connected udp");
	struct sockaddr_in from;
	socklen_t fromlen;
	for (int i = 0; i < 3; i++) {
		fromlen = sizeof(from);
		if (recvfrom(u2, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen) <= 0)
			die("recvfrom");
	}
	struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
	iov.iov_len = sizeof(buf);
	if (recvmsg(u3, &rh, 0) != 300)
		die("recvmsg");
	int p1 = port_of(u1), p2 = port_of(u2), p3 = port_of(u3), p4 = port_of(u4);
	close(u1);
	close(u2);
	close(u3);
	close(u4);

	/* UDP by sendmmsg and recvmmsg: u5, connected to u6, sends 10, 20 and 30 bytes in one
	 * call; u7, unconnected, sends 40 to u6 and 50 to u8 in one (an address each), then 60 and
	 * 70 to u8 in one (both naming one address); u6 takes its four in one recvmmsg (an address
	 * buffer each), u8 its three by recvfrom */
	int u5 = udp(), u6 = udp(), u7 = udp(), u8 = udp();
	struct sockaddr_in to6, to8, froms[4];
	v4(&to6, port_of(u6));
	v4(&to8, port_of(u8));
	if (connect(u5, (struct sockaddr *)&to6, sizeof(to6)))
		die("connect u5");
	struct iovec mv[4];
	struct mmsghdr mm[4];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		mv[i] = (struct iovec){ .iov_base = buf, .iov_len = 10 * (i + 1) };
		mm[i].msg_hdr = (struct msghdr){ .msg_iov = &mv[i], .msg_iovlen = 1 };
	}
	if (sendmmsg(u5, mm, 3, 0) != 3)
		die("sendmmsg connected");
	struct sockaddr_in *to[2] = { &to6, &to8 };
	for (int i = 0; i < 2; i++) {
		mv[i] = (struct iovec){ .iov_base = buf, .iov_len = 40 + 10 * i };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = to[i], .msg_namelen = sizeof(to6),
						 .msg_iov = &mv[i], .msg_iovlen = 1 };
	}
	if (sendmmsg(u7, mm, 2, 0) != 2)
		die("sendmmsg to two");
	for (int i = 0; i < 2; i++) {
		mv[i] = (struct iovec){ .iov_base = buf, .iov_len = 60 + 10 * i };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &to8, .msg_namelen = sizeof(to8),
						 .msg_iov = &mv[i], .msg_iovlen = 1 };
	}
	if (sendmmsg(u7, mm, 2, 0) != 2)
		die("sendmmsg to one");
	char rbuf[4][128];
	for (int i = 0; i < 4; i++) {
		mv[i] = (struct iovec){ .iov_base = rbuf[i], .iov_len = sizeof(rbuf[i]) };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &froms[i], .msg_namelen = sizeof(froms[i]),
						 .msg_iov = &mv[i], .msg_iovlen = 1 };
	}
	if (recvmmsg(u6, mm, 4, 0, NULL) != 4)
		die("recvmmsg");
	for (int i = 0; i < 3; i++) {
		fromlen = sizeof(from);
		if (recvfrom(u8, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen) <= 0)
			die("recvfrom u8");
	}
	int p5 = port_of(u5), p6 = port_of(u6), p7 = port_of(u7), p8 = port_of(u8);
	close(u5);
	close(u6);
	close(u7);
	close(u8);

	/* Unix stream by path: 123 up, 45 down */
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/s.sock", dir);
	int ul = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(ul, (struct sockaddr *)&un, sizeof(un)) || listen(ul, 1))
		die("unix listen");
	int uc = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(uc, (struct sockaddr *)&un, sizeof(un)))
		die("unix connect");
	int ua = accept(ul, NULL, NULL);
	send_all(uc, 123);
	recv_all(ua, 123);
	if (write(ua, buf, 45) != 45)
		die("unix write");
	recv_all(uc, 45);
	close(uc);
	close(ua);
	close(ul);
	unlink(un.sun_path);

	/* Unix datagram by abstract name: 77 bytes */
	struct sockaddr_un ab = { .sun_family = AF_UNIX };
	char abstract[64];
	snprintf(abstract, sizeof(abstract), "syscope-net-%d", getpid());
	memcpy(ab.sun_path + 1, abstract, strlen(abstract));
	socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract);
	int ds = socket(AF_UNIX, SOCK_DGRAM, 0), dc = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (bind(ds, (struct sockaddr *)&ab, ablen))
		die("abstract bind");
	if (sendto(dc, buf, 77, 0, (struct sockaddr *)&ab, ablen) != 77 || recv(ds, buf, sizeof(buf), 0) != 77)
		die("abstract");
	close(dc);
	close(ds);

	/* Unix connect to a path with nothing there: ENOENT */
	struct sockaddr_un none = { .sun_family = AF_UNIX };
	snprintf(none.sun_path, sizeof(none.sun_path), "%s/none.sock", dir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&none, sizeof(none)) == 0 || errno != ENOENT)
		die("connect to nothing");
	close(s);

	/* a socketpair and a pipe: 10 bytes each way */
	int sv[2], pv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(pv))
		die("pairs");
	if (write(sv[0], buf, 10) != 10 || read(sv[1], buf, 10) != 10 || write(pv[1], buf, 10) != 10 ||
	    read(pv[0], buf, 10) != 10)
		die("pair io");
	close(sv[0]);
	close(sv[1]);
	close(pv[0]);
	close(pv[1]);
	for (int i = 0; i < n_kept; i++)
		close(kept[i]);

	char path[4096];
	snprintf(path, sizeof(path), "%s/facts.json", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f,
		"{\"l4\":%d,\"c4\":%d,\"l6\":%d,\"c6\":%d,\"refused\":%d,\"full\":%d,"
		"\"u1\":%d,\"u2\":%d,\"u3\":%d,\"u4\":%d,\"u5\":%d,\"u6\":%d,\"u7\":%d,\"u8\":%d,"
		"\"abstract\":\"@%s\",\"refused_at_once\":%s,\"reset\":%d}\n",
		l4, c4, l6, c6, refused, full_port, p1, p2, p3, p4, p5, p6, p7, p8, abstract,
		refused_at_once ? "true" : "false", rport);
	fclose(f);
	return 0;
}
