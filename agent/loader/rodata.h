/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __VIGIL_RODATA_H
#define __VIGIL_RODATA_H

#include <bpf/libbpf.h>
#include <linux/types.h>

/* Set a `const volatile __u64` global between open and load, found by name
 * through BTF so it works for any object. -ENOENT if it doesn't have one. */
int rodata__set_u64(struct bpf_object *obj, const char *var, __u64 val);

#endif /* __VIGIL_RODATA_H */
