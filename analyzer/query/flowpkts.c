/*
 * flowpkts.c - one connection's packets, read again from its capture (see
 * flowpkts.h).
 */
#include "flowpkts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../status.h"
#include "../capture/decode.h"
#include "../capture/digest.h"
#include "../capture/series.h"

/* The packet numbers of the connection's stored segments, if any. */
static int load_pkts(sqlite3 *db, struct flowpkts *f, char *err,
		     size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT pkt FROM segments WHERE conn_id = ? "
			       "ORDER BY pkt",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	sqlite3_bind_int64(st, 1, f->id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (f->npkts == cap) {
			cap = cap ? 2 * cap : 256;
			int64_t *np = realloc(f->pkts, cap * sizeof *np);
			if (!np) {
				sqlite3_finalize(st);
				snprintf(err, errlen, "out of memory");
				return EX_FAIL;
			}
			f->pkts = np;
		}
		f->pkts[f->npkts++] = sqlite3_column_int64(st, 0);
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

static void copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", v ? (const char *)v : "");
}

/* The parts of f's capture when it was read as a series. */
static int load_parts(sqlite3 *db, struct flowpkts *f, char *err,
		      size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT path FROM capture_parts WHERE"
				   " capture_id = ? ORDER BY part", -1, &st,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	sqlite3_bind_int64(st, 1, f->capture_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(st, 0);
		char **np = realloc(f->parts, (size_t)(f->nparts + 1) *
						      sizeof *np);
		if (!np || !p || !(np[f->nparts] = strdup((const char *)p))) {
			if (np)
				f->parts = np;
			sqlite3_finalize(st);
			snprintf(err, errlen, "out of memory");
			return EX_FAIL;
		}
		f->parts = np;
		f->nparts++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	return 0;
}

int flowpkts_load(sqlite3 *db, int64_t id, const char *capture, int exact,
		  struct flowpkts *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT c.client_ip, c.client_port, c.server_ip, "
			       "c.server_port, c.vlan, c.first_pkt, c.last_pkt, "
			       "k.path, k.size, k.live, k.sha256, c.capture_id, "
			       "k.file_id, k.seek_index, c.tunnel FROM connections "
			       "c JOIN captures k ON k.id = c.capture_id WHERE "
			       "c.id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return EX_DB;
	}
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s",
			 rc == SQLITE_DONE ? "flow has no capture"
					   : sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? EX_NOTFOUND : EX_DB;
	}
	int bad = text_addr(sqlite3_column_text(st, 0), &f->addr[0]) ||
		  text_addr(sqlite3_column_text(st, 2), &f->addr[1]);
	f->port[0] = (uint16_t)sqlite3_column_int(st, 1);
	f->port[1] = (uint16_t)sqlite3_column_int(st, 3);
	{
		char v[24], t[24];
		copy_text(v, sizeof v, st, 4);
		copy_text(t, sizeof t, st, 14);
		snprintf(f->ident, sizeof f->ident, "%s/%s", v, t);
	}
	f->first_pkt = sqlite3_column_int64(st, 5);
	f->last_pkt = sqlite3_column_int64(st, 6);
	copy_text(f->stored, sizeof f->stored, st, 7);
	f->size = sqlite3_column_type(st, 8) == SQLITE_NULL
		      ? -1
		      : sqlite3_column_int64(st, 8);
	f->live = sqlite3_column_int(st, 9);
	copy_text(f->sha256, sizeof f->sha256, st, 10);
	f->capture_id = sqlite3_column_int64(st, 11);
	copy_text(f->file_id, sizeof f->file_id, st, 12);
	const unsigned char *seek = sqlite3_column_text(st, 13);
	if (seek && !(f->seek = strdup((const char *)seek))) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "out of memory");
		return EX_FAIL;
	}
	sqlite3_finalize(st);
	if (bad) {
		snprintf(err, errlen, "flow %lld has no valid addresses",
			 (long long)id);
		return EX_DB;
	}
	snprintf(f->path, sizeof f->path, "%s", capture ? capture : f->stored);
	int r = load_parts(db, f, err, errlen);
	if (r == 0 && f->parts && capture) {
		snprintf(err, errlen, "flow %lld came from a series of %d parts:"
				      " --capture names one file",
			 (long long)id, f->nparts);
		return EX_USAGE;
	}
	if (r)
		return r;
	return exact ? load_pkts(db, f, err, errlen) : 0;
}

void flowpkts_free(struct flowpkts *f)
{
	free(f->pkts);
	f->pkts = NULL;
	f->npkts = 0;
	free(f->seek);
	f->seek = NULL;
	for (int i = 0; i < f->nparts; i++)
		free(f->parts[i]);
	free(f->parts);
	f->parts = NULL;
	f->nparts = 0;
}

/* flowpkts_check() of a series: every part there, the same sizes in all,
 * the same SHA-256 as one stream. */
static int check_series(const struct flowpkts *f, char *err, size_t errlen)
{
	for (int i = 0; i < f->nparts; i++)
		if (access(f->parts[i], R_OK) != 0) {
			snprintf(err, errlen, "part %d of the capture of flow"
					      " %lld, '%.300s', cannot be read",
				 i + 1, (long long)f->id, f->parts[i]);
			return EX_INPUT;
		}
	char hex[65];
	int64_t size = ser_size(f->parts, f->nparts);
	if ((f->size >= 0 && size != f->size) ||
	    (f->sha256[0] &&
	     (cap_series_sha256(f->parts, f->nparts, hex) != 0 ||
	      strcmp(hex, f->sha256) != 0))) {
		snprintf(err, errlen, "the %d parts from '%.200s' on are not"
				      " the capture flow %lld was imported from"
				      " (their %s differs)",
			 f->nparts, f->parts[0], (long long)f->id,
			 f->size >= 0 && size != f->size ? "size" : "SHA-256");
		return EX_INPUT;
	}
	return 0;
}

int flowpkts_check(const struct flowpkts *f, int named, char *err,
		   size_t errlen)
{
	if (f->live || strcmp(f->stored, "-") == 0 || !f->stored[0]) {
		snprintf(err, errlen,
			 "flow %lld came from %s, which cannot be read again",
			 (long long)f->id, f->live ? "a live capture" : "stdin");
		return EX_INPUT;
	}
	if (f->parts)
		return check_series(f, err, errlen);
	struct stat sb;
	if (stat(f->path, &sb) != 0) {
		snprintf(err, errlen,
			 named ? "cannot read '%.300s'"
			       : "capture '%.300s' not found (moved, or imported"
				 " from another directory? name it with"
				 " --capture)",
			 f->path);
		return EX_INPUT;
	}
	char hex[65], id[sizeof f->file_id];
	int size_differs = f->size >= 0 && (int64_t)sb.st_size != f->size;
	cap_file_identity(f->path, id, sizeof id);
	int unchanged = f->file_id[0] && strcmp(id, f->file_id) == 0;
	if (size_differs ||
	    (f->sha256[0] && !unchanged &&
	     (cap_file_sha256(f->path, hex) != 0 || strcmp(hex, f->sha256) != 0))) {
		snprintf(err, errlen,
			 "'%.150s' is not the capture flow %lld was imported"
			 " from ('%.150s': its %s differs)%s",
			 f->path, (long long)f->id, f->stored,
			 size_differs ? "size" : "SHA-256",
			 named ? "" : "; name that capture with --capture");
		return EX_INPUT;
	}
	return 0;
}

static int same_addr(const struct tc_addr *a, const struct tc_addr *b)
{
	size_t n = a->family == 4 ? 4 : 16;
	return a->family == b->family && memcmp(a->a, b->a, n) == 0;
}

/* A segment's VLAN tags and tunnel as connections.vlan and .tunnel write
 * them, joined by '/' (flowpkts.ident). */
static void ident_text(const struct tc_segment *s, char v[48])
{
	char vl[24] = "", tu[24] = "";
	if (s->vlan[1])
		snprintf(vl, sizeof vl, "%u.%u", s->vlan[0], s->vlan[1]);
	else if (s->vlan[0])
		snprintf(vl, sizeof vl, "%u", s->vlan[0]);
	if (s->tunnel != TC_TUN_NONE)
		snprintf(tu, sizeof tu, "%s:%lu", tc_tunnel_name(s->tunnel),
			 (unsigned long)s->tunnel_id);
	snprintf(v, 48, "%s/%s", vl, tu);
}

/* The direction of s in connection f (0 from the client, 1 from the
 * server), or -1 when s is not one of its packets. */
static int direction(const struct flowpkts *f, const struct tc_segment *s,
		     const char *v)
{
	if (strcmp(v, f->ident) != 0)
		return -1;
	for (int d = 0; d < 2; d++)
		if (same_addr(&s->src, &f->addr[d]) &&
		    s->sport == f->port[d] &&
		    same_addr(&s->dst, &f->addr[!d]) &&
		    s->dport == f->port[!d])
			return d;
	return -1;
}

/* The same for both directions of a connection: its endpoints in a fixed
 * order, and its VLAN text. */
static uint64_t key_hash(const struct tc_addr *a, uint16_t pa,
			 const struct tc_addr *b, uint16_t pb, const char *v)
{
	int swap = memcmp(a->a, b->a, sizeof a->a);
	if (swap > 0 || (swap == 0 && pa > pb)) {
		const struct tc_addr *t = a;
		a = b;
		b = t;
		uint16_t tp = pa;
		pa = pb;
		pb = tp;
	}
	uint64_t h = digest_add(0x9e3779b97f4a7c15ull, a->a, sizeof a->a);
	h = digest_add(h, &pa, sizeof pa);
	h = digest_add(h, b->a, sizeof b->a);
	h = digest_add(h, &pb, sizeof pb);
	return digest_add(h, v, strlen(v));
}

/* Open addressing over the connections' key hashes: slot holds an index
 * into f[] plus one, 0 when empty. */
struct keyindex {
	size_t *slot;
	uint64_t *hash; /* of f[i] */
	size_t mask;
};

static int index_build(struct keyindex *x, const struct flowpkts *f,
		       size_t nf)
{
	size_t cap = 16;
	while (cap < 2 * nf)
		cap *= 2;
	x->mask = cap - 1;
	x->slot = calloc(cap, sizeof *x->slot);
	x->hash = malloc(nf * sizeof *x->hash);
	if (!x->slot || !x->hash)
		return -1;
	for (size_t i = 0; i < nf; i++) {
		uint64_t h = key_hash(&f[i].addr[0], f[i].port[0],
				      &f[i].addr[1], f[i].port[1], f[i].ident);
		x->hash[i] = h;
		size_t k = h & x->mask;
		while (x->slot[k])
			k = (k + 1) & x->mask;
		x->slot[k] = i + 1;
	}
	return 0;
}

/* The direction of packet num, decoded as s, in the connection of f[]
 * it belongs to; -1 when none. */
static int index_find(const struct keyindex *x, const struct flowpkts *f,
		      const struct tc_segment *s, int64_t num)
{
	char v[48];
	ident_text(s, v);
	uint64_t h = key_hash(&s->src, s->sport, &s->dst, s->dport, v);
	for (size_t k = h & x->mask; x->slot[k]; k = (k + 1) & x->mask) {
		size_t i = x->slot[k] - 1;
		int d;
		if (x->hash[i] == h && num >= f[i].first_pkt &&
		    num <= f[i].last_pkt && (d = direction(&f[i], s, v)) >= 0)
			return d;
	}
	return -1;
}

/* The last point of seek ("[[record, offset],...]") at or before record
 * first: *num and *off, or 0 when there is none. */
static int seek_point(const char *seek, int64_t first, int64_t *num,
		      int64_t *off)
{
	int found = 0;
	const char *p = seek;
	while (p && (p = strchr(p, '[')) != NULL) {
		long long n, o;
		int used = 0;
		if (sscanf(p, "[%lld,%lld]%n", &n, &o, &used) == 2 && used > 0) {
			if (n > first)
				break;
			if (n >= 1 && o >= 0) {
				*num = n;
				*off = o;
				found = 1;
			}
			p += used;
		} else {
			p++;
		}
	}
	return found;
}

int flowpkts_each(const struct flowpkts *f, size_t nf,
		  int (*fn)(void *arg, const struct cap_packet *p,
			    const struct tc_segment *seg, int dir),
		  void *arg, uint64_t *n, char *err, size_t errlen)
{
	char cerr[512] = "";
	*n = 0;
	int64_t first = f[0].first_pkt, last = f[0].last_pkt;
	for (size_t i = 1; i < nf; i++) {
		if (f[i].first_pkt < first)
			first = f[i].first_pkt;
		if (f[i].last_pkt > last)
			last = f[i].last_pkt;
	}
	const int64_t *pkts = nf == 1 ? f->pkts : NULL;
	struct keyindex x = {NULL, NULL, 0};
	if (!pkts && index_build(&x, f, nf) != 0) {
		free(x.slot);
		free(x.hash);
		snprintf(err, errlen, "out of memory");
		return EX_FAIL;
	}
	struct cap *c = f->parts ? cap_open_series(f->parts, f->nparts, 0, cerr,
						   sizeof cerr)
				 : cap_open_file(f->path, cerr, sizeof cerr);
	if (!c) {
		free(x.slot);
		free(x.hash);
		snprintf(err, errlen, "cannot read capture '%.300s': %.180s",
			 f->path, cerr);
		return EX_INPUT;
	}
	if (f->filter && *f->filter &&
	    cap_set_filter(c, f->filter, cerr, sizeof cerr) != 0) {
		cap_close(c);
		free(x.slot);
		free(x.hash);
		snprintf(err, errlen, "bad filter expression '%.300s': %.180s",
			 f->filter, cerr);
		return EX_USAGE;
	}
	/* Start at the seek point before the first packet wanted; when the
	 * seek fails the reading simply starts at the beginning. */
	int64_t snum, soff;
	int64_t want = pkts && f->npkts ? pkts[0] : first;
	if (seek_point(f->seek, want, &snum, &soff))
		(void)cap_seek(c, soff, (uint64_t)snum);
	int rc = 0, r;
	struct cap_packet p;
	size_t next = 0; /* into pkts */
	while ((r = cap_next(c, &p)) == 1) {
		int64_t num = (int64_t)p.num;
		if (num < first)
			continue;
		if (num > last)
			break;
		struct tc_segment seg;
		memset(&seg, 0, sizeof seg);
		int tcp = dec_frame(p.linktype, p.data, p.caplen, p.wirelen,
				    &seg) == DEC_TCP;
		int dir;
		if (pkts) {
			while (next < f->npkts && pkts[next] < num)
				next++;
			if (next == f->npkts || pkts[next] != num)
				continue;
			char v[48];
			ident_text(&seg, v);
			dir = tcp ? direction(f, &seg, v) : -1;
		} else if (!tcp || (dir = index_find(&x, f, &seg, num)) < 0) {
			continue;
		}
		seg.pkt = p.num;
		seg.ts_ns = p.ts_ns;
		(*n)++;
		if ((rc = fn(arg, &p, tcp ? &seg : NULL, dir)) != 0)
			break;
		if (num >= last) {
			r = 0; /* done: what follows may be damaged */
			break;
		}
	}
	if (rc == 0 && r < 0) {
		snprintf(err, errlen, "capture '%.300s': %.180s", f->path,
			 cap_errmsg(c));
		rc = EX_INPUT;
	}
	cap_close(c);
	free(x.slot);
	free(x.hash);
	return rc;
}
