/* SPDX-License-Identifier: MIT */
/* --diagnose: what this machine supports, as JSON on stdout (diagnose.c). */
#ifndef SYSCOPE_DIAGNOSE_H
#define SYSCOPE_DIAGNOSE_H

struct loader_opts;

/* --diagnose's bound on loading --detail's programs, with and without --counts-only, all probes
 * together, in ms (--detail-probe-ms: at most this) */
#define DETAIL_PROBE_MS 8000

int diagnose(const char *self, const struct loader_opts *o, int probe_ms);

#endif
