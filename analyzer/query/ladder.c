/*
 * ladder.c - one connection's ladder, streamed (see ladder.h).
 *
 * ladder_run() picks the source (stored segments, the capture, else the
 * events), reads the packets up to both SYNs for the relative sequence
 * numbers, calls start, then hands every row of the source to emit(),
 * which joins what belongs to its packet: the labels from a cursor over
 * the events in packet order, the transitions, congestion-state changes
 * and comments from arrays sorted by packet. Transitions whose packet has
 * no row wait in `orphans` until the first row later than them.
 */
#include "ladder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/decode.h"
#include "../output/out.h"
#include "../status.h"
#include "../store/segchunk.h"
#include "flowpkts.h"
#include "flowsel.h"

struct comment {
	int64_t pkt;
	char *text;
};

enum source { SRC_SEGMENTS, SRC_CAPTURE, SRC_EVENTS };

struct ladder {
	sqlite3 *db;
	const char *capture; /* --capture, or NULL */
	struct ladder_conn ci;
	struct ladder_info info;
	char why[600];
	enum source src;
	struct flowpkts fp; /* SRC_CAPTURE */
	/* transitions, sorted by packet (by id within one) */
	struct ladder_trans *tr;
	size_t *ord;       /* ord[i]: tr[i]'s place in id order */
	size_t ntr, ti;    /* ti: the first not yet placed */
	size_t *orphans;   /* indexes into tr, in id order */
	size_t norphans;
	struct ladder_cc *cc;
	size_t ncc, ci_;   /* ci_: the first not yet placed */
	struct comment *cm;
	size_t ncm, cmi;
	sqlite3_stmt *labels; /* the events, by packet */
	int label_row;        /* labels holds a row not yet used */
	int labels_done;      /* ... has none left (a step after the end
			       * would start it again) */
	/* the run */
	const struct ladder_sink *sink;
	void *arg;
	int started;
	char *err;
	size_t errlen;
};

static int dberr(struct ladder *l, char *err, size_t len)
{
	return ex_fail(err, len, EX_DB, "database: %s", sqlite3_errmsg(l->db));
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *s = col >= 0 ? sqlite3_column_text(st, col) : NULL;
	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

/* ---- Loading ------------------------------------------------------------ */

static int load_conn(struct ladder *l, int64_t id)
{
	struct ladder_conn *ci = &l->ci;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT c.*, k.path AS capture_path FROM "
				      "connections c LEFT JOIN captures k ON "
				      "k.id = c.capture_id WHERE c.id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? -3 : -1;
	}
	ci->id = id;
	ci->capture_id = sqlite3_column_int64(st, fsel_col(st, "capture_id"));
	ci->first_ts = sqlite3_column_int64(st, fsel_col(st, "first_ts"));
	ci->last_ts = sqlite3_column_int64(st, fsel_col(st, "last_ts"));
	out_endpoint(ci->client, sizeof ci->client,
		     (const char *)sqlite3_column_text(st, fsel_col(st, "client_ip")),
		     sqlite3_column_int(st, fsel_col(st, "client_port")));
	out_endpoint(ci->server, sizeof ci->server,
		     (const char *)sqlite3_column_text(st, fsel_col(st, "server_ip")),
		     sqlite3_column_int(st, fsel_col(st, "server_port")));
	copy_col(ci->capture, sizeof ci->capture, st, fsel_col(st, "capture_path"));
	copy_col(ci->close, sizeof ci->close, st, fsel_col(st, "close"));
	copy_col(ci->handshake, sizeof ci->handshake, st, fsel_col(st, "handshake"));
	copy_col(ci->conn_state, sizeof ci->conn_state, st, fsel_col(st, "conn_state"));
	copy_col(ci->history, sizeof ci->history, st, fsel_col(st, "history"));
	copy_col(ci->cstate, sizeof ci->cstate, st, fsel_col(st, "client_state"));
	copy_col(ci->sstate, sizeof ci->sstate, st, fsel_col(st, "server_state"));
	copy_col(ci->vantage, sizeof ci->vantage, st, fsel_col(st, "vantage"));
	copy_col(ci->alt[0], sizeof ci->alt[0], st,
		 fsel_col(st, "client_states_alt"));
	copy_col(ci->alt[1], sizeof ci->alt[1], st,
		 fsel_col(st, "server_states_alt"));
	static const char *const wscol[2] = { "c2s_wscale", "s2c_wscale" };
	for (int d = 0; d < 2; d++) {
		int c = fsel_col(st, wscol[d]);
		ci->ws[d] = c >= 0 && sqlite3_column_type(st, c) != SQLITE_NULL
				? sqlite3_column_int(st, c)
				: -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Grows *v (of *cap elements of size) to hold n + 1. -1 out of memory. */
static int grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = realloc(*(void **)v, c * size);
	if (!p)
		return -1;
	*(void **)v = p;
	*cap = c;
	return 0;
}

/* Sorts a[0..n) of type T by its member pkt, keeping the order within
 * one packet (an insertion sort: the rows come almost sorted, tracker
 * ids following packets); with ord non-NULL, ord[i] gets the place the
 * element now at i had before. */
#define SORT_BY_PKT(a, n, T, ord)                                              \
	do {                                                                   \
		size_t *o_ = (ord);                                            \
		for (size_t i_ = 0; o_ && i_ < (n); i_++)                      \
			o_[i_] = i_;                                           \
		for (size_t i_ = 1; i_ < (n); i_++) {                          \
			T x_ = (a)[i_];                                        \
			size_t k_ = o_ ? o_[i_] : 0, j_ = i_;                  \
			while (j_ > 0 && (a)[j_ - 1].pkt > x_.pkt) {           \
				(a)[j_] = (a)[j_ - 1];                         \
				if (o_)                                        \
					o_[j_] = o_[j_ - 1];                   \
				j_--;                                          \
			}                                                      \
			(a)[j_] = x_;                                          \
			if (o_)                                                \
				o_[j_] = k_;                                   \
		}                                                              \
	} while (0)

/* The transitions in id order: each side's state before the first row,
 * then sorted by packet for placing. The id order is kept in orphans'
 * capacity: an orphan list is at most all of them. */
static int load_transitions(struct ladder *l)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT ts_ns, pkt, side, from_state, "
				      "to_state, rule, rule_name, inferred FROM "
				      "transitions WHERE conn_id = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, l->ci.id);
	snprintf(l->info.init[0], sizeof l->info.init[0], "%s", l->ci.cstate);
	snprintf(l->info.init[1], sizeof l->info.init[1], "%s", l->ci.sstate);
	int seen[2] = { 0, 0 }, rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&l->tr, &cap, l->ntr, sizeof *l->tr) != 0) {
			sqlite3_finalize(st);
			return -2;
		}
		struct ladder_trans *x = &l->tr[l->ntr++];
		memset(x, 0, sizeof *x);
		x->ts = sqlite3_column_int64(st, 0);
		x->pkt = sqlite3_column_int64(st, 1);
		x->side = sqlite3_column_int(st, 2) ? 1 : 0;
		copy_col(x->from, sizeof x->from, st, 3);
		copy_col(x->to, sizeof x->to, st, 4);
		x->rule_id = sqlite3_column_int64(st, 5);
		copy_col(x->rule, sizeof x->rule, st, 6);
		x->inferred = sqlite3_column_int(st, 7) != 0;
		if (!seen[x->side]) {
			seen[x->side] = 1;
			snprintf(l->info.init[x->side], sizeof l->info.init[0],
				 "%s", x->from);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* By packet for joining; ord keeps the id order, which orphans
	 * are handed out in. */
	l->ord = malloc((l->ntr ? l->ntr : 1) * sizeof *l->ord);
	l->orphans = malloc((l->ntr ? l->ntr : 1) * sizeof *l->orphans);
	if (!l->ord || !l->orphans)
		return -2;
	SORT_BY_PKT(l->tr, l->ntr, struct ladder_trans, l->ord);
	return 0;
}

static int load_cc(struct ladder *l)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT pkt, dir, to_state, rule_name FROM"
				      " cc_transitions WHERE conn_id = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, l->ci.id);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(&l->cc, &cap, l->ncc, sizeof *l->cc) != 0) {
			sqlite3_finalize(st);
			return -2;
		}
		struct ladder_cc *m = &l->cc[l->ncc++];
		memset(m, 0, sizeof *m);
		m->pkt = sqlite3_column_int64(st, 0);
		m->dir = sqlite3_column_int(st, 1) ? 1 : 0;
		copy_col(m->to, sizeof m->to, st, 2);
		copy_col(m->rule, sizeof m->rule, st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	SORT_BY_PKT(l->cc, l->ncc, struct ladder_cc, (size_t *)NULL);
	return 0;
}

/* The comments a pcapng capture gave the connection's packets (the first
 * of a packet counts). */
static int load_comments(struct ladder *l)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT pkt, comment FROM packet_comments"
				      " WHERE capture_id = ? AND pkt BETWEEN"
				      " (SELECT first_pkt FROM connections WHERE"
				      " id = ?2) AND (SELECT last_pkt FROM"
				      " connections WHERE id = ?2) ORDER BY pkt",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, l->ci.capture_id);
	sqlite3_bind_int64(st, 2, l->ci.id);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *c = sqlite3_column_text(st, 1);
		int64_t pkt = sqlite3_column_int64(st, 0);
		if (!c || (l->ncm && l->cm[l->ncm - 1].pkt == pkt))
			continue;
		if (grow(&l->cm, &cap, l->ncm, sizeof *l->cm) != 0 ||
		    !(l->cm[l->ncm].text = strdup((const char *)c))) {
			sqlite3_finalize(st);
			return -2;
		}
		l->cm[l->ncm++].pkt = pkt;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int ladder_open(sqlite3 *db, int64_t id, const char *capture,
		struct ladder **out, char *err, size_t errlen)
{
	*out = NULL;
	struct ladder *l = calloc(1, sizeof *l);
	if (!l)
		return ex_fail(err, errlen, EX_FAIL, "out of memory");
	l->db = db;
	l->capture = capture;
	l->info.conn = &l->ci;
	l->info.why = l->why;
	int r = load_conn(l, id);
	if (r == 0)
		r = load_transitions(l);
	if (r == 0)
		r = load_cc(l);
	if (r == 0)
		r = load_comments(l);
	if (r == 0 &&
	    sqlite3_prepare_v2(db, "SELECT pkt, label, revised, old_label FROM "
				   "events WHERE conn_id = ? ORDER BY pkt, id",
			       -1, &l->labels, NULL) != SQLITE_OK)
		r = -1;
	if (r != 0) {
		int code = r == -2 ? ex_fail(err, errlen, EX_FAIL, "out of memory")
			   : r == -3 ? ex_fail(err, errlen, EX_NOTFOUND,
					       "no flow %lld", (long long)id)
				     : dberr(l, err, errlen);
		ladder_close(l);
		return code;
	}
	/* A label row changes only its own packet's row, so packet order
	 * (table order within a packet) gives the same labels as table
	 * order; it is the order of the index label_events_conn, which
	 * finds the connection's rows without a sort. */
	sqlite3_bind_int64(l->labels, 1, id);
	*out = l;
	return 0;
}

const struct ladder_conn *ladder_conn(const struct ladder *l)
{
	return &l->ci;
}

void ladder_close(struct ladder *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->labels);
	flowpkts_free(&l->fp);
	for (size_t i = 0; i < l->ncm; i++)
		free(l->cm[i].text);
	free(l->cm);
	free(l->cc);
	free(l->tr);
	free(l->ord);
	free(l->orphans);
	free(l);
}

int ladder_alt(const char *alt, int k, char *buf, size_t len)
{
	/* ["A B C", "D E"]: the k-th string */
	const char *p = alt;
	for (int i = 0; p && (p = strchr(p, '"')); i++) {
		p++;
		size_t n = strcspn(p, "\"");
		if (i == k) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return 0;
		}
		p += n;
		if (*p)
			p++;
	}
	return -1;
}

/* ---- Rows --------------------------------------------------------------- */

/* Appends label to the comma list, or removes it (del). */
static void label_edit(char *list, size_t len, const char *label, int del)
{
	char out[160] = "";
	const char *p = list;
	int found = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == strlen(label) && strncmp(p, label, n) == 0) {
			found = 1;
			if (del) {
				p += n + (p[n] == ',');
				continue;
			}
		}
		size_t u = strlen(out);
		snprintf(out + u, sizeof out - u, "%s%.*s", u ? "," : "", (int)n, p);
		p += n + (p[n] == ',');
	}
	if (!del && !found) {
		size_t u = strlen(out);
		snprintf(out + u, sizeof out - u, "%s%s", u ? "," : "", label);
	}
	snprintf(list, len, "%s", out);
}

/* The labels of packet pkt into r->labels, from the events cursor (rows
 * of earlier packets, which have no row, are passed over). */
static int join_labels(struct ladder *l, struct ladder_row *r)
{
	while (!l->labels_done) {
		if (!l->label_row) {
			int rc = sqlite3_step(l->labels);
			if (rc == SQLITE_DONE) {
				l->labels_done = 1;
				return 0;
			}
			if (rc != SQLITE_ROW)
				return -1;
			l->label_row = 1;
		}
		int64_t pkt = sqlite3_column_int64(l->labels, 0);
		if (pkt > r->pkt)
			return 0;
		l->label_row = 0;
		const unsigned char *label = sqlite3_column_text(l->labels, 1);
		const unsigned char *old = sqlite3_column_text(l->labels, 3);
		if (pkt < r->pkt || !label)
			continue;
		if (sqlite3_column_int(l->labels, 2) && old)
			label_edit(r->labels, sizeof r->labels,
				   (const char *)old, 1);
		label_edit(r->labels, sizeof r->labels, (const char *)label, 0);
	}
	return 0;
}

static int start(struct ladder *l)
{
	if (l->started)
		return 0;
	l->started = 1;
	return l->sink->start ? l->sink->start(l->arg, &l->info) : 0;
}

/* Hands out the orphans (transitions without a row of their packet)
 * earlier than ts, or all (all), each as a row of its own, in id order. */
static int place_orphans(struct ladder *l, int64_t ts, int all)
{
	size_t keep = 0;
	int rc = 0;
	for (size_t i = 0; i < l->norphans; i++) {
		const struct ladder_trans *x = &l->tr[l->orphans[i]];
		if (rc || (!all && x->ts >= ts)) {
			l->orphans[keep++] = l->orphans[i];
			continue;
		}
		struct ladder_row r;
		memset(&r, 0, sizeof r);
		r.ts = x->ts;
		r.pkt = x->pkt;
		r.dir = -1;
		r.tr = x;
		r.ntr = 1;
		rc = l->sink->row(l->arg, &r);
	}
	l->norphans = keep;
	return rc;
}

/* Adds the transitions of packets before pkt (they have no row) to the
 * orphans, which stay in id order (they are few: timers, and packets
 * that neither the segments nor the capture hold). */
static void orphan_before(struct ladder *l, int64_t pkt)
{
	while (l->ti < l->ntr && l->tr[l->ti].pkt < pkt) {
		size_t j = l->norphans++;
		while (j > 0 && l->ord[l->orphans[j - 1]] > l->ord[l->ti]) {
			l->orphans[j] = l->orphans[j - 1];
			j--;
		}
		l->orphans[j] = l->ti++;
	}
}

/* One row of the source, r's segment fields set: joins what belongs to
 * its packet and hands it out after the orphans earlier than it. */
static int emit(struct ladder *l, struct ladder_row *r)
{
	int rc = start(l);
	if (rc)
		return rc;
	orphan_before(l, r->pkt);
	if ((rc = place_orphans(l, r->ts, 0)) != 0)
		return rc;
	if (join_labels(l, r) != 0)
		return dberr(l, l->err, l->errlen);
	size_t t0 = l->ti;
	while (l->ti < l->ntr && l->tr[l->ti].pkt == r->pkt)
		l->ti++;
	r->tr = l->ti > t0 ? &l->tr[t0] : NULL;
	r->ntr = l->ti - t0;
	while (l->ci_ < l->ncc && l->cc[l->ci_].pkt < r->pkt)
		l->ci_++;
	size_t c0 = l->ci_;
	while (l->ci_ < l->ncc && l->cc[l->ci_].pkt == r->pkt)
		l->ci_++;
	r->cc = l->ci_ > c0 ? &l->cc[c0] : NULL;
	r->ncc = l->ci_ - c0;
	while (l->cmi < l->ncm && l->cm[l->cmi].pkt < r->pkt)
		l->cmi++;
	r->comment = l->cmi < l->ncm && l->cm[l->cmi].pkt == r->pkt
			     ? l->cm[l->cmi].text
			     : NULL;
	return l->sink->row(l->arg, r);
}

/* The first sequence number each way: a direction's first SYN's, else its
 * first segment's (ladder.h). 1 when both directions have their SYN. */
static int see_isn(struct ladder_info *in, const struct ladder_row *r)
{
	int d = r->dir;
	if (d < 0 || !r->has_seg)
		return 0;
	int syn = strchr(r->flags, 'S') != NULL;
	if ((!in->have_isn[d] || syn) && in->have_isn[d] != 2) {
		in->isn[d] = r->seq;
		in->have_isn[d] = syn ? 2 : 1;
	}
	return in->have_isn[0] == 2 && in->have_isn[1] == 2;
}

/* ---- Sources ------------------------------------------------------------ */

enum { PASS_ISN = 1, PASS_ROWS = 2 };
#define STOP_ISN 1000 /* not an EX_* code: the first pass has both SYNs */

struct pass {
	struct ladder *l;
	int what;
	uint64_t rows;
};

static int pass_row(struct pass *p, struct ladder_row *r)
{
	p->rows++;
	if (p->what == PASS_ISN)
		return see_isn(&p->l->info, r) ? STOP_ISN : 0;
	return emit(p->l, r);
}

static int chunk_row(void *arg, const struct segchunk_seg *s)
{
	struct ladder_row r;
	memset(&r, 0, sizeof r);
	r.ts = s->ts_ns;
	r.pkt = (int64_t)s->pkt;
	r.dir = s->dir ? 1 : 0;
	r.has_seg = 1;
	dec_flags_text(s->flags, r.flags);
	r.seq = s->seq;
	r.ack = s->ack;
	r.len = s->len;
	r.win = s->win;
	/* as the view segments shows them */
	if (s->options)
		snprintf(r.options, sizeof r.options, "%s", s->options);
	else if (s->has_ts)
		snprintf(r.options, sizeof r.options, "ts=%u/%u", s->tsval,
			 s->tsecr);
	return pass_row(arg, &r);
}

/* The stored segments, read from their chunks (segchunk_each()) in packet
 * order by the index on (conn_id, first_pkt): the view segments would
 * take every field apart with JSON functions, ten times slower. */
static int stored_pass(struct ladder *l, int what, uint64_t *n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT list FROM segment_chunks WHERE"
				      " conn_id = ? ORDER BY first_pkt",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(l, l->err, l->errlen);
	sqlite3_bind_int64(st, 1, l->ci.id);
	struct pass p = { l, what, 0 };
	int rc, r = 0;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *list = (const char *)sqlite3_column_text(st, 0);
		r = list ? segchunk_each(list, chunk_row, &p) : -1;
		if (r < 0)
			r = ex_fail(l->err, l->errlen, EX_DB, "a segment chunk of"
				 " flow %lld is damaged", (long long)l->ci.id);
	}
	if (!r && rc != SQLITE_DONE)
		r = dberr(l, l->err, l->errlen);
	sqlite3_finalize(st);
	*n = p.rows;
	return r == STOP_ISN ? 0 : r;
}

static int capture_row(void *arg, const struct cap_packet *pk,
		       const struct tc_segment *seg, int dir)
{
	(void)pk;
	if (!seg)
		return 0;
	struct ladder_row r;
	memset(&r, 0, sizeof r);
	r.ts = seg->ts_ns;
	r.pkt = (int64_t)seg->pkt;
	r.dir = dir;
	r.has_seg = 1;
	dec_flags_text(seg->flags, r.flags);
	r.seq = seg->seq;
	r.ack = seg->ack;
	r.len = seg->payload_len;
	r.win = seg->window;
	dec_options_text(&seg->opt, r.options, sizeof r.options);
	return pass_row(arg, &r);
}

static int capture_pass(struct ladder *l, int what, uint64_t *n, char *err,
			size_t errlen)
{
	struct pass p = { l, what, 0 };
	uint64_t got = 0;
	int rc = flowpkts_each(&l->fp, 1, capture_row, &p, &got, err, errlen);
	*n = p.rows;
	return rc == STOP_ISN ? 0 : rc;
}

/* Without segments: one row per packet that has an event or a
 * transition, with what the first event of a segment recorded of it. */
static int events_pass(struct ladder *l)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT ts_ns, pkt, dir, seq, ack, len, win FROM "
				      "events WHERE conn_id = ?1 UNION ALL SELECT ts_ns, "
				      "pkt, NULL, NULL, NULL, NULL, NULL FROM transitions "
				      "WHERE conn_id = ?1 AND pkt > 0 ORDER BY 2",
			       -1, &st, NULL) != SQLITE_OK)
		return dberr(l, l->err, l->errlen);
	sqlite3_bind_int64(st, 1, l->ci.id);
	struct ladder_row r;
	int have = 0, rc, e = 0;
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pkt = sqlite3_column_int64(st, 1);
		if (!have || r.pkt != pkt) {
			if (have && (e = emit(l, &r)) != 0)
				break;
			memset(&r, 0, sizeof r);
			r.ts = sqlite3_column_int64(st, 0);
			r.pkt = pkt;
			r.dir = -1;
			have = 1;
		}
		if (!r.has_seg && sqlite3_column_type(st, 2) != SQLITE_NULL) {
			r.dir = sqlite3_column_int(st, 2) ? 1 : 0;
			r.seq = sqlite3_column_int64(st, 3);
			r.ack = sqlite3_column_int64(st, 4);
			r.len = sqlite3_column_int64(st, 5);
			r.win = sqlite3_column_int64(st, 6);
			r.has_seg = 1;
		}
	}
	if (!e && rc != SQLITE_DONE)
		e = dberr(l, l->err, l->errlen);
	sqlite3_finalize(st);
	if (!e && have)
		e = emit(l, &r);
	return e;
}

/* ---- The run ------------------------------------------------------------ */

/* Settles the source: stored segments, else the capture when it can be
 * read and holds the flow's packets, else the events (why says why). The
 * packets are read as far as the SYNs of both directions on the way. */
static int choose_source(struct ladder *l)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM segment_chunks WHERE"
				      " conn_id = ? LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return dberr(l, l->err, l->errlen);
	sqlite3_bind_int64(st, 1, l->ci.id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(l, l->err, l->errlen);
	uint64_t n = 0;
	if (rc == SQLITE_ROW) {
		l->src = SRC_SEGMENTS;
		l->info.segments = 1;
		return stored_pass(l, PASS_ISN, &n);
	}
	/* Read the packets again from the capture. */
	char err[600] = "";
	rc = flowpkts_load(l->db, l->ci.id, l->capture, 0, &l->fp, err,
			   sizeof err);
	if (rc == 0)
		rc = flowpkts_check(&l->fp, l->capture != NULL, err, sizeof err);
	if (rc == 0)
		rc = capture_pass(l, PASS_ISN, &n, err, sizeof err);
	if (rc == EX_DB)
		return ex_fail(l->err, l->errlen, EX_DB, "%s", err);
	if (rc == EX_FAIL && !err[0])
		return ex_fail(l->err, l->errlen, EX_FAIL, "out of memory");
	if (rc == 0 && n > 0) {
		l->src = SRC_CAPTURE;
		l->info.segments = l->info.from_capture = 1;
		return 0;
	}
	/* Rebuilt from the events: sequence numbers stay absolute. */
	l->src = SRC_EVENTS;
	memset(l->info.isn, 0, sizeof l->info.isn);
	memset(l->info.have_isn, 0, sizeof l->info.have_isn);
	snprintf(l->why, sizeof l->why, "%s",
		 rc ? err : "no packet of the flow found in the capture");
	return 0;
}

int ladder_run(struct ladder *l, const struct ladder_sink *sink, void *arg,
	       char *err, size_t errlen)
{
	l->sink = sink;
	l->arg = arg;
	l->err = err;
	l->errlen = errlen;
	int rc = choose_source(l);
	uint64_t n = 0;
	if (rc == 0) {
		switch (l->src) {
		case SRC_SEGMENTS: rc = stored_pass(l, PASS_ROWS, &n); break;
		case SRC_CAPTURE:
			rc = capture_pass(l, PASS_ROWS, &n, err, errlen);
			break;
		case SRC_EVENTS: rc = events_pass(l); break;
		}
	}
	if (rc == 0)
		rc = start(l);
	/* The transitions of packets after the last row, and timers. */
	if (rc == 0) {
		orphan_before(l, INT64_MAX);
		rc = place_orphans(l, 0, 1);
	}
	return rc;
}
