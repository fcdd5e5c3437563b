/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Minimal TAP producer for the project's C unit tests.  Each CHECK is one
 * assertion; each test function is one TAP line, failing if any of its
 * checks failed (the failing expressions are printed as diagnostics).
 */
#ifndef PCV_TAP_H
#define PCV_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_count, tap_failed, tap_cur_failed;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("#   %s:%d: check failed: %s\n", __FILE__,     \
			       __LINE__, #cond);                              \
			tap_cur_failed = 1;                                   \
		}                                                             \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		unsigned long long _a = (unsigned long long)(a);              \
		unsigned long long _b = (unsigned long long)(b);              \
		if (_a != _b) {                                               \
			printf("#   %s:%d: %s == %s: 0x%llx != 0x%llx\n",     \
			       __FILE__, __LINE__, #a, #b, _a, _b);           \
			tap_cur_failed = 1;                                   \
		}                                                             \
	} while (0)

static inline void tap_run(const char *name, void (*fn)(void))
{
	tap_cur_failed = 0;
	fn();
	tap_count++;
	if (tap_cur_failed)
		tap_failed++;
	printf("%sok %d - %s\n", tap_cur_failed ? "not " : "", tap_count, name);
	fflush(stdout);
}

#define RUN(fn) tap_run(#fn, fn)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
