#!/bin/sh
# make bench: import rate and peak memory of `tcpscope read` on the largest
# captures at hand, with and without --segments. Prints one line per run:
#   capture  mode  packets  seconds  packets/s  rows/s  maxrss_kB
# Speed is measured here, never asserted by a timed test.
set -u
bin=${1:?usage: bench.sh TCPSCOPE}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$top/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=""
if [ -d "$shared/pcaps" ]; then
	files=$(ls -S "$shared"/pcaps/*.pcap "$shared"/pcaps/*.pcapng 2>/dev/null | head -n 4)
fi
gen="${BUILD:-$top/build}/tools/pcapgen"
if [ -x "$gen" ]; then
	"$gen" bench "$tmp/bench.pcap" && files="$tmp/bench.pcap $files"
fi
[ -n "$files" ] || { echo "bench: no capture to measure"; exit 1; }
printf '%-44s %-9s %9s %8s %11s %11s %10s\n' capture mode packets seconds pkts/s rows/s maxrss_kB
for f in $files; do
	for mode in plain segments; do
		db="$tmp/b.db"; rm -f "$db" "$db-wal" "$db-shm"
		flag=""; [ "$mode" = segments ] && flag=--segments
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" read -q -d "$db" $flag "$f" >/dev/null 2>"$tmp/err"
		set -- $(tail -n 1 "$tmp/time")
		secs=$1; rss=$2
		pk=$(sqlite3 "$db" 'SELECT COALESCE(SUM(packets),0) FROM captures' 2>/dev/null || echo 0)
		rows=$(sqlite3 "$db" "SELECT (SELECT COUNT(*) FROM connections)+(SELECT COUNT(*) FROM transitions)+(SELECT COUNT(*) FROM events)+(SELECT COUNT(*) FROM segments)" 2>/dev/null || echo 0)
		awk -v f="$(basename "$f")" -v m="$mode" -v p="$pk" -v s="$secs" -v r="$rows" -v k="$rss" \
		    'BEGIN { if (s <= 0) s = 0.01; printf "%-44s %-9s %9d %8.2f %11.0f %11.0f %10d\n", f, m, p, s, p/s, r/s, k }'
	done
done
