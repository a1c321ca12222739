#!/bin/sh
# Rewrites the golden outputs of the report commands, tests/golden/cli/
# NAME.out, for every test listed in tests/golden/cli/TESTLIST, from the
# current tcpscope. This is a deliberate act: review `git diff tests/golden`
# before committing; tests/t_cli.sh compares against these files byte for
# byte.
#
#   sh tools/regen-cli-golden.sh [TCPSCOPE]
#
# TCPSCOPE defaults to ./tcpscope. The captures come from ../shared/pcaps
# (or $SHARED/pcaps) and pcaps/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/tcpscope}
[ -x "$bin" ] || { echo "regen-cli-golden: no executable $bin (run make)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
TCPSCOPE=$bin TOP=$top SHARED=${SHARED:-$top/../shared} REGEN=1 \
	sh "$top/tests/t_cli.sh"
