#!/bin/sh
# mutation-run.sh - the mutation run of `make fuzz-long`: MUTANTS (default
# 10000) mutated copies of the project's own captures (pcaps/, and the
# capture harness's seeds: pcapng options, extreme stamps, tunnels,
# fragments, compressed files), each read by the ASan+UBSan build
# (`read --segments`, then `flows -f json` and `timeline` of flow 1 when
# the read stored something). A finding is a sanitizer report, a failed
# assertion, a signal, a run over TIMEOUT seconds, or a read exit status
# other than 0, 1 and 3 (tcpscope(1)); each is kept in OUT/findings/.
#
#   sh tests/fuzz/mutation-run.sh ASAN_BUILD_DIR OUT [SEED]
#
# Prints one line per finding and a closing "mutation run: N files,
# N findings" line; exit status 1 when anything was found.
set -u
build=$1 out=$2 seed=${3:-1}
: "${MUTANTS:=10000}" "${TIMEOUT:=30}" "${JOBS:=2}"
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/tcpscope
[ -x "$bin" ] && [ -x "$build/tools/mutate" ] ||
	{ echo "mutation-run: build $bin and $build/tools/mutate first" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/in" "$out/findings" "$out/db"
inputs=$(ls "$top"/pcaps/*.pcap "$top"/pcaps/*.pcapng "$top"/tests/fuzz/corpus_capture/* 2>/dev/null)
# shellcheck disable=SC2086
"$build/tools/mutate" "$seed" "$MUTANTS" "$out/in" $inputs || exit 2

# one FILE: runs the commands, prints "FINDING file: why" on a finding
cat >"$out/one.sh" <<'ONE'
f=$1 bin=$2 out=$3 t=$4
n=$(basename "$f")
db=$out/db/$n.db
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
check() { # rc, what, log
	if grep -q -e 'Sanitizer' -e 'runtime error' -e 'Assertion' "$3"; then
		why="sanitizer ($2)"
	elif [ "$1" -eq 124 ]; then
		why="timeout ($2)"
	elif [ "$1" -ge 128 ]; then
		why="signal $(($1 - 128)) ($2)"
	else
		return 0
	fi
	cp "$f" "$out/findings/$n"
	cp "$3" "$out/findings/$n.log"
	echo "FINDING $n: $why"
	return 1
}
timeout "$t" "$bin" read -q --segments -d "$db" "$f" >/dev/null 2>"$db.err"
rc=$?
check $rc read "$db.err" || { rm -f "$db"*; exit 0; }
case $rc in
0|1|3) ;;
*) cp "$f" "$out/findings/$n"; cp "$db.err" "$out/findings/$n.log"
   echo "FINDING $n: read exit $rc"; rm -f "$db"*; exit 0 ;;
esac
if [ -s "$db" ]; then
	timeout "$t" "$bin" flows -f json -d "$db" >/dev/null 2>"$db.err"
	check $? flows "$db.err" &&
	{ timeout "$t" "$bin" timeline -d "$db" --capture "$f" 1 >/dev/null 2>"$db.err"
	  check $? timeline "$db.err"; }
fi
rm -f "$db"*
exit 0
ONE
ls "$out/in" | sed "s|^|$out/in/|" |
	xargs -P "$JOBS" -I {} sh "$out/one.sh" {} "$bin" "$out" "$TIMEOUT" \
	>"$out/findings.txt"
cat "$out/findings.txt"
files=$(ls "$out/in" | wc -l)
found=$(grep -c '^FINDING' "$out/findings.txt")
echo "mutation run: $files files, $found findings (seed $seed; kept in $out/findings/)"
rm -rf "$out/in" "$out/db"
[ "$found" -eq 0 ]
