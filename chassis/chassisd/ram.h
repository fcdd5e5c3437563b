/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Blade RAM files: <ram-dir>/blade<B>.ram, mapped MAP_SHARED. */
#ifndef CHASSISD_RAM_H
#define CHASSISD_RAM_H

#include <stdint.h>

#include "pcv_chassis_hw.h"

struct pcv_ram {
	unsigned nr_blades;
	uint64_t size;
	int fd[PCV_HW_MAX_BLADES];
	uint8_t *map[PCV_HW_MAX_BLADES];
	char path[PCV_HW_MAX_BLADES][4096];
};

/* Open (creating or growing to `size` if needed), map and zero every RAM
 * file.  Returns 0, or -1 after logging why. */
int ram_open(struct pcv_ram *r, const char *dir, unsigned nr_blades, uint64_t size);
void ram_close(struct pcv_ram *r);
/* Power-off: the blade's RAM reads as zero (holes punched, size kept). */
int ram_zero(struct pcv_ram *r, unsigned b);

#endif /* CHASSISD_RAM_H */
