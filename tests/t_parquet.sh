#!/bin/sh
# t_parquet.sh - `tcpscope export --format parquet`, read back by DuckDB
# (the npm package @duckdb/node-api, installed here into $BUILD/npm when
# missing; test-only, never needed to build or run tcpscope):
#   - several captures imported with --segments, one under a file name
#     with a tab, a backslash, an escape sequence and bytes that are not
#     UTF-8; a NUL byte put into a text column; two columns added to
#     connections (a REAL one, a TEXT one left all NULL);
#   - every exported table and view equals the SQLite database row for
#     row and value for value (both dumped to canonical text, sorted,
#     compared), with the types and REQUIRED/OPTIONAL of the schema;
#   - every file's footer statistics (min, max, null count per row group)
#     equal what DuckDB computes from the values; several row groups;
#     ZSTD and uncompressed;
#   - the partitions (date of first_ts, capture in the file name, sensor);
#   - `read --parquet` writes the same files and rows as `export` of the
#     same database; a dataset it cannot write: exit 1, import kept;
#   - an empty table gives no file; a second run adds files, never
#     replaces one; errors: usage, a missing database, a full disk (a
#     small tmpfs, as root) leaves no .parquet file and no temporary one.
# Prints PASS/FAIL/SKIP lines. Needs: sqlite3, node and npm.
set -u
: "${TCPSCOPE:?}" "${TOP:?}" "${BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/t_parquet.XXXXXX")
MOUNTS=""
cleanup() {
	for m in $MOUNTS; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
have() { command -v "$1" >/dev/null 2>&1; }

if ! have sqlite3; then
	skip parquet "sqlite3 shell not installed"
	exit 0
fi
if ! have node || ! have npm; then
	skip parquet "node or npm not installed (tools/deps.sh installs them)"
	exit 0
fi
NPM="$BUILD/npm"
if [ ! -d "$NPM/node_modules/@duckdb/node-api" ]; then
	mkdir -p "$NPM"
	if ! timeout 600 npm install --prefix "$NPM" --no-audit --no-fund \
	    @duckdb/node-api >"$T/npm.log" 2>&1; then
		skip parquet "npm install @duckdb/node-api failed (registry unreachable?): $(tail -n 2 "$T/npm.log" | tr '\n' ' ')"
		exit 0
	fi
fi
cp "$TOP/tests/parquet-duckdb.mjs" "$NPM/"
duck() { (cd "$NPM" && node parquet-duckdb.mjs "$@"); }
sq() { sqlite3 -batch -noheader -separator "$(printf '\t')" "$@"; }
if ! duck sql "SELECT 42" >"$T/probe" 2>&1 || [ "$(cat "$T/probe")" != 42 ]; then
	skip parquet "DuckDB does not run: $(head -c 200 "$T/probe")"
	exit 0
fi

# ---- A database ------------------------------------------------------------

DB="$T/a.db"
odd="$T/odd$(printf 'a\tb\\c\033[1m\377\376\303(')x.pcap"
cp "$TOP/pcaps/real-abort.pcap" "$odd"
if "$TCPSCOPE" read -q --segments -d "$DB" "$TOP/pcaps/demo.pcap" \
    "$TOP/pcaps/real-many.pcap" "$TOP/pcaps/real-loss.pcap" \
    "$TOP/pcaps/real-reorder.pcap" "$TOP/pcaps/real-ipv6.pcap" \
    "$TOP/pcaps/real-refused.pcap" "$TOP/pcaps/real-unanswered.pcap" \
    "$odd" >"$T/read.out" 2>&1; then
	pass parquet-import
else
	fail parquet-import "$(head -c 300 "$T/read.out")"
	exit 0
fi
# The whole shared corpus too, when it is there (the issue's done-when:
# every capture of it reads back in DuckDB equal to SQLite, row for row):
# every capture tcpscope can read (segments: those above); the damaged and
# unsupported ones are refused with their own messages, as read does.
SHARED=${SHARED:-$TOP/../shared}
if [ -d "$SHARED/pcaps" ]; then
	find "$SHARED/pcaps" -maxdepth 1 -type f ! -name '*.tsv' ! -name '*.md' |
		LC_ALL=C sort >"$T/corpus.list"
	# shellcheck disable=SC2046
	"$TCPSCOPE" read -q -d "$DB" $(cat "$T/corpus.list") >/dev/null 2>&1
	nc=$(sq "$DB" "SELECT count(*) FROM captures WHERE path LIKE '$SHARED/pcaps/%'")
	if [ "$nc" -ge 50 ]; then
		pass "parquet-corpus-import ($nc captures of $(wc -l <"$T/corpus.list") files)"
	else
		fail parquet-corpus-import "only $nc captures of $SHARED/pcaps imported"
	fi
else
	skip parquet-corpus-import "$SHARED/pcaps is absent: the shared corpus is not compared"
fi
# Columns another engineer might add, a NUL in a string.
sq "$DB" "ALTER TABLE connections ADD COLUMN test_score REAL;
  ALTER TABLE connections ADD COLUMN test_note TEXT;
  UPDATE connections SET test_score = id * 0.25 - 3 WHERE id % 3 = 0;
  UPDATE captures SET error = 'nul' || char(0) || 'byte' WHERE id = 1;"

DS="$T/ds"
if "$TCPSCOPE" export --format parquet -d "$DB" --sensor s1 \
    --rows-per-group 7 "$DS" >"$T/exp.out" 2>"$T/exp.err"; then
	pass parquet-export
else
	fail parquet-export "exit $?: $(head -c 300 "$T/exp.err")"
	exit 0
fi

# ---- Every table, row for row ----------------------------------------------

# The tables that have a capture: captures, capture_id or conn_id columns.
tables=$(sq "$DB" "SELECT name FROM sqlite_master m WHERE ((type = 'table'
  AND name NOT LIKE 'sqlite_%') OR (type = 'view' AND name IN ('events',
  'transitions', 'segments'))) AND (name = 'captures' OR EXISTS (SELECT 1
  FROM pragma_table_info(m.name) WHERE name IN ('capture_id', 'conn_id')))
  ORDER BY name")
ntab=0
for t in $tables; do
	n=$(sq "$DB" "SELECT count(*) FROM \"$t\"")
	if [ "$n" = 0 ]; then
		if [ -e "$DS/table=$t" ]; then
			fail "parquet-empty-$t" "files for an empty table"
		else
			pass "parquet-empty-$t"
		fi
		continue
	fi
	ntab=$((ntab + 1))
	src="read_parquet('$DS/table=$t/*/*/*.parquet', hive_partitioning = true)"
	duck sql "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM $src)" >"$T/$t.dtypes"
	sq "$DB" "SELECT name, type, \"notnull\" FROM pragma_table_xinfo('$t') WHERE hidden != 1" >"$T/$t.stypes"
	# Types: the declared type decides; date and sensor from the path.
	bad=$(awk -F '\t' 'NR == FNR { d[$1] = $2; next }
	  { want = ""
	    if ($2 ~ /INT/) want = "BIGINT"
	    else if ($2 ~ /TEXT|CHAR|CLOB/) want = "VARCHAR"
	    else if ($2 ~ /REAL|FLOA|DOUB/) want = "DOUBLE"
	    if (!($1 in d)) print "missing " $1
	    else if (want != "" && d[$1] != want) print $1 " " d[$1] " not " want
	    delete d[$1] }
	  END { for (c in d) if (c != "table" && c != "date" && c != "sensor") print "extra " c }' \
	  "$T/$t.dtypes" "$T/$t.stypes")
	if [ -z "$bad" ]; then pass "parquet-types-$t"; else fail "parquet-types-$t" "$(echo "$bad" | tr '\n' ' ')"; fi
	# REQUIRED exactly where NOT NULL.
	f=$(find "$DS/table=$t" -name '*.parquet' | head -n 1)
	duck sql "SELECT name, repetition_type FROM parquet_schema('$f') WHERE num_children IS NULL" | sort >"$T/$t.rep"
	sq "$DB" "SELECT name, CASE WHEN \"notnull\" OR (pk = 1 AND type = 'INTEGER' AND (SELECT count(*) FROM pragma_table_info('$t') WHERE pk > 0) = 1) THEN 'REQUIRED' ELSE 'OPTIONAL' END FROM pragma_table_xinfo('$t') WHERE hidden != 1" | sort >"$T/$t.srep"
	if cmp -s "$T/$t.rep" "$T/$t.srep"; then pass "parquet-required-$t"; else fail "parquet-required-$t" "$(diff "$T/$t.srep" "$T/$t.rep" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"; fi
	# Canonical text: integers in decimal, strings as hex of their bytes
	# (SQLite's side with the bytes that are not UTF-8 replaced as the
	# export does), doubles to 3 decimals; NULL as \N.
	dexprs="" sexprs=""
	while IFS="$(printf '\t')" read -r c ty; do
		case "$c" in table|date|sensor) continue ;; esac
		case "$ty" in
		BIGINT) e="CAST(\"$c\" AS TEXT)"; s=$e ;;
		VARCHAR) e="hex(\"$c\")"; s="replace(hex(\"$c\"), 'FFFEC328', 'EFBFBDEFBFBDEFBFBD28')" ;;
		DOUBLE) e="printf('%.3f', \"$c\")"; s=$e ;;
		*) e="'?$ty'"; s="'?'" ;;
		esac
		# (SQLite's hex(NULL) is '', not NULL.)
		dexprs="$dexprs${dexprs:+, }CASE WHEN \"$c\" IS NULL THEN '\\N' ELSE $e END"
		sexprs="$sexprs${sexprs:+, }CASE WHEN \"$c\" IS NULL THEN '\\N' ELSE $s END"
	done <"$T/$t.dtypes"
	duck sql "SELECT $dexprs FROM $src" | LC_ALL=C sort >"$T/$t.duck"
	sq "$DB" "SELECT $sexprs FROM \"$t\"" | LC_ALL=C sort >"$T/$t.sqlite"
	rows=$(wc -l <"$T/$t.sqlite")
	if [ "$rows" -ne "$n" ]; then
		fail "parquet-rows-$t" "SQLite dump has $rows rows of $n"
	elif cmp -s "$T/$t.duck" "$T/$t.sqlite"; then
		pass "parquet-rows-$t"
	else
		fail "parquet-rows-$t" "$(wc -l <"$T/$t.duck") rows in DuckDB, $rows in SQLite; first difference: $(diff "$T/$t.sqlite" "$T/$t.duck" | grep '^[<>]' | head -n 2 | cut -c 1-200 | tr '\n' ' ')"
	fi
done
[ "$ntab" -ge 6 ] && pass parquet-tables || fail parquet-tables "only $ntab tables with rows: $tables"

# The crafted name, the NUL, the new columns, as DuckDB sees them.
want=$(printf 'odda\tb\\c\033[1m\357\277\275\357\277\275\357\277\275(x.pcap' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
got=$(duck sql "SELECT hex(regexp_extract(path, '[^/]*\$')) FROM read_parquet('$DS/table=captures/*/*/*.parquet') WHERE path LIKE '%odd%'")
[ "$got" = "$want" ] && pass parquet-odd-name || fail parquet-odd-name "got $got, want $want"
got=$(duck sql "SELECT hex(error) FROM read_parquet('$DS/table=captures/*/*/*.parquet') WHERE id = 1")
[ "$got" = 6E756C0062797465 ] && pass parquet-nul-byte || fail parquet-nul-byte "got $got"
got=$(duck sql "SELECT count(test_note), count(test_score), sum(test_score) FROM read_parquet('$DS/table=connections/*/*/*.parquet')")
want=$(sq "$DB" "SELECT count(test_note), count(test_score), sum(test_score) FROM connections")
[ "$got" = "$want" ] && [ "${got%%	*}" = 0 ] && pass parquet-added-columns || fail parquet-added-columns "DuckDB $got, SQLite $want"

# ---- Files: statistics, row groups, partitions, compression ------------------

find "$DS" -name '*.parquet' | sort >"$T/files"
# (The statistics of the project's captures' files, 1 to 8: the corpus's
# many small files would only repeat the same checks, slowly.)
duck stats $(grep '/part-[1-8]-[0-9]*\.parquet$' "$T/files") >"$T/stats" 2>&1
if [ "$(grep -vc '^checked' "$T/stats")" = 0 ] && grep -q '^checked [1-9]' "$T/stats"; then
	pass "parquet-statistics ($(grep '^checked' "$T/stats"))"
else
	fail parquet-statistics "$(head -n 3 "$T/stats" | tr '\n' ' ')"
fi
got=$(duck sql "SELECT max(row_group_id) >= 2, min(compression), max(compression) FROM parquet_metadata('$DS/table=connections/*/*/*.parquet')")
[ "$got" = "$(printf 'true\tZSTD\tZSTD')" ] && pass parquet-row-groups-zstd || fail parquet-row-groups-zstd "$got"
got=$(duck sql "SELECT count(*) FILTER (WHERE date IS DISTINCT FROM make_timestamp(first_ts // 1000)::DATE),
  count(*) FILTER (WHERE sensor <> 's1'),
  count(*) FILTER (WHERE regexp_extract(filename, 'part-([0-9]+)-', 1)::BIGINT <> capture_id),
  count(*) FROM read_parquet('$DS/table=connections/*/*/*.parquet', hive_partitioning = true, filename = true)")
[ "$(echo "$got" | cut -f 1-3)" = "$(printf '0\t0\t0')" ] && pass parquet-partitions || fail parquet-partitions "$got (wrong date, sensor, capture; rows)"
if [ -z "$(find "$DS" -name '.*' ! -name . )" ]; then pass parquet-no-temporary; else fail parquet-no-temporary "$(find "$DS" -name '.*' | head -n 2)"; fi

DS2="$T/ds2"
if "$TCPSCOPE" export -f parquet -d "$DB" -s s2 -c none "$DS2" >/dev/null 2>"$T/e2"; then
	got=$(duck sql "SELECT DISTINCT compression FROM parquet_metadata('$DS2/table=connections/*/*/*.parquet')")
	d1=$(duck sql "SELECT count(*), sum(id), sum(c2s_payload_bytes), count(client_ip) FROM read_parquet('$DS/table=connections/*/*/*.parquet')")
	d2=$(duck sql "SELECT count(*), sum(id), sum(c2s_payload_bytes), count(client_ip) FROM read_parquet('$DS2/table=connections/*/*/*.parquet')")
	[ "$got" = UNCOMPRESSED ] && [ "$d1" = "$d2" ] && pass parquet-uncompressed || fail parquet-uncompressed "$got; $d1 vs $d2"
else
	fail parquet-uncompressed "$(head -c 200 "$T/e2")"
fi

# A second run into the same directory: new part numbers, old files kept.
sums1=$(cat $(cat "$T/files") | cksum)
if "$TCPSCOPE" export -f parquet -d "$DB" -s s1 "$DS" >/dev/null 2>"$T/e3"; then
	n1=$(wc -l <"$T/files")
	n2=$(find "$DS" -name '*.parquet' | wc -l)
	sums2=$(cat $(cat "$T/files") | cksum)
	[ "$n2" -eq $((2 * n1)) ] && [ "$sums1" = "$sums2" ] && pass parquet-second-run || fail parquet-second-run "$n1 then $n2 files; unchanged: $([ "$sums1" = "$sums2" ] && echo yes || echo no)"
else
	fail parquet-second-run "$(head -c 200 "$T/e3")"
fi

# ---- The examples of tcpscope-export(1): DuckDB on the dataset, SQLite on
# the database (the dataset's path becomes the connections table; sensor
# the one given), the same answers. (On $DS2: $DS has the second run.)
awk '/^\.SH EXAMPLES/ { on = 1 } /^\.SH SEE/ { on = 0 }
     on && /^\.nf/ { q = ""; inq = 1; next }
     on && /^\.fi/ { inq = 0; if (q ~ /^SELECT/) { n++; print q > (dir "/example" n ".sql") } next }
     on && inq { gsub(/\\-/, "-"); q = q $0 "\n" }' dir="$T" "$TOP/man/tcpscope-export.1"
nex=0
for f in "$T"/example*.sql; do
	[ -f "$f" ] || continue
	nex=$((nex + 1))
	dq=$(sed "s|/data/tcp/|$DS2/|" "$f")
	sqq=$(tr '\n' ' ' <"$f" | sed "s|read_parquet('/data/tcp/table=connections/\*/\*/\*.parquet', *hive_partitioning = true)|(SELECT *, 's2' AS sensor FROM connections)|")
	duck sql "$dq" >"$T/ex.duck" 2>&1
	sq -nullvalue '\N' "$DB" "$sqq" >"$T/ex.sqlite" 2>&1
	if [ -s "$T/ex.sqlite" ] && cmp -s "$T/ex.duck" "$T/ex.sqlite"; then
		pass "parquet-example-$nex ($(wc -l <"$T/ex.sqlite") rows)"
	else
		fail "parquet-example-$nex" "$(diff "$T/ex.sqlite" "$T/ex.duck" | head -n 3 | tr '\n' ' ' | cut -c 1-300)"
	fi
done
[ $nex -eq 2 ] && pass parquet-examples-found || fail parquet-examples-found "$nex examples in tcpscope-export(1)"

# ---- read --parquet: the same dataset while importing ---------------------------

DB3="$T/r.db" RD="$T/rd" EX="$T/ex"
if "$TCPSCOPE" read -q --segments -d "$DB3" --parquet "$RD" --sensor s3 \
    "$TOP/pcaps/demo.pcap" "$TOP/pcaps/real-loss.pcap" "$TOP/pcaps/real-many.pcap" \
    >"$T/r.out" 2>&1 &&
    "$TCPSCOPE" export -f parquet -d "$DB3" -s s3 "$EX" >/dev/null 2>>"$T/r.out"; then
	(cd "$RD" && find . -name '*.parquet' | sort) >"$T/rd.files"
	(cd "$EX" && find . -name '*.parquet' | sort) >"$T/ex.files"
	same=1
	for t in connections segments events transitions captures; do
		duck sql "SELECT * FROM read_parquet('$RD/table=$t/*/*/*.parquet', hive_partitioning = true)" | LC_ALL=C sort >"$T/rd.$t"
		duck sql "SELECT * FROM read_parquet('$EX/table=$t/*/*/*.parquet', hive_partitioning = true)" | LC_ALL=C sort >"$T/ex.$t"
		cmp -s "$T/rd.$t" "$T/ex.$t" && [ -s "$T/rd.$t" ] || { same=0; echo "# $t differs"; }
	done
	if [ $same = 1 ] && [ -s "$T/rd.files" ] && cmp -s "$T/rd.files" "$T/ex.files"; then
		pass read-parquet-equals-export
	else
		fail read-parquet-equals-export "files: $(wc -l <"$T/rd.files") vs $(wc -l <"$T/ex.files"); $(diff "$T/rd.files" "$T/ex.files" | head -n 2 | tr '\n' ' ')"
	fi
else
	fail read-parquet-equals-export "$(head -c 300 "$T/r.out")"
fi
# A dataset that cannot be written: exit 1, the import kept.
: >"$T/afile"
"$TCPSCOPE" read -q -d "$T/r2.db" --parquet "$T/afile/x" "$TOP/pcaps/demo.pcap" >/dev/null 2>"$T/e"; rc=$?
n=$(sq "$T/r2.db" "SELECT count(*) FROM captures" 2>/dev/null)
if [ $rc -eq 1 ] && [ "$n" = 1 ] && grep -q -- '--parquet' "$T/e"; then
	pass read-parquet-error
else
	fail read-parquet-error "exit $rc, $n captures: $(head -c 200 "$T/e")"
fi
# --sensor names the capture in the database too: captures.sensor, the
# uids (another sensor, other uids; none given, those of stdin), and an
# export puts the capture in its own sensor's partition whatever the
# default --sensor says.
"$TCPSCOPE" read -q -d "$T/r3.db" --sensor s1 "$TOP/pcaps/demo.pcap" >/dev/null 2>&1; rc=$?
"$TCPSCOPE" read -q -d "$T/r4.db" - <"$TOP/pcaps/demo.pcap" >/dev/null 2>&1
"$TCPSCOPE" read -q -d "$T/r5.db" "$TOP/pcaps/demo.pcap" >/dev/null 2>&1
s=$(sq "$T/r3.db" "SELECT sensor FROM captures")
u3=$(sq "$T/r3.db" "SELECT group_concat(uid) FROM connections ORDER BY tc_id")
u4=$(sq "$T/r4.db" "SELECT group_concat(uid) FROM connections ORDER BY tc_id")
u5=$(sq "$T/r5.db" "SELECT group_concat(uid) FROM connections ORDER BY tc_id")
"$TCPSCOPE" export -f parquet -d "$T/r3.db" --sensor other "$T/ds3" >/dev/null 2>&1
if [ $rc -eq 0 ] && [ "$s" = s1 ] && [ -n "$u4" ] && [ "$u4" = "$u5" ] &&
   [ "$u3" != "$u4" ] && [ -n "$(find "$T/ds3" -path '*/sensor=s1/*.parquet')" ] &&
   [ -z "$(find "$T/ds3" -path '*/sensor=other/*')" ]; then
	pass read-sensor-uid
else
	fail read-sensor-uid "exit $rc, sensor '$s', uids '$u3' / '$u4' / '$u5', files: $(find "$T/ds3" -name '*.parquet' | head -n 2 | tr '\n' ' ')"
fi

# ---- Errors ------------------------------------------------------------------

expect() { # name, status, command...
	name=$1 want=$2; shift 2
	"$@" >"$T/o" 2>"$T/e"; rc=$?
	if [ $rc -eq "$want" ] && [ "$(wc -l <"$T/e")" -eq 1 ] && grep -q '^tcpscope export: ' "$T/e"; then
		pass "$name"
	else
		fail "$name" "exit $rc (want $want): $(head -c 200 "$T/e")"
	fi
}
expect parquet-err-no-format 2 "$TCPSCOPE" export -d "$DB" "$T/x"
expect parquet-err-format 2 "$TCPSCOPE" export -f csv -d "$DB" "$T/x"
expect parquet-err-sensor 2 "$TCPSCOPE" export -f parquet -s 'a/b' -d "$DB" "$T/x"
expect parquet-err-no-dir 2 "$TCPSCOPE" export -f parquet -d "$DB"
expect parquet-err-no-db 4 "$TCPSCOPE" export -f parquet -d "$T/none.db" "$T/x"
expect parquet-err-not-dir 1 "$TCPSCOPE" export -f parquet -d "$DB" "$T/afile/sub"

if [ "$(id -u)" = 0 ] && have mount; then
	mkdir -p "$T/full"
	if mount -t tmpfs -o size=96k tmpfs "$T/full" 2>/dev/null; then
		MOUNTS="$T/full"
		expect parquet-disk-full 1 "$TCPSCOPE" export -f parquet -d "$DB" -c none "$T/full/ds"
		grep -q 'No space left' "$T/e" && pass parquet-disk-full-message || fail parquet-disk-full-message "$(head -c 200 "$T/e")"
		left=$(find "$T/full" -type f | head -n 3)
		[ -z "$left" ] && pass parquet-disk-full-nothing-left || fail parquet-disk-full-nothing-left "$left"
		umount "$T/full" && MOUNTS=""
	else
		skip parquet-disk-full "cannot mount a tmpfs"
	fi
else
	skip parquet-disk-full "needs root for a small tmpfs"
fi
exit 0
