// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#define __VIGIL_USERSPACE
#include "events.h"
#include "respond.h"
#include "exec_key.h"

struct respond_entry {
	char name[VIGIL_RESPOND_NAME_MAX];
	struct vigil_respond_rule rule;
};

struct respond_set {
	struct respond_entry e[VIGIL_RESPOND_MAX];
	int n;
};

struct vigil_respond {
	int fd;			/* respond_rules, -1 when unusable */
	int spare_fd;		/* respond_spare, -1 when unusable */
	char why[128];		/* why it is unusable */
	struct respond_set live, pending;
	bool building;
};

struct vigil_respond *respond__new(struct bpf_object *obj)
{
	struct vigil_respond *r = calloc(1, sizeof(*r));
	struct bpf_program *p;
	struct bpf_map *m;

	if (!r)
		return NULL;
	r->fd = -1;
	m = obj ? bpf_object__find_map_by_name(obj, "respond_spare") : NULL;
	r->spare_fd = m ? bpf_map__fd(m) : -1;
	p = obj ? bpf_object__find_program_by_name(obj, "respond_exec") : NULL;
	m = obj ? bpf_object__find_map_by_name(obj, "respond_rules") : NULL;
	if (!p || !m)
		snprintf(r->why, sizeof(r->why), "the process probes lack respond_exec (run `make bpf loader`)");
	else if (bpf_program__fd(p) < 0)
		snprintf(r->why, sizeof(r->why), "the kernel refused respond_exec (it needs bpf_iter_task and "
			 "bpf_send_signal_task, Linux 6.13 or later)");
	else
		r->fd = bpf_map__fd(m);
	return r;
}

void respond__free(struct vigil_respond *r)
{
	free(r);
}

static int set__find(const struct respond_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!memcmp(s->e[i].name, name, VIGIL_RESPOND_NAME_MAX))
			return i;
	return -1;
}

static void respond__add(struct vigil_respond *r, char **save)
{
	char *rule = strtok_r(NULL, " \t\r", save), *action = strtok_r(NULL, " \t\r", save);
	char *per_min = strtok_r(NULL, " \t\r", save), *name = strtok_r(NULL, "\r", save), *end = NULL, *pend = NULL;
	struct respond_set *s = &r->pending;
	struct respond_entry e = {};
	unsigned long idx = rule ? strtoul(rule, &end, 10) : VIGIL_RESPOND_RULES_MAX;
	unsigned long limit = per_min ? strtoul(per_min, &pend, 10) : 0;
	int i;

	if (!r->building || !rule || *end || idx >= VIGIL_RESPOND_RULES_MAX || !action || !per_min || *pend ||
	    limit > 0xffffffffUL || !name ||
	    !*name || strchr(name, '/') || strlen(name) >= VIGIL_RESPOND_NAME_MAX - 1 ||
	    (strcmp(action, "kill") && strcmp(action, "kill-tree"))) {
		fprintf(stderr, "vigil-loader: control: ignored a respond line (use respond-begin, then "
			"'respond RULE<%d kill|kill-tree PER_MIN NAME' with a file name under %d bytes and no '/')\n",
			VIGIL_RESPOND_RULES_MAX, VIGIL_RESPOND_NAME_MAX - 1);
		return;
	}
	/* One byte short of the key: the kernel's copy of a longer name never equals it. */
	memcpy(e.name, name, strlen(name));
	e.rule.rule = idx;
	e.rule.action = strcmp(action, "kill") ? VIGIL_RESPOND_KILL_TREE : VIGIL_RESPOND_KILL;
	e.rule.per_minute = (__u32)limit;
	if ((i = set__find(s, e.name)) >= 0) {
		/* The first rule naming it answers for it, with the widest action asked. */
		if (e.rule.action == VIGIL_RESPOND_KILL_TREE)
			s->e[i].rule.action = VIGIL_RESPOND_KILL_TREE;
		return;
	}
	if (s->n == VIGIL_RESPOND_MAX) {
		fprintf(stderr, "vigil-loader: control: kernel responses full (%d names)\n", VIGIL_RESPOND_MAX);
		return;
	}
	s->e[s->n++] = e;
}

static void respond__commit(struct vigil_respond *r)
{
	struct respond_set *live = &r->live, *next = &r->pending;
	int i;

	if (!r->building) {
		fprintf(stderr, "vigil-loader: control: respond-commit without respond-begin ignored\n");
		return;
	}
	r->building = false;
	if (r->fd < 0) {
		fprintf(stderr, "vigil-loader: kernel responses unavailable: %s\n", r->why);
		return;
	}
	for (i = 0; i < next->n; i++) {
		if (bpf_map_update_elem(r->fd, next->e[i].name, &next->e[i].rule, BPF_ANY)) {
			fprintf(stderr, "vigil-loader: kernel responses unavailable: cannot add '%s': %s\n",
				next->e[i].name, strerror(errno));
			return;
		}
	}
	for (i = 0; i < live->n; i++)
		if (set__find(next, live->e[i].name) < 0)
			bpf_map_delete_elem(r->fd, live->e[i].name);
	memcpy(live, next, sizeof(*live));
	fprintf(stderr, "vigil-loader: kernel responses live: %d names\n", live->n);
}

/* respond-spare / respond-unspare INO MAJOR MINOR (as block-exec). The
 * kill_tree half honours it even where respond_exec did not load. */
static void respond__spare(struct vigil_respond *r, bool on, char **save)
{
	const char *cmd = on ? "respond-spare" : "respond-unspare";
	struct exec_key_arg a;
	int err;

	if (!exec_key__parse(save, &a) || r->spare_fd < 0) {
		fprintf(stderr, "vigil-loader: control: %s %s\n", cmd, r->spare_fd < 0 ? "unavailable: the process probes lack respond_spare (run `make bpf loader`)" : "needs INO MAJOR MINOR");
		return;
	}
	if ((err = exec_key__set(r->spare_fd, &a.key, on)))
		fprintf(stderr, "vigil-loader: control: %s %s failed: %s\n", cmd, a.text, strerror(-err));
	else
		fprintf(stderr, "vigil-loader: response allow-list %s: %s\n", on ? "holds" : "dropped", a.text);
}

void respond__line(struct vigil_respond *r, const char *cmd, char **save)
{
	if (!strcmp(cmd, "respond-begin")) {
		r->building = true;
		r->pending.n = 0;
	} else if (!strcmp(cmd, "respond")) {
		respond__add(r, save);
	} else if (!strcmp(cmd, "respond-commit")) {
		respond__commit(r);
	} else if (!strcmp(cmd, "respond-spare") || !strcmp(cmd, "respond-unspare")) {
		respond__spare(r, cmd[8] == 's', save);
	} else {
		fprintf(stderr, "vigil-loader: control: unknown command '%s' ignored\n", cmd);
	}
}
