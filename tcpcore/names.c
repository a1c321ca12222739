/*
 * names.c - the spelling of every enumerated value, generated from the
 * X-macro lists in tcpcore.h so a name and its value cannot drift apart.
 * Switches rather than pointer tables keep tcpcore free of writable data
 * (a table of pointers lands in .data.rel.ro in a PIE build). Each
 * function answers "?" for a value out of range; none can fail.
 */
#include <string.h>

#include "tcpcore.h"

const char *tc_state_name(unsigned s)
{
	switch (s) {
#define TC_X(id, name) case TC_ST_##id: return name;
	TC_STATES(TC_X)
#undef TC_X
	}
	return "?";
}

const char *tc_label_name(unsigned l)
{
	switch (l) {
#define TC_X(id, name) case TC_LB_##id: return name;
	TC_LABELS(TC_X)
#undef TC_X
	}
	return "?";
}

int tc_label_id(const char *name)
{
	for (unsigned l = 0; name && l < TC_LB__COUNT; l++)
		if (strcmp(tc_label_name(l), name) == 0)
			return (int)l;
	return -1;
}

int tc_label_is_anomaly(unsigned l)
{
	switch (l) {
	case TC_LB_WINDOW_UPDATE:
	case TC_LB_SACK:
	case TC_LB_DSACK:
	case TC_LB_KEEPALIVE:
	case TC_LB_KEEPALIVE_ACK:
	case TC_LB_WSCALE_UNKNOWN:
		return 0;
	default:
		return l < TC_LB__COUNT;
	}
}

const char *tc_close_name(unsigned c)
{
	switch (c) {
#define TC_X(id, name) case TC_CLOSE_##id: return name;
	TC_CLOSES(TC_X)
#undef TC_X
	}
	return "?";
}

const char *tc_tunnel_name(unsigned tunnel)
{
	switch (tunnel) {
	case TC_TUN_GRE: return "gre";
	case TC_TUN_ERSPAN: return "erspan";
	case TC_TUN_VXLAN: return "vxlan";
	case TC_TUN_GENEVE: return "geneve";
	default: return "";
	}
}

const char *tc_handshake_name(unsigned h)
{
	switch (h) {
#define TC_X(id, name) case TC_HS_##id: return name;
	TC_HANDSHAKES(TC_X)
#undef TC_X
	}
	return "?";
}

const char *tc_reason_name(unsigned r)
{
	switch (r) {
#define TC_X(id, name) case TC_RS_##id: return name;
	TC_REASONS(TC_X)
#undef TC_X
	}
	return "?";
}

const char *tc_rule_side_name(unsigned s)
{
	switch (s) {
	case TC_RULE_SENDER: return "sender";
	case TC_RULE_RECEIVER: return "receiver";
	case TC_RULE_TIMER: return "timer";
	}
	return "?";
}

const char *tc_cc_state_name(unsigned s)
{
	switch (s) {
#define TC_X(id, name) case TC_CC_##id: return name;
	TC_CC_STATES(TC_X)
#undef TC_X
	}
	return "?";
}

const char *tc_limit_name(unsigned l)
{
	switch (l) {
#define TC_X(id, name) case TC_LIMIT_##id: return name;
	TC_LIMITS(TC_X)
#undef TC_X
	}
	return "?";
}
