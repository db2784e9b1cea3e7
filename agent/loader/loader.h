/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types shared by the loader's modules: options, probe families and the
 * per-program status reported in READY/STATS frames. */
#ifndef __VIGIL_LOADER_H
#define __VIGIL_LOADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define VIGIL_MAX_SELF_PIDS	32
#define VIGIL_MAX_PROBES	256
#define VIGIL_ERR_LEN		96

enum vigil_family_id {
	VIGIL_FAM_PROCESS = 0,
	VIGIL_FAM_FILE,
	VIGIL_FAM_NET,
	VIGIL_FAM_PRIV,
	VIGIL_FAM_COUNT,
};

struct vigil_opts {
	const char *btf_path;		/* NULL: libbpf finds /sys/kernel/btf/vmlinux */
	__u32 ringbuf_size;		/* bytes, power of two */
	__u64 wakeup_bytes;		/* rodata tunable, <= ringbuf_size / 2 */
	int poll_ms;
	int stats_interval_ms;
	bool disabled[VIGIL_FAM_COUNT];
	__u32 self_pids[VIGIL_MAX_SELF_PIDS];
	int n_self_pids;
	bool capture_all;		/* --capture all: no default-profile filter */
	__u64 dedup_ns;			/* open dedup window, 0: off */
	bool bpf_stats;			/* --bpf-stats: per-program run time in STATS */
	__u64 exec_wake_ns;		/* --exec-wakeup: exec records wake us, at most this often */
	bool stdin_watch;
	bool verbose;
};

/* One BPF program's fate, as the collector sees it. */
struct vigil_probe {
	char name[64];
	char section[96];
	const char *family;
	bool attached;
	int prog_fd;			/* -1 when not loaded; not owned */
	char error[VIGIL_ERR_LEN];	/* empty when attached */
};

struct vigil_probes {
	struct vigil_probe list[VIGIL_MAX_PROBES];
	int n;
};

/* main.c: set by the signal handler, polled by every loop. */
extern volatile sig_atomic_t vigil_stop;

#endif /* __VIGIL_LOADER_H */
