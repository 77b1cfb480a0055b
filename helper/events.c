// SPDX-License-Identifier: MIT
/* The kernel's events from the ring buffer, and the tick at the end of each interval, as lines. */
#include <stdint.h>
#include <linux/types.h>

#include "events.h"
#include "messages.h"
#include "output.h"
#include "session.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "detail.h"
#include "tracker.h"

void events_tick(struct session *s)
{
	struct jbuf *j = &s->msg;
	const __u64 *kernel_drops = s->ld.skel->bss->drops;
	uint64_t drops[DROP_MAX];

	tracker_note_runs(&s->tr);
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
		tracker_adopt(&s->tr, e->slot, e->pid);
		msg_fork(j, e);
		out_line(j);
		break;
	case EV_EXEC:
		msg_exec(j, e);
		out_line(j);
		break;
	case EV_EXIT:
	case EV_UNTRACKED:
		/* the final counts come before the exit, then the slot is free for reuse */
		if (e->slot < s->tr.max_procs && s->tr.slots[e->slot].pid == e->pid)
			tracker_release(&s->tr, e->slot, j);
		if (e->type == EV_UNTRACKED)
			msg_untracked(j, e->t_ns, e->pid, e->reason);
		else
			msg_exit(j, e);
		out_line(j);
		break;
	}
	return 0;
}
