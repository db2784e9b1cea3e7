/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Maps shared by every probe object. Each .bpf.o declares them; the loader
 * creates them once (from the first object) and reuses the fds in the rest,
 * so all families write one ring buffer and one set of counters. */
#ifndef __VIGIL_MAPS_H
#define __VIGIL_MAPS_H

#include "events.h"

/* Records to the loader. Size is set by the loader (--ringbuf-size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* enum vigil_stat counters, per CPU so hot paths never contend. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* tgids whose events are dropped in kernel: the agent and its loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} self_tgids SEC(".maps");

/* Default-profile filters, filled by the loader from what the rules need
 * (see bpf/lib/open_filter.h). One element. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_filter_cfg);
} filter_cfg SEC(".maps");

/* Dentry names whose read-only opens still ship: VIGIL_WATCH_* bits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[VIGIL_WATCH_NAME_MAX]);
	__type(value, __u8);
} read_watch SEC(".maps");

/* Executables killed at exec, before their first instruction (response:
 * the agent's --block-exec). Value unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vigil_exec_key);
	__type(value, __u8);
} exec_block SEC(".maps");

/* Trees being killed (response kill-tree, bpf/process.bpf.c): the agent
 * puts the root's tgid here, the kernel adds each member it catches forking
 * (so the member's children stay doomed once it is reaped and they are
 * reparented), and an exiting process leaves (pids are reused). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_KILL_TREE_MAX);
	__type(key, __u32);
	__type(value, __u8);
} kill_tree SEC(".maps");

/* Per-CPU buffer a record is built in before it is copied to the ring.
 * Twice the record size so masked offsets never need a bounds check. */
struct vigil_scratch {
	__u8 buf[VIGIL_RECORD_MAX * 2];
	__u64 dentries[VIGIL_PATH_DEPTH]; /* path walk: component name ptrs */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_scratch);
} scratch SEC(".maps");

/* Syscall arguments, read at sys_exit (lib/syscall.h). */
struct vigil_args {
	__u64 nr;		/* syscall number */
	__u64 a[6];		/* raw arguments */
};

#endif /* __VIGIL_MAPS_H */
