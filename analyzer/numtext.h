/*
 * numtext.h - decimal text of 64-bit integers, written at p in a buffer
 * the caller has sized (at most 20 digits and a sign); each returns the
 * end. For rows built by hand (JSON lists in the store), where printf
 * would cost more than the rest of the row. Pure and header-only.
 */
#ifndef NUMTEXT_H
#define NUMTEXT_H

#include <stdint.h>

static inline char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static inline char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, 0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

#endif /* NUMTEXT_H */
