/*
 * idmap.c - see idmap.h.
 */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

#define IDMAP_MIN 64u

static size_t slot_of(uint64_t id, size_t cap)
{
	/* Fibonacci hashing; cap is a power of two. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static void place(struct idmap_slot *t, size_t cap, struct idmap_slot s)
{
	size_t i = slot_of(s.id, cap);
	while (t[i].id)
		i = (i + 1) & (cap - 1);
	t[i] = s;
}

int idmap_put(struct idmap *m, uint64_t id, uint64_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : IDMAP_MIN;
		struct idmap_slot *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (size_t i = 0; i < m->cap; i++)
			if (m->t[i].id)
				place(t, cap, m->t[i]);
		free(m->t);
		m->t = t;
		m->cap = cap;
	}
	size_t i = slot_of(id, m->cap);
	while (m->t[i].id && m->t[i].id != id)
		i = (i + 1) & (m->cap - 1);
	if (!m->t[i].id)
		m->n++;
	m->t[i].id = id;
	m->t[i].val = val;
	return 0;
}

int idmap_take(struct idmap *m, uint64_t id, uint64_t *val)
{
	if (!m->cap)
		return 0;
	size_t mask = m->cap - 1, i = slot_of(id, m->cap);
	while (m->t[i].id && m->t[i].id != id)
		i = (i + 1) & mask;
	if (!m->t[i].id)
		return 0;
	*val = m->t[i].val;
	m->n--;
	/* Backward-shift deletion keeps every probe sequence unbroken. */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->t[j].id)
			break;
		size_t home = slot_of(m->t[j].id, m->cap);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->t[i] = m->t[j];
			i = j;
		}
	}
	m->t[i].id = 0;
	return 1;
}

uint64_t idmap_next(const struct idmap *m, size_t *pos)
{
	for (; *pos < m->cap; (*pos)++)
		if (m->t[*pos].id)
			return m->t[(*pos)++].id;
	return 0;
}

void idmap_clear(struct idmap *m, size_t keep)
{
	if (m->cap > keep) {
		idmap_free(m);
		return;
	}
	if (m->t)
		memset(m->t, 0, m->cap * sizeof *m->t);
	m->n = 0;
}

void idmap_free(struct idmap *m)
{
	free(m->t);
	m->t = NULL;
	m->n = m->cap = 0;
}
