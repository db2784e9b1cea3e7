// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "maps.h"

static int add_tgid(int fd, __u32 tgid)
{
	__u8 one = 1;

	return bpf_map_update_elem(fd, &tgid, &one, BPF_ANY) ? -errno : 0;
}

int maps__add_self(int fd, const struct vigil_opts *o)
{
	int i, err;

	if ((err = add_tgid(fd, getpid())))
		return err;
	if (getppid() > 1 && (err = add_tgid(fd, getppid())))
		return err;
	for (i = 0; i < o->n_self_pids; i++)
		if ((err = add_tgid(fd, o->self_pids[i])))
			return err;
	return 0;
}
