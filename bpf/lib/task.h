/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading identity out of task_struct with CO-RE. */
#ifndef __VIGIL_TASK_H
#define __VIGIL_TASK_H

#include "base.h"

static __always_inline __u64 task__start_boottime(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/* Inode of the pid namespace the task lives in (not the one its children
 * get): the ns of its struct pid at the pid's own level. */
static __always_inline __u32 task__pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	if (bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]))
		return 0;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Fill the common header from `task` (normally the current task). */
static __always_inline void task__fill_hdr(struct vigil_hdr *h, struct task_struct *task, __u16 type)
{
	const struct cred *cred = BPF_CORE_READ(task, real_cred);

	h->type = type;
	h->flags = 0;
	h->nstr = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->start_boottime = task__start_boottime(task);
	h->tgid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(cred, uid.val);
	h->gid = BPF_CORE_READ(cred, gid.val);
	h->euid = BPF_CORE_READ(cred, euid.val);
	h->loginuid = BPF_CORE_READ(task, loginuid.val);
	h->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->pid_ns = task__pid_ns(task);
	h->pad0 = 0;
	h->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *task__fd_file(struct task_struct *task, int fd)
{
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0)
		return NULL;
	max = BPF_CORE_READ(task, files, fdt, max_fds);
	if ((unsigned int)fd >= max)
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

#endif /* __VIGIL_TASK_H */
