/*
 * cmd_query.c - `tcpscope query [-d DB] [--format tsv|csv|json|table] SQL`:
 * runs SQL on a read-only connection to the database and prints the rows.
 *
 * The store opens the file with SQLITE_OPEN_READONLY and sets PRAGMA
 * query_only, and ATTACH is disabled, so no statement can change anything;
 * an import or a live capture may write at the same time (WAL, busy
 * timeout). SQL may hold several statements; each that returns columns
 * prints a header line then its rows. "-" reads the SQL from stdin.
 *
 * Formats: tsv (default; NULL is empty, tab, newline, CR and backslash are
 * written \t \n \r \\), csv (RFC 4180), json (an array of objects per
 * statement, one object a line), table (aligned columns, read fully
 * before printing). Any SQLite error is one line on stderr and exit EX_DB.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../cmd.h"
#include "../output/out.h"
#include "../store/store.h"

enum fmt { F_TSV, F_CSV, F_JSON, F_TABLE };

static void query_usage(FILE *f)
{
	fprintf(f, "usage: tcpscope query [-d DB] [--format tsv|csv|json|table]"
		   " SQL\n"
		   "Runs SQL (or SQL read from stdin with -) on the database,"
		   " read-only.\n"
		   "  -d, --db DB       database (default $TCPSCOPE_DB or"
		   " tcpscope.db)\n"
		   "  -f, --format FMT  tsv (default), csv, json or table\n"
		   "The schema is in tcpscope-db(5).\n");
}

/* One-line error: newlines in SQLite messages become spaces. */
static void query_err(const char *path, const char *what, const char *msg)
{
	fprintf(stderr, "tcpscope query: %s: %s", path, what);
	if (msg) {
		fputs(": ", stderr);
		for (const char *p = msg; *p; p++)
			fputc(*p == '\n' ? ' ' : *p, stderr);
	}
	fputc('\n', stderr);
}

/* ---- Only reading -------------------------------------------------------
 *
 * The database is opened read-only (query_only), which stops writes; the
 * authorizer also stops what reads but leaks or reaches outside it:
 * functions that hand out pointers or load code (fts3_tokenizer(),
 * load_extension()), ATTACH, and pragmas that set something. Allowed:
 * SELECT and WITH, reading any table or view, every other function, and
 * the pragmas below with no argument (or a table name for the ones that
 * describe a table). */
static const char *const read_pragmas[] = {
    "table_info", "table_xinfo", "table_list", "index_list", "index_info",
    "index_xinfo", "foreign_key_list", "foreign_key_check",
    "integrity_check", "quick_check", "user_version", "schema_version",
    "data_version", "page_count", "page_size", "freelist_count",
    "database_list", "collation_list", "function_list", "module_list",
    "pragma_list", "compile_options", "encoding", "journal_mode",
    "application_id",
};
static const char *const denied_functions[] = {
    "fts3_tokenizer", "load_extension", "readfile", "writefile", "edit",
};

static char denied[160]; /* why the last statement was refused */

/* Refuses: "what why" becomes the message. */
static int deny(const char *what, const char *why)
{
	snprintf(denied, sizeof denied, "%s %s", what ? what : "?", why);
	return SQLITE_DENY;
}

static int table_pragma(const char *name)
{
	return strstr(name, "_info") || strstr(name, "_list") ||
	       strcmp(name, "foreign_key_check") == 0 ||
	       strcmp(name, "integrity_check") == 0 ||
	       strcmp(name, "quick_check") == 0;
}

static int authorize(void *arg, int action, const char *a1, const char *a2,
		     const char *db, const char *trigger)
{
	(void)arg;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		for (size_t i = 0; i < sizeof denied_functions /
					   sizeof *denied_functions; i++)
			if (a2 && sqlite3_stricmp(a2, denied_functions[i]) == 0)
				return deny(a2, "(a function) is not allowed:"
						" only reading");
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (size_t i = 0; a1 && i < sizeof read_pragmas /
						 sizeof *read_pragmas; i++)
			if (sqlite3_stricmp(a1, read_pragmas[i]) == 0 &&
			    (!a2 || table_pragma(read_pragmas[i])))
				return SQLITE_OK;
		return deny(a1, "(a PRAGMA, or with this argument) is not"
				" allowed: only reading (tcpscope-query(1))");
	case SQLITE_UPDATE:
		/* SQLite's own check when a table-valued pragma
		 * (pragma_table_info()...) is first used; query_only stops
		 * any real write. */
		if (a1 && sqlite3_stricmp(a1, "sqlite_master") == 0)
			return SQLITE_OK;
		return deny("not a query:", "the database is read-only here"
				" (only SELECT and reading PRAGMAs)");
	case SQLITE_ATTACH:
		return deny("ATTACH", "is not allowed: only this database");
	default:
		return deny("not a query:", "the database is read-only here"
				" (only SELECT and reading PRAGMAs)");
	}
}

static void put_tsv(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		default:
			/* Other controls as \xNN: nothing a terminal acts on. */
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				printf("\\x%02x", (unsigned char)*s);
			else
				putchar(*s);
			break;
		}
	}
}

static void put_csv(const char *s)
{
	if (strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void put_json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* Text of a column as tsv/csv/table show it; NULL -> "". Blobs as hex in
 * buf. */
static const char *cell_text(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	int t = sqlite3_column_type(s, i);
	if (t == SQLITE_NULL)
		return "";
	if (t == SQLITE_BLOB) {
		const unsigned char *b = sqlite3_column_blob(s, i);
		int n = sqlite3_column_bytes(s, i);
		size_t k = 0;
		for (int j = 0; j < n && k + 3 < len; j++)
			k += (size_t)snprintf(buf + k, len - k, "%02x", b[j]);
		buf[k] = '\0';
		return buf;
	}
	const unsigned char *x = sqlite3_column_text(s, i);
	return x ? (const char *)x : "";
}

static void put_json_value(sqlite3_stmt *s, int i)
{
	char buf[512];
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		fputs("null", stdout);
		break;
	case SQLITE_INTEGER:
		printf("%lld", (long long)sqlite3_column_int64(s, i));
		break;
	case SQLITE_FLOAT: {
		double d = sqlite3_column_double(s, i);
		if (isfinite(d))
			printf("%.17g", d);
		else
			fputs("null", stdout);
		break;
	}
	default:
		put_json_str(cell_text(s, i, buf, sizeof buf));
		break;
	}
}

/* Cells of a table, kept until every width is known. */
struct table {
	char **cell;
	size_t n, cap;
	int ncol;
};

static int table_add(struct table *t, const char *s)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		char **c = realloc(t->cell, cap * sizeof *c);
		if (!c)
			return -1;
		t->cell = c;
		t->cap = cap;
	}
	size_t len = strlen(s) + 1;
	char *d = malloc(len);
	if (!d)
		return -1;
	memcpy(d, s, len);
	t->cell[t->n++] = d;
	return 0;
}

static void table_print(struct table *t)
{
	if (t->ncol <= 0)
		return;
	size_t *w = calloc((size_t)t->ncol, sizeof *w);
	if (!w)
		return;
	for (size_t i = 0; i < t->n; i++) {
		size_t l = strlen(t->cell[i]);
		if (l > w[i % (size_t)t->ncol])
			w[i % (size_t)t->ncol] = l;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t c = i % (size_t)t->ncol;
		int last = c + 1 == (size_t)t->ncol;
		if (last)
			printf("%s\n", t->cell[i]);
		else
			printf("%-*s  ", (int)w[c], t->cell[i]);
		if (i + 1 == (size_t)t->ncol) { /* rule under the header */
			for (size_t k = 0; k < (size_t)t->ncol; k++) {
				for (size_t j = 0; j < w[k]; j++)
					putchar('-');
				fputs(k + 1 == (size_t)t->ncol ? "\n" : "  ",
				      stdout);
			}
		}
	}
	free(w);
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof *t);
}

/* Runs one prepared statement and prints its rows. Returns 0, or -1 after
 * printing the error. */
static int run_one(sqlite3 *db, sqlite3_stmt *s, enum fmt fmt, const char *path)
{
	int ncol = sqlite3_column_count(s);
	char buf[512];
	struct table t = {NULL, 0, 0, ncol};
	int oom = 0;
	/* Text on its way to a terminal (table; csv on a tty), escaped. */
	int tty = isatty(1);
	char *shown = NULL;
	size_t shown_len = 0;
	for (int i = 0; i < ncol; i++) {
		const char *name = sqlite3_column_name(s, i);
		if (!name)
			name = "?";
		switch (fmt) {
		case F_TSV:
			if (i)
				putchar('\t');
			put_tsv(name);
			break;
		case F_CSV:
			if (i)
				putchar(',');
			put_csv(name);
			break;
		case F_TABLE:
			oom |= table_add(&t, name);
			break;
		case F_JSON:
			break;
		}
	}
	if (ncol && (fmt == F_TSV || fmt == F_CSV))
		putchar('\n');
	if (ncol && fmt == F_JSON)
		putchar('[');
	int rc, rows = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && !oom) {
		if (fmt == F_JSON)
			fputs(rows ? ",\n{" : "\n{", stdout);
		for (int i = 0; i < ncol; i++) {
			const char *v = cell_text(s, i, buf, sizeof buf);
			size_t need = strlen(v) * 4 + 1;
			if ((fmt == F_TABLE || (fmt == F_CSV && tty)) &&
			    need > shown_len) {
				char *n = realloc(shown, need);
				if (!n) {
					oom = 1;
					break;
				}
				shown = n;
				shown_len = need;
			}
			switch (fmt) {
			case F_TSV:
				if (i)
					putchar('\t');
				put_tsv(v);
				break;
			case F_CSV:
				if (i)
					putchar(',');
				put_csv(tty ? out_esc(v, shown, shown_len) : v);
				break;
			case F_TABLE:
				oom |= table_add(&t, out_esc(v, shown,
							     shown_len));
				break;
			case F_JSON:
				if (i)
					putchar(',');
				put_json_str(sqlite3_column_name(s, i)
						 ? sqlite3_column_name(s, i)
						 : "?");
				putchar(':');
				put_json_value(s, i);
				break;
			}
		}
		if (fmt == F_TSV || fmt == F_CSV)
			putchar('\n');
		else if (fmt == F_JSON)
			putchar('}');
		rows++;
	}
	if (ncol && fmt == F_JSON)
		fputs(rows ? "\n]\n" : "]\n", stdout);
	if (fmt == F_TABLE && !oom && rc == SQLITE_DONE)
		table_print(&t);
	table_free(&t);
	free(shown);
	if (oom) {
		query_err(path, "query", "out of memory");
		return -1;
	}
	if (rc != SQLITE_DONE) {
		fflush(stdout);
		query_err(path, "query", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* Reads all of stdin; NULL on failure. */
static char *read_stdin(void)
{
	size_t n = 0, cap = 4096;
	char *b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n - 1, stdin);
		n += got;
		if (got == 0)
			break;
		if (cap - n < 2) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b)
		b[n] = '\0';
	if (ferror(stdin)) {
		free(b);
		return NULL;
	}
	return b;
}

int cmd_query(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	enum fmt fmt = F_TSV;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'f': {
			static const char *const names[] = { "tsv", "csv", "json",
							     "table", NULL };
			int i = out_choice("query", "format", optarg, names);
			if (i < 0)
				return EX_USAGE;
			fmt = (enum fmt)i;
			break;
		}
		case 'h':
			query_usage(stdout);
			return EX_OK;
		default: /* ':' and unknown options */
			return out_bad_option("query", c, argv);
		}
	}
	if (optind == argc) {
		fprintf(stderr, "tcpscope query: no SQL given: pass it as one"
				" argument, or - to read it from standard input\n");
		return EX_USAGE;
	}
	if (optind < argc - 1) {
		fprintf(stderr, "tcpscope query: %d arguments where one SQL text"
				" is expected (quote the SQL)\n", argc - optind);
		return EX_USAGE;
	}
	if (!path)
		path = store_default_path();
	char *sql_buf = NULL;
	const char *sql = argv[optind];
	if (strcmp(sql, "-") == 0) {
		if (!(sql_buf = read_stdin())) {
			fprintf(stderr, "tcpscope query: cannot read SQL from"
					" stdin\n");
			return EX_USAGE;
		}
		sql = sql_buf;
	}

	char err[512];
	struct store *st;
	if (store_open(path, STORE_RDONLY, &st, err, sizeof err) != 0) {
		fprintf(stderr, "tcpscope query: %s\n", err);
		free(sql_buf);
		return EX_DB;
	}
	sqlite3 *db = store_db(st);
	(void)sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0); /* returns old */
	if (sqlite3_set_authorizer(db, authorize, NULL) != SQLITE_OK) {
		query_err(path, "query", sqlite3_errmsg(db));
		store_close(st);
		free(sql_buf);
		return EX_DB;
	}
	int status = EX_OK;
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *s = NULL;
		denied[0] = '\0';
		int rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
		if (rc != SQLITE_OK) {
			query_err(path, "query",
				  denied[0] ? denied : sqlite3_errmsg(db));
			status = EX_DB;
			break;
		}
		if (!s) /* whitespace or a comment */
			continue;
		if (run_one(db, s, fmt, path) != 0)
			status = EX_DB;
		rc = sqlite3_finalize(s);
		if (status == EX_OK && rc != SQLITE_OK) {
			query_err(path, "query", sqlite3_errmsg(db));
			status = EX_DB;
		}
		if (status != EX_OK)
			break;
	}
	store_close(st);
	free(sql_buf);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "tcpscope query: cannot write the output\n");
		return status == EX_OK ? EX_FAIL : status;
	}
	return status;
}
