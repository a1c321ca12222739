#!/bin/sh
# record.sh - records the real Linux TCP captures pcaps/real-*.pcap and
# pcaps/demo.pcap between network namespaces. Run BY HAND as root; it is
# not part of `make check` (the captures it made are committed).
#
#   sh tests/capture/record.sh            all scenarios
#   sh tests/capture/record.sh NAME...    some (see `list`)
#   sh tests/capture/record.sh list
#
# Topologies (namespaces tcps-rec-*, addresses 10.202.x.y, fd02:202:1::/64):
#
#   direct:   tcps-rec-c [rc0 10.202.1.1] ===veth=== [rs0 10.202.1.2] tcps-rec-s
#   fwd:      tcps-rec-c [rc0 10.202.2.1] === [mc0] tcps-rec-m [ms0] === [rs0 10.202.2.2] tcps-rec-s
#
# In the fwd topology tests/capture/fwd.c forwards frames between mc0 and
# ms0 and drops, delays or swaps segments deterministically; its log, kept
# as pcaps/real-NAME.fwd.log, is the truth for retransmissions and
# out-of-order counts. This kernel has no sch_netem, hence the forwarder.
# Offloads are off on every veth so the segments are wire-sized and
# checksums are real. The behaviours of both ends are tests/capture/
# tcpactor.c (built here with cc). Every loop is bounded, every process has
# a timeout, and the namespaces are deleted by name on exit.
#
# OUTDIR (default pcaps/) is where the captures go.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
outdir=${OUTDIR:-$top/pcaps}
NC=tcps-rec-c
NS=tcps-rec-s
NM=tcps-rec-m
ALL="close-client close-server refused unanswered abort half-close simclose
simopen loss reorder zero-window keepalive port-reuse midstream tfo ipv6 sll
sll2 many rst-unseen demo"

if [ "${1:-}" = list ]; then
	echo $ALL
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "record.sh: run as root" >&2; exit 1; }
for t in tcpdump ip ethtool cc; do
	command -v $t >/dev/null 2>&1 || { echo "record.sh: needs $t" >&2; exit 1; }
done

work=$(mktemp -d /tmp/tcps-rec.XXXXXX)
pids=""
teardown() {
	for n in $NC $NS $NM; do
		ip netns del "$n" 2>/dev/null
	done
	return 0
}
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	teardown
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -o "$work/tcpactor" "$top/tests/capture/tcpactor.c" || exit 1
cc -O2 -Wall -o "$work/fwd" "$top/tests/capture/fwd.c" || exit 1
A=$work/tcpactor

inns() { # ns, command...
	ns=$1
	shift
	ip netns exec "$ns" "$@"
}

nooffload() { # ns dev
	inns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off \
		>/dev/null 2>&1 || inns "$1" ethtool -K "$2" tso off gso off gro off \
		>/dev/null 2>&1 || true
}

mac_of() { # ns dev
	inns "$1" cat "/sys/class/net/$2/address"
}

topo_direct() {
	teardown
	ip netns add $NC && ip netns add $NS || exit 1
	ip link add rc0 netns $NC type veth peer name rs0 netns $NS || exit 1
	for n in $NC $NS; do
		ip -n $n link set lo up
	done
	ip -n $NC addr add 10.202.1.1/24 dev rc0
	ip -n $NS addr add 10.202.1.2/24 dev rs0
	ip -n $NC addr add fd02:202:1::1/64 dev rc0 nodad
	ip -n $NS addr add fd02:202:1::2/64 dev rs0 nodad
	ip -n $NC link set rc0 up
	ip -n $NS link set rs0 up
	nooffload $NC rc0
	nooffload $NS rs0
	CA=10.202.1.1 SA=10.202.1.2
	sleep 0.5
}

# topo_fwd FWD-ARGS...: the fwd topology with the forwarder running.
topo_fwd() {
	fargs="$*"
	teardown
	ip netns add $NC && ip netns add $NS && ip netns add $NM || exit 1
	ip link add rc0 netns $NC type veth peer name mc0 netns $NM || exit 1
	ip link add ms0 netns $NM type veth peer name rs0 netns $NS || exit 1
	inns $NM sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
	inns $NM sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
	for n in $NC $NS $NM; do
		ip -n $n link set lo up
	done
	ip -n $NC addr add 10.202.2.1/24 dev rc0
	ip -n $NS addr add 10.202.2.2/24 dev rs0
	for d in "$NC rc0" "$NM mc0" "$NM ms0" "$NS rs0"; do
		set -- $d
		ip -n "$1" link set "$2" up
		nooffload "$1" "$2"
	done
	ip -n $NM link set mc0 promisc on
	ip -n $NM link set ms0 promisc on
	# Static neighbours: no ARP exchange through the delayed path.
	ip -n $NC neigh replace 10.202.2.2 lladdr "$(mac_of $NS rs0)" dev rc0 nud permanent
	ip -n $NS neigh replace 10.202.2.1 lladdr "$(mac_of $NC rc0)" dev rs0 nud permanent
	CA=10.202.2.1 SA=10.202.2.2
	: > "$work/fwd.log"
	ip netns exec $NM "$work/fwd" -t 120 -l "$work/fwd.log" $fargs mc0 ms0 &
	fpid=$!
	pids="$pids $fpid"
	sleep 0.3
}

fwd_stop() { # [logname]
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	[ -n "${1:-}" ] && cp "$work/fwd.log" "$outdir/$1"
	return 0
}

# cap_start NS DEV FILE [tcpdump options]: starts tcpdump, waits until it
# listens (bounded).
cap_start() {
	cns=$1 cdev=$2 cfile=$3
	shift 3
	: > "$work/tcpdump.err"
	ip netns exec "$cns" tcpdump -i "$cdev" -U -n --immediate-mode "$@" -w "$work/$cfile" tcp \
		2>"$work/tcpdump.err" &
	tpid=$!
	pids="$pids $tpid"
	i=0
	while [ $i -lt 50 ] && ! grep -q listening "$work/tcpdump.err"; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
}

cap_stop() {
	sleep 1
	kill -TERM "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	mv "$work/$cfile" "$outdir/$cfile"
	n=$(tcpdump -r "$outdir/$cfile" 2>/dev/null | wc -l)
	printf '%-28s %5d packets %8d bytes\n' "$cfile" "$n" "$(wc -c < "$outdir/$cfile")"
}

srv() { # ns addr port mode [count]
	ip netns exec "$1" "$A" server "$2" "$3" "$4" "${5:-1}" &
	spid=$!
	pids="$pids $spid"
	sleep 0.3
}

srv_wait() {
	wait "$spid" || echo "  (server exited $?)"
}

cli() { # ns addr port mode lport [arg]
	inns "$1" "$A" client "$2" "$3" "$4" "$5" "${6:-0}" ||
		echo "  (client $4 exited $?)"
}

# ---- Scenarios --------------------------------------------------------------

simple() { # file mode lport [capture options]
	f=$1 m=$2 lp=$3
	shift 3
	topo_direct
	cap_start $NC rc0 "$f" "$@"
	srv $NS $SA 8080 "$m"
	cli $NC $SA 8080 "$m" "$lp"
	srv_wait
	cap_stop
}

rec_close_client() { simple real-close-client.pcap close-client 40101; }
rec_close_server() { simple real-close-server.pcap close-server 40102; }
rec_abort() { simple real-abort.pcap abort 40105; }
rec_half_close() { simple real-half-close.pcap half-close 40106; }
rec_keepalive() { simple real-keepalive.pcap keepalive 40111; }
rec_zero_window() { simple real-zero-window.pcap zerowin 40110 -s 128; }
rec_sll() {
	topo_direct
	cap_start $NC any real-sll.pcap
	srv $NS $SA 8080 close-client
	cli $NC $SA 8080 close-client 40117
	srv_wait
	cap_stop
}
rec_sll2() {
	topo_direct
	cap_start $NC any real-sll2.pcap -y LINUX_SLL2
	srv $NS $SA 8080 close-client
	cli $NC $SA 8080 close-client 40118
	srv_wait
	cap_stop
}

rec_refused() {
	topo_direct
	cap_start $NC rc0 real-refused.pcap
	cli $NC $SA 8081 refused 40103
	cap_stop
}

rec_unanswered() {
	topo_direct
	inns $NC sysctl -q -w net.ipv4.tcp_syn_retries=2
	# Classic exponential backoff (kernels >= 6.7 start with linear timeouts).
	inns $NC sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
	# 10.202.1.3 "exists" at a MAC nobody owns: the SYNs leave, no answer.
	ip -n $NC neigh replace 10.202.1.3 lladdr 02:00:00:00:00:99 dev rc0 nud permanent
	cap_start $NC rc0 real-unanswered.pcap
	cli $NC 10.202.1.3 8080 unanswered 40104
	cap_stop
}

rec_simclose() {
	topo_fwd -D 50
	cap_start $NC rc0 real-simclose.pcap
	srv $NS $SA 8080 simclose
	cli $NC $SA 8080 simclose 40107
	srv_wait
	cap_stop
	fwd_stop real-simclose.fwd.log
}

rec_simopen() {
	topo_fwd -D 50
	cap_start $NC rc0 real-simopen.pcap
	t=$(( $(date +%s%N) + 700000000 ))
	ip netns exec $NS "$A" simopen $SA 5002 $CA 5001 $t 0 &
	spid=$!
	pids="$pids $spid"
	inns $NC "$A" simopen $CA 5001 $SA 5002 $t 1 || echo "  (simopen exited $?)"
	srv_wait
	cap_stop
	fwd_stop real-simopen.fwd.log
}

rec_loss() {
	topo_fwd -d 10 -d 11 -d 40
	cap_start $NC rc0 real-loss.pcap -s 128
	srv $NS $SA 8080 bulk
	cli $NC $SA 8080 bulk 40108 200000
	srv_wait
	cap_stop
	fwd_stop real-loss.fwd.log
}

rec_reorder() {
	topo_fwd -r 10 -r 30
	cap_start $NS rs0 real-reorder.pcap -s 128
	srv $NS $SA 8080 bulk
	cli $NC $SA 8080 bulk 40109 100000
	srv_wait
	cap_stop
	fwd_stop real-reorder.fwd.log
}

# The server in FIN-WAIT-2 gets the client's RST beyond its RCV.NXT (the
# client's last 50 bytes are dropped after the capture point): it answers
# with a challenge ACK (RFC 5961 3.2), and the client's stack, without the
# connection, with a RST at its acknowledgment number, which it takes.
rec_rst_unseen() {
	topo_fwd -D 10 -d 2
	cap_start $NC rc0 real-rst-unseen.pcap -s 128
	srv $NS $SA 8080 rst-unseen
	cli $NC $SA 8080 rst-unseen 40119
	srv_wait
	cap_stop
	fwd_stop real-rst-unseen.fwd.log
}

rec_port_reuse() {
	topo_direct
	cap_start $NC rc0 real-port-reuse.pcap
	srv $NS $SA 8080 reuse 3
	cli $NC $SA 8080 reuse 40112 3
	srv_wait
	cap_stop
}

rec_midstream() {
	topo_direct
	srv $NS $SA 8080 slow
	ip netns exec $NC "$A" client $SA 8080 slow 40113 &
	cpid=$!
	pids="$pids $cpid"
	sleep 1
	cap_start $NC rc0 real-midstream.pcap
	wait "$cpid"
	srv_wait
	cap_stop
}

rec_tfo() {
	topo_direct
	inns $NC sysctl -q -w net.ipv4.tcp_fastopen=3
	inns $NS sysctl -q -w net.ipv4.tcp_fastopen=3
	cap_start $NC rc0 real-tfo.pcap
	srv $NS $SA 8080 tfo 2
	cli $NC $SA 8080 tfo 40114
	srv_wait
	cap_stop
}

rec_ipv6() {
	topo_direct
	cap_start $NC rc0 real-ipv6.pcap
	srv $NS fd02:202:1::2 8080 close-client
	cli $NC fd02:202:1::2 8080 close-client 40116
	srv_wait
	cap_stop
}

rec_many() {
	topo_direct
	cap_start $NC rc0 real-many.pcap
	srv $NS $SA 8080 many 20
	cli $NC $SA 8080 many 40120 20
	srv_wait
	cap_stop
}

# demo.pcap: a handful of varied connections for `make demo`; the sixth
# c2s data segment (the third of the bulk transfer) is dropped once.
rec_demo() {
	topo_fwd -d 6
	cap_start $NC rc0 demo.pcap -s 256
	srv $NS $SA 8080 close-client
	cli $NC $SA 8080 close-client 40201
	srv_wait
	srv $NS $SA 8081 close-server
	cli $NC $SA 8081 close-server 40202
	srv_wait
	cli $NC $SA 8082 refused 40203
	srv $NS $SA 8083 abort
	cli $NC $SA 8083 abort 40204
	srv_wait
	srv $NS $SA 8084 bulk
	cli $NC $SA 8084 bulk 40205 20000
	srv_wait
	cap_stop
	fwd_stop demo.fwd.log
}

[ $# -eq 0 ] && set -- $ALL
for s in "$@"; do
	case " $(echo $ALL) " in
	*" $s "*) ;;
	*) echo "record.sh: no scenario $s (try list)" >&2; exit 2 ;;
	esac
	echo "== $s"
	"rec_$(echo "$s" | tr - _)"
	teardown
done
