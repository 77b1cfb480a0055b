// SPDX-License-Identifier: MIT
#include "protocol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 5

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* Unsigned decimal, no sign, no leading zeros beyond "0", within [min, max]. */
static int parse_u32(const char *s, size_t n, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct token {
	const char *s;
	size_t n;
};

static int split(const char *line, size_t len, struct token *tok, int *count)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (i == start)
			return -1; /* empty token: two spaces, or a leading/trailing space */
		if (n == MAX_TOKENS)
			return -1;
		tok[n].s = line + start;
		tok[n].n = i - start;
		n++;
		if (i < len)
			i++; /* the one separating space */
		if (i == len && line[len - 1] == ' ')
			return -1;
	}
	*count = n;
	return 0;
}

static int is(const struct token *t, const char *word)
{
	return t->n == strlen(word) && memcmp(t->s, word, t->n) == 0;
}

int parse_request(const char *line, size_t len, struct request *req, uint32_t *id_out, char *err,
		  size_t errlen)
{
	struct token tok[MAX_TOKENS];
	int n = 0;

	memset(req, 0, sizeof(*req));
	*id_out = 0;
	if (len + 1 > REQUEST_MAX)
		return fail(err, errlen, -E2BIG, "request longer than %d bytes", REQUEST_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c > 0x7e)
			return fail(err, errlen, -EINVAL,
				    "request has a non-printable or non-ASCII byte 0x%02x at %zu",
				    c, i);
	}
	if (len == 0)
		return fail(err, errlen, -EINVAL, "empty request");
	if (split(line, len, tok, &n))
		return fail(err, errlen, -EINVAL,
			    "malformed request: tokens are separated by one space");

	if (is(&tok[0], request_word(REQ_HELLO))) {
		if (n != 2)
			return fail(err, errlen, -EINVAL, "usage: hello VERSION");
		if (parse_u32(tok[1].s, tok[1].n, 1, 1000000, &req->version))
			return fail(err, errlen, -EINVAL,
				    "hello: VERSION must be a positive number");
		req->verb = REQ_HELLO;
		return 0;
	}
	/* every other request: VERB ID ... */
	if (n < 2 || parse_u32(tok[1].s, tok[1].n, 1, UINT32_MAX, &req->id))
		return fail(err, errlen, -EINVAL, "request needs an id from 1 to 4294967295");
	*id_out = req->id;
	if (is(&tok[0], request_word(REQ_TRACK)) || is(&tok[0], request_word(REQ_LAUNCH))) {
		uint32_t d;
		req->verb = is(&tok[0], request_word(REQ_TRACK)) ? REQ_TRACK : REQ_LAUNCH;
		if (n != 4)
			return fail(err, errlen, -EINVAL, "usage: %s ID PID DESCENDANTS",
				    request_word(req->verb));
		if (parse_u32(tok[2].s, tok[2].n, 1, 4194304, &req->pid))
			return fail(err, errlen, -EINVAL, "PID must be from 1 to 4194304");
		if (parse_u32(tok[3].s, tok[3].n, 0, 1, &d))
			return fail(err, errlen, -EINVAL, "DESCENDANTS must be 0 or 1");
		req->descendants = (int)d;
		return 0;
	}
	if (is(&tok[0], request_word(REQ_UNTRACK))) {
		req->verb = REQ_UNTRACK;
		if (n != 3)
			return fail(err, errlen, -EINVAL, "usage: untrack ID PID");
		if (parse_u32(tok[2].s, tok[2].n, 1, 4194304, &req->pid))
			return fail(err, errlen, -EINVAL, "PID must be from 1 to 4194304");
		return 0;
	}
	if (is(&tok[0], request_word(REQ_INTERVAL))) {
		req->verb = REQ_INTERVAL;
		if (n != 3)
			return fail(err, errlen, -EINVAL, "usage: interval ID MS");
		if (parse_u32(tok[2].s, tok[2].n, 10, 60000, &req->interval_ms))
			return fail(err, errlen, -EINVAL, "MS must be from 10 to 60000");
		return 0;
	}
	if (is(&tok[0], request_word(REQ_SHUTDOWN))) {
		req->verb = REQ_SHUTDOWN;
		if (n != 2)
			return fail(err, errlen, -EINVAL, "usage: shutdown ID");
		return 0;
	}
	return fail(err, errlen, -EINVAL, "unknown request \"%.*s\"",
		    (int)(tok[0].n > 32 ? 32 : tok[0].n), tok[0].s);
}

const char *errno_code(int err)
{
	switch (err < 0 ? -err : err) {
	case EPROTO:
		return "EPROTO";
	case E2BIG:
		return "E2BIG";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EPERM";
	case ESRCH:
		return "ESRCH";
	case ENOSPC:
		return "ENOSPC";
	default:
		return "EIO";
	}
}

char *line_reader_space(struct line_reader *r, size_t *room)
{
	*room = r->stopped ? 0 : sizeof(r->buf) - r->len;
	return r->buf + r->len;
}

bool line_reader_take(struct line_reader *r, size_t n, const struct line_handler *h)
{
	size_t start = 0;

	if (r->stopped)
		return false;
	r->len += n;
	for (size_t i = 0; i < r->len; i++) {
		if (r->buf[i] != '\n')
			continue;
		if (r->discarding) {
			r->discarding = false;
		} else if (!h->line(h->ctx, r->buf + start, i - start)) {
			/* after shutdown nothing more is handled, even what came in the same read */
			r->stopped = true;
			r->len = 0;
			return false;
		}
		start = i + 1;
	}
	memmove(r->buf, r->buf + start, r->len - start);
	r->len -= start;
	/* the buffer holds REQUEST_MAX * 4, so a whole line of REQUEST_MAX always fits before this */
	if (r->len >= REQUEST_MAX) {
		if (!r->discarding)
			h->too_long(h->ctx);
		r->discarding = true;
		r->len = 0;
	}
	return true;
}
