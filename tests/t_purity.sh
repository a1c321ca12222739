#!/bin/sh
# tcpcore is a pure library: no stdio, libpcap, SQLite or curses, no I/O.
cd "$TOP" || exit 1
bad=$(grep -nE '#[[:space:]]*include[[:space:]]*[<"](stdio|pcap|pcap/pcap|sqlite3|curses|ncurses|ncursesw/curses|unistd|time)\.h[>"]' tcpcore/*.c tcpcore/*.h)
if [ -n "$bad" ]; then echo "FAIL purity-includes: $bad"; else echo "PASS purity-includes"; fi
# No writable globals: every file-scope object in tcpcore must be const.
objs=""
for o in "$BUILD"/tcpcore/*.o; do
	[ -f "$o" ] || continue
	d=$(nm "$o" | awk '$2 ~ /^[BbDdCc]$/ && $3 !~ /^_*(odr_asan|asan|ubsan|sancov)/ {print $3}')
	[ -n "$d" ] && objs="$objs $(basename "$o"):$d"
done
if [ -n "$objs" ]; then echo "FAIL purity-globals:$objs"; else echo "PASS purity-globals"; fi
# Every state a side is in comes from tcpcore/emit.c (tc_first_state(),
# tc_transition(), which check it): no other file assigns one.
bad=$(grep -nE '(\.|->)state\[[^]]*\][[:space:]]*=[^=]|\bst\[[^]]*\][[:space:]]*=[^=]' tcpcore/*.c | grep -v '^tcpcore/emit\.c:')
if [ -n "$bad" ]; then echo "FAIL purity-states: $bad"; else echo "PASS purity-states"; fi
