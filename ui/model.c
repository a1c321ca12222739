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
#include "../analyzer/query/flowsel.h"
#include "../analyzer/query/ladder.h"
#include "../analyzer/store/store.h"
#include "ui.h"

#define BUSY_MS 500 /* at most this long blocked behind a writer */

struct ui_model {
	struct store *st;     /* opened by flowsel.h, the commands' way */
	sqlite3 *db;          /* store_db(st) */
	char *path;
	int64_t data_version; /* at the last load; -1 none yet */
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

/* A row of fsel_summary_list() or fsel_summary_one() (flowsel.h): the
 * columns of enum fsel_sum_col. */
static void flow_from_row(struct ui_flow *f, sqlite3_stmt *st)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, FSEL_SUM_ID);
	endpoint(f->client, sizeof(f->client), st, FSEL_SUM_CLIENT_IP,
		 FSEL_SUM_CLIENT_PORT);
	endpoint(f->server, sizeof(f->server), st, FSEL_SUM_SERVER_IP,
		 FSEL_SUM_SERVER_PORT);
	copy_col(f->close, sizeof(f->close), st, FSEL_SUM_CLOSE);
	copy_col(f->conn_state, sizeof(f->conn_state), st, FSEL_SUM_CONN_STATE);
	copy_col(f->cstate, sizeof(f->cstate), st, FSEL_SUM_CLIENT_STATE);
	copy_col(f->sstate, sizeof(f->sstate), st, FSEL_SUM_SERVER_STATE);
	f->packets = int_col(st, FSEL_SUM_PACKETS, 0);
	f->bytes = int_col(st, FSEL_SUM_BYTES, 0);
	f->retrans = int_col(st, FSEL_SUM_RETX, 0);
	f->first_ts = int_col(st, FSEL_SUM_FIRST_TS, 0);
	f->last_ts = int_col(st, FSEL_SUM_LAST_TS, 0);
	copy_col(f->limited, sizeof(f->limited), st, FSEL_SUM_LIMITED);
}

/* Runs fn over every row of st (prepared by flowsel.h, whose return code
 * is prc), then finalizes it. Returns 0, UI_ENOMEM (fn returned < 0, or
 * no memory to prepare) or UI_EDB. */
static int each_row(struct ui_model *m, sqlite3_stmt *st, int prc,
		    int (*fn)(sqlite3_stmt *, void *), void *arg, char *err,
		    size_t errlen)
{
	int rc = prc;
	if (rc == SQLITE_NOMEM) {
		seterr(err, errlen, "%s: out of memory", m->path);
		return UI_ENOMEM;
	}
	if (rc != SQLITE_OK)
		goto dberr;
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
	f->v[f->n++].labels = (uint64_t)sqlite3_column_int64(st, FSEL_SUM_LABELS);
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
	sqlite3_stmt *st = NULL;
	int prc = fsel_summary_list(m->db, &st);
	int rc = each_row(m, st, prc, add_flow, &f, err, errlen);
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
	copy_col(l->handshake, sizeof(l->handshake), st, FSEL_ONE_HANDSHAKE);
	copy_col(l->history, sizeof(l->history), st, FSEL_ONE_HISTORY);
	copy_col(l->vlan, sizeof(l->vlan), st, FSEL_ONE_VLAN);
	copy_col(l->cpath, sizeof(l->cpath), st, FSEL_ONE_CLIENT_STATES);
	copy_col(l->spath, sizeof(l->spath), st, FSEL_ONE_SERVER_STATES);
	l->rtt_handshake = int_col(st, FSEL_ONE_RTT_HANDSHAKE, -1);
	l->rtt_min = int_col(st, FSEL_ONE_RTT_MIN, -1);
	l->rtt_avg = int_col(st, FSEL_ONE_RTT_AVG, -1);
	l->rtt_max = int_col(st, FSEL_ONE_RTT_MAX, -1);
	l->midstream = (int)int_col(st, FSEL_ONE_MIDSTREAM, 0);
	l->ws[0] = (int)int_col(st, FSEL_ONE_C2S_WSCALE, -1);
	l->ws[1] = (int)int_col(st, FSEL_ONE_S2C_WSCALE, -1);
	copy_col(l->vantage, sizeof(l->vantage), st, FSEL_ONE_VANTAGE);
	/* A side whose path the capture does not decide: its first other
	 * path (ladder.h), shown with a mark. */
	for (int side = 0; side < 2; side++) {
		const unsigned char *alt = sqlite3_column_text(
		    st, side ? FSEL_ONE_SERVER_STATES_ALT
			     : FSEL_ONE_CLIENT_STATES_ALT);
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
	sqlite3_stmt *hq = NULL;
	int prc = fsel_summary_one(m->db, id, &hq);
	rc = each_row(m, hq, prc, add_header, &a, err, errlen);
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
