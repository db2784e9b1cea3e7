/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loader -> collector stream on stdout. test/decode/frames.test.ts keeps the
 * TypeScript readers in step with this header by compiling it. Every frame is a vigil_frame_hdr
 * followed by `len` payload bytes. All integers are little-endian (host).
 *
 *  EVENTS: payload is one or more records (bpf/events.h) back to back; each
 *          record's hdr.size gives its length, padded to 8 bytes.
 *  STATS:  payload is one JSON object, sent every --stats-interval-ms and
 *          once more, final, on a clean stop:
 *          {<one "key":N per VIGIL_STAT_KEYS entry in bpf/events.h>,
 *           "read_watch":N,"ringbuf_bytes":N,"realtime_offset_ns":"N",
 *           "probes":[{"name":"...","family":"process","section":"tp/...",
 *           "attached":true,"error":"..."}]}
 *          Counters are kernel totals since load. realtime_offset_ns is a
 *          decimal string (exceeds 2^53): CLOCK_REALTIME - CLOCK_BOOTTIME, so
 *          wall time = hdr.ts_ns + offset. error is "" when attached.
 *  READY:  payload is a JSON object like STATS, sent once after attach,
 *          before any EVENTS frame.
 */
#ifndef __VIGIL_FRAMES_H
#define __VIGIL_FRAMES_H

#include <linux/types.h>

#define VIGIL_FRAME_MAGIC 0x5647 /* "VG" */

enum vigil_frame_kind {
	VIGIL_FRAME_EVENTS = 1,
	VIGIL_FRAME_STATS = 2,
	VIGIL_FRAME_READY = 3,
};

struct vigil_frame_hdr {
	__u16 magic;	/* VIGIL_FRAME_MAGIC: resync guard */
	__u16 kind;	/* enum vigil_frame_kind */
	__u32 len;	/* payload bytes after this header */
};

/* Exit codes: distinct per failure so supervisors can tell them apart. */
enum vigil_exit {
	VIGIL_EXIT_OK = 0,
	VIGIL_EXIT_USAGE = 2,		/* bad flags */
	VIGIL_EXIT_NOT_ROOT = 3,	/* needs CAP_BPF/CAP_SYS_ADMIN */
	VIGIL_EXIT_NO_BTF = 4,		/* kernel BTF missing */
	VIGIL_EXIT_TRACEFS = 5,		/* tracefs not mounted and mount failed */
	VIGIL_EXIT_LOAD = 6,		/* verifier refused a required program */
	VIGIL_EXIT_ATTACH = 7,		/* no probe attached at all */
	VIGIL_EXIT_RINGBUF = 8,		/* ring buffer setup failed */
	VIGIL_EXIT_IO = 9,		/* stdout closed or write failed */
};

#endif /* __VIGIL_FRAMES_H */
