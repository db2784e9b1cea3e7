// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "exec_key.h"

bool exec_key__parse(char **save, struct exec_key_arg *a)
{
	char *ino = strtok_r(NULL, " \t\r", save), *maj = strtok_r(NULL, " \t\r", save), *min = strtok_r(NULL, " \t\r", save);

	if (!ino || !maj || !min)
		return false;
	memset(a, 0, sizeof(*a));
	a->key.ino = strtoull(ino, NULL, 10);
	a->key.dev = (__u32)((strtoul(maj, NULL, 10) << 20) | (strtoul(min, NULL, 10) & 0xfffff));
	snprintf(a->text, sizeof(a->text), "inode %.20s on %.12s:%.12s", ino, maj, min);
	return true;
}

int exec_key__set(int fd, const struct vigil_exec_key *k, bool on)
{
	__u8 one = 1;

	if (!(on ? bpf_map_update_elem(fd, k, &one, BPF_ANY) : bpf_map_delete_elem(fd, k)))
		return 0;
	return errno == ENOENT && !on ? 0 : -errno;
}
