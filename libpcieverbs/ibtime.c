// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * InfiniBand time encodings (IBA vol. 1: RNR NAK timer field, local ACK
 * timeout).
 */
#include "pcv/ibtime.h"

/* Table of the IB RNR NAK timer, in microseconds, indexed by the 5-bit code. */
static const u32 rnr_us[32] = {
	655360, 10, 20, 30, 40, 60, 80, 120,
	160, 240, 320, 480, 640, 960, 1280, 1920,
	2560, 3840, 5120, 7680, 10240, 15360, 20480, 30720,
	40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

u32 pcv_rnr_timer_us(u8 code)
{
	return rnr_us[code & 31];
}

u64 pcv_ack_timeout_us(u8 code)
{
	code &= 31;
	if (!code)
		return 0;
	/* 4.096 us * 2^code = 4096 ns << code */
	return (4096ULL << code) / 1000;
}
