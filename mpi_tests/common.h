/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared helpers of the MPI test programs: start-up and the --quick flag,
 * deterministic data patterns that are checked byte by byte, a CHECK() that
 * reports which rank/test/offset went wrong and aborts the whole job, and the
 * one summary line per sub-test.
 *
 * The programs test a transport (pcieverbs under UCX/Open MPI), not MPI
 * itself: every byte that crossed it is compared against what its sender must
 * have written, so corruption, misplaced or short transfers are all caught.
 */
#ifndef MPI_TESTS_COMMON_H
#define MPI_TESTS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <mpi.h>

#define KiB	(1024UL)
#define MiB	(1024UL * 1024UL)

extern int mt_rank, mt_size;	/* in MPI_COMM_WORLD */
extern int mt_quick;		/* --quick: fewer iterations, same sizes */
extern int mt_seconds;		/* --seconds N: repeat the tests for N s (0: once) */

/* MPI_Init, parse the arguments (--quick, --seconds N, --help), remember the
 * program name. */
void mt_init(int *argc, char ***argv, const char *prog);
/* Run the program's tests (again)?  Once without --seconds; with it, rounds
 * until N seconds have passed since mt_init on rank 0's clock (every rank
 * gets rank 0's answer, so all stop after the same round).  A long job for
 * fault tests: a peer that dies finds the ranks in the middle of a transfer. */
int mt_again(void);
/* Print the program's total time on rank 0, MPI_Finalize; returns 0. */
int mt_finish(void);

/* Start a sub-test: its name goes into every failure message. */
void mt_begin(const char *test);
/* End it: wait for every rank, then rank 0 prints "<prog>: <what> ok (T s)". */
void mt_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a failure of the current sub-test on this rank and MPI_Abort. */
void mt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define CHECK(cond, ...) \
	do { if (!(cond)) mt_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
/* Every MPI call must succeed; the default error handler aborts anyway, but
 * this names the call if a program ever sets MPI_ERRORS_RETURN. */
#define MPI_OK(call) \
	do { int rc_ = (call); CHECK(rc_ == MPI_SUCCESS, "%s returned %d", #call, rc_); } while (0)

/*
 * A seed names one message/buffer: which sub-test, who sent it to whom, which
 * iteration.  Different seeds give unrelated byte streams, so data delivered
 * to the wrong buffer, from the wrong peer or of a stale iteration fails too.
 */
uint64_t mt_seed(uint32_t test, uint32_t a, uint32_t b, uint32_t c);
/* The pattern byte at offset off of the stream of seed. */
uint8_t mt_pat_byte(uint64_t seed, size_t off);
/* Fill buf[0..n) with the stream of seed starting at offset base. */
void mt_fill(void *buf, size_t n, uint64_t seed, size_t base);
/* Check buf[0..n) against the stream; on the first wrong byte, mt_fail with
 * what (e.g. "from rank 3, 64 KiB"), the offset, expected and got. */
void mt_verify_at(const char *file, int line, const void *buf, size_t n, uint64_t seed,
		  size_t base, const char *what);
/* Check that buf[0..n) is all val (guard areas, "must stay untouched"). */
void mt_verify_byte_at(const char *file, int line, const void *buf, size_t n, uint8_t val,
		       const char *what);
/* The failure names the caller's line, not common.c's. */
#define mt_verify(...) mt_verify_at(__FILE__, __LINE__, __VA_ARGS__)
#define mt_verify_byte(...) mt_verify_byte_at(__FILE__, __LINE__, __VA_ARGS__)

/* The message sizes of the tests, 0 B to 8 MiB: below and above the eager /
 * rendezvous thresholds of every transport Open MPI is likely to use. */
extern const size_t mt_sizes[];
extern const int mt_nsizes;

/* "8 MiB", "64 KiB", "1 B": for messages (static buffer, a ring of four). */
const char *mt_sz(size_t n);

/* malloc that never returns NULL (and never malloc(0)). */
void *mt_alloc(size_t n);

#endif
