/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Test harness: run a real chassisd in a private temporary directory. */
#ifndef CHASSIS_TESTS_HARNESS_H
#define CHASSIS_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct daemon {
	pid_t pid;
	int out_fd;			/* daemon's stdout */
	char dir[64];			/* private temp dir */
	char ram_dir[128];
	char sock_dir[128];
	char log[128];			/* daemon's stderr */
};

/* Make the temp dirs (once per struct). */
int harness_dirs(struct daemon *d);
/*
 * Start `bin` with --blades, --ram-size, --ram-dir, --sock-dir and the
 * extra arguments (NULL-terminated), wait for "chassisd ready".
 * Returns 0, or -1 (the log is printed as TAP diagnostics).
 */
int daemon_start(struct daemon *d, const char *bin, unsigned blades, const char *ram_size,
		 const char *const *extra);
/* SIGTERM and wait; returns the exit status, or -1 if it did not exit. */
int daemon_stop(struct daemon *d);
/* Remove the temp directory and everything in it. */
void harness_cleanup(struct daemon *d);
/* Print the daemon's log as TAP diagnostics. */
void daemon_dump_log(const struct daemon *d);
/* Does the daemon's log contain `needle`? */
int daemon_log_has(const struct daemon *d, const char *needle);

/* Run a command to completion (stdout/stderr captured into buf); returns
 * its exit status or -1. */
int run_capture(char *const argv[], char *buf, size_t len);

uint64_t mono_ns(void);

#endif /* CHASSIS_TESTS_HARNESS_H */
