/*
 * table.c - the flow table: identity, a chained hash table with a symmetric
 * key, a second chain by connection id, and the LRU list that eviction and
 * idle expiry walk from its head.
 *
 * Identity is (VLAN ids unless cfg.ignore_vlan, the two addresses, the two
 * ports); the pcapng interface is not part of it. The hash combines the two
 * (address, port) endpoints with addition, so both directions of a
 * connection land in the same bucket, as p0f's get_flow_bucket does; VLAN
 * ids are compared, not hashed, so all VLANs of a pair share the bucket and
 * asymmetric tagging can be recognised (tc_table_find). The lookup compares
 * the stored client and server and returns the direction. The bucket array doubles when the table holds more
 * connections than buckets; a failed doubling only makes chains longer.
 *
 * Memory per tracked connection: sizeof(struct tc_cx) plus two bucket
 * pointers (identity and id chains) at load factor <= 1; see tc_cx_bytes().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *tc_mem_alloc(struct tc_tracker *tr, size_t n)
{
	if (tr->cfg.tc_alloc)
		return tr->cfg.tc_alloc(tr->cfg.alloc_ctx, n);
	return malloc(n);
}

void tc_mem_free(struct tc_tracker *tr, void *p)
{
	if (!p)
		return;
	if (tr->cfg.tc_free)
		tr->cfg.tc_free(tr->cfg.alloc_ctx, p);
	else
		free(p);
}

int tc_table_init(struct tc_tracker *tr)
{
	tr->nbuckets = 1024;
	tr->hbuckets = tc_mem_alloc(tr, tr->nbuckets * sizeof(*tr->hbuckets));
	tr->ibuckets = tc_mem_alloc(tr, tr->nbuckets * sizeof(*tr->ibuckets));
	if (!tr->hbuckets || !tr->ibuckets) {
		tc_mem_free(tr, tr->hbuckets);
		tc_mem_free(tr, tr->ibuckets);
		tr->hbuckets = tr->ibuckets = NULL;
		return -1;
	}
	memset(tr->hbuckets, 0, tr->nbuckets * sizeof(*tr->hbuckets));
	memset(tr->ibuckets, 0, tr->nbuckets * sizeof(*tr->ibuckets));
	return 0;
}

void tc_table_free(struct tc_tracker *tr)
{
	tc_mem_free(tr, tr->hbuckets);
	tc_mem_free(tr, tr->ibuckets);
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

/* Direction of s in c by addresses and ports: 0, 1, or -1 (not c's). */
static int tuple_dir(const struct tc_conn *c, const struct tc_segment *s)
{
	if (c->port[0] == s->sport && c->port[1] == s->dport &&
	    addr_eq(&c->addr[0], &s->src) && addr_eq(&c->addr[1], &s->dst))
		return 0;
	if (c->port[1] == s->sport && c->port[0] == s->dport &&
	    addr_eq(&c->addr[1], &s->src) && addr_eq(&c->addr[0], &s->dst))
		return 1;
	return -1;
}

/* Exact identity first. Failing that, asymmetric VLAN tagging (one
 * direction tagged, the other not, as in suricata-verify bug 4376): an
 * untagged segment matches a tagged connection, or a tagged one an
 * untagged connection, when it goes in the direction that connection has
 * not seen yet. Distinct connections told apart by VLAN only each see both
 * of their directions, so they stay apart. */
struct tc_cx *tc_table_find(struct tc_tracker *tr, const struct tc_segment *s,
			    int *dir)
{
	uint32_t h = tc_key_hash(tr, s);
	struct tc_cx *loose = NULL;
	int loose_dir = 0;
	for (struct tc_cx *cx = tr->hbuckets[h & (tr->nbuckets - 1)]; cx;
	     cx = cx->hnext) {
		const struct tc_conn *c = &cx->c;
		if (cx->hash != h)
			continue;
		int d = tuple_dir(c, s);
		if (d < 0)
			continue;
		/* A direction already seen keeps the tags it came with. */
		const uint16_t *v = c->observed[d] ? cx->dvlan[d] : c->vlan;
		if (tr->cfg.ignore_vlan ||
		    (v[0] == s->vlan[0] && v[1] == s->vlan[1])) {
			*dir = d;
			return cx;
		}
		int s_tagged = s->vlan[0] || s->vlan[1];
		int c_tagged = c->vlan[0] || c->vlan[1];
		if (!loose && s_tagged != c_tagged && !c->observed[d]) {
			loose = cx;
			loose_dir = d;
		}
	}
	*dir = loose_dir;
	return loose;
}

struct tc_cx *tc_table_find_id(const struct tc_tracker *tr, uint64_t id)
{
	for (struct tc_cx *cx = tr->ibuckets[id & (tr->nbuckets - 1)]; cx;
	     cx = cx->inext)
		if (cx->c.id == id)
			return cx;
	return NULL;
}

/* Doubles the bucket arrays; on failure leaves them as they are. */
static void grow(struct tc_tracker *tr)
{
	size_t n = tr->nbuckets * 2;
	struct tc_cx **hb = tc_mem_alloc(tr, n * sizeof(*hb));
	struct tc_cx **ib = tc_mem_alloc(tr, n * sizeof(*ib));
	if (!hb || !ib) {
		tc_mem_free(tr, hb);
		tc_mem_free(tr, ib);
		return;
	}
	memset(hb, 0, n * sizeof(*hb));
	memset(ib, 0, n * sizeof(*ib));
	for (struct tc_cx *cx = tr->head; cx; cx = cx->next) {
		if (!cx->linked)
			continue;
		size_t b = cx->hash & (n - 1);
		cx->hnext = hb[b];
		hb[b] = cx;
		b = cx->c.id & (n - 1);
		cx->inext = ib[b];
		ib[b] = cx;
	}
	tc_mem_free(tr, tr->hbuckets);
	tc_mem_free(tr, tr->ibuckets);
	tr->hbuckets = hb;
	tr->ibuckets = ib;
	tr->nbuckets = n;
}

void tc_table_insert(struct tc_tracker *tr, struct tc_cx *cx)
{
	if (tr->st.active + 1 > tr->nbuckets)
		grow(tr);
	size_t b = cx->hash & (tr->nbuckets - 1);
	cx->hnext = tr->hbuckets[b];
	tr->hbuckets[b] = cx;
	b = cx->c.id & (tr->nbuckets - 1);
	cx->inext = tr->ibuckets[b];
	tr->ibuckets[b] = cx;
	cx->prev = tr->tail;
	cx->next = NULL;
	if (tr->tail)
		tr->tail->next = cx;
	else
		tr->head = cx;
	tr->tail = cx;
	cx->linked = 1;
	tr->st.active++;
}

void tc_table_remove(struct tc_tracker *tr, struct tc_cx *cx)
{
	if (!cx->linked)
		return;
	struct tc_cx **pp = &tr->hbuckets[cx->hash & (tr->nbuckets - 1)];
	while (*pp && *pp != cx)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = cx->hnext;
	pp = &tr->ibuckets[cx->c.id & (tr->nbuckets - 1)];
	while (*pp && *pp != cx)
		pp = &(*pp)->inext;
	if (*pp)
		*pp = cx->inext;
	if (cx->prev)
		cx->prev->next = cx->next;
	else
		tr->head = cx->next;
	if (cx->next)
		cx->next->prev = cx->prev;
	else
		tr->tail = cx->prev;
	cx->prev = cx->next = NULL;
	cx->linked = 0;
	tr->st.active--;
}

void tc_lru_touch(struct tc_tracker *tr, struct tc_cx *cx)
{
	if (!cx->linked || tr->tail == cx)
		return;
	if (cx->prev)
		cx->prev->next = cx->next;
	else
		tr->head = cx->next;
	cx->next->prev = cx->prev;
	cx->prev = tr->tail;
	cx->next = NULL;
	tr->tail->next = cx;
	tr->tail = cx;
}

/* Ports of the protocol analyzers Zeek registers (its likely_server_ports)
 * that matter for orientation; sorted for the binary search. */
static const uint16_t server_ports[] = {
	21,   22,   23,   25,   42,   53,   79,   80,   81,   88,   102,
	110,  111,  113,  135,  137,  139,  143,  161,  179,  389,  443,
	445,  465,  502,  513,  514,  587,  631,  636,  989,  990,  992,
	993,  995,  1080, 1194, 1433, 1521, 1723, 1883, 2049, 2181, 3128,
	3306, 3389, 5060, 5061, 5222, 5223, 5269, 5432, 5672, 5900, 6379,
	6666, 6667, 6668, 6669, 8000, 8080, 8443, 8883, 8888, 9092, 11211,
	20000, 27017,
};

int tc_likely_server_port(uint16_t port)
{
	size_t lo = 0, hi = sizeof(server_ports) / sizeof(server_ports[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (server_ports[mid] == port)
			return 1;
		if (server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
