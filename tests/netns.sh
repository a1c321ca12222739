# netns.sh - sourced by the live-capture suites (t_live.sh, t_live_open.sh):
# two network namespaces of the test's own joined by a veth pair.
#
#   netns_init NAME IF  sets ECHO (tests/tools/tcpecho), A and B (namespaces
#                       tcps-NAME-a-PID, tcps-NAME-b-PID), VA and VB
#                       (interfaces tcps-IFaPID, tcps-IFbPID, cut to 15
#                       bytes), tmp (a scratch folder) and
#                       pids (killed at exit), and a trap that removes them all
#   netns_up TAG NET    checks root, tcpecho, sqlite3 and `ip netns` (else
#                       prints "SKIP TAG: why" and exits 0), then makes A and B
#                       with VA = NET.1 in A and VB = NET.2 in B, links and
#                       loopback up
#
# Also defines pass and fail, which print the suite's PASS and FAIL lines.
: "${TCPSCOPE:?}" "${BUILD:?}"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

netns_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$tmp"
}

netns_init() {
	ECHO="$BUILD/tools/tcpecho"
	A=tcps-$1-a-$$
	B=tcps-$1-b-$$
	VA=$(printf '%.15s' "tcps-$2a$$")
	VB=$(printf '%.15s' "tcps-$2b$$")
	tmp=$(mktemp -d)
	pids=""
	trap netns_cleanup EXIT INT TERM
}

netns_up() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP $1: not root"
		exit 0
	fi
	if [ ! -x "$ECHO" ]; then
		echo "SKIP $1: $ECHO not built (make tools)"
		exit 0
	fi
	if ! command -v sqlite3 >/dev/null; then
		echo "SKIP $1: sqlite3 not installed"
		exit 0
	fi
	if ! command -v ip >/dev/null || ! ip netns add "$A" 2>/dev/null; then
		echo "SKIP $1: network namespaces unavailable"
		exit 0
	fi
	ip netns add "$B" &&
	ip link add "$VA" netns "$A" type veth peer name "$VB" netns "$B" &&
	ip -n "$A" addr add "$2.1/24" dev "$VA" &&
	ip -n "$B" addr add "$2.2/24" dev "$VB" &&
	ip -n "$A" link set "$VA" up && ip -n "$B" link set "$VB" up &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up || {
		echo "SKIP $1: cannot set up the veth pair"
		exit 0
	}
}
