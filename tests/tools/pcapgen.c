/*
 * pcapgen.c - writes the synthetic captures pcaps/syn-*.pcap(ng), packet by
 * packet, for the cases a kernel will not produce on demand.
 *
 *   pcapgen --list             one line per scenario: name, extension, what
 *   pcapgen --list-tests       the same for the scenarios only tests use
 *                              (written when run, never committed)
 *   pcapgen NAME OUTFILE       writes scenario NAME into OUTFILE
 *
 * The output is deterministic: no clock, no randomness, no host byte order
 * (every field is written byte by byte, pcap headers little-endian), so the
 * committed files can be regenerated bit for bit (tools/regen-corpus.sh).
 *
 * Layers, bottom up:
 *
 *   struct buf        a growable byte buffer; the whole file is built in
 *                     memory and written at the end (a scenario may ask for
 *                     the file to be cut in the middle of a record).
 *   gen_*             the capture writer: classic pcap (microsecond or
 *                     nanosecond magic) or pcapng (SHB, one IDB per
 *                     interface, possibly of different link types, EPBs).
 *   frame building    TCP header with options and checksum, IPv4 or IPv6
 *                     (optionally with extension headers), then the link
 *                     header: Ethernet (VLAN/QinQ tags), Linux SLL and SLL2,
 *                     BSD NULL and LOOP, raw IP.
 *   struct conn       one TCP connection between a client (side 0) and a
 *                     server (side 1). Each side remembers snd.nxt and
 *                     rcv.nxt, so the helpers syn(), synack(), data(), ack(),
 *                     fin(), rst() fill sequence and acknowledgment numbers
 *                     the way a real stack would; emit() takes explicit
 *                     numbers for the odd cases (retransmissions, probes,
 *                     out-of-window resets).
 *   scenarios         one function each, listed in the table at the end.
 *                     The truth about each one is in pcaps/NAME.expect,
 *                     written by hand, and pcaps/README.md.
 *
 * Payload bytes depend only on the sequence number, so a retransmission
 * carries the same bytes as the original. Start reading at main().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Byte buffer -------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			fprintf(stderr, "pcapgen: out of memory\n");
			exit(1);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	buf_put(b, &c, 1);
}

static void put16le(struct buf *b, unsigned v)
{
	put8(b, v & 0xff);
	put8(b, (v >> 8) & 0xff);
}

static void put32le(struct buf *b, uint32_t v)
{
	put16le(b, v & 0xffff);
	put16le(b, v >> 16);
}

static void wr16be(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- Capture writer ----------------------------------------------------- */

#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW 101
#define LT_LOOP 108
#define LT_SLL 113
#define LT_SLL2 276

enum fmt { F_PCAP, F_PCAP_NS, F_PCAPNG };

#define MAX_IF 4

struct gen {
	struct buf out;
	int fmt;
	uint32_t snaplen;
	int nif;
	int if_link[MAX_IF];
	int if_ns[MAX_IF];   /* pcapng: if_tsresol = 9 */
	int64_t now;         /* ns since the epoch of the next packet */
	int64_t step;        /* gap after each packet */
	int dup_all;         /* write every frame twice (capture duplicates) */
	int lose_next;       /* next segment is not delivered to the receiver */
	size_t cut_at;       /* nonzero: file ends at this many bytes */
	uint64_t raw_ts;     /* pcapng, nonzero: the raw 64-bit stamp (in
			      * interface units) of the next record, then
			      * one more for each */
};

#define BASE_TS (1700000000LL * 1000000000LL)
#define MS (1000000LL)

static void gen_init(struct gen *g, int fmt, int link, uint32_t snaplen)
{
	memset(g, 0, sizeof(*g));
	g->fmt = fmt;
	g->snaplen = snaplen;
	g->now = BASE_TS;
	g->step = 1 * MS;
	if (fmt == F_PCAPNG) {
		/* Section Header Block, little-endian, no options. */
		put32le(&g->out, 0x0A0D0D0A);
		put32le(&g->out, 28);
		put32le(&g->out, 0x1A2B3C4D);
		put16le(&g->out, 1);
		put16le(&g->out, 0);
		put32le(&g->out, 0xffffffffu); /* section length unknown */
		put32le(&g->out, 0xffffffffu);
		put32le(&g->out, 28);
		return;
	}
	put32le(&g->out, fmt == F_PCAP_NS ? 0xa1b23c4du : 0xa1b2c3d4u);
	put16le(&g->out, 2);
	put16le(&g->out, 4);
	put32le(&g->out, 0); /* thiszone */
	put32le(&g->out, 0); /* sigfigs */
	put32le(&g->out, snaplen);
	put32le(&g->out, (uint32_t)link);
	g->nif = 1;
	g->if_link[0] = link;
	g->if_ns[0] = fmt == F_PCAP_NS;
}

/* pcapng only: adds an Interface Description Block; returns its index. */
static int gen_iface(struct gen *g, int link, int ns)
{
	uint32_t len = 20 + (ns ? 8 : 0) + 4;
	put32le(&g->out, 1);
	put32le(&g->out, len);
	put16le(&g->out, (unsigned)link);
	put16le(&g->out, 0);
	put32le(&g->out, g->snaplen);
	if (ns) {
		put16le(&g->out, 9); /* if_tsresol */
		put16le(&g->out, 1);
		put8(&g->out, 9); /* 10^-9 */
		put8(&g->out, 0);
		put8(&g->out, 0);
		put8(&g->out, 0);
	}
	put16le(&g->out, 0); /* opt_endofopt */
	put16le(&g->out, 0);
	put32le(&g->out, len);
	g->if_link[g->nif] = link;
	g->if_ns[g->nif] = ns;
	return g->nif++;
}

/* pcapng only: an Interface Description Block with the options given:
 * if_tsresol byte tsresol (-1: none) and if_tsoffset off (when has_off).
 * Returns its index. */
static int gen_iface_opts(struct gen *g, int link, int tsresol, int has_off,
			  int64_t off)
{
	uint32_t len = 20 + (tsresol >= 0 ? 8 : 0) + (has_off ? 12 : 0) + 4;
	put32le(&g->out, 1);
	put32le(&g->out, len);
	put16le(&g->out, (unsigned)link);
	put16le(&g->out, 0);
	put32le(&g->out, g->snaplen);
	if (tsresol >= 0) {
		put16le(&g->out, 9); /* if_tsresol */
		put16le(&g->out, 1);
		put32le(&g->out, (uint32_t)tsresol); /* the byte, padding */
	}
	if (has_off) {
		put16le(&g->out, 14); /* if_tsoffset, seconds */
		put16le(&g->out, 8);
		put32le(&g->out, (uint32_t)(uint64_t)off);
		put32le(&g->out, (uint32_t)((uint64_t)off >> 32));
	}
	put16le(&g->out, 0); /* opt_endofopt */
	put16le(&g->out, 0);
	put32le(&g->out, len);
	g->if_link[g->nif] = link;
	g->if_ns[g->nif] = 0;
	return g->nif++;
}

static void gen_record(struct gen *g, int iface, int64_t ts, const uint8_t *f,
		       size_t len)
{
	size_t cap = len < g->snaplen ? len : g->snaplen;
	if (g->fmt == F_PCAPNG) {
		uint64_t t = g->if_ns[iface] ? (uint64_t)ts : (uint64_t)ts / 1000;
		if (g->raw_ts)
			t = g->raw_ts++;
		size_t pad = (4 - cap % 4) % 4;
		uint32_t tot = (uint32_t)(32 + cap + pad);
		put32le(&g->out, 6);
		put32le(&g->out, tot);
		put32le(&g->out, (uint32_t)iface);
		put32le(&g->out, (uint32_t)(t >> 32));
		put32le(&g->out, (uint32_t)t);
		put32le(&g->out, (uint32_t)cap);
		put32le(&g->out, (uint32_t)len);
		buf_put(&g->out, f, cap);
		for (size_t i = 0; i < pad; i++)
			put8(&g->out, 0);
		put32le(&g->out, tot);
		return;
	}
	put32le(&g->out, (uint32_t)(ts / 1000000000LL));
	if (g->fmt == F_PCAP_NS)
		put32le(&g->out, (uint32_t)(ts % 1000000000LL));
	else
		put32le(&g->out, (uint32_t)(ts % 1000000000LL / 1000));
	put32le(&g->out, (uint32_t)cap);
	put32le(&g->out, (uint32_t)len);
	buf_put(&g->out, f, cap);
}

static int gen_write(struct gen *g, const char *path)
{
	size_t n = g->cut_at && g->cut_at < g->out.len ? g->cut_at : g->out.len;
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	if (fwrite(g->out.p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	free(g->out.p);
	return 0;
}

/* ---- Connections and frames --------------------------------------------- */

#define FL_FIN 0x01u
#define FL_SYN 0x02u
#define FL_RST 0x04u
#define FL_PSH 0x08u
#define FL_ACK 0x10u

struct side {
	uint8_t mac[6];
	uint8_t ip[16];
	uint16_t port;
	uint32_t isn, nxt, rcv; /* snd.nxt; rcv.nxt as this side knows it */
	uint16_t win;           /* raw window field of its segments */
	uint16_t ipid;
	uint8_t wscale;         /* offered in its SYN; 0xff: no option */
};

struct conn {
	int v6;
	int ext6;            /* IPv6 extension headers before TCP */
	int iface;           /* pcapng interface (0 for pcap) */
	uint16_t vlan[2];    /* outer, inner; 0 = none */
	int qinq;            /* outer tag uses 0x88a8 */
	int null_af6;        /* NULL/LOOP family value for IPv6 */
	struct side s[2];
};

/* TCP options of one segment, already encoded (padded by emit()). */
struct opts {
	uint8_t b[40];
	int len;
};

static void opt_add(struct opts *o, const uint8_t *p, int n)
{
	memcpy(o->b + o->len, p, (size_t)n);
	o->len += n;
}

static void opt_syn(struct opts *o, uint8_t wscale)
{
	static const uint8_t mss_sackok[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2 };
	opt_add(o, mss_sackok, sizeof(mss_sackok));
	if (wscale != 0xff) {
		uint8_t ws[] = { 1, 3, 3, wscale };
		opt_add(o, ws, 4);
	}
}

static void opt_sack(struct opts *o, uint32_t left, uint32_t right)
{
	uint8_t s[12] = { 1, 1, 5, 10 };
	wr32be(s + 4, left);
	wr32be(s + 8, right);
	opt_add(o, s, 12);
}

/* TFO option: cookie_len 0 is a cookie request. */
static void opt_tfo(struct opts *o, int cookie_len)
{
	uint8_t t[20] = { 34, (uint8_t)(2 + cookie_len) };
	for (int i = 0; i < cookie_len; i++)
		t[2 + i] = (uint8_t)(0xc0 + i);
	opt_add(o, t, 2 + cookie_len);
}

static void conn_init4(struct conn *c, unsigned cli, uint16_t cport,
		       unsigned srv, uint16_t sport, uint32_t cisn,
		       uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	uint8_t a4[2][4] = { { 192, 0, 2, (uint8_t)cli },
			     { 192, 0, 2, (uint8_t)srv } };
	for (int i = 0; i < 2; i++) {
		memcpy(c->s[i].ip, a4[i], 4);
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };
		memcpy(c->s[i].mac, mac, 6);
		c->s[i].win = 64240;
		c->s[i].wscale = 0xff;
		c->s[i].ipid = (uint16_t)(0x1000 * (i + 1) + cport % 256);
	}
	c->s[0].port = cport;
	c->s[1].port = sport;
	c->s[0].isn = c->s[0].nxt = cisn;
	c->s[1].isn = c->s[1].nxt = sisn;
	c->null_af6 = 30;
}

static void conn_init6(struct conn *c, unsigned cli, uint16_t cport,
		       unsigned srv, uint16_t sport, uint32_t cisn,
		       uint32_t sisn)
{
	conn_init4(c, cli, cport, srv, sport, cisn, sisn);
	c->v6 = 1;
	for (int i = 0; i < 2; i++) {
		static const uint8_t pfx[] = { 0x20, 0x01, 0x0d, 0xb8 };
		memset(c->s[i].ip, 0, 16);
		memcpy(c->s[i].ip, pfx, 4);
		c->s[i].ip[15] = (uint8_t)(i == 0 ? cli : srv);
	}
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Builds the frame of one segment into f (link header, IP, TCP, payload);
 * returns its length. */
static size_t build(const struct gen *g, const struct conn *c, int dir,
		    unsigned fl, uint32_t seq, uint32_t ack, uint32_t len,
		    const struct opts *o, uint8_t *f)
{
	const struct side *src = &c->s[dir], *dst = &c->s[!dir];
	uint8_t tcp[60 + 2000];
	int olen = o ? o->len : 0;
	int thl = 20 + (olen + 3) / 4 * 4;
	memset(tcp, 0, sizeof(tcp));
	wr16be(tcp, src->port);
	wr16be(tcp + 2, dst->port);
	wr32be(tcp + 4, seq);
	wr32be(tcp + 8, ack);
	tcp[12] = (uint8_t)(thl / 4 << 4);
	tcp[13] = (uint8_t)fl;
	wr16be(tcp + 14, src->win);
	if (o)
		memcpy(tcp + 20, o->b, (size_t)olen);
	for (int i = 20 + olen; i < thl; i++)
		tcp[i] = 0; /* end of option list */
	for (uint32_t i = 0; i < len; i++)
		tcp[thl + (int)i] = (uint8_t)('a' + (seq + i) % 26);
	size_t tlen = (size_t)thl + len;

	/* IP header, with extension headers for IPv6 when asked. */
	uint8_t ip[40 + 40];
	size_t iplen;
	uint32_t sum;
	if (!c->v6) {
		iplen = 20;
		memset(ip, 0, 20);
		ip[0] = 0x45;
		wr16be(ip + 2, (unsigned)(20 + tlen));
		wr16be(ip + 4, src->ipid);
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, src->ip, 4);
		memcpy(ip + 16, dst->ip, 4);
		wr16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
		uint8_t ph[12];
		memcpy(ph, src->ip, 4);
		memcpy(ph + 4, dst->ip, 4);
		ph[8] = 0;
		ph[9] = 6;
		wr16be(ph + 10, (unsigned)tlen);
		sum = csum_add(0, ph, 12);
	} else {
		size_t ext = c->ext6 ? 40 : 0;
		iplen = 40 + ext;
		memset(ip, 0, sizeof(ip));
		ip[0] = 0x60;
		wr16be(ip + 4, (unsigned)(ext + tlen));
		ip[6] = c->ext6 ? 0 : 6; /* hop-by-hop first */
		ip[7] = 64;
		memcpy(ip + 8, src->ip, 16);
		memcpy(ip + 24, dst->ip, 16);
		if (c->ext6) {
			/* Hop-by-hop (PadN) -> segment routing header (type 4,
			 * segments left 0, one segment: the destination) ->
			 * destination options (PadN) -> TCP. */
			static const uint8_t hbh[8] = { 43, 0, 1, 4, 0, 0, 0, 0 };
			static const uint8_t srh[8] = { 60, 2, 4, 0, 0, 0, 0, 0 };
			static const uint8_t dopt[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };
			memcpy(ip + 40, hbh, 8);
			memcpy(ip + 48, srh, 8);
			memcpy(ip + 56, dst->ip, 16);
			memcpy(ip + 72, dopt, 8);
		}
		uint8_t ph[40];
		memset(ph, 0, sizeof(ph));
		memcpy(ph, src->ip, 16);
		memcpy(ph + 16, dst->ip, 16);
		wr32be(ph + 32, (uint32_t)tlen);
		ph[39] = 6;
		sum = csum_add(0, ph, 40);
	}
	wr16be(tcp + 16, csum_fold(csum_add(sum, tcp, tlen)));

	/* Link header. */
	int link = g->if_link[c->iface];
	size_t n = 0;
	unsigned etype = c->v6 ? 0x86dd : 0x0800;
	switch (link) {
	case LT_EN10MB:
		memcpy(f, dst->mac, 6);
		memcpy(f + 6, src->mac, 6);
		n = 12;
		if (c->vlan[0]) {
			wr16be(f + n, c->qinq ? 0x88a8 : 0x8100);
			wr16be(f + n + 2, c->vlan[0]);
			n += 4;
		}
		if (c->vlan[1]) {
			wr16be(f + n, 0x8100);
			wr16be(f + n + 2, c->vlan[1]);
			n += 4;
		}
		wr16be(f + n, etype);
		n += 2;
		break;
	case LT_SLL: /* captured on the client: its own frames are outgoing */
		wr16be(f, dir == 0 ? 4 : 0);
		wr16be(f + 2, 1); /* ARPHRD_ETHER */
		wr16be(f + 4, 6);
		memset(f + 6, 0, 8);
		memcpy(f + 6, src->mac, 6);
		wr16be(f + 14, etype);
		n = 16;
		break;
	case LT_SLL2:
		wr16be(f, etype);
		wr16be(f + 2, 0);
		wr32be(f + 4, 2); /* ifindex */
		wr16be(f + 8, 1);
		f[10] = dir == 0 ? 4 : 0;
		f[11] = 6;
		memset(f + 12, 0, 8);
		memcpy(f + 12, src->mac, 6);
		n = 20;
		break;
	case LT_NULL: { /* host byte order of the writer: little-endian */
		uint32_t af = c->v6 ? (uint32_t)c->null_af6 : 2;
		f[0] = (uint8_t)af;
		f[1] = (uint8_t)(af >> 8);
		f[2] = (uint8_t)(af >> 16);
		f[3] = (uint8_t)(af >> 24);
		n = 4;
		break;
	}
	case LT_LOOP:
		wr32be(f, c->v6 ? (uint32_t)c->null_af6 : 2);
		n = 4;
		break;
	case LT_RAW:
	default:
		break;
	}
	memcpy(f + n, ip, iplen);
	n += iplen;
	memcpy(f + n, tcp, tlen);
	return n + tlen;
}

static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Writes one segment from side dir at the current time, then advances the
 * clock. Keeps snd.nxt of the sender and, unless lose_next is set, rcv.nxt
 * of the receiver (in-order delivery only). */
static void emit(struct gen *g, struct conn *c, int dir, unsigned fl,
		 uint32_t seq, uint32_t ack, uint32_t len, const struct opts *o)
{
	uint8_t f[2200];
	size_t n = build(g, c, dir, fl, seq, ack, len, o, f);
	gen_record(g, c->iface, g->now, f, n);
	if (g->dup_all)
		gen_record(g, c->iface, g->now + 1000, f, n);
	g->now += g->step;
	c->s[dir].ipid++;

	uint32_t end = seq + len + ((fl & FL_SYN) ? 1u : 0u) +
		       ((fl & FL_FIN) ? 1u : 0u);
	struct side *snd = &c->s[dir], *rcv = &c->s[!dir];
	if (!(fl & FL_RST) && seq_after(end, snd->nxt))
		snd->nxt = end; /* a reset's sequence number moves nothing */
	if (g->lose_next || (fl & FL_RST)) {
		g->lose_next = 0;
		return;
	}
	if (fl & FL_SYN)
		rcv->rcv = end;
	else if (seq == rcv->rcv)
		rcv->rcv = end;
}

static void wait_ms(struct gen *g, int64_t ms)
{
	g->now += ms * MS;
}

static void syn(struct gen *g, struct conn *c)
{
	struct opts o = { .len = 0 };
	opt_syn(&o, c->s[0].wscale);
	emit(g, c, 0, FL_SYN, c->s[0].isn, 0, 0, &o);
}

static void synack(struct gen *g, struct conn *c)
{
	struct opts o = { .len = 0 };
	opt_syn(&o, c->s[1].wscale);
	emit(g, c, 1, FL_SYN | FL_ACK, c->s[1].isn, c->s[1].rcv, 0, &o);
}

static void ack(struct gen *g, struct conn *c, int dir)
{
	emit(g, c, dir, FL_ACK, c->s[dir].nxt, c->s[dir].rcv, 0, NULL);
}

static void data(struct gen *g, struct conn *c, int dir, uint32_t len)
{
	emit(g, c, dir, FL_PSH | FL_ACK, c->s[dir].nxt, c->s[dir].rcv, len,
	     NULL);
}

static void fin(struct gen *g, struct conn *c, int dir)
{
	emit(g, c, dir, FL_FIN | FL_ACK, c->s[dir].nxt, c->s[dir].rcv, 0,
	     NULL);
}

static void rst(struct gen *g, struct conn *c, int dir)
{
	emit(g, c, dir, FL_RST | FL_ACK, c->s[dir].nxt, c->s[dir].rcv, 0,
	     NULL);
}

static void handshake(struct gen *g, struct conn *c)
{
	syn(g, c);
	synack(g, c);
	ack(g, c, 0);
}

/* Request and response, the response acknowledging the request. */
static void exchange(struct gen *g, struct conn *c, uint32_t req,
		     uint32_t resp)
{
	data(g, c, 0, req);
	data(g, c, 1, resp);
	ack(g, c, 0);
}

/* Four-segment close, side `closer` first. */
static void close4(struct gen *g, struct conn *c, int closer)
{
	fin(g, c, closer);
	ack(g, c, !closer);
	fin(g, c, !closer);
	ack(g, c, closer);
}

static void normal(struct gen *g, struct conn *c, int closer)
{
	handshake(g, c);
	exchange(g, c, 100, 300);
	close4(g, c, closer);
}

/* ---- Scenarios ---------------------------------------------------------- */

static void sc_close_client(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40000, 2, 80, 1000, 5000);
	normal(g, &c, 0);
}

static void sc_close_server(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&a, 1, 40001, 2, 80, 1000, 5000);
	normal(g, &a, 1);
	wait_ms(g, 100);
	/* Server closes; the client answers with one FIN+ACK that
	 * acknowledges the server's FIN; the server acknowledges it. */
	conn_init4(&b, 1, 40002, 2, 80, 2000, 6000);
	handshake(g, &b);
	exchange(g, &b, 100, 300);
	fin(g, &b, 1);
	fin(g, &b, 0);
	ack(g, &b, 1);
}

static void sc_refused(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&a, 1, 40003, 2, 81, 1000, 0);
	syn(g, &a);
	emit(g, &a, 1, FL_RST | FL_ACK, 0, a.s[0].isn + 1, 0, NULL);
	wait_ms(g, 10);
	conn_init4(&b, 1, 40004, 2, 82, 3000, 0);
	syn(g, &b);
	emit(g, &b, 1, FL_RST | FL_ACK, 0, b.s[0].isn + 1, 0, NULL);
}

static void sc_unanswered(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40005, 3, 80, 1000, 0);
	syn(g, &c);
	wait_ms(g, 1000);
	syn(g, &c);
	wait_ms(g, 2000);
	syn(g, &c);
}

static void sc_simultaneous_open(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 5001, 2, 5002, 1000, 5000);
	/* Both SYNs cross; each side answers the other's SYN with SYN+ACK
	 * (same ISN); both are then ESTABLISHED (RFC 9293 figure 7). */
	syn(g, &c);
	emit(g, &c, 1, FL_SYN, c.s[1].isn, 0, 0, NULL);
	{
		struct opts o = { .len = 0 };
		opt_syn(&o, 0xff);
		emit(g, &c, 0, FL_SYN | FL_ACK, c.s[0].isn, c.s[0].rcv, 0,
		     &o);
		emit(g, &c, 1, FL_SYN | FL_ACK, c.s[1].isn, c.s[1].rcv, 0,
		     &o);
	}
	exchange(g, &c, 100, 200);
	close4(g, &c, 0);
}

static void sc_simultaneous_open2(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 5003, 2, 5004, 3000, 7000);
	/* Crossing SYNs again, but the second SYN's sender answers first;
	 * then the server side (by the first SYN) sends data and closes. */
	struct opts o = { .len = 0 };
	opt_syn(&o, 0xff);
	syn(g, &c);
	emit(g, &c, 1, FL_SYN, c.s[1].isn, 0, 0, &o);
	emit(g, &c, 1, FL_SYN | FL_ACK, c.s[1].isn, c.s[1].rcv, 0, &o);
	emit(g, &c, 0, FL_SYN | FL_ACK, c.s[0].isn, c.s[0].rcv, 0, &o);
	data(g, &c, 1, 200);
	ack(g, &c, 0);
	close4(g, &c, 1);
}

static void sc_simultaneous_close(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40006, 2, 80, 1000, 5000);
	handshake(g, &c);
	exchange(g, &c, 100, 300);
	/* The FINs cross: neither acknowledges the other's. */
	uint32_t ack0 = c.s[0].rcv, ack1 = c.s[1].rcv;
	emit(g, &c, 0, FL_FIN | FL_ACK, c.s[0].nxt, ack0, 0, NULL);
	emit(g, &c, 1, FL_FIN | FL_ACK, c.s[1].nxt, ack1, 0, NULL);
	ack(g, &c, 0);
	ack(g, &c, 1);
}

static void sc_rst_in_window(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&a, 1, 40007, 2, 80, 1000, 5000);
	handshake(g, &a);
	exchange(g, &a, 100, 300);
	rst(g, &a, 1); /* server aborts, seq = client's rcv.nxt exactly */
	wait_ms(g, 50);
	conn_init4(&b, 1, 40008, 2, 80, 7000, 9000);
	handshake(g, &b);
	exchange(g, &b, 100, 300);
	rst(g, &b, 0); /* client aborts (SO_LINGER 0) */
}

static void sc_rst_out_of_window(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40009, 2, 80, 1000, 5000);
	handshake(g, &c);
	exchange(g, &c, 100, 300);
	/* A reset far outside the client's window: ignored. */
	emit(g, &c, 1, FL_RST, c.s[1].nxt + 0x40000000u, 0, 0, NULL);
	/* A reset inside the window but not at rcv.nxt: the client sends a
	 * challenge ACK (RFC 5961) and carries on. */
	emit(g, &c, 1, FL_RST, c.s[1].nxt + 1000, 0, 0, NULL);
	ack(g, &c, 0);
	exchange(g, &c, 100, 300);
	close4(g, &c, 0);
}

static void sc_seq_wrap(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP_NS, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40010, 2, 80, 0xFFFFFF00u, 0xFFFFFFF0u);
	handshake(g, &c);
	data(g, &c, 0, 200);                  /* ffffff01..ffffffc9 */
	ack(g, &c, 1);
	uint32_t s2 = c.s[0].nxt;
	g->lose_next = 1;
	data(g, &c, 0, 200);                  /* ffffffc9..00000091 */
	uint32_t s3 = c.s[0].nxt;
	data(g, &c, 0, 200);                  /* 00000091..00000159 */
	{
		struct opts o = { .len = 0 };
		opt_sack(&o, s3, s3 + 200);
		emit(g, &c, 1, FL_ACK, c.s[1].nxt, c.s[1].rcv, 0, &o);
	}
	wait_ms(g, 250);
	emit(g, &c, 0, FL_PSH | FL_ACK, s2, c.s[0].rcv, 200, NULL);
	c.s[1].rcv = s3 + 200;
	ack(g, &c, 1);
	data(g, &c, 1, 100);                  /* fffffff1..00000055 */
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_wscale(struct gen *g)
{
	struct conn a, b, d;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	/* Both offer shift 14. */
	conn_init4(&a, 1, 40011, 2, 80, 1000, 5000);
	a.s[0].wscale = 14;
	a.s[1].wscale = 14;
	a.s[0].win = 65535;
	a.s[1].win = 65535;
	syn(g, &a);
	synack(g, &a);
	a.s[0].win = 4;      /* 4 << 14 = 65536 */
	a.s[1].win = 65535;  /* 65535 << 14 = 1073725440 */
	ack(g, &a, 0);
	exchange(g, &a, 1000, 2000);
	close4(g, &a, 0);
	/* Client offers shift 15: taken as 14 (RFC 7323 2.3). */
	conn_init4(&b, 1, 40012, 2, 80, 2000, 6000);
	b.s[0].wscale = 15;
	b.s[1].wscale = 14;
	b.s[0].win = 1000;
	b.s[1].win = 1000;
	syn(g, &b);
	synack(g, &b);
	b.s[0].win = 3;      /* 3 << 14 = 49152 */
	b.s[1].win = 3;
	ack(g, &b, 0);
	exchange(g, &b, 1000, 2000);
	close4(g, &b, 0);
	/* Client offers shift 7, server sends no option: no scaling. */
	conn_init4(&d, 1, 40013, 2, 80, 3000, 7000);
	d.s[0].wscale = 7;
	d.s[0].win = 500;
	d.s[1].win = 700;
	syn(g, &d);
	synack(g, &d);
	d.s[0].win = 1000;
	d.s[1].win = 1200;
	ack(g, &d, 0);
	exchange(g, &d, 100, 200);
	close4(g, &d, 0);
}

static void sc_tfo(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	/* First connection asks for a cookie and gets one. */
	conn_init4(&a, 1, 40014, 2, 80, 1000, 5000);
	{
		struct opts o = { .len = 0 };
		opt_syn(&o, 7);
		opt_tfo(&o, 0);
		emit(g, &a, 0, FL_SYN, a.s[0].isn, 0, 0, &o);
		struct opts p = { .len = 0 };
		opt_syn(&p, 7);
		opt_tfo(&p, 8);
		emit(g, &a, 1, FL_SYN | FL_ACK, a.s[1].isn, a.s[1].rcv, 0, &p);
	}
	ack(g, &a, 0);
	exchange(g, &a, 100, 300);
	close4(g, &a, 0);
	wait_ms(g, 100);
	/* Second one sends the cookie and 100 bytes on the SYN; the SYN-ACK
	 * acknowledges the data. */
	conn_init4(&b, 1, 40015, 2, 80, 2000, 6000);
	{
		struct opts o = { .len = 0 };
		opt_syn(&o, 7);
		opt_tfo(&o, 8);
		emit(g, &b, 0, FL_SYN, b.s[0].isn, 0, 100, &o);
		struct opts p = { .len = 0 };
		opt_syn(&p, 7);
		emit(g, &b, 1, FL_SYN | FL_ACK, b.s[1].isn, b.s[1].rcv, 0, &p);
	}
	data(g, &b, 1, 300); /* the response, before the client's ACK */
	ack(g, &b, 0);
	close4(g, &b, 0);
}

static void sc_tfo_rejected(struct gen *g)
{
	struct conn b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	/* Cookie and data on the SYN; the server does not accept the cookie:
	 * its SYN-ACK acknowledges only the SYN, and the client sends the
	 * 100 bytes again after the handshake. */
	conn_init4(&b, 1, 40016, 2, 80, 2000, 6000);
	{
		struct opts o = { .len = 0 };
		opt_syn(&o, 7);
		opt_tfo(&o, 8);
		g->lose_next = 1;
		emit(g, &b, 0, FL_SYN, b.s[0].isn, 0, 100, &o);
		b.s[1].rcv = b.s[0].isn + 1;
		b.s[0].nxt = b.s[0].isn + 1;
		struct opts p = { .len = 0 };
		opt_syn(&p, 7);
		emit(g, &b, 1, FL_SYN | FL_ACK, b.s[1].isn, b.s[1].rcv, 0, &p);
	}
	ack(g, &b, 0);
	exchange(g, &b, 100, 300);
	close4(g, &b, 0);
}

static void sc_synack_first(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40017, 2, 80, 1000, 5000);
	c.s[1].rcv = c.s[0].isn + 1; /* the SYN was not captured */
	c.s[0].nxt = c.s[0].isn + 1;
	synack(g, &c);
	ack(g, &c, 0);
	exchange(g, &c, 100, 300);
	close4(g, &c, 0);
}

static void sc_capture_order(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40018, 2, 80, 1000, 5000);
	/* The SYN-ACK is recorded before the SYN (two capture points merged);
	 * its timestamp is still the later one. */
	int64_t t0 = g->now;
	g->now = t0 + 100000; /* SYN-ACK 0.1 ms after the SYN */
	c.s[1].rcv = c.s[0].isn + 1;
	c.s[0].nxt = c.s[0].isn + 1;
	synack(g, &c);
	int64_t after = g->now;
	g->now = t0;
	syn(g, &c);
	g->now = after;
	ack(g, &c, 0);
	/* The ACK of a request is recorded before the request. */
	uint32_t rseq = c.s[0].nxt;
	c.s[1].rcv = rseq + 100;
	int64_t t1 = g->now;
	g->now = t1 + 200000;
	ack(g, &c, 1);
	after = g->now;
	g->now = t1;
	emit(g, &c, 0, FL_PSH | FL_ACK, rseq, c.s[0].rcv, 100, NULL);
	g->now = after;
	data(g, &c, 1, 300);
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_duplicates(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	g->dup_all = 1;
	conn_init4(&c, 1, 40019, 2, 80, 1000, 5000);
	normal(g, &c, 0);
}

static void sc_ipv6_ext(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init6(&a, 1, 40020, 2, 80, 1000, 5000);
	a.ext6 = 1;
	normal(g, &a, 0);
	conn_init6(&b, 1, 40021, 2, 443, 2000, 6000);
	normal(g, &b, 1);
}

static void sc_vlan(struct gen *g)
{
	struct conn a, b, q;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	/* The same 4-tuple on VLAN 100, VLAN 200 and QinQ 300.100: three
	 * connections, interleaved. */
	conn_init4(&a, 1, 40022, 2, 80, 1000, 5000);
	a.vlan[0] = 100;
	conn_init4(&b, 1, 40022, 2, 80, 2000, 6000);
	b.vlan[0] = 200;
	conn_init4(&q, 1, 40022, 2, 80, 3000, 7000);
	q.vlan[0] = 300;
	q.vlan[1] = 100;
	q.qinq = 1;
	syn(g, &a);
	syn(g, &b);
	syn(g, &q);
	synack(g, &a);
	synack(g, &b);
	synack(g, &q);
	ack(g, &a, 0);
	ack(g, &b, 0);
	ack(g, &q, 0);
	exchange(g, &a, 100, 300);
	exchange(g, &b, 100, 300);
	exchange(g, &q, 100, 300);
	close4(g, &a, 0);   /* VLAN 100: closed by the client */
	rst(g, &b, 1);      /* VLAN 200: reset by the server */
	close4(g, &q, 1);   /* QinQ: closed by the server */
}

/* Two connections for a link-type scenario: IPv4 closed by the client,
 * IPv6 closed by the server. */
static void two_on_link(struct gen *g, int fmt, int link, int af6)
{
	struct conn a, b;
	gen_init(g, fmt, link, 65535);
	conn_init4(&a, 1, 40030, 2, 80, 1000, 5000);
	normal(g, &a, 0);
	conn_init6(&b, 1, 40031, 2, 80, 2000, 6000);
	b.null_af6 = af6;
	normal(g, &b, 1);
}

static void sc_sll(struct gen *g)
{
	two_on_link(g, F_PCAP, LT_SLL, 0);
}

static void sc_sll2(struct gen *g)
{
	two_on_link(g, F_PCAP, LT_SLL2, 0);
}

static void sc_null(struct gen *g)
{
	two_on_link(g, F_PCAP, LT_NULL, 30); /* macOS AF_INET6 */
}

static void sc_loop(struct gen *g)
{
	two_on_link(g, F_PCAP, LT_LOOP, 24); /* OpenBSD AF_INET6 */
}

static void sc_raw(struct gen *g)
{
	two_on_link(g, F_PCAP, LT_RAW, 0);
}

static void sc_pcapng_multi(struct gen *g)
{
	struct conn a, b, d;
	gen_init(g, F_PCAPNG, 0, 262144);
	int ie = gen_iface(g, LT_EN10MB, 1);
	int ir = gen_iface(g, LT_RAW, 1);
	int is = gen_iface(g, LT_SLL2, 1);
	g->step = 1234; /* ns: timestamps below one microsecond apart */
	conn_init4(&a, 1, 40040, 2, 80, 1000, 5000);
	a.iface = ie;
	conn_init6(&b, 1, 40041, 2, 80, 2000, 6000);
	b.iface = ir;
	conn_init4(&d, 3, 40042, 4, 443, 3000, 7000);
	d.iface = is;
	syn(g, &a);
	syn(g, &b);
	syn(g, &d);
	synack(g, &a);
	synack(g, &b);
	synack(g, &d);
	ack(g, &a, 0);
	ack(g, &b, 0);
	ack(g, &d, 0);
	g->step = 357;
	exchange(g, &a, 100, 300);
	exchange(g, &b, 100, 300);
	exchange(g, &d, 100, 300);
	close4(g, &a, 0);
	close4(g, &b, 1);
	rst(g, &d, 0);
}

static void sc_truncated_file(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&a, 1, 40043, 2, 80, 1000, 5000);
	normal(g, &a, 0);
	conn_init4(&b, 1, 40044, 2, 80, 2000, 6000);
	handshake(g, &b);
	data(g, &b, 0, 100);
	ack(g, &b, 1);
	/* The file ends 16 + 20 bytes into the next record. */
	g->cut_at = g->out.len + 16 + 20;
	data(g, &b, 0, 200);
}

static void sc_snaplen(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 80);
	conn_init4(&c, 1, 40045, 2, 80, 1000, 5000);
	handshake(g, &c);
	data(g, &c, 0, 1000);
	data(g, &c, 0, 1000);
	data(g, &c, 0, 1000);
	data(g, &c, 1, 500);
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_half_close(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40046, 2, 80, 1000, 5000);
	handshake(g, &c);
	data(g, &c, 0, 100);
	fin(g, &c, 0);  /* shutdown(SHUT_WR) after the request */
	ack(g, &c, 1);
	for (int i = 0; i < 3; i++) {
		data(g, &c, 1, 1000);
		ack(g, &c, 0);
	}
	fin(g, &c, 1);
	ack(g, &c, 0);
}

static void sc_loss_fast(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40047, 2, 80, 1000, 5000);
	handshake(g, &c);
	/* Captured at the sender: segment 3 is lost after the capture point;
	 * segments 4, 5, 6 each bring a duplicate ACK with SACK; the sender
	 * retransmits segment 3 after the third. */
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	uint32_t s3 = c.s[0].nxt;
	g->lose_next = 1;
	data(g, &c, 0, 1000);
	for (int i = 0; i < 3; i++) {
		data(g, &c, 0, 1000);
		struct opts o = { .len = 0 };
		opt_sack(&o, s3 + 1000, c.s[0].nxt);
		emit(g, &c, 1, FL_ACK, c.s[1].nxt, c.s[1].rcv, 0, &o);
	}
	emit(g, &c, 0, FL_PSH | FL_ACK, s3, c.s[0].rcv, 1000, NULL);
	c.s[1].rcv = c.s[0].nxt;
	ack(g, &c, 1);
	data(g, &c, 1, 100);
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_loss_rto(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40048, 2, 80, 1000, 5000);
	handshake(g, &c);
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	uint32_t s2 = c.s[0].nxt;
	g->lose_next = 1;
	data(g, &c, 0, 1000); /* last of the flight, lost: no dup ACKs */
	wait_ms(g, 300);
	emit(g, &c, 0, FL_PSH | FL_ACK, s2, c.s[0].rcv, 1000, NULL);
	ack(g, &c, 1);
	data(g, &c, 1, 100);
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_reorder(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40049, 2, 80, 1000, 5000);
	handshake(g, &c);
	/* Captured at the receiver: the network swapped segments 3 and 4. */
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	uint32_t s3 = c.s[0].nxt, s4 = s3 + 1000;
	g->step = 100000; /* 0.1 ms */
	emit(g, &c, 0, FL_PSH | FL_ACK, s4, c.s[0].rcv, 1000, NULL);
	{
		struct opts o = { .len = 0 };
		opt_sack(&o, s4, s4 + 1000);
		emit(g, &c, 1, FL_ACK, c.s[1].nxt, c.s[1].rcv, 0, &o);
	}
	emit(g, &c, 0, FL_PSH | FL_ACK, s3, c.s[0].rcv, 1000, NULL);
	c.s[1].rcv = s4 + 1000;
	g->step = MS;
	ack(g, &c, 1);
	data(g, &c, 1, 100);
	ack(g, &c, 0);
	close4(g, &c, 0);
}

static void sc_zero_window(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40050, 2, 80, 1000, 5000);
	handshake(g, &c);
	data(g, &c, 0, 1000);
	c.s[1].win = 1000;
	ack(g, &c, 1);
	data(g, &c, 0, 1000); /* fills the window */
	c.s[1].win = 0;
	ack(g, &c, 1);        /* zero window */
	/* Two one-byte probes at snd.nxt, not accepted. */
	for (int i = 0; i < 2; i++) {
		wait_ms(g, 200 << i);
		uint32_t nxt = c.s[0].nxt;
		g->lose_next = 1;
		emit(g, &c, 0, FL_PSH | FL_ACK, nxt, c.s[0].rcv, 1, NULL);
		c.s[0].nxt = nxt;
		ack(g, &c, 1);
	}
	wait_ms(g, 100);
	c.s[1].win = 64240;
	ack(g, &c, 1); /* window update */
	data(g, &c, 0, 1000);
	ack(g, &c, 1);
	close4(g, &c, 0);
}

static void sc_keepalive(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40051, 2, 80, 1000, 5000);
	handshake(g, &c);
	exchange(g, &c, 100, 300);
	for (int i = 0; i < 3; i++) {
		wait_ms(g, 1000);
		emit(g, &c, 0, FL_ACK, c.s[0].nxt - 1, c.s[0].rcv, 0, NULL);
		ack(g, &c, 1);
	}
	close4(g, &c, 0);
}

static void sc_port_reuse(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&a, 1, 40052, 2, 80, 1000, 5000);
	normal(g, &a, 0);
	wait_ms(g, 2000);
	/* Same 4-tuple, higher ISN: a new connection; reset this time. */
	conn_init4(&b, 1, 40052, 2, 80, 900000, 800000);
	handshake(g, &b);
	exchange(g, &b, 100, 300);
	rst(g, &b, 0);
}

static void sc_midstream(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 45000, 2, 80, 123456, 654321);
	/* The capture starts after the handshake, with a server segment. */
	c.s[0].rcv = c.s[1].nxt;
	c.s[1].rcv = c.s[0].nxt;
	data(g, &c, 1, 500);
	ack(g, &c, 0);
	exchange(g, &c, 100, 300);
	close4(g, &c, 0);
}

static void sc_retrans_syn_fin(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	/* SYN retransmitted once; client FIN retransmitted once. */
	conn_init4(&a, 1, 40053, 2, 80, 1000, 5000);
	syn(g, &a);
	wait_ms(g, 1000);
	syn(g, &a);
	synack(g, &a);
	ack(g, &a, 0);
	exchange(g, &a, 100, 300);
	g->lose_next = 1;
	fin(g, &a, 0);
	wait_ms(g, 200);
	emit(g, &a, 0, FL_FIN | FL_ACK, a.s[0].nxt - 1, a.s[0].rcv, 0, NULL);
	ack(g, &a, 1);
	fin(g, &a, 1);
	ack(g, &a, 0);
	/* SYN-ACK retransmitted (the client's ACK did not reach the capture
	 * point at the server). */
	conn_init4(&b, 1, 40054, 2, 80, 2000, 6000);
	syn(g, &b);
	synack(g, &b);
	wait_ms(g, 1000);
	synack(g, &b);
	ack(g, &b, 0);
	exchange(g, &b, 100, 300);
	close4(g, &b, 0);
}

static void sc_many(struct gen *g)
{
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	for (int i = 0; i < 20; i++) {
		struct conn c;
		conn_init4(&c, 1, (uint16_t)(41000 + i), 2, 80,
			   1000u + 100000u * (uint32_t)i,
			   5000u + 100000u * (uint32_t)i);
		handshake(g, &c);
		exchange(g, &c, 50, 50);
		close4(g, &c, 0);
		wait_ms(g, 10);
	}
}

/* A synthetic benchmark capture (`pcapgen bench FILE`; not part of the
 * corpus, so not in --list): 8000 connections in blocks of 1000 open at once, each with a
 * handshake, 20 request/response rounds and a close: about 2 million
 * packets, about 300 MB. */
static void sc_bench(struct gen *g)
{
	enum { BLOCK = 1000, BLOCKS = 8, ROUNDS = 20 };
	static struct conn c[BLOCK];
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	g->step = 10000; /* 10 us */
	for (int b = 0; b < BLOCKS; b++) {
		for (int i = 0; i < BLOCK; i++) {
			unsigned n = (unsigned)(b * BLOCK + i);
			conn_init4(&c[i], 1 + n % 200, (uint16_t)(20000 + n / 200 + b * 64),
				   2 + n % 7, 80, 1000u + 7919u * n,
				   5000u + 104729u * n);
			handshake(g, &c[i]);
		}
		for (int r = 0; r < ROUNDS; r++)
			for (int i = 0; i < BLOCK; i++)
				exchange(g, &c[i], 64, 200);
		for (int i = 0; i < BLOCK; i++)
			close4(g, &c[i], i & 1);
	}
}

/* ---- Scenarios for tests only (not in pcaps/, not --list'ed) ------------ */

struct scenario {
	const char *name;
	const char *ext;
	void (*fn)(struct gen *g);
	const char *what;
};


/* Security review F1: if_tsresol 0 (seconds) and packets stamped 2^40 s,
 * past the int64 nanosecond range. One interface: libpcap reads it. */
static void sc_ts_extreme(struct gen *g)
{
	struct conn c;
	gen_init(g, F_PCAPNG, 0, 65535);
	gen_iface_opts(g, LT_EN10MB, 0, 0, 0);
	conn_init4(&c, 1, 40100, 2, 80, 1000, 5000);
	c.iface = 0;
	g->raw_ts = (uint64_t)1 << 40;
	normal(g, &c, 0);
}

/* The same on two interfaces of different link types (the own pcapng
 * reader), the second with if_tsresol 2^-0 and an if_tsoffset that takes
 * its stamps below the range. */
static void sc_ts_extreme_multi(struct gen *g)
{
	struct conn a, b;
	gen_init(g, F_PCAPNG, 0, 65535);
	int ie = gen_iface_opts(g, LT_EN10MB, 0, 0, 0);
	int ir = gen_iface_opts(g, LT_RAW, 0x80, 1, INT64_MIN / 2);
	conn_init4(&a, 1, 40101, 2, 80, 1000, 5000);
	a.iface = ie;
	conn_init4(&b, 1, 40102, 2, 80, 2000, 6000);
	b.iface = ir;
	g->raw_ts = (uint64_t)1 << 40;
	normal(g, &a, 0);
	g->raw_ts = 1000;
	normal(g, &b, 1);
}

/* One long bulk transfer for the plot's bounded-memory test: the client
 * sends $PCAPGEN_SEGMENTS segments of 100 bytes (default 100000), the
 * server acknowledges every second one; every 5000th segment is lost and
 * sent again after the next, so that some segments carry labels. */
static void sc_big_flow(struct gen *g)
{
	struct conn c;
	const char *e = getenv("PCAPGEN_SEGMENTS");
	long n = e ? strtol(e, NULL, 10) : 100000;
	if (n < 1)
		n = 1;
	gen_init(g, F_PCAP, LT_EN10MB, 65535);
	conn_init4(&c, 1, 40200, 2, 80, 1000, 5000);
	handshake(g, &c);
	for (long i = 1; i <= n; i++) {
		if (i % 5000 == 0) {
			uint32_t lost = c.s[0].nxt;
			g->lose_next = 1;
			data(g, &c, 0, 100);
			data(g, &c, 0, 100);
			emit(g, &c, 0, FL_PSH | FL_ACK, lost, c.s[0].rcv, 100,
			     NULL);
			c.s[1].rcv = c.s[0].nxt;
			ack(g, &c, 1);
			continue;
		}
		data(g, &c, 0, 100);
		if (i % 2 == 0)
			ack(g, &c, 1);
	}
	ack(g, &c, 1);
	close4(g, &c, 0);
}

static const struct scenario test_scenarios[] = {
	{ "big-flow", "pcap", sc_big_flow,
	  "one bulk transfer of $PCAPGEN_SEGMENTS segments (plot memory test)" },
	{ "ts-extreme", "pcapng", sc_ts_extreme,
	  "if_tsresol 0, stamps 2^40 s (libpcap)" },
	{ "ts-extreme-multi", "pcapng", sc_ts_extreme_multi,
	  "the same and an if_tsoffset of -2^62 s (own reader)" },
	{ NULL, NULL, NULL, NULL },
};

/* ---- Table and main ----------------------------------------------------- */

static const struct scenario scenarios[] = {
	{ "syn-close-client", "pcap", sc_close_client,
	  "3-way handshake, request/response, client closes first" },
	{ "syn-close-server", "pcap", sc_close_server,
	  "server closes first; 4-segment and 3-segment (FIN+ACK) closes" },
	{ "syn-refused", "pcap", sc_refused, "two SYNs answered by RST+ACK" },
	{ "syn-unanswered", "pcap", sc_unanswered,
	  "SYN and two retransmissions, no answer" },
	{ "syn-simultaneous-open", "pcap", sc_simultaneous_open,
	  "crossing SYNs, each answered by SYN+ACK; client closes" },
	{ "syn-simultaneous-open-2", "pcap", sc_simultaneous_open2,
	  "crossing SYNs, SYN+ACKs in the other order; server side closes" },
	{ "syn-simultaneous-close", "pcap", sc_simultaneous_close,
	  "crossing FINs: both sides pass CLOSING" },
	{ "syn-rst-in-window", "pcap", sc_rst_in_window,
	  "reset at rcv.nxt by the server, then by the client" },
	{ "syn-rst-out-of-window", "pcap", sc_rst_out_of_window,
	  "RST outside the window and RST in window but not exact: ignored" },
	{ "syn-seq-wrap", "pcap", sc_seq_wrap,
	  "ISNs near 2^32, data and a retransmission across the wrap (ns)" },
	{ "syn-wscale", "pcap", sc_wscale,
	  "window scale 14, 15 (too big) and one-sided option" },
	{ "syn-tfo", "pcap", sc_tfo,
	  "TFO cookie request, then data on SYN acknowledged by SYN-ACK" },
	{ "syn-tfo-rejected", "pcap", sc_tfo_rejected,
	  "data on SYN not acknowledged by the SYN-ACK, sent again" },
	{ "syn-synack-first", "pcap", sc_synack_first,
	  "capture starts with the SYN-ACK (no SYN)" },
	{ "syn-capture-order", "pcap", sc_capture_order,
	  "records out of send order (SYN-ACK before SYN, ACK before data)" },
	{ "syn-duplicates", "pcap", sc_duplicates,
	  "every frame captured twice, 1 us apart" },
	{ "syn-ipv6-ext", "pcap", sc_ipv6_ext,
	  "IPv6 with hop-by-hop, routing, destination options; plain IPv6" },
	{ "syn-vlan", "pcap", sc_vlan,
	  "same 4-tuple on VLAN 100, VLAN 200 and QinQ 300.100" },
	{ "syn-sll", "pcap", sc_sll, "Linux cooked v1, IPv4 and IPv6" },
	{ "syn-sll2", "pcap", sc_sll2, "Linux cooked v2, IPv4 and IPv6" },
	{ "syn-null", "pcap", sc_null, "BSD NULL (AF_INET6 = 30)" },
	{ "syn-loop", "pcap", sc_loop, "OpenBSD LOOP (AF_INET6 = 24)" },
	{ "syn-raw", "pcap", sc_raw, "raw IP (LINKTYPE_RAW)" },
	{ "syn-pcapng-multi", "pcapng", sc_pcapng_multi,
	  "pcapng, ns timestamps, interfaces Ethernet, raw IP and SLL2" },
	{ "syn-truncated-file", "pcap", sc_truncated_file,
	  "file ends in the middle of a record" },
	{ "syn-snaplen", "pcap", sc_snaplen, "snaplen 80: payload cut" },
	{ "syn-half-close", "pcap", sc_half_close,
	  "client FIN after the request, server sends data after it" },
	{ "syn-loss-fast", "pcap", sc_loss_fast,
	  "segment lost, 3 duplicate ACKs with SACK, fast retransmission" },
	{ "syn-loss-rto", "pcap", sc_loss_rto,
	  "last segment lost, retransmitted after a timeout" },
	{ "syn-reorder", "pcap", sc_reorder,
	  "two data segments swapped by the network, seen at the receiver" },
	{ "syn-zero-window", "pcap", sc_zero_window,
	  "zero window, two 1-byte probes, window update" },
	{ "syn-keepalive", "pcap", sc_keepalive,
	  "three keep-alives (seq = snd.nxt - 1) and their ACKs" },
	{ "syn-port-reuse", "pcap", sc_port_reuse,
	  "same 4-tuple twice: closed, then a new connection reset" },
	{ "syn-midstream", "pcap", sc_midstream,
	  "capture starts mid-stream with a server segment" },
	{ "syn-retrans-syn-fin", "pcap", sc_retrans_syn_fin,
	  "SYN, FIN and SYN-ACK retransmissions" },
	{ "syn-many", "pcap", sc_many, "20 short connections" },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--list") == 0 ||
			  strcmp(argv[1], "--list-tests") == 0)) {
		const struct scenario *s = argv[1][6] ? test_scenarios
						       : scenarios;
		for (; s->name; s++)
			printf("%s %s %s\n", s->name, s->ext, s->what);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: pcapgen --list | pcapgen NAME OUTFILE\n");
		return 2;
	}
	if (strcmp(argv[1], "bench") == 0) {
		struct gen g;
		sc_bench(&g);
		return gen_write(&g, argv[2]);
	}
	const struct scenario *tables[] = { scenarios, test_scenarios };
	for (size_t t = 0; t < 2; t++)
		for (const struct scenario *s = tables[t]; s->name; s++) {
			if (strcmp(s->name, argv[1]) != 0)
				continue;
			struct gen g;
			s->fn(&g);
			return gen_write(&g, argv[2]);
		}
	fprintf(stderr, "pcapgen: no scenario '%s' (see --list)\n", argv[1]);
	return 2;
}
