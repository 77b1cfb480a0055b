// SPDX-License-Identifier: MIT
/*
 * --diagnose: what this machine and this helper file allow, measured rather than guessed. Each
 * attach mode is really loaded and attached (then detached), as the user who runs this, so the
 * answer reflects this user's privileges. Prints one JSON object; exit 0 when ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "diagnose.h"
#include "loader.h"
#include "version.h"
#include "syscope.h"
#include "syscope.skel.h"

struct problem {
	const char *id;
	char message[400];
	char fix[400];
};

static struct problem problems[12];
static int nproblems;

static void add_problem(const char *id, const char *message, const char *fix)
{
	if (nproblems >= (int)(sizeof(problems) / sizeof(problems[0])))
		return;
	problems[nproblems].id = id;
	snprintf(problems[nproblems].message, sizeof(problems[0].message), "%s", message);
	snprintf(problems[nproblems].fix, sizeof(problems[0].fix), "%s", fix ? fix : "");
	nproblems++;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void sysctl_value(struct jbuf *j, const char *name, const char *path)
{
	char v[64];
	jb_key(j, name);
	if (read_text(path, v, sizeof(v)))
		jb_raw(j, "null");
	else
		jb_i64(j, strtol(v, NULL, 10));
}

/* File capabilities from the security.capability xattr: "cap_bpf,cap_perfmon=ep" style. */
static void file_caps(const char *path, char *out, size_t len)
{
	struct vfs_ns_cap_data d;
	static const struct {
		int cap;
		const char *name;
	} names[] = {
		{ 39, "cap_bpf" },	    { 38, "cap_perfmon" },
		{ 21, "cap_sys_admin" },    { 2, "cap_dac_read_search" },
		{ 24, "cap_sys_resource" },
	};
	ssize_t n = getxattr(path, "security.capability", &d, sizeof(d));
	out[0] = 0;
	if (n < (ssize_t)XATTR_CAPS_SZ_2)
		return;
	uint64_t perm = (uint64_t)d.data[0].permitted | ((uint64_t)d.data[1].permitted << 32);
	size_t o = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(perm & (1ull << names[i].cap)))
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "", names[i].name);
		if (o >= len)
			return;
	}
	snprintf(out + o, len - o, "=%s%s", (d.magic_etc & VFS_CAP_FLAGS_EFFECTIVE) ? "e" : "",
		 "p");
}

/* What --detail adds (files and network): its programs loaded and attached in the mode a session
 * would use. They are the larger part and read kernel memory: a kernel may refuse them alone (the
 * session then counts without them), or its verifier may take long over them (the session starts
 * that much later). */
struct detail_probe {
	bool tried;
	bool ok;
	bool stopped; /* it took longer than it may */
	enum attach_mode mode;
	long load_ms;
	char error[512];
};

static void probe_detail(const struct loader_opts *base, enum attach_mode mode, bool counts_only,
			 struct detail_probe *d)
{
	struct loader l;
	struct loader_opts o = *base;
	struct timespec t0, t1;
	o.mode = mode;
	o.max_procs = 16;
	o.quiet = true;
	o.detail = true;
	o.counts_only = counts_only;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int err = loader_start(&l, &o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->tried = true;
	d->mode = mode;
	d->load_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	d->ok = !err && !l.detail_error[0];
	snprintf(d->error, sizeof(d->error), "%s", err ? l.error : l.detail_error);
	if (!err)
		loader_stop(&l);
}

/* The probe in a child, stopped after probe_ms (DETAIL_PROBE_MS: the app waits 15 s for all of
 * --diagnose): a verifier that runs for minutes (it gives up at a pending signal) must not hang
 * the doctor. */
static void probe_detail_bounded(const struct loader_opts *base, enum attach_mode mode,
				 bool counts_only, int probe_ms, struct detail_probe *d)
{
	int fds[2];
	d->tried = true;
	d->mode = mode;
	if (pipe(fds)) {
		probe_detail(base, mode, counts_only, d);
		return;
	}
	pid_t child = fork();
	if (child < 0) {
		close(fds[0]);
		close(fds[1]);
		probe_detail(base, mode, counts_only, d);
		return;
	}
	if (child == 0) {
		close(fds[0]);
		probe_detail(base, mode, counts_only, d);
		ssize_t n = write(fds[1], d, sizeof(*d));
		_exit(n == (ssize_t)sizeof(*d) ? 0 : 1);
	}
	close(fds[1]);
	struct pollfd p = { .fd = fds[0], .events = POLLIN };
	int ready;
	do
		ready = poll(&p, 1, probe_ms);
	while (ready < 0 && errno == EINTR);
	if (ready <= 0 || read(fds[0], d, sizeof(*d)) != (ssize_t)sizeof(*d)) {
		kill(child, SIGKILL);
		d->ok = false;
		d->stopped = ready == 0;
		d->load_ms = probe_ms;
		if (ready == 0)
			snprintf(
				d->error, sizeof(d->error),
				"the kernel took more than %g s to load them (its verifier): stopped",
				probe_ms / 1000.0);
		else
			snprintf(d->error, sizeof(d->error), "the probe ended without an answer");
	}
	close(fds[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

/* --detail in the first mode that takes it, as a session's auto mode finds it (tp_btf's needs a
 * kfunc that raw_tp's does without: loader.c); the best mode's refusal is the one worth fixing.
 * budget_ms: what is left of the bound on all of these probes together (the app waits a fixed
 * time for all of --diagnose), less what this one takes; none left, none is tried. */
static void find_detail(const struct loader_opts *base, const bool ok_mode[4], bool counts_only,
			int *budget_ms, struct detail_probe *found)
{
	int last = counts_only ? MODE_RAW_TP : MODE_TRACEPOINT;
	for (int m = MODE_TP_BTF; m <= last && !found->ok && *budget_ms > 0; m++) {
		if (!ok_mode[m])
			continue;
		struct detail_probe d = { 0 };
		probe_detail_bounded(base, (enum attach_mode)m, counts_only, *budget_ms, &d);
		*budget_ms -= d.load_ms > 0 ? (int)d.load_ms : 1;
		if (d.ok || !found->tried)
			*found = d;
		if (d.stopped)
			break;
	}
}

static void json_detail_probe(struct jbuf *j, const struct detail_probe *d)
{
	if (!d->tried) {
		jb_raw(j, "null");
		return;
	}
	jb_raw(j, "{");
	jb_key(j, "ok");
	jb_raw(j, d->ok ? "true" : "false");
	jb_key(j, "mode");
	jb_str(j, mode_name(d->mode));
	jb_key(j, "load_ms");
	jb_u64(j, (uint64_t)d->load_ms);
	if (!d->ok) {
		jb_key(j, "error");
		jb_str(j, d->error);
	}
	if (d->stopped) {
		jb_key(j, "stopped");
		jb_raw(j, "true");
	}
	jb_raw(j, "}");
}

int diagnose(const char *argv0, const struct loader_opts *base, int probe_ms)
{
	struct jbuf j = { 0 };
	struct utsname u;
	char self[4096] = "", caps[128], lockdown[128] = "", buf[256];
	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	bool ok_mode[4] = { false };
	struct detail_probe detail = { 0 }, detail_counts = { 0 };
	char mode_err[4][512];
	enum load_failure mode_failure[4] = { 0 };
	const char *best = NULL;
	const char *after_attach = NULL;
	struct statvfs sv;
	bool nosuid = false;
	struct rlimit ml;

	(void)argv0;
	uname(&u);
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[sl > 0 ? sl : 0] = 0;
	file_caps(self, caps, sizeof(caps));
	if (self[0] && statvfs(self, &sv) == 0)
		nosuid = sv.f_flag & ST_NOSUID;
	getrlimit(RLIMIT_MEMLOCK, &ml);

	/* really try each mode: load, attach, detach */
	for (int m = MODE_TP_BTF; m <= MODE_TRACEPOINT; m++) {
		struct loader l;
		struct loader_opts o = *base;
		o.mode = (enum attach_mode)m;
		o.max_procs = 16;
		o.quiet = true;
		int err = loader_start(&l, &o);
		ok_mode[m] = err == 0;
		snprintf(mode_err[m], sizeof(mode_err[m]), "%s", err ? l.error : "");
		mode_failure[m] = err ? l.failure : 0;
		if (!err) {
			/* what a session would keep after attaching (caps.c) */
			if (!best)
				after_attach = caps_bpf_ops_need_cap(
						       bpf_map__fd(l.skel->maps.syscall_counts),
						       sizeof(struct syscall_counts))
						       ? "cap_bpf_on_demand"
						       : "dropped";
			loader_stop(&l);
			if (!best)
				best = mode_name((enum attach_mode)m);
		}
	}
	int budget_ms = probe_ms;
	find_detail(base, ok_mode, false, &budget_ms, &detail);
	/* and with --counts-only: programs of their own (the exit alone, the call's arguments read
	 * from the registers), which the classic tracepoint mode has not */
	find_detail(base, ok_mode, true, &budget_ms, &detail_counts);
	/* lockdown: "none [integrity] confidentiality" — the bracketed one is active */
	if (!read_text("/sys/kernel/security/lockdown", buf, sizeof(buf))) {
		char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(lockdown, sizeof(lockdown), "%.*s", (int)(b - a - 1), a + 1);
	}

	/* problems, most useful first */
	if (!best) {
		bool perm = mode_failure[MODE_TP_BTF] == LOAD_NO_CAPS;
		if (nosuid) {
			char m[400], f[400];
			snprintf(
				m, sizeof(m),
				"the helper %.300s is on a nosuid mount: file capabilities are ignored there",
				self);
			snprintf(f, sizeof(f),
				 "install it to /usr/local/libexec/syscope with the guided setup");
			add_problem("nosuid", m, f);
		}
		if (perm && getuid() != 0) {
			char m[400], f[400];
			snprintf(
				m, sizeof(m),
				"the helper lacks the capabilities cap_bpf and cap_perfmon (file capabilities: %s)",
				caps[0] ? caps : "none");
			snprintf(
				f, sizeof(f),
				"run the guided setup, or: sudo setcap cap_bpf,cap_perfmon=ep %.300s",
				self);
			add_problem("capabilities", m, f);
		}
		if (!strcmp(lockdown, "confidentiality"))
			add_problem(
				"lockdown",
				"kernel lockdown is in confidentiality mode, which forbids BPF programs from reading kernel memory",
				"boot with lockdown=integrity (or none), or disable Secure Boot's lockdown; syscope cannot work around it");
		if (!btf)
			add_problem(
				"btf",
				"this kernel has no BTF (/sys/kernel/btf/vmlinux is missing)",
				"use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or run the helper as root with --btf and a BTF file for this kernel");
		if (!kernel_at_least(u.release, 5, 11) && ml.rlim_cur != RLIM_INFINITY &&
		    ml.rlim_cur < (64u << 20))
			add_problem(
				"memlock",
				"kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK, which is too small here",
				"raise the memlock limit for your user (e.g. `ulimit -l 65536` or limits.conf)");
		/* lockdown makes the verifier refuse kernel reads: that problem is already named */
		if (mode_failure[MODE_TP_BTF] == LOAD_VERIFIER &&
		    strcmp(lockdown, "confidentiality"))
			add_problem(
				"verifier", mode_err[MODE_TP_BTF],
				"this kernel is not supported yet: please report it with this output");
		if (mode_failure[MODE_TP_BTF] == LOAD_DENIED)
			add_problem(
				"denied", mode_err[MODE_TP_BTF],
				"check the security module's log (audit, dmesg) for a BPF denial");
		if (!nproblems)
			add_problem(
				"load", mode_err[MODE_TP_BTF],
				"run with --mode raw_tp or --mode tracepoint to see their errors");
	}

	jb_raw(&j, "{");
	jb_key(&j, "ready");
	jb_raw(&j, best ? "true" : "false");
	jb_key(&j, "mode");
	if (best)
		jb_str(&j, best);
	else
		jb_raw(&j, "null");
	jb_key(&j, "helper");
	jb_raw(&j, "{");
	jb_key(&j, "path");
	jb_str(&j, self);
	jb_key(&j, "version");
	jb_str(&j, SYSCOPE_VERSION);
	jb_key(&j, "file_caps");
	if (caps[0])
		jb_str(&j, caps);
	else
		jb_raw(&j, "null");
	jb_key(&j, "nosuid_mount");
	jb_raw(&j, nosuid ? "true" : "false");
	jb_key(&j, "uid");
	jb_u64(&j, getuid());
	jb_key(&j, "euid");
	jb_u64(&j, geteuid());
	jb_raw(&j, "}");
	jb_key(&j, "build");
	jb_str(&j, SYSCOPE_BUILD_ID);
	jb_key(&j, "kernel");
	jb_raw(&j, "{");
	jb_key(&j, "release");
	jb_str(&j, u.release);
	jb_key(&j, "arch");
	jb_str(&j, u.machine);
	jb_key(&j, "memcg_accounts_bpf");
	jb_raw(&j, kernel_at_least(u.release, 5, 11) ? "true" : "false");
	jb_raw(&j, "}");
	jb_key(&j, "btf");
	jb_raw(&j, "{");
	jb_key(&j, "present");
	jb_raw(&j, btf ? "true" : "false");
	jb_key(&j, "path");
	jb_str(&j, base->btf_path ? base->btf_path : "/sys/kernel/btf/vmlinux");
	jb_raw(&j, "}");
	jb_key(&j, "bpf_syscall");
	errno = 0;
	/* an invalid command: EINVAL means the syscall exists, ENOSYS that it does not */
	long r = syscall(__NR_bpf, -1, NULL, 0);
	jb_raw(&j, (r < 0 && errno == ENOSYS) ? "false" : "true");
	jb_key(&j, "capabilities");
	caps_describe(&j);
	/* dropped, or cap_bpf_on_demand on kernels that check CAP_BPF for every bpf() command */
	jb_key(&j, "caps_after_attach");
	if (after_attach)
		jb_str(&j, after_attach);
	else
		jb_raw(&j, "null");
	jb_key(&j, "attach_modes");
	jb_raw(&j, "{");
	for (int m = MODE_TP_BTF; m <= MODE_TRACEPOINT; m++) {
		jb_key(&j, mode_name((enum attach_mode)m));
		jb_raw(&j, "{");
		jb_key(&j, "ok");
		jb_raw(&j, ok_mode[m] ? "true" : "false");
		if (!ok_mode[m]) {
			jb_key(&j, "error");
			jb_str(&j, mode_err[m]);
		}
		jb_raw(&j, "}");
	}
	jb_raw(&j, "}");
	jb_key(&j, "detail");
	json_detail_probe(&j, &detail);
	jb_key(&j, "detail_counts_only");
	json_detail_probe(&j, &detail_counts);
	jb_key(&j, "tracefs");
	jb_raw(&j, "{");
	jb_key(&j, "mounted");
	jb_raw(&j, access("/sys/kernel/tracing/events", F_OK) == 0 ? "true" : "false");
	jb_key(&j, "readable");
	jb_raw(&j, access("/sys/kernel/tracing/events/raw_syscalls/sys_enter/id", R_OK) == 0
			   ? "true"
			   : "false");
	jb_raw(&j, "}");
	jb_key(&j, "sysctl");
	jb_raw(&j, "{");
	sysctl_value(&j, "kernel.unprivileged_bpf_disabled",
		     "/proc/sys/kernel/unprivileged_bpf_disabled");
	sysctl_value(&j, "kernel.perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid");
	sysctl_value(&j, "kernel.kptr_restrict", "/proc/sys/kernel/kptr_restrict");
	sysctl_value(&j, "net.core.bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable");
	jb_raw(&j, "}");
	jb_key(&j, "lockdown");
	if (lockdown[0])
		jb_str(&j, lockdown);
	else
		jb_raw(&j, "null");
	jb_key(&j, "memlock_bytes");
	if (ml.rlim_cur == RLIM_INFINITY)
		jb_raw(&j, "null");
	else
		jb_u64(&j, ml.rlim_cur);
	jb_key(&j, "problems");
	jb_raw(&j, "[");
	for (int i = 0; i < nproblems; i++) {
		jb_raw(&j, i ? ",{" : "{");
		jb_key(&j, "id");
		jb_str(&j, problems[i].id);
		jb_key(&j, "message");
		jb_str(&j, problems[i].message);
		jb_key(&j, "fix");
		jb_str(&j, problems[i].fix);
		jb_raw(&j, "}");
	}
	jb_raw(&j, "]}");
	if (!j.oom)
		printf("%s\n", j.buf);
	jb_free(&j);
	return best ? 0 : 1;
}
