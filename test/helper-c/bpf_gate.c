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
#include <stdlib.h>
#include <sys/syscall.h>
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
