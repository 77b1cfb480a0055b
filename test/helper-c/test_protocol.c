/* Table-driven tests of the request parser (helper/protocol.c). */
#include <errno.h>
#include <stdint.h>
#include "check.h"
#include "protocol.h"

struct ok_case {
	const char *line;
	enum request_verb verb;
	uint32_t id, pid, version, interval;
	int descendants;
};

struct bad_case {
	const char *line;
	int err;
	const char *message_part;
	uint32_t id; /* echoed id, 0 if it could not be read */
};

int main(void)
{
	static const struct ok_case ok[] = {
		{ "hello 1", REQ_HELLO, 0, 0, 1, 0, 0 },
		{ "track 7 1234 1", REQ_TRACK, 7, 1234, 0, 0, 1 },
		{ "track 4294967295 4194304 0", REQ_TRACK, 4294967295u, 4194304, 0, 0, 0 },
		{ "launch 2 99 1", REQ_LAUNCH, 2, 99, 0, 0, 1 },
		{ "untrack 3 99", REQ_UNTRACK, 3, 99, 0, 0, 0 },
		{ "interval 4 10", REQ_INTERVAL, 4, 0, 0, 10, 0 },
		{ "interval 4 60000", REQ_INTERVAL, 4, 0, 0, 60000, 0 },
		{ "shutdown 5", REQ_SHUTDOWN, 5, 0, 0, 0, 0 },
	};
	static const struct bad_case bad[] = {
		{ "", -EINVAL, "empty", 0 },
		{ "frob 1", -EINVAL, "unknown request", 1 },
		{ "track 1 2", -EINVAL, "usage: track", 1 },
		{ "track 1 2 3 4", -EINVAL, "usage", 1 },
		{ "track 1 0 1", -EINVAL, "PID must be", 1 },
		{ "track 1 4194305 1", -EINVAL, "PID must be", 1 },
		{ "track 1 -5 1", -EINVAL, "PID must be", 1 },
		{ "track 1 +5 1", -EINVAL, "PID must be", 1 },
		{ "track 1 05 1", -EINVAL, "PID must be", 1 },
		{ "track 1 5 2", -EINVAL, "DESCENDANTS", 1 },
		{ "track 0 5 1", -EINVAL, "id from 1", 0 },
		{ "track 4294967296 5 1", -EINVAL, "id from 1", 0 },
		{ "track 99999999999 5 1", -EINVAL, "id from 1", 0 },
		{ "track", -EINVAL, "id from 1", 0 },
		{ "interval 1 9", -EINVAL, "MS must be", 1 },
		{ "interval 1 60001", -EINVAL, "MS must be", 1 },
		{ "hello", -EINVAL, "usage: hello", 0 },
		{ "hello 0", -EINVAL, "VERSION", 0 },
		{ " track 1 5 1", -EINVAL, "one space", 0 },
		{ "track 1 5 1 ", -EINVAL, "one space", 0 },
		{ "track  1 5 1", -EINVAL, "one space", 0 },
		{ "track\t1 5 1", -EINVAL, "non-printable", 0 },
		{ "track 1 5 1\r", -EINVAL, "non-printable", 0 },
		{ "tr\xc3\xa9 1", -EINVAL, "non-ASCII", 0 },
		{ "shutdown 1 2", -EINVAL, "usage: shutdown", 1 },
	};
	char err[256], name[128];
	struct request r;
	uint32_t id;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const struct ok_case *c = &ok[i];
		int rc = parse_request(c->line, strlen(c->line), &r, &id, err, sizeof(err));
		snprintf(name, sizeof(name), "accepts \"%s\"", c->line);
		CHECK(rc == 0 && r.verb == c->verb && r.id == c->id && r.pid == c->pid &&
			      r.version == c->version && r.interval_ms == c->interval &&
			      r.descendants == c->descendants,
		      name);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		int rc = parse_request(c->line, strlen(c->line), &r, &id, err, sizeof(err));
		snprintf(name, sizeof(name), "rejects \"%.40s\" with a clear message", c->line);
		CHECK(rc == c->err && strstr(err, c->message_part) != NULL && id == c->id, name);
	}
	/* an over-long line */
	char longline[400];
	memset(longline, 'x', sizeof(longline));
	CHECK(parse_request(longline, sizeof(longline), &r, &id, err, sizeof(err)) == -E2BIG &&
		      strstr(err, "longer than 256"),
	      "rejects a request over 256 bytes with E2BIG");
	/* a NUL inside the line is not ASCII text */
	CHECK(parse_request("track 1\0 5 1", 12, &r, &id, err, sizeof(err)) == -EINVAL,
	      "rejects an embedded NUL");
	CHECK(!strcmp(errno_code(-EPERM), "EPERM") && !strcmp(errno_code(-ESRCH), "ESRCH") &&
		      !strcmp(errno_code(-E2BIG), "E2BIG") && !strcmp(errno_code(-EBADF), "EIO"),
	      "maps errno values to wire codes");
	return CHECK_DONE();
}
