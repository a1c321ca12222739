/*
 * segchunk.c - segments gathered into per-connection JSON chunks (see
 * segchunk.h).
 *
 * Each segment is formatted once, as its JSON element, into the text
 * buffer; an entry (connection, arrival number, where its text is, packet)
 * remembers it. A flush sorts the entries by connection and arrival
 * number and copies each run of one connection, per_chunk elements at a
 * time, into the output buffer between "[" and "]".
 */
#include "segchunk.h"

#include <stdlib.h>
#include <string.h>

#include "numtext.h"

/* The longest element: 13 fields, the numbers at most 20 characters and a
 * sign, the options string at most OPT_MAX characters each escaped to 6. */
#define OPT_MAX 512
#define ELEM_MAX (13 * 21 + 2 + 2 + OPT_MAX * 6)

struct entry {
	int64_t conn;
	uint64_t pkt;
	uint32_t off, len; /* of the element in text */
};

struct segchunk {
	char *text;
	size_t cap, used;
	struct entry *ent; /* in arrival order */
	size_t nent, maxent;
	uint64_t *order;   /* a flush's sort keys: connection, arrival */
	unsigned per_chunk;
	char *out;
};

struct segchunk *segchunk_new(size_t max_bytes, unsigned per_chunk)
{
	if (max_bytes < 2 * ELEM_MAX)
		max_bytes = 2 * ELEM_MAX;
	if (per_chunk < 1)
		per_chunk = 1;
	struct segchunk *sc = calloc(1, sizeof *sc);
	if (!sc)
		return NULL;
	sc->cap = max_bytes;
	/* The shortest element, "[0,0,0,0,0,0,0,0,0,null,null,null,0]",
	 * has 36 characters. */
	sc->maxent = max_bytes / 36 + 1;
	sc->per_chunk = per_chunk;
	sc->text = malloc(sc->cap);
	sc->ent = malloc(sc->maxent * sizeof *sc->ent);
	sc->order = malloc(sc->maxent * sizeof *sc->order);
	sc->out = malloc((size_t)per_chunk * (ELEM_MAX + 1) + 2);
	if (!sc->text || !sc->ent || !sc->order || !sc->out) {
		segchunk_free(sc);
		return NULL;
	}
	return sc;
}

void segchunk_free(struct segchunk *sc)
{
	if (!sc)
		return;
	free(sc->text);
	free(sc->ent);
	free(sc->order);
	free(sc->out);
	free(sc);
}

/* s as a JSON string, at most OPT_MAX of its bytes. */
static char *put_str(char *p, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	*p++ = '"';
	for (size_t i = 0; s[i] && i < OPT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[c >> 4];
			p[5] = hex[c & 15];
			p += 6;
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	return p;
}

int segchunk_add(struct segchunk *sc, int64_t conn,
		 const struct segchunk_seg *s)
{
	if (sc->cap - sc->used < ELEM_MAX || sc->nent == sc->maxent)
		return 1;
	char *start = sc->text + sc->used, *p = start;
	*p++ = '[';
	p = put_i64(p, s->ts_ns);
	*p++ = ',';
	p = put_u64(p, s->pkt);
	*p++ = ',';
	p = put_u64(p, (uint64_t)(s->dir != 0));
	*p++ = ',';
	p = put_u64(p, s->flags);
	*p++ = ',';
	p = put_u64(p, s->seq);
	*p++ = ',';
	p = put_u64(p, s->ack);
	*p++ = ',';
	p = put_u64(p, s->len);
	*p++ = ',';
	p = put_u64(p, s->caplen);
	*p++ = ',';
	p = put_u64(p, s->win);
	*p++ = ',';
	if (s->has_ts) {
		p = put_u64(p, s->tsval);
		*p++ = ',';
		p = put_u64(p, s->tsecr);
	} else {
		memcpy(p, "null,null", 9);
		p += 9;
	}
	*p++ = ',';
	if (s->options) {
		p = put_str(p, s->options);
	} else {
		memcpy(p, "null", 4);
		p += 4;
	}
	*p++ = ',';
	/* The bits as SQLite's signed 64-bit integer holds them. */
	p = put_i64(p, (int64_t)s->labels);
	*p++ = ']';
	struct entry *e = &sc->ent[sc->nent++];
	e->conn = conn;
	e->pkt = s->pkt;
	e->off = (uint32_t)sc->used;
	e->len = (uint32_t)(p - start);
	sc->used += e->len;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int by_conn(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a,
			   *y = *(struct entry *const *)b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x < y ? -1 : x > y; /* arrival order */
}

/* Puts the entries' indexes in sc->order by connection, then arrival: as
 * 64-bit keys (connection - lowest << 32 | index) when the connections
 * buffered span less than 2^32, which is always but in theory; else by
 * comparing entries. Returns 1 when sc->order holds pointers instead. */
static int sort_entries(struct segchunk *sc)
{
	int64_t lo = sc->ent[0].conn, hi = lo;
	for (size_t i = 1; i < sc->nent; i++) {
		if (sc->ent[i].conn < lo)
			lo = sc->ent[i].conn;
		if (sc->ent[i].conn > hi)
			hi = sc->ent[i].conn;
	}
	if ((uint64_t)hi - (uint64_t)lo < (UINT64_C(1) << 32)) {
		for (size_t i = 0; i < sc->nent; i++)
			sc->order[i] = ((uint64_t)sc->ent[i].conn - (uint64_t)lo)
					   << 32 |
				       i;
		qsort(sc->order, sc->nent, sizeof *sc->order, by_key);
		return 0;
	}
	struct entry **ptr = (struct entry **)sc->order;
	for (size_t i = 0; i < sc->nent; i++)
		ptr[i] = &sc->ent[i];
	qsort(ptr, sc->nent, sizeof *ptr, by_conn);
	return 1;
}

int segchunk_flush(struct segchunk *sc,
		   int (*emit)(void *arg, const struct segchunk_out *out),
		   void *arg)
{
	if (!sc->nent)
		return 0;
	int ptrs = sort_entries(sc);
	const struct entry *const *ep = (const struct entry *const *)sc->order;
#define ENTRY(k) (ptrs ? ep[k] : &sc->ent[sc->order[k] & 0xffffffffu])
	int r = 0;
	for (size_t i = 0; i < sc->nent && !r;) {
		const struct entry *first = ENTRY(i);
		struct segchunk_out o = {.conn = first->conn,
					 .first_pkt = first->pkt};
		char *p = sc->out;
		*p++ = '[';
		size_t j = i;
		for (; j < sc->nent && j - i < sc->per_chunk; j++) {
			const struct entry *e = ENTRY(j);
			if (e->conn != o.conn)
				break;
			if (j > i)
				*p++ = ',';
			memcpy(p, sc->text + e->off, e->len);
			p += e->len;
			o.last_pkt = e->pkt;
		}
		*p++ = ']';
		o.n = (unsigned)(j - i);
		o.list = sc->out;
		o.len = (size_t)(p - sc->out);
		r = emit(arg, &o);
		i = j;
	}
#undef ENTRY
	segchunk_clear(sc);
	return r;
}

void segchunk_clear(struct segchunk *sc)
{
	sc->used = 0;
	sc->nent = 0;
}

size_t segchunk_pending(const struct segchunk *sc) { return sc->nent; }
