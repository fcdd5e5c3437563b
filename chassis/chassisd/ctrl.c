// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The control region: header and per-blade register blocks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "ctrl.h"
#include "hwio.h"

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		v = (uint32_t)(ts.tv_nsec ^ (ts.tv_sec << 20) ^ getpid());
	}
	return v;
}

int ctrl_create(struct pcv_ctrl *c, unsigned nr_blades, uint64_t ram_size,
		unsigned version_major, unsigned version_minor)
{
	struct pcv_hw_ctrl_hdr *h;
	unsigned b, p;
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (nr_blades < 1 || nr_blades > PCV_HW_MAX_BLADES)
		return -EINVAL;
	c->nr_blades = nr_blades;
	c->fd = memfd_create("pcv-chassis-ctrl", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (c->fd < 0)
		return -errno;
	if (ftruncate(c->fd, PCV_HW_CTRL_SIZE) < 0)
		goto fail;
	/* Nobody (a blade's QEMU included) may resize it under the others. */
	if (fcntl(c->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	c->base = mmap(NULL, PCV_HW_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->base == MAP_FAILED) {
		c->base = NULL;
		goto fail;
	}

	h = (struct pcv_hw_ctrl_hdr *)c->base;
	h->version_major = htole16((uint16_t)version_major);
	h->version_minor = htole16((uint16_t)version_minor);
	h->hdr_size = htole32(sizeof(*h));
	h->nr_blades = htole32(nr_blades);
	h->max_blades = htole32(PCV_HW_MAX_BLADES);
	h->ram_size = htole64(ram_size);
	h->blade_block_off = htole32(PCV_HW_BLADE_BLOCK_OFF);
	h->blade_block_size = htole32(PCV_HW_BLADE_BLOCK_SIZE);
	h->engine_peer = htole16(PCV_HW_MAX_BLADES);
	h->nr_vectors = htole16(PCV_HW_NR_VECTORS);
	h->chassis_id = htole32(random_u32());
	for (b = 0; b < PCV_HW_MAX_BLADES; b++)
		for (p = 0; p < PCV_HW_MAX_BLADES; p++)
			h->window_slot[b][p] = (b < nr_blades && p < nr_blades && p != b) ?
				PCV_HW_WINDOW_SLOT_BASE + p : PCV_HW_NO_SLOT;
	/* Magic last: a reader that sees it sees a complete header. */
	hw_wr64(&h->magic, PCV_HW_CTRL_MAGIC);
	return 0;

fail:
	err = -errno;
	ctrl_destroy(c);
	return err;
}

void ctrl_destroy(struct pcv_ctrl *c)
{
	if (c->base)
		munmap(c->base, PCV_HW_CTRL_SIZE);
	if (c->fd >= 0)
		close(c->fd);
	c->base = NULL;
	c->fd = -1;
}

uint32_t ctrl_power_on(struct pcv_ctrl *c, unsigned b)
{
	struct pcv_hw_blade_regs *r = ctrl_blade(c, b);

	memset(r, 0, sizeof(*r));
	c->generation[b]++;
	hw_wr32(&r->generation, c->generation[b]);
	hw_wr32(&r->present, PCV_HW_PRESENT);
	return c->generation[b];
}

void ctrl_power_off(struct pcv_ctrl *c, unsigned b)
{
	struct pcv_hw_blade_regs *r = ctrl_blade(c, b);

	hw_wr32(&r->present, 0);
	hw_full_fence();
	memset((uint8_t *)r + offsetof(struct pcv_hw_blade_regs, dma_status), 0,
	       sizeof(*r) - offsetof(struct pcv_hw_blade_regs, dma_status));
	hw_wr32(&r->generation, c->generation[b]);
}
