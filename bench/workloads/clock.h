/* Shared helpers for the bench workloads: a monotonic clock in seconds and
 * argument parsing that refuses junk instead of reading it as 0. */
#ifndef __BENCH_CLOCK_H
#define __BENCH_CLOCK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until an absolute CLOCK_MONOTONIC time given in seconds. */
static inline void bench__sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* A positive number from argv, or exit 2 with a usage hint. */
static inline double bench__arg(const char *s, const char *what, const char *usage)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "invalid %s '%s': give a positive number\nusage: %s\n", what, s, usage);
		exit(2);
	}
	return v;
}

#endif /* __BENCH_CLOCK_H */
