/* SPDX-License-Identifier: MIT */
/* Requests from the app (docs/protocol.md): parsing only, no I/O, so it is unit-tested alone. */
#ifndef SYSCOPE_PROTOCOL_H
#define SYSCOPE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define PROTOCOL_VERSION 1
#define REQUEST_MAX 256 /* bytes per request line, newline included */
#define MESSAGE_MAX 65536 /* bytes per helper message line */

enum request_verb {
	REQ_HELLO,
	REQ_TRACK,
	REQ_LAUNCH,
	REQ_UNTRACK,
	REQ_INTERVAL,
	REQ_SHUTDOWN,
};

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

#endif
