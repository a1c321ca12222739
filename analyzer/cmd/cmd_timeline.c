/*
 * cmd_timeline.c - `tcpscope timeline`: one connection as a ladder diagram,
 * the way a textbook draws the TCP state machine at work:
 *
 *   TIME       PKT  CLIENT        SEGMENT                               SERVER
 *                   CLOSED                                              LISTEN
 *   0.000000     1  SYN-SENT      S seq=0 win=64240 ---------------->   SYN-RECEIVED
 *   0.000105     2  |             <-------- SA seq=0 ack=1 win=65160    |
 *   0.000121     3  ESTABLISHED   A seq=1 ack=1 win=502 ------------>   ESTABLISHED
 *
 * A row is one segment. The state columns show a side's new state on the
 * row whose packet made it change, and '|' (its lifeline) elsewhere; the
 * labels the tracker gave the segment follow in brackets.
 *
 * Rows come from the segments table when the capture was imported with
 * --segments. Otherwise the connection's packets are read again from the
 * capture file (flowpkts.c: the file imported, checked by size and
 * SHA-256, or the one --capture names), so the ladder is whole by default.
 * Only when that file cannot be read is the timeline rebuilt from what is
 * always stored: the events (which carry seq/ack/len/win of labelled
 * segments) and the transitions; packets known only by a transition show
 * no arrow, and a header line says why the view is partial.
 *
 * Build order: load_conn() (the header), load_rows(), attach_labels(),
 * attach_transitions(), attach_cc() (the senders' congestion-state
 * changes: the data-transfer phases), attach_comments() (pcapng packet
 * comments), then print_text() or print_json().
 */
#include <getopt.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../capture/capture.h"
#include "../capture/decode.h"
#include "../query/ladder.h"
#include "../query/flowsel.h"
#include "../output/out.h"
#include "../store/store.h"

static const char timeline_usage[] =
	"usage: tcpscope timeline [-n] [-d DB | -r FILE [-c COUNT]] [--format text|json]\n"
	"                         [--absolute] [--from T] [--to T] [--anomalies]\n"
	"                         [--raw-windows] [--capture PCAP]\n"
	"                         FLOW [EXPR]\n"
	"\n"
	"Draw one connection as a ladder diagram: time, the client's state, the\n"
	"segment with an arrow, the server's state, and every transition and\n"
	"anomaly where it happens. FLOW is a connection id or uid (see 'tcpscope flows')\n"
	"or a pair 'CLIENT-IP:PORT SERVER-IP:PORT' (IPv6 as [addr]:port).\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db);\n"
	"                       several -d: a set of shards, read as one\n"
	"  -r, --read FILE      analyze FILE in memory, with every segment; EXPR\n"
	"                       after FLOW, a BPF filter, picks its packets\n"
	"  -c COUNT             with -r: read only the first COUNT packets\n"
	"      --capture PCAP   read the packets from PCAP, the capture the flow\n"
	"                       was imported from (moved, or its path relative to\n"
	"                       another directory); checked by size and SHA-256\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -f, --format FMT     text (default) or json\n"
	"  -a, --absolute       absolute times and sequence numbers\n"
	"      --from T         only rows at or after T: seconds after the first\n"
	"                       packet, as the TIME column; with --absolute a time\n"
	"                       (epoch seconds or ISO 8601, UTC)\n"
	"      --to T           only rows at or before T (as --from)\n"
	"  -A, --anomalies      only rows with a state change or an anomaly label,\n"
	"                       and the row before and after each\n"
	"      --raw-windows    windows as sent, not scaled to bytes\n"
	"  -h, --help           show this help\n";

/* What rows to show. */
struct pick {
	int64_t from, to;      /* ns since the epoch, inclusive */
	int anomalies;
};

/* The view of one ladder as it streams by (ladder.h): rows wait one row
 * for the next, since --anomalies shows a notable row's neighbours. */
struct view {
	int json, absolute, raw;
	struct pick pk;
	const struct ladder_info *in;
	const struct ladder_conn *ci;
	int scaled, col, tw;
	struct ladder_row cur; /* the row waiting for its successor */
	int have_cur;
	int cur_mark;          /* cur is notable and in range */
	int prev_mark;         /* the row before cur was */
	/* text: rows not shown, counted on one line with each side's
	 * state after them */
	size_t skipped;
	const char *state[2];
	uint64_t rows;         /* rows in all */
	int any;               /* JSON: a row written */
};

/* 1 when row r has a state change or a label that reports trouble. */
static int row_notable(const struct ladder_row *r)
{
	if (r->ntr)
		return 1;
	for (size_t k = 0; k < r->ncc; k++)
		if (strcmp(r->cc[k].to, "Recovery") == 0 ||
		    strcmp(r->cc[k].to, "Loss") == 0)
			return 1;
	const char *p = r->labels;
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[64];
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		int l = tc_label_id(one);
		if (l < 0 || tc_label_is_anomaly((unsigned)l))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int in_range(const struct view *v, const struct ladder_row *r)
{
	return r->ts >= v->pk.from && r->ts <= v->pk.to;
}

/* The window row r advertised, in bytes when scaled, as the tracker
 * counts it (tc_window_bytes()). */
static int64_t row_win(const struct view *v, const struct ladder_row *r)
{
	if (!v->scaled || r->dir < 0)
		return r->win;
	return (int64_t)tc_window_bytes((uint16_t)r->win, v->ci->ws[r->dir],
					strchr(r->flags, 'S') != NULL);
}

static int64_t rel32(int64_t v, int64_t base)
{
	return (int64_t)(uint32_t)((uint32_t)v - (uint32_t)base);
}

/* Segment description: "SA seq=0 ack=1 win=65160 len=0 <mss=1460>". */
static void seg_text(char *buf, size_t len, const struct view *v,
		     const struct ladder_row *r)
{
	const struct ladder_info *in = v->in;
	if (!r->has_seg) {
		snprintf(buf, len, "(packet not stored)");
		return;
	}
	int d = r->dir;
	int64_t seq = r->seq, ack = r->ack;
	if (!v->absolute) {
		if (in->have_isn[d])
			seq = rel32(seq, in->isn[d]);
		if (in->have_isn[!d])
			ack = rel32(ack, in->isn[!d]);
	}
	int n = snprintf(buf, len, "%s%sseq=%lld", r->flags, r->flags[0] ? " " : "",
			 (long long)seq);
	if (!in->segments || strchr(r->flags, 'A'))
		n += snprintf(buf + n, len - (size_t)n, " ack=%lld", (long long)ack);
	/* The options; SACK blocks, which name the peer's bytes, relative
	 * as the ack is. */
	char opt[200] = "";
	for (const char *p = r->options; *p;) {
		size_t k = strcspn(p, ",");
		size_t u = strlen(opt);
		if (strncmp(p, "sack=", 5) == 0 && !v->absolute && in->have_isn[!d]) {
			snprintf(opt + u, sizeof opt - u, "%ssack=", u ? "," : "");
			const char *q = p + 5, *end = p + k;
			while (q < end) {
				char *e;
				unsigned long long a = strtoull(q, &e, 10), b = 0;
				if (e < end && *e == '-')
					b = strtoull(e + 1, &e, 10);
				u = strlen(opt);
				snprintf(opt + u, sizeof opt - u, "%s%lld-%lld",
					 q == p + 5 ? "" : " ",
					 (long long)rel32((int64_t)a, in->isn[!d]),
					 (long long)rel32((int64_t)b, in->isn[!d]));
				while (e < end && *e == ' ')
					e++;
				if (e == q)
					break;
				q = e;
			}
		} else {
			snprintf(opt + u, sizeof opt - u, "%s%.*s", u ? "," : "",
				 (int)k, p);
		}
		p += k + (p[k] == ',');
	}
	snprintf(buf + n, len - (size_t)n, " win=%lld len=%lld%s%s%s",
		 (long long)row_win(v, r), (long long)r->len,
		 opt[0] ? " <" : "", opt, opt[0] ? ">" : "");
}

#define MID 60
#define DASHES "------------------------------------------------------------"

/* ---- Text --------------------------------------------------------------- */

static void text_head(struct view *v)
{
	const struct ladder_conn *ci = v->ci;
	const struct ladder_info *in = v->in;
	int col = v->col, tw = v->tw;
	char b[64], d[32];
	char cap[1024];
	printf("%sflow %lld%s  %s -> %s  capture %lld (%s)\n", out_sgr(col, OUT_HEAD),
	       (long long)ci->id, OUT_RESET(col), ci->client, ci->server,
	       (long long)ci->capture_id, out_esc(ci->capture, cap, sizeof cap));
	printf("start %s UTC  duration %s  handshake %s  close %s  conn_state %s"
	       "  history %s  vantage %s\n", out_ts_utc(b, sizeof b, ci->first_ts),
	       out_dur(d, sizeof d, out_tdiff(ci->last_ts, ci->first_ts)),
	       ci->handshake[0] ? ci->handshake : "-",
	       ci->close[0] ? ci->close : "-",
	       ci->conn_state[0] ? ci->conn_state : "-",
	       ci->history[0] ? ci->history : "-",
	       ci->vantage[0] ? ci->vantage : "-");
	/* A side whose path the capture does not decide: its other paths
	 * (tcpscope-states(7)), and a '?' on its final state below. */
	for (int side = 0; side < 2; side++) {
		char path[512], esc[1100];
		for (int k = 0; ladder_alt(ci->alt[side], k, path, sizeof path) == 0;
		     k++)
			printf("%s# uncertain: the %s's path may also have been"
			       " %s%s\n", out_sgr(col, OUT_WARN),
			       side ? "server" : "client",
			       out_esc(path, esc, sizeof esc), OUT_RESET(col));
	}
	if (in->from_capture)
		printf("# packets read again from the capture\n");
	else if (!in->segments)
		printf("# segments not stored, and the capture not read (%s):"
		       " rebuilt from transitions and events only\n",
		       out_esc(in->why, cap, sizeof cap));
	printf("# %s, %s sequence numbers, ",
	       v->absolute ? "absolute times (UTC)" : "times relative to the first packet",
	       v->absolute || !in->segments ? "absolute" : "relative");
	if (v->scaled)
		printf("windows in bytes (scale %d and %d)\n", ci->ws[0],
		       ci->ws[1]);
	else
		printf("windows as sent (%s)\n",
		       v->raw ? "--raw-windows"
		       : !in->segments ? "segments not stored"
				       : "no window scaling");
	printf("\n%s%-*s %6s  %-13s %-*s  %s%s\n", out_sgr(col, OUT_HEAD),
	       tw, "TIME", "PKT", "CLIENT", MID, "SEGMENT", "SERVER",
	       OUT_RESET(col));
	printf("%-*s %6s  %-13s %-*s  %s\n", tw, "", "", v->state[0], MID, "",
	       v->state[1]);
}

/* The line that counts the rows not shown since the last one shown. */
static void text_skipped(struct view *v)
{
	if (!v->skipped)
		return;
	char what[48];
	snprintf(what, sizeof what, "(%zu row%s not shown)", v->skipped,
		 v->skipped == 1 ? "" : "s");
	printf("%-*s %6s  %-13s %-*s  %s\n", v->tw, "...", "", v->state[0], MID,
	       what, v->state[1]);
	v->skipped = 0;
}

static void text_row(struct view *v, const struct ladder_row *r)
{
	int col = v->col, tw = v->tw;
	text_skipped(v);
	for (size_t k = 0; k < r->ntr; k++)
		v->state[r->tr[k].side] = r->tr[k].to;
	char ts[40], pkt[24], seg[200], mid[320];
	if (v->absolute)
		out_ts_utc(ts, sizeof ts, r->ts);
	else
		snprintf(ts, sizeof ts, "%.6f",
			 (double)out_tdiff(r->ts, v->ci->first_ts) / 1e9);
	if (r->pkt > 0)
		snprintf(pkt, sizeof pkt, "%lld", (long long)r->pkt);
	else
		snprintf(pkt, sizeof pkt, "-");
	/* Each side's new states at this row; several make extra lines
	 * below the segment. */
	const char *sts[2][8];
	size_t nst[2] = { 0, 0 };
	for (size_t k = 0; k < r->ntr; k++) {
		int s = r->tr[k].side;
		if (nst[s] < 8)
			sts[s][nst[s]++] = r->tr[k].to;
	}
	size_t lines = nst[0] > nst[1] ? nst[0] : nst[1];
	if (lines == 0)
		lines = 1;
	seg_text(seg, sizeof seg, v, r);
	size_t sl = strlen(seg);
	int dashes = MID - (int)sl - 2;
	if (dashes < 3)
		dashes = 3;
	const char *acol = "";
	if (r->dir == 0) {
		acol = out_sgr(col, OUT_CLIENT);
		snprintf(mid, sizeof mid, "%s %.*s>", seg, dashes, DASHES);
	} else if (r->dir == 1) {
		acol = out_sgr(col, OUT_SERVER);
		snprintf(mid, sizeof mid, "<%.*s %s", dashes, DASHES, seg);
	} else {
		snprintf(mid, sizeof mid, "%s",
			 r->has_seg ? seg : r->pkt > 0 ?
			 "(packet not stored)" : "(timer)");
	}
	for (size_t ln = 0; ln < lines; ln++) {
		if (ln == 0)
			printf("%-*s %6s  ", tw, ts, pkt);
		else
			printf("%-*s %6s  ", tw, "", "");
		if (ln < nst[0])
			printf("%s%-13s%s ", out_sgr(col, OUT_STATE),
			       sts[0][ln], OUT_RESET(col));
		else
			printf("%-13s ", "|");
		if (ln == 0)
			printf("%s%-*s%s  ", acol, MID, mid,
			       OUT_RESET(col && *acol));
		else
			printf("%-*s  ", MID, "");
		const char *sv = ln < nst[1] ? sts[1][ln] : "|";
		if (ln == 0 && r->labels[0]) {
			int bad = strstr(r->labels, "rst") ||
				  strstr(r->labels, "bad");
			printf("%s%-13s%s %s[%s]%s",
			       ln < nst[1] ? out_sgr(col, OUT_STATE) : "",
			       sv, OUT_RESET(col && ln < nst[1]),
			       out_sgr(col, bad ? OUT_BAD : OUT_WARN),
			       r->labels, OUT_RESET(col));
		} else {
			printf("%s%s%s",
			       ln < nst[1] ? out_sgr(col, OUT_STATE) : "",
			       sv, OUT_RESET(col && ln < nst[1]));
		}
		putchar('\n');
	}
	/* A transition inferred from a segment the capture missed says so,
	 * with its rule, below the row. */
	for (size_t k = 0; k < r->ntr; k++) {
		char to[32], rule[64];
		if (!r->tr[k].inferred)
			continue;
		printf("%-*s %6s  %-13s %s? %s %s inferred (%s)%s\n", tw,
		       "", "", "|", out_sgr(col, OUT_WARN),
		       r->tr[k].side ? "server" : "client",
		       out_esc(r->tr[k].to, to, sizeof to),
		       out_esc(r->tr[k].rule, rule, sizeof rule),
		       OUT_RESET(col));
	}
	for (size_t k = 0; k < r->ncc; k++) {
		char to[32], rule[64];
		printf("%-*s %6s  %-13s %s~ %s sender %s (%s)%s\n", tw, "",
		       "", "|", out_sgr(col, OUT_WARN),
		       r->cc[k].dir ? "s2c" : "c2s",
		       out_esc(r->cc[k].to, to, sizeof to),
		       out_esc(r->cc[k].rule, rule, sizeof rule),
		       OUT_RESET(col));
	}
	if (r->comment) {
		char esc[1200];
		printf("%-*s %6s  %-13s # %s\n", tw, "", "", "|",
		       out_esc(r->comment, esc, sizeof esc));
	}
}

static void text_tail(struct view *v)
{
	text_skipped(v);
	const struct ladder_conn *ci = v->ci;
	char fin[2][24];
	for (int side = 0; side < 2; side++) {
		const char *st = side ? ci->sstate : ci->cstate;
		snprintf(fin[side], sizeof fin[side], "%s%s",
			 st[0] ? st : "UNKNOWN", ci->alt[side][0] ? "?" : "");
	}
	printf("%-*s %6s  %-13s %-*s  %s\n", v->tw, "", "", fin[0], MID,
	       "(final)", fin[1]);
}

/* ---- JSON --------------------------------------------------------------- */

static void json_head(struct view *v)
{
	FILE *f = stdout;
	const struct ladder_conn *ci = v->ci;
	const struct ladder_info *in = v->in;
	char b[40];
	fprintf(f, "{\"id\":%lld,\"capture\":%lld,\"capture_path\":", (long long)ci->id,
		(long long)ci->capture_id);
	out_json_str(f, ci->capture);
	fputs(",\"client\":", f);
	out_json_str(f, ci->client);
	fputs(",\"server\":", f);
	out_json_str(f, ci->server);
	fputs(",\"vantage\":", f);
	out_json_str(f, ci->vantage[0] ? ci->vantage : NULL);
	fprintf(f, ",\"first_ts\":%s", out_ts_sec9(b, sizeof b, ci->first_ts));
	fprintf(f, ",\"last_ts\":%s", out_ts_sec9(b, sizeof b, ci->last_ts));
	fprintf(f, ",\"segments_stored\":%s,\"packets_from\":\"%s\"",
		in->segments && !in->from_capture ? "true" : "false",
		in->from_capture ? "capture" : in->segments ? "segments"
							   : "events");
	if (in->why[0]) {
		fputs(",\"capture_not_read\":", f);
		out_json_str(f, in->why);
	}
	fputs(",\"initial\":{\"client\":", f);
	out_json_str(f, v->state[0]);
	fputs(",\"server\":", f);
	out_json_str(f, v->state[1]);
	fputs("},\"final\":{\"client\":", f);
	out_json_str(f, ci->cstate[0] ? ci->cstate : "UNKNOWN");
	fputs(",\"server\":", f);
	out_json_str(f, ci->sstate[0] ? ci->sstate : "UNKNOWN");
	fputc('}', f);
	/* The other paths the capture leaves open, as flows -f json
	 * gives them: arrays of states, [] when certain. */
	for (int side = 0; side < 2; side++) {
		char path[512];
		fputs(side ? ",\"server_states_alt\":[" : ",\"client_states_alt\":[",
		      f);
		for (int k = 0; ladder_alt(ci->alt[side], k, path, sizeof path) == 0;
		     k++) {
			fputs(k ? ",[" : "[", f);
			int first = 1;
			for (char *save = NULL, *w = strtok_r(path, " ", &save); w;
			     w = strtok_r(NULL, " ", &save)) {
				fputs(first ? "" : ",", f);
				out_json_str(f, w);
				first = 0;
			}
			fputc(']', f);
		}
		fputc(']', f);
	}
	fputs(",\"rows\":[", f);
}

static void json_row(struct view *v, const struct ladder_row *r)
{
	FILE *f = stdout;
	const struct ladder_info *in = v->in;
	char b[40];
	fprintf(f, "%s\n{\"ts\":%s", v->any++ ? "," : "",
		out_ts_sec9(b, sizeof b, r->ts));
	fprintf(f, ",\"rel\":%s,\"pkt\":",
		out_ts_sec9(b, sizeof b, out_tdiff(r->ts, v->ci->first_ts)));
	if (r->pkt > 0)
		fprintf(f, "%lld", (long long)r->pkt);
	else
		fputs("null", f);
	fputs(",\"dir\":", f);
	fputs(r->dir == 0 ? "\"c2s\"" : r->dir == 1 ? "\"s2c\"" : "null", f);
	if (r->has_seg && r->dir >= 0) {
		int d = r->dir;
		fputs(",\"flags\":", f);
		out_json_str(f, in->segments ? r->flags : NULL);
		fprintf(f, ",\"seq\":%lld,\"ack\":%lld,\"rel_seq\":%lld,\"rel_ack\":",
			(long long)r->seq, (long long)r->ack,
			(long long)(in->have_isn[d] ? rel32(r->seq, in->isn[d]) : r->seq));
		if (in->segments && !strchr(r->flags, 'A'))
			fputs("null", f);
		else
			fprintf(f, "%lld", (long long)(in->have_isn[!d] ?
				rel32(r->ack, in->isn[!d]) : r->ack));
		fprintf(f, ",\"len\":%lld,\"win\":%lld,\"scaled_win\":",
			(long long)r->len, (long long)r->win);
		if (v->scaled)
			fprintf(f, "%lld", (long long)row_win(v, r));
		else
			fputs("null", f);
		fputs(",\"options\":", f);
		out_json_str(f, r->options[0] ? r->options : NULL);
	}
	fputs(",\"labels\":[", f);
	const char *p = r->labels;
	int first = 1;
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[64];
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		fputs(first ? "" : ",", f);
		out_json_str(f, one);
		first = 0;
		p += n + (p[n] == ',');
	}
	fputs("],\"transitions\":[", f);
	for (size_t k = 0; k < r->ntr; k++) {
		const struct ladder_trans *x = &r->tr[k];
		fprintf(f, "%s{\"side\":\"%s\",\"from\":", k ? "," : "",
			x->side ? "server" : "client");
		out_json_str(f, x->from);
		fputs(",\"to\":", f);
		out_json_str(f, x->to);
		fputs(",\"rule\":", f);
		out_json_str(f, x->rule);
		fprintf(f, ",\"rule_id\":%lld%s}", (long long)x->rule_id,
			x->inferred ? ",\"inferred\":true" : "");
	}
	fputc(']', f);
	if (r->ncc) {
		fputs(",\"cc\":[", f);
		for (size_t k = 0; k < r->ncc; k++) {
			fprintf(f, "%s{\"dir\":\"%s\",\"to\":", k ? "," : "",
				r->cc[k].dir ? "s2c" : "c2s");
			out_json_str(f, r->cc[k].to);
			fputs(",\"rule\":", f);
			out_json_str(f, r->cc[k].rule);
			fputc('}', f);
		}
		fputc(']', f);
	}
	if (r->comment) {
		fputs(",\"comment\":", f);
		out_json_str(f, r->comment);
	}
	fputc('}', f);
}

/* rows_total comes last: it is known once the ladder has streamed by. */
static void json_tail(struct view *v)
{
	printf("\n],\"rows_total\":%llu}\n", (unsigned long long)v->rows);
}

/* ---- The stream --------------------------------------------------------- */

static int view_start(void *arg, const struct ladder_info *in)
{
	struct view *v = arg;
	v->in = in;
	/* Windows in bytes when both SYNs were seen (the tracker's
	 * c2s_wscale and s2c_wscale, the shifts in effect, are known), the
	 * segments are known (rows rebuilt from labels do not say which
	 * packets were SYNs), and the user did not ask for raw windows. */
	v->scaled = !v->raw && in->segments && v->ci->ws[0] >= 0 &&
		    v->ci->ws[1] >= 0;
	v->state[0] = in->init[0][0] ? in->init[0] : "UNKNOWN";
	v->state[1] = in->init[1][0] ? in->init[1] : "UNKNOWN";
	out_pager_start();
	v->col = out_want_colour(stdout);
	v->tw = v->absolute ? 26 : 10;
	if (v->json)
		json_head(v);
	else
		text_head(v);
	return 0;
}

/* Decides the waiting row: shown when in range and, with --anomalies,
 * notable or next to a notable row in range. */
static void decide(struct view *v, int next_mark)
{
	const struct ladder_row *r = &v->cur;
	int show = in_range(v, r) &&
		   (!v->pk.anomalies || v->cur_mark || v->prev_mark ||
		    next_mark);
	if (show && v->json) {
		json_row(v, r);
	} else if (show) {
		text_row(v, r);
	} else {
		for (size_t k = 0; k < r->ntr; k++)
			v->state[r->tr[k].side] = r->tr[k].to;
		v->skipped++;
	}
	v->prev_mark = v->cur_mark;
}

static int view_row(void *arg, const struct ladder_row *r)
{
	struct view *v = arg;
	v->rows++;
	int mark = v->pk.anomalies && in_range(v, r) && row_notable(r);
	if (v->have_cur)
		decide(v, mark);
	v->cur = *r;
	v->cur_mark = mark;
	v->have_cur = 1;
	return 0;
}

static void view_end(struct view *v)
{
	if (v->have_cur)
		decide(v, 0);
	if (v->json)
		json_tail(v);
	else
		text_tail(v);
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "read", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "absolute", no_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "anomalies", no_argument, NULL, 'A' },
		{ "raw-windows", no_argument, NULL, 'W' },
		{ "capture", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct out_dbs dbs = { .n = 0 };
	char *file = NULL;
	int json = 0, absolute = 0, raw = 0, opt, rc;
	const char *from = NULL, *to = NULL;
	struct pick pk = { INT64_MIN, INT64_MAX, 0 };
	char err[512];
	opterr = 0;
	optind = 1;
	const char *capture = NULL;
	uint64_t count = 0;
	while ((opt = getopt_long(argc, argv, ":d:r:f:c:anAh", opts, NULL)) != -1) {
		switch (opt) {
		case 'C': capture = optarg; break;
		case 'c':
			if (out_parse_count("timeline", optarg, &count) < 0)
				return EX_USAGE;
			break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'A': pk.anomalies = 1; break;
		case 'W': raw = 1; break;
		case 'd':
			if (out_db_arg("timeline", &dbs, optarg) < 0)
				return EX_USAGE;
			break;
		case 'r': file = optarg; break;
		case 'a': absolute = 1; break;
		case 'n': break;
		case 'h': fputs(timeline_usage, stdout); return EX_OK;
		case 'f': {
			static const char *const names[] = { "text", "json", NULL };
			json = out_choice("timeline", "format", optarg, names);
			if (json < 0)
				return EX_USAGE;
			break;
		}
		default: /* ':' and unknown options */
			return out_bad_option("timeline", opt, argv);
		}
	}
	/* Relative times are checked now, absolute ones too; relative ones
	 * become times once the connection's first packet is known. */
	double rel[2] = { 0, 0 };
	const char *const lim[2] = { from, to };
	for (int k = 0; k < 2; k++) {
		if (!lim[k])
			continue;
		char *end;
		int64_t ns;
		if (absolute ? out_parse_time(lim[k], &ns) != 0
			     : ((rel[k] = strtod(lim[k], &end)), end == lim[k] ||
				*end || !(rel[k] > -1e9 && rel[k] < 1e9))) {
			fprintf(stderr, "tcpscope timeline: bad --%s '%s' (%s)\n",
				k ? "to" : "from", lim[k],
				absolute ? "epoch seconds or ISO 8601"
					 : "seconds after the first packet");
			return EX_USAGE;
		}
		if (absolute)
			*(k ? &pk.to : &pk.from) = ns;
	}
	/* FLOW is one word, or two endpoints; with -r, the words after it
	 * are a BPF filter (as read's). */
	int nargs = argc - optind, fw = fsel_flow_words(argv + optind, nargs);
	if (nargs < 1 || (nargs > fw && !file)) {
		fprintf(stderr, "tcpscope timeline: %s (try --help)\n",
			nargs < 1 ? "which FLOW?"
				  : "too many arguments (a filter expression"
				    " after FLOW needs -r)");
		return EX_USAGE;
	}
	char *filter = cap_filter_words(argv + optind + fw, nargs - fw);
	if (filter && cap_check_filter(filter, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope timeline: bad filter expression '%s':"
				" %s\n", filter, err);
		free(filter);
		return EX_USAGE;
	}
	nargs = fw;
	if (dbs.n && file) {
		fprintf(stderr, "tcpscope timeline: -d and -r exclude each other\n");
		return EX_USAGE;
	}
	struct store *st;
	if (count && !file) {
		fprintf(stderr, "tcpscope timeline: -c counts the packets read"
				" with -r\n");
		return EX_USAGE;
	}
	if (file) {
		char *files[1] = { file };
		int partial;
		rc = fsel_open_capture(files, 1,
				       FSEL_KEEP_SEGMENTS | FSEL_KEEP_EVENTS,
				       count, filter, &st, &partial, err,
				       sizeof err);
		if (rc == 0 && partial)
			fprintf(stderr, "tcpscope timeline: warning: %s\n", err);
	} else {
		rc = fsel_open_dbs(dbs.path, dbs.n, &st, err, sizeof err);
	}
	free(filter);
	if (rc != 0) {
		out_errline("tcpscope timeline", err);
		return rc;
	}
	sqlite3 *db = store_db(st);
	struct ladder *l = NULL;
	int64_t id;
	rc = fsel_find_flow(db, nargs, argv + optind, &id, err, sizeof err);
	if (rc == 0)
		rc = ladder_open(db, id, capture, &l, err, sizeof err);
	if (rc != 0) {
		out_errline("tcpscope timeline", err);
		goto out;
	}
	struct view v;
	memset(&v, 0, sizeof v);
	v.json = json;
	v.absolute = absolute;
	v.raw = raw;
	v.pk = pk;
	v.ci = ladder_conn(l);
	if (!absolute) {
		if (from)
			v.pk.from = v.ci->first_ts + (int64_t)(rel[0] * 1e9);
		if (to)
			v.pk.to = v.ci->first_ts + (int64_t)(rel[1] * 1e9);
	}
	static const struct ladder_sink sink = { view_start, view_row };
	rc = ladder_run(l, &sink, &v, err, sizeof err);
	if (rc == 0 && v.in)
		view_end(&v);
	else if (rc != 0)
		out_errline("tcpscope timeline", err);
	if (v.in && out_pager_end() && rc == 0) {
		fprintf(stderr, "tcpscope timeline: write error\n");
		rc = EX_FAIL;
	}
out:
	ladder_close(l);
	store_close(st);
	return rc;
}
