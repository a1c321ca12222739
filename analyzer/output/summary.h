/*
 * summary.h - the per-capture printout of `tcpscope read` and `tcpscope
 * live`, and the totals of a run (summary.c); their --parquet is
 * export/dataset.h's.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "../../tcpcore/tcpcore.h"
#include "../ingest/ingest.h"

/* Figures summed over the captures of one run. */
struct read_totals {
	uint64_t captures, packets, tcp, conns;
	uint64_t close[TC_CLOSE__COUNT];
};

void read_totals_add(struct read_totals *t, const struct ing_result *r);

/* Prints what one capture held: link types, packets, TCP segments,
 * non-TCP packets, fragments, each non-TCP decoder result with a count,
 * first and last timestamp, connections. */
void read_print_capture(FILE *f, const char *path, const struct ing_result *r,
			int filtered);

/* Prints the closing totals of a run, and with by_close the connections
 * by close kind. */
void read_print_summary(FILE *f, const char *db, const struct read_totals *t,
			int by_close);

#endif /* SUMMARY_H */
