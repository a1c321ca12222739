#!/bin/sh
# Runs the whole suite: every unit binary in $BUILD/tests, then every shell
# suite tests/t_*.sh. Each prints "PASS name", "FAIL name: why" or
# "SKIP name: why" lines; this script counts them and ends with the line
# "N passed, N failed" (", N skipped"). Exit status 1 on any failure.
set -u
: "${BUILD:?}" "${TCPSCOPE:?}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export TCPSCOPE BUILD
export TOP="$top"
export SHARED="${SHARED:-$top/../shared}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() { # name, command...
	name=$1; shift
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP) ' >> "$log"
	printf '%s\n' "$out" | grep -E '^(FAIL|SKIP) ' | sed "s|^|  [$name] |"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $name: exited $rc" >> "$log"
		echo "  [$name] FAIL: exited $rc"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
	fi
	printf '%-28s %s passed\n' "$name" "$(printf '%s\n' "$out" | grep -c '^PASS ')"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.o|*.d) continue ;; esac
	run "$(basename "$t")" "$t"
done
for s in "$here"/t_*.sh; do
	[ -f "$s" ] || continue
	run "$(basename "$s" .sh)" sh "$s"
done

p=$(grep -c '^PASS ' "$log")
f=$(grep -c '^FAIL ' "$log")
s=$(grep -c '^SKIP ' "$log")
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" -eq 0 ]
