/*
 * pcapwrap.c - rewrites the frames of an Ethernet capture the way networks
 * deliver them, for the tests of issue 15 (tests/t_inputs.sh): the result
 * must give the same connections as the original.
 *
 *   pcapwrap frag SIZE[FLAGS] IN OUT   IP-fragments every TCP datagram whose
 *                                      IP payload is longer than SIZE bytes
 *                                      (a multiple of 8) into SIZE-byte
 *                                      pieces; FLAGS: r (pieces in reverse
 *                                      order), d (each piece twice), o (an
 *                                      extra piece overlapping the first
 *                                      one's data with other bytes)
 *   pcapwrap flood K IN OUT            before every frame, K first fragments
 *                                      (MF set, TCP, distinct ids) of
 *                                      datagrams that never complete
 *   pcapwrap encap KIND IN OUT         every frame inside a tunnel: gre
 *                                      (IP in GRE), gre-key, gre-teb
 *                                      (Ethernet in GRE), erspan2, erspan3,
 *                                      vxlan, geneve, ipip (IPv4 in IPv4,
 *                                      IPv6 in IPv6), 6in4 (IPv6 and IPv4
 *                                      in IPv4), llc (802.3 LLC/SNAP),
 *                                      vxlan-twice (every frame twice: in
 *                                      VNI 4242, then again in VNI 4343,
 *                                      two tenants with the same traffic)
 *   pcapwrap split K IN OUT            K parts of about equal record counts,
 *                                      OUT0, OUT1, ... (tcpdump -C style
 *                                      rotation, each part a whole pcap
 *                                      file with the same header)
 *
 * Frames that are not Ethernet + optional 802.1Q tags + IPv4/IPv6 are
 * copied unchanged (and never fragmented). Timestamps and record order
 * are kept (a datagram's pieces all carry its timestamp); the output is
 * nanosecond pcap. On stdout: "datagrams N fragments M" for frag, the
 * count of frames wrapped for encap. Deterministic: no clock, no random.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 70000

static pcap_dumper_t *out;
static pcap_t *dead;

static void emit(const struct pcap_pkthdr *h0, const uint8_t *p, size_t n)
{
	struct pcap_pkthdr h = *h0;
	h.caplen = (bpf_u_int32)n;
	h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)out, &h, p);
}

/* The same for a frame of which n bytes of wire bytes were captured. */
static void emit_cut(const struct pcap_pkthdr *h0, const uint8_t *p,
		     size_t n, size_t wire)
{
	struct pcap_pkthdr h = *h0;
	h.caplen = (bpf_u_int32)n;
	h.len = (bpf_u_int32)wire;
	pcap_dump((u_char *)out, &h, p);
}

static void w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, v >> 16);
	w16(p + 2, v & 0xffff);
}

static unsigned r16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Offset of the IP header in an Ethernet frame (after 802.1Q tags) and
 * its version, or 0. */
static size_t ip_at(const uint8_t *p, size_t n, int *ver)
{
	size_t off = 12;
	while (off + 2 <= n && (r16(p + off) == 0x8100 || r16(p + off) == 0x88a8))
		off += 4;
	if (off + 2 > n)
		return 0;
	unsigned t = r16(p + off);
	off += 2;
	if (t == 0x0800 && off + 20 <= n && p[off] >> 4 == 4)
		*ver = 4;
	else if (t == 0x86dd && off + 40 <= n && p[off] >> 4 == 6)
		*ver = 6;
	else
		return 0;
	return off;
}

/* ---- frag and flood ------------------------------------------------------ */

static uint32_t frag_id = 0x1000;
static unsigned long n_dgrams, n_frags;

/* The IPv6 header chain up to TCP: length of the unfragmentable part
 * (everything before TCP) and offset of the next-header byte naming TCP,
 * or 0 when the chain does not end in TCP. */
static size_t v6_chain(const uint8_t *ip, size_t n, size_t *nh_off)
{
	size_t off = 40, nhp = 6;
	uint8_t nh = ip[6];
	for (int i = 0; i < 8; i++) {
		if (nh == 6) {
			*nh_off = nhp;
			return off;
		}
		if (nh != 0 && nh != 43 && nh != 60)
			return 0;
		if (off + 2 > n)
			return 0;
		nhp = off;
		nh = ip[off];
		off += ((size_t)ip[off + 1] + 1) * 8;
	}
	return 0;
}

/* One piece [off, off + len) of the datagram's data; more: MF. */
static void piece(const struct pcap_pkthdr *h, const uint8_t *f, size_t ipo,
		  int ver, size_t hl, size_t nh_off, const uint8_t *data,
		  size_t off, size_t len, int more)
{
	static uint8_t b[MAXF];
	memcpy(b, f, ipo + hl);
	uint8_t *ip = b + ipo;
	size_t n;
	if (ver == 4) {
		w16(ip + 2, (unsigned)(hl + len));
		w16(ip + 4, frag_id & 0xffff);
		w16(ip + 6, (unsigned)(off / 8) | (more ? 0x2000u : 0));
		memcpy(ip + hl, data + off, len);
		n = ipo + hl + len;
	} else {
		uint8_t *fh = ip + hl;
		fh[0] = 6; /* TCP */
		fh[1] = 0;
		w16(fh + 2, (unsigned)off | (more ? 1u : 0));
		w32(fh + 4, frag_id);
		ip[nh_off] = 44;
		w16(ip + 4, (unsigned)(hl - 40 + 8 + len));
		memcpy(fh + 8, data + off, len);
		n = ipo + hl + 8 + len;
	}
	emit(h, b, n);
	n_frags++;
}

static int frag_frame(const struct pcap_pkthdr *h, const uint8_t *f,
		      size_t size, const char *flags)
{
	int ver;
	size_t ipo = ip_at(f, h->caplen, &ver);
	if (!ipo || h->caplen != h->len)
		return 0;
	const uint8_t *ip = f + ipo;
	size_t hl, nh_off = 0, tot;
	if (ver == 4) {
		hl = (size_t)(ip[0] & 15) * 4;
		tot = r16(ip + 2);
		if (ip[9] != 6 || (r16(ip + 6) & 0x3fff) || tot < hl)
			return 0;
	} else {
		hl = v6_chain(ip, h->caplen - ipo, &nh_off);
		tot = 40 + r16(ip + 4);
		if (!hl || tot < hl)
			return 0;
	}
	if (ipo + tot > h->caplen)
		return 0;
	size_t dlen = tot - hl;
	if (dlen <= size)
		return 0;
	const uint8_t *data = ip + hl;
	size_t np = (dlen + size - 1) / size;
	int rev = strchr(flags, 'r') != NULL, dup = strchr(flags, 'd') != NULL;
	if (strchr(flags, 'o')) {
		/* Other bytes over the second half of the first piece and
		 * the start of the second: an overlap. */
		static uint8_t junk[MAXF];
		memset(junk, 0xee, sizeof junk);
		piece(h, f, ipo, ver, hl, nh_off, junk, size / 2 / 8 * 8, size,
		      1);
	}
	for (size_t k = 0; k < np; k++) {
		size_t i = rev ? np - 1 - k : k;
		size_t off = i * size;
		size_t len = off + size > dlen ? dlen - off : size;
		for (int t = 0; t <= dup; t++)
			piece(h, f, ipo, ver, hl, nh_off, data, off, len,
			      i + 1 < np);
	}
	frag_id++;
	n_dgrams++;
	return 1;
}

/* A first fragment of a datagram that never completes. */
static void bogus(const struct pcap_pkthdr *h, unsigned long i)
{
	uint8_t b[14 + 20 + 64];
	memset(b, 0, sizeof b);
	memcpy(b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	uint8_t *ip = b + 14;
	ip[0] = 0x45;
	w16(ip + 2, 20 + 64);
	w16(ip + 4, (unsigned)(i & 0xffff));
	w16(ip + 6, 0x2000); /* MF, offset 0 */
	ip[8] = 64;
	ip[9] = 6;
	w32(ip + 12, 0x0a630000u | (uint32_t)(i >> 16)); /* 10.99.x.x */
	w32(ip + 16, 0x0a640001u);
	emit(h, b, sizeof b);
}

/* ---- encap --------------------------------------------------------------- */

/* Outer Ethernet + IPv4 header (protocol proto, payload plen) at b;
 * returns its length. */
static size_t outer4(uint8_t *b, unsigned proto, size_t plen)
{
	memcpy(b, "\x02\0\0\0\0\x0a\x02\0\0\0\0\x0b\x08\x00", 14);
	uint8_t *ip = b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	w16(ip + 2, (unsigned)(20 + plen));
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	w32(ip + 12, 0xc0000201u); /* 192.0.2.1 -> 192.0.2.2 */
	w32(ip + 16, 0xc0000202u);
	return 34;
}

/* Outer Ethernet + IPv6 header (next header nh, payload plen). */
static size_t outer6(uint8_t *b, unsigned nh, size_t plen)
{
	memcpy(b, "\x02\0\0\0\0\x0a\x02\0\0\0\0\x0b\x86\xdd", 14);
	uint8_t *ip = b + 14;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	w16(ip + 4, (unsigned)plen);
	ip[6] = (uint8_t)nh;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8;
	ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8;
	ip[39] = 2;
	return 54;
}

static size_t udp(uint8_t *b, unsigned dport, size_t plen)
{
	w16(b, 49152);
	w16(b + 2, dport);
	w16(b + 4, (unsigned)(8 + plen));
	w16(b + 6, 0);
	return 8;
}

static unsigned vxlan_vni = 4242; /* VNI of the vxlan kind */

static int encap_frame(const struct pcap_pkthdr *h, const uint8_t *f,
		       const char *kind, unsigned long n)
{
	static uint8_t b[MAXF + 256];
	int ver;
	size_t ipo = ip_at(f, h->caplen, &ver);
	size_t len = h->caplen, o = 0;
	uint8_t hdr[64];
	size_t hn = 0;
	const uint8_t *in = f; /* what goes inside: the frame, or its IP */
	size_t inlen = len;
	unsigned proto = 0x6558; /* GRE protocol for a whole frame */
	if (!strcmp(kind, "gre") || !strcmp(kind, "gre-key") ||
	    !strcmp(kind, "ipip") || !strcmp(kind, "6in4")) {
		if (!ipo)
			return 0;
		in = f + ipo;
		inlen = len - ipo;
		proto = ver == 4 ? 0x0800 : 0x86dd;
	}
	if (!strcmp(kind, "gre")) {
		w16(hdr, 0), w16(hdr + 2, proto), hn = 4;
	} else if (!strcmp(kind, "gre-key")) {
		w16(hdr, 0x2000), w16(hdr + 2, proto), w32(hdr + 4, 77), hn = 8;
	} else if (!strcmp(kind, "gre-teb")) {
		/* checksum present (value unchecked), key */
		w16(hdr, 0xa000), w16(hdr + 2, 0x6558), w32(hdr + 4, 0);
		w32(hdr + 8, 99), hn = 12;
	} else if (!strcmp(kind, "erspan2")) {
		/* GRE with sequence number, then ERSPAN II: ver 1, VLAN 0,
		 * COS/En/T, session 5, reserved, index. */
		w16(hdr, 0x1000), w16(hdr + 2, 0x88be), w32(hdr + 4, (uint32_t)n);
		w16(hdr + 8, 0x1000), w16(hdr + 10, 5), w32(hdr + 12, 0);
		hn = 16;
	} else if (!strcmp(kind, "erspan3")) {
		/* GRE with sequence number, ERSPAN III (12 bytes, O set)
		 * and its 8-byte platform subheader. */
		w16(hdr, 0x1000), w16(hdr + 2, 0x22eb), w32(hdr + 4, (uint32_t)n);
		w16(hdr + 8, 0x2000), w16(hdr + 10, 6), w32(hdr + 12, 12345);
		w16(hdr + 16, 0), w16(hdr + 18, 0x0001);
		memset(hdr + 20, 0, 8);
		hn = 28;
	} else if (!strcmp(kind, "vxlan")) {
		memset(hdr, 0, 8);
		hdr[0] = 0x08;
		w32(hdr + 4, vxlan_vni << 8);
		hn = 8;
	} else if (!strcmp(kind, "geneve")) {
		/* version 0, 8 bytes of options, protocol Ethernet, VNI. */
		hdr[0] = 2, hdr[1] = 0, w16(hdr + 2, 0x6558); /* 8 option bytes */
		w32(hdr + 4, 4243u << 8);
		w16(hdr + 8, 0x0104), hdr[10] = 0x01, hdr[11] = 1; /* class, type, len 1 */
		w32(hdr + 12, 0xdeadbeef);
		hn = 16;
	} else if (!strcmp(kind, "ipip") || !strcmp(kind, "6in4")) {
		hn = 0;
	} else if (!strcmp(kind, "llc")) {
		/* 802.3: the type field becomes a length, LLC/SNAP carries
		 * the type. Only untagged frames of at most 1500 bytes. */
		if (len < 14 || len - 14 + 8 > 1500 || r16(f + 12) == 0x8100)
			return 0;
		memcpy(b, f, 12);
		w16(b + 12, (unsigned)(len - 14 + 8));
		memcpy(b + 14, "\xaa\xaa\x03\x00\x00\x00", 6);
		memcpy(b + 20, f + 12, 2);
		memcpy(b + 22, f + 14, len - 14);
		emit(h, b, len + 8);
		return 1;
	} else {
		fprintf(stderr, "pcapwrap: no encapsulation '%s'\n", kind);
		exit(2);
	}
	/* A frame cut by the snap length: the outer headers give the
	 * lengths on the wire, and the copy is cut as much. */
	size_t cut = h->len > h->caplen ? h->len - h->caplen : 0;
	size_t inwire = inlen + cut;
	if (!strcmp(kind, "vxlan") || !strcmp(kind, "geneve")) {
		size_t pl = 8 + hn + inwire;
		o = outer4(b, 17, pl);
		o += udp(b + o, kind[0] == 'v' ? 4789 : 6081, hn + inwire);
	} else if (!strcmp(kind, "ipip")) {
		o = ver == 4 ? outer4(b, 4, inwire) : outer6(b, 41, inwire);
	} else if (!strcmp(kind, "6in4")) {
		o = outer4(b, ver == 4 ? 4 : 41, inwire);
	} else if (n % 2) {
		o = outer6(b, 47, hn + inwire); /* GRE over IPv6 every other */
	} else {
		o = outer4(b, 47, hn + inwire);
	}
	memcpy(b + o, hdr, hn);
	memcpy(b + o + hn, in, inlen);
	emit_cut(h, b, o + hn + inlen, o + hn + inwire);
	return 1;
}

/* split K IN OUT: the records of IN in K files OUT0..OUT(K-1). */
static int split(unsigned long k, const char *in, const char *outp)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
		in, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p || k < 1 || k > 100) {
		fprintf(stderr, "pcapwrap: %s\n", p ? "K from 1 to 100" : err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long total = 0, n = 0, part = 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		total++;
	pcap_close(p);
	p = pcap_open_offline_with_tstamp_precision(in,
						    PCAP_TSTAMP_PRECISION_NANO,
						    err);
	pcap_dumper_t *o = NULL;
	char name[4096];
	while (p && pcap_next_ex(p, &h, &d) == 1) {
		if (!o || (part + 1 < k && n >= (part + 1) * total / k)) {
			if (o) {
				pcap_dump_close(o);
				part++;
			}
			snprintf(name, sizeof name, "%s%lu", outp, part);
			if (!(o = pcap_dump_open(p, name))) {
				fprintf(stderr, "pcapwrap: cannot write %s\n",
					name);
				return 1;
			}
		}
		pcap_dump((u_char *)o, h, d);
		n++;
	}
	if (o)
		pcap_dump_close(o);
	if (p)
		pcap_close(p);
	printf("%lu\n", part + 1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "split"))
		return split(strtoul(argv[2], NULL, 10), argv[3], argv[4]);
	if (argc != 5) {
		fprintf(stderr, "usage: pcapwrap frag SIZE[rdo] | flood K | "
				"encap KIND  IN OUT\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(
		argv[3], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcapwrap: %s\n", err);
		return 1;
	}
	dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(p), 262144,
						    PCAP_TSTAMP_PRECISION_NANO);
	out = dead ? pcap_dump_open(dead, argv[4]) : NULL;
	if (!out) {
		fprintf(stderr, "pcapwrap: cannot write %s\n", argv[4]);
		return 1;
	}
	char *flags = NULL;
	unsigned long arg = strtoul(argv[2], &flags, 10);
	int frag = !strcmp(argv[1], "frag"), flood = !strcmp(argv[1], "flood");
	if (frag && (arg < 8 || arg % 8)) {
		fprintf(stderr, "pcapwrap: SIZE must be a multiple of 8\n");
		return 2;
	}
	int ether = pcap_datalink(p) == DLT_EN10MB;
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long n = 0, done = 0, b = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		int took = 0;
		if (ether && frag)
			took = frag_frame(h, d, arg, flags);
		else if (ether && flood)
			for (unsigned long k = 0; k < arg; k++)
				bogus(h, b++);
		else if (ether && !strcmp(argv[2], "vxlan-twice")) {
			vxlan_vni = 4242;
			took = encap_frame(h, d, "vxlan", n);
			if (took) {
				vxlan_vni = 4343;
				encap_frame(h, d, "vxlan", n);
			}
		} else if (ether)
			took = encap_frame(h, d, argv[1][0] == 'e' ? argv[2] : "",
					   n);
		if (!took)
			pcap_dump((u_char *)out, h, d);
		done += (unsigned long)took;
		n++;
	}
	pcap_dump_close(out);
	pcap_close(dead);
	pcap_close(p);
	if (frag)
		printf("datagrams %lu fragments %lu\n", n_dgrams, n_frags);
	else
		printf("%lu\n", flood ? b : done);
	return 0;
}
