// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <bpf/libbpf.h>
#include "output.h"
#include "ringbuf.h"

static int write_err; /* first stdout error seen inside the callback */

/* Records are self-sized (hdr.size == size): copy them as given. */
static int on_record(void *ctx, void *data, size_t size)
{
	int err = output__append(data, size);

	if (err) {
		write_err = err;
		return err; /* stops this consume; the error surfaces below */
	}
	return 0;
}

struct ring_buffer *ringbuf__new(int events_fd)
{
	return ring_buffer__new(events_fd, on_record, NULL, NULL);
}

int ringbuf__drain(struct ring_buffer *rb)
{
	int n = ring_buffer__consume(rb), err;

	if (n == -EINTR)
		n = 0;
	if (write_err)
		return write_err;
	if (n < 0)
		return n;
	err = output__flush();
	return err ? err : n;
}

int ringbuf__wait(struct ring_buffer *rb, int other_fd, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = other_fd, .events = POLLIN },
	};
	int n = poll(p, other_fd >= 0 ? 2 : 1, timeout_ms);

	return n < 0 && errno != EINTR ? -errno : 0;
}

void ringbuf__free(struct ring_buffer *rb)
{
	ring_buffer__free(rb);
}
