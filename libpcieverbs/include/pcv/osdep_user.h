/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs OS glue, user-space side (see osdep.h): unit tests and the
 * provider.  Plain C11 with GCC builtins; not kernel code.
 */
#ifndef PCV_OSDEP_USER_H
#define PCV_OSDEP_USER_H

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <endian.h>
#include <linux/types.h>

/* Annotations and helpers the shared code uses, harmless here. */
#ifndef __iomem
#define __iomem
#endif
#ifndef BIT
#define BIT(n)				(1UL << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)			(1ULL << (n))
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define pcv_cpu_to_le16(x)		((__le16)htole16(x))
#define pcv_cpu_to_le32(x)		((__le32)htole32(x))
#define pcv_cpu_to_le64(x)		((__le64)htole64(x))
#define pcv_le16_to_cpu(x)		le16toh((uint16_t)(x))
#define pcv_le32_to_cpu(x)		le32toh((uint32_t)(x))
#define pcv_le64_to_cpu(x)		le64toh((uint64_t)(x))

/*
 * x86 user mappings of a window may be write-combining: only a serialising
 * fence orders WC stores, so remote_wmb is a full fence there.
 */
#if defined(__x86_64__) || defined(__i386__)
#define pcv_remote_wmb()		__asm__ __volatile__("sfence" ::: "memory")
#else
#define pcv_remote_wmb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#define pcv_local_rmb()			__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define pcv_mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)

static inline void pcv_remote_write32(__le32 *p, u32 v)
{
	*(volatile __le32 *)p = pcv_cpu_to_le32(v);
}

static inline void pcv_remote_write8(u8 *p, u8 v)
{
	*(volatile u8 *)p = v;
}

static inline void pcv_remote_write64(__le64 *p, u64 v)
{
	*(volatile __le64 *)p = pcv_cpu_to_le64(v);
}

static inline void pcv_remote_copy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

static inline u32 pcv_local_read32(const __le32 *p)
{
	return pcv_le32_to_cpu(*(const volatile __le32 *)p);
}

static inline u64 pcv_local_read64(const __le64 *p)
{
	return pcv_le64_to_cpu(*(const volatile __le64 *)p);
}

static inline void pcv_local_write32(__le32 *p, u32 v)
{
	*(volatile __le32 *)p = pcv_cpu_to_le32(v);
}

#endif /* PCV_OSDEP_USER_H */
