/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Vigil record layouts: the single source of truth shared by the BPF
 * probes, the C loader and (mirrored, checked by test/decode/layout.test.ts)
 * the TypeScript decoder. Never include vmlinux.h here.
 *
 * A record is: struct vigil_hdr, then one fixed body chosen by hdr.type,
 * then hdr.nstr strings. Each string is a __u16 byte length followed by that
 * many bytes (no NUL). Records are 8-byte aligned in the ring buffer and
 * hdr.size counts header + body + strings.
 */
#ifndef __VIGIL_EVENTS_H
#define __VIGIL_EVENTS_H

#ifdef __VIGIL_USERSPACE
#include <linux/types.h>
#endif

/* Stable wire numbers. Ranges: 1-9 process, 10-29 file, 30-39 net,
 * 40-69 privilege. Never reuse a retired number. */
enum vigil_event_type {
	VIGIL_EV_UNSPECIFIED = 0,
	VIGIL_EV_EXEC = 1,
	VIGIL_EV_FORK = 2,
	VIGIL_EV_EXIT = 3,

	VIGIL_EV_OPEN = 10,
	VIGIL_EV_CREATE = 11,
	VIGIL_EV_UNLINK = 12,
	VIGIL_EV_RENAME = 13,
	VIGIL_EV_CHMOD = 14,
	VIGIL_EV_CHOWN = 15,
	VIGIL_EV_LINK = 16,
	VIGIL_EV_SYMLINK = 17,
	VIGIL_EV_TRUNCATE = 18,
	VIGIL_EV_MKDIR = 19,
	VIGIL_EV_CHDIR = 20,

	VIGIL_EV_CONNECT = 30,
	VIGIL_EV_ACCEPT = 31,
	VIGIL_EV_BIND = 32,
	VIGIL_EV_LISTEN = 33,
	VIGIL_EV_SOCKET = 34,
	VIGIL_EV_TCP_STATE = 35,

	VIGIL_EV_SETUID = 40,
	VIGIL_EV_SETGID = 41,
	VIGIL_EV_CAPSET = 42,
	VIGIL_EV_PTRACE = 43,
	VIGIL_EV_MODULE_LOAD = 44,
	VIGIL_EV_MODULE_UNLOAD = 45,
	VIGIL_EV_BPF = 46,
	VIGIL_EV_MEMFD_CREATE = 47,
	VIGIL_EV_MOUNT = 48,
	VIGIL_EV_UMOUNT = 49,
	VIGIL_EV_UNSHARE = 50,
	VIGIL_EV_SETNS = 51,
	VIGIL_EV_DUP_STDIO = 52,
	VIGIL_EV_SET_NAME = 53,

	VIGIL_EV_MAX = 64,
};

/* hdr.flags */
#define VIGIL_F_TRUNCATED	(1 << 0) /* a string or argv was cut to fit */
#define VIGIL_F_PATH_UNRESOLVED	(1 << 1) /* relative path whose base dir could not be read */
#define VIGIL_F_NO_TASK_CTX	(1 << 2) /* fired in softirq: the task fields are whoever was running */
#define VIGIL_F_THREAD		(1 << 3) /* fork: a thread, not a new process */
#define VIGIL_F_DENIED		(1 << 4) /* exec: the image is blocked; SIGKILL sent before it ran */
#define VIGIL_F_RESPONDED	(1 << 5) /* exec: a kernel response (respond_exec) acted before the image ran */

#define VIGIL_COMM_LEN		16
#define VIGIL_PATH_MAX		1024	/* per path string, bytes */
#define VIGIL_ARGS_MAX		4096	/* exec argv blob, NUL-separated */
#define VIGIL_ENV_MAX		2048	/* exec environment head, NUL-separated */
#define VIGIL_MAX_STRS		4
#define VIGIL_PATH_DEPTH	32	/* dentry components walked */
#define VIGIL_RECORD_MAX	8192	/* largest record a probe may build */

struct vigil_hdr {
	__u16 type;		/* enum vigil_event_type */
	__u16 size;		/* bytes: header + body + strings */
	__u16 flags;		/* VIGIL_F_* */
	__u16 nstr;		/* strings following the body */
	__u64 ts_ns;		/* CLOCK_BOOTTIME of the event */
	__u64 start_boottime;	/* group leader's start_boottime, ns: process identity */
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__u32 tgid;		/* process id */
	__u32 tid;		/* thread id */
	__u32 ppid;		/* real_parent's tgid */
	__u32 uid;		/* real uid */
	__u32 gid;		/* real gid */
	__u32 euid;		/* effective uid */
	__u32 loginuid;		/* audit login uid, 4294967295 when unset */
	__u32 mnt_ns;		/* mount namespace inode */
	__u32 pid_ns;		/* pid namespace inode */
	__u32 pad0;
	char comm[VIGIL_COMM_LEN]; /* task comm, NUL padded */
};

/* VIGIL_EV_EXEC. Strings: [0] executable path (resolved from mm->exe_file,
 * or the filename argument on failure), [1] argv NUL-separated, [2] cwd,
 * [3] the first VIGIL_ENV_MAX bytes of the environment, NUL-separated (the
 * collector keeps only the variables it watches: LD_PRELOAD and kin).
 * Failed execs are reported from sys_exit with ret < 0. */
struct vigil_exec_body {
	__s32 ret;		/* 0 on success, -errno on failure */
	__u32 args_size;	/* full argv bytes in the process, before truncation */
	__u32 exe_ino;		/* inode of the executable */
	__u32 exe_nlink;	/* 0 when the executable was deleted or is a memfd */
	/* With VIGIL_F_RESPONDED (zero otherwise): */
	__u32 respond_rule;	/* the agent's index of the rule that asked */
	__u16 respond_action;	/* enum vigil_respond_action */
	__u16 respond_refused;	/* 1: the tree holds the agent; 2: rate limited; 3: the executable
				 * is on the response allow-list. Nothing signalled */
	__u32 respond_signalled; /* processes sent SIGKILL, the exec'ing one included */
	__u32 respond_ns;	/* from the exec to the last signal sent, ns */
};

/* VIGIL_EV_FORK: header is the parent. No strings. */
struct vigil_fork_body {
	__u32 child_pid;	/* child tgid */
	__u32 child_tid;	/* child thread id */
	__u64 child_start_boottime; /* child's start_boottime, ns */
};

/* VIGIL_EV_EXIT: emitted once per process, when its last thread exits. */
struct vigil_exit_body {
	__s32 exit_code;	/* (status >> 8) & 0xff */
	__s32 signal;		/* terminating signal, 0 if none */
	__u32 core_dumped;	/* 1 if a core was dumped */
	__u32 pad0;
};

/* All file actions. Strings: [0] path as given, [1] base dir for [0] when
 * it was relative (empty otherwise), [2] second path (rename new, link new,
 * symlink linkpath), [3] base dir for [2]. Userspace joins and normalises. */
struct vigil_file_body {
	__s32 ret;		/* syscall return: fd, 0, or -errno */
	__s32 dirfd;		/* dirfd argument, -100 for AT_FDCWD */
	__u32 flags;		/* open flags, unlinkat/renameat2/linkat flags */
	__u32 mode;		/* open/creat/mkdir/chmod mode */
	__u32 owner_uid;	/* chown uid, 4294967295 = unchanged */
	__u32 owner_gid;	/* chown gid */
	__s64 length;		/* truncate length */
	__u32 syscall_nr;	/* x86_64 syscall number, for the variant */
	__u32 repeat;		/* identical events folded into this one (dedup) */
};

/* All network actions. Addresses are network order, IPv4 in the first 4
 * bytes. For connect the destination comes from the user sockaddr and the
 * source from the socket after the call. Strings: [0] AF_UNIX path. */
struct vigil_net_body {
	__s32 ret;		/* syscall return */
	__s32 fd;		/* socket fd (accept: the new fd) */
	__u16 family;		/* AF_* */
	__u16 type;		/* SOCK_* (socket type without flags) */
	__u16 protocol;		/* IPPROTO_* */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u16 old_state;	/* tcp-state: TCP_* before */
	__u16 new_state;	/* tcp-state: TCP_* after */
	__u16 pad0;
	__u32 backlog;		/* listen backlog */
	__u8 saddr[16];		/* local address */
	__u8 daddr[16];		/* remote address */
};

/* Privilege and system actions. Meaning of arg[] per type:
 *  SETUID/SETGID: [0..2] new real/effective/saved id (-1 unchanged), [3] syscall nr
 *  CAPSET: [0] effective, [1] permitted, [2] inheritable (after the call), [3] target pid
 *  PTRACE: [0] request, [1] target pid, [2] addr
 *  MODULE_LOAD: [0] finit fd or -1, [1] image len, [2] flags; str[0] module
 *    file path (finit), str[1] params
 *  MODULE_UNLOAD: [0] flags; str[0] module name
 *  BPF: [0] cmd, [1] prog type (PROG_LOAD), [2] attr size; str[0] prog name
 *  MEMFD_CREATE: [0] flags; str[0] name
 *  MOUNT: [0] flags; str[0] source, str[1] target, str[2] fstype
 *  UMOUNT: [0] flags; str[0] target
 *  UNSHARE: [0] clone flags
 *  SETNS: [0] fd, [1] nstype; str[0] what fd refers to ("mnt:[4026531840]")
 *  DUP_STDIO: [0] oldfd, [1] newfd, [2] S_IFMT of oldfd's inode,
 *    [3] socket family (a pipe: its inode number), [4] socket type,
 *    [5] syscall nr; str[0] path or peer
 *  SET_NAME: prctl(PR_SET_NAME) by a process's main thread: [0] option;
 *    str[0] the new name (the header's comm is already the new one)
 */
struct vigil_priv_body {
	__s32 ret;		/* syscall return */
	__u32 pad0;
	__u64 arg[6];		/* see table above */
};

/* Indices of the per-CPU counter array `stats`. Every record a probe starts
 * ends in exactly one of: EVENTS (shipped), DROPS (ring full), FILTERED
 * (the profile did not want it) or one ABANDONED_* reason. */
enum vigil_stat {
	VIGIL_STAT_EVENTS = 0,	/* records submitted */
	VIGIL_STAT_DROPS = 1,	/* ring buffer full: record lost */
	VIGIL_STAT_TRUNCATED = 2, /* records with VIGIL_F_TRUNCATED */
	VIGIL_STAT_FILTERED = 3, /* dropped in kernel by filters */
	VIGIL_STAT_DEDUPED = 4,	/* folded into a later record's repeat count */
	VIGIL_STAT_ABANDONED_SCRATCH = 5, /* no per-CPU scratch to build in */
	VIGIL_STAT_ABANDONED_SIZE = 6,	/* record built with an impossible size */
	VIGIL_STAT_MAX = 16,
};

/* The STATS frame key of each counter (agent/loader/frames.h), in enum
 * order: the loader emits exactly these, and the collector's table is
 * checked against this list (test/decode/kernel-stats.test.ts). */
#define VIGIL_STAT_KEYS(X)					\
	X(VIGIL_STAT_EVENTS, "events")				\
	X(VIGIL_STAT_DROPS, "drops")				\
	X(VIGIL_STAT_TRUNCATED, "truncated")			\
	X(VIGIL_STAT_FILTERED, "filtered")			\
	X(VIGIL_STAT_DEDUPED, "deduped")			\
	X(VIGIL_STAT_ABANDONED_SCRATCH, "abandoned_scratch")	\
	X(VIGIL_STAT_ABANDONED_SIZE, "abandoned_size")

/* exec_block key (bpf/lib/maps.h): an executable by inode and device, the
 * device in the kernel's encoding (major << 20 | minor, as sb->s_dev). */
struct vigil_exec_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/* kill_tree (bpf/lib/maps.h): tgids whose process tree is being killed.
 * A process whose tgid or one of its nearest VIGIL_KILL_TREE_DEPTH
 * ancestors' is in it gets SIGKILL when it forks or execs. */
#define VIGIL_KILL_TREE_MAX 8192
#define VIGIL_KILL_TREE_DEPTH 8

/* respond_rules (bpf/lib/respond.h): rules the kernel carries out itself
 * at exec, before the new image runs, keyed by the executable's file name
 * (NUL padded). The agent puts a rule here only when that name alone
 * decides its match (Image|endswith '/NAME', nothing else) and its response
 * is kill or kill-tree. */
#define VIGIL_RESPOND_NAME_MAX	64
#define VIGIL_RESPOND_MAX	1024	/* names */
#define VIGIL_RESPOND_RULES_MAX	256	/* rule indexes, for the rate limit */
#define VIGIL_RESPOND_DEPTH	32	/* ancestors walked to find a tree's members */
#define VIGIL_RESPOND_SPARE_MAX	256	/* respond_spare: executables no response touches */

enum vigil_respond_action {
	VIGIL_RESPOND_KILL = 1,		/* the exec'ing process */
	VIGIL_RESPOND_KILL_TREE = 2,	/* it and every descendant */
};

struct vigil_respond_rule {
	__u32 rule;		/* index < VIGIL_RESPOND_RULES_MAX */
	__u32 action;		/* enum vigil_respond_action */
	__u32 per_minute;	/* at most this many per rule per minute */
	__u32 pad;
};

/* isolate_allow4 key (bpf/isolate.bpf.c): an IPv4 endpoint an isolated
 * cgroup may still reach, address and port in network byte order; port 0
 * allows every port of the address. Not a record. */
#define VIGIL_ISOLATE_ALLOW_MAX 64
struct vigil_allow4_key {
	__u32 addr;
	__u16 port;
	__u16 pad;
};

/* IPv6 endpoint an isolated tree may reach (network byte order; port 0: any). */
struct vigil_allow6_key {
	__u32 addr[4];
	__u16 port;
	__u16 pad;
};

/* Kernel filter state the loader writes at run time (bpf/lib/maps.h:
 * filter_cfg, read_watch). Not a record: never crosses the ring buffer. */
struct vigil_filter_cfg {
	__u32 read_filter;	/* 1: read-only opens ship only if watched */
	__u32 pad;
	__u64 file_lens;	/* bit n: a VIGIL_WATCH_FILE name has length n */
	__u64 dir_lens;		/* the same for VIGIL_WATCH_DIR names */
};

/* read_watch key: a dentry name, NUL-padded. Longer names are cut to
 * VIGIL_WATCH_NAME_MAX - 1 bytes on both sides and share length bit 31. */
#define VIGIL_WATCH_NAME_MAX	32
/* filter_cfg length-mask bit for a name of len bytes (kernel and loader). */
#define VIGIL_WATCH_LEN_BIT(len) (1ULL << ((len) < 31 ? (len) : 31))
#define VIGIL_WATCH_FILE	1	/* the opened file has this name */
#define VIGIL_WATCH_DIR		2	/* the opened file's directory has this name */

#endif /* __VIGIL_EVENTS_H */
