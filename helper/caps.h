/* SPDX-License-Identifier: MIT */
/* The helper's capabilities: dropped once attached, or CAP_BPF kept on demand (caps.c). */
#ifndef SYSCOPE_CAPS_H
#define SYSCOPE_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

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

#endif
