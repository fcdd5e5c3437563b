// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the performance management agent: MADs built byte by byte
 * as the kernel's sysfs and perfquery send them, every field of the
 * answers checked (units, saturation, the extended width, error statuses).
 */
#include <stdlib.h>
#include "pcv/pma.h"
#include "tap.h"

static u16 g16(const u8 *p) { return (u16)p[0] << 8 | p[1]; }
static u32 g32(const u8 *p) { return (u32)g16(p) << 16 | g16(p + 2); }
static u64 g64(const u8 *p) { return (u64)g32(p) << 32 | g32(p + 4); }
static void p16(u8 *p, u16 v) { p[0] = v >> 8; p[1] = v; }

static void mad(u8 *m, u8 method, u16 attr, u8 port_select)
{
	memset(m, 0, PCV_PMA_MAD_SIZE);
	m[0] = 1;
	m[1] = 0x04;
	m[2] = 1;
	m[3] = method;
	memcpy(m + 8, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	p16(m + 16, attr);
	m[64 + 1] = port_select;
	p16(m + 64 + 2, 0xffff);	/* CounterSelect: all */
}

static const struct pcv_pma_counters small = {
	.xmit_bytes = 65536003, .rcv_bytes = 4096, .xmit_pkts = 16001, .rcv_pkts = 7,
	.mcast_xmit_pkts = 1, .mcast_rcv_pkts = 3, .xmit_discards = 2, .rcv_errors = 5,
};

static void test_class_port_info(void)
{
	u8 in[256], out[256];

	mad(in, 0x01, 0x0001, 0);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0);
	CHECK(!memcmp(out + 8, in + 8, 8));	/* TID */
	CHECK_EQ(out[64], 1);
	CHECK_EQ(out[65], 1);
	CHECK(g16(out + 66) & 0x0200);		/* IB_PMA_CLASS_CAP_EXT_WIDTH */
	CHECK(g16(out + 66) & 0x0100);		/* AllPortSelect */
	CHECK_EQ(g32(out + 68) & 0x1f, 18);
}

static void test_port_counters(void)
{
	u8 in[256], out[256];

	mad(in, 0x01, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0);
	CHECK_EQ(out[65], 1);
	CHECK_EQ(g16(out + 66), 0xffff);
	CHECK_EQ(g16(out + 64 + 4), 0);			/* symbol errors */
	CHECK_EQ(g16(out + 64 + 8), 5);			/* PortRcvErrors */
	CHECK_EQ(g16(out + 64 + 14), 2);		/* PortXmitDiscards */
	CHECK_EQ(g32(out + 64 + 24), 65536003 / 4);	/* 4-octet units */
	CHECK_EQ(g32(out + 64 + 28), 1024);
	CHECK_EQ(g32(out + 64 + 32), 16001);
	CHECK_EQ(g32(out + 64 + 36), 7);
	CHECK_EQ(g32(out + 64 + 40), 0);		/* PortXmitWait */

	/* All ports (0xFF) is port 1. */
	mad(in, 0x01, 0x0012, 0xff);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0);
	CHECK_EQ(g32(out + 64 + 32), 16001);
}

static void test_saturation(void)
{
	struct pcv_pma_counters big = {
		.xmit_bytes = 0x400000000ULL + 12, .rcv_bytes = 0x3fffffffcULL,
		.xmit_pkts = 0x100000000ULL, .rcv_pkts = 0xffffffffULL,
		.xmit_discards = 70000, .rcv_errors = 0xffff,
	};
	u8 in[256], out[256];

	mad(in, 0x01, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&big, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g32(out + 64 + 24), 0xffffffffU);	/* 2^32 + 3 units: saturated */
	CHECK_EQ(g32(out + 64 + 28), 0xffffffffU);	/* exactly the maximum */
	CHECK_EQ(g32(out + 64 + 32), 0xffffffffU);
	CHECK_EQ(g32(out + 64 + 36), 0xffffffffU);
	CHECK_EQ(g16(out + 64 + 14), 0xffff);
	CHECK_EQ(g16(out + 64 + 8), 0xffff);

	/* The extended counters go on. */
	mad(in, 0x01, 0x001d, 1);
	CHECK_EQ(pcv_pma_process(&big, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g64(out + 64 + 8), 0x100000003ULL);
	CHECK_EQ(g64(out + 64 + 16), 0xffffffffULL);
	CHECK_EQ(g64(out + 64 + 24), 0x100000000ULL);
}

static void test_port_counters_ext(void)
{
	u8 in[256], out[256];

	mad(in, 0x01, 0x001d, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0);
	CHECK_EQ(out[65], 1);
	CHECK_EQ(g32(out + 64 + 4), 0);
	CHECK_EQ(g64(out + 64 + 8), 65536003 / 4);
	CHECK_EQ(g64(out + 64 + 16), 1024);
	CHECK_EQ(g64(out + 64 + 24), 16001);
	CHECK_EQ(g64(out + 64 + 32), 7);
	CHECK_EQ(g64(out + 64 + 40), 16000);		/* unicast = all - multicast */
	CHECK_EQ(g64(out + 64 + 48), 4);
	CHECK_EQ(g64(out + 64 + 56), 1);
	CHECK_EQ(g64(out + 64 + 64), 3);

	/* Multicast can never exceed the total it is part of. */
	{
		struct pcv_pma_counters odd = { .xmit_pkts = 2, .mcast_xmit_pkts = 5 };

		CHECK_EQ(pcv_pma_process(&odd, 1, in, sizeof(in), out), PCV_PMA_REPLY);
		CHECK_EQ(g64(out + 64 + 40), 0);
		CHECK_EQ(g64(out + 64 + 56), 2);
	}
}

static void test_errors(void)
{
	u8 in[256], out[256];

	/* Another port. */
	mad(in, 0x01, 0x0012, 2);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0x001c);
	mad(in, 0x01, 0x001d, 0);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0x001c);

	/* Set (a reset, for perfquery -r): not supported for this attribute. */
	mad(in, 0x02, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0x000c);

	/* PortSamplesControl and unknown attributes. */
	mad(in, 0x01, 0x0010, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0x000c);
	mad(in, 0x01, 0x7777, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0x000c);

	/* A method the class does not have. */
	mad(in, 0x05, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(out[3], 0x85);
	CHECK_EQ(g16(out + 4), 0x0008);

	/* Class version 2. */
	mad(in, 0x01, 0x0012, 1);
	in[2] = 2;
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_REPLY);
	CHECK_EQ(g16(out + 4), 0x0004);

	/* Not ours: responses, other classes; malformed: dropped. */
	mad(in, 0x81, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_NOT_MINE);
	mad(in, 0x01, 0x0012, 1);
	in[1] = 0x03;
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_NOT_MINE);
	mad(in, 0x01, 0x0012, 1);
	in[0] = 2;
	CHECK_EQ(pcv_pma_process(&small, 1, in, sizeof(in), out), PCV_PMA_DROP);
	mad(in, 0x01, 0x0012, 1);
	CHECK_EQ(pcv_pma_process(&small, 1, in, 100, out), PCV_PMA_DROP);
	CHECK_EQ(pcv_pma_process(&small, 1, in, 10, out), PCV_PMA_DROP);
}

/* Random MADs: never more than one answer, never a crash, always a response method. */
static void test_fuzz(void)
{
	u8 in[256], out[256];
	unsigned int seed = 12345;

	for (int i = 0; i < 200000; i++) {
		int r;

		for (int k = 0; k < 256; k++)
			in[k] = rand_r(&seed);
		if (i & 1) {
			in[0] = 1;
			in[1] = 4;
			in[2] = 1;
			in[3] &= 0x7f;
		}
		r = pcv_pma_process(&small, 1, in, sizeof(in), out);
		CHECK(r == PCV_PMA_REPLY || r == PCV_PMA_NOT_MINE || r == PCV_PMA_DROP);
		if (r == PCV_PMA_REPLY) {
			CHECK(out[3] & 0x80);
			CHECK(!memcmp(out + 8, in + 8, 8));
		}
	}
}

int main(void)
{
	RUN(test_class_port_info);
	RUN(test_port_counters);
	RUN(test_saturation);
	RUN(test_port_counters_ext);
	RUN(test_errors);
	RUN(test_fuzz);
	return tap_done();
}
