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

/* ---- Reading a chunk back ----------------------------------------------- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* A number (or null: *null set) at p; the end, or NULL. */
static const char *get_num(const char *p, int sign, uint64_t *v, int *null)
{
	p = skip_ws(p);
	*null = 0;
	if (strncmp(p, "null", 4) == 0) {
		*null = 1;
		*v = 0;
		return p + 4;
	}
	int neg = sign && *p == '-';
	if (neg)
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	uint64_t x = 0;
	while (*p >= '0' && *p <= '9')
		x = x * 10 + (uint64_t)(*p++ - '0');
	*v = neg ? (uint64_t)0 - x : x;
	return p;
}

/* A JSON string at p, unescaped into buf (at most OPT_MAX bytes kept);
 * the end, or NULL. Only the escapes put_str() writes are expected; any
 * other \u00XX is decoded alike. */
static const char *get_str(const char *p, char *buf)
{
	size_t n = 0;
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		unsigned c = (unsigned char)*p++;
		if (c == '\\') {
			c = (unsigned char)*p++;
			if (c == 'u') {
				unsigned x = 0;
				for (int i = 0; i < 4; i++, p++) {
					int h = *p >= '0' && *p <= '9'   ? *p - '0'
						: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
						: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
									 : -1;
					if (h < 0)
						return NULL;
					x = x * 16 + (unsigned)h;
				}
				c = x & 0xff;
			} else if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c == '\0') {
				return NULL;
			}
		}
		if (n < OPT_MAX)
			buf[n++] = (char)c;
	}
	if (*p != '"')
		return NULL;
	buf[n] = '\0';
	return p + 1;
}

int segchunk_each(const char *list,
		  int (*fn)(void *arg, const struct segchunk_seg *s), void *arg)
{
	char opts[OPT_MAX + 1];
	const char *p = skip_ws(list ? list : "");
	if (*p++ != '[')
		return -1;
	p = skip_ws(p);
	if (*p == ']')
		return 0;
	for (;;) {
		struct segchunk_seg s;
		uint64_t v[11];
		int null[11];
		memset(&s, 0, sizeof s);
		p = skip_ws(p);
		if (*p++ != '[')
			return -1;
		for (int i = 0; i < 11; i++) {
			if (i) {
				p = skip_ws(p);
				if (*p++ != ',')
					return -1;
			}
			if (!(p = get_num(p, i == 0, &v[i], &null[i])))
				return -1;
		}
		p = skip_ws(p);
		if (*p++ != ',')
			return -1;
		p = skip_ws(p);
		if (strncmp(p, "null", 4) == 0) {
			p += 4;
		} else {
			if (!(p = get_str(p, opts)))
				return -1;
			s.options = opts;
		}
		uint64_t labels;
		int lnull;
		p = skip_ws(p);
		if (*p++ != ',' || !(p = get_num(p, 1, &labels, &lnull)))
			return -1;
		p = skip_ws(p);
		if (*p++ != ']')
			return -1;
		s.ts_ns = (int64_t)v[0];
		s.pkt = v[1];
		s.dir = v[2] != 0;
		s.flags = (unsigned)v[3];
		s.seq = (uint32_t)v[4];
		s.ack = (uint32_t)v[5];
		s.len = (uint32_t)v[6];
		s.caplen = (uint32_t)v[7];
		s.win = (uint32_t)v[8];
		s.has_ts = !null[9];
		s.tsval = (uint32_t)v[9];
		s.tsecr = (uint32_t)v[10];
		s.labels = labels;
		int r = fn(arg, &s);
		if (r)
			return r;
		p = skip_ws(p);
		if (*p == ']')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}
