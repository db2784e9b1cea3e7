// SPDX-License-Identifier: Apache-2.0
/* sysprobe: make exactly one kind of syscall so e2e tests can trigger a
 * probe precisely. Every subcommand prints one JSON line on stdout:
 * {"pid":N,"ret":N,"errno":N,...extra}, and exits 0 even when the syscall
 * failed (failures are often the point). Usage: sysprobe <cmd> [args]. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(long ret, const char *extra)
{
	printf("{\"pid\":%d,\"ret\":%ld,\"errno\":%d%s%s}\n", getpid(), ret,
	       ret < 0 ? errno : 0, extra ? "," : "", extra ? extra : "");
	fflush(stdout);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in sin6 */
}

/* TCP connect to host:port (IPv4 or IPv6 literal); fd stays open. */
static int tcp_connect(const char *host, int port, long *ret)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int v6 = strchr(host, ':') != NULL;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	if (v6)
		inet_pton(AF_INET6, host, &s6.sin6_addr);
	else
		inet_pton(AF_INET, host, &s4.sin_addr);
	*ret = v6 ? connect(fd, (struct sockaddr *)&s6, sizeof(s6)) : connect(fd, (struct sockaddr *)&s4, sizeof(s4));
	return fd;
}

static int cmd_tcp_connect(char **av)
{
	char extra[64];
	long ret;
	int fd = tcp_connect(av[0], atoi(av[1]), &ret);

	snprintf(extra, sizeof(extra), "\"fd\":%d,\"sport\":%d", fd, local_port(fd));
	report(ret, extra);
	usleep(200 * 1000); /* let the handshake's state changes land first */
	close(fd);
	return 0;
}

/* connect() on an O_NONBLOCK IPv4 socket: usually EINPROGRESS, then the
 * handshake finishes outside the syscall. */
static int cmd_tcp_connect_nb(char **av)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(av[1])) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	char extra[64];
	long ret;

	inet_pton(AF_INET, av[0], &a.sin_addr);
	ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
	snprintf(extra, sizeof(extra), "\"fd\":%d,\"sport\":%d", fd, local_port(fd));
	report(ret, extra);
	usleep(200 * 1000);
	close(fd);
	return 0;
}

/* Listen on 127.0.0.1:0 with a backlog, print the port, accept one peer. */
static int cmd_tcp_serve(char **av)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	char extra[96];
	int fd = socket(AF_INET, SOCK_STREAM, 0), c;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	snprintf(extra, sizeof(extra), "\"fd\":%d,\"port\":%d", fd, local_port(fd));
	report(listen(fd, atoi(av[0])), extra);
	alarm(20);
	c = accept(fd, (struct sockaddr *)&peer, &plen);
	snprintf(extra, sizeof(extra), "\"fd\":%d,\"peer_port\":%d", c, ntohs(peer.sin_port));
	report(c, extra);
	close(c);
	close(fd);
	return 0;
}

static int cmd_socket(char **av)
{
	report(socket(atoi(av[0]), atoi(av[1]), atoi(av[2])), NULL);
	return 0;
}

static int cmd_bind_unix(char **av)
{
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	long ret;

	strncpy(u.sun_path, av[0], sizeof(u.sun_path) - 1);
	ret = bind(fd, (struct sockaddr *)&u, sizeof(u));
	report(ret, NULL);
	unlink(av[0]);
	return 0;
}

/* AF_UNIX listener on PATH (all of sun_path used, no NUL, when PATH is
 * 108 bytes), one connect to it and its accept. */
static int cmd_unix_accept(char **av)
{
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
	long ret;

	memcpy(u.sun_path, av[0], strnlen(av[0], sizeof(u.sun_path)));
	if (bind(l, (struct sockaddr *)&u, sizeof(u)) || listen(l, 1) || connect(c, (struct sockaddr *)&u, sizeof(u))) {
		report(-1, NULL);
		return 0;
	}
	ret = accept(l, NULL, NULL);
	report(ret, NULL);
	unlink(av[0]);
	return 0;
}

/* Drop to gid then uid, as a daemon does. */
static int cmd_setid(char **av)
{
	long g = setgid(atoi(av[1]));
	long u = setuid(atoi(av[0]));
	char extra[64];

	snprintf(extra, sizeof(extra), "\"setgid\":%ld,\"uid\":%d,\"euid\":%d", g, getuid(), geteuid());
	report(u, extra);
	return 0;
}

/* Drop CAP_NET_RAW (13) from effective and permitted. */
static int cmd_capset(char **av)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	char extra[96];
	long ret;

	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1u << 13);
	d[0].permitted &= ~(1u << 13);
	ret = syscall(SYS_capset, &h, d);
	snprintf(extra, sizeof(extra), "\"effective\":\"%u\",\"permitted\":\"%u\",\"effective_hi\":\"%u\"",
		 d[0].effective, d[0].permitted, d[1].effective);
	report(ret, extra);
	return 0;
}

static int cmd_ptrace_attach(char **av)
{
	pid_t child = fork();
	char extra[32];
	long ret;

	if (child == 0) {
		pause();
		_exit(0);
	}
	ret = ptrace(PTRACE_ATTACH, child, 0, 0);
	if (ret == 0) {
		waitpid(child, NULL, __WALL);
		ptrace(PTRACE_DETACH, child, 0, 0);
	}
	snprintf(extra, sizeof(extra), "\"child\":%d", child);
	report(ret, extra);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

/* A garbage image: the kernel must refuse it. */
static int cmd_init_module(char **av)
{
	static char image[512] = "not an ELF module";

	report(syscall(SYS_init_module, image, sizeof(image), av[0]), NULL);
	return 0;
}

static int cmd_finit_module(char **av)
{
	int fd = open(av[0], O_RDONLY);

	report(syscall(SYS_finit_module, fd, av[1], 0), NULL);
	return 0;
}

static int cmd_delete_module(char **av)
{
	report(syscall(SYS_delete_module, av[0], O_NONBLOCK), NULL);
	return 0;
}

/* Load "r0 = 0; exit" as a socket filter named av[0]. */
static int cmd_bpf_prog_load(char **av)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)insns;
	attr.license = (unsigned long)"GPL";
	/* All 16 bytes when the name is that long: no NUL, which the kernel
	 * refuses (EINVAL) and a probe must report as cut. */
	memcpy(attr.prog_name, av[0], strnlen(av[0], sizeof(attr.prog_name)));
	report(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)), NULL);
	return 0;
}

static int cmd_memfd(char **av)
{
	report(memfd_create(av[0], MFD_CLOEXEC), NULL);
	return 0;
}

static int cmd_mount_tmpfs(char **av)
{
	long m = mount(av[1], av[0], "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
	char extra[32];

	snprintf(extra, sizeof(extra), "\"umount\":%d", m == 0 ? umount2(av[0], MNT_DETACH) : -1);
	report(m, extra);
	return 0;
}

static int cmd_unshare(char **av)
{
	report(unshare(CLONE_NEWNS | CLONE_NEWUTS), NULL);
	return 0;
}

static int cmd_setns_uts(char **av)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY);
	char extra[32];

	snprintf(extra, sizeof(extra), "\"fd\":%d", fd);
	report(setns(fd, CLONE_NEWUTS), extra);
	return 0;
}

/* Reverse-shell shape: a connected TCP socket becomes stdout. The JSON
 * goes out first, while stdout is still the pipe. */
static int cmd_dup2_socket(char **av)
{
	char extra[64];
	long ret;
	int fd = tcp_connect("127.0.0.1", atoi(av[0]), &ret);

	snprintf(extra, sizeof(extra), "\"fd\":%d,\"sport\":%d", fd, local_port(fd));
	report(ret, extra);
	if (dup2(fd, 1) < 0)
		return 1;
	close(fd);
	return 0;
}

static int cmd_dup2_file(char **av)
{
	int fd = open(av[0], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char extra[32];

	snprintf(extra, sizeof(extra), "\"fd\":%d", fd);
	report(fd, extra);
	return dup2(fd, 2) < 0;
}

static const struct {
	const char *name;
	int argc;
	int (*fn)(char **av);
	const char *usage;
} cmds[] = {
	{ "tcp-connect", 2, cmd_tcp_connect, "HOST PORT" },
	{ "tcp-connect-nb", 2, cmd_tcp_connect_nb, "HOST PORT" },
	{ "tcp-serve", 1, cmd_tcp_serve, "BACKLOG" },
	{ "socket", 3, cmd_socket, "FAMILY TYPE PROTOCOL (numbers)" },
	{ "bind-unix", 1, cmd_bind_unix, "PATH" },
	{ "unix-accept", 1, cmd_unix_accept, "PATH" },
	{ "setid", 2, cmd_setid, "UID GID" },
	{ "capset", 0, cmd_capset, "" },
	{ "ptrace-attach", 0, cmd_ptrace_attach, "" },
	{ "init-module", 1, cmd_init_module, "PARAMS" },
	{ "finit-module", 2, cmd_finit_module, "FILE PARAMS" },
	{ "delete-module", 1, cmd_delete_module, "NAME" },
	{ "bpf-prog-load", 1, cmd_bpf_prog_load, "NAME" },
	{ "memfd", 1, cmd_memfd, "NAME" },
	{ "mount-tmpfs", 2, cmd_mount_tmpfs, "DIR SOURCE" },
	{ "unshare", 0, cmd_unshare, "" },
	{ "setns-uts", 0, cmd_setns_uts, "" },
	{ "dup2-socket", 1, cmd_dup2_socket, "PORT" },
	{ "dup2-file", 1, cmd_dup2_file, "PATH" },
};

int main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc - 2 != cmds[i].argc) {
			fprintf(stderr, "usage: sysprobe %s %s\n", cmds[i].name, cmds[i].usage);
			return 2;
		}
		return cmds[i].fn(argv + 2);
	}
	fprintf(stderr, "usage: sysprobe <command> [args]; commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s %s\n", cmds[i].name, cmds[i].usage);
	return 2;
}
