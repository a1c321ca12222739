/*
 * cmd_flows.c - `tcpscope flows`: list connections, filtered and sorted,
 * as an aligned table, CSV, JSON Lines or a Zeek conn.log.
 *
 * The data comes from the database (-d, opened read-only) or, with -r, from
 * captures imported into an in-memory store that disappears on exit. The
 * filters become one SQL query (flowsel.c); each row is then written by
 * the writer of the chosen format. Columns are found by name once per
 * query (struct cols), so columns the store adds later do not move ours.
 *
 * Everything that can go wrong with the arguments is checked before the
 * first byte reaches stdout, so a usage error leaves stdout empty.
 */
#include <ctype.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cmd.h"
#include "../capture/capture.h"
#include "../query/flowsel.h"
#include "../query/ladder.h"
#include "../store/numtext.h"
#include "../output/out.h"
#include "../store/store.h"

static const char flows_usage[] =
	"usage: tcpscope flows [-n] [-d DB | -r FILE... [-c COUNT] [EXPR]] [filters] [--sort KEY]\n"
	"                      [--format table|csv|json|zeek]\n"
	"\n"
	"List the connections of the database (complete captures only), or of\n"
	"captures analyzed in memory with -r.\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db);\n"
	"                       several -d: a set of shards, read as one\n"
	"  -r, --read FILE      analyze FILE in memory instead (repeatable); EXPR,\n"
	"                       a BPF filter (tcpdump syntax), picks its packets\n"
	"  -c COUNT             with -r: read only the first COUNT packets\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -s, --sort KEY       id, start, duration, bytes or retrans (default id)\n"
	"  -f, --format FMT     table (default), csv, json (JSON Lines) or zeek\n"
	"  -h, --help           show this help\n"
	"\n"
	"filters (all must match):\n"
	"  --host IP            either endpoint is IP\n"
	"  --port N             either port is N\n"
	"  --net CIDR           either endpoint is in CIDR (IPv4 or IPv6)\n"
	"  --client IP[:PORT]   the client (the side that sent the SYN)\n"
	"  --server IP[:PORT]   the server; IPv6 with a port as [addr]:port\n"
	"  --close KIND         open, fin, reset, refused, unanswered, timeout\n"
	"  --conn-state S       Zeek's conn_state: S0 S1 SF REJ RSTO ... OTH\n"
	"  --state STATE        final state of either side, e.g. TIME-WAIT\n"
	"  --handshake H        none, 3way, simultaneous-open, tfo, refused, syn-only\n"
	"  --label LABEL        has a segment labelled LABEL, e.g. retransmission\n"
	"  --min-duration SEC   lasted at least SEC seconds\n"
	"  --min-bytes N        carried at least N payload bytes (both ways)\n"
	"  --capture ID|PATH    from that capture\n"
	"  --since TIME         still active at or after TIME\n"
	"  --until TIME         begun at or before TIME\n"
	"TIME is epoch seconds or ISO 8601 (UTC unless an offset is given).\n";

/* ---- Columns by name ---------------------------------------------------- */

#define FLOW_COLS(X)                                                          \
	X(id) X(capture_id) X(capture_path) X(tc_id)       \
	X(transition_list)                                                    \
	X(vlan) X(tunnel) X(client_ip)                                        \
	X(client_port) X(server_ip) X(server_port) X(first_ts) X(last_ts)     \
	X(first_pkt) X(last_pkt) X(client_state) X(server_state)              \
	X(client_states) X(server_states) X(client_states_alt)                \
	X(server_states_alt) X(uid) X(close) X(handshake) X(midstream)  \
	X(data_on_syn) X(evicted) X(conn_state) X(history)                    \
	X(rtt_handshake_ns) X(rtt_min_ns) X(rtt_avg_ns) X(rtt_max_ns)         \
	X(rtt_to_server_ns) X(rtt_to_client_ns) X(rtt_stddev_ns) X(rtt_samples) \
	X(vantage)

#define DIR_COLS(X)                                                           \
	X(packets) X(payload_bytes) X(retransmissions) X(syn_retransmissions) \
	X(fin_retransmissions) X(fast_retransmissions)                        \
	X(spurious_retransmissions) X(out_of_order) X(lost_segments)          \
	X(acked_unseen) X(dup_acks) X(zero_windows) X(zero_window_probes)     \
	X(window_full) X(window_updates) X(keepalives) X(sack_segments)       \
	X(dsack_segments) X(zero_window_probe_acks) X(keepalive_acks)         \
	X(capture_duplicates) X(oversized_segments) X(bad_checksums)          \
	X(rst_out_of_window) X(rst_in_window_not_exact) X(data_after_fin)     \
	X(data_after_rst) X(segments_after_close) X(data_on_syn) X(bad_flags) \
	X(wscale_too_big) X(wscale_unknown) X(time_went_back)                 \
	X(mss) X(wscale) X(ip_bytes) X(acked_unseen_bytes)                    \
	X(wire_bytes) X(win_min) X(win_max) X(max_inflight) X(max_idle_ns)    \
	X(busy_ns) X(rwnd_limited_ns) X(zero_window_ns)                       \
	X(cwnd_limited_ns) X(recovery_ns) X(rto_stall_ns) X(limited_by)       \
	X(limited_pkt) X(limited_evidence_ns) X(cc_states) X(cwnd_max)        \
	X(ssthresh) X(rto_ns) X(rto_timeouts) X(rto_episodes)                 \
	X(rto_backoff_max) X(fast_recoveries) X(fast_recovery_bytes)

enum {
#define FC_X(n) FC_##n,
	FLOW_COLS(FC_X)
#undef FC_X
	FC__COUNT
};
enum {
#define DC_X(n) DC_##n,
	DIR_COLS(DC_X)
#undef DC_X
	DC__COUNT
};
static const char *const fc_names[] = {
#define FC_X(n) #n,
	FLOW_COLS(FC_X)
#undef FC_X
};
static const char *const dc_names[] = {
#define DC_X(n) #n,
	DIR_COLS(DC_X)
#undef DC_X
};

struct cols {
	sqlite3_stmt *st;
	int f[FC__COUNT];
	int d[2][DC__COUNT];
};

static void cols_resolve(struct cols *c, sqlite3_stmt *st)
{
	c->st = st;
	for (int i = 0; i < FC__COUNT; i++)
		c->f[i] = fsel_col(st, fc_names[i]);
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < DC__COUNT; i++) {
			char name[64];
			snprintf(name, sizeof name, "%s_%s", s ? "s2c" : "c2s",
				 dc_names[i]);
			c->d[s][i] = fsel_col(st, name);
		}
}

static int isnull_at(const struct cols *c, int idx)
{
	return idx < 0 || sqlite3_column_type(c->st, idx) == SQLITE_NULL;
}
static int64_t int_at(const struct cols *c, int idx)
{
	return idx < 0 ? 0 : sqlite3_column_int64(c->st, idx);
}
static const char *text_at(const struct cols *c, int idx)
{
	if (isnull_at(c, idx))
		return NULL;
	return (const char *)sqlite3_column_text(c->st, idx);
}
#define FNULL(c, n) isnull_at(c, (c)->f[FC_##n])
#define FI(c, n) int_at(c, (c)->f[FC_##n])
#define FT(c, n) text_at(c, (c)->f[FC_##n])
#define DI(c, s, n) int_at(c, (c)->d[s][DC_##n])
#define DNULL(c, s, n) isnull_at(c, (c)->d[s][DC_##n])

static const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* The connection's uid as stored (uid.h's shape: 'C' and 17 letters or
 * digits); "-" for anything else a database may hold. */
static void flow_uid(char out[20], const struct cols *c)
{
	const char *u = FT(c, uid);
	size_t n = 0;
	while (u && n < 19 && isalnum((unsigned char)u[n]))
		n++;
	if (!u || u[0] != 'C' || n != 18 || u[18]) {
		strcpy(out, "-");
		return;
	}
	memcpy(out, u, 19);
}

/* ---- Table -------------------------------------------------------------- */

static const char *const table_heads[] = {
	"ID", "CAP", "START (UTC)", "DURATION", "CLIENT", "SERVER", "CLIENT-STATE",
	"SERVER-STATE", "CLOSE", "CONN", "BYTES>", "<BYTES", "RETX", "HISTORY",
};
#define TABLE_NCOLS (sizeof table_heads / sizeof table_heads[0])

static int table_row(struct out_table *t, const struct cols *c)
{
	char id[24], cap[24], start[40], dur[24], cl[80], sv[80], b0[24], b1[24],
	    rx[24];
	snprintf(id, sizeof id, "%lld", (long long)FI(c, id));
	snprintf(cap, sizeof cap, "%lld", (long long)FI(c, capture_id));
	out_ts_utc(start, sizeof start, FI(c, first_ts));
	out_dur(dur, sizeof dur, out_tdiff(FI(c, last_ts), FI(c, first_ts)));
	out_endpoint(cl, sizeof cl, FT(c, client_ip), FI(c, client_port));
	out_endpoint(sv, sizeof sv, FT(c, server_ip), FI(c, server_port));
	snprintf(b0, sizeof b0, "%lld", (long long)DI(c, 0, payload_bytes));
	snprintf(b1, sizeof b1, "%lld", (long long)DI(c, 1, payload_bytes));
	/* STORE_RETX_SQL's definition, as the JSON's all_retransmissions. */
	int64_t retx = 0;
	for (int s = 0; s < 2; s++)
		retx += DI(c, s, retransmissions) + DI(c, s, fast_retransmissions) +
			DI(c, s, spurious_retransmissions);
	snprintf(rx, sizeof rx, "%lld", (long long)retx);
	const char *close = FT(c, close);
	const char *cells[TABLE_NCOLS] = {
		id, cap, start, dur, cl, sv, FT(c, client_state), FT(c, server_state),
		close, FT(c, conn_state), b0, b1, rx, FT(c, history),
	};
	enum out_role role = OUT_PLAIN;
	if (close && (strcmp(close, "reset") == 0 || strcmp(close, "refused") == 0 ||
		      strcmp(close, "unanswered") == 0))
		role = OUT_BAD;
	else if (retx > 0)
		role = OUT_WARN;
	return out_table_add(t, cells, role);
}

/* ---- CSV ---------------------------------------------------------------- */

static void csv_head(FILE *f)
{
	fputs("id,capture,vlan,client_ip,client_port,server_ip,server_port,"
	      "first_ts,last_ts,duration,client_state,server_state,close,"
	      "handshake,midstream,data_on_syn,conn_state,history,"
	      "rtt_handshake_ms,c2s_packets,c2s_payload_bytes,"
	      "c2s_retransmissions,c2s_zero_windows,s2c_packets,"
	      "s2c_payload_bytes,s2c_retransmissions,s2c_zero_windows,uid,tunnel\n",
	      f);
}

static void csv_ms(FILE *f, const struct cols *c, int idx)
{
	if (!isnull_at(c, idx) && int_at(c, idx) >= 0)
		fprintf(f, "%.3f", (double)int_at(c, idx) / 1e6);
}

static void csv_row(FILE *f, const struct cols *c)
{
	char b[40];
	fprintf(f, "%lld,%lld,", (long long)FI(c, id), (long long)FI(c, capture_id));
	out_csv_field(f, FT(c, vlan));
	putc_unlocked(',', f);
	out_csv_field(f, FT(c, client_ip));
	fprintf(f, ",%lld,", (long long)FI(c, client_port));
	out_csv_field(f, FT(c, server_ip));
	fprintf(f, ",%lld,", (long long)FI(c, server_port));
	fprintf(f, "%s,", out_ts_sec9(b, sizeof b, FI(c, first_ts)));
	fprintf(f, "%s,", out_ts_sec9(b, sizeof b, FI(c, last_ts)));
	fprintf(f, "%s,", out_ts_sec9(b, sizeof b, out_tdiff(FI(c, last_ts), FI(c, first_ts))));
	const char *texts[] = { FT(c, client_state), FT(c, server_state),
				FT(c, close), FT(c, handshake) };
	for (size_t i = 0; i < 4; i++) {
		out_csv_field(f, texts[i]);
		putc_unlocked(',', f);
	}
	fprintf(f, "%s,%s,", FI(c, midstream) ? "true" : "false",
		FI(c, data_on_syn) ? "true" : "false");
	out_csv_field(f, FT(c, conn_state));
	putc_unlocked(',', f);
	out_csv_field(f, FT(c, history));
	putc_unlocked(',', f);
	csv_ms(f, c, c->f[FC_rtt_handshake_ns]);
	for (int s = 0; s < 2; s++)
		fprintf(f, ",%lld,%lld,%lld,%lld", (long long)DI(c, s, packets),
			(long long)DI(c, s, payload_bytes),
			(long long)DI(c, s, retransmissions),
			(long long)DI(c, s, zero_windows));
	char uid[20];
	flow_uid(uid, c);
	fprintf(f, ",%s,", uid);
	out_csv_field(f, FT(c, tunnel));
	putc_unlocked('\n', f);
}

/* ---- JSON Lines --------------------------------------------------------- */

static void json_int_or_null(struct out_buf *o, const struct cols *c, int idx,
			     int null_below)
{
	if (isnull_at(c, idx) || int_at(c, idx) < null_below)
		out_buf_s(o, "null");
	else
		out_buf_i64(o, int_at(c, idx));
}

static void json_ms(struct out_buf *o, const struct cols *c, int idx)
{
	if (isnull_at(c, idx) || int_at(c, idx) < 0)
		out_buf_s(o, "null");
	else
		out_buf_ms3(o, int_at(c, idx));
}

/* The space-separated state path of the first len bytes of s as a JSON
 * array. */
static void json_path_n(struct out_buf *o, const char *s, size_t len)
{
	const char *end = s + len;
	out_buf_c(o, '[');
	int first = 1;
	while (s < end) {
		while (s < end && *s == ' ')
			s++;
		if (s == end)
			break;
		size_t n = 0;
		while (s + n < end && s[n] != ' ')
			n++;
		if (!first)
			out_buf_c(o, ',');
		out_buf_json_mem(o, s, n);
		first = 0;
		s += n;
	}
	out_buf_c(o, ']');
}

/* A space-separated state path as a JSON array; null when NULL. */
static void json_path(struct out_buf *o, const char *s)
{
	if (!s)
		out_buf_s(o, "null");
	else
		json_path_n(o, s, strlen(s));
}

/* A JSON array of alternative paths as the store writes them
 * (client_states_alt: ["A B C", ...], each path as client_states), as an
 * array of arrays; [] for NULL (a certain path, or a row of a database
 * older than version 9). */
static void json_alt_paths(struct out_buf *o, const char *s)
{
	out_buf_c(o, '[');
	char path[512];
	for (int k = 0; s && ladder_alt(s, k, path, sizeof path) == 0; k++) {
		if (k)
			out_buf_c(o, ',');
		json_path_n(o, path, strlen(path));
	}
	out_buf_c(o, ']');
}

/* A lookup table of the database's (id, name) rows: state_names or
 * rule_names, the names the transitions view gives numbers. */
struct names {
	int64_t *id;
	char **name;
	size_t n;
};

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->name[i]);
	free(nm->id);
	free(nm->name);
	memset(nm, 0, sizeof *nm);
}

/* Loads sql's (id, name) rows, ascending by id. -1 on an error. */
static int names_load(sqlite3 *db, const char *sql, struct names *nm)
{
	sqlite3_stmt *st;
	memset(nm, 0, sizeof *nm);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	size_t cap = 0;
	int rc, bad = 0;
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nm->n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *i = realloc(nm->id, cap * sizeof *i);
			if (i)
				nm->id = i;
			char **s = realloc(nm->name, cap * sizeof *s);
			if (s)
				nm->name = s;
			if (!i || !s) {
				bad = 1;
				break;
			}
		}
		const unsigned char *t = sqlite3_column_text(st, 1);
		nm->id[nm->n] = sqlite3_column_int64(st, 0);
		nm->name[nm->n] = t ? strdup((const char *)t) : NULL;
		if (t && !nm->name[nm->n])
			bad = 1;
		nm->n++;
	}
	sqlite3_finalize(st);
	if (bad || rc != SQLITE_DONE) {
		names_free(nm);
		return -1;
	}
	return 0;
}

static const char *names_get(const struct names *nm, int64_t id)
{
	size_t lo = 0, hi = nm->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (nm->id[mid] == id)
			return nm->name[mid];
		if (nm->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The transitions of a connection from its transition_list, decoded here
 * as the view transitions decodes it (tcpscope-db(5): an array of
 * [ts, pkt, side, from, to, rule] numbers), with the names looked up in
 * st and ru. Writes nothing and returns -1 when the text is not of that
 * shape (the caller asks the view). */
static int json_transition_list(struct out_buf *o, const char *s, const struct names *st,
				const struct names *ru)
{
	/* Written as it is read; a text of another shape is taken back
	 * (o->len returns to mark), so that nothing is half written. */
	size_t mark = o->len;
	const char *p = s ? s : "[]";
	int n = 0;
	if (*p++ != '[')
		return -1;
	out_buf_c(o, '[');
	while (*p == ' ')
		p++;
	if (*p == ']') {
		out_buf_c(o, ']');
		return 0;
	}
	for (;;) {
		/* [ts, pkt, side, from, to, rule(, inferred)] */
		int64_t t[7] = { 0 };
		if (*p++ != '[')
			goto bad;
		for (int k = 0; k < 7; k++) {
			const char *e = get_i64(p, &t[k]);
			if (e == p || (*e != ',' && *e != ']') ||
			    (*e == ']' && k < 5) || (*e == ',' && k == 6))
				goto bad;
			p = e + 1;
			if (*e == ']')
				break;
		}
		out_buf_s(o, n ? ",{\"ts\":" : "{\"ts\":");
		out_buf_sec9(o, t[0]);
		out_buf_s(o, ",\"pkt\":");
		out_buf_i64(o, t[1]);
		out_buf_s(o, t[2] ? ",\"side\":\"server\",\"from\":"
				  : ",\"side\":\"client\",\"from\":");
		out_buf_json_str(o, names_get(st, t[3]));
		out_buf_s(o, ",\"to\":");
		out_buf_json_str(o, names_get(st, t[4]));
		out_buf_s(o, ",\"rule\":");
		out_buf_json_str(o, names_get(ru, t[5]));
		out_buf_s(o, ",\"rule_id\":");
		out_buf_i64(o, t[5]);
		if (t[6])
			out_buf_s(o, ",\"inferred\":true");
		out_buf_c(o, '}');
		n++;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != ']' || *p)
			goto bad;
		break;
	}
	out_buf_c(o, ']');
	return 0;
bad:
	if (!o->failed)
		o->len = mark;
	return -1;
}

static int json_transitions(struct out_buf *o, sqlite3_stmt *tr, int64_t id)
{
	sqlite3_reset(tr);
	sqlite3_bind_int64(tr, 1, id);
	out_buf_c(o, '[');
	int rc, n = 0;
	while ((rc = sqlite3_step(tr)) == SQLITE_ROW) {
		out_buf_s(o, n++ ? ",{\"ts\":" : "{\"ts\":");
		out_buf_sec9(o, sqlite3_column_int64(tr, 0));
		out_buf_s(o, ",\"pkt\":");
		out_buf_i64(o, sqlite3_column_int64(tr, 1));
		out_buf_s(o, sqlite3_column_int(tr, 2)
				 ? ",\"side\":\"server\",\"from\":"
				 : ",\"side\":\"client\",\"from\":");
		out_buf_json_str(o, (const char *)sqlite3_column_text(tr, 3));
		out_buf_s(o, ",\"to\":");
		out_buf_json_str(o, (const char *)sqlite3_column_text(tr, 4));
		out_buf_s(o, ",\"rule\":");
		out_buf_json_str(o, (const char *)sqlite3_column_text(tr, 6));
		out_buf_s(o, ",\"rule_id\":");
		out_buf_i64(o, sqlite3_column_int64(tr, 5));
		out_buf_c(o, '}');
	}
	out_buf_c(o, ']');
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Seconds with 9 decimals from column idx (ns); null when NULL. */
static void json_sec(struct out_buf *o, const struct cols *c, int idx)
{
	if (isnull_at(c, idx))
		out_buf_s(o, "null");
	else
		out_buf_sec9(o, int_at(c, idx));
}

/* The data-transfer phase of direction s (schema version 8; null in
 * rows written before it). Idle time is not stored: it is the
 * connection's duration less the busy time. */
static void json_transfer(struct out_buf *o, const struct cols *c, int s)
{
	static const int shares[] = {
		DC_busy_ns, -1, DC_rwnd_limited_ns, DC_zero_window_ns,
		DC_cwnd_limited_ns, DC_recovery_ns, DC_rto_stall_ns
	};
	const int *d = c->d[s];
	if (isnull_at(c, d[DC_busy_ns])) {
		out_buf_s(o, ",\"transfer\":null");
	} else {
		out_buf_s(o, ",\"transfer\":{");
		for (size_t i = 0; i < sizeof shares / sizeof *shares; i++) {
			if (shares[i] < 0) {
				int64_t dur = out_tdiff(int_at(c, c->f[FC_last_ts]),
							int_at(c, c->f[FC_first_ts]));
				int64_t busy = int_at(c, d[DC_busy_ns]);
				int64_t idle = busy < 0 ? dur : out_tdiff(dur, busy);
				out_buf_s(o, ",\"idle_s\":");
				out_buf_sec9(o, idle > 0 ? idle : 0);
				continue;
			}
			const char *n = dc_names[shares[i]];
			out_buf_s(o, i ? ",\"" : "\"");
			out_buf_mem(o, n, strlen(n) - strlen("_ns"));
			out_buf_s(o, "_s\":");
			json_sec(o, c, d[shares[i]]);
		}
		out_buf_c(o, '}');
	}
	out_buf_s(o, ",\"limited_by\":");
	out_buf_json_str(o, text_at(c, d[DC_limited_by]));
	out_buf_s(o, ",\"limited_evidence\":");
	if (isnull_at(c, d[DC_limited_pkt])) {
		out_buf_s(o, "null");
	} else {
		out_buf_s(o, "{\"pkt\":");
		out_buf_i64(o, int_at(c, d[DC_limited_pkt]));
		out_buf_s(o, ",\"longest_s\":");
		json_sec(o, c, d[DC_limited_evidence_ns]);
		out_buf_c(o, '}');
	}
	out_buf_s(o, ",\"cc_states\":");
	json_path(o, text_at(c, d[DC_cc_states]));
	out_buf_s(o, ",\"cwnd_max_bytes\":");
	json_int_or_null(o, c, d[DC_cwnd_max], 0);
	out_buf_s(o, ",\"ssthresh_bytes\":");
	json_int_or_null(o, c, d[DC_ssthresh], 0);
	out_buf_s(o, ",\"flight_max_bytes\":");
	json_int_or_null(o, c, isnull_at(c, d[DC_busy_ns]) ? -1
							 : d[DC_max_inflight],
			 0);
	out_buf_s(o, ",\"rto_ms\":");
	json_ms(o, c, d[DC_rto_ns]);
	static const int counts[] = { DC_rto_timeouts, DC_rto_episodes,
				      DC_rto_backoff_max, DC_fast_recoveries,
				      DC_fast_recovery_bytes };
	for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
		out_buf_s(o, ",\"");
		out_buf_s(o, dc_names[counts[i]]);
		out_buf_s(o, "\":");
		json_int_or_null(o, c, d[counts[i]], 0);
	}
}

static int json_row(struct out_buf *o, const struct cols *c, sqlite3_stmt *tr,
		    const struct names *st, const struct names *ru)
{
	char uid[20];
	flow_uid(uid, c);
	out_buf_s(o, "{\"id\":");
	out_buf_i64(o, FI(c, id));
	out_buf_s(o, ",\"uid\":\"");
	out_buf_s(o, uid);
	out_buf_s(o, "\",\"capture\":");
	out_buf_i64(o, FI(c, capture_id));
	out_buf_s(o, ",\"capture_path\":");
	out_buf_json_str(o, FT(c, capture_path));
	out_buf_s(o, ",\"vlan\":");
	out_buf_json_str(o, str_or(FT(c, vlan), ""));
	out_buf_s(o, ",\"tunnel\":");
	out_buf_json_str(o, str_or(FT(c, tunnel), ""));
	out_buf_s(o, ",\"client_ip\":");
	out_buf_json_str(o, FT(c, client_ip));
	out_buf_s(o, ",\"client_port\":");
	out_buf_i64(o, FI(c, client_port));
	out_buf_s(o, ",\"server_ip\":");
	out_buf_json_str(o, FT(c, server_ip));
	out_buf_s(o, ",\"server_port\":");
	out_buf_i64(o, FI(c, server_port));
	out_buf_s(o, ",\"first_ts\":");
	out_buf_sec9(o, FI(c, first_ts));
	out_buf_s(o, ",\"last_ts\":");
	out_buf_sec9(o, FI(c, last_ts));
	out_buf_s(o, ",\"duration\":");
	out_buf_sec9(o, out_tdiff(FI(c, last_ts), FI(c, first_ts)));
	out_buf_s(o, ",\"first_pkt\":");
	out_buf_i64(o, FI(c, first_pkt));
	out_buf_s(o, ",\"last_pkt\":");
	out_buf_i64(o, FI(c, last_pkt));
	out_buf_s(o, ",\"client_state\":");
	out_buf_json_str(o, FT(c, client_state));
	out_buf_s(o, ",\"server_state\":");
	out_buf_json_str(o, FT(c, server_state));
	out_buf_s(o, ",\"client_states\":");
	json_path(o, FT(c, client_states));
	out_buf_s(o, ",\"server_states\":");
	json_path(o, FT(c, server_states));
	out_buf_s(o, ",\"client_states_alt\":");
	json_alt_paths(o, FT(c, client_states_alt));
	out_buf_s(o, ",\"server_states_alt\":");
	json_alt_paths(o, FT(c, server_states_alt));
	out_buf_s(o, ",\"close\":");
	out_buf_json_str(o, FT(c, close));
	out_buf_s(o, ",\"handshake\":");
	out_buf_json_str(o, FT(c, handshake));
	out_buf_s(o, FI(c, midstream) ? ",\"midstream\":true"
				       : ",\"midstream\":false");
	out_buf_s(o, FI(c, evicted) ? ",\"evicted\":true" : ",\"evicted\":false");
	out_buf_s(o, ",\"conn_state\":");
	out_buf_json_str(o, FT(c, conn_state));
	out_buf_s(o, ",\"history\":");
	out_buf_json_str(o, FT(c, history));
	out_buf_s(o, FI(c, data_on_syn) ? ",\"data_on_syn\":true"
					 : ",\"data_on_syn\":false");
	out_buf_s(o, ",\"transitions\":");
	if (json_transition_list(o, FT(c, transition_list), st, ru) != 0 &&
	    json_transitions(o, tr, FI(c, id)) != 0)
		return -1;
	/* rtt_handshake_ns .. rtt_stddev_ns (FLOW_COLS order) as
	 * "handshake_ms" .. "stddev_ms", then the sample count. */
	out_buf_s(o, ",\"rtt\":{");
	for (int i = FC_rtt_handshake_ns; i <= FC_rtt_stddev_ns; i++) {
		const char *n = fc_names[i] + strlen("rtt_");
		out_buf_s(o, i > FC_rtt_handshake_ns ? ",\"" : "\"");
		out_buf_mem(o, n, strlen(n) - strlen("_ns"));
		out_buf_s(o, "_ms\":");
		json_ms(o, c, c->f[i]);
	}
	out_buf_s(o, ",\"samples\":");
	json_int_or_null(o, c, c->f[FC_rtt_samples], 0);
	out_buf_c(o, '}');
	/* Where the capture point sits (schema version 10; null before). */
	out_buf_s(o, ",\"vantage\":");
	out_buf_json_str(o, FT(c, vantage));
	for (int s = 0; s < 2; s++) {
		out_buf_s(o, s ? ",\"s2c\":{" : ",\"c2s\":{");
		/* Every column in DIR_COLS order but the last: the counters
		 * (the label counts of schema version 2 from
		 * zero_window_probe_acks on are null in rows a version 1
		 * tcpscope wrote), then mss (0: none, null) to max_inflight. */
		for (int i = 0; i < DC_max_idle_ns; i++) {
			if (i)
				out_buf_c(o, ',');
			out_buf_c(o, '"');
			out_buf_s(o, dc_names[i]);
			out_buf_s(o, "\":");
			json_int_or_null(o, c, c->d[s][i], i == DC_mss);
		}
		out_buf_s(o, ",\"max_idle_ms\":");
		json_ms(o, c, c->d[s][DC_max_idle_ns]);
		/* The three exclusive data-retransmission labels together:
		 * every data segment sent again, whatever the cause. */
		out_buf_s(o, ",\"all_retransmissions\":");
		out_buf_i64(o, DI(c, s, retransmissions) +
			       DI(c, s, fast_retransmissions) +
			       DI(c, s, spurious_retransmissions));
		/* Rates over the connection's lifetime: every payload byte
		 * sent (throughput) and distinct bytes (goodput). */
		int64_t dur = out_tdiff(FI(c, last_ts), FI(c, first_ts));
		if (dur > 0) {
			out_buf_s(o, ",\"throughput_bps\":");
			out_buf_f0(o, (double)DI(c, s, wire_bytes) * 8e9 / (double)dur);
			out_buf_s(o, ",\"goodput_bps\":");
			out_buf_f0(o, (double)DI(c, s, payload_bytes) * 8e9 / (double)dur);
		} else {
			out_buf_s(o, ",\"throughput_bps\":null,\"goodput_bps\":null");
		}
		json_transfer(o, c, s);
		out_buf_c(o, '}');
	}
	out_buf_s(o, "}\n");
	return 0;
}

/* ---- Zeek conn.log ------------------------------------------------------ */

static void zeek_head(FILE *f)
{
	char open[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(open, sizeof open, "%Y-%m-%d-%H-%M-%S", &tm);
	fprintf(f, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		   "#unset_field\t-\n#path\tconn\n#open\t%s\n", open);
	fputs("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	      "proto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\t"
	      "local_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
	      "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\t"
	      "ip_proto\n", f);
	fputs("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
	      "interval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\t"
	      "count\tcount\tcount\tcount\tset[string]\tcount\n", f);
}

static void zeek_tail(FILE *f)
{
	char close[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(close, sizeof close, "%Y-%m-%d-%H-%M-%S", &tm);
	fprintf(f, "#close\t%s\n", close);
}

static void zeek_row(FILE *f, const struct cols *c)
{
	char uid[20];
	flow_uid(uid, c);
	int64_t first = FI(c, first_ts), last = FI(c, last_ts);
	fprintf(f, "%lld.%06lld\t%s\t%s\t%lld\t%s\t%lld\ttcp\t-\t",
		(long long)(first / 1000000000),
		(long long)(first % 1000000000 / 1000), uid,
		str_or(FT(c, client_ip), "-"), (long long)FI(c, client_port),
		str_or(FT(c, server_ip), "-"), (long long)FI(c, server_port));
	int64_t dur = out_tdiff(last, first);
	if (dur > 0)
		fprintf(f, "%lld.%06lld\t%lld\t%lld\t", (long long)(dur / 1000000000),
			(long long)(dur % 1000000000 / 1000),
			(long long)DI(c, 0, payload_bytes),
			(long long)DI(c, 1, payload_bytes));
	else
		fputs("-\t-\t-\t", f);
	const char *hist = FT(c, history);
	fprintf(f, "%s\t-\t-\t%lld\t%s\t%lld\t%lld\t%lld\t%lld\t-\t6\n",
		str_or(FT(c, conn_state), "-"),
		(long long)(DI(c, 0, acked_unseen_bytes) + DI(c, 1, acked_unseen_bytes)),
		hist && *hist ? hist : "(empty)", (long long)DI(c, 0, packets),
		(long long)DI(c, 0, ip_bytes), (long long)DI(c, 1, packets),
		(long long)DI(c, 1, ip_bytes));
}

/* ---- The command -------------------------------------------------------- */

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_ZEEK };

enum { OPT_FILTER = 0x100 };

enum { OB_FLUSH = 256 << 10 };

static int list(struct store *st, const struct fsel *fs, const char *order,
		enum fmt fmt)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL, *tr = NULL;
	struct out_table *t = NULL;
	struct names stn = { 0 }, run = { 0 };
	struct out_buf ob = { 0 };
	int rc = EX_DB, src;
	char err[512];
	if ((rc = fsel_list(db, fs, order, &q, err, sizeof err)) != 0) {
		fprintf(stderr, "tcpscope flows: %s\n", err);
		return rc;
	}
	rc = EX_DB;
	if (fmt == FMT_JSON && fsel_transitions(db, &tr) != SQLITE_OK)
		goto done;
	if (fmt == FMT_JSON &&
	    (names_load(db, FSEL_STATE_NAMES_SQL, &stn) != 0 ||
	     names_load(db, FSEL_RULE_NAMES_SQL, &run) != 0))
		goto done;
	struct cols c;
	cols_resolve(&c, q);
	out_pager_start();
	/* A listing can be large (120 MB of JSON for 25k connections): write
	 * it in large blocks, not stdio's 4 kB for a pipe. JSON rows are
	 * built in ob and written OB_FLUSH bytes at a time, which stdio
	 * passes straight to write(). */
	static char obuf[1 << 20];
	if (!isatty(1) && fmt != FMT_JSON) /* JSON: built in ob */
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	/* One thread writes it: no lock taken per character. */
	(void)__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	if (fmt == FMT_TABLE) {
		t = out_table_new(TABLE_NCOLS, table_heads);
		if (!t)
			goto oom;
		for (size_t i = 0; i < TABLE_NCOLS; i++)
			if (i <= 1 || i == 3 || (i >= 10 && i <= 12))
				out_table_right(t, i);
		out_table_shrink_first(t, 2);  /* START */
		out_table_shrink_first(t, 13); /* HISTORY */
	} else if (fmt == FMT_CSV) {
		csv_head(stdout);
	} else if (fmt == FMT_ZEEK) {
		zeek_head(stdout);
	}
	/* One lock for the whole listing, not one per putc (an import with
	 * -r left the process multi-threaded). */
	int failed = 0; /* 1 out of memory, 2 the database */
	int64_t cap1 = -1; /* the one capture listed so far; -2: several */
	uint64_t nrows = 0;
	flockfile(stdout);
	while (!failed && (src = sqlite3_step(q)) == SQLITE_ROW) {
		nrows++;
		switch (fmt) {
		case FMT_TABLE:
			if (table_row(t, &c) != 0)
				failed = 1;
			if (cap1 == -1)
				cap1 = FI(&c, capture_id);
			else if (cap1 != FI(&c, capture_id))
				cap1 = -2;
			break;
		case FMT_CSV: csv_row(stdout, &c); break;
		case FMT_JSON:
			/* Built in memory, written with one call. */
			if (json_row(&ob, &c, tr, &stn, &run) != 0)
				failed = 2;
			else if (ob.failed)
				failed = 1;
			else if (ob.len >= OB_FLUSH)
				(void)out_buf_flush(&ob, stdout); /* ferror */
			break;
		case FMT_ZEEK: zeek_row(stdout, &c); break;
		}
	}
	if (!failed)
		(void)out_buf_flush(&ob, stdout);
	funlockfile(stdout);
	if (failed == 1)
		goto oom;
	if (failed || src != SQLITE_DONE)
		goto done;
	/* The capture column only when the rows come from several. */
	if (fmt == FMT_TABLE && cap1 != -2)
		out_table_hide(t, 1);
	if (fmt == FMT_TABLE)
		out_table_print(stdout, t, out_term_width(stdout),
				out_want_colour(stdout));
	else if (fmt == FMT_ZEEK)
		zeek_tail(stdout);
	/* Filters that match nothing: exit 1, as grep (tcpscope(1)). */
	rc = nrows == 0 && fs->where[0] ? EX_FAIL : EX_OK;
	goto out;
oom:
	fprintf(stderr, "tcpscope flows: out of memory\n");
	rc = EX_FAIL;
	goto out;
done:
	fprintf(stderr, "tcpscope flows: database: %s\n", sqlite3_errmsg(db));
out:
	names_free(&stn);
	names_free(&run);
	out_buf_free(&ob);
	out_table_free(t);
	sqlite3_finalize(tr);
	sqlite3_finalize(q);
	if (out_pager_end() && rc == EX_OK) {
		fprintf(stderr, "tcpscope flows: write error\n");
		rc = EX_FAIL;
	}
	return rc;
}

int cmd_flows(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "read", required_argument, NULL, 'r' },
		{ "sort", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		FSEL_FILTER_LONGOPTS(OPT_FILTER),
		{ "capture", required_argument, NULL, OPT_FILTER },
		{ NULL, 0, NULL, 0 },
	};
	const char *order = fsel_sort_sql("id");
	struct out_dbs dbs = { .n = 0 };
	char **files = calloc((size_t)argc + 1, sizeof *files);
	int nfiles = 0, opt, li, rc;
	enum fmt fmt = FMT_TABLE;
	struct fsel fs;
	char err[1024];
	struct store *st = NULL;

	if (!files) {
		fprintf(stderr, "tcpscope flows: out of memory\n");
		return EX_FAIL;
	}
	fsel_init(&fs);
	opterr = 0;
	optind = 1;
	uint64_t count = 0;
	while ((opt = getopt_long(argc, argv, ":d:r:s:f:c:nh", opts, &li)) != -1) {
		switch (opt) {
		case 'c':
			if (out_parse_count("flows", optarg, &count) < 0)
				goto usage;
			break;
		case 'd':
			if (out_db_arg("flows", &dbs, optarg) < 0)
				goto usage;
			break;
		case 'r': files[nfiles++] = optarg; break;
		case 'n': break;
		case 'h':
			fputs(flows_usage, stdout);
			free(files);
			return EX_OK;
		case 's':
			if (!(order = fsel_sort_sql(optarg))) {
				fprintf(stderr, "tcpscope flows: bad --sort '%s' "
						"(id, start, duration, bytes, retrans)\n",
					optarg);
				goto usage;
			}
			break;
		case 'f': {
			static const char *const names[] = { "table", "csv",
							     "json", "zeek", NULL };
			int i = out_choice("flows", "format", optarg, names);
			if (i < 0)
				goto usage;
			fmt = (enum fmt)i;
			break;
		}
		case OPT_FILTER:
			if (fsel_add(&fs, opts[li].name, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "tcpscope flows: %s\n", err);
				goto usage;
			}
			break;
		default: /* ':' and unknown options */
			out_bad_option("flows", opt, argv);
			goto usage;
		}
	}
	/* With -r, the words left are a BPF filter (as read's). */
	if (optind < argc && !nfiles) {
		fprintf(stderr, "tcpscope flows: unexpected argument '%s' (a"
				" filter expression needs -r)\n", argv[optind]);
		goto usage;
	}
	char *filter = cap_filter_words(argv + optind, argc - optind);
	if (filter && cap_check_filter(filter, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope flows: bad filter expression '%s': %s\n",
			filter, err);
		free(filter);
		goto usage;
	}
	if (count && !nfiles) {
		fprintf(stderr, "tcpscope flows: -c counts the packets read"
				" with -r\n");
		goto usage;
	}
	if (dbs.n && nfiles) {
		fprintf(stderr, "tcpscope flows: -d and -r exclude each other\n");
		free(filter);
		goto usage;
	}
	int partial = 0;
	if (nfiles) {
		fs.complete_only = 0;
		rc = fsel_open_capture(files, nfiles,
				       fs.needs_events ? FSEL_KEEP_EVENTS : 0,
				       count, filter, &st, &partial, err,
				       sizeof err);
	} else {
		rc = fsel_open_dbs(dbs.path, dbs.n, &st, err, sizeof err);
	}
	free(filter);
	free(files);
	if (rc != 0) {
		fprintf(stderr, "tcpscope flows: %s\n", err);
		return rc;
	}
	/* A damaged capture: list what came before the damage, then fail. */
	if (partial)
		fprintf(stderr, "tcpscope flows: %s (connections up to the "
				"damage follow)\n", err);
	rc = list(st, &fs, order, fmt);
	store_close(st);
	return rc == EX_OK && partial ? EX_INPUT : rc;
usage:
	free(files);
	return EX_USAGE;
}
