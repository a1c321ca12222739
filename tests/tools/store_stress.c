/*
 * store_stress.c - drives the store with synthetic connections, for the
 * crash (SIGKILL), concurrency and full-disk tests of tests/t_store.sh.
 *
 *   store_stress write DB SHA NCONNS [-r] [-s] [-c EVERY] [-u USEC]
 *       Imports one capture named "synthetic-SHA" with hash SHA and NCONNS
 *       fake connections (each: OPEN, 3 transitions, 2 labels, 4 segments
 *       with -s, CLOSE), committing every EVERY connections (default 500),
 *       sleeping USEC microseconds after each commit. -r replaces an
 *       existing capture. Prints "done ID", or "skipped" (exit 3) when the
 *       capture is already there, or the store's message (exit 4).
 *   store_stress read DB N
 *       Opens DB read-only and counts connection rows N times, 10 ms apart.
 *       Fails (exit 1) on any error or if a count ever goes down while the
 *       capture rows stay; prints "reads N min A max B".
 *   store_stress create DB VERSION
 *       Creates DB with the schema of an older VERSION, as that tcpscope
 *       did (store_create_version()), for the upgrade tests. Prints
 *       "created", or the store's message (exit 4).
 *
 * The connection contents are a pure function of (SHA, index), so a test
 * can compare two imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../analyzer/store/store.h"

static void fake_conn(struct tc_conn *c, struct tc_transition tr[3],
		      uint64_t id, int64_t t0)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->addr[0].family = 4;
	c->addr[0].a[0] = 10;
	c->addr[0].a[2] = (uint8_t)(id >> 8);
	c->addr[0].a[3] = (uint8_t)id;
	c->addr[1].family = 4;
	c->addr[1].a[0] = 192;
	c->addr[1].a[1] = 168;
	c->addr[1].a[3] = 1;
	c->port[0] = (uint16_t)(1024 + id % 60000);
	c->port[1] = (uint16_t)(id % 7 == 0 ? 443 : 80);
	c->first_ts = t0;
	c->last_ts = t0 + 3000000;
	c->first_pkt = id * 4;
	c->last_pkt = id * 4 + 3;
	c->observed[0] = c->observed[1] = 1;
	tr[0] = (struct tc_transition){t0,	     id * 4,	     TC_CLIENT,
				       TC_ST_CLOSED, TC_ST_SYN_SENT, 0, 1};
	tr[1] =
	    (struct tc_transition){t0 + 1000000, id * 4 + 1,	     TC_SERVER,
				   TC_ST_LISTEN, TC_ST_SYN_RECEIVED, 0, 2};
	tr[2] =
	    (struct tc_transition){t0 + 2000000,   id * 4 + 2,	      TC_CLIENT,
				   TC_ST_SYN_SENT, TC_ST_ESTABLISHED, 0, 7};
	c->transitions = tr;
	c->ntransitions = 3;
	c->state[0] = TC_ST_ESTABLISHED;
	c->state[1] = TC_ST_SYN_RECEIVED;
	c->close = id % 5 == 0 ? TC_CLOSE_RESET : TC_CLOSE_OPEN;
	c->handshake = TC_HS_THREEWAY;
	snprintf(c->conn_state, sizeof c->conn_state, "S1");
	snprintf(c->history, sizeof c->history, "ShA");
	for (int d = 0; d < 2; d++) {
		c->dir[d].packets = 2;
		c->dir[d].payload_bytes = id * 10 + (uint64_t)d;
		c->dir[d].wscale = -1;
		c->dir[d].label[TC_LB_RETRANSMISSION] = id % 3;
	}
	c->rtt.handshake = 2000000;
	c->rtt.to_server = 1000000;
	c->rtt.to_client = 1000000;
	c->rtt.min = c->rtt.max = c->rtt.avg = 1000000;
	c->rtt.stddev = -1;
	c->rtt.samples = 1;
}

static int import(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	const char *db = argv[2], *sha = argv[3];
	long n = atol(argv[4]), every = 500, usec = 0;
	int replace = 0, flags = STORE_CREATE;
	int opt;
	optind = 5;
	while ((opt = getopt(argc, argv, "rsc:u:")) != -1) {
		switch (opt) {
		case 'r':
			replace = 1;
			break;
		case 's':
			flags |= STORE_SEGMENTS;
			break;
		case 'c':
			every = atol(optarg);
			break;
		case 'u':
			usec = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (every < 1)
		every = 1;
	char err[512], path[128];
	struct store *st;
	if (store_open(db, flags, &st, err, sizeof err)) {
		fprintf(stderr, "store_stress: %s\n", err);
		return 4;
	}
	snprintf(path, sizeof path, "synthetic-%s", sha);
	struct store_capture cap = {path, 1000 * n, sha, "EN10MB", 262144, 0, NULL};
	int64_t cid;
	int r = store_capture_begin(st, &cap, replace, &cid);
	if (r == STORE_EDUP) {
		printf("skipped\n");
		store_close(st);
		return 3;
	}
	int64_t t0 = 1700000000000000000LL;
	for (long i = 1; !r && i <= n; i++) {
		struct tc_conn c;
		struct tc_transition tr[3];
		fake_conn(&c, tr, (uint64_t)i, t0 + i * 1000);
		struct tc_event ev;
		memset(&ev, 0, sizeof ev);
		ev.conn_id = (uint64_t)i;
		ev.conn = &c;
		ev.ts_ns = c.first_ts;
		ev.type = TC_EV_OPEN;
		r = store_event(st, &ev, NULL);
		for (int k = 0; !r && k < 3; k++) {
			ev.type = TC_EV_TRANSITION;
			ev.tr = tr[k];
			r = store_event(st, &ev, NULL);
		}
		for (int k = 0; !r && k < 2; k++) {
			ev.type = TC_EV_LABEL;
			ev.label = k ? TC_LB_DUP_ACK : TC_LB_RETRANSMISSION;
			ev.pkt = c.first_pkt + (uint64_t)k;
			ev.seq = 1000u + (uint32_t)k;
			r = store_event(st, &ev, NULL);
		}
		for (int k = 0; !r && k < 4; k++) {
			struct tc_segment seg;
			memset(&seg, 0, sizeof seg);
			seg.ts_ns = c.first_ts + k;
			seg.pkt = c.first_pkt + (uint64_t)k;
			seg.flags = k == 0 ? TC_SYN : TC_ACK;
			seg.payload_len = seg.payload_caplen = 100;
			ev.type = TC_EV_SEGMENT;
			ev.labels = k == 3 ? (1u << TC_LB_DUP_ACK) : 0;
			r = store_event(st, &ev, &seg);
		}
		if (!r) {
			ev.type = TC_EV_CLOSE;
			r = store_event(st, &ev, NULL);
		}
		if (!r && i % every == 0) {
			r = store_checkpoint(st);
			if (!r && usec)
				usleep((useconds_t)usec);
		}
	}
	if (!r) {
		struct store_capture_stats s = {0};
		s.packets = (uint64_t)n * 4;
		s.tcp_segments = (uint64_t)n * 4;
		s.first_ts = t0;
		s.last_ts = t0 + n * 1000;
		s.reasons = "";
		r = store_capture_end(st, &s);
	}
	if (r) {
		fprintf(stderr, "store_stress: %s\n", store_errmsg(st));
		store_close(st);
		return 4;
	}
	printf("done %lld\n", (long long)cid);
	store_close(st);
	return 0;
}

static int reader(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[3]);
	char err[512];
	struct store *st;
	if (store_open(argv[2], STORE_RDONLY, &st, err, sizeof err)) {
		fprintf(stderr, "store_stress: %s\n", err);
		return 1;
	}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
	    store_db(st), "SELECT count(*) FROM connections", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "store_stress: prepare: %s\n",
			sqlite3_errmsg(store_db(st)));
		store_close(st);
		return 1;
	}
	long long min = -1, max = -1, last = -1;
	int bad = 0;
	for (long i = 0; i < n && !bad; i++) {
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			fprintf(stderr, "store_stress: read %ld: %s (%d)\n", i,
				sqlite3_errmsg(store_db(st)), rc);
			bad = 1;
		} else {
			long long v = sqlite3_column_int64(s, 0);
			if (min < 0 || v < min)
				min = v;
			if (v > max)
				max = v;
			if (v < last) {
				fprintf(stderr,
					"store_stress: count went down"
					" %lld -> %lld\n",
					last, v);
				bad = 1;
			}
			last = v;
		}
		rc = sqlite3_reset(s);
		if (rc != SQLITE_OK && !bad) {
			fprintf(stderr, "store_stress: reset: %s\n",
				sqlite3_errmsg(store_db(st)));
			bad = 1;
		}
		usleep(10000);
	}
	if (sqlite3_finalize(s) != SQLITE_OK && !bad)
		bad = 1;
	store_close(st);
	if (!bad)
		printf("reads %ld min %lld max %lld\n", n, min, max);
	return bad;
}

/* store_stress create DB VERSION: an old version's empty database. */
static int create(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	char err[512];
	if (store_create_version(argv[2], atoi(argv[3]), err, sizeof err)) {
		printf("%s\n", err);
		return 4;
	}
	printf("created\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "write") == 0)
		return import(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "read") == 0)
		return reader(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return create(argc, argv);
	fprintf(stderr, "usage: store_stress write DB SHA NCONNS [-r] [-s]"
			" [-c EVERY] [-u USEC] | read DB N | create DB"
			" VERSION\n");
	return 2;
}
