// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Unit tests of exported MR entries and IB time encodings.
 */
#include "pcv/mrdesc.h"
#include "pcv/ibtime.h"
#include "tap.h"

#define MEM (512ULL << 20)

static struct pcv_wire_mrt entry(u32 key, u64 iova, u64 len, u32 access)
{
	struct pcv_wire_mrt w;

	memset(&w, 0, sizeof(w));
	w.key = pcv_cpu_to_le32(key);
	w.pdn = pcv_cpu_to_le32(3);
	w.access = pcv_cpu_to_le32(access);
	w.iova = pcv_cpu_to_le64(iova);
	w.length = pcv_cpu_to_le64(len);
	w.page_shift = 12;
	w.nr_pages = pcv_cpu_to_le32(pcv_mr_span_pages(iova, len, 12));
	w.pt_addr = pcv_cpu_to_le64(0x100000);
	return w;
}

static void test_span(void)
{
	CHECK_EQ(pcv_mr_span_pages(0, 0, 12), 0);
	CHECK_EQ(pcv_mr_span_pages(0, 1, 12), 1);
	CHECK_EQ(pcv_mr_span_pages(0, 4096, 12), 1);
	CHECK_EQ(pcv_mr_span_pages(1, 4096, 12), 2);
	CHECK_EQ(pcv_mr_span_pages(4095, 2, 12), 2);
	CHECK_EQ(pcv_mr_span_pages(0x7000, 1 << 20, 12), 256);
}

static void test_decode_ok_and_free(void)
{
	struct pcv_wire_mrt w = entry(0x1234, 0x7fff0010, 10000, PCV_MR_REMOTE_WRITE);
	struct pcv_mr_desc d;

	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_OK);
	CHECK_EQ(d.key, 0x1234);
	CHECK_EQ(d.nr_pages, 3);
	CHECK_EQ(pcv_mr_page_index(&d, 0x7fff0010), 0);
	CHECK_EQ(pcv_mr_page_index(&d, 0x7fff1000), 1);
	CHECK_EQ(pcv_mr_page_off(&d, 0x7fff1234), 0x234);
	w.key = 0;
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_BAD_KEY);
}

static void test_decode_corrupt(void)
{
	struct pcv_wire_mrt w;
	struct pcv_mr_desc d;

	w = entry(1, 0, 8192, 0); w.nr_pages = pcv_cpu_to_le32(3);
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);
	w = entry(1, ~0ULL - 10, 100, 0);
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);	/* wraps */
	w = entry(1, 0, 8192, 0); w.page_shift = 40;
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);
	w = entry(1, 0, 8192, 0); w.pt_addr = pcv_cpu_to_le64(MEM - 4);
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);	/* table past RAM */
	w = entry(1, 0, 8192, 0); w.pt_addr = pcv_cpu_to_le64(0x1003);
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);	/* misaligned */
	w = entry(1, 0, 8192, 0x80);
	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_CORRUPT);	/* unknown access bit */
	/* a 1 TiB region's L1 table would not fit in 4 KiB of RAM */
	w = entry(1, 0, 1ULL << 40, 0);
	CHECK_EQ(pcv_mr_decode(&w, 0x100000 + 4096, &d), PCV_MR_CORRUPT);
}

static void test_check_rules(void)
{
	struct pcv_wire_mrt w = entry(0x55, 0x10000, 0x3000,
				      PCV_MR_REMOTE_WRITE | PCV_MR_REMOTE_READ);
	struct pcv_mr_desc d;

	CHECK_EQ(pcv_mr_decode(&w, MEM, &d), PCV_MR_OK);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, 0x10000, 0x3000), PCV_MR_OK);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 0, PCV_MR_REMOTE_READ, 0x12fff, 1), PCV_MR_OK);
	CHECK_EQ(pcv_mr_check(&d, 0x56, 3, PCV_MR_REMOTE_WRITE, 0x10000, 8), PCV_MR_BAD_KEY);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 4, PCV_MR_REMOTE_WRITE, 0x10000, 8), PCV_MR_BAD_PD);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_ATOMIC, 0x10000, 8), PCV_MR_BAD_ACCESS);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, 0xffff, 8), PCV_MR_BAD_RANGE);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, 0x12ff9, 8), PCV_MR_BAD_RANGE);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, 0x10000, ~0ULL), PCV_MR_BAD_RANGE);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, ~0ULL - 2, 8), PCV_MR_BAD_RANGE);
	CHECK_EQ(pcv_mr_check(&d, 0x55, 3, PCV_MR_REMOTE_WRITE, 0x13000, 0), PCV_MR_OK);
}

static void test_page_table_index(void)
{
	CHECK_EQ(pcv_pt_l1(0), 0);
	CHECK_EQ(pcv_pt_l2(511), 511);
	CHECK_EQ(pcv_pt_l1(512), 1);
	CHECK_EQ(pcv_pt_l2(512), 0);
	CHECK_EQ(pcv_pt_l1(262143), 511);
}

static void test_ib_times(void)
{
	CHECK_EQ(pcv_rnr_timer_us(0), 655360);
	CHECK_EQ(pcv_rnr_timer_us(1), 10);
	CHECK_EQ(pcv_rnr_timer_us(12), 640);
	CHECK_EQ(pcv_rnr_timer_us(31), 491520);
	CHECK_EQ(pcv_rnr_timer_us(32 + 12), 640);	/* masked */
	CHECK_EQ(pcv_ack_timeout_us(0), 0);
	CHECK_EQ(pcv_ack_timeout_us(1), 8);
	CHECK_EQ(pcv_ack_timeout_us(14), 67108);
	CHECK_EQ(pcv_ack_timeout_us(31), 8796093022ULL);
}

int main(void)
{
	RUN(test_span);
	RUN(test_decode_ok_and_free);
	RUN(test_decode_corrupt);
	RUN(test_check_rules);
	RUN(test_page_table_index);
	RUN(test_ib_times);
	return tap_done();
}
