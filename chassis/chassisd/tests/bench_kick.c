// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Kick-to-completion latency of a real chassisd, seen by a fake blade:
 * post one 8-byte WRITE_IMM, ring the engine doorbell, wait for the
 * descriptor status (spinning) or for the VEC_DMA eventfd (sleeping).
 * Run for several --dma-spin-us values, with and without "think time"
 * between operations, and report the daemon's CPU time per operation.
 *
 * usage: bench_kick /path/to/chassisd [iterations]
 */
#define _GNU_SOURCE
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "pcv_chassis_hw.h"

#define NV	PCV_HW_NR_VECTORS
#define RAMSZ	(1u << 20)

struct blade {
	int sock, own[NV], engine[NV];
	uint8_t *ctrl, *ram;
};

static int recv_msg(int sock, int64_t *val, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	uint64_t le;
	struct iovec iov = { .iov_base = &le, .iov_len = 8 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	struct pollfd p = { .fd = sock, .events = POLLIN };

	*fd = -1;
	if (poll(&p, 1, 2000) != 1 || recvmsg(sock, &m, 0) != 8)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	*val = (int64_t)le64toh(le);
	return 0;
}

static int blade_connect(struct daemon *d, struct blade *b)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int64_t v;
	int fd, i, shm = -1, ne = 0, no = 0;
	char path[256];

	snprintf(a.sun_path, sizeof(a.sun_path), "%.90s/bell0.sock", d->sock_dir);
	b->sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(b->sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	for (i = 0; i < 3 + 2 * NV; i++) {
		if (recv_msg(b->sock, &v, &fd) < 0)
			return -1;
		if (v == -1)
			shm = fd;
		else if (v == PCV_HW_MAX_BLADES && fd >= 0)
			b->engine[ne++] = fd;
		else if (v == 0 && fd >= 0)
			b->own[no++] = fd;
	}
	if (shm < 0 || ne != NV || no != NV)
		return -1;
	b->ctrl = mmap(NULL, PCV_HW_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
	snprintf(path, sizeof(path), "%s/blade0.ram", d->ram_dir);
	fd = open(path, O_RDWR);
	b->ram = mmap(NULL, RAMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return b->ctrl == MAP_FAILED || b->ram == MAP_FAILED ? -1 : 0;
}

static uint64_t cpu_ns(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	for (i = 0; p && i < 12; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
		return 0;
	return (uint64_t)(ut + st) * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void busy_wait_ns(uint64_t t)
{
	uint64_t end = mono_ns() + t;

	while (mono_ns() < end)
		;
}

static void run(struct daemon *d, struct blade *b, const char *what, bool sleep_wait,
		uint64_t think_ns, unsigned iters)
{
	struct pcv_hw_blade_regs *r = (struct pcv_hw_blade_regs *)(b->ctrl + PCV_HW_BLADE_BLOCK_OFF);
	uint64_t *lat = calloc(iters, sizeof(uint64_t)), cpu0, t_all;
	uint32_t prod = le32toh(r->dma_prod);
	unsigned i;

	cpu0 = cpu_ns(d->pid);
	t_all = mono_ns();
	for (i = 0; i < iters; i++) {
		struct pcv_hw_dma_desc *desc =
			(struct pcv_hw_dma_desc *)(b->ram + (uint64_t)(prod & 15) * 64);
		uint64_t one = 1, t0, v;

		if (think_ns)
			busy_wait_ns(think_ns);
		memset(desc, 0, sizeof(*desc));
		desc->opcode = htole16(PCV_HW_DMA_OP_WRITE_IMM);
		desc->flags = htole16(sleep_wait ? PCV_HW_DMA_F_IRQ : 0);
		desc->len = htole32(8);
		desc->dst_blade = 0;
		desc->dst_addr = htole64(0x8000);
		desc->operand0 = htole64(i);
		prod++;
		t0 = mono_ns();
		__atomic_store_n(&r->dma_prod, htole32(prod), __ATOMIC_RELEASE);
		if (write(b->engine[0], &one, 8) != 8)
			break;
		if (sleep_wait) {
			struct pollfd p = { .fd = b->own[PCV_HW_VEC_DMA], .events = POLLIN };

			poll(&p, 1, 2000);
			if (read(b->own[PCV_HW_VEC_DMA], &v, 8) != 8)
				break;
		} else {
			while (__atomic_load_n(&desc->status, __ATOMIC_ACQUIRE) == 0)
				;
		}
		lat[i] = mono_ns() - t0;
	}
	t_all = mono_ns() - t_all;
	qsort(lat, iters, sizeof(*lat), cmp_u64);
	printf("  %-34s median %6.1f us  p90 %6.1f us  p99 %6.1f us  daemon CPU %5.1f us/op (%3.0f%%)\n",
	       what, lat[iters / 2] / 1e3, lat[iters * 9 / 10] / 1e3, lat[iters * 99 / 100] / 1e3,
	       (cpu_ns(d->pid) - cpu0) / 1e3 / iters, 100.0 * (cpu_ns(d->pid) - cpu0) / t_all);
	free(lat);
}

int main(int argc, char **argv)
{
	static const char *const spins[] = { "0", "20", "50", "200" };
	unsigned iters = argc > 2 ? (unsigned)atoi(argv[2]) : 3000, s;

	if (argc < 2) {
		fprintf(stderr, "usage: %s /path/to/chassisd [iterations]\n", argv[0]);
		return 2;
	}
	printf("kick-to-completion latency, fake blade on the host, %u iterations each\n", iters);
	for (s = 0; s < sizeof(spins) / sizeof(spins[0]); s++) {
		const char *extra[] = { "--dma-spin-us", spins[s], NULL };
		struct daemon d = { 0 };
		struct blade b;
		struct pcv_hw_blade_regs *r;
		uint64_t one = 1;

		if (daemon_start(&d, argv[1], 1, "1M", extra) < 0 || blade_connect(&d, &b) < 0) {
			fprintf(stderr, "cannot start/connect\n");
			harness_cleanup(&d);
			return 1;
		}
		r = (struct pcv_hw_blade_regs *)(b.ctrl + PCV_HW_BLADE_BLOCK_OFF);
		r->dma_ring_base = htole64(0);
		r->dma_ring_order = htole32(4);
		r->dma_wb_addr = htole64(0x4000);
		r->dma_config_gen = htole32(1);
		__atomic_store_n(&r->dma_ctrl, htole32(PCV_HW_DMA_CTRL_ENABLE), __ATOMIC_RELEASE);
		if (write(b.engine[0], &one, 8) != 8)
			return 1;
		usleep(10000);
		printf("--dma-spin-us %s\n", spins[s]);
		run(&d, &b, "back-to-back, spin on status", false, 0, iters);
		run(&d, &b, "back-to-back, sleep on VEC_DMA", true, 0, iters);
		run(&d, &b, "30 us think time, spin on status", false, 30000, iters);
		run(&d, &b, "100 us think time, spin on status", false, 100000, iters / 3);
		run(&d, &b, "1 ms think time, spin on status", false, 1000000, iters / 30);
		harness_cleanup(&d);
	}
	return 0;
}
