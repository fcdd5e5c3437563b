/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The control region: BAR2 of every blade's doorbell function. */
#ifndef CHASSISD_CTRL_H
#define CHASSISD_CTRL_H

#include <stdint.h>

#include "pcv_chassis_hw.h"

struct pcv_ctrl {
	int fd;				/* memfd, sent to every blade */
	uint8_t *base;			/* PCV_HW_CTRL_SIZE bytes, MAP_SHARED */
	unsigned nr_blades;
	uint32_t generation[PCV_HW_MAX_BLADES];	/* kept across reconnects */
};

/* Create the memfd, map it and fill in the header. Returns 0 or -errno. */
int ctrl_create(struct pcv_ctrl *c, unsigned nr_blades, uint64_t ram_size,
		unsigned version_major, unsigned version_minor);
void ctrl_destroy(struct pcv_ctrl *c);

static inline struct pcv_hw_blade_regs *ctrl_blade(const struct pcv_ctrl *c, unsigned b)
{
	return (struct pcv_hw_blade_regs *)(c->base + PCV_HW_BLADE_BLOCK_OFF +
					    (size_t)b * PCV_HW_BLADE_BLOCK_SIZE);
}

/* Power-on reset of blade b's block: cleared, generation + 1, present.
 * Returns the new generation. */
uint32_t ctrl_power_on(struct pcv_ctrl *c, unsigned b);
/* Power-off: present = 0 first, then the block cleared (generation kept). */
void ctrl_power_off(struct pcv_ctrl *c, unsigned b);

#endif /* CHASSISD_CTRL_H */
