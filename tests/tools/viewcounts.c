/*
 * viewcounts.c - the counts the TUI shows, for tests/t_views.sh: opens a
 * database as the TUI does (ui/model.c), loads its flow list, and for each
 * connection also the ladder's header (the row the TUI reads when a flow
 * is opened), then prints one line per connection:
 *
 *   ID RETRANSMISSIONS PACKETS PAYLOAD-BYTES HEADER-RETRANSMISSIONS
 *
 * (the counts of both directions added, as the list shows them).
 *
 *   viewcounts DB
 *
 * Exit status 0, or 1 (with a message on stderr) when the model cannot
 * be loaded.
 */
#include <stdio.h>
#include <string.h>

#include "../../ui/ui.h"

int main(int argc, char **argv)
{
	char err[512];
	struct ui_model *m = NULL;
	struct ui_flows f;
	memset(&f, 0, sizeof f);
	if (argc != 2) {
		fprintf(stderr, "usage: viewcounts DB\n");
		return 2;
	}
	if (ui_model_open(argv[1], &m, err, sizeof err) != 0 ||
	    ui_model_load_flows(m, &f, err, sizeof err) != 0) {
		fprintf(stderr, "viewcounts: %s\n", err);
		ui_model_close(m);
		return 1;
	}
	int rc = 0;
	for (size_t i = 0; i < f.n && rc == 0; i++) {
		struct ui_ladder h;
		memset(&h, 0, sizeof h);
		if (ui_model_load_header(m, f.v[i].id, &h, err, sizeof err) != 0) {
			fprintf(stderr, "viewcounts: flow %lld: %s\n",
				(long long)f.v[i].id, err);
			rc = 1;
			break;
		}
		printf("%lld %lld %lld %lld %lld\n", (long long)f.v[i].id,
		       (long long)f.v[i].retrans, (long long)f.v[i].packets,
		       (long long)f.v[i].bytes, (long long)h.flow.retrans);
		ui_ladder_free(&h);
	}
	ui_flows_free(&f);
	ui_model_close(m);
	return rc;
}
