/*
 * cmd_tui.c - `tcpscope tui [-d DB] [--refresh SEC]`: browse the flows of a
 * database in ncurses and see each one's lifecycle as a ladder diagram.
 *
 * This file only parses arguments and checks the preconditions, so that
 * every error is one line on stderr before the screen is touched: the
 * database must exist and be a tcpscope database (EX_DB; it is opened
 * read-only and never created), and stdin and stdout must be a terminal
 * (EX_USAGE). The TUI itself is ui/ (start at ui/ui.h, then ui/loop.c).
 */
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../ui/ui.h"
#include "../cmd.h"
#include "../output/out.h"
#include "../store/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpscope tui [-d DB] [--refresh SEC]\n"
		"  -d, --db DB       database to browse (default $TCPSCOPE_DB"
		" or tcpscope.db);\n"
		"                    several -d: a set of shards, read as one\n"
		"      --refresh SEC reload period while the database changes"
		" (default 1)\n"
		"Keys: arrows/j/k move, Enter opens the ladder, / filters,"
		" s sorts, ? help, q quits.\n"
		"See tcpscope-tui(1).\n");
}

int cmd_tui(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"refresh", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct out_dbs dbs = { .n = 0 };
	double refresh = 1.0;
	char err[256];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (out_db_arg("tui", &dbs, optarg) < 0)
				return EX_USAGE;
			break;
		case 'R': {
			char *end;
			refresh = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(refresh) ||
			    refresh < 0.05 || refresh > 3600) {
				fprintf(stderr,
					"tcpscope tui: --refresh wants"
					" seconds between 0.05 and 3600,"
					" not '%s'\n",
					optarg);
				return EX_USAGE;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return EX_OK;
		default: /* ':' and unknown options */
			return out_bad_option("tui", c, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tcpscope tui: unexpected argument '%s' (try"
				" --help)\n", argv[optind]);
		return EX_USAGE;
	}
	if (!dbs.n)
		dbs.path[dbs.n++] = store_default_path();

	struct ui_model *m;
	if (ui_model_open_set(dbs.path, dbs.n, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "tcpscope tui: %s\n", err);
		return EX_DB;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tcpscope tui: not a terminal: the TUI needs"
				" stdin and stdout on a terminal (for scripts"
				" use 'tcpscope flows')\n");
		ui_model_close(m);
		return EX_USAGE;
	}
	setlocale(LC_ALL, "");
	int rc = ui_run(m, refresh, err, sizeof(err));
	ui_model_close(m);
	if (rc < 0) {
		fprintf(stderr, "tcpscope tui: %s\n", err);
		return EX_USAGE;
	}
	return EX_OK;
}
