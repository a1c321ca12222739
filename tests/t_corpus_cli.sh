#!/bin/sh
# t_corpus_cli.sh - every report command over the whole shared corpus: the
# captures of ../shared/pcaps imported into one database with --segments,
# then flows in every format, report, a timeline and an extract of the first
# and last connection of each capture. Checks that each command succeeds, that
# JSON parses, that the Zeek log has its columns, and that an extracted pcap
# holds exactly the connection's packets (counted again by tcpdump).
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}"
P=${SHARED:+$SHARED/pcaps}
if [ -z "$P" ] || [ ! -f "$P/MANIFEST.tsv" ]; then
	echo "SKIP corpus-cli: no shared corpus (../shared/pcaps)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db="$tmp/all.db"

clean() { # file: no sanitizer report in it
	! grep -q -e 'Sanitizer' -e 'runtime error' "$1"
}

# Import: the damaged captures make read exit 3, which is expected here.
"$TCPSCOPE" read -q --segments -d "$db" "$P"/*.pcap "$P"/*.pcapng >/dev/null 2>"$tmp/err"
rc=$?
if { [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && clean "$tmp/err"; then
	echo "PASS corpus-import"
else
	echo "FAIL corpus-import: exit $rc: $(head -c 300 "$tmp/err")"
	exit 0
fi
nconn=$(sqlite3 "$db" "SELECT COUNT(*) FROM connections c JOIN captures k ON k.id = c.capture_id WHERE k.complete = 1")

# flows in every format.
for fmt in table csv json zeek; do
	if "$TCPSCOPE" flows -d "$db" --format "$fmt" >"$tmp/flows.$fmt" 2>"$tmp/err" && clean "$tmp/err"; then
		echo "PASS corpus-flows-$fmt"
	else
		echo "FAIL corpus-flows-$fmt: $(head -c 300 "$tmp/err")"
	fi
done
n=$(jq -c . "$tmp/flows.json" 2>/dev/null | wc -l)
if [ "$n" -eq "$nconn" ] && [ "$nconn" -gt 0 ]; then
	echo "PASS corpus-flows-json-valid ($n connections)"
else
	echo "FAIL corpus-flows-json-valid: $n JSON objects, $nconn connections"
fi
n=$(grep -vc '^#' "$tmp/flows.zeek")
bad=$(awk -F'\t' '/^#fields/ { nf = NF - 1 } !/^#/ && NF != nf { b++ } END { print b + 0 }' "$tmp/flows.zeek")
if [ "$n" -eq "$nconn" ] && [ "$bad" -eq 0 ]; then
	echo "PASS corpus-flows-zeek-columns"
else
	echo "FAIL corpus-flows-zeek-columns: $n rows for $nconn connections, $bad rows with the wrong column count"
fi

for fmt in text json; do
	if "$TCPSCOPE" report -d "$db" --format "$fmt" >"$tmp/report.$fmt" 2>"$tmp/err" && clean "$tmp/err" &&
		{ [ "$fmt" = text ] || jq -e .connections "$tmp/report.json" >/dev/null; }; then
		echo "PASS corpus-report-$fmt"
	else
		echo "FAIL corpus-report-$fmt: $(head -c 300 "$tmp/err")"
	fi
done

# First and last connection of every complete capture: timeline (both
# formats) and extract.
sqlite3 -separator ' ' "$db" "SELECT MIN(c.id), MAX(c.id) FROM connections c JOIN captures k ON k.id = c.capture_id WHERE k.complete = 1 GROUP BY c.capture_id" |
	tr ' ' '\n' | sort -un > "$tmp/ids"
tl_bad="" ex_bad="" n=0
while read -r id; do
	n=$((n + 1))
	"$TCPSCOPE" timeline -d "$db" "$id" >"$tmp/tl" 2>"$tmp/err" && clean "$tmp/err" ||
		tl_bad="$tl_bad $id(text)"
	"$TCPSCOPE" timeline -d "$db" --format json "$id" 2>"$tmp/err" | jq -e . >/dev/null 2>&1 ||
		tl_bad="$tl_bad $id(json)"
	want=$(sqlite3 "$db" "SELECT c2s_packets + s2c_packets FROM connections WHERE id = $id")
	if "$TCPSCOPE" extract -d "$db" -w "$tmp/x.pcap" "$id" >/dev/null 2>"$tmp/err" && clean "$tmp/err"; then
		got=$(tcpdump -nn -r "$tmp/x.pcap" 2>/dev/null | wc -l)
		[ "$got" -eq "$want" ] || ex_bad="$ex_bad $id($got/$want)"
	else
		ex_bad="$ex_bad $id($(head -c 100 "$tmp/err"))"
	fi
done < "$tmp/ids"
if [ -z "$tl_bad" ]; then echo "PASS corpus-timeline ($n flows)"; else echo "FAIL corpus-timeline:$tl_bad"; fi
if [ -z "$ex_bad" ]; then echo "PASS corpus-extract ($n flows)"; else echo "FAIL corpus-extract:$ex_bad"; fi

# Without --segments extract matches VLAN tags, addresses and ports: the
# three connections of zeek-vlan-collisions differ only by VLAN (7 packets
# each way, 14 in all, as in Zeek's VLAN-aware baseline).
db2="$tmp/vlan.db"
bad=""
if "$TCPSCOPE" read -q -d "$db2" "$P/zeek-vlan-collisions.pcap" >/dev/null 2>&1; then
	for id in $(sqlite3 "$db2" "SELECT id FROM connections ORDER BY id"); do
		"$TCPSCOPE" extract -d "$db2" -w "$tmp/v.pcap" "$id" >/dev/null 2>&1 || { bad="$bad $id(failed)"; continue; }
		got=$(tcpdump -nn -r "$tmp/v.pcap" 2>/dev/null | wc -l)
		[ "$got" -eq 14 ] || bad="$bad $id($got)"
	done
	n=$(sqlite3 "$db2" "SELECT COUNT(*) FROM connections")
	[ "$n" -eq 3 ] || bad="$bad connections=$n"
else
	bad=" read failed"
fi
if [ -z "$bad" ]; then echo "PASS corpus-extract-vlan"; else echo "FAIL corpus-extract-vlan:$bad"; fi
exit 0
