/*
 * sha256.c - SHA-256 through OpenSSL's EVP digest API (libcrypto), which
 * dispatches at run time to the CPU's SHA extensions or vector code.
 *
 * struct sha256 only holds the EVP_MD_CTX pointer, so sha256.h needs no
 * OpenSSL header. Nothing is kept between hashes; EVP_sha256() is the
 * implicit fetch from the default provider (one lookup per hash, not per
 * update).
 *
 * The background job (sha256_job_*) hashes a file open on a descriptor of
 * its own on a thread of its own, so that the thread which parses the file
 * does not hash: the hashing goes to another core when one has time to
 * spare (on an import, the SQLite writer's core). The job reads with
 * pread() up to the size its caller saw at the open and no further, and
 * checks the file's identity, size and mtime before and after (and again
 * when the digest is asked for), so that the digest is never that of
 * different bytes than the ones parsed. A stop flag, looked at between
 * 1 MiB blocks, bounds the wait of sha256_job_free() when nobody wants the
 * digest.
 */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

/* ---- Hashing in the background ------------------------------------------ */

struct sha256_job {
	int fd;
	struct stat ref;       /* the file as its reader saw it at the open */
	atomic_int stop;       /* sha256_job_free(): give up after this block */
	pthread_t thread;
	int threaded;          /* thread started and not joined yet */
	int finished;          /* err and hex are the answer */
	int err;               /* 0, or the errno of the failure */
	char hex[65];
};

/* 0 when fd is still the file of ref, with its size and mtime; ESTALE when
 * not; the errno of a failed fstat(). */
static int same_file(int fd, const struct stat *ref)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return errno;
	if (sb.st_dev != ref->st_dev || sb.st_ino != ref->st_ino ||
	    sb.st_size != ref->st_size ||
	    sb.st_mtim.tv_sec != ref->st_mtim.tv_sec ||
	    sb.st_mtim.tv_nsec != ref->st_mtim.tv_nsec)
		return ESTALE;
	return 0;
}

/* Hashes the ref->st_size bytes of the file into j->hex. Returns 0 or an
 * errno value. Runs on the job's thread (or in sha256_job_finish()). */
static int job_hash(struct sha256_job *j)
{
	int err = same_file(j->fd, &j->ref);
	if (err)
		return err;
	uint8_t *buf = malloc(SHA256_FILE_BLOCK);
	struct sha256 s;
	if (!buf || sha256_init(&s) < 0) {
		free(buf);
		return ENOMEM;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(j->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	int64_t off = 0, size = (int64_t)j->ref.st_size;
	while (off < size && !err) {
		if (atomic_load_explicit(&j->stop, memory_order_relaxed)) {
			err = ECANCELED;
			break;
		}
		size_t want = SHA256_FILE_BLOCK;
		if (size - off < (int64_t)want)
			want = (size_t)(size - off);
		ssize_t got = pread(j->fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = errno;
		else if (got == 0)
			err = ESTALE; /* it shrank */
		else {
			sha256_update(&s, buf, (size_t)got);
			off += got;
		}
	}
	free(buf);
	/* Bytes appended since the open are not hashed (the reader may or
	 * may not have parsed them): a size other than ref's is an error. */
	if (!err)
		err = same_file(j->fd, &j->ref);
	uint8_t d[32];
	if (!err && sha256_final(&s, d) < 0)
		err = EIO;
	sha256_free(&s);
	if (!err)
		sha256_hex(d, j->hex);
	return err;
}

static void *job_main(void *arg)
{
	struct sha256_job *j = arg;
	j->err = job_hash(j);
	return NULL;
}

struct sha256_job *sha256_job_start(int fd, const struct stat *ref)
{
	struct sha256_job *j = calloc(1, sizeof *j);
	if (!j) {
		close(fd);
		return NULL;
	}
	j->fd = fd;
	j->ref = *ref;
	atomic_init(&j->stop, 0);
	/* Asynchronous signals (SIGINT...) are for the thread that reads
	 * packets, whose waits they are meant to cut short: the new thread
	 * starts with them blocked. Faults stay deliverable (sanitizers). */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	j->threaded = pthread_create(&j->thread, NULL, job_main, j) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return j;
}

int sha256_job_finish(struct sha256_job *j, char hex[65])
{
	if (!j->finished) {
		if (j->threaded) {
			pthread_join(j->thread, NULL);
			j->threaded = 0;
		} else {
			j->err = job_hash(j);
		}
		/* The thread may have ended long before the reader did:
		 * the file must still be the one hashed. */
		if (!j->err)
			j->err = same_file(j->fd, &j->ref);
		j->finished = 1;
	}
	if (j->err) {
		errno = j->err;
		return -1;
	}
	memcpy(hex, j->hex, sizeof j->hex);
	return 0;
}

void sha256_job_free(struct sha256_job *j)
{
	if (!j)
		return;
	if (j->threaded) {
		atomic_store_explicit(&j->stop, 1, memory_order_relaxed);
		pthread_join(j->thread, NULL);
	}
	close(j->fd);
	free(j);
}
