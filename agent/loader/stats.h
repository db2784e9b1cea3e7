/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* STATS and READY frames: kernel counters, clock offset, probe status. */
#ifndef __VIGIL_STATS_H
#define __VIGIL_STATS_H

#include <stdbool.h>
#include <linux/types.h>
#include "loader.h"
#include "events.h"

/* Kernel totals, indexed by enum vigil_stat. */
struct vigil_counters {
	__u64 v[VIGIL_STAT_MAX];
};

/* Sum the per-CPU `stats` map. 0 or -errno. */
int stats__read(int stats_fd, struct vigil_counters *c);
/* Emit a STATS or READY frame (kind from frames.h). 0 or -errno.
 * read_watch: names in the read watch, -1 while reads ship unfiltered.
 * with_runtime: add each program's run_ns/run_cnt (needs --bpf-stats). */
int stats__emit(__u16 kind, int stats_fd, const struct vigil_probes *p, __u32 ringbuf_bytes, int read_watch,
		bool with_runtime);

#endif /* __VIGIL_STATS_H */
