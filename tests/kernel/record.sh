#!/bin/sh
# record.sh - records the kernel-truth corpus pcaps/kernel/: real Linux TCP
# between network namespaces, captured at three vantage points at once,
# with the kernel's own account of every connection (tracefs) as the truth.
# Run BY HAND as root; not part of `make check` (t_kernel.sh uses the
# committed corpus).
#
#   sh tests/kernel/record.sh              every scenario
#   sh tests/kernel/record.sh NAME...      some (see `list`)
#   sh tests/kernel/record.sh list
#
# Topology (namespaces tcps-kt-*, 10.213.1.0/24):
#
#   tcps-kt-c [c0 .1] == [a0] tcps-kt-a [a1] == [b1] tcps-kt-b [b0] == [s0 .2] tcps-kt-s
#     client   ^capture    fwdA       ^capture     fwdB          capture^  server
#              "client"               "middle"                  "server"
#
# tests/capture/fwd.c runs in tcps-kt-a (fwdA, between the client and the
# middle point) and in tcps-kt-b (fwdB, between the middle point and the
# server) and drops, holds or delays chosen segments; each logs every TCP
# segment it saw (-a) with its fate. tcpdump (snaplen 128) runs on c0, a1
# and s0. The trace is a private tracefs instance, tcps-kt-rec, with the
# mono clock (the forwarders' clock) and the events sock:inet_sock_set_state,
# tcp:tcp_retransmit_skb, tcp_retransmit_synack, tcp_send_reset,
# tcp_receive_reset, tcp_probe and tcp_cong_state_set; one kernel, so one
# trace sees both endpoints. Per scenario it keeps, in pcaps/kernel/:
#   NAME.client.pcap.gz NAME.middle.pcap.gz NAME.server.pcap.gz  captures
#   NAME.loss2.VANTAGE.pcap.gz  a copy with 2 % of the frames deleted
#   NAME.raw.tar.gz           the trace, the forwarders' logs, TCP_INFO
#   NAME.truth.jsonl          tests/kernel/truth.py's truth from those
# Every loop is bounded, every process has a timeout, the namespaces and
# the trace instance are removed on exit.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
outdir=${OUTDIR:-$top/pcaps/kernel}
P=tcps-kt
NC=$P-c NA=$P-a NB=$P-b NS=$P-s
TR=/sys/kernel/tracing
TI=$TR/instances/$P-rec
CA=10.213.1.1 SA=10.213.1.2
ALL="close-client close-server half-close simclose refused unanswered abort
abort-server delay loss reorder drop-syn-a drop-syn-b drop-synack-a
drop-synack-b drop-cfin-a drop-cfin-b drop-sfin-a drop-sfin-b drop-rst-a
drop-rst-b drop-lastack-a drop-lastack-b port-reuse syncookies challenge-ack
xfer-slowread xfer-bursts xfer-loss xfer-blackhole xfer-bloat"

if [ "${1:-}" = list ]; then
	echo $ALL
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "record.sh: run as root" >&2; exit 1; }
for t in tcpdump ip ethtool cc python3; do
	command -v $t >/dev/null 2>&1 || { echo "record.sh: needs $t" >&2; exit 1; }
done
mkdir -p "$outdir"
work=$(mktemp -d /tmp/tcps-kt.XXXXXX)
pids=""
teardown() {
	for n in $NC $NA $NB $NS; do
		ip netns del "$n" 2>/dev/null
	done
	return 0
}
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	teardown
	if [ -d "$TI" ]; then
		echo 0 > "$TI/tracing_on"
		rmdir "$TI"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -d $TR/events ] || mount -t tracefs nodev $TR || exit 1
cc -O2 -Wall -o "$work/tcpactor" "$top/tests/capture/tcpactor.c" || exit 1
cc -O2 -Wall -o "$work/fwd" "$top/tests/capture/fwd.c" || exit 1
A=$work/tcpactor

inns() { ns=$1; shift; ip netns exec "$ns" "$@"; }
nooffload() {
	inns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off \
		>/dev/null 2>&1 || inns "$1" ethtool -K "$2" tso off gso off gro off \
		>/dev/null 2>&1 || true
}
mac_of() { inns "$1" cat "/sys/class/net/$2/address"; }

topo() { # FWDA-ARGS -- FWDB-ARGS
	teardown
	for n in $NC $NA $NB $NS; do
		ip netns add $n || exit 1
		ip -n $n link set lo up
	done
	ip link add c0 netns $NC type veth peer name a0 netns $NA || exit 1
	ip link add a1 netns $NA type veth peer name b1 netns $NB || exit 1
	ip link add b0 netns $NB type veth peer name s0 netns $NS || exit 1
	for n in $NA $NB; do
		inns $n sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
		inns $n sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n $NC addr add $CA/24 dev c0
	ip -n $NS addr add $SA/24 dev s0
	for d in "$NC c0" "$NA a0" "$NA a1" "$NB b1" "$NB b0" "$NS s0"; do
		set -- $d
		ip -n "$1" link set "$2" up
		nooffload "$1" "$2"
	done
	for d in "$NA a0" "$NA a1" "$NB b1" "$NB b0"; do
		set -- $d
		ip -n "$1" link set "$2" promisc on
	done
	ip -n $NC neigh replace $SA lladdr "$(mac_of $NS s0)" dev c0 nud permanent
	ip -n $NS neigh replace $CA lladdr "$(mac_of $NC c0)" dev s0 nud permanent
	# Short, classic SYN backoff (kernels >= 6.7 start with linear timeouts).
	for n in $NC $NS; do
		inns $n sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
	done
}

fwd_start() { # SECONDS FWDA-ARGS -- FWDB-ARGS
	secs=$1
	shift
	fa="" fb="" side=a
	for x in "$@"; do
		if [ "$x" = -- ]; then side=b; continue; fi
		if [ $side = a ]; then fa="$fa $x"; else fb="$fb $x"; fi
	done
	bg fwdA $NA timeout $((secs + 5)) "$work/fwd" -t "$secs" -l "$work/fwdA.log" \
		-a "$work/fwdA.seg" $fa a0 a1
	bg fwdB $NB timeout $((secs + 5)) "$work/fwd" -t "$secs" -l "$work/fwdB.log" \
		-a "$work/fwdB.seg" $fb b1 b0
	sleep 0.3
}

# bg TAG NS COMMAND...: runs COMMAND in NS in the background; its PID (the
# command's own, not a subshell's) goes to $work/TAG.pid and to $pids.
bg() {
	tag=$1 ns=$2
	shift 2
	rm -f "$work/$tag.pid"
	ip netns exec "$ns" sh -c 'echo $$ > "$0"; exec "$@"' "$work/$tag.pid" "$@" &
	i=0
	while [ $i -lt 50 ] && [ ! -s "$work/$tag.pid" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	pids="$pids $(cat "$work/$tag.pid" 2>/dev/null)"
}

stop() { # TAG...: SIGTERM to each, then waits (bounded) until it is gone
	for tag in "$@"; do
		p=$(cat "$work/$tag.pid" 2>/dev/null)
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		i=0
		while [ $i -lt 50 ] && kill -0 "$p" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
	done
}

cap_start() { # NS DEV VANTAGE
	: > "$work/$3.err"
	bg cap_$3 "$1" timeout 300 tcpdump -i "$2" -s 128 -U -n --immediate-mode \
		-w "$work/$3.pcap" tcp 2>"$work/$3.err"
	i=0
	while [ $i -lt 50 ] && ! grep -q listening "$work/$3.err"; do
		sleep 0.1
		i=$((i + 1))
	done
}

trace_start() {
	[ -d "$TI" ] || mkdir "$TI" || exit 1
	echo 0 > "$TI/tracing_on"
	echo mono > "$TI/trace_clock"
	echo 8192 > "$TI/buffer_size_kb"
	for e in sock/inet_sock_set_state tcp/tcp_retransmit_skb \
		tcp/tcp_retransmit_synack tcp/tcp_send_reset tcp/tcp_receive_reset \
		tcp/tcp_probe tcp/tcp_cong_state_set; do
		echo 1 > "$TI/events/$e/enable" || exit 1
	done
	: > "$TI/trace"
	echo 1 > "$TI/tracing_on"
	# The realtime of this marker ties the mono clock to the captures'.
	echo "tcps-kt realtime_ns=$(date +%s%N)" > "$TI/trace_marker"
}

trace_stop() { # NAME
	echo "tcps-kt realtime_ns=$(date +%s%N)" > "$TI/trace_marker"
	echo 0 > "$TI/tracing_on"
	grep -E 'tcps-kt realtime|10\.213\.1\.' "$TI/trace" > "$work/trace.txt"
	: > "$TI/trace"
}

# run NAME SECONDS MODE COUNT PARALLEL ARG [FWDA-ARGS -- FWDB-ARGS]
# Runs COUNT clients of MODE (PARALLEL at a time) against a forking server.
run() {
	name=$1 secs=$2 mode=$3 count=$4 par=$5 arg=$6
	shift 6
	echo "== $name ($count x $mode)"
	topo
	[ -n "${SYSCTL_S:-}" ] && inns $NS sysctl -q -w $SYSCTL_S
	[ -n "${SYSCTL_C:-}" ] && inns $NC sysctl -q -w $SYSCTL_C
	rm -f "$work"/*.seg "$work"/*.log "$work"/*.pcap "$work/tcpinfo.txt"
	fwd_start "$secs" "$@"
	cap_start $NC c0 client
	cap_start $NA a1 middle
	cap_start $NS s0 server
	trace_start
	export TCPACTOR_INFO="$work/tcpinfo.txt"
	export TCPACTOR_CC="${CC_ALGO:-}"
	if [ "$mode" != refused ] && [ "$mode" != unanswered ]; then
		scount=$count
		[ "$mode" = reuse ] && scount=$((count * arg))
		inns $NS timeout "$secs" "$A" server $SA 8080 "$mode" "$scount" fork &
		spid=$!
		pids="$pids $spid"
		sleep 0.3
	else
		spid=""
	fi
	i=0
	while [ $i -lt "$count" ]; do
		j=0 cpids=""
		while [ $j -lt "$par" ] && [ $i -lt "$count" ]; do
			lp=0
			[ "$mode" = reuse ] && lp=$((41000 + i))
			inns $NC timeout "$secs" "$A" client $SA 8080 "$mode" $lp "$arg" ||
				echo "  (client $mode exited $?)" &
			cpids="$cpids $!"
			i=$((i + 1))
			j=$((j + 1))
		done
		for p in $cpids; do wait "$p"; done
		sleep 0.05
	done
	[ -n "$spid" ] && { wait "$spid" || echo "  (server exited $?)"; }
	sleep 1.5
	trace_stop
	stop cap_client cap_middle cap_server fwdA fwdB
	unset TCPACTOR_INFO TCPACTOR_CC CC_ALGO
	save "$name"
}

save() { # NAME
	for v in client middle server; do
		gzip -9 -n -c "$work/$v.pcap" > "$outdir/$1.$v.pcap.gz"
	done
	: > "$work/tcpinfo.txt.x"
	[ -f "$work/tcpinfo.txt" ] && cat "$work/tcpinfo.txt" > "$work/tcpinfo.txt.x"
	mv "$work/tcpinfo.txt.x" "$work/tcpinfo.txt"
	(cd "$work" && tar czf "$outdir/$1.raw.tar.gz" trace.txt fwdA.seg fwdB.seg \
		fwdA.log fwdB.log tcpinfo.txt)
	for v in client middle server; do
		printf '   %-7s %5d packets\n' $v "$(tcpdump -r "$work/$v.pcap" 2>/dev/null | wc -l)"
	done
}

# Scenario table: NAME SECONDS MODE COUNT PARALLEL ARG FWDA -- FWDB
rec() {
	SYSCTL_S="" SYSCTL_C="" CC_ALGO=""
	case $1 in
	close-client)   run $1 60 close-client 40 10 0 ;;
	close-server)   run $1 60 close-server 40 10 0 ;;
	half-close)     run $1 60 half-close 25 5 0 ;;
	simclose)       run $1 60 simclose 20 5 0 -D 20 -- -D 20 ;;
	refused)        run $1 30 refused 25 5 0 ;;
	unanswered)     SYSCTL_C=net.ipv4.tcp_syn_retries=1
			run $1 60 unanswered 20 10 0 -- -k c2s:syn:* ;;
	abort)          run $1 60 abort 30 10 0 ;;
	abort-server)   run $1 60 abort-server 30 10 0 ;;
	delay)          run $1 60 close-client 20 5 0 -D 50 -- -D 50 ;;
	loss)           run $1 90 bulk 20 4 60000 -p c2s:30 -s 7 -- -p c2s:30 -s 11 ;;
	reorder)        run $1 90 bulk 20 1 60000 -k c2s:data:5:hold -k c2s:data:20:hold -- -k c2s:data:12:hold ;;
	drop-syn-a)     run $1 60 close-client 20 10 0 -k c2s:syn:1 ;;
	drop-syn-b)     run $1 60 close-client 20 10 0 -- -k c2s:syn:1 ;;
	drop-synack-a)  run $1 60 close-client 20 10 0 -k s2c:synack:1 ;;
	drop-synack-b)  run $1 60 close-client 20 10 0 -- -k s2c:synack:1 ;;
	drop-cfin-a)    run $1 60 close-client 20 10 0 -k c2s:fin:1 ;;
	drop-cfin-b)    run $1 60 close-client 20 10 0 -- -k c2s:fin:1 ;;
	drop-sfin-a)    run $1 60 close-client 20 10 0 -k s2c:fin:1 ;;
	drop-sfin-b)    run $1 60 close-client 20 10 0 -- -k s2c:fin:1 ;;
	drop-rst-a)     run $1 60 abort 15 15 0 -k c2s:rst:1 ;;
	drop-rst-b)     run $1 60 abort 15 15 0 -- -k c2s:rst:1 ;;
	drop-lastack-a) run $1 60 close-client 20 10 0 -k c2s:lastack:1 ;;
	drop-lastack-b) run $1 60 close-client 20 10 0 -- -k c2s:lastack:1 ;;
	port-reuse)     run $1 60 reuse 10 10 3 ;;
	syncookies)     SYSCTL_S=net.ipv4.tcp_syncookies=2
			run $1 60 close-client 30 10 0 ;;
	challenge-ack)  run $1 60 close-client 20 5 0 -k c2s:data:1:rst ;;
	xfer-slowread)  CC_ALGO=cubic # a pacing sender (BBR) hides its rwnd time
			run $1 60 slowread 4 2 200000 ;;
	xfer-bursts)    run $1 60 bursts 4 2 8 ;;
	xfer-loss)      run $1 60 bulk 4 1 400000 -D 5 -p c2s:20 -s 5 -- -D 5 ;;
	xfer-blackhole) run $1 60 bulk 3 1 800000 -D 10 -b c2s:100:2000 -- -D 10 ;;
	xfer-bloat)     run $1 60 bulk 3 1 800000 -D 5 -- -D 5 -q 20 ;;
	esac
}

[ $# -eq 0 ] && set -- $ALL
for s in "$@"; do
	case " $(echo $ALL) " in
	*" $s "*) ;;
	*) echo "record.sh: no scenario $s (try list)" >&2; exit 2 ;;
	esac
	rec "$s"
	teardown
done
python3 "$top/tests/kernel/truth.py" "$outdir" "$@" || exit 1
