/*
 * test_defrag.c - IP reassembly (analyzer/capture/defrag.c) on fragments
 * cut by hand from one datagram, in the decoder's own description
 * (dec_frame_frag() on real frames, so decoder and reassembler agree):
 * in order, in reverse, duplicated; the overlap policy (an exact repeat is
 * ignored, any other overlap drops the datagram); the bounds (a full table
 * evicts its oldest datagram, an incomplete one times out after 30 s of
 * capture time, a datagram past 65535 bytes or with a non-final piece not
 * a multiple of 8 is dropped); IPv6 with an extension header before the
 * fragment header; a snapped piece; non-TCP fragments left alone.
 */
#include <stdlib.h>

#include "../analyzer/capture/decode.h"
#include "../analyzer/capture/defrag.h"
#include "unit.h"

#define S 1000000000LL

static void w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A TCP SYN with 40 bytes of payload in raw IPv4 (id 7): the datagram. */
static size_t datagram4(uint8_t *b)
{
	memset(b, 0, 100);
	b[0] = 0x45;
	w16(b + 2, 100);
	w16(b + 4, 7);
	b[8] = 64;
	b[9] = 6;
	b[12] = 10, b[15] = 1, b[16] = 10, b[19] = 2;
	uint8_t *t = b + 20;
	w16(t, 40000), w16(t + 2, 80);
	t[7] = 1;     /* seq 1 */
	t[12] = 0x50; /* 20-byte header */
	t[13] = 0x02; /* SYN */
	w16(t + 14, 8192);
	for (int i = 40; i < 80; i++)
		b[i] = (uint8_t)i;
	return 100;
}

/* Piece [off, off + len) of the 80 data bytes of d, as a raw IPv4 frame
 * in f; describes it into *fr. */
static void piece4(const uint8_t *d, size_t off, size_t len, int more,
		   uint8_t *f, struct dec_frag *fr)
{
	memcpy(f, d, 20);
	w16(f + 2, (unsigned)(20 + len));
	w16(f + 6, (unsigned)(off / 8) | (more ? 0x2000u : 0));
	memcpy(f + 20, d + 20 + off, len);
	struct tc_segment seg;
	memset(&seg, 0, sizeof seg);
	enum dec_result r = dec_frame_frag(12, f, 20 + len, 20 + len, &seg, fr);
	if (r != DEC_FRAGMENT)
		fr->family = 0;
}

/* Feeds pieces (off, len) in the order given; returns what the last call
 * returned, with the datagram in *dg. */
static int feed(struct dfg *g, const uint8_t *d, const size_t (*pc)[2],
		int n, int64_t ts, const uint8_t **dg, size_t *cap,
		size_t *wire)
{
	static uint8_t f[64][200];
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct dec_frag fr;
		piece4(d, pc[i][0], pc[i][1], pc[i][0] + pc[i][1] < 80, f[i],
		       &fr);
		if (fr.family == 0)
			return -9;
		rc = dfg_add(g, &fr, ts, dg, cap, wire);
	}
	return rc;
}

/* The reassembled datagram decodes as the original does. */
static int same_segment(const uint8_t *a, size_t alen, const uint8_t *b,
			size_t blen)
{
	struct tc_segment x, y;
	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	return dec_frame(12, a, alen, alen, &x) == DEC_TCP &&
	       dec_frame(12, b, blen, blen, &y) == DEC_TCP &&
	       x.seq == y.seq && x.flags == y.flags &&
	       x.payload_len == y.payload_len &&
	       x.payload_hash == y.payload_hash && x.csum == y.csum &&
	       alen == blen;
}

static void t_in_order_and_reverse(void)
{
	uint8_t d[100];
	datagram4(d);
	static const size_t fwd[][2] = { { 0, 24 }, { 24, 24 }, { 48, 32 } };
	static const size_t rev[][2] = { { 48, 32 }, { 24, 24 }, { 0, 24 } };
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	CHECK_EQ(feed(g, d, fwd, 3, S, &dg, &cap, &wire), 1);
	CHECK(same_segment(dg, cap, d, 100));
	CHECK_EQ(wire, 100);
	CHECK_EQ(feed(g, d, rev, 3, S, &dg, &cap, &wire), 1);
	CHECK(same_segment(dg, cap, d, 100));
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.fragments, 6);
	CHECK_EQ(st.reassembled, 2);
	dfg_free(g);
}

static void t_duplicate_ignored(void)
{
	uint8_t d[100];
	datagram4(d);
	static const size_t pc[][2] = { { 0, 24 }, { 0, 24 }, { 24, 24 },
					{ 48, 32 } };
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	CHECK_EQ(feed(g, d, pc, 4, S, &dg, &cap, &wire), 1);
	CHECK(same_segment(dg, cap, d, 100));
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.duplicates, 1);
	dfg_free(g);
}

static void t_overlap_drops(void)
{
	uint8_t d[100];
	datagram4(d);
	/* 16..40 overlaps 0..24 and 24..48 partly. */
	static const size_t pc[][2] = { { 0, 24 }, { 16, 24 }, { 24, 24 },
					{ 48, 32 } };
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	CHECK_EQ(feed(g, d, pc, 4, S, &dg, &cap, &wire), 0);
	dfg_finish(g);
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.overlaps, 1);
	CHECK_EQ(st.reassembled, 0);
	CHECK_EQ(st.timed_out, 1); /* the pieces after the drop */
	dfg_free(g);
}

static void t_timeout(void)
{
	uint8_t d[100];
	datagram4(d);
	static const size_t a[][2] = { { 0, 24 } };
	static const size_t b[][2] = { { 24, 24 }, { 48, 32 } };
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	CHECK_EQ(feed(g, d, a, 1, S, &dg, &cap, &wire), 0);
	/* 30 s later it still completes; 31 s later it is gone. */
	CHECK_EQ(feed(g, d, b, 2, 31 * S, &dg, &cap, &wire), 1);
	CHECK_EQ(feed(g, d, a, 1, 40 * S, &dg, &cap, &wire), 0);
	CHECK_EQ(feed(g, d, b, 2, 71 * S + 1, &dg, &cap, &wire), 0);
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.timed_out, 1);
	CHECK_EQ(st.reassembled, 1);
	/* A clock going back expires nothing. */
	CHECK_EQ(feed(g, d, a, 1, 200 * S, &dg, &cap, &wire), 0);
	CHECK_EQ(feed(g, d, b, 2, 2 * S, &dg, &cap, &wire), 1);
	dfg_free(g);
}

static void t_table_full_evicts_oldest(void)
{
	uint8_t d[100];
	datagram4(d);
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	static const size_t first[][2] = { { 0, 24 } };
	static const size_t rest[][2] = { { 24, 24 }, { 48, 32 } };
	/* DFG_SLOTS + 10 datagrams started, ids 0.. */
	for (unsigned i = 0; i < DFG_SLOTS + 10; i++) {
		w16(d + 4, i);
		CHECK_EQ(feed(g, d, first, 1, S, &dg, &cap, &wire), 0);
	}
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.evicted, 10);
	/* The oldest are gone, the newest complete. */
	w16(d + 4, 0);
	CHECK_EQ(feed(g, d, rest, 2, S, &dg, &cap, &wire), 0);
	w16(d + 4, DFG_SLOTS + 9);
	CHECK_EQ(feed(g, d, rest, 2, S, &dg, &cap, &wire), 1);
	dfg_free(g);
}

static void t_impossible_dropped(void)
{
	uint8_t d[100];
	datagram4(d);
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	/* A non-final piece of 20 bytes (not a multiple of 8). */
	uint8_t f[200];
	struct dec_frag fr;
	piece4(d, 0, 20, 1, f, &fr);
	CHECK(fr.family == 4);
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), 0);
	/* A piece ending past 65535. */
	piece4(d, 0, 24, 1, f, &fr);
	fr.offset = 65528;
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), 0);
	struct dfg_stats st;
	dfg_get_stats(g, &st);
	CHECK_EQ(st.dropped, 2);
	dfg_free(g);
}

static void t_not_tcp(void)
{
	uint8_t d[100];
	datagram4(d);
	d[9] = 17;
	uint8_t f[200];
	struct dec_frag fr;
	piece4(d, 0, 24, 1, f, &fr);
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), -1);
	dfg_free(g);
}

/* A snapped middle piece: the datagram comes back with its length from
 * the headers and the bytes captured up to the snap. */
static void t_snapped(void)
{
	uint8_t d[100];
	datagram4(d);
	struct dfg *g = dfg_new();
	const uint8_t *dg;
	size_t cap, wire;
	uint8_t f[3][200];
	struct dec_frag fr;
	struct tc_segment seg;
	piece4(d, 0, 24, 1, f[0], &fr);
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), 0);
	piece4(d, 24, 24, 1, f[1], &fr);
	/* captured: 20 + 10 of 20 + 24 */
	CHECK_EQ(dec_frame_frag(12, f[1], 30, 44, &seg, &fr), DEC_FRAGMENT);
	CHECK_EQ(fr.caplen, 10);
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), 0);
	piece4(d, 48, 32, 0, f[2], &fr);
	CHECK_EQ(dfg_add(g, &fr, S, &dg, &cap, &wire), 1);
	CHECK_EQ(wire, 100);
	CHECK_EQ(cap, 20 + 24 + 10);
	memset(&seg, 0, sizeof seg);
	CHECK_EQ(dec_frame(12, dg, cap, wire, &seg), DEC_TCP);
	CHECK_EQ(seg.payload_len, 60);
	CHECK_EQ(seg.payload_caplen, 14);
	dfg_free(g);
}

/* IPv6 with a destination options header before the fragment header: the
 * option header's next-header byte is patched to TCP. */
static void t_ipv6_ext(void)
{
	uint8_t tcp[40];
	memset(tcp, 0, sizeof tcp);
	w16(tcp, 40001), w16(tcp + 2, 443);
	tcp[12] = 0x50, tcp[13] = 0x02;
	for (int i = 20; i < 40; i++)
		tcp[i] = (uint8_t)(0x30 + i);
	uint8_t whole[40 + 8 + 40];
	memset(whole, 0, sizeof whole);
	whole[0] = 0x60;
	w16(whole + 4, 8 + 40);
	whole[6] = 60; /* destination options */
	whole[7] = 64;
	whole[8] = 0x20, whole[23] = 1, whole[24] = 0x20, whole[39] = 2;
	whole[40] = 6; /* then TCP */
	memcpy(whole + 48, tcp, 40);
	struct dfg *g = dfg_new();
	const uint8_t *dg = NULL;
	size_t cap = 0, wire = 0;
	int rc = 0;
	for (int k = 1; k >= 0; k--) { /* the second piece first */
		uint8_t f[200];
		size_t off = (size_t)k * 24, len = k ? 16 : 24;
		memcpy(f, whole, 48);
		f[40] = 44;
		w16(f + 4, (unsigned)(8 + 8 + len));
		uint8_t *fh = f + 48;
		fh[0] = 6, fh[1] = 0;
		w16(fh + 2, (unsigned)off | (k ? 0u : 1u));
		fh[4] = 0, fh[5] = 0, fh[6] = 0x12, fh[7] = 0x34;
		memcpy(fh + 8, tcp + off, len);
		struct tc_segment seg;
		struct dec_frag fr;
		memset(&seg, 0, sizeof seg);
		CHECK_EQ(dec_frame_frag(12, f, 56 + len, 56 + len, &seg, &fr),
			 DEC_FRAGMENT);
		CHECK_EQ(fr.family, 6);
		CHECK_EQ(fr.hdr_len, 48);
		CHECK_EQ(fr.nh_off, 40);
		CHECK_EQ(fr.id, 0x1234);
		rc = dfg_add(g, &fr, S, &dg, &cap, &wire);
	}
	CHECK_EQ(rc, 1);
	CHECK_EQ(cap, sizeof whole);
	CHECK(memcmp(dg, whole, sizeof whole) == 0);
	dfg_free(g);
}

static const struct unit_test tests[] = {
	UNIT(t_in_order_and_reverse),
	UNIT(t_duplicate_ignored),
	UNIT(t_overlap_drops),
	UNIT(t_timeout),
	UNIT(t_table_full_evicts_oldest),
	UNIT(t_impossible_dropped),
	UNIT(t_not_tcp),
	UNIT(t_snapped),
	UNIT(t_ipv6_ext),
	{ NULL, NULL },
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
