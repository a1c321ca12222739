/*
 * flowsel.h - choosing connections for the report commands: the flow
 * filters of `tcpscope flows` turned into an SQL WHERE clause with bound
 * parameters, the FLOW argument of `timeline` and `extract` (an id or an
 * address pair) looked up, and the database opened read-only (-d) or built
 * in memory from a capture (-r). Prefix: fsel_.
 *
 * Errors: functions returning int give 0 on success or an EX_ status of
 * status.h, with a one-line message (no trailing newline) in err.
 */
#ifndef FLOWSEL_H
#define FLOWSEL_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"

struct sqlite3;
struct sqlite3_stmt;
struct store;

/* ---- Opening the data --------------------------------------------------- */

/* Opens the database at path read-only (never creates it); path NULL means
 * store_default_path(). Returns 0 and *st, or EX_DB. */
int fsel_open_db(const char *path, struct store **st, char *err,
		 size_t errlen);

/* Opens a set of n databases (shards: of live --fanout, read --jobs, other
 * sensors) as one: with n > 1 a store in memory into which each is merged
 * in order as `tcpscope merge` would (store_merge(): global ids in that
 * order, a capture already there from an earlier shard skipped), so the
 * commands show them as one database. n <= 1 is fsel_open_db(). Returns 0
 * and *st, or EX_DB naming the shard that could not be read. */
int fsel_open_dbs(const char *const *paths, int n, struct store **st,
		  char *err, size_t errlen);

/* What fsel_open_capture() keeps beside the connections. */
#define FSEL_KEEP_SEGMENTS 0x1 /* every segment (the ladder) */
#define FSEL_KEEP_EVENTS 0x2   /* the label rows (events) */

/* Imports the capture files (nfiles >= 1) into a new in-memory store,
 * with what keep asks for (FSEL_KEEP_*), stopping after max_packets
 * packets (0: all), keeping only the packets that match the BPF
 * expression filter (NULL: all). Returns 0 and *st, EX_INPUT when
 * a capture cannot be read, or EX_DB. When a capture was damaged part way
 * (or a later file failed) after something was imported, it returns 0
 * with *st holding what came before, sets *partial to 1 and leaves the
 * problem in err; otherwise *partial is 0. */
int fsel_open_capture(char *const *files, int nfiles, int keep,
		      uint64_t max_packets, const char *filter,
		      struct store **st, int *partial, char *err,
		      size_t errlen);

/* Registers the SQL functions the filters use on db: in_net(ip, cidr)
 * returns 1 when text address ip is inside cidr ("10.0.0.0/8",
 * "2001:db8::/32"), 0 otherwise, NULL when either is NULL or malformed.
 * Returns 0 or EX_DB. */
int fsel_register(struct sqlite3 *db);

/* ---- Flow filters ------------------------------------------------------- */

#define FSEL_MAX_PARAMS 32

struct fsel_param {
	int is_text;
	int64_t i;
	char t[1024];
};

struct fsel {
	int complete_only;   /* only captures with complete = 1 (default 1) */
	int needs_events;    /* a condition reads the events (--label) */
	char where[2048];    /* "" or conditions joined with AND */
	size_t nparams;
	struct fsel_param params[FSEL_MAX_PARAMS];
};

/* An empty filter (matches every connection of a complete capture). */
void fsel_init(struct fsel *fs);

/* 1 when name (without the leading "--") is a filter option: host, port,
 * net, client, server, close, conn-state, state, handshake, label,
 * min-duration, min-bytes, capture, since, until. */
int fsel_is_filter(const char *name);

/* The long options (struct option of getopt.h) of the filters above, each
 * returning val, but capture (whose name a command may use otherwise). */
#define FSEL_FILTER_LONGOPTS(val) \
	{ "host", required_argument, NULL, val }, \
	{ "port", required_argument, NULL, val }, \
	{ "net", required_argument, NULL, val }, \
	{ "client", required_argument, NULL, val }, \
	{ "server", required_argument, NULL, val }, \
	{ "close", required_argument, NULL, val }, \
	{ "conn-state", required_argument, NULL, val }, \
	{ "state", required_argument, NULL, val }, \
	{ "handshake", required_argument, NULL, val }, \
	{ "label", required_argument, NULL, val }, \
	{ "min-duration", required_argument, NULL, val }, \
	{ "min-bytes", required_argument, NULL, val }, \
	{ "since", required_argument, NULL, val }, \
	{ "until", required_argument, NULL, val }

/* Adds the condition of filter option name with its argument. Several
 * filters combine with AND. Returns 0, or EX_USAGE when arg is malformed. */
int fsel_add(struct fsel *fs, const char *name, const char *arg, char *err,
	     size_t errlen);

/* Binds the filter's parameters to stmt, numbered from first (1-based).
 * Returns 0 or EX_DB. */
int fsel_bind(const struct fsel *fs, struct sqlite3_stmt *stmt, int first);

/* The FROM and WHERE part selecting connections `c` joined to their
 * capture `k`, written into buf (with a leading space). Returns 0, or -1
 * when buf is too small. */
int fsel_from_where(const struct fsel *fs, char *buf, size_t len);

/* ---- Many flows --------------------------------------------------------- */

/* The ORDER BY of a --sort key: id, start, duration, bytes or retrans
 * (FSEL_RETX_SQL); NULL for another name. */
const char *fsel_sort_sql(const char *key);

/* Prepares the listing of the connections fs selects, ordered by order
 * (fsel_sort_sql()): every column of connections `c`, then capture_path
 * (its capture's path). The caller steps and finalizes *q. 0, EX_USAGE (the
 * filters do not fit) or EX_DB, with err. */
int fsel_list(struct sqlite3 *db, const struct fsel *fs, const char *order,
	      struct sqlite3_stmt **q, char *err, size_t errlen);

/* The ids of the connections fs selects, ascending: 0 with *ids (malloc'd,
 * the caller frees) and *n; EX_NOTFOUND when there is none, EX_USAGE,
 * EX_DB or EX_FAIL (memory) with err. */
int fsel_ids(struct sqlite3 *db, const struct fsel *fs, int64_t **ids,
	     size_t *n, char *err, size_t errlen);

/* A connection's transitions as the view transitions gives them: ts_ns,
 * pkt, side, from_state, to_state, rule, rule_name, in order; conn_id is
 * bound at ?1. The caller finalizes *q. SQLITE_OK or an SQLite error. */
int fsel_transitions(struct sqlite3 *db, struct sqlite3_stmt **q);

/* The (id, name) rows of the state and rule numbers that
 * connections.transition_list holds, ascending by id. */
#define FSEL_STATE_NAMES_SQL "SELECT id, name FROM state_names ORDER BY id"
#define FSEL_RULE_NAMES_SQL "SELECT id, name FROM rule_names ORDER BY id"

/* ---- The TUI's rows ------------------------------------------------------ */

/* The columns of fsel_summary_list() and fsel_summary_one(): a
 * connection as the TUI lists it. */
enum fsel_sum_col {
	FSEL_SUM_ID,
	FSEL_SUM_CLIENT_IP,
	FSEL_SUM_CLIENT_PORT,
	FSEL_SUM_SERVER_IP,
	FSEL_SUM_SERVER_PORT,
	FSEL_SUM_CLOSE,
	FSEL_SUM_CONN_STATE,
	FSEL_SUM_CLIENT_STATE,  /* final states */
	FSEL_SUM_SERVER_STATE,
	FSEL_SUM_PACKETS,       /* both directions (NULL counts 0) */
	FSEL_SUM_BYTES,         /* payload bytes, both directions */
	FSEL_SUM_RETX,          /* FSEL_RETX_SQL: the JSON's all_retransmissions,
				 * both directions */
	FSEL_SUM_FIRST_TS,
	FSEL_SUM_LAST_TS,
	FSEL_SUM_LIMITED,       /* the verdict (limited_by) of the direction
				 * that carried more payload */
	FSEL_SUM_NCOLS
};

/* fsel_summary_list()'s column after those of enum fsel_sum_col: a mask
 * of the labels (bit 1 << TC_LB_*, those below 63) the connection's count
 * columns count at least once. */
#define FSEL_SUM_LABELS FSEL_SUM_NCOLS

/* fsel_summary_one()'s columns after those of enum fsel_sum_col. */
enum fsel_one_col {
	FSEL_ONE_HANDSHAKE = FSEL_SUM_NCOLS,
	FSEL_ONE_HISTORY,
	FSEL_ONE_VLAN,
	FSEL_ONE_CLIENT_STATES,     /* each side's path, as stored */
	FSEL_ONE_SERVER_STATES,
	FSEL_ONE_RTT_HANDSHAKE,     /* ns, NULL unknown */
	FSEL_ONE_RTT_MIN,
	FSEL_ONE_RTT_AVG,
	FSEL_ONE_RTT_MAX,
	FSEL_ONE_MIDSTREAM,
	FSEL_ONE_C2S_WSCALE,        /* NULL: none */
	FSEL_ONE_S2C_WSCALE,
	FSEL_ONE_VANTAGE,
	FSEL_ONE_CLIENT_STATES_ALT, /* as stored (ladder_alt()), NULL: certain */
	FSEL_ONE_SERVER_STATES_ALT
};

/* Prepares the rows of every connection of the captures shown
 * (STORE_CAPTURE_SHOWN), by id: the columns of enum fsel_sum_col, then
 * FSEL_SUM_LABELS. The caller steps and finalizes *q. SQLITE_OK, or an
 * SQLite error code (SQLITE_NOMEM out of memory). */
int fsel_summary_list(struct sqlite3 *db, struct sqlite3_stmt **q);

/* Prepares the row of connection id (none when there is no such
 * connection): the columns of enum fsel_sum_col, then those of enum
 * fsel_one_col. The caller steps and finalizes *q. SQLITE_OK, or an
 * SQLite error code. */
int fsel_summary_one(struct sqlite3 *db, int64_t id,
		     struct sqlite3_stmt **q);

/* ---- One flow ----------------------------------------------------------- */

/* Finds the connection named by args (nargs 1 or 2): an id ("42"), a uid
 * (connections.uid, "C..."), or a pair "CLIENT SERVER" as one or two arguments,
 * each "ip:port" with IPv6 as "[addr]:port"; the pair matches either way
 * round. Returns 0 and *id,
 * EX_NOTFOUND when nothing matches, EX_USAGE when the argument is
 * malformed or the pair matches several connections (their ids are then
 * listed in err). */
int fsel_find_flow(struct sqlite3 *db, int nargs, char *const *args,
		   int64_t *id, char *err, size_t errlen);

/* ---- Small helpers ------------------------------------------------------ */

/* SQL condition: event row `e` still holds, i.e. no later row of the same
 * packet revised its label into another (events.superseded, kept by the
 * store when it writes the revision). */
#define FSEL_EVENT_LIVE(e) "(" e ".superseded = 0)"

/* SQL expression: the retransmissions of connection `c`, as every view
 * counts them (store.h, STORE_RETX_SQL). */
#define FSEL_RETX_SQL STORE_RETX_SQL("c.")

/* Splits "ip", "ip:port", "[v6]" or "[v6]:port" into a normalised address
 * text (as the store writes it) and a port (-1 when absent). Returns 0 or
 * -1 when malformed. */
int fsel_parse_endpoint(const char *s, char *ip, size_t iplen, int *port);

/* How many of the n words name FLOW on a command line: 2 when the first
 * two are both endpoints with a port (CLIENT-IP:PORT SERVER-IP:PORT),
 * else 1. The words after it are a BPF filter, with -r. */
int fsel_flow_words(char *const *words, int n);

/* Index of the result column called name in stmt, or -1. */
int fsel_col(struct sqlite3_stmt *stmt, const char *name);

#endif /* FLOWSEL_H */
