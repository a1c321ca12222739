/*
 * rules.c - the one table of state transitions, tc_rules[], expanded from
 * TC_RULE_LIST in internal.h.
 *
 * Every transition the tracker records names a row by id; `tcpscope
 * states` prints the table and tcpscope-states(7) explains it. Rows are in
 * enum tc_rule_id order, so tc_rules[id].id == id.
 *
 * The side column is relative to the segment that fires the rule: SENDER is
 * the endpoint that sent it, RECEIVER the endpoint it went to. A receiver
 * changes state when a captured segment proves it received something: for
 * a SYN or FIN that proof is its own ACK, so those rules are SENDER rules
 * of the ACK; a bare ACK is never answered, so it is assumed delivered as
 * it passes the capture point (RECEIVER rules). machine.c picks the row.
 */
#include "internal.h"

#define TC_ST_ANY TC_RULE_ANY
#define S TC_RULE_SENDER
#define R TC_RULE_RECEIVER
#define T TC_RULE_TIMER
/* The rules that infer a segment the capture missed from a later one. */
#define INFERRED(r)                                                           \
	((r) == TC_R_SYNACK_UNSEEN || (r) == TC_R_ACK_UNSEEN ||               \
	 (r) == TC_R_SYNRCVD_ACK_UNSEEN || (r) == TC_R_SYN_IMPLIED ||         \
	 (r) == TC_R_FIN_UNSEEN || (r) == TC_R_FIN_UNSEEN_PASSIVE ||        \
	 (r) == TC_R_FIN_ACK_UNSEEN || (r) == TC_R_SYN_REFUSED_IMPLIED)

const struct tc_rule tc_rules[] = {
#define TC_X(id, name, side, from, to, ev, rfc)                               \
	{ TC_R_##id, side, TC_ST_##from, TC_ST_##to, name, ev, rfc,           \
	  INFERRED(TC_R_##id) },
	TC_RULE_LIST(TC_X)
#undef TC_X
};

const size_t tc_nrules = sizeof(tc_rules) / sizeof(tc_rules[0]);
