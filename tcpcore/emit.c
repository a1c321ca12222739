/*
 * emit.c - what the tracker says: the event queue, labels and state
 * transitions. analysis.c, machine.c and tracker.c all speak through it,
 * and it calls none of them, so the modules form no circle.
 *
 * Every state a side is in comes from here: its first state
 * (tc_first_state(), no rule: what the tracker reads the side was before
 * the capture saw it, tcpscope-states(7), "Roles and first states"), then
 * transitions (tc_transition()), each by a row of the rule table
 * (tc_rules[], rules.c) whose from (or any) and to it must match. Both
 * are asserted in debug and test builds, and so is what each state
 * implies of the side's record (tc_check_side()).
 */
#include <assert.h>
#include <string.h>

#include "internal.h"

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

struct tc_event *tc_label_late(struct tc_tracker *tr, struct tc_cx *cx, int d,
			       uint64_t pkt, int64_t ts, unsigned l,
			       unsigned r, int count)
{
	if (count)
		cx->c.dir[d].label[l]++;
	struct tc_event *ev = tc_q_push(tr, TC_EV_LABEL, cx, NULL, d);
	if (ev) {
		ev->ts_ns = ts;
		ev->pkt = pkt;
		ev->label = (uint16_t)l;
		ev->reason = (uint16_t)r;
	}
	return ev;
}

/* ---- Transitions -------------------------------------------------------- */

/* Makes room for `need` transitions of cx (at most TC_TRANS_LIMIT): the
 * first TC_MAX_TRANS fit in the record, then all move to trx, which
 * doubles. Returns 0, or -1 when out of memory. */
static int trans_room(struct tc_tracker *tr, struct tc_cx *cx, size_t need)
{
	if (need > TC_TRANS_LIMIT)
		need = TC_TRANS_LIMIT;
	size_t cap = cx->trx ? cx->trcap : TC_MAX_TRANS;
	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > TC_TRANS_LIMIT)
		cap = TC_TRANS_LIMIT;
	struct tc_transition *a = tc_mem_alloc(tr, cap * sizeof(*a));
	if (!a)
		return -1;
	memcpy(a, cx->c.transitions, cx->c.ntransitions * sizeof(*a));
	if (cx->trx)
		tc_mem_free(tr, cx->trx, cx->trcap * sizeof(*a));
	else
		memset(cx->tr, 0, sizeof(cx->tr)); /* packs smaller */
	cx->trx = a;
	cx->trcap = (uint32_t)cap;
	cx->c.transitions = a;
	return 0;
}

/* 1 when rule `rule` moves a side from `from` to `to`. */
static int rule_allows(unsigned rule, int from, int to)
{
	if (rule >= tc_nrules || tc_rules[rule].id != rule)
		return 0;
	const struct tc_rule *r = &tc_rules[rule];
	return r->to == to && (r->from == TC_RULE_ANY || r->from == from);
}

/* 1 when side has recorded no transition yet. */
static int no_transition(const struct tc_cx *cx, int side)
{
	for (uint32_t i = 0; i < cx->c.ntransitions; i++)
		if (cx->c.transitions[i].side == side)
			return 0;
	return !cx->c.transitions_dropped;
}

/* What each state implies of the side's own record (machine.c keeps the
 * fields): checked after every move in debug and test builds, in the
 * spirit of SQLite's assert_pager_state(). A side in SYN-SENT sent (or is
 * inferred to have sent) a SYN; FIN-WAIT-1, FIN-WAIT-2, CLOSING and
 * TIME-WAIT sent a FIN (tw_since is set by the move itself, and any
 * stamp, 0 included, is a time: no sentinel to check); a side moved to
 * CLOSED says so (ended). */
static int side_consistent(const struct tc_cx *cx, int side)
{
	const struct tc_ep *e = &cx->ep[side];
	switch (cx->c.state[side]) {
	case TC_ST_SYN_SENT:
		return e->syn_seen;
	case TC_ST_FIN_WAIT_1:
	case TC_ST_FIN_WAIT_2:
	case TC_ST_CLOSING:
	case TC_ST_TIME_WAIT:
		return e->fin_seen;
	case TC_ST_CLOSED:
		return e->ended || no_transition(cx, side);
	default:
		return cx->c.state[side] < TC_ST__COUNT;
	}
}

void tc_first_state(struct tc_cx *cx, int side, int state)
{
	/* A first state, or the correction of the server's provisional
	 * LISTEN, never a move of a side that has made one. */
	assert(state < TC_ST__COUNT);
	assert(no_transition(cx, side));
	assert(cx->c.state[side] == TC_ST_UNKNOWN ||
	       (cx->c.state[side] == TC_ST_LISTEN && state == TC_ST_CLOSED));
	cx->c.state[side] = (uint8_t)state;
}

void tc_check_side(const struct tc_cx *cx, int side)
{
	assert(side_consistent(cx, side));
	(void)cx;
	(void)side;
}

void tc_transition(struct tc_tracker *tr, struct tc_cx *cx, int side, int to,
		   unsigned rule, int64_t ts, uint64_t pkt)
{
	uint8_t from = cx->c.state[side];
	if (from == to)
		return;
	assert(rule_allows(rule, from, to));
	struct tc_transition t = { ts, pkt, (uint8_t)side, from, (uint8_t)to,
				   tc_rules[rule].inferred, (uint16_t)rule };
	size_t n = cx->c.ntransitions;
	if (n < TC_TRANS_LIMIT && trans_room(tr, cx, n + 1) == 0) {
		(cx->trx ? cx->trx : cx->tr)[n] = t;
		cx->c.ntransitions = n + 1;
	} else {
		cx->c.transitions_dropped++;
	}
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

/* 1 + the index of side's last recorded transition; 0 when none. */
static size_t last_of(const struct tc_cx *cx, int side)
{
	size_t i = cx->c.ntransitions;
	while (i > 0 && cx->c.transitions[i - 1].side != side)
		i--;
	return i;
}

const struct tc_transition *tc_last_transition(const struct tc_cx *cx,
					       int side)
{
	size_t i = last_of(cx, side);
	return i ? &cx->c.transitions[i - 1] : NULL;
}

int tc_transition_withdraw(struct tc_tracker *tr, struct tc_cx *cx, int side,
			   unsigned rule, uint64_t pkt)
{
	struct tc_transition *a = cx->trx ? cx->trx : cx->tr;
	size_t n = cx->c.ntransitions, i = last_of(cx, side);
	if (i-- == 0 || a[i].rule != rule || a[i].pkt != pkt ||
	    a[i].to != cx->c.state[side])
		return 0;
	struct tc_transition t = a[i];
	memmove(&a[i], &a[i + 1], (n - i - 1) * sizeof(*a));
	cx->c.ntransitions = n - 1;
	cx->c.state[side] = t.from;
	if (t.to == TC_ST_CLOSED)
		cx->ep[side].ended = 0; /* it never reached CLOSED before */
	struct tc_event *ev = tc_q_push(tr, TC_EV_TRANSITION, cx, NULL, side);
	if (ev) {
		ev->ts_ns = t.ts_ns;
		ev->pkt = t.pkt;
		ev->tr = t;
		ev->revised = 1;
	}
	return 1;
}
