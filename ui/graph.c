/*
 * graph.c - the TUI's time-sequence graph: a flow's rows summarized into
 * time bins (struct ui_gsum: bounded, whatever the flow's length), and
 * the bins rasterized into character cells, each cell a small grid of
 * dots.
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
 * seq + len (those of one bin merged into one bar); the peer's
 * acknowledgement number is a dot (a bin's lowest and highest); a row with
 * an anomaly label colours its cells (UI_GR_LABEL wins over data, data
 * over ACKs). A bin is drawn at its earliest row's time.
 *
 * A summary of the whole flow starts with bins as wide as the hint makes
 * them (the connection's first to last packet over UI_GSUM_BINS) and,
 * when a row falls outside, doubles their width, merging neighbours, until
 * it fits. Zoomed in beyond one bin per dot column, the view asks for a
 * summary of a window around it (ui_graph_covers(), ui_graph_window()),
 * which the model fills by reading the flow again.
 *
 * Pure: no curses, no I/O, no allocation; draw.c paints the cells.
 */
#include <stdint.h>
#include <string.h>

#include "ui.h"

#define NB UI_GSUM_BINS

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

/* ---- The summary -------------------------------------------------------- */

static void span_of(int64_t from, int64_t to, int64_t *bw)
{
	uint64_t d = to > from ? (uint64_t)to - (uint64_t)from : 0;
	uint64_t w = d / NB + 1;
	*bw = w > (uint64_t)INT64_MAX / (4 * NB) ? INT64_MAX / (4 * NB)
						  : (int64_t)w;
}

void ui_gsum_start(struct ui_gsum *s, int64_t from, int64_t to, int window)
{
	memset(s, 0, sizeof *s);
	s->window = window;
	s->b0 = from;
	span_of(from, to, &s->bw);
	for (size_t i = 0; i < NB; i++)
		s->tmin[i] = INT64_MAX;
}

void ui_gsum_time(struct ui_gsum *s, int64_t ts)
{
	if (!s->have_t || ts < s->t0)
		s->t0 = ts;
	if (!s->have_t || ts > s->t1)
		s->t1 = ts;
	s->have_t = 1;
}

static void range(uint32_t *lo, uint32_t *hi, uint8_t *has, uint8_t bit,
		  uint32_t a, uint32_t b)
{
	if (!(*has & bit)) {
		*lo = a;
		*hi = b;
		*has |= bit;
		return;
	}
	if (a < *lo)
		*lo = a;
	if (b > *hi)
		*hi = b;
}

/* Bin a takes in bin b. */
static void merge(struct ui_gbin *a, const struct ui_gbin *b)
{
	uint8_t h = b->has;
	if (h & UI_GB_Y)
		range(&a->ylo, &a->yhi, &a->has, UI_GB_Y, b->ylo, b->yhi);
	if (h & UI_GB_D)
		range(&a->dlo, &a->dhi, &a->has, UI_GB_D, b->dlo, b->dhi);
	if (h & UI_GB_L)
		range(&a->llo, &a->lhi, &a->has, UI_GB_L, b->llo, b->lhi);
	if (h & UI_GB_A)
		range(&a->alo, &a->ahi, &a->has, UI_GB_A, b->alo, b->ahi);
	if (h & UI_GB_K)
		range(&a->klo, &a->khi, &a->has, UI_GB_K, b->klo, b->khi);
	a->n += b->n;
}

/* Bin j of the doubled bins takes old bins 2k and 2k + 1. */
static void pair(struct ui_gsum *s, size_t j, size_t k)
{
	int64_t t = s->tmin[2 * k] < s->tmin[2 * k + 1] ? s->tmin[2 * k]
							: s->tmin[2 * k + 1];
	for (int d = 0; d < 2; d++) {
		struct ui_gbin b = s->bin[d][2 * k];
		merge(&b, &s->bin[d][2 * k + 1]);
		s->bin[d][j] = b;
	}
	s->tmin[j] = t;
}

static void clear_bins(struct ui_gsum *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		s->tmin[i] = INT64_MAX;
		memset(&s->bin[0][i], 0, sizeof s->bin[0][i]);
		memset(&s->bin[1][i], 0, sizeof s->bin[1][i]);
	}
}

/* Doubles the bins' width, keeping them in the lower half (grow right)
 * or the upper half (grow left). In place: every bin written was read. */
static void grow(struct ui_gsum *s, int left)
{
	if (left) {
		for (size_t j = NB; j-- > NB / 2;)
			pair(s, j, j - NB / 2);
		clear_bins(s, 0, NB / 2);
		s->b0 -= (int64_t)NB * s->bw;
	} else {
		for (size_t j = 0; j < NB / 2; j++)
			pair(s, j, j);
		clear_bins(s, NB / 2, NB);
	}
	s->bw *= 2;
}

/* The bin of ts, or -1 (outside a window). */
static long bin_of(struct ui_gsum *s, int64_t ts)
{
	for (;;) {
		uint64_t end = (uint64_t)NB * (uint64_t)s->bw;
		if (ts >= s->b0 && (uint64_t)ts - (uint64_t)s->b0 < end)
			return (long)(((uint64_t)ts - (uint64_t)s->b0) /
				      (uint64_t)s->bw);
		if (s->window)
			return -1;
		int left = ts < s->b0;
		/* No wider bins (2^62 ns), or no room left of b0: the edge. */
		if (s->bw > INT64_MAX / (4 * NB) ||
		    (left && s->b0 < INT64_MIN + (int64_t)NB * s->bw))
			return left ? 0 : NB - 1;
		grow(s, left);
	}
}

void ui_gsum_add(struct ui_gsum *s, const struct ui_row *r)
{
	s->rows++;
	ui_gsum_time(s, r->ts_ns);
	if (!r->has_seq)
		return;
	s->seqrows++;
	if (r->dir != 0 && r->dir != 1)
		return;
	long i = bin_of(s, r->ts_ns);
	if (i < 0)
		return;
	if (r->ts_ns < s->tmin[i])
		s->tmin[i] = r->ts_ns;
	int label = r->anomaly != 0;
	/* In its own direction's space: the data it carries. */
	struct ui_gbin *b = &s->bin[r->dir][i];
	uint32_t occ = occupies(r), e = r->seq + occ;
	range(&b->ylo, &b->yhi, &b->has, UI_GB_Y, r->seq, e);
	if (occ > 0 || label) {
		if (label)
			range(&b->llo, &b->lhi, &b->has, UI_GB_L, r->seq, e);
		else
			range(&b->dlo, &b->dhi, &b->has, UI_GB_D, r->seq, e);
		b->n++;
	}
	/* In the peer's: its acknowledgement. */
	if (is_ack(r)) {
		b = &s->bin[!r->dir][i];
		range(&b->ylo, &b->yhi, &b->has, UI_GB_Y, r->ack, r->ack);
		if (label)
			range(&b->klo, &b->khi, &b->has, UI_GB_K, r->ack, r->ack);
		else
			range(&b->alo, &b->ahi, &b->has, UI_GB_A, r->ack, r->ack);
		b->n++;
	}
}

/* ---- Drawing ------------------------------------------------------------ */

/* The row's time as a fraction of the flow's [t0, t1]. */
static double tfrac(int64_t ts, int64_t t0, int64_t t1)
{
	double span = (double)t1 - (double)t0;
	if (span <= 0)
		return 0.5; /* one instant: the middle */
	return ((double)ts - (double)t0) / span;
}

static void view_of(const struct ui_graph *g, double *from, double *to)
{
	*from = g->from;
	*to = g->to;
	if (!(*to - *from >= UI_GRAPH_MIN_SPAN)) {
		*from = 0;
		*to = 1;
	}
}

/* Bins per dot column wanted: one, up to a quarter of the bins. */
static int64_t need_bins(int dots)
{
	return dots < 1 ? 1 : dots > NB / 4 ? NB / 4 : dots;
}

int ui_graph_covers(const struct ui_gsum *s, const struct ui_graph *g,
		    int dots)
{
	if (!s->have_t || s->t1 <= s->t0)
		return 1;
	double from, to, span = (double)s->t1 - (double)s->t0;
	view_of(g, &from, &to);
	int64_t ta = s->t0 + (int64_t)(from * span);
	int64_t tb = s->t0 + (int64_t)(to * span);
	double end = (double)s->b0 + (double)NB * (double)s->bw;
	if (s->window && ((double)ta < (double)s->b0 - (double)s->bw ||
			  (double)tb > end + (double)s->bw))
		return 0;
	if (s->bw <= 1)
		return 1;
	return ((double)tb - (double)ta) / (double)s->bw >=
	       (double)need_bins(dots);
}

void ui_graph_window(const struct ui_gsum *s, const struct ui_graph *g,
		     int dots, int64_t *wfrom, int64_t *wto)
{
	double from, to, span = (double)s->t1 - (double)s->t0;
	view_of(g, &from, &to);
	/* Room to pan and zoom a little without reading again. */
	double k = (double)NB / (2.0 * (double)need_bins(dots));
	double w = (to - from) * k, mid = (from + to) / 2;
	if (w > 1)
		w = 1;
	double a = mid - w / 2;
	if (a < 0)
		a = 0;
	if (a + w > 1)
		a = 1 - w;
	*wfrom = s->t0 + (int64_t)(a * span) - 1;
	*wto = s->t0 + (int64_t)((a + w) * span) + 1;
}

/* The cells being drawn and the y scale. */
struct raster {
	struct ui_cell *cells;
	int w, h, cw, ch;
	uint32_t lo;
	double yscale;
};

static void dot(const struct raster *r, long px, long py, int role)
{
	long W = (long)r->w * r->cw, H = (long)r->h * r->ch;
	if (px < 0 || px >= W || py < 0 || py >= H)
		return;
	/* py counts from the bottom. */
	long row = (H - 1 - py) / r->ch, col = px / r->cw;
	int dy = (int)((H - 1 - py) % r->ch), dx = (int)(px % r->cw);
	struct ui_cell *c = &r->cells[row * r->w + col];
	c->dots |= (uint8_t)(1u << (dx * 4 + dy));
	if (role > c->role)
		c->role = (uint8_t)role;
}

static long ypos(const struct raster *r, uint32_t v)
{
	return (long)((double)(v - r->lo) * r->yscale + 0.5);
}

/* A bar from a to b at column px. */
static void vbar(const struct raster *r, long px, uint32_t a, uint32_t b,
		 int role)
{
	for (long y = ypos(r, a), y1 = ypos(r, b); y <= y1; y++)
		dot(r, px, y, role);
}

/* The dots at a and at b (a bin's lowest and highest ACK). */
static void ends(const struct raster *r, long px, uint32_t a, uint32_t b,
		 int role)
{
	dot(r, px, ypos(r, a), role);
	dot(r, px, ypos(r, b), role);
}

size_t ui_graph_render(const struct ui_gsum *s, const struct ui_graph *g,
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
	int64_t t0 = s->have_t ? s->t0 : 0, t1 = s->have_t ? s->t1 : 0;
	double from, to;
	view_of(g, &from, &to);
	int d = g->dir ? 1 : 0;
	/* The y range: the rows in view. */
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < NB; i++) {
		const struct ui_gbin *b = &s->bin[d][i];
		double f = tfrac(s->tmin[i], t0, t1);
		if (!(b->has & UI_GB_Y) || f < from || f > to)
			continue;
		if (b->ylo < lo)
			lo = b->ylo;
		if (b->yhi > hi)
			hi = b->yhi;
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
	struct raster r = {cells, w, h, cw, ch, lo,
			   (double)(H - 1) / (double)(hi - lo)};
	size_t drawn = 0;
	for (size_t i = 0; i < NB; i++) {
		const struct ui_gbin *b = &s->bin[d][i];
		double f = tfrac(s->tmin[i], t0, t1);
		if (!b->n || f < from || f > to)
			continue;
		long px = (long)((f - from) / (to - from) * (double)(W - 1) + 0.5);
		if (b->has & UI_GB_A)
			ends(&r, px, b->alo, b->ahi, UI_GR_ACK);
		if (b->has & UI_GB_D)
			vbar(&r, px, b->dlo, b->dhi, UI_GR_DATA);
		if (b->has & UI_GB_K)
			ends(&r, px, b->klo, b->khi, UI_GR_LABEL);
		if (b->has & UI_GB_L)
			vbar(&r, px, b->llo, b->lhi, UI_GR_LABEL);
		drawn += b->n;
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
