/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the few kernel interfaces the core of hoguard.c
 * uses, so that tests/unit and the fuzzer build the module's own source.
 */
#ifndef HOGUARD_USER_H
#define HOGUARD_USER_H

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint32_t __be32;
typedef uint64_t __be64;
typedef unsigned int gfp_t;

#define __force
#define __packed	__attribute__((__packed__))
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#define IFNAMSIZ	16
#define U32_MAX		((u32)~0U)
#define BITS_PER_LONG	(8 * (int)sizeof(long))
#define GFP_KERNEL	1u
#define GFP_ATOMIC	2u

struct rcu_head {
	void *unused[2];
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define cpu_to_be32(x)	((__be32)__builtin_bswap32(x))
#define be32_to_cpu(x)	((u32)__builtin_bswap32(x))
#define be64_to_cpu(x)	((u64)__builtin_bswap64(x))
#else
#define cpu_to_be32(x)	((__be32)(x))
#define be32_to_cpu(x)	((u32)(x))
#define be64_to_cpu(x)	((u64)(x))
#endif

#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi) \
	((t)(v) < (t)(lo) ? (t)(lo) : (t)(v) > (t)(hi) ? (t)(hi) : (t)(v))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define array_size(a, b)	((size_t)(a) * (size_t)(b))
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof((p)->member[0]))

static inline u32 roundup_pow_of_two(u32 n)
{
	u32 r = 1;

	while (r < n)
		r <<= 1;
	return r;
}

/* Deterministic, so that a failing test can be replayed. */
static inline u64 get_random_u64(void)
{
	static u64 x = 0x9E3779B97F4A7C15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static inline int ilog2(u32 n)
{
	return 31 - __builtin_clz(n);
}

static inline int hex_to_bin(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* the kernel's versions take a plain char */
#undef isdigit
#undef isxdigit
#define isdigit(c)	((c) >= '0' && (c) <= '9')
#define isxdigit(c)	(hex_to_bin(c) >= 0)

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

/* The kernel's fault injection (fail_function) has nothing to do here. */
#define noinline	__attribute__((__noinline__))
#define ALLOW_ERROR_INJECTION(fname, etype) \
	extern int hog_no_error_injection_##fname

/*
 * Allocation with failure injection: after hog_fail_after successful
 * allocations, every further one fails (-1: never).
 */
extern long hog_fail_after;
extern long hog_live_allocs;
extern long hog_injected;	/* allocations made to fail */

static inline void *hog_alloc(size_t size, gfp_t gfp)
{
	void *p;

	(void)gfp;
	if (hog_fail_after == 0) {
		hog_injected++;
		return NULL;
	}
	if (hog_fail_after > 0)
		hog_fail_after--;
	p = calloc(1, size ? size : 1);
	if (p)
		hog_live_allocs++;
	return p;
}

static inline void hog_free(const void *p)
{
	if (p)
		hog_live_allocs--;
	free((void *)p);
}

#endif /* HOGUARD_USER_H */
