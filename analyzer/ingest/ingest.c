/*
 * ingest.c - capture -> decoder -> tracker -> store, one capture at a time.
 *
 * For every packet: dec_frame() with the packet's own link type (pcapng
 * files may mix them); a DEC_TCP result gets the fields the decoder leaves
 * to us (timestamp, packet number, capture id, interface) and goes to
 * tc_feed(); then every queued event goes to store_event() with the segment
 * just fed, so the store can write the segments table when asked to. Other
 * results only count, per reason. An IP fragment goes to the reassembler
 * (defrag.h); the datagram it completes is decoded as raw IP (with the
 * fragments' VLAN ids) and fed like any segment, with the timestamp and
 * packet number of the fragment that completed it. At the end tc_finish() closes what is
 * still open and those events are stored too, then store_capture_end()
 * writes the figures and commits.
 *
 * Open connections: the store writes a connection's figures only at its
 * TC_EV_CLOSE, so for readers during a long import (the live capture above
 * all) ingest remembers which connections had a segment since the last
 * checkpoint (a small hash set of tracker ids, in->dirty) and, before each
 * commit, writes their figures so far with store_conn_snapshot(). When the
 * set cannot grow (out of memory) a connection is simply not refreshed
 * until its close: the live view is a courtesy, never a reason to fail.
 *
 * Each capture has its own tracker: a connection never spans two files.
 * The capture id in a segment is the store's row id (truncated to 32 bits,
 * which only matters past four billion imports).
 *
 * Errors: the store failing (disk full, locked) stops everything and is
 * reported as ING_EDB; a damaged capture is not an error of ours, only a
 * reason to stop early and say so in the capture row.
 */
#include "ingest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../status.h"
#include "../capture/digest.h"
#include "../capture/series.h"
#include "idmap.h"
#include "writer.h"

#define ING_TICK_EVERY 4096u
#define ING_CHECKPOINT_EVERY (1u << 20)
/* The seek index: the reading position is asked for every
 * ING_SEEK_ASK records, and kept when ING_SEEK_BYTES or more past the
 * last point kept (a 10 GB capture: 10,000 points, 200 kB of text). */
#define ING_SEEK_ASK 256u
#define ING_SEEK_BYTES (1 << 20)

void ing_options_default(struct ing_options *o)
{
	memset(o, 0, sizeof *o);
	tc_config_default(&o->tc);
	o->hash = 1;
	o->threads = wr_default_threads();
}

static int store_fail(struct ing *in)
{
	snprintf(in->r->error, sizeof in->r->error, "database: %s",
		 store_errmsg(in->st));
	in->failed = ING_EDB;
	return ING_EDB;
}

/* The writer failed: waits for it so that the store's message is final. */
static int writer_fail(struct ing *in)
{
	(void)wr_sync(in->w);
	return store_fail(in);
}

#define ING_DIRTY_KEEP (1u << 16) /* larger dirty sets are freed at
				   * checkpoints */

/* Notes that connection id changed since the last checkpoint. When the
 * set cannot grow (out of memory) the connection is simply not refreshed
 * before its close. */
static void dirty_add(struct ing *in, uint64_t id)
{
	if (id)
		(void)idmap_put(&in->dirty, id, 0);
}

/* ---- Rows written as soon as a connection is over ------------------------
 *
 * A connection whose both sides are CLOSED or in TIME-WAIT stays in the
 * tracker for 2*MSL (late segments, port reuse) and its TC_EV_CLOSE comes
 * only then, or at the end of the input: on a capture shorter than that
 * every row would be written at the end, after the reading is done, and
 * the writer thread would work alone. So when a segment makes a
 * connection over, ingest asks the tracker for the row as it would be
 * finished now (tc_conn_peek_final()) and writes it at once; at its
 * TC_EV_CLOSE the final connection is compared with what was written, by
 * a fingerprint of every byte, and written again only when it differs (a
 * late segment, the TIME-WAIT timer); an eviction alone only sets the
 * row's evicted column. The database is the same either way.
 */
/* A 64-bit fingerprint of everything in c but where its transitions are
 * kept: the bytes of the struct, then those of the transitions. */
static uint64_t conn_fingerprint(const struct tc_conn *c)
{
	struct tc_conn copy = *c;
	copy.transitions = NULL;
	copy.evicted = 0; /* an eviction changes one column (drain()) */
	uint64_t h = digest_add(0x9e3779b97f4a7c15ull ^ c->ntransitions,
				&copy, sizeof copy);
	return digest_add(h, c->transitions,
			  c->ntransitions * sizeof *c->transitions);
}

/* Writes the final row of connection id now, if it is over. */
static int write_early(struct ing *in, uint64_t id)
{
	struct tc_conn c;
	if (tc_conn_peek_final(in->tr, id, &c) < 0)
		return ING_OK;
	struct tc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = TC_EV_CLOSE;
	ev.conn_id = id;
	ev.conn = &c;
	ev.ts_ns = c.last_ts;
	ev.pkt = c.last_pkt;
	if (wr_event(in->w, &ev, NULL) < 0)
		return writer_fail(in);
	/* Out of memory it is not remembered: its close writes again. */
	(void)idmap_put(&in->early, id, conn_fingerprint(&c));
	return ING_OK;
}

/* Hands every queued event to the store. seg is the segment just fed, or
 * NULL after tc_finish(). */
static int drain(struct ing *in, const struct tc_segment *seg)
{
	struct tc_event ev;
	uint64_t over = 0;
	while (tc_next_event(in->tr, &ev)) {
		if (ev.type == TC_EV_OPEN)
			in->r->conns++;
		else if (ev.type == TC_EV_CLOSE && ev.conn &&
			 ev.conn->close < TC_CLOSE__COUNT)
			in->r->close[ev.conn->close]++;
		if (seg && ev.type == TC_EV_SEGMENT && in->live_views)
			dirty_add(in, ev.conn_id);
		if (seg && ev.type == TC_EV_TRANSITION && ev.conn &&
		    !ev.conn->finished && tc_conn_over(ev.conn))
			over = ev.conn_id;
		uint64_t fp;
		if (ev.type == TC_EV_CLOSE && ev.conn &&
		    idmap_take(&in->early, ev.conn_id, &fp) &&
		    fp == conn_fingerprint(ev.conn)) {
			/* Written already, and the same but perhaps for
			 * having been evicted (done connections are, first,
			 * when the tracker needs the memory). */
			if (ev.conn->evicted &&
			    wr_mark_evicted(in->w, ev.conn_id) < 0)
				return writer_fail(in);
			continue;
		}
		if (wr_event(in->w, &ev, seg) < 0)
			return writer_fail(in);
	}
	return over ? write_early(in, over) : ING_OK;
}

int ing_begin(struct ing *in, struct store *st, struct cap *c,
	      const struct store_capture *sc, const struct ing_options *o,
	      struct ing_result *r)
{
	memset(in, 0, sizeof *in);
	memset(r, 0, sizeof *r);
	in->st = st;
	in->r = r;
	r->unsupported_dlt = -1;
	cap_linktype_names(c, r->linktypes, sizeof r->linktypes);
	struct store_capture row = *sc;
	if (!row.linktypes)
		row.linktypes = r->linktypes;
	if (row.snaplen == 0)
		row.snaplen = cap_snaplen(c);
	int rc = store_capture_begin(st, &row, o->replace, &in->capture_id);
	if (rc == STORE_EDUP) {
		snprintf(r->error, sizeof r->error,
			 "already imported (use --replace)");
		return ING_EDUP;
	}
	if (rc < 0) {
		snprintf(r->error, sizeof r->error, "database: %s",
			 store_errmsg(st));
		return ING_EDB;
	}
	r->capture_id = in->capture_id;
	in->live_views = o->live_views;
	in->w = wr_new(st, o->threads);
	in->tr = in->w ? tc_tracker_new(&o->tc) : NULL;
	in->dfg = in->tr ? dfg_new() : NULL;
	if (!in->dfg) {
		tc_tracker_free(in->tr);
		in->tr = NULL;
	}
	if (!in->tr) {
		/* The row stays incomplete; the next import replaces it. */
		snprintf(r->error, sizeof r->error, "out of memory");
		in->failed = ING_ENOMEM;
		return ING_ENOMEM;
	}
	return ING_OK;
}

/* Feeds one decoded segment of packet p to the tracker. */
static int feed(struct ing *in, struct tc_segment *seg,
		const struct cap_packet *p)
{
	in->r->tcp++;
	seg->ts_ns = p->ts_ns;
	seg->pkt = p->num;
	seg->capture = (uint32_t)in->capture_id;
	seg->iface = p->iface;
	if (tc_feed(in->tr, seg) < 0) {
		snprintf(in->r->error, sizeof in->r->error, "out of memory");
		in->failed = ING_ENOMEM;
		return ING_ENOMEM;
	}
	return drain(in, seg);
}

/* A fragment of packet p: to the reassembler, and the datagram it
 * completes, when TCP, to the tracker. */
static int reassemble(struct ing *in, const struct dec_frag *f,
		      const struct cap_packet *p)
{
	const uint8_t *dg;
	size_t caplen, wirelen;
	if (!in->dfg || dfg_add(in->dfg, f, p->ts_ns, &dg, &caplen,
				&wirelen) != 1)
		return ING_OK;
	struct tc_segment seg;
	memset(&seg, 0, sizeof seg);
	if (dec_frame(12 /* DLT_RAW */, dg, caplen, wirelen, &seg) != DEC_TCP)
		return ING_OK; /* counted by the reassembler only */
	seg.vlan[0] = f->vlan[0];
	seg.vlan[1] = f->vlan[1];
	if (seg.tunnel == TC_TUN_NONE) { /* none inside the datagram */
		seg.tunnel = f->tunnel;
		seg.tunnel_id = f->tunnel_id;
	}
	in->r->reassembled_tcp++;
	return feed(in, &seg, p);
}

/* Keeps a packet's comment for the end of the import (ing_end()). */
static void comment_keep(struct ing *in, const struct cap_packet *p)
{
	size_t need = 12 + (size_t)p->comment_len;
	if (in->comments_cap - in->comments_len < need) {
		size_t n = in->comments_cap ? in->comments_cap * 2 : 4096;
		while (n - in->comments_len < need)
			n *= 2;
		uint8_t *t = n <= ING_COMMENT_BYTES ? realloc(in->comments, n)
						    : NULL;
		if (!t) {
			in->r->comments_dropped++;
			return;
		}
		in->comments = t;
		in->comments_cap = n;
	}
	uint8_t *o = in->comments + in->comments_len;
	uint32_t len = p->comment_len;
	memcpy(o, &p->num, 8);
	memcpy(o + 8, &len, 4);
	memcpy(o + 12, p->comment, len);
	in->comments_len += need;
}

/* Stores what a pcapng capture said of itself: its interfaces, its
 * sections' notes, the packet comments kept. */
static int store_meta(struct ing *in, struct cap *c)
{
	for (size_t i = 0; i < cap_ifinfo_count(c); i++) {
		const struct png_ifinfo *f = cap_ifinfo(c, i);
		char lt[64];
		cap_linktype_name(f->linktype, lt, sizeof lt);
		struct store_iface si = { .index = f->index,
					  .section = f->section,
					  .linktype = lt, .name = f->name,
					  .description = f->description,
					  .comment = f->comment };
		if (store_capture_iface(in->st, &si) < 0)
			return -1;
	}
	for (int i = 0; in->parts && i < in->nparts; i++) {
		char *one[1] = { in->parts[i] };
		if (store_capture_part(in->st, i + 1, in->parts[i],
				       ser_size(one, 1)) < 0)
			return -1;
	}
	for (size_t i = 0; i < cap_note_count(c); i++) {
		const struct png_note *n = cap_note(c, i);
		if (store_capture_note(in->st, n->section, n->kind, n->text) < 0)
			return -1;
	}
	for (size_t o = 0; o + 12 <= in->comments_len;) {
		uint64_t num;
		uint32_t len;
		memcpy(&num, in->comments + o, 8);
		memcpy(&len, in->comments + o + 8, 4);
		if (store_packet_comment(in->st, num,
					 (const char *)in->comments + o + 12,
					 len) < 0)
			return -1;
		in->r->comments++;
		o += 12 + (size_t)len;
	}
	return 0;
}

/* The capture's first packet names it for the uids (uid.h): handed to
 * the store once the writer has caught up (nothing is queued before the
 * first packet's events, so the wait is for an empty queue). */
static int first_packet(struct ing *in, const struct cap_packet *p)
{
	if (wr_sync(in->w) != 0 ||
	    store_capture_first_packet(in->st, p->ts_ns, p->data, p->caplen))
		return store_fail(in);
	return 0;
}

int ing_packet(struct ing *in, const struct cap_packet *p)
{
	if (in->failed)
		return in->failed;
	struct ing_result *r = in->r;
	if (p->comment)
		comment_keep(in, p);
	struct tc_segment seg;
	struct dec_frag frag;
	memset(&seg, 0, sizeof seg);
	enum dec_result d = dec_frame_frag(p->linktype, p->data, p->caplen,
					   p->wirelen, &seg, &frag);
	r->packets++;
	if (r->packets == 1 && first_packet(in, p) != 0)
		return in->failed;
	if (r->packets == 1 || p->ts_ns < r->first_ts)
		r->first_ts = p->ts_ns;
	if (r->packets == 1 || p->ts_ns > r->last_ts)
		r->last_ts = p->ts_ns;
	if ((unsigned)d < DEC__COUNT)
		r->result[d]++;
	if (d == DEC_FRAGMENT)
		r->fragments++;
	else if (dec_result_is_error(d))
		r->malformed++;
	else if (d != DEC_TCP)
		r->non_tcp++;
	if (d == DEC_UNSUPPORTED_LINK)
		r->unsupported_dlt = p->linktype;
	if (d == DEC_TCP)
		return feed(in, &seg, p);
	if (d == DEC_FRAGMENT && frag.family)
		return reassemble(in, &frag, p);
	return ING_OK;
}

uint64_t ing_open_conns(const struct ing *in)
{
	if (!in->tr)
		return 0;
	struct tc_stats ts;
	tc_stats_get(in->tr, &ts);
	return ts.active;
}

int ing_checkpoint(struct ing *in)
{
	if (in->failed)
		return in->failed;
	size_t pos = 0;
	uint64_t id;
	while (in->tr && (id = idmap_next(&in->dirty, &pos)) != 0) {
		/* A connection whose final row was written early gets it
		 * written again as final, not a snapshot with close "open"
		 * over it. */
		uint64_t fp;
		if (idmap_take(&in->early, id, &fp)) {
			if (write_early(in, id) != ING_OK) {
				idmap_clear(&in->dirty, ING_DIRTY_KEEP);
				return in->failed;
			}
			continue;
		}
		const struct tc_conn *c = tc_conn_refresh(in->tr, id);
		if (c && wr_snapshot(in->w, c) < 0) {
			idmap_clear(&in->dirty, ING_DIRTY_KEEP);
			return writer_fail(in);
		}
	}
	idmap_clear(&in->dirty, ING_DIRTY_KEEP);
	if (wr_checkpoint(in->w) < 0 ||
	    (in->live_views && wr_sync(in->w) < 0))
		return writer_fail(in);
	return ING_OK;
}

/* Appends ",name=n" (no comma first) to buf when n is not 0. */
static void reason_add(char *buf, size_t len, size_t *off, const char *name,
		       uint64_t n)
{
	if (!n || *off >= len)
		return;
	int w = snprintf(buf + *off, len - *off, "%s%s=%llu", *off ? "," : "",
			 name, (unsigned long long)n);
	if (w > 0)
		*off += (size_t)w;
}

void ing_reasons(const struct ing_result *r, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < DEC__COUNT; i++)
		if (i != DEC_TCP)
			reason_add(buf, len, &off, dec_result_name(i),
				   r->result[i]);
	reason_add(buf, len, &off, "reassembled", r->defrag.reassembled);
	reason_add(buf, len, &off, "fragment-duplicates", r->defrag.duplicates);
	reason_add(buf, len, &off, "fragments-timed-out", r->defrag.timed_out);
	reason_add(buf, len, &off, "fragments-evicted", r->defrag.evicted);
	reason_add(buf, len, &off, "fragments-overlapping", r->defrag.overlaps);
	reason_add(buf, len, &off, "fragments-dropped", r->defrag.dropped);
	reason_add(buf, len, &off, "timestamp-out-of-range", r->cap.ts_clamped);
	reason_add(buf, len, &off, "packet-comments-dropped",
		   r->comments_dropped);
}

/* Notes where record num + 1 starts, when it is far enough from the last
 * point noted. Out of memory the index just stops growing. */
static void seek_note(struct ing *in, struct cap *c, uint64_t num)
{
	int64_t off = cap_seek_point(c);
	if (off < 0 || (in->seek && off - in->seek_last < ING_SEEK_BYTES))
		return;
	if (in->seek_cap - in->seek_len < 48) {
		size_t n = in->seek_cap ? in->seek_cap * 2 : 4096;
		char *t = realloc(in->seek, n);
		if (!t)
			return;
		in->seek = t;
		in->seek_cap = n;
	}
	int w = snprintf(in->seek + in->seek_len, in->seek_cap - in->seek_len,
			 "%s[%llu,%lld]", in->seek_len ? "," : "[",
			 (unsigned long long)num + 1, (long long)off);
	if (w > 0 && (size_t)w < in->seek_cap - in->seek_len) {
		in->seek_len += (size_t)w;
		in->seek_last = off;
	}
}

int ing_end(struct ing *in, struct cap *c, const char *error)
{
	struct ing_result *r = in->r;
	int rc = in->failed;
	if (in->dfg) {
		dfg_finish(in->dfg);
		dfg_get_stats(in->dfg, &r->defrag);
		dfg_free(in->dfg);
		in->dfg = NULL;
	}
	if (in->tr) {
		if (!in->failed) {
			tc_finish(in->tr);
			rc = drain(in, NULL);
		}
		struct tc_stats ts;
		tc_stats_get(in->tr, &ts);
		r->evicted = ts.evicted;
		tc_tracker_free(in->tr);
		in->tr = NULL;
	}
	if (in->w) {
		if (wr_sync(in->w) < 0 && rc != ING_EDB)
			rc = store_fail(in);
		wr_free(in->w);
		in->w = NULL;
	}
	idmap_free(&in->dirty);
	idmap_free(&in->early);
	if (rc != ING_EDB && store_meta(in, c) < 0)
		rc = store_fail(in);
	free(in->comments);
	in->comments = NULL;
	in->comments_len = in->comments_cap = 0;
	if (rc == ING_EDB)
		return rc;
	cap_get_stats(c, &r->cap);
	/* A pcapng stream names its link types as it goes. */
	cap_linktype_names(c, r->linktypes, sizeof r->linktypes);
	char reasons[1024];
	ing_reasons(r, reasons, sizeof reasons);
	char hex[65];
	int hashed = in->hash_at_end && cap_sha256(c, hex) == 0;
	if (in->seek && in->seek_len + 2 <= in->seek_cap) {
		in->seek[in->seek_len++] = ']';
		in->seek[in->seek_len] = '\0';
	}
	if (in->hash_at_end && !hashed && !error && rc == ING_OK) {
		/* The rest of the file could not be read for its hash, or
		 * the file changed meanwhile (sha256.h: ESTALE). */
		snprintf(r->error, sizeof r->error, "hashing: %s",
			 errno == ESTALE ? "the file changed while it was read"
					 : strerror(errno));
		error = r->error;
	}
	struct store_capture_stats s = {
		.path = NULL,
		.sha256 = hashed ? hex : NULL,
		.packets = r->cap.records,
		.tcp_segments = r->tcp,
		.non_tcp = r->non_tcp,
		.fragments = r->fragments,
		.malformed = r->malformed,
		.kernel_drops = r->cap.kernel_drops,
		.first_ts = r->first_ts,
		.last_ts = r->last_ts,
		.reasons = reasons,
		.error = error ? error : rc == ING_ENOMEM ? "out of memory" : NULL,
		.evicted = r->evicted,
		.file_id = in->file_id[0] ? in->file_id : NULL,
		.seek_index = in->seek_len ? in->seek : NULL,
	};
	int end = store_capture_end(in->st, &s);
	free(in->seek);
	in->seek = NULL;
	if (end < 0) {
		int dup = strstr(store_errmsg(in->st), "already imported") != NULL;
		rc = store_fail(in);
		if (dup) {
			snprintf(r->error, sizeof r->error,
				 "already imported (use --replace)");
			r->capture_id = 0;
			return ING_EDUP;
		}
		return rc;
	}
	return rc;
}

/* 1 when none of the capture's link types can be decoded. */
static int all_unsupported(struct cap *c, int *first)
{
	int types[16];
	int n = cap_linktypes(c, types, 16);
	if (n > 16)
		n = 16;
	for (int i = 0; i < n; i++)
		if (dec_link_supported(types[i]))
			return 0;
	*first = n > 0 ? types[0] : -1;
	return n > 0;
}

/* Imports the opened capture c of paths[0..nparts) (one file, or the
 * parts of a series): filter, hash, begin, every packet, end; closes c. */
static int import_cap(struct store *st, struct cap *c, char *const *paths,
		      int nparts, const struct ing_options *o, ing_tick_fn tick,
		      void *arg, struct ing_result *r)
{
	const char *path = paths[0];
	char err[400];
	int rc;
	int dlt;
	if (all_unsupported(c, &dlt)) {
		char d[160];
		cap_linktype_describe(dlt, d, sizeof d);
		cap_linktype_names(c, r->linktypes, sizeof r->linktypes);
		r->unsupported_dlt = dlt;
		snprintf(r->error, sizeof r->error,
			 "unsupported link type %s", d);
		rc = ING_ELINK;
		goto out;
	}
	if (o->filter && cap_set_filter(c, o->filter, err, sizeof err) < 0) {
		snprintf(r->error, sizeof r->error, "filter: %s", err);
		rc = ING_EFILTER;
		goto out;
	}
	/* A regular file is hashed as it is read (cap_open_file_hashed);
	 * when a capture of the same size is stored already, the file is
	 * hashed first, so that a duplicate is refused before the work. A
	 * FIFO or a character device given by name is treated like stdin
	 * (no hash). A compressed capture whose data is damaged (EIO) has
	 * no hash: it is read for what comes before the damage. */
	char hex[65];
	int hash = o->hash && cap_hashed(c);
	int prehash = hash && store_capture_size_known(st, cap_size(c));
	if (prehash && (nparts > 1 ? cap_series_sha256(paths, nparts, hex)
				   : cap_file_sha256(path, hex)) < 0) {
		if (errno != EIO) {
			snprintf(r->error, sizeof r->error, "%s",
				 strerror(errno));
			rc = ING_EOPEN;
			goto out;
		}
		prehash = 0;
	}
	struct store_capture sc = {
		.path = path,
		.size = cap_size(c),
		.sha256 = prehash ? hex : NULL,
		.linktypes = NULL,
		.snaplen = 0,
		.live = 0,
		.sensor = o->sensor,
	};
	struct ing in;
	rc = ing_begin(&in, st, c, &sc, o, r);
	in.hash_at_end = hash && !prehash;
	/* Kept with the capture when the file is the same at the end: a
	 * reader that finds it unchanged need not hash it again. */
	if (rc == ING_OK && hash && nparts == 1)
		cap_file_identity(path, in.file_id, sizeof in.file_id);
	in.parts = nparts > 1 ? paths : NULL;
	in.nparts = nparts;
	if (rc != ING_OK) {
		if (rc == ING_ENOMEM)
			(void)ing_end(&in, c, "out of memory");
		goto out;
	}
	struct cap_packet p;
	int n;
	const char *stop = NULL;
	unsigned since_seek = 0;
	while ((n = cap_next(c, &p)) == 1) {
		if (ing_packet(&in, &p) != ING_OK)
			break;
		if (o->max_packets && r->packets >= o->max_packets)
			break;
		if (++since_seek == ING_SEEK_ASK) {
			since_seek = 0;
			seek_note(&in, c, p.num);
		}
		if (r->packets % ING_TICK_EVERY == 0 && tick &&
		    tick(arg, c, r)) {
			stop = "interrupted";
			break;
		}
		if (r->packets % ING_CHECKPOINT_EVERY == 0 &&
		    ing_checkpoint(&in) != ING_OK)
			break;
	}
	char damage[512] = "";
	if (n < 0)
		snprintf(damage, sizeof damage, "%s", cap_errmsg(c));
	else if (stop)
		snprintf(damage, sizeof damage, "%s", stop);
	if (in.file_id[0]) {
		char now[sizeof in.file_id];
		cap_file_identity(path, now, sizeof now);
		if (strcmp(now, in.file_id) != 0)
			in.file_id[0] = '\0';
	}
	int failed = in.failed;
	rc = ing_end(&in, c, damage[0] ? damage : NULL);
	if (rc == ING_OK && failed == ING_OK && damage[0]) {
		snprintf(r->error, sizeof r->error, "%s", damage);
		rc = ING_EDAMAGED;
	}
	if (rc == ING_OK && r->unsupported_dlt >= 0) {
		char d[160];
		cap_linktype_describe(r->unsupported_dlt, d, sizeof d);
		snprintf(r->error, sizeof r->error,
			 "unsupported link type %s (%llu packets skipped)", d,
			 (unsigned long long)r->result[DEC_UNSUPPORTED_LINK]);
		rc = ING_ELINK;
	}
out:
	cap_close(c);
	return rc;
}

int ing_import_file(struct store *st, const char *path,
		    const struct ing_options *o, ing_tick_fn tick, void *arg,
		    struct ing_result *r)
{
	memset(r, 0, sizeof *r);
	r->unsupported_dlt = -1;
	char err[400];
	struct cap *c = o->hash ? cap_open_file_hashed(path, err, sizeof err)
			       : cap_open_file(path, err, sizeof err);
	if (!c) {
		snprintf(r->error, sizeof r->error, "%s", err);
		return ING_EOPEN;
	}
	char *paths[1] = { (char *)(uintptr_t)path };
	return import_cap(st, c, paths, 1, o, tick, arg, r);
}

int ing_import_series(struct store *st, char *const *paths, int n,
		      const struct ing_options *o, ing_tick_fn tick, void *arg,
		      struct ing_result *r)
{
	memset(r, 0, sizeof *r);
	r->unsupported_dlt = -1;
	char err[600];
	struct cap *c = cap_open_series(paths, n, o->hash, err, sizeof err);
	if (!c) {
		snprintf(r->error, sizeof r->error, "%.500s", err);
		return ING_EOPEN;
	}
	return import_cap(st, c, paths, n, o, tick, arg, r);
}

int ing_import_files(struct store *st, char *const *files, int nfiles,
		     uint64_t max_packets, const char *filter, char *msg,
		     size_t msglen)
{
	struct ing_options o;
	ing_options_default(&o);
	o.hash = 0;
	o.replace = 1;
	o.filter = filter;
	uint64_t seen = 0;
	for (int i = 0; i < nfiles; i++) {
		if (max_packets && seen >= max_packets)
			break;
		o.max_packets = max_packets ? max_packets - seen : 0;
		struct ing_result r;
		int rc = ing_import_file(st, files[i], &o, NULL, NULL, &r);
		seen += r.packets;
		if (rc == ING_OK)
			continue;
		snprintf(msg, msglen, "%s: %s", files[i], r.error);
		return rc == ING_EDB ? EX_DB : EX_INPUT;
	}
	return 0;
}

/* ---- A live capture's loop ---------------------------------------------- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ing_run_live(struct ing *in, struct cap *c, const struct ing_live *lv,
		 char *damage, size_t damagelen)
{
	double start = mono_s(), last_commit = start;
	uint64_t seen = 0;
	int rc = ING_OK;
	damage[0] = '\0';
	while (!*lv->stop && rc == ING_OK) {
		struct cap_packet p;
		int n = cap_next(c, &p);
		if (n == 1) {
			rc = ing_packet(in, &p);
			if (lv->count > 0 && ++seen >= lv->count)
				break;
		} else if (n == 0) {
			break;
		} else if (n < 0) {
			snprintf(damage, damagelen, "%s", cap_errmsg(c));
			break;
		}
		double t = mono_s();
		if (lv->secs > 0 && t - start >= lv->secs)
			break;
		if (t - last_commit >= 1.0) {
			last_commit = t;
			cap_dump_flush(c);
			if (rc == ING_OK)
				rc = ing_checkpoint(in);
			if (lv->tick)
				lv->tick(lv->arg, in, c);
		}
	}
	cap_dump_flush(c);
	return rc;
}
