// SPDX-License-Identifier: MIT
/*
 * The floors of any syscall hook, on demand: `empty-hooks [pair|exit|clock]` loads that floor's
 * programs (empty_hooks.bpf.c), attaches them and prints "attached". Then each byte on stdin is a
 * command: 'd' detaches ("detached"), 'a' attaches again ("attached"). At EOF it detaches and
 * exits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "empty_hooks.skel.h"

int main(int argc, char **argv)
{
	const char *floor = argc > 1 ? argv[1] : "pair";
	struct empty_hooks_bpf *s;
	bool attached = false;
	int err = 0;
	char c;

	if (strcmp(floor, "pair") && strcmp(floor, "exit") && strcmp(floor, "clock")) {
		fprintf(stderr, "usage: empty-hooks [pair|exit|clock]\n");
		return 2;
	}
	/* load the floor's programs only */
	s = empty_hooks_bpf__open();
	if (!s) {
		fprintf(stderr, "empty hooks: cannot open the programs\n");
		return 1;
	}
	bool clock = !strcmp(floor, "clock");
	bpf_program__set_autoload(s->progs.empty_enter, !strcmp(floor, "pair"));
	bpf_program__set_autoload(s->progs.empty_exit, !clock);
	bpf_program__set_autoload(s->progs.clock_enter, clock);
	bpf_program__set_autoload(s->progs.clock_exit, clock);
	if (empty_hooks_bpf__load(s)) {
		fprintf(stderr, "empty hooks: cannot load the programs\n");
		empty_hooks_bpf__destroy(s);
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
