/*
 * test_ladder.c - unit tests of analyzer/query/ladder.c, the streamed
 * ladder: rows in packet order from the stored segments, each joined with
 * its packet's labels, transitions placed on their rows or on rows of
 * their own, and the events read once, however many rows follow the last
 * labelled packet (work counted in SQLite's virtual-machine steps, not by
 * a clock).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../analyzer/query/ladder.h"
#include "../analyzer/status.h"
#include "../analyzer/store/store.h"
#include "../tcpcore/tcpcore.h"
#include "unit.h"

#define NSEG 3000

/* One connection of NSEG segments stored, labelled on packet 2 only; a
 * client transition on packet 1, a timer transition after the last. */
static struct store *one_flow(void)
{
	struct store *st = NULL;
	char err[512];
	if (store_open(NULL, STORE_MEMORY | STORE_CREATE | STORE_SEGMENTS, &st,
		       err, sizeof err) != 0)
		return NULL;
	struct store_capture cap = { "ladder.pcap", 1000, "1adde7", "EN10MB",
				     65535, 0, NULL };
	int64_t cid;
	int r = store_capture_begin(st, &cap, 0, &cid);
	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_OPEN;
	ev.conn_id = 1;
	if (!r)
		r = store_event(st, &ev, NULL);
	for (int p = 1; !r && p <= NSEG; p++) {
		struct tc_segment seg;
		memset(&ev, 0, sizeof ev);
		memset(&seg, 0, sizeof seg);
		ev.type = TC_EV_SEGMENT;
		ev.conn_id = 1;
		ev.dir = (uint8_t)(p & 1);
		seg.ts_ns = 1000 * (int64_t)p;
		seg.pkt = (uint64_t)p;
		seg.flags = p == 1 ? TC_SYN : TC_ACK;
		seg.seq = (uint32_t)p;
		seg.window = 100;
		r = store_event(st, &ev, &seg);
		if (!r && p == 2) {
			memset(&ev, 0, sizeof ev);
			ev.type = TC_EV_LABEL;
			ev.conn_id = 1;
			ev.pkt = 2;
			ev.ts_ns = 2000;
			ev.label = TC_LB_DUP_ACK;
			r = store_event(st, &ev, NULL);
		}
	}
	static const struct tc_transition tr[2] = {
		{ 1000, 1, TC_CLIENT, TC_ST_CLOSED, TC_ST_SYN_SENT, 0, 0 },
		{ 1000 * (NSEG + 10), 0, TC_CLIENT, TC_ST_SYN_SENT,
		  TC_ST_CLOSED, 0, 0 },
	};
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	c.id = 1;
	c.first_ts = 1000;
	c.last_ts = 1000 * NSEG;
	c.first_pkt = 1;
	c.last_pkt = NSEG;
	c.observed[0] = c.observed[1] = 1;
	c.transitions = tr;
	c.ntransitions = 2;
	c.state[0] = TC_ST_CLOSED;
	c.state[1] = TC_ST_UNKNOWN;
	c.rtt.handshake = c.rtt.to_server = c.rtt.to_client = -1;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_CLOSE;
	ev.conn_id = 1;
	ev.conn = &c;
	if (!r)
		r = store_event(st, &ev, NULL);
	struct store_capture_stats s;
	memset(&s, 0, sizeof s);
	if (!r)
		r = store_capture_end(st, &s);
	if (r) {
		store_close(st);
		return NULL;
	}
	return st;
}

/* The virtual-machine steps of the statements on the events. */
static long long event_steps;

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	(void)x;
	const char *sql = type == SQLITE_TRACE_PROFILE ? sqlite3_sql(p) : NULL;
	if (sql && strstr(sql, "FROM events"))
		event_steps +=
		    sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 0);
	return 0;
}

struct seen {
	long rows, segs, labelled, timers;
	int64_t last_pkt;
	int ordered;
	char init0[16];
};

static int on_start(void *arg, const struct ladder_info *in)
{
	struct seen *s = arg;
	snprintf(s->init0, sizeof s->init0, "%s", in->init[0]);
	return 0;
}

static int on_row(void *arg, const struct ladder_row *r)
{
	struct seen *s = arg;
	s->rows++;
	if (r->has_seg) {
		s->segs++;
		if (r->pkt <= s->last_pkt)
			s->ordered = 0;
		s->last_pkt = r->pkt;
	}
	if (r->labels[0])
		s->labelled += strcmp(r->labels, "dup-ack") == 0 && r->pkt == 2;
	if (!r->has_seg && r->pkt == 0 && r->ntr == 1)
		s->timers++;
	return 0;
}

static void t_stream(void)
{
	struct store *st = one_flow();
	CHECK(st != NULL);
	if (!st)
		return;
	sqlite3 *db = store_db(st);
	sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, on_trace, NULL);
	struct ladder *l = NULL;
	char err[512];
	CHECK_EQ(ladder_open(db, 1, NULL, &l, err, sizeof err), 0);
	struct seen s = { 0, 0, 0, 0, 0, 1, "" };
	static const struct ladder_sink sink = { on_start, on_row };
	event_steps = 0;
	CHECK_EQ(ladder_run(l, &sink, &s, err, sizeof err), 0);
	ladder_close(l);
	CHECK_EQ(s.segs, NSEG);
	CHECK(s.ordered);
	CHECK_EQ(s.labelled, 1);
	CHECK_EQ(s.timers, 1);         /* the timer on a row of its own */
	CHECK_EQ(s.rows, NSEG + 1);
	CHECK_STR(s.init0, "CLOSED");
	/* One label row: the cursor is read once, not again for each of the
	 * thousands of rows after it (a step after the end starts a
	 * statement over). */
	CHECK(event_steps < 200);
	if (event_steps >= 200)
		printf("# %lld steps on the events for one label row\n",
		       event_steps);
	/* A missing flow is said so. */
	CHECK_EQ(ladder_open(db, 99, NULL, &l, err, sizeof err), EX_NOTFOUND);
	CHECK(strstr(err, "no flow 99") != NULL);
	store_close(st);
}

static const struct unit_test tests[] = {
	UNIT(t_stream),
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
