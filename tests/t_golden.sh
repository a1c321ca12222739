#!/bin/sh
# Golden tests over the project's own captures (pcaps/).
#
# 1. Truth: for every pcaps/NAME.expect (JSON Lines, one object per
#    connection in order of first packet, written by hand; see
#    pcaps/README.md) run `tcpscope flows -r pcaps/NAME.pcap[ng] --format
#    json` and compare every field the expectation names. Connections are
#    matched by client ip+port, server ip+port and, when one 4-tuple occurs
#    several times (VLANs, port reuse), by their order. Nested objects
#    (c2s, s2c) are compared field by field; true/false equal 1/0. The
#    number of connections must match too. One line per capture:
#      PASS golden-NAME
#      FAIL golden-NAME: conn 2 (a:p > b:p) client_states: expected [..] got [..]
# 2. Full output: pcaps/golden/NAME.flows.json is the whole JSON output as
#    last reviewed, written only by tools/regen-golden.sh. When it exists
#    the output must be byte-identical (golden-full-NAME); when it does not,
#    SKIP.
#
# Env: TCPSCOPE (binary), TOP (repository). Needs jq.
set -u
: "${TCPSCOPE:?}"
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
pc=$TOP/pcaps
case "$TCPSCOPE" in
/*) ;;
*) TCPSCOPE=$(pwd)/$TCPSCOPE ;;
esac

if ! command -v jq >/dev/null 2>&1; then
	echo "FAIL golden: jq is not installed (tools/deps.sh installs it)"
	exit 0
fi
if "$TCPSCOPE" flows --help 2>&1 | grep -q "unknown command"; then
	echo "FAIL golden: '$TCPSCOPE flows' does not exist yet"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The comparison: reads the expectation and the output (both slurped) and
# prints one line per difference.
cat > "$tmp/cmp.jq" <<'JQ'
def norm: if type == "boolean" then (if . then 1 else 0 end) else . end;
def key: "\(.client_ip):\(.client_port) > \(.server_ip):\(.server_port)";
def number:
  . as $a
  | reduce range(0; $a | length) as $i ({seen: {}, out: []};
      ($a[$i] | key) as $k
      | .out += [$a[$i] + {_key: $k, _nth: (.seen[$k] // 0), _idx: ($i + 1)}]
      | .seen[$k] = ((.seen[$k] // 0) + 1))
  | .out;
def show: tojson | if length > 120 then .[0:117] + "..." else . end;
($exp[0] | number) as $E
| ($got[0] | number) as $G
| (if ($E | length) != ($G | length)
   then "connections: expected \($E | length) got \($G | length)"
   else empty end),
  ($E[] as $e
   | ([$G[] | select(._key == $e._key and ._nth == $e._nth)] | .[0]) as $g
   | "conn \($e._idx) (\($e._key))" as $where
   | if $g == null then
       "\($where): missing from the output"
     else
       ($e | to_entries[] | select(.key | startswith("_") | not)) as $f
       | if ($f.value | type) == "object" then
           ($f.value | to_entries[]) as $s
           | ($g[$f.key] // {} | .[$s.key]) as $v
           | if ($s.value | norm) != ($v | norm)
             then "\($where) \($f.key).\($s.key): expected \($s.value | show) got \($v | show)"
             else empty end
         else
           ($g[$f.key]) as $v
           | if ($f.value | norm) != ($v | norm)
             then "\($where) \($f.key): expected \($f.value | show) got \($v | show)"
             else empty end
         end
     end)
JQ

n=0
for exp in "$pc"/*.expect; do
	[ -f "$exp" ] || continue
	n=$((n + 1))
	name=$(basename "$exp" .expect)
	cap=""
	for ext in pcap pcapng; do
		[ -f "$pc/$name.$ext" ] && cap=$pc/$name.$ext
	done
	if [ -z "$cap" ]; then
		echo "FAIL golden-$name: no pcaps/$name.pcap or .pcapng"
		continue
	fi
	out=$tmp/$name.json
	# Relative path from the top: the output names the capture, and the
	# golden files must not depend on where the tree is checked out.
	(cd "$TOP" && "$TCPSCOPE" flows -r "pcaps/$(basename "$cap")" \
		--format json) > "$out" 2> "$tmp/err"
	rc=$?
	if ! jq -s . "$exp" > "$tmp/exp.json" 2> "$tmp/jqerr"; then
		echo "FAIL golden-$name: bad expectation file: $(head -n 1 "$tmp/jqerr")"
		continue
	fi
	if ! jq -s . "$out" > "$tmp/got.json" 2> "$tmp/jqerr"; then
		echo "FAIL golden-$name: output is not JSON Lines (exit $rc): $(head -n 1 "$tmp/jqerr") $(head -n 1 "$tmp/err")"
		continue
	fi
	diffs=$(jq -n -r --slurpfile exp "$tmp/exp.json" \
		--slurpfile got "$tmp/got.json" -f "$tmp/cmp.jq" 2>&1)
	if [ -z "$diffs" ]; then
		echo "PASS golden-$name"
	else
		nd=$(printf '%s\n' "$diffs" | wc -l)
		first=$(printf '%s\n' "$diffs" | head -n 3 | paste -sd ';' - | sed 's/;/; /g')
		[ "$nd" -gt 3 ] && first="$first; ... ($nd differences)"
		[ "$rc" -ne 0 ] && first="$first (exit $rc: $(head -n 1 "$tmp/err" | cut -c 1-120))"
		echo "FAIL golden-$name: $first"
	fi

	gold=$pc/golden/$name.flows.json
	if [ ! -f "$gold" ]; then
		echo "SKIP golden-full-$name: no pcaps/golden/$name.flows.json (tools/regen-golden.sh)"
	elif cmp -s "$gold" "$out"; then
		echo "PASS golden-full-$name"
	else
		d=$(diff "$gold" "$out" | grep -m 1 '^[<>]' | cut -c 1-160)
		echo "FAIL golden-full-$name: output differs from pcaps/golden/$name.flows.json: $d"
	fi
done
[ "$n" -gt 0 ] || echo "FAIL golden: no pcaps/*.expect files"

# 3. The committed synthetic captures are what pcapgen writes today (it is
#    deterministic), and each has an expectation.
gen=${BUILD:-$TOP/build}/tools/pcapgen
if [ ! -x "$gen" ]; then
	echo "SKIP corpus-synthetic: no $gen (make tools)"
else
	bad=""
	"$gen" --list > "$tmp/list" || bad=" --list failed"
	while read -r name ext _; do
		if ! "$gen" "$name" "$tmp/gen.$ext" 2>/dev/null; then
			bad="$bad $name(fails)"
		elif ! cmp -s "$tmp/gen.$ext" "$pc/$name.$ext"; then
			bad="$bad $name.$ext(differs)"
		fi
		[ -f "$pc/$name.expect" ] || bad="$bad $name(no .expect)"
	done < "$tmp/list"
	if [ -z "$bad" ]; then
		echo "PASS corpus-synthetic"
	else
		echo "FAIL corpus-synthetic:$bad (sh tools/regen-corpus.sh)"
	fi
fi
exit 0
