/*
 * analysis.c - per-direction inference: which segments are
 * retransmissions, out of order, duplicate ACKs, keep-alives, zero windows
 * or window updates, what the handshake RTT was, and the per-direction
 * figures of struct tc_dir_stats.
 *
 * The interface is two functions (internal.h): tc_an_init() when a
 * connection is created and tc_an_segment() for every segment, called
 * before the state machine so it sees the sequence state the segment
 * found. It may only label segments and update dir[] and rtt in the
 * public struct and its own fields of struct tc_ep.
 *
 * Sequence bookkeeping per direction is the highest sequence end seen (hi)
 * and up to TC_MAX_GAPS holes below it: a segment above hi opens a hole
 * (previous-segment-not-captured), one filling a hole is out-of-order, one
 * wholly below hi and in no hole is a retransmission. Distinct payload
 * bytes count only bytes that raise hi or fill a hole.
 */
#include "internal.h"

void tc_an_init(struct tc_cx *cx)
{
	for (int i = 0; i < 2; i++) {
		cx->c.dir[i].wscale = -1;
		cx->c.dir[i].max_idle_ns = 0;
	}
	struct tc_rtt *r = &cx->c.rtt;
	r->handshake = r->to_server = r->to_client = -1;
	r->min = r->max = r->avg = r->stddev = -1;
}

/* Removes [lo, hi) from the holes of e; returns how many bytes it filled. */
static uint32_t fill_gaps(struct tc_ep *e, uint32_t lo, uint32_t hi)
{
	uint32_t filled = 0;
	for (int i = 0; i < e->ngaps; i++) {
		struct tc_gap *g = &e->gaps[i];
		uint32_t a = SEQ_GT(lo, g->lo) ? lo : g->lo;
		uint32_t b = SEQ_LT(hi, g->hi) ? hi : g->hi;
		if (!SEQ_LT(a, b))
			continue;
		filled += b - a;
		if (a == g->lo && b == g->hi) {
			e->gaps[i] = e->gaps[--e->ngaps];
			i--;
		} else if (a == g->lo) {
			g->lo = b;
		} else if (b == g->hi) {
			g->hi = a;
		} else if (e->ngaps < TC_MAX_GAPS) {
			e->gaps[e->ngaps].lo = b;
			e->gaps[e->ngaps].hi = g->hi;
			e->ngaps++;
			g->hi = a;
		} else {
			g->hi = a; /* no room: forget the upper part */
		}
	}
	return filled;
}

static void add_gap(struct tc_ep *e, uint32_t lo, uint32_t hi)
{
	if (e->ngaps == TC_MAX_GAPS) {
		/* Forget the oldest hole (lowest) to keep the newest. */
		int low = 0;
		for (int i = 1; i < e->ngaps; i++)
			if (SEQ_LT(e->gaps[i].lo, e->gaps[low].lo))
				low = i;
		e->gaps[low] = e->gaps[--e->ngaps];
	}
	e->gaps[e->ngaps].lo = lo;
	e->gaps[e->ngaps].hi = hi;
	e->ngaps++;
}

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
		if (o->wscale > 14)
			tc_label(tr, cx, s, d, labels, TC_LB_WSCALE_TOO_BIG,
				 TC_RS_WSCALE);
		S->ws_offered = 1;
		ds->wscale = o->wscale > 14 ? 14 : o->wscale;
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

static void handshake_rtt(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	struct tc_rtt *rt = &cx->c.rtt;
	struct tc_ep *cl = &cx->ep[TC_CLIENT], *sv = &cx->ep[TC_SERVER];
	unsigned f = s->flags;
	if ((f & TC_SYN) && !(f & TC_ACK) && d == TC_CLIENT)
		cl->syn_ts = s->ts_ns;
	if ((f & TC_SYN) && (f & TC_ACK) && d == TC_SERVER) {
		if (cl->sent_syn && rt->to_server < 0 &&
		    SEQ_DIFF(s->ack, cl->isn) >= 1)
			rt->to_server = s->ts_ns - cl->syn_ts;
		sv->syn_ts = s->ts_ns;
	}
	if (!(f & (TC_SYN | TC_RST)) && (f & TC_ACK) && d == TC_CLIENT &&
	    sv->synack_seen && rt->to_client < 0 && s->ack == sv->isn + 1) {
		rt->to_client = s->ts_ns - sv->syn_ts;
		if (rt->to_server >= 0)
			rt->handshake = rt->to_server + rt->to_client;
	}
}

void tc_an_segment(struct tc_tracker *tr, struct tc_cx *cx,
		   const struct tc_segment *s, int d, uint64_t *labels)
{
	struct tc_ep *S = &cx->ep[d], *R = &cx->ep[!d];
	struct tc_dir_stats *ds = &cx->c.dir[d];
	unsigned f = s->flags;
	uint32_t len = s->payload_len;

	ds->packets++;
	ds->wire_bytes += len;
	if (s->ip_len)
		ds->ip_bytes += s->ip_len;
	else
		ds->ip_bytes += len + (s->src.family == 6 ? 40u : 20u) + 20u;
	if (cx->c.last_pkt && s->ts_ns < cx->c.last_ts)
		tc_label(tr, cx, s, d, labels, TC_LB_TIME_WENT_BACK,
			 TC_RS_TIME_BACK);
	if (S->last_ts && s->ts_ns - S->last_ts > ds->max_idle_ns)
		ds->max_idle_ns = s->ts_ns - S->last_ts;
	S->last_ts = s->ts_ns;
	if (s->csum == TC_CSUM_BAD)
		tc_label(tr, cx, s, d, labels, TC_LB_BAD_CHECKSUM,
			 TC_RS_CHECKSUM);

	if (f & TC_SYN) {
		syn_options(cx, s, d, tr, labels);
		if (len)
			tc_label(tr, cx, s, d, labels, TC_LB_DATA_ON_SYN,
				 TC_RS_SYN_DATA);
		if (!(f & TC_ACK) && S->sent_syn && s->seq == S->isn)
			tc_label(tr, cx, s, d, labels, TC_LB_SYN_RETRANSMISSION,
				 TC_RS_SAME_SYN);
		if ((f & TC_ACK) && S->synack_seen && s->seq == S->isn)
			tc_label(tr, cx, s, d, labels,
				 TC_LB_SYNACK_RETRANSMISSION, TC_RS_SAME_SYN);
	}
	handshake_rtt(cx, s, d);
	if ((f & TC_FIN) && S->fin_seen &&
	    s->seq + len + !!(f & TC_SYN) == S->fin_seq)
		tc_label(tr, cx, s, d, labels, TC_LB_FIN_RETRANSMISSION,
			 TC_RS_SAME_FIN);

	/* Windows. */
	int shift = (f & TC_SYN) || ds->wscale < 0 ? 0 : ds->wscale;
	uint64_t win = (uint64_t)s->window << shift;
	if (!(f & TC_RST)) {
		if (ds->packets == 1 || win < ds->win_min)
			ds->win_min = win;
		if (win > ds->win_max)
			ds->win_max = win;
		if (s->window == 0)
			tc_label(tr, cx, s, d, labels, TC_LB_ZERO_WINDOW,
				 TC_RS_WINDOW_ZERO);
	}

	/* Sequence space. */
	uint32_t old_hi = S->hi;
	int had_hi = S->hi_valid;
	if (!(f & TC_RST)) {
		uint32_t start = s->seq + !!(f & TC_SYN);
		uint32_t end = start + len;
		uint32_t seg_end = end + !!(f & TC_FIN);
		if (!S->hi_valid) {
			S->hi = seg_end;
			S->hi_valid = 1;
			ds->payload_bytes += len;
		} else if (len == 0 || (len == 1 && !(f & (TC_SYN | TC_FIN)))) {
			if (!(f & (TC_SYN | TC_FIN)) && s->seq == S->hi - 1)
				tc_label(tr, cx, s, d, labels, TC_LB_KEEPALIVE,
					 TC_RS_ONE_BELOW);
			else if (len == 1 && SEQ_GEQ(start, S->hi)) {
				if (start == S->hi && R->last_valid &&
				    R->last_win == 0)
					tc_label(tr, cx, s, d, labels,
						 TC_LB_ZERO_WINDOW_PROBE,
						 TC_RS_PROBE);
				if (SEQ_GT(start, S->hi)) {
					add_gap(S, S->hi, start);
					tc_label(tr, cx, s, d, labels,
						 TC_LB_PREV_NOT_CAPTURED,
						 TC_RS_GAP);
				}
				ds->payload_bytes += 1;
				S->hi = seg_end;
			} else if (len == 1) {
				uint32_t n = fill_gaps(S, start, end);
				ds->payload_bytes += n;
				tc_label(tr, cx, s, d, labels,
					 n ? TC_LB_OUT_OF_ORDER
					   : TC_LB_RETRANSMISSION,
					 n ? TC_RS_BELOW_HIGHEST
					   : TC_RS_BYTES_SEEN);
			}
			if (len == 0 && SEQ_GT(start, S->hi)) {
				add_gap(S, S->hi, start);
				tc_label(tr, cx, s, d, labels,
					 TC_LB_PREV_NOT_CAPTURED, TC_RS_GAP);
			}
			if (SEQ_GT(seg_end, S->hi) && len == 0)
				S->hi = seg_end;
		} else if (SEQ_GEQ(start, S->hi)) {
			if (SEQ_GT(start, S->hi)) {
				add_gap(S, S->hi, start);
				tc_label(tr, cx, s, d, labels,
					 TC_LB_PREV_NOT_CAPTURED, TC_RS_GAP);
			}
			if (R->last_valid && R->last_win) {
				int rs = cx->c.dir[!d].wscale > 0
						 ? cx->c.dir[!d].wscale
						 : 0;
				uint64_t rw = (uint64_t)R->last_win << rs;
				if ((uint64_t)(uint32_t)(end - R->last_ack) ==
				    rw)
					tc_label(tr, cx, s, d, labels,
						 TC_LB_WINDOW_FULL,
						 TC_RS_WINDOW_FILLED);
			}
			ds->payload_bytes += len;
			S->hi = seg_end;
		} else {
			/* Starts below hi: the part below hi either fills
			 * holes (out of order) or was seen (retransmission). */
			uint32_t below = SEQ_LT(end, S->hi) ? end : S->hi;
			uint32_t filled = fill_gaps(S, start, below);
			uint32_t n = filled;
			if (SEQ_GT(end, S->hi)) {
				n += end - S->hi;
				S->hi = seg_end;
			} else if (SEQ_GT(seg_end, S->hi)) {
				S->hi = seg_end;
			}
			ds->payload_bytes += n;
			/* New bytes in a hole are out of order when they
			 * come within an RTT (3 ms when unknown) of the
			 * segment that opened the hole, as Wireshark
			 * judges; later, the sender retransmitted bytes the
			 * capture lost. */
			int64_t rtt = cx->c.rtt.handshake > 0
					      ? cx->c.rtt.handshake
					      : 3000000;
			int late = s->ts_ns - S->hi_ts >= rtt;
			int fast = R->dupacks >= 2 && R->last_valid &&
				   R->last_ack == s->seq;
			if (filled == 0 || late)
				tc_label(tr, cx, s, d, labels,
					 fast ? TC_LB_FAST_RETRANSMISSION
					      : TC_LB_RETRANSMISSION,
					 fast ? TC_RS_DUP_ACKS
					      : TC_RS_BYTES_SEEN);
			else
				tc_label(tr, cx, s, d, labels,
					 TC_LB_OUT_OF_ORDER,
					 TC_RS_BELOW_HIGHEST);
		}
	}

	if (S->hi_valid && (!had_hi || SEQ_GT(S->hi, old_hi)))
		S->hi_ts = s->ts_ns;

	/* ACKs. */
	if ((f & TC_ACK) && !(f & TC_RST)) {
		int pure = len == 0 && !(f & (TC_SYN | TC_FIN));
		if (pure && S->last_valid && s->ack == S->last_ack &&
		    s->window == S->last_win && R->hi_valid &&
		    SEQ_GT(R->hi, s->ack)) {
			S->dupacks++;
			tc_label(tr, cx, s, d, labels, TC_LB_DUP_ACK,
				 TC_RS_SAME_ACK);
		} else if (pure && S->last_valid && s->ack == S->last_ack &&
			   s->window != S->last_win) {
			tc_label(tr, cx, s, d, labels, TC_LB_WINDOW_UPDATE,
				 TC_RS_WINDOW_CHANGED);
		} else if (!S->last_valid || s->ack != S->last_ack) {
			S->dupacks = 0;
		}
		if (R->hi_valid && SEQ_GT(s->ack, R->hi)) {
			uint32_t n = s->ack - R->hi;
			cx->c.dir[!d].acked_unseen_bytes += n;
			tc_label(tr, cx, s, d, labels, TC_LB_ACKED_UNSEEN,
				 TC_RS_ACK_BEYOND);
			add_gap(R, R->hi, s->ack);
			R->hi = s->ack;
		}
		if (R->hi_valid) {
			int32_t fl = SEQ_DIFF(R->hi, s->ack);
			if (fl > 0 && (uint64_t)fl > cx->c.dir[!d].max_inflight)
				cx->c.dir[!d].max_inflight = (uint64_t)fl;
		}
		S->last_ack = s->ack;
		S->last_win = s->window;
		S->last_valid = 1;
	}
	if ((s->opt.present & TC_OPT_SACK) && s->opt.nsack) {
		tc_label(tr, cx, s, d, labels, TC_LB_SACK, TC_RS_SACK_BLOCKS);
		if ((f & TC_ACK) && SEQ_LT(s->opt.sack[0][0], s->ack))
			tc_label(tr, cx, s, d, labels, TC_LB_DSACK,
				 TC_RS_DSACK_BLOCK);
	}
}
