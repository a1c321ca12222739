/*
 * model.c - the TUI's read-only view of a tcpscope database.
 *
 * The database is opened as every command opens one (fsel_open_db():
 * read-only, never created, a tcpscope database of this version), with a
 * shorter busy timeout; it is in WAL mode, so reading while `tcpscope live` or
 * `read` writes works, and each load sees the last commit. A load reads
 * everything it needs into plain structs (a snapshot) and returns; no
 * statement or transaction stays open between loads, and the draw code
 * never sees SQLite.
 *
 * PRAGMA data_version tells whether another connection committed since the
 * last load, so the timer in loop.c reloads only when something changed.
 *
 * Loads replace their output only on success: a failed reload (the writer
 * held a lock too long, say) leaves the previous snapshot on screen.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "../analyzer/status.h"
#include "../analyzer/capture/decode.h"
#include "../analyzer/query/flowpkts.h"
#include "../analyzer/query/flowsel.h"
#include "../analyzer/query/ladder.h"
#include "../analyzer/store/segchunk.h"
#include "../analyzer/store/store.h"
#include "../tcpcore/tcpcore.h"
#include "ui.h"

#define BUSY_MS 500 /* at most this long blocked behind a writer */

static char *flows_query(void);

struct ui_model {
	struct store *st;     /* opened by flowsel.h, the commands' way */
	sqlite3 *db;          /* store_db(st) */
	char *path;
	int64_t data_version; /* at the last load; -1 none yet */
	char *flows_sql;      /* the flow list's query (flows_query()) */
};

static void seterr(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	if (!err || !len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static int64_t int_col(sqlite3_stmt *st, int col, int64_t dflt)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return dflt;
	return sqlite3_column_int64(st, col);
}

/* "ip:port", with IPv6 addresses in brackets. */
static void endpoint(char *dst, size_t len, sqlite3_stmt *st, int ipcol,
		     int portcol)
{
	const unsigned char *ip = sqlite3_column_text(st, ipcol);
	const char *s = ip ? (const char *)ip : "?";
	if (sqlite3_column_type(st, portcol) == SQLITE_NULL)
		snprintf(dst, len, "%s", s);
	else if (strchr(s, ':'))
		snprintf(dst, len, "[%s]:%lld", s,
			 (long long)sqlite3_column_int64(st, portcol));
	else
		snprintf(dst, len, "%s:%lld", s,
			 (long long)sqlite3_column_int64(st, portcol));
}

static int version_of(sqlite3 *db, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

int ui_model_open(const char *path, struct ui_model **out, char *err,
		  size_t errlen)
{
	struct ui_model *m = NULL;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? UI_ENOENT : UI_EDB;
	}
	if (!S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		return UI_EDB;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		seterr(err, errlen, "out of memory");
		rc = UI_ENOMEM;
		goto fail;
	}
	m->data_version = -1;
	/* The commands' one way in (flowsel.h): read-only, never created,
	 * a tcpscope database of this version. */
	char e[512];
	if (fsel_open_db(path, &m->st, e, sizeof e) != 0) {
		seterr(err, errlen, "%s", e);
		rc = UI_EDB;
		goto fail;
	}
	m->db = store_db(m->st);
	/* The screen stays live: a load waits at most BUSY_MS behind a
	 * writer, and a failed reload keeps the last snapshot. */
	sqlite3_busy_timeout(m->db, BUSY_MS);
	if (!(m->flows_sql = flows_query())) {
		seterr(err, errlen, "%s: out of memory", path);
		rc = UI_ENOMEM;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	ui_model_close(m);
	return rc;
}

void ui_model_close(struct ui_model *m)
{
	if (!m)
		return;
	store_close(m->st);
	free(m->path);
	free(m->flows_sql);
	free(m);
}

const char *ui_model_path(const struct ui_model *m) { return m->path; }

int ui_model_changed(struct ui_model *m)
{
	int64_t v;
	if (m->data_version < 0 || version_of(m->db, &v) < 0)
		return 1;
	return v != m->data_version;
}

void ui_flows_free(struct ui_flows *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 32;
	while (n < need)
		n *= 2;
	void *p = realloc(*v, n * size);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

/* Columns 0..13 of the flow-row select, shared by both loads. */
#define FLOW_COLS                                                              \
	"id, client_ip, client_port, server_ip, server_port, close, "          \
	"conn_state, client_state, server_state, "                             \
	"coalesce(c2s_packets,0) + coalesce(s2c_packets,0), "                  \
	"coalesce(c2s_payload_bytes,0) + coalesce(s2c_payload_bytes,0), "      \
	STORE_RETX_SQL("") ", "                                                \
	"first_ts, last_ts"

/* The verdict of the direction that carried more payload. */
#define LIMITED_COL                                                            \
	"CASE WHEN coalesce(s2c_payload_bytes, 0) >"                           \
	" coalesce(c2s_payload_bytes, 0) THEN s2c_limited_by"                  \
	" ELSE c2s_limited_by END"

static void flow_from_row(struct ui_flow *f, sqlite3_stmt *st)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	endpoint(f->client, sizeof(f->client), st, 1, 2);
	endpoint(f->server, sizeof(f->server), st, 3, 4);
	copy_col(f->close, sizeof(f->close), st, 5);
	copy_col(f->conn_state, sizeof(f->conn_state), st, 6);
	copy_col(f->cstate, sizeof(f->cstate), st, 7);
	copy_col(f->sstate, sizeof(f->sstate), st, 8);
	f->packets = int_col(st, 9, 0);
	f->bytes = int_col(st, 10, 0);
	f->retrans = int_col(st, 11, 0);
	f->first_ts = int_col(st, 12, 0);
	f->last_ts = int_col(st, 13, 0);
}

/* The flow list's query: FLOW_COLS, then a mask of the labels each flow
 * counts (from its count columns). NULL out
 * of memory; the caller frees it. */
static char *flows_query(void)
{
	static const struct {
		const char *col;
		int label;
	} cols[] = {
#define X(c, l) { c, l },
	    STORE_LABEL_COLS_V1(X) STORE_LABEL_COLS_V2(X)
#undef X
	};
	size_t len = 4096 + sizeof(cols) / sizeof(cols[0]) * 160, n;
	char *q = malloc(len);
	if (!q)
		return NULL;
	n = (size_t)snprintf(q, len, "SELECT %s, (0", FLOW_COLS);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (cols[i].label < 63)
			n += (size_t)snprintf(
			    q + n, len - n,
			    " + (CASE WHEN coalesce(c2s_%s, 0) + coalesce(s2c_%s,"
			    " 0) > 0 THEN %lld ELSE 0 END)",
			    cols[i].col, cols[i].col, 1LL << cols[i].label);
	snprintf(q + n, len - n,
		 "), %s FROM connections WHERE capture_id IN (SELECT id FROM"
		 " captures WHERE " STORE_CAPTURE_SHOWN("") ") ORDER BY id",
		 LIMITED_COL);
	return q;
}

/* Runs fn over every row of sql (with id bound to ?1 when id >= 0).
 * Returns 0, UI_ENOMEM (fn returned < 0) or UI_EDB. */
static int each_row(struct ui_model *m, const char *sql, int64_t id,
		    int (*fn)(sqlite3_stmt *, void *), void *arg, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(m->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto dberr;
	if (id >= 0)
		sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(st, arg) < 0) {
			sqlite3_finalize(st);
			seterr(err, errlen, "out of memory");
			return UI_ENOMEM;
		}
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return 0;
dberr:
	seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
	sqlite3_finalize(st);
	return UI_EDB;
}

static int add_flow(sqlite3_stmt *st, void *arg)
{
	struct ui_flows *f = arg;
	if (grow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v)) < 0)
		return -1;
	flow_from_row(&f->v[f->n], st);
	copy_col(f->v[f->n].limited, sizeof f->v[f->n].limited, st, 15);
	f->v[f->n++].labels = (uint64_t)sqlite3_column_int64(st, 14);
	return 0;
}

/* Reads (and remembers) data_version, then runs the loads inside one read
 * transaction so they see one commit. */
static int begin_read(struct ui_model *m, int64_t *v)
{
	if (sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (version_of(m->db, v) < 0) {
		sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void end_read(struct ui_model *m)
{
	sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL);
}

int ui_model_load_flows(struct ui_model *m, struct ui_flows *out, char *err,
			size_t errlen)
{
	struct ui_flows f = {0};
	int64_t v = -1;
	if (begin_read(m, &v) < 0) {
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		return UI_EDB;
	}
	int rc = each_row(m, m->flows_sql, -1, add_flow, &f, err, errlen);
	end_read(m);
	if (rc < 0) {
		ui_flows_free(&f);
		return rc;
	}
	m->data_version = v;
	ui_flows_free(out);
	*out = f;
	return 0;
}

/* ---- One connection's ladder -------------------------------------------- */

struct arrays {
	struct ui_ladder *lad;
	int found;
};

/* ladder_run()'s callbacks (analyzer/query/ladder.h): the rows of the
 * ladder timeline prints. */
static int sink_start(void *arg, const struct ladder_info *in)
{
	return ui_ladder_begin(arg, in) < 0 ? EX_FAIL : 0;
}

static int sink_row(void *arg, const struct ladder_row *r)
{
	return ui_ladder_add(arg, r) < 0 ? EX_FAIL : 0;
}

static void event_from_row(struct ui_event *e, sqlite3_stmt *st)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = int_col(st, 0, 0);
	e->pkt = int_col(st, 1, -1);
	e->dir = (int)int_col(st, 2, 0);
	copy_col(e->label, sizeof(e->label), st, 3);
	e->seq = int_col(st, 4, 0);
	e->ack = int_col(st, 5, 0);
	e->len = int_col(st, 6, 0);
	e->win = int_col(st, 7, 0);
	e->revised = (int)int_col(st, 8, 0);
	copy_col(e->old_label, sizeof(e->old_label), st, 9);
}

static int add_header(sqlite3_stmt *st, void *arg)
{
	struct arrays *a = arg;
	struct ui_ladder *l = a->lad;
	flow_from_row(&l->flow, st);
	copy_col(l->handshake, sizeof(l->handshake), st, 14);
	copy_col(l->history, sizeof(l->history), st, 15);
	copy_col(l->vlan, sizeof(l->vlan), st, 16);
	copy_col(l->cpath, sizeof(l->cpath), st, 17);
	copy_col(l->spath, sizeof(l->spath), st, 18);
	l->rtt_handshake = int_col(st, 19, -1);
	l->rtt_min = int_col(st, 20, -1);
	l->rtt_avg = int_col(st, 21, -1);
	l->rtt_max = int_col(st, 22, -1);
	l->midstream = (int)int_col(st, 23, 0);
	l->ws[0] = (int)int_col(st, 24, -1);
	l->ws[1] = (int)int_col(st, 25, -1);
	copy_col(l->flow.limited, sizeof(l->flow.limited), st, 26);
	copy_col(l->vantage, sizeof(l->vantage), st, 27);
	/* A side whose path the capture does not decide: its first other
	 * path (ladder.h), shown with a mark. */
	for (int side = 0; side < 2; side++) {
		const unsigned char *alt = sqlite3_column_text(st, 28 + side);
		l->alt[side][0] = '\0';
		if (alt)
			(void)ladder_alt((const char *)alt, 0, l->alt[side],
					 sizeof(l->alt[side]));
	}
	l->t0 = l->flow.first_ts;
	a->found = 1;
	return 0;
}

/* The ladder of id, or (rows 0) only its header. */
static int load_ladder(struct ui_model *m, int64_t id, int rows,
		       struct ui_ladder *out, char *err, size_t errlen)
{
	struct ui_ladder l;
	struct arrays a;
	int64_t v = -1;
	int rc;

	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	a.lad = &l;
	if (begin_read(m, &v) < 0) {
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		return UI_EDB;
	}
	char hq[1024];
	snprintf(hq, sizeof(hq),
		 "SELECT " FLOW_COLS ", handshake, history, vlan, "
		 "client_states, server_states, rtt_handshake_ns, "
		 "rtt_min_ns, rtt_avg_ns, rtt_max_ns, midstream, "
		 "c2s_wscale, s2c_wscale, %s, vantage, client_states_alt, "
		 "server_states_alt FROM connections WHERE id = ?1",
		 LIMITED_COL);
	rc = each_row(m, hq, id, add_header, &a, err, errlen);
	if (rc == 0 && !a.found) {
		seterr(err, errlen, "no connection %lld", (long long)id);
		rc = UI_ENOTFOUND;
	}
	if (rc == 0 && !rows) {
		end_read(m);
		m->data_version = v;
		ui_ladder_free(out);
		*out = l;
		return 0;
	}
	if (rc == 0) {
		/* The streamed ladder: stored segments, else the capture
		 * read again, else the events; timeline's rows. */
		static const struct ladder_sink sink = { sink_start, sink_row };
		struct ladder *lad = NULL;
		char e[600];
		int lr = ladder_open(m->db, id, NULL, &lad, e, sizeof e);
		if (lr == 0)
			lr = ladder_run(lad, &sink, &l, e, sizeof e);
		ladder_close(lad);
		if (lr == EX_FAIL && l.n == 0) {
			seterr(err, errlen, "out of memory");
			rc = UI_ENOMEM;
		} else if (lr != 0) {
			seterr(err, errlen, "%s: %s", m->path, e);
			rc = UI_EDB;
		}
	}
	end_read(m);
	if (rc < 0) {
		ui_ladder_free(&l);
		return rc;
	}
	m->data_version = v;
	ui_ladder_free(out);
	*out = l;
	return 0;
}

int ui_model_load_ladder(struct ui_model *m, int64_t id, struct ui_ladder *out,
			 char *err, size_t errlen)
{
	return load_ladder(m, id, 1, out, err, errlen);
}

int ui_model_load_header(struct ui_model *m, int64_t id, struct ui_ladder *out,
			 char *err, size_t errlen)
{
	return load_ladder(m, id, 0, out, err, errlen);
}

/* ---- One connection's graph, streamed ------------------------------------ */

/* The rows of the ladder, one at a time, into a graph summary: segments
 * (stored, else read again from the capture) with the labels of their
 * packet's events applied, or, without segments, one row per packet of
 * the events; as ui_ladder_build() makes them, without keeping them. */
struct gfeed {
	struct ui_gsum *s;
	struct ui_relseq rs;
	int relative;
	sqlite3_stmt *ev; /* the events, in packet order */
	int ev_have, ev_rc;
	struct ui_event e;
	int64_t last_pkt;
	uint64_t n;
};

static void gf_next_event(struct gfeed *f)
{
	f->ev_have = 0;
	int rc = sqlite3_step(f->ev);
	if (rc == SQLITE_ROW) {
		event_from_row(&f->e, f->ev);
		f->ev_have = 1;
	} else {
		f->ev_rc = rc;
	}
}

static void gf_rewind(struct gfeed *f)
{
	sqlite3_reset(f->ev);
	f->ev_rc = SQLITE_DONE;
	f->last_pkt = -1;
	f->n = 0;
	memset(&f->rs, 0, sizeof(f->rs));
	gf_next_event(f);
}

/* A segment's row: its packet's events go on the first row of it. */
static void gf_segment(struct gfeed *f, struct ui_row *r)
{
	while (f->ev_have && f->e.pkt < r->pkt)
		gf_next_event(f);
	if (r->pkt >= 0 && r->pkt != f->last_pkt)
		while (f->ev_have && f->e.pkt == r->pkt) {
			ui_row_apply_event(r, &f->e);
			gf_next_event(f);
		}
	f->last_pkt = r->pkt;
	ui_row_mark_anomaly(r);
	ui_relseq(&f->rs, r);
	ui_gsum_add(f->s, r);
	f->n++;
}

static void row_init(struct ui_row *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = UI_ROW_SEGMENT;
	r->has_flags = r->has_seq = 1;
}

/* A stored segment from its chunk (segchunk_each()): the row the
 * segments view would give, labels named in id order. */
static int graph_chunk_seg(void *arg, const struct segchunk_seg *s)
{
	struct ui_row r;
	char names[1024];
	size_t n = 0;
	row_init(&r);
	r.ts_ns = s->ts_ns;
	r.pkt = (int64_t)s->pkt;
	r.dir = s->dir;
	dec_flags_text(s->flags, r.flags);
	r.seq = s->seq;
	r.ack = s->ack;
	r.len = s->len;
	names[0] = '\0';
	for (unsigned l = 0; l < 64 && l < TC_LB__COUNT; l++) {
		if (!(s->labels >> l & 1))
			continue;
		const char *name = tc_label_name(l);
		size_t k = strlen(name);
		if (n + k + 2 > sizeof(names))
			break;
		if (n)
			names[n++] = ',';
		memcpy(names + n, name, k + 1);
		n += k;
	}
	/* Cut as copy_col() cuts the view's text. */
	if (n >= sizeof(r.labels))
		n = sizeof(r.labels) - 1;
	memcpy(r.labels, names, n);
	r.labels[n] = '\0';
	gf_segment(arg, &r);
	return 0;
}

/* The stored segments by their chunks: 0 or UI_EDB. */
static int graph_chunks(struct ui_model *m, int64_t id, struct gfeed *f,
			char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(m->db,
			       "SELECT list FROM segment_chunks WHERE "
			       "conn_id = ?1 ORDER BY first_pkt",
			       -1, &st, NULL) != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		return UI_EDB;
	}
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *list = (const char *)sqlite3_column_text(st, 0);
		if (segchunk_each(list, graph_chunk_seg, f) != 0) {
			seterr(err, errlen, "%s: a segment chunk of flow %lld is"
			       " damaged", m->path, (long long)id);
			sqlite3_finalize(st);
			return UI_EDB;
		}
	}
	if (rc != SQLITE_DONE)
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : UI_EDB;
}

static int graph_capture_seg(void *arg, const struct cap_packet *p,
			     const struct tc_segment *seg, int dir)
{
	(void)p;
	if (!seg)
		return 0;
	struct ui_row r;
	row_init(&r);
	r.ts_ns = seg->ts_ns;
	r.pkt = (int64_t)seg->pkt;
	r.dir = dir;
	dec_flags_text(seg->flags, r.flags);
	r.seq = seg->seq;
	r.ack = seg->ack;
	r.len = seg->payload_len;
	gf_segment(arg, &r);
	return 0;
}

/* Without segments: a row per packet of the events (raw numbers). */
static void graph_events(struct gfeed *f)
{
	while (f->ev_have) {
		struct ui_row r;
		memset(&r, 0, sizeof(r));
		r.kind = UI_ROW_SEGMENT;
		r.ts_ns = f->e.ts_ns;
		r.pkt = f->e.pkt;
		r.dir = f->e.dir;
		r.has_seq = 1;
		r.seq = (uint32_t)f->e.seq;
		r.ack = (uint32_t)f->e.ack;
		r.len = f->e.len;
		do {
			ui_row_apply_event(&r, &f->e);
			gf_next_event(f);
		} while (r.pkt >= 0 && f->ev_have && f->e.pkt == r.pkt);
		ui_row_mark_anomaly(&r);
		ui_gsum_add(f->s, &r);
	}
}

static int graph_span(sqlite3_stmt *st, void *arg)
{
	struct gfeed *f = arg;
	for (int i = 0; i < 2; i++)
		if (sqlite3_column_type(st, i) != SQLITE_NULL)
			ui_gsum_time(f->s, sqlite3_column_int64(st, i));
	return 0;
}

static int graph_hint(sqlite3_stmt *st, void *arg)
{
	int64_t *h = arg;
	h[0] = int_col(st, 0, 0);
	h[1] = int_col(st, 1, 0);
	h[2] = 1;
	return 0;
}

int ui_model_load_graph(struct ui_model *m, int64_t id, int window,
			int64_t from, int64_t to, struct ui_gsum *out,
			char *err, size_t errlen)
{
	struct ui_gsum *s = malloc(sizeof(*s));
	struct gfeed f;
	int64_t v, hint[3] = {0, 0, 0};
	int rc;
	if (!s) {
		seterr(err, errlen, "out of memory");
		return UI_ENOMEM;
	}
	memset(&f, 0, sizeof(f));
	f.s = s;
	if (begin_read(m, &v) < 0) {
		free(s);
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		return UI_EDB;
	}
	rc = each_row(m, "SELECT first_ts, last_ts FROM connections WHERE id = ?1",
		      id, graph_hint, hint, err, errlen);
	if (rc == 0 && !hint[2]) {
		seterr(err, errlen, "no connection %lld", (long long)id);
		rc = UI_ENOTFOUND;
	}
	if (rc == 0 &&
	    sqlite3_prepare_v2(m->db,
			       "SELECT ts_ns, pkt, dir, label, seq, ack, len, "
			       "win, revised, old_label FROM events "
			       "WHERE conn_id = ?1 ORDER BY pkt, id",
			       -1, &f.ev, NULL) != SQLITE_OK) {
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		rc = UI_EDB;
	}
	if (rc == 0) {
		sqlite3_bind_int64(f.ev, 1, id);
		ui_gsum_start(s, window ? from : hint[0], window ? to : hint[1],
			      window);
		gf_rewind(&f);
		rc = graph_chunks(m, id, &f, err, errlen);
	}
	if (rc == 0 && f.n == 0) {
		struct flowpkts fp;
		char why[400] = "";
		uint64_t n = 0;
		int r2 = flowpkts_load(m->db, id, NULL, 0, &fp, why, sizeof why);
		if (r2 == 0)
			r2 = flowpkts_check(&fp, 0, why, sizeof why);
		if (r2 == 0)
			r2 = flowpkts_each(&fp, 1, graph_capture_seg, &f, &n, why,
					   sizeof why);
		flowpkts_free(&fp);
		if (r2 != 0 || n == 0) {
			/* Not the capture: the events are the rows. */
			ui_gsum_start(s, window ? from : hint[0],
				      window ? to : hint[1], window);
			gf_rewind(&f);
			graph_events(&f);
		}
	}
	if (rc == 0 && f.ev_rc != SQLITE_DONE) {
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		rc = UI_EDB;
	}
	if (rc == 0)
		rc = each_row(m,
			      "SELECT min(ts_ns), max(ts_ns) FROM transitions "
			      "WHERE conn_id = ?1",
			      id, graph_span, &f, err, errlen);
	sqlite3_finalize(f.ev);
	end_read(m);
	if (rc == 0)
		memcpy(out, s, sizeof(*s));
	free(s);
	return rc;
}
