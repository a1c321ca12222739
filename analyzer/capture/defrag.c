/*
 * defrag.c - IPv4 and IPv6 reassembly (see defrag.h for the policy).
 *
 * A slot is one datagram in reassembly: its identity, the fragments held
 * (offset, length on the wire, length captured), and a buffer laid out as
 *
 *   buf: [ DFG_HDR_MAX bytes: the header, ending at the data ][ data ... ]
 *
 * so that the finished datagram is contiguous without a copy: the header
 * of the first fragment (offset 0) is copied right before the data. Every
 * length is checked against the buffer before a byte is copied: a
 * fragment's end (offset + length) may not pass DFG_DATA_MAX, its captured
 * bytes are at most its length (the decoder's promise, checked again), and
 * the header is at most DFG_HDR_MAX bytes.
 *
 * Work per fragment: one pass over the table (expiry and lookup, 64
 * slots) and one over the datagram's fragments (overlaps, at most 64).
 */
#include "defrag.h"

#include <stdlib.h>
#include <string.h>

#define DFG_HDR_MAX 256
#define DFG_DATA_MAX 65535u
#define DFG_TIMEOUT_NS ((int64_t)DFG_TIMEOUT_S * 1000000000)

struct frag_rec {
	uint32_t off, len, cap;
};

struct slot {
	int used;
	uint8_t family, proto;
	uint32_t id;
	struct tc_addr src, dst;
	uint16_t vlan[2];
	uint8_t tunnel;
	uint32_t tunnel_id;
	int64_t first_ts;
	uint64_t born;         /* creation order, for eviction */
	int have_total;        /* the last fragment (no MF) was seen */
	uint32_t total;        /* then: the data's length */
	uint32_t have;         /* data bytes held (no overlaps: no double) */
	int have_hdr;
	uint16_t hdr_len, nh_off;
	unsigned nfr;
	struct frag_rec fr[DFG_MAX_FRAGS];
	uint8_t *buf;          /* DFG_HDR_MAX + DFG_DATA_MAX, kept once made */
};

struct dfg {
	struct slot slots[DFG_SLOTS];
	uint64_t born;
	struct dfg_stats st;
};

struct dfg *dfg_new(void)
{
	return calloc(1, sizeof(struct dfg));
}

void dfg_free(struct dfg *d)
{
	if (!d)
		return;
	for (int i = 0; i < DFG_SLOTS; i++)
		free(d->slots[i].buf);
	free(d);
}

static void release(struct slot *s)
{
	s->used = 0;
}

void dfg_finish(struct dfg *d)
{
	for (int i = 0; i < DFG_SLOTS; i++)
		if (d->slots[i].used) {
			d->st.timed_out++;
			release(&d->slots[i]);
		}
}

void dfg_get_stats(const struct dfg *d, struct dfg_stats *st)
{
	*st = d->st;
}

static int same_addr(const struct tc_addr *a, const struct tc_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, sizeof a->a) == 0;
}

static int is_of(const struct slot *s, const struct dec_frag *f)
{
	return s->used && s->id == f->id && s->family == f->family &&
	       s->proto == f->proto && s->vlan[0] == f->vlan[0] &&
	       s->vlan[1] == f->vlan[1] && s->tunnel == f->tunnel &&
	       s->tunnel_id == f->tunnel_id && same_addr(&s->src, &f->src) &&
	       same_addr(&s->dst, &f->dst);
}

/* Older than the timeout at ts (capture time; a clock that went back
 * expires nothing). */
static int expired(const struct slot *s, int64_t ts)
{
	int64_t age;
	if (ts <= s->first_ts)
		return 0;
	if (__builtin_sub_overflow(ts, s->first_ts, &age))
		return 1;
	return age > DFG_TIMEOUT_NS;
}

/* The slot of f's datagram: expires old ones on the way, makes a new one
 * (evicting the oldest when the table is full). NULL when no buffer can
 * be had. */
static struct slot *find(struct dfg *d, const struct dec_frag *f, int64_t ts)
{
	struct slot *hit = NULL, *free_s = NULL, *oldest = NULL;
	for (int i = 0; i < DFG_SLOTS; i++) {
		struct slot *s = &d->slots[i];
		if (s->used && expired(s, ts)) {
			d->st.timed_out++;
			release(s);
		}
		if (!s->used) {
			if (!free_s)
				free_s = s;
			continue;
		}
		if (is_of(s, f))
			hit = s;
		if (!oldest || s->born < oldest->born)
			oldest = s;
	}
	if (hit)
		return hit;
	if (!free_s) {
		d->st.evicted++;
		release(oldest);
		free_s = oldest;
	}
	struct slot *s = free_s;
	if (!s->buf && !(s->buf = malloc(DFG_HDR_MAX + DFG_DATA_MAX)))
		return NULL;
	s->used = 1;
	s->family = f->family;
	s->proto = f->proto;
	s->id = f->id;
	s->src = f->src;
	s->dst = f->dst;
	s->vlan[0] = f->vlan[0];
	s->vlan[1] = f->vlan[1];
	s->tunnel = f->tunnel;
	s->tunnel_id = f->tunnel_id;
	s->first_ts = ts;
	s->born = ++d->born;
	s->have_total = 0;
	s->total = 0;
	s->have = 0;
	s->have_hdr = 0;
	s->nfr = 0;
	return s;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The datagram of s is whole: lays it out and describes it. 1, or 0 when
 * its header cannot say its length (dropped). */
static int finish(struct dfg *d, struct slot *s, const uint8_t **dg,
		  size_t *caplen, size_t *wirelen)
{
	/* Captured bytes from the start: fragments by offset (insertion
	 * sort, at most DFG_MAX_FRAGS), up to the first one snapped. */
	struct frag_rec *fr = s->fr;
	for (unsigned i = 1; i < s->nfr; i++) {
		struct frag_rec r = fr[i];
		unsigned j = i;
		for (; j > 0 && fr[j - 1].off > r.off; j--)
			fr[j] = fr[j - 1];
		fr[j] = r;
	}
	uint32_t capend = 0;
	for (unsigned i = 0; i < s->nfr && fr[i].off == capend; i++) {
		capend = fr[i].off + fr[i].cap;
		if (fr[i].cap < fr[i].len)
			break;
	}
	uint8_t *h = s->buf + DFG_HDR_MAX - s->hdr_len;
	uint32_t len;
	if (s->family == 4) {
		len = s->hdr_len + s->total; /* total length */
		if (len > 0xffff)
			goto bad;
		put16(h + 2, len);
		h[6] &= 0x40; /* keep DF; MF and the offset go */
		h[7] = 0;
	} else {
		len = s->hdr_len - 40u + s->total; /* payload length */
		if (len > 0xffff)
			goto bad;
		put16(h + 4, len);
		h[s->nh_off] = s->proto;
	}
	*dg = h;
	*caplen = (size_t)s->hdr_len + capend;
	*wirelen = (size_t)s->hdr_len + s->total;
	d->st.reassembled++;
	release(s);
	return 1;
bad:
	d->st.dropped++;
	release(s);
	return 0;
}

int dfg_add(struct dfg *d, const struct dec_frag *f, int64_t ts_ns,
	    const uint8_t **dg, size_t *caplen, size_t *wirelen)
{
	if (f->family == 0 || f->proto != 6)
		return -1;
	d->st.fragments++;
	struct slot *s = find(d, f, ts_ns);
	if (!s) {
		d->st.dropped++;
		return 0;
	}
	uint32_t off = f->offset, len = f->len;
	uint32_t cap = f->caplen < len ? f->caplen : len;
	uint64_t end = (uint64_t)off + len;
	if (end > DFG_DATA_MAX || (f->more && len % 8 != 0) ||
	    s->nfr == DFG_MAX_FRAGS ||
	    (s->have_total && (end > s->total ||
			       (!f->more && end != s->total))) ||
	    (off == 0 && (f->hdr_len > DFG_HDR_MAX ||
			  (f->family == 6 && (f->hdr_len < 40 ||
					      f->nh_off >= f->hdr_len)) ||
			  (f->family == 4 && f->hdr_len < 20))))
		goto drop;
	for (unsigned i = 0; i < s->nfr; i++) {
		const struct frag_rec *r = &s->fr[i];
		if (r->off == off && r->len == len) {
			d->st.duplicates++;
			return 0;
		}
		if (off < r->off + r->len && r->off < end) {
			d->st.overlaps++;
			release(s);
			return 0;
		}
	}
	if (!f->more) {
		for (unsigned i = 0; i < s->nfr; i++)
			if (s->fr[i].off + s->fr[i].len > end)
				goto drop;
		s->have_total = 1;
		s->total = (uint32_t)end;
	}
	s->fr[s->nfr++] = (struct frag_rec){ off, len, cap };
	memcpy(s->buf + DFG_HDR_MAX + off, f->data, cap);
	s->have += len;
	if (off == 0) {
		s->have_hdr = 1;
		s->hdr_len = f->hdr_len;
		s->nh_off = f->nh_off;
		memcpy(s->buf + DFG_HDR_MAX - f->hdr_len, f->hdr, f->hdr_len);
	}
	if (s->have_hdr && s->have_total && s->have == s->total)
		return finish(d, s, dg, caplen, wirelen);
	return 0;
drop:
	d->st.dropped++;
	release(s);
	return 0;
}
