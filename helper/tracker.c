// SPDX-License-Identifier: MIT
/* The tracked set as user space sees it: slots, whose they are, and the counts already reported. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "detail.h"
#include "loader.h"
#include "messages.h"
#include "output.h"
#include "tracker.h"
#include "syscope.h"
#include "syscope.skel.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* the helper's own build pauses nowhere; the test-only `hooks` build links one that does */
__attribute__((weak)) bool tracker_test_hook(const char *point, uint32_t pid)
{
	(void)point;
	(void)pid;
	return false;
}

/* The boot time offset of the helper's time namespace, which /proc adds to start times. */
static int64_t boot_offset_ns(void)
{
	char line[128];
	long long sec, nsec;
	int64_t off = 0;
	FILE *f = fopen("/proc/self/timens_offsets", "re");
	if (!f)
		return 0; /* no time namespaces: no offset */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "boottime %lld %lld", &sec, &nsec) == 2)
			off = (int64_t)sec * 1000000000 + nsec;
	fclose(f);
	return off;
}

int tracker_init(struct tracker *t, struct loader *ld, uid_t owner)
{
	long hz = sysconf(_SC_CLK_TCK);

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
	for (uint32_t s = 0; s < t->max_procs; s++)
		t->slots[s].pidfd = -1;
	/* a pidfd per tracked process until the kernel has met it (one that sleeps keeps it): room
	 * for max_procs of them, as far as the hard limit allows */
	struct rlimit nofile;
	if (!getrlimit(RLIMIT_NOFILE, &nofile) && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	/* what the kernel side needs to see a process as /proc shows it to the helper */
	if (hz <= 0 || 1000000000L % hz) {
		fprintf(stderr,
			"syscope-helper: clock tick of %ld Hz is not a whole number of ns\n", hz);
		return -EINVAL;
	}
	ld->skel->data->ns_per_tick = 1000000000ULL / (uint64_t)hz;
	ld->skel->data->owner_gid = getgid();
	ld->skel->bss->boot_offset_ns = boot_offset_ns();
	/* the slots below pref_slots are slot_taken's (bpf/tracked.bpf.h), the rest queued */
	for (uint32_t s = ld->skel->rodata->pref_slots; s < t->max_procs; s++) {
		if (bpf_map_update_elem(t->free_fd, NULL, &s, 0))
			return -errno;
	}
	int err = latency_init(t);
	if (!err)
		err = threads_init(t);
	return err ? err : keys_init(&t->keys, ld);
}

void tracker_free(struct tracker *t)
{
	if (!t->slots)
		return;
	for (uint32_t s = 0; s < t->max_procs; s++) {
		free(t->slots[s].prev);
		if (t->slots[s].pidfd >= 0)
			close(t->slots[s].pidfd);
	}
	free(t->slots);
	latency_free(t);
	threads_free(t);
	keys_free(&t->keys);
	jb_free(&t->msg);
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
	latency_release(t, slot_counts(t, slot));
	memset(slot_counts(t, slot), 0, SYSCOPE_MAX_NR * sizeof(struct syscall_counts));
	if (t->ld->runs)
		memset(&t->ld->runs[slot], 0, sizeof(t->ld->runs[slot]));
	t->slots[slot].ins = t->slots[slot].outs = 0;
	if (t->slots[slot].prev)
		memset(t->slots[slot].prev, 0, 3 * SYSCOPE_MAX_NR * sizeof(uint64_t));
}

/* The fast ways to this slot's process (tracked_fast, bpf/common.bpf.h) taken back, if it is
 * there: before the slot is freed or the process let go. */
static void fast_forget(struct tracker *t, uint32_t pid, uint32_t slot)
{
	__u64 *e = &t->ld->skel->bss->tracked_fast[pid & (HINT_SIZE - 1)];
	__u64 mine = FAST_ENTRY(pid, slot);
	__atomic_compare_exchange_n(e, &mine, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void hint(struct tracker *t, uint32_t pid, int delta)
{
	__u32 *h = &t->ld->skel->bss->tracked_hint[pid & (HINT_SIZE - 1)];
	if (delta > 0)
		__atomic_fetch_add(h, 1, __ATOMIC_RELAXED);
	else if (__atomic_load_n(h, __ATOMIC_RELAXED) > 0)
		__atomic_fetch_sub(h, 1, __ATOMIC_RELAXED);
}

/* A count in every stack bucket that no exit can take back: the hooks then let every thread on
 * to the exact check, as they did before the hints. */
#define HINTS_ALL (1u << 30)

/* Run the hint iterator over the process's threads (kernels from 6.1 take the pid), or over
 * every task (older ones refuse the pid): 0, or -errno. */
static int run_hint_iterator(struct bpf_program *prog, uint32_t pid, bool by_pid)
{
	union bpf_iter_link_info info = { .task.pid = pid };
	LIBBPF_OPTS(bpf_iter_attach_opts, o, .link_info = &info, .link_info_len = sizeof(info));
	char buf[64];
	ssize_t n = -1;
	int fd = -1, err;

	caps_bpf_raise();
	struct bpf_link *link = bpf_program__attach_iter(prog, by_pid ? &o : NULL);
	err = link ? 0 : -errno;
	if (link) {
		fd = bpf_iter_create(bpf_link__fd(link));
		err = fd < 0 ? -errno : 0;
	}
	caps_bpf_lower();
	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		err = n < 0 ? -errno : 0;
		close(fd);
	}
	bpf_link__destroy(link);
	return err;
}

/*
 * tp_btf: the stack hints of the threads the process just added already has (bpf/tracked.bpf.h;
 * the hooks turn a thread away before any other check until it holds one). Should that fail,
 * every bucket is counted for good: nothing of a tracked thread is lost, untracked ones pay as
 * they did before the hints.
 */
static void hint_threads(struct tracker *t, uint32_t pid)
{
	struct bpf_program *prog = t->ld->skel->progs.hint_threads;
	int err;

	if (t->hints_all || bpf_program__fd(prog) < 0)
		return;
	err = run_hint_iterator(prog, pid, true);
	if (err)
		err = run_hint_iterator(prog, pid, false);
	if (!err)
		return;
	fprintf(stderr,
		"syscope-helper: cannot hint a tracked process's threads (%s): every "
		"thread passes the hooks' first test from now on\n",
		strerror(-err));
	struct stack_hints *all = calloc(1, sizeof(*all));
	__u32 zero = 0;
	if (!all)
		return;
	for (int i = 0; i < STACK_HINTS; i++)
		all->n[i] = HINTS_ALL;
	caps_bpf_raise();
	if (!bpf_map_update_elem(bpf_map__fd(t->ld->skel->maps.stack_hint), &zero, all, BPF_ANY))
		t->hints_all = true;
	caps_bpf_lower();
	free(all);
}

void tracker_adopt(struct tracker *t, uint32_t slot, uint32_t pid)
{
	if (slot >= t->max_procs)
		return;
	t->slots[slot].pid = pid;
	t->changes++;
	t->slots[slot].new_run = true;
	t->slots[slot].pidfd = -1;
	t->slots[slot].gone_ticks = 0;
	if (!t->slots[slot].prev)
		t->slots[slot].prev = calloc(3 * SYSCOPE_MAX_NR, sizeof(uint64_t));
}

/* What /proc/<pid>/status says of a live process: -ESRCH if gone or a zombie. */
struct proc_ids {
	unsigned uid[4], gid[4]; /* real, effective, saved, filesystem */
	unsigned long long cap_prm;
	char name[64];
};

static int read_status(uint32_t pid, struct proc_ids *ids)
{
	char path[64], line[256];
	int have = 0;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	ids->name[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned *v = !strncmp(line, "Uid:", 4)	  ? ids->uid
			      : !strncmp(line, "Gid:", 4) ? ids->gid
							  : NULL;
		if (!strncmp(line, "Name:\t", 6)) {
			snprintf(ids->name, sizeof(ids->name), "%.*s", (int)sizeof(ids->name) - 1,
				 line + 6);
			ids->name[strcspn(ids->name, "\n")] = 0;
		} else if (!strncmp(line, "State:\t", 7) && (line[7] == 'Z' || line[7] == 'X')) {
			fclose(f);
			return -ESRCH;
		} else if (v && sscanf(line + 4, "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) == 4) {
			have++;
		} else if (sscanf(line, "CapPrm:\t%llx", &ids->cap_prm) == 1) {
			have++;
		}
	}
	fclose(f);
	return have == 3 ? 0 : -EIO;
}

/* /proc/<pid>/stat field 22: the process's start time, clock ticks after boot. With the pid, the
 * identity of a process (the kernel side computes the same from the task, see PROC_VERIFY). */
static int read_start_ticks(uint32_t pid, uint64_t *ticks)
{
	char path[64], buf[1024], *tok, *save;
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = 0;
	/* the name (field 2) may hold spaces and parentheses: the fields after it follow its last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	int field = 2;
	for (tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (++field == 22) {
			*ticks = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -EIO;
}

/*
 * Whether the user may ptrace-read the process, by the kernel's own check: /proc/<pid>/io opens
 * and reads only for a caller that may (PTRACE_MODE_READ_FSCREDS: all the process's ids the
 * caller's, no capability the caller lacks, dumpable), and the helper asking is the user, holding
 * no effective capability. The ids and permitted capabilities are compared too, for kernels
 * without I/O accounting (no such file). 0 or -EPERM.
 */
static int user_may_ptrace(uint32_t pid, const struct proc_ids *ids, uid_t uid, gid_t gid)
{
	char path[64], buf[256];
	for (int k = 0; k < 3; k++)
		if (ids->uid[k] != uid || ids->gid[k] != gid)
			return -EPERM;
	if (ids->cap_prm)
		return -EPERM;
	snprintf(path, sizeof(path), "/proc/%u/io", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -EPERM : 0;
	int err =
		read(fd, buf, sizeof(buf)) < 0 && (errno == EACCES || errno == EPERM) ? -EPERM : 0;
	close(fd);
	return err;
}

/* Readable once the whole process has exited (a zombie, or reaped). */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/* The kernel's entry for a process: by its pidfd (task storage), or by its pid (hashes). */
static int entry_lookup(struct tracker *t, uint32_t pid, int pidfd, struct proc_state *st)
{
	int err;
	if (t->task_storage && pidfd < 0)
		return -ENOENT;
	caps_bpf_raise();
	if (t->task_storage)
		err = bpf_map_lookup_elem(t->proc_fd, &pidfd, st);
	else
		err = bpf_map_lookup_elem(t->proc_hash_fd, &pid, st);
	err = err ? -errno : 0;
	caps_bpf_lower();
	return err;
}

/* Delete the kernel's entry of a slot, if it is there and still that slot's (a pid may be another
 * process's by now). 0 if this call deleted it: no exit hook will tell of it then. */
static int entry_delete(struct tracker *t, uint32_t slot, uint32_t pid, int pidfd)
{
	struct proc_state st;
	int err = entry_lookup(t, pid, pidfd, &st);
	if (err)
		return err;
	if (st.slot != slot)
		return -ENOENT;
	caps_bpf_raise();
	if (t->task_storage)
		err = bpf_map_delete_elem(t->proc_fd, &pidfd);
	else
		err = bpf_map_delete_elem(t->proc_hash_fd, &pid);
	err = err ? -errno : 0;
	caps_bpf_lower();
	return err;
}

/* The helper's side of slot_take and slot_give_back (bpf/tracked.bpf.h), the same way round:
 * the process's own slot (PREF_SLOTS) if free, else one from the queue, else any free one of the
 * first pref_slots. -ENOENT: all are taken. */
static int slot_take(struct tracker *t, uint32_t pid, uint32_t *slot)
{
	__u64 *taken = t->ld->skel->bss->slot_taken;
	uint32_t pref_slots = t->ld->skel->rodata->pref_slots;
	uint32_t pref = PREF_SLOT(pid);
	__u64 expected = 0;
	if (pref < pref_slots && __atomic_compare_exchange_n(&taken[pref], &expected, 1, false,
							     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		*slot = pref;
		return 0;
	}
	caps_bpf_raise();
	int err = bpf_map_lookup_and_delete_elem(t->free_fd, NULL, slot) ? -errno : 0;
	caps_bpf_lower();
	if (err != -ENOENT) /* taken, or failed */
		return err;
	for (uint32_t i = 0; i < pref_slots; i++) {
		expected = 0;
		if (__atomic_compare_exchange_n(&taken[i], &expected, 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			*slot = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* A slot back to the free ones, once it is zeroed: the kernel may give it out at once. */
static void slot_give_back(struct tracker *t, uint32_t slot)
{
	if (slot < t->ld->skel->rodata->pref_slots) {
		__atomic_store_n(&t->ld->skel->bss->slot_taken[slot], 0, __ATOMIC_SEQ_CST);
		return;
	}
	caps_bpf_raise();
	if (bpf_map_update_elem(t->free_fd, NULL, &slot, 0))
		fprintf(stderr, "syscope-helper: slot %u not returned to the free queue: %s\n",
			slot, strerror(errno));
	caps_bpf_lower();
}

static void slot_free(struct tracker *t, uint32_t slot)
{
	struct tracked *tr = &t->slots[slot];
	if (tr->pidfd >= 0)
		close(tr->pidfd);
	tr->pidfd = -1;
	tr->gone_ticks = 0;
	fast_forget(t, tr->pid, slot);
	tr->pid = 0;
	t->changes++;
	slot_reset(t, slot);
	keys_forget(&t->keys, slot);
	slot_give_back(t, slot);
}

/* A slot whose process exited before the kernel met its entry: nothing else will free it. */
static void slot_drop_stale(struct tracker *t, uint32_t slot)
{
	struct tracked *tr = &t->slots[slot];
	uint32_t pid = tr->pid;
	entry_delete(t, slot, pid, tr->pidfd);
	tracker_release(t, slot, &t->msg);
	msg_untracked(&t->msg, monotonic_ns(), pid, UNTRACK_EXITED);
	out_line(&t->msg);
}

/*
 * Slots `track` added whose entry the kernel has not checked yet (PROC_VERIFY); once it has, the
 * entry is a live process's, which its exit hook deletes and reports. One whose process exited
 * between tracker_add's checks and its insert (its exit hook ran before the insert, and the pidfd
 * was not readable yet after it) is reported by nothing: its pidfd is readable, and its entry
 * still there (stale), or gone without an event (a zombie's task storage, freed at its reaping).
 * Run at each tick, after the ring buffer was read: an exit event sent before the pidfd turned
 * readable was handled by the next tick.
 */
static void check_pending(struct tracker *t)
{
	for (uint32_t s = 0; s < t->max_procs; s++) {
		struct tracked *tr = &t->slots[s];
		struct proc_state st;
		if (!tr->pid || tr->pidfd < 0)
			continue;
		/* first whether it exited: its exit hook has run then, so an entry left is stale */
		bool exited = pidfd_exited(tr->pidfd);
		bool mine = !entry_lookup(t, tr->pid, tr->pidfd, &st) && st.slot == s;
		if (!exited) {
			if (mine && !(st.flags & PROC_VERIFY)) {
				close(tr->pidfd); /* checked: its exit hook takes it from here */
				tr->pidfd = -1;
			}
			continue;
		}
		if (mine || ++tr->gone_ticks >= 2)
			slot_drop_stale(t, s);
	}
}

/* Does a slot hold an entry for this very process (its pidfd, its start time)? */
static bool slot_holds(struct tracker *t, uint32_t slot, uint32_t pid, int pidfd, uint64_t start)
{
	struct proc_state st;
	return !entry_lookup(t, pid, pidfd, &st) && st.slot == slot && st.start_ticks == start;
}

int tracker_add(struct tracker *t, uint32_t pid, bool descendants, bool await_exec, char *msg,
		size_t msglen)
{
	struct proc_ids ids;
	uint64_t start = 0;
	uint32_t slot;
	int err, pidfd, held;

	/* pin the process first: the checks below are of this process, and the pidfd tells when
	 * it exits, which a later process given its pid cannot fake */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		if (err != -ESRCH && err != -ENOENT) {
			snprintf(msg, msglen, "cannot open a pidfd for pid %u: %s", pid,
				 strerror(-err));
			return err == -EMFILE || err == -ENFILE ? -ENOSPC : -EIO;
		}
		snprintf(msg, msglen, "no process with pid %u: it does not exist or has exited",
			 pid);
		return -ESRCH;
	}
	err = read_status(pid, &ids);
	if (!err)
		err = read_start_ticks(pid, &start);
	/* read while the pidfd says it had not exited: the figures are this process's */
	if (err == -ESRCH || pidfd_exited(pidfd)) {
		snprintf(msg, msglen, "process %u has exited", pid);
		err = -ESRCH;
		goto out;
	}
	if (err) {
		snprintf(msg, msglen, "cannot read /proc/%u/status or stat: %s", pid,
			 strerror(-err));
		goto out;
	}
	if (t->owner != 0 && ids.uid[0] != t->owner) {
		snprintf(
			msg, msglen,
			"pid %u (%s) belongs to uid %u, not to you (uid %u): syscope only traces your own processes",
			pid, ids.name, ids.uid[0], (unsigned)t->owner);
		err = -EPERM;
		goto out;
	}
	if (t->owner != 0 && user_may_ptrace(pid, &ids, t->owner, getgid())) {
		snprintf(
			msg, msglen,
			"pid %u (%s) runs with privileges you lack (setuid, setgid, file capabilities, "
			"or made undumpable): you could not ptrace it, so syscope does not trace it",
			pid, ids.name);
		err = -EPERM;
		goto out;
	}
	held = tracker_find(t, pid);
	if (held >= 0) {
		if (slot_holds(t, (uint32_t)held, pid, pidfd, start)) {
			err = 0; /* already tracked: nothing to do */
			goto out;
		}
		/* a slot of an earlier process with this pid, which exited unseen */
		slot_drop_stale(t, (uint32_t)held);
	}
	bool skip_recheck = tracker_test_hook("checked", pid);
	err = slot_take(t, pid, &slot);
	if (err == -ENOENT) { /* all taken */
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
				 .tracked_ns = monotonic_ns(),
				 .flags = PROC_VERIFY | (descendants ? PROC_DESCENDANTS : 0) |
					  (await_exec ? PROC_AWAIT_EXEC : 0),
				 .start_ticks = start };
	/* task storage takes a pidfd as its key from user space */
	caps_bpf_raise();
	if (t->task_storage)
		err = bpf_map_update_elem(t->proc_fd, &pidfd, &st, BPF_ANY);
	else
		err = bpf_map_update_elem(t->proc_hash_fd, &pid, &st, BPF_ANY);
	err = err ? -errno : 0;
	caps_bpf_lower();
	if (err) {
		snprintf(msg, msglen, "cannot add pid %u to the tracked set: %s", pid,
			 strerror(-err));
		hint(t, pid, -1);
		slot_free(t, slot);
		if (err != -ESRCH)
			err = -EIO;
		goto out;
	}
	/*
	 * Exited since the checks? If its exit hook ran before the insert, the entry is stale: take
	 * it back. If the hook took it, it has told of the exit. The exit hook runs before the pidfd
	 * turns readable, so a process between the two is seen by neither this nor the hook: the
	 * kernel's check at the entry's first hook and check_pending deal with that one.
	 */
	if (!skip_recheck && pidfd_exited(pidfd) && !entry_delete(t, slot, pid, pidfd)) {
		snprintf(msg, msglen, "process %u has exited", pid);
		hint(t, pid, -1);
		slot_free(t, slot);
		err = -ESRCH;
		goto out;
	}
	t->slots[slot].pidfd = pidfd; /* until the kernel has checked the entry */
	if (t->task_storage)
		hint_threads(t, pid);
	return 0;
out:
	close(pidfd);
	return err;
}

void tracker_emit_counts(struct tracker *t, uint32_t slot, bool final, struct jbuf *out)
{
	struct tracked *tr = &t->slots[slot];
	struct syscall_counts *c = slot_counts(t, slot);
	bool any = false;
	uint32_t moved[SYSCOPE_MAX_NR], n = 0;

	if (!tr->pid || !tr->prev)
		return;
	msg_counts_begin(out, t->seq, tr->pid, final);
	for (uint32_t nr = 0; nr < SYSCOPE_MAX_NR; nr++) {
		/* one read per counter: the kernel adds to them concurrently */
		uint64_t calls = __atomic_load_n(&c[nr].calls, __ATOMIC_RELAXED);
		uint64_t errs = __atomic_load_n(&c[nr].errors, __ATOMIC_RELAXED);
		uint64_t ns = __atomic_load_n(&c[nr].time_ns, __ATOMIC_RELAXED);
		uint64_t *p = tr->prev + 3 * nr;
		if (calls == p[0] && errs == p[1] && ns == p[2])
			continue;
		msg_counts_entry(out, !any, nr, calls - p[0], errs - p[1], ns - p[2]);
		if (calls != p[0])
			moved[n++] = nr;
		p[0] = calls;
		p[1] = errs;
		p[2] = ns;
		any = true;
	}
	msg_counts_end(out);
	if (any || final)
		out_line(out);
	latency_emit(t, slot, moved, n, final, out);
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

	check_pending(t);
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
			msg_ran_end(out);
			out_line(out);
			in_message = 0;
		}
		if (!in_message)
			msg_ran_begin(out, t->seq);
		msg_ran_pid(out, !in_message, tr->pid);
		in_message++;
	}
	if (in_message) {
		msg_ran_end(out);
		out_line(out);
	}
}

uint64_t tracker_stamp(struct tracker *t)
{
	/* from now on the kernel stamps with the new seq; what it changed since our last read
	 * carries the old one (or the new one) */
	uint64_t since = __atomic_load_n(&t->ld->skel->bss->files_seq, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ld->skel->bss->files_seq, since + 1, __ATOMIC_RELAXED);
	return since;
}

/* Whether the process in slot made a failed call, by the counts last sent (true when unknown). */
static bool slot_failed_a_call(const struct tracker *t, uint32_t slot)
{
	const uint64_t *prev = t->slots[slot].prev;
	if (!prev)
		return true;
	for (uint32_t nr = 0; nr < SYSCOPE_MAX_NR; nr++)
		if (prev[3 * nr + 1])
			return true;
	return false;
}

void tracker_release(struct tracker *t, uint32_t slot, struct jbuf *out)
{
	if (slot >= t->max_procs)
		return;
	if (t->slots[slot].pid) {
		detail_release(t, slot, out);
		tracker_emit_counts(t, slot, true, out);
		/* its errnos, from a walk over the whole table: only where it has entries there,
		 * which a process without a failed call (most short ones) has not */
		if (slot_failed_a_call(t, slot))
			latency_emit_errnos(t, 0, slot, out);
		threads_release(t, t->slots[slot].pid, out);
		hint(t, t->slots[slot].pid, -1);
	}
	slot_free(t, slot);
}

int tracker_remove(struct tracker *t, uint32_t pid, struct jbuf *out)
{
	int slot = tracker_find(t, pid);
	if (slot < 0)
		return -ESRCH;
	/* stop the kernel side first, so no late syscall exit adds to a freed slot */
	fast_forget(t, pid, (uint32_t)slot);
	if (t->task_storage) {
		/* the pidfd kept from `track` is this process's for sure; a new one, by its pid, is
		 * too while the kernel has not told of its exit */
		int pidfd = t->slots[slot].pidfd >= 0 ? dup(t->slots[slot].pidfd)
						      : (int)syscall(SYS_pidfd_open, pid, 0);
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
