/*
 * test_parquet.c - the Parquet writer (analyzer/export/parquet.c), read
 * back by a small Thrift compact reader of its own here: magic, footer
 * length, row counts and row groups, schema, encodings, statistics
 * (min/max, -0/+0, strings in byte order, null counts), dictionary and
 * plain pages, ZSTD and uncompressed pages, definition levels decoded
 * from the RLE/bit-packed hybrid, misuse refused without harm, a full
 * disk; and the UTF-8 repair of the exporter (dataset.h). DuckDB reads
 * real files in tests/t_parquet.sh.
 */
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zstd.h>

#include "../analyzer/export/dataset.h"
#include "../analyzer/export/parquet.h"
#include "unit.h"

/* ---- A file in memory ---------------------------------------------------- */

static uint8_t *file;
static size_t file_len;
static int quiet; /* no "# why" lines (allocation failures on purpose) */

/* Writes rows through fill() to a temporary file and reads it back. */
static int write_file(const struct pq_column *cols, size_t n,
		      const struct pq_options *o,
		      int (*fill)(struct pq_writer *))
{
	char path[] = "/tmp/test_parquet.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	struct pq_writer *w;
	char err[200];
	int rc = pq_open(fd, cols, n, o, &w, err, sizeof err);
	if (rc == 0) {
		rc = fill(w);
		if (rc == 0)
			rc = pq_finish(w);
		if (rc && !quiet)
			printf("# %s\n", pq_errmsg(w));
		pq_free(w);
	}
	free(file);
	file = NULL;
	off_t end = lseek(fd, 0, SEEK_END);
	if (rc == 0 && end > 0 && (file = malloc((size_t)end)) &&
	    pread(fd, file, (size_t)end, 0) == end)
		file_len = (size_t)end;
	else
		rc = rc ? rc : -1;
	close(fd);
	return rc;
}

/* ---- Thrift compact, read ------------------------------------------------ */

struct rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;
	for (int s = 0; s < 64; s += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

static int64_t rd_int(struct rd *r)
{
	uint64_t v = rd_varint(r);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void rd_skip(struct rd *r, int type);

static void rd_skip_struct(struct rd *r)
{
	while (!r->bad && r->p < r->end) {
		uint8_t h = *r->p++;
		if (h == 0)
			return;
		if ((h >> 4) == 0)
			rd_int(r);
		rd_skip(r, h & 0x0f);
	}
	r->bad = 1;
}

static void rd_skip(struct rd *r, int type)
{
	switch (type) {
	case 1:
	case 2:
		break;
	case 3:
		r->p++;
		break;
	case 4:
	case 5:
	case 6:
		rd_int(r);
		break;
	case 7:
		r->p += 8;
		break;
	case 8: {
		uint64_t n = rd_varint(r);
		r->p += n;
		break;
	}
	case 9: {
		uint8_t h = r->p < r->end ? *r->p++ : 0;
		uint64_t n = h >> 4;
		if (n == 15)
			n = rd_varint(r);
		for (uint64_t i = 0; i < n && !r->bad; i++)
			rd_skip(r, h & 0x0f);
		break;
	}
	case 12:
		rd_skip_struct(r);
		break;
	default:
		r->bad = 1;
	}
	if (r->p > r->end)
		r->bad = 1;
}

/* In the struct at r: positions r on field id's value; its type, or 0. */
static int rd_field(struct rd *r, int id)
{
	int last = 0;
	while (!r->bad && r->p < r->end) {
		uint8_t h = *r->p++;
		if (h == 0)
			return 0;
		int fid = (h >> 4) ? last + (h >> 4) : (int)rd_int(r);
		last = fid;
		if (fid == id)
			return h & 0x0f;
		rd_skip(r, h & 0x0f);
	}
	return 0;
}

/* A field of the struct at p: its reader and type. */
static struct rd at(const uint8_t *p, const uint8_t *end, int id, int *type)
{
	struct rd r = { p, end, 0 };
	*type = rd_field(&r, id);
	return r;
}

static int64_t get_int(const uint8_t *p, const uint8_t *end, int id,
		       int64_t dflt)
{
	int t;
	struct rd r = at(p, end, id, &t);
	return t >= 4 && t <= 6 ? rd_int(&r) : dflt;
}

/* Element k of the list field id of the struct at p, or NULL. */
static const uint8_t *get_elem(const uint8_t *p, const uint8_t *end, int id,
			       uint64_t k, uint64_t *n)
{
	int t;
	struct rd r = at(p, end, id, &t);
	if (t != 9)
		return NULL;
	uint8_t h = *r.p++;
	*n = h >> 4;
	if (*n == 15)
		*n = rd_varint(&r);
	if (k >= *n)
		return NULL;
	for (uint64_t i = 0; i < k; i++)
		rd_skip(&r, h & 0x0f);
	return r.bad ? NULL : r.p;
}

static const uint8_t *get_struct(const uint8_t *p, const uint8_t *end, int id)
{
	int t;
	struct rd r = at(p, end, id, &t);
	return t == 12 ? r.p : NULL;
}

/* A binary field: its bytes and length, NULL when absent. */
static const uint8_t *get_bin(const uint8_t *p, const uint8_t *end, int id,
			      size_t *len)
{
	int t;
	struct rd r = at(p, end, id, &t);
	if (t != 8)
		return NULL;
	*len = rd_varint(&r);
	return r.p;
}

/* The footer: FileMetaData's first byte and end. */
static const uint8_t *fmd, *fmd_end;

static int footer(void)
{
	if (file_len < 12 || memcmp(file, "PAR1", 4) ||
	    memcmp(file + file_len - 4, "PAR1", 4))
		return -1;
	const uint8_t *l = file + file_len - 8;
	uint32_t n = l[0] | l[1] << 8 | l[2] << 16 | (uint32_t)l[3] << 24;
	if (n > file_len - 12)
		return -1;
	fmd = file + file_len - 8 - n;
	fmd_end = file + file_len - 8;
	return 0;
}

/* ColumnMetaData of column c in row group g. */
static const uint8_t *colmeta(uint64_t g, uint64_t c)
{
	uint64_t n;
	const uint8_t *rg = get_elem(fmd, fmd_end, 4, g, &n);
	const uint8_t *cc = rg ? get_elem(rg, fmd_end, 1, c, &n) : NULL;
	return cc ? get_struct(cc, fmd_end, 3) : NULL;
}

/* ---- The files ------------------------------------------------------------ */

static const struct pq_column all_cols[] = {
	{ "i", PQ_INT64, 0 },
	{ "oi", PQ_INT64, PQ_OPTIONAL },
	{ "d", PQ_DOUBLE, PQ_OPTIONAL },
	{ "s", PQ_STRING, PQ_OPTIONAL | PQ_DICT },
	{ "p", PQ_STRING, 0 },
	{ "b", PQ_BOOLEAN, PQ_OPTIONAL },
	{ "ts", PQ_INT64, PQ_TIMESTAMP_NS },
	{ "nothing", PQ_STRING, PQ_OPTIONAL | PQ_DICT },
	{ "uniq", PQ_STRING, PQ_DICT },
};

static const char *const words[] = { "zeta", "alpha", "\xc3\xa9t\xc3\xa9",
				     "nul\0in", "" };

/* 35 rows: i = r - 10; oi NULL every third; d = r / 4 - 2 (with -0.0
 * and 0.0) NULL every fifth; s a word, NULL every seventh; p the word
 * with its NUL; b alternating; nothing all NULL; uniq all distinct. */
static int fill_all(struct pq_writer *w)
{
	for (int r = 0; r < 35; r++) {
		const char *wd = words[r % 5];
		size_t wl = r % 5 == 3 ? 6 : strlen(wd);
		char u[16];
		int ul = snprintf(u, sizeof u, "u%03d", r);
		double d = r == 8 ? -0.0 : r / 4.0 - 2;
		int rc = pq_put_int64(w, 0, r - 10);
		rc |= r % 3 ? pq_put_int64(w, 1, r * 1000)
			    : pq_put_null(w, 1);
		rc |= r % 5 ? pq_put_double(w, 2, d) : pq_put_null(w, 2);
		rc |= r % 7 ? pq_put_string(w, 3, wd, wl) : pq_put_null(w, 3);
		rc |= pq_put_string(w, 4, wd, wl);
		rc |= pq_put_bool(w, 5, r & 1);
		rc |= pq_put_int64(w, 6, 1700000000000000000LL + r);
		rc |= pq_put_null(w, 7);
		rc |= pq_put_string(w, 8, u, (size_t)ul);
		rc |= pq_end_row(w);
		if (rc)
			return -1;
	}
	return 0;
}

static const struct pq_options small_groups = {
	.codec = PQ_ZSTD, .row_group_rows = 10, .page_rows = 4,
};

static void t_magic_rows(void)
{
	CHECK(write_file(all_cols, 9, &small_groups, fill_all) == 0);
	CHECK(footer() == 0);
	CHECK_EQ(get_int(fmd, fmd_end, 1, -1), 1);  /* version */
	CHECK_EQ(get_int(fmd, fmd_end, 3, -1), 35); /* num_rows */
	uint64_t n = 0, sum = 0;
	CHECK(get_elem(fmd, fmd_end, 4, 0, &n));
	CHECK_EQ(n, 4);
	for (uint64_t g = 0; g < n; g++) {
		const uint8_t *rg = get_elem(fmd, fmd_end, 4, g, &n);
		CHECK(rg);
		int64_t rows = get_int(rg, fmd_end, 3, -1);
		CHECK_EQ(rows, g < 3 ? 10 : 5);
		sum += (uint64_t)rows;
		CHECK_EQ(get_int(rg, fmd_end, 7, -1), (int64_t)g); /* ordinal */
		/* Each chunk starts where the previous ended. */
		const uint8_t *m = colmeta(g, 0);
		CHECK(m && get_int(m, fmd_end, 9, -1) ==
			       get_int(rg, fmd_end, 5, -2));
	}
	CHECK_EQ(sum, 35);
	/* Schema: a root with 9 children, then the leaves. */
	const uint8_t *root = get_elem(fmd, fmd_end, 2, 0, &n);
	CHECK(root);
	CHECK_EQ(n, 10);
	CHECK_EQ(get_int(root, fmd_end, 5, -1), 9);
	const uint8_t *e = get_elem(fmd, fmd_end, 2, 4, &n); /* "s" */
	size_t len;
	const uint8_t *name = get_bin(e, fmd_end, 4, &len);
	CHECK(name && len == 1 && name[0] == 's');
	CHECK_EQ(get_int(e, fmd_end, 1, -1), 6);  /* BYTE_ARRAY */
	CHECK_EQ(get_int(e, fmd_end, 3, -1), 1);  /* OPTIONAL */
	CHECK_EQ(get_int(e, fmd_end, 6, -1), 0);  /* UTF8 */
	e = get_elem(fmd, fmd_end, 2, 1, &n);     /* "i" */
	CHECK_EQ(get_int(e, fmd_end, 3, -1), 0);  /* REQUIRED */
	CHECK_EQ(get_int(e, fmd_end, 6, -1), 18); /* INT_64 */
	CHECK(get_elem(fmd, fmd_end, 7, 8, &n));  /* column_orders */
	CHECK_EQ(n, 9);
}

static int64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return (int64_t)v;
}

static void t_statistics(void)
{
	CHECK(write_file(all_cols, 9, &small_groups, fill_all) == 0);
	CHECK(footer() == 0);
	size_t l1, l2;
	/* i, row group 1: rows 10..19 -> 0..9. */
	const uint8_t *st = get_struct(colmeta(1, 0), fmd_end, 12);
	CHECK(st);
	const uint8_t *mn = get_bin(st, fmd_end, 6, &l1);
	const uint8_t *mx = get_bin(st, fmd_end, 5, &l2);
	CHECK(mn && mx && l1 == 8 && l2 == 8);
	CHECK_EQ(le64(mn), 0);
	CHECK_EQ(le64(mx), 9);
	CHECK_EQ(get_int(st, fmd_end, 3, -1), 0);
	mn = get_bin(st, fmd_end, 2, &l1); /* the older min, same */
	CHECK(mn && l1 == 8 && le64(mn) == 0);
	/* oi, row group 0: rows 0..9, NULL at 0, 3, 6, 9. */
	st = get_struct(colmeta(0, 1), fmd_end, 12);
	CHECK_EQ(get_int(st, fmd_end, 3, -1), 4);
	CHECK_EQ(le64(get_bin(st, fmd_end, 6, &l1)), 1000);
	CHECK_EQ(le64(get_bin(st, fmd_end, 5, &l1)), 8000);
	/* d, row group 0: rows 1..9 as r / 4 - 2 (row 8 as -0.0), NULL at
	 * 0 and 5: -1.75 .. 0.25. */
	st = get_struct(colmeta(0, 2), fmd_end, 12);
	double dmn, dmx;
	int64_t x = le64(get_bin(st, fmd_end, 6, &l1));
	memcpy(&dmn, &x, 8);
	x = le64(get_bin(st, fmd_end, 5, &l1));
	memcpy(&dmx, &x, 8);
	CHECK(dmn == -1.75);
	CHECK(dmx == 0.25);
	CHECK_EQ(get_int(st, fmd_end, 3, -1), 2);
	/* s, row group 0: words in byte order: "" < "alpha" < "nul\0in" <
	 * "zeta" < "été"; NULL at row 0 and 7; no older min/max. */
	st = get_struct(colmeta(0, 3), fmd_end, 12);
	mn = get_bin(st, fmd_end, 6, &l1);
	mx = get_bin(st, fmd_end, 5, &l2);
	CHECK(mn && l1 == 0);
	CHECK(mx && l2 == 5 && memcmp(mx, "\xc3\xa9t\xc3\xa9", 5) == 0);
	CHECK(!get_bin(st, fmd_end, 2, &l1));
	CHECK_EQ(get_int(st, fmd_end, 3, -1), 2);
	/* b: false .. true. */
	st = get_struct(colmeta(2, 5), fmd_end, 12);
	mn = get_bin(st, fmd_end, 6, &l1);
	mx = get_bin(st, fmd_end, 5, &l2);
	CHECK(mn && mx && l1 == 1 && l2 == 1 && mn[0] == 0 && mx[0] == 1);
	/* nothing: all NULL, no bounds. */
	st = get_struct(colmeta(3, 7), fmd_end, 12);
	CHECK_EQ(get_int(st, fmd_end, 3, -1), 5);
	CHECK(!get_bin(st, fmd_end, 6, &l1) && !get_bin(st, fmd_end, 5, &l1));
}

/* Has the encoding list of m the value enc? */
static int has_encoding(const uint8_t *m, int enc)
{
	uint64_t n = 0;
	for (uint64_t k = 0; get_elem(m, fmd_end, 2, 0, &n) && k < n; k++) {
		struct rd r = { get_elem(m, fmd_end, 2, k, &n), fmd_end, 0 };
		if (rd_int(&r) == enc)
			return 1;
	}
	return 0;
}

static void t_dictionary_plain(void)
{
	CHECK(write_file(all_cols, 9, &small_groups, fill_all) == 0);
	CHECK(footer() == 0);
	const uint8_t *s = colmeta(0, 3), *p = colmeta(0, 4);
	CHECK(has_encoding(s, 8));  /* RLE_DICTIONARY */
	CHECK(!has_encoding(p, 8)); /* PLAIN */
	CHECK(get_int(s, fmd_end, 11, -1) > 0);
	CHECK_EQ(get_int(p, fmd_end, 11, -1), -1);
	/* The dictionary page comes first and holds the 5 words (row 0 is
	 * NULL: "zeta" comes back at row 5). */
	int64_t at = get_int(s, fmd_end, 11, -1);
	CHECK(at < get_int(s, fmd_end, 9, -1));
	const uint8_t *ph = file + at;
	CHECK_EQ(get_int(ph, file + file_len, 1, -1), 2); /* DICTIONARY */
	const uint8_t *dh = get_struct(ph, file + file_len, 7);
	CHECK(dh);
	CHECK_EQ(get_int(dh, file + file_len, 1, -1), 5);
	/* A column of distinct values falls back to PLAIN only for big
	 * chunks (64 values and up); here each chunk is small. */
	CHECK(has_encoding(colmeta(0, 8), 8));
}

/* Decodes n values of the hybrid at p (width w); -1 on a bad run. */
static int unhybrid(const uint8_t *p, const uint8_t *end, int w, uint32_t *v,
		    size_t n)
{
	struct rd r = { p, end, 0 };
	size_t k = 0;
	while (k < n && !r.bad) {
		uint64_t h = rd_varint(&r);
		if (h & 1) {
			size_t cnt = (size_t)(h >> 1) * 8;
			uint64_t acc = 0;
			int bits = 0;
			for (size_t j = 0; j < cnt; j++) {
				while (bits < w) {
					if (r.p >= end)
						return -1;
					acc |= (uint64_t)*r.p++ << bits;
					bits += 8;
				}
				if (k < n)
					v[k++] = (uint32_t)(acc & ((1u << w) - 1));
				acc >>= w;
				bits -= w;
			}
		} else {
			uint32_t x = 0;
			for (int b = 0; b < (w + 7) / 8; b++)
				x |= (uint32_t)*r.p++ << (8 * b);
			for (size_t j = 0; j < (h >> 1) && k < n; j++)
				v[k++] = x;
		}
	}
	return r.bad || k != n ? -1 : 0;
}

/* 100 rows, NULL where r % 3 == 0 or 40 <= r < 60 (a long run). */
static int fill_levels(struct pq_writer *w)
{
	for (int r = 0; r < 100; r++) {
		int rc = r % 3 == 0 || (r >= 40 && r < 60) ? pq_put_null(w, 0)
							    : pq_put_int64(w, 0, r);
		if (rc || pq_end_row(w))
			return -1;
	}
	return 0;
}

static void t_levels_uncompressed(void)
{
	static const struct pq_column c[] = { { "x", PQ_INT64, PQ_OPTIONAL } };
	struct pq_options o = { .codec = PQ_UNCOMPRESSED };
	CHECK(write_file(c, 1, &o, fill_levels) == 0);
	CHECK(footer() == 0);
	const uint8_t *m = colmeta(0, 0);
	CHECK_EQ(get_int(m, fmd_end, 4, -1), 0); /* UNCOMPRESSED */
	CHECK_EQ(get_int(m, fmd_end, 6, -1), get_int(m, fmd_end, 7, -2));
	const uint8_t *ph = file + get_int(m, fmd_end, 9, -1);
	const uint8_t *end = file + file_len;
	CHECK_EQ(get_int(ph, end, 1, -1), 0); /* DATA_PAGE */
	int64_t size = get_int(ph, end, 2, -1);
	CHECK_EQ(size, get_int(ph, end, 3, -2));
	const uint8_t *dh = get_struct(ph, end, 5);
	CHECK_EQ(get_int(dh, end, 1, -1), 100);
	/* The payload follows the header: skip the header struct. */
	struct rd r = { ph, end, 0 };
	rd_skip_struct(&r);
	CHECK(!r.bad);
	const uint8_t *pl = r.p;
	uint32_t dlen = pl[0] | pl[1] << 8 | pl[2] << 16 | (uint32_t)pl[3] << 24;
	uint32_t lv[100];
	CHECK(unhybrid(pl + 4, pl + 4 + dlen, 1, lv, 100) == 0);
	int nv = 0;
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(lv[i], !(i % 3 == 0 || (i >= 40 && i < 60)));
		nv += (int)lv[i];
	}
	/* Then the values, PLAIN, in order. */
	CHECK_EQ((int64_t)(4 + dlen + 8 * (uint32_t)nv), size);
	CHECK_EQ(le64(pl + 4 + dlen), 1);
	CHECK_EQ(le64(pl + 4 + dlen + 8 * (uint32_t)(nv - 1)), 98);
}

static void t_zstd_page(void)
{
	CHECK(write_file(all_cols, 9, &small_groups, fill_all) == 0);
	CHECK(footer() == 0);
	const uint8_t *m = colmeta(0, 4);
	CHECK_EQ(get_int(m, fmd_end, 4, -1), 6); /* ZSTD */
	const uint8_t *ph = file + get_int(m, fmd_end, 9, -1);
	const uint8_t *end = file + file_len;
	int64_t unc = get_int(ph, end, 2, -1), comp = get_int(ph, end, 3, -1);
	struct rd r = { ph, end, 0 };
	rd_skip_struct(&r);
	CHECK(!r.bad && comp > 0 && r.p + comp <= end);
	uint8_t out[4096];
	size_t got = ZSTD_decompress(out, sizeof out, r.p, (size_t)comp);
	CHECK(!ZSTD_isError(got));
	CHECK_EQ(got, unc);
	/* p is REQUIRED: no levels; 4 values "zeta" "alpha" "été" "nul\0in". */
	CHECK(got > 8 && out[0] == 4 && memcmp(out + 4, "zeta", 4) == 0);
}

static int fill_none(struct pq_writer *w)
{
	(void)w;
	return 0;
}

/* Row group 0: -0.0, 0.0, NaN (bounds -0.0 .. -0.0 as compared); row
 * group 1: 0.0, -0.0, NaN (0.0 .. 0.0). */
static int fill_zeros(struct pq_writer *w)
{
	static const double v[] = { -0.0, 0.0, NAN, 0.0, -0.0, NAN };
	for (int i = 0; i < 6; i++)
		if (pq_put_double(w, 0, v[i]) || pq_end_row(w))
			return -1;
	return 0;
}

/* Zeros: the minimum written as -0.0, the maximum as +0.0, whichever
 * came first; NaN is never a bound. */
static void t_signed_zero(void)
{
	static const struct pq_column c[] = { { "z", PQ_DOUBLE, 0 } };
	struct pq_options o = { .codec = PQ_ZSTD, .row_group_rows = 3 };
	CHECK(write_file(c, 1, &o, fill_zeros) == 0);
	CHECK(footer() == 0);
	for (int g = 0; g < 2; g++) {
		const uint8_t *st = get_struct(colmeta((uint64_t)g, 0),
					       fmd_end, 12);
		size_t l1, l2;
		const uint8_t *mn = get_bin(st, fmd_end, 6, &l1);
		const uint8_t *mx = get_bin(st, fmd_end, 5, &l2);
		CHECK(mn && mx && l1 == 8 && l2 == 8);
		double a, b;
		int64_t x = le64(mn), y = le64(mx);
		memcpy(&a, &x, 8);
		memcpy(&b, &y, 8);
		CHECK(a == 0 && signbit(a));
		CHECK(b == 0 && !signbit(b));
	}
}

static void t_empty_file(void)
{
	CHECK(write_file(all_cols, 9, NULL, fill_none) == 0);
	CHECK(footer() == 0);
	uint64_t n = 99;
	CHECK_EQ(get_int(fmd, fmd_end, 3, -1), 0);
	CHECK(!get_elem(fmd, fmd_end, 4, 0, &n));
	CHECK_EQ(n, 0);
}

static void t_misuse(void)
{
	int fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	struct pq_writer *w;
	char err[200];
	static const struct pq_column dup[] = { { "a", PQ_INT64, 0 },
						{ "a", PQ_INT64, 0 } };
	static const struct pq_column bad[] = { { "a", PQ_INT64, PQ_DICT } };
	CHECK(pq_open(fd, dup, 2, NULL, &w, err, sizeof err) == PQ_EINVAL);
	CHECK(w == NULL);
	CHECK(pq_open(fd, bad, 1, NULL, &w, err, sizeof err) == PQ_EINVAL);
	struct pq_options big = { .page_rows = 1u << 31 };
	CHECK(pq_open(fd, all_cols, 9, &big, &w, err, sizeof err) ==
	      PQ_EINVAL);
	CHECK(pq_open(fd, all_cols, 9, NULL, &w, err, sizeof err) == 0);
	CHECK(pq_put_null(w, 0) == PQ_EINVAL);           /* REQUIRED */
	CHECK(pq_put_double(w, 0, 1) == PQ_EINVAL);      /* wrong type */
	CHECK(pq_put_string(w, 4, "\xff", 1) == PQ_EINVAL); /* not UTF-8 */
	CHECK(pq_put_int64(w, 9, 1) == PQ_EINVAL);       /* no column */
	CHECK(pq_put_int64(w, 0, 1) == 0);
	CHECK(pq_put_int64(w, 0, 2) == PQ_EINVAL);       /* twice */
	CHECK(pq_end_row(w) == PQ_EINVAL);               /* incomplete */
	CHECK(pq_finish(w) == PQ_EINVAL);                /* row begun */
	CHECK(strstr(pq_errmsg(w), "begun"));
	/* Still usable: complete the row. */
	int rc = pq_put_null(w, 1) | pq_put_null(w, 2) | pq_put_null(w, 3) |
		 pq_put_string(w, 4, "x", 1) | pq_put_null(w, 5) |
		 pq_put_int64(w, 6, 0) | pq_put_null(w, 7) |
		 pq_put_string(w, 8, "", 0);
	CHECK(rc == 0);
	CHECK(pq_end_row(w) == 0);
	CHECK_EQ(pq_rows(w), 1);
	CHECK(pq_finish(w) == 0);
	pq_free(w);
	close(fd);
}

static void t_disk_full(void)
{
	int fd = open("/dev/full", O_WRONLY);
	if (fd < 0) {
		printf("# no /dev/full\n");
		return;
	}
	struct pq_writer *w;
	char err[200];
	CHECK(pq_open(fd, all_cols, 9, NULL, &w, err, sizeof err) == PQ_EIO);
	CHECK(w == NULL);
	CHECK(strstr(err, "No space left"));
	close(fd);
}

static void t_utf8(void)
{
	CHECK(pq_utf8_valid("", 0));
	CHECK(pq_utf8_valid("a\0b", 3));
	CHECK(pq_utf8_valid("\xf0\x9f\x98\x80", 4));
	CHECK(!pq_utf8_valid("\xc0\xaf", 2));     /* overlong */
	CHECK(!pq_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!pq_utf8_valid("\xf4\x90\x80\x80", 4));
	CHECK(!pq_utf8_valid("\xe2\x82", 2));     /* cut */
	struct { const char *in; size_t len; const char *out; } t[] = {
		{ "a\xe2\x82" "A", 4, "a\xef\xbf\xbd" "A" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xff\xfe\xc3(", 4,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(" },
		{ "\xf0\x9f\x98", 3, "\xef\xbf\xbd" },
		{ "ok\xc3\xa9", 4, "ok\xc3\xa9" },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		uint8_t out[64];
		size_t n = ds_utf8_repair((const uint8_t *)t[i].in, t[i].len,
					  out);
		CHECK_EQ(n, strlen(t[i].out));
		CHECK(memcmp(out, t[i].out, n) == 0);
		CHECK(pq_utf8_valid(out, n));
	}
}

/* Allocation n fails, for n = 1, 2, ... until a whole file is written:
 * each time a clean PQ_ENOMEM (ASan: nothing leaked, nothing used after
 * free), then a file whose footer is right. */
static void t_alloc_failures(void)
{
	long n;
	int rc = -1;
	quiet = 1;
	for (n = 1; n < 5000 && rc != 0; n++) {
		pq_test_fail_alloc(n);
		rc = write_file(all_cols, 9, &small_groups, fill_all);
	}
	pq_test_fail_alloc(0);
	quiet = 0;
	CHECK(rc == 0);
	CHECK(n > 20); /* so many allocations could fail */
	CHECK(footer() == 0);
	CHECK_EQ(get_int(fmd, fmd_end, 3, -1), 35);
}

/* ---- The dataset (dataset.c) on a database made here ---------------------- */

/* 20 captures, each on its own day; 200 connections, capture by capture
 * in turn, so that 20 partitions are written at once (16 open: the least
 * recently used is finished again and again). */
static sqlite3 *make_db(void)
{
	sqlite3 *db;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	char sql[256];
	int rc = sqlite3_exec(db, "CREATE TABLE captures (id INTEGER PRIMARY"
			      " KEY, path TEXT NOT NULL, first_ts INTEGER,"
			      " complete INTEGER NOT NULL, live INTEGER NOT"
			      " NULL); CREATE TABLE connections (id INTEGER"
			      " PRIMARY KEY, capture_id INTEGER NOT NULL,"
			      " first_ts INTEGER, score REAL, note TEXT);"
			      " CREATE TABLE label_names (id INTEGER, name"
			      " TEXT)", NULL, NULL, NULL);
	for (int c = 1; rc == SQLITE_OK && c <= 20; c++) {
		snprintf(sql, sizeof sql, "INSERT INTO captures VALUES (%d,"
			 " 'c%d', %lld, 1, 0)", c, c,
			 1700000000000000000LL + c * 86400000000000LL);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	for (int i = 0; rc == SQLITE_OK && i < 200; i++) {
		int c = i % 20 + 1;
		snprintf(sql, sizeof sql, "INSERT INTO connections VALUES (%d,"
			 " %d, %lld, %d.5, NULL)", i + 1, c,
			 1700000000000000000LL + c * 86400000000000LL + i, i);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static char ds_dir[] = "/tmp/test_parquet_ds.XXXXXX";
static int ds_files, ds_bad, ds_tmp;
static int64_t ds_rows;

static int count_file(const char *path, const struct stat *sb, int type,
		      struct FTW *f)
{
	(void)sb;
	if (type != FTW_F)
		return 0;
	if (path[f->base] == '.') {
		ds_tmp++;
		return 0;
	}
	int fd = open(path, O_RDONLY);
	off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	free(file);
	file = end > 0 ? malloc((size_t)end) : NULL;
	if (!file || pread(fd, file, (size_t)end, 0) != end) {
		ds_bad++;
	} else {
		file_len = (size_t)end;
		if (footer() != 0)
			ds_bad++;
		else
			ds_rows += get_int(fmd, fmd_end, 3, -1);
	}
	if (fd >= 0)
		close(fd);
	ds_files++;
	return 0;
}

static int rm_file(const char *path, const struct stat *sb, int type,
		   struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(path);
}

static void count_dataset(void)
{
	ds_files = ds_bad = ds_tmp = 0;
	ds_rows = 0;
	nftw(ds_dir, count_file, 16, FTW_PHYS);
}

static void t_dataset_many_partitions(void)
{
	sqlite3 *db = make_db();
	CHECK(db);
	CHECK(mkdtemp(ds_dir));
	struct ds_options o = { .dir = ds_dir, .sensor = "t1",
				.codec = PQ_ZSTD };
	struct ds_stats st;
	char err[300] = "";
	int rc = ds_export(db, &o, &st, err, sizeof err);
	count_dataset();
	if (rc)
		printf("# %s\n", err);
	CHECK(rc == 0);
	CHECK_EQ(st.rows, 220);
	CHECK_EQ(st.tables, 2); /* label_names has no capture */
	CHECK_EQ(ds_rows, 220);
	CHECK_EQ(ds_bad, 0);
	CHECK_EQ(ds_tmp, 0);
	CHECK_EQ(ds_files, (int)st.files);
	CHECK(ds_files > 40); /* partitions finished and opened again */
	/* One partition: capture 5, its own date, several parts. */
	char p[600];
	snprintf(p, sizeof p, "%s/table=connections/date=2023-11-19/sensor=t1"
		 "/part-5-1.parquet", ds_dir);
	CHECK(access(p, F_OK) == 0);
	/* Capture 3 only (read --parquet): 10 + 1 more rows. */
	o.capture = 3;
	CHECK(ds_export(db, &o, &st, err, sizeof err) == 0);
	CHECK_EQ(st.rows, 11);
	nftw(ds_dir, rm_file, 16, FTW_DEPTH | FTW_PHYS);
	sqlite3_close(db);
}

static void t_dataset_failures(void)
{
	sqlite3 *db = make_db();
	CHECK(db);
	strcpy(ds_dir, "/tmp/test_parquet_ds.XXXXXX");
	CHECK(mkdtemp(ds_dir));
	/* Stopped (a signal): DS_EINTR, no file left. */
	volatile sig_atomic_t stop = 1;
	struct ds_options o = { .dir = ds_dir, .sensor = "t1",
				.codec = PQ_ZSTD, .stop = &stop };
	struct ds_stats st;
	char err[300] = "";
	CHECK(ds_export(db, &o, &st, err, sizeof err) == DS_EINTR);
	count_dataset();
	CHECK_EQ(ds_files + ds_tmp, 0);
	/* Text in an INTEGER column, late: the files already finished
	 * (captures, and partitions evicted) are taken back. */
	o.stop = NULL;
	CHECK(sqlite3_exec(db, "UPDATE connections SET first_ts = 'x' WHERE"
			   " id = 190", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(ds_export(db, &o, &st, err, sizeof err) == DS_EVALUE);
	CHECK(strstr(err, "connections.first_ts"));
	count_dataset();
	CHECK_EQ(ds_files + ds_tmp, 0);
	/* A bad sensor name. */
	o.sensor = "../x";
	CHECK(ds_export(db, &o, &st, err, sizeof err) == DS_EVALUE);
	nftw(ds_dir, rm_file, 16, FTW_DEPTH | FTW_PHYS);
	sqlite3_close(db);
}

static const struct unit_test tests[] = {
	UNIT(t_magic_rows),
	UNIT(t_statistics),
	UNIT(t_dictionary_plain),
	UNIT(t_levels_uncompressed),
	UNIT(t_zstd_page),
	UNIT(t_signed_zero),
	UNIT(t_empty_file),
	UNIT(t_misuse),
	UNIT(t_disk_full),
	UNIT(t_utf8),
	UNIT(t_alloc_failures),
	UNIT(t_dataset_many_partitions),
	UNIT(t_dataset_failures),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	int rc = unit_main(tests, argc, argv);
	free(file);
	return rc;
}
