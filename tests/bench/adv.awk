# SPDX-License-Identifier: GPL-2.0
# The adversarial bench tables (tests/bench/fwd.sh, tests/unit/bench_lookup):
#   awk -v fam=4|6 -v n=N -v mode=all|16 -f tests/bench/adv.awk
# prints N prefixes of family fam, one a line, disjoint:
#  - next to the sent addresses (documentation ranges): for mode all a /32
#    (/128) one address away from the source and destination the adversarial
#    packets use (192.0.2.130 -> 198.51.100.130, 2001:db8:1::82 ->
#    2001:db8:2::82); for mode 16 a /31 (/64), the longest length of that mode;
#  - one prefix of the shortest length where a sent address can be inside it:
#    IPv4 203.0.0.0/8 (mode all) or 203.0.0.0/16 (mode 16), IPv6
#    2001:db8:3::/49 (mode 16; mode all's /16 cannot hold a documentation
#    address without covering them all: none);
#  - the rest over every length, /8../32 and /16../128 (mode all) or
#    /16../31 and /49../64 (mode 16, the lengths of the other bench tables),
#    as evenly as the space allows (length L gets at most 2^(L - shortest)
#    prefixes; what that leaves goes to the longest lengths), packed in space
#    no packet is sent to: 224.0.0.0/3 and fd00::/8.
function out(x, y, len,    s, k) {
	if (fam == 4) {
		printf "%d.%d.%d.%d/%d\n", int(g[0] / 256), g[0] % 256,
			int(g[1] / 256), g[1] % 256, len
		return
	}
	s = ""
	for (k = 0; k < 8; k++)
		s = s (k ? ":" : "") sprintf("%x", g[k])
	print s "/" len
}
# The cursor: g[0..ng-1], 16-bit groups, most significant first.  Lengths
# come shortest first, so the cursor is always aligned to the next prefix.
function add(len,    b, k, j) {
	out(0, 0, len)
	b = len % 16; k = int(len / 16)
	if (b == 0) { k--; b = 16 }
	g[k] += 2 ^ (16 - b)
	for (j = k; j > 0 && g[j] >= 65536; j--) { g[j] -= 65536; g[j - 1]++ }
}
BEGIN {
	ng = fam == 4 ? 2 : 8
	W = fam == 4 ? 32 : 128
	if (mode == "16") { lmin = fam == 4 ? 16 : 49; lmax = fam == 4 ? 31 : 64 }
	else { lmin = fam == 4 ? 8 : 16; lmax = W }
	nl = lmax - lmin + 1
	have = 0
	# next to the sent addresses
	if (fam == 4) {
		if (mode == "16") { print "192.0.2.128/31"; print "198.51.100.128/31" }
		else { print "192.0.2.131/32"; print "198.51.100.131/32" }
		print "203.0.0.0/" lmin
		have = 3
	} else {
		if (mode == "16") { print "2001:db8:1:1::/64"; print "2001:db8:2:1::/64"; print "2001:db8:3::/49"; have = 3 }
		else { print "2001:db8:1::83/128"; print "2001:db8:2::83/128"; have = 2 }
	}
	left = n - have
	if (left < 0) left = 0
	# counts per length
	per = int(left / nl); tot = 0
	for (l = lmin; l <= lmax; l++) {
		cap = l - lmin < 40 ? 2 ^ (l - lmin) : 1e18
		c[l] = per < cap ? per : cap
		tot += c[l]
	}
	# the rest to the longest lengths, round robin
	for (l = lmax; tot < left; l = l == lmin ? lmax : l - 1) {
		cap = l - lmin < 40 ? 2 ^ (l - lmin) : 1e18
		if (c[l] < cap) { c[l]++; tot++ }
	}
	for (k = 0; k < ng; k++) g[k] = 0
	if (fam == 4) g[0] = 224 * 256
	else g[0] = 64768	# fd00
	for (l = lmin; l <= lmax; l++)
		for (i = 0; i < c[l]; i++)
			add(l)
}
