/*
 * plotq.c - the queries of `tcpscope plot` (plotq.h): one connection's
 * row, its label rows and its stored segment chunks, read as they are:
 * the chunks by the index on (conn_id, first_pkt), not through the
 * segments view, which would extract every field of every segment with
 * JSON functions, ten times slower.
 */
#include <stdio.h>
#include <string.h>

#include "plotq.h"

#include "../status.h"
#include "../output/out.h"

int plotq_conn(sqlite3 *db, int64_t id, struct plotq_conn *c)
{
	sqlite3_stmt *st;
	memset(c, 0, sizeof *c);
	if (sqlite3_prepare_v2(db, "SELECT c.client_ip, c.client_port, c.server_ip,"
				   " c.server_port, c.first_ts, c.last_ts,"
				   " c.c2s_wscale, c.s2c_wscale, c.c2s_payload_bytes,"
				   " c.s2c_payload_bytes, k.path, EXISTS (SELECT 1"
				   " FROM segment_chunks s WHERE s.conn_id = c.id)"
				   " FROM connections c LEFT JOIN captures k ON"
				   " k.id = c.capture_id WHERE c.id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return EX_DB;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return EX_DB;
	}
	c->id = id;
	out_endpoint(c->client, sizeof c->client,
		     (const char *)sqlite3_column_text(st, 0),
		     sqlite3_column_int(st, 1));
	out_endpoint(c->server, sizeof c->server,
		     (const char *)sqlite3_column_text(st, 2),
		     sqlite3_column_int(st, 3));
	c->first_ts = sqlite3_column_int64(st, 4);
	c->last_ts = sqlite3_column_int64(st, 5);
	for (int d = 0; d < 2; d++) {
		c->ws[d] = sqlite3_column_type(st, 6 + d) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_int(st, 6 + d);
		c->bytes[d] = sqlite3_column_int64(st, 8 + d);
	}
	const unsigned char *path = sqlite3_column_text(st, 10);
	snprintf(c->capture, sizeof c->capture, "%s", path ? (const char *)path : "");
	c->stored = sqlite3_column_int(st, 11);
	sqlite3_finalize(st);
	return 0;
}

/* Prepares sql with id bound at ?1. */
static int prep_id(sqlite3 *db, const char *sql, int64_t id, sqlite3_stmt **q)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(*q, 1, id);
	return SQLITE_OK;
}

int plotq_events(sqlite3 *db, int64_t id, sqlite3_stmt **q)
{
	return prep_id(db, "SELECT pkt, ts_ns, dir, label, seq, ack, len,"
			   " revised, old_label FROM events WHERE"
			   " conn_id = ?1 AND superseded = 0"
			   " ORDER BY pkt, id", id, q);
}

int plotq_chunks(sqlite3 *db, int64_t id, sqlite3_stmt **q)
{
	return prep_id(db, "SELECT list FROM segment_chunks WHERE"
			   " conn_id = ?1 ORDER BY first_pkt", id, q);
}
