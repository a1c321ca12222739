#!/bin/sh
# t_store.sh - the store under stress and failure, through the test driver
# build/tools/store_stress and the sqlite3 shell: imports killed with
# SIGKILL at many points, a reader during an import, a full disk (a small
# tmpfs), a read-only file system, a database locked by another process;
# tcpscope-db(5) against the real schema; `tcpscope query` and the
# examples of the manual page; a version 1 database upgraded by the
# commands.
# Prints PASS/FAIL/SKIP lines. Needs: sqlite3; root for the mounts.
set -u
: "${BUILD:?}" "${TOP:?}"
STRESS="$BUILD/tools/store_stress"
TCPSCOPE="${TCPSCOPE:-}"
MAN="$TOP/man/tcpscope-db.5"
T=$(mktemp -d "${TMPDIR:-/tmp}/t_store.XXXXXX")
MOUNTS=""
cleanup() {
	for m in $MOUNTS; do umount "$m" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

if ! command -v sqlite3 >/dev/null 2>&1; then
	skip store-shell "sqlite3 shell not installed"
	exit 0
fi
if [ ! -x "$STRESS" ]; then
	fail store-stress-tool "$STRESS not built (make tools)"
	exit 1
fi
sq() { sqlite3 -batch -cmd '.timeout 10000' "$@"; }

# Snapshot of the given captures: ids, completeness and row counts.
snapshot() { # db, sql list of hashes
	sq "$1" "SELECT c.id, c.sha256, c.complete,
	  (SELECT count(*) FROM connections k WHERE k.capture_id = c.id),
	  (SELECT count(*) FROM events e JOIN connections k ON k.id = e.conn_id
	     WHERE k.capture_id = c.id),
	  (SELECT count(*) FROM transitions t JOIN connections k
	     ON k.id = t.conn_id WHERE k.capture_id = c.id),
	  (SELECT count(*) FROM segments s JOIN connections k ON k.id = s.conn_id
	     WHERE k.capture_id = c.id),
	  (SELECT sum(c2s_payload_bytes) FROM connections k
	     WHERE k.capture_id = c.id)
	  FROM captures c WHERE c.sha256 IN ($2) ORDER BY c.id"
}

# ---- The manual page against the schema ---------------------------------

db="$T/man.db"
if "$STRESS" write "$db" m1 3 -s >/dev/null; then
	# Documented: .SS NAME under TABLES or VIEWS, then ".B column" after
	# each .TP/.TQ.
	awk '
		/^\.SH / { sec = $2; tab = ""; next }
		/^\.SS / { tab = $2; if (sec == "TABLES") print "table", tab;
			   else if (sec == "VIEWS") print "view", tab; next }
		/^\.(TP|TQ)/ { want = 1; next }
		want && /^\.B / { if (sec == "TABLES" && tab != "") print "col", tab, $2 }
		{ want = 0 }
	' "$MAN" | sort > "$T/man.list"
	{
		for t in $(sq "$db" "SELECT name FROM sqlite_master WHERE type =
		    'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
			echo "table $t"
			sq "$db" "SELECT name FROM pragma_table_xinfo('$t')" |
				sed "s/^/col $t /"
		done
		sq "$db" "SELECT name FROM sqlite_master WHERE type = 'view'" |
			sed 's/^/view /'
	} | sort > "$T/db.list"
	if diff "$T/db.list" "$T/man.list" > "$T/man.diff"; then
		pass man-schema-tables-columns
	else
		fail man-schema-tables-columns "tcpscope-db(5) and the schema differ (< schema, > manual): $(grep '^[<>]' "$T/man.diff" | tr '\n' ' ')"
	fi
	# Every column of every view is named in the page.
	missing=""
	for v in $(sq "$db" "SELECT name FROM sqlite_master WHERE type = 'view'"); do
		for c in $(sq "$db" "SELECT name FROM pragma_table_info('$v')"); do
			grep -q "^\.B $c\( \|$\)\|^\.BR $c\( \|$\)" "$MAN" ||
				missing="$missing $v.$c"
		done
	done
	if [ -z "$missing" ]; then pass man-schema-views
	else fail man-schema-views "view columns not in the manual:$missing"; fi
	# Every index is named too.
	missing=""
	for i in $(sq "$db" "SELECT name FROM sqlite_master WHERE type = 'index'
	    AND name NOT LIKE 'sqlite_%'"); do
		grep -q "^\.B $i\( \|$\)" "$MAN" || missing="$missing $i"
	done
	if [ -z "$missing" ]; then pass man-schema-indexes
	else fail man-schema-indexes "indexes not in the manual:$missing"; fi
else
	fail man-schema-tables-columns "store_stress could not create $db"
fi
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -T lint -W warning "$MAN" 2>&1)
	if [ -z "$out" ]; then pass man-db-lint
	else fail man-db-lint "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
else
	skip man-db-lint "mandoc not installed"
fi

# ---- Killed imports -----------------------------------------------------

db="$T/kill.db"
"$STRESS" write "$db" base1 300 -s >/dev/null &&
	"$STRESS" write "$db" base2 200 >/dev/null ||
	fail kill-setup "could not import the first captures"
before=$(snapshot "$db" "'base1','base2'")
ok=1
why=""
n=0
partial=0
for d in 0 0.01 0.02 0.04 0.07 0.1 0.15 0.2 0.3 0.4 0.55 0.7 0.9 1.2; do
	n=$((n + 1))
	# 10 ms after each of its 200 commits: the import lasts a few
	# seconds however fast the store writes, so every kill lands in it.
	"$STRESS" write "$db" victim 60000 -s -c 300 -u 10000 >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ic=$(sq "$db" "PRAGMA integrity_check" 2>&1)
	if [ "$ic" != ok ]; then
		ok=0; why="after kill $n (${d}s): integrity_check: $ic"; break
	fi
	fk=$(sq "$db" "PRAGMA foreign_keys = ON; PRAGMA foreign_key_check" 2>&1)
	if [ -n "$fk" ]; then
		ok=0; why="after kill $n: foreign_key_check: $fk"; break
	fi
	now=$(snapshot "$db" "'base1','base2'")
	if [ "$now" != "$before" ]; then
		ok=0; why="after kill $n: earlier captures changed: $now"; break
	fi
	v=$(sq "$db" "SELECT count(*) || ':' || ifnull(sum(complete), 0)
	    FROM captures WHERE sha256 = 'victim'")
	case "$v" in
	1:0) partial=$((partial + 1)) ;;
	0:0) ;;
	*) ok=0; why="after kill $n (${d}s): victim rows:complete = $v"; break ;;
	esac
done
# The kills must have landed mid-import: an incomplete capture left.
if [ $ok = 1 ] && [ $partial -lt 5 ]; then
	ok=0; why="only $partial of $n kills left a partial import"
fi
if [ $ok = 1 ]; then pass kill-import-consistent; else fail kill-import-consistent "$why"; fi
# The next run of the same capture replaces the incomplete one.
out=$("$STRESS" write "$db" victim 500 2>&1)
v=$(sq "$db" "SELECT count(*) || ':' || sum(complete) || ':' ||
    (SELECT count(*) FROM connections k JOIN captures c
       ON c.id = k.capture_id WHERE c.sha256 = 'victim')
    FROM captures WHERE sha256 = 'victim'")
if [ "${out%% *}" = done ] && [ "$v" = "1:1:500" ] &&
   [ "$(snapshot "$db" "'base1','base2'")" = "$before" ]; then
	pass kill-rerun-replaces
else
	fail kill-rerun-replaces "rerun said '$out', victim rows:complete:conns = $v"
fi
out=$("$STRESS" write "$db" victim 500 2>&1); rc=$?
if [ $rc = 3 ] && [ "$out" = skipped ]; then pass duplicate-skipped
else fail duplicate-skipped "exit $rc, '$out'"; fi
out=$("$STRESS" write "$db" victim 700 -r 2>&1)
v=$(sq "$db" "SELECT count(*) FROM captures WHERE sha256 = 'victim';
    SELECT count(*) FROM connections k JOIN captures c ON c.id = k.capture_id
    WHERE c.sha256 = 'victim'" | tr '\n' ' ')
if [ "${out%% *}" = done ] && [ "$v" = "1 700 " ]; then pass replace-import
else fail replace-import "'$out', rows: $v"; fi

# ---- A reader during an import ------------------------------------------

db="$T/conc.db"
"$STRESS" write "$db" first 100 >/dev/null
"$STRESS" write "$db" big 40000 -c 500 -u 2000 > "$T/w.out" 2>&1 &
wpid=$!
sleep 0.1
rout=$("$STRESS" read "$db" 120 2>&1); rrc=$?
# The sqlite3 shell (with a busy timeout) reads too.
shell_ok=1
for i in 1 2 3 4 5; do
	sq "$db" "SELECT count(*) FROM connections" >/dev/null 2>"$T/sh.err" ||
		shell_ok=0
done
wait "$wpid"; wrc=$?
min=$(echo "$rout" | awk '/^reads/ {print $4}')
max=$(echo "$rout" | awk '/^reads/ {print $6}')
if [ $rrc = 0 ] && [ $wrc = 0 ] && [ $shell_ok = 1 ] &&
   [ -n "$min" ] && [ "$max" -gt "$min" ] && [ "$min" -ge 100 ]; then
	pass concurrent-reader
else
	fail concurrent-reader "reader exit $rrc ($rout), writer exit $wrc ($(cat "$T/w.out")), shell $(cat "$T/sh.err")"
fi

# ---- A database locked by another process --------------------------------

db="$T/lock.db"
"$STRESS" write "$db" early 50 >/dev/null
before=$(snapshot "$db" "'early'")
# Exclusive locking mode: the holder keeps every lock until it exits.
(printf 'PRAGMA locking_mode = EXCLUSIVE;\nBEGIN EXCLUSIVE;\nDELETE FROM events;\n'
 sleep 3; printf 'ROLLBACK;\n') | sqlite3 -batch "$db" >/dev/null 2>&1 &
hpid=$!
sleep 0.5
start=$(date +%s%N)
out=$(TCPSCOPE_BUSY_TIMEOUT=300 "$STRESS" write "$db" late 10 2>&1); rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$hpid"
lines=$(printf '%s\n' "$out" | wc -l)
if [ $rc = 4 ] && [ "$lines" = 1 ] && echo "$out" | grep -q locked &&
   [ "$took" -ge 250 ] && [ "$(snapshot "$db" "'early'")" = "$before" ] &&
   [ "$(sq "$db" "SELECT count(*) FROM captures WHERE sha256 = 'late'")" = 0 ]; then
	pass locked-database
else
	fail locked-database "exit $rc after ${took}ms: $out"
fi
# Once the lock is gone the import works.
out=$("$STRESS" write "$db" late 10 2>&1)
if [ "${out%% *}" = done ]; then pass locked-then-free; else fail locked-then-free "$out"; fi

# ---- Corrupt and foreign files -------------------------------------------

db="$T/corrupt.db"
"$STRESS" write "$db" c 50 >/dev/null
printf 'this is not the SQLite header' | dd of="$db" conv=notrunc 2>/dev/null
out=$("$STRESS" write "$db" d 5 2>&1); rc=$?
if [ $rc = 4 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
   echo "$out" | grep -q "not an SQLite database"; then
	pass corrupt-database-refused
else
	fail corrupt-database-refused "exit $rc: $out"
fi

# ---- A full disk ---------------------------------------------------------

if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" &&
   mount -t tmpfs -o size=1500k tcps-full "$T/full" 2>/dev/null; then
	MOUNTS="$MOUNTS $T/full"
	db="$T/full/db"
	"$STRESS" write "$db" small 20 >/dev/null
	before=$(snapshot "$db" "'small'")
	out=$("$STRESS" write "$db" huge 50000 -s -c 100 2>&1); rc=$?
	ic=$(sq "$db" "PRAGMA integrity_check" 2>&1)
	v=$(sq "$db" "SELECT count(*) FROM captures WHERE sha256 = 'huge' AND complete = 1")
	if [ $rc = 4 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	   echo "$out" | grep -q "disk full" && [ "$ic" = ok ] && [ "$v" = 0 ] &&
	   [ "$(snapshot "$db" "'small'")" = "$before" ] && [ -n "$before" ]; then
		pass disk-full
	else
		fail disk-full "exit $rc: $out; integrity $ic; complete huge $v"
	fi
	umount "$T/full" && MOUNTS=""
else
	skip disk-full "cannot mount a tmpfs (needs root)"
fi

# ---- A new database: built aside, there only once complete --------------

# `tcpscope read` into a database that does not exist builds it under a
# temporary name and renames it into place when the first capture is
# complete (STORE_ASIDE); a first import that fails leaves nothing.
db="$T/new.db"
out=$("$TCPSCOPE" read -q -d "$db" "$TOP/pcaps/real-many.pcap" 2>&1); rc=$?
v=$(sq "$db" "PRAGMA journal_mode; PRAGMA integrity_check;
    SELECT count(*) > 0 FROM connections" 2>&1 | tr '\n' ' ')
left=$(ls -A "$T" | grep -c '^\.new\.db\.tcpscope-')
if [ $rc = 0 ] && [ "$v" = "wal ok 1 " ] && [ "$left" = 0 ]; then
	pass new-db-in-place
else
	fail new-db-in-place "exit $rc ($out); db: $v; aside files left: $left"
fi
db="$T/new-bad.db"
printf 'not a capture\n' > "$T/bad.pcap"
out=$("$TCPSCOPE" read -q -d "$db" "$T/bad.pcap" 2>&1); rc=$?
if [ $rc != 0 ] && [ ! -e "$db" ] &&
   [ -z "$(ls -A "$T" | grep '^\.new-bad\.db\.')" ]; then
	pass new-db-failed-leaves-nothing
else
	fail new-db-failed-leaves-nothing "exit $rc ($out); left: $(ls -A "$T")"
fi
# Parallel imports into one new database: each builds aside, the first
# renames its file into place, the others add their capture to it.
db="$T/par.db"
pids=""
for f in real-loss real-many real-zero-window syn-loss-fast; do
	"$TCPSCOPE" read -q -d "$db" "$TOP/pcaps/$f.pcap" >"$T/par-$f.out" 2>&1 &
	pids="$pids $!"
done
prc=0
for p in $pids; do wait "$p" || prc=$?; done
v=$(sq "$db" "SELECT count(*) FROM captures WHERE complete = 1;
    PRAGMA integrity_check; SELECT count(*) FROM pragma_foreign_key_check;
    SELECT count(*) = count(DISTINCT id) FROM connections" 2>&1 | tr '\n' ' ')
left=$(ls -A "$T" | grep -c '^\.par\.db\.tcpscope-')
if [ $prc = 0 ] && [ "$v" = "4 ok 0 1 " ] && [ "$left" = 0 ]; then
	pass new-db-parallel-imports
else
	fail new-db-parallel-imports "exit $prc; db: $v; aside files left: $left; $(cat "$T"/par-*.out | head -c 300)"
fi
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full2" &&
   mount -t tmpfs -o size=64k tcps-full2 "$T/full2" 2>/dev/null; then
	MOUNTS="$MOUNTS $T/full2"
	out=$("$TCPSCOPE" read -q --segments -d "$T/full2/db" \
		"$TOP/pcaps/real-zero-window.pcap" 2>&1); rc=$?
	if [ $rc = 4 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	   echo "$out" | grep -q "disk full" &&
	   [ -z "$(ls -A "$T/full2")" ]; then
		pass new-db-disk-full-leaves-nothing
	else
		fail new-db-disk-full-leaves-nothing "exit $rc: $out; left: $(ls -A "$T/full2")"
	fi
	umount "$T/full2" && MOUNTS=""
else
	skip new-db-disk-full-leaves-nothing "cannot mount a tmpfs (needs root)"
fi

# ---- A read-only file system ---------------------------------------------

if [ "$(id -u)" = 0 ] && mkdir -p "$T/ro" &&
   mount -t tmpfs -o size=2m tcps-ro "$T/ro" 2>/dev/null; then
	MOUNTS="$MOUNTS $T/ro"
	db="$T/ro/db"
	"$STRESS" write "$db" r1 30 >/dev/null
	before=$(snapshot "$db" "'r1'")
	if mount -o remount,ro "$T/ro"; then
		out=$("$STRESS" write "$db" r2 5 2>&1); rc=$?
		out2=$("$STRESS" write "$T/ro/new.db" r2 5 2>&1); rc2=$?
		rout=$("$STRESS" read "$db" 2 2>&1); rrc=$?
		if [ $rc = 4 ] && echo "$out" | grep -q "read-only" &&
		   [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
		   [ $rc2 = 4 ] && echo "$out2" | grep -q "cannot open"; then
			pass readonly-fs-refused
		else
			fail readonly-fs-refused "exit $rc '$out'; new db exit $rc2 '$out2'"
		fi
		if [ $rrc = 0 ] && echo "$rout" | grep -q "max 30"; then
			pass readonly-fs-readable
		else
			fail readonly-fs-readable "exit $rrc: $rout"
		fi
		mount -o remount,rw "$T/ro"
		if [ "$(snapshot "$db" "'r1'")" = "$before" ]; then pass readonly-fs-intact
		else fail readonly-fs-intact "capture changed"; fi
	else
		skip readonly-fs-refused "cannot remount read-only"
	fi
	umount "$T/ro" && MOUNTS=""
else
	skip readonly-fs-refused "cannot mount a tmpfs (needs root)"
fi

# ---- tcpscope query -------------------------------------------------------

if [ -z "$TCPSCOPE" ] || [ ! -x "$TCPSCOPE" ] ||
   ! "$TCPSCOPE" help query >/dev/null 2>&1; then
	skip query "no tcpscope binary with the query command"
	exit 0
fi
db="$T/q.db"
"$STRESS" write "$db" q1 12 -s >/dev/null
q() { "$TCPSCOPE" query -d "$db" "$@"; }
out=$(q "SELECT id, client_ip, vlan, history FROM connections WHERE id <= 2")
exp=$(printf 'id\tclient_ip\tvlan\thistory\n1\t10.0.0.1\t\tShA\n2\t10.0.0.2\t\tShA')
if [ "$out" = "$exp" ]; then pass query-tsv; else fail query-tsv "got: $out"; fi
out=$(q -f csv "SELECT 'a,b' AS x, NULL AS y, 'say \"hi\"' AS z, 1 AS w")
if [ "$out" = "$(printf 'x,y,z,w\n"a,b",,"say ""hi""",1')" ]; then pass query-csv
else fail query-csv "got: $out"; fi
out=$(q --format json "SELECT 1 AS n, 'x\"y' AS s, NULL AS z, 2.5 AS f")
if [ "$out" = "$(printf '[\n{"n":1,"s":"x\\"y","z":null,"f":2.5}\n]')" ]; then
	pass query-json
else
	fail query-json "got: $out"
fi
out=$(q --format=table "SELECT 1 AS a, 'long text' AS bb")
if [ "$out" = "$(printf 'a  bb\n-  ---------\n1  long text')" ]; then pass query-table
else fail query-table "got: $out"; fi
out=$(echo "SELECT count(*) AS n FROM connections;" | q -)
if [ "$out" = "$(printf 'n\n12')" ]; then pass query-stdin; else fail query-stdin "got: $out"; fi
out=$(TCPSCOPE_DB="$db" "$TCPSCOPE" query "SELECT count(*) FROM captures" | tail -1)
if [ "$out" = 1 ]; then pass query-env-db; else fail query-env-db "got: $out"; fi
# Read-only: writes are refused, nothing changes.
for sql in "DELETE FROM connections" "DROP TABLE label_events" \
	   "INSERT INTO meta VALUES ('x', 'y')" "ATTACH '$T/x.db' AS x" \
	   "PRAGMA user_version = 12"; do
	err=$(q "$sql" 2>&1 >/dev/null); rc=$?
	if [ $rc != 4 ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
		fail query-readonly "'$sql': exit $rc: $err"
		sql=""
		break
	fi
done
if [ -n "$sql" ] && [ "$(sq "$db" "SELECT count(*) FROM connections; PRAGMA user_version" | tr '\n' ' ')" = "12 11 " ] &&
   [ ! -e "$T/x.db" ]; then
	pass query-readonly
elif [ -n "$sql" ]; then
	fail query-readonly "the database changed"
fi
# Only reading (security review F7): a function that hands out a pointer,
# one that loads code, a pragma that sets something are refused before
# they run; describing pragmas, also as table-valued functions, work.
bad=""
for sql in "SELECT fts3_tokenizer('simple')" "SELECT load_extension('x')" \
	   "PRAGMA writable_schema = 1" "PRAGMA temp_store_directory = '/tmp'"; do
	out=$(q "$sql" 2>"$T/err"); rc=$?
	[ $rc = 4 ] && [ -z "$out" ] && [ "$(wc -l <"$T/err")" = 1 ] &&
		grep -q 'not allowed' "$T/err" || bad="$bad [$sql: exit $rc $out $(cat "$T/err")]"
done
n=$(q "SELECT count(*) FROM pragma_table_info('captures') WHERE name = 'seek_index'" | tail -1)
if [ -z "$bad" ] && [ "$n" = 1 ]; then pass query-only-reading
else fail query-only-reading "$bad; table_info: $n"; fi
err=$(q "SELEC nonsense" 2>&1 >/dev/null); rc=$?
if [ $rc = 4 ] && echo "$err" | grep -q '^tcpscope query: .*syntax error' &&
   [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]; then pass query-sql-error
else fail query-sql-error "exit $rc: $err"; fi
err=$("$TCPSCOPE" query -d "$T/none.db" "SELECT 1" 2>&1); rc=$?
if [ $rc = 4 ] && [ ! -e "$T/none.db" ]; then pass query-missing-db
else fail query-missing-db "exit $rc: $err"; fi
printf 'SQLite format 3\000 but garbage after that............' > "$T/bad.db"
err=$("$TCPSCOPE" query -d "$T/bad.db" "SELECT 1" 2>&1); rc=$?
if [ $rc = 4 ]; then pass query-corrupt-db; else fail query-corrupt-db "exit $rc: $err"; fi
"$TCPSCOPE" query -d "$db" -f xml "SELECT 1" >/dev/null 2>&1; rc=$?
"$TCPSCOPE" query -d "$db" >/dev/null 2>&1; rc2=$?
if [ $rc = 2 ] && [ $rc2 = 2 ]; then pass query-usage; else fail query-usage "exit $rc, $rc2"; fi

# ---- Upgrading a version 1 database through the commands ----------------

# A genuine version 1 file (the released steps replayed) holding a capture
# a version 1 tcpscope imported; then the same capture read again.
pcap="$TOP/pcaps/syn-close-client.pcap"
db="$T/v1.db"
if [ ! -f "$pcap" ] || ! command -v sha256sum >/dev/null 2>&1; then
	skip upgrade-v1 "no $pcap or no sha256sum"
elif [ "$("$STRESS" create "$db" 1)" != created ]; then
	fail upgrade-v1 "store_stress could not create a version 1 database"
else
	h=$(sha256sum "$pcap" | cut -d' ' -f1)
	sq "$db" "INSERT INTO captures (id, path, sha256, complete)
	    VALUES (1, 'syn-close-client.pcap', '$h', 1);
	  INSERT INTO connections (id, capture_id, tc_id, client_ip,
	    client_port, server_ip, server_port, first_ts, last_ts, close,
	    c2s_packets, s2c_packets)
	    VALUES (1, 1, 1, '10.1.1.1', 1111, '10.1.1.2', 80, 1000, 2000,
	    'fin', 5, 4)"
	# The readers refuse it, saying what to do; the file stays at 1.
	err=$("$TCPSCOPE" flows -d "$db" 2>&1 >/dev/null); rc=$?
	err2=$("$TCPSCOPE" query -d "$db" "SELECT 1" 2>&1 >/dev/null); rc2=$?
	if [ $rc = 4 ] && [ $rc2 = 4 ] &&
	   echo "$err" | grep -q 'schema version 1 is older.*run tcpscope read once' &&
	   echo "$err2" | grep -q 'run tcpscope read once' &&
	   [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
	   [ "$(sq "$db" "PRAGMA user_version")" = 1 ]; then
		pass upgrade-v1-readers-refuse
	else
		fail upgrade-v1-readers-refuse "flows exit $rc: $err; query exit $rc2: $err2"
	fi
	# Reading the capture again: skipped as a duplicate, but the
	# database is upgraded on open.
	out=$("$TCPSCOPE" read -q -d "$db" "$pcap" 2>&1); rc=$?
	v=$(sq "$db" "PRAGMA user_version; SELECT count(*) FROM captures;
	    SELECT count(*) FROM pragma_table_info('connections')
	      WHERE name LIKE '%bad_checksums' OR name LIKE '%time_went_back';
	    SELECT c2s_packets || ' ' || s2c_packets || ' ' ||
	      ifnull(c2s_bad_checksums, 'NULL') FROM connections" | tr '\n' ' ')
	if [ "$v" = "11 1 4 5 4 NULL " ] && echo "$out" | grep -q 'already imported'; then
		pass upgrade-v1-on-write
	else
		fail upgrade-v1-on-write "read exit $rc ($out); db: $v"
	fi
	# The readers work; the old row has null counts, a new one numbers.
	"$TCPSCOPE" read -q -d "$db" "$TOP/pcaps/syn-close-server.pcap" >/dev/null 2>&1
	if command -v jq >/dev/null 2>&1; then
		v=$("$TCPSCOPE" flows -d "$db" -f json |
			jq -r '[.id, .c2s.packets, .c2s.bad_checksums,
			  .s2c.capture_duplicates] | map(tostring) | join(" ")' |
			head -n 2 | tr '\n' '|')
		if [ "$v" = "1 5 null null|2 6 0 0|" ]; then pass upgrade-v1-flows-json
		else fail upgrade-v1-flows-json "got '$v'"; fi
	else
		skip upgrade-v1-flows-json "jq not installed"
	fi
fi

# ---- The label columns against the events, on every capture of pcaps/ -----

# Each per-direction label count of version 2 equals, connection by
# connection, the events of that label in that direction.
db="$T/labels.db"
"$TCPSCOPE" read -q -d "$db" "$TOP"/pcaps/*.pcap >/dev/null 2>&1
bad=""; total=0
for c in zero_window_probe_acks:zero-window-probe-ack \
	 keepalive_acks:keep-alive-ack capture_duplicates:capture-duplicate \
	 oversized_segments:oversized-segment bad_checksums:bad-checksum \
	 rst_out_of_window:rst-out-of-window \
	 rst_in_window_not_exact:rst-in-window-not-exact \
	 data_after_fin:data-after-fin data_after_rst:data-after-rst \
	 segments_after_close:segment-after-close data_on_syn:data-on-syn \
	 bad_flags:bad-flags wscale_too_big:wscale-too-big \
	 wscale_unknown:wscale-unknown time_went_back:time-went-back; do
	col=${c%%:*}; lab=${c#*:}
	v=$(sq "$db" "SELECT (SELECT count(*) FROM connections k WHERE
	    c2s_$col IS NOT (SELECT count(*) FROM events e WHERE
	      e.conn_id = k.id AND e.dir = 0 AND e.label = '$lab') OR
	    s2c_$col IS NOT (SELECT count(*) FROM events e WHERE
	      e.conn_id = k.id AND e.dir = 1 AND e.label = '$lab'))
	  || ' ' || (SELECT count(*) FROM events WHERE label = '$lab')" 2>&1)
	case "$v" in
	"0 "*) total=$((total + ${v#0 })) ;;
	*) bad="$bad $col: $v" ;;
	esac
done
n=$(sq "$db" "SELECT count(*) FROM captures")
if [ -z "$bad" ] && [ "$n" -ge 10 ] && [ "$total" -ge 20 ]; then
	pass label-columns-match-events
else
	fail label-columns-match-events "$n captures, $total events;$bad"
fi

# The label totals the imports counted (label_totals) equal the live label
# rows, capture by capture, revisions taken off as they came.
v=$(sq "$db" "SELECT (SELECT count(*) FROM (SELECT capture_id, label,
	  events FROM label_totals EXCEPT SELECT c.capture_id, e.label,
	  count(*) FROM events e JOIN connections c ON c.id = e.conn_id WHERE
	  e.superseded = 0 GROUP BY 1, 2)) || ' ' || (SELECT count(*) FROM
	  (SELECT c.capture_id, e.label, count(*) FROM events e JOIN
	  connections c ON c.id = e.conn_id WHERE e.superseded = 0 GROUP BY
	  1, 2 EXCEPT SELECT capture_id, label, events FROM label_totals))
	  || ' ' || (SELECT count(*) FROM label_events WHERE superseded = 1)
	  || ' ' || (SELECT count(*) FROM label_totals)" 2>&1)
case "$v" in
"0 0 "*)
	set -- $v
	if [ "$3" -ge 1 ] && [ "$4" -ge 20 ]; then
		pass label-totals-match-events
	else
		fail label-totals-match-events "too little to compare: $v"
	fi ;;
*) fail label-totals-match-events "differences (totals-only, events-only, superseded, rows): $v" ;;
esac

# The examples of tcpscope-db(5) run without error on a real database.
awk '/^\.EX/ { ex = ""; on = 1; next }
     /^\.EE/ { print ex; on = 0; next }
     on { ex = ex (ex == "" ? "" : " ") $0 }' "$MAN" |
	sed -e 's/\\(dq/"/g' -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' > "$T/examples"
n=0; bad=""
while IFS= read -r line; do
	n=$((n + 1))
	cmd=$(printf '%s' "$line" | sed "s|^tcpscope query|\"\$TCPSCOPE\" query -d \"\$db\"|")
	if ! out=$(eval "$cmd" 2>&1); then bad="$bad [$line: $out]"; fi
done < "$T/examples"
if [ $n -ge 5 ] && [ -z "$bad" ]; then pass man-db-examples
else fail man-db-examples "$n examples;$bad"; fi
exit 0
