// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What skel->rodata->var = v does, without knowing the skeleton's type:
 * the .rodata DATASEC in the object's BTF gives the variable's offset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "rodata.h"

static struct bpf_map *rodata_map(struct bpf_object *obj)
{
	struct bpf_map *m;
	const char *name;
	size_t n;

	bpf_object__for_each_map(m, obj) {
		name = bpf_map__name(m);
		n = strlen(name);
		if (bpf_map__is_internal(m) && n >= 7 && !strcmp(name + n - 7, ".rodata"))
			return m;
	}
	return NULL;
}

static int var_offset(const struct btf *btf, const char *var, __u32 *off, __u32 *size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *t;
	int id, i;

	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		t = btf__type_by_id(btf, vs->type);
		if (t && !strcmp(btf__name_by_offset(btf, t->name_off), var)) {
			*off = vs->offset;
			*size = vs->size;
			return 0;
		}
	}
	return -ENOENT;
}

int rodata__set_u64(struct bpf_object *obj, const char *var, __u64 val)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m = rodata_map(obj);
	__u32 off, size;
	const void *init;
	size_t len;
	void *copy;
	int err;

	if (!btf || !m || var_offset(btf, var, &off, &size))
		return -ENOENT;
	init = bpf_map__initial_value(m, &len);
	if (!init || size != sizeof(val) || off + size > len)
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, init, len);
	memcpy((char *)copy + off, &val, sizeof(val));
	err = bpf_map__set_initial_value(m, copy, len);
	free(copy);
	return err;
}
