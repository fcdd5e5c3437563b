// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MPI benchmarks for perftest/mpi (issue 10): what an MPI user of the fabric
 * sees, measured the way the usual micro-benchmarks measure it.
 *
 *   pingpong  ranks 0 and 1: blocking send/recv round trips, 8 B to 4 MiB;
 *             latency is half the median round trip (as perftest's
 *             t_typical: a TCG blade's scheduling stalls would dominate a
 *             mean), also the mean; bandwidth size / median latency; the
 *             other ranks wait without spinning (idle_barrier)
 *   msgrate   every rank i < n/2 streams 8-byte messages to i + n/2 in
 *             windows of 64 non-blocking sends (one ack per window);
 *             messages per second, summed over the pairs
 *   allreduce every rank: MPI_Allreduce of 8 B to 64 KiB of int64 (sum);
 *             the median over iterations of the slowest rank's time
 *
 * Every result line is "bench <test> size=<B> iters=<n> <key>=<value>...",
 * for perftest/mpi to parse.  The data is checked too (a benchmark of a
 * transport that corrupts is worthless): each received message's first and
 * last 8 bytes every iteration, the whole of the last one, and every
 * allreduce result.  Iterations: fixed per size, a tenth with --quick.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

#define WINDOW		64
#define MAX_PP		(4 * MiB)
#define MAX_AR		(64 * KiB)

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of t[0..n), which it sorts. */
static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/*
 * 200 even for the largest sizes (40 before): 40 round trips of 4 MiB last
 * ~0.2 s, a few of the host's time slices, and their median moved by
 * +-25% from run to run; ib_write_bw, the reference, runs 200.
 */
static int iters_for(size_t size)
{
	int n = size <= 16 * KiB ? 1000 : 200;

	return mt_quick ? (n / 10 > 4 ? n / 10 : 4) : n;
}

/*
 * A barrier that waits without spinning.  The ranks that sit out a
 * ping-pong would otherwise poll in MPI_Barrier all along, and on blades
 * that share the host's cores (TCG) they take CPU from the pair being
 * measured: the 4-blade ping-pong reached a quarter of what the same pair
 * did with the other blades idle, as they are for ib_write_bw.
 */
static void idle_barrier(void)
{
	/* Not every 1 ms: on 8 blades six ranks waking that often (each
	 * wake-up a TCG blade's worth of work) starved the pair: 8 B 7 ms.
	 */
	const struct timespec nap = { 0, 20000000 };
	MPI_Request req;
	int done = 0;

	MPI_OK(MPI_Ibarrier(MPI_COMM_WORLD, &req));
	for (;;) {
		MPI_OK(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
		if (done)
			break;
		nanosleep(&nap, NULL);
	}
}

/* The message of iteration it: its first and last words carry it. */
static void stamp(uint8_t *buf, size_t size, uint64_t it)
{
	memcpy(buf, &it, size < 8 ? size : 8);
	if (size >= 16)
		memcpy(buf + size - 8, &it, 8);
}

static void check_stamp(const uint8_t *buf, size_t size, uint64_t it)
{
	uint64_t a = 0, b = it;

	memcpy(&a, buf, size < 8 ? size : 8);
	if (size >= 16)
		memcpy(&b, buf + size - 8, 8);
	if (size < 8)
		it &= (1ULL << (8 * size)) - 1;
	CHECK(a == it && b == it, "%zu B message of iteration %llu carries %llu/%llu", size,
	      (unsigned long long)it, (unsigned long long)a, (unsigned long long)b);
}

static void pingpong(uint8_t *sbuf, uint8_t *rbuf)
{
	double *rtt = malloc(sizeof(*rtt) * (size_t)iters_for(8));

	CHECK(rtt, "no memory");
	for (size_t size = 8; size <= MAX_PP; size *= 2) {
		int iters = iters_for(size), warm = iters / 10 + 2;
		uint64_t seed = mt_seed(1, 0, 1, (uint32_t)size);
		double t0 = 0, ti = 0;

		mt_begin("pingpong");
		if (mt_rank < 2)
			mt_fill(sbuf, size, seed, 0);
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		for (int i = -warm; i < iters && mt_rank < 2; i++) {
			uint64_t it = (uint64_t)(i + warm);

			if (i == 0)
				t0 = MPI_Wtime();
			if (mt_rank == 0) {
				ti = MPI_Wtime();
				stamp(sbuf, size, it);
				MPI_OK(MPI_Send(sbuf, (int)size, MPI_BYTE, 1, 1, MPI_COMM_WORLD));
				MPI_OK(MPI_Recv(rbuf, (int)size, MPI_BYTE, 1, 2, MPI_COMM_WORLD,
						MPI_STATUS_IGNORE));
			} else {
				MPI_OK(MPI_Recv(rbuf, (int)size, MPI_BYTE, 0, 1, MPI_COMM_WORLD,
						MPI_STATUS_IGNORE));
				check_stamp(rbuf, size, it);
				memcpy(sbuf, rbuf, size < 8 ? size : 8);
				if (size >= 16)
					memcpy(sbuf + size - 8, rbuf + size - 8, 8);
				MPI_OK(MPI_Send(sbuf, (int)size, MPI_BYTE, 0, 2, MPI_COMM_WORLD));
			}
			if (mt_rank == 0) {
				if (i >= 0)
					rtt[i] = MPI_Wtime() - ti;
				check_stamp(rbuf, size, it);
			}
		}
		if (mt_rank == 0) {
			double mean = (MPI_Wtime() - t0) / iters / 2;
			double lat = median(rtt, iters) / 2;

			/* The whole last message, past the stamps. */
			if (size > 16)
				mt_verify(rbuf + 8, size - 16, seed, 8, "the last pong");
			printf("bench pingpong size=%zu iters=%d lat_us=%.2f mean_us=%.2f bw_MBps=%.1f\n",
			       size, iters, lat * 1e6, mean * 1e6, size / lat / 1e6);
			fflush(stdout);
		}
		idle_barrier();
	}
	free(rtt);
}

static void msgrate(uint8_t *sbuf, uint8_t *rbuf)
{
	int half = mt_size / 2, iters = mt_quick ? 20 : 200;
	int peer = mt_rank < half ? mt_rank + half : mt_rank - half;
	bool active = mt_rank < 2 * half;
	MPI_Request req[WINDOW];
	double t0, dt, rate = 0, total = 0;
	const size_t size = 8;

	mt_begin("msgrate");
	MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
	t0 = MPI_Wtime();
	for (int i = 0; i < iters && active; i++) {
		uint64_t ack = 0;

		for (int w = 0; w < WINDOW; w++) {
			uint64_t it = (uint64_t)i * WINDOW + (uint64_t)w;

			if (mt_rank < half) {
				stamp(sbuf + w * size, size, it);
				MPI_OK(MPI_Isend(sbuf + w * size, (int)size, MPI_BYTE, peer, 3,
						 MPI_COMM_WORLD, &req[w]));
			} else {
				MPI_OK(MPI_Irecv(rbuf + w * size, (int)size, MPI_BYTE, peer, 3,
						 MPI_COMM_WORLD, &req[w]));
			}
		}
		MPI_OK(MPI_Waitall(WINDOW, req, MPI_STATUSES_IGNORE));
		if (mt_rank < half) {
			MPI_OK(MPI_Recv(&ack, 1, MPI_UINT64_T, peer, 4, MPI_COMM_WORLD,
					MPI_STATUS_IGNORE));
			CHECK(ack == (uint64_t)i, "window ack %llu, expected %d",
			      (unsigned long long)ack, i);
		} else {
			for (int w = 0; w < WINDOW; w++)
				check_stamp(rbuf + w * size, size, (uint64_t)i * WINDOW + w);
			ack = (uint64_t)i;
			MPI_OK(MPI_Send(&ack, 1, MPI_UINT64_T, peer, 4, MPI_COMM_WORLD));
		}
	}
	dt = MPI_Wtime() - t0;
	if (active && mt_rank < half)
		rate = (double)iters * WINDOW / dt;
	MPI_OK(MPI_Reduce(&rate, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD));
	if (mt_rank == 0) {
		printf("bench msgrate size=%zu iters=%d pairs=%d window=%d msgs_per_s=%.0f\n", size,
		       iters * WINDOW, half, WINDOW, total);
		fflush(stdout);
	}
}

static void allreduce(void)
{
	int64_t *in = malloc(MAX_AR), *out = malloc(MAX_AR);
	double *t = malloc(sizeof(*t) * (size_t)iters_for(8));

	CHECK(in && out && t, "no memory");
	for (size_t size = 8; size <= MAX_AR; size *= 4) {
		size_t n = size / sizeof(int64_t);
		int iters = iters_for(size), warm = iters / 10 + 2;
		int64_t s = (int64_t)mt_size * (mt_size - 1) / 2;
		double ti;

		mt_begin("allreduce");
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
		for (int i = -warm; i < iters; i++) {
			ti = MPI_Wtime();
			/* Element j of rank r: r + i + j; the sum is known. */
			for (size_t j = 0; j < n; j++)
				in[j] = mt_rank + i + (int64_t)j;
			MPI_OK(MPI_Allreduce(in, out, (int)n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD));
			for (size_t j = 0; j < n; j++)
				CHECK(out[j] == s + (int64_t)mt_size * (i + (int64_t)j),
				      "allreduce %zu B, iteration %d, element %zu: %lld", size, i, j,
				      (long long)out[j]);
			if (i >= 0)
				t[i] = MPI_Wtime() - ti;
		}
		/* Each iteration as long as its slowest rank took. */
		MPI_OK(MPI_Allreduce(MPI_IN_PLACE, t, iters, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
		if (mt_rank == 0) {
			printf("bench allreduce size=%zu iters=%d ranks=%d lat_us=%.2f\n", size, iters,
			       mt_size, median(t, iters) * 1e6);
			fflush(stdout);
		}
	}
	free(t);
	free(in);
	free(out);
}

/*
 * Every rank exchanges a message with every other one, so each pair has
 * its endpoints wired up before anything is measured.  UCX connects a pair
 * on its first message: without this, the barriers of the first ping-pong
 * size wired up the idle ranks' pairs while ranks 0 and 1 measured, and
 * on 8 blades 8 B took twice as long as 16 B.
 */
static void connect_all(void)
{
	MPI_Request *req = malloc(sizeof(*req) * 2 * (size_t)mt_size);
	int64_t *in = calloc((size_t)mt_size, sizeof(*in)), out = mt_rank, n = 0;

	CHECK(req && in, "no memory");
	for (int r = 0; r < mt_size; r++) {
		if (r == mt_rank)
			continue;
		MPI_OK(MPI_Irecv(&in[r], 1, MPI_INT64_T, r, 3, MPI_COMM_WORLD, &req[n++]));
		MPI_OK(MPI_Isend(&out, 1, MPI_INT64_T, r, 3, MPI_COMM_WORLD, &req[n++]));
	}
	MPI_OK(MPI_Waitall((int)n, req, MPI_STATUSES_IGNORE));
	for (int r = 0; r < mt_size; r++)
		CHECK(r == mt_rank || in[r] == r, "rank %d sent %lld", r, (long long)in[r]);
	free(in);
	free(req);
	MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
}

int main(int argc, char **argv)
{
	const char *which = getenv("MPI_BENCH");	/* pingpong,msgrate,allreduce */
	uint8_t *sbuf, *rbuf;

	mt_init(&argc, &argv, "bench");
	CHECK(mt_size >= 2, "needs at least 2 ranks");
	sbuf = malloc(MAX_PP);
	rbuf = malloc(MAX_PP);
	CHECK(sbuf && rbuf, "no memory");
	memset(rbuf, 0, MAX_PP);
	connect_all();
	if (!which || strstr(which, "pingpong"))
		pingpong(sbuf, rbuf);
	if (!which || strstr(which, "msgrate"))
		msgrate(sbuf, rbuf);
	if (!which || strstr(which, "allreduce"))
		allreduce();
	free(sbuf);
	free(rbuf);
	return mt_finish();
}
