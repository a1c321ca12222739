/*
 * pack.c - packed records: a connection's whole state in a few hundred
 * bytes, for connections that are idle or when memory is short.
 *
 * A full record (struct tc_cx) is 2.7 kB, most of it zeros: label
 * counters never used, unused holes, ring slots and transitions. Its
 * state, everything after the node (tc_conn, both tc_ep, transitions, the
 * rest), is encoded a 64-bit word at a time, each word as two 32-bit
 * halves: most of its fields are aligned 4- or 8-byte numbers. The node
 * stays as it is in front of the packed bytes, so the table finds a
 * packed record and its timers work without unpacking:
 *
 *   +--------------------------+---------------------------------------+
 *   | struct tc_node (128 B)   | words ...                             |
 *   | links, id, last_ts, key  |                                       |
 *   +--------------------------+---------------------------------------+
 *
 * A word is a tag byte, a code per half (the lower-addressed half in its
 * low nibble), then the bytes of the first half's code, then the
 * second's:
 *
 *   0       zero
 *   1..4    literal: its low 1..4 bytes follow, little-endian; the rest
 *           are zero
 *   5       copy of the half D halves back, D (1..255) in the next byte
 *   6       0xffffffff (the -1 of unknown figures)
 *   7       copy of the half D halves back, D in the next two bytes
 *   8..15   copy of the half 1, 2, 4, 6, 8, 14, 28 or 154 halves back
 *           (near_dist[], on x86-64): the other half, earlier words, the
 *           previous transition (struct tc_transition), ring slots
 *           (struct tc_seen), the other endpoint (struct tc_ep)
 *
 * Tag 0 (both halves zero) is a run of zero words instead: the next byte
 * N says N+1 of them. Copies catch what a connection's state repeats:
 * timestamps, sequence and packet numbers that several fields hold, and
 * above all the high half of a timestamp, which nearly all of them share.
 * The encoder takes the latest earlier half of the same value, found
 * through a hash table of 1024 slots, and makes no other search; both
 * loops go a word at a time and never look at single bytes. A closed
 * connection takes some 1.4 us to pack and 0.8 us to unpack (the
 * byte-wise LZ77 with zero runs used before took 3.6 and 1.1); its state
 * packs to about 650 bytes when it closed with FINs, that of a lone SYN
 * to about 185, 12% less than with that LZ77 (750 and 210; figures of
 * the benchmark kit's captures, tcpscope-states(7) MEMORY gives the
 * whole records). Field-aware coding (times and sequence numbers as
 * differences) was tried on the LZ77: 3% smaller, not worth a table of
 * every field to maintain.
 *
 * Fields equal to what the node holds (id, last_ts, identity) and
 * pointers (the full list's links, c.transitions) are zeroed before
 * encoding and put back after decoding; the array trx of a connection
 * with many transitions is not encoded: its pointer is, so the packed
 * record owns it (TC_N_TRX) until it is unpacked or freed. Unpacking
 * therefore gives exactly the bytes that were packed, and a connection
 * goes on as if it had never been packed.
 */
#include <assert.h>
#include <string.h>

#include "internal.h"

#define BODY_OFF offsetof(struct tc_cx, c)
#define BODY_LEN (sizeof(struct tc_cx) - BODY_OFF)
#define WORDS (BODY_LEN / 8)
#define HALVES (BODY_LEN / 4)
/* Longest encoding: a tag and two 4-byte literals a word; the encoder's
 * 4-byte stores may write 3 bytes further. */
#define PK_MAX (WORDS * 9)
#define PK_BOUND (PK_MAX + 3)
#define PK_HBITS 10

/* Half codes (see the top). */
enum {
	H_ZERO = 0,
	H_LIT4 = 4, /* 1..4: literals */
	H_REF8 = 5,
	H_ONES = 6,
	H_REF16 = 7,
	H_NEAR = 8  /* 8..15: near_dist[code - H_NEAR] */
};

/* Distances, in halves, where a state repeats itself: the next
 * transition, ring slot, endpoint. */
#define NEAR_TR (sizeof(struct tc_transition) / 4)
#define NEAR_SEEN (sizeof(struct tc_seen) / 4)
#define NEAR_EP (sizeof(struct tc_ep) / 4)

_Static_assert(BODY_OFF % 8 == 0 && BODY_LEN % 8 == 0,
	       "the state is not made of whole words");
_Static_assert(HALVES <= 0xffff, "half positions outgrew 16 bits");
_Static_assert(sizeof(struct tc_transition) % 4 == 0 &&
		       sizeof(struct tc_seen) % 4 == 0 &&
		       sizeof(struct tc_ep) % 4 == 0,
	       "near distances are not whole halves");
_Static_assert(NEAR_TR > 4 && NEAR_TR < 8 && NEAR_SEEN > 8 &&
		       2 * NEAR_SEEN < NEAR_EP && NEAR_EP < 256,
	       "near distances must be distinct and below 256");

static const uint8_t near_dist[8] = {
	1, 2, 4, NEAR_TR, 8, NEAR_SEEN, 2 * NEAR_SEEN, NEAR_EP
};
/* The code of each distance that has one. */
static const uint8_t near_code[256] = {
	[1] = H_NEAR, [2] = H_NEAR + 1, [4] = H_NEAR + 2,
	[NEAR_TR] = H_NEAR + 3, [8] = H_NEAR + 4, [NEAR_SEEN] = H_NEAR + 5,
	[2 * NEAR_SEEN] = H_NEAR + 6, [NEAR_EP] = H_NEAR + 7
};
static const uint32_t lit_mask[H_LIT4 + 1] = { 0, 0xff, 0xffff, 0xffffff,
					       0xffffffff };

struct tc_pk {
	struct tc_node n;
	uint8_t data[];
};

/* ---- The codec ---------------------------------------------------------- */

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline void store32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Literal bytes are little-endian whatever the host's order, so that the
 * first ones are the low ones. */
static inline uint32_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

/* Codes half h of src, appending its bytes at *o; returns its code.
 * last[] holds, by hash of value, the latest half of that value: any
 * entry is only a candidate, checked before use. */
static inline unsigned put_half(const uint8_t *src, size_t h, uint16_t *last,
				uint8_t **o)
{
	uint32_t v = load32(src + 4 * h);
	if (v == 0)
		return H_ZERO;
	uint32_t x = (v * 2654435761u) >> (32 - PK_HBITS);
	size_t p = last[x];
	last[x] = (uint16_t)h;
	if (p < h && load32(src + 4 * p) == v) {
		size_t d = h - p;
		if (d < sizeof near_code && near_code[d])
			return near_code[d];
		/* A copy with a distance must be shorter than the literal. */
		if (d <= 0xff && v > 0xff) {
			*(*o)++ = (uint8_t)d;
			return H_REF8;
		}
		if (v > 0xffff) {
			(*o)[0] = (uint8_t)d;
			(*o)[1] = (uint8_t)(d >> 8);
			*o += 2;
			return H_REF16;
		}
	}
	if (v == 0xffffffffu)
		return H_ONES;
	unsigned nb = (unsigned)(39 - __builtin_clz(v)) >> 3; /* 1..4 */
	store32(*o, le32(v));
	*o += nb;
	return nb;
}

/* Encodes the state src (BODY_LEN bytes) into dst (room for PK_BOUND);
 * returns the length. */
static size_t encode(const uint8_t *src, uint8_t *dst)
{
	uint16_t last[1 << PK_HBITS];
	memset(last, 0xff, sizeof last);
	uint8_t *o = dst;
	size_t k = 0;
	while (k < WORDS) {
		if (load64(src + 8 * k) == 0) {
			size_t end = k + 256 < WORDS ? k + 256 : WORDS;
			size_t r = k + 1;
			/* Most zeros come in long runs: 4 words a step. */
			while (r + 4 <= end &&
			       (load64(src + 8 * r) | load64(src + 8 * r + 8) |
				load64(src + 8 * r + 16) |
				load64(src + 8 * r + 24)) == 0)
				r += 4;
			while (r < end && load64(src + 8 * r) == 0)
				r++;
			o[0] = 0;
			o[1] = (uint8_t)(r - k - 1);
			o += 2;
			k = r;
			continue;
		}
		uint8_t *tag = o++;
		unsigned lo = put_half(src, 2 * k, last, &o);
		unsigned hi = put_half(src, 2 * k + 1, last, &o);
		*tag = (uint8_t)(lo | hi << 4);
		k++;
	}
	assert((size_t)(o - dst) <= PK_MAX);
	return (size_t)(o - dst);
}

/* Writes the half of copy code c at dst + at from the bytes at s;
 * returns s past them. A distance reaching before dst sets *bad. */
static inline const uint8_t *get_copy(unsigned c, const uint8_t *s,
				      uint8_t *dst, size_t at, int *bad)
{
	size_t d;
	if (c >= H_NEAR) {
		d = near_dist[c - H_NEAR];
	} else if (c == H_REF8) {
		d = *s++;
	} else if (c == H_REF16) {
		d = s[0] | (size_t)s[1] << 8;
		s += 2;
	} else {
		store32(dst + at, 0xffffffffu); /* H_ONES */
		return s;
	}
	if (d == 0 || 4 * d > at) {
		*bad = 1;
		return s;
	}
	memcpy(dst + at, dst + at - 4 * d, 4);
	return s;
}

/* Decodes src[0..n) into dst (BODY_LEN bytes). Returns 0, or -1 when src
 * is not something encode() makes: dst then holds garbage, but nothing
 * outside dst or src was touched. */
static int decode_body(const uint8_t *src, size_t n, uint8_t *dst)
{
	/* Literals are read 4 bytes at a time: from a copy with room after
	 * the end, as a word that starts before it may read 8 bytes past. */
	uint8_t buf[PK_MAX + 16];
	if (n > PK_MAX)
		return -1;
	memcpy(buf, src, n);
	memset(buf + n, 0, 16);
	memset(dst, 0, BODY_LEN);
	const uint8_t *s = buf, *end = buf + n;
	size_t at = 0; /* offset of the word in dst */
	int bad = 0;
	while (at < BODY_LEN && s < end) {
		unsigned t = *s++;
		if (t == 0) {
			at += 8 * ((size_t)*s++ + 1);
			continue;
		}
		unsigned c = t & 15;
		if (c <= H_LIT4) {
			store32(dst + at, le32(load32(s)) & lit_mask[c]);
			s += c;
		} else {
			s = get_copy(c, s, dst, at, &bad);
		}
		c = t >> 4;
		if (c <= H_LIT4) {
			store32(dst + at + 4, le32(load32(s)) & lit_mask[c]);
			s += c;
		} else {
			s = get_copy(c, s, dst, at + 4, &bad);
		}
		at += 8;
	}
	return bad || s != end || at != BODY_LEN ? -1 : 0;
}

/* ---- Records ------------------------------------------------------------ */

/* Fills out (a full record, in no list) from the packed record n. */
static void decode(const struct tc_node *n, struct tc_cx *out)
{
	const struct tc_pk *pk = (const struct tc_pk *)n;
	size_t len = n->size - sizeof(struct tc_pk);
	int rc = decode_body(pk->data, len, (uint8_t *)out + BODY_OFF);
	assert(rc == 0);
	(void)rc;
	out->n = *n;
	out->n.hnext = out->n.inext = NULL;
	out->n.prev = out->n.next = NULL;
	out->n.cprev = out->n.cnext = NULL;
	out->n.flags = 0;
	out->n.size = sizeof(*out);
	struct tc_conn *c = &out->c;
	c->id = n->id;
	c->last_ts = n->last_ts;
	memcpy(c->addr, n->key.addr, sizeof(c->addr));
	memcpy(c->port, n->key.port, sizeof(c->port));
	memcpy(c->vlan, n->key.vlan, sizeof(c->vlan));
	c->tunnel = n->key.tunnel;
	c->tunnel_id = n->key.tunnel_id;
	memcpy(c->observed, n->key.observed, sizeof(c->observed));
	c->transitions = out->trx ? out->trx : out->tr;
	out->fprev = out->fnext = NULL;
}

/* What mask() zeroes in a record while it is encoded (what the node
 * holds, and pointers), kept for unmask() to put back. */
struct masked {
	uint64_t id;
	int64_t last_ts;
	struct tc_addr addr[2];
	uint16_t port[2], vlan[2];
	uint8_t observed[2];
	uint8_t tunnel;
	uint32_t tunnel_id;
	const struct tc_transition *transitions;
	struct tc_cx *fprev, *fnext;
};

static void mask(struct tc_cx *cx, struct masked *m)
{
	struct tc_conn *c = &cx->c;
	m->id = c->id;
	m->last_ts = c->last_ts;
	memcpy(m->addr, c->addr, sizeof(m->addr));
	memcpy(m->port, c->port, sizeof(m->port));
	memcpy(m->vlan, c->vlan, sizeof(m->vlan));
	memcpy(m->observed, c->observed, sizeof(m->observed));
	m->tunnel = c->tunnel;
	m->tunnel_id = c->tunnel_id;
	c->tunnel = 0;
	c->tunnel_id = 0;
	m->transitions = c->transitions;
	m->fprev = cx->fprev;
	m->fnext = cx->fnext;
	c->id = 0;
	c->last_ts = 0;
	memset(c->addr, 0, sizeof(c->addr));
	memset(c->port, 0, sizeof(c->port));
	memset(c->vlan, 0, sizeof(c->vlan));
	memset(c->observed, 0, sizeof(c->observed));
	c->transitions = NULL;
	cx->fprev = cx->fnext = NULL;
}

static void unmask(struct tc_cx *cx, const struct masked *m)
{
	struct tc_conn *c = &cx->c;
	c->id = m->id;
	c->last_ts = m->last_ts;
	memcpy(c->addr, m->addr, sizeof(c->addr));
	memcpy(c->port, m->port, sizeof(c->port));
	memcpy(c->vlan, m->vlan, sizeof(c->vlan));
	memcpy(c->observed, m->observed, sizeof(c->observed));
	c->tunnel = m->tunnel;
	c->tunnel_id = m->tunnel_id;
	c->transitions = m->transitions;
	cx->fprev = m->fprev;
	cx->fnext = m->fnext;
}

/* Decodes n again and compares with cx, whose packed record it is. */
static int same_as(const struct tc_node *n, const struct tc_cx *cx)
{
	struct tc_cx tmp;
	decode(n, &tmp);
	if (tmp.c.transitions != (tmp.trx ? tmp.trx : tmp.tr))
		return 0;
	tmp.c.transitions = cx->c.transitions;
	tmp.n = cx->n;
	tmp.fprev = cx->fprev;
	tmp.fnext = cx->fnext;
	return memcmp(&tmp, cx, sizeof(tmp)) == 0;
}

int tc_pack(struct tc_tracker *tr, struct tc_cx *cx)
{
	assert(!(cx->n.flags & (TC_N_PACKED | TC_N_SPARE)));
	assert(cx->c.id == cx->n.id && cx->c.last_ts == cx->n.last_ts);
	assert(cx->c.transitions == (cx->trx ? cx->trx : cx->tr));
	assert(memcmp(cx->c.port, cx->n.key.port, sizeof(cx->c.port)) == 0);
	assert(memcmp(cx->c.observed, cx->n.key.observed, 2) == 0);
	uint8_t out[PK_BOUND];
	struct masked m;
	mask(cx, &m);
	size_t len = encode((const uint8_t *)cx + BODY_OFF, out);
	unmask(cx, &m);
	size_t size = sizeof(struct tc_pk) + len;
	struct tc_pk *pk = tc_mem_alloc(tr, size);
	if (!pk)
		return -1;
	pk->n = cx->n;
	pk->n.size = (uint32_t)size;
	pk->n.flags = (uint8_t)(TC_N_PACKED | (cx->trx ? TC_N_TRX : 0));
	memcpy(pk->data, out, len);
	/* The round trip is exact: checked on every 64th packing in debug
	 * builds, on every one with -DTC_PACK_VERIFY. */
#if defined(TC_PACK_VERIFY)
	assert(same_as(&pk->n, cx));
#elif !defined(NDEBUG)
	assert(tr->st.packs % 64 || same_as(&pk->n, cx));
#else
	(void)same_as;
#endif
	tc_table_replace(tr, &cx->n, &pk->n, 0);
	tc_mem_free(tr, cx, sizeof(*cx));
	tr->st.packs++;
	return 0;
}

struct tc_cx *tc_unpack(struct tc_tracker *tr, struct tc_node *n,
			struct tc_cx *dst, int recent)
{
	assert(n->flags & TC_N_PACKED);
	struct tc_cx *cx = dst ? dst : tc_mem_alloc(tr, sizeof(*cx));
	if (!cx)
		return NULL;
	decode(n, cx);
	if (dst) {
		cx->n.flags = TC_N_SPARE;
		cx->n.size = 0; /* counted with the tracker */
	}
	tc_table_replace(tr, n, &cx->n, recent);
	tc_mem_free(tr, n, n->size);
	tr->st.unpacks++;
	return cx;
}

void tc_pack_decode(const struct tc_node *n, struct tc_cx *out)
{
	decode(n, out);
	out->n.size = 0;
}

void tc_record_free(struct tc_tracker *tr, struct tc_node *n)
{
	assert(!(n->flags & TC_N_LINKED));
	if (n->flags & TC_N_PACKED) {
		if (n->flags & TC_N_TRX) {
			struct tc_cx tmp;
			decode(n, &tmp);
			tc_mem_free(tr, tmp.trx, tmp.trcap * sizeof(*tmp.trx));
		}
		tc_mem_free(tr, n, n->size);
		return;
	}
	struct tc_cx *cx = (struct tc_cx *)n;
	tc_mem_free(tr, cx->trx, cx->trcap * sizeof(*cx->trx));
	cx->trx = NULL;
	if (n->flags & TC_N_SPARE)
		tr->spare_busy[cx - tr->spare] = 0;
	else
		tc_mem_free(tr, cx, sizeof(*cx));
}

struct tc_cx *tc_find_full(struct tc_tracker *tr, uint64_t id)
{
	struct tc_node *n = tc_table_node_id(tr, id);
	if (!n)
		return NULL;
	if (!(n->flags & TC_N_PACKED))
		return (struct tc_cx *)n;
	struct tc_cx *cx = tc_unpack(tr, n, NULL, 0);
	if (cx)
		return cx;
	/* Out of memory: a copy, good until the next call. */
	tc_pack_decode(n, &tr->view);
	return &tr->view;
}
