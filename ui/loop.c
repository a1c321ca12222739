/*
 * loop.c - ui_run(): the one loop that owns time, input and drawing (in
 * the spirit of htop's ScreenManager_run).
 *
 *   draw when dirty
 *   getch() with a timeout that ends at the next reload tick
 *   on the tick: reload the snapshot if the database changed
 *   KEY_RESIZE: take the new size, redraw (draw.c shows a message when
 *               the terminal is too small)
 *   other keys: ui_key() -> reaction bits -> reload / load a ladder /
 *               redraw / quit
 *
 * The selection survives reloads because list.c keeps it by connection
 * id, and the open ladder is reloaded for the same id, keeping its scroll
 * position. Nothing but the loop calls a load or ui_draw().
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clamp_ladder(struct ui *ui)
{
	size_t h = (size_t)ui_ladder_height(ui);
	if (ui->ltop + h > ui->ladder.n)
		ui->ltop = ui->ladder.n > h ? ui->ladder.n - h : 0;
}

static void open_ladder(struct ui *ui)
{
	const struct ui_flow *f = ui_list_selected(&ui->list);
	char err[160];
	if (!f)
		return;
	/* The graph from the list needs the flow's header only: its rows
	 * are streamed into the summary (load_graph()). */
	int header = ui->open_as == UI_VIEW_GRAPH &&
		     ui->graph_from == UI_VIEW_LIST;
	if ((header ? ui_model_load_header(ui->model, f->id, &ui->ladder, err,
					   sizeof(err))
		    : ui_model_load_ladder(ui->model, f->id, &ui->ladder, err,
					   sizeof(err))) < 0) {
		snprintf(ui->msg, sizeof(ui->msg), "%s", err);
		return;
	}
	ui->view = ui->open_as == UI_VIEW_GRAPH ? UI_VIEW_GRAPH
						: UI_VIEW_LADDER;
	clamp_ladder(ui);
}

/* Reloads what is on screen. Failures leave the old snapshot and say why
 * in the status bar. */
static void reload(struct ui *ui)
{
	char err[128];
	if (ui_model_load_flows(ui->model, &ui->list.flows, err, sizeof(err)) <
	    0) {
		snprintf(ui->msg, sizeof(ui->msg), "reload failed: %s", err);
		return;
	}
	ui->loaded = 1;
	if (strncmp(ui->msg, "reload failed", 13) == 0)
		ui->msg[0] = '\0'; /* the writer let go */
	if (ui_list_update(&ui->list) < 0)
		snprintf(ui->msg, sizeof(ui->msg), "out of memory");
	ui_list_scroll(&ui->list, ui_list_height(ui));
	int on_ladder =
	    ui->view == UI_VIEW_LADDER || ui->view == UI_VIEW_GRAPH ||
	    (ui->view == UI_VIEW_HELP && (ui->help_from == UI_VIEW_LADDER ||
					  ui->help_from == UI_VIEW_GRAPH));
	if (on_ladder && ui->ladder.flow.id) {
		int header = ui->graph_from == UI_VIEW_LIST &&
			     (ui->view == UI_VIEW_GRAPH ||
			      (ui->view == UI_VIEW_HELP &&
			       ui->help_from == UI_VIEW_GRAPH));
		int rc = header ? ui_model_load_header(ui->model,
						       ui->ladder.flow.id,
						       &ui->ladder, err,
						       sizeof(err))
				: ui_model_load_ladder(ui->model,
						       ui->ladder.flow.id,
						       &ui->ladder, err,
						       sizeof(err));
		ui->gsum_id = 0; /* read the graph again too */
		if (rc ==
		    UI_ENOTFOUND) { /* the flow is gone: back to the list */
			ui->view = UI_VIEW_LIST;
			snprintf(ui->msg, sizeof(ui->msg), "%s", err);
		} else if (rc < 0) {
			snprintf(ui->msg, sizeof(ui->msg), "reload failed: %s",
				 err);
		}
		clamp_ladder(ui);
	}
}

/* The graph's summary, read again when it is of another flow, stale, or
 * too coarse for the view (zoomed in: then of a window around it). */
static void load_graph(struct ui *ui)
{
	int64_t id = ui->ladder.flow.id;
	char err[160];
	if (ui->view != UI_VIEW_GRAPH || !id)
		return;
	if (!ui->gsum && !(ui->gsum = malloc(sizeof(*ui->gsum)))) {
		snprintf(ui->msg, sizeof(ui->msg), "out of memory");
		return;
	}
	int dots = ui_graph_dots(ui);
	int window = 0;
	int64_t from = 0, to = 0;
	if (ui->gsum_id == id) {
		if (ui_graph_covers(ui->gsum, &ui->graph, dots))
			return;
		ui_graph_window(ui->gsum, &ui->graph, dots, &from, &to);
		window = 1;
	} else if (ui->graph.to - ui->graph.from < 1) {
		/* A flow read again zoomed in (live): whole first, then the
		 * window the whole one says. */
		if (ui_model_load_graph(ui->model, id, 0, 0, 0, ui->gsum, err,
					sizeof(err)) == 0 &&
		    !ui_graph_covers(ui->gsum, &ui->graph, dots)) {
			ui_graph_window(ui->gsum, &ui->graph, dots, &from, &to);
			window = 1;
		}
	}
	if (ui_model_load_graph(ui->model, id, window, from, to, ui->gsum, err,
				sizeof(err)) < 0) {
		snprintf(ui->msg, sizeof(ui->msg), "%s", err);
		ui->gsum_id = 0;
		return;
	}
	ui->gsum_id = id;
}

int ui_run(struct ui_model *m, double refresh_s, char *err, size_t errlen)
{
	struct ui ui;
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen, "cannot set up the terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "");
		return UI_ETERM;
	}
	memset(&ui, 0, sizeof(ui));
	ui.model = m;
	ui.list.sel_id = -1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	ui_colors_init(&ui);
	getmaxyx(stdscr, ui.rows, ui.cols);

	reload(&ui);
	double next = now_s() + refresh_s;
	int dirty = 1;
	for (;;) {
		if (dirty) {
			load_graph(&ui);
			ui_draw(&ui);
			dirty = 0;
		}
		double left = next - now_s();
		int ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
		timeout(ms > 1000 ? 1000 : ms);
		int ch = getch();
		if (now_s() >= next) {
			next = now_s() + refresh_s;
			if (ui_model_changed(m)) {
				reload(&ui);
				dirty = 1;
			}
		}
		if (ch == ERR)
			continue;
		if (ch == KEY_RESIZE) {
			getmaxyx(stdscr, ui.rows, ui.cols);
			ui_list_scroll(&ui.list, ui_list_height(&ui));
			clamp_ladder(&ui);
			dirty = 1;
			continue;
		}
		if ((ui.cols < UI_MIN_COLS || ui.rows < UI_MIN_LINES) &&
		    ch == 'q')
			break;
		int r = ui_key(&ui, ch);
		if (r & UI_R_QUIT)
			break;
		if (r & UI_R_RELOAD)
			reload(&ui);
		if (r & UI_R_LADDER)
			open_ladder(&ui);
		if (r != UI_R_NONE)
			dirty = 1;
	}
	endwin();
	delscreen(scr);
	ui_list_free(&ui.list);
	ui_ladder_free(&ui.ladder);
	free(ui.gsum);
	return 0;
}
