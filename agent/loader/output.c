// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include "frames.h"
#include "loader.h"
#include "output.h"

static int out_fd = -1;
static char *batch;	/* vigil_frame_hdr room, then records */
static size_t batch_len; /* record bytes after the header room */
static __u64 records;

int output__init(int fd)
{
	out_fd = fd;
	batch = malloc(sizeof(struct vigil_frame_hdr) + VIGIL_BATCH_BYTES);
	batch_len = 0;
	return batch ? 0 : -ENOMEM;
}

void output__free(void)
{
	free(batch);
	batch = NULL;
}

/* Write everything, riding out EINTR, short writes and a non-blocking fd.
 * EPIPE (collector gone) and any other error are returned as -errno. Once a
 * stop was requested, a collector that stays unreadable for a second is
 * given up on (-ETIMEDOUT) rather than hanging shutdown forever. */
static int write_all(struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(out_fd, iov, cnt);

		if (n < 0) {
			struct pollfd p = { .fd = out_fd, .events = POLLOUT };

			if (errno == EINTR && !vigil_stop)
				continue;
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
				if (poll(&p, 1, vigil_stop ? 1000 : 100) == 0 && vigil_stop)
					return -ETIMEDOUT;
				continue;
			}
			return -errno;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

int output__frame(__u16 kind, const void *payload, size_t len)
{
	struct vigil_frame_hdr h = { .magic = VIGIL_FRAME_MAGIC, .kind = kind, .len = len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};

	return write_all(iov, len ? 2 : 1);
}

int output__flush(void)
{
	struct vigil_frame_hdr *h = (struct vigil_frame_hdr *)batch;
	struct iovec iov;
	int err;

	if (!batch_len)
		return 0;
	h->magic = VIGIL_FRAME_MAGIC;
	h->kind = VIGIL_FRAME_EVENTS;
	h->len = batch_len;
	iov.iov_base = batch;
	iov.iov_len = sizeof(*h) + batch_len;
	err = write_all(&iov, 1);
	batch_len = 0;
	return err;
}

int output__append(const void *rec, size_t n)
{
	int err;

	if (n > VIGIL_BATCH_BYTES)
		return -E2BIG;
	if (batch_len + n > VIGIL_BATCH_BYTES && (err = output__flush()))
		return err;
	memcpy(batch + sizeof(struct vigil_frame_hdr) + batch_len, rec, n);
	batch_len += n;
	records++;
	return 0;
}

__u64 output__records(void)
{
	return records;
}
