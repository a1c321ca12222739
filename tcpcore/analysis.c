/*
 * analysis.c - per-direction inference: what each segment is
 * (retransmission, fast or spurious retransmission, out of order, a gap,
 * a duplicate ACK, a keep-alive or zero-window probe and their answers, a
 * zero window, a window update or a full window, a capture duplicate, an
 * offload artefact), why (enum tc_reason beside every label), and the
 * per-direction figures of struct tc_dir_stats and the RTT of tc_rtt.
 *
 * The interface is two functions (internal.h): tc_an_init() when a
 * connection is created and tc_an_segment() for every segment, called
 * before the state machine so it sees the sequence state the segment
 * found. It may only label segments and update dir[] and rtt in the
 * public struct and its own fields of struct tc_ep.
 *
 * State per direction, all fixed size (no allocation per segment):
 *
 *   hi        highest sequence end seen (data, SYN, FIN);
 *   gaps[]    up to TC_MAX_GAPS ranges below hi never captured, each
 *             with the segment that skipped them (time, TSval, IP ID);
 *   rs_*      the last hole a resend filled (its range, the TSvals of
 *             the segment that skipped it and of the resend);
 *   ring[]    the last TC_RING segments (seq, len, ACK, IP ID, TSval,
 *             payload hash, an options digest), for capture duplicates
 *             and D-SACK;
 *   last_ack, last_win, dupacks: the ACK stream this side sends;
 *   rt_*      one timed segment (Karn) and one timed TSval for RTT.
 *
 * Deciding a segment (sent by S to R), in order:
 *
 *   1. Same IP ID, seq, ACK, flags, window, options, TSval and payload
 *      hash as a segment in the ring, within 50 ms (100 us without IP ID
 *      and TSval): a capture duplicate, nothing else is done.
 *   2. seq one below hi with 0 or 1 byte: a keep-alive, or a zero-window
 *      probe when R's last window was zero (Linux probes look exactly
 *      like keep-alives; only R's window tells them apart).
 *   3. At or above hi: new bytes; above hi, previous-segment-not-captured
 *      (the skipped range becomes a gap). One byte at hi into R's zero
 *      window is a probe: hi waits until R takes the byte, so sending it
 *      again after the window opens is no retransmission.
 *   4. Below hi, every byte seen before: a retransmission; spurious when
 *      R had acknowledged every byte, fast when R repeated its ACK of this
 *      sequence twice or more (or once with SACK blocks above it). Stamped
 *      before an earlier segment of the same side (a replayed or merged
 *      capture), it is a capture duplicate instead: a resend comes after
 *      its original.
 *   4a. Below hi, every byte seen before, but inside the last hole a
 *      resend filled, with a TSval older than that resend's and not newer
 *      than that of the segment that skipped the bytes: the original,
 *      overtaken by its resend (out of order, not a retransmission).
 *   5. Below hi with bytes in a gap: either the late original (out of
 *      order) or the bytes sent again (retransmission). Evidence, first
 *      that decides: TSval against the segment that opened the gap; less
 *      than half an RTT since it (too soon for a resend the ACKs asked
 *      for); the same TSval when the sender's TSval clock ticks within an
 *      RTT (a resend would carry a newer one); IP ID when the sender's
 *      IDs run in sequence; repeated ACKs;
 *      and last the time since the gap opened against the RTT. A gap
 *      wholly filled by
 *      late originals was reordering, not loss: its label is revised
 *      (TC_EV_LABEL revised=1) and the reordering counted once, at the
 *      late segment. A gap the peer's ACK opened (acked-unseen) filled by
 *      a segment with an earlier timestamp is capture order: the
 *      acked-unseen label is withdrawn (revised to itself).
 *
 * Later evidence: a D-SACK block from R revises the retransmission it
 * names to spurious.
 */
#include <string.h>

#include "internal.h"

#define NOLABEL TC_LB__COUNT
#define DEFAULT_REORDER_NS 3000000 /* reorder window with no RTT known */
#define DUP_WINDOW_NS 100000       /* copies without IP ID or TSval */
#define DUP_SAME_ID_NS 50000000    /* copies with the same IP ID/TSval */

void tc_an_init(struct tc_cx *cx)
{
	for (int i = 0; i < 2; i++) {
		cx->c.dir[i].wscale = -1;
		cx->c.dir[i].max_idle_ns = 0;
		cx->ep[i].probe = NOLABEL;
	}
	struct tc_rtt *r = &cx->c.rtt;
	r->handshake = r->to_server = r->to_client = -1;
	r->min = r->max = r->avg = r->stddev = -1;
}

/* Revises the label `old` of packet pkt (side d) to `nw`: counts old one
 * less when dec, nw one more when inc, and queues TC_EV_LABEL with
 * revised=1. nw == old withdraws the label. */
static void relabel(struct tc_tracker *tr, struct tc_cx *cx, int d,
		    uint64_t pkt, int64_t ts, unsigned old, unsigned nw,
		    unsigned r, int dec, int inc)
{
	uint64_t *cnt = cx->c.dir[d].label;
	if (dec && cnt[old])
		cnt[old]--;
	struct tc_event *ev = tc_label_late(tr, cx, d, pkt, ts, nw, r, inc);
	if (ev) {
		ev->revised = 1;
		ev->old_label = (uint16_t)old;
	}
}

/* ---- Holes -------------------------------------------------------------- */

/* Index of the lowest gap of e overlapping [lo, hi), or -1. */
static int find_gap(const struct tc_ep *e, uint32_t lo, uint32_t hi)
{
	int best = -1;
	for (int i = 0; i < e->ngaps; i++) {
		const struct tc_gap *g = &e->gaps[i];
		if (SEQ_LT(lo, g->hi) && SEQ_LT(g->lo, hi) &&
		    (best < 0 || SEQ_LT(g->lo, e->gaps[best].lo)))
			best = i;
	}
	return best;
}

enum fill_mode { FILL_RESENT, FILL_LATE, FILL_CAPORDER };

/* Removes [lo, hi) from the holes of side d; returns how many bytes it
 * filled. A hole wholly filled by late originals (FILL_LATE) was
 * reordering: the label of the segment that opened it is revised. A hole
 * opened by an ACK and filled in capture order loses its acked-unseen. */
static uint32_t fill_gaps(struct tc_tracker *tr, struct tc_cx *cx, int d,
			  uint32_t lo, uint32_t hi, enum fill_mode mode)
{
	struct tc_ep *e = &cx->ep[d];
	uint32_t filled = 0;
	for (int i = 0; i < e->ngaps; i++) {
		struct tc_gap *g = &e->gaps[i];
		uint32_t a = SEQ_GT(lo, g->lo) ? lo : g->lo;
		uint32_t b = SEQ_LT(hi, g->hi) ? hi : g->hi;
		if (!SEQ_LT(a, b))
			continue;
		filled += b - a;
		if (mode == FILL_RESENT)
			g->resent = 1;
		if (mode == FILL_CAPORDER && g->by_ack) {
			uint64_t *ub = &cx->c.dir[d].acked_unseen_bytes;
			*ub = *ub > b - a ? *ub - (b - a) : 0;
		}
		if (a == g->lo && b == g->hi) {
			if (mode == FILL_LATE && !g->resent && !g->by_ack)
				relabel(tr, cx, d, g->pkt, g->ts,
					TC_LB_PREV_NOT_CAPTURED,
					TC_LB_OUT_OF_ORDER, TC_RS_REORDERED, 1,
					0);
			else if (mode == FILL_CAPORDER && g->by_ack)
				relabel(tr, cx, !d, g->pkt, g->ts,
					TC_LB_ACKED_UNSEEN, TC_LB_ACKED_UNSEEN,
					TC_RS_CAPTURE_ORDER, 1, 0);
			e->gaps[i] = e->gaps[--e->ngaps];
			i--;
		} else if (a == g->lo) {
			g->lo = b;
		} else if (b == g->hi) {
			g->hi = a;
		} else if (e->ngaps < TC_MAX_GAPS) {
			e->gaps[e->ngaps] = *g;
			e->gaps[e->ngaps].lo = b;
			e->ngaps++;
			g->hi = a;
		} else {
			g->hi = a; /* no room: forget the upper part */
		}
	}
	return filled;
}

static void add_gap(struct tc_ep *e, uint32_t lo, uint32_t hi,
		    const struct tc_segment *s, int by_ack)
{
	if (e->ngaps == TC_MAX_GAPS) {
		/* Forget the oldest hole (lowest) to keep the newest. */
		int low = 0;
		for (int i = 1; i < e->ngaps; i++)
			if (SEQ_LT(e->gaps[i].lo, e->gaps[low].lo))
				low = i;
		e->gaps[low] = e->gaps[--e->ngaps];
	}
	struct tc_gap *g = &e->gaps[e->ngaps++];
	memset(g, 0, sizeof(*g));
	g->lo = lo;
	g->hi = hi;
	g->pkt = s->pkt;
	g->ts = s->ts_ns;
	g->by_ack = (uint8_t)by_ack;
	if (!by_ack) {
		g->has_ts = (s->opt.present & TC_OPT_TS) != 0;
		g->tsval = s->opt.tsval;
		g->ip_id = s->ip_id;
		g->ipid_ok = e->ipid_run >= 3 && s->ip_id != 0;
	}
}

/* 1 if the segment being labelled (sent by the side of e) is stamped
 * before an earlier segment of the same side: a copy recorded out of time
 * order. Same side, so two interfaces' clocks never compare. */
static int went_back(const struct tc_ep *e)
{
	return e->back;
}

/* ---- The ring of recent segments ---------------------------------------- */

/* A digest of the options a copy repeats and a resend may change (SACK
 * blocks, MSS, window scale, which options), TSval aside. */
static uint32_t opt_sig(const struct tc_options *o)
{
	uint32_t h = o->present * 2654435761u;
	h = (h ^ o->mss) * 2654435761u;
	h = (h ^ o->wscale ^ ((uint32_t)o->nsack << 8)) * 2654435761u;
	for (int i = 0; i < o->nsack && i < TC_MAX_SACK; i++)
		h = (h ^ o->sack[i][0] ^ (o->sack[i][1] << 7)) * 2654435761u;
	return h;
}

static int same_segment(const struct tc_seen *p, const struct tc_segment *s)
{
	int has_ts = (s->opt.present & TC_OPT_TS) != 0;
	if (p->seq != s->seq || p->len != s->payload_len || p->ack != s->ack ||
	    p->flags != s->flags || p->window != s->window ||
	    p->hash != s->payload_hash || p->ip_id != s->ip_id ||
	    p->has_ts != has_ts || (has_ts && p->tsval != s->opt.tsval) ||
	    p->opt_sig != opt_sig(&s->opt))
		return 0;
	/* A copy comes within milliseconds (two interfaces, a bridge, a
	 * capture hook run twice); without an IP ID or a TSval a resend
	 * looks the same, so then only a copy within 100 us counts. So too
	 * for a SYN or SYN-ACK without an IP ID: Linux's request socket
	 * sends its SYN-ACK again on its timer and for the client's
	 * repeated SYN, often within one millisecond, the TSval's tick:
	 * byte for byte the same frame (kernel-truth corpus,
	 * drop-synack-*). */
	int id_less = s->ip_id == 0 && (!has_ts || (s->flags & TC_SYN));
	int64_t dt = tc_tdiff(s->ts_ns, p->ts),
		w = id_less ? DUP_WINDOW_NS : DUP_SAME_ID_NS;
	return dt >= -w && dt <= w;
}

static const struct tc_seen *ring_find_dup(const struct tc_ep *e,
					   const struct tc_segment *s)
{
	for (int i = 0; i < e->ring_n; i++)
		if (same_segment(&e->ring[i], s))
			return &e->ring[i];
	return NULL;
}

static void ring_push(struct tc_ep *e, const struct tc_segment *s,
		      unsigned label)
{
	struct tc_seen *p = &e->ring[e->ring_pos];
	e->ring_pos = (uint8_t)((e->ring_pos + 1) % TC_RING);
	if (e->ring_n < TC_RING)
		e->ring_n++;
	p->seq = s->seq;
	p->len = s->payload_len;
	p->ack = s->ack;
	p->tsval = s->opt.tsval;
	p->has_ts = (s->opt.present & TC_OPT_TS) != 0;
	p->hash = s->payload_hash;
	p->pkt = s->pkt;
	p->ts = s->ts_ns;
	p->ip_id = s->ip_id;
	p->flags = s->flags;
	p->window = s->window;
	p->label = (uint8_t)label;
	p->opt_sig = opt_sig(&s->opt);
}

/* A D-SACK block [lo, hi) sent to side d: its retransmissions in the
 * block were spurious. */
static void dsack_revise(struct tc_tracker *tr, struct tc_cx *cx, int d,
			 uint32_t lo, uint32_t hi)
{
	struct tc_ep *e = &cx->ep[d];
	for (int i = 0; i < e->ring_n; i++) {
		struct tc_seen *p = &e->ring[i];
		if ((p->label != TC_LB_RETRANSMISSION &&
		     p->label != TC_LB_FAST_RETRANSMISSION) || !p->len)
			continue;
		if (SEQ_GEQ(p->seq, lo) && SEQ_LEQ(p->seq + p->len, hi)) {
			relabel(tr, cx, d, p->pkt, p->ts, p->label,
				TC_LB_SPURIOUS_RETRANSMISSION,
				TC_RS_DSACK_REPORTED, 1, 1);
			p->label = TC_LB_SPURIOUS_RETRANSMISSION;
		}
	}
}

/* ---- RTT ---------------------------------------------------------------- */

/* Integer square root (Newton), so tcpcore needs no libm. It starts at
 * the power of two just above the root (v < 2^b, so the root is below
 * 2^ceil(b/2)): from above, Newton's steps fall to the floor of the root
 * in a few steps, where starting at v took some 40 divisions. */
static uint64_t isqrt(uint64_t v)
{
	if (v < 2)
		return v;
	unsigned b = 64u - (unsigned)__builtin_clzll(v);
	uint64_t x = (uint64_t)1 << ((b + 1) / 2), y = (x + v / x) / 2;
	while (y < x) {
		x = y;
		y = (x + v / x) / 2;
	}
	return x;
}

#define RTO_G_NS 1000000LL           /* clock granularity G */
#define RTO_MIN_NS 200000000LL       /* Linux's TCP_RTO_MIN */
#define RTO_MAX_NS 120000000000LL    /* Linux's TCP_RTO_MAX */
#define RTO_INIT_NS 1000000000LL     /* RFC 6298 2.1 */

/* RFC 6298 2.2 and 2.3: one RTT sample of side d's data. */
static void rto_sample(struct tc_ep *e, int64_t r)
{
	if (r > RTO_MAX_NS)
		r = RTO_MAX_NS; /* keeps the sums below far from overflow */
	if (e->rto_n == 0) {
		e->rto_srtt = r;
		e->rto_var = r / 2;
	} else {
		int64_t dev = e->rto_srtt > r ? e->rto_srtt - r : r - e->rto_srtt;
		e->rto_var = (3 * e->rto_var + dev) / 4;
		e->rto_srtt = (7 * e->rto_srtt + r) / 8;
	}
	if (e->rto_n < UINT32_MAX)
		e->rto_n++;
}

int64_t tc_an_rto(const struct tc_cx *cx, int d, int *known)
{
	const struct tc_ep *e = &cx->ep[d];
	if (known)
		*known = e->rto_n > 0;
	if (e->rto_n == 0)
		return RTO_INIT_NS;
	int64_t k = 4 * e->rto_var;
	int64_t rto = e->rto_srtt + (k > RTO_G_NS ? k : RTO_G_NS);
	return rto < RTO_MIN_NS ? RTO_MIN_NS : rto > RTO_MAX_NS ? RTO_MAX_NS : rto;
}

/* One RTT sample of the data side d sent. */
static void rtt_sample(struct tc_cx *cx, int d, int64_t ns)
{
	struct tc_rtt *r = &cx->c.rtt;
	if (ns < 0)
		return;
	rto_sample(&cx->ep[d], ns);
	r->samples++;
	if (r->min < 0 || ns < r->min)
		r->min = ns;
	if (ns > r->max)
		r->max = ns;
	cx->rtt_sum += (double)ns;
	cx->rtt_sq += (double)ns * (double)ns;
	double n = (double)r->samples, avg = cx->rtt_sum / n;
	double var = cx->rtt_sq / n - avg * avg;
	r->avg = avg < 9.2e18 ? (int64_t)avg : INT64_MAX;
	r->stddev = var >= 1 ? (int64_t)isqrt(var < 9.2e18 ? (uint64_t)var
							    : UINT64_C(9200000000000000000))
			     : 0;
}

/* The RTT at the capture point: the handshake's, else the smallest
 * sample; 0 when none is known. */
static int64_t measured_rtt(const struct tc_cx *cx)
{
	if (cx->c.rtt.handshake > 0)
		return cx->c.rtt.handshake;
	if (cx->c.rtt.min > 0)
		return cx->c.rtt.min;
	return 0;
}

/* Segment s of side d is a resend whose first copy the capture never saw
 * (lost before the capture point, which the handshake's legs do not put
 * at d): it goes on exactly where d's captured data ended (a FIN alone,
 * or data; no SYN, no RST), yet d's IP IDs, which rose by one a packet
 * (and never skipped before: the caller's cx->ipid_skipped; a counter
 * that other sockets share skips at random), skip packets the capture
 * never showed; it comes a retransmission timeout after d's previous
 * packet (prev_ts): 150 ms at least, below every stack's least RTO, and
 * two RTTs; the peer sent
 * nothing since that d had to answer (so the packets missing were not
 * ACKs of it), and acknowledged nothing beyond what d was seen to send
 * (they did not reach it: not a capture's own loss). */
#define IPID_RESENT_MIN_NS 150000000LL
#define IPID_RESENT_RUN 2 /* steps of one packet before, at least */
static int ipid_resent(const struct tc_cx *cx, const struct tc_segment *s,
		       int d, int64_t prev_ts)
{
	const struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	if ((s->flags & (TC_SYN | TC_RST)) ||
	    !(s->payload_len || (s->flags & TC_FIN)) || !S->hi_valid ||
	    s->seq != S->hi || !prev_ts ||
	    !tc_cc_ipid_unseen(cx, s, d, IPID_RESENT_RUN))
		return 0;
	/* Only with both legs of a handshake, and for data not where the
	 * capture sits at the sender (the legs say so as the database's
	 * vantage does): its own packets cannot be lost before it, and a
	 * host's offload there merges segments whose IP IDs then skip. A
	 * FIN alone is taken there too: no offload merges it, and a point
	 * near the sender in time may still lie after the loss (a
	 * forwarder's delay beyond it), or its capture missed the copy. */
	if (cx->c.rtt.to_server <= 0 || cx->c.rtt.to_client <= 0 ||
	    (s->payload_len && tc_an_near(cx, d)))
		return 0;
	int64_t gap = tc_tdiff(s->ts_ns, prev_ts), rtt = measured_rtt(cx);
	if (gap < IPID_RESENT_MIN_NS || (rtt > 0 && gap < 2 * rtt))
		return 0;
	if (R->hi_valid && (R->hi_ts > prev_ts || !S->ack_hi_valid ||
			    SEQ_LT(S->ack_hi, R->hi)))
		return 0;
	return (cx->data_hi_valid & (1u << d)) &&
	       !(R->ack_hi_valid && SEQ_GT(R->ack_hi, cx->data_hi[d]));
}

int tc_an_near(const struct tc_cx *cx, int side)
{
	int64_t up = cx->c.rtt.to_server, down = cx->c.rtt.to_client;
	if (up <= 0 || down <= 0)
		return 0;
	return (side == TC_CLIENT ? down : up) * 4 <= up + down;
}

/* Time within which bytes filling a gap count as a late original when no
 * better evidence decides. */
static int64_t reorder_window(const struct tc_cx *cx)
{
	int64_t rtt = measured_rtt(cx);
	return rtt > 0 ? rtt : DEFAULT_REORDER_NS;
}

/* ---- SYN options and the handshake -------------------------------------- */

static void syn_options(struct tc_cx *cx, const struct tc_segment *s, int d,
			struct tc_tracker *tr, uint64_t *labels)
{
	struct tc_dir_stats *ds = &cx->c.dir[d], *ps = &cx->c.dir[!d];
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	const struct tc_options *o = &s->opt;
	if (o->present & TC_OPT_MSS)
		ds->mss = o->mss;
	ds->sack_perm = (o->present & TC_OPT_SACK_PERM) != 0;
	ds->ts_perm = (o->present & TC_OPT_TS) != 0;
	if (o->present & TC_OPT_WSCALE) {
		if (o->wscale > TC_WSCALE_MAX)
			tc_label(tr, cx, s, d, labels, TC_LB_WSCALE_TOO_BIG,
				 TC_RS_WSCALE);
		S->ws_offered = 1;
		ds->wscale = o->wscale > TC_WSCALE_MAX ? TC_WSCALE_MAX : o->wscale;
		/* Scaling holds only if both SYNs offered it (RFC 7323). */
		if (R->syn_seen && !R->syn_inferred && !R->ws_offered)
			ds->wscale = 0;
	} else {
		S->ws_offered = 0;
		ds->wscale = 0;
		if (R->syn_seen && !R->syn_inferred)
			ps->wscale = 0;
	}
}

/* Times e's SYN or SYN-ACK s, with its TSval. */
static void syn_time(struct tc_ep *e, const struct tc_segment *s)
{
	e->syn_ts = s->ts_ns;
	e->syn_has_ts = (s->opt.present & TC_OPT_TS) != 0;
	e->syn_tsval = s->opt.tsval;
}

/* Handshake RTT at the capture point: the last SYN to the SYN-ACK (the
 * server leg), the last SYN-ACK to the ACK of it (the client leg). */
static void handshake_rtt(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	struct tc_rtt *rt = &cx->c.rtt;
	struct tc_ep *cl = &cx->ep[TC_CLIENT], *sv = &cx->ep[TC_SERVER];
	unsigned f = s->flags;
	if ((f & TC_SYN) && !(f & TC_ACK) && d == TC_CLIENT)
		syn_time(cl, s);
	if ((f & TC_SYN) && (f & TC_ACK) && d == TC_SERVER) {
		if (cl->sent_syn && rt->to_server < 0 &&
		    SEQ_DIFF(s->ack, cl->isn) >= 1)
			rt->to_server = tc_tdiff(s->ts_ns, cl->syn_ts);
		syn_time(sv, s);
	}
	if (!(f & (TC_SYN | TC_RST)) && (f & TC_ACK) && d == TC_CLIENT &&
	    sv->synack_seen && rt->to_client < 0 && s->ack == sv->isn + 1) {
		rt->to_client = tc_tdiff(s->ts_ns, sv->syn_ts);
		if (rt->to_server >= 0)
			if (__builtin_add_overflow(rt->to_server, rt->to_client,
						   &rt->handshake))
				rt->handshake = INT64_MAX;
	}
}

/* ---- Sequence space ----------------------------------------------------- */

/* Keep-alive or zero-window probe: 0 or 1 byte one below hi. */
static void probe_or_keepalive(struct tc_tracker *tr, struct tc_cx *cx,
			       const struct tc_segment *s, int d,
			       uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	if (R->last_valid && R->last_win == 0) {
		tc_label(tr, cx, s, d, labels, TC_LB_ZERO_WINDOW_PROBE,
			 TC_RS_LINUX_PROBE);
		S->probe = TC_LB_ZERO_WINDOW_PROBE;
	} else {
		tc_label(tr, cx, s, d, labels, TC_LB_KEEPALIVE,
			 TC_RS_ONE_BELOW);
		S->probe = TC_LB_KEEPALIVE;
	}
}

/* 1 if R's ACKs call for a fast retransmission at seq: two or more
 * repeats of that ACK, or one with SACK blocks above it. Repeats count
 * as RFC 6675 counts DupAcks: a window change does not stop an ACK that
 * SACKs new data from being one. */
static int fast_signal(const struct tc_ep *R, uint32_t seq)
{
	if (!R->last_valid || R->last_ack != seq)
		return 0;
	return R->rep_acks >= 2 || (R->rep_acks >= 1 && R->sacked);
}

/* 1 if the TSval clock of S ticks at least once per rtt, judged from its
 * SYN (or SYN-ACK) and the segment (ts, tsval) that skipped a hole: a
 * resend, which comes a round trip (or an RTO) after that segment at the
 * earliest, then carries a newer TSval than it. Over dt the clock ticked
 * dv times, so a tick lasts at most dt / (dv - 1). */
static int ts_ticks_within(const struct tc_ep *S, int64_t ts, uint32_t tsval,
			   int64_t rtt)
{
	if (!S->syn_has_ts || rtt <= 0)
		return 0;
	int32_t dv = SEQ_DIFF(tsval, S->syn_tsval);
	int64_t dt = tc_tdiff(ts, S->syn_ts);
	return dv >= 2 && dt > 0 && dt / (dv - 1) <= rtt;
}

/* 1 if bytes [start, end), all captured before, are the original of a
 * hole a resend filled: older TSval than that resend's, and not newer than
 * that of the segment that skipped them. */
static int late_after_resend(const struct tc_ep *S, const struct tc_segment *s,
			     uint32_t start, uint32_t end)
{
	return S->rs_on && (s->opt.present & TC_OPT_TS) &&
	       SEQ_GEQ(start, S->rs_lo) && SEQ_LEQ(end, S->rs_hi) &&
	       SEQ_LT(s->opt.tsval, S->rs_tsval) &&
	       SEQ_LEQ(s->opt.tsval, S->rs_gap_tsval);
}

/* Remembers that the segment s, with a TSval, resent bytes of the hole g
 * that the segment skipping them (with a TSval too) had left: their
 * original may still come (late_after_resend()). */
static void note_resend(struct tc_ep *S, const struct tc_segment *s,
			const struct tc_gap *g)
{
	if (!(s->opt.present & TC_OPT_TS) || !g->has_ts)
		return;
	if (S->rs_on && S->rs_gap_tsval == g->tsval &&
	    SEQ_LEQ(S->rs_lo, g->hi) && SEQ_GEQ(S->rs_hi, g->lo)) {
		/* The same hole again, filled in parts. */
		if (SEQ_LT(g->lo, S->rs_lo))
			S->rs_lo = g->lo;
		if (SEQ_GT(g->hi, S->rs_hi))
			S->rs_hi = g->hi;
		if (SEQ_LT(s->opt.tsval, S->rs_tsval))
			S->rs_tsval = s->opt.tsval;
		return;
	}
	S->rs_on = 1;
	S->rs_lo = g->lo;
	S->rs_hi = g->hi;
	S->rs_gap_tsval = g->tsval;
	S->rs_tsval = s->opt.tsval;
}

/* Labels a retransmission of bytes below hi with exactly one of
 * retransmission, fast-retransmission and spurious-retransmission (the
 * three are exclusive, as out-of-order is with them); returns that label,
 * which the ring keeps. */
static unsigned retransmission(struct tc_tracker *tr, struct tc_cx *cx,
			       const struct tc_segment *s, int d,
			       uint64_t *labels, uint32_t end, unsigned why)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	int spurious = R->ack_hi_valid && SEQ_LEQ(end, R->ack_hi);
	int fast = !spurious && fast_signal(R, s->seq);
	if (spurious)
		why = TC_RS_ALREADY_ACKED;
	else if (fast)
		why = R->rep_acks >= 2 ? TC_RS_DUP_ACKS : TC_RS_SACK_HOLE;
	unsigned l = spurious ? TC_LB_SPURIOUS_RETRANSMISSION
		     : fast   ? TC_LB_FAST_RETRANSMISSION
			      : TC_LB_RETRANSMISSION;
	tc_label(tr, cx, s, d, labels, l, why);
	/* Karn: a resent range gives no RTT sample. */
	if (S->rt_on && SEQ_LT(s->seq, S->rt_end))
		S->rt_on = 0;
	/* Eifel (RFC 3522): remember it; the ACK covering it tells. */
	if (!spurious && (s->opt.present & TC_OPT_TS) && !S->eif_on) {
		S->eif_on = 1;
		S->eif_end = end;
		S->eif_tsval = s->opt.tsval;
		S->eif_pkt = s->pkt;
		S->eif_ts = s->ts_ns;
	}
	return l;
}

/* Bytes [start, end) below hi, some in gap g: late original or resent? */
static unsigned below_hi_in_gap(struct tc_tracker *tr, struct tc_cx *cx,
				const struct tc_segment *s, int d,
				uint64_t *labels, uint32_t start, uint32_t end,
				const struct tc_gap *g, enum fill_mode *mode)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	int late;
	unsigned why;
	if (g->by_ack) {
		/* R acknowledged these bytes before the capture saw them. */
		if (s->ts_ns <= g->ts) {
			*mode = FILL_CAPORDER;
			return NOLABEL;
		}
		*mode = FILL_RESENT;
		return retransmission(tr, cx, s, d, labels, end,
				      TC_RS_ALREADY_ACKED);
	}
	int has_ts = (s->opt.present & TC_OPT_TS) != 0;
	int16_t did = (int16_t)(uint16_t)(s->ip_id - g->ip_id);
	int64_t rtt = measured_rtt(cx);
	if (has_ts && g->has_ts && s->opt.tsval != g->tsval) {
		late = SEQ_LT(s->opt.tsval, g->tsval);
		why = late ? TC_RS_TSVAL_EARLIER : TC_RS_TSVAL_LATER;
	} else if (rtt > 0 && tc_tdiff(s->ts_ns, g->ts) < rtt / 2) {
		/* Too soon for a resend the peer's ACKs asked for: those
		 * need a whole RTT after the segment that skipped them. */
		late = 1;
		why = TC_RS_BELOW_HIGHEST;
	} else if (has_ts && g->has_ts &&
		   ts_ticks_within(S, g->ts, g->tsval, rtt)) {
		/* The same TSval: sent in the same tick as the segment that
		 * skipped it, and a resend would come a tick later. */
		late = 1;
		why = TC_RS_TSVAL_SAME;
	} else if (g->ipid_ok && s->ip_id != 0 && did != 0 && did > -256 &&
		   did < 256) {
		late = did < 0;
		why = late ? TC_RS_IPID_EARLIER : TC_RS_IPID_LATER;
	} else if (fast_signal(R, s->seq)) {
		late = 0;
		why = TC_RS_DUP_ACKS;
	} else {
		late = tc_tdiff(s->ts_ns, g->ts) < reorder_window(cx);
		why = late ? TC_RS_BELOW_HIGHEST : TC_RS_AFTER_RTT;
	}
	if (late) {
		*mode = FILL_LATE;
		tc_label(tr, cx, s, d, labels, TC_LB_OUT_OF_ORDER, why);
		return NOLABEL;
	}
	*mode = FILL_RESENT;
	(void)start;
	note_resend(S, s, g);
	return retransmission(tr, cx, s, d, labels, end, why);
}

/* Sequence bookkeeping of a segment that is not a RST; returns the
 * retransmission label kept in the ring (or NOLABEL). */
static unsigned sequence(struct tc_tracker *tr, struct tc_cx *cx,
			 const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	struct tc_dir_stats *ds = &cx->c.dir[d];
	unsigned f = s->flags;
	uint32_t len = s->payload_len;
	uint32_t start = s->seq + !!(f & TC_SYN);
	uint32_t end = start + len;
	uint32_t seg_end = end + !!(f & TC_FIN);
	unsigned kept = NOLABEL;
	int ctl = (f & (TC_SYN | TC_FIN)) != 0;

	if (!S->hi_valid) {
		S->hi = S->seen_hi = seg_end;
		S->hi_valid = 1;
		ds->payload_bytes += len;
		if (len && !S->rt_on) {
			S->rt_on = 1;
			S->rt_end = end;
			S->rt_ts = s->ts_ns;
		}
		return kept;
	}
	if (!ctl && len <= 1 && s->seq == S->hi - 1) {
		probe_or_keepalive(tr, cx, s, d, labels);
		return kept;
	}
	if (S->zwp_pending) {
		/* Going on after a probe byte: R took it. */
		if (SEQ_GEQ(start, S->zwp_end) && SEQ_LT(S->hi, S->zwp_end)) {
			S->hi = S->zwp_end;
			ds->payload_bytes++;
		}
		S->zwp_pending = 0;
	}
	/* Bytes skipped that only R's ACK had announced: the same hole,
	 * now seen in S's own stream. */
	int acked_hole = SEQ_GT(start, S->seen_hi) && SEQ_LEQ(start, S->hi) &&
			 find_gap(S, S->seen_hi, start) >= 0;
	if (SEQ_GT(seg_end, S->seen_hi))
		S->seen_hi = seg_end;
	if (len == 0 && !ctl) {
		if (SEQ_GT(s->seq, S->hi)) {
			add_gap(S, S->hi, s->seq, s, 0);
			tc_label(tr, cx, s, d, labels, TC_LB_PREV_NOT_CAPTURED,
				 TC_RS_GAP);
			S->hi = s->seq;
		} else if (acked_hole) {
			tc_label(tr, cx, s, d, labels, TC_LB_PREV_NOT_CAPTURED,
				 TC_RS_ACKED_HOLE);
		}
		return kept;
	}
	if (SEQ_GEQ(start, S->hi)) {
		if (SEQ_GT(start, S->hi)) {
			add_gap(S, S->hi, start, s, 0);
			tc_label(tr, cx, s, d, labels, TC_LB_PREV_NOT_CAPTURED,
				 TC_RS_GAP);
		} else if (acked_hole) {
			tc_label(tr, cx, s, d, labels, TC_LB_PREV_NOT_CAPTURED,
				 TC_RS_ACKED_HOLE);
		}
		if (len == 1 && !ctl && start == S->hi && R->last_valid &&
		    R->last_win == 0) {
			/* The byte counts once R takes it: R's ACK covers it
			 * or S goes on after it; until then hi stays, so the
			 * byte sent again after the window opens is no
			 * retransmission. */
			tc_label(tr, cx, s, d, labels, TC_LB_ZERO_WINDOW_PROBE,
				 TC_RS_PROBE);
			S->probe = TC_LB_ZERO_WINDOW_PROBE;
			S->zwp_pending = 1;
			S->zwp_end = end;
			return kept;
		}
		if (len && R->last_valid && R->last_win &&
			   cx->c.dir[!d].wscale >= 0) {
			/* Not judged while R's window scale is unknown. */
			uint64_t rw = (uint64_t)R->last_win
				      << cx->c.dir[!d].wscale;
			if ((uint64_t)(uint32_t)(end - R->last_ack) == rw)
				tc_label(tr, cx, s, d, labels,
					 TC_LB_WINDOW_FULL,
					 TC_RS_WINDOW_FILLED);
		}
		ds->payload_bytes += len;
		S->hi = seg_end;
		if (len && !S->rt_on) {
			S->rt_on = 1;
			S->rt_end = end;
			S->rt_ts = s->ts_ns;
		}
		return kept;
	}
	/* Starts below hi. */
	uint32_t below = SEQ_LT(end, S->hi) ? end : S->hi;
	uint32_t above = SEQ_GT(end, S->hi) ? end - S->hi : 0;
	if (len) {
		int gi = find_gap(S, start, below);
		if (gi < 0 && went_back(S)) {
			/* A resend comes after its original: bytes seen
			 * before, stamped before the latest segment, are a
			 * second copy (a merged or replayed capture). */
			tc_label(tr, cx, s, d, labels, TC_LB_CAPTURE_DUPLICATE,
				 TC_RS_COPY_BACK);
		} else if (gi < 0 && late_after_resend(S, s, start, end)) {
			/* Reordering: the resend overtook the original. */
			tc_label(tr, cx, s, d, labels, TC_LB_OUT_OF_ORDER,
				 TC_RS_LATE_AFTER_RESEND);
		} else if (gi < 0) {
			kept = retransmission(tr, cx, s, d, labels, end,
					      TC_RS_BYTES_SEEN);
		} else {
			struct tc_gap g = S->gaps[gi];
			enum fill_mode mode = FILL_RESENT;
			kept = below_hi_in_gap(tr, cx, s, d, labels, start,
					       end, &g, &mode);
			ds->payload_bytes += fill_gaps(tr, cx, d, start, below,
						       mode);
		}
		ds->payload_bytes += above;
	}
	if (SEQ_GT(seg_end, S->hi))
		S->hi = seg_end;
	return kept;
}

/* ---- ACKs --------------------------------------------------------------- */

static void acks(struct tc_tracker *tr, struct tc_cx *cx,
		 const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	unsigned f = s->flags;
	int pure = s->payload_len == 0 && !(f & (TC_SYN | TC_FIN));
	int answered = 0;
	/* A keep-alive or probe carries a window too, but is no update. */
	const uint64_t probes = ((uint64_t)1 << TC_LB_KEEPALIVE) |
				((uint64_t)1 << TC_LB_ZERO_WINDOW_PROBE);

	/* The answer to a keep-alive or probe; one that opens or changes
	 * the window is a window update instead. */
	if (pure && R->probe != NOLABEL && R->hi_valid && s->ack == R->hi &&
	    (!S->last_valid || s->window == S->last_win)) {
		int zwp = R->probe == TC_LB_ZERO_WINDOW_PROBE;
		tc_label(tr, cx, s, d, labels,
			 zwp ? TC_LB_ZERO_WINDOW_PROBE_ACK
			     : TC_LB_KEEPALIVE_ACK,
			 zwp ? TC_RS_ANSWERS_PROBE : TC_RS_ANSWERS_KEEPALIVE);
		answered = 1;
	}
	R->probe = NOLABEL;
	if (!answered && pure && S->last_valid && s->ack == S->last_ack &&
	    s->window == S->last_win && s->window != 0 && R->hi_valid &&
	    SEQ_GT(R->hi, s->ack)) {
		/* RFC 5681's duplicate ACK: the peer has data outstanding.
		 * Repeated ACKs of a zero window report a full buffer, not a
		 * hole: they are not counted. */
		if (S->dupacks < 255)
			S->dupacks++;
		uint64_t had = *labels & ((uint64_t)1 << TC_LB_DUP_ACK);
		tc_label(tr, cx, s, d, labels, TC_LB_DUP_ACK, TC_RS_SAME_ACK);
		if (!had && tr->qlen) {
			struct tc_event *ev =
				&tr->q[(tr->qhead + tr->qlen - 1) % tr->qcap];
			if (ev->type == TC_EV_LABEL &&
			    ev->label == TC_LB_DUP_ACK && ev->pkt == s->pkt)
				ev->count = S->dupacks;
		}
	} else if (!answered && pure && S->last_valid &&
		   s->ack == S->last_ack && s->window != S->last_win &&
		   s->window != 0 && !(*labels & probes)) {
		tc_label(tr, cx, s, d, labels, TC_LB_WINDOW_UPDATE,
			 TC_RS_WINDOW_CHANGED);
	} else if (!S->last_valid || s->ack != S->last_ack) {
		S->dupacks = 0;
	}
	if (!S->last_valid || s->ack != S->last_ack)
		S->rep_acks = 0;
	else if (!answered && pure && R->hi_valid && SEQ_GT(R->hi, s->ack) &&
		 (s->window == S->last_win ||
		  ((s->opt.present & TC_OPT_SACK) && s->opt.nsack)) &&
		 S->rep_acks < 255)
		S->rep_acks++;
	S->sacked = (s->opt.present & TC_OPT_SACK) && s->opt.nsack &&
		    SEQ_GT(s->opt.sack[0][1], s->ack);

	if (R->zwp_pending && R->hi_valid && s->ack == R->zwp_end &&
	    SEQ_LT(R->hi, R->zwp_end)) {
		/* R took the probe byte. */
		R->hi = R->zwp_end;
		cx->c.dir[!d].payload_bytes++;
		R->zwp_pending = 0;
	}
	if (R->hi_valid && SEQ_GT(s->ack, R->hi)) {
		uint32_t n = s->ack - R->hi;
		cx->c.dir[!d].acked_unseen_bytes += n;
		tc_label(tr, cx, s, d, labels, TC_LB_ACKED_UNSEEN,
			 TC_RS_ACK_BEYOND);
		add_gap(R, R->hi, s->ack, s, 1);
		R->hi = s->ack;
	}
	if (R->hi_valid) {
		int32_t fl = SEQ_DIFF(R->hi, s->ack);
		if (fl > 0 && (uint64_t)fl > cx->c.dir[!d].max_inflight)
			cx->c.dir[!d].max_inflight = (uint64_t)fl;
	}
	if (!S->ack_hi_valid || SEQ_GT(s->ack, S->ack_hi)) {
		S->ack_hi = s->ack;
		S->ack_hi_valid = 1;
	}

	/* Eifel: the first ACK covering R's last retransmission echoes a
	 * TSval older than the retransmission's: the original got there. */
	if (R->eif_on && SEQ_GEQ(s->ack, R->eif_end)) {
		if ((s->opt.present & TC_OPT_TS) &&
		    SEQ_LT(s->opt.tsecr, R->eif_tsval)) {
			/* The retransmission's own label: plain or fast. */
			unsigned was = TC_LB_RETRANSMISSION;
			for (int i = 0; i < R->ring_n; i++)
				if (R->ring[i].pkt == R->eif_pkt) {
					was = R->ring[i].label;
					R->ring[i].label =
						TC_LB_SPURIOUS_RETRANSMISSION;
				}
			if (was != TC_LB_SPURIOUS_RETRANSMISSION)
				relabel(tr, cx, !d, R->eif_pkt, R->eif_ts, was,
					TC_LB_SPURIOUS_RETRANSMISSION,
					TC_RS_EIFEL, 1, 1);
		}
		R->eif_on = 0;
	}

	/* RTT: by TSecr when both sides use timestamps, else Karn. */
	int tsmode = cx->c.dir[0].ts_perm && cx->c.dir[1].ts_perm &&
		     (s->opt.present & TC_OPT_TS);
	if (tsmode && R->rt_tson) {
		if (s->opt.tsecr == R->rt_tsval) {
			if (!(S->last_valid && S->last_win == 0))
				rtt_sample(cx, !d,
					   tc_tdiff(s->ts_ns, R->rt_tsts));
			R->rt_tson = 0;
		} else if (SEQ_GT(s->opt.tsecr, R->rt_tsval)) {
			R->rt_tson = 0;
		}
	}
	/* No sample from an ACK that reopens a zero window: the wait was the
	 * receiving application's, not the path's. */
	int win0 = S->last_valid && S->last_win == 0;
	if (R->rt_on && SEQ_GEQ(s->ack, R->rt_end)) {
		if (!tsmode && !win0)
			rtt_sample(cx, !d, tc_tdiff(s->ts_ns, R->rt_ts));
		R->rt_on = 0;
	}

	S->last_ack = s->ack;
	S->last_win = s->window;
	S->last_valid = 1;
}

/* ---- One segment -------------------------------------------------------- */

void tc_an_segment(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d];
	struct tc_dir_stats *ds = &cx->c.dir[d];
	unsigned f = s->flags;
	uint32_t len = s->payload_len;

	ds->packets++;
	if (s->ip_len)
		ds->ip_bytes += s->ip_len;
	else
		ds->ip_bytes += len + (s->src.family == 6 ? 40u : 20u) + 20u;
	if (cx->c.last_pkt && s->ts_ns < cx->c.last_ts)
		tc_label(tr, cx, s, d, labels, TC_LB_TIME_WENT_BACK,
			 TC_RS_TIME_BACK);
	if (s->csum == TC_CSUM_BAD) {
		/* Checksums repeat per segment: offload on the capturing host
		 * (the first segment of the direction already bad) or a NIC
		 * completing some of them. The first bad one of a direction
		 * gets the label event with its reason; the later ones are
		 * counted and flagged on their segment only. */
		if (ds->label[TC_LB_BAD_CHECKSUM] > 0) {
			*labels |= (uint64_t)1 << TC_LB_BAD_CHECKSUM;
			ds->label[TC_LB_BAD_CHECKSUM]++;
		} else {
			tc_label(tr, cx, s, d, labels, TC_LB_BAD_CHECKSUM,
				 ds->packets == 1 ? TC_RS_OFFLOAD_CSUM
						  : TC_RS_CHECKSUM);
		}
	}

	/* Stamped before this side's latest, or equal to it while already
	 * going back (a replay reaching the copy of the latest). */
	S->back = S->max_ts && (s->ts_ns < S->max_ts ||
				(S->back && s->ts_ns == S->max_ts));
	if (s->ts_ns > S->max_ts)
		S->max_ts = s->ts_ns;

	/* 1. A second copy of a frame the capture already holds. */
	if (ring_find_dup(S, s)) {
		tc_label(tr, cx, s, d, labels, TC_LB_CAPTURE_DUPLICATE,
			 TC_RS_SAME_IPID);
		return;
	}
	ds->wire_bytes += len;
	if (S->last_ts && tc_tdiff(s->ts_ns, S->last_ts) > ds->max_idle_ns)
		ds->max_idle_ns = tc_tdiff(s->ts_ns, S->last_ts);
	int unseen_resend = !(cx->ipid_skipped & (1u << d)) &&
			    ipid_resent(cx, s, d, S->last_ts);
	if (!(cx->ipid_skipped & (1u << d)) && tc_cc_ipid_unseen(cx, s, d, 0))
		cx->ipid_skipped |= (uint8_t)(1u << d);
	S->last_ts = s->ts_ns;

	if (f & TC_SYN) {
		syn_options(cx, s, d, tr, labels);
		if (len)
			tc_label(tr, cx, s, d, labels, TC_LB_DATA_ON_SYN,
				 TC_RS_SYN_DATA);
		unsigned l = NOLABEL;
		if (!(f & TC_ACK) && S->sent_syn && s->seq == S->isn)
			l = TC_LB_SYN_RETRANSMISSION;
		if ((f & TC_ACK) && S->synack_seen && s->seq == S->isn)
			l = TC_LB_SYNACK_RETRANSMISSION;
		if (l != NOLABEL && went_back(S))
			tc_label(tr, cx, s, d, labels, TC_LB_CAPTURE_DUPLICATE,
				 TC_RS_COPY_BACK);
		else if (l != NOLABEL)
			tc_label(tr, cx, s, d, labels, l, TC_RS_SAME_SYN);
	} else if (!(f & TC_RST) && ds->wscale < 0 && !S->ws_said) {
		tc_label(tr, cx, s, d, labels, TC_LB_WSCALE_UNKNOWN,
			 TC_RS_NO_WSCALE);
		S->ws_said = 1;
	}
	handshake_rtt(cx, s, d);
	if ((f & TC_FIN) && !len && S->fin_seen &&
	    s->seq + !!(f & TC_SYN) == S->fin_seq)
		tc_label(tr, cx, s, d, labels,
			 went_back(S) ? TC_LB_CAPTURE_DUPLICATE
				      : TC_LB_FIN_RETRANSMISSION,
			 went_back(S) ? TC_RS_COPY_BACK : TC_RS_SAME_FIN);
	else if (unseen_resend && !len)
		tc_label(tr, cx, s, d, labels, TC_LB_FIN_RETRANSMISSION,
			 TC_RS_IPID_RESENT);
	uint16_t peer_mss = cx->c.dir[!d].mss;
	if (peer_mss && len > peer_mss)
		tc_label(tr, cx, s, d, labels, TC_LB_OVERSIZED_SEGMENT,
			 TC_RS_OVER_MSS);

	/* Windows. */
	uint64_t win = tc_window_bytes(s->window, ds->wscale, f & TC_SYN);
	if (!(f & TC_RST)) {
		if (ds->packets == 1 || win < ds->win_min)
			ds->win_min = win;
		if (win > ds->win_max)
			ds->win_max = win;
		if (s->window == 0 && !(f & TC_SYN))
			tc_label(tr, cx, s, d, labels, TC_LB_ZERO_WINDOW,
				 TC_RS_WINDOW_ZERO);
	}

	/* Sequence space. */
	uint32_t old_hi = S->hi;
	int had_hi = S->hi_valid;
	unsigned kept = NOLABEL;
	int in_order = 1;
	if (!(f & TC_RST)) {
		in_order = !had_hi || SEQ_GEQ(s->seq + !!(f & TC_SYN), old_hi);
		kept = sequence(tr, cx, s, d, labels);
	}
	if (unseen_resend && len && kept == NOLABEL) {
		/* Its first copy went out, and was lost, before the capture
		 * point: a resend all the same (no RTT sample, Karn). */
		tc_label(tr, cx, s, d, labels, TC_LB_RETRANSMISSION,
			 TC_RS_IPID_RESENT);
		kept = TC_LB_RETRANSMISSION;
		if (S->rt_on && SEQ_LT(s->seq, S->rt_end))
			S->rt_on = 0;
	}
	if (S->hi_valid && (!had_hi || SEQ_GT(S->hi, old_hi))) {
		S->hi_ts = s->ts_ns;
		/* Bytes in flight: sent, not yet acknowledged by R. */
		struct tc_ep *R = &cx->ep[!d];
		int32_t fl = R->ack_hi_valid ? SEQ_DIFF(S->hi, R->ack_hi) : 0;
		if (fl > 0 && (uint64_t)fl > ds->max_inflight)
			ds->max_inflight = (uint64_t)fl;
	}
	if (S->hi_valid && len && (s->opt.present & TC_OPT_TS) &&
	    !S->rt_tson && SEQ_GT(S->hi, old_hi)) {
		S->rt_tson = 1;
		S->rt_tsval = s->opt.tsval;
		S->rt_tsts = s->ts_ns;
	}
	/* IP IDs that rise by small steps on in-order segments can date a
	 * segment against another. */
	if (in_order && s->ip_id) {
		uint16_t step = (uint16_t)(s->ip_id - S->last_ip_id);
		if (S->last_ip_id && step >= 1 && step < 256) {
			if (S->ipid_run < 255)
				S->ipid_run++;
		} else if (S->last_ip_id) {
			S->ipid_run = 0;
		}
		S->last_ip_id = s->ip_id;
	}

	if ((f & TC_ACK) && !(f & TC_RST))
		acks(tr, cx, s, d, labels);
	if ((s->opt.present & TC_OPT_SACK) && s->opt.nsack) {
		tc_label(tr, cx, s, d, labels, TC_LB_SACK, TC_RS_SACK_BLOCKS);
		/* RFC 2883: a D-SACK block lies below the cumulative ACK,
		 * or inside the second block. */
		const uint32_t(*b)[2] = s->opt.sack;
		int dsack = (f & TC_ACK) && SEQ_LT(b[0][0], s->ack);
		if (!dsack && s->opt.nsack >= 2 && SEQ_GEQ(b[0][0], b[1][0]) &&
		    SEQ_LEQ(b[0][1], b[1][1]))
			dsack = 1;
		if (dsack) {
			tc_label(tr, cx, s, d, labels, TC_LB_DSACK,
				 TC_RS_DSACK_BLOCK);
			dsack_revise(tr, cx, !d, s->opt.sack[0][0],
				     s->opt.sack[0][1]);
		}
	}
	ring_push(S, s, kept);
}
