/* SPDX-License-Identifier: MIT */
/* Requests from the app (docs/protocol.md): parsing only, no I/O, so it is unit-tested alone. */
#ifndef SYSCOPE_PROTOCOL_H
#define SYSCOPE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "messages.h" /* enum request_verb */

#define PROTOCOL_VERSION 1
#define REQUEST_MAX 256 /* bytes per request line, newline included */
#define MESSAGE_MAX 65536 /* bytes per helper message line */

struct request {
	enum request_verb verb;
	uint32_t id; /* 0 for hello */
	uint32_t version; /* hello */
	uint32_t pid; /* track, launch, untrack */
	int descendants; /* track, launch */
	uint32_t interval_ms; /* interval */
};

/* Parse one request line (without its newline). Returns 0, or a negative errno
 * (-EINVAL bad request, -E2BIG too long) with a human message in err. When the id could be
 * read, *id_out is set so the error reply can echo it. */
int parse_request(const char *line, size_t len, struct request *req, uint32_t *id_out, char *err,
		  size_t errlen);

const char *errno_code(int err); /* "EINVAL", ... for the wire */

/*
 * Splitting what the app sent into request lines, apart from the reading so it can be fuzzed
 * alone: bytes go into line_reader_space(), then line_reader_take() hands out each whole line.
 * A line that reaches REQUEST_MAX bytes without its newline is reported once through too_long
 * and dropped up to its newline, so a peer can never make the buffer grow.
 */
struct line_reader {
	char buf[REQUEST_MAX * 4];
	size_t len;
	bool discarding; /* inside an over-long line: drop bytes up to its newline */
	bool stopped; /* line() asked to stop: nothing more is handed out */
};

struct line_handler {
	/* one line, without its newline; returns false to stop (after shutdown) */
	bool (*line)(void *ctx, const char *s, size_t len);
	void (*too_long)(void *ctx);
	void *ctx;
};

/* Where the next read goes, and how much fits (never 0 for a reader that has not stopped). */
char *line_reader_space(struct line_reader *r, size_t *room);
/* Take n bytes just written at line_reader_space(). Returns false once a line() said stop. */
bool line_reader_take(struct line_reader *r, size_t n, const struct line_handler *h);

#endif
