// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mt_rank, mt_size, mt_quick, mt_seconds;
static int mt_rounds;
static const char *mt_prog = "?";
static const char *mt_test = "start-up";
static double mt_t0, mt_test_t0;

const size_t mt_sizes[] = {
	0, 1, 8, 64, 1 * KiB, 8 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 8 * MiB,
};
const int mt_nsizes = sizeof(mt_sizes) / sizeof(mt_sizes[0]);

void mt_init(int *argc, char ***argv, const char *prog)
{
	int i;

	MPI_Init(argc, argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mt_size);
	mt_prog = prog;
	for (i = 1; i < *argc; i++) {
		char *end;

		if (!strcmp((*argv)[i], "--quick")) {
			mt_quick = 1;
		} else if (!strcmp((*argv)[i], "--seconds") && i + 1 < *argc &&
			   (mt_seconds = (int)strtol((*argv)[i + 1], &end, 10)) > 0 && !*end) {
			i++;
		} else {
			if (mt_rank == 0)
				fprintf(stderr, "usage: %s [--quick] [--seconds N]\n", prog);
			MPI_Finalize();
			exit(strcmp((*argv)[i], "--help") ? 2 : 0);
		}
	}
	mt_t0 = MPI_Wtime();
}

int mt_again(void)
{
	int more;

	if (!mt_seconds)
		return mt_rounds++ == 0;
	more = mt_rank == 0 && (mt_rounds == 0 || MPI_Wtime() - mt_t0 < mt_seconds);
	MPI_OK(MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD));
	if (more && mt_rounds && mt_rank == 0) {
		printf("%s: round %d (%.2f s)\n", mt_prog, mt_rounds + 1, MPI_Wtime() - mt_t0);
		fflush(stdout);
	}
	mt_rounds += more;
	return more;
}

int mt_finish(void)
{
	MPI_Barrier(MPI_COMM_WORLD);
	if (mt_rank == 0) {
		char rounds[32] = "";

		if (mt_seconds)
			snprintf(rounds, sizeof(rounds), ", %d rounds", mt_rounds);
		printf("%s: all ok, %d ranks%s%s, %.2f s\n", mt_prog, mt_size,
		       mt_quick ? ", quick" : "", rounds, MPI_Wtime() - mt_t0);
		fflush(stdout);
	}
	MPI_Finalize();
	return 0;
}

void mt_begin(const char *test)
{
	mt_test = test;
	mt_test_t0 = MPI_Wtime();
}

void mt_end(const char *fmt, ...)
{
	va_list ap;

	/* Only once every rank has checked its data is the sub-test ok. */
	MPI_Barrier(MPI_COMM_WORLD);
	if (mt_rank != 0)
		return;
	printf("%s: ", mt_prog);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" ok (%.2f s)\n", MPI_Wtime() - mt_test_t0);
	fflush(stdout);
}

void mt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	/* One fprintf of a whole line, so lines of several failing ranks do not
	 * interleave; stdout is flushed first so the summary lines stay in order. */
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s: FAIL rank %d/%d, test '%s': %s (%s:%d)\n",
		mt_prog, mt_rank, mt_size, mt_test, msg, file, line);
	fflush(stderr);
	MPI_Abort(MPI_COMM_WORLD, 3);
	exit(3);	/* not reached: MPI_Abort does not return */
}

/* A 64-bit mixing function (the finaliser of a multiply/xorshift hash):
 * every input bit changes about half of the output bits. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return x;
}

uint64_t mt_seed(uint32_t test, uint32_t a, uint32_t b, uint32_t c)
{
	return mix64(mix64(((uint64_t)test << 32) | a) ^ (((uint64_t)b << 32) | c));
}

/* The stream is one hashed 64-bit word per 8-byte-aligned offset: cheap
 * enough for 8 MiB buffers, and any offset can be computed on its own, so
 * a piece of a buffer (a block, a window slot) is checked without the rest. */
static uint64_t pat_word(uint64_t seed, size_t word)
{
	return mix64(seed + 0x9e3779b97f4a7c15ULL * (word + 1));
}

uint8_t mt_pat_byte(uint64_t seed, size_t off)
{
	return (uint8_t)(pat_word(seed, off / 8) >> (8 * (off % 8)));
}

void mt_fill(void *buf, size_t n, uint64_t seed, size_t base)
{
	uint8_t *p = buf;
	size_t i = 0, off;

	/* Byte-wise up to an 8-byte stream boundary, then word-wise. */
	for (; i < n && (base + i) % 8; i++)
		p[i] = mt_pat_byte(seed, base + i);
	for (; i + 8 <= n; i += 8) {
		uint64_t w = pat_word(seed, (base + i) / 8);

		for (off = 0; off < 8; off++)
			p[i + off] = (uint8_t)(w >> (8 * off));
	}
	for (; i < n; i++)
		p[i] = mt_pat_byte(seed, base + i);
}

void mt_verify_at(const char *file, int line, const void *buf, size_t n, uint64_t seed,
		  size_t base, const char *what)
{
	const uint8_t *p = buf;
	size_t i = 0, bad;
	uint8_t want;

	/* Fast scan a word of the stream at a time; the slow byte-wise walk
	 * below only runs to describe a mismatch. */
	for (; i < n && (base + i) % 8; i++)
		if (p[i] != mt_pat_byte(seed, base + i))
			goto mismatch;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = pat_word(seed, (base + i) / 8), got = 0;
		size_t k;

		for (k = 0; k < 8; k++)
			got |= (uint64_t)p[i + k] << (8 * k);
		if (got != w)
			break;
	}
	for (; i < n; i++)
		if (p[i] != mt_pat_byte(seed, base + i))
			goto mismatch;
	return;

mismatch:
	for (; i < n && p[i] == mt_pat_byte(seed, base + i); i++)
		;
	want = mt_pat_byte(seed, base + i);
	/* Count the damage too: one flipped byte and a whole stale buffer are
	 * different bugs. */
	for (bad = i; bad < n && p[bad] != mt_pat_byte(seed, base + bad); bad++)
		;
	mt_fail(file, line,
		"%s: byte %zu of %zu: expected 0x%02x, got 0x%02x (%zu bytes wrong from there)",
		what, i, n, want, p[i], bad - i);
}

void mt_verify_byte_at(const char *file, int line, const void *buf, size_t n, uint8_t val,
		       const char *what)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != val)
			mt_fail(file, line, "%s: byte %zu of %zu: expected 0x%02x, got 0x%02x",
				what, i, n, val, p[i]);
}

const char *mt_sz(size_t n)
{
	static char ring[4][32];
	static int next;
	char *s = ring[next++ % 4];

	if (n >= MiB && n % MiB == 0)
		snprintf(s, 32, "%zu MiB", n / MiB);
	else if (n >= KiB && n % KiB == 0)
		snprintf(s, 32, "%zu KiB", n / KiB);
	else
		snprintf(s, 32, "%zu B", n);
	return s;
}

void *mt_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	CHECK(p, "out of memory (%zu bytes)", n);
	return p;
}
