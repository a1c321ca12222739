/*
 * ingest.h - the import pipeline (prefix ing_):
 *
 *   capture (capture.h) -> dec_frame (decode.h) -> tc_feed (tcpcore.h)
 *     -> drain events -> store_event (store.h)
 *
 * One struct ing imports one capture into an open store: its own capture
 * row and its own tracker, so connections never span captures. `tcpscope
 * read`, `tcpscope live` and `tcpscope flows -r FILE` (into an in-memory
 * store) all go through here. Nothing here prints.
 *
 * Use:
 *
 *   struct ing_options o;  ing_options_default(&o);
 *   struct ing_result r;
 *   int rc = ing_import_file(st, "a.pcap", &o, &r);   // the whole file
 *
 * or, packet by packet (live capture, progress display):
 *
 *   ing_begin(&ing, st, c, &sc, &o);
 *   while (cap_next(c, &p) == 1) ing_packet(&ing, &p);
 *   ing_end(&ing, error_or_NULL, &r);
 */
#ifndef ING_INGEST_H
#define ING_INGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../../tcpcore/tcpcore.h"
#include "../capture/capture.h"
#include "../capture/decode.h"
#include "../capture/defrag.h"
#include "idmap.h"
#include "../store/store.h"

struct ing_options {
	struct tc_config tc;  /* tracker limits (--msl, --idle-timeout...) */
	int replace;          /* re-import a capture imported before */
	const char *filter;   /* BPF expression, or NULL */
	int hash;             /* compute the file's sha256 (not for stdin) */
	int threads;          /* 1: no writer thread; 2: the store is written
			       * on a thread of its own (writer.h) */
	int live_views;       /* ing_checkpoint() writes the figures so far of
			       * open connections (live capture) */
	uint64_t max_packets; /* stop after this many packets (those a filter
			       * passes), as tcpdump -c does; 0: all */
	const char *sensor;   /* the capture's sensor (--sensor), or NULL */
};

/* Defaults: tc_config_default(), no replace, no filter, hash on,
 * wr_default_threads(), no live views. */
void ing_options_default(struct ing_options *o);

/* Outcome of importing one capture. */
#define ING_OK 0
#define ING_EOPEN (-1)    /* cannot open, or not a capture (error[]) */
#define ING_EDUP (-2)     /* already imported; nothing written */
#define ING_EDAMAGED (-3) /* read stopped early; what came before is stored */
#define ING_EDB (-4)      /* the store failed (error[]) */
#define ING_EFILTER (-5)  /* the filter does not compile for this capture */
#define ING_ELINK (-6)    /* a link type is not supported (unsupported_dlt):
			   * when it is the capture's only one nothing was
			   * imported, otherwise the rest was */
#define ING_ENOMEM (-7)   /* the tracker ran out of memory */

struct ing_result {
	int64_t capture_id;            /* 0 when no row was written */
	char linktypes[128];           /* "EN10MB,LINUX_SLL" */
	int unsupported_dlt;           /* a link type seen but not decoded, -1 */
	struct cap_stats cap;          /* records, filtered, kernel drops */
	uint64_t packets;              /* frames given to the decoder */
	uint64_t result[DEC__COUNT];   /* per dec_result */
	uint64_t tcp, non_tcp, fragments, malformed;
					/* tcp: segments handed to the tracker,
					 * reassembled ones included; the
					 * others count frames */
	uint64_t reassembled_tcp;      /* of tcp, reassembled from fragments:
					* tcp + non_tcp + fragments + malformed
					* = packets + reassembled_tcp */
	struct dfg_stats defrag;       /* IP reassembly (defrag.h) */
	int64_t first_ts, last_ts;     /* min and max timestamp, ns; 0 if none */
	uint64_t conns;                /* connections opened */
	uint64_t close[TC_CLOSE__COUNT]; /* connections by close kind */
	uint64_t evicted;              /* connections finished early to stay
					* within the tracker's limits */
	uint64_t comments;             /* pcapng packet comments stored */
	uint64_t comments_dropped;     /* beyond ING_COMMENT_BYTES: counted */
	char error[512];               /* why it stopped, "" when fine */
};

/* Bytes of pcapng packet comments kept for the store per capture (they go
 * to it at the end, once the writer is done); more are counted only. */
#define ING_COMMENT_BYTES (16u << 20)

struct wr;

/* The per-capture state while importing. Fields are private. */
struct ing {
	struct store *st;
	struct wr *w;                  /* the store's writer */
	int live_views;
	int hash_at_end;               /* the capture hashes itself as read */
	struct tc_tracker *tr;
	struct dfg *dfg;               /* IP reassembly, or NULL (no memory) */
	struct ing_result *r;
	int64_t capture_id;
	int failed;                    /* an ING_E value once it went wrong */
	/* Connections changed since the last checkpoint (live_views). */
	struct idmap dirty;
	/* Connections over (both sides closed) whose final row was written
	 * early, with a fingerprint of what was written: their TC_EV_CLOSE
	 * writes the row again only when something changed since. */
	struct idmap early;
	/* Where to start reading again for a packet (ing_import_file() on a
	 * classic pcap file): "[[record, offset],...]", a point every
	 * ING_SEEK_BYTES of file; NULL when none. */
	char *seek;
	size_t seek_len, seek_cap;
	int64_t seek_last;
	char file_id[96]; /* the file's identity when imported, or "" */
	/* pcapng packet comments until the end: records of packet number
	 * (u64), length (u32) and the bytes. */
	uint8_t *comments;
	size_t comments_len, comments_cap;
	/* The parts of a series (stored at the end), or NULL. */
	char *const *parts;
	int nparts;
};

/* Begins a capture: records it with store_capture_begin() (sc describes
 * it; sc->linktypes may be NULL, then the capture's are used) and makes a
 * tracker. r is zeroed and filled as packets come. Returns ING_OK,
 * ING_EDUP (nothing written; no ing_end() needed), ING_EDB (nothing to
 * end) or ING_ENOMEM (the row was begun: ing_end() records the failure). */
int ing_begin(struct ing *in, struct store *st, struct cap *c,
	      const struct store_capture *sc, const struct ing_options *o,
	      struct ing_result *r);

/* Decodes one packet, feeds the tracker and stores the events. Returns
 * ING_OK, ING_EDB or ING_ENOMEM; after a failure the import must be ended
 * with ing_end() and later packets are ignored. */
int ing_packet(struct ing *in, const struct cap_packet *p);

/* Connections the tracker holds open now. */
uint64_t ing_open_conns(const struct ing *in);

/* Commits what was stored so far (store_checkpoint()); with live_views,
 * first writes the figures so far of every open connection that changed
 * since the last checkpoint (store_conn_snapshot()), so readers see live
 * connections with their states and counters, and waits for the writer
 * thread, so the commit is done when it returns. Without live_views (a
 * file import, which nobody watches) the commit is queued behind the rows
 * before it and the reading goes on; an error shows at the next call. */
int ing_checkpoint(struct ing *in);

/* Ends the capture: finishes the tracker, stores the last events and the
 * statistics (cap's counters, error as the row's error text, or NULL),
 * frees the tracker. Returns ING_OK or ING_EDB. */
int ing_end(struct ing *in, struct cap *c, const char *error);

/* A live capture's loop (tcpscope live), between ing_begin() and
 * ing_end(): reads packets from c into in until *stop is set (a signal
 * handler's flag; it also calls cap_break()), count packets were read
 * (0: no limit), secs seconds of wall-clock time passed (0: no limit), the
 * capture ends or fails (damage then holds why), or the store fails (the
 * result). cap_next() waits at most 200 ms, so the loop regains control a
 * few times a second on a quiet link; about once a second it flushes the
 * -w file, commits (ing_checkpoint(), so readers see progress) and calls
 * tick (when not NULL) for a status line. Returns ING_OK or the first
 * ing_packet() / ing_checkpoint() error. */
struct ing_live {
	uint64_t count;
	double secs;
	volatile sig_atomic_t *stop;
	void (*tick)(void *arg, const struct ing *in, struct cap *c);
	void *arg;
};
int ing_run_live(struct ing *in, struct cap *c, const struct ing_live *lv,
		 char *damage, size_t damagelen);

/* Called by ing_import_file() every few thousand packets; return nonzero
 * to stop reading (the capture row then records "interrupted"). */
typedef int (*ing_tick_fn)(void *arg, struct cap *c,
			   const struct ing_result *r);

/* Imports a whole file ("-" for stdin): open, filter, hash, begin, every
 * packet, end. Returns ING_OK or one of the ING_E values above, with
 * r->error set. With ING_EDAMAGED the capture row exists (r->capture_id)
 * and holds every packet before the damage; with ING_ELINK it exists when
 * r->capture_id is not 0. tick may be NULL. */
int ing_import_file(struct store *st, const char *path,
		    const struct ing_options *o, ing_tick_fn tick, void *arg,
		    struct ing_result *r);

/* The same for the n parts of a rotated capture read as one
 * (cap_open_series()): one capture row, its path the first part's, the
 * parts listed in capture_parts. */
int ing_import_series(struct store *st, char *const *paths, int n,
		      const struct ing_options *o, ing_tick_fn tick, void *arg,
		      struct ing_result *r);

/* Imports several files into st (for `tcpscope flows -r FILE...`, into an
 * in-memory store opened by the caller with STORE_MEMORY|STORE_CREATE).
 * Default tracker settings, no hashing; max_packets (0: all) counts over
 * all the files, as tcpdump -c does; filter (NULL: none) is a BPF
 * expression every file's packets must match (check it first with
 * cap_check_filter()). Returns 0 when every file was
 * imported whole; otherwise stops at the first problem and returns EX_DB
 * (the store failed) or EX_INPUT (a file is missing, not a capture,
 * damaged or of an unsupported link type), with "FILE: problem" in msg. */
int ing_import_files(struct store *st, char *const *files, int nfiles,
		     uint64_t max_packets, const char *filter, char *msg,
		     size_t msglen);

/* Builds "name=count,..." for every non-TCP decoder result with a count,
 * then "timestamp-out-of-range=N" when the capture saturated N stamps. */
void ing_reasons(const struct ing_result *r, char *buf, size_t len);

#endif /* ING_INGEST_H */
