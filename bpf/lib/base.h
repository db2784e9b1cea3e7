/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Lowest layer: includes, tunables and counters. Depends on nothing else
 * in lib/. Layering: base -> task -> path -> record -> syscall. */
#ifndef __VIGIL_BASE_H
#define __VIGIL_BASE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "maps.h"

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/* Tunables, set by the loader through rodata before load. */
const volatile __u64 wakeup_bytes = 256 * 1024; /* wake consumer past this backlog */
const volatile __u64 capture_all = 0;	/* 1: no default-profile filter or dedup */
const volatile __u64 dedup_ns = 1000000000; /* open dedup window, 0: off */
const volatile __u64 exec_wake_ns = 0;	/* exec records wake the loader at most this often; 0: never */

static __always_inline void stats__add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

/* True when the current process is one the agent asked us to ignore. */
static __always_inline bool filter__is_self(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (bpf_map_lookup_elem(&self_tgids, &tgid)) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return true;
	}
	return false;
}

#endif /* __VIGIL_BASE_H */
