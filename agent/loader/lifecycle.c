// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Object life: open -> configure (shared maps, ring size, rodata) -> load,
 * retrying without a program the verifier refuses -> attach one by one.
 * libbpf cannot reload an object after a failed load, so each retry reopens
 * the skeleton with the refused programs' autoload turned off. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "families.h"
#include "lifecycle.h"
#include "frames.h"
#include "log.h"
#include "rodata.h"
#include "vigil_features.h"

#define MAX_LOAD_RETRIES 32

static const char *shared_names[VIGIL_MAP_SHARED_COUNT] = { "events", "stats", "self_tgids", "filter_cfg", "read_watch", "exec_block", "kill_tree" };

void lifecycle__init(struct vigil_lifecycle *lc)
{
	int i;

	memset(lc, 0, sizeof(*lc));
	for (i = 0; i < VIGIL_MAP_SHARED_COUNT; i++)
		lc->shared_fd[i] = -1;
}

static struct vigil_probe *probe__add(struct vigil_lifecycle *lc, const struct bpf_program *p, const char *fam)
{
	struct vigil_probe *pr;

	if (lc->probes.n == VIGIL_MAX_PROBES)
		return NULL;
	pr = &lc->probes.list[lc->probes.n++];
	snprintf(pr->name, sizeof(pr->name), "%s", bpf_program__name(p));
	snprintf(pr->section, sizeof(pr->section), "%s", bpf_program__section_name(p));
	pr->family = fam;
	pr->prog_fd = -1;
	return pr;
}

static int shared_index(const char *name)
{
	int i;

	for (i = 0; i < VIGIL_MAP_SHARED_COUNT; i++)
		if (!strcmp(name, shared_names[i]))
			return i;
	return -1;
}

/* Why a program stays unloaded in this setup, or NULL to load it. A
 * tracepoint the kernel lacks is skipped by name, not reported as a failure. */
static const char *program__gate(struct bpf_program *p, const struct vigil_opts *o)
{
	const char *sec = bpf_program__section_name(p), *slash;
	char cat[64];

	if (!strcmp(bpf_program__name(p), "exit_module_any")) {
		if (features__tracepoint_exists("syscalls", "sys_exit_init_module"))
			return "off: module syscalls have their own tracepoints";
		if (!o->capture_all)
			return "off: no module syscall tracepoints here; --capture all watches every syscall";
		return NULL;
	}
	if (strncmp(sec, "tp/", 3) || !(slash = strchr(sec + 3, '/')) || slash - sec - 3 >= (int)sizeof(cat))
		return NULL;
	snprintf(cat, sizeof(cat), "%.*s", (int)(slash - sec - 3), sec + 3);
	return features__tracepoint_exists(cat, slash + 1) ? NULL : "off: the kernel has no such tracepoint";
}

/* Between open and load: point shared maps at the first object's, size the
 * ring, set tunables and switch off programs refused in earlier attempts. */
static int family__configure(struct vigil_lifecycle *lc, struct bpf_object *obj, const struct vigil_opts *o,
			     char skip[][64], int nskip)
{
	struct bpf_program *p;
	struct bpf_map *m;
	int i, err;

	bpf_object__for_each_map(m, obj) {
		i = shared_index(bpf_map__name(m));
		if (i == VIGIL_MAP_EVENTS && (err = bpf_map__set_max_entries(m, o->ringbuf_size)))
			return err;
		if (i >= 0 && lc->shared_fd[i] >= 0 && (err = bpf_map__reuse_fd(m, lc->shared_fd[i])))
			return err;
	}
	{
		/* Every object declares these (bpf/lib/base.h): a name that is
		 * missing means the object and the loader are out of step, and
		 * running with a default would silently ignore the option. */
		const struct { const char *name; __u64 val; } tun[] = {
			{ "wakeup_bytes", o->wakeup_bytes },
			{ "capture_all", o->capture_all },
			{ "dedup_ns", o->capture_all ? 0 : o->dedup_ns },
			{ "exec_wake_ns", o->exec_wake_ns },
		};

		for (i = 0; i < (int)(sizeof(tun) / sizeof(tun[0])); i++) {
			err = rodata__set_u64(obj, tun[i].name, tun[i].val);
			if (err == -ENOENT) {
				fprintf(stderr, "vigil-loader: failed to set tunable %s in %s: no such .rodata variable "
					"(BPF objects and loader out of step: run `make bpf loader`)\n",
					tun[i].name, bpf_object__name(obj));
				lc->out_of_step = true;
				return -ENOENT;
			}
			if (err)
				return err;
		}
	}
	for (i = 0; i < nskip; i++) {
		p = bpf_object__find_program_by_name(obj, skip[i]);
		if (p)
			bpf_program__set_autoload(p, false);
	}
	return 0;
}

/* The first object loaded owns the shared maps: keep fds for the rest. */
static void family__adopt_shared(struct vigil_lifecycle *lc, struct bpf_object *obj)
{
	struct bpf_map *m;
	int i;

	bpf_object__for_each_map(m, obj) {
		i = shared_index(bpf_map__name(m));
		if (i >= 0 && lc->shared_fd[i] < 0)
			lc->shared_fd[i] = dup(bpf_map__fd(m));
	}
}

static int family__load(struct vigil_lifecycle *lc, int id, const struct vigil_opts *o)
{
	const struct vigil_family_ops *f = &vigil_families[id];
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	char skip[MAX_LOAD_RETRIES][64];
	char why[MAX_LOAD_RETRIES][VIGIL_ERR_LEN];
	struct bpf_program *p;
	int nskip = 0, err, i;
	bool gated = false;
	const char *why_not;
	void *skel;

	for (;;) {
		skel = f->open(&oo);
		if (!skel) {
			err = -errno;
			fprintf(stderr, "vigil-loader: failed to open %s probes: %s\n", f->name, strerror(-err));
			return err;
		}
		if (!gated) {
			gated = true;
			bpf_object__for_each_program(p, f->obj(skel)) {
				if (nskip == MAX_LOAD_RETRIES || !(why_not = program__gate(p, o)))
					continue;
				snprintf(skip[nskip], sizeof(skip[0]), "%s", bpf_program__name(p));
				snprintf(why[nskip], sizeof(why[0]), "%s", why_not);
				nskip++;
				fprintf(stderr, "vigil-loader: %s/%s %s\n", f->name, bpf_program__name(p), why_not);
			}
		}
		log__reset();
		err = family__configure(lc, f->obj(skel), o, skip, nskip);
		if (err) {
			fprintf(stderr, "vigil-loader: failed to configure %s probes: %s\n", f->name, strerror(-err));
			f->destroy(skel);
			return err;
		}
		err = bpf_object__load(f->obj(skel));
		if (!err)
			break;
		p = bpf_object__find_program_by_name(f->obj(skel), log__failed_prog());
		fprintf(stderr, "vigil-loader: failed to load %s probes: %s%s%s\n", f->name, strerror(-err),
			p ? ": verifier refused program " : "", p ? log__failed_prog() : "");
		log__print_tail(stderr);
		f->destroy(skel);
		if (!p || nskip == MAX_LOAD_RETRIES)
			return err;
		snprintf(skip[nskip], sizeof(skip[0]), "%s", log__failed_prog());
		snprintf(why[nskip], sizeof(why[0]), "load failed: %s", strerror(-err));
		nskip++;
		fprintf(stderr, "vigil-loader: retrying %s probes without %s\n", f->name, log__failed_prog());
	}
	lc->skel[id] = skel;
	family__adopt_shared(lc, f->obj(skel));
	for (i = 0; i < nskip; i++) {
		struct vigil_probe *pr;

		p = bpf_object__find_program_by_name(f->obj(skel), skip[i]);
		if (p && (pr = probe__add(lc, p, f->name)))
			memcpy(pr->error, why[i], sizeof(pr->error)); /* same size */
	}
	return 0;
}

int lifecycle__load(struct vigil_lifecycle *lc, const struct vigil_opts *o)
{
	int id;

	for (id = 0; id < VIGIL_FAM_COUNT; id++) {
		if (o->disabled[id] || !family__load(lc, id, o))
			continue;
		if (lc->out_of_step)
			return VIGIL_EXIT_LOAD;
		if (vigil_families[id].required) {
			fprintf(stderr, "vigil-loader: the %s probes are required: see the verifier log above\n",
				vigil_families[id].name);
			return VIGIL_EXIT_LOAD;
		}
		fprintf(stderr, "vigil-loader: warning: %s probes disabled\n", vigil_families[id].name);
	}
	for (id = 0; id < VIGIL_MAP_SHARED_COUNT; id++) {
		if (lc->shared_fd[id] < 0) {
			fprintf(stderr, "vigil-loader: failed to find shared map '%s' in the probes: rebuild with make bpf\n",
				shared_names[id]);
			return VIGIL_EXIT_LOAD;
		}
	}
	return 0;
}

int lifecycle__attach(struct vigil_lifecycle *lc)
{
	struct vigil_probe *pr;
	struct bpf_program *p;
	int id, attached = 0;

	for (id = 0; id < VIGIL_FAM_COUNT; id++) {
		if (!lc->skel[id])
			continue;
		bpf_object__for_each_program(p, vigil_families[id].obj(lc->skel[id])) {
			if (!bpf_program__autoload(p))
				continue; /* refused at load: already recorded */
			pr = probe__add(lc, p, vigil_families[id].name);
			if (!pr)
				break;
			lc->links[pr - lc->probes.list] = bpf_program__attach(p);
			if (!lc->links[pr - lc->probes.list]) {
				snprintf(pr->error, sizeof(pr->error), "attach failed: %s", strerror(errno));
				fprintf(stderr, "vigil-loader: failed to attach %s/%s (%s): %s\n", vigil_families[id].name,
					pr->name, pr->section, strerror(errno));
				continue;
			}
			pr->attached = true;
			pr->prog_fd = bpf_program__fd(p);
			attached++;
		}
	}
	if (!attached) {
		fprintf(stderr, "vigil-loader: failed to attach any probe: see the errors above\n");
		return VIGIL_EXIT_ATTACH;
	}
	return 0;
}

void lifecycle__destroy(struct vigil_lifecycle *lc)
{
	int i;

	if (!lc)
		return;
	for (i = 0; i < VIGIL_MAX_PROBES; i++) {
		bpf_link__destroy(lc->links[i]);
		lc->links[i] = NULL;
	}
	for (i = 0; i < VIGIL_FAM_COUNT; i++) {
		if (lc->skel[i])
			vigil_families[i].destroy(lc->skel[i]);
		lc->skel[i] = NULL;
	}
	for (i = 0; i < VIGIL_MAP_SHARED_COUNT; i++) {
		if (lc->shared_fd[i] >= 0)
			close(lc->shared_fd[i]);
		lc->shared_fd[i] = -1;
	}
}

struct bpf_object *lifecycle__obj(const struct vigil_lifecycle *lc, int family)
{
	return lc->skel[family] ? vigil_families[family].obj(lc->skel[family]) : NULL;
}
