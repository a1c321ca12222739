/*
 * fuzz_capture.c - libFuzzer entry point for the whole import pipeline:
 * capture file (libpcap, or the own pcapng reader) -> decoder -> tracker
 * -> store, through ing_import_file() into an in-memory database.
 *
 * The input is the capture file itself (pcap or pcapng), so the project's
 * own pcaps/ files are seeds. It is written to a memfd and imported by the
 * name /proc/self/fd/N, as a regular file, without hashing. One in-memory
 * store (with STORE_SEGMENTS) serves every input; its rows are deleted
 * after each one, which keeps an execution cheap (no schema per input).
 *
 * Besides "no crash, no out-of-bounds read", the harness checks what the
 * pipeline promises and aborts when one breaks:
 *   - the result is one of the documented ING_ values, never ING_EDB (an
 *     in-memory store has no disk to fail);
 *   - the counters add up: every frame has exactly one decoder result,
 *     and is counted once as tcp, non-TCP, fragment or malformed, and
 *     every TCP datagram reassembled from fragments once more as tcp;
 *     records read equal frames decoded (no filter);
 *   - what is stored agrees with the counters: one complete capture row
 *     whose tcp_segments is r.tcp, as many connection rows as r.conns,
 *     every TCP segment in exactly one connection's packet counts and one
 *     segments row, and each close kind counted as in the rows.
 * With FUZZ_VERBOSE set in the environment it says what each input gave.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../analyzer/ingest/ingest.h"
#include "fuzz.h"


static struct store *fz_store;

/* One integer from a query with one '?' bound to id. */
static int64_t q_int(const char *sql, int64_t id)
{
	sqlite3 *db = store_db(fz_store);
	sqlite3_stmt *s = NULL;
	CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK);
	if (sqlite3_bind_parameter_count(s) > 0)
		CHECK(sqlite3_bind_int64(s, 1, id) == SQLITE_OK);
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void check_stored(const struct ing_result *r)
{
	int64_t id = r->capture_id;
	CHECK(q_int("SELECT count(*) FROM captures", 0) == 1);
	CHECK(q_int("SELECT complete FROM captures WHERE id = ?", id) == 1);
	CHECK(q_int("SELECT tcp_segments FROM captures WHERE id = ?", id) ==
	      (int64_t)r->tcp);
	CHECK(q_int("SELECT count(*) FROM connections WHERE capture_id = ?",
		    id) == (int64_t)r->conns);
	CHECK(q_int("SELECT coalesce(sum(c2s_packets + s2c_packets), 0)"
		    " FROM connections WHERE capture_id = ?",
		    id) == (int64_t)r->tcp);
	CHECK(q_int("SELECT count(*) FROM segments", 0) == (int64_t)r->tcp);
	for (unsigned k = 0; k < TC_CLOSE__COUNT; k++) {
		char sql[160];
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM connections WHERE capture_id = ?"
			 " AND close = '%s'",
			 tc_close_name(k));
		CHECK(q_int(sql, id) == (int64_t)r->close[k]);
	}
	/* Every event and transition belongs to a connection of ours. */
	CHECK(q_int("SELECT count(*) FROM events e LEFT JOIN connections k"
		    " ON k.id = e.conn_id WHERE k.id IS NULL",
		    0) == 0);
	CHECK(q_int("SELECT count(*) FROM transitions t LEFT JOIN"
		    " connections k ON k.id = t.conn_id WHERE k.id IS NULL",
		    0) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_store) {
		char err[256];
		CHECK(store_open(NULL, STORE_MEMORY | STORE_CREATE |
					       STORE_SEGMENTS,
				 &fz_store, err, sizeof err) == 0);
	}
	int fd = memfd_create("fuzz_capture", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	struct ing_options o;
	ing_options_default(&o);
	o.hash = 0;
	o.replace = 1;
	struct ing_result r;
	int rc = ing_import_file(fz_store, path, &o, NULL, NULL, &r);
	close(fd);

	CHECK(rc == ING_OK || rc == ING_EOPEN || rc == ING_EDAMAGED ||
	      rc == ING_ELINK || rc == ING_ENOMEM);
	CHECK(memchr(r.error, '\0', sizeof r.error) != NULL);
	CHECK((rc == ING_OK) == (r.error[0] == '\0'));
	uint64_t sum = 0;
	for (unsigned i = 0; i < DEC__COUNT; i++)
		sum += r.result[i];
	CHECK(sum == r.packets);
	CHECK(r.tcp == r.result[DEC_TCP] + r.reassembled_tcp);
	CHECK(r.tcp + r.non_tcp + r.fragments + r.malformed ==
	      r.packets + r.reassembled_tcp);
	CHECK(r.reassembled_tcp <= r.defrag.reassembled);
	CHECK(r.defrag.fragments <= r.fragments);
	if (r.capture_id && rc != ING_ENOMEM) {
		CHECK(r.cap.records == r.packets);
		CHECK(r.cap.filtered == 0);
		if (r.packets)
			CHECK(r.first_ts <= r.last_ts);
		uint64_t closes = 0;
		for (unsigned k = 0; k < TC_CLOSE__COUNT; k++)
			closes += r.close[k];
		CHECK(closes == r.conns);
		check_stored(&r);
	} else if (rc == ING_EOPEN) {
		CHECK(r.capture_id == 0);
	}
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "rc %d packets %llu tcp %llu conns %llu%s%s\n",
			rc, (unsigned long long)r.packets,
			(unsigned long long)r.tcp, (unsigned long long)r.conns,
			r.error[0] ? " error: " : "", r.error);
	/* Empty the store for the next input (cascades to every table). */
	CHECK(sqlite3_exec(store_db(fz_store), "DELETE FROM captures", NULL,
			   NULL, NULL) == SQLITE_OK);
	return 0;
}
