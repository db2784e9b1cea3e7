// SPDX-License-Identifier: Apache-2.0
/* fileops: issue exact file syscalls for the e2e tests, which the shell
 * cannot (openat2, renameat2, *at with a real dirfd, creat, rmdir...).
 *
 *   fileops OP ARG... [+ OP ARG...]
 *
 * Each op is one raw syscall(2), so the variant is the one named, never a
 * libc substitute. DIR arguments are "-" for AT_FDCWD or a directory that is
 * opened (O_RDONLY|O_DIRECTORY) first. FLAGS are numbers (0x.., 0..) or
 * names joined by '|' (O_WRONLY|O_CREAT). Prints one JSON line per op:
 *   {"pid":123,"op":"openat","ret":4,"errno":0,"dirfd":3}
 * Exits 0 even when a syscall fails: the tests assert failures too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static const struct { const char *name; long v; } names[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC },
	{ "O_APPEND", O_APPEND }, { "O_NONBLOCK", O_NONBLOCK }, { "O_DIRECTORY", O_DIRECTORY },
	{ "O_NOFOLLOW", O_NOFOLLOW }, { "O_CLOEXEC", O_CLOEXEC }, { "O_PATH", O_PATH },
	{ "O_TMPFILE", O_TMPFILE }, { "AT_REMOVEDIR", AT_REMOVEDIR },
	{ "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW }, { "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW },
	{ "AT_EMPTY_PATH", AT_EMPTY_PATH }, { "RENAME_NOREPLACE", RENAME_NOREPLACE },
	{ "RENAME_EXCHANGE", RENAME_EXCHANGE }, { "RESOLVE_BENEATH", RESOLVE_BENEATH },
};

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "fileops: %s: %s\n", msg, arg);
	exit(2);
}

static long num(const char *s)
{
	char *end, *tok, *save, buf[256];
	long v = 0;

	v = strtol(s, &end, 0);
	if (*s && !*end)
		return v;
	v = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			die("unknown number or flag name", tok);
		v |= names[i].v;
	}
	return v;
}

static int dirfd_of(const char *s)
{
	int fd;

	if (!strcmp(s, "-"))
		return AT_FDCWD;
	fd = open(s, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die("cannot open dir", s);
	return fd;
}

static int fd_of(const char *s)
{
	int fd = open(s, O_RDWR);

	if (fd < 0)
		fd = open(s, O_RDONLY);
	if (fd < 0)
		die("cannot open file", s);
	return fd;
}

/* Run one op from argv[0..]; returns the number of args it used. */
static int run(char **v, int n)
{
	const char *op = v[0];
	int dfd = AT_FDCWD, used;
	long ret;

#define NEED(k) do { if (n < (k) + 1) die("missing arguments for", op); used = (k) + 1; } while (0)
	if (!strcmp(op, "open")) { NEED(3); ret = syscall(SYS_open, v[1], num(v[2]), num(v[3])); }
	else if (!strcmp(op, "openat")) { NEED(4); dfd = dirfd_of(v[1]); ret = syscall(SYS_openat, dfd, v[2], num(v[3]), num(v[4])); }
	else if (!strcmp(op, "openat2")) {
		struct open_how how = {};

		NEED(5);
		dfd = dirfd_of(v[1]);
		how.flags = num(v[3]);
		how.mode = num(v[4]);
		how.resolve = num(v[5]);
		ret = syscall(SYS_openat2, dfd, v[2], &how, sizeof(how));
	}
	else if (!strcmp(op, "creat")) { NEED(2); ret = syscall(SYS_creat, v[1], num(v[2])); }
	else if (!strcmp(op, "unlink")) { NEED(1); ret = syscall(SYS_unlink, v[1]); }
	else if (!strcmp(op, "unlinkat")) { NEED(3); dfd = dirfd_of(v[1]); ret = syscall(SYS_unlinkat, dfd, v[2], num(v[3])); }
	else if (!strcmp(op, "rmdir")) { NEED(1); ret = syscall(SYS_rmdir, v[1]); }
	else if (!strcmp(op, "rename")) { NEED(2); ret = syscall(SYS_rename, v[1], v[2]); }
	else if (!strcmp(op, "renameat")) { NEED(4); dfd = dirfd_of(v[1]); ret = syscall(SYS_renameat, dfd, v[2], dirfd_of(v[3]), v[4]); }
	else if (!strcmp(op, "renameat2")) {
		NEED(5);
		dfd = dirfd_of(v[1]);
		ret = syscall(SYS_renameat2, dfd, v[2], dirfd_of(v[3]), v[4], num(v[5]));
	}
	else if (!strcmp(op, "chmod")) { NEED(2); ret = syscall(SYS_chmod, v[1], num(v[2])); }
	else if (!strcmp(op, "fchmod")) { NEED(2); dfd = fd_of(v[1]); ret = syscall(SYS_fchmod, dfd, num(v[2])); }
	else if (!strcmp(op, "fchmodat")) { NEED(3); dfd = dirfd_of(v[1]); ret = syscall(SYS_fchmodat, dfd, v[2], num(v[3])); }
	else if (!strcmp(op, "fchmodat2")) { NEED(4); dfd = dirfd_of(v[1]); ret = syscall(SYS_fchmodat2, dfd, v[2], num(v[3]), num(v[4])); }
	else if (!strcmp(op, "chown")) { NEED(3); ret = syscall(SYS_chown, v[1], num(v[2]), num(v[3])); }
	else if (!strcmp(op, "lchown")) { NEED(3); ret = syscall(SYS_lchown, v[1], num(v[2]), num(v[3])); }
	else if (!strcmp(op, "fchown")) { NEED(3); dfd = fd_of(v[1]); ret = syscall(SYS_fchown, dfd, num(v[2]), num(v[3])); }
	else if (!strcmp(op, "fchownat")) { NEED(5); dfd = dirfd_of(v[1]); ret = syscall(SYS_fchownat, dfd, v[2], num(v[3]), num(v[4]), num(v[5])); }
	else if (!strcmp(op, "link")) { NEED(2); ret = syscall(SYS_link, v[1], v[2]); }
	else if (!strcmp(op, "linkat")) { NEED(5); dfd = dirfd_of(v[1]); ret = syscall(SYS_linkat, dfd, v[2], dirfd_of(v[3]), v[4], num(v[5])); }
	else if (!strcmp(op, "symlink")) { NEED(2); ret = syscall(SYS_symlink, v[1], v[2]); }
	else if (!strcmp(op, "symlinkat")) { NEED(3); dfd = dirfd_of(v[2]); ret = syscall(SYS_symlinkat, v[1], dfd, v[3]); }
	else if (!strcmp(op, "truncate")) { NEED(2); ret = syscall(SYS_truncate, v[1], num(v[2])); }
	else if (!strcmp(op, "ftruncate")) { NEED(2); dfd = fd_of(v[1]); ret = syscall(SYS_ftruncate, dfd, num(v[2])); }
	else if (!strcmp(op, "mkdir")) { NEED(2); ret = syscall(SYS_mkdir, v[1], num(v[2])); }
	else if (!strcmp(op, "mkdirat")) { NEED(3); dfd = dirfd_of(v[1]); ret = syscall(SYS_mkdirat, dfd, v[2], num(v[3])); }
	else if (!strcmp(op, "chdir")) { NEED(1); ret = syscall(SYS_chdir, v[1]); }
	else if (!strcmp(op, "fchdir")) { NEED(1); dfd = dirfd_of(v[1]); ret = syscall(SYS_fchdir, dfd); }
	else if (!strcmp(op, "sleep")) { NEED(1); ret = usleep(num(v[1]) * 1000); } /* MS: dedup windows */
	else die("unknown op (see the usage comment in test/helpers/fileops.c)", op);
#undef NEED
	printf("{\"pid\":%d,\"op\":\"%s\",\"ret\":%ld,\"errno\":%d,\"dirfd\":%d}\n",
	       getpid(), op, ret, ret < 0 ? errno : 0, dfd);
	fflush(stdout);
	return used;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc < 2)
		die("usage", "fileops OP ARG... [+ OP ARG...]");
	while (i < argc) {
		int end = i;

		while (end < argc && strcmp(argv[end], "+"))
			end++;
		if (run(&argv[i], end - i) != end - i)
			die("too many arguments for", argv[i]);
		i = end + 1;
	}
	return 0;
}
