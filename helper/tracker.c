// SPDX-License-Identifier: MIT
/* The tracked set as user space sees it: slots, whose they are, and the counts already reported. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "helper.h"
#include "syscope.h"
#include "syscope.skel.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int tracker_init(struct tracker *t, struct loader *ld, uid_t owner)
{
	memset(t, 0, sizeof(*t));
	t->ld = ld;
	t->owner = owner;
	t->max_procs = ld->max_procs;
	t->task_storage = ld->mode == MODE_TP_BTF;
	t->free_fd = bpf_map__fd(ld->skel->maps.free_slots);
	t->proc_fd = t->task_storage ? bpf_map__fd(ld->skel->maps.proc_task) : -1;
	t->proc_hash_fd = t->task_storage ? -1 : bpf_map__fd(ld->skel->maps.proc_hash);
	t->slots = calloc(t->max_procs, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	for (uint32_t s = 0; s < t->max_procs; s++) {
		if (bpf_map_update_elem(t->free_fd, NULL, &s, 0))
			return -errno;
	}
	return 0;
}

void tracker_free(struct tracker *t)
{
	if (!t->slots)
		return;
	for (uint32_t s = 0; s < t->max_procs; s++)
		free(t->slots[s].prev);
	free(t->slots);
	t->slots = NULL;
}

int tracker_find(struct tracker *t, uint32_t pid)
{
	for (uint32_t s = 0; s < t->max_procs; s++)
		if (t->slots[s].pid == pid)
			return (int)s;
	return -1;
}

static struct syscall_counts *slot_counts(struct tracker *t, uint32_t slot)
{
	return (struct syscall_counts *)t->ld->counts + (size_t)slot * SYSCOPE_MAX_NR;
}

static void slot_reset(struct tracker *t, uint32_t slot)
{
	memset(slot_counts(t, slot), 0, SYSCOPE_MAX_NR * sizeof(struct syscall_counts));
	if (t->ld->runs)
		memset(&t->ld->runs[slot], 0, sizeof(t->ld->runs[slot]));
	t->slots[slot].ins = t->slots[slot].outs = 0;
	if (t->slots[slot].prev)
		memset(t->slots[slot].prev, 0, 3 * SYSCOPE_MAX_NR * sizeof(uint64_t));
}

static void hint(struct tracker *t, uint32_t pid, int delta)
{
	__u32 *h = &t->ld->skel->bss->tracked_hint[pid & (HINT_SIZE - 1)];
	if (delta > 0)
		__atomic_fetch_add(h, 1, __ATOMIC_RELAXED);
	else if (__atomic_load_n(h, __ATOMIC_RELAXED) > 0)
		__atomic_fetch_sub(h, 1, __ATOMIC_RELAXED);
}

void tracker_adopt(struct tracker *t, uint32_t slot, uint32_t pid)
{
	if (slot >= t->max_procs)
		return;
	t->slots[slot].pid = pid;
	t->slots[slot].new_run = true;
	if (!t->slots[slot].prev)
		t->slots[slot].prev = calloc(3 * SYSCOPE_MAX_NR, sizeof(uint64_t));
}

/* Real uid and state of a live process; -ESRCH if gone or a zombie. */
static int read_status(uint32_t pid, uid_t *uid, char *name, size_t namelen)
{
	char path[64], line[256];
	bool have_uid = false;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	name[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned u;
		if (!strncmp(line, "Name:\t", 6)) {
			snprintf(name, namelen, "%.*s", (int)(namelen - 1), line + 6);
			name[strcspn(name, "\n")] = 0;
		} else if (!strncmp(line, "State:\t", 7) && (line[7] == 'Z' || line[7] == 'X')) {
			fclose(f);
			return -ESRCH;
		} else if (sscanf(line, "Uid:\t%u", &u) == 1) {
			*uid = u;
			have_uid = true;
		}
	}
	fclose(f);
	return have_uid ? 0 : -EIO;
}

int tracker_add(struct tracker *t, uint32_t pid, bool descendants, bool await_exec, char *msg,
		size_t msglen)
{
	char name[64];
	uid_t uid = 0;
	uint32_t slot;
	int err, pidfd;

	/* pin the process first, so the checks below are about this process and no later one
	 * that reuses its pid */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		snprintf(msg, msglen, "no process with pid %u: it does not exist or has exited", pid);
		return err == -ESRCH || err == -ENOENT ? -ESRCH : err;
	}
	err = read_status(pid, &uid, name, sizeof(name));
	/* signal 0 through the pidfd: ESRCH once it has exited (EPERM only says it is not ours) */
	if (err == -ESRCH || (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH)) {
		snprintf(msg, msglen, "process %u has exited", pid);
		err = -ESRCH;
		goto out;
	}
	if (err) {
		snprintf(msg, msglen, "cannot read /proc/%u/status: %s", pid, strerror(-err));
		goto out;
	}
	if (t->owner != 0 && uid != t->owner) {
		snprintf(msg, msglen,
			 "pid %u (%s) belongs to uid %u, not to you (uid %u): syscope only traces your own processes",
			 pid, name, (unsigned)uid, (unsigned)t->owner);
		err = -EPERM;
		goto out;
	}
	if (tracker_find(t, pid) >= 0) {
		err = 0; /* already tracked: nothing to do */
		goto out;
	}
	caps_bpf_raise();
	err = bpf_map_lookup_and_delete_elem(t->free_fd, NULL, &slot) ? -errno : 0;
	caps_bpf_lower();
	if (err == -ENOENT) { /* the queue is empty */
		snprintf(msg, msglen, "cannot track more than %u processes at once (--max-procs)",
			 t->max_procs);
		err = -ENOSPC;
		goto out;
	}
	if (err) {
		snprintf(msg, msglen, "cannot take a slot for pid %u: %s", pid, strerror(-err));
		err = err == -EPERM ? -EPERM : -EIO;
		goto out;
	}
	tracker_adopt(t, slot, pid);
	slot_reset(t, slot);
	hint(t, pid, +1);
	struct proc_state st = { .slot = slot,
				 .flags = (descendants ? PROC_DESCENDANTS : 0) |
					  (await_exec ? PROC_AWAIT_EXEC : 0) };
	/* task storage takes a pidfd as its key from user space */
	caps_bpf_raise();
	if (t->task_storage)
		err = bpf_map_update_elem(t->proc_fd, &pidfd, &st, BPF_ANY);
	else
		err = bpf_map_update_elem(t->proc_hash_fd, &pid, &st, BPF_ANY);
	err = err ? -errno : 0;
	caps_bpf_lower();
	if (err) {
		snprintf(msg, msglen, "cannot add pid %u to the tracked set: %s", pid, strerror(-err));
		hint(t, pid, -1);
		t->slots[slot].pid = 0;
		caps_bpf_raise();
		bpf_map_update_elem(t->free_fd, NULL, &slot, 0);
		caps_bpf_lower();
		if (err != -ESRCH)
			err = -EIO;
	}
out:
	close(pidfd);
	return err;
}

void tracker_emit_counts(struct tracker *t, uint32_t slot, bool final, struct jbuf *out)
{
	struct tracked *tr = &t->slots[slot];
	struct syscall_counts *c = slot_counts(t, slot);
	bool any = false;

	if (!tr->pid || !tr->prev)
		return;
	jb_reset(out);
	jb_raw(out, "{\"type\":\"counts\",\"seq\":");
	jb_u64(out, t->seq);
	jb_raw(out, ",\"pid\":");
	jb_u64(out, tr->pid);
	jb_raw(out, final ? ",\"final\":true,\"sys\":[" : ",\"final\":false,\"sys\":[");
	for (uint32_t nr = 0; nr < SYSCOPE_MAX_NR; nr++) {
		/* one read per counter: the kernel adds to them concurrently */
		uint64_t calls = __atomic_load_n(&c[nr].calls, __ATOMIC_RELAXED);
		uint64_t errs = __atomic_load_n(&c[nr].errors, __ATOMIC_RELAXED);
		uint64_t ns = __atomic_load_n(&c[nr].time_ns, __ATOMIC_RELAXED);
		uint64_t *p = tr->prev + 3 * nr;
		if (calls == p[0] && errs == p[1] && ns == p[2])
			continue;
		jb_raw(out, any ? ",[" : "[");
		jb_u64(out, nr);
		jb_raw(out, ",");
		jb_u64(out, calls - p[0]);
		jb_raw(out, ",");
		jb_u64(out, errs - p[1]);
		jb_raw(out, ",");
		jb_u64(out, ns - p[2]);
		jb_raw(out, "]");
		p[0] = calls;
		p[1] = errs;
		p[2] = ns;
		any = true;
	}
	jb_raw(out, "]}");
	if (any || final)
		out_line(out);
}

void tracker_emit_all(struct tracker *t, struct jbuf *out)
{
	for (uint32_t s = 0; s < t->max_procs; s++)
		if (t->slots[s].pid && t->slots[s].busy)
			tracker_emit_counts(t, s, false, out);
}

/*
 * A process whose threads were neither switched onto nor off a CPU since the last tick, and
 * none of which is on one (as many switches on as off), has not run since: it made no syscall
 * and used no CPU. Its syscall counters need no scan, and the sampler need not read it. A
 * thread that was on a CPU when its process was tracked leaves the counters unequal for good,
 * and the process is then busy every tick: safe, if no cheaper than without run counters.
 */
void tracker_note_runs(struct tracker *t)
{
	const struct run_counts *runs = t->ld->runs;

	for (uint32_t s = 0; s < t->max_procs; s++) {
		struct tracked *tr = &t->slots[s];
		if (!tr->pid)
			continue;
		if (!runs) {
			tr->busy = true;
			continue;
		}
		uint64_t in = __atomic_load_n(&runs[s].ins, __ATOMIC_RELAXED);
		uint64_t out = __atomic_load_n(&runs[s].outs, __ATOMIC_RELAXED);
		/* counters that did not move: on a CPU without a break if more threads switched in
		 * than out; more outs than ins are threads that were on a CPU when tracking began
		 * (their switch-in was not seen) and have left it since */
		tr->busy = tr->new_run || in != tr->ins || out != tr->outs || in > out;
		tr->ins = in;
		tr->outs = out;
		tr->new_run = false;
	}
}

/* pids per `ran` message: at most 7 digits and a comma each, well inside MESSAGE_MAX */
#define RAN_PER_MESSAGE 4096

static void ran_open(struct tracker *t, struct jbuf *out)
{
	jb_reset(out);
	jb_raw(out, "{\"type\":\"ran\",\"seq\":");
	jb_u64(out, t->seq);
	jb_raw(out, ",\"pids\":[");
}

void tracker_emit_ran(struct tracker *t, struct jbuf *out)
{
	uint32_t in_message = 0;

	if (!t->ld->runs)
		return;
	for (uint32_t s = 0; s < t->max_procs; s++) {
		struct tracked *tr = &t->slots[s];
		if (!tr->pid || !tr->busy)
			continue;
		if (in_message == RAN_PER_MESSAGE) {
			jb_raw(out, "]}");
			out_line(out);
			in_message = 0;
		}
		if (!in_message)
			ran_open(t, out);
		else
			jb_raw(out, ",");
		jb_u64(out, tr->pid);
		in_message++;
	}
	if (in_message) {
		jb_raw(out, "]}");
		out_line(out);
	}
}

void tracker_release(struct tracker *t, uint32_t slot, struct jbuf *out)
{
	if (slot >= t->max_procs)
		return;
	if (t->slots[slot].pid) {
		tracker_emit_counts(t, slot, true, out);
		hint(t, t->slots[slot].pid, -1);
	}
	t->slots[slot].pid = 0;
	slot_reset(t, slot);
	caps_bpf_raise();
	if (bpf_map_update_elem(t->free_fd, NULL, &slot, 0))
		fprintf(stderr, "syscope-helper: slot %u not returned to the free queue: %s\n", slot,
			strerror(errno));
	caps_bpf_lower();
}

int tracker_remove(struct tracker *t, uint32_t pid, struct jbuf *out)
{
	int slot = tracker_find(t, pid);
	if (slot < 0)
		return -ESRCH;
	/* stop the kernel side first, so no late syscall exit adds to a freed slot */
	if (t->task_storage) {
		int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd >= 0) {
			caps_bpf_raise();
			bpf_map_delete_elem(t->proc_fd, &pidfd);
			caps_bpf_lower();
			close(pidfd);
		}
	} else {
		caps_bpf_raise();
		bpf_map_delete_elem(t->proc_hash_fd, &pid);
		caps_bpf_lower();
	}
	tracker_release(t, (uint32_t)slot, out);
	return 0;
}
