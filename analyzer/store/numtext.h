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
	/* Two digits per division, from a table of "00".."99". */
	static const char pairs[201] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char tmp[24];
	int n = 24;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--n] = pairs[d + 1];
		tmp[--n] = pairs[d];
	}
	if (v >= 10) {
		unsigned d = (unsigned)v * 2;
		tmp[--n] = pairs[d + 1];
		tmp[--n] = pairs[d];
	} else {
		tmp[--n] = (char)('0' + v);
	}
	while (n < 24)
		*p++ = tmp[n++];
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

/* Reads an optional '-' and decimal digits at p into *v (wrapping past
 * 64 bits, as no caller's text is that long); returns the end, which is
 * p when there is no digit. */
static inline const char *get_i64(const char *p, int64_t *v)
{
	const char *q = p + (*p == '-');
	uint64_t u = 0;
	const char *d = q;
	while (*d >= '0' && *d <= '9')
		u = u * 10 + (uint64_t)(*d++ - '0');
	if (d == q)
		return p;
	*v = *p == '-' ? (int64_t)(0 - u) : (int64_t)u;
	return d;
}

#endif /* NUMTEXT_H */
