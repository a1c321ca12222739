/*
 * cmd_read.c - `tcpscope read`: import capture files into the database and
 * print what each contained, then a summary.
 *
 *   tcpscope read [-d DB] [--segments] [--replace] [--msl SEC]
 *                 [--idle-timeout SEC] [--max-conns N] [--max-memory SIZE]
 *                 [--ignore-vlan] [--parquet DIR [--sensor NAME]] [-q]
 *                 FILE... [EXPR]
 *
 * Files versus filter: the first argument is always a file; after it,
 * arguments are files as long as each names an existing path or is "-"
 * (stdin); the first one that does not starts the BPF expression, which
 * takes every remaining argument (joined with spaces, as tcpdump does).
 * So `read a.pcap b.pcapng tcp port 80` reads two files with the filter
 * "tcp port 80". A missing file in the middle would silently become part of
 * the expression, so when the expression does not compile and its first
 * word looks like a file name, we say the file is missing instead.
 *
 * Each file is imported on its own (ing_import_file(): own capture row,
 * own tracker). After the per-capture figures comes the summary of
 * `tcpscope report` (report_print(), report.c): of the capture just read,
 * or of the whole database when several files were read; both printouts
 * are summary.c's and report.c's, not another command's. Problems with one file are reported on stderr as
 * "tcpscope read: FILE: problem" and the others still run; the exit status is
 * the worst seen (EX_DB stops at once).
 *
 * With --parquet DIR each capture, once imported, is also written to the
 * Parquet dataset under DIR (dataset.c, as `tcpscope export` writes it),
 * read back from the database through a read-only connection of its own;
 * a capture whose files cannot be written leaves none there (exit 1).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../capture/capture.h"
#include "../cmd.h"
#include "../export/dataset.h"
#include "../ingest/ingest.h"
#include "../output/out.h"
#include "../output/report.h"
#include "../store/store.h"
#include "../output/summary.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpscope read [-d DB] [--segments] [--replace] [--msl SEC]\n"
		"                     [--idle-timeout SEC] [--max-conns N]\n"
		"                     [--max-memory SIZE] [--ignore-vlan] [-c COUNT] [-q]\n"
		"                     [--parquet DIR [--sensor NAME]] FILE... [EXPR]\n"
		"\n"
		"Analyzes pcap/pcapng captures, also gzip/zstd/xz-compressed (\"-\" is\n"
		"stdin), into the database and prints what each held, then a summary.\n"
		"Arguments after the files, from the first one that is not an existing\n"
		"file, form a BPF filter (tcpdump syntax).\n"
		"\n"
		"  -d DB              database (default $TCPSCOPE_DB or tcpscope.db)\n"
		"  -c COUNT           stop after COUNT packets (of each file)\n"
		"  --segments         also store every TCP segment\n"
		"  --replace          re-import a capture imported before\n"
		"  --msl SEC          maximum segment lifetime (TIME-WAIT is 2*MSL; 60)\n"
		"  --idle-timeout SEC finish idle connections after SEC (0: never)\n"
		"  --max-conns N      connections tracked at once (1000000; then one is\n"
		"                     evicted)\n"
		"  --max-memory SIZE  memory of the connection tracker, K, M or G bytes\n"
		"                     (28M, 0: no limit; idle connections are packed,\n"
		"                     then evicted)\n"
		"  --ignore-vlan      VLAN ids are not part of a connection's identity\n"
		"  --parquet DIR      also write each capture to the Parquet dataset\n"
		"                     under DIR (as tcpscope export does)\n"
		"  --sensor NAME      its sensor partition (default: the host name)\n"
		"  -q, --quiet        print nothing but errors\n");
}

/* ---- Progress on a terminal --------------------------------------------- */

struct progress {
	const char *path;
	double start, last;
	int shown;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int on_tick(void *arg, struct cap *c, const struct ing_result *r)
{
	struct progress *pg = arg;
	double t = now_s();
	if (t - pg->start < 0.5 || t - pg->last < 0.25)
		return 0;
	pg->last = t;
	pg->shown = 1;
	int64_t size = cap_size(c), off = cap_offset(c);
	double rate = (double)r->packets / (t - pg->start);
	if (size > 0 && off >= 0)
		fprintf(stderr, "\r\033[K%s: %3d%%  %llu packets  %.0f pkt/s",
			pg->path, (int)(100.0 * (double)off / (double)size),
			(unsigned long long)r->packets, rate);
	else
		fprintf(stderr, "\r\033[K%s: %llu packets  %.0f pkt/s", pg->path,
			(unsigned long long)r->packets, rate);
	fflush(stderr);
	return 0;
}

/* ---- Arguments ------------------------------------------------------------ */

static int parse_secs(const char *s, int64_t *ns)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*ns = (int64_t)(v * 1e9);
	return 0;
}

/* "64M", "512k", "1G", "100000": bytes, 1M at least (the tracker's own
 * tables need some), 1T at most; 0: no limit. */
static int parse_size(const char *s, size_t *bytes)
{
	char *end;
	double v = strtod(s, &end);
	double unit = 1;
	if (end != s && *end && !end[1]) {
		const char *u = strchr("kKmMgG", *end);
		if (u)
			unit = (double)(1u << (10 * (1 + (u - "kKmMgG") / 2)));
		end += u != NULL;
	}
	v *= unit;
	if (end == s || *end || !isfinite(v) || (v != 0 && v < (1 << 20)) ||
	    v > 1099511627776.0)
		return -1;
	*bytes = (size_t)v;
	return 0;
}

static int is_input(const char *a)
{
	struct stat sb;
	return strcmp(a, "-") == 0 || stat(a, &sb) == 0;
}

/* Joins argv[from..argc) with spaces; NULL when none (or no memory). */
static int looks_like_file(const char *w)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap",
					   ".pcap.gz", ".dmp", ".ntar", ".gz",
					   ".zst", ".xz", NULL };
	if (strchr(w, '/'))
		return 1;
	size_t n = strlen(w);
	for (int i = 0; ext[i]; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(w + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* Writes capture id of db to the dataset under dir. 0, or -1 after
 * printing why. */
static int read_parquet(const char *db, const char *dir, const char *sensor,
			int64_t id, const char *epath)
{
	struct store *st;
	char err[600];
	struct ds_options o = { .dir = dir, .sensor = sensor,
				.codec = PQ_ZSTD, .capture = id };
	struct ds_stats stats;
	int rc = store_open(db, STORE_RDONLY, &st, err, sizeof err);
	if (rc == 0) {
		rc = ds_export(store_db(st), &o, &stats, err, sizeof err);
		store_close(st);
	}
	if (rc != 0) {
		char why[700];
		fprintf(stderr, "tcpscope read: %s: --parquet: %s\n", epath,
			out_esc(err, why, sizeof why));
		return -1;
	}
	return 0;
}

int cmd_read(int argc, char **argv)
{
	enum { O_SEGMENTS = 256, O_REPLACE, O_MSL, O_IDLE, O_MAXCONNS, O_MAXMEM,
	       O_NOVLAN, O_PARQUET, O_SENSOR };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "segments", no_argument, NULL, O_SEGMENTS },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ "msl", required_argument, NULL, O_MSL },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "max-conns", required_argument, NULL, O_MAXCONNS },
		{ "max-memory", required_argument, NULL, O_MAXMEM },
		{ "ignore-vlan", no_argument, NULL, O_NOVLAN },
		{ "parquet", required_argument, NULL, O_PARQUET },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ing_options o;
	ing_options_default(&o);
	const char *db = NULL, *parquet = NULL, *sensor = NULL;
	int segments = 0, quiet = 0, ch;
	optind = 1;
	opterr = 0;
	/* Options may come before or after the files and the filter, as
	 * with tcpdump; after "--" every word is a file or the filter. */
	while ((ch = getopt_long(argc, argv, ":d:c:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'c':
			if (out_parse_count("read", optarg, &o.max_packets) < 0)
				return EX_USAGE;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_SEGMENTS:
			segments = 1;
			break;
		case O_REPLACE:
			o.replace = 1;
			break;
		case O_MSL:
			if (parse_secs(optarg, &o.tc.msl_ns) < 0 || o.tc.msl_ns == 0) {
				fprintf(stderr, "tcpscope read: bad --msl '%s'\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case O_IDLE:
			if (parse_secs(optarg, &o.tc.idle_timeout_ns) < 0) {
				fprintf(stderr,
					"tcpscope read: bad --idle-timeout '%s'\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case O_MAXCONNS: {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (end == optarg || *end || v == 0 || v > (1ull << 32) ||
			    optarg[0] == '-') {
				fprintf(stderr,
					"tcpscope read: bad --max-conns '%s'\n",
					optarg);
				return EX_USAGE;
			}
			o.tc.max_conns = (size_t)v;
			break;
		}
		case O_MAXMEM:
			if (parse_size(optarg, &o.tc.max_bytes) < 0) {
				fprintf(stderr,
					"tcpscope read: bad --max-memory '%s'\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case O_NOVLAN:
			o.tc.ignore_vlan = 1;
			break;
		case O_PARQUET:
			parquet = optarg;
			break;
		case O_SENSOR:
			if (!ds_sensor_ok(optarg)) {
				fprintf(stderr, "tcpscope read: --sensor:"
						" letters, digits, '.', '_' and"
						" '-' only, not starting with"
						" '.'\n");
				return EX_USAGE;
			}
			sensor = optarg;
			break;
		default: /* ':' and unknown options */
			return out_bad_option("read", ch, argv);
		}
	}
	if (sensor && !parquet) {
		fprintf(stderr, "tcpscope read: --sensor goes with --parquet\n");
		return EX_USAGE;
	}
	char host[256];
	if (parquet && !sensor) {
		ds_host_sensor(host, sizeof host);
		sensor = host;
	}
	if (optind >= argc) {
		fprintf(stderr, "tcpscope read: no capture file given (try --help)\n");
		return EX_USAGE;
	}
	int first = optind, nfiles = 1;
	while (first + nfiles < argc && is_input(argv[first + nfiles]))
		nfiles++;
	char *expr = cap_filter_words(argv + first + nfiles,
				      argc - first - nfiles);
	if (expr) {
		char err[512];
		if (cap_check_filter(expr, err, sizeof err) < 0) {
			const char *w = argv[first + nfiles];
			int rc = EX_USAGE;
			if (looks_like_file(w)) {
				fprintf(stderr, "tcpscope read: %s: No such file or "
						"directory\n", w);
				rc = EX_INPUT;
			} else {
				fprintf(stderr, "tcpscope read: bad filter "
						"expression '%s': %s\n", expr, err);
			}
			free(expr);
			return rc;
		}
		o.filter = expr;
	}

	if (!db)
		db = store_default_path();
	struct store *st;
	char err[512];
	if (store_open(db,
		       STORE_CREATE | STORE_ASIDE |
			   (segments ? STORE_SEGMENTS : 0),
		       &st,
		       err, sizeof err) < 0) {
		out_errline("tcpscope read", err); /* err names db */
		free(expr);
		return EX_DB;
	}

	int status = EX_OK, imported = 0;
	long long last_id = 0;
	struct read_totals tot;
	memset(&tot, 0, sizeof tot);
	for (int i = first; i < first + nfiles; i++) {
		const char *path = argv[i];
		/* Names and messages shown as a terminal cannot act on them. */
		char shown[1024], why[1024];
		const char *epath = out_esc(path, shown, sizeof shown);
		struct progress pg = { .path = epath, .start = now_s() };
		struct ing_result r;
		int tty = !quiet && isatty(2);
		int rc = ing_import_file(st, path, &o, tty ? on_tick : NULL, &pg,
					 &r);
		if (pg.shown) {
			fprintf(stderr, "\r\033[K");
			fflush(stderr);
		}
		switch (rc) {
		case ING_OK:
			break;
		case ING_EDUP: {
			/* Asked for segments an earlier import did not keep:
			 * nothing of what was asked is there; say how. */
			int64_t old = store_dup_of(st);
			if (segments && old &&
			    store_capture_has_segments(st, old) == 0) {
				fprintf(stderr,
					"tcpscope read: %s: already imported as"
					" capture %lld without --segments (use"
					" --replace to import it again with"
					" them)\n",
					epath, (long long)old);
				if (status == EX_OK)
					status = EX_USAGE;
				continue;
			}
			fprintf(stderr, "tcpscope read: %s: already imported (use "
					"--replace)\n", epath);
			continue;
		}
		case ING_EFILTER:
			fprintf(stderr, "tcpscope read: %s: %s\n", epath, out_esc(r.error, why, sizeof why));
			if (status == EX_OK || status == EX_INPUT)
				status = EX_USAGE;
			continue;
		case ING_EDB:
			fprintf(stderr, "tcpscope read: %s: %s\n", epath, out_esc(r.error, why, sizeof why));
			status = EX_DB;
			goto out;
		default:
			fprintf(stderr, "tcpscope read: %s: %s\n", epath, out_esc(r.error, why, sizeof why));
			if (status == EX_OK)
				status = EX_INPUT;
			if (!r.capture_id)
				continue;
		}
		imported++;
		last_id = r.capture_id;
		read_totals_add(&tot, &r);
		if (r.evicted)
			fprintf(stderr,
				"tcpscope read: %s: %llu connections evicted early"
				" to stay within the tracker's limits"
				" (--max-memory, --max-conns); their rows end"
				" there\n",
				epath, (unsigned long long)r.evicted);
		if (!quiet)
			read_print_capture(stdout, epath, &r, o.filter != NULL);
		if (parquet && read_parquet(db, parquet, sensor, r.capture_id,
					    epath) != 0 && status == EX_OK)
			status = EX_FAIL;
	}
	if (!quiet && imported > 0) {
		/* The report of `tcpscope report`: of the one capture read,
		 * or of the whole database when several were. */
		read_print_summary(stdout, db, &tot, 0);
		fputc('\n', stdout);
		fflush(stdout);
		int rc = report_print(st, imported == 1 ? last_id : 0, 10, 0,
				      0);
		if (rc == EX_DB || (rc != EX_OK && status == EX_OK))
			status = rc;
	}
out:
	store_close(st);
	free(expr);
	if (fflush(stdout) != 0 && status == EX_OK)
		status = EX_FAIL;
	return status;
}
