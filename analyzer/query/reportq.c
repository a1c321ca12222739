/*
 * reportq.c - gathers the summary of a database (reportq.h) into struct
 * report: a handful of SQL aggregates (captures, their pcapng metadata,
 * label totals), one scan of the connection rows for everything counted
 * per connection, and two passes in C where SQL is awkward (handshake RTT
 * percentiles; time spent at zero window, from the events of the
 * connections that had one). Every query of the report is here;
 * analyzer/output/report.c only writes what it gathered.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportq.h"

#include "../status.h"
#include "../output/out.h"
#include "../store/store.h"
#include "flowsel.h"

/* The filter every query adds: connections of the chosen captures. */
static const char conn_filter[] =
	" c.capture_id IN (SELECT id FROM captures WHERE "
	"(?1 = 0 AND " STORE_CAPTURE_SHOWN("") ") OR id = ?1) ";

static int prep(sqlite3 *db, const char *sql, int64_t capture,
		sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_parameter_count(*st) >= 1)
		sqlite3_bind_int64(*st, 1, capture);
	return 0;
}

static int load_counts(sqlite3 *db, const char *sql, int64_t capture,
		       struct report_counts *c)
{
	sqlite3_stmt *st;
	if (prep(db, sql, capture, &st) != 0)
		return -1;
	int rc;
	c->n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == REPORT_MAX_ITEMS)
			continue;
		const unsigned char *name = sqlite3_column_text(st, 0);
		snprintf(c->c[c->n].name, sizeof c->c[c->n].name, "%s",
			 name ? (const char *)name : "-");
		c->c[c->n++].n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int load_caps(sqlite3 *db, struct report *r)
{
	sqlite3_stmt *st;
	if (prep(db, "SELECT id, path, coalesce(packets,0), coalesce(tcp_segments,0), "
		     "coalesce(non_tcp,0), coalesce(fragments,0), coalesce(malformed,0), "
		     "coalesce(kernel_drops,0), reasons, error, complete, "
		     "coalesce(evicted,0) FROM captures "
		     "WHERE (?1 = 0 AND " STORE_CAPTURE_SHOWN("") ") OR id = ?1 "
		     "ORDER BY id",
		 r->capture, &st) != 0)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->ncaps == REPORT_MAX_ITEMS) {
			r->more_caps++;
			continue;
		}
		struct report_capinfo *c = &r->caps[r->ncaps++];
		memset(c, 0, sizeof *c);
		c->id = sqlite3_column_int64(st, 0);
		const unsigned char *s = sqlite3_column_text(st, 1);
		snprintf(c->path, sizeof c->path, "%s", s ? (const char *)s : "");
		c->packets = sqlite3_column_int64(st, 2);
		c->tcp = sqlite3_column_int64(st, 3);
		c->non_tcp = sqlite3_column_int64(st, 4);
		c->fragments = sqlite3_column_int64(st, 5);
		c->malformed = sqlite3_column_int64(st, 6);
		c->drops = sqlite3_column_int64(st, 7);
		s = sqlite3_column_text(st, 8);
		snprintf(c->reasons, sizeof c->reasons, "%s", s ? (const char *)s : "");
		s = sqlite3_column_text(st, 9);
		snprintf(c->error, sizeof c->error, "%s", s ? (const char *)s : "");
		c->complete = sqlite3_column_int64(st, 10);
		c->evicted = sqlite3_column_int64(st, 11);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void col_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

/* The pcapng metadata of each capture loaded. */
static int load_meta(sqlite3 *db, struct report *r)
{
	sqlite3_stmt *fi, *no, *pc;
	if (sqlite3_prepare_v2(db, "SELECT iface, section, linktype, name,"
				   " description, comment FROM capture_interfaces"
				   " WHERE capture_id = ? ORDER BY iface", -1, &fi,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT section, kind, text FROM capture_notes"
				   " WHERE capture_id = ? ORDER BY rowid", -1, &no,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(fi);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM packet_comments"
				   " WHERE capture_id = ?", -1, &pc,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(fi);
		sqlite3_finalize(no);
		return -1;
	}
	int rc = SQLITE_DONE;
	for (size_t i = 0; i < r->ncaps && rc == SQLITE_DONE; i++) {
		struct report_capmeta *m = &r->caps[i].meta;
		sqlite3_bind_int64(fi, 1, r->caps[i].id);
		while ((rc = sqlite3_step(fi)) == SQLITE_ROW) {
			if (m->nifs == REPORT_MAX_IFACES) {
				m->more_ifs++;
				continue;
			}
			m->ifs[m->nifs].iface = sqlite3_column_int64(fi, 0);
			m->ifs[m->nifs].section = sqlite3_column_int64(fi, 1);
			col_text(m->ifs[m->nifs].linktype,
				 sizeof m->ifs[0].linktype, fi, 2);
			col_text(m->ifs[m->nifs].name, sizeof m->ifs[0].name, fi, 3);
			col_text(m->ifs[m->nifs].desc, sizeof m->ifs[0].desc, fi, 4);
			col_text(m->ifs[m->nifs].comment, sizeof m->ifs[0].comment,
				 fi, 5);
			m->nifs++;
		}
		sqlite3_reset(fi);
		if (rc != SQLITE_DONE)
			break;
		sqlite3_bind_int64(no, 1, r->caps[i].id);
		while ((rc = sqlite3_step(no)) == SQLITE_ROW) {
			if (m->nnotes == REPORT_MAX_NOTES) {
				m->more_notes++;
				continue;
			}
			m->notes[m->nnotes].section = sqlite3_column_int64(no, 0);
			col_text(m->notes[m->nnotes].kind, sizeof m->notes[0].kind,
				 no, 1);
			col_text(m->notes[m->nnotes].text, sizeof m->notes[0].text,
				 no, 2);
			m->nnotes++;
		}
		sqlite3_reset(no);
		if (rc != SQLITE_DONE)
			break;
		sqlite3_bind_int64(pc, 1, r->caps[i].id);
		if ((rc = sqlite3_step(pc)) == SQLITE_ROW) {
			m->pcomments = sqlite3_column_int64(pc, 0);
			rc = SQLITE_DONE;
		}
		sqlite3_reset(pc);
	}
	sqlite3_finalize(fi);
	sqlite3_finalize(no);
	sqlite3_finalize(pc);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- The connections, in one pass -------------------------------------- */

/* A name being counted: n rows; null for SQL NULL (sorted first, shown
 * "-"). */
struct tally {
	char name[48];
	int null;
	int64_t n;
};

struct tallies {
	size_t n;
	struct tally t[REPORT_MAX_ITEMS * 4];
};

static void tally_add(struct tallies *ts, const unsigned char *name)
{
	const char *s = name ? (const char *)name : "";
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].null == !name &&
		    strncmp(ts->t[i].name, s, sizeof ts->t[i].name) == 0) {
			ts->t[i].n++;
			return;
		}
	if (ts->n == sizeof ts->t / sizeof ts->t[0])
		return; /* more distinct names than a report shows */
	struct tally *t = &ts->t[ts->n++];
	snprintf(t->name, sizeof t->name, "%s", s);
	t->null = !name;
	t->n = 1;
}

/* count DESC, then name as SQLite's BINARY collation orders it */
static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->null != y->null)
		return x->null ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void tally_counts(struct tallies *ts, struct report_counts *c)
{
	qsort(ts->t, ts->n, sizeof ts->t[0], tally_cmp);
	c->n = 0;
	for (size_t i = 0; i < ts->n && c->n < REPORT_MAX_ITEMS; i++) {
		snprintf(c->c[c->n].name, sizeof c->c[c->n].name, "%s",
			 ts->t[i].null ? "-" : ts->t[i].name);
		c->c[c->n++].n = ts->t[i].n;
	}
}

/* Nearest-rank percentile of sorted v[0..n). */
static int64_t pct(const int64_t *v, int64_t n, int p)
{
	if (n == 0)
		return -1;
	int64_t rank = (p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* count DESC, port */
static int failed_cmp(const void *a, const void *b)
{
	const struct report_failed *x = a, *y = b;
	int64_t nx = x->refused + x->unanswered, ny = y->refused + y->unanswered;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* 1 when a ranks before b: the larger value, then the lower id. */
static int top_before(const struct report_top *a, const struct report_top *b)
{
	return a->value != b->value ? a->value > b->value : a->id < b->id;
}

/* Keeps the r->top first in t[] (sorted by top_before()), whatever order
 * the rows come in. */
static void top_insert(struct report_top *t, size_t *n, size_t max,
		       const struct report_top *x)
{
	size_t i = *n;
	if (i == max) {
		if (max == 0 || !top_before(x, &t[max - 1]))
			return;
		i = max - 1;
	} else {
		(*n)++;
	}
	while (i > 0 && top_before(x, &t[i - 1])) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = *x;
}

/* Fills in the endpoints of the connections in t[0..n). */
static int top_endpoints(sqlite3 *db, struct report_top *t, size_t n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT client_ip, client_port, server_ip,"
			       " server_port FROM connections WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = SQLITE_DONE;
	for (size_t i = 0; i < n && rc != SQLITE_ERROR; i++) {
		sqlite3_bind_int64(st, 1, t[i].id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			out_endpoint(t[i].client, sizeof t[i].client,
				 (const char *)sqlite3_column_text(st, 0),
				 sqlite3_column_int64(st, 1));
			out_endpoint(t[i].server, sizeof t[i].server,
				 (const char *)sqlite3_column_text(st, 2),
				 sqlite3_column_int64(st, 3));
			rc = SQLITE_DONE;
		} else if (rc != SQLITE_DONE) {
			rc = SQLITE_ERROR;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Grows *v (of *cap items) to hold one more int64; -1 out of memory. */
static int push_i64(int64_t **v, size_t *n, size_t *cap, int64_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		int64_t *nv = realloc(*v, c * sizeof **v);
		if (!nv)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

struct scan {
	struct tallies close, state, verdict, vantage;
	struct report_failed *ports; /* 65536, by server port, or NULL */
	int64_t *rtt, *zw;    /* handshake RTTs; ids with zero windows */
	size_t nrtt, caprtt, nzw, capzw;
};

/* Failed handshakes: refused or unanswered, by server port. */
static int scan_failed(struct scan *sc, const unsigned char *close,
		       int64_t port)
{
	int refused = close && strcmp((const char *)close, "refused") == 0;
	if (!refused &&
	    !(close && strcmp((const char *)close, "unanswered") == 0))
		return 0;
	if (!sc->ports && !(sc->ports = calloc(65536, sizeof *sc->ports)))
		return -1;
	struct report_failed *f = &sc->ports[port & 0xffff];
	f->port = port & 0xffff;
	if (refused)
		f->refused++;
	else
		f->unanswered++;
	return 0;
}

static void scan_free(struct scan *sc)
{
	free(sc->ports);
	free(sc->rtt);
	free(sc->zw);
}

/* Every figure the report takes from connection rows, from one scan of
 * them in whatever order SQLite finds cheapest (nothing below depends on
 * it): totals, counts by close and conn_state, failed handshakes,
 * handshake RTTs, the top by retransmissions (their endpoints read after,
 * by id), and the connections that had a zero window (for
 * load_top_zw()). 0, -1 (SQLite), -2 (memory). */
/* The data-transfer phase of the row at st (scan_conns()'s columns 10,
 * 11 and 14 on; NULL verdicts in rows written before schema version 8):
 * each direction that carried payload counts under its verdict, and the
 * connection, with the direction that carried more, is a candidate for
 * the slowest transfers. */
static void scan_transfer(struct report *r, struct scan *sc,
			  sqlite3_stmt *st, int64_t id)
{
	int best = -1;
	int64_t bytes[2] = { sqlite3_column_int64(st, 10),
			     sqlite3_column_int64(st, 11) };
	for (int d = 0; d < 2; d++) {
		if (bytes[d] <= 0 ||
		    sqlite3_column_type(st, 15 + d) == SQLITE_NULL)
			continue;
		tally_add(&sc->verdict, sqlite3_column_text(st, 15 + d));
		if (best < 0 || bytes[d] > bytes[best])
			best = d;
	}
	if (best < 0)
		return;
	struct report_top t;
	memset(&t, 0, sizeof t);
	t.id = id;
	t.value = sqlite3_column_int64(st, 14);
	t.dir = best;
	t.bytes = bytes[best];
	int c = 17 + 4 * best;
	t.busy = sqlite3_column_int64(st, c);
	t.rwnd = sqlite3_column_int64(st, c + 1);
	t.cwnd = sqlite3_column_int64(st, c + 2);
	t.loss = sqlite3_column_int64(st, c + 3);
	t.idle = t.value > t.busy ? out_tdiff(t.value, t.busy) : 0;
	col_text(t.limited, sizeof t.limited, st, 15 + best);
	top_insert(r->top_slow, &r->ntop_slow, (size_t)r->top, &t);
}

static int scan_conns(sqlite3 *db, struct report *r, struct scan *sc)
{
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "SELECT id, close, conn_state, server_port, rtt_handshake_ns, "
		 FSEL_RETX_SQL ", c2s_acked_unseen, s2c_acked_unseen, "
		 "c2s_acked_unseen_bytes, s2c_acked_unseen_bytes, "
		 "c2s_payload_bytes, s2c_payload_bytes, "
		 "c2s_zero_windows, s2c_zero_windows, "
		 "last_ts - first_ts, c2s_limited_by, s2c_limited_by, "
		 "c2s_busy_ns, c2s_rwnd_limited_ns, c2s_cwnd_limited_ns, "
		 "c2s_recovery_ns + c2s_rto_stall_ns, "
		 "s2c_busy_ns, s2c_rwnd_limited_ns, s2c_cwnd_limited_ns, "
		 "s2c_recovery_ns + s2c_rto_stall_ns, "
		 "coalesce(vantage, 'unknown'), client_states_alt IS NOT NULL, "
		 "server_states_alt IS NOT NULL "
		 "FROM connections c WHERE %s",
		 conn_filter);
	sqlite3_stmt *st;
	if (prep(db, sql, r->capture, &st) != 0)
		return -1;
	int rc, err = 0;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const unsigned char *close = sqlite3_column_text(st, 1);
		r->conns++;
		tally_add(&sc->close, close);
		tally_add(&sc->state, sqlite3_column_text(st, 2));
		if (scan_failed(sc, close, sqlite3_column_int64(st, 3)) < 0)
			err = -2;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL &&
		    sqlite3_column_int64(st, 4) >= 0 &&
		    push_i64(&sc->rtt, &sc->nrtt, &sc->caprtt,
			     sqlite3_column_int64(st, 4)) < 0)
			err = -2;
		int64_t retx = sqlite3_column_int64(st, 5);
		if (retx > 0) {
			struct report_top t;
			memset(&t, 0, sizeof t);
			t.id = id;
			t.value = retx;
			top_insert(r->top_retx, &r->ntop_retx, (size_t)r->top,
				   &t);
		}
		r->unseen += sqlite3_column_int64(st, 6) +
			     sqlite3_column_int64(st, 7);
		r->unseen_bytes += sqlite3_column_int64(st, 8) +
				   sqlite3_column_int64(st, 9);
		r->payload_bytes += sqlite3_column_int64(st, 10) +
				    sqlite3_column_int64(st, 11);
		if ((sqlite3_column_int64(st, 12) > 0 ||
		     sqlite3_column_int64(st, 13) > 0) &&
		    push_i64(&sc->zw, &sc->nzw, &sc->capzw, id) < 0)
			err = -2;
		scan_transfer(r, sc, st, id);
		tally_add(&sc->vantage, sqlite3_column_text(st, 25));
		int alt[2] = { sqlite3_column_int(st, 26),
			       sqlite3_column_int(st, 27) };
		r->uncertain += alt[0] || alt[1];
		r->uncertain_side[0] += alt[0];
		r->uncertain_side[1] += alt[1];
	}
	sqlite3_finalize(st);
	if (err)
		return err;
	if (rc != SQLITE_DONE)
		return -1;
	tally_counts(&sc->close, &r->by_close);
	tally_counts(&sc->state, &r->by_state);
	tally_counts(&sc->verdict, &r->by_verdict);
	tally_counts(&sc->vantage, &r->by_vantage);
	if (sc->ports) {
		size_t n = 0;
		for (size_t p = 0; p < 65536; p++)
			if (sc->ports[p].refused + sc->ports[p].unanswered)
				sc->ports[n++] = sc->ports[p];
		r->failed_ports = (int64_t)n;
		qsort(sc->ports, n, sizeof *sc->ports, failed_cmp);
		size_t keep = (size_t)(r->top < REPORT_MAX_ITEMS ? r->top : REPORT_MAX_ITEMS);
		for (size_t i = 0; i < n && i < keep; i++)
			r->failed[r->nfailed++] = sc->ports[i];
	}
	if (sc->nrtt)
		qsort(sc->rtt, sc->nrtt, sizeof *sc->rtt, cmp_i64);
	r->rtt_n = (int64_t)sc->nrtt;
	r->rtt_p50 = pct(sc->rtt, r->rtt_n, 50);
	r->rtt_p90 = pct(sc->rtt, r->rtt_n, 90);
	r->rtt_p99 = pct(sc->rtt, r->rtt_n, 99);
	if (sc->nzw)
		qsort(sc->zw, sc->nzw, sizeof *sc->zw, cmp_i64);
	if (top_endpoints(db, r->top_retx, r->ntop_retx) < 0)
		return -1;
	return top_endpoints(db, r->top_slow, r->ntop_slow);
}

/* Time at zero window, for the connections that had one (ids, ascending):
 * from a zero-window segment until the next window-update (or any later
 * labelled segment with an open window) in the same direction, or the end
 * of the connection. Reads their events by the conn_id index. */
static int load_top_zw(sqlite3 *db, struct report *r, const int64_t *ids,
		       size_t nids)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
		db,
		"SELECT e.dir, e.ts_ns, e.label, e.win, c.last_ts, "
		"c.client_ip, c.client_port, c.server_ip, c.server_port "
		"FROM connections c JOIN events e ON e.conn_id = c.id "
		"WHERE c.id = ?1 ORDER BY e.id",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = SQLITE_DONE;
	for (size_t k = 0; k < nids && rc == SQLITE_DONE; k++) {
		struct report_top cur;
		int64_t start[2] = { -1, -1 }, last_ts = 0;
		memset(&cur, 0, sizeof cur);
		cur.id = ids[k];
		sqlite3_bind_int64(st, 1, ids[k]);
		int first = 1;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (first) {
				first = 0;
				last_ts = sqlite3_column_int64(st, 4);
				out_endpoint(cur.client, sizeof cur.client,
					 (const char *)sqlite3_column_text(st, 5),
					 sqlite3_column_int64(st, 6));
				out_endpoint(cur.server, sizeof cur.server,
					 (const char *)sqlite3_column_text(st, 7),
					 sqlite3_column_int64(st, 8));
			}
			int d = sqlite3_column_int(st, 0) ? 1 : 0;
			int64_t ts = sqlite3_column_int64(st, 1);
			const char *label =
			    (const char *)sqlite3_column_text(st, 2);
			int64_t win = sqlite3_column_int64(st, 3);
			if (!label)
				continue;
			if (strcmp(label, "zero-window") == 0) {
				if (start[d] < 0)
					start[d] = ts;
			} else if (start[d] >= 0 &&
				   (strcmp(label, "window-update") == 0 ||
				    (win > 0 &&
				     strcmp(label, "zero-window-probe-ack") !=
					 0 &&
				     strcmp(label, "zero-window-probe") != 0))) {
				if (ts > start[d])
					cur.value += out_tdiff(ts, start[d]);
				start[d] = -1;
			}
		}
		sqlite3_reset(st);
		for (int d = 0; d < 2; d++)
			if (start[d] >= 0 && last_ts > start[d])
				cur.value += out_tdiff(last_ts, start[d]);
		if (cur.value > 0)
			top_insert(r->top_zw, &r->ntop_zw, (size_t)r->top, &cur);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int gather(sqlite3 *db, struct report *r)
{
	/* Label totals: counted by the import (capture_labels), named. */
	char q[1024];
	snprintf(q, sizeof q,
		 "SELECT l.name, sum(t.events) FROM capture_labels t LEFT JOIN "
		 "label_names l ON l.id = t.label WHERE t.capture_id IN (SELECT "
		 "id FROM captures WHERE (?1 = 0 AND " STORE_CAPTURE_SHOWN("")
		 ") OR id = ?1) GROUP BY l.name ORDER BY sum(t.events) DESC, "
		 "l.name");
	struct scan *sc = calloc(1, sizeof *sc);
	if (!sc)
		return -2;
	int rc;
	if (!(rc = load_caps(db, r)) && !(rc = load_meta(db, r)) &&
	    !(rc = load_counts(db, q, r->capture, &r->labels)) &&
	    !(rc = scan_conns(db, r, sc)))
		rc = load_top_zw(db, r, sc->zw, sc->nzw);
	scan_free(sc);
	free(sc);
	return rc;
}

/* ---- Entry points ------------------------------------------------------- */

void reportq_free(struct report *r)
{
	if (!r)
		return;
	free(r->top_retx);
	free(r->top_zw);
	free(r->top_slow);
	free(r);
}

int reportq_gather(sqlite3 *db, long long capture_id, int top,
		   struct report **out, char *err, size_t errlen)
{
	*out = NULL;
	struct report *r = calloc(1, sizeof *r);
	int g = -2;
	if (r) {
		r->capture = capture_id > 0 ? capture_id : 0;
		r->top = top;
		r->top_retx = calloc((size_t)top + 1, sizeof *r->top_retx);
		r->top_zw = calloc((size_t)top + 1, sizeof *r->top_zw);
		r->top_slow = calloc((size_t)top + 1, sizeof *r->top_slow);
		if (r->top_retx && r->top_zw && r->top_slow)
			g = gather(db, r);
	}
	if (g != 0) {
		snprintf(err, errlen, "%s",
			 g == -2 ? "out of memory" : sqlite3_errmsg(db));
		reportq_free(r);
		return g == -2 ? EX_FAIL : EX_DB;
	}
	*out = r;
	return EX_OK;
}

int reportq_print(struct store *st, long long capture_id, int top, int json,
		  int page)
{
	struct report *r;
	char err[512];
	int rc = reportq_gather(store_db(st), capture_id, top, &r, err,
				sizeof err);
	if (rc != EX_OK) {
		fprintf(stderr, "tcpscope report: %s\n", err);
		return rc;
	}
	rc = report_write(r, json, page);
	reportq_free(r);
	return rc;
}
