// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over hoguard's kernel-independent core: the very source
 * of hoguard.c, compiled in userspace as tests/unit does.
 *
 * An input is a sequence of parameter writes separated by NUL bytes (a
 * sysfs write is a C string: the kernel never sees past a NUL), on empty
 * lists.  The first byte of each write selects its target and an
 * allocation failure to inject:
 *
 *   input[0]  ignored (reserved)
 *   write[0]  bit 0: 0 = subnets, 1 = hostonly
 *             bits 1-2: 3 = fail the allocation numbered by bits 3-5
 *   write[1..] the value written, as `echo -n` would
 *
 * For every write it checks, and abort()s on any violation:
 *  - the errno is one the documentation allows (EINVAL, ENOSPC, ENOENT;
 *    ENOMEM only when an allocation was made to fail);
 *  - a refused write left the list exactly as it was, explained itself in
 *    the error message, and leaked nothing;
 *  - an accepted write gave what a simple reference model computes from the
 *    old list and the write (replace, add, remove, limits);
 *  - the result is canonical: sorted, duplicate-free, host bits clear, and
 *    its formatted form, written back, parses to itself (a fixed point);
 *  - the formatted form fits a page exactly when the kernel could print it,
 *    and every buffer size is honoured (ASan guards the ends);
 *  - the lookup table built from the final list answers every probe
 *    (addresses inside, at the edges of and just outside its prefixes, and
 *    addresses taken from the input) as a linear scan over the list does.
 * ASan, UBSan and LeakSanitizer watch the rest.
 *
 * Only hoguard.c's functions (hog_*) feed coverage back to the fuzzer
 * (coverage.allow): the checks here are not what is being explored, and
 * instrumenting them would cost most of the time.
 */
#include "../../hoguard.c"

long hog_fail_after = -1;
long hog_live_allocs;
long hog_injected;

#define PAGE	4096

#define FAIL(...) do {							\
	fprintf(stderr, "fuzz_core: " __VA_ARGS__);			\
	fprintf(stderr, "\n");						\
	abort();							\
} while (0)

/* ---- helpers --------------------------------------------------------- */

static int pfx_eq(const struct hog_pfx *x, const struct hog_pfx *y)
{
	return x->family == y->family && x->len == y->len &&
	       !memcmp(x->a, y->a, sizeof(x->a));
}

/* Canonical: strictly ascending, host bits clear, sane lengths, no v4-mapped. */
static void check_canonical(const struct hog_list *l, const char *what)
{
	u32 i;

	if (l->n > HOG_MAX_PREFIXES)
		FAIL("%s: %u prefixes, over the limit", what, l->n);
	for (i = 0; i < l->n; i++) {
		struct hog_pfx m = l->p[i];

		if (m.family != HOG_V4 && m.family != HOG_V6)
			FAIL("%s: family %u", what, m.family);
		if (m.len > (m.family == HOG_V4 ? 32 : 128))
			FAIL("%s: length %u", what, m.len);
		if (m.family == HOG_V4 && (m.a[1] || m.a[2] || m.a[3]))
			FAIL("%s: IPv4 prefix with bits in a[1..3]", what);
		hog_pfx_mask(&m);
		if (memcmp(m.a, l->p[i].a, sizeof(m.a)))
			FAIL("%s: host bits set in element %u", what, i);
		if (hog_pfx_v4mapped(&l->p[i]))
			FAIL("%s: IPv4-mapped prefix accepted", what);
		if (i && hog_pfx_cmp(&l->p[i - 1], &l->p[i]) >= 0)
			FAIL("%s: not sorted/unique at %u", what, i);
	}
}

/* Parse @val (a replace) into a fresh list; NULL when refused. */
static struct hog_list *parse_list(const char *val, int *ret)
{
	struct hog_list *l = NULL;
	struct hog_err err = { { 0 } };
	static const struct hog_list empty;

	*ret = hog_list_update(&l, &empty, val, &err);
	return *ret ? NULL : l;
}

/*
 * Buffers for formatting: globals, so ASan guards their ends; big enough
 * for the longest list a 4096-byte input can produce (at most 2048
 * prefixes of at most HOG_MAX_ELEM bytes each).
 */
static char fmt_big[2][2048 * HOG_MAX_ELEM + 2];
static char fmt_page[PAGE];

/* Format with the kernel's page and with a buffer that is always enough. */
static char *format_list(const struct hog_list *l, size_t small, int which)
{
	char *buf = fmt_big[which], *tiny;
	int n, np;

	if (l->n > 2048)
		FAIL("%u prefixes from one input", l->n);
	/* the kernel's read-back: all of it when it fits a page, else an error */
	n = hog_list_format(l, fmt_page, PAGE);
	if (n >= 0) {
		memcpy(buf, fmt_page, n + 1);
	} else {
		if (n != -EOVERFLOW)
			FAIL("page-sized format gave %d", n);
		n = hog_list_format(l, buf, sizeof(fmt_big[0]));
		if (n < 0)
			FAIL("formatting %u prefixes failed", l->n);
		if ((size_t)n + 1 <= PAGE)
			FAIL("a %d-byte list did not fit a page", n);
	}
	if ((size_t)n != strlen(buf) || buf[n - 1] != '\n')
		FAIL("formatted list has length %d, strlen %zu", n, strlen(buf));
	/* any buffer size is honoured (ASan guards the end) */
	if (small) {
		tiny = malloc(small);
		np = hog_list_format(l, tiny, small);
		if (np >= 0 && (np != n || memcmp(tiny, buf, n + 1)))
			FAIL("%zu-byte format gave %d, want %d or an error",
			     small, np, n);
		free(tiny);
	}
	return buf;
}

/* ---- the lookup cross-check ------------------------------------------ */

static bool brute(const struct hog_list *l, int family, const __be32 *a)
{
	u32 i;

	for (i = 0; i < l->n; i++) {
		struct hog_pfx x = { .family = family };

		if (l->p[i].family != family)
			continue;
		memcpy(x.a, a, family == HOG_V4 ? 4 : 16);
		x.len = l->p[i].len;
		hog_pfx_mask(&x);
		if (!memcmp(x.a, l->p[i].a, sizeof(x.a)))
			return true;
	}
	return false;
}

static void probe(const struct hog_tab *t, const struct hog_list *l, int family,
		  const __be32 *a)
{
	__be32 b[4] = { 0 };
	bool got, want;

	memcpy(b, a, family == HOG_V4 ? 4 : 16);
	got = family == HOG_V4 ? hog_tab_has4(t, b[0]) : hog_tab_has6(t, b);
	want = brute(l, family, b);
	if (got != want) {
		char s[64];

		inet_ntop(family == HOG_V4 ? AF_INET : AF_INET6, b, s, sizeof(s));
		FAIL("lookup of %s: table says %d, linear scan %d", s, got, want);
	}
}

/* Bytes taken from the input, cycling. */
struct stream {
	const u8 *d;
	size_t n, i;
};

static u32 take32(struct stream *s)
{
	u32 v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		v = v << 8 | (s->n ? s->d[s->i++ % s->n] : 0x5a);
	}
	return v;
}

static void check_lookups(const struct hog_list *l, struct stream *s)
{
	struct hog_tab *t;
	u32 i, k, step;

	if (!l->n)
		return;
	t = hog_tab_build(l, GFP_KERNEL);
	if (!t)
		FAIL("table build failed without an injected failure");
	/* the edges of (at most 16 of) the prefixes */
	step = l->n > 16 ? l->n / 16 : 1;
	for (i = 0; i < l->n; i += step) {
		const struct hog_pfx *p = &l->p[i];
		unsigned int words = p->family == HOG_V4 ? 1 : 4, w;
		__be32 a[4];

		/* the first address, the last, a random one inside */
		memcpy(a, p->a, sizeof(a));
		probe(t, l, p->family, a);
		for (w = 0; w < words; w++)
			a[w] = p->a[w] | ~hog_mask_word(p->len, w);
		probe(t, l, p->family, a);
		for (w = 0; w < words; w++)
			a[w] = p->a[w] | (cpu_to_be32(take32(s)) &
					  ~hog_mask_word(p->len, w));
		probe(t, l, p->family, a);
		/* just outside: the last prefix bit flipped */
		if (p->len) {
			unsigned int bit = p->len - 1;

			memcpy(a, p->a, sizeof(a));
			a[bit / 32] ^= cpu_to_be32(1u << (31 - bit % 32));
			probe(t, l, p->family, a);
			/* and random bits after it: the deepest near miss */
			for (w = 0; w < words; w++)
				a[w] |= cpu_to_be32(take32(s)) &
					~hog_mask_word(p->len, w);
			probe(t, l, p->family, a);
		}
	}
	/* addresses from the input */
	for (k = 0; k < 8; k++) {
		__be32 a[4];

		for (i = 0; i < 4; i++)
			a[i] = cpu_to_be32(take32(s));
		probe(t, l, k & 1 ? HOG_V6 : HOG_V4, a);
	}
	hog_tab_free(t);
}

/* ---- subnets ----------------------------------------------------------- */

static bool model_has(const struct hog_list *l, const struct hog_pfx *x)
{
	/* binary search: @l was checked to be sorted and unique */
	u32 lo = 0, hi = l->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = hog_pfx_cmp(&l->p[mid], x);

		if (!c)
			return pfx_eq(&l->p[mid], x);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* What a write to @cur must give, by a simple model; NULL + *ret if refused. */
static struct hog_list *model_list(const struct hog_list *cur, const char *val,
				   int *ret)
{
	size_t len = strlen(val);
	struct hog_err err = { { 0 } };
	struct hog_list *w, *res;
	u32 i;
	char op;

	if (len && val[len - 1] == '\n')
		len--;
	op = len && (val[0] == '+' || val[0] == '-') ? val[0] : 0;
	if (!op && !len) {
		*ret = 0;
		return hog_list_alloc(0, GFP_KERNEL);
	}
	/* the elements, by the core's element parser */
	w = hog_list_parse(val + !!op, val + len, &err, ret);
	if (!w)
		return NULL;
	*ret = 0;
	check_canonical(w, "parsed elements");
	if (!op)
		return w;
	res = hog_list_alloc(cur->n + w->n, GFP_KERNEL);
	if (op == '+') {
		u32 j = 0;

		/* both sorted and unique: merge */
		for (i = 0; i < cur->n; i++) {
			for (; j < w->n && hog_pfx_cmp(&w->p[j], &cur->p[i]) < 0; j++)
				res->p[res->n++] = w->p[j];
			if (j < w->n && pfx_eq(&w->p[j], &cur->p[i]))
				j++;
			res->p[res->n++] = cur->p[i];
		}
		while (j < w->n)
			res->p[res->n++] = w->p[j++];
		if (res->n > HOG_MAX_PREFIXES)
			*ret = -ENOSPC;
	} else {
		for (i = 0; i < w->n; i++)
			if (!model_has(cur, &w->p[i]))
				*ret = -ENOENT;
		for (i = 0; i < cur->n; i++)
			if (!model_has(w, &cur->p[i]))
				res->p[res->n++] = cur->p[i];
	}
	hog_free(w);
	if (*ret) {
		hog_free(res);
		return NULL;
	}
	return res;
}

static void write_subnets(struct hog_list **cur, const char *val, long fail,
			  struct stream *s)
{
	struct hog_err err = { { 0 } };
	struct hog_list *out = NULL, *want, *again;
	long live = hog_live_allocs;
	int ret, mret, r2;
	char *f, *f2;

	hog_fail_after = fail;
	ret = hog_list_update(&out, *cur, val, &err);
	hog_fail_after = -1;

	if (ret) {
		if (ret != -EINVAL && ret != -ENOSPC && ret != -ENOENT &&
		    !(ret == -ENOMEM && fail >= 0))
			FAIL("subnets: errno %d", ret);
		if (!err.msg[0] && ret != -ENOMEM)
			FAIL("subnets: refused (%d) without a message", ret);
		if (!memchr(err.msg, '\0', sizeof(err.msg)))
			FAIL("subnets: unterminated message");
		if (hog_live_allocs != live)
			FAIL("subnets: refused write leaked %ld allocations",
			     hog_live_allocs - live);
	}
	if (ret == -ENOMEM)
		return;
	want = model_list(*cur, val, &mret);
	if (ret != mret)
		FAIL("subnets: errno %d, the model says %d", ret, mret);
	if (ret)
		return;
	check_canonical(out, "subnets");
	if (out->n != want->n ||
	    memcmp(out->p, want->p, out->n * sizeof(out->p[0])))
		FAIL("subnets: result differs from the model (%u vs %u prefixes)",
		     out->n, want->n);
	hog_free(want);

	{
		/* the canonical form is a fixed point */
		f = format_list(out, s->n ? s->d[s->i++ % s->n] : 7, 0);
		again = parse_list(f, &r2);
		if (!again)
			FAIL("subnets: read-back '%.200s' refused (%d)", f, r2);
		f2 = format_list(again, 0, 1);
		if (strcmp(f, f2))
			FAIL("subnets: '%.200s' reads back as '%.200s'", f, f2);
		hog_free(again);
	}
	hog_free(*cur);
	*cur = out;
}

/* ---- hostonly ------------------------------------------------------------ */

static bool pat_eq(const struct hog_pattern *x, const struct hog_pattern *y)
{
	return x->wild == y->wild && !strcmp(x->name, y->name);
}

static void check_pats(const struct hog_pats *p)
{
	unsigned int i, j;

	if (p->n > HOG_MAX_PATTERNS)
		FAIL("hostonly: %u patterns", p->n);
	for (i = 0; i < p->n; i++) {
		const struct hog_pattern *x = &p->pat[i];

		if (!x->len || x->len >= IFNAMSIZ || strlen(x->name) != x->len)
			FAIL("hostonly: pattern %u has length %u, name '%s'",
			     i, x->len, x->name);
		for (j = 0; j < x->len; j++)
			if ((u8)x->name[j] <= ' ' || (u8)x->name[j] >= 0x7f ||
			    strchr("/:*", x->name[j]))
				FAIL("hostonly: bad byte in pattern '%s'", x->name);
		for (j = 0; j < i; j++)
			if (pat_eq(&p->pat[j], x))
				FAIL("hostonly: duplicate '%s'", x->name);
		/* a pattern matches its own name; a wildcard also longer ones */
		if (!hog_pats_match(p, x->name))
			FAIL("hostonly: '%s' does not match itself", x->name);
		if (x->wild && x->len < IFNAMSIZ - 1) {
			char n[IFNAMSIZ];

			snprintf(n, sizeof(n), "%sq", x->name);
			if (!hog_pats_match(p, n))
				FAIL("hostonly: '%s*' does not match '%s'",
				     x->name, n);
		}
	}
}

/*
 * Format into @buf of @size bytes (exactly: ASan guards the end); NULL when
 * it does not fit.
 */
static char *format_pats(const struct hog_pats *p, char *buf, size_t size)
{
	int n = hog_pats_format(p, buf, size);

	if (n < 0)
		return NULL;
	if ((size_t)n != strlen(buf) || !n || buf[n - 1] != '\n')
		FAIL("hostonly: formatted length %d, strlen %zu", n, strlen(buf));
	return buf;
}

/* Globals, so that ASan guards them too. */
static struct hog_pats pats_out, pats_again, pats_model;
static char pats_page[2][PAGE];

static void write_hostonly(struct hog_pats *cur, const char *val,
			   struct stream *s)
{
	struct hog_err err = { { 0 } };
	struct hog_pats *out = &pats_out, *again = &pats_again;
	struct hog_pats *model = &pats_model;
	char *f, *f2, *t;
	int ret, r2;
	size_t small;

	ret = hog_pats_update(out, cur, val, &err);
	if (ret) {
		if (ret != -EINVAL && ret != -ENOSPC && ret != -ENOENT)
			FAIL("hostonly: errno %d", ret);
		if (!err.msg[0])
			FAIL("hostonly: refused (%d) without a message", ret);
		if (!memchr(err.msg, '\0', sizeof(err.msg)))
			FAIL("hostonly: unterminated message");
	}

	/* model: parse the elements one by one with the core's own parser */
	{
		size_t len = strlen(val), i = 0, n;
		char op = 0;
		int mret = 0;
		struct hog_pattern x;
		struct hog_err e2;

		if (len && val[len - 1] == '\n')
			len--;
		if (len && (val[0] == '+' || val[0] == '-'))
			op = val[i++];
		*model = op ? *cur : (struct hog_pats){ .n = 0 };
		if (op || len) {
			for (;;) {
				unsigned int k;

				n = 0;
				while (i + n < len && val[i + n] != ',')
					n++;
				mret = hog_pat_parse(val + i, n, &x, &e2);
				if (mret)
					break;
				for (k = 0; k < model->n; k++)
					if (pat_eq(&model->pat[k], &x))
						break;
				if (op == '-') {
					if (k == model->n) {
						mret = -ENOENT;
						break;
					}
					memmove(&model->pat[k], &model->pat[k + 1],
						(model->n - k - 1) *
						sizeof(x));
					model->n--;
				} else if (k == model->n) {
					if (model->n == HOG_MAX_PATTERNS) {
						mret = -ENOSPC;
						break;
					}
					model->pat[model->n++] = x;
				}
				i += n;
				if (i == len)
					break;
				i++;
			}
		}
		if (ret != mret)
			FAIL("hostonly: errno %d, the model says %d", ret, mret);
	}
	if (ret)
		return;
	check_pats(out);
	if (out->n != model->n)
		FAIL("hostonly: %u patterns, the model has %u", out->n, model->n);
	for (r2 = 0; r2 < (int)out->n; r2++)
		if (!pat_eq(&out->pat[r2], &model->pat[r2]))
			FAIL("hostonly: pattern %d is '%s', the model's '%s'", r2,
			     out->pat[r2].name, model->pat[r2].name);

	/* a page always holds the longest list: 64 x 16 bytes + commas */
	f = format_pats(out, pats_page[0], PAGE);
	if (!f)
		FAIL("hostonly: %u patterns do not fit a page", out->n);
	small = s->n ? s->d[s->i++ % s->n] : 3;
	if (small) {
		char *tiny = malloc(small);

		t = format_pats(out, tiny, small);
		if (t && strcmp(t, f))
			FAIL("hostonly: %zu-byte format differs", small);
		free(tiny);
	}
	/* the canonical form is a fixed point */
	memset(&err, 0, sizeof(err));
	r2 = hog_pats_update(again, &(struct hog_pats){ .n = 0 }, f, &err);
	if (r2)
		FAIL("hostonly: read-back '%s' refused (%d): %s", f, r2, err.msg);
	f2 = format_pats(again, pats_page[1], PAGE);
	if (strcmp(f, f2))
		FAIL("hostonly: '%s' reads back as '%s'", f, f2);
	*cur = *out;
}

/* ---- entry point --------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hog_pats pats = { .n = 0 };
	struct hog_list *cur;
	struct stream s = { data, size, size / 2 };
	size_t i = 1, j;
	long live0 = hog_live_allocs;

	if (!size)
		return 0;
	cur = hog_list_alloc(0, GFP_KERNEL);
	while (i < size) {
		char *val;
		u8 ctl;

		/* data[i] is the control byte, the value runs to the next NUL */
		for (j = i + 1; j < size && data[j]; j++)
			;
		ctl = data[i];
		val = strndup((const char *)data + i + 1, j - i - 1);
		if (ctl & 1)
			write_hostonly(&pats, val, &s);
		else
			write_subnets(&cur, val,
				      (ctl & 6) == 6 ? (ctl >> 3) & 7 : -1, &s);
		free(val);
		i = j + 1;
	}
	/* the table of the final list against a linear scan */
	check_lookups(cur, &s);
	hog_free(cur);
	if (hog_live_allocs != live0)
		FAIL("%ld allocations leaked", hog_live_allocs - live0);
	return 0;
}
