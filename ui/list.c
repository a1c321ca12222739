/*
 * list.c - the flow list view's logic: filter, sort, selection, scrolling.
 *
 * The snapshot (list->flows) is never reordered; vis[] holds the indices
 * of the flows that pass the filter, in display order. The selection is
 * kept as a connection id (sel_id), so a reload, a new sort or a new
 * filter leaves the cursor on the same flow when it is still shown.
 *
 * Pure logic, no curses: tests call it directly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tcpcore/tcpcore.h"
#include "ui.h"

#include "../analyzer/output/out.h"

static const char *const sort_names[] = {
#define UI_X(id, name) name,
    UI_SORT_KEYS(UI_X)
#undef UI_X
};

const char *ui_sort_name(int key)
{
	if (key < 0 || key >= UI_SORT__COUNT)
		return "?";
	return sort_names[key];
}

/* Case-insensitive strstr. */
static int contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return 1;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) ==
			   tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

int ui_flow_matches(const struct ui_flow *f, const char *filter)
{
	if (!filter || !*filter)
		return 1;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)f->id);
	const char *fields[] = {id,	   f->client,	  f->server,
				f->close,  f->conn_state, f->cstate,
				f->sstate};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (contains(fields[i], filter))
			return 1;
	for (unsigned l = 0; l < 64; l++)
		if ((f->labels >> l & 1) && contains(tc_label_name(l), filter))
			return 1;
	return 0;
}

static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

static int64_t duration(const struct ui_flow *f)
{
	return f->first_ts && f->last_ts ? out_tdiff(f->last_ts, f->first_ts) : -1;
}

static int cmp_flows(const struct ui_flow *a, const struct ui_flow *b, int key)
{
	int c = 0;
	switch (key) {
	case UI_SORT_START:
		c = cmp_i64(a->first_ts, b->first_ts);
		break;
	case UI_SORT_DURATION:
		c = -cmp_i64(duration(a), duration(b));
		break;
	case UI_SORT_PACKETS:
		c = -cmp_i64(a->packets, b->packets);
		break;
	case UI_SORT_BYTES:
		c = -cmp_i64(a->bytes, b->bytes);
		break;
	case UI_SORT_RETRANS:
		c = -cmp_i64(a->retrans, b->retrans);
		break;
	case UI_SORT_CLIENT:
		c = strcmp(a->client, b->client);
		break;
	case UI_SORT_SERVER:
		c = strcmp(a->server, b->server);
		break;
	case UI_SORT_CLOSE:
		c = strcmp(a->close, b->close);
		break;
	default:
		break;
	}
	return c ? c : cmp_i64(a->id, b->id);
}

/* A merge sort of vis (C11 qsort has no context argument). Stable. */
static void sort_vis(size_t *v, size_t n, size_t *tmp, const struct ui_list *l)
{
	if (n < 2)
		return;
	size_t h = n / 2, i = 0, j = h, k = 0;
	sort_vis(v, h, tmp, l);
	sort_vis(v + h, n - h, tmp, l);
	while (i < h && j < n) {
		int c =
		    cmp_flows(&l->flows.v[v[j]], &l->flows.v[v[i]], l->sort);
		if (l->reverse)
			c = -c;
		tmp[k++] = c < 0 ? v[j++] : v[i++];
	}
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

int ui_list_update(struct ui_list *l)
{
	size_t n = l->flows.n;
	if (n > l->viscap) {
		size_t *v = realloc(l->vis, n * sizeof(*v));
		if (!v) {
			l->nvis = 0;
			return UI_ENOMEM;
		}
		l->vis = v;
		l->viscap = n;
	}
	l->nvis = 0;
	for (size_t i = 0; i < n; i++)
		if (ui_flow_matches(&l->flows.v[i], l->filter))
			l->vis[l->nvis++] = i;
	if (l->nvis > 1) {
		size_t *tmp = malloc(l->nvis * sizeof(*tmp));
		if (!tmp) {
			l->nvis = 0;
			return UI_ENOMEM;
		}
		sort_vis(l->vis, l->nvis, tmp, l);
		free(tmp);
	}
	/* Find the selected flow again; if it is gone keep the row. */
	size_t i;
	for (i = 0; i < l->nvis; i++)
		if (l->flows.v[l->vis[i]].id == l->sel_id)
			break;
	if (i < l->nvis) {
		l->sel = i;
	} else {
		if (l->sel >= l->nvis)
			l->sel = l->nvis ? l->nvis - 1 : 0;
		l->sel_id = l->nvis ? l->flows.v[l->vis[l->sel]].id : -1;
	}
	return 0;
}

void ui_list_move(struct ui_list *l, long delta)
{
	if (l->nvis == 0)
		return;
	long s = (long)l->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)l->nvis)
		s = (long)l->nvis - 1;
	l->sel = (size_t)s;
	l->sel_id = l->flows.v[l->vis[l->sel]].id;
}

void ui_list_scroll(struct ui_list *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	/* No empty space below the last row when it can be filled. */
	if (l->nvis > h && l->top > l->nvis - h)
		l->top = l->nvis - h;
	if (l->nvis <= h)
		l->top = 0;
}

const struct ui_flow *ui_list_selected(const struct ui_list *l)
{
	if (l->nvis == 0 || l->sel >= l->nvis)
		return NULL;
	return &l->flows.v[l->vis[l->sel]];
}

void ui_list_free(struct ui_list *l)
{
	ui_flows_free(&l->flows);
	free(l->vis);
	l->vis = NULL;
	l->nvis = l->viscap = 0;
}
