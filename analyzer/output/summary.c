/*
 * summary.c - what an import found, as `tcpscope read` and `tcpscope live`
 * print it: each capture's figures, then the run's totals (summary.h).
 */
#include "summary.h"

#include "../capture/decode.h"
#include "out.h"

void read_totals_add(struct read_totals *t, const struct ing_result *r)
{
	t->captures++;
	t->packets += r->cap.records;
	t->tcp += r->tcp;
	t->conns += r->conns;
	for (int i = 0; i < TC_CLOSE__COUNT; i++)
		t->close[i] += r->close[i];
}

void read_print_capture(FILE *f, const char *path, const struct ing_result *r,
			int filtered)
{
	char a[48], b[48];
	fprintf(f, "capture %lld: %s\n", (long long)r->capture_id, path);
	fprintf(f, "  link types      %s\n", r->linktypes);
	fprintf(f, "  packets         %llu\n", (unsigned long long)r->cap.records);
	if (filtered)
		fprintf(f, "  filtered out    %llu\n",
			(unsigned long long)r->cap.filtered);
	if (r->cap.kernel_drops)
		fprintf(f, "  kernel drops    %llu\n",
			(unsigned long long)r->cap.kernel_drops);
	fprintf(f, "  tcp segments    %llu\n", (unsigned long long)r->tcp);
	fprintf(f, "  non-tcp         %llu\n", (unsigned long long)r->non_tcp);
	fprintf(f, "  ip fragments    %llu\n", (unsigned long long)r->fragments);
	const struct dfg_stats *g = &r->defrag;
	const struct {
		const char *name;
		uint64_t n;
	} dfg[] = {
		{ "datagrams reassembled", g->reassembled },
		{ "duplicate fragments", g->duplicates },
		{ "timed out", g->timed_out },
		{ "evicted (table full)", g->evicted },
		{ "dropped: overlapping", g->overlaps },
		{ "dropped: impossible", g->dropped },
	};
	for (size_t i = 0; i < sizeof dfg / sizeof *dfg; i++)
		if (dfg[i].n)
			fprintf(f, "    %-26s %llu\n", dfg[i].name,
				(unsigned long long)dfg[i].n);
	fprintf(f, "  malformed       %llu\n", (unsigned long long)r->malformed);
	for (unsigned i = 0; i < DEC__COUNT; i++)
		if (i != DEC_TCP && r->result[i])
			fprintf(f, "    %-26s %llu\n", dec_result_name(i),
				(unsigned long long)r->result[i]);
	if (r->cap.ts_clamped)
		fprintf(f, "  ts out of range %llu (saturated)\n",
			(unsigned long long)r->cap.ts_clamped);
	if (r->packets) {
		fprintf(f, "  first           %s\n",
			out_ts_iso(a, sizeof a, r->first_ts));
		fprintf(f, "  last            %s\n",
			out_ts_iso(b, sizeof b, r->last_ts));
	}
	fprintf(f, "  connections     %llu\n", (unsigned long long)r->conns);
	if (r->evicted)
		fprintf(f, "  evicted         %llu\n",
			(unsigned long long)r->evicted);
	if (r->error[0])
		fprintf(f, "  error           %s\n", r->error);
}

void read_print_summary(FILE *f, const char *db, const struct read_totals *t,
			int by_close)
{
	fprintf(f, "\nsummary: %llu capture%s, %llu packets, %llu tcp segments, "
		   "%llu connection%s (database %s)\n",
		(unsigned long long)t->captures, t->captures == 1 ? "" : "s",
		(unsigned long long)t->packets, (unsigned long long)t->tcp,
		(unsigned long long)t->conns, t->conns == 1 ? "" : "s", db);
	if (!t->conns || !by_close)
		return;
	fprintf(f, "  by close:");
	const char *sep = " ";
	for (int i = 0; i < TC_CLOSE__COUNT; i++) {
		if (!t->close[i])
			continue;
		fprintf(f, "%s%s %llu", sep, tc_close_name((unsigned)i),
			(unsigned long long)t->close[i]);
		sep = ", ";
	}
	fprintf(f, "\n");
}
