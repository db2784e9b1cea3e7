/* connect_storm: TCP connect + close to a loopback listener this program
 * creates, N times, and print connects/s. A thread accepts and closes. The
 * client closes with SO_LINGER 0 (RST) so no TIME_WAIT eats the port range. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include "clock.h"

#define USAGE "connect_storm N [MAX_SECONDS]"

static void *acceptor(void *arg)
{
	int lfd = *(int *)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int listen_loopback(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	addr->sin_family = AF_INET;
	addr->sin_port = 0;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, len) || listen(fd, 4096) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		perror("connect_storm: failed to set up the loopback listener");
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_in addr;
	pthread_t th;
	long n, i;
	double cap, t0, dt;
	int lfd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	n = (long)bench__arg(argv[1], "N", USAGE);
	cap = argc > 2 ? bench__arg(argv[2], "MAX_SECONDS", USAGE) : 1e9;
	lfd = listen_loopback(&addr);
	if (lfd < 0 || pthread_create(&th, NULL, acceptor, &lfd)) {
		fprintf(stderr, "connect_storm: cannot start the acceptor\n");
		return 1;
	}

	t0 = bench__now();
	for (i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
			perror("connect_storm: connect to the loopback listener failed");
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(fd);
		if ((i & 255) == 255 && bench__now() - t0 > cap) {
			i++;
			break;
		}
	}
	dt = bench__now() - t0;
	printf("%.1f connects/s (%ld in %.3f s)\n", i / dt, i, dt);
	return 0;
}
