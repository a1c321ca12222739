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
	uint64_t seqno; /* arrival order */
	uint64_t pkt;
	uint32_t off, len; /* of the element in text */
};

struct segchunk {
	char *text;
	size_t cap, used;
	struct entry *ent;
	size_t nent, maxent;
	uint64_t seqno;
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
	sc->out = malloc((size_t)per_chunk * (ELEM_MAX + 1) + 2);
	if (!sc->text || !sc->ent || !sc->out) {
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
	e->seqno = sc->seqno++;
	e->pkt = s->pkt;
	e->off = (uint32_t)sc->used;
	e->len = (uint32_t)(p - start);
	sc->used += e->len;
	return 0;
}

static int by_conn(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x->seqno < y->seqno ? -1 : x->seqno > y->seqno;
}

int segchunk_flush(struct segchunk *sc,
		   int (*emit)(void *arg, const struct segchunk_out *out),
		   void *arg)
{
	qsort(sc->ent, sc->nent, sizeof *sc->ent, by_conn);
	int r = 0;
	for (size_t i = 0; i < sc->nent && !r;) {
		struct segchunk_out o = {.conn = sc->ent[i].conn,
					 .first_pkt = sc->ent[i].pkt};
		char *p = sc->out;
		*p++ = '[';
		size_t j = i;
		for (; j < sc->nent && sc->ent[j].conn == o.conn &&
		       j - i < sc->per_chunk;
		     j++) {
			const struct entry *e = &sc->ent[j];
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
	segchunk_clear(sc);
	return r;
}

void segchunk_clear(struct segchunk *sc)
{
	sc->used = 0;
	sc->nent = 0;
}

size_t segchunk_pending(const struct segchunk *sc) { return sc->nent; }
