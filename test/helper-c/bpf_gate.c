// SPDX-License-Identifier: MIT
/*
 * Linked into the test-only `hooks` helper (helper/Makefile) with --wrap: the kernel's check on
 * 5.8-5.18 with kernel.unprivileged_bpf_disabled set, which refuses every bpf() command to a
 * caller without CAP_BPF effective. Off unless SYSCOPE_TEST_BPF_NEEDS_CAP is set, so the same
 * binary also shows the path of kernels that do not check.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CAP_BPF_BIT 39

static bool refused(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	if (!getenv("SYSCOPE_TEST_BPF_NEEDS_CAP"))
		return false;
	if (syscall(SYS_capget, &h, d))
		return true;
	bool bpf = d[CAP_BPF_BIT / 32].effective & (1u << (CAP_BPF_BIT % 32));
	bool admin = d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	return !bpf && !admin;
}

#define GATE(ret, name, params, args)            \
	ret __real_##name params;                \
	ret __wrap_##name params;                \
	ret __wrap_##name params                 \
	{                                        \
		if (refused()) {                 \
			errno = EPERM;           \
			return -EPERM;           \
		}                                \
		return __real_##name args;       \
	}

GATE(int, bpf_map_lookup_elem, (int fd, const void *key, void *value), (fd, key, value))
GATE(int, bpf_map_update_elem, (int fd, const void *key, const void *value, unsigned long long flags),
     (fd, key, value, flags))
GATE(int, bpf_map_delete_elem, (int fd, const void *key), (fd, key))
GATE(int, bpf_map_lookup_and_delete_elem, (int fd, const void *key, void *value), (fd, key, value))

/*
 * tracker_add's pause points (tracker_test_hook), for racing it deterministically: with
 * SYSCOPE_TEST_PAUSE_DIR set, the helper writes the pid to DIR/<point> and waits (60 s at most)
 * until DIR/resume exists, which it removes. SYSCOPE_TEST_SKIP_RECHECK makes tracker_add skip its
 * check after the insert, so that the kernel side's own check is what a test sees.
 */
bool tracker_test_hook(const char *point, uint32_t pid);
bool tracker_test_hook(const char *point, uint32_t pid)
{
	const char *dir = getenv("SYSCOPE_TEST_PAUSE_DIR");
	char path[512], tmp[520], resume[512];
	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, point);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(resume, sizeof(resume), "%s/resume", dir);
	FILE *f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "%u\n", pid);
		fclose(f);
		rename(tmp, path); /* whole, or not there */
	}
	for (int i = 0; i < 60000; i++) {
		if (!unlink(resume))
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	unlink(path);
	return getenv("SYSCOPE_TEST_SKIP_RECHECK") != NULL;
}
