// SPDX-License-Identifier: MIT
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct jbuf *j, size_t more)
{
	if (j->oom || j->len + more + 1 <= j->cap)
		return;
	size_t cap = j->cap ? j->cap : 1024;
	while (cap < j->len + more + 1)
		cap *= 2;
	char *b = realloc(j->buf, cap);
	if (!b) {
		j->oom = 1;
		return;
	}
	j->buf = b;
	j->cap = cap;
}

static void put(struct jbuf *j, const char *s, size_t n)
{
	reserve(j, n);
	if (j->oom)
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = 0;
}

void jb_reset(struct jbuf *j)
{
	j->len = 0;
	j->oom = 0;
	if (j->buf)
		j->buf[0] = 0;
}

void jb_free(struct jbuf *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}

void jb_raw(struct jbuf *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid: as the app's decoder
 * reads it, so no overlong form, UTF-16 surrogate or code point past U+10FFFF passes. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		want = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (want > n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return want;
}

/* printable ASCII that JSON takes as it is */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void jb_strn(struct jbuf *j, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	put(j, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		char esc[8];
		if (plain(c)) {
			/* a run of them in one copy: a file name is mostly such a run */
			size_t end = i + 1;
			while (end < n && plain(u[end]))
				end++;
			put(j, s + i, end - i);
			i = end;
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
			i++;
		} else {
			size_t l = utf8_len(u + i, n - i);
			if (l == 0) {
				/* a byte that is not UTF-8 (a file name may hold any): as Python's
				 * surrogateescape keeps it, U+DC00 + the byte, so that it comes back
				 * exactly and two names that differ in it stay two */
				snprintf(esc, sizeof(esc), "\\udc%02x", c);
				put(j, esc, 6);
				i++;
			} else {
				put(j, s + i, l);
				i += l;
			}
		}
	}
	put(j, "\"", 1);
}

void jb_str(struct jbuf *j, const char *s)
{
	jb_strn(j, s, strlen(s));
}

/* v in decimal, with a '-' first if negative: a --detail tick of a tar writes ~100,000
 * numbers, and snprintf's format parsing was a tenth of the helper's time */
static void put_decimal(struct jbuf *j, uint64_t v, bool negative)
{
	char b[24];
	size_t at = sizeof(b);
	do {
		b[--at] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		b[--at] = '-';
	put(j, b + at, sizeof(b) - at);
}

void jb_u64(struct jbuf *j, uint64_t v)
{
	put_decimal(j, v, false);
}

void jb_i64(struct jbuf *j, int64_t v)
{
	/* the magnitude in unsigned arithmetic: INT64_MIN has no positive int64 */
	put_decimal(j, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void jb_key(struct jbuf *j, const char *key)
{
	if (j->len && j->buf[j->len - 1] != '{' && j->buf[j->len - 1] != '[')
		put(j, ",", 1);
	jb_str(j, key);
	put(j, ":", 1);
}
