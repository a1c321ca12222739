/*
 * cmd_report.c - `tcpscope report`: its options; the report itself is
 * gathered by query/reportq.c and written by output/report.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../cmd.h"
#include "../query/flowsel.h"
#include "../output/out.h"
#include "../query/reportq.h"
#include "../store/store.h"

static const char report_usage[] =
	"usage: tcpscope report [-n] [-d DB] [--capture ID] [--top N]\n"
	"                       [--format text|json]\n"
	"\n"
	"Summarize the database: connections by close kind and conn_state, failed\n"
	"handshakes by server port, handshake RTT percentiles, the connections\n"
	"with most retransmissions and most time at zero window, label totals and\n"
	"capture statistics.\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db);\n"
	"                       several -d: a set of shards, read as one\n"
	"      --capture ID     only that capture (default: every complete capture)\n"
	"  -t, --top N          rows in the top lists and ports listed (default 10)\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -f, --format FMT     text (default) or json\n"
	"  -h, --help           show this help\n";

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "capture", required_argument, NULL, 'C' },
		{ "top", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct out_dbs dbs = { .n = 0 };
	long long capture = 0;
	int json = 0, top = 10, opt;
	char *end;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":d:t:f:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (out_db_arg("report", &dbs, optarg) < 0)
				return EX_USAGE;
			break;
		case 'n': break;
		case 'h': fputs(report_usage, stdout); return EX_OK;
		case 'C':
			capture = strtoll(optarg, &end, 10);
			if (!*optarg || *end || capture <= 0) {
				fprintf(stderr, "tcpscope report: bad --capture '%s' "
						"(a capture id)\n", optarg);
				return EX_USAGE;
			}
			break;
		case 't': {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0 || v > 10000) {
				fprintf(stderr, "tcpscope report: bad --top '%s'\n",
					optarg);
				return EX_USAGE;
			}
			top = (int)v;
			break;
		}
		case 'f': {
			static const char *const names[] = { "text", "json", NULL };
			json = out_choice("report", "format", optarg, names);
			if (json < 0)
				return EX_USAGE;
			break;
		}
		default: /* ':' and unknown options */
			return out_bad_option("report", opt, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tcpscope report: unexpected argument '%s'\n",
			argv[optind]);
		return EX_USAGE;
	}
	struct store *st;
	char err[512];
	int rc = fsel_open_dbs(dbs.path, dbs.n, &st, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "tcpscope report: %s\n", err);
		return rc;
	}
	rc = reportq_print(st, capture, top, json, 1);
	store_close(st);
	return rc;
}
