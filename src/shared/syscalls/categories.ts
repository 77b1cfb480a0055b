// Every syscall name of x86_64 and aarch64 (table.generated.ts), each put in one of the ten
// categories by hand. The rules and the reasons for the non-obvious choices are in
// docs/categories.md; test/shared checks that no name of either table is missing here, that no
// name is here twice, and that nothing here is unknown to both tables.
import type { CategoryId } from '../contract'

// laid out by hand, related names on one line under their comment
// prettier-ignore
export const CATEGORY_MEMBERS: Readonly<Record<CategoryId, readonly string[]>> = {
  file_io: [
    // data in and out of a file descriptor
    'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
    // opening, closing and managing descriptors (ioctl: device and file control through an fd)
    'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'dup', 'dup2', 'dup3', 'fcntl', 'ioctl',
    'flock', 'lseek', 'name_to_handle_at', 'open_by_handle_at',
    // file metadata, permission bits and owners included (they describe the file, not a credential)
    'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs', 'ustat',
    'access', 'faccessat', 'faccessat2', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2',
    'chown', 'fchown', 'fchownat', 'lchown', 'umask', 'utime', 'utimes', 'utimensat', 'futimesat',
    'file_getattr', 'file_setattr',
    'setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat', 'getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat',
    'listxattr', 'llistxattr', 'flistxattr', 'listxattrat', 'removexattr', 'lremovexattr', 'fremovexattr',
    'removexattrat',
    // the directory tree
    'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'mkdir', 'mkdirat', 'rmdir',
    'rename', 'renameat', 'renameat2', 'link', 'linkat', 'unlink', 'unlinkat', 'symlink', 'symlinkat',
    'readlink', 'readlinkat', 'mknod', 'mknodat',
    // size, durability and the page cache of a file
    'truncate', 'ftruncate', 'fallocate', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range',
    'fadvise64', 'readahead', 'cachestat',
    // copies that stay in the kernel
    'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range',
    // waiting for descriptors to become ready: the I/O half of every event loop
    'poll', 'ppoll', 'select', 'pselect6',
    'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
    'epoll_ctl_old', 'epoll_wait_old',
    // file system change notification
    'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_init', 'fanotify_mark',
    // asynchronous I/O
    'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents',
    'io_uring_setup', 'io_uring_enter', 'io_uring_register'
  ],
  memory: [
    'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'msync', 'mincore', 'remap_file_pages',
    'mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall',
    'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'mseal', 'map_shadow_stack',
    // NUMA placement
    'mbind', 'get_mempolicy', 'set_mempolicy', 'set_mempolicy_home_node', 'migrate_pages', 'move_pages',
    // memory-backed descriptors and page-fault handling
    'memfd_create', 'memfd_secret', 'userfaultfd',
    // another process's memory, by pidfd
    'process_madvise', 'process_mrelease'
  ],
  process: [
    // life cycle
    'fork', 'vfork', 'clone', 'clone3', 'execve', 'execveat', 'uselib', 'exit', 'exit_group', 'wait4', 'waitid',
    // identity
    'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid', 'set_tid_address',
    // per-process and per-thread state
    'prctl', 'arch_prctl', 'personality', 'set_thread_area', 'get_thread_area', 'modify_ldt', 'rseq',
    'unshare', 'setns',
    // scheduling
    'sched_yield', 'sched_setparam', 'sched_getparam', 'sched_setscheduler', 'sched_getscheduler',
    'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval',
    'sched_setaffinity', 'sched_getaffinity', 'sched_setattr', 'sched_getattr',
    'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'getcpu',
    // limits and accounting
    'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times',
    // other processes: debugging, comparing, pidfds
    'ptrace', 'kcmp', 'pidfd_open', 'pidfd_getfd'
  ],
  network: [
    'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'shutdown',
    'getsockname', 'getpeername', 'setsockopt', 'getsockopt',
    'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg'
  ],
  time: [
    // reading clocks
    'time', 'gettimeofday', 'clock_gettime', 'clock_getres',
    // sleeping
    'nanosleep', 'clock_nanosleep',
    // timers
    'alarm', 'getitimer', 'setitimer',
    'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete',
    'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
    // setting and steering clocks (adjtimex is mostly called read-only, by NTP daemons and date tools)
    'settimeofday', 'clock_settime', 'adjtimex', 'clock_adjtime'
  ],
  ipc: [
    // pipes and event counters
    'pipe', 'pipe2', 'eventfd', 'eventfd2',
    // synchronisation: futexes are what every mutex, condition variable and join waits on
    'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue',
    'set_robust_list', 'get_robust_list', 'membarrier',
    // System V and POSIX IPC
    'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'semget', 'semop', 'semtimedop', 'semctl',
    'shmget', 'shmat', 'shmdt', 'shmctl',
    'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
    // copying straight between two processes' memory
    'process_vm_readv', 'process_vm_writev'
  ],
  security: [
    // credentials
    'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid',
    'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid',
    'getgroups', 'setgroups', 'capget', 'capset',
    // confinement and security modules
    'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
    'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules',
    // keys and randomness
    'add_key', 'request_key', 'keyctl', 'getrandom'
  ],
  signal: [
    'kill', 'tkill', 'tgkill', 'pidfd_send_signal', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigpending', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigreturn',
    'sigaltstack', 'signalfd', 'signalfd4', 'pause', 'restart_syscall'
  ],
  system: [
    // information about the machine and kernel
    'uname', 'sysinfo', 'syslog', 'sysfs', '_sysctl',
    // the mount table and the root of the tree
    'mount', 'umount2', 'mount_setattr', 'move_mount', 'open_tree', 'open_tree_attr',
    'fsopen', 'fsconfig', 'fsmount', 'fspick', 'statmount', 'listmount', 'pivot_root', 'chroot',
    // kernel modules, kexec, power
    'init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms',
    'kexec_load', 'kexec_file_load', 'reboot',
    // machine-wide administration
    'swapon', 'swapoff', 'quotactl', 'quotactl_fd', 'acct', 'sethostname', 'setdomainname', 'vhangup',
    'ioperm', 'iopl', 'nfsservctl',
    // tracing and kernel extension (uprobe/uretprobe are called by the kernel's own probe trampolines)
    'bpf', 'perf_event_open', 'lookup_dcookie', 'uprobe', 'uretprobe'
  ],
  // Numbers reserved for calls mainline Linux never implemented: they only ever fail with ENOSYS
  // and say nothing about what the program was doing.
  other: ['afs_syscall', 'tuxcall', 'security', 'vserver', 'getpmsg', 'putpmsg']
}

/** Syscall name → category, for every name either architecture has. */
export const CATEGORY_OF: ReadonlyMap<string, CategoryId> = new Map(
  (Object.entries(CATEGORY_MEMBERS) as [CategoryId, readonly string[]][]).flatMap(([category, names]) => names.map((name) => [name, category] as const))
)
