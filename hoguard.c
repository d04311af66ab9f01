// SPDX-License-Identifier: GPL-2.0
/*
 * hoguard: keep host-only virtual networks inside the host.
 *
 * Netfilter hooks at FORWARD and POST_ROUTING, for IPv4 and IPv6, in every
 * network namespace, drop what would leave a host-only network or be
 * routed into one, whatever the firewall ruleset says.  See README.md.
 *
 * The first part of this file is the kernel-independent core (parsing,
 * canonical forms, prefix tables); tests/unit compiles it in userspace.
 * The kernel glue (hooks, notifiers, parameters) follows under __KERNEL__.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#ifdef __KERNEL__
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/error-injection.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/sort.h>
#include <linux/string.h>
#endif
#include "hoguard.h"

/* ---------------------------------------------------------------------- */
/* Core: input handling shared by both list parameters                   */

enum hog_op { HOG_REPLACE, HOG_ADD, HOG_DEL };

/*
 * Split a written value into its operation and body.  One trailing newline
 * is ignored; a leading '+' or '-' selects add or remove.
 */
static enum hog_op hog_prep(const char *val, size_t *len)
{
	*len = strlen(val);
	if (*len && val[*len - 1] == '\n')
		(*len)--;
	if (*len && (val[0] == '+' || val[0] == '-'))
		return val[0] == '+' ? HOG_ADD : HOG_DEL;
	return HOG_REPLACE;
}

/* Length of the element starting at @s, up to the next ',' or @end. */
static size_t hog_elem(const char *s, const char *end)
{
	const char *c = s;

	while (c < end && *c != ',')
		c++;
	return c - s;
}

/* Quote an element for a log line, without its unprintable bytes. */
static void hog_err_elem(struct hog_err *err, const char *what,
			 const char *s, size_t len)
{
	char q[HOG_MAX_ELEM + 1];
	size_t i, n = min_t(size_t, len, HOG_MAX_ELEM);

	for (i = 0; i < n; i++)
		q[i] = (s[i] > ' ' && s[i] < 0x7f) ? s[i] : '?';
	q[n] = '\0';
	snprintf(err->msg, sizeof(err->msg), "%s \"%s%s\"", what, q,
		 len > n ? "..." : "");
}

/* ---------------------------------------------------------------------- */
/* Core: host-only device patterns                                        */

static int hog_pat_parse(const char *s, size_t len, struct hog_pattern *p,
			 struct hog_err *err)
{
	size_t n = len, i;

	memset(p, 0, sizeof(*p));
	if (n && (s[n - 1] == '*' || s[n - 1] == '+')) {
		p->wild = true;
		n--;
	}
	if (!len) {
		hog_err_elem(err, "empty element", s, len);
		return -EINVAL;
	}
	if (!n) {
		hog_err_elem(err, "a lone wildcard would match every device:",
			     s, len);
		return -EINVAL;
	}
	if (n >= IFNAMSIZ) {
		hog_err_elem(err, "name longer than 15 characters", s, len);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == '*') {
			hog_err_elem(err, "invalid interface name", s, len);
			return -EINVAL;
		}
	}
	/* would read back as an add or remove operation */
	if (s[0] == '+' || s[0] == '-') {
		hog_err_elem(err, "name starting with + or -", s, len);
		return -EINVAL;
	}
	if (!p->wild && ((n == 1 && s[0] == '.') ||
			 (n == 2 && s[0] == '.' && s[1] == '.'))) {
		hog_err_elem(err, "invalid interface name", s, len);
		return -EINVAL;
	}
	memcpy(p->name, s, n);
	p->len = n;
	return 0;
}

static int hog_pats_find(const struct hog_pats *p, const struct hog_pattern *x)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (p->pat[i].wild == x->wild && !strcmp(p->pat[i].name, x->name))
			return i;
	return -1;
}

/*
 * Apply a write to the pattern list @cur, giving @out.  Patterns keep the
 * order they were given in; duplicates collapse.  @out is only meaningful
 * when 0 is returned.
 */
int hog_pats_update(struct hog_pats *out, const struct hog_pats *cur,
		    const char *val, struct hog_err *err)
{
	struct hog_pattern x;
	const char *s, *end;
	enum hog_op op;
	size_t len;
	int ret, i;

	op = hog_prep(val, &len);
	s = val + (op != HOG_REPLACE);
	end = val + len;
	if (op == HOG_REPLACE)
		out->n = 0;
	else
		*out = *cur;
	if (op == HOG_REPLACE && s == end)
		return 0;

	for (;;) {
		size_t n = hog_elem(s, end);

		ret = hog_pat_parse(s, n, &x, err);
		if (ret)
			return ret;
		i = hog_pats_find(out, &x);
		if (op == HOG_DEL) {
			if (i < 0) {
				hog_err_elem(err, "not in the list:", s, n);
				return -ENOENT;
			}
			out->n--;
			memmove(&out->pat[i], &out->pat[i + 1],
				(out->n - i) * sizeof(out->pat[0]));
		} else if (i < 0) {
			if (out->n == HOG_MAX_PATTERNS) {
				snprintf(err->msg, sizeof(err->msg),
					 "more than %d patterns",
					 HOG_MAX_PATTERNS);
				return -ENOSPC;
			}
			out->pat[out->n++] = x;
		}
		s += n;
		if (s == end)
			return 0;
		s++;	/* the comma */
	}
}

int hog_pats_format(const struct hog_pats *p, char *buf, size_t size)
{
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < p->n && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%s%s", i ? "," : "",
				p->pat[i].name, p->pat[i].wild ? "*" : "");
	if (off < size)
		off += snprintf(buf + off, size - off, "\n");
	return off < size ? (int)off : -EOVERFLOW;
}

bool hog_pats_match(const struct hog_pats *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		const struct hog_pattern *x = &p->pat[i];

		if (x->wild ? !strncmp(name, x->name, x->len) :
			      !strcmp(name, x->name))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Core: prefixes                                                          */

/* A decimal number of 1-3 digits, no leading zero, at most @max. */
static int hog_parse_dec(const char *s, size_t len, unsigned int max)
{
	unsigned int v = 0;
	size_t i;

	if (!len || len > 3 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit(s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? (int)v : -EINVAL;
}

/* Strict dotted quad: four decimal octets, no leading zeros. */
static int hog_parse4(const char *s, size_t len, u8 *out)
{
	const char *end = s + len;
	int i, v;

	for (i = 0; i < 4; i++) {
		const char *d = s;

		while (d < end && *d != '.')
			d++;
		/* the last octet runs to the end, the others to a dot */
		if (i == 3 ? d != end : d == end)
			return -EINVAL;
		v = hog_parse_dec(s, d - s, 255);
		if (v < 0)
			return v;
		out[i] = v;
		s = d + 1;
	}
	return 0;
}

/* RFC 4291 text form, with an optional dotted-quad tail. */
static int hog_parse6(const char *s, size_t len, u8 *out)
{
	u16 g[8];
	int n = 0, gap = -1, k;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len && s[0] == ':') {
		return -EINVAL;
	}
	while (i < len) {
		size_t j = i;
		unsigned int v = 0;

		while (j < len && j - i < 5 && isxdigit(s[j]))
			v = v * 16 + hex_to_bin(s[j++]);
		if (j < len && s[j] == '.') {
			u8 q[4];

			if (n > 6 || hog_parse4(s + i, len - i, q))
				return -EINVAL;
			g[n++] = q[0] << 8 | q[1];
			g[n++] = q[2] << 8 | q[3];
			break;
		}
		if (j == i || j - i > 4 || n == 8)
			return -EINVAL;
		g[n++] = v;
		i = j;
		if (i == len)
			break;
		if (s[i++] != ':' || i == len)
			return -EINVAL;
		if (s[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = n;
			i++;
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return -EINVAL;
	memset(out, 0, 16);
	for (k = 0; k < n; k++) {
		int at = (gap >= 0 && k >= gap) ? k + 8 - n : k;

		out[2 * at] = g[k] >> 8;
		out[2 * at + 1] = g[k] & 0xff;
	}
	return 0;
}

static __be32 hog_mask_word(unsigned int len, unsigned int word)
{
	int bits = (int)len - 32 * (int)word;

	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return cpu_to_be32(0xffffffffu);
	return cpu_to_be32(~0u << (32 - bits));
}

void hog_pfx_mask(struct hog_pfx *p)
{
	unsigned int w;

	for (w = 0; w < 4; w++)
		p->a[w] &= hog_mask_word(p->len, w);
}

static bool hog_pfx_v4mapped(const struct hog_pfx *p)
{
	return p->family == HOG_V6 && p->len >= 96 && !p->a[0] && !p->a[1] &&
	       p->a[2] == cpu_to_be32(0x0000ffff);
}

/*
 * Parse "ADDR[/LEN]" (IPv4 or IPv6).  Host bits are cleared.  Returns 0 or
 * -EINVAL.
 */
int hog_pfx_parse(const char *s, size_t len, struct hog_pfx *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	bool v6 = memchr(s, ':', alen);
	unsigned int max = v6 ? 128 : 32;
	u8 raw[16];
	int plen = max;

	memset(out, 0, sizeof(*out));
	if (v6 ? hog_parse6(s, alen, raw) : hog_parse4(s, alen, raw))
		return -EINVAL;
	if (slash) {
		plen = hog_parse_dec(slash + 1, len - alen - 1, max);
		if (plen < 0)
			return plen;
	}
	out->family = v6 ? HOG_V6 : HOG_V4;
	out->len = plen;
	memcpy(out->a, raw, v6 ? 16 : 4);
	hog_pfx_mask(out);
	if (hog_pfx_v4mapped(out))
		return -EINVAL;
	return 0;
}

int hog_pfx_cmp(const struct hog_pfx *x, const struct hog_pfx *y)
{
	unsigned int w;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	for (w = 0; w < 4; w++) {
		u32 a = be32_to_cpu(x->a[w]), b = be32_to_cpu(y->a[w]);

		if (a != b)
			return a < b ? -1 : 1;
	}
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

/* The compressed form printk's %pI6c prints: RFC 5952, and v4 tails. */
static int hog_format6(const u8 *b, char *buf, size_t size)
{
	int i, j, range, longest = 1, colonpos = -1, off = 0;
	bool needcolon = false, v4tail;
	u16 g[8];

	for (i = 0; i < 8; i++)
		g[i] = b[2 * i] << 8 | b[2 * i + 1];
	/* IPv4-mapped, and ISATAP (::0:5efe:a.b.c.d, ::200:5efe:a.b.c.d) */
	v4tail = (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) ||
		 ((g[4] | 0x0200) == 0x0200 && g[5] == 0x5efe);
	range = v4tail ? 6 : 8;
	for (i = 0; i < range; i++) {
		for (j = i; j < range && !g[j]; j++)
			;
		if (j - i > longest) {
			longest = j - i;
			colonpos = i;
		}
	}
	for (i = 0; i < range; i++) {
		if (i == colonpos) {
			off += snprintf(buf + off, size - off, "%s:",
					needcolon || !i ? ":" : "");
			needcolon = false;
			i += longest - 1;
			continue;
		}
		off += snprintf(buf + off, size - off, "%s%x",
				needcolon ? ":" : "", g[i]);
		needcolon = true;
	}
	if (v4tail)
		off += snprintf(buf + off, size - off, "%s%u.%u.%u.%u",
				needcolon ? ":" : "", b[12], b[13], b[14], b[15]);
	return off;
}

/* @size must hold the longest form, HOG_MAX_ELEM bytes. */
int hog_pfx_format(const struct hog_pfx *p, char *buf, size_t size)
{
	const u8 *b = (const u8 *)p->a;
	int off;

	if (p->family == HOG_V4)
		off = snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	else
		off = hog_format6(b, buf, size);
	return off + snprintf(buf + off, size - off, "/%u", p->len);
}

/* ---------------------------------------------------------------------- */
/* Core: prefix lists                                                      */

noinline struct hog_list *hog_list_alloc(u32 n, gfp_t gfp)
{
	struct hog_list *l = hog_alloc(struct_size(l, p, n), gfp);

	if (l)
		l->n = 0;
	return l;
}

ALLOW_ERROR_INJECTION(hog_list_alloc, NULL);

static int hog_pfx_cmp_sort(const void *x, const void *y)
{
	return hog_pfx_cmp(x, y);
}

/* Sort and drop duplicates. */
void hog_list_canon(struct hog_list *l)
{
	u32 i, n = 0;

	sort(l->p, l->n, sizeof(l->p[0]), hog_pfx_cmp_sort, NULL);
	for (i = 0; i < l->n; i++)
		if (!n || hog_pfx_cmp(&l->p[n - 1], &l->p[i]))
			l->p[n++] = l->p[i];
	l->n = n;
}

static bool hog_list_has(const struct hog_list *l, const struct hog_pfx *x)
{
	u32 lo = 0, hi = l->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = hog_pfx_cmp(&l->p[mid], x);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Union of two canonical lists, canonical. */
struct hog_list *hog_list_merge(const struct hog_list *x,
				const struct hog_list *y, gfp_t gfp)
{
	struct hog_list *l = hog_list_alloc(x->n + y->n, gfp);
	u32 i = 0, j = 0;

	if (!l)
		return NULL;
	while (i < x->n || j < y->n) {
		int c = i == x->n ? 1 : j == y->n ? -1 :
			hog_pfx_cmp(&x->p[i], &y->p[j]);

		l->p[l->n++] = c <= 0 ? x->p[i] : y->p[j];
		i += c <= 0;
		j += c >= 0;
	}
	return l;
}

/* Parse every element of a list write into a new canonical list. */
static struct hog_list *hog_list_parse(const char *s, const char *end,
				       struct hog_err *err, int *ret)
{
	struct hog_list *l;
	const char *c;
	u32 n = 1;

	for (c = s; c < end; c++)
		n += *c == ',';
	if (n > HOG_MAX_PREFIXES) {
		snprintf(err->msg, sizeof(err->msg), "more than %d prefixes",
			 HOG_MAX_PREFIXES);
		*ret = -ENOSPC;
		return NULL;
	}
	l = hog_list_alloc(n, GFP_KERNEL);
	if (!l) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		*ret = -ENOMEM;
		return NULL;
	}
	for (;;) {
		size_t len = hog_elem(s, end);
		struct hog_pfx *p = &l->p[l->n];

		if (!len || len > HOG_MAX_ELEM || hog_pfx_parse(s, len, p)) {
			hog_err_elem(err, !len ? "empty element" :
				     hog_pfx_v4mapped(p) ?
				     "IPv4-mapped prefix, write the IPv4 one:" :
				     "invalid prefix", s, len);
			hog_free(l);
			*ret = -EINVAL;
			return NULL;
		}
		l->n++;
		s += len;
		if (s == end)
			break;
		s++;
	}
	hog_list_canon(l);
	return l;
}

/*
 * Apply a write to the prefix list @cur.  On success *@out is a new
 * canonical list owned by the caller; on failure nothing is allocated.
 */
int hog_list_update(struct hog_list **out, const struct hog_list *cur,
		    const char *val, struct hog_err *err)
{
	struct hog_list *add, *res;
	enum hog_op op;
	size_t len;
	u32 i, j;
	int ret;

	op = hog_prep(val, &len);
	if (op == HOG_REPLACE && !len) {
		*out = hog_list_alloc(0, GFP_KERNEL);
		return *out ? 0 : -ENOMEM;
	}
	add = hog_list_parse(val + (op != HOG_REPLACE), val + len, err, &ret);
	if (!add)
		return ret;
	if (op == HOG_REPLACE) {
		*out = add;
		return 0;
	}
	if (op == HOG_ADD) {
		res = hog_list_merge(cur, add, GFP_KERNEL);
		ret = res ? 0 : -ENOMEM;
		if (res && res->n > HOG_MAX_PREFIXES) {
			snprintf(err->msg, sizeof(err->msg),
				 "more than %d prefixes", HOG_MAX_PREFIXES);
			hog_free(res);
			ret = -ENOSPC;
		}
		goto out;
	}
	for (j = 0; j < add->n; j++) {
		if (!hog_list_has(cur, &add->p[j])) {
			char b[HOG_MAX_ELEM];

			hog_pfx_format(&add->p[j], b, sizeof(b));
			hog_err_elem(err, "not in the list:", b, strlen(b));
			ret = -ENOENT;
			goto out_free;
		}
	}
	res = hog_list_alloc(cur->n, GFP_KERNEL);
	ret = -ENOMEM;
	if (!res)
		goto out_free;
	for (i = 0, j = 0; i < cur->n; i++) {
		while (j < add->n && hog_pfx_cmp(&add->p[j], &cur->p[i]) < 0)
			j++;
		if (j == add->n || hog_pfx_cmp(&add->p[j], &cur->p[i]))
			res->p[res->n++] = cur->p[i];
	}
	ret = 0;
out:
	if (!ret)
		*out = res;
out_free:
	hog_free(add);
	return ret;
}

int hog_list_format(const struct hog_list *l, char *buf, size_t size)
{
	char b[HOG_MAX_ELEM];
	size_t off = 0;
	u32 i;

	for (i = 0; i < l->n; i++) {
		int n = hog_pfx_format(&l->p[i], b, sizeof(b));

		if (off + n + 2 >= size)
			return -EOVERFLOW;
		if (i)
			buf[off++] = ',';
		memcpy(buf + off, b, n);
		off += n;
	}
	if (off + 2 > size)
		return -EOVERFLOW;
	buf[off++] = '\n';
	buf[off] = '\0';
	return off;
}

/* ---------------------------------------------------------------------- */
/* Core: lookup tables                                                     */

/* IPv4 ------------------------------------------------------------------ */

/* Set the bits [@j, @j + @n) of a 256-bit bitmap. */
static void hog_set_bits(u64 *b, u32 j, u32 n)
{
	for (; n--; j++)
		b[j / 64] |= 1ull << (j % 64);
}

static void hog_lpm4_free(struct hog_lpm4 *t)
{
	hog_free(t->r16);
	hog_free(t->node);
	hog_free(t->leaf);
	memset(t, 0, sizeof(*t));
}

/*
 * @p: @n canonical IPv4 prefixes, none covered by another.  In address
 * order the prefixes of one /16 follow each other, and within it those of
 * one third byte: nodes and leaves are numbered in that order.
 */
static int hog_lpm4_build(struct hog_lpm4 *t, const struct hog_pfx *p, u32 n,
			  gfp_t gfp)
{
	u32 i, k, nodes = 1, leaves = 0, last16 = 0, last24 = 0;
	bool have16 = false, have24 = false;
	struct hog_node4 *nd = NULL;

	memset(t, 0, sizeof(*t));
	if (n <= HOG_LIN4) {
		for (i = 0; i < n; i++) {
			t->lin_m[i] = be32_to_cpu(hog_mask_word(p[i].len, 0));
			t->lin_p[i] = be32_to_cpu(p[i].a[0]);
		}
		t->nlin = n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		u32 x = be32_to_cpu(p[i].a[0]);

		if (p[i].len <= 16)
			continue;
		if (!have16 || x >> 16 != last16) {
			nodes++;
			last16 = x >> 16;
			have16 = true;
			have24 = false;
		}
		if (p[i].len > 24 && (!have24 || x >> 8 != last24)) {
			leaves++;
			last24 = x >> 8;
			have24 = true;
		}
	}
	t->r16 = hog_alloc(array_size(1 << 16, sizeof(*t->r16)), gfp);
	t->node = hog_alloc(array_size(nodes, sizeof(*t->node)), gfp);
	t->leaf = hog_alloc(array_size(leaves + 1, sizeof(*t->leaf)), gfp);
	if (!t->r16 || !t->node || !t->leaf) {
		hog_lpm4_free(t);
		return -ENOMEM;
	}
	nodes = 0;
	leaves = 0;
	have16 = false;
	for (i = 0; i < n; i++) {
		u32 x = be32_to_cpu(p[i].a[0]), len = p[i].len, j = (x >> 8) & 0xff;

		if (len <= 16) {
			for (k = 0; k < 1u << (16 - len); k++)
				t->r16[(x >> 16) + k] = 1;
			continue;
		}
		if (!have16 || x >> 16 != last16) {
			nd = &t->node[++nodes];
			t->r16[x >> 16] = nodes * sizeof(*nd);
			last16 = x >> 16;
			have16 = true;
			have24 = false;
			for (k = 0; k < 4; k++)
				nd->base[k] = U32_MAX;
		}
		if (len <= 24) {
			memset(&nd->code[j], 1, 1u << (24 - len));
			continue;
		}
		if (!have24 || x >> 8 != last24) {
			/* codes 2.. of this quarter count from its first leaf */
			if (nd->base[j / 64] == U32_MAX)
				nd->base[j / 64] = leaves;
			nd->code[j] = leaves - nd->base[j / 64] + 2;
			leaves++;
			last24 = x >> 8;
			have24 = true;
		}
		hog_set_bits(t->leaf[leaves - 1], x & 0xff, 1u << (32 - len));
	}
	return 0;
}

/* IPv6 ------------------------------------------------------------------ */

static const unsigned long hog_nobits[1];

static void hog_lpm6_free(struct hog_lpm6 *t)
{
	if (t->bloom != hog_nobits)
		hog_free(t->bloom);
	hog_free(t->e6);
	hog_free(t->bits);
	memset(t, 0, sizeof(*t));
	t->bloom = hog_nobits;
	t->bshift = 32 - ilog2(BITS_PER_LONG);
}

/* The last entry noted at a level, while building. */
struct hog_last {
	u64 k0, k1;
	u32 slot;	/* + 1; 0: none yet */
	bool group;
};

struct hog_build {
	struct hog_lpm6 *t;	/* ->e6 NULL: counting */
	u32 nent, ngroup;
	struct hog_last last[16];
};

/*
 * Note the entry of level @i for the prefix @p: its group (@group) or a
 * marker.  The entries of one level come in key order (the list is
 * sorted), so equal keys follow each other.
 */
static void hog_note(struct hog_build *b, const struct hog_pfx *p,
		     unsigned int i, bool group)
{
	struct hog_lpm6 *t = b->t;
	struct hog_last *l = &b->last[i];
	u64 k0, k1;
	u32 h;

	k0 = ((u64)be32_to_cpu(p->a[0]) << 32 | be32_to_cpu(p->a[1])) &
	     hog_m6(i, 0);
	k1 = ((u64)be32_to_cpu(p->a[2]) << 32 | be32_to_cpu(p->a[3])) &
	     hog_m6(i, 1);
	k1 |= i;
	if (!l->slot || l->k0 != k0 || l->k1 != k1) {
		l->k0 = k0;
		l->k1 = k1;
		l->group = false;
		l->slot = ++b->nent;
		if (t->e6) {
			h = hog_hash6(t, k0, k1);
			while (t->e6[h].val)
				h = (h + 1) & t->hmask;
			t->e6[h].k0 = k0;
			t->e6[h].k1 = k1;
			t->e6[h].val = 1 << 1;	/* the empty bitmap */
			l->slot = h + 1;
		}
	}
	if (group && !l->group) {
		b->ngroup++;
		if (t->e6) {	/* bits[0] is the root, bits[1] empty */
			u32 *v = &t->e6[l->slot - 1].val;

			*v = (*v & HOG_MARK) | (b->ngroup + 1) << 1;
		}
	}
	l->group |= group;
	if (t->e6)
		t->e6[l->slot - 1].val |= !group;
}

/*
 * Every entry the prefix @p needs: its group (level i >= 1), and a marker
 * on each level where the search turns deeper on its way to level i; then,
 * when filling, its bits.
 */
static void hog_add(struct hog_build *b, const struct hog_pfx *p)
{
	const u8 *a = (const u8 *)p->a;
	unsigned int i, j, step;
	u64 *bm;

	if (!p->len) {
		if (b->t->e6)
			hog_set_bits(b->t->bits[0], 0, 256);
		return;
	}
	i = (p->len - 1) / 8;
	for (j = 8, step = 4; i && j != i; step /= 2) {
		if (i > j)
			hog_note(b, p, j, false);
		j = i > j ? j + step : j - step;
	}
	if (i)
		hog_note(b, p, i, true);
	if (!b->t->e6)
		return;
	bm = b->t->bits[0];
	if (i)
		bm = b->t->bits[b->t->e6[b->last[i].slot - 1].val >> 1];
	hog_set_bits(bm, a[i], 1u << (8 * (i + 1) - p->len));
}

/* @p: @n canonical IPv6 prefixes, none covered by another. */
static int hog_lpm6_build(struct hog_lpm6 *t, const struct hog_pfx *p, u32 n,
			  gfp_t gfp)
{
	struct hog_build b = { .t = t };
	u32 i, bits, minlen = 128, slots;
	unsigned long *bloom;

	memset(t, 0, sizeof(*t));
	hog_lpm6_free(t);
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		minlen = min_t(u32, minlen, p[i].len);
		hog_add(&b, &p[i]);
	}
	for (i = 0; i < 4; i++)
		t->bkey[i] = hog_mask_word(minlen, i);

	/*
	 * At most a third full: a search that finds nothing reads 1.3 slots
	 * on average (linear probing), and with a random multiplier no one
	 * can tell which addresses meet the longer runs.
	 */
	slots = roundup_pow_of_two(3 * b.nent + 2);
	t->hmask = slots - 1;
	t->hshift = 64 - ilog2(slots);
	t->seed = get_random_u64() | 1;
	bits = clamp_t(u32, roundup_pow_of_two(16 * n), BITS_PER_LONG, 1 << 20);
	t->e6 = hog_alloc(array_size(slots, sizeof(*t->e6)), gfp);
	t->bits = hog_alloc(array_size(b.ngroup + 2, sizeof(*t->bits)), gfp);
	bloom = hog_alloc(bits / 8, gfp);
	if (!t->e6 || !t->bits || !bloom) {
		hog_free(bloom);
		hog_lpm6_free(t);
		return -ENOMEM;
	}
	memset(b.last, 0, sizeof(b.last));
	b.nent = 0;
	b.ngroup = 0;
	t->bshift = 32 - ilog2(bits);
	for (i = 0; i < n; i++) {
		u32 h = hog_hash(hog_fold6(p[i].a, t->bkey), t->bshift);

		hog_add(&b, &p[i]);
		bloom[h / BITS_PER_LONG] |= 1UL << (h % BITS_PER_LONG);
	}
	t->bloom = bloom;
	return 0;
}

static bool hog_pfx_covers(const struct hog_pfx *q, const struct hog_pfx *p)
{
	struct hog_pfx x = *p;

	if (q->family != p->family || q->len > p->len)
		return false;
	x.len = q->len;
	hog_pfx_mask(&x);
	return !memcmp(x.a, q->a, sizeof(x.a));
}

/*
 * Build the lookup table of a canonical list.  Prefixes covered by a
 * shorter one are left out: in sorted order the cover comes first, and
 * everything between the two lies inside it too.
 */
struct hog_tab *hog_tab_build(const struct hog_list *l, gfp_t gfp)
{
	struct hog_tab *t = hog_alloc(sizeof(*t), gfp);
	struct hog_list *k = hog_list_alloc(l->n, gfp);
	u32 i, n4;

	if (!t || !k)
		goto fail;
	for (i = 0; i < l->n; i++)
		if (!k->n || !hog_pfx_covers(&k->p[k->n - 1], &l->p[i]))
			k->p[k->n++] = l->p[i];
	for (n4 = 0; n4 < k->n && k->p[n4].family == HOG_V4; n4++)
		;
	if (hog_lpm4_build(&t->v4, k->p, n4, gfp) ||
	    hog_lpm6_build(&t->v6, k->p + n4, k->n - n4, gfp)) {
		hog_tab_free(t);
		t = NULL;
	}
	hog_free(k);
	return t;
fail:
	hog_free(k);
	hog_free(t);
	return NULL;
}

void hog_tab_free(struct hog_tab *t)
{
	if (!t)
		return;
	hog_lpm4_free(&t->v4);
	hog_lpm6_free(&t->v6);
	hog_free(t);
}

#ifdef __KERNEL__
/* ====================================================================== */
/* Kernel glue                                                             */

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/* Learned prefixes per namespace; more are left out, with a log line. */
#define HOG_MAX_LEARNED		1024
/*
 * Shorter learned prefixes are refused (a /0 typed by mistake on a
 * host-only device would guard everything), as are those that hold an
 * address of a device that is not host-only.
 */
#define HOG_MIN_LEARN4		8
#define HOG_MIN_LEARN6		16
/* A namespace whose state could not be rebuilt tries again after this. */
#define HOG_RETRY		(HZ / 2)

enum hog_reason { HOG_FORWARD, HOG_INBOUND, HOG_POSTROUTING, HOG_NR };

static const char * const hog_hook_name[HOG_NR] = {
	[HOG_FORWARD] = "FORWARD",
	[HOG_INBOUND] = "FORWARD",
	[HOG_POSTROUTING] = "POSTROUTING",
};

struct hog_stats {
	u64_stats_t drops[HOG_NR];
	struct u64_stats_sync syncp;
};

/*
 * A set of devices of one namespace: sorted ifindexes.  The set the packet
 * path reads (hog_net.devs) also has an open-addressing hash of them, at
 * most half full, so that testing a device costs the same for 1 device as
 * for 1,000; its multiplier is random, per set, so that the ifindexes a
 * namespace's owner picks cannot line up in one probe chain.
 */
struct hog_devs {
	struct rcu_head rcu;
	unsigned int n;
	u32 mul;		/* odd, random */
	u32 hmask;		/* hash slots - 1 */
	u8 hshift;		/* 32 - log2(hash slots) */
	int *slot;		/* 0: free; NULL: no hash */
	int ifindex[];
};

/*
 * One namespace.  The packet path reads @devs, its host-only devices
 * (@named by a pattern, or @addressed: holding an address inside a listed
 * prefix), @learned_tab, the prefixes learned from the named ones, and
 * @closed, set while a failed update leaves @devs possibly incomplete:
 * then every device counts as host-only at FORWARD and none at
 * POST_ROUTING, the strict reading of each, until the retry succeeds.
 */
struct hog_net {
	struct hog_devs __rcu *devs;
	struct hog_tab __rcu *learned_tab;
	struct hog_stats __percpu *stats;
	bool closed;
	bool dead;			/* past pre_exit: no more updates */
	struct nf_hook_ops ops[4];	/* hog_ops, with .priv = this */
	/* the rest under hog_mutex */
	struct list_head node;		/* on hog_nets */
	struct net *net;
	struct hog_devs *named;
	struct hog_devs *addressed;
	struct hog_list *learned;
	u32 refused;			/* learned prefixes left out, logged */
	bool over;			/* more than HOG_MAX_LEARNED, logged */
	struct delayed_work sync_work;	/* rebuild from what is there now */
	u64 stats_base[HOG_NR];
};

static unsigned int hog_net_id __read_mostly;
static struct hog_stats __percpu *hog_stats __read_mostly;
static struct workqueue_struct *hog_wq;	/* namespace rebuilds */
static DEFINE_MUTEX(hog_wq_mutex);	/* hog_wq's lifetime, for readers */

/*
 * The control path: parameter writes, device and address events, and
 * namespaces coming and going.  Lock order: rtnl (device notifier) ->
 * hog_mutex.  Parameter setters take hog_mutex only.
 */
static DEFINE_MUTEX(hog_mutex);
static LIST_HEAD(hog_nets);
static struct hog_pats hog_pats;
/*
 * What device events check a device's name against without hog_mutex: the
 * patterns in force, or while a write applies new ones, those.
 */
struct hog_pats_rcu {
	struct rcu_head rcu;
	struct hog_pats p;
};

static struct hog_pats_rcu __rcu *hog_pats_seen;
static struct hog_list *hog_listed;
static u64 hog_listed_gen;	/* hog_listed's publications */
/*
 * subnets_stage: canonical parts whose union is the stage, merged only when
 * it is needed whole (a '-', a read, a commit, a full array or a count
 * near the limit), so that N prefixes staged by '+' writes of a page cost
 * O(N log N), not O(N^2 / page).  No part: no stage.
 */
#define HOG_STAGE_PARTS		128
static struct hog_list *hog_stage_part[HOG_STAGE_PARTS];
static unsigned int hog_stage_parts;
static u32 hog_stage_sum;	/* the parts' sizes: duplicates counted */
static u64 hog_staged_gen;	/* hog_listed_gen when it was started */
static struct hog_tab __rcu *hog_listed_tab;	/* every namespace's */
/*
 * Set while a subnets write builds and publishes: an address event cannot
 * tell then whether the write's scan saw its address (hog_addr_event()).
 */
static int hog_listing;
static const struct hog_list hog_none;
static u64 hog_stats_base[HOG_NR];
static bool hog_live;	/* between init and exit: tables may have readers */

static bool hog_learn = true;
static bool hog_inbound = true;
static bool hog_log;
static bool hog_monitor;

static DEFINE_RATELIMIT_STATE(hog_log_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static inline struct hog_net *hog_pernet(const struct net *net)
{
	return net_generic(net, hog_net_id);
}

/*
 * The allocation helpers (hog_alloc, hog_list_alloc, hog_devs_alloc,
 * hog_stats_alloc) are out of line, and the kernel's fault injection may
 * make them fail (fail_function: tests/debug-kernel/faults.sh).  Every
 * caller handles a failure (fails closed, refuses the write, logs its own
 * line): no allocator warning, which anyone owning a namespace could
 * provoke, with a stack dump each time (a vmalloc fallback that fails).
 */
noinline void *hog_alloc(size_t size, gfp_t gfp)
{
	if (hog_fault())
		return NULL;
	gfp |= __GFP_NOWARN;
	if (gfpflags_allow_blocking(gfp))
		return kvzalloc(size, gfp);
	return kzalloc(size, gfp);
}

ALLOW_ERROR_INJECTION(hog_alloc, NULL);

static u64 hog_stats_sum(struct hog_stats __percpu *stats, enum hog_reason r)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct hog_stats *s = per_cpu_ptr(stats, cpu);
		unsigned int start;
		u64 v;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v = u64_stats_read(&s->drops[r]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum += v;
	}
	return sum;
}

static noinline struct hog_stats __percpu *hog_stats_alloc(void)
{
	struct hog_stats __percpu *stats;
	int cpu;

	if (hog_fault())
		return NULL;
	stats = alloc_percpu_gfp(struct hog_stats,
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (stats)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

ALLOW_ERROR_INJECTION(hog_stats_alloc, NULL);

/* ---------------------------------------------------------------------- */
/* Packet path                                                             */

/* Is @ifindex in the published set @d (one that has a hash)? */
static __always_inline bool hog_devs_hit(const struct hog_devs *d, int ifindex)
{
	u32 i = ((u32)ifindex * d->mul) >> d->hshift;
	int x;

	while ((x = d->slot[i]) != 0) {
		if (x == ifindex)
			return true;
		i = (i + 1) & d->hmask;
	}
	return false;
}

static bool hog_devs_has(const struct hog_devs *d, int ifindex)
{
	unsigned int lo = 0, hi = d->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (d->ifindex[mid] == ifindex)
			return true;
		if (d->ifindex[mid] < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static __always_inline bool hog_in_tab(const struct hog_tab *t, u8 pf,
				       const __be32 *a)
{
	if (!t)
		return false;
	return pf == NFPROTO_IPV4 ? hog_tab_has4(t, a[0]) : hog_tab_has6(t, a);
}

/* Is @a inside a prefix guarded in this namespace, listed or learned? */
static __always_inline bool hog_guarded(const struct hog_tab *listed,
					const struct hog_tab *learned, u8 pf,
					const __be32 *a)
{
	return hog_in_tab(listed, pf, a) || hog_in_tab(learned, pf, a);
}

static const __be32 *hog_saddr(const struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4)
		return &ip_hdr(skb)->saddr;
	return ipv6_hdr(skb)->saddr.s6_addr32;
}

static const __be32 *hog_daddr(const struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4)
		return &ip_hdr(skb)->daddr;
	return ipv6_hdr(skb)->daddr.s6_addr32;
}

/* Bridged by br_netfilter, which ran the FORWARD hooks on it. */
static bool hog_bridged(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	return nf_bridge_get_physoutdev(skb);
#else
	return false;
#endif
}

/*
 * Is this a copy being sent by nft dup or xt TEE?  They mark the sending
 * task since 6.13 (for PREEMPT_RT), the CPU before.
 */
static bool hog_duplicating(void)
{
#ifdef HOG_HAVE_IN_NF_DUPLICATE
	return current->in_nf_duplicate;
#else
	return this_cpu_read(nf_skb_duplicated);
#endif
}

/*
 * Positive evidence that hog_forward() judged @skb: ip_forward() marks what
 * it forwards (IPv4), hog_forward() marks what it lets pass (IPv6, which
 * ip6_forward() does not mark), br_netfilter records the bridge port it
 * forwards to (hog_postrouting_unmarked()).  A copy made by nft dup or xt
 * TEE carries its original's marks but was never judged itself.
 */
static __always_inline bool hog_forwarded(const struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4) {
		if (!(IPCB(skb)->flags & IPSKB_FORWARDED))
			return false;
	} else if (!(IP6CB(skb)->flags & IP6SKB_FORWARDED)) {
		return false;
	}
	return !hog_duplicating();
}

static void hog_log_drop(enum hog_reason r, const struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	const char *verb = READ_ONCE(hog_monitor) ? "monitor" : "drop";
	const char *in = state->in ? state->in->name : "-";
	const char *out = state->out ? state->out->name : "-";

	if (!__ratelimit(&hog_log_rs))
		return;
	if (state->pf == NFPROTO_IPV4)
		pr_info("%s %s in=%s out=%s src=%pI4 dst=%pI4 proto=%u\n",
			verb, hog_hook_name[r], in, out, &ip_hdr(skb)->saddr,
			&ip_hdr(skb)->daddr, ip_hdr(skb)->protocol);
	else
		pr_info("%s %s in=%s out=%s src=%pI6c dst=%pI6c proto=%u\n",
			verb, hog_hook_name[r], in, out, &ipv6_hdr(skb)->saddr,
			&ipv6_hdr(skb)->daddr, ipv6_hdr(skb)->nexthdr);
}

static void hog_stats_inc(struct hog_stats __percpu *stats, enum hog_reason r)
{
	struct hog_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[r]);
	u64_stats_update_end(&s->syncp);
}

/* Count (globally and per namespace), maybe log, and drop unless monitoring. */
static unsigned int hog_drop(const struct hog_net *hn, enum hog_reason r,
			     const struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	local_bh_disable();
	hog_stats_inc(hog_stats, r);
	hog_stats_inc(hn->stats, r);
	local_bh_enable();

	if (READ_ONCE(hog_log) || READ_ONCE(hog_monitor))
		hog_log_drop(r, skb, state);
	return READ_ONCE(hog_monitor) ? NF_ACCEPT : NF_DROP;
}

/*
 * A packet that came in on a device enslaved to an l3mdev (a VRF) reaches
 * FORWARD with the master as its input device; the control block keeps
 * the slave's ifindex (0: not an l3mdev's).
 */
static __always_inline int hog_slave_iif(struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	if (likely(!netif_is_l3_master(state->in)))
		return 0;
	return state->pf == NFPROTO_IPV4 ? inet_sdif(skb) : inet6_sdif(skb);
}

/*
 * The verdict at FORWARD, for a packet that may be guarded; @in_ho, @out_ho:
 * whether its devices are host-only, as hog_forward() found them.
 */
static noinline unsigned int hog_forward_judge(const struct hog_net *hn,
					       struct sk_buff *skb,
					       const struct nf_hook_state *state,
					       bool in_ho, bool out_ho)
{
	const struct hog_tab *listed = rcu_dereference(hog_listed_tab);
	const struct hog_tab *learned = rcu_dereference(hn->learned_tab);
	int iif = hog_slave_iif(skb, state) ?: state->in->ifindex;
	unsigned int verdict = NF_ACCEPT;
	u8 pf = state->pf;

	if (in_ho && iif == state->out->ifindex)
		;	/* guest to guest on one network, e.g. over br_netfilter */
	else if (in_ho || hog_guarded(listed, learned, pf, hog_saddr(skb, pf)))
		verdict = hog_drop(hn, HOG_FORWARD, skb, state);
	else if (READ_ONCE(hog_inbound) &&
		 (out_ho || hog_guarded(listed, learned, pf, hog_daddr(skb, pf))))
		verdict = hog_drop(hn, HOG_INBOUND, skb, state);
	if (verdict == NF_ACCEPT && pf == NFPROTO_IPV6 && !hog_bridged(skb))
		IP6CB(skb)->flags |= IP6SKB_FORWARDED;
	return verdict;
}

/*
 * Can a packet from @s to @d be guarded by @t?  false: certainly not.  IPv4
 * answers exactly (at most three more loads an address); IPv6 makes the
 * first step only, its hash probes are out of line.
 */
static __always_inline bool hog_maybe_either(const struct hog_tab *t, u8 pf,
					     const __be32 *s, const __be32 *d)
{
	if (!t)
		return false;
	if (pf == NFPROTO_IPV4)
		return hog_tab_has4(t, s[0]) || hog_tab_has4(t, d[0]);
	return hog_tab_maybe6(t, s) || hog_tab_maybe6(t, d);
}

/*
 * Most packets touch no host-only device and neither address is guarded:
 * the device hashes and the tables say so without a call (IPv4 exactly,
 * IPv6 by its bloom bits, for an address outside every guarded block).
 * The rest are judged exactly, out of line, with the device tests' result.
 */
static unsigned int hog_forward(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct hog_net *hn = priv;
	const struct hog_devs *devs = rcu_dereference(hn->devs);
	const __be32 *saddr, *daddr;
	u8 pf = state->pf;

	if (unlikely(READ_ONCE(hn->closed)))
		return hog_forward_judge(hn, skb, state, true, true);
	if (devs) {
		int iif = hog_slave_iif(skb, state);
		bool in_ho = hog_devs_hit(devs, state->in->ifindex) ||
			     (iif && hog_devs_hit(devs, iif));
		bool out_ho = hog_devs_hit(devs, state->out->ifindex);

		if (in_ho || out_ho)
			return hog_forward_judge(hn, skb, state, in_ho, out_ho);
	}
	saddr = hog_saddr(skb, pf);
	daddr = hog_daddr(skb, pf);
	if (hog_maybe_either(rcu_dereference(hog_listed_tab), pf, saddr, daddr) ||
	    hog_maybe_either(rcu_dereference(hn->learned_tab), pf, saddr, daddr))
		return hog_forward_judge(hn, skb, state, false, false);
	if (pf == NFPROTO_IPV6 && !hog_bridged(skb))
		IP6CB(skb)->flags |= IP6SKB_FORWARDED;
	return NF_ACCEPT;
}

/*
 * What reaches POST_ROUTING unjudged: the host's own packets, and what the
 * host relays without forwarding it (nft dup, xt TEE, IPVS, ...).  It may
 * leave through an outside device only if it did not come in through a
 * host-only one and its source is not guarded.  Out of line: forwarded
 * packets, the common case, pass without the registers this needs.
 */
static noinline unsigned int
hog_postrouting_unmarked(const struct hog_net *hn, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	const struct hog_devs *devs;
	u8 pf = state->pf;
	bool closed;

	/*
	 * Loopback stays in the host.  A VRF's pass: the host's packet comes
	 * back with the slave it leaves through.
	 */
	if ((state->out->flags & IFF_LOOPBACK) ||
	    netif_is_l3_master(state->out) ||
	    (hog_bridged(skb) && !hog_duplicating()))
		return NF_ACCEPT;
	devs = rcu_dereference(hn->devs);
	closed = READ_ONCE(hn->closed);
	if (!closed && devs && hog_devs_hit(devs, state->out->ifindex))
		return NF_ACCEPT;
	if ((skb->skb_iif &&
	     (closed || (devs && hog_devs_hit(devs, skb->skb_iif)))) ||
	    hog_guarded(rcu_dereference(hog_listed_tab),
			rcu_dereference(hn->learned_tab), pf, hog_saddr(skb, pf)))
		return hog_drop(hn, HOG_POSTROUTING, skb, state);
	return NF_ACCEPT;
}

static unsigned int hog_postrouting(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	if (hog_forwarded(skb, state->pf))
		return NF_ACCEPT;
	return hog_postrouting_unmarked(priv, skb, state);
}

/*
 * FORWARD runs before every filter chain; POST_ROUTING before source NAT,
 * so that a MASQUERADE rule cannot hide a host-only source.
 */
static const struct nf_hook_ops hog_ops[] = {
	{
		.hook		= hog_forward,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= hog_postrouting,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= hog_forward,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_RAW,
	},
	{
		.hook		= hog_postrouting,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_RAW,
	},
};

/* ---------------------------------------------------------------------- */
/* A namespace's state: its host-only devices and what they taught us      */

static void hog_tab_free_rcu(struct rcu_head *head)
{
	hog_tab_free(container_of(head, struct hog_tab, rcu));
}

/* The listed prefixes' table, for the control path. */
static struct hog_tab *hog_listed_now(void)
{
	return rcu_dereference_protected(hog_listed_tab,
					 lockdep_is_held(&hog_mutex));
}

/* Packets may still be reading @t: free it after a grace period. */
static void hog_tab_retire(struct hog_tab *t)
{
	if (t && hog_live)
		call_rcu(&t->rcu, hog_tab_free_rcu);
	else
		hog_tab_free(t);
}

/* Call @fn on each address of @dev (under RCU) until it returns true. */
typedef bool (*hog_addr_fn)(void *arg, u8 family, const __be32 *a,
			    unsigned int len);

static bool hog_dev_addrs(struct net_device *dev, hog_addr_fn fn, void *arg)
{
	const struct in_device *in_dev = __in_dev_get_rcu(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	const struct inet6_ifaddr *ifp;
	const struct in_ifaddr *ifa;

	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev)
			if (fn(arg, HOG_V4, &ifa->ifa_local, ifa->ifa_prefixlen))
				return true;
	}
	if (idev) {
		list_for_each_entry_rcu(ifp, &idev->addr_list, if_list) {
			if (ifp->state == INET6_IFADDR_STATE_DEAD)
				continue;
			if (fn(arg, HOG_V6, ifp->addr.s6_addr32, ifp->prefix_len))
				return true;
		}
	}
	return false;
}

static bool hog_addr_in_tab(void *arg, u8 family, const __be32 *a,
			    unsigned int len)
{
	return hog_in_tab(arg, family == HOG_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6, a);
}

static bool hog_dev_named(struct net_device *dev, const void *pats)
{
	char name[IFNAMSIZ];

	memcpy(name, dev->name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return hog_pats_match(pats, name);
}

/* Holds an address inside a listed prefix (table @tab). */
static bool hog_dev_addressed(struct net_device *dev, const void *tab)
{
	return tab && hog_dev_addrs(dev, hog_addr_in_tab, (void *)tab);
}

/* Room for @n devices, and a hash of them if @hashed. */
static noinline struct hog_devs *hog_devs_alloc(unsigned int n, bool hashed)
{
	unsigned int slots = 0;
	struct hog_devs *d;

	if (hog_fault() || n > INT_MAX / 8)
		return NULL;
	if (hashed)
		slots = roundup_pow_of_two(max(n, 1U)) * 2;
	d = kvmalloc(struct_size(d, ifindex, n + slots),
		     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!d)
		return NULL;
	d->n = 0;
	d->slot = NULL;
	if (hashed) {
		d->slot = d->ifindex + n;
		memset(d->slot, 0, slots * sizeof(int));
		d->hmask = slots - 1;
		d->hshift = 32 - ilog2(slots);
		d->mul = get_random_u32() | 1;
	}
	return d;
}

ALLOW_ERROR_INJECTION(hog_devs_alloc, NULL);

/* Readers of the published sets are packets: free after a grace period. */
static void hog_devs_free_rcu(struct hog_devs *d)
{
	if (d)
		kvfree_rcu(d, rcu);
}

static int hog_ifindex_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static bool hog_devs_sorted(const struct hog_devs *d)
{
	unsigned int i;

	for (i = 1; i < d->n; i++)
		if (d->ifindex[i - 1] >= d->ifindex[i])
			return false;
	return true;
}

/* The devices of @net for which @pred holds, or NULL for none. */
static int hog_devs_scan(struct net *net,
			 bool (*pred)(struct net_device *, const void *),
			 const void *arg, struct hog_devs **out)
{
	struct net_device *dev;
	struct hog_devs *d;
	unsigned int cap = 0;

	*out = NULL;
	rcu_read_lock();
	for_each_netdev_rcu(net, dev)
		cap++;
	rcu_read_unlock();
	/*
	 * Devices that appear after the count, or change while we look, are
	 * re-examined by their own events, which wait for hog_mutex.
	 */
	d = hog_devs_alloc(cap, false);
	if (!d)
		return -ENOMEM;
	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (d->n == cap)
			break;
		if (pred(dev, arg))
			d->ifindex[d->n++] = dev->ifindex;
	}
	rcu_read_unlock();
	if (!d->n) {
		kvfree(d);
		return 0;
	}
	/* devices are listed as registered: in ifindex order, unless moved in */
	if (!hog_devs_sorted(d))
		sort(d->ifindex, d->n, sizeof(int), hog_ifindex_cmp, NULL);
	*out = d;
	return 0;
}

static bool hog_devs_eq(const struct hog_devs *x, const struct hog_devs *y)
{
	if (!x || !y)
		return x == y;
	return x->n == y->n &&
	       !memcmp(x->ifindex, y->ifindex, x->n * sizeof(int));
}

static bool hog_devs_has0(const struct hog_devs *d, int ifindex)
{
	return d && hog_devs_has(d, ifindex);
}

/* @cur with @ifindex in or out, as @want says; NULL when empty. */
static int hog_devs_with(const struct hog_devs *cur, int ifindex, bool want,
			 struct hog_devs **out)
{
	unsigned int i, n = cur ? cur->n : 0;
	bool add = want;
	struct hog_devs *d;

	*out = NULL;
	if (!n && !want)
		return 0;
	d = hog_devs_alloc(n + 1, false);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int x = cur->ifindex[i];

		if (add && ifindex < x) {
			d->ifindex[d->n++] = ifindex;
			add = false;
		}
		if (x == ifindex) {
			add = false;
			if (!want)
				continue;
		}
		d->ifindex[d->n++] = x;
	}
	if (add)
		d->ifindex[d->n++] = ifindex;
	if (!d->n) {
		kvfree(d);
		d = NULL;
	}
	*out = d;
	return 0;
}

/* Union of two sets, with its hash: what packets read; NULL when empty. */
static int hog_devs_union(const struct hog_devs *x, const struct hog_devs *y,
			  struct hog_devs **out)
{
	unsigned int i = 0, j = 0, nx = x ? x->n : 0, ny = y ? y->n : 0;
	struct hog_devs *d;

	*out = NULL;
	if (!nx && !ny)
		return 0;
	d = hog_devs_alloc(nx + ny, true);
	if (!d)
		return -ENOMEM;
	while (i < nx || j < ny) {
		int a = i < nx ? x->ifindex[i] : INT_MAX;
		int b = j < ny ? y->ifindex[j] : INT_MAX;
		int m = min(a, b);
		u32 h = ((u32)m * d->mul) >> d->hshift;

		while (d->slot[h])
			h = (h + 1) & d->hmask;
		d->slot[h] = m;
		d->ifindex[d->n++] = m;
		i += a <= b;
		j += b <= a;
	}
	*out = d;
	return 0;
}

/* A copy of @d (NULL for none). */
static int hog_devs_dup(const struct hog_devs *d, struct hog_devs **out)
{
	*out = NULL;
	if (!d)
		return 0;
	*out = hog_devs_alloc(d->n, false);
	if (!*out)
		return -ENOMEM;
	memcpy((*out)->ifindex, d->ifindex, d->n * sizeof(int));
	(*out)->n = d->n;
	return 0;
}

/* Collecting learned prefixes; the limit counts prefixes, not addresses. */
struct hog_learning {
	struct hog_list *l;
	bool full;
	bool over;	/* more were found */
};

/* Every device has link-local addresses: guarding them would break it. */
static bool hog_learnable(u8 family, const __be32 *a)
{
	if (family == HOG_V4)
		return !ipv4_is_loopback(a[0]) && !ipv4_is_multicast(a[0]) &&
		       !ipv4_is_linklocal_169(a[0]);
	return !(ipv6_addr_type((const struct in6_addr *)a) &
		 (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK |
		  IPV6_ADDR_MULTICAST));
}

static bool hog_learnable_addr(void *arg, u8 family, const __be32 *a,
			       unsigned int len)
{
	return hog_learnable(family, a);
}

/* Does @dev hold an address it would teach? */
static bool hog_dev_teaches(struct net_device *dev)
{
	bool ret;

	rcu_read_lock();
	ret = hog_dev_addrs(dev, hog_learnable_addr, NULL);
	rcu_read_unlock();
	return ret;
}

static bool hog_learn_addr(void *arg, u8 family, const __be32 *a,
			   unsigned int len)
{
	struct hog_learning *lr = arg;
	struct hog_pfx p = { .family = family, .len = len };

	if (!hog_learnable(family, a))
		return false;
	memcpy(p.a, a, family == HOG_V4 ? 4 : 16);
	hog_pfx_mask(&p);
	if (!lr->full && lr->l->n == HOG_MAX_LEARNED) {
		hog_list_canon(lr->l);
		lr->full = lr->l->n == HOG_MAX_LEARNED;
	}
	if (!lr->full)
		lr->l->p[lr->l->n++] = p;
	else if (!hog_list_has(lr->l, &p))
		lr->over = true;
	return false;
}

/* Finding an address inside a prefix, on a device that is not host-only. */
struct hog_cover {
	const struct hog_pfx *p;
	struct hog_pfx hit;
	char dev[IFNAMSIZ];
};

static bool hog_cover_addr(void *arg, u8 family, const __be32 *a,
			   unsigned int len)
{
	struct hog_cover *c = arg;

	memset(&c->hit, 0, sizeof(c->hit));
	c->hit.family = family;
	c->hit.len = family == HOG_V4 ? 32 : 128;
	memcpy(c->hit.a, a, family == HOG_V4 ? 4 : 16);
	return hog_pfx_covers(c->p, &c->hit);
}

/*
 * Why @c->p must not be learned, if it must not: it is too short, or it
 * holds an address (@c->hit, of device @c->dev) of a device that is not
 * host-only (@ho).  Under RCU.
 */
enum hog_refusal { HOG_LEARN_OK, HOG_LEARN_SHORT, HOG_LEARN_COVERS };

static enum hog_refusal hog_learn_refusal(struct net *net, struct hog_cover *c,
					  const struct hog_devs *ho)
{
	struct net_device *dev;

	if (c->p->len < (c->p->family == HOG_V4 ? HOG_MIN_LEARN4 :
						 HOG_MIN_LEARN6))
		return HOG_LEARN_SHORT;
	for_each_netdev_rcu(net, dev) {
		if (hog_devs_has0(ho, dev->ifindex) ||
		    !hog_dev_addrs(dev, hog_cover_addr, c))
			continue;
		memcpy(c->dev, dev->name, IFNAMSIZ);
		c->dev[IFNAMSIZ - 1] = '\0';
		return HOG_LEARN_COVERS;
	}
	return HOG_LEARN_OK;
}

static void hog_learn_log(const struct hog_cover *c, enum hog_refusal why)
{
	char b[HOG_MAX_ELEM], h[HOG_MAX_ELEM];
	bool v4 = c->p->family == HOG_V4;

	hog_pfx_format(c->p, b, sizeof(b));
	if (why == HOG_LEARN_SHORT) {
		pr_warn("learn: %s not learned: shorter than /%d; list it in subnets if it is meant\n",
			b, v4 ? HOG_MIN_LEARN4 : HOG_MIN_LEARN6);
		return;
	}
	hog_pfx_format(&c->hit, h, sizeof(h));
	h[strcspn(h, "/")] = '\0';
	pr_warn("learn: %s not learned: it holds %s of %s, which is not host-only\n",
		b, h, c->dev);
}

/*
 * Leave out of @l the prefixes that would cut the host off; return how
 * many.  They are logged, one line each, when that number differs from
 * @logged, the last one logged: not again on every rebuild.  Under RCU.
 */
static u32 hog_learn_filter(struct net *net, struct hog_list *l,
			    const struct hog_devs *ho, u32 logged)
{
	u32 i, n = 0, refused = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < l->n; i++) {
			struct hog_cover c = { .p = &l->p[i] };
			enum hog_refusal why = hog_learn_refusal(net, &c, ho);

			if (!pass)
				refused += why != HOG_LEARN_OK;
			else if (why == HOG_LEARN_OK)
				l->p[n++] = l->p[i];
			else if (refused != logged)
				hog_learn_log(&c, why);
		}
	}
	l->n = n;
	return refused;
}

static bool hog_list_eq(const struct hog_list *x, const struct hog_list *y)
{
	u32 i;

	if (!x || !y)
		return x == y;
	if (x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (hog_pfx_cmp(&x->p[i], &y->p[i]))
			return false;
	return true;
}

/* What one namespace guards, built before it is published. */
struct hog_state {
	struct hog_devs *named, *addressed, *devs;
	struct hog_list *learned;
	struct hog_tab *learned_tab;
	bool same;		/* nothing changes: keep all in force */
	bool same_learned;	/* keep the learned list and table in force */
	u32 refused;		/* learned prefixes left out */
	bool over;		/* ... and more than HOG_MAX_LEARNED */
};

static void hog_state_free(struct hog_state *st)
{
	kvfree(st->named);
	kvfree(st->addressed);
	kvfree(st->devs);
	hog_free(st->learned);
	hog_tab_free(st->learned_tab);
	memset(st, 0, sizeof(*st));
}

/* The learned part of @st, from its named devices' addresses. */
static int hog_state_learn(struct hog_net *hn, struct hog_state *st)
{
	struct hog_learning lr = { };
	struct net_device *dev;

	if (READ_ONCE(hog_learn) && st->named) {
		lr.l = hog_list_alloc(HOG_MAX_LEARNED, GFP_KERNEL_ACCOUNT);
		if (!lr.l)
			return -ENOMEM;
		/* a walk, not an ifindex lookup per device: O(n), not O(n^2) */
		rcu_read_lock();
		for_each_netdev_rcu(hn->net, dev)
			if (hog_devs_has(st->named, dev->ifindex))
				hog_dev_addrs(dev, hog_learn_addr, &lr);
		hog_list_canon(lr.l);
		st->refused = hog_learn_filter(hn->net, lr.l, st->devs,
					       hn->refused);
		rcu_read_unlock();
		st->over = lr.over;
		if (lr.over && !hn->over)
			pr_warn("more than %d learned prefixes in one namespace, the rest is not guarded; list them in subnets\n",
				HOG_MAX_LEARNED);
		if (!lr.l->n) {
			hog_free(lr.l);
			lr.l = NULL;
		}
	}
	if (hog_list_eq(lr.l, hn->learned)) {
		hog_free(lr.l);
		st->same_learned = true;
		return 0;
	}
	if (lr.l) {
		st->learned_tab = hog_tab_build(lr.l, GFP_KERNEL_ACCOUNT);
		if (!st->learned_tab) {
			hog_free(lr.l);
			return -ENOMEM;
		}
	}
	st->learned = lr.l;
	return 0;
}

/*
 * What hog_state_build() looks for anew; the rest is taken as it is.
 * HOG_SCAN_SAME_OK: when what is found anew is what is in force, so is
 * the rest (a write to hostonly or subnets: addresses did not change, or
 * their own events rebuild the learned part).
 */
#define HOG_SCAN_NAMED		BIT(0)
#define HOG_SCAN_ADDRESSED	BIT(1)
#define HOG_SCAN_SAME_OK	BIT(2)
#define HOG_SCAN_ALL		(HOG_SCAN_NAMED | HOG_SCAN_ADDRESSED)

/*
 * Everything @hn guards with patterns @pats and listed table @tab: the
 * devices each matches found anew where @scan says, copied otherwise.
 */
static int hog_state_build(struct hog_net *hn, const struct hog_pats *pats,
			   const struct hog_tab *tab, unsigned int scan,
			   struct hog_state *st)
{
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if ((scan & HOG_SCAN_NAMED) && pats->n)
		ret = hog_devs_scan(hn->net, hog_dev_named, pats, &st->named);
	if (!ret && (scan & HOG_SCAN_ADDRESSED) && tab)
		ret = hog_devs_scan(hn->net, hog_dev_addressed, tab,
				    &st->addressed);
	if (ret)
		goto fail;
	/* a namespace the change does not touch costs one look, no copy */
	if ((scan & HOG_SCAN_SAME_OK) &&
	    (!(scan & HOG_SCAN_NAMED) || hog_devs_eq(st->named, hn->named)) &&
	    (!(scan & HOG_SCAN_ADDRESSED) ||
	     hog_devs_eq(st->addressed, hn->addressed))) {
		hog_state_free(st);
		st->same = true;
		return 0;
	}
	if (!(scan & HOG_SCAN_NAMED))
		ret = hog_devs_dup(hn->named, &st->named);
	if (!ret && !(scan & HOG_SCAN_ADDRESSED))
		ret = hog_devs_dup(hn->addressed, &st->addressed);
	if (!ret)
		ret = hog_devs_union(st->named, st->addressed, &st->devs);
	if (!ret)
		ret = hog_state_learn(hn, st);
	if (!ret)
		return 0;
fail:
	hog_state_free(st);
	return ret;
}

/* Make @st what @hn guards; @st is consumed. */
static void hog_state_publish(struct hog_net *hn, struct hog_state *st)
{
	struct hog_devs *old;

	lockdep_assert_held(&hog_mutex);
	if (st->same) {
		st->same = false;
		return;
	}
	kvfree(hn->named);
	kvfree(hn->addressed);
	hn->named = st->named;
	hn->addressed = st->addressed;
	old = rcu_replace_pointer(hn->devs, st->devs,
				  lockdep_is_held(&hog_mutex));
	hog_devs_free_rcu(old);
	if (!st->same_learned) {
		struct hog_tab *t;

		hog_free(hn->learned);
		hn->learned = st->learned;
		t = rcu_replace_pointer(hn->learned_tab, st->learned_tab,
					lockdep_is_held(&hog_mutex));
		hog_tab_retire(t);
	}
	hn->refused = st->refused;
	hn->over = st->over;
	WRITE_ONCE(hn->closed, false);
	memset(st, 0, sizeof(*st));
}

/* Rebuild @hn later (now if @delay is 0); from any context. */
static void hog_sync_later(struct hog_net *hn, unsigned long delay)
{
	if (!READ_ONCE(hn->dead))
		mod_delayed_work(hog_wq, &hn->sync_work, delay);
}

/*
 * An update of @hn failed: its published device set may miss a device.
 * Fail closed until a rebuild succeeds.
 */
static void hog_net_fail(struct hog_net *hn, const char *what)
{
	WRITE_ONCE(hn->closed, true);
	pr_warn_ratelimited("out of memory %s; forwarding in the namespace is blocked until it can be rebuilt\n",
			    what);
	hog_sync_later(hn, HOG_RETRY);
}

/* Rebuild @hn from what is there now. */
static void hog_net_sync(struct hog_net *hn)
{
	struct hog_state st;

	lockdep_assert_held(&hog_mutex);
	if (hn->dead)
		return;
	/* device events keep the named set; addresses are looked at anew */
	if (hog_state_build(hn, &hog_pats, hog_listed_now(),
			    READ_ONCE(hn->closed) ? HOG_SCAN_ALL :
						   HOG_SCAN_ADDRESSED,
			    &st)) {
		hog_net_fail(hn, "rebuilding a namespace's host-only devices");
		return;
	}
	hog_state_publish(hn, &st);
}

static void hog_sync_work(struct work_struct *work)
{
	struct hog_net *hn = container_of(to_delayed_work(work),
					  struct hog_net, sync_work);

	mutex_lock(&hog_mutex);
	hog_net_sync(hn);
	mutex_unlock(&hog_mutex);
}

/* A zeroed array of @n elements of @size, one per namespace. */
static void *hog_nets_array(size_t size, unsigned int *n)
{
	struct hog_net *hn;

	lockdep_assert_held(&hog_mutex);
	*n = 0;
	list_for_each_entry(hn, &hog_nets, node)
		(*n)++;
	return hog_alloc(array_size(max(*n, 1U), size), GFP_KERNEL);
}

/*
 * Rebuild every namespace with patterns @pats and listed table @tab: all
 * states are built before any is published, so that a failure leaves
 * everything as it was.  On success @publish runs, then the states go in.
 */
static int hog_apply_all(const struct hog_pats *pats,
			 const struct hog_tab *tab, unsigned int scan,
			 void (*publish)(void *), void *arg)
{
	struct hog_state *st;
	struct hog_net *hn;
	unsigned int n, i = 0;
	int ret = 0;

	st = hog_nets_array(sizeof(*st), &n);
	if (!st)
		return -ENOMEM;
	list_for_each_entry(hn, &hog_nets, node) {
		ret = hog_state_build(hn, pats, tab,
				      READ_ONCE(hn->closed) ? HOG_SCAN_ALL : scan,
				      &st[i++]);
		if (ret)
			goto out;
	}
	publish(arg);
	i = 0;
	list_for_each_entry(hn, &hog_nets, node)
		hog_state_publish(hn, &st[i++]);
out:
	for (i = 0; i < n; i++)
		hog_state_free(&st[i]);
	kvfree(st);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Device and address events                                               */

/* A device appeared, was renamed or went away: update its namespace. */
static void hog_dev_update(struct net_device *dev, bool gone)
{
	struct hog_net *hn = hog_pernet(dev_net(dev));
	struct hog_devs *named = NULL, *addressed = NULL, *devs = NULL;
	const struct hog_tab *tab;
	bool want_n, want_a, had_n;
	int ret;

	lockdep_assert_held(&hog_mutex);
	if (hn->dead)
		return;
	tab = hog_listed_now();
	want_n = !gone && hog_dev_named(dev, &hog_pats);
	rcu_read_lock();
	want_a = !gone && hog_dev_addressed(dev, tab);
	rcu_read_unlock();
	had_n = hog_devs_has0(hn->named, dev->ifindex);
	if (want_n == had_n &&
	    want_a == hog_devs_has0(hn->addressed, dev->ifindex))
		return;
	ret = hog_devs_with(hn->named, dev->ifindex, want_n, &named);
	if (!ret)
		ret = hog_devs_with(hn->addressed, dev->ifindex, want_a,
				    &addressed);
	if (!ret)
		ret = hog_devs_union(named, addressed, &devs);
	if (ret) {
		kvfree(named);
		kvfree(addressed);
		hog_net_fail(hn, "updating a namespace's host-only devices");
		return;
	}
	kvfree(hn->named);
	kvfree(hn->addressed);
	hn->named = named;
	hn->addressed = addressed;
	hog_devs_free_rcu(rcu_replace_pointer(hn->devs, devs,
					      lockdep_is_held(&hog_mutex)));
	/*
	 * What the named devices teach follows them: one going out may take
	 * learned prefixes with it, one coming in (renamed) brings its
	 * addresses.  A new device, or one moved here, holds none yet: its
	 * addresses' own events will teach.  So a flood of new devices does
	 * not rebuild the namespace once per device.
	 */
	if (READ_ONCE(hog_learn) && want_n != had_n &&
	    (had_n ? !!hn->learned : hog_dev_teaches(dev)))
		hog_sync_later(hn, 0);
}

/*
 * Can the event change what @dev's namespace guards?  Only if @dev is
 * host-only there or its name matches a pattern (a new device holds no
 * address yet, a renamed one keeps its own).  Most devices are neither:
 * they are judged without hog_mutex.  The barrier pairs with
 * hog_hostonly_set()'s: either this sees the patterns being written, or
 * that write's scan sees this device.
 */
static bool hog_dev_may_matter(struct net_device *dev, bool gone)
{
	const struct hog_net *hn = hog_pernet(dev_net(dev));
	const struct hog_pats_rcu *pats;
	const struct hog_devs *devs;
	bool ret;

	smp_mb();	/* pairs with hog_hostonly_set()'s */
	rcu_read_lock();
	devs = rcu_dereference(hn->devs);
	pats = rcu_dereference(hog_pats_seen);
	ret = READ_ONCE(hn->closed) ||
	      (devs && hog_devs_hit(devs, dev->ifindex)) ||
	      (!gone && pats && hog_dev_named(dev, &pats->p));
	rcu_read_unlock();
	return ret;
}

static int hog_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event != NETDEV_REGISTER && event != NETDEV_CHANGENAME &&
	    event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	if (!hog_dev_may_matter(dev, event == NETDEV_UNREGISTER))
		return NOTIFY_DONE;
	mutex_lock(&hog_mutex);
	hog_dev_update(dev, event == NETDEV_UNREGISTER);
	mutex_unlock(&hog_mutex);
	return NOTIFY_DONE;
}

/*
 * An address of @dev came or went.  It matters when @dev is host-only (what
 * it teaches), when the address is inside a listed prefix (whether @dev is
 * host-only), or while a subnets write is under way.  IPv4 reports in
 * process context, after the change: the rebuild is done at once.  IPv6
 * reports in atomic context: it is done by the workqueue, within
 * microseconds (readers of what is guarded wait for it, see hog_settle()).
 */
static void hog_addr_event(struct net_device *dev, u8 pf, const __be32 *a)
{
	struct hog_net *hn = hog_pernet(dev_net(dev));
	const struct hog_devs *devs;
	bool matters;

	/*
	 * Pairs with hog_listed_apply()'s: either the write's scan sees this
	 * address, or this sees the write under way, or (acquire) finished
	 * and its table published.
	 */
	smp_mb();
	matters = smp_load_acquire(&hog_listing);	/* see above */
	rcu_read_lock();
	devs = rcu_dereference(hn->devs);
	matters = matters || (devs && hog_devs_hit(devs, dev->ifindex)) ||
		  hog_in_tab(rcu_dereference(hog_listed_tab), pf, a);
	if (matters && pf == NFPROTO_IPV6)
		hog_sync_later(hn, 0);
	rcu_read_unlock();
	if (matters && pf == NFPROTO_IPV4) {
		mutex_lock(&hog_mutex);
		hog_net_sync(hn);
		mutex_unlock(&hog_mutex);
	}
}

static int hog_inetaddr_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	const struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		hog_addr_event(ifa->ifa_dev->dev, NFPROTO_IPV4, &ifa->ifa_local);
	return NOTIFY_DONE;
}

static int hog_inet6addr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct inet6_ifaddr *ifp = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		hog_addr_event(ifp->idev->dev, NFPROTO_IPV6,
			       ifp->addr.s6_addr32);
	return NOTIFY_DONE;
}

/* Let pending rebuilds finish, before showing what is guarded. */
static void hog_settle(void)
{
	mutex_lock(&hog_wq_mutex);
	if (hog_wq)
		flush_workqueue(hog_wq);
	mutex_unlock(&hog_wq_mutex);
}

static void hog_wq_destroy(void)
{
	struct workqueue_struct *wq;

	mutex_lock(&hog_wq_mutex);
	wq = hog_wq;
	hog_wq = NULL;
	mutex_unlock(&hog_wq_mutex);
	destroy_workqueue(wq);
}

static struct notifier_block hog_netdev_nb = {
	.notifier_call = hog_netdev_event,
};

static struct notifier_block hog_inetaddr_nb = {
	.notifier_call = hog_inetaddr_event,
};

static struct notifier_block hog_inet6addr_nb = {
	.notifier_call = hog_inet6addr_event,
};

/* ---------------------------------------------------------------------- */
/* /proc/net/hoguard: this namespace's view                                */

static void hog_proc_list(struct seq_file *seq, const char *key,
			  const struct hog_list *l)
{
	char b[HOG_MAX_ELEM];
	u32 i;

	for (i = 0; l && i < l->n; i++) {
		hog_pfx_format(&l->p[i], b, sizeof(b));
		seq_printf(seq, "%s %s\n", key, b);
	}
}

static void hog_proc_devs(struct seq_file *seq, struct net *net,
			  const char *key, const struct hog_devs *d)
{
	unsigned int i;

	rcu_read_lock();
	for (i = 0; d && i < d->n; i++) {
		const struct net_device *dev;

		dev = dev_get_by_index_rcu(net, d->ifindex[i]);
		seq_printf(seq, "%s %s %d\n", key, dev ? dev->name : "-",
			   d->ifindex[i]);
	}
	rcu_read_unlock();
}

/* One namespace's view, copied under hog_mutex, shown without it. */
struct hog_view {
	struct hog_pats pats;
	struct hog_devs *named, *addressed;
	struct hog_list *listed, *learned;
	bool closed;
	u64 drops[HOG_NR];
};

static void hog_view_free(struct hog_view *v)
{
	kvfree(v->named);
	kvfree(v->addressed);
	hog_free(v->listed);
	hog_free(v->learned);
	hog_free(v);
}

static struct hog_view *hog_view_take(struct hog_net *hn)
{
	struct hog_view *v = hog_alloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	bool ok;
	int r;

	if (!v)
		return NULL;
	mutex_lock(&hog_mutex);
	v->pats = hog_pats;
	hog_devs_dup(hn->named, &v->named);
	hog_devs_dup(hn->addressed, &v->addressed);
	v->listed = hog_list_merge(hog_listed ?: &hog_none, &hog_none,
				   GFP_KERNEL_ACCOUNT);
	v->learned = hog_list_merge(hn->learned ?: &hog_none, &hog_none,
				    GFP_KERNEL_ACCOUNT);
	v->closed = READ_ONCE(hn->closed);
	for (r = 0; r < HOG_NR; r++)
		v->drops[r] = hog_stats_sum(hn->stats, r) - hn->stats_base[r];
	ok = (v->named || !hn->named) && (v->addressed || !hn->addressed) &&
	     v->listed && v->learned;
	mutex_unlock(&hog_mutex);
	if (!ok) {
		hog_view_free(v);
		return NULL;
	}
	return v;
}

static int hog_proc_show(struct seq_file *seq, void *unused)
{
	struct hog_net *hn = hog_pernet(seq_file_single_net(seq));
	struct hog_view *v;
	unsigned int i;
	int r;

	hog_settle();
	v = hog_view_take(hn);
	if (!v)
		return -ENOMEM;
	seq_printf(seq, "version %s\nmode %s\n", HOGUARD_VERSION,
		   READ_ONCE(hog_monitor) ? "monitor" : "enforcing");
	if (v->closed)
		seq_puts(seq, "state closed\n");
	for (i = 0; i < v->pats.n; i++)
		seq_printf(seq, "pattern %s%s\n", v->pats.pat[i].name,
			   v->pats.pat[i].wild ? "*" : "");
	hog_proc_devs(seq, hn->net, "device", v->named);
	hog_proc_devs(seq, hn->net, "addressed", v->addressed);
	hog_proc_list(seq, "subnet", v->listed);
	hog_proc_list(seq, "learned", v->learned);
	for (r = 0; r < HOG_NR; r++)
		seq_printf(seq, "drops_%s %llu\n",
			   r == HOG_FORWARD ? "forward" :
			   r == HOG_INBOUND ? "inbound" : "postrouting",
			   v->drops[r]);
	hog_view_free(v);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Network namespaces                                                      */

/* Free what @hn holds, once nothing can read it. */
static void hog_net_free(struct hog_net *hn)
{
	kvfree(rcu_dereference_protected(hn->devs, 1));
	RCU_INIT_POINTER(hn->devs, NULL);
	hog_tab_free(rcu_dereference_protected(hn->learned_tab, 1));
	RCU_INIT_POINTER(hn->learned_tab, NULL);
	kvfree(hn->named);
	kvfree(hn->addressed);
	hog_free(hn->learned);
	hn->named = NULL;
	hn->addressed = NULL;
	hn->learned = NULL;
}

static int __net_init hog_net_init(struct net *net)
{
	struct hog_net *hn = hog_pernet(net);
	struct hog_state st;
	unsigned int i;
	int ret;

	hn->net = net;
	INIT_DELAYED_WORK(&hn->sync_work, hog_sync_work);
	hn->stats = hog_stats_alloc();
	if (!hn->stats)
		return -ENOMEM;
	if (!proc_create_net_single("hoguard", 0444, net->proc_net,
				    hog_proc_show, NULL) &&
	    IS_ENABLED(CONFIG_PROC_FS)) {
		ret = -ENOMEM;
		goto err_proc;
	}
	mutex_lock(&hog_mutex);
	ret = hog_state_build(hn, &hog_pats, hog_listed_now(), HOG_SCAN_ALL,
			      &st);
	if (!ret) {
		list_add_tail(&hn->node, &hog_nets);
		hog_state_publish(hn, &st);
	}
	mutex_unlock(&hog_mutex);
	if (ret)
		goto err_state;
	/* Hooks go in last: the namespace is guarded from its first packet. */
	BUILD_BUG_ON(sizeof(hn->ops) != sizeof(hog_ops));
	memcpy(hn->ops, hog_ops, sizeof(hn->ops));
	for (i = 0; i < ARRAY_SIZE(hn->ops); i++)
		hn->ops[i].priv = hn;
	ret = nf_register_net_hooks(net, hn->ops, ARRAY_SIZE(hn->ops));
	if (ret)
		goto err_hooks;
	return 0;

err_hooks:
	mutex_lock(&hog_mutex);
	WRITE_ONCE(hn->dead, true);
	list_del(&hn->node);
	mutex_unlock(&hog_mutex);
	synchronize_rcu();	/* address events that saw it alive */
	cancel_delayed_work_sync(&hn->sync_work);
	hog_net_free(hn);
err_state:
	remove_proc_entry("hoguard", net->proc_net);
err_proc:
	free_percpu(hn->stats);
	return ret;
}

/*
 * Unhook and take the namespace off every list; the core waits for a grace
 * period before hog_net_exit(), so nothing reads it then.
 */
static void __net_exit hog_net_pre_exit(struct net *net)
{
	struct hog_net *hn = hog_pernet(net);

	nf_unregister_net_hooks(net, hn->ops, ARRAY_SIZE(hn->ops));
	remove_proc_entry("hoguard", net->proc_net);
	mutex_lock(&hog_mutex);
	WRITE_ONCE(hn->dead, true);
	list_del(&hn->node);
	mutex_unlock(&hog_mutex);
}

static void __net_exit hog_net_exit(struct net *net)
{
	struct hog_net *hn = hog_pernet(net);

	cancel_delayed_work_sync(&hn->sync_work);
	hog_net_free(hn);
	free_percpu(hn->stats);
}

static struct pernet_operations hog_net_ops = {
	.init		= hog_net_init,
	.pre_exit	= hog_net_pre_exit,
	.exit		= hog_net_exit,
	.id		= &hog_net_id,
	.size		= sizeof(struct hog_net),
};

/* ---------------------------------------------------------------------- */
/* Parameters                                                              */

/*
 * What the core cannot see of a sysfs write.  sysfs hands over at most one
 * page and silently cuts a longer write there (the rest would come as a
 * second write), and a write that starts with NUL arrives as "": refuse
 * both rather than apply part of a value or clear a list by accident.  At
 * load time neither limit applies: "hostonly=" is the default, empty list.
 */
static int hog_check_write(const char *val, const struct kernel_param *kp)
{
	size_t len = strnlen(val, PAGE_SIZE);

	lockdep_assert_held(&hog_mutex);
	if (!hog_live)
		return 0;
	if (!len) {
		pr_warn("%s: empty value (write a newline to clear); nothing changed\n",
			kp->name);
		return -EINVAL;
	}
	if (len >= PAGE_SIZE) {
		pr_warn("%s: value of a page (4096 bytes) or more, cut short by sysfs; write it in several +LIST writes; nothing changed\n",
			kp->name);
		return -E2BIG;
	}
	return 0;
}

static void hog_pats_publish(void *pats)
{
	hog_pats = *(const struct hog_pats *)pats;
}

static int hog_hostonly_set(const char *val, const struct kernel_param *kp)
{
	struct hog_pats_rcu *np, *old;
	struct hog_err err = { };
	int ret;

	np = hog_alloc(sizeof(*np), GFP_KERNEL);
	if (!np)
		return -ENOMEM;
	mutex_lock(&hog_mutex);
	ret = hog_check_write(val, kp);
	if (ret)
		goto out;
	ret = hog_pats_update(&np->p, &hog_pats, val, &err);
	if (ret) {
		pr_warn("hostonly: %s; nothing changed\n", err.msg);
		goto out;
	}
	old = rcu_replace_pointer(hog_pats_seen, np,
				  lockdep_is_held(&hog_mutex));
	smp_mb();	/* pairs with hog_dev_may_matter()'s */
	ret = hog_apply_all(&np->p, hog_listed_now(),
			    HOG_SCAN_NAMED | HOG_SCAN_SAME_OK,
			    hog_pats_publish, &np->p);
	if (ret) {
		rcu_assign_pointer(hog_pats_seen, old);
		old = np;
	}
	np = NULL;
	if (old)
		kvfree_rcu(old, rcu);
out:
	mutex_unlock(&hog_mutex);
	hog_free(np);
	return ret;
}

/* After hog_exit(), or when a load fails. */
static void hog_hostonly_free(void *arg)
{
	hog_free(rcu_dereference_protected(hog_pats_seen, 1));
	RCU_INIT_POINTER(hog_pats_seen, NULL);
}

static int hog_hostonly_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&hog_mutex);
	ret = hog_pats_format(&hog_pats, buf, PAGE_SIZE);
	mutex_unlock(&hog_mutex);
	return ret;
}

struct hog_listed_next {
	struct hog_list *l;
	struct hog_tab *t;
};

static void hog_listed_publish(void *arg)
{
	struct hog_listed_next *nx = arg;
	struct hog_tab *old;

	hog_free(hog_listed);
	hog_listed = nx->l;
	hog_listed_gen++;
	old = rcu_replace_pointer(hog_listed_tab, nx->t,
				  lockdep_is_held(&hog_mutex));
	hog_tab_retire(old);
}

/*
 * Publish @l as the listed prefixes, with every namespace's devices that
 * hold an address inside one: all built first, so that a failure leaves
 * everything as it was.  An address added meanwhile is caught by its own
 * event (see hog_addr_event()).
 */
static int hog_listed_apply(struct hog_list *l)
{
	struct hog_listed_next nx = { .l = l };
	int ret;

	if (l->n) {
		nx.t = hog_tab_build(l, GFP_KERNEL);
		if (!nx.t)
			return -ENOMEM;
	}
	WRITE_ONCE(hog_listing, 1);
	smp_mb();	/* pairs with hog_addr_event()'s */
	ret = hog_apply_all(&hog_pats, nx.t,
			    HOG_SCAN_ADDRESSED | HOG_SCAN_SAME_OK,
			    hog_listed_publish, &nx);
	smp_store_release(&hog_listing, 0);	/* after the publication */
	if (ret) {
		hog_tab_free(nx.t);
		return ret;
	}
	return 0;
}

/*
 * A write to a prefix list parameter (subnets, subnets_stage) applied to
 * @cur: the new list in *@out, or an error and the one log line.
 */
static int hog_list_write(const char *val, const struct kernel_param *kp,
			  const struct hog_list *cur, struct hog_list **out)
{
	struct hog_err err = { };
	int ret;

	lockdep_assert_held(&hog_mutex);
	ret = hog_check_write(val, kp);
	if (ret)
		return ret;
	ret = hog_list_update(out, cur ?: &hog_none, val, &err);
	if (ret)
		pr_warn("%s: %s; nothing changed\n", kp->name, err.msg);
	return ret;
}

static int hog_subnets_set(const char *val, const struct kernel_param *kp)
{
	struct hog_list *l;
	int ret;

	mutex_lock(&hog_mutex);
	ret = hog_list_write(val, kp, hog_listed, &l);
	if (!ret) {
		ret = hog_listed_apply(l);
		if (ret)
			hog_free(l);
	}
	mutex_unlock(&hog_mutex);
	return ret;
}

/*
 * Called by the module loader after hog_exit(), and when a load fails,
 * so a value set by insmod is freed even if hog_init() never ran.
 */
static void hog_subnets_free(void *arg)
{
	hog_tab_free(rcu_dereference_protected(hog_listed_tab, 1));
	RCU_INIT_POINTER(hog_listed_tab, NULL);
	hog_free(hog_listed);
	hog_listed = NULL;
}

static int hog_subnets_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&hog_mutex);
	ret = hog_list_format(hog_listed ?: &hog_none, buf, PAGE_SIZE);
	mutex_unlock(&hog_mutex);
	return ret;
}

/*
 * Staged replacement of the listed prefixes (README: "Replacing a large
 * set").  Writes to subnets_stage edit a list of their own, which starts
 * empty; one write of 1 to subnets_commit builds it once and publishes it
 * as a subnets write does.  hog_staged_gen is hog_listed_gen when the stage
 * was started: a commit refuses a stage that subnets changed under.
 */
static void hog_stage_drop(void)
{
	while (hog_stage_parts)
		hog_free(hog_stage_part[--hog_stage_parts]);
	hog_stage_sum = 0;
}

/* Merge the parts into one; on failure they stay a valid stage. */
static int hog_stage_whole(void)
{
	unsigned int i, n;

	lockdep_assert_held(&hog_mutex);
	while (hog_stage_parts > 1) {
		for (i = 0, n = 0; i < hog_stage_parts; i += 2, n++) {
			struct hog_list *m = hog_stage_part[i];

			if (i + 1 < hog_stage_parts) {
				m = hog_list_merge(m, hog_stage_part[i + 1],
						   GFP_KERNEL);
				if (!m) {
					memmove(&hog_stage_part[n],
						&hog_stage_part[i],
						(hog_stage_parts - i) *
						sizeof(m));
					hog_stage_parts -= i - n;
					return -ENOMEM;
				}
				hog_free(hog_stage_part[i]);
				hog_free(hog_stage_part[i + 1]);
			}
			hog_stage_part[n] = m;
		}
		hog_stage_parts = n;
	}
	hog_stage_sum = hog_stage_parts ? hog_stage_part[0]->n : 0;
	return 0;
}

static int hog_stage_set(const char *val, const struct kernel_param *kp)
{
	struct hog_list *l;
	int ret;

	mutex_lock(&hog_mutex);
	if (!hog_live) {
		pr_warn("%s: staging is for run time (give subnets= at load); nothing changed\n",
			kp->name);
		ret = -EINVAL;
		goto out;
	}
	/* An addition is a part of its own while the parts cannot exceed. */
	if (*val == '+' && hog_stage_parts &&
	    hog_stage_parts < HOG_STAGE_PARTS) {
		ret = hog_list_write(val, kp, NULL, &l);
		if (ret)
			goto out;
		if (hog_stage_sum + l->n <= HOG_MAX_PREFIXES) {
			hog_stage_part[hog_stage_parts++] = l;
			hog_stage_sum += l->n;
			goto out;
		}
		hog_free(l);
	}
	ret = hog_stage_whole();
	if (ret)
		goto out;
	ret = hog_list_write(val, kp, hog_stage_parts ? hog_stage_part[0] : NULL,
			     &l);
	if (ret)
		goto out;
	/* A list that is not +/- replaces the stage: it starts again. */
	if (!hog_stage_parts || (*val != '+' && *val != '-'))
		hog_staged_gen = hog_listed_gen;
	hog_stage_drop();
	hog_stage_part[hog_stage_parts++] = l;
	hog_stage_sum = l->n;
out:
	mutex_unlock(&hog_mutex);
	return ret;
}

static int hog_stage_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&hog_mutex);
	ret = hog_stage_whole();
	if (!ret)
		ret = hog_list_format(hog_stage_parts ? hog_stage_part[0] :
				      &hog_none, buf, PAGE_SIZE);
	mutex_unlock(&hog_mutex);
	return ret;
}

/* After hog_exit(), or when a load fails. */
static void hog_stage_free(void *arg)
{
	hog_stage_drop();
}

static int hog_commit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = 0;

	if (kstrtouint(val, 10, &v) || v > 1) {
		pr_warn("%s: write 1 to put the staged prefixes in force, 0 to discard them; nothing changed\n",
			kp->name);
		return -EINVAL;
	}
	mutex_lock(&hog_mutex);
	if (!v || !hog_stage_parts) {
		if (v) {
			pr_warn("%s: nothing staged (write to subnets_stage first); nothing changed\n",
				kp->name);
			ret = -ENOENT;
		}
		hog_stage_drop();
		goto out;
	}
	if (hog_staged_gen != hog_listed_gen) {
		pr_warn("%s: subnets changed since the stage was started; stage discarded, nothing changed\n",
			kp->name);
		hog_stage_drop();
		ret = -ESTALE;
		goto out;
	}
	/* ENOMEM: the stage stays, to try again. */
	ret = hog_stage_whole();
	if (!ret)
		ret = hog_listed_apply(hog_stage_part[0]);
	if (!ret) {
		hog_stage_parts = 0;	/* the part is hog_listed now */
		hog_stage_sum = 0;
	}
out:
	mutex_unlock(&hog_mutex);
	return ret;
}

static int hog_commit_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&hog_mutex);
	ret = hog_stage_whole();
	if (!ret && hog_stage_parts)
		ret = scnprintf(buf, PAGE_SIZE, "%u\n", hog_stage_sum);
	else if (!ret)
		ret = scnprintf(buf, PAGE_SIZE, "none\n");
	mutex_unlock(&hog_mutex);
	return ret;
}

/* Listed and learned, over all namespaces. */
static int hog_guarded_get(char *buf, const struct kernel_param *kp)
{
	struct hog_list *all, *m;
	struct hog_net *hn;
	int ret = -ENOMEM;

	hog_settle();
	mutex_lock(&hog_mutex);
	all = hog_list_merge(hog_listed ?: &hog_none, &hog_none, GFP_KERNEL);
	list_for_each_entry(hn, &hog_nets, node) {
		if (!all)
			break;
		if (!hn->learned)
			continue;
		m = hog_list_merge(all, hn->learned, GFP_KERNEL);
		hog_free(all);
		all = m;
	}
	mutex_unlock(&hog_mutex);
	if (all)
		ret = hog_list_format(all, buf, PAGE_SIZE);
	hog_free(all);
	return ret;
}

static int hog_bool_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (ret)
		pr_warn("%s: not a boolean (Y/N/1/0); nothing changed\n",
			kp->name);
	return ret;
}

static void hog_nop_publish(void *arg)
{
}

static int hog_learn_set(const char *val, const struct kernel_param *kp)
{
	bool old;
	int ret;

	mutex_lock(&hog_mutex);
	old = hog_learn;
	ret = hog_bool_set(val, kp);
	if (!ret && hog_live && old != hog_learn) {
		ret = hog_apply_all(&hog_pats, hog_listed_now(), 0,
				    hog_nop_publish, NULL);
		if (ret)
			WRITE_ONCE(hog_learn, old);
	}
	mutex_unlock(&hog_mutex);
	return ret;
}

static int hog_counter_get(char *buf, const struct kernel_param *kp)
{
	enum hog_reason r = *(const enum hog_reason *)kp->arg;
	u64 v = 0;

	mutex_lock(&hog_mutex);
	if (hog_stats)
		v = hog_stats_sum(hog_stats, r) - hog_stats_base[r];
	mutex_unlock(&hog_mutex);
	return scnprintf(buf, PAGE_SIZE, "%llu\n", v);
}

/* Zeroing is a new base for the sums, so readers never see a torn value. */
static int hog_reset_set(const char *val, const struct kernel_param *kp)
{
	struct hog_net *hn;
	unsigned int v;
	int r;

	if (kstrtouint(val, 10, &v) || v != 1) {
		pr_warn("reset_counters: write 1 to reset\n");
		return -EINVAL;
	}
	mutex_lock(&hog_mutex);
	for (r = 0; r < HOG_NR && hog_stats; r++) {
		hog_stats_base[r] = hog_stats_sum(hog_stats, r);
		list_for_each_entry(hn, &hog_nets, node)
			hn->stats_base[r] = hog_stats_sum(hn->stats, r);
	}
	mutex_unlock(&hog_mutex);
	return 0;
}

static const struct kernel_param_ops hog_hostonly_ops = {
	.set = hog_hostonly_set,
	.get = hog_hostonly_get,
	.free = hog_hostonly_free,
};

static const struct kernel_param_ops hog_subnets_ops = {
	.set = hog_subnets_set,
	.get = hog_subnets_get,
	.free = hog_subnets_free,
};

static const struct kernel_param_ops hog_stage_ops = {
	.set = hog_stage_set,
	.get = hog_stage_get,
	.free = hog_stage_free,
};

static const struct kernel_param_ops hog_commit_ops = {
	.set = hog_commit_set,
	.get = hog_commit_get,
};

static const struct kernel_param_ops hog_guarded_ops = {
	.get = hog_guarded_get,
};

static const struct kernel_param_ops hog_learn_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = hog_learn_set,
	.get = param_get_bool,
};

static const struct kernel_param_ops hog_bool_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = hog_bool_set,
	.get = param_get_bool,
};

static const struct kernel_param_ops hog_counter_ops = {
	.get = hog_counter_get,
};

static const struct kernel_param_ops hog_reset_ops = {
	.set = hog_reset_set,
};

#ifdef HOG_FAULT_TEST
static unsigned int hog_fault_every;
static atomic_t hog_fault_calls = ATOMIC_INIT(0);
static atomic_t hog_faults = ATOMIC_INIT(0);

bool hog_fault(void)
{
	unsigned int every = READ_ONCE(hog_fault_every);

	if (!every || atomic_inc_return(&hog_fault_calls) % every)
		return false;
	atomic_inc(&hog_faults);
	return true;
}

static int hog_faults_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read(&hog_faults));
}

static const struct kernel_param_ops hog_faults_ops = {
	.get = hog_faults_get,
};

module_param_named(fault_every, hog_fault_every, uint, 0644);
MODULE_PARM_DESC(fault_every,
		 "Test builds only: make every Nth allocation fail (0: none)");
module_param_cb(faults, &hog_faults_ops, NULL, 0444);
MODULE_PARM_DESC(faults, "Test builds only: allocations made to fail");
#endif

static const enum hog_reason hog_reason_fwd = HOG_FORWARD;
static const enum hog_reason hog_reason_in = HOG_INBOUND;
static const enum hog_reason hog_reason_post = HOG_POSTROUTING;

module_param_cb(hostonly, &hog_hostonly_ops, NULL, 0644);
MODULE_PARM_DESC(hostonly,
		 "Host-only interfaces, comma-separated; a trailing * (or +) matches a prefix, e.g. vmnet1,vboxnet*");
module_param_cb(subnets, &hog_subnets_ops, NULL, 0644);
MODULE_PARM_DESC(subnets,
		 "Host-only IPv4/IPv6 prefixes, comma-separated, e.g. 192.0.2.0/24,2001:db8:1::/64; +LIST adds, -LIST removes");
module_param_cb(subnets_stage, &hog_stage_ops, NULL, 0644);
MODULE_PARM_DESC(subnets_stage,
		 "Run time only: a list of prefixes written as subnets is (in several writes: LIST, then +LIST...), put in force by subnets_commit");
module_param_cb(subnets_commit, &hog_commit_ops, NULL, 0644);
MODULE_PARM_DESC(subnets_commit,
		 "Write 1 to replace subnets with subnets_stage in one step, 0 to discard the stage; reads the number of staged prefixes, or none");
module_param_cb(learn, &hog_learn_ops, &hog_learn, 0644);
MODULE_PARM_DESC(learn,
		 "Also guard the prefixes of the addresses on host-only interfaces (default Y)");
module_param_cb(inbound, &hog_bool_ops, &hog_inbound, 0644);
MODULE_PARM_DESC(inbound,
		 "Drop packets routed into a host-only network from elsewhere (default Y)");
module_param_cb(log, &hog_bool_ops, &hog_log, 0644);
MODULE_PARM_DESC(log, "Log each dropped packet, rate-limited (default N)");
module_param_cb(monitor, &hog_bool_ops, &hog_monitor, 0644);
MODULE_PARM_DESC(monitor,
		 "Count and log what would be dropped, but let it pass (default N)");
module_param_cb(guarded, &hog_guarded_ops, NULL, 0444);
MODULE_PARM_DESC(guarded,
		 "Read-only: the prefixes in force, listed and learned, over all namespaces");
module_param_cb(drops_forward, &hog_counter_ops, (void *)&hog_reason_fwd, 0444);
MODULE_PARM_DESC(drops_forward,
		 "Read-only: packets dropped leaving a host-only network");
module_param_cb(drops_inbound, &hog_counter_ops, (void *)&hog_reason_in, 0444);
MODULE_PARM_DESC(drops_inbound,
		 "Read-only: packets dropped being routed into a host-only network");
module_param_cb(drops_postrouting, &hog_counter_ops, (void *)&hog_reason_post,
		0444);
MODULE_PARM_DESC(drops_postrouting,
		 "Read-only: host packets dropped for a host-only source address on an outside interface");
module_param_cb(reset_counters, &hog_reset_ops, NULL, 0200);
MODULE_PARM_DESC(reset_counters, "Write 1 to zero the drop counters");

/* ---------------------------------------------------------------------- */
/* Module                                                                  */

static int __init hog_init(void)
{
	struct hog_stats __percpu *stats;
	struct hog_net *hn;
	int ret;

	hog_stats = hog_stats_alloc();
	if (!hog_stats)
		return -ENOMEM;
	hog_wq = alloc_workqueue("hoguard", HOG_WQ_FLAGS, 0);
	if (!hog_wq) {
		ret = -ENOMEM;
		goto err_wq;
	}
	/* From here on packets may read the tables: free them after RCU. */
	mutex_lock(&hog_mutex);
	hog_live = true;
	mutex_unlock(&hog_mutex);
	ret = register_pernet_subsys(&hog_net_ops);
	if (ret)
		goto err_pernet;
	ret = register_netdevice_notifier(&hog_netdev_nb);
	if (ret)
		goto err_netdev;
	ret = register_inetaddr_notifier(&hog_inetaddr_nb);
	if (ret)
		goto err_inetaddr;
	ret = register_inet6addr_notifier(&hog_inet6addr_nb);
	if (ret)
		goto err_inet6addr;
	/* Addresses added before the address notifiers were in place. */
	mutex_lock(&hog_mutex);
	list_for_each_entry(hn, &hog_nets, node)
		hog_net_sync(hn);
	mutex_unlock(&hog_mutex);
	pr_info("version " HOGUARD_VERSION " loaded\n");
	return 0;

err_inet6addr:
	unregister_inetaddr_notifier(&hog_inetaddr_nb);
err_inetaddr:
	unregister_netdevice_notifier(&hog_netdev_nb);
err_netdev:
	unregister_pernet_subsys(&hog_net_ops);
err_pernet:
	mutex_lock(&hog_mutex);
	hog_live = false;
	mutex_unlock(&hog_mutex);
	rcu_barrier();	/* our RCU callbacks are module code */
	hog_wq_destroy();
err_wq:
	/* as in hog_exit(): counter readers may have started already */
	mutex_lock(&hog_mutex);
	stats = hog_stats;
	hog_stats = NULL;
	mutex_unlock(&hog_mutex);
	free_percpu(stats);
	return ret;
}

static void __exit hog_exit(void)
{
	struct hog_stats __percpu *stats = hog_stats;

	unregister_inet6addr_notifier(&hog_inet6addr_nb);
	unregister_inetaddr_notifier(&hog_inetaddr_nb);
	unregister_netdevice_notifier(&hog_netdev_nb);
	unregister_pernet_subsys(&hog_net_ops);
	/* Parameter files outlive this function: see hog_subnets_free(). */
	mutex_lock(&hog_mutex);
	hog_live = false;
	hog_stats = NULL;
	mutex_unlock(&hog_mutex);
	rcu_barrier();	/* our RCU callbacks are module code */
	hog_wq_destroy();
	free_percpu(stats);
}

module_init(hog_init);
module_exit(hog_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Keep host-only virtual networks inside the host");
MODULE_VERSION(HOGUARD_VERSION);
MODULE_AUTHOR("The hoguard authors");
#endif /* __KERNEL__ */
