/*
 * pcapng.h - a small, bounds-checked pcapng reader (prefix png_), used only
 * for files libpcap 1.10 refuses: those whose interfaces have different link
 * types ("an interface has a type N different from the type of the first
 * interface"). It keeps each interface's link type, snaplen and timestamp
 * resolution (if_tsresol, if_tsoffset) and hands out packets with their
 * interface id. It also keeps what a file says of itself: the comments,
 * hardware, OS and application of each section, each interface's name,
 * description and comment (png_iface_info(), png_notes()), and hands out
 * each packet's comment with the packet. Everything else (name
 * resolution, statistics, custom blocks) is skipped.
 *
 * capture.c reads every pcapng file with it (libpcap's reader drops the
 * comments and names, and refuses files whose interfaces have different
 * link types).
 */
#ifndef PNG_PCAPNG_H
#define PNG_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

struct png;

struct png_packet {
	int64_t ts_ns;        /* ns since the epoch; 0 for simple packet blocks;
			       * saturated at INT64_MIN/MAX (tsns.h) */
	int ts_clamped;       /* 1 when ts_ns was saturated */
	uint32_t caplen, wirelen;
	uint32_t iface;       /* interface id within its section */
	int linktype;         /* that interface's LINKTYPE_ value */
	const uint8_t *data;  /* valid until the next png_next()/png_close() */
	const char *comment;  /* the packet's first opt_comment (not NUL-
			       * terminated; raw bytes), or NULL; valid as
			       * data */
	uint32_t comment_len; /* its length, at most PNG_MAX_TEXT */
};

#define PNG_MAX_TEXT 1024  /* bytes kept of one comment or name */
#define PNG_MAX_IFINFO 256 /* interfaces described (more are counted) */
#define PNG_MAX_NOTES 64   /* section notes kept */

/* An interface as the file describes it; the strings are NUL-terminated
 * and raw (any bytes but NUL: escape before printing), "" when absent. */
struct png_ifinfo {
	uint32_t index;   /* in order of appearance over all sections, from 0 */
	uint32_t section; /* from 0 */
	int linktype;     /* LINKTYPE_ value */
	const char *name, *description, *comment;
};

/* A note of a section header: kind "comment", "hardware", "os" or
 * "application", and its text (as png_ifinfo's strings). */
struct png_note {
	uint32_t section;
	const char *kind;
	const char *text;
};

/* Walks the block headers of a pcapng file (stopping quietly at the first
 * damaged block) and stores the distinct interface link types, in order of
 * appearance, into types; returns how many (at most max; 0 when path is
 * not pcapng). *snaplen (if not NULL) gets the largest interface snaplen. */
int png_scan_linktypes(const char *path, int *types, int max, int *snaplen);

/* Opens a pcapng file. Returns NULL with a message in err when the file
 * cannot be opened, is not pcapng, or has a bad section header. The caller
 * frees the reader with png_close(). */
struct png *png_open(const char *path, char *err, size_t errlen);

/* The same on a stream already open (stdin); the reader owns f from now on
 * and closes it in png_close(), even when this fails. Whether f holds
 * pcapng shows at the first png_next(). */
struct png *png_fopen(FILE *f, char *err, size_t errlen);
void png_close(struct png *r);

/* Reads the next packet. Returns 1 with *pkt filled, 0 at the end of the
 * file, -1 on damage (png_errmsg() says what; packets before it were good). */
int png_next(struct png *r, struct png_packet *pkt);
const char *png_errmsg(const struct png *r);

/* Reads ahead to the first packet (or the end, or damage) and keeps it for
 * the next png_next(), so that the interfaces defined before it are known
 * (png_linktypes(), png_snaplen()). Returns what that png_next() will. */
int png_prime(struct png *r);

/* Distinct link types of the interfaces seen so far, in order; returns how
 * many (at most max). */
int png_linktypes(const struct png *r, int *types, int max);

/* The underlying stream (for ftell-based progress). */
FILE *png_file(struct png *r);

/* Largest snaplen among the interfaces seen so far (0: none). */
int png_snaplen(const struct png *r);

/* Interface i (0 <= i < png_ifinfo_count()) of those described so far,
 * the first PNG_MAX_IFINFO; valid until png_close(). */
size_t png_ifinfo_count(const struct png *r);
const struct png_ifinfo *png_ifinfo(const struct png *r, size_t i);

/* The section notes read so far, the first PNG_MAX_NOTES. */
size_t png_note_count(const struct png *r);
const struct png_note *png_note(const struct png *r, size_t i);

#endif /* PNG_PCAPNG_H */
