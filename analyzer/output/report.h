/*
 * report.h - the summary of a database, written: connections by close
 * kind and conn_state, failed handshakes by server port, handshake RTT
 * percentiles, the connections with most retransmissions and most time at
 * zero window, the slowest transfers, label totals and capture
 * statistics, as text or as one JSON object. Printed by `tcpscope report`
 * and by `tcpscope read` and `live` after an import.
 *
 * This file only writes: struct report is filled by the read side
 * (analyzer/query/reportq.h, reportq_gather()), which owns every query;
 * reportq_print() does both.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_MAX_ITEMS 64

/* A name and how many rows have it ("-" for SQL NULL). */
struct report_count {
	char name[48];
	int64_t n;
};

/* Counts by name, the largest first (then by name, as SQLite's BINARY
 * collation orders it); at most REPORT_MAX_ITEMS. */
struct report_counts {
	size_t n;
	struct report_count c[REPORT_MAX_ITEMS];
};

/* Failed handshakes to one server port. */
struct report_failed {
	int64_t port, refused, unanswered;
};

/* A row of a top list: the connection, its endpoints ("ip:port") and the
 * value it ranks by (retransmissions; time at zero window, ns; or, for
 * the slowest transfers, the duration, ns). */
struct report_top {
	int64_t id, value;
	char client[80], server[80];
	/* The slowest transfers (value: the duration): the direction that
	 * carried more payload, its bytes, verdict and time shares, ns. */
	int dir;
	int64_t bytes, busy, rwnd, cwnd, loss, idle;
	char limited[24];
};

#define REPORT_MAX_IFACES 8 /* interfaces shown per capture (more are counted) */
#define REPORT_MAX_NOTES 16 /* section notes shown per capture */

/* What a pcapng capture says of itself (capture_interfaces, capture_notes,
 * packet_comments); raw text, escaped when printed. */
struct report_capmeta {
	struct {
		int64_t iface, section;
		char linktype[24], name[96], desc[96], comment[96];
	} ifs[REPORT_MAX_IFACES];
	size_t nifs, more_ifs;
	struct {
		int64_t section;
		char kind[16], text[160];
	} notes[REPORT_MAX_NOTES];
	size_t nnotes, more_notes;
	int64_t pcomments;
};

/* A capture's row of captures (counters 0 when NULL; reasons
 * "name=n,..." and error "" when NULL) and its pcapng metadata. */
struct report_capinfo {
	int64_t id, packets, tcp, non_tcp, fragments, malformed, drops, complete;
	int64_t evicted; /* connections the tracker finished early */
	char path[256], reasons[512], error[128];
	struct report_capmeta meta;
};

/* The figures of a report, as reportq_gather() (analyzer/query/reportq.h)
 * reads them. The three top lists hold at most top rows each, ranked by
 * value, then by id. */
struct report {
	int64_t capture;      /* 0: every complete capture */
	int top;              /* rows asked for in each top list */
	int64_t conns;
	struct report_capinfo caps[REPORT_MAX_ITEMS];
	size_t ncaps, more_caps;
	struct report_counts by_close, by_state, labels;
	struct report_failed failed[REPORT_MAX_ITEMS];
	size_t nfailed;
	int64_t failed_ports;  /* distinct server ports with a failure */
	int64_t rtt_n, rtt_p50, rtt_p90, rtt_p99;
	struct report_top *top_retx, *top_zw, *top_slow;
	size_t ntop_retx, ntop_zw, ntop_slow;
	struct report_counts by_verdict; /* directions that carried payload */
	struct report_counts by_vantage; /* where the capture point sat */
	int64_t uncertain;        /* connections with a side's path undecided */
	int64_t uncertain_side[2];
	int64_t unseen, unseen_bytes, payload_bytes;
};

/* Writes r to stdout: as one JSON object when json is 1, else as text
 * (coloured on a terminal); with page, through a pager on a terminal.
 * Returns EX_OK, or EX_FAIL on a write error (with a message on stderr).
 * r is not changed. */
int report_write(const struct report *r, int json, int page);

#endif /* REPORT_H */
