#!/bin/sh
# t_tui.sh - `tcpscope tui` driven through tmux: the flow list, the ladder
# (both state columns, arrows both ways, anomalies), the events-only
# ladder, the graph view (p: braille or ASCII, zoom, pan, direction,
# resize, an empty flow, one packet, 100k segments),
# help, filter, sort, resize, live reload keeping the selection,
# monochrome under NO_COLOR, and a sane terminal after quitting. Also the
# errors that must happen before the screen is touched.
#
# Databases: a fixture whose schema `tcpscope read` created (from an empty
# capture), filled by tests/tui-fixture.sql (known rows) with the sqlite3
# CLI, and,
# when the capture is there, one built by `tcpscope read --segments` from
# $SHARED/pcaps/zeek-http-get.pcap.
#
# tmux runs on a private socket (-S, in the temporary directory) so nothing
# else's sessions are seen or touched; the trap kills that server. Every
# wait is bounded.
set -u
: "${TCPSCOPE:?}" "${TOP:?}"
SHARED=${SHARED:-$TOP/../shared}

for t in tmux sqlite3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIP tui: $t is not installed"
		exit 0
	fi
done

tmp=$(mktemp -d)
sess="tcps-tui-$$-0"
starts=0
tm() { tmux -S "$tmp/tmux.sock" "$@"; }
cleanup() {
	tm kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

screen() { tm capture-pane -p -t "$sess" > "$tmp/screen" 2>/dev/null; }

# wait_for PATTERN [TRIES]: polls the screen (0.1 s apart) until an
# extended regexp matches. Returns 1 when it never does.
wait_for() {
	n=${2:-50}
	while [ "$n" -gt 0 ]; do
		screen
		grep -Eq -- "$1" "$tmp/screen" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_gone PATTERN: polls until the pattern is no longer on screen.
wait_gone() {
	n=50
	while [ "$n" -gt 0 ]; do
		screen
		grep -Eq -- "$1" "$tmp/screen" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# check NAME PATTERN...: PASS when every pattern is on the screen. Polls
# (bounded), since tmux may show a repaint half done.
check() {
	name=$1
	shift
	n=30
	while :; do
		missing=""
		for p in "$@"; do
			if ! grep -Eq -- "$p" "$tmp/screen"; then
				missing=$p
				break
			fi
		done
		[ -z "$missing" ] && { pass "$name"; return 0; }
		n=$((n - 1))
		[ "$n" -gt 0 ] || break
		sleep 0.1
		screen
	done
	fail "$name" "'$missing' not on screen: $(head -n 14 "$tmp/screen" | tr -s ' ' | tr '\n' '|')"
	return 1
}

# start DB [ENV]: runs the TUI in a fresh 120x40 session. After it exits
# the shell prints its status and the terminal's echo/icanon modes.
start() {
	old_sess=$sess
	starts=$((starts + 1))
	sess="tcps-tui-$$-$starts"
	tm new-session -d -s "$sess" -x 120 -y 40 \
		"env ${2:-TCPS_X=1} '$TCPSCOPE' tui -d '$1' --refresh 0.2; \
		 echo TUI-EXITED rc=\$?; stty -a | tr ' ;' '\\n\\n' | \
		 grep -E '^-?(echo|icanon)\$' | tr '\\n' ' '; echo; sleep 120"
	# The old session goes after the new one exists: a server with no
	# session left exits, and would race with the next new-session.
	tm kill-session -t "$old_sess" >/dev/null 2>&1
}

key() { tm send-keys -t "$sess" "$@"; }

# ---- Errors before initscr ----------------------------------------------

"$TCPSCOPE" tui -d "$tmp/missing.db" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && [ ! -e "$tmp/missing.db" ] &&
	[ ! -s "$tmp/out" ]; then
	pass tui-missing-db
else
	fail tui-missing-db "rc=$rc (want 4), stderr '$(cat "$tmp/err")', created=$([ -e "$tmp/missing.db" ] && echo yes || echo no)"
fi

echo "not a database at all" > "$tmp/junk.db"
"$TCPSCOPE" tui -d "$tmp/junk.db" </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && pass tui-not-sqlite ||
	fail tui-not-sqlite "rc=$rc (want 4), stderr '$(cat "$tmp/err")'"

sqlite3 "$tmp/other.db" 'CREATE TABLE t(a);'
"$TCPSCOPE" tui -d "$tmp/other.db" </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && grep -q 'not a tcpscope database' "$tmp/err" && pass tui-not-tcpscope-db ||
	fail tui-not-tcpscope-db "rc=$rc (want 4), stderr '$(cat "$tmp/err")'"

# The fixture is written in the shape of schema version 2 into a database
# the store created at that version; the store's own migration then brings
# it to the current version.
db="$tmp/fixture.db"
if ! "$BUILD/tools/store_stress" create "$db" 2 >"$tmp/out" 2>&1 ||
	! sqlite3 "$db" < "$TOP/tests/tui-fixture.sql" >/dev/null ||
	! "$BUILD/tools/store_stress" create "$db" 11 >"$tmp/out" 2>&1; then
	fail tui-fixture "could not build the fixture database: $(head -c 300 "$tmp/out")"
	exit 1
fi

"$TCPSCOPE" tui -d "$db" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'not a terminal' "$tmp/err" && pass tui-not-a-terminal ||
	fail tui-not-a-terminal "rc=$rc (want 2), stderr '$(cat "$tmp/err")'"

"$TCPSCOPE" tui -d "$db" --refresh nope </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && pass tui-bad-refresh || fail tui-bad-refresh "rc=$rc (want 2)"

# ---- The fixture --------------------------------------------------------

start "$db"
if wait_for '10\.0\.0\.3:5555'; then
	check tui-list-rows \
		'^ +1 10\.0\.0\.1:43210 +10\.0\.0\.2:80 +fin +SF +TIME-WAIT +CLOSED +10 ' \
		'^ +2 10\.0\.0\.3:5555 +10\.0\.0\.2:22 +reset +RSTO +CLOSED +CLOSED ' \
		'CLIENT-ST +SERVER-ST' '2 flows' '1/2 '
else
	fail tui-list-rows "the list never showed: $(tr -s ' ' < "$tmp/screen" | head -n 5 | tr '\n' '|')"
fi

# The ladder of flow 1: both columns, arrows both ways, the labels.
key Enter
if wait_for 'flow 1 +10\.0\.0\.1:43210 -> 10\.0\.0\.2:80'; then
	check tui-ladder-header 'close fin +handshake 3way +conn_state SF +history ShADadFf' \
		'RTT handshake 20\.000ms' 'seq/ack relative'
	check tui-ladder-states \
		'initial +CLOSED .*│ LISTEN' \
		'^ +0\.000 +SYN-SENT │-+ S seq=0 win=64240 len=0 -+>│ SYN-RECEIVED' \
		'^ +10\.000 +ESTABLISHED │<-+ SA seq=0 ack=1 win=65160 len=0 -+│ SYN-RECEIVED' \
		'^ +20\.000 +ESTABLISHED │-+ A seq=1 ack=1 .*>│ ESTABLISHED' \
		'FIN-WAIT-1 │-+ FA seq=101 ack=1001 .*>│ CLOSE-WAIT' \
		'FIN-WAIT-2 │<-+ A seq=1001 ack=102 .*│ CLOSE-WAIT' \
		'TIME-WAIT │<-+ FA seq=1001 .*│ LAST-ACK' \
		'TIME-WAIT │-+ A seq=102 ack=1002 .*->│ CLOSED'
	check tui-ladder-anomaly '^ +130\.000 .*PA seq=1 ack=1 win=502 len=100 \[retransmission\] -+>│'
else
	fail tui-ladder "Enter did not open the ladder"
fi

# Colour: the anomaly is red, the changed state green (tmux -e keeps SGR).
tm capture-pane -e -p -t "$sess" > "$tmp/color"
if grep -q "$(printf '\033')\[31m\[retransmission\]" "$tmp/color" &&
	grep -q "$(printf '\033')\[32m *SYN-SENT" "$tmp/color"; then
	pass tui-colors
else
	fail tui-colors "no red anomaly / green transition in the escape codes"
fi

# ]: the next flow, which has no segments: events and transitions only.
key ']'
if wait_for 'flow 2 +10\.0\.0\.3:5555'; then
	check tui-ladder-events-only 'no segments stored' \
		'SYN-SENT │ +packet #11 +│ SYN-RECEIVED' \
		'ESTABLISHED │-+ #13 seq=900 ack=201 win=1024 len=0 \[dup-ack\] -+>│ ESTABLISHED' \
		'CLOSED │<-+ #14 .*\[zero-window\] -+│ CLOSED'
else
	fail tui-ladder-events-only "] did not move to flow 2"
fi

# Scrolling: in 12 lines the ladder of flow 1 (11 rows) shows 7 at once.
key '['
wait_for 'flow 1 ' >/dev/null
tm resize-window -t "$sess" -x 100 -y 12
if wait_for 'rows 1-7 of 11'; then
	# / searches the ladder; n and N go to the next and previous row
	# the search shows; Esc forgets it, and n and N then go to the
	# next and previous anomaly.
	key / S Y N - R E C Enter
	if wait_for "rows 2-8 of 11  search 'SYN-REC'"; then
		key n
		wait_for 'rows 3-9 of 11' && pass tui-search-next ||
			fail tui-search-next "n did not go to the next match"
		key Escape
		key n
		wait_for 'rows 5-11 of 11  /:search' && pass tui-next-anomaly ||
			fail tui-next-anomaly "n did not go to the retransmission"
		key N
		wait_for 'no earlier anomaly' && pass tui-prev-anomaly ||
			fail tui-prev-anomaly "N found an anomaly above the top"
		key Home
		wait_for 'rows 1-7 of 11' >/dev/null
	else
		fail tui-search "/SYN-REC did not scroll to row 2"
	fi
	key End
	if wait_for 'rows 5-11 of 11'; then
		check tui-ladder-scroll '^ +180\.000 +TIME-WAIT │-+ A seq=102 ack=1002'
	else
		fail tui-ladder-scroll "End did not reach the last row"
	fi
	key PageUp
	wait_for 'rows 1-7 of 11' && pass tui-ladder-pgup || fail tui-ladder-pgup "PgUp did not go back"
else
	fail tui-ladder-scroll "no 'rows 1-7 of 11' at 100x12"
fi
tm resize-window -t "$sess" -x 120 -y 40
key ']'
wait_for 'flow 2 ' >/dev/null

key Escape
if wait_for 'CLIENT-ST'; then
	check tui-back '2/2 '
else
	fail tui-back "Esc did not return to the list"
fi

# Help.
key '?'
if wait_for 'tcpscope tui - help'; then
	check tui-help 'Flow list' 'Ladder' 'Enter Right l +open the flow' '/ +filter'
	key x
	wait_for 'CLIENT-ST' || fail tui-help-back "a key did not leave help"
else
	fail tui-help "? did not show help"
fi

# Filter by port, then Esc clears it.
key / 5 5 5 5 Enter
if wait_for '1 shown +filter "5555"' && ! grep -q '10\.0\.0\.1:43210' "$tmp/screen"; then
	check tui-filter '10\.0\.0\.3:5555'
else
	fail tui-filter "filter 5555 did not leave flow 2 alone"
fi
key Escape
wait_for '10\.0\.0\.1:43210' && pass tui-filter-clear || fail tui-filter-clear "Esc did not clear"
key / S F Enter
wait_for '1 shown +filter "SF"' && screen && check tui-filter-state '10\.0\.0\.1:43210'
key Escape

# Sort: s cycles keys, r reverses (flow 2 first).
key s
wait_for 'sort start' && pass tui-sort-cycle || fail tui-sort-cycle "s did not switch to start"
key s s s s s s s s
wait_for 'sort id' || fail tui-sort-wrap "nine s did not wrap to id"
key r
if wait_for 'sort id \(reversed\)'; then
	screen
	first=$(sed -n 3p "$tmp/screen" | awk '{print $1}')
	[ "$first" = 2 ] && pass tui-sort-reverse || fail tui-sort-reverse "first row is flow '$first'"
else
	fail tui-sort-reverse "r did not reverse"
fi

# Live: a flow committed by another process appears, and the selection
# (flow 2, now row 2 of 3 in reversed id order) stays on its flow.
key Home
sqlite3 -cmd '.timeout 2000' "$db" "INSERT INTO connections (id, capture_id, tc_id,
	client_ip, client_port, server_ip, server_port, close, conn_state,
	client_state, server_state, first_ts, last_ts, c2s_packets)
	VALUES (3, 1, 3, '192.168.7.7', 9999, '10.0.0.2', 443, 'open', 'S1',
	'ESTABLISHED', 'ESTABLISHED', 1700000001000000000, 1700000001000000000, 1);"
if wait_for '192\.168\.7\.7:9999 +10\.0\.0\.2:443 +open'; then
	check tui-live-refresh '3 flows' '2/3 '
else
	fail tui-live-refresh "the inserted flow never appeared"
fi

# Live, in the ladder: an event committed for the open flow shows up.
key Enter
if wait_for 'flow 2 +10\.0\.0\.3:5555'; then
	sqlite3 -cmd '.timeout 2000' "$db" "INSERT INTO label_events (conn_id,
		ts_ns, pkt, dir, label, reason, seq, ack, len, win) VALUES (2,
		1700000000600000000, 15, 0, (SELECT id FROM label_names WHERE
		name = 'keep-alive'), NULL, 1, 2, 0, 9);"
	if wait_for '^ +200\.000 +CLOSED │-+ #15 .*\[keep-alive\] -+>│ CLOSED'; then
		pass tui-live-ladder
	else
		fail tui-live-ladder "the new event never appeared in the ladder"
	fi
else
	fail tui-live-ladder "Enter did not open flow 2"
fi
key Escape
wait_for 'CLIENT-ST' >/dev/null

# Resize: too small shows a message, large again shows the list.
tm resize-window -t "$sess" -x 50 -y 8
if wait_for 'terminal too small: 50x8'; then
	pass tui-resize-small
else
	fail tui-resize-small "no minimum-size message"
fi
tm resize-window -t "$sess" -x 100 -y 30
if wait_for 'CLIENT-ST'; then
	check tui-resize-back '192\.168\.7\.7:9999'
else
	fail tui-resize-back "the list did not come back"
fi

# Quit: status 0, the terminal back in cooked mode with echo.
key q
if wait_for 'TUI-EXITED rc=0'; then
	wait_for 'icanon' 20
	if grep -Eq '(^| )echo( |$)' "$tmp/screen" && grep -Eq '(^| )icanon( |$)' "$tmp/screen"; then
		pass tui-quit-sane
	else
		fail tui-quit-sane "terminal modes after quit: $(grep -E 'echo|icanon' "$tmp/screen")"
	fi
else
	fail tui-quit-sane "q did not quit: $(tr -s ' ' < "$tmp/screen" | tail -n 3 | tr '\n' '|')"
fi

# NO_COLOR: monochrome, no colour escapes at all.
start "$db" NO_COLOR=1
if wait_for '10\.0\.0\.3:5555'; then
	key Enter
	wait_for 'retransmission' >/dev/null
	tm capture-pane -e -p -t "$sess" > "$tmp/color"
	if grep -Eq "$(printf '\033')\[(3[0-7]|4[0-7])m" "$tmp/color"; then
		fail tui-no-color "colour escapes with NO_COLOR set"
	else
		pass tui-no-color
	fi
else
	fail tui-no-color "the list never showed"
fi
key q q

# ---- The graph view (p) -------------------------------------------------

# The fixture's flow 1 from the list: braille in colour, the label red.
start "$db" LC_ALL=C.UTF-8
if wait_for '10\.0\.0\.3:5555'; then
	key Home p
	if wait_for 'time-sequence client to server +zoom x1'; then
		check tui-graph-open '\| data +\. ACK +\* labelled' '\+0us' \
			'\+180\.000ms'
		if grep -q "$(printf '\342\240')" "$tmp/screen" ||
		   grep -q "$(printf '\342\241')" "$tmp/screen" ||
		   grep -q "$(printf '\342\242')" "$tmp/screen" ||
		   grep -q "$(printf '\342\243')" "$tmp/screen"; then
			pass tui-graph-braille
		else
			fail tui-graph-braille "no braille cell on screen"
		fi
		tm capture-pane -e -p -t "$sess" > "$tmp/color"
		if grep -q "$(printf '\033')\[3[0-9];*[0-9]*m$(printf '\342')" "$tmp/color" ||
		   grep -q "$(printf '\033')\[[0-9;]*31m$(printf '\342')" "$tmp/color"; then
			pass tui-graph-colour
		else
			fail tui-graph-colour "no coloured cell"
		fi
		key +
		wait_for 'zoom x2' && pass tui-graph-zoom-in ||
			fail tui-graph-zoom-in "+ did not zoom"
		key l
		wait_for '\+67\.500ms' && pass tui-graph-pan ||
			fail tui-graph-pan "l did not pan a quarter: $(tail -n 2 "$tmp/screen" | tr '\n' '|')"
		key - 
		wait_for 'zoom x1' && pass tui-graph-zoom-out ||
			fail tui-graph-zoom-out "- did not zoom out"
		key d
		wait_for 'time-sequence server to client' && pass tui-graph-direction ||
			fail tui-graph-direction "d did not switch"
		# The smallest terminal still draws; smaller says so; back.
		tm resize-window -t "$sess" -x 60 -y 10
		if wait_for 'flow 1 .*time-sequence' && ! grep -q 'too small' "$tmp/screen"; then
			pass tui-graph-resize-min
		else
			fail tui-graph-resize-min "60x10: $(head -n 3 "$tmp/screen" | tr '\n' '|')"
		fi
		tm resize-window -t "$sess" -x 40 -y 6
		wait_for 'terminal too small: 40x6' && pass tui-graph-resize-small ||
			fail tui-graph-resize-small "no minimum-size message"
		tm resize-window -t "$sess" -x 120 -y 40
		wait_for 'time-sequence' && pass tui-graph-resize-back ||
			fail tui-graph-resize-back "the graph did not come back"
		key q
		wait_for 'CLIENT-ST' && pass tui-graph-back ||
			fail tui-graph-back "q did not return to the list"
	else
		fail tui-graph-open "p did not open the graph: $(head -n 3 "$tmp/screen" | tr '\n' '|')"
	fi
	# From the ladder too, and a flow with no row at all (an empty flow).
	key Enter
	wait_for 'flow 1 .*handshake' >/dev/null
	key p
	wait_for 'time-sequence client to server' && pass tui-graph-from-ladder ||
		fail tui-graph-from-ladder "p in the ladder did not open the graph"
	key q
	wait_for 'history ShADadFf' && pass tui-graph-back-to-ladder ||
		fail tui-graph-back-to-ladder "q did not return to the ladder"
	key q
	sqlite3 -cmd '.timeout 2000' "$db" "INSERT INTO connections (id, capture_id,
		tc_id, client_ip, client_port, server_ip, server_port, close,
		conn_state, client_state, server_state, first_ts, last_ts)
		VALUES (9, 1, 9, '192.168.9.9', 9999, '10.0.0.2', 443, 'open',
		'OTH', 'UNKNOWN', 'UNKNOWN', 1700000002000000000,
		1700000002000000000);"
	if wait_for '192\.168\.9\.9:9999'; then
		key End p
		if wait_for 'no segment to draw'; then
			pass tui-graph-empty
		else
			fail tui-graph-empty "$(head -n 6 "$tmp/screen" | tr -s ' ' | tr '\n' '|')"
		fi
		key q
	else
		fail tui-graph-empty "the empty flow never appeared"
	fi
else
	fail tui-graph-open "the list never showed"
fi
key q

# ASCII and monochrome: LC_ALL=C gives dots and colons, NO_COLOR no colour.
start "$db" "LC_ALL=C NO_COLOR=1"
if wait_for '10\.0\.0\.3:5555'; then
	key Home p
	if wait_for 'time-sequence client to server'; then
		# The title can be on screen before the dots (a slow build
		# draws in steps): wait for a dot too, then look at colours.
		wait_for "^ +[0-9.k]* \\|.*[.:'*]" >/dev/null
		tm capture-pane -e -p -t "$sess" > "$tmp/color"
		if grep -q "$(printf '\342')" "$tmp/screen"; then
			fail tui-graph-ascii "UTF-8 on screen under LC_ALL=C"
		elif ! grep -Eq "^ +[0-9.k]* \|.*[.:'*]" "$tmp/screen"; then
			fail tui-graph-ascii "no dot drawn"
		elif grep -Eq "$(printf '\033')\[(3[0-7]|4[0-7])m" "$tmp/color"; then
			fail tui-graph-ascii "colour escapes with NO_COLOR set"
		else
			pass tui-graph-ascii
		fi
	else
		fail tui-graph-ascii "p did not open the graph"
	fi
fi
key q q

# A flow of one packet, and one of 100k segments (bounded time: every
# wait is bounded; memory: the graph streams the flow into a summary of
# fixed size, so its peak RSS stays under a fixed cap that holding the
# rows, as the ladder view does, exceeds: 132 MB for these 100k).
if "$TCPSCOPE" read -q -d "$tmp/one.db" -c 1 "$TOP/pcaps/real-loss.pcap" >/dev/null 2>&1 ||
   "$TCPSCOPE" read -d "$tmp/one.db" -c 1 "$TOP/pcaps/real-loss.pcap" >/dev/null 2>&1; then
	start "$tmp/one.db" LC_ALL=C.UTF-8
	if wait_for '10\.202\.2\.1:40108'; then
		key p
		if wait_for 'time-sequence client to server' &&
		   ! grep -q 'no segment' "$tmp/screen"; then
			pass tui-graph-one-packet
		else
			fail tui-graph-one-packet "$(head -n 4 "$tmp/screen" | tr -s ' ' | tr '\n' '|')"
		fi
	else
		fail tui-graph-one-packet "the list never showed"
	fi
	key q q
fi
gen=$BUILD/tools/pcapgen
if [ -x "$gen" ] && PCAPGEN_SEGMENTS=100000 "$gen" big-flow "$tmp/big.pcap" 2>/dev/null &&
   "$TCPSCOPE" read -d "$tmp/big.db" "$tmp/big.pcap" >/dev/null 2>&1; then
	# Under AddressSanitizer (its shadow memory and runtime) the cap is
	# twice as high; freed memory is not quarantined.
	cap=65536
	grep -q __asan_init "$TCPSCOPE" 2>/dev/null && cap=131072
	rm -f "$tmp/tuirss"
	have_time=0
	timer=""
	if [ -x /usr/bin/time ]; then
		have_time=1
		timer="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 /usr/bin/time -f %M -o $tmp/tuirss"
	fi
	start "$tmp/big.db" "LC_ALL=C.UTF-8 $timer"
	if wait_for '192\.0\.2\.1:40200' 100; then
		key p
		if wait_for 'time-sequence client to server' 300; then
			key + + +
			wait_for 'zoom x8' 100 && pass tui-graph-100k ||
				fail tui-graph-100k "zoom did not follow"
			# Zoomed in far: the summary of a window, read again.
			key + + + + + + + + + +
			wait_for 'zoom x8192' 100 &&
			   ! grep -Eq 'could not be read|no segment' "$tmp/screen" &&
			   pass tui-graph-100k-deep-zoom ||
				fail tui-graph-100k-deep-zoom "$(head -n 3 "$tmp/screen" | tr -s ' ' | tr '\n' '|')"
		else
			fail tui-graph-100k "the graph of 100k segments did not open within 30 s"
		fi
	else
		fail tui-graph-100k "the list never showed"
	fi
	key q q
	if [ $have_time = 1 ]; then
		n=100
		while [ ! -s "$tmp/tuirss" ] && [ $n -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		rss=$(tail -n 1 "$tmp/tuirss" 2>/dev/null)
		case $rss in
		''|*[!0-9]*) fail tui-graph-bounded-memory "no peak RSS measured: $(cat "$tmp/tuirss" 2>/dev/null)" ;;
		*) if [ "$rss" -le $cap ]; then
			pass tui-graph-bounded-memory
		   else
			fail tui-graph-bounded-memory "peak RSS $rss KiB > $cap KiB for the graph of 100k segments"
		   fi ;;
		esac
	else
		echo "SKIP tui-graph-bounded-memory: /usr/bin/time not installed"
	fi
else
	echo "SKIP tui-graph-100k: no $gen (make tools) or the capture could not be read"
fi

# ---- Vantage and an uncertain side (issue 11) ----------------------------

# The kernel corpus's client capture of drop-rst-a: the client's RST may
# not have reached the server, so the server's path is left open.
kpcap="$TOP/pcaps/kernel/drop-rst-a.client.pcap.gz"
kdb="$tmp/kernel.db"
if "$TCPSCOPE" read -q -d "$kdb" "$kpcap" >"$tmp/out" 2>&1; then
	start "$kdb"
	if wait_for '10\.213\.1\.1:[0-9]+'; then
		key Enter
		if wait_for 'vantage client'; then
			check tui-uncertain 'history ShADadRf .*vantage client' \
				'\? server may also: LISTEN SYN-RECEIVED'
		else
			fail tui-uncertain "no vantage on the ladder: $(tr -s ' ' < "$tmp/screen" | head -n 3 | tr '\n' '|')"
		fi
	else
		fail tui-uncertain "the flow never showed"
	fi
	key q q
	sleep 0.2
else
	fail tui-uncertain "read failed: $(tail -n 2 "$tmp/out" | tr '\n' '|')"
fi

# ---- A real capture -----------------------------------------------------

pcap="$SHARED/pcaps/zeek-http-get.pcap"
if [ ! -f "$pcap" ]; then
	echo "SKIP tui-real-capture: $pcap is absent"
	exit 0
fi
real="$tmp/real.db"
if ! "$TCPSCOPE" read -d "$real" --segments "$pcap" >"$tmp/out" 2>&1; then
	fail tui-real-capture "read --segments failed: $(tail -n 2 "$tmp/out" | tr '\n' '|')"
	exit 0
fi
start "$real"
if wait_for '141\.142\.228\.5:59856'; then
	check tui-real-list '^ +[0-9]+ 141\.142\.228\.5:59856 +192\.150\.187\.43:80 +fin +SF '
	# A wide terminal shows the verdict column (the first dropped).
	tm resize-window -t "$sess" -x 200 -y 40
	if wait_for 'LIMITED-BY'; then
		check tui-real-limited '141\.142\.228\.5:59856 .* application *$'
	else
		fail tui-real-limited "no LIMITED-BY column at 200 columns"
	fi
	tm resize-window -t "$sess" -x 120 -y 40
	wait_gone 'LIMITED-BY' >/dev/null
	key Enter
	if wait_for 'flow [0-9]+ +141\.142\.228\.5:59856 -> 192\.150\.187\.43:80'; then
		check tui-real-ladder 'history ShADadFf' \
			'initial +CLOSED │.*│ LISTEN' \
			'SYN-SENT │-+ S seq=0 .*->│ (LISTEN|SYN-RECEIVED)' \
			'│<-+ SA seq=0 ack=1 .*│ SYN-RECEIVED' \
			'ESTABLISHED │-+ A seq=1 ack=1 .*->│ ESTABLISHED' \
			'│<-+ A seq=1 ack=137 win=[0-9]+ len=1448 -+│' \
			'FIN-WAIT-1 │-+ FA seq=137 ack=5008 .*->│' \
			'TIME-WAIT │-+ A seq=138 ack=5009 .*->│ CLOSED' \
			'RTT handshake .* limited by application'
	else
		fail tui-real-ladder "Enter did not open the ladder"
	fi
else
	fail tui-real-list "the flow never showed: $(tr -s ' ' < "$tmp/screen" | head -n 4 | tr '\n' '|')"
fi
key q q

# A set of shards (-d twice): one list of both databases' flows, named by
# the first and the count of the others.
if [ -s "$tmp/one.db" ] &&
   "$TCPSCOPE" read -q -d "$tmp/two.db" "$TOP/pcaps/real-abort.pcap" >/dev/null 2>&1; then
	start "$tmp/one.db' -d '$tmp/two.db" LC_ALL=C.UTF-8
	if wait_for '10\.202\.2\.1:40108' && wait_for 'one\.db \(\+1 more\)' 10 &&
	   [ "$(grep -c '10\.20[0-9]\.[0-9]\.1:[0-9]' "$tmp/screen")" -eq 2 ]; then
		pass tui-shards
	else
		fail tui-shards "$(head -n 5 "$tmp/screen" | tr -s ' ' | tr '\n' '|')"
	fi
	key q q
fi
exit 0
