/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Responses the kernel carries out itself. Two halves:
 *  - kill_tree (maps.h): a process whose tgid, or a near ancestor's, is in
 *    it dies at its next fork or exec, so a tree cannot outgrow its kill;
 *  - respond_rules (events.h): a rule decided by the executable's name
 *    alone is carried out at exec, before the new image runs, with no round
 *    trip to the agent. The tree's members are found by walking every
 *    process's ancestry (bpf_iter_task) and signalled from here
 *    (bpf_send_signal_task).
 * The kfuncs are weak: on a kernel without them (before 6.13) the verifier
 * refuses respond_exec alone, the loader goes on without it, and the agent
 * carries the same rules out from user space. */
#ifndef __VIGIL_RESPOND_H
#define __VIGIL_RESPOND_H

#include "record.h"

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __weak __ksym;
extern void bpf_task_release(struct task_struct *p) __weak __ksym;
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, __u64 value) __weak __ksym;

#define ITER_ALL_PROCS	1	/* BPF_TASK_ITER_ALL_PROCS: one task per process */
#define SIGKILL_	9
#define MINUTE_NS	60000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_RESPOND_MAX);
	__type(key, char[VIGIL_RESPOND_NAME_MAX]);
	__type(value, struct vigil_respond_rule);
} respond_rules SEC(".maps");

/* Executables no response touches (the agent's --response-allow), by inode
 * and device as exec_block: never acted on, spared inside a tree. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_RESPOND_SPARE_MAX);
	__type(key, struct vigil_exec_key);
	__type(value, __u8);
} respond_spare SEC(".maps");

struct respond_window {
	__u64 start_ns;
	__u64 count;
};

/* Per rule index: responses in the current minute. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_RESPOND_RULES_MAX);
	__type(key, __u32);
	__type(value, struct respond_window);
} respond_rate SEC(".maps");

/* What respond_exec did, for handle_exec to put in the record: it runs
 * next on the same tracepoint hit, on the same CPU. tgid 0: nothing. */
struct respond_note {
	__u32 tgid;
	__u32 rule;
	__u16 action;
	__u16 refused;
	__u32 signalled;
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct respond_note);
} respond_note SEC(".maps");

/* Is t running an executable on the response allow-list? */
static __always_inline bool respond__spared(struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct vigil_exec_key k = { .pad = 0 };

	if (!exe)
		return false;
	k.ino = BPF_CORE_READ(exe, f_inode, i_ino);
	k.dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	return bpf_map_lookup_elem(&respond_spare, &k) != NULL;
}

/* kill-tree: is t, or one of its nearest ancestors, in kill_tree? */
static __always_inline bool tree__doomed(struct task_struct *t)
{
	__u32 tgid;
	int i;

	for (i = 0; i < VIGIL_KILL_TREE_DEPTH && t; i++) {
		tgid = BPF_CORE_READ(t, tgid);
		if (tgid <= 1)
			return false;
		if (bpf_map_lookup_elem(&kill_tree, &tgid))
			return true;
		t = BPF_CORE_READ(t, real_parent);
	}
	return false;
}

static __always_inline void tree__join(__u32 tgid)
{
	__u8 one = 1;

	bpf_map_update_elem(&kill_tree, &tgid, &one, BPF_ANY);
}

/* Is `root` t's process or one of its VIGIL_RESPOND_DEPTH nearest ancestors? */
static __always_inline bool respond__in_tree(struct task_struct *t, __u32 root)
{
	__u32 tgid;
	int i;

	for (i = 0; i < VIGIL_RESPOND_DEPTH && t; i++) {
		tgid = t->tgid;
		if (tgid == root)
			return true;
		if (tgid <= 1)
			return false;
		t = t->real_parent;
	}
	return false;
}

/* A tree that holds the agent or its loader is never killed from here. */
static __always_inline bool respond__holds_self(__u32 root)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	bool held = false;
	__u32 tgid;

	bpf_iter_task_new(&it, NULL, ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		tgid = t->tgid;
		if (bpf_map_lookup_elem(&self_tgids, &tgid) && respond__in_tree(t, root)) {
			held = true;
			break;
		}
	}
	bpf_iter_task_destroy(&it);
	return held;
}

/* SIGKILL every descendant of root; each joins kill_tree first, so a child
 * it forks before the signal lands dies at its own first fork or exec. */
static __always_inline __u32 respond__kill_descendants(__u32 root)
{
	struct bpf_iter_task it;
	struct task_struct *t, *ref;
	__u32 n = 0, tgid;

	bpf_iter_task_new(&it, NULL, ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		tgid = t->tgid;
		if (tgid == root || !respond__in_tree(t, root) || respond__spared(t))
			continue;
		tree__join(tgid);
		ref = bpf_task_acquire(t);
		if (!ref)
			continue;
		if (!bpf_send_signal_task(ref, SIGKILL_, PIDTYPE_TGID, 0))
			n++;
		bpf_task_release(ref);
	}
	bpf_iter_task_destroy(&it);
	return n;
}

/* Racy across CPUs at a minute's edge, which can let one extra through. */
static __always_inline bool respond__limited(const struct vigil_respond_rule *rr, __u64 now)
{
	__u32 idx = rr->rule;
	struct respond_window *w = bpf_map_lookup_elem(&respond_rate, &idx);

	if (!w)
		return true;
	if (now - w->start_ns > MINUTE_NS) {
		w->start_ns = now;
		w->count = 0;
	}
	return __sync_fetch_and_add(&w->count, 1) >= rr->per_minute;
}

/* The exec'ing task (current, its new image in place): act if its
 * executable's name is in respond_rules, and leave a note. */
static __always_inline void respond__exec(struct task_struct *task)
{
	char name[VIGIL_RESPOND_NAME_MAX] = {};
	struct vigil_respond_rule *rr;
	struct respond_note *note;
	__u32 zero = 0, tgid = task->tgid;
	__u64 t0 = bpf_ktime_get_ns();

	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name));
	rr = bpf_map_lookup_elem(&respond_rules, name);
	if (!rr || tgid <= 1 || !(note = bpf_map_lookup_elem(&respond_note, &zero)))
		return;
	note->tgid = tgid;
	note->rule = rr->rule;
	note->action = rr->action;
	note->refused = 0;
	note->signalled = 0;
	if (respond__limited(rr, t0)) {
		note->refused = 2;
	} else if (respond__spared(task)) {
		note->refused = 3;
	} else if (rr->action == VIGIL_RESPOND_KILL_TREE && respond__holds_self(tgid)) {
		note->refused = 1;
	} else {
		if (rr->action == VIGIL_RESPOND_KILL_TREE) {
			tree__join(tgid);
			note->signalled = respond__kill_descendants(tgid);
		}
		if (!bpf_send_signal(SIGKILL_))
			note->signalled++;
	}
	note->ns = bpf_ktime_get_ns() - t0;
}

/* In handle_exec: what respond_exec did to this exec, into its record. */
static __always_inline void respond__report(struct vigil_rec *r, struct vigil_exec_body *b, __u32 tgid)
{
	struct respond_note *note;
	__u32 zero = 0;

	b->respond_rule = 0;
	b->respond_action = 0;
	b->respond_refused = 0;
	b->respond_signalled = 0;
	b->respond_ns = 0;
	note = bpf_map_lookup_elem(&respond_note, &zero);
	if (!note || note->tgid != tgid)
		return;
	note->tgid = 0;
	b->respond_rule = note->rule;
	b->respond_action = note->action;
	b->respond_refused = note->refused;
	b->respond_signalled = note->signalled;
	b->respond_ns = note->ns > 0xffffffffULL ? 0xffffffff : (__u32)note->ns;
	rec__flag(r, VIGIL_F_RESPONDED);
}

#endif /* __VIGIL_RESPOND_H */
