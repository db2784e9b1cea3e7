// SPDX-License-Identifier: Apache-2.0
/* callstorm: make exactly N calls of one syscall, from PROCS processes of
 * THREADS threads each, so the capture conformance tests can count events.
 *
 *   callstorm ACTION N PROCS THREADS DIR
 *
 * Call k (0..N-1) takes the failing variant when k % 4 == 3, the succeeding
 * one otherwise. Every call is a raw syscall(2), so its return is exactly
 * what the kernel returned (-errno on failure). Prints one JSON line:
 *   {"action":..,"calls":N,"rets":{"0":150,"-2":50},"pids":[..],
 * (every positive return, an fd, is counted under "1")
 *    "children":[..],"port":P,"bad_port":Q}
 * pids are the processes that made the calls; children the processes the
 * fork and exec actions created (one per call). DIR is a scratch directory
 * the caller owns. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CALLS	100000
#define MAX_PROCS	16
#define MAX_RETS	64

struct shared {
	int next_call;			/* next k to hand out */
	int nrets;
	long ret_val[MAX_RETS];
	int ret_cnt[MAX_RETS];
	int children[MAX_CALLS];
	pthread_mutex_t lock;		/* PTHREAD_PROCESS_SHARED */
};

static struct shared *sh;
static const char *dir;
static int ncalls, port, bad_port, accept_fd = -1;
static struct sockaddr_in ok_addr, bad_addr;
static struct sockaddr_un unix_addr, unix_missing;

static long rawret(long r)
{
	return r < 0 ? -errno : r;
}

/* Returns are counted per value; every positive one (an fd) as 1. */
static void record(long ret)
{
	int i;

	if (ret > 0)
		ret = 1;
	pthread_mutex_lock(&sh->lock);
	for (i = 0; i < sh->nrets && sh->ret_val[i] != ret; i++)
		;
	if (i == sh->nrets && i < MAX_RETS) {
		sh->ret_val[i] = ret;
		sh->nrets++;
	}
	if (i < MAX_RETS)
		sh->ret_cnt[i]++;
	pthread_mutex_unlock(&sh->lock);
}

static int take_call(void)
{
	return __atomic_fetch_add(&sh->next_call, 1, __ATOMIC_SEQ_CST);
}

static void path_of(char *buf, size_t n, const char *what, int k)
{
	snprintf(buf, n, "%s/%s-%d", dir, what, k);
}

static int touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* --- one call per action; returns the syscall's return ----------------- */

/* A call that returns an fd: close it, pass the return on. */
static long closing(long r)
{
	if (r >= 0)
		close(r);
	return r;
}

static long do_open(int k, int fail)
{
	char p[512];

	if (fail)
		path_of(p, sizeof(p), "missing", k);
	else
		snprintf(p, sizeof(p), "%s/existing", dir);
	return closing(rawret(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY, 0)));
}

/* O_CREAT: a new file (create) or, on the failing slot, an existing one (open). */
static long do_create(int k, int fail)
{
	char p[512];

	if (fail)
		snprintf(p, sizeof(p), "%s/existing", dir);
	else
		path_of(p, sizeof(p), "created", k);
	return closing(rawret(syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT, 0600)));
}

static long one_path(int k, int fail, long (*fn)(const char *))
{
	char p[512];

	path_of(p, sizeof(p), fail ? "missing" : "victim", k);
	return fn(p);
}

static long sys_unlink(const char *p) { return rawret(syscall(SYS_unlink, p)); }
static long sys_chmod(const char *p) { return rawret(syscall(SYS_chmod, p, 0600)); }
static long sys_chown(const char *p) { return rawret(syscall(SYS_chown, p, 0, 0)); }
static long sys_truncate(const char *p) { return rawret(syscall(SYS_truncate, p, 7)); }
static long sys_chdir(const char *p) { return rawret(syscall(SYS_chdir, p)); }

static long do_unlink(int k, int fail) { return one_path(k, fail, sys_unlink); }
static long do_chmod(int k, int fail) { return one_path(k, fail, sys_chmod); }
static long do_chown(int k, int fail) { return one_path(k, fail, sys_chown); }
static long do_truncate(int k, int fail) { return one_path(k, fail, sys_truncate); }

static long do_chdir(int k, int fail)
{
	char p[512];

	if (fail)
		path_of(p, sizeof(p), "missing", k);
	else
		snprintf(p, sizeof(p), "%s", dir);
	return sys_chdir(p);
}

static long do_mkdir(int k, int fail)
{
	char p[512];

	if (fail)
		snprintf(p, sizeof(p), "%s/missing-dir/d-%d", dir, k);
	else
		path_of(p, sizeof(p), "dir", k);
	return rawret(syscall(SYS_mkdir, p, 0700));
}

static long do_rename(int k, int fail)
{
	char a[512], b[512];

	path_of(a, sizeof(a), fail ? "missing" : "victim", k);
	path_of(b, sizeof(b), "renamed", k);
	return rawret(syscall(SYS_rename, a, b));
}

static long do_link(int k, int fail)
{
	char a[512], b[512];

	path_of(a, sizeof(a), fail ? "missing" : "victim", k);
	path_of(b, sizeof(b), "linked", k);
	return rawret(syscall(SYS_link, a, b));
}

static long do_symlink(int k, int fail)
{
	char b[512];

	if (fail)
		snprintf(b, sizeof(b), "%s/missing-dir/s-%d", dir, k);
	else
		path_of(b, sizeof(b), "symlink", k);
	return rawret(syscall(SYS_symlink, "symlink-target", b));
}

/* connect: TCP/UDP to the listener (or the closed port), AF_UNIX. */
static long connect_inet(int type, int nonblock, int fail)
{
	int fd = socket(AF_INET, type | (nonblock ? SOCK_NONBLOCK : 0), 0);
	long r;

	if (type == SOCK_DGRAM && fail) /* a too-short address: EINVAL */
		r = rawret(syscall(SYS_connect, fd, &ok_addr, 4));
	else
		r = rawret(syscall(SYS_connect, fd, fail ? &bad_addr : &ok_addr, sizeof(ok_addr)));
	close(fd);
	return r;
}

static long do_connect_tcp(int k, int fail) { (void)k; return connect_inet(SOCK_STREAM, 0, fail); }
static long do_connect_tcp_nb(int k, int fail) { (void)k; return connect_inet(SOCK_STREAM, 1, fail); }
static long do_connect_udp(int k, int fail) { (void)k; return connect_inet(SOCK_DGRAM, 0, fail); }

static long do_connect_unix(int k, int fail)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	long r = rawret(syscall(SYS_connect, fd, fail ? &unix_missing : &unix_addr, sizeof(unix_addr)));

	(void)k;
	close(fd);
	return r;
}

/* accept on the shared listener (the parent connects); the failing slot
 * accepts on a socket that does not listen (EINVAL). */
static long do_accept(int k, int fail)
{
	int fd = fail ? socket(AF_INET, SOCK_STREAM, 0) : accept_fd;
	long r = (k & 1) ? rawret(syscall(SYS_accept4, fd, NULL, NULL, 0)) : rawret(syscall(SYS_accept, fd, NULL, NULL));

	if (fail)
		close(fd);
	return closing(r);
}

static long do_bind(int k, int fail)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long r;

	(void)k;
	inet_pton(AF_INET, fail ? "192.0.2.77" : "127.0.0.1", &a.sin_addr); /* TEST-NET: EADDRNOTAVAIL */
	r = rawret(syscall(SYS_bind, fd, &a, sizeof(a)));
	close(fd);
	return r;
}

static long do_listen(int k, int fail)
{
	int fd = socket(AF_INET, fail ? SOCK_DGRAM : SOCK_STREAM, 0); /* UDP: EOPNOTSUPP */
	long r = rawret(syscall(SYS_listen, fd, 8 + (k & 7)));

	close(fd);
	return r;
}

static long do_socket(int k, int fail)
{
	(void)k;
	return closing(rawret(syscall(SYS_socket, AF_INET, SOCK_STREAM, fail ? 9999 : 0)));
}

static long do_setuid(int k, int fail) { (void)k; return rawret(syscall(SYS_setuid, fail ? -1 : 0)); }
static long do_setgid(int k, int fail) { (void)k; return rawret(syscall(SYS_setgid, fail ? -1 : 0)); }

static long do_capset(int k, int fail)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];

	(void)k;
	syscall(SYS_capget, &h, d);
	if (fail)
		h.version = 0x12345678; /* EINVAL */
	return rawret(syscall(SYS_capset, &h, d));
}

/* PTRACE_ATTACH to a child this thread forked (then detach), or to a pid
 * that cannot exist (ESRCH). */
static long do_ptrace(int k, int fail)
{
	pid_t c;
	long r;

	(void)k;
	if (fail)
		return rawret(syscall(SYS_ptrace, PTRACE_ATTACH, 0x3ffffff0, 0, 0));
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	r = rawret(syscall(SYS_ptrace, PTRACE_ATTACH, c, 0, 0));
	if (r == 0) {
		waitpid(c, NULL, __WALL);
		syscall(SYS_ptrace, PTRACE_DETACH, c, 0, 0);
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, __WALL);
	return r;
}

static long do_memfd(int k, int fail)
{
	char name[32];

	snprintf(name, sizeof(name), "callstorm-%d", k);
	return closing(rawret(syscall(SYS_memfd_create, name, fail ? 0xffff : 0))); /* bad flags: EINVAL */
}

static long do_bpf(int k, int fail)
{
	union bpf_attr a;

	(void)k;
	memset(&a, 0, sizeof(a));
	a.map_type = fail ? 9999 : BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return closing(rawret(syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a))));
}

static long do_unshare(int k, int fail)
{
	(void)k;
	return rawret(syscall(SYS_unshare, fail ? 0x80000000u : CLONE_NEWUTS)); /* unknown flag: EINVAL */
}

static long do_setns(int k, int fail)
{
	int fd = fail ? -1 : open("/proc/self/ns/uts", O_RDONLY);
	long r = rawret(syscall(SYS_setns, fd, CLONE_NEWUTS));

	(void)k;
	if (fd >= 0)
		close(fd);
	return r;
}

/* dup2 onto stdin: /dev/null, or a closed fd (EBADF). */
static long do_dup_stdio(int k, int fail)
{
	int fd = open("/dev/null", O_RDONLY);
	long r = rawret(syscall(SYS_dup2, fail ? 999 : fd, 0));

	(void)k;
	close(fd);
	return r;
}

static long do_mount(int k, int fail)
{
	char p[512];
	long r;

	if (fail)
		path_of(p, sizeof(p), "missing", k);
	else
		path_of(p, sizeof(p), "mnt", k);
	r = rawret(syscall(SYS_mount, "callstorm", p, "tmpfs", 0, NULL));
	if (r == 0)
		umount2(p, MNT_DETACH);
	return r;
}

static long do_module(int k, int fail)
{
	(void)k;
	(void)fail;
	return rawret(syscall(SYS_delete_module, "vigil_callstorm_nope", 0));
}

/* fork/exit: the child exits at once, with 3 on the failing slot. */
static long do_fork(int k, int fail)
{
	pid_t c = fork();

	if (c == 0)
		_exit(fail ? 3 : 0);
	sh->children[k] = c;
	waitpid(c, NULL, 0);
	return 0;
}

static char exec_ok[512];

/* exec: the child runs exec_ok, or a path that does not exist (ENOENT). */
static long do_exec(int k, int fail)
{
	char missing[512];
	int st = 0;
	pid_t c;

	path_of(missing, sizeof(missing), "missing-exe", k);
	c = fork();
	if (c == 0) {
		char *argv[] = { fail ? missing : exec_ok, NULL };

		syscall(SYS_execve, argv[0], argv, environ);
		_exit(100 + errno);
	}
	sh->children[k] = c;
	waitpid(c, &st, 0);
	return WEXITSTATUS(st) >= 100 ? -(WEXITSTATUS(st) - 100) : 0;
}

/* Per-call setup done by the parent before any worker starts. */
static void prepare_victims(void)
{
	char p[512];
	int k;

	for (k = 0; k < ncalls; k++) {
		path_of(p, sizeof(p), "victim", k);
		touch(p);
	}
}

static void prepare_mounts(void)
{
	char p[512];
	int k;

	for (k = 0; k < ncalls; k++) {
		path_of(p, sizeof(p), "mnt", k);
		mkdir(p, 0700);
	}
}

static const struct action {
	const char *name;
	long (*fn)(int k, int fail);
	void (*prepare)(void);
} actions[] = {
	{ "open", do_open, NULL },
	{ "create", do_create, NULL },
	{ "unlink", do_unlink, prepare_victims },
	{ "rename", do_rename, prepare_victims },
	{ "chmod", do_chmod, prepare_victims },
	{ "chown", do_chown, prepare_victims },
	{ "link", do_link, prepare_victims },
	{ "symlink", do_symlink, NULL },
	{ "truncate", do_truncate, prepare_victims },
	{ "mkdir", do_mkdir, NULL },
	{ "chdir", do_chdir, NULL },
	{ "connect-tcp", do_connect_tcp, NULL },
	{ "connect-tcp-nb", do_connect_tcp_nb, NULL },
	{ "connect-udp", do_connect_udp, NULL },
	{ "connect-unix", do_connect_unix, NULL },
	{ "accept", do_accept, NULL },
	{ "bind", do_bind, NULL },
	{ "listen", do_listen, NULL },
	{ "socket", do_socket, NULL },
	{ "setuid", do_setuid, NULL },
	{ "setgid", do_setgid, NULL },
	{ "capset", do_capset, NULL },
	{ "ptrace", do_ptrace, NULL },
	{ "memfd-create", do_memfd, NULL },
	{ "bpf", do_bpf, NULL },
	{ "unshare", do_unshare, NULL },
	{ "setns", do_setns, NULL },
	{ "dup-stdio", do_dup_stdio, NULL },
	{ "mount", do_mount, prepare_mounts },
	{ "module", do_module, NULL },
	{ "fork", do_fork, NULL },
	{ "exec", do_exec, NULL },
};

static const struct action *act;

static void *worker_thread(void *arg)
{
	int k;

	(void)arg;
	while ((k = take_call()) < ncalls)
		record(act->fn(k, k % 4 == 3));
	return NULL;
}

static void worker(int threads)
{
	pthread_t t[64];
	int i;

	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker_thread, NULL);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

/* TCP listener on 127.0.0.1 and a bound, non-listening port (refuses). */
static void prepare_net(void)
{
	socklen_t len = sizeof(ok_addr);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd = socket(AF_INET, SOCK_STREAM, 0);
	int ufd = socket(AF_UNIX, SOCK_STREAM, 0);

	ok_addr.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &ok_addr.sin_addr);
	bad_addr = ok_addr;
	bind(lfd, (struct sockaddr *)&ok_addr, sizeof(ok_addr));
	listen(lfd, 4096);
	getsockname(lfd, (struct sockaddr *)&ok_addr, &len);
	bind(cfd, (struct sockaddr *)&bad_addr, sizeof(bad_addr));
	len = sizeof(bad_addr);
	getsockname(cfd, (struct sockaddr *)&bad_addr, &len);
	port = ntohs(ok_addr.sin_port);
	bad_port = ntohs(bad_addr.sin_port);
	accept_fd = lfd;
	unix_addr.sun_family = AF_UNIX;
	snprintf(unix_addr.sun_path, sizeof(unix_addr.sun_path), "%s/sock", dir);
	unix_missing = unix_addr;
	snprintf(unix_missing.sun_path, sizeof(unix_missing.sun_path), "%s/missing-sock", dir);
	bind(ufd, (struct sockaddr *)&unix_addr, sizeof(unix_addr));
	listen(ufd, 4096);
}

/* accept: the parent makes one connection per succeeding slot. */
static void connect_for_accept(void)
{
	int k;

	for (k = 0; k < ncalls; k++) {
		int fd;

		if (k % 4 == 3)
			continue;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		connect(fd, (struct sockaddr *)&ok_addr, sizeof(ok_addr));
		close(fd);
	}
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_PROCS];
	pthread_mutexattr_t ma;
	int procs, threads, i;
	char existing[512];

	if (argc != 6) {
		fprintf(stderr, "usage: callstorm ACTION N PROCS THREADS DIR\n");
		return 2;
	}
	for (i = 0; i < (int)(sizeof(actions) / sizeof(actions[0])); i++)
		if (!strcmp(argv[1], actions[i].name))
			act = &actions[i];
	ncalls = atoi(argv[2]);
	procs = atoi(argv[3]);
	threads = atoi(argv[4]);
	dir = argv[5];
	if (!act || ncalls <= 0 || ncalls > MAX_CALLS || procs <= 0 || procs > MAX_PROCS || threads <= 0 ||
	    threads > 64) {
		fprintf(stderr, "callstorm: unknown action or bad counts\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &ma);
	snprintf(existing, sizeof(existing), "%s/existing", dir);
	touch(existing);
	snprintf(exec_ok, sizeof(exec_ok), "%s/callstorm-true", dir);
	prepare_net();
	if (act->prepare)
		act->prepare();
	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			worker(threads);
			_exit(0);
		}
	}
	if (act->fn == do_accept)
		connect_for_accept();
	for (i = 0; i < procs; i++)
		waitpid(pids[i], NULL, 0);

	printf("{\"action\":\"%s\",\"calls\":%d,\"rets\":{", act->name, ncalls);
	for (i = 0; i < sh->nrets; i++)
		printf("%s\"%ld\":%d", i ? "," : "", sh->ret_val[i], sh->ret_cnt[i]);
	printf("},\"pids\":[");
	for (i = 0; i < procs; i++)
		printf("%s%d", i ? "," : "", pids[i]);
	printf("],\"children\":[");
	if (act->fn == do_fork || act->fn == do_exec)
		for (i = 0; i < ncalls; i++)
			printf("%s%d", i ? "," : "", sh->children[i]);
	printf("],\"port\":%d,\"bad_port\":%d}\n", port, bad_port);
	return 0;
}
