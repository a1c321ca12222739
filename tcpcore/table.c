/*
 * table.c - the flow table: identity, a chained hash table with a
 * symmetric key, a second chain by connection id, and the lists that
 * expiry, packing and eviction walk from their heads. It knows records
 * only by their node: what class a connection is in, and how a packed one
 * is unpacked, its callers say (tracker.c, pack.c).
 *
 * Identity is (VLAN ids unless cfg.ignore_vlan, the two addresses, the two
 * ports); the pcapng interface is not part of it. The hash combines the two
 * (address, port) endpoints with addition, so both directions of a
 * connection land in the same bucket, as p0f's get_flow_bucket does; VLAN
 * ids are compared, not hashed, so all VLANs of a pair share the bucket and
 * asymmetric tagging can be recognised (tc_table_find). The lookup compares
 * the stored client and server and returns the direction. The bucket array
 * doubles when the table holds more connections than buckets; a failed
 * doubling only makes chains longer.
 *
 * What is linked is a struct tc_node, the head of every record, full
 * (struct tc_cx) or packed (pack.c): identity, id, hash and last_ts are in
 * the node, so lookups and timers never unpack. Lists, all least recent
 * first:
 *
 *   LRU        every record; expiry and tc_finish() walk it from the head;
 *   class      every record in the list of its class (enum tc_class):
 *              eviction takes the head of the first non-empty list, DONE
 *              before HALF before LIVE;
 *   full       the full records (tc_cx.fprev/fnext); packing takes its head.
 *
 * Packing and unpacking swap one record for another in place
 * (tc_table_replace), so no order changes and results stay the same.
 *
 * Memory comes from mem.c. A tracked connection costs its record plus two
 * bucket pointers at load factor <= 1; see tc_conn_bytes().
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int tc_table_init(struct tc_tracker *tr)
{
	tr->nbuckets = 1024;
	size_t sz = tr->nbuckets * sizeof(*tr->hbuckets);
	tr->hbuckets = tc_mem_alloc(tr, sz);
	tr->ibuckets = tc_mem_alloc(tr, sz);
	if (!tr->hbuckets || !tr->ibuckets) {
		tc_mem_free(tr, tr->hbuckets, sz);
		tc_mem_free(tr, tr->ibuckets, sz);
		tr->hbuckets = tr->ibuckets = NULL;
		return -1;
	}
	memset(tr->hbuckets, 0, sz);
	memset(tr->ibuckets, 0, sz);
	return 0;
}

void tc_table_free(struct tc_tracker *tr)
{
	size_t sz = tr->nbuckets * sizeof(*tr->hbuckets);
	tc_mem_free(tr, tr->hbuckets, sz);
	tc_mem_free(tr, tr->ibuckets, sz);
	tr->hbuckets = tr->ibuckets = NULL;
}

static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static uint32_t endpoint_hash(const struct tc_addr *a, uint16_t port)
{
	uint32_t h = 2166136261u ^ a->family;
	unsigned n = a->family == 6 ? 16 : 4;
	for (unsigned i = 0; i < n; i++)
		h = (h ^ a->a[i]) * 16777619u;
	h = (h ^ port) * 16777619u;
	return mix32(h);
}

static int addr_eq(const struct tc_addr *x, const struct tc_addr *y)
{
	if (x->family != y->family)
		return 0;
	return memcmp(x->a, y->a, x->family == 6 ? 16 : 4) == 0;
}

/* The VLAN ids are compared, not hashed, so that every VLAN of one
 * address/port pair shares a bucket (see tc_table_find). */
uint32_t tc_key_hash(const struct tc_tracker *tr, const struct tc_segment *s)
{
	(void)tr;
	return mix32(endpoint_hash(&s->src, s->sport) +
		     endpoint_hash(&s->dst, s->dport));
}

/* Direction of s in k by addresses and ports: 0, 1, or -1 (not k's). */
static int tuple_dir(const struct tc_key *k, const struct tc_segment *s)
{
	if (k->port[0] == s->sport && k->port[1] == s->dport &&
	    addr_eq(&k->addr[0], &s->src) && addr_eq(&k->addr[1], &s->dst))
		return 0;
	if (k->port[1] == s->sport && k->port[0] == s->dport &&
	    addr_eq(&k->addr[1], &s->src) && addr_eq(&k->addr[0], &s->dst))
		return 1;
	return -1;
}

/* Exact identity first. Failing that, asymmetric VLAN tagging (one
 * direction tagged, the other not, as in suricata-verify bug 4376): an
 * untagged segment matches a tagged connection, or a tagged one an
 * untagged connection, when it goes in the direction that connection has
 * not seen yet. Distinct connections told apart by VLAN only each see both
 * of their directions, so they stay apart. */
struct tc_node *tc_table_find(struct tc_tracker *tr,
			      const struct tc_segment *s, int *dir)
{
	uint32_t h = tc_key_hash(tr, s);
	struct tc_node *loose = NULL;
	int loose_dir = 0;
	for (struct tc_node *n = tr->hbuckets[h & (tr->nbuckets - 1)]; n;
	     n = n->hnext) {
		const struct tc_key *k = &n->key;
		if (n->hash != h)
			continue;
		int d = tuple_dir(k, s);
		if (d < 0 || k->tunnel != s->tunnel ||
		    k->tunnel_id != s->tunnel_id)
			continue;
		/* A direction already seen keeps the tags it came with. */
		const uint16_t *v = k->observed[d] ? k->dvlan[d] : k->vlan;
		if (tr->cfg.ignore_vlan ||
		    (v[0] == s->vlan[0] && v[1] == s->vlan[1])) {
			*dir = d;
			return n;
		}
		int s_tagged = s->vlan[0] || s->vlan[1];
		int c_tagged = k->vlan[0] || k->vlan[1];
		if (!loose && s_tagged != c_tagged && !k->observed[d]) {
			loose = n;
			loose_dir = d;
		}
	}
	*dir = loose_dir;
	return loose;
}

struct tc_node *tc_table_node_id(const struct tc_tracker *tr, uint64_t id)
{
	for (struct tc_node *n = tr->ibuckets[id & (tr->nbuckets - 1)]; n;
	     n = n->inext)
		if (n->id == id)
			return n;
	return NULL;
}

/* ---- Lists -------------------------------------------------------------- */

/* The three doubly linked lists differ only in their links and ends. */
#define LIST_APPEND(head, tail, x, PREV, NEXT)                               \
	do {                                                                  \
		(x)->PREV = (tail);                                           \
		(x)->NEXT = NULL;                                             \
		if (tail)                                                     \
			(tail)->NEXT = (x);                                   \
		else                                                          \
			(head) = (x);                                         \
		(tail) = (x);                                                 \
	} while (0)
#define LIST_PREPEND(head, tail, x, PREV, NEXT)                              \
	do {                                                                  \
		(x)->NEXT = (head);                                           \
		(x)->PREV = NULL;                                             \
		if (head)                                                     \
			(head)->PREV = (x);                                   \
		else                                                          \
			(tail) = (x);                                         \
		(head) = (x);                                                 \
	} while (0)
#define LIST_UNLINK(head, tail, x, PREV, NEXT)                               \
	do {                                                                  \
		if ((x)->PREV)                                                \
			(x)->PREV->NEXT = (x)->NEXT;                          \
		else                                                          \
			(head) = (x)->NEXT;                                   \
		if ((x)->NEXT)                                                \
			(x)->NEXT->PREV = (x)->PREV;                          \
		else                                                          \
			(tail) = (x)->PREV;                                   \
		(x)->PREV = (x)->NEXT = NULL;                                 \
	} while (0)
/* y takes x's place. */
#define LIST_SWAP(head, tail, x, y, PREV, NEXT)                              \
	do {                                                                  \
		(y)->PREV = (x)->PREV;                                        \
		(y)->NEXT = (x)->NEXT;                                        \
		if ((y)->PREV)                                                \
			(y)->PREV->NEXT = (y);                                \
		else                                                          \
			(head) = (y);                                         \
		if ((y)->NEXT)                                                \
			(y)->NEXT->PREV = (y);                                \
		else                                                          \
			(tail) = (y);                                         \
		(x)->PREV = (x)->NEXT = NULL;                                 \
	} while (0)

static size_t bucket_bytes(const struct tc_tracker *tr)
{
	return tr->nbuckets * sizeof(*tr->hbuckets);
}

/* Doubles the bucket arrays; on failure leaves them as they are. */
static void grow(struct tc_tracker *tr)
{
	size_t n = tr->nbuckets * 2, sz = n * sizeof(struct tc_node *);
	struct tc_node **hb = tc_mem_alloc(tr, sz);
	struct tc_node **ib = tc_mem_alloc(tr, sz);
	if (!hb || !ib) {
		tc_mem_free(tr, hb, sz);
		tc_mem_free(tr, ib, sz);
		return;
	}
	memset(hb, 0, sz);
	memset(ib, 0, sz);
	for (struct tc_node *x = tr->head; x; x = x->next) {
		size_t b = x->hash & (n - 1);
		x->hnext = hb[b];
		hb[b] = x;
		b = x->id & (n - 1);
		x->inext = ib[b];
		ib[b] = x;
	}
	tc_mem_free(tr, tr->hbuckets, bucket_bytes(tr));
	tc_mem_free(tr, tr->ibuckets, bucket_bytes(tr));
	tr->hbuckets = hb;
	tr->ibuckets = ib;
	tr->nbuckets = n;
}

void tc_table_insert(struct tc_tracker *tr, struct tc_cx *cx, int klass)
{
	struct tc_node *x = &cx->n;
	if (tr->st.active + 1 > tr->nbuckets)
		grow(tr);
	size_t b = x->hash & (tr->nbuckets - 1);
	x->hnext = tr->hbuckets[b];
	tr->hbuckets[b] = x;
	b = x->id & (tr->nbuckets - 1);
	x->inext = tr->ibuckets[b];
	tr->ibuckets[b] = x;
	LIST_APPEND(tr->head, tr->tail, x, prev, next);
	x->klass = (uint8_t)klass;
	LIST_APPEND(tr->chead[x->klass], tr->ctail[x->klass], x, cprev, cnext);
	LIST_APPEND(tr->fhead, tr->ftail, cx, fprev, fnext);
	tr->full_bytes += x->size;
	x->flags |= TC_N_LINKED;
	tr->st.active++;
}

static struct tc_node **chain_link(struct tc_node *n, int byid)
{
	return byid ? &n->inext : &n->hnext;
}

/* Replaces x by y (or removes x, y NULL) in its chain by identity or id. */
static void chain_swap(struct tc_tracker *tr, int byid, struct tc_node *x,
		       struct tc_node *y)
{
	struct tc_node **pp =
		byid ? &tr->ibuckets[x->id & (tr->nbuckets - 1)]
		     : &tr->hbuckets[x->hash & (tr->nbuckets - 1)];
	while (*pp && *pp != x)
		pp = chain_link(*pp, byid);
	assert(*pp == x);
	if (!*pp)
		return;
	if (y) {
		*chain_link(y, byid) = *chain_link(x, byid);
		*pp = y;
	} else {
		*pp = *chain_link(x, byid);
	}
	*chain_link(x, byid) = NULL;
}

static void chains_swap(struct tc_tracker *tr, struct tc_node *x,
			struct tc_node *y)
{
	chain_swap(tr, 0, x, y);
	chain_swap(tr, 1, x, y);
}

void tc_table_remove(struct tc_tracker *tr, struct tc_node *x)
{
	if (!(x->flags & TC_N_LINKED))
		return;
	chains_swap(tr, x, NULL);
	LIST_UNLINK(tr->head, tr->tail, x, prev, next);
	LIST_UNLINK(tr->chead[x->klass], tr->ctail[x->klass], x, cprev, cnext);
	if (x->flags & TC_N_PACKED) {
		tr->st.packed--;
		tr->st.packed_bytes -= tc_mem_cost(x->size);
	} else {
		struct tc_cx *cx = (struct tc_cx *)x;
		LIST_UNLINK(tr->fhead, tr->ftail, cx, fprev, fnext);
		tr->full_bytes -= x->size;
	}
	x->flags &= (uint8_t)~TC_N_LINKED;
	tr->st.active--;
}

void tc_table_replace(struct tc_tracker *tr, struct tc_node *old,
		      struct tc_node *nw, int recent)
{
	assert(old->flags & TC_N_LINKED);
	assert(old->id == nw->id && old->hash == nw->hash);
	chains_swap(tr, old, nw);
	LIST_SWAP(tr->head, tr->tail, old, nw, prev, next);
	nw->klass = old->klass;
	LIST_SWAP(tr->chead[old->klass], tr->ctail[old->klass], old, nw, cprev,
		  cnext);
	if (old->flags & TC_N_PACKED) {
		tr->st.packed--;
		tr->st.packed_bytes -= tc_mem_cost(old->size);
	} else {
		struct tc_cx *cx = (struct tc_cx *)old;
		LIST_UNLINK(tr->fhead, tr->ftail, cx, fprev, fnext);
		tr->full_bytes -= old->size;
	}
	if (nw->flags & TC_N_PACKED) {
		tr->st.packed++;
		tr->st.packed_bytes += tc_mem_cost(nw->size);
	} else {
		struct tc_cx *cx = (struct tc_cx *)nw;
		if (recent)
			LIST_APPEND(tr->fhead, tr->ftail, cx, fprev, fnext);
		else
			LIST_PREPEND(tr->fhead, tr->ftail, cx, fprev, fnext);
		tr->full_bytes += nw->size;
	}
	old->flags &= (uint8_t)~TC_N_LINKED;
	nw->flags |= TC_N_LINKED;
}

void tc_lru_touch(struct tc_tracker *tr, struct tc_cx *cx)
{
	struct tc_node *x = &cx->n;
	if (!(x->flags & TC_N_LINKED))
		return;
	if (tr->tail != x) {
		LIST_UNLINK(tr->head, tr->tail, x, prev, next);
		LIST_APPEND(tr->head, tr->tail, x, prev, next);
	}
	if (tr->ftail != cx) {
		LIST_UNLINK(tr->fhead, tr->ftail, cx, fprev, fnext);
		LIST_APPEND(tr->fhead, tr->ftail, cx, fprev, fnext);
	}
	if (tr->ctail[x->klass] != x) {
		LIST_UNLINK(tr->chead[x->klass], tr->ctail[x->klass], x, cprev,
			    cnext);
		LIST_APPEND(tr->chead[x->klass], tr->ctail[x->klass], x, cprev,
			    cnext);
	}
}

void tc_table_classify(struct tc_tracker *tr, struct tc_cx *cx, int k)
{
	struct tc_node *x = &cx->n;
	if (!(x->flags & TC_N_LINKED) || k == x->klass)
		return;
	LIST_UNLINK(tr->chead[x->klass], tr->ctail[x->klass], x, cprev, cnext);
	x->klass = (uint8_t)k;
	LIST_APPEND(tr->chead[k], tr->ctail[k], x, cprev, cnext);
}

struct tc_node *tc_table_victim(const struct tc_tracker *tr,
				const struct tc_node *keep)
{
	for (int k = 0; k < TC_CL__COUNT; k++) {
		struct tc_node *x = tr->chead[k];
		if (x && x == keep)
			x = x->cnext;
		if (x)
			return x;
	}
	return NULL;
}
