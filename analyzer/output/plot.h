/*
 * plot.h - one connection's pictures as SVG (svg.h): the time-sequence
 * graph, throughput, RTT and window over time. Prefix: plot_.
 *
 * The caller streams the connection to the plot twice, in packet order:
 * pass 0 measures (the sequence-number range, the largest window, the
 * RTT samples, the throughput per time bin), pass 1 draws. Each pass is
 * plot_pass(), then plot_segment() per segment, plot_event() per label
 * row (after the segment of its packet), plot_transition() per state
 * change; plot_finish() writes the document. Nothing is kept per
 * segment: memory is a few fixed arrays (one bucket per pixel column at
 * most), whatever the length of the connection.
 *
 * Every element drawn carries a class saying what it is. Series (the
 * sequence space they describe, c2s or s2c, as a second class):
 *   data, ack, window, sack (tsg); throughput, goodput, average
 *   (throughput); sample, srtt, rtt-min (rtt); window, inflight, cwnd
 *   (window); state (the band of both sides' state changes, with client or
 *   server).
 * Marks, one per label row of the database (the events view, superseded
 * rows left out), class "mark", the label's name (tcpcore's spelling:
 * retransmission, fast-retransmission, spurious-retransmission,
 * out-of-order, zero-window, dup-ack, ...) and the direction of the
 * segment that carries it (c2s: sent by the client), and "revised" when
 * later evidence changed the packet's label into this one, in the tsg only;
 * the labels sack and dsack have no mark of their own: the segment's
 * SACK blocks are drawn (one "sack" element per segment).
 * Data segments that fall on one pixel column are merged into one bar;
 * a labelled segment never is.
 */
#ifndef PLOT_H
#define PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PLOT_KINDS(X)                                                          \
	X(TSG, "tsg")                                                          \
	X(THROUGHPUT, "throughput")                                            \
	X(RTT, "rtt")                                                          \
	X(WINDOW, "window")

enum plot_kind {
#define PLOT_X(id, name) PLOT_##id,
	PLOT_KINDS(PLOT_X)
#undef PLOT_X
	PLOT__COUNT
};

/* The kind's name ("tsg"), or NULL. */
const char *plot_kind_name(int kind);

/* Which directions: bits. */
#define PLOT_C2S 0x1
#define PLOT_S2C 0x2

/* The connection, as its header shows it. Strings are copied. */
struct plot_conn {
	int64_t id;
	const char *client, *server; /* "ip:port" */
	const char *capture;	      /* the capture's path, "" unknown */
	int64_t first_ts, last_ts;   /* ns */
	int ws[2];		      /* window scale shift per dir, -1 none */
};

/* One segment, as the capture or the segments table gives it. */
struct plot_seg {
	int64_t ts_ns, pkt;
	int dir;		/* 0 sent by the client, 1 by the server */
	unsigned flags;		/* TC_SYN ... (tcpcore.h) */
	uint32_t seq, ack, len; /* absolute numbers, payload length */
	uint16_t win;		/* as sent (unscaled) */
	unsigned nsack;		/* SACK blocks, up to 4 */
	uint32_t sack[4][2];
	int labelled;		/* it carries at least one live label */
	/* The sender's congestion window (bytes) from elsewhere, or -1: the
	 * window graph then draws its own estimate (plot.c cwnd_estimate()),
	 * class "cwnd". */
	int64_t cwnd;
};

/* One label row (events view, superseded = 0). */
struct plot_event {
	int64_t ts_ns, pkt;
	int dir;
	unsigned label;		/* enum tc_label */
	uint32_t seq, ack, len;
	int revised;		/* it replaced another label of its packet */
};

struct plot_opts {
	int kind;   /* enum plot_kind */
	int dirs;   /* PLOT_C2S, PLOT_S2C or both */
	int width, height; /* pixels */
};

struct plot;

/* A plot of conn with opts. NULL when out of memory (err says so). */
struct plot *plot_new(const struct plot_opts *opts,
		      const struct plot_conn *conn, char *err, size_t errlen);
void plot_free(struct plot *p);

/* Starts pass 0 (measure) or 1 (draw). Returns 0, or -1 with err (the
 * temporary files of the picture could not be made). */
int plot_pass(struct plot *p, int pass, char *err, size_t errlen);

void plot_segment(struct plot *p, const struct plot_seg *s);
void plot_event(struct plot *p, const struct plot_event *e);

/* A state change of side (0 client, 1 server) to state to, at ts_ns. */
void plot_transition(struct plot *p, int64_t ts_ns, int side,
		     const char *from, const char *to);

/* Writes the picture (after pass 1) to out. Returns 0, or -1 with err
 * after a write error. */
int plot_finish(struct plot *p, FILE *out, char *err, size_t errlen);

/* Elements drawn so far in pass 1 (a measure of the work, for tests). */
uint64_t plot_elements(const struct plot *p);

#endif /* PLOT_H */
