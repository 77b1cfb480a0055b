// SPDX-License-Identifier: GPL-2.0
/*
 * Files: which files (and pipes, sockets, devices) each tracked process used and how much. At the
 * exit of the syscalls that open, read or write an fd, the fd's struct file is looked up in the
 * caller's own fd table, as the kernel resolved it: relative paths, dirfds, cwd changes, "..",
 * symlinks are all behind us. Aggregated per (slot, file under its name: struct file_id) in
 * file_stats; the path of each is resolved once, by walking the dentries up to the root across
 * mounts, into file_names. Calls that name a file without returning one (an open that failed,
 * stat, unlink, rename, mkdir) are kept by the name the process gave (and the directory it was
 * relative to), in name_ops. Built as part of syscope.bpf.c; syscalls.bpf.c calls
 * detail_enter/detail_exit for the syscalls detail_class marks.
 */
#include "tracked.bpf.h"
#include "fds.bpf.h"
#include "keys.bpf.h"
#include "net.bpf.c"

/* ---- paths: the dentries up to the root, across mounts ---- */

struct path_walk {
	struct dentry *d;
	struct mount *mnt;
	/* the process's root (chroot, container): paths are relative to it, as its /proc/PID/fd */
	struct dentry *root_d;
	struct mount *root_mnt;
	struct file_name *out;
	__u32 off;
	bool whole;
};

/* One step up: a name into out (NUL-terminated, leaf first), or over a mount to its parent.
 * Pointers kept on the stack lose their BTF type in a callback: read as addresses (KREAD casts
 * them back where direct). */
static __always_inline long walk_step(bool direct, struct path_walk *w)
{
	struct dentry *d = w->d;
	struct mount *m = w->mnt;
	if (d == w->root_d && m == w->root_mnt) {
		w->whole = true;
		return 1;
	}
	struct dentry *root = KREAD(direct, m, mnt.mnt_root);
	if (d == root) {
		struct mount *parent = KREAD(direct, m, mnt_parent);
		if (parent == m) {
			w->whole = true;
			return 1;
		}
		w->d = KREAD(direct, m, mnt_mountpoint);
		w->mnt = parent;
		return 0;
	}
	struct dentry *up = KREAD(direct, d, d_parent);
	__u32 off = w->off;
	if (up == d) {
		/* a pseudo file's one dentry (pipefs, sockfs, anon_inodefs): its name is all it
		 * has ("[eventfd]"; empty for a pipe or socket) */
		if (!off) {
			long n = bpf_probe_read_kernel_str(w->out->name, FILE_PART_MAX,
							   KREAD(direct, d, d_name.name));
			if (n > 0)
				w->off = n;
		}
		w->whole = true;
		return 1;
	}
	if (off > FILE_NAME_MAX - FILE_PART_MAX)
		return 1;
	long n = bpf_probe_read_kernel_str(&w->out->name[off & (FILE_NAME_MAX - 1)], FILE_PART_MAX,
					   KREAD(direct, d, d_name.name));
	if (n <= 0)
		return 1;
	w->off = off + n;
	w->d = up;
	return 0;
}

/* the step each way: callbacks are functions of their own, so the constant is in their names */
static long walk_step_probe(__u32 i, struct path_walk *w)
{
	return walk_step(false, w);
}

static long walk_step_direct(__u32 i, struct path_walk *w)
{
	return walk_step(true, w);
}

/* where a walk stops: the task's root */
static __always_inline void walk_root(bool direct, struct task_struct *task, struct path_walk *w)
{
	struct fs_struct *fs = KREAD(direct, task, fs);
	struct vfsmount *rm = KREAD(direct, fs, root.mnt);
	w->root_d = KREAD(direct, fs, root.dentry);
	w->root_mnt = container_of(rm, struct mount, mnt);
}

/* The path of dentry d on mount vm into out, up to the task's root: components leaf first, each
 * NUL-terminated (the helper reverses them); truncated when deeper than FILE_DEPTH or longer than
 * FILE_NAME_MAX. A pipe, socket or anonymous inode has its one pseudo-name ("pipe:",
 * "[eventfd]"): the helper says what it is. */
static __always_inline void path_at(bool direct, struct task_struct *task, struct dentry *d,
				    struct vfsmount *vm, struct file_name *out)
{
	struct path_walk w = { .out = out, .d = d };
	walk_root(direct, task, &w);
	w.mnt = container_of(vm, struct mount, mnt);
	bpf_loop(FILE_DEPTH, direct ? walk_step_direct : walk_step_probe, &w, 0);
	out->h.len = w.off;
	out->h.whole = w.whole;
}

/* the name of file id, from whichever table its length put it in; NULL: not named yet */
static __always_inline struct file_name_head *name_of(const struct file_id *id)
{
	struct file_name_short *s = bpf_map_lookup_elem(&file_names_short, id);
	if (s)
		return &s->h;
	struct file_name *l = bpf_map_lookup_elem(&file_names, id);
	return l ? &l->h : NULL;
}

/*
 * The variant (file_variant) of file id, the path of dentry d on mount vm, named in file_names
 * first if no process has named it yet. False: it could not be (no scratch space). count_full: a
 * full file_names is counted in DROP_FILES.
 */
static __always_inline bool file_named(bool direct, struct task_struct *task, struct dentry *d,
				       struct vfsmount *vm, const struct file_id *id,
				       bool count_full, __u32 *variant)
{
	struct file_name_head *named = name_of(id);
	if (named) {
		*variant = named->variant;
		return true;
	}
	__u32 z = 0;
	struct file_name *name = bpf_map_lookup_elem(&name_scratch, &z);
	if (!name)
		return false;
	path_at(direct, task, d, vm, name);
	stamp(&name->h.seq, CHANGED_NAMES);
	name->h.variant = file_variant(id->dev, id->ino);
	/* the short table takes the walk's first bytes */
	bool fits = name->h.len <= FILE_NAME_SHORT;
	long err = fits ? bpf_map_update_elem(&file_names_short, id, name, BPF_NOEXIST)
			: bpf_map_update_elem(&file_names, id, name, BPF_NOEXIST);
	if (!err)
		note_key(fits ? KEY_NAMES_SHORT : KEY_NAMES, NO_SLOT, id, sizeof(*id));
	else if (err == -7 /* E2BIG: full */ && count_full)
		drop(DROP_FILES);
	/* in the short table, the one name_of reads first: the file's name (the common case, not
	 * looked up again) */
	if (fits && !err) {
		*variant = name->h.variant;
		return true;
	}
	/* another CPU's, where it named the file first; where it walked to a path of the other
	 * length (another mount or root), this one's entry goes again: one name per file */
	named = name_of(id);
	if (named && named->variant != name->h.variant && !err) {
		if (fits)
			bpf_map_delete_elem(&file_names_short, id);
		else
			bpf_map_delete_elem(&file_names, id);
	}
	*variant = named ? named->variant : name->h.variant;
	return true;
}

/* ---- aggregation ---- */

/* A file's first use by a process: its entry, and its name once per file and name (the first
 * process to meet it resolves it). 0 once the entry is there. */
static __always_inline int stats_new(bool direct, __u32 slot, struct file *f)
{
	/* the file's identity, then its key: one after the other on the stack, not side by side
	 * (the exit with --detail holds this function's stack and its callers' within 512 bytes;
	 * the task too is asked for where it is used, not held across the reads) */
	struct file_id id;
	struct dentry *d = KREAD(direct, f, f_path.dentry);
	file_id_of(direct, d, KREAD(direct, f, f_inode), f, &id);
	__u32 variant = 0;
	struct task_struct *task =
		direct ? bpf_get_current_task_btf() : (struct task_struct *)bpf_get_current_task();
	file_named(direct, task, d, KREAD(direct, f, f_path.mnt), &id, true, &variant);
	struct file_key k = {
		.slot = slot, .gen = id.gen, .dev = id.dev, .ino = id.ino, .name = id.name
	};
	struct file_stats zero = { .kind = kind_of(direct, f), .variant = variant };
	if (!bpf_map_update_elem(&file_stats, &k, &zero, BPF_NOEXIST)) {
		note_key(KEY_USES, slot, &k, sizeof(k));
	} else if (!bpf_map_lookup_elem(&file_stats, &k)) {
		drop(DROP_FILES);
		return 1;
	}
	return 0;
}

/* stats_new, verified once (fds.bpf.h) */
__attribute__((noinline)) int stats_new_direct(__u32 slot, __u64 f)
{
	return stats_new(true, slot, (struct file *)f);
}

__attribute__((noinline)) int stats_new_probe(__u32 slot, __u64 f)
{
	return stats_new(false, slot, (struct file *)f);
}

/* A use's first change in a tick: its key to the helper (KEY_CHANGED), which then reads that
 * entry, not all of its process's (a process holding 50,000 files and writing one cost the
 * helper a quarter of a CPU). Verified once (fds.bpf.h): the key rebuilt from numbers, as the
 * exit with --detail has no stack to spare for an inlined note. */
__attribute__((noinline)) int use_changed(__u32 slot, __u64 dev, __u64 ino, __u64 gen_name)
{
	struct file_key k = { .slot = slot,
			      .gen = (__u32)(gen_name >> 32),
			      .dev = dev,
			      .ino = ino,
			      .name = (__u32)gen_name };
	note_key(KEY_USES | KEY_CHANGED, slot, &k, sizeof(k));
	return 0;
}

/* A process's figures of file f: found in the common case, a file met before, without a call
 * (one once a tick, where it is first changed in the tick: use_changed) */
static __always_inline struct file_stats *stats_of(bool direct, __u32 slot, struct file *f)
{
	if (!f)
		return NULL;
	struct file_key k;
	file_key_of(direct, slot, f, &k);
	struct file_stats *s = bpf_map_lookup_elem(&file_stats, &k);
	if (s && s->seq == files_seq)
		return s;
	if (s) {
		/* looked up again after the call, as after stats_new: nothing held across it */
		use_changed(slot, k.dev, k.ino, (__u64)k.gen << 32 | k.name);
		return bpf_map_lookup_elem(&file_stats, &k);
	}
	if (direct ? stats_new_direct(slot, (__u64)f) : stats_new_probe(slot, (__u64)f))
		return NULL;
	return bpf_map_lookup_elem(&file_stats, &k);
}

/* Where each class keeps what its exit needs of the call's arguments (a: its first five): the
 * fd of a read, the name an open was given, the address a datagram goes to. */
static __always_inline void detail_args(struct thread_state *t, __u8 cls, const __u64 a[5])
{
	t->arg[0] = a[0];
	t->arg[1] = a[1];
	switch (cls) {
	case DETAIL_OPEN_ABS:
		/* open and creat name the file first, relative to the cwd: as openat(AT_FDCWD) */
		t->arg[0] = (__u64)(__s64)AT_FDCWD_;
		t->arg[1] = a[0];
		return;
	case DETAIL_COPY:
		/* copy_file_range and splice: (in, off_in, out, ...) */
		t->arg[1] = a[2];
		return;
	case DETAIL_SENDTO:
	case DETAIL_RECVFROM:
		/* (fd, buf, len, flags, addr, addrlen) */
		t->arg[1] = a[4];
		return;
	case DETAIL_PAIR:
		t->arg[1] = a[0];
		return;
	case DETAIL_SOCKETPAIR:
		t->arg[1] = a[3];
		return;
	case DETAIL_NAME:
		/* (name, ...) relative to the cwd */
		t->arg[0] = (__u64)(__s64)AT_FDCWD_;
		t->arg[1] = a[0];
		return;
	case DETAIL_RENAME_AT:
		/* (olddirfd, old, newdirfd, new[, flags]) */
		t->arg[2] = a[2];
		t->arg[3] = a[3];
		return;
	case DETAIL_RENAME:
		t->arg[0] = (__u64)(__s64)AT_FDCWD_;
		t->arg[1] = a[0];
		t->arg[2] = (__u64)(__s64)AT_FDCWD_;
		t->arg[3] = a[1];
		return;
	default:
		return;
	}
}

/* Entry: what the exit needs that it cannot find again (detail_args), and what a connect or a
 * close changes before the exit sees it. Only for the syscalls detail_class marks, of tracked
 * processes. */
static __always_inline void detail_enter(bool direct, struct task_struct *task, __u32 slot,
					 struct thread_state *t, __u8 cls, const __u64 a[5])
{
	detail_args(t, cls, a);
	if (cls == DETAIL_CONNECT)
		connect_enter(direct, task ? task : (struct task_struct *)bpf_get_current_task(),
			      slot, t);
	else if (cls == DETAIL_CLOSE)
		close_enter(direct, task ? task : (struct task_struct *)bpf_get_current_task(), t);
}

/* A read or write into its file's figures (counter_add: a process's entries are written by its
 * own threads only). */
static __always_inline void add_io(struct file_stats *s, bool write, long ret, __u64 ns, bool sole)
{
	counter_add(write ? &s->writes : &s->reads, 1, sole);
	if (ret > 0)
		counter_add(write ? &s->write_bytes : &s->read_bytes, ret, sole);
	if (ret < 0)
		counter_add(&s->io_errors, 1, sole);
	counter_add(&s->time_ns, ns, sole);
	stamp(&s->seq, CHANGED_USES);
}

/* the counts of name key k, in the table a name of its length goes to (fits: name_ops_short) */
static __always_inline struct name_counts *name_counts_of(bool fits, const struct name_key *k)
{
	return fits ? bpf_map_lookup_elem(&name_ops_short, k) : bpf_map_lookup_elem(&name_ops, k);
}

/* A call on a name, kept by the name as given and the directory it was relative to: an open
 * that failed (it has no file), a stat, an unlink, a rename, a mkdir. */
static __always_inline void name_op_body(bool direct, struct task_struct *task, __u32 slot,
					 __u32 op, __u64 dirfd, const char *user_name, long ret)
{
	/* the key, its base filled in place (not a copy beside it: the exit with --detail holds
	 * this function's stack and its callers' within 512 bytes) */
	struct name_key k = { .slot = slot, .op = op };
	__u32 z = 0;
	/* the entry it would start, filled here: too big for the stack */
	struct name_ops *n = bpf_map_lookup_elem(&name_ops_scratch, &z);
	if (!n)
		return;
	/* an empty name (fstatat's AT_EMPTY_PATH) names the dirfd's file: not a name */
	long len = bpf_probe_read_user_str(n->name, sizeof(n->name), user_name);
	if (len <= 1)
		return;
	/* this call, as a new entry holds it (and read back from here for an entry there already:
	 * ret kept live across the calls below took the exit with --detail past the 512 bytes of
	 * stack its calls may hold together) */
	n->c.count = 1;
	n->c.errors = ret < 0;
	n->c.errno_ = ret < 0 ? -ret : 0;
	/* relative to what: the dirfd's file, or the cwd (AT_FDCWD), as it was at the exit */
	__u32 base_variant = 0;
	if (n->name[0] != '/') {
		struct dentry *d;
		struct vfsmount *vm;
		if ((int)dirfd == AT_FDCWD_) {
			struct fs_struct *fs = KREAD(direct, task, fs);
			d = KREAD(direct, fs, pwd.dentry);
			vm = KREAD(direct, fs, pwd.mnt);
		} else {
			struct file *f = fd_file(direct, task, (int)dirfd);
			if (!f)
				return;
			d = KREAD(direct, f, f_path.dentry);
			vm = KREAD(direct, f, f_path.mnt);
		}
		file_id_of(direct, d, KREAD(direct, d, d_inode), NULL, &k.base);
		if (!file_named(direct, task, d, vm, &k.base, false, &base_variant))
			return;
	}
	/* FNV-1a of the name as given: the key, with the directory it was relative to */
	__u64 h = 0xcbf29ce484222325ULL;
	int i;
	for (i = 0; i < NAME_MAX_; i++) {
		char c = n->name[i];
		if (!c)
			break;
		h = (h ^ (__u8)c) * 0x100000001b3ULL;
	}
	k.hash = h;
	/* the short table takes the name's first bytes (i: its length, as the read's, which the
	 * calls above would have kept on the stack) */
	bool fits = i < NAME_SHORT;
	struct name_counts *e = name_counts_of(fits, &k);
	if (!e) {
		/* a name met for the first time, the common case of a file-heavy workload (tar stats
		 * every name once): inserted with this call in it, not looked up again to add it
		 * (it cost ~0.2 µs a new name here: 100,000 new names, 218 -> 198 ms in the program) */
		n->c.base_variant = base_variant;
		stamp(&n->c.seq, CHANGED_NAME_OPS);
		long err = fits ? bpf_map_update_elem(&name_ops_short, &k, n, BPF_NOEXIST)
				: bpf_map_update_elem(&name_ops, &k, n, BPF_NOEXIST);
		if (!err) {
			note_key(fits ? KEY_NAME_OPS_SHORT : KEY_NAME_OPS, k.slot, &k, sizeof(k));
			return;
		}
		/* another thread's, inserted first; or the table is full */
		e = name_counts_of(fits, &k);
		if (!e) {
			drop(DROP_FILES);
			return;
		}
	}
	/* its first change in this tick: the helper reads it (KEY_CHANGED) */
	if (e->seq != files_seq)
		note_key((fits ? KEY_NAME_OPS_SHORT : KEY_NAME_OPS) | KEY_CHANGED, k.slot, &k,
			 sizeof(k));
	__sync_fetch_and_add(&e->count, 1);
	if (n->c.errors) {
		__sync_fetch_and_add(&e->errors, 1);
		e->errno_ = n->c.errno_;
	}
	stamp(&e->seq, CHANGED_NAME_OPS);
}

/* name_op_body, verified once (fds.bpf.h); the task is the caller's own */
__attribute__((noinline)) int name_op_direct(__u32 slot, __u32 op, __u64 dirfd, __u64 user_name,
					     long ret)
{
	name_op_body(true, bpf_get_current_task_btf(), slot, op, dirfd, (const char *)user_name,
		     ret);
	return 0;
}

__attribute__((noinline)) int name_op_probe(__u32 slot, __u32 op, __u64 dirfd, __u64 user_name,
					    long ret)
{
	name_op_body(false, (struct task_struct *)bpf_get_current_task(), slot, op, dirfd,
		     (const char *)user_name, ret);
	return 0;
}

static __always_inline void name_op(bool direct, __u32 slot, __u32 op, __u64 dirfd, __u64 user_name,
				    long ret)
{
	if (direct)
		name_op_direct(slot, op, dirfd, user_name, ret);
	else
		name_op_probe(slot, op, dirfd, user_name, ret);
}

/* A new fd: one more open of its file, and a socket's entry from its first moment. */
static __always_inline void new_fd_body(bool direct, struct task_struct *task, __u32 slot, long fd,
					__u64 ns)
{
	struct file *f = fd_file(direct, task, fd);
	struct file_stats *s = stats_of(direct, slot, f);
	if (!s)
		return;
	__sync_fetch_and_add(&s->opens, 1);
	__sync_fetch_and_add(&s->time_ns, ns);
	stamp(&s->seq, CHANGED_USES);
	if (s->kind == FILE_SOCKET) {
		struct sock *sk;
		struct file_key k;
		sock_entry(direct, slot, f, &sk, &k);
	}
}

/* new_fd_body, verified once (fds.bpf.h) */
__attribute__((noinline)) int new_fd_direct(__u32 slot, long fd, __u64 ns)
{
	new_fd_body(true, bpf_get_current_task_btf(), slot, fd, ns);
	return 0;
}

__attribute__((noinline)) int new_fd_probe(__u32 slot, long fd, __u64 ns)
{
	new_fd_body(false, (struct task_struct *)bpf_get_current_task(), slot, fd, ns);
	return 0;
}

static __always_inline void new_fd(bool direct, __u32 slot, long fd, __u64 ns)
{
	if (direct)
		new_fd_direct(slot, fd, ns);
	else
		new_fd_probe(slot, fd, ns);
}

/* A read or write of fd on file f; on a socket, also the traffic with its peer. u: the call's
 * sockaddr or msghdr, for the classes that have one (net_io). */
static __always_inline void fd_io(bool direct, __u32 slot, struct file *f, __u8 cls, __u64 u,
				  bool write, long ret, __u64 ns, bool sole)
{
	struct file_stats *s = stats_of(direct, slot, f);
	if (!s)
		return;
	add_io(s, write, ret, ns, sole);
	if (s->kind == FILE_SOCKET)
		net_io(direct, slot, f, cls, u, write, ret, 1);
}

/* what each step of a walk over a sendmmsg's or recvmmsg's messages is given: the same each
 * step (what steps add up goes to mmsg_sums) */
struct mmsg_walk {
	__u64 m; /* the user's struct mmsghdr array */
	struct file *f;
	__u32 slot;
	bool write;
};

static long mmsg_len_step(__u32 i, void *ctx)
{
	const struct mmsg_walk *w = ctx;
	const struct mmsghdr *m = (const struct mmsghdr *)w->m + i;
	__u32 z = 0;
	struct mmsg_sum *sum = bpf_map_lookup_elem(&mmsg_sums, &z);
	unsigned int len;
	void *name;
	if (!sum || bpf_probe_read_user(&len, sizeof(len), &m->msg_len) ||
	    bpf_probe_read_user(&name, sizeof(name), &m->msg_hdr.msg_name))
		return 1;
	sum->bytes += len;
	if (!i)
		sum->first = (__u64)name;
	if ((__u64)name != sum->first || (name && !w->write))
		sum->one = 0;
	return 0;
}

static long mmsg_peer_step(__u32 i, void *ctx)
{
	const struct mmsg_walk *w = ctx;
	const struct mmsghdr *m = (const struct mmsghdr *)w->m + i;
	unsigned int len;
	if (bpf_probe_read_user(&len, sizeof(len), &m->msg_len))
		return 1;
	/* (a callback: the probe reads, in every program) */
	net_io(false, w->slot, w->f, DETAIL_SENDMSG, (__u64)&m->msg_hdr, w->write, len, 1);
	return 0;
}

/*
 * sendmmsg and recvmmsg: ret messages moved, each its bytes in its mmsghdr's msg_len (the user's
 * array at u). One call on the file with all their bytes; on a socket, each message to its peer,
 * all at once where they share one (no address in any, as on a connected socket; for a send, one
 * address buffer named by all, as a resolver's A and AAAA queries do).
 */
static __always_inline void mmsg_io(bool direct, __u32 slot, struct file *f, __u64 u, bool write,
				    long ret, __u64 ns, bool sole)
{
	struct file_stats *s = stats_of(direct, slot, f);
	__u32 z = 0;
	struct mmsg_sum *sum = bpf_map_lookup_elem(&mmsg_sums, &z);
	if (!s || !sum)
		return;
	if (ret <= 0) {
		add_io(s, write, ret, ns, sole);
		return;
	}
	__u32 n = ret < MMSG_MAX ? (__u32)ret : MMSG_MAX;
	struct mmsg_walk w = { .m = u, .f = f, .slot = slot, .write = write };
	sum->bytes = 0;
	sum->first = 0;
	sum->one = 1;
	bpf_loop(n, mmsg_len_step, &w, 0);
	__u64 bytes = sum->bytes;
	add_io(s, write, (long)bytes, ns, sole);
	if (s->kind != FILE_SOCKET)
		return;
	if (sum->one)
		net_io(direct, slot, f, DETAIL_SENDMSG, u, write, (long)bytes, n);
	else
		bpf_loop(n, mmsg_peer_step, &w, 0);
}

/* Exit: the file behind the fd, and what the call did to it. */
static __always_inline void detail_exit(bool direct, struct task_struct *task, __u32 slot, __u8 cls,
					__u8 op, struct thread_state *t, long ret, __u64 ns,
					bool sole)
{
	if (!task)
		task = (struct task_struct *)bpf_get_current_task();
	stamp_slot(slot);
	switch (cls) {
	case DETAIL_OPEN_ABS:
	case DETAIL_OPEN:
		if (ret < 0)
			name_op(direct, slot, NAME_OPEN, t->arg[0], t->arg[1], ret);
		else
			new_fd(direct, slot, ret, ns);
		return;
	case DETAIL_NEW_FD:
		if (ret >= 0)
			new_fd(direct, slot, ret, ns);
		return;
	case DETAIL_PAIR:
	case DETAIL_SOCKETPAIR: {
		int fds[2];
		if (ret || bpf_probe_read_user(fds, sizeof(fds), (const void *)t->arg[1]))
			return;
		new_fd(direct, slot, fds[0], ns);
		new_fd(direct, slot, fds[1], 0);
		return;
	}
	case DETAIL_READ:
	case DETAIL_WRITE:
		fd_io(direct, slot, fd_file(direct, task, (int)t->arg[0]), cls, 0,
		      cls == DETAIL_WRITE, ret, ns, sole);
		return;
	case DETAIL_SENDTO:
	case DETAIL_SENDMSG:
	case DETAIL_RECVFROM:
	case DETAIL_RECVMSG:
		fd_io(direct, slot, fd_file(direct, task, (int)t->arg[0]), cls, t->arg[1],
		      cls == DETAIL_SENDTO || cls == DETAIL_SENDMSG, ret, ns, sole);
		return;
	case DETAIL_SENDMMSG:
	case DETAIL_RECVMMSG:
		mmsg_io(direct, slot, fd_file(direct, task, (int)t->arg[0]), t->arg[1],
			cls == DETAIL_SENDMMSG, ret, ns, sole);
		return;
	case DETAIL_SENDFILE:
	case DETAIL_COPY: {
		/* the bytes moved were read from one fd and written to the other */
		__u64 from = cls == DETAIL_COPY ? t->arg[0] : t->arg[1];
		__u64 to = cls == DETAIL_COPY ? t->arg[1] : t->arg[0];
		fd_io(direct, slot, fd_file(direct, task, (int)from), cls, 0, false, ret, ns, sole);
		fd_io(direct, slot, fd_file(direct, task, (int)to), cls, 0, true, ret, 0, sole);
		return;
	}
	case DETAIL_CONNECT:
		connect_exit(direct, task, slot, t, ret);
		return;
	case DETAIL_ACCEPT:
		accept_exit(direct, task, slot, t, ret);
		if (ret >= 0)
			new_fd(direct, slot, ret, ns);
		return;
	case DETAIL_LISTEN:
	case DETAIL_BIND:
		bound_exit(direct, task, slot, t, cls == DETAIL_LISTEN, ret);
		return;
	case DETAIL_CLOSE:
		close_exit(slot, t, ret);
		return;
	case DETAIL_NAME_AT:
	case DETAIL_NAME:
		name_op(direct, slot, op, t->arg[0], t->arg[1], ret);
		return;
	case DETAIL_RENAME_AT:
	case DETAIL_RENAME:
		name_op(direct, slot, NAME_RENAME_FROM, t->arg[0], t->arg[1], ret);
		name_op(direct, slot, NAME_RENAME_TO, t->arg[2], t->arg[3], ret);
		return;
	default:
		return;
	}
}
