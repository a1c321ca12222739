/*
 * test_threads.c - the writer thread changes nothing: every capture of
 * pcaps/ and $SHARED/pcaps imported with threads = 1 (the store called
 * inline) and threads = 2 (analyzer/ingest/writer.c's thread) gives the same
 * rows in every table, segments included, and every label's superseded
 * flag agrees with its definition; and the writer's ring, driven far past
 * its size, loses and reorders nothing.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../analyzer/ingest/ingest.h"
#include "../analyzer/store/store.h"
#include "../analyzer/ingest/writer.h"
#include "unit.h"

/* FNV-1a over every value of a query's rows, and the row count. */
struct digest {
	uint64_t h;
	long long rows;
};

static void fnv(struct digest *d, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		d->h ^= b[i];
		d->h *= 0x100000001b3ull;
	}
}

static int digest_query(sqlite3 *db, const char *sql, struct digest *d)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->rows++;
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			fnv(d, t ? (const char *)t : "\1NULL", t ? strlen((const char *)t) : 5);
			fnv(d, "|", 1);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Everything an import writes, but the wall-clock times. */
static const char *const DUMP[] = {
    "SELECT id, path, size, sha256, linktypes, snaplen, live, first_ts,"
    " last_ts, packets, tcp_segments, non_tcp, fragments, malformed,"
    " reasons, kernel_drops, error, complete, conn_base, conn_count"
    " FROM captures ORDER BY id",
    "SELECT * FROM connections ORDER BY id",
    "SELECT * FROM label_events ORDER BY id",
    "SELECT * FROM segment_chunks ORDER BY id",
};

/* Rows whose superseded flag (written by the store as revisions come)
 * disagrees with its definition: a later row of the
 * same packet revised this label. -1 on a database error. */
static long long wrong_superseded(sqlite3 *db)
{
	sqlite3_stmt *s;
	long long n = -1;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM label_events e WHERE"
			       " e.superseded != EXISTS (SELECT 1 FROM"
			       " label_events r WHERE r.conn_id = e.conn_id"
			       " AND r.pkt = e.pkt AND r.revised = 1 AND"
			       " r.old_label = e.label AND r.id > e.id)",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Imports path with the given threads; fills *d. Returns the ing code,
 * or 100 when the store could not be opened. */
static int import(const char *path, int threads, struct digest *d)
{
	struct store *st;
	char err[512];
	if (store_open(NULL, STORE_MEMORY | STORE_CREATE | STORE_SEGMENTS, &st,
		       err, sizeof err) != 0)
		return 100;
	struct ing_options o;
	ing_options_default(&o);
	o.hash = 0;
	o.threads = threads;
	struct ing_result r;
	int rc = ing_import_file(st, path, &o, NULL, NULL, &r);
	d->h = 0xcbf29ce484222325ull;
	d->rows = 0;
	fnv(d, &rc, sizeof rc);
	for (size_t i = 0; i < sizeof DUMP / sizeof *DUMP; i++)
		if (digest_query(store_db(st), DUMP[i], d) < 0)
			rc = 101;
	if (wrong_superseded(store_db(st)) != 0)
		rc = 102;
	store_close(st);
	return rc;
}

static int is_capture(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

static int compare_dir(const char *dir, int *files, long long *rows)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	struct dirent *e;
	int bad = 0;
	while ((e = readdir(dp)) != NULL) {
		if (!is_capture(e->d_name))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct digest a, b;
		int ra = import(path, 1, &a);
		int rb = import(path, 2, &b);
		(*files)++;
		*rows += a.rows;
		if (ra != rb || a.h != b.h || a.rows != b.rows ||
		    ra >= 100) {
			printf("# %s: threads 1 gave %d, %lld rows; threads 2"
			       " gave %d, %lld rows\n",
			       path, ra, a.rows, rb, b.rows);
			bad++;
		}
	}
	closedir(dp);
	return bad;
}

static void t_same_rows_on_corpus(void)
{
	const char *top = getenv("TOP");
	const char *shared = getenv("SHARED");
	char dir[4096];
	int files = 0, bad = 0;
	long long rows = 0;
	snprintf(dir, sizeof dir, "%s/pcaps", top ? top : ".");
	bad += compare_dir(dir, &files, &rows);
	if (shared && *shared) {
		snprintf(dir, sizeof dir, "%s/pcaps", shared);
		bad += compare_dir(dir, &files, &rows);
	}
	printf("# %d captures, %lld rows compared\n", files, rows);
	CHECK(files > 10);
	CHECK_EQ(bad, 0);
}

/* Far more than the ring holds, with connections (and their transition
 * lists) of every size: the same rows either way, in the same order. */
static void run_many(int threads, struct digest *d)
{
	struct store *st;
	char err[512];
	d->rows = -1;
	if (store_open(NULL, STORE_MEMORY | STORE_CREATE, &st, err,
		       sizeof err) != 0)
		return;
	struct store_capture cap = {"many", -1, NULL, "EN10MB", 65535, 0, NULL};
	int64_t id;
	struct wr *w = NULL;
	int rc = store_capture_begin(st, &cap, 0, &id);
	if (rc == 0)
		w = wr_new(st, threads);
	static struct tc_transition trs[300];
	for (int i = 0; i < 300; i++)
		trs[i] = (struct tc_transition){i * 10, (uint64_t)i, (uint8_t)(i & 1),
						 TC_ST_ESTABLISHED, TC_ST_CLOSED, 0, 19};
	for (uint64_t c = 1; w && rc == 0 && c <= 2000; c++) {
		struct tc_conn conn;
		memset(&conn, 0, sizeof conn);
		conn.id = c;
		conn.transitions = trs;
		conn.ntransitions = c % 300;
		struct tc_event ev;
		memset(&ev, 0, sizeof ev);
		ev.conn_id = c;
		ev.conn = &conn;
		ev.type = TC_EV_LABEL;
		for (int k = 0; rc == 0 && k < 200; k++) {
			ev.pkt = c * 1000 + (uint64_t)k;
			ev.label = (uint16_t)(k % TC_LB__COUNT);
			ev.seq = (uint32_t)k;
			rc = wr_event(w, &ev, NULL);
		}
		ev.type = TC_EV_CLOSE;
		if (rc == 0)
			rc = wr_event(w, &ev, NULL);
		if (rc == 0 && c % 500 == 0)
			rc = wr_checkpoint(w);
	}
	if (w && wr_sync(w) != 0)
		rc = -1;
	wr_free(w);
	struct store_capture_stats s = {0};
	if (rc == 0)
		rc = store_capture_end(st, &s);
	if (rc == 0) {
		d->h = 0xcbf29ce484222325ull;
		d->rows = 0;
		for (size_t i = 0; i < sizeof DUMP / sizeof *DUMP; i++)
			if (digest_query(store_db(st), DUMP[i], d) < 0)
				d->rows = -1;
	}
	store_close(st);
}

static void t_ring_far_past_its_size(void)
{
	struct digest a, b;
	run_many(1, &a);
	run_many(2, &b);
	CHECK_EQ(a.rows, 1 + 2000 + 2000 * 200);
	CHECK_EQ(b.rows, a.rows);
	CHECK(a.h == b.h);
}

static const struct unit_test tests[] = {
    UNIT(t_ring_far_past_its_size),
    UNIT(t_same_rows_on_corpus),
    {0},
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
