/*
 * test_analysis.c - scenario tests of tcpcore's segment inference
 * (tcpcore/analysis.c): one script per label, checking the label, the
 * reason stored beside it, revisions, the counts and the RTT figures.
 *
 * A script is one segment a line:
 *
 *     c S 100 0 us=0                     client -> server, SYN, seq, ack
 *     s SA 300 101 us=500 ts=10/5 id=7   server -> client, TSval/TSecr, IP ID
 *     c A 101 301 sack=90-100 win=0 len=10 hash=3 ws=7 mss=100 bad
 *
 * in segscript.h's syntax, with automatic IP IDs and payload hashes: without
 * id= every segment gets a fresh IP ID (a counter per side), without hash=
 * the payload hash is derived from seq and length. run()
 * feeds it and keeps every TC_EV_LABEL; find() looks one up by packet
 * number (line number from 1) and label.
 */
#include <stdlib.h>

#include "../tcpcore/tcpcore.h"
#include "segscript.h"
#include "unit.h"

#define MAXEV 256

struct lab {
	uint64_t pkt;
	uint16_t label, reason, old_label;
	uint8_t revised, dir;
	uint32_t count;
};

struct res {
	struct lab ev[MAXEV];
	int nev;
	struct tc_dir_stats dir[2];
	struct tc_rtt rtt;
	int closed;
};

static void collect(const struct tc_event *ev, void *ctx)
{
	struct res *r = ctx;
	if (ev->type == TC_EV_LABEL && r->nev < MAXEV) {
		struct lab *l = &r->ev[r->nev++];
		l->pkt = ev->pkt;
		l->label = ev->label;
		l->reason = ev->reason;
		l->revised = ev->revised;
		l->old_label = ev->old_label;
		l->dir = ev->dir;
		l->count = ev->count;
	} else if (ev->type == TC_EV_CLOSE && !r->closed) {
		memcpy(r->dir, ev->conn->dir, sizeof(r->dir));
		r->rtt = ev->conn->rtt;
		r->closed = 1;
	}
}

static void run(const char *script, struct res *r)
{
	memset(r, 0, sizeof(*r));
	seg_run(script, collect, r);
}

/* The label event for packet pkt and label l (revised or not); NULL. */
static const struct lab *find(const struct res *r, uint64_t pkt, unsigned l,
			      int revised)
{
	for (int i = 0; i < r->nev; i++)
		if (r->ev[i].pkt == pkt && r->ev[i].label == l &&
		    r->ev[i].revised == revised)
			return &r->ev[i];
	return NULL;
}

static int has(const struct res *r, uint64_t pkt, unsigned l)
{
	return find(r, pkt, l, 0) != NULL;
}

#define LB(x) TC_LB_##x
#define RS(x) TC_RS_##x

/* Handshake: packets 1-3; client data from 101, server data from 301. */
#define OPEN "c S 100 0 us=0 mss=1000\ns SA 300 101 us=10000 mss=1000\n" \
	     "c A 101 301 us=20000\n"

static void t_retransmission_seen_bytes(void)
{
	struct res r;
	run(OPEN "c PA 101 301 len=10 us=30000\n"
		 "c PA 101 301 len=10 us=400000\n",
	    &r);
	const struct lab *l = find(&r, 5, LB(RETRANSMISSION), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(BYTES_SEEN));
	CHECK(!has(&r, 5, LB(FAST_RETRANSMISSION)));
	CHECK(!has(&r, 5, LB(SPURIOUS_RETRANSMISSION)));
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 1);
	CHECK_EQ(r.dir[0].payload_bytes, 10);
	CHECK_EQ(r.dir[0].wire_bytes, 20);
}

static void t_fast_retransmission_and_dup_ack_numbers(void)
{
	struct res r;
	run(OPEN "c PA 101 301 len=10\nc PA 111 301 len=10\n"
		 "c PA 121 301 len=10\ns A 301 111\ns A 301 111\n"
		 "s A 301 111\nc PA 111 301 len=10\n",
	    &r);
	const struct lab *d1 = find(&r, 8, LB(DUP_ACK), 0);
	const struct lab *d2 = find(&r, 9, LB(DUP_ACK), 0);
	CHECK(d1 && d2);
	CHECK_EQ(d1->count, 1);
	CHECK_EQ(d2->count, 2);
	CHECK_EQ(d1->reason, RS(SAME_ACK));
	const struct lab *f = find(&r, 10, LB(FAST_RETRANSMISSION), 0);
	CHECK(f != NULL);
	CHECK_EQ(f->reason, RS(DUP_ACKS));
	/* The data-retransmission labels are exclusive: not also plain. */
	CHECK(!has(&r, 10, LB(RETRANSMISSION)));
	CHECK_EQ(r.dir[0].label[LB(FAST_RETRANSMISSION)], 1);
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[1].label[LB(DUP_ACK)], 2);
}

static void t_spurious_by_ack_and_by_dsack(void)
{
	struct res r;
	/* The server had acknowledged 111 before the client resent. */
	run(OPEN "c PA 101 301 len=10\ns A 301 111\n"
		 "c PA 101 301 len=10 us=500000\n",
	    &r);
	const struct lab *l = find(&r, 6, LB(SPURIOUS_RETRANSMISSION), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(ALREADY_ACKED));
	CHECK(!has(&r, 6, LB(RETRANSMISSION)));
	/* Resent before the ACK came; the ACK's D-SACK block names it. */
	run(OPEN "c PA 101 301 len=10\nc PA 101 301 len=10 us=400000\n"
		 "s A 301 111 sack=101-111\n",
	    &r);
	CHECK(has(&r, 5, LB(RETRANSMISSION)));
	CHECK(!has(&r, 5, LB(SPURIOUS_RETRANSMISSION)));
	CHECK(has(&r, 6, LB(DSACK)));
	l = find(&r, 5, LB(SPURIOUS_RETRANSMISSION), 1);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(DSACK_REPORTED));
	CHECK_EQ(l->old_label, LB(RETRANSMISSION));
	CHECK_EQ(r.dir[0].label[LB(SPURIOUS_RETRANSMISSION)], 1);
	/* The revision replaces the label: counted once, as spurious. */
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	/* RFC 2883 section 4.2: 101-111 lost, 111-121 resent needlessly;
	 * the D-SACK block sits above the ACK, inside the second block. */
	run(OPEN "c PA 101 301 len=10\nc PA 111 301 len=10\n"
		 "c PA 121 301 len=10\ns A 301 101 sack=111-131\n"
		 "c PA 111 301 len=10 us=400000\n"
		 "s A 301 101 sack=111-121 sack=111-131\n",
	    &r);
	CHECK(has(&r, 8, LB(RETRANSMISSION)));
	CHECK(!has(&r, 7, LB(DSACK)));
	CHECK(has(&r, 9, LB(DSACK)));
	l = find(&r, 8, LB(SPURIOUS_RETRANSMISSION), 1);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(DSACK_REPORTED));
}

static void t_spurious_by_eifel(void)
{
	struct res r;
	/* The resend carries TSval 20; the ACK covering it echoes 10, the
	 * original's: the original had arrived (RFC 3522). */
	run("c S 100 0 us=0 ts=1/0\ns SA 300 101 us=10000 ts=100/1\n"
	    "c A 101 301 us=12000 ts=2/100\n"
	    "c PA 101 301 len=10 us=20000 ts=10/100\n"
	    "c PA 101 301 len=10 us=300000 ts=20/100\n"
	    "s A 301 111 us=301000 ts=101/10\n",
	    &r);
	CHECK(has(&r, 5, LB(RETRANSMISSION)));
	const struct lab *l = find(&r, 5, LB(SPURIOUS_RETRANSMISSION), 1);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(EIFEL));
	CHECK_EQ(r.dir[0].label[LB(SPURIOUS_RETRANSMISSION)], 1);
	/* Echoing the resend's TSval: it was needed. */
	run("c S 100 0 us=0 ts=1/0\ns SA 300 101 us=10000 ts=100/1\n"
	    "c A 101 301 us=12000 ts=2/100\n"
	    "c PA 101 301 len=10 us=20000 ts=10/100\n"
	    "c PA 101 301 len=10 us=300000 ts=20/100\n"
	    "s A 301 111 us=301000 ts=101/20\n",
	    &r);
	CHECK(has(&r, 5, LB(RETRANSMISSION)));
	CHECK(find(&r, 5, LB(SPURIOUS_RETRANSMISSION), 1) == NULL);
	CHECK_EQ(r.dir[0].label[LB(SPURIOUS_RETRANSMISSION)], 0);
}

static void t_reordering_revises_the_gap(void)
{
	struct res r;
	/* 111 overtakes 101 by 0.2 ms; handshake RTT 20 ms. */
	run(OPEN "c PA 111 301 len=10 us=30000\n"
		 "c PA 101 301 len=10 us=30200\ns A 301 121\n",
	    &r);
	const struct lab *g = find(&r, 4, LB(PREV_NOT_CAPTURED), 0);
	CHECK(g != NULL);
	CHECK_EQ(g->reason, RS(GAP));
	const struct lab *o = find(&r, 5, LB(OUT_OF_ORDER), 0);
	CHECK(o != NULL);
	CHECK_EQ(o->reason, RS(BELOW_HIGHEST));
	const struct lab *v = find(&r, 4, LB(OUT_OF_ORDER), 1);
	CHECK(v != NULL);
	CHECK_EQ(v->old_label, LB(PREV_NOT_CAPTURED));
	CHECK_EQ(v->reason, RS(REORDERED));
	/* Counted once, at the late segment; no loss left. */
	CHECK_EQ(r.dir[0].label[LB(OUT_OF_ORDER)], 1);
	CHECK_EQ(r.dir[0].label[LB(PREV_NOT_CAPTURED)], 0);
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[0].payload_bytes, 20);
}

static void t_tsval_decides_late_or_resent(void)
{
	struct res r;
	/* Bytes 101-111 never seen; 111 skipped them with TSval 50. */
	run(OPEN "c PA 111 301 len=10 us=30000 ts=50/1\n"
		 "c PA 101 301 len=10 us=30100 ts=51/1\n",
	    &r);
	const struct lab *l = find(&r, 5, LB(RETRANSMISSION), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(TSVAL_LATER));
	CHECK_EQ(r.dir[0].label[LB(PREV_NOT_CAPTURED)], 1);
	run(OPEN "c PA 111 301 len=10 us=30000 ts=50/1\n"
		 "c PA 101 301 len=10 us=90000 ts=49/1\n",
	    &r);
	l = find(&r, 5, LB(OUT_OF_ORDER), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(TSVAL_EARLIER));
}

/* Reordering is no retransmission (issue 11): a late original whose
 * TSval is not newer than that of the segment that overtook it. Each case
 * names the packet to check, the label and reason it must get, and the
 * direction's counts of data retransmissions (the three labels together)
 * and of out-of-order segments: the kernel sent each of these bytes again
 * at most once. Handshake RTT 20 ms; the client's TSval ticks once a ms
 * (TS_OPEN) unless a case says otherwise; IP ID 0 (IPv6-like: no help). */
#define TS_OPEN "c S 100 0 us=0 ts=1/0 id=0\n"                              \
		"s SA 300 101 us=10000 ts=100/1 id=0\n"                     \
		"c A 101 301 us=20000 ts=20/100 id=0\n"

struct reorder_case {
	const char *name, *script;
	uint64_t pkt;
	unsigned label, reason;
	uint64_t resent, late;
};

static const struct reorder_case reorder_cases[] = {
	/* 111 overtakes 101 (TSval 30 both); 101 comes 30 ms later, more
	 * than an RTT, TSval equal: late, since a resend is stamped at
	 * least an RTT (here 20 ticks) after 111. The resend at 250 ms is
	 * the one retransmission. */
	{ "equal-tsval-in-hole",
	  TS_OPEN "c PA 111 301 len=10 us=30000 ts=30/100 id=0\n"
		  "c PA 101 301 len=10 us=60000 ts=30/100 id=0\n"
		  "c PA 101 301 len=10 us=250000 ts=250/100 id=0\n",
	  5, LB(OUT_OF_ORDER), RS(TSVAL_SAME), 1, 1 },
	/* The same with duplicate ACKs before the late original: still
	 * late, not a fast retransmission. */
	{ "equal-tsval-after-dup-acks",
	  TS_OPEN "c PA 111 301 len=10 us=30000 ts=30/100 id=0\n"
		  "c PA 121 301 len=10 us=30100 ts=30/100 id=0\n"
		  "c PA 131 301 len=10 us=30200 ts=30/100 id=0\n"
		  "s A 301 101 us=41000 ts=121/30 sack=111-121 id=0\n"
		  "s A 301 101 us=41100 ts=121/30 sack=111-131 id=0\n"
		  "s A 301 101 us=41200 ts=121/30 sack=111-141 id=0\n"
		  "c PA 101 301 len=10 us=45000 ts=30/100 id=0\n",
	  10, LB(OUT_OF_ORDER), RS(TSVAL_SAME), 0, 1 },
	/* The resend (TSval 60) overtook the original, which comes after
	 * the ACK of both with TSval 30, that of the segment that skipped
	 * it: the original, not a spurious retransmission. */
	{ "original-after-resend-equal",
	  TS_OPEN "c PA 111 301 len=10 us=30000 ts=30/100 id=0\n"
		  "s A 301 101 us=40000 ts=120/30 sack=111-121 id=0\n"
		  "c PA 101 301 len=10 us=60000 ts=60/120 id=0\n"
		  "s A 301 121 us=70000 ts=130/60 id=0\n"
		  "c PA 101 301 len=10 us=80000 ts=30/100 id=0\n",
	  8, LB(OUT_OF_ORDER), RS(LATE_AFTER_RESEND), 1, 1 },
	{ "original-after-resend-older",
	  TS_OPEN "c PA 111 301 len=10 us=30000 ts=30/100 id=0\n"
		  "s A 301 101 us=40000 ts=120/30 sack=111-121 id=0\n"
		  "c PA 101 301 len=10 us=60000 ts=60/120 id=0\n"
		  "s A 301 121 us=70000 ts=130/60 id=0\n"
		  "c PA 101 301 len=10 us=80000 ts=29/100 id=0\n",
	  8, LB(OUT_OF_ORDER), RS(LATE_AFTER_RESEND), 1, 1 },
	/* A second resend (TSval newer than the first) stays spurious. */
	{ "second-resend-after-resend",
	  TS_OPEN "c PA 111 301 len=10 us=30000 ts=30/100 id=0\n"
		  "s A 301 101 us=40000 ts=120/30 sack=111-121 id=0\n"
		  "c PA 101 301 len=10 us=60000 ts=60/120 id=0\n"
		  "s A 301 121 us=70000 ts=130/60 id=0\n"
		  "c PA 101 301 len=10 us=280000 ts=280/130 id=0\n",
	  8, LB(SPURIOUS_RETRANSMISSION), RS(ALREADY_ACKED), 2, 0 },
	/* A TSval clock of 10 ms a tick against an RTT of 2 ms: an equal
	 * TSval proves nothing, the time since the gap decides. */
	{ "equal-tsval-slow-clock",
	  "c S 100 0 us=0 ts=1/0 id=0\ns SA 300 101 us=1000 ts=100/1 id=0\n"
	  "c A 101 301 us=2000 ts=1/100 id=0\n"
	  "c PA 111 301 len=10 us=30000 ts=4/100 id=0\n"
	  "c PA 101 301 len=10 us=60000 ts=4/100 id=0\n",
	  5, LB(RETRANSMISSION), RS(AFTER_RTT), 1, 0 },
};

static void t_reordering_is_no_retransmission(void)
{
	int bad = 0;
	for (size_t i = 0;
	     i < sizeof(reorder_cases) / sizeof(reorder_cases[0]); i++) {
		const struct reorder_case *k = &reorder_cases[i];
		struct res r;
		run(k->script, &r);
		const struct lab *l = find(&r, k->pkt, k->label, 0);
		const uint64_t *n = r.dir[0].label;
		uint64_t resent = n[LB(RETRANSMISSION)] +
				  n[LB(FAST_RETRANSMISSION)] +
				  n[LB(SPURIOUS_RETRANSMISSION)];
		if (!l || l->reason != k->reason || resent != k->resent ||
		    n[LB(OUT_OF_ORDER)] != k->late) {
			fprintf(stderr, "  case %s: label %s, reason %u, "
				"resent %llu, late %llu\n", k->name,
				l ? "found" : "missing", l ? l->reason : 0,
				(unsigned long long)resent,
				(unsigned long long)n[LB(OUT_OF_ORDER)]);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

static void t_ip_id_decides_without_rtt(void)
{
	struct res r;
	/* Mid-stream (no handshake, no RTT), IP IDs in sequence. */
	run("c PA 101 301 len=10 us=0 id=10\nc PA 111 301 len=10 id=11\n"
	    "c PA 121 301 len=10 id=12\nc PA 131 301 len=10 id=13\n"
	    "c PA 151 301 len=10 id=14\nc PA 141 301 len=10 id=15\n",
	    &r);
	const struct lab *l = find(&r, 6, LB(RETRANSMISSION), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(IPID_LATER));
	run("c PA 101 301 len=10 us=0 id=10\nc PA 111 301 len=10 id=11\n"
	    "c PA 121 301 len=10 id=12\nc PA 131 301 len=10 id=13\n"
	    "c PA 151 301 len=10 id=15\nc PA 141 301 len=10 us=9000 id=14\n",
	    &r);
	l = find(&r, 6, LB(OUT_OF_ORDER), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(IPID_EARLIER));
}

static void t_time_decides_last(void)
{
	struct res r;
	/* No TSval, IP ID 0: 60 ms after the gap, RTT 20 ms. */
	run(OPEN "c PA 111 301 len=10 us=30000 id=0\n"
		 "c PA 101 301 len=10 us=90000 id=0\n",
	    &r);
	const struct lab *l = find(&r, 5, LB(RETRANSMISSION), 0);
	CHECK(l != NULL);
	CHECK_EQ(l->reason, RS(AFTER_RTT));
	CHECK_EQ(r.dir[0].label[LB(PREV_NOT_CAPTURED)], 1);
}

static void t_capture_loss_is_not_network_loss(void)
{
	struct res r;
	/* The server acknowledges 121: bytes 111-121 were never captured. */
	run(OPEN "c PA 101 301 len=10\ns A 301 121\nc PA 121 301 len=10\n",
	    &r);
	const struct lab *a = find(&r, 5, LB(ACKED_UNSEEN), 0);
	CHECK(a != NULL);
	CHECK_EQ(a->reason, RS(ACK_BEYOND));
	CHECK_EQ(r.dir[0].acked_unseen_bytes, 10);
	const struct lab *g = find(&r, 6, LB(PREV_NOT_CAPTURED), 0);
	CHECK(g != NULL);
	CHECK_EQ(g->reason, RS(ACKED_HOLE));
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
}

static void t_capture_order_withdraws_acked_unseen(void)
{
	struct res r;
	/* The ACK is recorded first but stamped after the data. */
	run(OPEN "s A 301 111 us=31000\nc PA 101 301 len=10 us=30000\n", &r);
	CHECK(has(&r, 4, LB(ACKED_UNSEEN)));
	const struct lab *w = find(&r, 4, LB(ACKED_UNSEEN), 1);
	CHECK(w != NULL);
	CHECK_EQ(w->old_label, LB(ACKED_UNSEEN));
	CHECK_EQ(w->reason, RS(CAPTURE_ORDER));
	CHECK(!has(&r, 5, LB(OUT_OF_ORDER)));
	CHECK(!has(&r, 5, LB(RETRANSMISSION)));
	CHECK_EQ(r.dir[1].label[LB(ACKED_UNSEEN)], 0);
	CHECK_EQ(r.dir[0].acked_unseen_bytes, 0);
}

static void t_capture_duplicate(void)
{
	struct res r;
	run(OPEN "c PA 101 301 len=10 us=30000 id=77\n"
		 "c PA 101 301 len=10 us=30001 id=77\n"
		 "c PA 101 301 len=10 us=700000 id=78\n",
	    &r);
	const struct lab *d = find(&r, 5, LB(CAPTURE_DUPLICATE), 0);
	CHECK(d != NULL);
	CHECK_EQ(d->reason, RS(SAME_IPID));
	CHECK(!has(&r, 5, LB(RETRANSMISSION)));
	/* A new IP ID later: sent again. */
	CHECK(has(&r, 6, LB(RETRANSMISSION)));
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 1);
	CHECK_EQ(r.dir[0].payload_bytes, 10);
	CHECK_EQ(r.dir[0].wire_bytes, 20);
}

static void t_linux_probe_and_keepalive(void)
{
	struct res r;
	/* Window zero: the Linux probe (seq one below, no data) is a
	 * zero-window probe; once the window is open the same shape is a
	 * keep-alive. Each answer is labelled, neither is a dup ACK. */
	run(OPEN "c PA 101 301 len=10\ns A 301 111 win=0\n"
		 "c A 110 301 us=300000\ns A 301 111 win=0\n"
		 "s A 301 111 win=1000\nc A 110 301 us=9000000\n"
		 "s A 301 111 win=1000\n",
	    &r);
	CHECK(has(&r, 5, LB(ZERO_WINDOW)));
	const struct lab *p = find(&r, 6, LB(ZERO_WINDOW_PROBE), 0);
	CHECK(p != NULL);
	CHECK_EQ(p->reason, RS(LINUX_PROBE));
	CHECK(!has(&r, 6, LB(KEEPALIVE)));
	const struct lab *pa = find(&r, 7, LB(ZERO_WINDOW_PROBE_ACK), 0);
	CHECK(pa != NULL);
	CHECK_EQ(pa->reason, RS(ANSWERS_PROBE));
	CHECK(has(&r, 8, LB(WINDOW_UPDATE)));
	const struct lab *k = find(&r, 9, LB(KEEPALIVE), 0);
	CHECK(k != NULL);
	CHECK_EQ(k->reason, RS(ONE_BELOW));
	CHECK(has(&r, 10, LB(KEEPALIVE_ACK)));
	CHECK_EQ(r.dir[1].label[LB(DUP_ACK)], 0);
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
}

static void t_probe_byte_sent_again_is_no_retransmission(void)
{
	struct res r;
	/* A one-byte probe at the next sequence into a zero window; the
	 * receiver refuses it (ACK stays); after the window opens the byte
	 * goes out again at the head of a full segment. */
	run(OPEN "c PA 101 301 len=10\ns A 301 111 win=0\n"
		 "c PA 111 301 len=1 us=300000\ns A 301 111 win=0\n"
		 "s A 301 111 win=1000\nc PA 111 301 len=100\n"
		 "s A 301 211\n",
	    &r);
	const struct lab *p = find(&r, 6, LB(ZERO_WINDOW_PROBE), 0);
	CHECK(p != NULL);
	CHECK_EQ(p->reason, RS(PROBE));
	CHECK(has(&r, 7, LB(ZERO_WINDOW_PROBE_ACK)));
	CHECK(!has(&r, 9, LB(RETRANSMISSION)));
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[0].payload_bytes, 110);
}

static void t_windows(void)
{
	struct res r;
	run(OPEN "s A 301 101 win=20\nc PA 101 301 len=20\n"
		 "s A 301 121 win=0\ns A 301 121 win=500\n",
	    &r);
	const struct lab *f = find(&r, 5, LB(WINDOW_FULL), 0);
	CHECK(f != NULL);
	CHECK_EQ(f->reason, RS(WINDOW_FILLED));
	CHECK(has(&r, 6, LB(ZERO_WINDOW)));
	const struct lab *u = find(&r, 7, LB(WINDOW_UPDATE), 0);
	CHECK(u != NULL);
	CHECK_EQ(u->reason, RS(WINDOW_CHANGED));
	CHECK_EQ(r.dir[1].win_min, 0);
	CHECK_EQ(r.dir[1].win_max, 65535);
}

static void t_dup_ack_needs_outstanding_data(void)
{
	struct res r;
	/* Everything the client sent is acknowledged: a repeated ACK is no
	 * duplicate ACK (RFC 5681 section 2). */
	run(OPEN "c PA 101 301 len=10\ns A 301 111\ns A 301 111\n", &r);
	CHECK(!has(&r, 6, LB(DUP_ACK)));
	CHECK_EQ(r.dir[1].label[LB(DUP_ACK)], 0);
	/* Nor are repeated ACKs of a zero window. */
	run(OPEN "c PA 101 301 len=10\nc PA 111 301 len=10\n"
		 "s A 301 111 win=0\ns A 301 111 win=0\n",
	    &r);
	CHECK_EQ(r.dir[1].label[LB(DUP_ACK)], 0);
}

static void t_control_retransmissions_apart(void)
{
	struct res r;
	run("c S 100 0 us=0\nc S 100 0 us=1000000\ns SA 300 101\n"
	    "s SA 300 101 us=2000000\nc A 101 301\nc FA 101 301\n"
	    "c FA 101 301 us=3000000\ns FA 301 102\nc A 102 302\n",
	    &r);
	CHECK_EQ(find(&r, 2, LB(SYN_RETRANSMISSION), 0)->reason,
		 RS(SAME_SYN));
	CHECK(has(&r, 4, LB(SYNACK_RETRANSMISSION)));
	CHECK_EQ(find(&r, 7, LB(FIN_RETRANSMISSION), 0)->reason,
		 RS(SAME_FIN));
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[1].label[LB(RETRANSMISSION)], 0);
	/* The SYN-ACK of a simultaneous open repeats the sender's ISN but
	 * resends nothing. */
	run("c S 100 0 us=0\ns S 300 0\nc SA 100 301\ns SA 300 101\n"
	    "c A 101 301\n",
	    &r);
	CHECK_EQ(r.dir[0].label[LB(SYNACK_RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[1].label[LB(SYNACK_RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[0].label[LB(SYN_RETRANSMISSION)], 0);
}

static void t_offload_artefacts(void)
{
	struct res r;
	/* MSS 1000 each way; a 3000-byte segment was put together by the
	 * capturing host (TSO/GRO). Every client segment has a bad
	 * checksum: offload. */
	run("c S 100 0 us=0 mss=1000 bad\ns SA 300 101 mss=1000\n"
	    "c A 101 301 bad\nc PA 101 301 len=3000 bad\n",
	    &r);
	const struct lab *o = find(&r, 4, LB(OVERSIZED_SEGMENT), 0);
	CHECK(o != NULL);
	CHECK_EQ(o->reason, RS(OVER_MSS));
	/* Said once per direction, by the first segment; every one counted. */
	CHECK(find(&r, 1, LB(BAD_CHECKSUM), 0) != NULL);
	CHECK_EQ(find(&r, 1, LB(BAD_CHECKSUM), 0)->reason, RS(OFFLOAD_CSUM));
	CHECK(find(&r, 3, LB(BAD_CHECKSUM), 0) == NULL);
	CHECK(find(&r, 4, LB(BAD_CHECKSUM), 0) == NULL);
	CHECK_EQ(r.dir[0].label[LB(BAD_CHECKSUM)], 3);
	CHECK_EQ(r.dir[1].label[LB(BAD_CHECKSUM)], 0);
	CHECK_EQ(r.dir[0].label[LB(RETRANSMISSION)], 0);
	CHECK_EQ(r.dir[0].label[LB(PREV_NOT_CAPTURED)], 0);
	CHECK_EQ(r.dir[0].payload_bytes, 3000);
}

/* A bad checksum after good ones is not offload: its reason says so, and
 * it too is said once for the direction. */
static void t_bad_checksum_later(void)
{
	struct res r;
	run("c S 100 0 us=0\ns SA 300 101\nc A 101 301\n"
	    "c PA 101 301 len=10 bad\nc PA 111 301 len=10 bad\n",
	    &r);
	CHECK_EQ(find(&r, 4, LB(BAD_CHECKSUM), 0)->reason, RS(CHECKSUM));
	CHECK(find(&r, 5, LB(BAD_CHECKSUM), 0) == NULL);
	CHECK_EQ(r.dir[0].label[LB(BAD_CHECKSUM)], 2);
}

static void t_window_scale_unknown(void)
{
	struct res r;
	/* Mid-stream: no SYN, so the scale is unknown; said once per side,
	 * and a full window is not judged from an unscaled value. */
	run("c PA 101 301 len=10 us=0\ns A 301 111 win=20\n"
	    "c PA 111 301 len=20\ns A 301 131 win=20\n",
	    &r);
	CHECK_EQ(find(&r, 1, LB(WSCALE_UNKNOWN), 0)->reason, RS(NO_WSCALE));
	CHECK(has(&r, 2, LB(WSCALE_UNKNOWN)));
	CHECK_EQ(r.dir[0].label[LB(WSCALE_UNKNOWN)], 1);
	CHECK_EQ(r.dir[1].label[LB(WSCALE_UNKNOWN)], 1);
	CHECK(!has(&r, 3, LB(WINDOW_FULL)));
	CHECK_EQ(r.dir[0].wscale, -1);
}

static void t_rtt_handshake_and_samples(void)
{
	struct res r;
	/* SYN at 0, SYN-ACK at 10 ms, ACK at 12 ms: server leg 10 ms,
	 * client leg 2 ms. Data at 20 ms acknowledged at 30 ms; data at
	 * 40 ms resent at 300 ms and acknowledged at 310 ms (Karn: no
	 * sample); data at 400 ms acknowledged at 420 ms. */
	run("c S 100 0 us=0\ns SA 300 101 us=10000\nc A 101 301 us=12000\n"
	    "c PA 101 301 len=10 us=20000\ns A 301 111 us=30000\n"
	    "c PA 111 301 len=10 us=40000\nc PA 111 301 len=10 us=300000\n"
	    "s A 301 121 us=310000\nc PA 121 301 len=10 us=400000\n"
	    "s A 301 131 us=420000\n",
	    &r);
	CHECK_EQ(r.rtt.to_server, 10000000);
	CHECK_EQ(r.rtt.to_client, 2000000);
	CHECK_EQ(r.rtt.handshake, 12000000);
	CHECK_EQ(r.rtt.samples, 2);
	CHECK_EQ(r.rtt.min, 10000000);
	CHECK_EQ(r.rtt.max, 20000000);
	CHECK_EQ(r.rtt.avg, 15000000);
	CHECK_EQ(r.rtt.stddev, 5000000);
	CHECK_EQ(r.dir[0].max_inflight, 10);
	CHECK_EQ(r.dir[0].max_idle_ns, 260000000);
}

static void t_rtt_by_timestamps(void)
{
	struct res r;
	/* TSecr 7 echoes the TSval of the data sent at 20 ms: 15 ms. */
	run("c S 100 0 us=0 ts=1/0\ns SA 300 101 us=10000 ts=100/1\n"
	    "c A 101 301 us=12000 ts=2/100\n"
	    "c PA 101 301 len=10 us=20000 ts=7/100\n"
	    "s A 301 111 us=35000 ts=101/7\n",
	    &r);
	CHECK_EQ(r.rtt.samples, 1);
	CHECK_EQ(r.rtt.min, 15000000);
}

/* A resend whose first copy was lost before the capture point (issue 11,
 * TC_RS_IPID_RESENT): the client's IP IDs rise by one a packet (explicit
 * id=; the server's are counted), then skip one; the segment goes on
 * where the captured data ended, 300 ms (a timeout) later. Each case: the
 * packet, the label it must get (or NOLB: none of the resend labels),
 * and the direction's resend count. */
#define NOLB TC_LB__COUNT
#define IP_OPEN "c S 100 0 us=0 mss=1000 id=1\n"                              \
		"s SA 300 101 us=10000 mss=1000\n"                          \
		"c A 101 301 us=20000 id=2\n"                                \
		"c PA 101 301 len=10 us=30000 id=3\n"                        \
		"s PA 301 111 len=10 us=40000\n"                             \
		"c A 111 311 us=41000 id=4\n"
struct ipid_case {
	const char *name, *script;
	uint64_t pkt;
	unsigned label;
	uint64_t resent;
};
static const struct ipid_case ipid_cases[] = {
	{ "fin-first-copy-lost", IP_OPEN "c FA 111 311 us=341000 id=6\n",
	  7, LB(FIN_RETRANSMISSION), 1 },
	{ "fin-no-id-skipped", IP_OPEN "c FA 111 311 us=341000 id=5\n",
	  7, NOLB, 0 },
	{ "fin-too-soon", IP_OPEN "c FA 111 311 us=91000 id=6\n", 7, NOLB,
	  0 },
	/* The server sent since: the packet missing may be its ACK. */
	{ "fin-peer-spoke", IP_OPEN "s PA 311 111 len=10 us=50000\n"
				    "c FA 111 321 us=341000 id=6\n",
	  8, NOLB, 0 },
	{ "data-first-copy-lost", IP_OPEN "c PA 111 311 len=10 us=441000 id=6\n",
	  7, LB(RETRANSMISSION), 1 },
	/* Captured where the legs put the client (the server's leg holds
	 * 19 of 20 ms): data is not taken there (a host's offload makes
	 * its IDs skip), */
	{ "data-at-sender",
	  "c S 100 0 us=0 mss=1000 id=1\ns SA 300 101 us=19000 mss=1000\n"
	  "c A 101 301 us=20000 id=2\nc PA 101 301 len=10 us=30000 id=3\n"
	  "s PA 301 111 len=10 us=40000\nc A 111 311 us=41000 id=4\n"
	  "c PA 111 311 len=10 us=441000 id=6\n",
	  7, NOLB, 0 },
	/* a FIN alone is: no offload touches it, and its first copy was
	 * lost before a point that is near the client only in time (a
	 * forwarder's delay after it), or missing from the capture. */
	{ "fin-at-sender",
	  "c S 100 0 us=0 mss=1000 id=1\ns SA 300 101 us=19000 mss=1000\n"
	  "c A 101 301 us=20000 id=2\nc PA 101 301 len=10 us=30000 id=3\n"
	  "s PA 301 111 len=10 us=40000\nc A 111 311 us=41000 id=4\n"
	  "c FA 111 311 us=341000 id=6\n",
	  7, LB(FIN_RETRANSMISSION), 1 },
	/* The client's IDs skipped before (a counter other sockets share
	 * skips at random): only a first skip counts. */
	{ "fin-ids-skipped-before",
	  "c S 100 0 us=0 mss=1000 id=1\ns SA 300 101 us=10000 mss=1000\n"
	  "c A 101 301 us=20000 id=2\nc PA 101 301 len=10 us=30000 id=3\n"
	  "s PA 301 111 len=10 us=40000\nc A 111 311 us=41000 id=5\n"
	  "c A 111 311 us=42000 id=6\nc A 111 311 us=43000 id=7\n"
	  "c FA 111 311 us=343000 id=9\n",
	  9, NOLB, 0 },
	/* The server acknowledged bytes the capture never saw: they
	 * arrived, the capture lost them; what follows is new. */
	{ "data-capture-lost", IP_OPEN "s A 311 121 us=50000\n"
				       "c PA 121 311 len=10 us=441000 id=6\n",
	  8, NOLB, 0 },
};

static void t_ipid_resent(void)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof ipid_cases / sizeof *ipid_cases; i++) {
		const struct ipid_case *k = &ipid_cases[i];
		struct res r;
		run(k->script, &r);
		const uint64_t *n = r.dir[0].label;
		uint64_t resent = n[LB(RETRANSMISSION)] +
				  n[LB(FAST_RETRANSMISSION)] +
				  n[LB(SPURIOUS_RETRANSMISSION)] +
				  n[LB(FIN_RETRANSMISSION)];
		const struct lab *l =
		    k->label == NOLB ? NULL : find(&r, k->pkt, k->label, 0);
		int ok = resent == k->resent &&
			 (k->label == NOLB || (l && l->reason == RS(IPID_RESENT)));
		if (!ok) {
			printf("  %s: resent %llu (want %llu), label %s\n",
			       k->name, (unsigned long long)resent,
			       (unsigned long long)k->resent,
			       l ? "found" : "missing");
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

static const struct unit_test tests[] = {
    UNIT(t_ipid_resent),
	UNIT(t_retransmission_seen_bytes),
	UNIT(t_fast_retransmission_and_dup_ack_numbers),
	UNIT(t_spurious_by_ack_and_by_dsack),
	UNIT(t_spurious_by_eifel),
	UNIT(t_reordering_revises_the_gap),
	UNIT(t_tsval_decides_late_or_resent),
	UNIT(t_reordering_is_no_retransmission),
	UNIT(t_ip_id_decides_without_rtt),
	UNIT(t_time_decides_last),
	UNIT(t_capture_loss_is_not_network_loss),
	UNIT(t_capture_order_withdraws_acked_unseen),
	UNIT(t_capture_duplicate),
	UNIT(t_linux_probe_and_keepalive),
	UNIT(t_probe_byte_sent_again_is_no_retransmission),
	UNIT(t_windows),
	UNIT(t_dup_ack_needs_outstanding_data),
	UNIT(t_control_retransmissions_apart),
	UNIT(t_offload_artefacts),
	UNIT(t_bad_checksum_later),
	UNIT(t_window_scale_unknown),
	UNIT(t_rtt_handshake_and_samples),
	UNIT(t_rtt_by_timestamps),
	{ 0, 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
