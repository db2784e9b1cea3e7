/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel's rule responses at exec (bpf/lib/respond.h), filled from
 * control lines (control.h):
 *
 *   respond-begin                         start a new set
 *   respond RULE ACTION PER_MIN NAME      ACTION kill | kill-tree; NAME the executable's file name
 *   respond-commit                        make the set live; answers one line:
 *     "vigil-loader: kernel responses live: N names" or
 *     "vigil-loader: kernel responses unavailable: WHY"
 *   respond-spare INO MAJ MIN             the response allow-list: no kernel response
 *   respond-unspare INO MAJ MIN           touches a process running this file
 *
 * A name two rules give is answered by the first, with the widest action
 * (kill-tree over kill). A commit adds the new names before deleting stale
 * ones. */
#ifndef __VIGIL_RESPOND_H
#define __VIGIL_RESPOND_H

#include <bpf/libbpf.h>

struct vigil_respond;

/* From the loaded process object: NULL on ENOMEM. When its respond_exec
 * program did not load, every commit answers "unavailable". */
struct vigil_respond *respond__new(struct bpf_object *process_obj);
void respond__free(struct vigil_respond *r); /* accepts NULL */
/* One control line whose command starts with "respond"; `save` is the strtok_r state after it. */
void respond__line(struct vigil_respond *r, const char *cmd, char **save);

#endif /* __VIGIL_RESPOND_H */
