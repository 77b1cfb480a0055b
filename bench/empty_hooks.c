// SPDX-License-Identifier: MIT
/*
 * The floor of any syscall hook, on demand: loads the two empty programs, attaches them and
 * prints "attached". Then each byte on stdin is a command: 'd' detaches ("detached"), 'a'
 * attaches again ("attached"). At EOF it detaches and exits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include "empty_hooks.skel.h"

int main(void)
{
	struct empty_hooks_bpf *s;
	bool attached = false;
	int err = 0;
	char c;

	/* load */
	s = empty_hooks_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "empty hooks: cannot load the programs\n");
		return 1;
	}
	/* attach, then serve commands until EOF */
	c = 'a';
	for (;;) {
		if (c == 'a' && !attached) {
			err = empty_hooks_bpf__attach(s);
			if (err) {
				fprintf(stderr, "empty hooks: attach: error %d\n", err);
				goto cleanup;
			}
			attached = true;
		} else if (c == 'd' && attached) {
			empty_hooks_bpf__detach(s);
			attached = false;
		}
		if (c == 'a' || c == 'd') {
			printf(attached ? "attached\n" : "detached\n");
			fflush(stdout);
		}
		if (read(0, &c, 1) <= 0)
			break;
	}
cleanup:
	empty_hooks_bpf__destroy(s);
	return err ? 1 : 0;
}
