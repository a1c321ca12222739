/*
 * sha256.c - SHA-256 through OpenSSL's EVP digest API (libcrypto), which
 * dispatches at run time to the CPU's SHA extensions or vector code.
 *
 * struct sha256 only holds the EVP_MD_CTX pointer, so sha256.h needs no
 * OpenSSL header. Nothing is kept between hashes; EVP_sha256() is the
 * implicit fetch from the default provider (one lookup per hash, not per
 * update).
 *
 * The hashing reader (sha256_reader_*) is a glibc fopencookie() stream
 * whose read function pread()s the file at the stream's position and
 * hashes the part of what it got that lies beyond `hashed`, the length of
 * the file prefix already in the digest. A read starting beyond `hashed`
 * (after a forward seek) first hashes the gap, through the same buffer; a
 * read starting before it (after a backward seek) hashes only its tail
 * beyond it, if any. So the digest is always that of the prefix
 * [0, hashed) of the file, and finishing it only has to read from there
 * to the end.
 */
#define _GNU_SOURCE /* fopencookie() */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define SHA256_FILE_BLOCK (1024 * 1024)

int sha256_init(struct sha256 *s)
{
	s->failed = 0;
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx) {
		s->failed = 1;
		return -1;
	}
	if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(s->ctx);
		s->ctx = NULL;
		s->failed = 1;
		return -1;
	}
	return 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (!s->ctx || s->failed || len == 0)
		return;
	if (EVP_DigestUpdate(s->ctx, data, len) != 1)
		s->failed = 1;
}

int sha256_final(struct sha256 *s, uint8_t out[32])
{
	int rc = -1;
	if (s->ctx && !s->failed) {
		uint8_t d[EVP_MAX_MD_SIZE];
		unsigned int n = 0;
		if (EVP_DigestFinal_ex(s->ctx, d, &n) == 1 && n == 32) {
			for (int i = 0; i < 32; i++)
				out[i] = d[i];
			rc = 0;
		}
	}
	sha256_free(s);
	return rc;
}

void sha256_free(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx); /* NULL is fine */
	s->ctx = NULL;
}

void sha256_hex(const uint8_t digest[32], char hex[65])
{
	static const char dig[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = dig[digest[i] >> 4];
		hex[2 * i + 1] = dig[digest[i] & 15];
	}
	hex[64] = '\0';
}

int sha256_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	uint8_t *buf = malloc(SHA256_FILE_BLOCK);
	struct sha256 s;
	if (!buf || sha256_init(&s) < 0) {
		free(buf);
		close(fd);
		errno = ENOMEM;
		return -1;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	int err = 0;
	for (;;) {
		ssize_t n = read(fd, buf, SHA256_FILE_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		sha256_update(&s, buf, (size_t)n);
	}
	free(buf);
	close(fd);
	uint8_t d[32];
	if (err) {
		sha256_free(&s);
		errno = err;
		return -1;
	}
	if (sha256_final(&s, d) < 0) {
		errno = EIO;
		return -1;
	}
	sha256_hex(d, hex);
	return 0;
}

/* ---- Hashing while reading ---------------------------------------------- */

struct sha256_reader {
	int fd;
	int64_t pos;        /* where the stream reads next */
	int64_t hashed;     /* bytes [0, hashed) of the file are in sha */
	struct sha256 sha;
	int err;            /* errno of a failed read, sticky */
	int done;           /* sha is final, hex holds it */
	char hex[65];
	char *buf;          /* the stream's buffer */
};

static ssize_t pread_retry(int fd, void *buf, size_t n, int64_t off)
{
	ssize_t got;
	do
		got = pread(fd, buf, n, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Hashes the file from r->hashed up to offset end, or to its end of file
 * if that comes first, through scratch (n bytes). 0, or -1 on a read
 * error (r->err). */
static int hash_upto(struct sha256_reader *r, int64_t end, char *scratch,
		     size_t n)
{
	while (r->hashed < end) {
		size_t want = n;
		if (end - r->hashed < (int64_t)n)
			want = (size_t)(end - r->hashed);
		ssize_t got = pread_retry(r->fd, scratch, want, r->hashed);
		if (got < 0) {
			r->err = errno;
			return -1;
		}
		if (got == 0)
			break;
		sha256_update(&r->sha, scratch, (size_t)got);
		r->hashed += got;
	}
	return 0;
}

static ssize_t rd_read(void *cookie, char *buf, size_t n)
{
	struct sha256_reader *r = cookie;
	if (!r->done && r->pos > r->hashed &&
	    hash_upto(r, r->pos, buf, n) < 0)
		return -1;
	ssize_t got = pread_retry(r->fd, buf, n, r->pos);
	if (got < 0) {
		r->err = errno;
		return -1;
	}
	int64_t end = r->pos + got;
	/* r->hashed < r->pos only if the file ended before r->pos while
	 * hashing the gap (it shrank, or the seek went past its end): then
	 * nothing is added here; sha256_reader_finish() reads what is there. */
	if (!r->done && r->hashed >= r->pos && end > r->hashed) {
		sha256_update(&r->sha, buf + (r->hashed - r->pos),
			      (size_t)(end - r->hashed));
		r->hashed = end;
	}
	r->pos = end;
	return got;
}

static int rd_seek(void *cookie, off64_t *off, int whence)
{
	struct sha256_reader *r = cookie;
	int64_t base;
	if (whence == SEEK_SET) {
		base = 0;
	} else if (whence == SEEK_CUR) {
		base = r->pos;
	} else if (whence == SEEK_END) {
		struct stat sb;
		if (fstat(r->fd, &sb) != 0)
			return -1;
		base = (int64_t)sb.st_size;
	} else {
		errno = EINVAL;
		return -1;
	}
	int64_t o = (int64_t)*off;
	if ((o < 0 && o < -base) || (o > 0 && o > INT64_MAX - base)) {
		errno = EINVAL;
		return -1;
	}
	r->pos = base + o;
	*off = (off64_t)r->pos;
	return 0;
}

/* fclose() of the stream: the reader (and fd) stay until
 * sha256_reader_free(), so that the hash can be finished after the
 * stream's user closed it, or before. */
static int rd_close(void *cookie)
{
	(void)cookie;
	return 0;
}

struct sha256_reader *sha256_reader_open(int fd, size_t bufsize, FILE **fp)
{
	struct sha256_reader *r = calloc(1, sizeof *r);
	if (!r) {
		close(fd);
		return NULL;
	}
	r->fd = fd;
	if (bufsize < 4096)
		bufsize = 4096;
	r->buf = malloc(bufsize);
	if (!r->buf || sha256_init(&r->sha) < 0) {
		sha256_reader_free(r);
		return NULL;
	}
	cookie_io_functions_t io = {
		.read = rd_read, .write = NULL, .seek = rd_seek, .close = rd_close
	};
	FILE *f = fopencookie(r, "rb", io);
	if (!f) {
		sha256_reader_free(r);
		return NULL;
	}
	if (setvbuf(f, r->buf, _IOFBF, bufsize) != 0) {
		fclose(f);
		sha256_reader_free(r);
		return NULL;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	*fp = f;
	return r;
}

int sha256_reader_finish(struct sha256_reader *r, char hex[65])
{
	if (!r->done) {
		if (r->err) {
			errno = r->err;
			return -1;
		}
		char *buf = malloc(SHA256_FILE_BLOCK);
		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
		int rc = hash_upto(r, INT64_MAX, buf, SHA256_FILE_BLOCK);
		free(buf);
		if (rc < 0) {
			errno = r->err;
			return -1;
		}
		uint8_t d[32];
		if (sha256_final(&r->sha, d) < 0) {
			r->err = EIO;
			errno = EIO;
			return -1;
		}
		sha256_hex(d, r->hex);
		r->done = 1;
	}
	memcpy(hex, r->hex, sizeof r->hex);
	return 0;
}

void sha256_reader_free(struct sha256_reader *r)
{
	if (!r)
		return;
	sha256_free(&r->sha);
	close(r->fd);
	free(r->buf);
	free(r);
}
