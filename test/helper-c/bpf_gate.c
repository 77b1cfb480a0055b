// SPDX-License-Identifier: MIT
/*
 * Linked into the test-only `hooks` helper (helper/Makefile) with --wrap; never installed. Each
 * hook is off unless its variable is set. The variables are read once, before main(), because
 * the helper clears its environment when its caller is not root.
 *
 * SYSCOPE_TEST_BPF_NEEDS_CAP: the kernel's check on 5.8-5.18 with
 *   kernel.unprivileged_bpf_disabled set, which refuses every bpf() command to a caller without
 *   CAP_BPF effective, so the same binary also shows the path of kernels that do not check.
 * SYSCOPE_TEST_REPORT_ENV: print how many environment variables are left when libbpf loads.
 * SYSCOPE_TEST_REJECT_PROG=TEXT[,TEXT...]: every program whose name contains one TEXT reaches
 *   the kernel as one that dereferences a null scalar, which the verifier really rejects (with
 *   EACCES).
 * SYSCOPE_TEST_HIDE_KFUNC=NAME[,NAME...]: the kernel's BTF has no function of those names, to
 *   the helper and to libbpf alike, as on a kernel from before them (bpf_rdonly_cast: 6.2).
 * SYSCOPE_TEST_KERNEL_RELEASE=RELEASE: uname gives that release ("5.10.0"), as on an older
 *   kernel, for the choices the helper makes by version.
 * SYSCOPE_TEST_PAUSE_DIR, SYSCOPE_TEST_SKIP_RECHECK: tracker_add's pause points (below).
 * SYSCOPE_TEST_FAIL_ITER: no BPF iterator can be run (EIO), as where the kernel refuses the stack
 *   hint's (tracker.c opens every bucket instead).
 * SYSCOPE_TEST_READS=walk|by_key|hold: how ticks and releases find the detail entries (keys.h
 *   enum keys_test): always by walking the tables, always by key where all are known, or with
 *   the keys' ring read only at releases, so that a burst of new entries fills it (ticks walk,
 *   releases go by key where they can).
 * SYSCOPE_TEST_COUNT_READS: each tick prints how many detail entries it read, walked or by key
 *   ("syscope-test: a tick read N entries"), for the test that a tick reads what changed, not
 *   everything a process holds.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "detail.h"
#include "keys.h"

#define CAP_BPF_BIT 39

struct bpf_object_skeleton;

static bool needs_cap, report_env, skip_recheck, fail_iter, count_reads;
static const char *reject_prog, *hide_kfunc, *pause_dir, *kernel_release, *reads_mode;

__attribute__((constructor)) static void read_test_settings(void)
{
	needs_cap = getenv("SYSCOPE_TEST_BPF_NEEDS_CAP") != NULL;
	report_env = getenv("SYSCOPE_TEST_REPORT_ENV") != NULL;
	reject_prog = getenv("SYSCOPE_TEST_REJECT_PROG"); /* stays valid: clearenv frees nothing */
	hide_kfunc = getenv("SYSCOPE_TEST_HIDE_KFUNC");
	kernel_release = getenv("SYSCOPE_TEST_KERNEL_RELEASE");
	pause_dir = getenv("SYSCOPE_TEST_PAUSE_DIR");
	skip_recheck = getenv("SYSCOPE_TEST_SKIP_RECHECK") != NULL;
	fail_iter = getenv("SYSCOPE_TEST_FAIL_ITER") != NULL;
	reads_mode = getenv("SYSCOPE_TEST_READS");
	count_reads = getenv("SYSCOPE_TEST_COUNT_READS") != NULL;
}

/* name contains one of list's comma-separated texts (whole: equals one) */
static bool listed(const char *list, const char *name, bool whole)
{
	if (!list || !name)
		return false;
	size_t len = strlen(name);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (n && (whole ? n == len && !memcmp(name, p, n) : memmem(name, len, p, n) != NULL))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* the program's name contains one of SYSCOPE_TEST_REJECT_PROG's texts */
static bool to_reject(const char *name)
{
	return listed(reject_prog, name, false);
}

static bool refused(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	if (!needs_cap)
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

/* a bpf() command too (BPF_ITER_CREATE): gated as the map calls are */
int __real_bpf_iter_create(int link_fd);
int __wrap_bpf_iter_create(int link_fd);
int __wrap_bpf_iter_create(int link_fd)
{
	if (fail_iter || refused()) {
		errno = fail_iter ? EIO : EPERM;
		return -errno;
	}
	return __real_bpf_iter_create(link_fd);
}

int __real_bpf_object__load_skeleton(struct bpf_object_skeleton *s);
int __wrap_bpf_object__load_skeleton(struct bpf_object_skeleton *s);
int __wrap_bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	extern char **environ;
	int n = 0;
	if (report_env) {
		for (char **e = environ; e && *e; e++)
			n++;
		fprintf(stderr, "syscope-test: %d environment variables when libbpf loads\n", n);
	}
	return __real_bpf_object__load_skeleton(s);
}

int __real_bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
			 const struct bpf_insn *insns, size_t insn_cnt, struct bpf_prog_load_opts *opts);
int __wrap_bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
			 const struct bpf_insn *insns, size_t insn_cnt, struct bpf_prog_load_opts *opts);
int __wrap_bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
			 const struct bpf_insn *insns, size_t insn_cnt, struct bpf_prog_load_opts *opts)
{
	/* r0 = 0; r0 = *(u64 *)(r0 + 0); exit */
	static const struct bpf_insn null_deref[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	if (to_reject(name)) {
		/* the original's line and function info describe instructions that are gone */
		LIBBPF_OPTS(bpf_prog_load_opts, bare);
		if (opts)
			bare = *opts;
		bare.func_info = bare.line_info = NULL;
		bare.func_info_cnt = bare.line_info_cnt = 0;
		return __real_bpf_prog_load(type, name, license, null_deref,
					    sizeof(null_deref) / sizeof(null_deref[0]), &bare);
	}
	return __real_bpf_prog_load(type, name, license, insns, insn_cnt, opts);
}

__s32 __real_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind);
__s32 __wrap_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind);
__s32 __wrap_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind)
{
	if (kind == BTF_KIND_FUNC && listed(hide_kfunc, name, true))
		return -ENOENT;
	return __real_btf__find_by_name_kind(btf, name, kind);
}

int __real_uname(struct utsname *u);
int __wrap_uname(struct utsname *u);
int __wrap_uname(struct utsname *u)
{
	int r = __real_uname(u);
	if (!r && kernel_release)
		snprintf(u->release, sizeof(u->release), "%s", kernel_release);
	return r;
}

/*
 * tracker_add's pause points (tracker_test_hook), for racing it deterministically: with
 * SYSCOPE_TEST_PAUSE_DIR set, the helper writes the pid to DIR/<point> and waits (60 s at most)
 * until DIR/resume exists, which it removes. SYSCOPE_TEST_SKIP_RECHECK makes tracker_add skip its
 * check after the insert, so that the kernel side's own check is what a test sees.
 */
bool tracker_test_hook(const char *point, uint32_t pid);
bool tracker_test_hook(const char *point, uint32_t pid)
{
	const char *dir = pause_dir;
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
	return skip_recheck;
}

/* SYSCOPE_TEST_READS (above) */
enum keys_test keys_test_mode(void);
enum keys_test keys_test_mode(void)
{
	if (!reads_mode)
		return KEYS_TEST_NONE;
	if (!strcmp(reads_mode, "walk"))
		return KEYS_TEST_WALK;
	if (!strcmp(reads_mode, "by_key"))
		return KEYS_TEST_BY_KEY;
	if (!strcmp(reads_mode, "hold"))
		return KEYS_TEST_HOLD;
	fprintf(stderr, "SYSCOPE_TEST_READS=%s: not walk, by_key or hold\n", reads_mode);
	exit(2);
}

/* SYSCOPE_TEST_COUNT_READS (above): each entry a walk or a read by key hands its callback is
 * counted on the way (the callbacks never read again), and each tick's end prints the count */
typedef void (*entry_fn)(struct pass *, const void *, const void *);
static unsigned long entries_read;
static entry_fn counted_fn;

static void count_entry(struct pass *p, const void *key, const void *value)
{
	entries_read++;
	counted_fn(p, key, value);
}

void __real_detail_each_entry(struct pass *p, void *keys, size_t key_size, void *values,
			      size_t value_size, entry_fn one);
void __wrap_detail_each_entry(struct pass *p, void *keys, size_t key_size, void *values,
			      size_t value_size, entry_fn one);
void __wrap_detail_each_entry(struct pass *p, void *keys, size_t key_size, void *values,
			      size_t value_size, entry_fn one)
{
	counted_fn = one;
	__real_detail_each_entry(p, keys, key_size, values, value_size,
				 count_reads ? count_entry : one);
}

void __real_detail_each_key(struct pass *p, const struct new_key *keys, uint32_t n,
			    unsigned table, void *value, entry_fn one);
void __wrap_detail_each_key(struct pass *p, const struct new_key *keys, uint32_t n,
			    unsigned table, void *value, entry_fn one);
void __wrap_detail_each_key(struct pass *p, const struct new_key *keys, uint32_t n,
			    unsigned table, void *value, entry_fn one)
{
	counted_fn = one;
	__real_detail_each_key(p, keys, n, table, value, count_reads ? count_entry : one);
}

void __real_keys_tick_done(struct keys *k);
void __wrap_keys_tick_done(struct keys *k);
void __wrap_keys_tick_done(struct keys *k)
{
	if (count_reads) {
		fprintf(stderr, "syscope-test: a tick read %lu entries\n", entries_read);
		entries_read = 0;
	}
	__real_keys_tick_done(k);
}
