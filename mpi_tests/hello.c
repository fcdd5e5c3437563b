// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hello: the smallest launch test.  Each rank prints its rank, the size and
 * the host it runs on, so a launch over several blades shows where every
 * rank landed.  It uses none of common.c: it must work when nothing else does.
 * Arguments (run-all's --quick) are ignored.
 */
#include <stdio.h>
#include <mpi.h>

int main(int argc, char **argv)
{
	char host[MPI_MAX_PROCESSOR_NAME];
	int rank, size, len;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Get_processor_name(host, &len);
	printf("hello: rank %d of %d on %s\n", rank, size, host);
	fflush(stdout);
	/* A collective at the end: every rank reached MPI and can talk. */
	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0)
		printf("hello: all ok, %d ranks\n", size);
	MPI_Finalize();
	return 0;
}
