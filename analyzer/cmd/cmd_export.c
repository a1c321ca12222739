/*
 * cmd_export.c - `tcpscope export --format parquet [-d DB] [--sensor NAME]
 * [--compression zstd|none] [--rows-per-group N] DIR`: writes the database
 * as a Hive-partitioned Parquet dataset under DIR (analyzer/export/
 * dataset.c does the work, parquet.c writes each file).
 *
 * The database is opened read-only; an import may run at the same time
 * (the export reads one snapshot). Exit status: EX_USAGE for bad
 * arguments, EX_DB when the database cannot be read (or holds a value
 * its column's type cannot), EX_FAIL when a file cannot be written (disk
 * full...) or when interrupted (SIGINT, SIGTERM); a failed or interrupted
 * run leaves none of its files behind.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"
#include "../export/dataset.h"
#include "../output/out.h"
#include "../store/store.h"

static volatile sig_atomic_t export_stop;

static void on_signal(int sig)
{
	(void)sig;
	export_stop = 1;
}

static void export_usage(FILE *f)
{
	fprintf(f, "usage: tcpscope export --format parquet [-d DB]"
		   " [--sensor NAME] [--compression zstd|none]\n"
		   "                       [--rows-per-group N] DIR\n"
		   "Writes the database as a Parquet dataset under DIR:\n"
		   "DIR/table=T/date=YYYY-MM-DD/sensor=NAME/"
		   "part-CAPTURE-N.parquet.\n"
		   "  -d, --db DB             database (default $TCPSCOPE_DB or"
		   " tcpscope.db)\n"
		   "  -f, --format FMT        parquet (the only format)\n"
		   "  -s, --sensor NAME       the sensor partition of captures"
		   " without one\n"
		   "                          of their own (default: the host"
		   " name)\n"
		   "  -c, --compression C     zstd (default) or none\n"
		   "  -r, --rows-per-group N  rows per row group (default"
		   " 65536)\n"
		   "The layout and types are in tcpscope-db(5).\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'f'},
	    {"sensor", required_argument, NULL, 's'},
	    {"compression", required_argument, NULL, 'c'},
	    {"rows-per-group", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const formats[] = { "parquet", NULL };
	static const char *const codecs[] = { "zstd", "none", NULL };
	const char *path = NULL, *sensor = NULL;
	int format = -1;
	struct ds_options o = { .codec = PQ_ZSTD };
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:f:s:c:r:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'f':
			if ((format = out_choice("export", "format", optarg,
						 formats)) < 0)
				return EX_USAGE;
			break;
		case 's':
			sensor = optarg;
			if (!ds_sensor_ok(sensor)) {
				fprintf(stderr, "tcpscope export: --sensor:"
						" letters, digits, '.', '_' and"
						" '-' only, not starting with"
						" '.'\n");
				return EX_USAGE;
			}
			break;
		case 'c': {
			int i = out_choice("export", "compression", optarg,
					   codecs);
			if (i < 0)
				return EX_USAGE;
			o.codec = i == 0 ? PQ_ZSTD : PQ_UNCOMPRESSED;
			break;
		}
		case 'r': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 1 ||
			    v > 1000000) {
				fprintf(stderr, "tcpscope export:"
						" --rows-per-group: a number"
						" from 1 to 1000000\n");
				return EX_USAGE;
			}
			o.row_group_rows = (uint32_t)v;
			break;
		}
		case 'h':
			export_usage(stdout);
			return EX_OK;
		default:
			return out_bad_option("export", c, argv);
		}
	}
	if (format < 0) {
		fprintf(stderr, "tcpscope export: no --format given (parquet is"
				" the only one)\n");
		return EX_USAGE;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "tcpscope export: %s\n",
			optind == argc ? "no DIR given"
				       : "one DIR expected, more given");
		return EX_USAGE;
	}
	o.dir = argv[optind];
	char host[256];
	if (!sensor) {
		ds_host_sensor(host, sizeof host);
		sensor = host;
	}
	o.sensor = sensor;
	if (!path)
		path = store_default_path();

	char err[600];
	struct store *st;
	if (store_open(path, STORE_RDONLY, &st, err, sizeof err) != 0) {
		out_errline("tcpscope export", err);
		return EX_DB;
	}
	/* Interrupted, the export takes its files back (then exit 1). */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.stop = &export_stop;
	struct ds_stats stats;
	int rc = ds_export(store_db(st), &o, &stats, err, sizeof err);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	store_close(st);
	if (rc != 0) {
		out_errline("tcpscope export", err);
		return rc == DS_EIO || rc == DS_EINTR ? EX_FAIL : EX_DB;
	}
	printf("%llu rows of %u tables in %llu files under %s\n",
	       (unsigned long long)stats.rows, stats.tables,
	       (unsigned long long)stats.files, o.dir);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "tcpscope export: cannot write the output\n");
		return EX_FAIL;
	}
	return EX_OK;
}
