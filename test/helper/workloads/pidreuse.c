// Processes whose pid a test chooses, to race the helper's `track` with pid reuse (run as root).
//   pidreuse victim UID GID      a child running `sleep` as UID:GID; prints "pid N". Then each
//                                line read: "kill" SIGKILLs it and prints "zombie" once it is one
//                                (not reaped), "reap" reaps it and prints "reaped"; EOF exits.
//   pidreuse at PID UID GID PROG [ARG...]
//                                a child given pid PID (clone3 set_tid) running as UID:GID; prints
//                                "pid N", then execs PROG. Exits as it did.
//   pidreuse undumpable          makes itself undumpable (as ssh-agent does), then 100 getppid
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		perror("pidreuse: cannot set ids");
		_exit(120);
	}
}

static int victim(uid_t uid, gid_t gid)
{
	char line[64];
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		become(uid, gid);
		/* exec'd after the change of ids, so dumpable again: the user may ptrace it */
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	printf("pid %d\n", child);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "kill", 4)) {
			siginfo_t si;
			kill(child, SIGKILL);
			/* a zombie now: exited, its pid still held until reaped */
			if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT))
				return 1;
			printf("zombie\n");
		} else if (!strncmp(line, "reap", 4)) {
			if (waitpid(child, NULL, 0) != child)
				return 1;
			printf("reaped\n");
		}
		fflush(stdout);
	}
	return 0;
}

static int at(pid_t want, uid_t uid, gid_t gid, char **argv)
{
	pid_t tid[1] = { want };
	struct clone_args ca = { .exit_signal = SIGCHLD, .set_tid = (uintptr_t)tid, .set_tid_size = 1 };
	int status;
	long child = syscall(SYS_clone3, &ca, sizeof(ca));
	if (child < 0) {
		fprintf(stderr, "pidreuse: clone3 with pid %d: %s\n", want, strerror(errno));
		return 2;
	}
	if (child == 0) {
		become(uid, gid);
		execv(argv[0], argv);
		_exit(127);
	}
	printf("pid %ld\n", child);
	fflush(stdout);
	if (waitpid((pid_t)child, &status, 0) != child)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "victim"))
		return victim((uid_t)atoi(argv[2]), (gid_t)atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "undumpable")) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
			return 1;
		for (int i = 0; i < 100; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "at"))
		return at(atoi(argv[2]), (uid_t)atoi(argv[3]), (gid_t)atoi(argv[4]), argv + 5);
	fprintf(stderr, "usage: pidreuse victim UID GID | pidreuse at PID UID GID PROG [ARG...]\n");
	return 2;
}
