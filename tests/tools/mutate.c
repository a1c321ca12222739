/*
 * mutate.c - writes mutated copies of capture files for the mutation run
 * of `make fuzz-long` (tests/fuzz/mutation-run.sh):
 *
 *   mutate SEED N OUTDIR FILE...
 *
 * writes OUTDIR/m000000 ... m(N-1), each one of the FILEs (taken in turn)
 * with 1 to 4 mutations: bit flips, bytes or 16/32-bit fields set to edge
 * values (0, all ones, the sign bit, off by one), a cut, a chunk repeated
 * or removed, or the tail of another file spliced in. The file header
 * (first 24 bytes) is kept 3 times in 4, so most mutants get past it to
 * the records. Deterministic: the same SEED gives the same files.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IN (64u << 20) /* bytes of one input file */

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static int load(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	b->cap = 1 << 16;
	b->p = malloc(b->cap);
	b->n = 0;
	size_t k;
	while (b->p && (k = fread(b->p + b->n, 1, b->cap - b->n, f)) > 0) {
		b->n += k;
		if (b->n == b->cap) {
			if (b->cap >= MAX_IN)
				break;
			uint8_t *q = realloc(b->p, b->cap * 2);
			if (!q) {
				free(b->p);
				b->p = NULL;
				break;
			}
			b->p = q;
			b->cap *= 2;
		}
	}
	fclose(f);
	return b->p ? 0 : -1;
}

static const uint32_t edge32[] = { 0, 1, 0x7fffffff, 0x80000000,
				   0xffffffff, 0xfffffffe, 0x10000, 0xffff };
static const uint8_t edge8[] = { 0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x0f };

/* One mutation of m (m->cap is room enough for any growth below). */
static void mutate_once(struct buf *m, const struct buf *other, size_t keep)
{
	if (m->n <= keep + 4)
		keep = 0;
	size_t span = m->n - keep;
	size_t at = keep + below(span);
	switch (below(8)) {
	case 0: /* bit flips */
		for (size_t i = 0, k = 1 + below(8); i < k; i++) {
			size_t o = keep + below(span);
			m->p[o] ^= (uint8_t)(1u << below(8));
		}
		break;
	case 1: /* a byte to an edge value */
		m->p[at] = edge8[below(sizeof edge8)];
		break;
	case 2: /* a 16-bit field */
		if (at + 2 <= m->n) {
			uint16_t v = (uint16_t)edge32[below(sizeof edge32 / 4)];
			memcpy(m->p + at, &v, 2);
		}
		break;
	case 3: /* a 32-bit field (lengths, stamps, options) */
		if (at + 4 <= m->n) {
			uint32_t v = edge32[below(sizeof edge32 / 4)];
			if (below(2))
				v = __builtin_bswap32(v);
			memcpy(m->p + at, &v, 4);
		}
		break;
	case 4: /* cut */
		m->n = at;
		break;
	case 5: { /* a chunk repeated */
		size_t len = 1 + below(m->n - at < 256 ? m->n - at : 256);
		if (m->n + len <= m->cap) {
			memmove(m->p + at + len, m->p + at, m->n - at);
			m->n += len;
		}
		break;
	}
	case 6: { /* a chunk removed */
		size_t len = below(m->n - at < 256 ? m->n - at : 256);
		memmove(m->p + at, m->p + at + len, m->n - at - len);
		m->n -= len;
		break;
	}
	default: { /* the tail of another file */
		size_t from = below(other->n);
		size_t len = other->n - from;
		if (at + len > m->cap)
			len = m->cap - at;
		memcpy(m->p + at, other->p + from, len);
		m->n = at + len;
		break;
	}
	}
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: mutate SEED N OUTDIR FILE...\n");
		return 2;
	}
	rng_state = strtoull(argv[1], NULL, 10);
	unsigned long n = strtoul(argv[2], NULL, 10);
	const char *dir = argv[3];
	int nin = argc - 4;
	struct buf *in = calloc((size_t)nin, sizeof *in);
	if (!in)
		return 1;
	for (int i = 0; i < nin; i++)
		if (load(argv[4 + i], &in[i]) != 0) {
			fprintf(stderr, "mutate: %s: %s\n", argv[4 + i],
				strerror(errno));
			return 1;
		}
	for (unsigned long k = 0; k < n; k++) {
		const struct buf *src = &in[k % (unsigned long)nin];
		const struct buf *other = &in[below((size_t)nin)];
		struct buf m;
		m.cap = src->n + other->n + 1024;
		m.p = malloc(m.cap);
		if (!m.p)
			return 1;
		memcpy(m.p, src->p, src->n);
		m.n = src->n;
		size_t keep = below(4) ? 24 : 0;
		for (size_t i = 0, t = 1 + below(4); i < t && m.n > 0; i++)
			mutate_once(&m, other, keep);
		char path[4096];
		snprintf(path, sizeof path, "%s/m%06lu", dir, k);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(m.p, 1, m.n, f) != m.n || fclose(f) != 0) {
			fprintf(stderr, "mutate: %s: %s\n", path, strerror(errno));
			return 1;
		}
		free(m.p);
	}
	for (int i = 0; i < nin; i++)
		free(in[i].p);
	free(in);
	return 0;
}
