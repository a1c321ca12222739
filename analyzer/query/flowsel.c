/*
 * flowsel.c - flow filters, flow lookup and read-only opening for the
 * report commands.
 *
 * Filters never paste user text into SQL: each option appends a condition
 * with '?' placeholders to fs->where and the values to fs->params, bound
 * later in order by fsel_bind(). Addresses are normalised with inet_pton/
 * inet_ntop first, so "2001:DB8:0::1" finds the "2001:db8::1" the store
 * wrote. Network membership (--net) needs arithmetic SQLite does not have,
 * so in_net() is registered as an SQL function on the connection.
 *
 * Start reading at fsel_add().
 */
#include "flowsel.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../status.h"
#include "../output/out.h"
#include "../store/store.h"
#include "../../tcpcore/tcpcore.h"

#if defined(__has_include)
#if __has_include("../ingest/ingest.h")
#include "../ingest/ingest.h"
#define FSEL_HAVE_INGEST 1
#endif
#endif

/* ---- Opening ------------------------------------------------------------ */

/* 0 when path names a file that may be a database, else EX_DB. */
static int check_db_path(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return ex_fail(err, errlen, EX_DB, "cannot open database '%s': %s",
			    path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return ex_fail(err, errlen, EX_DB,
			    "cannot open database '%s': is a directory", path);
	return 0;
}

int fsel_open_db(const char *path, struct store **st, char *err,
		 size_t errlen)
{
	*st = NULL;
	if (!path)
		path = store_default_path();
	int rc = check_db_path(path, err, errlen);
	if (rc)
		return rc;
	char msg[256] = "";
	if (store_open(path, STORE_RDONLY, st, msg, sizeof msg) != 0)
		return ex_fail(err, errlen, EX_DB, "%s", msg[0] ? msg :
			    "cannot open database");
	if (fsel_register(store_db(*st)) != 0) {
		store_close(*st);
		*st = NULL;
		return ex_fail(err, errlen, EX_DB, "cannot register SQL functions");
	}
	return 0;
}

int fsel_open_dbs(const char *const *paths, int n, struct store **st,
		  char *err, size_t errlen)
{
	*st = NULL;
	if (n <= 1)
		return fsel_open_db(n == 1 ? paths[0] : NULL, st, err, errlen);
	for (int i = 0; i < n; i++) {
		int rc = check_db_path(paths[i], err, errlen);
		if (rc)
			return rc;
	}
	char msg[512] = "";
	if (store_open(":memory:", STORE_MEMORY | STORE_CREATE, st, msg,
		       sizeof msg) != 0)
		return ex_fail(err, errlen, EX_DB, "%s", msg);
	for (int i = 0; i < n; i++) {
		struct store_merge_result res;
		if (store_merge(*st, paths[i], 0, &res) != 0) {
			int rc = ex_fail(err, errlen, EX_DB, "%s",
					 store_errmsg(*st));
			store_close(*st);
			*st = NULL;
			return rc;
		}
	}
	if (fsel_register(store_db(*st)) != 0) {
		store_close(*st);
		*st = NULL;
		return ex_fail(err, errlen, EX_DB, "cannot register SQL functions");
	}
	return 0;
}

/* Number of captures in db, or -1. */
static int64_t count_captures(sqlite3 *db)
{
	sqlite3_stmt *q;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM captures", -1, &q,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

int fsel_open_capture(char *const *files, int nfiles, int keep,
		      uint64_t max_packets, const char *filter,
		      struct store **st, int *partial, char *err,
		      size_t errlen)
{
	*st = NULL;
	*partial = 0;
	char msg[256] = "";
	int segments = (keep & FSEL_KEEP_SEGMENTS) != 0;
	int flags = STORE_MEMORY | STORE_CREATE |
		    (segments ? STORE_SEGMENTS : 0) |
		    (keep & FSEL_KEEP_EVENTS ? 0 : STORE_NO_EVENTS);
	if (store_open(":memory:", flags, st, msg, sizeof msg) != 0)
		return ex_fail(err, errlen, EX_DB, "%s", msg);
#ifdef FSEL_HAVE_INGEST
	int rc = ing_import_files(*st, files, nfiles, max_packets, filter, msg,
				  sizeof msg);
	if (rc == EX_INPUT && count_captures(store_db(*st)) > 0) {
		/* Keep what came before the damage; the caller warns. */
		*partial = 1;
		snprintf(err, errlen, "%s", msg[0] ? msg : "capture damaged");
		rc = 0;
	}
	if (rc != 0) {
		store_close(*st);
		*st = NULL;
		return ex_fail(err, errlen, rc == EX_DB ? EX_DB : EX_INPUT, "%s",
			    msg[0] ? msg : "cannot read capture");
	}
#else
	(void)files;
	(void)nfiles;
	(void)max_packets;
	(void)filter;
	store_close(*st);
	*st = NULL;
	return ex_fail(err, errlen, EX_INPUT, "-r is not available in this build");
#endif
	if (fsel_register(store_db(*st)) != 0) {
		store_close(*st);
		*st = NULL;
		return ex_fail(err, errlen, EX_DB, "cannot register SQL functions");
	}
	return 0;
}

/* ---- Addresses ---------------------------------------------------------- */

/* Parses text address s into family and 16 bytes. */
static int addr_parse(const char *s, int *family, unsigned char a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

static int addr_norm(const char *s, char *out, size_t len)
{
	int fam;
	unsigned char a[16];
	if (addr_parse(s, &fam, a) != 0)
		return -1;
	if (!inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)len))
		return -1;
	return 0;
}

static int parse_port(const char *s, int *port)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 65535 || !isdigit((unsigned char)*s))
		return -1;
	*port = (int)v;
	return 0;
}

int fsel_flow_words(char *const *words, int n)
{
	char ip[64];
	int port;
	if (n < 2 || fsel_parse_endpoint(words[0], ip, sizeof ip, &port) != 0 ||
	    port < 0 ||
	    fsel_parse_endpoint(words[1], ip, sizeof ip, &port) != 0 ||
	    port < 0)
		return 1;
	return 2;
}

int fsel_parse_endpoint(const char *s, char *ip, size_t iplen, int *port)
{
	char buf[128];
	const char *portstr = NULL;
	*port = -1;
	if (strlen(s) >= sizeof buf)
		return -1;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -1;
		size_t n = (size_t)(close - s - 1);
		memcpy(buf, s + 1, n);
		buf[n] = '\0';
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1])
			return -1;
	} else {
		const char *colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			size_t n = (size_t)(colon - s);
			memcpy(buf, s, n);
			buf[n] = '\0';
			portstr = colon + 1;
		} else {
			strcpy(buf, s);
		}
	}
	if (portstr && parse_port(portstr, port) != 0)
		return -1;
	return addr_norm(buf, ip, iplen);
}

/* Parses "addr/len" (len optional: a host) into family, bytes, prefix. */
static int cidr_parse(const char *s, int *family, unsigned char a[16],
		      int *bits)
{
	char buf[128];
	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (addr_parse(buf, family, a) != 0)
		return -1;
	int max = *family == 4 ? 32 : 128;
	*bits = max;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || v < 0 || v > max)
			return -1;
		*bits = (int)v;
	}
	return 0;
}

static int in_prefix(const unsigned char *a, const unsigned char *net,
		     int bits)
{
	int i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (a[i] != net[i])
			return 0;
	if (bits > 0) {
		unsigned mask = (0xffu << (8 - bits)) & 0xffu;
		if ((a[i] & mask) != (net[i] & mask))
			return 0;
	}
	return 1;
}

static void sql_in_net(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *ip = sqlite3_value_text(argv[0]);
	const unsigned char *cidr = sqlite3_value_text(argv[1]);
	int fa, fn, bits;
	unsigned char a[16], n[16];
	if (!ip || !cidr || addr_parse((const char *)ip, &fa, a) != 0 ||
	    cidr_parse((const char *)cidr, &fn, n, &bits) != 0) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(ctx, fa == fn && in_prefix(a, n, bits));
}

int fsel_register(struct sqlite3 *db)
{
	int rc = sqlite3_create_function(db, "in_net", 2,
					 SQLITE_UTF8 | SQLITE_DETERMINISTIC,
					 NULL, sql_in_net, NULL, NULL);
	return rc == SQLITE_OK ? 0 : EX_DB;
}

/* ---- Filters ------------------------------------------------------------ */

void fsel_init(struct fsel *fs)
{
	memset(fs, 0, sizeof *fs);
	fs->complete_only = 1;
}

static const char *const filter_names[] = {
	"host", "port", "net", "client", "server", "close", "conn-state",
	"state", "handshake", "label", "min-duration", "min-bytes", "capture",
	"since", "until", NULL,
};

int fsel_is_filter(const char *name)
{
	for (const char *const *n = filter_names; *n; n++)
		if (strcmp(*n, name) == 0)
			return 1;
	return 0;
}

static int add_cond(struct fsel *fs, const char *cond)
{
	size_t used = strlen(fs->where);
	int n = snprintf(fs->where + used, sizeof fs->where - used, "%s(%s)",
			 used ? " AND " : "", cond);
	return n < 0 || (size_t)n >= sizeof fs->where - used ? -1 : 0;
}

static int add_text(struct fsel *fs, const char *t)
{
	if (fs->nparams >= FSEL_MAX_PARAMS || strlen(t) >= sizeof fs->params[0].t)
		return -1;
	struct fsel_param *p = &fs->params[fs->nparams++];
	p->is_text = 1;
	strcpy(p->t, t);
	return 0;
}

static int add_int(struct fsel *fs, int64_t v)
{
	if (fs->nparams >= FSEL_MAX_PARAMS)
		return -1;
	struct fsel_param *p = &fs->params[fs->nparams++];
	p->is_text = 0;
	p->i = v;
	return 0;
}

/* Parses a non-negative decimal number (fractions allowed when frac) with
 * an optional multiplier suffix for bytes (k, M, G) into *v scaled by
 * scale. */
static int parse_number(const char *s, int frac, int64_t scale, int64_t *v)
{
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (end == s || errno || d < 0 || (!frac && strchr(s, '.')))
		return -1;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	if (*end == 'k' || *end == 'K') {
		d *= 1e3;
		end++;
	} else if (*end == 'M') {
		d *= 1e6;
		end++;
	} else if (*end == 'G') {
		d *= 1e9;
		end++;
	}
	if (*end)
		return -1;
	d *= (double)scale;
	if (d > 9.2e18)
		return -1;
	*v = (int64_t)(d + 0.5);
	return 0;
}

/* Upper-cases a state name and turns '_' into '-': "time_wait" ->
 * "TIME-WAIT". */
static void state_norm(const char *s, char *out, size_t len)
{
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		out[i] = s[i] == '_' ? '-' : (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

static const char *const zeek_states[] = {
	"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH",
	"SH", "SHR", "OTH", NULL,
};

/* Checks v against the names name(0..n-1); on failure lists them in err. */
static int one_of(const char *v, const char *(*name)(unsigned), unsigned n,
		  const char *const *list, const char *opt, char *err,
		  size_t errlen)
{
	char all[768] = "";
	for (unsigned i = 0; list ? list[i] != NULL : i < n; i++) {
		const char *s = list ? list[i] : name(i);
		if (strcmp(s, v) == 0)
			return 0;
		size_t u = strlen(all);
		snprintf(all + u, sizeof all - u, "%s%s", u ? ", " : "", s);
	}
	return ex_fail(err, errlen, EX_USAGE, "bad value for --%s: '%s' (one of: %s)",
		    opt, v, all);
}

int fsel_add(struct fsel *fs, const char *name, const char *arg, char *err,
	     size_t errlen)
{
	char ip[INET6_ADDRSTRLEN + 1], buf[128];
	int port, r = 0;
	int64_t v;

	if (strcmp(name, "host") == 0) {
		if (fsel_parse_endpoint(arg, ip, sizeof ip, &port) != 0 ||
		    port >= 0)
			goto bad;
		r = add_cond(fs, "c.client_ip = ? OR c.server_ip = ?") |
		    add_text(fs, ip) | add_text(fs, ip);
	} else if (strcmp(name, "port") == 0) {
		if (parse_port(arg, &port) != 0)
			goto bad;
		r = add_cond(fs, "c.client_port = ? OR c.server_port = ?") |
		    add_int(fs, port) | add_int(fs, port);
	} else if (strcmp(name, "net") == 0) {
		int fam, bits;
		unsigned char a[16];
		if (cidr_parse(arg, &fam, a, &bits) != 0)
			goto bad;
		r = add_cond(fs, "in_net(c.client_ip, ?) OR in_net(c.server_ip, ?)") |
		    add_text(fs, arg) | add_text(fs, arg);
	} else if (strcmp(name, "client") == 0 || strcmp(name, "server") == 0) {
		if (fsel_parse_endpoint(arg, ip, sizeof ip, &port) != 0)
			goto bad;
		int cl = name[0] == 'c';
		r = add_cond(fs, cl ? "c.client_ip = ?" : "c.server_ip = ?") |
		    add_text(fs, ip);
		if (port >= 0)
			r |= add_cond(fs, cl ? "c.client_port = ?" :
					       "c.server_port = ?") |
			     add_int(fs, port);
	} else if (strcmp(name, "close") == 0 || strcmp(name, "handshake") == 0) {
		int cl = name[0] == 'c';
		if (one_of(arg, cl ? tc_close_name : tc_handshake_name,
			   cl ? TC_CLOSE__COUNT : TC_HS__COUNT, NULL, name, err,
			   errlen))
			return EX_USAGE;
		snprintf(buf, sizeof buf, "c.%s = ?", name);
		r = add_cond(fs, buf) | add_text(fs, arg);
	} else if (strcmp(name, "conn-state") == 0) {
		state_norm(arg, buf, sizeof buf);
		if (one_of(buf, NULL, 0, zeek_states, name, err, errlen))
			return EX_USAGE;
		r = add_cond(fs, "c.conn_state = ?") | add_text(fs, buf);
	} else if (strcmp(name, "state") == 0) {
		state_norm(arg, buf, sizeof buf);
		if (one_of(buf, tc_state_name, TC_ST__COUNT, NULL, name, err, errlen))
			return EX_USAGE;
		r = add_cond(fs, "c.client_state = ? OR c.server_state = ?") |
		    add_text(fs, buf) | add_text(fs, buf);
	} else if (strcmp(name, "label") == 0) {
		if (one_of(arg, tc_label_name, TC_LB__COUNT, NULL, name, err, errlen))
			return EX_USAGE;
		r = add_cond(fs, "EXISTS (SELECT 1 FROM events e WHERE "
				 "e.conn_id = c.id AND e.label = ? AND "
				 FSEL_EVENT_LIVE("e") ")") |
		    add_text(fs, arg);
		fs->needs_events = 1;
	} else if (strcmp(name, "min-duration") == 0) {
		if (parse_number(arg, 1, 1000000000, &v) != 0)
			goto bad;
		r = add_cond(fs, "c.last_ts - c.first_ts >= ?") | add_int(fs, v);
	} else if (strcmp(name, "min-bytes") == 0) {
		if (parse_number(arg, 0, 1, &v) != 0)
			goto bad;
		r = add_cond(fs, "coalesce(c.c2s_payload_bytes, 0) + "
				 "coalesce(c.s2c_payload_bytes, 0) >= ?") |
		    add_int(fs, v);
	} else if (strcmp(name, "capture") == 0) {
		const char *p = arg;
		while (isdigit((unsigned char)*p))
			p++;
		if (*arg && !*p)
			r = add_cond(fs, "c.capture_id = ?") |
			    add_int(fs, strtoll(arg, NULL, 10));
		else
			r = add_cond(fs, "k.path = ?") | add_text(fs, arg);
	} else if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0) {
		if (out_parse_time(arg, &v) != 0)
			goto bad;
		/* Connections active at any time in [since, until]. */
		r = add_cond(fs, name[0] == 's' ? "c.last_ts >= ?" :
						  "c.first_ts <= ?") |
		    add_int(fs, v);
	} else {
		return ex_fail(err, errlen, EX_USAGE, "unknown filter --%s", name);
	}
	if (r != 0)
		return ex_fail(err, errlen, EX_USAGE, "too many filters, or a value too long");
	return 0;
bad:
	return ex_fail(err, errlen, EX_USAGE, "bad value for --%s: '%s'", name, arg);
}

int fsel_bind(const struct fsel *fs, struct sqlite3_stmt *stmt, int first)
{
	for (size_t i = 0; i < fs->nparams; i++) {
		const struct fsel_param *p = &fs->params[i];
		int idx = first + (int)i;
		int rc = p->is_text ?
			sqlite3_bind_text(stmt, idx, p->t, -1, SQLITE_TRANSIENT) :
			sqlite3_bind_int64(stmt, idx, p->i);
		if (rc != SQLITE_OK)
			return EX_DB;
	}
	return 0;
}

int fsel_from_where(const struct fsel *fs, char *buf, size_t len)
{
	const char *and = fs->complete_only && fs->where[0] ? " AND " : "";
	int n = snprintf(buf, len,
			 " FROM connections c JOIN captures k ON k.id = c.capture_id"
			 "%s%s%s%s",
			 fs->complete_only || fs->where[0] ? " WHERE " : "",
			 fs->complete_only ? STORE_CAPTURE_SHOWN("k.") : "", and,
			 fs->where);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- One flow ----------------------------------------------------------- */

/* The connection whose uid is uid (connections.uid, no index: a lookup
 * by uid is rare). */
static int find_uid(struct sqlite3 *db, const char *uid, int64_t *id,
		    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT id FROM connections WHERE uid = ?"
				   " ORDER BY id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
	return ex_fail(err, errlen, EX_NOTFOUND, "no flow %s", uid);
}

int fsel_find_flow(struct sqlite3 *db, int nargs, char *const *args,
		   int64_t *id, char *err, size_t errlen)
{
	char a[2][128];
	int na = 0;
	if (nargs < 1 || nargs > 2)
		return ex_fail(err, errlen, EX_USAGE, "expected one FLOW");
	for (int i = 0; i < nargs; i++) {
		const char *s = args[i];
		while (*s) {
			while (*s == ' ' || *s == '\t')
				s++;
			if (!*s)
				break;
			size_t n = strcspn(s, " \t");
			if (na == 2 || n >= sizeof a[0])
				return ex_fail(err, errlen, EX_USAGE,
					    "bad FLOW '%s'", args[0]);
			memcpy(a[na], s, n);
			a[na++][n] = '\0';
			s += n;
		}
	}
	if (na == 1 && a[0][0] == 'C' && strlen(a[0]) == 18)
		return find_uid(db, a[0], id, err, errlen);
	if (na == 1) {
		const char *p = a[0];
		while (isdigit((unsigned char)*p))
			p++;
		if (!a[0][0] || *p)
			return ex_fail(err, errlen, EX_USAGE,
				    "bad FLOW '%s': want an id, a uid or "
				    "'CLIENT-IP:PORT SERVER-IP:PORT'", a[0]);
		errno = 0;
		long long v = strtoll(a[0], NULL, 10);
		if (errno)
			return ex_fail(err, errlen, EX_NOTFOUND, "no flow %s", a[0]);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "SELECT id FROM connections WHERE id = ?",
				       -1, &st, NULL) != SQLITE_OK)
			return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
		sqlite3_bind_int64(st, 1, v);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW) {
			*id = v;
			return 0;
		}
		if (rc != SQLITE_DONE)
			return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
		return ex_fail(err, errlen, EX_NOTFOUND, "no flow %lld", v);
	}
	if (na != 2)
		return ex_fail(err, errlen, EX_USAGE, "expected one FLOW");
	char ip[2][INET6_ADDRSTRLEN + 1];
	int port[2];
	for (int i = 0; i < 2; i++)
		if (fsel_parse_endpoint(a[i], ip[i], sizeof ip[i], &port[i]) != 0 ||
		    port[i] < 0)
			return ex_fail(err, errlen, EX_USAGE,
				    "bad endpoint '%s': want IP:PORT or [IPv6]:PORT",
				    a[i]);
	sqlite3_stmt *st;
	const char *sql =
		"SELECT id FROM connections WHERE "
		"(client_ip = ?1 AND client_port = ?2 AND server_ip = ?3 AND server_port = ?4) OR "
		"(client_ip = ?3 AND client_port = ?4 AND server_ip = ?1 AND server_port = ?2) "
		"ORDER BY id LIMIT 6";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, ip[0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, port[0]);
	sqlite3_bind_text(st, 3, ip[1], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, port[1]);
	int64_t ids[6];
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ex_fail(err, errlen, EX_DB, "%s", sqlite3_errmsg(db));
	if (n == 0)
		return ex_fail(err, errlen, EX_NOTFOUND, "no flow %s %s", a[0], a[1]);
	if (n > 1) {
		char list[128] = "";
		for (int i = 0; i < n && i < 5; i++) {
			size_t u = strlen(list);
			snprintf(list + u, sizeof list - u, "%s%lld", i ? ", " : "",
				 (long long)ids[i]);
		}
		return ex_fail(err, errlen, EX_USAGE,
			    "%s %s matches several flows (ids %s%s); give an id",
			    a[0], a[1], list, n > 5 ? ", ..." : "");
	}
	*id = ids[0];
	return 0;
}

int fsel_col(struct sqlite3_stmt *stmt, const char *name)
{
	int n = sqlite3_column_count(stmt);
	for (int i = 0; i < n; i++) {
		const char *c = sqlite3_column_name(stmt, i);
		if (c && strcmp(c, name) == 0)
			return i;
	}
	return -1;
}

/* ---- Many flows --------------------------------------------------------- */

const char *fsel_sort_sql(const char *key)
{
	static const struct {
		const char *name, *order;
	} keys[] = {
		{ "id", "c.id" },
		{ "start", "c.first_ts, c.id" },
		{ "duration", "c.last_ts - c.first_ts DESC, c.id" },
		{ "bytes", "coalesce(c.c2s_payload_bytes, 0) +"
			   " coalesce(c.s2c_payload_bytes, 0) DESC, c.id" },
		{ "retrans", FSEL_RETX_SQL " DESC, c.id" },
	};
	for (size_t i = 0; key && i < sizeof keys / sizeof *keys; i++)
		if (strcmp(keys[i].name, key) == 0)
			return keys[i].order;
	return NULL;
}

/* "SELECT what FROM-WHERE ORDER BY order" prepared and bound. */
static int prepare_selected(sqlite3 *db, const struct fsel *fs,
			    const char *what, const char *order,
			    sqlite3_stmt **q, char *err, size_t errlen)
{
	char where[4096], sql[4800];
	*q = NULL;
	if (fsel_from_where(fs, where, sizeof where) != 0 ||
	    snprintf(sql, sizeof sql, "SELECT %s%s ORDER BY %s", what, where,
		     order) >= (int)sizeof sql)
		return ex_fail(err, errlen, EX_USAGE, "too many filters");
	if (sqlite3_prepare_v2(db, sql, -1, q, NULL) != SQLITE_OK ||
	    fsel_bind(fs, *q, 1) != 0) {
		ex_fail(err, errlen, EX_DB, "database: %s", sqlite3_errmsg(db));
		sqlite3_finalize(*q);
		*q = NULL;
		return EX_DB;
	}
	return 0;
}

int fsel_list(sqlite3 *db, const struct fsel *fs, const char *order,
	      sqlite3_stmt **q, char *err, size_t errlen)
{
	return prepare_selected(db, fs, "c.*, k.path AS capture_path",
				order ? order : "c.id", q, err, errlen);
}

int fsel_ids(sqlite3 *db, const struct fsel *fs, int64_t **ids, size_t *n,
	     char *err, size_t errlen)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *q;
	int r = prepare_selected(db, fs, "c.id", "c.id", &q, err, errlen);
	if (r)
		return r;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			int64_t *p = realloc(*ids, cap * sizeof *p);
			if (!p) {
				sqlite3_finalize(q);
				return ex_fail(err, errlen, EX_FAIL,
					       "out of memory");
			}
			*ids = p;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return ex_fail(err, errlen, EX_DB, "database: %s",
			       sqlite3_errmsg(db));
	if (*n == 0)
		return ex_fail(err, errlen, EX_NOTFOUND,
			       "no connection matches the filters");
	return 0;
}

/* ---- The TUI's rows ------------------------------------------------------ */

/* The columns of enum fsel_sum_col. */
#define SUM_COLS                                                               \
	"id, client_ip, client_port, server_ip, server_port, close, "          \
	"conn_state, client_state, server_state, "                             \
	"coalesce(c2s_packets,0) + coalesce(s2c_packets,0), "                  \
	"coalesce(c2s_payload_bytes,0) + coalesce(s2c_payload_bytes,0), "      \
	STORE_RETX_SQL("") ", "                                                \
	"first_ts, last_ts, "                                                  \
	"CASE WHEN coalesce(s2c_payload_bytes, 0) >"                           \
	" coalesce(c2s_payload_bytes, 0) THEN s2c_limited_by"                  \
	" ELSE c2s_limited_by END"

int fsel_summary_list(sqlite3 *db, sqlite3_stmt **q)
{
	static const struct {
		const char *col;
		int label;
	} cols[] = {
#define X(c, l) { c, l },
	    STORE_LABEL_COLS_V1(X) STORE_LABEL_COLS_V2(X)
#undef X
	};
	*q = NULL;
	size_t len = 4096 + sizeof(cols) / sizeof(cols[0]) * 160, n;
	char *sql = malloc(len);
	if (!sql)
		return SQLITE_NOMEM;
	n = (size_t)snprintf(sql, len, "SELECT " SUM_COLS ", (0");
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (cols[i].label < 63)
			n += (size_t)snprintf(
			    sql + n, len - n,
			    " + (CASE WHEN coalesce(c2s_%s, 0) + coalesce(s2c_%s,"
			    " 0) > 0 THEN %lld ELSE 0 END)",
			    cols[i].col, cols[i].col, 1LL << cols[i].label);
	snprintf(sql + n, len - n,
		 ") FROM connections WHERE capture_id IN (SELECT id FROM"
		 " captures WHERE " STORE_CAPTURE_SHOWN("") ") ORDER BY id");
	int rc = sqlite3_prepare_v2(db, sql, -1, q, NULL);
	free(sql);
	return rc;
}

int fsel_summary_one(sqlite3 *db, int64_t id, sqlite3_stmt **q)
{
	int rc = sqlite3_prepare_v2(
	    db,
	    "SELECT " SUM_COLS ", handshake, history, vlan, client_states,"
	    " server_states, rtt_handshake_ns, rtt_min_ns, rtt_avg_ns,"
	    " rtt_max_ns, midstream, c2s_wscale, s2c_wscale, vantage,"
	    " client_states_alt, server_states_alt FROM connections"
	    " WHERE id = ?1",
	    -1, q, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(*q, 1, id);
	return rc;
}

int fsel_transitions(sqlite3 *db, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, "SELECT ts_ns, pkt, side, from_state,"
				      " to_state, rule, rule_name FROM"
				      " transitions WHERE conn_id = ?1 ORDER BY id",
				  -1, q, NULL);
}
