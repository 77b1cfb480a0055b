// SPDX-License-Identifier: MIT
/* The lines the helper writes (messages.h): every field name on the socket is spelled here. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/types.h>
#include <unistd.h>

#include "messages.h"
#include "syscope.h"
#include "version.h"

static void msg_begin(struct jbuf *j, enum helper_message type)
{
#define MESSAGE_BEGIN(name, word)                    \
	case name:                                   \
		jb_raw(j, "{\"type\":\"" word "\""); \
		break;
	jb_reset(j);
	switch (type) {
		HELPER_MESSAGES(MESSAGE_BEGIN)
	}
#undef MESSAGE_BEGIN
}

/* a process's event: its type, when (t_ns) and whose (pid) */
static void msg_event_begin(struct jbuf *j, enum helper_message type, uint64_t t_ns, uint32_t pid)
{
	msg_begin(j, type);
	jb_raw(j, ",\"t_ns\":");
	jb_u64(j, t_ns);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, pid);
}

void msg_hello(struct jbuf *j, const struct hello_info *h)
{
	msg_begin(j, MSG_HELLO);
	jb_raw(j, ",\"version\":1");
	jb_key(j, "helper");
	jb_str(j, SYSCOPE_VERSION);
	jb_key(j, "build");
	jb_str(j, SYSCOPE_BUILD_ID);
	jb_key(j, "mode");
	jb_str(j, h->mode);
	jb_key(j, "kernel");
	jb_str(j, h->kernel);
	jb_key(j, "arch");
	jb_str(j, h->arch);
	jb_key(j, "uid");
	jb_u64(j, h->uid);
	jb_key(j, "caps");
	jb_str(j, h->caps);
	jb_key(j, "max_procs");
	jb_u64(j, h->max_procs);
	jb_key(j, "runs");
	jb_raw(j, h->runs ? "true" : "false");
	jb_key(j, "detail");
	jb_raw(j, h->detail ? "true" : "false");
	jb_key(j, "tcp_states");
	jb_raw(j, h->tcp_states ? "true" : "false");
	if (h->detail_error) {
		jb_key(j, "detail_error");
		jb_str(j, h->detail_error);
	}
	jb_key(j, "timing");
	jb_str(j, h->timing);
	jb_key(j, "slowest");
	jb_u64(j, h->slowest);
	jb_key(j, "threads");
	jb_raw(j, h->threads ? "true" : "false");
	jb_key(j, "disk");
	jb_raw(j, h->disk ? "true" : "false");
	if (h->disk) {
		jb_key(j, "disk_submitter");
		jb_str(j, h->disk_submitter);
	}
	jb_raw(j, "}");
}

void msg_ok(struct jbuf *j, uint32_t id, uint32_t pid)
{
	msg_begin(j, MSG_OK);
	jb_raw(j, ",\"id\":");
	jb_u64(j, id);
	if (pid) {
		jb_raw(j, ",\"pid\":");
		jb_u64(j, pid);
	}
	jb_raw(j, "}");
}

void msg_error(struct jbuf *j, uint32_t id, const char *code, const char *message)
{
	msg_begin(j, MSG_ERROR);
	if (id) {
		jb_key(j, "id");
		jb_u64(j, id);
	}
	jb_key(j, "code");
	jb_str(j, code);
	jb_key(j, "message");
	jb_str(j, message);
	jb_raw(j, "}");
}

/* the tick's loss counters by name, as src/shared/contract.ts's LOSS_KINDS spells them */
static const char *const drop_names[DROP_MAX] = {
	[DROP_PROCS] = "procs",
	[DROP_EVENTS] = "events",
	[DROP_NR] = "nr",
	[DROP_FILES] = "files",
	[DROP_NET] = "net",
	[DROP_LATENCY] = "latency",
	[DROP_ERRNOS] = "errnos",
	[DROP_THREADS] = "threads",
	[DROP_DISK] = "disk",
	[DROP_SWITCHES] = "switches",
	[DROP_LATE_THREADS] = "late_threads",
};

void msg_tick(struct jbuf *j, uint64_t seq, uint64_t t_ns, const uint64_t *drops)
{
	msg_begin(j, MSG_TICK);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"t_ns\":");
	jb_u64(j, t_ns);
	jb_raw(j, ",\"drops\":{");
	for (int k = 0; k < DROP_MAX; k++) {
		jb_raw(j, k ? ",\"" : "\"");
		jb_raw(j, drop_names[k]);
		jb_raw(j, "\":");
		jb_u64(j, drops[k]);
	}
	jb_raw(j, "}}");
}

void msg_counts_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final)
{
	msg_begin(j, MSG_COUNTS);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, pid);
	jb_raw(j, final ? ",\"final\":true,\"sys\":[" : ",\"final\":false,\"sys\":[");
}

/* [nr, calls, errors, ns] */
void msg_counts_entry(struct jbuf *j, bool first, uint32_t nr, uint64_t calls, uint64_t errors,
		      uint64_t ns)
{
	jb_raw(j, first ? "[" : ",[");
	jb_u64(j, nr);
	jb_raw(j, ",");
	jb_u64(j, calls);
	jb_raw(j, ",");
	jb_u64(j, errors);
	jb_raw(j, ",");
	jb_u64(j, ns);
	jb_raw(j, "]");
}

void msg_counts_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

/* A file as every message names it: "DEV:INO", the kernel's device number and the inode, for the
 * first file or name met at that number, "DEV:INO:N" for the Nth after it: a file that took a
 * deleted one's number, or a file renamed (file_variant in bpf/fds.bpf.h). */
const char *file_kind_name(uint32_t kind)
{
	switch (kind) {
	case FILE_REG:
		return "file";
	case FILE_DIR:
		return "dir";
	case FILE_PIPE:
		return "pipe";
	case FILE_SOCKET:
		return "socket";
	case FILE_DEVICE:
		return "device";
	case FILE_ANON:
		return "anon";
	default:
		return "other";
	}
}

static void file_ref(struct jbuf *j, uint64_t dev, uint64_t ino, uint32_t variant)
{
	char id[64];
	if (variant)
		snprintf(id, sizeof(id), "%llu:%llu:%u", (unsigned long long)dev,
			 (unsigned long long)ino, variant);
	else
		snprintf(id, sizeof(id), "%llu:%llu", (unsigned long long)dev,
			 (unsigned long long)ino);
	jb_str(j, id);
}

void msg_latency_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final)
{
	msg_begin(j, MSG_LATENCY);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, pid);
	jb_raw(j, final ? ",\"final\":true,\"sys\":[" : ",\"final\":false,\"sys\":[");
}

void msg_latency_entry(struct jbuf *j, bool first, uint32_t nr, uint64_t min_ns, uint64_t max_ns,
		       const uint64_t *delta)
{
	bool any = false;
	jb_raw(j, first ? "[" : ",[");
	jb_u64(j, nr);
	jb_raw(j, ",");
	jb_u64(j, min_ns);
	jb_raw(j, ",");
	jb_u64(j, max_ns);
	jb_raw(j, ",[");
	for (uint32_t k = 0; k < HIST_BUCKETS; k++) {
		if (!delta[k])
			continue;
		jb_raw(j, any ? "," : "");
		jb_u64(j, k);
		jb_raw(j, ",");
		jb_u64(j, delta[k]);
		any = true;
	}
	jb_raw(j, "]]");
}

void msg_latency_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_threads_begin(struct jbuf *j, uint64_t seq, uint32_t pid, bool final)
{
	msg_begin(j, MSG_THREADS);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, pid);
	jb_raw(j, final ? ",\"final\":true,\"t\":[" : ",\"final\":false,\"t\":[");
}

void msg_threads_entry(struct jbuf *j, bool first, uint32_t tid, const char *comm,
		       uint64_t first_ns, uint64_t end_ns, int64_t cpu, int64_t rq, int64_t pre,
		       const int64_t *sys)
{
	jb_raw(j, first ? "{\"tid\":" : ",{\"tid\":");
	jb_u64(j, tid);
	if (comm) {
		jb_key(j, "comm");
		jb_str(j, comm);
	}
	if (first_ns) {
		jb_key(j, "first_ns");
		jb_u64(j, first_ns);
	}
	if (end_ns) {
		jb_key(j, "end_ns");
		jb_u64(j, end_ns);
	}
	jb_key(j, "cpu");
	jb_i64(j, cpu);
	jb_key(j, "rq");
	jb_i64(j, rq);
	jb_key(j, "pre");
	jb_i64(j, pre);
	/* of cpu, inside a syscall: the timed mode only (NULL: not known) */
	if (sys) {
		jb_key(j, "sys");
		jb_i64(j, *sys);
	}
	jb_raw(j, ",\"by\":[");
}

void msg_threads_why(struct jbuf *j, bool first, int32_t nr, int64_t ns, int64_t d_ns)
{
	jb_raw(j, first ? "[" : ",[");
	jb_i64(j, nr);
	jb_raw(j, ",");
	jb_i64(j, ns);
	jb_raw(j, ",");
	jb_i64(j, d_ns);
	jb_raw(j, "]");
}

void msg_threads_entry_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_threads_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_errnos_begin(struct jbuf *j, uint64_t seq, uint32_t pid)
{
	msg_begin(j, MSG_ERRNOS);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, pid);
	jb_raw(j, ",\"e\":[");
}

void msg_errnos_entry(struct jbuf *j, bool first, uint32_t nr, uint32_t errno_, uint64_t count)
{
	jb_raw(j, first ? "[" : ",[");
	jb_u64(j, nr);
	jb_raw(j, ",");
	jb_u64(j, errno_);
	jb_raw(j, ",");
	jb_u64(j, count);
	jb_raw(j, "]");
}

void msg_errnos_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_slow_begin(struct jbuf *j)
{
	msg_begin(j, MSG_SLOW);
	jb_raw(j, ",\"calls\":[");
}

void msg_slow_entry(struct jbuf *j, bool first, const struct slow_call *c)
{
	jb_raw(j, first ? "{\"t_ns\":" : ",{\"t_ns\":");
	jb_u64(j, c->end_ns);
	jb_raw(j, ",\"pid\":");
	jb_u64(j, c->tgid);
	jb_raw(j, ",\"tid\":");
	jb_u64(j, c->tid);
	jb_raw(j, ",\"nr\":");
	jb_i64(j, c->nr);
	jb_raw(j, ",\"dur_ns\":");
	jb_u64(j, c->dur_ns);
	jb_raw(j, ",\"ret\":");
	jb_i64(j, c->ret);
	jb_raw(j, ",\"arg0\":");
	jb_u64(j, c->arg0);
	jb_key(j, "file");
	if (c->dev || c->ino)
		file_ref(j, c->dev, c->ino, c->variant);
	else
		jb_raw(j, "null");
	if (c->fds) {
		jb_key(j, "fds");
		jb_u64(j, c->fds);
	}
	if (c->kind) {
		jb_key(j, "kind");
		jb_str(j, file_kind_name(c->kind - 1));
		jb_key(j, "leaf");
		jb_strn(j, c->leaf, strnlen(c->leaf, sizeof(c->leaf)));
	}
	jb_raw(j, "}");
}

void msg_slow_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_ran_begin(struct jbuf *j, uint64_t seq)
{
	msg_begin(j, MSG_RAN);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_raw(j, ",\"pids\":[");
}

void msg_ran_pid(struct jbuf *j, bool first, uint32_t pid)
{
	if (!first)
		jb_raw(j, ",");
	jb_u64(j, pid);
}

void msg_ran_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}

void msg_fork(struct jbuf *j, const struct syscope_event *e)
{
	msg_event_begin(j, MSG_FORK, e->t_ns, e->pid);
	jb_raw(j, ",\"ppid\":");
	jb_u64(j, e->ppid);
	jb_key(j, "comm");
	jb_strn(j, e->comm, strnlen(e->comm, sizeof(e->comm)));
	jb_raw(j, "}");
}

/*
 * A process's figures at exit (or, with EV_BASELINE, at the exec where counting starts): its
 * io, CPU time and what wait4 gives the parent, each field after a comma.
 */
static void put_figures(struct jbuf *j, const struct syscope_event *e)
{
	if (e->io_valid & EV_IO_CHARS) {
		/* [rchar, wchar, read_bytes, write_bytes]: null where the kernel keeps none */
		jb_raw(j, ",\"io\":[");
		for (int k = 0; k < 4; k++) {
			if (k)
				jb_raw(j, ",");
			if (k < 2 || (e->io_valid & EV_IO_BYTES))
				jb_u64(j, e->io[k]);
			else
				jb_raw(j, "null");
		}
		jb_raw(j, "]");
	}
	/* [user, system, run time] ns */
	jb_raw(j, ",\"cpu_ns\":[");
	jb_u64(j, e->cpu[0]);
	jb_raw(j, ",");
	jb_u64(j, e->cpu[1]);
	jb_raw(j, ",");
	jb_u64(j, e->cpu[2]);
	/* max RSS, [minor, major] faults, [voluntary, involuntary] context switches */
	jb_raw(j, "],\"maxrss_bytes\":");
	jb_u64(j, e->rusage[EV_RU_MAXRSS_PAGES] * (uint64_t)sysconf(_SC_PAGESIZE));
	jb_raw(j, ",\"faults\":[");
	jb_u64(j, e->rusage[EV_RU_MINFLT]);
	jb_raw(j, ",");
	jb_u64(j, e->rusage[EV_RU_MAJFLT]);
	jb_raw(j, "],\"ctxsw\":[");
	jb_u64(j, e->rusage[EV_RU_NVCSW]);
	jb_raw(j, ",");
	jb_u64(j, e->rusage[EV_RU_NIVCSW]);
	jb_raw(j, "]");
}

void msg_exec(struct jbuf *j, const struct syscope_event *e)
{
	msg_event_begin(j, MSG_EXEC, e->t_ns, e->pid);
	jb_key(j, "comm");
	jb_strn(j, e->comm, strnlen(e->comm, sizeof(e->comm)));
	jb_key(j, "filename");
	jb_strn(j, e->filename, strnlen(e->filename, sizeof(e->filename)));
	if (e->io_valid & EV_BASELINE) {
		/* counting starts at this exec: what the process used before it */
		jb_raw(j, ",\"before\":{\"at\":\"exec\"");
		put_figures(j, e);
		jb_raw(j, "}");
	}
	jb_raw(j, "}");
}

void msg_exit(struct jbuf *j, const struct syscope_event *e)
{
	msg_event_begin(j, MSG_EXIT, e->t_ns, e->pid);
	jb_raw(j, ",\"code\":");
	jb_i64(j, (e->exit_code >> 8) & 0xff);
	jb_raw(j, ",\"signal\":");
	jb_i64(j, e->exit_code & 0x7f);
	put_figures(j, e);
	jb_raw(j, "}");
}

void msg_untracked(struct jbuf *j, uint64_t t_ns, uint32_t pid, uint32_t reason)
{
	const char *why;
	switch (reason) {
	case UNTRACK_EXEC_CREDS:
		why = "it exec'd a setuid, setgid or file-capability program and now runs with "
		      "credentials you lack";
		break;
	case UNTRACK_NOT_SAME:
		why = "the process tracked had exited, and its pid was given to another process";
		break;
	case UNTRACK_PTRACE:
		why = "its credentials changed: you could no longer ptrace it";
		break;
	case UNTRACK_EXITED:
	default:
		why = "it exited before its tracking took effect";
		break;
	}
	msg_event_begin(j, MSG_UNTRACKED, t_ns, pid);
	jb_key(j, "reason");
	jb_str(j, why);
	jb_raw(j, "}");
}

void msg_file(struct jbuf *j, uint64_t seq, uint32_t pid, uint64_t dev, uint64_t ino,
	      const char *kind, const struct file_stats *v, bool final)
{
	msg_begin(j, MSG_FILE);
	jb_key(j, "seq");
	jb_u64(j, seq);
	jb_key(j, "pid");
	jb_u64(j, pid);
	jb_key(j, "file");
	file_ref(j, dev, ino, v->variant);
	jb_key(j, "kind");
	jb_str(j, kind);
	jb_key(j, "opens");
	jb_u64(j, v->opens);
	jb_key(j, "reads");
	jb_u64(j, v->reads);
	jb_key(j, "read_bytes");
	jb_u64(j, v->read_bytes);
	jb_key(j, "writes");
	jb_u64(j, v->writes);
	jb_key(j, "write_bytes");
	jb_u64(j, v->write_bytes);
	jb_key(j, "io_errors");
	jb_u64(j, v->io_errors);
	jb_key(j, "time_ns");
	jb_u64(j, v->time_ns);
	jb_key(j, "final");
	jb_raw(j, final ? "true" : "false");
	jb_raw(j, "}");
}

void msg_file_name(struct jbuf *j, uint64_t dev, uint64_t ino, uint32_t variant, const char *parts,
		   size_t len, bool whole)
{
	msg_begin(j, MSG_FILE_NAME);
	jb_key(j, "file");
	file_ref(j, dev, ino, variant);
	jb_key(j, "parts");
	jb_raw(j, "[");
	/* NUL-terminated components, leaf first, as the kernel walked them */
	for (size_t off = 0; off < len;) {
		size_t n = strnlen(parts + off, len - off);
		if (off)
			jb_raw(j, ",");
		jb_strn(j, parts + off, n);
		off += n + 1;
	}
	jb_raw(j, "]");
	jb_key(j, "whole");
	jb_raw(j, whole ? "true" : "false");
	jb_raw(j, "}");
}

void msg_open_failed(struct jbuf *j, uint64_t seq, uint32_t pid, const struct file_id *base,
		     const struct name_counts *v, const char *name, size_t len)
{
	msg_begin(j, MSG_OPEN_FAILED);
	jb_key(j, "seq");
	jb_u64(j, seq);
	jb_key(j, "pid");
	jb_u64(j, pid);
	jb_key(j, "name");
	jb_strn(j, name, len);
	jb_key(j, "base");
	if (base->dev || base->ino)
		file_ref(j, base->dev, base->ino, v->base_variant);
	else
		jb_raw(j, "null");
	jb_key(j, "errno");
	jb_u64(j, v->errno_);
	jb_key(j, "count");
	jb_u64(j, v->count);
	jb_raw(j, "}");
}

static const char *name_op_name(uint32_t op)
{
	switch (op) {
	case NAME_OPEN:
		return "open";
	case NAME_STAT:
		return "stat";
	case NAME_UNLINK:
		return "unlink";
	case NAME_RENAME_FROM:
		return "rename_from";
	case NAME_RENAME_TO:
		return "rename_to";
	case NAME_MKDIR:
		return "mkdir";
	default:
		return "other";
	}
}

void msg_name_op(struct jbuf *j, uint64_t seq, uint32_t pid, uint32_t op,
		 const struct file_id *base, const struct name_counts *v, const char *name,
		 size_t len)
{
	msg_begin(j, MSG_NAME_OP);
	jb_key(j, "seq");
	jb_u64(j, seq);
	jb_key(j, "pid");
	jb_u64(j, pid);
	jb_key(j, "op");
	jb_str(j, name_op_name(op));
	jb_key(j, "name");
	jb_strn(j, name, len);
	jb_key(j, "base");
	if (base->dev || base->ino)
		file_ref(j, base->dev, base->ino, v->base_variant);
	else
		jb_raw(j, "null");
	jb_key(j, "count");
	jb_u64(j, v->count);
	jb_key(j, "errors");
	jb_u64(j, v->errors);
	jb_key(j, "errno");
	if (v->errno_)
		jb_u64(j, v->errno_);
	else
		jb_raw(j, "null");
	jb_raw(j, "}");
}

/* ---- network ---- */

/* an address as people write it: 127.0.0.1:8080, [::1]:8080, /run/x.sock, @abstract; null when
 * none is known (unbound, unnamed, or all zero) */
static void net_addr(struct jbuf *j, const struct net_addr *a)
{
	static const uint8_t zero[16];
	char host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 16];

	switch (a->family) {
	case AF_INET:
	case AF_INET6: {
		size_t n = a->family == AF_INET ? 4 : 16;
		if (!a->port && !memcmp(a->addr, zero, n))
			break;
		if (!inet_ntop(a->family, a->addr, host, sizeof(host)))
			break;
		snprintf(text, sizeof(text), a->family == AF_INET ? "%s:%u" : "[%s]:%u", host,
			 a->port);
		jb_str(j, text);
		return;
	}
	case AF_UNIX: {
		size_t n = a->len < NET_PATH_MAX ? a->len : NET_PATH_MAX;
		if (!n)
			break;
		if (a->path[0]) {
			/* a path's length counts its NUL */
			jb_strn(j, a->path, strnlen(a->path, n));
			return;
		}
		/* abstract: "@" and the name, as ss and /proc/net/unix show it */
		char name[NET_PATH_MAX + 1];
		name[0] = '@';
		memcpy(name + 1, a->path + 1, n - 1);
		jb_strn(j, name, n);
		return;
	}
	default:
		break;
	}
	jb_raw(j, "null");
}

static const char *family_name(unsigned family)
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	default:
		return "other";
	}
}

static const char *proto_name(unsigned proto)
{
	switch (proto) {
	case NET_TCP:
		return "tcp";
	case NET_UDP:
		return "udp";
	case NET_UNIX:
		return "unix";
	default:
		return "other";
	}
}

static const char *sock_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	case SOCK_RAW:
		return "raw";
	default:
		return "other";
	}
}

/* the kernel's TCP_* states, by number (include/net/tcp_states.h) */
static const char *tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		NULL,	     "established", "syn_sent",	    "syn_recv",	  "fin_wait1",
		"fin_wait2", "time_wait",   "close",	    "close_wait", "last_ack",
		"listen",    "closing",	    "new_syn_recv",
	};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : NULL;
}

static void opt_ns(struct jbuf *j, const char *key, uint64_t ns)
{
	jb_key(j, key);
	if (ns)
		jb_u64(j, ns);
	else
		jb_raw(j, "null");
}

static void opt_str(struct jbuf *j, const char *key, const char *s)
{
	jb_key(j, key);
	if (s)
		jb_str(j, s);
	else
		jb_raw(j, "null");
}

void msg_socket(struct jbuf *j, uint64_t seq, uint32_t pid, uint64_t dev, uint64_t ino,
		const struct sock_stats *v, bool final)
{
	static const char *const directions[] = { NULL, "out", "in", "listen" };

	msg_begin(j, MSG_SOCKET);
	jb_key(j, "seq");
	jb_u64(j, seq);
	jb_key(j, "pid");
	jb_u64(j, pid);
	jb_key(j, "file");
	file_ref(j, dev, ino, 0);
	jb_key(j, "proto");
	jb_str(j, proto_name(v->proto));
	jb_key(j, "family");
	jb_str(j, family_name(v->family));
	jb_key(j, "sock_type");
	jb_str(j, sock_type_name(v->type));
	opt_str(j, "direction", v->direction < 4 ? directions[v->direction] : NULL);
	opt_str(j, "state", v->proto == NET_TCP ? tcp_state_name(v->state) : NULL);
	jb_key(j, "local");
	net_addr(j, &v->local);
	jb_key(j, "remote");
	net_addr(j, &v->remote);
	opt_ns(j, "opened_ns", v->opened_ns);
	opt_ns(j, "established_ns", v->established_ns);
	opt_ns(j, "closed_ns", v->closed_ns);
	jb_key(j, "connects");
	jb_u64(j, v->connects);
	jb_key(j, "connect_errors");
	jb_u64(j, v->connect_errors);
	jb_key(j, "errno");
	if (v->errno_)
		jb_u64(j, v->errno_);
	else
		jb_raw(j, "null");
	jb_key(j, "close_errno");
	if (v->close_errno)
		jb_u64(j, v->close_errno);
	else
		jb_raw(j, "null");
	jb_key(j, "accepts");
	jb_u64(j, v->accepts);
	jb_key(j, "final");
	jb_raw(j, final ? "true" : "false");
	jb_raw(j, "}");
}

void msg_peer(struct jbuf *j, uint64_t seq, uint32_t pid, const struct peer_key *k,
	      const struct peer_stats *v, bool final)
{
	char id[20];

	msg_begin(j, MSG_PEER);
	jb_key(j, "seq");
	jb_u64(j, seq);
	jb_key(j, "pid");
	jb_u64(j, pid);
	jb_key(j, "file");
	file_ref(j, k->dev, k->ino, 0);
	/* which of the socket's peers: its address's hash, as the kernel keys it */
	jb_key(j, "peer");
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)k->hash);
	jb_str(j, id);
	jb_key(j, "remote");
	net_addr(j, &v->remote);
	jb_key(j, "sends");
	jb_u64(j, v->sends);
	jb_key(j, "bytes_sent");
	jb_u64(j, v->bytes_sent);
	jb_key(j, "recvs");
	jb_u64(j, v->recvs);
	jb_key(j, "bytes_received");
	jb_u64(j, v->bytes_received);
	jb_key(j, "first_ns");
	jb_u64(j, v->first_ns);
	jb_key(j, "last_ns");
	jb_u64(j, v->last_ns);
	jb_key(j, "final");
	jb_raw(j, final ? "true" : "false");
	jb_raw(j, "}");
}

/* ---- disk ---- */

void msg_disk_begin(struct jbuf *j, uint64_t seq, uint32_t dev, const char *device,
		    const struct disk_queue *q)
{
	char id[24];
	snprintf(id, sizeof(id), "%u:%u", dev >> 20, dev & 0xfffff);
	msg_begin(j, MSG_DISK);
	jb_raw(j, ",\"seq\":");
	jb_u64(j, seq);
	jb_key(j, "dev");
	jb_str(j, id);
	jb_key(j, "device");
	jb_str(j, device);
	jb_key(j, "interval_ns");
	jb_u64(j, q->interval_ns);
	static const char *const names[] = { "ios", "busy_ms", "queue_ms" };
	const uint64_t values[] = { q->ios, q->busy_ms, q->queue_ms };
	for (int i = 0; i < 3; i++) {
		jb_key(j, names[i]);
		if (q->known)
			jb_u64(j, values[i]);
		else
			jb_raw(j, "null");
	}
	jb_raw(j, ",\"rows\":[");
}

static void hist_pairs(struct jbuf *j, const __u64 *b)
{
	bool first = true;
	jb_raw(j, ",[");
	for (int k = 0; k < HIST_BUCKETS; k++) {
		if (!b[k])
			continue;
		if (!first)
			jb_raw(j, ",");
		first = false;
		jb_u64(j, (uint64_t)k);
		jb_raw(j, ",");
		jb_u64(j, b[k]);
	}
	jb_raw(j, "]");
}

void msg_disk_row(struct jbuf *j, bool first, uint32_t op, uint32_t pid,
		  const struct disk_counts *delta)
{
	static const char *const ops[] = { "read", "write", "flush", "discard", "other" };
	jb_raw(j, first ? "[" : ",[");
	jb_str(j, op < 5 ? ops[op] : "other");
	jb_raw(j, ",");
	jb_u64(j, pid);
	jb_raw(j, ",");
	jb_u64(j, delta->requests);
	jb_raw(j, ",");
	jb_u64(j, delta->bytes);
	jb_raw(j, ",");
	jb_u64(j, delta->time_ns);
	hist_pairs(j, delta->lat);
	hist_pairs(j, delta->size);
	jb_raw(j, "]");
}

void msg_disk_end(struct jbuf *j)
{
	jb_raw(j, "]}");
}
