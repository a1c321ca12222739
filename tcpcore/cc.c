/*
 * cc.c - the data-transfer phase of each direction: the sender's
 * congestion state as a second state machine (Linux's names: Open,
 * Disorder, CWR, Recovery, Loss), its retransmission timeouts with their
 * backoff, fast-recovery episodes, estimates of its windows, and where
 * the time of the direction went (struct tc_transfer).
 *
 * Interface (internal.h): tc_cc_segment() for every segment, after
 * analysis.c labelled it, and tc_cc_conclude() to derive the shares and
 * the verdict. It reads the segment's labels and analysis.c's RTO
 * estimate, and writes only its cc_* fields of struct tc_ep and
 * c.dir[].xfer.
 *
 * A segment plays two parts: data of the direction its sender sends, and
 * an ACK (with a window) of the other direction. Per direction, with S
 * its sender and R its receiver:
 *
 *   segment of S:  retransmission label and the wait since the timer
 *                  started >= 3/4 RTO: timeout -> Loss; the next byte
 *                  after such a wait with nothing outstanding here, its
 *                  IP ID skipping packets never captured nor acked:
 *                  ipid-stall -> Loss (ipid_stall());
 *                  fast-retransmission (or any retransmission in
 *                  Disorder) -> Recovery; CWR flag on data -> CWR;
 *                  new data moves cc_nxt.
 *   segment of R:  its ACK restarts the timer and, one round trip
 *                  between the capture point and S later (cc_pq_*, the
 *                  handshake's leg on S's side), moves cc_una; dup-ack
 *                  or SACK above the ACK -> Disorder; an ACK at or past
 *                  the recovery point ends Recovery, Loss, CWR -> Open;
 *                  a plain advancing ACK ends Disorder.
 *
 * The rules are the table TC_CC_RULE_LIST (internal.h), printed as
 * tc_cc_rules[]; every transition names its row, and the row's from and
 * to are asserted.
 *
 * Time: between two segments of the connection nothing changes that the
 * capture could show, so each stretch between segments is charged whole
 * to the phase each direction was in after the earlier segment (O(1) a
 * segment, no allocation):
 *
 *   ZWND    the receiver's window is zero (after the sender sent data)
 *   IDLE    nothing in flight
 *   RWND    flight + one MSS exceeds the receiver's window (in recovery
 *           too: Linux's tcpi_rwnd_limited counts it so)
 *   RECOV   in Recovery or Loss with bytes in flight
 *   CWND    in CWR, or paced by the ACKs: since it was last idle the
 *           sender sent a full-sized segment of new data that an ACK
 *           made room for (with bytes still in flight, or within
 *           clock_slack() of the ACK that emptied it; the flight's
 *           earlier BUSY time moves here: it had more to send all along)
 *   BUSY    in flight, none of the above (the application's pace)
 *   STALL   never current: when a timeout shows, what the stretch since
 *           the timer started was charged to moves here (on ipid-stall,
 *           the idle stretch before it).
 *
 * The verdict weighs four kinds of time: application (BUSY, and IDLE
 * between the first byte sent and the direction's last idle stretch),
 * receiver_window (RWND, ZWND), congestion (CWND), loss (RECOV,
 * STALL); the longest stretch of each kind is kept as its evidence.
 */
#include <assert.h>
#include <string.h>

#include "internal.h"

enum phase { IDLE, BUSY, RWND, ZWND, CWND, RECOV, STALL, NPHASE };
enum kind { K_APP, K_RWND, K_CONG, K_LOSS };

_Static_assert(NPHASE == sizeof(((struct tc_ep *)0)->cc_acc) / sizeof(int64_t),
	       "cc_acc must hold one counter per phase");
_Static_assert(STALL - BUSY ==
		       sizeof(((struct tc_ep *)0)->cc_wacc) / sizeof(int64_t),
	       "cc_wacc must hold one counter per phase BUSY .. RECOV");
/* The time of phase p (BUSY .. RECOV) since the timer started. */
#define WACC(e, p) ((e)->cc_wacc[(p) - BUSY])

static const uint8_t kind_of[NPHASE] = {
	[IDLE] = K_APP, [BUSY] = K_APP, [RWND] = K_RWND, [ZWND] = K_RWND,
	[CWND] = K_CONG, [RECOV] = K_LOSS, [STALL] = K_LOSS
};

#define TC_CC_ANY TC_RULE_ANY
#define S TC_RULE_SENDER
#define R TC_RULE_RECEIVER

const struct tc_cc_rule tc_cc_rules[] = {
#define TC_X(id, name, by, from, to, ev)                                      \
	{ TC_CCR_##id, by, TC_CC_##from, TC_CC_##to, name, ev },
	TC_CC_RULE_LIST(TC_X)
#undef TC_X
};

const size_t tc_cc_nrules = sizeof(tc_cc_rules) / sizeof(tc_cc_rules[0]);

#undef S
#undef R

#define FULL_SLACK 64     /* options a full-sized segment may carry */
#define DEFAULT_SMSS 536  /* RFC 9293 3.7.1, when no MSS was announced */
#define MAX_LEG_NS 10000000000LL /* a leg beyond 10 s is no RTT */
#define CLOCK_SLACK_NS 1000000LL
#define RWND_FIELD 2 /* cc_rwnd_ok: cc_rwnd is the window field */

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

/* The sender's MSS: the one its receiver announced. */
static uint64_t smss(const struct tc_cx *cx, int d)
{
	uint16_t m = cx->c.dir[!d].mss;
	return m ? m : DEFAULT_SMSS;
}

static uint64_t flight(const struct tc_ep *e)
{
	if (!e->cc_nxt_ok || !e->cc_una_ok)
		return 0;
	int32_t f = SEQ_DIFF(e->cc_nxt, e->cc_una);
	return f > 0 ? (uint64_t)f : 0;
}

/* The receiver's window of direction d in bytes (cc_rwnd_ok set). */
static uint64_t rwnd(const struct tc_cx *cx, int d)
{
	const struct tc_ep *e = &cx->ep[d];
	if (e->cc_rwnd_ok == RWND_FIELD)
		return (uint64_t)e->cc_rwnd << cx->cc_ws_min[d];
	return e->cc_rwnd;
}

/* New data of direction d ending at end, its receiver's window scale
 * unknown: the sender keeps within the window its receiver last offered,
 * so the scale is at least what puts end inside it (from the ACK
 * captured, no later than the sender's own: a bound from below). An ACK
 * missing from the capture makes one segment look beyond the window, so
 * the scale rises only when WS_VOTES segments did not fit it. */
#define WS_VOTES 8

static void fit_scale(struct tc_cx *cx, int d, uint32_t end)
{
	const struct tc_ep *e = &cx->ep[d];
	if (e->cc_rwnd_ok != RWND_FIELD || !e->cc_rwnd || !e->cc_seen_ok ||
	    !SEQ_GT(end, e->cc_seen))
		return;
	uint64_t need = (uint32_t)SEQ_DIFF(end, e->cc_seen);
	unsigned sc = cx->cc_ws_min[d];
	while (sc < TC_WSCALE_MAX && ((uint64_t)e->cc_rwnd << sc) < need)
		sc++;
	if (sc == cx->cc_ws_min[d] || ++cx->cc_ws_votes[d] < WS_VOTES)
		return;
	cx->cc_ws_min[d] = (uint8_t)sc;
	cx->cc_ws_votes[d] = 0;
}

/* Charges the time up to t to the phase e is in. */
static inline void charge(struct tc_ep *e, int64_t t)
{
	if (t <= e->cc_since)
		return;
	int64_t dt = tc_tdiff(t, e->cc_since);
	e->cc_acc[e->cc_phase] = sat_add(e->cc_acc[e->cc_phase], dt);
	if (e->cc_phase != IDLE)
		WACC(e, e->cc_phase) = sat_add(WACC(e, e->cc_phase), dt);
	if (e->cc_phase == BUSY)
		e->cc_bacc = sat_add(e->cc_bacc, dt);
	e->cc_since = t;
}

/* The retransmission timer (re)starts at t. */
static void timer_start(struct tc_ep *e, int64_t t)
{
	e->cc_wait = t;
	memset(e->cc_wacc, 0, sizeof e->cc_wacc);
}

static int rule_allows(unsigned rule, unsigned from, unsigned to)
{
	if (rule >= TC_CCR__COUNT)
		return 0;
	const struct tc_cc_rule *r = &tc_cc_rules[rule];
	return r->to == to && from != to &&
	       (r->from == TC_RULE_ANY || r->from == from);
}

/* Moves the sender of direction d to state `to` by rule, at segment s
 * (captured at ts, packet pkt); bytes: retransmitted in the state it
 * leaves. */
static void move_at(struct tc_tracker *tr, struct tc_cx *cx, int d,
		    unsigned to, unsigned rule, const struct tc_segment *s,
		    int64_t ts, uint64_t pkt)
{
	struct tc_ep *e = &cx->ep[d];
	struct tc_transfer *x = &cx->c.dir[d].xfer;
	unsigned from = e->cc_state;
	assert(rule_allows(rule, from, to));
	(void)rule_allows;
	uint64_t bytes = from == TC_CC_RECOVERY || from == TC_CC_LOSS
				 ? e->cc_rec_bytes
				 : 0;
	e->cc_state = (uint8_t)to;
	e->cc_hidden = 0;
	e->cc_grow_ns = 0;
	e->cc_pause_ok = 0; /* cc_high from here, or a new pause in Open */
	if (to == TC_CC_RECOVERY || to == TC_CC_LOSS || to == TC_CC_CWR) {
		e->cc_high = e->cc_nxt;
		e->cc_rec_bytes = 0;
	}
	if (x->cc_transitions < UINT32_MAX)
		x->cc_transitions++;
	if (x->cc_npath < TC_CC_PATH) {
		x->cc_path[x->cc_npath++] = (uint8_t)to;
	} else {
		x->cc_path_cut = 1;
		x->cc_path[TC_CC_PATH - 1] = (uint8_t)to;
	}
	struct tc_event *ev = tc_q_push(tr, TC_EV_CC, cx, s, d);
	if (ev) {
		ev->ts_ns = ts;
		ev->pkt = pkt;
		ev->tr.ts_ns = ts;
		ev->tr.pkt = pkt;
		ev->tr.side = (uint8_t)d;
		ev->tr.from = (uint8_t)from;
		ev->tr.to = (uint8_t)to;
		ev->tr.rule = (uint16_t)rule;
		ev->count = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	}
}

static void move(struct tc_tracker *tr, struct tc_cx *cx, int d, unsigned to,
		 unsigned rule, const struct tc_segment *s)
{
	move_at(tr, cx, d, to, rule, s, s->ts_ns, s->pkt);
}

/* Disorder, deferred. Linux enters Disorder on a dup-ack or SACK unless
 * the same ACK shows a loss, when it goes from Open to Recovery at once
 * (its trace shows no Disorder): when it SACKs DUPTHRESH segments or
 * more above the ACK (its reordering degree at its initial 3), or data
 * sent RACK's reordering window (a quarter of the minimum RTT) or more
 * after the hole (RFC 8985 6.2; cc_pause marks the lowest such pause in
 * the sending above the ACK). So the first such ACK only marks the direction
 * (cc_dpend: 1, or DPEND_LOSS when it showed the loss); the move to
 * Disorder is made, dated at that ACK, when what follows shows it
 * happened: a retransmission after a first ACK that did not show the
 * loss, an advancing ACK, a timeout or CWR. A mark still open when the
 * capture ends is not made. */
#define DUPTHRESH 3
#define DPEND_LOSS 2

/* Whether the first SACK s of direction d shows a loss: it SACKs
 * DUPTHRESH segments or more above its ACK (full-sized ones; a block's
 * last may be short), or data sent after a pause of RACK's reordering
 * window that came after the ACK's hole. */
static int sack_shows_loss(const struct tc_cx *cx, int d,
			   const struct tc_segment *s)
{
	const struct tc_ep *e = &cx->ep[d];
	uint64_t n = 0, mss = smss(cx, d);
	for (unsigned i = 0; i < s->opt.nsack && i < TC_MAX_SACK; i++) {
		uint32_t lo = s->opt.sack[i][0], hi = s->opt.sack[i][1];
		if (!SEQ_GT(hi, lo) || !SEQ_GT(lo, s->ack))
			continue;
		n += ((uint64_t)(uint32_t)SEQ_DIFF(hi, lo) + mss - 1) / mss;
		if (e->cc_pause_ok && SEQ_GT(e->cc_pause, s->ack) &&
		    SEQ_LT(e->cc_pause, hi))
			return 1;
	}
	return n >= DUPTHRESH;
}

/* RACK's reordering window before it saw reordering: a quarter of the
 * minimum RTT, here the handshake's (the whole path's: the RTT samples
 * of the data span only the part beyond the capture point); 0 when
 * unknown. */
static int64_t reo_wnd(const struct tc_cx *cx)
{
	int64_t r = cx->c.rtt.handshake;
	return r > 0 && r <= MAX_LEG_NS ? r / 4 : 0;
}

/* New data s of direction d in Open: when it went out a reordering
 * window or more after the sender's previous segment, it is the pause
 * point unless a lower one is still unacknowledged. */
static void note_pause(struct tc_cx *cx, int d, const struct tc_segment *s,
		       uint32_t start)
{
	struct tc_ep *e = &cx->ep[d];
	if (e->ring_n < 2 || (e->cc_pause_ok && e->cc_seen_ok &&
			      SEQ_GT(e->cc_pause, e->cc_seen)))
		return;
	const struct tc_seen *prev = &e->ring[(e->ring_pos + TC_RING - 2) % TC_RING];
	int64_t w = reo_wnd(cx);
	if (w > 0 && tc_tdiff(s->ts_ns, prev->ts) >= w) {
		e->cc_pause = start;
		e->cc_pause_ok = 1;
	}
}

static void disorder_commit(struct tc_tracker *tr, struct tc_cx *cx, int d,
			    const struct tc_segment *s)
{
	struct tc_ep *e = &cx->ep[d];
	if (!e->cc_dpend)
		return;
	e->cc_dpend = 0;
	if (e->cc_state == TC_CC_OPEN)
		move_at(tr, cx, d, TC_CC_DISORDER, TC_CCR_DUPACK, s,
			e->cc_dpend_ts, e->cc_dpend_pkt);
}

/* The round trip between the capture point and the sender of direction
 * d (the handshake's leg on its side); 0 when unknown or beyond
 * MAX_LEG_NS. */
static int64_t leg_of(const struct tc_cx *cx, int d)
{
	int64_t leg = d == TC_CLIENT ? cx->c.rtt.to_client : cx->c.rtt.to_server;
	return leg > 0 && leg <= MAX_LEG_NS ? leg : 0;
}

/* leg_of(), or 0 below CLOCK_SLACK_NS: then the capture is at the
 * sender, and the leg is the sender's own time to answer, not a way for
 * ACKs to travel. */
static int64_t sender_leg(const struct tc_cx *cx, int d)
{
	int64_t leg = leg_of(cx, d);
	return leg >= CLOCK_SLACK_NS ? leg : 0;
}

/* The retransmission s answers the first dup-ack or SACK of direction
 * d: that ACK showed the loss, and s went out within a reordering window
 * (at least CLOCK_SLACK_NS) of the ACK reaching the sender. Later, the
 * sender did not take that ACK for a loss (not Linux, or its
 * reordering degree had grown) and waited in Disorder. */
static int acted_on_first(const struct tc_cx *cx, int d,
			  const struct tc_segment *s)
{
	const struct tc_ep *e = &cx->ep[d];
	if (e->cc_dpend != DPEND_LOSS)
		return 0;
	int64_t w = reo_wnd(cx);
	int64_t late = tc_tdiff(s->ts_ns, sat_add(e->cc_dpend_ts,
						  sender_leg(cx, d)));
	return late <= (w > CLOCK_SLACK_NS ? w : CLOCK_SLACK_NS);
}

/* ssthresh as the sender's congestion control would set it at a loss
 * event: the flight (its cwnd, as far as the capture shows) times
 * CUBIC's beta, at least two segments. */
static void loss_event(struct tc_cx *cx, int d)
{
	uint64_t f = flight(&cx->ep[d]) * TC_CUBIC_BETA_NUM / TC_CUBIC_BETA_DEN;
	uint64_t lo = 2 * smss(cx, d);
	cx->c.dir[d].xfer.ssthresh = f > lo ? f : lo;
}

/* A retransmission timeout showed at s, after waiting `wait`; rule
 * TIMEOUT or IPID_STALL. */
static void timeout(struct tc_tracker *tr, struct tc_cx *cx, int d,
		    const struct tc_segment *s, int64_t wait, unsigned rule)
{
	struct tc_ep *e = &cx->ep[d];
	struct tc_transfer *x = &cx->c.dir[d].xfer;
	if (e->cc_state != TC_CC_LOSS) {
		loss_event(cx, d);
		move(tr, cx, d, TC_CC_LOSS, rule, s);
		if (x->rto_episodes < UINT32_MAX)
			x->rto_episodes++;
		e->cc_backoffs = 0;
	} else if (e->cc_last_gap > 0 && wait / 3 >= e->cc_last_gap / 2) {
		/* The timer doubled (RFC 6298 5.5): backoff. */
		if (e->cc_backoffs < 255)
			e->cc_backoffs++;
		if (e->cc_backoffs > x->rto_backoff_max)
			x->rto_backoff_max = e->cc_backoffs;
	}
	if (x->rto_timeouts < UINT32_MAX)
		x->rto_timeouts++;
	e->cc_last_gap = wait;
	if (kind_of[e->cc_phase] != K_LOSS) {
		/* The stretch of loss began when the timer started; this
		 * retransmission is its evidence. */
		int64_t from = e->cc_wait > e->cc_kind_from ? e->cc_wait
							    : e->cc_kind_from;
		unsigned k = kind_of[e->cc_phase];
		if (tc_tdiff(from, e->cc_kind_from) > e->cc_ev_ns[k]) {
			e->cc_ev_ns[k] = tc_tdiff(from, e->cc_kind_from);
			e->cc_ev_pkt[k] = e->cc_kind_pkt;
		}
		e->cc_kind_from = from;
		e->cc_kind_pkt = s->pkt;
		e->cc_phase = RECOV;
	}
	/* The wait was a stall: what it was charged to moves. */
	e->cc_bacc -= WACC(e, BUSY) < e->cc_bacc ? WACC(e, BUSY) : e->cc_bacc;
	for (int p = BUSY; p < STALL; p++) {
		e->cc_acc[p] -= WACC(e, p);
		e->cc_acc[STALL] = sat_add(e->cc_acc[STALL], WACC(e, p));
	}
}

/* The sender sends new data an ACK made room for: it had more to send
 * all along, so the flight's time so far at the application's pace was
 * the window's. */
static void clocked(struct tc_ep *e)
{
	int64_t w = WACC(e, BUSY) < e->cc_bacc ? WACC(e, BUSY) : e->cc_bacc;
	e->cc_acc[BUSY] -= e->cc_bacc;
	e->cc_acc[CWND] = sat_add(e->cc_acc[CWND], e->cc_bacc);
	WACC(e, BUSY) -= w;
	WACC(e, CWND) = sat_add(WACC(e, CWND), w);
	e->cc_bacc = 0;
	e->cc_clocked = 1;
}

static void ack_sent_on(struct tc_cx *cx, int d, const struct tc_segment *s);

/* How soon after an ACK emptied the flight new data still counts as sent
 * for it: a quarter of the smallest RTT, at least 1 ms (the capture
 * point's estimate of when the ACK reached the sender is that rough). */
static int64_t clock_slack(const struct tc_cx *cx)
{
	int64_t q = cx->c.rtt.min > 0 ? cx->c.rtt.min / 4 : 0;
	return q > CLOCK_SLACK_NS ? q : CLOCK_SLACK_NS;
}

#define RETRANS_LABELS                                                        \
	(((uint64_t)1 << TC_LB_RETRANSMISSION) |                              \
	 ((uint64_t)1 << TC_LB_FAST_RETRANSMISSION) |                         \
	 ((uint64_t)1 << TC_LB_SPURIOUS_RETRANSMISSION))

/* The sender of direction d stalled by loss before the capture point,
 * seen at s (rule ipid-stall): its IP ID, which rose by one a packet,
 * skipped `unseen` packets, yet s begins where the captured data ended,
 * everything captured was acknowledged and nothing beyond it, the
 * receiver sent nothing the sender had left unacknowledged (no pure ACK
 * to send), and it waited 3/4 of the RTO or more since its timer last
 * started. So it had sent data the capture point never saw nor its
 * receiver acknowledged, and sends again after a timeout: the silence
 * was a stall, not the application. Capture loss shows otherwise (the
 * receiver acknowledges the missed bytes, or s skips them); an
 * application's pause spends no IP IDs. */
#define IPID_STALL_MIN 2 /* packets missed, at least */
#define IPID_RUN_MIN 4   /* segments in a row at +1 before, at least */

static int ipid_stall(const struct tc_cx *cx, int d,
		      const struct tc_segment *s, uint32_t start,
		      unsigned unseen)
{
	const struct tc_ep *e = &cx->ep[d], *p = &cx->ep[!d];
	if (unseen < IPID_STALL_MIN || !e->cc_nxt_ok || !e->cc_seen_ok ||
	    start != e->cc_nxt || e->cc_seen != e->cc_nxt ||
	    e->cc_phase != IDLE || flight(e) != 0)
		return 0;
	if (p->hi_valid && !(e->ack_hi_valid && SEQ_GEQ(e->ack_hi, p->hi)))
		return 0;
	return tc_tdiff(s->ts_ns, e->cc_wait) >= tc_an_rto(cx, d, NULL) / 4 * 3;
}

/* s as data of direction d (its sender's segment); unseen: packets of
 * its sender its IP ID skipped (0 when unknown). */
static void as_data(struct tc_tracker *tr, struct tc_cx *cx,
		    const struct tc_segment *s, int d, uint64_t labels,
		    unsigned unseen)
{
	struct tc_ep *e = &cx->ep[d];
	uint32_t len = s->payload_len;
	if (!len || (s->flags & TC_RST))
		return;
	uint32_t start = s->seq + !!(s->flags & TC_SYN);
	uint32_t end = start + len;
	uint64_t before = flight(e);
	/* (A segment where the captured data ended is labelled a resend
	 * only when analysis.c found the same stall: TC_RS_IPID_RESENT.
	 * It is taken here, as the timeout's resend.) */
	int stall = ipid_stall(cx, d, s, start, unseen);
	if (stall) {
		disorder_commit(tr, cx, d, s);
		/* The stall began when the flight looked empty here: that
		 * idle stretch was the timer's wait. */
		struct tc_transfer *x = &cx->c.dir[d].xfer;
		int64_t idle = tc_tdiff(s->ts_ns, e->cc_idle_from);
		if (idle > e->cc_acc[IDLE])
			idle = e->cc_acc[IDLE];
		if (idle < 0)
			idle = 0;
		e->cc_acc[IDLE] -= idle;
		e->cc_acc[STALL] = sat_add(e->cc_acc[STALL], idle);
		e->cc_wait = e->cc_idle_from;
		timeout(tr, cx, d, s, tc_tdiff(s->ts_ns, e->cc_wait),
			TC_CCR_IPID_STALL);
		/* Its window then: the largest flight seen, not the empty
		 * one. */
		uint64_t f = x->cwnd_max * TC_CUBIC_BETA_NUM / TC_CUBIC_BETA_DEN;
		if (f > x->ssthresh)
			x->ssthresh = f;
		e->cc_hidden = 1;
		e->cc_high = end;
		e->cc_rec_bytes = len;
		timer_start(e, s->ts_ns);
	} else if (e->cc_hidden && e->cc_state == TC_CC_LOSS &&
		   SEQ_GT(start, e->cc_nxt)) {
		/* It skips bytes never captured: they were sent before the
		 * timeout, so its recovery point is here, and an ACK that
		 * reached the old one did not end Loss. */
		if (SEQ_GT(start, e->cc_high))
			e->cc_high = start;
		e->cc_hidden = 0;
		/* and its flight then reached here at least. */
		if (e->cc_una_ok) {
			struct tc_transfer *x = &cx->c.dir[d].xfer;
			uint64_t f = (uint64_t)(uint32_t)SEQ_DIFF(start, e->cc_una) *
				     TC_CUBIC_BETA_NUM / TC_CUBIC_BETA_DEN;
			if (f > x->ssthresh)
				x->ssthresh = f;
		}
	} else if (e->cc_hidden == 2 && e->cc_state == TC_CC_LOSS &&
		   SEQ_GEQ(start, e->cc_nxt)) {
		/* New data right after the captured: nothing was hidden
		 * beyond, the ACK that reached the recovery point ended
		 * Loss. */
		move_at(tr, cx, d, TC_CC_OPEN, TC_CCR_LOSS_END, s,
			e->cc_dpend_ts, e->cc_dpend_pkt);
	}
	if ((labels & RETRANS_LABELS) && !stall) {
		int64_t wait = tc_tdiff(s->ts_ns, e->cc_wait);
		int64_t rto = tc_an_rto(cx, d, NULL);
		unsigned st = e->cc_state;
		int fast = (labels &
			    ((uint64_t)1 << TC_LB_FAST_RETRANSMISSION)) != 0;
		if ((e->cc_nxt_ok || e->cc_una_ok) && wait >= rto / 4 * 3) {
			disorder_commit(tr, cx, d, s);
			timeout(tr, cx, d, s, wait, TC_CCR_TIMEOUT);
		} else if (st == TC_CC_OPEN && e->cc_dpend &&
			   !acted_on_first(cx, d, s)) {
			/* The first dup-ack did not show the loss, or the
			 * sender did not act on it: Disorder came first. */
			disorder_commit(tr, cx, d, s);
			move(tr, cx, d, TC_CC_RECOVERY, TC_CCR_FAST_RETRANSMIT,
			     s);
		} else if (st == TC_CC_OPEN && (fast || e->cc_dpend)) {
			e->cc_dpend = 0;
			move(tr, cx, d, TC_CC_RECOVERY,
			     TC_CCR_OPEN_FAST_RETRANSMIT, s);
		} else if (st == TC_CC_DISORDER)
			move(tr, cx, d, TC_CC_RECOVERY, TC_CCR_FAST_RETRANSMIT,
			     s);
		else if ((labels & ((uint64_t)1 << TC_LB_FAST_RETRANSMISSION)) &&
			 st == TC_CC_CWR)
			move(tr, cx, d, TC_CC_RECOVERY, TC_CCR_CWR_RETRANSMIT,
			     s);
		if (e->cc_state == TC_CC_RECOVERY && st != TC_CC_RECOVERY) {
			loss_event(cx, d);
			if (cx->c.dir[d].xfer.fr_episodes < UINT32_MAX)
				cx->c.dir[d].xfer.fr_episodes++;
		}
		if (e->cc_state == TC_CC_RECOVERY ||
		    e->cc_state == TC_CC_LOSS) {
			e->cc_rec_bytes = e->cc_rec_bytes > UINT32_MAX - len
						  ? UINT32_MAX
						  : e->cc_rec_bytes + len;
			if (e->cc_state == TC_CC_RECOVERY)
				cx->c.dir[d].xfer.fr_bytes += len;
		}
		timer_start(e, s->ts_ns);
	}
	if (!e->cc_nxt_ok || SEQ_GT(end, e->cc_nxt)) {
		if (e->cc_grow_ns && e->cc_state == TC_CC_RECOVERY &&
		    tc_tdiff(s->ts_ns, e->cc_dpend_ts) <= e->cc_grow_ns)
			e->cc_high = end;
		if (e->cc_state == TC_CC_OPEN)
			note_pause(cx, d, s, start);
		fit_scale(cx, d, end);
		if (!e->cc_sent) {
			e->cc_sent = 1;
			e->cc_lead = e->cc_acc[IDLE];
		}
		e->cc_full = (uint64_t)len + FULL_SLACK >= smss(cx, d);
		if (before == 0)
			timer_start(e, s->ts_ns);
		/* Paced by the ACKs: sent while an ACK made room in the
		 * flight, or as soon as one emptied it. */
		if (e->cc_acked && !e->cc_clocked && e->cc_full &&
		    (before > 0 ||
		     tc_tdiff(s->ts_ns, e->cc_ack_at) <= clock_slack(cx)))
			clocked(e);
		e->cc_acked = 0;
		e->cc_nxt = end;
		e->cc_nxt_ok = 1;
	}
	if ((s->flags & TC_CWR) && !(s->flags & TC_SYN) &&
	    (e->cc_state == TC_CC_OPEN || e->cc_state == TC_CC_DISORDER)) {
		disorder_commit(tr, cx, d, s);
		loss_event(cx, d);
		move(tr, cx, d, TC_CC_CWR,
		     e->cc_state == TC_CC_OPEN ? TC_CCR_ECN_CWR
					       : TC_CCR_DISORDER_CWR,
		     s);
	}
}

/* s as the receiver's ACK and window for direction dd (s sent by !dd). */
static void as_ack(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int dd, uint64_t labels)
{
	struct tc_ep *e = &cx->ep[dd];
	unsigned f = s->flags;
	if (!(f & TC_ACK) || (f & TC_RST))
		return;
	/* A window whose scale the capture never saw (SYN-ACK missed,
	 * picked up mid-stream) is kept as the field: its size is taken
	 * with the smallest scale the sender's data fits (rwnd()). */
	if (cx->c.dir[!dd].wscale < 0 && !(f & TC_SYN)) {
		e->cc_rwnd = s->window;
		e->cc_rwnd_ok = RWND_FIELD;
	} else {
		uint64_t w = tc_window_bytes(s->window, cx->c.dir[!dd].wscale,
					     f & TC_SYN);
		e->cc_rwnd = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
		e->cc_rwnd_ok = 1;
	}
	int adv = !e->cc_seen_ok || SEQ_GT(s->ack, e->cc_seen);
	if (adv) {
		e->cc_seen = s->ack;
		e->cc_seen_ok = 1;
		ack_sent_on(cx, dd, s);
		timer_start(e, s->ts_ns);
	}
	int dup = (labels & ((uint64_t)1 << TC_LB_DUP_ACK)) != 0;
	int sack = (s->opt.present & TC_OPT_SACK) && s->opt.nsack &&
		   !(labels & ((uint64_t)1 << TC_LB_DSACK)) &&
		   SEQ_GT(s->opt.sack[0][1], s->ack);
	switch (e->cc_state) {
	case TC_CC_OPEN:
		if ((dup || sack) && flight(e) > 0) {
			if (!e->cc_dpend) {
				e->cc_dpend = sack && sack_shows_loss(cx, dd, s)
						  ? DPEND_LOSS
						  : 1;
				e->cc_dpend_ts = s->ts_ns;
				e->cc_dpend_pkt = s->pkt;
			}
		} else if (e->cc_dpend && adv) {
			disorder_commit(tr, cx, dd, s);
			move(tr, cx, dd, TC_CC_OPEN, TC_CCR_DISORDER_END, s);
		}
		break;
	case TC_CC_DISORDER:
		if (adv && !dup && !sack)
			move(tr, cx, dd, TC_CC_OPEN, TC_CCR_DISORDER_END, s);
		break;
	case TC_CC_RECOVERY:
	case TC_CC_LOSS:
	case TC_CC_CWR:
		if (e->cc_hidden && SEQ_GEQ(s->ack, e->cc_high)) {
			/* Loss after an ipid-stall: the sender may have sent
			 * more than the capture saw before its timeout; its
			 * next new data tells (as_data). */
			if (e->cc_hidden == 1) {
				e->cc_hidden = 2;
				e->cc_dpend_ts = s->ts_ns;
				e->cc_dpend_pkt = s->pkt;
			}
		} else if (SEQ_GEQ(s->ack, e->cc_high)) {
			unsigned was = e->cc_state;
			move(tr, cx, dd, TC_CC_OPEN,
			     was == TC_CC_RECOVERY ? TC_CCR_RECOVERY_END
			     : was == TC_CC_LOSS   ? TC_CCR_LOSS_END
						   : TC_CCR_CWR_END,
			     s);
			/* Linux ends the episode and, seeing the SACKed
			 * data above the hole, starts the next on the same
			 * ACK. */
			if (was != TC_CC_CWR && sack && flight(e) > 0) {
				loss_event(cx, dd);
				move(tr, cx, dd, TC_CC_RECOVERY,
				     TC_CCR_SACK_RECOVERY, s);
				/* It starts when this ACK reaches the sender:
				 * what it sends until then, captured up to
				 * the leg later, is below the recovery
				 * point. */
				int64_t leg = leg_of(cx, dd);
				e->cc_dpend_ts = s->ts_ns;
				e->cc_grow_ns = leg > UINT32_MAX ? UINT32_MAX
								 : (uint32_t)leg;
				if (cx->c.dir[dd].xfer.fr_episodes < UINT32_MAX)
					cx->c.dir[dd].xfer.fr_episodes++;
			}
		}
		break;
	default:
		assert(0 && "bad congestion state");
	}
}

/* The phase direction d is in now, with fl bytes in flight. */
static unsigned phase_now(const struct tc_cx *cx, int d, uint64_t fl)
{
	const struct tc_ep *e = &cx->ep[d];
	if (e->cc_rwnd_ok && e->cc_rwnd == 0 && e->cc_sent)
		return ZWND;
	if (!fl)
		return IDLE;
	/* The receiver's window first, in recovery too: Linux's
	 * tcpi_rwnd_limited counts the time the window stopped it, whatever
	 * its congestion state. */
	if (e->cc_rwnd_ok && fl + smss(cx, d) > rwnd(cx, d))
		return RWND;
	if (e->cc_state == TC_CC_RECOVERY || e->cc_state == TC_CC_LOSS)
		return RECOV;
	if (e->cc_state == TC_CC_CWR || e->cc_clocked)
		return CWND;
	return BUSY;
}

/* Enters the phase of direction d at time ts, packet pkt. */
static void rephase(struct tc_cx *cx, int d, int64_t ts, uint64_t pkt)
{
	struct tc_ep *e = &cx->ep[d];
	struct tc_transfer *x = &cx->c.dir[d].xfer;
	uint64_t fl = flight(e);
	if (fl > x->cwnd_max &&
	    (e->cc_state == TC_CC_OPEN || e->cc_state == TC_CC_DISORDER))
		x->cwnd_max = fl;
	unsigned p = phase_now(cx, d, fl);
	if (p == e->cc_phase)
		return;
	if (p == IDLE) {
		e->cc_idle_from = ts;
		e->cc_clocked = 0;
		e->cc_bacc = 0;
	}
	unsigned ok = kind_of[e->cc_phase], nk = kind_of[p];
	if (ok != nk) {
		int64_t len = tc_tdiff(ts, e->cc_kind_from);
		if (len > e->cc_ev_ns[ok]) {
			e->cc_ev_ns[ok] = len;
			e->cc_ev_pkt[ok] = e->cc_kind_pkt;
		}
		e->cc_kind_from = ts;
		e->cc_kind_pkt = pkt;
	}
	e->cc_phase = (uint8_t)p;
}

/* The sender of e gets the ACK ack at time t. */
static void una_to(struct tc_ep *e, uint32_t ack, int64_t t)
{
	if (e->cc_una_ok && !SEQ_GT(ack, e->cc_una))
		return;
	e->cc_una = ack;
	e->cc_una_ok = 1;
	if (e->cc_nxt_ok) { /* of data, not of the SYN */
		e->cc_acked = 1;
		e->cc_ack_at = t;
	}
}

/* Charges the time up to t to direction d, taking on the way the ACKs
 * that reached its sender by then. */
static void accrue_due(struct tc_cx *cx, int d, int64_t t)
{
	struct tc_ep *e = &cx->ep[d];
	while (e->cc_pq_n && e->cc_pq_t[e->cc_pq_head] <= t) {
		unsigned h = e->cc_pq_head;
		charge(e, e->cc_pq_t[h]);
		una_to(e, e->cc_pq_ack[h], e->cc_pq_t[h]);
		e->cc_pq_head = (uint8_t)((h + 1) % 4);
		e->cc_pq_n--;
		rephase(cx, d, e->cc_pq_t[h] > e->cc_since ? e->cc_pq_t[h]
							   : e->cc_since,
			e->cc_pq_pkt[h]);
		/* An empty slot holds zeros: a packed record then spends
		 * nothing on it (pack.c). */
		e->cc_pq_ack[h] = 0;
		e->cc_pq_t[h] = 0;
		e->cc_pq_pkt[h] = 0;
	}
	charge(e, t);
}

static inline void accrue(struct tc_cx *cx, int d, int64_t t)
{
	struct tc_ep *e = &cx->ep[d];
	if (e->cc_pq_n && e->cc_pq_t[e->cc_pq_head] <= t)
		accrue_due(cx, d, t);
	else
		charge(e, t);
}

unsigned tc_cc_ipid_unseen(const struct tc_cx *cx, const struct tc_segment *s,
			   int d, unsigned run)
{
	const struct tc_ep *e = &cx->ep[d];
	uint16_t step = (uint16_t)(s->ip_id - e->cc_ipid);
	if (!s->ip_id || !e->cc_ipid || e->cc_ipid_run < run ||
	    step <= e->cc_ipid_step || step >= 1024)
		return 0;
	return step - e->cc_ipid_step;
}

/* The ACK ack, captured at s, reaches the sender of direction d one
 * round trip between the capture point and that sender later (the
 * handshake's leg on its side; 0 at the sender itself): until then the
 * sender still counts the bytes in flight. */
static void ack_sent_on(struct tc_cx *cx, int d, const struct tc_segment *s)
{
	struct tc_ep *e = &cx->ep[d];
	int64_t leg = leg_of(cx, d);
	if (!leg) {
		una_to(e, s->ack, s->ts_ns);
		return;
	}
	if (e->cc_pq_n == 4)
		accrue(cx, d, e->cc_pq_t[e->cc_pq_head]); /* the oldest now */
	unsigned k = (e->cc_pq_head + e->cc_pq_n) % 4;
	e->cc_pq_ack[k] = s->ack;
	e->cc_pq_t[k] = sat_add(s->ts_ns, leg);
	e->cc_pq_pkt[k] = s->pkt;
	e->cc_pq_n++;
}

/* Segment s of side d, its IP ID `step` above the last one captured,
 * skips in its sequence exactly the segments its IP ID skipped: packets
 * missing from the capture, not a counter shared with other traffic, so
 * the run of +1 steps goes on. */
static int skipped_as_ids(const struct tc_cx *cx, const struct tc_segment *s,
			  int d, uint16_t step)
{
	const struct tc_ep *e = &cx->ep[d];
	uint32_t start = s->seq + !!(s->flags & TC_SYN);
	if (!s->payload_len || !e->cc_nxt_ok || !SEQ_GT(start, e->cc_nxt) ||
	    step <= e->cc_ipid_step)
		return 0;
	uint64_t mss = smss(cx, d);
	uint64_t gap = (uint32_t)SEQ_DIFF(start, e->cc_nxt);
	return (gap + mss - 1) / mss == (uint64_t)(step - e->cc_ipid_step);
}

void tc_cc_segment(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d, uint64_t labels)
{
	if (cx->c.dir[0].xfer.cc_npath == 0) {
		/* The connection's first segment: time starts here. */
		for (int i = 0; i < 2; i++) {
			struct tc_ep *e = &cx->ep[i];
			e->cc_since = e->cc_idle_from = e->cc_kind_from =
			    s->ts_ns;
			e->cc_kind_pkt = s->pkt;
			cx->c.dir[i].xfer.cc_path[0] = TC_CC_OPEN;
			cx->c.dir[i].xfer.cc_npath = 1;
		}
	}
	accrue(cx, 0, s->ts_ns);
	accrue(cx, 1, s->ts_ns);
	if (!(labels & ((uint64_t)1 << TC_LB_CAPTURE_DUPLICATE))) {
		/* Packets of the sender its IP ID skipped, when it rose by
		 * one a packet before. */
		struct tc_ep *e = &cx->ep[d];
		unsigned unseen = tc_cc_ipid_unseen(cx, s, d, IPID_RUN_MIN);
		uint16_t step = (uint16_t)(s->ip_id - e->cc_ipid);
		if (s->ip_id && e->cc_ipid) {
			if (step == e->cc_ipid_step) {
				if (e->cc_ipid_run < UINT8_MAX)
					e->cc_ipid_run++;
			} else if (!skipped_as_ids(cx, s, d, step)) {
				e->cc_ipid_run = 0;
			}
		}
		e->cc_ipid = s->ip_id;
		uint64_t segs = (s->payload_len + smss(cx, d) - 1) / smss(cx, d);
		e->cc_ipid_step = (uint8_t)(segs < 1 ? 1 : segs > 255 ? 255 : segs);
		as_data(tr, cx, s, d, labels, unseen);
		as_ack(tr, cx, s, !d, labels);
	}
	rephase(cx, 0, s->ts_ns, s->pkt);
	rephase(cx, 1, s->ts_ns, s->pkt);
}

/* ---- The verdict -------------------------------------------------------- */

static void conclude_dir(struct tc_cx *cx, int d)
{
	const struct tc_ep *e = &cx->ep[d];
	struct tc_transfer *x = &cx->c.dir[d].xfer;
	int64_t end = cx->c.last_ts, now = 0;
	struct tc_ep late;
	if (e->cc_pq_n && end > e->cc_since) {
		/* ACKs on their way at the end: taken on a copy, so that the
		 * connection goes on unchanged. */
		struct tc_transfer keep = *x;
		struct tc_ep ep = cx->ep[d];
		accrue(cx, d, end);
		late = cx->ep[d];
		cx->ep[d] = ep;
		*x = keep;
		e = &late;
	}
	int64_t acc[NPHASE];
	memcpy(acc, e->cc_acc, sizeof acc);
	if (x->cc_npath && end > e->cc_since) {
		now = tc_tdiff(end, e->cc_since);
		acc[e->cc_phase] = sat_add(acc[e->cc_phase], now);
	}
	x->idle_ns = acc[IDLE];
	x->busy_ns = 0;
	for (int p = BUSY; p < NPHASE; p++)
		x->busy_ns = sat_add(x->busy_ns, acc[p]);
	x->rwnd_limited_ns = sat_add(acc[RWND], acc[ZWND]);
	x->zero_window_ns = acc[ZWND];
	x->cwnd_limited_ns = acc[CWND];
	x->recovery_ns = acc[RECOV];
	x->rto_stall_ns = acc[STALL];
	/* Every stretch went to one phase: they add up to the duration
	 * (unless saturated by absurd timestamps). */
	assert(!x->cc_npath || cx->c.first_ts > e->cc_since ||
	       tc_tdiff(end, cx->c.first_ts) > INT64_MAX / 4 ||
	       sat_add(x->busy_ns, x->idle_ns) ==
		   tc_tdiff(end > e->cc_since ? end : e->cc_since,
			    cx->c.first_ts));
	/* The application's time: busy at its pace, and idle between its
	 * first byte and its last idle stretch. */
	int64_t idle_in = acc[IDLE] - e->cc_lead;
	int64_t trail = tc_tdiff(end, e->cc_idle_from);
	if (e->cc_phase == IDLE && e->cc_sent && trail > 0)
		idle_in -= trail;
	if (!e->cc_sent || idle_in < 0)
		idle_in = 0;
	x->app_ns = sat_add(acc[BUSY], idle_in);
	x->rto_ns = -1;
	int known = 0;
	int64_t rto = tc_an_rto(cx, d, &known);
	if (known)
		x->rto_ns = rto;
	x->flight_max = cx->c.dir[d].max_inflight;
	x->evidence_pkt = 0;
	x->evidence_ns = 0;
	if (cx->c.dir[d].payload_bytes == 0) {
		x->limited_by = TC_LIMIT_NONE;
		return;
	}
	/* The largest share; a tie goes to the earlier in this order. */
	static const uint8_t order[4] = { K_APP, K_CONG, K_LOSS, K_RWND };
	static const uint8_t verdict[4] = {
		[K_APP] = TC_LIMIT_APPLICATION, [K_RWND] = TC_LIMIT_RECEIVER_WINDOW,
		[K_CONG] = TC_LIMIT_CONGESTION, [K_LOSS] = TC_LIMIT_LOSS
	};
	int64_t share[4] = {
		[K_APP] = x->app_ns, [K_RWND] = x->rwnd_limited_ns,
		[K_CONG] = x->cwnd_limited_ns,
		[K_LOSS] = sat_add(x->recovery_ns, x->rto_stall_ns)
	};
	unsigned best = order[0];
	for (int i = 1; i < 4; i++)
		if (share[order[i]] > share[best])
			best = order[i];
	x->limited_by = verdict[best];
	x->evidence_ns = e->cc_ev_ns[best];
	x->evidence_pkt = e->cc_ev_pkt[best];
	if (kind_of[e->cc_phase] == best && x->cc_npath) {
		int64_t cur = tc_tdiff(end, e->cc_kind_from);
		if (cur > x->evidence_ns) {
			x->evidence_ns = cur;
			x->evidence_pkt = e->cc_kind_pkt;
		}
	}
}

void tc_cc_conclude(struct tc_cx *cx)
{
	conclude_dir(cx, 0);
	conclude_dir(cx, 1);
}
