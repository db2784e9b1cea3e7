// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Privilege and system changes: id changes, capabilities, ptrace, kernel
 * modules, bpf, memfd, mounts, namespaces, and stdio redirection. arg[] and
 * the strings follow the table above struct vigil_priv_body in events.h;
 * every record of a type carries all the strings listed for it. */
#include "lib/syscall.h"
#include "lib/sock.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NSFS_MAGIC		0x6e736673
#define PTR_NAME_MAX		256	/* memfd names, mount sources, params */
#define FSTYPE_MAX		64
#define MODNAME_MAX		64	/* MODULE_NAME_LEN is 56 */
#define BPF_OBJ_NAME_LEN	16
#define BPF_PROG_LOAD_NAME_OFF	48	/* union bpf_attr: prog_name, stable uapi */
#define F_DUPFD			0
#define F_DUPFD_CLOEXEC		1030

static __always_inline struct vigil_priv_body *priv__begin(struct vigil_rec *r, __u16 type, __s32 ret)
{
	struct vigil_priv_body *b = rec__begin(r, type, sizeof(*b));

	if (!b)
		return NULL;
	__builtin_memset(b, 0, sizeof(*b));
	b->ret = ret;
	return b;
}

/* --- setuid family: new ids as asked (0xffffffff = unchanged) --------- */

static __always_inline int setid_exit(struct trace_event_raw_sys_exit *ctx, __u16 type, int nargs)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, type, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = (__u32)a.a[0];
	b->arg[1] = nargs > 1 ? (__u32)a.a[1] : 0xffffffffu;
	b->arg[2] = nargs > 2 ? (__u32)a.a[2] : 0xffffffffu;
	b->arg[3] = a.nr;
	return rec__submit(&r);
}

/* setuid(u) sets real/effective/saved when privileged, effective only
 * otherwise; arg[0] holds the id and [1],[2] read "unchanged". */
SEC("tp/syscalls/sys_exit_setuid")
int exit_setuid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETUID, 1); }
SEC("tp/syscalls/sys_exit_setgid")
int exit_setgid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETGID, 1); }
SEC("tp/syscalls/sys_exit_setreuid")
int exit_setreuid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETUID, 2); }
SEC("tp/syscalls/sys_exit_setregid")
int exit_setregid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETGID, 2); }
SEC("tp/syscalls/sys_exit_setresuid")
int exit_setresuid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETUID, 3); }
SEC("tp/syscalls/sys_exit_setresgid")
int exit_setresgid(struct trace_event_raw_sys_exit *ctx) { return setid_exit(ctx, VIGIL_EV_SETGID, 3); }

/* --- capset: the task's capability sets after the call ---------------- */

SEC("tp/syscalls/sys_exit_capset")
int exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred;
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	__s32 pid = 0;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_CAPSET, ctx->ret);
	if (!b)
		return 0;
	cred = BPF_CORE_READ(task, cred);
	b->arg[0] = BPF_CORE_READ(cred, cap_effective.val);
	b->arg[1] = BPF_CORE_READ(cred, cap_permitted.val);
	b->arg[2] = BPF_CORE_READ(cred, cap_inheritable.val);
	/* cap_user_header_t: { __u32 version; int pid; } */
	bpf_probe_read_user(&pid, sizeof(pid), (const void *)a.a[0] + 4);
	b->arg[3] = (__u32)pid;
	return rec__submit(&r);
}

/* --- ptrace: only requests that take control or write the tracee ------ */

/* TRACEME, POKETEXT/DATA/USER, SETREGS, SETFPREGS, ATTACH, SETREGSET,
 * SEIZE. PEEK/GETREGS/SYSCALL/CONT loops of a running debugger or strace
 * would flood and say nothing new. */
static __always_inline bool ptrace__wanted(long req)
{
	return req == 0 || req == 4 || req == 5 || req == 6 || req == 13 || req == 15 || req == 16 ||
	       req == 0x4205 || req == 0x4206;
}

SEC("tp/syscalls/sys_exit_ptrace")
int exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	if (!ptrace__wanted(a.a[0])) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return 0;
	}
	b = priv__begin(&r, VIGIL_EV_PTRACE, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = a.a[0];
	b->arg[1] = (__u32)a.a[1];
	b->arg[2] = a.a[2];
	return rec__submit(&r);
}

/* --- kernel modules ---------------------------------------------------
 * Their own sys_exit tracepoints when the kernel has them. With
 * CONFIG_MODULES=n it does not, yet an attempt to load a module is exactly
 * what we want to see: exit_module_any, one tp_btf/sys_exit program that
 * sees every syscall and returns after one compare on the nr. It costs
 * ~13% on syscall-heavy loads, so the loader runs it only with --capture
 * all and only when the dedicated tracepoints are missing (lifecycle.c).
 * Args come from the syscall's pt_regs. x86_64 numbers only. */
#define NR_init_module		175
#define NR_delete_module	176
#define NR_finit_module		313

/* init_module(image, len, params) */
static __always_inline int init_module_exit(long ret, struct vigil_args *a)
{
	struct vigil_priv_body *b;
	struct vigil_rec r;

	b = priv__begin(&r, VIGIL_EV_MODULE_LOAD, ret);
	if (!b)
		return 0;
	b->arg[0] = (__u64)-1;
	b->arg[1] = a->a[1];
	b->arg[2] = 0;
	rec__str_empty(&r);
	rec__str_user(&r, (const void *)a->a[2], PTR_NAME_MAX);
	return rec__submit(&r);
}

/* finit_module(fd, params, flags): image len is the file's size. */
static __always_inline int finit_module_exit(long ret, struct vigil_args *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_priv_body *b;
	struct vigil_rec r;
	struct file *f;

	b = priv__begin(&r, VIGIL_EV_MODULE_LOAD, ret);
	if (!b)
		return 0;
	f = task__fd_file(task, (int)a->a[0]);
	b->arg[0] = (__u32)a->a[0];
	b->arg[1] = f ? BPF_CORE_READ(f, f_inode, i_size) : 0;
	b->arg[2] = (__u32)a->a[2];
	rec__str_file(&r, f);
	rec__str_user(&r, (const void *)a->a[1], PTR_NAME_MAX);
	return rec__submit(&r);
}

/* delete_module(name, flags) */
static __always_inline int delete_module_exit(long ret, struct vigil_args *a)
{
	struct vigil_priv_body *b;
	struct vigil_rec r;

	b = priv__begin(&r, VIGIL_EV_MODULE_UNLOAD, ret);
	if (!b)
		return 0;
	b->arg[0] = (__u32)a->a[1];
	rec__str_user(&r, (const void *)a->a[0], MODNAME_MAX);
	return rec__submit(&r);
}

#define MODULE_EXIT(name, nr, emit)						\
SEC("tp/syscalls/sys_exit_" #name)						\
int exit_##name(struct trace_event_raw_sys_exit *ctx)				\
{										\
	struct vigil_args a;							\
										\
	if (syscall__exit_args(syscall__regs(), nr, &a))			\
		return 0;							\
	return emit(ctx->ret, &a);						\
}

MODULE_EXIT(init_module, NR_init_module, init_module_exit)
MODULE_EXIT(finit_module, NR_finit_module, finit_module_exit)
MODULE_EXIT(delete_module, NR_delete_module, delete_module_exit)

SEC("tp_btf/sys_exit")
int BPF_PROG(exit_module_any, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct vigil_args a;

	if (nr != NR_init_module && nr != NR_finit_module && nr != NR_delete_module)
		return 0;
	if (syscall__exit_args(regs, nr, &a))
		return 0;
	if (nr == NR_init_module)
		return init_module_exit(ret, &a);
	if (nr == NR_finit_module)
		return finit_module_exit(ret, &a);
	return delete_module_exit(ret, &a);
}

/* --- bpf: commands that add or attach code or objects ------------------ */

/* MAP_CREATE, PROG_LOAD, OBJ_PIN, PROG_ATTACH, PROG_DETACH,
 * RAW_TRACEPOINT_OPEN, BTF_LOAD, LINK_CREATE, LINK_UPDATE, LINK_DETACH,
 * TOKEN_CREATE. Map element and query commands are the bulk of bpf()
 * traffic and change nothing worth a record. */
static __always_inline bool bpf__wanted(long cmd)
{
	return cmd == 0 || cmd == 5 || cmd == 6 || cmd == 8 || cmd == 9 || cmd == 17 || cmd == 18 ||
	       cmd == 28 || cmd == 29 || cmd == 34 || cmd == 36;
}

SEC("tp/syscalls/sys_exit_bpf")
int exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	const void *attr;
	__u32 ptype = 0;

	if (syscall__args(ctx, &a))
		return 0;
	if (!bpf__wanted(a.a[0])) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return 0;
	}
	b = priv__begin(&r, VIGIL_EV_BPF, ctx->ret);
	if (!b)
		return 0;
	attr = (const void *)a.a[1];
	b->arg[0] = (__u32)a.a[0];
	b->arg[2] = (__u32)a.a[2];
	if (b->arg[0] == 5 && b->arg[2] >= BPF_PROG_LOAD_NAME_OFF + BPF_OBJ_NAME_LEN) {
		bpf_probe_read_user(&ptype, sizeof(ptype), attr);
		b->arg[1] = ptype;
		rec__str_user(&r, attr + BPF_PROG_LOAD_NAME_OFF, BPF_OBJ_NAME_LEN);
	} else {
		rec__str_empty(&r);
	}
	return rec__submit(&r);
}

/* --- memfd_create(name, flags) ----------------------------------------- */

SEC("tp/syscalls/sys_exit_memfd_create")
int exit_memfd_create(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_MEMFD_CREATE, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = (__u32)a.a[1];
	rec__str_user(&r, (const void *)a.a[0], PTR_NAME_MAX);
	return rec__submit(&r);
}

/* --- prctl(PR_SET_NAME, name): a process renaming itself --------------- */

#define PR_SET_NAME	15

/* Only the main thread: that name is what ps and /proc/<pid>/comm show.
 * Threads naming themselves (pthread_setname_np) are routine. */
SEC("tp/syscalls/sys_exit_prctl")
int exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	__u64 id = bpf_get_current_pid_tgid();

	if ((__u32)id != (__u32)(id >> 32) || syscall__args(ctx, &a) || a.a[0] != PR_SET_NAME)
		return 0;
	b = priv__begin(&r, VIGIL_EV_SET_NAME, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = a.a[0];
	rec__str_user(&r, (const void *)a.a[1], VIGIL_COMM_LEN);
	return rec__submit(&r);
}

/* --- mount(source, target, fstype, flags, data) / umount2(target, flags) */

SEC("tp/syscalls/sys_exit_mount")
int exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_MOUNT, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = a.a[3];
	rec__str_user(&r, (const void *)a.a[0], PTR_NAME_MAX);
	rec__str_user(&r, (const void *)a.a[1], VIGIL_PATH_MAX);
	rec__str_user(&r, (const void *)a.a[2], FSTYPE_MAX);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_umount")
int exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_UMOUNT, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = (__u32)a.a[1];
	rec__str_user(&r, (const void *)a.a[0], VIGIL_PATH_MAX);
	return rec__submit(&r);
}

/* --- namespaces ---------------------------------------------------------- */

SEC("tp/syscalls/sys_exit_unshare")
int exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_UNSHARE, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = a.a[0];
	return rec__submit(&r);
}

/* What a setns fd names, as /proc/<pid>/ns/<x> links read: nsfs builds
 * "uts:[4026531838]" in d_dname, so format it from the ns_common here.
 * Other fds (a pidfd) give their dentry name. */
static __always_inline void rec__str_nsfile(struct vigil_rec *r, struct file *f)
{
	static const char fmt[] = "%s:[%u]";
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct ns_common *ns;
	__u32 off = r->off & REC_MASK;
	__u64 data[2];
	long n;

	if (!f || BPF_CORE_READ(inode, i_sb, s_magic) != NSFS_MAGIC) {
		rec__str_kernel(r, f ? BPF_CORE_READ(f, f_path.dentry, d_name.name) : NULL, NAME_BYTES);
		return;
	}
	ns = BPF_CORE_READ(inode, i_private);
	data[0] = (__u64)BPF_CORE_READ(ns, ops, name);
	data[1] = BPF_CORE_READ(ns, inum);
	if (rec__room(r, 64) < 64) {
		rec__str_empty(r);
		return;
	}
	n = bpf_snprintf((char *)&r->s->buf[(off + 2) & REC_MASK], 64, fmt, data, sizeof(data));
	if (n <= 1) {
		rec__str_empty(r);
		return;
	}
	rec__str_commit(r, (n > 64 ? 64 : n) - 1);
}

SEC("tp/syscalls/sys_exit_setns")
int exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = priv__begin(&r, VIGIL_EV_SETNS, ctx->ret);
	if (!b)
		return 0;
	b->arg[0] = (__u32)a.a[0];
	b->arg[1] = (__u32)a.a[1];
	rec__str_nsfile(&r, task__fd_file(task, (int)a.a[0]));
	return rec__submit(&r);
}

/* --- dup2/dup3/fcntl(F_DUPFD) onto stdin/stdout/stderr ----------------- */

/* Pipes and sockets live on pseudo filesystems whose dentries are their
 * own parent and carry no name: no path to report. */
static __always_inline bool priv__is_pseudo(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);

	return d == BPF_CORE_READ(d, d_parent) && d != BPF_CORE_READ(f, f_path.mnt, mnt_root);
}

static __always_inline int dup_exit(struct trace_event_raw_sys_exit *ctx, bool by_ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_priv_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	struct file *f;
	struct sock *sk;
	__u32 ifmt;

	/* Only a new fd 0-2 is a redirection; F_DUPFD returns the lowest free
	 * fd >= arg, so only fcntl's dup commands can land there. */
	if (ctx->ret > 2)
		return 0;
	if (syscall__args(ctx, &a))
		return 0;
	if (ctx->ret < 0) { /* failed: nothing was redirected */
		stats__add(VIGIL_STAT_FILTERED, 1);
		return 0;
	}
	if (by_ret && a.a[1] != F_DUPFD && a.a[1] != F_DUPFD_CLOEXEC)
		return 0;
	b = priv__begin(&r, VIGIL_EV_DUP_STDIO, ctx->ret);
	if (!b)
		return 0;
	f = task__fd_file(task, (int)a.a[0]);
	ifmt = sock__file_ifmt(f);
	b->arg[0] = (__u32)a.a[0];
	b->arg[1] = by_ret ? ctx->ret : (__u32)a.a[1];
	b->arg[2] = ifmt;
	b->arg[5] = a.nr;
	if (ifmt == VIGIL_S_IFSOCK) {
		struct socket *so = BPF_CORE_READ(f, private_data);

		sk = BPF_CORE_READ(so, sk);
		b->arg[3] = BPF_CORE_READ(sk, __sk_common.skc_family);
		b->arg[4] = BPF_CORE_READ(sk, sk_type);
	} else if (ifmt == VIGIL_S_IFIFO) {
		/* Which pipe: the same inode on one process's stdout and another's
		 * stdin makes them one pipeline. */
		b->arg[3] = BPF_CORE_READ(f, f_inode, i_ino);
	}
	if (!f || ifmt == VIGIL_S_IFSOCK || priv__is_pseudo(f))
		rec__str_empty(&r);
	else
		rec__str_file(&r, f);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_dup2")
int exit_dup2(struct trace_event_raw_sys_exit *ctx) { return dup_exit(ctx, false); }
SEC("tp/syscalls/sys_exit_dup3")
int exit_dup3(struct trace_event_raw_sys_exit *ctx) { return dup_exit(ctx, false); }
SEC("tp/syscalls/sys_exit_fcntl")
int exit_fcntl(struct trace_event_raw_sys_exit *ctx) { return dup_exit(ctx, true); }
