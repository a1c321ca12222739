/*
 * tableq.c - the store's tables read whole (tableq.h). The columns come
 * from SQLite's own description of each table (pragma_table_xinfo); a
 * row's capture is the table's own (captures.id, a capture_id column) or
 * its connection's (a conn_id column joined to connections), and only
 * the captures the reports show are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tableq.h"

#include "../store/store.h"

/* The views dumped besides the tables. */
static const char *const views[] = { "events", "transitions", "segments" };

int tableq_quote(char *buf, size_t len, const char *name)
{
	size_t o = 0;
	if (o + 1 >= len)
		return -1;
	buf[o++] = '"';
	for (; *name; name++) {
		if (o + 3 >= len)
			return -1;
		if (*name == '"')
			buf[o++] = '"';
		buf[o++] = *name;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

int tableq_tables(sqlite3 *db, sqlite3_stmt **q)
{
	int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE (type"
				    " = 'table' AND name NOT LIKE 'sqlite_%') OR"
				    " (type = 'view' AND name IN (?1, ?2, ?3))"
				    " ORDER BY name", -1, q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	for (int i = 0; i < 3; i++)
		sqlite3_bind_text(*q, i + 1, views[i], -1, SQLITE_STATIC);
	return SQLITE_OK;
}

int tableq_columns(sqlite3 *db, const char *table, sqlite3_stmt **q)
{
	int rc = sqlite3_prepare_v2(
	    db, "SELECT name, type, \"notnull\", pk, (SELECT"
		" count(*) FROM pragma_table_info(?1) WHERE pk > 0) FROM"
		" pragma_table_xinfo(?1) WHERE hidden != 1 ORDER BY cid",
	    -1, q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(*q, 1, table, -1, SQLITE_TRANSIENT);
	return SQLITE_OK;
}

enum tableq_link tableq_link_of(const char *table)
{
	return strcmp(table, "captures") == 0 ? TABLEQ_CAPTURES : TABLEQ_NONE;
}

int tableq_link_column(enum tableq_link *link, const char *col)
{
	if (strcmp(col, "capture_id") == 0 && *link != TABLEQ_CAPTURES)
		*link = TABLEQ_CAPTURE_ID;
	if (strcmp(col, "conn_id") == 0 && *link == TABLEQ_NONE)
		*link = TABLEQ_CONN_ID;
	return strcmp(col, "first_ts") == 0 || strcmp(col, "ts_ns") == 0;
}

int tableq_first_type(sqlite3 *db, const char *table, const char *col,
		      sqlite3_stmt **q)
{
	char qt[600], qc[600], sql[9000];
	*q = NULL;
	if (tableq_quote(qt, sizeof qt, table) != 0 ||
	    tableq_quote(qc, sizeof qc, col) != 0)
		return SQLITE_TOOBIG;
	snprintf(sql, sizeof sql, "SELECT typeof(%s) FROM %s WHERE %s IS NOT"
		 " NULL LIMIT 1", qc, qt, qc);
	return sqlite3_prepare_v2(db, sql, -1, q, NULL);
}

int tableq_rows(sqlite3 *db, const char *table, enum tableq_link link,
		const char *ts, char *const *cols, size_t ncols,
		int64_t capture, sqlite3_stmt **q)
{
	char qt[600], qts[600] = "NULL";
	*q = NULL;
	if (tableq_quote(qt, sizeof qt, table) != 0 ||
	    (ts && tableq_quote(qts + 2, sizeof qts - 2, ts) != 0))
		return SQLITE_TOOBIG;
	if (ts)
		qts[0] = 't', qts[1] = '.';
	size_t len = 2048;
	for (size_t i = 0; i < ncols; i++)
		len += 2 * strlen(cols[i]) + 8;
	char *sql = malloc(len);
	if (!sql)
		return SQLITE_NOMEM;
	const char *cap = link == TABLEQ_CAPTURES	? "t.id"
			  : link == TABLEQ_CAPTURE_ID ? "t.capture_id"
						      : "k.capture_id";
	int o = snprintf(sql, len, "SELECT %s, coalesce(%s, %s(SELECT first_ts"
			 " FROM captures WHERE id = %s))", cap, qts,
			 link == TABLEQ_CONN_ID ? "k.first_ts, " : "", cap);
	for (size_t i = 0; i < ncols; i++) {
		char qc[600];
		if (tableq_quote(qc, sizeof qc, cols[i]) != 0) {
			free(sql);
			return SQLITE_TOOBIG;
		}
		o += snprintf(sql + o, len - (size_t)o, ", t.%s", qc);
	}
	o += snprintf(sql + o, len - (size_t)o, " FROM %s AS t%s WHERE %s IN"
		      " (SELECT id FROM captures WHERE "
		      STORE_CAPTURE_SHOWN("") ")", qt, link == TABLEQ_CONN_ID ?
		      " JOIN connections AS k ON k.id = t.conn_id" : "", cap);
	if (capture)
		snprintf(sql + o, len - (size_t)o, " AND %s = %lld", cap,
			 (long long)capture);
	int rc = sqlite3_prepare_v2(db, sql, -1, q, NULL);
	free(sql);
	return rc;
}

int tableq_capture_sensor(sqlite3 *db, sqlite3_stmt **q, int64_t capture,
			  char *buf, size_t len)
{
	buf[0] = '\0';
	if (!*q) {
		int rc = sqlite3_prepare_v2(db, "SELECT sensor FROM captures"
					    " WHERE id = ?", -1, q, NULL);
		if (rc != SQLITE_OK) {
			/* No sensor column: none to give. */
			sqlite3_finalize(*q);
			*q = NULL;
			return rc == SQLITE_ERROR ? SQLITE_OK : rc;
		}
	}
	sqlite3_bind_int64(*q, 1, capture);
	int step = sqlite3_step(*q);
	if (step == SQLITE_ROW && sqlite3_column_type(*q, 0) == SQLITE_TEXT)
		snprintf(buf, len, "%s",
			 (const char *)sqlite3_column_text(*q, 0));
	sqlite3_reset(*q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? SQLITE_OK : step;
}
