/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The emulated agent DMA engine, as a library.
 *
 * It works over an array of blade RAM mappings and the control region and
 * knows nothing about sockets, files or QEMU: the daemon feeds it presence
 * changes and kicks, the unit tests feed it plain buffers.  Everything it
 * reads from the control region or from guest RAM is treated as hostile:
 * values it must trust (nr_blades, RAM size, presence) are private copies.
 */
#ifndef CHASSISD_DMA_ENGINE_H
#define CHASSISD_DMA_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "pcv_chassis_hw.h"

enum pcv_dma_ring_state {
	PCV_DMA_RING_OFF = 0,		/* not latched (ENABLE clear or reset) */
	PCV_DMA_RING_RUNNING,		/* latched and valid */
	PCV_DMA_RING_STOPPED,		/* latched, but in ERR_CONFIG/ERR_INDEX */
};

struct pcv_dma_ring {
	enum pcv_dma_ring_state state;
	uint32_t latched_gen;		/* dma_config_gen at the last latch */
	uint64_t base;			/* latched ring base (own RAM) */
	uint64_t wb;			/* latched write-back address (own RAM) */
	uint32_t order;
	uint32_t size;			/* 1 << order descriptors */
	uint32_t cons;			/* consumer index, free running */
	uint32_t status;		/* dma_status as published */
	uint64_t desc_done, bytes_done, errors, irqs;
};

/* Callbacks; any may be NULL. */
struct pcv_dma_ops {
	/* Raise the blade's PCV_HW_VEC_DMA interrupt. */
	void (*irq)(void *arg, unsigned blade);
	/* A descriptor completed with an error status (for logging). */
	void (*desc_error)(void *arg, unsigned blade, uint32_t index,
			   const struct pcv_hw_dma_desc *desc, uint32_t status);
	/* The ring entered ERR_CONFIG or ERR_INDEX (for logging). */
	void (*ring_error)(void *arg, unsigned blade, uint32_t dma_status,
			   const char *why);
	/* The ring was latched (valid) or turned off (for verbose logging). */
	void (*ring_state)(void *arg, unsigned blade, const struct pcv_dma_ring *ring);
};

#define PCV_DMA_DEFAULT_BUDGET_DESC	64
#define PCV_DMA_DEFAULT_BUDGET_BYTES	(4ULL << 20)

struct pcv_dma_engine {
	unsigned nr_blades;
	uint64_t ram_size;
	uint8_t *ram[PCV_HW_MAX_BLADES];
	struct pcv_hw_blade_regs *regs[PCV_HW_MAX_BLADES];
	bool present[PCV_HW_MAX_BLADES];
	struct pcv_dma_ring ring[PCV_HW_MAX_BLADES];
	/* Work bound per blade per pass (fairness between blades). */
	unsigned budget_desc;
	uint64_t budget_bytes;
	unsigned next_first;		/* round-robin start blade */
	const struct pcv_dma_ops *ops;
	void *arg;
};

/*
 * ram[b] must map ram_size bytes for every b < nr_blades; ctrl maps the
 * PCV_HW_CTRL_SIZE control region.  All blades start absent.
 * Returns 0 or -EINVAL.
 */
int pcv_dma_init(struct pcv_dma_engine *e, unsigned nr_blades, uint64_t ram_size,
		 uint8_t *const ram[], void *ctrl, const struct pcv_dma_ops *ops, void *arg);

/*
 * Presence change of a blade: resets its engine state (ring unlatched,
 * counters zero).  The caller resets the register block itself.
 */
void pcv_dma_set_present(struct pcv_dma_engine *e, unsigned blade, bool present);

/*
 * One pass over every present blade, each bounded by the budget.  Returns
 * true if some blade still has work (call again soon).
 */
bool pcv_dma_run(struct pcv_dma_engine *e);

/* Cheap check (no side effects): would pcv_dma_run() find anything to do? */
bool pcv_dma_has_work(const struct pcv_dma_engine *e);

/* Run passes until no work is left (tests). Returns the number of passes. */
unsigned pcv_dma_run_until_idle(struct pcv_dma_engine *e);

const char *pcv_dma_status_name(uint32_t status);

#endif /* CHASSISD_DMA_ENGINE_H */
