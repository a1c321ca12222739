/*
 * ui.h - the whole interface of ui/, tcpscope's ncurses browser.
 *
 * Four layers, one file each, and each only looks down:
 *
 *   model.c   reads a snapshot out of SQLite (read-only): the flow list, or
 *             the rows of one flow's ladder. Knows SQL, not curses.
 *   ladder.c  turns the rows of one flow's streamed ladder (the one
 *             `timeline` prints: analyzer/query/ladder.h) into ladder
 *             rows with both sides' states (pure: rows in, rows out).
 *   list.c    filters and sorts the flow snapshot, keeps the selection by
 *             connection id (pure).
 *   graph.c   rasterizes a ladder's segments into the cells of a
 *             time-sequence graph (pure: rows in, dots per cell out).
 *   draw.c    paints a view from a snapshot; never changes it. Owns the
 *             colour roles (the only caller of init_pair).
 *   keys.c    the key table: key -> action; an action changes the state
 *             and returns a reaction (redraw, reload, quit) for the loop.
 *   loop.c    ui_run(): the one loop owning time, input and drawing.
 *
 * Errors: functions that can fail return 0 on success or a negative UI_E*
 * value and write a one-line message into err (when not NULL). Nothing
 * here prints or exits; cmd_tui.c does.
 */
#ifndef UI_H
#define UI_H

#include <stddef.h>
#include <stdint.h>

#define UI_ENOENT    (-1) /* the database file does not exist */
#define UI_EDB	     (-2) /* cannot open or read it; not a tcpscope DB */
#define UI_ENOMEM    (-3) /* out of memory */
#define UI_ENOTFOUND (-4) /* no such connection */
#define UI_ETERM     (-5) /* the terminal could not be set up */

/* ---- Snapshots ---------------------------------------------------------- */

#define UI_STATE_LEN  16 /* "SYN-RECEIVED" plus NUL, with room */
#define UI_ADDR_LEN   64 /* "[ffff:...:ffff]:65535" */
#define UI_LABELS_LEN 160

/* One row of the flow list. */
struct ui_flow {
	int64_t id;
	char client[UI_ADDR_LEN], server[UI_ADDR_LEN]; /* "ip:port" */
	char close[16], conn_state[8];
	char cstate[UI_STATE_LEN], sstate[UI_STATE_LEN]; /* final states */
	int64_t packets, bytes, retrans;		 /* both directions */
	int64_t first_ts, last_ts;			 /* ns; 0 unknown */
	uint64_t labels; /* bit 1 << TC_LB_x: counted at least once */
	char limited[16]; /* what held the direction that carried more
			   * payload (tcpscope-flows(1) TRANSFER); "" unknown */
};

/* A growable array of flows; owned by whoever holds it, freed with
 * ui_flows_free(). */
struct ui_flows {
	struct ui_flow *v;
	size_t n, cap;
};
void ui_flows_free(struct ui_flows *f);

enum ui_row_kind {
	UI_ROW_INITIAL, /* the states before the first packet */
	UI_ROW_SEGMENT, /* a segment: an arrow */
	UI_ROW_STATE	/* a state change with no known segment (timer, end) */
};

/* One line of the ladder. */
struct ui_row {
	int kind;
	int64_t ts_ns, pkt; /* pkt -1: none */
	int dir;	    /* 0 client->server, 1 back, -1 unknown */
	int has_flags;	    /* flags[] is known (segments table) */
	char flags[12];
	int has_seq;
	uint32_t seq, ack; /* relative to each direction's ISN */
	int64_t len, win;
	char cstate[UI_STATE_LEN], sstate[UI_STATE_LEN]; /* after this row */
	int cchanged, schanged;
	/* A side that changed twice on one packet (CLOSE-WAIT, then
	 * LAST-ACK): the first state, shown on a row of its own above. */
	char cvia[UI_STATE_LEN], svia[UI_STATE_LEN];
	int step; /* UI_ROW_STATE: that first step of pkt */
	char labels[UI_LABELS_LEN];
	int anomaly; /* some label is an anomaly, not information */
};

/* Sequence numbers made relative to each direction's first one, row by
 * row in ladder order (start with a zeroed struct ui_relseq). */
struct ui_relseq {
	int have[2];
	uint32_t base[2];
};
/* One connection's ladder: its header and rows. Free with
 * ui_ladder_free(); a zeroed struct is an empty ladder. */
struct ui_ladder {
	struct ui_flow flow;
	char handshake[24], history[48], vlan[24];
	char cpath[160], spath[160]; /* client_states, server_states */
	char vantage[8];	     /* client, middle, server; "" unknown */
	char alt[2][160]; /* each side's first other path the capture leaves
			   * open, "" when its path is certain */
	int64_t rtt_handshake, rtt_min, rtt_avg, rtt_max; /* ns; -1 unknown */
	int midstream;
	int has_segments; /* every row is a segment, stored or read */
	int from_capture; /* ... read again from the capture file */
	char capture_note[200]; /* why the capture was not read, or "" */
	int ws[2];	  /* each side's window scale; -1 none (or unknown) */
	int scaled;	  /* windows shown in bytes (ui_ladder_add()) */
	int64_t t0;	  /* time origin of the rows (first_ts) */
	struct ui_row *rows;
	size_t n, cap;
	struct ui_relseq rs; /* while building */
};
void ui_ladder_free(struct ui_ladder *l);

/* ---- ladder.c ----------------------------------------------------------- */

/* Builds l->rows (replacing any) from the rows of the flow's streamed
 * ladder, in order: ui_ladder_begin() with what ladder_run() settled
 * before the first row (l's header, ws, cpath and spath already set),
 * then ui_ladder_add() for each row. Each returns 0, or UI_ENOMEM (l->rows
 * is then empty, l still valid). */
struct ladder_info;
struct ladder_row;
int ui_ladder_begin(struct ui_ladder *l, const struct ladder_info *in);
int ui_ladder_add(struct ui_ladder *l, const struct ladder_row *r);

/* 1 if a label names an anomaly (retransmission, dup-ack, zero-window...),
 * 0 if it is information (window-update, sack, keep-alive...). */
int ui_label_is_anomaly(const char *label);

/* Sets r->anomaly from r->labels (the ladder's rows and the graph's). */
void ui_row_mark_anomaly(struct ui_row *r);

void ui_relseq(struct ui_relseq *rs, struct ui_row *r);

/* 1 when the ladder row r shows text s (case-sensitive): its packet
 * number as "#N", flags, seq=, ack=, len=, win= values, labels or a
 * side's state. */
int ui_row_matches(const struct ui_row *r, const char *s);

/* ---- model.c: reading the database -------------------------------------- */

struct ui_model;
struct ui_gsum;

/* Opens path read-only (never creates it) and checks it is a tcpscope
 * database. Returns 0 with *out set (free with ui_model_close()), or
 * UI_ENOENT / UI_EDB / UI_ENOMEM with *out NULL and err filled. */
int ui_model_open(const char *path, struct ui_model **out, char *err,
		  size_t errlen);

/* As ui_model_open(), for a set of n >= 1 databases shown as one
 * (fsel_open_dbs(): with n > 1 merged into memory when opened, so the
 * screen does not follow later changes to them). */
int ui_model_open_set(const char *const *paths, int n,
		      struct ui_model **out, char *err, size_t errlen);
void ui_model_close(struct ui_model *m);
const char *ui_model_path(const struct ui_model *m);

/* 1 if another connection committed since the last successful load
 * (PRAGMA data_version), else 0; 1 also when that cannot be told. */
int ui_model_changed(struct ui_model *m);

/* Replaces *out with every connection. On failure (UI_EDB, e.g. busy, or
 * UI_ENOMEM) *out is unchanged and err says why. */
int ui_model_load_flows(struct ui_model *m, struct ui_flows *out, char *err,
			size_t errlen);

/* Replaces *out with the ladder of connection id. UI_ENOTFOUND if there is
 * no such connection; on any failure *out is unchanged. */
int ui_model_load_ladder(struct ui_model *m, int64_t id, struct ui_ladder *out,
			 char *err, size_t errlen);

/* Only the header of the ladder of id (its flow, no rows): what the graph
 * view shows above the graph. Errors as ui_model_load_ladder(). */
int ui_model_load_header(struct ui_model *m, int64_t id, struct ui_ladder *out,
			 char *err, size_t errlen);

/* Fills *out with the graph summary of connection id (graph.c), streaming
 * its rows (stored segments, else the capture read again, else the
 * events) without holding them: of the whole flow, or (window) of
 * [from, to] (ns). On failure (UI_ENOTFOUND, UI_EDB, UI_ENOMEM) *out is
 * unchanged and err says why. */
int ui_model_load_graph(struct ui_model *m, int64_t id, int window,
			int64_t from, int64_t to, struct ui_gsum *out,
			char *err, size_t errlen);

/* ---- list.c: the flow list view's filter, sort and selection ------------ */

#define UI_SORT_KEYS(X)                                                        \
	X(ID, "id")                                                            \
	X(START, "start")                                                      \
	X(DURATION, "duration")                                                \
	X(PACKETS, "packets")                                                  \
	X(BYTES, "bytes")                                                      \
	X(RETRANS, "retrans")                                                  \
	X(CLIENT, "client")                                                    \
	X(SERVER, "server")                                                    \
	X(CLOSE, "close")

enum ui_sort {
#define UI_X(id, name) UI_SORT_##id,
	UI_SORT_KEYS(UI_X)
#undef UI_X
	    UI_SORT__COUNT
};
const char *ui_sort_name(int key);

struct ui_list {
	struct ui_flows flows; /* the snapshot */
	size_t *vis;	       /* indices into flows: filtered, sorted */
	size_t nvis, viscap;
	size_t sel, top; /* index into vis; first row shown */
	int64_t sel_id;	 /* the selection survives reloads by id */
	int sort, reverse;
	char filter[128];
};

/* Recomputes vis from flows, filter and sort, then finds sel_id again
 * (or clamps sel when that flow is gone). Returns 0 or UI_ENOMEM (vis is
 * then empty). */
int ui_list_update(struct ui_list *l);

/* Moves the selection by delta rows (clamped) and records sel_id. */
void ui_list_move(struct ui_list *l, long delta);

/* Keeps the selection within [top, top + height). */
void ui_list_scroll(struct ui_list *l, int height);

/* 1 if the flow matches the filter text (case-insensitive substring of its
 * id, addresses, close, conn_state, states or the name of a label it has;
 * "" matches everything). */
int ui_flow_matches(const struct ui_flow *f, const char *filter);

/* The selected flow, or NULL when the list is empty. */
const struct ui_flow *ui_list_selected(const struct ui_list *l);

void ui_list_free(struct ui_list *l);

/* ---- The UI state shared by draw.c, keys.c and loop.c ------------------- */

/* Colour roles, each with a colour and a monochrome rendering. */
/* clang-format off */
#define UI_COLORS(X)                                                          \
	/* role      fg              bg            colour attr  mono attr */  \
	X(NORMAL,    -1,             -1,           0,           0)            \
	X(TITLE,     COLOR_BLACK,    COLOR_CYAN,   0,           A_REVERSE)    \
	X(STATUS,    COLOR_BLACK,    COLOR_WHITE,  0,           A_REVERSE)    \
	X(HEADING,   COLOR_YELLOW,   -1,           A_BOLD,      A_BOLD)       \
	X(SELECTED,  COLOR_BLACK,    COLOR_GREEN,  0,           A_REVERSE)    \
	X(DIM,       -1,             -1,           A_DIM,       A_DIM)        \
	X(CHANGED,   COLOR_GREEN,    -1,           A_BOLD,      A_BOLD)       \
	X(C2S,       COLOR_CYAN,     -1,           0,           0)            \
	X(S2C,       COLOR_MAGENTA,  -1,           0,           0)            \
	X(ANOMALY,   COLOR_RED,      -1,           A_BOLD,      A_UNDERLINE)  \
	X(INFO,      COLOR_BLUE,     -1,           0,           0)            \
	X(RESET,     COLOR_RED,      -1,           0,           A_BOLD)       \
	X(KEY,       COLOR_YELLOW,   -1,           A_BOLD,      A_BOLD)       \
	X(ERROR,     COLOR_WHITE,    COLOR_RED,    A_BOLD,      A_REVERSE)
/* clang-format on */

enum ui_color {
#define UI_X(role, fg, bg, ca, ma) UI_C_##role,
	UI_COLORS(UI_X)
#undef UI_X
	    UI_C__COUNT
};

enum ui_view { UI_VIEW_LIST, UI_VIEW_LADDER, UI_VIEW_HELP, UI_VIEW_GRAPH };

/* ---- graph.c: the time-sequence graph of the open ladder ---------------- */

/* What the graph view shows: a part of the flow's time and one direction's
 * sequence space. */
struct ui_graph {
	double from, to; /* the part of [first, last packet] shown, 0 <= from
			  * < to <= 1 */
	int dir;	 /* the data of 0 client->server, 1 back */
};

/* What a cell shows, lowest first: a higher one wins the cell's colour. */
enum ui_graph_role { UI_GR_NONE, UI_GR_ACK, UI_GR_DATA, UI_GR_LABEL };

/* One character cell: a dot per bit, cw x ch dots (braille: 2 x 4, bit
 * 1 << (x * 4 + y); ASCII: 1 x 2), and its role. */
struct ui_cell {
	uint8_t dots;
	uint8_t role;
};

/* Zooming never goes below this part of the flow's time. */
#define UI_GRAPH_MIN_SPAN 1e-6

/* The graph's data: one flow's rows summarized into a bounded number of
 * time bins, so that the graph of a million segments needs no row in
 * memory. A summary is fed the rows one at a time, in packet order (the
 * model streams them from the database or the capture), and covers
 * either the whole flow (its bins double in width, merging pairs, until
 * every row fits) or a window of it (rows outside count only for the
 * flow's time range). Per bin and per direction's sequence space: the y
 * range its rows give, the merged unlabelled data bars, the merged
 * labelled bars (never merged with unlabelled ones: a labelled row keeps
 * its colour), the ACKs' lowest and highest, and the rows drawn. Memory:
 * the fixed size of the struct (about 2 x UI_GSUM_BINS x 48 bytes),
 * whatever the flow's length. */
#define UI_GSUM_BINS 4096

struct ui_gbin {
	uint32_t ylo, yhi; /* the y range of the rows (GB_Y) */
	uint32_t dlo, dhi; /* data bars (GB_D) */
	uint32_t llo, lhi; /* labelled data bars (GB_L) */
	uint32_t alo, ahi; /* the peer's ACKs (GB_A) */
	uint32_t klo, khi; /* labelled ACKs (GB_K) */
	uint32_t n;	   /* rows drawn */
	uint8_t has;	   /* UI_GB_* bits */
};
#define UI_GB_Y 0x01
#define UI_GB_D 0x02
#define UI_GB_L 0x04
#define UI_GB_A 0x08
#define UI_GB_K 0x10

struct ui_gsum {
	int64_t t0, t1;	  /* the time of every row fed (ns) */
	int have_t;
	int window;	  /* the bins cover [b0, b0 + nb * bw) only */
	int64_t b0, bw;	  /* the bins' start and width (ns, bw >= 1) */
	uint64_t rows;	  /* rows fed */
	uint64_t seqrows; /* ... with sequence numbers */
	int64_t tmin[UI_GSUM_BINS]; /* the earliest row of a bin (INT64_MAX
				     * none): where it is drawn */
	struct ui_gbin bin[2][UI_GSUM_BINS]; /* [direction of the data] */
};

/* Starts (empties) a summary: of the whole flow, with [from, to] a hint
 * of its time (the connection's first and last packet), or (window) of
 * exactly [from, to]. */
void ui_gsum_start(struct ui_gsum *s, int64_t from, int64_t to, int window);

/* Adds one ladder row (sequence numbers as the ladder shows them); a row
 * without sequence numbers only widens the time range. */
void ui_gsum_add(struct ui_gsum *s, const struct ui_row *r);

/* A time that belongs to the flow without a row to draw (a state change). */
void ui_gsum_time(struct ui_gsum *s, int64_t ts);

/* 1 when s shows view g at dots columns of dots finely enough (at least
 * one bin per dot column, or bins of 1 ns), else 0: then the model should
 * fill a summary of the window ui_graph_window() gives. */
int ui_graph_covers(const struct ui_gsum *s, const struct ui_graph *g,
		    int dots);
void ui_graph_window(const struct ui_gsum *s, const struct ui_graph *g,
		     int dots, int64_t *from, int64_t *to);

/* Draws the time-sequence graph of the summary into cells[h * w]
 * (zeroed here), each cell cw x ch dots (cw 1..2, ch 1..4): the data of
 * direction g->dir as vertical bars from seq to seq + len, the peer's
 * acknowledgements as dots, a row with labels (an anomaly) as UI_GR_LABEL.
 * Bins that fall on one dot column are drawn over each other. The y range
 * is that of the rows within the time shown, returned in *ylo and *yhi
 * (relative sequence numbers). Returns how many rows were drawn. Cannot
 * fail. */
size_t ui_graph_render(const struct ui_gsum *s, const struct ui_graph *g,
		       int w, int h, int cw, int ch, struct ui_cell *cells,
		       uint32_t *ylo, uint32_t *yhi);

/* The character of a cell: a UTF-8 braille pattern (utf8), else ASCII
 * (' ', '\'', '.', ':' for 1 x 2 dots). buf has room for 8 bytes.
 * Returns buf. */
const char *ui_graph_glyph(const struct ui_cell *c, int utf8, char *buf);

/* Zooms by factor (< 1 in, > 1 out) about the middle, or pans by delta
 * (a fraction of the span shown), keeping 0 <= from < to <= 1. */
void ui_graph_zoom(struct ui_graph *g, double factor);
void ui_graph_pan(struct ui_graph *g, double delta);

#define UI_MIN_COLS  60
#define UI_MIN_LINES 10

struct ui_model;
struct ui {
	struct ui_model *model;
	struct ui_list list;
	struct ui_ladder ladder; /* of list.sel_id when view is LADDER */
	size_t ltop;		 /* first ladder row shown */
	int view, help_from;	 /* enum ui_view; where ? came from */
	int open_as;		 /* the view a ladder being loaded opens in */
	int graph_from;		 /* where the graph view came from */
	struct ui_graph graph;	 /* the graph view's zoom and direction */
	struct ui_gsum *gsum;	 /* its summary (loop.c), NULL none yet */
	int64_t gsum_id;	 /* ... of this flow; 0 stale */
	int editing;		 /* a prompt is open: the filter, or */
	int searching;		 /* the ladder's search */
	char edit[128], edit_old[128];
	char search[128];	 /* the ladder's last search, "" none */
	char msg[160];		    /* a one-line message in the status bar */
	int loaded;		    /* a snapshot was loaded at least once */
	unsigned attr[UI_C__COUNT]; /* attributes of each colour role */
	int color;		    /* colours in use (else monochrome) */
	int rows, cols;		    /* the terminal's size */
};

/* ---- draw.c ------------------------------------------------------------- */

/* Decides colour or monochrome (NO_COLOR, has_colors()) and fills
 * ui->attr; the only caller of init_pair. Call after initscr(). */
void ui_colors_init(struct ui *ui);

/* Dot columns of the graph at the current size and locale. */
int ui_graph_dots(const struct ui *ui);

/* Repaints the whole screen from ui (erase, draw, refresh). */
void ui_draw(const struct ui *ui);

/* Lines available for list rows / ladder rows at the current size: the
 * screen's layout, which drawing (draw.c) and paging (keys.c) share. */
static inline int ui_list_height(const struct ui *ui)
{
	return ui->rows - 3 > 1 ? ui->rows - 3 : 1;
}

static inline int ui_ladder_height(const struct ui *ui)
{
	return ui->rows - 5 > 1 ? ui->rows - 5 : 1;
}

/* ---- keys.c ------------------------------------------------------------- */

/* What an action asks the loop to do next (bits). */
#define UI_R_NONE   0x0
#define UI_R_REDRAW 0x1 /* the state changed: repaint */
#define UI_R_RELOAD 0x2 /* reload the snapshot now */
#define UI_R_LADDER 0x4 /* load the ladder of list.sel_id */
#define UI_R_QUIT   0x8

/* Applies one key (from getch) to ui and returns UI_R_* bits. */
int ui_key(struct ui *ui, int ch);

/* The key table, for the help view: i-th binding of view, or 0 when past
 * the end. *keys and *help are static strings. */
int ui_binding(int view, size_t i, const char **keys, const char **help);

/* ---- loop.c ------------------------------------------------------------- */

/* Runs the TUI on the terminal until the user quits. refresh_s is the
 * reload period (> 0). Returns 0, or UI_ETERM with err filled. The model
 * stays the caller's. */
int ui_run(struct ui_model *m, double refresh_s, char *err, size_t errlen);

/* ---- small formatting helpers (draw.c), exposed for tests --------------- */


/* "999", "12.3k", "4.5M", "1.2G"; returns buf. */
char *ui_fmt_count(int64_t v, char *buf, size_t len);

/* The text of a ladder arrow of exactly width columns, e.g.
 * "---- SA seq=0 ack=1 win=65535 len=0 --->" (dir 0 points right).
 * Returns buf. */
char *ui_fmt_arrow(const struct ui_row *r, int width, char *buf, size_t len);

#endif /* UI_H */
