#!/bin/sh
# t_tshark.sh - every difference between tcpscope's per-flow label counts and
# tshark 4.0.17's (tests/oracle-diff.sh over $SHARED/pcaps/oracle/tshark) must
# be explained: listed in tests/tshark-known.tsv under a category that
# tests/KNOWN-DIFFERENCES.md describes with its evidence.
#
# tshark-known.tsv: capture<TAB>pair<TAB>label<TAB>categories, '#' comments.
# pair is the flow as oracle-diff prints it, or '*' for every flow of that
# capture (only for a capture-wide cause); label is one of oracle-diff's
# labels, never '*'; categories is one id or several joined by ','.
#
# Prints PASS/FAIL tshark-CAPTURE per capture (FAIL lists each unexplained
# difference: pair label tshark ours), FAIL tshark-known-entries for malformed
# entries, categories not described, or entries that no longer match any
# difference (stale: the difference went away; delete the entry).
set -u
top=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${TCPSCOPE:-$top/tcpscope}
shared=${SHARED:-$top/../shared}
known=$top/tests/tshark-known.tsv
doc=$top/tests/KNOWN-DIFFERENCES.md
oracle=$shared/pcaps/oracle/tshark
if [ ! -d "$oracle" ]; then echo "SKIP tshark: no $oracle"; exit 0; fi
if ! command -v jq >/dev/null 2>&1; then echo "SKIP tshark: no jq"; exit 0; fi
if [ ! -x "$bin" ]; then echo "SKIP tshark: no $bin"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SHARED=$shared sh "$top/tests/oracle-diff.sh" -t "$bin" > "$tmp/diff" 2> "$tmp/err"
if [ ! -s "$tmp/diff" ]; then
	echo "FAIL tshark: oracle-diff printed nothing: $(head -c 300 "$tmp/err")"
	exit 0
fi
sed '$d' "$tmp/diff" > "$tmp/lines"   # drop the summary line

# Categories described: headings "### `id`" in KNOWN-DIFFERENCES.md.
sed -n 's/^### `\([a-z0-9-]*\)`.*/\1/p' "$doc" | sort -u > "$tmp/cats"

awk -F'\t' -v cats="$tmp/cats" -v out="$tmp" '
BEGIN {
	while ((getline c < cats) > 0) doc[c] = 1
	split("retransmission fast_retransmission spurious_retransmission out_of_order lost_segment duplicate_ack zero_window zero_window_probe window_full window_update keep_alive", L, " ")
	for (i in L) lab[L[i]] = 1
}
FNR == 1 { file++ }
file == 1 {
	if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/) next
	n++
	if (NF != 4 || $1 == "*" || $1 == "" || !($3 in lab) || $2 == "") {
		bad = bad sprintf(" line %d malformed (%s);", FNR, $0); next
	}
	nc = split($4, C, ",")
	for (i = 1; i <= nc; i++) if (!(C[i] in doc))
		bad = bad sprintf(" line %d: category %s not described in KNOWN-DIFFERENCES.md;", FNR, C[i])
	k = $1 SUBSEP $2 SUBSEP $3
	if (k in entry) bad = bad sprintf(" line %d duplicates an entry;", FNR)
	entry[k] = FNR; used[k] = 0
	next
}
{
	cap = $1; caps[cap] = 1
	k1 = cap SUBSEP $2 SUBSEP $3; k2 = cap SUBSEP "*" SUBSEP $3
	if (k1 in entry) used[k1]++
	else if (k2 in entry) used[k2]++
	else unexpl[cap] = unexpl[cap] sprintf(" %s %s tshark=%s ours=%s;", $2, $3, $4, $5)
}
END {
	for (k in entry) if (!used[k]) {
		split(k, P, SUBSEP)
		stale = stale sprintf(" %s %s %s (line %d);", P[1], P[2], P[3], entry[k])
	}
	for (c in unexpl) print c "\t" unexpl[c] > (out "/unexpl")
	printf "%s", bad > (out "/bad")
	printf "%s", stale > (out "/stale")
}' "$known" "$tmp/lines"

# One line per capture of the oracle that tcpscope could read.
for tsv in "$oracle"/*.tcp_analysis.tsv; do
	name=$(basename "$tsv" .tcp_analysis.tsv)
	[ -f "$shared/pcaps/$name" ] || continue
	why=$(awk -F'\t' -v c="$name" '$1 == c { print $2 }' "$tmp/unexpl" 2>/dev/null)
	if [ -n "$why" ]; then
		echo "FAIL tshark-$name: unexplained:$why"
	else
		echo "PASS tshark-$name"
	fi
done
bad=$(cat "$tmp/bad")
stale=$(cat "$tmp/stale")
if [ -n "$bad" ] || [ -n "$stale" ]; then
	echo "FAIL tshark-known-entries:${bad}${stale:+ stale:$stale}"
else
	echo "PASS tshark-known-entries"
fi
