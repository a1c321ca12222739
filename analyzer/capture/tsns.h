/*
 * tsns.h - a capture's timestamp as signed 64-bit nanoseconds since the
 * epoch, saturated, never wrapped. Header-only; used by capture.c (libpcap's
 * seconds and fraction) and pcapng.c (interface units and if_tsoffset).
 *
 * int64 nanoseconds span about 1677-09-21 to 2262-04-11. A stamp outside
 * (garbage in a real file, an if_tsresol of 0 with a stamp of 2^40 s, a
 * huge if_tsoffset) becomes INT64_MIN or INT64_MAX and is counted by the
 * caller (cap_stats.ts_clamped), so that it neither wraps to a time on the
 * other side of the epoch nor overflows a signed type.
 */
#ifndef CAP_TSNS_H
#define CAP_TSNS_H

#include <stdint.h>

/* sec seconds plus frac nanoseconds (frac >= 0, any size) as ns since the
 * epoch; saturated, with *clamped set to 1, when out of range. */
static inline int64_t tsns_sat(int64_t sec, int64_t frac, int *clamped)
{
	int64_t v;
	if (__builtin_mul_overflow(sec, INT64_C(1000000000), &v) ||
	    __builtin_add_overflow(v, frac, &v)) {
		*clamped = 1;
		return sec < 0 ? INT64_MIN : INT64_MAX;
	}
	return v;
}

/* An unsigned count of seconds plus a signed offset in seconds (pcapng's
 * if_tsoffset), as signed seconds; saturated, with *clamped set to 1, when
 * out of range (also any sec past INT64_MAX, whatever the offset). */
static inline int64_t tsns_sec_offset(uint64_t sec, int64_t off, int *clamped)
{
	int64_t s;
	if (sec > (uint64_t)INT64_MAX) {
		*clamped = 1;
		return INT64_MAX;
	}
	if (__builtin_add_overflow((int64_t)sec, off, &s)) {
		*clamped = 1;
		return off < 0 ? INT64_MIN : INT64_MAX;
	}
	return s;
}

#endif /* CAP_TSNS_H */
