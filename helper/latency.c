// SPDX-License-Identifier: MIT
/*
 * Syscall latency, the helper's side. The kernel (latency.bpf.c) keeps a histogram row per
 * (slot, syscall) in lat_rows, failed calls by errno in errno_counts and each CPU's slowest calls
 * in slow_calls; we read the first and last from memory, the errnos in batches, and send what
 * changed. As with the counters, we never write what the kernel adds to: a row is zeroed and
 * given back only once its process is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "detail.h"
#include "latency.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "syscope.h"
#include "syscope.skel.h"
#include "tracker.h"

/* syscalls per `latency` line: 48 buckets of two numbers each at most, well inside MESSAGE_MAX */
#define LATENCY_PER_MESSAGE 32

int latency_init(struct tracker *t)
{
	struct loader *ld = t->ld;
	struct latency *l = &t->lat;

	memset(l, 0, sizeof(*l));
	l->errno_fd = bpf_map__fd(ld->skel->maps.errno_counts);
	l->free_fd = -1;
	if (!ld->lat)
		return 0; /* the counts-only mode: errnos alone */
	l->free_fd = bpf_map__fd(ld->skel->maps.lat_free);
	l->prev = calloc((size_t)ld->lat_rows * HIST_BUCKETS, sizeof(uint64_t));
	if (!l->prev)
		return -ENOMEM;
	for (uint32_t r = 0; r < ld->lat_rows; r++)
		if (bpf_map_update_elem(l->free_fd, NULL, &r, 0))
			return -errno;
	if (!ld->slow_n)
		return 0;
	l->cpu_seq = calloc(ld->ncpus, sizeof(uint64_t));
	l->top = calloc(ld->slow_n, sizeof(*l->top));
	l->top_new = calloc(ld->slow_n, sizeof(*l->top_new));
	l->scratch = calloc(ld->slow_n, sizeof(*l->scratch));
	return l->cpu_seq && l->top && l->top_new && l->scratch ? 0 : -ENOMEM;
}

void latency_free(struct tracker *t)
{
	struct latency *l = &t->lat;
	free(l->prev);
	free(l->cpu_seq);
	free(l->top);
	free(l->top_new);
	free(l->scratch);
	memset(l, 0, sizeof(*l));
}

/* ---- histograms ---- */

void latency_emit(struct tracker *t, uint32_t slot, const uint32_t *nrs, uint32_t n, bool final,
		  struct jbuf *out)
{
	struct loader *ld = t->ld;
	const struct syscall_counts *c =
		(const struct syscall_counts *)ld->counts + (size_t)slot * SYSCOPE_MAX_NR;
	uint32_t in_message = 0;

	if (!ld->lat)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t nr = nrs[i];
		uint64_t r = __atomic_load_n(&c[nr].lat_row, __ATOMIC_ACQUIRE);
		if (!r || r > ld->lat_rows)
			continue;
		const struct lat_row *row = &ld->lat[r - 1];
		uint64_t *prev = t->lat.prev + (size_t)(r - 1) * HIST_BUCKETS;
		uint64_t delta[HIST_BUCKETS];
		bool moved = false;
		for (uint32_t k = 0; k < HIST_BUCKETS; k++) {
			uint64_t now = __atomic_load_n(&row->bucket[k], __ATOMIC_RELAXED);
			delta[k] = now - prev[k];
			prev[k] = now;
			moved |= delta[k] != 0;
		}
		if (!moved)
			continue;
		if (in_message == LATENCY_PER_MESSAGE) {
			msg_latency_end(out);
			out_line(out);
			in_message = 0;
		}
		if (!in_message)
			msg_latency_begin(out, t->seq, t->slots[slot].pid, final);
		msg_latency_entry(out, !in_message, nr,
				  __atomic_load_n(&row->min_ns, __ATOMIC_RELAXED),
				  __atomic_load_n(&row->max_ns, __ATOMIC_RELAXED), delta);
		in_message++;
	}
	if (in_message) {
		msg_latency_end(out);
		out_line(out);
	}
}

void latency_release(struct tracker *t, struct syscall_counts *c)
{
	struct loader *ld = t->ld;

	if (!ld->lat)
		return;
	for (uint32_t nr = 0; nr < SYSCOPE_MAX_NR; nr++) {
		uint64_t r = c[nr].lat_row;
		if (!r || r > ld->lat_rows)
			continue;
		uint32_t row = (uint32_t)(r - 1);
		memset(&ld->lat[row], 0, sizeof(ld->lat[row]));
		memset(t->lat.prev + (size_t)row * HIST_BUCKETS, 0,
		       HIST_BUCKETS * sizeof(uint64_t));
		caps_bpf_raise();
		if (bpf_map_update_elem(t->lat.free_fd, NULL, &row, 0))
			fprintf(stderr,
				"syscope-helper: latency row %u not returned to the free queue: %s\n",
				row, strerror(errno));
		caps_bpf_lower();
	}
}

/* ---- errnos ---- */

static void errno_one(struct pass *p, const void *key, const void *value)
{
	const struct errno_key *k = key;
	const struct errno_count *v = value;
	uint32_t pid = detail_sent_for(p, k->slot, v->seq);

	if (pid) {
		msg_errnos_begin(p->out, p->t->seq, pid);
		msg_errnos_entry(p->out, true, k->nr, k->errno_, v->count);
		msg_errnos_end(p->out);
		out_line(p->out);
	}
	/* a released slot's last figures are out: the entry goes with it */
	if (detail_released(p, k->slot))
		bpf_map_delete_elem(p->fd, key);
}

void latency_emit_errnos(struct tracker *t, uint64_t since, int64_t slot, struct jbuf *out)
{
	struct pass p = { .t = t, .out = out, .fd = t->lat.errno_fd, .since = since, .slot = slot };
	struct errno_key keys[DETAIL_BATCH];
	struct errno_count values[DETAIL_BATCH];

	caps_bpf_raise();
	detail_each_entry(&p, keys, sizeof(keys[0]), values, sizeof(values[0]), errno_one);
	caps_bpf_lower();
}

/* ---- the slowest calls ---- */

/* one call, two reads: the same call read twice (it stays kept) */
static bool same_call(const struct slow_call *a, const struct slow_call *b)
{
	return a->end_ns == b->end_ns && a->tid == b->tid && a->dur_ns == b->dur_ns;
}

/* Into the session's top (longest first), marked new, unless it is there or too short. */
static void top_offer(struct latency *l, uint32_t n, const struct slow_call *c)
{
	uint32_t at = l->top_used;

	for (uint32_t i = 0; i < l->top_used; i++)
		if (same_call(&l->top[i], c))
			return;
	while (at > 0 &&
	       (l->top[at - 1].dur_ns < c->dur_ns ||
		(l->top[at - 1].dur_ns == c->dur_ns && l->top[at - 1].end_ns > c->end_ns)))
		at--;
	if (at >= n)
		return;
	uint32_t keep = l->top_used < n ? l->top_used : n - 1;
	memmove(&l->top[at + 1], &l->top[at], (keep - at) * sizeof(*c));
	memmove(&l->top_new[at + 1], &l->top_new[at], (keep - at) * sizeof(*l->top_new));
	l->top[at] = *c;
	l->top_new[at] = true;
	if (l->top_used < n)
		l->top_used++;
}

void latency_emit_slowest(struct tracker *t, struct jbuf *out)
{
	struct loader *ld = t->ld;
	struct latency *l = &t->lat;
	uint32_t n = ld->slow_n;
	bool any = false;

	if (!n || !l->top)
		return;
	for (uint32_t cpu = 0; cpu < ld->ncpus; cpu++) {
		const struct slow_cpu *h = &ld->slow_cpus[cpu];
		uint64_t seq = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		/* unchanged, or being written: next tick */
		if (seq == l->cpu_seq[cpu] || (seq & 1))
			continue;
		uint32_t used = __atomic_load_n(&h->used, __ATOMIC_RELAXED);
		if (used > n)
			used = n;
		memcpy(l->scratch, &ld->slow[(size_t)cpu * n], used * sizeof(*l->scratch));
		if (__atomic_load_n(&h->seq, __ATOMIC_ACQUIRE) != seq)
			continue;
		l->cpu_seq[cpu] = seq;
		for (uint32_t i = 0; i < used; i++)
			top_offer(l, n, &l->scratch[i]);
	}
	for (uint32_t i = 0; i < l->top_used; i++) {
		if (!l->top_new[i])
			continue;
		if (!any)
			msg_slow_begin(out);
		msg_slow_entry(out, !any, &l->top[i]);
		l->top_new[i] = false;
		any = true;
		/* about 200 bytes a call: flush well before MESSAGE_MAX */
		if (out->len > 48 * 1024) {
			msg_slow_end(out);
			out_line(out);
			any = false;
		}
	}
	if (any) {
		msg_slow_end(out);
		out_line(out);
	}
}
