#!/bin/sh
# t_merge.sh - `tcpscope merge OUT SHARD...` (issue 16: shards with global
# ids): the captures of several databases merged into one equal the same
# captures imported into one database (connections, labels, segments,
# pcapng comments, timelines); merging again skips what is there; a shard
# of another schema version, a missing shard, OUT as a shard and no shard
# are refused with one line; a full disk leaves OUT as it was.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}" "${TOP:?}" "${BUILD:?}"
T=$(mktemp -d)
MOUNTS=""
trap 'for m in $MOUNTS; do umount "$m" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
sq() { sqlite3 "$@"; }
P=$TOP/pcaps
# What must be equal: every row of every table a capture owns, ids aside
# (the connection ids of a merge are new but in the same order here).
dump() {
	sq "$1" "SELECT c.path, c.packets, c.tcp_segments, c.reasons FROM captures c ORDER BY c.id;
		 SELECT capture_id, tc_id, client_ip, client_port, server_ip,
		   server_port, close, conn_state, history, c2s_packets,
		   s2c_packets, transition_list FROM connections ORDER BY id;
		 SELECT * FROM label_totals ORDER BY 1, 2;
		 SELECT count(*), sum(n) FROM segment_chunks;
		 SELECT count(*) FROM label_events;
		 SELECT * FROM packet_comments ORDER BY 1, 2;
		 SELECT * FROM capture_interfaces ORDER BY 1, 2"
}

if ! command -v sqlite3 >/dev/null 2>&1; then
	skip merge "no sqlite3"
	exit 0
fi
ngm=$BUILD/tools/pcapngmeta
meta=""
if [ -x "$ngm" ] && "$ngm" "$P/real-loss.pcap" "$T/meta.pcapng" >/dev/null; then
	meta=$T/meta.pcapng
fi
"$TCPSCOPE" read -q --segments -d "$T/s1.db" "$P/demo.pcap" "$P/real-reorder.pcap" >/dev/null 2>&1
"$TCPSCOPE" read -q --segments -d "$T/s2.db" "$P/real-zero-window.pcap" $meta >/dev/null 2>&1
"$TCPSCOPE" read -q --segments -d "$T/all.db" "$P/demo.pcap" "$P/real-reorder.pcap" \
	"$P/real-zero-window.pcap" $meta >/dev/null 2>&1
"$TCPSCOPE" merge -d 2>/dev/null # an unknown option: exit 2 (checked below)
out=$("$TCPSCOPE" merge "$T/m.db" "$T/s1.db" "$T/s2.db" 2>&1); rc=$?
dump "$T/m.db" >"$T/m.dump"
dump "$T/all.db" >"$T/all.dump"
n=$(sq "$T/m.db" "SELECT count(*) FROM captures")
if [ $rc = 0 ] && [ "$n" -ge 3 ] && cmp -s "$T/m.dump" "$T/all.dump" &&
   echo "$out" | tail -1 | grep -q "captures copied from 2 shards"; then
	pass merge-equals-one-import
else
	fail merge-equals-one-import "exit $rc, $n captures: $(diff "$T/m.dump" "$T/all.dump" | head -5 | tr '\n' '|')"
fi
# The flows and a timeline of a connection of the second shard.
id=$(sq "$T/m.db" "SELECT max(id) FROM connections")
"$TCPSCOPE" timeline -d "$T/m.db" -f json "$id" | tail -n +2 >"$T/tl.m"
"$TCPSCOPE" timeline -d "$T/all.db" -f json "$id" | tail -n +2 >"$T/tl.a"
if [ -s "$T/tl.m" ] && cmp -s "$T/tl.m" "$T/tl.a" &&
   [ "$("$TCPSCOPE" flows -d "$T/m.db" -f csv | md5sum)" = "$("$TCPSCOPE" flows -d "$T/all.db" -f csv | md5sum)" ]; then
	pass merge-flows-timeline
else
	fail merge-flows-timeline "timeline of $id or the flows differ"
fi
# Again: nothing copied, nothing changed.
out=$("$TCPSCOPE" merge -q "$T/m.db" "$T/s2.db" 2>&1); rc=$?
dump "$T/m.db" >"$T/m2.dump"
if [ $rc = 0 ] && [ -z "$out" ] && cmp -s "$T/m.dump" "$T/m2.dump"; then
	pass merge-again-skips
else
	fail merge-again-skips "exit $rc: $out"
fi
# Refusals: one line, the right code, OUT unchanged.
"$BUILD/tools/store_stress" create "$T/old.db" 6 >/dev/null 2>&1
refuse() { # name, code, args...
	name=$1 want=$2
	shift 2
	"$TCPSCOPE" merge "$@" >"$T/o" 2>"$T/e"; rc=$?
	if [ $rc = "$want" ] && [ ! -s "$T/o" ] && [ "$(wc -l <"$T/e")" = 1 ] &&
	   grep -q '^tcpscope merge: ' "$T/e"; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(cat "$T/o" "$T/e" | head -c 300)"
	fi
}
refuse merge-old-shard 4 "$T/m.db" "$T/old.db"
grep -q "older" "$T/e" || fail merge-old-shard-says "$(cat "$T/e")"
refuse merge-missing-shard 4 "$T/m.db" "$T/nope.db"
# A new OUT that a failed merge left with nothing is not left behind.
refuse merge-failed-new-out 4 "$T/new-out.db" "$T/nope.db"
if [ -e "$T/new-out.db" ]; then fail merge-failed-new-out-removed "$T/new-out.db left"
else pass merge-failed-new-out-removed; fi
refuse merge-out-as-shard 2 "$T/m.db" "$T/m.db"
refuse merge-no-shard 2 "$T/m.db"
refuse merge-bad-option 2 -d "$T/m.db" "$T/s1.db"
dump "$T/m.db" >"$T/m3.dump"
if cmp -s "$T/m.dump" "$T/m3.dump"; then pass merge-refusals-change-nothing
else fail merge-refusals-change-nothing "OUT changed"; fi
# A full disk: the shard's transaction is rolled back, OUT stays whole.
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" &&
   mount -t tmpfs -o size=1200k tcps-merge-full "$T/full" 2>/dev/null; then
	MOUNTS="$T/full"
	"$TCPSCOPE" read -q -d "$T/full/o.db" "$P/demo.pcap" >/dev/null 2>&1
	before=$(dump "$T/full/o.db" | md5sum)
	# Leave 48 KiB free: the shard's rows need more.
	avail=$(df -k "$T/full" | awk 'NR == 2 { print $4 }')
	dd if=/dev/zero of="$T/full/filler" bs=1k count=$((avail - 48)) 2>/dev/null
	"$TCPSCOPE" read -q --segments -d "$T/big.db" "$P/real-loss.pcap" \
		"$P/real-many.pcap" "$P/real-zero-window.pcap" >/dev/null 2>&1
	out=$("$TCPSCOPE" merge "$T/full/o.db" "$T/big.db" 2>&1); rc=$?
	ic=$(sq "$T/full/o.db" "PRAGMA integrity_check" 2>&1)
	if [ $rc = 4 ] && echo "$out" | grep -q "disk full" && [ "$ic" = ok ] &&
	   [ "$(dump "$T/full/o.db" | md5sum)" = "$before" ]; then
		pass merge-disk-full
	else
		fail merge-disk-full "exit $rc: $out; integrity $ic"
	fi
	umount "$T/full" && MOUNTS=""
else
	skip merge-disk-full "cannot mount a tmpfs (needs root)"
fi

# ---- Shards read directly -------------------------------------------------
# flows, report and timeline over -d S1 -d S2 show what they show of the
# database `merge` makes of S1 and S2 (same ids, a capture both hold once);
# a shard that cannot be read is named, exit 4.
"$TCPSCOPE" read -q -d "$T/sh1.db" "$P/real-loss.pcap" "$P/real-many.pcap" >/dev/null 2>&1
"$TCPSCOPE" read -q -d "$T/sh2.db" "$P/real-abort.pcap" "$P/real-loss.pcap" >/dev/null 2>&1
"$TCPSCOPE" merge "$T/shm.db" "$T/sh1.db" "$T/sh2.db" >/dev/null 2>&1
bad=""
for args in "flows -f json" "flows -f csv" "report" "report -f json" "timeline 1"; do
	# shellcheck disable=SC2086
	a=$("$TCPSCOPE" $args -d "$T/sh1.db" -d "$T/sh2.db" 2>&1 | md5sum)
	# shellcheck disable=SC2086
	b=$("$TCPSCOPE" $args -d "$T/shm.db" 2>&1 | md5sum)
	[ "$a" = "$b" ] || bad="$bad '$args'"
done
n=$("$TCPSCOPE" flows -d "$T/sh1.db" -d "$T/sh2.db" -f csv | tail -n +2 | wc -l)
m=$(sq "$T/shm.db" "SELECT count(*) FROM connections")
err=$("$TCPSCOPE" flows -d "$T/sh1.db" -d "$T/nope.db" 2>&1 >/dev/null); rc=$?
if [ -z "$bad" ] && [ "$n" = "$m" ] && [ "$n" -gt 1 ] && [ $rc = 4 ] &&
   echo "$err" | grep -q 'nope\.db'; then
	pass shards-read-directly
else
	fail shards-read-directly "differ:$bad; rows $n/$m; missing shard: exit $rc, '$err'"
fi
