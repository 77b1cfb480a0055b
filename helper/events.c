// SPDX-License-Identifier: MIT
/* The kernel's events from the ring buffer, and the tick at the end of each interval, as lines. */
#include <stdint.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/types.h>

#include "events.h"
#include "messages.h"
#include "output.h"
#include "session.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "detail.h"
#include "tracker.h"

/* a process gone from the tracked set: its final counts, then its slot is free for reuse */
static void slot_out(struct session *s, const struct syscope_event *e)
{
	if (e->slot < s->tr.max_procs && s->tr.slots[e->slot].pid == e->pid)
		tracker_release(&s->tr, e->slot, &s->msg);
}

/* an exit to the app, after the process's final counts */
static void exit_out(struct session *s, const struct syscope_event *e)
{
	slot_out(s, e);
	msg_exit(&s->msg, e);
	out_line(&s->msg);
}

/*
 * Out with the held exits that match: a pid (0: any) and, unless `all`, only those that came in
 * before this tick. One whose final switch was not seen (a switch the kernel did not show) goes
 * with the figures of its exit, and its entry in the kernel's exiting table is let go.
 */
static void release_held(struct session *s, uint32_t pid, bool all)
{
	struct syscope_bpf *skel = s->ld.skel;
	uint32_t kept = 0;
	for (uint32_t i = 0; i < s->n_held; i++) {
		struct held_exit *h = &s->held[i];
		bool go = pid ? h->e.pid == pid : all || h->seq < s->tr.seq;
		if (!go) {
			if (kept != i)
				s->held[kept] = *h;
			kept++;
			continue;
		}
		__u32 tid = h->e.ppid;
		if (!bpf_map_delete_elem(bpf_map__fd(skel->maps.exiting), &tid))
			__atomic_fetch_sub(&skel->bss->exiting_count, 1, __ATOMIC_RELAXED);
		exit_out(s, &h->e);
	}
	s->n_held = kept;
}

/* the final CPU time of a held exit: out with it now */
static void exit_final(struct session *s, const struct syscope_event *f)
{
	for (uint32_t i = 0; i < s->n_held; i++) {
		struct held_exit *h = &s->held[i];
		if (h->e.pid != f->pid || h->e.ppid != f->ppid)
			continue;
		memcpy(h->e.cpu, f->cpu, sizeof(h->e.cpu));
		exit_out(s, &h->e);
		s->held[i] = s->held[--s->n_held];
		return;
	}
}

void events_tick(struct session *s, bool last)
{
	struct jbuf *j = &s->msg;
	const __u64 *kernel_drops = s->ld.skel->bss->drops;
	uint64_t drops[DROP_MAX];

	release_held(s, 0, last);

	tracker_note_runs(&s->tr);
	keys_drain(&s->tr.keys, false);
	uint64_t since = tracker_stamp(&s->tr);
	detail_emit_changed(&s->tr, since, j);
	latency_emit_errnos(&s->tr, since, -1, j);
	tracker_emit_all(&s->tr, j);
	latency_emit_slowest(&s->tr, j);
	threads_emit(&s->tr, j);
	disk_emit(&s->disk, &s->tr, s->tr.seq, since, j);
	tracker_emit_ran(&s->tr, j);
	/* the kernel adds to them concurrently: one read each */
	for (int k = 0; k < DROP_MAX; k++)
		drops[k] = __atomic_load_n(&kernel_drops[k], __ATOMIC_RELAXED);
	msg_tick(j, s->tr.seq, monotonic_ns(), drops);
	out_line(j);
	s->tr.seq++;
}

int events_on_ring(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct syscope_event *e = data;
	struct jbuf *j = &s->msg;

	if (size < sizeof(*e))
		return 0;
	switch (e->type) {
	case EV_FORK:
		/* a pid given again: the exit of the process that had it goes first */
		if (s->n_held)
			release_held(s, e->pid, true);
		tracker_adopt(&s->tr, e->slot, e->pid);
		msg_fork(j, e);
		out_line(j);
		break;
	case EV_EXEC:
		msg_exec(j, e);
		out_line(j);
		break;
	case EV_EXIT:
		/* where the scheduler hooks see tasks, its final CPU time comes at its last switch
		 * off a CPU, microseconds from now (EV_EXIT_CPU): held until then, or the next tick */
		if (s->ld.threads && s->n_held < HELD_EXITS)
			s->held[s->n_held++] = (struct held_exit){ .e = *e, .seq = s->tr.seq };
		else
			exit_out(s, e);
		break;
	case EV_EXIT_CPU:
		exit_final(s, e);
		break;
	case EV_UNTRACKED:
		slot_out(s, e);
		msg_untracked(j, e->t_ns, e->pid, e->reason);
		out_line(j);
		break;
	}
	return 0;
}
