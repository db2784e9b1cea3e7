// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Command-line flags, validated here once so the rest never re-checks. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "frames.h"
#include "options.h"

static const char *family_names[VIGIL_FAM_COUNT] = { "process", "file", "net", "priv" };

const char *options__family_name(int id)
{
	return id >= 0 && id < VIGIL_FAM_COUNT ? family_names[id] : "?";
}

void options__usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Loads Vigil's eBPF probes and streams frames (agent/loader/frames.h) on stdout.\n"
		"\n"
		"  --btf PATH               kernel BTF (default /sys/kernel/btf/vmlinux)\n"
		"  --ringbuf-size BYTES     ring buffer size, power of two >= page size\n"
		"                           (default 8M; K/M/G suffixes accepted)\n"
		"  --wakeup-bytes BYTES     backlog that wakes the loader early (default 256K,\n"
		"                           capped at ringbuf-size/2)\n"
		"  --poll-ms MS             ring buffer poll timeout, 1..1000 (default 5)\n"
		"  --stats-interval-ms MS   STATS frame period, 10..600000 (default 1000)\n"
		"  --disable LIST           comma-separated families to skip: file,net,priv\n"
		"  --capture PROFILE        all (default): every event; default: the in-kernel\n"
		"                           filters of docs/performance.md, read watch from stdin\n"
		"  --dedup-window-ms MS     default profile: fold a process's identical opens\n"
		"                           within MS into one record, 0..60000 (default 1000)\n"
		"  --self-pid PID           also ignore this process's events (repeatable)\n"
		"  --exec-wakeup            exec records wake the loader at once (at most every\n"
		"                           2 ms) instead of waiting for the poll: for responses\n"
		"  --bpf-stats              turn on kernel BPF run-time stats while running and\n"
		"                           report each program's run_ns/run_cnt in STATS\n"
		"  --no-stdin-watch         keep running when stdin closes (manual runs); stdin\n"
		"                           otherwise also carries control lines (control.h)\n"
		"  -v, --verbose            forward libbpf debug output to stderr\n"
		"  -h, --help               show this help\n", prog);
}

/* Bytes with an optional K/M/G suffix (powers of 1024). */
static int parse_bytes(const char *s, __u64 *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || v > (1ULL << 40))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_disable(struct vigil_opts *o, const char *list)
{
	char buf[128], *tok, *save = NULL;
	int i;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < VIGIL_FAM_COUNT && strcmp(tok, family_names[i]); i++)
			;
		if (i == VIGIL_FAM_COUNT) {
			fprintf(stderr, "vigil-loader: --disable: unknown family '%s' (use file, net, priv)\n", tok);
			return -EINVAL;
		}
		if (i == VIGIL_FAM_PROCESS) {
			fprintf(stderr, "vigil-loader: --disable: the process family is required and cannot be disabled\n");
			return -EINVAL;
		}
		o->disabled[i] = true;
	}
	return 0;
}

enum { OPT_BTF = 256, OPT_RB, OPT_WAKE, OPT_POLL, OPT_STATS, OPT_DISABLE, OPT_SELF, OPT_NOSTDIN, OPT_CAPTURE, OPT_DEDUP, OPT_BPF_STATS, OPT_EXEC_WAKE };

static const struct option long_opts[] = {
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "ringbuf-size", required_argument, NULL, OPT_RB },
	{ "wakeup-bytes", required_argument, NULL, OPT_WAKE },
	{ "poll-ms", required_argument, NULL, OPT_POLL },
	{ "stats-interval-ms", required_argument, NULL, OPT_STATS },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "self-pid", required_argument, NULL, OPT_SELF },
	{ "no-stdin-watch", no_argument, NULL, OPT_NOSTDIN },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "bpf-stats", no_argument, NULL, OPT_BPF_STATS },
	{ "exec-wakeup", no_argument, NULL, OPT_EXEC_WAKE },
	{ "dedup-window-ms", required_argument, NULL, OPT_DEDUP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

#define BAD(...) do { fprintf(stderr, "vigil-loader: " __VA_ARGS__); goto usage; } while (0)

int options__parse(struct vigil_opts *o, int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), v;
	bool wake_set = false;
	__u64 b;
	int c;

	memset(o, 0, sizeof(*o));
	o->ringbuf_size = 8 << 20;
	o->wakeup_bytes = 256 << 10;
	o->poll_ms = 5;
	o->stats_interval_ms = 1000;
	o->stdin_watch = true;
	o->capture_all = true;
	o->dedup_ns = 1000ULL * 1000000;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BTF:
			o->btf_path = optarg;
			break;
		case OPT_RB:
			if (parse_bytes(optarg, &b) || b < (__u64)page || b > (1ULL << 30) || (b & (b - 1)))
				BAD("--ringbuf-size: '%s' must be a power of two between the page size (%ld) and 1G\n", optarg, page);
			o->ringbuf_size = b;
			break;
		case OPT_WAKE:
			if (parse_bytes(optarg, &b) || b == 0)
				BAD("--wakeup-bytes: '%s' must be a positive byte count\n", optarg);
			o->wakeup_bytes = b;
			wake_set = true;
			break;
		case OPT_POLL:
			if (parse_int(optarg, 1, 1000, &v))
				BAD("--poll-ms: '%s' must be 1..1000\n", optarg);
			o->poll_ms = v;
			break;
		case OPT_STATS:
			if (parse_int(optarg, 10, 600000, &v))
				BAD("--stats-interval-ms: '%s' must be 10..600000\n", optarg);
			o->stats_interval_ms = v;
			break;
		case OPT_DISABLE:
			if (parse_disable(o, optarg))
				goto usage;
			break;
		case OPT_SELF:
			if (parse_int(optarg, 1, 0x3fffffff, &v))
				BAD("--self-pid: '%s' is not a pid\n", optarg);
			if (o->n_self_pids == VIGIL_MAX_SELF_PIDS)
				BAD("--self-pid: at most %d may be given\n", VIGIL_MAX_SELF_PIDS);
			o->self_pids[o->n_self_pids++] = v;
			break;
		case OPT_CAPTURE:
			if (strcmp(optarg, "all") && strcmp(optarg, "default"))
				BAD("--capture: '%s' must be all or default\n", optarg);
			o->capture_all = !strcmp(optarg, "all");
			break;
		case OPT_DEDUP:
			if (parse_int(optarg, 0, 60000, &v))
				BAD("--dedup-window-ms: '%s' must be 0..60000\n", optarg);
			o->dedup_ns = (__u64)v * 1000000;
			break;
		case OPT_BPF_STATS:
			o->bpf_stats = true;
			break;
		case OPT_EXEC_WAKE:
			o->exec_wake_ns = 2000000;
			break;
		case OPT_NOSTDIN:
			o->stdin_watch = false;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			options__usage(stdout, argv[0]);
			return -1;
		case ':':
			BAD("option '%s' needs a value\n", argv[optind - 1]);
		default:
			BAD("unknown option '%s'\n", argv[optind - 1]);
		}
	}
	if (optind < argc)
		BAD("unexpected argument '%s'\n", argv[optind]);
	/* Waking past half the ring keeps room for the burst that follows. */
	if (o->wakeup_bytes > o->ringbuf_size / 2) {
		if (wake_set)
			fprintf(stderr, "vigil-loader: --wakeup-bytes capped at %u (ringbuf-size / 2)\n",
				o->ringbuf_size / 2);
		o->wakeup_bytes = o->ringbuf_size / 2;
	}
	return 0;
usage:
	options__usage(stderr, argv[0]);
	return VIGIL_EXIT_USAGE;
}
