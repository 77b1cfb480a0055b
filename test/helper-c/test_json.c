/* The JSON writer escapes whatever a comm or filename may hold. */
#include "check.h"
#include "json.h"

static int writes(void (*fn)(struct jbuf *), const char *want)
{
	struct jbuf j = { 0 };
	fn(&j);
	int ok = !j.oom && j.buf && strcmp(j.buf, want) == 0;
	if (!ok)
		printf("# got: %s\n# want: %s\n", j.buf ? j.buf : "(null)", want);
	jb_free(&j);
	return ok;
}

static void quotes(struct jbuf *j) { jb_str(j, "a\"b\\c"); }
static void controls(struct jbuf *j) { jb_strn(j, "a\nb\tc\x01\x7f", 7); }
static void utf8(struct jbuf *j) { jb_str(j, "caf\xc3\xa9 \xe2\x9c\x93"); }
static void bad_utf8(struct jbuf *j) { jb_str(j, "x\xff\xc3(y\xe2\x9c"); }
static void not_utf8(struct jbuf *j) { jb_str(j, "\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80"); }
static void edges(struct jbuf *j) { jb_str(j, "\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"); }
static void object(struct jbuf *j)
{
	jb_raw(j, "{");
	jb_key(j, "a");
	jb_u64(j, 18446744073709551615ull);
	jb_key(j, "b");
	jb_i64(j, -42);
	jb_key(j, "c");
	jb_raw(j, "[");
	jb_u64(j, 1);
	jb_raw(j, "]}");
}
static void numbers(struct jbuf *j)
{
	jb_u64(j, 0);
	jb_raw(j, " ");
	jb_i64(j, 0);
	jb_raw(j, " ");
	jb_i64(j, INT64_MAX);
	jb_raw(j, " ");
	jb_i64(j, INT64_MIN);
	jb_raw(j, " ");
	jb_i64(j, -1);
	jb_raw(j, " ");
	jb_u64(j, 1000000007);
}
static void runs(struct jbuf *j) { jb_str(j, "/usr/share/doc/a b\"c\\d\x01" "e\xc3\xa9" "f"); }
static void big(struct jbuf *j)
{
	for (int i = 0; i < 100000; i++)
		jb_raw(j, "x");
	jb_reset(j);
	jb_raw(j, "ok");
}

int main(void)
{
	CHECK(writes(quotes, "\"a\\\"b\\\\c\""), "escapes quotes and backslashes");
	CHECK(writes(controls, "\"a\\u000ab\\u0009c\\u0001\\u007f\""), "escapes control bytes");
	CHECK(writes(utf8, "\"caf\xc3\xa9 \xe2\x9c\x93\""), "keeps valid UTF-8");
	CHECK(writes(bad_utf8, "\"x\\udcff\\udcc3(y\\udce2\\udc9c\""),
	      "keeps each byte that is not UTF-8 as U+DC00 + the byte");
	CHECK(writes(not_utf8, "\"\\udce0\\udc80\\udc80\\udced\\udca0\\udc80\\udcf4\\udc90\\udc80\\udc80\""),
	      "an overlong form, a surrogate and a code point past U+10FFFF are not UTF-8");
	CHECK(writes(edges, "\"\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""),
	      "the first and last of each range are");
	CHECK(writes(object, "{\"a\":18446744073709551615,\"b\":-42,\"c\":[1]}"), "writes numbers and keys");
	CHECK(writes(numbers, "0 0 9223372036854775807 -9223372036854775808 -1 1000000007"),
	      "writes 0, the extremes and negatives in decimal");
	CHECK(writes(runs, "\"/usr/share/doc/a b\\\"c\\\\d\\u0001e\xc3\xa9" "f\""),
	      "keeps plain runs between escapes and UTF-8 whole");
	CHECK(writes(big, "ok"), "grows and resets its buffer");
	return CHECK_DONE();
}
