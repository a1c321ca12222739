/*
 * ladder.h - one connection's ladder, streamed: its packets in packet
 * order, each with what the database says of it (its labels, the state
 * transitions it caused, the senders' congestion-state changes, its pcapng
 * comment), for `tcpscope timeline` (text and JSON).
 *
 * The packets come from the stored segments (an import with --segments);
 * else from the capture read again (flowpkts.h: the file imported, or the
 * one the caller names); else, when that cannot be read, from the rows of
 * events and transitions (a reduced ladder, whose rows carry what a label
 * recorded of their segment; the reason is in why). A transition whose
 * packet has no row (a timer, or a packet not stored) gets a row of its
 * own, before the first row later than it.
 *
 * Memory is bounded by the connection's transitions, congestion-state
 * changes and packet comments, all held from ladder_open() on, not by its
 * segments: a row lives during the callback that gets it. A connection
 * of ten million segments costs what one of ten does, plus its
 * transitions.
 *
 * The relative sequence numbers of a view start from each direction's
 * first SYN, else its first segment: before the first row, the packets
 * are read up to the SYNs of both directions (for a connection without
 * them, once through).
 *
 * Ownership: ladder_open() allocates the ladder, ladder_close() frees it
 * and everything rows point to. Errors are EX_* codes (status.h) with a
 * one-line message in err. Prefix: ladder_.
 */
#ifndef LADDER_H
#define LADDER_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The connection, from its row. */
struct ladder_conn {
	int64_t id, capture_id, first_ts, last_ts;
	char client[80], server[80], capture[512];
	char close[24], handshake[24], conn_state[12], history[64];
	char cstate[16], sstate[16]; /* final states */
	char vantage[8]; /* connections.vantage: client, middle, server, "" */
	/* client_states_alt, server_states_alt as stored (a JSON array of
	 * space-separated paths; "" when the path is certain): the other
	 * paths the capture leaves open (ladder_alt()) */
	char alt[2][512];
	int ws[2]; /* each side's window scale shift, -1 none */
};

/* What ladder_run() settled before the first row. */
struct ladder_info {
	const struct ladder_conn *conn;
	int segments;      /* every row from a segment (stored or read) */
	int from_capture;  /* ... read again from the capture file */
	const char *why;   /* why the capture was not read, or "" */
	char init[2][16];  /* each side's state before the first row, or "" */
	int64_t isn[2];    /* the first sequence number each way */
	int have_isn[2];   /* 0 unknown, 1 first segment's, 2 a SYN's */
};

struct ladder_trans {
	int64_t ts, pkt, rule_id;
	int side;     /* 0 client, 1 server */
	int inferred; /* the rule infers a segment the capture missed */
	char from[16], to[16], rule[40];
};

/* A sender's congestion-state change (cc_transitions). */
struct ladder_cc {
	int64_t pkt;
	int dir; /* the direction whose sender moved */
	char to[12], rule[32];
};

struct ladder_row {
	int64_t ts, pkt; /* pkt 0: a timer */
	int dir;         /* 0 c2s, 1 s2c, -1 unknown */
	int has_seg;     /* seq/ack/len/win are known */
	char flags[12];  /* "SA", "" when unknown */
	int64_t seq, ack, len, win;
	char options[512]; /* "mss=1460,sack_perm", "" none */
	char labels[160];  /* "retransmission,dup-ack" */
	const struct ladder_trans *tr; /* transitions at this row */
	size_t ntr;
	const struct ladder_cc *cc;    /* congestion-state changes */
	size_t ncc;
	const char *comment; /* the packet's comment (raw), or NULL */
};

struct ladder;

/* Loads connection id of db (not found: EX_NOTFOUND, "no flow ID"), its
 * transitions, congestion-state changes and comments. capture: the file
 * to read the packets from instead of the one imported, or NULL. */
int ladder_open(sqlite3 *db, int64_t id, const char *capture,
		struct ladder **out, char *err, size_t errlen);

const struct ladder_conn *ladder_conn(const struct ladder *l);

/* The callbacks of ladder_run(): start once the source is settled, before
 * the first row; row for each row in order. Both return 0 to go on, else
 * an EX_* code that stops the run and is returned. */
struct ladder_sink {
	int (*start)(void *arg, const struct ladder_info *info);
	int (*row)(void *arg, const struct ladder_row *r);
};

/* Streams the ladder to sink; once per ladder. */
int ladder_run(struct ladder *l, const struct ladder_sink *sink, void *arg,
	       char *err, size_t errlen);

void ladder_close(struct ladder *l);

/* The k-th (from 0) alternative path of alt (ladder_conn.alt[side]) into
 * buf, space-separated; 0, or -1 when there is no such path. */
int ladder_alt(const char *alt, int k, char *buf, size_t len);

#endif /* LADDER_H */
