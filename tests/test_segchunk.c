/*
 * test_segchunk.c - unit tests of analyzer/store/segchunk.c: interleaved
 * connections come out one connection per chunk, each in arrival order,
 * cut at per_chunk; a full buffer refuses and a flush empties it; the
 * element text is exact JSON (escaped options, null timestamps, negative
 * times, all 64 label bits); segchunk_each() reads a chunk back field for
 * field and refuses text that is not one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/store/segchunk.h"
#include "unit.h"

/* What the emitted chunks were, as "conn:first-last:n:list|...". */
static char got[1 << 16];

static int record(void *arg, const struct segchunk_out *o)
{
	(void)arg;
	size_t used = strlen(got);
	snprintf(got + used, sizeof got - used, "%lld:%llu-%llu:%u:%.*s|",
		 (long long)o->conn, (unsigned long long)o->first_pkt,
		 (unsigned long long)o->last_pkt, o->n, (int)o->len, o->list);
	return 0;
}

static struct segchunk_seg seg(uint64_t pkt)
{
	struct segchunk_seg s;
	memset(&s, 0, sizeof s);
	s.ts_ns = (int64_t)pkt * 10;
	s.pkt = pkt;
	return s;
}

static void t_interleaved(void)
{
	struct segchunk *sc = segchunk_new(1 << 20, 2);
	CHECK(sc != NULL);
	/* Packets 1..7 of connections 9, 5, 9, 9, 5, 9, 9. */
	const int64_t conn[] = {9, 5, 9, 9, 5, 9, 9};
	for (uint64_t i = 0; i < 7; i++) {
		struct segchunk_seg s = seg(i + 1);
		s.dir = conn[i] == 5;
		CHECK_EQ(segchunk_add(sc, conn[i], &s), 0);
	}
	CHECK_EQ(segchunk_pending(sc), 7);
	got[0] = '\0';
	CHECK_EQ(segchunk_flush(sc, record, NULL), 0);
	CHECK_EQ(segchunk_pending(sc), 0);
	CHECK_STR(got,
		  "5:2-5:2:[[20,2,1,0,0,0,0,0,0,null,null,null,0],"
		  "[50,5,1,0,0,0,0,0,0,null,null,null,0]]|"
		  "9:1-3:2:[[10,1,0,0,0,0,0,0,0,null,null,null,0],"
		  "[30,3,0,0,0,0,0,0,0,null,null,null,0]]|"
		  "9:4-6:2:[[40,4,0,0,0,0,0,0,0,null,null,null,0],"
		  "[60,6,0,0,0,0,0,0,0,null,null,null,0]]|"
		  "9:7-7:1:[[70,7,0,0,0,0,0,0,0,null,null,null,0]]|");
	/* Empty: nothing to emit. */
	got[0] = '\0';
	CHECK_EQ(segchunk_flush(sc, record, NULL), 0);
	CHECK_STR(got, "");
	segchunk_free(sc);
}

static void t_fields(void)
{
	struct segchunk *sc = segchunk_new(1 << 20, 8);
	CHECK(sc != NULL);
	struct segchunk_seg s = {
	    .ts_ns = -5,
	    .pkt = 18446744073709551615ull,
	    .dir = 1,
	    .flags = 0x1ff,
	    .seq = 4294967295u,
	    .ack = 1,
	    .len = 1448,
	    .caplen = 54,
	    .win = 65535,
	    .has_ts = 1,
	    .tsval = 0,
	    .tsecr = 4294967295u,
	    .options = "sack=1-2 \"x\"\\\n\x7f",
	    .labels = 0x8000000000000001ull,
	};
	CHECK_EQ(segchunk_add(sc, 3, &s), 0);
	got[0] = '\0';
	CHECK_EQ(segchunk_flush(sc, record, NULL), 0);
	CHECK_STR(got, "3:18446744073709551615-18446744073709551615:1:"
		       "[[-5,18446744073709551615,1,511,4294967295,1,1448,54,"
		       "65535,0,4294967295,"
		       "\"sack=1-2 \\\"x\\\"\\\\\\u000a\\u007f\","
		       "-9223372036854775807]]|");
	segchunk_free(sc);
}

/* Connections too far apart for the packed sort keys: sorted all the
 * same. */
static void t_far_apart(void)
{
	struct segchunk *sc = segchunk_new(1 << 20, 4);
	CHECK(sc != NULL);
	const int64_t conn[] = {INT64_C(1) << 40, 3, INT64_C(1) << 40, 3};
	for (uint64_t i = 0; i < 4; i++) {
		struct segchunk_seg s = seg(i + 1);
		CHECK_EQ(segchunk_add(sc, conn[i], &s), 0);
	}
	got[0] = '\0';
	CHECK_EQ(segchunk_flush(sc, record, NULL), 0);
	CHECK_STR(got,
		  "3:2-4:2:[[20,2,0,0,0,0,0,0,0,null,null,null,0],"
		  "[40,4,0,0,0,0,0,0,0,null,null,null,0]]|"
		  "1099511627776:1-3:2:[[10,1,0,0,0,0,0,0,0,null,null,null,0],"
		  "[30,3,0,0,0,0,0,0,0,null,null,null,0]]|");
	segchunk_free(sc);
}

static int stop_at_second(void *arg, const struct segchunk_out *o)
{
	int *calls = arg;
	(void)o;
	return ++*calls == 2 ? -7 : 0;
}

static void t_full_and_errors(void)
{
	/* The smallest buffer still holds two elements of any size. */
	struct segchunk *sc = segchunk_new(1, 1);
	CHECK(sc != NULL);
	size_t n = 0;
	struct segchunk_seg s = seg(1);
	while (segchunk_add(sc, (int64_t)n, &s) == 0)
		n++;
	CHECK(n >= 2);
	CHECK_EQ(segchunk_pending(sc), n);
	/* The emitter's error stops the flush; the buffer is empty after. */
	int calls = 0;
	CHECK_EQ(segchunk_flush(sc, stop_at_second, &calls), -7);
	CHECK_EQ(calls, 2);
	CHECK_EQ(segchunk_pending(sc), 0);
	CHECK_EQ(segchunk_add(sc, 1, &s), 0);
	segchunk_clear(sc);
	CHECK_EQ(segchunk_pending(sc), 0);
	segchunk_free(sc);
	segchunk_free(NULL);
}

/* segchunk_each(): what the writer wrote comes back. */
struct readback {
	struct segchunk_seg s[4];
	char opts[4][600];
	int n;
};

static int keep(void *arg, const struct segchunk_seg *s)
{
	struct readback *r = arg;
	if (r->n == 4)
		return 7;
	r->s[r->n] = *s;
	snprintf(r->opts[r->n], sizeof r->opts[0], "%s",
		 s->options ? s->options : "(null)");
	r->n++;
	return 0;
}

static char chunk[1 << 16];

static int copy_chunk(void *arg, const struct segchunk_out *o)
{
	(void)arg;
	snprintf(chunk, sizeof chunk, "%.*s", (int)o->len, o->list);
	return 0;
}

static void t_read_back(void)
{
	struct segchunk *sc = segchunk_new(1 << 20, 8);
	CHECK(sc != NULL);
	struct segchunk_seg a = seg(3), b = seg(18446744073709551615ull);
	a.ts_ns = -5;
	a.dir = 1;
	a.flags = 0x12;
	a.seq = 4294967295u;
	a.ack = 7;
	a.len = 1448;
	a.caplen = 100;
	a.win = 65535;
	a.has_ts = 1;
	a.tsval = 1;
	a.tsecr = 4294967295u;
	a.options = "sack=1-2 3-4,q\"\\\x01\xff";
	a.labels = 0x8000000000000001ull;
	CHECK_EQ(segchunk_add(sc, 1, &a), 0);
	CHECK_EQ(segchunk_add(sc, 1, &b), 0);
	CHECK_EQ(segchunk_flush(sc, copy_chunk, NULL), 0);
	struct readback r;
	memset(&r, 0, sizeof r);
	CHECK_EQ(segchunk_each(chunk, keep, &r), 0);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.s[0].ts_ns, -5);
	CHECK_EQ(r.s[0].pkt, 3);
	CHECK_EQ(r.s[0].dir, 1);
	CHECK_EQ(r.s[0].flags, 0x12);
	CHECK_EQ(r.s[0].seq, 4294967295u);
	CHECK_EQ(r.s[0].ack, 7);
	CHECK_EQ(r.s[0].len, 1448);
	CHECK_EQ(r.s[0].caplen, 100);
	CHECK_EQ(r.s[0].win, 65535);
	CHECK_EQ(r.s[0].has_ts, 1);
	CHECK_EQ(r.s[0].tsval, 1);
	CHECK_EQ(r.s[0].tsecr, 4294967295u);
	CHECK_STR(r.opts[0], "sack=1-2 3-4,q\"\\\x01\xff");
	CHECK(r.s[0].labels == 0x8000000000000001ull);
	CHECK(r.s[1].pkt == 18446744073709551615ull);
	CHECK_EQ(r.s[1].has_ts, 0);
	CHECK_STR(r.opts[1], "(null)");
	/* fn stops it; an empty chunk is none; damage is refused. */
	memset(&r, 0, sizeof r);
	r.n = 4;
	CHECK_EQ(segchunk_each(chunk, keep, &r), 7);
	memset(&r, 0, sizeof r);
	CHECK_EQ(segchunk_each("[]", keep, &r), 0);
	CHECK_EQ(r.n, 0);
	static const char *const bad[] = {
		"", "[", "[[1,2]]", "[[1,2,3,4,5,6,7,8,9,null,null,null]]",
		"[[1,2,3,4,5,6,7,8,9,null,null,\"x,0]]",
		"[[1,2,3,4,5,6,7,8,9,null,null,null,0]", "{}",
		"[[1,2,3,4,5,6,7,8,9,null,null,\"\\u00zz\",0]]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&r, 0, sizeof r);
		CHECK_EQ(segchunk_each(bad[i], keep, &r), -1);
	}
	CHECK_EQ(segchunk_each(NULL, keep, &r), -1);
	segchunk_free(sc);
}

static const struct unit_test tests[] = {
    UNIT(t_interleaved),
    UNIT(t_fields),
    UNIT(t_far_apart),
    UNIT(t_full_and_errors),
    UNIT(t_read_back),
    {0},
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
