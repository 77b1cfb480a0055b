// SPDX-License-Identifier: MIT
/* shortrun MS MIB: touches MIB MiB of fresh memory, then burns MS ms of CPU and exits. */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t n = (size_t)atol(argv[2]) << 20;
	volatile char *p = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec < atol(argv[1]) * 1000000L);
	return 0;
}
