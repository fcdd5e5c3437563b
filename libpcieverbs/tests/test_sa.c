// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the local subnet administrator: MADs built byte by byte as
 * the kernel's SA clients send them, every answered field checked.
 */
#include <stdlib.h>
#include "pcv/sa.h"
#include "tap.h"

#define NB 4

static bool down3(void *ctx, u32 blade)
{
	(void)ctx;
	return blade != 3;	/* blade 3 is powered off */
}

static u16 g16(const u8 *p) { return (u16)p[0] << 8 | p[1]; }
static u32 g32(const u8 *p) { return (u32)g16(p) << 16 | g16(p + 2); }
static u64 g64(const u8 *p) { return (u64)g32(p) << 32 | g32(p + 4); }
static void p16(u8 *p, u16 v) { p[0] = v >> 8; p[1] = v; }
static void p32(u8 *p, u32 v) { p16(p, v >> 16); p16(p + 2, v); }
static void p64(u8 *p, u64 v) { p32(p, v >> 32); p32(p + 4, v); }

static void gid(u8 *p, u32 blade)
{
	p64(p, 0xfe80000000000000ULL);
	p64(p + 8, 0x0250435600000000ULL | blade);
}

static void mad(u8 *m, u8 method, u16 attr, u64 comp_mask)
{
	memset(m, 0, PCV_SA_MAD_SIZE);
	m[0] = 1;
	m[1] = 0x03;
	m[2] = 2;
	m[3] = method;
	p64(m + 8, 0x1122334455667788ULL);
	p16(m + 16, attr);
	p64(m + 48, comp_mask);
}

static struct pcv_sa sa;
static u8 in[PCV_SA_MAD_SIZE], out[PCV_SA_MAD_SIZE];

static void setup(u32 blade)
{
	pcv_sa_init(&sa, blade, NB, down3, NULL);
}

static void test_classportinfo(void)
{
	setup(0);
	mad(in, 0x01, 0x0001, 0);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0);
	CHECK_EQ(g64(out + 8), 0x1122334455667788ULL);
	CHECK_EQ(g16(out + 16), 0x0001);
	CHECK_EQ(out[56], 1);
	CHECK_EQ(out[57], 2);
	CHECK(g16(out + 58) & (1 << 9));
}

static void check_path(const u8 *r, u32 src, u32 dst)
{
	u8 g[16];

	gid(g, dst);
	CHECK(!memcmp(r + 8, g, 16));
	gid(g, src);
	CHECK(!memcmp(r + 24, g, 16));
	CHECK_EQ(g16(r + 40), dst + 1);
	CHECK_EQ(g16(r + 42), src + 1);
	CHECK_EQ(g32(r + 44) & 0xff, 0);	/* hop limit 0: LID routed */
	CHECK_EQ(r[49], 0x81);			/* reversible, 1 path */
	CHECK_EQ(g16(r + 50), 0xffff);
	CHECK_EQ(r[54], 0x85);			/* exactly 4096 */
	CHECK_EQ(r[55], 0x87);			/* exactly 40 Gb/s */
}

static void test_path_by_gid_and_lid(void)
{
	setup(1);
	mad(in, 0x01, 0x0035, (1 << 2) | (1 << 3) | (1 << 12) | (1 << 13));
	gid(in + 56 + 8, 2);
	gid(in + 56 + 24, 1);
	in[56 + 49] = 1;
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0);
	check_path(out + 56, 1, 2);

	mad(in, 0x01, 0x0035, 1 << 4);
	p16(in + 56 + 40, 1);	/* LID 1 = blade 0 */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 0);
	check_path(out + 56, 1, 0);
}

static void test_path_no_records(void)
{
	setup(0);
	/* to a blade that is down */
	mad(in, 0x01, 0x0035, 1 << 2);
	gid(in + 56 + 8, 3);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 3 << 8);
	/* to a GID that is none of ours */
	gid(in + 56 + 8, 9);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 3 << 8);
	in[56 + 8] = 0xfe;
	in[56 + 9] = 0xc0;	/* site-local prefix */
	gid(in + 56 + 8, 1);
	in[56 + 8 + 1] = 0xc0;
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 3 << 8);
	/* GID and LID that disagree */
	mad(in, 0x01, 0x0035, (1 << 2) | (1 << 4));
	gid(in + 56 + 8, 1);
	p16(in + 56 + 40, 3);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 3 << 8);
	/* a Get that names no destination */
	mad(in, 0x01, 0x0035, 0);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 2 << 8);
}

static void test_path_table(void)
{
	setup(0);
	mad(in, 0x12, 0x0035, 0);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x92);
	CHECK_EQ(g16(out + 4), 0);
	CHECK_EQ(g16(out + 44), 8);	/* attribute offset: 64 bytes */
	/* blades 0, 1, 2 (3 is down) */
	check_path(out + 56, 0, 0);
	check_path(out + 56 + 64, 0, 1);
	check_path(out + 56 + 128, 0, 2);
}

static const u8 bcast[16] = { 0xff, 0x12, 0x40, 0x1b, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
			      0xff, 0xff, 0xff, 0xff };

static void join(u32 blade, const u8 *mgid, u64 extra_mask, u32 qkey, u8 method)
{
	mad(in, method, 0x0038, (1 << 0) | (1 << 1) | (1 << 16) | extra_mask);
	memcpy(in + 56, mgid, 16);
	gid(in + 56 + 16, blade);
	p32(in + 56 + 32, qkey);
	in[56 + 48] = 0x01;	/* full member */
}

static void test_mcmember_broadcast(void)
{
	u16 mlid;

	setup(0);
	join(0, bcast, 0, 0, 0x02);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0);
	CHECK(!memcmp(out + 56, bcast, 16));
	CHECK_EQ(g32(out + 56 + 32), PCV_SA_DEFAULT_QKEY);
	mlid = g16(out + 56 + 36);
	CHECK(mlid >= 0xc000 && mlid <= 0xfffe);
	CHECK_EQ(g16(out + 56 + 40), 0xffff);
	CHECK_EQ(out[56 + 38], 0x85);
	CHECK_EQ(out[56 + 48], 0x21);	/* scope 2 (link local), full member */
	/* another blade's SA agrees on the MLID */
	setup(2);
	join(2, bcast, 0, 0, 0x02);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 56 + 36), mlid);
	CHECK_EQ(mlid, pcv_sa_mlid(bcast));
	/* leave */
	join(2, bcast, 0, 0, 0x15);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x95);
	CHECK_EQ(g16(out + 4), 0);
}

static void test_mcmember_qkey(void)
{
	u8 g[16] = { 0xff, 0x15, 0x40, 0x1b, 1, 2, 3, 4 };

	setup(1);
	join(1, g, 1 << 2, 0x01234567, 0x02);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g32(out + 56 + 32), 0x01234567);
	/* a later join that gives no Q_Key gets the group's */
	join(1, g, 0, 0, 0x02);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g32(out + 56 + 32), 0x01234567);
	/* other groups keep the default */
	join(1, bcast, 0, 0, 0x02);
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g32(out + 56 + 32), PCV_SA_DEFAULT_QKEY);
}

static void test_mcmember_invalid(void)
{
	static const u8 zero[16];
	u8 uni[16];

	setup(0);
	join(0, zero, 0, 0, 0x02);	/* no MGID */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 2 << 8);
	gid(uni, 1);
	join(0, uni, 0, 0, 0x02);	/* not a multicast GID */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 2 << 8);
	join(7, bcast, 0, 0, 0x02);	/* a port GID not in the chassis */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 2 << 8);
	join(0, bcast, 0, 0, 0x02);
	in[56 + 48] = 0;		/* join state 0 */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 2 << 8);
}

static void test_not_mine_and_drops(void)
{
	setup(0);
	mad(in, 0x81, 0x0035, 0);		/* a response */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_NOT_MINE);
	mad(in, 0x01, 0x0035, 0);
	in[1] = 0x07;				/* CM class */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_NOT_MINE);
	mad(in, 0x01, 0x0035, 0);
	CHECK_EQ(pcv_sa_process(&sa, in, 40, out), PCV_SA_DROP);
	CHECK_EQ(pcv_sa_process(&sa, in, 100, out), PCV_SA_DROP);
	in[0] = 2;				/* base version */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_DROP);
	CHECK_EQ(sa.dropped, 2);
}

static void test_unsupported(void)
{
	setup(0);
	mad(in, 0x01, 0x0031, 0);		/* ServiceRecord */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(out[3], 0x81);
	CHECK_EQ(g16(out + 4), 0x000c);
	mad(in, 0x06, 0x0035, 0);		/* Report: not a method we serve */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 0x000c);
	mad(in, 0x02, 0x0035, 0);		/* Set PathRecord */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 0x000c);
	mad(in, 0x01, 0x0035, 0);
	in[2] = 1;				/* class version */
	CHECK_EQ(pcv_sa_process(&sa, in, sizeof(in), out), PCV_SA_REPLY);
	CHECK_EQ(g16(out + 4), 0x0004);
}

static void test_fuzz(void)
{
	u32 i, k, replies = 0, bad = 0;

	setup(1);
	srand(12345);
	for (i = 0; i < 100000; i++) {
		for (k = 0; k < sizeof(in); k++)
			in[k] = rand();
		if (i & 1) {		/* mostly valid headers, garbage bodies */
			in[0] = 1;
			in[1] = 3;
			in[2] = 2;
			in[3] &= 0x1f;
			p16(in + 16, (const u16[]){ 1, 0x35, 0x38, 0x31 }[i >> 1 & 3]);
		}
		if (pcv_sa_process(&sa, in, sizeof(in), out) == PCV_SA_REPLY) {
			replies++;
			if (memcmp(out + 8, in + 8, 8) || !(out[3] & 0x80))
				bad++;
		}
	}
	CHECK(replies > 10000);
	CHECK_EQ(bad, 0);
}

int main(void)
{
	RUN(test_classportinfo);
	RUN(test_path_by_gid_and_lid);
	RUN(test_path_no_records);
	RUN(test_path_table);
	RUN(test_mcmember_broadcast);
	RUN(test_mcmember_qkey);
	RUN(test_mcmember_invalid);
	RUN(test_not_mine_and_drops);
	RUN(test_unsupported);
	RUN(test_fuzz);
	return tap_done();
}
