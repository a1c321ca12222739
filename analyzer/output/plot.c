/*
 * plot.c - the pictures of plot.h, drawn with svg.h.
 *
 *   +---------------------------------------------------------------+
 *   | title: flow, endpoints, graph; capture                        |
 *   | client  |SYN-SENT      |ESTABLISHED             |FIN-WAIT-1  |  band
 *   | server  |SYN-RECEIVED  |ESTABLISHED                 |...     |
 *   |   ^                                                           |
 *   | y |        plot area: series and marks                        |
 *   |   +------------------------------------------------------> t  |
 *   | legend                                                        |
 *   +---------------------------------------------------------------+
 *
 * The x axis is always time relative to the connection's first packet
 * (its row's first_ts .. last_ts, known before any segment is read). The
 * y range is measured in pass 0 and drawn in pass 1.
 *
 * Sequence numbers are made relative and unwrapped: each direction's
 * numbers are counted from the first one seen in that sequence space (the
 * SYN's when captured; an ACK's when the peer's ACK comes first), and
 * each later number as the signed 32-bit step from the previous one, so
 * that a transfer beyond 4 GiB still climbs. Both passes do this alike.
 *
 * Bounded work per pixel column: a series that is a line (ACKs, window
 * edge, SRTT, in-flight) writes at most four points per column (entering
 * level, lowest, highest, leaving level: struct stepper); data bars of
 * one column are merged into one (struct bar) unless labelled; RTT
 * samples of one column become one bar from the lowest to the highest.
 * Throughput is counted into a fixed number of time bins.
 *
 * RTT samples are measured here, from the segments, as tcptrace does: an
 * ACK that covers data gives the time since the newest segment it covers
 * was sent, unless that data was sent again (Karn's rule); at most
 * RTT_RING segments are awaited at once (older ones give no sample).
 */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../tcpcore/tcpcore.h"
#include "svg.h"

const char *plot_kind_name(int kind)
{
	static const char *const names[] = {
#define PLOT_X(id, name) name,
		PLOT_KINDS(PLOT_X)
#undef PLOT_X
	};
	return kind >= 0 && kind < PLOT__COUNT ? names[kind] : NULL;
}

/* Layers, lowest first. */
enum {
	L_GRID,
	L_SACK,
	L_P0, /* six layers for lines: a path each */
	L_DATA = L_P0 + 6,
	L_MARK,
	L_BAND,
	L_TOP,
	L__COUNT
};

static const char plot_style[] =
	"text { font-family: sans-serif; font-size: 11px; fill: #222; }\n"
	".background { fill: #fff; }\n"
	".title { font-size: 14px; font-weight: bold; }\n"
	".subtitle { font-size: 11px; fill: #555; }\n"
	".frame { fill: none; stroke: #888; }\n"
	".grid { stroke: #e4e4e4; }\n"
	".tick { fill: #444; font-size: 10px; }\n"
	".axis-title { fill: #444; }\n"
	".lane { fill: #f4f4f4; }\n"
	".lane-name { fill: #444; font-size: 10px; }\n"
	".state line { stroke: #2a7; stroke-width: 1.5; }\n"
	".state text { fill: #176; font-size: 9px; }\n"
	".empty { fill: #999; font-size: 14px; }\n"
	"path { fill: none; }\n"
	".data { stroke: #000; stroke-width: 1.5; }\n"
	".data.s2c { stroke: #235; }\n"
	".ack { stroke: #0a0; }\n"
	".window { stroke: #c80; }\n"
	".sack { stroke: #a0a; stroke-width: 3; opacity: 0.6; }\n"
	".throughput { stroke: #36c; }\n"
	".goodput { stroke: #0a0; }\n"
	".average { stroke: #c33; stroke-dasharray: 6 3; }\n"
	".sample { stroke: #36c; stroke-width: 3; stroke-linecap: round; }\n"
	".srtt { stroke: #c33; }\n"
	".rtt-min { stroke: #0a0; stroke-dasharray: 6 3; }\n"
	".inflight { stroke: #36c; }\n"
	".cwnd { stroke: #c33; }\n"
	".s2c.ack, .s2c.window, .s2c.throughput, .s2c.inflight { stroke-dasharray: 4 2; }\n"
	".mark { fill: #e22; stroke: none; }\n"
	".fast-retransmission { fill: #f80; }\n"
	".spurious-retransmission { fill: none; stroke: #e22; }\n"
	".out-of-order, .previous-segment-not-captured { fill: #60c; }\n"
	".zero-window, .zero-window-probe, .zero-window-probe-ack,"
	" .window-full { fill: #c80; }\n"
	".dup-ack { fill: #0a0; }\n"
	".window-update, .keep-alive, .keep-alive-ack, .acked-unseen"
	" { fill: #36c; }\n"
	".legend-box { fill: #fff; stroke: #ccc; }\n";

#define RTT_RING 8192

struct stepper {
	int layer, active, has_prev;
	int col;
	double first, last, lo, hi, prev;
};

struct bar {
	int active, col;
	int64_t lo, hi;
};

struct unwrap {
	int init;
	uint32_t last32;
	int64_t last64;
};

struct rtt_entry {
	int64_t end, ts;
	int valid;
};

/* One sequence space (the data of one direction, and the peer's ACKs). */
struct space {
	int have_base;
	uint32_t base;
	struct unwrap useq, uack;
	int64_t highest; /* unwrapped end of the data sent so far */
	int have_highest;
	int64_t last_ack;
	int have_ack;
	struct bar bar;
	struct stepper s_ack, s_win, s_cwnd;
	/* The congestion window estimate (window graph): cw bytes; a loss
	 * event's recovery point cw_rec (-1: none running); the largest
	 * segment, for the floor of two segments. */
	int64_t cw, cw_rec, maxlen;
	/* RTT */
	struct rtt_entry *ring;
	size_t rhead, rn;
	double srtt;
	int have_srtt;
	int64_t rtt_min, rtt_max;
	uint64_t rtt_n;
	struct bar sbar;
	/* throughput bins: wire and new bytes */
	uint64_t *wire, *good;
	uint64_t wire_total, good_total;
};

struct plot {
	struct plot_opts o;
	int64_t id, first_ts, last_ts;
	char client[80], server[80], capture[512];
	int ws[2];
	int pass;
	struct space sp[2];
	/* measured in pass 0 */
	double vmin, vmax;
	int have_v;
	double wmax; /* the highest window edge (tsg) */
	int have_w;
	uint64_t labels_seen;
	uint64_t nseg[2];
	/* geometry */
	double x0, x1, y0, y1, band_top;
	size_t nbins;
	/* drawing */
	struct svg *svg;
	uint64_t elements;
	double lane_text_end[2];
	uint64_t ntrans;
};

/* ---- Small helpers ------------------------------------------------------ */

static int64_t uw_first(uint32_t x, uint32_t base)
{
	uint32_t d = x - base;
	return d < 0x80000000u ? (int64_t)d : (int64_t)d - 0x100000000LL;
}

static int64_t uw_feed(struct unwrap *u, uint32_t x, uint32_t base)
{
	if (!u->init) {
		u->init = 1;
		u->last64 = uw_first(x, base);
	} else {
		u->last64 += (int32_t)(x - u->last32);
	}
	u->last32 = x;
	return u->last64;
}

static int64_t uw_peek(const struct unwrap *u, uint32_t x, uint32_t base)
{
	if (!u->init)
		return uw_first(x, base);
	return u->last64 + (int32_t)(x - u->last32);
}

static int wanted(const struct plot *p, int dir)
{
	return (p->o.dirs >> dir) & 1;
}

static const char *dname(int dir)
{
	return dir ? "s2c" : "c2s";
}

static double span_ns(const struct plot *p)
{
	double s = (double)p->last_ts - (double)p->first_ts;
	return s > 0 ? s : 1e6; /* a one-packet flow: one millisecond */
}

static double gx(const struct plot *p, int64_t ts)
{
	double f = ((double)ts - (double)p->first_ts) / span_ns(p);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return p->x0 + f * (p->x1 - p->x0);
}

static int gcol(const struct plot *p, int64_t ts)
{
	return (int)floor(gx(p, ts));
}

/* The y of value v, kept within the plot area (a window edge far above
 * the data runs along the top). */
static double gy(const struct plot *p, double v)
{
	double r = p->vmax - p->vmin;
	double f = r > 0 ? (v - p->vmin) / r : 0;
	if (f < -0.01)
		f = -0.01;
	if (f > 1.01)
		f = 1.01;
	return p->y1 - f * (p->y1 - p->y0);
}

static void measure(struct plot *p, double v)
{
	if (!p->have_v) {
		p->vmin = p->vmax = v;
		p->have_v = 1;
		return;
	}
	if (v < p->vmin)
		p->vmin = v;
	if (v > p->vmax)
		p->vmax = v;
}

/* ---- Lines: at most four points per column ------------------------------ */

static void step_flush(struct plot *p, struct stepper *s)
{
	if (!s->active)
		return;
	double x = s->col;
	if (!s->has_prev) {
		svg_path_move(p->svg, s->layer, x, gy(p, s->first));
	} else {
		svg_path_to(p->svg, s->layer, x, gy(p, s->prev));
		if (s->first != s->prev)
			svg_path_to(p->svg, s->layer, x, gy(p, s->first));
	}
	if (s->lo != s->first)
		svg_path_to(p->svg, s->layer, x, gy(p, s->lo));
	if (s->hi != s->lo)
		svg_path_to(p->svg, s->layer, x, gy(p, s->hi));
	if (s->last != s->hi)
		svg_path_to(p->svg, s->layer, x, gy(p, s->last));
	s->prev = s->last;
	s->has_prev = 1;
	s->active = 0;
}

/* A value of the line at column col (pass 1), or a measure (pass 0). */
static void step_add(struct plot *p, struct stepper *s, int col, double v)
{
	if (p->pass == 0) {
		measure(p, v);
		return;
	}
	if (s->active && s->col != col)
		step_flush(p, s);
	if (!s->active) {
		s->active = 1;
		s->col = col;
		s->first = s->lo = s->hi = v;
	}
	if (v < s->lo)
		s->lo = v;
	if (v > s->hi)
		s->hi = v;
	s->last = v;
}

static void step_begin(struct plot *p, struct stepper *s, int layer,
		       const char *cls, int dir)
{
	memset(s, 0, sizeof *s);
	s->layer = layer;
	char c[64];
	snprintf(c, sizeof c, "%s %s", cls, dname(dir));
	svg_path_begin(p->svg, layer, c);
}

static void step_end(struct plot *p, struct stepper *s)
{
	if (!p->svg)
		return;
	step_flush(p, s);
	svg_path_end(p->svg, s->layer);
}

/* ---- Data bars ---------------------------------------------------------- */

static void bar_draw(struct plot *p, int dir, int x, int64_t lo, int64_t hi,
		     const char *cls)
{
	char c[48];
	snprintf(c, sizeof c, "%s %s", cls, dname(dir));
	double ylo = gy(p, (double)lo), yhi = gy(p, (double)hi);
	if (ylo - yhi < 1) /* at least a pixel tall */
		yhi = ylo - 1;
	svg_line(p->svg, L_DATA, c, x + 0.5, ylo, x + 0.5, yhi);
	p->elements++;
}

static void bar_flush(struct plot *p, int dir, struct bar *b, const char *cls)
{
	if (!b->active)
		return;
	bar_draw(p, dir, b->col, b->lo, b->hi, cls);
	b->active = 0;
}

static void bar_add(struct plot *p, int dir, struct bar *b, int col,
		    int64_t lo, int64_t hi, const char *cls)
{
	if (b->active && b->col != col)
		bar_flush(p, dir, b, cls);
	if (!b->active) {
		b->active = 1;
		b->col = col;
		b->lo = lo;
		b->hi = hi;
		return;
	}
	if (lo < b->lo)
		b->lo = lo;
	if (hi > b->hi)
		b->hi = hi;
}

/* ---- Construction ------------------------------------------------------- */

struct plot *plot_new(const struct plot_opts *opts,
		      const struct plot_conn *conn, char *err, size_t errlen)
{
	struct plot *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->o = *opts;
	if (p->o.width < 320)
		p->o.width = 320;
	if (p->o.height < 240)
		p->o.height = 240;
	p->id = conn->id;
	p->first_ts = conn->first_ts;
	p->last_ts = conn->last_ts > conn->first_ts ? conn->last_ts
						    : conn->first_ts;
	snprintf(p->client, sizeof p->client, "%s", conn->client ? conn->client : "?");
	snprintf(p->server, sizeof p->server, "%s", conn->server ? conn->server : "?");
	snprintf(p->capture, sizeof p->capture, "%s", conn->capture ? conn->capture : "");
	p->ws[0] = conn->ws[0];
	p->ws[1] = conn->ws[1];
	/* Geometry: title 2 lines, band 2 lanes, plot, axis, legend. */
	p->x0 = 86;
	p->x1 = p->o.width - 24;
	p->band_top = 44;
	p->y0 = p->band_top + 2 * 16 + 14;
	p->y1 = p->o.height - 78;
	p->nbins = (size_t)((p->x1 - p->x0) / 4);
	if (p->nbins < 1)
		p->nbins = 1;
	for (int d = 0; d < 2; d++) {
		struct space *s = &p->sp[d];
		if (p->o.kind == PLOT_RTT &&
		    !(s->ring = calloc(RTT_RING, sizeof *s->ring)))
			goto oom;
		if (p->o.kind == PLOT_THROUGHPUT &&
		    (!(s->wire = calloc(p->nbins, sizeof *s->wire)) ||
		     !(s->good = calloc(p->nbins, sizeof *s->good))))
			goto oom;
	}
	return p;
oom:
	plot_free(p);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void plot_free(struct plot *p)
{
	if (!p)
		return;
	for (int d = 0; d < 2; d++) {
		free(p->sp[d].ring);
		free(p->sp[d].wire);
		free(p->sp[d].good);
	}
	svg_free(p->svg);
	free(p);
}

uint64_t plot_elements(const struct plot *p)
{
	return p->elements;
}

/* ---- Axes --------------------------------------------------------------- */

/* A step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double nice_step(double range, int n)
{
	if (!(range > 0))
		return 1;
	double raw = range / n;
	double mag = pow(10, floor(log10(raw)));
	double f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

enum unit { U_TIME_NS, U_BYTES, U_BITRATE };

/* Tick label of v (in the unit's base: ns, bytes, bit/s) for a step. */
static void tick_text(char *buf, size_t len, double v, double step, int unit)
{
	static const char *const bytes[] = { "B", "kB", "MB", "GB", "TB" };
	static const char *const bits[] = { "bit/s", "kbit/s", "Mbit/s",
					    "Gbit/s", "Tbit/s" };
	double div = 1;
	const char *name;
	if (unit == U_TIME_NS) {
		if (step >= 1e9) {
			div = 1e9;
			name = "s";
		} else if (step >= 1e6) {
			div = 1e6;
			name = "ms";
		} else if (step >= 1e3) {
			div = 1e3;
			name = "us";
		} else {
			name = "ns";
		}
	} else {
		int k = 0;
		double a = step;
		while (a >= 1000 && k < 4) {
			a /= 1000;
			div *= 1000;
			k++;
		}
		name = unit == U_BYTES ? bytes[k] : bits[k];
	}
	double s = step / div;
	int dec = s >= 1 ? 0 : (int)ceil(-log10(s) - 1e-9);
	if (dec > 6)
		dec = 6;
	double x = v / div;
	if (fabs(x) < 1e-12)
		x = 0;
	snprintf(buf, len, "%.*f %s", dec, x, name);
}

static void axes(struct plot *p, const char *ytitle, int yunit)
{
	struct svg *g = p->svg;
	svg_group(g, L_GRID, "axes", NULL);
	/* x: time since the first packet. */
	double span = span_ns(p);
	double st = nice_step(span, 8);
	for (double t = 0; t <= span * (1 + 1e-9); t += st) {
		double x = p->x0 + t / span * (p->x1 - p->x0);
		char b[48];
		svg_line(g, L_GRID, "grid", x, p->y0, x, p->y1);
		tick_text(b, sizeof b, t, st, U_TIME_NS);
		svg_text(g, L_GRID, "tick", x, p->y1 + 14, "middle", 0, b);
	}
	svg_text(g, L_GRID, "axis-title", (p->x0 + p->x1) / 2, p->y1 + 30,
		 "middle", 0, "time since the first packet");
	/* y */
	double r = p->vmax - p->vmin;
	double sy = nice_step(r, 6);
	for (double v = ceil(p->vmin / sy) * sy; v <= p->vmax + r * 1e-9;
	     v += sy) {
		double y = gy(p, v);
		char b[48];
		svg_line(g, L_GRID, "grid", p->x0, y, p->x1, y);
		tick_text(b, sizeof b, v, sy, yunit);
		svg_text(g, L_GRID, "tick", p->x0 - 4, y + 3, "end", 0, b);
	}
	svg_text(g, L_GRID, "axis-title", 14, (p->y0 + p->y1) / 2, "middle",
		 -90, ytitle);
	svg_rect(g, L_GRID, "frame", p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
	svg_group_end(g, L_GRID);
}

/* ---- Passes ------------------------------------------------------------- */

static const char *const kind_title[PLOT__COUNT] = {
	"time-sequence graph", "throughput", "round-trip time",
	"window and bytes in flight",
};

static void title(struct plot *p)
{
	char t[1024];
	const char *d = p->o.dirs == (PLOT_C2S | PLOT_S2C) ? "both directions"
			: p->o.dirs == PLOT_C2S ? "client to server"
						: "server to client";
	snprintf(t, sizeof t, "flow %lld  %s \xe2\x86\x92 %s  %s, %s",
		 (long long)p->id, p->client, p->server, kind_title[p->o.kind], d);
	svg_text(p->svg, L_TOP, "title", 10, 18, "start", 0, t);
	snprintf(t, sizeof t, "capture %s", p->capture[0] ? p->capture : "-");
	svg_text(p->svg, L_TOP, "subtitle", 10, 33, "start", 0, t);
}

static void band(struct plot *p)
{
	svg_group(p->svg, L_BAND, "band", NULL);
	static const char *const lane[2] = { "client", "server" };
	for (int s = 0; s < 2; s++) {
		double y = p->band_top + 16 * s;
		svg_rect(p->svg, L_BAND, "lane", p->x0, y, p->x1 - p->x0, 14);
		svg_text(p->svg, L_BAND, "lane-name", p->x0 - 4, y + 10, "end",
			 0, lane[s]);
		p->lane_text_end[s] = -1e9;
	}
}

/* The y range of the kind's values, measured in pass 0, with margins. */
static void settle_range(struct plot *p)
{
	if (!p->have_v) {
		p->vmin = 0;
		p->vmax = 1;
	}
	/* Rates, times and sizes start at 0; sequence numbers where they
	 * do (below 0 when a segment precedes the first one seen). */
	if (p->o.kind != PLOT_TSG)
		p->vmin = 0;
	if (p->vmax <= p->vmin)
		p->vmax = p->vmin + 1;
	/* The window edge may lie far above the data: it raises the range
	 * by half of it at most (beyond, it runs along the top). */
	if (p->have_w && p->wmax > p->vmax) {
		double lim = p->vmax + (p->vmax - p->vmin) / 2;
		p->vmax = p->wmax < lim ? p->wmax : lim;
	}
	p->vmax += (p->vmax - p->vmin) * 0.03;
}

static void spaces_reset(struct plot *p)
{
	for (int d = 0; d < 2; d++) {
		struct space *s = &p->sp[d];
		memset(&s->useq, 0, sizeof s->useq);
		memset(&s->uack, 0, sizeof s->uack);
		s->have_highest = s->have_ack = 0;
		s->highest = s->last_ack = 0;
		memset(&s->bar, 0, sizeof s->bar);
		memset(&s->sbar, 0, sizeof s->sbar);
		s->rhead = s->rn = 0;
		s->have_srtt = 0;
		s->srtt = 0;
		s->cw = s->maxlen = 0;
		s->cw_rec = -1;
	}
}

int plot_pass(struct plot *p, int pass, char *err, size_t errlen)
{
	p->pass = pass;
	spaces_reset(p);
	if (pass == 0)
		return 0;
	if (p->o.kind == PLOT_THROUGHPUT) {
		/* The bins were filled in pass 0: the range is theirs. */
		double bin_s = span_ns(p) / 1e9 / (double)p->nbins;
		p->have_v = 0;
		measure(p, 0);
		for (int d = 0; d < 2; d++)
			for (size_t i = 0; wanted(p, d) && i < p->nbins; i++)
				measure(p, (double)p->sp[d].wire[i] * 8 / bin_s);
	}
	if (p->o.kind == PLOT_RTT) {
		p->have_v = 0;
		measure(p, 0);
		for (int d = 0; d < 2; d++)
			if (p->sp[d].rtt_n)
				measure(p, (double)p->sp[d].rtt_max);
	}
	settle_range(p);
	char t[1024];
	snprintf(t, sizeof t, "tcpscope flow %lld %s %s -> %s", (long long)p->id,
		 plot_kind_name(p->o.kind), p->client, p->server);
	p->svg = svg_new(p->o.width, p->o.height, L__COUNT, plot_style, t, err,
			 errlen);
	if (!p->svg)
		return -1;
	static const char *const ytitle[PLOT__COUNT] = {
		"relative sequence number", "rate", "round-trip time",
		"bytes",
	};
	static const int yunit[PLOT__COUNT] = { U_BYTES, U_BITRATE, U_TIME_NS,
						U_BYTES };
	title(p);
	axes(p, ytitle[p->o.kind], yunit[p->o.kind]);
	band(p);
	svg_group(p->svg, L_MARK, NULL, NULL);
	svg_group(p->svg, L_DATA, NULL, NULL);
	svg_group(p->svg, L_SACK, NULL, NULL);
	for (int d = 0; d < 2; d++) {
		struct space *s = &p->sp[d];
		if (!wanted(p, d))
			continue;
		switch (p->o.kind) {
		case PLOT_TSG:
			step_begin(p, &s->s_win, L_P0 + d, "window", d);
			step_begin(p, &s->s_ack, L_P0 + 2 + d, "ack", d);
			break;
		case PLOT_RTT:
			step_begin(p, &s->s_ack, L_P0 + d, "srtt", d);
			break;
		case PLOT_WINDOW:
			step_begin(p, &s->s_win, L_P0 + d, "window", d);
			step_begin(p, &s->s_ack, L_P0 + 2 + d, "inflight", d);
			step_begin(p, &s->s_cwnd, L_P0 + 4 + d, "cwnd", d);
			break;
		default:
			break;
		}
	}
	if (p->nseg[0] + p->nseg[1] == 0)
		svg_text(p->svg, L_TOP, "empty", (p->x0 + p->x1) / 2,
			 (p->y0 + p->y1) / 2, "middle", 0,
			 "no segment of this connection was found");
	return 0;
}

/* ---- Segments ----------------------------------------------------------- */

static void rtt_sample(struct plot *p, int d, int64_t ts, int64_t rtt)
{
	struct space *s = &p->sp[d];
	if (p->pass == 0) {
		if (!s->rtt_n || rtt < s->rtt_min)
			s->rtt_min = rtt;
		if (!s->rtt_n || rtt > s->rtt_max)
			s->rtt_max = rtt;
		s->rtt_n++;
		return;
	}
	int col = gcol(p, ts);
	bar_add(p, d, &s->sbar, col, rtt, rtt, "sample");
	s->srtt = s->have_srtt ? s->srtt * 7 / 8 + (double)rtt / 8
			       : (double)rtt;
	s->have_srtt = 1;
	step_add(p, &s->s_ack, col, s->srtt);
}

/* Data of space d sent: [lo, hi) at ts. */
static void rtt_sent(struct space *s, int64_t lo, int64_t hi, int64_t ts)
{
	if (!s->have_highest || hi > s->highest) {
		if (s->rn == RTT_RING) { /* the oldest gives no sample */
			s->rhead = (s->rhead + 1) % RTT_RING;
			s->rn--;
		}
		struct rtt_entry *e = &s->ring[(s->rhead + s->rn) % RTT_RING];
		e->end = hi;
		e->ts = ts;
		e->valid = 1;
		s->rn++;
		return;
	}
	/* Sent again: no sample for what it covers (Karn). */
	for (size_t i = 0; i < s->rn; i++) {
		struct rtt_entry *e = &s->ring[(s->rhead + i) % RTT_RING];
		if (e->end > lo)
			e->valid = 0;
	}
}

static void rtt_acked(struct plot *p, int d, int64_t ack, int64_t ts)
{
	struct space *s = &p->sp[d];
	const struct rtt_entry *last = NULL;
	while (s->rn) {
		struct rtt_entry *e = &s->ring[s->rhead];
		if (e->end > ack)
			break;
		last = e;
		s->rhead = (s->rhead + 1) % RTT_RING;
		s->rn--;
	}
	if (last && last->valid && ts >= last->ts)
		rtt_sample(p, d, ts, ts - last->ts);
}

static size_t bin_of(const struct plot *p, int64_t ts)
{
	double f = ((double)ts - (double)p->first_ts) / span_ns(p);
	if (f < 0)
		f = 0;
	size_t b = (size_t)(f * (double)p->nbins);
	return b < p->nbins ? b : p->nbins - 1;
}

/* The congestion window the window graph draws, after data segment g of
 * space s whose data ends at hi (retrans: g lies below the highest byte
 * sent before it): as tcpscope-flows(1) TRANSFER estimates cwnd_max and
 * ssthresh, the largest flight since the last loss event; at a loss event
 * (a retransmission outside a recovery) 0.7 of the flight then (CUBIC's
 * beta), at least two segments, held until the ACK reaches the highest
 * byte sent at that time. */
static int64_t cwnd_estimate(struct space *s, const struct plot_seg *g,
			     int retrans, int64_t fl)
{
	if ((int64_t)g->len > s->maxlen)
		s->maxlen = g->len;
	if (s->cw_rec >= 0 && s->last_ack >= s->cw_rec)
		s->cw_rec = -1;
	if (retrans && s->cw_rec < 0) {
		int64_t c = fl * TC_CUBIC_BETA_NUM / TC_CUBIC_BETA_DEN;
		s->cw = c > 2 * s->maxlen ? c : 2 * s->maxlen;
		s->cw_rec = s->highest;
	} else if (s->cw_rec < 0 && fl > s->cw) {
		s->cw = fl;
	}
	return s->cw;
}

/* The segment as data of its own direction's space. */
static void seg_data(struct plot *p, const struct plot_seg *g)
{
	int d = g->dir;
	struct space *s = &p->sp[d];
	int64_t lo = uw_feed(&s->useq, g->seq, s->base);
	int64_t occ = (int64_t)g->len + !!(g->flags & TC_SYN) +
		      !!(g->flags & TC_FIN);
	int64_t hi = lo + occ;
	int col = gcol(p, g->ts_ns);
	int retrans = g->len > 0 && s->have_highest && hi <= s->highest;
	if (occ > 0) {
		switch (p->o.kind) {
		case PLOT_TSG:
			if (p->pass == 0) {
				measure(p, (double)lo);
				measure(p, (double)hi);
			} else if (g->labelled) {
				/* Alone, and the column's merged bar goes on. */
				bar_draw(p, d, col, lo, hi, "data");
			} else {
				bar_add(p, d, &s->bar, col, lo, hi, "data");
			}
			break;
		case PLOT_THROUGHPUT:
			if (p->pass == 0 && g->len) {
				size_t b = bin_of(p, g->ts_ns);
				int64_t from = s->have_highest && s->highest > lo
						       ? s->highest
						       : lo;
				s->wire[b] += g->len;
				s->wire_total += g->len;
				if (hi > from) {
					uint64_t n = (uint64_t)(hi - from);
					if (n > g->len)
						n = g->len;
					s->good[b] += n;
					s->good_total += n;
				}
			}
			break;
		case PLOT_RTT:
			rtt_sent(s, lo, hi, g->ts_ns);
			break;
		default:
			break;
		}
		if (!s->have_highest || hi > s->highest) {
			s->highest = hi;
			s->have_highest = 1;
		}
	}
	if (p->o.kind == PLOT_WINDOW && s->have_ack) {
		int64_t fl = s->highest - s->last_ack;
		step_add(p, &s->s_ack, col, (double)(fl > 0 ? fl : 0));
		int64_t cw = g->len ? cwnd_estimate(s, g, retrans, fl) : s->cw;
		if (g->cwnd >= 0)
			cw = g->cwnd;
		if (cw > 0)
			step_add(p, &s->s_cwnd, col, (double)cw);
	}
}

/* The segment as the peer's acknowledgement in space d = !g->dir. */
static void seg_ack(struct plot *p, const struct plot_seg *g)
{
	int d = !g->dir;
	struct space *s = &p->sp[d];
	int64_t a = uw_feed(&s->uack, g->ack, s->base);
	s->last_ack = a;
	s->have_ack = 1;
	int col = gcol(p, g->ts_ns);
	int sender = g->dir;
	uint64_t win = tc_window_bytes(g->win, p->ws[sender],
				       (g->flags & TC_SYN) != 0);
	switch (p->o.kind) {
	case PLOT_TSG:
		step_add(p, &s->s_ack, col, (double)a);
		if (p->pass == 0) {
			double e = (double)a + (double)win;
			if (!p->have_w || e > p->wmax)
				p->wmax = e;
			p->have_w = 1;
		} else {
			step_add(p, &s->s_win, col, (double)a + (double)win);
		}
		if (g->nsack) {
			char c[32];
			snprintf(c, sizeof c, "sack %s", dname(d));
			if (p->pass == 1)
				svg_path_begin(p->svg, L_SACK, c);
			for (unsigned i = 0; i < g->nsack && i < 4; i++) {
				int64_t l = a + (int32_t)(g->sack[i][0] - g->ack);
				int64_t r = a + (int32_t)(g->sack[i][1] - g->ack);
				if (p->pass == 0) {
					measure(p, (double)l);
					measure(p, (double)r);
					continue;
				}
				svg_path_move(p->svg, L_SACK, col + 1.5,
					      gy(p, (double)l));
				svg_path_to(p->svg, L_SACK, col + 1.5,
					    gy(p, (double)r));
			}
			if (p->pass == 1) {
				svg_path_end(p->svg, L_SACK);
				p->elements++;
			}
		}
		break;
	case PLOT_RTT:
		rtt_acked(p, d, a, g->ts_ns);
		break;
	case PLOT_WINDOW: {
		step_add(p, &s->s_win, col, (double)win);
		int64_t fl = s->have_highest ? s->highest - a : 0;
		step_add(p, &s->s_ack, col, (double)(fl > 0 ? fl : 0));
		break;
	}
	default:
		break;
	}
}

void plot_segment(struct plot *p, const struct plot_seg *g)
{
	if (g->dir < 0 || g->dir > 1)
		return;
	int d = g->dir;
	if (p->pass == 0) {
		p->nseg[d]++;
		/* The base of each space: the first number seen in it. */
		if (!p->sp[d].have_base) {
			p->sp[d].have_base = 1;
			p->sp[d].base = g->seq;
		}
		if ((g->flags & TC_ACK) && !p->sp[!d].have_base) {
			p->sp[!d].have_base = 1;
			p->sp[!d].base = g->ack;
		}
	}
	if (wanted(p, d))
		seg_data(p, g);
	else
		uw_feed(&p->sp[d].useq, g->seq, p->sp[d].base);
	if (g->flags & TC_ACK) {
		if (wanted(p, !d))
			seg_ack(p, g);
		else
			uw_feed(&p->sp[!d].uack, g->ack, p->sp[!d].base);
	}
}

/* ---- Marks -------------------------------------------------------------- */

enum shape { SH_CIRCLE, SH_DIAMOND, SH_SQUARE, SH_TRIANGLE, SH_CROSS };

static int label_shape(unsigned l)
{
	switch (l) {
	case TC_LB_RETRANSMISSION:
	case TC_LB_FAST_RETRANSMISSION:
	case TC_LB_SPURIOUS_RETRANSMISSION:
	case TC_LB_SYN_RETRANSMISSION:
	case TC_LB_SYNACK_RETRANSMISSION:
	case TC_LB_FIN_RETRANSMISSION:
		return SH_CIRCLE;
	case TC_LB_OUT_OF_ORDER:
	case TC_LB_PREV_NOT_CAPTURED:
	case TC_LB_ACKED_UNSEEN:
		return SH_DIAMOND;
	case TC_LB_ZERO_WINDOW:
	case TC_LB_ZERO_WINDOW_PROBE:
	case TC_LB_ZERO_WINDOW_PROBE_ACK:
	case TC_LB_WINDOW_FULL:
	case TC_LB_WINDOW_UPDATE:
		return SH_SQUARE;
	case TC_LB_DUP_ACK:
	case TC_LB_KEEPALIVE:
	case TC_LB_KEEPALIVE_ACK:
		return SH_TRIANGLE;
	default:
		return SH_CROSS;
	}
}

static void mark_draw(struct plot *p, int layer, const char *cls, int shape,
		      double x, double y)
{
	double r = 3.5;
	switch (shape) {
	case SH_CIRCLE:
		svg_circle(p->svg, layer, cls, x, y, r);
		break;
	case SH_SQUARE:
		svg_rect(p->svg, layer, cls, x - r, y - r, 2 * r, 2 * r);
		break;
	case SH_DIAMOND: {
		double v[] = { x, y - r - 1, x + r + 1, y, x, y + r + 1, x - r - 1, y };
		svg_polygon(p->svg, layer, cls, v, 4);
		break;
	}
	case SH_TRIANGLE: {
		double v[] = { x, y - r, x + r, y + r, x - r, y + r };
		svg_polygon(p->svg, layer, cls, v, 3);
		break;
	}
	default: {
		double v[] = { x - r, y - 1, x + r, y - 1, x + r, y + 1,
			       x - r, y + 1 };
		svg_polygon(p->svg, layer, cls, v, 4);
		break;
	}
	}
}

void plot_event(struct plot *p, const struct plot_event *e)
{
	if (e->dir < 0 || e->dir > 1 || e->label >= TC_LB__COUNT)
		return;
	if (e->label == TC_LB_SACK || e->label == TC_LB_DSACK)
		return;
	if (e->label < 64)
		p->labels_seen |= 1ull << e->label;
	if (p->o.kind != PLOT_TSG)
		return;
	int d = e->dir;
	/* At its data in its own space, or at its ACK in the peer's. */
	double v;
	if (wanted(p, d) && (e->len > 0 || !wanted(p, !d))) {
		const struct space *s = &p->sp[d];
		v = (double)uw_peek(&s->useq, e->seq + e->len, s->base);
	} else {
		const struct space *s = &p->sp[!d];
		v = (double)uw_peek(&s->uack, e->ack, s->base);
	}
	/* Marks do not stretch the range: a reset far out of the window
	 * would squash the data; one beyond it sits on the edge. */
	if (p->pass == 0)
		return;
	char cls[80];
	snprintf(cls, sizeof cls, "mark %s %s%s", tc_label_name(e->label),
		 dname(d), e->revised ? " revised" : "");
	mark_draw(p, L_MARK, cls, label_shape(e->label), gx(p, e->ts_ns),
		  gy(p, v));
	p->elements++;
}

/* ---- The band of state changes ------------------------------------------ */

void plot_transition(struct plot *p, int64_t ts_ns, int side,
		     const char *from, const char *to)
{
	if (p->pass != 1 || !p->svg || side < 0 || side > 1)
		return;
	char cls[32], tip[160], rel[32];
	snprintf(cls, sizeof cls, "state %s", side ? "server" : "client");
	double x = gx(p, ts_ns), y = p->band_top + 16 * side;
	snprintf(rel, sizeof rel, "%.6f s",
		 ((double)ts_ns - (double)p->first_ts) / 1e9);
	snprintf(tip, sizeof tip, "%s %s -> %s at %s",
		 side ? "server" : "client", from ? from : "?", to ? to : "?",
		 rel);
	svg_group(p->svg, L_BAND, NULL, cls);
	svg_tooltip(p->svg, L_BAND, tip);
	svg_line(p->svg, L_BAND, "tick", x, y, x, y + 14);
	/* The name when it fits before the next change is drawn over it. */
	double w = 5.2 * (double)strlen(to ? to : "?") + 4;
	if (x >= p->lane_text_end[side] && x + w <= p->x1 + 20) {
		svg_text(p->svg, L_BAND, "name", x + 2, y + 10, "start", 0, to);
		p->lane_text_end[side] = x + w;
	}
	svg_group_end(p->svg, L_BAND);
	p->ntrans++;
	p->elements++;
}

/* ---- Finishing ---------------------------------------------------------- */

static void draw_throughput(struct plot *p)
{
	double bin_s = span_ns(p) / 1e9 / (double)p->nbins;
	double bw = (p->x1 - p->x0) / (double)p->nbins;
	for (int d = 0; d < 2; d++) {
		struct space *s = &p->sp[d];
		if (!wanted(p, d))
			continue;
		for (int k = 0; k < 2; k++) {
			const uint64_t *v = k ? s->good : s->wire;
			char c[48];
			snprintf(c, sizeof c, "%s %s", k ? "goodput" : "throughput",
				 dname(d));
			int layer = L_P0 + 2 * k + d;
			svg_path_begin(p->svg, layer, c);
			for (size_t i = 0; i < p->nbins; i++) {
				double y = gy(p, (double)v[i] * 8 / bin_s);
				double x = p->x0 + (double)i * bw;
				if (i == 0)
					svg_path_move(p->svg, layer, x, y);
				else
					svg_path_to(p->svg, layer, x, y);
				svg_path_to(p->svg, layer, x + bw, y);
			}
			svg_path_end(p->svg, layer);
			double avg = (double)(k ? s->good_total : s->wire_total) *
				     8 / (span_ns(p) / 1e9);
			snprintf(c, sizeof c, "average %s %s",
				 k ? "goodput" : "throughput", dname(d));
			svg_line(p->svg, L_P0 + 4 + d, c, p->x0, gy(p, avg),
				 p->x1, gy(p, avg));
			p->elements++;
		}
	}
}

struct legend_item {
	const char *cls;
	int shape; /* -1 a line */
	const char *text;
};

static void legend(struct plot *p)
{
	struct legend_item it[48];
	size_t n = 0;
	switch (p->o.kind) {
	case PLOT_TSG:
		it[n++] = (struct legend_item){ "data", -1, "data" };
		it[n++] = (struct legend_item){ "ack", -1, "ACK" };
		it[n++] = (struct legend_item){ "window", -1, "window edge" };
		it[n++] = (struct legend_item){ "sack", -1, "SACK" };
		break;
	case PLOT_THROUGHPUT:
		it[n++] = (struct legend_item){ "throughput", -1, "throughput" };
		it[n++] = (struct legend_item){ "goodput", -1, "goodput" };
		it[n++] = (struct legend_item){ "average", -1, "average" };
		break;
	case PLOT_RTT:
		it[n++] = (struct legend_item){ "sample", -1, "samples" };
		it[n++] = (struct legend_item){ "srtt", -1, "smoothed" };
		it[n++] = (struct legend_item){ "rtt-min", -1, "minimum" };
		break;
	default:
		it[n++] = (struct legend_item){ "window", -1, "advertised window" };
		it[n++] = (struct legend_item){ "inflight", -1, "bytes in flight" };
		it[n++] = (struct legend_item){ "cwnd", -1, "cwnd (estimate)" };
		break;
	}
	it[n++] = (struct legend_item){ "state", -2, "state change" };
	for (unsigned l = 0; p->o.kind == PLOT_TSG && l < TC_LB__COUNT && l < 64 &&
			     n < sizeof it / sizeof it[0];
	     l++)
		if (p->labels_seen >> l & 1)
			it[n++] = (struct legend_item){ tc_label_name(l),
							label_shape(l),
							tc_label_name(l) };
	struct svg *g = p->svg;
	svg_group(g, L_TOP, "legend", NULL);
	double x = p->x0, y = p->y1 + 44;
	for (size_t i = 0; i < n; i++) {
		double w = 6.8 * (double)strlen(it[i].text) + 36;
		if (x + w > p->x1 && x > p->x0) {
			x = p->x0;
			y += 14;
		}
		if (y > p->o.height - 4)
			break;
		char c[80];
		if (it[i].shape == -1) {
			/* "key", not a direction: a legend's sample is not
			 * counted as one of the plot's elements. */
			snprintf(c, sizeof c, "%s key", it[i].cls);
			svg_line(g, L_TOP, c, x, y - 4, x + 18, y - 4);
		} else if (it[i].shape == -2) {
			svg_rect(g, L_TOP, "lane", x, y - 9, 18, 10);
			svg_group(g, L_TOP, NULL, "state key");
			svg_line(g, L_TOP, "tick", x + 9, y - 9, x + 9, y + 1);
			svg_group_end(g, L_TOP);
		} else {
			snprintf(c, sizeof c, "mark %s key", it[i].cls);
			mark_draw(p, L_TOP, c, it[i].shape, x + 9, y - 4);
		}
		svg_text(g, L_TOP, "legend-text", x + 22, y, "start", 0,
			 it[i].text);
		x += w;
	}
	svg_group_end(g, L_TOP);
}

int plot_finish(struct plot *p, FILE *out, char *err, size_t errlen)
{
	if (!p->svg) {
		snprintf(err, errlen, "nothing drawn");
		return -1;
	}
	for (int d = 0; d < 2; d++) {
		struct space *s = &p->sp[d];
		if (!wanted(p, d))
			continue;
		bar_flush(p, d, &s->bar, "data");
		bar_flush(p, d, &s->sbar, "sample");
		step_end(p, &s->s_win);
		step_end(p, &s->s_ack);
		if (p->o.kind == PLOT_WINDOW)
			step_end(p, &s->s_cwnd);
		if (p->o.kind == PLOT_RTT && s->rtt_n) {
			char c[32];
			snprintf(c, sizeof c, "rtt-min %s", dname(d));
			double y = gy(p, (double)s->rtt_min);
			svg_line(p->svg, L_P0 + 4 + d, c, p->x0, y, p->x1, y);
			p->elements++;
		}
	}
	if (p->o.kind == PLOT_THROUGHPUT)
		draw_throughput(p);
	svg_group_end(p->svg, L_SACK);
	svg_group_end(p->svg, L_DATA);
	svg_group_end(p->svg, L_MARK);
	svg_group_end(p->svg, L_BAND);
	legend(p);
	if (svg_finish(p->svg, out) != 0) {
		snprintf(err, errlen, "write error");
		return -1;
	}
	return 0;
}
