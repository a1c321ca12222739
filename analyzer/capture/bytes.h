/*
 * bytes.h - the checked cursor through which the decoder reads packet bytes.
 *
 * A cursor is a view [base, base + len) and a read offset. Every getter
 * checks the remaining length first; a read past the end returns 0, leaves
 * the offset where it was and sets the sticky `err` flag, so a header can be
 * read field by field and checked once at the end (cJSON's parse_buffer,
 * tcpdump's GET_BE_U_2 without the longjmp).
 *
 * Bounds arithmetic never forms `p + n` before knowing n fits: it compares n
 * against the remaining length `len - off`, which cannot overflow because
 * off <= len always holds (tcpdump's ND_TTEST_LEN). Multi-byte values are
 * assembled byte by byte; packet pointers are never cast to wider types.
 *
 * Protocol length fields may only shrink a view (bc_limit), never grow it
 * past what was captured.
 *
 * Every function is static inline and cannot fail other than by setting
 * `err`; none allocates.
 */
#ifndef DEC_BYTES_H
#define DEC_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bc_cursor {
	const uint8_t *base; /* first byte of the view */
	size_t len;          /* bytes in the view */
	size_t off;          /* read offset; off <= len */
	int err;             /* sticky: some read went past the end */
};

/* Starts a cursor over len bytes at p (p may be NULL when len is 0). */
static inline void bc_init(struct bc_cursor *c, const uint8_t *p, size_t len)
{
	c->base = p;
	c->len = p ? len : 0;
	c->off = 0;
	c->err = 0;
}

/* Bytes left to read. */
static inline size_t bc_left(const struct bc_cursor *c)
{
	return c->len - c->off;
}

/* 1 if n more bytes can be read. Never sets err. */
static inline int bc_can(const struct bc_cursor *c, size_t n)
{
	return n <= c->len - c->off;
}

/* Pointer to the current byte; valid for bc_left() bytes only. */
static inline const uint8_t *bc_ptr(const struct bc_cursor *c)
{
	return c->base + c->off;
}

/* Marks the cursor failed; returns 0 for use in getters. */
static inline unsigned bc_fail(struct bc_cursor *c)
{
	c->err = 1;
	return 0;
}

/* Skips n bytes. Returns 1, or 0 (and sets err, offset unchanged) if fewer
 * than n remain. */
static inline int bc_skip(struct bc_cursor *c, size_t n)
{
	if (!bc_can(c, n))
		return (int)bc_fail(c);
	c->off += n;
	return 1;
}

/* Shrinks the view to at most n more bytes from the offset. Never grows it. */
static inline void bc_limit(struct bc_cursor *c, size_t n)
{
	if (n < c->len - c->off)
		c->len = c->off + n;
}

/* The byte at index i from the offset, without moving; 0 + err if absent. */
static inline uint8_t bc_peek_u8(struct bc_cursor *c, size_t i)
{
	if (i >= bc_left(c))
		return (uint8_t)bc_fail(c);
	return c->base[c->off + i];
}

/* Big-endian 16 bits at index i from the offset, without moving. */
static inline uint16_t bc_peek_be16(struct bc_cursor *c, size_t i)
{
	if (bc_left(c) < 2 || i > bc_left(c) - 2)
		return (uint16_t)bc_fail(c);
	const uint8_t *p = c->base + c->off + i;
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint8_t bc_u8(struct bc_cursor *c)
{
	if (!bc_can(c, 1))
		return (uint8_t)bc_fail(c);
	return c->base[c->off++];
}

static inline uint16_t bc_be16(struct bc_cursor *c)
{
	if (!bc_can(c, 2))
		return (uint16_t)bc_fail(c);
	const uint8_t *p = c->base + c->off;
	c->off += 2;
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t bc_be32(struct bc_cursor *c)
{
	if (!bc_can(c, 4))
		return bc_fail(c);
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t bc_le32(struct bc_cursor *c)
{
	if (!bc_can(c, 4))
		return bc_fail(c);
	const uint8_t *p = c->base + c->off;
	c->off += 4;
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* 16 bits in the byte order of this host (NFLOG TLV headers). */
static inline uint16_t bc_ne16(struct bc_cursor *c)
{
	uint16_t v;
	if (!bc_can(c, 2))
		return (uint16_t)bc_fail(c);
	memcpy(&v, c->base + c->off, 2);
	c->off += 2;
	return v;
}

/* Copies n bytes to dst and advances; on a short view sets err and leaves
 * dst untouched. */
static inline void bc_copy(struct bc_cursor *c, void *dst, size_t n)
{
	if (!bc_can(c, n)) {
		bc_fail(c);
		return;
	}
	memcpy(dst, c->base + c->off, n);
	c->off += n;
}

#endif /* DEC_BYTES_H */
