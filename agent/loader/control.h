/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Control lines from the collector on stdin; EOF means stop.
 *
 *   watch-begin            start a new read watch set
 *   watch file NAME        read-only opens of a file named NAME ship
 *   watch dir NAME         ... of any file directly in a directory named NAME
 *   watch-commit           make the set live (and turn the read filter on)
 *   watch-off              ship every read-only open again
 *   block-exec INO MAJ MIN kill every exec of this inode on device MAJ:MIN
 *   unblock-exec INO MAJ MIN
 *   isolate ID CGROUP_DIR  refuse the cgroup's network but loopback and the allow-list
 *   release ID             end that isolation
 *   isolate-allow ID IP PORT / isolate-disallow ID IP PORT   (PORT 0: any)
 *   respond-begin / respond ... / respond-commit   kernel rule responses (respond.h)
 *
 * The isolation commands answer on stderr with one line the collector waits
 * for: "vigil-loader: control-result ID ok" or "... ID error MESSAGE".
 *
 * A commit adds the new names before deleting stale ones, so a rule reload
 * never opens a gap. Bad lines are reported on stderr and ignored. */
#ifndef __VIGIL_CONTROL_H
#define __VIGIL_CONTROL_H

#include <stdbool.h>

#define VIGIL_WATCH_MAX 1024

struct vigil_control;
struct vigil_isolate;
struct vigil_respond;

/* fds of the filter_cfg, read_watch, exec_block and kill_tree maps; the
 * isolation and kernel-response state (owned by the caller). NULL on ENOMEM. */
struct vigil_control *control__new(int cfg_fd, int watch_fd, int block_fd, int kill_fd, struct vigil_isolate *iso,
				   struct vigil_respond *resp);
void control__free(struct vigil_control *c);
/* Read and apply what stdin has. True when stdin closed or failed. */
bool control__poll(struct vigil_control *c);
/* Names live in the kernel, or -1 while the read filter is off. */
int control__read_watch(const struct vigil_control *c);

#endif /* __VIGIL_CONTROL_H */
