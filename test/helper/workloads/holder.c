// SPDX-License-Identifier: MIT
// holder DIR: opens DIR/kept (written 10 bytes) and DIR/used, and a pipe, then says "ready" on
// stdout and waits for one line on stdin; then reads DIR/used (5 bytes) and exits. For the test
// that the files a process holds as it is attached to are known, used or not.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char p[4096], buf[16];
	int pv[2];
	if (argc != 2)
		return 2;
	snprintf(p, sizeof(p), "%s/kept", argv[1]);
	int kept = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	snprintf(p, sizeof(p), "%s/used", argv[1]);
	int used = open(p, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (kept < 0 || used < 0 || pipe(pv) || write(kept, "0123456789", 10) != 10 ||
	    write(used, "abcde", 5) != 5 || lseek(used, 0, SEEK_SET))
		return 3;
	printf("ready\n");
	fflush(stdout);
	if (read(0, buf, sizeof(buf)) <= 0)
		return 4;
	if (read(used, buf, sizeof(buf)) != 5)
		return 5;
	return 0;
}
