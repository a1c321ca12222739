#!/bin/sh
# Regenerates the synthetic captures pcaps/syn-*.pcap(ng) with
# tests/tools/pcapgen (deterministic: the output is the same bit for bit on
# every run, so a diff after running this means pcapgen changed).
#
#   sh tools/regen-corpus.sh [PCAPGEN]
#
# PCAPGEN defaults to build/tools/pcapgen (made by `make tools`); when the
# library objects do not build, pcapgen.c is compiled alone (it needs
# nothing but libc). The expectations pcaps/NAME.expect are written by
# hand and are NOT touched here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
gen=${1:-$top/build/tools/pcapgen}
if [ ! -x "$gen" ]; then
	gen=$(mktemp)
	trap 'rm -f "$gen"' EXIT
	${CC:-cc} -std=gnu11 -O2 -o "$gen" "$top/tests/tools/pcapgen.c"
fi
"$gen" --list | while read -r name ext _; do
	"$gen" "$name" "$top/pcaps/$name.$ext"
	echo "wrote pcaps/$name.$ext"
done
