// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hoguard's core: the very source of hoguard.c, compiled in
 * userspace.  Prints each failed check and "N passed, M failed".
 *
 * CHECK is an assertion about behaviour, and is what the counts count;
 * REQUIRE is bookkeeping (a buffer formatted, a table built): it fails the
 * run when it does not hold but is not counted as a check when it does.
 */
#include "../../hoguard.c"

long hog_fail_after = -1;
long hog_live_allocs;
long hog_injected;

static int passed, failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* A precondition: reported when it fails, not counted when it holds. */
#define REQUIRE(cond, ...) do {						\
	if (!(cond))							\
		CHECK(0, __VA_ARGS__);					\
} while (0)

/* ---- patterns ---- */

static struct hog_pats pats;

/* Write @val to the pattern list; returns the errno, updates on success. */
static int pw(const char *val)
{
	struct hog_pats out;
	struct hog_err err = { { 0 } };
	int ret = hog_pats_update(&out, &pats, val, &err);

	if (!ret)
		pats = out;
	else
		CHECK(err.msg[0], "no message for refused pattern write '%s'", val);
	return ret;
}

static const char *pr(void)
{
	static char buf[4096];

	REQUIRE(hog_pats_format(&pats, buf, sizeof(buf)) >= 0, "format");
	return buf;
}

static void expect_pats(const char *val, int ret, const char *after)
{
	char before[4096];
	int got;

	strcpy(before, pr());
	got = pw(val);
	CHECK(got == ret, "hostonly '%s': errno %d, want %d", val, got, ret);
	if (after)
		CHECK(!strcmp(pr(), after), "hostonly '%s' reads '%s', want '%s'",
		      val, pr(), after);
	else
		CHECK(!strcmp(pr(), before), "hostonly '%s' changed the list",
		      val);
}

static void test_patterns(void)
{
	char big[4096];
	int i;

	expect_pats("vmnet1\n", 0, "vmnet1\n");
	expect_pats("vmnet1,vboxnet+", 0, "vmnet1,vboxnet*\n");
	expect_pats("+virbr*,vmnet1", 0, "vmnet1,vboxnet*,virbr*\n");
	expect_pats("-vmnet1", 0, "vboxnet*,virbr*\n");
	expect_pats("-vmnet1", -ENOENT, NULL);
	expect_pats("-vboxnet", -ENOENT, NULL);	/* not the wildcard */
	expect_pats("\n", 0, "\n");
	expect_pats("", 0, "\n");
	expect_pats("a,a,b", 0, "a,b\n");
	expect_pats("abcdefghijklmno", 0, "abcdefghijklmno\n");
	expect_pats("abcdefghijklmno*", 0, "abcdefghijklmno*\n");

	/* malformed: config stays */
	expect_pats("abcdefghijklmnop", -EINVAL, NULL);
	expect_pats("a,,b", -EINVAL, NULL);
	expect_pats("a,", -EINVAL, NULL);
	expect_pats(",a", -EINVAL, NULL);
	expect_pats("*", -EINVAL, NULL);
	expect_pats("+", -EINVAL, NULL);
	expect_pats("-", -EINVAL, NULL);
	expect_pats("+\n", -EINVAL, NULL);
	expect_pats("a b", -EINVAL, NULL);
	expect_pats("a\tb", -EINVAL, NULL);
	expect_pats("a/b", -EINVAL, NULL);
	expect_pats("a:1", -EINVAL, NULL);
	expect_pats("a*b", -EINVAL, NULL);
	expect_pats("**", -EINVAL, NULL);
	expect_pats(".", -EINVAL, NULL);
	expect_pats("..", -EINVAL, NULL);
	expect_pats("caf\xc3\xa9", -EINVAL, NULL);
	expect_pats("a\n\n", -EINVAL, NULL);
	expect_pats("good,bad name", -EINVAL, NULL);

	/* limits: 64 patterns, the 65th is refused */
	expect_pats("\n", 0, "\n");
	for (i = 0; i < HOG_MAX_PATTERNS; i++) {
		char n[16];

		snprintf(n, sizeof(n), "+dev%d", i);
		CHECK(!pw(n), "adding pattern %d", i);
	}
	expect_pats("+one-more", -ENOSPC, NULL);
	expect_pats("+dev0", 0, NULL);		/* already there */
	big[0] = '\0';
	for (i = 0; i < 65; i++)
		sprintf(big + strlen(big), "%sx%d", i ? "," : "", i);
	expect_pats(big, -ENOSPC, NULL);

	/* matching */
	expect_pats("vmnet1,vboxnet*", 0, "vmnet1,vboxnet*\n");
	CHECK(hog_pats_match(&pats, "vmnet1"), "vmnet1 matches");
	CHECK(!hog_pats_match(&pats, "vmnet10"), "vmnet10 does not");
	CHECK(!hog_pats_match(&pats, "vmnet"), "vmnet does not");
	CHECK(hog_pats_match(&pats, "vboxnet0"), "vboxnet0 matches");
	CHECK(hog_pats_match(&pats, "vboxnet"), "vboxnet matches vboxnet*");
	CHECK(!hog_pats_match(&pats, "vbox"), "vbox does not");
	CHECK(!hog_pats_match(&pats, "eth0"), "eth0 does not");
}

/*
 * Inputs the fuzzer (tests/fuzz) found.  Whatever a sequence of writes
 * leaves in force, writing its read-back must give the very same list: the
 * canonical form is a fixed point.
 */
static void expect_readback_fixed(const char * const *writes, unsigned int n)
{
	char back[4096];
	unsigned int i;
	int ret;

	expect_pats("\n", 0, "\n");
	for (i = 0; i < n; i++)
		pw(writes[i]);
	strcpy(back, pr());
	ret = pw(back);
	CHECK(!ret && !strcmp(pr(), back),
	      "hostonly: read-back '%.*s' written back gives errno %d, '%.*s'",
	      (int)strlen(back) - 1, back, ret, (int)strlen(pr()) - 1, pr());
}

static void test_fuzz_found(void)
{
	/* fuzz_core input "d\x01+-": pattern "-" read back as "-", a removal */
	static const char * const crash1[] = { "+-" };
	static const char * const crash1b[] = { "+-vmnet1" };
	static const char * const crash1c[] = { "a,-b", "-a" };
	static const char * const crash1d[] = { "a,+b", "-a" };

	expect_readback_fixed(crash1, ARRAY_SIZE(crash1));
	expect_readback_fixed(crash1b, ARRAY_SIZE(crash1b));
	expect_readback_fixed(crash1c, ARRAY_SIZE(crash1c));
	expect_readback_fixed(crash1d, ARRAY_SIZE(crash1d));
}

/* ---- prefixes ---- */

static void expect_pfx(const char *in, const char *out)
{
	struct hog_pfx p;
	char buf[HOG_MAX_ELEM];
	int ret = hog_pfx_parse(in, strlen(in), &p);

	if (!out) {
		CHECK(ret == -EINVAL, "'%s' should be refused, got %d", in, ret);
		return;
	}
	CHECK(!ret, "'%s' refused", in);
	if (ret)
		return;
	hog_pfx_format(&p, buf, sizeof(buf));
	CHECK(!strcmp(buf, out), "'%s' reads '%s', want '%s'", in, buf, out);
}

static void test_prefixes(void)
{
	static const char * const bad[] = {
		"", "/", "/24", "1", "1.2.3", "1.2.3.4.5", "256.0.0.0",
		"1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+1",
		"1.2.3.4/024", "01.2.3.4", "1.2.3.04", "1.2.3.4/1/2",
		"1..2.3", ".1.2.3", "1.2.3.", " 1.2.3.4", "1.2.3.4 ",
		"1.2.3.4/ 8", "0x1.2.3.4", "1.2.3.4a", "1.2.3.4/8a",
		":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7", "::g", ":1::", "1::2:", "1:2:3:4:5:6:7:8::",
		"::1/129", "::1/0128", "fe80::1%eth0", "::ffff:192.0.2.1",
		"::ffff:192.0.2.0/120", "::ffff:0:0/96", "1:2:3:4:5:6:7:1.2.3.4",
		"::1.2.3", "::256.1.1.1", "2001:db8::/", "[2001:db8::]",
		"2001:db8::/32/1", "0:0:0:0:0:ffff:c000:201",
	};
	unsigned int i;

	expect_pfx("192.0.2.1", "192.0.2.1/32");
	expect_pfx("192.0.2.1/24", "192.0.2.0/24");
	expect_pfx("192.0.2.255/25", "192.0.2.128/25");
	expect_pfx("0.0.0.0/0", "0.0.0.0/0");
	expect_pfx("255.255.255.255/0", "0.0.0.0/0");
	expect_pfx("255.255.255.255/32", "255.255.255.255/32");
	expect_pfx("198.51.100.7/31", "198.51.100.6/31");
	expect_pfx("203.0.113.9/1", "128.0.0.0/1");
	expect_pfx("0.0.0.0", "0.0.0.0/32");
	expect_pfx("::", "::/128");
	expect_pfx("::/0", "::/0");
	expect_pfx("::1", "::1/128");
	expect_pfx("2001:db8::1/32", "2001:db8::/32");
	expect_pfx("2001:DB8:0:0:0:0:0:1", "2001:db8::1/128");
	expect_pfx("2001:0db8:0000:0001:0000:0000:0000:0001",
		   "2001:db8:0:1::1/128");
	expect_pfx("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128");
	expect_pfx("2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128");
	expect_pfx("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128");
	expect_pfx("2001:db8:1::ffff/127", "2001:db8:1::fffe/127");
	expect_pfx("2001:db8::/128", "2001:db8::/128");
	expect_pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	expect_pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/1", "8000::/1");
	expect_pfx("1::", "1::/128");
	expect_pfx("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128");
	expect_pfx("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8/128");
	expect_pfx("64:ff9b::192.0.2.1", "64:ff9b::c000:201/128");
	expect_pfx("2001:db8::5efe:192.0.2.1", "2001:db8::5efe:192.0.2.1/128");
	expect_pfx("2001:db8::200:5efe:c000:201",
		   "2001:db8::200:5efe:192.0.2.1/128");
	expect_pfx("::ffff:0:0/95", "::fffe:0:0/95");
	expect_pfx("::192.0.2.1", "::c000:201/128");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_pfx(bad[i], NULL);
}

/* ---- prefix lists ---- */

static struct hog_list *cur;

static int lw(const char *val)
{
	struct hog_err err = { { 0 } };
	struct hog_list *out = NULL;
	int ret = hog_list_update(&out, cur, val, &err);

	if (!ret) {
		hog_free(cur);
		cur = out;
	} else {
		CHECK(err.msg[0], "no message for refused subnets write");
	}
	return ret;
}

static const char *lr(void)
{
	static char buf[1 << 20];

	REQUIRE(hog_list_format(cur, buf, sizeof(buf)) > 0, "format");
	return buf;
}

static void expect_list(const char *val, int ret, const char *after)
{
	static char before[1 << 20];
	int got;

	strcpy(before, lr());
	got = lw(val);
	CHECK(got == ret, "subnets '%.60s': errno %d, want %d", val, got, ret);
	if (after)
		CHECK(!strcmp(lr(), after), "subnets '%.60s' reads '%s', want '%s'",
		      val, lr(), after);
	else
		CHECK(!strcmp(lr(), before), "subnets '%.60s' changed the list",
		      val);
}

static void test_lists(void)
{
	static char big[HOG_MAX_PREFIXES * 20];
	char small[8];
	int i;

	cur = hog_list_alloc(0, GFP_KERNEL);
	expect_list("192.0.2.0/24\n", 0, "192.0.2.0/24\n");
	expect_list("2001:db8:1::/64,198.51.100.7/24,192.0.2.9/24", 0,
		    "192.0.2.0/24,198.51.100.0/24,2001:db8:1::/64\n");
	expect_list("+203.0.113.0/24,2001:db8::/32", 0,
		    "192.0.2.0/24,198.51.100.0/24,203.0.113.0/24,2001:db8::/32,2001:db8:1::/64\n");
	expect_list("-198.51.100.1/24,2001:db8:1::1/64", 0,
		    "192.0.2.0/24,203.0.113.0/24,2001:db8::/32\n");
	expect_list("-198.51.100.0/24", -ENOENT, NULL);
	expect_list("-192.0.2.0/24,198.51.100.0/24", -ENOENT, NULL);
	expect_list("-192.0.2.0/25", -ENOENT, NULL);
	expect_list("+192.0.2.0/24", 0, NULL);
	expect_list("192.0.2.0/24,192.0.2.1/24,192.0.2.0/25", 0,
		    "192.0.2.0/24,192.0.2.0/25\n");
	expect_list("\n", 0, "\n");
	expect_list("", 0, "\n");

	/* malformed: the list stays as it was */
	expect_list("192.0.2.0/24", 0, "192.0.2.0/24\n");
	expect_list("192.0.2.0/24,,198.51.100.0/24", -EINVAL, NULL);
	expect_list("192.0.2.0/24,", -EINVAL, NULL);
	expect_list(",192.0.2.0/24", -EINVAL, NULL);
	expect_list("+", -EINVAL, NULL);
	expect_list("-", -EINVAL, NULL);
	expect_list("+198.51.100.0/24,garbage", -EINVAL, NULL);
	expect_list("198.51.100.0/24 ,203.0.113.0/24", -EINVAL, NULL);
	expect_list("::ffff:192.0.2.0/120", -EINVAL, NULL);
	expect_list("2001:db8::/129", -EINVAL, NULL);
	expect_list("192.0.2.0/24\n\n", -EINVAL, NULL);
	expect_list("++192.0.2.0/24", -EINVAL, NULL);
	expect_list("+-192.0.2.0/24", -EINVAL, NULL);
	memset(big, '1', 200);
	big[200] = '\0';
	expect_list(big, -EINVAL, NULL);

	/* limits */
	big[0] = '\0';
	for (i = 0; i < HOG_MAX_PREFIXES; i++)
		sprintf(big + strlen(big), "%s10.%d.%d.0/24", i ? "," : "",
			i >> 8, i & 255);
	CHECK(!lw(big), "%d prefixes in one write", HOG_MAX_PREFIXES);
	CHECK(cur->n == HOG_MAX_PREFIXES, "%u prefixes", cur->n);
	expect_list("+192.0.2.0/24", -ENOSPC, NULL);
	expect_list("+10.0.0.0/24", 0, NULL);	/* already there */
	strcat(big, ",192.0.2.0/24");
	expect_list(big, -ENOSPC, NULL);
	CHECK(hog_list_format(cur, small, sizeof(small)) == -EOVERFLOW,
	      "overflow is reported");
	expect_list("", 0, "\n");
	hog_free(cur);
	cur = NULL;
}

/* ---- lookup tables ---- */

static u32 rnd_state = 12345;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static bool brute(const struct hog_list *l, int family, const __be32 *a)
{
	u32 i;

	for (i = 0; i < l->n; i++) {
		struct hog_pfx x = { .family = family };

		memcpy(x.a, a, family == HOG_V4 ? 4 : 16);
		x.len = l->p[i].len;
		if (l->p[i].family != family)
			continue;
		hog_pfx_mask(&x);
		if (!memcmp(x.a, l->p[i].a, sizeof(x.a)))
			return true;
	}
	return false;
}

static void random_pfx(struct hog_pfx *p, int family)
{
	unsigned int w;

	memset(p, 0, sizeof(*p));
	p->family = family;
	for (w = 0; w < (family == HOG_V4 ? 1u : 4u); w++)
		p->a[w] = rnd();
	/* few distinct top bits, so that prefixes overlap and nest */
	p->a[0] = (p->a[0] & htonl(0x00ffffff)) | htonl((rnd() % 4) << 24);
	p->len = rnd() % (family == HOG_V4 ? 33 : 129);
	if (rnd() % 8 == 0)
		p->len = family == HOG_V4 ? 32 : 128;
	hog_pfx_mask(p);
}

static void test_tables(void)
{
	int round, i, k, mismatches = 0, lookups = 0;

	for (round = 0; round < 300; round++) {
		u32 n = round < 10 ? round : rnd() % 400;
		struct hog_list *l = hog_list_alloc(n, GFP_KERNEL);
		struct hog_tab *t;

		for (i = 0; i < (int)n; i++)
			random_pfx(&l->p[l->n++], rnd() % 2 ? HOG_V4 : HOG_V6);
		if (round == 5) {	/* a /0 in each family */
			l->p[0].len = 0;
			hog_pfx_mask(&l->p[0]);
		}
		hog_list_canon(l);
		t = hog_tab_build(l, GFP_KERNEL);
		REQUIRE(t, "table of %u built", n);
		for (k = 0; t && k < 2000; k++) {
			int family = k % 2 ? HOG_V4 : HOG_V6;
			struct hog_pfx a;
			bool got;

			/* half the probes inside a listed prefix */
			if (l->n && k % 4 < 2) {
				a = l->p[rnd() % l->n];
				family = a.family;
				for (i = 0; i < 4; i++)
					a.a[i] |= rnd() & ~hog_mask_word(a.len, i);
				if (family == HOG_V4)
					memset(&a.a[1], 0, 12);
			} else {
				random_pfx(&a, family);
				for (i = 0; i < 4; i++)
					a.a[i] = family == HOG_V4 && i ? 0 : rnd();
				a.a[0] = (a.a[0] & htonl(0x00ffffff)) |
					 htonl((rnd() % 4) << 24);
			}
			got = family == HOG_V4 ? hog_tab_has4(t, a.a[0]) :
						 hog_tab_has6(t, a.a);
			lookups++;
			if (got != brute(l, family, a.a))
				mismatches++;
		}
		hog_tab_free(t);
		hog_free(l);
	}
	CHECK(!mismatches, "%d of %d lookups disagree with a linear scan",
	      mismatches, lookups);
	printf("ok   lookup agrees with a linear scan on %d random probes\n",
	       lookups);
}

/*
 * The membership structures against a linear scan: random disjoint and
 * nested prefix sets of every length in both families, dense around a few
 * addresses (combs: a prefix at each length next to one address), looked
 * up inside each prefix, just outside it (its last bit flipped, random host
 * bits), and at random.
 */
static void rnd_addr(__be32 *a, int family)
{
	int w;

	for (w = 0; w < 4; w++)
		a[w] = family == HOG_V4 && w ? 0 : rnd();
}

static int lpm_check(const struct hog_tab *t, const struct hog_list *l,
		     int family, const __be32 *a)
{
	bool got = family == HOG_V4 ? hog_tab_has4(t, a[0]) :
				      hog_tab_has6(t, a);

	if (got == brute(l, family, a))
		return 0;
	{
		char s[64];

		inet_ntop(family == HOG_V4 ? AF_INET : AF_INET6, a, s,
			  sizeof(s));
		printf("FAIL lookup of %s: table %d, scan %d\n", s, got, !got);
	}
	return 1;
}

static void test_lpm(void)
{
	int round, i, k, bad = 0, lookups = 0;

	for (round = 0; round < 200; round++) {
		u32 n = round % 5 == 0 ? rnd() % 8 : rnd() % 3000;
		struct hog_list *l = hog_list_alloc(n + 260, GFP_KERNEL);
		__be32 base[2][4];
		struct hog_tab *t;

		rnd_addr(base[0], HOG_V4);
		rnd_addr(base[1], HOG_V6);
		for (i = 0; i < (int)n; i++) {
			int family = rnd() % 2 ? HOG_V4 : HOG_V6;
			int max = family == HOG_V4 ? 32 : 128;
			struct hog_pfx *p = &l->p[l->n++];

			memset(p, 0, sizeof(*p));
			p->family = family;
			rnd_addr(p->a, family);
			if (rnd() % 4) {	/* near the family's base */
				int keep = rnd() % (max + 1), w;

				for (w = 0; w < 4; w++)
					p->a[w] = (base[family == HOG_V6][w] &
						   hog_mask_word(keep, w)) |
						  (p->a[w] &
						   ~hog_mask_word(keep, w));
			}
			p->len = rnd() % 3 ? rnd() % (max + 1) :
					     max - rnd() % 9;
			if (p->len == 0 && rnd() % 8)
				p->len = max;
			hog_pfx_mask(p);
		}
		if (round % 3 == 1) {	/* a comb next to each base */
			int family, len;

			for (family = 0; family < 2; family++)
				for (len = 1; len <= (family ? 128 : 32); len++) {
					struct hog_pfx *p = &l->p[l->n++];
					unsigned int bit = len - 1;

					memset(p, 0, sizeof(*p));
					p->family = family ? HOG_V6 : HOG_V4;
					p->len = len;
					memcpy(p->a, base[family], 16);
					p->a[bit / 32] ^= htonl(1u << (31 - bit % 32));
					hog_pfx_mask(p);
				}
		}
		hog_list_canon(l);
		t = hog_tab_build(l, GFP_KERNEL);
		CHECK(t, "table of %u built", l->n);
		if (!t) {
			hog_free(l);
			continue;
		}
		for (k = 0; k < 3000; k++) {
			__be32 a[4];
			int family = k % 2 ? HOG_V4 : HOG_V6, w;

			rnd_addr(a, family);
			if (l->n && k % 3) {
				const struct hog_pfx *p = &l->p[rnd() % l->n];

				family = p->family;
				for (w = 0; w < 4; w++)
					a[w] = p->a[w] | (a[w] & ~hog_mask_word(p->len, w));
				if (family == HOG_V4)
					memset(&a[1], 0, 12);
				if (k % 3 == 2 && p->len) {
					unsigned int bit = p->len - 1;

					a[bit / 32] ^= htonl(1u << (31 - bit % 32));
				}
			} else if (k % 6 == 3) {	/* the base, a bit flipped */
				unsigned int bit = rnd() % (family == HOG_V4 ? 32 : 128);

				memcpy(a, base[family == HOG_V6], 16);
				a[bit / 32] ^= htonl(1u << (31 - bit % 32));
			}
			bad += lpm_check(t, l, family, a);
			lookups++;
		}
		hog_tab_free(t);
		hog_free(l);
	}
	CHECK(!bad, "%d of %d lookups disagree with a linear scan", bad,
	      lookups);
	printf("ok   trie and level search agree with a linear scan on %d lookups\n",
	       lookups);
}

/* Every allocation of a large table's build fails in turn: NULL, no leak. */
static void test_lpm_nomem(void)
{
	struct hog_list *l = hog_list_alloc(4000, GFP_KERNEL);
	long live, k, built = 0;
	int i;

	for (i = 0; i < 4000; i++) {
		struct hog_pfx *p = &l->p[l->n++];

		memset(p, 0, sizeof(*p));
		p->family = i % 2 ? HOG_V4 : HOG_V6;
		rnd_addr(p->a, p->family);
		p->len = p->family == HOG_V4 ? 8 + rnd() % 25 : 16 + rnd() % 113;
		hog_pfx_mask(p);
	}
	hog_list_canon(l);
	live = hog_live_allocs;
	for (k = 0; k < 16; k++) {
		struct hog_tab *t;

		hog_fail_after = k;
		t = hog_tab_build(l, GFP_KERNEL);
		hog_fail_after = -1;
		built += t != NULL;
		if (t) {
			__be32 a[4] = { l->p[0].a[0], l->p[0].a[1], l->p[0].a[2],
					l->p[0].a[3] };

			CHECK(l->p[0].family == HOG_V4 ? hog_tab_has4(t, a[0]) :
			      hog_tab_has6(t, a), "a table built late works");
		}
		hog_tab_free(t);
		CHECK(hog_live_allocs == live,
		      "allocation failure %ld in a table build leaks", k);
	}
	CHECK(built > 0 && built < 16, "failures injected (%ld of 16 built)",
	      built);
	hog_free(l);
}

/* Edge cases named by the issue: /0, /32, /128 */
static void test_edges(void)
{
	struct hog_list *l = NULL;
	struct hog_err err;
	struct hog_tab *t;
	__be32 a6[4] = { htonl(0x20010db8), 0, 0, htonl(1) };
	__be32 b6[4] = { htonl(0x20010db8), 0, 0, htonl(2) };

	CHECK(!hog_list_update(&l, &(struct hog_list){ 0 },
			       "192.0.2.1,2001:db8::1", &err), "parse");
	t = hog_tab_build(l, GFP_KERNEL);
	CHECK(hog_tab_has4(t, htonl(0xc0000201)), "/32 matches itself");
	CHECK(!hog_tab_has4(t, htonl(0xc0000202)), "/32 only itself");
	CHECK(hog_tab_has6(t, a6), "/128 matches itself");
	CHECK(!hog_tab_has6(t, b6), "/128 only itself");
	hog_tab_free(t);
	hog_free(l);

	CHECK(!hog_list_update(&l, &(struct hog_list){ 0 }, "0.0.0.0/0", &err),
	      "parse /0");
	t = hog_tab_build(l, GFP_KERNEL);
	CHECK(hog_tab_has4(t, htonl(0xc6336401)), "v4 /0 matches all");
	CHECK(hog_tab_has4(t, 0), "v4 /0 matches 0.0.0.0");
	CHECK(!hog_tab_has6(t, a6), "v4 /0 does not match v6");
	hog_tab_free(t);
	hog_free(l);

	CHECK(!hog_list_update(&l, &(struct hog_list){ 0 },
			       "::/80,2001:db8::/32,192.0.2.0/24", &err),
	      "parse ::/80");
	t = hog_tab_build(l, GFP_KERNEL);
	{
		__be32 m[4] = { 0, 0, htonl(0xffff), htonl(0xc0000201) };

		CHECK(hog_tab_has6(t, m), "::/80 holds v4-mapped addresses");
		CHECK(hog_tab_has4(t, m[3]), "192.0.2.1 in 192.0.2.0/24");
		m[2] = htonl(0x1ffff);
		CHECK(!hog_tab_has6(t, m), "::1:ffff:... is outside ::/80");
	}
	hog_tab_free(t);
	hog_free(l);
	CHECK(!hog_list_update(&l, &(struct hog_list){ 0 }, "192.0.2.0/24",
			       &err), "parse");
	t = hog_tab_build(l, GFP_KERNEL);
	{
		__be32 m[4] = { 0, 0, htonl(0xffff), htonl(0xc0000201) };

		CHECK(!hog_tab_has6(t, m),
		      "an IPv4 prefix does not hold v4-mapped addresses");
	}
	hog_tab_free(t);
	hog_free(l);

	CHECK(!hog_list_update(&l, &(struct hog_list){ 0 }, "::/0,10.0.0.0/8",
			       &err), "parse ::/0");
	t = hog_tab_build(l, GFP_KERNEL);
	CHECK(hog_tab_has6(t, a6), "v6 /0 matches all");
	CHECK(!hog_tab_has4(t, htonl(0xc0000201)), "v6 /0 does not match v4");
	hog_tab_free(t);
	hog_free(l);
}

/* The bytes of a list: its count and its prefixes. */
static bool list_same(const struct hog_list *a, const struct hog_list *b)
{
	return a->n == b->n && !memcmp(a->p, b->p, a->n * sizeof(a->p[0]));
}

/*
 * Every allocation failure is clean: for each write, every allocation it
 * makes is made to fail in turn (the k-th, for k = 0, 1, ... until a run
 * makes no allocation fail). A run where one was made to fail must return
 * -ENOMEM, produce nothing and leave the list it started from byte-identical
 * and nothing allocated; the run past the last allocation must give what a
 * plain write gives. Then the same for building the lookup table.
 */
static void test_nomem(void)
{
	static const char * const w[] = {
		"198.51.100.0/24", "+203.0.113.0/24", "-192.0.2.0/24", "",
		"+2001:db8:1::/64,10.0.0.0/8", "192.0.2.0/24,2001:db8::/48"
	};
	struct hog_list *base = NULL, *copy, *want, *out;
	struct hog_err err;
	char wbuf[256], obuf[256];
	long live, k, injected;
	unsigned int i;
	int ret;

	REQUIRE(!hog_list_update(&base, &(struct hog_list){ 0 },
				 "192.0.2.0/24,2001:db8::/48", &err), "base");
	copy = hog_list_alloc(base->n, GFP_KERNEL);
	REQUIRE(copy, "copy");
	copy->n = base->n;
	memcpy(copy->p, base->p, base->n * sizeof(base->p[0]));
	live = hog_live_allocs;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		want = NULL;
		REQUIRE(!hog_list_update(&want, base, w[i], &err), "'%s'", w[i]);
		REQUIRE(hog_list_format(want, wbuf, sizeof(wbuf)) >= 0, "format");
		hog_free(want);
		for (k = 0; k < 64; k++) {
			hog_injected = 0;
			hog_fail_after = k;
			out = NULL;
			ret = hog_list_update(&out, base, w[i], &err);
			hog_fail_after = -1;
			injected = hog_injected;
			if (injected) {
				CHECK(ret == -ENOMEM && !out,
				      "'%s', allocation %ld made to fail: errno %d, result %p, want -ENOMEM and none",
				      w[i], k, ret, (void *)out);
			} else {
				obuf[0] = 0;
				if (!ret && out)
					hog_list_format(out, obuf, sizeof(obuf));
				CHECK(!ret && out && !strcmp(obuf, wbuf),
				      "'%s', %ld allocations and none failed: errno %d, '%s', want '%s'",
				      w[i], k, ret, obuf, wbuf);
				hog_free(out);
			}
			CHECK(list_same(base, copy),
			      "'%s', allocation %ld made to fail: the list written to changed",
			      w[i], k);
			CHECK(hog_live_allocs == live,
			      "'%s', allocation %ld made to fail: %ld allocations leaked",
			      w[i], k, hog_live_allocs - live);
			if (!injected)
				break;
		}
		CHECK(k > 0 && k < 64,
		      "'%s': every allocation made to fail in turn (%ld runs)",
		      w[i], k);
	}
	/* The lookup table: its allocations fail in turn likewise. */
	for (k = 0; k < 64; k++) {
		struct hog_tab *t;

		hog_injected = 0;
		hog_fail_after = k;
		t = hog_tab_build(base, GFP_KERNEL);
		hog_fail_after = -1;
		injected = hog_injected;
		if (injected)
			CHECK(!t, "table, allocation %ld made to fail: built anyway", k);
		else
			CHECK(t && hog_tab_has4(t, htonl(0xc0000201)) &&
			      !hog_tab_has4(t, htonl(0xc6336401)),
			      "table after %ld allocations: wrong lookups", k);
		hog_tab_free(t);
		CHECK(list_same(base, copy), "table, allocation %ld made to fail: the list changed", k);
		CHECK(hog_live_allocs == live,
		      "table, allocation %ld made to fail: %ld allocations leaked",
		      k, hog_live_allocs - live);
		if (!injected)
			break;
	}
	CHECK(k > 0 && k < 64, "table: every allocation made to fail in turn (%ld runs)", k);
	hog_free(copy);
	hog_free(base);
}

int main(void)
{
	test_patterns();
	test_fuzz_found();
	test_prefixes();
	test_lists();
	test_tables();
	test_lpm();
	test_lpm_nomem();
	test_edges();
	test_nomem();
	CHECK(hog_live_allocs == 0, "%ld allocations leaked", hog_live_allocs);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
