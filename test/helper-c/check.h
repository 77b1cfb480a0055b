/* A minimal TAP-style checker for the C unit tests: one `ok`/`not ok` line per check. */
#ifndef SYSCOPE_CHECK_H
#define SYSCOPE_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_n, check_failed;

#define CHECK(cond, name)                                                                   \
	do {                                                                                \
		check_n++;                                                                  \
		if (cond)                                                                   \
			printf("ok %d %s\n", check_n, name);                                \
		else {                                                                      \
			check_failed++;                                                     \
			printf("not ok %d %s (%s:%d: %s)\n", check_n, name, __FILE__, __LINE__, \
			       #cond);                                                      \
		}                                                                           \
	} while (0)

#define CHECK_DONE() (printf("# %d passed, %d failed\n", check_n - check_failed, check_failed), check_failed ? 1 : 0)

#endif
