#!/bin/sh
# t_plot.sh - `tcpscope plot`, the SVG pictures of one connection:
#   - well-formed XML (xmllint), rendered by rsvg-convert to a PNG of the
#     size asked for (SKIP when either tool is absent);
#   - one mark per label: the elements of class "mark LABEL DIR" equal the
#     flow's counts in `flows -f json` (DIR the sender), the SACK elements
#     its sack_segments, the state elements its transitions, for every
#     connection of several captures of pcaps/;
#   - the same picture from -r, from a database (capture read again) and
#     from a database with stored segments, and on standard output;
#   - structural goldens: elements counted by class, tests/golden/plot/;
#   - escaping of a capture name holding markup and control characters;
#   - errors: one line on stderr, exit status, no file left behind;
#   - -r FILE FLOW EXPR: a BPF filter after FLOW picks the packets, of the
#     analysis and of the second reading alike; its errors as timeline's;
#   - bounded memory: a flow of 10x more segments costs no more peak RSS
#     (within a margin) and no more drawn data elements than pixels; a
#     flow of a million segments plots under a fixed peak-RSS cap, every
#     kind from the file, the tsg from both kinds of database.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh). With REGEN=1 it rewrites
# the goldens instead (a deliberate, reviewed act).
set -u
: "${TCPSCOPE:?}" "${TOP:?}"
BUILD=${BUILD:-$TOP/build}
GOLD=$TOP/tests/golden/plot
REGEN=${REGEN:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

have() { command -v "$1" >/dev/null 2>&1; }

# expect NAME RC ARGS...: runs tcpscope; the exit status must be RC; for a
# failure, stderr must be one line starting "tcpscope" and stdout empty.
expect() {
	name=$1 want=$2
	shift 2
	"$TCPSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want: $(head -c 300 "$tmp/err")"
		return 1
	fi
	if [ "$want" -ne 0 ]; then
		if [ -s "$tmp/out" ]; then
			fail "$name" "stdout not empty: $(head -c 200 "$tmp/out")"
			return 1
		fi
		if [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q '^tcpscope plot' "$tmp/err"; then
			fail "$name" "stderr is not one 'tcpscope plot...' line: $(head -c 300 "$tmp/err")"
			return 1
		fi
	fi
	pass "$name"
}

# The element classes of an SVG, one "COUNT CLASS" line each, sorted.
classes() {
	grep -o 'class="[^"]*"' "$1" | sed 's/^class="//; s/"$//' |
		sort | uniq -c | awk '{c=$1; $1=""; sub(/^ /, ""); print c, $0}'
}

# count FILE CLASS: elements whose class attribute is exactly CLASS.
count() {
	grep -c "class=\"$2\"" "$1"
}

P=$TOP/pcaps

# ---- Usage and errors ----------------------------------------------------
if "$TCPSCOPE" plot --help >"$tmp/out" 2>"$tmp/err" &&
   head -n 1 "$tmp/out" | grep -q '^usage: tcpscope plot' && [ ! -s "$tmp/err" ]; then
	pass help
else
	fail help "no usage on stdout with exit 0"
fi
expect bad-flag 2 plot --no-such-flag 1 -o "$tmp/x.svg"
expect bad-graph 2 plot -r "$P/real-loss.pcap" --graph pie 1 -o "$tmp/x.svg"
expect bad-direction 2 plot -r "$P/real-loss.pcap" --direction up 1 -o "$tmp/x.svg"
expect bad-size 2 plot -r "$P/real-loss.pcap" --size 10x10 1 -o "$tmp/x.svg"
expect no-output 2 plot -r "$P/real-loss.pcap" 1
expect no-flow-arg 2 plot -r "$P/real-loss.pcap" -o "$tmp/x.svg"
expect db-and-read 2 plot -d "$tmp/none.db" -r "$P/real-loss.pcap" 1 -o "$tmp/x.svg"
expect no-such-flow 5 plot -r "$P/real-loss.pcap" 99 -o "$tmp/nosuch.svg"
if [ -e "$tmp/nosuch.svg" ]; then
	fail no-such-flow-file "the output file was created"
else
	pass no-such-flow-file
fi
expect unwritable-output 1 plot -r "$P/real-loss.pcap" 1 -o "$tmp/no/such/dir/x.svg"
cp "$P/real-loss.pcap" "$tmp/self.pcap"
expect output-is-input 2 plot -r "$tmp/self.pcap" 1 -o "$tmp/self.pcap"
if cmp -s "$P/real-loss.pcap" "$tmp/self.pcap"; then
	pass output-is-input-kept
else
	fail output-is-input-kept "the capture was overwritten"
fi
expect missing-db 4 plot -d "$tmp/none.db" 1 -o "$tmp/x.svg"
[ -e "$tmp/none.db" ] && fail missing-db-created "the database was created"

# ---- Well-formed, renders at the size asked ------------------------------
"$TCPSCOPE" plot -r "$P/real-loss.pcap" 1 -o "$tmp/loss.svg" 2>"$tmp/err" ||
	fail plot-loss "$(cat "$tmp/err")"
if have xmllint; then
	bad=""
	for g in tsg throughput rtt window; do
		for d in c2s s2c both; do
			"$TCPSCOPE" plot -r "$P/real-loss.pcap" 1 --graph $g \
				--direction $d -o "$tmp/g.svg" 2>"$tmp/err" &&
				xmllint --noout "$tmp/g.svg" 2>>"$tmp/err" ||
				bad="$bad $g/$d"
		done
	done
	[ -z "$bad" ] && pass xml-well-formed || fail xml-well-formed "$bad: $(head -c 300 "$tmp/err")"
else
	skip xml-well-formed "xmllint not installed (apt-get install libxml2-utils)"
fi

# The window graph draws the congestion-window estimate: a line of class
# cwnd for the direction that sent data, named in the legend.
"$TCPSCOPE" plot -r "$P/real-loss.pcap" 1 --graph window -o "$tmp/w.svg" 2>"$tmp/err"
if grep -q 'class="cwnd c2s"' "$tmp/w.svg" && grep -q 'cwnd (estimate)' "$tmp/w.svg" &&
   ! grep -q 'not estimated' "$tmp/w.svg"; then
	pass window-cwnd
else
	fail window-cwnd "no cwnd line: $(grep -o 'class="cwnd[^"]*"' "$tmp/w.svg" | tr '\n' ' ')"
fi

# png_size FILE: "W H" of a PNG (IHDR, bytes 16-23, big-endian).
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4,
		$5*16777216+$6*65536+$7*256+$8}'
}
if have rsvg-convert; then
	for sz in 1024x640 800x500; do
		w=${sz%x*} h=${sz#*x}
		"$TCPSCOPE" plot -r "$P/real-loss.pcap" 1 --size "$sz" -o "$tmp/s.svg" &&
			rsvg-convert "$tmp/s.svg" -o "$tmp/s.png" 2>"$tmp/err"
		got=$(png_size "$tmp/s.png" 2>/dev/null)
		if [ "$got" = "$w $h" ]; then
			pass "png-size-$sz"
		else
			fail "png-size-$sz" "PNG is '$got': $(head -c 200 "$tmp/err")"
		fi
	done
else
	skip png-size "rsvg-convert not installed (apt-get install librsvg2-bin)"
fi

# ---- One mark per label, as the flow's JSON counts them ------------------
# label json-key pairs: the marks of class "mark LABEL DIR" equal DIR's key.
MAP="retransmission:retransmissions fin-retransmission:fin_retransmissions
fast-retransmission:fast_retransmissions
spurious-retransmission:spurious_retransmissions out-of-order:out_of_order
previous-segment-not-captured:lost_segments acked-unseen:acked_unseen
dup-ack:dup_acks zero-window:zero_windows zero-window-probe:zero_window_probes
zero-window-probe-ack:zero_window_probe_acks window-full:window_full
window-update:window_updates keep-alive:keepalives keep-alive-ack:keepalive_acks
capture-duplicate:capture_duplicates oversized-segment:oversized_segments
rst-out-of-window:rst_out_of_window rst-in-window-not-exact:rst_in_window_not_exact
data-after-fin:data_after_fin data-after-rst:data_after_rst
segment-after-close:segments_after_close data-on-syn:data_on_syn
bad-flags:bad_flags wscale-too-big:wscale_too_big wscale-unknown:wscale_unknown
time-went-back:time_went_back"

# check_counts NAME SVG JSON-LINE-FILE: compares every label, SACK and state.
check_counts() {
	name=$1 svg=$2 js=$3 why=""
	for d in c2s s2c; do
		o=$([ $d = c2s ] && echo s2c || echo c2s)
		for m in $MAP; do
			label=${m%%:*} key=${m#*:}
			want=$(jq -r ".$d.$key // 0" "$js")
			# A revision counts as its new label, but for one
			# (tcpscope-states(7)): a previous-segment-not-captured
			# revised into out-of-order is no longer counted.
			got=$(count "$svg" "mark $label $d")
			[ "$label" = out-of-order ] ||
				got=$((got + $(count "$svg" "mark $label $d revised")))
			[ "$got" = "$want" ] || why="$why $label/$d=$got(json $want)"
		done
		want=$(jq -r ".$d.syn_retransmissions // 0" "$js")
		got=$(( $(count "$svg" "mark syn-retransmission $d") + \
			$(count "$svg" "mark synack-retransmission $d") ))
		[ "$got" = "$want" ] || why="$why syn-retransmissions/$d=$got(json $want)"
		# SACK blocks are drawn in the space they acknowledge.
		want=$(jq -r ".$o.sack_segments // 0" "$js")
		got=$(count "$svg" "sack $d")
		[ "$got" = "$want" ] || why="$why sack/$d=$got(json $o $want)"
	done
	# Every mark within the range the data spans: no axis below zero
	# (a label drawn at a wrong number once stretched it to -1.5 GB).
	grep -q 'class="tick"[^>]*>-' "$svg" && why="$why y-axis-below-zero"
	want=$(jq -r '.transitions | length' "$js")
	got=$(( $(count "$svg" "state client") + $(count "$svg" "state server") ))
	[ "$got" = "$want" ] || why="$why state=$got(json $want)"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

if have jq; then
	for c in real-loss real-reorder real-zero-window real-keepalive \
		 real-rst-unseen real-simclose real-midstream real-ipv6 \
		 syn-loss-fast syn-loss-rto syn-reorder syn-zero-window \
		 syn-keepalive syn-retrans-syn-fin syn-seq-wrap syn-duplicates \
		 syn-rst-out-of-window syn-half-close; do
		f=$P/$c.pcap
		[ -f "$f" ] || { skip "counts-$c" "no $f"; continue; }
		"$TCPSCOPE" flows -r "$f" -f json >"$tmp/flows.json" 2>/dev/null
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			printf '%s\n' "$line" >"$tmp/one.json"
			id=$(jq -r .id "$tmp/one.json")
			if "$TCPSCOPE" plot -r "$f" "$id" --direction both \
				-o "$tmp/c.svg" 2>"$tmp/err"; then
				check_counts "counts-$c-$id" "$tmp/c.svg" "$tmp/one.json"
			else
				fail "counts-$c-$id" "plot failed: $(cat "$tmp/err")"
			fi
		done <"$tmp/flows.json"
		[ "$n" -gt 0 ] || fail "counts-$c" "no flow listed"
	done
	# The check can fail: a mark left out is seen.
	grep -v 'class="mark retransmission c2s"' "$tmp/loss.svg" >"$tmp/cut.svg"
	"$TCPSCOPE" flows -r "$P/real-loss.pcap" -f json >"$tmp/one.json"
	if check_counts x "$tmp/cut.svg" "$tmp/one.json" | grep -q '^FAIL'; then
		pass counts-detect-missing-mark
	else
		fail counts-detect-missing-mark "a removed mark was not noticed"
	fi
else
	skip counts "jq not installed"
fi

# ---- The same picture whatever the source --------------------------------
f=$P/real-loss.pcap
"$TCPSCOPE" read -q -d "$tmp/a.db" "$f" >/dev/null 2>&1 ||
	"$TCPSCOPE" read -d "$tmp/a.db" "$f" >/dev/null 2>&1
"$TCPSCOPE" read -d "$tmp/s.db" --segments "$f" >/dev/null 2>&1
"$TCPSCOPE" plot -r "$f" 1 -o "$tmp/r.svg" 2>/dev/null
"$TCPSCOPE" plot -d "$tmp/a.db" 1 -o "$tmp/d.svg" 2>"$tmp/err.d"
"$TCPSCOPE" plot -d "$tmp/s.db" 1 -o "$tmp/seg.svg" 2>"$tmp/err.s"
"$TCPSCOPE" plot -d "$tmp/s.db" 1 -o - >"$tmp/stdout.svg" 2>/dev/null
classes "$tmp/r.svg" >"$tmp/r.cls"
for v in d seg stdout; do
	if [ -s "$tmp/$v.svg" ] && classes "$tmp/$v.svg" | cmp -s - "$tmp/r.cls"; then
		pass "same-picture-$v"
	else
		fail "same-picture-$v" "$(cat "$tmp/err.d" "$tmp/err.s" 2>/dev/null | head -c 200)"
		classes "$tmp/$v.svg" 2>/dev/null | diff "$tmp/r.cls" - | head -n 5
	fi
done
if cmp -s "$tmp/seg.svg" "$tmp/stdout.svg"; then
	pass stdout-equals-file
else
	fail stdout-equals-file "-o - differs from -o FILE"
fi
# A database whose capture is gone (and no stored segments): one line.
cp "$f" "$tmp/moved.pcap"
"$TCPSCOPE" read -d "$tmp/m.db" "$tmp/moved.pcap" >/dev/null 2>&1
rm -f "$tmp/moved.pcap"
"$TCPSCOPE" plot -d "$tmp/m.db" 1 -o "$tmp/m.svg" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -e "$tmp/m.svg" ]; then
	pass capture-gone
else
	fail capture-gone "exit $rc, $(head -c 200 "$tmp/err")"
fi

# ---- -r FILE FLOW EXPR: a BPF filter, as flows -r and timeline -r --------
expect filter-needs-r 2 plot -d "$tmp/a.db" 1 tcp -o "$tmp/x.svg"
grep -q 'a filter expression after FLOW needs -r' "$tmp/err" &&
	pass filter-needs-r-message ||
	fail filter-needs-r-message "$(cat "$tmp/err")"
expect bad-filter 2 plot -r "$f" 1 tcp port -o "$tmp/x.svg"
grep -q "bad filter expression 'tcp port'" "$tmp/err" &&
	pass bad-filter-message || fail bad-filter-message "$(cat "$tmp/err")"
expect filter-no-flow 5 plot -r "$f" 1 udp -o "$tmp/x.svg"
# Every packet passes: the very same picture; an address pair too.
"$TCPSCOPE" plot -r "$f" 1 tcp port 8080 -o "$tmp/all.svg" 2>"$tmp/err"
"$TCPSCOPE" plot -r "$f" 10.202.2.1:40108 10.202.2.2:8080 tcp -o "$tmp/pair.svg" 2>>"$tmp/err"
if cmp -s "$tmp/r.svg" "$tmp/all.svg" && cmp -s "$tmp/r.svg" "$tmp/pair.svg"; then
	pass filter-all-packets
else
	fail filter-all-packets "$(head -c 200 "$tmp/err")"
fi
# Only the client's packets: its data, none of the server's ACKs (the
# file read again goes through the filter too), as the analysis saw it.
if "$TCPSCOPE" plot -r "$f" 1 src host 10.202.2.1 -o "$tmp/half.svg" 2>"$tmp/err"; then
	if [ "$(count "$tmp/half.svg" "data c2s")" -gt 0 ] &&
	   grep -q 'class="ack c2s" d=""' "$tmp/half.svg" &&
	   ! grep -q 'class="ack c2s" d=""' "$tmp/r.svg"; then
		pass filter-picks-packets
	else
		fail filter-picks-packets "$(count "$tmp/half.svg" "data c2s") data bars; ACK line: $(grep -o 'class="ack c2s" d="[^"]\{0,20\}' "$tmp/half.svg")"
	fi
else
	fail filter-picks-packets "$(head -c 200 "$tmp/err")"
fi

# ---- A one-packet flow, and an SYN-only one ------------------------------
"$TCPSCOPE" plot -r "$f" -c 1 1 -o "$tmp/one.svg" 2>"$tmp/err"
if [ -s "$tmp/one.svg" ] && { ! have xmllint || xmllint --noout "$tmp/one.svg"; } &&
   [ "$(count "$tmp/one.svg" "data c2s")" = 1 ]; then
	pass one-packet
else
	fail one-packet "$(head -c 200 "$tmp/err")"
fi

# ---- Escaping: a capture name with markup and control characters ----------
odd="$tmp/a&b<c>\"q'$(printf 'x\001\033y').pcap"
cp "$f" "$odd"
if "$TCPSCOPE" plot -r "$odd" 1 -o "$tmp/odd.svg" 2>"$tmp/err" &&
   { ! have xmllint || xmllint --noout "$tmp/odd.svg" 2>>"$tmp/err"; } &&
   grep -q 'a&amp;b&lt;c&gt;&quot;q&apos;xy\.pcap' "$tmp/odd.svg" &&
   ! LC_ALL=C grep -q "$(printf '[\001\033]')" "$tmp/odd.svg"; then
	pass escaping
else
	fail escaping "$(head -c 300 "$tmp/err")"
fi

# ---- Structural goldens ---------------------------------------------------
# name pcap flow args...
while read -r name pcap flow args; do
	case $name in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	if ! "$TCPSCOPE" plot -r "$P/$pcap" "$flow" $args -o "$tmp/gold.svg" 2>"$tmp/err"; then
		fail "golden-$name" "plot failed: $(cat "$tmp/err")"
		continue
	fi
	classes "$tmp/gold.svg" >"$tmp/gold.cls"
	if [ "$REGEN" = 1 ]; then
		cp "$tmp/gold.cls" "$GOLD/$name.classes"
		echo "wrote $GOLD/$name.classes"
	elif cmp -s "$tmp/gold.cls" "$GOLD/$name.classes"; then
		pass "golden-$name"
	else
		fail "golden-$name" "$(diff "$GOLD/$name.classes" "$tmp/gold.cls" | head -n 6 | tr '\n' ' ')"
	fi
done <"$GOLD/TESTLIST"

# ---- Bounded memory -------------------------------------------------------
gen=$BUILD/tools/pcapgen
if [ ! -x "$gen" ]; then
	skip bounded-memory "no $gen (make tools)"
elif [ ! -x /usr/bin/time ]; then
	skip bounded-memory "/usr/bin/time not installed (apt-get install time)"
else
	for n in 10000 100000; do
		PCAPGEN_SEGMENTS=$n "$gen" big-flow "$tmp/big$n.pcap" 2>/dev/null
	done
	"$TCPSCOPE" read -d "$tmp/big.db" --segments "$tmp/big100000.pcap" >/dev/null 2>&1
	"$TCPSCOPE" read -d "$tmp/small.db" --segments "$tmp/big10000.pcap" >/dev/null 2>&1
	# Under AddressSanitizer freed memory waits in a quarantine, which
	# grows with what was allocated, not with what is held: none then.
	rss() { # source..., prints peak RSS in KiB
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
		/usr/bin/time -f '%M' -o "$tmp/rss" "$TCPSCOPE" plot "$@" \
			-o "$tmp/big.svg" 2>/dev/null && cat "$tmp/rss"
	}
	for src in file db; do
		if [ $src = file ]; then
			a=$(rss -r "$tmp/big10000.pcap" 1)
			b=$(rss -r "$tmp/big100000.pcap" 1)
		else
			a=$(rss -d "$tmp/small.db" 1)
			b=$(rss -d "$tmp/big.db" 1)
		fi
		data=$(count "$tmp/big.svg" "data c2s")
		retx=$(count "$tmp/big.svg" "mark retransmission c2s")
		# 10x the segments: at most 8 MiB more (SQLite's cache and
		# the tracker's tables), and no more bars than pixel columns
		# plus the labelled segments.
		if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -le $((a + 8192)) ] &&
		   [ "$data" -le $((1024 + retx)) ] && [ "$retx" -ge 20 ]; then
			pass "bounded-memory-$src"
		else
			fail "bounded-memory-$src" "peak RSS ${a:-?} KiB for 10k segments, ${b:-?} KiB for 100k; $data data bars, $retx retransmission marks"
		fi
	done
fi
# A million segments (PLOT_BIG_SEGMENTS to change it), under a fixed cap:
# 32 MiB (measured: about 9), 128 under AddressSanitizer. Each run's time
# is printed as a note, not tested.
big=${PLOT_BIG_SEGMENTS:-1000000}
if [ ! -x "$gen" ] || [ ! -x /usr/bin/time ]; then
	skip million-segments "no $gen or /usr/bin/time"
elif ! PCAPGEN_SEGMENTS=$big "$gen" big-flow "$tmp/million.pcap" 2>/dev/null ||
     ! "$TCPSCOPE" read -q -d "$tmp/million.db" "$tmp/million.pcap" >/dev/null 2>&1 ||
     ! "$TCPSCOPE" read -q -d "$tmp/million-seg.db" --segments "$tmp/million.pcap" >/dev/null 2>&1; then
	fail million-segments "the capture of $big segments could not be made or read"
else
	rm -f "$tmp/big10000.pcap" "$tmp/big100000.pcap" "$tmp/big.db" "$tmp/small.db"
	cap=32768
	grep -q __asan_init "$TCPSCOPE" 2>/dev/null && cap=131072
	for run in "tsg -r $tmp/million.pcap" "throughput -r $tmp/million.pcap" \
		   "rtt -r $tmp/million.pcap" "window -r $tmp/million.pcap" \
		   "tsg -d $tmp/million.db" "tsg -d $tmp/million-seg.db"; do
		# shellcheck disable=SC2086
		set -- $run
		kind=$1 src=$2 file=$3
		name=million-segments-$kind-$(basename "$file" | tr . -)
		rm -f "$tmp/m.svg"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
		/usr/bin/time -f '%M %e' -o "$tmp/mt" "$TCPSCOPE" plot "$src" \
			"$file" --graph "$kind" 1 -o "$tmp/m.svg" 2>"$tmp/err"
		rc=$?
		kib=$(tail -n 1 "$tmp/mt" 2>/dev/null | cut -d ' ' -f 1)
		secs=$(tail -n 1 "$tmp/mt" 2>/dev/null | cut -d ' ' -f 2)
		case $kib in ''|*[!0-9]*) kib=0 ;; esac
		if [ $rc -eq 0 ] && [ -s "$tmp/m.svg" ] && [ "${kib:-0}" -gt 0 ] &&
		   [ "$kib" -le $cap ] && grep -q '</svg>' "$tmp/m.svg"; then
			pass "$name"
			echo "# plot --graph $kind $src $(basename "$file"), $big segments: $kib KiB peak, $secs s"
		else
			fail "$name" "exit $rc, peak ${kib:-?} KiB (cap $cap): $(head -c 200 "$tmp/err")"
		fi
	done
	# Bars: no more than the pixel columns, plus the labelled segments.
	"$TCPSCOPE" plot -d "$tmp/million-seg.db" 1 -o "$tmp/m.svg" 2>/dev/null
	data=$(count "$tmp/m.svg" "data c2s")
	retx=$(count "$tmp/m.svg" "mark retransmission c2s")
	if [ "$data" -le $((1024 + retx)) ] && [ "$retx" -ge 100 ]; then
		pass million-segments-bars
	else
		fail million-segments-bars "$data data bars, $retx retransmission marks"
	fi
fi
