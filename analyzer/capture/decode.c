/*
 * decode.c - one captured frame in, one struct tc_segment out.
 *
 * The frame is peeled outside-in, one layer per function, all reading
 * through one checked cursor (bytes.h) positioned at the current header:
 *
 *   dec_frame: link type -> link_kind()  (dec_link_supported() uses the
 *   |                                     same table, so they agree)
 *   +- NULL / LOOP ------ 4-byte address family --------+
 *   +- RAW / IPV4 / IPV6 - version nibble ---------------+
 *   +- NFLOG ------------ TLVs, payload TLV (type 9) ----+
 *   +- EN10MB -> ether() (802.3 length: LLC/SNAP) -+     |
 *   +- SLL / SLL2 -> ethertype() <------------------+     |
 *   |     802.1Q / 802.1ad tags (ids -> seg->vlan[])     |
 *   |     MPLS label stack -> version nibble ------------+
 *   |     PPPoE session -> PPP protocol ----------------+
 *   +------------------------------------------------> ip4() / ip6()
 *                                                      |  (IPv6 extension
 *                                                      |   headers)
 *                                                      +-> tcp()
 *                                                      +-> tunnel(): IPIP,
 *      6in4/6in6, GRE (ERSPAN II/III, Ethernet, ethertype), UDP 4789
 *      VXLAN and 6081 GENEVE -> ether() / ethertype() / ip4() / ip6()
 *      again, each layer counted against DEC_MAX_TAGS
 *                                                           +-> dec_tcp_options()
 *
 * Lengths: the cursor's view starts as the captured bytes; an IP length
 * field may only shrink it. An IP length beyond the frame's original length
 * is believed (tshark does the same), as if the capture were snapped. Separately we track how many bytes the frame had
 * on the wire (x->wire, the pcap original length), because the payload
 * length reported to the tracker is the on-wire one (from the IP header)
 * while only the captured part is hashed and checksummed. When an IP length
 * is 0 (TSO / "big TCP" captures, IPv6 jumbograms) the on-wire length is
 * derived from the frame's original length instead.
 *
 * Every way out but DEC_TCP names a reason; truncated (the bytes were not
 * captured) is kept apart from bad (the bytes say something impossible).
 * Loops over tags, labels, extension headers and TLVs are bounded by
 * DEC_MAX_TAGS or by their strictly advancing offset. Nothing allocates and
 * nothing is kept between calls.
 */
#include "decode.h"
#include "digest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

/* Link framings we decode. dec_link_supported() and dec_frame() both go
 * through link_kind(), so they cannot disagree. */
enum link_kind {
	LK_NONE,
	LK_NULL,  /* DLT_NULL: host-order AF */
	LK_LOOP,  /* DLT_LOOP: network-order AF */
	LK_ETHER, /* DLT_EN10MB */
	LK_SLL,   /* DLT_LINUX_SLL */
	LK_SLL2,  /* DLT_LINUX_SLL2 */
	LK_NFLOG, /* DLT_NFLOG */
	LK_RAW,   /* DLT_RAW (12, or 14 on OpenBSD), LINKTYPE_RAW (101) */
	LK_IPV4,  /* DLT_IPV4 */
	LK_IPV6   /* DLT_IPV6 */
};

static enum link_kind link_kind(int dlt)
{
	switch (dlt) {
	case 0: return LK_NULL;
	case 1: return LK_ETHER;
	case 12: case 14: case 101: return LK_RAW;
	case 108: return LK_LOOP;
	case 113: return LK_SLL;
	case 228: return LK_IPV4;
	case 229: return LK_IPV6;
	case 239: return LK_NFLOG;
	case 276: return LK_SLL2;
	default: return LK_NONE;
	}
}

/* State of one dec_frame() call. */
struct dec_ctx {
	struct bc_cursor c;     /* at the header being decoded */
	size_t wire;            /* original frame length, >= captured */
	int wire_known;         /* 0: wire says nothing (NFLOG payload) */
	unsigned tags;          /* encapsulations peeled so far */
	unsigned nvlan;         /* VLAN tags seen */
	struct tc_segment *seg;
	struct dec_frag *frag;  /* where a fragment is described, or NULL */
};

static const char *const dec_names[] = {
#define DEC_X(id, name) name,
	DEC_RESULTS(DEC_X)
#undef DEC_X
};

const char *dec_result_name(unsigned r)
{
	return r < DEC__COUNT ? dec_names[r] : "?";
}

int dec_result_is_error(unsigned r)
{
	switch (r) {
	case DEC_TCP:
	case DEC_NOT_IP:
	case DEC_NOT_TCP:
	case DEC_FRAGMENT:
	case DEC_UNSUPPORTED_LINK:
		return 0;
	default:
		return r < DEC__COUNT;
	}
}

int dec_link_supported(int dlt)
{
	return link_kind(dlt) != LK_NONE;
}

/* ---- TCP options -------------------------------------------------------- */

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Records one option whose framing (kind, length within the list) is
 * already checked: p points at the kind byte, n is its length byte. A known
 * kind with a length it cannot have is ignored and marks the list
 * malformed. */
static void tcp_option(const uint8_t *p, size_t n, struct tc_options *opt)
{
	switch (p[0]) {
	case 2: /* MSS */
		if (n != 4)
			goto bad;
		opt->present |= TC_OPT_MSS;
		opt->mss = (uint16_t)((unsigned)p[2] << 8 | p[3]);
		return;
	case 3: /* window scale */
		if (n != 3)
			goto bad;
		opt->present |= TC_OPT_WSCALE;
		opt->wscale = p[2];
		return;
	case 4: /* SACK permitted */
		if (n != 2)
			goto bad;
		opt->present |= TC_OPT_SACK_PERM;
		return;
	case 5: /* SACK blocks */
		if (n < 10 || (n - 2) % 8 != 0)
			goto bad;
		opt->present |= TC_OPT_SACK;
		for (size_t i = 2; i + 8 <= n && opt->nsack < TC_MAX_SACK;
		     i += 8) {
			opt->sack[opt->nsack][0] = get_be32(p + i);
			opt->sack[opt->nsack][1] = get_be32(p + i + 4);
			opt->nsack++;
		}
		return;
	case 8: /* timestamps */
		if (n != 10)
			goto bad;
		opt->present |= TC_OPT_TS;
		opt->tsval = get_be32(p + 2);
		opt->tsecr = get_be32(p + 6);
		return;
	case 19: /* TCP MD5 signature */
		if (n != 18)
			goto bad;
		opt->present |= TC_OPT_MD5;
		return;
	case 29: /* TCP-AO: kind, length, KeyID, RNextKeyID, MAC */
		if (n < 4)
			goto bad;
		opt->present |= TC_OPT_AO;
		return;
	case 30: /* MPTCP: kind, length, subtype/version, ... */
		if (n < 3)
			goto bad;
		opt->present |= TC_OPT_MPTCP;
		return;
	case 34: /* Fast Open: request (2) or cookie of 4..16 bytes */
		if (n != 2 && (n < 6 || n > 18))
			goto bad;
		opt->present |= TC_OPT_TFO;
		opt->tfo_cookie_len = (uint8_t)(n - 2);
		return;
	case 254: /* experimental; Fast Open before RFC 7413 uses 0xF989 */
		if (n >= 4 && p[2] == 0xF9 && p[3] == 0x89) {
			if (n != 4 && (n < 8 || n > 20))
				goto bad;
			opt->present |= TC_OPT_TFO;
			opt->tfo_cookie_len = (uint8_t)(n - 4);
			return;
		}
		opt->present |= TC_OPT_UNKNOWN;
		return;
	default:
		opt->present |= TC_OPT_UNKNOWN;
		return;
	}
bad:
	opt->present |= TC_OPT_MALFORMED;
}

void dec_tcp_options(const uint8_t *p, size_t len, struct tc_options *opt)
{
	memset(opt, 0, sizeof *opt);
	size_t i = 0;
	while (i < len) {
		uint8_t kind = p[i];
		if (kind == 0) /* end of option list */
			return;
		if (kind == 1) { /* NOP */
			i++;
			continue;
		}
		/* i < len, so len - i >= 1 and the subtraction is safe. */
		if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) {
			opt->present |= TC_OPT_MALFORMED;
			return;
		}
		size_t n = p[i + 1];
		tcp_option(p + i, n, opt);
		i += n;
	}
}

/* ---- TCP ---------------------------------------------------------------- */

/* One's-complement sum of n bytes as big-endian 16-bit words, added to sum.
 * n is at most a few hundred kB, so 64 bits cannot overflow.
 *
 * The per-packet cost of the decoder is here and in payload_digest(), over
 * every captured payload byte, so both go a word at a time. The one's-
 * complement sum does not depend on byte order (RFC 1071 2(B)): on a
 * little-endian host the words are summed as they lie, 32 bits at a
 * time, the total folded to 16 bits and byte-swapped once. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t acc = 0;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		acc += (v & 0xffffffffu) + (v >> 32);
	}
	for (; n >= 2; p += 2, n -= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	sum += (uint16_t)(acc << 8 | acc >> 8);
	if (n)
		sum += (unsigned)p[0] << 8;
	return sum;
#else
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (unsigned)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (unsigned)p[i] << 8;
	return sum;
#endif
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* A 32-bit digest of a payload, to tell payloads apart (capture
 * duplicates, D-SACK targets). */
static uint32_t payload_digest(const uint8_t *p, size_t n)
{
	uint64_t h = digest_add(0x9e3779b97f4a7c15ull ^ n, p, n);
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The cursor is at the TCP header and its view ends at the end of the IP
 * payload (or of the captured bytes). dlen is the IP payload length on the
 * wire. psum is the pseudo-header sum without the length; check is 0 when
 * the checksum cannot be verified (e.g. a routing header). */
static enum dec_result tcp(struct dec_ctx *x, size_t dlen, uint64_t psum,
			   int check)
{
	struct bc_cursor *c = &x->c;
	struct tc_segment *s = x->seg;

	if (dlen < 20)
		return DEC_BAD_TCP_HLEN;
	if (!bc_can(c, 20))
		return DEC_TRUNC_TCP;
	const uint8_t *start = bc_ptr(c);
	s->sport = bc_be16(c);
	s->dport = bc_be16(c);
	s->seq = bc_be32(c);
	s->ack = bc_be32(c);
	uint8_t off = bc_u8(c);
	uint8_t fl = bc_u8(c);
	s->window = bc_be16(c);
	(void)bc_be16(c); /* checksum: verified over the whole segment */
	s->urgent = bc_be16(c);
	if (c->err)
		return DEC_TRUNC_TCP;
	s->flags = (uint16_t)(fl | (off & 1u) << 8);

	size_t hl = (size_t)(off >> 4) * 4;
	if (hl < 20 || hl > dlen)
		return DEC_BAD_TCP_HLEN;
	if (!bc_can(c, hl - 20))
		return DEC_TRUNC_TCP;
	dec_tcp_options(bc_ptr(c), hl - 20, &s->opt);
	bc_skip(c, hl - 20);

	size_t plen = dlen - hl;
	size_t pcap = bc_left(c);
	if (pcap > plen)
		pcap = plen;
	s->payload_len = plen > UINT32_MAX ? UINT32_MAX : (uint32_t)plen;
	s->payload_caplen = (uint32_t)(pcap > s->payload_len ? s->payload_len
							     : pcap);
	s->payload_hash = pcap ? payload_digest(bc_ptr(c), pcap) : 0;

	s->csum = TC_CSUM_UNCHECKED;
	if (check && pcap == plen) {
		uint64_t sum = psum + (dlen >> 16) + (dlen & 0xffff);
		sum = csum_add(sum, start, dlen);
		s->csum = csum_fold(sum) == 0xffff ? TC_CSUM_OK : TC_CSUM_BAD;
	}
	return DEC_TCP;
}

/* ---- IPv4 and IPv6 ------------------------------------------------------ */

static enum dec_result tunnel(struct dec_ctx *x, unsigned proto);

/* A fragment's data: len bytes on the wire from the cursor, of which those
 * captured; its addresses and VLAN ids from the segment so far. */
static void frag_data(struct dec_ctx *x, size_t len)
{
	struct dec_frag *f = x->frag;
	size_t cap = bc_left(&x->c);
	f->data = bc_ptr(&x->c);
	f->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	f->caplen = (uint32_t)(cap < f->len ? cap : f->len);
	f->src = x->seg->src;
	f->dst = x->seg->dst;
	f->vlan[0] = x->seg->vlan[0];
	f->vlan[1] = x->seg->vlan[1];
	f->tunnel = x->seg->tunnel;
	f->tunnel_id = x->seg->tunnel_id;
}

static enum dec_result ip4(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	struct tc_segment *s = x->seg;
	size_t wire_left = x->wire - c->off;

	if (!bc_can(c, 20))
		return DEC_TRUNC_IP;
	const uint8_t *iph = bc_ptr(c);
	uint8_t vihl = bc_peek_u8(c, 0);
	if (vihl >> 4 != 4)
		return DEC_BAD_IP_VERSION;
	size_t hl = (size_t)(vihl & 15) * 4;
	if (hl < 20)
		return DEC_BAD_IP_HLEN;
	if (!bc_can(c, hl))
		return DEC_TRUNC_IP;

	bc_skip(c, 2); /* version/IHL, DSCP/ECN */
	size_t tl = bc_be16(c);
	uint16_t id = bc_be16(c);
	uint16_t frag = bc_be16(c);
	uint8_t ttl = bc_u8(c);
	uint8_t proto = bc_u8(c);
	bc_skip(c, 2); /* header checksum */
	const uint8_t *addrs = bc_ptr(c);
	s->src.family = s->dst.family = 4;
	bc_copy(c, s->src.a, 4);
	bc_copy(c, s->dst.a, 4);
	bc_skip(c, hl - 20); /* options */
	if (c->err)
		return DEC_TRUNC_IP; /* cannot happen: hl bytes were checked */

	size_t dlen;
	if (tl == 0) { /* TSO / big TCP: the frame length tells */
		dlen = x->wire_known ? wire_left : hl + bc_left(c);
	} else {
		/* A total length past the frame's original length is taken
		 * as it stands, like a snapped capture (tshark does too):
		 * only the captured bytes are read. */
		if (tl < hl)
			return DEC_BAD_IP_LEN;
		dlen = tl;
	}
	if (frag & 0x3fff) { /* MF or a fragment offset */
		if (x->frag) {
			struct dec_frag *f = x->frag;
			f->family = 4;
			f->proto = proto;
			f->more = (frag & 0x2000) != 0;
			f->id = id;
			f->offset = (uint32_t)(frag & 0x1fff) * 8;
			f->hdr = iph;
			f->hdr_len = (uint16_t)hl;
			f->nh_off = 0;
			frag_data(x, dlen - hl);
		}
		return DEC_FRAGMENT;
	}
	if (proto != 6) {
		bc_limit(c, dlen - hl);
		return tunnel(x, proto);
	}

	s->ip_id = id;
	s->ttl = ttl;
	s->ip_len = dlen > UINT32_MAX ? UINT32_MAX : (uint32_t)dlen;
	dlen -= hl;
	bc_limit(c, dlen);
	uint64_t psum = csum_add(6, addrs, 8);
	return tcp(x, dlen, psum, dlen <= 0xffff);
}

#define DEC_MAX_TAGS 16

/* The cursor is at an IPv6 fragment header (8 bytes, captured) with dlen
 * bytes of payload from it; iph is the IPv6 header, nh_pos the offset
 * from it of the byte naming the fragment header. */
static void frag6(struct dec_ctx *x, const uint8_t *iph, size_t nh_pos,
		  uint16_t om, size_t dlen)
{
	struct dec_frag *f = x->frag;
	size_t hl = (size_t)(bc_ptr(&x->c) - iph);
	if (hl > UINT16_MAX)
		return;
	f->proto = bc_peek_u8(&x->c, 0);
	f->more = om & 1;
	f->offset = om & 0xfff8;
	bc_skip(&x->c, 4);
	f->id = bc_be32(&x->c);
	f->hdr = iph;
	f->hdr_len = (uint16_t)hl;
	f->nh_off = (uint16_t)nh_pos;
	frag_data(x, dlen - 8);
	f->family = 6;
}

static enum dec_result ip6(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	struct tc_segment *s = x->seg;

	if (!bc_can(c, 40))
		return DEC_TRUNC_IP;
	const uint8_t *iph = bc_ptr(c);
	if (bc_peek_u8(c, 0) >> 4 != 6)
		return DEC_BAD_IP_VERSION;
	bc_skip(c, 4); /* version, traffic class, flow label */
	size_t plen = bc_be16(c);
	uint8_t nh = bc_u8(c);
	uint8_t hlim = bc_u8(c);
	const uint8_t *addrs = bc_ptr(c);
	s->src.family = s->dst.family = 6;
	bc_copy(c, s->src.a, 16);
	bc_copy(c, s->dst.a, 16);
	if (c->err)
		return DEC_TRUNC_IP;

	size_t wire_left = x->wire - c->off;
	size_t dlen;
	if (plen == 0) /* jumbogram or big TCP: the frame length tells */
		dlen = x->wire_known ? wire_left : bc_left(c);
	else /* as for IPv4, even past the frame's original length */
		dlen = plen;
	bc_limit(c, dlen);
	s->ttl = hlim;
	s->ip_len = dlen > UINT32_MAX - 40 ? UINT32_MAX : (uint32_t)(40 + dlen);

	int check = 1;
	size_t nh_pos = 6; /* of the byte holding nh, from iph */
	for (unsigned n = 0;; n++) {
		size_t elen;
		switch (nh) {
		case 6:
			return tcp(x, dlen, csum_add(6, addrs, 32), check);
		case 0:  /* hop-by-hop options: only right after the header */
			if (n != 0)
				return DEC_BAD_IP6_EXT;
			break;
		case 43: /* routing */
		case 60: /* destination options */
		case 44: /* fragment */
		case 51: /* authentication header */
			break;
		case 4:  /* IPv4, IPv6 in IPv6, GRE, UDP (VXLAN, GENEVE) */
		case 41:
		case 47:
		case 17:
			return tunnel(x, nh);
		default: /* 50 ESP, 59 no next header, ICMPv6, ... */
			return DEC_NOT_TCP;
		}
		if (n >= DEC_MAX_TAGS)
			return DEC_TOO_MANY_TAGS;
		if (dlen < 2)
			return DEC_BAD_IP6_EXT;
		if (!bc_can(c, 2))
			return DEC_TRUNC_IP6_EXT;
		uint8_t next = bc_peek_u8(c, 0);
		uint8_t hlen = bc_peek_u8(c, 1);
		if (nh == 44)
			elen = 8;
		else if (nh == 51)
			elen = ((size_t)hlen + 2) * 4;
		else
			elen = ((size_t)hlen + 1) * 8;
		if (elen > dlen)
			return DEC_BAD_IP6_EXT;
		if (!bc_can(c, elen))
			return DEC_TRUNC_IP6_EXT;
		if (nh == 44) {
			uint16_t om = bc_peek_be16(c, 2);
			if ((om & 0xfff8) != 0 || (om & 1) != 0) {
				if (x->frag)
					frag6(x, iph, nh_pos, om, dlen);
				return DEC_FRAGMENT;
			}
			/* An atomic fragment: offset 0, no more fragments. */
		} else if (nh == 43 && bc_peek_u8(c, 3) != 0) {
			/* Segments left: the pseudo-header destination is
			 * the final one, in the routing header. Don't guess. */
			check = 0;
		}
		nh_pos = (size_t)(bc_ptr(c) - iph);
		bc_skip(c, elen);
		dlen -= elen;
		nh = next;
	}
}

/* ---- Tunnels ------------------------------------------------------------ */

static enum dec_result ethertype(struct dec_ctx *x, uint16_t type);
static enum dec_result ether(struct dec_ctx *x);

/* The segment's tunnel: each layer with an id overwrites the one outside
 * it, so the innermost is kept (tcpcore.h, enum tc_tunnel). */
static void tunnel_id(struct dec_ctx *x, unsigned kind, uint32_t id)
{
	x->seg->tunnel = (uint8_t)kind;
	x->seg->tunnel_id = id;
}

/* GRE (RFC 2784/2890): flags and version, protocol, then the checksum,
 * key and sequence number when flagged. Ethernet inside (0x6558), ERSPAN
 * type I/II (0x88be; type II has the sequence number and an 8-byte
 * header) and type III (0x22eb; 12 bytes, and 8 more when its O flag is
 * set), or any ethertype (IP, MPLS, VLAN). */
static enum dec_result gre(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	uint16_t fl = bc_be16(c);
	uint16_t proto = bc_be16(c);
	if (c->err)
		return DEC_TRUNC_TUNNEL;
	if ((fl & 7) != 0 || (fl & 0x4000)) /* enhanced GRE, routing */
		return DEC_NOT_TCP;
	if ((fl & 0x8000) && !bc_skip(c, 4)) /* checksum, reserved */
		return DEC_TRUNC_TUNNEL;
	if (fl & 0x2000) { /* key */
		uint32_t key = bc_be32(c);
		if (c->err)
			return DEC_TRUNC_TUNNEL;
		tunnel_id(x, TC_TUN_GRE, key);
	}
	if ((fl & 0x1000) && !bc_skip(c, 4)) /* sequence number */
		return DEC_TRUNC_TUNNEL;
	switch (proto) {
	case 0x6558:
		return ether(x);
	case 0x88be: /* ERSPAN II: version, VLAN, CoS/En/T, session id */
		if (!(fl & 0x1000))
			return ether(x); /* type I: no header */
		if (!bc_can(c, 8))
			return DEC_TRUNC_TUNNEL;
		tunnel_id(x, TC_TUN_ERSPAN, bc_peek_u8(c, 3) |
			  (uint32_t)(bc_peek_u8(c, 2) & 3) << 8);
		bc_skip(c, 8);
		return ether(x);
	case 0x22eb: { /* ERSPAN III: as II, then timestamp, SGT, flags */
		if (!bc_can(c, 12))
			return DEC_TRUNC_TUNNEL;
		tunnel_id(x, TC_TUN_ERSPAN, bc_peek_u8(c, 3) |
			  (uint32_t)(bc_peek_u8(c, 2) & 3) << 8);
		int o = bc_peek_u8(c, 11) & 1;
		if (!bc_skip(c, 12 + (o ? 8u : 0u)))
			return DEC_TRUNC_TUNNEL;
		return ether(x);
	}
	default:
		return ethertype(x, proto);
	}
}

/* UDP: VXLAN (port 4789: 8-byte header, Ethernet) and GENEVE (6081: 8
 * bytes and its options, Ethernet or an ethertype); other UDP is not TCP. */
static enum dec_result udp(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	bc_skip(c, 2);
	uint16_t dport = bc_be16(c);
	bc_skip(c, 4);
	if (c->err)
		return DEC_NOT_TCP;
	if (dport == 4789) { /* flags, reserved, VNI, reserved */
		if (!bc_can(c, 8))
			return DEC_TRUNC_TUNNEL;
		tunnel_id(x, TC_TUN_VXLAN, (uint32_t)bc_peek_u8(c, 4) << 16 |
			  (uint32_t)bc_peek_u8(c, 5) << 8 | bc_peek_u8(c, 6));
		bc_skip(c, 8);
		return ether(x);
	}
	if (dport == 6081) {
		uint8_t b0 = bc_u8(c);
		bc_skip(c, 1);
		uint16_t proto = bc_be16(c);
		uint32_t vni = bc_be32(c) >> 8;
		if (c->err || !bc_skip(c, (size_t)(b0 & 0x3f) * 4))
			return DEC_TRUNC_TUNNEL;
		tunnel_id(x, TC_TUN_GENEVE, vni);
		if (b0 >> 6 != 0)
			return DEC_NOT_TCP;
		return proto == 0x6558 ? ether(x) : ethertype(x, proto);
	}
	return DEC_NOT_TCP;
}

/* The cursor is at the payload of an IP datagram of protocol proto (not
 * TCP), its view limited to that payload. */
static enum dec_result tunnel(struct dec_ctx *x, unsigned proto)
{
	if (++x->tags > DEC_MAX_TAGS)
		return DEC_TOO_MANY_TAGS;
	switch (proto) {
	case 4: return ip4(x);
	case 41: return ip6(x);
	case 47: return gre(x);
	case 17: return udp(x);
	default: return DEC_NOT_TCP;
	}
}

/* 802.2 LLC after an 802.3 length: SNAP (AA AA 03, OUI, ethertype)
 * carries an ethertype; anything else is not IP. */
static enum dec_result llc(struct dec_ctx *x, uint16_t len)
{
	struct bc_cursor *c = &x->c;
	bc_limit(c, len);
	uint8_t dsap = bc_u8(c), ssap = bc_u8(c), ctl = bc_u8(c);
	if (c->err)
		return DEC_TRUNC_LINK;
	if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
		return DEC_NOT_IP;
	bc_skip(c, 3);
	uint16_t type = bc_be16(c);
	if (c->err)
		return DEC_TRUNC_LINK;
	return ethertype(x, type);
}

/* An Ethernet header: addresses, then an ethertype or an 802.3 length. */
static enum dec_result ether(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	bc_skip(c, 12); /* destination, source */
	uint16_t type = bc_be16(c);
	if (c->err)
		return DEC_TRUNC_LINK;
	if (type <= 1500)
		return llc(x, type);
	return ethertype(x, type);
}

/* ---- Link layers -------------------------------------------------------- */

/* Decodes IPv4 or IPv6 by the version nibble of the next byte. */
static enum dec_result ip_any(struct dec_ctx *x)
{
	if (!bc_can(&x->c, 1))
		return DEC_TRUNC_IP;
	switch (bc_peek_u8(&x->c, 0) >> 4) {
	case 4: return ip4(x);
	case 6: return ip6(x);
	default: return DEC_BAD_IP_VERSION;
	}
}

static enum dec_result mpls(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	for (;;) {
		if (++x->tags > DEC_MAX_TAGS)
			return DEC_TOO_MANY_TAGS;
		uint32_t lse = bc_be32(c);
		if (c->err)
			return DEC_TRUNC_MPLS;
		if (lse & 0x100) /* bottom of stack */
			break;
	}
	/* No protocol field: guess by the version nibble (a pseudowire
	 * control word starts with 0 and is not IP). */
	if (!bc_can(c, 1))
		return DEC_TRUNC_IP;
	switch (bc_peek_u8(c, 0) >> 4) {
	case 4: return ip4(x);
	case 6: return ip6(x);
	default: return DEC_NOT_IP;
	}
}

/* The cursor is just after an ethertype field holding `type`. */
static enum dec_result ethertype(struct dec_ctx *x, uint16_t type)
{
	struct bc_cursor *c = &x->c;
	for (;;) {
		if (++x->tags > DEC_MAX_TAGS)
			return DEC_TOO_MANY_TAGS;
		switch (type) {
		case 0x0800:
			return ip4(x);
		case 0x86dd:
			return ip6(x);
		case 0x8100: /* 802.1Q */
		case 0x88a8: /* 802.1ad */
		case 0x9100: /* pre-standard QinQ */
		{
			uint16_t tci = bc_be16(c);
			type = bc_be16(c);
			if (c->err)
				return DEC_TRUNC_VLAN;
			if (x->nvlan < 2)
				x->seg->vlan[x->nvlan] = tci & 0x0fff;
			x->nvlan++;
			continue;
		}
		case 0x8847: /* MPLS unicast */
		case 0x8848: /* MPLS multicast */
			return mpls(x);
		case 0x8864: /* PPPoE session: ver/type, code, id, length */
		{
			uint8_t vt = bc_u8(c);
			uint8_t code = bc_u8(c);
			bc_skip(c, 4);
			uint16_t proto = bc_be16(c);
			if (c->err)
				return DEC_TRUNC_LINK;
			if (vt != 0x11 || code != 0)
				return DEC_NOT_IP;
			if (proto == 0x0021)
				return ip4(x);
			if (proto == 0x0057)
				return ip6(x);
			return DEC_NOT_IP;
		}
		default:
			return DEC_NOT_IP;
		}
	}
}

/* BSD loopback address families meaning IPv6 differ by system. */
static enum dec_result af(struct dec_ctx *x, uint32_t family)
{
	switch (family) {
	case 2:
		return ip4(x);
	case 24: /* OpenBSD, NetBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return ip6(x);
	default:
		return DEC_NOT_IP;
	}
}

#define NFULA_PAYLOAD 9

/* NFLOG: a 4-byte header (family, version, resource id), then TLVs whose
 * length and type are in host byte order (libpcap swaps them when reading
 * a file from another host) and which are padded to 4 bytes. */
static enum dec_result nflog(struct dec_ctx *x)
{
	struct bc_cursor *c = &x->c;
	uint8_t family = bc_u8(c);
	uint8_t version = bc_u8(c);
	bc_skip(c, 2);
	if (c->err)
		return DEC_TRUNC_LINK;
	if (version != 0)
		return DEC_BAD_NFLOG;
	/* Each pass advances by at least 4 bytes: this ends. */
	while (bc_left(c) > 0) {
		uint16_t tlen = bc_ne16(c);
		uint16_t type = bc_ne16(c);
		if (c->err)
			return DEC_TRUNC_LINK;
		if (tlen < 4)
			return DEC_BAD_NFLOG;
		size_t vlen = (size_t)tlen - 4;
		if ((type & 0x3fff) == NFULA_PAYLOAD) {
			bc_limit(c, vlen);
			/* The payload may be cut by the copy range: the
			 * frame length says nothing about the datagram. */
			x->wire_known = 0;
			switch (family) {
			case 2: return ip4(x);
			case 10: return ip6(x);
			default: return DEC_NOT_IP;
			}
		}
		size_t pad = (vlen + 3) & ~(size_t)3;
		if (!bc_skip(c, pad))
			return DEC_TRUNC_LINK;
	}
	/* No payload TLV: none was logged, or the capture cut it off. */
	return c->len < x->wire ? DEC_TRUNC_LINK : DEC_NOT_IP;
}

enum dec_result dec_frame(int dlt, const uint8_t *frame, size_t caplen,
			  size_t wirelen, struct tc_segment *seg)
{
	return dec_frame_frag(dlt, frame, caplen, wirelen, seg, NULL);
}

enum dec_result dec_frame_frag(int dlt, const uint8_t *frame, size_t caplen,
			       size_t wirelen, struct tc_segment *seg,
			       struct dec_frag *frag)
{
	/* Clear everything the caller does not set itself. */
	int64_t ts = seg->ts_ns;
	uint64_t pkt = seg->pkt;
	uint32_t capture = seg->capture, iface = seg->iface;
	memset(seg, 0, sizeof *seg);
	seg->ts_ns = ts;
	seg->pkt = pkt;
	seg->capture = capture;
	seg->iface = iface;

	struct dec_ctx x;
	bc_init(&x.c, frame, caplen);
	x.wire = wirelen > x.c.len ? wirelen : x.c.len;
	x.wire_known = 1;
	x.tags = 0;
	x.nvlan = 0;
	x.seg = seg;
	x.frag = frag;
	if (frag)
		frag->family = 0;
	struct bc_cursor *c = &x.c;

	switch (link_kind(dlt)) {
	case LK_NONE:
		return DEC_UNSUPPORTED_LINK;
	case LK_NULL: {
		/* Host byte order of the capturing machine: accept both. */
		uint32_t v = bc_le32(c);
		if (c->err)
			return DEC_TRUNC_LINK;
		if (v > 0xffff)
			v = (v >> 24) | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) |
			    v << 24;
		return af(&x, v);
	}
	case LK_LOOP: {
		uint32_t v = bc_be32(c);
		if (c->err)
			return DEC_TRUNC_LINK;
		return af(&x, v);
	}
	case LK_ETHER:
		return ether(&x);
	case LK_SLL: {
		/* packet type, ARPHRD, address length, address[8], protocol */
		bc_skip(c, 14);
		uint16_t type = bc_be16(c);
		if (c->err)
			return DEC_TRUNC_LINK;
		return ethertype(&x, type);
	}
	case LK_SLL2: {
		/* protocol, reserved, ifindex, ARPHRD, packet type, address
		 * length, address[8] */
		uint16_t type = bc_be16(c);
		bc_skip(c, 18);
		if (c->err)
			return DEC_TRUNC_LINK;
		return ethertype(&x, type);
	}
	case LK_NFLOG:
		return nflog(&x);
	case LK_RAW:
		return ip_any(&x);
	case LK_IPV4:
		return ip4(&x);
	case LK_IPV6:
		return ip6(&x);
	}
	return DEC_UNSUPPORTED_LINK;
}

/* ---- Text of a segment's flags and options ---------------------------- */

static void appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	if (*pos >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

void dec_options_text(const struct tc_options *o, char *buf, size_t len)
{
	size_t pos = 0;
	buf[0] = '\0';
#define SEP (pos ? "," : "")
	if (o->present & TC_OPT_MSS)
		appendf(buf, len, &pos, "%smss=%u", SEP, (unsigned)o->mss);
	if (o->present & TC_OPT_WSCALE)
		appendf(buf, len, &pos, "%sws=%u", SEP, (unsigned)o->wscale);
	if (o->present & TC_OPT_SACK_PERM)
		appendf(buf, len, &pos, "%ssackok", SEP);
	if (o->present & TC_OPT_TS)
		appendf(buf, len, &pos, "%sts=%lu/%lu", SEP,
			(unsigned long)o->tsval, (unsigned long)o->tsecr);
	if (o->present & TC_OPT_SACK) {
		appendf(buf, len, &pos, "%ssack=", SEP);
		for (unsigned i = 0; i < o->nsack && i < TC_MAX_SACK; i++)
			appendf(buf, len, &pos, "%s%lu-%lu", i ? " " : "",
				(unsigned long)o->sack[i][0],
				(unsigned long)o->sack[i][1]);
	}
	if (o->present & TC_OPT_TFO)
		appendf(buf, len, &pos, "%stfo=%u", SEP,
			(unsigned)o->tfo_cookie_len);
	if (o->present & TC_OPT_MPTCP)
		appendf(buf, len, &pos, "%smptcp", SEP);
	if (o->present & TC_OPT_MD5)
		appendf(buf, len, &pos, "%smd5", SEP);
	if (o->present & TC_OPT_AO)
		appendf(buf, len, &pos, "%sao", SEP);
	if (o->present & TC_OPT_UNKNOWN)
		appendf(buf, len, &pos, "%sunknown", SEP);
	if (o->present & TC_OPT_MALFORMED)
		appendf(buf, len, &pos, "%smalformed", SEP);
#undef SEP
}

void dec_flags_text(unsigned flags, char buf[12])
{
	static const struct {
		unsigned bit;
		char c;
	} order[] = {{TC_SYN, 'S'}, {TC_FIN, 'F'}, {TC_RST, 'R'},
		     {TC_PSH, 'P'}, {TC_ACK, 'A'}, {TC_URG, 'U'},
		     {TC_ECE, 'E'}, {TC_CWR, 'C'}, {TC_AE, 'N'}};
	size_t n = 0;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].c;
	buf[n] = '\0';
}
