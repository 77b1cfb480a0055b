// SPDX-License-Identifier: GPL-2.0
/*
 * The floors any syscall hook is measured against (npm run bench:helper), loaded by empty_hooks.c
 * as one of: two empty tp_btf programs on sys_enter and sys_exit ("pair"), the exit one alone
 * ("exit": the counts-only mode's floor), or both reading the clock once ("clock": the timed
 * mode's floor, which cannot time a call with less).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* where the clock reads go, so that they are not optimised away */
__u64 sink;

SEC("tp_btf/sys_enter")
int BPF_PROG(empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(clock_enter, struct pt_regs *regs, long id)
{
	sink = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(clock_exit, struct pt_regs *regs, long ret)
{
	sink = bpf_ktime_get_ns();
	return 0;
}
