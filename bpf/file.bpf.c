// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File actions: open, create, unlink, rename, chmod, chown, link, symlink,
 * truncate, mkdir, chdir. Each syscall variant has one sys_exit program
 * (no enter program, see lib/syscall.h) that reports success or failure as
 * one struct vigil_file_body and exactly 4 strings (see bpf/events.h).
 *
 * Body conventions:
 *  - flags are the effective ones: creat reports O_CREAT|O_WRONLY|O_TRUNC,
 *    rmdir AT_REMOVEDIR, lchown AT_SYMLINK_NOFOLLOW, as the kernel runs them.
 *  - fd variants (fchmod, fchown, ftruncate, fchdir) put the fd in dirfd and
 *    its resolved path in [0] with an empty base: AT_EMPTY_PATH semantics.
 *  - opens go through the default profile's filter (lib/open_filter.h)
 *    unless the loader runs with --capture all. */
#include "lib/syscall.h"
#include "lib/open_filter.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AT_SYMLINK_NOFOLLOW_ 0x100
#define AT_REMOVEDIR_	0x200
#define ID_UNCHANGED	0xffffffffu

/* Start a file record with every body field at its "unused" value. */
static __always_inline struct vigil_file_body *
file__begin(struct vigil_rec *r, __u16 type, struct vigil_args *a, long ret)
{
	struct vigil_file_body *b = rec__begin(r, type, sizeof(*b));

	if (!b)
		return NULL;
	b->ret = ret;
	b->dirfd = AT_FDCWD;
	b->flags = 0;
	b->mode = 0;
	b->owner_uid = ID_UNCHANGED;
	b->owner_gid = ID_UNCHANGED;
	b->length = 0;
	b->syscall_nr = a->nr;
	b->repeat = 0;
	return b;
}

/* A user path and the directory it is relative to: two strings. */
static __always_inline void file__upath(struct vigil_rec *r, const char *upath, int dirfd)
{
	rec__str_user(r, upath, VIGIL_PATH_MAX);
	rec__str_basedir(r, upath, dirfd);
}

/* The path behind an fd and an empty base: two strings. */
static __always_inline void file__fdpath(struct vigil_rec *r, int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	rec__str_file(r, task__fd_file(task, fd));
	rec__str_empty(r);
}

static __always_inline void file__none(struct vigil_rec *r)
{
	rec__str_empty(r);
	rec__str_empty(r);
}

static __always_inline bool file__relative(const char *upath)
{
	char c = 0;

	return !upath || bpf_probe_read_user(&c, 1, upath) || c != '/';
}

/* Copy the last committed string (at `from`) as a new one: the second path
 * of rename/link usually shares the first one's base, and a copy is much
 * cheaper than a second dentry walk. */
static __always_inline void file__str_copy(struct vigil_rec *r, __u32 from)
{
	__u32 off = r->off & REC_MASK;
	__u16 len = 0;

	from &= REC_MASK;
	__builtin_memcpy(&len, &r->s->buf[from], sizeof(len));
	if (len == 0 || len > VIGIL_PATH_MAX || rec__room(r, len) < len) {
		rec__str_empty(r);
		return;
	}
	if (bpf_probe_read_kernel(&r->s->buf[(off + 2) & REC_MASK], len & (VIGIL_PATH_MAX * 2 - 1),
				  &r->s->buf[(from + 2) & REC_MASK])) {
		rec__str_empty(r);
		return;
	}
	rec__str_commit(r, len);
}

/* Two paths: [0]/[1] old and [2]/[3] new. The new base reuses the old one
 * when both are relative to the same dirfd, so one walk is the norm. */
static __always_inline void file__two_upaths(struct vigil_rec *r, const char *oldp, int olddfd,
					     const char *newp, int newdfd)
{
	__u32 base1;
	bool old_rel;

	rec__str_user(r, oldp, VIGIL_PATH_MAX);
	base1 = r->off;
	old_rel = file__relative(oldp);
	rec__str_basedir(r, oldp, olddfd);
	rec__str_user(r, newp, VIGIL_PATH_MAX);
	if (!file__relative(newp))
		rec__str_empty(r);
	else if (old_rel && olddfd == newdfd)
		file__str_copy(r, base1);
	else
		rec__str_basedir(r, newp, newdfd);
}

/* ---- open family: VIGIL_EV_CREATE when the call made the file, else OPEN - */

/* include/linux/fs.h: set by the VFS when this open created the inode
 * (atomic_open/lookup_open since 4.19). A #define, so not in vmlinux.h. */
#define FMODE_CREATED_	(1U << 20)

/* O_CREAT asks; only the file's FMODE_CREATED says it happened (an
 * existing file opened with O_CREAT is an open). */
static __always_inline __u16 open__type(long ret, __u32 flags)
{
	struct file *f;

	if (ret < 0 || !(flags & O_CREAT_))
		return VIGIL_EV_OPEN;
	f = task__fd_file_btf(bpf_get_current_task_btf(), (int)ret);
	if (f && (f->f_mode & FMODE_CREATED_))
		return VIGIL_EV_CREATE;
	return VIGIL_EV_OPEN;
}

static __always_inline int open__emit(long ret, struct vigil_args *a, int dirfd, const char *upath, __u32 flags,
				      __u32 mode)
{
	struct vigil_file_body *b;
	struct vigil_rec r;
	__u32 repeat = 0;
	__u16 type = open__type(ret, flags);

	if (type == VIGIL_EV_OPEN && open__skip(ret, flags, &repeat))
		return 0;
	b = file__begin(&r, type, a, ret);
	if (!b)
		return 0;
	b->repeat = repeat;
	b->dirfd = dirfd;
	b->flags = flags;
	b->mode = mode;
	file__upath(&r, upath, dirfd);
	file__none(&r);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_open")
int exit_open(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_args a;

	if (syscall__args(ctx, &a))
		return 0;
	return open__emit(ctx->ret, &a, AT_FDCWD, (const char *)a.a[0], a.a[1], a.a[2]);
}

SEC("tp/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_args a;

	if (syscall__args(ctx, &a))
		return 0;
	return open__emit(ctx->ret, &a, (int)a.a[0], (const char *)a.a[1], a.a[2], a.a[3]);
}

/* openat2 passes flags and mode in a user struct open_how. */
SEC("tp/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	struct open_how how = {};
	struct vigil_args a;

	if (syscall__args(ctx, &a))
		return 0;
	bpf_probe_read_user(&how, sizeof(how), (const void *)a.a[2]);
	return open__emit(ctx->ret, &a, (int)a.a[0], (const char *)a.a[1], how.flags, how.mode);
}

SEC("tp/syscalls/sys_exit_creat")
int exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_args a;

	if (syscall__args(ctx, &a))
		return 0;
	return open__emit(ctx->ret, &a, AT_FDCWD, (const char *)a.a[0],
			  O_CREAT_ | O_WRONLY_ | O_TRUNC_, a.a[1]);
}

/* ---- one path + scalar: unlink, mkdir, chmod, chown, truncate ---------- */


/* Which argument is what, for the one-path syscalls. -1: not passed. */
struct path_spec {
	__u16 type;
	__s8 dirfd;	/* arg index of dirfd */
	__s8 path;	/* arg index of the path */
	__s8 flags;	/* arg index of flags */
	__s8 mode;	/* arg index of mode */
	__s8 owner;	/* arg index of uid; gid is the next one */
	__s8 length;	/* arg index of length */
	__u32 fixed_flags; /* effective flags of the non-at variant */
};

/* mode, owner and length, for the one-path and the fd variants alike. */
static __always_inline void file__scalars(struct vigil_file_body *b, const struct vigil_args *a,
					  const struct path_spec *s)
{
	if (s->mode >= 0)
		b->mode = a->a[s->mode];
	if (s->owner >= 0) {
		b->owner_uid = a->a[s->owner];
		b->owner_gid = a->a[s->owner + 1];
	}
	if (s->length >= 0)
		b->length = a->a[s->length];
}

static __always_inline int path__emit(struct trace_event_raw_sys_exit *ctx, const struct path_spec s)
{
	struct vigil_file_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = file__begin(&r, s.type, &a, ctx->ret);
	if (!b)
		return 0;
	if (s.dirfd >= 0)
		b->dirfd = (int)a.a[s.dirfd];
	b->flags = s.flags >= 0 ? (__u32)a.a[s.flags] : s.fixed_flags;
	file__scalars(b, &a, &s);
	file__upath(&r, (const char *)a.a[s.path], b->dirfd);
	file__none(&r);
	return rec__submit(&r);
}

#define PATH_EXIT(name, t, dfd, path, fl, mode, own, len, fixed)	\
SEC("tp/syscalls/sys_exit_" #name)					\
int exit_##name(struct trace_event_raw_sys_exit *ctx)			\
{									\
	return path__emit(ctx, (struct path_spec){ t, dfd, path, fl,	\
					mode, own, len, fixed });	\
}

/*        name       type              dfd path flags mode owner len fixed flags */
PATH_EXIT(unlink,    VIGIL_EV_UNLINK,   -1,  0,  -1,  -1,  -1,  -1, 0)
PATH_EXIT(unlinkat,  VIGIL_EV_UNLINK,    0,  1,   2,  -1,  -1,  -1, 0)
PATH_EXIT(rmdir,     VIGIL_EV_UNLINK,   -1,  0,  -1,  -1,  -1,  -1, AT_REMOVEDIR_)
PATH_EXIT(mkdir,     VIGIL_EV_MKDIR,    -1,  0,  -1,   1,  -1,  -1, 0)
PATH_EXIT(mkdirat,   VIGIL_EV_MKDIR,     0,  1,  -1,   2,  -1,  -1, 0)
PATH_EXIT(chmod,     VIGIL_EV_CHMOD,    -1,  0,  -1,   1,  -1,  -1, 0)
PATH_EXIT(fchmodat,  VIGIL_EV_CHMOD,     0,  1,  -1,   2,  -1,  -1, 0)
PATH_EXIT(fchmodat2, VIGIL_EV_CHMOD,     0,  1,   3,   2,  -1,  -1, 0)
PATH_EXIT(chown,     VIGIL_EV_CHOWN,    -1,  0,  -1,  -1,   1,  -1, 0)
PATH_EXIT(lchown,    VIGIL_EV_CHOWN,    -1,  0,  -1,  -1,   1,  -1, AT_SYMLINK_NOFOLLOW_)
PATH_EXIT(fchownat,  VIGIL_EV_CHOWN,     0,  1,   4,  -1,   2,  -1, 0)
PATH_EXIT(truncate,  VIGIL_EV_TRUNCATE, -1,  0,  -1,  -1,  -1,   1, 0)

/* ---- fd variants: fchmod, fchown, ftruncate, fchdir -------------------- */


static __always_inline int fd__emit(struct trace_event_raw_sys_exit *ctx, const struct path_spec s)
{
	struct vigil_file_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = file__begin(&r, s.type, &a, ctx->ret);
	if (!b)
		return 0;
	b->dirfd = (int)a.a[0];
	file__scalars(b, &a, &s);
	file__fdpath(&r, b->dirfd);
	file__none(&r);
	return rec__submit(&r);
}

#define FD_EXIT(name, t, mode, own, len)				\
SEC("tp/syscalls/sys_exit_" #name)					\
int exit_##name(struct trace_event_raw_sys_exit *ctx)			\
{									\
	return fd__emit(ctx, (struct path_spec){ t, 0, -1, -1,		\
					mode, own, len, 0 });		\
}

/*      name       type              mode owner len */
FD_EXIT(fchmod,    VIGIL_EV_CHMOD,     1,  -1,  -1)
FD_EXIT(fchown,    VIGIL_EV_CHOWN,    -1,   1,  -1)
FD_EXIT(ftruncate, VIGIL_EV_TRUNCATE, -1,  -1,   1)
FD_EXIT(fchdir,    VIGIL_EV_CHDIR,    -1,  -1,  -1)

/* ---- two paths: rename, link, symlink ---------------------------------- */


/* Arg indexes: old dirfd, old path, new dirfd, new path, flags (-1 unset). */
static __always_inline int two__emit(struct trace_event_raw_sys_exit *ctx, __u16 type,
				     int od, int op, int nd, int np, int fl)
{
	struct vigil_file_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	int olddfd, newdfd;

	if (syscall__args(ctx, &a))
		return 0;
	b = file__begin(&r, type, &a, ctx->ret);
	if (!b)
		return 0;
	olddfd = od >= 0 ? (int)a.a[od] : AT_FDCWD;
	newdfd = nd >= 0 ? (int)a.a[nd] : AT_FDCWD;
	b->dirfd = olddfd;
	if (fl >= 0)
		b->flags = a.a[fl];
	file__two_upaths(&r, (const char *)a.a[op], olddfd, (const char *)a.a[np], newdfd);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_rename")
int exit_rename(struct trace_event_raw_sys_exit *ctx) { return two__emit(ctx, VIGIL_EV_RENAME, -1, 0, -1, 1, -1); }

SEC("tp/syscalls/sys_exit_renameat")
int exit_renameat(struct trace_event_raw_sys_exit *ctx) { return two__emit(ctx, VIGIL_EV_RENAME, 0, 1, 2, 3, -1); }

SEC("tp/syscalls/sys_exit_renameat2")
int exit_renameat2(struct trace_event_raw_sys_exit *ctx) { return two__emit(ctx, VIGIL_EV_RENAME, 0, 1, 2, 3, 4); }

SEC("tp/syscalls/sys_exit_link")
int exit_link(struct trace_event_raw_sys_exit *ctx) { return two__emit(ctx, VIGIL_EV_LINK, -1, 0, -1, 1, -1); }

SEC("tp/syscalls/sys_exit_linkat")
int exit_linkat(struct trace_event_raw_sys_exit *ctx) { return two__emit(ctx, VIGIL_EV_LINK, 0, 1, 2, 3, 4); }

/* symlink: [0] the target exactly as given (never resolved: it is stored
 * text, and relative targets are relative to the link), [2]/[3] linkpath. */
static __always_inline int symlink__emit(struct trace_event_raw_sys_exit *ctx, int nd, int np)
{
	struct vigil_file_body *b;
	struct vigil_args a;
	struct vigil_rec r;

	if (syscall__args(ctx, &a))
		return 0;
	b = file__begin(&r, VIGIL_EV_SYMLINK, &a, ctx->ret);
	if (!b)
		return 0;
	b->dirfd = nd >= 0 ? (int)a.a[nd] : AT_FDCWD;
	rec__str_user(&r, (const char *)a.a[0], VIGIL_PATH_MAX);
	rec__str_empty(&r);
	file__upath(&r, (const char *)a.a[np], b->dirfd);
	return rec__submit(&r);
}

SEC("tp/syscalls/sys_exit_symlink")
int exit_symlink(struct trace_event_raw_sys_exit *ctx) { return symlink__emit(ctx, -1, 1); }

SEC("tp/syscalls/sys_exit_symlinkat")
int exit_symlinkat(struct trace_event_raw_sys_exit *ctx) { return symlink__emit(ctx, 1, 2); }

/* ---- chdir: VIGIL_EV_CHDIR --------------------------------------------- */


/* Success: [0] is the new cwd, resolved. Failure: [0]/[1] the path as given
 * and the (unchanged) cwd. Either way the one walk is of the cwd. */
SEC("tp/syscalls/sys_exit_chdir")
int exit_chdir(struct trace_event_raw_sys_exit *ctx)
{
	struct vigil_file_body *b;
	struct vigil_args a;
	struct vigil_rec r;
	const char *upath;
	long ret = ctx->ret;

	if (syscall__args(ctx, &a))
		return 0;
	b = file__begin(&r, VIGIL_EV_CHDIR, &a, ret);
	if (!b)
		return 0;
	upath = (const char *)a.a[0];
	if (ret < 0)
		rec__str_user(&r, upath, VIGIL_PATH_MAX);
	if (ret < 0 && !file__relative(upath))
		rec__str_empty(&r);
	else
		rec__str_cwd(&r);
	if (ret >= 0)
		rec__str_empty(&r);
	file__none(&r);
	return rec__submit(&r);
}
