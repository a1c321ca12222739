/*
 * cmd_extract.c - `tcpscope extract`: write one connection's packets to a
 * new pcap file, read back from the capture it was imported from.
 *
 * The database keeps the packets' numbers, not the packets: the original
 * file (captures.path) is read again through capture.c. When the capture
 * was imported with --segments, the segments table lists the exact packet
 * numbers the tracker gave the connection, and exactly those are copied.
 * Otherwise records outside [first_pkt, last_pkt] are skipped, and every
 * record in between is decoded with dec_frame() and kept when its VLAN
 * tags, addresses and ports are the connection's, either way round (no
 * BPF: it would not see through every encapsulation the decoder handles).
 * Kept records are written unchanged with pcap_dump(), with nanosecond
 * timestamps. Reading stops at last_pkt, so damage after the connection's
 * last packet does not matter.
 *
 * The file read must be the one imported: its size, and its SHA-256 when
 * the import computed one, are checked first. A file that moved (or a
 * database used from another directory, the path being as it was given
 * at import) is named with --capture.
 *
 * The output file is created at the first matching packet, so a failure
 * before that leaves nothing behind; a failure after it removes the file.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "cmd.h"
#include "decode.h"
#include "flowsel.h"
#include "out.h"
#include "sha256.h"
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

struct flowkey {
	struct tc_addr addr[2];
	uint16_t port[2];
	char vlan[24];
	int64_t first_pkt, last_pkt;
	char path[4096];
	char sha256[65];  /* of the capture, "" unknown */
	int64_t size;
	int live;
	int64_t *pkts;  /* exact packet numbers, ascending; NULL: match */
	size_t npkts;
};

/* Loads the connection's packet numbers from the segments table, if it
 * has any. Returns 0 (k->pkts may stay NULL) or EX_DB / EX_FAIL. */
static int load_pkts(sqlite3 *db, int64_t id, struct flowkey *k, char *err,
		     size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT pkt FROM segments WHERE conn_id = ? "
				   "ORDER BY pkt", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	sqlite3_bind_int64(st, 1, id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k->npkts == cap) {
			cap = cap ? 2 * cap : 256;
			int64_t *np = realloc(k->pkts, cap * sizeof *np);
			if (!np) {
				sqlite3_finalize(st);
				snprintf(err, errlen, "out of memory");
				return EX_FAIL;
			}
			k->pkts = np;
		}
		k->pkts[k->npkts++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	return 0;
}

static int text_addr(const unsigned char *s, struct tc_addr *a)
{
	memset(a, 0, sizeof *a);
	if (!s)
		return -1;
	if (inet_pton(AF_INET, (const char *)s, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, (const char *)s, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

static int load_key(sqlite3 *db, int64_t id, struct flowkey *k, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT c.client_ip, c.client_port, c.server_ip, "
				   "c.server_port, c.vlan, c.first_pkt, c.last_pkt, "
				   "k.path, k.size, k.live, k.sha256 FROM connections c JOIN "
				   "captures k ON k.id = c.capture_id WHERE c.id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s", rc == SQLITE_DONE ?
			 "flow has no capture" : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? EX_NOTFOUND : EX_DB;
	}
	memset(k, 0, sizeof *k);
	int bad = text_addr(sqlite3_column_text(st, 0), &k->addr[0]) ||
		  text_addr(sqlite3_column_text(st, 2), &k->addr[1]);
	k->port[0] = (uint16_t)sqlite3_column_int(st, 1);
	k->port[1] = (uint16_t)sqlite3_column_int(st, 3);
	const unsigned char *v = sqlite3_column_text(st, 4);
	snprintf(k->vlan, sizeof k->vlan, "%s", v ? (const char *)v : "");
	k->first_pkt = sqlite3_column_int64(st, 5);
	k->last_pkt = sqlite3_column_int64(st, 6);
	v = sqlite3_column_text(st, 7);
	snprintf(k->path, sizeof k->path, "%s", v ? (const char *)v : "");
	k->size = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 :
		  sqlite3_column_int64(st, 8);
	k->live = sqlite3_column_int(st, 9);
	v = sqlite3_column_text(st, 10);
	snprintf(k->sha256, sizeof k->sha256, "%s", v ? (const char *)v : "");
	sqlite3_finalize(st);
	if (bad) {
		snprintf(err, errlen, "flow %lld has no valid addresses", (long long)id);
		return EX_DB;
	}
	return 0;
}

static int same_addr(const struct tc_addr *a, const struct tc_addr *b)
{
	size_t n = a->family == 4 ? 4 : 16;
	return a->family == b->family && memcmp(a->a, b->a, n) == 0;
}

static int matches(const struct flowkey *k, const struct tc_segment *s)
{
	char v[24];
	if (s->vlan[1])
		snprintf(v, sizeof v, "%u.%u", s->vlan[0], s->vlan[1]);
	else if (s->vlan[0])
		snprintf(v, sizeof v, "%u", s->vlan[0]);
	else
		v[0] = '\0';
	if (strcmp(v, k->vlan) != 0)
		return 0;
	for (int d = 0; d < 2; d++)
		if (same_addr(&s->src, &k->addr[d]) && s->sport == k->port[d] &&
		    same_addr(&s->dst, &k->addr[!d]) && s->dport == k->port[!d])
			return 1;
	return 0;
}

/* Copies the flow's packets; returns 0 and *n, or an EX_ code with err. */
static int copy_packets(const struct flowkey *k, const char *out,
			uint64_t *n, char *err, size_t errlen)
{
	char cerr[512] = "";
	struct cap *c = cap_open_file(k->path, cerr, sizeof cerr);
	if (!c) {
		snprintf(err, errlen, "cannot read capture '%.300s': %.180s", k->path, cerr);
		return EX_INPUT;
	}
	pcap_t *dead = NULL;
	pcap_dumper_t *dump = NULL;
	int dlt = -1, rc = 0, r;
	struct cap_packet p;
	size_t next = 0; /* into k->pkts */
	*n = 0;
	while ((r = cap_next(c, &p)) == 1) {
		int64_t num = (int64_t)p.num;
		if (num < k->first_pkt)
			continue;
		if (num > k->last_pkt)
			break;
		if (k->pkts) {
			while (next < k->npkts && k->pkts[next] < num)
				next++;
			if (next == k->npkts || k->pkts[next] != num)
				continue;
		} else {
			struct tc_segment seg;
			memset(&seg, 0, sizeof seg);
			if (dec_frame(p.linktype, p.data, p.caplen, p.wirelen,
				      &seg) != DEC_TCP ||
			    !matches(k, &seg))
				continue;
		}
		if (!dump) {
			dlt = p.linktype;
			dead = pcap_open_dead_with_tstamp_precision(dlt, 262144,
				PCAP_TSTAMP_PRECISION_NANO);
			if (!dead) {
				snprintf(err, errlen, "out of memory");
				rc = EX_FAIL;
				break;
			}
			dump = pcap_dump_open(dead, out);
			if (!dump) {
				snprintf(err, errlen, "%s", pcap_geterr(dead));
				rc = EX_FAIL;
				break;
			}
		} else if (p.linktype != dlt) {
			/* A pcap file has one link type: keep the first. */
			continue;
		}
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(p.ts_ns / 1000000000);
		h.ts.tv_usec = (suseconds_t)(p.ts_ns % 1000000000);
		h.caplen = p.caplen;
		h.len = p.wirelen;
		pcap_dump((u_char *)dump, &h, p.data);
		(*n)++;
		if (num >= k->last_pkt) {
			r = 0; /* done: what follows may be damaged */
			break;
		}
	}
	if (rc == 0 && r < 0) {
		snprintf(err, errlen, "capture '%.300s': %.180s", k->path, cap_errmsg(c));
		rc = EX_INPUT;
	}
	if (dump) {
		if (pcap_dump_flush(dump) != 0 && rc == 0) {
			snprintf(err, errlen, "write error on '%s'", out);
			rc = EX_FAIL;
		}
		pcap_dump_close(dump);
		if (rc != 0 && strcmp(out, "-") != 0)
			remove(out);
	}
	if (dead)
		pcap_close(dead);
	cap_close(c);
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
	struct flowkey *k = calloc(1, sizeof *k);
	if (!k) {
		store_close(st);
		fprintf(stderr, "tcpscope extract: out of memory\n");
		return EX_FAIL;
	}
	rc = fsel_find_flow(store_db(st), nargs, argv + optind, &id, err, sizeof err);
	if (rc == 0)
		rc = load_key(store_db(st), id, k, err, sizeof err);
	if (rc == 0)
		rc = load_pkts(store_db(st), id, k, err, sizeof err);
	store_close(st);
	if (rc == 0 && (k->live || strcmp(k->path, "-") == 0 || !k->path[0])) {
		snprintf(err, sizeof err, "flow %lld came from %s, which cannot be "
					  "read again", (long long)id,
			 k->live ? "a live capture" : "stdin");
		rc = EX_INPUT;
	}
	/* The file to read, and that it is the capture imported. */
	char stored[sizeof k->path];
	snprintf(stored, sizeof stored, "%s", k->path);
	if (capture)
		snprintf(k->path, sizeof k->path, "%s", capture);
	struct stat sb;
	if (rc == 0 && stat(k->path, &sb) != 0) {
		snprintf(err, sizeof err,
			 capture ? "cannot read '%.300s'"
				 : "capture '%.300s' not found (moved, or imported"
				   " from another directory? name it with"
				   " --capture)",
			 k->path);
		rc = EX_INPUT;
	}
	char hex[65];
	if (rc == 0 && ((k->size >= 0 && (int64_t)sb.st_size != k->size) ||
			(k->sha256[0] && (sha256_file(k->path, hex) != 0 ||
					  strcmp(hex, k->sha256) != 0)))) {
		snprintf(err, sizeof err,
			 "'%.150s' is not the capture flow %lld was imported"
			 " from ('%.150s': its %s differs)%s",
			 k->path, (long long)id, stored,
			 k->size >= 0 && (int64_t)sb.st_size != k->size
			     ? "size" : "SHA-256",
			 capture ? "" : "; name that capture with --capture");
		rc = EX_INPUT;
	}
	uint64_t n = 0;
	if (rc == 0)
		rc = copy_packets(k, out, &n, err, sizeof err);
	if (rc == 0 && n == 0) {
		snprintf(err, sizeof err, "no packet of flow %lld found in '%.400s'",
			 (long long)id, k->path);
		rc = EX_FAIL;
	}
	free(k->pkts);
	free(k);
	if (rc != 0) {
		fprintf(stderr, "tcpscope extract: %s\n", err);
		return rc;
	}
	if (strcmp(out, "-") != 0)
		fprintf(stderr, "tcpscope extract: %llu packets of flow %lld written "
				"to %s\n", (unsigned long long)n, (long long)id, out);
	return EX_OK;
}
