/*
 * segchunk.h - segments of many connections gathered into chunks, one
 * connection per chunk, for the store (schema version 5: segment_chunks).
 *
 * A capture interleaves the segments of its connections; one database row
 * per segment costs a B-tree insert each (table and index). The store
 * instead hands every segment here, where it is written at once as the
 * JSON array element
 *
 *   [ts_ns, pkt, dir, flags, seq, ack, len, caplen, win, tsval, tsecr,
 *    options, labels]
 *
 * (tsval and tsecr null without the timestamp option, options null or a
 * string) into one bounded buffer. segchunk_flush() then sorts what is
 * buffered by connection, keeping each connection's arrival order, and
 * hands out each connection's elements as chunks of at most per_chunk,
 * each a JSON array "[e1,e2,...]". A connection's chunks therefore come in
 * packet order, across flushes too. The owner flushes when segchunk_add()
 * says the buffer is full, and before every commit.
 *
 * segchunk_each() reads a chunk back (segment_chunks.list), the inverse of
 * the writer, for readers that stream a connection's segments without the
 * segments view's per-field JSON extraction.
 *
 * Nothing here knows SQL or does I/O; the buffer is allocated once by
 * segchunk_new() and freed by segchunk_free().
 */
#ifndef SEGCHUNK_H
#define SEGCHUNK_H

#include <stddef.h>
#include <stdint.h>

struct segchunk;

struct segchunk_seg {
	int64_t ts_ns;
	uint64_t pkt;
	int dir;
	unsigned flags;
	uint32_t seq, ack;
	uint32_t len, caplen;
	uint32_t win;
	int has_ts;
	uint32_t tsval, tsecr;
	const char *options; /* NULL: none; escaped here as a JSON string */
	uint64_t labels;
};

struct segchunk_out {
	int64_t conn;
	uint64_t first_pkt, last_pkt;
	unsigned n;
	const char *list; /* the JSON array, valid until emit returns */
	size_t len;
};

/* A buffer of about max_bytes of elements, cut into chunks of at most
 * per_chunk elements (both at least 1). NULL when out of memory. */
struct segchunk *segchunk_new(size_t max_bytes, unsigned per_chunk);
void segchunk_free(struct segchunk *sc);

/* Adds one segment of connection conn: 0, or 1 when the buffer has no
 * room for it (nothing added: flush, then add it again). */
int segchunk_add(struct segchunk *sc, int64_t conn,
		 const struct segchunk_seg *s);

/* Hands every buffered chunk to emit, by connection, each connection's in
 * arrival order, and empties the buffer. Stops at emit's first non-zero
 * result and returns it (the buffer is emptied all the same); else 0. */
int segchunk_flush(struct segchunk *sc,
		   int (*emit)(void *arg, const struct segchunk_out *out),
		   void *arg);

/* Forgets what is buffered (the import it belonged to was rolled back). */
void segchunk_clear(struct segchunk *sc);

/* Segments buffered. */
size_t segchunk_pending(const struct segchunk *sc);

/* Calls fn for each element of list, one chunk as segchunk_flush() made it
 * (NUL-terminated), in order; s->options points into a buffer valid
 * during the call (unescaped, at most 512 bytes). Returns 0, fn's first
 * non-zero result, or -1 when list is not such a chunk (fn may have been
 * called for the elements before the fault). No allocation. */
int segchunk_each(const char *list,
		  int (*fn)(void *arg, const struct segchunk_seg *s), void *arg);

#endif /* SEGCHUNK_H */
