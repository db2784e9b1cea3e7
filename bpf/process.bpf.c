// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process lifecycle: exec (and failed exec), fork, exit. */
#include "lib/syscall.h"
#include "lib/respond.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline bool exec__blocked(__u64 ino, __u32 dev)
{
	struct vigil_exec_key k = { .ino = ino, .dev = dev, .pad = 0 };

	return bpf_map_lookup_elem(&exec_block, &k) != NULL;
}

/* Last time an exec woke the loader. Racy across CPUs, which only costs an
 * extra wakeup now and then. */
__u64 exec_woke_ns = 0;

/* With --exec-wakeup (the agent passes it when a rule or the baseline may
 * respond), an exec wakes the loader at once, since a response waits on it
 * (the loader otherwise polls every few ms), at most once per exec_wake_ns:
 * a wakeup per exec cost an exec storm 5%. */
static __always_inline bool exec__wake_now(void)
{
	__u64 now;

	if (!exec_wake_ns)
		return false;
	now = bpf_ktime_get_ns();
	if (now - exec_woke_ns < exec_wake_ns)
		return false;
	exec_woke_ns = now;
	return true;
}

/* Defined before handle_exec, so attached and run before it on the same
 * tracepoint: its note reaches the exec's record. */
SEC("tp/sched/sched_process_exec")
int respond_exec(void *ctx)
{
	if (filter__is_self())
		return 0;
	respond__exec(bpf_get_current_task_btf());
	return 0;
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
	/* A member of a tree being killed dies before its new image runs,
	 * unless that image is on the response allow-list. */
	if (tree__doomed(task) && !respond__spared(task)) {
		tree__join(BPF_CORE_READ(task, tgid));
		bpf_send_signal(9 /* SIGKILL */);
	}
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
	respond__report(&r, b, BPF_CORE_READ(task, tgid));
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
	return rec__submit_wake(&r, exec__wake_now());
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
	b->respond_rule = 0;
	b->respond_action = 0;
	b->respond_refused = 0;
	b->respond_signalled = 0;
	b->respond_ns = 0;
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

	if (filter__is_self())
		return 0;
	/* A tree being killed cannot outgrow the kill: the forking member dies
	 * here (we run in it), its new process or thread joins the set and dies
	 * at its own first fork or exec. */
	if (tree__doomed(parent) && !respond__spared(parent)) {
		tree__join(parent->tgid);
		tree__join(child->tgid);
		bpf_send_signal(9 /* SIGKILL */);
	}
	if (child->pid != child->tgid)
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
	__u32 tgid;
	int code;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	bpf_map_delete_elem(&kill_tree, &tgid); /* its pid may be reused */
	if (filter__is_self())
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
