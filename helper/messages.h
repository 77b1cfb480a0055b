/* SPDX-License-Identifier: MIT */
/*
 * Every message on the socket, both ways, in one place (docs/protocol.md describes them): the
 * requests the app sends, which protocol.c parses, and the lines the helper writes, each built
 * by one msg_* function in messages.c. A new monitor adds its request verbs or message types to
 * the lists here and its writer below; the TypeScript side reads them in src/main/helper/.
 */
#ifndef SYSCOPE_MESSAGES_H
#define SYSCOPE_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "json.h"

/* ---- requests: one line each, "VERB ID ARGS...", at most REQUEST_MAX bytes ---- */

#define REQUEST_VERBS(X)                                                              \
	X(REQ_HELLO, "hello") /* VERSION */                                           \
	X(REQ_TRACK, "track") /* ID PID DESCENDANTS */                                \
	X(REQ_LAUNCH, "launch") /* ID PID DESCENDANTS: counting starts at its exec */ \
	X(REQ_UNTRACK, "untrack") /* ID PID */                                        \
	X(REQ_INTERVAL, "interval") /* ID MS */                                       \
	X(REQ_SHUTDOWN, "shutdown") /* ID */

#define REQUEST_ENUM(name, word) name,
enum request_verb { REQUEST_VERBS(REQUEST_ENUM) };
#undef REQUEST_ENUM

/* the word on the wire */
static inline const char *request_word(enum request_verb v)
{
#define REQUEST_WORD(name, word) \
	case name:               \
		return word;
	switch (v) {
		REQUEST_VERBS(REQUEST_WORD)
	}
#undef REQUEST_WORD
	return "?";
}

/* ---- messages: one JSON object a line, {"type":NAME,...} ---- */

#define HELPER_MESSAGES(X)                                                                      \
	X(MSG_HELLO, "hello") /* answer to hello: what this helper is and can do */             \
	X(MSG_OK, "ok") /* a request done */                                                    \
	X(MSG_ERROR, "error") /* a request refused, or the helper cannot start */               \
	X(MSG_TICK, "tick") /* end of an interval, with the loss counters */                    \
	X(MSG_COUNTS, "counts") /* a process's syscalls since its last counts */                \
	X(MSG_RAN, "ran") /* the processes that may have run this interval */                   \
	X(MSG_FORK, "fork") /* a tracked process's new child, tracked too */                    \
	X(MSG_EXEC, "exec") /* a tracked process exec'd */                                      \
	X(MSG_EXIT, "exit") /* a tracked process exited: its final figures */                   \
	X(MSG_UNTRACKED, "untracked") /* left the tracked set without exiting */                \
	X(MSG_FILE, "file") /* a process's use of a file, cumulative (--detail) */              \
	X(MSG_FILE_NAME, "file_name") /* a file's path, once (--detail) */                      \
	X(MSG_OPEN_FAILED, "open_failed") /* a name a process failed to open (--detail) */      \
	X(MSG_NAME_OP, "name_op") /* a process's calls on a name: stat, unlink... (--detail) */ \
	X(MSG_SOCKET, "socket") /* a process's socket, cumulative (--detail) */                 \
	X(MSG_PEER, "peer") /* a socket's traffic with one address (--detail) */                \
	X(MSG_LATENCY, "latency") /* a process's call durations by syscall (timed mode) */      \
	X(MSG_ERRNOS, "errnos") /* a process's failed calls by syscall and errno */             \
	X(MSG_SLOW, "slow") /* calls that joined the session's slowest (timed mode) */          \
	X(MSG_THREADS, "threads") /* a process's threads' wall time since their last line */    \
	X(MSG_DISK, "disk") /* a block device's requests and queue in the tick */

#define MESSAGE_ENUM(name, word) name,
enum helper_message { HELPER_MESSAGES(MESSAGE_ENUM) };
#undef MESSAGE_ENUM

/* the clock of every t_ns field (the kernel's bpf_ktime_get_ns reads the same) */
static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct syscope_event;

/* what hello tells about this helper */
struct hello_info {
	const char *mode;
	const char *kernel, *arch;
	uint64_t uid;
	const char *caps; /* "held", "cap_bpf_on_demand" or "dropped" */
	uint64_t max_procs;
	bool runs; /* it sends `ran` */
	bool detail; /* it sends `file`, `file_name`, `open_failed`, `socket` and `peer` */
	bool tcp_states; /* its sockets carry TCP's state changes (not in tracepoint mode) */
	const char *detail_error; /* detail was asked for and could not be had: why (NULL: none) */
	/* "timed": counts, durations, latency histograms, slowest calls; "counts": calls and
	 * failures by errno only (--counts-only) */
	const char *timing;
	uint32_t slowest; /* the slowest calls it keeps (0: none) */
	bool threads; /* it sends `threads` (not in tracepoint mode) */
	bool disk; /* it sends `disk`: block requests timed (not in tracepoint mode) */
	/* whose context names a request's submitter: "submit" (block_io_start) or "issue" */
	const char *disk_submitter;
};

/* Each writer starts j afresh and leaves one whole message in it, without its newline. */
void msg_hello(struct jbuf *j, const struct hello_info *h);
void msg_ok(struct jbuf *j, uint32_t id, uint32_t pid); /* pid 0: not named */
void msg_error(struct jbuf *j, uint32_t id, const char *code, const char *message); /* id 0: none */
/* drops: the kernel's loss counters, indexed by DROP_* (bpf/syscope.h) */
void msg_tick(struct jbuf *j, uint64_t seq, uint64_t t_ns, const uint64_t *drops);
/* counts in three steps, one entry per syscall number whose counters moved */
void msg_counts_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final);
void msg_counts_entry(struct jbuf *j, bool first, uint32_t nr, uint64_t calls, uint64_t errors,
		      uint64_t ns);
void msg_counts_end(struct jbuf *j);
/* ran in three steps, one pid at a time */
void msg_ran_begin(struct jbuf *j, uint64_t seq);
void msg_ran_pid(struct jbuf *j, bool first, uint32_t pid);
void msg_ran_end(struct jbuf *j);
void msg_fork(struct jbuf *j, const struct syscope_event *e);
/* "file", "dir", "pipe"...: an enum file_kind as the messages say it */
const char *file_kind_name(uint32_t kind);
void msg_exec(struct jbuf *j, const struct syscope_event *e);
void msg_exit(struct jbuf *j, const struct syscope_event *e);
/* reason: enum syscope_untrack */
void msg_untracked(struct jbuf *j, uint64_t t_ns, uint32_t pid, uint32_t reason);

struct file_stats;
struct file_id;
struct name_counts;
/* {"type":"file","seq":S,"pid":P,"file":"DEV:INO[:N]","kind":K,"opens":..,...,"final":F} */
void msg_file(struct jbuf *j, uint64_t seq, uint32_t pid, uint64_t dev, uint64_t ino,
	      const char *kind, const struct file_stats *v, bool final);
/* {"type":"file_name","file":"DEV:INO[:N]","parts":[leaf, ..., top],"whole":W} */
void msg_file_name(struct jbuf *j, uint64_t dev, uint64_t ino, uint32_t variant, const char *parts,
		   size_t len, bool whole);
/* {"type":"open_failed","seq":S,"pid":P,"name":N,"base":"DEV:INO"|null,"errno":E,"count":C} */
void msg_open_failed(struct jbuf *j, uint64_t seq, uint32_t pid, const struct file_id *base,
		     const struct name_counts *v, const char *name, size_t len);
/* {"type":"name_op","seq":S,"pid":P,"op":"stat"|"unlink"|"rename_from"|"rename_to"|"mkdir",
 *  "name":N,"base":"DEV:INO"|null,"count":C,"errors":E,"errno":E|null} */
void msg_name_op(struct jbuf *j, uint64_t seq, uint32_t pid, uint32_t op,
		 const struct file_id *base, const struct name_counts *v, const char *name,
		 size_t len);

/* latency in three steps, one entry per syscall whose durations moved:
 * {"type":"latency","seq":S,"pid":P,"final":F,"sys":[[nr,min_ns,max_ns,[k,count,...]],...]}
 * (bucket counts are deltas; k the log2 bucket, HIST_BUCKETS) */
void msg_latency_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final);
void msg_latency_entry(struct jbuf *j, bool first, uint32_t nr, uint64_t min_ns, uint64_t max_ns,
		       const uint64_t *delta);
void msg_latency_end(struct jbuf *j);
/* {"type":"errnos","seq":S,"pid":P,"e":[[nr,errno,count],...]}: cumulative counts */
void msg_errnos_begin(struct jbuf *j, uint64_t seq, uint32_t pid);
void msg_errnos_entry(struct jbuf *j, bool first, uint32_t nr, uint32_t errno_, uint64_t count);
void msg_errnos_end(struct jbuf *j);
struct slow_call;
/* {"type":"slow","calls":[{"t_ns","pid","tid","nr","dur_ns","ret","arg0","file"},...]}; file
 * "DEV:INO" when arg0 was an open fd, or null (the app looks at /proc/PID/fd: the helper, with
 * no capabilities, may not read another uid's fds even as root) */
void msg_slow_begin(struct jbuf *j);
void msg_slow_entry(struct jbuf *j, bool first, const struct slow_call *c);
void msg_slow_end(struct jbuf *j);

/* threads, one process's threads whose time moved:
 * {"type":"threads","seq":S,"pid":P,"final":F,"t":[{"tid":T,"comm":C?,"first_ns":N?,"end_ns":N?,
 *  "cpu":ns,"rq":ns,"pre":ns,"by":[[nr,ns,d_ns],...]},...]} (figures are deltas; comm when it
 * changed, first_ns in a thread's first entry, end_ns once it exited; nr a syscall or TT_*) */
void msg_threads_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final);
void msg_threads_entry(struct jbuf *j, bool first, uint32_t tid, const char *comm,
		       uint64_t first_ns, uint64_t end_ns, int64_t cpu, int64_t rq, int64_t pre,
		       const int64_t *sys);
void msg_threads_why(struct jbuf *j, bool first, int32_t nr, int64_t ns, int64_t d_ns);
void msg_threads_entry_end(struct jbuf *j);
void msg_threads_end(struct jbuf *j);
/* a device's /proc/diskstats figures over one tick (known: it was read at both ends) */
struct disk_queue {
	bool known;
	uint64_t interval_ns;
	uint64_t ios; /* requests completed */
	uint64_t busy_ms; /* field 10 */
	uint64_t queue_ms; /* field 11: weighted; queue_ms / interval is the mean depth */
};
struct disk_counts;
/* disk in three steps:
 * {"type":"disk","seq":S,"dev":"MAJ:MIN","device":NAME,"interval_ns":N,"ios":I,"busy_ms":B,
 *  "queue_ms":Q,"rows":[[op,pid,requests,bytes,time_ns,[k,count,...],[k,count,...]],...]}
 * (ios, busy_ms, queue_ms null when not known; rows' figures deltas; op a word, pid 0 for
 * unattributed; the latency (ns) and size (bytes) histograms' log2 buckets, HIST_BUCKETS) */
void msg_disk_begin(struct jbuf *j, uint64_t seq, uint32_t dev, const char *device,
		    const struct disk_queue *q);
void msg_disk_row(struct jbuf *j, bool first, uint32_t op, uint32_t pid,
		  const struct disk_counts *delta);
void msg_disk_end(struct jbuf *j);

struct sock_stats;
struct peer_key;
struct peer_stats;
/* {"type":"socket","seq":S,"pid":P,"file":"DEV:INO","proto":..,"family":..,"local":..,...} */
void msg_socket(struct jbuf *j, uint64_t seq, uint32_t pid, uint64_t dev, uint64_t ino,
		const struct sock_stats *v, bool final);
/* {"type":"peer","seq":S,"pid":P,"file":"DEV:INO","peer":ID,"remote":..,"sends":..,...} */
void msg_peer(struct jbuf *j, uint64_t seq, uint32_t pid, const struct peer_key *k,
	      const struct peer_stats *v, bool final);

#endif
