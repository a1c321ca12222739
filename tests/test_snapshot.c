/*
 * test_snapshot.c - the live view of open connections: store_conn_snapshot()
 * (analyzer/store/store.c), tc_conn_refresh() (tcpcore/iter.c) and the dirty set
 * that ing_checkpoint() (analyzer/ingest/ingest.c) writes before each commit.
 *
 * The first tests feed hand-made segments to a tracker and the events to an
 * in-memory store, the way ingest does, and read the connections row with
 * SQL. The last one writes a small pcap file (raw IPv4, checksums right)
 * and imports it packet by packet with a checkpoint in the middle of the
 * conversation, then looks at the database from a second connection, as
 * `tcpscope flows` would during `tcpscope live`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../analyzer/capture/capture.h"
#include "../analyzer/ingest/ingest.h"
#include "../analyzer/store/store.h"
#include "../tcpcore/tcpcore.h"
#include "unit.h"

/* ---- Hand-made segments --------------------------------------------- */

enum { CLI = 0, SRV = 1 };

static void seg(struct tc_segment *s, int from, uint16_t flags, uint32_t seq,
		uint32_t ack, uint32_t len, uint64_t pkt)
{
	memset(s, 0, sizeof *s);
	struct tc_addr a = { .family = 4, .a = { 192, 0, 2, 1 } };
	struct tc_addr b = { .family = 4, .a = { 192, 0, 2, 2 } };
	s->src = from == CLI ? a : b;
	s->dst = from == CLI ? b : a;
	s->sport = from == CLI ? 40000 : 80;
	s->dport = from == CLI ? 80 : 40000;
	s->flags = flags;
	s->seq = seq;
	s->ack = ack;
	s->window = 65535;
	s->payload_len = s->payload_caplen = len;
	s->payload_hash = len ? 0x1234u + (uint32_t)pkt : 0;
	s->csum = TC_CSUM_OK;
	s->ttl = 64;
	s->pkt = pkt;
	s->ts_ns = 1700000000000000000LL + (int64_t)pkt * 1000000;
}

/* Client ISN 100, server ISN 500: handshake, 10 bytes each way. */
static const struct {
	int from;
	uint16_t flags;
	uint32_t seq, ack, len;
} convo[] = {
	{ CLI, TC_SYN, 100, 0, 0 },
	{ SRV, TC_SYN | TC_ACK, 500, 101, 0 },
	{ CLI, TC_ACK, 101, 501, 0 },
	{ CLI, TC_PSH | TC_ACK, 101, 501, 10 },
	{ SRV, TC_PSH | TC_ACK, 501, 111, 10 },
	{ CLI, TC_ACK, 111, 511, 0 },
	/* the close, from index 6 on */
	{ CLI, TC_FIN | TC_ACK, 111, 511, 0 },
	{ SRV, TC_FIN | TC_ACK, 511, 112, 0 },
	{ CLI, TC_ACK, 112, 512, 0 },
};
#define NCONVO (sizeof convo / sizeof convo[0])
#define OPEN_PART 6

struct fixture {
	struct store *st;
	struct tc_tracker *tr;
	int64_t capture_id;
};

static int fx_open(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	char err[256];
	if (store_open(NULL, STORE_MEMORY | STORE_CREATE, &fx->st, err,
		       sizeof err) < 0)
		return -1;
	struct store_capture sc = { .path = "test", .size = -1, .live = 1 };
	if (store_capture_begin(fx->st, &sc, 0, &fx->capture_id) < 0)
		return -1;
	struct tc_config cfg;
	tc_config_default(&cfg);
	fx->tr = tc_tracker_new(&cfg);
	return fx->tr ? 0 : -1;
}

static void fx_close(struct fixture *fx)
{
	if (fx->tr)
		tc_tracker_free(fx->tr);
	if (fx->st)
		store_close(fx->st);
}

/* Feeds convo[from..to) and stores every event; -1 on a store error. */
static int fx_feed(struct fixture *fx, size_t from, size_t to, int store)
{
	for (size_t i = from; i < to; i++) {
		struct tc_segment s;
		seg(&s, convo[i].from, convo[i].flags, convo[i].seq,
		    convo[i].ack, convo[i].len, i + 1);
		if (tc_feed(fx->tr, &s) < 0)
			return -1;
		struct tc_event ev;
		while (tc_next_event(fx->tr, &ev))
			if (store && store_event(fx->st, &ev, &s) < 0)
				return -1;
	}
	return 0;
}

/* One row of text from a query; "" when no row; "NULL" for NULL. */
static void q_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
	out[0] = '\0';
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(out, len, "error: %s", sqlite3_errmsg(db));
		return;
	}
	if (sqlite3_step(s) == SQLITE_ROW) {
		size_t off = 0;
		for (int i = 0; i < sqlite3_column_count(s) && off < len; i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			int w = snprintf(out + off, len - off, "%s%s",
					 i ? "|" : "", t ? (const char *)t : "NULL");
			if (w < 0)
				break;
			off += (size_t)w;
		}
	}
	sqlite3_finalize(s);
}

static const char ROW_SQL[] =
    "SELECT c2s_packets, s2c_packets, c2s_payload_bytes, client_state,"
    " server_state, close, handshake, conn_state, history, last_pkt,"
    " client_states FROM connections";

static void t_snapshot_open_connection(void)
{
	struct fixture fx;
	char row[512];
	CHECK(fx_open(&fx) == 0);
	CHECK(fx_feed(&fx, 0, OPEN_PART, 1) == 0);
	sqlite3 *db = store_db(fx.st);
	/* Before: no row; a connection's row is written at its close or
	 * by a snapshot. */
	q_text(db, ROW_SQL, row, sizeof row);
	CHECK_STR(row, "");
	const struct tc_conn *c = tc_conn_refresh(fx.tr, 1);
	CHECK(c != NULL);
	CHECK(store_conn_snapshot(fx.st, c) == 0);
	q_text(db, ROW_SQL, row, sizeof row);
	CHECK_STR(row, "4|2|10|ESTABLISHED|ESTABLISHED|open|3way|S1|ShADd|6|"
		       "CLOSED SYN-SENT ESTABLISHED");
	/* A second snapshot after more segments updates the same row. */
	CHECK(fx_feed(&fx, OPEN_PART, OPEN_PART + 1, 1) == 0);
	c = tc_conn_refresh(fx.tr, 1);
	CHECK(c != NULL);
	CHECK(store_conn_snapshot(fx.st, c) == 0);
	q_text(db, "SELECT count(*), client_state, c2s_packets, close"
		   " FROM connections", row, sizeof row);
	CHECK_STR(row, "1|FIN-WAIT-1|5|open");
	/* The close still writes the final row. */
	CHECK(fx_feed(&fx, OPEN_PART + 1, NCONVO, 1) == 0);
	tc_finish(fx.tr);
	struct tc_event ev;
	while (tc_next_event(fx.tr, &ev))
		CHECK(store_event(fx.st, &ev, NULL) == 0);
	q_text(db, "SELECT count(*), close, conn_state, c2s_packets,"
		   " s2c_packets FROM connections", row, sizeof row);
	CHECK_STR(row, "1|fin|SF|6|3");
	fx_close(&fx);
}

static void t_snapshot_inserts_missing_row(void)
{
	struct fixture fx;
	char row[512];
	CHECK(fx_open(&fx) == 0);
	CHECK(fx_feed(&fx, 0, 3, 0) == 0); /* events not stored */
	const struct tc_conn *c = tc_conn_refresh(fx.tr, 1);
	CHECK(c != NULL);
	CHECK(store_conn_snapshot(fx.st, c) == 0);
	q_text(store_db(fx.st),
	       "SELECT count(*), client_ip, server_port, c2s_packets, close"
	       " FROM connections", row, sizeof row);
	CHECK_STR(row, "1|192.0.2.1|80|2|open");
	fx_close(&fx);
}

static void t_refresh_keeps_outcome(void)
{
	/* Refreshing after every segment must not change the final figures:
	 * the same conversation with and without refreshes. */
	char a[512], b[512];
	for (int pass = 0; pass < 2; pass++) {
		struct fixture fx;
		CHECK(fx_open(&fx) == 0);
		for (size_t i = 0; i < NCONVO; i++) {
			CHECK(fx_feed(&fx, i, i + 1, 1) == 0);
			const struct tc_conn *c = tc_conn_refresh(fx.tr, 1);
			if (pass && c) {
				CHECK(c->close == TC_CLOSE_OPEN);
				CHECK(store_conn_snapshot(fx.st, c) == 0);
			}
		}
		tc_finish(fx.tr);
		struct tc_event ev;
		while (tc_next_event(fx.tr, &ev))
			CHECK(store_event(fx.st, &ev, NULL) == 0);
		q_text(store_db(fx.st), ROW_SQL, pass ? b : a, sizeof a);
		fx_close(&fx);
	}
	CHECK_STR(b, a);
}

static void t_snapshot_not_importing(void)
{
	struct store *st;
	char err[256];
	CHECK(store_open(NULL, STORE_MEMORY | STORE_CREATE, &st, err,
			 sizeof err) == 0);
	struct tc_conn c;
	memset(&c, 0, sizeof c);
	c.id = 1;
	CHECK(store_conn_snapshot(st, &c) < 0);
	CHECK(store_errmsg(st)[0] != '\0');
	store_close(st);
}

/* ---- Through ingest, from a pcap file -------------------------------- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffffu);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static unsigned csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return ~sum & 0xffffu;
}

/* Writes convo[] as a raw-IPv4 pcap (LINKTYPE_RAW); 0 or -1. */
static int write_pcap(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	uint8_t h[24] = { 0 };
	le32(h, 0xa1b2c3d4u);
	h[4] = 2;
	h[6] = 4;
	le32(h + 16, 65535);
	le32(h + 20, 101);
	fwrite(h, 1, sizeof h, f);
	for (size_t i = 0; i < NCONVO; i++) {
		uint8_t p[60 + 16] = { 0 };
		uint8_t *ip = p + 16, *tcp = ip + 20;
		unsigned len = 40 + convo[i].len;
		const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
		int cli = convo[i].from == CLI;
		ip[0] = 0x45;
		put16(ip + 2, len);
		put16(ip + 4, (unsigned)i + 1);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, cli ? a : b, 4);
		memcpy(ip + 16, cli ? b : a, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		put16(tcp, cli ? 40000 : 80);
		put16(tcp + 2, cli ? 80 : 40000);
		put32(tcp + 4, convo[i].seq);
		put32(tcp + 8, convo[i].ack);
		tcp[12] = 0x50;
		tcp[13] = (uint8_t)convo[i].flags;
		put16(tcp + 14, 65535);
		memset(tcp + 20, 'x', convo[i].len);
		uint8_t pseudo[12];
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = 6;
		put16(pseudo + 10, len - 20);
		uint32_t sum = csum_add(0, pseudo, 12);
		put16(tcp + 16, csum_fold(csum_add(sum, tcp, len - 20)));
		le32(p, 1700000000u);
		le32(p + 4, (uint32_t)i * 1000);
		le32(p + 8, len);
		le32(p + 12, len);
		fwrite(p, 1, 16 + len, f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static void t_ingest_checkpoint_shows_open(void)
{
	char dir[] = "/tmp/test_snapshot.XXXXXX", pcap[64], dbp[64], row[512];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(pcap, sizeof pcap, "%s/a.pcap", dir);
	snprintf(dbp, sizeof dbp, "%s/a.db", dir);
	CHECK(write_pcap(pcap) == 0);
	char err[256];
	struct cap *c = cap_open_file(pcap, err, sizeof err);
	CHECK(c != NULL);
	struct store *st;
	CHECK(store_open(dbp, STORE_CREATE, &st, err, sizeof err) == 0);
	sqlite3 *reader;
	CHECK(sqlite3_open_v2(dbp, &reader, SQLITE_OPEN_READONLY, NULL) ==
	      SQLITE_OK);
	struct ing_options o;
	ing_options_default(&o);
	o.hash = 0;
	o.live_views = 1;
	struct store_capture sc = { .path = "a.pcap", .size = -1, .live = 1 };
	struct ing in;
	struct ing_result r;
	CHECK(ing_begin(&in, st, c, &sc, &o, &r) == ING_OK);
	struct cap_packet p;
	for (int i = 0; i < OPEN_PART; i++) {
		CHECK(cap_next(c, &p) == 1);
		CHECK(ing_packet(&in, &p) == ING_OK);
	}
	CHECK_EQ(r.tcp, OPEN_PART);
	CHECK(ing_checkpoint(&in) == ING_OK);
	/* Another process sees the open connection with its figures. */
	q_text(reader, ROW_SQL, row, sizeof row);
	CHECK_STR(row, "4|2|10|ESTABLISHED|ESTABLISHED|open|3way|S1|ShADd|6|"
		       "CLOSED SYN-SENT ESTABLISHED");
	/* Nothing changed since: the next checkpoint writes no snapshot, and
	 * a connection closed meanwhile is written by its close only. */
	CHECK(ing_checkpoint(&in) == ING_OK);
	while (cap_next(c, &p) == 1)
		CHECK(ing_packet(&in, &p) == ING_OK);
	CHECK(ing_end(&in, c, NULL) == ING_OK);
	q_text(reader, "SELECT count(*), close, conn_state, c2s_packets,"
		       " s2c_packets FROM connections", row, sizeof row);
	CHECK_STR(row, "1|fin|SF|6|3");
	sqlite3_close(reader);
	store_close(st);
	cap_close(c);
	unlink(pcap);
	unlink(dbp);
	char x[80];
	snprintf(x, sizeof x, "%s-wal", dbp);
	unlink(x);
	snprintf(x, sizeof x, "%s-shm", dbp);
	unlink(x);
	rmdir(dir);
}

static const struct unit_test tests[] = {
	UNIT(t_snapshot_open_connection),
	UNIT(t_snapshot_inserts_missing_row),
	UNIT(t_refresh_keeps_outcome),
	UNIT(t_snapshot_not_importing),
	UNIT(t_ingest_checkpoint_shows_open),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
