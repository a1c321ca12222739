/*
 * reportq.h - the read side of the report (analyzer/output/report.h):
 * every figure of a database's summary gathered from the store into
 * struct report, which report_write() writes. Prefix: reportq_.
 *
 * Only complete (or live) captures count, unless one capture is named.
 * The retransmissions of a connection are STORE_RETX_SQL's (store.h):
 * the flow JSON's two all_retransmissions added, as every view counts
 * them.
 */
#ifndef REPORTQ_H
#define REPORTQ_H

#include <stddef.h>

#include <sqlite3.h>

#include "../output/report.h"

struct store;

/* Gathers the report of db: of capture capture_id when it is > 0, else of
 * every complete capture; top rows in each top list (top >= 0). Returns
 * EX_OK with *out (allocated; reportq_free() frees it), EX_DB (an SQLite
 * error) or EX_FAIL (out of memory), with a one-line message in err and
 * *out NULL. */
int reportq_gather(sqlite3 *db, long long capture_id, int top,
		   struct report **out, char *err, size_t errlen);

/* Frees a report of reportq_gather(); NULL is fine. */
void reportq_free(struct report *r);

/* Gathers the report of st (as reportq_gather()) and writes it
 * (report_write()): as one JSON object when json is 1; with page, through
 * a pager on a terminal. Returns EX_OK, EX_DB on a database error or
 * EX_FAIL on a write error or when out of memory; messages go to stderr
 * ("tcpscope report: ..."). */
int reportq_print(struct store *st, long long capture_id, int top, int json,
		  int page);

#endif /* REPORTQ_H */
