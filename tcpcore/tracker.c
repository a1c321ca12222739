/*
 * tracker.c - the public API: tc_feed() runs the modules for one segment
 * in a fixed order and queues the events; tc_finish() and tc_next_event()
 * end the input.
 *
 * One feed:
 *   1. Timers by segment time: connections at the LRU head idle past
 *      cfg.idle_timeout_ns, or closed on both sides for 2*MSL, finish.
 *   2. Lookup; a SYN with a new ISN (tc_machine_is_reuse) finishes the old
 *      incarnation first; a full table evicts the least recently used.
 *   3. Events: TC_EV_SEGMENT (its label bits filled in at the end), then
 *      TC_EV_OPEN for a new connection, then labels and transitions as
 *      analysis.c, zeek.c and machine.c produce them.
 *
 * The queue is a ring of cfg.max_events; when the caller does not drain it
 * further events are dropped and counted (tc_stats.events_dropped).
 * Finished connections go to a graveyard freed at the next tc_feed(),
 * tc_finish() or tc_tracker_free(), which keeps every conn pointer handed
 * out valid as tcpcore.h promises. tc_finish() is lazy: tc_next_event()
 * finishes one remaining connection whenever the queue runs dry, so the
 * queue bound also holds at the end of input.
 */
#include <string.h>

#include "internal.h"

#define EXPIRE_PER_FEED 32 /* bound on timer work per segment */

void tc_config_default(struct tc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = TC_DEFAULT_MAX_CONNS;
	cfg->idle_timeout_ns = TC_DEFAULT_IDLE_TIMEOUT_NS;
	cfg->msl_ns = TC_DEFAULT_MSL_NS;
	cfg->ignore_vlan = 0;
	cfg->max_events = TC_DEFAULT_MAX_EVENTS;
}

struct tc_tracker *tc_tracker_new(const struct tc_config *cfg)
{
	struct tc_tracker tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.cfg = *cfg;
	if (tmp.cfg.max_events < 64)
		tmp.cfg.max_events = 64;
	if (tmp.cfg.max_conns == 0)
		tmp.cfg.max_conns = 1;
	struct tc_tracker *tr = tc_mem_alloc(&tmp, sizeof(*tr));
	if (!tr)
		return NULL;
	*tr = tmp;
	tr->qcap = tr->cfg.max_events;
	tr->q = tc_mem_alloc(tr, tr->qcap * sizeof(*tr->q));
	if (!tr->q || tc_table_init(tr) < 0) {
		tc_mem_free(tr, tr->q);
		tc_mem_free(&tmp, tr);
		return NULL;
	}
	return tr;
}

static void free_grave(struct tc_tracker *tr)
{
	while (tr->grave) {
		struct tc_cx *cx = tr->grave;
		tr->grave = cx->grave;
		tc_mem_free(tr, cx);
	}
}

void tc_tracker_free(struct tc_tracker *tr)
{
	if (!tr)
		return;
	free_grave(tr);
	while (tr->head) {
		struct tc_cx *cx = tr->head;
		tc_table_remove(tr, cx);
		tc_mem_free(tr, cx);
	}
	tc_table_free(tr);
	tc_mem_free(tr, tr->q);
	struct tc_tracker tmp = *tr;
	tc_mem_free(&tmp, tr);
}

struct tc_event *tc_q_push(struct tc_tracker *tr, uint8_t type,
			   struct tc_cx *cx, const struct tc_segment *s, int d)
{
	if (tr->qlen == tr->qcap) {
		tr->st.events_dropped++;
		return NULL;
	}
	struct tc_event *ev = &tr->q[(tr->qhead + tr->qlen) % tr->qcap];
	tr->qlen++;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->conn_id = cx->c.id;
	ev->conn = &cx->c;
	ev->dir = (uint8_t)d;
	if (s) {
		ev->ts_ns = s->ts_ns;
		ev->pkt = s->pkt;
		ev->seq = s->seq;
		ev->ack = s->ack;
		ev->len = s->payload_len;
		ev->win = s->window;
	} else {
		ev->ts_ns = cx->c.last_ts;
		ev->pkt = cx->c.last_pkt;
	}
	return ev;
}

void tc_label(struct tc_tracker *tr, struct tc_cx *cx,
	      const struct tc_segment *s, int d, uint64_t *labels, unsigned l,
	      unsigned r)
{
	uint64_t bit = (uint64_t)1 << l;
	if (*labels & bit)
		return;
	*labels |= bit;
	cx->c.dir[d].label[l]++;
	struct tc_event *ev = tc_q_push(tr, TC_EV_LABEL, cx, s, d);
	if (ev) {
		ev->label = (uint16_t)l;
		ev->reason = (uint16_t)r;
	}
}

void tc_transition(struct tc_tracker *tr, struct tc_cx *cx, int side, int to,
		   unsigned rule, int64_t ts, uint64_t pkt)
{
	uint8_t from = cx->c.state[side];
	if (from == to)
		return;
	struct tc_transition t = { ts, pkt, (uint8_t)side, from, (uint8_t)to,
				   (uint16_t)rule };
	if (cx->c.ntransitions < TC_MAX_TRANS)
		cx->tr[cx->c.ntransitions++] = t;
	else
		cx->ntr_dropped++;
	cx->c.state[side] = (uint8_t)to;
	if (to == TC_ST_TIME_WAIT)
		cx->ep[side].tw_since = ts;
	if (to == TC_ST_CLOSED)
		cx->ep[side].ended = 1;
	struct tc_event *ev = tc_q_push(tr, TC_EV_TRANSITION, cx, NULL, side);
	if (ev) {
		ev->ts_ns = ts;
		ev->pkt = pkt;
		ev->tr = t;
	}
}

/* Finishes cx: concludes it, queues TC_EV_CLOSE, moves it to the grave. */
static void finish(struct tc_tracker *tr, struct tc_cx *cx, int evicted,
		   int timed_out)
{
	tc_machine_timers(tr, cx, tr->now);
	cx->timed_out = (uint8_t)timed_out;
	cx->c.evicted = (uint8_t)evicted;
	tc_machine_conclude(cx);
	tc_zeek_conclude(cx);
	cx->c.finished = 1;
	if (evicted)
		tr->st.evicted++;
	if (timed_out)
		tr->st.timed_out++;
	tc_q_push(tr, TC_EV_CLOSE, cx, NULL, 0);
	tc_table_remove(tr, cx);
	cx->grave = tr->grave;
	tr->grave = cx;
}

static void expire(struct tc_tracker *tr)
{
	for (int n = 0; n < EXPIRE_PER_FEED && tr->head; n++) {
		struct tc_cx *h = tr->head;
		if (tr->cfg.idle_timeout_ns > 0 &&
		    tc_tdiff(tr->now, h->c.last_ts) > tr->cfg.idle_timeout_ns) {
			finish(tr, h, 0, 1);
			continue;
		}
		if (tr->cfg.msl_ns >= 0 && (h->reset || tc_machine_over(h)) &&
		    tc_tdiff(tr->now, h->c.last_ts) >= 2 * tr->cfg.msl_ns) {
			finish(tr, h, 0, 0);
			continue;
		}
		break;
	}
}

static void set_identity(struct tc_tracker *tr, struct tc_cx *cx,
			 const struct tc_segment *s, int client_sends)
{
	struct tc_conn *c = &cx->c;
	int a = client_sends ? 0 : 1;
	c->addr[a] = s->src;
	c->port[a] = s->sport;
	c->addr[!a] = s->dst;
	c->port[!a] = s->dport;
	if (!tr->cfg.ignore_vlan) {
		c->vlan[0] = s->vlan[0];
		c->vlan[1] = s->vlan[1];
	}
	cx->hash = tc_key_hash(tr, s);
}

int tc_feed(struct tc_tracker *tr, const struct tc_segment *s)
{
	free_grave(tr);
	tr->finishing = 0;
	if (s->ts_ns > tr->now || tr->st.segments == 0)
		tr->now = s->ts_ns;
	expire(tr);

	int d = 0;
	struct tc_cx *cx = tc_table_find(tr, s, &d);
	if (cx)
		tc_machine_timers(tr, cx, tr->now);
	int reuse = cx && tc_machine_is_reuse(cx, s, d);
	struct tc_cx *fresh = NULL;
	if (!cx || reuse) {
		fresh = tc_mem_alloc(tr, sizeof(*fresh));
		if (!fresh)
			return -1;
	}
	if (reuse) {
		tr->st.reused++;
		finish(tr, cx, 0, 0);
	}
	if (fresh) {
		if (tr->st.active >= tr->cfg.max_conns && tr->head)
			finish(tr, tr->head, 1, 0);
		cx = fresh;
		memset(cx, 0, sizeof(*cx));
		int client_sends = tc_machine_sender_is_client(s);
		set_identity(tr, cx, s, client_sends);
		d = client_sends ? TC_CLIENT : TC_SERVER;
		cx->c.id = ++tr->next_id;
		cx->c.capture = s->capture;
		cx->c.first_ts = s->ts_ns;
		cx->c.first_pkt = s->pkt;
		cx->c.transitions = cx->tr;
		tc_machine_init(cx, s, d);
		tc_an_init(cx);
		tc_zeek_init(cx, s, d);
		tc_table_insert(tr, cx);
		tr->st.conns++;
	}
	tr->st.segments++;
	tc_lru_touch(tr, cx);

	struct tc_event *sev = tc_q_push(tr, TC_EV_SEGMENT, cx, s, d);
	if (fresh)
		tc_q_push(tr, TC_EV_OPEN, cx, s, d);
	uint64_t labels = 0;
	tc_an_segment(tr, cx, s, d, &labels);
	tc_zeek_segment(cx, s, d);
	tc_machine_step(tr, cx, s, d, &labels);
	if (!cx->c.observed[d]) {
		cx->dvlan[d][0] = s->vlan[0];
		cx->dvlan[d][1] = s->vlan[1];
	}
	cx->c.observed[d] = 1;
	if (s->ts_ns > cx->c.last_ts || !cx->c.last_pkt)
		cx->c.last_ts = s->ts_ns;
	cx->c.last_pkt = s->pkt;
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
	if (tr->qlen == 0 && tr->finishing && tr->head)
		finish(tr, tr->head, 0, 0);
	if (tr->qlen == 0)
		return 0;
	*ev = tr->q[tr->qhead];
	tr->qhead = (tr->qhead + 1) % tr->qcap;
	tr->qlen--;
	return 1;
}

const struct tc_conn *tc_conn_get(const struct tc_tracker *tr, uint64_t id)
{
	const struct tc_cx *cx = tc_table_find_id(tr, id);
	return cx ? &cx->c : NULL;
}

void tc_stats_get(const struct tc_tracker *tr, struct tc_stats *st)
{
	*st = tr->st;
}

size_t tc_conn_bytes(void)
{
	return sizeof(struct tc_cx) + 2 * sizeof(struct tc_cx *);
}
