/*
 * writer.h - the store's writer, on a thread of its own (prefix wr_).
 *
 *   ingest (decode + track, the caller's thread)
 *        -> wr_event(), wr_snapshot(), wr_checkpoint()   bounded queue
 *        -> writer thread -> store_event(), store_conn_snapshot(),
 *                            store_checkpoint()
 *
 * The tracker's events point into its own memory, valid only until the
 * next tc_feed(); the writer therefore copies what the store needs (the
 * event, the segment when segments are stored, the connection and its
 * transitions at its close) into a byte ring of fixed size, and the
 * thread hands the copies to the store in the same order. The store sees
 * exactly the calls it would see without the thread, so the database is
 * the same either way (tests/t_threads.sh compares them).
 *
 * With threads == 1 there is no thread: every call goes straight to the
 * store. Ownership: the caller keeps the store; between wr_new() and
 * wr_sync() (or wr_free()) only the writer may use it.
 *
 * Errors: the store's first failure is sticky. The thread then drops what
 * is still queued, and every later call returns that STORE_E* code; the
 * message is store_errmsg() of the store, to be read after wr_sync().
 */
#ifndef WR_WRITER_H
#define WR_WRITER_H

#include "../../tcpcore/tcpcore.h"
#include "../store/store.h"

struct wr;

/* A writer for st. threads: 1 without a thread, 2 (or more) with one.
 * Returns NULL when out of memory or when the thread cannot start. */
struct wr *wr_new(struct store *st, int threads);

/* Queues one tracker event; seg is the segment just fed, or NULL. Returns
 * 0 or the writer's sticky error (a negative STORE_E* code). */
int wr_event(struct wr *w, const struct tc_event *ev,
	     const struct tc_segment *seg);

/* Queues store_conn_snapshot(c). Returns 0 or the sticky error. */
int wr_snapshot(struct wr *w, const struct tc_conn *c);

/* Queues store_conn_mark_evicted(tc_id). Returns 0 or the sticky error. */
int wr_mark_evicted(struct wr *w, uint64_t tc_id);

/* Queues store_checkpoint(). Returns 0 or the sticky error. */
int wr_checkpoint(struct wr *w);

/* Waits until everything queued reached the store. Returns 0 or the
 * sticky error. The caller may then use the store itself until its next
 * wr_* call. */
int wr_sync(struct wr *w);

/* Syncs, stops the thread and frees the writer. NULL is fine. */
void wr_free(struct wr *w);

/* The number of cores worth using by default: 2 when the machine has
 * more than one (the tracker and the writer), else 1. */
int wr_default_threads(void);

#endif /* WR_WRITER_H */
