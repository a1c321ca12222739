/*
 * capture.h - where packets come from (prefix cap_): a pcap or pcapng file,
 * stdin ("-"), or a live interface. libpcap does the reading, with
 * nanosecond timestamps requested; pcapng files whose interfaces have
 * different link types, which libpcap 1.10 refuses, go through the small
 * reader in pcapng.c instead. A file or stream compressed with gzip, zstd
 * or xz (told by its magic bytes, decompress.h) is read through its
 * decompressor, transparently. A capture hands out one packet at a time
 * with its own link type, so callers never care which reader is behind it.
 *
 * Errors: functions that can fail return a negative value and leave a
 * one-line message in the capture (cap_errmsg()) or in err.
 */
#ifndef CAP_CAPTURE_H
#define CAP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pcapng.h"

struct cap;

struct cap_packet {
	uint64_t num;         /* record number in the capture, from 1 */
	int64_t ts_ns;        /* from the capture, ns since the epoch,
			       * saturated (see cap_stats.ts_clamped) */
	uint32_t caplen, wirelen;
	int linktype;         /* DLT_ value for dec_frame() */
	uint32_t iface;       /* pcapng interface id when known, else 0 */
	const uint8_t *data;  /* valid until the next cap_next()/cap_close() */
	const char *comment;  /* pcapng: the packet's comment, raw bytes, not
			       * NUL-terminated, valid as data; else NULL */
	uint32_t comment_len;
};

/* Counters of one capture. */
struct cap_stats {
	uint64_t records;     /* records read, filtered or not */
	uint64_t filtered;    /* records the filter rejected */
	uint64_t kernel_drops; /* live only: pcap_stats ps_drop + ps_ifdrop */
	uint64_t ts_clamped;  /* records whose timestamp is beyond int64 ns
			       * (before 1677 or after 2262): saturated to
			       * INT64_MIN or INT64_MAX, never wrapped */
};

#define CAP_TIMEOUT 2 /* cap_next() on a live capture: nothing arrived yet */

/* Opens a capture file; "-" is stdin. On failure returns NULL with a
 * one-line message in err ("No such file or directory", "unknown file
 * format"...). The caller frees the capture with cap_close(). */
struct cap *cap_open_file(const char *path, char *err, size_t errlen);

/* The same, and the SHA-256 of the file is computed while it is read: a
 * thread of the capture's own reads and hashes the file beside the packet
 * reader (which reads it as cap_open_file() does), so the hash costs the
 * thread that calls cap_next() nothing. Only a regular file is hashed;
 * "-", a FIFO or a character device opens as with cap_open_file() and has
 * no hash (cap_hashed() says 0). A compressed regular file is hashed by
 * its decompressor as the reader reads it, and the hash is that of the
 * uncompressed capture (`zcat FILE | sha256sum`): the same capture gives
 * the same hash however it is wrapped. */
struct cap *cap_open_file_hashed(const char *path, char *err, size_t errlen);

/* Opens the n parts of a rotated capture (series.h) as one capture: packet
 * numbers go on across the parts, hashed (with hashed) as one stream, no
 * seek points. Errors as cap_open_file(). */
struct cap *cap_open_series(char *const *paths, int n, int hashed, char *err,
			    size_t errlen);

/* The SHA-256 of a series, as cap_sha256() of cap_open_series() gives it.
 * 0, or -1 with errno. */
int cap_series_sha256(char *const *paths, int n, char hex[65]);

/* 1 when the capture was opened by cap_open_file_hashed() on a regular
 * file, so that cap_sha256() can give the file's hash; 0 otherwise. Known
 * right after the open. */
int cap_hashed(const struct cap *c);

/* The hash of a hashed capture: waits for the hashing thread (which reads
 * the file to the size it had at the open, however far cap_next() got: the
 * end, damage, an interrupted import, no packet at all) and writes the 64
 * lower-case hex digits and a NUL into hex; the result is that of
 * `sha256sum FILE`. Call it after the last cap_next(), so that the file is
 * known not to have changed while it was parsed; cap_close() without it
 * stops the hashing. A second call gives the same answer. Returns 0, or -1
 * with errno set: EINVAL when the capture is not hashed (see
 * cap_hashed()), ESTALE when the file changed since the open (another
 * size or modification time: the packets read may not be the bytes
 * hashed), the error of a failed read, ENOMEM; hex is then unchanged. */
int cap_sha256(struct cap *c, char hex[65]);

/* The SHA-256 cap_sha256() gives for the capture file at path, in a pass
 * of its own (before the file is read, to refuse a duplicate early): that
 * of `sha256sum FILE`, or for a compressed file that of its uncompressed
 * bytes. Returns 0, or -1 with errno set. */
int cap_file_sha256(const char *path, char hex[65]);

/* Opens and activates a live capture on iface with the given snaplen
 * (0: 262144), promiscuous, non-blocking: cap_next() waits at most about
 * 200 ms and then returns CAP_TIMEOUT. NULL with a message in err on failure; a
 * warning from pcap_activate() is not a failure. */
struct cap *cap_open_live(const char *iface, int snaplen, char *err,
			  size_t errlen);

void cap_close(struct cap *c);

/* Joins the live capture c to the PACKET_FANOUT group `group` (its low 16
 * bits; one number per set of workers) of its interface, hashing both
 * directions of a connection alike (PACKET_FANOUT_HASH, with IP fragments
 * defragmented first: PACKET_FANOUT_FLAG_DEFRAG), so each connection's
 * packets reach one worker. Everything is dropped until cap_set_filter()
 * (with "" to take everything): call that once every worker has joined,
 * so no packet is taken twice. Before any cap_set_filter(). Returns 0 or
 * -1 with err set. */
int cap_fanout_join(struct cap *c, unsigned group, char *err, size_t errlen);

/* Compiles a BPF expression (tcpdump syntax) and applies it: in the kernel
 * for a live capture, with pcap_offline_filter() for files (so record
 * numbers stay those of the file). For a multi-link-type pcapng file it is
 * compiled once per link type, when the first packet of that type comes;
 * an expression that cannot apply to such a type then makes cap_next()
 * fail. Returns 0, or -1 with a message in err (the capture is unchanged). */
int cap_set_filter(struct cap *c, const char *expr, char *err, size_t errlen);

/* Checks that expr compiles for Ethernet; used to reject a bad expression
 * before any file is read. Returns 0, or -1 with libpcap's message. */
int cap_check_filter(const char *expr, char *err, size_t errlen);

/* Reads the next packet that passes the filter. Returns 1 with *p filled,
 * 0 at the end, CAP_TIMEOUT (live: nothing yet, or cap_break() was
 * called), or -1 when the capture is damaged or the read failed
 * (cap_errmsg()); every packet before the damage was returned. */
int cap_next(struct cap *c, struct cap_packet *p);

/* Makes a blocked cap_next() on a live capture return soon. Safe to call
 * from a signal handler. */
void cap_break(struct cap *c);

const char *cap_errmsg(const struct cap *c);

/* The link types of the capture as "EN10MB,LINUX_SLL" (libpcap's names),
 * written into buf (always NUL-terminated). Returns the number of types. */
int cap_linktype_names(const struct cap *c, char *buf, size_t len);

/* The link types, at most max of them; returns how many there are. */
int cap_linktypes(const struct cap *c, int *types, int max);

int cap_snaplen(const struct cap *c);

/* File size in bytes (of the compressed file when it is), or -1 (stdin,
 * live, pipes). */
int64_t cap_size(const struct cap *c);

/* Bytes of the file read so far (for a progress percentage against
 * cap_size()), or -1 when unknown. */
int64_t cap_offset(struct cap *c);

/* Where the next record of a classic pcap file (read by libpcap, not
 * live) starts, for cap_seek() on a later open of the same file; -1 for
 * anything that cannot be sought (pcapng, stdin, a pipe, live). */
int64_t cap_seek_point(struct cap *c);

/* Continues reading at offset, a value cap_seek_point() gave after record
 * num - 1 of the same file: the next cap_next() returns record num.
 * Returns 0, or -1 with a message in cap_errmsg(). */
int cap_seek(struct cap *c, int64_t offset, uint64_t num);

/* The identity of the regular file at path, "dev:inode:size:mtime:ctime"
 * (times in ns), into out; "" when path is not a regular file. The same
 * text later means the same file, unchanged: writing to a file or
 * setting its times back changes its ctime. */
void cap_file_identity(const char *path, char *out, size_t len);

/* Fills *st. For a live capture also asks the kernel for drops. */
void cap_get_stats(struct cap *c, struct cap_stats *st);

/* Live only: also writes every packet cap_next() returns to a pcap file
 * (nanosecond format when the capture has nanosecond timestamps).
 * Returns 0, or -1 with a message in err. Flushed by cap_dump_flush() and
 * closed by cap_close(). */
int cap_dump_open(struct cap *c, const char *path, char *err, size_t errlen);
int cap_dump_flush(struct cap *c);

/* "EN10MB (Ethernet)" for a link type, into buf. */
void cap_linktype_describe(int dlt, char *buf, size_t len);

/* What a pcapng capture says of itself (pcapng.h): its interfaces, in
 * order over all sections, and its sections' notes (comments, hardware,
 * OS, application), as far as read; count 0 and NULL for other captures.
 * Valid until cap_close(). The link type of a png_ifinfo is a pcapng
 * LINKTYPE_ value: cap_linktype_name() names it. */
size_t cap_ifinfo_count(const struct cap *c);
const struct png_ifinfo *cap_ifinfo(const struct cap *c, size_t i);
size_t cap_note_count(const struct cap *c);
const struct png_note *cap_note(const struct cap *c, size_t i);

/* The n words of a BPF expression given as separate arguments, joined by
 * spaces as tcpdump joins them: a string the caller frees, or NULL when
 * n <= 0 or out of memory. */
char *cap_filter_words(char *const *words, int n);

/* libpcap's name of a pcapng/pcap LINKTYPE_ value ("EN10MB"), into buf. */
void cap_linktype_name(int linktype, char *buf, size_t len);

#endif /* CAP_CAPTURE_H */
