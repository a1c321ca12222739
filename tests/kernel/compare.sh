#!/bin/sh
# compare.sh - compares tcpscope with the kernel's truth on the corpus
# pcaps/kernel/ (see pcaps/kernel/README.md).
#
#   sh tests/kernel/compare.sh [-k KNOWN] [-d DIR] [SCENARIO...]
#
# For every NAME.truth.jsonl in DIR (default pcaps/kernel) and every
# capture of it (NAME.VANTAGE.pcap.gz, NAME.loss2.VANTAGE.pcap.gz; VANTAGE client,
# middle or server) it runs `tcpscope flows -r CAPTURE -f json`, pairs each
# connection the truth says crossed that point (same 4-tuple, first_ts
# nearest the kernel's SYN time, within 5 s) and compares:
#   client_states, server_states   the kernel's paths (pcaps/kernel/README.md);
#                                  a wrong path whose truth is one of tcpscope's
#                                  client_states_alt / server_states_alt is
#                                  class "alternative" (needs no known entry)
#   c2s_data_retx, s2c_data_retx   c2s/s2c.all_retransmissions against the
#                                  data re-sends seen again at that point
#   c2s_syn_retx, s2c_syn_retx     syn_retransmissions (SYN, SYN-ACK)
#   c2s_fin_retx, s2c_fin_retx     fin_retransmissions
#   c2s_rst_not_exact              c2s.rst_in_window_not_exact against the
#                                  forged RSTs that crossed the point
#   vantage                        tcpscope's estimate of the capture point
#                                  against the capture's (counted apart: an
#                                  estimate, never a difference)
#   and, only when tcpscope's JSON has c2s.transfer / limited_by / cc_states,
#   c2s_limited_by (one of the verdicts fixed by construction), c2s_busy_s
#   and c2s_rwnd_limited_s (within 10 % of the duration of TCP_INFO's
#   tcpi_busy_time and tcpi_rwnd_limited) and c2s_cc_states (the sender's
#   tcp_cong_state_set path).
# A connection the truth has and tcpscope lacks is field "connection",
# one tcpscope has and the truth lacks "extra".
# Prints agreement figures per vantage point and per scenario; per vantage
# the state sides right, wrong with the truth among the alternatives,
# confidently wrong (wrong, or stopped short, with no alternative that is the
# truth), and the right ones given alternatives all the same; then every
# difference as "DIFF CAPTURE CLIENT INC FIELD TRUTH GOT [CLASS]", where
# CLASS is the known-differences entry (tests/kernel/known.tsv, see
# tests/KNOWN-DIFFERENCES.md) that explains it, or "UNEXPLAINED". Exit
# status 1 when a difference is unexplained. OUT=FILE keeps the raw
# comparison lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/pcaps/kernel
known=$top/tests/kernel/known.tsv
while [ $# -gt 0 ]; do
	case $1 in
	-k) known=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	*) break ;;
	esac
done
tcpscope=${TCPSCOPE:-$top/tcpscope}
tmp=$(mktemp -d /tmp/tcps-kt-cmp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 0 ]; then
	set -- $(cd "$dir" && ls *.truth.jsonl | sed 's/\.truth\.jsonl$//')
fi
: > "$tmp/lines"
for name in "$@"; do
	for cap in "$dir/$name".client.pcap.gz "$dir/$name".middle.pcap.gz \
		"$dir/$name".server.pcap.gz "$dir/$name".loss*.pcap.gz; do
		[ -f "$cap" ] || continue
		base=$(basename "$cap" .pcap.gz)
		vantage=${base##*.}
		"$tcpscope" flows -r "$cap" -f json > "$tmp/flows" 2>"$tmp/err" || {
			echo "compare.sh: tcpscope failed on $cap: $(head -n 3 "$tmp/err")" >&2
			printf '%s\t%s\t-\t-\t%s\ttcpscope\tok\tfailed\t0\twrong\n' "$base" "$vantage" "$name" >> "$tmp/lines"
			continue
		}
		jq -n -r --arg cap "$base" --arg v "$vantage" \
			--slurpfile T "$dir/$name.truth.jsonl" --slurpfile F "$tmp/flows" '
def str: if . == null then "null" elif type == "array" then join(",") else tostring end;
def pct(a; b): if b == 0 then 0 else (a / b) end;
# state paths: ok, prefix (stopped short of the kernel), wrong
def pathcls($t; $g; $alt):
  if $t == $g then "ok"
  elif ((($alt // []) | index([$t])) != null) then "alt"
  elif ($g != null and $t != null and ($g | length) < ($t | length) and $t[0:($g | length)] == $g) then "prefix"
  else "wrong" end;
def line($t; $field; $tv; $gv; $cls):
  [$cap, $v, $t.scenario, $t.client, ($t.incarnation | tostring), $field, ($tv | str), ($gv | str),
   (if $cls == "ok" then 1 else 0 end | tostring), $cls] | @tsv;
# a state path, with the number of alternatives tcpscope offered (11th)
def pline($t; $field; $tv; $gv; $alt):
  [$cap, $v, $t.scenario, $t.client, ($t.incarnation | tostring), $field, ($tv | str), ($gv | str),
   (if $tv == $gv then 1 else 0 end | tostring), pathcls($tv; $gv; $alt),
   (($alt // []) | length | tostring)] | @tsv;
def num($t; $field; $tv; $gv):
  line($t; $field; $tv; $gv; if $tv == $gv then "ok" else "wrong" end);
($F) as $flows
| [ $T[] | select(.visible[$v]) ] as $truth
| ( $truth[] as $t
    | ([ $flows[] | select((.client_ip + ":" + (.client_port | tostring)) == $t.client
                           and (.server_ip + ":" + (.server_port | tostring)) == $t.server)
                  | {f: ., d: ((.first_ts - $t.t0) | fabs)} | select(.d < 5) ]
       | sort_by(.d) | .[0].f) as $f
    | if $f == null then line($t; "connection"; "present"; "absent"; "wrong")
      else
        line($t; "connection"; "present"; "present"; "ok"),
        line($t; "vantage"; $v; $f.vantage; if $f.vantage == $v then "ok" else "vantage" end),
        pline($t; "client_states"; $t.client_states; $f.client_states; $f.client_states_alt),
        pline($t; "server_states"; $t.server_states; $f.server_states; $f.server_states_alt),
        num($t; "c2s_data_retx"; $t.retrans.c2s.at[$v].data; $f.c2s.all_retransmissions),
        num($t; "s2c_data_retx"; $t.retrans.s2c.at[$v].data; $f.s2c.all_retransmissions),
        num($t; "c2s_syn_retx"; $t.retrans.c2s.at[$v].syn; $f.c2s.syn_retransmissions),
        num($t; "s2c_syn_retx"; $t.retrans.s2c.at[$v].syn; $f.s2c.syn_retransmissions),
        num($t; "c2s_fin_retx"; $t.retrans.c2s.at[$v].fin; $f.c2s.fin_retransmissions),
        num($t; "s2c_fin_retx"; $t.retrans.s2c.at[$v].fin; $f.s2c.fin_retransmissions),
        num($t; "c2s_rst_not_exact"; $t.forged_rst[$v]; $f.c2s.rst_in_window_not_exact),
        (if $t.transfer != null and $f.c2s.limited_by != null then
           line($t; "c2s_limited_by"; $t.transfer.limited_by; $f.c2s.limited_by;
                if ($t.transfer.limited_by | index([$f.c2s.limited_by])) != null then "ok" else "wrong" end)
         else empty end),
        (if $t.transfer != null and $f.c2s.transfer != null and $t.transfer.tcp_info.client != null then
           ($t.transfer.tcp_info.client) as $ti | ($f.duration) as $dur |
           (($ti.busy_us / 1e6) as $k | $f.c2s.transfer.busy_s as $g |
             line($t; "c2s_busy_s"; $k; $g; if $g != null and (($g - $k) | fabs) <= 0.1 * $dur then "ok" else "wrong" end)),
           (($ti.rwnd_limited_us / 1e6) as $k | $f.c2s.transfer.rwnd_limited_s as $g |
             line($t; "c2s_rwnd_limited_s"; $k; $g; if $g != null and (($g - $k) | fabs) <= 0.1 * $dur then "ok" else "wrong" end))
         else empty end),
        (if $t.transfer != null and $f.c2s.cc_states != null then
           line($t; "c2s_cc_states"; $t.transfer.cc_states.client; $f.c2s.cc_states;
                if $t.transfer.cc_states.client == $f.c2s.cc_states then "ok" else "wrong" end)
         else empty end)
      end ),
  ( $flows[] as $f
    | select([ $T[] | select(.client == ($f.client_ip + ":" + ($f.client_port | tostring))) ] | length == 0)
    | [$cap, $v, "-", ($f.client_ip + ":" + ($f.client_port | tostring)), "-", "extra", "absent", "present", "0", "wrong"] | @tsv )
' >> "$tmp/lines"
	done
done
[ -n "${OUT:-}" ] && cp "$tmp/lines" "$OUT"
# Known differences: CAPTURE CLIENT INC FIELD TRUTH GOT CLASS (# comments).
[ -f "$known" ] || : > "$tmp/known"
[ -f "$known" ] && grep -v '^#' "$known" > "$tmp/known"
awk -F'\t' -v known="$tmp/known" '
BEGIN {
	while ((getline l < known) > 0) {
		split(l, e, "\t")
		if (e[1] == "") continue
		K[e[1] "\t" e[2] "\t" e[3] "\t" e[4] "\t" e[5] "\t" e[6]] = e[7]
	}
}
function add(key, what, good) { tot[key, what]++; if (good) ok[key, what]++; keys[key] = 1 }
{
	cap = $1; v = $2; sc = $3; f = $6; good = $9 == 1
	if (cap ~ /\.loss[0-9]+\./) v = v "+loss"
	if (f == "vantage") {
		# an estimate, not a difference: counted apart
		vt[v]++; if (good) vr[v]++
		else if ($8 == "null") vn[v]++
		else if ($7 != "middle" && $8 != "middle") vo[v]++
		next
	}
	if (f == "client_states" || f == "server_states") {
		add(v, "sides", good); add(sc, "sides", good)
		if ($10 == "wrong") { wrongs[v]++; wrongs[sc]++ }
		# right / wrong with the truth among the alternatives /
		# confidently wrong; right sides given alternatives anyway
		sv[v] = 1
		if (good) { sright[v]++; if ($11 + 0 > 0) sneed[v]++ }
		else if ($10 == "alt") salt[v]++
		else sconf[v]++
		if (f == "client_states") cs[cap, $4, $5] = good
		else if ((cap, $4, $5) in cs) { add(v, "both", good && cs[cap, $4, $5]); add(sc, "both", good && cs[cap, $4, $5]) }
	} else if (f ~ /_retx$/) {
		add(v, "retx", good); add(sc, "retx", good)
	} else if (f ~ /_rst_/) {
		add(v, "rst", good); add(sc, "rst", good)
	} else if (f == "connection") {
		add(v, "conns", good); add(sc, "conns", good)
	} else if (f != "extra") {
		add(v, "xfer", good); add(sc, "xfer", good)
	}
	if (!good && $10 == "alt") {
		explained["alternative"]++
		diffs[++nd] = "DIFF " cap " " $4 " " $5 " " f " " $7 " " $8 " alternative"
	} else if (!good) {
		key = cap "\t" $4 "\t" $5 "\t" f "\t" $7 "\t" $8
		cls = (key in K) ? K[key] : "UNEXPLAINED"
		if (cls == "UNEXPLAINED") bad++
		else { used[key] = 1; explained[cls]++ }
		diffs[++nd] = "DIFF " cap " " $4 " " $5 " " f " " $7 " " $8 " " cls
	}
}
function fig(key, what) { return sprintf("%d/%d", ok[key, what], tot[key, what]) }
function pc(key, what) { return tot[key, what] ? sprintf("%.1f%%", 100 * ok[key, what] / tot[key, what]) : "-" }
END {
	printf "%-22s %-11s %-13s %-13s %-7s %-19s %-9s %s\n", "vantage/scenario", "conns", "sides", "both sides", "wrong", "retx counts", "rst", "transfer"
	for (k in keys) {
		isv = k ~ /^(client|middle|server)(\+loss)?$/
		printf "%d %-22s %-11s %-13s %-13s %-7d %-19s %-9s %s\n", isv ? 0 : 1, k, fig(k, "conns"),
			fig(k, "sides"), fig(k, "both") " " pc(k, "both"), wrongs[k] + 0,
			fig(k, "retx") " " pc(k, "retx"), fig(k, "rst"), tot[k, "xfer"] ? fig(k, "xfer") : "-" | "sort | cut -c3-"
	}
	close("sort | cut -c3-")
	printf "%-14s %-7s %-18s %-18s %s\n", "state sides", "right", "truth-in-alt", "confidently-wrong", "right-with-alt"
	for (k in sv)
		printf "%-14s %-7d %-18d %-18d %d\n", k, sright[k], salt[k], sconf[k], sneed[k] | "sort"
	close("sort")
	printf "%-14s %-11s %-8s %s\n", "vantage est.", "right", "unknown", "the other end"
	for (k in vt)
		printf "%-14s %-11s %-8d %d\n", k, vr[k] + 0 "/" vt[k], vn[k], vo[k] | "sort"
	close("sort")
	for (i = 1; i <= nd; i++) print diffs[i]
	for (c in explained) printf "explained by %s: %d\n", c, explained[c]
	stale = 0
	for (k in K) if (!(k in used)) stale++
	if (stale) printf "note: %d known-differences entries no longer differ (or were not compared)\n", stale
	printf "%d unexplained differences\n", bad
	exit bad > 0
}' "$tmp/lines"
