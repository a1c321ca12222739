/*
 * sha256.h - SHA-256 (FIPS 180-4), used to recognise a capture file that was
 * imported before. Incremental: init, update any number of times, final.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t nbytes;    /* message length so far */
	uint8_t buf[64];    /* partial block */
	size_t nbuf;
};

/* Starts a new hash. Cannot fail. */
void sha256_init(struct sha256 *s);

/* Adds len bytes. Cannot fail. */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Ends the hash: 32 bytes into out. s must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[32]);

/* Writes the 64 lower-case hex digits and a NUL of a digest into hex. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

/* Hashes the whole file at path into hex. Returns 0, or -1 with errno set
 * when the file cannot be opened or read (hex is then unchanged). */
int sha256_file(const char *path, char hex[65]);

#endif /* SHA256_H */
