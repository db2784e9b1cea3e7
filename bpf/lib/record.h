/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Building a record in per-CPU scratch and shipping it to the ring buffer.
 *
 *   struct vigil_rec r;
 *   body = rec__begin(&r, VIGIL_EV_OPEN, sizeof(*body));
 *   ... fill body, rec__str_user(&r, path) ...
 *   rec__submit(&r);
 *
 * Strings are appended at r.off, which is always masked below
 * VIGIL_RECORD_MAX so the verifier sees every write in bounds. */
#ifndef __VIGIL_RECORD_H
#define __VIGIL_RECORD_H

#include "task.h"

#define REC_MASK (VIGIL_RECORD_MAX - 1)

struct vigil_rec {
	struct vigil_scratch *s;
	__u32 off;	/* next free byte in s->buf */
};

/* Start a record for the current task; returns the body, or NULL. */
static __always_inline void *rec__begin(struct vigil_rec *r, __u16 type, __u32 body_size)
{
	__u32 zero = 0;
	struct vigil_hdr *h;

	r->s = bpf_map_lookup_elem(&scratch, &zero);
	if (!r->s) {
		stats__add(VIGIL_STAT_ABANDONED_SCRATCH, 1);
		return NULL;
	}
	h = (struct vigil_hdr *)r->s->buf;
	task__fill_hdr(h, bpf_get_current_task_btf(), type);
	r->off = sizeof(*h) + body_size;
	return r->s->buf + sizeof(*h);
}

static __always_inline struct vigil_hdr *rec__hdr(struct vigil_rec *r)
{
	return (struct vigil_hdr *)r->s->buf;
}

static __always_inline void rec__flag(struct vigil_rec *r, __u16 flag)
{
	rec__hdr(r)->flags |= flag;
}

/* Room left for a string's bytes, after its 2-byte length. */
static __always_inline __u32 rec__room(struct vigil_rec *r, __u32 want)
{
	__u32 off = r->off & REC_MASK;

	if (off + 2 >= VIGIL_RECORD_MAX)
		return 0;
	if (want > VIGIL_RECORD_MAX - off - 2)
		return VIGIL_RECORD_MAX - off - 2;
	return want;
}

/* Commit a string whose bytes were written at off+2; n excludes any NUL. */
static __always_inline void rec__str_commit(struct vigil_rec *r, __u32 n)
{
	__u32 off = r->off & REC_MASK;
	__u16 len = n;

	__builtin_memcpy(&r->s->buf[off], &len, sizeof(len));
	r->off = (off + 2 + (n & REC_MASK));
	rec__hdr(r)->nstr++;
}

static __always_inline void rec__str_empty(struct vigil_rec *r)
{
	rec__str_commit(r, 0);
}

/* A read of max bytes that filled them all (n == max) was cut unless the
 * source's byte max-1 is its NUL: a string of exactly max-1 bytes fits. */
static __always_inline bool rec__was_cut(const char *src, long n, __u32 max, bool user)
{
	char c = 0;

	if (n != max)
		return false;
	if (user ? bpf_probe_read_user(&c, 1, src + max - 1) : bpf_probe_read_kernel(&c, 1, src + max - 1))
		return true;
	return c != 0;
}

/* Append a NUL-terminated string of at most max bytes, from user or kernel
 * memory. Sets VIGIL_F_TRUNCATED when the string did not fit. */
static __always_inline void rec__str(struct vigil_rec *r, const void *src, __u32 max, bool user)
{
	__u32 off = r->off & REC_MASK;
	void *dst;
	long n;

	max = rec__room(r, max);
	if (!src || !max) {
		rec__str_empty(r);
		return;
	}
	dst = &r->s->buf[(off + 2) & REC_MASK];
	max &= (VIGIL_ARGS_MAX * 2 - 1);
	n = user ? bpf_probe_read_user_str(dst, max, src) : bpf_probe_read_kernel_str(dst, max, src);
	if (n <= 0) {
		rec__str_empty(r);
		return;
	}
	if (rec__was_cut(src, n, max, user))
		rec__flag(r, VIGIL_F_TRUNCATED);
	rec__str_commit(r, n - 1);
}

static __always_inline void rec__str_user(struct vigil_rec *r, const void *src, __u32 max)
{
	rec__str(r, src, max, true);
}

static __always_inline void rec__str_kernel(struct vigil_rec *r, const void *src, __u32 max)
{
	rec__str(r, src, max, false);
}

/* Append raw user bytes (argv blob: NULs kept). */
static __always_inline void rec__bytes_user(struct vigil_rec *r, const void *src, __u32 len)
{
	__u32 off = r->off & REC_MASK;
	__u32 max = rec__room(r, len);

	if (!src || !max) {
		rec__str_empty(r);
		return;
	}
	if (max < len)
		rec__flag(r, VIGIL_F_TRUNCATED);
	max &= (VIGIL_ARGS_MAX * 2 - 1);
	if (max > VIGIL_ARGS_MAX)
		max = VIGIL_ARGS_MAX;
	if (bpf_probe_read_user(&r->s->buf[(off + 2) & REC_MASK], max, src)) {
		rec__str_empty(r);
		return;
	}
	rec__str_commit(r, max);
}

/* Ship the record. Wake the consumer only past wakeup_bytes of backlog: the
 * loader polls on a short timer, so batching costs latency, not events.
 * `wake`: now, whatever the backlog (process.bpf.c rations exec wakeups). */
static __always_inline int rec__submit_wake(struct vigil_rec *r, bool wake)
{
	struct vigil_hdr *h = rec__hdr(r);
	__u32 size = (r->off + 7) & ~7u;
	__u64 flags = BPF_RB_NO_WAKEUP;
	long err;

	if (size > VIGIL_RECORD_MAX)
		size = VIGIL_RECORD_MAX;
	if (size < sizeof(*h)) {
		stats__add(VIGIL_STAT_ABANDONED_SIZE, 1);
		return 0;
	}
	h->size = size;
	if (wake || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	err = bpf_ringbuf_output(&events, h, size, flags);
	if (err) {
		stats__add(VIGIL_STAT_DROPS, 1);
		return 0;
	}
	stats__add(VIGIL_STAT_EVENTS, 1);
	if (h->flags & VIGIL_F_TRUNCATED)
		stats__add(VIGIL_STAT_TRUNCATED, 1);
	return 0;
}

static __always_inline int rec__submit(struct vigil_rec *r)
{
	return rec__submit_wake(r, false);
}

#endif /* __VIGIL_RECORD_H */
