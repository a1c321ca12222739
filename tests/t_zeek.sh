#!/bin/sh
# Cross-check against Zeek: for every Zeek conn.log baseline in
# $SHARED/pcaps/oracle/zeek (and the conn_state-RST-behavior output, which
# prints "history, conn_state" per trace), run `tcpscope flows -r PCAP
# --format json` and compare conn_state and history of each TCP connection.
# Connections are matched by their two endpoints (either order), in order
# of appearance. One line per connection: PASS/FAIL on conn_state (it must
# always match); history is reported with an aggregate line that needs 95%.
# Differences explained in tests/KNOWN-DIFFERENCES.md are SKIPped by name.
set -u
: "${TCPSCOPE:?}" "${SHARED:=${TOP:-.}/../shared}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
Z=$SHARED/pcaps/oracle/zeek
if [ ! -d "$Z" ]; then
	echo "SKIP zeek: no oracle directory $Z"
	exit 0
fi
known=$TOP/tests/KNOWN-DIFFERENCES.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/hist"

# flows JSON -> "ip port ip port conn_state history" per line
flows() {
	"$TCPSCOPE" flows -r "$1" --format json 2>/dev/null | awk '
	function field(name,   re, v) {
		re = "\"" name "\":(\"[^\"]*\"|[0-9]+)"
		if (match($0, re)) {
			v = substr($0, RSTART + length(name) + 3,
				RLENGTH - length(name) - 3)
			gsub(/"/, "", v)
			return v
		}
		return "-"
	}
	{ h = field("history"); if (h == "") h = "(empty)"
	  print field("client_ip"), field("client_port"), field("server_ip"),
		field("server_port"), field("conn_state"), h }'
}

# compare NAME PCAP EXPECTED (lines "ip port ip port conn_state history")
compare() {
	name=$1 pcap=$2 exp=$3
	if [ ! -f "$pcap" ]; then
		echo "SKIP $name: capture $pcap absent"
		return
	fi
	flows "$pcap" > "$tmp/got"
	awk -v name="$name" -v known="$known" -v hist="$tmp/hist" '
	BEGIN {
		while ((getline l < known) > 0)
			if (l ~ /^- `zeek-/) {
				k = l; sub(/^- `/, "", k); sub(/`.*/, "", k)
				skip[k] = 1
			}
	}
	FNR == NR {
		a = $1 " " $2; b = $3 " " $4
		key = (a < b) ? a "|" b : b "|" a
		n[key]++; st[key, n[key]] = $5; hi[key, n[key]] = $6
		next
	}
	{
		a = $1 " " $2; b = $3 " " $4
		key = (a < b) ? a "|" b : b "|" a
		i = ++used[key]; idx++
		id = name "-" idx
		if (i > n[key]) {
			verdict = "FAIL " id ": no connection " $1 ":" $2 " " $3 ":" $4
			gs = "-"; gh = "-"
		} else {
			gs = st[key, i]; gh = hi[key, i]
			if (gs == $5)
				verdict = "PASS " id
			else
				verdict = "FAIL " id ": conn_state " gs ", zeek " $5 \
					" (history " gh ", zeek " $6 ")"
		}
		if (verdict ~ /^FAIL/ && (id in skip))
			verdict = "SKIP " id ": see tests/KNOWN-DIFFERENCES.md"
		print verdict
		if (!(id in skip))
			printf "%s %s %s %s\n", id, (gh == $6) ? "same" : "diff", gh, $6 >> hist
	}' "$tmp/got" "$exp"
}

for log in "$Z"/*conn.log; do
	base=$(basename "$log")
	case "$base" in
	*.pcapng.*) trace=${base%%.pcapng.*}.pcapng ;;
	*) trace=${base%%.pcap.*}.pcap ;;
	esac
	test=${base#"$trace".}
	grep -v '^#' "$log" | awk -F'\t' '$7 == "tcp" {
		h = $16; if (h == "-" || h == "") h = "(empty)"
		print $3, $4, $5, $6, $12, h }' > "$tmp/exp"
	compare "${trace%.*}.${test%.conn.log}" "$SHARED/pcaps/$trace" "$tmp/exp"
done

# The four single-connection traces of conn_state-RST-behavior.
rst=$Z/zeek-tcp-single-rst.pcap.scripts.base.protocols.conn.conn_state-RST-behavior.out
if [ -f "$rst" ]; then
	i=0
	grep -v '^#' "$rst" | while IFS=', ' read -r h s; do
		i=$((i + 1))
		case $i in
		1) t=zeek-tcp-single-rst ;;
		2) t=zeek-tcp-syn-then-rst ;;
		3) t=zeek-tcp-syn-then-ack-then-rst ;;
		4) t=zeek-tcp-syn-then-stuff-then-rst ;;
		*) continue ;;
		esac
		flows "$SHARED/pcaps/$t.pcap" | awk -v t="$t" -v s="$s" -v h="$h" \
			-v hist="$tmp/hist" '
		NR == 1 {
			if ($5 == s) print "PASS " t
			else print "FAIL " t ": conn_state " $5 ", zeek " s
			printf "%s %s %s %s\n", t, ($6 == h) ? "same" : "diff", $6, h >> hist
		}'
	done
fi

total=$(wc -l < "$tmp/hist")
same=$(grep -c ' same ' "$tmp/hist")
grep ' diff ' "$tmp/hist" | sed 's/^/  history differs: /'
if [ "$total" -eq 0 ]; then
	echo "SKIP zeek-history: no connection compared"
elif [ $((same * 100)) -ge $((total * 95)) ]; then
	echo "PASS zeek-history: $same of $total identical"
else
	echo "FAIL zeek-history: only $same of $total identical (95% needed)"
fi
