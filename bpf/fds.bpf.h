/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task's fd: its struct file, read from the task's own fd table as the kernel left it, and what
 * kind of file that is. Shared by files.bpf.c and net.bpf.c. BPF code only.
 */
#ifndef SYSCOPE_FDS_BPF_H
#define SYSCOPE_FDS_BPF_H

#include "common.bpf.h"

/*
 * Kernel objects, read one of two ways, chosen by `direct`, a constant in each program (the
 * other way's code is dropped). Direct: the BTF programs of the files and network monitor, on
 * kernels with bpf_rdonly_cast (6.2+; the loader checks): the kfunc makes an address a typed
 * pointer that the verifier lets the program load from, each field one instruction (a fault
 * reads 0; the verifier turns the kfunc itself into a move). Otherwise through
 * bpf_probe_read_kernel, a helper call for each field: on the machine this was measured on, the
 * dozen of them behind a pipe read were most of what --detail added to it. Kernels before 5.16
 * refuse a program with the kfunc's call in it even where it cannot be reached, so it is only
 * in the programs that take this way, which are loaded where it exists.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define kobj(p) ((typeof(p))bpf_rdonly_cast((p), bpf_core_type_id_kernel(typeof(*(p)))))
#define KREAD(direct, p, field) ((direct) ? kobj(p)->field : BPF_CORE_READ(p, field))
/* The address a typed pointer holds, as a number: the verifier keeps a pointer whole (no
 * truncation, no masking), but the difference of two is a number to it. Direct reads only. */
#define kaddr(p) ((unsigned long)(p) - (unsigned long)kobj((typeof(p))0))

/*
 * Verified once: the parts of the monitor that a call meets rarely (a file or socket met for the
 * first time, a call on a name, the traffic of a socket) are global BPF functions, which the
 * verifier checks once, on their own, where an inlined copy is checked again for each path of the
 * exit that reaches it: the timed exit with --detail went from 344,000 instructions processed
 * and 0.76-1.0 s of load to 117,000 and 0.2 s (docs/detail.md). They take numbers only (a global
 * function's pointer argument is checked as memory of its type's size, not as a kernel object):
 * a kernel object's address as a number, the task fetched again (the caller's own). One of each
 * way of reading the kernel, `_direct` and `_probe`, with `direct` a constant inside, so that a
 * program holds only the one it calls (a kernel before 6.8 checks every global function a program
 * holds, called or not). A read or write of a file met before takes no call.
 */

/* what an fd's inode is (i_mode's type bits, and anon_inodefs for eventfd, epoll, timerfd...) */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define ANON_INODE_FS_MAGIC 0x09041934

static __always_inline __u32 kind_of(bool direct, struct file *f)
{
	struct inode *ino = KREAD(direct, f, f_inode);
	__u32 mode = KREAD(direct, ino, i_mode) & S_IFMT;
	struct super_block *sb = KREAD(direct, ino, i_sb);
	if (KREAD(direct, sb, s_magic) == ANON_INODE_FS_MAGIC)
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
static __always_inline struct file *fd_file(bool direct, struct task_struct *task, __s64 fd)
{
	if (fd < 0)
		return NULL;
	struct files_struct *files = KREAD(direct, task, files);
	struct fdtable *fdt = KREAD(direct, files, fdt);
	if (!fdt || (__u64)fd >= KREAD(direct, fdt, max_fds))
		return NULL;
	struct file **fds = KREAD(direct, fdt, fd);
	if (direct) {
		/* a pointer to a pointer has no type the verifier follows, an array inside a struct
		 * has: the slot is read as the first entry of files_struct's own fd array (its
		 * first table, of the same type), through a files_struct placed so that its array
		 * starts at the slot */
		struct files_struct *view =
			(void *)&fds[fd] - bpf_core_field_offset(struct files_struct, fd_array);
		/* as an address, as the probe read gives it: a typed pointer carried through all the
		 * monitor's paths nearly doubled the states the verifier walks */
		return (struct file *)kaddr(kobj(view)->fd_array[0]);
	}
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * A file's identity under its present name (struct file_id): dentry d, inode ino, and for a file
 * used through an fd, f. A regular file or directory is its inode under its name; the others
 * have no name of their own to tell them apart, and eventfd, timerfd, epoll, signalfd... share
 * the kernel's one anonymous inode (their dentries' "[eventfd]" is not even hashed): their file
 * operations, one table per kind, tell those apart (a pipe's or socket's are the same for all).
 */
static __always_inline void file_id_of(bool direct, struct dentry *d, struct inode *ino,
				       struct file *f, struct file_id *id)
{
	__u32 mode = KREAD(direct, ino, i_mode) & S_IFMT;
	bool named = mode == S_IFREG || mode == S_IFDIR;
	struct super_block *sb = KREAD(direct, ino, i_sb);
	id->dev = KREAD(direct, sb, s_dev);
	id->ino = KREAD(direct, ino, i_ino);
	id->gen = named ? KREAD(direct, ino, i_generation) : 0;
	id->name = named    ? KREAD(direct, d, d_name.hash)
		   : !f	    ? 0
		   : direct ? (__u32)kaddr(kobj(f)->f_op)
			    : (__u32)(unsigned long)BPF_CORE_READ(f, f_op);
}

/* the key of a process's use of a file: its slot and the file's identity */
static __always_inline void file_key_of(bool direct, __u32 slot, struct file *f, struct file_key *k)
{
	struct file_id id;
	file_id_of(direct, KREAD(direct, f, f_path.dentry), KREAD(direct, f, f_inode), f, &id);
	k->slot = slot;
	k->gen = id.gen;
	k->dev = id.dev;
	k->ino = id.ino;
	k->name = id.name;
	k->_pad = 0;
}

/*
 * A new file or name at (dev, ino) is given the next number there, from 0: the app's name for it
 * is "DEV:INO" for 0, "DEV:INO:N" after (helper/messages.c). So the first met at a number, as a
 * file open when a process is attached to, is DEV:INO, as the app names it from /proc.
 */
static __always_inline __u32 file_variant(__u64 dev, __u64 ino)
{
	struct file_id at = { .dev = dev, .ino = ino };
	/* the first at its number (nearly every file a tar meets): 0, in one insert */
	__u64 next = 1;
	if (!bpf_map_update_elem(&file_variants, &at, &next, BPF_NOEXIST))
		return 0;
	__u64 *n = bpf_map_lookup_elem(&file_variants, &at);
	return n ? (__u32)__sync_fetch_and_add(n, 1) : 0;
}

/* Whether this is the file's last reference, so that closing the fd releases it. The count
 * became a file_ref_t (one less than the references) in 6.13; atomic_long_t f_count before. */
struct file___before_6_13 {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

static __always_inline bool last_reference(bool direct, struct file *f)
{
	if (bpf_core_field_exists(f->f_ref))
		return KREAD(direct, f, f_ref.refcnt.counter) == 0;
	return BPF_CORE_READ((struct file___before_6_13 *)f, f_count.counter) == 1;
}

#endif
