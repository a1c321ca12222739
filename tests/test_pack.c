/*
 * test_pack.c - the codec of packed records (tcpcore/pack.c): tc_pack()
 * then tc_unpack() must give back the bytes that were packed, whatever
 * they are. Captures only make plausible states, so the tests write a
 * tracker's record directly (through tcpcore/internal.h) with what none
 * makes: all zeros, all ones, random bytes, the longest encoding, values
 * repeated near and far, small values far apart; then states of real
 * connections, fed segment by segment. Each round trip also checks the
 * packed size against the codec's bound (a tag and two 4-byte literals a
 * word).
 */
#include <stddef.h>
#include <stdlib.h>

#include "../tcpcore/internal.h"
#include "segscript.h"
#include "unit.h"

#define STATE_OFF offsetof(struct tc_cx, c)
#define STATE_LEN (sizeof(struct tc_cx) - STATE_OFF)
#define WORDS (STATE_LEN / 8)
#define HALVES (STATE_LEN / 4)

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	uint32_t x = rnd_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rnd_state = x;
}

/* Feeds the script (segscript.h lines, one a string) to tr, draining the
 * events; returns 0, or -1 if a feed failed. */
static int feed(struct tc_tracker *tr, const char *const *lines, size_t n)
{
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	struct tc_event ev;
	for (size_t i = 0; i < n; i++) {
		struct tc_segment s;
		if (!seg_parse(lines[i], &s, &clk))
			return -1;
		s.pkt = i + 1;
		if (tc_feed(tr, &s) != 0)
			return -1;
		while (tc_next_event(tr, &ev))
			;
	}
	return 0;
}

/* A tracker that never packs by itself, holding connection 1 (a SYN). */
static struct tc_tracker *one_conn(void)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.pack_idle_ns = -1;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	static const char *const syn[] = { "c S 100 0" };
	if (tr && feed(tr, syn, 1) != 0) {
		tc_tracker_free(tr);
		tr = NULL;
	}
	return tr;
}

/* Connection 1 of tr as a full record, or NULL. */
static struct tc_cx *conn1(struct tc_tracker *tr)
{
	struct tc_node *n = tc_table_node_id(tr, 1);
	if (!n || (n->flags & TC_N_PACKED))
		return NULL;
	return (struct tc_cx *)n;
}

/* Fills connection 1's state with what set() writes over every byte,
 * then puts back what has to agree with the node (identity, id, last_ts)
 * and the lists (links, c.transitions): pack.c encodes none of it. */
static struct tc_cx *fill(struct tc_tracker *tr,
			  void (*set)(uint8_t *st, size_t n))
{
	struct tc_cx *cx = conn1(tr);
	if (!cx)
		return NULL;
	struct tc_cx keep = *cx;
	set((uint8_t *)cx + STATE_OFF, STATE_LEN);
	struct tc_conn *c = &cx->c;
	c->id = keep.c.id;
	c->last_ts = keep.c.last_ts;
	memcpy(c->addr, keep.c.addr, sizeof(c->addr));
	memcpy(c->port, keep.c.port, sizeof(c->port));
	memcpy(c->vlan, keep.c.vlan, sizeof(c->vlan));
	c->tunnel = keep.c.tunnel;
	c->tunnel_id = keep.c.tunnel_id;
	memcpy(c->observed, keep.c.observed, sizeof(c->observed));
	c->transitions = cx->tr;
	cx->fprev = keep.fprev;
	cx->fnext = keep.fnext;
	cx->trx = NULL; /* not encoded: an array the record would own */
	cx->trcap = 0;
	return cx;
}

/* Packs and unpacks connection 1 of tr. Returns 1 if the record came
 * back with the same bytes (but for the lists' links), in its place;
 * *len gets the length of the packed state. */
static int round_trip(struct tc_tracker *tr, size_t *len)
{
	struct tc_cx *cx = conn1(tr);
	if (!cx)
		return 0;
	static struct tc_cx before; /* 2.7 kB, off the stack */
	before = *cx;
	if (tc_pack(tr, cx) != 0)
		return 0;
	struct tc_node *n = tc_table_node_id(tr, 1);
	if (!n || !(n->flags & TC_N_PACKED) || n->id != before.n.id)
		return 0;
	*len = n->size - sizeof(struct tc_node);
	struct tc_cx *back = tc_unpack(tr, n, NULL, 1);
	if (!back || back != conn1(tr))
		return 0;
	if (back->c.transitions !=
	    (before.trx ? (const struct tc_transition *)before.trx
			: back->tr))
		return 0;
	before.c.transitions = back->c.transitions;
	before.fprev = back->fprev;
	before.fnext = back->fnext;
	return memcmp(&back->c, &before.c, STATE_LEN) == 0 &&
	       back->n.id == before.n.id &&
	       back->n.last_ts == before.n.last_ts &&
	       memcmp(&back->n.key, &before.n.key, sizeof(before.n.key)) == 0;
}

/* ---- States no capture makes -------------------------------------------- */

static void set_zeros(uint8_t *st, size_t n)
{
	memset(st, 0, n);
}

static void set_ones(uint8_t *st, size_t n)
{
	memset(st, 0xff, n);
}

static void set_random(uint8_t *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st[i] = (uint8_t)rnd();
}

/* Every half a different 4-byte value: the longest encoding. */
static void set_distinct(uint8_t *st, size_t n)
{
	for (size_t h = 0; h < n / 4; h++) {
		uint32_t v = 0x80000000u | (uint32_t)h << 16 | (rnd() & 0xffff);
		memcpy(st + 4 * h, &v, 4);
	}
}

/* Mostly zero words; the others with halves of 0 to 4 significant bytes,
 * some 0xffffffff: zero runs of every length, literals of every width. */
static void set_sparse(uint8_t *st, size_t n)
{
	memset(st, 0, n);
	for (size_t h = 0; h < n / 4; h++) {
		if (rnd() % 4)
			continue;
		uint32_t r = rnd(), v;
		switch (r % 6) {
		case 0: v = r >> 24; break;
		case 1: v = r >> 16; break;
		case 2: v = r >> 8; break;
		case 3: v = r | 0x80000000u; break;
		case 4: v = 0xffffffffu; break;
		default: v = 0; break;
		}
		memcpy(st + 4 * h, &v, 4);
	}
}

/* Halves drawn from a few values of each width, so that every value
 * recurs at distances near and far (beyond the one-byte distance too):
 * copies of every kind, and small values that are cheaper as literals. */
static void set_repeats(uint8_t *st, size_t n)
{
	uint32_t pool[12];
	for (int i = 0; i < 12; i++) {
		uint32_t r = rnd();
		pool[i] = i < 3 ? (r & 0xff) | 1 : i < 6 ? (r & 0xffff) | 0x100
			: i < 9 ? (r & 0xffffff) | 0x10000 : r | 0x1000000;
	}
	for (size_t h = 0; h < n / 4; h++) {
		uint32_t r = rnd(), v = r % 3 ? 0 : pool[r % 12];
		memcpy(st + 4 * h, &v, 4);
	}
}

/* A value here and there, each next copy at a chosen distance: a near
 * one, a one-byte one, a two-byte one (3 and 4-byte values; 2-byte ones
 * are then literals), the longest. */
static void set_far(uint8_t *st, size_t n)
{
	static const size_t dist[] = { 1, 2, 4, 6, 8, 14, 28, 154, 3, 200,
				       255, 256, 300, HALVES - 1 };
	memset(st, 0, n);
	for (size_t i = 0; i < sizeof(dist) / sizeof(dist[0]); i++) {
		size_t at = rnd() % (HALVES - dist[i]);
		uint32_t v = i % 3 == 0 ? (rnd() & 0xffff) | 0x100
			   : i % 3 == 1 ? (rnd() & 0xffffff) | 0x10000
					: rnd() | 0x1000000;
		memcpy(st + 4 * at, &v, 4);
		memcpy(st + 4 * (at + dist[i]), &v, 4);
	}
}

static void t_pack_zeros(void)
{
	struct tc_tracker *tr = one_conn();
	CHECK(tr != NULL);
	CHECK(fill(tr, set_zeros) != NULL);
	size_t len;
	CHECK(round_trip(tr, &len));
	CHECK_EQ(len, 2 * ((WORDS + 255) / 256)); /* zero runs alone */
	tc_tracker_free(tr);
}

static void t_pack_ones(void)
{
	struct tc_tracker *tr = one_conn();
	CHECK(tr != NULL);
	CHECK(fill(tr, set_ones) != NULL);
	size_t len;
	CHECK(round_trip(tr, &len));
	CHECK(len <= WORDS + 16); /* a tag a word, a few zero runs */
	tc_tracker_free(tr);
}

/* Random, distinct, sparse, repeating and far states, many of each. */
static void t_pack_patterns(void)
{
	static const struct {
		const char *name;
		void (*set)(uint8_t *, size_t);
	} pat[] = {
		{ "random", set_random }, { "distinct", set_distinct },
		{ "sparse", set_sparse }, { "repeats", set_repeats },
		{ "far", set_far },
	};
	struct tc_tracker *tr = one_conn();
	CHECK(tr != NULL);
	size_t most = 0;
	for (size_t p = 0; p < sizeof(pat) / sizeof(pat[0]); p++)
		for (uint32_t seed = 1; seed <= 200; seed++) {
			rnd_state = seed * 2654435761u;
			CHECK(fill(tr, pat[p].set) != NULL);
			size_t len;
			if (!round_trip(tr, &len)) {
				printf("# %s, seed %u\n", pat[p].name,
				       (unsigned)seed);
				CHECK(!"round trip");
			}
			CHECK(len <= WORDS * 9);
			if (len > most)
				most = len;
		}
	/* The distinct halves come close to the bound. */
	CHECK(most > WORDS * 8);
	tc_tracker_free(tr);
}

/* ---- Real connections --------------------------------------------------- */

/* Connection 1 after each segment of a conversation: handshake with
 * options, data both ways, a hole, a retransmission, SACK, keep-alive,
 * FINs; every state it went through packs and unpacks whole. */
static void t_pack_real(void)
{
	static const char *const lines[] = {
		"c S 1000 0 ws=7 mss=1460 ts=100/0",
		"s SA 5000 1001 ws=7 mss=1460 ts=900/100",
		"c A 1001 5001 ts=101/900",
		"c PA 1001 5001 len=100 ts=102/900",
		"s A 5001 1101 ts=901/102",
		"c PA 1101 5001 len=100 ts=103/901",
		"c PA 1301 5001 len=100 ts=104/901",
		"s A 5001 1201 ts=902/103 sack=1301-1401",
		"c PA 1201 5001 len=100 ts=105/902",
		"s A 5001 1401 ts=903/105",
		"s PA 5001 1401 len=300 ts=904/105",
		"c A 1401 5301 ts=106/904",
		"c A 1400 5301 ts=107/904 t=9000",
		"s A 5301 1401 ts=905/107",
		"c FA 1401 5301 ts=108/905",
		"s FA 5301 1402 ts=906/108",
		"c A 1402 5302 ts=109/906",
	};
	struct tc_config cfg;
	tc_config_default(&cfg);
	cfg.pack_idle_ns = -1;
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	CHECK(tr != NULL);
	size_t n = sizeof(lines) / sizeof(lines[0]), len = 0;
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	struct tc_event ev;
	for (size_t i = 0; i < n; i++) {
		struct tc_segment s;
		CHECK(seg_parse(lines[i], &s, &clk));
		s.pkt = i + 1;
		CHECK_EQ(tc_feed(tr, &s), 0);
		while (tc_next_event(tr, &ev))
			;
		CHECK(round_trip(tr, &len));
		CHECK(len > 0 && len <= WORDS * 9);
	}
	const struct tc_conn *c = tc_conn_get(tr, 1);
	CHECK(c != NULL && c->state[TC_CLIENT] == TC_ST_TIME_WAIT &&
	      c->state[TC_SERVER] == TC_ST_CLOSED);
	/* A closed connection packs to a few hundred bytes. */
	CHECK(len < 1024);
	printf("# a closed connection's state packs to %zu bytes\n", len);
	tc_tracker_free(tr);
}

static const struct unit_test tests[] = {
	UNIT(t_pack_zeros),
	UNIT(t_pack_ones),
	UNIT(t_pack_patterns),
	UNIT(t_pack_real),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
