/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * InfiniBand's encoded times: the RNR NAK timer (min_rnr_timer, 5 bits) and
 * the local ACK timeout (timeout, 5 bits: 4.096 us * 2^t, 0 = infinite).
 */
#ifndef PCV_IBTIME_H
#define PCV_IBTIME_H

#include "osdep.h"

/* RNR timer in microseconds for an encoded value (masked to 5 bits). */
u32 pcv_rnr_timer_us(u8 code);

/* Local ACK timeout in microseconds (0 means: never time out). */
u64 pcv_ack_timeout_us(u8 code);

#endif /* PCV_IBTIME_H */
