/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs OS glue, kernel side (see osdep.h).
 */
#ifndef PCV_OSDEP_KERNEL_H
#define PCV_OSDEP_KERNEL_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/compiler.h>
#include <asm/byteorder.h>
#include <asm/barrier.h>

#define pcv_cpu_to_le16(x)		cpu_to_le16(x)
#define pcv_cpu_to_le32(x)		cpu_to_le32(x)
#define pcv_cpu_to_le64(x)		cpu_to_le64(x)
#define pcv_le16_to_cpu(x)		le16_to_cpu(x)
#define pcv_le32_to_cpu(x)		le32_to_cpu(x)
#define pcv_le64_to_cpu(x)		le64_to_cpu(x)

/* Orders earlier stores to remote (write-combined) memory before later ones. */
#define pcv_remote_wmb()		wmb()
/* Orders earlier loads of local memory written by a peer before later loads. */
#define pcv_local_rmb()			rmb()
/* Full barrier: earlier loads and stores before later loads and stores. */
#define pcv_mb()			mb()

static inline void pcv_remote_write32(__le32 __iomem *p, u32 v)
{
	/* Little-endian by definition of the wire format: raw store of the le value. */
	__raw_writel((__force u32)cpu_to_le32(v), p);
}

static inline void pcv_remote_write8(u8 __iomem *p, u8 v)
{
	__raw_writeb(v, p);
}

static inline void pcv_remote_write64(__le64 __iomem *p, u64 v)
{
	__raw_writeq((__force u64)cpu_to_le64(v), p);
}

static inline void pcv_remote_copy(void __iomem *dst, const void *src, size_t len)
{
	memcpy_toio(dst, src, len);
}

static inline u32 pcv_local_read32(const __le32 *p)
{
	return le32_to_cpu(READ_ONCE(*p));
}

static inline u64 pcv_local_read64(const __le64 *p)
{
	return le64_to_cpu(READ_ONCE(*p));
}

static inline void pcv_local_write32(__le32 *p, u32 v)
{
	WRITE_ONCE(*p, cpu_to_le32(v));
}

#endif /* PCV_OSDEP_KERNEL_H */
