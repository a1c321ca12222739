/*
 * test_out.c - unit tests of analyzer/output/out.c (JSON and CSV quoting, time
 * parsing and formatting, aligned tables and their narrowing) and of the
 * pure parts of analyzer/query/flowsel.c (endpoints, filter values, in_net()).
 * Output is written to memory with open_memstream() and compared.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/cmd.h"
#include "../analyzer/query/flowsel.h"
#include "../analyzer/output/out.h"
#include "unit.h"

/* Writes s as JSON (or CSV) into a string; the caller frees it. */
static char *capture_json(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	out_json_str(f, s);
	fclose(f);
	return buf;
}

static char *capture_csv(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	out_csv_field(f, s);
	fclose(f);
	return buf;
}

static void t_json_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "t\tn\nr\r", "\"t\\tn\\nr\\r\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },          /* valid UTF-8 kept */
		{ "bad\xff", "\"bad\\ufffd\"" },               /* invalid byte */
		{ "\xc3", "\"\\ufffd\"" },                     /* cut sequence */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* surrogate */
		{ "\xe2\x82\xac!", "\"\xe2\x82\xac!\"" },       /* euro sign */
		{ "", "\"\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = capture_json(cases[i].in);
		CHECK(got != NULL);
		int same = strcmp(got, cases[i].out) == 0;
		if (!same)
			printf("  case %zu: got %s\n", i, got);
		free(got);
		CHECK(same);
	}
	char *n = capture_json(NULL);
	CHECK_STR(n, "null");
	free(n);
}

static void t_csv_quote(void)
{
	char *a = capture_csv("simple");
	char *b = capture_csv("a,b");
	char *c = capture_csv("say \"hi\"");
	char *d = capture_csv("two\nlines");
	char *e = capture_csv(NULL);
	int ok = a && b && c && d && e && strcmp(a, "simple") == 0 &&
		 strcmp(b, "\"a,b\"") == 0 && strcmp(c, "\"say \"\"hi\"\"\"") == 0 &&
		 strcmp(d, "\"two\nlines\"") == 0 && strcmp(e, "") == 0;
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	CHECK(ok);
}

static void t_parse_time(void)
{
	int64_t ns;
	CHECK_EQ(out_parse_time("1258562728", &ns), 0);
	CHECK_EQ(ns, 1258562728000000000LL);
	CHECK_EQ(out_parse_time("1258562728.5", &ns), 0);
	CHECK_EQ(ns, 1258562728500000000LL);
	CHECK_EQ(out_parse_time("1258562728.123456789123", &ns), 0);
	CHECK_EQ(ns, 1258562728123456789LL);
	CHECK_EQ(out_parse_time("2009-11-18T16:45:28Z", &ns), 0);
	CHECK_EQ(ns, 1258562728000000000LL);
	CHECK_EQ(out_parse_time("2009-11-18 16:45:28.25", &ns), 0);
	CHECK_EQ(ns, 1258562728250000000LL);
	CHECK_EQ(out_parse_time("2009-11-18T17:45:28+01:00", &ns), 0);
	CHECK_EQ(ns, 1258562728000000000LL);
	CHECK_EQ(out_parse_time("2009-11-18T11:45:28-0500", &ns), 0);
	CHECK_EQ(ns, 1258562728000000000LL);
	CHECK_EQ(out_parse_time("2009-11-18", &ns), 0);
	CHECK_EQ(ns, 1258502400000000000LL);
	CHECK_EQ(out_parse_time("1970-01-01T00:00", &ns), 0);
	CHECK_EQ(ns, 0);
	CHECK_EQ(out_parse_time("2000-03-01", &ns), 0); /* after a leap day */
	CHECK_EQ(ns, 951868800000000000LL);
	const char *bad[] = { "", "yesterday", "2009-13-01", "2009-11-18T25:00",
			      "2009-11-18X", "12.", "1e9", "-5", "2009-11-18T16",
			      "99999999999", NULL };
	for (int i = 0; bad[i]; i++)
		CHECK_EQ(out_parse_time(bad[i], &ns), -1);
}

static void t_format_time(void)
{
	char b[64];
	CHECK_STR(out_ts_sec9(b, sizeof b, 1258562728000000001LL),
		  "1258562728.000000001");
	CHECK_STR(out_ts_sec9(b, sizeof b, 0), "0.000000000");
	CHECK_STR(out_ts_sec9(b, sizeof b, -1500000000LL), "-1.500000000");
	CHECK_STR(out_ts_utc(b, sizeof b, 1258562728123456789LL),
		  "2009-11-18 16:45:28.123456");
	CHECK_STR(out_dur(b, sizeof b, 845000), "845us");
	CHECK_STR(out_dur(b, sizeof b, 12300000), "12.300ms");
	CHECK_STR(out_dur(b, sizeof b, 2152400), "2.152ms");
	CHECK_STR(out_dur(b, sizeof b, 4210000000LL), "4.210s");
	CHECK_STR(out_dur(b, sizeof b, 185000000000LL), "3m05s");
	CHECK_STR(out_dur(b, sizeof b, 7260000000000LL), "2h01m");
	CHECK_STR(out_dur(b, sizeof b, -1), "-");
}

static char *print_table(struct out_table *t, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	out_table_print(f, t, width, 0);
	fclose(f);
	return buf;
}

/* out_i64, out_ms3 and out_ts_sec9 write what printf writes, on edge
 * values and on a million pseudo-random ones of every magnitude. */
static void t_numbers_as_printf(void)
{
	static const int64_t edge[] = {
		0, 1, -1, 9, 10, 499, 500, 501, 999, 1000, 1499, 1500, 1501,
		999499, 999500, 999501, 1000000, 123456789, -500, -1500,
		-999999, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
		(INT64_C(1) << 52) + 500, (INT64_C(1) << 53) - 1,
	};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int bad = 0;
	for (int i = 0; i < 1000000 + (int)(sizeof edge / sizeof edge[0]);
	     i++) {
		int64_t v;
		if (i < (int)(sizeof edge / sizeof edge[0])) {
			v = edge[i];
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = (int64_t)(x >> (x % 64));
			if (x & 1)
				v = -v;
		}
		char want[3][64], got[3][64];
		snprintf(want[0], sizeof want[0], "%lld", (long long)v);
		snprintf(want[1], sizeof want[1], "%.3f", (double)v / 1e6);
		snprintf(want[2], sizeof want[2], "%s%llu.%09llu",
			 v < 0 ? "-" : "",
			 (unsigned long long)((v < 0 ? 0 - (uint64_t)v
						     : (uint64_t)v) /
					      1000000000u),
			 (unsigned long long)((v < 0 ? 0 - (uint64_t)v
						     : (uint64_t)v) %
					      1000000000u));
		for (int k = 0; k < 2; k++) {
			FILE *f = fmemopen(got[k], sizeof got[k], "w");
			if (!f) {
				bad++;
				break;
			}
			if (k == 0)
				out_i64(f, v);
			else
				out_ms3(f, v);
			fputc('\0', f);
			fclose(f);
		}
		out_ts_sec9(got[2], sizeof got[2], v);
		for (int k = 0; k < 3; k++)
			if (strcmp(want[k], got[k]) != 0 && bad++ < 5)
				fprintf(stderr, "# %lld: want %s got %s\n",
					(long long)v, want[k], got[k]);
		/* The row buffer's writers give the same text. */
		struct out_buf b = { 0 };
		for (int k = 0; k < 3; k++) {
			b.len = 0;
			if (k == 0)
				out_buf_i64(&b, v);
			else if (k == 1)
				out_buf_ms3(&b, v);
			else
				out_buf_sec9(&b, v);
			out_buf_c(&b, '\0');
			if ((b.failed || strcmp(want[k], b.p) != 0) && bad++ < 5)
				fprintf(stderr, "# buf %lld: want %s got %s\n",
					(long long)v, want[k],
					b.failed ? "(failed)" : b.p);
		}
		/* %.0f of doubles of every magnitude, halves among them. */
		double d = (double)v / (double)(1 + (x % 4096)) / 2;
		for (int k = 0; k < 2; k++, d = (double)(v % 1000) + 0.5) {
			snprintf(want[0], sizeof want[0], "%.0f", d);
			b.len = 0;
			out_buf_f0(&b, d);
			out_buf_c(&b, '\0');
			if ((b.failed || strcmp(want[0], b.p) != 0) && bad++ < 5)
				fprintf(stderr, "# f0 %.17g: want %s got %s\n",
					d, want[0], b.failed ? "(failed)" : b.p);
		}
		out_buf_free(&b);
	}
	static const double fedge[] = { 0.5, 1.5, 2.5, -0.5, -0.4, -1.5, 1e300,
					-1e300, 9.3e18, 9.1e18, 4503599627370497.0 };
	for (size_t i = 0; i < sizeof fedge / sizeof *fedge; i++) {
		char want[400];
		struct out_buf b = { 0 };
		snprintf(want, sizeof want, "%.0f", fedge[i]);
		out_buf_f0(&b, fedge[i]);
		out_buf_c(&b, '\0');
		if ((b.failed || strcmp(want, b.p) != 0) && bad++ < 10)
			fprintf(stderr, "# f0 %g: want %s\n", fedge[i], want);
		out_buf_free(&b);
	}
	CHECK_EQ(bad, 0);
}

/* A row built in an out_buf: JSON strings as out_json_str writes them,
 * lengths cut inside a UTF-8 sequence, growth past the first block, and
 * one write per flush. */
static void t_row_buffer(void)
{
	static const char *const strs[] = {
		"plain", "a\"b\\c", "t\tn\nr\r", "\x01\x1f", "caf\xc3\xa9",
		"bad\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82\xac!", "",
	};
	struct out_buf b = { 0 };
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
		char *want = capture_json(strs[i]);
		b.len = 0;
		out_buf_json_str(&b, strs[i]);
		out_buf_c(&b, '\0');
		CHECK(want != NULL && !b.failed);
		CHECK_STR(b.p, want);
		free(want);
	}
	b.len = 0;
	out_buf_json_str(&b, NULL);
	out_buf_c(&b, '\0');
	CHECK_STR(b.p, "null");
	/* "caf\xc3\xa9" cut after the \xc3: the cut sequence is not UTF-8 */
	b.len = 0;
	out_buf_json_mem(&b, "caf\xc3\xa9", 4);
	out_buf_c(&b, '\0');
	CHECK_STR(b.p, "\"caf\\ufffd\"");
	b.len = 0;
	out_buf_json_mem(&b, "ESTABLISHED FIN-WAIT-1", 11);
	out_buf_c(&b, '\0');
	CHECK_STR(b.p, "\"ESTABLISHED\"");
	/* 100k rows of 11 bytes: the buffer grows, nothing is lost. */
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	CHECK(f != NULL);
	b.len = 0;
	for (int i = 0; i < 100000; i++) {
		out_buf_s(&b, "row ");
		out_buf_i64(&b, 1000000 + i);
		out_buf_c(&b, '\n');
		if (i % 3000 == 0)
			CHECK_EQ(out_buf_flush(&b, f), 0);
	}
	CHECK_EQ(out_buf_flush(&b, f), 0);
	CHECK_EQ(b.len, 0);
	fclose(f);
	CHECK_EQ(memlen, 100000 * 12);
	CHECK(strncmp(mem + 12 * 99999, "row 1099999\n", 12) == 0);
	free(mem);
	/* A row after a failed allocation is incomplete: its flush writes
	 * nothing and says so. */
	b.failed = 1;
	out_buf_s(&b, "lost");
	CHECK_EQ(out_buf_flush(&b, stdout), -1);
	CHECK_EQ(b.len, 0);
	out_buf_free(&b);
	CHECK(b.p == NULL && b.cap == 0 && !b.failed);
}

static void t_table(void)
{
	const char *heads[] = { "ID", "NAME", "N" };
	struct out_table *t = out_table_new(3, heads);
	CHECK(t != NULL);
	out_table_right(t, 0);
	out_table_right(t, 2);
	const char *r1[] = { "1", "alpha", "10" };
	const char *r2[] = { "22", "a much longer name", "3" };
	const char *r3[] = { "3", NULL, "\xc3\xa9t\xc3\xa9" }; /* NULL is "-" */
	CHECK_EQ(out_table_add(t, r1, OUT_PLAIN), 0);
	CHECK_EQ(out_table_add(t, r2, OUT_WARN), 0);
	CHECK_EQ(out_table_add(t, r3, OUT_PLAIN), 0);
	CHECK_EQ(out_table_rows(t), 3);
	char *s = print_table(t, 0);
	const char *want = "ID  NAME                  N\n"
			   " 1  alpha                10\n"
			   "22  a much longer name    3\n"
			   " 3  -                   \xc3\xa9t\xc3\xa9\n";
	int ok = s && strcmp(s, want) == 0;
	if (!ok)
		printf("  got:\n%s", s ? s : "(null)");
	free(s);
	if (!ok) {
		out_table_free(t);
		CHECK(ok);
	}
	/* 20 columns: the widest (NAME) is cut with '~', not below its
	 * header; every line fits. */
	s = print_table(t, 20);
	want = "ID  NAME           N\n"
	       " 1  alpha         10\n"
	       "22  a much lon~    3\n"
	       " 3  -            \xc3\xa9t\xc3\xa9\n";
	ok = s && strcmp(s, want) == 0;
	if (!ok)
		printf("  got:\n%s", s ? s : "(null)");
	free(s);
	/* A hidden column is left out, its separator too. */
	struct out_table *h = out_table_new(3, heads);
	CHECK(h != NULL);
	out_table_right(h, 0);
	out_table_right(h, 2);
	CHECK_EQ(out_table_add(h, r1, OUT_PLAIN), 0);
	CHECK_EQ(out_table_add(h, r2, OUT_PLAIN), 0);
	out_table_hide(h, 1);
	s = print_table(h, 0);
	out_table_free(h);
	want = "ID   N\n"
	       " 1  10\n"
	       "22   3\n";
	if (!s || strcmp(s, want) != 0) {
		printf("  got:\n%s", s ? s : "(null)");
		ok = 0;
	}
	free(s);
	/* 8 columns: even narrowed it cannot fit; lines are cut. */
	s = print_table(t, 8);
	int fits = s != NULL;
	for (char *p = s; fits && p && *p;) {
		char *nl = strchr(p, '\n');
		size_t w = 0;
		for (char *q = p; q < nl; q++)
			w += ((unsigned char)*q & 0xc0) != 0x80;
		fits = w <= 8;
		p = nl + 1;
	}
	free(s);
	out_table_free(t);
	CHECK(ok);
	CHECK(fits);
}

static void t_endpoint(void)
{
	char ip[64];
	int port;
	CHECK_EQ(fsel_parse_endpoint("10.0.0.1:80", ip, sizeof ip, &port), 0);
	CHECK_STR(ip, "10.0.0.1");
	CHECK_EQ(port, 80);
	CHECK_EQ(fsel_parse_endpoint("10.0.0.1", ip, sizeof ip, &port), 0);
	CHECK_EQ(port, -1);
	CHECK_EQ(fsel_parse_endpoint("[2001:DB8:0::1]:443", ip, sizeof ip, &port), 0);
	CHECK_STR(ip, "2001:db8::1");
	CHECK_EQ(port, 443);
	CHECK_EQ(fsel_parse_endpoint("2001:db8::1", ip, sizeof ip, &port), 0);
	CHECK_EQ(port, -1);
	CHECK_EQ(fsel_parse_endpoint("[2001:db8::1]", ip, sizeof ip, &port), 0);
	const char *bad[] = { "10.0.0.1:99999", "10.0.0.1:", "[::1", "[::1]x",
			      "host:80", "10.0.0.256", "10.0.0.1:8x", "", NULL };
	for (int i = 0; bad[i]; i++)
		CHECK_EQ(fsel_parse_endpoint(bad[i], ip, sizeof ip, &port), -1);
}

static void t_filters(void)
{
	struct fsel fs;
	char err[1024], buf[4096];
	fsel_init(&fs);
	CHECK_EQ(fsel_add(&fs, "port", "80", err, sizeof err), 0);
	CHECK_EQ(fsel_add(&fs, "state", "time_wait", err, sizeof err), 0);
	CHECK_EQ(fsel_add(&fs, "client", "[2001:db8::1]:5", err, sizeof err), 0);
	CHECK_EQ(fsel_add(&fs, "min-bytes", "1.5k", err, sizeof err), EX_USAGE);
	CHECK_EQ(fsel_add(&fs, "min-bytes", "2k", err, sizeof err), 0);
	CHECK_EQ(fsel_add(&fs, "min-duration", "0.25", err, sizeof err), 0);
	CHECK_EQ(fs.nparams, 8);
	CHECK_STR(fs.params[2].t, "TIME-WAIT");
	CHECK_STR(fs.params[4].t, "2001:db8::1");
	CHECK_EQ(fs.params[5].i, 5);
	CHECK_EQ(fs.params[6].i, 2000);
	CHECK_EQ(fs.params[7].i, 250000000);
	CHECK_EQ(fsel_from_where(&fs, buf, sizeof buf), 0);
	CHECK(strstr(buf, "(k.complete = 1 OR k.live = 1) AND (c.client_port = ?") != NULL);
	/* No value is ever pasted into the SQL. */
	CHECK(strstr(buf, "2001") == NULL && strstr(buf, "TIME") == NULL);
	CHECK_EQ(fsel_add(&fs, "close", "rst", err, sizeof err), EX_USAGE);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_EQ(fsel_add(&fs, "net", "10.0.0.0/33", err, sizeof err), EX_USAGE);
	CHECK_EQ(fsel_add(&fs, "bogus", "1", err, sizeof err), EX_USAGE);
	CHECK(fsel_is_filter("conn-state"));
	CHECK(!fsel_is_filter("format"));
}

static void t_in_net(void)
{
	sqlite3 *db;
	CHECK_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_EQ(fsel_register(db), 0);
	static const struct {
		const char *sql;
		int want; /* -1: NULL */
	} cases[] = {
		{ "SELECT in_net('10.1.2.3', '10.0.0.0/8')", 1 },
		{ "SELECT in_net('11.1.2.3', '10.0.0.0/8')", 0 },
		{ "SELECT in_net('192.168.1.129', '192.168.1.128/25')", 1 },
		{ "SELECT in_net('192.168.1.127', '192.168.1.128/25')", 0 },
		{ "SELECT in_net('10.0.0.1', '10.0.0.1')", 1 },
		{ "SELECT in_net('10.0.0.1', '0.0.0.0/0')", 1 },
		{ "SELECT in_net('2001:db8::1', '2001:db8::/32')", 1 },
		{ "SELECT in_net('2001:db9::1', '2001:db8::/32')", 0 },
		{ "SELECT in_net('2001:db8::1', '10.0.0.0/8')", 0 },
		{ "SELECT in_net('10.0.0.1', '::/0')", 0 },
		{ "SELECT in_net('fe80::1', 'fe80::/10')", 1 },
		{ "SELECT in_net('fec0::1', 'fe80::/10')", 0 },
		{ "SELECT in_net(NULL, '10.0.0.0/8')", -1 },
		{ "SELECT in_net('10.0.0.1', 'junk')", -1 },
	};
	int ok = 1;
	for (size_t i = 0; ok && i < sizeof cases / sizeof cases[0]; i++) {
		sqlite3_stmt *st;
		ok = sqlite3_prepare_v2(db, cases[i].sql, -1, &st, NULL) == SQLITE_OK &&
		     sqlite3_step(st) == SQLITE_ROW;
		if (ok) {
			int got = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 :
				  sqlite3_column_int(st, 0);
			ok = got == cases[i].want;
			if (!ok)
				printf("  %s gave %d\n", cases[i].sql, got);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	CHECK(ok);
}

/* out_esc(): what a terminal acts on becomes \xNN, UTF-8 text stays. */
static void t_terminal_escape(void)
{
	char b[64];
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain.pcap", "plain.pcap"},
	    {"a\033]0;x\007b", "a\\x1b]0;x\\x07b"},
	    {"del\177", "del\\x7f"},
	    {"\xc2\x9b" "2J", "\\xc2\\x9b2J"},         /* C1 CSI */
	    {"caf\xc3\xa9", "caf\xc3\xa9"},              /* UTF-8 kept */
	    {"bad\xff\xc3", "bad\\xff\\xc3"},          /* not UTF-8 */
	    {"tab\tnl\n", "tab\\x09nl\\x0a"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK_STR(out_esc(cases[i].in, b, sizeof b), cases[i].out);
	/* Cut whole: never half an escape. */
	CHECK_STR(out_esc("ab\033", b, 6), "ab");
	CHECK_STR(out_esc(NULL, b, sizeof b), "");
}

static const struct unit_test tests[] = {
	UNIT(t_terminal_escape),
	UNIT(t_json_escape), UNIT(t_csv_quote), UNIT(t_parse_time),
	UNIT(t_format_time), UNIT(t_table),     UNIT(t_endpoint),
	UNIT(t_filters),     UNIT(t_in_net),    UNIT(t_numbers_as_printf),
	UNIT(t_row_buffer),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
