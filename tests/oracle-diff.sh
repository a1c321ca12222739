#!/bin/sh
# oracle-diff.sh - compare tcpscope's per-flow label counts with tshark's
# (../shared/pcaps/oracle/tshark/NAME.tcp_analysis.tsv), flow by flow.
#
#   tests/oracle-diff.sh [-t TCPSCOPE] [CAPTURE...]
#
# Flows are matched by their unordered address/port pair; several tcpscope
# connections on one pair (port reuse, VLANs) and several tshark streams are
# summed. tshark's `retransmission` flag is also set on fast and spurious
# retransmissions and on retransmitted SYN/SYN-ACK/FIN, while ours are
# exclusive (a segment is a retransmission, a fast or a spurious one), with
# SYN, SYN-ACK and FIN retransmissions apart; so tshark's is compared with
# the sum of all five of ours. Prints one line per difference:
#   capture<TAB>pair<TAB>label<TAB>tshark<TAB>tcpscope
# and a last line "N differences in M flows of K captures".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${TCPSCOPE:-$top/tcpscope}
if [ "${1:-}" = "-t" ]; then bin=$2; shift 2; fi
shared=${SHARED:-$top/../shared}
oracle="$shared/pcaps/oracle/tshark"
[ -d "$oracle" ] || { echo "oracle-diff: no $oracle" >&2; exit 2; }
if [ $# -eq 0 ]; then
	set -- $(ls "$oracle"/*.tcp_analysis.tsv | sed 's|.*/||; s|\.tcp_analysis\.tsv$||')
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ncap=0
for name in "$@"; do
	name=$(basename "$name")
	tsv="$oracle/$name.tcp_analysis.tsv"
	pcap="$shared/pcaps/$name"
	[ -f "$tsv" ] && [ -f "$pcap" ] || continue
	ncap=$((ncap + 1))
	# Ours: pair and label counts, both directions summed.
	"$bin" flows -r "$pcap" --format json 2>/dev/null | jq -r '
	  def a: if .client_ip < .server_ip or (.client_ip == .server_ip and .client_port <= .server_port)
	         then "\(.client_ip):\(.client_port)-\(.server_ip):\(.server_port)"
	         else "\(.server_ip):\(.server_port)-\(.client_ip):\(.client_port)" end;
	  def s(f): (.c2s[f] // 0) + (.s2c[f] // 0);
	  [a, s("retransmissions") + s("fast_retransmissions") + s("spurious_retransmissions")
	      + s("syn_retransmissions") + s("fin_retransmissions"),
	   s("fast_retransmissions"), s("spurious_retransmissions"), s("out_of_order"),
	   s("lost_segments"), s("dup_acks"), s("zero_windows"), s("zero_window_probes"),
	   s("window_full"), s("window_updates"), s("keepalives")] | @tsv' > "$tmp/ours"
	# tshark: columns 3..6 are src sport dst dport, 8..18 the flags.
	awk -F'\t' 'NR > 1 {
	  s = ($3 "") ; d = ($5 "");
	  a = s ":" $4; b = d ":" $6;
	  if (s > d || (s == d && $4 + 0 > $6 + 0)) { t = a; a = b; b = t }
	  printf "%s-%s", a, b;
	  for (i = 8; i <= 18; i++) printf "\t%s", $i;
	  printf "\n" }' "$tsv" > "$tmp/theirs"
	awk -F'\t' -v cap="$name" '
	  BEGIN { split("retransmission fast_retransmission spurious_retransmission out_of_order lost_segment duplicate_ack zero_window zero_window_probe window_full window_update keep_alive", L, " ") }
	  FNR == 1 { file++ }
	  { k = $1; keys[k] = 1; for (i = 2; i <= 12; i++) v[file, k, i] += $i }
	  END {
	    for (k in keys) for (i = 2; i <= 12; i++) {
	      t = v[1, k, i] + 0; o = v[2, k, i] + 0;
	      if (t != o) printf "%s\t%s\t%s\t%d\t%d\n", cap, k, L[i - 1], t, o
	    } }' "$tmp/theirs" "$tmp/ours" | sort
done > "$tmp/diff"
cat "$tmp/diff"
nd=$(wc -l < "$tmp/diff")
nf=$(cut -f1,2 "$tmp/diff" | sort -u | wc -l)
echo "$nd differences in $nf flows of $ncap captures"
