// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Throughput of the emulated DMA engine on host buffers (no QEMU, no
 * sockets): descriptors per second and bytes per second per opcode/size.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "dma_engine.h"

#define RAMSZ		(128ULL << 20)
#define RING_ORDER	12
#define RING_SIZE	(1u << RING_ORDER)
#define RING_BASE	0
#define WB		(RING_SIZE * 64)

static uint8_t *ram[2], *ctrl;
static struct pcv_dma_engine e;

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct pcv_hw_blade_regs *regs(void)
{
	return (struct pcv_hw_blade_regs *)(ctrl + PCV_HW_BLADE_BLOCK_OFF);
}

static void bench(const char *name, uint16_t op, uint32_t len, uint64_t total_bytes,
		  unsigned max_desc)
{
	struct pcv_hw_blade_regs *r = regs();
	uint64_t t_engine = 0, done = 0, want;
	uint32_t prod = le32toh(r->dma_prod);
	uint64_t span = RAMSZ / 2;	/* src/dst halves, away from the ring */

	want = total_bytes ? total_bytes / len : max_desc;
	if (want > max_desc)
		want = max_desc;
	if (want < 16)
		want = 16;
	while (done < want) {
		unsigned batch = RING_SIZE, i;
		uint64_t t0;

		if (batch > want - done)
			batch = (unsigned)(want - done);
		for (i = 0; i < batch; i++) {
			struct pcv_hw_dma_desc *d = (struct pcv_hw_dma_desc *)(ram[0] + RING_BASE +
				(uint64_t)((prod + i) & (RING_SIZE - 1)) * 64);
			uint64_t off = ((done + i) * (len ? len : 8)) % (span - len - 8);

			memset(d, 0, sizeof(*d));
			d->opcode = htole16(op);
			d->len = htole32(len);
			d->src_blade = 0;
			d->dst_blade = 1;
			d->src_addr = htole64((span + off) & ~7ULL);
			d->dst_addr = htole64((span + off) & ~7ULL);
			d->operand0 = htole64(1);
		}
		prod += batch;
		__atomic_store_n(&r->dma_prod, htole32(prod), __ATOMIC_RELEASE);
		t0 = ns();
		pcv_dma_run_until_idle(&e);
		t_engine += ns() - t0;
		done += batch;
	}
	if (le64toh(r->dma_errors))
		printf("  (errors: %llu)\n", (unsigned long long)le64toh(r->dma_errors));
	printf("%-18s %9llu desc  %8.3f Mdesc/s  %9.1f ns/desc  %8.2f GB/s\n", name,
	       (unsigned long long)done, done / (t_engine / 1e3), (double)t_engine / done,
	       len ? (double)done * len / t_engine : 0.0);
}

int main(void)
{
	struct pcv_hw_blade_regs *r;
	unsigned b;

	for (b = 0; b < 2; b++) {
		ram[b] = mmap(NULL, RAMSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (ram[b] == MAP_FAILED)
			return 1;
		memset(ram[b], 1, RAMSZ);	/* fault everything in */
	}
	ctrl = calloc(1, PCV_HW_CTRL_SIZE);
	if (pcv_dma_init(&e, 2, RAMSZ, ram, ctrl, NULL, NULL))
		return 1;
	pcv_dma_set_present(&e, 0, true);
	pcv_dma_set_present(&e, 1, true);
	r = regs();
	r->dma_ring_base = htole64(RING_BASE);
	r->dma_ring_order = htole32(RING_ORDER);
	r->dma_wb_addr = htole64(WB);
	r->dma_config_gen = htole32(1);
	r->dma_ctrl = htole32(PCV_HW_DMA_CTRL_ENABLE);
	pcv_dma_run_until_idle(&e);

	printf("emulated DMA engine on host buffers (blade 0 -> blade 1, one thread)\n");
	bench("NOP", PCV_HW_DMA_OP_NOP, 0, 0, 400000);
	bench("WRITE_IMM 8", PCV_HW_DMA_OP_WRITE_IMM, 8, 0, 400000);
	bench("FETCH_ADD", PCV_HW_DMA_OP_FETCH_ADD, 8, 0, 400000);
	bench("CMP_SWAP", PCV_HW_DMA_OP_CMP_SWAP, 8, 0, 400000);
	bench("COPY 64 B", PCV_HW_DMA_OP_COPY, 64, 64ULL << 20, 400000);
	bench("COPY 256 B", PCV_HW_DMA_OP_COPY, 256, 64ULL << 20, 400000);
	bench("COPY 4 KiB", PCV_HW_DMA_OP_COPY, 4096, 1ULL << 30, 400000);
	bench("COPY 64 KiB", PCV_HW_DMA_OP_COPY, 65536, 2ULL << 30, 400000);
	bench("COPY 1 MiB", PCV_HW_DMA_OP_COPY, 1 << 20, 2ULL << 30, 400000);
	bench("COPY 16 MiB", PCV_HW_DMA_OP_COPY, 16 << 20, 2ULL << 30, 400000);
	return 0;
}
