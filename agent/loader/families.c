// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The only file that includes the generated skeletons (build/skel/). */
#include "families.h"
#include "process.skel.h"
#include "file.skel.h"
#include "net.skel.h"
#include "priv.skel.h"

#define FAMILY_OPS(fam)								\
static void *fam##__open(const struct bpf_object_open_opts *opts)		\
{										\
	return fam##_bpf__open_opts(opts);					\
}										\
static struct bpf_object *fam##__obj(void *skel)				\
{										\
	return ((struct fam##_bpf *)skel)->obj;					\
}										\
static void fam##__destroy(void *skel)						\
{										\
	fam##_bpf__destroy(skel);						\
}

FAMILY_OPS(process)
FAMILY_OPS(file)
FAMILY_OPS(net)
FAMILY_OPS(priv)

#define FAMILY(fam, req) { #fam, req, fam##__open, fam##__obj, fam##__destroy }

const struct vigil_family_ops vigil_families[VIGIL_FAM_COUNT] = {
	[VIGIL_FAM_PROCESS] = FAMILY(process, true),
	[VIGIL_FAM_FILE] = FAMILY(file, false),
	[VIGIL_FAM_NET] = FAMILY(net, false),
	[VIGIL_FAM_PRIV] = FAMILY(priv, false),
};
