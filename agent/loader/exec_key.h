/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* An executable named on a control line as INO MAJOR MINOR, and the set
 * maps keyed by it (exec_block, respond_spare). */
#ifndef __VIGIL_EXEC_KEY_H
#define __VIGIL_EXEC_KEY_H

#include <stdbool.h>
#ifndef __VIGIL_USERSPACE
#define __VIGIL_USERSPACE
#endif
#include "events.h"

struct exec_key_arg {
	struct vigil_exec_key key;	/* the device as sb->s_dev: major << 20 | minor */
	char text[64];			/* "inode INO on MAJ:MIN", for messages */
};

/* The next three words of the line; false when one is missing. */
bool exec_key__parse(char **save, struct exec_key_arg *a);
/* Add (on) or remove the key; 0 or -errno. Removing an absent key is no error. */
int exec_key__set(int fd, const struct vigil_exec_key *k, bool on);

#endif /* __VIGIL_EXEC_KEY_H */
