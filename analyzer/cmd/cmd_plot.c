/*
 * cmd_plot.c - `tcpscope plot`: one connection as a picture (SVG), the
 * time-sequence graph by default, or throughput, RTT or window over time.
 *
 * The connection is chosen as `timeline` chooses it (flowsel.h: -d DB,
 * or -r FILE analyzed in memory, and FLOW an id, a uid or an address
 * pair). Its segments are streamed twice into plot.h (pass 0 measures,
 * pass 1 draws), from the segments table when the capture was imported
 * with --segments, else read again from the capture file (flowpkts.h);
 * with -r only the label rows are kept in memory and the file is read
 * again (through the BPF filter given after FLOW, if any, as the
 * analysis was), so a million-segment connection is never held whole. Its label
 * rows (events, superseded ones left out) are read alongside, in packet
 * order, merged with the segments by packet number: a segment with a
 * label is never merged with others, and each label gets its mark.
 *
 * Start reading at cmd_plot().
 */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cmd.h"
#include "../output/out.h"
#include "../output/plot.h"
#include "../query/flowpkts.h"
#include "../query/flowsel.h"
#include "../query/plotq.h"
#include "../store/segchunk.h"
#include "../store/store.h"

static const char plot_usage[] =
	"usage: tcpscope plot [-d DB | -r FILE [-c COUNT]] [--graph KIND]\n"
	"                     [--direction c2s|s2c|both] [--size WxH]\n"
	"                     [--capture PCAP] -o OUT FLOW [EXPR]\n"
	"\n"
	"Draw one connection as an SVG picture: the time-sequence graph (data,\n"
	"ACK line, window edge, SACK blocks, a mark per label), throughput, RTT\n"
	"or window over time, with both sides' state changes above. FLOW is a\n"
	"connection id or uid (see 'tcpscope flows') or a pair\n"
	"'CLIENT-IP:PORT SERVER-IP:PORT' (IPv6 as [addr]:port).\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db)\n"
	"  -r, --read FILE      analyze FILE in memory (it is read twice more); EXPR\n"
	"                       after FLOW, a BPF filter, picks its packets\n"
	"  -c COUNT             with -r: read only the first COUNT packets\n"
	"  -g, --graph KIND     tsg (default, time-sequence), throughput, rtt or window\n"
	"  -D, --direction DIR  c2s, s2c or both (default: the direction that\n"
	"                       sent more data)\n"
	"  -s, --size WxH       picture size in pixels (default 1024x640)\n"
	"  -o, --output OUT     the SVG file to write; - for standard output\n"
	"      --capture PCAP   read the packets from PCAP, the capture the flow\n"
	"                       was imported from (moved); checked by size and SHA-256\n"
	"  -h, --help           show this help\n";

/* The label rows of the connection, read in packet order beside the
 * segments, a packet's rows at a time: a revision (revised = 1) replaces
 * the packet's row of its old label, or withdraws it when the label is
 * the same, so that what is drawn is what holds in the end. */
#define EV_PER_PKT 64

struct evcur {
	sqlite3_stmt *st;
	int have;	 /* row holds the next row read */
	struct plot_event row;
	int row_revised, row_old;
	int rc;		 /* SQLITE_DONE at the end, else an error */
	struct plot_event pkt[EV_PER_PKT]; /* the labels of one packet */
	size_t npkt;
};

struct run {
	struct plot *plot;
	struct evcur ev;
	uint64_t segs;
};

static void ev_read(struct evcur *c)
{
	c->have = 0;
	int rc;
	while ((rc = sqlite3_step(c->st)) == SQLITE_ROW) {
		const unsigned char *name =
		    sqlite3_column_text(c->st, PLOTQ_EV_LABEL);
		int l = name ? tc_label_id((const char *)name) : -1;
		if (l < 0)
			continue; /* a label this tcpscope does not know */
		const unsigned char *old =
		    sqlite3_column_text(c->st, PLOTQ_EV_OLD_LABEL);
		c->row.pkt = sqlite3_column_int64(c->st, PLOTQ_EV_PKT);
		c->row.ts_ns = sqlite3_column_int64(c->st, PLOTQ_EV_TS);
		c->row.dir = sqlite3_column_int(c->st, PLOTQ_EV_DIR) ? 1 : 0;
		c->row.label = (unsigned)l;
		c->row.seq = (uint32_t)sqlite3_column_int64(c->st, PLOTQ_EV_SEQ);
		c->row.ack = (uint32_t)sqlite3_column_int64(c->st, PLOTQ_EV_ACK);
		c->row.len = (uint32_t)sqlite3_column_int64(c->st, PLOTQ_EV_LEN);
		c->row_revised = sqlite3_column_int(c->st, PLOTQ_EV_REVISED);
		c->row_old = old ? tc_label_id((const char *)old) : -1;
		c->row.revised = c->row_revised;
		c->have = 1;
		return;
	}
	c->rc = rc;
}

/* Gathers the rows of the next packet into c->pkt; 0 when none is left. */
static int ev_gather(struct evcur *c)
{
	c->npkt = 0;
	if (!c->have)
		return 0;
	int64_t pkt = c->row.pkt;
	while (c->have && c->row.pkt == pkt) {
		if (c->row_revised && c->row_old >= 0) {
			for (size_t i = 0; i < c->npkt; i++)
				if (c->pkt[i].label == (unsigned)c->row_old &&
				    c->pkt[i].dir == c->row.dir) {
					memmove(&c->pkt[i], &c->pkt[i + 1],
						(c->npkt - i - 1) * sizeof c->pkt[0]);
					c->npkt--;
					break;
				}
		}
		int withdrawn = c->row_revised && c->row_old == (int)c->row.label;
		if (!withdrawn && c->npkt < EV_PER_PKT)
			c->pkt[c->npkt++] = c->row;
		ev_read(c);
	}
	return 1;
}

static int ev_open(sqlite3 *db, int64_t id, struct evcur *c)
{
	memset(c, 0, sizeof *c);
	if (plotq_events(db, id, &c->st) != SQLITE_OK)
		return EX_DB;
	c->rc = SQLITE_DONE;
	ev_read(c);
	return 0;
}

static void ev_emit(struct run *r)
{
	for (size_t i = 0; i < r->ev.npkt; i++)
		plot_event(r->plot, &r->ev.pkt[i]);
	r->ev.npkt = 0;
}

/* The labels of packets before pkt (no segment of theirs was seen). */
static void ev_before(struct run *r, int64_t pkt)
{
	while (r->ev.have && r->ev.row.pkt < pkt) {
		ev_gather(&r->ev);
		ev_emit(r);
	}
}

static void feed(struct run *r, struct plot_seg *g)
{
	ev_before(r, g->pkt);
	if (r->ev.have && r->ev.row.pkt == g->pkt)
		ev_gather(&r->ev);
	g->labelled = r->ev.npkt > 0;
	/* A revision's row names its packet but not the packet's numbers
	 * (they are 0): the segment's own are the truth for every label. */
	for (size_t i = 0; i < r->ev.npkt; i++) {
		struct plot_event *e = &r->ev.pkt[i];
		if (e->dir != g->dir)
			continue;
		e->seq = g->seq;
		e->ack = g->ack;
		e->len = g->len;
	}
	g->cwnd = -1; /* not estimated (yet) */
	plot_segment(r->plot, g);
	ev_emit(r);
	r->segs++;
}

/* flowpkts_each() callback: a packet read again from the capture. */
static int capture_seg(void *arg, const struct cap_packet *p,
		       const struct tc_segment *seg, int dir)
{
	(void)p;
	if (!seg)
		return 0;
	struct plot_seg g;
	memset(&g, 0, sizeof g);
	g.ts_ns = seg->ts_ns;
	g.pkt = (int64_t)seg->pkt;
	g.dir = dir;
	g.flags = seg->flags;
	g.seq = seg->seq;
	g.ack = seg->ack;
	g.len = seg->payload_len;
	g.win = seg->window;
	if (seg->opt.present & TC_OPT_SACK) {
		g.nsack = seg->opt.nsack < 4 ? seg->opt.nsack : 4;
		memcpy(g.sack, seg->opt.sack, sizeof g.sack);
	}
	feed(arg, &g);
	return 0;
}

/* The SACK blocks of a stored segment's options ("sack=a-b c-d,ts=..."). */
static void parse_sack(const char *o, struct plot_seg *g)
{
	const char *p = o ? strstr(o, "sack=") : NULL;
	if (!p || (p != o && p[-1] != ','))
		return;
	p += 5;
	while (*p && *p != ',' && g->nsack < 4) {
		char *e;
		unsigned long long a = strtoull(p, &e, 10);
		if (e == p || *e != '-')
			return;
		unsigned long long b = strtoull(e + 1, &e, 10);
		g->sack[g->nsack][0] = (uint32_t)a;
		g->sack[g->nsack][1] = (uint32_t)b;
		g->nsack++;
		while (*e == ' ')
			e++;
		p = e;
	}
}

/* segchunk_each() callback: a stored segment, from its chunk. */
static int chunk_seg(void *arg, const struct segchunk_seg *s)
{
	struct plot_seg g;
	memset(&g, 0, sizeof g);
	g.ts_ns = s->ts_ns;
	g.pkt = (int64_t)s->pkt;
	g.dir = s->dir;
	g.flags = s->flags;
	g.seq = s->seq;
	g.ack = s->ack;
	g.len = s->len;
	g.win = (uint16_t)s->win;
	parse_sack(s->options, &g);
	feed(arg, &g);
	return 0;
}

/* Streams the stored segments; 0 and *n, or EX_DB with err. Their chunks
 * are read as they are (plotq_chunks(), segchunk_each()), in packet
 * order. */
static int stored_pass(sqlite3 *db, int64_t id, struct run *r, uint64_t *n,
		       char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (plotq_chunks(db, id, &st) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	int rc;
	uint64_t before = r->segs;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *list = (const char *)sqlite3_column_text(st, 0);
		if (segchunk_each(list, chunk_seg, r) != 0) {
			snprintf(err, errlen, "a segment chunk of flow %lld"
					      " is damaged", (long long)id);
			sqlite3_finalize(st);
			return EX_DB;
		}
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	*n = r->segs - before;
	return rc == SQLITE_DONE ? 0 : EX_DB;
}

static int transitions(sqlite3 *db, int64_t id, struct plot *p)
{
	sqlite3_stmt *st;
	if (fsel_transitions(db, &st) != SQLITE_OK)
		return EX_DB;
	sqlite3_bind_int64(st, 1, id);
	int rc;
	/* fsel_transitions()'s columns: ts_ns, pkt, side, from, to, ... */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		plot_transition(p, sqlite3_column_int64(st, 0),
				sqlite3_column_int(st, 2) ? 1 : 0,
				(const char *)sqlite3_column_text(st, 3),
				(const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : EX_DB;
}

/* Both passes over the connection's segments and labels. */
static int draw(sqlite3 *db, const struct plotq_conn *c, const char *capture,
		const char *filter, struct plot *p, char *err, size_t errlen)
{
	struct flowpkts f;
	int have_f = 0, rc = 0;
	if (!c->stored) {
		rc = flowpkts_load(db, c->id, capture, 0, &f, err, errlen);
		if (rc == 0) {
			have_f = 1;
			f.filter = filter;
			rc = flowpkts_check(&f, capture != NULL, err, errlen);
		}
		if (rc != 0)
			goto out;
	}
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		struct run r = { .plot = p };
		if (plot_pass(p, pass, err, errlen) != 0) {
			rc = EX_FAIL;
			break;
		}
		if ((rc = ev_open(db, c->id, &r.ev)) != 0) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			break;
		}
		uint64_t n = 0;
		if (c->stored) {
			rc = stored_pass(db, c->id, &r, &n, err, errlen);
		} else {
			rc = flowpkts_each(&f, 1, capture_seg, &r, &n, err, errlen);
		}
		ev_before(&r, INT64_MAX);
		if (rc == 0 && r.ev.rc != SQLITE_DONE) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			rc = EX_DB;
		}
		sqlite3_finalize(r.ev.st);
		if (rc == 0 && pass == 1 && (rc = transitions(db, c->id, p)) != 0)
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	}
out:
	if (have_f)
		flowpkts_free(&f);
	return rc;
}

/* 1 when paths a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

static int parse_size(const char *s, int *w, int *h)
{
	char *e;
	long a = strtol(s, &e, 10);
	if (e == s || (*e != 'x' && *e != 'X'))
		return -1;
	const char *q = e + 1;
	long b = strtol(q, &e, 10);
	if (e == q || *e || a < 320 || a > 20000 || b < 240 || b > 20000)
		return -1;
	*w = (int)a;
	*h = (int)b;
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "read", required_argument, NULL, 'r' },
		{ "graph", required_argument, NULL, 'g' },
		{ "direction", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "capture", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *capture = NULL, *outpath = NULL;
	char *file = NULL;
	int kind = PLOT_TSG, dirs = 0, width = 1024, height = 640, opt, rc;
	uint64_t count = 0;
	char err[1024];
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":d:r:c:g:D:s:o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dbpath = optarg; break;
		case 'r': file = optarg; break;
		case 'C': capture = optarg; break;
		case 'o': outpath = optarg; break;
		case 'c':
			if (out_parse_count("plot", optarg, &count) < 0)
				return EX_USAGE;
			break;
		case 'g': {
			static const char *const names[] = {
#define PLOT_X(id, name) name,
				PLOT_KINDS(PLOT_X)
#undef PLOT_X
				NULL
			};
			if ((kind = out_choice("plot", "graph", optarg, names)) < 0)
				return EX_USAGE;
			break;
		}
		case 'D': {
			static const char *const names[] = { "c2s", "s2c", "both",
							     NULL };
			int k = out_choice("plot", "direction", optarg, names);
			if (k < 0)
				return EX_USAGE;
			dirs = k == 0 ? PLOT_C2S : k == 1 ? PLOT_S2C
							  : PLOT_C2S | PLOT_S2C;
			break;
		}
		case 's':
			if (parse_size(optarg, &width, &height) != 0) {
				fprintf(stderr, "tcpscope plot: bad --size '%s'"
						" (WxH, 320x240 to 20000x20000)\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case 'h': fputs(plot_usage, stdout); return EX_OK;
		default:
			return out_bad_option("plot", opt, argv);
		}
	}
	/* FLOW is one word, or two endpoints; with -r, the words after it
	 * are a BPF filter (as read's and timeline's). */
	int nargs = argc - optind, fw = fsel_flow_words(argv + optind, nargs);
	if (nargs < 1 || (nargs > fw && !file)) {
		fprintf(stderr, "tcpscope plot: %s (try --help)\n",
			nargs < 1 ? "which FLOW?"
				  : "too many arguments (a filter expression"
				    " after FLOW needs -r)");
		return EX_USAGE;
	}
	if (!outpath) {
		fprintf(stderr, "tcpscope plot: where to? -o FILE.svg (or -o -"
				" for standard output)\n");
		return EX_USAGE;
	}
	if (dbpath && file) {
		fprintf(stderr, "tcpscope plot: -d and -r exclude each other\n");
		return EX_USAGE;
	}
	if (count && !file) {
		fprintf(stderr, "tcpscope plot: -c counts the packets read"
				" with -r\n");
		return EX_USAGE;
	}
	char *filter = cap_filter_words(argv + optind + fw, nargs - fw);
	if (filter && cap_check_filter(filter, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope plot: bad filter expression '%s':"
				" %s\n", filter, err);
		free(filter);
		return EX_USAGE;
	}
	nargs = fw;
	struct store *st;
	if (file) {
		char *files[1] = { file };
		int partial;
		/* Only the labels: the segments are read again from the file,
		 * through the same filter. */
		rc = fsel_open_capture(files, 1, FSEL_KEEP_EVENTS, count, filter,
				       &st, &partial, err, sizeof err);
		if (rc == 0 && partial)
			fprintf(stderr, "tcpscope plot: warning: %s\n", err);
	} else {
		rc = fsel_open_db(dbpath, &st, err, sizeof err);
	}
	if (rc != 0) {
		free(filter);
		out_errline("tcpscope plot", err);
		return rc;
	}
	sqlite3 *db = store_db(st);
	struct plot *p = NULL;
	FILE *out = NULL;
	int64_t id;
	struct plotq_conn c;
	rc = fsel_find_flow(db, nargs, argv + optind, &id, err, sizeof err);
	if (rc == 0 && plotq_conn(db, id, &c) != 0) {
		snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
		rc = EX_DB;
	}
	if (rc != 0)
		goto out;
	if (!dirs)
		dirs = c.bytes[1] > c.bytes[0] ? PLOT_S2C : PLOT_C2S;
	struct plot_opts po = { kind, dirs, width, height };
	struct plot_conn pc = { c.id, c.client, c.server, c.capture, c.first_ts,
				c.last_ts, { c.ws[0], c.ws[1] } };
	if (!(p = plot_new(&po, &pc, err, sizeof err))) {
		rc = EX_FAIL;
		goto out;
	}
	/* The output is opened before the work, so that a path that cannot
	 * be written fails at once; it is removed again on failure. It must
	 * not be what is read: opening it would empty it. */
	int to_stdout = strcmp(outpath, "-") == 0;
	const char *inputs[] = { file, capture, c.capture, dbpath };
	for (size_t i = 0; !to_stdout && i < sizeof inputs / sizeof inputs[0];
	     i++) {
		if (inputs[i] && same_file(outpath, inputs[i])) {
			snprintf(err, sizeof err, "-o %s is the file read (%s)",
				 outpath, inputs[i]);
			rc = EX_USAGE;
			goto out;
		}
	}
	out = to_stdout ? stdout : fopen(outpath, "w");
	if (!out) {
		snprintf(err, sizeof err, "cannot write %s: %s", outpath,
			 strerror(errno));
		rc = EX_FAIL;
		goto out;
	}
	rc = draw(db, &c, capture, filter, p, err, sizeof err);
	if (rc == 0 && plot_finish(p, out, err, sizeof err) != 0) {
		snprintf(err, sizeof err, "cannot write %s: %s",
			 to_stdout ? "standard output" : outpath,
			 errno ? strerror(errno) : "write error");
		rc = EX_FAIL;
	}
	if (!to_stdout) {
		if (fclose(out) != 0 && rc == 0) {
			snprintf(err, sizeof err, "cannot write %s: %s", outpath,
				 strerror(errno));
			rc = EX_FAIL;
		}
		if (rc != 0)
			remove(outpath);
	}
out:
	if (rc != 0)
		out_errline("tcpscope plot", err);
	plot_free(p);
	store_close(st);
	free(filter);
	return rc;
}
