#!/bin/sh
# t_read.sh - `tcpscope read`: every capture of the shared corpus without a
# crash and with the right packet count, damaged and missing inputs, several
# files in one run, stdin, BPF filters, duplicate imports, bad flags.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}"
SHARED=${SHARED:-}
P=${SHARED:+$SHARED/pcaps}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
q() { sqlite3 "$1" "$2" 2>&1; } # db, sql

# run NAME EXPECTED_RC ARGS... : runs tcpscope, keeps stdout/stderr/rc.
run() {
	name=$1 want=$2
	shift 2
	"$TCPSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want: $(head -c 300 "$tmp/err")"
		return 1
	fi
	if grep -q -e 'Sanitizer' -e 'runtime error' "$tmp/err"; then
		fail "$name" "sanitizer report: $(head -n 3 "$tmp/err")"
		return 1
	fi
	return 0
}

have_corpus=0
if [ -n "$P" ] && [ -f "$P/MANIFEST.tsv" ]; then
	have_corpus=1
fi

# ---- Flags and usage (no corpus needed) -----------------------------------
run bad-flag 2 read --no-such-flag x.pcap && pass bad-flag
run bad-msl 2 read --msl abc /dev/null && pass bad-msl
run bad-max-conns 2 read --max-conns -5 /dev/null && pass bad-max-conns
run no-files 2 read -d "$tmp/x.db" && pass no-files
run help 0 read --help && grep -q 'usage: tcpscope read' "$tmp/out" &&
	pass help

# ---- Missing file, not a capture, bad database ----------------------------
if run missing-file 3 read -d "$tmp/m.db" "$tmp/does-not-exist.pcap"; then
	if grep -q "^tcpscope read: $tmp/does-not-exist.pcap: No such file" "$tmp/err"; then
		pass missing-file
	else
		fail missing-file "message: $(cat "$tmp/err")"
	fi
fi
printf 'this is not a capture file\n' >"$tmp/notcap.pcap"
if run not-a-capture 3 read -d "$tmp/m.db" "$tmp/notcap.pcap"; then
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	   grep -q "^tcpscope read: $tmp/notcap.pcap: unknown file format" "$tmp/err"; then
		pass not-a-capture
	else
		fail not-a-capture "message: $(cat "$tmp/err")"
	fi
fi

if [ $have_corpus -eq 0 ]; then
	echo "SKIP corpus: \$SHARED/pcaps not found (SHARED=${SHARED:-unset})"
	exit 0
fi

GET="$P/zeek-http-get.pcap"
S_FILE="$P/zeek-tcp-syn.pcap"
run bad-db 4 read -d "$tmp/no/such/dir/x.db" "$GET" && pass bad-db

# ---- The whole corpus: no crash, right exit code, right packet count ------
db="$tmp/corpus.db"
tail -n +2 "$P/MANIFEST.tsv" | cut -f1,10 >"$tmp/manifest"
while IFS="$(printf '\t')" read -r f pk; do
	case "$f" in
	libpcap-pcap-invalid-version-1.pcap | libpcap-shb-option-too-long.pcapng | \
	suricata-verify-bug-6875-01-fuzz.pcap | suricata-verify-http-mime-truncated.pcap)
		want=3 ;;
	*) want=0 ;;
	esac
	run "corpus:$f" $want read -q -d "$db" "$P/$f" || continue
	if [ $want -eq 3 ] && ! grep -q "^tcpscope read: $P/$f: " "$tmp/err"; then
		fail "corpus:$f" "no 'tcpscope read: FILE: problem' line: $(cat "$tmp/err")"
		continue
	fi
	case "$pk" in
	'' | *[!0-9]*) pass "corpus:$f"; continue ;;
	esac
	got=$(q "$db" "SELECT packets FROM captures WHERE path = '$P/$f'")
	if [ "$got" = "$pk" ]; then
		pass "corpus:$f"
	else
		fail "corpus:$f" "packets $got, MANIFEST says $pk"
	fi
done <"$tmp/manifest"

# The file that ends mid-record: everything before the damage is stored,
# the capture row says what went wrong.
T="$P/suricata-verify-http-mime-truncated.pcap"
row=$(q "$db" "SELECT complete, tcp_segments > 0, error LIKE '%truncated%' FROM captures WHERE path = '$T'")
conns=$(q "$db" "SELECT count(*) FROM connections c JOIN captures p ON p.id = c.capture_id WHERE p.path = '$T'")
if [ "$row" = "1|1|1" ] && [ "$conns" -gt 0 ]; then
	pass truncated-corpus-file-stored
else
	fail truncated-corpus-file-stored "row '$row', $conns connections"
fi

# pcapng with interfaces of different link types (libpcap 1.10 refuses).
for f in pcapplusplus-pcapng-example.pcapng:EN10MB,LINUX_SLL \
	 pcapplusplus-many_interfaces-1.pcapng:EN10MB,NULL,RAW; do
	name=${f%%:*} lt=${f#*:}
	got=$(q "$db" "SELECT linktypes FROM captures WHERE path = '$P/$name'")
	if [ "$got" = "$lt" ]; then pass "mixed-linktypes:$name"
	else fail "mixed-linktypes:$name" "linktypes '$got', expected '$lt'"; fi
done

# ---- A capture truncated here with head -c ---------------------------------
head -c 3000 "$GET" >"$tmp/cut.pcap"
if run truncated-file 3 read -d "$tmp/t.db" "$tmp/cut.pcap"; then
	row=$(q "$tmp/t.db" "SELECT packets, error IS NOT NULL FROM captures")
	if grep -q "^tcpscope read: $tmp/cut.pcap: truncated dump file" "$tmp/err" &&
	   [ "$row" = "6|1" ] && grep -q '^  packets  *6$' "$tmp/out"; then
		pass truncated-file
	else
		fail truncated-file "row '$row', stderr: $(cat "$tmp/err")"
	fi
fi

# ---- An unsupported link type: named, EX_INPUT, the other files still read --
{ head -c 20 "$GET"; printf '\151\000\000\000'; tail -c +25 "$GET"; } >"$tmp/wifi.pcap"
if run unsupported-link 3 read -d "$tmp/u.db" "$tmp/wifi.pcap" "$S_FILE"; then
	n=$(q "$tmp/u.db" 'SELECT count(*) FROM captures')
	if grep -q "^tcpscope read: $tmp/wifi.pcap: unsupported link type IEEE802_11 " "$tmp/err" &&
	   [ "$n" = 1 ]; then
		pass unsupported-link
	else
		fail unsupported-link "$n capture rows: $(cat "$tmp/err")"
	fi
fi

# ---- Per-capture printout ------------------------------------------------
if run printout 0 read -d "$tmp/p.db" "$GET"; then
	# First and last packet per tcpdump -tt: 1362692526.869344,
	# 1362692527.080972 (2013-03-07 21:42 UTC).
	if grep -q '^  link types  *EN10MB$' "$tmp/out" &&
	   grep -q '^  packets  *14$' "$tmp/out" &&
	   grep -q '^  tcp segments  *14$' "$tmp/out" &&
	   grep -q '^  first  *2013-03-07T21:42:06.869344000Z$' "$tmp/out" &&
	   grep -q '^  last  *2013-03-07T21:42:07.080972000Z$' "$tmp/out" &&
	   grep -q '^  connections  *1$' "$tmp/out"; then
		pass printout
	else
		fail printout "$(cat "$tmp/out")"
	fi
fi

# ---- Duplicate import, --replace ---------------------------------------------
if run duplicate 0 read -d "$tmp/p.db" "$GET"; then
	if grep -q "^tcpscope read: $GET: already imported (use --replace)$" "$tmp/err" &&
	   [ "$(q "$tmp/p.db" 'SELECT count(*) FROM captures')" = 1 ]; then
		pass duplicate
	else
		fail duplicate "stderr: $(cat "$tmp/err")"
	fi
fi
# Asking for segments an earlier import did not keep is not "done": the
# message says how to get them, the exit status is 2, nothing changes.
if run segments-not-kept 2 read --segments -d "$tmp/p.db" "$GET"; then
	if grep -q "^tcpscope read: $GET: already imported as capture 1 without --segments (use --replace to import it again with them)$" "$tmp/err" &&
	   [ "$(q "$tmp/p.db" 'SELECT count(*) FROM captures')" = 1 ] &&
	   [ "$(q "$tmp/p.db" 'SELECT count(*) FROM segment_chunks')" = 0 ]; then
		pass segments-not-kept
	else
		fail segments-not-kept "stderr: $(cat "$tmp/err")"
	fi
fi
if run replace 0 read --replace -d "$tmp/p.db" "$GET"; then
	n=$(q "$tmp/p.db" 'SELECT count(*) FROM captures WHERE complete = 1')
	c=$(q "$tmp/p.db" 'SELECT count(*) FROM connections')
	if [ "$n" = 1 ] && [ "$c" = 1 ]; then pass replace
	else fail replace "$n captures, $c connections"; fi
fi

# ---- Several files in one run: one capture row and one tracker each ----------
S="$P/zeek-tcp-syn.pcap"
if run several-files 0 read -d "$tmp/s.db" "$GET" "$S"; then
	n=$(q "$tmp/s.db" 'SELECT count(DISTINCT capture_id) FROM connections')
	k=$(grep -c '^capture [0-9]*: ' "$tmp/out")
	if [ "$n" = 2 ] && [ "$k" = 2 ]; then pass several-files
	else fail several-files "$n captures with connections, $k printed"; fi
fi
# The same file twice in one run: the second is a duplicate, not an error.
if run same-file-twice 0 read -d "$tmp/s2.db" "$GET" "$GET" &&
   grep -q 'already imported' "$tmp/err"; then
	pass same-file-twice
fi

# ---- stdin --------------------------------------------------------------------
cat "$GET" | "$TCPSCOPE" read -d "$tmp/i.db" - >"$tmp/out" 2>"$tmp/err"
rc=$?
row=$(q "$tmp/i.db" "SELECT path, packets, sha256 IS NULL FROM captures")
if [ $rc -eq 0 ] && [ "$row" = "-|14|1" ]; then pass stdin
else fail stdin "exit $rc, row '$row': $(cat "$tmp/err")"; fi

# A pcapng stream on stdin (our reader: the interfaces may be mixed).
M="$P/pcapplusplus-many_interfaces-1.pcapng"
cat "$M" | "$TCPSCOPE" read -q -d "$tmp/i2.db" - 2>"$tmp/err"
rc=$?
row=$(q "$tmp/i2.db" "SELECT packets, linktypes FROM captures")
if [ $rc -eq 0 ] && [ "$row" = "64|EN10MB,NULL,RAW" ]; then pass stdin-pcapng
else fail stdin-pcapng "exit $rc, row '$row': $(cat "$tmp/err")"; fi
: | "$TCPSCOPE" read -q -d "$tmp/i3.db" - 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ] && grep -q '^tcpscope read: -: empty input$' "$tmp/err"; then
	pass stdin-empty
else
	fail stdin-empty "exit $rc: $(cat "$tmp/err")"
fi

# ---- BPF filters ----------------------------------------------------------
if run filter-match 0 read -d "$tmp/f1.db" "$GET" tcp port 80; then
	row=$(q "$tmp/f1.db" 'SELECT packets, tcp_segments FROM captures')
	if [ "$row" = "14|14" ] && grep -q '^  filtered out  *0$' "$tmp/out"; then
		pass filter-match
	else
		fail filter-match "row '$row'"
	fi
fi
if run filter-none 0 read -d "$tmp/f2.db" "$GET" "$S" tcp port 9999; then
	row=$(q "$tmp/f2.db" 'SELECT group_concat(tcp_segments) FROM captures')
	c=$(q "$tmp/f2.db" 'SELECT count(*) FROM connections')
	if [ "$row" = "0,0" ] && [ "$c" = 0 ] &&
	   grep -q '^  filtered out  *14$' "$tmp/out"; then
		pass filter-none
	else
		fail filter-none "tcp_segments '$row', $c connections"
	fi
fi
# Only the client's segments: the record numbers stay the file's.
if run filter-numbering 0 read --segments -d "$tmp/f3.db" "$GET" "tcp dst port 80"; then
	first=$(q "$tmp/f3.db" 'SELECT min(pkt) FROM segments')
	n=$(q "$tmp/f3.db" 'SELECT count(*) FROM segments')
	if [ "$first" = 1 ] && [ "$n" -gt 0 ] && [ "$n" -lt 14 ]; then
		pass filter-numbering
	else
		fail filter-numbering "first pkt '$first', $n segments"
	fi
fi
run bad-filter 2 read -d "$tmp/f4.db" "$GET" tcp port && {
	if grep -q "bad filter expression 'tcp port'" "$tmp/err" &&
	   [ ! -s "$tmp/out" ]; then pass bad-filter
	else fail bad-filter "$(cat "$tmp/err")"; fi
}
# A missing second file would be taken for a filter; say it is missing.
if run missing-second-file 3 read -d "$tmp/f5.db" "$GET" "$tmp/nope.pcap"; then
	if grep -q "^tcpscope read: $tmp/nope.pcap: No such file" "$tmp/err"; then
		pass missing-second-file
	else
		fail missing-second-file "$(cat "$tmp/err")"
	fi
fi
# Options may come after the files and the filter (as with tcpdump), never
# taken for a filter word; after "--" nothing is an option.
if run option-after-files 0 read "$GET" 'tcp[13] & 2 != 0' -d "$tmp/f7.db" -q; then
	if [ ! -s "$tmp/out" ] &&
	   [ "$(q "$tmp/f7.db" "SELECT packets, tcp_segments FROM captures")" = "14|2" ]; then
		pass option-after-files
	else fail option-after-files "$(cat "$tmp/out" "$tmp/err")"; fi
fi
if run double-dash-ends-options 2 read -q -d "$tmp/f8.db" -- "$GET" -x; then
	if grep -q "^tcpscope read: bad filter expression '-x'" "$tmp/err"; then
		pass double-dash-ends-options
	else fail double-dash-ends-options "$(cat "$tmp/err")"; fi
fi
# A capture given as a FIFO by name is read once (no hash pass first).
# Bounded: were it opened twice, the second open would block for ever.
mkfifo "$tmp/fifo"
cat "$GET" >"$tmp/fifo" &
writer=$!
timeout 20 "$TCPSCOPE" read -q -d "$tmp/fifo.db" "$tmp/fifo" 2>"$tmp/err"
rc=$?
kill "$writer" 2>/dev/null
row=$(q "$tmp/fifo.db" "SELECT packets, sha256 IS NULL FROM captures")
if [ $rc -eq 0 ] && [ "$row" = "14|1" ]; then pass fifo
else fail fifo "exit $rc, row '$row': $(cat "$tmp/err")"; fi

# A filter on a multi-link-type pcapng, compiled per link type.
if run filter-mixed 0 read -q -d "$tmp/f6.db" "$P/pcapplusplus-many_interfaces-1.pcapng" tcp; then
	row=$(q "$tmp/f6.db" 'SELECT packets, non_tcp FROM captures')
	if [ "$row" = "64|0" ]; then pass filter-mixed
	else fail filter-mixed "row '$row'"; fi
fi
# ---- --jobs: files imported at once in processes of their own ---------------
# The same printout, messages, exit status and database as one after the
# other: a duplicate and a damaged file among them; again
# with --replace (ids move as sequentially); the temporary directory is
# gone afterwards.
T2=$TOP/pcaps
files="$T2/demo.pcap $T2/real-loss.pcap $T2/syn-truncated-file.pcap $T2/real-reorder.pcap $T2/demo.pcap $T2/real-zero-window.pcap"
# shellcheck disable=SC2086
"$TCPSCOPE" read -d "$tmp/j1.db" $files >"$tmp/j1.out" 2>"$tmp/j1.err"; r1=$?
# shellcheck disable=SC2086
"$TCPSCOPE" read --jobs 3 -d "$tmp/j2.db" $files >"$tmp/j2.out" 2>"$tmp/j2.err"; r2=$?
sed -i "s|$tmp/j[12].db|DB|" "$tmp/j1.out" "$tmp/j2.out"
dumpj() {
	q "$1" "SELECT id, path, sha256, packets, conn_base FROM captures ORDER BY id;
		SELECT id, capture_id, client_port, close, history, transition_list
		FROM connections ORDER BY id; SELECT count(*) FROM label_events"
}
if [ $r1 = $r2 ] && [ $r1 != 0 ] && cmp -s "$tmp/j1.out" "$tmp/j2.out" &&
   cmp -s "$tmp/j1.err" "$tmp/j2.err" &&
   [ "$(dumpj "$tmp/j1.db")" = "$(dumpj "$tmp/j2.db")" ] &&
   ! ls -d "$tmp"/.tcpscope-jobs-* >/dev/null 2>&1; then
	pass jobs-as-sequential
else
	fail jobs-as-sequential "exit $r1/$r2: $(diff "$tmp/j1.out" "$tmp/j2.out" | head -3 | tr '\n' '|') $(diff "$tmp/j1.err" "$tmp/j2.err" | head -3 | tr '\n' '|')"
fi
"$TCPSCOPE" read -q --replace -d "$tmp/j1.db" "$T2/demo.pcap" "$T2/real-loss.pcap" >/dev/null 2>&1
"$TCPSCOPE" read -q --replace -j 2 -d "$tmp/j2.db" "$T2/demo.pcap" "$T2/real-loss.pcap" >/dev/null 2>&1
if [ "$(dumpj "$tmp/j1.db")" = "$(dumpj "$tmp/j2.db")" ] &&
   [ "$(q "$tmp/j2.db" "SELECT count(*) FROM captures")" = 5 ]; then
	pass jobs-replace
else
	fail jobs-replace "$(dumpj "$tmp/j2.db" | head -5 | tr '\n' '|')"
fi
if run jobs-bad-value 2 read -j 0 -d "$tmp/j3.db" "$GET"; then pass jobs-bad-value; fi
# Nothing imported with --jobs into a new database: no database left.
if run jobs-nothing-no-db 3 read -j 2 -d "$tmp/j4.db" "$TOP/README.md" "$TOP/Makefile"; then
	if [ -e "$tmp/j4.db" ]; then fail jobs-nothing-no-db "$tmp/j4.db left"
	else pass jobs-nothing-no-db; fi
fi
exit 0
