/*
 * out.c - writing helpers shared by the report commands.
 *
 * Tables are built in memory (every cell copied) and printed once, because
 * a column's width is only known when all rows are in. When the output is a
 * terminal the widest column is narrowed one character at a time until the
 * line fits, so the narrow columns (ids, ports, states) stay whole and the
 * long ones (addresses, histories) are cut with a '~'. Widths count UTF-8
 * code points, not bytes.
 *
 * JSON strings are escaped per RFC 8259; invalid UTF-8 becomes U+FFFD so
 * that whatever a capture file name holds, the output stays valid JSON.
 */
#include "out.h"

#include <getopt.h>

#include "../status.h"
#include "../store/numtext.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The pager standard output goes to, and what the terminal was. */
static struct {
	pid_t pid;  /* 0: none */
	int width;  /* of the terminal, 0 unknown */
	int colour; /* out_want_colour() on the terminal */
} pager;

int out_term_width(FILE *f)
{
	if (pager.pid && f == stdout)
		return pager.width;
	int fd = fileno(f);
	if (fd < 0 || !isatty(fd))
		return 0;
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

int out_want_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return 0;
	if (pager.pid && f == stdout)
		return pager.colour;
	int fd = fileno(f);
	return fd >= 0 && isatty(fd);
}

/* 1 when an executable name is in $PATH. */
static int in_path(const char *name)
{
	const char *p = getenv("PATH");
	while (p && *p) {
		size_t n = strcspn(p, ":");
		char full[4096];
		if (n && n + strlen(name) + 2 <= sizeof full) {
			snprintf(full, sizeof full, "%.*s/%s", (int)n, p, name);
			if (access(full, X_OK) == 0)
				return 1;
		}
		p += n + (p[n] == ':');
	}
	return 0;
}

void out_pager_start(void)
{
	if (pager.pid || !isatty(1))
		return;
	const char *cmd = getenv("TCPSCOPE_PAGER");
	if (!cmd)
		cmd = getenv("PAGER");
	if (!cmd && !in_path("less"))
		return; /* no pager named, and no less to default to */
	if (!cmd)
		cmd = "less";
	if (!*cmd || strcmp(cmd, "cat") == 0)
		return;
	int width = out_term_width(stdout), colour = out_want_colour(stdout);
	int fd[2];
	if (fflush(stdout) != 0 || pipe(fd) != 0)
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		setenv("LESS", "FRX", 0);
		if (dup2(fd[0], 0) < 0)
			_exit(127);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	if (dup2(fd[1], 1) < 0) {
		close(fd[1]);
		kill(pid, SIGTERM);
		(void)waitpid(pid, NULL, 0);
		return;
	}
	close(fd[1]);
	/* A pager quit early makes writes fail with EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	pager.pid = pid;
	pager.width = width;
	pager.colour = colour;
}

int out_pager_end(void)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);
	int quit = failed && errno == EPIPE;
	if (!pager.pid)
		return failed;
	/* stdout's descriptor is the pipe: closing it ends the pager's
	 * input; stdout itself stays usable (writes go nowhere). */
	close(1);
	while (waitpid(pager.pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager.pid = 0;
	return failed && !quit;
}

const char *out_sgr(int colour, enum out_role role)
{
	if (!colour)
		return "";
	switch (role) {
	case OUT_HEAD: return "\033[1m";
	case OUT_CLIENT: return "\033[36m";
	case OUT_SERVER: return "\033[35m";
	case OUT_STATE: return "\033[1;32m";
	case OUT_WARN: return "\033[33m";
	case OUT_BAD: return "\033[1;31m";
	case OUT_DIM: return "\033[2m";
	case OUT_PLAIN: break;
	}
	return "";
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned c = p[0];
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (c == 0xe0 && p[1] < 0xa0)
		return 0; /* overlong */
	if (c == 0xed && p[1] >= 0xa0)
		return 0; /* surrogate */
	if (c == 0xf0 && p[1] < 0x90)
		return 0;
	if (c == 0xf4 && p[1] >= 0x90)
		return 0;
	return n;
}

/* Writes the JSON form of the character at *pp at d (at most 6 bytes)
 * and moves *pp past it, not beyond end; returns the end of d. */
static char *json_esc1(char *d, const unsigned char **pp,
		       const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = *pp;
	unsigned c = *p;
	if (c == '"' || c == '\\') {
		*d++ = '\\';
		*d++ = (char)c;
		p++;
	} else if (c < 0x20) {
		*d++ = '\\';
		switch (c) {
		case '\n': *d++ = 'n'; break;
		case '\r': *d++ = 'r'; break;
		case '\t': *d++ = 't'; break;
		case '\b': *d++ = 'b'; break;
		case '\f': *d++ = 'f'; break;
		default:
			memcpy(d, "u00", 3);
			d[3] = hex[c >> 4];
			d[4] = hex[c & 15];
			d += 5;
			break;
		}
		p++;
	} else if (c < 0x80) {
		*d++ = (char)c;
		p++;
	} else {
		size_t n = utf8_len(p);
		if (n == 0 || n > (size_t)(end - p)) {
			memcpy(d, "\\ufffd", 6);
			d += 6;
			p++;
		} else {
			memcpy(d, p, n);
			d += n;
			p += n;
		}
	}
	*pp = p;
	return d;
}

void out_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	char tmp[256], *d = tmp;
	*d++ = '"';
	while (p < end) {
		if (d > tmp + sizeof tmp - 8) {
			fwrite_unlocked(tmp, 1, (size_t)(d - tmp), f);
			d = tmp;
		}
		d = json_esc1(d, &p, end);
	}
	*d++ = '"';
	fwrite_unlocked(tmp, 1, (size_t)(d - tmp), f);
}

char *out_endpoint(char *buf, size_t len, const char *ip, int64_t port)
{
	if (!ip)
		ip = "?";
	snprintf(buf, len, strchr(ip, ':') ? "[%s]:%lld" : "%s:%lld", ip,
		 (long long)port);
	return buf;
}

void out_csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc_unlocked('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
	putc_unlocked('"', f);
}

/* v in decimal, written backwards ending at end; returns the start. */
static char *i64_back(char *end, int64_t v)
{
	char *p = end;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

void out_i64(FILE *f, int64_t v)
{
	char buf[24], *p = i64_back(buf + sizeof buf, v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof buf - p), f);
}

/* ns as seconds with 9 decimals, written backwards ending at end (at most
 * 30 bytes); returns the start. */
static char *sec9_back(char *end, int64_t ns)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	char *p = end;
	uint64_t frac = u % 1000000000u, sec = u / 1000000000u;
	for (int i = 0; i < 9; i++, frac /= 10)
		*--p = (char)('0' + frac % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + sec % 10);
		sec /= 10;
	} while (sec);
	if (ns < 0)
		*--p = '-';
	return p;
}

char *out_ts_sec9(char *buf, size_t len, int64_t ns)
{
	char tmp[32];
	tmp[31] = '\0';
	snprintf(buf, len, "%s", sec9_back(tmp + 31, ns));
	return buf;
}

/* ns / 1e6 with three decimals, as "%.3f" prints the double, written
 * backwards ending at end (at most 24 bytes): the same digits from
 * integers. NULL for an exact half microsecond (and beyond 2^52 ns),
 * where the double's rounding decides: the caller asks printf. */
static char *ms3_back(char *end, int64_t ns)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	if (u % 1000 == 500 || u > (UINT64_C(1) << 52))
		return NULL;
	uint64_t us = u / 1000 + (u % 1000 > 500);
	char *p = end;
	uint64_t frac = us % 1000, ms = us / 1000;
	for (int i = 0; i < 3; i++, frac /= 10)
		*--p = (char)('0' + frac % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + ms % 10);
		ms /= 10;
	} while (ms);
	if (ns < 0)
		*--p = '-'; /* "-0.000" too, as printf writes it */
	return p;
}

void out_ms3(FILE *f, int64_t ns)
{
	char tmp[32], *p = ms3_back(tmp + sizeof tmp, ns);
	if (p)
		fwrite_unlocked(p, 1, (size_t)(tmp + sizeof tmp - p), f);
	else
		fprintf(f, "%.3f", (double)ns / 1e6);
}

/* ---- Row buffers ------------------------------------------------------- */

int out_buf_grow(struct out_buf *b, size_t n)
{
	if (b->failed)
		return -1;
	if (b->cap - b->len >= n)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void out_buf_free(struct out_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

int out_buf_flush(struct out_buf *b, FILE *f)
{
	int r = b->failed ? -1 : 0;
	if (!r && b->len && fwrite_unlocked(b->p, 1, b->len, f) != b->len)
		r = -1;
	b->len = 0;
	return r;
}

void out_buf_fmt(struct out_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || out_buf_reserve(b, (size_t)n + 1) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void out_buf_json_str(struct out_buf *b, const char *s)
{
	if (!s)
		out_buf_mem(b, "null", 4);
	else
		out_buf_json_mem(b, s, strlen(s));
}

void out_buf_json_mem(struct out_buf *b, const char *s, size_t n)
{
	if (n > (SIZE_MAX - 2) / 6 || out_buf_reserve(b, n * 6 + 2) != 0)
		return;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *d = b->p + b->len;
	*d++ = '"';
	while (p < end) {
		/* Runs of characters that stand for themselves, copied. */
		const unsigned char *q = p;
		while (q < end && *q >= 0x20 && *q < 0x80 && *q != '"' &&
		       *q != '\\')
			q++;
		memcpy(d, p, (size_t)(q - p));
		d += q - p;
		p = q;
		if (p < end)
			d = json_esc1(d, &p, end);
	}
	*d++ = '"';
	b->len = (size_t)(d - b->p);
}

void out_buf_i64(struct out_buf *b, int64_t v)
{
	if (out_buf_reserve(b, 24) == 0)
		b->len = (size_t)(put_i64(b->p + b->len, v) - b->p);
}

void out_buf_ms3(struct out_buf *b, int64_t ns)
{
	char tmp[32], *p = ms3_back(tmp + sizeof tmp, ns);
	if (p)
		out_buf_mem(b, p, (size_t)(tmp + sizeof tmp - p));
	else
		out_buf_fmt(b, "%.3f", (double)ns / 1e6);
}

void out_buf_sec9(struct out_buf *b, int64_t ns)
{
	if (out_buf_reserve(b, 32) != 0)
		return;
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	char *p = b->p + b->len;
	if (ns < 0)
		*p++ = '-';
	p = put_u64(p, u / 1000000000u);
	*p = '.';
	/* the nine decimals: 1000000000 + frac, its leading 1 overwritten */
	char *q = put_u64(p, 1000000000u + u % 1000000000u);
	*p = '.';
	b->len = (size_t)(q - b->p);
}

/* Splits ns since the epoch into UTC calendar time and the nanoseconds
 * of its second (floor, so times before 1970 work). -1 when gmtime_r()
 * cannot represent it. */
static int utc_parts(int64_t ns, struct tm *tm, int64_t *frac)
{
	int64_t sec = ns / 1000000000;
	*frac = ns % 1000000000;
	if (*frac < 0) {
		*frac += 1000000000;
		sec--;
	}
	time_t t = (time_t)sec;
	return gmtime_r(&t, tm) ? 0 : -1;
}

char *out_ts_utc(char *buf, size_t len, int64_t ns)
{
	struct tm tm;
	int64_t frac;
	if (utc_parts(ns, &tm, &frac) != 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	char d[40];
	strftime(d, sizeof d, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06lld", d, (long long)(frac / 1000));
	return buf;
}

char *out_ts_iso(char *buf, size_t len, int64_t ns)
{
	struct tm tm;
	int64_t frac;
	if (utc_parts(ns, &tm, &frac) != 0)
		return out_ts_sec9(buf, len, ns);
	char d[40];
	strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09lldZ", d, (long long)frac);
	return buf;
}

char *out_dur(char *buf, size_t len, int64_t ns)
{
	if (ns < 0) {
		snprintf(buf, len, "-");
	} else if (ns < 1000000) {
		snprintf(buf, len, "%lldus", (long long)(ns / 1000));
	} else if (ns < 1000000000) {
		snprintf(buf, len, "%.3fms", (double)ns / 1e6);
	} else if (ns < 60LL * 1000000000) {
		snprintf(buf, len, "%.3fs", (double)ns / 1e9);
	} else if (ns < 3600LL * 1000000000) {
		long long s = ns / 1000000000;
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	} else {
		long long m = ns / 60000000000LL;
		snprintf(buf, len, "%lldh%02lldm", m / 60, m % 60);
	}
	return buf;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after H. Hinnant. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

/* Reads an optional fraction ".123" into ns. */
static int fraction(const char **p, int64_t *ns)
{
	*ns = 0;
	if (**p != '.')
		return 0;
	(*p)++;
	int64_t scale = 100000000;
	int n = 0;
	while (isdigit((unsigned char)**p)) {
		if (scale > 0)
			*ns += (**p - '0') * scale;
		scale /= 10;
		(*p)++;
		n++;
	}
	return n > 0 ? 0 : -1;
}

int out_parse_time(const char *s, int64_t *ns)
{
	const char *p = s;
	int64_t frac;
	if (!*p)
		return -1;
	/* Epoch seconds: digits only, optional fraction. */
	const char *q = p;
	while (isdigit((unsigned char)*q))
		q++;
	if (q > p && (*q == '\0' || *q == '.') && q - p != 4) {
		char *end;
		long long sec = strtoll(p, &end, 10);
		p = end;
		if (fraction(&p, &frac) != 0 || *p)
			return -1;
		if (sec > 9000000000LL)
			return -1;
		*ns = (int64_t)sec * 1000000000 + frac;
		return 0;
	}
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	frac = 0;
	int64_t off = 0;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se) || fraction(&p, &frac))
				return -1;
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om = 0;
			p++;
			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (*p && digits(&p, 2, &om))
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p)
		return -1;
	int64_t sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		      h * 3600 + mi * 60 + se - off;
	*ns = sec * 1000000000 + frac;
	return 0;
}

/* ---- Tables ------------------------------------------------------------- */

struct out_table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows+1 rows of ncols; row 0 is the header */
	unsigned char *roles;
	unsigned char *right;
	unsigned char *first;  /* shrinks before the others */
	unsigned char *hidden; /* not printed */
	int indent;            /* spaces before each line */
};

struct out_table *out_table_new(size_t ncols, const char *const *headers)
{
	struct out_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->right = calloc(ncols, 1);
	t->first = calloc(ncols, 1);
	t->hidden = calloc(ncols, 1);
	t->cap = 16;
	t->cells = calloc(t->cap * ncols, sizeof *t->cells);
	t->roles = calloc(t->cap, 1);
	if (!t->right || !t->first || !t->hidden || !t->cells || !t->roles)
		goto fail;
	for (size_t i = 0; i < ncols; i++)
		if (!(t->cells[i] = strdup(headers[i])))
			goto fail;
	t->roles[0] = OUT_HEAD;
	return t;
fail:
	out_table_free(t);
	return NULL;
}

void out_table_free(struct out_table *t)
{
	if (!t)
		return;
	if (t->cells)
		for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
			free(t->cells[i]);
	free(t->cells);
	free(t->roles);
	free(t->right);
	free(t->first);
	free(t->hidden);
	free(t);
}

void out_table_right(struct out_table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = 1;
}

void out_table_indent(struct out_table *t, int n)
{
	t->indent = n > 0 ? n : 0;
}

void out_table_shrink_first(struct out_table *t, size_t col)
{
	if (col < t->ncols)
		t->first[col] = 1;
}

size_t out_table_rows(const struct out_table *t)
{
	return t->nrows;
}

int out_table_add(struct out_table *t, const char *const *cells,
		  enum out_role role)
{
	if (t->nrows + 2 > t->cap) {
		size_t cap = t->cap * 2;
		char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
		if (!c)
			return -1;
		t->cells = c;
		unsigned char *r = realloc(t->roles, cap);
		if (!r)
			return -1;
		t->roles = r;
		t->cap = cap;
	}
	char **row = t->cells + (t->nrows + 1) * t->ncols;
	for (size_t i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "-");
		if (!row[i]) {
			while (i-- > 0)
				free(row[i]);
			return -1;
		}
	}
	t->roles[t->nrows + 1] = (unsigned char)role;
	t->nrows++;
	return 0;
}

/* Display width of s: UTF-8 continuation bytes count 0. */
static size_t swidth(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Writes s padded or cut to w columns. */
static void put_cell(FILE *f, const char *s, size_t w, int right)
{
	size_t sw = swidth(s);
	if (sw > w) {
		/* Cut: w-1 code points, then '~'. */
		size_t n = 0;
		const char *p = s;
		while (*p && n < (w ? w - 1 : 0)) {
			p++;
			while (((unsigned char)*p & 0xc0) == 0x80)
				p++;
			n++;
		}
		fwrite_unlocked(s, 1, (size_t)(p - s), f);
		if (w)
			putc_unlocked('~', f);
		return;
	}
	if (right)
		fprintf(f, "%*s", (int)(w - sw), "");
	fputs(s, f);
	if (!right)
		fprintf(f, "%*s", (int)(w - sw), "");
}

void out_table_hide(struct out_table *t, size_t col)
{
	if (col < t->ncols)
		t->hidden[col] = 1;
}

int out_table_print(FILE *f, const struct out_table *t, int width,
		    int colour)
{
	/* The columns printed, in order: vis[0..nv). */
	size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof *w);
	size_t *vis = calloc(t->ncols ? t->ncols : 1, sizeof *vis), nv = 0;
	if (!w || !vis) {
		free(w);
		free(vis);
		return -1;
	}
	for (size_t c = 0; c < t->ncols; c++)
		if (!t->hidden[c])
			vis[nv++] = c;
	for (size_t r = 0; r <= t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t sw = swidth(t->cells[r * t->ncols + c]);
			if (sw > w[c])
				w[c] = sw;
		}
	if (width > 0) {
		/* Narrow the widest column that is still wider than its
		 * header (and 4), those marked to shrink first before the
		 * others, until the line fits or none can shrink. */
		for (;;) {
			size_t total = 0, wi = t->ncols;
			for (size_t v = 0; v < nv; v++) {
				size_t c = vis[v];
				total += w[c] + (v ? 2 : 0);
				size_t floor = swidth(t->cells[c]);
				if (floor < 4)
					floor = 4;
				if (w[c] <= floor)
					continue;
				if (wi == t->ncols || t->first[c] > t->first[wi] ||
				    (t->first[c] == t->first[wi] && w[c] > w[wi]))
					wi = c;
			}
			if (total <= (size_t)width || wi == t->ncols)
				break;
			w[wi]--;
		}
	}
	if (width > 0)
		width = width > t->indent ? width - t->indent : 1;
	for (size_t r = 0; r <= t->nrows; r++) {
		fprintf(f, "%*s", t->indent, "");
		fputs(out_sgr(colour, (enum out_role)t->roles[r]), f);
		size_t pos = 0;
		for (size_t v = 0; v < nv; v++) {
			size_t c = vis[v];
			/* The last left-aligned column needs no padding. */
			int last = v + 1 == nv;
			const char *s = t->cells[r * t->ncols + c];
			size_t cw = w[c], sep = v ? 2 : 0;
			if (width > 0 && pos + sep + cw > (size_t)width) {
				/* Even narrowed it does not fit: cut the line. */
				if (pos + sep + 1 >= (size_t)width)
					break;
				cw = (size_t)width - pos - sep;
				last = 1;
			}
			fputs(sep ? "  " : "", f);
			pos += sep + cw;
			if (last && !t->right[c] && swidth(s) <= cw)
				fputs(s, f);
			else
				put_cell(f, s, cw, t->right[c]);
			if (cw < w[c])
				break;
		}
		fputs(OUT_RESET(colour && t->roles[r] != OUT_PLAIN), f);
		putc_unlocked('\n', f);
	}
	free(w);
	free(vis);
	return ferror(f) ? -1 : 0;
}

int out_bad_option(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		fprintf(stderr, "tcpscope %s: option %s needs a value\n", cmd,
			argv[optind - 1]);
	else if (optopt)
		fprintf(stderr, "tcpscope %s: unknown option -%c (try --help)\n",
			cmd, optopt);
	else
		fprintf(stderr, "tcpscope %s: unknown option %s (try --help)\n",
			cmd, argv[optind - 1]);
	return EX_USAGE;
}

int out_db_arg(const char *cmd, struct out_dbs *d, const char *path)
{
	if (d->n >= OUT_MAX_DBS) {
		fprintf(stderr, "tcpscope %s: more than %d databases (-d); merge"
				" them first (tcpscope merge)\n", cmd,
			OUT_MAX_DBS);
		return -1;
	}
	d->path[d->n++] = path;
	return 0;
}

int out_choice(const char *cmd, const char *opt, const char *arg,
	       const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	fprintf(stderr, "tcpscope %s: bad --%s '%s' (", cmd, opt, arg);
	for (int i = 0; names[i]; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", names[i]);
	fputs(")\n", stderr);
	return -1;
}

void out_errline(const char *who, const char *msg)
{
	char shown[2048];
	fprintf(stderr, "%s: %s\n", who, out_esc(msg, shown, sizeof shown));
}

const char *out_esc(const char *s, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		char tmp[16];
		size_t n = 1, tl;
		if (*p < 0x20 || *p == 0x7f) {
			tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", *p);
		} else if (*p < 0x80) {
			tmp[0] = (char)*p;
			tl = 1;
		} else if ((n = utf8_len(p)) == 0 ||
			   (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			/* Not UTF-8, or a C1 control: byte by byte. */
			n = 1;
			tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", *p);
		} else {
			memcpy(tmp, p, n);
			tl = n;
		}
		if (o + tl >= len)
			break;
		memcpy(buf + o, tmp, tl);
		o += tl;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

int out_parse_count(const char *cmd, const char *s, uint64_t *n)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || v == 0 || *s == '-' || *s == '+') {
		fprintf(stderr, "tcpscope %s: bad -c '%s' (a number of packets,"
				" 1 or more)\n", cmd, s);
		return -1;
	}
	*n = v;
	return 0;
}

void out_buf_f0(struct out_buf *b, double v)
{
	/* printf rounds the double's exact value to the nearest integer,
	 * ties to even: nearbyint() in the default rounding mode does the
	 * same, and an integer below 2^63 prints as one. */
	double r = __builtin_nearbyint(v);
	if (r > -9.2e18 && r < 9.2e18 && !(r == 0 && __builtin_signbit(r)))
		out_buf_i64(b, (int64_t)r);
	else
		out_buf_fmt(b, "%.0f", v);
}
