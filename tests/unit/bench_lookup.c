// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts of the table lookup, for design work under callgrind
 * (deterministic): builds the table of the prefixes in FILE (one a line)
 * and looks ADDR up in it, COUNT times, in measure() only.
 *
 *   gcc -O2 -Itests/unit -o bench_lookup tests/unit/bench_lookup.c
 *   valgrind --tool=callgrind --toggle-collect=measure \
 *       ./bench_lookup FILE ADDR [COUNT]
 *
 * Instructions per lookup: callgrind's total / COUNT (the loop's own few
 * instructions included).  hog_tab_has4/6 are what the hooks inline.
 */
#include <time.h>
#include "../../hoguard.c"

long hog_fail_after = -1;
long hog_injected;
long hog_live_allocs;

static noinline int measure(const struct hog_tab *t,
			  const struct hog_pfx *a, long count)
{
	int n = 0;

	while (count--) {
		__asm__ volatile("" : : "r"(a) : "memory");
		n += a->family == HOG_V4 ? hog_tab_has4(t, a->a[0]) :
					   hog_tab_has6(t, a->a);
	}
	return n;
}

int main(int argc, char **argv)
{
	static char buf[4 << 20];
	struct hog_list *l = NULL;
	struct hog_err err;
	struct hog_pfx a;
	struct hog_tab *t;
	size_t len = 0;
	long count = argc > 3 ? atol(argv[3]) : 1000;
	FILE *f;
	int c;
	clock_t t0;

	if (argc < 3 || !(f = fopen(argv[1], "r")))
		return 2;
	while ((c = getc(f)) != EOF && len < sizeof(buf) - 1)
		buf[len++] = c == '\n' ? ',' : c;
	while (len && buf[len - 1] == ',')
		len--;
	buf[len] = '\0';
	if (hog_list_update(&l, &(struct hog_list){ 0 }, buf, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	t0 = clock();
	t = hog_tab_build(l, GFP_KERNEL);
	if (!t || hog_pfx_parse(argv[2], strlen(argv[2]), &a))
		return 1;
	fprintf(stderr, "%u prefixes, build %.1f ms; %s: %d\n", l->n,
		(clock() - t0) * 1000.0 / CLOCKS_PER_SEC, argv[2],
		measure(t, &a, 1));
	measure(t, &a, count);
	return 0;
}
