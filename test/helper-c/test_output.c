/* The output queue hands the app every line whole and in order, however little the socket takes
 * at a time: a burst far bigger than the socket's buffer, read back in uneven pieces while more
 * is queued, arrives byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "json.h"
#include "output.h"

#define LINES 40000

/* hello's figures, which messages.c refers to (the build writes them into build_id.c) */
const char syscope_version[] = "test";
const char syscope_build_id[] = "test";

/* line i: its number and a filler whose length varies with it (10..209 bytes) */
static void line_of(struct jbuf *j, unsigned i)
{
	jb_reset(j);
	jb_raw(j, "{\"i\":");
	jb_u64(j, i);
	jb_raw(j, ",\"x\":\"");
	for (unsigned k = 0; k < 10 + (i * 7919u) % 200; k++) {
		char c[2] = { (char)('a' + (k + i) % 26), 0 };
		jb_raw(j, c);
	}
	jb_raw(j, "\"}");
}

/* what the app has read so far, appended to got */
static size_t drain(int fd, char *got, size_t at, size_t cap, size_t most)
{
	while (most) {
		size_t want = most < cap - at ? most : cap - at;
		if (!want)
			break;
		ssize_t n = read(fd, got + at, want);
		if (n <= 0)
			break;
		at += (size_t)n;
		most -= (size_t)n;
	}
	return at;
}

int main(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	out_init(sv[0]);

	struct jbuf j = { 0 };
	size_t total = 0;
	for (unsigned i = 0; i < LINES; i++) {
		line_of(&j, i);
		total += j.len + 1;
	}
	char *want = malloc(total), *got = malloc(total);
	if (!want || !got)
		return 1;
	size_t w = 0;
	for (unsigned i = 0; i < LINES; i++) {
		line_of(&j, i);
		memcpy(want + w, j.buf, j.len);
		want[w + j.len] = '\n';
		w += j.len + 1;
	}

	/* queue in bursts, flush, and read back less than was queued (an uneven amount), so the
	 * queue grows, is written from its middle and is moved to its front */
	size_t at = 0;
	unsigned seed = 1;
	for (unsigned i = 0; i < LINES; i++) {
		line_of(&j, i);
		out_line(&j);
		if (i % 97 == 0) {
			out_flush();
			seed = seed * 1103515245u + 12345u;
			at = drain(sv[1], got, at, total, (seed >> 8) % 30000);
		}
	}
	/* the rest, as the event loop would: flush when the socket takes more */
	for (int rounds = 0; at < total && rounds < 1000000; rounds++) {
		out_flush();
		at = drain(sv[1], got, at, total, total);
	}
	CHECK(!out_failed(), "the queue never gave up on a reader that keeps reading");
	CHECK(at == total, "every byte queued arrived");
	CHECK(at == total && memcmp(got, want, total) == 0, "every line arrived whole and in order");

	/* once all is written, a new line goes out at once */
	line_of(&j, LINES);
	out_line(&j);
	out_flush();
	char one[256];
	ssize_t n = read(sv[1], one, sizeof(one));
	CHECK(n == (ssize_t)j.len + 1 && memcmp(one, j.buf, j.len) == 0 && one[j.len] == '\n',
	      "an empty queue starts again at its front");

	jb_free(&j);
	out_free();
	free(want);
	free(got);
	close(sv[0]);
	close(sv[1]);
	return CHECK_DONE();
}
