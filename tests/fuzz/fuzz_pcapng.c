/*
 * fuzz_pcapng.c - libFuzzer entry point for the own pcapng reader
 * (analyzer/capture/pcapng.c).
 *
 * The input is the file itself, so any pcapng file is a seed. It is read
 * twice: through png_fopen() on an in-memory stream (fmemopen), reading
 * every packet, and through png_scan_linktypes(), which needs a path, on a
 * memfd named by /proc/self/fd. Whether png_prime() runs first depends on
 * the input's length (odd: yes), so both orders get exercised. Besides "no
 * crash, no out-of-bounds read" (ASan's job; every packet byte is read),
 * the harness checks the reader's promises and aborts when one breaks:
 *   - png_next() returns 1, 0 or -1, and after -1 or 0 it is not called
 *     again; -1 leaves a message, and png_prime() returns what the next
 *     png_next() then does;
 *   - a packet's wirelen is at least its caplen, and its link type is one
 *     of png_linktypes() at that moment and one png_scan_linktypes() found
 *     (the scan walks at least as far as the reader, since it checks less);
 *   - png_snaplen() is not negative.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../analyzer/capture/pcapng.h"
#include "fuzz.h"


#define MAX_TYPES 64
#define MAX_PACKETS 100000

static int has_type(const int *types, int n, int t)
{
	for (int i = 0; i < n && i < MAX_TYPES; i++)
		if (types[i] == t)
			return 1;
	return 0;
}

/* png_scan_linktypes() over a memfd holding the input; -1 if none could
 * be made (then the cross-check is skipped). */
static int scan(const uint8_t *data, size_t size, int *types)
{
	int fd = memfd_create("fuzz_pcapng", 0);
	if (fd < 0)
		return -1;
	int n = -1;
	if (size == 0 || write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		int snap = -1;
		n = png_scan_linktypes(path, types, MAX_TYPES, &snap);
		CHECK(n >= 0 && n <= MAX_TYPES);
		CHECK(snap >= 0);
	}
	close(fd);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int scanned[MAX_TYPES];
	int nscan = scan(data, size, scanned);

	/* fmemopen() wants a writable buffer of at least one byte. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	FILE *f = fmemopen(copy, size ? size : 1, "rb");
	if (!f) {
		free(copy);
		return 0;
	}
	if (size == 0)
		(void)fgetc(f); /* leave it at the end: an empty file */
	char err[256];
	struct png *r = png_fopen(f, err, sizeof err);
	if (!r) {
		free(copy);
		return 0;
	}
	int primed = -2;
	if (size & 1) {
		primed = png_prime(r);
		CHECK(primed >= -1 && primed <= 1);
		CHECK(png_prime(r) == primed); /* idempotent */
	}
	unsigned sum = 0;
	int rc;
	for (int i = 0; i < MAX_PACKETS; i++) {
		struct png_packet p;
		memset(&p, 0, sizeof p);
		rc = png_next(r, &p);
		CHECK(rc >= -1 && rc <= 1);
		if (primed != -2) {
			CHECK(rc == primed);
			primed = -2;
		}
		CHECK(png_snaplen(r) >= 0);
		if (rc != 1)
			break;
		CHECK(p.wirelen >= p.caplen);
		CHECK(p.data != NULL || p.caplen == 0);
		for (uint32_t k = 0; k < p.caplen; k++)
			sum += p.data[k];
		int types[MAX_TYPES];
		int n = png_linktypes(r, types, MAX_TYPES);
		CHECK(n >= 1 && n <= MAX_TYPES);
		CHECK(has_type(types, n, p.linktype));
		if (nscan >= 0 && nscan < MAX_TYPES)
			CHECK(has_type(scanned, nscan, p.linktype));
	}
	if (rc == -1)
		CHECK(png_errmsg(r)[0] != '\0');
	CHECK(png_file(r) == f);
	png_close(r);
	free(copy);
	/* Keep the sum alive so the reads above are not optimised away. */
	if (sum == 0xdeadbeefu)
		fprintf(stderr, "%u\n", sum);
	return 0;
}
