// SPDX-License-Identifier: MIT
// names DIR: calls on names that return no file, for the files monitor's tests, in DIR (empty):
//   DIR/d       mkdir (1), access (1, a stat), statx through a dirfd of DIR as "d" (1, a stat),
//               rmdir at the end (1, an unlink)
//   DIR/d/x     stat twice: ENOENT (2 stats, 2 failed)
//   DIR/d/f     created by open (a file), renamed to g through a dirfd of DIR/d (rename from)
//   DIR/d/g     renamed to (1), unlinked (1)
//   DIR/nope    unlink: ENOENT (1 unlink, failed)
//   DIR         listed with opendir/readdir (getdents64: reads of the directory)
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char p[4096];
	struct stat st;
	struct statx sx;
	if (argc != 2)
		return 2;
	const char *dir = argv[1];
	snprintf(p, sizeof(p), "%s/d", dir);
	if (mkdir(p, 0755) || access(p, F_OK))
		return 3;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || statx(dfd, "d", 0, STATX_BASIC_STATS, &sx))
		return 4;
	snprintf(p, sizeof(p), "%s/d/x", dir);
	for (int i = 0; i < 2; i++)
		if (stat(p, &st) == 0)
			return 5;
	snprintf(p, sizeof(p), "%s/d/f", dir);
	int f = open(p, O_CREAT | O_WRONLY, 0644);
	if (f < 0)
		return 6;
	close(f);
	snprintf(p, sizeof(p), "%s/d", dir);
	int sub = open(p, O_RDONLY | O_DIRECTORY);
	if (sub < 0 || renameat(sub, "f", sub, "g"))
		return 7;
	snprintf(p, sizeof(p), "%s/d/g", dir);
	if (unlink(p))
		return 8;
	snprintf(p, sizeof(p), "%s/nope", dir);
	if (unlink(p) == 0)
		return 9;
	DIR *d = opendir(dir);
	int entries = 0;
	while (d && readdir(d))
		entries++;
	if (!d || entries < 3)
		return 10;
	closedir(d);
	snprintf(p, sizeof(p), "%s/d", dir);
	if (rmdir(p))
		return 11;
	return 0;
}
