/*
 * ladder.c - the rows of one connection's ladder diagram in the TUI.
 *
 * A ladder has a client column on the left, a server column on the right
 * and one arrow per segment between them. Each row also carries the state
 * of both sides *after* that row, and says whether it changed there:
 *
 *     initial            CLOSED        (no packet)        LISTEN
 *     0.000   SYN-SENT*  ---- S seq=0 len=0 ------->  SYN-RECEIVED*
 *     0.120   SYN-SENT   <--- SA seq=0 ack=1 -------  SYN-RECEIVED
 *
 * The rows are those of the streamed ladder that `timeline` prints
 * (analyzer/query/ladder.h: the stored segments, else the capture read
 * again, else the events; each row with its labels and transitions; a
 * transition whose packet has no row on a row of its own), one
 * definition for both views. Here they become ui_rows: a row without a
 * segment is a state row (transitions of one packet with no row share
 * one), and a side that changes twice on one packet (the server's FIN:
 * CLOSE-WAIT, then LAST-ACK) shows the first step on a row of its own
 * just above. Unchanged state cells repeat the row before. With segments,
 * sequence numbers become relative to each direction's first sequence
 * number (the ISN when the SYN was seen), as Wireshark shows them; events
 * alone rarely include the SYNs, so their numbers stay raw.
 *
 * Everything here is pure: rows in, rows out, no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/query/ladder.h"
#include "../tcpcore/tcpcore.h"
#include "ui.h"

int ui_label_is_anomaly(const char *label)
{
	if (!label || !*label)
		return 0;
	/* tcpcore's classification; a name it does not know (kept from an
	 * older database) counts as trouble. */
	int l = tc_label_id(label);
	return l < 0 || tc_label_is_anomaly((unsigned)l);
}

int ui_row_matches(const struct ui_row *r, const char *s)
{
	if (!s || !*s)
		return 0;
	char text[UI_LABELS_LEN + 4 * UI_STATE_LEN + 160];
	snprintf(text, sizeof(text),
		 "#%lld %s seq=%lu ack=%lu len=%lld win=%lld %s %s %s %s %s",
		 (long long)r->pkt, r->has_flags ? r->flags : "",
		 (unsigned long)r->seq, (unsigned long)r->ack,
		 (long long)r->len, (long long)r->win, r->labels, r->cstate,
		 r->sstate, r->cvia, r->svia);
	return strstr(text, s) != NULL;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void ui_row_mark_anomaly(struct ui_row *r)
{
	char buf[UI_LABELS_LEN];
	copy_str(buf, sizeof(buf), r->labels);
	r->anomaly = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		r->anomaly |= ui_label_is_anomaly(t);
}

static void set_change(struct ui_row *r, int side, const char *to)
{
	if (side == 0) {
		if (r->cchanged)
			copy_str(r->cvia, sizeof(r->cvia), r->cstate);
		copy_str(r->cstate, sizeof(r->cstate), to);
		r->cchanged = 1;
	} else {
		if (r->schanged)
			copy_str(r->svia, sizeof(r->svia), r->sstate);
		copy_str(r->sstate, sizeof(r->sstate), to);
		r->schanged = 1;
	}
}

/* A side's state before the first row: before its first transition,
 * else the first of its path, else its final state. */
static void initial_state(char *dst, size_t len, const char *first,
			  const char *path, const char *final)
{
	if (first && *first) {
		copy_str(dst, len, first);
		return;
	}
	if (path && *path) {
		size_t n = strcspn(path, " ");
		if (n >= len)
			n = len - 1;
		memcpy(dst, path, n);
		dst[n] = '\0';
		return;
	}
	copy_str(dst, len, final ? final : "");
}

/* Row k (not the first) after its transitions: unchanged state cells
 * repeat row k - 1's; anomaly from its labels; relative sequence numbers
 * with segments. A row that gets more transitions later (a shared state
 * row) is filled again. */
static void fill(struct ui_ladder *l, size_t k)
{
	struct ui_row *r = &l->rows[k], *p = &l->rows[k - 1];
	if (!r->cchanged)
		copy_str(r->cstate, sizeof(r->cstate), p->cstate);
	if (!r->schanged)
		copy_str(r->sstate, sizeof(r->sstate), p->sstate);
	ui_row_mark_anomaly(r);
	if (l->has_segments && r->kind == UI_ROW_SEGMENT)
		ui_relseq(&l->rs, r); /* once: a segment row is filled once */
}

void ui_relseq(struct ui_relseq *rs, struct ui_row *r)
{
	if (!r->has_seq || (r->dir != 0 && r->dir != 1))
		return;
	int d = r->dir, o = 1 - d;
	if (!rs->have[d]) {
		rs->have[d] = 1;
		rs->base[d] = r->seq;
	}
	int acks = !r->has_flags || strchr(r->flags, 'A');
	if (!rs->have[o] && acks && r->ack) {
		/* The other side's first segment was not seen: its byte
		 * counting starts at what this side acks. */
		rs->have[o] = 1;
		rs->base[o] = r->ack - 1;
	}
	r->seq -= rs->base[d];
	r->ack -= rs->base[o];
}

/* A new row at the end of l (zeroed, no packet, no direction); NULL
 * out of memory. */
static struct ui_row *push(struct ui_ladder *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ui_row *v = realloc(l->rows, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->rows = v;
		l->cap = cap;
	}
	struct ui_row *r = &l->rows[l->n++];
	memset(r, 0, sizeof(*r));
	r->pkt = -1;
	r->dir = -1;
	return r;
}

static int nomem(struct ui_ladder *l)
{
	ui_ladder_free(l);
	return UI_ENOMEM;
}

int ui_ladder_begin(struct ui_ladder *l, const struct ladder_info *in)
{
	ui_ladder_free(l);
	memset(&l->rs, 0, sizeof(l->rs));
	l->has_segments = in->segments;
	l->from_capture = in->from_capture;
	l->scaled = 0;
	copy_str(l->capture_note, sizeof(l->capture_note), in->why);
	struct ui_row *init = push(l);
	if (!init)
		return nomem(l);
	init->kind = UI_ROW_INITIAL;
	init->ts_ns = l->t0; /* the first row's, once it comes */
	initial_state(init->cstate, sizeof(init->cstate), in->init[0],
		      l->cpath, l->flow.cstate);
	initial_state(init->sstate, sizeof(init->sstate), in->init[1],
		      l->spath, l->flow.sstate);
	return 0;
}

int ui_ladder_add(struct ui_ladder *l, const struct ladder_row *src)
{
	if (l->n == 0)
		return UI_ENOMEM; /* not begun, or failed before */
	if (l->n == 1)
		l->rows[0].ts_ns = src->ts;
	struct ui_row *r = &l->rows[l->n - 1];
	/* Transitions of one packet with no row share a state row. */
	int state = !src->has_seg;
	if (!(state && r->kind == UI_ROW_STATE && !r->step && src->pkt > 0 &&
	      r->pkt == src->pkt)) {
		if (!(r = push(l)))
			return nomem(l);
		r->kind = state ? UI_ROW_STATE : UI_ROW_SEGMENT;
		r->ts_ns = src->ts;
		r->pkt = src->pkt > 0 ? src->pkt : -1;
		r->dir = src->dir;
		if (!state) {
			r->has_flags = l->has_segments;
			copy_str(r->flags, sizeof(r->flags), src->flags);
			r->has_seq = 1;
			r->seq = (uint32_t)src->seq;
			r->ack = (uint32_t)src->ack;
			r->len = src->len;
			r->win = src->win;
			/* In bytes once both scales are known, as the tracker
			 * counts them (tc_window_bytes(): a SYN's window as
			 * sent). */
			int syn = strchr(src->flags, 'S') != NULL;
			if (l->has_segments && l->ws[0] >= 0 && l->ws[1] >= 0 &&
			    (src->dir == 0 || src->dir == 1)) {
				r->win = (int64_t)tc_window_bytes(
				    (uint16_t)src->win, l->ws[src->dir], syn);
				l->scaled |= !syn;
			}
			copy_str(r->labels, sizeof(r->labels), src->labels);
		}
	}
	int via = r->cvia[0] || r->svia[0];
	for (size_t k = 0; k < src->ntr; k++)
		set_change(r, src->tr[k].side, src->tr[k].to);
	if (!via && (r->cvia[0] || r->svia[0])) {
		/* Two steps of one side on one packet: the first gets a row
		 * of its own just above. */
		struct ui_row *s = push(l);
		if (!s)
			return nomem(l);
		r = &l->rows[l->n - 2];
		*s = *r;
		memset(r, 0, sizeof(*r));
		r->kind = UI_ROW_STATE;
		r->step = 1;
		r->ts_ns = s->ts_ns;
		r->pkt = s->pkt;
		r->dir = -1;
		if ((r->cchanged = s->cvia[0] != '\0'))
			copy_str(r->cstate, sizeof(r->cstate), s->cvia);
		if ((r->schanged = s->svia[0] != '\0'))
			copy_str(r->sstate, sizeof(r->sstate), s->svia);
		fill(l, l->n - 2);
	}
	fill(l, l->n - 1);
	return 0;
}

void ui_ladder_free(struct ui_ladder *l)
{
	free(l->rows);
	l->rows = NULL;
	l->n = l->cap = 0;
}
