// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * coll: the collectives, 8 B .. 8 MiB per rank.
 *
 *   Bcast, Gather, Scatter, Allgather, Alltoall   pattern data, every block
 *                                                 checked against its sender
 *   Reduce, Allreduce, Reduce_scatter             SUM of ints and of doubles,
 *                                                 MAX of ints and doubles
 *   Barrier                                       nobody leaves before the
 *                                                 last rank arrived
 *
 * Reduction inputs are small integers (also as doubles), so every sum is
 * exact whatever order the MPI library adds in: the expected result is
 * computed here, element by element, and compared with ==.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { T_BCAST = 1, T_GATHER, T_SCATTER, T_ALLGATHER, T_ALLTOALL };

static int reps(size_t n)
{
	if (mt_quick)
		return 1;
	return n <= 64 * KiB ? 10 : 2;
}

/* Roots of a rooted collective: all ranks, or with --quick one that moves
 * with the size (so the quick run still sees several roots). */
static int root_first(int s)
{
	return mt_quick ? s % mt_size : 0;
}

static int root_last(int s)
{
	return mt_quick ? s % mt_size : mt_size - 1;
}

/*
 * The per-rank sizes of this program: 8 B .. 8 MiB; with --quick up to
 * 1 MiB, because the volume of most collectives grows with the square of the
 * ranks and the time goes into filling and checking here (p2p --quick still
 * moves 8 MiB messages).
 */
#define MAXSZ (mt_quick ? 1 * MiB : 8 * MiB)
#define FOR_SIZES(s) \
	for (s = 0; s < mt_nsizes; s++) if (mt_sizes[s] >= 8 && mt_sizes[s] <= MAXSZ)

static void test_bcast(void)
{
	char *buf = mt_alloc(8 * MiB), w[96];
	int s, it, root;

	mt_begin("bcast");
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++)
			for (root = root_first(s); root <= root_last(s); root++) {
				uint64_t seed = mt_seed(T_BCAST, root, s, it);

				if (mt_rank == root)
					mt_fill(buf, n, seed, 0);
				else
					memset(buf, 0, n);
				MPI_OK(MPI_Bcast(buf, (int)n, MPI_BYTE, root, MPI_COMM_WORLD));
				snprintf(w, sizeof(w), "bcast of %s from root %d", mt_sz(n), root);
				mt_verify(buf, n, seed, 0, w);
			}
	}
	mt_end("bcast 8 B..%s", mt_sz(MAXSZ));
	free(buf);
}

/* Gather and Scatter with each root: block p of the root's buffer is rank
 * p's contribution / share. */
static void test_gather_scatter(void)
{
	char *one = mt_alloc(8 * MiB), *all = mt_alloc(8 * MiB * mt_size), w[96];
	int s, it, root, p;

	mt_begin("gather/scatter");
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++)
			for (root = root_first(s); root <= root_last(s); root++) {
				mt_fill(one, n, mt_seed(T_GATHER, mt_rank, root, s * 100 + it), 0);
				memset(all, 0, n * mt_size);
				MPI_OK(MPI_Gather(one, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE, root,
						  MPI_COMM_WORLD));
				if (mt_rank == root)
					for (p = 0; p < mt_size; p++) {
						snprintf(w, sizeof(w), "gather of %s, block of rank %d",
							 mt_sz(n), p);
						mt_verify(all + p * n, n,
							  mt_seed(T_GATHER, p, root, s * 100 + it), 0, w);
					}

				if (mt_rank == root)
					for (p = 0; p < mt_size; p++)
						mt_fill(all + p * n, n,
							mt_seed(T_SCATTER, root, p, s * 100 + it), 0);
				memset(one, 0, n);
				MPI_OK(MPI_Scatter(all, (int)n, MPI_BYTE, one, (int)n, MPI_BYTE, root,
						   MPI_COMM_WORLD));
				snprintf(w, sizeof(w), "scatter of %s from root %d", mt_sz(n), root);
				mt_verify(one, n, mt_seed(T_SCATTER, root, mt_rank, s * 100 + it), 0, w);
			}
	}
	mt_end("gather/scatter 8 B..%s per rank", mt_sz(MAXSZ));
	free(one);
	free(all);
}

static void test_allgather_alltoall(void)
{
	char *one = mt_alloc(8 * MiB * mt_size), *all = mt_alloc(8 * MiB * mt_size), w[96];
	int s, it, p;

	mt_begin("allgather");
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			mt_fill(one, n, mt_seed(T_ALLGATHER, mt_rank, s, it), 0);
			memset(all, 0, n * mt_size);
			MPI_OK(MPI_Allgather(one, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE,
					     MPI_COMM_WORLD));
			for (p = 0; p < mt_size; p++) {
				snprintf(w, sizeof(w), "allgather of %s, block of rank %d", mt_sz(n), p);
				mt_verify(all + p * n, n, mt_seed(T_ALLGATHER, p, s, it), 0, w);
			}
		}
	}
	mt_end("allgather 8 B..%s per rank", mt_sz(MAXSZ));

	/* Alltoall: block p of rank r's send buffer goes to rank p, so every
	 * block is named by its (source, destination) pair. */
	mt_begin("alltoall");
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			for (p = 0; p < mt_size; p++)
				mt_fill(one + p * n, n, mt_seed(T_ALLTOALL, mt_rank, p, s * 100 + it), 0);
			memset(all, 0, n * mt_size);
			MPI_OK(MPI_Alltoall(one, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE,
					    MPI_COMM_WORLD));
			for (p = 0; p < mt_size; p++) {
				snprintf(w, sizeof(w), "alltoall of %s, block from rank %d", mt_sz(n), p);
				mt_verify(all + p * n, n, mt_seed(T_ALLTOALL, p, mt_rank, s * 100 + it), 0, w);
			}
		}
	}
	mt_end("alltoall 8 B..%s per block", mt_sz(MAXSZ));
	free(one);
	free(all);
}

/* ---- reductions ---------------------------------------------------------- */

struct rop {
	const char *name;
	MPI_Datatype dt;
	MPI_Op op;
	size_t esz;
	int is_double;
};

static const struct rop rops[] = {
	{ "int SUM", MPI_INT, MPI_SUM, sizeof(int), 0 },
	{ "double SUM", MPI_DOUBLE, MPI_SUM, sizeof(double), 1 },
	{ "int MAX", MPI_INT, MPI_MAX, sizeof(int), 0 },
	{ "double MAX", MPI_DOUBLE, MPI_MAX, sizeof(double), 1 },
};
#define NROPS ((int)(sizeof(rops) / sizeof(rops[0])))


/* Element i of rank r's input in iteration it: -1000..1000, different per
 * rank and element, so a sum of 8 ranks is far inside a double's 53 bits
 * and a wrong or missing contribution changes the result. */
static int rval(int r, size_t i, int it)
{
	return (int)((i * 2654435761u + (unsigned)r * 40503u + (unsigned)it * 977u) % 2001u) - 1000;
}

static void rfill(const struct rop *o, void *buf, size_t cnt, size_t base, int it)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		if (o->is_double)
			((double *)buf)[i] = rval(mt_rank, base + i, it);
		else
			((int *)buf)[i] = rval(mt_rank, base + i, it);
	}
}

/* buf[0..cnt) must be the reduction over all ranks of elements base.. */
static void rcheck(const struct rop *o, const void *buf, size_t cnt, size_t base, int it,
		   const char *what)
{
	size_t i;
	int r;

	for (i = 0; i < cnt; i++) {
		long want = rval(0, base + i, it);

		for (r = 1; r < mt_size; r++) {
			int v = rval(r, base + i, it);

			if (o->op == MPI_SUM)
				want += v;
			else if (v > want)
				want = v;
		}
		if (o->is_double) {
			double got = ((const double *)buf)[i];

			CHECK(got == (double)want, "%s, %s: element %zu: expected %ld, got %.17g",
			      what, o->name, i, want, got);
		} else {
			int got = ((const int *)buf)[i];

			CHECK(got == want, "%s, %s: element %zu: expected %ld, got %d",
			      what, o->name, i, want, got);
		}
	}
}

/* Reduce to each root, Allreduce (in place on odd iterations, so both
 * buffer modes are covered). */
static void test_reduce(void)
{
	void *in = mt_alloc(8 * MiB), *out = mt_alloc(8 * MiB);
	char w[96];
	int s, it, root, k;

	mt_begin("reduce");
	for (k = 0; k < NROPS; k++) {
		const struct rop *o = &rops[k];

		FOR_SIZES(s) {
			size_t n = mt_sizes[s], cnt = n / o->esz;

			for (it = 0; it < reps(n); it++)
				for (root = root_first(s); root <= root_last(s); root++) {
					rfill(o, in, cnt, 0, it);
					memset(out, 0xff, n);
					MPI_OK(MPI_Reduce(in, out, (int)cnt, o->dt, o->op, root,
							  MPI_COMM_WORLD));
					snprintf(w, sizeof(w), "reduce of %s to root %d", mt_sz(n), root);
					if (mt_rank == root)
						rcheck(o, out, cnt, 0, it, w);
				}
		}
	}
	mt_end("reduce int/double SUM, int/double MAX 8 B..%s", mt_sz(MAXSZ));

	mt_begin("allreduce");
	for (k = 0; k < NROPS; k++) {
		const struct rop *o = &rops[k];

		FOR_SIZES(s) {
			size_t n = mt_sizes[s], cnt = n / o->esz;

			for (it = 0; it < reps(n) + 1; it++) {
				rfill(o, in, cnt, 0, it);
				if (it % 2) {
					MPI_OK(MPI_Allreduce(MPI_IN_PLACE, in, (int)cnt, o->dt, o->op,
							     MPI_COMM_WORLD));
					snprintf(w, sizeof(w), "in-place allreduce of %s", mt_sz(n));
					rcheck(o, in, cnt, 0, it, w);
				} else {
					memset(out, 0xff, n);
					MPI_OK(MPI_Allreduce(in, out, (int)cnt, o->dt, o->op,
							     MPI_COMM_WORLD));
					snprintf(w, sizeof(w), "allreduce of %s", mt_sz(n));
					rcheck(o, out, cnt, 0, it, w);
				}
			}
		}
	}
	mt_end("allreduce int/double SUM, int/double MAX 8 B..%s (also in place)",
	       mt_sz(MAXSZ));
	free(in);
	free(out);
}

/*
 * Reduce_scatter with uneven blocks: rank r gets cnt + r elements, except
 * that every third rank gets none (an empty block must work too).  The
 * input is one vector over all blocks; block r starts at displ[r].
 */
static void test_reduce_scatter(void)
{
	int *counts = mt_alloc(mt_size * sizeof(int));
	void *in = mt_alloc(8 * MiB * mt_size + mt_size * 8 * 8), *out = mt_alloc(8 * MiB + 8 * 8);
	char w[96];
	int s, it, k, r;

	mt_begin("reduce_scatter");
	for (k = 0; k < NROPS; k++) {
		const struct rop *o = &rops[k];

		FOR_SIZES(s) {
			size_t n = mt_sizes[s], cnt = n / o->esz, total = 0, mine = 0;

			for (r = 0; r < mt_size; r++) {
				counts[r] = r % 3 == 2 ? 0 : (int)cnt + r;
				if (r < mt_rank)
					mine += counts[r];
				total += counts[r];
			}
			for (it = 0; it < reps(n); it++) {
				rfill(o, in, total, 0, it);
				memset(out, 0xff, counts[mt_rank] * o->esz + 1);
				MPI_OK(MPI_Reduce_scatter(in, out, counts, o->dt, o->op, MPI_COMM_WORLD));
				snprintf(w, sizeof(w), "reduce_scatter of %d elements, block %d",
					 counts[mt_rank], mt_rank);
				rcheck(o, out, counts[mt_rank], mine, it, w);
				mt_verify_byte((char *)out + counts[mt_rank] * o->esz, 1, 0xff,
					       "byte after the block");
			}
		}
	}
	mt_end("reduce_scatter int/double SUM, int/double MAX, uneven blocks");
	free(counts);
	free(in);
	free(out);
}

/*
 * Barrier: one rank at a time arrives late, by DELAY; every other rank times
 * its own MPI_Barrier and must have waited for it.  The ranks enter after a
 * previous barrier, whose exit can be skewed across ranks (scheduling on an
 * oversubscribed host: a few ms), so the bound checked is DELAY / 4 -- a
 * barrier that does not wait returns in microseconds, far below it.
 * Then many barriers back to back, which must simply all complete.
 */
#define DELAY 0.1

static void test_barrier(void)
{
	int late, i, n = mt_quick ? 200 : 2000;
	int rounds = mt_size < 4 ? mt_size : 4;

	mt_begin("barrier");
	for (late = 0; late < rounds; late++) {
		double t;

		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		t = MPI_Wtime();
		if (mt_rank == late)
			usleep((useconds_t)(DELAY * 1e6));
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		t = MPI_Wtime() - t;
		CHECK(mt_rank == late || t >= DELAY / 4,
		      "left the barrier after %.4f s although rank %d arrived %.2f s late",
		      t, late, DELAY);
	}
	for (i = 0; i < n; i++)
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
	mt_end("barrier (late arrivals waited for; %d in a row)", n);
}

int main(int argc, char **argv)
{
	mt_init(&argc, &argv, "coll");
	test_bcast();
	test_gather_scatter();
	test_allgather_alltoall();
	test_reduce();
	test_reduce_scatter();
	test_barrier();
	return mt_finish();
}
