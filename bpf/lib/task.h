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
 * get): the ns of its struct pid at the pid's own level. `task` is a BTF
 * pointer, so fixed hops are plain loads; only numbers[level] is a
 * variable index the verifier refuses on BTF pointers, so levels 0-1 (host
 * and one container deep, nearly every event) are unrolled and deeper ones
 * fall back to probe reads. */
static __always_inline __u32 task__pid_ns(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	unsigned int level;
	struct upid up = {};

	if (!pid)
		return 0;
	level = pid->level;
	if (level == 0)
		return pid->numbers[0].ns->ns.inum;
	if (level == 1)
		return pid->numbers[1].ns->ns.inum;
	if (bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]))
		return 0;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Fill the common header from the current task. Direct loads off the BTF
 * task pointer replace a bpf_probe_read_kernel per hop: this runs for every
 * record of every probe. A NULL hop (e.g. nsproxy after exit_namespaces)
 * reads as 0, as the probe reads did. Creds stay real_cred (objective ids),
 * not bpf_get_current_uid_gid(), which reports the overridable cred. */
static __always_inline void task__fill_hdr(struct vigil_hdr *h, struct task_struct *task, __u16 type)
{
	const struct cred *cred = task->real_cred;

	h->type = type;
	h->flags = 0;
	h->nstr = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->start_boottime = task->group_leader->start_boottime;
	h->tgid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->euid = cred->euid.val;
	h->loginuid = task->loginuid.val;
	h->mnt_ns = task->nsproxy->mnt_ns->ns.inum;
	h->pid_ns = task__pid_ns(task);
	h->pad0 = 0;
	h->cgroup_id = bpf_get_current_cgroup_id();
	/* Zero-pads the tail, so comm is NUL padded as events.h promises. */
	bpf_get_current_comm(&h->comm, sizeof(h->comm));
}

/* Turns a pointer read by helper back into a BTF pointer, so the hops
 * after it are plain loads too (kernel 6.2+). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* The struct file behind fd as a BTF pointer, or NULL. `task` is a BTF
 * pointer: only the fd[] slot, a variable index, needs a helper. */
static __always_inline struct file *task__fd_file_btf(struct task_struct *task, int fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]) || !f)
		return NULL;
	return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
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
