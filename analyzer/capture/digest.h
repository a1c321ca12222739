/*
 * digest.h - a fast 64-bit digest of bytes, for telling things apart
 * (payloads, connection records), not for security: 8 bytes at a time in
 * host order, each word mixed in by a multiply and a shift, then the tail
 * byte by byte. Pure and header-only.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Mixes n bytes at p into h and returns the new value. */
static inline uint64_t digest_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, b + i, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif /* DIGEST_H */
