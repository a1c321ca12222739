/*
 * pcapng.c - fallback pcapng reader for multi-link-type files.
 *
 * libpcap 1.10 reads pcapng but insists that every interface of a file has
 * the link type of the first one. Real captures (a host capturing on "any"
 * plus an Ethernet port, or a merged trace) break that rule, so for exactly
 * those files capture.c uses this reader instead.
 *
 * A pcapng file is a list of blocks:
 *
 *   +------------+--------------+-------- ... ---------+--------------+
 *   | type (u32) | length (u32) | body (length - 12)   | length (u32) |
 *   +------------+--------------+-------- ... ---------+--------------+
 *
 * A Section Header Block (type 0x0A0D0D0A) starts a section and fixes its
 * byte order through the magic 0x1A2B3C4D; interface ids restart at 0 in
 * each section. Interface Description Blocks (1) add an interface: link
 * type, snaplen and options, of which if_tsresol (9) and if_tsoffset (14)
 * matter here. Enhanced (6), Simple (3) and the obsolete Packet (2) blocks
 * carry packets. Every other block is skipped.
 *
 * What the file says of itself is kept too: the options comment (1),
 * shb_hardware (2), shb_os (3) and shb_userappl (4) of a section header,
 * comment, if_name (2) and if_description (3) of an interface, and the
 * comment of a packet block; at most PNG_MAX_TEXT bytes of each, a
 * bounded number of them (pcapng.h).
 *
 * Untrusted input: a block is read whole into a buffer, its length must be
 * a multiple of 4, at least 12 and at most PNG_MAX_BLOCK, and its trailing
 * length must repeat the leading one; every field is read through rd32()
 * after an explicit check against the block's end. Arithmetic on lengths is
 * done as "len > end - off", never "off + len > end".
 */
#include "pcapng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tsns.h"

#define PNG_MAX_BLOCK (16u * 1024 * 1024) /* libpcap's limit too */
#define PNG_SHB 0x0A0D0D0Au
#define PNG_IDB 1u
#define PNG_PB 2u
#define PNG_SPB 3u
#define PNG_EPB 6u
#define PNG_BOM 0x1A2B3C4Du

struct png_iface {
	int linktype;
	uint32_t snaplen;
	uint64_t units;    /* timestamp units per second */
	int64_t offset_s;  /* if_tsoffset */
};

struct png {
	FILE *f;
	int swap;               /* section byte order differs from ours */
	int in_section;
	uint32_t section;       /* sections begun, minus one */
	uint32_t ifaces_seen;   /* interfaces over all sections */
	struct png_ifinfo info[PNG_MAX_IFINFO];
	size_t ninfo;
	struct png_note notes[PNG_MAX_NOTES];
	size_t nnotes;
	char *owned[3 * PNG_MAX_IFINFO + PNG_MAX_NOTES]; /* their strings */
	size_t nowned;
	struct png_iface *ifs;
	size_t nifs, cap_ifs;
	uint8_t *blk;           /* current block */
	size_t blk_cap;
	uint32_t maxsnap;
	int pending;            /* png_prime() read ahead: pending_rc, pkt */
	int pending_rc;
	struct png_packet pending_pkt;
	char err[256];
};

static void seterr(struct png *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seterr(struct png *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
}

static uint32_t rd32(const uint8_t *p, int swap)
{
	/* swap 0: the section is little-endian; 1: big-endian. Bytes are
	 * read one by one, so the host's byte order does not matter. */
	uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		      (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 |
		      (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
	return swap ? be : le;
}

static uint16_t rd16(const uint8_t *p, int swap)
{
	return swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Reads exactly n bytes; returns n, or the short count at end of file. */
static size_t rd_full(FILE *f, void *buf, size_t n)
{
	return fread(buf, 1, n, f);
}

/* Reads one whole block into r->blk. Returns 1, 0 at a clean end of file,
 * -1 on damage. *type and *len get the block's type and total length. */
static int read_block(struct png *r, uint32_t *type, uint32_t *len)
{
	uint8_t hdr[12];
	size_t got = rd_full(r->f, hdr, 8);
	if (got == 0 && !ferror(r->f))
		return 0;
	if (got < 8) {
		seterr(r, "truncated dump file; tried to read 8 block header "
			  "bytes, only got %zu", got);
		return -1;
	}
	uint32_t t = rd32(hdr, r->swap);
	if (t != PNG_SHB && !r->in_section) {
		seterr(r, "not a pcapng file (no section header first)");
		return -1;
	}
	if (t == PNG_SHB) {
		/* The byte order may change with every section. */
		if (rd_full(r->f, hdr + 8, 4) < 4) {
			seterr(r, "truncated section header block");
			return -1;
		}
		uint32_t bom = rd32(hdr + 8, 0);
		if (bom == PNG_BOM)
			r->swap = 0;
		else if (bom == 0x4D3C2B1Au)
			r->swap = 1;
		else {
			seterr(r, "bad byte-order magic in section header");
			return -1;
		}
	}
	uint32_t l = rd32(hdr + 4, r->swap);
	size_t have = t == PNG_SHB ? 12 : 8;
	if (l < 12 || l % 4 != 0 || l > PNG_MAX_BLOCK || l < have) {
		seterr(r, "bad block length %u (block type 0x%x)", l, t);
		return -1;
	}
	if (l > r->blk_cap) {
		uint8_t *nb = realloc(r->blk, l);
		if (!nb) {
			seterr(r, "out of memory");
			return -1;
		}
		r->blk = nb;
		r->blk_cap = l;
	}
	memcpy(r->blk, hdr, have);
	got = rd_full(r->f, r->blk + have, l - have);
	if (got < l - have) {
		seterr(r, "truncated dump file; tried to read %zu block bytes, "
			  "only got %zu", l - have, got);
		return -1;
	}
	if (rd32(r->blk + l - 4, r->swap) != l) {
		seterr(r, "block trailer length differs from header length");
		return -1;
	}
	*type = t;
	*len = l;
	return 1;
}

/* Timestamp units per second from an if_tsresol byte; 0 if unusable. */
static uint64_t tsresol_units(uint8_t v)
{
	unsigned e = v & 0x7f;
	if (v & 0x80)
		return e < 64 ? (uint64_t)1 << e : 0;
	if (e > 19)
		return 0;
	uint64_t u = 1;
	while (e--)
		u *= 10;
	return u;
}

/* The option at *off of a block's option list ending at end: code u16,
 * length u16, value padded to 4. Returns 1 with *code, *vlen and *val,
 * moving *off past it; 0 at opt_endofopt or the end; -1 when the option
 * runs past end. */
static int opt_next(const struct png *r, const uint8_t *b, size_t *off,
		    size_t end, uint16_t *code, uint16_t *vlen,
		    const uint8_t **val)
{
	if (*off > end || end - *off < 4)
		return 0;
	*code = rd16(b + *off, r->swap);
	*vlen = rd16(b + *off + 2, r->swap);
	*off += 4;
	if (*code == 0)
		return 0;
	size_t padded = ((size_t)*vlen + 3) & ~(size_t)3;
	if (padded > end - *off)
		return -1;
	*val = b + *off;
	*off += padded;
	return 1;
}

/* A copy of an option's text, owned by r: at most PNG_MAX_TEXT bytes, up
 * to a NUL; NULL when empty, out of memory or out of room. */
static const char *text_of(struct png *r, const uint8_t *v, uint16_t n)
{
	size_t len = n > PNG_MAX_TEXT ? PNG_MAX_TEXT : n;
	const uint8_t *nul = memchr(v, 0, len);
	if (nul)
		len = (size_t)(nul - v);
	if (len == 0 || r->nowned == sizeof r->owned / sizeof r->owned[0])
		return NULL;
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, v, len);
		s[len] = '\0';
		r->owned[r->nowned++] = s;
	}
	return s;
}

/* Keeps the notes of the section header in r->blk (options from 24). */
static void add_notes(struct png *r, uint32_t len)
{
	static const char *const kinds[] = { NULL, "comment", "hardware",
					     "os", "application" };
	size_t off = 24;
	uint16_t code, vlen;
	const uint8_t *v;
	while (opt_next(r, r->blk, &off, len - 4, &code, &vlen, &v) == 1) {
		if (code > 4 || r->nnotes == PNG_MAX_NOTES)
			continue;
		const char *t = text_of(r, v, vlen);
		if (!t)
			continue;
		r->notes[r->nnotes++] = (struct png_note){
			.section = r->section, .kind = kinds[code], .text = t };
	}
}

static int add_iface(struct png *r, uint32_t len)
{
	const uint8_t *b = r->blk;
	if (len < 20) {
		seterr(r, "interface description block too short");
		return -1;
	}
	struct png_iface ifc = { .linktype = rd16(b + 8, r->swap),
				 .snaplen = rd32(b + 12, r->swap),
				 .units = 1000000,
				 .offset_s = 0 };
	const char *text[4] = { NULL, NULL, NULL, NULL }; /* by code */
	size_t off = 16;
	uint16_t code, olen;
	const uint8_t *v;
	int o;
	while ((o = opt_next(r, b, &off, len - 4, &code, &olen, &v)) == 1) {
		if (code == 9 && olen == 1) {
			ifc.units = tsresol_units(v[0]);
			if (ifc.units == 0) {
				seterr(r, "unsupported if_tsresol 0x%02x", v[0]);
				return -1;
			}
		} else if (code == 14 && olen == 8) {
			uint64_t lo = rd32(v, r->swap);
			uint64_t hi = rd32(v + 4, r->swap);
			ifc.offset_s = (int64_t)(r->swap ? (lo << 32 | hi)
							 : (hi << 32 | lo));
		} else if (code >= 1 && code <= 3 && !text[code] &&
			   r->ninfo < PNG_MAX_IFINFO) {
			text[code] = text_of(r, v, olen);
		}
	}
	if (o < 0) {
		seterr(r, "interface option %u runs past its block", code);
		return -1;
	}
	if (r->ninfo < PNG_MAX_IFINFO)
		r->info[r->ninfo++] = (struct png_ifinfo){
			.index = r->ifaces_seen, .section = r->section,
			.linktype = ifc.linktype, .name = text[2] ? text[2] : "",
			.description = text[3] ? text[3] : "",
			.comment = text[1] ? text[1] : "" };
	r->ifaces_seen++;
	if (r->nifs == r->cap_ifs) {
		size_t n = r->cap_ifs ? r->cap_ifs * 2 : 8;
		struct png_iface *ni = realloc(r->ifs, n * sizeof *ni);
		if (!ni) {
			seterr(r, "out of memory");
			return -1;
		}
		r->ifs = ni;
		r->cap_ifs = n;
	}
	r->ifs[r->nifs++] = ifc;
	if (ifc.snaplen > r->maxsnap && ifc.snaplen <= 0x7fffffffu)
		r->maxsnap = ifc.snaplen;
	return 0;
}

/* Converts a 64-bit timestamp in interface units to ns since the epoch.
 * Garbage timestamps exist in real files (one in the corpus has the top 32
 * bits all ones), and an if_tsresol of 0 (seconds) or a huge if_tsoffset
 * take a stamp past the int64 range: saturated (tsns.h) and flagged in
 * *clamped, never wrapped. */
static int64_t to_ns(const struct png_iface *ifc, uint64_t t, int *clamped)
{
	uint64_t sec = t / ifc->units, frac = t % ifc->units;
	uint64_t ns;
	if (ifc->units <= 1000000000u && 1000000000u % ifc->units == 0)
		ns = frac * (1000000000u / ifc->units); /* exact: 10^-k, k <= 9 */
	else /* finer than ns, or a power of 2: round down via long double */
		ns = (uint64_t)((long double)frac * 1e9L / (long double)ifc->units);
	int64_t s = tsns_sec_offset(sec, ifc->offset_s, clamped);
	return tsns_sat(s, (int64_t)ns, clamped);
}

static int next_block_packet(struct png *r, struct png_packet *pkt);

int png_next(struct png *r, struct png_packet *pkt)
{
	if (r->pending) {
		r->pending = 0;
		if (r->pending_rc == 1)
			*pkt = r->pending_pkt;
		return r->pending_rc;
	}
	return next_block_packet(r, pkt);
}

int png_prime(struct png *r)
{
	if (!r->pending) {
		r->pending_rc = next_block_packet(r, &r->pending_pkt);
		r->pending = 1;
	}
	return r->pending_rc;
}

int png_linktypes(const struct png *r, int *types, int max)
{
	int n = 0;
	for (size_t i = 0; i < r->nifs; i++) {
		int seen = 0;
		for (int j = 0; j < n; j++)
			seen |= types[j] == r->ifs[i].linktype;
		if (!seen && n < max)
			types[n++] = r->ifs[i].linktype;
	}
	return n;
}

/* Reads blocks until one carries a packet. */
static int next_block_packet(struct png *r, struct png_packet *pkt)
{
	for (;;) {
		uint32_t type, len;
		int rc = read_block(r, &type, &len);
		if (rc <= 0)
			return rc;
		const uint8_t *b = r->blk;
		uint32_t body_end = len - 4; /* offset of the trailer */
		switch (type) {
		case PNG_SHB:
			if (len < 28) {
				seterr(r, "section header block too short");
				return -1;
			}
			if (rd16(b + 12, r->swap) != 1) {
				seterr(r, "unsupported pcapng version %u",
				       rd16(b + 12, r->swap));
				return -1;
			}
			r->nifs = 0;
			if (r->in_section)
				r->section++;
			r->in_section = 1;
			add_notes(r, len);
			break;
		case PNG_IDB:
			if (!r->in_section) {
				seterr(r, "interface block outside a section");
				return -1;
			}
			if (add_iface(r, len) < 0)
				return -1;
			break;
		case PNG_EPB:
		case PNG_PB: {
			if (len < 32) {
				seterr(r, "packet block too short");
				return -1;
			}
			uint32_t ifid = type == PNG_EPB ? rd32(b + 8, r->swap)
							: rd16(b + 8, r->swap);
			if (ifid >= r->nifs) {
				seterr(r, "packet block names interface %u, but "
					  "only %zu are defined", ifid, r->nifs);
				return -1;
			}
			const struct png_iface *ifc = &r->ifs[ifid];
			uint64_t hi = rd32(b + 12, r->swap);
			uint64_t lo = rd32(b + 16, r->swap);
			uint32_t cap = rd32(b + 20, r->swap);
			uint32_t wire = rd32(b + 24, r->swap);
			if (cap > body_end - 28) {
				seterr(r, "packet captured length %u exceeds "
					  "its block", cap);
				return -1;
			}
			pkt->ts_clamped = 0;
			pkt->ts_ns = to_ns(ifc, hi << 32 | lo, &pkt->ts_clamped);
			pkt->caplen = cap;
			pkt->wirelen = wire < cap ? cap : wire;
			pkt->iface = ifid;
			pkt->linktype = ifc->linktype;
			pkt->data = b + 28;
			/* Options after the padded data: the first comment
			 * (damaged options only lose the comment). */
			pkt->comment = NULL;
			pkt->comment_len = 0;
			size_t off = 28 + (((size_t)cap + 3) & ~(size_t)3);
			uint16_t code, vlen;
			const uint8_t *v;
			while (opt_next(r, b, &off, body_end, &code, &vlen, &v) == 1)
				if (code == 1) {
					/* Up to a NUL, as the other texts:
					 * some writers end the string with
					 * one, and fill the option's length
					 * with whatever their buffer held. */
					size_t n = vlen > PNG_MAX_TEXT
						       ? PNG_MAX_TEXT : vlen;
					const uint8_t *z = memchr(v, 0, n);
					n = z ? (size_t)(z - v) : n;
					pkt->comment = n ? (const char *)v
							 : NULL;
					pkt->comment_len = (uint32_t)n;
					break;
				}
			return 1;
		}
		case PNG_SPB: {
			if (len < 16) {
				seterr(r, "simple packet block too short");
				return -1;
			}
			if (r->nifs == 0) {
				seterr(r, "simple packet block before any "
					  "interface block");
				return -1;
			}
			uint32_t wire = rd32(b + 8, r->swap);
			uint32_t cap = body_end - 12;
			if (wire < cap)
				cap = wire;
			if (r->ifs[0].snaplen && cap > r->ifs[0].snaplen)
				cap = r->ifs[0].snaplen;
			pkt->ts_ns = 0;
			pkt->ts_clamped = 0;
			pkt->caplen = cap;
			pkt->wirelen = wire;
			pkt->iface = 0;
			pkt->linktype = r->ifs[0].linktype;
			pkt->data = b + 12;
			pkt->comment = NULL;
			pkt->comment_len = 0;
			return 1;
		}
		default:
			if (!r->in_section) {
				seterr(r, "not a pcapng file");
				return -1;
			}
			break; /* other blocks are skipped */
		}
	}
}

struct png *png_fopen(FILE *f, char *err, size_t errlen)
{
	struct png *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		fclose(f);
		return NULL;
	}
	r->f = f;
	return r;
}

struct png *png_open(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	uint8_t m[4];
	if (fread(m, 1, 4, f) != 4 || rd32(m, 0) != PNG_SHB) {
		snprintf(err, errlen, "not a pcapng file");
		fclose(f);
		return NULL;
	}
	rewind(f);
	return png_fopen(f, err, errlen);
}

void png_close(struct png *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	for (size_t i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->ifs);
	free(r->blk);
	free(r);
}

const char *png_errmsg(const struct png *r)
{
	return r->err;
}

FILE *png_file(struct png *r)
{
	return r->f;
}

int png_snaplen(const struct png *r)
{
	return (int)r->maxsnap;
}

size_t png_ifinfo_count(const struct png *r)
{
	return r->ninfo;
}

const struct png_ifinfo *png_ifinfo(const struct png *r, size_t i)
{
	return i < r->ninfo ? &r->info[i] : NULL;
}

size_t png_note_count(const struct png *r)
{
	return r->nnotes;
}

const struct png_note *png_note(const struct png *r, size_t i)
{
	return i < r->nnotes ? &r->notes[i] : NULL;
}

/* Walks the block headers only, collecting distinct IDB link types. */
int png_scan_linktypes(const char *path, int *types, int max, int *snaplen)
{
	if (snaplen)
		*snaplen = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	int n = 0, swap = 0;
	uint8_t h[16];
	if (fread(h, 1, 4, f) != 4 || rd32(h, 0) != PNG_SHB) {
		fclose(f);
		return 0;
	}
	rewind(f);
	for (;;) {
		if (fread(h, 1, 8, f) != 8)
			break;
		uint32_t t = rd32(h, swap);
		if (t == PNG_SHB) {
			if (fread(h + 8, 1, 4, f) != 4)
				break;
			uint32_t bom = rd32(h + 8, 0);
			if (bom == PNG_BOM)
				swap = 0;
			else if (bom == 0x4D3C2B1Au)
				swap = 1;
			else
				break;
		}
		uint32_t l = rd32(h + 4, swap);
		long have = t == PNG_SHB ? 12 : 8;
		if (l < 12 || l % 4 || l > PNG_MAX_BLOCK)
			break;
		if (t == PNG_IDB) {
			if (l < 20 || fread(h + 8, 1, 8, f) != 8)
				break;
			have += 8;
			uint32_t snap = rd32(h + 12, swap);
			if (snaplen && snap <= 0x7fffffffu && (int)snap > *snaplen)
				*snaplen = (int)snap;
			int lt = rd16(h + 8, swap), seen = 0;
			for (int i = 0; i < n; i++)
				seen |= types[i] == lt;
			if (!seen && n < max)
				types[n++] = lt;
		}
		if (fseek(f, (long)l - have, SEEK_CUR) != 0)
			break;
	}
	fclose(f);
	return n;
}
