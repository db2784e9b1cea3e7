/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __VIGIL_LOADER_MAPS_H
#define __VIGIL_LOADER_MAPS_H

#include "loader.h"

/* Put the loader, its parent (the collector) and every --self-pid into
 * `self_tgids`, so the agent never reports on itself. 0 or -errno. */
int maps__add_self(int self_tgids_fd, const struct vigil_opts *o);

#endif /* __VIGIL_LOADER_MAPS_H */
