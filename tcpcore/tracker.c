/*
 * tracker.c - the public API: tc_feed() runs the modules for one segment
 * in a fixed order and queues the events; tc_finish() and tc_next_event()
 * end the input. It also keeps the tracker within its memory.
 *
 * One feed:
 *   1. Timers by segment time: connections at the LRU head idle past
 *      cfg.idle_timeout_ns, or closed on both sides for 2*MSL, finish.
 *   2. Lookup; a packed connection is unpacked; a SYN with a new ISN
 *      (tc_machine_is_reuse) finishes the old incarnation first; a full
 *      table (cfg.max_conns) evicts one connection.
 *   3. Memory (keep_memory): other connections idle for cfg.pack_idle_ns
 *      are packed; beyond cfg.max_bytes the oldest full ones are packed
 *      and, when that is not enough, connections evicted.
 *   4. Events: TC_EV_SEGMENT (its label bits filled in at the end), then
 *      TC_EV_OPEN for a new connection, then labels and transitions as
 *      analysis.c, zeek.c and machine.c produce them.
 *
 * Memory. The budget (cfg.max_bytes) counts every byte the tracker holds
 * (table.c, tc_mem_alloc) but the grave, freed at the next call; a little
 * below it when the buckets are about to double, so that the doubling
 * does not go over. Steps while over it, each on the oldest connection
 * (least recently fed) of its kind, never on the one being fed:
 *   a. pack full connections while they hold more than a quarter of the
 *      budget: the most recent stay full, not unpacked on every segment;
 *      but evict rather than pack one both of whose sides are done;
 *   b. evict a connection both of whose sides are done (the least to
 *      lose: only a late segment or a TIME-WAIT expiry);
 *   c. pack full connections down to a sixteenth of the budget;
 *   d. evict a half-open connection (no side established: a SYN flood);
 *   e. pack any full connection; f. evict any connection.
 * Packing is lossless (pack.c), so results change only by evictions,
 * which are counted and flagged. A packed connection being finished is
 * unpacked into one of TC_SPARES records inside the tracker while one is
 * free, so that evicting frees its memory at once. A connection's
 * transitions beyond TC_MAX_TRANS may take the total over the budget by
 * one array until the next feed. When an allocation fails, shed() packs
 * or evicts (into a spare) one connection at a time and the allocation is
 * tried again.
 *
 * The queue is a ring of cfg.max_events; when the caller does not drain it
 * further events are dropped and counted (tc_stats.events_dropped).
 * Finished connections go to a graveyard freed at the next tc_feed(),
 * tc_finish() or tc_tracker_free(), which keeps every conn pointer handed
 * out valid as tcpcore.h promises. tc_finish() is lazy: tc_next_event()
 * finishes one remaining connection whenever the queue runs dry (freeing
 * the one before: its events were all taken), so the queue bound holds at
 * the end of input and packed connections are unpacked one at a time.
 */
#include <assert.h>
#include <string.h>

#include "internal.h"

#define EXPIRE_PER_FEED 32 /* bound on timer work per segment */
#define FULL_SHARE 4       /* full records may hold 1/4 of the budget */

void tc_config_default(struct tc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = TC_DEFAULT_MAX_CONNS;
	cfg->idle_timeout_ns = TC_DEFAULT_IDLE_TIMEOUT_NS;
	cfg->msl_ns = TC_DEFAULT_MSL_NS;
	cfg->ignore_vlan = 0;
	cfg->max_events = TC_DEFAULT_MAX_EVENTS;
	cfg->max_bytes = TC_DEFAULT_MAX_BYTES;
	cfg->pack_idle_ns = TC_DEFAULT_PACK_IDLE_NS;
}

struct tc_tracker *tc_tracker_new(const struct tc_config *cfg)
{
	struct tc_tracker *tr = tc_mem_new_tracker(cfg);
	if (!tr)
		return NULL;
	if (tr->cfg.max_events < 64)
		tr->cfg.max_events = 64;
	if (tr->cfg.max_conns == 0)
		tr->cfg.max_conns = 1;
	tr->self = tr;
	tr->qcap = tr->cfg.max_events;
	tr->q = tc_mem_alloc(tr, tr->qcap * sizeof(*tr->q));
	if (!tr->q || tc_table_init(tr) < 0) {
		tc_mem_free(tr, tr->q, tr->qcap * sizeof(*tr->q));
		tc_mem_free(tr, tr, sizeof(*tr));
		return NULL;
	}
	return tr;
}

/* What the record of cx holds (0 for a spare, counted with the tracker). */
static size_t record_bytes(const struct tc_cx *cx)
{
	size_t n = cx->n.size ? tc_mem_cost(cx->n.size) : 0;
	if (cx->trx)
		n += tc_mem_cost(cx->trcap * sizeof(*cx->trx));
	return n;
}

static void free_grave(struct tc_tracker *tr)
{
	while (tr->grave) {
		struct tc_node *n = tr->grave;
		tr->grave = n->next;
		n->next = NULL;
		tc_record_free(tr, n);
	}
	tr->grave_bytes = 0;
}

void tc_tracker_free(struct tc_tracker *tr)
{
	if (!tr)
		return;
	free_grave(tr);
	while (tr->head) {
		struct tc_node *n = tr->head;
		tc_table_remove(tr, n);
		tc_record_free(tr, n);
	}
	tc_table_free(tr);
	tc_mem_free(tr, tr->q, tr->qcap * sizeof(*tr->q));
	/* tc_mem_free() reads the hooks before it frees. */
	tc_mem_free(tr, tr, sizeof(*tr));
}

/* The eviction class of cx (table.c keeps the lists). */
static int klass_of(const struct tc_cx *cx)
{
	if (cx->reset || tc_machine_over(cx))
		return TC_CL_DONE;
	for (int i = 0; i < 2; i++)
		if (cx->c.state[i] >= TC_ST_ESTABLISHED)
			return TC_CL_LIVE;
	return TC_CL_HALF;
}

/* ---- Finishing ---------------------------------------------------------- */

/* Finishes cx: concludes it, queues TC_EV_CLOSE, moves it to the grave. */
static void finish(struct tc_tracker *tr, struct tc_cx *cx, int evicted,
		   int timed_out)
{
	tc_machine_timers(tr, cx, tr->now);
	/* A connection both of whose sides are done loses only the rest of
	 * its TIME-WAIT when its memory is needed: its figures are final, so
	 * it is released, not evicted. */
	int done = cx->reset || tc_machine_over(cx);
	cx->timed_out = (uint8_t)timed_out;
	cx->c.evicted = (uint8_t)(evicted && !done);
	tc_machine_conclude(cx, tr->now);
	tc_zeek_conclude(cx);
	tc_cc_conclude(cx);
	cx->c.finished = 1;
	if (evicted && done)
		tr->st.released++;
	else if (evicted)
		tr->st.evicted++;
	if (timed_out)
		tr->st.timed_out++;
	tc_q_push(tr, TC_EV_CLOSE, cx, NULL, 0);
	tc_table_remove(tr, &cx->n);
	cx->n.next = tr->grave;
	tr->grave = &cx->n;
	tr->grave_bytes += record_bytes(cx);
}

static struct tc_cx *free_spare(struct tc_tracker *tr)
{
	for (int i = 0; i < TC_SPARES; i++)
		if (!tr->spare_busy[i]) {
			tr->spare_busy[i] = 1;
			return &tr->spare[i];
		}
	return NULL;
}

/* Moves record n into a spare, freeing its memory now; NULL when no spare
 * is free. */
static struct tc_cx *to_spare(struct tc_tracker *tr, struct tc_node *n)
{
	struct tc_cx *sp = free_spare(tr);
	if (!sp)
		return NULL;
	if (n->flags & TC_N_PACKED)
		return tc_unpack(tr, n, sp, 0);
	struct tc_cx *cx = (struct tc_cx *)n;
	memcpy(sp, cx, sizeof(*sp));
	sp->n.flags = TC_N_SPARE | TC_N_LINKED;
	sp->n.size = 0;
	if (!sp->trx)
		sp->c.transitions = sp->tr;
	tc_table_replace(tr, &cx->n, &sp->n, 0);
	cx->trx = NULL; /* now the spare's */
	tc_mem_free(tr, cx, sizeof(*cx));
	return sp;
}

/* Finishes the record n, unpacking it first: into a spare while one is
 * free (the packed record's memory is then free at once, and no more is
 * taken), else into a new allocation. Returns 0, or -1 when it could not
 * be unpacked (out of memory). */
static int finish_node(struct tc_tracker *tr, struct tc_node *n, int evicted,
		       int timed_out)
{
	struct tc_cx *cx = (struct tc_cx *)n;
	if (n->flags & TC_N_PACKED) {
		cx = to_spare(tr, n);
		if (!cx)
			cx = tc_unpack(tr, n, NULL, 0);
		if (!cx)
			return -1;
	}
	finish(tr, cx, evicted, timed_out);
	return 0;
}

static int is_done(const struct tc_node *n)
{
	if (n->flags & TC_N_PACKED)
		return n->klass == TC_CL_DONE;
	const struct tc_cx *cx = (const struct tc_cx *)n;
	return cx->reset || tc_machine_over(cx);
}

static void expire(struct tc_tracker *tr)
{
	for (int n = 0; n < EXPIRE_PER_FEED && tr->head; n++) {
		struct tc_node *h = tr->head;
		int64_t idle = tc_tdiff(tr->now, h->last_ts);
		int timed_out = tr->cfg.idle_timeout_ns > 0 &&
				idle > tr->cfg.idle_timeout_ns;
		if (!timed_out &&
		    !(tr->cfg.msl_ns >= 0 && is_done(h) &&
		      idle >= 2 * tr->cfg.msl_ns))
			break;
		if (finish_node(tr, h, 0, timed_out) < 0)
			break;
	}
}

/* ---- Memory ------------------------------------------------------------- */

/* Bytes the budget counts: all but the grave. */
static size_t held(const struct tc_tracker *tr)
{
	return (size_t)tr->st.bytes - tr->grave_bytes;
}

/* The oldest full record but keep, or NULL. */
static struct tc_cx *oldest_full(const struct tc_tracker *tr,
				 const struct tc_cx *keep)
{
	struct tc_cx *f = tr->fhead;
	return f && f == keep ? f->fnext : f;
}

/* The oldest record of class k but keep, or NULL. */
static struct tc_node *oldest_of(const struct tc_tracker *tr, int k,
				 const struct tc_node *keep)
{
	struct tc_node *x = tr->chead[k];
	return x && x == keep ? x->cnext : x;
}

/* Evicts the oldest connection of class k but cur; 1 if it did. */
static int evict_oldest(struct tc_tracker *tr, int k, struct tc_cx *cur)
{
	struct tc_node *v = oldest_of(tr, k, &cur->n);
	return v && finish_node(tr, v, 1, 0) == 0;
}

/* One step of keeping the budget (see the top); 0 when none helps. */
static int budget_step(struct tc_tracker *tr, struct tc_cx *cur)
{
	struct tc_cx *f = oldest_full(tr, cur);
	if (f && tr->full_bytes > tr->cfg.max_bytes / FULL_SHARE) {
		/* A done connection is not worth packing when it would be
		 * evicted next: the oldest done one goes (f or older). */
		if (f->n.klass == TC_CL_DONE)
			return evict_oldest(tr, TC_CL_DONE, cur);
		if (tc_pack(tr, f) == 0)
			return 1;
	}
	if (evict_oldest(tr, TC_CL_DONE, cur))
		return 1;
	if (f && tr->full_bytes > tr->cfg.max_bytes / (4 * FULL_SHARE) &&
	    tc_pack(tr, f) == 0)
		return 1;
	if (evict_oldest(tr, TC_CL_HALF, cur))
		return 1;
	if (f && tc_pack(tr, f) == 0)
		return 1;
	return evict_oldest(tr, TC_CL_LIVE, cur);
}

/* Packs idle connections and keeps the budget, sparing cur. */
static void keep_memory(struct tc_tracker *tr, struct tc_cx *cur)
{
	struct tc_cx *f;
	if (tr->cfg.pack_idle_ns >= 0)
		while ((f = oldest_full(tr, cur)) &&
		       tc_tdiff(tr->now, f->c.last_ts) >= tr->cfg.pack_idle_ns)
			if (tc_pack(tr, f) < 0)
				break;
	if (!tr->cfg.max_bytes)
		return;
	/* Close to doubling its buckets, the table will need the new ones
	 * beside the old for a moment: keep that much free beforehand, so
	 * that the doubling does not go over (and evict in a burst). */
	size_t limit = tr->cfg.max_bytes, ahead = 0;
	if (tr->st.active + tr->nbuckets / 8 >= tr->nbuckets)
		ahead = 4 * tc_mem_cost(tr->nbuckets * sizeof(*tr->hbuckets));
	limit = limit > ahead ? limit - ahead : 0;
	while (held(tr) > limit)
		if (!budget_step(tr, cur))
			break;
}

/* After a failed allocation: packs the oldest full connection or evicts
 * the best victim (into a spare, so its memory is free now), sparing
 * keep. Returns 1 if it freed something, 0 if nothing could be. */
static int shed(struct tc_tracker *tr, const struct tc_node *keep)
{
	struct tc_cx *f = tr->fhead;
	if (f && &f->n == keep)
		f = f->fnext;
	if (f && tc_pack(tr, f) == 0) {
		tr->st.shed++;
		return 1;
	}
	for (int k = 0; k < TC_CL__COUNT; k++) {
		struct tc_node *v = oldest_of(tr, k, keep);
		if (!v)
			continue;
		struct tc_cx *cx = to_spare(tr, v);
		if (!cx)
			return 0;
		finish(tr, cx, 1, 0);
		tr->st.shed++;
		return 1;
	}
	return 0;
}

/* tc_mem_alloc(), shedding memory until it succeeds or nothing is left. */
static void *alloc_shedding(struct tc_tracker *tr, size_t n,
			    const struct tc_node *keep)
{
	void *p;
	while (!(p = tc_mem_alloc(tr, n)))
		if (!shed(tr, keep))
			return NULL;
	return p;
}

/* Unpacks n, the connection of the segment being fed, shedding memory if
 * need be; NULL when out of memory. */
static struct tc_cx *unpack_current(struct tc_tracker *tr, struct tc_node *n)
{
	struct tc_cx *cx;
	while (!(cx = tc_unpack(tr, n, NULL, 1)))
		if (!shed(tr, n))
			return NULL;
	return cx;
}

/* ---- Feeding ------------------------------------------------------------ */

static void set_identity(struct tc_tracker *tr, struct tc_cx *cx,
			 const struct tc_segment *s, int client_sends)
{
	struct tc_conn *c = &cx->c;
	struct tc_key *k = &cx->n.key;
	int a = client_sends ? 0 : 1;
	c->addr[a] = s->src;
	c->port[a] = s->sport;
	c->addr[!a] = s->dst;
	c->port[!a] = s->dport;
	if (!tr->cfg.ignore_vlan) {
		c->vlan[0] = s->vlan[0];
		c->vlan[1] = s->vlan[1];
	}
	memcpy(k->addr, c->addr, sizeof(k->addr));
	memcpy(k->port, c->port, sizeof(k->port));
	memcpy(k->vlan, c->vlan, sizeof(k->vlan));
	c->tunnel = k->tunnel = s->tunnel;
	c->tunnel_id = k->tunnel_id = s->tunnel_id;
	cx->n.hash = tc_key_hash(tr, s);
}

/* Makes fresh, a zeroed record, the new connection of s; returns the
 * direction of s in it. */
static int open_conn(struct tc_tracker *tr, struct tc_cx *cx,
		     const struct tc_segment *s)
{
	memset(cx, 0, sizeof(*cx));
	int client_sends = tc_machine_sender_is_client(s);
	set_identity(tr, cx, s, client_sends);
	int d = client_sends ? TC_CLIENT : TC_SERVER;
	cx->c.id = cx->n.id = ++tr->next_id;
	cx->n.size = sizeof(*cx);
	cx->c.capture = s->capture;
	cx->c.first_ts = s->ts_ns;
	cx->c.first_pkt = s->pkt;
	cx->c.transitions = cx->tr;
	tc_machine_init(cx, s, d);
	tc_an_init(cx);
	tc_zeek_init(cx, s, d);
	tc_table_insert(tr, cx, klass_of(cx));
	tr->st.conns++;
	return d;
}

int tc_feed(struct tc_tracker *tr, const struct tc_segment *s)
{
	free_grave(tr);
	tr->finishing = 0;
	if (s->ts_ns > tr->now || tr->st.segments == 0)
		tr->now = s->ts_ns;
	expire(tr);

	int d = 0;
	struct tc_node *n = tc_table_find(tr, s, &d);
	struct tc_cx *cx = NULL;
	if (n) {
		cx = n->flags & TC_N_PACKED ? unpack_current(tr, n)
					    : (struct tc_cx *)n;
		if (!cx)
			return -1;
		tc_machine_timers(tr, cx, tr->now);
	}
	int reuse = cx && tc_machine_is_reuse(cx, s, d);
	struct tc_cx *fresh = NULL;
	if (!cx || reuse) {
		fresh = alloc_shedding(tr, sizeof(*fresh), cx ? &cx->n : NULL);
		if (!fresh)
			return -1;
	}
	if (reuse) {
		tr->st.reused++;
		finish(tr, cx, 0, 0);
	}
	if (fresh) {
		if (tr->st.active >= tr->cfg.max_conns) {
			struct tc_node *v = tc_table_victim(tr, NULL);
			if (v)
				finish_node(tr, v, 1, 0);
		}
		cx = fresh;
		d = open_conn(tr, cx, s);
	}
	keep_memory(tr, cx);
	tr->st.segments++;
	tc_lru_touch(tr, cx);

	struct tc_event *sev = tc_q_push(tr, TC_EV_SEGMENT, cx, s, d);
	if (fresh)
		tc_q_push(tr, TC_EV_OPEN, cx, s, d);
	uint64_t labels = 0;
	tc_an_segment(tr, cx, s, d, &labels);
	tc_zeek_segment(cx, s, d);
	tc_machine_step(tr, cx, s, d, &labels);
	tc_cc_segment(tr, cx, s, d, labels);
	tc_check_side(cx, TC_CLIENT);
	tc_check_side(cx, TC_SERVER);
	if (!cx->c.observed[d]) {
		cx->n.key.dvlan[d][0] = s->vlan[0];
		cx->n.key.dvlan[d][1] = s->vlan[1];
	}
	cx->c.observed[d] = cx->n.key.observed[d] = 1;
	if (s->ts_ns > cx->c.last_ts || !cx->c.last_pkt)
		cx->c.last_ts = s->ts_ns;
	cx->n.last_ts = cx->c.last_ts;
	cx->c.last_pkt = s->pkt;
	tc_table_classify(tr, cx, klass_of(cx));
	if (sev)
		sev->labels = labels;
	return 0;
}

void tc_finish(struct tc_tracker *tr)
{
	free_grave(tr);
	tr->finishing = 1;
}

int tc_next_event(struct tc_tracker *tr, struct tc_event *ev)
{
	if (tr->qlen == 0 && tr->finishing && tr->head) {
		/* Every event of the connection finished before was taken:
		 * free it (its spare, too, so this cannot fail). */
		free_grave(tr);
		int rc = finish_node(tr, tr->head, 0, 0);
		assert(rc == 0);
		(void)rc;
	}
	if (tr->qlen == 0)
		return 0;
	*ev = tr->q[tr->qhead];
	tr->qhead = (tr->qhead + 1) % tr->qcap;
	tr->qlen--;
	return 1;
}

const struct tc_conn *tc_conn_get(const struct tc_tracker *tr, uint64_t id)
{
	/* Unpacking changes how the tracker holds the connection, nothing
	 * a caller can see: the tracker is const to it, not to us. */
	struct tc_cx *cx = tc_find_full(tr->self, id);
	return cx ? &cx->c : NULL;
}

void tc_stats_get(const struct tc_tracker *tr, struct tc_stats *st)
{
	*st = tr->st;
	st->bytes -= tr->grave_bytes;
}

size_t tc_conn_bytes(void)
{
	return sizeof(struct tc_cx) + 2 * sizeof(struct tc_node *);
}
