/*
 * cmd_merge.c - `tcpscope merge OUT.db SHARD.db...`: copies the captures
 * of databases made apart (other machines, sensors, parallel imports) into
 * one, with global ids (store_merge() in store.c: one transaction per
 * shard, every table, a capture already there by hash skipped).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../cmd.h"
#include "../output/out.h"
#include "../store/store.h"

static const char merge_usage[] =
	"usage: tcpscope merge [-q] OUT.db SHARD.db...\n"
	"\n"
	"Copy every complete capture of each SHARD database, with all its\n"
	"connections, labels and segments, into OUT (created when missing),\n"
	"with new capture and connection ids. Each shard is copied in one\n"
	"transaction; a capture OUT already has (same SHA-256) is skipped.\n"
	"Shards are only read; they must have this tcpscope's schema version.\n"
	"\n"
	"  -q, --quiet   print nothing but errors\n"
	"  -h, --help    show this help\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int quiet = 0, opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(merge_usage, stdout);
			return EX_OK;
		default:
			return out_bad_option("merge", opt, argv);
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "tcpscope merge: %s (try --help)\n",
			optind == argc ? "no OUT database and no SHARD given"
				       : "no SHARD database given");
		return EX_USAGE;
	}
	const char *out = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		if (strcmp(argv[i], out) == 0) {
			char e[512];
			fprintf(stderr, "tcpscope merge: %s: is OUT itself\n",
				out_esc(out, e, sizeof e));
			return EX_USAGE;
		}
	char err[1024];
	struct store *st;
	/* A new OUT that gets nothing because a shard fails is removed:
	 * no empty database is left by a failed first open. */
	struct stat sb;
	int made = stat(out, &sb) != 0 && errno == ENOENT;
	if (store_open(out, STORE_CREATE, &st, err, sizeof err) != 0) {
		out_errline("tcpscope merge", err);
		return EX_DB;
	}
	int status = EX_OK;
	uint64_t copied = 0, skipped = 0;
	for (int i = optind + 1; i < argc; i++) {
		struct store_merge_result res;
		char e[1024];
		if (store_merge(st, argv[i], 0, &res) != 0) {
			out_errline("tcpscope merge", store_errmsg(st));
			status = EX_DB;
			break;
		}
		copied += res.copied;
		skipped += res.skipped;
		if (!quiet)
			printf("%s: %llu captures copied, %llu already there\n",
			       out_esc(argv[i], e, sizeof e),
			       (unsigned long long)res.copied,
			       (unsigned long long)res.skipped);
	}
	if (!quiet && status == EX_OK) {
		char e[1024];
		printf("%s: %llu captures copied from %d shards (%llu skipped)\n",
		       out_esc(out, e, sizeof e), (unsigned long long)copied,
		       argc - optind - 1, (unsigned long long)skipped);
	}
	store_close(st);
	if (made && status != EX_OK && copied == 0)
		store_remove_files(out);
	return status;
}
