// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The emulated agent DMA engine.
 *
 * Model: one descriptor ring per blade, in that blade's own RAM.  The engine
 * latches the ring configuration, then executes descriptors strictly in
 * ring order.  Each descriptor is read from guest RAM exactly once (a
 * snapshot) and only the snapshot is validated and used, so a guest that
 * rewrites a descriptor while the engine works on it can only hurt itself.
 * Every address is checked against the private RAM size before any byte
 * moves; nothing outside [ram, ram + ram_size) of a named blade is touched.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dma_engine.h"
#include "hwio.h"

#define DESC_SIZE	sizeof(struct pcv_hw_dma_desc)

/* A decoded, host-order snapshot of one descriptor. */
struct desc_snap {
	uint16_t opcode, flags;
	uint32_t len;
	uint8_t src_blade, dst_blade;
	uint16_t reserved0;
	uint32_t reserved1;
	uint64_t src_addr, dst_addr, operand0, operand1, cookie;
	uint32_t status, reserved2;
};

static void read_desc(const uint8_t *p, struct desc_snap *d)
{
	const volatile uint64_t *w = (const volatile uint64_t *)p;
	uint64_t v[8];
	unsigned i;

	/* Exactly one read of each word; everything after uses the copy. */
	for (i = 0; i < 8; i++)
		v[i] = le64toh(w[i]);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);

	d->opcode = (uint16_t)v[0];
	d->flags = (uint16_t)(v[0] >> 16);
	d->len = (uint32_t)(v[0] >> 32);
	d->src_blade = (uint8_t)v[1];
	d->dst_blade = (uint8_t)(v[1] >> 8);
	d->reserved0 = (uint16_t)(v[1] >> 16);
	d->reserved1 = (uint32_t)(v[1] >> 32);
	d->src_addr = v[2];
	d->dst_addr = v[3];
	d->operand0 = v[4];
	d->operand1 = v[5];
	d->cookie = v[6];
	d->status = (uint32_t)v[7];
	d->reserved2 = (uint32_t)(v[7] >> 32);
}

/* Re-encode a snapshot in the wire layout (for the error callback). */
static void snap_to_desc(const struct desc_snap *s, struct pcv_hw_dma_desc *d)
{
	d->opcode = htole16(s->opcode);
	d->flags = htole16(s->flags);
	d->len = htole32(s->len);
	d->src_blade = s->src_blade;
	d->dst_blade = s->dst_blade;
	d->reserved0 = htole16(s->reserved0);
	d->reserved1 = htole32(s->reserved1);
	d->src_addr = htole64(s->src_addr);
	d->dst_addr = htole64(s->dst_addr);
	d->operand0 = htole64(s->operand0);
	d->operand1 = htole64(s->operand1);
	d->cookie = htole64(s->cookie);
	d->status = htole32(s->status);
	d->reserved2 = htole32(s->reserved2);
}

int pcv_dma_init(struct pcv_dma_engine *e, unsigned nr_blades, uint64_t ram_size,
		 uint8_t *const ram[], void *ctrl, const struct pcv_dma_ops *ops, void *arg)
{
	unsigned b;

	if (!e || nr_blades < 1 || nr_blades > PCV_HW_MAX_BLADES || ram_size < 64 ||
	    !ram || !ctrl)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->nr_blades = nr_blades;
	e->ram_size = ram_size;
	for (b = 0; b < nr_blades; b++) {
		if (!ram[b])
			return -EINVAL;
		e->ram[b] = ram[b];
		e->regs[b] = (struct pcv_hw_blade_regs *)((uint8_t *)ctrl +
			PCV_HW_BLADE_BLOCK_OFF + (size_t)b * PCV_HW_BLADE_BLOCK_SIZE);
	}
	e->budget_desc = PCV_DMA_DEFAULT_BUDGET_DESC;
	e->budget_bytes = PCV_DMA_DEFAULT_BUDGET_BYTES;
	e->ops = ops;
	e->arg = arg;
	return 0;
}

void pcv_dma_set_present(struct pcv_dma_engine *e, unsigned blade, bool present)
{
	if (blade >= e->nr_blades)
		return;
	e->present[blade] = present;
	memset(&e->ring[blade], 0, sizeof(e->ring[blade]));
}

const char *pcv_dma_status_name(uint32_t status)
{
	switch (status) {
	case PCV_HW_DMA_ST_PENDING:	return "PENDING";
	case PCV_HW_DMA_ST_OK:		return "OK";
	case PCV_HW_DMA_ST_ERR_OPCODE:	return "ERR_OPCODE";
	case PCV_HW_DMA_ST_ERR_RESERVED: return "ERR_RESERVED";
	case PCV_HW_DMA_ST_ERR_LEN:	return "ERR_LEN";
	case PCV_HW_DMA_ST_ERR_BLADE:	return "ERR_BLADE";
	case PCV_HW_DMA_ST_ERR_ABSENT:	return "ERR_ABSENT";
	case PCV_HW_DMA_ST_ERR_RANGE:	return "ERR_RANGE";
	case PCV_HW_DMA_ST_ERR_ALIGN:	return "ERR_ALIGN";
	default:			return "?";
	}
}

/* ---------------------------------------------------------------------- */
/* Register publication (chassis-owned fields of the blade block).         */

static void publish_status(struct pcv_dma_engine *e, unsigned b)
{
	hw_wr32(&e->regs[b]->dma_status, e->ring[b].status);
}

static void publish_progress(struct pcv_dma_engine *e, unsigned b)
{
	struct pcv_hw_blade_regs *r = e->regs[b];
	const struct pcv_dma_ring *ring = &e->ring[b];

	hw_wr64(&r->dma_desc_done, ring->desc_done);
	hw_wr64(&r->dma_bytes_done, ring->bytes_done);
	hw_wr64(&r->dma_errors, ring->errors);
	hw_wr32(&r->dma_cons, ring->cons);
}

static void raise_irq(struct pcv_dma_engine *e, unsigned b)
{
	e->ring[b].irqs++;
	hw_wr64(&e->regs[b]->dma_irqs, e->ring[b].irqs);
	if (e->ops && e->ops->irq)
		e->ops->irq(e->arg, b);
}

static void ring_fail(struct pcv_dma_engine *e, unsigned b, uint32_t sts, const char *why)
{
	struct pcv_dma_ring *ring = &e->ring[b];

	ring->state = PCV_DMA_RING_STOPPED;
	ring->status = sts;
	publish_status(e, b);
	if (e->ops && e->ops->ring_error)
		e->ops->ring_error(e->arg, b, sts, why);
	/* A sleeping driver must learn that its ring stopped. */
	raise_irq(e, b);
}

/* ---------------------------------------------------------------------- */
/* Ring configuration.                                                     */

/* [addr, addr + len) inside RAM, overflow-safe. */
static inline bool range_ok(const struct pcv_dma_engine *e, uint64_t addr, uint64_t len)
{
	return addr <= e->ram_size && len <= e->ram_size - addr;
}

static const char *ring_config_error(const struct pcv_dma_engine *e, uint64_t base,
				     uint32_t order, uint64_t wb)
{
	if (order < PCV_HW_DMA_RING_ORDER_MIN || order > PCV_HW_DMA_RING_ORDER_MAX)
		return "ring order out of range";
	if (base & (DESC_SIZE - 1))
		return "ring base not 64-byte aligned";
	if (!range_ok(e, base, (uint64_t)DESC_SIZE << order))
		return "ring outside RAM";
	if (wb & 3)
		return "write-back address not 4-byte aligned";
	if (!range_ok(e, wb, 4))
		return "write-back address outside RAM";
	return NULL;
}

static void latch(struct pcv_dma_engine *e, unsigned b, uint32_t gen)
{
	struct pcv_hw_blade_regs *r = e->regs[b];
	struct pcv_dma_ring *ring = &e->ring[b];
	uint64_t base, wb;
	uint32_t order;
	const char *why;

	/* dma_config_gen (or dma_ctrl) was read with acquire semantics, so the
	 * fields software wrote before bumping it are visible now. */
	base = hw_rd64(&r->dma_ring_base);
	wb = hw_rd64(&r->dma_wb_addr);
	order = hw_rd32(&r->dma_ring_order);

	ring->latched_gen = gen;
	ring->cons = 0;
	hw_wr32(&r->dma_cons, 0);
	why = ring_config_error(e, base, order, wb);
	if (why) {
		ring->base = ring->wb = 0;
		ring->order = ring->size = 0;
		ring_fail(e, b, PCV_HW_DMA_STS_ERR_CONFIG, why);
		return;
	}
	ring->base = base;
	ring->wb = wb;
	ring->order = order;
	ring->size = 1U << order;
	ring->state = PCV_DMA_RING_RUNNING;
	ring->status = PCV_HW_DMA_STS_ENABLED;
	hw_wr32(e->ram[b] + wb, 0);
	publish_status(e, b);
	if (e->ops && e->ops->ring_state)
		e->ops->ring_state(e->arg, b, ring);
}

/* ---------------------------------------------------------------------- */
/* Execution.                                                              */

static void do_copy(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	/* Read the last source byte first: with overlapping ranges the bulk
	 * copy may overwrite it. */
	uint8_t last = __atomic_load_n(src + len - 1, __ATOMIC_RELAXED);

	if (len > 1)
		memmove(dst, src, len - 1);
	/* Everything before the last byte is globally visible before it. */
	hw_full_fence();
	__atomic_store_n(dst + len - 1, last, __ATOMIC_RELAXED);
}

static void do_write_imm(uint8_t *dst, uint64_t addr, uint32_t len, uint64_t val)
{
	uint32_t i;

	/* Naturally aligned: one store, never torn. */
	if ((addr & (len - 1)) == 0) {
		switch (len) {
		case 1: hw_wr8(dst, (uint8_t)val); return;
		case 2: hw_wr16(dst, (uint16_t)val); return;
		case 4: hw_wr32(dst, (uint32_t)val); return;
		case 8: hw_wr64(dst, val); return;
		}
	}
	/* Unaligned: little-endian bytes, the last one last. */
	for (i = 0; i + 1 < len; i++)
		__atomic_store_n(dst + i, (uint8_t)(val >> (8 * i)), __ATOMIC_RELAXED);
	hw_full_fence();
	__atomic_store_n(dst + len - 1, (uint8_t)(val >> (8 * (len - 1))), __ATOMIC_RELAXED);
}

static uint64_t do_fetch_add(uint8_t *p, uint64_t addend)
{
	uint64_t *t = (uint64_t *)p;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __atomic_fetch_add(t, addend, __ATOMIC_SEQ_CST);
#else
	uint64_t old = __atomic_load_n(t, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(t, &old, htole64(le64toh(old) + addend), false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	return le64toh(old);
#endif
}

static uint64_t do_cmp_swap(uint8_t *p, uint64_t compare, uint64_t swap)
{
	uint64_t *t = (uint64_t *)p;
	uint64_t expected = htole64(compare);

	/* On failure `expected` receives the current value; on success it
	 * already holds it. */
	__atomic_compare_exchange_n(t, &expected, htole64(swap), false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return le64toh(expected);
}

/* Validation helpers: blade ids, then presence, then ranges. */
static inline bool blade_ok(const struct pcv_dma_engine *e, uint8_t b)
{
	return b < e->nr_blades;
}

static inline bool blade_present(const struct pcv_dma_engine *e, uint8_t b)
{
	return e->present[b];
}

/*
 * Validate the snapshot and execute it.  Returns the descriptor status;
 * *moved receives the payload bytes moved (0 on error).
 */
static uint32_t exec_desc(struct pcv_dma_engine *e, const struct desc_snap *d, uint64_t *moved)
{
	uint8_t sb = d->src_blade, db = d->dst_blade;
	uint64_t old;

	*moved = 0;
	if (d->opcode > PCV_HW_DMA_OP_MAX)
		return PCV_HW_DMA_ST_ERR_OPCODE;
	if ((d->flags & ~PCV_HW_DMA_F_ALL) || d->reserved0 || d->reserved1 || d->reserved2)
		return PCV_HW_DMA_ST_ERR_RESERVED;

	switch (d->opcode) {
	case PCV_HW_DMA_OP_NOP:
		return PCV_HW_DMA_ST_OK;

	case PCV_HW_DMA_OP_COPY:
		if (d->len == 0 || d->len > PCV_HW_DMA_MAX_LEN)
			return PCV_HW_DMA_ST_ERR_LEN;
		if (!blade_ok(e, sb) || !blade_ok(e, db))
			return PCV_HW_DMA_ST_ERR_BLADE;
		if (!blade_present(e, sb) || !blade_present(e, db))
			return PCV_HW_DMA_ST_ERR_ABSENT;
		if (!range_ok(e, d->src_addr, d->len) || !range_ok(e, d->dst_addr, d->len))
			return PCV_HW_DMA_ST_ERR_RANGE;
		do_copy(e->ram[db] + d->dst_addr, e->ram[sb] + d->src_addr, d->len);
		*moved = d->len;
		return PCV_HW_DMA_ST_OK;

	case PCV_HW_DMA_OP_WRITE_IMM:
		if (d->len != 1 && d->len != 2 && d->len != 4 && d->len != 8)
			return PCV_HW_DMA_ST_ERR_LEN;
		if (!blade_ok(e, db))
			return PCV_HW_DMA_ST_ERR_BLADE;
		if (!blade_present(e, db))
			return PCV_HW_DMA_ST_ERR_ABSENT;
		if (!range_ok(e, d->dst_addr, d->len))
			return PCV_HW_DMA_ST_ERR_RANGE;
		do_write_imm(e->ram[db] + d->dst_addr, d->dst_addr, d->len, d->operand0);
		*moved = d->len;
		return PCV_HW_DMA_ST_OK;

	case PCV_HW_DMA_OP_FETCH_ADD:
	case PCV_HW_DMA_OP_CMP_SWAP:
		if (d->len != 8)
			return PCV_HW_DMA_ST_ERR_LEN;
		if (!blade_ok(e, sb) || !blade_ok(e, db))
			return PCV_HW_DMA_ST_ERR_BLADE;
		if (!blade_present(e, sb) || !blade_present(e, db))
			return PCV_HW_DMA_ST_ERR_ABSENT;
		if (!range_ok(e, d->src_addr, 8) || !range_ok(e, d->dst_addr, 8))
			return PCV_HW_DMA_ST_ERR_RANGE;
		if ((d->src_addr & 7) || (d->dst_addr & 7))
			return PCV_HW_DMA_ST_ERR_ALIGN;
		if (d->opcode == PCV_HW_DMA_OP_FETCH_ADD)
			old = do_fetch_add(e->ram[db] + d->dst_addr, d->operand0);
		else
			old = do_cmp_swap(e->ram[db] + d->dst_addr, d->operand0, d->operand1);
		/* The target update is visible before the result. */
		hw_wr64(e->ram[sb] + d->src_addr, old);
		*moved = 8;
		return PCV_HW_DMA_ST_OK;
	}
	return PCV_HW_DMA_ST_ERR_OPCODE;	/* not reached */
}

/* Execute the descriptor at ring->cons.  Returns true if it asks for (or
 * deserves, by failing) an interrupt. */
static bool step(struct pcv_dma_engine *e, unsigned b, uint64_t *moved)
{
	struct pcv_dma_ring *ring = &e->ring[b];
	uint8_t *dp = e->ram[b] + ring->base + (uint64_t)(ring->cons & (ring->size - 1)) * DESC_SIZE;
	uint32_t index = ring->cons;
	struct desc_snap d;
	uint32_t st;

	read_desc(dp, &d);
	st = exec_desc(e, &d, moved);

	/* Data (and atomic results) globally visible before the status. */
	hw_full_fence();
	hw_wr32(dp + offsetof(struct pcv_hw_dma_desc, status), st);

	ring->cons++;
	ring->desc_done++;
	if (st == PCV_HW_DMA_ST_OK)
		ring->bytes_done += *moved;
	else
		ring->errors++;
	publish_progress(e, b);
	/* Status before the consumer index write-back. */
	hw_wr32(e->ram[b] + ring->wb, ring->cons);

	if (st != PCV_HW_DMA_ST_OK && e->ops && e->ops->desc_error) {
		struct pcv_hw_dma_desc copy;

		snap_to_desc(&d, &copy);
		e->ops->desc_error(e->arg, b, index, &copy, st);
	}
	return (d.flags & PCV_HW_DMA_F_IRQ) || st != PCV_HW_DMA_ST_OK;
}

/* Bring the ring state in line with dma_ctrl/dma_config_gen. Returns true
 * if the ring is running. */
static bool sync_config(struct pcv_dma_engine *e, unsigned b)
{
	struct pcv_hw_blade_regs *r = e->regs[b];
	struct pcv_dma_ring *ring = &e->ring[b];
	uint32_t ctrl = hw_rd32(&r->dma_ctrl);
	uint32_t gen;

	if (!(ctrl & PCV_HW_DMA_CTRL_ENABLE)) {
		if (ring->state != PCV_DMA_RING_OFF) {
			ring->state = PCV_DMA_RING_OFF;
			ring->status = 0;
			publish_status(e, b);
			if (e->ops && e->ops->ring_state)
				e->ops->ring_state(e->arg, b, ring);
		}
		return false;
	}
	gen = hw_rd32(&r->dma_config_gen);
	if (ring->state == PCV_DMA_RING_OFF || gen != ring->latched_gen)
		latch(e, b, gen);
	return ring->state == PCV_DMA_RING_RUNNING;
}

static bool run_blade(struct pcv_dma_engine *e, unsigned b)
{
	struct pcv_dma_ring *ring = &e->ring[b];
	uint32_t prod, avail, n = 0;
	uint64_t bytes = 0;
	bool irq = false;

	if (!sync_config(e, b))
		return false;
	/* Acquire: descriptors written before prod are visible. */
	prod = hw_rd32(&e->regs[b]->dma_prod);
	avail = prod - ring->cons;
	if (avail == 0)
		return false;
	if (avail > ring->size) {
		ring_fail(e, b, PCV_HW_DMA_STS_ERR_INDEX, "producer index ran ahead of the ring");
		return false;
	}
	while (avail && n < e->budget_desc && bytes < e->budget_bytes) {
		uint64_t moved;

		if (step(e, b, &moved))
			irq = true;
		bytes += moved ? moved : DESC_SIZE;
		avail--;
		n++;
	}
	if (irq)
		raise_irq(e, b);
	return avail != 0;
}

bool pcv_dma_run(struct pcv_dma_engine *e)
{
	unsigned i, first = e->next_first;
	bool more = false;

	for (i = 0; i < e->nr_blades; i++) {
		unsigned b = (first + i) % e->nr_blades;

		if (e->present[b] && run_blade(e, b))
			more = true;
	}
	e->next_first = (first + 1) % e->nr_blades;
	return more;
}

bool pcv_dma_has_work(const struct pcv_dma_engine *e)
{
	unsigned b;

	for (b = 0; b < e->nr_blades; b++) {
		const struct pcv_hw_blade_regs *r = e->regs[b];
		const struct pcv_dma_ring *ring = &e->ring[b];

		if (!e->present[b])
			continue;
		if (!(hw_rd32(&r->dma_ctrl) & PCV_HW_DMA_CTRL_ENABLE)) {
			if (ring->state != PCV_DMA_RING_OFF)
				return true;
			continue;
		}
		if (ring->state == PCV_DMA_RING_OFF ||
		    hw_rd32(&r->dma_config_gen) != ring->latched_gen)
			return true;
		if (ring->state == PCV_DMA_RING_RUNNING && hw_rd32(&r->dma_prod) != ring->cons)
			return true;
	}
	return false;
}

unsigned pcv_dma_run_until_idle(struct pcv_dma_engine *e)
{
	unsigned passes = 0;

	do
		passes++;
	while (pcv_dma_run(e));
	return passes;
}
