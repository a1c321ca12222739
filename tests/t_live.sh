#!/bin/sh
# t_live.sh - `tcpscope live` on a veth pair between two network namespaces
# made here (tcps-live-*), while tests/tools/tcpecho runs one bounded TCP
# exchange across it. Checks the database has that connection with the right
# addresses, ports and close, that -w wrote a readable pcap, that SIGINT
# stops a capture cleanly and -c stops after COUNT packets, and that
# --parquet DIR (one capture, --fanout 2) writes a dataset DuckDB reads
# with the connections of the database. Needs root and `ip netns`; prints
# SKIP otherwise (and the --parquet checks without node/npm and
# @duckdb/node-api, installed into $BUILD/npm as t_parquet.sh does).
# Everything is removed in the trap.
set -u
. "$(dirname "$0")/netns.sh"
netns_init live lv

"$TCPSCOPE" live >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && pass live-needs-iface || fail live-needs-iface "exit not 2"
"$TCPSCOPE" live -i lo -c abc >/dev/null 2>&1
[ $? -eq 2 ] && pass live-bad-count || fail live-bad-count "exit not 2"

netns_up live 10.201.7

# DuckDB for the --parquet checks (as t_parquet.sh installs it).
NPM="$BUILD/npm" duck_ok=0 duck_why=""
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	duck_why="node or npm not installed"
elif [ ! -d "$NPM/node_modules/@duckdb/node-api" ] &&
     ! { mkdir -p "$NPM" && timeout 600 npm install --prefix "$NPM" --no-audit \
	 --no-fund @duckdb/node-api >"$tmp/npm.log" 2>&1; }; then
	duck_why="npm install @duckdb/node-api failed"
else
	cp "$TOP/tests/parquet-duckdb.mjs" "$NPM/" && duck_ok=1
fi
# pq_same NAME DB DIR SENSOR: the connections of dataset DIR (sensor
# partition SENSOR only) are those of DB: ids, captures, ports, state,
# packets each way.
pq_same() {
	if [ "$duck_ok" = 0 ]; then
		skip "$1" "$duck_why"
		return
	fi
	cols="id, capture_id, server_port, conn_state, c2s_packets, s2c_packets"
	want=$(sqlite3 "$2" "SELECT $cols FROM connections ORDER BY id" 2>&1)
	got=$(cd "$NPM" && node parquet-duckdb.mjs sql "SELECT $cols FROM
		read_parquet('$3/table=connections/*/*/*.parquet',
		hive_partitioning = true) ORDER BY id" 2>&1 | tr '\t' '|')
	sensors=$(cd "$NPM" && node parquet-duckdb.mjs sql "SELECT DISTINCT
		sensor FROM read_parquet('$3/table=*/*/*/*.parquet',
		hive_partitioning = true, union_by_name = true)" 2>&1)
	caps=$(cd "$NPM" && node parquet-duckdb.mjs sql "SELECT count(*) FROM
		read_parquet('$3/table=captures/*/*/*.parquet')" 2>&1)
	if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$sensors" = "$4" ] &&
	   [ "$caps" = "$(sqlite3 "$2" "SELECT count(*) FROM captures")" ]; then
		pass "$1"
	else
		fail "$1" "sqlite '$(echo "$want" | head -n 3 | tr '\n' ' ')', duckdb '$(echo "$got" | head -n 3 | tr '\n' ' ')', sensors '$sensors', captures $caps"
	fi
}
skip() { echo "SKIP $1: $2"; }

db="$tmp/live.db"
ip netns exec "$A" "$TCPSCOPE" live -i "$VA" --duration 5 -w "$tmp/out.pcap" \
	--parquet "$tmp/pq1" --sensor s1 \
	-d "$db" >"$tmp/live.out" 2>"$tmp/live.err" &
live=$!
pids="$live"
sleep 1
ip netns exec "$B" "$ECHO" -l 10.201.7.2 5555 >"$tmp/srv.out" 2>&1 &
srv=$!
pids="$pids $srv"
i=0
while [ $i -lt 50 ] && ! grep -q listening "$tmp/srv.out" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if ip netns exec "$A" "$ECHO" -c 10.201.7.2 5555 3 2>"$tmp/cli.err"; then
	pass live-exchange
else
	fail live-exchange "tcpecho client: $(cat "$tmp/cli.err")"
fi
wait "$srv"
# Commits come about once a second: a reader sees the connection while the
# capture still runs (it was started about 1.5 s ago and runs for 5).
sleep 1.5
if kill -0 "$live" 2>/dev/null; then
	# ... and sees it closed: a connection over is written as it ends,
	# not left "open" until the capture stops.
	n=$(sqlite3 "$db" "SELECT count(*) || ' ' || group_concat(close) FROM
		connections WHERE server_port = 5555" 2>&1)
	if [ "$n" = "1 fin" ]; then pass live-checkpoint
	else fail live-checkpoint "a reader sees '$n' connections mid-capture"; fi
else
	fail live-checkpoint "the capture ended before 5 s"
fi
# --duration 5: the capture ends by itself; allow it 10 s at most.
i=0
while [ $i -lt 100 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	fail live-run-time "still running after --duration 5 and 10 s"
	kill "$live"
fi
wait "$live"
rc=$?
if [ $rc -eq 0 ]; then pass live-exit
else fail live-exit "exit $rc: $(cat "$tmp/live.err")"; fi
if grep -q "^tcpscope live: listening on $VA, link-type EN10MB (Ethernet), snapshot length [0-9]* bytes, into $db\$" "$tmp/live.err"; then
	pass live-listening-line
else
	fail live-listening-line "stderr: $(head -c 300 "$tmp/live.err")"
fi
# On a terminal (script(1) gives it one) a status line follows once a
# second: packets, connections, open ones, kernel drops.
if command -v script >/dev/null 2>&1; then
	ip netns exec "$A" script -qfec "'$TCPSCOPE' live -i $VA --duration 3 -q -d '$tmp/tty-q.db'" \
		/dev/null >"$tmp/tty-q.out" 2>&1
	ip netns exec "$A" script -qfec "'$TCPSCOPE' live -i $VA --duration 3 -d '$tmp/tty.db'" \
		/dev/null >"$tmp/tty.out" 2>&1
	if grep -q '[0-9]* packets, [0-9]* connections ([0-9]* open), [0-9]* dropped by the kernel' "$tmp/tty.out" &&
	   ! grep -q 'packets, ' "$tmp/tty-q.out"; then
		pass live-status-line
	else
		fail live-status-line "tty output: $(tr '\r' '|' < "$tmp/tty.out" | head -c 300)"
	fi
else
	skip live-status-line "script(1) not installed"
fi

row=$(sqlite3 "$db" "SELECT client_ip, server_ip, server_port, close,
	c2s_payload_bytes FROM connections WHERE server_port = 5555" 2>&1)
if [ "$row" = "10.201.7.1|10.201.7.2|5555|fin|21" ]; then
	pass live-connection
else
	fail live-connection "row '$row'"
fi
cap=$(sqlite3 "$db" "SELECT path, live, complete, kernel_drops IS NOT NULL,
	packets > 0 FROM captures" 2>&1)
if [ "$cap" = "$VA|1|1|1|1" ]; then pass live-capture-row
else fail live-capture-row "row '$cap'"; fi
# --parquet: written when the capture ended, by the parent that kept root
# (the capture ran as nobody; $tmp is root's alone).
pq_same live-parquet "$db" "$tmp/pq1" s1

# The -w file holds the same exchange.
if [ -s "$tmp/out.pcap" ] &&
   "$TCPSCOPE" read -q -d "$tmp/re.db" "$tmp/out.pcap" 2>"$tmp/re.err"; then
	n=$(sqlite3 "$tmp/re.db" "SELECT count(*) FROM connections WHERE server_port = 5555")
	if [ "$n" = 1 ]; then pass live-pcap-written
	else fail live-pcap-written "$n connections in the -w file"; fi
else
	fail live-pcap-written "no readable $tmp/out.pcap: $(cat "$tmp/re.err" 2>/dev/null)"
fi

# --duration also ends a capture on a link where nothing at all arrives (a
# blocking read would wait for the first packet forever).
ip netns exec "$A" "$TCPSCOPE" live -q -i lo --duration 2 -d "$tmp/quiet.db" \
	2>"$tmp/quiet.err" &
live=$!
pids="$live"
i=0
while [ $i -lt 60 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	fail live-quiet-link "still running 6 s into a --duration 2 capture"
	kill -KILL "$live"
	wait "$live"
else
	wait "$live"
	rc=$?
	c=$(sqlite3 "$tmp/quiet.db" "SELECT packets, complete FROM captures" 2>&1)
	if [ $rc -eq 0 ] && [ "$c" = "0|1" ]; then pass live-quiet-link
	else fail live-quiet-link "exit $rc, row '$c': $(cat "$tmp/quiet.err")"; fi
fi

# SIGINT ends a long capture promptly and cleanly.
ip netns exec "$A" "$TCPSCOPE" live -q -i "$VA" --duration 60 -d "$tmp/int.db" \
	--parquet "$tmp/pqint" --sensor s2 2>"$tmp/int.err" &
live=$!
pids="$live"
sleep 1
kill -INT "$live"
i=0
while [ $i -lt 50 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	fail live-sigint "still running 5 s after SIGINT"
	kill -KILL "$live"
	wait "$live"
else
	wait "$live"
	rc=$?
	c=$(sqlite3 "$tmp/int.db" "SELECT complete FROM captures" 2>&1)
	# With --parquet the SIGINT reached the capture (a child) through
	# the parent, which then wrote the capture's row.
	if [ $rc -eq 0 ] && [ "$c" = 1 ] &&
	   ls "$tmp"/pqint/table=captures/date=*/sensor=s2/part-1-0.parquet >/dev/null 2>&1
	then pass live-sigint
	else fail live-sigint "exit $rc, complete '$c': $(cat "$tmp/int.err")"; fi
fi

# -c COUNT stops after COUNT packets (the echo exchange is more than 4).
ip netns exec "$A" "$TCPSCOPE" live -q -i "$VA" -c 4 --duration 20 -d "$tmp/c.db" \
	2>"$tmp/c.err" &
live=$!
pids="$live"
sleep 1
ip netns exec "$B" "$ECHO" -l 10.201.7.2 5556 >/dev/null 2>&1 &
srv=$!
pids="$pids $srv"
sleep 0.3
ip netns exec "$A" "$ECHO" -c 10.201.7.2 5556 3 >/dev/null 2>&1
wait "$srv"
i=0
while [ $i -lt 50 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	fail live-count "still running after -c 4"
	kill "$live"
	wait "$live"
else
	wait "$live"
	rc=$?
	n=$(sqlite3 "$tmp/c.db" "SELECT packets FROM captures" 2>&1)
	if [ $rc -eq 0 ] && [ "$n" = 4 ]; then pass live-count
	else fail live-count "exit $rc, packets '$n'"; fi
fi

# Root is given up before the first packet (review F4): while capturing
# the process runs as nobody (or -Z USER) with no capability; --no-drop
# keeps root; an unknown user is refused before capturing.
# priv_of ARGS...: "UID CAPEFF" of a live capture started with ARGS.
priv_of() {
	ip netns exec "$A" "$TCPSCOPE" live -q -i lo --duration 3 -d "$tmp/priv.db" "$@" \
		2>"$tmp/priv.err" &
	live=$!
	pids="$live"
	sleep 1
	awk '/^Uid:/ { u = $2 } /^CapEff:/ { c = $2 } END { print u, c }' \
		"/proc/$live/status" 2>/dev/null
	wait "$live"
}
nobody=$(id -u nobody 2>/dev/null)
daemon=$(id -u daemon 2>/dev/null)
if [ -n "$nobody" ] && [ -n "$daemon" ] && [ "$(id -u)" = 0 ]; then
	got=$(priv_of) z=$(priv_of -Z daemon) keep=$(priv_of --no-drop)
	c=$(sqlite3 "$tmp/priv.db" "SELECT count(*) FROM captures WHERE complete = 1")
	if [ "$got" = "$nobody 0000000000000000" ] &&
	   [ "$z" = "$daemon 0000000000000000" ] &&
	   [ "${keep%% *}" = 0 ] && [ "$c" = 3 ]; then
		pass live-drops-root
	else
		fail live-drops-root "default '$got', -Z daemon '$z', --no-drop '$keep', $c complete: $(cat "$tmp/priv.err")"
	fi
	ip netns exec "$A" "$TCPSCOPE" live -q -i lo --duration 1 -Z no-such-user-x \
		-d "$tmp/nouser.db" >/dev/null 2>"$tmp/nouser.err"
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/nouser.err")" = 1 ] &&
	   grep -q "no user 'no-such-user-x'" "$tmp/nouser.err"; then
		pass live-unknown-user
	else
		fail live-unknown-user "exit $rc: $(cat "$tmp/nouser.err")"
	fi
else
	skip live-drops-root "not root, or no users nobody and daemon"
fi
# --fanout 2 (issue 16): two workers on one PACKET_FANOUT group, each into
# its own shard, merged at the end. 24 connections, each to a port of its
# own: every one is in the database once, whole (both directions, closed
# by FIN: none lost, none split between the workers), the two workers both
# took some, SIGINT stopped them all, and no shard is left.
ip netns exec "$A" "$TCPSCOPE" live -i "$VA" --fanout 2 --duration 60 \
	--parquet "$tmp/pqf" --sensor fan \
	-d "$tmp/fan.db" >"$tmp/fan.out" 2>"$tmp/fan.err" &
live=$!
pids="$live"
i=0
while [ $i -lt 50 ] && ! grep -q "listening on" "$tmp/fan.err" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
k=1
while [ $k -le 24 ]; do
	port=$((6000 + k))
	ip netns exec "$B" "$ECHO" -l 10.201.7.2 $port >"$tmp/fsrv.$k" 2>&1 &
	srv=$!
	i=0
	while [ $i -lt 60 ] && ! grep -q listening "$tmp/fsrv.$k" 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
	done
	ip netns exec "$A" "$ECHO" -c 10.201.7.2 $port 2 >/dev/null 2>&1
	wait "$srv"
	k=$((k + 1))
done
# SIGINT to the parent stops the workers too.
sleep 0.5
kill -INT "$live"
i=0
while [ $i -lt 100 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	kill "$live"
	fail live-fanout "still running 10 s after SIGINT"
fi
wait "$live"
rc=$?
row=$(sqlite3 "$tmp/fan.db" "SELECT count(*), count(DISTINCT server_port),
	sum(conn_state = 'SF' AND c2s_packets > 0 AND s2c_packets > 0),
	count(DISTINCT capture_id) FROM connections
	WHERE server_port BETWEEN 6001 AND 6024" 2>&1)
caps=$(sqlite3 "$tmp/fan.db" "SELECT count(*) FROM captures WHERE complete = 1" 2>&1)
left=$(ls "$tmp" | grep -c 'fan.db.shard')
if [ $rc = 0 ] && [ "$row" = "24|24|24|2" ] && [ "$caps" = 2 ] && [ "$left" = 0 ]; then
	pass live-fanout
else
	bad=$(sqlite3 "$tmp/fan.db" "SELECT server_port || ':' || capture_id || ':' ||
		conn_state || ':' || history FROM connections WHERE server_port
		BETWEEN 6001 AND 6024 AND NOT (conn_state = 'SF' AND c2s_packets > 0
		AND s2c_packets > 0)" | tr '\n' ' ')
	fail live-fanout "exit $rc; connections|ports|whole|workers '$row'; captures $caps; shards left $left; not whole: $bad $(head -c 300 "$tmp/fan.err")"
fi
# --parquet with --fanout: each worker's capture, with the ids of the
# merged database (the shards' own would collide).
pq_same live-fanout-parquet "$tmp/fan.db" "$tmp/pqf" fan
# A Ctrl-C reaches the whole process group: the workers (and the child of
# --parquet without --fanout) stop on it, and the SIGTERM their parent
# passes on, maybe after, must not kill them while they write their
# capture's end. setsid: the capture's own group, signalled as a whole.
if command -v setsid >/dev/null 2>&1; then
	for fo in 2 1; do
		rm -f "$tmp/grp.db"
		setsid ip netns exec "$A" "$TCPSCOPE" live -i "$VA" --fanout $fo \
			--duration 60 --parquet "$tmp/pqg$fo" -d "$tmp/grp.db" \
			>/dev/null 2>"$tmp/grp.err" &
		live=$!
		pids="$live"
		i=0
		while [ $i -lt 50 ] && ! grep -q "listening on" "$tmp/grp.err" 2>/dev/null; do
			sleep 0.1; i=$((i + 1))
		done
		# traffic for the workers to write at the end
		ip netns exec "$B" "$ECHO" -l 10.201.7.2 5560 >"$tmp/gsrv" 2>&1 &
		srv=$!
		i=0
		while [ $i -lt 60 ] && ! grep -q listening "$tmp/gsrv" 2>/dev/null; do
			sleep 0.05; i=$((i + 1))
		done
		ip netns exec "$A" "$ECHO" -c 10.201.7.2 5560 3 >/dev/null 2>&1
		wait "$srv"
		kill -INT "-$live" 2>/dev/null
		i=0
		while [ $i -lt 100 ] && kill -0 "$live" 2>/dev/null; do
			sleep 0.1; i=$((i + 1))
		done
		kill -0 "$live" 2>/dev/null && kill -KILL "-$live"
		wait "$live"
		rc=$?
		c=$(sqlite3 "$tmp/grp.db" "SELECT count(*) || ' ' || sum(complete)
			FROM captures" 2>&1)
		if [ $rc = 0 ] && [ "$c" = "$fo $fo" ] &&
		   ls "$tmp"/pqg$fo/table=captures/date=*/sensor=*/*.parquet >/dev/null 2>&1; then
			pass live-group-sigint-$fo
		else
			fail live-group-sigint-$fo "exit $rc, captures|complete '$c': $(tr "\n" "|" < "$tmp/grp.err" | head -c 600)"
		fi
	done
else
	skip live-group-sigint "setsid not installed"
fi
# --fanout with a missing interface or a bad filter: said once, before any
# worker starts, with the exit status of a single capture; no shard made.
"$TCPSCOPE" live -i tcps-nosuch0 --fanout 2 -d "$tmp/fan2.db" >/dev/null 2>"$tmp/fan2.err"
r1=$?
ip netns exec "$A" "$TCPSCOPE" live -i "$VA" --fanout 2 -d "$tmp/fan2.db" port \
	>/dev/null 2>"$tmp/fan3.err"
r2=$?
if [ $r1 = 3 ] && [ $r2 = 2 ] && [ "$(wc -l <"$tmp/fan2.err")" = 1 ] &&
   [ "$(wc -l <"$tmp/fan3.err")" = 1 ] && ! ls "$tmp" | grep -q 'fan2.db'; then
	pass live-fanout-refused
else
	fail live-fanout-refused "exit $r1/$r2: $(cat "$tmp/fan2.err" "$tmp/fan3.err" | head -c 300)"
fi
exit 0
