#!/bin/sh
# The data-transfer phase (tcpcore/cc.c) on the project's real captures,
# beyond the fields the .expect files fix (tests/t_golden.sh):
#
# - real-loss (a 200 kB upload through fwd.c, which dropped the segments
#   its .fwd.log lists): held by the network, congestion or loss; the bytes
#   retransmitted in fast recovery are the bytes dropped; every Recovery
#   episode ends. real-reorder (a bulk upload captured beside the
#   receiver): not held by the application.
# - The database: one cc_transitions row per transition the connection
#   paths (cc_states) show, the episodes of cc_episodes, and the rows go when their
#   capture is replaced.
# - The time partition on every capture of pcaps/: busy + idle is the
#   duration, the limited shares fit in busy.
# - A stall before the capture point read from the IP IDs (ipid-stall):
#   xfer-blackhole of the kernel corpus at its middle point; it fires on
#   no capture of pcaps/ nor on xfer-bursts (application pauses) and its
#   capture-loss copies.
# - `tcpscope states --cc` prints the congestion-state rules.
#
# Env: TCPSCOPE, TOP. Needs jq; sqlite3 for the database part.
set -u
: "${TCPSCOPE:?}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
pc=$TOP/pcaps
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
if ! command -v jq >/dev/null 2>&1; then
	echo "FAIL transfer: jq is not installed (tools/deps.sh installs it)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- real-loss against the forwarder's log ----------------------------
"$TCPSCOPE" flows -r "$pc/real-loss.pcap" -f json > "$tmp/loss.json"
dropped=$(awk '$1 == "drop" && $2 == "c2s" { for (i = 3; i <= NF; i++)
	if ($i ~ /^len=/) { sub("len=", "", $i); n += $i } } END { print n + 0 }' \
	"$pc/real-loss.fwd.log")
v=$(jq -r '.c2s | "\(.limited_by) \(.fast_recovery_bytes) \(.rto_timeouts)"' "$tmp/loss.json")
case "$v" in
"congestion $dropped 0" | "loss $dropped 0") pass transfer-real-loss ;;
*) fail transfer-real-loss "got '$v', want congestion or loss, $dropped bytes recovered, no timeout" ;;
esac

# real-reorder: a 100 kB upload (bulk: never the application's pace),
# captured beside the receiver: the delayed ACKs keep its flight up.
v=$("$TCPSCOPE" flows -r "$pc/real-reorder.pcap" -f json | jq -r '.c2s.limited_by')
case "$v" in
congestion | receiver_window | loss) pass transfer-real-reorder ;;
*) fail transfer-real-reorder "got '$v' for a bulk upload" ;;
esac

# ---- The partition on every capture ----------------------------------
bad=""
for f in "$pc"/*.pcap "$pc"/*.pcapng; do
	[ -f "$f" ] || continue
	"$TCPSCOPE" flows -r "$f" -f json 2>/dev/null > "$tmp/p.json"
	b=$(jq -r '. as $c | ["c2s", "s2c"][] as $d | $c[$d] |
		select(.transfer != null) | .transfer as $t |
		select((($t.busy_s + $t.idle_s) * 1e9 | round) !=
		       ((($c.duration) * 1e9) | round) or
		       $t.rwnd_limited_s + $t.cwnd_limited_s + $t.recovery_s +
		       $t.rto_stall_s > $t.busy_s + 1e-9 or
		       $t.zero_window_s > $t.rwnd_limited_s or
		       (.limited_by == "none") != (.payload_bytes == 0)) |
		"\($c.id)/\($d)"' "$tmp/p.json" | head -3 | tr '\n' ' ')
	[ -n "$b" ] && bad="$bad $(basename "$f"): $b"
done
if [ -z "$bad" ]; then pass transfer-partition; else fail transfer-partition "$bad"; fi

# ---- A stall before the capture point (ipid-stall) ----------------------
# xfer-blackhole (pcaps/kernel): fwdA drops every client segment for 2 s
# before the middle point, which sees the flow stop with everything
# acknowledged and resume at the next byte; the client's IP ID (one a
# packet) skips the packets it sent meanwhile. The kernel's verdict is
# loss, its path Open, Loss, Open, its busy time the whole 4.6 s.
kb=$pc/kernel/xfer-blackhole
if [ -f "$kb.middle.pcap.gz" ]; then
	v=$("$TCPSCOPE" flows -r "$kb.middle.pcap.gz" -f json | jq -r '.c2s |
		"\(.limited_by) \(.cc_states | join(",")) \(.transfer.busy_s > 4.5)"' |
		sort | uniq -c | tr -s ' ')
	if [ "$v" = " 3 loss Open,Loss,Open true" ]; then pass transfer-ipid-stall
	else fail transfer-ipid-stall "got '$v'"; fi
	# At the client point (no IP ID gap) the timeouts show themselves.
	v=$("$TCPSCOPE" flows -r "$kb.client.pcap.gz" -f json |
		jq -r '.c2s.cc_states | join(",")' | sort -u | tr '\n' ' ')
	if [ "$v" = "Open,Loss,Open " ]; then pass transfer-ipid-stall-client
	else fail transfer-ipid-stall-client "got '$v'"; fi
fi

# ---- The rule table ------------------------------------------------------
# `states --cc` prints every rule once, ids in order, and the rules the
# corpus fires (real-loss, syn-loss-rto) are among them.
"$TCPSCOPE" states --cc > "$tmp/rules" 2>&1
v=$(awk 'NR > 1 && $1 != NR - 2 { bad = 1 } END { print NR - 1, bad + 0 }' "$tmp/rules")
missing=""
for r in dupack fast-retransmit open-fast-retransmit recovery-end timeout loss-end disorder-end ecn-cwr cwr-end sack-recovery ipid-stall; do
	awk -v r="$r" 'NR > 1 && $2 == r { f = 1 } END { exit !f }' "$tmp/rules" || missing="$missing $r"
done
if [ "$v" = "13 0" ] && [ -z "$missing" ]; then pass transfer-states-cc
else fail transfer-states-cc "rows/bad ids '$v', missing:$missing"; fi

# ---- The database ------------------------------------------------------
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP transfer-db: no sqlite3"
	exit 0
fi
db=$tmp/t.db
"$TCPSCOPE" read -q -d "$db" "$pc/real-loss.pcap" "$pc/syn-loss-rto.pcap" >/dev/null 2>&1
v=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM cc_transitions),
	(SELECT sum(length(c2s_cc_states) - length(replace(c2s_cc_states, ' ', ''))
		  + length(s2c_cc_states) - length(replace(s2c_cc_states, ' ', '')))
	 FROM connections),
	(SELECT count(*) FROM cc_episodes),
	(SELECT count(*) FROM cc_episodes WHERE end_pkt IS NULL),
	(SELECT group_concat(state || ':' || retransmitted_bytes, ' ') FROM
	   (SELECT * FROM cc_episodes ORDER BY conn_id, start_pkt)),
	(SELECT group_concat(rule_name, ' ') FROM
	   (SELECT rule_name FROM cc_transitions ORDER BY id))" | tr '|' ' ')
want="7 7 3 0 Recovery:2896 Recovery:1448 Loss:1000 open-fast-retransmit recovery-end dupack fast-retransmit recovery-end timeout loss-end"
# (real-loss: 2 recoveries, the first of two dropped segments, 5 transitions:
# the first retransmission answers the first SACK, so Open goes to Recovery
# at once, as Linux does; syn-loss-rto: one timeout, 2 transitions.)
if [ "$v" = "$want" ]; then pass transfer-db-rows; else fail transfer-db-rows "got '$v', want '$want'"; fi
"$TCPSCOPE" read -q --replace -d "$db" "$pc/real-loss.pcap" >/dev/null 2>&1
v=$(sqlite3 "$db" "SELECT count(*) FROM cc_transitions t WHERE NOT EXISTS
	(SELECT 1 FROM connections k WHERE k.id = t.conn_id); SELECT count(*)
	FROM cc_transitions" | tr '\n' ' ')
if [ "$v" = "0 7 " ]; then pass transfer-db-replace; else fail transfer-db-replace "orphans, rows: $v"; fi

# ipid-stall fires on no capture of pcaps/ nor on the kernel corpus's
# application pauses (xfer-bursts) and their capture-loss copies.
db2=$tmp/i.db
set -- "$pc"/*.pcap "$pc"/*.pcapng
[ -f "$pc/kernel/xfer-bursts.middle.pcap.gz" ] && set -- "$@" "$pc"/kernel/xfer-bursts.*.pcap.gz
"$TCPSCOPE" read -q -d "$db2" "$@" >/dev/null 2>&1
v=$(sqlite3 "$db2" "SELECT count(*) FROM cc_transitions WHERE rule_name = 'ipid-stall';
	SELECT count(*) > 0 FROM connections")
if [ "$v" = "0
1" ]; then pass transfer-ipid-stall-quiet; else fail transfer-ipid-stall-quiet "got '$v'"; fi
