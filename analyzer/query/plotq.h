/*
 * plotq.h - the rows `tcpscope plot` draws one connection from: its row
 * (endpoints, times, window scales, payload, capture), its label rows in
 * packet order and its stored segment chunks. The transitions come from
 * fsel_transitions() (flowsel.h), the packets read again from flowpkts.h.
 * Prefix: plotq_.
 *
 * The statements are prepared with the connection's id bound; the caller
 * steps and finalizes them.
 */
#ifndef PLOTQ_H
#define PLOTQ_H

#include <stdint.h>

#include <sqlite3.h>

/* A connection, from its row. */
struct plotq_conn {
	int64_t id, first_ts, last_ts;
	char client[80], server[80]; /* "ip:port", IPv6 in brackets */
	char capture[1024];          /* its capture's path, "" when none */
	int ws[2];                   /* each direction's window scale, -1 none */
	int64_t bytes[2];            /* each direction's payload bytes */
	int stored;                  /* it has stored segments (--segments) */
};

/* Reads connection id into *c. 0, or EX_DB (an SQLite error, or no such
 * row) with sqlite3_errmsg(db) saying why. */
int plotq_conn(sqlite3 *db, int64_t id, struct plotq_conn *c);

/* The columns of plotq_events()'s rows. */
enum plotq_ev_col {
	PLOTQ_EV_PKT,       /* the packet's number */
	PLOTQ_EV_TS,        /* ts_ns */
	PLOTQ_EV_DIR,       /* 0 c2s, 1 s2c */
	PLOTQ_EV_LABEL,     /* the label's name */
	PLOTQ_EV_SEQ,       /* the segment's seq, ack and payload length */
	PLOTQ_EV_ACK,       /* (0 in a revision's row) */
	PLOTQ_EV_LEN,
	PLOTQ_EV_REVISED,   /* 1: the row revises the packet's old_label */
	PLOTQ_EV_OLD_LABEL  /* the label revised, or NULL */
};

/* The label rows of connection id still in force (superseded ones left
 * out), by packet then as written: the columns of enum plotq_ev_col.
 * SQLITE_OK with *q, or an SQLite error code. */
int plotq_events(sqlite3 *db, int64_t id, sqlite3_stmt **q);

/* The stored segment chunks of connection id in packet order: one column,
 * the chunk's list (segchunk.h, segchunk_each()). SQLITE_OK with *q, or an
 * SQLite error code. */
int plotq_chunks(sqlite3 *db, int64_t id, sqlite3_stmt **q);

#endif /* PLOTQ_H */
