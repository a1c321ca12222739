/*
 * keys.c - keys to actions, through one table (as htop's Action.c binds
 * keys). An action changes the UI state and returns what the loop should
 * do next (UI_R_* bits: redraw, reload, load a ladder, quit); it never
 * draws. The help view prints the same table, so the two cannot disagree.
 *
 * While the filter prompt is open every key goes to the line editor
 * instead (edit_key()); the list is filtered as you type.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

#define V_LIST	    (1u << UI_VIEW_LIST)
#define V_LADDER    (1u << UI_VIEW_LADDER)
#define V_GRAPH	    (1u << UI_VIEW_GRAPH)
#define KEY_ESC	    27
#define KEY_CTRL(c) ((c)&0x1f)

typedef int (*ui_action)(struct ui *ui);

/* ---- The flow list ------------------------------------------------------ */

static int list_by(struct ui *ui, long delta)
{
	ui_list_move(&ui->list, delta);
	ui_list_scroll(&ui->list, ui_list_height(ui));
	return UI_R_REDRAW;
}

static int list_up(struct ui *ui) { return list_by(ui, -1); }
static int list_down(struct ui *ui) { return list_by(ui, 1); }
static int list_pgup(struct ui *ui) { return list_by(ui, -ui_list_height(ui)); }
static int list_pgdn(struct ui *ui) { return list_by(ui, ui_list_height(ui)); }
static int list_home(struct ui *ui)
{
	return list_by(ui, -(long)ui->list.nvis);
}
static int list_end(struct ui *ui) { return list_by(ui, (long)ui->list.nvis); }

static int list_open(struct ui *ui)
{
	if (!ui_list_selected(&ui->list))
		return UI_R_NONE;
	ui->ltop = 0;
	ui->open_as = UI_VIEW_LADDER;
	return UI_R_LADDER;
}

static void graph_reset(struct ui *ui)
{
	ui->graph.from = 0;
	ui->graph.to = 1;
}

/* The graph of the selected flow, loaded as its ladder is. */
static int list_graph(struct ui *ui)
{
	if (!ui_list_selected(&ui->list))
		return UI_R_NONE;
	ui->ltop = 0;
	ui->open_as = UI_VIEW_GRAPH;
	ui->graph_from = UI_VIEW_LIST;
	graph_reset(ui);
	ui->graph.dir = 0;
	return UI_R_LADDER;
}

static int relist(struct ui *ui)
{
	if (ui_list_update(&ui->list) < 0)
		snprintf(ui->msg, sizeof(ui->msg), "out of memory");
	ui_list_scroll(&ui->list, ui_list_height(ui));
	return UI_R_REDRAW;
}

static int list_sort(struct ui *ui)
{
	ui->list.sort = (ui->list.sort + 1) % UI_SORT__COUNT;
	return relist(ui);
}

static int list_reverse(struct ui *ui)
{
	ui->list.reverse = !ui->list.reverse;
	return relist(ui);
}

static int list_filter(struct ui *ui)
{
	ui->editing = 1;
	snprintf(ui->edit, sizeof(ui->edit), "%s", ui->list.filter);
	snprintf(ui->edit_old, sizeof(ui->edit_old), "%s", ui->list.filter);
	return UI_R_REDRAW;
}

static int list_unfilter(struct ui *ui)
{
	if (!ui->list.filter[0])
		return UI_R_NONE;
	ui->list.filter[0] = '\0';
	return relist(ui);
}

static int reload(struct ui *ui)
{
	(void)ui;
	return UI_R_RELOAD | UI_R_REDRAW;
}

static int quit(struct ui *ui)
{
	(void)ui;
	return UI_R_QUIT;
}

static int help(struct ui *ui)
{
	ui->help_from = ui->view;
	ui->view = UI_VIEW_HELP;
	return UI_R_REDRAW;
}

/* ---- The ladder --------------------------------------------------------- */

static int ladder_by(struct ui *ui, long delta)
{
	long h = ui_ladder_height(ui);
	long n = (long)ui->ladder.n;
	long top = (long)ui->ltop + delta;
	if (top > n - h)
		top = n - h;
	if (top < 0)
		top = 0;
	ui->ltop = (size_t)top;
	return UI_R_REDRAW;
}

static int lad_up(struct ui *ui) { return ladder_by(ui, -1); }
static int lad_down(struct ui *ui) { return ladder_by(ui, 1); }
static int lad_pgup(struct ui *ui)
{
	return ladder_by(ui, -ui_ladder_height(ui));
}
static int lad_pgdn(struct ui *ui)
{
	return ladder_by(ui, ui_ladder_height(ui));
}
static int lad_home(struct ui *ui)
{
	return ladder_by(ui, -(long)ui->ladder.n);
}
static int lad_end(struct ui *ui) { return ladder_by(ui, (long)ui->ladder.n); }

static int lad_back(struct ui *ui)
{
	ui->view = UI_VIEW_LIST;
	ui_list_scroll(&ui->list, ui_list_height(ui));
	return UI_R_REDRAW;
}

static int lad_step(struct ui *ui, long d)
{
	size_t before = ui->list.sel;
	ui_list_move(&ui->list, d);
	if (ui->list.sel == before)
		return UI_R_NONE;
	ui->ltop = 0;
	ui->open_as = ui->view;
	if (ui->view == UI_VIEW_GRAPH)
		graph_reset(ui);
	return UI_R_LADDER;
}

static int lad_next(struct ui *ui) { return lad_step(ui, 1); }
static int lad_prev(struct ui *ui) { return lad_step(ui, -1); }

/* Scrolls to the next (d 1) or previous (d -1) row after or before the
 * top one that matches the search, or without a search that has an
 * anomaly; says so when there is none. */
static int lad_find(struct ui *ui, long d)
{
	const struct ui_ladder *l = &ui->ladder;
	for (long i = (long)ui->ltop + d; i >= 0 && i < (long)l->n; i += d) {
		const struct ui_row *r = &l->rows[i];
		if (ui->search[0] ? ui_row_matches(r, ui->search) : r->anomaly) {
			ui->ltop = 0;
			return ladder_by(ui, i);
		}
	}
	if (ui->search[0])
		snprintf(ui->msg, sizeof(ui->msg), "no %s row shows '%s'",
			 d > 0 ? "later" : "earlier", ui->search);
	else
		snprintf(ui->msg, sizeof(ui->msg), "no %s anomaly",
			 d > 0 ? "later" : "earlier");
	return UI_R_REDRAW;
}

static int lad_find_next(struct ui *ui) { return lad_find(ui, 1); }
static int lad_find_prev(struct ui *ui) { return lad_find(ui, -1); }

static int lad_search(struct ui *ui)
{
	ui->editing = ui->searching = 1;
	snprintf(ui->edit, sizeof(ui->edit), "%s", ui->search);
	return UI_R_REDRAW;
}

/* Esc in the ladder: first forget the search, then go back. */
static int lad_esc(struct ui *ui)
{
	if (ui->search[0]) {
		ui->search[0] = '\0';
		snprintf(ui->msg, sizeof(ui->msg), "n N: next / previous anomaly");
		return UI_R_REDRAW;
	}
	return lad_back(ui);
}

/* The ladder's graph. */
static int lad_graph(struct ui *ui)
{
	ui->graph_from = UI_VIEW_LADDER;
	ui->view = UI_VIEW_GRAPH;
	graph_reset(ui);
	ui->graph.dir = 0;
	return UI_R_REDRAW;
}

/* ---- The graph ---------------------------------------------------------- */

static int gr_zoom(struct ui *ui, double f)
{
	ui_graph_zoom(&ui->graph, f);
	return UI_R_REDRAW;
}

static int gr_pan(struct ui *ui, double d)
{
	ui_graph_pan(&ui->graph, d);
	return UI_R_REDRAW;
}

static int gr_in(struct ui *ui) { return gr_zoom(ui, 0.5); }
static int gr_out(struct ui *ui) { return gr_zoom(ui, 2); }
static int gr_left(struct ui *ui) { return gr_pan(ui, -0.25); }
static int gr_right(struct ui *ui) { return gr_pan(ui, 0.25); }
static int gr_pgup(struct ui *ui) { return gr_pan(ui, -1); }
static int gr_pgdn(struct ui *ui) { return gr_pan(ui, 1); }
static int gr_home(struct ui *ui) { return gr_pan(ui, -1e9); }
static int gr_end(struct ui *ui) { return gr_pan(ui, 1e9); }

static int gr_all(struct ui *ui)
{
	graph_reset(ui);
	return UI_R_REDRAW;
}

static int gr_dir(struct ui *ui)
{
	ui->graph.dir = !ui->graph.dir;
	return UI_R_REDRAW;
}

static int gr_back(struct ui *ui)
{
	ui->view = ui->graph_from == UI_VIEW_LIST ? UI_VIEW_LIST
						  : UI_VIEW_LADDER;
	ui_list_scroll(&ui->list, ui_list_height(ui));
	return UI_R_REDRAW;
}

/* ---- The table ---------------------------------------------------------- */

struct binding {
	unsigned views;
	int key;
	ui_action fn;
	const char *keys; /* shown in help on the first key of an action */
	const char *help; /* NULL: an alias of the row above */
};

static const struct binding bindings[] = {
    {V_LIST, KEY_UP, list_up, "Up k", "previous flow"},
    {V_LIST, 'k', list_up, NULL, NULL},
    {V_LIST, KEY_DOWN, list_down, "Down j", "next flow"},
    {V_LIST, 'j', list_down, NULL, NULL},
    {V_LIST, KEY_PPAGE, list_pgup, "PgUp PgDn", "a page up / down"},
    {V_LIST, KEY_NPAGE, list_pgdn, NULL, NULL},
    {V_LIST, KEY_HOME, list_home, "Home g", "first flow"},
    {V_LIST, 'g', list_home, NULL, NULL},
    {V_LIST, KEY_END, list_end, "End G", "last flow"},
    {V_LIST, 'G', list_end, NULL, NULL},
    {V_LIST, '\n', list_open, "Enter Right l", "open the flow's ladder"},
    {V_LIST, '\r', list_open, NULL, NULL},
    {V_LIST, KEY_ENTER, list_open, NULL, NULL},
    {V_LIST, KEY_RIGHT, list_open, NULL, NULL},
    {V_LIST, 'l', list_open, NULL, NULL},
    {V_LIST, 'p', list_graph, "p", "the flow's time-sequence graph"},
    {V_LIST, '/', list_filter, "/",
     "filter: ip, port, close, state, label or id (Enter keeps, Esc"
     " undoes)"},
    {V_LIST, KEY_ESC, list_unfilter, "Esc", "clear the filter"},
    {V_LIST, 's', list_sort, "s",
     "next sort key: id start duration packets bytes retrans client"
     " server close"},
    {V_LIST, 'r', list_reverse, "r", "reverse the sort"},
    {V_LIST, 'q', quit, "q", "quit"},

    {V_LADDER, KEY_UP, lad_up, "Up k", "scroll up"},
    {V_LADDER, 'k', lad_up, NULL, NULL},
    {V_LADDER, KEY_DOWN, lad_down, "Down j", "scroll down"},
    {V_LADDER, 'j', lad_down, NULL, NULL},
    {V_LADDER, KEY_PPAGE, lad_pgup, "PgUp PgDn", "a page up / down"},
    {V_LADDER, KEY_NPAGE, lad_pgdn, NULL, NULL},
    {V_LADDER, ' ', lad_pgdn, NULL, NULL},
    {V_LADDER, KEY_HOME, lad_home, "Home g", "first row"},
    {V_LADDER, 'g', lad_home, NULL, NULL},
    {V_LADDER, KEY_END, lad_end, "End G", "last row"},
    {V_LADDER, 'G', lad_end, NULL, NULL},
    {V_LADDER, '/', lad_search, "/",
     "search: a state, label, flag, #packet or seq=/ack=/len=/win= value"},
    {V_LADDER, 'n', lad_find_next, "n N",
     "next / previous row the search shows, or without one anomaly"},
    {V_LADDER, 'N', lad_find_prev, NULL, NULL},
    {V_LADDER, 'p', lad_graph, "p", "the flow's time-sequence graph"},
    {V_LADDER | V_GRAPH, ']', lad_next, "] [",
     "next / previous flow of the list"},
    {V_LADDER | V_GRAPH, '[', lad_prev, NULL, NULL},
    {V_LADDER, KEY_ESC, lad_esc, "Esc", "forget the search, else back"},
    {V_LADDER, 'q', lad_back, "q Left h", "back to the list"},
    {V_LADDER, KEY_LEFT, lad_back, NULL, NULL},
    {V_LADDER, 'h', lad_back, NULL, NULL},
    {V_LADDER, KEY_BACKSPACE, lad_back, NULL, NULL},

    {V_GRAPH, '+', gr_in, "+ =", "zoom in (time)"},
    {V_GRAPH, '=', gr_in, NULL, NULL},
    {V_GRAPH, '-', gr_out, "-", "zoom out"},
    {V_GRAPH, KEY_LEFT, gr_left, "Left h Right l", "pan a quarter"},
    {V_GRAPH, 'h', gr_left, NULL, NULL},
    {V_GRAPH, KEY_RIGHT, gr_right, NULL, NULL},
    {V_GRAPH, 'l', gr_right, NULL, NULL},
    {V_GRAPH, KEY_PPAGE, gr_pgup, "PgUp b PgDn Space", "pan a screen"},
    {V_GRAPH, 'b', gr_pgup, NULL, NULL},
    {V_GRAPH, KEY_NPAGE, gr_pgdn, NULL, NULL},
    {V_GRAPH, ' ', gr_pgdn, NULL, NULL},
    {V_GRAPH, KEY_HOME, gr_home, "Home g End G", "the start / the end"},
    {V_GRAPH, 'g', gr_home, NULL, NULL},
    {V_GRAPH, KEY_END, gr_end, NULL, NULL},
    {V_GRAPH, 'G', gr_end, NULL, NULL},
    {V_GRAPH, '0', gr_all, "0", "the whole flow"},
    {V_GRAPH, 'd', gr_dir, "d", "the other direction"},
    {V_GRAPH, 'q', gr_back, "q Esc", "back"},
    {V_GRAPH, KEY_ESC, gr_back, NULL, NULL},

    {V_LIST | V_LADDER | V_GRAPH, '?', help, "?", "this help"},
    {V_LIST | V_LADDER | V_GRAPH, KEY_F(1), help, NULL, NULL},
    {V_LIST | V_LADDER | V_GRAPH, KEY_CTRL('l'), reload, "Ctrl-L",
     "reload from the database now (it also reloads by itself)"},
    {0, 0, NULL, NULL, NULL},
};

int ui_binding(int view, size_t i, const char **keys, const char **help)
{
	unsigned v = 1u << view;
	for (const struct binding *b = bindings; b->fn; b++) {
		if (!(b->views & v) || !b->help)
			continue;
		if (i-- == 0) {
			*keys = b->keys;
			*help = b->help;
			return 1;
		}
	}
	return 0;
}

/* The prompts' line editor: the list's filter (filtered as one types)
 * or the ladder's search (run at Enter). */
static int edit_key(struct ui *ui, int ch)
{
	size_t n = strlen(ui->edit);
	if (ui->searching) {
		switch (ch) {
		case '\n':
		case '\r':
		case KEY_ENTER:
			ui->editing = ui->searching = 0;
			snprintf(ui->search, sizeof(ui->search), "%s", ui->edit);
			/* From the row above the top, so the top row counts. */
			if (!ui->search[0])
				return UI_R_REDRAW;
			if (ui->ltop == 0 && ui->ladder.n &&
			    ui_row_matches(&ui->ladder.rows[0], ui->search))
				return UI_R_REDRAW;
			return lad_find(ui, 1);
		case KEY_ESC:
			ui->editing = ui->searching = 0;
			return UI_R_REDRAW;
		}
	}
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui->editing = 0;
		return UI_R_REDRAW;
	case KEY_ESC:
		ui->editing = 0;
		snprintf(ui->list.filter, sizeof(ui->list.filter), "%s",
			 ui->edit_old);
		return relist(ui);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			ui->edit[n - 1] = '\0';
		break;
	case KEY_CTRL('u'):
		ui->edit[0] = '\0';
		break;
	default:
		if (ch < 32 || ch > 126 || n + 1 >= sizeof(ui->edit))
			return UI_R_NONE;
		ui->edit[n] = (char)ch;
		ui->edit[n + 1] = '\0';
		break;
	}
	if (ui->searching)
		return UI_R_REDRAW;
	snprintf(ui->list.filter, sizeof(ui->list.filter), "%s", ui->edit);
	ui->list.sel = 0;
	ui->list.top = 0;
	return relist(ui);
}

int ui_key(struct ui *ui, int ch)
{
	if (ui->msg[0]) {
		ui->msg[0] = '\0';
		if (ch == ERR)
			return UI_R_REDRAW;
	}
	if (ui->editing)
		return edit_key(ui, ch);
	if (ui->view == UI_VIEW_HELP) {
		if (ch < KEY_MIN || ch == KEY_LEFT || ch == KEY_ENTER) {
			ui->view = ui->help_from;
			return UI_R_REDRAW;
		}
		return UI_R_NONE;
	}
	unsigned v = 1u << ui->view;
	for (const struct binding *b = bindings; b->fn; b++)
		if ((b->views & v) && b->key == ch)
			return b->fn(ui);
	return UI_R_NONE;
}
