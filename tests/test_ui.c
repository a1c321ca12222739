/*
 * test_ui.c - unit tests of the TUI's pure parts and its model: ladder
 * rows from a streamed ladder's (ui/ladder.c), the flow list's filter/sort/selection
 * (ui/list.c), arrow formatting (ui/draw.c) and reading a database the
 * store created, filled by tests/tui-fixture.sql (ui/model.c). The
 * screen itself is tested by tests/t_tui.sh under tmux.
 */
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../analyzer/query/ladder.h"
#include "../analyzer/store/store.h"
#include "../ui/ui.h"
#include "unit.h"

/* A segment row of a streamed ladder (analyzer/query/ladder.h). */
static struct ladder_row seg(int64_t pkt, int dir, const char *flags,
			     int64_t seq, int64_t ack, int64_t len,
			     const char *labels)
{
	struct ladder_row r;
	memset(&r, 0, sizeof(r));
	r.ts = 1000 + pkt * 10;
	r.pkt = pkt;
	r.dir = dir;
	r.has_seg = 1;
	snprintf(r.flags, sizeof(r.flags), "%s", flags);
	r.seq = seq;
	r.ack = ack;
	r.len = len;
	r.win = 100;
	snprintf(r.labels, sizeof(r.labels), "%s", labels);
	return r;
}

/* A row with no segment (a timer, a packet not stored). */
static struct ladder_row bare(int64_t ts, int64_t pkt)
{
	struct ladder_row r;
	memset(&r, 0, sizeof(r));
	r.ts = ts;
	r.pkt = pkt;
	r.dir = -1;
	return r;
}

static struct ladder_row with(struct ladder_row r, const struct ladder_trans *t,
			      size_t n)
{
	r.tr = t;
	r.ntr = n;
	return r;
}

static struct ladder_trans tr(int64_t ts, int64_t pkt, int side,
			      const char *from, const char *to)
{
	struct ladder_trans t;
	memset(&t, 0, sizeof(t));
	t.ts = ts;
	t.pkt = pkt;
	t.side = side;
	snprintf(t.from, sizeof(t.from), "%s", from);
	snprintf(t.to, sizeof(t.to), "%s", to);
	return t;
}

/* Builds l from rows as the model does from ladder_run(). */
static int build(struct ui_ladder *l, int segments, const char *cinit,
		 const char *sinit, const struct ladder_row *rows, size_t n)
{
	struct ladder_info in;
	memset(&in, 0, sizeof(in));
	in.segments = segments;
	in.why = "";
	snprintf(in.init[0], sizeof(in.init[0]), "%s", cinit);
	snprintf(in.init[1], sizeof(in.init[1]), "%s", sinit);
	int rc = ui_ladder_begin(l, &in);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = ui_ladder_add(l, &rows[i]);
	return rc;
}

static void t_ladder_segments(void)
{
	struct ladder_trans t[] = {
	    tr(1010, 1, 0, "CLOSED", "SYN-SENT"),
	    tr(1010, 1, 1, "LISTEN", "SYN-RECEIVED"),
	    tr(1020, 2, 0, "SYN-SENT", "ESTABLISHED"),
	    tr(1030, 3, 1, "SYN-RECEIVED", "ESTABLISHED"),
	    tr(9999, 0, 0, "ESTABLISHED", "CLOSED"), /* a timer */
	};
	struct ladder_row rows[] = {
	    with(seg(1, 0, "S", 1000, 0, 0, ""), &t[0], 2),
	    with(seg(2, 1, "SA", 5000, 1001, 0, ""), &t[2], 1),
	    with(seg(3, 0, "A", 1001, 5001, 0, ""), &t[3], 1),
	    seg(4, 0, "PA", 1001, 5001, 10, "spurious-retransmission"),
	    with(bare(9999, 0), &t[4], 1),
	};
	struct ui_ladder l;
	memset(&l, 0, sizeof(l));
	l.ws[0] = l.ws[1] = -1;
	CHECK_EQ(build(&l, 1, "CLOSED", "LISTEN", rows, 5), 0);
	CHECK_EQ(l.n, 6); /* initial, 4 segments, the timer row */
	CHECK_EQ(l.rows[0].kind, UI_ROW_INITIAL);
	CHECK_EQ(l.rows[0].ts_ns, 1010);
	CHECK_STR(l.rows[0].cstate, "CLOSED");
	CHECK_STR(l.rows[0].sstate, "LISTEN");
	CHECK_STR(l.rows[1].cstate, "SYN-SENT");
	CHECK_STR(l.rows[1].sstate, "SYN-RECEIVED");
	CHECK(l.rows[1].cchanged && l.rows[1].schanged);
	CHECK_STR(l.rows[2].cstate, "ESTABLISHED");
	CHECK_STR(l.rows[2].sstate, "SYN-RECEIVED");
	CHECK(l.rows[2].cchanged && !l.rows[2].schanged);
	CHECK_EQ(l.rows[2].seq, 0); /* relative to the server's ISN */
	CHECK_EQ(l.rows[2].ack, 1);
	CHECK_EQ(l.rows[4].seq, 1);
	CHECK_STR(l.rows[4].labels, "spurious-retransmission");
	CHECK(l.rows[4].anomaly);
	CHECK_EQ(l.rows[5].kind, UI_ROW_STATE);
	CHECK_EQ(l.rows[5].pkt, -1);
	CHECK_STR(l.rows[5].cstate, "CLOSED");
	CHECK_STR(l.rows[5].sstate, "ESTABLISHED");
	ui_ladder_free(&l);
}

static void t_ladder_events_only(void)
{
	struct ladder_trans t[] = {
	    tr(10, 1, 0, "CLOSED", "SYN-SENT"),
	    tr(10, 1, 1, "LISTEN", "SYN-RECEIVED"),
	    tr(30, 3, 0, "ESTABLISHED", "CLOSED"),
	};
	/* Rebuilt from events: a row per packet with an event or a
	 * transition; packet 1 has only transitions. */
	struct ladder_row rows[] = {
	    with(bare(10, 1), &t[0], 2),
	    seg(2, 0, "", 0, 0, 0, "dup-ack"),
	    with(seg(3, 1, "", 77, 0, 0, "window-update,zero-window"), &t[2], 1),
	};
	rows[1].ts = 20;
	rows[2].ts = 30;
	struct ui_ladder l;
	memset(&l, 0, sizeof(l));
	CHECK_EQ(build(&l, 0, "CLOSED", "LISTEN", rows, 3), 0);
	CHECK_EQ(l.n, 4); /* initial, pkt 1 (state only), pkt 2, pkt 3 */
	CHECK_EQ(l.rows[1].kind, UI_ROW_STATE);
	CHECK_EQ(l.rows[1].pkt, 1);
	CHECK_STR(l.rows[1].sstate, "SYN-RECEIVED");
	CHECK_EQ(l.rows[2].pkt, 2);
	CHECK(!l.rows[2].has_flags);
	CHECK_STR(l.rows[2].labels, "dup-ack");
	CHECK_EQ(l.rows[3].pkt, 3);
	CHECK_EQ(l.rows[3].dir, 1);
	CHECK_STR(l.rows[3].labels, "window-update,zero-window");
	CHECK(l.rows[3].anomaly);
	CHECK_EQ(l.rows[3].seq, 77); /* raw without segments */
	CHECK_STR(l.rows[3].cstate, "CLOSED");
	ui_ladder_free(&l);
}

static void t_ladder_two_steps(void)
{
	struct ladder_trans t[] = {
	    tr(1120, 12, 0, "ESTABLISHED", "FIN-WAIT-1"),
	    tr(1130, 13, 1, "ESTABLISHED", "CLOSE-WAIT"),
	    tr(1130, 13, 1, "CLOSE-WAIT", "LAST-ACK"),
	    tr(1130, 13, 0, "FIN-WAIT-1", "FIN-WAIT-2"),
	};
	struct ladder_row rows[] = {
	    with(seg(12, 0, "FA", 100, 50, 0, ""), &t[0], 1),
	    with(seg(13, 1, "FA", 50, 101, 0, ""), &t[1], 3),
	};
	struct ui_ladder l;
	memset(&l, 0, sizeof(l));
	l.ws[0] = l.ws[1] = -1;
	CHECK_EQ(build(&l, 1, "ESTABLISHED", "ESTABLISHED", rows, 2), 0);
	CHECK_EQ(l.n, 4); /* initial, FA, the first step of 13, FA */
	CHECK_EQ(l.rows[2].kind, UI_ROW_STATE);
	CHECK(l.rows[2].step);
	CHECK_EQ(l.rows[2].pkt, 13);
	CHECK_STR(l.rows[2].sstate, "CLOSE-WAIT");
	CHECK(l.rows[2].schanged && !l.rows[2].cchanged);
	CHECK_STR(l.rows[2].cstate, "FIN-WAIT-1");
	CHECK_EQ(l.rows[3].kind, UI_ROW_SEGMENT);
	CHECK_STR(l.rows[3].sstate, "LAST-ACK");
	CHECK_STR(l.rows[3].cstate, "FIN-WAIT-2");
	/* Two transitions of one packet with no row share a state row. */
	struct ladder_trans u[] = {
	    tr(2000, 20, 0, "FIN-WAIT-2", "TIME-WAIT"),
	    tr(2000, 20, 1, "LAST-ACK", "CLOSED"),
	};
	struct ladder_row more[] = {
	    rows[0], rows[1], with(bare(2000, 20), &u[0], 1),
	    with(bare(2000, 20), &u[1], 1),
	};
	CHECK_EQ(build(&l, 1, "ESTABLISHED", "ESTABLISHED", more, 4), 0);
	CHECK_EQ(l.n, 5);
	CHECK_EQ(l.rows[4].kind, UI_ROW_STATE);
	CHECK_STR(l.rows[4].cstate, "TIME-WAIT");
	CHECK_STR(l.rows[4].sstate, "CLOSED");
	CHECK(l.rows[4].cchanged && l.rows[4].schanged);
	ui_ladder_free(&l);
}

/* With both scales known, a segment's window is in bytes, a SYN's as sent;
 * without them every window is as sent. */
static void t_ladder_scaled_windows(void)
{
	struct ladder_row s[3] = {
	    seg(1, 0, "S", 0, 0, 0, ""),
	    seg(2, 1, "SA", 0, 1, 0, ""),
	    seg(3, 0, "A", 1, 1, 0, ""),
	};
	s[0].win = s[1].win = 64240;
	s[2].win = 63;
	struct ui_ladder l;
	memset(&l, 0, sizeof(l));
	l.ws[0] = 10;
	l.ws[1] = 7;
	CHECK_EQ(build(&l, 1, "", "", s, 3), 0);
	int64_t w[3] = { -1, -1, -1 };
	for (size_t i = 0; i < l.n; i++)
		if (l.rows[i].kind == UI_ROW_SEGMENT && l.rows[i].pkt >= 1 &&
		    l.rows[i].pkt <= 3)
			w[l.rows[i].pkt - 1] = l.rows[i].win;
	int scaled = l.scaled;
	ui_ladder_free(&l);
	CHECK_EQ(w[0], 64240);
	CHECK_EQ(w[1], 64240);
	CHECK_EQ(w[2], 63 << 10);
	CHECK(scaled);
	memset(&l, 0, sizeof(l));
	l.ws[0] = 10;
	l.ws[1] = -1; /* the server offered none: no scaling */
	CHECK_EQ(build(&l, 1, "", "", s, 3), 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.rows[i].pkt == 3)
			w[2] = l.rows[i].win;
	scaled = l.scaled;
	ui_ladder_free(&l);
	CHECK_EQ(w[2], 63);
	CHECK(!scaled);
}

static void t_row_matches(void)
{
	struct ui_row r;
	memset(&r, 0, sizeof(r));
	r.pkt = 42;
	snprintf(r.flags, sizeof(r.flags), "PA");
	r.seq = 1001;
	r.ack = 5001;
	r.len = 10;
	snprintf(r.labels, sizeof(r.labels), "retransmission");
	snprintf(r.cstate, sizeof(r.cstate), "ESTABLISHED");
	snprintf(r.sstate, sizeof(r.sstate), "CLOSE-WAIT");
	r.has_flags = 1;
	CHECK(ui_row_matches(&r, "#42"));
	CHECK(ui_row_matches(&r, "retrans"));
	CHECK(ui_row_matches(&r, "CLOSE-WAIT"));
	CHECK(ui_row_matches(&r, "seq=1001"));
	CHECK(ui_row_matches(&r, "len=10"));
	CHECK(!ui_row_matches(&r, "#43"));
	CHECK(!ui_row_matches(&r, "zero-window"));
	CHECK(!ui_row_matches(&r, ""));
}

static void t_label_kinds(void)
{
	CHECK(ui_label_is_anomaly("retransmission"));
	CHECK(ui_label_is_anomaly("rst-out-of-window"));
	CHECK(!ui_label_is_anomaly("window-update"));
	CHECK(!ui_label_is_anomaly("sack"));
	CHECK(!ui_label_is_anomaly(""));
}

static void t_arrow(void)
{
	struct ui_row r;
	char buf[128];
	memset(&r, 0, sizeof(r));
	r.kind = UI_ROW_SEGMENT;
	r.dir = 1;
	r.has_flags = r.has_seq = 1;
	snprintf(r.flags, sizeof(r.flags), "SA");
	r.ack = 1;
	r.win = 65535;
	CHECK_STR(ui_fmt_arrow(&r, 44, buf, sizeof(buf)),
		  "<----- SA seq=0 ack=1 win=65535 len=0 ------");
	CHECK_EQ(strlen(buf), 44);
	r.dir = 0;
	snprintf(r.flags, sizeof(r.flags), "S");
	ui_fmt_arrow(&r, 30, buf, sizeof(buf));
	CHECK_STR(buf, "-- S seq=0 win=65535 len=0 -->");
	/* Narrow: the window goes first, the labels stay. */
	snprintf(r.labels, sizeof(r.labels), "retransmission");
	ui_fmt_arrow(&r, 40, buf, sizeof(buf));
	CHECK_STR(buf, "---- S seq=0 len=0 [retransmission] --->");
}

static void add_flow(struct ui_list *l, int64_t id, const char *client,
		     int64_t packets)
{
	struct ui_flows *f = &l->flows;
	f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	struct ui_flow *x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	snprintf(x->client, sizeof(x->client), "%s", client);
	snprintf(x->server, sizeof(x->server), "10.0.0.9:80");
	snprintf(x->close, sizeof(x->close), id == 2 ? "reset" : "fin");
	x->packets = packets;
}

static void t_list(void)
{
	struct ui_list l;
	memset(&l, 0, sizeof(l));
	l.sel_id = -1;
	add_flow(&l, 1, "10.0.0.1:1000", 5);
	add_flow(&l, 2, "10.0.0.2:2000", 50);
	add_flow(&l, 3, "10.0.0.3:3000", 7);
	CHECK_EQ(ui_list_update(&l), 0);
	CHECK_EQ(l.nvis, 3);
	CHECK_EQ(l.sel_id, 1);
	ui_list_move(&l, 1);
	CHECK_EQ(l.sel_id, 2);
	l.sort = UI_SORT_PACKETS; /* largest first; selection follows id 2 */
	CHECK_EQ(ui_list_update(&l), 0);
	CHECK_EQ(l.flows.v[l.vis[0]].id, 2);
	CHECK_EQ(l.flows.v[l.vis[1]].id, 3);
	CHECK_EQ(l.sel, 0);
	snprintf(l.filter, sizeof(l.filter), "RESET");
	CHECK_EQ(ui_list_update(&l), 0);
	CHECK_EQ(l.nvis, 1);
	snprintf(l.filter, sizeof(l.filter), ":3000");
	CHECK_EQ(ui_list_update(&l), 0);
	CHECK_EQ(l.nvis, 1);
	CHECK_EQ(l.sel_id, 3); /* id 2 is hidden: the selection moves */
	l.filter[0] = '\0';
	ui_list_move(&l, 100);
	ui_list_scroll(&l, 2);
	CHECK_EQ(ui_list_update(&l), 0);
	ui_list_move(&l, 100);
	ui_list_scroll(&l, 2);
	CHECK_EQ(l.sel, 2);
	CHECK_EQ(l.top, 1);
	ui_list_free(&l);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 16);
	size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static void t_model(void)
{
	const char *top = getenv("TOP");
	char path[512], sql[512], db[64];
	struct ui_model *m = NULL;
	char err[256];

	snprintf(db, sizeof(db), "/tmp/tcps-test-ui-%d.db", (int)getpid());
	unlink(db);
	CHECK_EQ(ui_model_open(db, &m, err, sizeof(err)), UI_ENOENT);
	CHECK(access(db, F_OK) != 0); /* not created */

	/* The schema is the store's own; the rows are the fixture's. */
	sqlite3 *raw = NULL;
	/* The fixture has the shape of schema version 2; the migration
	 * brings it to the current version. */
	struct store *w = NULL;
	int ok = store_create_version(db, 2, err, sizeof(err)) == 0 &&
		 sqlite3_open(db, &raw) == SQLITE_OK;
	if (ok) {
		snprintf(path, sizeof(path), "%s/tests/tui-fixture.sql",
			 top ? top : ".");
		char *text = slurp(path);
		ok = text && sqlite3_exec(raw, text, NULL, NULL,
					  NULL) == SQLITE_OK;
		free(text);
		/* An interrupted import: its connection must not be listed. */
		ok = ok && sqlite3_exec(raw,
				"INSERT INTO captures (id, path, live, complete) "
				"VALUES (2, 'killed.pcap', 0, 0);"
				"INSERT INTO connections (id, capture_id, tc_id, "
				"client_ip, client_port, server_ip, server_port) "
				"VALUES (3, 2, 1, '10.9.9.9', 1, '10.9.9.8', 2);",
				NULL, NULL, NULL) == SQLITE_OK;
	}
	sqlite3_close(raw);
	ok = ok && store_open(db, STORE_CREATE, &w, err, sizeof(err)) == 0;
	store_close(w);
	if (!ok) {
		unlink(db);
		CHECK(!"could not build the fixture from tests/tui-fixture.sql");
	}
	int rc = ui_model_open(db, &m, err, sizeof(err));
	if (rc != 0) {
		unlink(db);
		CHECK_EQ(rc, 0);
	}
	struct ui_flows f = {0};
	struct ui_ladder l;
	memset(&l, 0, sizeof(l));
	CHECK_EQ(ui_model_changed(m), 1);
	rc = ui_model_load_flows(m, &f, err, sizeof(err));
	int changed = ui_model_changed(m);
	int lrc = ui_model_load_ladder(m, 1, &l, err, sizeof(err));
	int nrc = ui_model_load_ladder(m, 99, &l, err, sizeof(err));
	snprintf(sql, sizeof(sql), "%s", err);
	ui_model_close(m);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);

	CHECK_EQ(rc, 0);
	CHECK_EQ(changed, 0);
	CHECK_EQ(f.n, 2);
	CHECK_STR(f.v[0].client, "10.0.0.1:43210");
	CHECK_STR(f.v[0].server, "10.0.0.2:80");
	CHECK_STR(f.v[0].cstate, "TIME-WAIT");
	CHECK_EQ(f.v[0].packets, 10);
	CHECK_EQ(f.v[0].retrans, 1);
	/* The filter matches the labels a flow counts, by name. */
	CHECK(f.v[0].labels >> TC_LB_RETRANSMISSION & 1);
	CHECK(ui_flow_matches(&f.v[0], "retransmission"));
	CHECK(!ui_flow_matches(&f.v[0], "rst-out-of-window"));
	CHECK_EQ(lrc, 0);
	CHECK(l.has_segments);
	CHECK_EQ(l.n, 11);
	CHECK_STR(l.history, "ShADadFf");
	CHECK_STR(l.rows[l.n - 1].cstate, "TIME-WAIT");
	CHECK_STR(l.rows[l.n - 1].sstate, "CLOSED");
	CHECK_EQ(nrc, UI_ENOTFOUND);
	CHECK_STR(sql, "no connection 99");
	ui_flows_free(&f);
	ui_ladder_free(&l);
}

/* ---- The views agree ------------------------------------------------------
 *
 * One count, three views: over every capture of pcaps/ (and ../shared/pcaps
 * when present), each connection's retransmissions in the TUI's model, the
 * sum of its two all_retransmissions in `flows --format json` and its value
 * in `report --format json`'s top list (which lists every connection with
 * any, given a --top that large) are the same number. */

/* The integer after the n-th (from 0) occurrence of key in line; -1. */
static long long json_int(const char *line, const char *key, int n)
{
	const char *p = line;
	for (int i = 0; p && i <= n; i++) {
		p = strstr(p, key);
		if (p && i < n)
			p += strlen(key);
	}
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void t_views_agree(void)
{
	const char *bin = getenv("TCPSCOPE"), *top = getenv("TOP");
	const char *shared = getenv("SHARED");
	if (!bin || !top) {
		printf("SKIP views-agree: TCPSCOPE and TOP not set\n");
		return;
	}
	char db[64], cmd[2048], err[256];
	snprintf(db, sizeof(db), "/tmp/tcps-test-views-%d.db", (int)getpid());
	unlink(db);
	snprintf(cmd, sizeof(cmd),
		 "'%s' read -q -d %s '%s'/pcaps/*.pcap %s%s%s >/dev/null 2>&1;"
		 " test -s %s",
		 bin, db, top, shared ? "$(ls " : "", shared ? shared : "",
		 shared ? "/pcaps/*.pcap* 2>/dev/null)" : "", db);
	CHECK_EQ(system(cmd), 0);

	struct ui_model *m = NULL;
	struct ui_flows f = {0};
	CHECK_EQ(ui_model_open(db, &m, err, sizeof(err)), 0);
	CHECK_EQ(ui_model_load_flows(m, &f, err, sizeof(err)), 0);
	ui_model_close(m);

	/* flows --format json: id and the two all_retransmissions. */
	snprintf(cmd, sizeof(cmd), "'%s' flows -d %s --format json", bin, db);
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	char *line = NULL;
	size_t cap = 0;
	size_t n = 0, bad = 0, with = 0;
	long long total = 0;
	while (getline(&line, &cap, p) > 0) {
		long long id = json_int(line, "{\"id\":", 0);
		long long r = json_int(line, "\"all_retransmissions\":", 0) +
			      json_int(line, "\"all_retransmissions\":", 1);
		int found = 0;
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].id == id) {
				found = 1;
				if (f.v[i].retrans != r && bad++ < 5)
					printf("# flow %lld: TUI %lld, JSON "
					       "%lld\n", id,
					       (long long)f.v[i].retrans, r);
			}
		bad += !found;
		n++;
		with += r > 0;
		total += r;
	}
	pclose(p);
	CHECK_EQ(n, f.n);
	CHECK_EQ(bad, 0);

	/* report --format json: its top list holds every connection with a
	 * retransmission, each with the same count. */
	snprintf(cmd, sizeof(cmd),
		 "'%s' report -d %s --format json --top 10000", bin, db);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	size_t listed = 0;
	long long rtotal = 0;
	bad = 0;
	while (getline(&line, &cap, p) > 0) {
		const char *q = strstr(line, "\"top_retransmissions\":[");
		/* (Not the first ']': IPv6 endpoints hold brackets.) */
		const char *end = q ? strstr(q, "\"top_zero_window\"") : NULL;
		while (q && end && (q = strstr(q, "{\"id\":")) && q < end) {
			long long id = json_int(q, "{\"id\":", 0);
			long long r = json_int(q, "\"retransmissions\":", 0);
			for (size_t i = 0; i < f.n; i++)
				if (f.v[i].id == id && f.v[i].retrans != r &&
				    bad++ < 5)
					printf("# flow %lld: TUI %lld, report "
					       "%lld\n", id,
					       (long long)f.v[i].retrans, r);
			listed++;
			rtotal += r;
			q++;
		}
	}
	pclose(p);
	free(line);
	ui_flows_free(&f);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", db, db, db);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(listed, with);
	CHECK_EQ(rtotal, total);
	/* Enough to compare: the corpus has retransmissions. */
	CHECK(with >= 10);
	printf("# %zu flows, %zu with retransmissions, %lld in all\n", n, with,
	       total);
}

/* The TUI's ladder of every flow of pcaps/, imported without segments
 * (packets read again from the capture), equals the one from stored
 * segments, row by row and field by field. */
static void t_ladder_from_capture(void)
{
	const char *bin = getenv("TCPSCOPE"), *top = getenv("TOP");
	if (!bin || !top) {
		printf("SKIP ladder-from-capture: TCPSCOPE and TOP not set\n");
		return;
	}
	char db[2][64], cmd[1024], err[256];
	for (int k = 0; k < 2; k++) {
		snprintf(db[k], sizeof(db[k]), "/tmp/tcps-test-ladder%d-%d.db",
			 k, (int)getpid());
		unlink(db[k]);
		snprintf(cmd, sizeof(cmd),
			 "'%s' read -q %s -d %s '%s'/pcaps/*.pcap >/dev/null"
			 " 2>&1; test -s %s",
			 bin, k ? "" : "--segments", db[k], top, db[k]);
		CHECK_EQ(system(cmd), 0);
	}
	struct ui_model *m[2] = {NULL, NULL};
	for (int k = 0; k < 2; k++)
		CHECK_EQ(ui_model_open(db[k], &m[k], err, sizeof(err)), 0);
	struct ui_flows f = {0};
	CHECK_EQ(ui_model_load_flows(m[0], &f, err, sizeof(err)), 0);
	CHECK(f.n > 50);
	size_t bad = 0, rows = 0;
	for (size_t i = 0; i < f.n && bad == 0; i++) {
		struct ui_ladder l[2];
		memset(l, 0, sizeof(l));
		for (int k = 0; k < 2; k++)
			CHECK_EQ(ui_model_load_ladder(m[k], f.v[i].id, &l[k],
						      err, sizeof(err)),
				 0);
		if (!l[1].from_capture || !l[1].has_segments ||
		    l[0].from_capture || l[0].n != l[1].n)
			bad++;
		for (size_t r = 0; !bad && r < l[0].n; r++) {
			const struct ui_row *a = &l[0].rows[r], *b = &l[1].rows[r];
			if (a->kind != b->kind || a->pkt != b->pkt ||
			    a->dir != b->dir || strcmp(a->flags, b->flags) ||
			    a->seq != b->seq || a->ack != b->ack ||
			    a->len != b->len || a->win != b->win ||
			    strcmp(a->cstate, b->cstate) ||
			    strcmp(a->sstate, b->sstate) ||
			    strcmp(a->labels, b->labels))
				bad++;
			rows++;
		}
		if (bad)
			printf("# flow %lld differs\n", (long long)f.v[i].id);
		ui_ladder_free(&l[0]);
		ui_ladder_free(&l[1]);
	}
	printf("# %zu flows, %zu rows compared\n", f.n, rows);
	ui_flows_free(&f);
	for (int k = 0; k < 2; k++) {
		ui_model_close(m[k]);
		unlink(db[k]);
	}
	CHECK_EQ(bad, 0);
}

/* The graph: a bar per data segment, ACK dots, labels win the colour,
 * glyphs, zoom and pan clamped. */
static void t_graph(void)
{
	struct ui_gsum *s = malloc(sizeof(*s));
	CHECK(s != NULL);
	if (!s)
		return;
	struct ui_row rows[3];
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 3; i++) {
		rows[i].kind = UI_ROW_SEGMENT;
		rows[i].has_seq = rows[i].has_flags = 1;
		rows[i].ts_ns = 1000 + i * 100;
	}
	rows[0].dir = 0; /* data 0..100 at t 0 */
	snprintf(rows[0].flags, sizeof(rows[0].flags), "PA");
	rows[0].len = 100;
	rows[1].dir = 1; /* ACK 100 at t 0.5 */
	snprintf(rows[1].flags, sizeof(rows[1].flags), "A");
	rows[1].ack = 100;
	rows[2].dir = 0; /* labelled resend 0..100 at t 1 */
	snprintf(rows[2].flags, sizeof(rows[2].flags), "PA");
	rows[2].len = 100;
	rows[2].anomaly = 1;
	ui_gsum_start(s, 1000, 1200, 0);
	for (int i = 0; i < 3; i++)
		ui_gsum_add(s, &rows[i]);
	struct ui_graph g = {0, 1, 0};
	struct ui_cell cells[10 * 4];
	uint32_t lo, hi;
	CHECK_EQ(ui_graph_render(s, &g, 10, 4, 2, 4, cells, &lo, &hi), 3);
	CHECK_EQ(lo, 0);
	CHECK_EQ(hi, 100);
	/* The first column: a full bar (every left dot of every row). */
	for (int r = 0; r < 4; r++) {
		CHECK_EQ(cells[r * 10].dots & 0x0f, 0x0f);
		CHECK_EQ(cells[r * 10].role, UI_GR_DATA);
	}
	/* The last column: the labelled one, in the right dots. */
	CHECK_EQ(cells[9].role, UI_GR_LABEL);
	CHECK_EQ(cells[9].dots & 0xf0, 0xf0);
	/* The ACK: one dot at the top, in the middle. */
	int acks = 0;
	for (int i = 0; i < 40; i++)
		acks += cells[i].role == UI_GR_ACK;
	CHECK_EQ(acks, 1);
	char b[8];
	struct ui_cell full = {0xff, 0}, none = {0, 0}, top = {0x01, 0};
	CHECK(strcmp(ui_graph_glyph(&full, 1, b), "\xe2\xa3\xbf") == 0);
	CHECK(strcmp(ui_graph_glyph(&top, 1, b), "\xe2\xa0\x81") == 0);
	CHECK(strcmp(ui_graph_glyph(&none, 1, b), " ") == 0);
	CHECK(strcmp(ui_graph_glyph(&top, 0, b), "'") == 0);
	struct ui_cell both = {0x03, 0};
	CHECK(strcmp(ui_graph_glyph(&both, 0, b), ":") == 0);
	/* The other direction: the data of 1 (none) and the ACKs of 0. */
	g.dir = 1;
	CHECK_EQ(ui_graph_render(s, &g, 10, 4, 1, 2, cells, &lo, &hi), 2);
	/* Zoom stays within the flow, never below the minimum span. */
	g.from = 0;
	g.to = 1;
	ui_graph_zoom(&g, 0.5);
	CHECK(g.from > 0.24 && g.from < 0.26 && g.to > 0.74 && g.to < 0.76);
	ui_graph_pan(&g, 10);
	CHECK(g.to <= 1 && g.to > 0.99 && g.from > 0.49);
	ui_graph_pan(&g, -10);
	CHECK(g.from == 0);
	for (int i = 0; i < 100; i++)
		ui_graph_zoom(&g, 0.1);
	CHECK(g.to - g.from >= UI_GRAPH_MIN_SPAN * 0.999);
	ui_graph_zoom(&g, 1e12);
	CHECK(g.from == 0 && g.to == 1);
	/* An empty summary draws nothing. */
	ui_gsum_start(s, 0, 0, 0);
	CHECK_EQ(ui_graph_render(s, &g, 10, 4, 2, 4, cells, &lo, &hi), 0);
	free(s);
}

/* The summary is bounded: a million rows, most outside the hint, all
 * drawn (the bins doubled to hold them), the time range exact; a labelled
 * row keeps its colour beside unlabelled ones of its bin; a window draws
 * only its rows, and says when the view needs another. */
static void t_graph_summary(void)
{
	struct ui_gsum *s = malloc(sizeof(*s));
	CHECK(s != NULL);
	if (!s)
		return;
	struct ui_row r;
	memset(&r, 0, sizeof(r));
	r.kind = UI_ROW_SEGMENT;
	r.has_seq = r.has_flags = 1;
	r.dir = 0;
	snprintf(r.flags, sizeof(r.flags), "A");
	r.len = 1000;
	ui_gsum_start(s, 5000000, 5001000, 0); /* a hint far too narrow */
	for (uint32_t i = 0; i < 1000000; i++) {
		r.ts_ns = 1000 * (int64_t)i;
		r.seq = i * 1000;
		r.anomaly = i == 500000;
		ui_gsum_add(s, &r);
	}
	CHECK_EQ(s->rows, 1000000);
	CHECK_EQ(s->t0, 0);
	CHECK_EQ(s->t1, 999999000);
	struct ui_graph g = {0, 1, 0};
	struct ui_cell cells[40 * 10];
	uint32_t lo, hi;
	/* Each row is data in its space and an ACK in the other. */
	CHECK_EQ(ui_graph_render(s, &g, 40, 10, 2, 4, cells, &lo, &hi),
		 1000000);
	CHECK_EQ(lo, 0);
	CHECK_EQ(hi, 1000000000u);
	int labelled = 0;
	for (int i = 0; i < 400; i++)
		labelled += cells[i].role == UI_GR_LABEL;
	CHECK(labelled >= 1 && labelled <= 4);
	g.dir = 1;
	CHECK_EQ(ui_graph_render(s, &g, 40, 10, 2, 4, cells, &lo, &hi),
		 1000000);
	/* Zoomed 10x it still shows; 2000x too coarse, and the window it
	 * asks for is fine. */
	g.dir = 0;
	g.from = 0.5;
	g.to = 0.6;
	CHECK(ui_graph_covers(s, &g, 80));
	g.to = 0.5005;
	CHECK(!ui_graph_covers(s, &g, 80));
	int64_t wf, wt;
	ui_graph_window(s, &g, 80, &wf, &wt);
	CHECK(wf < 500000000 && wt > 500500000 && wt - wf < 100000000);
	ui_gsum_start(s, wf, wt, 1);
	for (uint32_t i = 0; i < 1000000; i++) {
		r.ts_ns = 1000 * (int64_t)i;
		r.seq = i * 1000;
		r.anomaly = 0;
		ui_gsum_add(s, &r);
	}
	CHECK_EQ(s->t0, 0);
	CHECK_EQ(s->t1, 999999000);
	CHECK(ui_graph_covers(s, &g, 80));
	size_t n = ui_graph_render(s, &g, 40, 10, 2, 4, cells, &lo, &hi);
	CHECK(n >= 400 && n <= 520);
	CHECK(lo >= 499000000u && hi <= 501000000u);
	/* Zoomed out again: the window does not hold the view. */
	g.from = 0;
	g.to = 1;
	CHECK(!ui_graph_covers(s, &g, 80));
	free(s);
}


static const struct unit_test tests[] = {
    UNIT(t_graph),
    UNIT(t_graph_summary),
    UNIT(t_ladder_segments),
    UNIT(t_ladder_events_only),
    UNIT(t_ladder_two_steps),
    UNIT(t_label_kinds),
    UNIT(t_row_matches),
    UNIT(t_ladder_scaled_windows),
    UNIT(t_arrow),
    UNIT(t_list),
    UNIT(t_model),
    UNIT(t_views_agree),
    UNIT(t_ladder_from_capture),
    {0},
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
