/*
 * test_tcpcore.c - scenario tests of the tracker, table driven.
 *
 * A scenario is a compact segment script, one segment a line:
 *
 *     c S 100 0            client -> server, SYN, seq 100, ack 0
 *     s SA 300 101 win=0   server -> client, SYN-ACK, window 0
 *     c PA 101 301 len=10 t=2000
 *
 * (the syntax is segscript.h's, shared with test_analysis.c; here without
 * automatic IP IDs and payload hashes). run() feeds it, drains every event and keeps, per connection, each
 * side's path ("CLOSED>SYN-SENT>ESTABLISHED"), close, handshake,
 * conn_state and history as they were at TC_EV_CLOSE. The table scen[]
 * gives the expected values; further tests check labels, invariants
 * (duplicated segments, swapped concurrent segments), eviction, timers,
 * reuse, OOM and the rule table, whose rows must all fire somewhere.
 */
#include <stdlib.h>

#include "../tcpcore/tcpcore.h"
#include "segscript.h"
#include "unit.h"

#define MAXC 8

struct result {
	uint64_t id;
	char path[2][256];
	uint8_t state[2];
	char close[16], hs[24], cs[8], hist[48];
	uint8_t evicted, midstream, data_on_syn;
	uint16_t port[2];
	struct tc_dir_stats dir[2];
	struct tc_rtt rtt;
};

struct run {
	struct result r[MAXC];
	int n;
	struct tc_stats st;
	uint64_t seg_labels; /* union of TC_EV_SEGMENT label bits */
	int nseg_events, nopen;
};

static int rule_fired[64]; /* coverage of tc_rules[] across all tests */

static void path_of(const struct tc_conn *c, int side, char *out, size_t n)
{
	int first = -1;
	for (size_t i = 0; i < c->ntransitions; i++)
		if (c->transitions[i].side == side) {
			first = (int)i;
			break;
		}
	size_t len = (size_t)snprintf(out, n, "%s",
				      tc_state_name(first < 0
							    ? c->state[side]
							    : c->transitions[first].from));
	for (size_t i = 0; i < c->ntransitions && len < n; i++)
		if (c->transitions[i].side == side)
			len += (size_t)snprintf(out + len, n - len, ">%s",
						tc_state_name(c->transitions[i].to));
}

static void take(struct run *rn, const struct tc_event *ev)
{
	switch (ev->type) {
	case TC_EV_SEGMENT:
		rn->seg_labels |= ev->labels;
		rn->nseg_events++;
		break;
	case TC_EV_OPEN:
		rn->nopen++;
		break;
	case TC_EV_TRANSITION:
		if (ev->tr.rule < 64)
			rule_fired[ev->tr.rule] = 1;
		break;
	case TC_EV_CLOSE:
		if (rn->n < MAXC) {
			const struct tc_conn *c = ev->conn;
			struct result *r = &rn->r[rn->n++];
			r->id = c->id;
			for (int s = 0; s < 2; s++)
				path_of(c, s, r->path[s], sizeof(r->path[s]));
			memcpy(r->state, c->state, 2);
			snprintf(r->close, sizeof(r->close), "%s",
				 tc_close_name(c->close));
			snprintf(r->hs, sizeof(r->hs), "%s",
				 tc_handshake_name(c->handshake));
			snprintf(r->cs, sizeof(r->cs), "%s", c->conn_state);
			snprintf(r->hist, sizeof(r->hist), "%s", c->history);
			r->evicted = c->evicted;
			r->midstream = c->midstream;
			r->data_on_syn = c->data_on_syn;
			r->port[0] = c->port[0];
			r->port[1] = c->port[1];
			memcpy(r->dir, c->dir, sizeof(r->dir));
			r->rtt = c->rtt;
		}
		break;
	default:
		break;
	}
}

/* Feeds script (each segment `times` times) with config cfg (NULL for the
 * defaults) into a fresh tracker; fills *rn. */
static void run_cfg(const char *script, const struct tc_config *cfg,
		    int times, struct run *rn)
{
	struct tc_config def;
	tc_config_default(&def);
	if (!cfg)
		cfg = &def;
	memset(rn, 0, sizeof(*rn));
	struct tc_tracker *tr = tc_tracker_new(cfg);
	if (!tr)
		abort();
	struct seg_clock clk;
	seg_clock_init(&clk, 0);
	uint64_t pkt = 0;
	const char *p = script;
	struct tc_event ev;
	char line[200];
	while (seg_next_line(&p, line, sizeof(line))) {
		struct tc_segment s;
		if (!seg_parse(line, &s, &clk))
			continue;
		for (int k = 0; k < times; k++) {
			s.pkt = ++pkt;
			if (tc_feed(tr, &s) != 0)
				abort();
			while (tc_next_event(tr, &ev))
				take(rn, &ev);
		}
	}
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		take(rn, &ev);
	tc_stats_get(tr, &rn->st);
	tc_tracker_free(tr);
}

static void run(const char *script, struct run *rn)
{
	run_cfg(script, NULL, 1, rn);
}

/* ---- The scenario table ------------------------------------------------ */

#define OPEN3 "c S 100 0\ns SA 300 101\nc A 101 301\n"
#define CLI_FULL "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT"
#define SRV_PASSIVE "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED"

struct scenario {
	const char *name;
	const char *script;
	const char *client, *server; /* expected paths of connection 1 */
	const char *close, *hs, *cs, *hist; /* NULL: not checked */
};

static const struct scenario scen[] = {
	{ "client-closes",
	  OPEN3 "c PA 101 301 len=10\ns A 301 111\nc FA 111 301\n"
		"s A 301 112\ns FA 301 112\nc A 112 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", "ShADaFf" },
	{ "server-closes",
	  OPEN3 "s FA 301 101\nc A 101 302\nc FA 101 302\ns A 302 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	  "fin", "3way", "SF", "ShAfFa" },
	{ "fin-ack-acks-peer-fin",
	  OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", "ShAFf" },
	{ "simultaneous-open",
	  "c S 100 0\ns S 300 0\nc SA 100 301\ns SA 300 101\nc A 101 301\n",
	  "CLOSED>SYN-SENT>SYN-RECEIVED>ESTABLISHED",
	  "CLOSED>SYN-SENT>SYN-RECEIVED>ESTABLISHED", "open",
	  "simultaneous-open", "S1", "SsA" },
	{ "simultaneous-close",
	  OPEN3 "c FA 101 301\ns FA 301 101\nc A 102 302\ns A 302 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT",
	  "fin", "3way", "SF", "ShAFfa" },
	{ "simultaneous-close-acks-swapped",
	  OPEN3 "c FA 101 301\ns FA 301 101\ns A 302 102\nc A 102 302\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT",
	  "fin", "3way", "SF", NULL },
	{ "half-close-data-from-close-wait",
	  OPEN3 "c FA 101 301\ns A 301 102\ns PA 301 102 len=100\n"
		"c A 102 401\ns PA 401 102 len=100\nc A 102 501\n"
		"s FA 501 102\nc A 102 502\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", "ShAFadf" },
	{ "syn-synack-fin-retransmissions",
	  "c S 100 0\nc S 100 0 t=1000\ns SA 300 101 t=1010\n"
	  "s SA 300 101 t=2010\nc A 101 301 t=2020\nc FA 101 301\n"
	  "c FA 101 301 t=2300\ns FA 301 102\nc A 102 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", "ShAFf" },
	{ "refused",
	  "c S 100 0\ns RA 0 101\n",
	  "CLOSED>SYN-SENT>CLOSED", "CLOSED", "refused", "refused", "REJ",
	  "Sr" },
	{ "refused-after-retries",
	  "c S 100 0\nc S 100 0 t=1000\ns RA 0 101\n",
	  "CLOSED>SYN-SENT>CLOSED", "CLOSED", "refused", "refused", "REJ",
	  "Sr" },
	{ "unanswered-syns",
	  "c S 100 0\nc S 100 0 t=1000\nc S 100 0 t=3000\n",
	  "CLOSED>SYN-SENT", "LISTEN", "unanswered", "syn-only", "S0", "S" },
	{ "syn-then-rst-from-client",
	  "c S 100 0\nc R 101 0\n",
	  "CLOSED>SYN-SENT>CLOSED", "LISTEN", "reset", "syn-only", "RSTOS0",
	  "SR" },
	{ "rst-established-client",
	  OPEN3 "c RA 101 301\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", "RSTO",
	  "ShAR" },
	{ "rst-established-server",
	  OPEN3 "c PA 101 301 len=5\ns RA 301 106\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", "RSTR",
	  "ShADr" },
	{ "rst-syn-received",
	  "c S 100 0\ns SA 300 101\nc R 101 0\n",
	  "CLOSED>SYN-SENT>CLOSED", "LISTEN>SYN-RECEIVED>LISTEN", "reset",
	  "3way", "RSTO", "ShR" },
	{ "rst-close-wait-fin-wait-2",
	  OPEN3 "c FA 101 301\ns A 301 102\ns RA 301 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>CLOSED", "reset",
	  "3way", "RSTR", "ShAFar" },
	{ "rst-fin-wait-1",
	  OPEN3 "c FA 101 301\ns RA 301 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", "RSTR",
	  "ShAFr" },
	{ "rst-last-ack",
	  OPEN3 "c FA 101 301\ns FA 301 102\ns R 302 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	  "reset", "3way", "SF", "ShAFfr" },
	{ "rst-time-wait-closing",
	  OPEN3 "c FA 101 301\ns FA 301 101\nc A 102 302\ns R 302 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT>CLOSED",
	  "reset", "3way", NULL, NULL },
	{ "rst-out-of-window",
	  "c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	  "s R 100000 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", "RSTR", "ShAr" },
	{ "rst-in-window-not-exact",
	  "c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	  "s R 500 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", NULL, NULL },
	{ "rst-not-exact-then-exact", /* RFC 5961 3.2 challenge ACK */
	  "c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	  "s R 500 0\nc A 101 301\ns R 301 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", NULL,
	  NULL },
	{ "rst-not-exact-then-fin",
	  "c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	  "s R 500 0\nc A 101 301\nc PA 101 301 len=10\ns PA 301 111 len=5\n"
	  "c FA 111 306\ns A 306 112\ns FA 306 112\nc A 112 307\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", NULL, NULL },
	{ "rst-without-ack-in-syn-sent",
	  "c S 100 0\ns R 0 0\n",
	  "CLOSED>SYN-SENT", "LISTEN", "unanswered", "syn-only", NULL, NULL },
	{ "rst-bad-ack-in-syn-sent",
	  "c S 100 0\ns RA 0 555\n",
	  "CLOSED>SYN-SENT", "LISTEN", "unanswered", "syn-only", NULL, NULL },
	{ "tfo-data-acked",
	  "c S 100 0 len=20 tfo\ns SA 300 121\nc A 121 301\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "tfo", "S1", NULL },
	{ "tfo-data-not-acked", /* TFO refused: the data comes again */
	  "c S 100 0 len=20 tfo\ns SA 300 101\nc PA 101 301 len=20\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", "S1", NULL },
	{ "tfo-cookie-without-data",
	  "c S 100 0 tfo\ns SA 300 101\nc A 101 301\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", "S1", NULL },
	{ "tfo-refused-server-data-after-ack-lost",
	  "c S 100 0 len=20 tfo\ns SA 300 101\ns PA 301 121 len=50\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", NULL, NULL },
	{ "wrap-around",
	  "c S 4294967290 0\ns SA 4294967295 4294967291\n"
	  "c A 4294967291 0\nc PA 4294967291 0 len=10\ns A 0 5\n"
	  "c FA 5 0\ns FA 0 6\nc A 6 1\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", "ShADaFf" },
	{ "ack-captured-before-data",
	  OPEN3 "s A 301 111\nc PA 101 301 len=10\nc FA 111 301\n"
		"s FA 301 112\nc A 112 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", NULL },
	{ "ack-captured-before-fin",
	  OPEN3 "s A 301 102\nc FA 101 301\ns FA 301 102\nc A 102 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", NULL },
	{ "synack-captured-after-ack",
	  "c S 100 0\nc A 101 301\ns SA 300 101\nc PA 101 301 len=4\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", NULL, NULL },
	{ "one-sided-client-only",
	  "c S 100 0\nc A 101 301\nc PA 101 301 len=10\nc FA 111 301\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED", "open", "3way", "SH", NULL },
	{ "one-sided-server-only",
	  "s SA 300 101\ns PA 301 101 len=10\ns A 311 121\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "none", NULL, NULL },
	{ "one-sided-server-acks-later-data",
	  "c S 100 0\ns SA 300 101\ns A 301 121\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "3way", NULL, NULL },
	{ "tfo-server-data-before-ack",
	  "c S 100 0 len=20 tfo\ns SA 300 121\ns PA 301 121 len=50\n"
	  "c A 121 351\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "tfo", NULL, NULL },
	{ "final-ack-missing",
	  OPEN3 "c FA 101 301\ns FA 301 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK", "fin",
	  "3way", "SF", "ShAFf" },
	{ "midstream",
	  "c PA 1000 5000 len=100\ns A 5000 1100\ns PA 5000 1100 len=50\n"
	  "c A 1100 5050\n",
	  "ESTABLISHED", "ESTABLISHED", "open", "none", "OTH", "DadA" },
	{ "midstream-server-first",
	  "s PA 5000 1000 len=50\nc A 1000 5050\n",
	  "ESTABLISHED", "ESTABLISHED", "open", "none", "OTH", "^dA" },
	{ "midstream-from-syn-ack",
	  "s SA 300 101\nc A 101 301\nc PA 101 301 len=3\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "open", "none", "S1", "^hAD" },
	{ "synack-captured-before-syn",
	  "s SA 300 101\nc S 100 0\nc A 101 301\ns A 301 111\n"
	  "c PA 101 301 len=10\nc FA 111 301\ns FA 301 112\nc A 112 302\n",
	  CLI_FULL, SRV_PASSIVE, "fin", "3way", "SF", NULL },
	{ "midclose-pickup",
	  "s FA 5000 1000\nc A 1000 5001\nc FA 1000 5001\ns A 5001 1001\n",
	  "ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	  "ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT", "fin", "none", "SF",
	  "^fAFa" },
	{ "fin-before-handshake-done",
	  "c S 100 0\ns SA 300 101\ns FA 301 101\nc A 101 302\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT",
	  "LISTEN>SYN-RECEIVED>FIN-WAIT-1>FIN-WAIT-2", "open", "3way", NULL,
	  NULL },
	{ "fin-ack-completes-handshake",
	  "c S 100 0\ns SA 300 101\nc FA 101 301\ns A 301 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT", "open", "3way", NULL,
	  NULL },
};

static int check_scenario(const struct scenario *sc)
{
	struct run rn;
	run(sc->script, &rn);
	const struct result *r = &rn.r[0];
	int ok = rn.n >= 1;
	if (ok && strcmp(r->path[0], sc->client) != 0)
		ok = 0;
	if (ok && strcmp(r->path[1], sc->server) != 0)
		ok = 0;
	if (ok && sc->close && strcmp(r->close, sc->close) != 0)
		ok = 0;
	if (ok && sc->hs && strcmp(r->hs, sc->hs) != 0)
		ok = 0;
	if (ok && sc->cs && strcmp(r->cs, sc->cs) != 0)
		ok = 0;
	if (ok && sc->hist && strcmp(r->hist, sc->hist) != 0)
		ok = 0;
	if (!ok)
		printf("FAIL scenario-%s: n=%d client %s | server %s | close %s"
		       " | %s | %s | %s\n",
		       sc->name, rn.n, rn.n ? r->path[0] : "-",
		       rn.n ? r->path[1] : "-", rn.n ? r->close : "-",
		       rn.n ? r->hs : "-", rn.n ? r->cs : "-",
		       rn.n ? r->hist : "-");
	else
		printf("PASS scenario-%s\n", sc->name);
	return ok;
}

static void t_scenarios(void)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(scen) / sizeof(scen[0]); i++)
		bad += !check_scenario(&scen[i]);
	CHECK_EQ(bad, 0);
}

/* ---- Labels and figures ------------------------------------------------- */

#define LB(x) ((uint64_t)1 << TC_LB_##x)

static void t_retransmission_labels(void)
{
	struct run rn;
	run("c S 100 0\nc S 100 0\ns SA 300 101\ns SA 300 101\nc A 101 301\n"
	    "c PA 101 301 len=10\nc PA 101 301 len=10\nc FA 111 301\n"
	    "c FA 111 301\ns FA 301 112\nc A 112 302\n",
	    &rn);
	CHECK_EQ(rn.n, 1);
	const struct tc_dir_stats *c = &rn.r[0].dir[0], *s = &rn.r[0].dir[1];
	CHECK_EQ(c->label[TC_LB_SYN_RETRANSMISSION], 1);
	CHECK_EQ(s->label[TC_LB_SYNACK_RETRANSMISSION], 1);
	CHECK_EQ(c->label[TC_LB_RETRANSMISSION], 1);
	CHECK_EQ(c->label[TC_LB_FIN_RETRANSMISSION], 1);
	CHECK_EQ(c->payload_bytes, 10);
	CHECK_EQ(c->wire_bytes, 20);
	CHECK_EQ(c->packets, 8);
	CHECK_EQ(s->packets, 3);
	CHECK_STR(rn.r[0].hist, "ShADTFf");
}

static void t_out_of_order_and_gap(void)
{
	struct run rn;
	run(OPEN3 "c PA 111 301 len=10\nc PA 101 301 len=10\n"
		  "s A 301 121\n",
	    &rn);
	const struct tc_dir_stats *c = &rn.r[0].dir[0];
	/* The gap was filled a millisecond later by the late original: the
	 * gap label is revised away (reordering, not loss). */
	CHECK_EQ(c->label[TC_LB_PREV_NOT_CAPTURED], 0);
	CHECK_EQ(c->label[TC_LB_OUT_OF_ORDER], 1);
	CHECK_EQ(c->label[TC_LB_RETRANSMISSION], 0);
	CHECK_EQ(c->payload_bytes, 20);
}

static void t_dup_ack_fast_retransmission(void)
{
	struct run rn;
	run(OPEN3 "c PA 101 301 len=10\nc PA 111 301 len=10\n"
		  "c PA 121 301 len=10\ns A 301 111\ns A 301 111\n"
		  "s A 301 111\nc PA 111 301 len=10\n",
	    &rn);
	const struct tc_dir_stats *c = &rn.r[0].dir[0], *s = &rn.r[0].dir[1];
	CHECK_EQ(s->label[TC_LB_DUP_ACK], 2);
	CHECK_EQ(c->label[TC_LB_FAST_RETRANSMISSION], 1);
}

static void t_zero_window_keepalive_update(void)
{
	struct run rn;
	run(OPEN3 "c PA 101 301 len=10\ns A 301 111 win=0\n"
		  "s A 301 111 win=500\nc A 110 301\nc A 110 301 len=1\n",
	    &rn);
	const struct tc_dir_stats *c = &rn.r[0].dir[0], *s = &rn.r[0].dir[1];
	CHECK_EQ(s->label[TC_LB_ZERO_WINDOW], 1);
	CHECK_EQ(s->label[TC_LB_WINDOW_UPDATE], 1);
	CHECK_EQ(c->label[TC_LB_KEEPALIVE], 2);
	CHECK(strchr(rn.r[0].hist, 'w') != NULL);
	/* A probe into a zero window; a segment filling the window. */
	run(OPEN3 "s A 301 101 win=0\nc PA 101 301 len=1\n"
		  "s A 301 102 win=10\nc PA 102 301 len=10\n",
	    &rn);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_ZERO_WINDOW_PROBE], 1);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_WINDOW_FULL], 1);
}

static void t_data_after_fin_and_rst(void)
{
	struct run rn;
	run(OPEN3 "c FA 101 301\nc PA 102 301 len=10\n", &rn);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_DATA_AFTER_FIN], 1);
	CHECK(rn.seg_labels & LB(DATA_AFTER_FIN));
	run(OPEN3 "c RA 101 301\ns PA 301 101 len=10\n", &rn);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_DATA_AFTER_RST], 1);
	run(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n"
		  "s A 302 102\n",
	    &rn);
	/* The server is CLOSED and speaks again. */
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_SEGMENT_AFTER_CLOSE], 1);
}

static void t_rst_labels(void)
{
	struct run rn;
	run("c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	    "s R 100000 0\n",
	    &rn);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_RST_OUT_OF_WINDOW], 1);
	run("c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	    "s R 500 0\n",
	    &rn);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_RST_CHALLENGE], 1);
	run("c S 100 0\ns R 0 0\n", &rn);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_RST_OUT_OF_WINDOW], 1);
	/* RFC 5961: the peer's challenge ACK draws a RST at RCV.NXT, which
	 * closes the receiver too. */
	run("c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	    "s R 500 0\nc A 101 301\ns R 301 0\n",
	    &rn);
	CHECK_STR(rn.r[0].path[0], "CLOSED>SYN-SENT>ESTABLISHED>CLOSED");
}

static void t_tfo_and_rtt(void)
{
	struct run rn;
	run("c S 100 0 len=20 tfo ws=7\ns SA 300 121 t=10 ws=8\n"
	    "c A 121 301 t=30\n",
	    &rn);
	CHECK_EQ(rn.r[0].data_on_syn, 1);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_DATA_ON_SYN], 1);
	CHECK_EQ(rn.r[0].dir[0].payload_bytes, 20);
	CHECK_EQ(rn.r[0].rtt.to_server, 9000000);
	CHECK_EQ(rn.r[0].rtt.to_client, 20000000);
	CHECK_EQ(rn.r[0].rtt.handshake, 29000000);
	CHECK_EQ(rn.r[0].dir[0].wscale, 7);
	CHECK_EQ(rn.r[0].dir[1].wscale, 8);
	run("c S 100 0 ws=7\ns SA 300 101\nc A 101 301\n", &rn);
	CHECK_EQ(rn.r[0].dir[0].wscale, 0); /* not negotiated */
	CHECK_EQ(rn.r[0].dir[1].wscale, 0);
	run("c PA 1 1 len=1\n", &rn);
	CHECK_EQ(rn.r[0].dir[0].wscale, -1);
	CHECK_EQ(rn.r[0].rtt.handshake, -1);
}

/* Zeek's logarithmic repeat rule for t/T and w/W. */
static void t_history_scaled(void)
{
	char script[2048] = OPEN3 "c PA 101 301 len=10\n";
	for (int i = 0; i < 10; i++)
		strcat(script, "c PA 101 301 len=10\n");
	struct run rn;
	run(script, &rn);
	CHECK_STR(rn.r[0].hist, "ShADTT");
	char s9[2048] = OPEN3 "c PA 101 301 len=10\n";
	for (int i = 0; i < 9; i++)
		strcat(s9, "c PA 101 301 len=10\n");
	run(s9, &rn);
	CHECK_STR(rn.r[0].hist, "ShADT");
	run(OPEN3 "s A 301 101 win=0\n", &rn);
	CHECK_STR(rn.r[0].hist, "ShAaw");
}

/* ---- Identity, reuse, eviction, timers ---------------------------------- */

static void t_port_reuse(void)
{
	struct run rn;
	run(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n"
		  "c S 9000 0\ns SA 7000 9001\nc A 9001 7001\n",
	    &rn);
	CHECK_EQ(rn.n, 2);
	CHECK_EQ(rn.st.reused, 1);
	CHECK_STR(rn.r[0].path[0], CLI_FULL);
	CHECK_STR(rn.r[1].path[0], "CLOSED>SYN-SENT>ESTABLISHED");
	CHECK_STR(rn.r[1].path[1], "LISTEN>SYN-RECEIVED>ESTABLISHED");
	CHECK(rn.r[0].id != rn.r[1].id);
	/* The same ISN again is a retransmission, not a new connection. */
	run("c S 100 0\nc S 100 0\nc S 100 0\n", &rn);
	CHECK_EQ(rn.n, 1);
	/* After both sides closed, even the old ISN starts a new one (a
	 * capture replayed twice). */
	run(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n"
		  "c S 100 0\ns SA 300 101\n",
	    &rn);
	CHECK_EQ(rn.n, 2);
	/* A reset connection reused by a new SYN. */
	run(OPEN3 "c RA 101 301\nc S 5000 0\ns SA 6000 5001\n", &rn);
	CHECK_EQ(rn.n, 2);
	CHECK_STR(rn.r[0].close, "reset");
}

static void t_eviction(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.max_conns = 2;
	struct run rn;
	/* Three distinct connections (the third differs by VLAN): the
	 * least recently used, connection 1, is evicted. */
	run_cfg("c S 100 0\nC S 200 0\nc S 300 0 vlan=5\n", &cfg, 1, &rn);
	CHECK_EQ(rn.st.evicted, 1);
	CHECK_EQ(rn.n, 3);
	CHECK_EQ(rn.r[0].evicted, 1);
	CHECK_EQ(rn.r[0].id, 1);
	CHECK_EQ(rn.st.conns, 3);
}

static void t_vlan_identity(void)
{
	struct run rn;
	run("c S 100 0 vlan=1\nc S 100 0 vlan=2\n", &rn);
	CHECK_EQ(rn.n, 2);
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.ignore_vlan = 1;
	run_cfg("c S 100 0 vlan=1\nc S 100 0 vlan=2\n", &cfg, 1, &rn);
	CHECK_EQ(rn.n, 1);
	/* Asymmetric tagging: the server's direction arrives untagged. */
	run("c S 100 0 vlan=7\ns SA 300 101\nc A 101 301 vlan=7\n"
	    "s PA 301 101 len=5\nc A 101 306 vlan=7\n", &rn);
	CHECK_EQ(rn.n, 1);
	CHECK_EQ(rn.r[0].dir[1].packets, 2);
	CHECK_STR(rn.r[0].path[1], "LISTEN>SYN-RECEIVED>ESTABLISHED");
	/* Tagged and untagged connections that each show both directions
	 * stay apart. */
	run("c S 100 0\ns SA 300 101\nc S 100 0 vlan=7\n"
	    "s SA 300 101 vlan=7\n",
	    &rn);
	CHECK_EQ(rn.n, 2);
}

static void t_idle_timeout(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.idle_timeout_ns = 1000000000LL;
	struct run rn;
	run_cfg(OPEN3 "C S 500 0 t=5000\n", &cfg, 1, &rn);
	CHECK_EQ(rn.n, 2);
	CHECK_STR(rn.r[0].close, "timeout");
	CHECK_EQ(rn.st.timed_out, 1);
}

static void t_time_wait_expiry(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.msl_ns = 1000000000LL; /* 2*MSL = 2 s */
	struct run rn;
	/* The capture ends right away: TIME-WAIT is the final state. */
	run_cfg(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n", &cfg, 1,
		&rn);
	CHECK_STR(rn.r[0].path[0], CLI_FULL);
	/* A later segment (another connection) lets 2*MSL pass. */
	run_cfg(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n"
		      "C S 9 0 t=10000\n",
		&cfg, 1, &rn);
	CHECK_STR(rn.r[0].path[0], CLI_FULL ">CLOSED");
	CHECK_STR(rn.r[0].close, "fin");
	/* Not long enough. */
	run_cfg(OPEN3 "c FA 101 301\ns FA 301 102\nc A 102 302\n"
		      "C S 9 0 t=1000\n",
		&cfg, 1, &rn);
	CHECK_STR(rn.r[0].path[0], CLI_FULL);
}

/* ---- Invariants --------------------------------------------------------- */

/* Feeding every segment twice leaves the final states and close alone. */
static void t_duplicates_invariant(void)
{
	for (size_t i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		struct run a, b;
		run_cfg(scen[i].script, NULL, 1, &a);
		run_cfg(scen[i].script, NULL, 2, &b);
		if (a.n != b.n || a.r[0].state[0] != b.r[0].state[0] ||
		    a.r[0].state[1] != b.r[0].state[1] ||
		    strcmp(a.r[0].close, b.r[0].close) != 0) {
			printf("FAIL t_duplicates_invariant: %s: %s/%s vs "
			       "%s/%s\n",
			       scen[i].name, a.r[0].path[0], a.r[0].path[1],
			       b.r[0].path[0], b.r[0].path[1]);
			unit_failed_ = 1;
			return;
		}
	}
}

/* Concurrent segments in either order: the crossing FINs of a
 * simultaneous close, and the client's data vs the server's FIN. */
static void t_swap_invariant(void)
{
	struct run a, b;
	run(OPEN3 "c FA 101 301\ns FA 301 101\nc A 102 302\ns A 302 102\n",
	    &a);
	run(OPEN3 "s FA 301 101\nc FA 101 301\nc A 102 302\ns A 302 102\n",
	    &b);
	CHECK_EQ(a.r[0].state[0], b.r[0].state[0]);
	CHECK_EQ(a.r[0].state[1], b.r[0].state[1]);
	CHECK_EQ(a.r[0].state[0], TC_ST_TIME_WAIT);
	CHECK_EQ(a.r[0].state[1], TC_ST_TIME_WAIT);
	run(OPEN3 "c PA 101 301 len=5\ns FA 301 101\nc A 106 302\n"
		  "c FA 106 302\ns A 302 107\n",
	    &a);
	run(OPEN3 "s FA 301 101\nc PA 101 301 len=5\nc A 106 302\n"
		  "c FA 106 302\ns A 302 107\n",
	    &b);
	CHECK_EQ(a.r[0].state[0], b.r[0].state[0]);
	CHECK_EQ(a.r[0].state[1], b.r[0].state[1]);
	CHECK_EQ(a.r[0].state[1], TC_ST_TIME_WAIT);
}

/* RST validation across the 2^32 wrap. */
static void t_wrap_rst(void)
{
	struct run rn;
	/* RST exactly at RCV.NXT across the wrap. */
	run("c S 4294967290 0\ns SA 4294967295 4294967291\n"
	    "c A 4294967291 0\nc PA 4294967291 0 len=10\ns R 0 0\n",
	    &rn);
	CHECK_STR(rn.r[0].path[0], "CLOSED>SYN-SENT>ESTABLISHED>CLOSED");
	CHECK_STR(rn.r[0].close, "reset");
}

/* ---- API edges ---------------------------------------------------------- */

/* The three golden fixes: RFC 5961 challenge, capture order, TFO refused. */
static void t_challenge_order_tfo(void)
{
	struct run rn;
	/* A not-exact RST is only labelled: no reset, later data is no
	 * data-after-rst, the connection closes with FINs. */
	run("c S 100 0\ns SA 300 101 win=1000\nc A 101 301 win=1000\n"
	    "s R 500 0\nc A 101 301\nc PA 101 301 len=10\ns PA 301 111 len=5\n"
	    "c FA 111 306\ns A 306 112\ns FA 306 112\nc A 112 307\n",
	    &rn);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_RST_CHALLENGE], 1);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_DATA_AFTER_RST], 0);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_DATA_AFTER_RST], 0);
	CHECK_EQ(rn.r[0].dir[1].label[TC_LB_SEGMENT_AFTER_CLOSE], 0);
	CHECK_STR(rn.r[0].close, "fin");
	/* SYN-ACK recorded before the SYN: CLOSED>SYN-SENT on the SYN-ACK,
	 * the late SYN is no retransmission and the pickup not mid-stream. */
	run("s SA 300 101\nc S 100 0\nc A 101 301\n", &rn);
	CHECK_STR(rn.r[0].path[0], "CLOSED>SYN-SENT>ESTABLISHED");
	CHECK_EQ(rn.r[0].midstream, 0);
	CHECK_STR(rn.r[0].hs, "3way");
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_SYN_RETRANSMISSION], 0);
	CHECK_EQ(rn.nopen, 1);
	/* The SYN never comes: mid-stream, handshake none. */
	run("s SA 300 101\nc A 101 301\n", &rn);
	CHECK_EQ(rn.r[0].midstream, 1);
	CHECK_STR(rn.r[0].hs, "none");
	/* A SYN with another ISN is not the implied one. */
	run("s SA 300 101\nc S 700 0\nc A 101 301\n", &rn);
	CHECK_EQ(rn.r[0].midstream, 1);
	/* Late TFO SYNs: data acknowledged by the SYN-ACK, or not. */
	run("s SA 300 121\nc S 100 0 len=20 tfo\nc A 121 301\n", &rn);
	CHECK_EQ(rn.r[0].midstream, 0);
	CHECK_STR(rn.r[0].hs, "tfo");
	CHECK_EQ(rn.r[0].data_on_syn, 1);
	run("s SA 300 101\nc S 100 0 len=20 tfo\nc A 101 301\n", &rn);
	CHECK_EQ(rn.r[0].midstream, 0);
	CHECK_STR(rn.r[0].hs, "3way");
	CHECK_EQ(rn.r[0].data_on_syn, 1);
	/* TFO refused: 3way, data on the SYN, the resent data a
	 * retransmission. */
	run("c S 100 0 len=20 tfo\ns SA 300 101\nc A 101 301\n"
	    "c PA 101 301 len=20\n",
	    &rn);
	CHECK_STR(rn.r[0].hs, "3way");
	CHECK_EQ(rn.r[0].data_on_syn, 1);
	CHECK_EQ(rn.r[0].dir[0].label[TC_LB_RETRANSMISSION], 1);
	/* The data-less retransmitted SYN of a TFO client: still refused. */
	run("c S 100 0 len=20 tfo\nc S 100 0 t=1000\ns SA 300 101\n"
	    "c A 101 301\n",
	    &rn);
	CHECK_STR(rn.r[0].hs, "3way");
}

static int fail_at, alloc_calls;
static void *fail_alloc(void *ctx, size_t n)
{
	(void)ctx;
	if (++alloc_calls == fail_at)
		return NULL;
	return malloc(n);
}
static void plain_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void t_oom(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.tc_alloc = fail_alloc;
	cfg.tc_free = plain_free;
	/* Allocations 1..4 during creation, then one per connection. */
	for (fail_at = 1; fail_at <= 4; fail_at++) {
		alloc_calls = 0;
		struct tc_tracker *tr = tc_tracker_new(&cfg);
		CHECK(tr == NULL);
	}
	fail_at = 5;
	alloc_calls = 0;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	struct tc_segment s;
	struct seg_clock t;
	seg_clock_init(&t, 0);
	seg_parse("c S 100 0", &s, &t);
	CHECK_EQ(tc_feed(tr, &s), -1); /* the connection's allocation */
	struct tc_event ev;
	CHECK_EQ(tc_next_event(tr, &ev), 0);
	CHECK_EQ(tc_feed(tr, &s), 0);
	CHECK_EQ(tc_next_event(tr, &ev), 1);
	CHECK_EQ(ev.type, TC_EV_SEGMENT);
	CHECK_EQ(tc_next_event(tr, &ev), 1);
	CHECK_EQ(ev.type, TC_EV_OPEN);
	CHECK(tc_conn_get(tr, ev.conn_id) != NULL);
	CHECK(tc_conn_get(tr, 99) == NULL);
	tc_tracker_free(tr);
}

static void t_queue_bound(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.max_events = 64;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	struct tc_segment s;
	struct seg_clock t;
	seg_clock_init(&t, 0);
	for (int i = 0; i < 100; i++) {
		seg_parse("c S 100 0", &s, &t);
		s.sport = (uint16_t)(1000 + i);
		CHECK_EQ(tc_feed(tr, &s), 0);
	}
	struct tc_stats st;
	tc_stats_get(tr, &st);
	CHECK(st.events_dropped > 0);
	CHECK_EQ(st.active, 100);
	struct tc_event ev;
	int n = 0;
	while (tc_next_event(tr, &ev))
		n++;
	CHECK_EQ(n, 64);
	/* tc_finish hands out the 100 closes within the bound. */
	tc_finish(tr);
	int closes = 0;
	while (tc_next_event(tr, &ev) && closes < 1000)
		closes += ev.type == TC_EV_CLOSE;
	CHECK_EQ(closes, 100);
	tc_stats_get(tr, &st);
	CHECK_EQ(st.active, 0);
	tc_tracker_free(tr);
}

static void t_event_order(void)
{
	struct tc_tracker *tr;
	struct tc_config cfg;
	tc_config_default(&cfg);
	tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	struct tc_segment s;
	struct seg_clock t;
	seg_clock_init(&t, 0);
	seg_parse("c S 100 0 len=3", &s, &t);
	s.pkt = 1;
	CHECK_EQ(tc_feed(tr, &s), 0);
	struct tc_event ev;
	CHECK(tc_next_event(tr, &ev));
	CHECK_EQ(ev.type, TC_EV_SEGMENT);
	CHECK(ev.labels & LB(DATA_ON_SYN));
	CHECK(tc_next_event(tr, &ev));
	CHECK_EQ(ev.type, TC_EV_OPEN);
	CHECK(tc_next_event(tr, &ev));
	CHECK_EQ(ev.type, TC_EV_LABEL);
	CHECK_EQ(ev.label, TC_LB_DATA_ON_SYN);
	CHECK(tc_next_event(tr, &ev));
	CHECK_EQ(ev.type, TC_EV_TRANSITION);
	CHECK_EQ(ev.tr.side, TC_CLIENT);
	CHECK_EQ(ev.tr.from, TC_ST_CLOSED);
	CHECK_EQ(ev.tr.to, TC_ST_SYN_SENT);
	CHECK_EQ(ev.tr.rule, tc_rules[ev.tr.rule].id);
	CHECK_STR(tc_rules[ev.tr.rule].name, "active-open");
	CHECK_EQ(ev.pkt, 1);
	CHECK_EQ(tc_next_event(tr, &ev), 0);
	tc_finish(tr);
	CHECK(tc_next_event(tr, &ev));
	CHECK_EQ(ev.type, TC_EV_CLOSE);
	CHECK_EQ(ev.conn->finished, 1);
	tc_tracker_free(tr);
}

/* Many connections through a small table: growth, eviction, id lookup
 * and the LRU stay consistent. */
static void t_many_connections(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.max_conns = 3000;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	static const char *const lines[] = {
		"c S 100 0", "s SA 300 101", "c A 101 301",
		"c PA 101 301 len=10", "c FA 111 301", "s FA 301 112",
		"c A 112 302",
	};
	struct tc_event ev;
	struct seg_clock t;
	seg_clock_init(&t, 0);
	uint64_t closes = 0, fin = 0, evicted = 0, pkt = 0;
	/* Ten groups of 1000 connections, each group opened and closed in
	 * step; older groups are evicted as the table fills. */
	for (int round = 0; round < 10; round++) {
		for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
			for (uint32_t i = 0; i < 1000; i++) {
				struct tc_segment s;
				seg_parse(lines[l], &s, &t);
				s.pkt = ++pkt;
				uint16_t port = (uint16_t)(1024 + i);
				uint8_t net = (uint8_t)round;
				if (s.sport == 40000)
					s.sport = port;
				else
					s.dport = port;
				s.src.a[2] = s.dst.a[2] = net;
				CHECK_EQ(tc_feed(tr, &s), 0);
				while (tc_next_event(tr, &ev))
					if (ev.type == TC_EV_CLOSE) {
						closes++;
						evicted += ev.conn->evicted;
					}
			}
		}
	}
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		if (ev.type == TC_EV_CLOSE) {
			closes++;
			fin += ev.conn->close == TC_CLOSE_FIN;
		}
	struct tc_stats st;
	tc_stats_get(tr, &st);
	CHECK_EQ(st.active, 0);
	CHECK_EQ(st.segments, pkt);
	CHECK_EQ(closes, st.conns);
	CHECK_EQ(evicted, st.evicted);
	CHECK(st.evicted > 0);
	CHECK(fin > 0);
	tc_tracker_free(tr);
}

static void t_rule_table(void)
{
	CHECK(tc_nrules > 10);
	for (size_t i = 0; i < tc_nrules; i++) {
		const struct tc_rule *r = &tc_rules[i];
		CHECK_EQ(r->id, i);
		CHECK(r->name[0] && r->event[0] && r->rfc[0] == '3');
		CHECK(r->to < TC_ST__COUNT);
		CHECK(r->from < TC_ST__COUNT || r->from == TC_RULE_ANY);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(tc_rules[j].name, r->name) != 0);
	}
	CHECK_STR(tc_state_name(TC_ST_SYN_SENT), "SYN-SENT");
	CHECK_STR(tc_state_name(999), "?");
	CHECK_STR(tc_label_name(TC_LB_RST_OUT_OF_WINDOW), "rst-out-of-window");
	CHECK_STR(tc_close_name(TC_CLOSE_UNANSWERED), "unanswered");
	CHECK_STR(tc_handshake_name(TC_HS_THREEWAY), "3way");
	CHECK(tc_conn_bytes() > sizeof(struct tc_conn));
}

/* Runs last: every rule of the table fired in some test above. */
static void t_rule_coverage(void)
{
	for (size_t i = 0; i < tc_nrules; i++) {
		if (!rule_fired[i]) {
			printf("FAIL t_rule_coverage: rule %s never fired\n",
			       tc_rules[i].name);
			unit_failed_ = 1;
			return;
		}
	}
}

static const struct unit_test tests[] = {
	UNIT(t_scenarios),
	UNIT(t_retransmission_labels),
	UNIT(t_out_of_order_and_gap),
	UNIT(t_dup_ack_fast_retransmission),
	UNIT(t_zero_window_keepalive_update),
	UNIT(t_data_after_fin_and_rst),
	UNIT(t_rst_labels),
	UNIT(t_tfo_and_rtt),
	UNIT(t_history_scaled),
	UNIT(t_port_reuse),
	UNIT(t_eviction),
	UNIT(t_vlan_identity),
	UNIT(t_idle_timeout),
	UNIT(t_time_wait_expiry),
	UNIT(t_duplicates_invariant),
	UNIT(t_swap_invariant),
	UNIT(t_wrap_rst),
	UNIT(t_challenge_order_tfo),
	UNIT(t_oom),
	UNIT(t_queue_bound),
	UNIT(t_event_order),
	UNIT(t_many_connections),
	UNIT(t_rule_table),
	UNIT(t_rule_coverage),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
