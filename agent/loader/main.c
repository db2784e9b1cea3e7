// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vigil-loader: load the probes, stream frames (frames.h) on stdout until
 * SIGTERM/SIGINT or stdin closes. Life: parse -> print callback -> feature
 * checks -> open/configure/load -> attach -> READY -> drain + STATS loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "vigil_features.h"
#include "control.h"
#include "isolate.h"
#include "respond.h"
#include "frames.h"
#include "lifecycle.h"
#include "log.h"
#include "maps.h"
#include "options.h"
#include "output.h"
#include "ringbuf.h"
#include "stats.h"

volatile sig_atomic_t vigil_stop; /* set from signal context */

static void on_signal(int sig)
{
	vigil_stop = 1;
}

/* The longest wait between drains when nothing arrives: bounds the added
 * latency of the first event after a quiet spell. */
#define IDLE_POLL_MS 20

/* No SA_RESTART: a pending poll returns EINTR and the loop sees the flag. */
static void signals__setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a gone collector shows up as EPIPE */
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A STATS or READY frame with the current counters and read watch size. */
static int emit_stats(__u16 kind, struct vigil_lifecycle *lc, struct vigil_control *ctl, const struct vigil_opts *o)
{
	return stats__emit(kind, lc->shared_fd[VIGIL_MAP_STATS], &lc->probes, o->ringbuf_size,
			   control__read_watch(ctl), o->bpf_stats);
}

static int run(struct ring_buffer *rb, struct vigil_lifecycle *lc, struct vigil_control *ctl,
	       const struct vigil_opts *o)
{
	int err, wait_ms = o->poll_ms;
	long long next_stats = now_ms() + o->stats_interval_ms;

	while (!vigil_stop) {
		if ((err = ringbuf__wait(rb, o->stdin_watch ? STDIN_FILENO : -1, wait_ms)) < 0)
			goto io_fail;
		err = ringbuf__drain(rb);
		if (err < 0)
			goto io_fail;
		/* Idle: wake less (up to IDLE_POLL_MS); any record: back to poll_ms. */
		wait_ms = err > 0 ? o->poll_ms : (wait_ms * 2 > IDLE_POLL_MS ? IDLE_POLL_MS : wait_ms * 2);
		if (wait_ms < o->poll_ms)
			wait_ms = o->poll_ms;
		/* stdin closing means the collector is gone or wants us to stop. */
		if (o->stdin_watch && control__poll(ctl))
			break;
		if (now_ms() >= next_stats) {
			next_stats += o->stats_interval_ms;
			if (now_ms() > next_stats) /* we fell behind (blocked stdout): don't burst */
				next_stats = now_ms() + o->stats_interval_ms;
			if ((err = emit_stats(VIGIL_FRAME_STATS, lc, ctl, o)))
				goto io_fail;
		}
	}
	/* Final drain and counters, so nothing submitted before stop is lost. */
	if ((err = ringbuf__drain(rb)) < 0 ||
	    (err = emit_stats(VIGIL_FRAME_STATS, lc, ctl, o)))
		goto io_fail;
	return VIGIL_EXIT_OK;
io_fail:
	fprintf(stderr, "vigil-loader: failed to stream events: %s\n", strerror(-err));
	return VIGIL_EXIT_IO;
}

int main(int argc, char **argv)
{
	static struct vigil_lifecycle lc;
	struct ring_buffer *rb = NULL;
	struct vigil_control *ctl = NULL;
	int runtime_fd = -1;
	struct vigil_isolate *iso = NULL;
	struct vigil_respond *resp = NULL;
	struct vigil_opts o;
	int ret, err;

	ret = options__parse(&o, argc, argv);
	if (ret)
		return ret < 0 ? VIGIL_EXIT_OK : ret;
	log__init(o.verbose);
	signals__setup();
	lifecycle__init(&lc);
	if ((ret = features__check(&o)))
		goto cleanup;
	if (output__init(STDOUT_FILENO)) {
		fprintf(stderr, "vigil-loader: failed to allocate the output batch: %s\n", strerror(ENOMEM));
		ret = VIGIL_EXIT_IO;
		goto cleanup;
	}

	if ((ret = lifecycle__load(&lc, &o)))
		goto cleanup;
	if ((err = maps__add_self(lc.shared_fd[VIGIL_MAP_SELF_TGIDS], &o))) {
		fprintf(stderr, "vigil-loader: failed to fill self_tgids: %s\n", strerror(-err));
		ret = VIGIL_EXIT_LOAD;
		goto cleanup;
	}
	iso = isolate__open();
	if (iso && isolate__error(iso))
		fprintf(stderr, "vigil-loader: network isolation unavailable: %s\n", isolate__error(iso));
	resp = respond__new(lifecycle__obj(&lc, VIGIL_FAM_PROCESS));
	ctl = iso && resp ? control__new(lc.shared_fd[VIGIL_MAP_FILTER_CFG], lc.shared_fd[VIGIL_MAP_READ_WATCH],
					 lc.shared_fd[VIGIL_MAP_EXEC_BLOCK], lc.shared_fd[VIGIL_MAP_KILL_TREE], iso, resp) : NULL;
	if (!ctl) {
		fprintf(stderr, "vigil-loader: failed to allocate the control state: %s\n", strerror(ENOMEM));
		ret = VIGIL_EXIT_IO;
		goto cleanup;
	}
	rb = ringbuf__new(lc.shared_fd[VIGIL_MAP_EVENTS]);
	if (!rb) {
		fprintf(stderr, "vigil-loader: failed to create ring buffer: %s\n", strerror(errno));
		ret = VIGIL_EXIT_RINGBUF;
		goto cleanup;
	}
	if ((ret = lifecycle__attach(&lc)))
		goto cleanup;
	if ((err = emit_stats(VIGIL_FRAME_READY, &lc, ctl, &o))) {
		fprintf(stderr, "vigil-loader: failed to write READY frame: %s\n", strerror(-err));
		ret = VIGIL_EXIT_IO;
		goto cleanup;
	}
	/* Run-time stats stay on while this fd is open (BPF_ENABLE_STATS). */
	if (o.bpf_stats && (runtime_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0) {
		fprintf(stderr, "vigil-loader: --bpf-stats: cannot enable BPF run-time stats: %s; going on without\n",
			strerror(-runtime_fd));
		o.bpf_stats = false;
	}
	ret = run(rb, &lc, ctl, &o);
	/* Tell the collector we are done now: detaching tracepoints can take
	 * tens of ms per program (an RCU grace period each). */
	close(STDOUT_FILENO);
cleanup:
	ringbuf__free(rb);
	control__free(ctl);
	respond__free(resp);
	isolate__free(iso); /* detaches every isolation */
	if (runtime_fd >= 0)
		close(runtime_fd);
	lifecycle__destroy(&lc);
	output__free();
	return ret;
}
