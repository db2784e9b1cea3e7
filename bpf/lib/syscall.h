/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Enter/exit pairing: stash raw args at sys_enter keyed by tid, fetch and
 * delete them at sys_exit. User memory is read at exit, when it is paged in. */
#ifndef __VIGIL_SYSCALL_H
#define __VIGIL_SYSCALL_H

#include "path.h"

static __always_inline int syscall__stash(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_args a = {};

	if (filter__is_self())
		return 0;
	a.nr = ctx->id;
	/* By helper, not direct loads: attach refuses (EACCES) a program whose
	 * ctx loads reach past the tracepoint's own fields, and sys_enter_X
	 * only has X's argument count. Slots past that read as garbage. */
	bpf_probe_read_kernel(a.a, sizeof(a.a), ctx->args);
	bpf_map_update_elem(&inflight, &tid, &a, BPF_ANY);
	return 0;
}

/* Copy out and delete the stashed args; returns 0 if there were any. */
static __always_inline int syscall__take(struct vigil_args *out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_args *a = bpf_map_lookup_elem(&inflight, &tid);

	if (!a)
		return -1;
	__builtin_memcpy(out, a, sizeof(*out));
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/* One enter program per syscall; they all just stash. */
#define SYSCALL_ENTER(name)						\
SEC("tp/syscalls/sys_enter_" #name)					\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{									\
	return syscall__stash(ctx);					\
}

#endif /* __VIGIL_SYSCALL_H */
