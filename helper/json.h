/* SPDX-License-Identifier: MIT */
/* A tiny append-only JSON line writer: everything the helper says is one object per line. */
#ifndef SYSCOPE_JSON_H
#define SYSCOPE_JSON_H

#include <stddef.h>
#include <stdint.h>

struct jbuf {
	char *buf;
	size_t len;
	size_t cap;
	int oom;
};

void jb_reset(struct jbuf *j);
void jb_free(struct jbuf *j);
void jb_raw(struct jbuf *j, const char *s);
void jb_str(
	struct jbuf *j,
	const char *
		s); /* quoted, escaped; a byte of no valid UTF-8 becomes \udcXX (surrogateescape) */
void jb_strn(struct jbuf *j, const char *s, size_t n);
void jb_u64(struct jbuf *j, uint64_t v);
void jb_i64(struct jbuf *j, int64_t v);
void jb_key(struct jbuf *j, const char *key); /* ,"key": (comma unless just after '{' or '[') */

#endif
