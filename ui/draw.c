/*
 * draw.c - paints the TUI from a snapshot. Nothing here changes state:
 * every function takes a const struct ui and repaints the whole screen
 * (erase, draw, refresh; curses sends only the difference, so a repaint
 * every second does not flicker).
 *
 * ui_draw() dispatches on the view, as ncdu's screen_draw() does:
 *
 *   list    title bar | column headings | one row per flow | status bar
 *   ladder  title bar | 3 header lines  | ladder rows       | status bar
 *   help    title bar | the key table (from keys.c) and a legend
 *
 * Colours are roles (UI_COLORS in ui.h), each with a colour and a
 * monochrome rendering; ui_colors_init() is the only caller of init_pair.
 *
 * The ladder row layout, for a terminal W columns wide:
 *
 *   |time 10| |client state 13||<------ arrow, W-40 ------->||server 13|
 */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/output/out.h"
#include "ui.h"

#define TIME_W	10
#define STATE_W 13

/* ---- Colours ------------------------------------------------------------ */

void ui_colors_init(struct ui *ui)
{
	static const struct {
		short fg, bg;
		unsigned cattr, mattr;
	} roles[UI_C__COUNT] = {
#define UI_X(role, fg, bg, ca, ma) [UI_C_##role] = {fg, bg, ca, ma},
	    UI_COLORS(UI_X)
#undef UI_X
	};
	const char *nc = getenv("NO_COLOR");
	ui->color = has_colors() && !(nc && *nc);
	if (ui->color && start_color() == ERR)
		ui->color = 0;
	int dflt = ui->color && use_default_colors() == OK;
	for (int i = 0; i < UI_C__COUNT; i++) {
		if (!ui->color || i + 1 >= COLOR_PAIRS) {
			ui->attr[i] = roles[i].mattr;
			continue;
		}
		short fg = roles[i].fg, bg = roles[i].bg;
		if (!dflt) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		init_pair((short)(i + 1), fg, bg);
		ui->attr[i] = (unsigned)COLOR_PAIR(i + 1) | roles[i].cattr;
	}
}

/* ---- Formatting --------------------------------------------------------- */

char *ui_fmt_count(int64_t v, char *buf, size_t len)
{
	if (v < 100000)
		snprintf(buf, len, "%lld", (long long)v);
	else if (v < 10000000)
		snprintf(buf, len, "%.1fk", (double)v / 1e3);
	else if (v < 10000000000LL)
		snprintf(buf, len, "%.1fM", (double)v / 1e6);
	else
		snprintf(buf, len, "%.1fG", (double)v / 1e9);
	return buf;
}

/* The arrow's text at a level of detail: 0 all, 1 without the window,
 * 2 without ack too, 3 flags and labels only. */
static int arrow_text(const struct ui_row *r, int level, char *text, size_t len)
{
	int acks = !r->has_flags || strchr(r->flags, 'A') != NULL;
	size_t n = 0;
#define ADD(...)                                                               \
	do {                                                                   \
		if (n < len)                                                   \
			n += (size_t)snprintf(text + n, len - n, __VA_ARGS__); \
	} while (0)
	text[0] = '\0';
	if (r->has_flags)
		ADD("%s ", r->flags[0] ? r->flags : ".");
	else if (r->pkt >= 0)
		ADD("#%lld ", (long long)r->pkt);
	if (r->has_seq && level < 3) {
		ADD("seq=%u ", r->seq);
		if (acks && level < 2)
			ADD("ack=%u ", r->ack);
		if (level < 1)
			ADD("win=%lld ", (long long)r->win);
		ADD("len=%lld ", (long long)r->len);
	}
	if (r->labels[0])
		ADD("[%s] ", r->labels);
#undef ADD
	if (n >= len)
		n = len - 1;
	while (n > 0 && text[n - 1] == ' ')
		text[--n] = '\0';
	return (int)n;
}

char *ui_fmt_arrow(const struct ui_row *r, int width, char *buf, size_t len)
{
	char text[256];
	int n = 0;

	if (width < 0)
		width = 0;
	if ((size_t)width >= len)
		width = (int)len - 1;
	int room = width - 6; /* at least "<- " ... " --" around the text */
	if (room < 0)
		room = 0;
	for (int level = 0; level < 4; level++)
		if ((n = arrow_text(r, level, text, sizeof(text))) <= room)
			break;
	if (n > room)
		n = room;

	/* Dashes, a space, the text, a space, dashes; the head at one end. */
	int dashes = width - n - (n ? 2 : 0);
	int left = dashes / 2, right = dashes - left;
	int k = 0;
	for (int i = 0; i < left; i++)
		buf[k++] = '-';
	if (n) {
		buf[k++] = ' ';
		memcpy(buf + k, text, (size_t)n);
		k += n;
		buf[k++] = ' ';
	}
	for (int i = 0; i < right; i++)
		buf[k++] = '-';
	buf[k] = '\0';
	if (k > 0 && r->dir == 1)
		buf[0] = '<';
	else if (k > 0 && r->dir == 0)
		buf[k - 1] = '>';
	return buf;
}

/* ---- Painting helpers --------------------------------------------------- */

/* Writes at most w columns of s at (y, x) with attribute a. */
static void put(int y, int x, unsigned a, const char *s, int w)
{
	if (w <= 0)
		return;
	attrset(a);
	mvaddnstr(y, x, s, w);
	attrset(A_NORMAL);
}

/* Fills row y with attribute a and writes s from column 0. */
static void bar(const struct ui *ui, int y, unsigned a, const char *s)
{
	attrset(a);
	mvhline(y, 0, ' ', ui->cols);
	mvaddnstr(y, 0, s, ui->cols);
	attrset(A_NORMAL);
}

/* Right-aligned text over an existing bar whose left part is used up to
 * column used; returns 0 (and draws nothing) when it does not fit. */
static int bar_right(const struct ui *ui, int y, unsigned a, const char *s,
		     int used)
{
	int n = (int)strlen(s);
	if (used + 1 + n > ui->cols)
		return 0;
	put(y, ui->cols - n, a, s, n);
	return 1;
}

static void status_bar(const struct ui *ui, const char *hint)
{
	int y = ui->rows - 1;
	char buf[256];
	if (ui->editing) {
		const char *what = ui->searching ? "Search: " : "Filter: ";
		snprintf(buf, sizeof(buf), "%s%s", what, ui->edit);
		bar(ui, y, ui->attr[UI_C_STATUS], buf);
		bar_right(ui, y, ui->attr[UI_C_STATUS],
			  "Enter:apply  Esc:cancel ",
			  8 + (int)strlen(ui->edit));
		int x = 8 + (int)strlen(ui->edit);
		move(y, x < ui->cols ? x : ui->cols - 1);
		return;
	}
	if (ui->msg[0]) {
		bar(ui, y, ui->attr[UI_C_ERROR], ui->msg);
		return;
	}
	bar(ui, y, ui->attr[UI_C_STATUS], hint);
}

/* ---- The flow list ------------------------------------------------------ */

enum col_id {
	C_ID,
	C_CLIENT,
	C_SERVER,
	C_CLOSE,
	C_CONN,
	C_CSTATE,
	C_SSTATE,
	C_PKTS,
	C_BYTES,
	C_RETX,
	C_DUR,
	C_LIMITED,
	C__COUNT
};

struct col {
	const char *title;
	int width; /* 0: computed (addresses) */
	int right; /* right-aligned */
	int prio;  /* dropped first when narrow: lowest; 99 never */
};

static const struct col cols_def[C__COUNT] = {
    [C_ID] = {"ID", 5, 1, 99},
    [C_CLIENT] = {"CLIENT", 0, 0, 99},
    [C_SERVER] = {"SERVER", 0, 0, 99},
    [C_CLOSE] = {"CLOSE", 10, 0, 6},
    [C_CONN] = {"CONN", 6, 0, 3},
    [C_CSTATE] = {"CLIENT-ST", 12, 0, 99},
    [C_SSTATE] = {"SERVER-ST", 12, 0, 99},
    [C_PKTS] = {"PKTS", 6, 1, 5},
    [C_BYTES] = {"BYTES", 7, 1, 2},
    [C_RETX] = {"RETX", 4, 1, 4},
    [C_DUR] = {"DURATION", 10, 1, 1},
    [C_LIMITED] = {"LIMITED-BY", 15, 0, 0},
};

/* Widths of the shown columns for this terminal; 0 = hidden. */
#define ADDR_FIT 21 /* "255.255.255.255:65535" */

static int layout_total(const int w[C__COUNT])
{
	int total = -1;
	for (int c = 0; c < C__COUNT; c++)
		if (w[c])
			total += w[c] + 1;
	return total;
}

/* Drops the lowest-priority shown column below maxprio; 0 if none. */
static int drop_column(int w[C__COUNT], int maxprio)
{
	int drop = -1;
	for (int c = 0; c < C__COUNT; c++)
		if (w[c] && cols_def[c].prio < maxprio &&
		    (drop < 0 || cols_def[c].prio < cols_def[drop].prio))
			drop = c;
	if (drop < 0)
		return 0;
	w[drop] = 0;
	return 1;
}

/* Narrows both address columns towards floor so the row fits. */
static void narrow_addresses(const struct ui *ui, int w[C__COUNT], int floor)
{
	int over = layout_total(w) - ui->cols;
	if (over <= 0)
		return;
	int cut = (over + 1) / 2;
	for (int c = C_CLIENT; c <= C_SERVER; c++)
		if (w[c] > floor)
			w[c] = w[c] - cut < floor ? floor : w[c] - cut;
}

/* Widths of the shown columns for this terminal; 0 = hidden. When narrow:
 * drop the cheap columns (duration, bytes, conn_state), then shorten long
 * (IPv6) addresses to IPv4 size, then drop the rest of the optional
 * columns, then shorten the addresses further. */
static void list_layout(const struct ui *ui, int w[C__COUNT])
{
	const struct ui_list *l = &ui->list;
	int aw = 6;
	for (size_t i = 0; i < l->nvis; i++) {
		const struct ui_flow *f = &l->flows.v[l->vis[i]];
		int a = (int)strlen(f->client), b = (int)strlen(f->server);
		aw = a > aw ? a : aw;
		aw = b > aw ? b : aw;
	}
	if (aw > 47)
		aw = 47;
	for (int c = 0; c < C__COUNT; c++)
		w[c] = cols_def[c].width ? cols_def[c].width : aw;
	while (layout_total(w) > ui->cols && drop_column(w, 4))
		;
	narrow_addresses(ui, w, ADDR_FIT);
	while (layout_total(w) > ui->cols && drop_column(w, 99))
		;
	narrow_addresses(ui, w, 9);
}

/* Writes s in a cell of width w, shortened with '~' when too long; an
 * address keeps its ":port". */
static void cell(int y, int *x, int w, int right, unsigned a, const char *s)
{
	if (!w)
		return;
	char buf[128];
	int n = (int)strlen(s);
	if (n > w) {
		const char *port = strrchr(s, ':');
		int pl = port ? (int)strlen(port) : 0;
		if (port && pl < 7 && w > pl + 4)
			snprintf(buf, sizeof(buf), "%.*s~%s", w - pl - 1, s,
				 port);
		else
			snprintf(buf, sizeof(buf), "%.*s~", w - 1, s);
		s = buf;
		n = w;
	}
	put(y, *x + (right ? w - n : 0), a, s, w);
	*x += w + 1;
}

static void draw_list(const struct ui *ui)
{
	const struct ui_list *l = &ui->list;
	int w[C__COUNT];
	char buf[256];

	snprintf(buf, sizeof(buf), " tcpscope  %s  %zu flows",
		 ui_model_path(ui->model), l->flows.n);
	bar(ui, 0, ui->attr[UI_C_TITLE], buf);
	int used = (int)strlen(buf);
	if (l->filter[0] || l->nvis != l->flows.n)
		snprintf(buf, sizeof(buf),
			 "%zu shown  filter \"%s\"  sort %s%s ", l->nvis,
			 l->filter, ui_sort_name(l->sort),
			 l->reverse ? " (reversed)" : "");
	else
		snprintf(buf, sizeof(buf), "sort %s%s ", ui_sort_name(l->sort),
			 l->reverse ? " (reversed)" : "");
	bar_right(ui, 0, ui->attr[UI_C_TITLE], buf, used);

	list_layout(ui, w);
	int x = 0;
	for (int c = 0; c < C__COUNT; c++)
		cell(1, &x, w[c], cols_def[c].right, ui->attr[UI_C_HEADING],
		     cols_def[c].title);

	int h = ui_list_height(ui);
	if (l->nvis == 0) {
		put(3, 2, ui->attr[UI_C_DIM],
		    !ui->loaded	 ? "loading..."
		    : l->flows.n ? "no flow matches the filter (/ to change it)"
				 : "no connections in the database yet",
		    ui->cols - 2);
	}
	for (int i = 0; i < h && l->top + (size_t)i < l->nvis; i++) {
		size_t k = l->top + (size_t)i;
		const struct ui_flow *f = &l->flows.v[l->vis[k]];
		int y = 2 + i, sel = k == l->sel;
		unsigned base =
		    sel ? ui->attr[UI_C_SELECTED] : ui->attr[UI_C_NORMAL];
		unsigned rst = sel ? base : ui->attr[UI_C_RESET];
		unsigned bad = sel ? base : ui->attr[UI_C_ANOMALY];
		if (sel) {
			attrset(base);
			mvhline(y, 0, ' ', ui->cols);
			attrset(A_NORMAL);
		}
		char t[64];
		x = 0;
		snprintf(t, sizeof(t), "%lld", (long long)f->id);
		cell(y, &x, w[C_ID], 1, base, t);
		cell(y, &x, w[C_CLIENT], 0, base, f->client);
		cell(y, &x, w[C_SERVER], 0, base, f->server);
		cell(y, &x, w[C_CLOSE], 0,
		     strcmp(f->close, "reset") == 0 ? rst : base, f->close);
		cell(y, &x, w[C_CONN], 0, base, f->conn_state);
		cell(y, &x, w[C_CSTATE], 0, base, f->cstate);
		cell(y, &x, w[C_SSTATE], 0, base, f->sstate);
		cell(y, &x, w[C_PKTS], 1, base,
		     ui_fmt_count(f->packets, t, sizeof(t)));
		cell(y, &x, w[C_BYTES], 1, base,
		     ui_fmt_count(f->bytes, t, sizeof(t)));
		cell(y, &x, w[C_RETX], 1, f->retrans ? bad : base,
		     ui_fmt_count(f->retrans, t, sizeof(t)));
		cell(y, &x, w[C_DUR], 1, base,
		     out_dur(t, sizeof(t),
			     f->first_ts && f->last_ts
				 ? out_tdiff(f->last_ts, f->first_ts)
				 : -1));
		cell(y, &x, w[C_LIMITED], 0, base,
		     f->limited[0] ? f->limited : "-");
	}
	if (l->nvis)
		snprintf(buf, sizeof(buf),
			 " %zu/%zu  Enter:ladder  /:filter  s:sort  r:reverse"
			 "  ?:help  q:quit",
			 l->sel + 1, l->nvis);
	else
		snprintf(buf, sizeof(buf), " /:filter  ?:help  q:quit");
	status_bar(ui, buf);
}

/* ---- The ladder --------------------------------------------------------- */

static void draw_state(const struct ui *ui, int y, int x, int right,
		       const char *s, int changed)
{
	char buf[UI_STATE_LEN + STATE_W];
	snprintf(buf, sizeof(buf), right ? "%*.*s" : "%-*.*s", STATE_W - 1,
		 UI_STATE_LEN - 1, s);
	put(y, x, ui->attr[changed ? UI_C_CHANGED : UI_C_DIM], buf,
	    STATE_W - 1);
}

static void draw_ladder_row(const struct ui *ui, const struct ui_row *r, int y,
			    int64_t t0)
{
	const int mid_x = TIME_W + 1 + STATE_W + 1;
	const int mid_w = ui->cols - mid_x - 1 - STATE_W - 1;
	char buf[512];

	if (r->kind != UI_ROW_INITIAL) {
		double ms = (double)(r->ts_ns - t0) / 1e6;
		/* Past 10^6 ms (17 minutes) the decimals make room. */
		snprintf(buf, sizeof(buf), "%*.*f", TIME_W,
			 ms < 1e6 && ms > -1e5 ? 3 : 0, ms);
		put(y, 0, ui->attr[UI_C_NORMAL], buf, TIME_W);
	} else {
		put(y, 0, ui->attr[UI_C_DIM], "   initial", TIME_W);
	}
	draw_state(ui, y, TIME_W + 1, 1, r->cstate,
		   r->cchanged || r->kind == UI_ROW_INITIAL);
	attrset(ui->attr[UI_C_DIM]);
	mvaddch(y, mid_x - 1, ACS_VLINE);
	mvaddch(y, mid_x + mid_w, ACS_VLINE);
	attrset(A_NORMAL);
	draw_state(ui, y, mid_x + mid_w + 2, 0, r->sstate,
		   r->schanged || r->kind == UI_ROW_INITIAL);

	if (r->kind == UI_ROW_SEGMENT && (r->dir == 0 || r->dir == 1)) {
		ui_fmt_arrow(r, mid_w, buf, sizeof(buf));
		unsigned a = ui->attr[r->dir == 0 ? UI_C_C2S : UI_C_S2C];
		if (strchr(r->flags, 'R'))
			a = ui->attr[UI_C_RESET];
		put(y, mid_x, a, buf, mid_w);
		char *lb = strchr(buf, '[');
		if (lb) {
			char *e = strchr(lb, ']');
			char *sp = strrchr(lb, ' ');
			int n = e    ? (int)(e - lb) + 1
				: sp ? (int)(sp - lb)
				     : (int)strlen(lb);
			put(y, mid_x + (int)(lb - buf),
			    ui->attr[r->anomaly ? UI_C_ANOMALY : UI_C_INFO], lb,
			    n);
		}
		return;
	}
	const char *what;
	if (r->kind == UI_ROW_INITIAL)
		what = "(before the first packet)";
	else if (r->pkt >= 0) {
		snprintf(buf, sizeof(buf),
			 r->step ? "(packet #%lld, first step)"
				 : "packet #%lld",
			 (long long)r->pkt);
		what = buf;
	} else
		what = "(no packet: timer or end of capture)";
	int n = (int)strlen(what);
	int x = mid_x + (mid_w > n ? (mid_w - n) / 2 : 0);
	put(y, x, ui->attr[UI_C_DIM], what, mid_w);
}

static void draw_ladder(const struct ui *ui)
{
	const struct ui_ladder *l = &ui->ladder;
	const struct ui_flow *f = &l->flow;
	char buf[512], d[32], a[32], b[32], c[32];

	snprintf(buf, sizeof(buf), " flow %lld  %s -> %s%s%s", (long long)f->id,
		 f->client, f->server, l->vlan[0] ? "  vlan " : "", l->vlan);
	bar(ui, 0, ui->attr[UI_C_TITLE], buf);
	int used = (int)strlen(buf);
	/* While a live capture runs the row may lag behind its packets. */
	int64_t end = f->last_ts;
	if (l->n && l->rows[l->n - 1].ts_ns > end)
		end = l->rows[l->n - 1].ts_ns;
	snprintf(buf, sizeof(buf),
		 "close %s  handshake %s  conn_state %s  "
		 "history %s  duration %s  vantage %s%s",
		 f->close[0] ? f->close : "-",
		 l->handshake[0] ? l->handshake : "-",
		 f->conn_state[0] ? f->conn_state : "-",
		 l->history[0] ? l->history : "-",
		 out_dur(d, sizeof(d),
			 f->first_ts && end ? out_tdiff(end, f->first_ts) : -1),
		 l->vantage[0] ? l->vantage : "-",
		 l->midstream ? "  (picked up mid-stream)" : "");
	put(1, 1, ui->attr[UI_C_NORMAL], buf, ui->cols - 1);
	snprintf(buf, sizeof(buf),
		 "RTT handshake %s  min/avg/max %s/%s/%s%s%s   ",
		 out_dur(d, sizeof(d), l->rtt_handshake),
		 out_dur(a, sizeof(a), l->rtt_min),
		 out_dur(b, sizeof(b), l->rtt_avg),
		 out_dur(c, sizeof(c), l->rtt_max),
		 f->limited[0] ? "  limited by " : "", f->limited);
	put(2, 1, ui->attr[UI_C_NORMAL], buf, ui->cols - 1);
	/* An uncertain side: '?' and its other path, after the RTT line. */
	for (int side = 0, x = 1 + (int)strlen(buf); side < 2; side++) {
		if (!l->alt[side][0] || x >= ui->cols - 1)
			continue;
		char alt[220];
		snprintf(alt, sizeof(alt), "? %s may also: %s   ",
			 side ? "server" : "client", l->alt[side]);
		put(2, x, ui->attr[UI_C_ANOMALY], alt, ui->cols - 1 - x);
		x += (int)strlen(alt);
	}
	if (l->has_segments)
		snprintf(buf, sizeof(buf), "%zu rows%s, seq/ack relative%s ",
			 l->n, l->from_capture ? " from the capture" : "",
			 l->scaled ? ", windows in bytes" : "");
	else
		snprintf(buf, sizeof(buf),
			 "no segments stored, capture not read: transitions"
			 " and events only, raw seq/ack ");
	if (!bar_right(ui, 0, ui->attr[UI_C_TITLE], buf, used))
		bar_right(ui, 0, ui->attr[UI_C_TITLE],
			  l->has_segments ? "" : "no segments stored ", used);

	const int mid_x = TIME_W + 1 + STATE_W + 1;
	const int mid_w = ui->cols - mid_x - 1 - STATE_W - 1;
	attrset(ui->attr[UI_C_HEADING]);
	mvhline(3, 0, ' ', ui->cols);
	attrset(A_NORMAL);
	put(3, 0, ui->attr[UI_C_HEADING], "   time ms", TIME_W);
	snprintf(buf, sizeof(buf), "%*s", STATE_W - 1, "CLIENT");
	put(3, TIME_W + 1, ui->attr[UI_C_HEADING], buf, STATE_W - 1);
	snprintf(buf, sizeof(buf), "%s  ", f->client);
	put(3, mid_x + 1, ui->attr[UI_C_HEADING], buf, mid_w / 2 - 1);
	int n = (int)strlen(f->server);
	put(3, mid_x + mid_w - (n < mid_w / 2 ? n : mid_w / 2),
	    ui->attr[UI_C_HEADING], f->server, mid_w / 2);
	put(3, mid_x + mid_w + 2, ui->attr[UI_C_HEADING], "SERVER",
	    STATE_W - 1);

	int h = ui_ladder_height(ui);
	int64_t t0 = l->t0 ? l->t0 : (l->n ? l->rows[0].ts_ns : 0);
	for (int i = 0; i < h && ui->ltop + (size_t)i < l->n; i++)
		draw_ladder_row(ui, &l->rows[ui->ltop + (size_t)i], 4 + i, t0);

	size_t last = ui->ltop + (size_t)h < l->n ? ui->ltop + (size_t)h : l->n;
	if (ui->search[0])
		snprintf(buf, sizeof(buf),
			 " rows %zu-%zu of %zu  search '%.40s'  n/N:next/prev"
			 " match  Esc:forget  ?:help",
			 l->n ? ui->ltop + 1 : 0, last, l->n, ui->search);
	else
		snprintf(buf, sizeof(buf),
			 " rows %zu-%zu of %zu  /:search  n/N:next/prev anomaly"
			 "  ]/[:next/prev flow  q:back  ?:help",
			 l->n ? ui->ltop + 1 : 0, last, l->n);
	status_bar(ui, buf);
}

/* ---- The graph ---------------------------------------------------------- */

#define GRAPH_LEFT 8 /* the y labels' columns */

static int graph_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

int ui_graph_dots(const struct ui *ui)
{
	return (ui->cols - GRAPH_LEFT - 1) * (graph_utf8() ? 2 : 1);
}

static void draw_graph(const struct ui *ui)
{
	const struct ui_ladder *l = &ui->ladder;
	const struct ui_flow *f = &l->flow;
	const struct ui_graph *g = &ui->graph;
	char buf[512], a[32], b[32];
	int utf8 = graph_utf8();
	const struct ui_gsum *s = ui->gsum_id == f->id ? ui->gsum : NULL;

	snprintf(buf, sizeof(buf), " flow %lld  %s -> %s  time-sequence %s",
		 (long long)f->id, f->client, f->server,
		 g->dir ? "server to client" : "client to server");
	bar(ui, 0, ui->attr[UI_C_TITLE], buf);
	int used = (int)strlen(buf);
	snprintf(buf, sizeof(buf), "zoom x%.0f ", 1 / (g->to - g->from));
	bar_right(ui, 0, ui->attr[UI_C_TITLE], buf, used);

	int w = ui->cols - GRAPH_LEFT - 1, h = ui->rows - 4;
	int cw = utf8 ? 2 : 1, ch = utf8 ? 4 : 2;
	struct ui_cell *cells = w > 0 && h > 0
					? calloc((size_t)w * (size_t)h, sizeof *cells)
					: NULL;
	if (!cells || !s) {
		free(cells);
		put(2, 1, ui->attr[UI_C_ERROR],
		    cells ? "the graph could not be read" : "out of memory",
		    ui->cols - 1);
		status_bar(ui, " q:back");
		return;
	}
	uint32_t lo, hi;
	size_t drawn = ui_graph_render(s, g, w, h, cw, ch, cells, &lo, &hi);
	/* The legend, in the roles' own attributes. */
	int x = 1;
	put(1, x, ui->attr[g->dir ? UI_C_S2C : UI_C_C2S], "| data", 6);
	x += 8;
	put(1, x, ui->attr[UI_C_INFO], ". ACK", 5);
	x += 7;
	put(1, x, ui->attr[UI_C_ANOMALY], "* labelled", 10);
	x += 12;
	put(1, x, ui->attr[UI_C_DIM], "relative seq over time", ui->cols - x);
	if (!drawn) {
		put(2 + h / 2, GRAPH_LEFT + 1, ui->attr[UI_C_DIM],
		    s->seqrows ? "no segment of this direction in view"
			: "no segment to draw",
		    w);
	}
	for (int r = 0; r < h; r++) {
		for (int c = 0; c < w; c++) {
			const struct ui_cell *cell = &cells[r * w + c];
			if (!cell->dots)
				continue;
			int role = cell->role == UI_GR_LABEL ? UI_C_ANOMALY
				   : cell->role == UI_GR_DATA
				       ? (g->dir ? UI_C_S2C : UI_C_C2S)
				       : UI_C_INFO;
			char gl[8];
			ui_graph_glyph(cell, utf8, gl);
			if (!utf8 && cell->role == UI_GR_LABEL)
				snprintf(gl, sizeof(gl), "*");
			attrset(ui->attr[role]);
			mvaddstr(2 + r, GRAPH_LEFT + 1 + c, gl);
		}
	}
	attrset(A_NORMAL);
	free(cells);
	/* Axes: the y range at the top and bottom, the time shown below. */
	for (int r = 0; r < h; r++)
		put(2 + r, GRAPH_LEFT, ui->attr[UI_C_DIM], "|", 1);
	snprintf(buf, sizeof(buf), "%7s", ui_fmt_count(hi, a, sizeof(a)));
	put(2, 0, ui->attr[UI_C_NORMAL], buf, GRAPH_LEFT - 1);
	snprintf(buf, sizeof(buf), "%7s", ui_fmt_count(lo, a, sizeof(a)));
	put(1 + h, 0, ui->attr[UI_C_NORMAL], buf, GRAPH_LEFT - 1);
	double span = s->have_t ? (double)out_tdiff(s->t1, s->t0) : 0;
	out_dur(a, sizeof(a), (int64_t)(g->from * span));
	out_dur(b, sizeof(b), (int64_t)(g->to * span));
	snprintf(buf, sizeof(buf), "+%s", a);
	put(2 + h, GRAPH_LEFT, ui->attr[UI_C_NORMAL], buf, w / 2);
	snprintf(buf, sizeof(buf), "+%s", b);
	int n = (int)strlen(buf);
	if (n < w / 2)
		put(2 + h, ui->cols - n, ui->attr[UI_C_NORMAL], buf, n);
	status_bar(ui, " +/-:zoom  Left/Right h/l:pan  0:all  d:direction"
		       "  ]/[:flow  q:back  ?:help");
}

/* ---- Help --------------------------------------------------------------- */

static void draw_help(const struct ui *ui)
{
	static const char *const titles[] = {"Flow list", "Ladder", "Help",
					     "Graph"};
	static const int views[] = {UI_VIEW_LIST, UI_VIEW_LADDER,
				    UI_VIEW_GRAPH};
	static const char *const legend[] = {
	    "Ladder rows: time (ms since the first packet), the client's "
	    "state, the segment",
	    "as an arrow (--> client to server, <-- back; flags, relative "
	    "seq/ack, window,",
	    "length, [labels]), the server's state. A state in bold changed "
	    "on that row;",
	    "dim ones did not. Labels in red are anomalies (retransmission, "
	    "dup-ack,",
	    "zero-window, rst-out-of-window...), others information. The "
	    "list and the ladder",
	    "reload when the database changes (e.g. while tcpscope live "
	    "writes it).",
	    NULL,
	};
	bar(ui, 0, ui->attr[UI_C_TITLE], " tcpscope tui - help");
	int y = 2;
	for (size_t k = 0; k < sizeof(views) / sizeof(views[0]) &&
			   y < ui->rows - 1;
	     k++) {
		int v = views[k];
		put(y++, 1, ui->attr[UI_C_HEADING], titles[v], ui->cols - 1);
		const char *keys, *help;
		for (size_t i = 0;
		     ui_binding(v, i, &keys, &help) && y < ui->rows - 1; i++) {
			put(y, 3, ui->attr[UI_C_KEY], keys, 16);
			put(y, 20, ui->attr[UI_C_NORMAL], help, ui->cols - 20);
			y++;
		}
		y++;
	}
	for (int i = 0; legend[i] && y < ui->rows - 1; i++)
		put(y++, 1, ui->attr[UI_C_NORMAL], legend[i], ui->cols - 1);
	status_bar(ui, " any key: back");
}

/* ---- Entry points ------------------------------------------------------- */

void ui_draw(const struct ui *ui)
{
	erase();
	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_LINES) {
		char buf[96];
		snprintf(buf, sizeof(buf),
			 "terminal too small: %dx%d, need %dx%d", ui->cols,
			 ui->rows, UI_MIN_COLS, UI_MIN_LINES);
		mvaddnstr(ui->rows / 2, 0, buf, ui->cols);
		mvaddnstr(ui->rows / 2 + 1, 0, "(q quits)", ui->cols);
		curs_set(0);
		refresh();
		return;
	}
	switch (ui->view) {
	case UI_VIEW_LADDER:
		draw_ladder(ui);
		break;
	case UI_VIEW_HELP:
		draw_help(ui);
		break;
	case UI_VIEW_GRAPH:
		draw_graph(ui);
		break;
	default:
		draw_list(ui);
		break;
	}
	curs_set(ui->editing ? 1 : 0);
	refresh();
}
