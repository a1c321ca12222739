/*
 * cmd_states.c - `tcpscope states`: prints the tracker's rule table
 * (tc_rules[] of tcpcore/rules.c), one rule a line: id, name, which side
 * changes (relative to the segment that fires the rule), from, to, RFC 9293
 * section and the triggering event; with --cc the congestion-state rules
 * of a sender instead (tc_cc_rules[] of tcpcore/cc.c). Reads no capture
 * and no database. tcpscope-states(7) explains the first table,
 * tcpscope-flows(1) TRANSFER the second.
 */
#include <stdio.h>
#include <string.h>

#include "../../tcpcore/tcpcore.h"
#include "../cmd.h"

static void states_usage(FILE *f)
{
	fprintf(f, "usage: tcpscope states [--cc]\n"
		   "Prints the state-transition rules of the tracker; see "
		   "tcpscope-states(7).\n"
		   "  --cc   the congestion-state rules of a sender instead; see "
		   "tcpscope-flows(1) TRANSFER\n");
}

/* The congestion-state rules, one a line. */
static void print_cc_rules(void)
{
	printf("%-3s %-22s %-8s %-9s %-9s %s\n", "ID", "NAME", "BY", "FROM",
	       "TO", "EVENT");
	for (size_t i = 0; i < tc_cc_nrules; i++) {
		const struct tc_cc_rule *r = &tc_cc_rules[i];
		printf("%-3u %-22s %-8s %-9s %-9s %s\n", (unsigned)r->id,
		       r->name, tc_rule_side_name(r->by),
		       r->from == TC_RULE_ANY ? "any"
					      : tc_cc_state_name(r->from),
		       tc_cc_state_name(r->to), r->event);
	}
}

int cmd_states(int argc, char **argv)
{
	int cc = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cc") == 0) {
			cc = 1;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			states_usage(stdout);
			return EX_OK;
		}
		fprintf(stderr, "tcpscope states: unexpected argument '%s' (try"
				" --help)\n", argv[i]);
		return EX_USAGE;
	}
	if (cc) {
		print_cc_rules();
		return EX_OK;
	}
	printf("%-3s %-26s %-8s %-12s %-12s %-8s %s\n", "ID", "NAME", "SIDE",
	       "FROM", "TO", "RFC9293", "EVENT");
	for (size_t i = 0; i < tc_nrules; i++) {
		const struct tc_rule *r = &tc_rules[i];
		printf("%-3u %-26s %-8s %-12s %-12s %-8s %s\n", (unsigned)r->id,
		       r->name, tc_rule_side_name(r->side),
		       r->from == TC_RULE_ANY ? "any" : tc_state_name(r->from),
		       tc_state_name(r->to), r->rfc, r->event);
	}
	return EX_OK;
}
