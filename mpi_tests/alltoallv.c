// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * alltoallv: MPI_Alltoallv with uneven blocks.  The size of the block from
 * rank s to rank d depends on (s, d, round): many small odd sizes, about a
 * third empty, and one pair (rank 0 to the last rank) of ~1 MiB, so one
 * transfer goes through the large-message protocol while the others are
 * eager.  Both sides lay their blocks out with gaps between them, and the
 * receiver places the blocks in reverse rank order; the gaps must come back
 * untouched.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_A2AV 1
#define FILL_BYTE 0xcc

static int block(int src, int dst, int round)
{
	if (src == 0 && dst == mt_size - 1)
		return (int)(1 * MiB) + round;
	if ((src + dst + round) % 3 == 0)
		return 0;
	return (src * 131 + dst * 71 + round * 17) % 5000 + 1;
}

/* Lay the blocks of counts[] out one after the other, in the order of
 * order[] (a permutation of ranks), with a gap of gap0 + 8 * k bytes before
 * the k-th block.  Returns the buffer length. */
static size_t layout(const int *counts, const int *order, int *displs, int gap0)
{
	size_t at = 0;
	int k;

	for (k = 0; k < mt_size; k++) {
		at += gap0 + 8 * k;
		displs[order[k]] = (int)at;
		at += counts[order[k]];
	}
	return at + gap0;	/* and a gap after the last block */
}

int main(int argc, char **argv)
{
	int *sc, *sd, *rc, *rd, *fwd, *rev, rounds, r, p, k;
	char *sbuf, *rbuf, w[96];
	size_t slen, rlen;

	mt_init(&argc, &argv, "alltoallv");
	sc = mt_alloc(mt_size * sizeof(int));
	sd = mt_alloc(mt_size * sizeof(int));
	rc = mt_alloc(mt_size * sizeof(int));
	rd = mt_alloc(mt_size * sizeof(int));
	fwd = mt_alloc(mt_size * sizeof(int));
	rev = mt_alloc(mt_size * sizeof(int));
	for (p = 0; p < mt_size; p++) {
		fwd[p] = p;
		rev[p] = mt_size - 1 - p;
	}
	rounds = mt_quick ? 4 : 40;

	mt_begin("uneven");
	for (r = 0; r < rounds; r++) {
		for (p = 0; p < mt_size; p++) {
			sc[p] = block(mt_rank, p, r);
			rc[p] = block(p, mt_rank, r);
		}
		slen = layout(sc, fwd, sd, 8 + r % 5);
		rlen = layout(rc, rev, rd, 16 + r % 7);
		sbuf = mt_alloc(slen);
		rbuf = mt_alloc(rlen);
		memset(sbuf, 0x11, slen);
		for (p = 0; p < mt_size; p++)
			mt_fill(sbuf + sd[p], sc[p], mt_seed(T_A2AV, mt_rank, p, r), 0);
		memset(rbuf, FILL_BYTE, rlen);

		MPI_OK(MPI_Alltoallv(sbuf, sc, sd, MPI_BYTE, rbuf, rc, rd, MPI_BYTE, MPI_COMM_WORLD));

		for (p = 0; p < mt_size; p++) {
			snprintf(w, sizeof(w), "round %d: block of %d bytes from rank %d at displacement %d",
				 r, rc[p], p, rd[p]);
			mt_verify(rbuf + rd[p], rc[p], mt_seed(T_A2AV, p, mt_rank, r), 0, w);
		}
		/* The gaps: before each block (in layout order) and after the last. */
		for (k = 0; k <= mt_size; k++) {
			size_t from = k == 0 ? 0 : (size_t)rd[rev[k - 1]] + rc[rev[k - 1]];
			size_t to = k == mt_size ? rlen : (size_t)rd[rev[k]];

			if (k < mt_size)
				snprintf(w, sizeof(w), "round %d: receive buffer, gap before the block from rank %d",
					 r, rev[k]);
			else
				snprintf(w, sizeof(w), "round %d: receive buffer, gap after the last block", r);
			mt_verify_byte(rbuf + from, to - from, FILL_BYTE, w);
		}
		free(sbuf);
		free(rbuf);
	}
	mt_end("uneven blocks (0 B..1 MiB), gapped displacements, %d rounds", rounds);
	free(sc);
	free(sd);
	free(rc);
	free(rd);
	free(fwd);
	free(rev);
	return mt_finish();
}
