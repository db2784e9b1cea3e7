/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* libbpf print callback: keeps the tail of warnings (the verifier log) so a
 * failed load can be explained, and remembers which program failed. */
#ifndef __VIGIL_LOG_H
#define __VIGIL_LOG_H

#include <stdbool.h>
#include <stdio.h>

#define VIGIL_LOG_TAIL 20

void log__init(bool verbose);
/* Forget the tail and the failing program: call before each load attempt. */
void log__reset(void);
/* Name of the last program libbpf reported a failure for, or "". */
const char *log__failed_prog(void);
/* Last non-empty warning line, or "". */
const char *log__last_line(void);
void log__print_tail(FILE *f);

#endif /* __VIGIL_LOG_H */
