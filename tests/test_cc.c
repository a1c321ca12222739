/*
 * test_cc.c - table-driven tests of tcpcore's data-transfer phase
 * (tcpcore/cc.c): scripted connections (segscript.h syntax) with known
 * answers for the verdict, the time shares, the congestion-state path
 * and its transitions (packet, rule), timeouts with backoff and
 * fast-recovery episodes; then the rule table itself.
 *
 * Every script opens the same way (OPEN: SYN at 0, SYN-ACK at 1 ms, ACK
 * in the same microsecond, MSS 1000 both ways, no window scaling): the
 * capture is at the client, which sends the data, so its ACKs reach it at
 * once; packet 4 is the first after the handshake and times are in us.
 */
#include <stdlib.h>

#include "../tcpcore/tcpcore.h"
#include "segscript.h"
#include "unit.h"

#define OPEN                                                                  \
	"c S 100 0 us=0 mss=1000\n"                                           \
	"s SA 300 101 us=1000 mss=1000 win=2000\n"                            \
	"c A 101 301 us=1000\n"

/* Four full segments of the client, packets 4 to 7, 4000 bytes in
 * flight. */
#define SEND4                                                                 \
	"c PA 101 301 len=1000 us=3000\n"                                      \
	"c PA 1101 301 len=1000 us=3100\n"                                     \
	"c PA 2101 301 len=1000 us=3200\n"                                     \
	"c PA 3101 301 len=1000 us=3300\n"

#define MAXCC 16

struct res {
	struct tc_dir_stats dir[2];
	struct tc_transition cc[MAXCC]; /* side = direction */
	uint64_t bytes[MAXCC];
	int ncc;
	int64_t duration;
	int closed;
};

static void collect(const struct tc_event *ev, void *ctx)
{
	struct res *r = ctx;
	if (ev->type == TC_EV_CC && r->ncc < MAXCC) {
		r->bytes[r->ncc] = ev->count;
		r->cc[r->ncc++] = ev->tr;
	} else if (ev->type == TC_EV_CLOSE && !r->closed) {
		memcpy(r->dir, ev->conn->dir, sizeof(r->dir));
		r->duration = ev->conn->last_ts - ev->conn->first_ts;
		r->closed = 1;
	}
}

static void run(const char *script, struct res *r)
{
	memset(r, 0, sizeof(*r));
	seg_run(script, collect, r);
	CHECK(r->closed);
	for (int i = 0; i < r->ncc; i++)
		CHECK(r->cc[i].side < 2);
}

/* The path as the store writes it: names joined by spaces. */
static void path_text(const struct tc_transfer *x, char *buf, size_t n)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < x->cc_npath; i++) {
		if (i)
			strncat(buf, " ", n - strlen(buf) - 1);
		strncat(buf, tc_cc_state_name(x->cc_path[i]),
			n - strlen(buf) - 1);
	}
}

#define MS 1000000LL
#define US 1000LL

/* One expected transition: packet, rule name, bytes. */
struct want_tr {
	uint64_t pkt;
	const char *rule;
	uint64_t bytes;
};

struct cc_case {
	const char *name;
	const char *script;
	/* Direction client -> server (the scripts' data flows that way). */
	unsigned limited_by;          /* enum tc_limit */
	const char *path;
	int64_t busy, idle, rwnd, zwnd, cwnd, recovery, stall; /* ns; -1: any */
	uint64_t evidence_pkt;        /* 0: not checked */
	int64_t evidence_ns;
	uint32_t timeouts, episodes, backoff_max, fast_recoveries;
	uint64_t fr_bytes, ssthresh;
	struct want_tr tr[6];         /* transitions of c2s, pkt 0 ends */
	unsigned s2c_limited_by;
};

static const struct cc_case cases[] = {
    {
	/* The receiver's window (2000 bytes, two segments) is full after
	 * every second segment: held 9.9 + 9.8 ms by it; the first segment
	 * after an ACK emptied the flight is paced by it (0.1 ms). */
	"receiver-window",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"    /* 4: busy */
	"c PA 1101 301 len=1000 us=3100\n"   /* 5: 2000 in flight: held */
	"s A 301 2101 win=2000 us=13000\n"   /* 6: all acked: idle */
	"c PA 2101 301 len=1000 us=13100\n"  /* 7: sent for the ACK */
	"c PA 3101 301 len=1000 us=13200\n"  /* 8: held */
	"s A 301 4101 win=2000 us=23000\n"   /* 9 */
	"c FA 4101 301 us=24000\n"
	"s FA 301 4102 win=2000 us=25000\n"
	"c A 4102 302 us=26000\n",
	TC_LIMIT_RECEIVER_WINDOW, "Open",
	19900 * US, 6100 * US, 19700 * US, 0, 100 * US, 0, 0,
	5, 9900 * US,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* A zero window for 100 ms, then the window opens. */
	"zero-window",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"s A 301 2101 win=0 us=13000\n"      /* 6: zero window */
	"s A 301 2101 win=2000 us=113000\n"  /* 7: opens */
	"c PA 2101 301 len=1000 us=113100\n"
	"s A 301 3101 win=2000 us=123100\n"
	"c FA 3101 301 us=124000\n"
	"s FA 301 3102 win=2000 us=125000\n"
	"c A 3102 302 us=126000\n",
	TC_LIMIT_RECEIVER_WINDOW, "Open",
	-1, -1, 109900 * US, 100000 * US, 0, 0, 0,
	5, 109900 * US,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* An application that sends 100 bytes every 500 ms: idle. */
	"application-pauses",
	OPEN
	"c PA 101 301 len=100 us=3000\n"
	"s A 301 201 win=2000 us=4000\n"
	"c PA 201 301 len=100 us=504000\n"
	"s A 301 301 win=2000 us=505000\n"
	"c PA 301 301 len=100 us=1005000\n"
	"s A 301 401 win=2000 us=1006000\n"
	"c FA 401 301 us=1007000\n"
	"s FA 301 402 win=2000 us=1008000\n"
	"c A 402 302 us=1009000\n",
	TC_LIMIT_APPLICATION, "Open",
	3 * MS, 1006 * MS, 0, 0, 0, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* Four segments, the first lost beyond the capture point: three
	 * duplicate ACKs, a fast retransmit, recovery until the ACK
	 * reaches 4101 (the recovery point). */
	"fast-retransmit",
	OPEN
	SEND4 /* 4 .. 7: 4000 in flight */
	"s A 301 101 win=9000 us=13000\n"    /* 8: window update */
	"s A 301 101 win=9000 us=13100\n"    /* 9: dup-ack: Disorder */
	"s A 301 101 win=9000 us=13200\n"    /* 10: dup-ack */
	"c PA 101 301 len=1000 us=13300\n"   /* 11: fast retransmit */
	"s A 301 4101 win=9000 us=23300\n"   /* 12: recovery ends */
	"c FA 4101 301 us=24000\n"
	"s FA 301 4102 win=9000 us=25000\n"
	"c A 4102 302 us=26000\n",
	TC_LIMIT_LOSS, "Open Disorder Recovery Open",
	-1, -1, -1, 0, -1, 10000 * US, 0,
	11, 10000 * US,
	0, 0, 0, 1, 1000, 2800,
	{ { 9, "dupack", 0 }, { 11, "fast-retransmit", 0 },
	  { 12, "recovery-end", 1000 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The first SACK already shows the loss (three segments SACKed,
	 * Linux's duplicate threshold) and the sender retransmits on it:
	 * Linux goes from Open to Recovery at once, no Disorder. */
	"open-fast-retransmit",
	OPEN
	SEND4
	"s A 301 101 win=9000 sack=1101-4101 us=13000\n" /* 8: SACK */
	"c PA 101 301 len=1000 us=13050\n"   /* 9: retransmits at once */
	"s A 301 101 win=9000 sack=1101-4101 us=13100\n" /* 10: later */
	"s A 301 4101 win=9000 us=23100\n"   /* 11: recovery ends */
	"c FA 4101 301 us=24000\n"
	"s FA 301 4102 win=9000 us=25000\n"
	"c A 4102 302 us=26000\n",
	TC_LIMIT_LOSS, "Open Recovery Open",
	-1, -1, -1, 0, -1, -1, 0,
	0, 0,
	0, 0, 0, 1, 1000, 2800,
	{ { 9, "open-fast-retransmit", 0 }, { 11, "recovery-end", 1000 },
	  { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The first SACK shows one segment, sent with the hole (no pause
	 * of a quarter RTT between them): Linux waits RACK's reordering
	 * window in Disorder before it retransmits, even when that is soon
	 * after the SACK. */
	"first-sack-short",
	OPEN
	SEND4
	"s A 301 101 win=9000 sack=1101-2101 us=13000\n" /* 8: SACK */
	"c PA 101 301 len=1000 us=13050\n"   /* 9: retransmits */
	"s A 301 101 win=9000 sack=1101-3101 us=13100\n" /* 10: later */
	"s A 301 4101 win=9000 us=23100\n"   /* 11: recovery ends */
	"c FA 4101 301 us=24000\n"
	"s FA 301 4102 win=9000 us=25000\n"
	"c A 4102 302 us=26000\n",
	TC_LIMIT_LOSS, "Open Disorder Recovery Open",
	-1, -1, -1, 0, -1, -1, 0,
	0, 0,
	0, 0, 0, 1, 1000, 2800,
	{ { 8, "dupack", 0 }, { 9, "fast-retransmit", 0 },
	  { 11, "recovery-end", 1000 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The first SACK shows the loss, but the sender retransmits only
	 * 2 ms later, after more SACKs, well beyond a reordering window (a
	 * quarter of the 1 ms RTT): it did not take that ACK for a loss
	 * (not Linux, or its reordering degree had grown) and waited in
	 * Disorder. */
	"first-sack-late",
	OPEN
	SEND4
	"c PA 4101 301 len=1000 us=3400\n"   /* 8 */
	"s A 301 101 win=9000 sack=1101-4101 us=13000\n" /* 9: SACK */
	"s A 301 101 win=9000 sack=1101-5101 us=14000\n" /* 10 */
	"c PA 101 301 len=1000 us=15000\n"   /* 11: retransmits */
	"s A 301 5101 win=9000 us=25000\n"   /* 12: recovery ends */
	"c FA 5101 301 us=26000\n"
	"s FA 301 5102 win=9000 us=27000\n"
	"c A 5102 302 us=28000\n",
	TC_LIMIT_LOSS, "Open Disorder Recovery Open",
	-1, -1, -1, 0, -1, -1, 0,
	0, 0,
	0, 0, 0, 1, 1000, 3500,
	{ { 9, "dupack", 0 }, { 11, "fast-retransmit", 0 },
	  { 12, "recovery-end", 1000 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* One duplicate ACK, then an ACK that advances: Disorder, made at
	 * the duplicate (packet 8) once the advance shows it, then Open. */
	"disorder-deferred",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"    /* 4 */
	"c PA 1101 301 len=1000 us=3100\n"
	"s A 301 101 win=9000 us=12000\n"    /* 6: window update */
	"s A 301 101 win=9000 us=12100\n"    /* 7: dup-ack */
	"s A 301 2101 win=9000 us=13000\n"   /* 8: advances */
	"c FA 2101 301 us=24000\n"
	"s FA 301 2102 win=9000 us=25000\n"
	"c A 2102 302 us=26000\n",
	/* (The SYN-ACK's window, 2000 bytes, held both segments.) */
	TC_LIMIT_RECEIVER_WINDOW, "Open Disorder Open",
	-1, -1, -1, 0, -1, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 7, "dupack", 0 }, { 8, "disorder-end", 0 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* Two holes: the ACK that reaches the first recovery point still
	 * SACKs data above the second: Recovery ends and starts again on
	 * that ACK (sack-recovery), as Linux's trace shows. The first SACK
	 * shows the loss by RACK's clock: the segment it SACKs went out
	 * 400 us after the hole, more than a quarter of the 1 ms RTT. */
	"sack-recovery",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"    /* 4 */
	"c PA 1101 301 len=1000 us=3400\n"
	"s A 301 101 win=9000 sack=1101-2101 us=13000\n" /* 6 */
	"c PA 101 301 len=1000 us=13050\n"   /* 7: Recovery, point 2101 */
	"c PA 2101 301 len=1000 us=13100\n"  /* 8: new data, lost */
	"c PA 3101 301 len=1000 us=13200\n"  /* 9 */
	"s A 301 2101 win=9000 sack=3101-4101 us=23100\n" /* 10 */
	"c PA 2101 301 len=1000 us=23150\n"  /* 11: the second hole */
	"s A 301 4101 win=9000 us=33200\n"   /* 12: ends */
	"c FA 4101 301 us=34000\n"
	"s FA 301 4102 win=9000 us=35000\n"
	"c A 4102 302 us=36000\n",
	TC_LIMIT_LOSS, "Open Recovery Open Recovery Open",
	-1, -1, -1, 0, -1, -1, 0,
	0, 0,
	0, 0, 0, 2, 2000, 2000,
	{ { 7, "open-fast-retransmit", 0 }, { 10, "recovery-end", 1000 },
	  { 10, "sack-recovery", 0 }, { 12, "recovery-end", 1000 },
	  { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* sack-recovery captured beside the receiver, 20 ms from the
	 * sender: the ACK that ends the first episode (packet 10) reaches
	 * the sender 10 ms later, and what it sent until then (packet 11,
	 * captured within the 20 ms leg) was sent before the new episode
	 * began: its recovery point is 5101, not the 4101 captured at the
	 * ACK, so the ACK of 4101 (13) does not end it; that of 5101 (15)
	 * does. The first SACK shows the loss by RACK's clock: the segment
	 * it SACKs went out 10 ms after the hole, a quarter of the RTT
	 * being 5 ms. */
	"sack-recovery-far",
	"c S 100 0 us=0 mss=1000\n"
	"s SA 300 101 us=10 mss=1000 win=9000\n"
	"c A 101 301 us=20010\n"             /* client leg: 20 ms */
	"c PA 101 301 len=1000 us=20020\n"   /* 4: the hole */
	"c PA 1101 301 len=1000 us=30020\n"  /* 5: after a pause */
	"s A 301 101 win=9000 sack=1101-2101 us=30030\n" /* 6 */
	"c PA 101 301 len=1000 us=50030\n"   /* 7: Recovery, point 2101 */
	"c PA 2101 301 len=1000 us=50040\n"  /* 8: lost */
	"c PA 3101 301 len=1000 us=50050\n"  /* 9 */
	"s A 301 2101 win=9000 sack=3101-4101 us=50060\n" /* 10 */
	"c PA 4101 301 len=1000 us=55000\n"  /* 11: before 10 reached it */
	"c PA 2101 301 len=1000 us=70070\n"  /* 12: the second hole */
	"s A 301 4101 win=9000 us=70080\n"   /* 13: 4101..5101 lost */
	"c PA 4101 301 len=1000 us=90090\n"  /* 14 */
	"s A 301 5101 win=9000 us=90100\n"   /* 15: ends */
	"c FA 5101 301 us=91000\n"
	"s FA 301 5102 win=9000 us=92000\n"
	"c A 5102 302 us=93000\n",
	TC_LIMIT_LOSS, "Open Recovery Open Recovery Open",
	-1, -1, -1, 0, -1, -1, 0,
	0, 0,
	0, 0, 0, 2, 3000, 2800,
	{ { 7, "open-fast-retransmit", 0 }, { 10, "recovery-end", 1000 },
	  { 10, "sack-recovery", 0 }, { 15, "recovery-end", 2000 },
	  { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* An RTT sample of 10 ms (RTO 200 ms, Linux's floor), then a
	 * segment no ACK answers: timeouts after 200, 400 and 800 ms
	 * (two backoffs), then the ACK. */
	"rto-backoff",
	OPEN
	"c PA 101 301 len=100 us=3000\n"
	"s A 301 201 win=9000 us=13000\n"
	"c PA 201 301 len=1000 us=20000\n"   /* 6 */
	"c PA 201 301 len=1000 us=220000\n"  /* 7: timeout: Loss */
	"c PA 201 301 len=1000 us=620000\n"  /* 8: backed off */
	"c PA 201 301 len=1000 us=1420000\n" /* 9: backed off again */
	"s A 301 1201 win=9000 us=1430000\n" /* 10: Loss ends */
	"c FA 1201 301 us=1431000\n"
	"s FA 301 1202 win=9000 us=1432000\n"
	"c A 1202 302 us=1433000\n",
	TC_LIMIT_LOSS, "Open Loss Open",
	-1, -1, 0, 0, 0, 10 * MS, 1400 * MS,
	7, 1410 * MS,
	3, 1, 2, 0, 0, 2000,
	{ { 7, "timeout", 0 }, { 10, "loss-end", 3000 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* Captured beside the receiver, 20 ms from the sender (its leg of
	 * the handshake): an ACK reaches the sender 20 ms after it passes,
	 * so the sender's flight stays up till then and it answers with new
	 * data at once, round after round (without that delay the flight
	 * would look empty and the sender idle between rounds). */
	"far-sender",
	"c S 100 0 us=0 mss=1000\n"
	"s SA 300 101 us=10 mss=1000 win=9000\n"
	"c A 101 301 us=20010\n"             /* client leg: 20 ms */
	"c PA 101 301 len=1000 us=20020\n"   /* 4: first round */
	"c PA 1101 301 len=1000 us=20030\n"
	"s A 301 2101 win=9000 us=20040\n"   /* 6: at the sender at 40040 */
	"c PA 2101 301 len=1000 us=40050\n"  /* 7: paced by it */
	"c PA 3101 301 len=1000 us=40060\n"
	"s A 301 4101 win=9000 us=40070\n"   /* 9 */
	"c PA 4101 301 len=1000 us=60080\n"  /* 10 */
	"c PA 5101 301 len=1000 us=60090\n"
	"s A 301 6101 win=9000 us=60100\n"   /* 12: at the sender at 80100 */
	"c FA 6101 301 us=80110\n"
	"s FA 301 6102 win=9000 us=80120\n"
	"c A 6102 302 us=100130\n",
	TC_LIMIT_CONGESTION, "Open",
	60060 * US, 40070 * US, 0, 0, 40040 * US, 0, 0,
	7, 20020 * US,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* An ECN echo: the sender answers with CWR on its next data. */
	"ecn-cwr",
	OPEN
	"s A 301 101 win=9000 us=2500\n"     /* 4: the window opens */
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"s AE 301 1101 win=9000 us=13000\n"
	"c PAW 2101 301 len=1000 us=13100\n" /* 8: CWR */
	"s A 301 3101 win=9000 us=23100\n"   /* 9: CWR ends */
	"c FA 3101 301 us=24000\n"
	"s FA 301 3102 win=9000 us=25000\n"
	"c A 3102 302 us=26000\n",
	TC_LIMIT_CONGESTION, "Open CWR Open",
	-1, -1, 0, 0, 20100 * US, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 2000,
	{ { 8, "ecn-cwr", 0 }, { 9, "cwr-end", 0 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* Captured after a black hole: everything captured is acknowledged,
	 * then the sender is silent for a second and sends the next byte,
	 * its IP ID 14 packets on (IDs rose by one a packet before): it sent
	 * 14 packets that never got here nor to the receiver, and this is
	 * its retransmission after a timeout (ipid-stall). The silence is
	 * the stall; the ACK that reaches the captured bytes (9) ends Loss
	 * once new data right after them (10) shows nothing else was sent
	 * before the timeout. */
	"ipid-stall",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"          /* 4: id 1003 */
	"c PA 1101 301 len=1000 us=3100\n"
	"c PA 2101 301 len=1000 us=3200\n"         /* 6: id 1005 */
	"s A 301 3101 win=9000 us=13000\n"         /* 7: all acked */
	"c PA 3101 301 len=1000 id=1020 us=1013000\n" /* 8: Loss */
	"s A 301 4101 win=9000 us=1023000\n"       /* 9 */
	"c PA 4101 301 len=1000 id=1021 us=1024000\n" /* 10: new data */
	"s A 301 5101 win=9000 us=1034000\n"
	"c FA 5101 301 id=1022 us=1035000\n"
	"s FA 301 5102 win=9000 us=1036000\n"
	"c A 5102 302 id=1023 us=1037000\n",
	TC_LIMIT_LOSS, "Open Loss Open",
	-1, -1, -1, 0, -1, 10 * MS, 1000 * MS,
	0, 0,
	1, 1, 0, 0, 0, 2100,
	{ { 8, "ipid-stall", 0 }, { 9, "loss-end", 1000 }, { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The same silence with the IP IDs contiguous: nothing was sent
	 * meanwhile, the application paused. */
	"ipid-pause",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"c PA 2101 301 len=1000 us=3200\n"
	"s A 301 3101 win=9000 us=13000\n"
	"c PA 3101 301 len=1000 us=1013000\n"     /* 8: id 1006 */
	"s A 301 4101 win=9000 us=1023000\n"
	"c FA 4101 301 us=1024000\n"
	"s FA 301 4102 win=9000 us=1025000\n"
	"c A 4102 302 us=1026000\n",
	TC_LIMIT_APPLICATION, "Open",
	-1, -1, -1, 0, -1, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The SYN-ACK never captured: its window scale is unknown. The
	 * receiver offers 3 (3072 bytes at its real scale, 10), the sender
	 * keeps 2000 bytes in flight: from the eighth segment that did not
	 * fit 3 bytes, the scale taken is the smallest that fits them, 10,
	 * and the window no longer holds the sender back (before, only
	 * the first rounds): it is paced by the ACKs. */
	"wscale-unseen",
	"c S 100 0 us=0 mss=1000 ws=7\n"
	"c A 101 301 us=1000\n"
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"s A 301 2101 win=3 us=12900\n"
	"c PA 2101 301 len=1000 us=13000\n"
	"c PA 3101 301 len=1000 us=13100\n"
	"s A 301 4101 win=3 us=22900\n"
	"c PA 4101 301 len=1000 us=23000\n"
	"c PA 5101 301 len=1000 us=23100\n"
	"s A 301 6101 win=3 us=32900\n"
	"c PA 6101 301 len=1000 us=33000\n"
	"c PA 7101 301 len=1000 us=33100\n"
	"s A 301 8101 win=3 us=42900\n"
	"c PA 8101 301 len=1000 us=43000\n"
	"c PA 9101 301 len=1000 us=43100\n"
	"s A 301 10101 win=3 us=52900\n"
	"c PA 10101 301 len=1000 us=53000\n"
	"c PA 11101 301 len=1000 us=53100\n"
	"s A 301 12101 win=3 us=62900\n"
	"c PA 12101 301 len=1000 us=63000\n"
	"c PA 13101 301 len=1000 us=63100\n"
	"s A 301 14101 win=3 us=72900\n"
	"c PA 14101 301 len=1000 us=73000\n"
	"c PA 15101 301 len=1000 us=73100\n"
	"s A 301 16101 win=3 us=82900\n"
	"c PA 16101 301 len=1000 us=83000\n"
	"c PA 17101 301 len=1000 us=83100\n"
	"s A 301 18101 win=3 us=92900\n"
	"c PA 18101 301 len=1000 us=93000\n"
	"c PA 19101 301 len=1000 us=93100\n"
	"s A 301 20101 win=3 us=102900\n"
	"c PA 20101 301 len=1000 us=103000\n"
	"c PA 21101 301 len=1000 us=103100\n"
	"s A 301 22101 win=3 us=112900\n"
	"c PA 22101 301 len=1000 us=113000\n"
	"c PA 23101 301 len=1000 us=113100\n"
	"s A 301 24101 win=3 us=122900\n"
	"c FA 24101 301 us=123000\n"
	"s FA 301 24102 win=3 us=124000\n"
	"c A 24102 302 us=125000\n",
	TC_LIMIT_CONGESTION, "Open",
	-1, -1, -1, 0, -1, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The same with the receiver's real scale 0: it offers 2000 bytes
	 * and the sender fills them each round; an ACK missing from the
	 * capture (round 1) makes two segments look beyond the window,
	 * too few to raise the scale: held by the window. */
	"wscale-unseen-window",
	"c S 100 0 us=0 mss=1000 ws=7\n"
	"c A 101 301 us=1000\n"
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"s A 301 2101 win=2000 us=12900\n"
	"c PA 2101 301 len=1000 us=13000\n"
	"c PA 3101 301 len=1000 us=13100\n"
	"c PA 4101 301 len=1000 us=23000\n"
	"c PA 5101 301 len=1000 us=23100\n"
	"s A 301 6101 win=2000 us=32900\n"
	"c PA 6101 301 len=1000 us=33000\n"
	"c PA 7101 301 len=1000 us=33100\n"
	"s A 301 8101 win=2000 us=42900\n"
	"c PA 8101 301 len=1000 us=43000\n"
	"c PA 9101 301 len=1000 us=43100\n"
	"s A 301 10101 win=2000 us=52900\n"
	"c PA 10101 301 len=1000 us=53000\n"
	"c PA 11101 301 len=1000 us=53100\n"
	"s A 301 12101 win=2000 us=62900\n"
	"c PA 12101 301 len=1000 us=63000\n"
	"c PA 13101 301 len=1000 us=63100\n"
	"s A 301 14101 win=2000 us=72900\n"
	"c PA 14101 301 len=1000 us=73000\n"
	"c PA 15101 301 len=1000 us=73100\n"
	"s A 301 16101 win=2000 us=82900\n"
	"c PA 16101 301 len=1000 us=83000\n"
	"c PA 17101 301 len=1000 us=83100\n"
	"s A 301 18101 win=2000 us=92900\n"
	"c PA 18101 301 len=1000 us=93000\n"
	"c PA 19101 301 len=1000 us=93100\n"
	"s A 301 20101 win=2000 us=102900\n"
	"c PA 20101 301 len=1000 us=103000\n"
	"c PA 21101 301 len=1000 us=103100\n"
	"s A 301 22101 win=2000 us=112900\n"
	"c PA 22101 301 len=1000 us=113000\n"
	"c PA 23101 301 len=1000 us=113100\n"
	"s A 301 24101 win=2000 us=122900\n"
	"c FA 24101 301 us=123000\n"
	"s FA 301 24102 win=2000 us=124000\n"
	"c A 24102 302 us=125000\n",
	TC_LIMIT_RECEIVER_WINDOW, "Open",
	-1, -1, -1, 0, -1, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
    {
	/* The packets the IP ID skipped reached the receiver (capture
	 * loss): it acknowledged bytes never captured, and the next segment
	 * skips them. No stall. */
	"ipid-capture-loss",
	OPEN
	"c PA 101 301 len=1000 us=3000\n"
	"c PA 1101 301 len=1000 us=3100\n"
	"c PA 2101 301 len=1000 us=3200\n"
	"s A 301 5101 win=9000 us=13000\n"         /* 3101..5101 unseen */
	"c PA 5101 301 len=1000 id=1020 us=1013000\n"
	"s A 301 6101 win=9000 us=1023000\n"
	"c FA 6101 301 id=1021 us=1024000\n"
	"s FA 301 6102 win=9000 us=1025000\n"
	"c A 6102 302 id=1022 us=1026000\n",
	TC_LIMIT_APPLICATION, "Open",
	-1, -1, -1, 0, -1, 0, 0,
	0, 0,
	0, 0, 0, 0, 0, 0,
	{ { 0, NULL, 0 } },
	TC_LIMIT_NONE,
    },
};

static void check_case(const struct cc_case *k)
{
	struct res r;
	run(k->script, &r);
	const struct tc_transfer *x = &r.dir[0].xfer;
	char path[256];
	path_text(x, path, sizeof path);
	printf("  case %s\n", k->name);
	CHECK_STR(tc_limit_name(x->limited_by), tc_limit_name(k->limited_by));
	CHECK_STR(path, k->path);
	/* The partition: busy + idle is the duration. */
	CHECK_EQ(x->busy_ns + x->idle_ns, r.duration);
	CHECK_EQ(r.dir[1].xfer.busy_ns + r.dir[1].xfer.idle_ns, r.duration);
	CHECK(x->rwnd_limited_ns + x->cwnd_limited_ns + x->recovery_ns +
		  x->rto_stall_ns <=
	      x->busy_ns);
	CHECK(x->zero_window_ns <= x->rwnd_limited_ns);
	const int64_t got[7] = { x->busy_ns, x->idle_ns, x->rwnd_limited_ns,
				 x->zero_window_ns, x->cwnd_limited_ns,
				 x->recovery_ns, x->rto_stall_ns };
	const int64_t want[7] = { k->busy, k->idle, k->rwnd, k->zwnd, k->cwnd,
				  k->recovery, k->stall };
	for (int i = 0; i < 7; i++)
		if (want[i] >= 0)
			CHECK_EQ(got[i], want[i]);
	if (k->evidence_pkt) {
		CHECK_EQ(x->evidence_pkt, k->evidence_pkt);
		CHECK_EQ(x->evidence_ns, k->evidence_ns);
	}
	CHECK_EQ(x->rto_timeouts, k->timeouts);
	CHECK_EQ(x->rto_episodes, k->episodes);
	CHECK_EQ(x->rto_backoff_max, k->backoff_max);
	CHECK_EQ(x->fr_episodes, k->fast_recoveries);
	CHECK_EQ(x->fr_bytes, k->fr_bytes);
	CHECK_EQ(x->ssthresh, k->ssthresh);
	CHECK(x->cwnd_max <= x->flight_max);
	int n = 0;
	for (int i = 0; i < r.ncc; i++) {
		if (r.cc[i].side != 0)
			continue;
		CHECK(k->tr[n].pkt != 0);
		if (!k->tr[n].pkt)
			break;
		CHECK_EQ(r.cc[i].pkt, k->tr[n].pkt);
		CHECK(r.cc[i].rule < tc_cc_nrules);
		CHECK_STR(tc_cc_rules[r.cc[i].rule].name, k->tr[n].rule);
		CHECK_EQ(r.bytes[i], k->tr[n].bytes);
		n++;
	}
	CHECK_EQ(k->tr[n].pkt, 0);
	CHECK_EQ(x->cc_transitions, (uint32_t)n);
	CHECK_STR(tc_limit_name(r.dir[1].xfer.limited_by),
		  tc_limit_name(k->s2c_limited_by));
}

static void t_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		check_case(&cases[i]);
}

/* A direction that sent nothing: verdict none, no RTO estimate. */
static void t_no_data(void)
{
	struct res r;
	run(OPEN "c FA 101 301 us=3000\ns FA 301 102 us=4000\n"
		 "c A 102 302 us=5000\n",
	    &r);
	for (int d = 0; d < 2; d++) {
		CHECK_EQ(r.dir[d].xfer.limited_by, TC_LIMIT_NONE);
		CHECK_EQ(r.dir[d].xfer.rto_ns, -1);
		CHECK_EQ(r.dir[d].xfer.busy_ns + r.dir[d].xfer.idle_ns,
			 5 * MS);
		CHECK_EQ(r.dir[d].xfer.evidence_pkt, 0);
	}
}

/* RFC 6298: one sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT +
 * 4 RTTVAR = 3 R (above the 200 ms floor for R = 100 ms). */
static void t_rto_estimate(void)
{
	struct res r;
	run(OPEN "c PA 101 301 len=100 us=3000\n"
		 "s A 301 201 win=9000 us=103000\n"
		 "c FA 201 301 us=104000\ns FA 301 202 us=105000\n"
		 "c A 202 302 us=106000\n",
	    &r);
	CHECK_EQ(r.dir[0].xfer.rto_ns, 300 * MS);
}

/* Every rule moves between two states, ids in order, names unique. */
static void t_rule_table(void)
{
	CHECK(tc_cc_nrules > 0);
	for (size_t i = 0; i < tc_cc_nrules; i++) {
		const struct tc_cc_rule *r = &tc_cc_rules[i];
		CHECK_EQ(r->id, i);
		CHECK(r->to < TC_CC__COUNT);
		CHECK(r->from == TC_RULE_ANY || (r->from < TC_CC__COUNT &&
						 r->from != r->to));
		CHECK(r->by == TC_RULE_SENDER || r->by == TC_RULE_RECEIVER);
		CHECK(strlen(r->event) > 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(tc_cc_rules[j].name, r->name) != 0);
	}
	/* Every state but Open is entered by some rule and left by one. */
	for (unsigned s = 1; s < TC_CC__COUNT; s++) {
		int in = 0, out = 0;
		for (size_t i = 0; i < tc_cc_nrules; i++) {
			in += tc_cc_rules[i].to == s;
			out += tc_cc_rules[i].from == s ||
			       tc_cc_rules[i].from == TC_RULE_ANY;
		}
		CHECK(in > 0 && out > 0);
	}
	CHECK_STR(tc_cc_state_name(TC_CC_RECOVERY), "Recovery");
	CHECK_STR(tc_limit_name(TC_LIMIT_RECEIVER_WINDOW), "receiver_window");
	CHECK_STR(tc_cc_state_name(TC_CC__COUNT), "?");
}

static const struct unit_test tests[] = {
	UNIT(t_cases),
	UNIT(t_no_data),
	UNIT(t_rto_estimate),
	UNIT(t_rule_table),
	{ 0, 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
