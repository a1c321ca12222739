/*
 * parquet.h - a small, strict writer of Apache Parquet files: one flat
 * schema of REQUIRED and OPTIONAL columns, rows added one value at a time.
 *
 * Types: BOOLEAN, INT64 (logical type INTEGER(64, signed), or with
 * PQ_TIMESTAMP_NS TIMESTAMP(NANOS, UTC)), DOUBLE and BYTE_ARRAY strings
 * (logical type STRING: every value must be valid UTF-8). Pages are data
 * pages v1, PLAIN encoded, or for a string column with PQ_DICT
 * RLE_DICTIONARY with a PLAIN dictionary page (PLAIN again for a row group
 * whose distinct values are too many). Definition levels of OPTIONAL
 * columns use the RLE/bit-packed hybrid. Pages are compressed with ZSTD
 * (libzstd) or not at all. Each column chunk carries its statistics
 * (null_count, min_value/max_value, and the older min/max for INT64,
 * DOUBLE and BOOLEAN). The footer is FileMetaData in the Thrift compact
 * protocol, with "PAR1" at both ends of the file.
 *
 * Memory is bounded: rows are kept until row_group_rows rows (or about
 * row_group_bytes bytes) are buffered, then written as one row group.
 *
 * Errors: every function that can fail returns 0 or a negative PQ_E*
 * value, and keeps a one-line message (pq_errmsg()). A writer that failed
 * with PQ_EIO or PQ_ENOMEM is spent: every later call fails the same way,
 * and the file is not a valid Parquet file. PQ_EINVAL (a misuse: a value
 * of the wrong type, NULL in a REQUIRED column, a row not complete, bad
 * UTF-8) leaves the writer and its current row unchanged.
 *
 * Ownership: the caller owns the file descriptor (open, fsync, close,
 * rename); the writer only write(2)s to it, from its current offset, which
 * must be the start of an empty file. Column names are copied.
 */
#ifndef PARQUET_H
#define PARQUET_H

#include <stddef.h>
#include <stdint.h>

#define PQ_EINVAL (-1) /* misuse, or a value the format cannot hold */
#define PQ_ENOMEM (-2) /* out of memory: the writer is spent */
#define PQ_EIO (-3)    /* write(2) failed (disk full...): spent */
#define PQ_ELIMIT (-4) /* a page or row group too big for the format */

enum pq_type { PQ_BOOLEAN, PQ_INT64, PQ_DOUBLE, PQ_STRING };
enum pq_codec { PQ_UNCOMPRESSED, PQ_ZSTD };

#define PQ_OPTIONAL 0x1     /* the column may hold NULL */
#define PQ_DICT 0x2         /* PQ_STRING: dictionary encoding */
#define PQ_TIMESTAMP_NS 0x4 /* PQ_INT64: TIMESTAMP(NANOS, UTC) */

struct pq_column {
	const char *name;
	enum pq_type type;
	unsigned flags; /* PQ_OPTIONAL | PQ_DICT | PQ_TIMESTAMP_NS */
};

struct pq_options {
	enum pq_codec codec;
	int zstd_level;          /* 0: libzstd's default */
	uint32_t row_group_rows; /* 0: 65536; at most 2^31 - 1 */
	uint32_t page_rows;      /* values per data page; 0: 8192; same */
	size_t row_group_bytes;  /* 0: 64 MiB of buffered values */
	const char *created_by;  /* NULL: "tcpscope" */
};

struct pq_writer;

/* ---- Writing a file ---------------------------------------------------- */

/* A writer for ncols (1 to 4096) columns writing to fd; opt NULL means the
 * defaults (ZSTD). Writes the leading "PAR1". On success *out is the
 * writer, freed with pq_free(). On failure *out is NULL, err (if not NULL)
 * holds the message, and the result is PQ_EINVAL (bad schema: empty or
 * duplicate names, flags that do not fit the type; options out of
 * range), PQ_ENOMEM or PQ_EIO. */
int pq_open(int fd, const struct pq_column *cols, size_t ncols,
	    const struct pq_options *opt, struct pq_writer **out, char *err,
	    size_t errlen);

/* One value of column col in the current row; each column gets exactly
 * one value per row, in any order. pq_put_string() copies len bytes (NUL
 * bytes allowed) which must be valid UTF-8. PQ_EINVAL for a column out of
 * range, a second value in the row, the wrong type, NULL in a REQUIRED
 * column or bad UTF-8; nothing changes then. */
int pq_put_int64(struct pq_writer *w, size_t col, int64_t v);
int pq_put_double(struct pq_writer *w, size_t col, double v);
int pq_put_bool(struct pq_writer *w, size_t col, int v);
int pq_put_string(struct pq_writer *w, size_t col, const void *s, size_t len);
int pq_put_null(struct pq_writer *w, size_t col);

/* Ends the current row: PQ_EINVAL (nothing changes) when a column has no
 * value. May write a row group: PQ_EIO, PQ_ENOMEM, PQ_ELIMIT then. */
int pq_end_row(struct pq_writer *w);

/* Writes what is buffered as a last row group, then the footer. PQ_EINVAL
 * when a row is begun but not ended. After success the file is complete
 * (the caller still fsyncs and closes fd); only pq_free() may follow. */
int pq_finish(struct pq_writer *w);

/* Frees the writer (NULL is fine); never touches fd. */
void pq_free(struct pq_writer *w);

/* ---- About the writer -------------------------------------------------- */

/* The last error, "" when none. Valid until the next call. */
const char *pq_errmsg(const struct pq_writer *w);

/* Rows ended so far, and row groups written so far. */
uint64_t pq_rows(const struct pq_writer *w);
unsigned pq_row_groups(const struct pq_writer *w);

/* For tests: the n-th allocation from now fails (then they succeed
 * again); 0 turns this off. Process-wide, not thread-safe. */
void pq_test_fail_alloc(long n);

/* 1 when s[0..len) is valid UTF-8 (no overlong forms, no surrogates, at
 * most U+10FFFF), as pq_put_string() requires. */
int pq_utf8_valid(const void *s, size_t len);

#endif /* PARQUET_H */
