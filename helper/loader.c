// SPDX-License-Identifier: MIT
/* Loading and attaching the BPF side in one of three modes, best first. */
#include <asm/unistd.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "caps.h"
#include "disk.h"
#include "loader.h"
#include "syscope.h"
#include "syscope.skel.h"

const char *mode_name(enum attach_mode m)
{
	switch (m) {
	case MODE_TP_BTF:
		return "tp_btf";
	case MODE_RAW_TP:
		return "raw_tp";
	case MODE_TRACEPOINT:
		return "tracepoint";
	default:
		return "auto";
	}
}

bool kernel_at_least(const char *release, int major, int minor)
{
	int a = 0, b = 0;
	sscanf(release, "%d.%d", &a, &b);
	return a > major || (a == major && b >= minor);
}

static bool quiet_libbpf;

/* The last program the verifier rejected, and the reason it gave (its log's last word). */
static struct {
	bool seen;
	char prog[64];
	char reason[256];
} rejected;

static const char log_begin[] = "-- BEGIN PROG LOAD LOG --\n",
		  log_end[] = "-- END PROG LOAD LOG --";

/*
 * libbpf prints "prog 'NAME': -- BEGIN PROG LOAD LOG --\n<log>-- END PROG LOAD LOG --\n" when a
 * load fails and the kernel wrote a verifier log: the verifier ran, so this is no matter of
 * permissions (those are refused before it starts). The reason is the log's last line, before
 * the "processed N insns" statistics.
 */
static void note_verifier_log(const char *msg)
{
	const char *name = strstr(msg, "prog '"), *begin = strstr(msg, log_begin), *end;

	if (!name || !begin || !(end = strstr(begin, log_end)))
		return;
	name += strlen("prog '");
	rejected.seen = true;
	snprintf(rejected.prog, sizeof(rejected.prog), "%.*s", (int)strcspn(name, "'"), name);
	snprintf(rejected.reason, sizeof(rejected.reason), "no reason given");
	begin += strlen(log_begin);
	while (end > begin) {
		const char *line = end - 1; /* end is just past a newline, or the log is empty */
		while (line > begin && line[-1] != '\n')
			line--;
		size_t n = (size_t)(end - line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			n--;
		if (n && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17)) {
			snprintf(rejected.reason, sizeof(rejected.reason), "%.*s", (int)n, line);
			break;
		}
		end = line;
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && strstr(fmt, "BEGIN PROG LOAD LOG")) {
		char *msg = NULL;
		va_list copy;
		va_copy(copy, args);
		if (vasprintf(&msg, fmt, copy) >= 0)
			note_verifier_log(msg);
		va_end(copy);
		free(msg);
	}
	if (quiet_libbpf || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

enum load_failure classify_load_failure(int err, bool verifier_log, bool have_caps)
{
	if (verifier_log)
		return LOAD_VERIFIER;
	if (err == -EPERM || err == -EACCES)
		return have_caps ? LOAD_DENIED : LOAD_NO_CAPS;
	return LOAD_FAILED;
}

static void choose_programs(struct syscope_bpf *s, enum attach_mode m, bool detail,
			    bool counts_only, const char *btf_path)
{
	bool btf = m == MODE_TP_BTF, raw = m == MODE_RAW_TP, tp = m == MODE_TRACEPOINT;
	bool timed = !counts_only;

	/* the timed mode's pair on each syscall, or the counts-and-errors mode's exit alone */
	bpf_program__set_autoload(s->progs.btf_sys_enter, btf && timed && !detail);
	bpf_program__set_autoload(s->progs.btf_sys_exit, btf && timed && !detail);
	bpf_program__set_autoload(s->progs.btf_sys_enter_detail, btf && timed && detail);
	bpf_program__set_autoload(s->progs.btf_sys_exit_detail, btf && timed && detail);
	bpf_program__set_autoload(s->progs.raw_sys_enter, raw && timed && !detail);
	bpf_program__set_autoload(s->progs.raw_sys_exit, raw && timed && !detail);
	bpf_program__set_autoload(s->progs.raw_sys_enter_detail, raw && timed && detail);
	bpf_program__set_autoload(s->progs.raw_sys_exit_detail, raw && timed && detail);
	bpf_program__set_autoload(s->progs.tp_sys_enter, tp && timed && !detail);
	bpf_program__set_autoload(s->progs.tp_sys_exit, tp && timed && !detail);
	bpf_program__set_autoload(s->progs.tp_sys_enter_detail, tp && timed && detail);
	bpf_program__set_autoload(s->progs.tp_sys_exit_detail, tp && timed && detail);
	bpf_program__set_autoload(s->progs.btf_sys_exit_counts, btf && counts_only && !detail);
	bpf_program__set_autoload(s->progs.raw_sys_exit_counts, raw && counts_only && !detail);
	bpf_program__set_autoload(s->progs.btf_sys_exit_counts_detail,
				  btf && counts_only && detail);
	bpf_program__set_autoload(s->progs.raw_sys_exit_counts_detail,
				  raw && counts_only && detail);
	bpf_program__set_autoload(s->progs.tp_sys_exit_counts, tp && counts_only);
	bpf_program__set_autoload(s->progs.btf_fork, btf);
	bpf_program__set_autoload(s->progs.btf_exec, btf);
	bpf_program__set_autoload(s->progs.btf_exit, btf);
	bpf_program__set_autoload(s->progs.btf_switch, btf);
	bpf_program__set_autoload(s->progs.raw_fork, raw);
	bpf_program__set_autoload(s->progs.raw_exec, raw);
	bpf_program__set_autoload(s->progs.raw_exit, raw);
	bpf_program__set_autoload(s->progs.raw_switch, raw);
	/* every thread's wall time: the wakeups, beside the sched_switch programs */
	bpf_program__set_autoload(s->progs.btf_wakeup, btf);
	bpf_program__set_autoload(s->progs.btf_wakeup_new, btf);
	bpf_program__set_autoload(s->progs.raw_wakeup, raw);
	bpf_program__set_autoload(s->progs.raw_wakeup_new, raw);
	bpf_program__set_autoload(s->progs.tp_fork, tp);
	bpf_program__set_autoload(s->progs.tp_exec, tp);
	bpf_program__set_autoload(s->progs.tp_exit, tp);
	/* TCP's state changes: not in tracepoint mode, whose tracefs access covers the syscall
	 * and process events only (setup/setup_tracefs_permissions.sh) */
	bpf_program__set_autoload(s->progs.btf_tcp_state, btf && detail);
	bpf_program__set_autoload(s->progs.raw_tcp_state, raw && detail);
	/* the stack hints (bpf/tracked.bpf.h): the threads a process has when it is added */
	bpf_program__set_autoload(s->progs.hint_threads, btf);
	bpf_program__set_autoattach(s->progs.hint_threads, false); /* run per process (tracker.c) */
	bpf_map__set_autocreate(s->maps.stack_hint, btf);
	bpf_map__set_autocreate(s->maps.stack_fast, btf);
	bpf_map__set_autocreate(s->maps.hint_task, btf);
	/* task storage in tp_btf mode, hashes otherwise: create only what the mode uses */
	bpf_map__set_autocreate(s->maps.proc_task, btf);
	bpf_map__set_autocreate(s->maps.thread_task, btf);
	bpf_map__set_autocreate(s->maps.proc_hash, !btf);
	bpf_map__set_autocreate(s->maps.thread_hash, !btf);
	bpf_map__set_autocreate(s->maps.pending_fork, !btf);
	/* block requests: not in tracepoint mode, for the same reason as TCP's states */
	disk_choose_programs(s, btf, raw, btf_path);
}

/* What the exit of each syscall tells about an fd or a name (files.bpf.c, net.bpf.c); this
 * architecture's numbers. op: for the classes by name, what the call does to it. */
static void set_detail_classes(struct syscope_bpf *s)
{
	static const struct {
		int nr;
		__u8 cls, op;
	} classes[] = {
#ifdef __NR_open
		{ __NR_open, DETAIL_OPEN_ABS },
#endif
#ifdef __NR_creat
		{ __NR_creat, DETAIL_OPEN_ABS },
#endif
		{ __NR_openat, DETAIL_OPEN },
		{ __NR_openat2, DETAIL_OPEN },
		{ __NR_read, DETAIL_READ },
		{ __NR_pread64, DETAIL_READ },
		{ __NR_readv, DETAIL_READ },
		{ __NR_preadv, DETAIL_READ },
		{ __NR_preadv2, DETAIL_READ },
		/* a directory listed: its entries are what was read of it */
		{ __NR_getdents64, DETAIL_READ },
#ifdef __NR_getdents
		{ __NR_getdents, DETAIL_READ },
#endif
		{ __NR_write, DETAIL_WRITE },
		{ __NR_pwrite64, DETAIL_WRITE },
		{ __NR_writev, DETAIL_WRITE },
		{ __NR_pwritev, DETAIL_WRITE },
		{ __NR_pwritev2, DETAIL_WRITE },
		{ __NR_sendfile, DETAIL_SENDFILE },
		{ __NR_copy_file_range, DETAIL_COPY },
		{ __NR_splice, DETAIL_COPY },
		/* by name */
		{ __NR_newfstatat, DETAIL_NAME_AT, NAME_STAT },
		{ __NR_statx, DETAIL_NAME_AT, NAME_STAT },
		{ __NR_faccessat, DETAIL_NAME_AT, NAME_STAT },
		{ __NR_faccessat2, DETAIL_NAME_AT, NAME_STAT },
		{ __NR_readlinkat, DETAIL_NAME_AT, NAME_STAT },
		{ __NR_unlinkat, DETAIL_NAME_AT, NAME_UNLINK },
		{ __NR_mkdirat, DETAIL_NAME_AT, NAME_MKDIR },
		{ __NR_renameat2, DETAIL_RENAME_AT },
#ifdef __NR_renameat
		{ __NR_renameat, DETAIL_RENAME_AT },
#endif
#ifdef __NR_rename
		{ __NR_rename, DETAIL_RENAME },
#endif
#ifdef __NR_stat
		{ __NR_stat, DETAIL_NAME, NAME_STAT },
		{ __NR_lstat, DETAIL_NAME, NAME_STAT },
		{ __NR_access, DETAIL_NAME, NAME_STAT },
		{ __NR_readlink, DETAIL_NAME, NAME_STAT },
		{ __NR_unlink, DETAIL_NAME, NAME_UNLINK },
		{ __NR_rmdir, DETAIL_NAME, NAME_UNLINK },
		{ __NR_mkdir, DETAIL_NAME, NAME_MKDIR },
#endif
		/* network (net.bpf.c) */
		{ __NR_socket, DETAIL_NEW_FD },
		/* fds of anonymous inodes (and memfd's): each an open, named as /proc/PID/fd names it */
		{ __NR_eventfd2, DETAIL_NEW_FD },
		{ __NR_timerfd_create, DETAIL_NEW_FD },
		{ __NR_epoll_create1, DETAIL_NEW_FD },
		{ __NR_signalfd4, DETAIL_NEW_FD },
		{ __NR_inotify_init1, DETAIL_NEW_FD },
		{ __NR_memfd_create, DETAIL_NEW_FD },
		{ __NR_userfaultfd, DETAIL_NEW_FD },
		{ __NR_pidfd_open, DETAIL_NEW_FD },
		{ __NR_io_uring_setup, DETAIL_NEW_FD },
#ifdef __NR_eventfd
		{ __NR_eventfd, DETAIL_NEW_FD },
		{ __NR_epoll_create, DETAIL_NEW_FD },
		{ __NR_signalfd, DETAIL_NEW_FD },
		{ __NR_inotify_init, DETAIL_NEW_FD },
#endif
		{ __NR_socketpair, DETAIL_SOCKETPAIR },
		{ __NR_connect, DETAIL_CONNECT },
		{ __NR_accept, DETAIL_ACCEPT },
		{ __NR_accept4, DETAIL_ACCEPT },
		{ __NR_listen, DETAIL_LISTEN },
		{ __NR_bind, DETAIL_BIND },
		{ __NR_sendto, DETAIL_SENDTO },
		{ __NR_recvfrom, DETAIL_RECVFROM },
		{ __NR_sendmsg, DETAIL_SENDMSG },
		{ __NR_recvmsg, DETAIL_RECVMSG },
		{ __NR_sendmmsg, DETAIL_SENDMMSG },
		{ __NR_recvmmsg, DETAIL_RECVMMSG },
		{ __NR_close, DETAIL_CLOSE },
		{ __NR_pipe2, DETAIL_PAIR },
#ifdef __NR_pipe
		{ __NR_pipe, DETAIL_PAIR },
#endif
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (classes[i].nr < 0 || classes[i].nr >= SYSCOPE_MAX_NR)
			continue;
		s->rodata->detail_class[classes[i].nr] = classes[i].cls;
		s->rodata->detail_op[classes[i].nr] = classes[i].op;
	}
}

/* The syscalls called on an fd (their first argument), and poll and select: a slow call of
 * theirs is shown with its file. */
static void set_fd_calls(struct syscope_bpf *s, bool detail)
{
	static const int fd_calls[] = {
		__NR_read,
		__NR_write,
		__NR_pread64,
		__NR_pwrite64,
		__NR_readv,
		__NR_writev,
		__NR_preadv,
		__NR_pwritev,
		__NR_preadv2,
		__NR_pwritev2,
		__NR_fsync,
		__NR_fdatasync,
		__NR_ftruncate,
		__NR_fallocate,
		__NR_getdents64,
		__NR_ioctl,
		__NR_fcntl,
		__NR_flock,
		__NR_lseek,
		__NR_fstatfs,
		__NR_sendto,
		__NR_recvfrom,
		__NR_sendmsg,
		__NR_recvmsg,
		__NR_sendmmsg,
		__NR_recvmmsg,
		__NR_connect,
		__NR_accept,
		__NR_accept4,
		__NR_shutdown,
		__NR_epoll_wait,
		__NR_epoll_pwait,
		__NR_epoll_ctl,
		__NR_sendfile,
		__NR_splice,
		__NR_tee,
		__NR_sync_file_range,
		__NR_copy_file_range,
		__NR_syncfs,
		__NR_getsockopt,
		__NR_setsockopt,
#ifdef __NR_fstat
		__NR_fstat,
#endif
	};
	for (size_t i = 0; i < sizeof(fd_calls) / sizeof(fd_calls[0]); i++)
		if (fd_calls[i] >= 0 && fd_calls[i] < SYSCOPE_MAX_NR)
			s->rodata->arg0_fd[fd_calls[i]] = FD_ARG_FIRST;
	/* and those that wait on several, named by one of them from user memory */
	static const struct {
		int nr;
		uint8_t how;
	} waits[] = {
#ifdef __NR_poll
		{ __NR_poll, FD_ARG_POLLFDS },
#endif
#ifdef __NR_select
		{ __NR_select, FD_ARG_FDSETS },
#endif
		{ __NR_ppoll, FD_ARG_POLLFDS },
		{ __NR_pselect6, FD_ARG_FDSETS },
	};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (waits[i].nr >= 0 && waits[i].nr < SYSCOPE_MAX_NR)
			s->rodata->arg0_fd[waits[i].nr] = waits[i].how;
	/* a close's fd names nothing by its exit: with --detail, its entry keeps the file */
	if (detail)
		s->rodata->arg0_fd[__NR_close] = FD_ARG_CLOSED;
}

/* A BPF_F_MMAPABLE array into memory: *len its size; NULL (errno set) when it cannot be mapped. */
static void *map_array(struct bpf_map *map, size_t entries, size_t value_size, size_t *len)
{
	*len = entries * ((value_size + 7) & ~(size_t)7);
	void *p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	if (p == MAP_FAILED) {
		*len = 0;
		return NULL;
	}
	return p;
}

static void unmap(void **p, size_t *len)
{
	if (*p)
		munmap(*p, *len);
	*p = NULL;
	*len = 0;
}

static void unmap_all(struct loader *l)
{
	unmap((void **)&l->counts, &l->counts_len);
	unmap((void **)&l->runs, &l->runs_len);
	unmap((void **)&l->lat, &l->lat_len);
	unmap((void **)&l->slow, &l->slow_len);
	unmap((void **)&l->slow_cpus, &l->slow_cpus_len);
	unmap((void **)&l->threads, &l->threads_len);
}

/* The timed mode's latency rows and slowest calls, read from memory each tick. */
static int map_latency(struct loader *l, struct syscope_bpf *s, uint32_t rows, uint32_t ncpus,
		       uint32_t slow_n)
{
	l->lat = map_array(s->maps.lat_rows, rows, sizeof(struct lat_row), &l->lat_len);
	if (l->lat && slow_n) {
		l->slow = map_array(s->maps.slow_calls, (size_t)ncpus * slow_n,
				    sizeof(struct slow_call), &l->slow_len);
		l->slow_cpus = l->slow ? map_array(s->maps.slow_cpus, ncpus,
						   sizeof(struct slow_cpu), &l->slow_cpus_len)
				       : NULL;
	}
	if (!l->lat || (slow_n && !l->slow_cpus)) {
		int err = -errno;
		l->failure = LOAD_FAILED;
		snprintf(l->error, sizeof(l->error), "mmap latency tables: %s", strerror(-err));
		return err;
	}
	l->lat_rows = rows;
	l->ncpus = ncpus;
	l->slow_n = slow_n;
	return 0;
}

/* Whether the running kernel has the kfunc `name` (its BTF lists every kfunc it has). */
static bool kernel_has_kfunc(const char *name)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	bool found = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return found;
}

static int try_mode(struct loader *l, const struct loader_opts *o, enum attach_mode m)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct syscope_bpf *s;
	int err;

	/* the counts-only mode's files and sockets read the call's arguments at its exit, from the
	 * user's registers: the classic tracepoint's exit record has only the number and return */
	if (o->counts_only && o->detail && m == MODE_TRACEPOINT) {
		l->failure = LOAD_FAILED;
		snprintf(
			l->error, sizeof(l->error),
			"--detail with --counts-only needs the tp_btf or raw_tp mode (its exit reads the call's arguments from the registers, which the classic tracepoint's exit record does not hold): drop --counts-only, or use a kernel with BTF (CONFIG_DEBUG_INFO_BTF=y)");
		return -EOPNOTSUPP;
	}
	/* --detail's tp_btf programs read the kernel's objects through bpf_rdonly_cast (fds.bpf.h);
	 * without it, the raw_tp mode's read them through bpf_probe_read_kernel */
	if (o->detail && m == MODE_TP_BTF && !kernel_has_kfunc("bpf_rdonly_cast")) {
		l->failure = LOAD_FAILED;
		snprintf(
			l->error, sizeof(l->error),
			"--detail in the tp_btf mode needs the kernel's bpf_rdonly_cast (Linux 6.2 or later), which this kernel does not have: use the raw_tp mode (the default mode, auto, does)");
		return -EOPNOTSUPP;
	}
	/* open */
	s = syscope_bpf__open_opts(&oo);
	if (!s) {
		err = -errno;
		l->failure = LOAD_FAILED;
		snprintf(l->error, sizeof(l->error), "open BPF object: %s", strerror(-err));
		return err;
	}
	/* rodata tunables: whose processes may be tracked, and this architecture's numbers */
	s->rodata->owner_uid = o->owner_uid;
	s->rodata->nr_execve = __NR_execve;
	s->rodata->nr_execveat = __NR_execveat;
	s->rodata->nr_exit = __NR_exit;
	s->rodata->nr_exit_group = __NR_exit_group;
	s->rodata->nr_clone = __NR_clone;
	s->rodata->nr_clone3 = __NR_clone3;
	s->rodata->nr_rt_sigreturn = __NR_rt_sigreturn;
#ifdef __NR_fork
	s->rodata->nr_fork = __NR_fork;
	s->rodata->nr_vfork = __NR_vfork;
#endif
	s->rodata->counts_only = o->counts_only;
	/* the timed mode's latency rows (a process uses a few dozen syscalls) and slowest calls */
	uint32_t ncpus = (uint32_t)libbpf_num_possible_cpus();
	uint32_t lat_rows = o->counts_only ? 1 : o->max_procs * 16;
	uint32_t slow_n = o->counts_only ? 0 : o->slow_n;
	bpf_map__set_max_entries(s->maps.lat_rows, lat_rows);
	bpf_map__set_max_entries(s->maps.lat_free, lat_rows);
	bpf_map__set_max_entries(s->maps.slow_cpus, ncpus);
	bpf_map__set_max_entries(s->maps.slow_calls, slow_n ? ncpus * slow_n : 1);
	s->rodata->slow_n = slow_n;
	if (slow_n)
		set_fd_calls(s, o->detail);
	bpf_map__set_max_entries(s->maps.syscall_counts, o->max_procs * SYSCOPE_MAX_NR);
	/* the first slots are given out by tgid (PREF_SLOTS), the rest through the queue (a map
	 * of no entries cannot be made: one unused when there is no rest) */
	uint32_t pref_slots = o->max_procs < PREF_SLOTS ? o->max_procs : PREF_SLOTS;
	s->rodata->pref_slots = pref_slots;
	bpf_map__set_max_entries(s->maps.free_slots,
				 o->max_procs > pref_slots ? o->max_procs - pref_slots : 1);
	bpf_map__set_max_entries(s->maps.runs, o->max_procs);
	bpf_map__set_max_entries(s->maps.proc_hash, o->max_procs);
	/* a thread record each: a tracked process has a few threads on average */
	uint32_t max_threads = m == MODE_TRACEPOINT ? 1 : o->max_procs * 8;
	bpf_map__set_max_entries(s->maps.thread_times, max_threads);
	bpf_map__set_max_entries(s->maps.thread_free, max_threads);
	s->rodata->threads_on = m != MODE_TRACEPOINT;
	/* also what a thread blocked in a read or write is blocked on (threads.bpf.c) */
	set_detail_classes(s);
	if (!o->detail) {
		/* off: the programs never touch them, so they need not hold anything */
		bpf_map__set_max_entries(s->maps.file_stats, 1);
		bpf_map__set_max_entries(s->maps.file_names, 1);
		bpf_map__set_max_entries(s->maps.file_names_short, 1);
		bpf_map__set_max_entries(s->maps.file_variants, 1);
		bpf_map__set_max_entries(s->maps.name_ops, 1);
		bpf_map__set_max_entries(s->maps.name_ops_short, 1);
		bpf_map__set_max_entries(s->maps.sock_stats, 1);
		bpf_map__set_max_entries(s->maps.peer_stats, 1);
		bpf_map__set_max_entries(s->maps.sock_owner, 1);
		bpf_map__set_max_entries(s->maps.new_keys, (uint32_t)sysconf(_SC_PAGESIZE));
	}
	/* Kernels before 5.11 charge maps to RLIMIT_MEMLOCK, not to the memory cgroup: there the
	 * two tables a new file inserts into (15 and 6 MiB allocated at load) are allocated as
	 * used, as the rest of --detail's, and the keys' ring is 1 MiB (~18,000 keys between two
	 * reads; a full one makes the helper walk, no loss), to stay within the 64 MiB diagnose
	 * asks for */
	struct utsname u;
	if (o->detail && (uname(&u) || !kernel_at_least(u.release, 5, 11))) {
		bpf_map__set_max_entries(s->maps.new_keys, 1u << 20);
		bpf_map__set_map_flags(s->maps.file_names_short, BPF_F_NO_PREALLOC);
		bpf_map__set_map_flags(s->maps.file_variants, BPF_F_NO_PREALLOC);
	}
	s->rodata->new_keys_wake = bpf_map__max_entries(s->maps.new_keys) / 2;
	s->rodata->tcp_states_on = o->detail && m != MODE_TRACEPOINT;
	choose_programs(s, m, o->detail, o->counts_only, o->btf_path);

	/* load */
	rejected.seen = false;
	err = syscope_bpf__load(s);
	if (err) {
		l->failure = classify_load_failure(err, rejected.seen, caps_have_bpf());
		if (l->failure == LOAD_VERIFIER)
			snprintf(
				l->error, sizeof(l->error),
				"load BPF programs (%s): the kernel's verifier rejected program %s: %s. "
				"This kernel is not supported yet: please report it with the output of "
				"`syscope-helper --diagnose`",
				mode_name(m), rejected.prog, rejected.reason);
		else if (l->failure == LOAD_DENIED)
			/* no errno text: "not permitted" would read as the missing-capabilities case */
			snprintf(
				l->error, sizeof(l->error),
				"load BPF programs (%s): refused by the kernel although this helper holds the privileges BPF needs; "
				"a security module (SELinux, AppArmor) or kernel lockdown may forbid BPF here",
				mode_name(m));
		else
			snprintf(l->error, sizeof(l->error), "load BPF programs (%s): %s",
				 mode_name(m), strerror(-err));
		goto fail;
	}
	/* attach (only the programs of this mode are loaded, so only they attach) */
	err = syscope_bpf__attach(s);
	if (err) {
		l->failure = classify_load_failure(err, false, caps_have_bpf());
		snprintf(l->error, sizeof(l->error), "attach %s programs: %s", mode_name(m),
			 strerror(-err));
		goto fail;
	}
	/* map the counters: deltas are read from memory, no syscall per tick */
	l->counts = map_array(s->maps.syscall_counts, (size_t)o->max_procs * SYSCOPE_MAX_NR,
			      sizeof(struct syscall_counts), &l->counts_len);
	if (!l->counts) {
		err = -errno;
		l->failure = LOAD_FAILED;
		snprintf(l->error, sizeof(l->error), "mmap counters: %s", strerror(-err));
		goto fail;
	}
	/* the classic sched_switch tracepoint names threads by tid alone: no run reports there */
	if (m != MODE_TRACEPOINT) {
		l->runs = map_array(s->maps.runs, o->max_procs, sizeof(struct run_counts),
				    &l->runs_len);
		if (!l->runs) {
			err = -errno;
			l->failure = LOAD_FAILED;
			snprintf(l->error, sizeof(l->error), "mmap run counters: %s",
				 strerror(-err));
			goto fail;
		}
		l->threads = map_array(s->maps.thread_times, max_threads,
				       sizeof(struct thread_time), &l->threads_len);
		if (!l->threads) {
			err = -errno;
			l->failure = LOAD_FAILED;
			snprintf(l->error, sizeof(l->error), "mmap thread times: %s",
				 strerror(-err));
			goto fail;
		}
		l->max_threads = max_threads;
	}
	if (!o->counts_only) {
		err = map_latency(l, s, lat_rows, ncpus, slow_n);
		if (err)
			goto fail;
	}
	l->skel = s;
	l->mode = m;
	l->max_procs = o->max_procs;
	l->detail = o->detail;
	l->counts_only = o->counts_only;
	l->disk = m != MODE_TRACEPOINT;
	l->disk_submit = l->disk && s->rodata->disk_start_hooked;
	return 0;
fail:
	unmap_all(l);
	syscope_bpf__destroy(s);
	return err ? err : -EIO;
}

static int start_modes(struct loader *l, const struct loader_opts *o)
{
	static const enum attach_mode order[] = { MODE_TP_BTF, MODE_RAW_TP, MODE_TRACEPOINT };
	char first[sizeof(l->error)] = "";
	enum load_failure first_failure = LOAD_FAILED;
	int err = -ENOENT;

	memset(l, 0, sizeof(*l));
	if (o->mode != MODE_AUTO)
		return try_mode(l, o, o->mode);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		err = try_mode(l, o, order[i]);
		if (!err)
			return 0;
		if (!first[0]) {
			memcpy(first, l->error, sizeof(first));
			first_failure = l->failure;
		}
		/* without the capabilities no mode will work: say why once, do not try the rest */
		if (l->failure == LOAD_NO_CAPS)
			break;
	}
	/* report the best mode's failure: it is the one worth fixing */
	memcpy(l->error, first, sizeof(first));
	l->failure = first_failure;
	return err;
}

int loader_start(struct loader *l, const struct loader_opts *o)
{
	quiet_libbpf = o->quiet;
	libbpf_set_print(libbpf_print);
	int err = start_modes(l, o);
	if (!err || !o->detail || l->failure == LOAD_NO_CAPS)
		return err;
	/* The files and network programs are the larger part, and read kernel memory (which
	 * lockdown in confidentiality mode forbids): a kernel that refuses them should still
	 * count syscalls. */
	char why[sizeof(l->error)];
	memcpy(why, l->error, sizeof(why));
	struct loader_opts plain = *o;
	plain.detail = false;
	err = start_modes(l, &plain);
	if (!err)
		snprintf(l->detail_error, sizeof(l->detail_error), "%s", why);
	return err;
}

void loader_stop(struct loader *l)
{
	unmap_all(l);
	/* destroying the skeleton detaches every link and closes programs and maps */
	syscope_bpf__destroy(l->skel);
	l->skel = NULL;
}
