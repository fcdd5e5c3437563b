// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Unit tests of the emulated DMA engine (the library, no sockets, no QEMU).
 *
 * Every blade RAM buffer sits between PROT_NONE guard pages, so any access
 * outside it faults; tests also compare whole-RAM snapshots to prove that
 * nothing outside a descriptor's target range changed.  The fuzz loop runs
 * random (mostly hostile) descriptors against an independent reference
 * model and compares every byte of every RAM after each batch.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dma_engine.h"
#include "tap.h"

#define NB		3
#define RAMSZ		(64u << 10)
#define PAGE		4096u

/* Ring used by most tests: blade 0, 16 descriptors at 0, write-back at 0x400. */
#define RING_BASE	0x0
#define RING_ORDER	4
#define RING_SIZE	(1u << RING_ORDER)
#define WB_ADDR		0x400
#define DATA		0x1000

/* ---------------------------------------------------------------------- */
/* Guarded memory.                                                         */

static uint8_t *guarded_alloc(size_t size)
{
	size_t total = size + 2 * PAGE;
	uint8_t *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	if (mprotect(p, PAGE, PROT_NONE) || mprotect(p + PAGE + size, PAGE, PROT_NONE))
		abort();
	return p + PAGE;
}

static void guarded_free(uint8_t *p, size_t size)
{
	munmap(p - PAGE, size + 2 * PAGE);
}

static void on_segv(int sig)
{
	static const char msg[] =
		"not ok - FATAL: fault (the engine touched memory outside a blade's RAM?)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	_exit(1);
}

/* ---------------------------------------------------------------------- */
/* Fixture.                                                                */

struct fix {
	unsigned nb;
	uint32_t ramsz;
	uint8_t *ram[PCV_HW_MAX_BLADES];
	uint8_t *ctrl;
	struct pcv_dma_engine e;
	unsigned irqs[PCV_HW_MAX_BLADES];
	unsigned desc_errors, ring_errors;
	uint32_t last_err_status;
	uint32_t ring_gen[PCV_HW_MAX_BLADES];
};

static void cb_irq(void *arg, unsigned b)
{
	struct fix *f = arg;

	f->irqs[b]++;
}

static void cb_desc_error(void *arg, unsigned b, uint32_t index,
			  const struct pcv_hw_dma_desc *d, uint32_t st)
{
	struct fix *f = arg;

	(void)b; (void)index; (void)d;
	f->desc_errors++;
	f->last_err_status = st;
}

static void cb_ring_error(void *arg, unsigned b, uint32_t sts, const char *why)
{
	struct fix *f = arg;

	(void)b; (void)sts; (void)why;
	f->ring_errors++;
}

static const struct pcv_dma_ops test_ops = {
	.irq = cb_irq, .desc_error = cb_desc_error, .ring_error = cb_ring_error,
};

static struct pcv_hw_blade_regs *regs(struct fix *f, unsigned b)
{
	return (struct pcv_hw_blade_regs *)(f->ctrl + PCV_HW_BLADE_BLOCK_OFF +
					    b * PCV_HW_BLADE_BLOCK_SIZE);
}

static void fix_init(struct fix *f, unsigned nb, uint32_t ramsz)
{
	unsigned b;

	memset(f, 0, sizeof(*f));
	f->nb = nb;
	f->ramsz = ramsz;
	for (b = 0; b < nb; b++)
		f->ram[b] = guarded_alloc(ramsz);
	f->ctrl = guarded_alloc(PCV_HW_CTRL_SIZE);
	if (pcv_dma_init(&f->e, nb, ramsz, f->ram, f->ctrl, &test_ops, f))
		abort();
	for (b = 0; b < nb; b++)
		pcv_dma_set_present(&f->e, b, true);
}

static void fix_fini(struct fix *f)
{
	unsigned b;

	for (b = 0; b < f->nb; b++)
		guarded_free(f->ram[b], f->ramsz);
	guarded_free(f->ctrl, PCV_HW_CTRL_SIZE);
}

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void wr32(void *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void wr64(void *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void ring_config(struct fix *f, unsigned b, uint64_t base, uint32_t order, uint64_t wb)
{
	struct pcv_hw_blade_regs *r = regs(f, b);

	wr32(&r->dma_ctrl, 0);
	pcv_dma_run_until_idle(&f->e);
	wr64(&r->dma_ring_base, base);
	wr32(&r->dma_ring_order, order);
	wr64(&r->dma_wb_addr, wb);
	wr32(&r->dma_prod, 0);
	wr32(&r->dma_config_gen, ++f->ring_gen[b]);
	wr32(&r->dma_ctrl, PCV_HW_DMA_CTRL_ENABLE);
}

struct d {
	uint16_t op, flags;
	uint32_t len;
	uint8_t sb, db;
	uint16_t r0;
	uint32_t r1;
	uint64_t src, dst, op0, op1, cookie;
	uint32_t r2;
};

static void encode(const struct d *x, struct pcv_hw_dma_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->opcode = htole16(x->op);
	d->flags = htole16(x->flags);
	d->len = htole32(x->len);
	d->src_blade = x->sb;
	d->dst_blade = x->db;
	d->reserved0 = htole16(x->r0);
	d->reserved1 = htole32(x->r1);
	d->src_addr = htole64(x->src);
	d->dst_addr = htole64(x->dst);
	d->operand0 = htole64(x->op0);
	d->operand1 = htole64(x->op1);
	d->cookie = htole64(x->cookie);
	d->status = htole32(PCV_HW_DMA_ST_PENDING);
	d->reserved2 = htole32(x->r2);
}

/* Post on blade b's ring (as configured by the test) without running. */
static uint8_t *post_at(struct fix *f, unsigned b, uint64_t base, uint32_t order, const struct d *x)
{
	struct pcv_hw_blade_regs *r = regs(f, b);
	uint32_t prod = rd32(&r->dma_prod);
	uint8_t *slot = f->ram[b] + base + (uint64_t)(prod & ((1u << order) - 1)) * 64;
	struct pcv_hw_dma_desc d;

	encode(x, &d);
	memcpy(slot, &d, sizeof(d));
	wr32(&r->dma_prod, prod + 1);
	return slot;
}

static uint8_t *post(struct fix *f, const struct d *x)
{
	return post_at(f, 0, RING_BASE, RING_ORDER, x);
}

static uint32_t slot_status(const uint8_t *slot)
{
	return rd32(slot + offsetof(struct pcv_hw_dma_desc, status));
}

/* Post one descriptor on blade 0, run, return its status. */
static uint32_t run1(struct fix *f, const struct d *x)
{
	uint8_t *slot = post(f, x);

	pcv_dma_run_until_idle(&f->e);
	return slot_status(slot);
}

/* Snapshots of all RAMs, to check that nothing else changed. */
struct snap {
	uint8_t *b[PCV_HW_MAX_BLADES];
};

static void snap_take(struct fix *f, struct snap *s)
{
	unsigned b;

	for (b = 0; b < f->nb; b++) {
		s->b[b] = malloc(f->ramsz);
		memcpy(s->b[b], f->ram[b], f->ramsz);
	}
}

static void snap_free(struct fix *f, struct snap *s)
{
	unsigned b;

	for (b = 0; b < f->nb; b++)
		free(s->b[b]);
}

/* Copy [addr, addr+len) of blade b from live RAM into the snapshot, i.e.
 * declare it "expected to change". */
static void snap_allow(struct fix *f, struct snap *s, unsigned b, uint64_t addr, uint64_t len)
{
	memcpy(s->b[b] + addr, f->ram[b] + addr, len);
}

static bool snap_same(struct fix *f, struct snap *s)
{
	unsigned b;

	for (b = 0; b < f->nb; b++)
		if (memcmp(s->b[b], f->ram[b], f->ramsz))
			return false;
	return true;
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void fill_all(struct fix *f, uint32_t seed)
{
	unsigned b;

	for (b = 0; b < f->nb; b++)
		fill_pattern(f->ram[b], f->ramsz, seed + b);
	/* keep the ring area of blade 0 clean */
	memset(f->ram[0] + RING_BASE, 0, RING_SIZE * 64);
}

/* ---------------------------------------------------------------------- */
/* Tests.                                                                  */

static void test_init_args(void)
{
	struct pcv_dma_engine e;
	uint8_t *ram[PCV_HW_MAX_BLADES] = { 0 };
	static uint8_t ctrl[PCV_HW_CTRL_SIZE];
	static uint8_t r0[4096];

	ram[0] = r0;
	ok(pcv_dma_init(&e, 0, 4096, ram, ctrl, NULL, NULL) < 0, "init rejects 0 blades");
	ok(pcv_dma_init(&e, 9, 4096, ram, ctrl, NULL, NULL) < 0, "init rejects 9 blades");
	ok(pcv_dma_init(&e, 2, 4096, ram, ctrl, NULL, NULL) < 0, "init rejects a missing RAM");
	ok(pcv_dma_init(&e, 1, 4096, ram, NULL, NULL, NULL) < 0, "init rejects a missing ctrl");
	ok(pcv_dma_init(&e, 1, 4096, ram, ctrl, NULL, NULL) == 0, "init accepts 1 blade");
}

static void test_latch_and_nop(void)
{
	struct fix f;
	struct pcv_hw_blade_regs *r;
	uint8_t *slot;

	fix_init(&f, NB, RAMSZ);
	r = regs(&f, 0);
	wr32(f.ram[0] + WB_ADDR, 0xdeadbeef);

	ok(!pcv_dma_has_work(&f.e), "idle engine has no work");
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	ok(pcv_dma_has_work(&f.e), "ENABLE before latch is work");
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED && rd32(&r->dma_cons) == 0 &&
	   rd32(f.ram[0] + WB_ADDR) == 0, "latch: status ENABLED, cons 0, wb written 0");
	ok(!pcv_dma_has_work(&f.e), "latched idle ring has no work");

	slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .cookie = 0x1234 });
	ok(pcv_dma_has_work(&f.e), "posted descriptor is work");
	pcv_dma_run_until_idle(&f.e);
	ok(slot_status(slot) == PCV_HW_DMA_ST_OK && rd32(&r->dma_cons) == 1 &&
	   rd32(f.ram[0] + WB_ADDR) == 1 && rd64(&r->dma_desc_done) == 1 &&
	   rd64(&r->dma_bytes_done) == 0 && rd64(&r->dma_errors) == 0 &&
	   rd64(slot + offsetof(struct pcv_hw_dma_desc, cookie)) == 0x1234,
	   "NOP completes: status OK, cons/wb 1, counters, cookie untouched");

	/* NOP ignores the fields it does not use. */
	ok(run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .len = 0xffffffff, .sb = 200, .db = 99,
				 .src = ~0ULL, .dst = ~0ULL }) == PCV_HW_DMA_ST_OK,
	   "NOP ignores len, blades and addresses");
	ok(run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .flags = PCV_HW_DMA_F_FENCE }) ==
	   PCV_HW_DMA_ST_OK, "F_FENCE accepted");
	fix_fini(&f);
}

static void test_absent_submitter(void)
{
	struct fix f;
	uint8_t *slot;

	fix_init(&f, NB, RAMSZ);
	pcv_dma_set_present(&f.e, 1, false);
	ring_config(&f, 1, RING_BASE, RING_ORDER, WB_ADDR);
	slot = post_at(&f, 1, RING_BASE, RING_ORDER, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	ok(!pcv_dma_has_work(&f.e), "absent blade's ring is not work");
	pcv_dma_run_until_idle(&f.e);
	ok(slot_status(slot) == PCV_HW_DMA_ST_PENDING && rd32(&regs(&f, 1)->dma_status) == 0,
	   "absent blade's ring is not executed");
	pcv_dma_set_present(&f.e, 1, true);
	pcv_dma_run_until_idle(&f.e);
	ok(slot_status(slot) == PCV_HW_DMA_ST_OK, "ring runs once the blade is present");
	fix_fini(&f);
}

static void test_copy(void)
{
	static const uint32_t sizes[] = { 1, 2, 3, 63, 64, 65, 4095, 4096, 4097, 30000 };
	struct fix f;
	unsigned i, pass = 0, total = 0;
	uint64_t bytes = 0;
	struct snap s;

	fix_init(&f, NB, RAMSZ);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned combo;

		for (combo = 0; combo < 4; combo++) {
			static const uint8_t sb[] = { 0, 1, 2, 1 }, db[] = { 1, 2, 0, 1 };
			uint64_t src = DATA + 7 * combo, dst = DATA + 1000 + 13 * combo;
			uint32_t st;
			bool good;

			if (sb[combo] == db[combo])
				dst = src + sizes[i] + 5;	/* same blade, disjoint */
			if (dst + sizes[i] > RAMSZ)
				dst = RAMSZ - sizes[i];
			if (sb[combo] == db[combo] && dst < src + sizes[i])
				continue;
			fill_all(&f, i * 7 + combo);
			snap_take(&f, &s);
			st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = sizes[i],
						  .sb = sb[combo], .db = db[combo], .src = src, .dst = dst });
			good = st == PCV_HW_DMA_ST_OK &&
			       !memcmp(f.ram[db[combo]] + dst, s.b[sb[combo]] + src, sizes[i]);
			snap_allow(&f, &s, db[combo], dst, sizes[i]);
			snap_allow(&f, &s, 0, RING_BASE, RING_SIZE * 64);
			snap_allow(&f, &s, 0, WB_ADDR, 4);
			good = good && snap_same(&f, &s);
			snap_free(&f, &s);
			total++;
			if (good) {
				pass++;
				bytes += sizes[i];
			} else {
				tap_diag("copy %u bytes %u:%#llx -> %u:%#llx failed (status %#x)",
					 sizes[i], sb[combo], (unsigned long long)src, db[combo],
					 (unsigned long long)dst, st);
			}
		}
	}
	ok(pass == total && total > 30, "COPY of %u sizes/blade pairs: data exact, nothing else touched",
	   total);
	ok(rd64(&regs(&f, 0)->dma_bytes_done) == bytes, "dma_bytes_done counts COPY bytes");

	/* The whole RAM of one blade into another. */
	fill_all(&f, 99);
	ok(run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = RAMSZ, .sb = 1, .db = 2 }) ==
	   PCV_HW_DMA_ST_OK && !memcmp(f.ram[1], f.ram[2], RAMSZ), "COPY of a whole RAM");

	/* Overlapping copies behave like memmove. */
	{
		uint8_t *ref = malloc(RAMSZ);
		bool good;

		fill_all(&f, 5);
		memcpy(ref, f.ram[1], RAMSZ);
		memmove(ref + DATA + 3, ref + DATA, 5000);
		good = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = 5000, .sb = 1, .db = 1,
					    .src = DATA, .dst = DATA + 3 }) == PCV_HW_DMA_ST_OK;
		ok(good && !memcmp(ref, f.ram[1], RAMSZ), "overlapping COPY forward (dst > src)");

		memcpy(ref, f.ram[1], RAMSZ);
		memmove(ref + DATA, ref + DATA + 5, 5000);
		good = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = 5000, .sb = 1, .db = 1,
					    .src = DATA + 5, .dst = DATA }) == PCV_HW_DMA_ST_OK;
		ok(good && !memcmp(ref, f.ram[1], RAMSZ), "overlapping COPY backward (dst < src)");

		memcpy(ref, f.ram[1], RAMSZ);
		memmove(ref + DATA + 1, ref + DATA, 2);
		good = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = 2, .sb = 1, .db = 1,
					    .src = DATA, .dst = DATA + 1 }) == PCV_HW_DMA_ST_OK;
		ok(good && !memcmp(ref, f.ram[1], RAMSZ), "overlapping 2-byte COPY keeps the last byte");
		free(ref);
	}
	fix_fini(&f);
}

static void test_write_imm(void)
{
	struct fix f;
	unsigned lens[] = { 1, 2, 4, 8 }, i, misalign, good = 0, total = 0;
	uint64_t v = 0x8877665544332211ULL;
	struct snap s;

	fix_init(&f, NB, RAMSZ);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);
	for (i = 0; i < 4; i++) {
		for (misalign = 0; misalign < 8; misalign += (lens[i] == 1 ? 8 : 1)) {
			uint64_t dst = DATA + 64 + misalign;
			uint8_t expect[8];
			unsigned k;
			uint32_t st;

			for (k = 0; k < 8; k++)
				expect[k] = (uint8_t)(v >> (8 * k));
			fill_all(&f, i + misalign);
			snap_take(&f, &s);
			st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .len = lens[i], .db = 2,
						  .dst = dst, .op0 = v, .sb = 77, .src = ~0ULL });
			total++;
			if (st == PCV_HW_DMA_ST_OK && !memcmp(f.ram[2] + dst, expect, lens[i])) {
				snap_allow(&f, &s, 2, dst, lens[i]);
				snap_allow(&f, &s, 0, RING_BASE, RING_SIZE * 64);
				snap_allow(&f, &s, 0, WB_ADDR, 4);
				if (snap_same(&f, &s))
					good++;
			}
			snap_free(&f, &s);
		}
	}
	ok(good == total, "WRITE_IMM 1/2/4/8 bytes, aligned and not: little-endian, nothing else "
	   "touched, src fields ignored (%u cases)", total);
	ok(run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 8, .db = 1, .dst = RAMSZ - 8,
				 .op0 = 42 }) == PCV_HW_DMA_ST_OK && rd64(f.ram[1] + RAMSZ - 8) == 42,
	   "WRITE_IMM into the last 8 bytes of RAM");
	ok(run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 1, .db = 1, .dst = RAMSZ - 1,
				 .op0 = 0x1ff }) == PCV_HW_DMA_ST_OK && f.ram[1][RAMSZ - 1] == 0xff,
	   "WRITE_IMM into the last byte of RAM");
	fix_fini(&f);
}

static void test_atomics(void)
{
	struct fix f;
	uint32_t st;

	fix_init(&f, NB, RAMSZ);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);

	wr64(f.ram[1] + DATA, 5);
	wr64(f.ram[0] + DATA + 8, 0xffff);
	st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1, .dst = DATA,
				   .sb = 0, .src = DATA + 8, .op0 = 10, .op1 = 777 });
	ok(st == PCV_HW_DMA_ST_OK && rd64(f.ram[1] + DATA) == 15 && rd64(f.ram[0] + DATA + 8) == 5,
	   "FETCH_ADD across blades: target += addend, old value to result");

	wr64(f.ram[2] + DATA, UINT64_MAX);
	st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 2, .dst = DATA,
				   .sb = 2, .src = DATA + 16, .op0 = 2 });
	ok(st == PCV_HW_DMA_ST_OK && rd64(f.ram[2] + DATA) == 1 &&
	   rd64(f.ram[2] + DATA + 16) == UINT64_MAX, "FETCH_ADD wraps modulo 2^64");

	wr64(f.ram[1] + DATA, 0x1111);
	st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 8, .db = 1, .dst = DATA,
				   .sb = 0, .src = DATA + 8, .op0 = 0x1111, .op1 = 0x2222 });
	ok(st == PCV_HW_DMA_ST_OK && rd64(f.ram[1] + DATA) == 0x2222 &&
	   rd64(f.ram[0] + DATA + 8) == 0x1111, "CMP_SWAP success: swapped, old to result");

	st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 8, .db = 1, .dst = DATA,
				   .sb = 0, .src = DATA + 8, .op0 = 0x1111, .op1 = 0x3333 });
	ok(st == PCV_HW_DMA_ST_OK && rd64(f.ram[1] + DATA) == 0x2222 &&
	   rd64(f.ram[0] + DATA + 8) == 0x2222, "CMP_SWAP failure: unchanged, current to result");

	wr64(f.ram[1] + RAMSZ - 8, 1);
	st = run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1,
				   .dst = RAMSZ - 8, .sb = 1, .src = RAMSZ - 8, .op0 = 1 });
	ok(st == PCV_HW_DMA_ST_OK && rd64(f.ram[1] + RAMSZ - 8) == 1,
	   "FETCH_ADD with result == target: result (old) written after the update");
	fix_fini(&f);
}

struct errcase {
	const char *name;
	struct d d;
	uint32_t status;
};

static void test_errors(void)
{
	const uint64_t R = RAMSZ;
	const struct errcase cases[] = {
		{ "opcode 5", { .op = 5, .len = 8 }, PCV_HW_DMA_ST_ERR_OPCODE },
		{ "opcode 0xffff", { .op = 0xffff }, PCV_HW_DMA_ST_ERR_OPCODE },
		{ "bad opcode beats reserved fields", { .op = 9, .r1 = 1 }, PCV_HW_DMA_ST_ERR_OPCODE },
		{ "unknown flag bit 2", { .op = PCV_HW_DMA_OP_COPY, .flags = 4, .len = 8, .db = 1 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "unknown flag bit 15", { .op = PCV_HW_DMA_OP_NOP, .flags = 0x8000 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "reserved0 set", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .db = 1, .r0 = 1 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "reserved1 set", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 8, .db = 1, .r1 = 0x80000000 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "reserved2 set", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1, .r2 = 1 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "reserved beats length", { .op = PCV_HW_DMA_OP_COPY, .len = 0, .r0 = 1 },
		  PCV_HW_DMA_ST_ERR_RESERVED },
		{ "COPY len 0", { .op = PCV_HW_DMA_OP_COPY, .len = 0, .db = 1 }, PCV_HW_DMA_ST_ERR_LEN },
		{ "COPY len MAX+1", { .op = PCV_HW_DMA_OP_COPY, .len = PCV_HW_DMA_MAX_LEN + 1, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "COPY len 0xffffffff", { .op = PCV_HW_DMA_OP_COPY, .len = 0xffffffff, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "WRITE_IMM len 0", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 0, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "WRITE_IMM len 3", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 3, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "WRITE_IMM len 16", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 16, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "FETCH_ADD len 4", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 4, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "CMP_SWAP len 16", { .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 16, .db = 1 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "length beats blade", { .op = PCV_HW_DMA_OP_COPY, .len = 0, .db = 200 },
		  PCV_HW_DMA_ST_ERR_LEN },
		{ "COPY src blade 3", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 3, .db = 1 },
		  PCV_HW_DMA_ST_ERR_BLADE },
		{ "COPY dst blade 255", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 0, .db = 255 },
		  PCV_HW_DMA_ST_ERR_BLADE },
		{ "WRITE_IMM dst blade 8", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 8, .db = 8 },
		  PCV_HW_DMA_ST_ERR_BLADE },
		{ "FETCH_ADD result blade 3", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .sb = 3, .db = 1 },
		  PCV_HW_DMA_ST_ERR_BLADE },
		{ "blade beats absent", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 2, .db = 3 },
		  PCV_HW_DMA_ST_ERR_BLADE },
		{ "COPY to absent blade", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 0, .db = 2,
					    .src = DATA, .dst = DATA }, PCV_HW_DMA_ST_ERR_ABSENT },
		{ "COPY from absent blade", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 2, .db = 1,
					      .src = DATA, .dst = DATA }, PCV_HW_DMA_ST_ERR_ABSENT },
		{ "WRITE_IMM to absent blade", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 4, .db = 2,
						 .dst = DATA }, PCV_HW_DMA_ST_ERR_ABSENT },
		{ "CMP_SWAP result to absent blade", { .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 8, .sb = 2,
						       .db = 1, .src = DATA, .dst = DATA },
		  PCV_HW_DMA_ST_ERR_ABSENT },
		{ "absent beats range", { .op = PCV_HW_DMA_OP_COPY, .len = 8, .sb = 0, .db = 2,
					  .dst = ~0ULL }, PCV_HW_DMA_ST_ERR_ABSENT },
		{ "COPY src at end of RAM", { .op = PCV_HW_DMA_OP_COPY, .len = 1, .db = 1, .src = R },
		  PCV_HW_DMA_ST_ERR_RANGE },
		{ "COPY dst one byte past the end", { .op = PCV_HW_DMA_OP_COPY, .len = 2, .db = 1,
						      .dst = R - 1 }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "COPY src address wraps 2^64", { .op = PCV_HW_DMA_OP_COPY, .len = 32, .db = 1,
						   .src = ~0ULL - 15 }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "COPY dst address 2^64-1", { .op = PCV_HW_DMA_OP_COPY, .len = 1, .db = 1,
					       .dst = ~0ULL }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "COPY len > RAM", { .op = PCV_HW_DMA_OP_COPY, .len = RAMSZ + 1, .db = 1 },
		  PCV_HW_DMA_ST_ERR_RANGE },
		{ "WRITE_IMM past the end", { .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 8, .db = 1,
					      .dst = R - 4 }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "FETCH_ADD target past the end", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1,
						     .dst = R }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "CMP_SWAP result past the end", { .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 8, .db = 1,
						    .dst = DATA, .src = ~0ULL - 7 },
		  PCV_HW_DMA_ST_ERR_RANGE },
		{ "range beats alignment", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1,
					     .dst = R - 4 }, PCV_HW_DMA_ST_ERR_RANGE },
		{ "FETCH_ADD target misaligned", { .op = PCV_HW_DMA_OP_FETCH_ADD, .len = 8, .db = 1,
						   .dst = DATA + 4, .src = DATA },
		  PCV_HW_DMA_ST_ERR_ALIGN },
		{ "CMP_SWAP result misaligned", { .op = PCV_HW_DMA_OP_CMP_SWAP, .len = 8, .db = 1,
						  .dst = DATA, .src = DATA + 1 },
		  PCV_HW_DMA_ST_ERR_ALIGN },
	};
	struct pcv_hw_blade_regs *r;
	struct fix f;
	unsigned i;

	fix_init(&f, NB, RAMSZ);
	r = regs(&f, 0);
	pcv_dma_set_present(&f.e, 2, false);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t errs = rd64(&r->dma_errors), bytes = rd64(&r->dma_bytes_done);
		unsigned irqs = f.irqs[0], derr = f.desc_errors;
		uint32_t cons = rd32(&r->dma_cons), st;
		struct snap s;
		uint8_t *slot;
		bool same;

		fill_all(&f, i);
		snap_take(&f, &s);
		slot = post(&f, &cases[i].d);
		pcv_dma_run_until_idle(&f.e);
		st = slot_status(slot);
		snap_allow(&f, &s, 0, RING_BASE, RING_SIZE * 64);
		snap_allow(&f, &s, 0, WB_ADDR, 4);
		same = snap_same(&f, &s);
		snap_free(&f, &s);
		ok(st == cases[i].status && same && rd64(&r->dma_errors) == errs + 1 &&
		   rd64(&r->dma_bytes_done) == bytes && rd32(&r->dma_cons) == cons + 1 &&
		   rd32(f.ram[0] + WB_ADDR) == cons + 1 && f.irqs[0] == irqs + 1 &&
		   f.desc_errors == derr + 1 && f.last_err_status == cases[i].status &&
		   rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED,
		   "%s -> %s (got %s), memory untouched, counted, interrupt raised, ring continues",
		   cases[i].name, pcv_dma_status_name(cases[i].status), pcv_dma_status_name(st));
	}
	fix_fini(&f);
}

static void test_irq(void)
{
	struct pcv_hw_blade_regs *r;
	struct fix f;
	uint8_t *s1, *s2, *s3;

	fix_init(&f, NB, RAMSZ);
	r = regs(&f, 0);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);

	run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	ok(f.irqs[0] == 0 && rd64(&r->dma_irqs) == 0, "no interrupt without F_IRQ");
	run1(&f, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .flags = PCV_HW_DMA_F_IRQ, .len = 4,
			      .db = 1, .dst = DATA, .op0 = 7 });
	ok(f.irqs[0] == 1 && rd64(&r->dma_irqs) == 1 && f.irqs[1] == 0,
	   "F_IRQ raises the submitter's interrupt, dma_irqs counts it");
	s1 = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .flags = PCV_HW_DMA_F_IRQ });
	s2 = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .flags = PCV_HW_DMA_F_IRQ });
	s3 = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .flags = PCV_HW_DMA_F_IRQ });
	pcv_dma_run_until_idle(&f.e);
	ok(slot_status(s1) == PCV_HW_DMA_ST_OK && slot_status(s2) == PCV_HW_DMA_ST_OK &&
	   slot_status(s3) == PCV_HW_DMA_ST_OK && f.irqs[0] == 2 && rd64(&r->dma_irqs) == 2,
	   "three F_IRQ completions in one pass coalesce into one interrupt");
	fix_fini(&f);
}

static void test_ring_config(void)
{
	const struct {
		const char *name;
		uint64_t base;
		uint32_t order;
		uint64_t wb;
	} bad[] = {
		{ "order 3", 0, 3, WB_ADDR },
		{ "order 13", 0, 13, WB_ADDR },
		{ "order 0xffffffff", 0, 0xffffffff, WB_ADDR },
		{ "base not 64-byte aligned", 0x20, 4, WB_ADDR },
		{ "ring runs past the end of RAM", RAMSZ - 512, 4, WB_ADDR },
		{ "base at the end of RAM", RAMSZ, 4, WB_ADDR },
		{ "base + size wraps 2^64", ~0ULL - 63, 4, WB_ADDR },
		{ "ring larger than RAM", 0, 12, WB_ADDR },	/* 256 KiB > 64 KiB */
		{ "wb not 4-byte aligned", 0, 4, WB_ADDR + 2 },
		{ "wb at the end of RAM", 0, 4, RAMSZ },
		{ "wb address wraps 2^64", 0, 4, ~0ULL - 3 },
	};
	struct pcv_hw_blade_regs *r;
	struct fix f;
	unsigned i;
	uint8_t *slot;

	fix_init(&f, NB, RAMSZ);
	r = regs(&f, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned irqs = f.irqs[0], rerr = f.ring_errors;
		struct snap s;
		bool same;

		fill_all(&f, 40 + i);
		ring_config(&f, 0, bad[i].base, bad[i].order, bad[i].wb);
		/* a NOP in the would-be slot 0 of a sane ring */
		slot = post_at(&f, 0, 0, 4, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 8,
						       .db = 1, .dst = DATA });
		snap_take(&f, &s);
		pcv_dma_run_until_idle(&f.e);
		same = snap_same(&f, &s);
		snap_free(&f, &s);
		ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ERR_CONFIG && same &&
		   slot_status(slot) == PCV_HW_DMA_ST_PENDING && f.ring_errors == rerr + 1 &&
		   f.irqs[0] == irqs + 1 && !pcv_dma_has_work(&f.e),
		   "ring config error (%s): ERR_CONFIG, nothing executed or written, interrupt",
		   bad[i].name);
	}
	/* Repair: a new config generation latches again. */
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED && slot_status(slot) == PCV_HW_DMA_ST_OK,
	   "a valid config with a new dma_config_gen recovers from ERR_CONFIG");

	/* Largest ring that fits exactly at the end of RAM. */
	ring_config(&f, 0, RAMSZ - (64u << 10), 10, RAMSZ - 4);
	slot = post_at(&f, 0, RAMSZ - (64u << 10), 10, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED && slot_status(slot) == PCV_HW_DMA_ST_OK &&
	   rd32(f.ram[0] + RAMSZ - 4) == 1, "ring and wb ending exactly at the end of RAM are valid");
	fix_fini(&f);
}

static void test_index(void)
{
	struct pcv_hw_blade_regs *r;
	struct fix f;
	unsigned i, good;
	uint8_t *slot;

	fix_init(&f, NB, RAMSZ);
	r = regs(&f, 0);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);

	/* prod one beyond a full ring */
	for (i = 0; i < RING_SIZE; i++)
		post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	wr32(&r->dma_prod, RING_SIZE + 1);
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ERR_INDEX && rd32(&r->dma_cons) == 0 &&
	   slot_status(f.ram[0]) == PCV_HW_DMA_ST_PENDING && f.ring_errors == 1 && f.irqs[0] == 1,
	   "prod more than ring size ahead: ERR_INDEX, nothing executed, interrupt");
	ok(!pcv_dma_has_work(&f.e), "stopped ring is not work");
	wr32(&r->dma_prod, 1);
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == PCV_HW_DMA_STS_ERR_INDEX && rd32(&r->dma_cons) == 0,
	   "ERR_INDEX is sticky until the ring is re-latched");
	wr32(&r->dma_prod, 0xffffffff);		/* "behind" cons is ahead by 2^32-1 */
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	for (i = 0; i < RING_SIZE; i++)
		post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP, .cookie = i });
	pcv_dma_run_until_idle(&f.e);
	for (i = 0, good = 0; i < RING_SIZE; i++)
		good += slot_status(f.ram[0] + i * 64) == PCV_HW_DMA_ST_OK;
	ok(good == RING_SIZE && rd32(&r->dma_cons) == RING_SIZE &&
	   rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED,
	   "re-latch recovers; a completely full ring (prod = cons + size) runs");

	/* wrap the ring several times */
	for (i = 0, good = 0; i < 5 * RING_SIZE; i++) {
		slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_WRITE_IMM, .len = 4, .db = 1,
					     .dst = DATA + 4 * (i % 64), .op0 = i });
		if ((i % 7) == 6 || i == 5 * RING_SIZE - 1)
			pcv_dma_run_until_idle(&f.e);
		(void)slot;
	}
	for (i = 0; i < 64; i++) {
		uint32_t last = (5 * RING_SIZE - 1) - ((5 * RING_SIZE - 1 - i) % 64);

		good += rd32(f.ram[1] + DATA + 4 * i) == last;
	}
	ok(good == 64 && rd32(&r->dma_cons) == 6 * RING_SIZE && rd32(f.ram[0] + WB_ADDR) == 6 * RING_SIZE,
	   "ring wraps: %u descriptors in order", 5 * RING_SIZE);

	/* 32-bit index wrap (engine state forced near 2^32) */
	f.e.ring[0].cons = 0xfffffffa;
	wr32(&r->dma_prod, 0xfffffffa);
	for (i = 0; i < 10; i++)
		post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_prod) == 4 && rd32(&r->dma_cons) == 4 && rd32(f.ram[0] + WB_ADDR) == 4 &&
	   rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED, "indices wrap modulo 2^32");

	/* disable / enable */
	wr32(&r->dma_ctrl, 0);
	ok(pcv_dma_has_work(&f.e), "clearing ENABLE is work");
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&r->dma_status) == 0, "clearing ENABLE: dma_status 0");
	slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	pcv_dma_run_until_idle(&f.e);
	ok(slot_status(slot) == PCV_HW_DMA_ST_PENDING, "disabled ring does not run");
	wr32(&r->dma_prod, 0);
	wr32(&r->dma_ctrl, PCV_HW_DMA_CTRL_ENABLE);
	slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	pcv_dma_run_until_idle(&f.e);
	ok(slot == f.ram[0] && slot_status(slot) == PCV_HW_DMA_ST_OK && rd32(&r->dma_cons) == 1 &&
	   rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED,
	   "re-enable re-latches (same config_gen): cons restarts at 0");

	/* presence reset */
	pcv_dma_set_present(&f.e, 0, false);
	pcv_dma_set_present(&f.e, 0, true);
	ok(f.e.ring[0].state == PCV_DMA_RING_OFF && f.e.ring[0].desc_done == 0,
	   "presence change resets the engine state of the blade");
	fix_fini(&f);
}

static void test_budget(void)
{
	struct fix f;
	unsigned i;

	fix_init(&f, NB, RAMSZ);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	ring_config(&f, 1, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);
	f.e.budget_desc = 4;
	for (i = 0; i < 10; i++) {
		post_at(&f, 0, RING_BASE, RING_ORDER, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
		post_at(&f, 1, RING_BASE, RING_ORDER, &(struct d){ .op = PCV_HW_DMA_OP_NOP });
	}
	ok(pcv_dma_run(&f.e) && rd32(&regs(&f, 0)->dma_cons) == 4 &&
	   rd32(&regs(&f, 1)->dma_cons) == 4, "descriptor budget: one pass runs 4 of each blade");
	ok(pcv_dma_run_until_idle(&f.e) == 2 && rd32(&regs(&f, 0)->dma_cons) == 10 &&
	   rd32(&regs(&f, 1)->dma_cons) == 10, "remaining work runs in later passes");

	f.e.budget_desc = 64;
	f.e.budget_bytes = 1000;
	for (i = 0; i < 6; i++)
		post(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = 600, .sb = 1, .db = 2,
				      .src = DATA, .dst = DATA });
	ok(pcv_dma_run(&f.e) && rd32(&regs(&f, 0)->dma_cons) == 12,
	   "byte budget: a pass stops once 1000 bytes are exceeded");
	pcv_dma_run_until_idle(&f.e);
	ok(rd32(&regs(&f, 0)->dma_cons) == 16, "byte-budgeted work completes");
	fix_fini(&f);
}

/* ---------------------------------------------------------------------- */
/* Ordering: the last destination byte and the status become visible only
 * after everything before them. */

#define BIG (8u << 20)

struct observer {
	volatile uint8_t *dst;
	const uint8_t *expect;
	volatile uint8_t *status;	/* status field of the descriptor */
	uint32_t len;
	volatile int go, done;
	int bad_last, bad_status;
};

static void *observer_thread(void *arg)
{
	struct observer *o = arg;

	while (!o->go)
		;
	/* Wait for the last byte, then everything else must be there. */
	while (o->dst[o->len - 1] != o->expect[o->len - 1])
		;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (memcmp((const void *)o->dst, o->expect, o->len))
		o->bad_last = 1;
	while (le32toh(__atomic_load_n((volatile uint32_t *)o->status, __ATOMIC_ACQUIRE)) !=
	       PCV_HW_DMA_ST_OK)
		;
	if (memcmp((const void *)o->dst, o->expect, o->len))
		o->bad_status = 1;
	o->done = 1;
	return NULL;
}

static void test_ordering(void)
{
	static const uint32_t lens[] = { 4096, 1u << 20, 6u << 20, 8u << 20 };
	struct fix f;
	unsigned it, bad_last = 0, bad_status = 0, runs = 0;

	fix_init(&f, 2, BIG);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	pcv_dma_run_until_idle(&f.e);
	for (it = 0; it < 12; it++) {
		uint32_t len = lens[it % 4];
		struct observer o = { 0 };
		pthread_t t;
		uint8_t *slot;

		/* keep clear of the ring at the start of blade 0 */
		if (len > BIG - 0x10000)
			len = BIG - 0x10000;
		/* the source's last byte differs from what the destination holds */
		fill_pattern(f.ram[1], len, 1000 + it);
		f.ram[1][len - 1] = (uint8_t)(0x5a + it);
		memset(f.ram[0] + (BIG - len), (uint8_t)(0xa5 + it), len);
		o.dst = f.ram[0] + (BIG - len);
		o.expect = f.ram[1];
		o.len = len;
		slot = post(&f, &(struct d){ .op = PCV_HW_DMA_OP_COPY, .len = len, .sb = 1, .db = 0,
					     .src = 0, .dst = BIG - len });
		o.status = slot + offsetof(struct pcv_hw_dma_desc, status);
		pthread_create(&t, NULL, observer_thread, &o);
		o.go = 1;
		usleep(1000);
		pcv_dma_run_until_idle(&f.e);
		pthread_join(t, NULL);
		bad_last += o.bad_last;
		bad_status += o.bad_status;
		runs++;
	}
	ok(runs == 12 && bad_last == 0, "COPY: when the last destination byte is seen, all data is "
	   "there (%u runs, 4 KiB..8 MiB, concurrent observer)", runs);
	ok(bad_status == 0, "COPY: when status OK is seen, all data is there");
	fix_fini(&f);
}

/* ---------------------------------------------------------------------- */
/* Hostile concurrent writer: a thread scribbles over the ring, the
 * descriptors and the blade's registers while the engine runs. */

struct scribbler {
	struct fix *f;
	volatile int stop;
	uint64_t writes;
};

static uint64_t xs64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void *scribble_thread(void *arg)
{
	struct scribbler *sc = arg;
	struct pcv_hw_blade_regs *r = regs(sc->f, 0);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	while (!sc->stop) {
		uint64_t x = xs64(&seed);
		volatile uint8_t *ring = sc->f->ram[0] + RING_BASE;

		switch (x % 64) {
		default:
			/* any byte of any descriptor */
			ring[(x >> 8) % (RING_SIZE * 64)] = (uint8_t)(x >> 40);
			break;
		case 48 ... 59:
			/* descriptor address fields */
			__atomic_store_n((uint64_t *)(sc->f->ram[0] + RING_BASE +
				((x >> 8) % RING_SIZE) * 64 + 16 + 8 * ((x >> 16) & 1)),
				xs64(&seed) % (2 * RAMSZ), __ATOMIC_RELAXED);
			break;
		case 60:
			__atomic_store_n((uint32_t *)&r->dma_prod, (uint32_t)(x >> 32), __ATOMIC_RELAXED);
			break;
		case 61: case 62:
			__atomic_store_n((uint64_t *)((x & 256) ? &r->dma_ring_base : &r->dma_wb_addr),
					 (x >> 9) % (2 * RAMSZ), __ATOMIC_RELAXED);
			break;
		case 63:
			__atomic_store_n((uint32_t *)((x & 256) ? &r->dma_config_gen : &r->dma_ring_order),
					 (uint32_t)(x >> 32) % 16, __ATOMIC_RELAXED);
			break;
		}
		sc->writes++;
	}
	return NULL;
}

static void test_hostile(void)
{
	struct scribbler sc = { 0 };
	struct timespec t0, t1;
	struct fix f;
	pthread_t t;
	uint64_t passes = 0;

	fix_init(&f, NB, RAMSZ);
	ring_config(&f, 0, RING_BASE, RING_ORDER, WB_ADDR);
	sc.f = &f;
	pthread_create(&t, NULL, scribble_thread, &sc);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct pcv_hw_blade_regs *r = regs(&f, 0);

		/* keep it enabled and give the engine work */
		__atomic_store_n((uint32_t *)&r->dma_ctrl, PCV_HW_DMA_CTRL_ENABLE, __ATOMIC_RELAXED);
		__atomic_store_n((uint32_t *)&r->dma_prod, (uint32_t)f.e.ring[0].cons + 8,
				 __ATOMIC_RELAXED);
		pcv_dma_run(&f.e);
		passes++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while ((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec) < 400000000LL);
	sc.stop = 1;
	pthread_join(t, NULL);
	ok(passes > 100 && sc.writes > 1000, "hostile concurrent writer: %llu engine passes, %llu "
	   "racing writes, %llu descriptors, no fault", (unsigned long long)passes,
	   (unsigned long long)sc.writes,
	   (unsigned long long)(f.e.ring[0].desc_done));
	fix_fini(&f);
}

/* ---------------------------------------------------------------------- */
/* Fuzz against a reference model.                                        */

struct model {
	unsigned nb;
	uint64_t ramsz;
	uint8_t *ram[PCV_HW_MAX_BLADES];
	bool present[PCV_HW_MAX_BLADES];
	uint64_t done, bytes, errors;
};

static uint64_t m_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void m_wr(uint8_t *p, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool m_in(const struct model *m, uint64_t a, uint64_t n)
{
	/* 128-bit arithmetic: simplest possible statement of "inside". */
	return (unsigned __int128)a + n <= m->ramsz;
}

/* Straightforward restatement of the datasheet's rules. */
static uint32_t model_exec(struct model *m, const uint8_t *desc)
{
	unsigned op = (unsigned)m_rd(desc, 2), flags = (unsigned)m_rd(desc + 2, 2);
	uint32_t len = (uint32_t)m_rd(desc + 4, 4);
	unsigned sb = desc[8], db = desc[9];
	uint64_t r0 = m_rd(desc + 10, 2), r1 = m_rd(desc + 12, 4), r2 = m_rd(desc + 60, 4);
	uint64_t src = m_rd(desc + 16, 8), dst = m_rd(desc + 24, 8);
	uint64_t o0 = m_rd(desc + 32, 8), o1 = m_rd(desc + 40, 8);
	bool need_src = op == 1 || op == 3 || op == 4;
	uint64_t slen = (op == 1) ? len : 8, old;

	if (op > 4)
		return 0x8001;
	if ((flags & ~3u) || r0 || r1 || r2)
		return 0x8002;
	if (op == 0)
		return 1;
	if ((op == 1 && (len < 1 || len > (1u << 24))) ||
	    (op == 2 && len != 1 && len != 2 && len != 4 && len != 8) ||
	    (op >= 3 && len != 8))
		return 0x8003;
	if ((need_src && sb >= m->nb) || db >= m->nb)
		return 0x8004;
	if ((need_src && !m->present[sb]) || !m->present[db])
		return 0x8005;
	if ((need_src && !m_in(m, src, slen)) || !m_in(m, dst, op == 1 ? len : (op == 2 ? len : 8)))
		return 0x8006;
	if (op >= 3 && ((src | dst) & 7))
		return 0x8007;
	switch (op) {
	case 1:
		memmove(m->ram[db] + dst, m->ram[sb] + src, len);
		m->bytes += len;
		break;
	case 2:
		m_wr(m->ram[db] + dst, len, o0);
		m->bytes += len;
		break;
	case 3:
	case 4:
		old = m_rd(m->ram[db] + dst, 8);
		if (op == 3)
			m_wr(m->ram[db] + dst, 8, old + o0);
		else if (old == o0)
			m_wr(m->ram[db] + dst, 8, o1);
		m_wr(m->ram[sb] + src, 8, old);
		m->bytes += 8;
		break;
	}
	return 1;
}

static uint64_t fz_addr(uint64_t *s, uint64_t len, bool atomic)
{
	uint64_t x = xs64(s), a;

	switch (x % 16) {
	case 0: a = RAMSZ - len + ((x >> 8) % 5) - 2; break;		/* around the end */
	case 1: a = ~0ULL - ((x >> 8) % 64); break;			/* wraps */
	case 2: a = xs64(s); break;					/* anything */
	case 3: a = RAMSZ + ((x >> 8) % 64); break;			/* just outside */
	case 4: a = (x >> 8) % 4; break;				/* start */
	default: a = (x >> 8) % RAMSZ; break;				/* inside */
	}
	if (atomic && (x & 0x70000))
		a &= ~7ULL;
	return a;
}

static void fz_desc(uint64_t *s, uint8_t *p)
{
	uint64_t x = xs64(s), y = xs64(s);
	unsigned op, flags, sb, db;
	uint32_t len;

	switch (x % 20) {
	case 0: op = 0; break;
	case 1: op = 5 + (unsigned)((x >> 8) % 0xfffb); break;
	case 2: case 3: case 4: case 5: case 6: case 7: case 8: op = 1; break;
	case 9: case 10: case 11: case 12: op = 2; break;
	case 13: case 14: case 15: op = 3; break;
	default: op = 4; break;
	}
	flags = (y % 10) ? (unsigned)(y >> 8) & 3 : (unsigned)(y >> 8) & 0xffff;
	switch (op) {
	case 1:
		switch ((y >> 24) % 8) {
		case 0: len = (uint32_t)xs64(s); break;
		case 1: len = 0; break;
		case 2: len = (uint32_t)(xs64(s) % (RAMSZ + 2)); break;
		default: len = (uint32_t)(1 + xs64(s) % 512); break;
		}
		break;
	case 2:
		len = ((y >> 24) % 8) ? 1u << ((y >> 28) % 4) : (uint32_t)((y >> 32) % 17);
		break;
	default:
		len = ((y >> 24) % 10) ? 8 : (uint32_t)((y >> 32) % 17);
		break;
	}
	sb = (x >> 20) % 16 ? (unsigned)((x >> 24) % NB) : (unsigned)((x >> 24) & 0xff);
	db = (x >> 32) % 16 ? (unsigned)((x >> 36) % NB) : (unsigned)((x >> 36) & 0xff);
	memset(p, 0, 64);
	m_wr(p, 2, op);
	m_wr(p + 2, 2, flags);
	m_wr(p + 4, 4, len);
	p[8] = (uint8_t)sb;
	p[9] = (uint8_t)db;
	if ((y >> 40) % 25 == 0)
		m_wr(p + 10, 2, 1 + (y >> 44) % 0xfffe);
	if ((y >> 40) % 25 == 1)
		m_wr(p + 12, 4, 1 + (y >> 44) % 0xfffe);
	if ((y >> 40) % 25 == 2)
		m_wr(p + 60, 4, 1 + (y >> 44) % 0xfffe);
	m_wr(p + 16, 8, fz_addr(s, op == 1 ? len : 8, op >= 3));
	m_wr(p + 24, 8, fz_addr(s, op == 1 ? len : (op == 2 ? len : 8), op >= 3));
	m_wr(p + 32, 8, (y & 1) ? xs64(s) : xs64(s) % 4);
	m_wr(p + 40, 8, xs64(s));
	m_wr(p + 48, 8, xs64(s));
	m_wr(p + 56, 4, (uint32_t)xs64(s));	/* status field: whatever software left */
}

static void test_fuzz(void)
{
	struct fix f;
	struct model m = { 0 };
	uint64_t seed = 20240601;
	unsigned round, b, descs = 0, mismatches = 0, status_mismatch = 0;
	unsigned max_rounds = 600, hist[8] = { 0 };

	fix_init(&f, NB, RAMSZ);
	m.nb = NB;
	m.ramsz = RAMSZ;
	for (b = 0; b < NB; b++) {
		m.ram[b] = malloc(RAMSZ);
		fill_pattern(f.ram[b], RAMSZ, 77 + b);
		memcpy(m.ram[b], f.ram[b], RAMSZ);
		m.present[b] = true;
	}
	for (round = 0; round < max_rounds; round++) {
		unsigned sub = (unsigned)(xs64(&seed) % 2);	/* submitter: 0 or 1 */
		uint32_t order = 4 + (uint32_t)(xs64(&seed) % 3);
		uint32_t rsize = 1u << order, k, n, i;
		uint64_t base = (xs64(&seed) % ((RAMSZ - (64u << order)) / 64 + 1)) * 64;
		uint64_t wb = (xs64(&seed) % (RAMSZ / 4)) * 4;
		struct pcv_hw_blade_regs *r = regs(&f, sub);
		uint64_t done0, bytes0, err0;

		/* blade 2 comes and goes (never the submitter) */
		if (xs64(&seed) % 8 == 0) {
			m.present[2] = !m.present[2];
			pcv_dma_set_present(&f.e, 2, m.present[2]);
		}
		f.e.budget_desc = 1 + (unsigned)(xs64(&seed) % 64);
		f.e.budget_bytes = 64 + xs64(&seed) % (8u << 10);

		/* (re)configure; the model mirrors the latch's wb = 0 */
		ring_config(&f, sub, base, order, wb);
		pcv_dma_run_until_idle(&f.e);
		m_wr(m.ram[sub] + wb, 4, 0);
		done0 = rd64(&r->dma_desc_done);
		bytes0 = rd64(&r->dma_bytes_done);
		err0 = rd64(&r->dma_errors);
		m.done = m.bytes = m.errors = 0;

		n = 1 + (uint32_t)(xs64(&seed) % rsize);
		for (k = 0; k < n; k++) {
			uint8_t d[64];

			fz_desc(&seed, d);
			memcpy(f.ram[sub] + base + (uint64_t)k * 64, d, 64);
			memcpy(m.ram[sub] + base + (uint64_t)k * 64, d, 64);
		}
		wr32(&r->dma_prod, n);
		pcv_dma_run_until_idle(&f.e);

		/* the model executes the same ring, reading each descriptor
		 * when it gets to it (earlier ones may have overwritten it) */
		for (i = 0; i < n; i++) {
			uint8_t *dp = m.ram[sub] + base + (uint64_t)i * 64, snapd[64];
			uint32_t st;

			memcpy(snapd, dp, 64);
			st = model_exec(&m, snapd);
			hist[st == 1 ? 0 : (st & 0xf)]++;
			m_wr(dp + 56, 4, st);
			m.done++;
			if (st != 1)
				m.errors++;
			m_wr(m.ram[sub] + wb, 4, i + 1);
		}
		descs += n;
		for (b = 0; b < NB; b++)
			if (memcmp(m.ram[b], f.ram[b], RAMSZ)) {
				unsigned j;

				for (j = 0; j < RAMSZ && m.ram[b][j] == f.ram[b][j]; j++)
					;
				if (mismatches < 5)
					tap_diag("fuzz round %u: blade %u differs from the model at 0x%x",
						 round, b, j);
				mismatches++;
				memcpy(m.ram[b], f.ram[b], RAMSZ);	/* resync */
			}
		if (rd64(&r->dma_desc_done) - done0 != m.done ||
		    rd64(&r->dma_bytes_done) - bytes0 != m.bytes ||
		    rd64(&r->dma_errors) - err0 != m.errors || rd32(&r->dma_cons) != n ||
		    rd32(&r->dma_status) != PCV_HW_DMA_STS_ENABLED) {
			if (status_mismatch < 5)
				tap_diag("fuzz round %u: counters differ (done %llu/%llu bytes %llu/%llu "
					 "errors %llu/%llu)", round,
					 (unsigned long long)(rd64(&r->dma_desc_done) - done0),
					 (unsigned long long)m.done,
					 (unsigned long long)(rd64(&r->dma_bytes_done) - bytes0),
					 (unsigned long long)m.bytes,
					 (unsigned long long)(rd64(&r->dma_errors) - err0),
					 (unsigned long long)m.errors);
			status_mismatch++;
		}
	}
	ok(mismatches == 0 && status_mismatch == 0,
	   "fuzz: %u random descriptors in %u rounds match the reference model byte for byte",
	   descs, max_rounds);
	tap_diag("fuzz statuses: OK %u, OPCODE %u, RESERVED %u, LEN %u, BLADE %u, ABSENT %u, "
		 "RANGE %u, ALIGN %u", hist[0], hist[1], hist[2], hist[3], hist[4], hist[5], hist[6],
		 hist[7]);
	ok(descs > 3000 && hist[0] > descs / 5, "fuzz ran more than 3000 descriptors (%u), "
	   "over a fifth of them valid", descs);
	for (b = 0; b < NB; b++)
		free(m.ram[b]);
	fix_fini(&f);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_segv };

	tap_init();
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	test_init_args();
	test_latch_and_nop();
	test_absent_submitter();
	test_copy();
	test_write_imm();
	test_atomics();
	test_errors();
	test_irq();
	test_ring_config();
	test_index();
	test_budget();
	test_ordering();
	test_hostile();
	test_fuzz();
	return tap_done();
}
