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
	return ui_model_open_set(&path, 1, out, err, errlen);
}

int ui_model_open_set(const char *const *paths, int n,
		      struct ui_model **out, char *err, size_t errlen)
{
	struct ui_model *m = NULL;
	struct stat sb;
	int rc;

	*out = NULL;
	for (int i = 0; i < n; i++) {
		if (stat(paths[i], &sb) != 0) {
			seterr(err, errlen, "%s: %s", paths[i],
			       strerror(errno));
			return errno == ENOENT ? UI_ENOENT : UI_EDB;
		}
		if (!S_ISREG(sb.st_mode)) {
			seterr(err, errlen, "%s: not a regular file", paths[i]);
			return UI_EDB;
		}
	}
	/* The name shown: the first database, and how many more. */
	char name[4200];
	if (n > 1)
		snprintf(name, sizeof name, "%s (+%d more)", paths[0], n - 1);
	else
		snprintf(name, sizeof name, "%s", paths[0]);
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(name))) {
		seterr(err, errlen, "out of memory");
		rc = UI_ENOMEM;
		goto fail;
	}
	m->data_version = -1;
	/* The commands' one way in (flowsel.h): read-only, never created,
	 * a tcpscope database of this version; several (shards) merged
	 * into one in memory, which then never changes. */
	char e[512];
	if (fsel_open_dbs(paths, n, &m->st, e, sizeof e) != 0) {
		seterr(err, errlen, "%s", e);
		rc = UI_EDB;
		goto fail;
	}
	m->db = store_db(m->st);
	/* The screen stays live: a load waits at most BUSY_MS behind a
	 * writer, and a failed reload keeps the last snapshot. */
	sqlite3_busy_timeout(m->db, BUSY_MS);
	if (!(m->flows_sql = flows_query())) {
		seterr(err, errlen, "%s: out of memory", paths[0]);
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

/* The rows of the ladder (query/ladder.h, as the ladder view gets them),
 * one at a time, into a graph summary without keeping them: each
 * segment's row, with its labels, sequence numbers made relative when
 * they come from segments; the times of the state changes widen the
 * span. */
struct gfeed {
	struct ui_gsum *s;
	struct ui_relseq rs;
	int relative;
	int64_t from, to; /* the window asked for, or the connection's */
	int window;
};

static int graph_start(void *arg, const struct ladder_info *in)
{
	struct gfeed *f = arg;
	f->relative = in->segments;
	ui_gsum_start(f->s, f->from, f->to, f->window);
	return 0;
}

static int graph_row(void *arg, const struct ladder_row *src)
{
	struct gfeed *f = arg;
	for (size_t k = 0; k < src->ntr; k++)
		ui_gsum_time(f->s, src->tr[k].ts);
	if (!src->has_seg)
		return 0;
	struct ui_row r;
	memset(&r, 0, sizeof(r));
	r.kind = UI_ROW_SEGMENT;
	r.ts_ns = src->ts;
	r.pkt = src->pkt > 0 ? src->pkt : -1;
	r.dir = src->dir;
	r.has_flags = f->relative;
	snprintf(r.flags, sizeof(r.flags), "%s", src->flags);
	r.has_seq = 1;
	r.seq = (uint32_t)src->seq;
	r.ack = (uint32_t)src->ack;
	r.len = src->len;
	snprintf(r.labels, sizeof(r.labels), "%s", src->labels);
	ui_row_mark_anomaly(&r);
	if (f->relative)
		ui_relseq(&f->rs, &r);
	ui_gsum_add(f->s, &r);
	return 0;
}

int ui_model_load_graph(struct ui_model *m, int64_t id, int window,
			int64_t from, int64_t to, struct ui_gsum *out,
			char *err, size_t errlen)
{
	struct ui_gsum *s = malloc(sizeof(*s));
	int64_t v;
	if (!s) {
		seterr(err, errlen, "out of memory");
		return UI_ENOMEM;
	}
	if (begin_read(m, &v) < 0) {
		free(s);
		seterr(err, errlen, "%s: %s", m->path, sqlite3_errmsg(m->db));
		return UI_EDB;
	}
	struct gfeed f;
	memset(&f, 0, sizeof(f));
	f.s = s;
	f.window = window;
	struct ladder *lad = NULL;
	char e[600];
	int rc = 0, lr = ladder_open(m->db, id, NULL, &lad, e, sizeof e);
	if (lr == 0) {
		/* Without a window, the connection's span. */
		const struct ladder_conn *c = ladder_conn(lad);
		f.from = window ? from : c->first_ts;
		f.to = window ? to : c->last_ts;
		static const struct ladder_sink sink = { graph_start, graph_row };
		lr = ladder_run(lad, &sink, &f, e, sizeof e);
	}
	ladder_close(lad);
	if (lr == EX_NOTFOUND) {
		seterr(err, errlen, "no connection %lld", (long long)id);
		rc = UI_ENOTFOUND;
	} else if (lr == EX_FAIL) {
		seterr(err, errlen, "out of memory");
		rc = UI_ENOMEM;
	} else if (lr != 0) {
		seterr(err, errlen, "%s: %s", m->path, e);
		rc = UI_EDB;
	}
	end_read(m);
	if (rc == 0)
		memcpy(out, s, sizeof(*s));
	free(s);
	return rc;
}
