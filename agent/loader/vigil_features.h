/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Not "features.h": that name would shadow glibc's <features.h>. */
#ifndef __VIGIL_VIGIL_FEATURES_H
#define __VIGIL_VIGIL_FEATURES_H

#include "loader.h"

/* Checks privileges, kernel BTF, tracefs and BPF features, in that order.
 * Returns 0 or a VIGIL_EXIT_* code after printing what to do about it. */
int features__check(const struct vigil_opts *o);
/* True when tracefs has events/<category>/<name> (call after the check). */
bool features__tracepoint_exists(const char *category, const char *name);

#endif /* __VIGIL_VIGIL_FEATURES_H */
