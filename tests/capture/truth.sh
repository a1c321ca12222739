#!/bin/sh
# truth.sh - counts, independently of tcpscope, what a real capture shows,
# to help write pcaps/real-*.expect by hand (with the forwarder's log, which
# says what was dropped or swapped on purpose).
#
#   sh tests/capture/truth.sh pcaps/real-loss.pcap
#
# Reads `tcpdump -nn -S -r FILE` (absolute sequence numbers) and prints, per
# connection and direction (a new SYN on a 4-tuple starts a new connection):
# packets, payload bytes on the wire, and segments that are
#   retrans   data whose first byte was already sent in this direction
#   dupack    pure ACK repeating the previous ack and window of this side,
#             while the other side has unacknowledged data
#   ka        0/1-byte ACK at snd.nxt - 1 while the peer's window is open
#   zwp       the same while the peer's last window was zero (Linux sends its
#             zero-window probes that way), or 1 byte at snd.nxt then
#   synre     SYN or SYN-ACK sent again; finre: FIN sent again
# Definitions follow Wireshark's tcp.analysis flags closely; they are an aid,
# and every number that goes into an .expect is checked by hand.
set -u
[ $# -eq 1 ] || { echo "usage: truth.sh FILE" >&2; exit 2; }
tcpdump -nn -S -x -r "$1" 2>/dev/null | awk '
function hexval(h,    i, v) {
	v = 0
	for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
	return v
}
# The sequence number from the hex dump (tcpdump prints none for empty ACKs).
function hexseq(    ihl) {
	ihl = substr(hx, 1, 1) == "6" ? 40 : hexval(substr(hx, 2, 1)) * 4
	return hexval(substr(hx, 2 * ihl + 9, 8))
}
function num(pat, def,    s) {
	if (match($0, pat)) { s = substr($0, RSTART, RLENGTH); sub(/^[a-z]+ /, "", s); return s + 0 }
	return def
}
/^[ \t]+0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) hx = hx $i; next }
{ cur = $0; if (line != "") segment(); line = cur; hx = ""; next }
function segment(    i, src, dst, fl, len, seq, ack, win, key, rkey, c, d, e, peerzero) {
	$0 = line
	if ($0 !~ / Flags \[/) return
	for (i = 1; i <= NF; i++) if ($i == ">") break
	src = $(i - 1); dst = $(i + 1); sub(/:$/, "", dst)
	fl = $0; sub(/.*Flags \[/, "", fl); sub(/\].*/, "", fl)
	len = num("length [0-9]+", 0); seq = hexseq()
	ack = num("ack [0-9]+", -1); win = num("win [0-9]+", -1)
	key = src " > " dst; rkey = dst " > " src
	if (fl ~ /S/ && fl !~ /\./ && (key in isn) && seq != isn[key]) {
		conn[key]++; conn[rkey] = conn[key]       # new incarnation
		delete hi[key]; delete hi[rkey]; delete la[key]; delete la[rkey]
		delete isn[key]; delete isn[rkey]; delete lw[rkey]; delete fin[key]; delete fin[rkey]
	}
	c = key " #" (conn[key] + 0)
	if (!(c in order)) { order[c] = ++n; names[n] = c }
	pk[c]++; by[c] += len
	if (fl ~ /S/) {
		if ((key in isn) && isn[key] == seq) synre[c]++
		isn[key] = seq; hi[key] = seq + 1 + len
	} else if (key in hi) {
		d = seq - hi[key]
		peerzero = (rkey in lw) && lw[rkey] == 0
		if (len <= 1 && d == -1 && fl !~ /[FR]/)
			{ if (peerzero) zwp[c]++; else ka[c]++ }
		else if (len == 1 && d == 0 && peerzero) zwp[c]++
		else if (len > 0 && d < 0) rt[c]++
		if (fl ~ /F/) { if ((key in fin) && fin[key] == seq + len) finre[c]++; fin[key] = seq + len }
		e = seq + len + (fl ~ /F/ ? 1 : 0)
		if (e - hi[key] > 0) hi[key] = e
		if (len == 0 && fl == "." && (key in la) && la[key] == ack && lw[key] == win &&
		    (rkey in hi) && hi[rkey] - ack > 0 && !(len <= 1 && d == -1)) da[c]++
	}
	if (fl ~ /\./) { la[key] = ack }
	if (fl !~ /[SR]/) lw[key] = win
}
END {
	if (line != "") segment()
	for (i = 1; i <= n; i++) {
		c = names[i]
		printf "%-48s pk %4d bytes %7d retrans %d dupack %d ka %d zwp %d synre %d finre %d\n",
		    c, pk[c], by[c], rt[c], da[c], ka[c], zwp[c], synre[c], finre[c]
	}
}'
