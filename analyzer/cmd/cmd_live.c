/*
 * cmd_live.c - `tcpscope live`: capture from an interface into the
 * database, optionally writing the packets to a pcap file as well.
 *
 *   tcpscope live -i IFACE [-w OUT.pcap] [-c COUNT] [-s SNAPLEN]
 *                 [--duration SECONDS] [-d DB] [--segments] [-q]
 *                 [-Z USER | --no-drop] [--fanout N]
 *                 [--parquet DIR] [--sensor NAME] [EXPR]
 *
 * One capture row (path = the interface name, live = 1), one tracker. The
 * loop is ingest's (ing_run_live()): it stops at -c packets, --duration seconds of
 * wall-clock run time or SIGINT/SIGTERM, and about once a second commits
 * what was stored and flushes the -w file, so `tcpscope flows` or the TUI
 * see progress; on a terminal print_status() rewrites a status line
 * then. Signals only set a flag and call pcap_breakloop().
 * Run as root, the capture gives up root once the interface, the -w file
 * and the database are open, before the first packet is parsed: it runs
 * as -Z USER (default "nobody") with no capabilities and no way back
 * (drop_root()); --no-drop keeps root.
 * Packet timestamps are libpcap's (nanoseconds where the device allows);
 * the wall clock only decides when to stop and when to commit.
 *
 * With --parquet DIR the capture, once it ends, is also written to the
 * Parquet dataset under DIR (dataset.c, as `read --parquet` does), by a
 * process that kept root's rights to DIR: the capture runs in a child
 * (live_forked(), which gives up root) and the parent writes its capture;
 * with --fanout the parent writes each worker's capture as it is merged
 * (ids of DB: the shards' own ids would collide in one sensor partition).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../capture/capture.h"
#include "../cmd.h"
#include "../output/summary.h"
#include "../capture/decode.h"
#include "../export/dataset.h"
#include "../ingest/ingest.h"
#include "../output/out.h"
#include "../query/reportq.h"
#include "../store/store.h"

static volatile sig_atomic_t live_stop;
static struct cap *volatile live_cap;

static void on_signal(int sig)
{
	(void)sig;
	live_stop = 1;
	if (live_cap)
		cap_break(live_cap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpscope live -i IFACE [-w OUT.pcap] [-c COUNT] [-s SNAPLEN]\n"
		"                     [--duration SECONDS] [-d DB] [--segments] [-q]\n"
		"                     [-Z USER | --no-drop] [--fanout N]\n"
		"                     [--parquet DIR] [--sensor NAME] [EXPR]\n"
		"\n"
		"Captures from IFACE into the database until COUNT packets, SECONDS of\n"
		"run time, or SIGINT/SIGTERM. EXPR is a BPF filter (tcpdump syntax).\n"
		"\n"
		"  -i IFACE     interface to capture on\n"
		"  -w OUT.pcap  also write the packets to a pcap file\n"
		"  -c COUNT     stop after COUNT packets\n"
		"  -s SNAPLEN   bytes to capture per packet (default 262144)\n"
		"  --duration SECONDS  stop after SECONDS\n"
		"  -d DB        database (default $TCPSCOPE_DB or tcpscope.db)\n"
		"  --segments   also store every TCP segment\n"
		"  -q           print nothing but errors\n"
		"  -Z USER      run as USER once the interface and files are\n"
		"               open (as root; default nobody)\n"
		"  --no-drop    stay root while capturing\n"
		"  --fanout N   N workers on the interface (PACKET_FANOUT_HASH: a\n"
		"               connection's packets reach one), each into a shard\n"
		"               DB.shardK, merged into DB when the capture ends\n"
		"  --parquet DIR  also write the capture (each worker's) to the\n"
		"               Parquet dataset under DIR when it ends (as\n"
		"               tcpscope export does)\n"
		"  --sensor NAME  the sensor: part of the connections' uids, and\n"
		"               the Parquet partition (default: none; the host's\n"
		"               name)\n");
}

/* The status line on a terminal, rewritten at every commit
 * (ing_run_live()'s tick); arg is the import's struct ing_result. */
static void print_status(void *arg, const struct ing *in, struct cap *c)
{
	const struct ing_result *r = arg;
	struct cap_stats cs;
	cap_get_stats(c, &cs);
	fprintf(stderr,
		"\r%llu packets, %llu connections (%llu open), %llu dropped by"
		" the kernel\033[K",
		(unsigned long long)r->packets, (unsigned long long)r->conns,
		(unsigned long long)ing_open_conns(in),
		(unsigned long long)cs.kernel_drops);
	fflush(stderr);
}

/* Gives up root for good: supplementary groups, then group, then user
 * (so that nothing can be set back), no new privileges by exec. Leaving
 * uid 0 clears every capability. Returns 0, or -1 with err set. */
static int drop_root(const char *user, char *err, size_t len)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, len, "no user '%s' to capture as (name one with"
				   " -Z USER, or stay root with --no-drop)",
			 user);
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		snprintf(err, len, "cannot become user '%s': %s", user,
			 strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		snprintf(err, len, "root could be regained after becoming '%s'",
			 user);
		return -1;
	}
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

static int parse_num(const char *s, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

struct lopts {
	const char *iface, *out, *user, *expr;
	const char *parquet, *sensor; /* --parquet DIR, --sensor NAME or
				       * NULL */
	double count, secs, snap;
	int segments, quiet, no_drop;
	int id_fd; /* >= 0: the capture's id is written there (8 bytes) */
};

/* One capture into db, as `live` without --fanout does; with group >= 0,
 * one worker of --fanout: it joins fanout group `group`, writes a byte to
 * ready_fd and waits for go_fd to close before it takes packets. */
static int live_one(const struct lopts *lo, const char *db, int group,
		    int ready_fd, int go_fd)
{
	const char *iface = lo->iface, *out = lo->out, *user = lo->user;
	const char *expr = lo->expr;
	double count = lo->count, secs = lo->secs, snap = lo->snap;
	int segments = lo->segments, quiet = lo->quiet, no_drop = lo->no_drop;
	int status = EX_OK;
	char err[512];
	struct store *st = NULL;
	struct cap *c = cap_open_live(iface, (int)snap, err, sizeof err);
	if (!c) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, err);
		return EX_INPUT;
	}
	int dlt;
	cap_linktypes(c, &dlt, 1);
	if (!dec_link_supported(dlt)) {
		char d[160];
		cap_linktype_describe(dlt, d, sizeof d);
		fprintf(stderr, "tcpscope live: %s: unsupported link type %s\n", iface, d);
		status = EX_INPUT;
		goto done;
	}
	if (group >= 0) {
		/* A worker of --fanout: in the group, taking nothing until
		 * every worker is (ready_fd, then go_fd's end of file). */
		char b = 1;
		if (cap_fanout_join(c, (unsigned)group, err, sizeof err) < 0) {
			fprintf(stderr, "tcpscope live: %s: %s\n", iface, err);
			status = EX_INPUT;
			goto done;
		}
		if (write(ready_fd, &b, 1) != 1 || read(go_fd, &b, 1) != 0) {
			status = EX_FAIL; /* the parent is gone */
			goto done;
		}
	}
	if ((expr || group >= 0) &&
	    cap_set_filter(c, expr ? expr : "", err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope live: bad filter expression '%s': %s\n",
			expr, err);
		status = EX_USAGE;
		goto done;
	}
	if (out && cap_dump_open(c, out, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope live: %s: %s\n", out, err);
		status = EX_FAIL;
		goto done;
	}
	/* A child (a --fanout worker, live_forked()'s) holds a stop back
	 * from here until its handler is in place: killed while it creates
	 * its database, it would leave a half-migrated shard the parent
	 * cannot read (make asan: a SIGINT to the group during the schema
	 * steps). The stop, held, then ends the capture at once. */
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	if (group >= 0 || lo->id_fd >= 0)
		sigprocmask(SIG_BLOCK, &stops, NULL);
	if (store_open(db, STORE_CREATE | (segments ? STORE_SEGMENTS : 0), &st,
		       err, sizeof err) < 0) {
		out_errline("tcpscope live", err); /* err names db */
		status = EX_DB;
		goto done;
	}

	struct ing_options o;
	ing_options_default(&o);
	o.hash = 0;
	o.live_views = 1;
	struct store_capture sc = { .path = iface, .size = -1, .live = 1,
				    .sensor = lo->sensor };
	struct ing in;
	struct ing_result r;
	int rc = ing_begin(&in, st, c, &sc, &o, &r);
	if (rc == ING_EDB || rc == ING_EDUP) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, r.error);
		status = EX_DB;
		goto done;
	}

	/* Everything that needs root is open: hostile packets are parsed
	 * without it. */
	if (geteuid() == 0 && !no_drop &&
	    drop_root(user ? user : "nobody", err, sizeof err) < 0) {
		out_errline("tcpscope live", err);
		(void)ing_end(&in, c, "the capture could not give up root");
		status = EX_FAIL;
		goto done;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	live_stop = 0;
	live_cap = c;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigprocmask(SIG_UNBLOCK, &stops, NULL);

	/* As tcpdump does: what is captured, on stderr; then, on a
	 * terminal, a status line rewritten at every commit. */
	int status_line = !quiet && isatty(2);
	if (!quiet) {
		char d[160];
		cap_linktype_describe(dlt, d, sizeof d);
		fprintf(stderr, "tcpscope live: listening on %s, link-type %s, snapshot"
				" length %d bytes, into %s\n",
			iface, d, cap_snaplen(c), db);
	}
	char damage[512];
	struct ing_live lv = {
	    .count = (uint64_t)count,
	    .secs = secs,
	    .stop = &live_stop,
	    .tick = status_line ? print_status : NULL,
	    .arg = &r,
	};
	rc = ing_run_live(&in, c, &lv, damage, sizeof damage);
	if (status_line)
		fputs("\r\033[K", stderr);
	live_cap = NULL;
	/* A capture of its own: a second signal ends it. A child's (a
	 * --fanout worker, live_forked()'s) writes its end whatever comes:
	 * a Ctrl-C reaches the child and its parent, which passes a SIGTERM
	 * on, maybe after the child's loop ended; killed then, its capture
	 * would stay incomplete. */
	if (group < 0 && lo->id_fd < 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}

	rc = ing_end(&in, c, damage[0] ? damage : NULL);
	if (rc == ING_EDB) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, r.error);
		status = EX_DB;
		goto done;
	}
	if (lo->id_fd >= 0 && r.capture_id) {
		int64_t id = r.capture_id;
		ssize_t w = write(lo->id_fd, &id, sizeof id);
		(void)w; /* the parent sees 0 bytes: no capture to write */
	}
	if (damage[0]) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, damage);
		status = EX_INPUT;
	} else if (rc != ING_OK) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, r.error);
		status = EX_FAIL;
	}
	if (!quiet) {
		struct read_totals tot;
		memset(&tot, 0, sizeof tot);
		read_totals_add(&tot, &r);
		read_print_capture(stdout, iface, &r, expr != NULL);
		read_print_summary(stdout, db, &tot, 1);
	}
done:
	store_close(st);
	cap_close(c);
	return status;
}

/* ---- --fanout N ------------------------------------------------------- */

static volatile sig_atomic_t fan_stop;

static void on_fan_signal(int sig)
{
	(void)sig;
	fan_stop = 1;
}

/* Before a parent forks its captures: SIGINT and SIGTERM set fan_stop
 * (it passes them on), and what it printed is out before any child
 * prints. */
static void parent_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fan_signal;
	sigemptyset(&sa.sa_mask);
	fan_stop = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fflush(stdout);
	fflush(stderr);
}

/* The shard of worker k: "DB.shardK". */
static void shard_name(char *buf, size_t len, const char *db, int k)
{
	snprintf(buf, len, "%s.shard%d", db, k);
}

/* N workers on one PACKET_FANOUT group, each capturing into a shard of its
 * own; when they are done, the shards are merged into db (store_merge())
 * and removed. A stop (SIGINT, SIGTERM) is passed on to them. */
static int live_fanout(const struct lopts *lo, const char *db, int n)
{
	/* What every worker would find wrong (no such interface, no
	 * permission, a bad filter, a link type not decoded) is said once,
	 * here, before any starts. */
	char err[512];
	struct cap *c = cap_open_live(lo->iface, (int)lo->snap, err, sizeof err);
	if (!c) {
		fprintf(stderr, "tcpscope live: %s: %s\n", lo->iface, err);
		return EX_INPUT;
	}
	int dlt, bad = EX_OK;
	cap_linktypes(c, &dlt, 1);
	if (!dec_link_supported(dlt)) {
		char d[160];
		cap_linktype_describe(dlt, d, sizeof d);
		fprintf(stderr, "tcpscope live: %s: unsupported link type %s\n",
			lo->iface, d);
		bad = EX_INPUT;
	} else if (lo->expr && cap_set_filter(c, lo->expr, err, sizeof err) < 0) {
		fprintf(stderr, "tcpscope live: bad filter expression '%s': %s\n",
			lo->expr, err);
		bad = EX_USAGE;
	}
	cap_close(c);
	if (bad != EX_OK)
		return bad;
	int ready[2], go[2];
	if (pipe(ready) != 0 || pipe(go) != 0) {
		fprintf(stderr, "tcpscope live: pipe: %s\n", strerror(errno));
		return EX_FAIL;
	}
	pid_t pid[64];
	unsigned group = (unsigned)getpid() & 0xffffu;
	struct lopts wl = *lo;
	wl.quiet = 1;
	int started = 0, status = EX_OK;
	parent_signals();
	for (int k = 0; k < n; k++) {
		char shard[4200];
		shard_name(shard, sizeof shard, db, k + 1);
		pid[k] = fork();
		if (pid[k] == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			close(ready[0]);
			close(go[1]);
			_exit(live_one(&wl, shard, (int)group, ready[1], go[0]));
		}
		if (pid[k] < 0) {
			fprintf(stderr, "tcpscope live: fork: %s\n",
				strerror(errno));
			status = EX_FAIL;
			break;
		}
		started++;
	}
	close(ready[1]);
	close(go[0]);
	/* Every worker in the group (or gone): then all take packets. */
	int joined = 0;
	char b;
	while (status == EX_OK && joined < started) {
		ssize_t r = read(ready[0], &b, 1);
		if (r == 1)
			joined++;
		else if (r == 0 || errno != EINTR)
			break;
	}
	close(ready[0]);
	if (joined < started) {
		/* A worker failed (its message is out): the others, still
		 * waiting to start and with no shard yet, go at once. */
		for (int k = 0; k < started; k++)
			kill(pid[k], SIGTERM);
	} else if (!lo->quiet)
		fprintf(stderr, "tcpscope live: listening on %s with %d workers"
				" (fanout group %u), into %s\n",
			lo->iface, n, group, db);
	close(go[1]); /* go (or, on failure, the others stop at once) */
	int left = started, forwarded = 0;
	while (left > 0) {
		int ws;
		pid_t p = waitpid(-1, &ws, 0);
		if (p < 0 && errno == EINTR) {
			if (fan_stop && !forwarded) {
				for (int k = 0; k < started; k++)
					kill(pid[k], SIGTERM);
				forwarded = 1;
			}
			continue;
		}
		if (p < 0)
			break;
		left--;
		/* Killed while waiting to start: not a failure of its own. */
		int st = WIFEXITED(ws) ? WEXITSTATUS(ws)
			 : joined < started ? EX_OK : EX_FAIL;
		if (st != EX_OK && (status == EX_OK || st == EX_DB))
			status = st;
	}
	if (joined < started && status == EX_OK)
		status = EX_FAIL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (joined < started || status == EX_DB)
		return status;
	/* One database: the workers' captures, in worker order. */
	struct store *st;
	if (store_open(db, STORE_CREATE, &st, err, sizeof err) < 0) {
		out_errline("tcpscope live", err);
		return EX_DB;
	}
	uint64_t copied = 0;
	int64_t ids[64];
	int nids = 0;
	for (int k = 0; k < started; k++) {
		char shard[4200];
		struct store_merge_result m;
		shard_name(shard, sizeof shard, db, k + 1);
		if (store_merge(st, shard, 0, &m) != 0) {
			out_errline("tcpscope live", store_errmsg(st));
			status = EX_DB; /* this shard and the next stay */
			break;
		}
		copied += m.copied;
		if (m.copied && m.last_id)
			ids[nids++] = m.last_id;
		store_remove_files(shard);
	}
	if (!lo->quiet && status != EX_DB) {
		printf("%d workers, %llu shards merged into %s\n", n,
		       (unsigned long long)copied, db);
		fflush(stdout);
		int rc = reportq_print(st, 0, 10, 0, 0);
		if (rc != EX_OK && status == EX_OK)
			status = rc;
	}
	store_close(st);
	/* Each worker's capture, merged, to the dataset (as root when
	 * started as root: the workers gave it up, the parent did not). */
	for (int k = 0; lo->parquet && k < nids; k++)
		if (ds_export_capture("live", lo->iface, db, lo->parquet,
					 lo->sensor, ids[k]) != 0 &&
		    status == EX_OK)
			status = EX_FAIL;
	return status;
}

/* ---- --parquet without --fanout ---------------------------------------- */

/* The capture of live_one() in a child (which gives up root), then, in
 * this process, its capture to the dataset. SIGINT and SIGTERM are passed
 * on to the child, as --fanout does to its workers. */
static int live_forked(const struct lopts *lo, const char *db)
{
	int idp[2];
	if (pipe(idp) != 0) {
		fprintf(stderr, "tcpscope live: pipe: %s\n", strerror(errno));
		return EX_FAIL;
	}
	parent_signals();
	pid_t pid = fork();
	if (pid == 0) {
		struct lopts cl = *lo;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(idp[0]);
		cl.id_fd = idp[1];
		_exit(live_one(&cl, db, -1, -1, -1));
	}
	close(idp[1]);
	if (pid < 0) {
		fprintf(stderr, "tcpscope live: fork: %s\n", strerror(errno));
		close(idp[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		return EX_FAIL;
	}
	int ws = 0, forwarded = 0;
	for (;;) {
		pid_t p = waitpid(pid, &ws, 0);
		if (p == pid)
			break;
		if (p < 0 && errno != EINTR) {
			ws = 0x100 * EX_FAIL;
			break;
		}
		if (fan_stop && !forwarded) {
			kill(pid, SIGTERM);
			forwarded = 1;
		}
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : EX_FAIL;
	int64_t id = 0;
	ssize_t n;
	do
		n = read(idp[0], &id, sizeof id);
	while (n < 0 && errno == EINTR);
	close(idp[0]);
	if (n == (ssize_t)sizeof id && id > 0 && status != EX_DB &&
	    ds_export_capture("live", lo->iface, db, lo->parquet, lo->sensor,
				 id) != 0 &&
	    status == EX_OK)
		status = EX_FAIL;
	return status;
}

int cmd_live(int argc, char **argv)
{
	enum { O_SEGMENTS = 256, O_NO_DROP, O_DURATION, O_FANOUT, O_PARQUET,
	       O_SENSOR };
	static const struct option longopts[] = {
		{ "fanout", required_argument, NULL, O_FANOUT },
		{ "parquet", required_argument, NULL, O_PARQUET },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ "segments", no_argument, NULL, O_SEGMENTS },
		{ "no-drop", no_argument, NULL, O_NO_DROP },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iface = NULL, *out = NULL, *db = NULL, *user = NULL;
	const char *parquet = NULL, *sensor = NULL;
	int no_drop = 0;
	double count = 0, secs = 0, snap = 0;
	int segments = 0, quiet = 0, fanout = 1, ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:w:c:s:G:d:qZ:h", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'i':
			iface = optarg;
			break;
		case 'w':
			out = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'c':
			if (parse_num(optarg, 1e18, &count) < 0 || count < 1)
				goto bad_value;
			break;
		case 's':
			if (parse_num(optarg, 262144, &snap) < 0 || snap < 1)
				goto bad_value;
			break;
		case 'G':
			/* tcpdump's -G rotates its file every SECONDS. */
			fprintf(stderr, "tcpscope live: -G is tcpdump's file"
					" rotation, not done here; to stop after"
					" SECONDS use --duration SECONDS\n");
			return EX_USAGE;
		case O_DURATION:
			if (parse_num(optarg, 1e9, &secs) < 0 || secs == 0)
				goto bad_value;
			break;
		case O_SEGMENTS:
			segments = 1;
			break;
		case O_FANOUT: {
			double f;
			if (parse_num(optarg, 64, &f) < 0 || f < 1 ||
			    f != (int)f)
				goto bad_value;
			fanout = (int)f;
			break;
		}
		case O_PARQUET:
			parquet = optarg;
			break;
		case O_SENSOR:
			if (ds_sensor_arg("live", optarg) < 0)
				return EX_USAGE;
			sensor = optarg;
			break;
		case 'Z':
			user = optarg;
			break;
		case O_NO_DROP:
			no_drop = 1;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default: /* ':' and unknown options */
			return out_bad_option("live", ch, argv);
		}
		continue;
bad_value:
		fprintf(stderr, "tcpscope live: bad value '%s' for -%c\n", optarg,
			ch);
		return EX_USAGE;
	}
	if (user && no_drop) {
		fprintf(stderr, "tcpscope live: -Z and --no-drop exclude each"
				" other\n");
		return EX_USAGE;
	}
	if (!iface) {
		fprintf(stderr, "tcpscope live: -i IFACE is required (try --help)\n");
		return EX_USAGE;
	}
	if (fanout > 1 && (out || count)) {
		fprintf(stderr, "tcpscope live: --fanout takes neither -w nor -c"
				" (each worker sees part of the packets; stop"
				" with --duration or a signal)\n");
		return EX_USAGE;
	}
	char *expr = cap_filter_words(argv + optind, argc - optind);
	if (optind < argc && !expr) {
		fprintf(stderr, "tcpscope live: out of memory\n");
		return EX_FAIL;
	}
	struct lopts lo = { .iface = iface, .out = out, .user = user,
			    .expr = expr, .count = count, .secs = secs,
			    .snap = snap, .segments = segments,
			    .quiet = quiet, .no_drop = no_drop,
			    .parquet = parquet, .sensor = sensor,
			    .id_fd = -1 };
	if (!db)
		db = store_default_path();
	int status = fanout > 1 ? live_fanout(&lo, db, fanout)
		     : parquet	    ? live_forked(&lo, db)
				    : live_one(&lo, db, -1, -1, -1);
	free(expr);
	if (fflush(stdout) != 0 && status == EX_OK)
		status = EX_FAIL;
	return status;
}
