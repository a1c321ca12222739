/*
 * decompress.h - compressed captures (prefix dz_): a gzip, zstd or xz
 * stream, recognised by its magic bytes (never by a file name), read as a
 * stdio stream of the uncompressed bytes, so that libpcap and pcapng.c
 * read a compressed capture exactly as they read a plain one. zlib,
 * libzstd and liblzma do the decompressing; glibc's fopencookie() makes
 * the stream.
 *
 * The SHA-256 of a compressed capture is that of its uncompressed bytes
 * (what `zcat FILE | sha256sum` says): a capture is the same capture
 * whatever its wrapping. It is computed as the bytes are produced.
 *
 * Damage (corrupt data, a stream cut short, trailing garbage) makes the
 * stream's read fail, never end quietly: dz_errmsg() then says why in one
 * line, and every byte before the damage was delivered.
 */
#ifndef DZ_DECOMPRESS_H
#define DZ_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum dz_kind { DZ_NONE, DZ_GZIP, DZ_ZSTD, DZ_XZ };

/* The compression whose magic the n bytes at head begin (gzip 1f 8b, zstd
 * 28 b5 2f fd, xz fd 37 7a 58 5a 00); DZ_NONE when none. Fewer bytes than
 * a magic has are compared as far as they go, so one byte already tells
 * the candidate (no capture format starts with 0x1f, 0x28 or 0xfd). */
enum dz_kind dz_sniff(const uint8_t *head, size_t n);

/* "gzip", "zstd", "xz"; "none". */
const char *dz_name(enum dz_kind k);

struct dz;

/* Opens the uncompressed stream of src, which should hold kind's format
 * (its magic is checked by the first read). The returned stream owns src:
 * fclose() of it closes src and releases everything, *dz included. With
 * hash, every uncompressed byte is hashed as it is produced (dz_sha256()).
 * *dz is the handle for dz_errmsg(), dz_offset() and dz_sha256(), valid
 * until the stream is closed. Returns NULL with a message in err when
 * memory runs out (src is closed then too). */
FILE *dz_open(FILE *src, enum dz_kind kind, int hash, struct dz **dz,
	      char *err, size_t errlen);

/* Why the stream failed, in one line ("gzip: compressed data cut short"),
 * or "" while it has not. */
const char *dz_errmsg(const struct dz *z);

/* Compressed bytes consumed so far (for a progress percentage). */
int64_t dz_offset(const struct dz *z);

/* For a stream opened with hash: reads (and hashes) the rest of the
 * uncompressed bytes, however far the stream's reader got, and writes the
 * 64 lower-case hex digits of their SHA-256 and a NUL into hex. When src
 * is a regular file it must be the one it was at the open (device, inode,
 * size, modification time). A second call gives the same answer. Returns
 * 0, or -1 with errno set: EINVAL (not hashed), EIO (damaged: see
 * dz_errmsg()), ESTALE (the file changed), ENOMEM; hex is then
 * unchanged. */
int dz_sha256(struct dz *z, char hex[65]);

/* The SHA-256 of the uncompressed content of the file at path, which
 * holds kind's format: a separate pass over the file. Returns 0, or -1
 * with errno set as dz_sha256() (or by the open). */
int dz_sha256_file(const char *path, enum dz_kind kind, char hex[65]);

#endif /* DZ_DECOMPRESS_H */
