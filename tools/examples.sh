#!/bin/sh
# examples.sh - the example outputs in the manual pages and README.md are
# real: each is marked with the command that prints it, run from the top
# of the checkout on a capture of pcaps/, and this script checks them or
# writes them again.
#
#   sh tools/examples.sh check [TCPSCOPE]   print PASS/FAIL per example
#   sh tools/examples.sh regen [TCPSCOPE]   rewrite every marked block
#
# Marks:
#   man page   a line  .\" output: COMMAND  before an .nf ... .fi block
#              (the block's lines in roff: \- for -, \e for \, \& first
#              when a line starts with . or ')
#   README.md  a line  <!-- output: COMMAND -->  before an indented code
#              block (four spaces, up to the next line without them)
#   README.md  a line  <!-- picture: COMMAND -->  before a line
#              ![text](PATH): COMMAND prints the picture (an SVG of
#              `tcpscope plot ... -o -`), kept in the file PATH
# COMMAND is run by sh with `tcpscope` meaning TCPSCOPE (default
# ./tcpscope), in the checkout's top folder. Regenerating is a deliberate
# act, as for the goldens: review `git diff man README.md` before
# committing.
set -u
mode=${1:-check}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${2:-${TCPSCOPE:-$top/tcpscope}}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "examples: no executable $bin (run make)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Runs COMMAND ($1) the way the marks mean it; output in $tmp/real.
run() {
	(cd "$top" && TCPSCOPE_BIN="$bin" LC_ALL=C sh -c \
		'tcpscope() { "$TCPSCOPE_BIN" "$@"; }; '"$1") >"$tmp/real" 2>&1
}

# roff text of plain lines (stdin).
to_roff() {
	sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"
}

n=0
failed=0
for f in "$top"/man/*.[157] "$top/README.md"; do
	case $f in
	*.md) mark='^<!-- output: .* -->$' ;;
	*) mark='^\.\\" output: ' ;;
	esac
	grep -q "$mark" "$f" || continue
	# Each mark: the command, and the line numbers of its block.
	awk -v md="$(case $f in *.md) echo 1 ;; *) echo 0 ;; esac)" '
		md && /^<!-- output: .* -->$/ {
			cmd = $0; sub(/^<!-- output: /, "", cmd);
			sub(/ -->$/, "", cmd); want = 1; next }
		!md && /^\.\\" output: / {
			cmd = $0; sub(/^\.\\" output: /, "", cmd); want = 1; next }
		want && md && start == 0 && /^    / { start = NR }
		want && md && start && !/^    / {
			print start "\t" NR - 1 "\t" cmd; want = 0; start = 0; next }
		want && !md && /^\.nf/ { start = NR + 1; next }
		want && !md && start && /^\.fi/ {
			print start "\t" NR - 1 "\t" cmd; want = 0; start = 0 }
		END { if (want && md && start) print start "\t" NR "\t" cmd }
	' "$f" >"$tmp/marks"
	# From the last block up, so that line numbers stay right.
	sort -t '	' -k1,1nr "$tmp/marks" | while IFS='	' read -r a b cmd; do
		n=$((n + 1))
		name="example-$(basename "$f")-$a"
		run "$cmd"
		case $f in
		*.md) sed 's/^/    /' "$tmp/real" >"$tmp/text"
		      sed -n "${a},${b}p" "$f" >"$tmp/have" ;;
		*) to_roff <"$tmp/real" >"$tmp/text"
		   sed -n "${a},${b}p" "$f" >"$tmp/have" ;;
		esac
		if [ "$mode" = regen ]; then
			{ head -n $((a - 1)) "$f"; cat "$tmp/text"
			  tail -n +$((b + 1)) "$f"; } >"$tmp/new" &&
				cat "$tmp/new" >"$f"
			echo "rewrote $name: $cmd"
		elif cmp -s "$tmp/text" "$tmp/have"; then
			echo "PASS $name"
		else
			d=$(diff "$tmp/have" "$tmp/text" | head -n 6 | tr '\n' '|')
			echo "FAIL $name: '$cmd' prints otherwise (sh tools/examples.sh regen): $d"
		fi
	done
done

# Pictures: the file named on the line after the mark is what the
# command prints.
awk '/^<!-- picture: .* -->$/ { cmd = $0; sub(/^<!-- picture: /, "", cmd);
	sub(/ -->$/, "", cmd); want = 1; next }
     want { p = $0; want = 0
	if (match(p, /\]\([^)]*\)/)) {
		print substr(p, RSTART + 2, RLENGTH - 3) "\t" cmd } }' \
	"$top/README.md" | while IFS='	' read -r path cmd; do
	name="picture-$path"
	run "$cmd"
	if [ "$mode" = regen ]; then
		cp "$tmp/real" "$top/$path"
		echo "rewrote $name: $cmd"
	elif cmp -s "$tmp/real" "$top/$path"; then
		echo "PASS $name"
	else
		echo "FAIL $name: '$cmd' draws otherwise (sh tools/examples.sh regen)"
	fi
done
exit 0
