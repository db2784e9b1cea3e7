/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Absolute paths from kernel objects. bpf_d_path() is not allowed on
 * tracepoints, so walk dentries to the root, crossing mounts, as Tracee and
 * Falco do. The walk runs under bpf_loop() so the verifier checks one
 * iteration, not VIGIL_PATH_DEPTH of them (open-coded it blew the 1M insn
 * budget). Deeper paths lose their root end and set VIGIL_F_TRUNCATED. */
#ifndef __VIGIL_PATH_H
#define __VIGIL_PATH_H

#include "record.h"

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

#define NAME_BYTES 256

struct path_walk {
	struct dentry *d;
	struct mount *m;
	__u32 n;	/* components collected */
	__u32 done;	/* reached the root */
	__u32 start;	/* write phase: where the string's length goes */
	__u32 off;	/* write phase: next byte */
	__u32 full;	/* write phase: ran out of room */
};

static __always_inline struct vigil_scratch *path__scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

/* One step up the tree: record d's name, or hop to the parent mount. */
static long path__collect_step(__u32 i, void *arg)
{
	struct path_walk *w = arg;
	struct vigil_scratch *s = path__scratch();
	struct dentry *d = w->d;
	struct mount *m = w->m;
	struct dentry *mroot, *parent;

	if (!s || w->n >= VIGIL_PATH_DEPTH)
		return 1;
	mroot = BPF_CORE_READ(m, mnt.mnt_root);
	parent = BPF_CORE_READ(d, d_parent);
	if (d == mroot || d == parent) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (d != mroot || m == mp) {
			/* Global root, or a pseudo-fs object (memfd, pipe):
			 * keep its own name when it is all we have. */
			if (d != mroot && w->n == 0) {
				s->dentries[0] = (__u64)BPF_CORE_READ(d, d_name.name);
				w->n = 1;
			}
			w->done = 1;
			return 1;
		}
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		return 0;
	}
	s->dentries[w->n & (VIGIL_PATH_DEPTH - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
	w->n++;
	w->d = parent;
	return 0;
}

/* Write component i counted from the root: "/" + name. */
static long path__write_step(__u32 i, void *arg)
{
	struct path_walk *w = arg;
	struct vigil_scratch *s = path__scratch();
	__u32 idx, off = w->off;
	const char *name;
	long len;

	if (!s || i >= w->n)
		return 1;
	if (off - w->start > VIGIL_PATH_MAX - NAME_BYTES || off + NAME_BYTES + 1 >= VIGIL_RECORD_MAX) {
		w->full = 1;
		return 1;
	}
	idx = (w->n - 1 - i) & (VIGIL_PATH_DEPTH - 1);
	name = (const char *)s->dentries[idx];
	s->buf[off & REC_MASK] = '/';
	off++;
	len = bpf_probe_read_kernel_str(&s->buf[off & REC_MASK], NAME_BYTES, name);
	if (len > 1)
		off += len - 1;
	w->off = off;
	return 0;
}

/* Append the absolute path of (dentry, vfsmount) as one string. */
static __always_inline void rec__str_dentry(struct vigil_rec *r, struct dentry *d, struct vfsmount *vm)
{
	struct path_walk w = {};

	if (!d || !vm) {
		rec__str_empty(r);
		return;
	}
	w.d = d;
	w.m = container_of(vm, struct mount, mnt);
	bpf_loop(VIGIL_PATH_DEPTH * 2, path__collect_step, &w, 0);
	if (!w.done)
		rec__flag(r, VIGIL_F_TRUNCATED);

	w.start = r->off & REC_MASK;
	w.off = w.start + 2;
	if (w.n == 0) {
		r->s->buf[w.off & REC_MASK] = '/';
		w.off++;
	}
	bpf_loop(VIGIL_PATH_DEPTH, path__write_step, &w, 0);
	if (w.full)
		rec__flag(r, VIGIL_F_TRUNCATED);
	rec__str_commit(r, (w.off - w.start - 2) & REC_MASK);
}

static __always_inline void rec__str_file(struct vigil_rec *r, struct file *f)
{
	if (!f) {
		rec__str_empty(r);
		return;
	}
	rec__str_dentry(r, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

static __always_inline void rec__str_cwd(struct vigil_rec *r)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	rec__str_dentry(r, BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt));
}

/* Base directory for a path argument: empty when the user path is
 * absolute, else the cwd (AT_FDCWD) or the dirfd's path. Sets
 * VIGIL_F_PATH_UNRESOLVED when the base cannot be read. */
static __always_inline void rec__str_basedir(struct vigil_rec *r, const char *upath, int dirfd)
{
	struct file *f;
	char c = 0;

	if (upath && bpf_probe_read_user(&c, 1, upath) == 0 && c == '/') {
		rec__str_empty(r);
		return;
	}
	if (dirfd == AT_FDCWD) {
		rec__str_cwd(r);
		return;
	}
	f = task__fd_file((struct task_struct *)bpf_get_current_task(), dirfd);
	if (!f) {
		rec__flag(r, VIGIL_F_PATH_UNRESOLVED);
		rec__str_empty(r);
		return;
	}
	rec__str_file(r, f);
}

#endif /* __VIGIL_PATH_H */
