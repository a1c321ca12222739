/*
 * series.c - the parts of a rotated capture as one stream (series.h).
 *
 * A glibc fopencookie() stream whose read function hands out the bytes of
 * the current part and moves to the next one at its end. Parts are opened
 * one at a time, as they are reached. The first 24 bytes of each part are
 * read when it is opened, to tell what it is (its other first bytes tell a
 * compressed part, never its name): a next classic-pcap part must begin
 * with the first part's file header, but for the snap length (magic: byte
 * order and time precision; version; link type), and those 24 bytes are
 * not delivered; a pcapng part is delivered whole; anything else is
 * refused.
 */
#define _GNU_SOURCE
#include "series.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decompress.h"
#include "sha256.h"

struct ser {
	char **paths;
	int n, cur;          /* parts, and the one being read */
	FILE *f;             /* the current part's (uncompressed) stream */
	uint8_t head[24];    /* the first part's first bytes */
	int pcapng;          /* the first part is pcapng */
	uint8_t pend[24];    /* the current part's bytes read ahead */
	size_t npend, ppos;  /* how many, how many delivered */
	int hash;
	struct sha256 sha;
	int failed;
	char err[512];
};

static void fail(struct ser *s, const char *why)
{
	if (s->failed)
		return;
	s->failed = 1;
	snprintf(s->err, sizeof s->err, "part %d (%.200s): %.250s",
		 s->cur + 1, s->paths[s->cur], why);
}

/* Opens part k as the current one and checks its first bytes. 0, or -1
 * with s->err set. */
static int open_part(struct ser *s, int k)
{
	s->cur = k;
	FILE *f = fopen(s->paths[k], "rbe");
	if (!f) {
		fail(s, strerror(errno));
		return -1;
	}
	uint8_t m[6];
	size_t got = fread(m, 1, sizeof m, f);
	enum dz_kind kind = dz_sniff(m, got);
	if (fseek(f, 0, SEEK_SET) != 0) {
		fail(s, strerror(errno));
		fclose(f);
		return -1;
	}
	if (kind != DZ_NONE) {
		struct dz *z;
		char err[200];
		FILE *u = dz_open(f, kind, 0, &z, err, sizeof err);
		if (!u) {
			fail(s, err);
			return -1;
		}
		f = u;
	}
	uint8_t *h = s->pend;
	got = fread(h, 1, sizeof s->pend, f);
	int png = got >= 4 && h[0] == 0x0a && h[1] == 0x0d && h[2] == 0x0d &&
		  h[3] == 0x0a;
	s->npend = got;
	s->ppos = 0;
	if (k == 0) {
		s->pcapng = png;
		memcpy(s->head, h, got);
	} else if (png != s->pcapng) {
		fail(s, png ? "pcapng after classic pcap parts"
			    : "not pcapng, as the first part is");
	} else if (!png && (got < 24 || memcmp(h, s->head, 8) != 0 ||
			    memcmp(h + 20, s->head + 20, 4) != 0)) {
		fail(s, got < 24 ? "no pcap file header"
				 : "its pcap file header (byte order, time"
				   " precision, version or link type) differs"
				   " from the first part's");
	} else if (!png) {
		s->ppos = s->npend; /* the header is not delivered again */
	}
	if (s->failed) {
		fclose(f);
		return -1;
	}
	s->f = f;
	return 0;
}

static ssize_t ser_read(void *cookie, char *buf, size_t size)
{
	struct ser *s = cookie;
	size_t done = 0;
	while (done < size && !s->failed) {
		if (s->ppos < s->npend) {
			size_t k = s->npend - s->ppos;
			if (k > size - done)
				k = size - done;
			memcpy(buf + done, s->pend + s->ppos, k);
			s->ppos += k;
			done += k;
			continue;
		}
		if (!s->f) {
			if (s->cur + 1 >= s->n)
				break; /* the end of the last part */
			if (open_part(s, s->cur + 1) < 0)
				break;
			continue;
		}
		size_t got = fread(buf + done, 1, size - done, s->f);
		done += got;
		if (got == 0) {
			if (ferror(s->f)) {
				fail(s, "read error (damaged or cut short)");
				break;
			}
			fclose(s->f);
			s->f = NULL;
		}
	}
	if (s->hash && done)
		sha256_update(&s->sha, buf, done);
	if (done == 0 && s->failed) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)done;
}

static int ser_close(void *cookie)
{
	struct ser *s = cookie;
	if (s->f)
		fclose(s->f);
	if (s->hash)
		sha256_free(&s->sha);
	for (int i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s);
	return 0;
}

FILE *ser_open(char *const *paths, int n, int hash, struct ser **ser,
	       char *err, size_t errlen)
{
	*ser = NULL;
	struct ser *s = calloc(1, sizeof *s);
	if (!s || !(s->paths = calloc((size_t)n, sizeof *s->paths))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->n = n;
	for (int i = 0; i < n; i++)
		if (!(s->paths[i] = strdup(paths[i]))) {
			ser_close(s);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
	if (hash && sha256_init(&s->sha) != 0) {
		ser_close(s);
		snprintf(err, errlen, "cannot hash");
		return NULL;
	}
	s->hash = hash;
	if (open_part(s, 0) < 0) {
		snprintf(err, errlen, "%s", s->err);
		ser_close(s);
		return NULL;
	}
	cookie_io_functions_t io = { .read = ser_read, .close = ser_close };
	FILE *f = fopencookie(s, "rb", io);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		ser_close(s);
		return NULL;
	}
	*ser = s;
	return f;
}

const char *ser_errmsg(const struct ser *s)
{
	return s->err;
}

int64_t ser_size(char *const *paths, int n)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) != 0 || !S_ISREG(sb.st_mode))
			return -1;
		sum += (int64_t)sb.st_size;
	}
	return sum;
}

int ser_sha256(struct ser *s, char hex[65])
{
	if (!s->hash) {
		errno = EINVAL;
		return -1;
	}
	/* The rest, as the reader would have had it. */
	char buf[65536];
	while (ser_read(s, buf, sizeof buf) > 0)
		;
	if (s->failed) {
		errno = EIO;
		return -1;
	}
	uint8_t d[32];
	if (sha256_final(&s->sha, d) != 0) {
		errno = EIO;
		return -1;
	}
	s->hash = 0;
	sha256_hex(d, hex);
	return 0;
}
