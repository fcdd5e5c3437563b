// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * p2p: point-to-point between every pair of ranks.
 *
 *   blocking ring      MPI_Send/MPI_Recv to the next rank, 0 B .. 8 MiB
 *   sendrecv pairs     MPI_Sendrecv with every rank (itself included)
 *   non-blocking       MPI_Isend/MPI_Irecv with every rank at once, Waitall
 *   outstanding        256 messages in flight per peer, distinct tags,
 *                      receives posted in the reverse order of the sends
 *   any-source         MPI_ANY_SOURCE/MPI_ANY_TAG receives; the status
 *                      (source, tag, MPI_Get_count) names the message, and
 *                      messages of one sender must arrive in order
 *
 * The sizes cross the eager/rendezvous thresholds of every transport, so
 * both protocols (and the transport's zero-copy path) are exercised.
 * --seconds N repeats the five for N seconds (a long job for fault tests).
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_RING = 1, T_SENDRECV, T_NONBLOCK, T_OUTSTANDING, T_ANY };

#define OUTSTANDING	256	/* messages in flight per peer */
#define ANY_MSGS	24	/* any-source messages per sender and receiver */

/* Repetitions of each size: many for small ones (where a race between
 * messages is likeliest), few for the large ones (where time goes). */
static int reps(size_t n)
{
	if (mt_quick)
		return n <= 64 * KiB ? 3 : 1;
	return n <= 64 * KiB ? 30 : n <= 1 * MiB ? 8 : 3;
}

static void what(char *buf, size_t len, int peer, size_t n, int it)
{
	snprintf(buf, len, "message from rank %d, %s, iteration %d", peer, mt_sz(n), it);
}

/*
 * Send/Recv around the ring.  A blocking send of a large message waits for
 * the matching receive, so even ranks send first and odd ranks receive first:
 * no cycle of waiting senders, whatever the ring length (with an odd length
 * the two adjacent even ranks are still broken up by the odd ones).
 */
static void test_ring(void)
{
	int next = (mt_rank + 1) % mt_size, prev = (mt_rank + mt_size - 1) % mt_size;
	/* One more byte than the largest message: it must stay untouched. */
	char *sbuf = mt_alloc(8 * MiB), *rbuf = mt_alloc(8 * MiB + 1), w[96];
	int s, it;

	mt_begin("blocking ring");
	if (mt_size == 1) {
		/* A blocking send to oneself of a rendezvous-sized message would
		 * never complete; sendrecv pairs covers self-sends. */
		mt_end("blocking ring skipped (1 rank)");
		free(sbuf);
		free(rbuf);
		return;
	}
	for (s = 0; s < mt_nsizes; s++) {
		size_t n = mt_sizes[s];

		for (it = 0; it < reps(n); it++) {
			MPI_Status st;
			int cnt;

			mt_fill(sbuf, n, mt_seed(T_RING, mt_rank, next, s * 1000 + it), 0);
			memset(rbuf, 0xa5, n + 1);
			if (mt_rank % 2 == 0) {
				MPI_OK(MPI_Send(sbuf, (int)n, MPI_BYTE, next, it, MPI_COMM_WORLD));
				MPI_OK(MPI_Recv(rbuf, (int)n, MPI_BYTE, prev, it, MPI_COMM_WORLD, &st));
			} else {
				MPI_OK(MPI_Recv(rbuf, (int)n, MPI_BYTE, prev, it, MPI_COMM_WORLD, &st));
				MPI_OK(MPI_Send(sbuf, (int)n, MPI_BYTE, next, it, MPI_COMM_WORLD));
			}
			MPI_Get_count(&st, MPI_BYTE, &cnt);
			CHECK((size_t)cnt == n, "from rank %d, %s: MPI_Get_count %d", prev, mt_sz(n), cnt);
			what(w, sizeof(w), prev, n, it);
			mt_verify(rbuf, n, mt_seed(T_RING, prev, mt_rank, s * 1000 + it), 0, w);
			/* Nothing written past the message. */
			mt_verify_byte(rbuf + n, 1, 0xa5, "byte after the message");
		}
	}
	mt_end("blocking ring %s..%s", mt_sz(mt_sizes[0]), mt_sz(mt_sizes[mt_nsizes - 1]));
	free(sbuf);
	free(rbuf);
}

/* Sendrecv with the rank d places ahead while receiving from the one d
 * behind, d = 0 (self) .. size-1: every ordered pair in size rounds. */
static void test_sendrecv(void)
{
	char *sbuf = mt_alloc(8 * MiB), *rbuf = mt_alloc(8 * MiB), w[96];
	int s, it, d;

	mt_begin("sendrecv pairs");
	for (s = 0; s < mt_nsizes; s++) {
		size_t n = mt_sizes[s];

		for (it = 0; it < (reps(n) + 1) / 2; it++) {
			for (d = 0; d < mt_size; d++) {
				int to = (mt_rank + d) % mt_size;
				int from = (mt_rank + mt_size - d) % mt_size;

				mt_fill(sbuf, n, mt_seed(T_SENDRECV, mt_rank, to, s * 1000 + it), 0);
				memset(rbuf, 0, n);
				MPI_OK(MPI_Sendrecv(sbuf, (int)n, MPI_BYTE, to, d,
						    rbuf, (int)n, MPI_BYTE, from, d,
						    MPI_COMM_WORLD, MPI_STATUS_IGNORE));
				what(w, sizeof(w), from, n, it);
				mt_verify(rbuf, n, mt_seed(T_SENDRECV, from, mt_rank, s * 1000 + it), 0, w);
			}
		}
	}
	mt_end("sendrecv all pairs %s..%s", mt_sz(mt_sizes[0]), mt_sz(mt_sizes[mt_nsizes - 1]));
	free(sbuf);
	free(rbuf);
}

/* Every rank exchanges one message with every rank at the same time: the
 * transport has size-1 concurrent large transfers in each direction. */
static void test_nonblock(void)
{
	size_t max = 8 * MiB;
	char *sbuf = mt_alloc(max * mt_size), *rbuf = mt_alloc(max * mt_size), w[96];
	MPI_Request *rq = mt_alloc(2 * mt_size * sizeof(*rq));
	int s, it, p;

	mt_begin("non-blocking");
	for (s = 0; s < mt_nsizes; s++) {
		size_t n = mt_sizes[s];

		for (it = 0; it < (reps(n) + 1) / 2; it++) {
			/* Receives first (the usual, expected-message path), except
			 * on odd iterations where the sends go first and the data
			 * may arrive unexpected. */
			int first_recv = it % 2 == 0;

			for (p = 0; p < mt_size; p++) {
				mt_fill(sbuf + p * max, n, mt_seed(T_NONBLOCK, mt_rank, p, s * 1000 + it), 0);
				memset(rbuf + p * max, 0, n);
			}
			for (p = 0; p < mt_size; p++) {
				if (first_recv)
					MPI_OK(MPI_Irecv(rbuf + p * max, (int)n, MPI_BYTE, p, it,
							 MPI_COMM_WORLD, &rq[mt_size + p]));
				MPI_OK(MPI_Isend(sbuf + p * max, (int)n, MPI_BYTE, p, it,
						 MPI_COMM_WORLD, &rq[p]));
			}
			if (!first_recv)
				for (p = 0; p < mt_size; p++)
					MPI_OK(MPI_Irecv(rbuf + p * max, (int)n, MPI_BYTE, p, it,
							 MPI_COMM_WORLD, &rq[mt_size + p]));
			MPI_OK(MPI_Waitall(2 * mt_size, rq, MPI_STATUSES_IGNORE));
			for (p = 0; p < mt_size; p++) {
				what(w, sizeof(w), p, n, it);
				mt_verify(rbuf + p * max, n,
					  mt_seed(T_NONBLOCK, p, mt_rank, s * 1000 + it), 0, w);
			}
		}
	}
	mt_end("non-blocking all pairs %s..%s", mt_sz(mt_sizes[0]),
	       mt_sz(mt_sizes[mt_nsizes - 1]));
	free(sbuf);
	free(rbuf);
	free(rq);
}

/* Size of message tag t between a pair: 0 .. ~6 KiB, so some are eager and
 * some are rendezvous on most transports, all mixed in one queue. */
static size_t out_size(int src, int dst, int t)
{
	return ((size_t)t * 97 + src * 31 + dst * 13) % (6 * KiB + 1);
}

/*
 * 256 Isends and 256 Irecvs per peer, tags 0..255.  The receives are posted
 * in reverse tag order, so tag matching (not arrival order) must place each
 * message in its buffer.
 */
static void test_outstanding(void)
{
	size_t slot = 6 * KiB + 1;
	size_t per = OUTSTANDING * slot;
	char *sbuf = mt_alloc(per * mt_size), *rbuf = mt_alloc(per * mt_size), w[96];
	MPI_Request *rq = mt_alloc(2 * OUTSTANDING * mt_size * sizeof(*rq));
	MPI_Status *st = mt_alloc(2 * OUTSTANDING * mt_size * sizeof(*st));
	int rounds = mt_quick ? 2 : 10, r, p, t, k = 0;

	mt_begin("outstanding");
	for (r = 0; r < rounds; r++) {
		k = 0;
		for (p = 0; p < mt_size; p++)
			for (t = OUTSTANDING - 1; t >= 0; t--)
				MPI_OK(MPI_Irecv(rbuf + p * per + t * slot, (int)slot, MPI_BYTE, p,
						 t, MPI_COMM_WORLD, &rq[k++]));
		for (p = 0; p < mt_size; p++)
			for (t = 0; t < OUTSTANDING; t++) {
				char *b = sbuf + p * per + t * slot;

				mt_fill(b, out_size(mt_rank, p, t),
					mt_seed(T_OUTSTANDING, mt_rank, p, r * 1000 + t), 0);
				MPI_OK(MPI_Isend(b, (int)out_size(mt_rank, p, t), MPI_BYTE, p, t,
						 MPI_COMM_WORLD, &rq[k++]));
			}
		MPI_OK(MPI_Waitall(k, rq, st));
		k = 0;
		for (p = 0; p < mt_size; p++)
			for (t = OUTSTANDING - 1; t >= 0; t--, k++) {
				size_t n = out_size(p, mt_rank, t);
				int cnt;

				MPI_Get_count(&st[k], MPI_BYTE, &cnt);
				CHECK(st[k].MPI_SOURCE == p && st[k].MPI_TAG == t && (size_t)cnt == n,
				      "receive of tag %d from rank %d: status says source %d tag %d, %d bytes (expected %zu)",
				      t, p, st[k].MPI_SOURCE, st[k].MPI_TAG, cnt, n);
				snprintf(w, sizeof(w), "message tag %d from rank %d, round %d", t, p, r);
				mt_verify(rbuf + p * per + t * slot, n,
					  mt_seed(T_OUTSTANDING, p, mt_rank, r * 1000 + t), 0, w);
			}
	}
	mt_end("%d outstanding per peer, distinct tags", OUTSTANDING);
	free(sbuf);
	free(rbuf);
	free(rq);
	free(st);
}

/* Any-source message i from src to dst: 0 B .. 128 KiB (eager and
 * rendezvous), tag 1000 + i so the tag also tells the order. */
static size_t any_size(int src, int dst, int i)
{
	static const size_t sz[] = { 0, 1, 7, 100, 1000, 4 * KiB, 9000, 33 * KiB, 128 * KiB };

	return sz[(i + src * 3 + dst) % (sizeof(sz) / sizeof(sz[0]))];
}

/*
 * Every rank sends ANY_MSGS messages to every rank; every rank receives
 * size * ANY_MSGS messages with MPI_ANY_SOURCE/MPI_ANY_TAG and must learn from
 * the status alone which message it got.  MPI does not let messages of one
 * sender overtake each other, so per source the tags must come in order.
 */
static void test_any(void)
{
	size_t max = 128 * KiB;
	char *sbuf = mt_alloc(max * ANY_MSGS * mt_size), *rbuf = mt_alloc(max), w[96];
	MPI_Request *rq = mt_alloc(ANY_MSGS * mt_size * sizeof(*rq));
	int *next = mt_alloc(mt_size * sizeof(int));
	int rounds = mt_quick ? 2 : 10, r, p, i, k;

	mt_begin("any-source");
	for (r = 0; r < rounds; r++) {
		k = 0;
		for (p = 0; p < mt_size; p++) {
			next[p] = 0;
			for (i = 0; i < ANY_MSGS; i++, k++) {
				char *b = sbuf + (size_t)k * max;

				mt_fill(b, any_size(mt_rank, p, i), mt_seed(T_ANY, mt_rank, p, r * 1000 + i), 0);
				MPI_OK(MPI_Isend(b, (int)any_size(mt_rank, p, i), MPI_BYTE, p, 1000 + i,
						 MPI_COMM_WORLD, &rq[k]));
			}
		}
		for (k = 0; k < ANY_MSGS * mt_size; k++) {
			MPI_Status st;
			int src, tag, cnt;

			memset(rbuf, 0x5a, max);
			MPI_OK(MPI_Recv(rbuf, (int)max, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG,
					MPI_COMM_WORLD, &st));
			src = st.MPI_SOURCE;
			tag = st.MPI_TAG;
			MPI_Get_count(&st, MPI_BYTE, &cnt);
			CHECK(src >= 0 && src < mt_size, "status: source %d", src);
			CHECK(tag == 1000 + next[src],
			      "from rank %d: tag %d, expected %d (messages of one sender overtook each other)",
			      src, tag, 1000 + next[src]);
			i = next[src]++;
			CHECK((size_t)cnt == any_size(src, mt_rank, i),
			      "message %d from rank %d: MPI_Get_count %d, expected %zu",
			      i, src, cnt, any_size(src, mt_rank, i));
			snprintf(w, sizeof(w), "any-source message %d from rank %d, round %d", i, src, r);
			mt_verify(rbuf, cnt, mt_seed(T_ANY, src, mt_rank, r * 1000 + i), 0, w);
			mt_verify_byte(rbuf + cnt, max - cnt, 0x5a, "receive buffer past the message");
		}
		MPI_OK(MPI_Waitall(ANY_MSGS * mt_size, rq, MPI_STATUSES_IGNORE));
		/* A rank done with this round must not send the next one's
		 * messages while others still receive this round's: with
		 * MPI_ANY_SOURCE they would be taken for this round's. */
		MPI_OK(MPI_Barrier(MPI_COMM_WORLD));
	}
	mt_end("MPI_ANY_SOURCE/MPI_ANY_TAG, %d messages per pair, status checked", ANY_MSGS);
	free(sbuf);
	free(rbuf);
	free(rq);
	free(next);
}

int main(int argc, char **argv)
{
	mt_init(&argc, &argv, "p2p");
	while (mt_again()) {
		test_ring();
		test_sendrecv();
		test_nonblock();
		test_outstanding();
		test_any();
	}
	return mt_finish();
}
