#!/bin/sh
# t_man.sh - the manual pages:
#   - every man/*.[157] is clean under `mandoc -T lint -W warning` and
#     `groff -ww -z -man`, and renders (man -l, or mandoc -T utf8);
#   - for tcpscope(1) and each tcpscope-COMMAND(1), the flags printed by
#     `tcpscope [COMMAND] --help` and those in the page's SYNOPSIS, OPTIONS
#     and FILTERS sections are the same set (-h/--help may be missing from
#     a --help text);
#   - every example output marked in a page or in README.md is what its
#     command prints (tools/examples.sh).
# Prints PASS/FAIL/SKIP lines (see tests/run.sh).
set -u
: "${TCPSCOPE:?}" "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

have() { command -v "$1" >/dev/null 2>&1; }

pages=$(ls "$TOP"/man/*.[157] 2>/dev/null)
if [ -z "$pages" ]; then
	fail man-pages "no man/*.[157]"
	exit 0
fi

for f in $pages; do
	n=$(basename "$f")
	if have mandoc; then
		out=$(mandoc -T lint -W warning "$f" 2>&1)
		if [ -z "$out" ]; then pass "mandoc-lint-$n"; else fail "mandoc-lint-$n" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
	else
		skip "mandoc-lint-$n" "mandoc not installed"
	fi
	if have groff; then
		out=$(groff -ww -z -man "$f" 2>&1)
		if [ -z "$out" ]; then pass "groff-$n"; else fail "groff-$n" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
	else
		skip "groff-$n" "groff not installed"
	fi
	if have man; then
		MANWIDTH=80 man -l "$f" >"$tmp/render" 2>"$tmp/err"
		rc=$?
	elif have mandoc; then
		mandoc -T utf8 "$f" >"$tmp/render" 2>"$tmp/err"
		rc=$?
	else
		skip "render-$n" "neither man nor mandoc"
		continue
	fi
	if [ $rc -eq 0 ] && [ -s "$tmp/render" ] && grep -q NAME "$tmp/render"; then
		pass "render-$n"
	else
		fail "render-$n" "exit $rc: $(head -c 200 "$tmp/err")"
	fi
done

# Flags: a dash or two and a letter, at the start of a word.
flags() {
	grep -oE '(^|[][ ,(|"'\''])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u
}

# The page's SYNOPSIS, OPTIONS and FILTERS sections, roff escapes removed.
page_flags() {
	awk '/^\.SH/ { keep = ($0 ~ /^\.SH "?(SYNOPSIS|OPTIONS|FILTERS)/); next }
	     keep' "$1" |
	sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\-/-/g' -e 's/\\(em/ /g' |
	flags
}

commands=$("$TCPSCOPE" --help 2>/dev/null |
	awk '/^commands:/ {c = 1; next} c && !NF {exit} c {print $1}')
for c in "" $commands; do
	[ "$c" = help ] && continue
	if [ -n "$c" ]; then page=$TOP/man/tcpscope-$c.1; name=$c; else page=$TOP/man/tcpscope.1; name=tcpscope; fi
	if [ ! -f "$page" ]; then
		fail "man-exists-$name" "no $(basename "$page")"
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$TCPSCOPE" $c --help >"$tmp/help" 2>"$tmp/err"; then
		fail "man-flags-$name" "'tcpscope $c --help' failed: $(head -c 200 "$tmp/err")"
		continue
	fi
	flags <"$tmp/help" >"$tmp/h"
	page_flags "$page" >"$tmp/m"
	in_help_only=$(comm -23 "$tmp/h" "$tmp/m" | tr '\n' ' ')
	in_man_only=$(comm -13 "$tmp/h" "$tmp/m" | grep -v -x -e '-h' -e '--help' | tr '\n' ' ')
	if [ -z "$in_help_only$in_man_only" ]; then
		pass "man-flags-$name"
	else
		fail "man-flags-$name" "only in --help: [$in_help_only] only in $(basename "$page"): [$in_man_only]"
	fi
done
# Every page tcpscope(1) lists exists.
for ref in $(grep -oE '^\.BR tcpscope-[a-z]+ \([157]\)' "$TOP/man/tcpscope.1" | sed 's/^\.BR //; s/ (/./; s/)//' | sort -u); do
	if [ -f "$TOP/man/$ref" ]; then pass "man-ref-$ref"; else fail "man-ref-$ref" "tcpscope(1) refers to a missing page"; fi
done
# The example outputs are real.
sh "$TOP/tools/examples.sh" check "$TCPSCOPE"
exit 0
