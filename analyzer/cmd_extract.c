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

#include "cmd.h"
#include "flowpkts.h"
#include "flowsel.h"
#include "out.h"
#include "store.h"

static const char extract_usage[] =
	"usage: tcpscope extract [-n] [-d DB] [--capture PCAP] -w FILE FLOW\n"
	"\n"
	"Write the packets of one connection to a pcap file, read back from the\n"
	"capture it was imported from. FLOW is a connection id, a uid or a pair\n"
	"'CLIENT-IP:PORT SERVER-IP:PORT' (IPv6 as [addr]:port).\n"
	"\n"
	"  -d, --db DB          database to read (default $TCPSCOPE_DB or tcpscope.db)\n"
	"  -w, --write FILE     the pcap file to write ('-' for stdout)\n"
	"  -c, --capture PCAP   read the packets from PCAP, the capture the flow\n"
	"                       was imported from (moved, or its path relative to\n"
	"                       another directory); checked by size and SHA-256\n"
	"  -n                   accepted for tcpdump habits; names are never resolved\n"
	"  -h, --help           show this help\n";

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
		       const struct tc_segment *seg)
{
	struct dumpout *d = arg;
	(void)seg;
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

/* Copies the flow's packets; returns 0 and *n, or an EX_ code with err. */
static int copy_packets(const struct flowpkts *f, const char *out,
			uint64_t *n, char *err, size_t errlen)
{
	struct dumpout d = {.out = out, .dlt = -1, .err = err,
			    .errlen = errlen};
	int rc = flowpkts_each(f, dump_packet, &d, n, err, errlen);
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

int cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "write", required_argument, NULL, 'w' },
		{ "capture", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbpath = NULL, *out = NULL, *capture = NULL;
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":d:w:c:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': capture = optarg; break;
		case 'd': dbpath = optarg; break;
		case 'w': out = optarg; break;
		case 'n': break;
		case 'h': fputs(extract_usage, stdout); return EX_OK;
		default: /* ':' and unknown options */
			return out_bad_option("extract", opt, argv);
		}
	}
	int nargs = argc - optind;
	if (!out || nargs < 1 || nargs > 2) {
		fprintf(stderr, "tcpscope extract: %s (try --help)\n",
			!out ? "-w FILE is required" : nargs < 1 ? "which FLOW?" :
			"too many arguments");
		return EX_USAGE;
	}
	struct store *st;
	char err[512];
	int rc = fsel_open_db(dbpath, &st, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "tcpscope extract: %s\n", err);
		return rc;
	}
	int64_t id;
	struct flowpkts *f = calloc(1, sizeof *f);
	if (!f) {
		store_close(st);
		fprintf(stderr, "tcpscope extract: out of memory\n");
		return EX_FAIL;
	}
	rc = fsel_find_flow(store_db(st), nargs, argv + optind, &id, err, sizeof err);
	if (rc == 0)
		rc = flowpkts_load(store_db(st), id, capture, f, err,
				   sizeof err);
	store_close(st);
	if (rc == 0)
		rc = flowpkts_check(f, capture != NULL, err, sizeof err);
	uint64_t n = 0;
	if (rc == 0)
		rc = copy_packets(f, out, &n, err, sizeof err);
	if (rc == 0 && n == 0) {
		snprintf(err, sizeof err, "no packet of flow %lld found in '%.400s'",
			 (long long)id, f->path);
		rc = EX_FAIL;
	}
	flowpkts_free(f);
	free(f);
	if (rc != 0) {
		fprintf(stderr, "tcpscope extract: %s\n", err);
		return rc;
	}
	if (strcmp(out, "-") != 0)
		fprintf(stderr, "tcpscope extract: %llu packets of flow %lld written "
				"to %s\n", (unsigned long long)n, (long long)id, out);
	return EX_OK;
}
