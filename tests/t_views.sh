#!/bin/sh
# t_views.sh - every view counts a connection the same way (issue 14: one
# read path). Each capture of pcaps/ and of the shared corpus
# ($SHARED/pcaps) is imported into a database of its own; then, for every
# connection:
#   - its retransmissions: the RETX of `flows` (table), the sum of the two
#     all_retransmissions of `flows --format json`, the TUI's flow list and
#     the TUI's ladder header (tests/tools/viewcounts, which loads ui/model.c
#     as the TUI does) are one number; `report --format json`'s top list
#     (with --top large enough) holds exactly the connections with any,
#     each with that number;
#   - its packets and payload bytes (both directions): the CSV, the JSON
#     and the TUI agree; so do the CSV's and the JSON's per-direction
#     retransmissions (the plain retransmission label);
#   - report's totals: connections = the flows listed, the sum of the
#     close kinds = the flows listed, capture_loss.payload_bytes = the sum
#     of the flows' payload bytes.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh): one FAIL per capture
# whose views disagree, one PASS per corpus that agrees throughout.
set -u
: "${TCPSCOPE:?}" "${BUILD:?}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
VC="$BUILD/tools/viewcounts"
if [ ! -x "$VC" ]; then
	echo "FAIL views: $VC not built (make tools)"
	exit 0
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP views: no jq (make deps installs it)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# first_diff A B: the first differing lines of two sorted files, one line.
first_diff() {
	diff "$1" "$2" | grep '^[<>]' | head -n 4 | tr '\n' ' '
}

# views CAPTURE: imports it and compares the views; prints a FAIL line and
# returns 1 when they disagree. Adds to the totals in $tmp/totals.
views() {
	f=$1
	name=$(basename "$f")
	db="$tmp/v.db"
	rm -f "$db" "$db-wal" "$db-shm"
	# A damaged capture makes read exit 3 (what came before is kept).
	"$TCPSCOPE" read -q -d "$db" "$f" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ ! -s "$db" ]; then
		# Nothing imported (not a capture): nothing to compare.
		echo "$name" >> "$tmp/unread"
		return 0
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		echo "FAIL views-$name: read exited $rc: $(head -c 200 "$tmp/err")"
		return 1
	fi
	"$TCPSCOPE" flows -d "$db" >"$tmp/table" 2>"$tmp/err" &&
	"$TCPSCOPE" flows -d "$db" --format csv >"$tmp/csv" 2>>"$tmp/err" &&
	"$TCPSCOPE" flows -d "$db" --format json >"$tmp/json" 2>>"$tmp/err" &&
	"$TCPSCOPE" report -d "$db" --format json --top 10000 >"$tmp/report" 2>>"$tmp/err" &&
	"$VC" "$db" >"$tmp/tui" 2>>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL views-$name: a view failed (exit $rc): $(head -c 200 "$tmp/err")"
		return 1
	fi

	# JSON: id, all retransmissions, packets, payload bytes; the plain
	# retransmissions each way.
	jq -r '[.id, ((.c2s.all_retransmissions // 0) + (.s2c.all_retransmissions // 0)),
		((.c2s.packets // 0) + (.s2c.packets // 0)),
		((.c2s.payload_bytes // 0) + (.s2c.payload_bytes // 0)),
		(.c2s.retransmissions // 0), (.s2c.retransmissions // 0)] | @tsv' \
		"$tmp/json" >"$tmp/j" || {
		echo "FAIL views-$name: flows --format json does not parse"
		return 1
	}
	tr '\t' ' ' <"$tmp/j" | sort -n | tee "$tmp/j.sorted" |
		cut -d' ' -f1-4 >"$tmp/j.all"
	awk '{ print $1, $5, $6, $3, $4 }' "$tmp/j.sorted" >"$tmp/j.csvcols"
	cut -d' ' -f1,2 "$tmp/j.all" >"$tmp/j.retx"
	awk '$2 > 0' "$tmp/j.retx" >"$tmp/j.retx-some"

	# The TUI: its list (retransmissions, packets, bytes) and its header.
	cut -d' ' -f1-4 "$tmp/tui" | sort -n >"$tmp/t.all"
	cut -d' ' -f1,5 "$tmp/tui" | sort -n >"$tmp/t.hdr"

	# The table: ID and RETX, right-aligned under their headings.
	awk 'NR == 1 { i = index($0, "ID") + 1; r = index($0, "RETX") + 3; next }
	     { a = substr($0, 1, i); b = substr($0, 1, r);
	       sub(/.*[ ]/, "", a); sub(/.*[ ]/, "", b); print a, b }' \
		"$tmp/table" | sort -n >"$tmp/tb.retx"

	# The CSV: by the names of its header.
	awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
	     { print $c["id"], $c["c2s_retransmissions"], $c["s2c_retransmissions"],
		$c["c2s_packets"] + $c["s2c_packets"],
		$c["c2s_payload_bytes"] + $c["s2c_payload_bytes"] }' \
		"$tmp/csv" | sort -n >"$tmp/c.cols"

	# report: its top list, and its totals (the first line).
	jq -r '"\(.connections) \([.by_close[]] | add // 0) \(.capture_loss.payload_bytes)",
		(.top_retransmissions[] | "\(.id) \(.retransmissions)")' \
		"$tmp/report" >"$tmp/r" || {
		echo "FAIL views-$name: report --format json does not parse"
		return 1
	}
	read -r rconn rclose rbytes <"$tmp/r"
	sed 1d "$tmp/r" | sort -n >"$tmp/r.retx"

	n=$(wc -l <"$tmp/j.all")
	bytes=$(awk '{ s += $4 } END { print s + 0 }' "$tmp/j.all")
	retx=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/j.all")
	why=""
	if ! cmp -s "$tmp/j.all" "$tmp/t.all"; then
		why="TUI list vs JSON (id retx packets bytes): $(first_diff "$tmp/t.all" "$tmp/j.all")"
	elif ! cmp -s "$tmp/j.retx" "$tmp/t.hdr"; then
		why="TUI header vs JSON retransmissions: $(first_diff "$tmp/t.hdr" "$tmp/j.retx")"
	elif ! cmp -s "$tmp/j.retx" "$tmp/tb.retx"; then
		why="table RETX vs JSON all_retransmissions: $(first_diff "$tmp/tb.retx" "$tmp/j.retx")"
	elif ! cmp -s "$tmp/j.csvcols" "$tmp/c.cols"; then
		why="CSV vs JSON (id retx c2s, s2c, packets, bytes): $(first_diff "$tmp/c.cols" "$tmp/j.csvcols")"
	elif ! cmp -s "$tmp/j.retx-some" "$tmp/r.retx"; then
		why="report top_retransmissions vs JSON: $(first_diff "$tmp/r.retx" "$tmp/j.retx-some")"
	elif [ "$rconn" != "$n" ] || [ "$rclose" != "$n" ]; then
		why="report counts $rconn connections ($rclose by close), flows lists $n"
	elif [ "$rbytes" != "$bytes" ]; then
		why="report payload_bytes $rbytes, flows' sum $bytes"
	fi
	if [ -n "$why" ]; then
		echo "FAIL views-$name: $why"
		return 1
	fi
	echo "$n $retx" >> "$tmp/totals"
	return 0
}

# corpus NAME FILES...: every capture; one PASS when all agree.
corpus() {
	label=$1
	shift
	: >"$tmp/totals"
	: >"$tmp/unread"
	bad=0 caps=0
	for f in "$@"; do
		[ -f "$f" ] || continue
		caps=$((caps + 1))
		views "$f" || bad=$((bad + 1))
	done
	if [ $caps -eq 0 ]; then
		echo "SKIP views-$label: no capture"
		return
	fi
	if [ $bad -eq 0 ]; then
		set -- $(awk '{ n += $1; r += $2 } END { print n + 0, r + 0 }' "$tmp/totals")
		echo "PASS views-$label ($caps captures, $(wc -l <"$tmp/unread") not" \
			"readable, $1 connections, $2 retransmissions: table, CSV," \
			"JSON, report and the TUI agree)"
	fi
}

corpus pcaps "$TOP"/pcaps/*.pcap
S=${SHARED:+$SHARED/pcaps}
if [ -z "$S" ] || [ ! -d "$S" ]; then
	echo "SKIP views-shared: no shared corpus (\$SHARED/pcaps, ${S:-SHARED unset})"
else
	corpus shared "$S"/*.pcap "$S"/*.pcapng
fi
exit 0
