// SPDX-License-Identifier: GPL-2.0
/*
 * syscope's kernel side: per-process syscall counts (calls, failures, time in the kernel),
 * aggregated in the kernel for a tracked set of processes that grows at fork and shrinks at exit.
 *
 * One program on syscall entry and one on exit for ALL syscalls. Three attach flavours of the same
 * logic; user space loads exactly one:
 *   tp_btf      BTF-typed tracepoints + task storage (fastest; 5.11+ with BTF)
 *   raw_tp      raw tracepoints + hash maps keyed by tgid/tid
 *   tracepoint  classic tracefs tracepoints + hash maps (needs tracefs access)
 *
 * Untracked processes are turned away by one load and branch per hook (tracked_hint).
 *
 * The files, by concern (docs/architecture-kernel.md):
 *   common.bpf.h     settings from the helper, loss counters, the tracked-pid hint, event writer
 *   maps.bpf.h       every map
 *   tracked.bpf.h    is this process tracked, may it stay so (identity, the ptrace rule)
 *   syscalls.bpf.c   syscall counting (sys_enter/sys_exit)
 *   latency.bpf.c    syscall latency: histograms, errnos, the slowest calls
 *   lifecycle.bpf.c  fork, exec, exit and the figures at exit
 *   sched.bpf.c      sched_switch: which processes ran since the helper's last tick
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The concern files are #included into this one object, not built into objects of their own and
 * linked (bpftool gen object): one object keeps one skeleton and the loader as it is, its
 * always-inline helpers are shared as plain code with nothing exported between objects, and the
 * .rodata/.bss settings the helper writes stay in one section each. A new monitor adds its file
 * here, its maps in maps.bpf.h, and its programs to choose_programs in helper/loader.c.
 */
#include "syscalls.bpf.c"
#include "lifecycle.bpf.c"
#include "sched.bpf.c"
