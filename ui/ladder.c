/*
 * ladder.c - builds the rows of one connection's ladder diagram.
 *
 * A ladder has a client column on the left, a server column on the right
 * and one arrow per segment between them. Each row also carries the state
 * of both sides *after* that row, and says whether it changed there:
 *
 *     initial            CLOSED        (no packet)        LISTEN
 *     0.000   SYN-SENT*  ---- S seq=0 len=0 ------->  SYN-RECEIVED*
 *     0.120   SYN-SENT   <--- SA seq=0 ack=1 -------  SYN-RECEIVED
 *
 * Input is what model.c read from the tables, in table order:
 *
 *   segments    (only with `read --segments`): one arrow per row.
 *   events      labels of packets. With segments they only add labels to
 *               the arrow of their packet (a revised event replaces its
 *               old label); without, they are the arrows, one per packet.
 *   transitions go on the row of their packet; a transition whose packet
 *               has no row (a timer, the end of the capture, or a packet
 *               with no event when there are no segments) gets a row of its
 *               own, merged in by time, shared by transitions of the same
 *               packet. A side that changes twice on one packet (the
 *               server's FIN: CLOSE-WAIT, then LAST-ACK) shows the first
 *               step on a row of its own just above.
 *
 * Then one forward pass fills the unchanged state cells. With segments,
 * sequence numbers become relative to each direction's first sequence
 * number (the ISN when the SYN was seen), as Wireshark shows them; events
 * alone rarely include the SYNs, so their numbers stay raw.
 *
 * Everything here is pure: arrays in, rows out, no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Position of token tok in the comma list s, or NULL. */
static char *find_label(char *s, const char *tok)
{
	size_t n = strlen(tok);
	char *p = s;
	while (*p) {
		char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, tok, n) == 0)
			return p;
		if (!e)
			break;
		p = e + 1;
	}
	return NULL;
}

static void add_label(struct ui_row *r, const char *tok)
{
	if (!*tok || find_label(r->labels, tok))
		return;
	size_t have = strlen(r->labels), n = strlen(tok);
	if (have + n + 2 > sizeof(r->labels))
		return; /* full: the row keeps the labels it has */
	if (have)
		r->labels[have++] = ',';
	memcpy(r->labels + have, tok, n + 1);
}

static void remove_label(struct ui_row *r, const char *tok)
{
	char *p = find_label(r->labels, tok);
	if (!p)
		return;
	char *e = p + strlen(tok);
	if (*e == ',')
		memmove(p, e + 1, strlen(e + 1) + 1);
	else if (p > r->labels)
		p[-1] = '\0';
	else
		*p = '\0';
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

/* A growable row array. */
struct rows {
	struct ui_row *v;
	size_t n, cap;
};

static struct ui_row *push(struct rows *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct ui_row *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	struct ui_row *r = &a->v[a->n++];
	memset(r, 0, sizeof(*r));
	r->pkt = -1;
	r->dir = -1;
	return r;
}

/* The first row with this packet number; rows are sorted by pkt when
 * sorted is set, else searched linearly. */
static struct ui_row *find_pkt(struct rows *a, int sorted, int64_t pkt)
{
	if (pkt < 0)
		return NULL;
	if (!sorted) {
		for (size_t i = 0; i < a->n; i++)
			if (a->v[i].pkt == pkt)
				return &a->v[i];
		return NULL;
	}
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->v[mid].pkt < pkt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->v[lo].pkt == pkt ? &a->v[lo] : NULL;
}

static int sorted_by_pkt(const struct rows *a)
{
	for (size_t i = 1; i < a->n; i++)
		if (a->v[i].pkt < a->v[i - 1].pkt)
			return 0;
	return 1;
}

/* Events sorted by packet, ties in table order. */
static int cmp_event_idx(const void *pa, const void *pb,
			 const struct ui_event *ev)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	if (ev[a].pkt != ev[b].pkt)
		return ev[a].pkt < ev[b].pkt ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* qsort has no context argument in C11: a small insertion-merge sort. */
static void sort_events(size_t *idx, size_t n, const struct ui_event *ev,
			size_t *tmp)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_events(idx, h, ev, tmp);
	sort_events(idx + h, n - h, ev, tmp);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_event_idx(&idx[j], &idx[i], ev) < 0 ? idx[j++]
								   : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

void ui_row_apply_event(struct ui_row *r, const struct ui_event *e)
{
	if (e->revised && e->old_label[0])
		remove_label(r, e->old_label);
	add_label(r, e->label);
}

/* Rows from events when there are no segments: one per packet. */
static int rows_from_events(struct rows *a, const struct ui_event *ev,
			    size_t nev)
{
	if (nev == 0)
		return 0;
	size_t *idx = malloc(nev * sizeof(*idx));
	size_t *tmp = malloc(nev * sizeof(*tmp));
	int rc = UI_ENOMEM;
	if (!idx || !tmp)
		goto out;
	for (size_t i = 0; i < nev; i++)
		idx[i] = i;
	sort_events(idx, nev, ev, tmp);
	for (size_t k = 0; k < nev; k++) {
		const struct ui_event *e = &ev[idx[k]];
		struct ui_row *r = a->n ? &a->v[a->n - 1] : NULL;
		if (!r || e->pkt < 0 || r->pkt != e->pkt) {
			r = push(a);
			if (!r)
				goto out;
			r->kind = UI_ROW_SEGMENT;
			r->ts_ns = e->ts_ns;
			r->pkt = e->pkt;
			r->dir = e->dir;
			r->has_seq = 1;
			r->seq = (uint32_t)e->seq;
			r->ack = (uint32_t)e->ack;
			r->len = e->len;
			r->win = e->win;
		}
		ui_row_apply_event(r, e);
	}
	rc = 0;
out:
	free(idx);
	free(tmp);
	return rc;
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

/* Row o goes before row r when earlier in time (or same time, earlier
 * packet). */
static int before(const struct ui_row *o, const struct ui_row *r)
{
	if (o->ts_ns != r->ts_ns)
		return o->ts_ns < r->ts_ns;
	return o->pkt >= 0 && r->pkt >= 0 && o->pkt < r->pkt;
}

static void initial_state(char *dst, size_t len, const struct ui_trans *tr,
			  size_t ntr, int side, const char *path,
			  const char *final)
{
	for (size_t i = 0; i < ntr; i++) {
		if (tr[i].side == side) {
			copy_str(dst, len, tr[i].from);
			return;
		}
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

static void relative_seqs(struct rows *a)
{
	struct ui_relseq rs = {{0, 0}, {0, 0}};
	for (size_t i = 0; i < a->n; i++)
		ui_relseq(&rs, &a->v[i]);
}

int ui_ladder_build(struct ui_ladder *l, const struct ui_seg *seg, size_t nseg,
		    const struct ui_trans *tr, size_t ntr,
		    const struct ui_event *ev, size_t nev)
{
	struct rows a = {0}, orph = {0}, out = {0};
	int rc = UI_ENOMEM;

	/* 1. Arrows. */
	for (size_t i = 0; i < nseg; i++) {
		struct ui_row *r = push(&a);
		if (!r)
			goto fail;
		const struct ui_seg *s = &seg[i];
		r->kind = UI_ROW_SEGMENT;
		r->ts_ns = s->ts_ns;
		r->pkt = s->pkt;
		r->dir = s->dir;
		r->has_flags = 1;
		copy_str(r->flags, sizeof(r->flags), s->flags);
		r->has_seq = 1;
		r->seq = (uint32_t)s->seq;
		r->ack = (uint32_t)s->ack;
		r->len = s->len;
		r->win = s->win;
		/* In bytes once both scales are known, as the tracker counts
		 * them (tc_window_bytes(): a SYN's window as sent). */
		int syn = strchr(s->flags, 'S') != NULL;
		if (l->ws[0] >= 0 && l->ws[1] >= 0 && (s->dir == 0 || s->dir == 1)) {
			r->win = (int64_t)tc_window_bytes((uint16_t)s->win,
							  l->ws[s->dir], syn);
			l->scaled |= !syn;
		}
		copy_str(r->labels, sizeof(r->labels), s->labels);
	}
	int sorted = sorted_by_pkt(&a);
	if (nseg > 0) {
		for (size_t i = 0; i < nev; i++) {
			struct ui_row *r = find_pkt(&a, sorted, ev[i].pkt);
			if (r)
				ui_row_apply_event(r, &ev[i]);
		}
	} else {
		if (rows_from_events(&a, ev, nev) < 0)
			goto fail;
		sorted = sorted_by_pkt(&a);
	}

	/* 2. State changes: on their packet's row, or a row of their own. */
	for (size_t i = 0; i < ntr; i++) {
		const struct ui_trans *t = &tr[i];
		struct ui_row *r = find_pkt(&a, sorted, t->pkt);
		if (!r) {
			struct ui_row *last =
			    orph.n ? &orph.v[orph.n - 1] : NULL;
			if (last && t->pkt >= 0 && last->pkt == t->pkt)
				r = last;
			else if (!(r = push(&orph)))
				goto fail;
			r->kind = UI_ROW_STATE;
			r->ts_ns = t->ts_ns;
			r->pkt = t->pkt;
		}
		set_change(r, t->side, t->to);
	}

	/* 3. The initial row, then both lists merged by time. */
	struct ui_row *init = push(&out);
	if (!init)
		goto fail;
	init->kind = UI_ROW_INITIAL;
	init->ts_ns = a.n ? a.v[0].ts_ns : orph.n ? orph.v[0].ts_ns : l->t0;
	initial_state(init->cstate, sizeof(init->cstate), tr, ntr, 0, l->cpath,
		      l->flow.cstate);
	initial_state(init->sstate, sizeof(init->sstate), tr, ntr, 1, l->spath,
		      l->flow.sstate);
	size_t i = 0, j = 0;
	while (i < a.n || j < orph.n) {
		const struct ui_row *src;
		if (j < orph.n && (i == a.n || before(&orph.v[j], &a.v[i])))
			src = &orph.v[j++];
		else
			src = &a.v[i++];
		struct ui_row *r;
		if (src->cvia[0] || src->svia[0]) {
			/* Two steps of one side on one packet: the first
			 * gets a row of its own just above. */
			if (!(r = push(&out)))
				goto fail;
			r->kind = UI_ROW_STATE;
			r->step = 1;
			r->ts_ns = src->ts_ns;
			r->pkt = src->pkt;
			if ((r->cchanged = src->cvia[0] != '\0'))
				copy_str(r->cstate, sizeof(r->cstate),
					 src->cvia);
			if ((r->schanged = src->svia[0] != '\0'))
				copy_str(r->sstate, sizeof(r->sstate),
					 src->svia);
		}
		if (!(r = push(&out)))
			goto fail;
		*r = *src;
	}

	/* 4. Fill unchanged state cells; relative sequence numbers. */
	for (size_t k = 1; k < out.n; k++) {
		struct ui_row *r = &out.v[k], *p = &out.v[k - 1];
		if (!r->cchanged)
			copy_str(r->cstate, sizeof(r->cstate), p->cstate);
		if (!r->schanged)
			copy_str(r->sstate, sizeof(r->sstate), p->sstate);
		ui_row_mark_anomaly(r);
	}
	if (nseg > 0)
		relative_seqs(&out); /* events alone rarely show the ISNs */

	free(a.v);
	free(orph.v);
	free(l->rows);
	l->rows = out.v;
	l->n = out.n;
	l->cap = out.cap;
	return 0;
fail:
	free(a.v);
	free(orph.v);
	free(out.v);
	free(l->rows);
	l->rows = NULL;
	l->n = l->cap = 0;
	return rc;
}

void ui_ladder_free(struct ui_ladder *l)
{
	free(l->rows);
	l->rows = NULL;
	l->n = l->cap = 0;
}
