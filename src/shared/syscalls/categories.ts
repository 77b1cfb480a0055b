// Every syscall of x86_64 and aarch64, assigned to one of ten categories on purpose (rules and
// the non-obvious choices: docs/categories.md). A test checks that no name of either table is
// missing here and that nothing here is unknown to both.
import type { CategoryId } from '../contract'

const LISTS: Record<CategoryId, string> = {
  file_io: `read write pread64 pwrite64 readv writev preadv preadv2 pwritev pwritev2
    open openat openat2 creat close close_range lseek dup dup2 dup3 fcntl ioctl flock
    stat fstat lstat newfstatat statx statfs fstatfs access faccessat faccessat2 ustat
    fsync fdatasync sync syncfs sync_file_range truncate ftruncate fallocate fadvise64 readahead
    getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir rename renameat renameat2
    link linkat unlink unlinkat symlink symlinkat readlink readlinkat
    chmod fchmod fchmodat fchmodat2 chown fchown fchownat lchown umask
    utime utimes utimensat futimesat mknod mknodat
    setxattr lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr
    removexattr lremovexattr fremovexattr setxattrat getxattrat listxattrat removexattrat
    sendfile splice tee vmsplice copy_file_range cachestat
    name_to_handle_at open_by_handle_at
    poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2
    eventfd eventfd2 inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_init fanotify_mark
    io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents
    io_uring_setup io_uring_enter io_uring_register`,
  memory: `brk mmap munmap mremap mprotect pkey_mprotect pkey_alloc pkey_free madvise process_madvise
    mlock mlock2 mlockall munlock munlockall msync mincore remap_file_pages
    mbind get_mempolicy set_mempolicy set_mempolicy_home_node migrate_pages move_pages
    memfd_create memfd_secret userfaultfd process_mrelease mseal map_shadow_stack`,
  process: `fork vfork clone clone3 execve execveat exit exit_group wait4 waitid
    getpid getppid gettid getpgid setpgid getpgrp getsid setsid set_tid_address
    prctl arch_prctl personality unshare setns kcmp pidfd_open pidfd_getfd
    sched_yield sched_setparam sched_getparam sched_setscheduler sched_getscheduler
    sched_get_priority_max sched_get_priority_min sched_rr_get_interval sched_setaffinity
    sched_getaffinity sched_setattr sched_getattr getpriority setpriority ioprio_get ioprio_set
    getrlimit setrlimit prlimit64 getrusage times getcpu rseq
    set_thread_area get_thread_area modify_ldt uselib`,
  network: `socket socketpair bind listen accept accept4 connect getsockname getpeername
    sendto recvfrom sendmsg recvmsg sendmmsg recvmmsg setsockopt getsockopt shutdown`,
  time: `time gettimeofday clock_gettime clock_getres nanosleep clock_nanosleep
    alarm getitimer setitimer timer_create timer_settime timer_gettime timer_getoverrun timer_delete
    timerfd_create timerfd_settime timerfd_gettime`,
  ipc: `pipe pipe2 futex futex_waitv futex_wake futex_wait futex_requeue set_robust_list get_robust_list
    membarrier msgget msgsnd msgrcv msgctl semget semop semtimedop semctl shmget shmat shmdt shmctl
    mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr
    process_vm_readv process_vm_writev`,
  security: `getuid geteuid getgid getegid getresuid getresgid setuid setgid setreuid setregid
    setresuid setresgid setfsuid setfsgid getgroups setgroups capget capset
    seccomp landlock_create_ruleset landlock_add_rule landlock_restrict_self
    add_key request_key keyctl getrandom bpf ptrace chroot
    lsm_get_self_attr lsm_set_self_attr lsm_list_modules`,
  signal: `kill tkill tgkill rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigtimedwait
    rt_sigqueueinfo rt_tgsigqueueinfo rt_sigsuspend sigaltstack signalfd signalfd4 pause
    restart_syscall pidfd_send_signal`,
  system: `uname sysinfo syslog reboot sethostname setdomainname settimeofday clock_settime
    clock_adjtime adjtimex mount umount2 mount_setattr move_mount open_tree open_tree_attr fsopen
    fsconfig fsmount fspick statmount listmount pivot_root swapon swapoff
    init_module finit_module delete_module kexec_load kexec_file_load acct quotactl quotactl_fd
    ioperm iopl perf_event_open _sysctl sysfs vhangup nfsservctl lookup_dcookie`,
  // removed from the kernel or never implemented: they only ever return ENOSYS
  other: `afs_syscall create_module get_kernel_syms getpmsg putpmsg query_module security tuxcall
    vserver epoll_ctl_old epoll_wait_old`
}

export const CATEGORY_OF: ReadonlyMap<string, CategoryId> = (() => {
  const m = new Map<string, CategoryId>()
  for (const [cat, list] of Object.entries(LISTS) as [CategoryId, string][]) {
    for (const name of list.split(/\s+/).filter(Boolean)) {
      if (m.has(name)) throw new Error(`syscall ${name} is in two categories`)
      m.set(name, cat)
    }
  }
  return m
})()
