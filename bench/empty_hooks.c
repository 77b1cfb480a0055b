// SPDX-License-Identifier: MIT
/* Attaches the two empty hooks, prints "attached", and detaches when stdin reaches EOF. */
#include <stdio.h>
#include <unistd.h>
#include "empty_hooks.skel.h"

int main(void)
{
	struct empty_hooks_bpf *s = empty_hooks_bpf__open_and_load();
	char c;
	if (!s || empty_hooks_bpf__attach(s)) {
		fprintf(stderr, "empty hooks: cannot load or attach\n");
		empty_hooks_bpf__destroy(s);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	empty_hooks_bpf__destroy(s);
	return 0;
}
