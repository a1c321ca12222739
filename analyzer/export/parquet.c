/*
 * parquet.c - the Parquet writer of parquet.h, written from the format's
 * specification (apache/parquet-format: README.md, Encodings.md and
 * src/main/thrift/parquet.thrift).
 *
 * A file, as written here:
 *
 *   "PAR1"
 *   row group 0:  column 0: [dictionary page] data page, data page...
 *                 column 1: ...
 *   row group 1:  ...
 *   FileMetaData (Thrift compact protocol)
 *   its length (4 bytes, little-endian) "PAR1"
 *
 * Rows arrive one value at a time into per-column buffers that hold the
 * current row group already in PLAIN form (an INT64 or DOUBLE as 8 bytes
 * little-endian, a string as a 4-byte length then its bytes, a boolean as
 * one byte until the page packs it into bits), the definition levels of
 * OPTIONAL columns (one byte a row), and the chunk's statistics, updated
 * as each value comes. When the row group is full (rows or bytes), each
 * column is cut into pages of page_rows values: the page is the
 * definition levels (a 4-byte length, then the RLE/bit-packed hybrid of
 * width 1) followed by the values, PLAIN or dictionary indices (a byte
 * with the bit width, then the hybrid), compressed as one block; a page
 * header (Thrift) precedes it. What the footer needs of each chunk
 * (offsets, sizes, encodings, statistics) is kept until pq_finish().
 *
 * The Thrift compact protocol, as much as needed: a field is a byte
 * (delta from the previous field id << 4 | type) or, for a jump that does
 * not fit, the type then the zigzag varint id; integers are zigzag
 * varints, binary a varint length then bytes, a bool field has its value
 * in the type (1 true, 2 false), a list a byte (size << 4 | element type)
 * or 0xF0 | type then a varint size, and a struct ends with a 0 byte.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "parquet.h"

#define PQ_MAX_COLS 4096
#define DICT_MAX_BYTES (1u << 20) /* a bigger dictionary: PLAIN instead */

/* Format constants (parquet.thrift). */
enum { T_BOOLEAN = 0, T_INT64 = 2, T_DOUBLE = 5, T_BYTE_ARRAY = 6 };
enum { E_PLAIN = 0, E_RLE = 3, E_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICT = 2 };
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1 };
enum { CT_UTF8 = 0, CT_INT_64 = 18 };
enum { CODEC_UNCOMPRESSED = 0, CODEC_ZSTD = 6 };

/* Thrift compact types. */
enum { TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5,
       TC_I64 = 6, TC_BINARY = 8, TC_LIST = 9, TC_STRUCT = 12 };

/* ---- Allocation, which a test can make fail ---------------------------- */

static long fail_countdown; /* pq_test_fail_alloc(); 0: off */

void pq_test_fail_alloc(long n)
{
	fail_countdown = n;
}

static int alloc_fails(void)
{
	return fail_countdown > 0 && --fail_countdown == 0;
}

static void *pq_malloc(size_t n)
{
	return alloc_fails() ? NULL : malloc(n);
}

static void *pq_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : calloc(n, size);
}

static void *pq_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : realloc(p, n);
}

static char *pq_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = pq_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- Growing byte buffers: an allocation failure is sticky ------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
	int oom;
};

static int buf_reserve(struct buf *b, size_t more)
{
	if (b->oom)
		return -1;
	if (more <= b->cap - b->n)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->n < more) {
		if (cap > SIZE_MAX / 2) {
			b->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	uint8_t *p = pq_realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void buf_put(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || buf_reserve(b, n) != 0)
		return;
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void buf_byte(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	buf_put(b, &c, 1);
}

static void buf_le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };
	buf_put(b, x, 4);
}

static void buf_le64(struct buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	buf_put(b, x, 8);
}

static void buf_varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_byte(b, (unsigned)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	buf_byte(b, (unsigned)v);
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- Thrift compact protocol ------------------------------------------- */

struct tw {
	struct buf *b;
	int16_t last[16]; /* previous field id, per open struct */
	int depth;
};

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void tw_field(struct tw *t, int id, int type)
{
	int delta = id - t->last[t->depth];
	if (delta > 0 && delta <= 15) {
		buf_byte(t->b, (unsigned)(delta << 4 | type));
	} else {
		buf_byte(t->b, (unsigned)type);
		buf_varint(t->b, zigzag(id));
	}
	t->last[t->depth] = (int16_t)id;
}

static void tw_i32(struct tw *t, int id, int32_t v)
{
	tw_field(t, id, TC_I32);
	buf_varint(t->b, zigzag(v));
}

static void tw_i16(struct tw *t, int id, int16_t v)
{
	tw_field(t, id, TC_I16);
	buf_varint(t->b, zigzag(v));
}

static void tw_i64(struct tw *t, int id, int64_t v)
{
	tw_field(t, id, TC_I64);
	buf_varint(t->b, zigzag(v));
}

static void tw_bool(struct tw *t, int id, int v)
{
	tw_field(t, id, v ? TC_TRUE : TC_FALSE);
}

static void tw_bin(struct tw *t, int id, const void *p, size_t n)
{
	tw_field(t, id, TC_BINARY);
	buf_varint(t->b, n);
	buf_put(t->b, p, n);
}

static void tw_push(struct tw *t)
{
	/* Nesting here is at most 6 deep; 16 is a hard bound. */
	if (t->depth + 1 >= 16) {
		t->b->oom = 1;
		return;
	}
	t->last[++t->depth] = 0;
}

/* A struct as a field, or (id 0) as a list element. */
static void tw_struct(struct tw *t, int id)
{
	if (id)
		tw_field(t, id, TC_STRUCT);
	tw_push(t);
}

static void tw_end(struct tw *t)
{
	buf_byte(t->b, 0);
	if (t->depth > 0)
		t->depth--;
}

static void tw_list(struct tw *t, int id, int elem, size_t n)
{
	tw_field(t, id, TC_LIST);
	if (n < 15) {
		buf_byte(t->b, (unsigned)(n << 4 | (size_t)elem));
	} else {
		buf_byte(t->b, 0xf0 | (unsigned)elem);
		buf_varint(t->b, n);
	}
}

/* ---- The RLE / bit-packed hybrid (Encodings.md) ------------------------ */

static size_t run_at(const uint32_t *v, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && v[j] == v[i])
		j++;
	return j - i;
}

/* Appends the hybrid encoding of v[0..n) at bit width `width` (1..32):
 * runs of 8 or more equal values as RLE runs, the rest bit-packed in
 * groups of 8 (the last group padded with zeros). */
static void hybrid(struct buf *b, const uint32_t *v, size_t n, int width)
{
	size_t vbytes = ((size_t)width + 7) / 8;
	size_t i = 0;
	while (i < n) {
		size_t r = run_at(v, n, i);
		if (r >= 8) {
			buf_varint(b, (uint64_t)r << 1);
			for (size_t k = 0; k < vbytes; k++)
				buf_byte(b, (v[i] >> (8 * k)) & 0xff);
			i += r;
			continue;
		}
		size_t start = i, groups = 0;
		while (i < n && (groups == 0 || run_at(v, n, i) < 8)) {
			i += 8;
			groups++;
		}
		buf_varint(b, (uint64_t)groups << 1 | 1);
		if (buf_reserve(b, groups * (size_t)width) != 0)
			return;
		uint64_t acc = 0;
		int bits = 0;
		for (size_t k = start; k < start + groups * 8; k++) {
			acc |= (uint64_t)(k < n ? v[k] : 0) << bits;
			bits += width;
			while (bits >= 8) {
				b->p[b->n++] = (uint8_t)acc;
				acc >>= 8;
				bits -= 8;
			}
		}
		if (i > n)
			i = n;
	}
}

static int bit_width(uint32_t max)
{
	int w = 1;
	while (w < 32 && (max >> w) != 0)
		w++;
	return w;
}

/* ---- The writer -------------------------------------------------------- */

/* What the footer says of one column chunk. */
struct chunk {
	int64_t start, data_page, dict_page; /* dict_page -1: none */
	int64_t unc, comp;                   /* sizes with page headers */
	int64_t num_values, null_count;
	int dict; /* 1: RLE_DICTIONARY pages */
	int has_minmax;
	uint8_t *min, *max; /* PLAIN without length prefix */
	size_t min_len, max_len;
};

struct rowgroup {
	int64_t rows, start, unc, comp;
	struct chunk *chunks; /* ncols */
};

struct col {
	char *name;
	enum pq_type type;
	unsigned flags;
	int set;          /* has its value in the current row */
	struct buf defs;  /* OPTIONAL: a byte a row, 1 = a value */
	struct buf vals;  /* non-NULL values, PLAIN (booleans a byte) */
	size_t *soff;     /* strings: where each value's length starts */
	size_t nvals, soff_cap;
	int64_t nulls;
	/* Statistics of the chunk being buffered. */
	int has_minmax;
	int64_t imin, imax;
	double dmin, dmax;
	size_t smin, smax; /* strings: index of the value */
};

struct pq_writer {
	int fd;
	int spent; /* the PQ_E* that spent it, 0 while usable */
	struct col *cols;
	size_t ncols;
	struct pq_options opt;
	char *created_by;
	int64_t offset;   /* bytes written */
	uint64_t rows;    /* rows ended, all row groups */
	uint32_t rg_rows; /* rows in the buffered row group */
	size_t rg_bytes;
	struct rowgroup *rgs;
	size_t nrg, rg_cap;
	char err[256];
};

static int fail(struct pq_writer *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pq_writer *w, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	if (code == PQ_ENOMEM || code == PQ_EIO || code == PQ_ELIMIT)
		w->spent = code;
	return code;
}

static int write_all(struct pq_writer *w, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n > 0) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return fail(w, PQ_EIO, "write: %s",
				    k < 0 ? strerror(errno) : "wrote nothing");
		c += k;
		n -= (size_t)k;
		w->offset += k;
	}
	return 0;
}

const char *pq_errmsg(const struct pq_writer *w)
{
	return w ? w->err : "no writer";
}

uint64_t pq_rows(const struct pq_writer *w)
{
	return w->rows;
}

unsigned pq_row_groups(const struct pq_writer *w)
{
	return (unsigned)w->nrg;
}

int pq_utf8_valid(const void *s, size_t len)
{
	const uint8_t *p = s, *end = p + len;
	while (p < end) {
		uint8_t c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t need;
		uint8_t lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (size_t k = 2; k <= need; k++)
			if (p[k] < 0x80 || p[k] > 0xbf)
				return 0;
		p += need + 1;
	}
	return 1;
}

static void chunk_free(struct chunk *c)
{
	free(c->min);
	free(c->max);
}

void pq_free(struct pq_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ncols; i++) {
		free(w->cols[i].name);
		buf_free(&w->cols[i].defs);
		buf_free(&w->cols[i].vals);
		free(w->cols[i].soff);
	}
	for (size_t r = 0; r < w->nrg; r++) {
		for (size_t i = 0; i < w->ncols && w->rgs[r].chunks; i++)
			chunk_free(&w->rgs[r].chunks[i]);
		free(w->rgs[r].chunks);
	}
	free(w->rgs);
	free(w->cols);
	free(w->created_by);
	free(w);
}

int pq_open(int fd, const struct pq_column *cols, size_t ncols,
	    const struct pq_options *opt, struct pq_writer **out, char *err,
	    size_t errlen)
{
	*out = NULL;
	struct pq_writer *w = pq_calloc(1, sizeof *w);
	int rc = PQ_ENOMEM;
	const char *msg = "out of memory";
	if (!w)
		goto out;
	w->fd = fd;
	if (opt)
		w->opt = *opt;
	if (!w->opt.row_group_rows)
		w->opt.row_group_rows = 65536;
	if (!w->opt.page_rows)
		w->opt.page_rows = 8192;
	if (!w->opt.row_group_bytes)
		w->opt.row_group_bytes = (size_t)64 << 20;
	if (!opt)
		w->opt.codec = PQ_ZSTD;
	const char *cb = w->opt.created_by ? w->opt.created_by : "tcpscope";
	if (!(w->created_by = pq_strdup(cb)))
		goto out;
	w->opt.created_by = NULL;
	rc = PQ_EINVAL;
	if (ncols == 0 || ncols > PQ_MAX_COLS) {
		msg = "a schema has 1 to 4096 columns";
		goto out;
	}
	if (w->opt.codec != PQ_UNCOMPRESSED && w->opt.codec != PQ_ZSTD) {
		msg = "unknown compression";
		goto out;
	}
	/* Page and row counts are Thrift i32 in the page headers. */
	if (w->opt.row_group_rows > INT32_MAX || w->opt.page_rows > INT32_MAX) {
		msg = "row_group_rows and page_rows are at most 2^31 - 1";
		goto out;
	}
	for (size_t i = 0; i < ncols; i++) {
		const struct pq_column *c = &cols[i];
		if (!c->name || !*c->name) {
			msg = "a column without a name";
			goto out;
		}
		if (c->type > PQ_STRING ||
		    (c->flags & ~(unsigned)(PQ_OPTIONAL | PQ_DICT |
					    PQ_TIMESTAMP_NS)) ||
		    ((c->flags & PQ_DICT) && c->type != PQ_STRING) ||
		    ((c->flags & PQ_TIMESTAMP_NS) && c->type != PQ_INT64)) {
			msg = "a column type or flag that does not fit";
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(cols[j].name, c->name) == 0) {
				msg = "two columns of the same name";
				goto out;
			}
	}
	rc = PQ_ENOMEM;
	msg = "out of memory";
	if (!(w->cols = pq_calloc(ncols, sizeof *w->cols)))
		goto out;
	w->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		w->cols[i].type = cols[i].type;
		w->cols[i].flags = cols[i].flags;
		if (!(w->cols[i].name = pq_strdup(cols[i].name)))
			goto out;
	}
	if ((rc = write_all(w, "PAR1", 4)) != 0) {
		msg = w->err;
		goto out;
	}
	*out = w;
	return 0;
out:
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	pq_free(w);
	return rc;
}

/* The column a value goes to, or NULL after PQ_EINVAL. */
static struct col *col_for(struct pq_writer *w, size_t i, enum pq_type type,
			   int *rc)
{
	if (w->spent) {
		*rc = w->spent;
		return NULL;
	}
	*rc = PQ_EINVAL;
	if (i >= w->ncols) {
		fail(w, PQ_EINVAL, "no column %zu", i);
		return NULL;
	}
	struct col *c = &w->cols[i];
	if (c->set) {
		fail(w, PQ_EINVAL, "%s: a second value in one row", c->name);
		return NULL;
	}
	if (c->type != type) {
		fail(w, PQ_EINVAL, "%s: a value of the wrong type", c->name);
		return NULL;
	}
	*rc = 0;
	return c;
}

/* Adds the definition level and counts the bytes. */
static int col_added(struct pq_writer *w, struct col *c, size_t before)
{
	if (c->flags & PQ_OPTIONAL)
		buf_byte(&c->defs, 1);
	if (c->vals.oom || c->defs.oom)
		return fail(w, PQ_ENOMEM, "%s: out of memory", c->name);
	c->set = 1;
	c->nvals++;
	w->rg_bytes += c->vals.n - before + 1;
	return 0;
}

/* An INT64, or a BOOLEAN (one byte until the page packs it). */
static int put_int(struct pq_writer *w, size_t i, enum pq_type type,
		   int64_t v)
{
	int rc;
	struct col *c = col_for(w, i, type, &rc);
	if (!c)
		return rc;
	size_t before = c->vals.n;
	if (type == PQ_BOOLEAN)
		buf_byte(&c->vals, (unsigned)v);
	else
		buf_le64(&c->vals, (uint64_t)v);
	if (!c->has_minmax || v < c->imin)
		c->imin = v;
	if (!c->has_minmax || v > c->imax)
		c->imax = v;
	c->has_minmax = 1;
	return col_added(w, c, before);
}

int pq_put_int64(struct pq_writer *w, size_t i, int64_t v)
{
	return put_int(w, i, PQ_INT64, v);
}

int pq_put_bool(struct pq_writer *w, size_t i, int v)
{
	return put_int(w, i, PQ_BOOLEAN, v != 0);
}

int pq_put_double(struct pq_writer *w, size_t i, double v)
{
	int rc;
	struct col *c = col_for(w, i, PQ_DOUBLE, &rc);
	if (!c)
		return rc;
	size_t before = c->vals.n;
	uint64_t bits;
	memcpy(&bits, &v, 8);
	buf_le64(&c->vals, bits);
	if (!isnan(v)) { /* NaN is never a bound */
		if (!c->has_minmax || v < c->dmin)
			c->dmin = v;
		if (!c->has_minmax || v > c->dmax)
			c->dmax = v;
		c->has_minmax = 1;
	}
	return col_added(w, c, before);
}

/* A string value k of c: its bytes and length. */
static const uint8_t *str_at(const struct col *c, size_t k, size_t *len)
{
	const uint8_t *p = c->vals.p + c->soff[k];
	*len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 |
	       (size_t)p[3] << 24;
	return p + 4;
}

/* Parquet's order for strings: unsigned bytes, then length. */
static int str_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int d = memcmp(a, b, al < bl ? al : bl);
	if (d)
		return d;
	return al < bl ? -1 : al > bl;
}

int pq_put_string(struct pq_writer *w, size_t i, const void *s, size_t len)
{
	int rc;
	struct col *c = col_for(w, i, PQ_STRING, &rc);
	if (!c)
		return rc;
	if (len > INT32_MAX)
		return fail(w, PQ_EINVAL, "%s: a string of %zu bytes",
			    c->name, len);
	if (!pq_utf8_valid(s, len))
		return fail(w, PQ_EINVAL, "%s: a string that is not UTF-8",
			    c->name);
	if (c->nvals == c->soff_cap) {
		size_t cap = c->soff_cap ? c->soff_cap * 2 : 1024;
		size_t *n = pq_realloc(c->soff, cap * sizeof *n);
		if (!n)
			return fail(w, PQ_ENOMEM, "%s: out of memory", c->name);
		c->soff = n;
		c->soff_cap = cap;
	}
	size_t before = c->vals.n;
	buf_le32(&c->vals, (uint32_t)len);
	buf_put(&c->vals, s, len);
	if (c->vals.oom)
		return fail(w, PQ_ENOMEM, "%s: out of memory", c->name);
	c->soff[c->nvals] = before;
	size_t k = c->nvals, ml;
	if (!c->has_minmax) {
		c->smin = c->smax = k;
	} else {
		const uint8_t *m = str_at(c, c->smin, &ml);
		if (str_cmp(s, len, m, ml) < 0)
			c->smin = k;
		m = str_at(c, c->smax, &ml);
		if (str_cmp(s, len, m, ml) > 0)
			c->smax = k;
	}
	c->has_minmax = 1;
	return col_added(w, c, before);
}

int pq_put_null(struct pq_writer *w, size_t i)
{
	if (w->spent)
		return w->spent;
	if (i >= w->ncols)
		return fail(w, PQ_EINVAL, "no column %zu", i);
	struct col *c = &w->cols[i];
	if (c->set)
		return fail(w, PQ_EINVAL, "%s: a second value in one row",
			    c->name);
	if (!(c->flags & PQ_OPTIONAL))
		return fail(w, PQ_EINVAL, "%s: NULL in a REQUIRED column",
			    c->name);
	buf_byte(&c->defs, 0);
	if (c->defs.oom)
		return fail(w, PQ_ENOMEM, "%s: out of memory", c->name);
	c->set = 1;
	c->nulls++;
	w->rg_bytes++;
	return 0;
}

/* ---- Writing a row group ----------------------------------------------- */

/* Everything one page needs between calls. */
struct pagebuf {
	struct buf raw, comp, hdr;
	uint32_t *levels; /* page_rows */
};

/* Writes one page: header then the (compressed) payload in pb->raw. */
static int write_page(struct pq_writer *w, struct pagebuf *pb,
		      struct chunk *ch, int type, uint32_t num_values,
		      int encoding)
{
	const uint8_t *payload = pb->raw.p;
	size_t plen = pb->raw.n;
	if (plen > INT32_MAX)
		return fail(w, PQ_ELIMIT, "a page of %zu bytes", plen);
	if (w->opt.codec == PQ_ZSTD) {
		size_t bound = ZSTD_compressBound(plen);
		pb->comp.n = 0;
		if (buf_reserve(&pb->comp, bound) != 0)
			return fail(w, PQ_ENOMEM, "out of memory");
		size_t z = ZSTD_compress(pb->comp.p, bound, pb->raw.p, plen,
					 w->opt.zstd_level);
		if (ZSTD_isError(z))
			return fail(w, PQ_ENOMEM, "zstd: %s",
				    ZSTD_getErrorName(z));
		if (z > INT32_MAX)
			return fail(w, PQ_ELIMIT, "a page of %zu bytes", z);
		payload = pb->comp.p;
		plen = z;
	}
	pb->hdr.n = 0;
	struct tw t = { .b = &pb->hdr };
	tw_i32(&t, 1, type);
	tw_i32(&t, 2, (int32_t)pb->raw.n);
	tw_i32(&t, 3, (int32_t)plen);
	if (type == PAGE_DATA) {
		tw_struct(&t, 5);
		tw_i32(&t, 1, (int32_t)num_values);
		tw_i32(&t, 2, encoding);
		tw_i32(&t, 3, E_RLE);
		tw_i32(&t, 4, E_RLE);
		tw_end(&t);
	} else {
		tw_struct(&t, 7);
		tw_i32(&t, 1, (int32_t)num_values);
		tw_i32(&t, 2, E_PLAIN);
		tw_end(&t);
	}
	buf_byte(&pb->hdr, 0); /* end of PageHeader */
	if (pb->hdr.oom)
		return fail(w, PQ_ENOMEM, "out of memory");
	if (type == PAGE_DICT)
		ch->dict_page = w->offset;
	else if (ch->data_page < 0)
		ch->data_page = w->offset;
	int rc = write_all(w, pb->hdr.p, pb->hdr.n);
	if (rc == 0)
		rc = write_all(w, payload, plen);
	ch->unc += (int64_t)(pb->hdr.n + pb->raw.n);
	ch->comp += (int64_t)(pb->hdr.n + plen);
	return rc;
}

/* The dictionary of a string chunk: each value's index into the distinct
 * values (in order of first appearance), in idx; the PLAIN dictionary in
 * dict. Returns the number of distinct values, 0 when the dictionary
 * would pass DICT_MAX_BYTES (use PLAIN), -1 when out of memory. */
static long build_dict(const struct col *c, uint32_t *idx, struct buf *dict)
{
	size_t cap = 16;
	while (cap < c->nvals * 2)
		cap *= 2;
	size_t *slot = pq_malloc(cap * sizeof *slot); /* value index + 1 */
	if (!slot)
		return -1;
	memset(slot, 0, cap * sizeof *slot);
	long ndist = 0;
	for (size_t k = 0; k < c->nvals; k++) {
		size_t len;
		const uint8_t *s = str_at(c, k, &len);
		uint64_t h = 1469598103934665603ull;
		for (size_t j = 0; j < len; j++)
			h = (h ^ s[j]) * 1099511628211ull;
		size_t at = (size_t)h & (cap - 1);
		while (slot[at]) {
			size_t ol;
			const uint8_t *o = str_at(c, slot[at] - 1, &ol);
			if (ol == len && memcmp(o, s, len) == 0)
				break;
			at = (at + 1) & (cap - 1);
		}
		if (slot[at]) {
			idx[k] = idx[slot[at] - 1];
			continue;
		}
		slot[at] = k + 1;
		idx[k] = (uint32_t)ndist++;
		buf_put(dict, s - 4, len + 4);
		if (dict->oom) {
			free(slot);
			return -1;
		}
		if (dict->n > DICT_MAX_BYTES) {
			free(slot);
			return 0;
		}
	}
	free(slot);
	return ndist;
}

/* Statistics of the buffered chunk into ch (PLAIN, no length prefix). */
static int chunk_stats(struct col *c, struct chunk *ch)
{
	ch->null_count = c->nulls;
	if (!c->has_minmax)
		return 0;
	uint8_t a[8], b[8];
	const uint8_t *mn = a, *mx = b;
	size_t ln = 8, lx = 8;
	if (c->type == PQ_STRING) {
		mn = str_at(c, c->smin, &ln);
		mx = str_at(c, c->smax, &lx);
	} else if (c->type == PQ_BOOLEAN) {
		a[0] = (uint8_t)c->imin;
		b[0] = (uint8_t)c->imax;
		ln = lx = 1;
	} else {
		uint64_t x, y;
		if (c->type == PQ_DOUBLE) {
			/* -0.0 as the minimum, +0.0 as the maximum. */
			double dn = c->dmin == 0 ? -0.0 : c->dmin;
			double dx = c->dmax == 0 ? 0.0 : c->dmax;
			memcpy(&x, &dn, 8);
			memcpy(&y, &dx, 8);
		} else {
			x = (uint64_t)c->imin;
			y = (uint64_t)c->imax;
		}
		for (int i = 0; i < 8; i++) {
			a[i] = (uint8_t)(x >> (8 * i));
			b[i] = (uint8_t)(y >> (8 * i));
		}
	}
	ch->min = pq_malloc(ln ? ln : 1);
	ch->max = pq_malloc(lx ? lx : 1);
	if (!ch->min || !ch->max)
		return -1;
	memcpy(ch->min, mn, ln);
	memcpy(ch->max, mx, lx);
	ch->min_len = ln;
	ch->max_len = lx;
	ch->has_minmax = 1;
	return 0;
}

/* Writes the buffered values of c as one column chunk. */
static int write_chunk(struct pq_writer *w, struct col *c, struct chunk *ch,
		       struct pagebuf *pb)
{
	uint32_t rows = w->rg_rows;
	ch->start = w->offset;
	ch->data_page = ch->dict_page = -1;
	ch->num_values = rows;
	if (chunk_stats(c, ch) != 0)
		return fail(w, PQ_ENOMEM, "out of memory");

	uint32_t *idx = NULL;
	int rc = 0, width = 0;
	if ((c->flags & PQ_DICT) && c->nvals > 0) {
		idx = pq_malloc(c->nvals * sizeof *idx);
		if (!idx)
			return fail(w, PQ_ENOMEM, "out of memory");
		pb->raw.n = 0;
		long nd = build_dict(c, idx, &pb->raw);
		if (nd < 0) {
			free(idx);
			return fail(w, PQ_ENOMEM, "out of memory");
		}
		/* Too big, or hardly a value repeats: PLAIN. */
		if (nd == 0 ||
		    (c->nvals >= 64 && (size_t)nd * 4 > c->nvals * 3)) {
			free(idx);
			idx = NULL;
		} else {
			width = bit_width((uint32_t)(nd - 1));
			ch->dict = 1;
			rc = write_page(w, pb, ch, PAGE_DICT, (uint32_t)nd, 0);
		}
	}

	size_t k = 0; /* next value */
	for (uint32_t r0 = 0; rc == 0 && (r0 < rows || rows == 0);) {
		uint32_t n = rows - r0 < w->opt.page_rows ? rows - r0
							   : w->opt.page_rows;
		pb->raw.n = 0;
		size_t nv = n; /* values in this page */
		if (c->flags & PQ_OPTIONAL) {
			nv = 0;
			for (uint32_t j = 0; j < n; j++) {
				pb->levels[j] = c->defs.p[r0 + j];
				nv += pb->levels[j];
			}
			buf_le32(&pb->raw, 0);
			size_t at = pb->raw.n;
			hybrid(&pb->raw, pb->levels, n, 1);
			if (!pb->raw.oom) {
				uint32_t l = (uint32_t)(pb->raw.n - at);
				for (int b = 0; b < 4; b++)
					pb->raw.p[at - 4 + (size_t)b] =
						(uint8_t)(l >> (8 * b));
			}
		}
		if (idx) {
			buf_byte(&pb->raw, (unsigned)width);
			hybrid(&pb->raw, idx + k, nv, width);
		} else if (c->type == PQ_STRING) {
			if (nv) {
				size_t from = c->soff[k];
				size_t to = k + nv < c->nvals ? c->soff[k + nv]
							      : c->vals.n;
				buf_put(&pb->raw, c->vals.p + from, to - from);
			}
		} else if (c->type == PQ_BOOLEAN) {
			uint8_t acc = 0;
			for (size_t j = 0; j < nv; j++) {
				acc |= (uint8_t)(c->vals.p[k + j] << (j % 8));
				if (j % 8 == 7 || j + 1 == nv) {
					buf_byte(&pb->raw, acc);
					acc = 0;
				}
			}
		} else {
			buf_put(&pb->raw, c->vals.p + k * 8, nv * 8);
		}
		if (pb->raw.oom) {
			rc = fail(w, PQ_ENOMEM, "out of memory");
			break;
		}
		rc = write_page(w, pb, ch, PAGE_DATA, n,
				idx ? E_RLE_DICTIONARY : E_PLAIN);
		k += nv;
		r0 += n;
		if (rows == 0)
			break;
	}
	free(idx);
	return rc;
}

static int flush_rowgroup(struct pq_writer *w)
{
	if (w->rg_rows == 0)
		return 0;
	if (w->nrg == w->rg_cap) {
		size_t cap = w->rg_cap ? w->rg_cap * 2 : 8;
		struct rowgroup *n = pq_realloc(w->rgs, cap * sizeof *n);
		if (!n)
			return fail(w, PQ_ENOMEM, "out of memory");
		w->rgs = n;
		w->rg_cap = cap;
	}
	struct rowgroup *rg = &w->rgs[w->nrg];
	memset(rg, 0, sizeof *rg);
	if (!(rg->chunks = pq_calloc(w->ncols, sizeof *rg->chunks)))
		return fail(w, PQ_ENOMEM, "out of memory");
	w->nrg++; /* from here freed with the writer */
	rg->rows = w->rg_rows;
	rg->start = w->offset;
	struct pagebuf pb = { 0 };
	int rc = 0;
	if (!(pb.levels = pq_malloc(w->opt.page_rows * sizeof *pb.levels)))
		rc = fail(w, PQ_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < w->ncols; i++) {
		struct col *c = &w->cols[i];
		rc = write_chunk(w, c, &rg->chunks[i], &pb);
		rg->unc += rg->chunks[i].unc;
		rg->comp += rg->chunks[i].comp;
		c->defs.n = c->vals.n = 0;
		c->nvals = 0;
		c->nulls = 0;
		c->has_minmax = 0;
	}
	buf_free(&pb.raw);
	buf_free(&pb.comp);
	buf_free(&pb.hdr);
	free(pb.levels);
	w->rg_rows = 0;
	w->rg_bytes = 0;
	return rc;
}

int pq_end_row(struct pq_writer *w)
{
	if (w->spent)
		return w->spent;
	for (size_t i = 0; i < w->ncols; i++)
		if (!w->cols[i].set)
			return fail(w, PQ_EINVAL, "%s: no value in this row",
				    w->cols[i].name);
	for (size_t i = 0; i < w->ncols; i++)
		w->cols[i].set = 0;
	w->rows++;
	w->rg_rows++;
	if (w->rg_rows >= w->opt.row_group_rows ||
	    w->rg_bytes >= w->opt.row_group_bytes)
		return flush_rowgroup(w);
	return 0;
}

/* ---- The footer -------------------------------------------------------- */

static void schema_element(struct tw *t, const struct col *c)
{
	static const int ptype[] = { T_BOOLEAN, T_INT64, T_DOUBLE,
				     T_BYTE_ARRAY };
	tw_struct(t, 0);
	tw_i32(t, 1, ptype[c->type]);
	tw_i32(t, 3, c->flags & PQ_OPTIONAL ? REP_OPTIONAL : REP_REQUIRED);
	tw_bin(t, 4, c->name, strlen(c->name));
	if (c->type == PQ_STRING) {
		tw_i32(t, 6, CT_UTF8);
		tw_struct(t, 10); /* LogicalType */
		tw_struct(t, 1);  /* STRING */
		tw_end(t);
		tw_end(t);
	} else if (c->type == PQ_INT64 && (c->flags & PQ_TIMESTAMP_NS)) {
		tw_struct(t, 10);
		tw_struct(t, 8); /* TIMESTAMP */
		tw_bool(t, 1, 1);
		tw_struct(t, 2); /* unit */
		tw_struct(t, 3); /* NANOS */
		tw_end(t);
		tw_end(t);
		tw_end(t);
		tw_end(t);
	} else if (c->type == PQ_INT64) {
		tw_i32(t, 6, CT_INT_64);
		tw_struct(t, 10);
		tw_struct(t, 10); /* INTEGER */
		tw_field(t, 1, TC_BYTE);
		buf_byte(t->b, 64);
		tw_bool(t, 2, 1);
		tw_end(t);
		tw_end(t);
	}
	tw_end(t);
}

static void column_chunk(struct tw *t, const struct col *c,
			 const struct chunk *ch, int codec)
{
	static const int ptype[] = { T_BOOLEAN, T_INT64, T_DOUBLE,
				     T_BYTE_ARRAY };
	tw_struct(t, 0);
	tw_i64(t, 2, ch->start);
	tw_struct(t, 3); /* ColumnMetaData */
	tw_i32(t, 1, ptype[c->type]);
	tw_list(t, 2, TC_I32, ch->dict ? 3 : 2);
	buf_varint(t->b, zigzag(E_PLAIN));
	buf_varint(t->b, zigzag(E_RLE));
	if (ch->dict)
		buf_varint(t->b, zigzag(E_RLE_DICTIONARY));
	tw_list(t, 3, TC_BINARY, 1);
	buf_varint(t->b, strlen(c->name));
	buf_put(t->b, c->name, strlen(c->name));
	tw_i32(t, 4, codec);
	tw_i64(t, 5, ch->num_values);
	tw_i64(t, 6, ch->unc);
	tw_i64(t, 7, ch->comp);
	tw_i64(t, 9, ch->data_page);
	if (ch->dict_page >= 0)
		tw_i64(t, 11, ch->dict_page);
	tw_struct(t, 12); /* Statistics */
	if (ch->has_minmax && c->type != PQ_STRING) {
		/* The older fields, whose order is only clear for these. */
		tw_bin(t, 1, ch->max, ch->max_len);
		tw_bin(t, 2, ch->min, ch->min_len);
	}
	tw_i64(t, 3, ch->null_count);
	if (ch->has_minmax) {
		tw_bin(t, 5, ch->max, ch->max_len);
		tw_bin(t, 6, ch->min, ch->min_len);
	}
	tw_end(t);
	tw_end(t); /* ColumnMetaData */
	tw_end(t); /* ColumnChunk */
}

int pq_finish(struct pq_writer *w)
{
	if (w->spent)
		return w->spent;
	for (size_t i = 0; i < w->ncols; i++)
		if (w->cols[i].set)
			return fail(w, PQ_EINVAL, "a row begun, not ended");
	int rc = flush_rowgroup(w);
	if (rc != 0)
		return rc;
	struct buf b = { 0 };
	struct tw t = { .b = &b };
	int codec = w->opt.codec == PQ_ZSTD ? CODEC_ZSTD : CODEC_UNCOMPRESSED;
	tw_i32(&t, 1, 1); /* version */
	tw_list(&t, 2, TC_STRUCT, w->ncols + 1);
	tw_struct(&t, 0); /* the root */
	tw_bin(&t, 4, "schema", 6);
	tw_i32(&t, 5, (int32_t)w->ncols);
	tw_end(&t);
	for (size_t i = 0; i < w->ncols; i++)
		schema_element(&t, &w->cols[i]);
	tw_i64(&t, 3, (int64_t)w->rows);
	tw_list(&t, 4, TC_STRUCT, w->nrg);
	for (size_t r = 0; r < w->nrg; r++) {
		const struct rowgroup *rg = &w->rgs[r];
		tw_struct(&t, 0);
		tw_list(&t, 1, TC_STRUCT, w->ncols);
		for (size_t i = 0; i < w->ncols; i++)
			column_chunk(&t, &w->cols[i], &rg->chunks[i], codec);
		tw_i64(&t, 2, rg->unc);
		tw_i64(&t, 3, rg->rows);
		tw_i64(&t, 5, rg->start);
		tw_i64(&t, 6, rg->comp);
		tw_i16(&t, 7, (int16_t)(r < INT16_MAX ? r : INT16_MAX));
		tw_end(&t);
	}
	tw_bin(&t, 6, w->created_by, strlen(w->created_by));
	tw_list(&t, 7, TC_STRUCT, w->ncols); /* ColumnOrder: type order */
	for (size_t i = 0; i < w->ncols; i++) {
		tw_struct(&t, 0);
		tw_struct(&t, 1);
		tw_end(&t);
		tw_end(&t);
	}
	buf_byte(&b, 0); /* end of FileMetaData */
	if (b.oom || b.n > UINT32_MAX) {
		buf_free(&b);
		return fail(w, PQ_ENOMEM, "out of memory");
	}
	buf_le32(&b, (uint32_t)b.n);
	buf_put(&b, "PAR1", 4);
	if (b.oom)
		rc = fail(w, PQ_ENOMEM, "out of memory");
	else
		rc = write_all(w, b.p, b.n);
	buf_free(&b);
	if (rc == 0)
		w->spent = PQ_EINVAL; /* finished: only pq_free() now */
	if (rc == 0)
		snprintf(w->err, sizeof w->err, "finished");
	return rc;
}
