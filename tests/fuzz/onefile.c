/*
 * onefile.c - a plain main() that feeds files to LLVMFuzzerTestOneInput, so
 * a fuzz corpus replays without libFuzzer (after libpcap's
 * testprogs/fuzz/onefile.c). Usage: replay FILE...
 *
 * Prints nothing on success: a harness that finds a broken promise aborts,
 * which the caller (tests/t_fuzz.sh) sees as a crash. Exit status 1 if a
 * file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"


/* Reads the whole file into a fresh buffer; NULL on any error. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = cap > (1u << 26) ? NULL : realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = slurp(argv[i], &len);
		if (!buf) {
			printf("FAIL replay %s: cannot read\n", argv[i]);
			rc = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return rc;
}
