// SPDX-License-Identifier: MIT
/*
 * Every tracked thread's wall time, the helper's side. The kernel (threads.bpf.c) keeps one record
 * per thread in thread_times, which we read from memory: cumulative figures, and the state the
 * thread is in since since_ns, which we add up to `now` so that a tick splits it. We write a
 * record only once its thread has exited (or its process left the tracked set) and its last
 * figures are out: zeroed, and its index back to the kernel's free queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "threads.h"
#include "tracker.h"

_Static_assert(sizeof(((struct thread_seen *)0)->ns) / sizeof(uint64_t) == THREAD_WHY + 1,
	       "thread_seen keeps one figure per why entry");

int threads_init(struct tracker *t)
{
	struct loader *ld = t->ld;
	struct threads *th = &t->thr;

	memset(th, 0, sizeof(*th));
	th->free_fd = -1;
	if (!ld->threads)
		return 0; /* tracepoint mode */
	th->free_fd = bpf_map__fd(ld->skel->maps.thread_free);
	th->seen = calloc(ld->max_threads, sizeof(*th->seen));
	th->order = calloc(ld->max_threads, sizeof(*th->order));
	if (!th->seen || !th->order)
		return -ENOMEM;
	for (uint32_t i = 0; i < ld->max_threads; i++)
		if (bpf_map_update_elem(th->free_fd, NULL, &i, 0))
			return -errno;
	return 0;
}

void threads_free(struct tracker *t)
{
	free(t->thr.seen);
	free(t->thr.order);
	memset(&t->thr, 0, sizeof(t->thr));
}

/* A consistent copy of a record: false while the kernel keeps writing it (next tick then). */
static bool read_record(const struct thread_time *src, struct thread_time *dst)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint64_t seq = __atomic_load_n(&src->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		memcpy(dst, src, sizeof(*dst));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&src->seq, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

/* The record's figures at `now`: the open state's time added to its own figure. */
static void figures_at(const struct thread_time *r, uint64_t now, struct thread_seen *v)
{
	uint64_t open = now > r->since_ns ? now - r->since_ns : 0;

	v->on_cpu = r->on_cpu_ns;
	v->runq = r->runq_ns;
	v->preempt = r->preempt_ns;
	v->sys = r->sys_ns;
	for (uint32_t i = 0; i <= THREAD_WHY; i++) {
		v->ns[i] = r->why[i].ns;
		v->d_ns[i] = r->why[i].d_ns;
	}
	switch (r->state) {
	case TT_RUNNING:
		v->on_cpu += open;
		/* in a syscall since: that part of it in the kernel (as tt_sys_part) */
		if (r->sys_since_ns) {
			uint64_t from =
				r->sys_since_ns > r->since_ns ? r->sys_since_ns : r->since_ns;
			v->sys += now > from ? now - from : 0;
		}
		break;
	case TT_RUNNABLE:
		if (r->woken_by_preempt)
			v->preempt += open;
		else
			v->runq += open;
		break;
	case TT_BLOCKED:
		if (r->cur <= THREAD_WHY) {
			if (r->d)
				v->d_ns[r->cur] += open;
			else
				v->ns[r->cur] += open;
		}
		break;
	}
}

/*
 * A figure's change since last sent. It only grows (what we add for an open state is never more
 * than what the kernel adds when it closes it: tt_move), but for a correction: when the kernel
 * finds a switch it was not shown, or a run its CPU clock says began before the switch's hook,
 * time we sent for the state before moves to its time on a CPU, and that state's figure goes
 * back (docs/threads.md).
 */
static int64_t change(uint64_t *seen, uint64_t now)
{
	int64_t d = (int64_t)(now - *seen);
	*seen = now;
	return d;
}

/* The thread's name now, from /proc while it lives (it may have renamed itself), else the
 * kernel's copy from its exit. */
static void thread_name(const struct thread_time *r, char name[16])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", r->tgid, r->tid);
	int fd = r->state == TT_EXITED ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, name, 15) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		name[n] = 0;
		name[strcspn(name, "\n")] = 0;
		return;
	}
	memcpy(name, r->comm, 15);
	name[15] = 0;
}

/* One thread's entry in its process's line; false when nothing moved. */
static bool thread_entry(struct tracker *t, uint32_t idx, const struct thread_time *r, uint64_t now,
			 bool first, struct jbuf *out)
{
	struct thread_seen *s = &t->thr.seen[idx];
	struct thread_seen v;
	int64_t cpu, rq, pre, sys, ns[THREAD_WHY + 1], d_ns[THREAD_WHY + 1];
	bool moved = false, exited = r->state == TT_EXITED;
	char name[16];

	figures_at(r, now, &v);
	cpu = change(&s->on_cpu, v.on_cpu);
	rq = change(&s->runq, v.runq);
	pre = change(&s->preempt, v.preempt);
	sys = change(&s->sys, v.sys);
	moved = cpu || rq || pre || sys;
	for (uint32_t i = 0; i <= THREAD_WHY; i++) {
		ns[i] = change(&s->ns[i], v.ns[i]);
		d_ns[i] = change(&s->d_ns[i], v.d_ns[i]);
		moved |= ns[i] || d_ns[i];
	}
	if (!moved && s->started && !exited)
		return false;
	thread_name(r, name);
	msg_threads_entry(out, first, r->tid, strcmp(name, s->comm) ? name : NULL,
			  s->started ? 0 : r->first_ns, exited ? r->since_ns : 0, cpu, rq, pre,
			  t->ld->counts_only ? NULL : &sys);
	for (uint32_t i = 0, any = 0; i <= THREAD_WHY; i++) {
		if (!ns[i] && !d_ns[i])
			continue;
		msg_threads_why(out, !any, r->why[i].nr, ns[i], d_ns[i]);
		any = 1;
	}
	msg_threads_entry_end(out);
	memcpy(s->comm, name, sizeof(name));
	s->started = true;
	return true;
}

/* Zeroed and back to the kernel: its thread has exited and its last figures are out. */
static void record_free(struct tracker *t, uint32_t idx)
{
	memset(&t->ld->threads[idx], 0, sizeof(t->ld->threads[idx]));
	memset(&t->thr.seen[idx], 0, sizeof(t->thr.seen[idx]));
	caps_bpf_raise();
	if (bpf_map_update_elem(t->thr.free_fd, NULL, &idx, 0))
		fprintf(stderr,
			"syscope-helper: thread record %u not returned to the free queue: %s\n",
			idx, strerror(errno));
	caps_bpf_lower();
}

static struct thread_time *sort_base;

static int by_process(const void *a, const void *b)
{
	const struct thread_time *x = &sort_base[*(const uint32_t *)a];
	const struct thread_time *y = &sort_base[*(const uint32_t *)b];
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The records in use (of one process: pid, or all: 0), by process, and their lines. `all`: every
 * record of pid is freed after, as its process left the tracked set. */
static void emit(struct tracker *t, uint32_t pid, bool release, struct jbuf *out)
{
	struct loader *ld = t->ld;
	struct threads *th = &t->thr;
	uint32_t n = 0;

	if (!ld->threads)
		return;
	uint64_t now = monotonic_ns();
	for (uint32_t i = 0; i < ld->max_threads; i++) {
		uint32_t tgid = __atomic_load_n(&ld->threads[i].tgid, __ATOMIC_RELAXED);
		if (!tgid || (pid && tgid != pid))
			continue;
		th->order[n++] = i;
	}
	sort_base = ld->threads;
	qsort(th->order, n, sizeof(*th->order), by_process);
	uint32_t open_pid = 0;
	bool first = true;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t idx = th->order[k];
		struct thread_time r;
		if (!read_record(&ld->threads[idx], &r) || !r.tgid)
			continue;
		if (open_pid && (r.tgid != open_pid || out->len > 48 * 1024)) {
			msg_threads_end(out);
			if (!first)
				out_line(out);
			open_pid = 0;
		}
		if (!open_pid) {
			msg_threads_begin(out, t->seq, r.tgid, release);
			open_pid = r.tgid;
			first = true;
		}
		if (thread_entry(t, idx, &r, now, first, out))
			first = false;
		if (r.state == TT_EXITED || release)
			record_free(t, idx);
	}
	if (open_pid) {
		msg_threads_end(out);
		/* a process line with no thread in it says nothing */
		if (!first)
			out_line(out);
	}
}

void threads_emit(struct tracker *t, struct jbuf *out)
{
	emit(t, 0, false, out);
}

void threads_release(struct tracker *t, uint32_t pid, struct jbuf *out)
{
	if (pid)
		emit(t, pid, true, out);
}
