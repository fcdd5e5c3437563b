// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * osc: one-sided communication (RMA), 8 B .. 1 MiB.
 *
 * Passive target (the target does nothing; over an RDMA transport these are
 * the RDMA READ/WRITE/atomic operations themselves):
 *   lock put/get     MPI_Win_lock exclusive (Put) and shared (Get from all)
 *   lock_all flush   MPI_Win_lock_all, Put + MPI_Win_flush, Get back
 *   accumulate       every rank MPI_Accumulate(SUM)s into every window
 *   get_accumulate   fetched values show the atomic order of the updates
 *   fetch_and_op     a shared counter; every value handed out exactly once
 *   compare_and_swap a spin lock guarding a non-atomic counter
 * Active target:
 *   fence            MPI_Win_fence epochs, Put right / Get left
 *   pscw             MPI_Win_post/start/complete/wait with the neighbours
 * Windows from MPI_Win_allocate and from MPI_Win_create over malloc()ed
 * memory (which the transport must register itself).
 *
 * A rank reads or writes its own window memory only inside a lock of its own
 * window (or between fences), as the separate memory model requires.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_PUT = 1, T_FLUSH, T_FENCE, T_FENCE_OWN, T_PSCW };

#define OSC_MAX (1 * MiB)
#define GUARD 64		/* bytes after the data that must stay untouched */
#define GUARD_BYTE 0xee

enum kind { WIN_ALLOCATE, WIN_CREATE };
static const char *const kind_name[] = { "Win_allocate", "Win_create" };

struct win {
	MPI_Win w;
	char *base;
	enum kind kind;
};

static void win_open(struct win *win, enum kind kind, size_t size)
{
	win->kind = kind;
	if (kind == WIN_ALLOCATE) {
		MPI_OK(MPI_Win_allocate((MPI_Aint)size, 1, MPI_INFO_NULL, MPI_COMM_WORLD,
					&win->base, &win->w));
	} else {
		win->base = mt_alloc(size);
		MPI_OK(MPI_Win_create(win->base, (MPI_Aint)size, 1, MPI_INFO_NULL,
				      MPI_COMM_WORLD, &win->w));
	}
}

static void win_close(struct win *win)
{
	MPI_OK(MPI_Win_free(&win->w));
	if (win->kind == WIN_CREATE)
		free(win->base);
}

/* Access to one's own window memory in a passive-target test. */
static void self_lock(struct win *win)
{
	MPI_OK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, mt_rank, 0, win->w));
}

static void self_unlock(struct win *win)
{
	MPI_OK(MPI_Win_unlock(mt_rank, win->w));
}

static int reps(size_t n)
{
	if (mt_quick)
		return 1;
	return n <= 64 * KiB ? 5 : 2;
}

#define FOR_SIZES(s) \
	for (s = 0; s < mt_nsizes; s++) if (mt_sizes[s] >= 8 && mt_sizes[s] <= OSC_MAX)

/*
 * Each rank Puts under an exclusive lock into the window of the next rank,
 * which checks it locally (and that the guard after it is untouched); then
 * every rank Gets every window under shared locks, all at once.
 */
static void test_lock_putget(enum kind kind)
{
	struct win win;
	char *buf = mt_alloc(OSC_MAX), w[96];
	int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;
	int s, it, p;

	mt_begin("lock put/get");
	win_open(&win, kind, OSC_MAX + GUARD);
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			int id = s * 100 + it;

			self_lock(&win);
			memset(win.base, GUARD_BYTE, n + GUARD);
			self_unlock(&win);
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

			mt_fill(buf, n, mt_seed(T_PUT, mt_rank, next, id), 0);
			MPI_OK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, next, 0, win.w));
			MPI_OK(MPI_Put(buf, (int)n, MPI_BYTE, next, 0, (int)n, MPI_BYTE, win.w));
			MPI_OK(MPI_Win_unlock(next, win.w));
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

			self_lock(&win);
			snprintf(w, sizeof(w), "%s put by rank %d (%s)", mt_sz(n), prev, kind_name[kind]);
			mt_verify(win.base, n, mt_seed(T_PUT, prev, mt_rank, id), 0, w);
			snprintf(w, sizeof(w), "window past the %s put by rank %d (%s)", mt_sz(n), prev,
				 kind_name[kind]);
			mt_verify_byte(win.base + n, GUARD, GUARD_BYTE, w);
			self_unlock(&win);

			for (p = 0; p < mt_size; p++) {
				int q = (mt_rank + p) % mt_size;

				memset(buf, 0, n);
				MPI_OK(MPI_Win_lock(MPI_LOCK_SHARED, q, 0, win.w));
				MPI_OK(MPI_Get(buf, (int)n, MPI_BYTE, q, 0, (int)n, MPI_BYTE, win.w));
				MPI_OK(MPI_Win_unlock(q, win.w));
				snprintf(w, sizeof(w), "%s got from rank %d (%s)", mt_sz(n), q, kind_name[kind]);
				mt_verify(buf, n, mt_seed(T_PUT, (q + mt_size - 1) % mt_size, q, id), 0, w);
			}
			/* The owners re-initialise only after every Get is done. */
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		}
	}
	win_close(&win);
	mt_end("lock exclusive put, shared get 8 B..%s (%s)", mt_sz(OSC_MAX), kind_name[kind]);
	free(buf);
}

/*
 * One lock_all epoch per size: each rank Puts into its own slot of every
 * window, flushes, and Gets it back in the same epoch (a flush makes the Put
 * complete at the target, so the Get must see it).  Even iterations flush
 * per target, odd ones with MPI_Win_flush_all.  Then the owners check all
 * slots.
 */
static void test_lock_all_flush(enum kind kind)
{
	struct win win;
	char *buf = mt_alloc(OSC_MAX * mt_size), *back = mt_alloc(OSC_MAX), w[96];
	int s, it, p;

	mt_begin("lock_all flush");
	win_open(&win, kind, OSC_MAX * mt_size);
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			int id = s * 100 + it;

			MPI_OK(MPI_Win_lock_all(0, win.w));
			for (p = 0; p < mt_size; p++) {
				mt_fill(buf + p * n, n, mt_seed(T_FLUSH, mt_rank, p, id), 0);
				MPI_OK(MPI_Put(buf + p * n, (int)n, MPI_BYTE, p, mt_rank * n, (int)n,
					       MPI_BYTE, win.w));
				if (it % 2 == 0)
					MPI_OK(MPI_Win_flush(p, win.w));
			}
			if (it % 2)
				MPI_OK(MPI_Win_flush_all(win.w));
			for (p = 0; p < mt_size; p++) {
				memset(back, 0, n);
				MPI_OK(MPI_Get(back, (int)n, MPI_BYTE, p, mt_rank * n, (int)n, MPI_BYTE,
					       win.w));
				MPI_OK(MPI_Win_flush(p, win.w));
				snprintf(w, sizeof(w), "%s got back after flush from rank %d (%s)",
					 mt_sz(n), p, kind_name[kind]);
				mt_verify(back, n, mt_seed(T_FLUSH, mt_rank, p, id), 0, w);
			}
			MPI_OK(MPI_Win_unlock_all(win.w));
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

			self_lock(&win);
			for (p = 0; p < mt_size; p++) {
				snprintf(w, sizeof(w), "%s slot of rank %d (%s)", mt_sz(n), p, kind_name[kind]);
				mt_verify(win.base + p * n, n, mt_seed(T_FLUSH, p, mt_rank, id), 0, w);
			}
			self_unlock(&win);
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		}
	}
	win_close(&win);
	mt_end("lock_all, put/flush/get 8 B..%s (%s)", mt_sz(OSC_MAX), kind_name[kind]);
	free(buf);
	free(back);
}

/* Accumulate input of rank r, element i, into the window of rank t. */
static int acc_val(int r, size_t i, int t)
{
	return (int)((i * 7919u + (unsigned)r * 104729u + (unsigned)t * 1299709u) % 1999u) - 999;
}

/* All ranks Accumulate(SUM) into the same elements of every window at the
 * same time: element-wise atomicity makes the sum exact. */
static void test_accumulate(void)
{
	struct win win;
	int *buf = mt_alloc(OSC_MAX * mt_size);
	int s, it, p;
	size_t i;

	mt_begin("accumulate");
	win_open(&win, WIN_ALLOCATE, OSC_MAX);
	FOR_SIZES(s) {
		size_t cnt = mt_sizes[s] / sizeof(int);

		for (it = 0; it < reps(mt_sizes[s]); it++) {
			self_lock(&win);
			memset(win.base, 0, cnt * sizeof(int));
			self_unlock(&win);
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

			MPI_OK(MPI_Win_lock_all(0, win.w));
			for (p = 0; p < mt_size; p++) {
				int q = (mt_rank + p) % mt_size, *b = buf + q * cnt;

				for (i = 0; i < cnt; i++)
					b[i] = acc_val(mt_rank, i, q);
				MPI_OK(MPI_Accumulate(b, (int)cnt, MPI_INT, q, 0, (int)cnt, MPI_INT,
						      MPI_SUM, win.w));
			}
			MPI_OK(MPI_Win_unlock_all(win.w));
			MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

			self_lock(&win);
			for (i = 0; i < cnt; i++) {
				int want = 0, got = ((int *)win.base)[i];

				for (p = 0; p < mt_size; p++)
					want += acc_val(p, i, mt_rank);
				CHECK(got == want, "%s int SUM: element %zu: expected %d, got %d",
				      mt_sz(mt_sizes[s]), i, want, got);
			}
			self_unlock(&win);
		}
	}
	win_close(&win);
	mt_end("accumulate int SUM from all ranks 8 B..%s", mt_sz(OSC_MAX));
	free(buf);
}

/*
 * Get_accumulate: rank r adds the bit 1 << r to every element of every
 * window, fetching the old value.  The old value must not yet hold r's bit
 * and holds only bits of ranks; the final value is all bits.  For element 0
 * of rank 0's window, the fetched values of all ranks must form one chain
 * 0 -> +bit -> +bit ...: the order in which the atomic updates happened.
 */
static void test_get_accumulate(void)
{
	struct win win;
	int64_t *in = mt_alloc(OSC_MAX), *old = mt_alloc(OSC_MAX * mt_size), *all;
	int64_t full = ((int64_t)1 << mt_size) - 1, first0 = -1;
	int s, p, q;
	size_t i, cnt;

	CHECK(mt_size <= 62, "get_accumulate needs at most 62 ranks");
	all = mt_alloc(mt_size * sizeof(int64_t));
	mt_begin("get_accumulate");
	win_open(&win, WIN_ALLOCATE, OSC_MAX);
	FOR_SIZES(s) {
		cnt = mt_sizes[s] / sizeof(int64_t);
		self_lock(&win);
		memset(win.base, 0, cnt * sizeof(int64_t));
		self_unlock(&win);
		for (i = 0; i < cnt; i++)
			in[i] = (int64_t)1 << mt_rank;
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

		MPI_OK(MPI_Win_lock_all(0, win.w));
		for (p = 0; p < mt_size; p++)
			MPI_OK(MPI_Get_accumulate(in, (int)cnt, MPI_INT64_T, old + p * cnt, (int)cnt,
						  MPI_INT64_T, p, 0, (int)cnt, MPI_INT64_T, MPI_SUM,
						  win.w));
		MPI_OK(MPI_Win_unlock_all(win.w));
		for (p = 0; p < mt_size; p++)
			for (i = 0; i < cnt; i++) {
				int64_t v = old[p * cnt + i];

				CHECK(!(v & in[0]) && !(v & ~full),
				      "%s at rank %d, element %zu: fetched 0x%llx, must not hold 0x%llx and only bits of 0x%llx",
				      mt_sz(mt_sizes[s]), p, i, (long long)v, (long long)in[0],
				      (long long)full);
			}
		first0 = old[0];
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));

		self_lock(&win);
		for (i = 0; i < cnt; i++)
			CHECK(((int64_t *)win.base)[i] == full, "%s: element %zu: expected 0x%llx, got 0x%llx",
			      mt_sz(mt_sizes[s]), i, (long long)full,
			      (long long)((int64_t *)win.base)[i]);
		self_unlock(&win);

		MPI_OK(MPI_Gather(&first0, 1, MPI_INT64_T, all, 1, MPI_INT64_T, 0, MPI_COMM_WORLD));
		if (mt_rank == 0)
			/* Each rank's value after its update (old | its bit) is the old
			 * value fetched by some other rank, or the final value. */
			for (p = 0; p < mt_size; p++) {
				int64_t after = all[p] | ((int64_t)1 << p);
				int found = after == full;

				for (q = 0; q < mt_size && !found; q++)
					found = all[q] == after;
				CHECK(found, "%s, element 0 of rank 0: rank %d fetched 0x%llx but nobody fetched 0x%llx (lost or torn update)",
				      mt_sz(mt_sizes[s]), p, (long long)all[p], (long long)after);
			}
	}
	win_close(&win);
	mt_end("get_accumulate int64 SUM 8 B..%s, fetched values ordered", mt_sz(OSC_MAX));
	free(in);
	free(old);
	free(all);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A counter in rank t's window, incremented N times by every rank with
 * MPI_Fetch_and_op(SUM): the fetched values of all ranks together must be
 * exactly 0 .. size*N-1, each once, and one rank's values increase.
 */
static void test_fetch_and_op(void)
{
	int n = mt_quick ? 50 : 1000, k, t, targets[2] = { 0, mt_size - 1 };
	int64_t one = 1, *got = mt_alloc(n * sizeof(int64_t));
	int64_t *all = mt_alloc((size_t)n * mt_size * sizeof(int64_t));
	struct win win;

	mt_begin("fetch_and_op");
	win_open(&win, WIN_ALLOCATE, sizeof(int64_t));
	for (t = 0; t < 2; t++) {
		int tg = targets[t];

		self_lock(&win);
		*(int64_t *)win.base = 0;
		self_unlock(&win);
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		MPI_OK(MPI_Win_lock_all(0, win.w));
		for (k = 0; k < n; k++) {
			MPI_OK(MPI_Fetch_and_op(&one, &got[k], MPI_INT64_T, tg, 0, MPI_SUM, win.w));
			MPI_OK(MPI_Win_flush(tg, win.w));
			CHECK(k == 0 || got[k] > got[k - 1],
			      "counter at rank %d: fetch %d returned %lld after %lld", tg, k,
			      (long long)got[k], (long long)got[k - 1]);
		}
		MPI_OK(MPI_Win_unlock_all(win.w));
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		if (mt_rank == tg) {
			self_lock(&win);
			CHECK(*(int64_t *)win.base == (int64_t)n * mt_size,
			      "counter: expected %lld, got %lld", (long long)n * mt_size,
			      (long long)*(int64_t *)win.base);
			self_unlock(&win);
		}
		MPI_OK(MPI_Gather(got, n, MPI_INT64_T, all, n, MPI_INT64_T, 0, MPI_COMM_WORLD));
		if (mt_rank == 0) {
			qsort(all, (size_t)n * mt_size, sizeof(int64_t), cmp_i64);
			for (k = 0; k < n * mt_size; k++)
				CHECK(all[k] == k, "counter at rank %d: value %d handed out %s", tg,
				      k, all[k] < k ? "twice" : "never");
		}
	}
	win_close(&win);
	mt_end("fetch_and_op counter, %d increments per rank, every value once", n);
	free(got);
	free(all);
}

/*
 * A spin lock made of MPI_Compare_and_swap (word 0 of rank 0: 0 = free,
 * r+1 = held by r) protects a counter in rank size-1's window that is
 * updated by a plain Get, +1, Put.  If the lock ever let two ranks in,
 * increments would be lost and the final count would be short.
 */
#define CNT_DISP sizeof(int64_t)	/* windows have disp_unit 1: bytes */

static void test_compare_and_swap(void)
{
	int n = mt_quick ? 20 : 200, k, last = mt_size - 1;
	int64_t zero = 0, me = mt_rank + 1, res, cnt, noop = 0;
	struct win win;
	long spins = 0;

	mt_begin("compare_and_swap");
	win_open(&win, WIN_ALLOCATE, 2 * sizeof(int64_t));
	self_lock(&win);
	memset(win.base, 0, 2 * sizeof(int64_t));
	self_unlock(&win);
	MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
	MPI_OK(MPI_Win_lock_all(0, win.w));
	for (k = 0; k < n; k++) {
		do {
			MPI_OK(MPI_Compare_and_swap(&me, &zero, &res, MPI_INT64_T, 0, 0, win.w));
			MPI_OK(MPI_Win_flush(0, win.w));
			CHECK(res >= 0 && res <= mt_size, "lock word holds %lld", (long long)res);
			spins++;
		} while (res != 0);
		/* Held: the lock word must name us. */
		MPI_OK(MPI_Fetch_and_op(&noop, &res, MPI_INT64_T, 0, 0, MPI_NO_OP, win.w));
		MPI_OK(MPI_Win_flush(0, win.w));
		CHECK(res == me, "acquired the lock but the lock word holds %lld", (long long)res);

		MPI_OK(MPI_Get(&cnt, 1, MPI_INT64_T, last, CNT_DISP, 1, MPI_INT64_T, win.w));
		MPI_OK(MPI_Win_flush(last, win.w));
		cnt++;
		MPI_OK(MPI_Put(&cnt, 1, MPI_INT64_T, last, CNT_DISP, 1, MPI_INT64_T, win.w));
		MPI_OK(MPI_Win_flush(last, win.w));

		MPI_OK(MPI_Compare_and_swap(&zero, &me, &res, MPI_INT64_T, 0, 0, win.w));
		MPI_OK(MPI_Win_flush(0, win.w));
		CHECK(res == me, "releasing the lock: it was held by %lld", (long long)res - 1);
	}
	MPI_OK(MPI_Win_unlock_all(win.w));
	MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
	self_lock(&win);
	if (mt_rank == 0)
		CHECK(((int64_t *)win.base)[0] == 0, "lock word left at %lld",
		      (long long)((int64_t *)win.base)[0]);
	if (mt_rank == last)
		CHECK(((int64_t *)win.base)[1] == (int64_t)n * mt_size,
		      "counter under the lock: expected %lld, got %lld (lost updates: the lock let two ranks in)",
		      (long long)n * mt_size, (long long)((int64_t *)win.base)[1]);
	self_unlock(&win);
	win_close(&win);
	mt_end("compare_and_swap spin lock, %d critical sections per rank", n);
}

/*
 * Fence epochs: each rank Puts into the next rank's window and, in the same
 * epoch, Gets the previous rank's own data (written locally before the
 * epoch; nobody writes it during the epoch, so the two do not conflict).
 */
static void test_fence(enum kind kind)
{
	struct win win;
	char *buf = mt_alloc(OSC_MAX), *got = mt_alloc(OSC_MAX), w[96];
	int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;
	int s, it;

	mt_begin("fence");
	/* [0, OSC_MAX + GUARD): put here by the previous rank; then this
	 * rank's own data, which the next rank gets. */
	win_open(&win, kind, 2 * OSC_MAX + GUARD);
	MPI_OK(MPI_Win_fence(0, win.w));
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			int id = s * 100 + it;

			/* Between fences the window is ours to write locally. */
			memset(win.base, GUARD_BYTE, n + GUARD);
			mt_fill(win.base + OSC_MAX + GUARD, n, mt_seed(T_FENCE_OWN, mt_rank, 0, id), 0);
			mt_fill(buf, n, mt_seed(T_FENCE, mt_rank, next, id), 0);
			memset(got, 0, n);
			MPI_OK(MPI_Win_fence(0, win.w));
			MPI_OK(MPI_Put(buf, (int)n, MPI_BYTE, next, 0, (int)n, MPI_BYTE, win.w));
			MPI_OK(MPI_Get(got, (int)n, MPI_BYTE, prev, OSC_MAX + GUARD, (int)n, MPI_BYTE,
				       win.w));
			MPI_OK(MPI_Win_fence(0, win.w));
			snprintf(w, sizeof(w), "%s put by rank %d in a fence epoch (%s)", mt_sz(n), prev,
				 kind_name[kind]);
			mt_verify(win.base, n, mt_seed(T_FENCE, prev, mt_rank, id), 0, w);
			snprintf(w, sizeof(w), "window past the %s put by rank %d (%s)", mt_sz(n), prev,
				 kind_name[kind]);
			mt_verify_byte(win.base + n, GUARD, GUARD_BYTE, w);
			snprintf(w, sizeof(w), "%s got from rank %d in a fence epoch (%s)", mt_sz(n), prev,
				 kind_name[kind]);
			mt_verify(got, n, mt_seed(T_FENCE_OWN, prev, 0, id), 0, w);
		}
	}
	MPI_OK(MPI_Win_fence(MPI_MODE_NOSUCCEED, win.w));
	win_close(&win);
	mt_end("fence epochs, put/get 8 B..%s (%s)", mt_sz(OSC_MAX), kind_name[kind]);
	free(buf);
	free(got);
}

/*
 * PSCW with the two neighbours: expose my window to them (post), access
 * theirs (start), Put into slot 0 of the next rank and slot 1 of the
 * previous one.  With 2 ranks both neighbours are the same rank, with 1 rank
 * it is oneself.  A second epoch Gets back what was put.
 */
static void test_pscw(void)
{
	int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;
	int nb[2] = { next, prev }, nnb = next == prev ? 1 : 2, s, it;
	char *buf = mt_alloc(2 * OSC_MAX), *got = mt_alloc(2 * OSC_MAX), w[96];
	MPI_Group world, peers;
	struct win win;

	mt_begin("pscw");
	MPI_OK(MPI_Comm_group(MPI_COMM_WORLD, &world));
	MPI_OK(MPI_Group_incl(world, nnb, nb, &peers));
	win_open(&win, WIN_CREATE, 2 * OSC_MAX);
	FOR_SIZES(s) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			int id = s * 100 + it;

			mt_fill(buf, n, mt_seed(T_PSCW, mt_rank, next, id), 0);
			mt_fill(buf + OSC_MAX, n, mt_seed(T_PSCW, mt_rank, prev, id + 50), 0);
			MPI_OK(MPI_Win_post(peers, 0, win.w));
			MPI_OK(MPI_Win_start(peers, 0, win.w));
			MPI_OK(MPI_Put(buf, (int)n, MPI_BYTE, next, 0, (int)n, MPI_BYTE, win.w));
			MPI_OK(MPI_Put(buf + OSC_MAX, (int)n, MPI_BYTE, prev, OSC_MAX, (int)n, MPI_BYTE,
				       win.w));
			MPI_OK(MPI_Win_complete(win.w));
			MPI_OK(MPI_Win_wait(win.w));
			snprintf(w, sizeof(w), "%s put by rank %d (next) in PSCW", mt_sz(n), prev);
			mt_verify(win.base, n, mt_seed(T_PSCW, prev, mt_rank, id), 0, w);
			snprintf(w, sizeof(w), "%s put by rank %d (prev) in PSCW", mt_sz(n), next);
			mt_verify(win.base + OSC_MAX, n, mt_seed(T_PSCW, next, mt_rank, id + 50), 0, w);

			memset(got, 0, 2 * OSC_MAX);
			MPI_OK(MPI_Win_post(peers, 0, win.w));
			MPI_OK(MPI_Win_start(peers, 0, win.w));
			MPI_OK(MPI_Get(got, (int)n, MPI_BYTE, next, 0, (int)n, MPI_BYTE, win.w));
			MPI_OK(MPI_Get(got + OSC_MAX, (int)n, MPI_BYTE, prev, OSC_MAX, (int)n, MPI_BYTE,
				       win.w));
			MPI_OK(MPI_Win_complete(win.w));
			MPI_OK(MPI_Win_wait(win.w));
			snprintf(w, sizeof(w), "%s got back from rank %d in PSCW", mt_sz(n), next);
			mt_verify(got, n, mt_seed(T_PSCW, mt_rank, next, id), 0, w);
			snprintf(w, sizeof(w), "%s got back from rank %d in PSCW", mt_sz(n), prev);
			mt_verify(got + OSC_MAX, n, mt_seed(T_PSCW, mt_rank, prev, id + 50), 0, w);
		}
	}
	win_close(&win);
	MPI_OK(MPI_Group_free(&peers));
	MPI_OK(MPI_Group_free(&world));
	mt_end("PSCW with neighbours, put/get 8 B..%s (Win_create)", mt_sz(OSC_MAX));
	free(buf);
	free(got);
}

int main(int argc, char **argv)
{
	mt_init(&argc, &argv, "osc");
	test_lock_putget(WIN_ALLOCATE);
	test_lock_putget(WIN_CREATE);
	test_lock_all_flush(WIN_ALLOCATE);
	test_lock_all_flush(WIN_CREATE);
	test_accumulate();
	test_get_accumulate();
	test_fetch_and_op();
	test_compare_and_swap();
	test_fence(WIN_ALLOCATE);
	test_fence(WIN_CREATE);
	test_pscw();
	return mt_finish();
}
