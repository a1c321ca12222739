/*
 * cmd_read.c - `tcpscope read`: import capture files into the database and
 * print what each contained, then a summary.
 *
 *   tcpscope read [-d DB] [--segments] [--replace] [--msl SEC]
 *                 [--idle-timeout SEC] [--max-conns N] [--max-memory SIZE]
 *                 [--ignore-vlan] [--parquet DIR] [--sensor NAME] [-q]
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
 * `tcpscope report` (reportq_print(): query/reportq.c gathers it,
 * output/report.c writes it): of the capture just read, or of the whole
 * database when several files were read; both printouts are summary.c's
 * and report.c's, not another command's. Problems with one file are reported on stderr as
 * "tcpscope read: FILE: problem" and the others still run; the exit status is
 * the worst seen (EX_DB stops at once).
 *
 * --jobs N: up to N files are imported at once, each by a child process
 * into a database of its own in a temporary directory beside DB; the
 * parent merges each into DB in the order of the files (store_merge()),
 * as soon as it and those before it are done, so capture and connection
 * ids, messages and the printout are those of the sequential import.
 *
 * With --parquet DIR each capture, once imported, is also written to the
 * Parquet dataset under DIR (dataset.c, as `tcpscope export` writes it),
 * read back from the database through a read-only connection of its own;
 * a capture whose files cannot be written leaves none there (exit 1).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../capture/capture.h"
#include "../cmd.h"
#include "../export/dataset.h"
#include "../ingest/ingest.h"
#include "../output/out.h"
#include "../query/reportq.h"
#include "../store/store.h"
#include "../output/summary.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpscope read [-d DB] [--segments] [--replace] [--msl SEC]\n"
		"                     [--idle-timeout SEC] [--max-conns N]\n"
		"                     [--max-memory SIZE] [--ignore-vlan] [-c COUNT]\n"
		"                     [-j N | --series] [--parquet DIR] [--sensor NAME]\n"
		"                     [-q] FILE... [EXPR]\n"
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
		"                     (32M, 0: no limit; idle connections are packed,\n"
		"                     then evicted)\n"
		"  --ignore-vlan      VLAN ids are not part of a connection's identity\n"
		"  -j, --jobs N       import up to N files at once, in processes of\n"
		"                     their own (default 1)\n"
		"  --series           the files are the parts of one capture, in time\n"
		"                     order (tcpdump's rotation by size or time):\n"
		"                     read as one capture\n"
		"  --parquet DIR      also write each capture to the Parquet dataset\n"
		"                     under DIR (as tcpscope export does)\n"
		"  --sensor NAME      the sensor the captures were taken on: part of\n"
		"                     their connections' uids, and the Parquet\n"
		"                     partition (default: none; the host's name)\n"
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

/* What one run prints and counts, over its files. */
struct run {
	int status, imported, quiet, segments, filtered;
	long long last_id;
	struct read_totals tot;
	const char *db, *parquet, *sensor; /* --parquet: each capture also
					    * to the dataset */
};

/* Reports the outcome rc of importing path (r its figures) as the
 * sequential import does; returns -1 when the run must stop (the
 * database failed), else 0. old: the capture a duplicate is, or 0. */
static int file_done(struct run *u, const char *path, int rc,
		     struct ing_result *r, int64_t old, struct store *st)
{
	/* Names and messages shown as a terminal cannot act on them. */
	char shown[1024], why[1024];
	const char *epath = out_esc(path, shown, sizeof shown);
	switch (rc) {
	case ING_OK:
		break;
	case ING_EDUP:
		/* Asked for segments an earlier import did not keep:
		 * nothing of what was asked is there; say how. */
		if (u->segments && old &&
		    store_capture_has_segments(st, old) == 0) {
			fprintf(stderr,
				"tcpscope read: %s: already imported as"
				" capture %lld without --segments (use"
				" --replace to import it again with"
				" them)\n",
				epath, (long long)old);
			if (u->status == EX_OK)
				u->status = EX_USAGE;
			return 0;
		}
		fprintf(stderr, "tcpscope read: %s: already imported (use "
				"--replace)\n", epath);
		return 0;
	case ING_EFILTER:
		fprintf(stderr, "tcpscope read: %s: %s\n", epath,
			out_esc(r->error, why, sizeof why));
		if (u->status == EX_OK || u->status == EX_INPUT)
			u->status = EX_USAGE;
		return 0;
	case ING_EDB:
		fprintf(stderr, "tcpscope read: %s: %s\n", epath,
			out_esc(r->error, why, sizeof why));
		u->status = EX_DB;
		return -1;
	default:
		fprintf(stderr, "tcpscope read: %s: %s\n", epath,
			out_esc(r->error, why, sizeof why));
		if (u->status == EX_OK)
			u->status = EX_INPUT;
		if (!r->capture_id)
			return 0;
	}
	u->imported++;
	u->last_id = r->capture_id;
	read_totals_add(&u->tot, r);
	if (r->evicted)
		fprintf(stderr,
			"tcpscope read: %s: %llu connections evicted early"
			" to stay within the tracker's limits"
			" (--max-memory, --max-conns); their rows end"
			" there\n",
			epath, (unsigned long long)r->evicted);
	if (!u->quiet)
		read_print_capture(stdout, epath, r, u->filtered);
	if (u->parquet &&
	    ds_export_capture("read", epath, u->db, u->parquet, u->sensor,
				 r->capture_id) != 0 &&
	    u->status == EX_OK)
		u->status = EX_FAIL;
	return 0;
}

/* ---- Parallel imports (--jobs) ------------------------------------------ */

/* A file of a job: the directory (at most 4096 bytes), a number, a suffix. */
#define JOB_PATH (4096 + 32)

/* A child of --jobs: imports path into dir/N.db, leaves its figures in
 * dir/N.res and exits with the import's outcome (negated: ING_E* < 0). */
static void job_child(const char *dir, int n, const char *path,
		      const struct ing_options *o, int segments)
{
	char p[JOB_PATH], err[512];
	struct ing_result r;
	memset(&r, 0, sizeof r);
	int rc = ING_EDB;
	struct store *st;
	snprintf(p, sizeof p, "%s/%d.db", dir, n);
	if (store_open(p, STORE_CREATE | STORE_ASIDE |
			      (segments ? STORE_SEGMENTS : 0),
		       &st, err, sizeof err) < 0) {
		snprintf(r.error, sizeof r.error, "%s", err);
	} else {
		rc = ing_import_file(st, path, o, NULL, NULL, &r);
		store_close(st);
	}
	snprintf(p, sizeof p, "%s/%d.res", dir, n);
	FILE *f = fopen(p, "wb");
	int ok = f && fwrite(&r, sizeof r, 1, f) == 1;
	if (f && fclose(f) != 0)
		ok = 0;
	_exit(ok ? -rc : 100);
}

static void job_files_remove(const char *dir, int n)
{
	char p[JOB_PATH];
	snprintf(p, sizeof p, "%s/%d.db", dir, n);
	store_remove_files(p);
	snprintf(p, sizeof p, "%s/%d.res", dir, n);
	(void)unlink(p);
}

/* File n's child is done with exit status ws: merges its database into
 * st and reports it as the sequential import would. -1: stop. */
static int job_merge(struct run *u, struct store *st, const char *dir, int n,
		     const char *path, int ws, int replace)
{
	struct ing_result r;
	memset(&r, 0, sizeof r);
	char p[JOB_PATH];
	snprintf(p, sizeof p, "%s/%d.res", dir, n);
	FILE *f = fopen(p, "rb");
	int have = f && fread(&r, sizeof r, 1, f) == 1;
	if (f)
		fclose(f);
	int rc = ING_EDB;
	if (!have || !WIFEXITED(ws) || WEXITSTATUS(ws) > 64) {
		snprintf(r.error, sizeof r.error, "the import process %s",
			 WIFSIGNALED(ws) ? "was killed" : "failed");
	} else {
		rc = -WEXITSTATUS(ws);
	}
	int64_t old = 0;
	if (r.capture_id && rc != ING_EDB && rc != ING_EDUP) {
		struct store_merge_result m;
		snprintf(p, sizeof p, "%s/%d.db", dir, n);
		if (store_merge(st, p, replace, &m) != 0) {
			snprintf(r.error, sizeof r.error, "database: %s",
				 store_errmsg(st));
			rc = ING_EDB;
		} else if (m.skipped) {
			rc = ING_EDUP;
			old = m.skipped_as;
		} else {
			r.capture_id = m.last_id;
		}
	}
	job_files_remove(dir, n);
	return file_done(u, path, rc, &r, old, st);
}

/* Imports files[0..n) with up to jobs children at once (see the top of
 * this file). */
static void read_jobs(struct run *u, struct store *st, const char *db,
		      char **files, int n, const struct ing_options *o,
		      int jobs)
{
	char dir[4096];
	const char *slash = strrchr(db, '/');
	snprintf(dir, sizeof dir, "%.*s.tcpscope-jobs-XXXXXX",
		 slash ? (int)(slash - db + 1) : 0, db);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "tcpscope read: %s: cannot make a directory for"
				" --jobs: %s\n", dir, strerror(errno));
		u->status = EX_DB;
		return;
	}
	pid_t *pid = calloc((size_t)n, sizeof *pid);
	int *ws = calloc((size_t)n, sizeof *ws);
	char *done = calloc((size_t)n, 1);
	if (!pid || !ws || !done) {
		fprintf(stderr, "tcpscope read: out of memory\n");
		u->status = EX_DB;
		goto out;
	}
	int next = 0, merged = 0, running = 0, stop = 0;
	while (merged < n && !stop) {
		while (running < jobs && next < n) {
			fflush(stdout);
			fflush(stderr);
			pid[next] = fork();
			if (pid[next] == 0)
				job_child(dir, next, files[next], o, u->segments);
			if (pid[next] < 0) {
				/* No more processes: this one the next time. */
				if (running == 0) {
					fprintf(stderr, "tcpscope read: fork: %s\n",
						strerror(errno));
					u->status = EX_DB;
					stop = 1;
				}
				break;
			}
			running++;
			next++;
		}
		if (stop || running == 0)
			break;
		int w;
		pid_t p = waitpid(-1, &w, 0);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < next; i++)
			if (pid[i] == p && !done[i]) {
				done[i] = 1;
				ws[i] = w;
				running--;
			}
		while (merged < n && done[merged] && !stop) {
			if (job_merge(u, st, dir, merged, files[merged],
				      ws[merged], o->replace) < 0)
				stop = 1;
			merged++;
		}
	}
	/* Stopped early: the children still running finish, unmerged. */
	while (running > 0 && waitpid(-1, NULL, 0) > 0)
		running--;
	for (int i = merged; i < n; i++)
		job_files_remove(dir, i);
out:
	(void)rmdir(dir);
	free(pid);
	free(ws);
	free(done);
}

int cmd_read(int argc, char **argv)
{
	enum { O_SEGMENTS = 256, O_REPLACE, O_MSL, O_IDLE, O_MAXCONNS, O_MAXMEM,
	       O_NOVLAN, O_SERIES, O_PARQUET, O_SENSOR };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "segments", no_argument, NULL, O_SEGMENTS },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ "msl", required_argument, NULL, O_MSL },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "max-conns", required_argument, NULL, O_MAXCONNS },
		{ "max-memory", required_argument, NULL, O_MAXMEM },
		{ "ignore-vlan", no_argument, NULL, O_NOVLAN },
		{ "jobs", required_argument, NULL, 'j' },
		{ "series", no_argument, NULL, O_SERIES },
		{ "parquet", required_argument, NULL, O_PARQUET },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ing_options o;
	ing_options_default(&o);
	const char *db = NULL, *parquet = NULL, *sensor = NULL;
	int segments = 0, quiet = 0, jobs = 1, series = 0, ch;
	optind = 1;
	opterr = 0;
	/* Options may come before or after the files and the filter, as
	 * with tcpdump; after "--" every word is a file or the filter. */
	while ((ch = getopt_long(argc, argv, ":d:c:j:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 256) {
				fprintf(stderr, "tcpscope read: bad --jobs '%s'"
						" (1 to 256)\n", optarg);
				return EX_USAGE;
			}
			jobs = (int)v;
			break;
		}
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
		case O_SERIES:
			series = 1;
			break;
		case O_PARQUET:
			parquet = optarg;
			break;
		case O_SENSOR:
			if (ds_sensor_arg("read", optarg) < 0)
				return EX_USAGE;
			sensor = optarg;
			break;
		default: /* ':' and unknown options */
			return out_bad_option("read", ch, argv);
		}
	}
	/* The capture's sensor, in its uids (none when not given: the
	 * Parquet partition is then the host's name). */
	o.sensor = sensor;
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
	/* With --jobs the rows come by merges: no new database built aside
	 * (that is published by the end of an import). */
	if (series && jobs > 1) {
		fprintf(stderr, "tcpscope read: --series is one capture: no"
				" --jobs with it\n");
		free(expr);
		return EX_USAGE;
	}
	int par = jobs > 1 && nfiles > 1;
	/* --jobs opens DB as it is (its rows come by merges): a new one that
	 * gets no capture is removed at the end, as a new database built
	 * aside is never published. */
	struct stat dsb;
	int made = par && stat(db, &dsb) != 0 && errno == ENOENT;
	if (store_open(db,
		       STORE_CREATE | (par ? 0 : STORE_ASIDE) |
			   (segments ? STORE_SEGMENTS : 0),
		       &st,
		       err, sizeof err) < 0) {
		out_errline("tcpscope read", err); /* err names db */
		free(expr);
		return EX_DB;
	}

	struct run u;
	memset(&u, 0, sizeof u);
	u.quiet = quiet;
	u.segments = segments;
	u.filtered = o.filter != NULL;
	u.db = db;
	u.parquet = parquet;
	u.sensor = sensor;
	if (par) {
		read_jobs(&u, st, db, argv + first, nfiles, &o, jobs);
		goto report;
	}
	if (series && nfiles > 1) {
		struct ing_result r;
		int rc = ing_import_series(st, argv + first, nfiles, &o, NULL,
					   NULL, &r);
		char label[4200];
		snprintf(label, sizeof label, "%.4000s (and %d more parts)",
			 argv[first], nfiles - 1);
		if (file_done(&u, label, rc, &r,
			      rc == ING_EDUP ? store_dup_of(st) : 0, st) < 0)
			goto out;
		goto report;
	}
	for (int i = first; i < first + nfiles; i++) {
		const char *path = argv[i];
		char shown[1024];
		struct progress pg = { .path = out_esc(path, shown, sizeof shown),
				       .start = now_s() };
		struct ing_result r;
		int tty = !quiet && isatty(2);
		int rc = ing_import_file(st, path, &o, tty ? on_tick : NULL, &pg,
					 &r);
		if (pg.shown) {
			fprintf(stderr, "\r\033[K");
			fflush(stderr);
		}
		if (file_done(&u, path, rc, &r,
			      rc == ING_EDUP ? store_dup_of(st) : 0, st) < 0)
			goto out;
	}
report:
	if (!quiet && u.imported > 0 && u.status != EX_DB) {
		/* The report of `tcpscope report`: of the one capture read,
		 * or of the whole database when several were. */
		read_print_summary(stdout, db, &u.tot, 0);
		fputc('\n', stdout);
		fflush(stdout);
		int rc = reportq_print(st, u.imported == 1 ? u.last_id : 0, 10, 0,
				      0);
		if (rc == EX_DB || (rc != EX_OK && u.status == EX_OK))
			u.status = rc;
	}
out:
	store_close(st);
	if (made && u.imported == 0)
		store_remove_files(db);
	free(expr);
	if (fflush(stdout) != 0 && u.status == EX_OK)
		u.status = EX_FAIL;
	return u.status;
}
