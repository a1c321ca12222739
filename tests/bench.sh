#!/bin/bash
# make bench: speed and peak memory of tcpscope on the benchmark kit's
# captures (shared/bench, see its README.md), as ratios to the kit's parse
# floor `pcaploop -m hash FILE`.
#
#   bench.sh /abs/path/to/tcpscope     measure (what `make bench` runs)
#   bench.sh --deps                    install the peers and the capture
#                                      makers' tools (`make bench-deps`)
#
# Each row is a paired measurement: one warm-up of A (the command) and of B
# (pcaploop), then A B A B ... BENCH_RUNS times; the ratio of each pair is
# A's wall time over B's, so that load from other work on the machine hits
# both sides of a pair alike. Printed: the median ratio with its min and max,
# A's median peak RSS, and packets/s and database rows/s at A's median time.
# Speed is measured here, never asserted by a timed test.
#
# Three rows more on mix.pcap, report only (target "-"):
#   export   `tcpscope export --format parquet` of the mix import's database
#            into an empty folder, paired with pcaploop on mix.pcap as the
#            others; rows/s = rows written (export's own count) / median
#            wall time, its min-max over the runs in a note.
#   fanout   `tcpscope live --fanout 1` and `--fanout 2` (as root only: else
#            a SKIP line) on one end of a veth pair between two network
#            namespaces made here (tcpscope-bench-*-PID, removed by name at
#            exit), while tests/tools/pcapsend sends mix.pcap's frames, at
#            their wire length, out of the other end as fast as it can
#            (bounded: 30 s a run); -s 96 as the kit's capture. Runs
#            alternate 1 2 1 2 ..., min(BENCH_RUNS, 3) pairs. pkts/s =
#            packets the capture stored / the sender's time; drops = the
#            kernel's (the capture rows' kernel_drops), median of the runs
#            with its share of what was sent; the --fanout 2 row's ratio
#            column is its pkts/s over --fanout 1's in the same pair (the
#            scaling). The sender shares the 2 cores with the workers.
#
#   cost     the tracker's instructions per packet on the first
#            BENCH_COST_PACKETS (200000) packets of mix.pcap, counted by
#            valgrind's callgrind (instructions, not seconds: the same on
#            a busy machine): the tracker (tc_feed) and its parts: labels (tc_an_segment), states (tc_machine_step)
#            and the data-transfer phase (tc_cc_segment, issue 12), each
#            with its share of the tracker. No valgrind: a SKIP line.
#
# Environment:
#   SHARED        folder that holds the kit as bench/ (default: ../shared
#                 beside the checkout); no kit: SKIP, exit 0
#   BENCH_DATA    where the kit's programs and captures go (default
#                 bench-data/ at the checkout top); existing captures are
#                 never made again
#   BENCH_RUNS    pairs per row (default 5)
#   BENCH_ONLY    measure one capture only: mix, manyflows or synflood;
#                 or only the export, fanout or cost rows (on mix): export,
#                 fanout, cost
#   BENCH_TIMEOUT seconds one run may take before it is killed and its row
#                 given up (default 900)
#   PCAPSEND      the fanout rows' sender (default build/tools/pcapsend;
#                 `make bench` builds it and passes its path)
set -u
export LC_ALL=C

die() { echo "bench: $*" >&2; exit 1; }

install_deps() {
	# The peers (tcptrace, argus), and what gen-mix.sh needs beyond the
	# project's own deps (tools/deps.sh): nft, editcap/capinfos (with
	# tshark's wireshark-common), ethtool, tcpdump, python3.
	local pkgs="tcptrace argus-client argus-server nftables tshark ethtool tcpdump python3"
	local p st missing="" sudo=""
	for p in $pkgs; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
	done
	[ -z "$missing" ] && { echo "bench-deps: all installed"; return 0; }
	echo "bench-deps: installing$missing"
	[ "$(id -u)" != 0 ] && sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null || { echo "bench-deps: apt-get update failed" >&2; return 1; }
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ echo "bench-deps: apt-get install$missing failed" >&2; return 1; }
}

[ $# -ge 1 ] || { echo "usage: bench.sh TCPSCOPE | bench.sh --deps" >&2; exit 2; }
if [ "$1" = --deps ]; then
	install_deps
	exit
fi

bin=$1
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || die "$bin: not an executable"
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$top/../shared}
case $shared in /*) ;; *) shared=$PWD/$shared ;; esac
kit=$shared/bench

runs=${BENCH_RUNS:-5}
case $runs in ''|*[!0-9]*) die "BENCH_RUNS must be a number from 1 to 100" ;; esac
[ "$runs" -ge 1 ] && [ "$runs" -le 100 ] || die "BENCH_RUNS must be a number from 1 to 100"
limit=${BENCH_TIMEOUT:-900}
case $limit in ''|*[!0-9]*|0) die "BENCH_TIMEOUT must be a positive number of seconds" ;; esac
only=${BENCH_ONLY:-}
only=${only%.pcap}
case $only in ''|mix|manyflows|synflood|export|fanout|cost) ;;
*) die "BENCH_ONLY must be mix, manyflows, synflood, export, fanout or cost" ;; esac
# wants mix|manyflows|synflood: that capture is measured; wants_row
# mix|export|fanout: those rows of mix.pcap are.
wants() {
	[ -z "$only" ] || [ "$only" = "$1" ] ||
		{ [ "$1" = mix ] && { [ "$only" = export ] || [ "$only" = fanout ] ||
				      [ "$only" = cost ]; }; }
}
wants_row() { [ -z "$only" ] || [ "$only" = mix ] || [ "$only" = "$1" ]; }

if [ ! -f "$kit/build.sh" ] || [ ! -f "$kit/pcaploop.c" ]; then
	echo "bench: SKIP: no benchmark kit at $kit (set SHARED to the folder that holds bench/)"
	exit 0
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (package time; make deps)"

data=${BENCH_DATA:-$top/bench-data}
mkdir -p "$data" || die "cannot create $data"
data=$(cd "$data" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpscope-bench.XXXXXX") || die "mktemp failed"
making=""        # a capture being written: removed if it does not complete
fan_a="" fan_b="" fan_pid=""  # the fanout rows' namespaces and capture
cleanup() {
	[ -n "$making" ] && rm -f "$making"
	[ -n "$fan_pid" ] && kill "$fan_pid" 2>/dev/null
	[ -n "$fan_a" ] && ip netns del "$fan_a" 2>/dev/null
	[ -n "$fan_b" ] && ip netns del "$fan_b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- 1. the kit's programs (again only when missing or older than the kit)
stale=0
for p in pcaploop synflood gen_manyflows; do
	if [ ! -x "$data/$p" ] || [ "$kit/$p.c" -nt "$data/$p" ] || [ "$kit/build.sh" -nt "$data/$p" ]; then
		stale=1
	fi
done
if [ "$stale" = 1 ]; then
	echo "bench: building the kit into $data"
	if ! (cd "$top" && BENCH_DATA="$data" bash "$kit/build.sh") >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log" >&2
		die "building the kit failed (needs cc and libpcap-dev: make deps)"
	fi
fi

# --- 2. the captures, made once
have_mix=0 have_many=0 have_syn=0
if wants mix; then
	if [ -s "$data/mix.pcap" ]; then
		have_mix=1
	elif [ "$(id -u)" != 0 ]; then
		echo "bench: no mix.pcap, and only root can make it (gen-mix.sh needs network namespaces): going on without mix"
	else
		miss=""
		for t in ip tc nft tcpdump editcap capinfos ethtool python3; do
			command -v "$t" >/dev/null 2>&1 || miss="$miss $t"
		done
		if [ -n "$miss" ]; then
			echo "bench: no mix.pcap, and gen-mix.sh needs$miss (make bench-deps): going on without mix"
		else
			echo "bench: making mix.pcap with gen-mix.sh (real TCP between two namespaces; a few minutes)"
			making=$data/mix.pcap
			if (cd "$top" && BENCH_DATA="$data" bash "$kit/gen-mix.sh") >"$data/gen-mix.log" 2>&1 &&
			   [ -s "$data/mix.pcap" ]; then
				have_mix=1
			else
				rm -f "$data/mix.pcap"
				echo "bench: gen-mix.sh failed (see $data/gen-mix.log): going on without mix"
			fi
			making=""
		fi
	fi
fi
if wants manyflows; then
	if [ -s "$data/manyflows.pcap" ]; then
		have_many=1
	else
		echo "bench: making manyflows.pcap with gen-manyflows.sh"
		making=$data/manyflows.pcap
		if (cd "$top" && BENCH_DATA="$data" bash "$kit/gen-manyflows.sh") >"$data/gen-many.log" 2>&1 &&
		   [ -s "$data/manyflows.pcap" ]; then
			have_many=1
		else
			rm -f "$data/manyflows.pcap"
			echo "bench: gen-manyflows.sh failed (see $data/gen-many.log): going on without manyflows"
		fi
		making=""
	fi
fi
if wants synflood; then
	if [ -s "$data/synflood.pcap" ]; then
		have_syn=1
	else
		echo "bench: making synflood.pcap (2,000,000 SYNs)"
		making=$data/synflood.pcap.part
		if "$data/synflood" 2000000 "$making" && [ -s "$making" ] &&
		   mv "$making" "$data/synflood.pcap"; then
			have_syn=1
		else
			rm -f "$making"
			echo "bench: synflood failed: going on without synflood"
		fi
		making=""
	fi
fi
[ $((have_mix + have_many + have_syn)) -gt 0 ] || die "no capture to measure"

# --- 3. paired measurements
mkdir -p "$tmp/run" && cd "$tmp/run" || die "cannot enter $tmp/run"
db=$tmp/run/bench.db
notes=$tmp/notes
: >"$notes"
note() { echo "$*" >>"$notes"; }
failed=0

# run_one TAG OUT CMD...: runs CMD once under /usr/bin/time (and timeout),
# stdout to OUT, stderr to $tmp/TAG.err, the time line to $tmp/TAG.time.
# Sets wall_us (wall time in microseconds) and rss_kb; returns CMD's status.
run_one() {
	local tag=$1 out=$2 t0 t1 st e m
	shift 2
	t0=${EPOCHREALTIME:-}
	/usr/bin/time -f '%e %M' -o "$tmp/$tag.time" timeout "$limit" "$@" >"$out" 2>"$tmp/$tag.err"
	st=$?
	t1=${EPOCHREALTIME:-}
	e=$(tail -n 1 "$tmp/$tag.time" 2>/dev/null)
	m=${e##* } e=${e%% *}
	case $m in ''|*[!0-9]*) m=0 ;; esac
	rss_kb=$m
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		wall_us=$(( ${t1%.*}${t1#*.} - ${t0%.*}${t0#*.} ))
	else
		wall_us=$(awk -v e="${e:-0}" 'BEGIN { printf "%d", e * 1000000 }')
	fi
	return "$st"
}

fresh_db() { rm -f "$db" "$db-wal" "$db-shm" "$db-journal"; }

# Rows the import wrote, as users see them: connections, events, segments
# and transitions (tables up to schema version 2, views from version 3
# on, over the compact tables).
count_rows() {
	local tables t n sum=0
	command -v sqlite3 >/dev/null 2>&1 && [ -f "$db" ] || { echo -; return; }
	tables=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type IN ('table','view')
	         AND name IN ('connections','events','segments','transitions')" 2>/dev/null) ||
		{ echo -; return; }
	for t in $tables; do
		n=$(sqlite3 "$db" "SELECT COUNT(*) FROM \"$t\"" 2>/dev/null) || { echo -; return; }
		sum=$((sum + n))
	done
	echo "$sum"
}

# stats "V V ...": "median min max" of the numbers
stats() {
	# shellcheck disable=SC2086
	printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 }
	END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	      printf "%.6f %.6f %.6f\n", m, v[1], v[NR] }'
}

progress() { [ -t 2 ] && printf '\r%-78.78s\r' "$*" >&2; return 0; }

fmt='%-14s %-31s %13s %7s %7s %10s %10s %10s  %s\n'
row_failed() {  # CAP LABEL WHAT ERRFILE
	case $3 in
	"exit 124"|"pcaploop exit 124")
		printf "$fmt" "$1" "$2" "TIMEOUT" - - - - - ">${limit}s (BENCH_TIMEOUT)"
		note "$1 $2: one run took over $limit s: killed, row given up" ;;
	*)
		printf "$fmt" "$1" "$2" "FAILED" - - - - - "$3"
		note "$1 $2: $3: $(tail -n 3 "$4" | tr '\n' ' ')" ;;
	esac
	failed=1
}

packets=0 ref_ratio="" ref_rss=""
# measure CAPTURE LABEL TARGET DB CMD...
#   TARGET: "-", or words rN (ratio <= N), mN (peak RSS <= N MiB), read
#           (ratio and RSS no larger, give or take 5 %, than the row of
#           `tcpscope read -q` on the same capture: the import without the
#           report), peer (a reference, no goal)
#   DB:     db (fresh $db before each run of A, rows counted), none, or
#           export (A's output folder $tmp/run/pq emptied before each run,
#           rows = what A's stdout says it wrote)
measure() {
	local cap=$1 label=$2 target=$3 usedb=$4 file=$data/$1
	shift 4
	local i st wa ra wb ratios="" rsss="" walls="" med lo hi rss wmed rows pps rps shown verdict w n dbp
	local aout=/dev/null rowsl="" xrows=0
	[ "$usedb" = export ] && aout=$tmp/a.out
	progress "bench: $cap $label: warm-up"
	[ "$usedb" = db ] && fresh_db
	[ "$usedb" = export ] && rm -rf "$tmp/run/pq"
	run_one a "$aout" "$@" || { st=$?; progress ""; row_failed "$cap" "$label" "exit $st" "$tmp/a.err"; return; }
	run_one b "$tmp/b.out" "$data/pcaploop" -m hash "$file" ||
		{ st=$?; progress ""; row_failed "$cap" "$label" "pcaploop exit $st" "$tmp/b.err"; return; }
	packets=$(awk '{ for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }' "$tmp/b.out")
	i=1
	while [ "$i" -le "$runs" ]; do
		progress "bench: $cap $label: pair $i/$runs"
		[ "$usedb" = db ] && fresh_db
		[ "$usedb" = export ] && rm -rf "$tmp/run/pq"
		run_one a "$aout" "$@" || { st=$?; progress ""; row_failed "$cap" "$label" "exit $st" "$tmp/a.err"; return; }
		wa=$wall_us ra=$rss_kb
		if [ "$usedb" = export ]; then
			xrows=$(awk '$2 == "rows" { print $1; exit }' "$tmp/a.out")
			case $xrows in ''|*[!0-9]*) xrows=0 ;; esac
			rowsl="$rowsl $(awk -v r="$xrows" -v w="$wa" 'BEGIN { printf "%.0f", r / (w / 1e6) }')"
		fi
		run_one b "$tmp/b.out" "$data/pcaploop" -m hash "$file" ||
			{ st=$?; progress ""; row_failed "$cap" "$label" "pcaploop exit $st" "$tmp/b.err"; return; }
		wb=$wall_us
		[ "$wb" -gt 0 ] || wb=1
		ratios="$ratios $(awk -v a="$wa" -v b="$wb" 'BEGIN { printf "%.6f", a / b }')"
		rsss="$rsss $ra"
		walls="$walls $wa"
		i=$((i + 1))
	done
	progress ""
	# shellcheck disable=SC2046
	set -- $(stats "$ratios"); med=$1 lo=$2 hi=$3
	# shellcheck disable=SC2046
	set -- $(stats "$rsss"); rss=$1
	# shellcheck disable=SC2046
	set -- $(stats "$walls"); wmed=$1
	rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
	pps=$(awk -v p="${packets:-0}" -v w="$wmed" 'BEGIN { printf "%.0f", p / (w / 1e6) }')
	rows=- rps=-
	if [ "$usedb" = db ]; then
		rows=$(count_rows)
		[ "$rows" != - ] && rps=$(awk -v r="$rows" -v w="$wmed" 'BEGIN { printf "%.0f", r / (w / 1e6) }')
		dbp=$(sqlite3 "$db" 'SELECT SUM(packets) FROM captures' 2>/dev/null)
		if [ -n "$dbp" ] && [ -n "$packets" ] && [ "$dbp" != "$packets" ]; then
			note "$cap $label: the database counts $dbp packets, pcaploop $packets"
		fi
	elif [ "$usedb" = export ]; then
		rows=$xrows
		rps=$(awk -v r="$rows" -v w="$wmed" 'BEGIN { printf "%.0f", r / (w / 1e6) }')
		# shellcheck disable=SC2046
		set -- $(stats "$rowsl")
		note "$cap $label: $rows rows a run; rows/s $rps at the median time, $(printf %.0f "$2")-$(printf %.0f "$3") over the runs"
		pps=-
	fi
	if [ "$label" = "tcpscope read -q" ]; then
		ref_ratio=$med ref_rss=$rss
	fi
	# the target and whether it is met
	shown="" verdict=""
	for w in $target; do
		case $w in
		r[0-9]*) n=${w#r}; shown="$shown <=${n}x"
			awk -v a="$med" -v b="$n" 'BEGIN { exit !(a <= b) }' || verdict=MISS ;;
		m[0-9]*) n=${w#m}; shown="$shown <=${n}MiB"
			awk -v a="$rss" -v b="$n" 'BEGIN { exit !(a <= b) }' || verdict=MISS ;;
		read)	shown="$shown <=read-q"
			if [ -z "$ref_ratio" ]; then
				verdict="(no read -q row)"
			elif ! awk -v a="$med" -v b="$ref_ratio" -v c="$rss" -v d="$ref_rss" \
				'BEGIN { exit !(a <= b * 1.05 && c <= d * 1.05) }'; then
				verdict=MISS
			fi ;;
		peer)	shown=" peer" ;;
		esac
	done
	shown=${shown# }
	if [ -z "$shown" ]; then
		shown=-
	elif [ "$shown" != peer ]; then
		shown="$shown ${verdict:-ok}"
	fi
	printf "$fmt" "$cap" "$label" "$(printf %.2f "$med")" "$(printf %.2f "$lo")" \
		"$(printf %.2f "$hi")" "$rss" "$pps" "$rps" "$shown"
}

# The fanout rows (see the header): live --fanout 1 and 2 on a veth pair.
fanout_rows() {
	local f=$data/mix.pcap send=${PCAPSEND:-$top/build/tools/pcapsend} n i k pairs sent secs
	local got drops pps1="" pps2="" sc="" p d r t
	if [ "$(id -u)" != 0 ]; then
		echo "bench: SKIP fanout rows: not root (they need network namespaces)"
		return
	fi
	if [ ! -x "$send" ]; then
		echo "bench: SKIP fanout rows: no $send (make tools, or set PCAPSEND)"
		return
	fi
	fan_a=tcpscope-bench-a-$$ fan_b=tcpscope-bench-b-$$
	local va=tsbfa$$ vb=tsbfb$$ # at most 12 bytes (IFNAMSIZ: 15)
	if ! command -v ip >/dev/null 2>&1 || ! ip netns add "$fan_a" 2>/dev/null ||
	   ! ip netns add "$fan_b" ||
	   ! ip link add "$va" netns "$fan_a" type veth peer name "$vb" netns "$fan_b" ||
	   ! ip -n "$fan_a" link set "$va" mtu 65535 up ||
	   ! ip -n "$fan_b" link set "$vb" mtu 65535 up; then
		echo "bench: SKIP fanout rows: cannot make the namespaces and veth pair"
		return
	fi
	pairs=$runs
	[ "$pairs" -gt 3 ] && pairs=3
	local d1="" d2="" s1="" s2=""
	i=1
	while [ "$i" -le "$pairs" ]; do
		for n in 1 2; do
			progress "bench: mix.pcap live --fanout $n: pair $i/$pairs"
			rm -f "$tmp/run/fan.db"*
			# bounded by --duration (not timeout(1): it signals its
			# whole group too, and a second SIGINT ends a capture
			# that is writing its end)
			ip netns exec "$fan_b" "$bin" live -i "$vb" -s 96 --fanout "$n" \
				--duration 90 -d "$tmp/run/fan.db" >/dev/null 2>"$tmp/fan.err" &
			fan_pid=$!
			k=0
			while [ "$k" -lt 100 ] && ! grep -q "listening on" "$tmp/fan.err" 2>/dev/null; do
				sleep 0.1; k=$((k + 1))
			done
			t=$(ip netns exec "$fan_a" timeout 60 "$send" "$va" "$f" 30 2>"$tmp/send.err")
			sleep 1
			kill -INT "$fan_pid" 2>/dev/null
			wait "$fan_pid"
			r=$?
			fan_pid=""
			sent=$(echo "$t" | awk '{ print $2 }')
			secs=$(echo "$t" | awk '{ print $6 }')
			got=$(sqlite3 "$tmp/run/fan.db" "SELECT SUM(packets) || ' ' || SUM(kernel_drops) FROM captures" 2>/dev/null)
			drops=${got#* } got=${got% *}
			case "$r:$sent:$got:$drops:$secs" in
			0:[0-9]*:[0-9]*:[0-9]*:[0-9]*) ;;
			*)	progress ""
				row_failed mix.pcap "tcpscope live --fanout $n" "exit $r, sent '$sent', stored '$got'" \
					"$( [ -s "$tmp/send.err" ] && echo "$tmp/send.err" || echo "$tmp/fan.err")"
				return ;;
			esac
			p=$(awk -v g="$got" -v s="$secs" 'BEGIN { printf "%.0f", g / s }')
			d=$(awk -v d="$drops" -v s="$sent" 'BEGIN { printf "%.4f", s ? 100 * d / s : 0 }')
			if [ "$n" = 1 ]; then
				pps1="$pps1 $p" d1="$d1 $drops" s1="$s1 $d" p1=$p
			else
				pps2="$pps2 $p" d2="$d2 $drops" s2="$s2 $d"
				sc="$sc $(awk -v a="$p" -v b="$p1" 'BEGIN { printf "%.6f", (b > 0 ? a / b : 0) }')"
			fi
			note "mix.pcap live --fanout $n run $i: sent $sent in $secs s, stored $got, kernel drops $drops"
		done
		i=$((i + 1))
	done
	progress ""
	local med lo hi
	# shellcheck disable=SC2046
	set -- $(stats "$pps1"); p=$1
	# shellcheck disable=SC2046
	set -- $(stats "$d1"); d=$1
	# shellcheck disable=SC2046
	set -- $(stats "$s1")
	printf "$fmt" "mix.pcap(veth)" "tcpscope live --fanout 1" - - - - "$(printf %.0f "$p")" - \
		"- (drops $(printf %.0f "$d"), $(printf %.2f "$1")%)"
	# shellcheck disable=SC2046
	set -- $(stats "$sc"); med=$1 lo=$2 hi=$3
	# shellcheck disable=SC2046
	set -- $(stats "$pps2"); p=$1
	# shellcheck disable=SC2046
	set -- $(stats "$d2"); d=$1
	# shellcheck disable=SC2046
	set -- $(stats "$s2")
	printf "$fmt" "mix.pcap(veth)" "tcpscope live --fanout 2" "$(printf %.2f "$med")" \
		"$(printf %.2f "$lo")" "$(printf %.2f "$hi")" - "$(printf %.0f "$p")" - \
		"- (drops $(printf %.0f "$d"), $(printf %.2f "$1")%)"
	ip netns del "$fan_a" 2>/dev/null
	ip netns del "$fan_b" 2>/dev/null
	fan_a="" fan_b=""
}

have_tcptrace=0 have_argus=0
command -v tcptrace >/dev/null 2>&1 && have_tcptrace=1
command -v argus >/dev/null 2>&1 && have_argus=1
# The tracker's cost per packet, by callgrind (see the top).
cost_rows() {
	local f=$data/mix.pcap n=${BENCH_COST_PACKETS:-200000} out=$tmp/cg.out
	if ! command -v valgrind >/dev/null 2>&1 ||
	   ! command -v callgrind_annotate >/dev/null 2>&1; then
		echo "SKIP cost: valgrind is not installed"
		return 0
	fi
	fresh_db
	if ! timeout "$limit" valgrind --tool=callgrind --callgrind-out-file="$out" \
		"$bin" read -q -c "$n" -d "$db" "$f" >/dev/null 2>"$tmp/cg.err"; then
		row_failed mix.pcap "cost (callgrind)" "failed" "$tmp/cg.err"
		return 0
	fi
	callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null >"$tmp/cg.txt"
	awk -v n="$n" '
		function num(s) { gsub(",", "", s); return s + 0 }
		/PROGRAM TOTALS/ { total = num($1) }
		# a function'"'"'s own line: "IR ( PCT)  FILE:FN [BINARY]"
		$1 ~ /^[0-9,]+$/ && $0 !~ /=>/ {
			for (i = 2; i <= NF; i++)
				if ($i ~ /:(tc_feed|tc_an_segment|tc_machine_step|tc_cc_segment)$/) {
					fn = $i; sub(/.*:/, "", fn)
					if (!(fn in ir)) ir[fn] = num($1)
				}
		}
		END {
			if (!total || !ir["tc_feed"]) { print "cost: no figures"; exit 1 }
			printf "%-15s %-34s %10s %10s\n", "capture", "instructions per packet (" n ")", "", "of tc_feed"
			printf "%-15s %-34s %10.0f %9.1f%%\n", "mix.pcap", "tracker (tc_feed)", ir["tc_feed"] / n, 100
			printf "%-15s %-34s %10.0f %9.1f%%\n", "mix.pcap", "labels (tc_an_segment)", ir["tc_an_segment"] / n, 100 * ir["tc_an_segment"] / ir["tc_feed"]
			printf "%-15s %-34s %10.0f %9.1f%%\n", "mix.pcap", "states (tc_machine_step)", ir["tc_machine_step"] / n, 100 * ir["tc_machine_step"] / ir["tc_feed"]
			printf "%-15s %-34s %10.0f %9.1f%%\n", "mix.pcap", "transfer phase (tc_cc_segment)", ir["tc_cc_segment"] / n, 100 * ir["tc_cc_segment"] / ir["tc_feed"]
		}' "$tmp/cg.txt" || { note "cost: callgrind gave no figures"; failed=1; }
	fresh_db
}

peers() {  # CAPTURE
	local f=$data/$1
	if [ "$have_tcptrace" = 1 ]; then
		measure "$1" "tcptrace -l -n" peer none tcptrace -l -n "$f"
	else
		note "$1: tcptrace not installed (make bench-deps): no peer row"
	fi
	if [ "$have_argus" = 1 ]; then
		measure "$1" "argus -r -w /dev/null" peer none argus -r "$f" -w /dev/null
	else
		note "$1: argus not installed (make bench-deps): no peer row"
	fi
}

echo "bench: $runs pair(s) per row after a warm-up; ratio = wall time / \`pcaploop -m hash\` on the same file"
printf "$fmt" capture command "ratio(median)" min max maxrss_MiB pkts/s rows/s target
if [ "$have_mix" = 1 ]; then
	f=$data/mix.pcap
	ref_ratio="" ref_rss=""
	if [ -z "$only" ] || [ "$only" = mix ]; then
		measure mix.pcap "tcpscope read" r5 db "$bin" read -d "$db" "$f"
		measure mix.pcap "tcpscope read -q" - db "$bin" read -q -d "$db" "$f"
		measure mix.pcap "tcpscope read -q --segments" r8 db "$bin" read -q --segments -d "$db" "$f"
		measure mix.pcap "tcpscope flows -r --format json" read none "$bin" flows -r "$f" --format json
		peers mix.pcap
	fi
	if wants_row export; then
		# the database of the mix import, made once
		xdb=$tmp/run/export.db
		if "$bin" read -q -d "$xdb" "$f" >/dev/null 2>"$tmp/a.err"; then
			measure mix.pcap "tcpscope export --format parquet" - export \
				"$bin" export --format parquet -d "$xdb" "$tmp/run/pq"
		else
			row_failed mix.pcap "tcpscope export --format parquet" "import failed" "$tmp/a.err"
		fi
		rm -rf "$tmp/run/pq" "$xdb" "$xdb-wal" "$xdb-shm"
	fi
	wants_row fanout && fanout_rows
	wants_row cost && cost_rows
fi
if [ "$have_many" = 1 ]; then
	measure manyflows.pcap "tcpscope read" "r6 m64" db "$bin" read -d "$db" "$data/manyflows.pcap"
	peers manyflows.pcap
fi
if [ "$have_syn" = 1 ]; then
	measure synflood.pcap "tcpscope read" m128 db "$bin" read -d "$db" "$data/synflood.pcap"
fi
fresh_db
sed 's/^/note: /' "$notes"
exit "$failed"
