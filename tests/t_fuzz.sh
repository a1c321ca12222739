#!/bin/sh
# Replays every fuzz seed corpus through its harness, built with the plain
# main() of tests/fuzz/onefile.c (no libFuzzer), so `make check` (and
# `make asan`) catch a regression on any seed. The harness aborts when the
# decoder breaks one of its promises; a crash is a FAIL naming the file.
#
# Also checks that the decoder corpus still holds every sample frame of
# tests/test_decode.c; to regenerate it after changing the samples:
#   $BUILD/tests/test_decode --write-corpus tests/fuzz/corpus_decode
set -u
: "${TOP:?}" "${BUILD:?}"
cd "$TOP" || exit 1

harnesses="decode pcapng tracker capture decompress"
for h in $harnesses; do
	bin="$BUILD/fuzz/replay_$h"
	corpus="tests/fuzz/corpus_$h"
	if [ ! -x "$bin" ]; then
		make --no-print-directory BUILD="$BUILD" "$bin" >/dev/null 2>&1 ||
			{ echo "FAIL fuzz-replay-$h: cannot build $bin"; continue; }
	fi
	n=0
	bad=""
	for f in "$corpus"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! "$bin" "$f" >/dev/null 2>&1; then
			bad="$bad $(basename "$f")"
		fi
	done
	if [ "$n" -eq 0 ]; then
		echo "FAIL fuzz-replay-$h: $corpus is empty"
	elif [ -n "$bad" ]; then
		echo "FAIL fuzz-replay-$h: crashed on$bad"
	else
		echo "PASS fuzz-replay-$h ($n files)"
	fi
done

# The seed corpus matches the samples of test_decode.
gen="$BUILD/tests/test_decode"
if [ ! -x "$gen" ]; then
	echo "SKIP fuzz-corpus-current: $gen not built"
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if ! "$gen" --write-corpus "$tmp/c" >/dev/null 2>&1; then
		echo "FAIL fuzz-corpus-current: $gen --write-corpus failed"
	else
		stale=""
		for f in "$tmp"/c/*; do
			b=$(basename "$f")
			cmp -s "$f" "tests/fuzz/corpus_decode/$b" || stale="$stale $b"
		done
		if [ -n "$stale" ]; then
			echo "FAIL fuzz-corpus-current: regenerate (see t_fuzz.sh):$stale"
		else
			echo "PASS fuzz-corpus-current"
		fi
	fi
fi
