/*
 * writer.c - a single-producer, single-consumer byte ring between the
 * tracker's thread and the store's writer thread.
 *
 * The ring holds records of whole multiples of 16 bytes, each a struct
 * rec followed by its payload; a record never wraps: when it does not fit
 * before the end, a K_PAD record fills the rest and it starts at offset 0.
 * head and tail count bytes ever written and ever consumed; the producer
 * publishes head after each record, the consumer tail after it applied
 * one (release stores, acquire loads). Nobody sleeps while there is work:
 * the consumer sleeps on cv_data when the ring is empty and is woken once
 * WAKE_BYTES are waiting (or at a sync); the producer sleeps on cv_space
 * when a record does not fit and is woken when half the ring is free. The
 * two "sleeping" flags and head/tail are sequentially consistent atomics,
 * so a sleeper's flag and the other side's progress cannot both be
 * missed (each side checks again under the mutex before waiting).
 */
#include "writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_BYTES (4u << 20) /* the queue's bound */
#define WAKE_BYTES (64u << 10)
#define ALIGN 16u

enum { K_PAD, K_EVENT, K_SNAPSHOT, K_CHECKPOINT, K_EVICTED };

struct rec {
	uint32_t len;    /* whole record, a multiple of ALIGN */
	uint8_t kind;
	uint8_t has_seg; /* K_EVENT: a struct tc_segment follows the event */
	uint8_t has_conn;/* K_EVENT: a struct tc_conn follows */
	uint8_t pad;
	uint32_t ntrans; /* transitions after the tc_conn */
	uint32_t pad2;
};

struct wr {
	struct store *st;
	int threaded;
	int segments;   /* the store keeps segments */
	int events;     /* the store keeps label events */
	int err;        /* sticky (single-threaded mode) */
	/* threaded mode */
	unsigned char *buf;
	size_t cap;
	_Atomic size_t head, tail;
	_Atomic int failed;       /* the store's first error, 0 */
	_Atomic int cons_sleeping, prod_sleeping;
	_Atomic int stop;
	size_t unsignalled;       /* bytes published since the last wake */
	pthread_mutex_t mu;
	pthread_cond_t cv_data, cv_space;
	pthread_t thread;
};

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

int wr_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 1 ? 2 : 1;
}

/* ---- Applying a record (the writer thread, or inline) ------------------- */

/* Calls the store for one record; returns 0 or a STORE_E* code. */
static int apply(struct store *st, const struct rec *r)
{
	const unsigned char *p = (const unsigned char *)(r + 1);
	struct tc_conn conn;
	switch (r->kind) {
	case K_EVENT: {
		struct tc_event ev;
		struct tc_segment seg;
		memcpy(&ev, p, sizeof ev);
		p += sizeof ev;
		if (r->has_seg) {
			memcpy(&seg, p, sizeof seg);
			p += sizeof seg;
		}
		ev.conn = NULL;
		if (r->has_conn) {
			memcpy(&conn, p, sizeof conn);
			p += sizeof conn;
			conn.transitions =
			    (const struct tc_transition *)(const void *)p;
			ev.conn = &conn;
		}
		return store_event(st, &ev, r->has_seg ? &seg : NULL);
	}
	case K_SNAPSHOT:
		memcpy(&conn, p, sizeof conn);
		p += sizeof conn;
		conn.transitions = (const struct tc_transition *)(const void *)p;
		return store_conn_snapshot(st, &conn);
	case K_CHECKPOINT:
		return store_checkpoint(st);
	case K_EVICTED: {
		uint64_t id;
		memcpy(&id, p, sizeof id);
		return store_conn_mark_evicted(st, id);
	}
	default:
		return 0;
	}
}

static void wake(pthread_mutex_t *mu, pthread_cond_t *cv)
{
	pthread_mutex_lock(mu);
	pthread_cond_signal(cv);
	pthread_mutex_unlock(mu);
}

static void *writer_main(void *arg)
{
	struct wr *w = arg;
	size_t tail = atomic_load(&w->tail);
	size_t freed = 0;
	for (;;) {
		size_t head = atomic_load(&w->head);
		if (head == tail) {
			/* Empty: wake a sync or a full producer, then sleep. */
			pthread_mutex_lock(&w->mu);
			pthread_cond_broadcast(&w->cv_space);
			freed = 0;
			atomic_store(&w->cons_sleeping, 1);
			while ((head = atomic_load(&w->head)) == tail &&
			       !atomic_load(&w->stop))
				pthread_cond_wait(&w->cv_data, &w->mu);
			atomic_store(&w->cons_sleeping, 0);
			pthread_mutex_unlock(&w->mu);
			if (head == tail)
				break; /* stopped, nothing left */
		}
		while (tail != head) {
			const struct rec *r =
			    (const struct rec *)(const void *)(w->buf +
							       tail % w->cap);
			if (!atomic_load(&w->failed)) {
				int rc = apply(w->st, r);
				if (rc)
					atomic_store(&w->failed, rc);
			}
			tail += r->len;
			freed += r->len;
			atomic_store(&w->tail, tail);
			if (freed >= w->cap / 2 &&
			    atomic_load(&w->prod_sleeping)) {
				wake(&w->mu, &w->cv_space);
				freed = 0;
			}
		}
	}
	return NULL;
}

/* ---- The producer -------------------------------------------------------- */

struct wr *wr_new(struct store *st, int threads)
{
	struct wr *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->st = st;
	w->segments = store_keeps_segments(st);
	w->events = store_keeps_events(st);
	if (threads <= 1)
		return w;
	w->cap = RING_BYTES;
	w->buf = aligned_alloc(ALIGN, w->cap);
	if (!w->buf) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv_data, NULL);
	pthread_cond_init(&w->cv_space, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv_data);
		pthread_cond_destroy(&w->cv_space);
		free(w->buf);
		free(w);
		return NULL;
	}
	w->threaded = 1;
	return w;
}

/* Wakes a sleeping consumer when enough is waiting, or always (force). */
static void publish(struct wr *w, size_t head, size_t len, int force)
{
	atomic_store(&w->head, head);
	w->unsignalled += len;
	if ((force || w->unsignalled >= WAKE_BYTES) &&
	    atomic_load(&w->cons_sleeping)) {
		wake(&w->mu, &w->cv_data);
		w->unsignalled = 0;
	}
}

/* Space for a record of len bytes (a multiple of ALIGN, at most half the
 * ring); returns where to write it. Pads to the ring's start first when
 * it would not fit before the end. Sleeps while the ring is too full. */
static unsigned char *reserve(struct wr *w, size_t len)
{
	size_t head = atomic_load(&w->head);
	size_t off = head % w->cap;
	size_t need = len + (off + len > w->cap ? w->cap - off : 0);
	if (w->cap - (head - atomic_load(&w->tail)) < need) {
		/* Let the consumer run before sleeping. */
		if (atomic_load(&w->cons_sleeping))
			wake(&w->mu, &w->cv_data);
		w->unsignalled = 0;
		pthread_mutex_lock(&w->mu);
		atomic_store(&w->prod_sleeping, 1);
		while (w->cap - (head - atomic_load(&w->tail)) < need)
			pthread_cond_wait(&w->cv_space, &w->mu);
		atomic_store(&w->prod_sleeping, 0);
		pthread_mutex_unlock(&w->mu);
	}
	if (off + len > w->cap) {
		struct rec *pad = (struct rec *)(void *)(w->buf + off);
		memset(pad, 0, sizeof *pad);
		pad->len = (uint32_t)(w->cap - off);
		pad->kind = K_PAD;
		publish(w, head + pad->len, pad->len, 0);
		off = 0;
	}
	return w->buf + off;
}

static int failed(struct wr *w)
{
	return w->threaded ? atomic_load(&w->failed) : w->err;
}

/* Without a thread: the store's result, kept when it is an error. */
static int inline_result(struct wr *w, int rc)
{
	if (rc)
		w->err = rc;
	return rc;
}

/* A new record of `kind` with room for payload bytes after its header,
 * reserved in the ring; NULL (and the writer failed) when it could never
 * fit, which tcpcore's transition limit rules out. */
static struct rec *new_rec(struct wr *w, int kind, size_t payload)
{
	size_t len = round_up(sizeof(struct rec) + payload);
	if (len > w->cap / 2) {
		atomic_store(&w->failed, STORE_EIO);
		return NULL;
	}
	struct rec *r = (struct rec *)(void *)reserve(w, len);
	memset(r, 0, sizeof *r);
	r->len = (uint32_t)len;
	r->kind = (uint8_t)kind;
	return r;
}

/* Hands a record written after new_rec() to the thread. */
static void end_rec(struct wr *w, const struct rec *r, int force)
{
	publish(w, atomic_load(&w->head) + r->len, r->len, force);
}

/* Copies a tc_conn and its transitions to p. */
static unsigned char *put_conn(unsigned char *p, const struct tc_conn *c)
{
	memcpy(p, c, sizeof *c);
	p += sizeof *c;
	if (c->ntransitions) {
		memcpy(p, c->transitions,
		       c->ntransitions * sizeof *c->transitions);
		p += c->ntransitions * sizeof *c->transitions;
	}
	return p;
}

int wr_event(struct wr *w, const struct tc_event *ev,
	     const struct tc_segment *seg)
{
	int rc = failed(w);
	if (rc)
		return rc;
	/* What the store ignores is not queued. */
	if (ev->type == TC_EV_TRANSITION ||
	    (ev->type == TC_EV_SEGMENT && (!w->segments || !seg)) ||
	    (ev->type == TC_EV_LABEL && !w->events))
		return 0;
	if (!w->threaded)
		return inline_result(w, store_event(w->st, ev, seg));
	int has_seg = ev->type == TC_EV_SEGMENT;
	int has_conn = ev->type == TC_EV_CLOSE && ev->conn;
	size_t ntr = has_conn ? ev->conn->ntransitions : 0;
	struct rec *r = new_rec(w, K_EVENT,
				sizeof *ev + (has_seg ? sizeof *seg : 0) +
				    (has_conn ? sizeof *ev->conn : 0) +
				    ntr * sizeof(struct tc_transition));
	if (!r)
		return STORE_EIO;
	r->has_seg = (uint8_t)has_seg;
	r->has_conn = (uint8_t)has_conn;
	r->ntrans = (uint32_t)ntr;
	unsigned char *p = (unsigned char *)(r + 1);
	memcpy(p, ev, sizeof *ev);
	p += sizeof *ev;
	if (has_seg) {
		memcpy(p, seg, sizeof *seg);
		p += sizeof *seg;
	}
	if (has_conn)
		put_conn(p, ev->conn);
	end_rec(w, r, 0);
	return 0;
}

int wr_snapshot(struct wr *w, const struct tc_conn *c)
{
	int rc = failed(w);
	if (rc)
		return rc;
	if (!w->threaded)
		return inline_result(w, store_conn_snapshot(w->st, c));
	struct rec *r = new_rec(w, K_SNAPSHOT,
				sizeof *c +
				    c->ntransitions * sizeof *c->transitions);
	if (!r)
		return STORE_EIO;
	r->ntrans = (uint32_t)c->ntransitions;
	put_conn((unsigned char *)(r + 1), c);
	end_rec(w, r, 0);
	return 0;
}

int wr_mark_evicted(struct wr *w, uint64_t tc_id)
{
	int rc = failed(w);
	if (rc)
		return rc;
	if (!w->threaded)
		return inline_result(w, store_conn_mark_evicted(w->st, tc_id));
	struct rec *r = new_rec(w, K_EVICTED, sizeof tc_id);
	if (!r)
		return STORE_EIO;
	memcpy(r + 1, &tc_id, sizeof tc_id);
	end_rec(w, r, 0);
	return 0;
}

int wr_checkpoint(struct wr *w)
{
	int rc = failed(w);
	if (rc)
		return rc;
	if (!w->threaded)
		return inline_result(w, store_checkpoint(w->st));
	struct rec *r = new_rec(w, K_CHECKPOINT, 0);
	if (!r)
		return STORE_EIO;
	end_rec(w, r, 1);
	return 0;
}

int wr_sync(struct wr *w)
{
	if (!w->threaded)
		return w->err;
	size_t head = atomic_load(&w->head);
	pthread_mutex_lock(&w->mu);
	while (atomic_load(&w->tail) != head) {
		pthread_cond_signal(&w->cv_data);
		atomic_store(&w->prod_sleeping, 1);
		pthread_cond_wait(&w->cv_space, &w->mu);
		atomic_store(&w->prod_sleeping, 0);
	}
	pthread_mutex_unlock(&w->mu);
	w->unsignalled = 0;
	return atomic_load(&w->failed);
}

void wr_free(struct wr *w)
{
	if (!w)
		return;
	if (w->threaded) {
		(void)wr_sync(w);
		pthread_mutex_lock(&w->mu);
		atomic_store(&w->stop, 1);
		pthread_cond_signal(&w->cv_data);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv_data);
		pthread_cond_destroy(&w->cv_space);
		free(w->buf);
	}
	free(w);
}
