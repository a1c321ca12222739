/*
 * report.c - the summary of a database that `tcpscope report` prints, and
 * `tcpscope read` after an import (report.h).
 *
 * The report is gathered first into struct report (a handful of SQL
 * aggregates, plus two passes in C where SQL is awkward: handshake RTT
 * percentiles and time spent at zero window), then written as text or as
 * one JSON object. Only complete captures count, unless a capture is named.
 *
 * Sections: captures (packets, malformed, truncated by reason, drops),
 * capture-loss estimate (acked-unseen), connections by close kind and by
 * conn_state, failed handshakes by server port, handshake RTT p50/p90/p99,
 * top connections by retransmissions and by zero-window time, transfers
 * by verdict and the slowest transfers with why (the data-transfer phase,
 * tcpscope-flows(1) TRANSFER), label totals.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#include "../status.h"
#include "../query/flowsel.h"
#include "out.h"
#include "../store/store.h"

#define MAX_ITEMS 64

struct count {
	char name[48];
	int64_t n;
};

struct counts {
	size_t n;
	struct count c[MAX_ITEMS];
};

struct failed {
	int64_t port, refused, unanswered;
};

struct top {
	int64_t id, value;
	char client[80], server[80];
	/* The slowest transfers (value: the duration): the direction that
	 * carried more payload, its bytes, verdict and time shares, ns. */
	int dir;
	int64_t bytes, busy, rwnd, cwnd, loss, idle;
	char limited[24];
};

#define MAX_IFACES 8 /* interfaces shown per capture (more are counted) */
#define MAX_NOTES 16 /* section notes shown per capture */

/* What a pcapng capture says of itself (capture_interfaces, capture_notes,
 * packet_comments); raw text, escaped when printed. */
struct capmeta {
	struct {
		int64_t iface, section;
		char linktype[24], name[96], desc[96], comment[96];
	} ifs[MAX_IFACES];
	size_t nifs, more_ifs;
	struct {
		int64_t section;
		char kind[16], text[160];
	} notes[MAX_NOTES];
	size_t nnotes, more_notes;
	int64_t pcomments;
};

struct capinfo {
	int64_t id, packets, tcp, non_tcp, fragments, malformed, drops, complete;
	int64_t evicted; /* connections the tracker finished early */
	char path[256], reasons[512], error[128];
	struct capmeta meta;
};

struct report {
	int64_t capture;      /* 0: every complete capture */
	int top;
	int64_t conns;
	struct capinfo caps[MAX_ITEMS];
	size_t ncaps, more_caps;
	struct counts by_close, by_state, labels;
	struct failed failed[MAX_ITEMS];
	size_t nfailed;
	int64_t failed_ports;  /* distinct server ports with a failure */
	int64_t rtt_n, rtt_p50, rtt_p90, rtt_p99;
	struct top *top_retx, *top_zw, *top_slow;
	size_t ntop_retx, ntop_zw, ntop_slow;
	struct counts by_verdict; /* directions that carried payload */
	struct counts by_vantage; /* where the capture point sat */
	int64_t uncertain;        /* connections with a side's path undecided */
	int64_t uncertain_side[2];
	int64_t unseen, unseen_bytes, payload_bytes;
};

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
		       struct counts *c)
{
	sqlite3_stmt *st;
	if (prep(db, sql, capture, &st) != 0)
		return -1;
	int rc;
	c->n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == MAX_ITEMS)
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
		if (r->ncaps == MAX_ITEMS) {
			r->more_caps++;
			continue;
		}
		struct capinfo *c = &r->caps[r->ncaps++];
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
		struct capmeta *m = &r->caps[i].meta;
		sqlite3_bind_int64(fi, 1, r->caps[i].id);
		while ((rc = sqlite3_step(fi)) == SQLITE_ROW) {
			if (m->nifs == MAX_IFACES) {
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
			if (m->nnotes == MAX_NOTES) {
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
	struct tally t[MAX_ITEMS * 4];
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

static void tally_counts(struct tallies *ts, struct counts *c)
{
	qsort(ts->t, ts->n, sizeof ts->t[0], tally_cmp);
	c->n = 0;
	for (size_t i = 0; i < ts->n && c->n < MAX_ITEMS; i++) {
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
	const struct failed *x = a, *y = b;
	int64_t nx = x->refused + x->unanswered, ny = y->refused + y->unanswered;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* 1 when a ranks before b: the larger value, then the lower id. */
static int top_before(const struct top *a, const struct top *b)
{
	return a->value != b->value ? a->value > b->value : a->id < b->id;
}

/* Keeps the r->top first in t[] (sorted by top_before()), whatever order
 * the rows come in. */
static void top_insert(struct top *t, size_t *n, size_t max,
		       const struct top *x)
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
static int top_endpoints(sqlite3 *db, struct top *t, size_t n)
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
	struct failed *ports; /* 65536, by server port, or NULL */
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
	struct failed *f = &sc->ports[port & 0xffff];
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
	struct top t;
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
			struct top t;
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
		size_t keep = (size_t)(r->top < MAX_ITEMS ? r->top : MAX_ITEMS);
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
		struct top cur;
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

/* ---- Text --------------------------------------------------------------- */

/* A capture's interfaces, notes and packet comments, one line each. */
static void print_meta_text(const struct capmeta *m)
{
	char a[400], b[400], c[400];
	/* Interfaces when the file says something of one: a bare list of
	 * link types is in the capture's row already. */
	size_t said = 0;
	for (size_t i = 0; i < m->nifs; i++)
		said += m->ifs[i].name[0] || m->ifs[i].desc[0] ||
			m->ifs[i].comment[0];
	for (size_t i = 0; said && i < m->nifs; i++) {
		printf("    interface %lld: %s (%s)", (long long)m->ifs[i].iface,
		       m->ifs[i].name[0] ? out_esc(m->ifs[i].name, a, sizeof a)
					 : "unnamed",
		       out_esc(m->ifs[i].linktype, b, sizeof b));
		if (m->ifs[i].desc[0])
			printf(" \"%s\"", out_esc(m->ifs[i].desc, c, sizeof c));
		if (m->ifs[i].comment[0])
			printf(": %s", out_esc(m->ifs[i].comment, a, sizeof a));
		putchar('\n');
	}
	if (said && m->more_ifs)
		printf("    ... and %zu more interfaces\n", m->more_ifs);
	for (size_t i = 0; i < m->nnotes; i++)
		printf("    %s: %s\n", out_esc(m->notes[i].kind, a, sizeof a),
		       out_esc(m->notes[i].text, b, sizeof b));
	if (m->more_notes)
		printf("    ... and %zu more notes\n", m->more_notes);
	if (m->pcomments)
		printf("    packet comments %lld (shown by tcpscope timeline)\n",
		       (long long)m->pcomments);
}

static void section(const char *title, int col)
{
	printf("\n%s%s%s\n", out_sgr(col, OUT_HEAD), title, OUT_RESET(col));
}

static void print_counts(const struct counts *c, const char *none)
{
	if (c->n == 0) {
		printf("  %s\n", none);
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->c[i].name) > w)
			w = strlen(c->c[i].name);
	for (size_t i = 0; i < c->n; i++)
		printf("  %-*s %10lld\n", (int)w, c->c[i].name, (long long)c->c[i].n);
}

static void print_reasons(const char *reasons)
{
	/* "a=1,b=2" -> one "a 1" per line. */
	const char *p = reasons;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		if (eq)
			printf("      %-32.*s %s%.*s\n", (int)(eq - p), p, "",
			       (int)(n - (size_t)(eq - p) - 1), eq + 1);
		else
			printf("      %.*s\n", (int)n, p);
		p += n + (p[n] == ',');
	}
}

static void print_top(const struct top *t, size_t n, int zw, int col)
{
	if (n == 0) {
		printf("  none\n");
		return;
	}
	const char *heads[4] = { "ID", "CLIENT", "SERVER",
				 zw ? "ZERO-WINDOW" : "RETRANSMISSIONS" };
	struct out_table *tb = out_table_new(4, heads);
	if (!tb)
		return;
	out_table_indent(tb, 2);
	out_table_right(tb, 0);
	out_table_right(tb, 3);
	for (size_t i = 0; i < n; i++) {
		char id[24], v[32];
		snprintf(id, sizeof id, "%lld", (long long)t[i].id);
		if (zw)
			out_dur(v, sizeof v, t[i].value);
		else
			snprintf(v, sizeof v, "%lld", (long long)t[i].value);
		const char *cells[4] = { id, t[i].client, t[i].server, v };
		out_table_add(tb, cells, OUT_PLAIN);
	}
	out_table_print(stdout, tb, 0, col);
	out_table_free(tb);
}

/* The slowest transfers: duration, the direction that carried more, its
 * verdict and where its time went (tcpscope-flows(1) TRANSFER). */
static void print_slow(const struct top *t, size_t n, int col)
{
	if (n == 0) {
		printf("  none\n");
		return;
	}
	const char *heads[11] = { "ID",	  "CLIENT", "SERVER", "DURATION",
				  "DIR",  "BYTES",  "LIMITED-BY", "IDLE",
				  "RWND", "CWND",   "LOSS" };
	struct out_table *tb = out_table_new(11, heads);
	if (!tb)
		return;
	out_table_indent(tb, 2);
	out_table_right(tb, 0);
	for (int i = 3; i < 11; i++)
		if (i != 4 && i != 6)
			out_table_right(tb, i);
	for (size_t i = 0; i < n; i++) {
		char id[24], dur[32], by[24], idle[32], rw[32], cw[32], lo[32];
		snprintf(id, sizeof id, "%lld", (long long)t[i].id);
		out_dur(dur, sizeof dur, t[i].value);
		snprintf(by, sizeof by, "%lld", (long long)t[i].bytes);
		out_dur(idle, sizeof idle, t[i].idle);
		out_dur(rw, sizeof rw, t[i].rwnd);
		out_dur(cw, sizeof cw, t[i].cwnd);
		out_dur(lo, sizeof lo, t[i].loss);
		char lim[64];
		const char *cells[11] = { id, t[i].client, t[i].server, dur,
					  t[i].dir ? "s2c" : "c2s", by,
					  out_esc(t[i].limited, lim, sizeof lim),
					  idle, rw, cw, lo };
		out_table_add(tb, cells, OUT_PLAIN);
	}
	out_table_print(stdout, tb, 0, col);
	out_table_free(tb);
}

static void print_text(const struct report *r)
{
	int col = out_want_colour(stdout);
	char a[40], b[40], c[40];
	printf("%sconnections: %lld%s", out_sgr(col, OUT_HEAD), (long long)r->conns,
	       OUT_RESET(col));
	printf("  (captures: %zu)\n", r->ncaps + r->more_caps);

	section("Captures", col);
	if (r->ncaps == 0)
		printf("  none complete\n");
	for (size_t i = 0; i < r->ncaps; i++) {
		const struct capinfo *k = &r->caps[i];
		char shown[1024];
		printf("  %lld %s%s\n", (long long)k->id,
		       out_esc(k->path, shown, sizeof shown),
		       k->complete ? "" : " (incomplete)");
		printf("    packets %lld  tcp %lld  non-tcp %lld  fragments %lld  "
		       "malformed %lld  kernel drops %lld\n", (long long)k->packets,
		       (long long)k->tcp, (long long)k->non_tcp,
		       (long long)k->fragments, (long long)k->malformed,
		       (long long)k->drops);
		print_meta_text(&k->meta);
		if (k->evicted)
			printf("    evicted %lld connections early (tracker memory"
			       " or connection limit; their rows end there)\n",
			       (long long)k->evicted);
		if (k->reasons[0]) {
			printf("    malformed or truncated, by reason:\n");
			print_reasons(k->reasons);
		}
		if (k->error[0])
			printf("    %serror: %s%s\n", out_sgr(col, OUT_BAD), k->error,
			       OUT_RESET(col));
	}
	if (r->more_caps)
		printf("  ... and %zu more\n", r->more_caps);
	printf("  capture loss estimate: %lld acked-unseen segments, %lld bytes",
	       (long long)r->unseen, (long long)r->unseen_bytes);
	if (r->payload_bytes + r->unseen_bytes > 0)
		printf(" (%.2f%% of payload)\n", 100.0 * (double)r->unseen_bytes /
			(double)(r->payload_bytes + r->unseen_bytes));
	else
		printf("\n");

	section("Connections by close", col);
	print_counts(&r->by_close, "none");
	section("Connections by conn_state", col);
	print_counts(&r->by_state, "none");
	section("Connections by vantage (where the capture point sat)", col);
	print_counts(&r->by_vantage, "none");
	section("Uncertain paths", col);
	if (r->uncertain == 0)
		printf("  none: the capture decides every side's path\n");
	else
		printf("  %lld connections (client sides %lld, server sides %lld):"
		       " the capture does not decide their path; flows -f json"
		       " gives the others in client_states_alt and"
		       " server_states_alt\n", (long long)r->uncertain,
		       (long long)r->uncertain_side[0],
		       (long long)r->uncertain_side[1]);

	section("Failed handshakes by server port", col);
	if (r->failed_ports == 0)
		printf("  none\n");
	else if (r->nfailed > 0)
		printf("  %5s %10s %10s\n", "PORT", "REFUSED", "UNANSWERED");
	for (size_t i = 0; i < r->nfailed; i++)
		printf("  %5lld %10lld %10lld\n", (long long)r->failed[i].port,
		       (long long)r->failed[i].refused,
		       (long long)r->failed[i].unanswered);
	if (r->failed_ports > (int64_t)r->nfailed)
		printf("  (%lld ports in all)\n", (long long)r->failed_ports);

	section("Handshake RTT", col);
	if (r->rtt_n == 0) {
		printf("  no complete handshake\n");
	} else {
		out_dur(a, sizeof a, r->rtt_p50);
		out_dur(b, sizeof b, r->rtt_p90);
		out_dur(c, sizeof c, r->rtt_p99);
		printf("  %lld samples  p50 %s  p90 %s  p99 %s\n", (long long)r->rtt_n,
		       a, b, c);
	}

	section("Top connections by retransmissions", col);
	print_top(r->top_retx, r->ntop_retx, 0, col);
	section("Top connections by time at zero window", col);
	print_top(r->top_zw, r->ntop_zw, 1, col);
	section("Transfers by what held them", col);
	print_counts(&r->by_verdict, "none");
	section("Slowest transfers and why", col);
	print_slow(r->top_slow, r->ntop_slow, col);
	section("Labels", col);
	print_counts(&r->labels, "none");
}

/* ---- JSON --------------------------------------------------------------- */

static void json_counts(const struct counts *c)
{
	putchar('{');
	for (size_t i = 0; i < c->n; i++) {
		fputs(i ? "," : "", stdout);
		out_json_str(stdout, c->c[i].name);
		printf(":%lld", (long long)c->c[i].n);
	}
	putchar('}');
}

static void json_ms(int64_t ns)
{
	if (ns < 0)
		fputs("null", stdout);
	else
		printf("%.3f", (double)ns / 1e6);
}

static void json_top(const struct top *t, size_t n, const char *key, int zw)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"id\":%lld,\"client\":", i ? "," : "", (long long)t[i].id);
		out_json_str(stdout, t[i].client);
		fputs(",\"server\":", stdout);
		out_json_str(stdout, t[i].server);
		printf(",\"%s\":", key);
		if (zw)
			json_ms(t[i].value);
		else
			printf("%lld", (long long)t[i].value);
		putchar('}');
	}
	putchar(']');
}

static void print_json(const struct report *r)
{
	printf("{\"connections\":%lld,\"captures\":[", (long long)r->conns);
	for (size_t i = 0; i < r->ncaps; i++) {
		const struct capinfo *k = &r->caps[i];
		printf("%s{\"id\":%lld,\"path\":", i ? "," : "", (long long)k->id);
		out_json_str(stdout, k->path);
		printf(",\"complete\":%s,\"packets\":%lld,\"tcp_segments\":%lld,"
		       "\"non_tcp\":%lld,\"fragments\":%lld,\"malformed\":%lld,"
		       "\"kernel_drops\":%lld,\"evicted\":%lld,\"reasons\":{",
		       k->complete ? "true" : "false", (long long)k->packets,
		       (long long)k->tcp, (long long)k->non_tcp,
		       (long long)k->fragments, (long long)k->malformed,
		       (long long)k->drops, (long long)k->evicted);
		const char *p = k->reasons;
		int first = 1;
		while (*p) {
			size_t n = strcspn(p, ",");
			const char *eq = memchr(p, '=', n);
			if (eq) {
				char name[64];
				snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
				fputs(first ? "" : ",", stdout);
				out_json_str(stdout, name);
				printf(":%lld", strtoll(eq + 1, NULL, 10));
				first = 0;
			}
			p += n + (p[n] == ',');
		}
		fputs("},\"error\":", stdout);
		out_json_str(stdout, k->error[0] ? k->error : NULL);
		const struct capmeta *m = &k->meta;
		fputs(",\"interfaces\":[", stdout);
		for (size_t j = 0; j < m->nifs; j++) {
			printf("%s{\"id\":%lld,\"section\":%lld,\"linktype\":",
			       j ? "," : "", (long long)m->ifs[j].iface,
			       (long long)m->ifs[j].section);
			out_json_str(stdout, m->ifs[j].linktype);
			fputs(",\"name\":", stdout);
			out_json_str(stdout, m->ifs[j].name);
			fputs(",\"description\":", stdout);
			out_json_str(stdout, m->ifs[j].desc);
			fputs(",\"comment\":", stdout);
			out_json_str(stdout, m->ifs[j].comment);
			putchar('}');
		}
		fputs("],\"notes\":[", stdout);
		for (size_t j = 0; j < m->nnotes; j++) {
			printf("%s{\"section\":%lld,\"kind\":", j ? "," : "",
			       (long long)m->notes[j].section);
			out_json_str(stdout, m->notes[j].kind);
			fputs(",\"text\":", stdout);
			out_json_str(stdout, m->notes[j].text);
			putchar('}');
		}
		printf("],\"packet_comments\":%lld}", (long long)m->pcomments);
	}
	printf("],\"capture_loss\":{\"acked_unseen\":%lld,\"acked_unseen_bytes\":%lld,"
	       "\"payload_bytes\":%lld},", (long long)r->unseen,
	       (long long)r->unseen_bytes, (long long)r->payload_bytes);
	fputs("\"by_close\":", stdout);
	json_counts(&r->by_close);
	fputs(",\"by_conn_state\":", stdout);
	json_counts(&r->by_state);
	fputs(",\"by_vantage\":", stdout);
	json_counts(&r->by_vantage);
	printf(",\"uncertain\":{\"connections\":%lld,\"client_sides\":%lld,"
	       "\"server_sides\":%lld}", (long long)r->uncertain,
	       (long long)r->uncertain_side[0], (long long)r->uncertain_side[1]);
	fputs(",\"failed_handshakes\":[", stdout);
	for (size_t i = 0; i < r->nfailed; i++)
		printf("%s{\"server_port\":%lld,\"refused\":%lld,\"unanswered\":%lld}",
		       i ? "," : "", (long long)r->failed[i].port,
		       (long long)r->failed[i].refused,
		       (long long)r->failed[i].unanswered);
	printf("],\"failed_handshake_ports\":%lld", (long long)r->failed_ports);
	printf(",\"handshake_rtt\":{\"samples\":%lld,\"p50_ms\":", (long long)r->rtt_n);
	json_ms(r->rtt_p50);
	fputs(",\"p90_ms\":", stdout);
	json_ms(r->rtt_p90);
	fputs(",\"p99_ms\":", stdout);
	json_ms(r->rtt_p99);
	fputs("},\"top_retransmissions\":", stdout);
	json_top(r->top_retx, r->ntop_retx, "retransmissions", 0);
	fputs(",\"top_zero_window\":", stdout);
	json_top(r->top_zw, r->ntop_zw, "zero_window_ms", 1);
	fputs(",\"transfers_by_verdict\":", stdout);
	json_counts(&r->by_verdict);
	fputs(",\"slowest_transfers\":[", stdout);
	for (size_t i = 0; i < r->ntop_slow; i++) {
		const struct top *t = &r->top_slow[i];
		printf("%s{\"id\":%lld,\"client\":", i ? "," : "",
		       (long long)t->id);
		out_json_str(stdout, t->client);
		fputs(",\"server\":", stdout);
		out_json_str(stdout, t->server);
		fputs(",\"duration_ms\":", stdout);
		json_ms(t->value);
		printf(",\"direction\":\"%s\",\"payload_bytes\":%lld,"
		       "\"limited_by\":", t->dir ? "s2c" : "c2s",
		       (long long)t->bytes);
		out_json_str(stdout, t->limited);
		fputs(",\"idle_ms\":", stdout);
		json_ms(t->idle);
		fputs(",\"rwnd_limited_ms\":", stdout);
		json_ms(t->rwnd);
		fputs(",\"cwnd_limited_ms\":", stdout);
		json_ms(t->cwnd);
		fputs(",\"loss_ms\":", stdout);
		json_ms(t->loss);
		putchar('}');
	}
	fputs("],\"labels\":", stdout);
	json_counts(&r->labels);
	fputs("}\n", stdout);
}

/* ---- Entry points ------------------------------------------------------- */

int report_print(struct store *st, long long capture_id, int top, int json,
		 int page)
{
	struct report *r = calloc(1, sizeof *r);
	if (!r) {
		fprintf(stderr, "tcpscope report: out of memory\n");
		return EX_FAIL;
	}
	r->capture = capture_id > 0 ? capture_id : 0;
	r->top = top;
	r->top_retx = calloc((size_t)top + 1, sizeof *r->top_retx);
	r->top_zw = calloc((size_t)top + 1, sizeof *r->top_zw);
	r->top_slow = calloc((size_t)top + 1, sizeof *r->top_slow);
	int rc = EX_OK;
	int g = r->top_retx && r->top_zw && r->top_slow ? gather(store_db(st), r)
							 : -2;
	if (g != 0) {
		fprintf(stderr, "tcpscope report: %s\n",
			g == -2 ? "out of memory" : sqlite3_errmsg(store_db(st)));
		rc = g == -2 ? EX_FAIL : EX_DB;
	} else {
		if (page)
			out_pager_start();
		if (json)
			print_json(r);
		else
			print_text(r);
		if (out_pager_end()) {
			fprintf(stderr, "tcpscope report: write error\n");
			rc = EX_FAIL;
		}
	}
	free(r->top_retx);
	free(r->top_zw);
	free(r->top_slow);
	free(r);
	return rc;
}
