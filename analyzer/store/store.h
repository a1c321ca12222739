/*
 * store.h - tcpscope's SQLite store: captures, connections, transitions,
 * events and (optionally) segments. The schema is documented in
 * tcpscope-db(5) and versioned with PRAGMA user_version.
 *
 * Errors: every function that can fail returns 0 on success or a negative
 * STORE_E* value, and writes a one-line message into the store (see
 * store_errmsg()). Nothing committed earlier is lost on failure.
 *
 * Locks: every connection waits up to 10 s for a lock held by another
 * process ($TCPSCOPE_BUSY_TIMEOUT milliseconds overrides), then fails with
 * STORE_EIO ("database is locked"). The file is in WAL mode: readers see
 * what is committed and never wait for a writer.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../../tcpcore/tcpcore.h"

struct sqlite3;
struct store;

#define STORE_EOPEN (-1)    /* cannot open or create the database */
#define STORE_EVERSION (-2) /* schema version newer than this tool */
#define STORE_EIO (-3)      /* disk full, read-only, locked, corrupt... */
#define STORE_EDUP (-4)     /* capture already imported (same hash) */
#define STORE_ECORRUPT (-5) /* not a tcpscope database */

#define STORE_RDONLY 0x1    /* open read-only (query, flows, tui) */
#define STORE_CREATE 0x2    /* create the file and schema when missing */
#define STORE_MEMORY 0x4    /* a private database that disappears when
			     * closed; path ignored. SQLite keeps it in
			     * memory up to its page cache and spills the
			     * rest to a temporary file, so it costs no more
			     * memory than a file. It has no rollback
			     * journal: after a failed write rolls back, it
			     * takes no further capture */
#define STORE_SEGMENTS 0x8  /* also store every segment */
#define STORE_NO_EVENTS 0x10 /* no label rows (label_events, capture_labels):
			      * for an in-memory store whose reader only
			      * wants the connections (flows -r) */
#define STORE_ASIDE 0x20    /* with STORE_CREATE, for a file import: a
			     * database that does not exist yet is built
			     * under a temporary name beside it
			     * (".NAME.tcpscope-PID", no journal, no syncs:
			     * nothing is stored there yet that a crash could
			     * lose) and renamed into place, synced, once its
			     * first capture is complete (or, when another
			     * import created that database meanwhile, its
			     * capture is copied into it); from then on it is
			     * an ordinary database (WAL). An import that
			     * fails before leaves no file behind. */

/* Which captures the reports, `flows` and the TUI show: imports that
 * completed, and live captures (also while they run); an interrupted
 * import is left out until it is replaced. The good_connections view of
 * the schema says the same. An SQL condition on table captures, its
 * columns prefixed with p (a string literal: "" or "k."). */
#define STORE_CAPTURE_SHOWN(p) "(" p "complete = 1 OR " p "live = 1)"

/* SQL expression: the retransmissions of a connection (its row's columns
 * prefixed with p, e.g. "c."), the one definition every view uses: each
 * data segment sent again, whatever the kind (plain, fast, spurious: the
 * three data-retransmission labels are exclusive), both directions; the
 * sum of the flow JSON's two all_retransmissions. A SYN, SYN-ACK or FIN
 * sent again counts in its own columns, not here. */
#define STORE_RETX_SQL(p)                                                     \
	"(coalesce(" p "c2s_retransmissions, 0) + coalesce("                 \
	p "s2c_retransmissions, 0) + coalesce(" p "c2s_fast_retransmissions," \
	" 0) + coalesce(" p "s2c_fast_retransmissions, 0) + coalesce("       \
	p "c2s_spurious_retransmissions, 0) + coalesce("                     \
	p "s2c_spurious_retransmissions, 0))"

/* The per-direction count columns of the connections table that count a
 * label (c2s_ and s2c_ then the name), with the label: X(column, label);
 * _V1 the columns schema version 1 had, _V2 those version 2 added. (A
 * SYN retransmission column counts synack-retransmission too.) */
#define STORE_LABEL_COLS_V1(X) \
	X("retransmissions", TC_LB_RETRANSMISSION) \
	X("syn_retransmissions", TC_LB_SYN_RETRANSMISSION) \
	X("fin_retransmissions", TC_LB_FIN_RETRANSMISSION) \
	X("fast_retransmissions", TC_LB_FAST_RETRANSMISSION) \
	X("spurious_retransmissions", TC_LB_SPURIOUS_RETRANSMISSION) \
	X("out_of_order", TC_LB_OUT_OF_ORDER) \
	X("lost_segments", TC_LB_PREV_NOT_CAPTURED) \
	X("acked_unseen", TC_LB_ACKED_UNSEEN) \
	X("dup_acks", TC_LB_DUP_ACK) \
	X("zero_windows", TC_LB_ZERO_WINDOW) \
	X("zero_window_probes", TC_LB_ZERO_WINDOW_PROBE) \
	X("window_full", TC_LB_WINDOW_FULL) \
	X("window_updates", TC_LB_WINDOW_UPDATE) \
	X("keepalives", TC_LB_KEEPALIVE) \
	X("sack_segments", TC_LB_SACK) \
	X("dsack_segments", TC_LB_DSACK)
#define STORE_LABEL_COLS_V2(X) \
	X("zero_window_probe_acks", TC_LB_ZERO_WINDOW_PROBE_ACK) \
	X("keepalive_acks", TC_LB_KEEPALIVE_ACK) \
	X("capture_duplicates", TC_LB_CAPTURE_DUPLICATE) \
	X("oversized_segments", TC_LB_OVERSIZED_SEGMENT) \
	X("bad_checksums", TC_LB_BAD_CHECKSUM) \
	X("rst_out_of_window", TC_LB_RST_OUT_OF_WINDOW) \
	X("rst_in_window_not_exact", TC_LB_RST_CHALLENGE) \
	X("data_after_fin", TC_LB_DATA_AFTER_FIN) \
	X("data_after_rst", TC_LB_DATA_AFTER_RST) \
	X("segments_after_close", TC_LB_SEGMENT_AFTER_CLOSE) \
	X("data_on_syn", TC_LB_DATA_ON_SYN) \
	X("bad_flags", TC_LB_BAD_FLAGS) \
	X("wscale_too_big", TC_LB_WSCALE_TOO_BIG) \
	X("wscale_unknown", TC_LB_WSCALE_UNKNOWN) \
	X("time_went_back", TC_LB_TIME_WENT_BACK)

/* Where the default database is: $TCPSCOPE_DB or "tcpscope.db". */
const char *store_default_path(void);

/* Opens (and with STORE_CREATE creates or migrates) a database. path NULL
 * means store_default_path(). On success *out is a store the caller frees
 * with store_close(). On failure *out is NULL and err (if not NULL) holds a
 * one-line message "PATH: what: why"; the result is STORE_EOPEN (cannot
 * open or create the file), STORE_EVERSION (a newer schema; or, read-only,
 * an older one), STORE_ECORRUPT (not an SQLite file, or one without the
 * tcpscope schema, or empty when opened read-only) or STORE_EIO (locked,
 * read-only when writing was asked, I/O error). A refused file is left
 * unchanged. With STORE_RDONLY the connection is read-only twice over
 * (SQLITE_OPEN_READONLY and PRAGMA query_only). */
int store_open(const char *path, int flags, struct store **out, char *err,
	       size_t errlen);
void store_close(struct store *st);

/* For tests of the upgrade path: creates the database at path (or takes
 * an existing one of an older version) and brings it to schema version
 * `version` (1 up to the current one) exactly as that version of tcpscope
 * did, by running the migration steps up to it and stopping there; then
 * closes it. Returns 0 or a store code as store_open() does, with the
 * message in err; STORE_EVERSION for an unknown version or a file already
 * newer than it. */
int store_create_version(const char *path, int version, char *err,
			 size_t errlen);

/* 1 when the store was opened with STORE_SEGMENTS. */
int store_keeps_segments(const struct store *st);

/* 0 when the store was opened with STORE_NO_EVENTS. */
int store_keeps_events(const struct store *st);

/* After an import refused as a duplicate (STORE_EDUP): the capture it
 * duplicates; 0 otherwise. */
int64_t store_dup_of(const struct store *st);

/* 1 when capture id has segment rows (was imported with --segments), 0
 * when not, a negative STORE_E* code on a database error. */
int store_capture_has_segments(struct store *st, int64_t id);

/* The last error message; "" when none. Owned by the store. */
const char *store_errmsg(const struct store *st);

/* The underlying handle, for read queries by the reports and the TUI. */
struct sqlite3 *store_db(struct store *st);

/* What is known about a capture when its import starts. */
struct store_capture {
	const char *path;      /* as given; "-" for stdin, iface for live */
	int64_t size;          /* bytes; -1 unknown */
	const char *sha256;    /* hex; NULL for stdin/live */
	const char *linktypes; /* e.g. "EN10MB,LINUX_SLL2" */
	int snaplen;
	int live;
	const char *sensor;    /* read/live --sensor, or NULL: none (uid.h) */
};

/* Begins importing a capture, in one long transaction. Returns STORE_EDUP
 * if a complete capture with the same hash exists and replace is 0; with
 * replace the old capture goes in the same transaction. An incomplete
 * earlier import of the same hash is always replaced. *capture_id gets the
 * new row id. cap->sha256 may be NULL while the hash is computed during
 * the import: store_capture_end() then takes it. The import reserves the
 * connection ids conn_base + 1, + 2, ... (conn_base is the highest id any
 * capture used or reserved): the connection with tracker id N is row
 * conn_base + N, so a connection's row is written once, at its close. */
int store_capture_begin(struct store *st, const struct store_capture *cap,
			int replace, int64_t *capture_id);

/* Names the capture being imported by its first packet (time and captured
 * bytes): with its sensor, the key of its connections' uids (uid.h). Call
 * it before the tracker sees that packet; without it the key is the
 * sensor's alone. 0, or the import's sticky error. */
int store_capture_first_packet(struct store *st, int64_t ts_ns,
			       const uint8_t *data, size_t len);

/* Records one tracker event of the capture being imported. Events must come
 * in the order the tracker produced them. seg is the segment just fed (for
 * TC_EV_SEGMENT rows with STORE_SEGMENTS), or NULL. TC_EV_LABEL writes a
 * label row, TC_EV_CLOSE the connection's row with all its figures and
 * transitions (ev->conn must be set); TC_EV_OPEN and TC_EV_TRANSITION
 * write nothing.
 * After any failure the import is over: SQLite may have rolled back what
 * was not yet committed, and store_event(), store_checkpoint() and
 * store_capture_end() return the same error until the next
 * store_capture_begin(). */
int store_event(struct store *st, const struct tc_event *ev,
		const struct tc_segment *seg);

/* Writes the figures an open connection has so far (states, state paths,
 * counters, history, conn_state, RTTs, last_ts) as its row, replacing an
 * earlier snapshot; close stays "open". For live capture: readers see progress at the next
 * store_checkpoint(). A finished connection (c->finished) is left to its
 * TC_EV_CLOSE and 0 returned. c is only read during the call. Fails like
 * store_event(), which also ends the import. */
int store_conn_snapshot(struct store *st, const struct tc_conn *c);

/* 1 when a complete capture of this size (bytes) is stored: the import
 * then hashes the file before reading it, to refuse a duplicate early. */
int store_capture_size_known(struct store *st, int64_t size);

/* What a pcapng capture says of itself, during its import (tcpscope-db(5):
 * capture_interfaces, capture_notes, packet_comments). Strings are stored
 * as given (raw: escape them before printing); "" and NULL are NULL. Fail
 * like store_event(). */
struct store_iface {
	uint32_t index, section;
	const char *linktype; /* libpcap's name, "EN10MB" */
	const char *name, *description, *comment;
};
int store_capture_iface(struct store *st, const struct store_iface *i);
int store_capture_note(struct store *st, uint32_t section, const char *kind,
		       const char *text);
int store_packet_comment(struct store *st, uint64_t pkt, const char *text,
			 size_t len);

/* Part part (from 1) of a capture read as a series (capture_parts), its
 * path as given and its size (-1 unknown); during the import. */
int store_capture_part(struct store *st, int part, const char *path,
		       int64_t size);

/* Removes a database's files (path, path-wal, path-shm), closed by every
 * store: for a new database that ended up with nothing in it. */
void store_remove_files(const char *path);

/* Copies every complete (or live) capture of the database at shard, with
 * all its rows, into st (open for writing, no import in progress): each
 * gets the next capture id and a fresh range of connection ids, in one
 * transaction for the whole shard (all or nothing). A capture whose
 * SHA-256 st already has is skipped (counted), or with replace copied and
 * the old one removed. The shard must have this schema version
 * (STORE_EVERSION otherwise, with the way to upgrade it); it is only
 * read. Returns 0 or a STORE_E* code (store_errmsg()). */
struct store_merge_result {
	uint64_t copied, skipped;
	int64_t last_id;   /* id in st of the last capture copied, or 0 */
	int64_t skipped_as; /* id in st of the last capture skipped, or 0 */
};
int store_merge(struct store *st, const char *shard, int replace,
		struct store_merge_result *res);

/* Sets evicted = 1 in the row of tracker connection tc_id, written before
 * (its final figures unchanged since). Fails like store_event(). */
int store_conn_mark_evicted(struct store *st, uint64_t tc_id);

/* Final figures of the capture, as `tcpscope read` prints them. */
struct store_capture_stats {
	uint64_t packets, tcp_segments, non_tcp, fragments, malformed;
	uint64_t kernel_drops;
	int64_t first_ts, last_ts; /* ns; 0 when no packet */
	const char *reasons;       /* "name=count,name=count" */
	const char *error;         /* NULL, or why the read stopped early */
	const char *sha256;        /* hex, when hashed while reading (the
				    * capture began without it); NULL */
	const char *path;          /* for messages; NULL */
	uint64_t evicted;          /* connections the tracker finished early
				    * to stay within its limits */
	const char *file_id;       /* "dev:inode:size:mtime:ctime" of the
				    * file read, when hashed; NULL */
	const char *seek_index;    /* "[[record, offset],...]"; NULL */
};

/* Commits rows written so far without ending the import (live capture and
 * large files call this now and then, so readers see progress). */
int store_checkpoint(struct store *st);

/* Ends the import: writes the statistics, marks it complete, commits.
 * With s->sha256 (a hash computed while reading), a complete capture
 * with the same hash makes it STORE_EDUP unless the import began with
 * replace: what this import stored is then removed. */
int store_capture_end(struct store *st, const struct store_capture_stats *s);

/* Abandons the import in progress, if any: rolls back what was not yet
 * committed; rows committed by store_checkpoint() stay, in a capture with
 * complete=0 that readers ignore and the next import of the same file
 * replaces. store_capture_begin() does this itself when an import is still
 * in progress, so an import that failed does not block the next one.
 * Cannot fail. */
void store_capture_abort(struct store *st);

#endif /* STORE_H */
