/*
 * uid.c - connection uids (uid.h): FNV-1a over the capture's key and the
 * connection's numbers, written as 17 base62 digits.
 */
#include "uid.h"

#include <string.h>

#define FNV_BASIS 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* v little-endian, 8 bytes, whatever the host's order. */
static uint64_t fnv_i64(uint64_t h, int64_t v)
{
	for (int k = 0; k < 8; k++) {
		h ^= (uint64_t)(v >> (8 * k)) & 0xff;
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t uid_capture_key(const char *sensor, int64_t ts_ns,
			 const uint8_t *data, size_t len)
{
	uint64_t h = FNV_BASIS;
	if (sensor)
		h = fnv_bytes(h, (const uint8_t *)sensor, strlen(sensor));
	h = fnv_bytes(h, (const uint8_t *)"", 1); /* ends the name */
	h = fnv_i64(h, ts_ns);
	if (data)
		h = fnv_bytes(h, data, len < UID_FIRST_BYTES ? len
							    : UID_FIRST_BYTES);
	return h;
}

void uid_format(char out[UID_LEN + 1], uint64_t key, int64_t tc_id,
		int64_t first_ts)
{
	static const char b62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t h = fnv_i64(fnv_i64(key, tc_id), first_ts);
	out[0] = 'C';
	uint64_t x = h;
	for (int i = 1; i < UID_LEN; i++) {
		if (i == 11) /* 62^10 < 2^64 < 62^11: more bits for the rest */
			x = h * 0x9e3779b97f4a7c15ULL;
		out[i] = b62[x % 62];
		x /= 62;
	}
	out[UID_LEN] = '\0';
}

void uid_format_v10(char out[UID_LEN + 1], const char *capture,
		    int64_t tc_id, int64_t first_ts)
{
	const char *c = capture ? capture : "";
	uid_format(out, fnv_bytes(FNV_BASIS, (const uint8_t *)c, strlen(c)),
		   tc_id, first_ts);
}
