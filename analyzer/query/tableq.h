/*
 * tableq.h - the store's tables read whole, as tables, for the Parquet
 * dataset (analyzer/export/dataset.c): which tables and views a dump
 * holds, their columns as declared (so a column added to the schema is
 * dumped without a change anywhere), and every row of one table with the
 * capture it belongs to and the time that dates it. The export decides
 * the file types and partitions; what the schema says, and how a row
 * finds its capture, is here. Prefix: tableq_.
 *
 * Statements are prepared and bound; the caller steps and finalizes them.
 * Functions returning int give SQLITE_OK or an SQLite error code:
 * SQLITE_NOMEM when out of memory, SQLITE_TOOBIG when a name does not fit
 * (more than about 290 bytes), else the code of sqlite3_prepare_v2()
 * (sqlite3_errmsg() says why).
 */
#ifndef TABLEQ_H
#define TABLEQ_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* How the rows of a table belong to a capture. */
enum tableq_link {
	TABLEQ_NONE,       /* they do not: the table is not dumped */
	TABLEQ_CAPTURES,   /* the captures table itself */
	TABLEQ_CAPTURE_ID, /* by its capture_id column */
	TABLEQ_CONN_ID     /* by its conn_id column, through the connection */
};

/* name as an SQL identifier ("name", '"' doubled) into buf. 0, or -1 when
 * it does not fit. */
int tableq_quote(char *buf, size_t len, const char *name);

/* The tables and views a dump reads, by name: every table but SQLite's
 * own, and the views events, transitions and segments (their rows with
 * the numbers named). One column, the name. */
int tableq_tables(sqlite3 *db, sqlite3_stmt **q);

/* The columns of tableq_columns()'s rows. */
enum tableq_col {
	TABLEQ_COL_NAME,    /* the column's name */
	TABLEQ_COL_TYPE,    /* its declared type, "" or NULL when none */
	TABLEQ_COL_NOTNULL, /* 1: NOT NULL */
	TABLEQ_COL_PK,      /* its place in the primary key, 0 none */
	TABLEQ_COL_NPK      /* how many columns the primary key has */
};

/* The columns of table (or view) in their order, generated columns
 * included (connections.vantage), the hidden ones of virtual tables not:
 * the columns of enum tableq_col. table is copied. */
int tableq_columns(sqlite3 *db, const char *table, sqlite3_stmt **q);

/* The start of what a table's columns say of its link: TABLEQ_CAPTURES
 * for the captures table, else TABLEQ_NONE; then tableq_link_column()
 * for each column in order. */
enum tableq_link tableq_link_of(const char *table);

/* Column col of the table: updates *link (a capture_id column links by
 * capture, a conn_id column by connection when nothing else does) and
 * returns 1 when col can date a row (first_ts, ts_ns: ns since the
 * epoch), else 0. The first such column is the one that dates it. */
int tableq_link_column(enum tableq_link *link, const char *col);

/* SQLite's type of the first non-NULL value of table.col (one column:
 * "integer", "real", "text" or "blob"); no row when there is none. */
int tableq_first_type(sqlite3 *db, const char *table, const char *col,
		      sqlite3_stmt **q);

/* Every row of table (link not TABLEQ_NONE) that belongs to a capture
 * the reports show (STORE_CAPTURE_SHOWN; only capture when it is > 0):
 * column 0 the capture's id, column 1 the time that dates the row (column
 * ts of the row, NULL for none; else the connection's first_ts for
 * TABLEQ_CONN_ID; else the capture's first_ts; NULL when none is known),
 * then the columns cols[0..ncols) in that order. */
int tableq_rows(sqlite3 *db, const char *table, enum tableq_link link,
		const char *ts, char *const *cols, size_t ncols,
		int64_t capture, sqlite3_stmt **q);

/* The sensor a capture was taken on (captures.sensor, read/live --sensor)
 * into buf, "" when it has none or the database keeps no sensors (a table
 * of another layout). *q keeps the statement between calls (NULL the
 * first time; the caller finalizes it). SQLITE_OK or an error code. */
int tableq_capture_sensor(sqlite3 *db, sqlite3_stmt **q, int64_t capture,
			  char *buf, size_t len);

#endif /* TABLEQ_H */
