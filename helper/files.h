/* SPDX-License-Identifier: MIT */
/*
 * Files and network, the helper's side (files.c): what the kernel aggregated in file_stats,
 * file_names and failed_opens (bpf/files.bpf.c), sent as `file`, `file_name` and `open_failed`
 * lines (docs/protocol.md).
 */
#ifndef SYSCOPE_FILES_H
#define SYSCOPE_FILES_H

#include <stdint.h>

#include "json.h"

struct tracker;

/* each tick, before the counts: what changed since the last tick (nothing when detail is off) */
void files_emit_changed(struct tracker *t, struct jbuf *out);
/* a slot being released: its entries' final figures, then out of the tables */
void files_release(struct tracker *t, uint32_t slot, struct jbuf *out);

#endif
