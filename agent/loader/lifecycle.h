/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Open, configure, load and attach every probe family; tear it all down. */
#ifndef __VIGIL_LIFECYCLE_H
#define __VIGIL_LIFECYCLE_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "loader.h"

/* Maps every object shares: created by the first object loaded. */
enum vigil_shared_map {
	VIGIL_MAP_EVENTS = 0,
	VIGIL_MAP_STATS,
	VIGIL_MAP_SELF_TGIDS,
	VIGIL_MAP_FILTER_CFG,
	VIGIL_MAP_READ_WATCH,
	VIGIL_MAP_EXEC_BLOCK,
	VIGIL_MAP_KILL_TREE,
	VIGIL_MAP_SHARED_COUNT,
};

struct vigil_lifecycle {
	void *skel[VIGIL_FAM_COUNT];	/* NULL: disabled or failed */
	int shared_fd[VIGIL_MAP_SHARED_COUNT]; /* our dups, -1 until created */
	struct bpf_link *links[VIGIL_MAX_PROBES];
	struct vigil_probes probes;
	bool out_of_step;		/* an object lacks a tunable: fatal */
};

void lifecycle__init(struct vigil_lifecycle *lc);
/* 0, or VIGIL_EXIT_LOAD when a required family cannot be loaded or any
 * object lacks a tunable the loader sets. */
int lifecycle__load(struct vigil_lifecycle *lc, const struct vigil_opts *o);
/* Attach every loaded program; 0, or VIGIL_EXIT_ATTACH if none attached. */
int lifecycle__attach(struct vigil_lifecycle *lc);
void lifecycle__destroy(struct vigil_lifecycle *lc); /* accepts NULL */
/* A loaded family's object, or NULL. */
struct bpf_object *lifecycle__obj(const struct vigil_lifecycle *lc, int family);

#endif /* __VIGIL_LIFECYCLE_H */
