// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stencil: a small application.  Jacobi iterations of the 2-D heat equation
 * (every interior point becomes the mean of its four neighbours) on a grid
 * with fixed boundary values, decomposed over a 2-D Cartesian process grid
 * (MPI_Dims_create/MPI_Cart_create; 1..N ranks).  Each iteration exchanges
 * one-cell halos with the four neighbours by MPI_Irecv/MPI_Isend/MPI_Waitall;
 * rows are contiguous, columns go as an MPI_Type_vector.
 *
 * Afterwards rank 0 gathers the field and runs the same computation alone.
 * The two must be bit-for-bit equal: every point is computed by the same
 * function with the same operands in the same order in both runs, and the
 * halo values are exact copies, so floating point rounding cannot differ --
 * any difference is a halo that arrived wrong, late or stale.  (The
 * Makefile turns off FMA contraction, which could otherwise round the two
 * inlined copies of sweep() differently on an FMA-capable -march.)
 * A global sum by MPI_Allreduce is also compared with the serial sum; there
 * the order of the additions differs, so it is compared to 1e-12 relative
 * (the sum of ~10^5 terms of similar magnitude loses far less than that).
 */
#include "common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grid values: boundary 100 on the top edge and 0 elsewhere, interior a
 * fixed integer pattern, so the start is the same for every decomposition. */
static double initial(int gi, int gj, int ny, int nx)
{
	if (gi == 0)
		return 100.0;
	if (gi == ny + 1 || gj == 0 || gj == nx + 1)
		return 0.0;
	return (double)((gi * 7 + gj * 13) % 17);
}

/* One Jacobi sweep over rows x cols interior points of an array with a
 * one-cell halo and row length ld.  Shared by the serial and parallel runs. */
static void sweep(const double *u, double *un, int rows, int cols, int ld)
{
	int i, j;

	for (i = 1; i <= rows; i++)
		for (j = 1; j <= cols; j++)
			un[i * ld + j] = 0.25 * ((u[(i - 1) * ld + j] + u[(i + 1) * ld + j]) +
						 (u[i * ld + j - 1] + u[i * ld + j + 1]));
}

/* Part idx of n points split into parts pieces: the first n % parts get one more. */
static void split(int n, int parts, int idx, int *start, int *len)
{
	*len = n / parts + (idx < n % parts);
	*start = idx * (n / parts) + (idx < n % parts ? idx : n % parts);
}

/* A (rows+2) x (cols+2) array holding global rows gi0-1.. and columns gj0-1.. */
static double *grid(int rows, int cols, int gi0, int gj0, int ny, int nx)
{
	double *u = mt_alloc((size_t)(rows + 2) * (cols + 2) * sizeof(double));
	int i, j;

	for (i = 0; i < rows + 2; i++)
		for (j = 0; j < cols + 2; j++)
			u[i * (cols + 2) + j] = initial(gi0 + i - 1, gj0 + j - 1, ny, nx);
	return u;
}

int main(int argc, char **argv)
{
	int ny, nx, iters, dims[2] = { 0, 0 }, periods[2] = { 0, 0 }, coords[2];
	int up, down, left, right, rows, cols, gi0, gj0, ld, it, i, j, p;
	double *u, *un, *t, *pack, sum = 0, gsum;
	MPI_Comm cart;
	MPI_Datatype column;
	MPI_Request rq[8];

	mt_init(&argc, &argv, "stencil");
	ny = mt_quick ? 96 : 384;
	nx = mt_quick ? 128 : 512;
	iters = mt_quick ? 100 : 500;

	mt_begin("jacobi");
	MPI_OK(MPI_Dims_create(mt_size, 2, dims));
	MPI_OK(MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart));
	/* reorder = 0: ranks in cart are those of MPI_COMM_WORLD. */
	MPI_OK(MPI_Cart_coords(cart, mt_rank, 2, coords));
	MPI_OK(MPI_Cart_shift(cart, 0, 1, &up, &down));
	MPI_OK(MPI_Cart_shift(cart, 1, 1, &left, &right));
	split(ny, dims[0], coords[0], &gi0, &rows);
	split(nx, dims[1], coords[1], &gj0, &cols);
	CHECK(rows > 0 && cols > 0, "empty block (%d x %d)", rows, cols);
	gi0++;	/* global index of the first interior row/column: 1-based */
	gj0++;
	ld = cols + 2;
	u = grid(rows, cols, gi0, gj0, ny, nx);
	un = grid(rows, cols, gi0, gj0, ny, nx);
	MPI_OK(MPI_Type_vector(rows, 1, ld, MPI_DOUBLE, &column));
	MPI_OK(MPI_Type_commit(&column));

	for (it = 0; it < iters; it++) {
		/* Halos from the neighbours (MPI_PROC_NULL at the edges of the
		 * grid, where the halo is the fixed boundary). */
		MPI_OK(MPI_Irecv(&u[1], cols, MPI_DOUBLE, up, 0, cart, &rq[0]));
		MPI_OK(MPI_Irecv(&u[(rows + 1) * ld + 1], cols, MPI_DOUBLE, down, 1, cart, &rq[1]));
		MPI_OK(MPI_Irecv(&u[ld], 1, column, left, 2, cart, &rq[2]));
		MPI_OK(MPI_Irecv(&u[ld + cols + 1], 1, column, right, 3, cart, &rq[3]));
		MPI_OK(MPI_Isend(&u[ld + 1], cols, MPI_DOUBLE, up, 1, cart, &rq[4]));
		MPI_OK(MPI_Isend(&u[rows * ld + 1], cols, MPI_DOUBLE, down, 0, cart, &rq[5]));
		MPI_OK(MPI_Isend(&u[ld + 1], 1, column, left, 3, cart, &rq[6]));
		MPI_OK(MPI_Isend(&u[ld + cols], 1, column, right, 2, cart, &rq[7]));
		MPI_OK(MPI_Waitall(8, rq, MPI_STATUSES_IGNORE));
		sweep(u, un, rows, cols, ld);
		t = u;
		u = un;
		un = t;
	}

	/* Gather the interior blocks on rank 0; it places them by the
	 * coordinates of their rank. */
	pack = mt_alloc((size_t)rows * cols * sizeof(double));
	for (i = 0; i < rows; i++)
		for (j = 0; j < cols; j++) {
			pack[i * cols + j] = u[(i + 1) * ld + j + 1];
			sum += pack[i * cols + j];
		}
	MPI_OK(MPI_Allreduce(&sum, &gsum, 1, MPI_DOUBLE, MPI_SUM, cart));
	if (mt_rank == 0) {
		int *cnt = mt_alloc(mt_size * sizeof(int)), *dsp = mt_alloc(mt_size * sizeof(int));
		double *blocks = mt_alloc((size_t)ny * nx * sizeof(double)), *ser, *ser2, ssum = 0;
		double *all = mt_alloc((size_t)ny * nx * sizeof(double));
		int at = 0, c[2], bi, bj, br, bc;

		for (p = 0; p < mt_size; p++) {
			MPI_OK(MPI_Cart_coords(cart, p, 2, c));
			split(ny, dims[0], c[0], &bi, &br);
			split(nx, dims[1], c[1], &bj, &bc);
			cnt[p] = br * bc;
			dsp[p] = at;
			at += cnt[p];
		}
		MPI_OK(MPI_Gatherv(pack, rows * cols, MPI_DOUBLE, blocks, cnt, dsp, MPI_DOUBLE, 0,
				   cart));
		for (p = 0; p < mt_size; p++) {
			MPI_OK(MPI_Cart_coords(cart, p, 2, c));
			split(ny, dims[0], c[0], &bi, &br);
			split(nx, dims[1], c[1], &bj, &bc);
			for (i = 0; i < br; i++)
				for (j = 0; j < bc; j++)
					all[(bi + i) * nx + bj + j] = blocks[dsp[p] + i * bc + j];
		}

		/* The serial run. */
		ser = grid(ny, nx, 1, 1, ny, nx);
		ser2 = grid(ny, nx, 1, 1, ny, nx);
		for (it = 0; it < iters; it++) {
			sweep(ser, ser2, ny, nx, nx + 2);
			t = ser;
			ser = ser2;
			ser2 = t;
		}
		for (i = 0; i < ny; i++)
			for (j = 0; j < nx; j++) {
				double want = ser[(i + 1) * (nx + 2) + j + 1], got = all[i * nx + j];

				ssum += want;
				CHECK(memcmp(&want, &got, sizeof(double)) == 0,
				      "point (%d, %d) of %d x %d after %d iterations: serial %.17g, parallel %.17g (%d x %d ranks)",
				      i, j, ny, nx, iters, want, got, dims[0], dims[1]);
			}
		CHECK(fabs(gsum - ssum) <= 1e-12 * fabs(ssum),
		      "global sum by MPI_Allreduce %.17g, serial %.17g", gsum, ssum);
		free(cnt);
		free(dsp);
		free(blocks);
		free(ser);
		free(ser2);
		free(all);
	} else {
		MPI_OK(MPI_Gatherv(pack, rows * cols, MPI_DOUBLE, NULL, NULL, NULL, MPI_DOUBLE, 0,
				   cart));
	}
	mt_end("jacobi %d x %d, %d iterations on %d x %d ranks == serial run", ny, nx, iters,
	       dims[0], dims[1]);
	MPI_OK(MPI_Type_free(&column));
	MPI_OK(MPI_Comm_free(&cart));
	free(u);
	free(un);
	free(pack);
	return mt_finish();
}
