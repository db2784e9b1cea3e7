/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The probe families as generic skeleton handles, so lifecycle.c can treat
 * every family the same way through skel->obj. */
#ifndef __VIGIL_FAMILIES_H
#define __VIGIL_FAMILIES_H

#include <bpf/libbpf.h>
#include "loader.h"

struct vigil_family_ops {
	const char *name;
	bool required;	/* the loader refuses to run without it */
	void *(*open)(const struct bpf_object_open_opts *opts);
	struct bpf_object *(*obj)(void *skel);
	void (*destroy)(void *skel); /* accepts NULL */
};

/* Indexed by enum vigil_family_id. */
extern const struct vigil_family_ops vigil_families[VIGIL_FAM_COUNT];

#endif /* __VIGIL_FAMILIES_H */
