// SPDX-License-Identifier: MIT
// reuse DIR FACTS: files that take a deleted file's inode number, for the files monitor's tests,
// in DIR (empty). Writes what it did to FACTS, one line each, and exits 0:
//   reused A B INO  DIR/A (100 bytes written in one call) was deleted and DIR/B (200 bytes, one
//                   call) then got its inode number INO; tried as a<i>, b<i> until a filesystem
//                   that reuses numbers (ext4 does at once) gives one: exits 3 after 50 tries
//   again C INO1 INO2  DIR/C written 10 bytes, deleted, made again and written 20 bytes: one path,
//                   two files (INO1, INO2: equal where the number was reused)
//   renamed         DIR/r.lock written 10 bytes, closed and renamed to DIR/r, which is opened and
//                   read to its end (10 bytes, then 0); DIR/m written 5 bytes, renamed to DIR/n
//                   while open, and written 7 bytes more through the same fd
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a new file at path with n bytes written in one call; its inode number, or 0 */
static ino_t make(const char *path, size_t n)
{
	char buf[256];
	struct stat st;
	memset(buf, 'x', sizeof(buf));
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0)
		return 0;
	if (write(fd, buf, n) != (ssize_t)n || fstat(fd, &st)) {
		close(fd);
		return 0;
	}
	close(fd);
	return st.st_ino;
}

int main(int argc, char **argv)
{
	char a[4096], b[4096];
	if (argc != 3)
		return 2;
	const char *dir = argv[1];
	FILE *facts = fopen(argv[2], "w");
	if (!facts)
		return 2;
	int found = 0;
	for (int i = 0; i < 50 && !found; i++) {
		snprintf(a, sizeof(a), "%s/a%d", dir, i);
		snprintf(b, sizeof(b), "%s/b%d", dir, i);
		ino_t ia = make(a, 100);
		if (!ia || unlink(a))
			return 4;
		ino_t ib = make(b, 200);
		if (!ib)
			return 4;
		if (ia == ib) {
			fprintf(facts, "reused a%d b%d %lu\n", i, i, (unsigned long)ib);
			found = 1;
		} else if (unlink(b)) {
			return 4;
		}
	}
	if (!found) {
		fclose(facts);
		return 3;
	}
	snprintf(a, sizeof(a), "%s/c", dir);
	ino_t i1 = make(a, 10);
	if (!i1 || unlink(a))
		return 4;
	ino_t i2 = make(a, 20);
	if (!i2)
		return 4;
	fprintf(facts, "again c %lu %lu\n", (unsigned long)i1, (unsigned long)i2);
	char r[4096], buf[64];
	snprintf(a, sizeof(a), "%s/r.lock", dir);
	snprintf(r, sizeof(r), "%s/r", dir);
	if (!make(a, 10) || rename(a, r))
		return 4;
	int fd = open(r, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) != 10 || read(fd, buf, sizeof(buf)) != 0)
		return 4;
	close(fd);
	snprintf(a, sizeof(a), "%s/m", dir);
	snprintf(b, sizeof(b), "%s/n", dir);
	memset(buf, 'y', sizeof(buf));
	fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0 || write(fd, buf, 5) != 5 || rename(a, b) || write(fd, buf, 7) != 7)
		return 4;
	close(fd);
	fprintf(facts, "renamed\n");
	return fclose(facts) ? 4 : 0;
}
