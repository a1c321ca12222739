/*
 * cmd_extract.c - `tcpscope extract`: write one connection's packets to a
 * new pcap file, read back from the capture it was imported from.
 *
 * Which packets, and the checks that the file read is the capture
 * imported, are flowpkts.c's.
 *
 * The output file is created at the first matching packet, so a failure
 * before that leaves nothing behind; a failure after it removes the file.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cmd.h"
#include "../query/flowpkts.h"
#include "../query/flowsel.h"
#include "../output/out.h"
#include "../store/store.h"

static const char extract_usage[] =
	"usage: tcpscope extract [-n] [-d DB] [--capture PCAP] -w FILE FLOW...\n"
	"       tcpscope extract [-n] [-d DB] [--capture PCAP] -w FILE FILTER...\n"
	"\n"
	"Write the packets of connections to a pcap file, read back from the\n"
	"capture they were imported from (one capture per file written). FLOW is\n"
	"a connection id or uid (several may be given), or one pair\n"
	"'CLIENT-IP:PORT SERVER-IP:PORT' (IPv6 as [addr]:port). FILTER options\n"
	"pick the connections as 'tcpscope flows' does.\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db)\n"
	"  -w, --write FILE     the pcap file to write ('-' for stdout)\n"
	"      --capture PCAP   read the packets from PCAP, the capture the flows\n"
	"                       were imported from (moved, or its path relative to\n"
	"                       another directory); checked by size and SHA-256\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -h, --help           show this help\n"
	"\n"
	"Filters (combine with AND; see tcpscope-flows(1)): --host, --port, --net,\n"
	"--client, --server, --close, --conn-state, --state, --handshake, --label,\n"
	"--min-duration, --min-bytes, --since, --until, and --capture-id ID (the\n"
	"capture's id; flows' --capture).\n";

/* The pcap file being written: created at the first packet, so that a
 * failure before leaves nothing behind. */
struct dumpout {
	const char *out;
	pcap_t *dead;
	pcap_dumper_t *dump;
	int dlt;
	char *err;
	size_t errlen;
};

static int dump_packet(void *arg, const struct cap_packet *p,
		       const struct tc_segment *seg, int dir)
{
	struct dumpout *d = arg;
	(void)seg;
	(void)dir;
	if (!d->dump) {
		d->dlt = p->linktype;
		d->dead = pcap_open_dead_with_tstamp_precision(
		    d->dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
		if (!d->dead) {
			snprintf(d->err, d->errlen, "out of memory");
			return EX_FAIL;
		}
		d->dump = pcap_dump_open(d->dead, d->out);
		if (!d->dump) {
			snprintf(d->err, d->errlen, "%s", pcap_geterr(d->dead));
			return EX_FAIL;
		}
	} else if (p->linktype != d->dlt) {
		return 0; /* a pcap file has one link type: keep the first */
	}
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)(p->ts_ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(p->ts_ns % 1000000000);
	h.caplen = p->caplen;
	h.len = p->wirelen;
	pcap_dump((u_char *)d->dump, &h, p->data);
	return 0;
}

/* Copies the flows' packets; returns 0 and *n, or an EX_ code with err. */
static int copy_packets(const struct flowpkts *f, size_t nf, const char *out,
			uint64_t *n, char *err, size_t errlen)
{
	struct dumpout d = {.out = out, .dlt = -1, .err = err,
			    .errlen = errlen};
	int rc = flowpkts_each(f, nf, dump_packet, &d, n, err, errlen);
	if (d.dump) {
		if (pcap_dump_flush(d.dump) != 0 && rc == 0) {
			snprintf(err, errlen, "write error on '%s'", out);
			rc = EX_FAIL;
		}
		pcap_dump_close(d.dump);
		if (rc != 0 && strcmp(out, "-") != 0)
			remove(out);
	}
	if (d.dead)
		pcap_close(d.dead);
	return rc;
}

/* The ids of the flows the arguments name: with filters, every
 * connection they select; else each argument an id or uid, or the
 * arguments one pair. Returns 0 with *ids (malloc'd) and *n, or an EX_
 * code with err. */
static int pick_flows(sqlite3 *db, const struct fsel *fs, int filtered,
		      int nargs, char *const *args, int64_t **ids, size_t *n,
		      char *err, size_t errlen)
{
	*ids = NULL;
	*n = 0;
	if (!filtered) {
		int each = 1;
		for (int i = 0; i < nargs; i++)
			each &= !strchr(args[i], ':') && !strchr(args[i], ' ');
		if (!each && nargs > 2) {
			snprintf(err, errlen, "too many arguments for one pair");
			return EX_USAGE;
		}
		size_t want = each && nargs > 0 ? (size_t)nargs : 1;
		if (!(*ids = calloc(want, sizeof **ids))) {
			snprintf(err, errlen, "out of memory");
			return EX_FAIL;
		}
		for (size_t i = 0; i < want; i++) {
			int rc = fsel_find_flow(db, each ? 1 : nargs,
						args + (each ? i : 0), &(*ids)[i],
						err, errlen);
			if (rc)
				return rc;
		}
		*n = want;
		return 0;
	}
	return fsel_ids(db, fs, ids, n, err, errlen);
}

int cmd_extract(int argc, char **argv)
{
	enum { OPT_FILTER = 1000, OPT_CAPTURE_ID };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "write", required_argument, NULL, 'w' },
		{ "capture", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		FSEL_FILTER_LONGOPTS(OPT_FILTER),
		{ "capture-id", required_argument, NULL, OPT_CAPTURE_ID },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *out = NULL, *capture = NULL;
	struct fsel fs;
	int opt, li, filtered = 0;
	char err[1024];
	fsel_init(&fs);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":d:w:nh", opts, &li)) != -1) {
		switch (opt) {
		case 'C': capture = optarg; break;
		case 'd': dbpath = optarg; break;
		case 'w': out = optarg; break;
		case 'n': break;
		case 'h': fputs(extract_usage, stdout); return EX_OK;
		case OPT_FILTER:
		case OPT_CAPTURE_ID:
			if (fsel_add(&fs, opt == OPT_FILTER ? opts[li].name
							    : "capture",
				     optarg, err, sizeof err) != 0) {
				out_errline("tcpscope extract", err);
				return EX_USAGE;
			}
			filtered = 1;
			break;
		default: /* ':' and unknown options */
			return out_bad_option("extract", opt, argv);
		}
	}
	int nargs = argc - optind;
	if (!out || (!filtered && nargs < 1) || (filtered && nargs > 0)) {
		fprintf(stderr, "tcpscope extract: %s (try --help)\n",
			!out ? "-w FILE is required"
			: filtered ? "give flows or filters, not both"
				   : "which FLOW?");
		return EX_USAGE;
	}
	struct store *st;
	int rc = fsel_open_db(dbpath, &st, err, sizeof err);
	if (rc != 0) {
		out_errline("tcpscope extract", err);
		return rc;
	}
	int64_t *ids = NULL;
	size_t nids = 0, nf = 0;
	struct flowpkts *f = NULL;
	rc = pick_flows(store_db(st), &fs, filtered, nargs, argv + optind,
			&ids, &nids, err, sizeof err);
	if (rc == 0 && !(f = calloc(nids, sizeof *f))) {
		snprintf(err, sizeof err, "out of memory");
		rc = EX_FAIL;
	}
	for (; rc == 0 && nf < nids; nf++) {
		/* One flow: exactly its stored packets, if any. */
		rc = flowpkts_load(store_db(st), ids[nf], capture, nids == 1,
				   &f[nf], err, sizeof err);
		if (rc == 0 && f[nf].capture_id != f[0].capture_id) {
			snprintf(err, sizeof err,
				 "flows %lld and %lld come from different"
				 " captures (%lld and %lld): one file is written"
				 " from one capture (--capture-id ID)",
				 (long long)f[0].id, (long long)f[nf].id,
				 (long long)f[0].capture_id,
				 (long long)f[nf].capture_id);
			rc = EX_USAGE;
		}
	}
	store_close(st);
	if (rc == 0)
		rc = flowpkts_check(&f[0], capture != NULL, err, sizeof err);
	uint64_t n = 0;
	if (rc == 0)
		rc = copy_packets(f, nids, out, &n, err, sizeof err);
	if (rc == 0 && n == 0) {
		if (nids == 1)
			snprintf(err, sizeof err,
				 "no packet of flow %lld found in '%.400s'",
				 (long long)ids[0], f[0].path);
		else
			snprintf(err, sizeof err,
				 "no packet of the %zu flows found in '%.400s'",
				 nids, f[0].path);
		rc = EX_FAIL;
	}
	for (size_t i = 0; i < nf; i++)
		flowpkts_free(&f[i]);
	free(f);
	if (rc == 0 && strcmp(out, "-") != 0) {
		if (nids == 1)
			fprintf(stderr, "tcpscope extract: %llu packets of flow"
					" %lld written to %s\n",
				(unsigned long long)n, (long long)ids[0], out);
		else
			fprintf(stderr, "tcpscope extract: %llu packets of %zu"
					" flows written to %s\n",
				(unsigned long long)n, nids, out);
	}
	free(ids);
	if (rc != 0) {
		out_errline("tcpscope extract", err);
		return rc;
	}
	return EX_OK;
}
