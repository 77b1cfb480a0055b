/* SPDX-License-Identifier: MIT */
/* Shared between the BPF programs and the helper: fixed-width types only. */
#ifndef SYSCOPE_H
#define SYSCOPE_H

/* Syscall numbers 0..SYSCOPE_MAX_NR-1 are counted (x86_64 and aarch64 both stay below 512). */
#define SYSCOPE_MAX_NR 512

/* Untracked processes are turned away by one load: a counter per (tgid mod HINT_SIZE) of the
 * tracked processes that map there. Zero ⇒ certainly untracked; otherwise the exact check. */
#define HINT_SIZE 65536

/* tp_btf: a thread is let past the syscall hooks' first test only if the counter of its stack's
 * bucket (stack_hint, bpf/tracked.bpf.h) is not zero: a counter per bucket of the tracked
 * threads whose kernel stack hashes there. */
#define STACK_HINT_BITS 12
#define STACK_HINTS (1 << STACK_HINT_BITS)
struct stack_hints {
	__u32 n[STACK_HINTS];
};
/*
 * A thread's own way past the lookups (x86; bpf/syscalls.bpf.c), per stack bucket: the one thread
 * that holds it (its stack's number; 0 none, STACK_OWNER_WRITING while it writes), its process's
 * tracked_fast entry (FAST_ENTRY), and for the timed mode its tid, its wall-time record (as
 * thread_state.tt_slot) and the call it is in, if its entry went this way (enter_ns 0: none).
 * One cache line a bucket. Apart from stack_hints, which the helper may write whole: nothing but
 * the kernel side ever writes these.
 */
struct stack_way {
	__u64 owner;
	__u64 entry;
	__u64 enter_ns;
	__s64 nr;
	__u32 tid;
	__u32 tt_slot;
	__u64 _pad[3];
};
/* no thread's stack number is odd: the registers and our globals are 8-byte aligned */
#define STACK_OWNER_WRITING 1

/* A process is given slot (tgid mod PREF_SLOTS) if that one is free (slot_take, bpf/tracked.bpf.h):
 * the counts-only hook can then work out where its counters are from its tgid alone. The first
 * min(PREF_SLOTS, max procs) slots are given out this way, the rest through the free_slots queue. */
#define PREF_SLOTS 1024
#define PREF_SLOT(tgid) ((tgid) & (PREF_SLOTS - 1))

/* A tracked_fast entry (bpf/common.bpf.h): the process's tgid and its slot + 1 (0: none). */
#define FAST_ENTRY(tgid, slot) ((__u64)(tgid) << 32 | ((__u64)(slot) + 1))

/* proc_state.flags */
#define PROC_DESCENDANTS 0x1 /* children forked from now on are tracked too */
#define PROC_AWAIT_EXEC 0x2 /* armed launcher: counting starts at its next exec */
/* added by the helper from user space: the first hook that meets it checks that its task is the
 * process the helper checked (start_ticks) and one the owner may ptrace, or drops it */
#define PROC_VERIFY 0x4

/* One thread's syscall in flight; arg: what its exit needs of its arguments (files.bpf.c). */
struct thread_state {
	__u64 enter_ns;
	__s64 nr;
	__u64 arg[4];
	__u64 arg0; /* classic tracepoint mode: the first argument, for a slow call's target */
	/* its wall time's record (threads.bpf.c): 1 + its index in thread_times, 0 for none yet,
	 * THREAD_NONE when none could be had or it has exited */
	__u32 tt_slot;
	__u32 _tt_pad;
};

/* One tracked process (thread group), stored on its group leader. The leader's own syscall in
 * flight lives here too, so a single-threaded process costs one lookup per hook. */
struct proc_state {
	__u32 slot;
	__u32 flags;
	struct thread_state leader;
	/* the process's start time in clock ticks, as /proc/<pid>/stat field 22 shows it: with
	 * the tgid, which processes reuse, the identity of the process */
	__u64 start_ticks;
	/* when its tracking began, kernel monotonic ns: a thread started after it is accounted from
	 * its start, whatever event of it is seen first (threads.bpf.c) */
	__u64 tracked_ns;
};

/* A tracked process's context switches (its threads'), by slot: while `ins` and `outs` are equal
 * and have not moved since the helper's last look, no thread of it has been on a CPU since. */
struct run_counts {
	__u64 ins;
	__u64 outs;
};

/*
 * Histograms (syscall latency, disk latency and size): log2 buckets, bucket k counting the values
 * v with 2^(k-1) < v <= 2^k (bucket 0: v <= 1), so its upper bound is exactly 2^k, "le" as
 * Prometheus means it. The last bucket counts everything above 2^(HIST_BUCKETS-2) too (2^46 ns
 * is 19.5 hours). hist_bucket() in common.bpf.h; src/shared/histogram.ts reads them.
 */
#define HIST_BUCKETS 48

struct syscall_counts {
	__u64 calls;
	__u64 errors;
	__u64 time_ns;
	/* timed mode: 1 + the index of this (slot, nr)'s row in lat_rows, 0 for none yet (64 bits:
	 * BPF's compare-and-swap before v3 instructions is 64-bit only) */
	__u64 lat_row;
};

/* One (slot, nr)'s call durations in the timed mode (latency.bpf.c): a log2 histogram (ns) and
 * the exact shortest and longest; min_ns 0 while none. A row of lat_rows, given out on first use. */
struct lat_row {
	__u64 min_ns;
	__u64 max_ns;
	__u64 bucket[HIST_BUCKETS];
};

/* (slot, nr, errno) → failed calls, cumulative; seq: files_seq when it last changed */
struct errno_key {
	__u32 slot;
	__u16 nr;
	__u16 errno_;
};

struct errno_count {
	__u64 count;
	__u64 seq;
};

/* The slowest calls (timed mode): each CPU keeps the slow_n slowest calls that returned on it, so
 * the session's slowest slow_n are among what all CPUs keep. */
#define SLOW_MAX 1000

/* a slow call's file's own name, cut to fit (NUL-terminated) */
#define SLOW_LEAF_MAX 64

struct slow_call {
	__u64 dur_ns;
	__u64 end_ns; /* when it returned, kernel monotonic clock */
	__u32 tgid;
	__u32 tid;
	__s32 nr;
	__u32 variant; /* of its file (dev, ino), as file_stats.variant */
	__s64 ret;
	/* its first argument: an fd, a futex's address, a pid...; for poll and select (fds > 0)
	 * the fd named as what it waited on instead (latency.bpf.c, waited_fd) */
	__u64 arg0;
	/* that fd (arg0_fd[nr]), when it was open at the return: its file, 0 otherwise */
	__u64 dev;
	__u64 ino;
	/* and what it was (enum file_kind + 1; 0: no file) and its own name, so that a call is
	 * named without --detail after its fd is closed: "pipe:[ino]", "…/doc" */
	__u32 kind;
	/* poll and select: how many fds it waited on (select: in the first 64; ready ones when it
	 * returned ready), 0 for other calls or when none could be read */
	__u32 fds;
	char leaf[SLOW_LEAF_MAX];
};

/* where a syscall's fd is, for a slow call's target (the helper fills arg0_fd) */
enum fd_arg {
	FD_ARG_NONE = 0,
	FD_ARG_FIRST = 1, /* its first argument */
	FD_ARG_POLLFDS = 2, /* poll, ppoll: an array of struct pollfd and its length */
	FD_ARG_FDSETS = 3, /* select, pselect6: nfds, then the read and the write set */
	FD_ARG_CLOSED =
		4, /* close with --detail: the file its entry kept (net.bpf.c close_enter) */
};

/* one CPU's part of slow_calls: seq is odd while this CPU writes it (the helper reads again);
 * once `used` reaches slow_n, a call must take longer than min_ns (entry min_idx) to get in */
struct slow_cpu {
	__u64 seq;
	__u64 min_ns;
	__u32 used;
	__u32 min_idx;
};

enum syscope_event_type {
	EV_FORK = 1,
	EV_EXEC = 2,
	EV_EXIT = 3,
	EV_UNTRACKED = 4,
	/* the last thread's switch off a CPU after its exit: the process's CPU time now final
	 * (cpu[]); the helper holds EV_EXIT back a tick for it */
	EV_EXIT_CPU = 5,
};

/* why a process left the tracked set without exiting */
enum syscope_untrack {
	UNTRACK_EXEC_CREDS = 1, /* it exec'd a program that gave it credentials the owner lacks */
	UNTRACK_NOT_SAME = 2, /* its pid belongs to another process now than the one checked */
	UNTRACK_PTRACE = 3, /* its credentials changed: the owner may no longer ptrace it */
	UNTRACK_EXITED = 4, /* it exited before its tracking took effect (user space only) */
};

#define EV_COMM_LEN 16
#define EV_FILENAME_LEN 256

struct syscope_event {
	__u32 type;
	__u32 pid; /* tgid */
	__u32 ppid; /* fork: parent tgid; exit, exit_cpu: the tid of the last thread */
	__u32 slot;
	__s32 exit_code; /* exit: wait status (code << 8 | signal) */
	__u32 reason; /* untracked: enum syscope_untrack */
	__u64 t_ns;
	/* exit: the process's final /proc/<pid>/io figures (rchar, wchar, read_bytes, write_bytes),
	 * which the kernel adds to its reaper's when it is reaped; io_valid: EV_IO_* */
	__u64 io[4];
	__u32 io_valid;
	__u32 _pad;
	/* exit: the process's own CPU time, ns: user, system (tick-sampled, as /proc's before
	 * scaling) and the scheduler's exact run time; its reaped children's is not in it */
	__u64 cpu[3];
	/* exit: what getrusage(2) keeps for the process itself, as wait4 hands it to its parent
	 * (/usr/bin/time -v): max RSS (pages), minor and major faults, voluntary and involuntary
	 * context switches. EV_RU_* index it */
	__u64 rusage[5];
	char comm[EV_COMM_LEN];
	char filename[EV_FILENAME_LEN];
};

enum { EV_RU_MAXRSS_PAGES = 0, EV_RU_MINFLT, EV_RU_MAJFLT, EV_RU_NVCSW, EV_RU_NIVCSW };

#define EV_IO_CHARS 0x1 /* io[0..1]: rchar, wchar (CONFIG_TASK_XACCT) */
#define EV_IO_BYTES 0x2 /* io[2..3]: read_bytes, write_bytes (CONFIG_TASK_IO_ACCOUNTING) */
/* exec: counting starts here (an armed launcher); io, cpu and rusage hold what it used before */
#define EV_BASELINE 0x4

enum syscope_drop {
	DROP_PROCS = 0, /* descendants not tracked: slot table full */
	DROP_EVENTS = 1, /* ring buffer full */
	DROP_NR = 2, /* syscall number out of range */
	DROP_FILES = 3, /* a file, name or failed open not kept: its table was full */
	DROP_NET = 4, /* a socket or a peer not kept: its table was full */
	DROP_LATENCY = 5, /* a syscall's latency histogram not kept: no free row */
	DROP_ERRNOS = 6, /* a failed call's errno not counted: its table was full */
	DROP_THREADS = 7, /* a thread's time not accounted: its table was full */
	DROP_DISK = 8, /* a disk request not timed: its table was full */
	/* not losses of figures: events the kernel did not show, repaired from its own figures */
	DROP_SWITCHES = 9, /* a thread's switch onto or off a CPU not shown (threads.bpf.c) */
	DROP_LATE_THREADS = 10, /* a thread first seen after it began, filled in (threads.bpf.c) */
	DROP_MAX = 11,
};

/* ---- files (files.bpf.c) ---- */

/* The detail tables by what the helper reads together: a change to one marks it in
 * detail_changed, and each tick the helper reads only the marked ones (helper/detail.c) */
enum changed_table {
	CHANGED_NAMES = 0, /* file_names_short, file_names */
	CHANGED_USES = 1, /* file_stats */
	CHANGED_NAME_OPS = 2, /* name_ops_short, name_ops */
	CHANGED_NET = 3, /* sock_stats, peer_stats */
	CHANGED_TABLES = 4,
};

/* detail_class[nr]: what the exit of syscall nr tells about an fd */
enum detail_class {
	DETAIL_NONE = 0,
	DETAIL_OPEN = 1, /* returns a new fd for a name: arg[0] dirfd, arg[1] the name */
	DETAIL_READ = 2, /* reads from fd arg[0] */
	DETAIL_WRITE = 3, /* writes to fd arg[0] */
	DETAIL_SENDFILE = 4, /* sendfile(out, in): writes to arg[0], reads from arg[1] */
	DETAIL_COPY = 5, /* copy_file_range and splice (in, .., out): reads arg[0], writes arg[1] */
	DETAIL_OPEN_ABS =
		6, /* open and creat: the name is the first argument, relative to the cwd */
	/* network (net.bpf.c); arg[0] the fd, arg[1] as said */
	DETAIL_SENDTO = 7, /* writes; arg[1] the destination's sockaddr (user memory) or 0 */
	DETAIL_RECVFROM = 8, /* reads; arg[1] where the source's sockaddr is written, or 0 */
	DETAIL_SENDMSG = 9, /* writes; arg[1] the user's msghdr */
	DETAIL_RECVMSG = 10, /* reads; arg[1] the user's msghdr */
	DETAIL_CONNECT = 11, /* arg[1] the peer's sockaddr */
	DETAIL_ACCEPT = 12, /* returns a new fd, accepted on listening fd arg[0] */
	DETAIL_LISTEN = 13,
	DETAIL_NEW_FD = 14, /* returns a new fd: socket, eventfd, timerfd, epoll, memfd... */
	DETAIL_PAIR = 15, /* pipe: writes two new fds to the int[2] at arg[1] */
	DETAIL_CLOSE = 16, /* closes fd arg[0]; entry sets arg[0..1] to a socket's dev and ino
			    * when this is its last reference, arg[1] 0 otherwise */
	DETAIL_SOCKETPAIR = 17, /* as DETAIL_PAIR; the int[2] is its fourth argument */
	DETAIL_BIND = 18, /* gives socket fd arg[0] its local address */
	/* by name, without an fd (detail_op[nr] says which name_op): */
	DETAIL_NAME_AT = 19, /* arg[0] a dirfd, arg[1] a name relative to it */
	DETAIL_NAME = 20, /* arg[1] a name relative to the cwd (arg[0] AT_FDCWD) */
	DETAIL_RENAME_AT =
		21, /* renameat(2): arg[0..1] the old dirfd and name, arg[2..3] the new */
	DETAIL_RENAME = 22, /* rename: as DETAIL_RENAME_AT, both relative to the cwd */
	/* network again: returns how many messages of the user's mmsghdr array at arg[1] moved */
	DETAIL_SENDMMSG = 23,
	DETAIL_RECVMMSG = 24,
};

/* the most messages one sendmmsg or recvmmsg moves (the kernel's bound on its vlen, UIO_MAXIOV) */
#define MMSG_MAX 1024

/* what a call did to a name (name_key.op) */
enum name_op {
	NAME_OPEN = 1, /* an open that failed (failed opens only: an open that works has a file) */
	NAME_STAT = 2, /* stat, lstat, newfstatat, statx, access, faccessat(2), readlink(at) */
	NAME_UNLINK = 3, /* unlink, unlinkat, rmdir */
	NAME_RENAME_FROM = 4, /* rename(at)(2): the old name */
	NAME_RENAME_TO = 5, /* and the new one */
	NAME_MKDIR = 6, /* mkdir, mkdirat */
};

/* file_stats.kind */
enum file_kind {
	FILE_OTHER = 0,
	FILE_REG = 1,
	FILE_DIR = 2,
	FILE_PIPE = 3,
	FILE_SOCKET = 4,
	FILE_DEVICE = 5,
	FILE_ANON = 6,
};

#define FILE_NAME_MAX 1024 /* a path's components, leaf first; a power of two */
#define FILE_PART_MAX 256 /* one component (NAME_MAX + 1) */
#define FILE_DEPTH 64 /* components walked at most */
#define NAME_MAX_ 256 /* a name a call was given, as given (name_ops) */
/* The short tables' names (file_names_short, name_ops_short), which most paths and names fit:
 * with the kernel's header and the key, an entry there is within 256 bytes, the smallest size
 * class of the allocator a map that allocates as used takes its entries from (name_ops_short),
 * and 15 MiB for 65,536 allocated at load (file_names_short; docs/detail.md, "What it costs") */
#define FILE_NAME_SHORT 128
#define NAME_SHORT 128
#define AT_FDCWD_ (-100)

/*
 * A file under one name: its device, inode number and, for a regular file or directory, the
 * inode's generation and the hash of its name as the call found it. A filesystem gives a freed
 * inode's number to the next new file (ext4 at once: a deleted temporary file's number is the
 * next one's), with a new generation; a rename gives the file a new name (and name hash: the
 * kernel's, of the name and its directory). So two files that shared a number, and one file
 * before and after a rename (git's HEAD.lock, then HEAD), are apart, each call under the name the
 * file had at that call, as strace -y shows it. Pipes, sockets and devices have 0 in both.
 */
struct file_id {
	__u64 dev;
	__u64 ino;
	__u32 gen;
	__u32 name; /* d_name.hash */
};

struct file_key {
	__u32 slot;
	__u32 gen; /* as file_id */
	__u64 dev;
	__u64 ino;
	__u32 name; /* as file_id */
	__u32 _pad;
};

/*
 * One tracked process's use of one file, cumulative. seq: the helper's tick (files_seq) when it
 * last changed. The helper never writes these, so no count is lost to a read-modify-write: each
 * tick it sends the entries stamped in that tick or the one before (a change that raced with its
 * read may carry the older stamp: stamped_since in helper/tracker.h).
 */
struct file_stats {
	__u64 opens;
	__u64 reads;
	__u64 read_bytes;
	__u64 writes;
	__u64 write_bytes;
	__u64 io_errors;
	__u64 time_ns;
	__u64 seq;
	__u32 kind;
	__u32 variant; /* its number among those met at its (device, inode): file_variant */
};

struct file_name_head {
	__u64 seq; /* files_seq when it was resolved: the helper sends it once */
	__u32 len; /* bytes of name used */
	__u32 whole; /* the walk reached the root: not truncated */
	__u32 variant; /* as file_stats.variant */
	__u32 _pad;
};

/* a path, in file_names_short if it fits (len <= FILE_NAME_SHORT), else in file_names: the
 * short one is the long one's first bytes, so one walk fills either */
struct file_name {
	struct file_name_head h;
	char name[FILE_NAME_MAX];
};

struct file_name_short {
	struct file_name_head h;
	char name[FILE_NAME_SHORT];
};

/* One tracked process's calls on one name, by what they did (op): kept by the name as given,
 * with the directory it was relative to, as the call did not (or could not) return a file. */
struct name_key {
	__u32 slot;
	__u32 op; /* enum name_op */
	struct file_id base; /* the directory a relative name was relative to; 0 for absolute */
	__u64 hash; /* of the name as given */
};

struct name_counts {
	__u64 count; /* calls */
	__u64 errors; /* of them, failed */
	__u64 seq; /* as file_stats.seq */
	__u32 errno_; /* the last failure's */
	__u32 base_variant; /* the base directory's, as file_stats.variant */
};

/* in name_ops_short if the name fits (with its NUL, NAME_SHORT bytes), else in name_ops; as
 * file_name, the short one is the long one's first bytes */
struct name_ops {
	struct name_counts c;
	char name[NAME_MAX_];
};

struct name_ops_short {
	struct name_counts c;
	char name[NAME_SHORT];
};

/* ---- network (net.bpf.c) ---- */

#define NET_PATH_MAX 108 /* sun_path */

/* an address as the kernel or the process gave it */
struct net_addr {
	__u16 family; /* AF_INET, AF_INET6, AF_UNIX; 0: none known */
	__u16 port; /* host order */
	__u32 len; /* AF_UNIX: bytes of path used; an abstract name starts with a NUL */
	__u8 addr[16]; /* AF_INET: the first 4 */
	char path[NET_PATH_MAX];
};

/* sock_stats.proto */
enum net_proto { NET_OTHER = 0, NET_TCP = 1, NET_UDP = 2, NET_UNIX = 3 };

/* sock_stats.direction */
enum net_direction { NET_DIR_NONE = 0, NET_OUT = 1, NET_IN = 2, NET_LISTEN = 3 };

/* sock_stats.pending: a TCP connect and its outcome */
enum net_pending { CONNECT_NONE = 0, CONNECT_IN_FLIGHT = 1, CONNECT_FAILED = 2 };

/*
 * One tracked process's socket, keyed as its file (struct file_key: slot, sockfs device, inode).
 * Times on the kernel's monotonic clock, 0 when not seen; seq as file_stats.seq.
 */
struct sock_stats {
	__u64 opened_ns; /* first seen: socket(), accept(), or its first use by this process */
	__u64 established_ns; /* TCP: reached ESTABLISHED while we watched */
	__u64 closed_ns; /* its last fd closed, or TCP reached CLOSE */
	__u64 connects; /* connect() calls */
	__u64 connect_errors; /* of them, failed (also later, for one that returned EINPROGRESS) */
	__u64 accepts; /* a listening socket: connections accepted */
	__u64 seq;
	__u32 errno_; /* the last failed connect's */
	__u16 family;
	__u16 type; /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u8 proto; /* enum net_proto */
	__u8 direction; /* enum net_direction */
	__u8 state; /* TCP: the last state seen (the kernel's TCP_* numbers) */
	__u8 pending; /* enum net_pending */
	__u8 released; /* its last fd was closed: nothing will add to it (the helper drops it) */
	/* counts-only: an attempt counted at its SYN_SENT that its connect's exit has not seen */
	__u8 syn_counted;
	__u8 _pad[2];
	__u32 close_errno; /* TCP: the error it closed with (reset: ECONNRESET), 0 for none */
	__u32 _pad2;
	struct net_addr local;
	struct net_addr remote; /* the peer it connected to (or tried), or accepted from */
};

/* (slot, socket, peer): a datagram socket may talk to many */
struct peer_key {
	__u32 slot;
	__u32 _pad;
	__u64 dev;
	__u64 ino;
	__u64 hash; /* of the remote address */
};

struct peer_stats {
	__u64 sends;
	__u64 bytes_sent;
	__u64 recvs;
	__u64 bytes_received;
	__u64 first_ns;
	__u64 last_ns;
	__u64 seq;
	struct net_addr remote;
};

/* slot_stamps' size (bpf/keys.bpf.h): the most slots the helper gives out (--max-procs) */
#define SLOT_STAMPS 65536

/* The detail tables, as the new_keys ring names them: those keyed by slot, then the names */
enum key_table {
	KEY_USES = 0, /* file_stats */
	KEY_NAME_OPS_SHORT = 1,
	KEY_NAME_OPS = 2,
	KEY_SOCKS = 3, /* sock_stats */
	KEY_PEERS = 4, /* peer_stats */
	KEY_OWNERS = 5, /* sock_owner: its key is the struct sock, its value the slot's entry */
	KEY_NAMES_SHORT = 6, /* file_names_short: no slot's */
	KEY_NAMES = 7,
	KEY_TABLES = 8,
};

/* or'd into a new_key's table: not an entry added but one there before, changed for the first
 * time in a tick (a use or a call on a name); the helper reads the file tables' entries by the
 * keys of the last two ticks, not every entry of each slot that changed */
#define KEY_CHANGED 0x100u

/* An entry the kernel added to a detail table: the helper keeps each slot's keys, so that it
 * reads the entries of the slots that changed, and a process's end its own, not every table; and
 * the names added since its last tick, which are all it sends of them (helper/keys.c) */
struct new_key {
	__u32 table; /* enum key_table */
	__u32 slot; /* (__u32)-1 for a name */
	union {
		struct file_key file; /* uses, socks */
		struct name_key name;
		struct peer_key peer;
		__u64 sock;
		struct file_id id; /* names */
	} key;
};

/* ---- every thread's wall time (threads.bpf.c) ---- */

/* thread_time.state */
enum thread_run_state {
	TT_FREE = 0, /* no thread: the helper gave it back */
	TT_RUNNING = 1, /* on a CPU */
	TT_RUNNABLE = 2, /* woken (or preempted), waiting for a CPU */
	TT_BLOCKED = 3, /* asleep; `d` says whether uninterruptibly, `cur` in what */
	TT_EXITED = 4, /* gone: its figures are final; the helper sends them and frees it */
};

/* why_entry.nr for time blocked outside a syscall (or in one the mode cannot name) */
#define TT_PAGE_FAULT (-1) /* uninterruptible, not in a syscall: a page fault (or other fault) */
#define TT_OTHER (-2) /* interruptible, not in a syscall; or the syscall is not known */
#define TT_OVERFLOW (-3) /* the entries were all taken: any other reason */
/* A read or write blocked on an fd: the syscall number, and above this shift what the fd was
 * (enum file_kind + 1), so that a read of a pipe and one of a socket are two reasons (tp_btf) */
#define TT_ON_SHIFT 16

/* the blocked reasons a thread keeps by name; then one overflow entry. Sixteen: a wrapper
 * script (a pyenv shim, a launcher) blocks in eight or so reads, waits and stats before it execs
 * its program, whose own waits then all fell in the overflow with eight */
#define THREAD_WHY 16
#define THREAD_NONE 0xffffffffu

struct why_entry {
	__s32 nr; /* a syscall number (TT_ON_SHIFT), or TT_*; unused while ns, d_ns and nr are 0 */
	__u32 used;
	__u64 ns; /* blocked interruptibly (S) */
	__u64 d_ns; /* blocked uninterruptibly (D) */
};

/*
 * One tracked thread's wall time, cumulative on the kernel's monotonic clock from the moment it
 * was first seen: each ns is in exactly one of on_cpu, runq, preempt and the why entries. The
 * state it is in now, since since_ns, is not in them yet: the helper adds (now - since_ns) to
 * that state's figure when it reads (and the kernel adds it at the next change). seq is odd while
 * the kernel writes; the helper rereads until it sees the same even seq twice.
 */
struct thread_time {
	__u64 seq;
	__u32 tid;
	__u32 tgid;
	__u32 state; /* enum thread_run_state */
	__u32 d; /* TT_BLOCKED: uninterruptibly */
	__u32 cur; /* TT_BLOCKED: its why entry, 0..THREAD_WHY (the last one the overflow) */
	__u32 woken_by_preempt; /* TT_RUNNABLE: it was preempted (runq otherwise); TT_RUNNING: so
				  * was its wait before this run (gap_ns) */
	__u64 first_ns; /* first seen */
	__u64 since_ns; /* in `state` since */
	__u64 on_cpu_ns;
	__u64 runq_ns; /* runnable after a wakeup (or its creation) */
	__u64 preempt_ns; /* runnable after being preempted while running (or yielding) */
	__u64 ran_ns; /* the thread's own CPU clock (se.sum_exec_runtime) at its last switch */
	__u64 sys_ns; /* of on_cpu_ns, the part inside a syscall (timed mode) */
	__u64 sys_since_ns; /* in a syscall since (timed mode; 0: not in one) */
	__u64 gap_ns; /* TT_RUNNING: its wait for a CPU just before this run, which the kernel's clock
		       * of the run may overlap (tt_move); 0 otherwise */
	struct why_entry why[THREAD_WHY + 1];
	char comm[16]; /* its name when first seen, and again at its exit */
};

/* ---- disk (disk.bpf.c) ---- */

/* disk_key.op: what a block request did, from its REQ_OP */
enum disk_op { DISK_READ = 0, DISK_WRITE = 1, DISK_FLUSH = 2, DISK_DISCARD = 3, DISK_OTHER = 4 };

/* A block request in flight, by the request's address: when it was issued to the device (0: not
 * yet, only its submitter is known), its size then, and the tracked process that submitted it
 * (0: none known, as for a kernel thread's or an untracked process's request) */
struct disk_inflight {
	__u64 issue_ns;
	__u32 tgid;
	__u32 bytes;
};

/* (device, op, submitter): dev as the kernel's dev_t (major << 20 | minor) of the whole disk;
 * tgid 0 for requests no tracked process submitted */
struct disk_key {
	__u32 dev;
	__u32 op; /* enum disk_op */
	__u32 tgid;
	__u32 _pad;
};

/* Completed requests of one disk_key, cumulative: issue-to-completion latency (ns) and size
 * (bytes) as log2 histograms (HIST_BUCKETS); seq as file_stats.seq */
struct disk_counts {
	__u64 requests;
	__u64 bytes;
	__u64 time_ns;
	__u64 seq;
	__u64 lat[HIST_BUCKETS];
	__u64 size[HIST_BUCKETS];
};

#endif /* SYSCOPE_H */
