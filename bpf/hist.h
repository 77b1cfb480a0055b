/* SPDX-License-Identifier: MIT */
/* The buckets of the log2 histograms (HIST_BUCKETS, syscope.h): the BPF programs fill them, the
 * C tests check this arithmetic against a plain loop. Fixed-width types only. */
#ifndef SYSCOPE_HIST_H
#define SYSCOPE_HIST_H

#include "syscope.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * floor(log2(x)) (0 for 0), by halving without a branch: BPF has no count-leading-zeros
 * instruction and the verifier wants no loop. A branch at each halving gave the verifier 64
 * paths to walk, each joined with every path after it (the disk's completion, two of them:
 * 54,000 instructions processed), and mispredicts wherever the values vary. Each step: for
 * x < 2^(2n), (x >> n) + 2^n - 1 has bit n set exactly when x >= 2^n; moved to bit log2(n) and
 * masked, so that the verifier knows each step's value (0 or n) and the sum's bound.
 */
static __always_inline __u64 log2_floor(__u64 x)
{
	__u64 k, s;
	k = (((x >> 32) + 0xffffffffULL) >> 27) & 32;
	x >>= k;
	s = (((x >> 16) + 0xffffULL) >> 12) & 16;
	x >>= s;
	k |= s;
	s = (((x >> 8) + 0xffULL) >> 5) & 8;
	x >>= s;
	k |= s;
	s = (((x >> 4) + 0xfULL) >> 2) & 4;
	x >>= s;
	k |= s;
	s = (((x >> 2) + 0x3ULL) >> 1) & 2;
	x >>= s;
	k |= s;
	return k | ((x >> 1) & 1);
}

/* The bucket of v: ceil(log2(v)), at most HIST_BUCKETS - 1. (The bound is checked on the 64-bit
 * figure: a 32-bit one is compared through a copy, which bounds the copy only, and the verifier
 * then refuses the bucket's index.) */
static __always_inline __u32 hist_bucket(__u64 v)
{
	if (v <= 1)
		return 0;
	__u64 k = 1 + log2_floor(v - 1);
	return k < HIST_BUCKETS ? k : HIST_BUCKETS - 1;
}

#endif
