// SPDX-License-Identifier: MIT
/* Capabilities: what the helper holds, and giving all of it up once BPF is attached. */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "caps.h"

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
	static const struct {
		unsigned cap;
		const char *name;
	} names[] = {
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

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* Everything but `keep` (a capability number, or -1 for none), which stays permitted only. */
static int caps_reduce(int keep)
{
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (keep >= 0)
		d[keep / 32].permitted = 1u << (keep % 32);
	/* ambient first (needs no capability), then effective, permitted and inheritable */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	int err = caps_set(d);
	if (err)
		return err;
	/* and nothing we might exec could gain privileges back */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

int caps_drop_all(void)
{
	return caps_reduce(-1);
}

/*
 * Kernels 5.8 to 5.18 refuse every bpf() command, not only loading, to a caller without CAP_BPF
 * while kernel.unprivileged_bpf_disabled is set (the default on Ubuntu 22.04 and Debian 11);
 * 5.19 narrowed the check to creating maps and programs. There the helper, which still has to
 * add and remove tracked processes through its map fds, keeps CAP_BPF in its permitted set
 * alone, and has it effective only for the length of those calls. This probe asks the kernel
 * which case it is: with nothing effective, can a map we hold still be read?
 */
bool caps_bpf_ops_need_cap(int map_fd, size_t value_size)
{
	struct __user_cap_data_struct d[2];
	uint32_t key = 0;
	char value[256];
	bool refused;

	if (value_size > sizeof(value) || caps_get(d))
		return true;
	struct __user_cap_data_struct quiet[2] = { d[0], d[1] };
	quiet[0].effective = quiet[1].effective = 0;
	if (caps_set(quiet))
		return true;
	refused = bpf_map_lookup_elem(map_fd, &key, value) && (errno == EPERM || errno == EACCES);
	caps_set(d);
	return refused;
}

static bool bpf_on_demand;

int caps_keep_bpf_on_demand(void)
{
	int err = caps_reduce(CAP_BPF);
	if (!err)
		bpf_on_demand = true;
	return err;
}

bool caps_bpf_is_on_demand(void)
{
	return bpf_on_demand;
}

void caps_bpf_raise(void)
{
	struct __user_cap_data_struct d[2] = {};
	if (!bpf_on_demand)
		return;
	d[CAP_BPF / 32].permitted = d[CAP_BPF / 32].effective = 1u << (CAP_BPF % 32);
	caps_set(d); /* if this fails, the bpf() call after it says why */
}

void caps_bpf_lower(void)
{
	struct __user_cap_data_struct d[2] = {};
	if (!bpf_on_demand)
		return;
	d[CAP_BPF / 32].permitted = 1u << (CAP_BPF % 32);
	if (caps_set(d))
		abort(); /* never go on holding it */
}
