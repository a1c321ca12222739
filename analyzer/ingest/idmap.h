/*
 * idmap.h - a small hash map from nonzero 64-bit ids (tracker connection
 * ids) to a 64-bit value: open addressing, linear probing, load at most
 * one half, backward-shift deletion. Used by ingest for the connections
 * changed since the last checkpoint and for those whose final row was
 * written early. The caller owns the struct (zeroed = empty map); fields
 * are private, iterate with idmap_next().
 */
#ifndef IDMAP_H
#define IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint64_t id, val; /* id 0: empty */
};

struct idmap {
	struct idmap_slot *t;
	size_t n, cap; /* cap: 0 or a power of two */
};

/* Sets id's value (id != 0). Returns 0, or -1 when the map could not grow
 * (out of memory; the map is unchanged). */
int idmap_put(struct idmap *m, uint64_t id, uint64_t val);

/* Removes id; returns 1 and its value in *val if it was there, else 0. */
int idmap_take(struct idmap *m, uint64_t id, uint64_t *val);

/* The next id from slot *pos on (start with *pos = 0); 0 when none left. */
uint64_t idmap_next(const struct idmap *m, size_t *pos);

/* Empties the map; frees its table when it has more than keep slots. */
void idmap_clear(struct idmap *m, size_t keep);

void idmap_free(struct idmap *m);

#endif /* IDMAP_H */
