/*
 * series.h - a capture cut into parts (tcpdump -C or -G rotation, in time
 * order) read as one stream (prefix ser_): the first part whole, then each
 * next part without its file header when it is classic pcap (the header
 * must be the first part's: byte order, version, time precision and link
 * type), or whole when it is pcapng (a pcapng file may hold any number of
 * sections). A part compressed with gzip, zstd or xz is decompressed on
 * the way (decompress.h). libpcap or pcapng.c then read the stream as one
 * file: packet numbers go on across parts and a connection that spans
 * parts is one connection.
 *
 * The SHA-256 of a series is that of the bytes of the stream (so the same
 * parts give the same hash, and a series is found again as a duplicate).
 */
#ifndef SER_SERIES_H
#define SER_SERIES_H

#include <stdint.h>
#include <stdio.h>

struct ser;

/* Opens the n parts (n >= 1) as one read-only stream; with hash, every
 * byte delivered is hashed. *ser is the handle for ser_errmsg() and
 * ser_sha256(), valid until the stream is closed (fclose() releases it).
 * Returns NULL with a message in err when the first part cannot be
 * opened or memory runs out; a later part that is missing or does not
 * match makes a read fail, with the reason in ser_errmsg(). */
FILE *ser_open(char *const *paths, int n, int hash, struct ser **ser,
	       char *err, size_t errlen);

/* Why the stream failed ("part 3 (b.pcap1): link type differs from the
 * first part's"), or "" while it has not. */
const char *ser_errmsg(const struct ser *s);

/* Sum of the parts' sizes in bytes (as stored), -1 when one is unknown. */
int64_t ser_size(char *const *paths, int n);

/* For a stream opened with hash: reads the rest, writes the 64 hex digits
 * of the SHA-256 of all the stream's bytes and a NUL into hex. Returns 0,
 * or -1 (errno EINVAL when not hashed, EIO when the stream failed). */
int ser_sha256(struct ser *s, char hex[65]);

#endif /* SER_SERIES_H */
