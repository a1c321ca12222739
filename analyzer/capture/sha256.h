/*
 * sha256.h - SHA-256, used to recognise a capture file that was imported
 * before. A thin wrapper around OpenSSL's libcrypto (EVP digest API), which
 * picks the fastest code for the CPU (SHA-NI, AVX2...). Incremental: init,
 * update any number of times, final.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

struct evp_md_ctx_st; /* OpenSSL's EVP_MD_CTX */

/* Opaque: set up by sha256_init(), released by sha256_final() or
 * sha256_free(). */
struct sha256 {
	struct evp_md_ctx_st *ctx;
	int failed;       /* an update failed: sha256_final() will too */
};

/* Starts a new hash. Returns 0, or -1 (out of memory; s->ctx is then
 * NULL, and sha256_update()/sha256_final()/sha256_free() are harmless). */
int sha256_init(struct sha256 *s);

/* Adds len bytes. A failure (which libcrypto does not report for SHA-256
 * in practice) is remembered and reported by sha256_final(). */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Ends the hash: 32 bytes into out, and releases s (re-initialise it
 * before reuse). Returns 0, or -1 when the init or an update failed (out
 * is then unchanged). */
int sha256_final(struct sha256 *s, uint8_t out[32]);

/* Releases a hash that will not be finished. Safe twice, and after
 * sha256_final(). */
void sha256_free(struct sha256 *s);

/* Writes the 64 lower-case hex digits and a NUL of a digest into hex. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

/* Hashes the whole file at path into hex, reading it in 1 MiB blocks: a
 * separate pass over the file, for when the hash is needed before the
 * file is read (cap_open_file_hashed() hashes on a thread of its own while
 * the file is read). Returns 0, or -1 with errno set when the file cannot
 * be opened or read, or memory runs out (hex is then unchanged). */
int sha256_file(const char *path, char hex[65]);

/*
 * Hashing a file in the background. sha256_job_start() starts a thread
 * that reads a regular file with pread() in 1 MiB blocks and hashes it,
 * while the caller reads the same file for something else (libpcap parses
 * it): the caller's reads stay plain, and the hashing costs the reading
 * thread nothing. sha256_job_finish() waits for the thread and gives the
 * digest; sha256_job_free() stops it between two blocks when nobody wants
 * the digest any more.
 *
 * The digest is that of the file as the caller saw it: exactly ref->st_size
 * bytes are hashed (ref: the caller's fstat() when it opened the file), and
 * the job fails with ESTALE when the file is not that one (st_dev,
 * st_ino), or its size or modification time differ from ref's, when the
 * thread starts, when it ends, or when sha256_job_finish() is called. An
 * append, a truncation or a rewrite while the caller reads thus gives no
 * hash rather than the hash of bytes the caller did not see. (A rewrite
 * that keeps the size within the file system's timestamp granularity of
 * the open is not seen.)
 */
struct stat;
struct sha256_job;

/* Takes over fd, open on the file that ref describes (its file offset is
 * not used), and starts hashing it. Returns the job, or NULL when memory
 * runs out (fd is then closed). When no thread can be started the job
 * still works: sha256_job_finish() then does the hashing itself. */
struct sha256_job *sha256_job_start(int fd, const struct stat *ref);

/* Waits for the hash and writes the 64 lower-case hex digits and a NUL
 * into hex. A second call gives the same answer. Returns 0, or -1 with
 * errno set: ESTALE (the file changed, see above), the error of a read,
 * or ENOMEM; hex is then unchanged. */
int sha256_job_finish(struct sha256_job *j, char hex[65]);

/* Stops the hashing if it still runs (it ends after the block it is at),
 * waits for the thread, closes fd and releases the job. NULL is fine. */
void sha256_job_free(struct sha256_job *j);

#endif /* SHA256_H */
