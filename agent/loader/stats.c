// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#define __VIGIL_USERSPACE
#include "events.h"
#include "output.h"
#include "stats.h"

#define JSON_CAP (VIGIL_MAX_PROBES * 320 + 512)

int stats__read(int stats_fd, struct vigil_counters *c)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	__u64 *vals;
	__u32 i;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		c->v[i] = 0;
		if (bpf_map_lookup_elem(stats_fd, &i, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (cpu = 0; cpu < ncpu; cpu++)
			c->v[i] += vals[cpu];
	}
	free(vals);
	return 0;
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME: event ts_ns (boot time) + this = wall
 * time. Boot time is read on both sides of realtime to halve the skew. */
static long long realtime_offset_ns(void)
{
	struct timespec b1, r, b2;
	long long boot;

	clock_gettime(CLOCK_BOOTTIME, &b1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b2);
	boot = ((b1.tv_sec * 1000000000LL + b1.tv_nsec) + (b2.tv_sec * 1000000000LL + b2.tv_nsec)) / 2;
	return r.tv_sec * 1000000000LL + r.tv_nsec - boot;
}

struct jbuf {
	char *s;
	size_t len, cap;
};

static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len = n < 0 ? b->cap : b->len + n;
}

static void jb_str(struct jbuf *b, const char *s)
{
	jb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			jb_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			jb_printf(b, "\\u%04x", ch);
		else
			jb_printf(b, "%c", ch);
	}
	jb_printf(b, "\"");
}

/* Cumulative run time and count of one program (kernel.bpf_stats_enabled). */
static void stats__runtime(struct jbuf *b, int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	jb_printf(b, ",\"run_ns\":%llu,\"run_cnt\":%llu", (unsigned long long)info.run_time_ns,
		  (unsigned long long)info.run_cnt);
}

int stats__emit(__u16 kind, int stats_fd, const struct vigil_probes *p, __u32 ringbuf_bytes, int read_watch,
		bool with_runtime)
{
	static char buf[JSON_CAP];
	struct jbuf b = { buf, 0, sizeof(buf) };
	struct vigil_counters c;
	int i, err;

	err = stats__read(stats_fd, &c);
	if (err)
		return err;
	jb_printf(&b, "{");
#define STAT_KEY(idx, key) jb_printf(&b, "\"%s\":%llu,", key, (unsigned long long)c.v[idx]);
	VIGIL_STAT_KEYS(STAT_KEY)
#undef STAT_KEY
	jb_printf(&b, "\"read_watch\":%d,\"ringbuf_bytes\":%u,\"realtime_offset_ns\":\"%lld\",\"probes\":[",
		  read_watch, ringbuf_bytes, realtime_offset_ns());
	for (i = 0; i < p->n; i++) {
		const struct vigil_probe *pr = &p->list[i];

		jb_printf(&b, "%s{\"name\":", i ? "," : "");
		jb_str(&b, pr->name);
		jb_printf(&b, ",\"family\":");
		jb_str(&b, pr->family);
		jb_printf(&b, ",\"section\":");
		jb_str(&b, pr->section);
		jb_printf(&b, ",\"attached\":%s,\"error\":", pr->attached ? "true" : "false");
		jb_str(&b, pr->error);
		if (with_runtime && pr->prog_fd >= 0)
			stats__runtime(&b, pr->prog_fd);
		jb_printf(&b, "}");
	}
	jb_printf(&b, "]}");
	if (b.len >= b.cap)
		return -E2BIG;
	return output__frame(kind, buf, b.len);
}
