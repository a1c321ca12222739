#!/bin/sh
# Rewrites the full-output golden files pcaps/golden/NAME.flows.json from
# the current tcpscope, for every capture that has a pcaps/NAME.expect.
# This is a deliberate act: review `git diff pcaps/golden` before
# committing; tests/t_golden.sh compares against these files byte for byte.
#
#   sh tools/regen-golden.sh [TCPSCOPE] [NAME...]
#
# TCPSCOPE defaults to ./tcpscope. With NAMEs, only those captures.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/tcpscope}
[ $# -gt 0 ] && shift
[ -x "$bin" ] || { echo "regen-golden: no executable $bin (run make)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
mkdir -p "$top/pcaps/golden"
if [ $# -eq 0 ]; then
	set --
	for e in "$top"/pcaps/*.expect; do
		[ -f "$e" ] && set -- "$@" "$(basename "$e" .expect)"
	done
fi
for name in "$@"; do
	cap=""
	for ext in pcap pcapng; do
		[ -f "$top/pcaps/$name.$ext" ] && cap=$top/pcaps/$name.$ext
	done
	[ -n "$cap" ] || { echo "regen-golden: no capture for $name" >&2; continue; }
	out=$top/pcaps/golden/$name.flows.json
	# Relative path, as tests/t_golden.sh runs it.
	if (cd "$top" && "$bin" flows -r "pcaps/$(basename "$cap")" \
		--format json) > "$out.tmp"; then :; else
		echo "regen-golden: $name: tcpscope exited $? (kept)" >&2
	fi
	if [ -f "$out" ] && cmp -s "$out" "$out.tmp"; then
		rm -f "$out.tmp"
	else
		mv "$out.tmp" "$out"
		echo "updated pcaps/golden/$name.flows.json"
	fi
done
