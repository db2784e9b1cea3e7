/* event_gen: produce open events at a steady R per second for T seconds
 * (open + close of one file), for finding the highest rate a tracer keeps
 * up with. Work is paced in 1 ms slices; if the machine cannot reach R the
 * achieved rate says so. R = 0 is not allowed: use open_storm for flat out. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "clock.h"

#define USAGE "event_gen R T [PATH]"
#define SLICE 0.001

int main(int argc, char **argv)
{
	double rate, secs, t0, t, dt;
	const char *path;
	long done = 0, target;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	rate = bench__arg(argv[1], "R", USAGE);
	secs = bench__arg(argv[2], "T", USAGE);
	path = argc > 3 ? argv[3] : "/etc/hostname";
	target = (long)(rate * secs);

	t0 = bench__now();
	for (t = t0; done < target; t += SLICE) {
		/* Everything due by the end of this slice, then sleep to its end. */
		long due = (long)((t + SLICE - t0) * rate);

		if (due > target)
			due = target;
		for (; done < due; done++) {
			int fd = open(path, O_RDONLY);

			if (fd < 0) {
				perror("event_gen: failed to open the target file");
				return 1;
			}
			close(fd);
		}
		if (bench__now() - t0 > secs * 3)
			break; /* hopelessly behind: stop rather than run forever */
		bench__sleep_until(t + SLICE);
	}
	dt = bench__now() - t0;
	printf("%.1f events/s (%ld in %.3f s, target %.0f/s)\n", done / dt, done, dt, rate);
	return 0;
}
