/*
 * sha256.h - SHA-256, used to recognise a capture file that was imported
 * before. A thin wrapper around OpenSSL's libcrypto (EVP digest API), which
 * picks the fastest code for the CPU (SHA-NI, AVX2...). Incremental: init,
 * update any number of times, final.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct evp_md_ctx_st; /* OpenSSL's EVP_MD_CTX */

/* Opaque: set up by sha256_init(), released by sha256_final() or
 * sha256_free(). */
struct sha256 {
	struct evp_md_ctx_st *ctx;
	int failed;       /* an update failed: sha256_final() will too */
};

/* Starts a new hash. Returns 0, or -1 (out of memory; s->ctx is then
 * NULL, and sha256_update()/sha256_final()/sha256_free() are harmless). */
int sha256_init(struct sha256 *s);

/* Adds len bytes. A failure (which libcrypto does not report for SHA-256
 * in practice) is remembered and reported by sha256_final(). */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Ends the hash: 32 bytes into out, and releases s (re-initialise it
 * before reuse). Returns 0, or -1 when the init or an update failed (out
 * is then unchanged). */
int sha256_final(struct sha256 *s, uint8_t out[32]);

/* Releases a hash that will not be finished. Safe twice, and after
 * sha256_final(). */
void sha256_free(struct sha256 *s);

/* Writes the 64 lower-case hex digits and a NUL of a digest into hex. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

/* Hashes the whole file at path into hex, reading it in 1 MiB blocks: a
 * separate pass over the file, for when the hash is needed before the
 * file is read (cap_open_file_hashed() hashes while reading). Returns 0,
 * or -1 with errno set when the file cannot be opened or read, or memory
 * runs out (hex is then unchanged). */
int sha256_file(const char *path, char hex[65]);

/*
 * Hashing a file while something else reads it. sha256_reader_open() makes
 * a stdio stream (fopencookie()) on a regular file open on fd; whoever reads
 * the stream (libpcap, the pcapng reader) gets the file's bytes, and each
 * byte goes into the hash the first time it is read. sha256_reader_finish()
 * then hashes whatever was not read, up to the end of the file. The result
 * is the hash of the whole file, exactly once per byte and in order, even
 * when the stream is seeked (forward: the skipped bytes are hashed before
 * the read; backward: re-read bytes are not hashed again) or read only in
 * part. ftell() and fseek() work on the stream.
 */
struct sha256_reader;

/* Takes over fd (read with pread() from offset 0; its own file offset is
 * not used) and returns the reader, with the stream in *fp, fully buffered
 * with a bufsize-byte buffer (so the file is read in blocks of that size,
 * not in the reader's small requests). NULL (out of memory) when it fails;
 * fd is then closed too. Close the stream with fclose() (or let its user
 * do so) before sha256_reader_free(). */
struct sha256_reader *sha256_reader_open(int fd, size_t bufsize, FILE **fp);

/* Reads and hashes the rest of the file up to its end of file (in 1 MiB
 * blocks) and writes the hex digest into hex. The stream may still be open;
 * reads from it afterwards work but are no longer hashed. A second call
 * gives the same answer. Returns 0, or -1 with errno set: the error of a
 * read (of this call or an earlier one through the stream, which then
 * returned an error to its user too), or ENOMEM. */
int sha256_reader_finish(struct sha256_reader *r, char hex[65]);

/* Releases the reader and closes fd. NULL is fine. */
void sha256_reader_free(struct sha256_reader *r);

#endif /* SHA256_H */
