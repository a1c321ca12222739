/*
 * test_pcapng.c - the fallback pcapng reader (analyzer/capture/pcapng.c) on files
 * built byte by byte here: both byte orders, if_tsresol as a power of 10
 * and of 2, if_tsoffset, several sections, simple packet blocks, mixed link
 * types, and every kind of damage the reader checks (bad lengths, a
 * trailer that differs, a packet longer than its block, an unknown
 * interface). A truncation sweep reads every prefix of a good file: the
 * answer is some packets and then a clean end (at a block boundary) or an
 * error, never a crash.
 */
#include <stdlib.h>
#include <unistd.h>

#include "../analyzer/capture/pcapng.h"
#include "unit.h"

struct buf {
	uint8_t b[4096];
	size_t n;
	int be;           /* write big-endian */
	size_t ends[16];  /* where each block ends */
	size_t nends;
};

static void p8(struct buf *w, uint8_t v)
{
	if (w->n < sizeof w->b)
		w->b[w->n++] = v;
}

static void p16(struct buf *w, uint16_t v)
{
	if (w->be) {
		p8(w, (uint8_t)(v >> 8));
		p8(w, (uint8_t)v);
	} else {
		p8(w, (uint8_t)v);
		p8(w, (uint8_t)(v >> 8));
	}
}

static void p32(struct buf *w, uint32_t v)
{
	if (w->be) {
		p16(w, (uint16_t)(v >> 16));
		p16(w, (uint16_t)v);
	} else {
		p16(w, (uint16_t)v);
		p16(w, (uint16_t)(v >> 16));
	}
}

/* Patches the total length at both ends of the block starting at start. */
static void end_block(struct buf *w, size_t start)
{
	uint32_t len = (uint32_t)(w->n + 4 - start);
	p32(w, len);
	size_t save = w->n;
	w->n = start + 4;
	p32(w, len);
	w->n = save;
	if (w->nends < 16)
		w->ends[w->nends++] = w->n;
}

/* A section header block up to its options: end_block() ends it. */
static size_t shb_begin(struct buf *w)
{
	size_t s = w->n;
	p32(w, 0x0A0D0D0A);
	p32(w, 0);
	p32(w, 0x1A2B3C4D);
	p16(w, 1);
	p16(w, 0);
	p32(w, 0xffffffff); /* section length unknown */
	p32(w, 0xffffffff);
	return s;
}

static void shb(struct buf *w)
{
	end_block(w, shb_begin(w));
}

/* tsresol < 0: no option. tsoffset != 0: an if_tsoffset option. */
static void idb(struct buf *w, uint16_t lt, uint32_t snap, int tsresol,
		int64_t tsoffset)
{
	size_t s = w->n;
	p32(w, 1);
	p32(w, 0);
	p16(w, lt);
	p16(w, 0);
	p32(w, snap);
	if (tsresol >= 0) {
		p16(w, 9);
		p16(w, 1);
		p8(w, (uint8_t)tsresol);
		p8(w, 0);
		p8(w, 0);
		p8(w, 0);
	}
	if (tsoffset) {
		p16(w, 14);
		p16(w, 8);
		uint64_t v = (uint64_t)tsoffset;
		/* A u64 in the section's byte order. */
		if (w->be) {
			p32(w, (uint32_t)(v >> 32));
			p32(w, (uint32_t)v);
		} else {
			p32(w, (uint32_t)v);
			p32(w, (uint32_t)(v >> 32));
		}
	}
	p16(w, 0);
	p16(w, 0);
	end_block(w, s);
}

/* An enhanced packet block up to its options: end_block() ends it. */
static size_t epb_begin(struct buf *w, uint32_t ifid, uint64_t ts,
			uint32_t caplen, uint32_t wirelen, uint8_t fill)
{
	size_t s = w->n;
	p32(w, 6);
	p32(w, 0);
	p32(w, ifid);
	p32(w, (uint32_t)(ts >> 32));
	p32(w, (uint32_t)ts);
	p32(w, caplen);
	p32(w, wirelen);
	for (uint32_t i = 0; i < caplen; i++)
		p8(w, fill);
	while ((w->n - s) % 4)
		p8(w, 0);
	return s;
}

static void epb(struct buf *w, uint32_t ifid, uint64_t ts, uint32_t caplen,
		uint32_t wirelen, uint8_t fill)
{
	end_block(w, epb_begin(w, ifid, ts, caplen, wirelen, fill));
}

static void spb(struct buf *w, uint32_t wirelen, uint32_t stored)
{
	size_t s = w->n;
	p32(w, 3);
	p32(w, 0);
	p32(w, wirelen);
	for (uint32_t i = 0; i < stored; i++)
		p8(w, 0xab);
	while ((w->n - s) % 4)
		p8(w, 0);
	end_block(w, s);
}

static char path_[64];

static struct png *open_buf(const struct buf *w, size_t len)
{
	strcpy(path_, "/tmp/test_pcapng_XXXXXX");
	int fd = mkstemp(path_);
	if (fd < 0)
		return NULL;
	if (write(fd, w->b, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	char err[128];
	struct png *r = png_open(path_, err, sizeof err);
	return r;
}

static void done(struct png *r)
{
	png_close(r);
	unlink(path_);
}

/* Two interfaces of different link types, one with ns resolution and an
 * offset, in the given byte order. */
static void build_mixed(struct buf *w, int be)
{
	memset(w, 0, sizeof *w);
	w->be = be;
	shb(w);
	idb(w, 1, 65535, -1, 0);          /* Ethernet, microseconds */
	idb(w, 113, 262144, 9, 100);      /* Linux SLL, ns, +100 s */
	epb(w, 0, 1500000000123456ull, 60, 60, 0x11);
	epb(w, 1, 1500000000123456789ull, 5, 70, 0x22);
}

static void check_mixed(int be)
{
	struct buf w;
	build_mixed(&w, be);
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.linktype, 1);
	CHECK_EQ(p.iface, 0);
	CHECK_EQ(p.ts_ns, 1500000000123456000ll);
	CHECK_EQ(p.caplen, 60);
	CHECK_EQ(p.data[0], 0x11);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.linktype, 113);
	CHECK_EQ(p.iface, 1);
	CHECK_EQ(p.ts_ns, 1500000100123456789ll);
	CHECK_EQ(p.caplen, 5);
	CHECK_EQ(p.wirelen, 70);
	CHECK_EQ(p.data[4], 0x22);
	CHECK_EQ(png_next(r, &p), 0);
	CHECK_EQ(png_snaplen(r), 262144);
	int types[4], snap;
	CHECK_EQ(png_scan_linktypes(path_, types, 4, &snap), 2);
	CHECK_EQ(types[0], 1);
	CHECK_EQ(types[1], 113);
	CHECK_EQ(snap, 262144);
	done(r);
}

static void t_mixed_le(void)
{
	check_mixed(0);
}

static void t_mixed_be(void)
{
	check_mixed(1);
}

static void t_tsresol_pow2(void)
{
	struct buf w = { .n = 0 };
	shb(&w);
	idb(&w, 1, 0, 0x80 | 10, 0); /* 1/1024 s */
	epb(&w, 0, 1024ull * 7 + 512, 4, 4, 0);
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.ts_ns, 7500000000ll);
	done(r);
}

static void t_bad_tsresol(void)
{
	struct buf w = { .n = 0 };
	shb(&w);
	idb(&w, 1, 0, 20, 0); /* 10^-20: finer than we can represent */
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), -1);
	CHECK(strstr(png_errmsg(r), "if_tsresol") != NULL);
	done(r);
}

static void t_sections_reset_interfaces(void)
{
	struct buf w = { .n = 0 };
	shb(&w);
	idb(&w, 1, 0, -1, 0);
	idb(&w, 101, 0, -1, 0);
	epb(&w, 1, 1, 4, 4, 0);
	w.be = 1; /* the second section is big-endian */
	shb(&w);
	idb(&w, 0, 0, -1, 0);
	epb(&w, 0, 2, 4, 4, 0);
	epb(&w, 1, 3, 4, 4, 0); /* interface 1 is gone in this section */
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.linktype, 101);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.linktype, 0);
	CHECK_EQ(p.ts_ns, 2000);
	CHECK_EQ(png_next(r, &p), -1);
	CHECK(strstr(png_errmsg(r), "interface 1") != NULL);
	done(r);
}

static void t_simple_packet_block(void)
{
	struct buf w = { .n = 0 };
	shb(&w);
	idb(&w, 1, 8, -1, 0);
	spb(&w, 100, 12); /* 100 on the wire, 12 stored, snaplen 8 */
	spb(&w, 3, 3);
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.caplen, 8);
	CHECK_EQ(p.wirelen, 100);
	CHECK_EQ(p.ts_ns, 0);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.caplen, 3);
	CHECK_EQ(png_next(r, &p), 0);
	done(r);
}

static void t_prime(void)
{
	struct buf w;
	build_mixed(&w, 0);
	struct png *r = open_buf(&w, w.n);
	CHECK(r != NULL);
	CHECK_EQ(png_prime(r), 1);
	CHECK_EQ(png_prime(r), 1); /* idempotent */
	int types[4];
	CHECK_EQ(png_linktypes(r, types, 4), 2);
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.ts_ns, 1500000000123456000ll);
	CHECK_EQ(p.data[0], 0x11);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK_EQ(p.iface, 1);
	CHECK_EQ(png_next(r, &p), 0);
	done(r);
}

/* Damages the second EPB of the mixed file in one way; expects -1 after
 * exactly one good packet, with msg in the error. */
static int damaged(size_t off_from_blk, uint32_t value, const char *msg)
{
	struct buf w;
	build_mixed(&w, 0);
	/* Find the second EPB: walk the blocks. */
	size_t o = 0, seen = 0, blk = 0;
	while (o + 8 <= w.n) {
		uint32_t t = (uint32_t)w.b[o] | (uint32_t)w.b[o + 1] << 8;
		uint32_t l = (uint32_t)w.b[o + 4] | (uint32_t)w.b[o + 5] << 8;
		if (t == 6 && ++seen == 2) {
			blk = o;
			break;
		}
		o += l;
	}
	if (!blk)
		return 0;
	w.b[blk + off_from_blk] = (uint8_t)value;
	w.b[blk + off_from_blk + 1] = (uint8_t)(value >> 8);
	w.b[blk + off_from_blk + 2] = (uint8_t)(value >> 16);
	w.b[blk + off_from_blk + 3] = (uint8_t)(value >> 24);
	struct png *r = open_buf(&w, w.n);
	if (!r)
		return 0;
	struct png_packet p;
	int ok = png_next(r, &p) == 1 && png_next(r, &p) == -1 &&
		 strstr(png_errmsg(r), msg) != NULL;
	if (!ok)
		printf("  (error was \"%s\")\n", png_errmsg(r));
	done(r);
	return ok;
}

static void t_damage(void)
{
	CHECK(damaged(4, 13, "bad block length"));        /* not a multiple of 4 */
	CHECK(damaged(4, 8, "bad block length"));         /* below the minimum */
	CHECK(damaged(4, 0x7ffffff0, "bad block length")); /* above the maximum */
	CHECK(damaged(4, 36, "trailer"));                 /* header != trailer */
	CHECK(damaged(20, 1000, "exceeds its block"));    /* caplen too big */
	CHECK(damaged(8, 7, "interface 7"));              /* unknown interface */
	CHECK(damaged(4, 0x100000, "truncated"));         /* runs past the end */
}

static void t_not_pcapng(void)
{
	struct buf w = { .n = 0 };
	p32(&w, 0xa1b2c3d4);
	p32(&w, 0);
	strcpy(path_, "/tmp/test_pcapng_XXXXXX");
	int fd = mkstemp(path_);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, w.b, w.n), (ssize_t)w.n);
	close(fd);
	char err[128];
	int types[4];
	CHECK(png_open(path_, err, sizeof err) == NULL);
	CHECK_STR(err, "not a pcapng file");
	CHECK_EQ(png_scan_linktypes(path_, types, 4, NULL), 0);
	unlink(path_);
}

static void t_truncation_sweep(void)
{
	struct buf w;
	build_mixed(&w, 1);
	CHECK_EQ(w.nends, 5);
	for (size_t len = 0; len <= w.n; len++) {
		struct png *r = open_buf(&w, len);
		if (!r) {
			unlink(path_);
			CHECK(len < 4); /* only too short to hold the magic */
			continue;
		}
		struct png_packet p;
		int rc, n = 0;
		while ((rc = png_next(r, &p)) == 1 && n < 10)
			n++;
		int boundary = 0;
		for (size_t i = 0; i < w.nends; i++)
			boundary |= len == w.ends[i];
		if ((rc == 0) != boundary) {
			printf("FAIL t_truncation_sweep: len %zu rc %d\n", len, rc);
			unit_failed_ = 1;
		}
		done(r);
		if (unit_failed_)
			return;
	}
}

/* An option of a block being written: code, length, bytes, padding. */
static void opt_text(struct buf *w, uint16_t code, const char *s, size_t n)
{
	p16(w, code);
	p16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		p8(w, (uint8_t)s[i]);
	while (n++ % 4)
		p8(w, 0);
}

/* Section notes, interface names and packet comments are kept, in either
 * byte order, cut at PNG_MAX_TEXT and at a NUL; a packet whose options
 * run past its block keeps its data and loses only the comment. */
static void check_meta(int be)
{
	static char longtext[PNG_MAX_TEXT + 300];
	memset(longtext, 'x', sizeof longtext);
	struct buf *w = calloc(1, sizeof *w + 0);
	CHECK(w != NULL);
	if (!w)
		return;
	w->be = be;
	size_t s = shb_begin(w);
	opt_text(w, 1, "tap\x1b", 4);
	opt_text(w, 3, "Linux", 5);
	opt_text(w, 0, "", 0);
	end_block(w, s);
	s = w->n;
	p32(w, 1);
	p32(w, 0);
	p16(w, 1);
	p16(w, 0);
	p32(w, 65535);
	opt_text(w, 2, "eth0\0junk", 9);
	opt_text(w, 3, longtext, 1100);
	opt_text(w, 0, "", 0);
	end_block(w, s);
	/* A packet with a comment. */
	s = epb_begin(w, 0, 1, 3, 3, 1);
	opt_text(w, 1, "hello", 5);
	opt_text(w, 0, "", 0);
	end_block(w, s);
	/* Comments ended by a NUL and filled with junk (PcapPlusPlus's
	 * example file), and one that is only a NUL: cut at the NUL, as
	 * the other texts are; an empty one is none. */
	s = epb_begin(w, 0, 1, 3, 3, 1);
	opt_text(w, 1, "Packet #1\0xM9\x87\x0c", 15);
	opt_text(w, 0, "", 0);
	end_block(w, s);
	s = epb_begin(w, 0, 1, 3, 3, 1);
	opt_text(w, 1, "\0junk", 5);
	opt_text(w, 0, "", 0);
	end_block(w, s);
	/* A packet whose option claims more than its block holds. */
	s = epb_begin(w, 0, 2, 4, 4, 9);
	p16(w, 1);
	p16(w, 200);
	p32(w, 0);
	end_block(w, s);
	struct png *r = open_buf(w, w->n);
	CHECK(r != NULL);
	if (!r) {
		free(w);
		return;
	}
	struct png_packet p;
	CHECK_EQ(png_next(r, &p), 1);
	CHECK(p.comment != NULL && p.comment_len == 5 &&
	      memcmp(p.comment, "hello", 5) == 0);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK(p.comment != NULL && p.comment_len == 9 &&
	      memcmp(p.comment, "Packet #1", 9) == 0);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK(p.comment == NULL && p.comment_len == 0);
	CHECK_EQ(png_next(r, &p), 1);
	CHECK(p.comment == NULL);
	CHECK_EQ(p.caplen, 4);
	CHECK_EQ(p.data[3], 9);
	CHECK_EQ(png_next(r, &p), 0);
	CHECK_EQ(png_note_count(r), 2);
	CHECK_STR(png_note(r, 0)->kind, "comment");
	CHECK_STR(png_note(r, 0)->text, "tap\x1b");
	CHECK_STR(png_note(r, 1)->kind, "os");
	CHECK_EQ(png_ifinfo_count(r), 1);
	const struct png_ifinfo *f = png_ifinfo(r, 0);
	CHECK_STR(f->name, "eth0");
	CHECK_EQ(strlen(f->description), PNG_MAX_TEXT);
	CHECK_STR(f->comment, "");
	CHECK(png_ifinfo(r, 1) == NULL);
	done(r);
	free(w);
}

static void t_meta_le(void)
{
	check_meta(0);
}

static void t_meta_be(void)
{
	check_meta(1);
}

static const struct unit_test tests[] = {
	UNIT(t_meta_le),
	UNIT(t_meta_be),
	UNIT(t_mixed_le),
	UNIT(t_mixed_be),
	UNIT(t_tsresol_pow2),
	UNIT(t_bad_tsresol),
	UNIT(t_sections_reset_interfaces),
	UNIT(t_simple_packet_block),
	UNIT(t_prime),
	UNIT(t_damage),
	UNIT(t_not_pcapng),
	UNIT(t_truncation_sweep),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
