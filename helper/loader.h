/* SPDX-License-Identifier: MIT */
/* Loading the BPF object and attaching its programs in one of the attach modes (loader.c). */
#ifndef SYSCOPE_LOADER_H
#define SYSCOPE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct syscope_bpf;

enum attach_mode { MODE_AUTO = 0, MODE_TP_BTF, MODE_RAW_TP, MODE_TRACEPOINT };

const char *mode_name(enum attach_mode m);

/* release ("6.1.0-18-amd64", as uname gives it) is major.minor or later */
bool kernel_at_least(const char *release, int major, int minor);

/* Why loading failed, as far as the helper can tell: it decides the message and the fix. */
enum load_failure {
	LOAD_FAILED = 1, /* any other failure: the error names the step */
	LOAD_NO_CAPS, /* refused (EPERM/EACCES) to a helper without the BPF capabilities */
	LOAD_DENIED, /* refused although they are held: a security module, lockdown */
	LOAD_VERIFIER, /* the kernel's verifier ran and rejected a program */
};

/* err: the failed step's -errno; verifier_log: the verifier reported on a program */
enum load_failure classify_load_failure(int err, bool verifier_log, bool have_caps);

struct loader {
	struct syscope_bpf *skel;
	enum attach_mode mode;
	uint32_t max_procs;
	struct syscall_counts *counts; /* mmapped syscall_counts map */
	size_t counts_len;
	struct run_counts *runs; /* mmapped runs map (NULL in tracepoint mode) */
	size_t runs_len;
	bool detail; /* files and network (files.bpf.c) are on */
	bool counts_only; /* the counts-and-errors mode: no entry hook, no clock */
	/* timed mode: the latency rows (mmapped lat_rows), and the slowest calls each CPU keeps
	 * (mmapped slow_calls, slow_cpus); NULL and 0 in the counts-only mode */
	struct lat_row *lat;
	size_t lat_len;
	uint32_t lat_rows;
	struct slow_call *slow;
	size_t slow_len;
	struct slow_cpu *slow_cpus;
	size_t slow_cpus_len;
	uint32_t ncpus; /* possible CPUs */
	/* every thread's wall time (threads.bpf.c): the mmapped thread_times, NULL in tracepoint
	 * mode (no sched_switch or wakeup hooks there) */
	struct thread_time *threads;
	size_t threads_len;
	uint32_t max_threads;
	uint32_t slow_n;
	bool disk; /* block requests are timed (disk.bpf.c): tp_btf and raw_tp */
	bool disk_submit; /* a request's submitter is taken at block_io_start, not its issue */
	/* files and network were asked for, but their programs could not be loaded here (why):
	 * counting runs without them */
	char detail_error[512];
	char error[512]; /* why loading or attaching failed */
	enum load_failure failure; /* set with error */
};

struct loader_opts {
	enum attach_mode mode;
	uint32_t max_procs;
	uint32_t owner_uid; /* (uint32_t)-1 for root */
	const char *btf_path;
	bool quiet; /* no libbpf messages (diagnose probing) */
	bool detail; /* files and network */
	bool counts_only; /* calls and errors only: the exit hook alone */
	uint32_t slow_n; /* the slowest calls kept (timed mode), 1..SLOW_MAX */
};

/* open → rodata → load → attach, for the requested mode or the first that works (auto). With
 * detail, if no mode loads with it, counting without it (detail_error says why). */
int loader_start(struct loader *l, const struct loader_opts *o);
void loader_stop(struct loader *l);

#endif
