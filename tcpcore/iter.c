/*
 * iter.c - looking at a connection that is still open.
 *
 * Some figures of a connection are derived only when it finishes: the
 * handshake kind and data_on_syn (machine.c, tc_machine_conclude()) and
 * Zeek's conn_state (zeek.c, tc_zeek_conclude()). A live view wants them
 * "so far", as if the connection ended now, without ending it. Both
 * conclude functions only derive fields of struct tc_conn from the
 * endpoint records and may run again: finish() runs them once more and
 * overwrites what was derived here. Only close must stay OPEN, so it is
 * put back after tc_machine_conclude().
 *
 * tc_conn_peek_final() derives close too, into a copy, for a caller that
 * writes a connection's final row as soon as it is over (both sides
 * closed) instead of when it expires.
 *
 * Kept in its own file so that it touches nothing of the modules' own
 * logic; it reads and writes nothing but the connection it is asked about.
 */
#include "internal.h"

const struct tc_conn *tc_conn_refresh(struct tc_tracker *tr, uint64_t id)
{
	struct tc_cx *cx = tc_find_full(tr, id);
	if (!cx || cx->c.finished)
		return NULL;
	uint8_t close = cx->c.close;
	tc_machine_conclude(cx, tr->now);
	cx->c.close = close;
	tc_zeek_conclude(cx);
	tc_cc_conclude(cx);
	return &cx->c;
}

int tc_conn_peek_final(struct tc_tracker *tr, uint64_t id,
		       struct tc_conn *out)
{
	struct tc_cx *cx = tc_find_full(tr, id);
	if (!cx || cx->c.finished)
		return -1;
	uint8_t close = cx->c.close;
	tc_machine_conclude(cx, tr->now);
	tc_zeek_conclude(cx);
	tc_cc_conclude(cx);
	*out = cx->c;
	out->finished = 1;
	cx->c.close = close;
	return 0;
}
