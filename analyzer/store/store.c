/*
 * store.c - the SQLite store: one database holds many captures, each with
 * its connections, their state transitions, the per-segment labels
 * (events) and, with STORE_SEGMENTS, every segment.
 *
 * Design:
 *
 * - The schema is SCHEMA_V1 below, the contract of /work/notes/schema.sql
 *   plus added columns, an index and the report views, then SCHEMA_V2 (a
 *   per-direction count for every label, issue 5), then SCHEMA_V3 (made
 *   for bulk import, issue 10: see its comment), then SCHEMA_V4 (label
 *   totals per capture, counted while writing), then SCHEMA_V5 (segments
 *   in chunks, segchunk.h); tcpscope-db(5)
 *   documents it column by column. Its version lives in PRAGMA user_version.
 *   store_open() reads that version before touching anything and then runs
 *   the steps of migrations[] from the file's version up to STORE_VERSION,
 *   each step in its own transaction that also bumps user_version, so a
 *   crash leaves the file at one version or the next. Version 0 with no
 *   tables is a new database (the 0 -> 1 step creates the schema, later
 *   steps alter it, so new and upgraded files are the same); version 0
 *   with tables is somebody else's database; a version above ours is
 *   refused (STORE_EVERSION), and so is an older one opened read-only
 *   (the readers' queries name the current columns). Released steps are
 *   frozen: store_create_version() replays them to build old files for
 *   the upgrade tests.
 *
 * - The file is in WAL mode with synchronous=NORMAL: a writer never blocks
 *   readers, a killed process (SIGKILL) leaves every committed transaction
 *   intact, and only a power loss can forget the last commits. The
 *   exception is a new database that `read` builds aside until its first
 *   capture is complete (STORE_ASIDE, see "built aside" below). Every
 *   connection sets a busy timeout (STORE_BUSY_MS, or $TCPSCOPE_BUSY_TIMEOUT
 *   in ms) so the CLI, the TUI and the sqlite3 shell can read while an
 *   import writes.
 *
 * - An import is store_capture_begin(), store_event()...,
 *   store_capture_end(), all on one thread at a time (the writer thread of
 *   writer.c during an import, the caller's before and after).
 *   begin opens a write transaction, drops incomplete earlier imports of
 *   the same file (same sha256, when known then), reserves the import's
 *   connection ids and inserts the captures row with complete=0. Rows then accumulate in that transaction; store_checkpoint()
 *   commits and opens the next one. store_capture_end() writes the totals
 *   (and the hash, when it was computed while reading: a duplicate found
 *   only then is removed again), deletes any other capture with the same
 *   hash (the replaced one, so the switch from old to new is a single
 *   commit) and sets complete=1. A
 *   killed import therefore leaves either nothing or a complete=0 capture,
 *   which readers ignore and the next import of the file deletes.
 *
 * - All write statements are prepared once in store_open() and reused.
 *   Bindings go through a small binder with a sticky error code, so one
 *   check per row covers every sqlite3_bind_*() call.
 *
 * - The tracker names connections 1, 2, 3... (tc_id); the row id is
 *   st->conn_base + tc_id, known from the first event, so label and
 *   segment rows name their connection before its row exists.
 *
 * - A connections row is written whole, once, by put_conn(): at
 *   TC_EV_CLOSE, or earlier when ingest knows the final figures (ingest.c,
 *   write_early()); a live capture's snapshots of open connections (close
 *   still "open") are replaced by a later write. The statement is INSERT
 *   OR IGNORE, and a row found there already is deleted and the insert run
 *   again: INSERT OR REPLACE could abort halfway (NOT NULL without a
 *   default), so SQLite keeps a statement journal for it, a copy of every
 *   page it touches, a quarter of the cost of the row.
 *
 * - Indexes are kept as rows go in, but for the two address indexes of
 *   connections in a database built aside, which are built once when its
 *   first capture is complete (INDEXES_SQL). Dropping the label and segment
 *   indexes too (as version 3 first did) cost as many instructions, moved
 *   them from the writer thread to the end of the import, where everything
 *   waits, and took a sort's memory.
 *
 * - After a failed write inside an import (disk full, I/O error) the import
 *   is dead: SQLite may already have rolled the transaction back, so every
 *   later call of that import returns the first error again. What earlier
 *   transactions committed stays.
 *
 * Nothing here prints: failures return a STORE_E* code and leave a one-line
 * message in st->err (or the caller's buffer for store_open()).
 */
#define _GNU_SOURCE /* renameat2() */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "../capture/decode.h"
#include "numtext.h"
#include "segchunk.h"
#include "uid.h"

#ifndef TCPSCOPE_VERSION
#define TCPSCOPE_VERSION "unknown"
#endif

#define STORE_VERSION	11    /* PRAGMA user_version of the current schema */
/* Page size of a new database file. A connections row is about 900
 * bytes: at SQLite's default 4 KiB four fit a page, and a capture of
 * 250k connections is 60k pages, each a system call at every eviction,
 * re-read and index build. 16 KiB pages move the same bytes in a quarter
 * of the calls and split a leaf a quarter as often when rows arrive out
 * of id order (they are written as connections end). */
#define STORE_PAGE_SIZE	16384
#define STORE_BUSY_MS	10000 /* default busy timeout */

/* ---- The schema --------------------------------------------------------- */

/* Per-direction columns of connections: name, then the value taken from a
 * struct tc_dir_stats *d (through the binder b, see bind_dir()). Those of
 * version 1 (frozen: SCHEMA_V1 is built from them), then those version 2
 * added, one per label that had none; a label here is never in both. */
#define DIR_COLS(X)                                                            \
	DIR_COLS_V1(X) DIR_COLS_V2(X) DIR_COLS_V3(X) DIR_COLS_V8(X)            \
	DIR_TEXT_V8(X)
#define DIR_COLS_V1(X)                                                         \
	X(packets, b_u64(b, d->packets))                                       \
	X(payload_bytes, b_u64(b, d->payload_bytes))                           \
	X(wire_bytes, b_u64(b, d->wire_bytes))                                 \
	X(ip_bytes, b_u64(b, d->ip_bytes))                                     \
	X(retransmissions, b_u64(b, d->label[TC_LB_RETRANSMISSION]))           \
	X(syn_retransmissions,                                                 \
	  b_u64(b, d->label[TC_LB_SYN_RETRANSMISSION] +                        \
		       d->label[TC_LB_SYNACK_RETRANSMISSION]))                 \
	X(fin_retransmissions, b_u64(b, d->label[TC_LB_FIN_RETRANSMISSION]))   \
	X(fast_retransmissions, b_u64(b, d->label[TC_LB_FAST_RETRANSMISSION])) \
	X(spurious_retransmissions,                                            \
	  b_u64(b, d->label[TC_LB_SPURIOUS_RETRANSMISSION]))                   \
	X(out_of_order, b_u64(b, d->label[TC_LB_OUT_OF_ORDER]))                \
	X(lost_segments, b_u64(b, d->label[TC_LB_PREV_NOT_CAPTURED]))          \
	X(acked_unseen, b_u64(b, d->label[TC_LB_ACKED_UNSEEN]))                \
	X(acked_unseen_bytes, b_u64(b, d->acked_unseen_bytes))                 \
	X(dup_acks, b_u64(b, d->label[TC_LB_DUP_ACK]))                         \
	X(zero_windows, b_u64(b, d->label[TC_LB_ZERO_WINDOW]))                 \
	X(zero_window_probes, b_u64(b, d->label[TC_LB_ZERO_WINDOW_PROBE]))     \
	X(window_full, b_u64(b, d->label[TC_LB_WINDOW_FULL]))                  \
	X(window_updates, b_u64(b, d->label[TC_LB_WINDOW_UPDATE]))             \
	X(keepalives, b_u64(b, d->label[TC_LB_KEEPALIVE]))                     \
	X(sack_segments, b_u64(b, d->label[TC_LB_SACK]))                       \
	X(dsack_segments, b_u64(b, d->label[TC_LB_DSACK]))                     \
	X(mss, d->mss ? b_int(b, d->mss) : b_null(b))                          \
	X(wscale, d->wscale >= 0 ? b_int(b, d->wscale) : b_null(b))            \
	X(win_min, d->packets ? b_u64(b, d->win_min) : b_null(b))              \
	X(win_max, d->packets ? b_u64(b, d->win_max) : b_null(b))              \
	X(max_inflight, b_u64(b, d->max_inflight))                             \
	X(max_idle_ns, b_int(b, d->max_idle_ns))                               \
	X(sack_perm, b_int(b, d->sack_perm))                                   \
	X(ts_perm, b_int(b, d->ts_perm))
#define DIR_COLS_V2(X)                                                         \
	X(zero_window_probe_acks,                                              \
	  b_u64(b, d->label[TC_LB_ZERO_WINDOW_PROBE_ACK]))                     \
	X(keepalive_acks, b_u64(b, d->label[TC_LB_KEEPALIVE_ACK]))             \
	X(capture_duplicates, b_u64(b, d->label[TC_LB_CAPTURE_DUPLICATE]))     \
	X(oversized_segments, b_u64(b, d->label[TC_LB_OVERSIZED_SEGMENT]))     \
	X(bad_checksums, b_u64(b, d->label[TC_LB_BAD_CHECKSUM]))               \
	X(rst_out_of_window, b_u64(b, d->label[TC_LB_RST_OUT_OF_WINDOW]))      \
	X(rst_in_window_not_exact, b_u64(b, d->label[TC_LB_RST_CHALLENGE]))    \
	X(data_after_fin, b_u64(b, d->label[TC_LB_DATA_AFTER_FIN]))            \
	X(data_after_rst, b_u64(b, d->label[TC_LB_DATA_AFTER_RST]))            \
	X(segments_after_close, b_u64(b, d->label[TC_LB_SEGMENT_AFTER_CLOSE])) \
	X(data_on_syn, b_u64(b, d->label[TC_LB_DATA_ON_SYN]))                  \
	X(bad_flags, b_u64(b, d->label[TC_LB_BAD_FLAGS]))                      \
	X(wscale_too_big, b_u64(b, d->label[TC_LB_WSCALE_TOO_BIG]))            \
	X(wscale_unknown, b_u64(b, d->label[TC_LB_WSCALE_UNKNOWN]))            \
	X(time_went_back, b_u64(b, d->label[TC_LB_TIME_WENT_BACK]))
/* Version 3: checksum offload detected once per direction (every segment
 * of the direction had a bad checksum); its bad-checksum events are then
 * not written one per segment. */
#define DIR_COLS_V3(X)                                                         \
	X(checksum_offload,                                                    \
	  b_int(b, d->packets > 0 &&                                           \
			   d->label[TC_LB_BAD_CHECKSUM] == d->packets))

/* Version 8 (issue 12): the data-transfer phase (struct tc_transfer):
 * where the direction's time went, the verdict and its evidence, the
 * congestion-state path, window and RTO estimates. Idle time is the
 * connection's duration less busy_ns (not stored: a column costs every
 * row of the import); the number of congestion-state transitions is the
 * direction's rows in cc_transitions. */
#define DIR_COLS_V8(X)                                                         \
	X(busy_ns, b_int(b, d->xfer.busy_ns))                                  \
	X(rwnd_limited_ns, b_int(b, d->xfer.rwnd_limited_ns))                  \
	X(zero_window_ns, b_int(b, d->xfer.zero_window_ns))                    \
	X(cwnd_limited_ns, b_int(b, d->xfer.cwnd_limited_ns))                  \
	X(recovery_ns, b_int(b, d->xfer.recovery_ns))                          \
	X(rto_stall_ns, b_int(b, d->xfer.rto_stall_ns))                        \
	X(limited_pkt, b_ts(b, (int64_t)d->xfer.evidence_pkt))                 \
	X(limited_evidence_ns,                                                 \
	  d->xfer.evidence_pkt ? b_int(b, d->xfer.evidence_ns) : b_null(b))    \
	X(cwnd_max, b_u64(b, d->xfer.cwnd_max))                                \
	X(ssthresh, d->xfer.ssthresh ? b_u64(b, d->xfer.ssthresh) : b_null(b)) \
	X(rto_ns, b_known(b, d->xfer.rto_ns))                                  \
	X(rto_timeouts, b_int(b, d->xfer.rto_timeouts))                        \
	X(rto_episodes, b_int(b, d->xfer.rto_episodes))                        \
	X(rto_backoff_max, b_int(b, d->xfer.rto_backoff_max))                  \
	X(fast_recoveries, b_int(b, d->xfer.fr_episodes))                      \
	X(fast_recovery_bytes, b_u64(b, d->xfer.fr_bytes))
#define DIR_TEXT_V8(X)                                                         \
	X(limited_by, b_strstatic(b, tc_limit_name(d->xfer.limited_by)))       \
	X(cc_states, b_cc_path(b, &d->xfer, pathbuf))

/* Version 1. The first part is schema.sql verbatim (the agreed contract);
 * what follows "Added" are additions, never renames. */
static const char SCHEMA_V1[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE captures (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  path TEXT NOT NULL, size INTEGER, sha256 TEXT, linktypes TEXT,"
    " snaplen INTEGER,\n"
    "  live INTEGER NOT NULL DEFAULT 0,\n"
    "  first_ts INTEGER, last_ts INTEGER,\n"
    "  packets INTEGER, tcp_segments INTEGER, non_tcp INTEGER,"
    " fragments INTEGER,\n"
    "  malformed INTEGER, reasons TEXT,\n"
    "  kernel_drops INTEGER, error TEXT,\n"
    "  tool_version TEXT, started TEXT, finished TEXT,\n"
    "  complete INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE connections (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  capture_id INTEGER NOT NULL REFERENCES captures(id)"
    " ON DELETE CASCADE,\n"
    "  tc_id INTEGER NOT NULL,\n"
    "  vlan TEXT,\n"
    "  client_ip TEXT, client_port INTEGER, server_ip TEXT,"
    " server_port INTEGER,\n"
    "  first_ts INTEGER, last_ts INTEGER, first_pkt INTEGER,"
    " last_pkt INTEGER,\n"
    "  client_state TEXT, server_state TEXT,\n"
    "  client_states TEXT, server_states TEXT,\n"
    "  close TEXT, handshake TEXT, midstream INTEGER, data_on_syn INTEGER,"
    " evicted INTEGER,\n"
    "  conn_state TEXT, history TEXT,\n"
    "  rtt_handshake_ns INTEGER, rtt_to_server_ns INTEGER,"
    " rtt_to_client_ns INTEGER,\n"
    "  rtt_min_ns INTEGER, rtt_avg_ns INTEGER, rtt_max_ns INTEGER,"
    " rtt_stddev_ns INTEGER, rtt_samples INTEGER\n"
#define COL_DEF(name, val) ", c2s_" #name " INTEGER"
    DIR_COLS_V1(COL_DEF)
#undef COL_DEF
#define COL_DEF(name, val) ", s2c_" #name " INTEGER"
	DIR_COLS_V1(COL_DEF)
#undef COL_DEF
	    "\n);\n"
	    "CREATE TABLE transitions (\n"
	    "  id INTEGER PRIMARY KEY,\n"
	    "  conn_id INTEGER NOT NULL REFERENCES connections(id)"
	    " ON DELETE CASCADE,\n"
	    "  ts_ns INTEGER, pkt INTEGER, side INTEGER, from_state TEXT,"
	    " to_state TEXT,\n"
	    "  rule INTEGER, rule_name TEXT\n"
	    ");\n"
	    "CREATE TABLE events (\n"
	    "  id INTEGER PRIMARY KEY,\n"
	    "  conn_id INTEGER NOT NULL REFERENCES connections(id)"
	    " ON DELETE CASCADE,\n"
	    "  ts_ns INTEGER, pkt INTEGER, dir INTEGER, label TEXT, reason "
	    "TEXT,\n"
	    "  seq INTEGER, ack INTEGER, len INTEGER, win INTEGER,\n"
	    "  revised INTEGER NOT NULL DEFAULT 0, old_label TEXT\n"
	    ");\n"
	    "CREATE TABLE segments (\n"
	    "  id INTEGER PRIMARY KEY,\n"
	    "  conn_id INTEGER NOT NULL REFERENCES connections(id)"
	    " ON DELETE CASCADE,\n"
	    "  ts_ns INTEGER, pkt INTEGER, dir INTEGER,\n"
	    "  flags TEXT,\n"
	    "  seq INTEGER, ack INTEGER, len INTEGER, caplen INTEGER, win "
	    "INTEGER,\n"
	    "  options TEXT,\n"
	    "  labels TEXT\n"
	    ");\n"
	    "CREATE INDEX conn_capture ON connections(capture_id);\n"
	    "CREATE INDEX conn_client ON connections(client_ip, client_port);\n"
	    "CREATE INDEX conn_server ON connections(server_ip, server_port);\n"
	    "CREATE INDEX trans_conn ON transitions(conn_id, ts_ns);\n"
	    "CREATE INDEX events_conn ON events(conn_id, ts_ns);\n"
	    "CREATE INDEX events_label ON events(label);\n"
	    "CREATE INDEX seg_conn ON segments(conn_id, pkt);\n"
	    /* Added: duplicate detection and the views of tcpscope-db(5). */
	    "CREATE INDEX capture_sha ON captures(sha256);\n"
	    "CREATE VIEW good_connections AS\n"
	    "  SELECT k.* FROM connections k JOIN captures c ON c.id = "
	    "k.capture_id\n"
	    "  WHERE c.complete = 1 OR c.live = 1;\n"
	    "CREATE VIEW failed_handshakes AS\n"
	    "  SELECT server_ip, server_port, close, count(*) AS n\n"
	    "  FROM good_connections\n"
	    "  WHERE close IN ('refused', 'unanswered')\n"
	    "     OR handshake IN ('refused', 'syn-only')\n"
	    "  GROUP BY server_ip, server_port, close\n"
	    "  ORDER BY n DESC, server_ip, server_port;\n"
	    "CREATE VIEW resets AS\n"
	    "  SELECT * FROM good_connections WHERE close = 'reset';\n"
	    "CREATE VIEW top_retransmitters AS\n"
	    "  SELECT id, capture_id, client_ip, client_port, server_ip,"
	    " server_port,\n"
	    "    c2s_retransmissions + s2c_retransmissions AS "
	    "retransmissions,\n"
	    "    c2s_retransmissions, s2c_retransmissions,\n"
	    "    c2s_syn_retransmissions + s2c_syn_retransmissions"
	    " AS syn_retransmissions,\n"
	    "    c2s_packets + s2c_packets AS packets\n"
	    "  FROM good_connections\n"
	    "  WHERE c2s_retransmissions + s2c_retransmissions"
	    " + c2s_syn_retransmissions + s2c_syn_retransmissions > 0\n"
	    "  ORDER BY retransmissions DESC, syn_retransmissions DESC, id;\n"
	    "CREATE VIEW slow_handshakes AS\n"
	    "  SELECT id, capture_id, client_ip, client_port, server_ip,"
	    " server_port,\n"
	    "    rtt_handshake_ns, rtt_to_server_ns, rtt_to_client_ns,\n"
	    "    c2s_syn_retransmissions + s2c_syn_retransmissions"
	    " AS syn_retransmissions,\n"
	    "    first_ts\n"
	    "  FROM good_connections WHERE rtt_handshake_ns IS NOT NULL\n"
	    "  ORDER BY rtt_handshake_ns DESC, id;\n";

/* Version 2: a count per direction for every label that had no column
 * (issue 5). Rows written by version 1 keep NULL there: not counted. */
static const char SCHEMA_V2[] =
#define COL_ADD(name, val)                                                     \
	"ALTER TABLE connections ADD COLUMN c2s_" #name " INTEGER;\n"
    DIR_COLS_V2(COL_ADD)
#undef COL_ADD
#define COL_ADD(name, val)                                                     \
	"ALTER TABLE connections ADD COLUMN s2c_" #name " INTEGER;\n"
	DIR_COLS_V2(COL_ADD)
#undef COL_ADD
    ;

/* Version 3 (issue 10, a storage model for bulk import):
 * - every import reserves a range of connection ids (captures.conn_base,
 *   conn_count): connections.id = conn_base + the tracker's id, known when
 *   the connection opens, so its row is written once, when it closes, and
 *   label and segment rows written before can name it;
 * - transitions are packed into their connection (transition_list, a JSON
 *   array of [ts_ns, pkt, side, from, to, rule], since version 9 with a
 *   seventh element 1 for an inferred transition) and shown row by row by
 *   the view transitions;
 * - labels (label_events) and segments (segment_rows) hold numbers only;
 *   the views events and segments show them with their names, through the
 *   lookup tables label_names, reason_names, state_names and rule_names
 *   (filled by fill_names()); events.superseded marks a label that a later
 *   row of the same packet revised;
 * - no foreign key from label or segment rows to connections (the
 *   connection row comes later): deleting a capture deletes them by its
 *   id range (trigger captures_delete_rows).
 * The lookup tables exist before this step runs (fill_names()). */
/* The columns of the view segments (versions 3 and 5), from a row s of
 * numbers as segment_rows holds them. */
#define TS_FLAG(bit, c) " || CASE WHEN s.flags & " #bit " THEN '" c "' ELSE '' END"
#define SEGMENTS_VIEW_COLUMNS \
    "  SELECT s.id, s.conn_id, s.ts_ns, s.pkt, s.dir,\n" \
    "    ''" TS_FLAG(2, "S") TS_FLAG(1, "F") TS_FLAG(4, "R") TS_FLAG(8, "P") \
    TS_FLAG(16, "A") TS_FLAG(32, "U") TS_FLAG(64, "E") TS_FLAG(128, "C") \
    TS_FLAG(256, "N") " AS flags,\n" \
    "    s.seq, s.ack, s.len, s.caplen, s.win,\n" \
    "    coalesce(s.options, CASE WHEN s.tsval IS NOT NULL THEN 'ts=' ||" \
    " s.tsval || '/' || s.tsecr ELSE '' END) AS options,\n" \
    "    CASE WHEN s.labels THEN (SELECT group_concat(name, ',') FROM" \
    " (SELECT name FROM label_names WHERE id < 64 AND s.labels & (1 << id)" \
    " ORDER BY id)) ELSE '' END AS labels\n"
/* The view transitions (versions 3 and 9): its columns up to rule_name,
 * and its FROM clause. */
#define TRANSITIONS_VIEW_HEAD \
    "CREATE VIEW transitions AS\n" \
    "  SELECT (k.id << 16) + j.key AS id, k.id AS conn_id,\n" \
    "    json_extract(j.value, '$[0]') AS ts_ns," \
    " json_extract(j.value, '$[1]') AS pkt," \
    " json_extract(j.value, '$[2]') AS side,\n" \
    "    (SELECT name FROM state_names WHERE id =" \
    " json_extract(j.value, '$[3]')) AS from_state,\n" \
    "    (SELECT name FROM state_names WHERE id =" \
    " json_extract(j.value, '$[4]')) AS to_state,\n" \
    "    json_extract(j.value, '$[5]') AS rule,\n" \
    "    (SELECT name FROM rule_names WHERE id =" \
    " json_extract(j.value, '$[5]')) AS rule_name"
#define TRANSITIONS_VIEW_FROM \
    "  FROM connections k, json_each(k.transition_list) j;\n"
static const char SCHEMA_V3[] =
    "ALTER TABLE captures ADD COLUMN conn_base INTEGER;\n"
    "ALTER TABLE captures ADD COLUMN conn_count INTEGER;\n"
    "ALTER TABLE captures ADD COLUMN evicted INTEGER;\n"
    "ALTER TABLE connections ADD COLUMN transition_list TEXT;\n"
    "ALTER TABLE connections ADD COLUMN transitions_dropped INTEGER;\n"
#define COL_ADD(name, val)                                                     \
	"ALTER TABLE connections ADD COLUMN c2s_" #name " INTEGER;\n"          \
	"ALTER TABLE connections ADD COLUMN s2c_" #name " INTEGER;\n"
    DIR_COLS_V3(COL_ADD)
#undef COL_ADD
    /* Names version 2 stored that this tcpscope does not know (written
     * by hand, or by another tool) are kept, numbered from 1000. */
    "INSERT INTO label_names SELECT 1000 + row_number() OVER (ORDER BY n),"
    " n FROM (SELECT label AS n FROM events UNION SELECT old_label FROM"
    " events) WHERE n IS NOT NULL AND n NOT IN (SELECT name FROM"
    " label_names);\n"
    "INSERT INTO reason_names SELECT 1000 + row_number() OVER (ORDER BY n),"
    " n FROM (SELECT DISTINCT reason AS n FROM events) WHERE n IS NOT NULL"
    " AND n NOT IN (SELECT text FROM reason_names);\n"
    "INSERT INTO state_names SELECT 1000 + row_number() OVER (ORDER BY n),"
    " n FROM (SELECT from_state AS n FROM transitions UNION SELECT"
    " to_state FROM transitions) WHERE n IS NOT NULL AND n NOT IN (SELECT"
    " name FROM state_names);\n"
    "UPDATE connections SET transitions_dropped = 0, transition_list ="
    " (SELECT json_group_array(json(v)) FROM (SELECT json_array(t.ts_ns,"
    " t.pkt, t.side,"
    " (SELECT id FROM state_names WHERE name = t.from_state),"
    " (SELECT id FROM state_names WHERE name = t.to_state),"
    " coalesce((SELECT id FROM rule_names WHERE name = t.rule_name),"
    " t.rule)) AS v"
    " FROM transitions t WHERE t.conn_id = connections.id ORDER BY t.id));\n"
    "DROP TABLE transitions;\n"
    "CREATE TABLE label_events (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  conn_id INTEGER NOT NULL,\n"
    "  ts_ns INTEGER, pkt INTEGER, dir INTEGER,\n"
    "  label INTEGER, reason INTEGER,\n"
    "  seq INTEGER, ack INTEGER, len INTEGER, win INTEGER,\n"
    "  revised INTEGER NOT NULL DEFAULT 0, old_label INTEGER,\n"
    "  superseded INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    /* Lets the superseded flags below be found per packet, not per
     * connection (dropped with the table). */
    "CREATE INDEX events_conn_pkt ON events(conn_id, pkt);\n"
    "INSERT INTO label_events SELECT e.id, e.conn_id, e.ts_ns, e.pkt, e.dir,"
    " (SELECT id FROM label_names WHERE name = e.label),"
    " (SELECT id FROM reason_names WHERE text = e.reason),"
    " e.seq, e.ack, e.len, e.win, e.revised,"
    " (SELECT id FROM label_names WHERE name = e.old_label),"
    " EXISTS (SELECT 1 FROM events r WHERE r.conn_id = e.conn_id"
    " AND r.pkt = e.pkt AND r.revised = 1 AND r.old_label = e.label"
    " AND r.id > e.id) FROM events e;\n"
    "DROP TABLE events;\n"
    "CREATE INDEX label_events_conn ON label_events(conn_id, pkt);\n"
    "CREATE TABLE segment_rows (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  conn_id INTEGER NOT NULL,\n"
    "  ts_ns INTEGER, pkt INTEGER, dir INTEGER, flags INTEGER,\n"
    "  seq INTEGER, ack INTEGER, len INTEGER, caplen INTEGER, win INTEGER,\n"
    "  tsval INTEGER, tsecr INTEGER, options TEXT, labels INTEGER\n"
    ");\n"
    "INSERT INTO segment_rows SELECT s.id, s.conn_id, s.ts_ns, s.pkt, s.dir,"
    " (instr(s.flags, 'F') > 0) + (instr(s.flags, 'S') > 0) * 2"
    " + (instr(s.flags, 'R') > 0) * 4 + (instr(s.flags, 'P') > 0) * 8"
    " + (instr(s.flags, 'A') > 0) * 16 + (instr(s.flags, 'U') > 0) * 32"
    " + (instr(s.flags, 'E') > 0) * 64 + (instr(s.flags, 'C') > 0) * 128"
    " + (instr(s.flags, 'N') > 0) * 256,"
    " s.seq, s.ack, s.len, s.caplen, s.win, NULL, NULL, s.options,"
    " coalesce((SELECT sum(1 << l.id) FROM label_names l WHERE l.id < 64"
    " AND instr(',' || s.labels || ',', ',' || l.name || ',') > 0), 0)"
    " FROM segments s;\n"
    "DROP TABLE segments;\n"
    "CREATE INDEX segment_rows_conn ON segment_rows(conn_id, pkt);\n"
    "CREATE TRIGGER captures_delete_rows BEFORE DELETE ON captures BEGIN\n"
    "  DELETE FROM label_events WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM segment_rows WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM label_events WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "  DELETE FROM segment_rows WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "END;\n"
    "CREATE VIEW events AS\n"
    "  SELECT e.id, e.conn_id, e.ts_ns, e.pkt, e.dir, l.name AS label,"
    " r.text AS reason, e.seq, e.ack, e.len, e.win, e.revised,"
    " o.name AS old_label, e.superseded\n"
    "  FROM label_events e LEFT JOIN label_names l ON l.id = e.label\n"
    "  LEFT JOIN reason_names r ON r.id = e.reason\n"
    "  LEFT JOIN label_names o ON o.id = e.old_label;\n"
    TRANSITIONS_VIEW_HEAD "\n"
    TRANSITIONS_VIEW_FROM
    "CREATE VIEW segments AS\n"
    SEGMENTS_VIEW_COLUMNS
    "  FROM segment_rows s;\n";

/* Version 4: the live label events of each capture, counted by the writer
 * as it writes them (store_capture_end(), store_checkpoint()), so that a
 * report does not count hundreds of thousands of rows to print a total.
 * Filled here from the rows version 3 stored. */
static const char SCHEMA_V4[] =
    "CREATE TABLE capture_labels (\n"
    "  capture_id INTEGER NOT NULL,\n"
    "  label INTEGER NOT NULL,\n"
    "  events INTEGER NOT NULL,\n"
    "  PRIMARY KEY (capture_id, label)\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO capture_labels SELECT c.capture_id, e.label, count(*)"
    " FROM label_events e JOIN connections c ON c.id = e.conn_id"
    " WHERE e.superseded = 0 AND e.label IS NOT NULL GROUP BY 1, 2;\n"
    "CREATE TRIGGER captures_delete_labels BEFORE DELETE ON captures BEGIN\n"
    "  DELETE FROM capture_labels WHERE capture_id = old.id;\n"
    "END;\n"
    "CREATE VIEW label_totals AS\n"
    "  SELECT t.capture_id, l.name AS label, t.events\n"
    "  FROM capture_labels t LEFT JOIN label_names l ON l.id = t.label;\n";

/* Version 5 (issue 10, segments in bulk): segments are stored in chunks,
 * one connection's consecutive segments per row of segment_chunks (at
 * most SEG_PER_CHUNK), as a JSON array of
 * [ts_ns, pkt, dir, flags, seq, ack, len, caplen, win, tsval, tsecr,
 *  options, labels]; the view segments shows them row by row as before,
 * its id now (chunk id << 8) + position. Version 4's rows become chunks of
 * one segment each. */
#define SEG_FIELD(i, name) " json_extract(j.value, '$[" #i "]') AS " #name
static const char SCHEMA_V5[] =
    "CREATE TABLE segment_chunks (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  conn_id INTEGER NOT NULL,\n"
    "  first_pkt INTEGER, last_pkt INTEGER, n INTEGER,\n"
    "  list TEXT\n"
    ");\n"
    "INSERT INTO segment_chunks(id, conn_id, first_pkt, last_pkt, n, list)"
    " SELECT id, conn_id, pkt, pkt, 1, json_array(json_array(ts_ns, pkt,"
    " dir, flags, seq, ack, len, caplen, win, tsval, tsecr, options,"
    " labels)) FROM segment_rows ORDER BY id;\n"
    "DROP VIEW segments;\n"
    "DROP TRIGGER captures_delete_rows;\n"
    "DROP TABLE segment_rows;\n"
    "CREATE INDEX segment_chunks_conn ON segment_chunks(conn_id, first_pkt);\n"
    "CREATE TRIGGER captures_delete_rows BEFORE DELETE ON captures BEGIN\n"
    "  DELETE FROM label_events WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM segment_chunks WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM label_events WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "  DELETE FROM segment_chunks WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "END;\n"
    "CREATE VIEW segments AS\n"
    SEGMENTS_VIEW_COLUMNS
    "  FROM (SELECT (c.id << 8) + j.key AS id, c.conn_id AS conn_id,"
    SEG_FIELD(0, ts_ns) "," SEG_FIELD(1, pkt) "," SEG_FIELD(2, dir) ","
    SEG_FIELD(3, flags) "," SEG_FIELD(4, seq) "," SEG_FIELD(5, ack) ","
    SEG_FIELD(6, len) "," SEG_FIELD(7, caplen) "," SEG_FIELD(8, win) ","
    SEG_FIELD(9, tsval) "," SEG_FIELD(10, tsecr) ","
    SEG_FIELD(11, options) "," SEG_FIELD(12, labels)
    " FROM segment_chunks c, json_each(c.list) j) s;\n";
#undef SEG_FIELD
#undef SEGMENTS_VIEW_COLUMNS
#undef TS_FLAG

/* Version 6 (issue 14, the ladder from the capture): what a reader needs
 * to find a connection's packets in its capture again fast. file_id is the
 * imported file's "dev:inode:size:mtime:ctime" (ns), when it was hashed:
 * the same file unchanged needs no hashing to be known as the same bytes.
 * seek_index lists [record, offset] points of a classic pcap file, one
 * about every MiB, where reading can start again. */
static const char SCHEMA_V6[] =
    "ALTER TABLE captures ADD COLUMN file_id TEXT;\n"
    "ALTER TABLE captures ADD COLUMN seek_index TEXT;\n";

/* Version 7: the tunnel a connection came through ("vxlan:5001"), part of
 * its identity as the VLAN ids are; what a pcapng capture says of itself
 * (its interfaces' names, descriptions and comments, its sections' notes,
 * its packets' comments); the parts of a capture read as a series. */
static const char SCHEMA_V7[] =
    "ALTER TABLE connections ADD COLUMN tunnel TEXT;\n"
    "CREATE TABLE capture_interfaces (\n"
    "  capture_id INTEGER NOT NULL REFERENCES captures(id)"
    " ON DELETE CASCADE,\n"
    "  iface INTEGER NOT NULL, section INTEGER NOT NULL, linktype TEXT,\n"
    "  name TEXT, description TEXT, comment TEXT,\n"
    "  PRIMARY KEY (capture_id, iface)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE capture_notes (\n"
    "  capture_id INTEGER NOT NULL REFERENCES captures(id)"
    " ON DELETE CASCADE,\n"
    "  section INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX capture_notes_capture ON capture_notes(capture_id);\n"
    "CREATE TABLE packet_comments (\n"
    "  capture_id INTEGER NOT NULL REFERENCES captures(id)"
    " ON DELETE CASCADE,\n"
    "  pkt INTEGER NOT NULL, comment TEXT NOT NULL,\n"
    "  PRIMARY KEY (capture_id, pkt)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE capture_parts (\n"
    "  capture_id INTEGER NOT NULL REFERENCES captures(id)"
    " ON DELETE CASCADE,\n"
    "  part INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER,\n"
    "  PRIMARY KEY (capture_id, part)\n"
    ") WITHOUT ROWID;\n";

/* Version 8 (issue 12, the data-transfer phase): per direction the
 * columns of DIR_COLS_V8 and DIR_TEXT_V8, every congestion-state
 * transition of a sender in cc_transitions (written as it happens, like
 * label_events, so no foreign key), and its loss-recovery episodes in the
 * view cc_episodes. Rows of older versions keep NULL there. */
static const char SCHEMA_V8[] =
#define COL_ADD(name, val)                                                     \
	"ALTER TABLE connections ADD COLUMN c2s_" #name " INTEGER;\n"          \
	"ALTER TABLE connections ADD COLUMN s2c_" #name " INTEGER;\n"
    DIR_COLS_V8(COL_ADD)
#undef COL_ADD
#define COL_ADD(name, val)                                                     \
	"ALTER TABLE connections ADD COLUMN c2s_" #name " TEXT;\n"             \
	"ALTER TABLE connections ADD COLUMN s2c_" #name " TEXT;\n"
    DIR_TEXT_V8(COL_ADD)
#undef COL_ADD
    "CREATE TABLE cc_transitions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  conn_id INTEGER NOT NULL,\n"
    "  ts_ns INTEGER, pkt INTEGER, dir INTEGER,\n"
    "  from_state TEXT, to_state TEXT, rule INTEGER, rule_name TEXT,\n"
    "  bytes INTEGER\n"
    ");\n"
    "CREATE INDEX cc_transitions_conn ON cc_transitions(conn_id, ts_ns);\n"
    "DROP TRIGGER captures_delete_rows;\n"
    "CREATE TRIGGER captures_delete_rows BEFORE DELETE ON captures BEGIN\n"
    "  DELETE FROM label_events WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM segment_chunks WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM cc_transitions WHERE conn_id > old.conn_base"
    " AND conn_id <= old.conn_base + old.conn_count;\n"
    "  DELETE FROM label_events WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "  DELETE FROM segment_chunks WHERE old.conn_base IS NULL AND conn_id IN"
    " (SELECT id FROM connections WHERE capture_id = old.id);\n"
    "END;\n"
    "CREATE VIEW cc_episodes AS\n"
    "  SELECT conn_id, dir, to_state AS state, rule_name AS cause,"
    " ts_ns AS start_ns, pkt AS start_pkt, end_ns, end_pkt,"
    " retransmitted_bytes\n"
    "  FROM (SELECT t.*, lead(ts_ns) OVER w AS end_ns,"
    " lead(pkt) OVER w AS end_pkt, lead(bytes) OVER w AS"
    " retransmitted_bytes FROM cc_transitions t"
    " WINDOW w AS (PARTITION BY conn_id, dir ORDER BY id))\n"
    "  WHERE to_state IN ('Recovery', 'Loss');\n";

/* Version 9 (issue 11, uncertainty): per side the other state paths the
 * capture leaves open (tc_conn.alt), a JSON array of paths each written
 * as client_states is; NULL when the path is certain, and in rows of
 * older versions; the view transitions gets the column inferred. */
static const char SCHEMA_V9[] =
    "ALTER TABLE connections ADD COLUMN client_states_alt TEXT;\n"
    "ALTER TABLE connections ADD COLUMN server_states_alt TEXT;\n"
    /* The view transitions gets the inferred mark (transition_list's
     * seventh element, 0 when absent). */
    "DROP VIEW transitions;\n"
    TRANSITIONS_VIEW_HEAD ",\n"
    "    coalesce(json_extract(j.value, '$[6]'), 0) AS inferred\n"
    TRANSITIONS_VIEW_FROM;

/* Version 10 (issue 11): where the capture point sits on the connection,
 * from the handshake's two legs at that point (rtt_to_server_ns, SYN to
 * SYN-ACK; rtt_to_client_ns, SYN-ACK to its ACK): 'client' when the
 * server's leg holds three quarters of the round trip or more (the
 * capture is near the client), 'server' when it holds a quarter or less,
 * 'middle' in between; NULL without both legs. A virtual generated column:
 * nothing stored, no cost to an import, and databases of earlier versions
 * get it from the legs they have. */
static const char SCHEMA_V10[] =
    "ALTER TABLE connections ADD COLUMN vantage TEXT GENERATED ALWAYS AS"
    " (CASE WHEN rtt_to_server_ns IS NULL OR rtt_to_client_ns IS NULL OR"
    " rtt_to_server_ns + rtt_to_client_ns <= 0 THEN NULL"
    " WHEN rtt_to_server_ns * 4.0 >= (rtt_to_server_ns + rtt_to_client_ns)"
    " * 3.0 THEN 'client'"
    " WHEN rtt_to_server_ns * 4.0 <= rtt_to_server_ns + rtt_to_client_ns"
    " THEN 'server' ELSE 'middle' END) VIRTUAL;\n";

/* Version 11 (issue 16): the connection's uid is stored (uid.h), and the
 * capture's sensor (read/live --sensor; NULL when none was given), which
 * goes into it. Rows of older versions get the uid their views computed
 * (uid_format_v10(), the SQL function tcpscope_uid_v10 that store_open()
 * registers for this step), so a uid once shown stays. */
static const char SCHEMA_V11[] =
    "ALTER TABLE captures ADD COLUMN sensor TEXT;\n"
    "ALTER TABLE connections ADD COLUMN uid TEXT;\n"
    "UPDATE connections SET uid = tcpscope_uid_v10((SELECT"
    " coalesce(k.sha256, k.path, '') FROM captures k"
    " WHERE k.id = connections.capture_id), tc_id, first_ts);\n";

/* One step per version: migrations[i] turns version i into version i + 1.
 * A new database runs them all, so it has the same schema (column order
 * included) as an upgraded one. A step, once released, never changes. */
static const char *const migrations[STORE_VERSION] = {
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_V4,
    SCHEMA_V5,
    SCHEMA_V6,
    SCHEMA_V7,
    SCHEMA_V8,
    SCHEMA_V9,
    SCHEMA_V10,
    SCHEMA_V11,
};

/* Tables a tcpscope database of the current version must have. */
static const char *const required_tables[] = {
    "meta",	   "captures",	  "connections", "label_events",
    "segment_chunks", "label_names", "reason_names", "state_names",
    "rule_names", "capture_labels", "capture_interfaces", "capture_notes",
    "packet_comments", "capture_parts", "cc_transitions",
};

/* ---- The store ---------------------------------------------------------- */

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_FIND_SHA,
	S_SIZE_KNOWN,
	S_DEL_INCOMPLETE,
	S_CONN_BASE,
	S_INS_CAPTURE,
	S_RESERVE,
	S_END_CAPTURE,
	S_DEL_OTHERS,
	S_DEL_CAPTURE,
	S_PUT_CONN,
	S_INS_EVENT,
	S_SUPERSEDE,
	S_MARK_EVICTED,
	S_INS_SEG,
	S_DEL_LABELS,
	S_PUT_LABEL,
	S_DEL_CONN,
	S_PUT_IFACE,
	S_PUT_NOTE,
	S_PUT_PCOMMENT,
	S_PUT_PART,
	S_INS_CC,
	S__COUNT
};

/* Connection ids an import reserves beyond the highest it used, at every
 * commit: another import that begins meanwhile starts after them. A
 * checkpoint comes at least every ING_CHECKPOINT_EVERY (2^20) packets,
 * and a connection needs a packet, so the reserve is never overrun. */
#define STORE_RESERVE (INT64_C(1) << 21)

struct store {
	sqlite3 *db;
	int flags;
	char *path; /* for messages */
	char err[512];
	sqlite3_stmt *stmt[S__COUNT];
	int in_tx;	    /* a write transaction of ours is open */
	int dead;	    /* the import failed; dead is its error code */
	int replace;	    /* of the import in progress */
	int64_t capture_id; /* import in progress, 0 when none */
	char *sha256;	    /* of the import in progress */
	char *sensor;	    /* of the import in progress, or NULL */
	uint64_t uid_key;   /* of the import in progress (uid.h) */
	int64_t conn_base;  /* connections.id = conn_base + tracker id */
	uint64_t conn_hwm;  /* highest tracker id written so far */
	int64_t labels[TC_LB__COUNT]; /* live label rows of the import */
	int64_t dup_of;	    /* the capture the last import duplicated */
	char *buf;	    /* scratch text (transition lists, state paths) */
	size_t buflen;
	char *aside;	    /* STORE_ASIDE: the file a new database is built
			     * in until its first capture is complete, or
			     * NULL (open at its own path) */
	int spoiled;	    /* aside or memory store rolled back: with no
			     * journal its pages are undefined; the next
			     * import starts afresh (aside) or is refused */
	int keep_aside;	    /* publishing failed: the file stays, named */
	struct segchunk *chunks; /* STORE_SEGMENTS: segments not yet written */
	struct bshadow *conn_shadow; /* S_PUT_CONN's bound numbers */
};

/* Segments per row of segment_chunks, and the bytes of segments gathered
 * before they are written (segchunk.h). */
#define SEG_PER_CHUNK 128
#define SEG_BUFFER (4u << 20)

static int flush_segments(struct store *st);

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Formats st->err as "PATH: what" and returns code. */
static int seterr(struct store *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int seterr(struct store *st, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(st->err, sizeof st->err, "%s: %s", st->path, msg);
	return code;
}

static size_t dir_len(const char *path);

/* Maps an SQLite failure to a store code and message; returns the code. */
static int dberr(struct store *st, int rc, const char *what)
{
	int code = STORE_EIO;
	const char *why;
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		code = STORE_ECORRUPT;
		why = "not an SQLite database (or encrypted)";
		break;
	case SQLITE_CANTOPEN: {
		code = STORE_EOPEN;
		why = "cannot open the database file (missing, or its directory"
		      " is not writable)";
		/* Name the real cause where it is plain to see. */
		struct stat sb;
		size_t dl = st->path ? dir_len(st->path) : 0;
		char dir[4096];
		snprintf(dir, sizeof dir, "%.*s", dl ? (int)dl : 1,
			 dl ? st->path : ".");
		if (st->path && stat(st->path, &sb) == 0 && S_ISDIR(sb.st_mode))
			why = "is a directory, not a database file";
		else if (st->path && stat(dir, &sb) != 0)
			why = errno == ENOTDIR ? "its directory is a file"
					       : "its directory does not exist";
		break;
	}
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		why = "database is locked by another process (busy timeout"
		      " expired)";
		break;
	case SQLITE_FULL:
		why = "disk full";
		break;
	case SQLITE_READONLY:
		why = "database or its directory is read-only";
		break;
	case SQLITE_CORRUPT:
		why = "database file is corrupt (database disk image is"
		      " malformed)";
		break;
	default:
		why = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
		break;
	}
	return seterr(st, code, "%s: %s", what, why);
}

/* Binder: binds parameters 1, 2, 3... keeping the first error. */
/* What a statement's numeric parameters are bound to now. sqlite3_reset()
 * keeps bindings, so a row that repeats a number of the previous row (most
 * of a connection's 90 counters are 0 in most rows) leaves it bound: one
 * compare instead of a library call that takes the statement's mutex. Text
 * parameters are always bound again (their kind is forgotten). */
#define SHADOW_PARAMS 256
enum { SH_UNKNOWN, SH_INT, SH_NULL };
struct bshadow {
	int64_t v[SHADOW_PARAMS + 1];
	unsigned char kind[SHADOW_PARAMS + 1];
};

struct binder {
	sqlite3_stmt *s;
	int i;
	int rc;
	struct bshadow *sh; /* or NULL: bind everything */
};

static void b_start(struct binder *b, sqlite3_stmt *s)
{
	b->s = s;
	b->i = 0;
	b->rc = SQLITE_OK;
	b->sh = NULL;
}

/* As b_start(), remembering bound numbers in sh (zeroed when the
 * statement was prepared). */
static void b_start_shadowed(struct binder *b, sqlite3_stmt *s,
			     struct bshadow *sh)
{
	b_start(b, s);
	b->sh = sh;
}

/* 1 when parameter b->i is bound to kind (and v) already. */
static int b_same(const struct binder *b, int kind, int64_t v)
{
	return b->sh && b->i <= SHADOW_PARAMS &&
	       b->sh->kind[b->i] == kind && (kind != SH_INT ||
					      b->sh->v[b->i] == v);
}

static void b_note(struct binder *b, int kind, int64_t v)
{
	if (!b->sh || b->i > SHADOW_PARAMS)
		return;
	b->sh->kind[b->i] = b->rc == SQLITE_OK ? (unsigned char)kind
					       : SH_UNKNOWN;
	b->sh->v[b->i] = v;
}

static void b_int(struct binder *b, int64_t v)
{
	b->i++;
	if (b->rc != SQLITE_OK || b_same(b, SH_INT, v))
		return;
	b->rc = sqlite3_bind_int64(b->s, b->i, v);
	b_note(b, SH_INT, v);
}

static void b_null(struct binder *b)
{
	b->i++;
	if (b->rc != SQLITE_OK || b_same(b, SH_NULL, 0))
		return;
	b->rc = sqlite3_bind_null(b->s, b->i);
	b_note(b, SH_NULL, 0);
}

/* Unsigned values above INT64_MAX cannot be stored exactly: NULL. */
static void b_u64(struct binder *b, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		b_null(b);
	else
		b_int(b, (int64_t)v);
}

/* A duration or time where negative means unknown: NULL. */
static void b_known(struct binder *b, int64_t v)
{
	if (v < 0)
		b_null(b);
	else
		b_int(b, v);
}

/* A timestamp where 0 means none. */
static void b_ts(struct binder *b, int64_t v)
{
	if (v == 0)
		b_null(b);
	else
		b_int(b, v);
}

static void b_text(struct binder *b, const char *s)
{
	b->i++;
	if (b->rc != SQLITE_OK)
		return;
	b_note(b, SH_UNKNOWN, 0);
	if (s)
		b->rc = sqlite3_bind_text(b->s, b->i, s, -1, SQLITE_TRANSIENT);
	else
		b->rc = sqlite3_bind_null(b->s, b->i);
}

/* Runs a bound statement to completion (no rows expected) and resets it.
 * Returns 0 or a store code. */
static int b_run(struct store *st, struct binder *b, const char *what)
{
	int rc = b->rc;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(b->s);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	/* reset repeats the step's error, already in rc. */
	(void)sqlite3_reset(b->s);
	if (rc != SQLITE_OK)
		return dberr(st, rc, what);
	return 0;
}

static int run_stmt(struct store *st, enum stmt_id id, const char *what)
{
	struct binder b;
	b_start(&b, st->stmt[id]);
	return b_run(st, &b, what);
}

/* Runs SQL text without results. */
static int exec(struct store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, what);
	return 0;
}

/* Reads one integer from a one-row query; 0 or a store code. */
static int query_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	int frc = sqlite3_finalize(s);
	if (rc == SQLITE_OK && frc != SQLITE_OK)
		rc = frc;
	if (rc != SQLITE_OK)
		return dberr(st, rc, "reading the schema");
	return 0;
}

static void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "unknown");
}

static int busy_ms(void)
{
	const char *e = getenv("TCPSCOPE_BUSY_TIMEOUT");
	if (e && *e) {
		char *end;
		long v = strtol(e, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 3600000)
			return (int)v;
	}
	return STORE_BUSY_MS;
}

/* The secondary indexes of the bulk tables. A new database built aside
 * (STORE_ASIDE) has none while its first capture goes in, and builds them
 * when it is complete (publish(): sorting once is cheaper than keeping
 * four B-trees in order row by row); every writable open makes sure they
 * exist. Same definitions as the schema steps that made them. */
static const char INDEXES_SQL[] =
    "CREATE INDEX IF NOT EXISTS conn_capture ON connections(capture_id);"
    "CREATE INDEX IF NOT EXISTS conn_client ON"
    " connections(client_ip, client_port);"
    "CREATE INDEX IF NOT EXISTS conn_server ON"
    " connections(server_ip, server_port);"
    "CREATE INDEX IF NOT EXISTS label_events_conn ON"
    " label_events(conn_id, pkt);"
    "CREATE INDEX IF NOT EXISTS segment_chunks_conn ON"
    " segment_chunks(conn_id, first_pkt);";
/* label_events_conn stays: the writer looks labels up by it
 * (S_SUPERSEDE); conn_capture too: its entries come in order, each
 * appended at the end; and segment_chunks_conn, with a row per chunk
 * (building it would read every chunk again). */
static const char DROP_INDEXES_SQL[] =
    "DROP INDEX conn_client; DROP INDEX conn_server;";

/* ---- Lookup tables (schema version 3) ------------------------------------ */

/* The numbers the label, segment and transition rows store are tcpcore's
 * enum values; these tables name them for the views and for users. The
 * enums only ever grow at their end (tcpcore.h), so a number keeps its
 * meaning; a newer tcpscope adds its new names when it opens the file. */
static const char NAMES_SQL[] =
    "CREATE TABLE IF NOT EXISTS label_names (id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE IF NOT EXISTS reason_names (id INTEGER PRIMARY KEY,"
    " text TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS state_names (id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE IF NOT EXISTS rule_names (id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, side TEXT, from_state TEXT, to_state TEXT,"
    " event TEXT, rfc TEXT);\n";

/* Runs one prepared INSERT OR REPLACE per row: id, then up to 6 texts. */
static int names_insert(struct store *st, const char *sql, int64_t id,
			const char *const *texts, int ntexts)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, id);
	for (int i = 0; rc == SQLITE_OK && i < ntexts; i++)
		rc = sqlite3_bind_text(s, i + 2, texts[i], -1, SQLITE_STATIC);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	(void)sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : dberr(st, rc, "writing the name tables");
}

/* Creates the lookup tables if needed and writes every name (inside the
 * caller's transaction, if any). */
static int fill_names(struct store *st)
{
	int r = exec(st, NAMES_SQL, "creating the name tables");
	for (unsigned i = 0; !r && i < TC_LB__COUNT; i++) {
		const char *t[] = {tc_label_name(i)};
		r = names_insert(st, "INSERT OR REPLACE INTO label_names VALUES"
				     " (?1, ?2)", i, t, 1);
	}
	for (unsigned i = 1; !r && i < TC_RS__COUNT; i++) {
		const char *t[] = {tc_reason_name(i)};
		r = names_insert(st, "INSERT OR REPLACE INTO reason_names VALUES"
				     " (?1, ?2)", i, t, 1);
	}
	for (unsigned i = 0; !r && i < TC_ST__COUNT; i++) {
		const char *t[] = {tc_state_name(i)};
		r = names_insert(st, "INSERT OR REPLACE INTO state_names VALUES"
				     " (?1, ?2)", i, t, 1);
	}
	for (size_t i = 0; !r && i < tc_nrules; i++) {
		const struct tc_rule *ru = &tc_rules[i];
		const char *t[] = {
		    ru->name,
		    tc_rule_side_name(ru->side),
		    ru->from == TC_RULE_ANY ? "any" : tc_state_name(ru->from),
		    tc_state_name(ru->to),
		    ru->event,
		    ru->rfc,
		};
		r = names_insert(st, "INSERT OR REPLACE INTO rule_names VALUES"
				     " (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				 ru->id, t, 6);
	}
	return r;
}

/* Brings the lookup tables up to this tcpscope's names when they have
 * fewer rows (a file written by an older version). */
static int names_current(struct store *st)
{
	int64_t n = 0;
	int r = query_int(st,
			  "SELECT (SELECT count(*) FROM label_names WHERE"
			  " id < 1000) + (SELECT count(*) FROM reason_names"
			  " WHERE id < 1000) + (SELECT count(*) FROM"
			  " state_names WHERE id < 1000) + (SELECT count(*)"
			  " FROM rule_names)",
			  &n);
	if (r || n == (int64_t)(TC_LB__COUNT + TC_RS__COUNT - 1 +
				TC_ST__COUNT + tc_nrules))
		return r;
	r = exec(st, "BEGIN IMMEDIATE", "updating the name tables");
	if (!r)
		r = fill_names(st);
	if (!r)
		r = exec(st, "COMMIT", "updating the name tables");
	if (r && !sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* ---- Opening, checking and migrating ------------------------------------ */

/* Runs migration steps from version `from` up to version `to`, each in
 * its own transaction. */
static int migrate(struct store *st, int64_t from, int64_t to)
{
	for (int64_t v = from; v < to; v++) {
		char sql[64], what[64];
		int r =
		    exec(st, "BEGIN IMMEDIATE", "starting the schema update");
		if (r)
			return r;
		/* Another process may have upgraded the file meanwhile. */
		int64_t now_v;
		r = query_int(st, "PRAGMA user_version", &now_v);
		if (!r && now_v != v) {
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL,
					   NULL);
			if (now_v > v && now_v <= to) {
				v = now_v - 1;
				continue;
			}
			return seterr(st, STORE_EVERSION,
				      "schema version changed to %lld while"
				      " upgrading",
				      (long long)now_v);
		}
		if (v == 0)
			snprintf(what, sizeof what, "creating the schema");
		else
			snprintf(what, sizeof what,
				 "upgrading the schema from version %d to %d",
				 (int)v, (int)(v + 1));
		if (!r && v == 2)
			r = fill_names(st);
		if (!r)
			r = exec(st, migrations[v], what);
		if (!r && v == 0) {
			char now[32], ins[256];
			iso_now(now, sizeof now);
			snprintf(ins, sizeof ins,
				 "INSERT INTO meta(key, value) VALUES"
				 " ('tool_version', '%s'), ('created', '%s')",
				 TCPSCOPE_VERSION, now);
			r = exec(st, ins, "creating the schema");
		}
		if (!r) {
			snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
				 (int)(v + 1));
			r = exec(st, sql, "setting the schema version");
		}
		if (!r)
			r = exec(st, "COMMIT", "committing the schema update");
		if (r) {
			/* Keep the first message; the rollback may fail when
			 * SQLite already rolled back. */
			if (!sqlite3_get_autocommit(st->db))
				(void)sqlite3_exec(st->db, "ROLLBACK", NULL,
						   NULL, NULL);
			return r;
		}
	}
	return 0;
}

/* Checks that every required table exists. */
static int check_tables(struct store *st)
{
	for (size_t i = 0; i < sizeof required_tables / sizeof *required_tables;
	     i++) {
		char sql[160];
		int64_t n;
		snprintf(
		    sql, sizeof sql,
		    "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		    " AND name = '%s'",
		    required_tables[i]);
		int r = query_int(st, sql, &n);
		if (r)
			return r;
		if (n != 1)
			return seterr(st, STORE_ECORRUPT,
				      "not a tcpscope database (table '%s' is"
				      " missing)",
				      required_tables[i]);
	}
	return 0;
}

/* tcpscope_uid_v10(capture, tc_id, first_ts): uid_format_v10(), for
 * SCHEMA_V11's upgrade of older rows. */
static void sql_uid_v10(sqlite3_context *cx, int argc, sqlite3_value **v)
{
	(void)argc;
	char uid[UID_LEN + 1];
	uid_format_v10(uid, (const char *)sqlite3_value_text(v[0]),
		       sqlite3_value_int64(v[1]), sqlite3_value_int64(v[2]));
	sqlite3_result_text(cx, uid, UID_LEN, SQLITE_TRANSIENT);
}

static int prepare_all(struct store *st)
{
	static const char put_conn[] =
	    "INSERT OR IGNORE INTO connections(id, capture_id, tc_id, vlan,"
	    " client_ip, client_port, server_ip, server_port, first_ts,"
	    " last_ts, first_pkt, last_pkt, client_state, server_state,"
	    " client_states, server_states, close, handshake, midstream,"
	    " data_on_syn, evicted, conn_state, history, rtt_handshake_ns,"
	    " rtt_to_server_ns, rtt_to_client_ns, rtt_min_ns, rtt_avg_ns,"
	    " rtt_max_ns, rtt_stddev_ns, rtt_samples, transition_list,"
	    " transitions_dropped"
#define COL_NAME(name, val) ", c2s_" #name
	    DIR_COLS(COL_NAME)
#undef COL_NAME
#define COL_NAME(name, val) ", s2c_" #name
		DIR_COLS(COL_NAME)
#undef COL_NAME
		    ", tunnel, client_states_alt, server_states_alt, uid)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define COL_Q(name, val) ", ?"
		    DIR_COLS(COL_Q) DIR_COLS(COL_Q)
#undef COL_Q
			", ?, ?, ?, ?)";
	static const char *const sql[S__COUNT] = {
	    [S_BEGIN] = "BEGIN IMMEDIATE",
	    [S_COMMIT] = "COMMIT",
	    [S_ROLLBACK] = "ROLLBACK",
	    [S_FIND_SHA] = "SELECT id FROM captures WHERE sha256 = ?"
			   " AND complete = 1 AND id <> ? LIMIT 1",
	    [S_SIZE_KNOWN] = "SELECT 1 FROM captures WHERE size = ?"
			     " AND complete = 1 LIMIT 1",
	    [S_DEL_INCOMPLETE] = "DELETE FROM captures WHERE sha256 = ?"
				 " AND complete = 0",
	    [S_CONN_BASE] = "SELECT max(coalesce((SELECT max(id) FROM"
			    " connections), 0), coalesce((SELECT"
			    " max(conn_base + conn_count) FROM captures), 0))",
	    [S_INS_CAPTURE] = "INSERT INTO captures(path, size, sha256,"
			      " linktypes, snaplen, live, tool_version,"
			      " started, complete, conn_base, conn_count,"
			      " sensor)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
	    [S_RESERVE] = "UPDATE captures SET conn_count = ? WHERE id = ?",
	    [S_END_CAPTURE] = "UPDATE captures SET first_ts = ?,"
			      " last_ts = ?, packets = ?,"
			      " tcp_segments = ?, non_tcp = ?,"
			      " fragments = ?, malformed = ?, reasons = ?,"
			      " kernel_drops = ?, error = ?, finished = ?,"
			      " sha256 = ?, conn_count = ?, evicted = ?,"
			      " file_id = ?, seek_index = ?,"
			      " complete = 1 WHERE id = ?",
	    [S_DEL_OTHERS] = "DELETE FROM captures WHERE sha256 = ?"
			     " AND id <> ?",
	    [S_DEL_CAPTURE] = "DELETE FROM captures WHERE id = ?",
	    [S_PUT_CONN] = put_conn,
	    [S_INS_EVENT] = "INSERT INTO label_events(conn_id, ts_ns, pkt,"
			    " dir, label, reason, seq, ack, len, win, revised,"
			    " old_label)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    [S_SUPERSEDE] = "UPDATE label_events SET superseded = 1"
			    " WHERE conn_id = ? AND pkt = ? AND label = ?"
			    " AND superseded = 0",
	    [S_MARK_EVICTED] = "UPDATE connections SET evicted = 1"
			       " WHERE id = ?",
	    [S_INS_SEG] = "INSERT INTO segment_chunks(conn_id, first_pkt,"
			  " last_pkt, n, list) VALUES (?, ?, ?, ?, ?)",
	    [S_DEL_LABELS] = "DELETE FROM capture_labels WHERE capture_id = ?",
	    [S_PUT_LABEL] = "INSERT INTO capture_labels(capture_id, label,"
			    " events) VALUES (?, ?, ?)",
	    [S_DEL_CONN] = "DELETE FROM connections WHERE id = ?",
	    [S_PUT_IFACE] = "INSERT OR REPLACE INTO capture_interfaces("
			    "capture_id, iface, section, linktype, name,"
			    " description, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    [S_PUT_NOTE] = "INSERT INTO capture_notes(capture_id, section,"
			   " kind, text) VALUES (?, ?, ?, ?)",
	    [S_PUT_PCOMMENT] = "INSERT OR REPLACE INTO packet_comments("
			       "capture_id, pkt, comment) VALUES (?, ?, ?)",
	    [S_PUT_PART] = "INSERT OR REPLACE INTO capture_parts(capture_id,"
			   " part, path, size) VALUES (?, ?, ?, ?)",
	    [S_INS_CC] = "INSERT INTO cc_transitions(conn_id, ts_ns, pkt, dir,"
			 " from_state, to_state, rule, rule_name, bytes)"
			 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	};
	if (!st->conn_shadow &&
	    !(st->conn_shadow = malloc(sizeof *st->conn_shadow)))
		return seterr(st, STORE_EIO, "out of memory");
	memset(st->conn_shadow, 0, sizeof *st->conn_shadow);
	for (int i = 0; i < S__COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, sql[i], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return dberr(st, rc, "preparing statements");
	}
	return 0;
}

const char *store_default_path(void)
{
	const char *e = getenv("TCPSCOPE_DB");
	return e && *e ? e : "tcpscope.db";
}

/* "file:PATH?immutable=1" for a database whose directory cannot be
 * written, when no write-ahead log is pending; NULL otherwise. The caller
 * sqlite3_free()s it. */
static char *immutable_uri(const char *path)
{
	char *wal = sqlite3_mprintf("%s-wal", path);
	if (!wal)
		return NULL;
	struct stat sb;
	int pending = stat(wal, &sb) == 0 && sb.st_size > 0;
	sqlite3_free(wal);
	if (pending || access(path, R_OK) != 0)
		return NULL;
	sqlite3_str *s = sqlite3_str_new(NULL);
	sqlite3_str_appendall(s, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p))
			sqlite3_str_appendchar(s, 1, (char)*p);
		else
			sqlite3_str_appendf(s, "%%%02X", *p);
	}
	sqlite3_str_appendall(s, "?immutable=1");
	if (sqlite3_str_errcode(s) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(s));
		return NULL;
	}
	return sqlite3_str_finish(s);
}

/* The body of store_open(): fills st; returns 0 or a store code with
 * st->err set. A writable database is brought to version target, which
 * is STORE_VERSION except in store_create_version(); the write
 * statements are prepared only for STORE_VERSION. */
static int open_db(struct store *st, const char *path, int flags,
		   int64_t target)
{
	int oflags = SQLITE_OPEN_NOMUTEX;
	int rdonly = (flags & STORE_RDONLY) && !(flags & STORE_MEMORY);
	if (flags & STORE_MEMORY)
		oflags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else if (rdonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
			  ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);

	char *uri = NULL;
	int rc, r;
	int64_t version, nobjects;
reopen:
	rc = sqlite3_open_v2(uri		      ? uri
			     : (flags & STORE_MEMORY) ? ""
						      : path,
			     &st->db, oflags, NULL);
	sqlite3_free(uri);
	uri = NULL;
	if (rc != SQLITE_OK)
		return dberr(st, rc, "opening");
	rc = sqlite3_extended_result_codes(st->db, 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(st->db, busy_ms());
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(st->db, "tcpscope_uid_v10", 3,
					     SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					     NULL, sql_uid_v10, NULL, NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "opening");
	/* SQLite silently opens a write-protected file read-only. */
	if (!rdonly && !(flags & STORE_MEMORY) &&
	    sqlite3_db_readonly(st->db, "main") == 1)
		return seterr(st, STORE_EIO,
			      "opening: database or its directory is"
			      " read-only");

	/* The first read: tells an SQLite file from anything else. */
	r = query_int(st, "PRAGMA user_version", &version);
	if (r == STORE_EOPEN && rdonly && !(oflags & SQLITE_OPEN_URI) &&
	    (uri = immutable_uri(path)) != NULL) {
		/* A WAL database in a read-only directory, cleanly closed
		 * (no -wal file): nothing can change it, read it as is. */
		(void)sqlite3_close(st->db);
		st->db = NULL;
		oflags |= SQLITE_OPEN_URI;
		goto reopen;
	}
	if (r)
		return r;
	if (version > STORE_VERSION)
		return seterr(st, STORE_EVERSION,
			      "schema version %lld is newer than this tcpscope"
			      " (%s) understands (%d); use a newer tcpscope",
			      (long long)version, TCPSCOPE_VERSION,
			      STORE_VERSION);
	if (version < 0)
		return seterr(st, STORE_ECORRUPT,
			      "not a tcpscope database (user_version %lld)",
			      (long long)version);
	r = query_int(st, "SELECT count(*) FROM sqlite_master", &nobjects);
	if (r)
		return r;
	if (version == 0 && nobjects > 0)
		return seterr(st, STORE_ECORRUPT,
			      "not a tcpscope database (an SQLite file with"
			      " other tables)");
	if (rdonly || !(flags & STORE_CREATE)) {
		if (version == 0)
			return seterr(st, STORE_ECORRUPT,
				      "not a tcpscope database (empty; import"
				      " a capture first)");
		if (version < STORE_VERSION && rdonly)
			return seterr(st, STORE_EVERSION,
				      "schema version %lld is older than this"
				      " tcpscope's (%d); run tcpscope read once"
				      " on it to upgrade",
				      (long long)version, STORE_VERSION);
	}
	if (rdonly) {
		r = check_tables(st);
		if (!r)
			r = exec(st, "PRAGMA query_only = 1", "opening");
		return r;
	}

	/* Writable: WAL (in memory: "memory"), then schema. A new file gets
	 * STORE_PAGE_SIZE pages before anything is written to it (not the
	 * private store of STORE_MEMORY: its cache is what it keeps in
	 * memory, and that holds more of its rows in smaller pages). */
	if (version == 0 && nobjects == 0 && !(flags & STORE_MEMORY)) {
		char ps[48];
		snprintf(ps, sizeof ps, "PRAGMA page_size = %d",
			 STORE_PAGE_SIZE);
		r = exec(st, ps, "opening");
		if (r)
			return r;
	}
	sqlite3_stmt *s = NULL;
	rc = sqlite3_prepare_v2(st->db,
				st->aside || (flags & STORE_MEMORY)
				    ? "PRAGMA journal_mode = OFF"
				    : "PRAGMA journal_mode = WAL",
				-1, &s,
				NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const char *m = (const char *)sqlite3_column_text(s, 0);
			rc = SQLITE_OK;
			if (!m || (strcmp(m, "wal") != 0 &&
				   !((st->aside || (flags & STORE_MEMORY)) &&
				     strcmp(m, "off") == 0))) {
				(void)sqlite3_finalize(s);
				return seterr(st, STORE_EIO,
					      "cannot switch to WAL mode"
					      " (journal mode %s)",
					      m ? m : "unknown");
			}
		}
	}
	int frc = sqlite3_finalize(s);
	if (rc == SQLITE_OK)
		rc = frc;
	if (rc != SQLITE_OK)
		return dberr(st, rc, "setting WAL mode");
	r = exec(st,
		 st->aside ? "PRAGMA synchronous = OFF;"
			     " PRAGMA locking_mode = EXCLUSIVE;"
			   : "PRAGMA synchronous = NORMAL;",
		 "opening");
	if (!r)
		r = exec(st,
			 "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
			 " PRAGMA cache_size = -8192",
			 "opening");
	if (!r && version > target)
		r = seterr(st, STORE_EVERSION,
			   "schema version %lld is newer than the %lld asked"
			   " for",
			   (long long)version, (long long)target);
	if (!r && version < target)
		r = migrate(st, version, target);
	if (!r && target == STORE_VERSION)
		r = check_tables(st);
	if (!r && target == STORE_VERSION)
		r = names_current(st);
	if (!r && target == STORE_VERSION)
		r = exec(st,
			 st->aside || (flags & STORE_MEMORY) ? DROP_INDEXES_SQL
							     : INDEXES_SQL,
			 "opening");
	if (!r && target == STORE_VERSION)
		r = prepare_all(st);
	return r;
}

/* ---- A new database built aside (STORE_ASIDE) ---------------------------
 *
 * A file import into a database that does not exist yet writes it under a
 * temporary name in the same directory with no rollback journal and no
 * syncs: every page is written once, not first to the WAL and then again
 * by its checkpoints, and nobody waits for the disk. Nothing is stored
 * there that a crash could lose, and no reader can see the half-built file
 * (its name is not the database's). When the first capture is complete
 * the file is switched to WAL, closed, synced and renamed into place, and
 * reopened as an ordinary database for whatever follows. It never replaces
 * a file that appeared meanwhile: when that is a database (another import
 * into the same new database, run at the same time) the capture is copied
 * into it (merge_aside()), else the aside file is kept and named. A
 * ROLLBACK without a journal leaves the pages undefined, so a rolled-back
 * aside file is started afresh (no capture in it was complete). */

static void close_db(struct store *st);

/* The length of path's folder part, "DIR/" of "DIR/NAME" (0 for "NAME"). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* "DIR/.NAME.tcpscope-PID" for path "DIR/NAME"; NULL when out of memory. */
static char *aside_name(const char *path)
{
	size_t dirlen = dir_len(path);
	size_t n = strlen(path) + 48;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%.*s.%s.tcpscope-%ld", (int)dirlen, path,
			 path + dirlen, (long)getpid());
	return p;
}

/* Removes the aside files of path left by imports that were killed: the
 * process named in the file's name no longer runs. */
static void remove_stale_asides(const char *path)
{
	size_t dirlen = dir_len(path);
	char dir[4096], prefix[512];
	if (dirlen >= sizeof dir ||
	    (size_t)snprintf(prefix, sizeof prefix, ".%s.tcpscope-",
			     path + dirlen) >= sizeof prefix)
		return;
	snprintf(dir, sizeof dir, "%.*s", (int)dirlen, path);
	DIR *d = opendir(dirlen ? dir : ".");
	if (!d)
		return;
	size_t plen = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		const char *num = e->d_name + plen;
		char *end;
		errno = 0;
		long pid = strtol(num, &end, 10);
		if (!*num || *end || errno || pid <= 0 || pid > INT32_MAX ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char victim[4096 + 512];
		snprintf(victim, sizeof victim, "%s%s", dir, e->d_name);
		(void)unlink(victim);
	}
	(void)closedir(d);
}

/* Notes a ROLLBACK of a file without a journal: the aside file (see
 * above) or the private store of STORE_MEMORY, which has none either (a
 * journal in memory cost flows -r 3 MB on the benchmark's mix). */
static void rolled_back(struct store *st)
{
	if (st->chunks)
		segchunk_clear(st->chunks);
	if (st->aside || (st->flags & STORE_MEMORY))
		st->spoiled = 1;
}

/* Starts the aside file afresh after a rollback. */
static int aside_restart(struct store *st)
{
	close_db(st);
	(void)unlink(st->aside);
	st->spoiled = 0;
	return open_db(st, st->aside, st->flags, STORE_VERSION);
}

/* Syncs the file or directory at path; 0 or -1 with errno. */
static int sync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	(void)close(fd);
	errno = e;
	return r;
}

/* Renames from to `to` unless `to` exists; 0 or -1 with errno. */
static int rename_new(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: link() never replaces. */
	if (link(from, to) != 0)
		return -1;
	(void)unlink(from);
	return 0;
}

static int find_sha(struct store *st, const char *sha, int64_t self,
		    int64_t *old);
static int dup_error(struct store *st, const char *path, int64_t old);

/* The columns of table `table` of the attached aside file "a" but skip1
 * and skip2, quoted and comma-separated; NULL on error or without memory
 * (sqlite3_free() it). */
static char *aside_cols(struct store *st, const char *table,
			const char *skip1, const char *skip2)
{
	sqlite3_stmt *q;
	char *out = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT group_concat('\"' || name || '\"', ',')"
			       " FROM pragma_table_info(?1, 'a') WHERE name"
			       " NOT IN (?2, ?3)",
			       -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, skip1, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, skip2, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		out = sqlite3_mprintf("%s", sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out;
}

/* Runs sql (from sqlite3_mprintf(), freed here; NULL: out of memory). */
static int exec_owned(struct store *st, char *sql)
{
	int rc = sql ? sqlite3_exec(st->db, sql, NULL, NULL, NULL)
		     : SQLITE_NOMEM;
	sqlite3_free(sql);
	return rc;
}

/* Copies the rows of every table of "a" that belong to capture old_id
 * (conn ids old_base + 1 .. old_base + count) into main, as capture cid
 * with its connection ids moved by d: a table with capture_id by that
 * column, any other with conn_id by the id range; capture_id becomes
 * cid, conn_id (and connections.id) move by d, another table's own id
 * is renumbered. The captures row itself and the name tables are not
 * copied here; tables added by later schema steps are copied the same
 * way, so a merge never loses one. */
static int copy_capture_rows(struct store *st, int64_t old_id,
			     int64_t old_base, int64_t count, int64_t cid,
			     int64_t d)
{
	sqlite3_stmt *tq, *cq = NULL;
	int rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT name FROM a.sqlite_master WHERE type = 'table' AND name NOT"
	    " LIKE 'sqlite_%' AND name NOT IN ('meta', 'captures',"
	    " 'label_names', 'reason_names', 'state_names', 'rule_names')"
	    " ORDER BY name <> 'connections', name",
	    -1, &tq, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT name FROM"
						" pragma_table_info(?1, 'a')",
					-1, &cq, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(tq)) == SQLITE_ROW) {
		char t[128];
		snprintf(t, sizeof t, "%s", (const char *)sqlite3_column_text(tq, 0));
		int conns = strcmp(t, "connections") == 0;
		int by_cap = 0, by_conn = 0, has_id = 0;
		char *cols = sqlite3_mprintf("%s", ""), *vals = sqlite3_mprintf("%s", "");
		sqlite3_bind_text(cq, 1, t, -1, SQLITE_TRANSIENT);
		while (cols && vals && (rc = sqlite3_step(cq)) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(cq, 0);
			char *v;
			if (strcmp(c, "id") == 0 && !conns) {
				has_id = 1;
				continue; /* renumbered */
			}
			if (strcmp(c, "capture_id") == 0) {
				by_cap = 1;
				v = sqlite3_mprintf("%lld", (long long)cid);
			} else if (strcmp(c, "conn_id") == 0 ||
				   (conns && strcmp(c, "id") == 0)) {
				by_conn |= !conns;
				v = sqlite3_mprintf("\"%w\" + %lld", c, (long long)d);
			} else {
				v = sqlite3_mprintf("\"%w\"", c);
			}
			char *nc = v ? sqlite3_mprintf("%s%s\"%w\"", cols,
						       cols[0] ? ", " : "", c)
				     : NULL;
			char *nv = v ? sqlite3_mprintf("%s%s%s", vals,
						       vals[0] ? ", " : "", v)
				     : NULL;
			sqlite3_free(v);
			sqlite3_free(cols);
			sqlite3_free(vals);
			cols = nc;
			vals = nv;
		}
		sqlite3_reset(cq);
		if (!cols || !vals)
			rc = SQLITE_NOMEM;
		else if (rc == SQLITE_DONE && (by_cap || by_conn))
			rc = exec_owned(st, by_cap
			    ? sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s"
					      " FROM a.\"%w\" WHERE capture_id = %lld%s",
					      t, cols, vals, t, (long long)old_id,
					      has_id ? " ORDER BY id" : "")
			    : sqlite3_mprintf("INSERT INTO main.\"%w\"(%s) SELECT %s"
					      " FROM a.\"%w\" WHERE conn_id BETWEEN"
					      " %lld AND %lld%s",
					      t, cols, vals, t,
					      (long long)(old_base + 1),
					      (long long)(old_base + count),
					      has_id ? " ORDER BY id" : ""));
		else if (rc == SQLITE_DONE)
			rc = SQLITE_OK; /* not a table of a capture's rows */
		sqlite3_free(cols);
		sqlite3_free(vals);
	}
	sqlite3_finalize(tq);
	sqlite3_finalize(cq);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? 0
						     : dberr(st, rc, "copying rows");
}

/* Copies capture old_id of the attached database "a" into main with the
 * next capture id and a fresh range of connection ids, in the caller's
 * transaction; *cid gets its new id. A capture whose hash main already
 * has: with replace, the old one is removed after the copy; else
 * *skipped_as gets the id it has there and nothing is copied. */
static int copy_capture(struct store *st, int64_t old_id, int replace,
			int64_t *cid, int64_t *skipped_as)
{
	*cid = 0;
	*skipped_as = 0;
	int64_t old_base = 0, count = 0, dup = 0, new_base = 0;
	char sha[80] = "";
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT coalesce(conn_base, 0),"
				    " coalesce(conn_count, 0), sha256 FROM"
				    " a.captures WHERE id = ?",
				    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "merging");
	sqlite3_bind_int64(q, 1, old_id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		old_base = sqlite3_column_int64(q, 0);
		count = sqlite3_column_int64(q, 1);
		snprintf(sha, sizeof sha, "%s",
			 sqlite3_column_text(q, 2)
			     ? (const char *)sqlite3_column_text(q, 2)
			     : "");
	}
	sqlite3_finalize(q);
	int r = sha[0] ? find_sha(st, sha, 0, &dup) : 0;
	if (r)
		return r;
	if (dup && !replace) {
		*skipped_as = dup;
		return 0;
	}
	/* The connection ids the capture used: conn_count is reserved at
	 * every commit, the highest id written may be below it. */
	q = st->stmt[S_CONN_BASE];
	rc = sqlite3_step(q);
	new_base = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	(void)sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return dberr(st, rc, "merging");
	char *kcols = aside_cols(st, "captures", "id", "conn_base");
	if (!kcols)
		return seterr(st, STORE_EIO, "merging: %s",
			      sqlite3_errmsg(st->db));
	rc = exec_owned(st, sqlite3_mprintf(
				"INSERT INTO main.captures(conn_base, %s) SELECT"
				" %lld, %s FROM a.captures WHERE id = %lld",
				kcols, (long long)new_base, kcols,
				(long long)old_id));
	sqlite3_free(kcols);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "merging");
	*cid = sqlite3_last_insert_rowid(st->db);
	r = copy_capture_rows(st, old_id, old_base, count, *cid,
			      new_base - old_base);
	if (!r && dup) {
		/* replace: the capture imported before goes. */
		struct binder b;
		b_start(&b, st->stmt[S_DEL_OTHERS]);
		b_text(&b, sha);
		b_int(&b, *cid);
		r = b_run(st, &b, "removing the replaced capture");
	}
	return r;
}

/* Copies the one capture of the aside file into the database at st->path,
 * which another process created while the aside file was being built
 * (parallel imports into a new database): the capture gets the next id and
 * a fresh range of connection ids, its rows follow, in one transaction.
 * st->db is the database at st->path, open as an ordinary one. */
static int merge_aside(struct store *st, const char *aside)
{
	char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS a", aside);
	int rc = exec_owned(st, sql);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "merging the import");
	int r = 0;
	int64_t old_id = 0, cid, dup;
	char path[512] = "";
	sqlite3_stmt *q = NULL;
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT id, path FROM a.captures",
					-1, &q, NULL);
	if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
		old_id = sqlite3_column_int64(q, 0);
		snprintf(path, sizeof path, "%s",
			 sqlite3_column_text(q, 1)
			     ? (const char *)sqlite3_column_text(q, 1)
			     : "");
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_OK) {
		r = copy_capture(st, old_id, st->replace, &cid, &dup);
		if (!r && dup)
			r = dup_error(st, path, dup);
	}
	if (!r && rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (!r && rc != SQLITE_OK)
		r = dberr(st, rc, "merging the import");
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	(void)sqlite3_exec(st->db, "DETACH DATABASE a", NULL, NULL, NULL);
	return r;
}

void store_remove_files(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		char p[4200];
		snprintf(p, sizeof p, "%s%s", path, ext[i]);
		(void)unlink(p);
	}
}

int store_merge(struct store *st, const char *shard, int replace,
		struct store_merge_result *res)
{
	memset(res, 0, sizeof *res);
	if ((st->flags & STORE_RDONLY) || st->capture_id)
		return seterr(st, STORE_EIO, "merging: not while importing");
	/* The shard must be of this version: opened read-only, an older one
	 * is refused with the way to upgrade it, a newer one too. */
	struct store *sh;
	char err[512];
	int r = store_open(shard, STORE_RDONLY, &sh, err, sizeof err);
	if (r) {
		/* The shard's own message names the shard, not st. */
		snprintf(st->err, sizeof st->err, "%s", err);
		return r;
	}
	store_close(sh);
	char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS a", shard);
	int rc = exec_owned(st, sql);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "attaching the shard");
	sqlite3_stmt *q = NULL;
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT id FROM a.captures WHERE"
						" " STORE_CAPTURE_SHOWN("")
						" ORDER BY id",
					-1, &q, NULL);
	while (!r && rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t cid, dup;
		r = copy_capture(st, sqlite3_column_int64(q, 0), replace, &cid,
				 &dup);
		if (!r && dup) {
			res->skipped++;
			res->skipped_as = dup;
		} else if (!r) {
			res->copied++;
			res->last_id = cid;
		}
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(q);
	if (!r && rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (!r && rc != SQLITE_OK)
		r = dberr(st, rc, "merging the shard");
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	(void)sqlite3_exec(st->db, "DETACH DATABASE a", NULL, NULL, NULL);
	if (r)
		memset(res, 0, sizeof *res);
	return r;
}

/* The first capture is complete: puts the aside file in its place and
 * opens it there; when another process made a database there meanwhile,
 * copies the capture into it instead (merge_aside()). */
static int publish(struct store *st)
{
	/* Start writing the rows back to disk while the indexes are
	 * built: the sync below then waits for less. */
	int fd = open(st->aside, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		(void)close(fd);
	}
	/* Sorted through temporary files and a small cache: a capture of
	 * millions of connections must not need their index in RAM. */
	int r = exec(st, "PRAGMA temp_store = FILE; PRAGMA cache_size = -4096",
		     "indexing");
	if (!r)
		r = exec(st, INDEXES_SQL, "indexing");
	/* In WAL mode already when it appears: whoever opens it then needs
	 * no lock to switch it (closing checkpoints and removes the -wal). */
	if (!r)
		r = exec(st, "PRAGMA locking_mode = NORMAL;"
			     " PRAGMA journal_mode = WAL",
			 "switching to WAL");
	if (r)
		return r;
	close_db(st);
	size_t dirlen = dir_len(st->path);
	char dir[4096];
	snprintf(dir, sizeof dir, "%.*s", dirlen ? (int)dirlen : 1,
		 dirlen ? st->path : ".");
	if (sync_path(st->aside, 0) != 0)
		return seterr(st, STORE_EIO, "syncing the new database: %s",
			      strerror(errno));
	if (rename_new(st->aside, st->path) != 0) {
		int e = errno;
		/* The database there is an ordinary one: st->aside must not
		 * be set while it is opened (open_db() would treat it as
		 * the aside file). */
		char *aside = st->aside;
		st->aside = NULL;
		int m = e == EEXIST ? open_db(st, st->path, st->flags,
					      STORE_VERSION)
				    : 0;
		if (e == EEXIST && !m && (m = merge_aside(st, aside)) == 0) {
			(void)unlink(aside);
			free(aside);
			return 0;
		}
		if (m == STORE_EDUP) {
			(void)unlink(aside);
			free(aside);
			return m;
		}
		st->aside = aside;
		char why[sizeof st->err];
		snprintf(why, sizeof why, "%s", m ? st->err : "");
		st->keep_aside = 1;
		return seterr(st, STORE_EIO,
			      "%s%s%.200s while this import ran; the import is"
			      " kept in %s",
			      e == EEXIST ? "created by another process"
					  : strerror(e),
			      m ? ", and cannot be added to: " : "", why,
			      st->aside);
	}
	(void)sync_path(dir, 1);
	free(st->aside);
	st->aside = NULL;
	return open_db(st, st->path, st->flags, STORE_VERSION);
}

int store_open(const char *path, int flags, struct store **out, char *err,
	       size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!path)
		path = store_default_path();
	struct store *st = calloc(1, sizeof *st);
	if (!st ||
	    !(st->path = xstrdup((flags & STORE_MEMORY) ? ":memory:" : path))) {
		free(st);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return STORE_EOPEN;
	}
	st->flags = flags;
	/* No allocation statistics: they take a global mutex on every
	 * allocation, and nothing here reads them. Only possible before
	 * SQLite initialises; later calls fail harmlessly. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	struct stat sb;
	if ((flags & STORE_ASIDE) && (flags & STORE_CREATE) &&
	    !(flags & (STORE_MEMORY | STORE_RDONLY)) &&
	    lstat(path, &sb) != 0 && errno == ENOENT) {
		remove_stale_asides(path);
		if (!(st->aside = aside_name(path))) {
			if (err && errlen)
				snprintf(err, errlen, "%s: out of memory",
					 path);
			store_close(st);
			return STORE_EOPEN;
		}
	}
	int r = open_db(st, st->aside ? st->aside : path, flags,
			STORE_VERSION);
	if (!r && (flags & STORE_SEGMENTS) && !(flags & STORE_RDONLY) &&
	    !(st->chunks = segchunk_new(SEG_BUFFER, SEG_PER_CHUNK)))
		r = seterr(st, STORE_EIO, "out of memory");
	if (r) {
		if (err && errlen)
			snprintf(err, errlen, "%s", st->err);
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
}

int store_create_version(const char *path, int version, char *err,
			 size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (version < 1 || version > STORE_VERSION) {
		if (err && errlen)
			snprintf(err, errlen, "%s: no schema version %d", path,
				 version);
		return STORE_EVERSION;
	}
	struct store *st = calloc(1, sizeof *st);
	if (!st || !(st->path = xstrdup(path))) {
		free(st);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return STORE_EOPEN;
	}
	st->flags = STORE_CREATE;
	int r = open_db(st, path, STORE_CREATE, version);
	if (r && err && errlen)
		snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return r;
}

/* Closes the SQLite connection of st, its statements first. */
static void close_db(struct store *st)
{
	if (st->db && !sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	int writable = st->stmt[S_BEGIN] != NULL;
	for (int i = 0; i < S__COUNT; i++) {
		(void)sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	if (st->db && !(st->flags & STORE_RDONLY) && !st->aside && writable)
		(void)sqlite3_exec(st->db, "PRAGMA optimize", NULL, NULL, NULL);
	/* Fails only with unfinalized statements: none left. */
	if (st->db)
		(void)sqlite3_close(st->db);
	st->db = NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	close_db(st);
	/* An aside file whose first capture never completed holds nothing
	 * anyone asked to keep. */
	if (st->aside && !st->keep_aside)
		(void)unlink(st->aside);
	free(st->aside);
	segchunk_free(st->chunks);
	free(st->conn_shadow);
	free(st->path);
	free(st->sha256);
	free(st->sensor);
	free(st->buf);
	free(st);
}

const char *store_errmsg(const struct store *st) { return st ? st->err : ""; }

int store_keeps_segments(const struct store *st)
{
	return (st->flags & STORE_SEGMENTS) != 0;
}

int store_keeps_events(const struct store *st)
{
	return !(st->flags & STORE_NO_EVENTS);
}

int64_t store_dup_of(const struct store *st) { return st->dup_of; }

int store_capture_has_segments(struct store *st, int64_t id)
{
	/* By the capture's range of connection ids (the segment_chunks_conn
	 * index), or its connections when it has none (version 2 rows). */
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT EXISTS (SELECT 1 FROM captures k, segment_chunks s WHERE"
	    " k.id = ?1 AND k.conn_base IS NOT NULL AND s.conn_id >"
	    " k.conn_base AND s.conn_id <= k.conn_base + k.conn_count) OR"
	    " EXISTS (SELECT 1 FROM captures k, connections c, segment_chunks s"
	    " WHERE k.id = ?1 AND k.conn_base IS NULL AND c.capture_id = k.id"
	    " AND s.conn_id = c.id)",
	    -1, &q, NULL);
	if (rc != SQLITE_OK)
		return dberr(st, rc, "looking for segments");
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	int has = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	(void)sqlite3_finalize(q);
	return rc == SQLITE_ROW ? has : dberr(st, rc, "looking for segments");
}

struct sqlite3 *store_db(struct store *st) { return st->db; }

/* ---- Importing ---------------------------------------------------------- */

/* Marks the import failed after error r (when it is one). */
static int import_fail(struct store *st, int r)
{
	if (r && st->capture_id) {
		st->dead = r;
		if (!sqlite3_get_autocommit(st->db))
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL,
					   NULL);
		rolled_back(st);
		st->in_tx = 0;
	}
	return r;
}

static int need_writer(struct store *st)
{
	if (!st->stmt[S_BEGIN])
		return seterr(st, STORE_EIO, "database opened read-only");
	return 0;
}

/* Looks up a complete capture with this sha256 other than capture `self`;
 * *old gets its id or 0. */
static int find_sha(struct store *st, const char *sha, int64_t self,
		    int64_t *old)
{
	struct binder b;
	b_start(&b, st->stmt[S_FIND_SHA]);
	b_text(&b, sha);
	b_int(&b, self);
	*old = 0;
	int rc = b.rc;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(b.s);
		if (rc == SQLITE_ROW) {
			*old = sqlite3_column_int64(b.s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	(void)sqlite3_reset(b.s);
	return rc == SQLITE_OK ? 0 : dberr(st, rc, "looking for the capture");
}

static int dup_error(struct store *st, const char *path, int64_t old)
{
	st->dup_of = old;
	return seterr(st, STORE_EDUP,
		      "%s already imported as capture %lld (same sha256)",
		      path ? path : "capture", (long long)old);
}

int store_capture_size_known(struct store *st, int64_t size)
{
	if (need_writer(st) || size < 0)
		return 0;
	sqlite3_stmt *s = st->stmt[S_SIZE_KNOWN];
	int known = sqlite3_bind_int64(s, 1, size) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW;
	(void)sqlite3_reset(s);
	return known;
}

int store_capture_begin(struct store *st, const struct store_capture *cap,
			int replace, int64_t *capture_id)
{
	int r = need_writer(st);
	if (r)
		return r;
	if (st->capture_id)
		store_capture_abort(st);
	st->err[0] = '\0';
	/* A private store in memory cannot start afresh: the captures
	 * before the one rolled back would go with it. */
	if (st->spoiled && !st->aside)
		return seterr(st, STORE_EIO, "the store in memory was rolled"
					     " back after an error");
	if (st->spoiled && (r = aside_restart(st)) != 0)
		return r;
	st->dead = 0;
	st->replace = replace;
	st->conn_hwm = 0;
	st->dup_of = 0;
	memset(st->labels, 0, sizeof st->labels);
	free(st->sha256);
	st->sha256 = NULL;
	if (cap->sha256 && !(st->sha256 = xstrdup(cap->sha256)))
		return seterr(st, STORE_EIO, "out of memory");
	free(st->sensor);
	st->sensor = NULL;
	if (cap->sensor && cap->sensor[0] &&
	    !(st->sensor = xstrdup(cap->sensor)))
		return seterr(st, STORE_EIO, "out of memory");
	st->uid_key = uid_capture_key(st->sensor, 0, NULL, 0);

	r = run_stmt(st, S_BEGIN, "starting the import");
	if (r)
		return r;
	struct binder b;
	if (cap->sha256) {
		int64_t old;
		r = find_sha(st, cap->sha256, 0, &old);
		if (!r && old && !replace)
			r = dup_error(st, cap->path, old);
		if (r)
			goto fail;
		b_start(&b, st->stmt[S_DEL_INCOMPLETE]);
		b_text(&b, cap->sha256);
		r = b_run(st, &b, "removing an incomplete import");
		if (r)
			goto fail;
	}
	sqlite3_stmt *q = st->stmt[S_CONN_BASE];
	int rc = sqlite3_step(q);
	st->conn_base = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	(void)sqlite3_reset(q);
	if (rc != SQLITE_ROW) {
		r = dberr(st, rc, "reserving connection ids");
		goto fail;
	}
	char now[32];
	iso_now(now, sizeof now);
	b_start(&b, st->stmt[S_INS_CAPTURE]);
	b_text(&b, cap->path ? cap->path : "");
	if (cap->size >= 0)
		b_int(&b, cap->size);
	else
		b_null(&b);
	b_text(&b, cap->sha256);
	b_text(&b, cap->linktypes);
	b_int(&b, cap->snaplen);
	b_int(&b, cap->live ? 1 : 0);
	b_text(&b, TCPSCOPE_VERSION);
	b_text(&b, now);
	b_int(&b, st->conn_base);
	b_int(&b, STORE_RESERVE);
	b_text(&b, cap->sensor && cap->sensor[0] ? cap->sensor : NULL);
	r = b_run(st, &b, "recording the capture");
	if (r)
		goto fail;
	st->capture_id = sqlite3_last_insert_rowid(st->db);
	st->in_tx = 1;
	if (capture_id)
		*capture_id = st->capture_id;
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	rolled_back(st);
	return r;
}

void store_capture_abort(struct store *st)
{
	if (!st->capture_id)
		return;
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	rolled_back(st);
	st->in_tx = 0;
	st->dead = 0;
	st->capture_id = 0;
}

static int check_import(struct store *st)
{
	int r = need_writer(st);
	if (r)
		return r;
	if (!st->capture_id)
		return seterr(st, STORE_EIO, "no import in progress");
	if (st->dead)
		return st->dead; /* st->err still says why */
	return 0;
}

/* Records how many connection ids the import has taken (count), so that
 * an import beginning after the next commit starts beyond them. */
static int set_conn_count(struct store *st, int64_t count)
{
	struct binder b;
	b_start(&b, st->stmt[S_RESERVE]);
	b_int(&b, count);
	b_int(&b, st->capture_id);
	return b_run(st, &b, "reserving connection ids");
}

/* Writes the import's label totals (capture_labels) as counted so far. */
static int put_label_totals(struct store *st)
{
	struct binder b;
	b_start(&b, st->stmt[S_DEL_LABELS]);
	b_int(&b, st->capture_id);
	int r = b_run(st, &b, "writing the label totals");
	for (int i = 0; !r && i < TC_LB__COUNT; i++) {
		if (st->labels[i] <= 0)
			continue;
		b_start(&b, st->stmt[S_PUT_LABEL]);
		b_int(&b, st->capture_id);
		b_int(&b, i);
		b_int(&b, st->labels[i]);
		r = b_run(st, &b, "writing the label totals");
	}
	return r;
}

int store_checkpoint(struct store *st)
{
	int r = check_import(st);
	if (r)
		return r;
	r = flush_segments(st);
	if (!r)
		r = set_conn_count(st, (int64_t)st->conn_hwm + STORE_RESERVE);
	if (!r)
		r = put_label_totals(st);
	if (!r)
		r = run_stmt(st, S_COMMIT, "committing");
	if (!r) {
		st->in_tx = 0;
		r = run_stmt(st, S_BEGIN, "starting a transaction");
		if (!r)
			st->in_tx = 1;
	}
	return import_fail(st, r);
}

/* The import turned out to be a capture imported before: removes what it
 * committed already, if anything. */
static void drop_import(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	rolled_back(st);
	struct binder b;
	if (run_stmt(st, S_BEGIN, "removing the import") == 0) {
		b_start(&b, st->stmt[S_DEL_CAPTURE]);
		b_int(&b, st->capture_id);
		if (b_run(st, &b, "removing the import") == 0)
			(void)run_stmt(st, S_COMMIT, "removing the import");
		if (!sqlite3_get_autocommit(st->db))
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL,
					   NULL);
	}
	st->in_tx = 0;
	st->capture_id = 0;
}

int store_capture_end(struct store *st, const struct store_capture_stats *s)
{
	int r = check_import(st);
	if (r)
		return r;
	if (s->sha256 && !st->sha256) {
		if (!(st->sha256 = xstrdup(s->sha256)))
			return import_fail(st, seterr(st, STORE_EIO,
						      "out of memory"));
		int64_t old;
		r = find_sha(st, st->sha256, st->capture_id, &old);
		if (r)
			return import_fail(st, r);
		if (old && !st->replace) {
			r = dup_error(st, s->path, old);
			drop_import(st);
			return r;
		}
	}
	r = flush_segments(st);
	if (r)
		return import_fail(st, r);
	char now[32];
	iso_now(now, sizeof now);
	struct binder b;
	b_start(&b, st->stmt[S_END_CAPTURE]);
	b_ts(&b, s->first_ts);
	b_ts(&b, s->last_ts);
	b_u64(&b, s->packets);
	b_u64(&b, s->tcp_segments);
	b_u64(&b, s->non_tcp);
	b_u64(&b, s->fragments);
	b_u64(&b, s->malformed);
	b_text(&b, s->reasons ? s->reasons : "");
	b_u64(&b, s->kernel_drops);
	b_text(&b, s->error);
	b_text(&b, now);
	b_text(&b, st->sha256);
	b_u64(&b, st->conn_hwm);
	b_u64(&b, s->evicted);
	b_text(&b, s->file_id);
	b_text(&b, s->seek_index);
	b_int(&b, st->capture_id);
	r = b_run(st, &b, "finishing the capture");
	if (!r)
		r = put_label_totals(st);
	if (!r && st->sha256) {
		b_start(&b, st->stmt[S_DEL_OTHERS]);
		b_text(&b, st->sha256);
		b_int(&b, st->capture_id);
		r = b_run(st, &b, "removing the replaced capture");
	}
	if (!r)
		r = run_stmt(st, S_COMMIT, "committing");
	if (r)
		return import_fail(st, r);
	st->in_tx = 0;
	st->capture_id = 0;
	return st->aside ? publish(st) : 0;
}

int store_capture_first_packet(struct store *st, int64_t ts_ns,
			       const uint8_t *data, size_t len)
{
	int r = check_import(st);
	if (r)
		return r;
	st->uid_key = uid_capture_key(st->sensor, ts_ns, data, len);
	return 0;
}

/* ---- Events ------------------------------------------------------------- */

/* The connections row id of tracker id tc_id; notes the highest in use. */
static int64_t conn_id(struct store *st, uint64_t tc_id)
{
	if (tc_id > st->conn_hwm)
		st->conn_hwm = tc_id;
	return st->conn_base + (int64_t)tc_id;
}

/* Makes st->buf hold at least n bytes; 0 or -1 when out of memory. */
static int buf_need(struct store *st, size_t n)
{
	if (n <= st->buflen)
		return 0;
	size_t len = st->buflen ? st->buflen : 1024;
	while (len < n)
		len *= 2;
	char *p = realloc(st->buf, len);
	if (!p)
		return -1;
	st->buf = p;
	st->buflen = len;
	return 0;
}

/* The JSON array of c's transitions into st->buf, from offset off; sets
 * *len. -1 when out of memory. */
static int transition_list(struct store *st, const struct tc_conn *c,
			   size_t off, size_t *len)
{
	/* Per transition at most 2 * 20 digits, 4 small numbers, 9 marks. */
	if (buf_need(st, off + 3 + c->ntransitions * 72) < 0)
		return -1;
	char *p = st->buf + off;
	*p++ = '[';
	for (size_t i = 0; i < c->ntransitions; i++) {
		const struct tc_transition *t = &c->transitions[i];
		if (i)
			*p++ = ',';
		*p++ = '[';
		p = put_i64(p, t->ts_ns);
		*p++ = ',';
		p = put_u64(p, t->pkt);
		*p++ = ',';
		p = put_u64(p, t->side);
		*p++ = ',';
		p = put_u64(p, t->from);
		*p++ = ',';
		p = put_u64(p, t->to);
		*p++ = ',';
		p = put_u64(p, t->rule);
		if (t->inferred) {
			*p++ = ',';
			*p++ = '1';
		}
		*p++ = ']';
	}
	*p++ = ']';
	*len = (size_t)(p - (st->buf + off));
	return 0;
}

/* State path of one side into st->buf from offset off: the first
 * transition's from state, then each to; the current state if no
 * transition. *len = 0 (NULL) for a side never observed. -1 when out of
 * memory. */
static int state_path(struct store *st, const struct tc_conn *c, int side,
		      size_t off, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < c->ntransitions; i++)
		n += c->transitions[i].side == side;
	*len = 0;
	if (n == 0 && !c->observed[side])
		return 0;
	if (buf_need(st, off + (n + 1) * 16) < 0)
		return -1;
	char *p = st->buf + off;
	int first = 1;
	for (size_t i = 0; i < c->ntransitions; i++) {
		const struct tc_transition *t = &c->transitions[i];
		if (t->side != side)
			continue;
		if (first) {
			const char *f = tc_state_name(t->from);
			size_t fl = strlen(f);
			memcpy(p, f, fl);
			p += fl;
		}
		const char *to = tc_state_name(t->to);
		size_t tl = strlen(to);
		*p++ = ' ';
		memcpy(p, to, tl);
		p += tl;
		first = 0;
	}
	if (first) {
		const char *cur = tc_state_name(c->state[side]);
		size_t cl = strlen(cur);
		memcpy(p, cur, cl);
		p += cl;
	}
	*len = (size_t)(p - (st->buf + off));
	return 0;
}

/* Dotted quad of a, as inet_ntop() writes it, without its printf. */
static void ipv4_text(const unsigned char a[4], char *buf)
{
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
}

static void addr_text(const struct tc_addr *a, char *buf, size_t len)
{
	if (a->family == 4 && len >= 16) {
		ipv4_text(a->a, buf);
		return;
	}
	int af = a->family == 6 ? AF_INET6 : a->family == 4 ? AF_INET : -1;
	if (af < 0 || inet_ntop(af, a->a, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
}

static void vlan_text(const uint16_t vlan[2], char *buf, size_t len)
{
	if (vlan[0] == 0)
		buf[0] = '\0';
	else if (vlan[1] == 0)
		snprintf(buf, len, "%u", (unsigned)vlan[0]);
	else
		snprintf(buf, len, "%u.%u", (unsigned)vlan[0],
			 (unsigned)vlan[1]);
}

#define CC_PATH_TEXT (TC_CC_PATH * 10 + 8)

static void b_textstatic(struct binder *b, const char *s, size_t n);
static void b_strstatic(struct binder *b, const char *s);

/* The congestion-state path of x, space-separated ("..." where states
 * were left out), or NULL for a direction that never started; written
 * into buf (CC_PATH_TEXT bytes), which must stay valid until the
 * statement runs (bound without a copy). */
static void b_cc_path(struct binder *b, const struct tc_transfer *x,
		      char *buf)
{
	char *p = buf;
	if (!x->cc_npath) {
		b_null(b);
		return;
	}
	for (unsigned i = 0; i < x->cc_npath && i < TC_CC_PATH; i++) {
		if (i == TC_CC_PATH - 1 && x->cc_path_cut) {
			memcpy(p, " ...", 4);
			p += 4;
		}
		const char *n = tc_cc_state_name(x->cc_path[i]);
		size_t l = strlen(n);
		if (i)
			*p++ = ' ';
		memcpy(p, n, l);
		p += l;
	}
	*p = '\0';
	b_textstatic(b, buf, (size_t)(p - buf));
}

static void bind_dir(struct binder *b, const struct tc_dir_stats *d,
		     char *pathbuf)
{
#define COL_BIND(name, val) val;
	DIR_COLS(COL_BIND)
#undef COL_BIND
}

/* Binds text that stays valid until the statement runs (no copy). */
static void b_textstatic(struct binder *b, const char *s, size_t n)
{
	b->i++;
	b_note(b, SH_UNKNOWN, 0);
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_text(b->s, b->i, s, (int)n, SQLITE_STATIC);
}

/* b_textstatic() of a string, or NULL for NULL. */
static void b_strstatic(struct binder *b, const char *s)
{
	if (s)
		b_textstatic(b, s, strlen(s));
	else
		b_null(b);
}

/* The alternative paths of side (tc_conn.alt) into st->buf from offset
 * off, as a JSON array of paths written as state_path() writes one; *len
 * = 0 (NULL) when there are none. -1 when out of memory. */
static int alt_paths(struct store *st, const struct tc_conn *c, int side,
		     size_t off, size_t *len)
{
	*len = 0;
	if (!c->nalt[side])
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < c->ntransitions; i++)
		n += c->transitions[i].side == side;
	if (buf_need(st, off + 4 + c->nalt[side] * (n + 1 + 3 + 1) * 16) < 0)
		return -1;
	char *p = st->buf + off;
	*p++ = '[';
	for (unsigned k = 0; k < c->nalt[side] && k < TC_MAX_ALT; k++) {
		const struct tc_alt *a = &c->alt[side][k];
		unsigned kept = 0;
		if (k)
			*p++ = ',';
		*p++ = '"';
		for (size_t i = 0; i < c->ntransitions && kept < a->keep; i++) {
			const struct tc_transition *t = &c->transitions[i];
			if (t->side != side)
				continue;
			if (!kept) {
				p = stpcpy(p, tc_state_name(t->from));
				kept++;
			}
			if (kept < a->keep) {
				*p++ = ' ';
				p = stpcpy(p, tc_state_name(t->to));
				kept++;
			}
		}
		if (!kept)
			p = stpcpy(p, tc_state_name(c->state[side]));
		for (unsigned j = 0; j < a->ntail && j < 3; j++) {
			*p++ = ' ';
			p = stpcpy(p, tc_state_name(a->tail[j]));
		}
		*p++ = '"';
	}
	*p++ = ']';
	*len = (size_t)(p - (st->buf + off));
	return 0;
}

/* Writes c's row whole: at its TC_EV_CLOSE with the final figures, or as
 * a snapshot of an open connection (close still "open") for live views;
 * a later write replaces the row. */
static int put_conn(struct store *st, const struct tc_conn *c)
{
	size_t tl, cl, sl, ca, sa;
	if (transition_list(st, c, 0, &tl) < 0 ||
	    state_path(st, c, TC_CLIENT, tl, &cl) < 0 ||
	    state_path(st, c, TC_SERVER, tl + cl, &sl) < 0 ||
	    alt_paths(st, c, TC_CLIENT, tl + cl + sl, &ca) < 0 ||
	    alt_paths(st, c, TC_SERVER, tl + cl + sl + ca, &sa) < 0)
		return seterr(st, STORE_EIO, "out of memory");
	char cip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN], vlan[16], tun[20];
	vlan_text(c->vlan, vlan, sizeof vlan);
	if (c->tunnel != TC_TUN_NONE)
		snprintf(tun, sizeof tun, "%s:%lu", tc_tunnel_name(c->tunnel),
			 (unsigned long)c->tunnel_id);
	addr_text(&c->addr[TC_CLIENT], cip, sizeof cip);
	addr_text(&c->addr[TC_SERVER], sip, sizeof sip);
	struct binder bb, *b = &bb;
	b_start_shadowed(b, st->stmt[S_PUT_CONN], st->conn_shadow);
	b_int(b, conn_id(st, c->id));
	b_int(b, st->capture_id);
	b_u64(b, c->id);
	b_strstatic(b, vlan);
	b_strstatic(b, cip[0] ? cip : NULL);
	b_int(b, c->port[TC_CLIENT]);
	b_strstatic(b, sip[0] ? sip : NULL);
	b_int(b, c->port[TC_SERVER]);
	b_int(b, c->first_ts);
	b_int(b, c->last_ts);
	b_u64(b, c->first_pkt);
	b_u64(b, c->last_pkt);
	b_strstatic(b, tc_state_name(c->state[TC_CLIENT]));
	b_strstatic(b, tc_state_name(c->state[TC_SERVER]));
	if (cl)
		b_textstatic(b, st->buf + tl, cl);
	else
		b_null(b);
	if (sl)
		b_textstatic(b, st->buf + tl + cl, sl);
	else
		b_null(b);
	b_strstatic(b, tc_close_name(c->close));
	b_strstatic(b, tc_handshake_name(c->handshake));
	b_int(b, c->midstream);
	b_int(b, c->data_on_syn);
	b_int(b, c->evicted);
	b_textstatic(b, c->conn_state, strnlen(c->conn_state,
						sizeof c->conn_state));
	b_textstatic(b, c->history, strnlen(c->history, sizeof c->history));
	b_known(b, c->rtt.handshake);
	b_known(b, c->rtt.to_server);
	b_known(b, c->rtt.to_client);
	b_known(b, c->rtt.min);
	b_known(b, c->rtt.avg);
	b_known(b, c->rtt.max);
	b_known(b, c->rtt.stddev);
	b_u64(b, c->rtt.samples);
	b_textstatic(b, st->buf, tl);
	b_int(b, c->transitions_dropped);
	char paths[2][CC_PATH_TEXT];
	bind_dir(b, &c->dir[0], paths[0]);
	bind_dir(b, &c->dir[1], paths[1]);
	b_strstatic(b, c->tunnel != TC_TUN_NONE ? tun : NULL);
	if (ca)
		b_textstatic(b, st->buf + tl + cl + sl, ca);
	else
		b_null(b);
	if (sa)
		b_textstatic(b, st->buf + tl + cl + sl + ca, sa);
	else
		b_null(b);
	char uid[UID_LEN + 1];
	uid_format(uid, st->uid_key, (int64_t)c->id, c->first_ts);
	b_textstatic(b, uid, UID_LEN);
	int r = b_run(st, b, "writing a connection");
	if (r || sqlite3_changes(st->db) == 1)
		return r;
	/* The row is there (an earlier write of this connection): delete
	 * it and run the insert again, its bindings still in place. */
	struct binder d;
	b_start(&d, st->stmt[S_DEL_CONN]);
	b_int(&d, conn_id(st, c->id));
	r = b_run(st, &d, "writing a connection");
	if (!r)
		r = b_run(st, b, "writing a connection");
	if (!r && sqlite3_changes(st->db) != 1)
		r = seterr(st, STORE_EIO, "connection %llu: row not written",
			   (unsigned long long)c->id);
	return r;
}

int store_conn_snapshot(struct store *st, const struct tc_conn *c)
{
	int r = check_import(st);
	if (r)
		return r;
	if (c->finished)
		return 0; /* its TC_EV_CLOSE writes (or wrote) the final row */
	return import_fail(st, put_conn(st, c));
}

int store_capture_iface(struct store *st, const struct store_iface *i)
{
	int r = check_import(st);
	if (r)
		return r;
	struct binder b;
	b_start(&b, st->stmt[S_PUT_IFACE]);
	b_int(&b, st->capture_id);
	b_int(&b, i->index);
	b_int(&b, i->section);
	b_text(&b, i->linktype);
	b_text(&b, i->name && i->name[0] ? i->name : NULL);
	b_text(&b, i->description && i->description[0] ? i->description
						       : NULL);
	b_text(&b, i->comment && i->comment[0] ? i->comment : NULL);
	return import_fail(st, b_run(st, &b, "writing an interface"));
}

int store_capture_note(struct store *st, uint32_t section, const char *kind,
		       const char *text)
{
	int r = check_import(st);
	if (r)
		return r;
	struct binder b;
	b_start(&b, st->stmt[S_PUT_NOTE]);
	b_int(&b, st->capture_id);
	b_int(&b, section);
	b_text(&b, kind);
	b_text(&b, text);
	return import_fail(st, b_run(st, &b, "writing a section note"));
}

int store_packet_comment(struct store *st, uint64_t pkt, const char *text,
			 size_t len)
{
	int r = check_import(st);
	if (r)
		return r;
	struct binder b;
	b_start(&b, st->stmt[S_PUT_PCOMMENT]);
	b_int(&b, st->capture_id);
	b_u64(&b, pkt);
	b_textstatic(&b, text, len);
	return import_fail(st, b_run(st, &b, "writing a packet comment"));
}

int store_capture_part(struct store *st, int part, const char *path,
		       int64_t size)
{
	int r = check_import(st);
	if (r)
		return r;
	struct binder b;
	b_start(&b, st->stmt[S_PUT_PART]);
	b_int(&b, st->capture_id);
	b_int(&b, part);
	b_text(&b, path);
	b_known(&b, size);
	return import_fail(st, b_run(st, &b, "writing a capture part"));
}

int store_conn_mark_evicted(struct store *st, uint64_t tc_id)
{
	int r = check_import(st);
	if (r)
		return r;
	struct binder b;
	b_start(&b, st->stmt[S_MARK_EVICTED]);
	b_int(&b, conn_id(st, tc_id));
	return import_fail(st, b_run(st, &b, "writing a connection"));
}

static int insert_label(struct store *st, const struct tc_event *ev)
{
	int64_t row = conn_id(st, ev->conn_id);
	struct binder b;
	if (ev->revised) {
		/* The earlier row of this packet with the old label no longer
		 * holds (events.superseded). */
		b_start(&b, st->stmt[S_SUPERSEDE]);
		b_int(&b, row);
		b_u64(&b, ev->pkt);
		b_int(&b, ev->old_label);
		int r = b_run(st, &b, "revising an event");
		if (r)
			return r;
		if ((unsigned)ev->old_label < TC_LB__COUNT)
			st->labels[ev->old_label] -= sqlite3_changes(st->db);
	}
	b_start(&b, st->stmt[S_INS_EVENT]);
	b_int(&b, row);
	b_int(&b, ev->ts_ns);
	b_u64(&b, ev->pkt);
	b_int(&b, ev->dir);
	b_int(&b, ev->label);
	/* Reason 0 is "none": stored as NULL. */
	if (ev->reason)
		b_int(&b, ev->reason);
	else
		b_null(&b);
	b_int(&b, ev->seq);
	b_int(&b, ev->ack);
	b_int(&b, ev->len);
	b_int(&b, ev->win);
	b_int(&b, ev->revised ? 1 : 0);
	if (ev->revised)
		b_int(&b, ev->old_label);
	else
		b_null(&b);
	int r = b_run(st, &b, "writing an event");
	if (!r && (unsigned)ev->label < TC_LB__COUNT)
		st->labels[ev->label]++;
	return r;
}

static int insert_cc(struct store *st, const struct tc_event *ev)
{
	struct binder b;
	b_start(&b, st->stmt[S_INS_CC]);
	b_int(&b, conn_id(st, ev->conn_id));
	b_int(&b, ev->tr.ts_ns);
	b_u64(&b, ev->tr.pkt);
	b_int(&b, ev->dir);
	b_text(&b, tc_cc_state_name(ev->tr.from));
	b_text(&b, tc_cc_state_name(ev->tr.to));
	b_int(&b, ev->tr.rule);
	b_text(&b, ev->tr.rule < tc_cc_nrules ? tc_cc_rules[ev->tr.rule].name
					       : NULL);
	if (ev->tr.from == TC_CC_RECOVERY || ev->tr.from == TC_CC_LOSS)
		b_u64(&b, ev->count);
	else
		b_null(&b);
	return b_run(st, &b, "writing a congestion-state transition");
}

/* Appends to buf (of size len, holding *pos chars) like snprintf. */
/* Writes one chunk of segments (segchunk_flush()). */
static int put_chunk(void *arg, const struct segchunk_out *o)
{
	struct store *st = arg;
	struct binder b;
	b_start(&b, st->stmt[S_INS_SEG]);
	b_int(&b, o->conn);
	b_u64(&b, o->first_pkt);
	b_u64(&b, o->last_pkt);
	b_int(&b, o->n);
	b_textstatic(&b, o->list, o->len);
	return b_run(st, &b, "writing segments");
}

/* Writes the segments gathered so far: before every commit. */
static int flush_segments(struct store *st)
{
	if (!st->chunks || !segchunk_pending(st->chunks))
		return 0;
	return segchunk_flush(st->chunks, put_chunk, st);
}

static int insert_segment(struct store *st, const struct tc_event *ev,
			  const struct tc_segment *seg)
{
	const struct tc_options *o = &seg->opt;
	char opts[512];
	struct segchunk_seg s = {
	    .ts_ns = seg->ts_ns,
	    .pkt = seg->pkt,
	    .dir = ev->dir,
	    .flags = seg->flags,
	    .seq = seg->seq,
	    .ack = seg->ack,
	    .len = seg->payload_len,
	    .caplen = seg->payload_caplen,
	    .win = seg->window,
	    .has_ts = (o->present & TC_OPT_TS) != 0,
	    .tsval = o->tsval,
	    .tsecr = o->tsecr,
	    .labels = ev->labels,
	};
	if (o->present & ~TC_OPT_TS) {
		dec_options_text(o, opts, sizeof opts);
		s.options = opts;
	}
	int64_t conn = conn_id(st, ev->conn_id);
	if (segchunk_add(st->chunks, conn, &s) == 0)
		return 0;
	int r = flush_segments(st);
	if (!r && segchunk_add(st->chunks, conn, &s) != 0)
		r = seterr(st, STORE_EIO, "segment too large to store");
	return r;
}

int store_event(struct store *st, const struct tc_event *ev,
		const struct tc_segment *seg)
{
	int r = check_import(st);
	if (r)
		return r;
	switch (ev->type) {
	case TC_EV_OPEN:
	case TC_EV_TRANSITION:
		/* The row is written at the close, with every transition. */
		(void)conn_id(st, ev->conn_id);
		break;
	case TC_EV_LABEL:
		if (!(st->flags & STORE_NO_EVENTS))
			r = insert_label(st, ev);
		break;
	case TC_EV_CC:
		r = insert_cc(st, ev);
		break;
	case TC_EV_SEGMENT:
		if (st->chunks && seg)
			r = insert_segment(st, ev, seg);
		break;
	case TC_EV_CLOSE:
		if (!ev->conn)
			r = seterr(st, STORE_EIO,
				   "close event without connection %llu",
				   (unsigned long long)ev->conn_id);
		else
			r = put_conn(st, ev->conn);
		break;
	default:
		r = seterr(st, STORE_EIO, "unknown event type %u",
			   (unsigned)ev->type);
		return r; /* a caller bug; the import may go on */
	}
	return import_fail(st, r);
}
