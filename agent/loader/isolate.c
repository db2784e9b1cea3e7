// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#define __VIGIL_USERSPACE
#include "events.h"
#include "isolate.h"
#include "isolate.skel.h"

#define MAX_ISOLATED 64
#define MAX_ID 64
#define N_PROGS 5

struct isolated {
	char id[MAX_ID];
	struct bpf_link *links[N_PROGS];
};

struct vigil_isolate {
	struct isolate_bpf *skel;
	char error[160];
	struct isolated slots[MAX_ISOLATED];
};

struct vigil_isolate *isolate__open(void)
{
	struct vigil_isolate *iso = calloc(1, sizeof(*iso));
	int err;

	if (!iso)
		return NULL;
	iso->skel = isolate_bpf__open();
	if (!iso->skel) {
		snprintf(iso->error, sizeof(iso->error), "cannot open the isolation programs: %s", strerror(errno));
		return iso;
	}
	if ((err = isolate_bpf__load(iso->skel))) {
		snprintf(iso->error, sizeof(iso->error), "the kernel refused the cgroup isolation programs: %s", strerror(-err));
		isolate_bpf__destroy(iso->skel);
		iso->skel = NULL;
	}
	return iso;
}

static void slot__release(struct isolated *s)
{
	int i;

	for (i = 0; i < N_PROGS; i++) {
		bpf_link__destroy(s->links[i]);
		s->links[i] = NULL;
	}
	s->id[0] = '\0';
}

void isolate__free(struct vigil_isolate *iso)
{
	int i;

	if (!iso)
		return;
	for (i = 0; i < MAX_ISOLATED; i++)
		if (iso->slots[i].id[0])
			slot__release(&iso->slots[i]);
	isolate_bpf__destroy(iso->skel);
	free(iso);
}

const char *isolate__error(const struct vigil_isolate *iso)
{
	return iso->skel ? NULL : iso->error;
}

static struct isolated *slot__find(struct vigil_isolate *iso, const char *id)
{
	int i;

	for (i = 0; i < MAX_ISOLATED; i++)
		if (iso->slots[i].id[0] && !strcmp(iso->slots[i].id, id))
			return &iso->slots[i];
	return NULL;
}

int isolate__attach(struct vigil_isolate *iso, const char *id, const char *cgroup_path, char *err, size_t errlen)
{
	struct bpf_program *progs[N_PROGS];
	struct isolated *s = NULL;
	int i, fd;

	if (!iso->skel) {
		snprintf(err, errlen, "%s", iso->error);
		return -1;
	}
	if (strlen(id) >= MAX_ID || slot__find(iso, id)) {
		snprintf(err, errlen, "isolation id '%s' is too long or already in use", id);
		return -1;
	}
	for (i = 0; i < MAX_ISOLATED && !s; i++)
		if (!iso->slots[i].id[0])
			s = &iso->slots[i];
	if (!s) {
		snprintf(err, errlen, "%d isolations are live already; release one first", MAX_ISOLATED);
		return -1;
	}
	fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open cgroup %s: %s", cgroup_path, strerror(errno));
		return -1;
	}
	progs[0] = iso->skel->progs.isolate_connect4;
	progs[1] = iso->skel->progs.isolate_connect6;
	progs[2] = iso->skel->progs.isolate_sendmsg4;
	progs[3] = iso->skel->progs.isolate_sendmsg6;
	progs[4] = iso->skel->progs.isolate_ingress;
	snprintf(s->id, MAX_ID, "%s", id);
	for (i = 0; i < N_PROGS; i++) {
		s->links[i] = bpf_program__attach_cgroup(progs[i], fd);
		if (!s->links[i]) {
			snprintf(err, errlen, "cannot attach %s to %s: %s", bpf_program__name(progs[i]), cgroup_path, strerror(errno));
			s->links[i] = NULL;
			slot__release(s);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

int isolate__release(struct vigil_isolate *iso, const char *id, char *err, size_t errlen)
{
	struct isolated *s = slot__find(iso, id);

	if (!s) {
		snprintf(err, errlen, "no live isolation '%s'", id);
		return -1;
	}
	slot__release(s);
	return 0;
}

int isolate__allow(struct vigil_isolate *iso, bool on, const char *ip, const char *port, char *err, size_t errlen)
{
	struct vigil_allow4_key k4 = {};
	struct vigil_allow6_key k6 = {};
	char *end = NULL;
	unsigned long p;
	__u8 one = 1;
	void *key;
	int fd;

	if (!iso->skel) {
		snprintf(err, errlen, "%s", iso->error);
		return -1;
	}
	p = port ? strtoul(port, &end, 10) : 0;
	if (!ip || !port || *end || p > 65535) {
		snprintf(err, errlen, "want an IPv4 or IPv6 address and a port 0..65535 (0: every port)");
		return -1;
	}
	if (inet_pton(AF_INET, ip, &k4.addr) == 1) {
		k4.port = htons((__u16)p);
		key = &k4;
		fd = bpf_map__fd(iso->skel->maps.isolate_allow4);
	} else if (inet_pton(AF_INET6, ip, k6.addr) == 1) {
		k6.port = htons((__u16)p);
		key = &k6;
		fd = bpf_map__fd(iso->skel->maps.isolate_allow6);
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", ip);
		return -1;
	}
	if (on ? bpf_map_update_elem(fd, key, &one, BPF_ANY) : bpf_map_delete_elem(fd, key)) {
		snprintf(err, errlen, "allow-list update failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void isolate__denied(const struct vigil_isolate *iso, unsigned long long *out, unsigned long long *in)
{
	__u64 v = 0;
	__u32 k;
	int fd;

	*out = *in = 0;
	if (!iso->skel)
		return;
	fd = bpf_map__fd(iso->skel->maps.isolate_denied);
	k = 0;
	if (!bpf_map_lookup_elem(fd, &k, &v))
		*out = v;
	k = 1;
	if (!bpf_map_lookup_elem(fd, &k, &v))
		*in = v;
}
