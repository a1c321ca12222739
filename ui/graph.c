/*
 * graph.c - the TUI's time-sequence graph: the open ladder's segment rows
 * rasterized into character cells, each cell a small grid of dots.
 *
 *   cell (braille, U+2800 + bits)      cell (ASCII)
 *     dot (0,0) bit 0  (1,0) bit 4       (0,0) bit 0   '\'' top
 *     dot (0,1) bit 1  (1,1) bit 5       (0,1) bit 1   '.'  bottom
 *     dot (0,2) bit 2  (1,2) bit 6                      ':'  both
 *     dot (0,3) bit 3  (1,3) bit 7
 *
 * Dots are numbered here column-major, bit x * 4 + y; ui_graph_glyph()
 * maps them to Unicode's braille order (dots 1-8). x is time, left to
 * right, over the part of the flow the view shows; y is the relative
 * sequence number of the view's direction, bottom to top, over the range
 * of the rows in view. Data segments are vertical bars from seq to
 * seq + len; the peer's acknowledgement number is a dot; a row with an
 * anomaly label colours its cells (UI_GR_LABEL wins over data, data over
 * ACKs). Pure: no curses, no allocation; draw.c paints the cells.
 */
#include <string.h>

#include "ui.h"

static int is_ack(const struct ui_row *r)
{
	return !r->has_flags || strchr(r->flags, 'A') != NULL;
}

/* Sequence space the row's segment occupies: its payload, and one for a
 * SYN or a FIN. */
static uint32_t occupies(const struct ui_row *r)
{
	uint32_t n = (uint32_t)(r->len > 0 ? r->len : 0);
	if (r->has_flags)
		n += (strchr(r->flags, 'S') != NULL) + (strchr(r->flags, 'F') != NULL);
	return n;
}

/* The row's time as a fraction of the flow's [t0, t1]. */
static double tfrac(int64_t ts, int64_t t0, int64_t t1)
{
	double span = (double)t1 - (double)t0;
	if (span <= 0)
		return 0.5; /* one instant: the middle */
	return ((double)ts - (double)t0) / span;
}

static void dot(struct ui_cell *cells, int w, int h, int cw, int ch, long px,
		long py, int role)
{
	long W = (long)w * cw, H = (long)h * ch;
	if (px < 0 || px >= W || py < 0 || py >= H)
		return;
	/* py counts from the bottom. */
	long row = (H - 1 - py) / ch, col = px / cw;
	int dy = (int)((H - 1 - py) % ch), dx = (int)(px % cw);
	struct ui_cell *c = &cells[row * w + col];
	c->dots |= (uint8_t)(1u << (dx * 4 + dy));
	if (role > c->role)
		c->role = (uint8_t)role;
}

size_t ui_graph_render(const struct ui_ladder *l, const struct ui_graph *g,
		       int w, int h, int cw, int ch, struct ui_cell *cells,
		       uint32_t *ylo, uint32_t *yhi)
{
	if (w < 1 || h < 1)
		return 0;
	if (cw < 1 || cw > 2)
		cw = 1;
	if (ch < 1 || ch > 4)
		ch = 2;
	memset(cells, 0, (size_t)w * (size_t)h * sizeof *cells);
	int64_t t0 = l->n ? l->rows[0].ts_ns : 0, t1 = t0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->rows[i].ts_ns < t0)
			t0 = l->rows[i].ts_ns;
		if (l->rows[i].ts_ns > t1)
			t1 = l->rows[i].ts_ns;
	}
	double from = g->from, to = g->to;
	if (!(to - from >= UI_GRAPH_MIN_SPAN)) {
		from = 0;
		to = 1;
	}
	/* The y range: the rows in view. */
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct ui_row *r = &l->rows[i];
		double f = tfrac(r->ts_ns, t0, t1);
		if (!r->has_seq || f < from || f > to)
			continue;
		if (r->dir == g->dir) {
			uint32_t e = r->seq + occupies(r);
			if (r->seq < lo)
				lo = r->seq;
			if (e > hi)
				hi = e;
		} else if (r->dir == !g->dir && is_ack(r)) {
			if (r->ack < lo)
				lo = r->ack;
			if (r->ack > hi)
				hi = r->ack;
		}
	}
	if (lo > hi) {
		lo = 0;
		hi = 1;
	}
	if (hi == lo)
		hi = lo + 1;
	*ylo = lo;
	*yhi = hi;
	long W = (long)w * cw, H = (long)h * ch;
	double yscale = (double)(H - 1) / (double)(hi - lo);
	size_t drawn = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct ui_row *r = &l->rows[i];
		double f = tfrac(r->ts_ns, t0, t1);
		if (!r->has_seq || f < from || f > to || r->dir < 0)
			continue;
		long px = (long)((f - from) / (to - from) * (double)(W - 1) + 0.5);
		int label = r->anomaly ? UI_GR_LABEL : 0;
		if (r->dir == g->dir && (occupies(r) > 0 || label)) {
			uint32_t e = r->seq + occupies(r);
			long y0 = (long)((double)(r->seq - lo) * yscale + 0.5);
			long y1 = (long)((double)(e - lo) * yscale + 0.5);
			for (long y = y0; y <= y1; y++)
				dot(cells, w, h, cw, ch, px, y,
				    label ? label : UI_GR_DATA);
			drawn++;
		} else if (r->dir == !g->dir && is_ack(r)) {
			long y = (long)((double)(r->ack - lo) * yscale + 0.5);
			dot(cells, w, h, cw, ch, px, y, label ? label : UI_GR_ACK);
			drawn++;
		}
	}
	return drawn;
}

const char *ui_graph_glyph(const struct ui_cell *c, int utf8, char *buf)
{
	if (!utf8) {
		int top = c->dots & 0x11, bottom = c->dots & 0xee;
		buf[0] = top && bottom ? ':' : top ? '\'' : bottom ? '.' : ' ';
		buf[1] = '\0';
		return buf;
	}
	if (!c->dots) {
		buf[0] = ' ';
		buf[1] = '\0';
		return buf;
	}
	/* Column-major bits to braille dots 1-8: left column dots 1, 2, 3,
	 * 7 (bits 0, 1, 2, 6), right column 4, 5, 6, 8 (bits 3, 4, 5, 7). */
	static const uint8_t map[8] = { 0x01, 0x02, 0x04, 0x40,
					0x08, 0x10, 0x20, 0x80 };
	unsigned b = 0;
	for (int i = 0; i < 8; i++)
		if (c->dots & (1u << i))
			b |= map[i];
	unsigned cp = 0x2800 + b;
	buf[0] = (char)(0xe0 | (cp >> 12));
	buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[2] = (char)(0x80 | (cp & 0x3f));
	buf[3] = '\0';
	return buf;
}

static void clamp(struct ui_graph *g)
{
	double span = g->to - g->from;
	if (!(span >= UI_GRAPH_MIN_SPAN))
		span = UI_GRAPH_MIN_SPAN;
	if (span > 1)
		span = 1;
	if (g->from < 0)
		g->from = 0;
	if (g->from + span > 1)
		g->from = 1 - span;
	g->to = g->from + span;
}

void ui_graph_zoom(struct ui_graph *g, double factor)
{
	double mid = (g->from + g->to) / 2, span = (g->to - g->from) * factor;
	g->from = mid - span / 2;
	g->to = mid + span / 2;
	clamp(g);
}

void ui_graph_pan(struct ui_graph *g, double delta)
{
	double span = g->to - g->from;
	g->from += delta * span;
	g->to = g->from + span;
	clamp(g);
}
