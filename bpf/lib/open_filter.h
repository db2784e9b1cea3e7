/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The default profile's open() filter, run at sys_exit before any path is
 * read. Decided on the kernel's own file (fd -> dentry), not the user's
 * path string, so "/etc/../etc/shadow" or a symlink cannot dodge it:
 *  - opens that may write (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC) ship;
 *  - read-only opens ship when the file's name or its directory's name is
 *    in read_watch, which the agent fills from the rules' file_access
 *    paths; until it does (filter_cfg.read_filter == 0) all of them ship;
 *  - failed read-only opens ship only for EACCES/EPERM (probing for a
 *    secret), not for the ENOENT of every library search;
 *  - opens of the terminal and null-like character devices (/dev/null,
 *    /dev/zero, /dev/[u]random, /dev/tty*, /dev/pts/N, /dev/ptmx) are
 *    noise every shell makes; they are matched by device number;
 *  - a process repeating an identical open within dedup_ns is counted, and
 *    the count rides in the next record shipped for that open. */
#ifndef __VIGIL_OPEN_FILTER_H
#define __VIGIL_OPEN_FILTER_H

#include "task.h"

#define O_ACCMODE_	03
#define O_WRONLY_	01
#define O_CREAT_	0100
#define O_TRUNC_	01000
#define EPERM_		1
#define EACCES_		13

struct open_dedup_key {
	__u64 ino;
	__u64 exec_id;	/* task->self_exec_id: a new program is a new key */
	__u32 tgid;
	__u32 dev;
	__u32 flags;
	__u32 pad;
};

struct open_dedup_val {
	__u64 since_ns;	/* when the last record for this key shipped */
	__u32 repeat;	/* identical opens folded since then */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct open_dedup_key);
	__type(value, struct open_dedup_val);
} open_dedup SEC(".maps");

static __always_inline bool open__writes(__u32 flags)
{
	return (flags & O_ACCMODE_) || (flags & (O_CREAT_ | O_TRUNC_));
}

#define S_IFMT_		0170000
#define S_IFCHR_	0020000

/* Kernel dev_t: 12-bit major above a 20-bit minor. */
static __always_inline bool open__noise_dev(struct inode *ino)
{
	__u32 rdev, major, minor;

	if ((ino->i_mode & S_IFMT_) != S_IFCHR_)
		return false;
	rdev = ino->i_rdev;
	major = rdev >> 20;
	minor = rdev & 0xfffff;
	if (major == 1)		/* mem: null 3, zero 5, full 7, random 8, urandom 9 */
		return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;
	return major == 4 || major == 5 || (major >= 136 && major <= 143); /* ttys, /dev/tty+ptmx, pts */
}

/* Keep the first len bytes of little-endian word i of a name. */
static __always_inline __u64 name__word(__u64 w, __u32 len, __u32 i)
{
	if (len <= i * 8)
		return 0;
	if (len >= (i + 1) * 8)
		return w;
	return w & ((1ULL << ((len - i * 8) * 8)) - 1);
}

/* The dentry's name as a read_watch key. Short names live inline in the
 * dentry: four plain loads instead of a helper call and a memset. */
static __always_inline void name__key(struct dentry *d, __u32 len, __u64 key[4])
{
	__u64 inline_at = (__u64)d + bpf_core_field_offset(struct dentry, d_shortname);

	if (bpf_core_field_exists(d->d_shortname) && len < VIGIL_WATCH_NAME_MAX &&
	    (__u64)d->d_name.name == inline_at) {
		key[0] = name__word(d->d_shortname.words[0], len, 0);
		key[1] = name__word(d->d_shortname.words[1], len, 1);
		key[2] = name__word(d->d_shortname.words[2], len, 2);
		key[3] = name__word(d->d_shortname.words[3], len, 3);
		return;
	}
	key[0] = key[1] = key[2] = key[3] = 0;
	bpf_probe_read_kernel_str(key, VIGIL_WATCH_NAME_MAX, d->d_name.name);
}

/* Is d's name watched with `bit`? The length mask skips most lookups. */
static __always_inline bool watch__has(struct dentry *d, __u64 lens, __u8 bit)
{
	__u32 len = d->d_name.len;
	__u64 key[4];
	__u8 *bits;

	if (!(lens & VIGIL_WATCH_LEN_BIT(len)))
		return false;
	name__key(d, len, key);
	bits = bpf_map_lookup_elem(&read_watch, key);
	return bits && (*bits & bit);
}

/* `d` is a BTF pointer: plain loads. */
static __always_inline bool open__watched(struct dentry *d, struct vigil_filter_cfg *cfg)
{
	return watch__has(d, cfg->file_lens, VIGIL_WATCH_FILE) ||
	       watch__has(d->d_parent, cfg->dir_lens, VIGIL_WATCH_DIR);
}

/* True: fold this open into its key's count instead of shipping it. */
static __always_inline bool open__dedup(struct task_struct *task, struct file *f, __u32 flags, __u32 *repeat)
{
	struct open_dedup_key k = {};
	struct open_dedup_val *v, nv = {};
	__u64 now;

	if (!dedup_ns)
		return false;
	k.ino = f->f_inode->i_ino;
	k.dev = f->f_inode->i_sb->s_dev;
	k.exec_id = task->self_exec_id;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.flags = flags;
	now = bpf_ktime_get_ns();
	v = bpf_map_lookup_elem(&open_dedup, &k);
	if (!v) {
		nv.since_ns = now;
		bpf_map_update_elem(&open_dedup, &k, &nv, BPF_ANY);
		return false;
	}
	if (now - v->since_ns < dedup_ns) {
		/* Threads of one process race here; a lost increment only
		 * undercounts repeats, never hides a first open. */
		v->repeat++;
		stats__add(VIGIL_STAT_DEDUPED, 1);
		return true;
	}
	*repeat = v->repeat;
	v->repeat = 0;
	v->since_ns = now;
	return false;
}

/* True: drop this open (counted). `repeat` gets the folded count to ship. */
static __always_inline bool open__skip(long ret, __u32 flags, __u32 *repeat)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vigil_filter_cfg *cfg;
	bool writes = open__writes(flags), reads_filtered;
	__u32 zero = 0;
	struct file *f;

	if (capture_all)
		return false;
	cfg = bpf_map_lookup_elem(&filter_cfg, &zero);
	if (!cfg)
		return false;
	reads_filtered = cfg->read_filter;
	if (ret < 0) {
		if (writes || !reads_filtered || ret == -EACCES_ || ret == -EPERM_)
			return false;
		stats__add(VIGIL_STAT_FILTERED, 1);
		return true;
	}
	f = task__fd_file_btf(task, (int)ret);
	if (!f)
		return false;
	if (open__noise_dev(f->f_inode) ||
	    (!writes && reads_filtered && !open__watched(f->f_path.dentry, cfg))) {
		stats__add(VIGIL_STAT_FILTERED, 1);
		return true;
	}
	return open__dedup(task, f, flags, repeat);
}

#endif /* __VIGIL_OPEN_FILTER_H */
