/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Accessors for memory shared with blades (control region, guest RAM).
 *
 * Everything in that memory is little-endian and may be written by a guest
 * at any moment, so every access is a single explicit load or store of the
 * field's width (never a compiler-generated re-read) with an explicit
 * byte-order conversion.
 */
#ifndef CHASSISD_HWIO_H
#define CHASSISD_HWIO_H

#include <endian.h>
#include <stdint.h>

static inline uint32_t hw_rd32(const void *p)
{
	return le32toh(__atomic_load_n((const uint32_t *)p, __ATOMIC_ACQUIRE));
}

static inline uint64_t hw_rd64(const void *p)
{
	return le64toh(__atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE));
}

static inline void hw_wr8(void *p, uint8_t v)
{
	__atomic_store_n((uint8_t *)p, v, __ATOMIC_RELEASE);
}

static inline void hw_wr16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELEASE);
}

static inline void hw_wr32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELEASE);
}

static inline void hw_wr64(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELEASE);
}

/*
 * Full memory fence that also orders weakly-ordered (non-temporal) stores,
 * which glibc's memcpy/memmove use for large copies.  On x86 MFENCE is
 * documented to order them; GCC's __atomic_thread_fence(SEQ_CST) emits a
 * locked instruction there, so use MFENCE explicitly and keep the
 * compiler barrier.
 */
static inline void hw_full_fence(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("mfence" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif /* CHASSISD_HWIO_H */
