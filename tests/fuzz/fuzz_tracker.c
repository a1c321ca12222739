/*
 * fuzz_tracker.c - libFuzzer entry point for tcpcore, the tracker alone.
 *
 * The input is two configuration bytes, then a sequence of 12-byte segment
 * records (a trailing partial record is ignored). Records name flows and
 * sequence numbers compactly, relative to per-flow bases, so that mutations
 * stay near real conversations instead of random 32-bit numbers:
 *
 *   byte  0   config: bits 0-1 max_conns {1, 2, 3, 1000}; bit 2 idle
 *             timeout 5 s; bit 3 msl 1 s; bit 4 ignore_vlan; bit 5
 *             max_events 8; bits 6-7 allocation failures: 0 none, 1 the
 *             N-th allocation fails (N = byte 1), 2 every N-th fails,
 *             3 every allocation from the N-th on fails
 *   byte  1   N for the allocation failures; bit 7 also packs every
 *             connection but the one fed after each segment
 *             (pack_idle_ns 0); without allocation failures, bits 0-1
 *             pick the memory budget: default, none, 600 kB (a few
 *             connections), 1 byte (only the connection fed stays)
 *
 *   record    r[0] who: bits 0-1 client port 40000+k, bit 2 direction
 *                  (1: server to client), bit 3 IPv6, bit 4 VLAN 7,
 *                  bit 5 server port 443 instead of 80, bit 6 AE flag,
 *                  bit 7 bad checksum
 *             r[1] flags FIN SYN RST PSH ACK URG ECE CWR (bit 0..7)
 *             r[2] time: +r[2] ms; 254: +200 s; 255: -1 s (time goes back);
 *                  253: r[10] s above INT64_MIN, 252: r[10] s below
 *                  INT64_MAX (garbage timestamps: a pcapng if_tsoffset
 *                  or 64-bit stamp can wrap to anything)
 *             r[3..4] seq, big-endian int16 added to the sender's base
 *             r[5..6] ack, big-endian int16 added to the receiver's base
 *             r[7] payload length
 *             r[8] window (r[8] * 257)
 *             r[9] options: bit 0 MSS, 1 window scale (r[10] & 15),
 *                  2 SACK-permitted, 3 one SACK block (from ack + 10 *
 *                  r[10], 100 bytes), 4 timestamps, 5 TFO cookie, 6 the
 *                  payload was snapped (half captured), 7 unknown option
 *             r[10] option parameter
 *             r[11] TTL, low byte of the IP ID, payload hash salt
 *
 * Each segment is fed (tc_feed()), events are drained after every feed,
 * then tc_finish() and a last drain. The harness aborts when a promise of
 * tcpcore.h breaks:
 *   - every event names a connection that was opened (its SEGMENT may come
 *     just before its OPEN in the same batch), nothing follows its CLOSE,
 *     every opened connection is closed exactly once by the end;
 *   - names are in range: states, labels, reasons, close, handshake; a
 *     transition's rule exists in tc_rules[] and agrees with it;
 *   - per side, a transition starts where the previous one ended, and the
 *     final state is the last transition's target;
 *   - a closed connection's packets are the SEGMENT events it got, it is
 *     finished, conn_state and history are terminated strings, and
 *     tc_conn_get() no longer finds it; an open one is found and not
 *     finished;
 *   - tracker statistics agree with the events;
 *   - tc_conn_refresh() changes nothing of the outcome: the input runs a
 *     second time with a refresh of every open connection after each
 *     drain, and every CLOSE must match the first run's;
 *   - within a budget the tracker holds no more than it (but for the
 *     connection fed and one array of its transitions).
 * The checks that need every event are skipped once the tracker reports
 * dropped events (max_events) or after an allocation failure. With
 * FUZZ_VERBOSE set in the environment it says what each input gave.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tcpcore/tcpcore.h"
#include "fuzz.h"


#define REC 12
#define MAX_RECS 4096

/* ---- Allocation hooks that fail on demand ------------------------------ */

struct fz_alloc {
	unsigned mode, n;
	unsigned long count;
	int failed;
};

static void *fz_malloc(void *ctx, size_t n)
{
	struct fz_alloc *a = ctx;
	unsigned long k = ++a->count;
	int fail = (a->mode == 1 && k == a->n) ||
		   (a->mode == 2 && a->n > 1 && k % a->n == 0) ||
		   (a->mode == 3 && k >= a->n);
	if (fail) {
		a->failed = 1;
		return NULL;
	}
	return malloc(n);
}

static void fz_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

/* ---- What the harness remembers per connection -------------------------- */

struct fz_conn {
	uint8_t opened, closed;
	uint8_t last_to[2]; /* 0xff: no transition seen */
	uint8_t cc_to[2];   /* each sender's congestion state (Open = 0) */
	uint64_t segs;
};

/* The figures of a CLOSE compared between the two runs. */
struct fz_final {
	uint64_t id;
	uint8_t state[2], close, handshake, midstream, data_on_syn, evicted;
	char conn_state[8], history[48];
	uint64_t packets[2], payload[2], wire[2];
	int64_t first_ts, last_ts;
};

struct fz_run {
	struct tc_tracker *tr;
	struct fz_alloc alloc;
	struct fz_conn *conns;
	size_t nconns;          /* ids 1..nconns-1 are possible */
	uint64_t opened, closed;
	struct fz_final *finals;
	size_t nfinals, cap_finals;
	int refresh;            /* second run: refresh open connections */
	size_t max_bytes;       /* the budget, 0: none */
	int exact;              /* no event dropped, no allocation failed */
};

static const struct tc_rule *rule_by_id(unsigned id)
{
	for (size_t i = 0; i < tc_nrules; i++)
		if (tc_rules[i].id == id)
			return &tc_rules[i];
	return NULL;
}

static void check_conn_strings(const struct tc_conn *c)
{
	CHECK(memchr(c->conn_state, '\0', sizeof c->conn_state) != NULL);
	CHECK(memchr(c->history, '\0', sizeof c->history) != NULL);
	CHECK(c->state[0] < TC_ST__COUNT && c->state[1] < TC_ST__COUNT);
	CHECK(c->close < TC_CLOSE__COUNT);
	CHECK(c->handshake < TC_HS__COUNT);
}

static void record_final(struct fz_run *run, const struct tc_conn *c)
{
	if (run->nfinals == run->cap_finals) {
		size_t n = run->cap_finals ? 2 * run->cap_finals : 16;
		struct fz_final *f = realloc(run->finals, n * sizeof *f);
		CHECK(f != NULL);
		run->finals = f;
		run->cap_finals = n;
	}
	struct fz_final *f = &run->finals[run->nfinals++];
	memset(f, 0, sizeof *f);
	f->id = c->id;
	f->state[0] = c->state[0];
	f->state[1] = c->state[1];
	f->close = c->close;
	f->handshake = c->handshake;
	f->midstream = c->midstream;
	f->data_on_syn = c->data_on_syn;
	f->evicted = c->evicted;
	/* Strings only up to their NUL: what follows it is not part of the
	 * value (a longer conn_state derived earlier may linger there). */
	memcpy(f->conn_state, c->conn_state,
	       strnlen(c->conn_state, sizeof f->conn_state - 1));
	memcpy(f->history, c->history,
	       strnlen(c->history, sizeof f->history - 1));
	for (int d = 0; d < 2; d++) {
		f->packets[d] = c->dir[d].packets;
		f->payload[d] = c->dir[d].payload_bytes;
		f->wire[d] = c->dir[d].wire_bytes;
	}
	f->first_ts = c->first_ts;
	f->last_ts = c->last_ts;
}

static void check_event(struct fz_run *run, const struct tc_event *ev)
{
	CHECK(ev->type <= TC_EV_CC);
	CHECK(ev->conn_id >= 1 && ev->conn_id < run->nconns);
	struct fz_conn *k = &run->conns[ev->conn_id];
	if (ev->conn)
		CHECK(ev->conn->id == ev->conn_id);
	switch (ev->type) {
	case TC_EV_SEGMENT:
		CHECK(!k->closed);
		CHECK(ev->dir <= 1);
		CHECK((ev->labels >> TC_LB__COUNT) == 0);
		k->segs++;
		break;
	case TC_EV_OPEN:
		CHECK(!k->opened);
		CHECK(ev->conn != NULL);
		k->opened = 1;
		k->last_to[0] = k->last_to[1] = 0xff;
		run->opened++;
		break;
	case TC_EV_TRANSITION: {
		CHECK(k->opened && !k->closed);
		const struct tc_transition *t = &ev->tr;
		CHECK(t->side <= 1 && t->side == ev->dir);
		CHECK(t->from < TC_ST__COUNT && t->to < TC_ST__COUNT);
		const struct tc_rule *r = rule_by_id(t->rule);
		CHECK(r != NULL);
		CHECK(r->to == t->to);
		CHECK(r->from == TC_RULE_ANY || r->from == t->from);
		if (ev->revised) {
			/* Withdrawn: the side's last move, undone. */
			if (run->exact)
				CHECK(k->last_to[t->side] == t->to);
			k->last_to[t->side] = t->from;
			break;
		}
		if (run->exact && k->last_to[t->side] != 0xff)
			CHECK(t->from == k->last_to[t->side]);
		k->last_to[t->side] = t->to;
		break;
	}
	case TC_EV_LABEL:
		CHECK(k->opened && !k->closed);
		CHECK(ev->dir <= 1);
		CHECK(ev->label < TC_LB__COUNT);
		CHECK(ev->reason < TC_RS__COUNT);
		CHECK(tc_label_name(ev->label)[0] != '?');
		if (ev->revised)
			CHECK(ev->old_label < TC_LB__COUNT);
		break;
	case TC_EV_CC: {
		CHECK(k->opened && !k->closed);
		const struct tc_transition *t = &ev->tr;
		CHECK(t->side <= 1 && t->side == ev->dir);
		CHECK(t->from < TC_CC__COUNT && t->to < TC_CC__COUNT);
		CHECK(t->from != t->to);
		CHECK(t->rule < tc_cc_nrules);
		const struct tc_cc_rule *r = &tc_cc_rules[t->rule];
		CHECK(r->to == t->to);
		CHECK(r->from == TC_RULE_ANY || r->from == t->from);
		if (run->exact)
			CHECK(t->from == k->cc_to[t->side]);
		k->cc_to[t->side] = t->to;
		break;
	}
	case TC_EV_CLOSE: {
		CHECK(k->opened && !k->closed);
		const struct tc_conn *c = ev->conn;
		CHECK(c != NULL);
		CHECK(c->finished);
		check_conn_strings(c);
		for (int d = 0; d < 2; d++) {
			const struct tc_transfer *x = &c->dir[d].xfer;
			CHECK(x->limited_by < TC_LIMIT__COUNT);
			CHECK((x->limited_by == TC_LIMIT_NONE) ==
			      (c->dir[d].payload_bytes == 0));
			CHECK(x->busy_ns >= 0 && x->idle_ns >= 0 &&
			      x->rwnd_limited_ns >= 0 &&
			      x->cwnd_limited_ns >= 0 && x->recovery_ns >= 0 &&
			      x->rto_stall_ns >= 0 && x->app_ns >= 0);
			CHECK(x->zero_window_ns <= x->rwnd_limited_ns);
			CHECK(x->cc_npath >= 1 && x->cc_npath <= TC_CC_PATH);
			if (run->exact)
				CHECK(x->cc_path[x->cc_npath - 1] ==
				      k->cc_to[d]);
		}
		CHECK(c->conn_state[0] != '\0');
		CHECK(tc_conn_get(run->tr, c->id) == NULL);
		if (run->exact) {
			for (int s = 0; s < 2; s++)
				if (k->last_to[s] != 0xff)
					CHECK(c->state[s] == k->last_to[s]);
			CHECK(c->dir[0].packets + c->dir[1].packets == k->segs);
		}
		k->closed = 1;
		run->closed++;
		record_final(run, c);
		break;
	}
	default:
		CHECK(0);
	}
}

static void drain(struct fz_run *run)
{
	struct tc_event ev;
	uint64_t batch_first = 0, batch_last = 0;
	int n = 0;
	while (tc_next_event(run->tr, &ev)) {
		check_event(run, &ev);
		if (n++ == 0 || ev.conn_id < batch_first)
			batch_first = ev.conn_id;
		if (ev.conn_id > batch_last)
			batch_last = ev.conn_id;
		CHECK(n < 1000000);
	}
	struct tc_stats st;
	tc_stats_get(run->tr, &st);
	if (st.events_dropped || run->alloc.failed)
		run->exact = 0;
	/* Every connection an event named is open or closed by now. */
	for (uint64_t id = batch_first; n && id <= batch_last; id++)
		if (run->conns[id].segs)
			CHECK(run->conns[id].opened);
	if (run->exact) {
		CHECK(st.conns == run->opened);
		CHECK(st.active == run->opened - run->closed);
	}
	if (run->max_bytes > 1)
		CHECK(st.bytes <= run->max_bytes + TC_TRANS_LIMIT * 24 ||
		      st.active <= 1);
	/* Open connections are found; the second run refreshes them. Each
	 * run looks a connection up once (tc_conn_get() or
	 * tc_conn_refresh(), which both unpack a packed one), so that both
	 * make the same allocations: after a failed unpack a second lookup
	 * would try again, and shift every later injected failure. */
	for (size_t id = 1; id < run->nconns; id++) {
		const struct fz_conn *k = &run->conns[id];
		if (!k->opened || k->closed)
			continue;
		const struct tc_conn *c = run->refresh
					      ? tc_conn_refresh(run->tr, id)
					      : tc_conn_get(run->tr, id);
		CHECK(c != NULL && !c->finished && c->close == TC_CLOSE_OPEN);
		if (run->refresh) {
			check_conn_strings(c);
			CHECK(c->conn_state[0] != '\0');
		}
	}
}

/* Per-flow sequence bases; key 2 of each family sits just below the wrap. */
static uint32_t base_of(unsigned key, int dir)
{
	if (dir == 0)
		return key % 5 == 2 ? 0xffffff00u : 1000u + key * 7919u;
	return 0x80000000u + key * 104729u;
}

static void make_segment(const uint8_t *r, int64_t *now, uint64_t pkt,
			 struct tc_segment *s)
{
	memset(s, 0, sizeof *s);
	unsigned k = r[0] & 3u, dir = (r[0] >> 2) & 1u, v6 = (r[0] >> 3) & 1u;
	unsigned key = (r[0] & 0x3bu); /* every flow-naming bit */
	if (r[2] == 253)
		*now = INT64_MIN + (int64_t)r[10] * 1000000000LL;
	else if (r[2] == 252)
		*now = INT64_MAX - (int64_t)r[10] * 1000000000LL;
	else if (r[2] == 255) /* wrapping, like the readers' arithmetic */
		*now = (int64_t)((uint64_t)*now - 1000000000u);
	else if (r[2] == 254)
		*now = (int64_t)((uint64_t)*now + 200u * 1000000000ull);
	else
		*now = (int64_t)((uint64_t)*now + r[2] * 1000000ull);
	s->ts_ns = *now;
	s->pkt = pkt;
	struct tc_addr cli = { .family = v6 ? 6 : 4 }, srv = cli;
	if (v6) {
		cli.a[0] = srv.a[0] = 0xfd;
		cli.a[15] = 1;
		srv.a[15] = 2;
	} else {
		cli.a[0] = srv.a[0] = 10;
		cli.a[3] = 1;
		srv.a[3] = 2;
	}
	uint16_t cport = (uint16_t)(40000u + k);
	uint16_t sport = (r[0] & 0x20u) ? 443 : 80;
	s->src = dir ? srv : cli;
	s->dst = dir ? cli : srv;
	s->sport = dir ? sport : cport;
	s->dport = dir ? cport : sport;
	if (r[0] & 0x10u)
		s->vlan[0] = 7;
	int16_t dseq = (int16_t)(uint16_t)(r[3] << 8 | r[4]);
	int16_t dack = (int16_t)(uint16_t)(r[5] << 8 | r[6]);
	s->seq = base_of(key, (int)dir) + (uint32_t)(int32_t)dseq;
	s->ack = base_of(key, (int)!dir) + (uint32_t)(int32_t)dack;
	s->flags = r[1];
	if (r[0] & 0x40u)
		s->flags |= TC_AE;
	s->csum = (r[0] & 0x80u) ? TC_CSUM_BAD : TC_CSUM_OK;
	s->window = (uint16_t)(r[8] * 257u);
	s->payload_len = r[7];
	s->payload_caplen = (r[9] & 0x40u) ? r[7] / 2u : r[7];
	if (s->payload_caplen)
		s->payload_hash = (s->seq * 2654435761u) ^ r[11] ^ r[7] ^ 1u;
	if (s->payload_hash == 0 && s->payload_caplen)
		s->payload_hash = 1;
	s->ttl = r[11];
	s->ip_id = v6 ? 0 : (uint16_t)(0x1200u | r[11]);
	s->ip_len = (v6 ? 40u : 20u) + 20u + r[7];
	struct tc_options *o = &s->opt;
	if (r[9] & 0x01u) {
		o->present |= TC_OPT_MSS;
		o->mss = 1460;
	}
	if (r[9] & 0x02u) {
		o->present |= TC_OPT_WSCALE;
		o->wscale = r[10] & 15u;
	}
	if (r[9] & 0x04u)
		o->present |= TC_OPT_SACK_PERM;
	if (r[9] & 0x08u) {
		o->present |= TC_OPT_SACK;
		o->nsack = 1;
		o->sack[0][0] = s->ack + 10u * r[10];
		o->sack[0][1] = o->sack[0][0] + 100u;
	}
	if (r[9] & 0x10u) {
		o->present |= TC_OPT_TS;
		o->tsval = (uint32_t)(*now / 1000000);
		o->tsecr = r[11];
	}
	if (r[9] & 0x20u) {
		o->present |= TC_OPT_TFO;
		o->tfo_cookie_len = r[10] & 1u ? 8 : 0;
	}
	if (r[9] & 0x80u)
		o->present |= TC_OPT_UNKNOWN;
}

/* Runs the whole input once; returns 0, or -1 when the tracker could not
 * even be made (allocation failure). */
static int run_once(struct fz_run *run, const uint8_t *data, size_t size)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	static const size_t maxc[4] = { 1, 2, 3, 1000 };
	cfg.max_conns = maxc[data[0] & 3u];
	if (data[0] & 0x04u)
		cfg.idle_timeout_ns = 5LL * 1000000000LL;
	if (data[0] & 0x08u)
		cfg.msl_ns = 1000000000LL;
	cfg.ignore_vlan = (data[0] >> 4) & 1;
	if (data[0] & 0x20u)
		cfg.max_events = 8;
	run->alloc.mode = data[0] >> 6;
	run->alloc.n = data[1];
	if (data[1] & 0x80u)
		cfg.pack_idle_ns = 0;
	static const size_t budget[4] = { TC_DEFAULT_MAX_BYTES, 0, 600000,
					  1 };
	if (run->alloc.mode == 0)
		cfg.max_bytes = budget[data[1] & 3u];
	run->max_bytes = cfg.max_bytes;
	cfg.tc_alloc = fz_malloc;
	cfg.tc_free = fz_free;
	cfg.alloc_ctx = &run->alloc;

	size_t nrec = (size - 2) / REC;
	if (nrec > MAX_RECS)
		nrec = MAX_RECS;
	run->nconns = nrec + 2;
	run->conns = calloc(run->nconns, sizeof *run->conns);
	CHECK(run->conns != NULL);
	run->exact = 1;
	run->tr = tc_tracker_new(&cfg);
	if (!run->tr)
		return -1;
	int64_t now = 1700000000LL * 1000000000LL;
	for (size_t i = 0; i < nrec; i++) {
		struct tc_segment s;
		make_segment(data + 2 + i * REC, &now, i + 1, &s);
		if (tc_feed(run->tr, &s) < 0)
			CHECK(run->alloc.failed);
		drain(run);
	}
	tc_finish(run->tr);
	drain(run);
	struct tc_stats st;
	tc_stats_get(run->tr, &st);
	CHECK(st.active == 0 || !run->exact);
	if (run->exact) {
		CHECK(run->closed == run->opened);
		CHECK(st.segments == nrec);
	}
	tc_tracker_free(run->tr);
	run->tr = NULL;
	return 0;
}

static void run_free(struct fz_run *run)
{
	free(run->conns);
	free(run->finals);
	memset(run, 0, sizeof *run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct fz_run a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	b.refresh = 1;
	int ra = run_once(&a, data, size);
	int rb = run_once(&b, data, size);
	CHECK(ra == rb);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "opened %llu closed %llu exact %d\n",
			(unsigned long long)a.opened,
			(unsigned long long)a.closed, a.exact);
	/* Both runs look every open connection up (tc_conn_get() unpacks a
	 * packed one the same way in both); refreshing one then allocates
	 * nothing, so both runs failed the same allocations and must end
	 * alike. */
	CHECK(a.nfinals == b.nfinals);
	for (size_t i = 0; i < a.nfinals; i++)
		CHECK(memcmp(&a.finals[i], &b.finals[i], sizeof a.finals[i]) ==
		      0);
	run_free(&a);
	run_free(&b);
	return 0;
}
