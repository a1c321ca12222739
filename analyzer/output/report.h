/*
 * report.h - the summary of a database: connections by close kind and
 * conn_state, failed handshakes by server port, handshake RTT
 * percentiles, the connections with most retransmissions and most time at
 * zero window, label totals and capture statistics. Printed by `tcpscope
 * report` and by `tcpscope read` after an import.
 */
#ifndef REPORT_H
#define REPORT_H

struct store;

/* Prints the report of the database st to stdout: only capture
 * capture_id when it is > 0, else every complete capture; top rows in the
 * top lists; as one JSON object when json is 1; with page, through a pager
 * on a terminal. Returns EX_OK, EX_DB on a database error or EX_FAIL on a
 * write error or when out of memory; messages go to stderr. */
int report_print(struct store *st, long long capture_id, int top, int json,
		 int page);

#endif /* REPORT_H */
