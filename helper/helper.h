/* SPDX-License-Identifier: MIT */
/* The helper's user-space parts, shared between its modules. */
#ifndef SYSCOPE_HELPER_H
#define SYSCOPE_HELPER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

/* written by the Makefile into build_id.c (package.json's version, a hash of the sources): one
 * object holds them, so every part of a build reports the same, however incremental the build */
extern const char syscope_version[];
extern const char syscope_build_id[];
#define SYSCOPE_VERSION syscope_version
#define SYSCOPE_BUILD_ID syscope_build_id

struct syscope_bpf;
struct bpf_link;

enum attach_mode { MODE_AUTO = 0, MODE_TP_BTF, MODE_RAW_TP, MODE_TRACEPOINT };

const char *mode_name(enum attach_mode m);

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
	char error[512]; /* why loading or attaching failed */
	enum load_failure failure; /* set with error */
};

struct loader_opts {
	enum attach_mode mode;
	uint32_t max_procs;
	uint32_t owner_uid; /* (uint32_t)-1 for root */
	const char *btf_path;
	bool quiet; /* no libbpf messages (diagnose probing) */
};

/* open → rodata → load → attach, for the requested mode or the first that works (auto). */
int loader_start(struct loader *l, const struct loader_opts *o);
void loader_stop(struct loader *l);

/* One tracked process, by slot. */
struct tracked {
	uint32_t pid; /* 0 = slot free */
	uint64_t *prev; /* last reported cumulative calls/errors/ns per nr: 3 * SYSCOPE_MAX_NR */
	uint64_t ins, outs; /* its run counters at the last tick */
	bool new_run; /* busy at its first tick, whatever the counters did */
	bool busy; /* this tick: it may have run or made syscalls since the last (tracker_note_runs) */
	/* a process `track` added, until the kernel has checked its entry (PROC_VERIFY): a pidfd of
	 * it, and the ticks it has been seen exited with its slot still held */
	int pidfd;
	uint32_t gone_ticks;
};

struct tracker {
	struct loader *ld;
	struct tracked *slots;
	uint32_t max_procs;
	uid_t owner; /* real uid of the helper */
	int free_fd, proc_fd, proc_hash_fd;
	bool task_storage;
	uint64_t seq;
	struct jbuf msg; /* what the tracker says on its own (stale slots it frees) */
};

int tracker_init(struct tracker *t, struct loader *ld, uid_t owner);
void tracker_free(struct tracker *t);
/* track (or arm, with await_exec) a pid of the owner's; 0 or -errno with msg */
int tracker_add(struct tracker *t, uint32_t pid, bool descendants, bool await_exec, char *msg,
		size_t msglen);
int tracker_remove(struct tracker *t, uint32_t pid, struct jbuf *out);
/* a counts message for a slot whose counters moved; `final` for exits */
void tracker_emit_counts(struct tracker *t, uint32_t slot, bool final, struct jbuf *out);
/* counts messages for every busy slot whose counters moved */
void tracker_emit_all(struct tracker *t, struct jbuf *out);
/* at each tick, before the counts: which tracked processes may have run since the last tick */
void tracker_note_runs(struct tracker *t);
/* `ran` messages: the processes tracker_note_runs found busy (none without run counters) */
void tracker_emit_ran(struct tracker *t, struct jbuf *out);
/* a slot given out by the kernel at fork: remember whose it is */
void tracker_adopt(struct tracker *t, uint32_t slot, uint32_t pid);
/* an `untracked` message: the process left the tracked set without exiting (enum syscope_untrack) */
void tracker_untracked_line(struct jbuf *out, uint64_t t_ns, uint32_t pid, uint32_t reason);
/* test-only pause points (the `hooks` build defines it; the helper's own does nothing): true
 * asks tracker_add to skip its check after the insert */
bool tracker_test_hook(const char *point, uint32_t pid);
/* final counts of a slot, then free it */
void tracker_release(struct tracker *t, uint32_t slot, struct jbuf *out);
int tracker_find(struct tracker *t, uint32_t pid);

/* capabilities */
int caps_drop_all(void);
/* kernels that gate every bpf() command on CAP_BPF (5.8-5.18 with unprivileged_bpf_disabled) */
bool caps_bpf_ops_need_cap(int map_fd, size_t value_size);
int caps_keep_bpf_on_demand(void);
bool caps_bpf_is_on_demand(void);
/* around the tracker's bpf() calls; no-ops unless CAP_BPF is kept on demand */
void caps_bpf_raise(void);
void caps_bpf_lower(void);
void caps_describe(struct jbuf *j);
bool caps_have_bpf(void);

/* --diagnose */
int diagnose(const char *self, const struct loader_opts *o);

/* output: whole lines to the app */
void out_line(struct jbuf *j); /* queues j's content + '\n' */

#endif
