// SPDX-License-Identifier: GPL-2.0
/*
 * Files: which files (and pipes, sockets, devices) each tracked process used and how much. At the
 * exit of the syscalls that open, read or write an fd, the fd's struct file is looked up in the
 * caller's own fd table, as the kernel resolved it: relative paths, dirfds, cwd changes, "..",
 * symlinks are all behind us. Aggregated per (slot, device, inode) in file_stats; the path of
 * each (device, inode) is resolved once, by walking the dentries up to the root across mounts,
 * into file_names. Opens that fail have no file: they are kept by the name the process gave
 * (and the directory it was relative to), in failed_opens. Built as part of syscope.bpf.c;
 * syscalls.bpf.c calls detail_enter/detail_exit for the syscalls detail_class marks.
 */
#include "tracked.bpf.h"

/* what an fd's inode is (i_mode's type bits, and anon_inodefs for eventfd, epoll, timerfd...) */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define ANON_INODE_FS_MAGIC 0x09041934

static __always_inline __u32 kind_of(struct inode *ino)
{
	__u32 mode = BPF_CORE_READ(ino, i_mode) & S_IFMT;
	if (BPF_CORE_READ(ino, i_sb, s_magic) == ANON_INODE_FS_MAGIC)
		return FILE_ANON;
	switch (mode) {
	case S_IFREG:
		return FILE_REG;
	case S_IFDIR:
		return FILE_DIR;
	case S_IFIFO:
		return FILE_PIPE;
	case S_IFSOCK:
		return FILE_SOCKET;
	case S_IFCHR:
	case S_IFBLK:
		return FILE_DEVICE;
	default:
		return FILE_OTHER;
	}
}

/* the task's open file at fd, or NULL: its own fd table, read as the kernel left it at exit */
static __always_inline struct file *fd_file(struct task_struct *task, __s64 fd)
{
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || (__u64)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

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
 * Pointers kept on the stack lose their BTF type in a callback: read through CO-RE. */
static long walk_step(__u32 i, struct path_walk *w)
{
	struct dentry *d = w->d;
	struct mount *m = w->mnt;
	if (d == w->root_d && m == w->root_mnt) {
		w->whole = true;
		return 1;
	}
	struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root);
	if (d == root) {
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);
		if (parent == m) {
			w->whole = true;
			return 1;
		}
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = parent;
		return 0;
	}
	struct dentry *up = BPF_CORE_READ(d, d_parent);
	__u32 off = w->off;
	if (up == d) {
		/* a pseudo file's one dentry (pipefs, sockfs, anon_inodefs): its name is all it
		 * has ("[eventfd]"; empty for a pipe or socket) */
		if (!off) {
			long n = bpf_probe_read_kernel_str(w->out->name, FILE_PART_MAX,
							   BPF_CORE_READ(d, d_name.name));
			if (n > 0)
				w->off = n;
		}
		w->whole = true;
		return 1;
	}
	if (off > FILE_NAME_MAX - FILE_PART_MAX)
		return 1;
	long n = bpf_probe_read_kernel_str(&w->out->name[off & (FILE_NAME_MAX - 1)], FILE_PART_MAX,
					   BPF_CORE_READ(d, d_name.name));
	if (n <= 0)
		return 1;
	w->off = off + n;
	w->d = up;
	return 0;
}

/* The path of f into out: components leaf first, each NUL-terminated (the helper reverses
 * them); truncated when deeper than FILE_DEPTH or longer than FILE_NAME_MAX. A pipe, socket or
 * anonymous inode has its one pseudo-name ("pipe:", "[eventfd]"): the helper says what it is. */
static __always_inline void walk_root(struct task_struct *task, struct path_walk *w)
{
	struct vfsmount *rm = BPF_CORE_READ(task, fs, root.mnt);
	w->root_d = BPF_CORE_READ(task, fs, root.dentry);
	w->root_mnt = container_of(rm, struct mount, mnt);
}

static __always_inline void path_of(struct task_struct *task, struct file *f, struct file_name *out)
{
	struct path_walk w = { .out = out };
	walk_root(task, &w);
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	w.d = BPF_CORE_READ(f, f_path.dentry);
	w.mnt = container_of(vm, struct mount, mnt);
	bpf_loop(FILE_DEPTH, walk_step, &w, 0);
	out->len = w.off;
	out->whole = w.whole;
}

/* ---- aggregation ---- */

static __always_inline struct file_stats *stats_of(struct task_struct *task, __u32 slot,
						   struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct file_key k = {
		.slot = slot,
		.ino = BPF_CORE_READ(ino, i_ino),
		.dev = BPF_CORE_READ(ino, i_sb, s_dev),
	};
	struct file_stats *s = bpf_map_lookup_elem(&file_stats, &k);
	if (s)
		return s;
	struct file_stats zero = { .kind = kind_of(ino) };
	if (bpf_map_update_elem(&file_stats, &k, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&file_stats, &k)) {
		drop(DROP_FILES);
		return NULL;
	}
	/* its name, once per (device, inode): the first process to meet it resolves it */
	struct file_id id = { .ino = k.ino, .dev = k.dev };
	if (!bpf_map_lookup_elem(&file_names, &id)) {
		__u32 z = 0;
		struct file_name *name = bpf_map_lookup_elem(&name_scratch, &z);
		if (name) {
			path_of(task, f, name);
			name->seq = files_seq;
			if (bpf_map_update_elem(&file_names, &id, name, BPF_NOEXIST) ==
			    -7 /* E2BIG: full */)
				drop(DROP_FILES);
		}
	}
	return bpf_map_lookup_elem(&file_stats, &k);
}

/* Entry: what the exit needs that it cannot find again (the fd of a read, the name an open was
 * given). Only for the syscalls detail_class marks, of tracked processes. */
static __always_inline void detail_enter(struct thread_state *t, __u8 cls, __u64 a0, __u64 a1,
					 __u64 a2)
{
	/* open and creat name the file first, relative to the cwd: as openat(AT_FDCWD, name) */
	if (cls == DETAIL_OPEN_ABS) {
		t->arg[0] = (__u64)(__s64)AT_FDCWD_;
		t->arg[1] = a0;
		return;
	}
	t->arg[0] = a0;
	/* copy_file_range and splice: (in, off_in, out, ...) */
	t->arg[1] = cls == DETAIL_COPY ? a2 : a1;
}

static __always_inline void add_io(struct file_stats *s, bool write, long ret, __u64 ns)
{
	if (write) {
		__sync_fetch_and_add(&s->writes, 1);
		if (ret > 0)
			__sync_fetch_and_add(&s->write_bytes, ret);
	} else {
		__sync_fetch_and_add(&s->reads, 1);
		if (ret > 0)
			__sync_fetch_and_add(&s->read_bytes, ret);
	}
	if (ret < 0)
		__sync_fetch_and_add(&s->io_errors, 1);
	__sync_fetch_and_add(&s->time_ns, ns);
	s->seq = files_seq;
}

static __always_inline void failed_open(struct task_struct *task, __u32 slot, __u64 dirfd,
					const char *user_name, long ret)
{
	__u32 z = 0;
	/* the entry it would start, filled here: too big for the stack */
	struct failed_open *n = bpf_map_lookup_elem(&failed_scratch, &z);
	if (!n)
		return;
	if (bpf_probe_read_user_str(n->name, sizeof(n->name), user_name) <= 0)
		return;
	/* relative to what: the dirfd's file, or the cwd (AT_FDCWD), as it was at the exit */
	struct file_id base = {};
	if (n->name[0] != '/') {
		struct dentry *d;
		struct vfsmount *vm;
		if ((int)dirfd == AT_FDCWD_) {
			d = BPF_CORE_READ(task, fs, pwd.dentry);
			vm = BPF_CORE_READ(task, fs, pwd.mnt);
		} else {
			struct file *f = fd_file(task, (int)dirfd);
			if (!f)
				return;
			d = BPF_CORE_READ(f, f_path.dentry);
			vm = BPF_CORE_READ(f, f_path.mnt);
		}
		struct inode *ino = BPF_CORE_READ(d, d_inode);
		base.ino = BPF_CORE_READ(ino, i_ino);
		base.dev = BPF_CORE_READ(ino, i_sb, s_dev);
		if (!bpf_map_lookup_elem(&file_names, &base)) {
			struct file_name *name = bpf_map_lookup_elem(&name_scratch, &z);
			if (!name)
				return;
			struct path_walk w = { .out = name, .d = d };
			walk_root(task, &w);
			w.mnt = container_of(vm, struct mount, mnt);
			bpf_loop(FILE_DEPTH, walk_step, &w, 0);
			name->len = w.off;
			name->whole = w.whole;
			name->seq = files_seq;
			bpf_map_update_elem(&file_names, &base, name, BPF_NOEXIST);
		}
	}
	struct failed_key k = { .slot = slot, .base = base, .hash = 0 };
	/* FNV-1a of the name as given: the key, with the directory it was relative to */
	__u64 h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < FAILED_NAME_MAX; i++) {
		char c = n->name[i];
		if (!c)
			break;
		h = (h ^ (__u8)c) * 0x100000001b3ULL;
	}
	k.hash = h;
	struct failed_open *fo = bpf_map_lookup_elem(&failed_opens, &k);
	if (!fo) {
		n->count = 0;
		n->errno_ = -ret;
		n->seq = files_seq;
		if (bpf_map_update_elem(&failed_opens, &k, n, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&failed_opens, &k)) {
			drop(DROP_FILES);
			return;
		}
		fo = bpf_map_lookup_elem(&failed_opens, &k);
		if (!fo)
			return;
	}
	__sync_fetch_and_add(&fo->count, 1);
	fo->errno_ = -ret;
	fo->seq = files_seq;
}

/* Exit: the file behind the fd, and what the call did to it. */
static __always_inline void detail_exit(struct task_struct *task, __u32 slot, __u8 cls,
					struct thread_state *t, long ret, __u64 ns)
{
	if (!task)
		task = (struct task_struct *)bpf_get_current_task();
	struct file_stats *s;
	switch (cls) {
	case DETAIL_OPEN_ABS:
	case DETAIL_OPEN:
		if (ret < 0) {
			failed_open(task, slot, t->arg[0], (const char *)t->arg[1], ret);
			return;
		}
		s = stats_of(task, slot, fd_file(task, ret));
		if (s) {
			__sync_fetch_and_add(&s->opens, 1);
			__sync_fetch_and_add(&s->time_ns, ns);
			s->seq = files_seq;
		}
		return;
	case DETAIL_READ:
	case DETAIL_WRITE: {
		struct file *f = fd_file(task, (int)t->arg[0]);
		if (!f)
			return;
		s = stats_of(task, slot, f);
		if (s)
			add_io(s, cls == DETAIL_WRITE, ret, ns);
		return;
	}
	case DETAIL_SENDFILE:
	case DETAIL_COPY: {
		/* the bytes moved were read from one fd and written to the other */
		__u64 from = cls == DETAIL_COPY ? t->arg[0] : t->arg[1];
		__u64 to = cls == DETAIL_COPY ? t->arg[1] : t->arg[0];
		struct file *in = fd_file(task, (int)from), *out = fd_file(task, (int)to);
		if (in && (s = stats_of(task, slot, in)))
			add_io(s, false, ret, ns);
		if (out && (s = stats_of(task, slot, out)))
			add_io(s, true, ret, 0);
		return;
	}
	default:
		return;
	}
}
