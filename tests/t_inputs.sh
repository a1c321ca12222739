#!/bin/sh
# t_inputs.sh - captures as users bring them (issue 15): compressed with
# gzip, zstd or xz, as files and on stdin, told by their magic bytes. The
# same capture gives the same SHA-256 (of the uncompressed bytes) and the
# same connections however it is wrapped; a wrapped copy of a capture
# imported before is "already imported"; damaged compressed data is a
# one-line error, non-zero exit, and what was read before stays stored.
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}"
TOP=${TOP:-.}
SHARED=${SHARED:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# The connections of capture $2 in database $1, without the ids a database
# gives: what must not depend on how the capture was wrapped.
conns() {
	sqlite3 "$1" "SELECT tc_id, vlan, client_ip, client_port, server_ip,
	  server_port, first_ts, last_ts, first_pkt, last_pkt, close,
	  conn_state, history, c2s_packets, s2c_packets, c2s_payload_bytes,
	  s2c_payload_bytes, rtt_handshake_ns FROM connections
	  WHERE capture_id = $2 ORDER BY tc_id"
}
capcol() { sqlite3 "$1" "SELECT $3 FROM captures WHERE id = $2"; }

for t in gzip zstd xz; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP compressed: $t not installed (make deps)"
		exit 0
	fi
done

caps="$TOP/pcaps/demo.pcap $TOP/pcaps/syn-pcapng-multi.pcapng"
[ -f "${SHARED}/pcaps/chrissanders-tcp_handshake.pcapng" ] &&
	caps="$caps $SHARED/pcaps/chrissanders-tcp_handshake.pcapng"

# ---- Every wrapping gives the plain capture's hash and connections ------
for cap in $caps; do
	b=$(basename "$cap")
	sum=$(sha256sum "$cap" | cut -d' ' -f1)
	"$TCPSCOPE" read -q -d "$tmp/plain-$b.db" "$cap" >/dev/null 2>&1
	conns "$tmp/plain-$b.db" 1 >"$tmp/plain-$b.conns"
	if [ ! -s "$tmp/plain-$b.conns" ]; then
		fail "plain-$b" "no connections from the plain capture"
		continue
	fi
	gzip -c "$cap" >"$tmp/$b.gz"
	zstd -q -c "$cap" >"$tmp/$b.zst"
	xz -c "$cap" >"$tmp/$b.xz"
	for z in gz zst xz; do
		name="$z-$b"
		db="$tmp/$name.db"
		if ! "$TCPSCOPE" read -q -d "$db" "$tmp/$b.$z" >/dev/null \
		     2>"$tmp/err"; then
			fail "$name" "$(head -c 300 "$tmp/err")"
			continue
		fi
		conns "$db" 1 >"$tmp/$name.conns"
		if ! cmp -s "$tmp/plain-$b.conns" "$tmp/$name.conns"; then
			fail "$name" "connections differ from the plain capture's"
		elif [ "$(capcol "$db" 1 sha256)" != "$sum" ]; then
			fail "$name" "sha256 $(capcol "$db" 1 sha256), not $sum"
		elif [ "$(capcol "$db" 1 size)" != "$(wc -c <"$tmp/$b.$z")" ]; then
			fail "$name" "size is not the compressed file's"
		else
			pass "$name"
		fi
		# The same on stdin (no hash, as for any stdin).
		"$TCPSCOPE" read -q -d "$tmp/stdin-$name.db" - \
			<"$tmp/$b.$z" >/dev/null 2>"$tmp/err"
		conns "$tmp/stdin-$name.db" 1 >"$tmp/stdin-$name.conns"
		if cmp -s "$tmp/plain-$b.conns" "$tmp/stdin-$name.conns"; then
			pass "stdin-$name"
		else
			fail "stdin-$name" "connections differ: $(head -c 200 "$tmp/err")"
		fi
	done
done

# ---- A wrapped copy of an imported capture is a duplicate --------------
demo="$TOP/pcaps/demo.pcap"
for z in gz zst xz; do
	db="$tmp/dup-$z.db"
	"$TCPSCOPE" read -q -d "$db" "$demo" >/dev/null 2>&1
	"$TCPSCOPE" read -q -d "$db" "$tmp/demo.pcap.$z" >/dev/null 2>"$tmp/err"
	if grep -q "already imported" "$tmp/err" &&
	   [ "$(sqlite3 "$db" 'SELECT count(*) FROM captures')" = 1 ]; then
		pass "duplicate-$z"
	else
		fail "duplicate-$z" "$(head -c 300 "$tmp/err")"
	fi
done
# And the other way round, the plain one after the compressed one.
db="$tmp/dup-rev.db"
"$TCPSCOPE" read -q -d "$db" "$tmp/demo.pcap.xz" >/dev/null 2>&1
"$TCPSCOPE" read -q -d "$db" "$demo" >/dev/null 2>"$tmp/err"
if grep -q "already imported" "$tmp/err"; then
	pass duplicate-plain-after-xz
else
	fail duplicate-plain-after-xz "$(head -c 300 "$tmp/err")"
fi

# ---- Concatenated members, frames and streams are read whole -----------
# (as gzip -d, zstd -d and xz -d do): the capture in two pieces.
len=$(wc -c <"$demo")
half=$((len / 2))
for z in gz zst xz; do
	case $z in gz) c="gzip -c" ;; zst) c="zstd -q -c" ;; xz) c="xz -c" ;; esac
	{ head -c "$half" "$demo" | $c; tail -c +"$((half + 1))" "$demo" | $c; } \
		>"$tmp/two.$z"
	"$TCPSCOPE" read -q -d "$tmp/two-$z.db" "$tmp/two.$z" >/dev/null \
		2>"$tmp/err"
	if [ "$(conns "$tmp/two-$z.db" 1)" = "$(cat "$tmp/plain-demo.pcap.conns")" ] &&
	   [ "$(capcol "$tmp/two-$z.db" 1 sha256)" = "$(sha256sum "$demo" | cut -d' ' -f1)" ]; then
		pass "concatenated-$z"
	else
		fail "concatenated-$z" "$(head -c 300 "$tmp/err")"
	fi
done

# ---- The name does not matter, the magic does --------------------------
cp "$tmp/demo.pcap.zst" "$tmp/misnamed.pcap"
cp "$demo" "$tmp/plain-named.gz"
db="$tmp/names.db"
if "$TCPSCOPE" read -q -d "$db" "$tmp/misnamed.pcap" >/dev/null 2>"$tmp/err" &&
   "$TCPSCOPE" read -q -d "$tmp/names2.db" "$tmp/plain-named.gz" \
	>/dev/null 2>>"$tmp/err"; then
	pass magic-not-name
else
	fail magic-not-name "$(head -c 300 "$tmp/err")"
fi

# ---- extract reads the packets back from the compressed capture --------
db="$tmp/gz-demo.pcap.db"
if "$TCPSCOPE" extract -d "$db" -w "$tmp/x.pcap" 1 >/dev/null 2>"$tmp/err" &&
   [ "$(tcpdump -r "$tmp/x.pcap" 2>/dev/null | wc -l)" -gt 0 ]; then
	pass extract-from-gz
else
	fail extract-from-gz "$(head -c 300 "$tmp/err")"
fi

# ---- Damage: cut short, corrupt, empty ----------------------------------
# A database with one good capture, then damaged ones: one line each, exit
# 3, the packets before the damage stored, the good capture untouched.
for z in gz zst xz; do
	db="$tmp/damage-$z.db"
	"$TCPSCOPE" read -q -d "$db" "$TOP/pcaps/real-abort.pcap" >/dev/null 2>&1
	before=$(conns "$db" 1)
	# Cut in the second piece: zstd gives nothing of a block before
	# its end, so the first piece is whole.
	f="$tmp/two.$z"
	n=$(($(wc -c <"$f") * 7 / 8))
	head -c "$n" "$f" >"$tmp/cut.$z"
	"$TCPSCOPE" read -q -d "$db" "$tmp/cut.$z" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 3 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
	   ! grep -q "cut.$z: .*cut short" "$tmp/err"; then
		fail "cut-$z" "exit $rc: $(head -c 300 "$tmp/err")"
	elif [ "$(capcol "$db" 2 packets)" -lt 1 ] 2>/dev/null ||
	     [ -z "$(capcol "$db" 2 error)" ] ||
	     [ "$(conns "$db" 1)" != "$before" ]; then
		fail "cut-$z" "stored: $(capcol "$db" 2 "packets || ' ' || error")"
	else
		pass "cut-$z"
	fi
	# A byte flipped in the middle of the compressed data.
	python3 - "$tmp/demo.pcap.$z" "$tmp/bad.$z" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for i in range(len(b) // 2, len(b) // 2 + 16):
    b[i] ^= 0x5a
open(sys.argv[2], 'wb').write(b)
EOF
	"$TCPSCOPE" read -q -d "$db" "$tmp/bad.$z" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	   grep -q "^tcpscope read: $tmp/bad.$z: $z\|^tcpscope read: $tmp/bad.$z: gzip" \
		"$tmp/err" &&
	   [ "$(conns "$db" 1)" = "$before" ]; then
		pass "corrupt-$z"
	else
		fail "corrupt-$z" "exit $rc: $(head -c 300 "$tmp/err")"
	fi
done
# Only a magic: nothing to read.
printf '\037\213' >"$tmp/magic-only.gz"
"$TCPSCOPE" read -q -d "$tmp/m.db" "$tmp/magic-only.gz" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	pass magic-only
else
	fail magic-only "exit $rc: $(head -c 300 "$tmp/err")"
fi
# A compressed empty file, and compressed garbage.
: | gzip -c >"$tmp/empty.gz"
printf 'not a capture at all\n' | xz -c >"$tmp/garbage.xz"
for f in empty.gz garbage.xz; do
	"$TCPSCOPE" read -q -d "$tmp/m.db" "$tmp/$f" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		pass "content-$f"
	else
		fail "content-$f" "exit $rc: $(head -c 300 "$tmp/err")"
	fi
done

# ---- F1: timestamps past the int64 ns range saturate, never wrap ---------
# pcapgen's ts-extreme: if_tsresol 0 and stamps of 2^40 s, one interface
# (libpcap reads it); ts-extreme-multi: the same beside a raw-IP interface
# whose if_tsoffset takes its stamps below the range (the own reader). The
# stamps become INT64_MAX / INT64_MIN, counted in the capture's reasons;
# before, 2^40 s wrapped to first_ts -7293016646573096960.
gen=${BUILD:-$TOP/build}/tools/pcapgen
MAX=9223372036854775807
MIN=-9223372036854775808
if [ ! -x "$gen" ]; then
	echo "SKIP ts-extreme: no $gen (make tools)"
else
	"$gen" ts-extreme "$tmp/ts1.pcapng"
	"$gen" ts-extreme-multi "$tmp/ts2.pcapng"
	for how in file stdin; do
		db="$tmp/ts-$how.db"
		if [ $how = file ]; then
			"$TCPSCOPE" read -q -d "$db" "$tmp/ts1.pcapng" "$tmp/ts2.pcapng" \
				>/dev/null 2>"$tmp/err"
		else
			"$TCPSCOPE" read -q -d "$db" - <"$tmp/ts1.pcapng" >/dev/null 2>"$tmp/err"
			"$TCPSCOPE" read -q -d "$db" - <"$tmp/ts2.pcapng" >/dev/null 2>>"$tmp/err"
		fi
		got=$(sqlite3 "$db" "SELECT first_ts, last_ts, reasons FROM captures
		  ORDER BY id; SELECT first_ts, last_ts FROM connections ORDER BY id" |
		  tr '\n' ' ')
		want="$MAX|$MAX|timestamp-out-of-range=10 $MIN|$MAX|timestamp-out-of-range=20 $MAX|$MAX $MAX|$MAX $MIN|$MIN "
		if [ "$got" = "$want" ]; then
			pass "ts-extreme-$how"
		else
			fail "ts-extreme-$how" "got '$got' $(head -c 200 "$tmp/err")"
		fi
	done
	"$TCPSCOPE" read -d "$tmp/ts-print.db" "$tmp/ts1.pcapng" >"$tmp/out" 2>&1
	if grep -q "ts out of range 10 (saturated)" "$tmp/out" &&
	   grep -q "first  *2262-04-11T23:47:16.854775807Z" "$tmp/out"; then
		pass ts-extreme-printed
	else
		fail ts-extreme-printed "$(grep -m2 'range\|first' "$tmp/out")"
	fi
fi

# ---- IP fragments: reassembled before TCP --------------------------------
# pcapwrap cuts every TCP datagram of a capture into IP fragments (IPv4
# and IPv6, VLAN-tagged, with IPv6 extension headers); the connections
# must be those of the original (packet numbers aside: a datagram's number
# is that of its last fragment).
wrap=${BUILD:-$TOP/build}/tools/pcapwrap
# conns without packet numbers
conns_np() {
	sqlite3 "$1" "SELECT tc_id, vlan, client_ip, client_port, server_ip,
	  server_port, first_ts, last_ts, close, conn_state, history,
	  c2s_packets, s2c_packets, c2s_payload_bytes, s2c_payload_bytes,
	  c2s_bad_checksums, s2c_bad_checksums, rtt_handshake_ns
	  FROM connections WHERE capture_id = 1 ORDER BY tc_id"
}
reasons() { sqlite3 "$1" "SELECT reasons FROM captures WHERE id = 1"; }
if [ ! -x "$wrap" ]; then
	echo "SKIP defrag: no $wrap (make tools)"
else
	for c in demo real-ipv6 syn-ipv6-ext syn-vlan real-loss; do
		"$TCPSCOPE" read -q -d "$tmp/fp-$c.db" "$TOP/pcaps/$c.pcap" \
			>/dev/null 2>&1
		conns_np "$tmp/fp-$c.db" >"$tmp/fp-$c.conns"
		for how in 16 24r 8 16d; do
			f="$tmp/frag-$c-$how.pcap"
			n=$("$wrap" frag "$how" "$TOP/pcaps/$c.pcap" "$f" |
			    cut -d' ' -f2)
			db="$tmp/frag-$c-$how.db"
			"$TCPSCOPE" read -q -d "$db" "$f" >/dev/null 2>"$tmp/err"
			if [ "$n" -gt 0 ] &&
			   cmp -s "$tmp/fp-$c.conns" "$(conns_np "$db" >"$db.c"; echo "$db.c")" &&
			   reasons "$db" | grep -q "reassembled=$n\(,\|$\)"; then
				pass "defrag-$c-$how"
			else
				fail "defrag-$c-$how" "$n datagrams; $(reasons "$db") $(head -c 200 "$tmp/err")"
			fi
		done
	done
	# Overlapping data (other bytes over part of the first piece): the
	# datagram is dropped, as Linux does; the rest of it times out.
	n=$("$wrap" frag 16o "$TOP/pcaps/demo.pcap" "$tmp/ov.pcap" | cut -d' ' -f2)
	"$TCPSCOPE" read -q -d "$tmp/ov.db" "$tmp/ov.pcap" >/dev/null 2>&1
	plain=$(sqlite3 "$tmp/fp-demo.db" "SELECT tcp_segments FROM captures")
	got=$(sqlite3 "$tmp/ov.db" "SELECT tcp_segments FROM captures")
	if [ "$got" -eq $((plain - n)) ] &&
	   reasons "$tmp/ov.db" | grep -q "fragments-overlapping=$n"; then
		pass defrag-overlap
	else
		fail defrag-overlap "$got segments, $plain - $n expected; $(reasons "$tmp/ov.db")"
	fi
	# A flood: 3000 never-completed first fragments before every datagram
	# (about 200,000 in all; the pieces of one datagram stay together):
	# same connections, the table's evictions counted, memory bounded
	# (within 16 MiB of reading the capture plain).
	k=$("$wrap" flood 3000 "$TOP/pcaps/demo.pcap" "$tmp/fl0.pcap")
	"$wrap" frag 16 "$tmp/fl0.pcap" "$tmp/flood.pcap" >/dev/null
	if command -v /usr/bin/time >/dev/null 2>&1; then
		m0=$(/usr/bin/time -f %M "$TCPSCOPE" read -q -d "$tmp/m0.db" \
			"$TOP/pcaps/demo.pcap" 2>&1 >/dev/null | tail -n 1)
		m1=$(/usr/bin/time -f %M "$TCPSCOPE" read -q -d "$tmp/flood.db" \
			"$tmp/flood.pcap" 2>&1 >/dev/null | tail -n 1)
	else
		"$TCPSCOPE" read -q -d "$tmp/flood.db" "$tmp/flood.pcap" \
			>/dev/null 2>&1
		m0=0 m1=0
	fi
	conns_np "$tmp/flood.db" >"$tmp/flood.conns"
	ev=$(reasons "$tmp/flood.db" | tr ',' '\n' |
	     sed -n 's/^fragments-evicted=//p')
	to=$(reasons "$tmp/flood.db" | tr ',' '\n' |
	     sed -n 's/^fragments-timed-out=//p')
	if cmp -s "$tmp/fp-demo.conns" "$tmp/flood.conns" &&
	   [ "$((ev + to))" -eq "$k" ] && [ "$((m1 - m0))" -lt 16384 ]; then
		pass defrag-flood
	else
		fail defrag-flood "$k bogus: evicted $ev, timed out $to; RSS $m0 -> $m1 KiB"
	fi
fi
# The shared corpus's fragmented SYNs now give their connection.
for c in zeek-ipv4-fragmented-syn suricata-verify-defrag-ipv4-tcp-syn \
	 pcapplusplus-frag_http_req; do
	f="${SHARED}/pcaps/$c.pcap"
	[ -f "$f" ] || { echo "SKIP defrag-$c: no $f"; continue; }
	"$TCPSCOPE" read -q -d "$tmp/$c.db" "$f" >/dev/null 2>&1
	got=$(sqlite3 "$tmp/$c.db" "SELECT count(*), sum(c2s_packets) FROM connections")
	if [ "$got" = "1|1" ]; then
		pass "defrag-$c"
	else
		fail "defrag-$c" "connections|packets: $got"
	fi
done

# ---- Tunnels and mirrors: decapsulated --------------------------------
# pcapwrap puts every frame of a capture inside GRE (IP, with a key,
# Ethernet; over IPv4 and IPv6), ERSPAN II and III, VXLAN, GENEVE, IP-in-IP
# and IPv6-in-IPv4, or 802.3 LLC/SNAP framing: the same connections,
# packet numbers included. (syn-vlan only where the inner Ethernet header,
# with its VLAN tags, is kept.)
if [ -x "$wrap" ]; then
	for c in demo real-ipv6 syn-vlan; do
		"$TCPSCOPE" read -q -d "$tmp/tp-$c.db" "$TOP/pcaps/$c.pcap" \
			>/dev/null 2>&1
		conns "$tmp/tp-$c.db" 1 >"$tmp/tp-$c.conns"
		for k in gre gre-key gre-teb erspan2 erspan3 vxlan geneve ipip \
			 6in4 llc; do
			case "$c-$k" in
			syn-vlan-gre | syn-vlan-gre-key | syn-vlan-ipip | \
			syn-vlan-6in4) continue ;;
			esac
			n=$("$wrap" encap "$k" "$TOP/pcaps/$c.pcap" "$tmp/t.pcap")
			db="$tmp/tun-$c-$k.db"
			"$TCPSCOPE" read -q -d "$db" "$tmp/t.pcap" >/dev/null 2>&1
			conns "$db" 1 >"$tmp/t.conns"
			# The tunnel with an id is part of the identity
			# (frames not wrapped, as truncated ones, have none).
			case $k in
			gre-key) want=gre:77 ;; gre-teb) want=gre:99 ;;
			erspan2) want=erspan:5 ;; erspan3) want=erspan:6 ;;
			vxlan) want=vxlan:4242 ;; geneve) want=geneve:4243 ;;
			*) want= ;;
			esac
			tun=$(sqlite3 "$db" "SELECT group_concat(DISTINCT
				tunnel) FROM connections")
			if [ "$n" -gt 0 ] && cmp -s "$tmp/tp-$c.conns" "$tmp/t.conns" &&
			   [ "$tun" = "$want" ]; then
				pass "tunnel-$c-$k"
			else
				fail "tunnel-$c-$k" "$n wrapped, tunnel '$tun' (want '$want'); $(reasons "$db")"
			fi
		done
	done
	# Two tenants (VNIs) with the same traffic at the same time: two
	# connections each, not one connection whose every segment is a
	# duplicate; the flow's own packets are found again by the timeline.
	c=demo
	"$wrap" encap vxlan-twice "$TOP/pcaps/$c.pcap" "$tmp/t2.pcap" >/dev/null
	db=$tmp/tun-twice.db
	"$TCPSCOPE" read -q -d "$db" "$tmp/t2.pcap" >/dev/null 2>&1
	for v in 4242 4343; do
		sqlite3 "$db" "SELECT vlan, client_ip, client_port, server_ip,
		  server_port, close, conn_state, history, c2s_packets,
		  s2c_packets, c2s_payload_bytes, s2c_payload_bytes,
		  c2s_capture_duplicates FROM connections
		  WHERE tunnel = 'vxlan:$v' ORDER BY first_ts, client_port"
	done >"$tmp/t2.conns"
	sqlite3 "$tmp/tp-$c.db" "SELECT vlan, client_ip, client_port, server_ip,
	  server_port, close, conn_state, history, c2s_packets, s2c_packets,
	  c2s_payload_bytes, s2c_payload_bytes, c2s_capture_duplicates
	  FROM connections ORDER BY first_ts, client_port" >"$tmp/t1.conns"
	cat "$tmp/t1.conns" "$tmp/t1.conns" >"$tmp/t11.conns"
	id=$(sqlite3 "$db" "SELECT id FROM connections WHERE tunnel = 'vxlan:4343'
		ORDER BY c2s_packets + s2c_packets DESC LIMIT 1")
	want=$(sqlite3 "$db" "SELECT c2s_packets + s2c_packets FROM connections
		WHERE id = $id")
	got=$("$TCPSCOPE" timeline -f json -d "$db" "$id" 2>/dev/null |
		grep -c '^{"ts":')
	if cmp -s "$tmp/t11.conns" "$tmp/t2.conns" && [ "$got" = "$want" ]; then
		pass tunnel-identity-vni
	else
		fail tunnel-identity-vni "$(wc -l <"$tmp/t2.conns") rows for \
$(wc -l <"$tmp/t1.conns") plain; timeline of $id: $got of $want segments"
	fi
fi

# ---- pcapng details: comments, interface names, sections --------------------
# pcapngmeta rewrites a capture as pcapng in two sections, each with a
# commented section header and a named, described, commented interface, and
# a comment on every third packet, all with terminal escapes. Kept in the
# database as given; shown by report (and read) and timeline, escaped; the
# JSON stays valid; the connections are those of the plain capture.
ngm=${BUILD:-$TOP/build}/tools/pcapngmeta
if [ -x "$ngm" ]; then
	c=demo
	want=$("$ngm" "$TOP/pcaps/$c.pcap" "$tmp/meta.pcapng")
	db=$tmp/meta.db
	"$TCPSCOPE" read -d "$db" "$tmp/meta.pcapng" >"$tmp/meta.out" 2>&1
	[ -f "$tmp/tp-$c.db" ] ||
		"$TCPSCOPE" read -q -d "$tmp/tp-$c.db" "$TOP/pcaps/$c.pcap" >/dev/null 2>&1
	row=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM packet_comments),
		(SELECT group_concat(iface || ':' || section || ':' || name, ' ')
		 FROM capture_interfaces),
		(SELECT count(*) FROM capture_notes),
		(SELECT count(*) FROM capture_notes WHERE kind = 'comment')")
	conns "$db" 1 >"$tmp/meta.conns"
	conns "$tmp/tp-$c.db" 1 >"$tmp/plain.conns"
	if [ "$row" = "$want|0:0:eth0 1:1:mirror0|8|2" ] &&
	   cmp -s "$tmp/meta.conns" "$tmp/plain.conns"; then
		pass pcapng-meta-stored
	else
		fail pcapng-meta-stored "got '$row', want '$want|0:0:eth0 1:1:mirror0|8|2'"
	fi
	"$TCPSCOPE" report -d "$db" >>"$tmp/meta.out" 2>&1
	n=0
	for id in $(sqlite3 "$db" "SELECT id FROM connections ORDER BY id"); do
		"$TCPSCOPE" timeline -d "$db" "$id" >>"$tmp/meta.out" 2>&1
		k=$("$TCPSCOPE" timeline -f json -d "$db" "$id" | grep -c '"comment":')
		n=$((n + k))
	done
	bad=$(LC_ALL=C tr -d '\n' <"$tmp/meta.out" | LC_ALL=C grep -c "$(printf '[\001-\010\013-\037\177]')")
	c1=$(LC_ALL=C grep -c "$(printf '\302\233')" "$tmp/meta.out")
	if [ "$n" = "$want" ] && [ "$bad" = 0 ] && [ "$c1" = 0 ] &&
	   grep -q 'interface 1: mirror0 (EN10MB) "SPAN of \\x1b\[31mcore": second' "$tmp/meta.out" &&
	   grep -q '# packet 3 \\x1b\[1m' "$tmp/meta.out" &&
	   "$TCPSCOPE" report -f json -d "$db" | jq -e '.captures[0].interfaces[1].name == "mirror0" and (.captures[0].notes | length) == 8 and .captures[0].packet_comments == '"$want" >/dev/null; then
		pass pcapng-meta-shown
	else
		fail pcapng-meta-shown "$n of $want comments in timelines, $bad lines with C0, $c1 with C1"
	fi
else
	skip pcapng-meta "no $ngm"
fi

# ---- A rotated series read as one capture (issue 16) -------------------------
# pcapwrap split cuts a capture in 4 parts as tcpdump -C rotates files;
# `read --series` gives the connections of the whole file (packet numbers
# go on across parts, connections spanning parts stay one) and the same
# ladders, read again from the parts; a gzip-compressed part is fine;
# without --series the parts are 4 captures and the spanning connections
# are cut; a part of another link type is refused naming it; a part
# missing later is named when a ladder needs it.
if [ -x "$wrap" ]; then
	ok=1 why=""
	for c in demo real-loss; do
		"$wrap" split 4 "$TOP/pcaps/$c.pcap" "$tmp/part-$c-" >/dev/null
		gzip -k "$tmp/part-$c-2"
		"$TCPSCOPE" read -q -d "$tmp/whole-$c.db" "$TOP/pcaps/$c.pcap" >/dev/null 2>&1
		"$TCPSCOPE" read -q --series -d "$tmp/ser-$c.db" "$tmp/part-$c-0" \
			"$tmp/part-$c-1" "$tmp/part-$c-2.gz" "$tmp/part-$c-3" \
			>"$tmp/ser.out" 2>&1 || { ok=0; why="$why $c: $(cat "$tmp/ser.out")"; }
		conns "$tmp/whole-$c.db" 1 >"$tmp/w.conns"
		conns "$tmp/ser-$c.db" 1 >"$tmp/s.conns"
		cmp -s "$tmp/w.conns" "$tmp/s.conns" || { ok=0; why="$why $c: connections differ"; }
		for id in $(sqlite3 "$tmp/ser-$c.db" "SELECT id FROM connections"); do
			a=$("$TCPSCOPE" timeline -f json -d "$tmp/whole-$c.db" "$id" | tail -n +2 | md5sum)
			b=$("$TCPSCOPE" timeline -f json -d "$tmp/ser-$c.db" "$id" | tail -n +2 | md5sum)
			[ "$a" = "$b" ] || { ok=0; why="$why $c: timeline of $id differs"; }
		done
		n=$(sqlite3 "$tmp/ser-$c.db" "SELECT count(*) FROM capture_parts")
		[ "$n" = 4 ] || { ok=0; why="$why $c: $n parts stored"; }
	done
	"$TCPSCOPE" read -q -d "$tmp/cut.db" "$tmp/part-real-loss-0" "$tmp/part-real-loss-1" \
		"$tmp/part-real-loss-2" "$tmp/part-real-loss-3" >/dev/null 2>&1
	cut=$(sqlite3 "$tmp/cut.db" "SELECT count(*) FROM connections")
	whole=$(sqlite3 "$tmp/whole-real-loss.db" "SELECT count(*) FROM connections")
	if [ $ok = 1 ] && [ "$cut" -gt "$whole" ]; then
		pass series-as-one-capture
	else
		fail series-as-one-capture "$why; $cut connections cut vs $whole whole"
	fi
	"$TCPSCOPE" read -q --series -d "$tmp/ser-bad.db" "$tmp/part-demo-0" \
		"$TOP/pcaps/real-sll.pcap" >/dev/null 2>"$tmp/ser.err"
	rc=$?
	if [ $rc = 3 ] && grep -q "part 2 (.*real-sll.pcap): its pcap file header" "$tmp/ser.err"; then
		pass series-part-refused
	else
		fail series-part-refused "exit $rc: $(cat "$tmp/ser.err")"
	fi
	mv "$tmp/part-demo-3" "$tmp/part-demo-3.moved"
	"$TCPSCOPE" timeline -d "$tmp/ser-demo.db" 5 >"$tmp/ser.tl" 2>&1
	if grep -q "part 4 of the capture of flow 5, '.*part-demo-3', cannot be read" "$tmp/ser.tl"; then
		pass series-part-missing
	else
		fail series-part-missing "$(head -c 300 "$tmp/ser.tl")"
	fi
fi
