/*
 * report.c - writes a database's summary (report.h) as text or as one
 * JSON object: the figures come gathered in struct report (by
 * analyzer/query/reportq.c, which holds every query); nothing here reads
 * the database.
 *
 * Sections: captures (packets, malformed, truncated by reason, drops),
 * capture-loss estimate (acked-unseen), connections by close kind and by
 * conn_state, failed handshakes by server port, handshake RTT p50/p90/p99,
 * top connections by retransmissions and by zero-window time, transfers
 * by verdict and the slowest transfers with why (the data-transfer phase,
 * tcpscope-flows(1) TRANSFER), label totals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#include "../status.h"
#include "out.h"

/* ---- Text --------------------------------------------------------------- */

/* A capture's interfaces, notes and packet comments, one line each. */
static void print_meta_text(const struct report_capmeta *m)
{
	char a[400], b[400], c[400];
	/* Interfaces when the file says something of one: a bare list of
	 * link types is in the capture's row already. */
	size_t said = 0;
	for (size_t i = 0; i < m->nifs; i++)
		said += m->ifs[i].name[0] || m->ifs[i].desc[0] ||
			m->ifs[i].comment[0];
	for (size_t i = 0; said && i < m->nifs; i++) {
		printf("    interface %lld: %s (%s)", (long long)m->ifs[i].iface,
		       m->ifs[i].name[0] ? out_esc(m->ifs[i].name, a, sizeof a)
					 : "unnamed",
		       out_esc(m->ifs[i].linktype, b, sizeof b));
		if (m->ifs[i].desc[0])
			printf(" \"%s\"", out_esc(m->ifs[i].desc, c, sizeof c));
		if (m->ifs[i].comment[0])
			printf(": %s", out_esc(m->ifs[i].comment, a, sizeof a));
		putchar('\n');
	}
	if (said && m->more_ifs)
		printf("    ... and %zu more interfaces\n", m->more_ifs);
	for (size_t i = 0; i < m->nnotes; i++)
		printf("    %s: %s\n", out_esc(m->notes[i].kind, a, sizeof a),
		       out_esc(m->notes[i].text, b, sizeof b));
	if (m->more_notes)
		printf("    ... and %zu more notes\n", m->more_notes);
	if (m->pcomments)
		printf("    packet comments %lld (shown by tcpscope timeline)\n",
		       (long long)m->pcomments);
}

static void section(const char *title, int col)
{
	printf("\n%s%s%s\n", out_sgr(col, OUT_HEAD), title, OUT_RESET(col));
}

static void print_counts(const struct report_counts *c, const char *none)
{
	if (c->n == 0) {
		printf("  %s\n", none);
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->c[i].name) > w)
			w = strlen(c->c[i].name);
	for (size_t i = 0; i < c->n; i++)
		printf("  %-*s %10lld\n", (int)w, c->c[i].name, (long long)c->c[i].n);
}

static void print_reasons(const char *reasons)
{
	/* "a=1,b=2" -> one "a 1" per line. */
	const char *p = reasons;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		if (eq)
			printf("      %-32.*s %s%.*s\n", (int)(eq - p), p, "",
			       (int)(n - (size_t)(eq - p) - 1), eq + 1);
		else
			printf("      %.*s\n", (int)n, p);
		p += n + (p[n] == ',');
	}
}

static void print_top(const struct report_top *t, size_t n, int zw, int col)
{
	if (n == 0) {
		printf("  none\n");
		return;
	}
	const char *heads[4] = { "ID", "CLIENT", "SERVER",
				 zw ? "ZERO-WINDOW" : "RETRANSMISSIONS" };
	struct out_table *tb = out_table_new(4, heads);
	if (!tb)
		return;
	out_table_indent(tb, 2);
	out_table_right(tb, 0);
	out_table_right(tb, 3);
	for (size_t i = 0; i < n; i++) {
		char id[24], v[32];
		snprintf(id, sizeof id, "%lld", (long long)t[i].id);
		if (zw)
			out_dur(v, sizeof v, t[i].value);
		else
			snprintf(v, sizeof v, "%lld", (long long)t[i].value);
		const char *cells[4] = { id, t[i].client, t[i].server, v };
		out_table_add(tb, cells, OUT_PLAIN);
	}
	out_table_print(stdout, tb, 0, col);
	out_table_free(tb);
}

/* The slowest transfers: duration, the direction that carried more, its
 * verdict and where its time went (tcpscope-flows(1) TRANSFER). */
static void print_slow(const struct report_top *t, size_t n, int col)
{
	if (n == 0) {
		printf("  none\n");
		return;
	}
	const char *heads[11] = { "ID",	  "CLIENT", "SERVER", "DURATION",
				  "DIR",  "BYTES",  "LIMITED-BY", "IDLE",
				  "RWND", "CWND",   "LOSS" };
	struct out_table *tb = out_table_new(11, heads);
	if (!tb)
		return;
	out_table_indent(tb, 2);
	out_table_right(tb, 0);
	for (int i = 3; i < 11; i++)
		if (i != 4 && i != 6)
			out_table_right(tb, i);
	for (size_t i = 0; i < n; i++) {
		char id[24], dur[32], by[24], idle[32], rw[32], cw[32], lo[32];
		snprintf(id, sizeof id, "%lld", (long long)t[i].id);
		out_dur(dur, sizeof dur, t[i].value);
		snprintf(by, sizeof by, "%lld", (long long)t[i].bytes);
		out_dur(idle, sizeof idle, t[i].idle);
		out_dur(rw, sizeof rw, t[i].rwnd);
		out_dur(cw, sizeof cw, t[i].cwnd);
		out_dur(lo, sizeof lo, t[i].loss);
		char lim[64];
		const char *cells[11] = { id, t[i].client, t[i].server, dur,
					  t[i].dir ? "s2c" : "c2s", by,
					  out_esc(t[i].limited, lim, sizeof lim),
					  idle, rw, cw, lo };
		out_table_add(tb, cells, OUT_PLAIN);
	}
	out_table_print(stdout, tb, 0, col);
	out_table_free(tb);
}

static void print_text(const struct report *r)
{
	int col = out_want_colour(stdout);
	char a[40], b[40], c[40];
	printf("%sconnections: %lld%s", out_sgr(col, OUT_HEAD), (long long)r->conns,
	       OUT_RESET(col));
	printf("  (captures: %zu)\n", r->ncaps + r->more_caps);

	section("Captures", col);
	if (r->ncaps == 0)
		printf("  none complete\n");
	for (size_t i = 0; i < r->ncaps; i++) {
		const struct report_capinfo *k = &r->caps[i];
		char shown[1024];
		printf("  %lld %s%s\n", (long long)k->id,
		       out_esc(k->path, shown, sizeof shown),
		       k->complete ? "" : " (incomplete)");
		printf("    packets %lld  tcp %lld  non-tcp %lld  fragments %lld  "
		       "malformed %lld  kernel drops %lld\n", (long long)k->packets,
		       (long long)k->tcp, (long long)k->non_tcp,
		       (long long)k->fragments, (long long)k->malformed,
		       (long long)k->drops);
		print_meta_text(&k->meta);
		if (k->evicted)
			printf("    evicted %lld connections early (tracker memory"
			       " or connection limit; their rows end there)\n",
			       (long long)k->evicted);
		if (k->reasons[0]) {
			printf("    malformed or truncated, by reason:\n");
			print_reasons(k->reasons);
		}
		if (k->error[0])
			printf("    %serror: %s%s\n", out_sgr(col, OUT_BAD), k->error,
			       OUT_RESET(col));
	}
	if (r->more_caps)
		printf("  ... and %zu more\n", r->more_caps);
	printf("  capture loss estimate: %lld acked-unseen segments, %lld bytes",
	       (long long)r->unseen, (long long)r->unseen_bytes);
	if (r->payload_bytes + r->unseen_bytes > 0)
		printf(" (%.2f%% of payload)\n", 100.0 * (double)r->unseen_bytes /
			(double)(r->payload_bytes + r->unseen_bytes));
	else
		printf("\n");

	section("Connections by close", col);
	print_counts(&r->by_close, "none");
	section("Connections by conn_state", col);
	print_counts(&r->by_state, "none");
	section("Connections by vantage (where the capture point sat)", col);
	print_counts(&r->by_vantage, "none");
	section("Uncertain paths", col);
	if (r->uncertain == 0)
		printf("  none: the capture decides every side's path\n");
	else
		printf("  %lld connections (client sides %lld, server sides %lld):"
		       " the capture does not decide their path; flows -f json"
		       " gives the others in client_states_alt and"
		       " server_states_alt\n", (long long)r->uncertain,
		       (long long)r->uncertain_side[0],
		       (long long)r->uncertain_side[1]);

	section("Failed handshakes by server port", col);
	if (r->failed_ports == 0)
		printf("  none\n");
	else if (r->nfailed > 0)
		printf("  %5s %10s %10s\n", "PORT", "REFUSED", "UNANSWERED");
	for (size_t i = 0; i < r->nfailed; i++)
		printf("  %5lld %10lld %10lld\n", (long long)r->failed[i].port,
		       (long long)r->failed[i].refused,
		       (long long)r->failed[i].unanswered);
	if (r->failed_ports > (int64_t)r->nfailed)
		printf("  (%lld ports in all)\n", (long long)r->failed_ports);

	section("Handshake RTT", col);
	if (r->rtt_n == 0) {
		printf("  no complete handshake\n");
	} else {
		out_dur(a, sizeof a, r->rtt_p50);
		out_dur(b, sizeof b, r->rtt_p90);
		out_dur(c, sizeof c, r->rtt_p99);
		printf("  %lld samples  p50 %s  p90 %s  p99 %s\n", (long long)r->rtt_n,
		       a, b, c);
	}

	section("Top connections by retransmissions", col);
	print_top(r->top_retx, r->ntop_retx, 0, col);
	section("Top connections by time at zero window", col);
	print_top(r->top_zw, r->ntop_zw, 1, col);
	section("Transfers by what held them", col);
	print_counts(&r->by_verdict, "none");
	section("Slowest transfers and why", col);
	print_slow(r->top_slow, r->ntop_slow, col);
	section("Labels", col);
	print_counts(&r->labels, "none");
}

/* ---- JSON --------------------------------------------------------------- */

static void json_counts(const struct report_counts *c)
{
	putchar('{');
	for (size_t i = 0; i < c->n; i++) {
		fputs(i ? "," : "", stdout);
		out_json_str(stdout, c->c[i].name);
		printf(":%lld", (long long)c->c[i].n);
	}
	putchar('}');
}

static void json_ms(int64_t ns)
{
	if (ns < 0)
		fputs("null", stdout);
	else
		printf("%.3f", (double)ns / 1e6);
}

static void json_top(const struct report_top *t, size_t n, const char *key, int zw)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"id\":%lld,\"client\":", i ? "," : "", (long long)t[i].id);
		out_json_str(stdout, t[i].client);
		fputs(",\"server\":", stdout);
		out_json_str(stdout, t[i].server);
		printf(",\"%s\":", key);
		if (zw)
			json_ms(t[i].value);
		else
			printf("%lld", (long long)t[i].value);
		putchar('}');
	}
	putchar(']');
}

static void print_json(const struct report *r)
{
	printf("{\"connections\":%lld,\"captures\":[", (long long)r->conns);
	for (size_t i = 0; i < r->ncaps; i++) {
		const struct report_capinfo *k = &r->caps[i];
		printf("%s{\"id\":%lld,\"path\":", i ? "," : "", (long long)k->id);
		out_json_str(stdout, k->path);
		printf(",\"complete\":%s,\"packets\":%lld,\"tcp_segments\":%lld,"
		       "\"non_tcp\":%lld,\"fragments\":%lld,\"malformed\":%lld,"
		       "\"kernel_drops\":%lld,\"evicted\":%lld,\"reasons\":{",
		       k->complete ? "true" : "false", (long long)k->packets,
		       (long long)k->tcp, (long long)k->non_tcp,
		       (long long)k->fragments, (long long)k->malformed,
		       (long long)k->drops, (long long)k->evicted);
		const char *p = k->reasons;
		int first = 1;
		while (*p) {
			size_t n = strcspn(p, ",");
			const char *eq = memchr(p, '=', n);
			if (eq) {
				char name[64];
				snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
				fputs(first ? "" : ",", stdout);
				out_json_str(stdout, name);
				printf(":%lld", strtoll(eq + 1, NULL, 10));
				first = 0;
			}
			p += n + (p[n] == ',');
		}
		fputs("},\"error\":", stdout);
		out_json_str(stdout, k->error[0] ? k->error : NULL);
		const struct report_capmeta *m = &k->meta;
		fputs(",\"interfaces\":[", stdout);
		for (size_t j = 0; j < m->nifs; j++) {
			printf("%s{\"id\":%lld,\"section\":%lld,\"linktype\":",
			       j ? "," : "", (long long)m->ifs[j].iface,
			       (long long)m->ifs[j].section);
			out_json_str(stdout, m->ifs[j].linktype);
			fputs(",\"name\":", stdout);
			out_json_str(stdout, m->ifs[j].name);
			fputs(",\"description\":", stdout);
			out_json_str(stdout, m->ifs[j].desc);
			fputs(",\"comment\":", stdout);
			out_json_str(stdout, m->ifs[j].comment);
			putchar('}');
		}
		fputs("],\"notes\":[", stdout);
		for (size_t j = 0; j < m->nnotes; j++) {
			printf("%s{\"section\":%lld,\"kind\":", j ? "," : "",
			       (long long)m->notes[j].section);
			out_json_str(stdout, m->notes[j].kind);
			fputs(",\"text\":", stdout);
			out_json_str(stdout, m->notes[j].text);
			putchar('}');
		}
		printf("],\"packet_comments\":%lld}", (long long)m->pcomments);
	}
	printf("],\"capture_loss\":{\"acked_unseen\":%lld,\"acked_unseen_bytes\":%lld,"
	       "\"payload_bytes\":%lld},", (long long)r->unseen,
	       (long long)r->unseen_bytes, (long long)r->payload_bytes);
	fputs("\"by_close\":", stdout);
	json_counts(&r->by_close);
	fputs(",\"by_conn_state\":", stdout);
	json_counts(&r->by_state);
	fputs(",\"by_vantage\":", stdout);
	json_counts(&r->by_vantage);
	printf(",\"uncertain\":{\"connections\":%lld,\"client_sides\":%lld,"
	       "\"server_sides\":%lld}", (long long)r->uncertain,
	       (long long)r->uncertain_side[0], (long long)r->uncertain_side[1]);
	fputs(",\"failed_handshakes\":[", stdout);
	for (size_t i = 0; i < r->nfailed; i++)
		printf("%s{\"server_port\":%lld,\"refused\":%lld,\"unanswered\":%lld}",
		       i ? "," : "", (long long)r->failed[i].port,
		       (long long)r->failed[i].refused,
		       (long long)r->failed[i].unanswered);
	printf("],\"failed_handshake_ports\":%lld", (long long)r->failed_ports);
	printf(",\"handshake_rtt\":{\"samples\":%lld,\"p50_ms\":", (long long)r->rtt_n);
	json_ms(r->rtt_p50);
	fputs(",\"p90_ms\":", stdout);
	json_ms(r->rtt_p90);
	fputs(",\"p99_ms\":", stdout);
	json_ms(r->rtt_p99);
	fputs("},\"top_retransmissions\":", stdout);
	json_top(r->top_retx, r->ntop_retx, "retransmissions", 0);
	fputs(",\"top_zero_window\":", stdout);
	json_top(r->top_zw, r->ntop_zw, "zero_window_ms", 1);
	fputs(",\"transfers_by_verdict\":", stdout);
	json_counts(&r->by_verdict);
	fputs(",\"slowest_transfers\":[", stdout);
	for (size_t i = 0; i < r->ntop_slow; i++) {
		const struct report_top *t = &r->top_slow[i];
		printf("%s{\"id\":%lld,\"client\":", i ? "," : "",
		       (long long)t->id);
		out_json_str(stdout, t->client);
		fputs(",\"server\":", stdout);
		out_json_str(stdout, t->server);
		fputs(",\"duration_ms\":", stdout);
		json_ms(t->value);
		printf(",\"direction\":\"%s\",\"payload_bytes\":%lld,"
		       "\"limited_by\":", t->dir ? "s2c" : "c2s",
		       (long long)t->bytes);
		out_json_str(stdout, t->limited);
		fputs(",\"idle_ms\":", stdout);
		json_ms(t->idle);
		fputs(",\"rwnd_limited_ms\":", stdout);
		json_ms(t->rwnd);
		fputs(",\"cwnd_limited_ms\":", stdout);
		json_ms(t->cwnd);
		fputs(",\"loss_ms\":", stdout);
		json_ms(t->loss);
		putchar('}');
	}
	fputs("],\"labels\":", stdout);
	json_counts(&r->labels);
	fputs("}\n", stdout);
}

/* ---- Entry point -------------------------------------------------------- */

int report_write(const struct report *r, int json, int page)
{
	if (page)
		out_pager_start();
	if (json)
		print_json(r);
	else
		print_text(r);
	if (out_pager_end()) {
		fprintf(stderr, "tcpscope report: write error\n");
		return EX_FAIL;
	}
	return EX_OK;
}
