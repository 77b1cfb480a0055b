// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for what the helper does with the bytes the app sends (helper/protocol.c):
 * the line splitting of read_requests and the request parser. The input is read as a stream in
 * chunks whose sizes come from its first bytes (one byte at a time, reads that straddle lines,
 * whole buffers), as a socket may deliver it. Besides sanitizer reports, it aborts when:
 * - a line handed out holds a newline or is longer than the reader's buffer;
 * - anything is handed out after a line said stop (a shutdown);
 * - the lines differ from the same stream read whole, once over-long lines are set aside;
 * - the parser accepts a request with a value outside its documented range, or rejects one
 *   without a message or with a code other than EINVAL/E2BIG.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#define MAX_EVENTS 4096

struct trace {
	/* each line as it was handed out, or "!" for an over-long one */
	char events[MAX_EVENTS][REQUEST_MAX + 1];
	size_t n;
	bool stopped;
	bool overflowed; /* more events than MAX_EVENTS: not compared */
};

static struct trace whole, chunked;

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_protocol: %s\n", what);
		abort();
	}
}

/* Returns whether it is a valid shutdown request. */
static bool check_request(const char *s, size_t len)
{
	struct request r;
	uint32_t id = 12345;
	char err[256] = "";
	int rc = parse_request(s, len, &r, &id, err, sizeof(err));

	if (rc) {
		must(rc == -EINVAL || rc == -E2BIG, "parse_request returned an unexpected code");
		must(err[0] != 0 && memchr(err, 0, sizeof(err)), "an error without a message");
		must(rc != -E2BIG || len + 1 > REQUEST_MAX, "E2BIG for a short line");
		return false;
	}
	must(len + 1 <= REQUEST_MAX, "accepted an over-long request");
	must(id == r.id, "the echoed id differs from the request's");
	switch (r.verb) {
	case REQ_HELLO:
		must(r.version >= 1 && r.id == 0, "hello out of range");
		break;
	case REQ_TRACK:
	case REQ_LAUNCH:
		must(r.descendants == 0 || r.descendants == 1, "descendants not 0 or 1");
		/* fall through */
	case REQ_UNTRACK:
		must(r.pid >= 1 && r.pid <= 4194304, "pid out of range");
		must(r.id >= 1, "id 0 accepted");
		break;
	case REQ_INTERVAL:
		must(r.interval_ms >= 10 && r.interval_ms <= 60000 && r.id >= 1, "interval out of range");
		break;
	case REQ_SHUTDOWN:
		must(r.id >= 1, "id 0 accepted");
		break;
	default:
		must(false, "unknown verb accepted");
	}
	return r.verb == REQ_SHUTDOWN;
}

static void add(struct trace *t, const char *s, size_t len)
{
	if (t->n == MAX_EVENTS) {
		t->overflowed = true;
		return;
	}
	/* whether a line reaches REQUEST_MAX decides, not how the reader noticed it */
	if (len + 1 > REQUEST_MAX)
		snprintf(t->events[t->n++], sizeof(t->events[0]), "!");
	else
		snprintf(t->events[t->n++], sizeof(t->events[0]), "=%.*s", (int)len, s);
}

static bool on_line(void *ctx, const char *s, size_t len)
{
	struct trace *t = ctx;
	must(!t->stopped, "a line was handed out after stop");
	must(!memchr(s, '\n', len), "a line holds a newline");
	must(len < REQUEST_MAX * 4, "a line longer than the buffer");
	bool shutdown = check_request(s, len);
	add(t, s, len);
	/* a valid shutdown stops the reader, as it stops the helper */
	if (shutdown) {
		t->stopped = true;
		return false;
	}
	return true;
}

static void on_too_long(void *ctx)
{
	struct trace *t = ctx;
	must(!t->stopped, "over-long reported after stop");
	add(t, "", REQUEST_MAX);
}

static void feed(struct trace *t, const uint8_t *data, size_t size, const uint8_t *sizes, size_t nsizes)
{
	static struct line_reader reader;
	const struct line_handler h = { .line = on_line, .too_long = on_too_long, .ctx = t };
	size_t off = 0, k = 0;

	memset(&reader, 0, sizeof(reader));
	t->n = 0;
	t->stopped = t->overflowed = false;
	while (off < size) {
		size_t room;
		char *space = line_reader_space(&reader, &room);
		if (room == 0) {
			must(t->stopped, "no room in a reader that has not stopped");
			return;
		}
		/* nsizes == 0: as much as fits, as one big read would */
		size_t want = nsizes ? (size_t)sizes[k++ % nsizes] + 1 : room;
		size_t n = want < room ? want : room;
		if (n > size - off)
			n = size - off;
		memcpy(space, data + off, n);
		off += n;
		if (!line_reader_take(&reader, n, &h))
			must(t->stopped, "take said stop without a stopping line");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* first byte: how many of the next bytes are chunk sizes (0-15) */
	size_t nsizes = size ? data[0] % 16 : 0;
	if (size < 1 + nsizes)
		return 0;
	const uint8_t *sizes = data + 1, *stream = data + 1 + nsizes;
	size_t len = size - 1 - nsizes;

	feed(&whole, stream, len, NULL, 0);
	feed(&chunked, stream, len, sizes, nsizes);
	if (whole.overflowed || chunked.overflowed)
		return 0;
	/* the same stream gives the same requests however it is cut, except that a line the
	 * reader saw whole at 256+ bytes and one it dropped piecemeal are both "!" */
	must(whole.n == chunked.n, "a different number of lines when read in chunks");
	for (size_t i = 0; i < whole.n; i++)
		must(!strcmp(whole.events[i], chunked.events[i]), "a different line when read in chunks");
	must(whole.stopped == chunked.stopped, "stopped in one reading, not the other");
	return 0;
}
