// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Blade RAM files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ram.h"

int ram_open(struct pcv_ram *r, const char *dir, unsigned nr_blades, uint64_t size)
{
	unsigned b;

	memset(r, 0, sizeof(*r));
	r->nr_blades = nr_blades;
	r->size = size;
	for (b = 0; b < PCV_HW_MAX_BLADES; b++)
		r->fd[b] = -1;

	for (b = 0; b < nr_blades; b++) {
		struct stat st;
		int fd;

		snprintf(r->path[b], sizeof(r->path[b]), "%s/blade%u.ram", dir, b);
		fd = open(r->path[b], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			logmsg("cannot open %s: %s", r->path[b], strerror(errno));
			goto fail;
		}
		r->fd[b] = fd;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			logmsg("%s is not a regular file", r->path[b]);
			goto fail;
		}
		/* One chassis per RAM file (QEMU itself takes no lock on it). */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			logmsg("%s is in use by another chassisd: %s", r->path[b], strerror(errno));
			goto fail;
		}
		/* Grow only: never shrink a file somebody may have mapped. */
		if ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) {
			logmsg("cannot size %s to %llu bytes: %s", r->path[b],
			       (unsigned long long)size, strerror(errno));
			goto fail;
		}
		r->map[b] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (r->map[b] == MAP_FAILED) {
			r->map[b] = NULL;
			logmsg("cannot map %s: %s", r->path[b], strerror(errno));
			goto fail;
		}
		/* Every blade starts powered off: its RAM reads as zero. */
		if (ram_zero(r, b) < 0)
			goto fail;
	}
	return 0;

fail:
	ram_close(r);
	return -1;
}

void ram_close(struct pcv_ram *r)
{
	unsigned b;

	for (b = 0; b < PCV_HW_MAX_BLADES; b++) {
		if (r->map[b])
			munmap(r->map[b], r->size);
		if (r->fd[b] >= 0)
			close(r->fd[b]);
		r->map[b] = NULL;
		r->fd[b] = -1;
	}
}

int ram_zero(struct pcv_ram *r, unsigned b)
{
	if (b >= r->nr_blades || r->fd[b] < 0)
		return -1;
	if (fallocate(r->fd[b], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      (off_t)r->size) == 0)
		return 0;
	/* File systems without hole punching: write zeros through the map. */
	logmsg("%s: hole punch failed (%s), zeroing by hand", r->path[b], strerror(errno));
	memset(r->map[b], 0, r->size);
	return 0;
}
