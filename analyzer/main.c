/*
 * main.c - tcpscope's entry point: finds the subcommand and hands it argv.
 *
 * tcpscope reads packet captures (analyzer/capture/), decodes each frame
 * (analyzer/capture/decode.c), feeds TCP segments to the tracker (tcpcore/)
 * through analyzer/ingest/ and stores what it finds in SQLite
 * (analyzer/store/); the commands (analyzer/cmd/, one file each) read it
 * back through analyzer/query/ and print through analyzer/output/. Start
 * reading at the table below.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "read", cmd_read, "analyze captures into the database, print a report" },
	{ "live", cmd_live, "capture from an interface into the database" },
	{ "flows", cmd_flows, "list connections (table, CSV, JSON, Zeek conn.log)" },
	{ "timeline", cmd_timeline, "draw one connection as a ladder diagram" },
	{ "plot", cmd_plot, "draw one connection as an SVG graph (time-sequence...)" },
	{ "report", cmd_report, "summarize the database" },
	{ "extract", cmd_extract, "write one connection's packets to a pcap file" },
	{ "query", cmd_query, "run read-only SQL on the database" },
	{ "export", cmd_export, "write the database as a Parquet dataset" },
	{ "states", cmd_states, "print the tracker's state-transition rules" },
	{ "tui", cmd_tui, "browse flows and their ladder diagrams in a terminal" },
	{ "merge", cmd_merge, "copy the captures of other databases into one" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tcpscope [--version] [--help] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "  %-10s %s\n", "help", "show this list, or a command's help");
	fprintf(f, "\n'tcpscope COMMAND --help' shows a command's options;"
		   " see tcpscope(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("tcpscope %s\n", TCPSCOPE_VERSION);
		return EX_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return EX_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EX_OK;
		}
		name = argv[2];
		for (const struct command *c = commands; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				char help[] = "--help";
				char *av[] = { argv[2], help, NULL };
				return c->run(2, av);
			}
		}
		fprintf(stderr, "tcpscope: no such command '%s'\n", name);
		return EX_USAGE;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "tcpscope: unknown command '%s' (try 'tcpscope --help')\n",
		name);
	return EX_USAGE;
}
