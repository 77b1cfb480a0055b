// SPDX-License-Identifier: MIT
/*
 * bpf-stats: turns on the kernel's BPF run-time statistics (run_cnt, run_time_ns per program)
 * for as long as it runs, prints "enabled", and exits when stdin reaches EOF.
 *
 * It holds a BPF_ENABLE_STATS fd instead of writing kernel.bpf_stats_enabled: the statistics go
 * off when the fd closes, however this process ends, so the machine is always left as found.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(void)
{
	char c;
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		fprintf(stderr, "bpf-stats: enable run-time stats: %s (needs CAP_SYS_ADMIN)\n",
			strerror(errno));
		return 1;
	}
	printf("enabled\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(fd);
	return 0;
}
