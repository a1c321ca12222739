/*
 * cmd_live.c - `tcpscope live`: capture from an interface into the
 * database, optionally writing the packets to a pcap file as well.
 *
 *   tcpscope live -i IFACE [-w OUT.pcap] [-c COUNT] [-s SNAPLEN]
 *                 [--duration SECONDS] [-d DB] [--segments] [-q] [EXPR]
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
#include <time.h>
#include <unistd.h>

#include "../capture/capture.h"
#include "../cmd.h"
#include "../output/summary.h"
#include "../capture/decode.h"
#include "../ingest/ingest.h"
#include "../output/out.h"
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
		"                     [-Z USER | --no-drop] [EXPR]\n"
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
		"  --no-drop    stay root while capturing\n");
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

int cmd_live(int argc, char **argv)
{
	enum { O_SEGMENTS = 256, O_NO_DROP, O_DURATION };
	static const struct option longopts[] = {
		{ "segments", no_argument, NULL, O_SEGMENTS },
		{ "no-drop", no_argument, NULL, O_NO_DROP },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *iface = NULL, *out = NULL, *db = NULL, *user = NULL;
	int no_drop = 0;
	double count = 0, secs = 0, snap = 0;
	int segments = 0, quiet = 0, ch;
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
	char *expr = NULL;
	if (optind < argc) {
		size_t len = 1;
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		expr = calloc(1, len);
		if (!expr) {
			fprintf(stderr, "tcpscope live: out of memory\n");
			return EX_FAIL;
		}
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(expr, " ");
			strcat(expr, argv[i]);
		}
	}

	int status = EX_OK;
	char err[512];
	struct store *st = NULL;
	struct cap *c = cap_open_live(iface, (int)snap, err, sizeof err);
	if (!c) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, err);
		free(expr);
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
	if (expr && cap_set_filter(c, expr, err, sizeof err) < 0) {
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
	if (!db)
		db = store_default_path();
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
	struct store_capture sc = { .path = iface, .size = -1, .live = 1 };
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
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);

	rc = ing_end(&in, c, damage[0] ? damage : NULL);
	if (rc == ING_EDB) {
		fprintf(stderr, "tcpscope live: %s: %s\n", iface, r.error);
		status = EX_DB;
		goto done;
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
	free(expr);
	if (fflush(stdout) != 0 && status == EX_OK)
		status = EX_FAIL;
	return status;
}
