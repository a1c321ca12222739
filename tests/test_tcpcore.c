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
 * reuse, OOM, memory (packing changes no event, the budget holds under a
 * SYN flood, running out of memory sheds) and the rule table, whose rows
 * must all fire somewhere.
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
	char alt[2][256];     /* alternative paths, '|' between them */
	char inferred[128];   /* rules of inferred transitions, ',' between */
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

/* The alternatives of side (tc_conn.alt) as paths written as path_of()
 * does, '|' between them. */
static void alt_of(const struct tc_conn *c, int side, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (unsigned k = 0; k < c->nalt[side] && len < n; k++) {
		const struct tc_alt *a = &c->alt[side][k];
		char full[256];
		path_of(c, side, full, sizeof full);
		/* keep the first a->keep states */
		unsigned kept = 0;
		size_t cut = 0;
		while (full[cut] && kept < a->keep) {
			if (full[cut] == '>' && ++kept == a->keep)
				break;
			cut++;
		}
		len += (size_t)snprintf(out + len, n - len, "%s%.*s",
					k ? "|" : "", (int)cut, full);
		for (unsigned j = 0; j < a->ntail && len < n; j++)
			len += (size_t)snprintf(out + len, n - len, ">%s",
						tc_state_name(a->tail[j]));
	}
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
			for (int s = 0; s < 2; s++)
				alt_of(c, s, r->alt[s], sizeof(r->alt[s]));
			r->inferred[0] = '\0';
			size_t il = 0;
			for (size_t i = 0; i < c->ntransitions; i++)
				if (c->transitions[i].inferred &&
				    il < sizeof(r->inferred))
					il += (size_t)snprintf(
					    r->inferred + il,
					    sizeof(r->inferred) - il, "%s%s",
					    il ? "," : "",
					    tc_rules[c->transitions[i].rule]
						.name);
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
	/* Issue 11: the server's data (100 bytes) is lost after the capture
	 * point, then its RST at 401 reaches a client whose RCV.NXT is 301:
	 * not taken; the client's challenge ACK, a leg's round trip (10 ms)
	 * later, shows it. Then the server's stack, without a TCB, answers
	 * with a RST at 301, which the client takes (rst-received-at-ack). */
	{ "rst-not-at-rcv-nxt-fin-wait-2",
	  "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"
	  "c FA 101 301 t=30\ns A 301 102 t=40\n"
	  "s PA 301 102 len=100 t=50\ns R 401 0 t=51\nc A 102 301 t=61\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>CLOSED", "reset",
	  "3way", NULL, NULL },
	{ "rst-not-at-rcv-nxt-then-at-ack",
	  "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"
	  "c FA 101 301 t=30\ns A 301 102 t=40\n"
	  "s PA 301 102 len=100 t=50\ns R 401 0 t=51\nc A 102 301 t=61\n"
	  "s R 301 0 t=71\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>CLOSED", "reset",
	  "3way", NULL, NULL },
	/* pcaps/real-rst-unseen.pcap: the client's last data, which also
	 * acknowledged the server's FIN, is lost after the capture point;
	 * the challenge ACK (at 201) shows it never arrived, so the server
	 * stayed in FIN-WAIT-1 until the client's second RST. */
	{ "rst-not-taken-fin-ack-lost",
	  "c S 100 0 t=0\ns SA 300 101 t=20\nc A 101 301 t=21\n"
	  "c PA 101 301 len=100 t=22\ns A 301 201 t=42\n"
	  "s PA 301 201 len=300 t=43\nc A 201 601 t=44\ns FA 601 201 t=45\n"
	  "c PA 201 602 len=50 t=46\nc RA 251 602 t=47\n"
	  "s A 602 201 t=67\nc R 201 0 t=68\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED", "reset",
	  "3way", NULL, NULL },
	/* Forged (or stale) RST at the capture's RCV.NXT: the client goes
	 * on, with data and its FIN, well after the RST. */
	{ "rst-not-taken-client-goes-on",
	  "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"
	  "s PA 301 101 len=100 t=30\ns R 401 0 t=31\n"
	  "c PA 101 301 len=10 t=60\nc FA 111 301 t=70\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", NULL,
	  NULL },
	/* A client segment within 3/4 of its leg's round trip after the RST
	 * may have crossed it: the RST stands. */
	{ "rst-crossed-by-client-segment",
	  "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"
	  "s PA 301 101 len=100 t=30\ns R 401 0 t=31\n"
	  "c A 101 301 t=35\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "reset", "3way", NULL,
	  NULL },
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

/* Issue 11, RFC 5961 3.2 seen from the capture: a RST the receiver did
 * not take. Each case: the script, the packet of the RST, whether its
 * receiver's move is withdrawn (the withdrawal and the label, later), and
 * the rule (and packet) of the client's last transition. */
struct rst_case {
	const char *name, *script;
	uint64_t rst_pkt;
	int withdrawn;
	const char *last_rule;
	uint64_t last_pkt;
};

#define RST_FW2 "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"   \
		"c FA 101 301 t=30\ns A 301 102 t=40\n"                    \
		"s PA 301 102 len=100 t=50\ns R 401 0 t=51\n"

static const struct rst_case rst_cases[] = {
	{ "challenge-ack-then-rst-at-ack", RST_FW2 "c A 102 301 t=61\n"
	  "s R 301 0 t=71\n", 7, 1, "rst-received-at-ack", 9 },
	{ "challenge-ack-only", RST_FW2 "c A 102 301 t=61\n", 7, 1,
	  "fin-wait-1-acked", 5 },
	{ "crossing-ack", RST_FW2 "c A 102 301 t=55\n", 7, 0, "rst-received",
	  7 },
	{ "taken", RST_FW2, 7, 0, "rst-received", 7 },
	/* The client's ACK at the RST's sequence, however late: it was
	 * sent before the RST arrived (queued), and the RST was exact. */
	{ "late-ack-at-rst", RST_FW2 "c A 102 401 t=90\n", 7, 0,
	  "rst-received", 7 },
	/* A RST at the client's last ACK (301), which then acknowledges
	 * 401, at once: its RCV.NXT was past the RST, never taken. */
	{ "ack-beyond-rst",
	  "c S 100 0 t=0\ns SA 300 101 t=10\nc A 101 301 t=20\n"
	  "s PA 301 101 len=100 t=30\ns R 301 0 t=31\nc A 101 401 t=32\n",
	  5, 1, "syn-sent-ack", 3 },
};

static void t_rst_not_taken(void)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(rst_cases) / sizeof(rst_cases[0]); i++) {
		const struct rst_case *k = &rst_cases[i];
		struct tc_config cfg;
		tc_config_default(&cfg);
		struct tc_tracker *tr = tc_tracker_new(&cfg);
		if (!tr)
			abort();
		struct seg_clock clk;
		seg_clock_init(&clk, 0);
		const char *p = k->script;
		char line[200];
		uint64_t pkt = 0;
		int withdrawals = 0, late_labels = 0, after_close = 0;
		struct tc_transition last = { 0 };
		struct tc_event ev;
		int more = 1;
		while (more) {
			struct tc_segment s;
			more = seg_next_line(&p, line, sizeof(line));
			if (more && seg_parse(line, &s, &clk)) {
				s.pkt = ++pkt;
				if (tc_feed(tr, &s) != 0)
					abort();
			} else if (!more) {
				tc_finish(tr);
			}
			while (tc_next_event(tr, &ev)) {
				if (ev.type == TC_EV_TRANSITION && ev.revised)
					withdrawals += ev.tr.side == TC_CLIENT &&
						       ev.tr.pkt == k->rst_pkt &&
						       ev.tr.to == TC_ST_CLOSED;
				if (ev.type == TC_EV_LABEL &&
				    ev.label == TC_LB_RST_CHALLENGE)
					late_labels +=
						ev.pkt == k->rst_pkt &&
						ev.reason == TC_RS_RST_NOT_TAKEN &&
						ev.dir == TC_SERVER;
				if (ev.type == TC_EV_LABEL &&
				    ev.label == TC_LB_SEGMENT_AFTER_CLOSE)
					after_close++;
				if (ev.type == TC_EV_CLOSE) {
					const struct tc_conn *c = ev.conn;
					for (size_t j = 0; j < c->ntransitions; j++)
						if (c->transitions[j].side ==
						    TC_CLIENT)
							last = c->transitions[j];
				}
			}
		}
		tc_tracker_free(tr);
		const char *rule = last.rule < tc_nrules
					   ? tc_rules[last.rule].name
					   : "?";
		if (withdrawals != k->withdrawn || late_labels != k->withdrawn ||
		    (k->withdrawn && after_close) ||
		    strcmp(rule, k->last_rule) != 0 ||
		    last.pkt != k->last_pkt) {
			fprintf(stderr, "  case %s: withdrawn %d, labelled %d, "
				"segment-after-close %d, last %s at %llu\n",
				k->name, withdrawals, late_labels, after_close,
				rule, (unsigned long long)last.pkt);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
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
	/* TIME-WAIT entered at the epoch (stamp 0, as a fuzzed capture
	 * gave): a time like any other, no invariant fails. */
	run_cfg("c S 100 0 us=-1700000000000000\n"
		"s SA 300 101 us=-1700000000000000\n"
		"c A 101 301 us=-1700000000000000\n"
		"c FA 101 301 us=-1700000000000000\n"
		"s FA 301 102 us=-1700000000000000\n"
		"c A 102 302 us=-1700000000000000\n",
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
	/* Every connection closed on both sides before the table filled:
	 * those let go early are released, not evicted (their rows are
	 * whole). */
	CHECK_EQ(evicted, st.evicted);
	CHECK_EQ(st.evicted, 0);
	CHECK(st.released > 0);
	CHECK(fin > 0);
	tc_tracker_free(tr);
}

/* ---- Memory: packing, the budget, shedding ----------------------------- */

#define TC_MAX_TRANS_TEST 16

/* What a run hands out, one 64-bit hash per event, for comparing runs:
 * every field of the event (its conn pointer aside) and, at TC_EV_CLOSE,
 * every byte of the connection and each of its transitions. */
struct trace {
	uint64_t *h;
	size_t n, cap;
	struct tc_stats st;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void trace_event(struct trace *t, const struct tc_event *ev)
{
	struct tc_event e = *ev;
	e.conn = NULL;
	uint64_t h = fnv(1469598103934665603ull, &e, sizeof(e));
	if (ev->type == TC_EV_CLOSE) {
		struct tc_conn c = *ev->conn;
		c.transitions = NULL;
		h = fnv(h, &c, sizeof(c));
		for (size_t i = 0; i < ev->conn->ntransitions; i++) {
			const struct tc_transition *x =
				&ev->conn->transitions[i];
			uint64_t v[4] = { (uint64_t)x->ts_ns, x->pkt,
					  (uint64_t)x->side << 16 |
						  (uint64_t)x->from << 8 | x->to,
					  x->rule };
			h = fnv(h, v, sizeof(v));
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->h = realloc(t->h, t->cap * sizeof(*t->h));
		if (!t->h)
			abort();
	}
	t->h[t->n++] = h;
}

/* Feeds script into a tracker made with cfg, draining after every
 * segment into *t; with `get`, looks every connection up after each feed
 * (tc_conn_get() unpacks a packed one). */
static void trace_run(const char *script, const struct tc_config *cfg,
		      int get, struct trace *t)
{
	memset(t, 0, sizeof(*t));
	struct tc_tracker *tr = tc_tracker_new(cfg);
	if (!tr)
		abort();
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	uint64_t pkt = 0;
	const char *p = script;
	struct tc_event ev;
	char line[200];
	while (seg_next_line(&p, line, sizeof(line))) {
		struct tc_segment s;
		if (!seg_parse(line, &s, &clk))
			continue;
		s.pkt = ++pkt;
		if (tc_feed(tr, &s) != 0)
			abort();
		while (tc_next_event(tr, &ev))
			trace_event(t, &ev);
		for (uint64_t id = 1; get && id <= pkt; id++) {
			const struct tc_conn *c = tc_conn_get(tr, id);
			if (c && c->id != id)
				abort();
		}
	}
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		trace_event(t, &ev);
	tc_stats_get(tr, &t->st);
	tc_tracker_free(tr);
}

/* Index of the first event where a and b differ, or -1. */
static long trace_diff(const struct trace *a, const struct trace *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++)
		if (a->h[i] != b->h[i])
			return (long)i;
	return a->n == b->n ? -1 : (long)n;
}

/* Scripts with time gaps long enough for idle packing at the defaults,
 * two connections at once, retransmissions, SACK, a zero window. */
static const char *const pack_scripts[] = {
	OPEN3 "c PA 101 301 len=100\nC S 900 0 t=3000\nS SA 700 901\n"
	      "C A 901 701\ns A 301 201 t=6000\nc PA 201 301 len=100\n"
	      "c PA 201 301 len=100 t=9000\nS PA 701 901 len=50\n"
	      "s A 301 301 sack=401-501\nC FA 901 751 t=12000\n"
	      "S FA 751 902\nc FA 301 301\ns FA 301 302\nc A 302 302\n"
	      "C A 902 752 t=20000\n",
	OPEN3 "s PA 301 101 len=1000 win=0\nC S 900 0 t=2500\n"
	      "c A 101 1301 win=0\nc A 101 1301 win=0 t=5000\n"
	      "C S 900 0 t=8000\ns A 1301 101\n"
	      "c A 101 1301 win=65535\ns PA 1301 101 len=10\n"
	      "s PA 1301 101 len=10 t=11000\nc RA 101 1311 t=14000\n"
	      "C S 900 0 t=17000\nc PA 101 1311 len=5\n"
	      "c S 5000 0 t=20000\nC S 900 0 t=23000\ns SA 6000 5001\n",
	"c S 100 0 ws=7 mss=1460 ts=10/0\nC S 900 0 t=2500\n"
	"s SA 300 101 ws=7 ts=20/10\nC S 900 0 t=5000\n"
	"c A 101 301 ts=11/20\nc PA 101 301 len=1000 ts=12/20\n"
	"c PA 1101 301 len=1000 ts=13/20\ns A 301 1101 ts=21/12 t=9000\n"
	"s A 301 1101 ts=22/12\ns A 301 1101 ts=23/12 sack=1101-2101\n"
	"c PA 101 301 len=1000 ts=14/23\nc FA 2101 301 t=13000\n"
	"s FA 301 2102 t=16000\nc A 2102 302 t=19000\n",
};

/* Packing is lossless: every event and every closed connection is the
 * same byte for byte whether nothing is packed (no idle packing, no
 * budget), idle connections are (the defaults), every connection but the
 * one being fed is packed after each segment, or lookups unpack them. */
static void t_pack_identity(void)
{
	struct tc_config none, def, all;
	tc_config_default(&def);
	none = def;
	none.pack_idle_ns = -1;
	none.max_bytes = 0;
	all = def;
	all.pack_idle_ns = 0;
	size_t nscen = sizeof(scen) / sizeof(scen[0]);
	size_t nextra = sizeof(pack_scripts) / sizeof(pack_scripts[0]);
	uint64_t packs = 0;
	static char buf[4096];
	for (size_t i = 0; i < nscen + nextra; i++) {
		const char *script =
			i < nscen ? scen[i].script : pack_scripts[i - nscen];
		if (i < nscen) {
			/* A second connection between the scenario's lines,
			 * so that its own is packed again and again. */
			size_t len = 0;
			char line[200];
			for (const char *q = script;
			     seg_next_line(&q, line, sizeof(line));)
				len += (size_t)snprintf(
					buf + len, sizeof(buf) - len,
					"%s\nC S 900 0\n", line);
			CHECK(len < sizeof(buf) - 1);
			script = buf;
		}
		struct trace a, b, c, d;
		trace_run(script, &none, 0, &a);
		trace_run(script, &def, 0, &b);
		trace_run(script, &all, 0, &c);
		trace_run(script, &all, 1, &d);
		long db = trace_diff(&a, &b), dc = trace_diff(&a, &c),
		     dd = trace_diff(&a, &d);
		if (db >= 0 || dc >= 0 || dd >= 0)
			printf("script %zu: first difference at event %ld/%ld/"
			       "%ld\n", i, db, dc, dd);
		CHECK(db < 0 && dc < 0 && dd < 0);
		CHECK_EQ(a.st.packs, 0);
		CHECK_EQ(c.st.packs, c.st.unpacks);
		CHECK_EQ(c.st.evicted + d.st.evicted + b.st.evicted, 0);
		if (i >= nscen)
			CHECK(b.st.packs > 0); /* the gaps are long enough */
		packs += c.st.packs;
		free(a.h);
		free(b.h);
		free(c.h);
		free(d.h);
	}
	CHECK(packs > 100);
}

/* tc_conn_get() of a packed connection gives it back whole; the
 * statistics follow the packed records. */
static void t_pack_get(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.pack_idle_ns = 0;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	static const char *const lines[] = {
		"c S 100 0 ws=7", "s SA 300 101 ws=7", "c A 101 301",
		"c PA 101 301 len=50", "C S 900 0",
	};
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	struct tc_conn before;
	struct tc_transition trs[TC_MAX_TRANS_TEST];
	struct tc_event ev;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct tc_segment s;
		seg_parse(lines[i], &s, &clk);
		s.pkt = i + 1;
		CHECK_EQ(tc_feed(tr, &s), 0);
		while (tc_next_event(tr, &ev))
			;
		if (i == 3) { /* connection 1 is full, the one just fed */
			const struct tc_conn *c = tc_conn_get(tr, 1);
			CHECK(c != NULL &&
			      c->ntransitions <= TC_MAX_TRANS_TEST);
			before = *c;
			memcpy(trs, c->transitions,
			       c->ntransitions * sizeof(*trs));
		}
	}
	struct tc_stats st;
	tc_stats_get(tr, &st);
	CHECK_EQ(st.active, 2);
	CHECK_EQ(st.packed, 1); /* connection 1, by the segment of 2 */
	CHECK(st.packed_bytes > 0 && st.packed_bytes < tc_conn_bytes() / 2);
	const struct tc_conn *c = tc_conn_get(tr, 1);
	CHECK(c != NULL);
	struct tc_conn now = *c;
	now.transitions = before.transitions = NULL;
	CHECK(memcmp(&now, &before, sizeof(now)) == 0);
	CHECK(memcmp(c->transitions, trs, c->ntransitions * sizeof(*trs)) ==
	      0);
	tc_stats_get(tr, &st);
	CHECK_EQ(st.packed, 0);
	CHECK_EQ(st.unpacks, 1);
	CHECK(tc_conn_refresh(tr, 1) == c); /* the same record */
	CHECK(tc_conn_get(tr, 3) == NULL);
	tc_tracker_free(tr);
}

/* A SYN from a source of its own (deterministic), to 10.0.0.2:80. */
static void flood_syn(struct tc_segment *s, uint32_t i, uint64_t pkt)
{
	uint32_t x = i * 2654435761u ^ 0x5bd1e995u;
	memset(s, 0, sizeof(*s));
	s->ts_ns = (int64_t)pkt * 1000; /* a million SYNs a second */
	s->pkt = pkt;
	s->src.family = s->dst.family = 4;
	s->src.a[0] = 172;
	s->src.a[1] = (uint8_t)(x >> 24);
	s->src.a[2] = (uint8_t)(x >> 16);
	s->src.a[3] = (uint8_t)(x >> 8);
	s->dst.a[0] = 10;
	s->dst.a[3] = 2;
	s->sport = (uint16_t)(1024 + (i % 60000));
	s->dport = 80;
	s->seq = x;
	s->flags = TC_SYN;
	s->window = 64240;
	s->ip_len = 60;
}

struct flood_tally {
	uint64_t closes, evicted, legit_closes;
	struct tc_conn legit; /* connection 1 at its close */
	struct tc_stats st;
	uint64_t max_bytes; /* most tc_stats.bytes after a feed */
};

static void flood_take(struct tc_tracker *tr, struct flood_tally *t)
{
	struct tc_event ev;
	while (tc_next_event(tr, &ev)) {
		if (ev.type != TC_EV_CLOSE)
			continue;
		t->closes++;
		t->evicted += ev.conn->evicted;
		if (ev.conn_id == 1) {
			t->legit_closes++;
			t->legit = *ev.conn;
		}
	}
}

/* A SYN flood through a small budget: after every segment the tracker
 * holds no more than the budget, every connection is closed once (the
 * flood's evicted, counted), and a real connection among them, idle
 * through most of the flood, comes out whole, as it does without the
 * flood. The work is bounded by counting it (no clock). */
static void t_budget_flood(void)
{
	enum { NSYN = 200000 };
	static const char *const legit[] = {
		"c S 100 0", "s SA 300 101", "c A 101 301",
		"c PA 101 301 len=100", "s A 301 201",
		/* the flood comes here */
		"s PA 301 201 len=1000", "c A 201 1301", "c FA 201 1301",
		"s FA 1301 202", "c A 202 1302",
	};
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.max_bytes = (size_t)4 << 20;
	for (int flood = 0; flood < 2; flood++) {
		struct tc_tracker *tr = tc_tracker_new(&cfg);
		CHECK(tr != NULL);
		struct flood_tally t;
		memset(&t, 0, sizeof(t));
		struct seg_clock clk;
		seg_clock_init(&clk, 1);
		uint64_t pkt = 0;
		for (size_t l = 0; l < sizeof(legit) / sizeof(legit[0]); l++) {
			struct tc_segment s;
			seg_parse(legit[l], &s, &clk);
			s.pkt = ++pkt;
			s.ts_ns = (int64_t)pkt * 1000;
			CHECK_EQ(tc_feed(tr, &s), 0);
			flood_take(tr, &t);
			for (uint32_t i = 0; flood && l == 4 && i < NSYN; i++) {
				flood_syn(&s, i, ++pkt);
				CHECK_EQ(tc_feed(tr, &s), 0);
				flood_take(tr, &t);
				tc_stats_get(tr, &t.st);
				if (t.st.bytes > t.max_bytes)
					t.max_bytes = t.st.bytes;
			}
		}
		tc_finish(tr);
		flood_take(tr, &t);
		tc_stats_get(tr, &t.st);
		tc_tracker_free(tr);
		static struct tc_conn alone;
		if (!flood) {
			CHECK_EQ(t.closes, 1);
			alone = t.legit;
			continue;
		}
		CHECK(t.max_bytes <= cfg.max_bytes);
		CHECK(t.st.peak_bytes <= cfg.max_bytes + 64 * 1024);
		CHECK_EQ(t.st.conns, NSYN + 1);
		CHECK_EQ(t.closes, NSYN + 1);
		CHECK_EQ(t.evicted, t.st.evicted);
		/* 4 MiB holds some ten thousand packed SYNs. */
		CHECK(t.st.evicted > NSYN - 20000 && t.st.evicted < NSYN);
		CHECK_EQ(t.st.active, 0);
		CHECK(t.st.packs + t.st.unpacks <= 3 * (uint64_t)pkt);
		/* The real connection: never evicted, the same as alone
		 * but for the packet numbers and times the flood shifted. */
		CHECK_EQ(t.legit_closes, 1);
		CHECK_EQ(t.legit.evicted, 0);
		CHECK_EQ(t.legit.state[0], alone.state[0]);
		CHECK_EQ(t.legit.state[1], alone.state[1]);
		CHECK_EQ(t.legit.close, TC_CLOSE_FIN);
		CHECK_STR(t.legit.history, alone.history);
		CHECK_STR(t.legit.conn_state, alone.conn_state);
		CHECK_EQ(t.legit.ntransitions, alone.ntransitions);
		for (int d = 0; d < 2; d++) {
			CHECK_EQ(t.legit.dir[d].packets, alone.dir[d].packets);
			CHECK_EQ(t.legit.dir[d].payload_bytes,
				 alone.dir[d].payload_bytes);
		}
	}
}

/* A server that answers again and again a SYN whose sender resets it
 * (LISTEN > SYN-RECEIVED > LISTEN ...): every transition is kept past the
 * record's 16, up to TC_TRANS_LIMIT, the rest counted; packed and
 * unpacked with them, the connection ends the same. */
static void t_transitions_many(void)
{
	for (int rounds = 10; rounds <= 2100; rounds += 2090) {
		size_t cap = 64 + (size_t)rounds * 64;
		char *script = malloc(cap);
		CHECK(script != NULL);
		size_t len = (size_t)snprintf(script, cap,
					      "c S 100 0\ns SA 300 101\n"
					      "c R 101 0\n");
		for (int k = 1; k <= rounds; k++)
			len += (size_t)snprintf(script + len, cap - len,
						"s SA %d 101 t=%d\nC S 9 0\n"
						"c R 101 0\n",
						300 + 1000 * k, 3000 * k);
		struct tc_config cfg, all;
		tc_config_default(&cfg);
		all = cfg;
		all.pack_idle_ns = 0;
		struct run rn;
		run_cfg(script, &cfg, 1, &rn);
		CHECK_EQ(rn.n, 2);
		const struct result *r1 = rn.r[0].id == 1 ? &rn.r[0] : &rn.r[1];
		CHECK_EQ(r1->id, 1);
		CHECK_STR(r1->path[0], "CLOSED>SYN-SENT>CLOSED");
		CHECK(strncmp(r1->path[1],
			      "LISTEN>SYN-RECEIVED>LISTEN>SYN-RECEIVED>LISTEN",
			      46) == 0);
		struct trace a, b;
		trace_run(script, &cfg, 0, &a);
		trace_run(script, &all, 0, &b);
		CHECK(trace_diff(&a, &b) < 0);
		CHECK(b.st.packs > 0);
		free(a.h);
		free(b.h);
		/* The counts, from the close. */
		struct tc_tracker *tr = tc_tracker_new(&all);
		CHECK(tr != NULL);
		struct seg_clock clk;
		seg_clock_init(&clk, 1);
		const char *p = script;
		char line[200];
		uint64_t pkt = 0, ntrans_ev = 0;
		struct tc_event ev;
		size_t ntr = 0;
		uint32_t dropped = 0;
		int ok = 1;
		while (seg_next_line(&p, line, sizeof(line))) {
			struct tc_segment s;
			if (!seg_parse(line, &s, &clk))
				continue;
			s.pkt = ++pkt;
			CHECK_EQ(tc_feed(tr, &s), 0);
			while (tc_next_event(tr, &ev))
				ntrans_ev += ev.type == TC_EV_TRANSITION &&
					     ev.conn_id == 1;
		}
		tc_finish(tr);
		while (tc_next_event(tr, &ev)) {
			if (ev.type != TC_EV_CLOSE || ev.conn_id != 1)
				continue;
			const struct tc_conn *c = ev.conn;
			ntr = c->ntransitions;
			dropped = c->transitions_dropped;
			/* Each kept transition starts where its side's
			 * last one ended. */
			uint8_t last[2] = { TC_ST_CLOSED, TC_ST_LISTEN };
			for (size_t i = 0; i < ntr; i++) {
				const struct tc_transition *t =
					&c->transitions[i];
				ok &= t->from == last[t->side];
				last[t->side] = t->to;
			}
		}
		tc_tracker_free(tr);
		free(script);
		size_t all_tr = 4 + 2 * (size_t)rounds;
		CHECK(ok);
		CHECK_EQ(ntrans_ev, all_tr);
		CHECK_EQ(ntr,
			 all_tr < TC_TRANS_LIMIT ? all_tr : TC_TRANS_LIMIT);
		CHECK_EQ(dropped, all_tr - ntr);
		CHECK(ntr > TC_MAX_TRANS_TEST);
	}
}

/* An allocator with a hard limit on the bytes it hands out (ulimit -v),
 * as the tracker's hooks. */
struct limited {
	size_t limit, live, most;
	uint64_t failed;
};

static void *limited_alloc(void *ctx, size_t n)
{
	struct limited *l = ctx;
	if (l->live + n > l->limit) {
		l->failed++;
		return NULL;
	}
	size_t *p = malloc(n + sizeof(size_t) * 2);
	if (!p)
		return NULL;
	p[0] = n;
	l->live += n;
	if (l->live > l->most)
		l->most = l->live;
	return p + 2;
}

static void limited_free(void *ctx, void *q)
{
	struct limited *l = ctx;
	size_t *p = (size_t *)q - 2;
	l->live -= p[0];
	free(p);
}

/* Out of memory, the tracker sheds (packs, then evicts) and goes on: with
 * no budget and no idle packing, 3000 open connections do not fit in a
 * megabyte and a half, yet every segment is taken and every connection
 * closed. A packed copy needs room of its own: the limit leaves some
 * under it when the first full record does not fit (how much depends on
 * the record's size; 1000 bytes is a few packed records). */
static void t_oom_shed(void)
{
	struct limited lim = { ((size_t)3 << 19) + 1000, 0, 0, 0 };
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.max_bytes = 0;
	cfg.pack_idle_ns = -1;
	cfg.tc_alloc = limited_alloc;
	cfg.tc_free = limited_free;
	cfg.alloc_ctx = &lim;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	static const char *const lines[] = {
		"c S 100 0 ws=7 mss=1460", "s SA 300 101 ws=7 mss=1460",
		"c A 101 301", "c PA 101 301 len=100", "s A 301 201",
	};
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	uint64_t pkt = 0, closes = 0, evicted = 0;
	struct tc_event ev;
	for (uint32_t i = 0; i < 3000; i++) {
		for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
			struct tc_segment s;
			seg_parse(lines[l], &s, &clk);
			s.pkt = ++pkt;
			if (s.sport == 40000)
				s.sport = (uint16_t)(10000 + i);
			else
				s.dport = (uint16_t)(10000 + i);
			CHECK_EQ(tc_feed(tr, &s), 0);
			while (tc_next_event(tr, &ev))
				if (ev.type == TC_EV_CLOSE) {
					closes++;
					evicted += ev.conn->evicted;
				}
		}
	}
	struct tc_stats st;
	tc_stats_get(tr, &st);
	CHECK(lim.failed > 0);
	CHECK(st.shed > 0);
	CHECK(st.packs > 0);
	CHECK(st.evicted > 0);
	CHECK_EQ(st.segments, pkt);
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		if (ev.type == TC_EV_CLOSE) {
			closes++;
			evicted += ev.conn->evicted;
		}
	tc_stats_get(tr, &st);
	CHECK_EQ(closes, 3000);
	CHECK_EQ(evicted, st.evicted);
	CHECK(lim.most <= lim.limit);
	tc_tracker_free(tr);
	CHECK_EQ(lim.live, 0);
}

/* The memory counted is the memory allocated: tc_stats.bytes follows the
 * allocator, and what was allocated is all freed. */
static void t_mem_accounting(void)
{
	struct limited lim = { SIZE_MAX, 0, 0, 0 };
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.pack_idle_ns = 0;
	cfg.tc_alloc = limited_alloc;
	cfg.tc_free = limited_free;
	cfg.alloc_ctx = &lim;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	const char *p = pack_scripts[0];
	char line[200];
	struct tc_event ev;
	uint64_t pkt = 0;
	while (seg_next_line(&p, line, sizeof(line))) {
		struct tc_segment s;
		if (!seg_parse(line, &s, &clk))
			continue;
		s.pkt = ++pkt;
		CHECK_EQ(tc_feed(tr, &s), 0);
		while (tc_next_event(tr, &ev))
			;
		struct tc_stats st;
		tc_stats_get(tr, &st);
		/* Counted with the allocator's overhead: a little more. */
		CHECK(st.bytes >= lim.live &&
		      st.bytes <= lim.live + lim.live / 8);
	}
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		;
	tc_tracker_free(tr);
	CHECK_EQ(lim.live, 0);
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
/* ---- Inferred transitions and alternatives (issue 11) ------------------- */

struct inferred_case {
	const char *name, *script;
	const char *client, *server;         /* paths */
	const char *client_alt, *server_alt; /* alternatives, '|' between */
	const char *inferred;                /* rules marked inferred */
};

static const struct inferred_case inferred_cases[] = {
	/* The client's FIN (111) is missing; the server's FIN+ACK 112
	 * proves it: the client closed first. */
	{ "fin-unseen",
	  OPEN3 "c PA 101 301 len=10\ns A 301 111\ns FA 301 112\n"
		"c A 112 302\n",
	  CLI_FULL, SRV_PASSIVE, "", "", "fin-unseen" },
	/* The client's FIN after the server's is missing; the server's
	 * ACK 102 proves it. */
	{ "fin-unseen-passive",
	  OPEN3 "s FA 301 101\nc A 101 302\ns A 302 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	  "", "", "fin-unseen-passive" },
	/* The server's FIN+ACK of the client's FIN is missing; the client's
	 * ACK 302 proves both. */
	{ "fin-ack-unseen",
	  OPEN3 "c FA 101 301\nc A 102 302\n", CLI_FULL, SRV_PASSIVE, "", "",
	  "fin-ack-unseen,fin-unseen-passive" },
	/* A lost one-byte segment, not a FIN: the data after it takes the
	 * inference back. */
	{ "fin-unseen-withdrawn",
	  OPEN3 "c PA 101 301 len=10\ns A 301 112\nc PA 112 301 len=5\n"
		"s A 301 117\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED",
	  "", "", "" },
	/* The server speaks after the client's RST with an ACK at it (no
	 * proof either way), sends a FIN and is reset again: it may never
	 * have got the first RST. */
	{ "rst-not-taken-alternative",
	  OPEN3 "c PA 101 301 len=10\ns A 301 111\nc R 111 0\n"
		"s FA 301 111\nc R 111 0\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED", "" },
	/* Silent after the RST: taken, no alternative. */
	{ "rst-silent",
	  OPEN3 "c R 101 0\n", "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "", "", "" },
	/* The client's ACK of the server's FIN is missing at the end. */
	{ "final-ack-unseen",
	  OPEN3 "c FA 101 301\ns A 301 102\ns FA 301 102\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED", "" },
	/* The client's last data and FIN missing (a capture that lost
	 * frames): the server acknowledges 11 bytes never seen, then its
	 * FIN acknowledges them too. The client stays where the capture
	 * proves it is, with the close it may have made first. */
	{ "fin-unseen-alt-first",
	  OPEN3 "c PA 101 301 len=10\ns A 301 122\ns FA 301 122\n"
		"c A 122 302\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT", "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  CLI_FULL, SRV_PASSIVE, "" },
	/* The server's FIN does not acknowledge them: the FINs crossed, or
	 * the client's came second. */
	{ "fin-unseen-alt-crossed",
	  OPEN3 "c PA 101 301 len=10\ns FA 301 111\nc A 122 302\n"
		"s A 302 122\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT", "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT|"
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT|"
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT", "" },
	/* No FIN from the server: the client may have closed. */
	{ "fin-unseen-alt-half",
	  OPEN3 "c PA 101 301 len=10\ns A 301 122\n",
	  "CLOSED>SYN-SENT>ESTABLISHED", "LISTEN>SYN-RECEIVED>ESTABLISHED", "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT", "" },
	/* The server's RST,ACK of sequence 0 is all there is: the answer
	 * to a SYN the capture missed, refused (inferred). */
	{ "syn-refused-implied",
	  "s RA 0 101\n", "CLOSED>SYN-SENT>CLOSED", "CLOSED", "", "",
	  "syn-refused-implied" },
	/* The same RST with a sequence number is no answer to a SYN: a
	 * capture that starts mid-stream. */
	{ "rst-first-midstream",
	  "s RA 5000 101\n", "ESTABLISHED>CLOSED", "ESTABLISHED>CLOSED", "",
	  "", "" },
	/* Captured at the client (its leg 0.1 ms, the server's 20 ms): the
	 * server's FIN gets no answer there in the 140 ms the capture goes
	 * on (the last line, another connection, moves its clock). The
	 * client's ACK or RST went uncaptured: it had gone (both CLOSED)
	 * or it took the FIN. */
	{ "fin-unanswered",
	  "c S 100 0 us=0\ns SA 300 101 us=20000\nc A 101 301 us=20100\n"
	  "c PA 101 301 len=10 us=21000\ns A 301 111 us=41000\n"
	  "s FA 301 111 us=60000\nC S 900 0 us=200000\n",
	  "CLOSED>SYN-SENT>ESTABLISHED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED|"
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED|"
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2", "" },
	/* The capture ends 0.5 ms after that FIN: no time for an answer,
	 * no alternative. */
	{ "fin-unanswered-too-soon",
	  "c S 100 0 us=0\ns SA 300 101 us=20000\nc A 101 301 us=20100\n"
	  "c PA 101 301 len=10 us=21000\ns A 301 111 us=41000\n"
	  "s FA 301 111 us=60000\nC S 900 0 us=60500\n",
	  "CLOSED>SYN-SENT>ESTABLISHED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1", "", "", "" },
	/* Captured at the server (its leg 0.1 ms): its FIN unanswered
	 * there may still be on its way to the client; no alternative. */
	{ "fin-unanswered-far",
	  "c S 100 0 us=0\ns SA 300 101 us=100\nc A 101 301 us=20100\n"
	  "c PA 101 301 len=10 us=21000\ns A 301 111 us=21100\n"
	  "s FA 301 111 us=60000\nC S 900 0 us=200000\n",
	  "CLOSED>SYN-SENT>ESTABLISHED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1", "", "", "" },
	/* rst-not-taken with the server's FIN but no RST after it captured:
	 * the client, gone since its RST, answers the FIN with one. */
	{ "rst-not-taken-fin-unanswered",
	  OPEN3 "c PA 101 301 len=10\ns A 301 111\nc R 111 0\n"
		"s FA 301 111\n",
	  "CLOSED>SYN-SENT>ESTABLISHED>CLOSED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSED", "",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSED|"
	  "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1", "" },
	/* A SYN-ACK missing: the client's ACK implies it (inferred). */
	{ "syn-ack-unseen-inferred",
	  "c S 100 0\nc A 101 301\n", "CLOSED>SYN-SENT>ESTABLISHED",
	  "LISTEN>SYN-RECEIVED>ESTABLISHED", "", "", "syn-ack-unseen" },
};

static void t_inferred(void)
{
	for (size_t i = 0; i < sizeof inferred_cases / sizeof *inferred_cases;
	     i++) {
		const struct inferred_case *k = &inferred_cases[i];
		struct run rn;
		run(k->script, &rn);
		int ok = rn.n >= 1 && !strcmp(rn.r[0].path[0], k->client) &&
			 !strcmp(rn.r[0].path[1], k->server) &&
			 !strcmp(rn.r[0].alt[0], k->client_alt) &&
			 !strcmp(rn.r[0].alt[1], k->server_alt) &&
			 !strcmp(rn.r[0].inferred, k->inferred);
		if (!ok) {
			printf("  %s: client %s [%s] server %s [%s] inferred "
			       "%s\n",
			       k->name, rn.n ? rn.r[0].path[0] : "-",
			       rn.n ? rn.r[0].alt[0] : "-",
			       rn.n ? rn.r[0].path[1] : "-",
			       rn.n ? rn.r[0].alt[1] : "-",
			       rn.n ? rn.r[0].inferred : "-");
			unit_failed_ = 1;
		}
	}
}

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
	UNIT(t_rst_not_taken),
	UNIT(t_oom),
	UNIT(t_queue_bound),
	UNIT(t_event_order),
	UNIT(t_many_connections),
	UNIT(t_pack_identity),
	UNIT(t_pack_get),
	UNIT(t_budget_flood),
	UNIT(t_transitions_many),
	UNIT(t_oom_shed),
	UNIT(t_mem_accounting),
	UNIT(t_rule_table),
	UNIT(t_inferred),
	UNIT(t_rule_coverage),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
