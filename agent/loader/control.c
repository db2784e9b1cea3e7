// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#define __VIGIL_USERSPACE
#include "events.h"
#include "control.h"
#include "isolate.h"
#include "respond.h"
#include "exec_key.h"

#define LINE_MAX_ 256

struct watch_set {
	char name[VIGIL_WATCH_MAX][VIGIL_WATCH_NAME_MAX];
	__u8 bits[VIGIL_WATCH_MAX];
	int n;
};

struct vigil_control {
	int cfg_fd, watch_fd, block_fd, kill_fd;
	struct vigil_isolate *iso;
	struct vigil_respond *resp;
	struct watch_set live, pending;
	bool building, filtering;
	char line[LINE_MAX_];
	size_t len;
	bool overlong;
};

struct vigil_control *control__new(int cfg_fd, int watch_fd, int block_fd, int kill_fd, struct vigil_isolate *iso,
				   struct vigil_respond *resp)
{
	struct vigil_control *c = calloc(1, sizeof(*c));

	if (c) {
		c->cfg_fd = cfg_fd;
		c->watch_fd = watch_fd;
		c->block_fd = block_fd;
		c->kill_fd = kill_fd;
		c->iso = iso;
		c->resp = resp;
	}
	return c;
}

void control__free(struct vigil_control *c)
{
	free(c);
}

int control__read_watch(const struct vigil_control *c)
{
	return c->filtering ? c->live.n : -1;
}

static int set__find(const struct watch_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strncmp(s->name[i], name, VIGIL_WATCH_NAME_MAX))
			return i;
	return -1;
}

static void set__lens(const struct watch_set *s, __u64 *file_lens, __u64 *dir_lens)
{
	size_t len;
	int i;

	for (i = 0; i < s->n; i++) {
		len = strnlen(s->name[i], VIGIL_WATCH_NAME_MAX);
		if (s->bits[i] & VIGIL_WATCH_FILE)
			*file_lens |= VIGIL_WATCH_LEN_BIT(len);
		if (s->bits[i] & VIGIL_WATCH_DIR)
			*dir_lens |= VIGIL_WATCH_LEN_BIT(len);
	}
}

/* The read filter on with the length masks of `a` and `b` (may be NULL). */
static int set_filter(struct vigil_control *c, bool on, const struct watch_set *a, const struct watch_set *b)
{
	struct vigil_filter_cfg cfg = { .read_filter = on };
	__u32 zero = 0;

	if (a)
		set__lens(a, &cfg.file_lens, &cfg.dir_lens);
	if (b)
		set__lens(b, &cfg.file_lens, &cfg.dir_lens);

	if (bpf_map_update_elem(c->cfg_fd, &zero, &cfg, BPF_ANY))
		return -errno;
	c->filtering = on;
	return 0;
}

static void watch_add(struct vigil_control *c, const char *kind, const char *name)
{
	struct watch_set *s = &c->pending;
	__u8 bit = !strcmp(kind, "file") ? VIGIL_WATCH_FILE : !strcmp(kind, "dir") ? VIGIL_WATCH_DIR : 0;
	char key[VIGIL_WATCH_NAME_MAX];
	size_t len = strlen(name);
	int i;

	if (!c->building || !bit || !len || strchr(name, '/')) {
		fprintf(stderr, "vigil-loader: control: ignored 'watch %s %s' (use watch-begin, then "
			"'watch file|dir NAME' with a name and no '/')\n", kind, name);
		return;
	}
	/* Longer names match on the kernel's truncated copy of the dentry name. */
	memset(key, 0, sizeof(key));
	memcpy(key, name, len < VIGIL_WATCH_NAME_MAX ? len : VIGIL_WATCH_NAME_MAX - 1);
	i = set__find(s, key);
	if (i < 0) {
		if (s->n == VIGIL_WATCH_MAX) {
			fprintf(stderr, "vigil-loader: control: read watch full (%d names)\n", VIGIL_WATCH_MAX);
			return;
		}
		i = s->n++;
		memcpy(s->name[i], key, sizeof(key));
		s->bits[i] = 0;
	}
	s->bits[i] |= bit;
}

/* Length masks widened to old+new, new names in, stale names out, masks
 * narrowed: at no point is a name of either set unreachable. */
static void watch_commit(struct vigil_control *c)
{
	struct watch_set *live = &c->live, *next = &c->pending;
	int i, err = 0;

	if (!c->building) {
		fprintf(stderr, "vigil-loader: control: watch-commit without watch-begin ignored\n");
		return;
	}
	c->building = false;
	if (c->filtering)
		err = set_filter(c, true, live, next);
	for (i = 0; i < next->n && !err; i++)
		if (bpf_map_update_elem(c->watch_fd, next->name[i], &next->bits[i], BPF_ANY))
			err = -errno;
	for (i = 0; i < live->n && !err; i++)
		if (set__find(next, live->name[i]) < 0)
			bpf_map_delete_elem(c->watch_fd, live->name[i]);
	if (!err)
		err = set_filter(c, true, next, NULL);
	if (err) {
		/* Fail open: a half-filled watch would hide reads rules need. */
		fprintf(stderr, "vigil-loader: control: read watch not applied (%s); read-only opens ship unfiltered\n",
			strerror(-err));
		set_filter(c, false, NULL, NULL);
		return;
	}
	memcpy(live, next, sizeof(*live));
	fprintf(stderr, "vigil-loader: read watch live: %d names\n", live->n);
}

/* block-exec / unblock-exec INO MAJOR MINOR: the device as the kernel
 * encodes it in sb->s_dev (MKDEV: major << 20 | minor). */
static void exec_block(struct vigil_control *c, bool on, char **save)
{
	const char *cmd = on ? "block-exec" : "unblock-exec";
	struct exec_key_arg a;
	int err;

	if (!exec_key__parse(save, &a)) {
		fprintf(stderr, "vigil-loader: control: %s needs INO MAJOR MINOR\n", cmd);
		return;
	}
	if ((err = exec_key__set(c->block_fd, &a.key, on)))
		fprintf(stderr, "vigil-loader: control: %s %s failed: %s\n", cmd, a.text, strerror(-err));
	else
		fprintf(stderr, "vigil-loader: exec %s: %s\n", on ? "blocked" : "unblocked", a.text);
}

/* kill-tree / kill-tree-end TGID: arm (or disarm) the kernel's half of a
 * kill-tree (bpf/process.bpf.c): from now on the tree's members die when
 * they fork or exec. The agent signals the members it knows itself. */
static void kill_tree(struct vigil_control *c, bool on, char **save)
{
	char *arg = strtok_r(NULL, " \t\r", save), *end = NULL;
	unsigned long v = arg ? strtoul(arg, &end, 10) : 0;
	__u32 tgid = (__u32)v;
	__u8 one = 1;
	int err;

	if (!arg || *end || v <= 1 || v > 4194304) {
		fprintf(stderr, "vigil-loader: control: %s needs a TGID above 1\n", on ? "kill-tree" : "kill-tree-end");
		return;
	}
	err = on ? bpf_map_update_elem(c->kill_fd, &tgid, &one, BPF_ANY) : bpf_map_delete_elem(c->kill_fd, &tgid);
	if (err && !(errno == ENOENT && !on))
		fprintf(stderr, "vigil-loader: control: %s %u failed: %s\n", on ? "kill-tree" : "kill-tree-end", tgid, strerror(errno));
}

/* isolate / release / isolate-allow / isolate-disallow: one result line each. */
static void isolation(struct vigil_control *c, const char *cmd, char **save)
{
	char *id = strtok_r(NULL, " \t\r", save), *a = strtok_r(NULL, " \t\r", save), *b = strtok_r(NULL, " \t\r", save);
	char err[256] = "";
	int ret;

	if (!id) {
		fprintf(stderr, "vigil-loader: control: %s needs an ID\n", cmd);
		return;
	}
	if (!strcmp(cmd, "isolate"))
		ret = a ? isolate__attach(c->iso, id, a, err, sizeof(err)) : (snprintf(err, sizeof(err), "isolate needs a cgroup directory"), -1);
	else if (!strcmp(cmd, "release"))
		ret = isolate__release(c->iso, id, err, sizeof(err));
	else
		ret = isolate__allow(c->iso, !strcmp(cmd, "isolate-allow"), a, b, err, sizeof(err));
	if (ret)
		fprintf(stderr, "vigil-loader: control-result %s error %s\n", id, err);
	else
		fprintf(stderr, "vigil-loader: control-result %s ok\n", id);
}

static void control__line(struct vigil_control *c, char *line)
{
	char *kind, *name, *save = NULL, *cmd = strtok_r(line, " \t\r", &save);

	if (!cmd)
		return;
	if (!strcmp(cmd, "watch-begin")) {
		c->building = true;
		c->pending.n = 0;
	} else if (!strcmp(cmd, "watch")) {
		kind = strtok_r(NULL, " \t\r", &save);
		name = strtok_r(NULL, "\r", &save);
		watch_add(c, kind ? kind : "", name ? name : "");
	} else if (!strcmp(cmd, "watch-commit")) {
		watch_commit(c);
	} else if (!strcmp(cmd, "kill-tree") || !strcmp(cmd, "kill-tree-end")) {
		kill_tree(c, cmd[9] == '\0', &save);
	} else if (!strcmp(cmd, "block-exec") || !strcmp(cmd, "unblock-exec")) {
		exec_block(c, cmd[0] == 'b', &save);
	} else if (!strcmp(cmd, "isolate") || !strcmp(cmd, "release") || !strcmp(cmd, "isolate-allow") ||
		   !strcmp(cmd, "isolate-disallow")) {
		isolation(c, cmd, &save);
	} else if (!strncmp(cmd, "respond", 7)) {
		respond__line(c->resp, cmd, &save);
	} else if (!strcmp(cmd, "watch-off")) {
		c->building = false;
		if (set_filter(c, false, NULL, NULL))
			fprintf(stderr, "vigil-loader: control: watch-off failed: %s\n", strerror(errno));
		else
			fprintf(stderr, "vigil-loader: read watch off: every read-only open ships\n");
	} else {
		fprintf(stderr, "vigil-loader: control: unknown command '%s' ignored\n", cmd);
	}
}

static void control__bytes(struct vigil_control *c, const char *buf, ssize_t n)
{
	ssize_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (c->len < LINE_MAX_ - 1)
				c->line[c->len++] = buf[i];
			else
				c->overlong = true;
			continue;
		}
		c->line[c->len] = 0;
		if (c->overlong)
			fprintf(stderr, "vigil-loader: control: line over %d bytes ignored\n", LINE_MAX_ - 1);
		else
			control__line(c, c->line);
		c->len = 0;
		c->overlong = false;
	}
}

bool control__poll(struct vigil_control *c)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, 0) > 0) {
		if (p.revents & (POLLERR | POLLNVAL))
			return true;
		if (!(p.revents & POLLIN))
			return p.revents & POLLHUP;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true;
		if (n < 0)
			return false;
		control__bytes(c, buf, n);
	}
	return false;
}
