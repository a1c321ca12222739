/*
 * decompress.c - a gzip, zstd or xz stream read as its uncompressed bytes.
 *
 *   src (FILE *) --fread, 256 KiB--> in[] --codec--> the reader's buffer
 *                                                    (+ SHA-256 of it)
 *
 * The stream is a glibc cookie stream (fopencookie()) whose read function
 * runs the codec until it produced something. One loop serves the three
 * codecs: refill the input when it is empty, run the codec once, and stop
 * when it produced bytes; a step that produced nothing and consumed
 * nothing with the input exhausted is the end: clean when the codec is
 * between frames (gzip members, zstd frames, xz streams: concatenations
 * are read whole, as gzip -d, zstd -d and xz -d do), damage otherwise.
 *
 * Memory is bounded whatever the file says: xz's decoder gets a 256 MiB
 * limit (xz -9 needs 65 MiB), zstd keeps its default window limit (128
 * MiB), zlib needs 32 KiB.
 */
#define _GNU_SOURCE
#include "decompress.h"

#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "sha256.h"

#define DZ_IN (256 * 1024)
#define DZ_XZ_MEMLIMIT (256u * 1024 * 1024)

static const struct {
	uint8_t m[6];
	size_t n;
} magic[] = {
	[DZ_GZIP] = { { 0x1f, 0x8b }, 2 },
	[DZ_ZSTD] = { { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	[DZ_XZ] = { { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, 6 },
};

struct dz {
	FILE *src;
	enum dz_kind kind;
	z_stream gz;
	int gz_end;            /* the last gzip member ended */
	ZSTD_DStream *zs;
	lzma_stream xz;
	int in_frame;          /* the codec is inside a member/frame/stream */
	uint8_t *in;
	size_t in_len, in_pos;
	int src_eof;
	int started;           /* the magic was checked */
	int64_t consumed;
	int failed;
	int hashing;
	struct sha256 sha;
	int hash_rc, hash_errno; /* dz_sha256() done: its answer */
	char hex[65];
	int have_ref;
	struct stat ref;
	char err[160];
};

enum dz_kind dz_sniff(const uint8_t *head, size_t n)
{
	for (int k = DZ_GZIP; k <= DZ_XZ; k++) {
		size_t m = n < magic[k].n ? n : magic[k].n;
		if (m > 0 && memcmp(head, magic[k].m, m) == 0)
			return (enum dz_kind)k;
	}
	return DZ_NONE;
}

const char *dz_name(enum dz_kind k)
{
	switch (k) {
	case DZ_GZIP: return "gzip";
	case DZ_ZSTD: return "zstd";
	case DZ_XZ: return "xz";
	default: return "none";
	}
}

static ssize_t fail(struct dz *z, const char *why)
{
	if (!z->failed)
		snprintf(z->err, sizeof z->err, "%s: %s", dz_name(z->kind), why);
	z->failed = 1;
	errno = EIO;
	return -1;
}

/* Reads more compressed input when the buffer is used up. */
static int refill(struct dz *z)
{
	if (z->in_pos < z->in_len || z->src_eof)
		return 0;
	size_t n = fread(z->in, 1, DZ_IN, z->src);
	if (n == 0 && ferror(z->src)) {
		int e = errno;
		fail(z, e ? strerror(e) : "read error");
		return -1;
	}
	z->src_eof = feof(z->src) != 0;
	z->in_len = n;
	z->in_pos = 0;
	if (!z->started) {
		/* The first read holds the magic (256 KiB > 6 bytes), unless
		 * the file is shorter than it. */
		z->started = 1;
		const uint8_t *m = magic[z->kind].m;
		if (n < magic[z->kind].n || memcmp(z->in, m, magic[z->kind].n)) {
			snprintf(z->err, sizeof z->err, "unknown file format");
			z->failed = 1;
			errno = EIO;
			return -1;
		}
	}
	return 0;
}

/* One step of the codec: *got bytes into out, *used bytes of input
 * consumed. Returns 0, or -1 on damage. */
static int step(struct dz *z, uint8_t *out, size_t n, size_t *got,
		size_t *used)
{
	const uint8_t *ip = z->in + z->in_pos;
	size_t avail = z->in_len - z->in_pos;
	*got = *used = 0;
	switch (z->kind) {
	case DZ_GZIP: {
		if (z->gz_end) {
			if (avail == 0)
				return 0;
			/* Another member follows. */
			if (inflateReset(&z->gz) != Z_OK)
				return (int)fail(z, "cannot restart");
			z->gz_end = 0;
		}
		z->gz.next_in = (Bytef *)(uintptr_t)ip;
		z->gz.avail_in = (uInt)(avail > UINT32_MAX ? UINT32_MAX : avail);
		z->gz.next_out = out;
		z->gz.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
		uInt ai = z->gz.avail_in, ao = z->gz.avail_out;
		int r = inflate(&z->gz, Z_NO_FLUSH);
		*used = ai - z->gz.avail_in;
		*got = ao - z->gz.avail_out;
		z->in_frame = 1;
		if (r == Z_STREAM_END) {
			z->gz_end = 1;
			z->in_frame = 0;
		} else if (r == Z_MEM_ERROR) {
			return (int)fail(z, "out of memory");
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			return (int)fail(z, z->gz.msg ? z->gz.msg : "corrupt data");
		}
		return 0;
	}
	case DZ_ZSTD: {
		ZSTD_inBuffer ib = { ip, avail, 0 };
		ZSTD_outBuffer ob = { out, n, 0 };
		size_t r = ZSTD_decompressStream(z->zs, &ob, &ib);
		if (ZSTD_isError(r))
			return (int)fail(z, ZSTD_getErrorName(r));
		*used = ib.pos;
		*got = ob.pos;
		/* 0: a frame is complete and flushed. A call that moved
		 * nothing says what the next frame would need: no news. */
		if (ib.pos || ob.pos)
			z->in_frame = r != 0;
		return 0;
	}
	case DZ_XZ: {
		z->xz.next_in = ip;
		z->xz.avail_in = avail;
		z->xz.next_out = out;
		z->xz.avail_out = n;
		lzma_ret r = lzma_code(&z->xz, avail == 0 && z->src_eof
						     ? LZMA_FINISH
						     : LZMA_RUN);
		*used = avail - z->xz.avail_in;
		*got = n - z->xz.avail_out;
		switch (r) {
		case LZMA_OK:
			return 0;
		case LZMA_STREAM_END:
			z->in_frame = 0;
			return 0;
		case LZMA_BUF_ERROR: /* no progress possible */
			return avail == 0 && z->src_eof && *got == 0
				       ? (int)fail(z, "compressed data cut short")
				       : 0;
		case LZMA_MEM_ERROR:
			return (int)fail(z, "out of memory");
		case LZMA_MEMLIMIT_ERROR:
			return (int)fail(z, "needs more than 256 MiB of memory");
		case LZMA_FORMAT_ERROR:
			return (int)fail(z, "not xz data");
		case LZMA_OPTIONS_ERROR:
			return (int)fail(z, "unsupported options");
		default:
			return (int)fail(z, "corrupt data");
		}
	}
	case DZ_NONE:
		break;
	}
	return (int)fail(z, "unknown compression");
}

/* Produces up to n uncompressed bytes into out: their number, 0 at the
 * clean end, -1 on damage (errno EIO). */
static ssize_t produce(struct dz *z, uint8_t *out, size_t n)
{
	if (n == 0)
		return 0;
	for (;;) {
		if (z->failed) {
			errno = EIO;
			return -1;
		}
		if (refill(z) < 0)
			return -1;
		size_t got, used;
		if (step(z, out, n, &got, &used) < 0)
			return -1;
		z->in_pos += used;
		z->consumed += (int64_t)used;
		if (got > 0) {
			if (z->hashing)
				sha256_update(&z->sha, out, got);
			return (ssize_t)got;
		}
		if (used == 0 && z->in_pos == z->in_len && z->src_eof) {
			if (z->in_frame)
				return fail(z, "compressed data cut short");
			return 0;
		}
	}
}

static ssize_t dz_read(void *cookie, char *buf, size_t n)
{
	return produce(cookie, (uint8_t *)buf, n);
}

static void dz_free(struct dz *z)
{
	switch (z->kind) {
	case DZ_GZIP: inflateEnd(&z->gz); break;
	case DZ_ZSTD: ZSTD_freeDStream(z->zs); break;
	case DZ_XZ: lzma_end(&z->xz); break;
	case DZ_NONE: break;
	}
	sha256_free(&z->sha);
	free(z->in);
	free(z);
}

static int dz_close(void *cookie)
{
	struct dz *z = cookie;
	int rc = fclose(z->src);
	dz_free(z);
	return rc;
}

/* Sets up the codec; 0 or -1 (out of memory). */
static int codec_init(struct dz *z)
{
	switch (z->kind) {
	case DZ_GZIP:
		/* 16 + 15: gzip framing, any window size. */
		return inflateInit2(&z->gz, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
	case DZ_ZSTD:
		z->zs = ZSTD_createDStream();
		return z->zs && !ZSTD_isError(ZSTD_initDStream(z->zs)) ? 0 : -1;
	case DZ_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		z->xz = init;
		return lzma_stream_decoder(&z->xz, DZ_XZ_MEMLIMIT,
					   LZMA_CONCATENATED) == LZMA_OK
			       ? 0
			       : -1;
	}
	case DZ_NONE:
		break;
	}
	return -1;
}

FILE *dz_open(FILE *src, enum dz_kind kind, int hash, struct dz **dz,
	      char *err, size_t errlen)
{
	struct dz *z = calloc(1, sizeof *z);
	if (!z || kind == DZ_NONE) {
		snprintf(err, errlen, "%s", z ? "unknown file format"
					     : "out of memory");
		free(z);
		fclose(src);
		return NULL;
	}
	z->src = src;
	z->kind = kind;
	z->in_frame = 1;
	z->hashing = hash;
	z->in = malloc(DZ_IN);
	int ok = z->in && codec_init(z) == 0 &&
		 (!hash || sha256_init(&z->sha) == 0);
	struct stat sb;
	int fd = fileno(src);
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		z->have_ref = 1;
		z->ref = sb;
	}
	cookie_io_functions_t io = { .read = dz_read, .close = dz_close };
	FILE *f = ok ? fopencookie(z, "rb", io) : NULL;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		fclose(src);
		dz_free(z);
		return NULL;
	}
	/* Fewer, larger reads of the cookie: stdio's copy is per call. */
	(void)setvbuf(f, NULL, _IOFBF, DZ_IN);
	*dz = z;
	return f;
}

const char *dz_errmsg(const struct dz *z)
{
	return z->err;
}

int64_t dz_offset(const struct dz *z)
{
	return z->consumed;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int dz_sha256(struct dz *z, char hex[65])
{
	if (!z->hashing) {
		errno = EINVAL;
		return -1;
	}
	if (z->hash_rc == 0 && z->hex[0]) {
		memcpy(hex, z->hex, 65);
		return 0;
	}
	if (z->hash_rc < 0) {
		errno = z->hash_errno;
		return -1;
	}
	int rc = 0, e = 0;
	uint8_t *buf = malloc(DZ_IN);
	if (!buf) {
		errno = ENOMEM;
		return -1; /* not remembered: may work later */
	}
	ssize_t k;
	while ((k = produce(z, buf, DZ_IN)) > 0)
		;
	free(buf);
	struct stat sb;
	if (k < 0) {
		rc = -1, e = EIO;
	} else if (z->have_ref && (fstat(fileno(z->src), &sb) != 0 ||
				   !same_file(&sb, &z->ref))) {
		rc = -1, e = ESTALE;
	} else {
		uint8_t d[32];
		if (sha256_final(&z->sha, d) < 0)
			rc = -1, e = ENOMEM;
		else
			sha256_hex(d, z->hex);
	}
	z->hash_rc = rc;
	z->hash_errno = e;
	if (rc < 0) {
		errno = e;
		return -1;
	}
	memcpy(hex, z->hex, 65);
	return 0;
}

int dz_sha256_file(const char *path, enum dz_kind kind, char hex[65])
{
	FILE *src = fopen(path, "rbe");
	if (!src)
		return -1;
	struct dz *z;
	char err[160];
	FILE *f = dz_open(src, kind, 1, &z, err, sizeof err);
	if (!f) {
		errno = ENOMEM;
		return -1;
	}
	int rc = dz_sha256(z, hex);
	int e = errno;
	fclose(f);
	errno = e;
	return rc;
}
