/*
 * summary.h - the per-capture printout of `tcpscope read` and `tcpscope
 * live`, the totals of a run, and their --parquet (summary.c).
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

/* --sensor NAME of read and live: 0 when s may be a sensor name, else -1
 * after saying why on stderr ("tcpscope CMD: --sensor: ..."). */
int read_sensor_arg(const char *cmd, const char *s);

/* --parquet DIR of read and live: writes capture id of database db to the
 * Parquet dataset under dir (sensor partition sensor), read back through
 * a read-only connection of its own. 0, or -1 after printing
 * "tcpscope CMD: WHAT: --parquet: why" on stderr (what: a name already
 * fit for a terminal). */
int read_parquet_capture(const char *cmd, const char *what, const char *db,
			 const char *dir, const char *sensor, int64_t id);

#endif /* SUMMARY_H */
