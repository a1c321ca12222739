/*
 * fuzz_decompress.c - libFuzzer entry point for compressed captures
 * (analyzer/capture/decompress.c over zlib, libzstd and liblzma).
 *
 * The input is the compressed file itself: its magic picks the codec
 * (dz_sniff(); an input with none is skipped), so gzip, zstd and xz copies
 * of small captures are the seeds. It is read through dz_open() on an
 * in-memory stream in reads of varying size (the input's length picks
 * them), hashed, at most FZ_MAX_OUT bytes of output (a small input may
 * expand enormously: the harness must stay fast). Besides "no crash, no
 * out-of-bounds read", it checks the module's promises:
 *   - a failed read leaves a one-line message; a clean end leaves none;
 *   - dz_offset() never goes back and never passes the input's length;
 *   - after a clean end, dz_sha256() succeeds and gives the SHA-256 of
 *     exactly the bytes read (computed here on the side), twice the same;
 *     after a failure it fails with EIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/capture/decompress.h"
#include "../../analyzer/capture/sha256.h"
#include "fuzz.h"

#define FZ_MAX_OUT (8u * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum dz_kind kind = dz_sniff(data, size);
	if (kind == DZ_NONE || size == 0)
		return 0;
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	FILE *src = fmemopen(copy, size, "rb");
	if (!src) {
		free(copy);
		return 0;
	}
	struct dz *z = NULL;
	char err[160];
	FILE *f = dz_open(src, kind, 1, &z, err, sizeof err);
	if (!f) {
		free(copy);
		return 0;
	}
	struct sha256 side;
	CHECK(sha256_init(&side) == 0);
	size_t chunk = 1 + size % 4093, total = 0;
	uint8_t *buf = malloc(chunk);
	CHECK(buf != NULL);
	int64_t last = 0;
	int failed = 0, capped = 0;
	for (;;) {
		size_t n = fread(buf, 1, chunk, f);
		sha256_update(&side, buf, n);
		total += n;
		int64_t off = dz_offset(z);
		CHECK(off >= last && off <= (int64_t)size);
		last = off;
		if (n < chunk) {
			failed = ferror(f) != 0;
			break;
		}
		if (total >= FZ_MAX_OUT) {
			capped = 1;
			break;
		}
	}
	const char *msg = dz_errmsg(z);
	if (failed) {
		CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL);
	} else if (!capped) {
		CHECK(msg[0] == '\0');
	}
	if (!capped) {
		char hex[65], hex2[65];
		errno = 0;
		int rc = dz_sha256(z, hex);
		if (failed) {
			CHECK(rc == -1 && errno == EIO);
		} else {
			/* fmemopen() is no regular file: no staleness. */
			CHECK(rc == 0);
			uint8_t d[32];
			char want[65];
			CHECK(sha256_final(&side, d) == 0);
			sha256_hex(d, want);
			CHECK(strcmp(hex, want) == 0);
			CHECK(dz_sha256(z, hex2) == 0 && strcmp(hex, hex2) == 0);
		}
	}
	sha256_free(&side);
	free(buf);
	fclose(f);
	free(copy);
	return 0;
}
