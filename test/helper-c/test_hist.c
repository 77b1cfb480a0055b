/* The log2 histograms' arithmetic (bpf/hist.h, which the BPF programs run) against a plain loop:
 * every value up to 2^20, each power of two and its neighbours, and a million values of every
 * magnitude. */
#include <linux/types.h>
#include <stdint.h>
#include "check.h"
#include "hist.h"

static unsigned ref_log2_floor(uint64_t x)
{
	unsigned k = 0;
	while (x > 1) {
		x >>= 1;
		k++;
	}
	return k;
}

/* the least k with 2^k >= v (0 for 0 and 1), at most the last bucket */
static unsigned ref_bucket(uint64_t v)
{
	unsigned k = 0;
	while (k < 64 && ((uint64_t)1 << k) < v)
		k++;
	return k < HIST_BUCKETS ? k : HIST_BUCKETS - 1;
}

static int agrees(uint64_t x)
{
	return log2_floor(x) == ref_log2_floor(x) && hist_bucket(x) == ref_bucket(x);
}

int main(void)
{
	int ok = 1;
	for (uint64_t x = 0; x <= 1 << 20 && ok; x++)
		ok = agrees(x);
	CHECK(ok, "every value up to 2^20");

	ok = 1;
	for (int k = 0; k < 64 && ok; k++) {
		uint64_t p = (uint64_t)1 << k;
		ok = agrees(p - 1) && agrees(p) && agrees(p + 1);
	}
	ok = ok && agrees(UINT64_MAX) && agrees(UINT64_MAX - 1);
	CHECK(ok, "each power of two, the values either side of it, and the largest");

	ok = 1;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 1000000 && ok; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		ok = agrees(s >> (i % 64));
	}
	CHECK(ok, "a million values of every magnitude");

	CHECK(hist_bucket(1000000) == 20 && hist_bucket(1048576) == 20 && hist_bucket(1048577) == 21,
	      "1 ms lands in the bucket up to 2^20 ns, one more ns in the next");
	CHECK(hist_bucket((uint64_t)1 << 47) == HIST_BUCKETS - 1 && hist_bucket(UINT64_MAX) == HIST_BUCKETS - 1,
	      "everything above 2^46 lands in the last bucket");
	return CHECK_DONE();
}
