/*
 * dataset.c - a database as a Hive-partitioned Parquet dataset (see
 * dataset.h for the layout).
 *
 * The database is read through analyzer/query/tableq.h, which owns the
 * SQL: the tables, their declared columns, and for each exported table
 * one SELECT of every row with two leading values, the capture the row
 * belongs to and the nanosecond timestamp that dates it (this file knows
 * Parquet, not the schema):
 *
 *   captures              its own id and first_ts
 *   a capture_id column   that capture; the row's first_ts or ts_ns, else
 *                         the capture's first_ts
 *   a conn_id column      the connection's capture (a join); the row's
 *                         first_ts or ts_ns, else the connection's
 *
 * The row goes to the partition (capture, UTC date of that timestamp;
 * __HIVE_DEFAULT_PARTITION__ when there is none), to the file open for it.
 * At most MAX_OPEN files are open at once; when another is needed the one
 * used least recently is finished, and a later row of its partition starts
 * the next part number. So memory stays bounded whatever the database
 * holds: each open file buffers one row group of at most GROUP_BYTES
 * (about; 256 MiB for all 16 at worst, far less when rows are few).
 *
 * Columns: the declared type decides, by SQLite's own affinity rules:
 * "INT" -> INT64, "CHAR"/"CLOB"/"TEXT" -> STRING, "REAL"/"FLOA"/"DOUB" ->
 * DOUBLE; a column without one (a view's computed column) takes the type
 * of its first non-NULL value (STRING when there is none). NOT NULL, or an
 * INTEGER PRIMARY KEY, makes a REQUIRED column; strings are dictionary
 * encoded. A value of another type is refused (DS_EVALUE), except that a
 * number in a STRING column is written as SQLite shows it, an integer in
 * a DOUBLE column as a double, and a string that is not UTF-8 is repaired
 * (ds_utf8_repair()) since Parquet's STRING must be UTF-8.
 *
 * Files: each is written as ".part-CAPTURE.PID.K.tmp" beside its final
 * name, synced, closed, then link(2)ed to "part-CAPTURE-N.parquet" with
 * the first N not taken, and the temporary name removed; link never
 * replaces a file, so two writers (or two runs) never overwrite each
 * other. On failure the temporary file is removed, and so is every file
 * this run completed before (a run's files are all there, or none).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../output/out.h"
#include "../query/tableq.h"
#include "../store/store.h"
#include "dataset.h"

#define MAX_OPEN 16                  /* files open at once */
#define GROUP_BYTES ((size_t)16 << 20) /* buffered per file, at most */
#define NO_DATE "__HIVE_DEFAULT_PARTITION__"

struct part {
	int64_t capture;
	char date[32];
	char dir[4096];
	char tmp[4200];
	int fd;
	struct pq_writer *w;
	uint64_t used; /* for least recently used */
};

struct ds {
	sqlite3 *db;
	sqlite3_stmt *sensor_q; /* a capture's own sensor; prepared at need */
	const struct ds_options *o;
	struct ds_stats *st;
	char *err;
	size_t errlen;
	/* The table being written. */
	const char *table;
	struct pq_column *cols;
	char **names;
	size_t ncols;
	struct part parts[MAX_OPEN];
	size_t nparts;
	uint64_t clock, tmpseq;
	uint8_t *fix; /* repaired strings */
	size_t fix_cap;
	char **done; /* the files this run completed, removed on failure */
	size_t ndone, done_cap;
};

static int ds_fail(struct ds *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ds_fail(struct ds *d, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, d->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int db_fail(struct ds *d, const char *what)
{
	return ds_fail(d, DS_EDB, "%s: %s", what, sqlite3_errmsg(d->db));
}

int ds_sensor_ok(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) > 200)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

void ds_host_sensor(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || !buf[0])
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '_';
	if (buf[0] == '.')
		buf[0] = '_';
}

size_t ds_utf8_repair(const uint8_t *s, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0;
	while (i < len) {
		uint8_t c = s[i];
		if (c < 0x80) {
			out[o++] = c;
			i++;
			continue;
		}
		size_t need = 0;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		}
		size_t k = 0; /* continuation bytes that fit */
		while (need && k < need && i + 1 + k < len) {
			uint8_t x = s[i + 1 + k];
			if (k == 0 ? (x < lo || x > hi) : (x < 0x80 || x > 0xbf))
				break;
			k++;
		}
		if (need && k == need) {
			memcpy(out + o, s + i, need + 1);
			o += need + 1;
		} else {
			out[o++] = 0xef;
			out[o++] = 0xbf;
			out[o++] = 0xbd;
		}
		i += 1 + k;
	}
	return o;
}

/* mkdir -p. */
static int make_dirs(struct ds *d, const char *path)
{
	char p[4096];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return ds_fail(d, DS_EIO, "%s: name too long", path);
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		char was = *c;
		*c = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return ds_fail(d, DS_EIO, "%s: %s", p, strerror(errno));
		*c = was;
		if (!was)
			break;
	}
	return 0;
}

static void part_abort(struct part *p)
{
	pq_free(p->w);
	p->w = NULL;
	if (p->fd >= 0) {
		close(p->fd);
		unlink(p->tmp);
	}
	p->fd = -1;
}

/* Finishes the file of p and gives it its name. */
static int part_finish(struct ds *d, struct part *p)
{
	int rc = pq_finish(p->w);
	if (rc != 0) {
		rc = ds_fail(d, DS_EIO, "%s: %s", p->tmp, pq_errmsg(p->w));
		part_abort(p);
		return rc;
	}
	pq_free(p->w);
	p->w = NULL;
	if (fsync(p->fd) != 0 || close(p->fd) != 0) {
		rc = ds_fail(d, DS_EIO, "%s: %s", p->tmp, strerror(errno));
		p->fd = -1;
		unlink(p->tmp);
		return rc;
	}
	p->fd = -1;
	char final[4200];
	for (unsigned n = 0;; n++) {
		snprintf(final, sizeof final, "%s/part-%lld-%u.parquet", p->dir,
			 (long long)p->capture, n);
		if (link(p->tmp, final) == 0)
			break;
		if (errno != EEXIST || n == 1000000) {
			rc = ds_fail(d, DS_EIO, "%s: %s", final, strerror(errno));
			unlink(p->tmp);
			return rc;
		}
	}
	unlink(p->tmp);
	if (d->ndone == d->done_cap) {
		size_t cap = d->done_cap ? d->done_cap * 2 : 64;
		char **n = realloc(d->done, cap * sizeof *n);
		if (n) {
			d->done = n;
			d->done_cap = cap;
		}
	}
	char *name = d->ndone < d->done_cap ? strdup(final) : NULL;
	if (!name) {
		unlink(final);
		return ds_fail(d, DS_EDB, "out of memory");
	}
	d->done[d->ndone++] = name;
	int dfd = open(p->dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		(void)fsync(dfd); /* the new name, durable */
		close(dfd);
	}
	d->st->files++;
	return 0;
}

/* The sensor partition of capture: its own (captures.sensor, named by
 * read/live --sensor) when it has one, else the options'. Into buf. */
static int capture_sensor(struct ds *d, int64_t capture, char *buf,
			  size_t len)
{
	char own[256];
	if (tableq_capture_sensor(d->db, &d->sensor_q, capture, own,
				  sizeof own) != SQLITE_OK)
		return db_fail(d, "captures");
	snprintf(buf, len, "%s", own[0] && ds_sensor_ok(own) ? own
							   : d->o->sensor);
	return 0;
}

static int part_open(struct ds *d, struct part *p, int64_t capture,
		     const char *date)
{
	memset(p, 0, sizeof *p);
	p->fd = -1;
	p->capture = capture;
	snprintf(p->date, sizeof p->date, "%s", date);
	char sensor[256];
	int rc = capture_sensor(d, capture, sensor, sizeof sensor);
	if (rc)
		return rc;
	if (snprintf(p->dir, sizeof p->dir, "%s/table=%s/date=%s/sensor=%s",
		     d->o->dir, d->table, date, sensor) >=
	    (int)sizeof p->dir)
		return ds_fail(d, DS_EIO, "%s: name too long", d->o->dir);
	rc = make_dirs(d, p->dir);
	if (rc)
		return rc;
	if (snprintf(p->tmp, sizeof p->tmp, "%s/.part-%lld.%ld.%llu.tmp",
		     p->dir, (long long)capture, (long)getpid(),
		     (unsigned long long)d->tmpseq++) >= (int)sizeof p->tmp)
		return ds_fail(d, DS_EIO, "%s: name too long", p->dir);
	p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (p->fd < 0)
		return ds_fail(d, DS_EIO, "%s: %s", p->tmp, strerror(errno));
	struct pq_options po = {
		.codec = d->o->codec,
		.row_group_rows = d->o->row_group_rows,
		.row_group_bytes = GROUP_BYTES,
		.created_by = "tcpscope version " TCPSCOPE_VERSION,
	};
	char err[256];
	rc = pq_open(p->fd, d->cols, d->ncols, &po, &p->w, err, sizeof err);
	if (rc != 0) {
		part_abort(p);
		return ds_fail(d, rc == PQ_EINVAL ? DS_EVALUE : DS_EIO,
			       "%s: %s", p->tmp, err);
	}
	return 0;
}

/* The open file of (capture, date), opened (and another finished) when
 * needed; NULL after an error. */
static struct part *part_for(struct ds *d, int64_t capture, const char *date,
			     int *rc)
{
	struct part *lru = NULL;
	for (size_t i = 0; i < d->nparts; i++) {
		struct part *p = &d->parts[i];
		if (p->capture == capture && strcmp(p->date, date) == 0) {
			p->used = ++d->clock;
			return p;
		}
		if (!lru || p->used < lru->used)
			lru = p;
	}
	struct part *p;
	if (d->nparts < MAX_OPEN) {
		p = &d->parts[d->nparts++];
		p->w = NULL;
		p->fd = -1;
	} else {
		p = lru;
		if ((*rc = part_finish(d, p)) != 0)
			return NULL;
	}
	if ((*rc = part_open(d, p, capture, date)) != 0) {
		/* Not a partition any more: take it out of the list. */
		*p = d->parts[--d->nparts];
		return NULL;
	}
	p->used = ++d->clock;
	return p;
}

static int parts_finish(struct ds *d)
{
	int rc = 0;
	for (size_t i = 0; i < d->nparts; i++) {
		if (rc == 0)
			rc = part_finish(d, &d->parts[i]);
		else
			part_abort(&d->parts[i]);
	}
	d->nparts = 0;
	return rc;
}

static void parts_abort(struct ds *d)
{
	for (size_t i = 0; i < d->nparts; i++)
		part_abort(&d->parts[i]);
	d->nparts = 0;
}

static void table_free(struct ds *d)
{
	for (size_t i = 0; i < d->ncols; i++)
		free(d->names[i]);
	free(d->names);
	free(d->cols);
	d->names = NULL;
	d->cols = NULL;
	d->ncols = 0;
}

/* The Parquet type of a declared SQL type, -1 when it does not say. */
static int decl_type(const char *decl)
{
	if (!decl)
		return -1;
	char u[64];
	size_t n = 0;
	for (; decl[n] && n + 1 < sizeof u; n++)
		u[n] = (char)(decl[n] >= 'a' && decl[n] <= 'z' ? decl[n] - 32
							       : decl[n]);
	u[n] = '\0';
	if (strstr(u, "INT"))
		return PQ_INT64;
	if (strstr(u, "CHAR") || strstr(u, "CLOB") || strstr(u, "TEXT"))
		return PQ_STRING;
	if (strstr(u, "REAL") || strstr(u, "FLOA") || strstr(u, "DOUB"))
		return PQ_DOUBLE;
	return -1;
}

/* The type of the first non-NULL value of column col of d->table. */
static int infer_type(struct ds *d, const char *col, int *type)
{
	sqlite3_stmt *s;
	int rc = tableq_first_type(d->db, d->table, col, &s);
	if (rc == SQLITE_TOOBIG)
		return ds_fail(d, DS_EDB, "%s: name too long", col);
	if (rc != SQLITE_OK)
		return db_fail(d, d->table);
	rc = sqlite3_step(s);
	*type = PQ_STRING;
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t && strcmp(t, "integer") == 0)
			*type = PQ_INT64;
		else if (t && strcmp(t, "real") == 0)
			*type = PQ_DOUBLE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, d->table);
	return 0;
}

/* Reads the columns of d->table (tableq_columns()): *link how its rows
 * belong to a capture (TABLEQ_NONE: not exported); *ts the row's own
 * timestamp column or NULL. */
static int table_columns(struct ds *d, enum tableq_link *link,
			 const char **ts)
{
	char qt[600];
	if (tableq_quote(qt, sizeof qt, d->table) != 0)
		return ds_fail(d, DS_EDB, "%s: name too long", d->table);
	sqlite3_stmt *s;
	if (tableq_columns(d->db, d->table, &s) != SQLITE_OK)
		return db_fail(d, d->table);
	int rc, err = 0;
	size_t cap = 0;
	*link = tableq_link_of(d->table);
	*ts = NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name =
		    (const char *)sqlite3_column_text(s, TABLEQ_COL_NAME);
		const char *decl =
		    (const char *)sqlite3_column_text(s, TABLEQ_COL_TYPE);
		if (!name)
			continue;
		if (d->ncols == cap) {
			cap = cap ? cap * 2 : 32;
			struct pq_column *c = realloc(d->cols, cap * sizeof *c);
			char **nm = c ? realloc(d->names, cap * sizeof *nm)
				      : NULL;
			if (c)
				d->cols = c;
			if (nm)
				d->names = nm;
			if (!c || !nm) {
				err = ds_fail(d, DS_EDB, "out of memory");
				break;
			}
		}
		char *n = strdup(name);
		if (!n) {
			err = ds_fail(d, DS_EDB, "out of memory");
			break;
		}
		d->names[d->ncols] = n;
		struct pq_column *c = &d->cols[d->ncols++];
		c->name = n;
		int t = decl_type(decl);
		int rowid = sqlite3_column_int(s, TABLEQ_COL_PK) == 1 &&
			    sqlite3_column_int(s, TABLEQ_COL_NPK) == 1 && decl &&
			    strcasecmp(decl, "INTEGER") == 0;
		c->flags = sqlite3_column_int(s, TABLEQ_COL_NOTNULL) || rowid
				   ? 0
				   : PQ_OPTIONAL;
		c->type = t < 0 ? PQ_STRING : (enum pq_type)t;
		if (t < 0) {
			if ((err = infer_type(d, n, &t)) != 0)
				break;
			c->type = (enum pq_type)t;
		}
		if (c->type == PQ_STRING)
			c->flags |= PQ_DICT;
		if (tableq_link_column(link, n) && !*ts)
			*ts = c->name;
	}
	if (!err && rc != SQLITE_DONE)
		err = db_fail(d, d->table);
	sqlite3_finalize(s);
	return err;
}

/* The date partition of a timestamp (ns since the epoch, UTC). */
static void ts_date(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	if (sqlite3_column_type(s, i) != SQLITE_INTEGER) {
		snprintf(buf, len, NO_DATE);
		return;
	}
	int64_t ns = sqlite3_column_int64(s, i);
	int64_t sec = ns / 1000000000;
	if (ns % 1000000000 < 0)
		sec--;
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999 ||
	    strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, NO_DATE);
}

/* One value of the row into column i of p. */
static int put_value(struct ds *d, struct part *p, sqlite3_stmt *s, size_t i)
{
	const struct pq_column *c = &d->cols[i];
	int si = (int)i + 2, t = sqlite3_column_type(s, si), rc;
	static const char *const tn[] = { "", "INTEGER", "REAL", "TEXT",
					  "BLOB", "NULL" };
	if (t == SQLITE_NULL) {
		rc = pq_put_null(p->w, i);
	} else if (c->type == PQ_INT64 && t == SQLITE_INTEGER) {
		rc = pq_put_int64(p->w, i, sqlite3_column_int64(s, si));
	} else if (c->type == PQ_DOUBLE &&
		   (t == SQLITE_INTEGER || t == SQLITE_FLOAT)) {
		rc = pq_put_double(p->w, i, sqlite3_column_double(s, si));
	} else if (c->type == PQ_STRING) {
		const uint8_t *v = t == SQLITE_BLOB
					   ? sqlite3_column_blob(s, si)
					   : sqlite3_column_text(s, si);
		size_t n = (size_t)sqlite3_column_bytes(s, si);
		if (!v && n)
			return ds_fail(d, DS_EDB, "%s.%s: out of memory",
				       d->table, c->name);
		if (v && !pq_utf8_valid(v, n)) {
			if (n * 3 > d->fix_cap) {
				uint8_t *f = realloc(d->fix, n * 3);
				if (!f)
					return ds_fail(d, DS_EDB, "out of"
						       " memory");
				d->fix = f;
				d->fix_cap = n * 3;
			}
			n = ds_utf8_repair(v, n, d->fix);
			v = d->fix;
		}
		rc = pq_put_string(p->w, i, v ? (const void *)v : "", n);
	} else {
		return ds_fail(d, DS_EVALUE, "%s.%s: a %s value in a column of"
			       " type %s", d->table, c->name,
			       tn[t >= 1 && t <= 5 ? t : 0],
			       c->type == PQ_INT64 ? "INTEGER" : "REAL");
	}
	if (rc == PQ_EINVAL)
		return ds_fail(d, DS_EVALUE, "%s: %s", d->table,
			       pq_errmsg(p->w));
	if (rc != 0)
		return ds_fail(d, DS_EIO, "%s: %s", p->tmp, pq_errmsg(p->w));
	return 0;
}

static int export_table(struct ds *d)
{
	enum tableq_link link = TABLEQ_NONE;
	const char *ts = NULL;
	int rc = table_columns(d, &link, &ts);
	if (rc != 0 || link == TABLEQ_NONE || d->ncols == 0)
		return rc;
	/* Column 0 the row's capture, 1 its timestamp, then d->names. */
	sqlite3_stmt *s;
	rc = tableq_rows(d->db, d->table, link, ts, d->names, d->ncols,
			 d->o->capture, &s);
	if (rc == SQLITE_NOMEM)
		return ds_fail(d, DS_EDB, "out of memory");
	if (rc == SQLITE_TOOBIG)
		return ds_fail(d, DS_EDB, "%s: name too long", d->table);
	if (rc != SQLITE_OK)
		return db_fail(d, d->table);
	d->st->tables++;
	rc = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char date[32];
		ts_date(s, 1, date, sizeof date);
		struct part *p = part_for(d, sqlite3_column_int64(s, 0), date,
					  &rc);
		if (!p)
			break;
		for (size_t i = 0; rc == 0 && i < d->ncols; i++)
			rc = put_value(d, p, s, i);
		if (rc == 0 && (rc = pq_end_row(p->w)) != 0)
			rc = ds_fail(d, rc == PQ_EINVAL ? DS_EVALUE : DS_EIO,
				     "%s: %s", p->tmp, pq_errmsg(p->w));
		if (rc)
			break;
		d->st->rows++;
		if (d->o->stop && *d->o->stop) {
			rc = ds_fail(d, DS_EINTR, "interrupted: the files"
				     " of this run removed");
			break;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(d, d->table);
	sqlite3_finalize(s);
	if (rc == 0)
		rc = parts_finish(d);
	else
		parts_abort(d);
	return rc;
}

int ds_export(sqlite3 *db, const struct ds_options *o, struct ds_stats *st,
	      char *err, size_t errlen)
{
	struct ds d = { .db = db, .o = o, .st = st, .err = err,
			.errlen = errlen };
	memset(st, 0, sizeof *st);
	if (!ds_sensor_ok(o->sensor))
		return ds_fail(&d, DS_EVALUE, "'%s': not a sensor name",
			       o->sensor ? o->sensor : "");
	int rc = make_dirs(&d, o->dir);
	if (rc)
		return rc;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(&d, "begin");
	sqlite3_stmt *s;
	if (tableq_tables(db, &s) != SQLITE_OK) {
		rc = db_fail(&d, "tables");
		goto out;
	}
	/* The names first: each table's own statement runs after. */
	char **names = NULL;
	size_t n = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (!nn || !t || !(nn[n] = strdup(t))) {
			names = nn ? nn : names;
			rc = ds_fail(&d, DS_EDB, "out of memory");
			break;
		}
		names = nn;
		n++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_fail(&d, "tables");
	sqlite3_finalize(s);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		d.table = names[i];
		rc = export_table(&d);
		table_free(&d);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(d.fix);
out:
	table_free(&d);
	sqlite3_finalize(d.sensor_q);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	/* All or nothing: a failed run takes back the files it made. */
	for (size_t i = 0; i < d.ndone; i++) {
		if (rc != 0)
			unlink(d.done[i]);
		free(d.done[i]);
	}
	free(d.done);
	if (rc != 0)
		st->files = st->rows = 0;
	return rc;
}

/* ---- For read and live ---------------------------------------------------- */

int ds_sensor_arg(const char *cmd, const char *s)
{
	if (ds_sensor_ok(s))
		return 0;
	fprintf(stderr, "tcpscope %s: --sensor: letters, digits, '.', '_' and"
			" '-' only, not starting with '.'\n", cmd);
	return -1;
}

int ds_export_capture(const char *cmd, const char *what, const char *db,
		      const char *dir, const char *sensor, int64_t id)
{
	struct store *st;
	char err[600], host[256];
	if (!sensor) {
		ds_host_sensor(host, sizeof host);
		sensor = host;
	}
	struct ds_options o = { .dir = dir, .sensor = sensor,
				.codec = PQ_ZSTD, .capture = id };
	struct ds_stats stats;
	int rc = store_open(db, STORE_RDONLY, &st, err, sizeof err);
	if (rc == 0) {
		rc = ds_export(store_db(st), &o, &stats, err, sizeof err);
		store_close(st);
	}
	if (rc != 0) {
		char why[700];
		fprintf(stderr, "tcpscope %s: %s: --parquet: %s\n", cmd, what,
			out_esc(err, why, sizeof why));
		return -1;
	}
	return 0;
}
