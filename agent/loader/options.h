/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __VIGIL_OPTIONS_H
#define __VIGIL_OPTIONS_H

#include <stdio.h>
#include "loader.h"

/* Returns 0, VIGIL_EXIT_USAGE on bad flags (message already printed), or
 * -1 when --help was printed and the caller should exit 0. */
int options__parse(struct vigil_opts *o, int argc, char **argv);
void options__usage(FILE *f, const char *prog);
const char *options__family_name(int id);

#endif /* __VIGIL_OPTIONS_H */
