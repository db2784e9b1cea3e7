/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Network isolation of cgroups (bpf/isolate.bpf.c). The programs are loaded
 * once at start; isolating attaches them to one cgroup through bpf links,
 * so everything detaches by itself if the loader dies: a host is never left
 * cut off by a dead agent. */
#ifndef __VIGIL_ISOLATE_H
#define __VIGIL_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

struct vigil_isolate;

/* Loads the programs. Never NULL for want of kernel support: then every
 * request fails with the reason (isolate__error). NULL only on ENOMEM. */
struct vigil_isolate *isolate__open(void);
void isolate__free(struct vigil_isolate *iso);
const char *isolate__error(const struct vigil_isolate *iso);

/* 0, or -1 with a message in err. */
int isolate__attach(struct vigil_isolate *iso, const char *id, const char *cgroup_path, char *err, size_t errlen);
int isolate__release(struct vigil_isolate *iso, const char *id, char *err, size_t errlen);
/* ip: dotted IPv4; port 0 = every port. */
int isolate__allow(struct vigil_isolate *iso, bool on, const char *ip, const char *port, char *err, size_t errlen);
/* Refused connects/sends and dropped inbound packets since load. */
void isolate__denied(const struct vigil_isolate *iso, unsigned long long *out, unsigned long long *in);

#endif /* __VIGIL_ISOLATE_H */
