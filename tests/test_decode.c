/*
 * test_decode.c - unit tests of the packet decoder (analyzer/capture/decode.c).
 *
 * Frames are built here, in code, from a table of samples: each names a
 * link framing (Ethernet, VLAN tags, MPLS, PPPoE, SLL, SLL2, NFLOG, raw IP,
 * BSD NULL/LOOP), an IP/TCP spec, an optional patch that breaks something,
 * and the result it must decode to. The builder computes lengths and
 * checksums itself (independently of the decoder), and the expected segment
 * is derived from the spec, so every decoded field is compared.
 *
 * The truncation sweep decodes every prefix of every sample from a heap
 * buffer of exactly that size (so ASan sees any overread): a prefix holding
 * all headers decodes to DEC_TCP with the captured payload shortened; a
 * shorter one gives a "truncated-*" result; never anything else.
 *
 * A second table tests dec_tcp_options() kind by kind, malformed lists too.
 * The pcap tests read frames of /work/shared captures with libpcap and
 * check fields verified by hand with `tcpdump -nn -vv -e`.
 *
 * `test_decode --write-corpus DIR` writes every sample as a fuzz seed in
 * the harness's input format (tests/fuzz/fuzz_decode.h).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../analyzer/capture/decode.h"
#include "fuzz/fuzz_decode.h"
#include "unit.h"

/* ---- Frame building ----------------------------------------------------- */

struct pkt {
	uint8_t b[1600];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	if (n)
		memcpy(p->b + p->n, d, n);
	p->n += n;
}
static void p8(struct pkt *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void p16(struct pkt *p, unsigned v)
{
	p8(p, (v >> 8) & 0xff);
	p8(p, v & 0xff);
}
static void p32(struct pkt *p, uint32_t v)
{
	p16(p, v >> 16);
	p16(p, v & 0xffff);
}
static void set16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}
static void pne16(struct pkt *p, uint16_t v) /* host byte order */
{
	put(p, &v, 2);
}

/* Internet checksum, written the textbook way (RFC 1071). */
static uint32_t sum16(const uint8_t *d, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)d[i] << 8 | (i + 1 < n ? d[i + 1] : 0);
	return s;
}
static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The decoder's payload digest, written out independently: 64-bit
 * little-endian words assembled byte by byte, each mixed by a multiply
 * and a shift, then the tail bytes; 0 for no payload. */
static uint32_t fnv(const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = 0;
		for (int k = 7; k >= 0; k--)
			v = v << 8 | p[i + (size_t)k];
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

#define BYTES(s) (const uint8_t *)(s), (sizeof(s) - 1)

static const uint8_t SRC4[4] = { 10, 0, 0, 1 }, DST4[4] = { 192, 168, 1, 2 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
#define SPORT 40000
#define DPORT 80
#define SEQ 0x11223344u
#define ACK 0x55667788u
#define WIN 0x7210
#define IPID 0x1234
#define TTL 64

struct spec {
	int v6;
	uint16_t flags;      /* TC_* bits */
	uint16_t urgent;
	const uint8_t *topt; /* TCP options, a multiple of 4 bytes */
	size_t toptlen;
	const uint8_t *ip4opt; /* IPv4 options, a multiple of 4 bytes */
	size_t ip4optlen;
	const uint8_t *ext;  /* IPv6 extension headers, chained by hand */
	size_t extlen;
	uint8_t ext_nh;      /* type of the first extension header */
	uint16_t frag;       /* IPv4 flags and fragment offset */
	uint8_t proto;       /* 0: TCP */
	const char *payload;
	int bad_csum;        /* spoil the TCP checksum */
	int zero_len;        /* IP length 0 (big TCP, jumbo) */
};

/* Builds the IP datagram of a spec into *p; returns the payload offset. */
static size_t build_ip(const struct spec *sp, struct pkt *p)
{
	struct pkt t = { .n = 0 };
	size_t plen = sp->payload ? strlen(sp->payload) : 0;
	size_t thl = 20 + sp->toptlen;
	p16(&t, SPORT);
	p16(&t, DPORT);
	p32(&t, SEQ);
	p32(&t, ACK);
	p8(&t, (unsigned)(thl / 4) << 4 | ((sp->flags >> 8) & 1));
	p8(&t, sp->flags & 0xff);
	p16(&t, WIN);
	p16(&t, 0);
	p16(&t, sp->urgent);
	put(&t, sp->topt, sp->toptlen);
	put(&t, sp->payload, plen);
	uint8_t proto = sp->proto ? sp->proto : 6;

	uint32_t ps;
	p->n = 0;
	if (!sp->v6) {
		size_t hl = 20 + sp->ip4optlen;
		p8(p, 0x40 | (unsigned)(hl / 4));
		p8(p, 0);
		p16(p, sp->zero_len ? 0 : (unsigned)(hl + t.n));
		p16(p, IPID);
		p16(p, sp->frag);
		p8(p, TTL);
		p8(p, proto);
		p16(p, 0);
		put(p, SRC4, 4);
		put(p, DST4, 4);
		put(p, sp->ip4opt, sp->ip4optlen);
		set16(p->b + 10, fold(sum16(p->b, hl, 0)));
		ps = sum16(SRC4, 4, 0) + sum16(DST4, 4, 0) + 6 + (uint32_t)t.n;
	} else {
		p32(p, 0x60000000u);
		p16(p, sp->zero_len ? 0 : (unsigned)(sp->extlen + t.n));
		p8(p, sp->extlen ? sp->ext_nh : proto);
		p8(p, TTL);
		put(p, SRC6, 16);
		put(p, DST6, 16);
		put(p, sp->ext, sp->extlen);
		ps = sum16(SRC6, 16, 0) + sum16(DST6, 16, 0) + 6 + (uint32_t)t.n;
	}
	set16(t.b + 16, fold(sum16(t.b, t.n, ps)) ^ (sp->bad_csum ? 0x5555 : 0));
	put(p, t.b, t.n);
	return p->n - plen;
}

/* Link framings built around the datagram. */
enum lk {
	L_ETH, L_ETH_PAD, L_VLAN, L_QINQ, L_Q9100, L_VLAN3, L_VLAN15, L_VLAN17,
	L_MPLS, L_MPLS17, L_PPPOE, L_SLL, L_SLL2, L_NFLOG, L_NFLOG_NOPAY,
	L_IP, L_NULL_LE, L_NULL_BE, L_LOOP, L_8023
};

static void eth_addrs(struct pkt *o)
{
	static const uint8_t a[12] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55,
				       0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
	put(o, a, 12);
}

/* Wraps datagram d in link framing k into *o; returns the datagram's
 * offset in the frame. */
static size_t build_link(enum lk k, int v6, const struct pkt *d, struct pkt *o)
{
	unsigned et = v6 ? 0x86dd : 0x0800;
	size_t off;
	o->n = 0;
	switch (k) {
	case L_ETH:
	case L_ETH_PAD:
		eth_addrs(o);
		p16(o, et);
		break;
	case L_8023:
		eth_addrs(o);
		p16(o, (unsigned)d->n);
		break;
	case L_VLAN:
		eth_addrs(o);
		p16(o, 0x8100);
		p16(o, 3u << 13 | 100);
		p16(o, et);
		break;
	case L_QINQ:
		eth_addrs(o);
		p16(o, 0x88a8);
		p16(o, 200);
		p16(o, 0x8100);
		p16(o, 1u << 12 | 300); /* DEI set: not part of the id */
		p16(o, et);
		break;
	case L_Q9100:
		eth_addrs(o);
		p16(o, 0x9100);
		p16(o, 4094);
		p16(o, 0x8100);
		p16(o, 5);
		p16(o, et);
		break;
	case L_VLAN3:
	case L_VLAN15:
	case L_VLAN17: {
		unsigned n = k == L_VLAN3 ? 3 : k == L_VLAN15 ? 15 : 17;
		eth_addrs(o);
		for (unsigned i = 0; i < n; i++) {
			p16(o, 0x8100);
			p16(o, 10 + i);
		}
		p16(o, et);
		break;
	}
	case L_MPLS:
	case L_MPLS17: {
		unsigned n = k == L_MPLS ? 2 : 17;
		eth_addrs(o);
		p16(o, 0x8847);
		for (unsigned i = 0; i < n; i++)
			p32(o, (16u + i) << 12 | (i + 1 == n ? 0x100u : 0) |
				       255);
		break;
	}
	case L_PPPOE:
		eth_addrs(o);
		p16(o, 0x8864);
		p8(o, 0x11);
		p8(o, 0);
		p16(o, 0x0001);
		p16(o, (unsigned)d->n + 2);
		p16(o, v6 ? 0x0057 : 0x0021);
		break;
	case L_SLL:
		p16(o, 0);  /* to us */
		p16(o, 1);  /* ARPHRD_ETHER */
		p16(o, 6);
		put(o, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
		p16(o, et);
		break;
	case L_SLL2:
		p16(o, et);
		p16(o, 0);
		p32(o, 3);  /* ifindex */
		p16(o, 1);  /* ARPHRD_ETHER */
		p8(o, 4);   /* outgoing */
		p8(o, 6);
		put(o, "\x00\x11\x22\x33\x44\x55\x00\x00", 8);
		break;
	case L_NFLOG:
	case L_NFLOG_NOPAY:
		p8(o, v6 ? 10 : 2);
		p8(o, 0);
		p16(o, 42);
		pne16(o, 4 + 3);  /* NFULA_PREFIX "ab": padded to 8 */
		pne16(o, 10);
		put(o, "ab\0\0", 4);
		pne16(o, 8);      /* NFULA_PACKET_HDR, the 0x8000 flag set */
		pne16(o, 0x8001);
		put(o, "\x08\x00\x03\x00", 4);
		if (k == L_NFLOG_NOPAY)
			return o->n;
		pne16(o, (uint16_t)(4 + d->n));
		pne16(o, 9);
		break;
	case L_IP:
		break;
	case L_NULL_LE: {
		uint32_t af = v6 ? 30 : 2;
		put(o, (uint8_t[]){ (uint8_t)af, 0, 0, 0 }, 4);
		break;
	}
	case L_NULL_BE:
		p32(o, v6 ? 24 : 2);
		break;
	case L_LOOP:
		p32(o, v6 ? 28 : 2);
		break;
	}
	off = o->n;
	put(o, d->b, d->n);
	if (k == L_ETH_PAD)
		put(o, "\0\0\0\0\0\0\0", 7);
	if (k == L_NFLOG)
		while (o->n % 4)
			p8(o, 0);
	return off;
}

/* ---- The sample table --------------------------------------------------- */

static const uint8_t SYNOPT[] = "\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x64"
				"\x00\x00\x00\x00\x01\x03\x03\x07";
static const struct tc_options SYNOPT_WANT = {
	.present = TC_OPT_MSS | TC_OPT_SACK_PERM | TC_OPT_TS | TC_OPT_WSCALE,
	.mss = 1460, .wscale = 7, .tsval = 100, .tsecr = 0,
};
static const struct tc_options TSOPT_WANT = {
	.present = TC_OPT_TS, .tsval = 0x01020304, .tsecr = 0x05060708,
};
#define TSOPT BYTES("\x01\x01\x08\x0a\x01\x02\x03\x04\x05\x06\x07\x08")
#define SYN(v) .v6 = (v), .flags = TC_SYN, .topt = SYNOPT, .toptlen = 20
#define DATA(v) .v6 = (v), .flags = TC_ACK | TC_PSH, .payload = "hello, world"

/* IPv6 extension headers: (next, length) then padding to 8 bytes. */
#define X8(nh) nh "\x00\x01\x04\x00\x00\x00\x00" /* PadN 4 */
#define X16 X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") \
	    X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") X8("\x3c") \
	    X8("\x3c") X8("\x3c") X8("\x3c")

/* Patches that break a built frame; `ip` is the datagram's offset. */
static void fx_ihl4(uint8_t *b, size_t ip) { b[ip] = 0x44; }
static void fx_tl_short(uint8_t *b, size_t ip) { set16(b + ip + 2, 16); }
static void fx_tl_long(uint8_t *b, size_t ip) { set16(b + ip + 2, 1500); }
static void fx_v6_plen_long(uint8_t *b, size_t ip) { set16(b + ip + 4, 900); }
static void fx_doff4(uint8_t *b, size_t ip) { b[ip + 20 + 12] = 0x40; }
static void fx_doff15(uint8_t *b, size_t ip) { b[ip + 20 + 12] = 0xf0; }
static void fx_ver5(uint8_t *b, size_t ip) { b[ip] = 0x55; }
static void fx_arp(uint8_t *b, size_t ip) { set16(b + ip - 2, 0x0806); }
static void fx_mpls_pw(uint8_t *b, size_t ip) { b[ip] = 0x00; }
static void fx_nflog_ver(uint8_t *b, size_t ip) { (void)ip; b[1] = 1; }
static void fx_nflog_tlv2(uint8_t *b, size_t ip)
{
	uint16_t two = 2;
	(void)ip;
	memcpy(b + 4, &two, 2);
}
static void fx_null_af7(uint8_t *b, size_t ip) { (void)ip; b[0] = 7; }
static void fx_pppoe_lcp(uint8_t *b, size_t ip) { set16(b + ip - 2, 0xc021); }

struct sample {
	const char *name;
	int dlt;
	enum lk link;
	struct spec sp;
	enum dec_result want;
	uint16_t vlan0, vlan1;
	const struct tc_options *opt; /* NULL: no options */
	void (*fix)(uint8_t *b, size_t ip);
	int unchecked;                /* checksum not verifiable */
};

static const struct sample samples[] = {
	{ "eth-v4-syn", 1, L_ETH, { SYN(0) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0, 0 },
	{ "eth-v6-syn", 1, L_ETH, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0, 0 },
	{ "eth-v4-data", 1, L_ETH, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	/* Long enough for the digest's four lanes, and a tail. */
	{ "eth-v4-long-data", 1, L_ETH,
	  { .flags = TC_ACK | TC_PSH,
	    .payload = "GET /index.html HTTP/1.1\r\nHost: example.org\r\n"
		       "User-Agent: tcpscope-test\r\nAccept: */*\r\n\r\n" },
	  DEC_TCP, 0, 0, 0, 0, 0 },
	{ "eth-pad-v4", 1, L_ETH_PAD, { .flags = TC_ACK, .payload = "x" },
	  DEC_TCP, 0, 0, 0, 0, 0 },
	{ "eth-v4-badsum", 1, L_ETH, { DATA(0), .bad_csum = 1 }, DEC_TCP, 0, 0,
	  0, 0, 0 },
	{ "eth-v4-allflags", 1, L_ETH,
	  { .flags = 0x1ff, .urgent = 3, .payload = "urgent!" }, DEC_TCP, 0, 0,
	  0, 0, 0 },
	{ "eth-v6-ecn", 1, L_ETH,
	  { .v6 = 1, .flags = TC_SYN | TC_ECE | TC_CWR | TC_AE }, DEC_TCP, 0,
	  0, 0, 0, 0 },
	{ "vlan-v4", 1, L_VLAN, { DATA(0) }, DEC_TCP, 100, 0, 0, 0, 0 },
	{ "qinq-v4", 1, L_QINQ, { SYN(0) }, DEC_TCP, 200, 300, &SYNOPT_WANT, 0,
	  0 },
	{ "qinq9100-v6", 1, L_Q9100, { DATA(1) }, DEC_TCP, 4094, 5, 0, 0, 0 },
	{ "vlan3-v4", 1, L_VLAN3, { DATA(0) }, DEC_TCP, 10, 11, 0, 0, 0 },
	{ "vlan15-v4", 1, L_VLAN15, { DATA(0) }, DEC_TCP, 10, 11, 0, 0, 0 },
	{ "vlan17-v4", 1, L_VLAN17, { DATA(0) }, DEC_TOO_MANY_TAGS, 0, 0, 0, 0,
	  0 },
	{ "mpls-v4", 1, L_MPLS, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "mpls-v6", 1, L_MPLS, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0, 0 },
	{ "mpls17", 1, L_MPLS17, { DATA(0) }, DEC_TOO_MANY_TAGS, 0, 0, 0, 0, 0 },
	{ "mpls-pw", 1, L_MPLS, { DATA(0) }, DEC_NOT_IP, 0, 0, 0, fx_mpls_pw,
	  0 },
	{ "pppoe-v4", 1, L_PPPOE, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "pppoe-v6", 1, L_PPPOE, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0,
	  0 },
	{ "pppoe-lcp", 1, L_PPPOE, { DATA(0) }, DEC_NOT_IP, 0, 0, 0,
	  fx_pppoe_lcp, 0 },
	{ "sll-v4", 113, L_SLL, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "sll-v6", 113, L_SLL, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0, 0 },
	{ "sll2-v4", 276, L_SLL2, { SYN(0) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0,
	  0 },
	{ "sll2-v6", 276, L_SLL2, { DATA(1) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "nflog-v4", 239, L_NFLOG, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "nflog-v6", 239, L_NFLOG, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0,
	  0 },
	{ "nflog-nopayload", 239, L_NFLOG_NOPAY, { DATA(0) }, DEC_NOT_IP, 0, 0,
	  0, 0, 0 },
	{ "nflog-version", 239, L_NFLOG, { DATA(0) }, DEC_BAD_NFLOG, 0, 0, 0,
	  fx_nflog_ver, 0 },
	{ "nflog-tlvlen", 239, L_NFLOG, { DATA(0) }, DEC_BAD_NFLOG, 0, 0, 0,
	  fx_nflog_tlv2, 0 },
	{ "raw12-v4", 12, L_IP, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "raw14-v6", 14, L_IP, { DATA(1) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "raw101-v6", 101, L_IP, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0,
	  0 },
	{ "raw-ver5", 12, L_IP, { DATA(0) }, DEC_BAD_IP_VERSION, 0, 0, 0,
	  fx_ver5, 0 },
	{ "ipv4-dlt", 228, L_IP, { SYN(0) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0, 0 },
	{ "ipv6-dlt", 229, L_IP, { DATA(1) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "ipv4-dlt-v6", 228, L_IP, { DATA(1) }, DEC_BAD_IP_VERSION, 0, 0, 0, 0,
	  0 },
	{ "null-le-v4", 0, L_NULL_LE, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "null-le-v6", 0, L_NULL_LE, { DATA(1) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "null-be-v4", 0, L_NULL_BE, { SYN(0) }, DEC_TCP, 0, 0, &SYNOPT_WANT,
	  0, 0 },
	{ "null-be-v6", 0, L_NULL_BE, { DATA(1) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "null-af7", 0, L_NULL_LE, { DATA(0) }, DEC_NOT_IP, 0, 0, 0,
	  fx_null_af7, 0 },
	{ "loop-v4", 108, L_LOOP, { DATA(0) }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "loop-v6", 108, L_LOOP, { SYN(1) }, DEC_TCP, 0, 0, &SYNOPT_WANT, 0,
	  0 },
	{ "unsupported", 9999, L_IP, { DATA(0) }, DEC_UNSUPPORTED_LINK, 0, 0, 0,
	  0, 0 },
	{ "arp", 1, L_ETH, { DATA(0) }, DEC_NOT_IP, 0, 0, 0, fx_arp, 0 },
	{ "8023", 1, L_8023, { DATA(0) }, DEC_NOT_IP, 0, 0, 0, 0, 0 },
	{ "v4-options", 1, L_ETH,
	  { DATA(0), .ip4opt = BYTES("\x07\x07\x04\x00\x00\x00\x00\x01") },
	  DEC_TCP, 0, 0, 0, 0, 0 },
	{ "v4-ihl4", 1, L_ETH, { DATA(0) }, DEC_BAD_IP_HLEN, 0, 0, 0, fx_ihl4,
	  0 },
	{ "v4-tl-short", 1, L_ETH, { DATA(0) }, DEC_BAD_IP_LEN, 0, 0, 0,
	  fx_tl_short, 0 },
	{ "v4-bigtcp", 1, L_ETH, { DATA(0), .zero_len = 1 }, DEC_TCP, 0, 0, 0,
	  0, 0 },
	{ "v4-mf", 1, L_ETH, { DATA(0), .frag = 0x2000 }, DEC_FRAGMENT, 0, 0, 0,
	  0, 0 },
	{ "v4-offset", 1, L_ETH, { DATA(0), .frag = 0x0010 }, DEC_FRAGMENT, 0,
	  0, 0, 0, 0 },
	{ "v4-df", 1, L_ETH, { DATA(0), .frag = 0x4000 }, DEC_TCP, 0, 0, 0, 0,
	  0 },
	{ "v4-udp", 1, L_ETH, { DATA(0), .proto = 17 }, DEC_NOT_TCP, 0, 0, 0, 0,
	  0 },
	{ "v6-udp", 1, L_ETH, { DATA(1), .proto = 17 }, DEC_NOT_TCP, 0, 0, 0, 0,
	  0 },
	{ "v6-esp", 1, L_ETH, { DATA(1), .proto = 50 }, DEC_NOT_TCP, 0, 0, 0, 0,
	  0 },
	{ "v6-nonext", 1, L_ETH, { DATA(1), .proto = 59 }, DEC_NOT_TCP, 0, 0, 0,
	  0, 0 },
	{ "doff4", 1, L_ETH, { DATA(0) }, DEC_BAD_TCP_HLEN, 0, 0, 0, fx_doff4,
	  0 },
	{ "doff15", 1, L_ETH, { .flags = TC_ACK }, DEC_BAD_TCP_HLEN, 0, 0, 0,
	  fx_doff15, 0 },
	{ "v6-hbh", 1, L_ETH,
	  { DATA(1), .ext = BYTES(X8("\x06")), .ext_nh = 0 }, DEC_TCP, 0, 0,
	  0, 0, 0 },
	{ "v6-jumbo", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x00\xc2\x04\x00\x00\x00\x2c"),
	    .ext_nh = 0, .zero_len = 1 }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "v6-routing", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x00\x04\x00\x00\x00\x00\x00"),
	    .ext_nh = 43 }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "v6-routing-left", 1, L_ETH,
	  { DATA(1),
	    .ext = BYTES("\x06\x02\x00\x01\x00\x00\x00\x00"
			 "\x20\x01\x0d\xb8\x00\x00\x00\x00"
			 "\x00\x00\x00\x00\x00\x00\x00\x09"),
	    .ext_nh = 43 }, DEC_TCP, 0, 0, 0, 0, 1 },
	{ "v6-dstopt", 1, L_ETH,
	  { SYN(1), .ext = BYTES(X8("\x06")), .ext_nh = 60 }, DEC_TCP, 0, 0,
	  &SYNOPT_WANT, 0, 0 },
	{ "v6-ah", 1, L_ETH,
	  { DATA(1),
	    .ext = BYTES("\x06\x04\x00\x00\x00\x00\x01\x00\x00\x00\x00\x07"
			 "\xaa\xbb\xcc\xdd\xee\xff\x00\x11\x22\x33\x44\x55"),
	    .ext_nh = 51 }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "v6-atomic-frag", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x00\x00\x00\x12\x34\x56\x78"),
	    .ext_nh = 44 }, DEC_TCP, 0, 0, 0, 0, 0 },
	{ "v6-frag-more", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x00\x00\x01\x12\x34\x56\x78"),
	    .ext_nh = 44 }, DEC_FRAGMENT, 0, 0, 0, 0, 0 },
	{ "v6-frag-offset", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x00\x00\x08\x12\x34\x56\x78"),
	    .ext_nh = 44 }, DEC_FRAGMENT, 0, 0, 0, 0, 0 },
	{ "v6-chain", 1, L_ETH,
	  { .v6 = 1, .flags = TC_ACK, .topt = TSOPT,
	    .ext = BYTES(X8("\x2b") "\x3c\x00\x04\x00\x00\x00\x00\x00"
			 X8("\x2c") "\x06\x00\x00\x00\x00\x00\x00\x01"),
	    .ext_nh = 0 }, DEC_TCP, 0, 0, &TSOPT_WANT, 0, 0 },
	{ "v6-hbh-late", 1, L_ETH,
	  { DATA(1), .ext = BYTES(X8("\x00") X8("\x06")), .ext_nh = 60 },
	  DEC_BAD_IP6_EXT, 0, 0, 0, 0, 0 },
	{ "v6-ext-long", 1, L_ETH,
	  { DATA(1), .ext = BYTES("\x06\x0a\x01\x04\x00\x00\x00\x00"),
	    .ext_nh = 60 }, DEC_BAD_IP6_EXT, 0, 0, 0, 0, 0 },
	{ "v6-ext-then-udp", 1, L_ETH,
	  { DATA(1), .ext = BYTES(X8("\x11")), .ext_nh = 60 }, DEC_NOT_TCP, 0,
	  0, 0, 0, 0 },
	{ "v6-ext16", 1, L_ETH,
	  { DATA(1), .ext = BYTES(X16 X8("\x06")), .ext_nh = 60 }, DEC_TCP, 0,
	  0, 0, 0, 0 },
	{ "v6-ext17", 1, L_ETH,
	  { DATA(1), .ext = BYTES(X16 X8("\x3c") X8("\x06")), .ext_nh = 60 },
	  DEC_TOO_MANY_TAGS, 0, 0, 0, 0, 0 },
	{ "tcp-ts", 1, L_ETH, { DATA(0), .topt = TSOPT }, DEC_TCP, 0, 0,
	  &TSOPT_WANT, 0, 0 },
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

struct built {
	struct pkt f;
	size_t ip;      /* datagram offset */
	size_t hdr_end; /* payload offset */
	size_t plen;
	size_t iplen;   /* datagram length */
};

static void build_sample(const struct sample *s, struct built *b)
{
	struct pkt d;
	size_t poff = build_ip(&s->sp, &d);
	b->ip = build_link(s->link, s->sp.v6, &d, &b->f);
	b->hdr_end = b->ip + poff;
	b->plen = d.n - poff;
	b->iplen = d.n;
	if (s->fix)
		s->fix(b->f.b, b->ip);
}

/* Decodes the first cap bytes of f from an exact-size heap copy. */
static enum dec_result decode_prefix(int dlt, const struct pkt *f, size_t cap,
				     size_t wire, struct tc_segment *seg)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		abort();
	memcpy(buf, f->b, cap);
	memset(seg, 0x5a, sizeof *seg);
	enum dec_result r = dec_frame(dlt, buf, cap, wire, seg);
	free(buf);
	return r;
}

/* Compares a decoded option set with the expected one; returns a field
 * name on mismatch, NULL if equal. */
static const char *opt_diff(const struct tc_options *got,
			    const struct tc_options *want)
{
	if (got->present != want->present)
		return "present";
	if (got->mss != want->mss)
		return "mss";
	if (got->wscale != want->wscale)
		return "wscale";
	if (got->nsack != want->nsack)
		return "nsack";
	for (unsigned i = 0; i < want->nsack && i < TC_MAX_SACK; i++)
		if (got->sack[i][0] != want->sack[i][0] ||
		    got->sack[i][1] != want->sack[i][1])
			return "sack";
	if (got->tsval != want->tsval || got->tsecr != want->tsecr)
		return "timestamps";
	if (got->tfo_cookie_len != want->tfo_cookie_len)
		return "tfo_cookie_len";
	return NULL;
}

/* Checks every field of a decoded sample; returns 0 and prints FAIL. */
static int check_seg(const struct sample *s, const struct built *b,
		     const struct tc_segment *g, size_t cap)
{
	const struct spec *sp = &s->sp;
	const char *pl = sp->payload ? sp->payload : "";
	size_t pcap = cap > b->hdr_end ? cap - b->hdr_end : 0;
	if (pcap > b->plen)
		pcap = b->plen;
	static const struct tc_options none;
	const struct tc_options *ow = s->opt ? s->opt : &none;
	const char *bad = NULL;
	unsigned csum = s->unchecked || pcap < b->plen ? TC_CSUM_UNCHECKED
			: sp->bad_csum		       ? TC_CSUM_BAD
						       : TC_CSUM_OK;

	if (g->pkt != 0x5a5a5a5a5a5a5a5aull || g->capture != 0x5a5a5a5au)
		bad = "caller fields clobbered";
	else if (g->vlan[0] != s->vlan0 || g->vlan[1] != s->vlan1)
		bad = "vlan";
	else if (g->src.family != (sp->v6 ? 6 : 4) ||
		 g->dst.family != g->src.family)
		bad = "family";
	else if (memcmp(g->src.a, sp->v6 ? SRC6 : SRC4, sp->v6 ? 16 : 4) ||
		 memcmp(g->dst.a, sp->v6 ? DST6 : DST4, sp->v6 ? 16 : 4))
		bad = "addresses";
	else if (g->sport != SPORT || g->dport != DPORT)
		bad = "ports";
	else if (g->seq != SEQ || g->ack != ACK)
		bad = "seq/ack";
	else if (g->flags != sp->flags)
		bad = "flags";
	else if (g->window != WIN || g->urgent != sp->urgent)
		bad = "window/urgent";
	else if ((bad = opt_diff(&g->opt, ow)) != NULL)
		;
	else if (g->payload_len != b->plen || g->payload_caplen != pcap)
		bad = "payload lengths";
	else if (g->ip_id != (sp->v6 ? 0 : IPID) || g->ttl != TTL)
		bad = "ip_id/ttl";
	else if (g->ip_len != b->iplen)
		bad = "ip_len";
	else if (g->csum != csum)
		bad = "checksum status";
	else if (g->payload_hash != fnv((const uint8_t *)pl, pcap))
		bad = "payload_hash";
	if (bad) {
		printf("FAIL %s: sample %s caplen %zu: %s\n", unit_name_,
		       s->name, cap, bad);
		unit_failed_ = 1;
		return 0;
	}
	return 1;
}

/* Every sample, whole: the expected result and, for TCP, every field. */
static void t_samples(void)
{
	for (size_t i = 0; i < NSAMPLES; i++) {
		const struct sample *s = &samples[i];
		struct built b;
		struct tc_segment g;
		build_sample(s, &b);
		enum dec_result r = decode_prefix(s->dlt, &b.f, b.f.n, b.f.n, &g);
		if (r != s->want) {
			printf("FAIL %s: sample %s: got %s, want %s\n",
			       unit_name_, s->name, dec_result_name(r),
			       dec_result_name(s->want));
			unit_failed_ = 1;
			return;
		}
		if (r == DEC_TCP && !check_seg(s, &b, &g, b.f.n))
			return;
		CHECK_EQ(dec_link_supported(s->dlt), s->want != DEC_UNSUPPORTED_LINK);
	}
}

/* Every prefix of every sample: TCP once the headers are in, else a
 * "truncated-*" result (or the sample's own result when the cut comes after
 * what decides it); never out of bounds. */
static void t_truncation_sweep(void)
{
	for (size_t i = 0; i < NSAMPLES; i++) {
		const struct sample *s = &samples[i];
		struct built b;
		build_sample(s, &b);
		for (size_t cap = 0; cap <= b.f.n; cap++) {
			struct tc_segment g;
			enum dec_result r = decode_prefix(s->dlt, &b.f, cap,
							  b.f.n, &g);
			int trunc = strncmp(dec_result_name(r), "truncated-",
					    10) == 0;
			if (s->want == DEC_TCP && cap >= b.hdr_end) {
				if (r != DEC_TCP) {
					printf("FAIL %s: %s caplen %zu: %s\n",
					       unit_name_, s->name, cap,
					       dec_result_name(r));
					unit_failed_ = 1;
					return;
				}
				if (!check_seg(s, &b, &g, cap))
					return;
			} else if (!(trunc || r == s->want) ||
				   (s->want == DEC_TCP && r == DEC_TCP)) {
				printf("FAIL %s: %s caplen %zu of %zu: %s\n",
				       unit_name_, s->name, cap, b.f.n,
				       dec_result_name(r));
				unit_failed_ = 1;
				return;
			}
			if (trunc)
				CHECK(dec_result_is_error(r));
		}
	}
}

static const struct sample *find_sample(const char *name)
{
	for (size_t i = 0; i < NSAMPLES; i++)
		if (strcmp(samples[i].name, name) == 0)
			return &samples[i];
	return NULL;
}

/* A snapped frame: the wire was longer than what was captured. */
static void t_snapped(void)
{
	struct built b;
	struct tc_segment g;
	const struct sample *s = find_sample("eth-v4-data");
	CHECK(s != NULL);
	build_sample(s, &b);
	/* IP says 12 payload bytes; 5 captured; the wire had them all. */
	enum dec_result r = decode_prefix(1, &b.f, b.hdr_end + 5, b.f.n, &g);
	CHECK_EQ(r, DEC_TCP);
	CHECK_EQ(g.payload_len, 12);
	CHECK_EQ(g.payload_caplen, 5);
	CHECK_EQ(g.csum, TC_CSUM_UNCHECKED);
	CHECK_EQ(g.payload_hash, fnv((const uint8_t *)"hello", 5));
	/* Big TCP: IP length 0, the original length gives the payload. */
	s = find_sample("v4-bigtcp");
	CHECK(s != NULL);
	build_sample(s, &b);
	r = decode_prefix(1, &b.f, b.hdr_end, b.f.n + 60000, &g);
	CHECK_EQ(r, DEC_TCP);
	CHECK_EQ(g.payload_len, 12 + 60000);
	CHECK_EQ(g.ip_len, b.iplen + 60000);
	CHECK_EQ(g.payload_caplen, 0);
	CHECK_EQ(g.payload_hash, 0);
	CHECK_EQ(g.csum, TC_CSUM_UNCHECKED);
}

/* An IP length past the frame's original length (zeek-tcp-reassembly.pcap
 * has such frames) is believed: the rest counts as not captured. */
static void t_ip_len_beyond_frame(void)
{
	static const struct {
		const char *sample;
		void (*fix)(uint8_t *b, size_t ip);
		uint32_t ip_len, payload_len;
	} cases[] = {
		{ "eth-v4-data", fx_tl_long, 1500, 1500 - 40 },
		{ "eth-v6-syn", fx_v6_plen_long, 940, 900 - 40 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct sample *s = find_sample(cases[i].sample);
		struct built b;
		struct tc_segment g;
		CHECK(s != NULL);
		build_sample(s, &b);
		cases[i].fix(b.f.b, b.ip);
		CHECK_EQ(decode_prefix(s->dlt, &b.f, b.f.n, b.f.n, &g), DEC_TCP);
		CHECK_EQ(g.ip_len, cases[i].ip_len);
		CHECK_EQ(g.payload_len, cases[i].payload_len);
		CHECK_EQ(g.payload_caplen, b.plen);
		CHECK_EQ(g.csum, TC_CSUM_UNCHECKED);
		CHECK_EQ(g.seq, SEQ);
	}
}

static void t_result_names(void)
{
	CHECK_STR(dec_result_name(DEC_TCP), "tcp");
	CHECK_STR(dec_result_name(DEC_TRUNC_TCP), "truncated-tcp-header");
	CHECK_STR(dec_result_name(DEC__COUNT), "?");
	CHECK(!dec_result_is_error(DEC_TCP));
	CHECK(!dec_result_is_error(DEC_FRAGMENT));
	CHECK(!dec_result_is_error(DEC_NOT_TCP));
	CHECK(!dec_result_is_error(DEC_UNSUPPORTED_LINK));
	CHECK(dec_result_is_error(DEC_BAD_NFLOG));
	CHECK(dec_result_is_error(DEC_TOO_MANY_TAGS));
	CHECK(!dec_result_is_error(DEC__COUNT));
	for (unsigned r = 0; r < DEC__COUNT; r++)
		CHECK(strcmp(dec_result_name(r), "?") != 0);
}

static void t_link_supported(void)
{
	static const int yes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 239,
				   276 };
	static const int no[] = { -1, 2, 9, 104, 127, 147, 9999 };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(dec_link_supported(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		struct tc_segment g;
		CHECK(!dec_link_supported(no[i]));
		CHECK_EQ(dec_frame(no[i], (const uint8_t *)"\x45", 1, 1, &g),
			 DEC_UNSUPPORTED_LINK);
	}
	struct tc_segment g;
	CHECK_EQ(dec_frame(1, NULL, 0, 0, &g), DEC_TRUNC_LINK);
}

/* ---- dec_tcp_options ---------------------------------------------------- */

struct optcase {
	const char *name;
	const uint8_t *p;
	size_t len;
	struct tc_options want;
};

#define SACKB "\x00\x00\x00\x01\x00\x00\x00\x02"
static const struct optcase optcases[] = {
	{ "empty", BYTES(""), { 0 } },
	{ "nops", BYTES("\x01\x01\x01\x01"), { 0 } },
	{ "mss", BYTES("\x02\x04\x05\xb4"),
	  { .present = TC_OPT_MSS, .mss = 1460 } },
	{ "ws", BYTES("\x01\x03\x03\x0e"),
	  { .present = TC_OPT_WSCALE, .wscale = 14 } },
	{ "ws-too-big", BYTES("\x03\x03\x0f\x00"),
	  { .present = TC_OPT_WSCALE, .wscale = 15 } },
	{ "sackperm", BYTES("\x04\x02\x01\x01"),
	  { .present = TC_OPT_SACK_PERM } },
	{ "sack1", BYTES("\x01\x01\x05\x0a\x00\x00\x10\x00\x00\x00\x20\x00"),
	  { .present = TC_OPT_SACK, .nsack = 1, .sack = { { 0x1000, 0x2000 } } } },
	{ "sack4", BYTES("\x01\x01\x05\x22" SACKB SACKB SACKB
			 "\xff\xff\xff\xff\x00\x00\x00\x05"),
	  { .present = TC_OPT_SACK, .nsack = 4,
	    .sack = { { 1, 2 }, { 1, 2 }, { 1, 2 }, { 0xffffffffu, 5 } } } },
	{ "sack5-clamped", BYTES("\x05\x2a" SACKB SACKB SACKB SACKB SACKB),
	  { .present = TC_OPT_SACK, .nsack = 4,
	    .sack = { { 1, 2 }, { 1, 2 }, { 1, 2 }, { 1, 2 } } } },
	{ "ts", BYTES("\x01\x01\x08\x0a\xde\xad\xbe\xef\x00\x00\x00\x2a"),
	  { .present = TC_OPT_TS, .tsval = 0xdeadbeefu, .tsecr = 42 } },
	{ "md5", BYTES("\x13\x12" "0123456789abcdef" "\x00\x00"),
	  { .present = TC_OPT_MD5 } },
	{ "ao", BYTES("\x1d\x10\x01\x02" "0123456789ab"),
	  { .present = TC_OPT_AO } },
	{ "mptcp", BYTES("\x1e\x0c\x01\x81" "\x01\x02\x03\x04\x05\x06\x07\x08"),
	  { .present = TC_OPT_MPTCP } },
	{ "tfo-request", BYTES("\x22\x02\x01\x01"),
	  { .present = TC_OPT_TFO, .tfo_cookie_len = 0 } },
	{ "tfo-cookie", BYTES("\x22\x0a" "abcdefgh" "\x01\x01"),
	  { .present = TC_OPT_TFO, .tfo_cookie_len = 8 } },
	{ "tfo-exp-request", BYTES("\xfe\x04\xf9\x89"),
	  { .present = TC_OPT_TFO, .tfo_cookie_len = 0 } },
	{ "tfo-exp-cookie", BYTES("\xfe\x0c\xf9\x89" "abcdefgh"),
	  { .present = TC_OPT_TFO, .tfo_cookie_len = 8 } },
	{ "exp-other", BYTES("\xfe\x06\x12\x34\x00\x00\x01\x01"),
	  { .present = TC_OPT_UNKNOWN } },
	{ "unknown-kind", BYTES("\x4c\x03\x00\x02\x04\x02\x18\x00"),
	  { .present = TC_OPT_UNKNOWN | TC_OPT_MSS, .mss = 0x0218 } },
	{ "eol-stops", BYTES("\x02\x04\x05\xb4\x00\x03\x03\x07"),
	  { .present = TC_OPT_MSS, .mss = 1460 } },
	{ "linux-syn", BYTES("\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01"
			     "\x00\x00\x00\x00\x01\x03\x03\x07"),
	  { .present = TC_OPT_MSS | TC_OPT_SACK_PERM | TC_OPT_TS |
		       TC_OPT_WSCALE,
	    .mss = 1460, .wscale = 7, .tsval = 1 } },
	{ "bad-len0", BYTES("\x02\x00\x05\xb4"),
	  { .present = TC_OPT_MALFORMED } },
	{ "bad-len1", BYTES("\x03\x01\x03\x03\x07"),
	  { .present = TC_OPT_MALFORMED } },
	{ "bad-past-end", BYTES("\x02\x04\x05\xb4\x08\x0a\x00\x00"),
	  { .present = TC_OPT_MSS | TC_OPT_MALFORMED, .mss = 1460 } },
	{ "bad-no-len-byte", BYTES("\x02\x04\x05\xb4\x03"),
	  { .present = TC_OPT_MSS | TC_OPT_MALFORMED, .mss = 1460 } },
	{ "bad-mss-len", BYTES("\x02\x03\x05\x04\x02\x01"),
	  { .present = TC_OPT_MALFORMED | TC_OPT_SACK_PERM } },
	{ "bad-sack-len", BYTES("\x05\x06\x00\x00\x00\x01"),
	  { .present = TC_OPT_MALFORMED } },
	{ "bad-tfo-len", BYTES("\x22\x04\x00\x00"),
	  { .present = TC_OPT_MALFORMED } },
	{ "bad-ts-len", BYTES("\x08\x06\x00\x00\x00\x01\x01\x01"),
	  { .present = TC_OPT_MALFORMED } },
};

static void t_tcp_options(void)
{
	for (size_t i = 0; i < sizeof optcases / sizeof optcases[0]; i++) {
		const struct optcase *oc = &optcases[i];
		/* Exact-size heap copy: ASan catches a read past the list. */
		uint8_t *buf = malloc(oc->len ? oc->len : 1);
		CHECK(buf != NULL);
		memcpy(buf, oc->p, oc->len);
		struct tc_options got;
		memset(&got, 0x77, sizeof got);
		dec_tcp_options(buf, oc->len, &got);
		free(buf);
		const char *bad = opt_diff(&got, &oc->want);
		if (bad) {
			printf("FAIL %s: %s: %s (present %#x)\n", unit_name_,
			       oc->name, bad, (unsigned)got.present);
			unit_failed_ = 1;
			return;
		}
		/* Every prefix of the list parses without reading past it. */
		for (size_t n = 0; n <= oc->len; n++) {
			uint8_t *pb = malloc(n ? n : 1);
			CHECK(pb != NULL);
			memcpy(pb, oc->p, n);
			dec_tcp_options(pb, n, &got);
			free(pb);
			CHECK(got.nsack <= TC_MAX_SACK);
		}
	}
}

/* ---- Real captures ------------------------------------------------------ */

static const char *shared_dir(void)
{
	const char *s = getenv("SHARED");
	return s && *s ? s : "../shared";
}

/* Decodes frame number `num` (from 1) of a capture in $SHARED/pcaps. */
static enum dec_result pcap_frame(const char *file, unsigned num,
				  struct tc_segment *seg)
{
	char path[4096], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof path, "%s/pcaps/%s", shared_dir(), file);
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		printf("FAIL %s: %s\n", unit_name_, err);
		return DEC__COUNT;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	enum dec_result r = DEC__COUNT;
	for (unsigned i = 1; pcap_next_ex(p, &h, &data) == 1; i++) {
		if (i == num) {
			r = dec_frame(pcap_datalink(p), data, h->caplen,
				      h->len, seg);
			break;
		}
	}
	pcap_close(p);
	return r;
}

static int ip4eq(const struct tc_addr *a, unsigned x0, unsigned x1,
		 unsigned x2, unsigned x3)
{
	return a->family == 4 && a->a[0] == x0 && a->a[1] == x1 &&
	       a->a[2] == x2 && a->a[3] == x3;
}

static int ip6eq(const struct tc_addr *a, const char *hex)
{
	char buf[33];
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", a->a[i]);
	return a->family == 6 && strcmp(buf, hex) == 0;
}

static void t_pcap_http_get(void)
{
	struct tc_segment s;
	/* 141.142.228.5.59856 > 192.150.187.43.80: Flags [S], cksum 0x3bc0
	 * (correct), seq 4263588410, win 65535, options [mss 1460,nop,
	 * wscale 4,nop,nop,TS val 374005024 ecr 0,sackOK,eol]; ttl 64,
	 * id 57230 */
	CHECK_EQ(pcap_frame("zeek-http-get.pcap", 1, &s), DEC_TCP);
	CHECK(ip4eq(&s.src, 141, 142, 228, 5));
	CHECK(ip4eq(&s.dst, 192, 150, 187, 43));
	CHECK_EQ(s.sport, 59856);
	CHECK_EQ(s.dport, 80);
	CHECK_EQ(s.flags, TC_SYN);
	CHECK_EQ(s.seq, 4263588410u);
	CHECK_EQ(s.window, 65535);
	CHECK_EQ(s.opt.present, TC_OPT_MSS | TC_OPT_WSCALE | TC_OPT_TS |
					TC_OPT_SACK_PERM);
	CHECK_EQ(s.opt.mss, 1460);
	CHECK_EQ(s.opt.wscale, 4);
	CHECK_EQ(s.opt.tsval, 374005024u);
	CHECK_EQ(s.opt.tsecr, 0);
	CHECK_EQ(s.ttl, 64);
	CHECK_EQ(s.ip_id, 57230);
	CHECK_EQ(s.ip_len, 64);
	CHECK_EQ(s.csum, TC_CSUM_OK);
	CHECK_EQ(s.payload_len, 0);
	CHECK_EQ(s.payload_hash, 0);
	/* Frame 4: [P.], seq 1:137 (abs 4263588411), ack 2779762239,
	 * win 8235, length 136, cksum correct. */
	CHECK_EQ(pcap_frame("zeek-http-get.pcap", 4, &s), DEC_TCP);
	CHECK_EQ(s.flags, TC_PSH | TC_ACK);
	CHECK_EQ(s.seq, 4263588411u);
	CHECK_EQ(s.ack, 2779762239u);
	CHECK_EQ(s.window, 8235);
	CHECK_EQ(s.payload_len, 136);
	CHECK_EQ(s.payload_caplen, 136);
	CHECK(s.payload_hash != 0);
	CHECK_EQ(s.csum, TC_CSUM_OK);
}

static void t_pcap_sll2(void)
{
	struct tc_segment s;
	/* 116.63.66.108.443 > 7.249.151.114.57292: Flags [P.], cksum 0xa155
	 * (correct), seq 2865673674:2865673705, ack 2813042623, win 63,
	 * length 31; ttl 44, id 34604 */
	CHECK_EQ(pcap_frame("pcapplusplus-sll2.pcap", 1, &s), DEC_TCP);
	CHECK(ip4eq(&s.src, 116, 63, 66, 108));
	CHECK(ip4eq(&s.dst, 7, 249, 151, 114));
	CHECK_EQ(s.sport, 443);
	CHECK_EQ(s.dport, 57292);
	CHECK_EQ(s.seq, 2865673674u);
	CHECK_EQ(s.ack, 2813042623u);
	CHECK_EQ(s.flags, TC_PSH | TC_ACK);
	CHECK_EQ(s.window, 63);
	CHECK_EQ(s.payload_len, 31);
	CHECK_EQ(s.ttl, 44);
	CHECK_EQ(s.ip_id, 34604);
	CHECK_EQ(s.csum, TC_CSUM_OK);
	/* Frame 2: [F.], seq 31 (abs 2865673705), length 0. */
	CHECK_EQ(pcap_frame("pcapplusplus-sll2.pcap", 2, &s), DEC_TCP);
	CHECK_EQ(s.flags, TC_FIN | TC_ACK);
	CHECK_EQ(s.seq, 2865673705u);
	CHECK_EQ(s.payload_len, 0);
}

static void t_pcap_nflog(void)
{
	struct tc_segment s;
	/* 10.0.2.15.49762 > 93.184.216.34.80: Flags [S], cksum 0x4218
	 * (incorrect -> 0x84ea), seq 1060289233, win 29200, options [mss 1460,
	 * sackOK,TS val 2576958 ecr 0,nop,wscale 7]; ttl 64, id 59631 */
	CHECK_EQ(pcap_frame("zeek-nflog-http.pcap", 1, &s), DEC_TCP);
	CHECK(ip4eq(&s.src, 10, 0, 2, 15));
	CHECK(ip4eq(&s.dst, 93, 184, 216, 34));
	CHECK_EQ(s.sport, 49762);
	CHECK_EQ(s.dport, 80);
	CHECK_EQ(s.seq, 1060289233u);
	CHECK_EQ(s.window, 29200);
	CHECK_EQ(s.opt.mss, 1460);
	CHECK_EQ(s.opt.wscale, 7);
	CHECK_EQ(s.opt.tsval, 2576958u);
	CHECK_EQ(s.ip_id, 59631);
	CHECK_EQ(s.csum, TC_CSUM_BAD);
	/* Frame 4: [S.], cksum 0xb9fc (correct), seq 1131904001,
	 * ack 1060289234, win 8192, options [mss 1460]; id 39585 */
	CHECK_EQ(pcap_frame("zeek-nflog-http.pcap", 4, &s), DEC_TCP);
	CHECK_EQ(s.flags, TC_SYN | TC_ACK);
	CHECK_EQ(s.seq, 1131904001u);
	CHECK_EQ(s.ack, 1060289234u);
	CHECK_EQ(s.window, 8192);
	CHECK_EQ(s.opt.present, TC_OPT_MSS);
	CHECK_EQ(s.ip_id, 39585);
	CHECK_EQ(s.csum, TC_CSUM_OK);
}

static void t_pcap_vlan_mpls(void)
{
	struct tc_segment s;
	/* MPLS (label 29, [S]) 10.1.2.1.11001 > 10.34.0.1.23: Flags [S],
	 * cksum correct, seq 2553417723, win 4128, options [mss 536];
	 * ttl 255, id 0 */
	CHECK_EQ(pcap_frame("zeek-mixed-vlan-mpls.pcap", 1, &s), DEC_TCP);
	CHECK(ip4eq(&s.src, 10, 1, 2, 1));
	CHECK(ip4eq(&s.dst, 10, 34, 0, 1));
	CHECK_EQ(s.sport, 11001);
	CHECK_EQ(s.dport, 23);
	CHECK_EQ(s.seq, 2553417723u);
	CHECK_EQ(s.window, 4128);
	CHECK_EQ(s.opt.mss, 536);
	CHECK_EQ(s.ttl, 255);
	CHECK_EQ(s.vlan[0], 0);
	CHECK_EQ(s.csum, TC_CSUM_OK);
	/* Frame 34: vlan 4093, 10.20.80.1.50343 > 10.0.0.15.80: Flags [S],
	 * cksum 0x86a3 (correct), seq 4084526270, win 5760; ttl 255, id 709 */
	CHECK_EQ(pcap_frame("zeek-mixed-vlan-mpls.pcap", 34, &s), DEC_TCP);
	CHECK_EQ(s.vlan[0], 4093);
	CHECK_EQ(s.vlan[1], 0);
	CHECK(ip4eq(&s.src, 10, 20, 80, 1));
	CHECK_EQ(s.sport, 50343);
	CHECK_EQ(s.seq, 4084526270u);
	CHECK_EQ(s.window, 5760);
	CHECK_EQ(s.ip_id, 709);
	CHECK_EQ(s.csum, TC_CSUM_OK);
}

static void t_pcap_null(void)
{
	struct tc_segment s;
	/* AF IPv6 (30): ::1.49888 > ::1.81: Flags [P.], cksum 0x01bb
	 * (incorrect -> 0x33dd), seq 1482536582:1482536985, ack 1634461540,
	 * win 9175, length 403 */
	CHECK_EQ(pcap_frame("pcapplusplus-null_loopback.pcap", 1, &s), DEC_TCP);
	CHECK(ip6eq(&s.src, "00000000000000000000000000000001"));
	CHECK(ip6eq(&s.dst, "00000000000000000000000000000001"));
	CHECK_EQ(s.sport, 49888);
	CHECK_EQ(s.dport, 81);
	CHECK_EQ(s.seq, 1482536582u);
	CHECK_EQ(s.ack, 1634461540u);
	CHECK_EQ(s.window, 9175);
	CHECK_EQ(s.payload_len, 403);
	CHECK_EQ(s.ip_len, 40 + 435);
	CHECK_EQ(s.ttl, 64);
	CHECK_EQ(s.csum, TC_CSUM_BAD);
	/* Frame 2: AF IPv4, UDP. Frame 3: AF 251660288, not IP. */
	CHECK_EQ(pcap_frame("pcapplusplus-null_loopback.pcap", 2, &s),
		 DEC_NOT_TCP);
	CHECK_EQ(pcap_frame("pcapplusplus-null_loopback.pcap", 3, &s),
		 DEC_NOT_IP);
}

static void t_pcap_raw(void)
{
	struct tc_segment s;
	/* 2001:618:400::5199:cc70.35995 > 2001:618:1:8000::5.80: Flags [S],
	 * cksum 0x299c (correct), seq 1793525558, win 5680, options [mss 1420,
	 * sackOK,TS val 14490169 ecr 0,nop,wscale 2]; hlim 64 */
	CHECK_EQ(pcap_frame("pcapplusplus-raw_ip.pcap", 1, &s), DEC_TCP);
	CHECK(ip6eq(&s.src, "2001061804000000000000005199cc70"));
	CHECK(ip6eq(&s.dst, "20010618000180000000000000000005"));
	CHECK_EQ(s.sport, 35995);
	CHECK_EQ(s.dport, 80);
	CHECK_EQ(s.seq, 1793525558u);
	CHECK_EQ(s.window, 5680);
	CHECK_EQ(s.opt.mss, 1420);
	CHECK_EQ(s.opt.wscale, 2);
	CHECK_EQ(s.opt.tsval, 14490169u);
	CHECK_EQ(s.ttl, 64);
	CHECK_EQ(s.ip_id, 0);
	CHECK_EQ(s.csum, TC_CSUM_OK);
}

static void t_pcap_bigtcp(void)
{
	struct tc_segment s;
	/* IP total length 0 ("bad-len 0"); frame length 80066 =
	 * 14 Ethernet + 20 IP + 32 TCP + 80000 payload. */
	CHECK_EQ(pcap_frame("tcpdump-bigtcp-ipv4.pcap", 1, &s), DEC_TCP);
	CHECK(ip4eq(&s.src, 10, 25, 132, 13));
	CHECK(ip4eq(&s.dst, 10, 25, 132, 11));
	CHECK_EQ(s.sport, 35871);
	CHECK_EQ(s.dport, 36425);
	CHECK_EQ(s.payload_len, 80000);
	CHECK_EQ(s.ip_len, 80052);
	CHECK_EQ(s.payload_caplen, 80000);
	CHECK_EQ(s.flags, TC_PSH | TC_ACK);
	CHECK_EQ(s.csum, TC_CSUM_UNCHECKED); /* > 64 kB: no v4 pseudo-hdr */
}

static void t_pcap_atomic_frag(void)
{
	struct tc_segment s;
	/* Frame 13: 2001:db8:1::2 > 2001:db8:1::1: frag (0x00000000:0|20)
	 * 59694 > 80: Flags [S], seq 1770092805, win 8192, length 0 */
	CHECK_EQ(pcap_frame("zeek-ipv6-http-atomic-frag.pcap", 13, &s),
		 DEC_TCP);
	CHECK(ip6eq(&s.src, "20010db8000100000000000000000002"));
	CHECK_EQ(s.sport, 59694);
	CHECK_EQ(s.dport, 80);
	CHECK_EQ(s.flags, TC_SYN);
	CHECK_EQ(s.seq, 1770092805u);
	CHECK_EQ(s.window, 8192);
	CHECK_EQ(s.ip_id, 0);
}

/* ---- Seed corpus -------------------------------------------------------- */

static int write_corpus(const char *dir)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	for (size_t i = 0; i < NSAMPLES; i++) {
		const struct sample *s = &samples[i];
		struct built b;
		build_sample(s, &b);
		unsigned sel = 0;
		while (sel < FUZZ_NDLTS && fuzz_dlts[sel] != s->dlt)
			sel++;
		if (sel == FUZZ_NDLTS) {
			fprintf(stderr, "%s: link type %d not in fuzz_dlts\n",
				s->name, s->dlt);
			return 1;
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, s->name);
		FILE *f = fopen(path, "wb");
		if (!f || fputc((int)sel, f) == EOF ||
		    fwrite(b.f.b, 1, b.f.n, f) != b.f.n || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

static const struct unit_test tests[] = {
	UNIT(t_samples),
	UNIT(t_truncation_sweep),
	UNIT(t_snapped),
	UNIT(t_ip_len_beyond_frame),
	UNIT(t_result_names),
	UNIT(t_link_supported),
	UNIT(t_tcp_options),
	{ 0 },
};

static const struct unit_test pcap_tests[] = {
	UNIT(t_pcap_http_get),
	UNIT(t_pcap_sll2),
	UNIT(t_pcap_nflog),
	UNIT(t_pcap_vlan_mpls),
	UNIT(t_pcap_null),
	UNIT(t_pcap_raw),
	UNIT(t_pcap_bigtcp),
	UNIT(t_pcap_atomic_frag),
	{ 0 },
};

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);
	int rc = unit_main(tests, argc, argv);
	char probe[4096];
	struct stat st;
	snprintf(probe, sizeof probe, "%s/pcaps", shared_dir());
	if (stat(probe, &st) != 0) {
		for (const struct unit_test *t = pcap_tests; t->name; t++)
			printf("SKIP %s: %s absent\n", t->name, probe);
		return rc;
	}
	return unit_main(pcap_tests, argc, argv) | rc;
}
