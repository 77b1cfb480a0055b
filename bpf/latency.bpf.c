// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall latency: per tracked process and syscall, a log2 histogram of the calls' durations with
 * the exact shortest and longest (lat_rows, the timed mode); failed calls by errno (errno_counts,
 * both modes); and on each CPU the slowest calls that returned there, with what they were called
 * on (slow_calls, the timed mode). syscalls.bpf.c calls these at each syscall's exit. Built as
 * part of syscope.bpf.c.
 */
#include "tracked.bpf.h"
#include "fds.bpf.h"

#define EEXIST_ 17
#define MAX_ERRNO_ 4095

/* ---- histograms ---- */

/* A (slot, nr)'s row, given out at its first call; NULL when none is left (the call is then
 * counted in syscall_counts but not in a histogram: DROP_LATENCY). */
static __always_inline struct lat_row *lat_row_of(struct syscall_counts *c)
{
	__u64 r = c->lat_row;
	if (!r) {
		__u32 idx;
		if (bpf_map_pop_elem(&lat_free, &idx)) {
			drop(DROP_LATENCY);
			return NULL;
		}
		/* two threads of a process may both take a row for the same syscall at once: the
		 * one that loses the exchange gives its row back and uses the winner's */
		__u64 old = __sync_val_compare_and_swap(&c->lat_row, 0, (__u64)idx + 1);
		if (old) {
			bpf_map_push_elem(&lat_free, &idx, 0);
			r = old;
		} else {
			r = idx + 1;
		}
	}
	__u32 key = (__u32)(r - 1);
	return bpf_map_lookup_elem(&lat_rows, &key);
}

/*
 * One call of ns into its row. A sole thread writes plainly (see sole_thread); otherwise the
 * bucket is an atomic add and the extremes a compare-and-swap, retried while another CPU moves
 * them (each retry means that CPU stored a figure nearer to ours, so a few always settle it).
 */
static __always_inline void lat_add(struct syscall_counts *c, __u64 ns, bool sole)
{
	struct lat_row *row = lat_row_of(c);
	if (!row)
		return;
	__u32 b = hist_bucket(ns);
	if (b >= HIST_BUCKETS)
		return;
	if (sole) {
		row->bucket[b]++;
		if (!row->min_ns || ns < row->min_ns)
			row->min_ns = ns;
		if (ns > row->max_ns)
			row->max_ns = ns;
		return;
	}
	__sync_fetch_and_add(&row->bucket[b], 1);
	for (int i = 0; i < 8; i++) {
		__u64 cur = row->min_ns;
		if (cur && cur <= ns)
			break;
		if (__sync_val_compare_and_swap(&row->min_ns, cur, ns) == cur)
			break;
	}
	for (int i = 0; i < 8; i++) {
		__u64 cur = row->max_ns;
		if (cur >= ns)
			break;
		if (__sync_val_compare_and_swap(&row->max_ns, cur, ns) == cur)
			break;
	}
}

/* ---- errnos ---- */

/* A failed call by its errno (ret is -errno; other negative returns, like fcntl's F_GETOWN of a
 * process group, are failures to the counters but have no errno). */
static __always_inline void count_errno(__u32 slot, __s64 nr, long ret)
{
	if (ret < -MAX_ERRNO_ || ret >= 0)
		return;
	struct errno_key k = { .slot = slot, .nr = (__u16)nr, .errno_ = (__u16)-ret };
	struct errno_count *v = bpf_map_lookup_elem(&errno_counts, &k);
	if (!v) {
		struct errno_count zero = {};
		long err = bpf_map_update_elem(&errno_counts, &k, &zero, BPF_NOEXIST);
		if (err && err != -EEXIST_) {
			drop(DROP_ERRNOS);
			return;
		}
		v = bpf_map_lookup_elem(&errno_counts, &k);
		if (!v) {
			drop(DROP_ERRNOS);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	v->seq = files_seq;
}

/* ---- the slowest calls ---- */

/* This CPU's part of slow_calls, or NULL when the slowest calls are not kept. */
static __always_inline struct slow_cpu *slow_part(__u32 *cpu)
{
	if (!slow_n)
		return NULL;
	*cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&slow_cpus, cpu);
}

/* Does a call of ns get into this CPU's slowest? The hot path's one test. */
static __always_inline bool slow_enough(struct slow_cpu *h, __u64 ns)
{
	return h->used < slow_n || ns > h->min_ns;
}

/* The shortest of a full part, which the next slow call replaces. */
static __always_inline void slow_find_min(struct slow_cpu *h, __u32 cpu)
{
	__u64 min = ~0ULL;
	__u32 at = 0;
	for (__u32 i = 0; i < SLOW_MAX; i++) {
		if (i >= slow_n)
			break;
		__u32 idx = cpu * slow_n + i;
		struct slow_call *c = bpf_map_lookup_elem(&slow_calls, &idx);
		if (!c)
			break;
		if (c->dur_ns < min) {
			min = c->dur_ns;
			at = i;
		}
	}
	h->min_ns = min;
	h->min_idx = at;
}

/* what poll and select find in user memory; the kernel's struct pollfd */
struct pollfd_ {
	__s32 fd;
	__s16 events;
	__s16 revents;
};

/* of a poll's array (its first 8 entries): the first fd that was ready when it returned ready,
 * else the first it waited on; -1 for none. *fds: the entries it waited on (those past the
 * eighth counted as they are, without a look at them; a negative fd is no entry). */
static __always_inline __s64 polled_fd(__u64 ufds, __u64 nfds, long ret, __u32 *fds)
{
	__s64 fd = -1;
	__u32 n = 0, i;
	bool ready = false;
	for (i = 0; i < 8 && i < nfds; i++) {
		struct pollfd_ p;
		if (bpf_probe_read_user(&p, sizeof(p), (void *)(ufds + i * sizeof(p))))
			return -1;
		if (p.fd < 0)
			continue;
		n++;
		if (fd < 0 || (ret > 0 && p.revents && !ready)) {
			fd = p.fd;
			ready = ret > 0 && p.revents;
		}
	}
	if (fd >= 0)
		*fds = n + (nfds > i ? (__u32)(nfds - i) : 0);
	return fd;
}

/* of a select's read and write sets (their first 64 fds): the lowest set. At a return the kernel
 * has left in them the fds that were ready, none on a timeout, and what it waited on when it
 * failed (a signal). -1 for none; *fds: how many are set. */
static __always_inline __s64 selected_fd(__u64 nfds, __u64 rd, __u64 wr, __u32 *fds)
{
	__u64 r = 0, w = 0;
	if (rd)
		bpf_probe_read_user(&r, sizeof(r), (void *)rd);
	if (wr)
		bpf_probe_read_user(&w, sizeof(w), (void *)wr);
	__u64 set = r | w;
	if (nfds < 64)
		set &= (1ULL << nfds) - 1;
	if (!set)
		return -1;
	/* how many bits are set (no popcount in BPF): pairs, nibbles, bytes, then their sum */
	__u64 v = set - ((set >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	*fds = (__u32)((v * 0x0101010101010101ULL) >> 56);
	/* the lowest */
	return log2_floor(set & -set);
}

/*
 * Keep a slow call on this CPU. Programs do not nest on one CPU (the kernel skips a program that
 * is already running there), so the part is written by one writer; seq is odd meanwhile and the
 * helper, reading without a lock, rereads a part whose seq moved. a: its first three arguments,
 * read from the user's registers, which the kernel leaves as the call was made (x86: di, si, dx;
 * arm64: orig_x0, x1, x2, as x0 holds the return value by now). The fd it was called on (its
 * first argument; for poll and select, one from user memory: polled_fd, selected_fd) is resolved
 * to its file while it is still open; a close's, which its fd no longer names, to the file its
 * entry kept (`kept`, FD_ARG_CLOSED).
 *
 * A global function: the verifier checks it once, not once for each path the exit programs take
 * to it (through the files monitor's, with --detail, those came to 560,000 of its 1,000,000
 * instructions). Its one argument is a number, and the call comes in slow_pending: kernels
 * before 5.12 take no pointer but the context in a global function's arguments.
 */
__noinline int slow_keep(__u32 cpu)
{
	__u32 zero = 0;
	const struct slow_args *x = bpf_map_lookup_elem(&slow_pending, &zero);
	struct slow_cpu *h = bpf_map_lookup_elem(&slow_cpus, &cpu);
	if (!h || !x)
		return 0;
	__s64 nr = x->nr;
	long ret = x->ret;
	struct task_struct *task = (struct task_struct *)x->task;
	const __u64 *a = x->a;
	__u32 n = slow_n;
	__u32 i = h->used < n ? h->used : h->min_idx;
	__u32 idx = cpu * n + i;
	struct slow_call *c = bpf_map_lookup_elem(&slow_calls, &idx);
	if (!c)
		return 0;
	h->seq++;
	asm volatile("" ::: "memory");
	c->dur_ns = x->ns;
	c->end_ns = x->end;
	c->tgid = x->tgid;
	c->tid = x->tid;
	c->nr = (__s32)nr;
	c->ret = ret;
	c->arg0 = a[0];
	c->dev = 0;
	c->ino = 0;
	c->variant = 0;
	c->kind = 0;
	c->fds = 0;
	c->leaf[0] = 0;
	__u8 how = nr >= 0 && nr < SYSCOPE_MAX_NR ? arg0_fd[nr] : FD_ARG_NONE;
	__s64 fd = a[0];
	if (how == FD_ARG_POLLFDS)
		fd = polled_fd(a[0], a[1], ret, &c->fds);
	else if (how == FD_ARG_FDSETS)
		fd = selected_fd(a[0], a[1], a[2], &c->fds);
	if (c->fds)
		c->arg0 = fd;
	if (how != FD_ARG_NONE && fd >= 0) {
		if (!task)
			task = (struct task_struct *)bpf_get_current_task();
		struct file *f =
			how == FD_ARG_CLOSED ? (struct file *)x->kept : fd_file(false, task, fd);
		if (f) {
			struct file_key k;
			file_key_of(false, 0, f, &k);
			c->dev = k.dev;
			c->ino = k.ino;
			c->kind = kind_of(false, f) + 1;
			bpf_probe_read_kernel_str(c->leaf, sizeof(c->leaf),
						  BPF_CORE_READ(f, f_path.dentry, d_name.name));
			/* its name, where the files monitor has met it before (its exit runs after) */
			struct file_id id = {
				.dev = k.dev, .ino = k.ino, .gen = k.gen, .name = k.name
			};
			struct file_name_head *named = name_of(&id);
			c->variant = named ? named->variant : 0;
		}
	}
	if (h->used < n)
		h->used++;
	if (h->used >= n)
		slow_find_min(h, cpu);
	asm volatile("" ::: "memory");
	h->seq++;
	return 0;
}
