# SPDX-License-Identifier: GPL-2.0
# Tabulate tests/bench/fwd.sh output (one or more series, each starting with
# its KERNEL line): median guest instructions per forwarded packet, added vs
# no hook (same series and family), spread (max - min) over the runs.
#   awk -f tests/bench/table.awk OUTPUT...
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function spread(s,    a, n, i, lo, hi) {
	n = split(s, a, " ")
	lo = hi = a[1]
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo + 0) lo = a[i]
		if (a[i] + 0 > hi + 0) hi = a[i]
	}
	return hi - lo
}
BEGIN {
	d["none"] = "no hook"
	d["none-1kdev"] = "no hook, 1,000 more (down) devices"
	d["null-f"] = "empty hook: FORWARD"
	d["null-fp"] = "empty hooks: FORWARD + POST_ROUTING"
	d["hog-1"] = "hoguard: 1 device, 1 prefix"
	d["hog-16"] = "hoguard: 16 prefixes"
	d["hog-1k"] = "hoguard: 1,024 prefixes"
	d["hog-16k"] = "hoguard: 16,384 prefixes"
	d["hog-16k-near"] = "hoguard: 16,384 + 1 near the destination"
	d["hog-64dev"] = "hoguard: 64 device patterns (32 wildcards)"
	d["hog-1kdev"] = "hoguard: 1,000 matching devices"
	d["nft-1"] = "nftables: 1 device, 1 prefix"
	d["nft-16"] = "nftables: 16 prefixes"
	d["nft-1k"] = "nftables: 1,024 prefixes"
	d["nft-16k"] = "nftables: 16,384 prefixes"
	d["nft-64dev"] = "nftables: 64 device patterns"
	d["nftbest-1"] = "best nftables: 1 device, 1 prefix"
	d["nftbest-16"] = "best nftables: 16 prefixes"
	d["nftbest-1k"] = "best nftables: 1,024 prefixes"
	d["nftbest-16k"] = "best nftables: 16,384 prefixes"
	d["nftbest-64dev"] = "best nftables: 64 device patterns"
	# hoguard against the best ruleset of the same meaning, size by size
	npair = split("1 16 1k 16k 64dev", pair, " ")
	pname["1"] = "1 device, 1 prefix"; pname["16"] = "16 prefixes"
	pname["1k"] = "1,024 prefixes"; pname["16k"] = "16,384 prefixes"
	pname["64dev"] = "64 device patterns"
	d["iptnft-1"] = "iptables-nft + ipset: 1 prefix"
	d["iptnft-1k"] = "iptables-nft + ipset: 1,024 prefixes"
	d["iptleg-1"] = "iptables-legacy + ipset: 1 prefix"
	d["iptleg-1k"] = "iptables-legacy + ipset: 1,024 prefixes"
	d["none-adv"] = "no hook"	# on the adversarial addresses
	d["adv-1"] = "1 next to each address"
	d["adv-all-1k"] = "1,024, every length"
	d["adv-all-16k"] = "16,384, every length"
	d["adv-all-64k"] = "65,536, every length"
	d["adv-16-1k"] = "1,024, 16 lengths"
	d["adv-16-16k"] = "16,384, 16 lengths"
	d["adv-16-64k"] = "65,536, 16 lengths"
	vs["near"] = "next to"; vs["inlong"] = "in longest"; vs["inshort"] = "in shortest"
	vd["near"] = "next to (passes)"
	vd["inlong"] = "inside longest (dropped)"
	vd["inshort"] = "inside shortest (dropped)"
	target["IPv4"] = 1.3; target["IPv6"] = 1.6
}
$1 == "KERNEL" { ser = $2; date[ser] = $3; if (!(ser in seen)) { seen[ser] = 1; sers[++ns] = ser } }
$1 == "BENCH" {
	k = ser SUBSEP $2 SUBSEP $3
	if (!(k in v)) { nr[ser]++; row[ser, nr[ser]] = $2 SUBSEP $3 }
	v[k] = v[k] " " $5
	runs[k]++
	if ($2 ~ /:in/) {
		# dropped streams: hoguard counted every packet, none arrived
		if ($9 != $6 || $8 != 0) bad[k] = bad[k] sprintf(" run %s: sent %d dropped %d outside %d;", $4, $6, $9, $8)
	} else if ($6 != $7 || $6 != $8) bad[k] = bad[k] sprintf(" run %s: sent %d forwarded %d outside %d;", $4, $6, $7, $8)
}
$1 == "LOAD" {
	k = ser SUBSEP $2 SUBSEP $3
	ld[k] = ld[k] " " $5 / 1e6
}
$1 == "PROBE" {
	k = ser SUBSEP $2
	if (!(k in pn)) { np[ser]++; prow[ser, np[ser]] = $2 }
	pn[k]++
	if ($5 != $6) pbad[k] = pbad[k] sprintf(" %s %s: %d arrived, want %d;", $3, $4, $6, $5)
}
$1 == "CTL" && $2 == "time" {
	k = ser SUBSEP $3 SUBSEP $4
	if (!(k in ct)) { nc[ser]++; crow[ser, nc[ser]] = $3 SUBSEP $4 }
	ct[k] = ct[k] sprintf(" %.1f", $5 / 1000)
	if (NF >= 6) cc[k] = cc[k] sprintf(" %.1f", $6 / 1000)
}
$1 == "CTL" && $2 == "traffic" {
	k = ser SUBSEP $3 SUBSEP $4
	line = ""
	for (i = 5; i <= NF; i++) { split($i, kv, "="); t[kv[1]] = kv[2] }
	ctraf[k] = sprintf("must pass: %d sent, %d forwarded; guarded: %d sent, %d leaked, %d dropped",
		t["pass_sent"], t["pass_fwd"], t["guarded_sent"], t["guarded_leaked"], t["drops_forward"])
}
# The adversarial set (issue 14, 1): each table's stream next to a guarded
# prefix against the best address of the 1-prefix table (hog-1), same run.
function adv_table(s,    j, f, k, c, best, nb, add, r, worst, wc, any, fam, cond, kk) {
	any = 0
	for (j = 1; j <= nr[s]; j++) { split(row[s, j], cf, SUBSEP); if (cf[1] ~ /^adv-/) any = 1 }
	if (!any) return
	printf "\nAdversarial addresses (tests/bench/adv.awk): added instructions per packet\n"
	printf "  next to = vs no hook on the same addresses; ratio = that / hoguard 1 prefix best\n"
	printf "  inside = instructions per dropped packet (no baseline: no hook would forward it)\n"
	printf "  load = CPU of finit_module (module load, parse, build of that one table), guest ms\n"
	printf "%-28s %-5s %9s %6s %11s %11s %9s\n", "table", "", "next to", "ratio", "in longest", "in shortest", "load ms"
	split("IPv4 IPv6", fams, " ")
	for (f = 1; f <= 2; f++) {
		fam = fams[f]
		kk = s SUBSEP "hog-1" SUBSEP fam
		if (!(kk in v) || !((s SUBSEP "none" SUBSEP fam) in v)) continue
		best = median(v[kk]) - median(v[s SUBSEP "none" SUBSEP fam])
		printf "%-28s %-5s %+9.0f %6s %11s %11s\n", "hoguard 1 prefix, best", fam, best, "1.00", "", ""
		worst = 0; wc = ""
		split("adv-1 adv-all-1k adv-all-16k adv-all-64k adv-16-1k adv-16-16k adv-16-64k", cs, " ")
		for (c = 1; c <= 7; c++) {
			cond = cs[c]
			k = s SUBSEP cond ":near" SUBSEP fam
			if (!(k in v)) continue
			nb = s SUBSEP "none-adv:near" SUBSEP fam
			add = (nb in v) ? median(v[k]) - median(v[nb]) : ""
			r = (add != "" && best > 0) ? add / best : ""
			if (r != "" && r > worst) { worst = r; wc = d[cond] }
			printf "%-28s %-5s %9s %6s %11s %11s %9s\n", d[cond], fam,
				add == "" ? "n/a" : sprintf("%+.0f", add), r == "" ? "n/a" : sprintf("%.2f", r),
				((s SUBSEP cond ":inlong" SUBSEP fam) in v) ? sprintf("%.0f", median(v[s SUBSEP cond ":inlong" SUBSEP fam])) : "-",
				((s SUBSEP cond ":inshort" SUBSEP fam) in v) ? sprintf("%.0f", median(v[s SUBSEP cond ":inshort" SUBSEP fam])) : "-",
				((s SUBSEP cond SUBSEP fam) in ld) ? sprintf("%.0f", median(ld[s SUBSEP cond SUBSEP fam])) : "-"
		}
		if (wc != "")
			printf "  %s worst: %.2fx the best (%s); target at most %.1fx: %s\n", fam, worst, wc,
				target[fam], worst <= target[fam] ? "met" : "NOT met"
	}
}
END {
	for (i = 1; i <= ns; i++) {
		s = sers[i]
		printf "\nLinux %s, %s: guest instructions per forwarded packet\n", s, date[s]
		printf "%-48s %-5s %9s %9s %7s %5s\n", "condition", "", "instr/pkt", "added", "spread", "runs"
		for (j = 1; j <= nr[s]; j++) {
			split(row[s, j], cf, SUBSEP)
			k = s SUBSEP row[s, j]
			m = median(v[k])
			base = s SUBSEP "none" SUBSEP cf[2]
			add = (base in v) ? sprintf("%+9.0f", m - median(v[base])) : sprintf("%9s", "n/a")
			c = cf[1]; sub(/@.*/, "", c)
			vn = ""
			if (c ~ /:/) { vn = c; sub(/.*:/, "", vn); sub(/:.*/, "", c) }
			name = (c in d) ? d[c] : c
			if (c ~ /^adv-/) name = "adv " name
			if (vn != "") name = name ", " ((vn in vs) ? vs[vn] : vn)
			if (c != cf[1] && cf[1] ~ /@/) name = name " [" substr(cf[1], index(cf[1], "@") + 1) "]"
			if (vn ~ /^in/) add = sprintf("%9s", "dropped")
			printf "%-48s %-5s %9.1f %s %7.1f %5d%s\n", name, cf[2], m, add,
				spread(v[k]), runs[k], (k in bad) ? "  PACKETS LOST:" bad[k] : ""
		}
		adv_table(s)
		hdr = 0
		for (j = 1; j <= npair; j++)
			for (f = 4; f <= 6; f += 2) {
				h = s SUBSEP "hog-" pair[j] SUBSEP "IPv" f
				b = s SUBSEP "nftbest-" pair[j] SUBSEP "IPv" f
				ty = s SUBSEP "nft-" pair[j] SUBSEP "IPv" f
				base = s SUBSEP "none" SUBSEP "IPv" f
				if (!(h in v) || !(b in v) || !(base in v))
					continue
				if (!hdr++) {
					printf "\nhoguard against the best nftables ruleset of the same meaning (target: at least 10x cheaper)\n"
					printf "%-20s %-5s %8s %9s %7s %9s %7s\n", "size", "", "hoguard", "best nft", "ratio", "typical", "ratio"
				}
				ha = median(v[h]) - median(v[base])
				ba = median(v[b]) - median(v[base])
				printf "%-20s %-5s %+8.0f %+9.0f %6.1fx", pname[pair[j]], "IPv" f, ha, ba, ba / ha
				if (ty in v)
					printf " %+9.0f %6.1fx", median(v[ty]) - median(v[base]), (median(v[ty]) - median(v[base])) / ha
				printf "%s\n", ba / ha < 10 ? "  under 10x" : ""
			}
		if (np[s]) {
			printf "\nleak probes (README \"What is dropped\"; tests/bench/fwd.sh probe_cond), per condition\n"
			for (j = 1; j <= np[s]; j++) {
				k = s SUBSEP prow[s, j]
				printf "  %-16s %3d probes: %s\n", prow[s, j], pn[k],
					(k in pbad) ? "WRONG:" pbad[k] : "as hoguard's rules want"
			}
		}
		if (nc[s]) {
			printf "\ncontrol path: replace a config of N prefixes (N/2 IPv4, N/2 IPv6) by a disjoint one\n"
			printf "  naive = first page as a replacement, the rest with '+'; safe = '+' the new, then '-' the old;\n"
			printf "  staged = the new to subnets_stage (a replacement, then '+'), then 1 to subnets_commit;\n"
			printf "  commit = that last write alone (N prefixes in all, up to the 65,536 limit)\n"
			printf "  CPU time of the writer in guest ms (= millions of instructions) and elapsed guest\n"
			printf "  time (also idle waits), each run; then the same under traffic\n"
		}
		for (j = 1; j <= nc[s]; j++) {
			split(crow[s, j], cf, SUBSEP)
			k = s SUBSEP crow[s, j]
			if (k in cc)
				printf "  %5d %-5s CPU%s ms; elapsed%s ms\n", cf[1], cf[2], cc[k], ct[k]
			else
				printf "  %5d %-5s elapsed%s ms\n", cf[1], cf[2], ct[k]
			if (k in ctraf) printf "        %s\n", ctraf[k]
		}
	}
}
