/*
 * test_store.c - unit tests of analyzer/store/store.c against real SQLite files:
 * schema creation and versions, the upgrade of a genuine version 1 file
 * (built by replaying the released migration steps), refusal of foreign
 * files, a round trip of
 * tracker events into rows, duplicate and replaced imports, an interrupted
 * import, a reader during an import, a locked and a corrupt database.
 * Files live in a fresh directory under $TMPDIR (or /tmp), removed at the
 * end. The crash (SIGKILL) and full-disk tests are in t_store.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../analyzer/store/store.h"
#include "../analyzer/store/uid.h"
#include "unit.h"

static char dir[256];

/* Path of a test file in dir, removed (with -wal/-shm) first. */
static const char *fresh(const char *name)
{
	static char p[4][400];
	static int k;
	char *s = p[k++ % 4];
	snprintf(s, 400, "%s/%s", dir, name);
	char x[420];
	unlink(s);
	snprintf(x, sizeof x, "%s-wal", s);
	unlink(x);
	snprintf(x, sizeof x, "%s-shm", s);
	unlink(x);
	return s;
}

/* One integer from SQL on db; -999 on any error. */
static long long q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -999;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL
			? -1
			: sqlite3_column_int64(s, 0);
	if (sqlite3_finalize(s) != SQLITE_OK)
		v = -999;
	return v;
}

/* One text from SQL on db, "(null)" for NULL, "(error)" on error. */
static const char *q_text(sqlite3 *db, const char *sql)
{
	static char buf[4][512];
	static int k;
	char *b = buf[k++ % 4];
	sqlite3_stmt *s;
	snprintf(b, 512, "(error)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return b;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		snprintf(b, 512, "%s", t ? (const char *)t : "(null)");
	}
	if (sqlite3_finalize(s) != SQLITE_OK)
		snprintf(b, 512, "(error)");
	return b;
}

/* Raw SQL on a plain connection to path; SQLite result code. */
static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Imports one small capture of n connections (sha), returns its id or a
 * negative store code. */
static int64_t import_small(struct store *st, const char *sha, int n,
			    int replace)
{
	struct store_capture cap = {"small.pcap", 100, sha, "EN10MB", 65535, 0, NULL};
	int64_t id;
	int r = store_capture_begin(st, &cap, replace, &id);
	if (r)
		return r;
	for (int i = 1; i <= n; i++) {
		struct tc_conn c;
		memset(&c, 0, sizeof c);
		c.id = (uint64_t)i;
		c.addr[0].family = c.addr[1].family = 4;
		c.addr[0].a[0] = 10;
		c.addr[0].a[3] = (uint8_t)i;
		c.addr[1].a[0] = 10;
		c.addr[1].a[3] = 200;
		c.port[0] = 40000;
		c.port[1] = 80;
		c.observed[0] = 1;
		c.state[0] = TC_ST_SYN_SENT;
		c.close = TC_CLOSE_UNANSWERED;
		c.handshake = TC_HS_SYN_ONLY;
		c.dir[0].wscale = c.dir[1].wscale = -1;
		c.rtt.handshake = -1;
		struct tc_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = TC_EV_OPEN;
		ev.conn_id = c.id;
		ev.conn = &c;
		if ((r = store_event(st, &ev, NULL)) != 0)
			return r;
		ev.type = TC_EV_LABEL;
		ev.label = TC_LB_SYN_RETRANSMISSION;
		if ((r = store_event(st, &ev, NULL)) != 0)
			return r;
		ev.type = TC_EV_CLOSE;
		if ((r = store_event(st, &ev, NULL)) != 0)
			return r;
	}
	struct store_capture_stats s = {0};
	s.packets = (uint64_t)n;
	r = store_capture_end(st, &s);
	return r ? r : id;
}

static void t_default_path(void)
{
	unsetenv("TCPSCOPE_DB");
	CHECK_STR(store_default_path(), "tcpscope.db");
	setenv("TCPSCOPE_DB", "/x/y.db", 1);
	CHECK_STR(store_default_path(), "/x/y.db");
	setenv("TCPSCOPE_DB", "", 1);
	CHECK_STR(store_default_path(), "tcpscope.db");
	unsetenv("TCPSCOPE_DB");
}

static void t_create_and_reopen(void)
{
	const char *p = fresh("create.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	sqlite3 *db = store_db(st);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 11);
	CHECK_STR(q_text(db, "PRAGMA journal_mode"), "wal");
	CHECK_EQ(q_int(db, "PRAGMA foreign_keys"), 1);
	CHECK_STR(q_text(db, "SELECT value FROM meta WHERE key='tool_version'"),
		  TCPSCOPE_VERSION);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM meta WHERE key='created'"), 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type="
			   "'view' AND name IN ('failed_handshakes','resets',"
			   "'top_retransmitters','slow_handshakes')"),
		 4);
	CHECK(import_small(st, "aa", 3, 0) > 0);
	store_close(st);
	/* Current version: opens as is, data kept. */
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 3);
	store_close(st);
	/* Read-only and without CREATE also work on it. */
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "PRAGMA query_only"), 1);
	store_close(st);
	CHECK_EQ(store_open(p, 0, &st, err, sizeof err), 0);
	store_close(st);
}

static void t_empty_file_created(void)
{
	/* A zero-length file is an empty SQLite database: version 0. */
	const char *p = fresh("empty.db");
	write_file(p, "");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_ECORRUPT);
	CHECK(st == NULL);
	CHECK(strstr(err, "not a tcpscope database") != NULL);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "PRAGMA user_version"), 11);
	store_close(st);
}

static void t_newer_version_refused(void)
{
	const char *p = fresh("newer.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	store_close(st);
	CHECK_EQ(raw_exec(p, "PRAGMA user_version = 12"), SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_EVERSION);
	CHECK(st == NULL);
	CHECK(strstr(err, "schema version 12 is newer") != NULL);
	CHECK(strstr(err, p) == err);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_EVERSION);
	/* Refusal changed nothing. */
	sqlite3 *db;
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 12);
	sqlite3_close(db);
}

/* The connections columns version 2 added, per direction. */
static const char *const v2_cols[] = {
    "zero_window_probe_acks", "keepalive_acks", "capture_duplicates",
    "oversized_segments", "bad_checksums", "rst_out_of_window",
    "rst_in_window_not_exact", "data_after_fin", "data_after_rst",
    "segments_after_close", "data_on_syn", "bad_flags", "wscale_too_big",
    "wscale_unknown", "time_went_back",
};
#define NV2 (sizeof v2_cols / sizeof *v2_cols)

/* How many of the version 2 columns connections has (both directions). */
static long long count_v2_cols(sqlite3 *db)
{
	long long n = 0;
	char sql[200];
	for (size_t i = 0; i < NV2; i++)
		for (int d = 0; d < 2; d++) {
			snprintf(sql, sizeof sql,
				 "SELECT count(*) FROM pragma_table_info("
				 "'connections') WHERE name = '%s_%s'",
				 d ? "s2c" : "c2s", v2_cols[i]);
			n += q_int(db, sql);
		}
	return n;
}

/* Objects and connections columns that differ between the databases
 * main and o attached to db (both ways); 0 when the schemas are equal. */
static long long schema_diffs(sqlite3 *db)
{
	/* sqlite_stat1 comes and goes with PRAGMA optimize: not ours. */
	return q_int(
	    db, "SELECT (SELECT count(*) FROM (SELECT type, name, sql FROM"
		" main.sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
		" EXCEPT SELECT type, name, sql FROM o.sqlite_master))"
		" + (SELECT count(*) FROM (SELECT type, name, sql FROM"
		" o.sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
		" EXCEPT SELECT type, name, sql FROM main.sqlite_master))"
		" + (SELECT count(*) FROM (SELECT cid, name, type FROM"
		" pragma_table_info('connections', 'main') EXCEPT SELECT cid,"
		" name, type FROM pragma_table_info('connections', 'o')))"
		" + (SELECT count(*) FROM (SELECT cid, name, type FROM"
		" pragma_table_info('connections', 'o') EXCEPT SELECT cid,"
		" name, type FROM pragma_table_info('connections', 'main')))");
}

/* A genuine version 1 database (the released steps replayed), with rows,
 * upgraded by store_open(): version 2, the new columns NULL in old rows,
 * everything else intact; refused read-only before the upgrade; a
 * version 3 refused after it. */
static void t_upgrade_v1(void)
{
	const char *p = fresh("v1.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_create_version(p, 1, err, sizeof err), 0);
	sqlite3 *db;
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 1);
	/* Version 1 as released: 89 columns, none of version 2. */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_table_info("
			   "'connections')"),
		 89);
	CHECK_EQ(count_v2_cols(db), 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM sqlite_master WHERE name"
			   " NOT LIKE 'sqlite_%'"),
		 19);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM meta WHERE key IN"
			   " ('tool_version', 'created')"),
		 2);
	/* Rows as a version 1 tcpscope wrote them. */
	CHECK_EQ(sqlite3_exec(
		     db,
		     "INSERT INTO captures (id, path, sha256, live, packets,"
		     " complete) VALUES (1, 'old.pcap', 'v1sha', 0, 7, 1);"
		     "INSERT INTO connections (id, capture_id, tc_id,"
		     " client_ip, client_port, server_ip, server_port, close,"
		     " history, c2s_packets, s2c_packets, c2s_retransmissions,"
		     " s2c_keepalives) VALUES (1, 1, 1, '10.0.0.1', 1000,"
		     " '10.0.0.2', 80, 'reset', 'ShAR', 4, 3, 2, 1);"
		     "INSERT INTO events (conn_id, ts_ns, pkt, dir, label)"
		     " VALUES (1, 5, 2, 0, 'bad-checksum');"
		     "INSERT INTO transitions (conn_id, ts_ns, pkt, side,"
		     " from_state, to_state) VALUES (1, 5, 2, 0, 'CLOSED',"
		     " 'SYN-SENT');",
		     NULL, NULL, NULL),
		 SQLITE_OK);
	sqlite3_close(db);

	/* Read-only: refused with the way out, the file left at 1. */
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_EVERSION);
	CHECK(st == NULL);
	CHECK(strstr(err, "schema version 1 is older") != NULL);
	CHECK(strstr(err, "run tcpscope read once on it to upgrade") != NULL);
	CHECK(strstr(err, p) == err);
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 1);
	CHECK_EQ(count_v2_cols(db), 0);
	sqlite3_close(db);

	/* Writable: upgraded on open. */
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	db = store_db(st);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 11);
	CHECK_EQ(count_v2_cols(db), 2 * (long long)NV2);
	/* Version 3 adds transition_list, transitions_dropped and the
	 * checksum_offload pair; version 7 the tunnel; version 8 the 18
	 * pairs of the transfer phase; version 9 the alternative paths
	 * (NULL in the old rows); version 10 the generated vantage, which
	 * pragma_table_xinfo lists and pragma_table_info does not; version
	 * 11 the uid. */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_table_info("
			   "'connections')"),
		 89 + 2 * (long long)NV2 + 4 + 1 + 2 * 18 + 2 + 1);
	/* The old rows get the uid version 10's views showed. */
	{
		sqlite3_stmt *u;
		CHECK_EQ(sqlite3_prepare_v2(db, "SELECT coalesce(k.sha256,"
					     " k.path, ''), c.tc_id, c.first_ts,"
					     " c.uid FROM connections c JOIN"
					     " captures k ON k.id ="
					     " c.capture_id", -1, &u, NULL),
			 SQLITE_OK);
		int rows = 0;
		while (sqlite3_step(u) == SQLITE_ROW) {
			char want[UID_LEN + 1];
			uid_format_v10(want,
				       (const char *)sqlite3_column_text(u, 0),
				       sqlite3_column_int64(u, 1),
				       sqlite3_column_int64(u, 2));
			const char *got =
			    (const char *)sqlite3_column_text(u, 3);
			CHECK(got && strcmp(got, want) == 0);
			rows++;
		}
		sqlite3_finalize(u);
		CHECK(rows > 0);
	}
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_table_xinfo("
			   "'connections') WHERE name = 'vantage'"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE"
			   " client_states_alt IS NULL AND"
			   " server_states_alt IS NULL"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE"
			   " c2s_limited_by IS NULL AND s2c_busy_ns IS NULL"
			   " AND c2s_cc_states IS NULL"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM cc_transitions"), 0);
	/* Old rows intact, the new counts NULL (never counted). */
	CHECK_STR(q_text(db, "SELECT path||'|'||sha256||'|'||packets||'|'||"
			     "complete FROM captures"),
		  "old.pcap|v1sha|7|1");
	CHECK_STR(q_text(db, "SELECT client_ip||'|'||client_port||'|'||"
			     "server_ip||'|'||server_port||'|'||close||'|'||"
			     "history||'|'||c2s_packets||'|'||s2c_packets||'|'"
			     "||c2s_retransmissions||'|'||s2c_keepalives FROM"
			     " connections"),
		  "10.0.0.1|1000|10.0.0.2|80|reset|ShAR|4|3|2|1");
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE"
			   " c2s_bad_checksums IS NULL AND s2c_time_went_back"
			   " IS NULL AND c2s_data_on_syn IS NULL"),
		 1);
	CHECK_STR(q_text(db, "SELECT label FROM events"), "bad-checksum");
	CHECK_EQ(q_int(db, "SELECT count(*) FROM transitions"), 1);
	/* The views see the new columns. */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM resets WHERE"
			   " s2c_segments_after_close IS NULL"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"),
		 0);
	CHECK_EQ(q_text(db, "PRAGMA integrity_check")[0], 'o');
	/* A new import writes numbers in them. */
	CHECK(import_small(st, "new", 2, 0) > 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE"
			   " c2s_bad_checksums = 0 AND s2c_time_went_back = 0"),
		 2);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM events"), 3);
	store_close(st);
	/* An upgraded file has exactly the schema of a new one. */
	const char *q = fresh("v2.db");
	CHECK_EQ(store_open(q, STORE_CREATE, &st, err, sizeof err), 0);
	store_close(st);
	char sql[600];
	snprintf(sql, sizeof sql, "ATTACH '%s' AS o", q);
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* (Version 8 added cc_transitions, its index and cc_episodes.) */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM o.sqlite_master WHERE name"
			   " NOT LIKE 'sqlite_%'"),
		 35); /* 27; version 7's four tables and an index; version 8's
		     * table, index and view */
	CHECK_EQ(schema_diffs(db), 0);
	/* (The comparison sees a difference: one column more.) */
	CHECK_EQ(sqlite3_exec(db, "ALTER TABLE o.connections ADD COLUMN x",
			      NULL, NULL, NULL),
		 SQLITE_OK);
	CHECK_EQ(schema_diffs(db), 3);
	sqlite3_close(db);
	/* Opened again: nothing to do, read-only works now. */
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 3);
	store_close(st);

	/* A version 12 file is still refused, and left alone. */
	CHECK_EQ(raw_exec(p, "PRAGMA user_version = 12"), SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_EVERSION);
	CHECK(strstr(err, "schema version 12 is newer") != NULL);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_EVERSION);
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 12);
	sqlite3_close(db);

	/* store_create_version() takes only known, not older, versions. */
	CHECK_EQ(store_create_version(fresh("v12.db"), 12, err, sizeof err),
		 STORE_EVERSION);
	CHECK_EQ(store_create_version(fresh("v0.db"), 0, err, sizeof err),
		 STORE_EVERSION);
	CHECK_EQ(store_create_version(q, 1, err, sizeof err), STORE_EVERSION);
	CHECK(strstr(err, "schema version 11 is newer") != NULL);
}

/* An upgrade step that fails leaves the file at version 1 as it was: the
 * step is one transaction. */
static void t_upgrade_atomic(void)
{
	const char *p = fresh("v1bad.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_create_version(p, 1, err, sizeof err), 0);
	/* A column of version 2 already there, added by hand: the step
	 * fails in the middle, after some of its ALTERs worked. */
	CHECK_EQ(raw_exec(p, "ALTER TABLE connections ADD COLUMN"
			     " s2c_bad_flags INTEGER"),
		 SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), STORE_EIO);
	CHECK(st == NULL);
	CHECK(strstr(err, "upgrading the schema from version 1 to 2") != NULL);
	CHECK(strstr(err, "s2c_bad_flags") != NULL);
	sqlite3 *db;
	CHECK_EQ(sqlite3_open(p, &db), SQLITE_OK);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 1);
	CHECK_EQ(count_v2_cols(db), 1); /* only the hand-made one */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_table_info("
			   "'connections')"),
		 90);
	sqlite3_close(db);
}

static void t_foreign_files_refused(void)
{
	struct store *st;
	char err[512];
	const char *p = fresh("other.db");
	CHECK_EQ(raw_exec(p, "CREATE TABLE t(x); INSERT INTO t VALUES (1)"),
		 SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_ECORRUPT);
	CHECK(strstr(err, "not a tcpscope database") != NULL);
	CHECK_EQ(raw_exec(p, "SELECT count(*) FROM t"), SQLITE_OK);

	p = fresh("text.db");
	write_file(p, "this is not a database, just some text that is long "
		      "enough to fill an SQLite header and more: 0123456789\n");
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_ECORRUPT);
	CHECK(strstr(err, "not an SQLite database") != NULL);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_ECORRUPT);

	/* Version 1 but a table missing. */
	p = fresh("half.db");
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	store_close(st);
	CHECK_EQ(raw_exec(p, "DROP VIEW resets; DROP TABLE segment_chunks"),
		 SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_ECORRUPT);
	CHECK(strstr(err, "'segment_chunks' is missing") != NULL);

	p = fresh("missing.db");
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_EOPEN);
	CHECK(strstr(err, "cannot open") != NULL);
	CHECK(access(p, F_OK) != 0);
	CHECK_EQ(store_open(p, 0, &st, err, sizeof err), STORE_EOPEN);
	CHECK(access(p, F_OK) != 0);
}

static void t_readonly_store(void)
{
	const char *p = fresh("ro.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK(import_small(st, "bb", 2, 0) > 0);
	store_close(st);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK(sqlite3_exec(store_db(st), "DELETE FROM connections", NULL, NULL,
			   NULL) != SQLITE_OK);
	struct store_capture cap = {"x", 1, "cc", "EN10MB", 1, 0, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), STORE_EIO);
	CHECK(strstr(store_errmsg(st), "read-only") != NULL);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 2);
	store_close(st);
}

/* The round trip: a fully populated connection and its events. */
static void t_roundtrip(void)
{
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(NULL, STORE_MEMORY | STORE_CREATE | STORE_SEGMENTS,
			    &st, err, sizeof err),
		 0);
	sqlite3 *db = store_db(st);
	struct store_capture cap = {"a.pcap",	  1234,	  "abcd",
				    "EN10MB,RAW", 262144, 0, NULL};
	int64_t cid;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &cid), 0);
	CHECK_EQ(cid, 1);

	/* Rule ids and names come from the real table. */
	CHECK(tc_nrules >= 3);
	uint16_t r0 = tc_rules[0].id, r1 = tc_rules[1].id, r2 = tc_rules[2].id;
	struct tc_transition tr[4] = {
	    {100, 1, TC_CLIENT, TC_ST_CLOSED, TC_ST_SYN_SENT, 0, r0},
	    {200, 2, TC_SERVER, TC_ST_LISTEN, TC_ST_SYN_RECEIVED, 0, r1},
	    {300, 3, TC_CLIENT, TC_ST_SYN_SENT, TC_ST_ESTABLISHED, 0, r2},
	    {400, 4, TC_SERVER, TC_ST_SYN_RECEIVED, TC_ST_ESTABLISHED, 0, 9999},
	};
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	c.id = 5;
	c.vlan[0] = 100;
	c.vlan[1] = 200;
	c.addr[0].family = c.addr[1].family = 6;
	c.addr[0].a[0] = 0x20;
	c.addr[0].a[1] = 0x01;
	c.addr[0].a[2] = 0x0d;
	c.addr[0].a[3] = 0xb8;
	c.addr[0].a[15] = 1;
	memcpy(c.addr[1].a, c.addr[0].a, 16);
	c.addr[1].a[15] = 2;
	c.port[0] = 51000;
	c.port[1] = 443;
	c.first_ts = 100;
	c.last_ts = 900;
	c.first_pkt = 1;
	c.last_pkt = 9;

	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_OPEN;
	ev.conn_id = 5;
	ev.conn = &c;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	for (int i = 0; i < 4; i++) {
		ev.type = TC_EV_TRANSITION;
		ev.tr = tr[i];
		CHECK_EQ(store_event(st, &ev, NULL), 0);
	}
	ev.type = TC_EV_LABEL;
	ev.ts_ns = 500;
	ev.pkt = 5;
	ev.dir = 1;
	ev.label = TC_LB_DUP_ACK;
	ev.reason = 1;
	ev.seq = 4000000000u;
	ev.ack = 7;
	ev.len = 0;
	ev.win = 65535;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	ev.label = TC_LB_FAST_RETRANSMISSION;
	ev.revised = 1;
	ev.old_label = TC_LB_RETRANSMISSION;
	ev.reason = 0;
	CHECK_EQ(store_event(st, &ev, NULL), 0);

	struct tc_segment seg;
	memset(&seg, 0, sizeof seg);
	seg.ts_ns = 600;
	seg.pkt = 6;
	seg.flags = TC_SYN | TC_ACK | TC_ECE;
	seg.seq = 11;
	seg.ack = 22;
	seg.window = 29200;
	seg.payload_len = 10;
	seg.payload_caplen = 4;
	seg.opt.present = TC_OPT_MSS | TC_OPT_WSCALE | TC_OPT_SACK_PERM |
			  TC_OPT_TS | TC_OPT_SACK;
	seg.opt.mss = 1460;
	seg.opt.wscale = 7;
	seg.opt.tsval = 123;
	seg.opt.tsecr = 0;
	seg.opt.nsack = 2;
	seg.opt.sack[0][0] = 1;
	seg.opt.sack[0][1] = 2;
	seg.opt.sack[1][0] = 3;
	seg.opt.sack[1][1] = 4;
	ev.type = TC_EV_SEGMENT;
	ev.dir = 1;
	ev.labels = (UINT64_C(1) << TC_LB_RETRANSMISSION) |
		    (UINT64_C(1) << TC_LB_DUP_ACK);
	CHECK_EQ(store_event(st, &ev, &seg), 0);
	CHECK_EQ(store_event(st, &ev, NULL), 0); /* no segment: no row */

	/* Final figures: every direction column gets its own value. */
	c.transitions = tr;
	c.ntransitions = 4;
	c.observed[0] = c.observed[1] = 1;
	c.state[0] = TC_ST_ESTABLISHED;
	c.state[1] = TC_ST_ESTABLISHED;
	c.close = TC_CLOSE_RESET;
	c.handshake = TC_HS_THREEWAY;
	c.data_on_syn = 1;
	c.evicted = 0;
	memcpy(c.conn_state, "RSTO", 5);
	memcpy(c.history, "ShADadR", 8);
	c.rtt = (struct tc_rtt){1000, 600, 400, 10, 30, 20, -1, 3};
	for (int d = 0; d < 2; d++) {
		struct tc_dir_stats *s = &c.dir[d];
		uint64_t base = d ? 1000 : 0;
		s->packets = base + 1;
		s->payload_bytes = base + 2;
		s->wire_bytes = base + 3;
		s->ip_bytes = base + 4;
		for (int l = 0; l < TC_LB__COUNT; l++)
			s->label[l] = base + 100 + (uint64_t)l;
		s->acked_unseen_bytes = base + 5;
		s->mss = d ? 0 : 1460;
		s->wscale = d ? -1 : 7;
		s->sack_perm = 1;
		s->win_min = base + 6;
		s->win_max = base + 7;
		s->max_inflight = base + 8;
		s->max_idle_ns = (int64_t)base + 9;
	}
	ev.type = TC_EV_CLOSE;
	CHECK_EQ(store_event(st, &ev, NULL), 0);

	struct store_capture_stats s = {
	    10, 9, 1, 0, 2, 0, 100, 900, "truncated-tcp-header=2", NULL,
	    NULL, NULL, 0, NULL, NULL};
	CHECK_EQ(store_capture_end(st, &s), 0);

	/* Capture. */
	CHECK_STR(q_text(db, "SELECT path||'|'||size||'|'||sha256||'|'||"
			     "linktypes||'|'||snaplen||'|'||live||'|'||"
			     "first_ts||'|'||last_ts||'|'||packets||'|'||"
			     "tcp_segments||'|'||non_tcp||'|'||fragments||'|'"
			     "||malformed||'|'||reasons||'|'||complete||'|'||"
			     "tool_version FROM captures"),
		  "a.pcap|1234|abcd|EN10MB,RAW|262144|0|100|900|10|9|1|0|2|"
		  "truncated-tcp-header=2|1|" TCPSCOPE_VERSION);
	CHECK_EQ(q_int(db,
		       "SELECT error IS NULL AND started IS NOT NULL AND"
		       " finished LIKE '____-__-__T__:__:__Z' FROM captures"),
		 1);
	/* Connection. */
	CHECK_STR(q_text(db, "SELECT capture_id||'|'||tc_id||'|'||vlan||'|'||"
			     "client_ip||'|'||client_port||'|'||server_ip||'|'"
			     "||server_port||'|'||first_ts||'|'||last_ts||'|'"
			     "||first_pkt||'|'||last_pkt FROM connections"),
		  "1|5|100.200|2001:db8::1|51000|2001:db8::2|443|100|900|1|9");
	CHECK_STR(q_text(db, "SELECT client_state||'|'||server_state||'|'||"
			     "client_states||'|'||server_states FROM "
			     "connections"),
		  "ESTABLISHED|ESTABLISHED|CLOSED SYN-SENT ESTABLISHED|"
		  "LISTEN SYN-RECEIVED ESTABLISHED");
	CHECK_STR(q_text(db, "SELECT close||'|'||handshake||'|'||midstream||"
			     "'|'||data_on_syn||'|'||evicted||'|'||conn_state"
			     "||'|'||history FROM connections"),
		  "reset|3way|0|1|0|RSTO|ShADadR");
	CHECK_STR(q_text(db, "SELECT rtt_handshake_ns||'|'||rtt_to_server_ns"
			     "||'|'||rtt_to_client_ns||'|'||rtt_min_ns||'|'||"
			     "rtt_avg_ns||'|'||rtt_max_ns||'|'||"
			     "ifnull(rtt_stddev_ns,'N')||'|'||rtt_samples "
			     "FROM connections"),
		  "1000|600|400|10|20|30|N|3");
	CHECK_STR(q_text(db, "SELECT c2s_packets||'|'||c2s_payload_bytes||'|'"
			     "||c2s_wire_bytes||'|'||c2s_ip_bytes||'|'||"
			     "c2s_acked_unseen_bytes||'|'||c2s_mss||'|'||"
			     "c2s_wscale||'|'||c2s_win_min||'|'||c2s_win_max"
			     "||'|'||c2s_max_inflight||'|'||c2s_max_idle_ns||"
			     "'|'||c2s_sack_perm||'|'||c2s_ts_perm FROM "
			     "connections"),
		  "1|2|3|4|5|1460|7|6|7|8|9|1|0");
	CHECK_STR(q_text(db, "SELECT s2c_packets||'|'||ifnull(s2c_mss,'N')||"
			     "'|'||ifnull(s2c_wscale,'N')||'|'||s2c_win_max "
			     "FROM connections"),
		  "1001|N|N|1007");
	/* The label mapping of schema.sql and of version 2. */
	char sql[512];
	static const struct {
		const char *col;
		int l1, l2; /* the labels counted; l2 -1 when one */
	} map[] = {
	    {"retransmissions", TC_LB_RETRANSMISSION, -1},
	    {"syn_retransmissions", TC_LB_SYN_RETRANSMISSION,
	     TC_LB_SYNACK_RETRANSMISSION},
	    {"fin_retransmissions", TC_LB_FIN_RETRANSMISSION, -1},
	    {"fast_retransmissions", TC_LB_FAST_RETRANSMISSION, -1},
	    {"spurious_retransmissions", TC_LB_SPURIOUS_RETRANSMISSION, -1},
	    {"out_of_order", TC_LB_OUT_OF_ORDER, -1},
	    {"lost_segments", TC_LB_PREV_NOT_CAPTURED, -1},
	    {"acked_unseen", TC_LB_ACKED_UNSEEN, -1},
	    {"dup_acks", TC_LB_DUP_ACK, -1},
	    {"zero_windows", TC_LB_ZERO_WINDOW, -1},
	    {"zero_window_probes", TC_LB_ZERO_WINDOW_PROBE, -1},
	    {"window_full", TC_LB_WINDOW_FULL, -1},
	    {"window_updates", TC_LB_WINDOW_UPDATE, -1},
	    {"keepalives", TC_LB_KEEPALIVE, -1},
	    {"sack_segments", TC_LB_SACK, -1},
	    {"dsack_segments", TC_LB_DSACK, -1},
	    /* Schema version 2. */
	    {"zero_window_probe_acks", TC_LB_ZERO_WINDOW_PROBE_ACK, -1},
	    {"keepalive_acks", TC_LB_KEEPALIVE_ACK, -1},
	    {"capture_duplicates", TC_LB_CAPTURE_DUPLICATE, -1},
	    {"oversized_segments", TC_LB_OVERSIZED_SEGMENT, -1},
	    {"bad_checksums", TC_LB_BAD_CHECKSUM, -1},
	    {"rst_out_of_window", TC_LB_RST_OUT_OF_WINDOW, -1},
	    {"rst_in_window_not_exact", TC_LB_RST_CHALLENGE, -1},
	    {"data_after_fin", TC_LB_DATA_AFTER_FIN, -1},
	    {"data_after_rst", TC_LB_DATA_AFTER_RST, -1},
	    {"segments_after_close", TC_LB_SEGMENT_AFTER_CLOSE, -1},
	    {"data_on_syn", TC_LB_DATA_ON_SYN, -1},
	    {"bad_flags", TC_LB_BAD_FLAGS, -1},
	    {"wscale_too_big", TC_LB_WSCALE_TOO_BIG, -1},
	    {"wscale_unknown", TC_LB_WSCALE_UNKNOWN, -1},
	    {"time_went_back", TC_LB_TIME_WENT_BACK, -1},
	};
	/* Every label of the tracker has its column (issue 5), once. */
	int seen[TC_LB__COUNT] = {0};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		seen[map[i].l1]++;
		if (map[i].l2 >= 0)
			seen[map[i].l2]++;
	}
	for (int l = 0; l < TC_LB__COUNT; l++)
		if (seen[l] != 1) /* names the label in the FAIL line */
			CHECK_STR(tc_label_name(l), "a label with one column");
	for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
		snprintf(sql, sizeof sql, "SELECT c2s_%s FROM connections",
			 map[i].col);
		/* Label l has count 100 + l (+ 1000 server to client). */
		long long v = 100 + map[i].l1, n = 1;
		if (map[i].l2 >= 0) {
			v += 100 + map[i].l2;
			n = 2;
		}
		CHECK_EQ(q_int(db, sql), v);
		snprintf(sql, sizeof sql, "SELECT s2c_%s FROM connections",
			 map[i].col);
		CHECK_EQ(q_int(db, sql), v + 1000 * n);
	}
	/* Transitions, rule names by id (9999 has none). */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM transitions"), 4);
	char want[600];
	snprintf(want, sizeof want,
		 "0:CLOSED>SYN-SENT:%u:%s@100#1 "
		 "1:LISTEN>SYN-RECEIVED:%u:%s@200#2 "
		 "0:SYN-SENT>ESTABLISHED:%u:%s@300#3 "
		 "1:SYN-RECEIVED>ESTABLISHED:9999:N@400#4",
		 r0, tc_rules[0].name, r1, tc_rules[1].name, r2,
		 tc_rules[2].name);
	CHECK_STR(q_text(db, "SELECT group_concat(side||':'||from_state||'>'||"
			     "to_state||':'||rule||':'||ifnull(rule_name,'N')"
			     "||'@'||ts_ns||'#'||pkt, ' ') FROM (SELECT * FROM"
			     " transitions ORDER BY id)"),
		  want);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM transitions t JOIN "
			   "connections c ON c.id = t.conn_id"),
		 4);
	/* Events. */
	snprintf(want, sizeof want,
		 "500|5|1|dup-ack|%s|4000000000|7|0|65535|0|N "
		 "500|5|1|fast-retransmission|N|4000000000|7|0|65535|1|"
		 "retransmission",
		 tc_reason_name(1));
	CHECK_STR(q_text(db, "SELECT group_concat(ts_ns||'|'||pkt||'|'||dir||"
			     "'|'||label||'|'||ifnull(reason,'N')||'|'||seq||"
			     "'|'||ack||'|'||len||'|'||win||'|'||revised||'|'"
			     "||ifnull(old_label,'N'), ' ') FROM (SELECT * "
			     "FROM events ORDER BY id)"),
		  want);
	/* Segments. */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM segments"), 1);
	CHECK_STR(q_text(db, "SELECT ts_ns||'|'||pkt||'|'||dir||'|'||flags||"
			     "'|'||seq||'|'||ack||'|'||len||'|'||caplen||'|'||"
			     "win||'|'||options||'|'||labels FROM segments"),
		  "600|6|1|SAE|11|22|10|4|29200|mss=1460,ws=7,sackok,"
		  "ts=123/0,sack=1-2 3-4|retransmission,dup-ack");
	/* Views. */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM resets"), 1);
	CHECK_EQ(q_int(db, "SELECT retransmissions FROM top_retransmitters"),
		 2 * (100 + TC_LB_RETRANSMISSION) + 1000);
	CHECK_EQ(q_int(db, "SELECT rtt_handshake_ns FROM slow_handshakes"),
		 1000);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM failed_handshakes"), 0);
	store_close(st);
}

/* Paths of sides never observed, and of a midstream connection. */
static void t_state_paths(void)
{
	struct store *st;
	char err[512];
	CHECK_EQ(
	    store_open(NULL, STORE_MEMORY | STORE_CREATE, &st, err, sizeof err),
	    0);
	struct store_capture cap = {"-", -1, NULL, "EN10MB", 0, 1, NULL};
	int64_t cid;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &cid), 0);
	struct tc_transition tr = {
	    .ts_ns = 1, .pkt = 1, .side = TC_CLIENT, .from = TC_ST_CLOSED,
	    .to = TC_ST_SYN_SENT, .rule = 1};
	struct tc_conn c[2];
	memset(c, 0, sizeof c);
	/* 1: SYN only, the server never answered. */
	c[0].id = 1;
	c[0].observed[0] = 1;
	c[0].transitions = &tr;
	c[0].ntransitions = 1;
	c[0].state[0] = TC_ST_SYN_SENT;
	c[0].state[1] = TC_ST_UNKNOWN;
	c[0].close = TC_CLOSE_UNANSWERED;
	c[0].handshake = TC_HS_SYN_ONLY;
	c[0].rtt.handshake = -1;
	/* 2: picked up midstream, both sides talk, no transitions. */
	c[1].id = 2;
	c[1].observed[0] = c[1].observed[1] = 1;
	c[1].state[0] = c[1].state[1] = TC_ST_ESTABLISHED;
	c[1].midstream = 1;
	c[1].rtt.handshake = -1;
	for (int i = 0; i < 2; i++) {
		struct tc_event ev;
		memset(&ev, 0, sizeof ev);
		ev.conn_id = c[i].id;
		ev.conn = &c[i];
		ev.type = TC_EV_OPEN;
		CHECK_EQ(store_event(st, &ev, NULL), 0);
		ev.type = TC_EV_CLOSE;
		CHECK_EQ(store_event(st, &ev, NULL), 0);
	}
	struct store_capture_stats s = {0};
	s.kernel_drops = 17;
	CHECK_EQ(store_capture_end(st, &s), 0);
	sqlite3 *db = store_db(st);
	CHECK_STR(q_text(db, "SELECT client_states||'|'||ifnull(server_states,"
			     "'N')||'|'||server_state||'|'||vlan||'|'||"
			     "ifnull(rtt_handshake_ns,'N') FROM connections "
			     "WHERE tc_id=1"),
		  "CLOSED SYN-SENT|N|UNKNOWN||N");
	CHECK_STR(q_text(db, "SELECT client_states||'|'||server_states||'|'||"
			     "midstream FROM connections WHERE tc_id=2"),
		  "ESTABLISHED|ESTABLISHED|1");
	CHECK_STR(q_text(db, "SELECT server_port||'|'||close||'|'||n FROM "
			     "failed_handshakes"),
		  "0|unanswered|1");
	CHECK_EQ(q_int(db, "SELECT kernel_drops FROM captures"), 17);
	CHECK_EQ(q_int(db, "SELECT sha256 IS NULL AND size IS NULL AND live=1"
			   " FROM captures"),
		 1);
	store_close(st);
}

static void t_duplicate_and_replace(void)
{
	const char *p = fresh("dup.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	sqlite3 *db = store_db(st);
	int64_t a = import_small(st, "h1", 3, 0);
	CHECK(a > 0);
	int64_t other = import_small(st, "h2", 2, 0);
	CHECK(other > 0);
	CHECK_EQ(import_small(st, "h1", 3, 0), STORE_EDUP);
	CHECK(strstr(store_errmsg(st), "already imported as capture") != NULL);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM captures"), 2);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections"), 5);
	/* The store is still usable after a refusal. */
	int64_t b = import_small(st, "h1", 4, 1);
	CHECK(b > 0 && b != a);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM captures WHERE sha256='h1'"),
		 1);
	CHECK_EQ(q_int(db, "SELECT id FROM captures WHERE sha256='h1'"), b);
	/* The old capture's rows went with it (ON DELETE CASCADE). */
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections"), 6);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM events"), 6);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE "
			   "capture_id NOT IN (SELECT id FROM captures)"),
		 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	store_close(st);
}

/* An import that stops without store_capture_end (as if killed) stays
 * complete=0; the next import of the same file replaces it. */
static void t_incomplete_replaced(void)
{
	const char *p = fresh("incomplete.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK(import_small(st, "keep", 2, 0) > 0);
	struct store_capture cap = {"big.pcap", 1, "hx", "EN10MB", 1, 0, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_CLOSE;
	ev.conn_id = c.id = 1;
	ev.conn = &c;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	ev.type = TC_EV_LABEL;
	ev.conn_id = 3; /* its row never written: killed before its close */
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	CHECK_EQ(store_checkpoint(st), 0);
	ev.type = TC_EV_CLOSE;
	ev.conn_id = c.id = 2;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	store_close(st); /* uncommitted row 2 is rolled back */

	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	sqlite3 *db = store_db(st);
	CHECK_EQ(q_int(db, "SELECT complete FROM captures WHERE sha256='hx'"),
		 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections WHERE "
			   "capture_id=(SELECT id FROM captures WHERE "
			   "sha256='hx')"),
		 1);
	/* The import reserved ids beyond the one it used, in case another
	 * import began meanwhile; its label rows are there. */
	CHECK_EQ(q_int(db, "SELECT conn_count > 2 FROM captures WHERE"
			   " sha256='hx'"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM label_events"), 2 + 1);
	/* Not a duplicate: it was incomplete. Replacing it removes its
	 * label rows too, also the one whose connection row never came. */
	int64_t again = import_small(st, "hx", 3, 0);
	CHECK(again > 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM captures WHERE sha256='hx'"),
		 1);
	CHECK_EQ(q_int(db, "SELECT complete FROM captures WHERE sha256='hx'"),
		 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections"), 5);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM label_events"), 5);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM events e JOIN connections k"
			   " ON k.id = e.conn_id"),
		 5);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM captures WHERE sha256="
			   "'keep' AND complete=1"),
		 1);
	store_close(st);
}

/* A reader sees what the writer committed, never what it has not, and is
 * never refused with SQLITE_BUSY while the writer holds its transaction. */
static void t_concurrent_reader(void)
{
	const char *p = fresh("conc.db");
	struct store *w, *r;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &w, err, sizeof err), 0);
	CHECK(import_small(w, "first", 2, 0) > 0);
	CHECK_EQ(store_open(p, STORE_RDONLY, &r, err, sizeof err), 0);
	sqlite3 *rdb = store_db(r);
	struct store_capture cap = {"live", -1, NULL, "EN10MB", 1, 1, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(w, &cap, 0, &id), 0);
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_CLOSE;
	ev.conn = &c;
	for (uint64_t i = 1; i <= 100; i++) {
		ev.conn_id = c.id = i;
		CHECK_EQ(store_event(w, &ev, NULL), 0);
	}
	/* Uncommitted: the reader sees the 2 old rows, without waiting. */
	CHECK_EQ(q_int(rdb, "SELECT count(*) FROM connections"), 2);
	CHECK_EQ(store_checkpoint(w), 0);
	CHECK_EQ(q_int(rdb, "SELECT count(*) FROM connections"), 102);
	for (uint64_t i = 101; i <= 150; i++) {
		ev.conn_id = c.id = i;
		CHECK_EQ(store_event(w, &ev, NULL), 0);
	}
	CHECK_EQ(q_int(rdb, "SELECT count(*) FROM connections"), 102);
	/* A live capture is visible to the views while it runs. */
	CHECK_EQ(q_int(rdb, "SELECT count(*) FROM good_connections"), 102);
	struct store_capture_stats s = {0};
	CHECK_EQ(store_capture_end(w, &s), 0);
	CHECK_EQ(q_int(rdb, "SELECT count(*) FROM connections"), 152);
	store_close(r);
	store_close(w);
}

/* Another connection holds the write lock past the busy timeout. */
static void t_locked(void)
{
	const char *p = fresh("locked.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK(import_small(st, "early", 2, 0) > 0);
	store_close(st);

	sqlite3 *other;
	CHECK_EQ(sqlite3_open(p, &other), SQLITE_OK);
	CHECK_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE; DELETE FROM label_events",
			      NULL, NULL, NULL),
		 SQLITE_OK);
	setenv("TCPSCOPE_BUSY_TIMEOUT", "300", 1);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(import_small(st, "late", 2, 0), STORE_EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(waited >= 0.25 && waited < 5);
	CHECK(strstr(store_errmsg(st), "locked") != NULL);
	CHECK(strchr(store_errmsg(st), '\n') == NULL);
	unsetenv("TCPSCOPE_BUSY_TIMEOUT");
	CHECK_EQ(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	CHECK_EQ(sqlite3_close(other), SQLITE_OK);
	/* Nothing lost; the store works again once the lock is gone. */
	sqlite3 *db = store_db(st);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM events"), 2);
	CHECK(import_small(st, "late", 2, 0) > 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM captures"), 2);
	store_close(st);
}

/* The header page overwritten: refused with ECORRUPT, one line. */
static void t_corrupt(void)
{
	const char *p = fresh("corrupt.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	CHECK(import_small(st, "c1", 50, 0) > 0);
	store_close(st);
	FILE *f = fopen(p, "r+");
	CHECK(f != NULL);
	CHECK(fwrite("garbage garbage garbage!", 1, 24, f) == 24);
	CHECK(fclose(f) == 0);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err),
		 STORE_ECORRUPT);
	CHECK(strstr(err, p) == err);
	CHECK(strchr(err, '\n') == NULL);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err),
		 STORE_ECORRUPT);
}

static void t_event_errors(void)
{
	struct store *st;
	char err[512];
	/* A database file (WAL): an abandoned import is rolled back and
	 * the store goes on (the store in memory would refuse, see
	 * t_aside). */
	CHECK_EQ(store_open(fresh("event-errors.db"), STORE_CREATE, &st, err,
			    sizeof err),
		 0);
	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_LABEL;
	ev.conn_id = 3;
	/* No import in progress. */
	CHECK_EQ(store_event(st, &ev, NULL), STORE_EIO);
	CHECK(strstr(store_errmsg(st), "no import") != NULL);
	CHECK_EQ(store_checkpoint(st), STORE_EIO);
	struct store_capture cap = {"x", 1, "e1", "EN10MB", 1, 0, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	c.id = 1;
	struct tc_event open = {.type = TC_EV_CLOSE, .conn_id = 1, .conn = &c};
	CHECK_EQ(store_event(st, &open, NULL), 0);
	/* A new import abandons the unfinished one (rolled back). */
	struct store_capture cap2 = {"y", 1, "e2", "EN10MB", 1, 0, NULL};
	CHECK_EQ(store_capture_begin(st, &cap2, 0, &id), 0);
	CHECK_EQ(store_capture_end(st, &(struct store_capture_stats){0}), 0);
	CHECK_STR(q_text(store_db(st), "SELECT group_concat(sha256) FROM "
				       "captures"),
		  "e2");
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 0);
	store_capture_abort(st); /* nothing in progress: no effect */
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	/* A close without its connection. */
	ev.type = TC_EV_CLOSE;
	CHECK_EQ(store_event(st, &ev, NULL), STORE_EIO);
	CHECK(strstr(store_errmsg(st), "without connection 3") != NULL);
	/* The import is over: the same error again, nothing written. */
	CHECK_EQ(store_capture_end(st, &(struct store_capture_stats){0}),
		 STORE_EIO);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"), 1);
	/* A later import works. */
	CHECK(import_small(st, "e3", 1, 0) > 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"), 2);
	store_close(st);
}

/* The tracker's order: the opening segment, then OPEN. One row. */
static void t_segment_before_open(void)
{
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(NULL, STORE_MEMORY | STORE_CREATE | STORE_SEGMENTS,
			    &st, err, sizeof err),
		 0);
	struct store_capture cap = {"o", 1, "o1", "EN10MB", 1, 0, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	c.id = 1;
	c.port[0] = 1234;
	struct tc_segment seg;
	memset(&seg, 0, sizeof seg);
	seg.flags = TC_SYN;
	seg.pkt = 1;
	struct tc_event ev = {.type = TC_EV_SEGMENT, .conn_id = 1, .conn = &c};
	CHECK_EQ(store_event(st, &ev, &seg), 0);
	ev.type = TC_EV_OPEN;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	seg.pkt = 2;
	ev.type = TC_EV_SEGMENT;
	CHECK_EQ(store_event(st, &ev, &seg), 0);
	c.close = TC_CLOSE_FIN;
	ev.type = TC_EV_CLOSE;
	CHECK_EQ(store_event(st, &ev, NULL), 0);
	CHECK_EQ(store_capture_end(st, &(struct store_capture_stats){0}), 0);
	sqlite3 *db = store_db(st);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections"), 1);
	CHECK_STR(q_text(db, "SELECT close||client_port FROM connections"),
		  "fin1234");
	CHECK_EQ(q_int(db, "SELECT count(DISTINCT conn_id) FROM segments"), 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM segments"), 2);
	store_close(st);
}

/* Version 2 -> 3 on a genuine version 2 file: label, transition and
 * segment rows move into the compact tables and the views show them as
 * version 2 stored them, revisions marked superseded; deleting the
 * capture deletes them. */
static void t_upgrade_v2(void)
{
	const char *p = fresh("v2data.db");
	struct store *st;
	char err[512];
	CHECK_EQ(store_create_version(p, 2, err, sizeof err), 0);
	CHECK_EQ(raw_exec(p,
		     "INSERT INTO captures (id, path, sha256, complete)"
		     " VALUES (1, 'old.pcap', 'v2sha', 1), (2, 'other.pcap',"
		     " 'v2b', 1);"
		     "INSERT INTO connections (id, capture_id, tc_id) VALUES"
		     " (1, 1, 1), (2, 1, 2), (3, 2, 1);"
		     "INSERT INTO events (conn_id, ts_ns, pkt, dir, label,"
		     " reason, revised, old_label) VALUES"
		     " (1, 5, 7, 0, 'retransmission', 'all bytes seen before',"
		     " 0, NULL),"
		     " (1, 5, 7, 0, 'spurious-retransmission',"
		     " 'the peer reported these bytes twice (D-SACK)', 1,"
		     " 'retransmission'),"
		     " (1, 6, 8, 1, 'dup-ack', NULL, 0, NULL),"
		     " (3, 9, 2, 0, 'bad-checksum', 'bad TCP checksum', 0,"
		     " NULL);"
		     "INSERT INTO transitions (conn_id, ts_ns, pkt, side,"
		     " from_state, to_state, rule, rule_name) VALUES"
		     " (1, 1, 1, 0, 'CLOSED', 'SYN-SENT', 0, 'active-open'),"
		     " (2, 3, 4, 1, 'LISTEN', 'SYN-RECEIVED', 1,"
		     " 'passive-syn-ack'),"
		     " (1, 2, 3, 0, 'SYN-SENT', 'ESTABLISHED', 3,"
		     " 'syn-sent-ack');"
		     "INSERT INTO segments (conn_id, ts_ns, pkt, dir, flags,"
		     " seq, ack, len, caplen, win, options, labels) VALUES"
		     " (1, 1, 1, 0, 'S', 0, 0, 0, 0, 64240,"
		     " 'mss=1460,sackok,ts=1/0', ''),"
		     " (1, 5, 7, 0, 'PA', 1, 1, 10, 10, 502, 'ts=9/8',"
		     " 'retransmission,dup-ack');"),
		 SQLITE_OK);
	CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
	sqlite3 *db = store_db(st);
	CHECK_EQ(q_int(db, "PRAGMA user_version"), 11);
	/* Version 4 counts the live label rows of each capture. */
	CHECK_STR(q_text(db, "SELECT group_concat(capture_id || ':' || label"
			     " || ':' || events, '|') FROM (SELECT * FROM"
			     " label_totals ORDER BY capture_id, label)"),
		  "1:dup-ack:1|1:spurious-retransmission:1|2:bad-checksum:1");
	CHECK_STR(q_text(db, "SELECT group_concat(id || ':' || label || ':' ||"
			     " coalesce(reason, '-') || ':' ||"
			     " coalesce(old_label, '-') || ':' || superseded,"
			     " '|') FROM (SELECT * FROM events ORDER BY id)"),
		  "1:retransmission:all bytes seen before:-:1|"
		  "2:spurious-retransmission:the peer reported these bytes"
		  " twice (D-SACK):retransmission:0|3:dup-ack:-:-:0|"
		  "4:bad-checksum:bad TCP checksum:-:0");
	CHECK_STR(q_text(db, "SELECT group_concat(conn_id || ':' || ts_ns ||"
			     " ':' || side || ':' || from_state || '>' ||"
			     " to_state || ':' || rule_name, '|') FROM (SELECT"
			     " * FROM transitions ORDER BY conn_id, id)"),
		  "1:1:0:CLOSED>SYN-SENT:active-open|"
		  "1:2:0:SYN-SENT>ESTABLISHED:syn-sent-ack|"
		  "2:3:1:LISTEN>SYN-RECEIVED:passive-syn-ack");
	CHECK_STR(q_text(db, "SELECT group_concat(flags || ':' || options ||"
			     " ':' || labels, '|') FROM (SELECT * FROM"
			     " segments ORDER BY id)"),
		  "S:mss=1460,sackok,ts=1/0:|"
		  "PA:ts=9/8:retransmission,dup-ack");
	/* Flags are stored as TC_* bits, shown in the order S F R P A U E C N. */
	CHECK_EQ(q_int(db, "SELECT json_extract(j.value, '$[3]') FROM"
			   " segment_chunks c, json_each(c.list) j WHERE"
			   " json_extract(j.value, '$[1]') = 7"),
		 TC_PSH | TC_ACK);
	/* Deleting a capture deletes its rows, and only its. */
	CHECK_EQ(sqlite3_exec(db, "PRAGMA query_only = 0; DELETE FROM captures"
				  " WHERE id = 1", NULL, NULL, NULL),
		 SQLITE_OK);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM label_events"), 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM segment_chunks"), 0);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM connections"), 1);
	CHECK_EQ(q_int(db, "SELECT count(*) FROM capture_labels"), 1);
	CHECK_EQ(q_text(db, "PRAGMA integrity_check")[0], 'o');
	/* New imports take ids after every old one. */
	CHECK(import_small(st, "new", 1, 0) > 0);
	CHECK_EQ(q_int(db, "SELECT max(id) FROM connections"), 4);
	store_close(st);
}

/* The aside file of path for this process (STORE_ASIDE). */
static const char *aside_of(const char *path)
{
	static char a[460];
	const char *slash = strrchr(path, '/');
	snprintf(a, sizeof a, "%.*s.%s.tcpscope-%ld",
		 (int)(slash ? slash - path + 1 : 0), path,
		 slash ? slash + 1 : path, (long)getpid());
	return a;
}

/* STORE_ASIDE: a new database is built under another name, with no
 * journal, and appears at its path, as a WAL database, when its first
 * capture is complete; an unfinished one leaves nothing; an existing one
 * is opened in place; a file that appeared meanwhile is never replaced. */
static void t_aside(void)
{
	const char *p = fresh("aside.db");
	char a[460];
	struct store *st;
	char err[512];
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	snprintf(a, sizeof a, "%s", aside_of(p));
	CHECK(access(p, F_OK) != 0);
	CHECK(access(a, F_OK) == 0);
	CHECK_STR(q_text(store_db(st), "PRAGMA journal_mode"), "off");
	CHECK(import_small(st, "s1", 3, 0) > 0);
	CHECK(access(p, F_OK) == 0);
	CHECK(access(a, F_OK) != 0);
	CHECK_STR(q_text(store_db(st), "PRAGMA journal_mode"), "wal");
	/* Its indexes were built at the end. */
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM sqlite_master"
				     " WHERE type = 'index' AND name IN"
				     " ('conn_capture', 'conn_client',"
				     " 'conn_server', 'label_events_conn',"
				     " 'segment_chunks_conn')"),
		 5);
	/* The next capture goes into the database in place. */
	CHECK(import_small(st, "s2", 2, 0) > 0);
	CHECK_EQ(import_small(st, "s1", 3, 0), STORE_EDUP);
	store_close(st);
	CHECK_EQ(store_open(p, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"), 2);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 5);
	CHECK_STR(q_text(store_db(st), "PRAGMA integrity_check"), "ok");
	store_close(st);
	/* Existing: in place from the start. */
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	CHECK_STR(q_text(store_db(st), "PRAGMA journal_mode"), "wal");
	store_close(st);

	/* A rolled-back first import: the next starts afresh. */
	p = fresh("aside-rb.db");
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	struct store_capture cap = {"x.pcap", 1, "rb", "EN10MB", 1, 0, NULL};
	int64_t id;
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	store_capture_abort(st);
	CHECK(import_small(st, "rb2", 4, 0) > 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"), 1);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 4);
	CHECK_STR(q_text(store_db(st), "PRAGMA integrity_check"), "ok");
	store_close(st);

	/* Never complete: nothing left, neither the database nor its aside
	 * file; an aside file of a process that is gone is removed. */
	p = fresh("aside-none.db");
	char stale[500];
	snprintf(stale, sizeof stale, "%s/.aside-none.db.tcpscope-2147483646",
		 dir);
	write_file(stale, "left by a killed import");
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	CHECK(access(stale, F_OK) != 0);
	snprintf(a, sizeof a, "%s", aside_of(p));
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	store_close(st);
	CHECK(access(p, F_OK) != 0);
	CHECK(access(a, F_OK) != 0);

	/* Created by someone else meanwhile: kept as it is; the import stays
	 * in the aside file, which the message names. */
	p = fresh("aside-race.db");
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	snprintf(a, sizeof a, "%s", aside_of(p));
	write_file(p, "theirs");
	CHECK_EQ(import_small(st, "r1", 2, 0), STORE_EIO);
	CHECK(strstr(store_errmsg(st), "created by another process") != NULL);
	CHECK(strstr(store_errmsg(st), a) != NULL);
	store_close(st);
	struct stat sb;
	CHECK(stat(p, &sb) == 0 && sb.st_size == 6);
	CHECK(access(a, F_OK) == 0);
	CHECK_EQ(store_open(a, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 2);
	store_close(st);
	unlink(a);

	/* A database another import made meanwhile (parallel imports into
	 * a new database): the capture is added to it, with fresh ids. */
	p = fresh("aside-merge.db");
	CHECK_EQ(store_open(p, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	snprintf(a, sizeof a, "%s", aside_of(p));
	struct store *other;
	CHECK_EQ(store_open(p, STORE_CREATE, &other, err, sizeof err), 0);
	CHECK(import_small(other, "m1", 3, 0) > 0);
	store_close(other);
	CHECK(import_small(st, "m2", 2, 0) > 0);
	CHECK(access(a, F_OK) != 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"
				     " WHERE complete = 1"),
		 2);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 5);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections c"
				     " JOIN captures k ON k.id = c.capture_id"
				     " WHERE k.sha256 = 'm2' AND c.id >"
				     " k.conn_base AND c.id <= k.conn_base +"
				     " k.conn_count"),
		 2);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM events"), 5);
	CHECK_EQ(q_int(store_db(st), "SELECT sum(events) FROM capture_labels"),
		 5);
	CHECK_STR(q_text(store_db(st), "PRAGMA integrity_check"), "ok");
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM"
				     " pragma_foreign_key_check"),
		 0);
	/* The same capture built aside again: a duplicate, nothing kept. */
	store_close(st);
	const char *p2 = fresh("aside-dup.db");
	CHECK_EQ(store_open(p2, STORE_CREATE | STORE_ASIDE, &st, err,
			    sizeof err),
		 0);
	snprintf(a, sizeof a, "%s", aside_of(p2));
	CHECK_EQ(store_open(p2, STORE_CREATE, &other, err, sizeof err), 0);
	CHECK(import_small(other, "d1", 3, 0) > 0);
	store_close(other);
	CHECK_EQ(import_small(st, "d1", 3, 0), STORE_EDUP);
	store_close(st);
	CHECK(access(a, F_OK) != 0);
	CHECK_EQ(store_open(p2, STORE_RDONLY, &st, err, sizeof err), 0);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM captures"), 1);
	store_close(st);

	/* The private store in memory has no journal either: one capture
	 * stored, the next rolled back; the first is still whole, and no
	 * further capture is taken (it cannot start afresh). */
	CHECK_EQ(store_open(NULL, STORE_MEMORY | STORE_CREATE, &st, err,
			    sizeof err),
		 0);
	CHECK_STR(q_text(store_db(st), "PRAGMA journal_mode"), "off");
	CHECK(import_small(st, "m1", 4, 0) > 0);
	CHECK_EQ(store_capture_begin(st, &cap, 0, &id), 0);
	store_capture_abort(st);
	CHECK(store_capture_begin(st, &cap, 0, &id) != 0);
	CHECK(strstr(store_errmsg(st), "rolled back") != NULL);
	CHECK_EQ(q_int(store_db(st), "SELECT count(*) FROM connections"), 4);
	store_close(st);
}

/* Uids (uid.h): version 10's value for a capture known from its output
 * (pcaps/real-loss.pcap, connection 1, as `flows -d` of tcpscope 0.1.0
 * at schema 10 printed it); the key depends on the sensor and on the first packet's
 * time and bytes, and each connection's row carries its uid. */
static void t_uids(void)
{
	char u[UID_LEN + 1], v[UID_LEN + 1];
	uid_format_v10(u, "3aba01998cd7f53c75cef79b5b4ec82d5dfe2a1d33941f89"
			  "cf4a4395ffb3993f", 1, 1795614894578857000LL);
	CHECK_STR(u, "C9svFthBaCNraGIlUK");
	const uint8_t pkt[4] = { 1, 2, 3, 4 }, pkt2[4] = { 1, 2, 3, 5 };
	uint64_t k = uid_capture_key(NULL, 7, pkt, 4);
	CHECK(k == uid_capture_key("", 7, pkt, 4));
	CHECK(k != uid_capture_key("s1", 7, pkt, 4));
	CHECK(k != uid_capture_key(NULL, 8, pkt, 4));
	CHECK(k != uid_capture_key(NULL, 7, pkt2, 4));
	uid_format(u, k, 1, 100);
	CHECK_EQ((long long)strlen(u), UID_LEN);
	CHECK(u[0] == 'C');
	uid_format(v, k, 2, 100);
	CHECK(strcmp(u, v) != 0);
	uid_format(v, k, 1, 101);
	CHECK(strcmp(u, v) != 0);

	/* Stored: the first packet names the capture; with a sensor the
	 * same capture's uids differ, and the sensor is kept. */
	const char *p = fresh("uid.db");
	struct store *st;
	char err[512];
	char got[3][UID_LEN + 1];
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(store_open(p, STORE_CREATE, &st, err, sizeof err), 0);
		struct store_capture cap = { "u.pcap", 100, NULL, "EN10MB",
					     65535, 0, i == 2 ? "s1" : NULL };
		int64_t id;
		CHECK_EQ(store_capture_begin(st, &cap, 1, &id), 0);
		CHECK_EQ(store_capture_first_packet(st, 7, pkt, 4), 0);
		struct tc_conn c;
		memset(&c, 0, sizeof c);
		c.id = 1;
		c.first_ts = 100;
		c.dir[0].wscale = c.dir[1].wscale = -1;
		c.rtt.handshake = -1;
		struct tc_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = TC_EV_CLOSE;
		ev.conn_id = c.id;
		ev.conn = &c;
		CHECK_EQ(store_event(st, &ev, NULL), 0);
		struct store_capture_stats cs = { 0 };
		CHECK_EQ(store_capture_end(st, &cs), 0);
		snprintf(got[i], sizeof got[i], "%s",
			 q_text(store_db(st), "SELECT uid FROM connections"
					      " ORDER BY id DESC LIMIT 1"));
		if (i == 2)
			CHECK_STR(q_text(store_db(st), "SELECT sensor FROM"
						       " captures ORDER BY id"
						       " DESC LIMIT 1"),
				  "s1");
		store_close(st);
	}
	uid_format(v, k, 1, 100);
	CHECK_STR(got[0], v);
	CHECK_STR(got[1], v);	 /* imported again: the same uid */
	CHECK(strcmp(got[2], v) != 0); /* another sensor */
}

static const struct unit_test tests[] = {
    UNIT(t_uids),
    UNIT(t_segment_before_open),
    UNIT(t_default_path),
    UNIT(t_create_and_reopen),
    UNIT(t_empty_file_created),
    UNIT(t_newer_version_refused),
    UNIT(t_upgrade_v1),
    UNIT(t_upgrade_v2),
    UNIT(t_upgrade_atomic),
    UNIT(t_foreign_files_refused),
    UNIT(t_readonly_store),
    UNIT(t_roundtrip),
    UNIT(t_state_paths),
    UNIT(t_duplicate_and_replace),
    UNIT(t_incomplete_replaced),
    UNIT(t_concurrent_reader),
    UNIT(t_locked),
    UNIT(t_corrupt),
    UNIT(t_event_errors),
    UNIT(t_aside),
    {0},
};

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/test_store.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("FAIL setup: mkdtemp %s\n", dir);
		return 1;
	}
	int rc = unit_main(tests, argc, argv);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", cmd);
	return rc;
}
