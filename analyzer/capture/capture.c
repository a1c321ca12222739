/*
 * capture.c - one interface over three packet sources.
 *
 *   cap_open_file(path) --+-- pcapng with mixed link types --> pcapng.c
 *                         +-- anything else, and stdin -----> libpcap
 *                         +-- gzip/zstd/xz (file or stdin) --> decompress.c
 *                               -> its stream, as stdin is read
 *   cap_open_live(iface) ----------------------------------> libpcap
 *
 * The choice for a file is made before reading: png_scan_linktypes()
 * walks the block headers (cheap: one seek per block) and only a file with
 * more than one distinct interface link type goes to our reader. stdin
 * cannot be walked twice, so a pcapng stream on stdin always goes to our
 * reader (its interfaces may turn out mixed at any point), a pcap stream
 * to libpcap.
 *
 * Filters on files are applied here with pcap_offline_filter() rather than
 * pcap_setfilter(), so that cap_packet.num stays the record number of the
 * file (what Wireshark and `tcpscope extract` call the frame number) and
 * rejected records can be counted. A live capture filters in the kernel.
 *
 * A compressed file or stream (told by its first bytes, decompress.h) is
 * read as a stream of its uncompressed bytes, like stdin (open_stream()):
 * it cannot be walked for its link types first. Its hash is computed by
 * the decompressor as it produces the bytes, on the reading thread (the
 * decompression costs far more), and is that of the uncompressed capture.
 *
 * Timestamps: libpcap is asked for nanosecond precision everywhere; a live
 * device that cannot give it falls back to microseconds, and cap_next()
 * scales accordingly.
 *
 * Hashing (cap_open_file_hashed()): we open the file ourselves, fstat()
 * it, and hand the reader (libpcap or pcapng.c) a plain stdio stream on
 * that descriptor, read as an unhashed open reads. A sha256_job (sha256.c)
 * hashes the same file meanwhile on a thread of its own, through a
 * descriptor of its own, up to the size of our fstat(); cap_sha256() waits
 * for it. Hashing on the reading thread (as this file once did, through a
 * fopencookie() stream) cost that thread about a tenth of its CPU time:
 * SHA-256, and stdio's slower copy loop for cookie streams. The job fails
 * rather than give the hash of a file that changed while we parsed it
 * (see sha256.h).
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "pcapng.h"
#include "series.h"
#include "sha256.h"
#include "tsns.h"

#define CAP_MAX_TYPES 16
#define CAP_DEFAULT_SNAPLEN 262144

struct cap_prog {
	int dlt;
	struct bpf_program prog;
};

struct cap {
	pcap_t *p;            /* libpcap file or live handle, or NULL */
	struct png *png;      /* or our pcapng reader */
	int live;
	int fd;               /* live: pcap_get_selectable_fd() */
	int nano;             /* p delivers ns in tv_usec */
	int64_t size;
	uint64_t num;
	int types[CAP_MAX_TYPES];
	int ntypes;
	int snaplen;
	char *filter;         /* expression, for per-type compiles (png) */
	struct cap_prog progs[CAP_MAX_TYPES];
	int nprogs;
	pcap_dumper_t *dump;
	struct sha256_job *hash; /* cap_open_file_hashed(), regular file */
	struct dz *dz;        /* a compressed capture's decompressor; owned
			       * by the reader's stream (closed with it) */
	int dz_hashed;        /* dz hashes what it produces */
	struct ser *ser;      /* a series' stream (series.h), owned by the
			       * reader's stream as dz is */
	int ser_hashed;
	struct cap_stats st;
	char err[PCAP_ERRBUF_SIZE + 128];
};

/* The descriptor the hashing job reads: a second open() of path, so that
 * the job's sequential reads have readahead state of their own, not that
 * of the reader's file description; a dup() of fd when path no longer
 * names the file of fd (renamed since, removed). -1 with errno. */
static int hash_fd(const char *path, int fd, const struct stat *sb)
{
	int h = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (h >= 0) {
		struct stat hs;
		if (fstat(h, &hs) == 0 && hs.st_dev == sb->st_dev &&
		    hs.st_ino == sb->st_ino)
			return h;
		close(h);
	}
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

/* Opens path for a hashed read: *fp gets the stream for the reader
 * (libpcap or pcapng.c), c->hash the job hashing the file meanwhile.
 * Returns 1, 0 when path is not a regular file after all (nothing done:
 * read it unhashed), -1 with a message in err. The stream is closed by its
 * reader (pcap_close(), png_close()), or here with fclose() when no reader
 * took it; the job by cap_close(). */
static int hash_open(struct cap *c, const char *path, FILE **fp, char *err,
		     size_t errlen)
{
	/* O_NONBLOCK: should path have become a FIFO since stat(), do not
	 * wait for a writer here. No effect on a regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		c->size = -1;
		return 0;
	}
	int h = hash_fd(path, fd, &sb);
	FILE *f = h >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (h >= 0)
			close(h);
		close(fd);
		return -1;
	}
	c->hash = sha256_job_start(h, &sb); /* owns h */
	if (!c->hash) {
		snprintf(err, errlen, "out of memory");
		fclose(f);
		return -1;
	}
	c->size = (int64_t)sb.st_size;
	*fp = f;
	return 1;
}

/* pcapng stores LINKTYPE_ values; libpcap's API (and the decoder's switch)
 * speaks DLT_. They differ for few types; the one we meet is raw IP. */
static int linktype_to_dlt(int lt)
{
	if (lt == 101) /* LINKTYPE_RAW */
		return DLT_RAW;
	return lt;
}

/* libpcap prefixes some messages with the path; we print it ourselves. */
static void copy_err(char *dst, size_t len, const char *path, const char *msg)
{
	size_t pl = path ? strlen(path) : 0;
	if (pl && strncmp(msg, path, pl) == 0 && msg[pl] == ':' &&
	    msg[pl + 1] == ' ')
		msg += pl + 2;
	snprintf(dst, len, "%s", msg);
}

static void add_type(struct cap *c, int dlt)
{
	for (int i = 0; i < c->ntypes; i++)
		if (c->types[i] == dlt)
			return;
	if (c->ntypes < CAP_MAX_TYPES)
		c->types[c->ntypes++] = dlt;
}

/* Finishes opening a capture read by our own pcapng reader: its link
 * types (pcapng LINKTYPE_ values) and nanosecond timestamps. */
static struct cap *png_opened(struct cap *c, const int *types, int n)
{
	for (int i = 0; i < n; i++)
		add_type(c, linktype_to_dlt(types[i]));
	c->nano = 1;
	return c;
}

/* Why the stream under the reader failed (a series' part, a
 * decompressor), or NULL when it has not. */
static const char *stream_err(const struct cap *c)
{
	if (c->ser && ser_errmsg(c->ser)[0])
		return ser_errmsg(c->ser);
	if (c->dz && dz_errmsg(c->dz)[0])
		return dz_errmsg(c->dz);
	return NULL;
}

/* Opens a capture read from a stream that cannot be walked twice (stdin,
 * a FIFO, a decompressor): one byte tells pcapng (0x0A of its section
 * header) from pcap (0xD4, 0xA1, 0x4D, 0x34 of its magic) and from a
 * compressed stream (decompress.h: 0x1F, 0x28, 0xFD); ungetc() puts it
 * back for whichever reader follows. A pcapng stream always goes to our
 * reader (its interfaces may turn out mixed at any point), a pcap stream
 * to libpcap, a compressed one through a decompressor and then here
 * again. The stream is the reader's from here on (closed on failure).
 * With hash (a regular file), the decompressor hashes what it produces. */
static int open_stream(struct cap *c, FILE *f, int hash, char *err,
		       size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	int b = getc(f);
	if (b == EOF) {
		snprintf(err, errlen, "%s",
			 stream_err(c) ? stream_err(c) : "empty input");
		fclose(f);
		return -1;
	}
	ungetc(b, f);
	uint8_t head = (uint8_t)b;
	enum dz_kind kind = dz_sniff(&head, 1);
	if (kind != DZ_NONE) {
		if (c->dz) { /* compressed twice: not a capture */
			snprintf(err, errlen, "unknown file format");
			fclose(f);
			return -1;
		}
		FILE *u = dz_open(f, kind, hash, &c->dz, err, errlen);
		if (!u)
			return -1;
		c->dz_hashed = hash;
		return open_stream(c, u, 0, err, errlen);
	}
	if (b == 0x0A) {
		c->png = png_fopen(f, err, errlen);
		if (!c->png)
			return -1;
		/* Learn the interfaces before the first packet; damage
		 * before any packet is an open failure, as libpcap's
		 * header checks are for files. */
		if (png_prime(c->png) < 0) {
			snprintf(err, errlen, "%s",
				 stream_err(c) ? stream_err(c)
					       : png_errmsg(c->png));
			return -1;
		}
		int types[CAP_MAX_TYPES];
		int n = png_linktypes(c->png, types, CAP_MAX_TYPES);
		c->snaplen = png_snaplen(c->png);
		png_opened(c, types, n);
		return 0;
	}
	c->p = pcap_fopen_offline_with_tstamp_precision(
		f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->p) {
		if (stream_err(c))
			snprintf(err, errlen, "%s", stream_err(c));
		else
			copy_err(err, errlen, NULL, ebuf);
		fclose(f); /* not taken over on failure */
		return -1;
	}
	return 0;
}

/* The compression a regular file's first bytes announce (DZ_NONE when
 * none, or when they cannot be read: the reader then says why). */
static enum dz_kind sniff_file(const char *path)
{
	uint8_t head[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return DZ_NONE;
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	return n > 0 ? dz_sniff(head, (size_t)n) : DZ_NONE;
}

/* Finishes opening a capture: a libpcap one learns its link type, time
 * precision and snap length (our pcapng reader knows them already). */
static struct cap *pcap_opened(struct cap *c)
{
	if (c->png)
		return c;
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	add_type(c, pcap_datalink(c->p));
	c->snaplen = pcap_snapshot(c->p);
	return c;
}

/* Releases a capture whose open failed. */
static struct cap *open_failed(struct cap *c)
{
	if (c->p)
		pcap_close(c->p);
	png_close(c->png);
	sha256_job_free(c->hash);
	free(c);
	return NULL;
}

static struct cap *cap_open(const char *path, int hashed, char *err,
			    size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct cap *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->size = -1;
	if (strcmp(path, "-") == 0) {
		if (open_stream(c, stdin, 0, err, errlen) < 0)
			return open_failed(c);
	} else {
		struct stat sb;
		if (stat(path, &sb) != 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			free(c);
			return NULL;
		}
		if (S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "%s", strerror(EISDIR));
			free(c);
			return NULL;
		}
		enum dz_kind kind = DZ_NONE;
		if (S_ISREG(sb.st_mode)) {
			c->size = (int64_t)sb.st_size;
			kind = sniff_file(path);
		}
		if (kind != DZ_NONE) {
			/* Compressed: read as a stream, hashed as it is
			 * decompressed (the hash is of the capture inside). */
			FILE *f = fopen(path, "rbe");
			if (!f) {
				snprintf(err, errlen, "%s", strerror(errno));
				free(c);
				return NULL;
			}
			if (open_stream(c, f, hashed, err, errlen) < 0)
				return open_failed(c);
			goto opened;
		}
		FILE *f = NULL; /* the hashing stream */
		if (hashed && S_ISREG(sb.st_mode) &&
		    hash_open(c, path, &f, err, errlen) < 0) {
			free(c);
			return NULL;
		}
		int types[CAP_MAX_TYPES];
		int n = S_ISREG(sb.st_mode)
				? png_scan_linktypes(path, types, CAP_MAX_TYPES,
						     &c->snaplen)
				: 0;
		if (n >= 1) {
			/* png_fopen() owns f even when it fails. */
			c->png = f ? png_fopen(f, err, errlen)
				   : png_open(path, err, errlen);
			if (!c->png)
				return open_failed(c);
			return png_opened(c, types, n);
		}
		if (f) {
			c->p = pcap_fopen_offline_with_tstamp_precision(
				f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
			if (!c->p)
				fclose(f); /* not taken over on failure */
		} else {
			c->p = pcap_open_offline_with_tstamp_precision(
				path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
		}
		if (!c->p) {
			copy_err(err, errlen, path, ebuf);
			return open_failed(c);
		}
	}
opened:
	return pcap_opened(c);
}

struct cap *cap_open_file(const char *path, char *err, size_t errlen)
{
	return cap_open(path, 0, err, errlen);
}

struct cap *cap_open_file_hashed(const char *path, char *err, size_t errlen)
{
	return cap_open(path, 1, err, errlen);
}

struct cap *cap_open_series(char *const *paths, int n, int hashed, char *err,
			    size_t errlen)
{
	struct cap *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->size = ser_size(paths, n);
	FILE *f = ser_open(paths, n, hashed, &c->ser, err, errlen);
	if (!f) {
		free(c);
		return NULL;
	}
	c->ser_hashed = hashed;
	if (open_stream(c, f, 0, err, errlen) < 0)
		return open_failed(c);
	return pcap_opened(c);
}

int cap_series_sha256(char *const *paths, int n, char hex[65])
{
	char err[200];
	struct cap *c = cap_open_series(paths, n, 1, err, sizeof err);
	if (!c) {
		errno = EIO;
		return -1;
	}
	int r = cap_sha256(c, hex);
	cap_close(c);
	return r;
}

int cap_hashed(const struct cap *c)
{
	return c->hash != NULL || c->dz_hashed || c->ser_hashed;
}

int cap_sha256(struct cap *c, char hex[65])
{
	if (c->ser_hashed)
		return ser_sha256(c->ser, hex);
	if (c->dz_hashed)
		return dz_sha256(c->dz, hex);
	if (!c->hash) {
		errno = EINVAL;
		return -1;
	}
	return sha256_job_finish(c->hash, hex);
}

int cap_file_sha256(const char *path, char hex[65])
{
	struct stat sb;
	enum dz_kind kind = stat(path, &sb) == 0 && S_ISREG(sb.st_mode)
				    ? sniff_file(path)
				    : DZ_NONE;
	return kind != DZ_NONE ? dz_sha256_file(path, kind, hex)
			       : sha256_file(path, hex);
}

struct cap *cap_open_live(const char *iface, int snaplen, char *err,
			  size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct cap *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->live = 1;
	c->size = -1;
	c->p = pcap_create(iface, ebuf);
	if (!c->p) {
		snprintf(err, errlen, "%s", ebuf);
		free(c);
		return NULL;
	}
	pcap_set_snaplen(c->p, snaplen > 0 ? snaplen : CAP_DEFAULT_SNAPLEN);
	pcap_set_promisc(c->p, 1);
	pcap_set_timeout(c->p, 200);
	/* Not every device can; then libpcap keeps microseconds. */
	(void)pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(c->p);
	if (rc < 0) {
		const char *why = pcap_geterr(c->p);
		const char *what = pcap_statustostr(rc);
		if (!why || !*why || strcmp(why, what) == 0)
			snprintf(err, errlen, "%s", what);
		else
			copy_err(err, errlen, iface, why);
		pcap_close(c->p);
		free(c);
		return NULL;
	}
	/* Non-blocking, with our own poll() in cap_next(): on Linux with
	 * TPACKET_V3 the buffer timeout never fires while no packet at all
	 * arrives, so a blocking read could wait forever on a quiet link. */
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0 || pcap_setnonblock(c->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "cannot poll %s: %s", iface,
			 c->fd < 0 ? "no selectable descriptor" : ebuf);
		pcap_close(c->p);
		free(c);
		return NULL;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	add_type(c, pcap_datalink(c->p));
	c->snaplen = pcap_snapshot(c->p);
	return c;
}

void cap_close(struct cap *c)
{
	if (!c)
		return;
	if (c->dump)
		pcap_dump_close(c->dump);
	for (int i = 0; i < c->nprogs; i++)
		pcap_freecode(&c->progs[i].prog);
	if (c->p)
		pcap_close(c->p);
	png_close(c->png); /* both close the stream of a hashed open */
	sha256_job_free(c->hash); /* stops the hashing if nobody asked */
	free(c->filter);
	free(c);
}

/* Compiles expr for link type dlt into c->progs (files only). */
static int compile_for(struct cap *c, int dlt, char *err, size_t errlen)
{
	if (c->nprogs == CAP_MAX_TYPES) {
		snprintf(err, errlen, "too many link types for a filter");
		return -1;
	}
	pcap_t *dead = c->p;
	if (!dead)
		dead = pcap_open_dead_with_tstamp_precision(
			dlt, c->snaplen > 0 ? c->snaplen : CAP_DEFAULT_SNAPLEN,
			PCAP_TSTAMP_PRECISION_NANO);
	if (!dead) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct cap_prog *cp = &c->progs[c->nprogs];
	int rc = pcap_compile(dead, &cp->prog, c->filter, 1,
			      PCAP_NETMASK_UNKNOWN);
	if (rc < 0) {
		const char *n = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen, "%s (link type %s)", pcap_geterr(dead),
			 n ? n : "unknown");
	} else {
		cp->dlt = dlt;
		c->nprogs++;
	}
	if (dead != c->p)
		pcap_close(dead);
	return rc < 0 ? -1 : 0;
}

int cap_set_filter(struct cap *c, const char *expr, char *err, size_t errlen)
{
	if (c->filter) {
		snprintf(err, errlen, "filter already set");
		return -1;
	}
	c->filter = strdup(expr);
	if (!c->filter) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (c->live) {
		if (compile_for(c, c->types[0], err, errlen) < 0)
			goto fail;
		if (pcap_setfilter(c->p, &c->progs[0].prog) < 0) {
			snprintf(err, errlen, "%s", pcap_geterr(c->p));
			goto fail;
		}
		return 0;
	}
	for (int i = 0; i < c->ntypes; i++)
		if (compile_for(c, c->types[i], err, errlen) < 0)
			goto fail;
	return 0;
fail:
	for (int i = 0; i < c->nprogs; i++)
		pcap_freecode(&c->progs[i].prog);
	c->nprogs = 0;
	free(c->filter);
	c->filter = NULL;
	return -1;
}

int cap_fanout_join(struct cap *c, unsigned group, char *err, size_t errlen)
{
	if (!c->live || c->filter) {
		snprintf(err, errlen, "fanout: a live capture without a filter"
				      " only");
		return -1;
	}
	/* Drop everything first: what this socket queued before it joined
	 * the group (every packet of the link) must not be taken. libpcap
	 * applies a new filter to what is already queued as well. */
	struct bpf_program none;
	if (pcap_compile(c->p, &none, "less 0", 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "fanout: %s", pcap_geterr(c->p));
		return -1;
	}
	int rc = pcap_setfilter(c->p, &none);
	pcap_freecode(&none);
	if (rc < 0) {
		snprintf(err, errlen, "fanout: %s", pcap_geterr(c->p));
		return -1;
	}
	int v = (int)((group & 0xffffu) |
		      (unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG)
			  << 16);
	if (setsockopt(pcap_fileno(c->p), SOL_PACKET, PACKET_FANOUT, &v,
		       sizeof v) != 0) {
		snprintf(err, errlen, "cannot join fanout group %u: %s",
			 group & 0xffffu, strerror(errno));
		return -1;
	}
	return 0;
}

int cap_check_filter(const char *expr, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, CAP_DEFAULT_SNAPLEN);
	if (!dead) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct bpf_program prog;
	int rc = pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		snprintf(err, errlen, "%s", pcap_geterr(dead));
	else
		pcap_freecode(&prog);
	pcap_close(dead);
	return rc < 0 ? -1 : 0;
}

/* 1 when the packet passes the file filter (or there is none), 0 when
 * not, -1 when no program can be compiled for its link type. */
static int passes(struct cap *c, const struct cap_packet *p)
{
	if (!c->filter || c->live)
		return 1;
	struct cap_prog *cp = NULL;
	for (int i = 0; i < c->nprogs; i++)
		if (c->progs[i].dlt == p->linktype)
			cp = &c->progs[i];
	if (!cp) {
		if (compile_for(c, p->linktype, c->err, sizeof c->err) < 0)
			return -1;
		add_type(c, p->linktype);
		cp = &c->progs[c->nprogs - 1];
	}
	struct pcap_pkthdr h = { .caplen = p->caplen, .len = p->wirelen };
	return pcap_offline_filter(&cp->prog, &h, p->data) != 0;
}

int cap_next(struct cap *c, struct cap_packet *p)
{
	for (;;) {
		if (c->png) {
			struct png_packet pp;
			int rc = png_next(c->png, &pp);
			if (rc < 0)
				snprintf(c->err, sizeof c->err, "%s",
					 stream_err(c) ? stream_err(c)
						       : png_errmsg(c->png));
			if (rc <= 0)
				return rc;
			p->ts_ns = pp.ts_ns;
			if (pp.ts_clamped)
				c->st.ts_clamped++;
			p->caplen = pp.caplen;
			p->wirelen = pp.wirelen;
			p->linktype = linktype_to_dlt(pp.linktype);
			p->iface = pp.iface;
			p->data = pp.data;
			p->comment = pp.comment;
			p->comment_len = pp.comment_len;
			add_type(c, p->linktype);
		} else {
			struct pcap_pkthdr *h;
			const u_char *d;
			int rc = pcap_next_ex(c->p, &h, &d);
			if (rc == 0) {
				/* Live and nothing ready: wait a little. A
				 * signal (cap_break()) ends the wait early. */
				struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
				(void)poll(&pfd, 1, 200);
				return CAP_TIMEOUT;
			}
			if (rc == PCAP_ERROR_BREAK)
				return c->live ? CAP_TIMEOUT : 0;
			if (rc < 0) {
				snprintf(c->err, sizeof c->err, "%s",
					 stream_err(c) ? stream_err(c)
						       : pcap_geterr(c->p));
				return -1;
			}
			/* Garbage seconds exist in real files, and libpcap
			 * hands a pcapng stamp of any size over: saturated
			 * as pcapng.c's to_ns() does (tsns.h), never
			 * wrapped. tv_usec is below 2^32 (a file's field). */
			int64_t frac = (int64_t)h->ts.tv_usec;
			int clamped = 0;
			p->ts_ns = tsns_sat((int64_t)h->ts.tv_sec,
					    c->nano ? frac : frac * 1000,
					    &clamped);
			c->st.ts_clamped += (unsigned)clamped;
			p->caplen = h->caplen;
			p->wirelen = h->len;
			p->linktype = c->types[0];
			p->iface = 0;
			p->data = d;
			p->comment = NULL;
			p->comment_len = 0;
			if (c->dump)
				pcap_dump((u_char *)c->dump, h, d);
		}
		c->st.records++;
		p->num = ++c->num;
		int ok = passes(c, p);
		if (ok < 0)
			return -1;
		if (ok)
			return 1;
		c->st.filtered++;
	}
}

void cap_break(struct cap *c)
{
	if (c && c->p)
		pcap_breakloop(c->p);
}

const char *cap_errmsg(const struct cap *c)
{
	return c->err;
}

int cap_linktypes(const struct cap *c, int *types, int max)
{
	for (int i = 0; i < c->ntypes && i < max; i++)
		types[i] = c->types[i];
	return c->ntypes;
}

int cap_linktype_names(const struct cap *c, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	for (int i = 0; i < c->ntypes && off < len; i++) {
		const char *n = pcap_datalink_val_to_name(c->types[i]);
		int w = n ? snprintf(buf + off, len - off, "%s%s", i ? "," : "", n)
			  : snprintf(buf + off, len - off, "%sDLT_%d",
				     i ? "," : "", c->types[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return c->ntypes;
}

void cap_linktype_describe(int dlt, char *buf, size_t len)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	const char *d = pcap_datalink_val_to_description(dlt);
	if (n)
		snprintf(buf, len, "%s (%s)", n, d ? d : "?");
	else
		snprintf(buf, len, "%d (unknown to libpcap)", dlt);
}

size_t cap_ifinfo_count(const struct cap *c)
{
	return c->png ? png_ifinfo_count(c->png) : 0;
}

const struct png_ifinfo *cap_ifinfo(const struct cap *c, size_t i)
{
	return c->png ? png_ifinfo(c->png, i) : NULL;
}

size_t cap_note_count(const struct cap *c)
{
	return c->png ? png_note_count(c->png) : 0;
}

const struct png_note *cap_note(const struct cap *c, size_t i)
{
	return c->png ? png_note(c->png, i) : NULL;
}

char *cap_filter_words(char *const *words, int n)
{
	if (n <= 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	char *s = malloc(len), *o = s;
	if (!s)
		return NULL;
	for (int i = 0; i < n; i++) {
		size_t k = strlen(words[i]);
		if (i)
			*o++ = ' ';
		memcpy(o, words[i], k);
		o += k;
	}
	*o = '\0';
	return s;
}

void cap_linktype_name(int linktype, char *buf, size_t len)
{
	int dlt = linktype_to_dlt(linktype);
	const char *n = pcap_datalink_val_to_name(dlt);
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "LINKTYPE_%d", linktype);
}

int cap_snaplen(const struct cap *c)
{
	if (c->png && png_snaplen(c->png) > c->snaplen)
		return png_snaplen(c->png);
	return c->snaplen;
}

int64_t cap_size(const struct cap *c)
{
	return c->size;
}

int64_t cap_offset(struct cap *c)
{
	if (c->dz)
		return dz_offset(c->dz);
	FILE *f = c->png ? png_file(c->png) : c->live ? NULL : pcap_file(c->p);
	if (!f)
		return -1;
	long o = ftell(f);
	return o < 0 ? -1 : (int64_t)o;
}

void cap_get_stats(struct cap *c, struct cap_stats *st)
{
	if (c->live) {
		struct pcap_stat ps;
		if (pcap_stats(c->p, &ps) == 0)
			c->st.kernel_drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	}
	*st = c->st;
}

int cap_dump_open(struct cap *c, const char *path, char *err, size_t errlen)
{
	if (!c->p) {
		snprintf(err, errlen, "cannot write this capture");
		return -1;
	}
	c->dump = pcap_dump_open(c->p, path);
	if (!c->dump) {
		copy_err(err, errlen, path, pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

int cap_dump_flush(struct cap *c)
{
	return c->dump ? pcap_dump_flush(c->dump) : 0;
}

int64_t cap_seek_point(struct cap *c)
{
	/* A classic pcap file only (libpcap says 2.x; its pcapng reader says
	 * 1.0): its records follow one another with nothing between them that
	 * a record depends on, where a pcapng block may name an interface
	 * described anywhere before it. */
	if (!c->p || c->live || c->png || c->dump || c->dz || c->ser ||
	    pcap_major_version(c->p) != 2)
		return -1;
	FILE *f = pcap_file(c->p);
	off_t o = f ? ftello(f) : -1;
	return o < 0 ? -1 : (int64_t)o;
}

int cap_seek(struct cap *c, int64_t offset, uint64_t num)
{
	if (num == 0 || offset < 0 || cap_seek_point(c) < 0 ||
	    fseeko(pcap_file(c->p), (off_t)offset, SEEK_SET) != 0) {
		snprintf(c->err, sizeof c->err, "cannot seek to record %llu",
			 (unsigned long long)num);
		return -1;
	}
	c->num = num - 1;
	return 0;
}

void cap_file_identity(const char *path, char *out, size_t len)
{
	struct stat sb;
	if (len)
		out[0] = '\0';
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		snprintf(out, len, "%llu:%llu:%lld:%lld:%lld",
			 (unsigned long long)sb.st_dev,
			 (unsigned long long)sb.st_ino, (long long)sb.st_size,
			 (long long)sb.st_mtim.tv_sec * 1000000000LL +
			     sb.st_mtim.tv_nsec,
			 (long long)sb.st_ctim.tv_sec * 1000000000LL +
			     sb.st_ctim.tv_nsec);
}
