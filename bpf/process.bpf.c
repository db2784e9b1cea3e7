// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process lifecycle: exec (and failed exec), fork, exit. */
#include "lib/syscall.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline bool exec__blocked(__u64 ino, __u32 dev)
{
	struct vigil_exec_key k = { .ino = ino, .dev = dev, .pad = 0 };

	return bpf_map_lookup_elem(&exec_block, &k) != NULL;
}

/* Successful exec: the new image is in place, so read what it really runs. */
SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_exec_body *b;
	struct vigil_rec r;
	struct file *exe;
	unsigned long as, ae, es, ee;

	if (filter__is_self())
		return 0;
	b = rec__begin(&r, VIGIL_EV_EXEC, sizeof(*b));
	if (!b)
		return 0;
	exe = BPF_CORE_READ(task, mm, exe_file);
	as = BPF_CORE_READ(task, mm, arg_start);
	ae = BPF_CORE_READ(task, mm, arg_end);
	b->ret = 0;
	b->args_size = ae > as ? ae - as : 0;
	b->exe_ino = BPF_CORE_READ(exe, f_inode, i_ino);
	b->exe_nlink = BPF_CORE_READ(exe, f_inode, __i_nlink);
	if (exec__blocked(b->exe_ino, BPF_CORE_READ(exe, f_inode, i_sb, s_dev))) {
		/* We run in the task, after the new image is mapped and before it
		 * returns to user space: it never runs an instruction. */
		bpf_send_signal(9 /* SIGKILL */);
		rec__flag(&r, VIGIL_F_DENIED);
	}

	rec__str_file(&r, exe);
	rec__bytes_user(&r, (const void *)as, b->args_size > VIGIL_ARGS_MAX ? VIGIL_ARGS_MAX : b->args_size);
	if (b->args_size > VIGIL_ARGS_MAX)
		rec__flag(&r, VIGIL_F_TRUNCATED);
	rec__str_cwd(&r);
	/* Its head only: the loader-injection variables an attacker sets for one
	 * command (LD_PRELOAD=x cmd) are placed first by shells. */
	es = BPF_CORE_READ(task, mm, env_start);
	ee = BPF_CORE_READ(task, mm, env_end);
	rec__bytes_user(&r, (const void *)es, ee > es ? (ee - es > VIGIL_ENV_MAX ? VIGIL_ENV_MAX : ee - es) : 0);
	return rec__submit(&r);
}

/* Failed exec: only sys_exit knows. Success was reported by handle_exec. */
static __always_inline int exec_exit(struct trace_event_raw_sys_exit *ctx, int path_arg)
{
	struct vigil_exec_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (ctx->ret >= 0 || syscall__args(ctx, &a))
		return 0;
	b = rec__begin(&r, VIGIL_EV_EXEC, sizeof(*b));
	if (!b)
		return 0;
	b->ret = ctx->ret;
	b->args_size = 0;
	b->exe_ino = 0;
	b->exe_nlink = 0;
	rec__str_user(&r, (const void *)a.a[path_arg & 1], VIGIL_PATH_MAX);
	rec__str_empty(&r);
	rec__str_cwd(&r);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_execve")
int exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx, 0);
}

SEC("tp/syscalls/sys_exit_execveat")
int exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx, 1);
}

/* New processes only: thread creation is not a process event. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_fork_body *b;
	struct vigil_rec r;

	if (child->pid != child->tgid || filter__is_self())
		return 0;
	b = rec__begin(&r, VIGIL_EV_FORK, sizeof(*b));
	if (!b)
		return 0;
	b->child_pid = child->tgid;
	b->child_tid = child->pid;
	b->child_start_boottime = child->start_boottime;
	return rec__submit(&r);
}

/* Reported once, when the last thread of the process exits. */
SEC("tp/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_exit_body *b;
	struct vigil_rec r;
	int code;

	if (BPF_CORE_READ(task, signal, live.counter) != 0 || filter__is_self())
		return 0;
	b = rec__begin(&r, VIGIL_EV_EXIT, sizeof(*b));
	if (!b)
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	b->exit_code = (code >> 8) & 0xff;
	b->signal = code & 0x7f;
	b->core_dumped = (code & 0x80) ? 1 : 0;
	b->pad0 = 0;
	return rec__submit(&r);
}
