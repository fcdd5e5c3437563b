/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Big-endian field access in MADs (InfiniBand management datagrams are
 * big-endian on the wire, whatever the CPU), byte by byte so that neither
 * alignment nor host byte order matters.  Shared by the SA and the PMA.
 */
#ifndef PCV_MAD_BE_H
#define PCV_MAD_BE_H

#include "osdep.h"

static inline u16 pcv_mad_get16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static inline u32 pcv_mad_get32(const u8 *p)
{
	return (u32)pcv_mad_get16(p) << 16 | pcv_mad_get16(p + 2);
}

static inline u64 pcv_mad_get64(const u8 *p)
{
	return (u64)pcv_mad_get32(p) << 32 | pcv_mad_get32(p + 4);
}

static inline void pcv_mad_put16(u8 *p, u16 v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static inline void pcv_mad_put32(u8 *p, u32 v)
{
	pcv_mad_put16(p, (v >> 16) & 0xffff);
	pcv_mad_put16(p + 2, v & 0xffff);
}

static inline void pcv_mad_put64(u8 *p, u64 v)
{
	pcv_mad_put32(p, (v >> 32) & 0xffffffff);
	pcv_mad_put32(p + 4, v & 0xffffffff);
}

#endif /* PCV_MAD_BE_H */
