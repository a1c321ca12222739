/*
 * out.h - writing helpers of the report commands (flows, timeline, report,
 * extract): JSON and CSV quoting, aligned text tables, terminal width and
 * colour, and time formatting. Every function writes to the FILE it is
 * given, or into an out_buf (a row built in memory and written with one
 * call, for listings of many rows); none exits. Prefix: out_.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* a - b for nanosecond times read from a database or a capture,
 * saturated: stamps may lie anywhere in int64_t (review F2). */
static inline int64_t out_tdiff(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_sub_overflow(a, b, &r))
		return a < b ? INT64_MIN : INT64_MAX;
	return r;
}

/* ---- Terminal ----------------------------------------------------------- */

/* Width of the terminal f writes to (ioctl TIOCGWINSZ), or 0 when f is not
 * a terminal or the width is unknown (0 means "no limit"). */
int out_term_width(FILE *f);

/* 1 when colour should be used on f: f is a terminal and NO_COLOR is unset
 * or empty. */
int out_want_colour(FILE *f);

/* When standard output is a terminal, sends it through a pager, as git
 * does: $TCPSCOPE_PAGER, else $PAGER, else "less" when it is installed
 * (run by /bin/sh), with
 * LESS=FRX unless LESS is set, so a short output prints as it is and
 * colours pass. An empty value or "cat" means no pager. out_term_width()
 * and out_want_colour() on stdout keep answering for the terminal.
 * Call out_pager_end() when the output is complete. */
void out_pager_start(void);

/* Flushes standard output, closes it to the pager and waits for the pager
 * (the user reading and quitting it). Returns 1 when writing failed, but
 * not because the user quit the pager early. Without a pager it is only
 * the flush and the check. */
int out_pager_end(void);

/* Colour roles. out_sgr() returns the escape sequence that starts a role,
 * or "" when colour is off; OUT_RESET ends it. */
enum out_role {
	OUT_PLAIN,
	OUT_HEAD,   /* table header, section titles */
	OUT_CLIENT, /* client side, client -> server arrows */
	OUT_SERVER, /* server side, server -> client arrows */
	OUT_STATE,  /* a state change */
	OUT_WARN,   /* anomalies: retransmission, zero window... */
	OUT_BAD,    /* resets, refusals */
	OUT_DIM     /* secondary detail */
};
const char *out_sgr(int colour, enum out_role role);
#define OUT_RESET(colour) ((colour) ? "\033[0m" : "")

/* ---- Quoting ------------------------------------------------------------ */

/* Writes s as a JSON string with its quotes ("null" when s is NULL).
 * Escapes quote, backslash and control characters; bytes >= 0x80 pass
 * through when they form valid UTF-8 and become \ufffd otherwise. */
void out_json_str(FILE *f, const char *s);

/* ---- Row buffers ------------------------------------------------------- */

/* A row built in memory: a listing of 25k connections writes 120 MB of
 * JSON, and a stdio call per field costs more than the formatting. The
 * caller owns it: zeroed to start, out_buf_free() at the end. After a
 * failed allocation `failed` is set: what it holds is incomplete, and
 * out_buf_flush() writes none of it. */
struct out_buf {
	char *p;
	size_t len, cap;
	int failed;
};
/* Room for n more bytes: 0, or -1 (failed set). */
int out_buf_grow(struct out_buf *b, size_t n);
static inline int out_buf_reserve(struct out_buf *b, size_t n)
{
	return b->cap - b->len >= n ? 0 : out_buf_grow(b, n);
}
void out_buf_free(struct out_buf *b);
/* Writes the row to f and empties b: 0, or -1 when b failed or f did. */
int out_buf_flush(struct out_buf *b, FILE *f);
static inline void out_buf_mem(struct out_buf *b, const void *s, size_t n)
{
	if (out_buf_reserve(b, n) == 0) {
		__builtin_memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}
static inline void out_buf_c(struct out_buf *b, char c)
{
	if (out_buf_reserve(b, 1) == 0)
		b->p[b->len++] = c;
}
/* (inline, so that the length of a literal is known when compiling) */
static inline void out_buf_s(struct out_buf *b, const char *s)
{
	out_buf_mem(b, s, __builtin_strlen(s));
}
/* printf into b (for the rare field that needs it: %.0f). */
void out_buf_fmt(struct out_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* As out_json_str, out_i64, out_ms3 and out_ts_sec9, into b;
 * out_buf_f0 as printf's "%.0f". */
void out_buf_json_str(struct out_buf *b, const char *s);
/* The n bytes at s as a JSON string (a sequence cut at s + n is not
 * UTF-8: \ufffd). */
void out_buf_json_mem(struct out_buf *b, const char *s, size_t n);
void out_buf_i64(struct out_buf *b, int64_t v);
void out_buf_ms3(struct out_buf *b, int64_t ns);
void out_buf_sec9(struct out_buf *b, int64_t ns);
void out_buf_f0(struct out_buf *b, double v);

/* s made safe for a terminal into buf (always NUL-terminated, cut at
 * len): C0 controls, DEL, C1 controls and bytes that are not UTF-8
 * become \xNN; valid UTF-8 stays. For every string that comes from a
 * file, a packet or a database on its way to a terminal (review F3).
 * Returns buf. */
const char *out_esc(const char *s, char *buf, size_t len);

/* The value of -c COUNT (packets, as tcpdump's -c): a whole number from 1
 * on. Returns 0 with *n, or -1 after a one-line error naming cmd. */
int out_parse_count(const char *cmd, const char *s, uint64_t *n);

/* "who: msg" and a newline on stderr, msg through out_esc(). */
void out_errline(const char *who, const char *msg);

/* Formats an endpoint as the views show it, "10.0.0.1:80" or
 * "[2001:db8::1]:80" ("?" for a NULL address) into buf. Returns buf. */
char *out_endpoint(char *buf, size_t len, const char *ip, int64_t port);

/* Writes s as one CSV field (RFC 4180): quoted when it holds a comma,
 * quote, CR or LF, with quotes doubled. NULL writes nothing. */
void out_csv_field(FILE *f, const char *s);

/* ---- Numbers and times -------------------------------------------------- */

/* Writes v in decimal, as printf's "%lld" would, without printf's cost
 * (listings write a hundred numbers a row). */
void out_i64(FILE *f, int64_t v);

/* Writes ns as milliseconds with three decimals, as printf's "%.3f" of
 * ns / 1e6 would. */
void out_ms3(FILE *f, int64_t ns);

/* Formats ns-since-epoch as seconds with 9 decimals ("1258562728.123456789")
 * into buf (at least 32 bytes). Returns buf. */
char *out_ts_sec9(char *buf, size_t len, int64_t ns);

/* Formats ns-since-epoch as UTC "2009-11-18 16:45:28.123456". Returns buf. */
char *out_ts_utc(char *buf, size_t len, int64_t ns);

/* Formats ns-since-epoch as ISO 8601 UTC with nanoseconds,
 * "2009-11-18T16:45:28.123456789Z" (out_ts_sec9's form when the year is
 * out of range). Returns buf. */
char *out_ts_iso(char *buf, size_t len, int64_t ns);

/* Formats a duration in ns the way people read it, microseconds below a
 * second: "845us", "12.345ms", "4.210s", "3m05s", "2h01m"; "-" when
 * unknown (negative). Every view prints durations with it. Returns buf. */
char *out_dur(char *buf, size_t len, int64_t ns);

/* Parses a time given on the command line: epoch seconds ("1258562728" or
 * "1258562728.5") or ISO 8601 in UTC unless an offset is given
 * ("2009-11-18T16:45:28Z", "2009-11-18 16:45:28", "2009-11-18",
 * "2009-11-18T17:45:28+01:00"). Returns 0 and *ns, or -1 when malformed. */
int out_parse_time(const char *s, int64_t *ns);

/* Reports a getopt_long() error (opt is ':' for a missing value, else an
 * unknown option) as one line "tcpscope CMD: ..." on stderr. Always returns
 * EX_USAGE, for `return out_bad_option(...)`. */
int out_bad_option(const char *cmd, int opt, char **argv);

/* The databases a command reads: -d given once, or several times for a
 * set of shards shown as one (fsel_open_dbs()); n 0 is the default. */
#define OUT_MAX_DBS 256
struct out_dbs {
	const char *path[OUT_MAX_DBS];
	int n;
};

/* Adds -d's argument path to d. 0, or -1 after one line "tcpscope CMD:
 * ..." on stderr when there are more than OUT_MAX_DBS. */
int out_db_arg(const char *cmd, struct out_dbs *d, const char *path);

/* Finds arg in the NULL-terminated list names (the values of option
 * --opt of command cmd). Returns its index, or -1 after one line
 * "tcpscope CMD: bad --OPT 'ARG' (a, b, c)" on stderr. */
int out_choice(const char *cmd, const char *opt, const char *arg,
	       const char *const *names);

/* ---- Aligned text tables ------------------------------------------------ */

struct out_table;

/* A table of ncols columns with the given headers (copied). Returns NULL
 * when out of memory. Free with out_table_free(). */
struct out_table *out_table_new(size_t ncols, const char *const *headers);
void out_table_free(struct out_table *t);

/* Right-aligns column col (numbers). */
void out_table_right(struct out_table *t, size_t col);

/* Indents every line by n spaces. */
void out_table_indent(struct out_table *t, int n);

/* Makes column col give up its width before the others when a line is too
 * wide for the terminal. */
void out_table_shrink_first(struct out_table *t, size_t col);

/* Leaves column col out when the table is printed (a column that says
 * nothing in this listing, such as the capture of a one-capture
 * database). */
void out_table_hide(struct out_table *t, size_t col);

/* Appends a row of ncols cells (copied; NULL is shown as "-"). role colours
 * the whole row when colour is on. Returns 0, or -1 when out of memory (the
 * table is unchanged). */
int out_table_add(struct out_table *t, const char *const *cells,
		  enum out_role role);

/* Number of rows added. */
size_t out_table_rows(const struct out_table *t);

/* Prints the header and rows, columns separated by two spaces. When width
 * is > 0 the widest columns are cut (with a trailing '~'), never below
 * their header's width, until a line fits; lines still too long are cut at
 * width. Returns 0, or -1 on a write error. */
int out_table_print(FILE *f, const struct out_table *t, int width,
		    int colour);

#endif /* OUT_H */
