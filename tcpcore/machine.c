/*
 * machine.c - the RFC 9293 state of each endpoint, as a passive observer
 * between the two hosts can prove it.
 *
 * One segment from S (sender) to R (receiver) is classified first: RST,
 * flags that allow no state change (SYN+FIN, SYN+RST), or an ordinary
 * segment whose SYN, FIN and ACK bits are then handled in three phases:
 *
 *   1. S's ACK proves that S received R's SYN or FIN:
 *        SYN-SENT -> ESTABLISHED, ESTABLISHED -> CLOSE-WAIT,
 *        FIN-WAIT-1 -> CLOSING, FIN-WAIT-2 -> TIME-WAIT       (S changes)
 *   2. S's own SYN and FIN:
 *        CLOSED -> SYN-SENT, LISTEN/SYN-SENT -> SYN-RECEIVED,
 *        ESTABLISHED -> FIN-WAIT-1, CLOSE-WAIT -> LAST-ACK    (S changes)
 *   3. S's ACK, assumed delivered, acknowledges R's SYN or FIN:
 *        SYN-RECEIVED -> ESTABLISHED, FIN-WAIT-1 -> FIN-WAIT-2,
 *        CLOSING -> TIME-WAIT, LAST-ACK -> CLOSED             (R changes)
 *
 * so a FIN+ACK that acknowledges the peer's FIN moves its sender
 * ESTABLISHED -> CLOSE-WAIT -> LAST-ACK on one segment, and the final ACK of
 * a handshake moves the client (phase 1) and then the server (phase 3).
 * Each change names its row in tc_rules[] (rules.c). What holds in each
 * state, and every choice made where the capture proves nothing, is in
 * tcpscope-states(7); start reading at tc_machine_step().
 */
#include "internal.h"

#define ST(x) TC_ST_##x

static void go(struct tc_tracker *tr, struct tc_cx *cx, int side, int to,
	       unsigned rule, const struct tc_segment *s)
{
	tc_transition(tr, cx, side, to, rule, s->ts_ns, s->pkt);
}

int tc_machine_sender_is_client(const struct tc_segment *s)
{
	unsigned f = s->flags;
	if ((f & TC_SYN) && !(f & TC_ACK))
		return 1;
	if ((f & TC_SYN) && (f & TC_ACK))
		return 0;
	int ls = tc_likely_server_port(s->sport) || s->sport < 1024;
	int ld = tc_likely_server_port(s->dport) || s->dport < 1024;
	if (ls != ld)
		return ld;
	if (s->sport != s->dport)
		return s->sport > s->dport; /* the lower port is the server */
	return 1;
}

/* s, a connection's first segment, is the server's RST,ACK of sequence 0
 * and no payload: the answer (RFC 9293 3.10.7.1) to a segment without
 * ACK, which only a SYN is: a refusal of a SYN the capture missed. */
static int refusal_first(const struct tc_segment *s, int d)
{
	return d == TC_SERVER && (s->flags & TC_RST) && (s->flags & TC_ACK) &&
	       !(s->flags & (TC_SYN | TC_FIN)) && s->seq == 0 &&
	       !s->payload_len;
}

void tc_machine_init(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	unsigned f = s->flags;
	struct tc_conn *c = &cx->c;
	if (refusal_first(s, d)) {
		/* The client's SYN is implied by the RST's ACK; the client
		 * stays CLOSED here, tc_machine_step() records CLOSED ->
		 * SYN-SENT on the RST (syn-refused-implied). */
		struct tc_ep *cl = &cx->ep[TC_CLIENT];
		tc_first_state(cx, TC_CLIENT, ST(CLOSED));
		tc_first_state(cx, TC_SERVER, ST(LISTEN));
		cl->syn_seen = cl->syn_inferred = 1;
		cl->isn = s->ack - 1;
		cl->syn_end = s->ack;
		return;
	}
	if (!(f & TC_SYN) || ((f & TC_ACK) && d != TC_SERVER)) {
		/* A capture that starts after the handshake. */
		c->midstream = 1;
		tc_first_state(cx, TC_CLIENT, ST(ESTABLISHED));
		tc_first_state(cx, TC_SERVER, ST(ESTABLISHED));
		cx->server_known = 1;
		return;
	}
	tc_first_state(cx, TC_CLIENT, ST(CLOSED));
	tc_first_state(cx, TC_SERVER, ST(LISTEN)); /* provisional until it
						   * speaks */
	if (!(f & TC_ACK))
		return;
	c->midstream = 1;
	if ((f & TC_SYN) && d == TC_SERVER) {
		/* The capture starts at the SYN-ACK: the client's SYN is
		 * implied by its acknowledgment. The client stays CLOSED
		 * here; tc_machine_step() records CLOSED -> SYN-SENT on the
		 * SYN-ACK (syn-implied), and syn_late() undoes midstream if
		 * the SYN turns up after all (capture order). */
		struct tc_ep *cl = &cx->ep[TC_CLIENT];
		cl->syn_seen = cl->syn_inferred = 1;
		cl->isn = s->ack - 1;
		cl->syn_end = s->ack;
	}
}

int tc_conn_over(const struct tc_conn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->state[i] != ST(CLOSED) && c->state[i] != ST(TIME_WAIT))
			return 0;
	return 1;
}

int tc_machine_over(const struct tc_cx *cx) { return tc_conn_over(&cx->c); }

int tc_machine_is_reuse(const struct tc_cx *cx, const struct tc_segment *s,
			int d)
{
	unsigned f = s->flags;
	if (!(f & TC_SYN) || (f & (TC_ACK | TC_RST | TC_FIN)))
		return 0;
	const struct tc_ep *S = &cx->ep[d];
	int over = cx->reset || tc_machine_over(cx);
	if (S->ended || over)
		return 1; /* its TCB is gone: any SYN opens a new one */
	if (S->syn_seen && !S->syn_inferred)
		return s->seq != S->isn; /* a new ISN: a new incarnation */
	return 0;
}

/* Phase 1: side x's acknowledgment `ack` proves it received the peer's
 * SYN-ACK (when the segment is no SYN itself) or FIN. */
static void acker(struct tc_tracker *tr, struct tc_cx *cx, int x, uint32_t ack,
		  int is_syn, const struct tc_segment *s)
{
	struct tc_ep *X = &cx->ep[x], *P = &cx->ep[!x];
	uint8_t *st = cx->c.state;
	if (!is_syn && st[x] == ST(SYN_SENT) && P->syn_seen &&
	    SEQ_GEQ(ack, P->isn + 1))
		go(tr, cx, x, ST(ESTABLISHED), TC_R_SYNSENT_ACK, s);
	if (P->fin_seen && !X->got_fin && SEQ_GEQ(ack, P->fin_seq + 1)) {
		/* got_fin only when the FIN moved X: an ACK "of a FIN" sent
		 * in a state no FIN can change proves nothing yet. */
		X->got_fin = 1;
		switch (st[x]) {
		case ST(ESTABLISHED):
			go(tr, cx, x, ST(CLOSE_WAIT), TC_R_FIN_RECEIVED, s);
			break;
		case ST(FIN_WAIT_1):
			go(tr, cx, x, ST(CLOSING), TC_R_SIMCLOSE_FIN, s);
			break;
		case ST(FIN_WAIT_2):
			go(tr, cx, x, ST(TIME_WAIT), TC_R_FINWAIT2_FIN, s);
			break;
		default:
			X->got_fin = 0;
			break;
		}
	}
}

static void delivered(struct tc_tracker *tr, struct tc_cx *cx, int y,
		      uint32_t ack, int peer_fin_before,
		      const struct tc_segment *s);

/* Side r's FIN, never captured: side d's ACK (no SYN) is one past the
 * last byte r was seen to send, in a state where r's FIN moves it. r
 * sent a FIN the capture missed, so it moves as if it had been seen
 * (fin-unseen, marked inferred), at this ACK; acker() and delivered()
 * then go on as with a captured FIN. Taken back by fin_not_sent() if r
 * later sends data past it. */
static void fin_unseen(struct tc_tracker *tr, struct tc_cx *cx,
		       const struct tc_segment *s, int d)
{
	int r = !d;
	struct tc_ep *R = &cx->ep[r];
	uint8_t *st = cx->c.state;
	if (R->fin_seen || !R->sent_any || !R->hi_valid || cx->reset ||
	    s->ack != R->seen_hi + 1 ||
	    (st[r] != ST(ESTABLISHED) && st[r] != ST(CLOSE_WAIT)))
		return;
	struct tc_ep *D = &cx->ep[d];
	if (st[r] == ST(ESTABLISHED) && D->fin_seen && !R->got_fin) {
		/* d's FIN went out before and r never acknowledged it in
		 * the capture: the segment that carried r's FIN (or one
		 * before it) did, most likely, as a passive close. d's FIN
		 * is then acknowledged too. */
		R->got_fin = 1;
		go(tr, cx, r, ST(CLOSE_WAIT), TC_R_FIN_ACK_UNSEEN, s);
		delivered(tr, cx, d, D->fin_seq + 1, 0, s);
	}
	R->fin_seen = 1;
	R->fin_acked = 0;
	R->fin_seq = R->seen_hi;
	cx->fin_inferred |= (uint8_t)(1u << r);
	if (st[r] == ST(ESTABLISHED))
		go(tr, cx, r, ST(FIN_WAIT_1), TC_R_FIN_UNSEEN, s);
	else
		go(tr, cx, r, ST(LAST_ACK), TC_R_FIN_UNSEEN_PASSIVE, s);
}

/* 1 if side made no move after packet pkt and its moves at pkt are all
 * of rules in ok[] (n of them); when `undo`, withdraws them, newest
 * first, and clears the flags they set. */
static int undo_at(struct tc_tracker *tr, struct tc_cx *cx, int side,
		   uint64_t pkt, const unsigned *ok, int n, int undo)
{
	const struct tc_transition *a = cx->c.transitions;
	size_t i = cx->c.ntransitions;
	while (i > 0) {
		const struct tc_transition *t = &a[i - 1];
		i--;
		if (t->side != side)
			continue;
		if (t->pkt > pkt)
			return 0; /* it moved on since: the inference stays */
		if (t->pkt != pkt)
			break;
		int found = 0;
		for (int k = 0; k < n; k++)
			found |= t->rule == ok[k];
		if (!found)
			return 0;
	}
	const struct tc_transition *t;
	struct tc_ep *E = &cx->ep[side];
	while (undo && (t = tc_last_transition(cx, side)) && t->pkt == pkt) {
		unsigned rule = t->rule;
		if (!tc_transition_withdraw(tr, cx, side, rule, pkt))
			return 0;
		if (rule == TC_R_FIN_RECEIVED || rule == TC_R_SIMCLOSE_FIN ||
		    rule == TC_R_FINWAIT2_FIN || rule == TC_R_FIN_ACK_UNSEEN ||
		    rule == TC_R_SIMCLOSE_IMPLIED)
			E->got_fin = 0;
		if (rule == TC_R_FINWAIT1_ACKED || rule == TC_R_CLOSING_ACKED ||
		    rule == TC_R_LASTACK_ACKED)
			E->fin_acked = 0;
	}
	return 1;
}

/* Side d, whose FIN fin_unseen() inferred, sends payload past it: the
 * byte acknowledged was data after all (a lost one-byte segment). What
 * the inference moved at its ACK's packet is withdrawn, the peer's first,
 * when those are still the last transitions of both sides and all of
 * rules the inference (and the ACK's acknowledgment) fired. */
static void fin_not_sent(struct tc_tracker *tr, struct tc_cx *cx,
			 const struct tc_segment *s, int d)
{
	struct tc_ep *D = &cx->ep[d];
	if (!(cx->fin_inferred & (1u << d)) || !s->payload_len ||
	    !SEQ_GT(s->seq + s->payload_len, D->fin_seq))
		return;
	cx->fin_inferred &= (uint8_t)~(1u << d);
	uint64_t pkt = 0;
	for (size_t i = 0; i < cx->c.ntransitions; i++) {
		const struct tc_transition *t = &cx->c.transitions[i];
		if (t->side == d && (t->rule == TC_R_FIN_UNSEEN ||
				     t->rule == TC_R_FIN_UNSEEN_PASSIVE))
			pkt = t->pkt;
	}
	static const unsigned peer_ok[] = {
		TC_R_FIN_RECEIVED, TC_R_SIMCLOSE_FIN, TC_R_FINWAIT2_FIN,
		TC_R_FINWAIT1_ACKED, TC_R_CLOSING_ACKED, TC_R_LASTACK_ACKED
	};
	static const unsigned own_ok[] = {
		TC_R_FIN_ACK_UNSEEN, TC_R_FIN_UNSEEN, TC_R_FIN_UNSEEN_PASSIVE,
		TC_R_FINWAIT1_ACKED, TC_R_LASTACK_ACKED, TC_R_SIMCLOSE_IMPLIED,
		TC_R_CLOSING_ACKED
	};
	if (!pkt || !undo_at(tr, cx, !d, pkt, peer_ok, 6, 0) ||
	    !undo_at(tr, cx, d, pkt, own_ok, 7, 0))
		return;
	undo_at(tr, cx, !d, pkt, peer_ok, 6, 1);
	undo_at(tr, cx, d, pkt, own_ok, 7, 1);
	if (tc_last_transition(cx, d) &&
	    tc_last_transition(cx, d)->pkt == pkt)
		return;
	D->fin_seen = 0;
	D->fin_acked = 0;
}

/* Phase 3: side y receives `ack` (assumed delivered). peer_fin_before:
 * the peer's FIN went out on an earlier segment, so in-order delivery
 * brought it to y before this ACK. */
static void delivered(struct tc_tracker *tr, struct tc_cx *cx, int y,
		      uint32_t ack, int peer_fin_before,
		      const struct tc_segment *s)
{
	struct tc_ep *Y = &cx->ep[y];
	uint8_t *st = cx->c.state;
	if (st[y] == ST(SYN_RECEIVED) && Y->syn_seen &&
	    SEQ_GEQ(ack, Y->isn + 1))
		go(tr, cx, y, ST(ESTABLISHED), TC_R_SYNRCVD_ACKED, s);
	if (!Y->fin_seen || Y->fin_acked || !SEQ_GEQ(ack, Y->fin_seq + 1))
		return;
	Y->fin_acked = 1; /* cleared below when no state consumes it */
	switch (st[y]) {
	case ST(FIN_WAIT_1):
		if (peer_fin_before && !Y->got_fin) {
			Y->got_fin = 1;
			go(tr, cx, y, ST(CLOSING), TC_R_SIMCLOSE_IMPLIED, s);
			go(tr, cx, y, ST(TIME_WAIT), TC_R_CLOSING_ACKED, s);
		} else {
			go(tr, cx, y, ST(FIN_WAIT_2), TC_R_FINWAIT1_ACKED, s);
		}
		break;
	case ST(CLOSING):
		go(tr, cx, y, ST(TIME_WAIT), TC_R_CLOSING_ACKED, s);
		break;
	case ST(LAST_ACK):
		go(tr, cx, y, ST(CLOSED), TC_R_LASTACK_ACKED, s);
		break;
	default:
		Y->fin_acked = 0;
		break;
	}
}

/* RST from side d: RFC 9293 3.10.7 with RFC 5961 section 3 validation.
 * Returns 0 if the RST is not acceptable (labelled, nothing changes). */
static int rst(struct tc_tracker *tr, struct tc_cx *cx,
	       const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	uint8_t *st = cx->c.state;
	int r = !d;
	unsigned f = s->flags;

	if (st[r] == ST(SYN_SENT)) {
		/* 3.10.7.3: acceptable only with an ACK of our SYN. */
		uint32_t snd_nxt = R->hi_valid ? R->hi : R->isn + 1;
		if (!(f & TC_ACK) || !SEQ_GT(s->ack, R->isn) ||
		    !SEQ_LEQ(s->ack, snd_nxt)) {
			tc_label(tr, cx, s, d, labels, TC_LB_RST_OUT_OF_WINDOW,
				 TC_RS_RST_NO_ACK);
			return 0;
		}
		if (d == TC_SERVER && !cx->server_known &&
		    st[d] == ST(LISTEN)) {
			/* refused: CLOSED throughout */
			tc_first_state(cx, d, ST(CLOSED));
			cx->refused = 1;
		} else if (st[d] != ST(CLOSED)) {
			go(tr, cx, d, ST(CLOSED), TC_R_RST_SENT, s);
		}
		if (d == TC_SERVER)
			cx->server_known = 1;
		go(tr, cx, r, ST(CLOSED), TC_R_RST_REFUSED, s);
		cx->reset = 1;
		return 1;
	}
	if (st[r] == ST(LISTEN) || st[r] == ST(CLOSED)) {
		/* Nothing to reset at the receiver (3.10.7.1, 3.10.7.2). */
		if (st[d] != ST(CLOSED) && st[d] != ST(LISTEN)) {
			go(tr, cx, d, ST(CLOSED), TC_R_RST_SENT, s);
			cx->reset = 1;
		}
		return 1;
	}
	/* Synchronized receiver: the RST must sit at RCV.NXT, which at the
	 * capture point is the higher of what S sent and what R acked. */
	uint32_t nxt = 0;
	int known = 0;
	if (S->hi_valid) {
		nxt = S->hi;
		known = 1;
	}
	if (R->ack_valid && (!known || SEQ_GT(R->ack_max, nxt))) {
		nxt = R->ack_max;
		known = 1;
	}
	/* RCV.NXT as the receiver's own last ACK told it, below what the
	 * sender sent when the capture holds unacknowledged bytes (they may
	 * not have arrived): a RST there answers that ACK (the sender's
	 * stack answers a challenge ACK so). */
	int at_ack = R->ack_valid && s->seq == R->ack_max && s->seq != nxt;
	if (known && s->seq != nxt && !at_ack) {
		int shift = cx->c.dir[r].wscale >= 0 ? cx->c.dir[r].wscale
						      : TC_WSCALE_MAX;
		if (shift > TC_WSCALE_MAX)
			shift = TC_WSCALE_MAX;
		uint64_t wnd = R->last_valid ? (uint64_t)R->last_win << shift
					     : 65535u;
		if (SEQ_GT(s->seq, nxt) && (uint32_t)(s->seq - nxt) < wnd) {
			/* RFC 5961 3.2: the receiver answers with a challenge
			 * ACK and stays. Nothing proves the sender aborted
			 * (the RST may be forged, or stale): both sides stay,
			 * and the sender's answer to the challenge ACK, a RST
			 * at RCV.NXT, is what closes them. */
			tc_label(tr, cx, s, d, labels, TC_LB_RST_CHALLENGE,
				 TC_RS_RST_NOT_EXACT);
			return 1;
		}
		tc_label(tr, cx, s, d, labels, TC_LB_RST_OUT_OF_WINDOW,
			 TC_RS_RST_WINDOW);
		return 0;
	}
	if (st[d] != ST(CLOSED))
		go(tr, cx, d, ST(CLOSED), TC_R_RST_SENT, s);
	if (st[r] == ST(SYN_RECEIVED) && R->passive) {
		go(tr, cx, r, ST(LISTEN), TC_R_RST_SYNRCVD, s);
	} else if (st[r] != ST(CLOSED)) {
		go(tr, cx, r, ST(CLOSED),
		   at_ack ? TC_R_RST_AT_ACK : TC_R_RST_RECEIVED, s);
		/* Until the receiver speaks again (rst_not_taken()). */
		cx->rst_pend = 1;
		cx->rst_alt_after = 0;
		cx->rst_rcv = (uint8_t)r;
		cx->rst_seq = s->seq;
		cx->rst_pkt = s->pkt;
		cx->rst_ts = s->ts_ns;
	}
	cx->reset = 1;
	return 1;
}

/* Side d's RCV.NXT is rcv (its ACK after a RST it did not take): a
 * segment with payload that its peer sent at rcv never arrived, or
 * RCV.NXT would be past it. What its ACK was assumed to deliver to d (the
 * receiver rules of delivered(): d's own SYN or FIN acknowledged) is
 * withdrawn, newest first. The peer's recent segments are analysis.c's
 * ring. */
static void lost_before(struct tc_tracker *tr, struct tc_cx *cx, int d,
			uint32_t rcv)
{
	const struct tc_ep *P = &cx->ep[!d];
	struct tc_ep *D = &cx->ep[d];
	uint64_t pkt = 0;
	for (int i = 0; i < P->ring_n; i++)
		if (P->ring[i].seq == rcv && P->ring[i].len)
			pkt = P->ring[i].pkt;
	const struct tc_transition *t;
	while (pkt && (t = tc_last_transition(cx, d)) && t->pkt == pkt) {
		unsigned rule = t->rule;
		if (rule != TC_R_SYNRCVD_ACKED && rule != TC_R_FINWAIT1_ACKED &&
		    rule != TC_R_CLOSING_ACKED && rule != TC_R_LASTACK_ACKED &&
		    rule != TC_R_SIMCLOSE_IMPLIED)
			break;
		if (!tc_transition_withdraw(tr, cx, d, rule, pkt))
			break;
		if (rule == TC_R_SIMCLOSE_IMPLIED)
			D->got_fin = 0;
		else if (rule != TC_R_SYNRCVD_ACKED)
			D->fin_acked = 0;
	}
}

/* Side d, closed by the RST of cx->rst_pend, sends segment s (no RST). A
 * side that took a RST sends nothing more, but what it sent before the
 * RST arrived may be captured after it (queued behind bulk data, for
 * long). Its ACK tells which: RCV.NXT only grows, and a RST is taken only
 * at RCV.NXT. An ACK beyond the RST's sequence number: the RST fell below
 * the window, never taken. An ACK below it: RCV.NXT was short of the RST
 * (RFC 5961 3.2: a challenge ACK answers it, the side goes on), unless
 * the missing bytes arrived before the RST did; so only a segment
 * captured at least 3/4 of the round trip between the capture point and
 * d after the RST counts (handshake leg, else the smallest RTT sample; 0
 * when none is known). An ACK at it: sent before the RST arrived, which
 * was then exact. When not taken, the receiver's move is withdrawn and the
 * RST labelled; the sender's stays (it did send a RST). */
static void rst_not_taken(struct tc_tracker *tr, struct tc_cx *cx,
			  const struct tc_segment *s, int d)
{
	if (!(s->flags & TC_ACK) || s->ack == cx->rst_seq)
		return;
	if (SEQ_LT(s->ack, cx->rst_seq)) {
		const struct tc_rtt *rt = &cx->c.rtt;
		int64_t leg = d == TC_SERVER ? rt->to_server : rt->to_client;
		if (leg <= 0)
			leg = rt->min > 0 ? rt->min : 0;
		if (tc_tdiff(s->ts_ns, cx->rst_ts) < leg - leg / 4)
			return;
	}
	cx->rst_pend = 0;
	if (!tc_transition_withdraw(tr, cx, d, TC_R_RST_RECEIVED, cx->rst_pkt) &&
	    !tc_transition_withdraw(tr, cx, d, TC_R_RST_AT_ACK, cx->rst_pkt))
		return;
	(void)tc_label_late(tr, cx, !d, cx->rst_pkt, cx->rst_ts,
			    TC_LB_RST_CHALLENGE, TC_RS_RST_NOT_TAKEN, 1);
	if (SEQ_LT(s->ack, cx->rst_seq))
		lost_before(tr, cx, d, s->ack);
}

/* A SYN from S, whose SYN a SYN-ACK of the peer already implied
 * (syn-implied): if it is that SYN, recorded after the SYN-ACK, it fills in
 * what was inferred and returns 1; nothing moves, the handshake was seen
 * whole after all. The SYN-ACK acknowledged either the SYN alone or, with
 * Fast Open, its data too. */
static int syn_late(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	struct tc_ep *S = &cx->ep[d];
	uint32_t acked = S->syn_end; /* the SYN-ACK's ack */
	if (!S->syn_inferred || S->passive ||
	    (s->seq + 1 != acked && s->seq + 1 + s->payload_len != acked))
		return 0;
	S->sent_syn = 1;
	S->syn_inferred = 0;
	S->isn = s->seq;
	S->syn_end = s->seq + 1 + s->payload_len;
	S->syn_data = s->payload_len > 0;
	cx->tfo = S->syn_data && S->syn_end == acked;
	cx->c.midstream = 0;
	return 1;
}

/* Phase 2, SYN part. */
static void own_syn(struct tc_tracker *tr, struct tc_cx *cx,
		    const struct tc_segment *s, int d)
{
	struct tc_ep *S = &cx->ep[d], *P = &cx->ep[!d];
	uint8_t *st = cx->c.state;
	if (!(s->flags & TC_ACK)) {
		if (S->syn_seen && !S->syn_inferred && s->seq == S->isn)
			return; /* retransmitted SYN */
		if (syn_late(cx, s, d))
			return;
		S->syn_seen = S->sent_syn = 1;
		S->syn_inferred = 0;
		S->isn = s->seq;
		S->syn_end = s->seq + 1 + s->payload_len;
		S->syn_data = s->payload_len > 0;
		if (st[d] == ST(LISTEN) && !cx->server_known) {
			/* The peer's first act is a SYN of its own: it was
			 * an active opener too, CLOSED before. */
			tc_first_state(cx, d, ST(CLOSED));
			cx->simultaneous = 1;
		}
		if (st[d] == ST(CLOSED))
			go(tr, cx, d, ST(SYN_SENT), TC_R_ACTIVE_OPEN, s);
		return;
	}
	/* Fast Open took place only if the SYN-ACK acknowledges the data on
	 * the SYN; a server that refuses it acknowledges the SYN alone and
	 * the client sends the data again (RFC 7413 section 4.2). */
	if (d == TC_SERVER && P->sent_syn)
		cx->tfo = P->syn_data && SEQ_GEQ(s->ack, P->syn_end);
	if (S->synack_seen && s->seq == S->isn)
		return; /* retransmitted SYN-ACK */
	if (S->syn_inferred && s->seq == S->isn) {
		S->synack_seen = 1; /* the SYN-ACK we inferred, late */
		S->syn_inferred = 0;
		return;
	}
	S->syn_seen = S->synack_seen = 1;
	S->syn_inferred = 0;
	S->isn = s->seq;
	S->syn_end = s->seq + 1 + s->payload_len;
	S->syn_data = s->payload_len > 0;
	if (st[d] == ST(LISTEN)) {
		S->passive = 1;
		go(tr, cx, d, ST(SYN_RECEIVED), TC_R_PASSIVE_SYNACK, s);
	} else if (st[d] == ST(SYN_SENT)) {
		go(tr, cx, d, ST(SYN_RECEIVED), TC_R_SIMOPEN_SYNACK, s);
	}
}

/* Phase 2, FIN part. Returns 1 if the FIN changed S's state (or is its
 * first). A FIN sent again is a retransmission and changes nothing, unless
 * the first came in a state no FIN moves (SYN-SENT) and S has since
 * reached one that it does. */
static int own_fin(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d)
{
	struct tc_ep *S = &cx->ep[d];
	uint8_t *st = cx->c.state;
	int moves = st[d] == ST(ESTABLISHED) || st[d] == ST(SYN_RECEIVED) ||
		    st[d] == ST(CLOSE_WAIT);
	uint32_t fs = s->seq + s->payload_len + ((s->flags & TC_SYN) ? 1 : 0);
	if (S->syn_seen && !S->syn_inferred && SEQ_LEQ(fs, S->isn))
		return 0; /* a FIN on the SYN's own sequence number: bogus */
	if (S->fin_seen && !moves)
		return 0;
	if (!S->fin_seen && (s->flags & TC_ACK)) {
		cx->fin_ack[d] = s->ack;
		cx->fin_ack_valid |= (uint8_t)(1u << d);
	}
	S->fin_seen = 1;
	S->fin_acked = 0;
	S->fin_seq = fs;
	switch (st[d]) {
	case ST(ESTABLISHED):
		go(tr, cx, d, ST(FIN_WAIT_1), TC_R_CLOSE_ESTAB, s);
		break;
	case ST(SYN_RECEIVED):
		go(tr, cx, d, ST(FIN_WAIT_1), TC_R_CLOSE_SYNRCVD, s);
		break;
	case ST(CLOSE_WAIT):
		go(tr, cx, d, ST(LAST_ACK), TC_R_CLOSE_PASSIVE, s);
		break;
	default:
		break;
	}
	return 1;
}

void tc_machine_step(struct tc_tracker *tr, struct tc_cx *cx,
		     const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	uint8_t *st = cx->c.state;
	unsigned f = s->flags;

	if (cx->rst_pend && d == cx->rst_rcv && !(f & TC_RST))
		rst_not_taken(tr, cx, s, d);
	/* Still pending: what the side the RST closed sends next, and its
	 * peer's answer, are its path had it not taken the RST (the
	 * alternative tc_machine_conclude() offers). */
	if (cx->rst_pend && d == cx->rst_rcv && !(f & TC_RST))
		cx->rst_alt_after |= 4; /* it spoke again */
	if (cx->rst_pend && d == cx->rst_rcv && (f & TC_FIN) && !(f & TC_RST))
		cx->rst_alt_after |= 1;
	else if (cx->rst_pend && d != cx->rst_rcv && (f & TC_RST) &&
		 (cx->rst_alt_after & 1))
		cx->rst_alt_after |= 2;
	if (!(f & (TC_SYN | TC_RST)))
		fin_not_sent(tr, cx, s, d);
	/* Anomalies judged on the state before this segment. */
	if (s->payload_len && cx->reset && !(f & TC_RST))
		tc_label(tr, cx, s, d, labels, TC_LB_DATA_AFTER_RST,
			 TC_RS_AFTER_RST);
	else if (s->payload_len && S->fin_seen &&
		 SEQ_GT(s->seq + s->payload_len, S->fin_seq))
		tc_label(tr, cx, s, d, labels, TC_LB_DATA_AFTER_FIN,
			 TC_RS_AFTER_FIN);
	if (st[d] == ST(CLOSED) && S->ended && !(f & TC_RST))
		tc_label(tr, cx, s, d, labels, TC_LB_SEGMENT_AFTER_CLOSE,
			 TC_RS_AFTER_CLOSE);
	if (((f & TC_SYN) && (f & (TC_FIN | TC_RST))) ||
	    !(f & (TC_SYN | TC_ACK | TC_RST))) {
		tc_label(tr, cx, s, d, labels, TC_LB_BAD_FLAGS, TC_RS_FLAGS);
		if (f & TC_SYN) {
			S->sent_any = 1;
			return; /* no state change on SYN+FIN / SYN+RST */
		}
	}

	if (f & TC_RST) {
		/* The refusal of a SYN never captured (refusal_first()). */
		if (st[!d] == ST(CLOSED) && R->syn_inferred && !R->passive &&
		    !R->ended && !R->sent_any && refusal_first(s, d) &&
		    s->ack == R->syn_end)
			go(tr, cx, !d, ST(SYN_SENT), TC_R_SYN_REFUSED_IMPLIED, s);
		if (rst(tr, cx, s, d, labels))
			S->sent_any = 1;
		return;
	}

	/* A SYN-ACK acknowledging a SYN the capture does not hold (yet): the
	 * peer sent one, so it left CLOSED. */
	if ((f & TC_SYN) && (f & TC_ACK) && st[!d] == ST(CLOSED) &&
	    R->syn_inferred && !R->passive && !R->ended)
		go(tr, cx, !d, ST(SYN_SENT), TC_R_SYN_IMPLIED, s);

	/* One-sided capture or reordering: S in SYN-SENT acknowledges a
	 * SYN-ACK that was never captured. */
	if (!(f & TC_SYN) && (f & TC_ACK) && st[d] == ST(SYN_SENT) &&
	    !R->syn_seen && st[!d] == ST(LISTEN) && !cx->server_known) {
		R->syn_seen = R->syn_inferred = R->passive = 1;
		R->isn = s->ack - 1;
		R->syn_end = s->ack;
		cx->server_known = 1;
		go(tr, cx, !d, ST(SYN_RECEIVED), TC_R_SYNACK_UNSEEN, s);
	}

	/* One-sided capture, the other way round: S in SYN-RECEIVED sends
	 * data (a Fast Open server may do so before the ACK, so not then),
	 * or acknowledges bytes the peer sent after its SYN: the peer's ACK
	 * of the SYN-ACK arrived without being captured. (A FIN proves
	 * nothing: RFC 9293 lets SYN-RECEIVED close.) */
	if (!(f & TC_SYN) && (f & TC_ACK) && st[d] == ST(SYN_RECEIVED) &&
	    st[!d] == ST(SYN_SENT) && R->syn_seen) {
		if (SEQ_GT(s->ack, R->syn_end) ||
		    (!cx->tfo && s->payload_len)) {
			go(tr, cx, !d, ST(ESTABLISHED), TC_R_ACK_UNSEEN, s);
			go(tr, cx, d, ST(ESTABLISHED), TC_R_SYNRCVD_ACK_UNSEEN,
			   s);
		}
	}

	if ((f & TC_ACK) && !(f & TC_SYN))
		fin_unseen(tr, cx, s, d);
	int had_fin = S->fin_seen;
	if (f & TC_ACK)
		acker(tr, cx, d, s->ack, (f & TC_SYN) != 0, s);
	if (f & TC_SYN)
		own_syn(tr, cx, s, d);
	if (d == TC_SERVER)
		cx->server_known = 1;
	int fin_new = (f & TC_FIN) ? own_fin(tr, cx, s, d) : 0;
	if (f & TC_ACK)
		delivered(tr, cx, !d, s->ack, had_fin, s);
	/* Capture order: the peer's ACK of this FIN was captured first. */
	if (fin_new && R->ack_valid && SEQ_GEQ(R->ack_max, S->fin_seq + 1)) {
		acker(tr, cx, !d, R->ack_max, 0, s);
		delivered(tr, cx, d, R->ack_max, R->fin_seen, s);
	}
	if ((f & TC_ACK) && (!S->ack_valid || SEQ_GT(s->ack, S->ack_max))) {
		S->ack_max = s->ack;
		S->ack_valid = 1;
	}
	if (s->payload_len || (f & (TC_SYN | TC_FIN))) {
		uint32_t end = s->seq + s->payload_len + !!(f & TC_SYN) +
			       !!(f & TC_FIN);
		if (!(cx->data_hi_valid & (1u << d)) ||
		    SEQ_GT(end, cx->data_hi[d])) {
			cx->data_hi[d] = end;
			cx->data_hi_valid |= (uint8_t)(1u << d);
		}
	}
	S->sent_any = 1;
}

void tc_machine_timers(struct tc_tracker *tr, struct tc_cx *cx, int64_t now)
{
	if (tr->cfg.msl_ns < 0)
		return;
	for (int i = 0; i < 2; i++) {
		if (cx->c.state[i] != ST(TIME_WAIT))
			continue;
		int64_t end;
		if (__builtin_add_overflow(cx->ep[i].tw_since,
					   2 * tr->cfg.msl_ns, &end))
			end = INT64_MAX; /* untrusted timestamps */
		if (now >= end)
			tc_transition(tr, cx, i, ST(CLOSED),
				      TC_R_TIMEWAIT_EXPIRED, end, 0);
	}
}

/* Number of states in side's path (its first state, then each
 * transition's); *at (when given) the number before side's transition at
 * packet pkt with rule `rule`, 0 when none. */
static unsigned path_len(const struct tc_conn *c, int side, uint64_t pkt,
			 unsigned rule, unsigned *at)
{
	unsigned n = 1;
	if (at)
		*at = 0;
	for (size_t i = 0; i < c->ntransitions; i++) {
		const struct tc_transition *t = &c->transitions[i];
		if (t->side != side)
			continue;
		if (at && t->pkt == pkt && t->rule == rule)
			*at = n;
		n++;
	}
	return n;
}

static void alt_add3(struct tc_conn *c, int side, unsigned keep, int why,
		     int s1, int s2, int s3)
{
	if (c->nalt[side] >= TC_MAX_ALT || keep == 0 || keep > UINT16_MAX)
		return;
	struct tc_alt *a = &c->alt[side][c->nalt[side]++];
	a->keep = (uint16_t)keep;
	a->why = (uint8_t)why;
	a->ntail = 0;
	if (s1 >= 0)
		a->tail[a->ntail++] = (uint8_t)s1;
	if (s2 >= 0)
		a->tail[a->ntail++] = (uint8_t)s2;
	if (s3 >= 0)
		a->tail[a->ntail++] = (uint8_t)s3;
}

static void alt_add(struct tc_conn *c, int side, unsigned keep, int why,
		    int s1, int s2)
{
	alt_add3(c, side, keep, why, s1, s2, -1);
}

/* The number of states of side's path up to its first ESTABLISHED (its
 * first state counts), 0 when it never was. */
static unsigned path_to_established(const struct tc_conn *c, int side)
{
	unsigned n = 1;
	if (c->transitions_dropped)
		return 0;
	for (size_t i = 0; i < c->ntransitions; i++) {
		const struct tc_transition *t = &c->transitions[i];
		if (t->side != side)
			continue;
		n++;
		if (t->to == ST(ESTABLISHED))
			return n;
	}
	return 0;
}

/* 1 when side's path is its first `keep` states then s1, s2, s3 (those
 * >= 0): the alternative would be the path itself. */
static int path_is(const struct tc_conn *c, int side, unsigned keep, int s1,
		   int s2, int s3)
{
	int tail[3] = { s1, s2, s3 };
	unsigned n = 1, k = 0;
	for (size_t i = 0; i < c->ntransitions; i++) {
		const struct tc_transition *t = &c->transitions[i];
		if (t->side != side)
			continue;
		if (n++ < keep)
			continue;
		if (k >= 3 || tail[k] < 0 || tail[k] != t->to)
			return 0;
		k++;
	}
	return n >= keep && (k == 3 || tail[k] < 0);
}

/* Both sides' alternative: side r's path to ESTABLISHED then r1..r3, its
 * peer's then p1..p3; only when both differ from the paths shown. */
static void alt_pair(struct tc_conn *c, int r, unsigned kr, unsigned kp,
		     const int rt[3], const int pt[3])
{
	if (path_is(c, r, kr, rt[0], rt[1], rt[2]) ||
	    path_is(c, !r, kp, pt[0], pt[1], pt[2]))
		return;
	alt_add3(c, r, kr, TC_ALT_FIN_UNSEEN, rt[0], rt[1], rt[2]);
	alt_add3(c, !r, kp, TC_ALT_FIN_UNSEEN, pt[0], pt[1], pt[2]);
}

/* fin-unseen alternatives: side r shows no FIN, yet its peer p
 * acknowledged bytes of r beyond every segment of r's with data (or SYN)
 * the capture saw (the last of them, a FIN or data, went uncaptured).
 * If they held r's FIN: when p's own FIN (if any) acknowledged it, r
 * closed first (r FIN-WAIT-1,
 * FIN-WAIT-2, TIME-WAIT; p CLOSE-WAIT, LAST-ACK, CLOSED); when p's FIN
 * did not, the FINs crossed (both FIN-WAIT-1, CLOSING, TIME-WAIT) or r's
 * came after p's (r CLOSE-WAIT, LAST-ACK, CLOSED; p FIN-WAIT-1,
 * FIN-WAIT-2, TIME-WAIT). The close is taken as completed: the capture
 * that lost the FIN may have lost the last ACKs too. */
static void fin_unseen_alternatives(struct tc_cx *cx)
{
	struct tc_conn *c = &cx->c;
	for (int r = 0; r < 2; r++) {
		const struct tc_ep *R = &cx->ep[r], *P = &cx->ep[!r];
		if (R->fin_seen || !(cx->data_hi_valid & (1u << r)) ||
		    !P->ack_valid || cx->reset ||
		    !SEQ_GT(P->ack_max, cx->data_hi[r]) ||
		    (c->state[r] != ST(ESTABLISHED) &&
		     c->state[r] != ST(CLOSE_WAIT)))
			continue;
		unsigned kr = path_to_established(c, r);
		unsigned kp = path_to_established(c, !r);
		if (!kr || !kp)
			continue;
		static const int r_first[3] = { ST(FIN_WAIT_1), ST(FIN_WAIT_2),
						ST(TIME_WAIT) },
				 p_second[3] = { ST(CLOSE_WAIT), ST(LAST_ACK),
						 ST(CLOSED) },
				 crossed[3] = { ST(FIN_WAIT_1), ST(CLOSING),
						ST(TIME_WAIT) };
		if (!P->fin_seen) {
			static const int r_only[3] = { ST(FIN_WAIT_1),
						       ST(FIN_WAIT_2), -1 },
					 p_only[3] = { ST(CLOSE_WAIT), -1, -1 };
			alt_pair(c, r, kr, kp, r_only, p_only);
		} else if ((cx->fin_ack_valid & (1u << !r)) &&
			   SEQ_GEQ(cx->fin_ack[!r], P->ack_max)) {
			alt_pair(c, r, kr, kp, r_first, p_second);
		} else {
			alt_pair(c, r, kr, kp, crossed, crossed);
			alt_pair(c, r, kr, kp, p_second, r_first);
		}
	}
}

/* fin-unanswered alternatives: side f's FIN, captured near its peer p
 * (the handshake's legs put the capture point at p), got nothing back
 * from p, though the capture went on for longer than p's leg after it
 * (plus FIN_ANSWER_NS): a live p acknowledges a FIN at once, a p without
 * the connection answers with a RST. So p's answer went uncaptured: p
 * had gone (reset or closed before, its RST uncaptured) and its RST
 * closed f, or p took the FIN (p CLOSE-WAIT, f FIN-WAIT-2). */
#define FIN_ANSWER_NS 1000000LL

static void fin_unanswered_alternatives(struct tc_cx *cx, int64_t now)
{
	struct tc_conn *c = &cx->c;
	int64_t up = c->rtt.to_server, down = c->rtt.to_client;
	if (cx->reset || up <= 0 || down <= 0)
		return;
	for (int f = 0; f < 2; f++) {
		int p = !f;
		const struct tc_ep *F = &cx->ep[f], *P = &cx->ep[p];
		if (!F->fin_seen || c->state[f] != ST(FIN_WAIT_1) ||
		    c->state[p] != ST(ESTABLISHED) || !F->hi_valid ||
		    F->hi != F->fin_seq + 1 || P->max_ts >= F->hi_ts ||
		    (P->ack_valid && SEQ_GT(P->ack_max, F->fin_seq)))
			continue;
		int64_t leg = p == TC_CLIENT ? down : up;
		if (!tc_an_near(cx, p) ||
		    tc_tdiff(now, F->hi_ts) <= leg + FIN_ANSWER_NS)
			continue;
		unsigned kf = path_len(c, f, 0, 0, NULL);
		unsigned kp = path_len(c, p, 0, 0, NULL);
		alt_add(c, f, kf, TC_ALT_FIN_UNANSWERED, ST(CLOSED), -1);
		alt_add(c, p, kp, TC_ALT_FIN_UNANSWERED, ST(CLOSED), -1);
		alt_add(c, f, kf, TC_ALT_FIN_UNANSWERED, ST(FIN_WAIT_2), -1);
		alt_add(c, p, kp, TC_ALT_FIN_UNANSWERED, ST(CLOSE_WAIT), -1);
	}
}

/* The other paths the capture leaves open (tcpscope-states(7)
 * ALTERNATIVES), most likely first:
 *   rst-not-taken      a RST closed a side that spoke again after it
 *                      without showing whether it took it (cx->rst_pend,
 *                      its ACK at the RST's sequence number): it may not
 *                      have, and stayed; if it sent a FIN, that moved it,
 *                      and a RST of its peer after that FIN closed it. A
 *                      side silent after the RST is taken to have got it
 *                      (silence is what a reset side shows). With a
 *                      FIN but no RST after it captured, the
 *                      RST the peer (gone since its own) answers it with
 *                      is offered first;
 *   final-ack-unseen   a side in LAST-ACK at the end whose peer is in
 *                      FIN-WAIT-2: the peer's ACK of its FIN may have gone
 *                      uncaptured (peer TIME-WAIT, side CLOSED);
 *   fin-unseen, fin-unanswered  (below).
 * Only when the transitions were all kept (not transitions_dropped). */
static void alternatives(struct tc_cx *cx, int64_t now)
{
	struct tc_conn *c = &cx->c;
	c->nalt[0] = c->nalt[1] = 0;
	if (c->transitions_dropped)
		return;
	if (cx->rst_pend && (cx->rst_alt_after & 4)) {
		int r = cx->rst_rcv;
		unsigned at, rule = TC_R_RST_RECEIVED;
		path_len(c, r, cx->rst_pkt, rule, &at);
		if (!at) {
			rule = TC_R_RST_AT_ACK;
			path_len(c, r, cx->rst_pkt, rule, &at);
		}
		if (at && at == path_len(c, r, 0, 0, NULL) - 1) {
			/* the state it was in: the RST's from state */
			int from = -1;
			for (size_t i = 0; i < c->ntransitions; i++)
				if (c->transitions[i].side == r &&
				    c->transitions[i].pkt == cx->rst_pkt &&
				    c->transitions[i].rule == rule)
					from = c->transitions[i].from;
			int fin = -1, rst = -1;
			if ((cx->rst_alt_after & 1) && from == ST(ESTABLISHED))
				fin = ST(FIN_WAIT_1);
			else if ((cx->rst_alt_after & 1) &&
				 from == ST(CLOSE_WAIT))
				fin = ST(LAST_ACK);
			if (fin >= 0 && (cx->rst_alt_after & 2))
				rst = ST(CLOSED);
			if (fin >= 0 && rst < 0) {
				/* No RST after its FIN captured: the peer, gone
				 * since its own RST, answers a FIN with one;
				 * unless the capture ended first. */
				alt_add(c, r, at, TC_ALT_RST_NOT_TAKEN, fin,
					ST(CLOSED));
			}
			alt_add(c, r, at, TC_ALT_RST_NOT_TAKEN, fin, rst);
		}
	}
	for (int x = 0; x < 2; x++) {
		if (c->state[x] != ST(LAST_ACK) ||
		    c->state[!x] != ST(FIN_WAIT_2))
			continue;
		alt_add(c, x, path_len(c, x, 0, 0, NULL),
			TC_ALT_FINAL_ACK_UNSEEN, ST(CLOSED), -1);
		alt_add(c, !x, path_len(c, !x, 0, 0, NULL),
			TC_ALT_FINAL_ACK_UNSEEN, ST(TIME_WAIT), -1);
	}
	fin_unseen_alternatives(cx);
	fin_unanswered_alternatives(cx, now);
}

void tc_machine_conclude(struct tc_cx *cx, int64_t now)
{
	alternatives(cx, now);

	struct tc_conn *c = &cx->c;
	const struct tc_ep *cl = &cx->ep[TC_CLIENT], *sv = &cx->ep[TC_SERVER];
	if (cx->refused)
		c->handshake = TC_HS_REFUSED;
	else if (cl->sent_syn && sv->sent_syn)
		c->handshake = TC_HS_SIMULTANEOUS;
	else if (cl->sent_syn)
		c->handshake = sv->synack_seen || sv->syn_inferred
				       ? (cx->tfo ? TC_HS_TFO : TC_HS_THREEWAY)
				       : TC_HS_SYN_ONLY;
	else
		c->handshake = TC_HS_NONE; /* no SYN captured: mid-stream */
	c->data_on_syn = cl->syn_data || sv->syn_data;

	if (cx->refused)
		c->close = TC_CLOSE_REFUSED;
	else if (cx->reset)
		c->close = TC_CLOSE_RESET;
	else if (cl->fin_seen && sv->fin_seen)
		c->close = TC_CLOSE_FIN;
	else if (c->handshake == TC_HS_SYN_ONLY && !sv->sent_any)
		c->close = TC_CLOSE_UNANSWERED;
	else if (cx->timed_out)
		c->close = TC_CLOSE_TIMEOUT;
	else
		c->close = TC_CLOSE_OPEN;
}
