#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per table lookup in userspace (the module's own lookup code,
# tests/unit/bench_lookup.c, gcc -O2 -mpopcnt) under callgrind, for the
# adversarial tables of tests/bench/adv.awk and the addresses fwd.sh sends,
# plus those it cannot send (IPv6 inside a /16).  Deterministic; a design
# tool beside `make bench`, not a replacement: the kernel's compiler flags
# and the hooks around the lookup differ.
#
#   tests/bench/lookup.sh            (needs valgrind)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$REPO"
gcc -std=gnu11 -O2 -mpopcnt -Wall -Itests/unit -o "$W/bl" tests/unit/bench_lookup.c

count() {	# FILE ADDR: instructions per lookup
	valgrind --tool=callgrind --toggle-collect=measure \
		--callgrind-out-file="$W/cg" "$W/bl" "$1" "$2" 1000 2>&1 |
		awk '/Collected/ { printf "%.0f", $4 / 1001 }'
}

printf '203.0.113.0/24\n2001:db8:3::/64\n' >"$W/t1"
printf '%-22s %-5s %6s %6s %8s %9s %7s\n' table fam best "next" "in long" "in short" "far"
printf '%-22s %-5s %6s\n' "1 prefix (hog-1)" IPv4 "$(count "$W/t1" 198.51.100.2)"
printf '%-22s %-5s %6s\n' "1 prefix (hog-1)" IPv6 "$(count "$W/t1" 2001:db8:2::2)"
for fam in 4 6; do
	for mode in all 16; do
		for n in 2 1024 16384 65536; do
			[ "$n" != 2 ] || [ "$mode" = all ] || continue
			if [ "$n" = 2 ]; then
				awk -v fam=$fam -v n=2 -v mode=all -f tests/bench/adv.awk | head -n 2 >"$W/t"
			else
				awk -v fam=$fam -v n=$n -v mode=$mode -f tests/bench/adv.awk >"$W/t"
			fi
			if [ $fam = 4 ]; then
				near=198.51.100.130 far=198.18.0.1 short=203.0.113.130
				long=198.51.100.131
				[ $mode = all ] || long=198.51.100.129
			else
				near=2001:db8:2::82 far=3fff::1 short=fd00::1
				long=2001:db8:2::83
				[ $mode = all ] || long=2001:db8:2:1::82 short=2001:db8:3::82
			fi
			[ "$n" != 2 ] || short=
			printf '%-22s %-5s %6s %6s %8s %9s %7s\n' "$n, $mode lengths" IPv$fam "" \
				"$(count "$W/t" $near)" "$(count "$W/t" $long)" \
				"$([ -z "$short" ] || count "$W/t" $short)" "$(count "$W/t" $far)"
		done
	done
done
