// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"

#define LINE_MAX_ 240

static bool verbose;
static char tail[VIGIL_LOG_TAIL][LINE_MAX_];
static int tail_next, tail_count;
static char failed_prog[64];

static void tail_push(const char *line, size_t n)
{
	if (n >= LINE_MAX_)
		n = LINE_MAX_ - 1;
	memcpy(tail[tail_next], line, n);
	tail[tail_next][n] = '\0';
	tail_next = (tail_next + 1) % VIGIL_LOG_TAIL;
	if (tail_count < VIGIL_LOG_TAIL)
		tail_count++;
}

/* libbpf names a program as "prog 'NAME': ..." in every per-program error. */
static void note_failed_prog(const char *line)
{
	const char *p = strstr(line, "prog '"), *q;

	if (!p)
		return;
	p += 6;
	q = strchr(p, '\'');
	if (!q || q - p >= (long)sizeof(failed_prog))
		return;
	memcpy(failed_prog, p, q - p);
	failed_prog[q - p] = '\0';
}

static void tail_line(const char *line, size_t n)
{
	const char *last;

	tail_push(line, n);
	last = tail[(tail_next + VIGIL_LOG_TAIL - 1) % VIGIL_LOG_TAIL];
	if (strstr(last, "fail"))
		note_failed_prog(last);
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf, *line;
	va_list cp;
	int len;

	if (verbose) {
		va_copy(cp, ap);
		vfprintf(stderr, fmt, cp);
		va_end(cp);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	/* The verifier log arrives as one message of any size; its end is what
	 * explains the refusal, so format it whole and keep the last lines. */
	va_copy(cp, ap);
	len = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (len < 0 || !(buf = malloc(len + 1)))
		return 0;
	vsnprintf(buf, len + 1, fmt, ap);
	for (line = buf; *line;) {
		size_t n = strcspn(line, "\n");

		if (n)
			tail_line(line, n);
		line += n;
		if (*line == '\n')
			line++;
	}
	free(buf);
	return 0;
}

void log__init(bool v)
{
	verbose = v;
	libbpf_set_print(print_fn);
}

void log__reset(void)
{
	tail_next = tail_count = 0;
	failed_prog[0] = '\0';
}

const char *log__failed_prog(void)
{
	return failed_prog;
}

const char *log__last_line(void)
{
	return tail_count ? tail[(tail_next + VIGIL_LOG_TAIL - 1) % VIGIL_LOG_TAIL] : "";
}

void log__print_tail(FILE *f)
{
	int i, start = (tail_next + VIGIL_LOG_TAIL - tail_count) % VIGIL_LOG_TAIL;

	for (i = 0; i < tail_count; i++)
		fprintf(f, "  | %s\n", tail[(start + i) % VIGIL_LOG_TAIL]);
}
