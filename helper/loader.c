// SPDX-License-Identifier: MIT
/* Loading and attaching the BPF side in one of three modes, best first. */
#include <asm/unistd.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "helper.h"
#include "syscope.h"
#include "syscope.skel.h"

const char *mode_name(enum attach_mode m)
{
	switch (m) {
	case MODE_TP_BTF: return "tp_btf";
	case MODE_RAW_TP: return "raw_tp";
	case MODE_TRACEPOINT: return "tracepoint";
	default: return "auto";
	}
}

static bool quiet_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (quiet_libbpf || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void choose_programs(struct syscope_bpf *s, enum attach_mode m)
{
	bool btf = m == MODE_TP_BTF, raw = m == MODE_RAW_TP, tp = m == MODE_TRACEPOINT;

	bpf_program__set_autoload(s->progs.btf_sys_enter, btf);
	bpf_program__set_autoload(s->progs.btf_sys_exit, btf);
	bpf_program__set_autoload(s->progs.btf_fork, btf);
	bpf_program__set_autoload(s->progs.btf_exec, btf);
	bpf_program__set_autoload(s->progs.btf_exit, btf);
	bpf_program__set_autoload(s->progs.btf_switch, btf);
	bpf_program__set_autoload(s->progs.raw_sys_enter, raw);
	bpf_program__set_autoload(s->progs.raw_sys_exit, raw);
	bpf_program__set_autoload(s->progs.raw_fork, raw);
	bpf_program__set_autoload(s->progs.raw_exec, raw);
	bpf_program__set_autoload(s->progs.raw_exit, raw);
	bpf_program__set_autoload(s->progs.raw_switch, raw);
	bpf_program__set_autoload(s->progs.tp_sys_enter, tp);
	bpf_program__set_autoload(s->progs.tp_sys_exit, tp);
	bpf_program__set_autoload(s->progs.tp_fork, tp);
	bpf_program__set_autoload(s->progs.tp_exec, tp);
	bpf_program__set_autoload(s->progs.tp_exit, tp);
	/* task storage in tp_btf mode, hashes otherwise: create only what the mode uses */
	bpf_map__set_autocreate(s->maps.proc_task, btf);
	bpf_map__set_autocreate(s->maps.thread_task, btf);
	bpf_map__set_autocreate(s->maps.proc_hash, !btf);
	bpf_map__set_autocreate(s->maps.thread_hash, !btf);
	bpf_map__set_autocreate(s->maps.pending_fork, !btf);
}

static int try_mode(struct loader *l, const struct loader_opts *o, enum attach_mode m)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct syscope_bpf *s;
	int err;

	/* open */
	s = syscope_bpf__open_opts(&oo);
	if (!s) {
		err = -errno;
		snprintf(l->error, sizeof(l->error), "open BPF object: %s", strerror(-err));
		return err;
	}
	/* rodata tunables: whose processes may be tracked, and this architecture's numbers */
	s->rodata->owner_uid = o->owner_uid;
	s->rodata->nr_execve = __NR_execve;
	s->rodata->nr_execveat = __NR_execveat;
	s->rodata->nr_exit = __NR_exit;
	s->rodata->nr_exit_group = __NR_exit_group;
	bpf_map__set_max_entries(s->maps.syscall_counts, o->max_procs * SYSCOPE_MAX_NR);
	bpf_map__set_max_entries(s->maps.free_slots, o->max_procs);
	bpf_map__set_max_entries(s->maps.runs, o->max_procs);
	bpf_map__set_max_entries(s->maps.proc_hash, o->max_procs);
	choose_programs(s, m);

	/* load */
	err = syscope_bpf__load(s);
	if (err) {
		snprintf(l->error, sizeof(l->error), "load BPF programs (%s): %s", mode_name(m),
			 strerror(-err));
		goto fail;
	}
	/* attach (only the programs of this mode are loaded, so only they attach) */
	err = syscope_bpf__attach(s);
	if (err) {
		snprintf(l->error, sizeof(l->error), "attach %s programs: %s", mode_name(m),
			 strerror(-err));
		goto fail;
	}
	/* map the counters: deltas are read from memory, no syscall per tick */
	l->counts_len = (size_t)o->max_procs * SYSCOPE_MAX_NR * sizeof(struct syscall_counts);
	l->counts = mmap(NULL, l->counts_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(s->maps.syscall_counts), 0);
	if (l->counts == MAP_FAILED) {
		err = -errno;
		l->counts = NULL;
		snprintf(l->error, sizeof(l->error), "mmap counters: %s", strerror(-err));
		goto fail;
	}
	/* the classic sched_switch tracepoint names threads by tid alone: no run reports there */
	if (m != MODE_TRACEPOINT) {
		l->runs_len = (size_t)o->max_procs * sizeof(struct run_counts);
		l->runs = mmap(NULL, l->runs_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       bpf_map__fd(s->maps.runs), 0);
		if (l->runs == MAP_FAILED) {
			err = -errno;
			l->runs = NULL;
			munmap(l->counts, l->counts_len);
			l->counts = NULL;
			snprintf(l->error, sizeof(l->error), "mmap run counters: %s", strerror(-err));
			goto fail;
		}
	}
	l->skel = s;
	l->mode = m;
	l->max_procs = o->max_procs;
	return 0;
fail:
	syscope_bpf__destroy(s);
	return err ? err : -EIO;
}

int loader_start(struct loader *l, const struct loader_opts *o)
{
	static const enum attach_mode order[] = { MODE_TP_BTF, MODE_RAW_TP, MODE_TRACEPOINT };
	char first[sizeof(l->error)] = "";
	int err = -ENOENT;

	quiet_libbpf = o->quiet;
	libbpf_set_print(libbpf_print);
	memset(l, 0, sizeof(*l));
	if (o->mode != MODE_AUTO)
		return try_mode(l, o, o->mode);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		err = try_mode(l, o, order[i]);
		if (!err)
			return 0;
		if (!first[0])
			memcpy(first, l->error, sizeof(first));
		/* without permission no mode will work: say why once, do not try the rest */
		if (err == -EPERM || err == -EACCES)
			break;
	}
	/* report the best mode's failure: it is the one worth fixing */
	memcpy(l->error, first, sizeof(first));
	return err;
}

void loader_stop(struct loader *l)
{
	if (l->counts)
		munmap(l->counts, l->counts_len);
	l->counts = NULL;
	if (l->runs)
		munmap(l->runs, l->runs_len);
	l->runs = NULL;
	/* destroying the skeleton detaches every link and closes programs and maps */
	syscope_bpf__destroy(l->skel);
	l->skel = NULL;
}
