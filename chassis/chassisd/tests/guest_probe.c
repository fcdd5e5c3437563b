// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * guest_probe: exercise the emulated fabric device from user space inside
 * a blade (QEMU guest), without any driver.  Needs root (sysfs resource
 * files, /proc/self/pagemap).  Not run by "make test": it is the manual
 * end-to-end check against a real QEMU.
 *
 *   guest_probe target          publish a buffer's physical address in
 *                               spad[0..2] and wait for blade 0 to fill it
 *   guest_probe burn SECONDS    busy loop printing iterations per second
 *                               (measures how much CPU the chassis leaves)
 *   guest_probe driver [N]      check the control region, measure N
 *                               kick-to-completion round trips, COPY into
 *                               the target blade, read it back through the
 *                               window, provoke ERR_RANGE
 *
 * Device addresses follow the chassis layout: doorbell function at slot
 * PCV_HW_DOORBELL_SLOT, window onto blade P at window_slot[me][P].
 */
#define _GNU_SOURCE
#include <endian.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pcv_chassis_hw.h"

#define SPAD_READY	0x59444552	/* "REDY" */
#define TARGET_LEN	4096

static uint8_t *ctrl;
static volatile uint32_t *bar0;
static unsigned me;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *map_resource(unsigned slot, unsigned bar, size_t len)
{
	char path[128];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/0000:00:%02x.0/resource%u", slot, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("mmap resource");
		exit(1);
	}
	return p;
}

static uint32_t rd32(const void *p)
{
	return le32toh(*(const volatile uint32_t *)p);
}

static void wr32(void *p, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*(volatile uint32_t *)p = htole32(v);
}

static void wr64(void *p, uint64_t v)
{
	*(volatile uint64_t *)p = htole64(v);
}

static struct pcv_hw_blade_regs *regs(unsigned b)
{
	return (struct pcv_hw_blade_regs *)(ctrl + PCV_HW_BLADE_BLOCK_OFF + b * PCV_HW_BLADE_BLOCK_SIZE);
}

/* A locked page and its guest-physical address. */
static uint8_t *phys_page(uint64_t *phys)
{
	uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
			  -1, 0);
	uint64_t ent;
	int fd;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 0, 4096);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (off_t)((uintptr_t)p / 4096) * 8) != 8 ||
	    !(ent & (1ULL << 63))) {
		fprintf(stderr, "pagemap lookup failed\n");
		exit(1);
	}
	close(fd);
	*phys = (ent & ((1ULL << 55) - 1)) * 4096;
	return p;
}

static void kick(void)
{
	/* ring the DMA engine: any vector of the engine peer */
	bar0[PCV_HW_REG_DOORBELL / 4] = PCV_HW_DOORBELL_VAL(PCV_HW_MAX_BLADES, 0);
}

static int open_device(void)
{
	struct pcv_hw_ctrl_hdr *h;

	bar0 = map_resource(PCV_HW_DOORBELL_SLOT, PCV_HW_BAR_REGS, 256);
	ctrl = map_resource(PCV_HW_DOORBELL_SLOT, PCV_HW_BAR_MEM, PCV_HW_CTRL_SIZE);
	h = (struct pcv_hw_ctrl_hdr *)ctrl;
	me = bar0[PCV_HW_REG_IVPOSITION / 4];
	printf("probe: IVPOSITION %u, magic %s, version %u.%u, %u blades, RAM %llu MiB, "
	       "engine peer %u, present %#x, generation %u\n", me,
	       le64toh(h->magic) == PCV_HW_CTRL_MAGIC ? "ok" : "BAD",
	       le16toh(h->version_major), le16toh(h->version_minor), le32toh(h->nr_blades),
	       (unsigned long long)(le64toh(h->ram_size) >> 20), le16toh(h->engine_peer),
	       rd32(&regs(me)->present), rd32(&regs(me)->generation));
	return le64toh(h->magic) == PCV_HW_CTRL_MAGIC && rd32(&regs(me)->present) == PCV_HW_PRESENT
	       ? 0 : -1;
}

static int target(void)
{
	uint64_t phys, t0 = now_ns();
	uint8_t *buf = phys_page(&phys);
	unsigned i;

	wr32(&regs(me)->spad[0], (uint32_t)phys);
	wr32(&regs(me)->spad[1], (uint32_t)(phys >> 32));
	wr32(&regs(me)->spad[2], SPAD_READY);
	printf("probe: target buffer at phys 0x%llx, waiting\n", (unsigned long long)phys);
	fflush(stdout);
	while (((volatile uint8_t *)buf)[TARGET_LEN - 1] != 0xa5) {
		if (now_ns() - t0 > 60000000000ULL) {
			printf("probe: TARGET TIMEOUT\n");
			return 1;
		}
		usleep(1000);
	}
	for (i = 0; i < TARGET_LEN - 1; i++)
		if (buf[i] != (uint8_t)(i * 13 + 7))
			break;
	printf("probe: TARGET %s (data from blade 0 arrived by DMA)\n",
	       i == TARGET_LEN - 1 ? "OK" : "CORRUPT");
	wr32(&regs(me)->spad[2], 0);
	return i == TARGET_LEN - 1 ? 0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t post_wait(uint8_t *ring, uint32_t *prod, struct pcv_hw_dma_desc *d)
{
	struct pcv_hw_dma_desc *slot = (struct pcv_hw_dma_desc *)(ring + (*prod & 15) * 64);
	uint64_t t0 = now_ns();
	uint32_t st;

	d->status = 0;
	memcpy(slot, d, sizeof(*d));
	++*prod;
	wr32(&regs(me)->dma_prod, *prod);
	kick();
	while ((st = rd32(&slot->status)) == PCV_HW_DMA_ST_PENDING)
		if (now_ns() - t0 > 5000000000ULL)
			return 0xffffffff;
	return st;
}

static int driver(unsigned iters)
{
	struct pcv_hw_blade_regs *r = regs(me);
	struct pcv_hw_ctrl_hdr *h = (struct pcv_hw_ctrl_hdr *)ctrl;
	uint64_t ring_phys, data_phys, *lat, t0, tphys;
	uint8_t *ring = phys_page(&ring_phys), *data = phys_page(&data_phys), *win;
	struct pcv_hw_dma_desc d;
	uint32_t prod = 0, st;
	unsigned i, peer = 1, fails = 0;

	/* program the ring: disable, configure, bump gen, enable, kick */
	wr32(&r->dma_ctrl, 0);
	kick();
	usleep(1000);
	wr64(&r->dma_ring_base, ring_phys);
	wr32(&r->dma_ring_order, 4);
	wr64(&r->dma_wb_addr, ring_phys + 1024);
	wr32(&r->dma_prod, 0);
	wr32(&r->dma_config_gen, rd32(&r->dma_config_gen) + 1);
	wr32(&r->dma_ctrl, PCV_HW_DMA_CTRL_ENABLE);
	kick();
	t0 = now_ns();
	while (rd32(&r->dma_status) != PCV_HW_DMA_STS_ENABLED && now_ns() - t0 < 2000000000ULL)
		;
	printf("probe: ring at phys 0x%llx, dma_status %#x\n", (unsigned long long)ring_phys,
	       rd32(&r->dma_status));
	if (rd32(&r->dma_status) != PCV_HW_DMA_STS_ENABLED)
		return 1;

	/* kick-to-completion latency: 8-byte WRITE_IMM into own RAM */
	lat = calloc(iters, sizeof(*lat));
	for (i = 0; i < iters; i++) {
		memset(&d, 0, sizeof(d));
		d.opcode = htole16(PCV_HW_DMA_OP_WRITE_IMM);
		d.len = htole32(8);
		d.dst_blade = (uint8_t)me;
		d.dst_addr = htole64(data_phys + 8);
		d.operand0 = htole64(i + 1);
		t0 = now_ns();
		st = post_wait(ring, &prod, &d);
		lat[i] = now_ns() - t0;
		if (st != PCV_HW_DMA_ST_OK || le64toh(*(volatile uint64_t *)(data + 8)) != i + 1)
			fails++;
	}
	qsort(lat, iters, sizeof(*lat), cmp_u64);
	printf("probe: %u x WRITE_IMM kick->status (guest spinning): median %.1f us, p90 %.1f us, "
	       "p99 %.1f us, min %.1f us, %u failures; wb %u\n", iters, lat[iters / 2] / 1e3,
	       lat[iters * 9 / 10] / 1e3, lat[iters * 99 / 100] / 1e3, lat[0] / 1e3, fails,
	       rd32(ring + 1024));

	/* error path */
	memset(&d, 0, sizeof(d));
	d.opcode = htole16(PCV_HW_DMA_OP_WRITE_IMM);
	d.len = htole32(8);
	d.dst_blade = (uint8_t)me;
	d.dst_addr = htole64(le64toh(h->ram_size));
	st = post_wait(ring, &prod, &d);
	printf("probe: WRITE_IMM past the end of RAM -> status %#x (%s)\n", st,
	       st == PCV_HW_DMA_ST_ERR_RANGE ? "ERR_RANGE as expected" : "WRONG");
	if (st != PCV_HW_DMA_ST_ERR_RANGE)
		fails++;

	/* COPY into the target blade once it has published its buffer */
	if (le32toh(h->nr_blades) < 2) {
		printf("probe: single blade, no peer test\n");
		return fails ? 1 : 0;
	}
	t0 = now_ns();
	while (rd32(&regs(peer)->spad[2]) != SPAD_READY) {
		if (now_ns() - t0 > 60000000000ULL) {
			printf("probe: peer never became ready\n");
			return 1;
		}
		usleep(10000);
	}
	tphys = rd32(&regs(peer)->spad[0]) | (uint64_t)rd32(&regs(peer)->spad[1]) << 32;
	for (i = 0; i < TARGET_LEN; i++)
		data[i] = (uint8_t)(i * 13 + 7);
	data[TARGET_LEN - 1] = 0xa5;
	memset(&d, 0, sizeof(d));
	d.opcode = htole16(PCV_HW_DMA_OP_COPY);
	d.len = htole32(TARGET_LEN);
	d.src_blade = (uint8_t)me;
	d.dst_blade = (uint8_t)peer;
	d.src_addr = htole64(data_phys);
	d.dst_addr = htole64(tphys);
	st = post_wait(ring, &prod, &d);
	printf("probe: COPY %u bytes blade %u -> blade %u phys 0x%llx: status %#x\n", TARGET_LEN, me,
	       peer, (unsigned long long)tphys, st);
	if (st != PCV_HW_DMA_ST_OK)
		fails++;

	/* read it back through the window onto the peer's RAM */
	win = map_resource(h->window_slot[me][peer], PCV_HW_BAR_MEM, le64toh(h->ram_size));
	printf("probe: window (slot 0x%x) readback %s\n", h->window_slot[me][peer],
	       memcmp((const void *)(win + tphys), data, TARGET_LEN) ? "MISMATCH" : "OK");
	if (memcmp((const void *)(win + tphys), data, TARGET_LEN))
		fails++;
	printf("probe: counters: desc_done %llu bytes_done %llu errors %llu\n",
	       (unsigned long long)le64toh(r->dma_desc_done),
	       (unsigned long long)le64toh(r->dma_bytes_done),
	       (unsigned long long)le64toh(r->dma_errors));
	wr32(&r->dma_ctrl, 0);
	kick();
	printf("probe: DRIVER %s\n", fails ? "FAILED" : "OK");
	return fails ? 1 : 0;
}

static int burn(unsigned seconds)
{
	uint64_t start = now_ns(), next = start + 1000000000ULL, n = 0;
	volatile uint64_t sink = 0;
	unsigned s = 0;

	while (s < seconds) {
		unsigned i;

		for (i = 0; i < 10000; i++)
			sink += i;
		n++;
		if (now_ns() >= next) {
			time_t t = time(NULL);

			printf("probe: burn %u: %llu kiter/s at %s", s, (unsigned long long)n * 10,
			       ctime(&t));
			n = 0;
			next += 1000000000ULL;
			s++;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "burn"))
		return burn((unsigned)atoi(argv[2]));
	if (argc < 2 || open_device() < 0) {
		fprintf(stderr, "usage: guest_probe target|driver [iterations] (device not usable?)\n");
		return 1;
	}
	if (!strcmp(argv[1], "target"))
		return target();
	return driver(argc > 2 ? (unsigned)atoi(argv[2]) : 2000);
}
