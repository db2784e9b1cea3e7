// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Probe the host before touching BPF, so every missing prerequisite gets a
 * message that says what to do instead of a libbpf error deep in load. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include "vigil_features.h"
#include "frames.h"

#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
#define TRACEFS		"/sys/kernel/tracing"
#define DEBUGFS_TRACING	"/sys/kernel/debug/tracing"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* root, or a non-root process granted CAP_BPF + CAP_PERFMON (+ the
 * tracefs/ptrace reads those imply), as systemd AmbientCapabilities does. */
static int features__privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (geteuid() == 0)
		return 0;
	if (!syscall(SYS_capget, &h, d) && has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON))
		return 0;
	fprintf(stderr, "vigil-loader: not running as root: run as root or grant CAP_BPF+CAP_PERFMON "
		"(e.g. setcap cap_bpf,cap_perfmon+ep) to load eBPF probes\n");
	return VIGIL_EXIT_NOT_ROOT;
}

static int features__btf(const struct vigil_opts *o)
{
	const char *path = o->btf_path ? o->btf_path : VMLINUX_BTF;
	char magic[2];
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vigil-loader: failed to read kernel BTF %s: %s: "
			"build the kernel with CONFIG_DEBUG_INFO_BTF=y or pass --btf PATH\n", path, strerror(errno));
		return VIGIL_EXIT_NO_BTF;
	}
	n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != sizeof(magic)) {
		fprintf(stderr, "vigil-loader: failed to read kernel BTF %s: %s: "
			"build the kernel with CONFIG_DEBUG_INFO_BTF=y or pass --btf PATH\n",
			path, n < 0 ? strerror(errno) : "file is empty");
		return VIGIL_EXIT_NO_BTF;
	}
	return 0;
}

static bool has_events(const char *dir)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool features__tracepoint_exists(const char *category, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events/%s/%s", TRACEFS, category, name);
	if (stat(path, &st) == 0)
		return true;
	snprintf(path, sizeof(path), "%s/events/%s/%s", DEBUGFS_TRACING, category, name);
	return stat(path, &st) == 0;
}

/* Tracepoint attach reads event ids from tracefs; mount it if nobody has. */
static int features__tracefs(void)
{
	int err;

	if (has_events(TRACEFS))
		return 0;
	err = mount("nodev", TRACEFS, "tracefs", 0, NULL) ? errno : 0;
	if (!err && has_events(TRACEFS))
		return 0;
	if (has_events(DEBUGFS_TRACING))
		return 0;
	fprintf(stderr, "vigil-loader: failed to mount tracefs on %s: %s: "
		"mount it yourself (mount -t tracefs nodev %s) or enable CONFIG_TRACING\n",
		TRACEFS, err ? strerror(err) : "no events directory after mount", TRACEFS);
	return VIGIL_EXIT_TRACEFS;
}

static int features__bpf(void)
{
	int rb, loop, ret = 0;

	rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	loop = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, NULL);
	if (rb != 1) {
		fprintf(stderr, "vigil-loader: kernel lacks BPF ring buffer maps (BPF_MAP_TYPE_RINGBUF, Linux 5.8+)%s%s\n",
			rb < 0 ? ": probe failed: " : "", rb < 0 ? strerror(-rb) : "");
		ret = VIGIL_EXIT_RINGBUF;
	}
	if (loop != 1) {
		fprintf(stderr, "vigil-loader: kernel lacks the bpf_loop helper (Linux 5.17+), needed for path walks%s%s\n",
			loop < 0 ? ": probe failed: " : "", loop < 0 ? strerror(-loop) : "");
		if (!ret)
			ret = VIGIL_EXIT_LOAD;
	}
	return ret;
}

int features__check(const struct vigil_opts *o)
{
	int err;

	if ((err = features__privileges()) || (err = features__btf(o)) ||
	    (err = features__tracefs()) || (err = features__bpf()))
		return err;
	return 0;
}
