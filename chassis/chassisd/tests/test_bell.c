// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Tests of the real chassisd: the ivshmem-doorbell protocol as a QEMU
 * client sees it, the control region, presence/generation, the DMA engine
 * reached through the engine peer's doorbell, and the command line.
 *
 * usage: test_bell /path/to/chassisd
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "pcv_chassis_hw.h"
#include "tap.h"

#define RAM_SIZE	(1u << 20)
#define NV		PCV_HW_NR_VECTORS
#define ENGINE		PCV_HW_MAX_BLADES

static const char *bin;

/* ---------------------------------------------------------------------- */
/* A fake QEMU ivshmem-doorbell client.                                    */

struct client {
	int sock;
	int64_t id;
	int shm_fd;
	uint8_t *ctrl;
	int own[NV];				/* my receive eventfds */
	int peer[PCV_HW_MAX_BLADES + 1][NV];	/* eventfds to ring peers */
	unsigned npeer[PCV_HW_MAX_BLADES + 1];
};

static int bell_connect(const struct daemon *d, unsigned b)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%.90s/bell%u.sock", d->sock_dir, b) >=
	    sizeof(a.sun_path) || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1: got a message; 0: timeout; -1: EOF or error. */
static int recv_msg(int sock, int64_t *val, int *fd, int timeout_ms)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	uint64_t le;
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	if (n != sizeof(le))
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	*val = (int64_t)le64toh(le);
	return 1;
}

static void client_init(struct client *c)
{
	unsigned p, v;

	memset(c, 0, sizeof(*c));
	c->sock = c->shm_fd = -1;
	c->id = -1;
	for (v = 0; v < NV; v++)
		c->own[v] = -1;
	for (p = 0; p <= PCV_HW_MAX_BLADES; p++)
		for (v = 0; v < NV; v++)
			c->peer[p][v] = -1;
}

static void client_close(struct client *c)
{
	unsigned p, v;

	if (c->ctrl)
		munmap(c->ctrl, PCV_HW_CTRL_SIZE);
	if (c->sock >= 0)
		close(c->sock);
	if (c->shm_fd >= 0)
		close(c->shm_fd);
	for (v = 0; v < NV; v++)
		if (c->own[v] >= 0)
			close(c->own[v]);
	for (p = 0; p <= PCV_HW_MAX_BLADES; p++)
		for (v = 0; v < NV; v++)
			if (c->peer[p][v] >= 0)
				close(c->peer[p][v]);
	client_init(c);
}

/*
 * Connect as blade b and check the setup sequence exactly:
 * version 0, own id, -1 + shm fd, each expected peer (ascending, engine
 * last) x NV with fds, own id x NV with fds, then silence.
 */
static bool client_connect(struct client *c, const struct daemon *d, unsigned b,
			   const unsigned *peers, unsigned npeers, char *why, size_t wlen)
{
	int64_t v;
	int fd, r;
	unsigned i, k;

	client_init(c);
	c->sock = bell_connect(d, b);
	if (c->sock < 0) {
		snprintf(why, wlen, "connect failed");
		return false;
	}
	if (recv_msg(c->sock, &v, &fd, 2000) != 1 || v != 0 || fd >= 0) {
		snprintf(why, wlen, "first message is not version 0 without fd");
		return false;
	}
	if (recv_msg(c->sock, &v, &fd, 2000) != 1 || v != b || fd >= 0) {
		snprintf(why, wlen, "second message is not my id %u without fd (got %lld)", b,
			 (long long)v);
		return false;
	}
	c->id = v;
	if (recv_msg(c->sock, &v, &fd, 2000) != 1 || v != -1 || fd < 0) {
		snprintf(why, wlen, "third message is not -1 with the shm fd");
		return false;
	}
	c->shm_fd = fd;
	for (i = 0; i < npeers; i++) {
		for (k = 0; k < NV; k++) {
			r = recv_msg(c->sock, &v, &fd, 2000);
			if (r != 1 || v != peers[i] || fd < 0) {
				snprintf(why, wlen, "peer %u vector %u: got id %lld fd %d", peers[i], k,
					 (long long)v, fd);
				return false;
			}
			c->peer[peers[i]][k] = fd;
			c->npeer[peers[i]]++;
		}
	}
	for (k = 0; k < NV; k++) {
		r = recv_msg(c->sock, &v, &fd, 2000);
		if (r != 1 || v != b || fd < 0) {
			snprintf(why, wlen, "own vector %u: got id %lld fd %d", k, (long long)v, fd);
			return false;
		}
		c->own[k] = fd;
	}
	if (recv_msg(c->sock, &v, &fd, 100) != 0) {
		snprintf(why, wlen, "unexpected extra message %lld", (long long)v);
		return false;
	}
	c->ctrl = mmap(NULL, PCV_HW_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->shm_fd, 0);
	if (c->ctrl == MAP_FAILED) {
		c->ctrl = NULL;
		snprintf(why, wlen, "cannot map the control region");
		return false;
	}
	return true;
}

/* Expect a connect notification for peer p (NV messages with fds). */
static bool expect_peer_join(struct client *c, unsigned p)
{
	unsigned k;
	int64_t v;
	int fd;

	for (k = 0; k < NV; k++) {
		if (recv_msg(c->sock, &v, &fd, 2000) != 1 || v != p || fd < 0)
			return false;
		if (c->peer[p][k] >= 0)
			close(c->peer[p][k]);
		c->peer[p][k] = fd;
	}
	return true;
}

/* Nothing arrives for ms milliseconds. */
static bool expect_silence(struct client *c, int ms)
{
	int64_t v;
	int fd;

	return recv_msg(c->sock, &v, &fd, ms) == 0;
}

/* Value of an eventfd after waiting up to timeout_ms (0 if not rung). */
static uint64_t efd_wait(int efd, int timeout_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, timeout_ms) == 1 && read(efd, &v, sizeof(v)) == sizeof(v))
		return v;
	return 0;
}

static void efd_ring(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		tap_diag("eventfd write failed: %s", strerror(errno));
}

static struct pcv_hw_blade_regs *bregs(uint8_t *ctrl, unsigned b)
{
	return (struct pcv_hw_blade_regs *)(ctrl + PCV_HW_BLADE_BLOCK_OFF +
					    b * PCV_HW_BLADE_BLOCK_SIZE);
}

static uint32_t rd32(const void *p)
{
	return le32toh(__atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE));
}

static uint64_t rd64(const void *p)
{
	return le64toh(__atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE));
}

static void wr32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELEASE);
}

static void wr64(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELEASE);
}

static uint8_t *map_ram(const struct daemon *d, unsigned b)
{
	char path[256];
	uint8_t *p;
	int fd;

	snprintf(path, sizeof(path), "%s/blade%u.ram", d->ram_dir, b);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void put_desc(uint8_t *slot, uint16_t op, uint16_t flags, uint32_t len, uint8_t sb,
		     uint8_t db, uint64_t src, uint64_t dst, uint64_t op0)
{
	struct pcv_hw_dma_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = htole16(op);
	d.flags = htole16(flags);
	d.len = htole32(len);
	d.src_blade = sb;
	d.dst_blade = db;
	d.src_addr = htole64(src);
	d.dst_addr = htole64(dst);
	d.operand0 = htole64(op0);
	memcpy(slot, &d, sizeof(d));
}

static uint32_t desc_status(const uint8_t *slot)
{
	return rd32(slot + offsetof(struct pcv_hw_dma_desc, status));
}

static bool path_exists(const char *dir, const char *name)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

/* ---------------------------------------------------------------------- */

static void test_protocol(void)
{
	struct daemon d = { 0 };
	struct client a, b, extra;
	struct pcv_hw_ctrl_hdr *h;
	char why[256] = "";
	unsigned p, v, good;
	static const unsigned peers_a[] = { ENGINE }, peers_b[] = { 0, ENGINE };
	uint8_t *ram0, *ram1;
	struct stat st;
	int64_t val;
	int fd;

	if (!ok(daemon_start(&d, bin, 3, "1M", NULL) == 0, "chassisd starts (3 blades, 1 MiB) and "
		"prints 'chassisd ready'")) {
		harness_cleanup(&d);
		return;
	}
	ok(path_exists(d.sock_dir, "bell0.sock") && path_exists(d.sock_dir, "bell2.sock") &&
	   !path_exists(d.sock_dir, "bell3.sock") && path_exists(d.sock_dir, "netsw.sock"),
	   "one bell socket per blade and the switch socket exist");
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/blade2.ram", d.ram_dir);
		ok(stat(path, &st) == 0 && st.st_size == RAM_SIZE, "RAM files created at --ram-size");
	}

	/* --- blade 0 connects --- */
	ok(client_connect(&a, &d, 0, peers_a, 1, why, sizeof(why)),
	   "blade 0 setup: version 0, id 0, -1+shm fd, engine peer 8 x4, own id x4, nothing else%s%s",
	   why[0] ? ": " : "", why);
	ok(a.ctrl && fstat(a.shm_fd, &st) == 0 && st.st_size == PCV_HW_CTRL_SIZE,
	   "shared memory fd is the 64 KiB control region");
	if (!a.ctrl) {
		daemon_dump_log(&d);
		harness_cleanup(&d);
		return;
	}
	h = (struct pcv_hw_ctrl_hdr *)a.ctrl;
	ok(le64toh(h->magic) == PCV_HW_CTRL_MAGIC && le16toh(h->version_major) == 1 &&
	   le16toh(h->version_minor) == 0 && le32toh(h->hdr_size) == sizeof(*h),
	   "header: magic, version 1.0, hdr_size");
	ok(le32toh(h->nr_blades) == 3 && le32toh(h->max_blades) == 8 &&
	   le64toh(h->ram_size) == RAM_SIZE && le32toh(h->blade_block_off) == PCV_HW_BLADE_BLOCK_OFF &&
	   le32toh(h->blade_block_size) == PCV_HW_BLADE_BLOCK_SIZE &&
	   le16toh(h->engine_peer) == 8 && le16toh(h->nr_vectors) == 4,
	   "header: nr_blades, max_blades, ram_size, block layout, engine_peer, nr_vectors");
	for (good = 0, p = 0; p < 8; p++)
		for (v = 0; v < 8; v++) {
			uint8_t want = (p < 3 && v < 3 && p != v) ? PCV_HW_WINDOW_SLOT_BASE + v :
				PCV_HW_NO_SLOT;

			good += h->window_slot[p][v] == want;
		}
	ok(good == 64, "header: window_slot table (BASE + p, NO_SLOT on the diagonal and beyond "
	   "nr_blades)");
	{
		const uint64_t *res = (const uint64_t *)h->reserved;

		for (good = 0, p = 0; p < 8; p++)
			good += res[p] == 0;
		ok(good == 8, "header: reserved words zero");
	}
	ok(rd32(&bregs(a.ctrl, 0)->present) == PCV_HW_PRESENT &&
	   rd32(&bregs(a.ctrl, 0)->generation) == 1 && rd32(&bregs(a.ctrl, 1)->present) == 0 &&
	   rd32(&bregs(a.ctrl, 1)->generation) == 0,
	   "blade 0 present with generation 1; blade 1 absent, generation 0");

	/* --- blade 1 connects --- */
	ok(client_connect(&b, &d, 1, peers_b, 2, why, sizeof(why)),
	   "blade 1 setup: ..., peer 0 x4, engine 8 x4, own id 1 x4%s%s", why[0] ? ": " : "", why);
	ok(expect_peer_join(&a, 1), "blade 0 is told: peer 1 joined, with 4 eventfds");
	ok(efd_wait(a.own[PCV_HW_VEC_EVENT], 2000) >= 1, "blade 0's VEC_EVENT rings on the join");
	ok(efd_wait(b.own[PCV_HW_VEC_EVENT], 50) == 0, "the newcomer's own VEC_EVENT does not ring");
	ok(rd32(&bregs(b.ctrl, 1)->present) == PCV_HW_PRESENT &&
	   rd32(&bregs(b.ctrl, 1)->generation) == 1, "blade 1 present, generation 1");

	/* doorbell wiring: what each learned for a peer is that peer's own fd */
	for (good = 0, v = 0; v < NV; v++) {
		efd_ring(b.peer[0][v]);
		good += efd_wait(a.own[v], 1000) == 1;
		efd_ring(a.peer[1][v]);
		good += efd_wait(b.own[v], 1000) == 1;
	}
	ok(good == 2 * NV, "ringing peer P vector V reaches P's own eventfd V (all vectors, both "
	   "ways)");
	wr32(&bregs(a.ctrl, 0)->spad[5], 0xabcd1234);
	ok(rd32(&bregs(b.ctrl, 0)->spad[5]) == 0xabcd1234, "both blades share one control region");

	/* --- second connection for a connected blade is refused --- */
	client_init(&extra);
	extra.sock = bell_connect(&d, 0);
	ok(extra.sock >= 0 && recv_msg(extra.sock, &val, &fd, 2000) == -1,
	   "a second connection for blade 0 is closed without a message");
	client_close(&extra);
	ok(recv_msg(a.sock, &val, &fd, 100) == 0 && rd32(&bregs(a.ctrl, 0)->present) == PCV_HW_PRESENT,
	   "the refused connection does not disturb blade 0");

	/* --- the DMA engine through its doorbell --- */
	ram0 = map_ram(&d, 0);
	ram1 = map_ram(&d, 1);
	if (ok(ram0 && ram1, "RAM files can be mapped")) {
		struct pcv_hw_blade_regs *r = bregs(a.ctrl, 0);
		const uint64_t ring = 0x10000, wb = 0x20000, src = 0x30000, dst = 0x40000;
		unsigned i;

		for (i = 0; i < 5000; i++)
			ram0[src + i] = (uint8_t)(i * 7 + 1);
		wr64(&r->dma_ring_base, ring);
		wr32(&r->dma_ring_order, 4);
		wr64(&r->dma_wb_addr, wb);
		wr32(&r->dma_prod, 0);
		wr32(&r->dma_config_gen, 1);
		wr32(&r->dma_ctrl, PCV_HW_DMA_CTRL_ENABLE);
		put_desc(ram0 + ring, PCV_HW_DMA_OP_COPY, 0, 5000, 0, 1, src, dst, 0);
		put_desc(ram0 + ring + 64, PCV_HW_DMA_OP_WRITE_IMM, PCV_HW_DMA_F_IRQ, 8, 0, 1, 0,
			 dst + 8192, 0x1122334455667788ULL);
		wr32(&r->dma_prod, 2);
		efd_ring(a.peer[ENGINE][3]);	/* any vector of the engine peer */
		ok(efd_wait(a.own[PCV_HW_VEC_DMA], 2000) >= 1, "a kick on the engine doorbell runs "
		   "the ring; F_IRQ rings the submitter's VEC_DMA");
		ok(desc_status(ram0 + ring) == PCV_HW_DMA_ST_OK &&
		   desc_status(ram0 + ring + 64) == PCV_HW_DMA_ST_OK &&
		   !memcmp(ram1 + dst, ram0 + src, 5000) &&
		   rd64(ram1 + dst + 8192) == 0x1122334455667788ULL,
		   "COPY blade 0 -> blade 1 and WRITE_IMM landed in the RAM files");
		ok(rd32(ram0 + wb) == 2 && rd32(&r->dma_cons) == 2 && rd64(&r->dma_desc_done) == 2 &&
		   rd64(&r->dma_bytes_done) == 5008 && rd64(&r->dma_irqs) == 1 &&
		   rd32(&r->dma_status) == PCV_HW_DMA_STS_ENABLED,
		   "write-back, dma_cons and counters updated");
		ok(efd_wait(b.own[PCV_HW_VEC_DMA], 50) == 0, "the target blade's VEC_DMA does not ring");

		/* to an absent blade */
		put_desc(ram0 + ring + 128, PCV_HW_DMA_OP_WRITE_IMM, 0, 4, 0, 2, 0, 0, 1);
		wr32(&r->dma_prod, 3);
		efd_ring(b.peer[ENGINE][0]);	/* any blade's kick scans every ring */
		ok(efd_wait(a.own[PCV_HW_VEC_DMA], 2000) >= 1 &&
		   desc_status(ram0 + ring + 128) == PCV_HW_DMA_ST_ERR_ABSENT &&
		   rd64(&r->dma_errors) == 1, "descriptor to an absent blade: ERR_ABSENT, interrupt "
		   "(kicked from another blade's doorbell)");
		ok(daemon_log_has(&d, "ERR_ABSENT"), "descriptor error logged");

		/* ring config error */
		wr64(&r->dma_ring_base, RAM_SIZE);
		wr32(&r->dma_config_gen, 2);
		efd_ring(a.peer[ENGINE][1]);
		ok(efd_wait(a.own[PCV_HW_VEC_DMA], 2000) >= 1 &&
		   rd32(&r->dma_status) == PCV_HW_DMA_STS_ERR_CONFIG &&
		   daemon_log_has(&d, "ERR_CONFIG"), "bad ring base: ERR_CONFIG, interrupt, logged");
	}

	/* --- blade 1 disconnects --- */
	wr32(&bregs(b.ctrl, 1)->spad[3], 77);
	client_close(&b);
	ok(expect_silence(&a, 300), "blade 0 is told nothing when peer 1 leaves (QEMU 7.2 "
	   "frees a departed peer's eventfds and reuses them if the id returns)");
	ok(efd_wait(a.own[PCV_HW_VEC_EVENT], 2000) >= 1, "blade 0's VEC_EVENT rings on the leave");
	ok(rd32(&bregs(a.ctrl, 1)->present) == 0 && rd32(&bregs(a.ctrl, 1)->generation) == 1 &&
	   rd32(&bregs(a.ctrl, 1)->spad[3]) == 0, "blade 1 absent, generation kept, block cleared");
	ok(ram1 && all_zero(ram1, RAM_SIZE), "blade 1's RAM reads as zero after power-off");
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/blade1.ram", d.ram_dir);
		ok(stat(path, &st) == 0 && st.st_size == RAM_SIZE, "RAM file keeps its size");
	}

	/* --- blade 1 comes back --- */
	ok(client_connect(&b, &d, 1, peers_b, 2, why, sizeof(why)), "blade 1 reconnects%s%s",
	   why[0] ? ": " : "", why);
	ok(expect_silence(&a, 300), "blade 0 is not told again: it already holds blade 1's eventfds");
	for (good = 0, v = 0; v < NV; v++) {
		efd_ring(a.peer[1][v]);
		good += efd_wait(b.own[v], 1000) == 1;
	}
	ok(good == NV, "blade 0 rings the reconnected blade through the eventfds it already had");
	ok(rd32(&bregs(a.ctrl, 1)->present) == PCV_HW_PRESENT &&
	   rd32(&bregs(a.ctrl, 1)->generation) == 2, "generation 2 after reconnect");
	efd_wait(a.own[PCV_HW_VEC_EVENT], 1000);

	/* --- blade 0 disconnects: its RAM is zeroed too --- */
	client_close(&a);
	ok(expect_silence(&b, 300) && efd_wait(b.own[PCV_HW_VEC_EVENT], 2000) >= 1,
	   "blade 1 is told nothing about blade 0 leaving, but its VEC_EVENT rings");
	ok(ram0 && all_zero(ram0, RAM_SIZE), "blade 0's RAM (ring, data) zero after power-off");
	ok(daemon_log_has(&d, "blade 1 connected (generation 1)") &&
	   daemon_log_has(&d, "blade 1 disconnected") &&
	   daemon_log_has(&d, "blade 1 connected (generation 2)") &&
	   daemon_log_has(&d, "refusing a second connection"),
	   "connects, disconnects and the refusal are logged");

	/* --- shutdown --- */
	ok(daemon_stop(&d) == 0, "SIGTERM: clean exit 0");
	ok(recv_msg(b.sock, &val, &fd, 2000) == -1, "clients see EOF when the daemon exits");
	ok(!path_exists(d.sock_dir, "bell0.sock") && !path_exists(d.sock_dir, "bell1.sock") &&
	   !path_exists(d.sock_dir, "netsw.sock"), "sockets unlinked on exit");
	ok(path_exists(d.ram_dir, "blade0.ram") && path_exists(d.ram_dir, "blade2.ram"),
	   "RAM files left for the caller");
	client_close(&b);
	if (ram0)
		munmap(ram0, RAM_SIZE);
	if (ram1)
		munmap(ram1, RAM_SIZE);
	if (tap_failed)
		daemon_dump_log(&d);
	harness_cleanup(&d);
}

static void test_version_override(void)
{
	static const char *const extra[] = { "--ctrl-version", "3.7", "--dma-spin-us", "0", NULL };
	static const unsigned peers[] = { ENGINE };
	struct daemon d = { 0 };
	struct client a;
	char why[256] = "";

	if (!ok(daemon_start(&d, bin, 1, "64K", extra) == 0, "chassisd --ctrl-version 3.7 starts "
		"(1 blade, 64 KiB RAM, no spinning)")) {
		harness_cleanup(&d);
		return;
	}
	if (ok(client_connect(&a, &d, 0, peers, 1, why, sizeof(why)), "single blade connects%s%s",
	       why[0] ? ": " : "", why)) {
		struct pcv_hw_ctrl_hdr *h = (struct pcv_hw_ctrl_hdr *)a.ctrl;

		ok(le16toh(h->version_major) == 3 && le16toh(h->version_minor) == 7 &&
		   le32toh(h->nr_blades) == 1 && h->window_slot[0][0] == PCV_HW_NO_SLOT,
		   "header advertises version 3.7, one blade, no windows");
	}
	client_close(&a);
	ok(daemon_stop(&d) == 0, "clean exit");
	harness_cleanup(&d);
}

static void test_second_daemon(void)
{
	struct daemon d = { 0 };
	char out[4096];

	if (daemon_start(&d, bin, 2, "1M", NULL) != 0) {
		ok(0, "second daemon on the same socket directory is refused");
		harness_cleanup(&d);
		return;
	}
	{
		char *argv[] = { (char *)bin, "--blades", "2", "--ram-size", "1M", "--ram-dir",
				 d.ram_dir, "--sock-dir", d.sock_dir, NULL };
		int rc = run_capture(argv, out, sizeof(out));

		ok(rc == 1 && strstr(out, "in use"), "second daemon on the same socket directory is "
		   "refused (exit %d)", rc);
	}
	{
		char other[160];
		char *argv[] = { (char *)bin, "--blades", "2", "--ram-size", "1M", "--ram-dir",
				 d.ram_dir, "--sock-dir", other, NULL };
		int rc;

		snprintf(other, sizeof(other), "%s/sock2", d.dir);
		mkdir(other, 0700);
		rc = run_capture(argv, out, sizeof(out));
		ok(rc == 1 && strstr(out, "in use by another chassisd"),
		   "second daemon on the same RAM directory is refused (exit %d)", rc);
	}
	ok(path_exists(d.sock_dir, "bell0.sock") && path_exists(d.sock_dir, "netsw.sock"),
	   "the first daemon's sockets survive");
	ok(daemon_stop(&d) == 0, "first daemon exits cleanly");
	harness_cleanup(&d);
}

static void test_args(void)
{
	struct daemon d = { 0 };
	char out[4096], longdir[200];
	unsigned i;

	harness_dirs(&d);
	memset(longdir, 0, sizeof(longdir));
	snprintf(longdir, sizeof(longdir), "%s/%0100d", d.dir, 0);
	mkdir(longdir, 0700);
	{
		const char *R = d.ram_dir, *S = d.sock_dir;
		const char *const cases[][16] = {
			{ "no arguments", NULL },
			{ "--blades 0", "--blades", "0", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--blades 9", "--blades", "9", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--blades x", "--blades", "x", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--blades -1", "--blades", "-1", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--blades 2x", "--blades", "2x", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "missing --blades", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "missing --ram-size", "--blades", "2", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "missing --ram-dir", "--blades", "2", "--ram-size", "1M", "--sock-dir", S, NULL },
			{ "missing --sock-dir", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, NULL },
			{ "--ram-size 3M", "--blades", "2", "--ram-size", "3M", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-size 4G", "--blades", "2", "--ram-size", "4G", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-size 32K", "--blades", "2", "--ram-size", "32K", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-size 1Q", "--blades", "2", "--ram-size", "1Q", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-size huge", "--blades", "2", "--ram-size", "99999999999999999999", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-size 1MM", "--blades", "2", "--ram-size", "1MM", "--ram-dir", R, "--sock-dir", S, NULL },
			{ "--ram-dir missing", "--blades", "2", "--ram-size", "1M", "--ram-dir", "/nonexistent/x", "--sock-dir", S, NULL },
			{ "--sock-dir is a file", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", "/etc/passwd", NULL },
			{ "--sock-dir too long", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", longdir, NULL },
			{ "--ctrl-version 1", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--ctrl-version", "1", NULL },
			{ "--ctrl-version 1.x", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--ctrl-version", "1.x", NULL },
			{ "--ctrl-version 70000.0", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--ctrl-version", "70000.0", NULL },
			{ "--dma-spin-us -1", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--dma-spin-us", "-1", NULL },
			{ "--dma-spin-us 2000000", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--dma-spin-us", "2000000", NULL },
			{ "unknown option", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "--frobnicate", NULL },
			{ "missing option value", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", NULL },
			{ "stray argument", "--blades", "2", "--ram-size", "1M", "--ram-dir", R, "--sock-dir", S, "extra", NULL },
		};

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char *argv[20];
			unsigned k = 0, j;
			int rc;

			argv[k++] = (char *)bin;
			for (j = 1; cases[i][j]; j++)
				argv[k++] = (char *)cases[i][j];
			argv[k] = NULL;
			rc = run_capture(argv, out, sizeof(out));
			ok(rc == 2 && strstr(out, "chassisd") && !strstr(out, "ready"),
			   "rejects %s with exit 2 and a message (exit %d)", cases[i][0], rc);
		}
	}
	{
		char *argv[] = { (char *)bin, "--help", NULL };

		ok(run_capture(argv, out, sizeof(out)) == 0 && strstr(out, "--ram-size"),
		   "--help prints usage, exit 0");
	}
	harness_cleanup(&d);
}

int main(int argc, char **argv)
{
	tap_init();
	signal(SIGPIPE, SIG_IGN);
	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/chassisd\n", argv[0]);
		return 2;
	}
	bin = argv[1];
	test_protocol();
	test_version_override();
	test_second_daemon();
	test_args();
	return tap_done();
}
