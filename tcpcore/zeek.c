/*
 * zeek.c - a shadow of Zeek's TCP analyzer, kept only to produce the
 * conn.log columns conn_state and history exactly as Zeek would.
 *
 * Zeek's view differs from ours on purpose: its endpoint states (inactive,
 * SYN sent, SYN-ACK sent, partial, established, closed, reset) change on the
 * segment an endpoint sends, a FIN closes its sender at once, and its
 * originator is the first packet's sender unless the port heuristic of
 * TCPAnalyzer::WantConnection flips it ('^' in the history). This file
 * follows TCP.cc (update_history, init_endpoint, init_peer,
 * update_last_seq, Update*State), TCP_Endpoint.cc (Size, the scaled
 * history entries) and the conn_state function of
 * base/protocols/conn/main.zeek. Letters: upper case for the originator;
 * each recorded once, except S/F/R again for a new sequence number and
 * t/w/c at the 1st, 10th, 100th... occurrence.
 */
#include <string.h>

#include "internal.h"

#define HIST_SYN 0x1u
#define HIST_FIN 0x2u
#define HIST_RST 0x4u
#define HIST_FIN_RST 0x8u
#define HIST_DATA 0x10u
#define HIST_ACK 0x20u
#define HIST_MULTI 0x40u
#define HIST_GAP 0x80u

#define TOO_LARGE_SEQ_DELTA 1048576

static void add_history(struct tc_cx *cx, char code)
{
	if ((size_t)cx->hist_len + 1 < sizeof(cx->c.history)) {
		cx->c.history[cx->hist_len++] = code;
		cx->c.history[cx->hist_len] = '\0';
	}
}

static char letter(char code, int orig)
{
	return orig ? code : (char)(code - 'A' + 'a');
}

/* Connection::CheckHistory: 1 if already seen, else records it. */
static int check_history(struct tc_cx *cx, uint32_t mask, char code, int orig)
{
	if (!orig)
		mask <<= 16;
	if (cx->hist_seen & mask)
		return 1;
	cx->hist_seen |= mask;
	add_history(cx, letter(code, orig));
	return 0;
}

/* Connection::ScaledHistoryEntry with base 10. */
static void scaled(struct tc_cx *cx, char code, int orig, uint32_t *cnt,
		   uint32_t *thresh)
{
	if (++*cnt == *thresh) {
		add_history(cx, letter(code, orig));
		uint32_t next = *thresh * 10u;
		*thresh = next > *thresh ? next : 0;
	}
}

static void set_state(struct tc_ep *e, uint8_t st)
{
	if (e->zk_state != st) {
		e->zk_prev = e->zk_state;
		e->zk_state = st;
	}
}

void tc_zeek_init(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	unsigned f = s->flags;
	int flip = 0;
	if (!(f & TC_SYN) || (f & TC_ACK)) {
		if (tc_likely_server_port(s->sport)) {
			if (tc_likely_server_port(s->dport))
				flip = !(f & TC_SYN) && s->sport < s->dport;
			else
				flip = 1;
		}
	}
	cx->zk_orig = (uint8_t)(flip ? !d : d);
	for (int i = 0; i < 2; i++) {
		struct tc_ep *e = &cx->ep[i];
		e->zk_rxmt_thresh = e->zk_win0_thresh = e->zk_chk_thresh = 1;
	}
	if (flip)
		add_history(cx, '^');
}

static void init_seq(struct tc_ep *e, uint32_t start, uint32_t last)
{
	e->zk_start = e->zk_ackseq = start;
	e->zk_last = last;
	e->zk_seq_valid = 1;
}

static void update_history(struct tc_cx *cx, struct tc_ep *e, int orig,
			   unsigned f, uint32_t seq, uint32_t len)
{
	int bits = !!(f & TC_SYN) + !!(f & TC_FIN) + !!(f & TC_RST);
	if (bits > 1) {
		if ((f & TC_FIN) && (f & TC_RST))
			check_history(cx, HIST_FIN_RST, 'I', orig);
		else
			check_history(cx, HIST_MULTI, 'Q', orig);
	} else if (bits == 1) {
		if (f & TC_SYN) {
			char code = (f & TC_ACK) ? 'H' : 'S';
			if (check_history(cx, HIST_SYN, code, orig) &&
			    seq != e->zk_last_syn)
				add_history(cx, letter(code, orig));
			e->zk_last_syn = seq;
		}
		if (f & TC_FIN) {
			if (check_history(cx, HIST_FIN, 'F', orig) &&
			    seq + len != e->zk_last_fin)
				add_history(cx, letter('F', orig));
			e->zk_last_fin = seq + len;
		}
		if (f & TC_RST) {
			if (check_history(cx, HIST_RST, 'R', orig) &&
			    seq != e->zk_last_rst)
				add_history(cx, letter('R', orig));
			e->zk_last_rst = seq;
		}
	} else if (len) {
		check_history(cx, HIST_DATA, 'D', orig);
	} else if (f & TC_ACK) {
		check_history(cx, HIST_ACK, 'A', orig);
	}
}

/* TCP_Analyzer::UpdateStateMachine and its Update*State helpers. */
static void machine(struct tc_ep *e, struct tc_ep *p, int orig, unsigned f,
		    uint32_t seq, uint32_t len)
{
	switch (e->zk_state) {
	case TC_ZK_INACTIVE:
		if (f & TC_SYN) {
			if (orig) {
				set_state(e, (f & TC_ACK) ? TC_ZK_SYN_ACK_SENT
							  : TC_ZK_SYN_SENT);
			} else {
				if (p->zk_state == TC_ZK_SYN_SENT)
					set_state(p, TC_ZK_ESTABLISHED);
				set_state(e, TC_ZK_ESTABLISHED);
			}
		}
		if (f & TC_FIN)
			set_state(e, TC_ZK_CLOSED);
		if (f & TC_RST)
			set_state(e, TC_ZK_RESET);
		if (e->zk_state == TC_ZK_INACTIVE) {
			if (!orig && len == 0 && p->zk_state == TC_ZK_SYN_SENT)
				; /* an ACK of the SYN before the SYN-ACK */
			else if ((f & TC_ACK) &&
				 p->zk_state == TC_ZK_ESTABLISHED)
				set_state(e, TC_ZK_ESTABLISHED);
			else
				set_state(e, TC_ZK_PARTIAL);
		}
		break;
	case TC_ZK_SYN_SENT:
	case TC_ZK_SYN_ACK_SENT:
		if (f & TC_FIN)
			set_state(e, TC_ZK_CLOSED);
		if (f & TC_RST)
			set_state(e, TC_ZK_RESET);
		break;
	case TC_ZK_ESTABLISHED:
	case TC_ZK_PARTIAL:
		if ((f & TC_SYN) && e->zk_state == TC_ZK_PARTIAL &&
		    p->zk_state == TC_ZK_INACTIVE && !(f & TC_ACK))
			set_state(e, TC_ZK_SYN_SENT);
		if ((f & TC_FIN) && !(f & TC_RST)) {
			set_state(e, TC_ZK_CLOSED);
			if (p->zk_state == TC_ZK_RESET &&
			    p->zk_prev == TC_ZK_CLOSED)
				set_state(p, TC_ZK_CLOSED);
		}
		if (f & TC_RST)
			set_state(e, TC_ZK_RESET);
		break;
	case TC_ZK_CLOSED:
		if ((f & TC_RST) && p->zk_state != TC_ZK_CLOSED)
			set_state(e, TC_ZK_RESET);
		break;
	default:
		break;
	}
	(void)seq;
}

void tc_zeek_segment(struct tc_cx *cx, const struct tc_segment *s, int d)
{
	struct tc_ep *e = &cx->ep[d], *p = &cx->ep[!d];
	int orig = d == cx->zk_orig;
	unsigned f = s->flags;
	uint32_t len = s->payload_len, seq = s->seq, ack = s->ack;

	/* Checksums are not judged: the baselines run Zeek with -C, and
	 * captures taken on a sending host carry offloaded (bad) checksums.
	 * With checksums checked Zeek would add 'c' and drop the packet. */
	uint32_t seglen = len + !!(f & TC_SYN) + !!(f & TC_FIN);
	if (f & TC_RST)
		seglen -= len;
	uint32_t end = seq + seglen;

	/* init_endpoint */
	switch (e->zk_state) {
	case TC_ZK_INACTIVE:
		if (f & TC_SYN)
			init_seq(e, seq, end);
		else
			init_seq(e, seq - 1, seq);
		break;
	case TC_ZK_SYN_SENT:
	case TC_ZK_SYN_ACK_SENT:
	case TC_ZK_ESTABLISHED:
	case TC_ZK_PARTIAL:
		if ((f & TC_SYN) && seq != e->zk_start)
			init_seq(e, seq, end);
		break;
	case TC_ZK_RESET:
		if ((f & TC_SYN) && e->zk_prev == TC_ZK_INACTIVE)
			init_seq(e, seq, end);
		break;
	default:
		break;
	}
	e->zk_own_seq = 1;

	update_history(cx, e, orig, f, seq - e->zk_start, len);

	if (s->window == 0 && !(f & TC_RST) && p->zk_state != TC_ZK_CLOSED &&
	    e->zk_state != TC_ZK_RESET)
		scaled(cx, 'W', orig, &e->zk_win0_cnt, &e->zk_win0_thresh);

	if (f & TC_ACK) {
		if (p->zk_state == TC_ZK_INACTIVE) {
			if (!p->zk_own_seq)
				init_seq(p, ack - 1, ack - 1);
		} else if (!(f & TC_RST)) {
			int32_t da = SEQ_DIFF(ack, p->zk_ackseq);
			if (!(ack == 0 && da > TOO_LARGE_SEQ_DELTA) && da > 0)
				p->zk_ackseq = ack;
		}
	}

	/* update_last_seq */
	int32_t delta = SEQ_DIFF(end, e->zk_last);
	if ((f & (TC_SYN | TC_RST)) &&
	    (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
		;
	else if ((f & TC_FIN) && e->zk_last == e->zk_start + 1)
		e->zk_last = end;
	else if (e->zk_state == TC_ZK_RESET)
		;
	else if (delta > 0)
		e->zk_last = end;
	else if (len > 0)
		scaled(cx, 'T', orig, &e->zk_rxmt_cnt, &e->zk_rxmt_thresh);

	machine(e, p, orig, f, seq, len);
	if ((f & TC_FIN) && e->zk_fin_cnt < 255)
		e->zk_fin_cnt++;

	/* A content gap: this ACK covers a hole in the peer's stream that
	 * the capture never filled (analysis.c keeps the holes). A hole of
	 * one octet is the peer's unseen FIN, which Zeek does not flag. */
	if ((f & TC_ACK) && !(f & TC_RST) && !p->zk_gap) {
		for (int i = 0; i < p->ngaps; i++) {
			const struct tc_gap *g = &p->gaps[i];
			if (SEQ_LT(g->lo, ack) && (uint32_t)(g->hi - g->lo) > 1) {
				p->zk_gap = 1;
				check_history(cx, HIST_GAP, 'G',
					      d != cx->zk_orig);
				break;
			}
		}
	}
}

/* TCP_Endpoint::Size: bytes of sequence space, SYN and FIN excluded. */
static uint64_t zk_size(const struct tc_ep *e)
{
	if (!e->zk_seq_valid)
		return 0;
	int32_t a = SEQ_DIFF(e->zk_last, e->zk_start);
	int32_t b = SEQ_DIFF(e->zk_ackseq, e->zk_start);
	int64_t size = a > b ? a : b;
	if (size < 0)
		size = 0;
	if (size > 0)
		size--;
	if (e->zk_fin_cnt > 0 && size > 0)
		size--;
	return (uint64_t)size;
}

/* history == /^\^?S[^HAFGIQ]*R.*$/ */
static int rstos0_history(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h; h++) {
		if (*h == 'R')
			return 1;
		if (strchr("HAFGIQ", *h))
			return 0;
	}
	return 0;
}

static const char *conn_state(const struct tc_cx *cx)
{
	const struct tc_ep *o = &cx->ep[cx->zk_orig], *r = &cx->ep[!cx->zk_orig];
	uint8_t os = o->zk_state, rs = r->zk_state;
	int o_inactive = os == TC_ZK_INACTIVE || os == TC_ZK_PARTIAL;
	int r_inactive = rs == TC_ZK_INACTIVE || rs == TC_ZK_PARTIAL;

	if (rs == TC_ZK_RESET) {
		if (os == TC_ZK_SYN_SENT || os == TC_ZK_SYN_ACK_SENT ||
		    (os == TC_ZK_RESET && zk_size(o) == 0 && zk_size(r) == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == TC_ZK_RESET) {
		if (r_inactive)
			return rstos0_history(cx->c.history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == TC_ZK_CLOSED && os == TC_ZK_CLOSED)
		return "SF";
	if (os == TC_ZK_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == TC_ZK_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == TC_ZK_SYN_SENT && rs == TC_ZK_INACTIVE)
		return "S0";
	if (os == TC_ZK_ESTABLISHED && rs == TC_ZK_ESTABLISHED)
		return "S1";
	return "OTH";
}

void tc_zeek_conclude(struct tc_cx *cx)
{
	cx->c.history[cx->hist_len] = '\0';
	const char *cs = conn_state(cx);
	size_t n = strlen(cs);
	memcpy(cx->c.conn_state, cs, n + 1);
}
