/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __VIGIL_RINGBUF_H
#define __VIGIL_RINGBUF_H

struct ring_buffer;

/* Ring buffer over the shared `events` map; records go to output.c. */
struct ring_buffer *ringbuf__new(int events_fd);
/* Consume whatever is there (probes submit without wakeups below a backlog
 * threshold, so ringbuf__wait's timeout is what bounds the wait) and flush it
 * as one EVENTS frame. Returns records drained (>= 0) or -errno from the ring
 * or from stdout. */
int ringbuf__drain(struct ring_buffer *rb);
/* Wait up to timeout_ms for a ring wakeup or for other_fd (-1: none) to be
 * readable, whichever comes first, so a control command (a kill-tree) is
 * read at once rather than after the poll period. 0 or -errno. */
int ringbuf__wait(struct ring_buffer *rb, int other_fd, int timeout_ms);
void ringbuf__free(struct ring_buffer *rb); /* accepts NULL */

#endif /* __VIGIL_RINGBUF_H */
