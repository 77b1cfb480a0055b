// SPDX-License-Identifier: MIT
/* Capabilities: what the helper holds, and giving all of it up once BPF is attached. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	return (int)syscall(SYS_capget, &h, d);
}

static bool has(const struct __user_cap_data_struct d[2], unsigned cap, bool effective)
{
	uint32_t word = effective ? d[cap / 32].effective : d[cap / 32].permitted;
	return word & (1u << (cap % 32));
}

bool caps_have_bpf(void)
{
	struct __user_cap_data_struct d[2];
	if (caps_get(d))
		return false;
	return (has(d, CAP_BPF, true) && has(d, CAP_PERFMON, true)) || has(d, CAP_SYS_ADMIN, true);
}

void caps_describe(struct jbuf *j)
{
	struct __user_cap_data_struct d[2];
	static const struct { unsigned cap; const char *name; } names[] = {
		{ CAP_BPF, "cap_bpf" },
		{ CAP_PERFMON, "cap_perfmon" },
		{ CAP_SYS_ADMIN, "cap_sys_admin" },
		{ CAP_DAC_READ_SEARCH, "cap_dac_read_search" },
		{ CAP_SYS_RESOURCE, "cap_sys_resource" },
	};
	jb_raw(j, "{");
	if (caps_get(d)) {
		jb_key(j, "error");
		jb_str(j, strerror(errno));
	} else {
		for (int e = 1; e >= 0; e--) {
			bool any = false;
			jb_key(j, e ? "effective" : "permitted");
			jb_raw(j, "[");
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				if (!has(d, names[i].cap, e))
					continue;
				if (any)
					jb_raw(j, ",");
				jb_str(j, names[i].name);
				any = true;
			}
			jb_raw(j, "]");
		}
	}
	jb_raw(j, "}");
}

int caps_drop_all(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	/* ambient first (needs no capability), then effective, permitted and inheritable */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	if (syscall(SYS_capset, &h, d))
		return -errno;
	/* and nothing we might exec could gain privileges back */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}
