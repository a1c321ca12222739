/*
 * dataset.h - a tcpscope database written out as a Hive-partitioned
 * Parquet dataset (tcpscope-export(1), tcpscope-db(5) "PARQUET DATASET"):
 *
 *   DIR/table=NAME/date=YYYY-MM-DD/sensor=SENSOR/part-CAPTURE-N.parquet
 *
 * Which tables: captures, every table with a capture_id or conn_id column
 * (connections, label_events, segment_chunks, capture_labels...), and the
 * views events, transitions and segments. Columns and types come from the
 * database itself (PRAGMA table_info), so a column added to the schema is
 * exported without a change here.
 */
#ifndef DATASET_H
#define DATASET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet.h"

struct sqlite3;

#define DS_EDB (-1)    /* the database could not be read */
#define DS_EIO (-2)    /* a file or directory could not be written */
#define DS_EVALUE (-3) /* a value that does not fit its column's type */
#define DS_EINTR (-4)  /* stopped (ds_options.stop) */

struct ds_options {
	const char *dir;    /* created when missing */
	const char *sensor; /* a partition value: [A-Za-z0-9._-], no '.' first */
	enum pq_codec codec;
	uint32_t row_group_rows; /* 0: the writer's default */
	int64_t capture;         /* only this capture; 0: every one */
	/* When not NULL and set (by a signal handler), the export stops
	 * as a failed one does: DS_EINTR, none of its files left. */
	const volatile sig_atomic_t *stop;
};

struct ds_stats {
	uint64_t rows, files;
	unsigned tables;
};

/* 1 when s may be a sensor name (see struct ds_options). */
int ds_sensor_ok(const char *s);

/* The host name as a sensor name into buf (characters a sensor name
 * cannot have become '_'; "localhost" when there is none). */
void ds_host_sensor(char *buf, size_t len);

/* Writes the dataset of db (opened read-only by the caller) under o->dir,
 * in one read transaction: every table as it was at one moment. Only
 * captures the reports show (complete imports, live captures) are
 * written. Each file is written under a hidden temporary name in its
 * directory, synced, and linked to its final name only when complete; a
 * name already taken (another writer, an earlier run) is never replaced:
 * the part number N goes up instead. Returns 0 with *st filled, or a DS_E*
 * code with a one-line message in err; then every file of this run is
 * removed again, the one being written and those completed before. */
int ds_export(struct sqlite3 *db, const struct ds_options *o,
	      struct ds_stats *st, char *err, size_t errlen);

/* Copies s[0..len) into out (room for 3 * len bytes) with every byte
 * sequence that is not UTF-8 replaced by U+FFFD, one for each maximal
 * ill-formed subpart (as Unicode's "best practice", and Python's
 * 'replace', do). Returns the length written. */
size_t ds_utf8_repair(const uint8_t *s, size_t len, uint8_t *out);

/* ---- For read and live ---------------------------------------------------- */

/* --sensor NAME of read and live: 0 when s may be a sensor name, else -1
 * after saying why on stderr ("tcpscope CMD: --sensor: ..."). */
int ds_sensor_arg(const char *cmd, const char *s);

/* --parquet DIR of read and live: writes capture id of database db to the
 * Parquet dataset under dir, read back through
 * a read-only connection of its own; its sensor partition is the
 * capture's own sensor when it has one, else sensor, else (NULL) the
 * host's name. 0, or -1 after printing
 * "tcpscope CMD: WHAT: --parquet: why" on stderr (what: a name already
 * fit for a terminal). */
int ds_export_capture(const char *cmd, const char *what, const char *db,
		      const char *dir, const char *sensor, int64_t id);

#endif /* DATASET_H */
