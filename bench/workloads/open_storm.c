/* open_storm: open/read/close a small file N times as fast as possible and
 * print the rate. The optional time cap keeps a heavily traced run short:
 * the rate is iterations done / time taken either way. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "clock.h"

#define USAGE "open_storm N [MAX_SECONDS] [PATH]"

int main(int argc, char **argv)
{
	char buf[256];
	long n, i;
	double cap, t0, dt;
	const char *path;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	n = (long)bench__arg(argv[1], "N", USAGE);
	cap = argc > 2 ? bench__arg(argv[2], "MAX_SECONDS", USAGE) : 1e9;
	path = argc > 3 ? argv[3] : "/etc/hostname";

	t0 = bench__now();
	for (i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			perror("open_storm: failed to open the target file");
			return 1;
		}
		if (read(fd, buf, sizeof(buf)) < 0)
			perror("open_storm: read");
		close(fd);
		/* Check the clock every 1024 iterations: cheap next to 3 syscalls. */
		if ((i & 1023) == 1023 && bench__now() - t0 > cap) {
			i++;
			break;
		}
	}
	dt = bench__now() - t0;
	printf("%.1f iterations/s (%ld in %.3f s)\n", i / dt, i, dt);
	return 0;
}
