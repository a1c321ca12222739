/*
 * cmd_timeline.c - `tcpscope timeline`: one connection as a ladder diagram,
 * the way a textbook draws the TCP state machine at work:
 *
 *   TIME       PKT  CLIENT        SEGMENT                               SERVER
 *                   CLOSED                                              LISTEN
 *   0.000000     1  SYN-SENT      S seq=0 win=64240 ---------------->   SYN-RECEIVED
 *   0.000105     2  |             <-------- SA seq=0 ack=1 win=65160    |
 *   0.000121     3  ESTABLISHED   A seq=1 ack=1 win=502 ------------>   ESTABLISHED
 *
 * A row is one segment. The state columns show a side's new state on the
 * row whose packet made it change, and '|' (its lifeline) elsewhere; the
 * labels the tracker gave the segment follow in brackets.
 *
 * Rows come from the segments table when the capture was imported with
 * --segments. Otherwise the connection's packets are read again from the
 * capture file (flowpkts.c: the file imported, checked by size and
 * SHA-256, or the one --capture names), so the ladder is whole by default.
 * Only when that file cannot be read is the timeline rebuilt from what is
 * always stored: the events (which carry seq/ack/len/win of labelled
 * segments) and the transitions; packets known only by a transition show
 * no arrow, and a header line says why the view is partial.
 *
 * Build order: load_conn() (the header), load_rows(), attach_labels(),
 * attach_transitions(), attach_cc() (the senders' congestion-state
 * changes: the data-transfer phases), attach_comments() (pcapng packet
 * comments), then print_text() or print_json().
 */
#include <getopt.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../capture/decode.h"
#include "../query/flowpkts.h"
#include "../query/flowsel.h"
#include "../output/out.h"
#include "../store/store.h"

static const char timeline_usage[] =
	"usage: tcpscope timeline [-n] [-d DB | -r FILE [-c COUNT]] [--format text|json]\n"
	"                         [--absolute] [--from T] [--to T] [--anomalies]\n"
	"                         [--raw-windows] [--capture PCAP]\n"
	"                         FLOW [EXPR]\n"
	"\n"
	"Draw one connection as a ladder diagram: time, the client's state, the\n"
	"segment with an arrow, the server's state, and every transition and\n"
	"anomaly where it happens. FLOW is a connection id or uid (see 'tcpscope flows')\n"
	"or a pair 'CLIENT-IP:PORT SERVER-IP:PORT' (IPv6 as [addr]:port).\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db)\n"
	"  -r, --read FILE      analyze FILE in memory, with every segment; EXPR\n"
	"                       after FLOW, a BPF filter, picks its packets\n"
	"  -c COUNT             with -r: read only the first COUNT packets\n"
	"      --capture PCAP   read the packets from PCAP, the capture the flow\n"
	"                       was imported from (moved, or its path relative to\n"
	"                       another directory); checked by size and SHA-256\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -f, --format FMT     text (default) or json\n"
	"  -a, --absolute       absolute times and sequence numbers\n"
	"      --from T         only rows at or after T: seconds after the first\n"
	"                       packet, as the TIME column; with --absolute a time\n"
	"                       (epoch seconds or ISO 8601, UTC)\n"
	"      --to T           only rows at or before T (as --from)\n"
	"  -A, --anomalies      only rows with a state change or an anomaly label,\n"
	"                       and the row before and after each\n"
	"      --raw-windows    windows as sent, not scaled to bytes\n"
	"  -h, --help           show this help\n";

struct trans {
	int side;
	char from[16], to[16], rule[40];
	int64_t rule_id;
	int inferred; /* the rule infers a segment the capture missed */
};

struct row {
	int64_t ts, pkt;
	double key;            /* sort key */
	int dir;               /* 0 c2s, 1 s2c, -1 unknown */
	int has_seg;           /* seq/ack/len/win are known */
	char flags[12];
	int64_t seq, ack, len, win;
	char *options;         /* malloc'd or NULL */
	char labels[160];      /* "retransmission,dup-ack" */
	struct trans *tr;      /* transitions at this row */
	size_t ntr;
	struct ccmove *cc;     /* congestion-state changes at this row */
	size_t ncc;
	char *comment;         /* the packet's pcapng comment (raw), or NULL */
};

/* A sender's congestion-state change (cc_transitions). */
struct ccmove {
	int dir;               /* the direction whose sender moved */
	char to[12], rule[32];
};

struct conninfo {
	int64_t id, capture_id, first_ts, last_ts;
	char client[80], server[80], capture[512];
	char close[24], handshake[24], conn_state[12], history[64];
	char cstate[16], sstate[16];
	int ws[2];             /* each side's window scale shift, -1 none */
};

struct timeline {
	struct conninfo ci;
	int segments;          /* every row is a segment (stored or read) */
	int from_capture;      /* ... read again from the capture file */
	const char *capture;   /* --capture, or NULL */
	char why[600];         /* why the capture was not read, or "" */
	struct row *rows;
	size_t nrows, cap;
	int64_t isn[2];        /* first seq per direction, for relative seq */
	int have_isn[2];
	char init[2][16];      /* each side's state before the first row */
	unsigned char *keep;   /* rows shown (--from, --to, --anomalies) */
	size_t nkept;
};

/* What rows to show. */
struct pick {
	int64_t from, to;      /* ns since the epoch, inclusive */
	int anomalies;
};

/* 1 when row r has a state change or a label that reports trouble. */
static int row_notable(const struct row *r)
{
	if (r->ntr)
		return 1;
	for (size_t k = 0; k < r->ncc; k++)
		if (strcmp(r->cc[k].to, "Recovery") == 0 ||
		    strcmp(r->cc[k].to, "Loss") == 0)
			return 1;
	const char *p = r->labels;
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[64];
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		int l = tc_label_id(one);
		if (l < 0 || tc_label_is_anomaly((unsigned)l))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* Marks the rows to show in t->keep: in [from, to], and with
 * --anomalies the notable ones and their neighbours. -2 out of memory. */
static int pick_rows(struct timeline *t, const struct pick *pk)
{
	t->keep = calloc(t->nrows ? t->nrows : 1, 1);
	if (!t->keep)
		return -2;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		if (r->ts < pk->from || r->ts > pk->to)
			continue;
		if (!pk->anomalies) {
			t->keep[i] = 1;
			continue;
		}
		if (!row_notable(r))
			continue;
		for (size_t k = i ? i - 1 : i; k <= i + 1 && k < t->nrows; k++)
			if (t->rows[k].ts >= pk->from && t->rows[k].ts <= pk->to)
				t->keep[k] = 1;
	}
	for (size_t i = 0; i < t->nrows; i++)
		t->nkept += t->keep[i];
	return 0;
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *s = col >= 0 ? sqlite3_column_text(st, col) : NULL;
	snprintf(dst, len, "%s", s ? (const char *)s : "");
}

static int load_conn(sqlite3 *db, int64_t id, struct conninfo *ci)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT c.*, k.path AS capture_path FROM "
				   "connections c LEFT JOIN captures k ON "
				   "k.id = c.capture_id WHERE c.id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	memset(ci, 0, sizeof *ci);
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

/* 1 when windows are shown in bytes: both SYNs were seen (the tracker's
 * c2s_wscale and s2c_wscale, the shifts in effect, are known), the
 * segments are stored (rows rebuilt from labels do not say which packets
 * were SYNs), and the user did not ask for raw windows. */
static int windows_scaled(const struct timeline *t, int raw)
{
	return !raw && t->segments && t->ci.ws[0] >= 0 && t->ci.ws[1] >= 0;
}

/* The window row r advertised, in bytes when scaled, as the tracker
 * counts it (tc_window_bytes()). */
static int64_t row_win(const struct timeline *t, const struct row *r,
		       int scaled)
{
	if (!scaled || r->dir < 0)
		return r->win;
	return (int64_t)tc_window_bytes((uint16_t)r->win, t->ci.ws[r->dir],
					strchr(r->flags, 'S') != NULL);
}

static struct row *new_row(struct timeline *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct row *r = realloc(t->rows, cap * sizeof *r);
		if (!r)
			return NULL;
		t->rows = r;
		t->cap = cap;
	}
	struct row *r = &t->rows[t->nrows++];
	memset(r, 0, sizeof *r);
	r->dir = -1;
	return r;
}

/* The row of packet pkt, or NULL (rows are sorted by pkt when searched). */
static struct row *find_row(struct timeline *t, int64_t pkt)
{
	size_t lo = 0, hi = t->nrows;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->rows[mid].pkt < pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nrows && t->rows[lo].pkt == pkt ? &t->rows[lo] : NULL;
}

static int cmp_pkt(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return (x->pkt > y->pkt) - (x->pkt < y->pkt);
}

static int cmp_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

/* One row per packet of the connection read from the capture. */
static int capture_row(void *arg, const struct cap_packet *p,
		       const struct tc_segment *seg, int dir)
{
	struct timeline *t = arg;
	(void)p;
	if (!seg)
		return 0;
	struct row *r = new_row(t);
	if (!r)
		return EX_FAIL;
	char opts[512];
	r->ts = seg->ts_ns;
	r->pkt = (int64_t)seg->pkt;
	r->dir = dir;
	dec_flags_text(seg->flags, r->flags);
	r->seq = seg->seq;
	r->ack = seg->ack;
	r->len = seg->payload_len;
	r->win = seg->window;
	dec_options_text(&seg->opt, opts, sizeof opts);
	if (opts[0] && !(r->options = strdup(opts)))
		return EX_FAIL;
	r->has_seg = 1;
	return 0;
}

/* Without stored segments: the rows from the capture file, when it can
 * be read and is the one imported; else t->why says why not. Returns 0,
 * -1 on a database error, -2 when out of memory. */
static int rows_from_capture(sqlite3 *db, struct timeline *t)
{
	struct flowpkts f;
	char err[600] = "";
	int rc = flowpkts_load(db, t->ci.id, t->capture, 0, &f, err,
			       sizeof err);
	if (rc == 0)
		rc = flowpkts_check(&f, t->capture != NULL, err, sizeof err);
	uint64_t n = 0;
	if (rc == 0)
		rc = flowpkts_each(&f, 1, capture_row, t, &n, err, sizeof err);
	flowpkts_free(&f);
	if (rc == EX_DB)
		return -1;
	if (rc == EX_FAIL && !err[0])
		return -2;
	if (rc == 0 && n > 0) {
		t->segments = t->from_capture = 1;
		return 0;
	}
	/* Whatever was read is dropped: the rows come from the events. */
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].options);
	t->nrows = 0;
	snprintf(t->why, sizeof t->why, "%s",
		 rc ? err : "no packet of the flow found in the capture");
	return 0;
}

/* Rows from the segments table, or (without it) one per packet that has
 * an event or a transition. Returns 0, -1 on a database error, -2 when
 * out of memory. */
static int load_rows(sqlite3 *db, struct timeline *t)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(db, "SELECT ts_ns, pkt, dir, flags, seq, ack, len, "
				   "win, options FROM segments WHERE conn_id = ? "
				   "ORDER BY pkt, id", -1, &st, NULL) != SQLITE_OK) {
		/* A database without the segments table: events only. */
		st = NULL;
	}
	if (st) {
		sqlite3_bind_int64(st, 1, t->ci.id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct row *r = new_row(t);
			if (!r) {
				sqlite3_finalize(st);
				return -2;
			}
			r->ts = sqlite3_column_int64(st, 0);
			r->pkt = sqlite3_column_int64(st, 1);
			r->dir = sqlite3_column_int(st, 2) ? 1 : 0;
			copy_col(r->flags, sizeof r->flags, st, 3);
			r->seq = sqlite3_column_int64(st, 4);
			r->ack = sqlite3_column_int64(st, 5);
			r->len = sqlite3_column_int64(st, 6);
			r->win = sqlite3_column_int64(st, 7);
			const unsigned char *o = sqlite3_column_text(st, 8);
			if (o && *o && !(r->options = strdup((const char *)o))) {
				sqlite3_finalize(st);
				return -2;
			}
			r->has_seg = 1;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
		if (t->nrows > 0) {
			t->segments = 1;
			return 0;
		}
	}
	/* Read the packets again from the capture. */
	rc = rows_from_capture(db, t);
	if (rc != 0 || t->segments)
		return rc;
	/* Rebuild from events and transitions. */
	if (sqlite3_prepare_v2(db, "SELECT ts_ns, pkt, dir, seq, ack, len, win FROM "
				   "events WHERE conn_id = ?1 UNION ALL SELECT ts_ns, "
				   "pkt, NULL, NULL, NULL, NULL, NULL FROM transitions "
				   "WHERE conn_id = ?1 AND pkt > 0 ORDER BY 2", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t->ci.id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pkt = sqlite3_column_int64(st, 1);
		struct row *r = t->nrows ? &t->rows[t->nrows - 1] : NULL;
		if (!r || r->pkt != pkt) {
			if (!(r = new_row(t))) {
				sqlite3_finalize(st);
				return -2;
			}
			r->ts = sqlite3_column_int64(st, 0);
			r->pkt = pkt;
		}
		if (!r->has_seg && sqlite3_column_type(st, 2) != SQLITE_NULL) {
			r->dir = sqlite3_column_int(st, 2) ? 1 : 0;
			r->seq = sqlite3_column_int64(st, 3);
			r->ack = sqlite3_column_int64(st, 4);
			r->len = sqlite3_column_int64(st, 5);
			r->win = sqlite3_column_int64(st, 6);
			r->has_seg = 1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

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

/* A label row changes only its own packet's row, so packet order (table
 * order within a packet) gives the same labels as table order; it is the
 * order of the index label_events_conn, which finds the connection's rows
 * without a sort. (With "ORDER BY id" SQLite may read the whole table in
 * id order instead when connections have many rows each.) */
static int attach_labels(sqlite3 *db, struct timeline *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT pkt, label, revised, old_label FROM "
				   "events WHERE conn_id = ? ORDER BY pkt, id", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t->ci.id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct row *r = find_row(t, sqlite3_column_int64(st, 0));
		const unsigned char *label = sqlite3_column_text(st, 1);
		const unsigned char *old = sqlite3_column_text(st, 3);
		if (!r || !label)
			continue;
		if (sqlite3_column_int(st, 2) && old)
			label_edit(r->labels, sizeof r->labels, (const char *)old, 1);
		label_edit(r->labels, sizeof r->labels, (const char *)label, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The comments a pcapng capture gave the flow's packets. */
static int attach_comments(sqlite3 *db, struct timeline *t)
{
	if (t->nrows == 0)
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT pkt, comment FROM packet_comments"
				   " WHERE capture_id = ? AND pkt BETWEEN ? AND ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t->ci.capture_id);
	sqlite3_bind_int64(st, 2, t->rows[0].pkt);
	sqlite3_bind_int64(st, 3, t->rows[t->nrows - 1].pkt);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct row *r = find_row(t, sqlite3_column_int64(st, 0));
		const unsigned char *c = sqlite3_column_text(st, 1);
		if (r && c && !r->comment && !(r->comment = strdup((const char *)c)))
			rc = SQLITE_NOMEM;
		if (rc == SQLITE_NOMEM)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int attach_transitions(sqlite3 *db, struct timeline *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT ts_ns, pkt, side, from_state, to_state, "
				   "rule, rule_name, inferred FROM transitions WHERE "
				   "conn_id = ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t->ci.id);
	snprintf(t->init[0], sizeof t->init[0], "%s", t->ci.cstate);
	snprintf(t->init[1], sizeof t->init[1], "%s", t->ci.sstate);
	int seen[2] = { 0, 0 }, rc;
	size_t sorted = t->nrows;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(st, 0);
		int64_t pkt = sqlite3_column_int64(st, 1);
		int side = sqlite3_column_int(st, 2) ? 1 : 0;
		struct row *r = NULL;
		/* Only the rows loaded first are sorted by pkt. */
		size_t n = t->nrows;
		t->nrows = sorted;
		r = find_row(t, pkt);
		t->nrows = n;
		if (!r) {
			/* A timer transition, or a packet not stored. */
			if (!(r = new_row(t)))
				goto oom;
			r->ts = ts;
			r->pkt = pkt;
		}
		struct trans *tr = realloc(r->tr, (r->ntr + 1) * sizeof *tr);
		if (!tr)
			goto oom;
		r->tr = tr;
		struct trans *x = &tr[r->ntr++];
		x->side = side;
		copy_col(x->from, sizeof x->from, st, 3);
		copy_col(x->to, sizeof x->to, st, 4);
		x->rule_id = sqlite3_column_int64(st, 5);
		copy_col(x->rule, sizeof x->rule, st, 6);
		x->inferred = sqlite3_column_int(st, 7) != 0;
		if (!seen[side]) {
			seen[side] = 1;
			snprintf(t->init[side], sizeof t->init[side], "%s", x->from);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* Order: stored rows by packet number; a row added for a transition
	 * alone goes after the last stored row not later than it. */
	for (size_t i = 0; i < sorted; i++)
		t->rows[i].key = (double)i;
	for (size_t i = sorted; i < t->nrows; i++) {
		struct row *r = &t->rows[i];
		double key = -0.5;
		for (size_t j = 0; j < sorted; j++)
			if (t->rows[j].ts <= r->ts)
				key = (double)j + 0.5;
		r->key = key + (double)(i - sorted) * 1e-9;
	}
	qsort(t->rows, t->nrows, sizeof *t->rows, cmp_key);
	/* The first sequence number each way (the SYN's, when seen). Rebuilt
	 * from labels alone, the base is unknown: numbers stay absolute. */
	for (size_t i = 0; t->segments && i < t->nrows; i++) {
		struct row *r = &t->rows[i];
		if (r->dir < 0 || !r->has_seg)
			continue;
		if (!t->have_isn[r->dir] || strchr(r->flags, 'S')) {
			if (t->have_isn[r->dir] == 2)
				continue;
			t->isn[r->dir] = r->seq;
			t->have_isn[r->dir] = strchr(r->flags, 'S') ? 2 : 1;
		}
	}
	return 0;
oom:
	sqlite3_finalize(st);
	return -2;
}

/* The senders' congestion-state changes (schema version 8), each on the
 * row of its packet; one whose packet has no row is left out. */
static int attach_cc(sqlite3 *db, struct timeline *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT pkt, dir, to_state, rule_name FROM"
				   " cc_transitions WHERE conn_id = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, t->ci.id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct row *r = find_row(t, sqlite3_column_int64(st, 0));
		if (!r)
			continue;
		struct ccmove *m = realloc(r->cc, (r->ncc + 1) * sizeof *m);
		if (!m) {
			sqlite3_finalize(st);
			return -2;
		}
		r->cc = m;
		m = &m[r->ncc++];
		m->dir = sqlite3_column_int(st, 1) ? 1 : 0;
		copy_col(m->to, sizeof m->to, st, 2);
		copy_col(m->rule, sizeof m->rule, st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void free_timeline(struct timeline *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		free(t->rows[i].tr);
		free(t->rows[i].cc);
		free(t->rows[i].options);
		free(t->rows[i].comment);
	}
	free(t->rows);
	free(t->keep);
}

static int64_t rel32(int64_t v, int64_t base)
{
	return (int64_t)(uint32_t)((uint32_t)v - (uint32_t)base);
}

/* Segment description: "SA seq=0 ack=1 win=65160 len=0 <mss=1460>". */
static void seg_text(char *buf, size_t len, const struct timeline *t,
		     const struct row *r, int absolute, int scaled)
{
	if (!r->has_seg) {
		snprintf(buf, len, "(packet not stored)");
		return;
	}
	int d = r->dir;
	int64_t seq = r->seq, ack = r->ack;
	if (!absolute) {
		if (t->have_isn[d])
			seq = rel32(seq, t->isn[d]);
		if (t->have_isn[!d])
			ack = rel32(ack, t->isn[!d]);
	}
	int n = snprintf(buf, len, "%s%sseq=%lld", r->flags, r->flags[0] ? " " : "",
			 (long long)seq);
	if (!t->segments || strchr(r->flags, 'A'))
		n += snprintf(buf + n, len - (size_t)n, " ack=%lld", (long long)ack);
	/* The options; SACK blocks, which name the peer's bytes, relative
	 * as the ack is. */
	char opt[200] = "";
	for (const char *p = r->options; p && *p;) {
		size_t k = strcspn(p, ",");
		size_t u = strlen(opt);
		if (strncmp(p, "sack=", 5) == 0 && !absolute && t->have_isn[!d]) {
			snprintf(opt + u, sizeof opt - u, "%ssack=", u ? "," : "");
			const char *q = p + 5, *end = p + k;
			while (q < end) {
				char *e;
				unsigned long long a = strtoull(q, &e, 10), b = 0;
				if (e < end && *e == '-')
					b = strtoull(e + 1, &e, 10);
				u = strlen(opt);
				snprintf(opt + u, sizeof opt - u, "%s%lld-%lld",
					 q == p + 5 ? "" : " ",
					 (long long)rel32((int64_t)a, t->isn[!d]),
					 (long long)rel32((int64_t)b, t->isn[!d]));
				while (e < end && *e == ' ')
					e++;
				if (e == q)
					break;
				q = e;
			}
		} else {
			snprintf(opt + u, sizeof opt - u, "%s%.*s", u ? "," : "",
				 (int)k, p);
		}
		p += k + (p[k] == ',');
	}
	snprintf(buf + n, len - (size_t)n, " win=%lld len=%lld%s%s%s",
		 (long long)row_win(t, r, scaled), (long long)r->len,
		 opt[0] ? " <" : "", opt, opt[0] ? ">" : "");
}

#define MID 60
#define DASHES "------------------------------------------------------------"

static void print_text(const struct timeline *t, int absolute, int raw)
{
	int scaled = windows_scaled(t, raw);
	FILE *f = stdout;
	int col = out_want_colour(f);
	const struct conninfo *ci = &t->ci;
	char b[64], d[32];
	int tw = absolute ? 26 : 10;
	char cap[1024];
	printf("%sflow %lld%s  %s -> %s  capture %lld (%s)\n", out_sgr(col, OUT_HEAD),
	       (long long)ci->id, OUT_RESET(col), ci->client, ci->server,
	       (long long)ci->capture_id, out_esc(ci->capture, cap, sizeof cap));
	printf("start %s UTC  duration %s  handshake %s  close %s  conn_state %s"
	       "  history %s\n", out_ts_utc(b, sizeof b, ci->first_ts),
	       out_dur(d, sizeof d, out_tdiff(ci->last_ts, ci->first_ts)),
	       ci->handshake[0] ? ci->handshake : "-",
	       ci->close[0] ? ci->close : "-",
	       ci->conn_state[0] ? ci->conn_state : "-",
	       ci->history[0] ? ci->history : "-");
	if (t->from_capture)
		printf("# packets read again from the capture\n");
	else if (!t->segments)
		printf("# segments not stored, and the capture not read (%s):"
		       " rebuilt from transitions and events only\n",
		       out_esc(t->why, cap, sizeof cap));
	printf("# %s, %s sequence numbers, ",
	       absolute ? "absolute times (UTC)" : "times relative to the first packet",
	       absolute || !t->segments ? "absolute" : "relative");
	if (scaled)
		printf("windows in bytes (scale %d and %d)\n", t->ci.ws[0],
		       t->ci.ws[1]);
	else
		printf("windows as sent (%s)\n",
		       raw ? "--raw-windows"
		       : !t->segments ? "segments not stored"
				      : "no window scaling");
	printf("\n%s%-*s %6s  %-13s %-*s  %s%s\n", out_sgr(col, OUT_HEAD),
	       tw, "TIME", "PKT", "CLIENT", MID, "SEGMENT", "SERVER",
	       OUT_RESET(col));
	printf("%-*s %6s  %-13s %-*s  %s\n", tw, "", "",
	       t->init[0][0] ? t->init[0] : "UNKNOWN", MID, "",
	       t->init[1][0] ? t->init[1] : "UNKNOWN");
	/* Rows not shown are counted on one line, with each side's state
	 * after them, so that the states of the next rows stay readable. */
	size_t skipped = 0;
	const char *cur[2] = { t->init[0][0] ? t->init[0] : "UNKNOWN",
			       t->init[1][0] ? t->init[1] : "UNKNOWN" };
	for (size_t i = 0; i <= t->nrows; i++) {
		if (i < t->nrows && !t->keep[i]) {
			for (size_t k = 0; k < t->rows[i].ntr; k++)
				cur[t->rows[i].tr[k].side] = t->rows[i].tr[k].to;
			skipped++;
			continue;
		}
		if (skipped) {
			char what[48];
			snprintf(what, sizeof what, "(%zu row%s not shown)",
				 skipped, skipped == 1 ? "" : "s");
			printf("%-*s %6s  %-13s %-*s  %s\n", tw, "...", "",
			       cur[0], MID, what, cur[1]);
		}
		skipped = 0;
		if (i == t->nrows)
			break;
		for (size_t k = 0; k < t->rows[i].ntr; k++)
			cur[t->rows[i].tr[k].side] = t->rows[i].tr[k].to;
		if (i == t->nrows)
			break;
		const struct row *r = &t->rows[i];
		char ts[40], pkt[24], seg[200], mid[320];
		if (absolute)
			out_ts_utc(ts, sizeof ts, r->ts);
		else
			snprintf(ts, sizeof ts, "%.6f",
				 (double)out_tdiff(r->ts, ci->first_ts) / 1e9);
		if (r->pkt > 0)
			snprintf(pkt, sizeof pkt, "%lld", (long long)r->pkt);
		else
			snprintf(pkt, sizeof pkt, "-");
		/* Each side's new states at this row; several make extra
		 * lines below the segment. */
		const char *sts[2][8];
		size_t nst[2] = { 0, 0 };
		for (size_t k = 0; k < r->ntr; k++) {
			int s = r->tr[k].side;
			if (nst[s] < 8)
				sts[s][nst[s]++] = r->tr[k].to;
		}
		size_t lines = nst[0] > nst[1] ? nst[0] : nst[1];
		if (lines == 0)
			lines = 1;
		seg_text(seg, sizeof seg, t, r, absolute, scaled);
		size_t sl = strlen(seg);
		int dashes = MID - (int)sl - 2;
		if (dashes < 3)
			dashes = 3;
		const char *acol = "";
		if (r->dir == 0) {
			acol = out_sgr(col, OUT_CLIENT);
			snprintf(mid, sizeof mid, "%s %.*s>", seg, dashes, DASHES);
		} else if (r->dir == 1) {
			acol = out_sgr(col, OUT_SERVER);
			snprintf(mid, sizeof mid, "<%.*s %s", dashes, DASHES, seg);
		} else {
			snprintf(mid, sizeof mid, "%s",
				 r->has_seg ? seg : r->pkt > 0 ?
				 "(packet not stored)" : "(timer)");
		}
		for (size_t ln = 0; ln < lines; ln++) {
			if (ln == 0)
				printf("%-*s %6s  ", tw, ts, pkt);
			else
				printf("%-*s %6s  ", tw, "", "");
			if (ln < nst[0])
				printf("%s%-13s%s ", out_sgr(col, OUT_STATE),
				       sts[0][ln], OUT_RESET(col));
			else
				printf("%-13s ", "|");
			if (ln == 0)
				printf("%s%-*s%s  ", acol, MID, mid,
				       OUT_RESET(col && *acol));
			else
				printf("%-*s  ", MID, "");
			const char *sv = ln < nst[1] ? sts[1][ln] : "|";
			if (ln == 0 && r->labels[0]) {
				int bad = strstr(r->labels, "rst") ||
					  strstr(r->labels, "bad");
				printf("%s%-13s%s %s[%s]%s",
				       ln < nst[1] ? out_sgr(col, OUT_STATE) : "",
				       sv, OUT_RESET(col && ln < nst[1]),
				       out_sgr(col, bad ? OUT_BAD : OUT_WARN),
				       r->labels, OUT_RESET(col));
			} else {
				printf("%s%s%s",
				       ln < nst[1] ? out_sgr(col, OUT_STATE) : "",
				       sv, OUT_RESET(col && ln < nst[1]));
			}
			putchar('\n');
		}
		/* A transition inferred from a segment the capture missed
		 * says so, with its rule, below the row. */
		for (size_t k = 0; k < r->ntr; k++) {
			char to[32], rule[64];
			if (!r->tr[k].inferred)
				continue;
			printf("%-*s %6s  %-13s %s? %s %s inferred (%s)%s\n", tw,
			       "", "", "|", out_sgr(col, OUT_WARN),
			       r->tr[k].side ? "server" : "client",
			       out_esc(r->tr[k].to, to, sizeof to),
			       out_esc(r->tr[k].rule, rule, sizeof rule),
			       OUT_RESET(col));
		}
		for (size_t k = 0; k < r->ncc; k++) {
			char to[32], rule[64];
			printf("%-*s %6s  %-13s %s~ %s sender %s (%s)%s\n", tw, "",
			       "", "|", out_sgr(col, OUT_WARN),
			       r->cc[k].dir ? "s2c" : "c2s",
			       out_esc(r->cc[k].to, to, sizeof to),
			       out_esc(r->cc[k].rule, rule, sizeof rule),
			       OUT_RESET(col));
		}
		if (r->comment) {
			char esc[1200];
			printf("%-*s %6s  %-13s # %s\n", tw, "", "", "|",
			       out_esc(r->comment, esc, sizeof esc));
		}
	}
	printf("%-*s %6s  %-13s %-*s  %s\n", tw, "", "",
	       ci->cstate[0] ? ci->cstate : "UNKNOWN", MID, "(final)",
	       ci->sstate[0] ? ci->sstate : "UNKNOWN");
}

static void print_json(const struct timeline *t, int raw)
{
	int scaled = windows_scaled(t, raw);
	FILE *f = stdout;
	const struct conninfo *ci = &t->ci;
	char b[40];
	fprintf(f, "{\"id\":%lld,\"capture\":%lld,\"capture_path\":", (long long)ci->id,
		(long long)ci->capture_id);
	out_json_str(f, ci->capture);
	fputs(",\"client\":", f);
	out_json_str(f, ci->client);
	fputs(",\"server\":", f);
	out_json_str(f, ci->server);
	fprintf(f, ",\"first_ts\":%s", out_ts_sec9(b, sizeof b, ci->first_ts));
	fprintf(f, ",\"last_ts\":%s", out_ts_sec9(b, sizeof b, ci->last_ts));
	fprintf(f, ",\"segments_stored\":%s,\"packets_from\":\"%s\"",
		t->segments && !t->from_capture ? "true" : "false",
		t->from_capture ? "capture" : t->segments ? "segments"
							 : "events");
	if (t->why[0]) {
		fputs(",\"capture_not_read\":", f);
		out_json_str(f, t->why);
	}
	fputs(",\"initial\":{\"client\":", f);
	out_json_str(f, t->init[0][0] ? t->init[0] : "UNKNOWN");
	fputs(",\"server\":", f);
	out_json_str(f, t->init[1][0] ? t->init[1] : "UNKNOWN");
	fputs("},\"final\":{\"client\":", f);
	out_json_str(f, ci->cstate[0] ? ci->cstate : "UNKNOWN");
	fputs(",\"server\":", f);
	out_json_str(f, ci->sstate[0] ? ci->sstate : "UNKNOWN");
	fprintf(f, "},\"rows_total\":%zu,\"rows\":[", t->nrows);
	int any = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		if (!t->keep[i])
			continue;
		const struct row *r = &t->rows[i];
		fprintf(f, "%s\n{\"ts\":%s", any++ ? "," : "",
			out_ts_sec9(b, sizeof b, r->ts));
		fprintf(f, ",\"rel\":%s,\"pkt\":",
			out_ts_sec9(b, sizeof b, out_tdiff(r->ts, ci->first_ts)));
		if (r->pkt > 0)
			fprintf(f, "%lld", (long long)r->pkt);
		else
			fputs("null", f);
		fputs(",\"dir\":", f);
		fputs(r->dir == 0 ? "\"c2s\"" : r->dir == 1 ? "\"s2c\"" : "null", f);
		if (r->has_seg && r->dir >= 0) {
			int d = r->dir;
			fputs(",\"flags\":", f);
			out_json_str(f, t->segments ? r->flags : NULL);
			fprintf(f, ",\"seq\":%lld,\"ack\":%lld,\"rel_seq\":%lld,\"rel_ack\":",
				(long long)r->seq, (long long)r->ack,
				(long long)(t->have_isn[d] ? rel32(r->seq, t->isn[d]) : r->seq));
			if (t->segments && !strchr(r->flags, 'A'))
				fputs("null", f);
			else
				fprintf(f, "%lld", (long long)(t->have_isn[!d] ?
					rel32(r->ack, t->isn[!d]) : r->ack));
			fprintf(f, ",\"len\":%lld,\"win\":%lld,\"scaled_win\":",
				(long long)r->len, (long long)r->win);
			if (scaled)
				fprintf(f, "%lld", (long long)row_win(t, r, 1));
			else
				fputs("null", f);
			fputs(",\"options\":", f);
			out_json_str(f, r->options);
		}
		fputs(",\"labels\":[", f);
		const char *p = r->labels;
		int first = 1;
		while (*p) {
			size_t n = strcspn(p, ",");
			char one[64];
			snprintf(one, sizeof one, "%.*s", (int)n, p);
			fputs(first ? "" : ",", f);
			out_json_str(f, one);
			first = 0;
			p += n + (p[n] == ',');
		}
		fputs("],\"transitions\":[", f);
		for (size_t k = 0; k < r->ntr; k++) {
			const struct trans *x = &r->tr[k];
			fprintf(f, "%s{\"side\":\"%s\",\"from\":", k ? "," : "",
				x->side ? "server" : "client");
			out_json_str(f, x->from);
			fputs(",\"to\":", f);
			out_json_str(f, x->to);
			fputs(",\"rule\":", f);
			out_json_str(f, x->rule);
			fprintf(f, ",\"rule_id\":%lld%s}", (long long)x->rule_id,
				x->inferred ? ",\"inferred\":true" : "");
		}
		fputc(']', f);
		if (r->ncc) {
			fputs(",\"cc\":[", f);
			for (size_t k = 0; k < r->ncc; k++) {
				fprintf(f, "%s{\"dir\":\"%s\",\"to\":", k ? "," : "",
					r->cc[k].dir ? "s2c" : "c2s");
				out_json_str(f, r->cc[k].to);
				fputs(",\"rule\":", f);
				out_json_str(f, r->cc[k].rule);
				fputc('}', f);
			}
			fputc(']', f);
		}
		if (r->comment) {
			fputs(",\"comment\":", f);
			out_json_str(f, r->comment);
		}
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "read", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "absolute", no_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "anomalies", no_argument, NULL, 'A' },
		{ "raw-windows", no_argument, NULL, 'W' },
		{ "capture", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL;
	char *file = NULL;
	int json = 0, absolute = 0, raw = 0, opt, rc;
	const char *from = NULL, *to = NULL;
	struct pick pk = { INT64_MIN, INT64_MAX, 0 };
	char err[512];
	opterr = 0;
	optind = 1;
	const char *capture = NULL;
	uint64_t count = 0;
	while ((opt = getopt_long(argc, argv, ":d:r:f:c:anAh", opts, NULL)) != -1) {
		switch (opt) {
		case 'C': capture = optarg; break;
		case 'c':
			if (out_parse_count("timeline", optarg, &count) < 0)
				return EX_USAGE;
			break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'A': pk.anomalies = 1; break;
		case 'W': raw = 1; break;
		case 'd': dbpath = optarg; break;
		case 'r': file = optarg; break;
		case 'a': absolute = 1; break;
		case 'n': break;
		case 'h': fputs(timeline_usage, stdout); return EX_OK;
		case 'f': {
			static const char *const names[] = { "text", "json", NULL };
			json = out_choice("timeline", "format", optarg, names);
			if (json < 0)
				return EX_USAGE;
			break;
		}
		default: /* ':' and unknown options */
			return out_bad_option("timeline", opt, argv);
		}
	}
	/* Relative times are checked now, absolute ones too; relative ones
	 * become times once the connection's first packet is known. */
	double rel[2] = { 0, 0 };
	const char *const lim[2] = { from, to };
	for (int k = 0; k < 2; k++) {
		if (!lim[k])
			continue;
		char *end;
		int64_t ns;
		if (absolute ? out_parse_time(lim[k], &ns) != 0
			     : ((rel[k] = strtod(lim[k], &end)), end == lim[k] ||
				*end || !(rel[k] > -1e9 && rel[k] < 1e9))) {
			fprintf(stderr, "tcpscope timeline: bad --%s '%s' (%s)\n",
				k ? "to" : "from", lim[k],
				absolute ? "epoch seconds or ISO 8601"
					 : "seconds after the first packet");
			return EX_USAGE;
		}
		if (absolute)
			*(k ? &pk.to : &pk.from) = ns;
	}
	/* FLOW is one word, or two endpoints; with -r, the words after it
	 * are a BPF filter (as read's). */
	int nargs = argc - optind, fw = fsel_flow_words(argv + optind, nargs);
	if (nargs < 1 || (nargs > fw && !file)) {
		fprintf(stderr, "tcpscope timeline: %s (try --help)\n",
			nargs < 1 ? "which FLOW?"
				  : "too many arguments (a filter expression"
				    " after FLOW needs -r)");
		return EX_USAGE;
	}
	char *filter = cap_filter_words(argv + optind + fw, nargs - fw);
	if (filter && cap_check_filter(filter, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope timeline: bad filter expression '%s':"
				" %s\n", filter, err);
		free(filter);
		return EX_USAGE;
	}
	nargs = fw;
	if (dbpath && file) {
		fprintf(stderr, "tcpscope timeline: -d and -r exclude each other\n");
		return EX_USAGE;
	}
	struct store *st;
	if (count && !file) {
		fprintf(stderr, "tcpscope timeline: -c counts the packets read"
				" with -r\n");
		return EX_USAGE;
	}
	if (file) {
		char *files[1] = { file };
		int partial;
		rc = fsel_open_capture(files, 1,
				       FSEL_KEEP_SEGMENTS | FSEL_KEEP_EVENTS,
				       count, filter, &st, &partial, err,
				       sizeof err);
		if (rc == 0 && partial)
			fprintf(stderr, "tcpscope timeline: warning: %s\n", err);
	} else {
		rc = fsel_open_db(dbpath, &st, err, sizeof err);
	}
	free(filter);
	if (rc != 0) {
		out_errline("tcpscope timeline", err);
		return rc;
	}
	sqlite3 *db = store_db(st);
	struct timeline t;
	memset(&t, 0, sizeof t);
	t.capture = capture;
	int64_t id;
	rc = fsel_find_flow(db, nargs, argv + optind, &id, err, sizeof err);
	if (rc != 0) {
		out_errline("tcpscope timeline", err);
		goto out;
	}
	int r = load_conn(db, id, &t.ci);
	if (r == 0)
		r = load_rows(db, &t);
	if (r == 0) {
		qsort(t.rows, t.nrows, sizeof *t.rows, cmp_pkt);
		r = attach_labels(db, &t);
	}
	if (r == 0)
		r = attach_transitions(db, &t);
	if (r == 0)
		r = attach_cc(db, &t);
	if (r == 0)
		r = attach_comments(db, &t);
	if (r == 0 && !absolute) {
		if (from)
			pk.from = t.ci.first_ts + (int64_t)(rel[0] * 1e9);
		if (to)
			pk.to = t.ci.first_ts + (int64_t)(rel[1] * 1e9);
	}
	if (r == 0)
		r = pick_rows(&t, &pk);
	if (r != 0) {
		fprintf(stderr, "tcpscope timeline: %s\n",
			r == -2 ? "out of memory" : sqlite3_errmsg(db));
		rc = r == -2 ? EX_FAIL : EX_DB;
		goto out;
	}
	out_pager_start();
	if (json)
		print_json(&t, raw);
	else
		print_text(&t, absolute, raw);
	if (out_pager_end()) {
		fprintf(stderr, "tcpscope timeline: write error\n");
		rc = EX_FAIL;
	}
out:
	free_timeline(&t);
	store_close(st);
	return rc;
}
