/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Frames to stdout. Records are batched into one EVENTS frame per drain so
 * the collector sees few large writes, never one write per event. */
#ifndef __VIGIL_OUTPUT_H
#define __VIGIL_OUTPUT_H

#include <stddef.h>
#include <linux/types.h>

#define VIGIL_BATCH_BYTES (1 << 20)

int output__init(int fd);
void output__free(void);
/* Add one record; flushes first when the batch is full. 0 or -errno. */
int output__append(const void *rec, size_t n);
/* Write the pending batch as one EVENTS frame (no-op when empty). */
int output__flush(void);
/* Write one frame of any kind now. Call output__flush first to keep order. */
int output__frame(__u16 kind, const void *payload, size_t len);
/* Records and bytes handed to stdout so far. */
__u64 output__records(void);

#endif /* __VIGIL_OUTPUT_H */
