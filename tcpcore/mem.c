/*
 * mem.c - the tracker's memory accounting: every allocation goes through
 * tc_mem_alloc()/tc_mem_free() with its size, counted with what malloc
 * adds (tc_mem_cost), so tr->st.bytes is close to what the process holds
 * for the tracker and cfg.max_bytes can bound it (tracker.c). The
 * allocator is the caller's (cfg.tc_alloc, cfg.tc_free) or malloc.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* glibc's malloc: an 8-byte header, 16-byte granules, 32 at least. */
size_t tc_mem_cost(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;
	return c < 32 ? 32 : c;
}

void *tc_mem_alloc(struct tc_tracker *tr, size_t n)
{
	void *p = tr->cfg.tc_alloc ? tr->cfg.tc_alloc(tr->cfg.alloc_ctx, n)
				   : malloc(n);
	if (p) {
		tr->st.bytes += tc_mem_cost(n);
		if (tr->st.bytes > tr->st.peak_bytes)
			tr->st.peak_bytes = tr->st.bytes;
	}
	return p;
}

struct tc_tracker *tc_mem_new_tracker(const struct tc_config *cfg)
{
	size_t n = sizeof(struct tc_tracker);
	struct tc_tracker *tr = cfg->tc_alloc ? cfg->tc_alloc(cfg->alloc_ctx, n)
					      : malloc(n);
	if (!tr)
		return NULL;
	memset(tr, 0, n);
	tr->cfg = *cfg;
	tr->st.bytes = tr->st.peak_bytes = tc_mem_cost(n);
	return tr;
}

void tc_mem_free(struct tc_tracker *tr, void *p, size_t n)
{
	if (!p)
		return;
	assert(tr->st.bytes >= tc_mem_cost(n));
	tr->st.bytes -= tc_mem_cost(n);
	if (tr->cfg.tc_free)
		tr->cfg.tc_free(tr->cfg.alloc_ctx, p);
	else
		free(p);
}
