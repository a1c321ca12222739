/*
 * pack.c - packed records: a connection's whole state in a few hundred
 * bytes, for connections that are idle or when memory is short.
 *
 * A full record (struct tc_cx) is 2.7 kB, most of it zeros: label
 * counters never used, unused holes, ring slots and transitions. Its
 * state, everything after the node (tc_conn, both tc_ep, transitions, the
 * rest), is encoded with a small LZ77 codec that also elides runs of zero
 * bytes. The node stays as it is in front of the packed bytes, so the
 * table finds a packed record and its timers work without unpacking:
 *
 *   +--------------------------+---------------------------------------+
 *   | struct tc_node (128 B)   | tokens ...                            |
 *   | links, id, last_ts, key  |                                       |
 *   +--------------------------+---------------------------------------+
 *
 * Tokens, one tag byte each:
 *
 *   0x00..0x3f  literal: the next tag+1 bytes (1..64) as they are
 *   0x40..0x7f  zero run: (tag & 0x3f)+1 zero bytes (1..64)
 *   0x80..0xff  match: 1LLLOOOO then a byte B; copy L+3 bytes (3..10)
 *               from (OOOO << 8 | B) + 1 bytes back (1..4096); the copy
 *               may overlap what it writes, so it also repeats a byte
 *
 * Matches catch what a connection's state repeats: the high halves of its
 * timestamps, sequence numbers and packet numbers that several fields
 * hold, runs of 0xff (the -1 of unknown figures). The encoder is greedy
 * with one hash table of 3-byte prefixes and no search (some 3 us for a
 * closed connection); decoding is a plain loop (some 1 us). The state of
 * a connection closed with FINs packs to about 690 bytes, that of a lone
 * SYN to about 210 (tcpscope-states(7) MEMORY gives the whole records).
 * Field-aware coding (times and sequence numbers as differences) was
 * tried: 3% smaller, not worth a table of every field to maintain.
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
#define LZ_BOUND (BODY_LEN + BODY_LEN / 64 + 16)
#define LZ_HBITS 10
#define LZ_MIN 3
#define LZ_MAX 10
#define LZ_WINDOW 4096

/* Every earlier byte of the state is within a match's reach. */
_Static_assert(BODY_LEN < LZ_WINDOW, "struct tc_cx outgrew the codec");

struct tc_pk {
	struct tc_node n;
	uint8_t data[];
};

/* ---- The codec ---------------------------------------------------------- */

static size_t put_literal(uint8_t *dst, size_t o, const uint8_t *src,
			  size_t n)
{
	while (n) {
		size_t k = n > 64 ? 64 : n;
		dst[o++] = (uint8_t)(k - 1);
		memcpy(dst + o, src, k);
		o += k;
		src += k;
		n -= k;
	}
	return o;
}

static size_t put_zeros(uint8_t *dst, size_t o, size_t n)
{
	while (n) {
		size_t k = n > 64 ? 64 : n;
		dst[o++] = (uint8_t)(0x40 + k - 1);
		n -= k;
	}
	return o;
}

static size_t zero_run(const uint8_t *src, size_t i, size_t n)
{
	size_t j = i;
	while (j < n && (j & 7))
		if (src[j])
			return j - i;
		else
			j++;
	uint64_t w;
	while (j + 8 <= n && (memcpy(&w, src + j, 8), w == 0))
		j += 8;
	while (j < n && !src[j])
		j++;
	return j - i;
}

static uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Hash of the 3 bytes at p (read as 4; the encoder stops matching 4
 * bytes before the end). */
static uint32_t hash3(uint32_t v)
{
	return ((v & 0xffffffu) * 2654435761u) >> (32 - LZ_HBITS);
}

/* Encodes src[0..n) into dst (room for LZ_BOUND); returns the length. */
static size_t lz_encode(const uint8_t *src, size_t n, uint8_t *dst)
{
	uint16_t last[1 << LZ_HBITS]; /* latest position of each prefix */
	memset(last, 0xff, sizeof last);
	assert(n <= BODY_LEN && n >= 4);
	size_t o = 0, i = 0, lit = 0, nlit = 0;
	while (i < n) {
		if (src[i] == 0 && (nlit == 0 || (i + 1 < n && !src[i + 1]))) {
			size_t r = zero_run(src, i, n);
			o = put_literal(dst, o, src + lit, nlit);
			nlit = 0;
			o = put_zeros(dst, o, r);
			i += r;
			continue;
		}
		if (i + 4 <= n) {
			uint32_t v = load32(src + i);
			uint32_t h = hash3(v);
			size_t p = last[h];
			last[h] = (uint16_t)i;
			if (p != 0xffff &&
			    ((load32(src + p) ^ v) & 0xffffffu) == 0) {
				size_t m = LZ_MIN;
				while (m < LZ_MAX && i + m < n &&
				       src[p + m] == src[i + m])
					m++;
				o = put_literal(dst, o, src + lit, nlit);
				nlit = 0;
				size_t off = i - p - 1;
				dst[o++] = (uint8_t)(0x80 | (m - LZ_MIN) << 4 |
						     off >> 8);
				dst[o++] = (uint8_t)off;
				i += m;
				continue;
			}
		}
		if (nlit++ == 0)
			lit = i;
		i++;
	}
	o = put_literal(dst, o, src + lit, nlit);
	assert(o <= LZ_BOUND);
	return o;
}

/* Decodes src[0..n) into dst; returns the bytes written (cap when the
 * input is what lz_encode() made of cap bytes). Copies may write past
 * the token's end, up to cap: later tokens write those bytes again. */
static size_t lz_decode(const uint8_t *src, size_t n, uint8_t *dst,
			size_t cap)
{
	size_t i = 0, o = 0;
	while (i < n) {
		unsigned t = src[i++];
		if (t < 0x40) {
			size_t k = t + 1u;
			if (k > cap - o || k > n - i)
				break;
			if (k <= 16 && cap - o >= 16 && n - i >= 16)
				memcpy(dst + o, src + i, 16);
			else
				memcpy(dst + o, src + i, k);
			i += k;
			o += k;
		} else if (t < 0x80) {
			size_t k = (t & 0x3fu) + 1u;
			if (k > cap - o)
				break;
			if (cap - o >= 64)
				memset(dst + o, 0, 64);
			else
				memset(dst + o, 0, k);
			o += k;
		} else {
			if (i == n)
				break;
			size_t m = ((t >> 4) & 7u) + LZ_MIN;
			size_t off = ((size_t)(t & 15u) << 8 | src[i++]) + 1u;
			if (off > o || m > cap - o)
				break;
			if (off >= 16 && cap - o >= 16)
				memcpy(dst + o, dst + o - off, 16);
			else
				for (size_t j = 0; j < m; j++)
					dst[o + j] = dst[o + j - off];
			o += m;
		}
	}
	assert(i == n);
	return o;
}

/* ---- Records ------------------------------------------------------------ */

/* Fills out (a full record, in no list) from the packed record n. */
static void decode(const struct tc_node *n, struct tc_cx *out)
{
	const struct tc_pk *pk = (const struct tc_pk *)n;
	size_t len = n->size - sizeof(struct tc_pk);
	size_t got = lz_decode(pk->data, len, (uint8_t *)out + BODY_OFF,
			       BODY_LEN);
	assert(got == BODY_LEN);
	(void)got;
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
	uint8_t out[LZ_BOUND];
	struct masked m;
	mask(cx, &m);
	size_t len = lz_encode((const uint8_t *)cx + BODY_OFF, BODY_LEN, out);
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
