/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hoguard: keep host-only virtual networks inside the host.
 *
 * This header declares the kernel-independent core of the module: parsing
 * and canonical formatting of the two list parameters, and the immutable
 * prefix tables the packet path looks addresses up in.  The core is built
 * unchanged in userspace by tests/unit, which provides the handful of
 * kernel helpers it uses (tests/unit/hoguard_user.h).
 */
#ifndef HOGUARD_H
#define HOGUARD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/if.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/random.h>
/*
 * hex_to_bin() moved out of <linux/kernel.h> into <linux/hex.h> in 7.2.
 * Kbuild looks for that header in the kernel's headers: __has_include
 * would do, but sparse (0.6.5 and older) does not know it.
 */
#ifdef HOG_HAVE_LINUX_HEX_H
#include <linux/hex.h>
#endif
/*
 * alloc_workqueue() flags: since 7.2 a workqueue asked for with neither
 * WQ_PERCPU nor WQ_UNBOUND gets a WARN (a panic under panic_on_warn).
 * WQ_PERCPU (6.17, backported to 6.12.y) is what 0 meant before it; it is
 * an enum constant, so Kbuild looks for it in <linux/workqueue.h>.
 */
#ifdef HOG_HAVE_WQ_PERCPU
#define HOG_WQ_FLAGS		WQ_PERCPU
#else
#define HOG_WQ_FLAGS		0
#endif
#else
#include "hoguard_user.h"
#endif

#define HOGUARD_VERSION		"0.1.0"

/* Limits, documented in README.md. */
#define HOG_MAX_PATTERNS	64
#define HOG_MAX_PREFIXES	65536
/* Longest element we try to parse: an IPv6 address with a v4 tail, "/128". */
#define HOG_MAX_ELEM		64

#ifdef __KERNEL__
/*
 * Test builds (KCFLAGS=-DHOG_FAULT_TEST, tests/faults) can make every Nth
 * allocation of the module fail; the others never do.
 */
#ifdef HOG_FAULT_TEST
bool hog_fault(void);
#else
static inline bool hog_fault(void)
{
	return false;
}
#endif

/* Zeroed memory; large only where the caller may sleep (hoguard.c). */
void *hog_alloc(size_t size, gfp_t gfp);

static inline void hog_free(const void *p)
{
	kvfree(p);
}
#endif

/* Address families as the core sees them (independent of AF_* values). */
#define HOG_V4			4
#define HOG_V6			6

/* One host-only device pattern: a full name, or a prefix when @wild. */
struct hog_pattern {
	char name[IFNAMSIZ];
	u8 len;
	bool wild;
};

struct hog_pats {
	unsigned int n;
	struct hog_pattern pat[HOG_MAX_PATTERNS];
};

/*
 * A prefix.  Addresses are kept in network byte order; an IPv4 address
 * lives in a[0] and a[1..3] are zero, so that equal prefixes compare equal
 * with memcmp().
 */
struct hog_pfx {
	u8 family;
	u8 len;
	__be32 a[4];
};

/* A sorted, duplicate-free list of prefixes (the canonical form). */
struct hog_list {
	u32 n;
	struct hog_pfx p[];
};

/*
 * Membership tables: "is this address inside any prefix?".  Prefixes
 * covered by a shorter one are dropped when a table is built, so the
 * remaining ones are disjoint, and every answer is a plain yes or no.
 *
 * IPv4, up to HOG_LIN4 prefixes: a list, compared one by one.  More: a
 * multibit trie of strides 16, 8, 8 whose leaves are bits.  The first level
 * is an array indexed by the address's first 16 bits: 0 outside, 1 inside,
 * else the byte offset of a node.  A node has a code for each value of the
 * third byte: 0 outside, 1 inside (/17../24), else a leaf, a bitmap of the
 * last byte (/25../32): the leaf base of the code's quarter + code - 2.
 * One array read for an address outside every guarded /16, at most one
 * more byte read and one bit test otherwise, whatever the lengths present.
 * Memory: 256 KiB, 272 bytes per /16 holding prefixes longer than /16 and
 * 32 bytes per /24 holding prefixes longer than /24.
 */
#define HOG_LIN4		4

struct hog_node4 {
	u32 base[4];	/* the leaf of code 2, for each 64 codes */
	u8 code[256];
};

struct hog_lpm4 {
	u32 *r16;		/* NULL: the list */
	struct hog_node4 *node;	/* node[0] unused */
	u64 (*leaf)[4];
	u32 nlin;
	u32 lin_m[HOG_LIN4];	/* host order: mask, */
	u32 lin_p[HOG_LIN4];	/* and prefix */
};

/*
 * IPv6: the address is cut into bytes.  A prefix of length L (1 <= L)
 * belongs to the group of level i = (L - 1) / 8: the block of the address's
 * first i bytes, where it sets the bits of byte i it covers in a 256-bit
 * bitmap.  Level 0 is the table's root bitmap; a /0 sets all of it.  The
 * groups of the levels 1..15 live in one open-addressing hash, keyed by
 * level and first bytes, and are found by a binary search over the levels
 * (Waldvogel et al.): level 8 first, then 4, 2, 1 deeper or shallower, 4
 * probes at most whatever the lengths present.  Where the search goes
 * deeper from level j towards a group of level i > j it needs an entry at
 * level j: a marker (HOG_MARK), which a group may also be.  Since the
 * prefixes are disjoint, the deepest entry found decides: the address's
 * bit in its group (none in a marker only), or the root's when there is
 * none; a found entry that is no marker ends the search.
 *
 * In front, a Bloom-style bit test on the address masked to the shortest
 * length present: an address outside every guarded block costs that one
 * test.
 */
#define HOG_MARK		1u	/* hog_ent6 val: go deeper */

struct hog_ent6 {
	u64 k0, k1;	/* host order: first bytes, level in k1's low byte */
	u32 val;	/* bitmap index (>= 1) << 1 | HOG_MARK; 0: empty slot */
};

struct hog_lpm6 {
	u32 hmask;		/* hash slots - 1 */
	u8 hshift;		/* 64 - log2(slots) */
	u8 bshift;		/* 32 - log2(bloom bits) */
	u64 seed;		/* the hash's odd multiplier */
	__be32 bkey[4];		/* mask of the shortest length: the bloom key */
	const unsigned long *bloom;
	struct hog_ent6 *e6;
	u64 (*bits)[4];		/* the root (level 0), an empty one, groups */
};

struct hog_tab {
	struct rcu_head rcu;
	struct hog_lpm4 v4;
	struct hog_lpm6 v6;
};

/* Fibonacci hashing, as hash_32(): the high bits of the product. */
static inline u32 hog_hash(u32 x, unsigned int shift)
{
	return (x * 0x61C88647u) >> shift;
}

static inline bool hog_bloom_test(const struct hog_lpm6 *t, u32 h)
{
	h = hog_hash(h, t->bshift);
	return (t->bloom[h / BITS_PER_LONG] >> (h % BITS_PER_LONG)) & 1;
}

/* 8 bytes of an address (4-byte aligned), as they are in memory. */
struct hog_u64 {
	u64 v;
} __packed;

static inline u64 hog_ld64(const __be32 *p)
{
	return ((const struct hog_u64 *)p)->v;
}

/* The bloom key of an IPv6 address: its masked words, folded. */
static inline u32 hog_fold6(const __be32 *a, const __be32 *m)
{
	u64 x = (hog_ld64(a) & hog_ld64(m)) +
		(hog_ld64(a + 2) & hog_ld64(m + 2)) * 0x9E3779B97F4A7C15ull;

	return x ^ (x >> 32);
}

/* Past the first level: the node of the address's /16, then maybe a leaf. */
static __always_inline bool hog_lpm_probe4(const struct hog_lpm4 *t, u32 x,
					   u32 e)
{
	const struct hog_node4 *n = (const void *)((const u8 *)t->node + e);
	u32 j = (x >> 8) & 0xff, c = n->code[j];
	const u64 *leaf;

	if (c < 2)
		return c;
	leaf = t->leaf[n->base[j / 64] + c - 2];
	j = x & 0xff;
	return (leaf[j / 64] >> (j % 64)) & 1;
}

/* The bits of an IPv6 key of level @i in half @half: its first i bytes. */
static __always_inline u64 hog_m6(unsigned int i, unsigned int half)
{
	int bits = 8 * i - 64 * half;

	if (bits <= 0)
		return 0;
	if (bits >= 64)
		return ~0ull;
	return ~(~0ull >> bits);
}

/* Multiply-shift with the table's random odd multiplier. */
static __always_inline unsigned long hog_hash6(const struct hog_lpm6 *t,
					       u64 k0, u64 k1)
{
	return ((k0 + k1) * t->seed) >> t->hshift;
}

/* The entry of key @k0, @k1, NULL if there is none. */
static __always_inline const struct hog_ent6 *
hog_find6(const struct hog_lpm6 *t, u64 k0, u64 k1)
{
	unsigned long h = hog_hash6(t, k0, k1);
	const struct hog_ent6 *e = &t->e6[h];

	while (e->k1 != k1 || e->k0 != k0) {
		if (!e->val)
			return NULL;
		h = (h + 1) & t->hmask;
		e = &t->e6[h];
	}
	return e;
}

/*
 * The deepest entry the search found, and the address's byte after its
 * block: the answer is that byte's bit in its group (none for a marker
 * only), or in the root when the search found nothing.
 */
struct hog_hit {
	u32 val;
	u32 j;
};

/*
 * One step of the search at level @i (a constant): -1 not found (go
 * shallower), 1 found a marker (go deeper), 0 found the last entry.
 */
static __always_inline int hog_step6(const struct hog_lpm6 *t, const u8 *b,
				     u64 hi, u64 lo, unsigned int i,
				     struct hog_hit *g)
{
	const struct hog_ent6 *e = hog_find6(t, hi & hog_m6(i, 0),
					     (lo & hog_m6(i, 1)) | i);

	if (!e)
		return -1;
	g->val = e->val;
	g->j = b[i];
	return e->val & HOG_MARK;
}

/* Subtrees of the search, of height 1 to 3. */
static __always_inline void hog_h1(const struct hog_lpm6 *t, const u8 *b,
				   u64 hi, u64 lo, unsigned int i,
				   struct hog_hit *g)
{
	hog_step6(t, b, hi, lo, i, g);
}

static __always_inline void hog_h2(const struct hog_lpm6 *t, const u8 *b,
				   u64 hi, u64 lo, unsigned int i,
				   struct hog_hit *g)
{
	int r = hog_step6(t, b, hi, lo, i, g);

	if (r > 0)
		hog_h1(t, b, hi, lo, i + 1, g);
	else if (r < 0)
		hog_h1(t, b, hi, lo, i - 1, g);
}

static __always_inline void hog_h3(const struct hog_lpm6 *t, const u8 *b,
				   u64 hi, u64 lo, unsigned int i,
				   struct hog_hit *g)
{
	int r = hog_step6(t, b, hi, lo, i, g);

	if (r > 0)
		hog_h2(t, b, hi, lo, i + 2, g);
	else if (r < 0)
		hog_h2(t, b, hi, lo, i - 2, g);
}

/* The levels 1..15: 8, then 4, 2, 1 apart. */
static __always_inline bool hog_lpm_probe6(const struct hog_lpm6 *t,
					   const __be32 *a)
{
	u64 hi = be64_to_cpu((__force __be64)hog_ld64(a));
	u64 lo = be64_to_cpu((__force __be64)hog_ld64(a + 2));
	const u8 *b = (const u8 *)a;
	struct hog_hit g = { .j = b[0] };
	const u64 *bm;
	int r = hog_step6(t, b, hi, lo, 8, &g);

	if (r > 0)
		hog_h3(t, b, hi, lo, 12, &g);
	else if (r < 0)
		hog_h3(t, b, hi, lo, 4, &g);
	/* val 0: none found, the root; a marker only: an empty bitmap */
	bm = t->bits[g.val >> 1];
	return (bm[g.j / 64] >> (g.j % 64)) & 1;
}

/*
 * The packet path.  IPv4: one array read for an address outside every
 * guarded /16 (or a comparison per prefix of a short list).  IPv6: one bit
 * test for an address outside every guarded block, at most 4 hash probes
 * otherwise.  An empty IPv6 table has a bloom filter with no bit set.
 * hog_tab_maybe*() is that first step alone (false: certainly outside), for
 * a caller that takes any other answer to hog_tab_has*() out of line.
 */
static inline bool hog_tab_maybe4(const struct hog_tab *t, __be32 a)
{
	const struct hog_lpm4 *l = &t->v4;
	u32 x = be32_to_cpu(a), i;

	if (l->r16)
		return l->r16[x >> 16];
	for (i = 0; i < l->nlin; i++)
		if ((x & l->lin_m[i]) == l->lin_p[i])
			return true;
	return false;
}

static inline bool hog_tab_maybe6(const struct hog_tab *t, const __be32 *a)
{
	const struct hog_lpm6 *l = &t->v6;

	return hog_bloom_test(l, hog_fold6(a, l->bkey));
}

static inline bool hog_tab_has4(const struct hog_tab *t, __be32 a)
{
	const struct hog_lpm4 *l = &t->v4;
	u32 x = be32_to_cpu(a), e;

	if (l->r16) {
		e = l->r16[x >> 16];
		return e > 1 ? hog_lpm_probe4(l, x, e) : e;
	}
	return hog_tab_maybe4(t, a);
}

static inline bool hog_tab_has6(const struct hog_tab *t, const __be32 *a)
{
	return hog_tab_maybe6(t, a) && hog_lpm_probe6(&t->v6, a);
}

/* Why a write was refused, for the one log line the kernel side prints. */
struct hog_err {
	char msg[128];
};

int hog_pats_update(struct hog_pats *out, const struct hog_pats *cur,
		    const char *val, struct hog_err *err);
int hog_pats_format(const struct hog_pats *p, char *buf, size_t size);
bool hog_pats_match(const struct hog_pats *p, const char *name);

int hog_pfx_parse(const char *s, size_t len, struct hog_pfx *out);
int hog_pfx_format(const struct hog_pfx *p, char *buf, size_t size);
int hog_pfx_cmp(const struct hog_pfx *x, const struct hog_pfx *y);
void hog_pfx_mask(struct hog_pfx *p);

struct hog_list *hog_list_alloc(u32 n, gfp_t gfp);
int hog_list_update(struct hog_list **out, const struct hog_list *cur,
		    const char *val, struct hog_err *err);
struct hog_list *hog_list_merge(const struct hog_list *x,
				const struct hog_list *y, gfp_t gfp);
void hog_list_canon(struct hog_list *l);
int hog_list_format(const struct hog_list *l, char *buf, size_t size);

struct hog_tab *hog_tab_build(const struct hog_list *l, gfp_t gfp);
void hog_tab_free(struct hog_tab *t);

#endif /* HOGUARD_H */
