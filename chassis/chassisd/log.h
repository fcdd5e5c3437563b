/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
#ifndef CHASSISD_LOG_H
#define CHASSISD_LOG_H

#include <stdbool.h>
#include <time.h>

extern bool log_verbose;

/* One timestamped line on stderr; safe from any thread. */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define logdbg(...) do { if (log_verbose) logmsg(__VA_ARGS__); } while (0)

/*
 * Rate limiter: at most `burst` lines per second; the number of lines
 * suppressed is reported with the first line of the next window.
 */
struct ratelimit {
	unsigned burst;
	time_t window;
	unsigned count;
	unsigned long suppressed;
};

/* Returns true if the caller may log; *suppressed receives the number of
 * lines dropped since the last allowed one (0 usually). */
bool ratelimit_ok(struct ratelimit *rl, unsigned long *suppressed);

#endif /* CHASSISD_LOG_H */
