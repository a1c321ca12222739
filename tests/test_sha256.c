/*
 * test_sha256.c - SHA-256 (libcrypto underneath) against the FIPS 180-2 /
 * NIST example vectors, fed whole and in awkward pieces; sha256_file()
 * against sha256sum's answer for files written here (one larger than its
 * 1 MiB read block); and the background job (sha256_job_*): files empty,
 * small and of several blocks, finished once and twice, freed without a
 * finish (while it runs, and on a file that takes seconds to hash: the
 * stop must be quick), a file that grew, shrank, was rewritten or is not
 * the one described, and a descriptor that cannot be read. Its digest
 * must always be sha256sum's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../analyzer/capture/sha256.h"
#include "sha256sum.h"
#include "unit.h"

static int hash_str(const char *s, size_t len, size_t step, char hex[65])
{
	struct sha256 c;
	uint8_t d[32];
	if (sha256_init(&c) < 0)
		return -1;
	for (size_t i = 0; i < len; i += step)
		sha256_update(&c, s + i, len - i < step ? len - i : step);
	if (sha256_final(&c, d) < 0)
		return -1;
	sha256_hex(d, hex);
	return 0;
}

/* A temporary file of len pseudo-random bytes (same for the same seed);
 * the bytes are also left in *data if data is not NULL. */
static int temp_file(char path[64], size_t len, unsigned seed, uint8_t **data)
{
	snprintf(path, 64, "/tmp/test_sha256_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	uint8_t *b = malloc(len ? len : 1);
	if (!b) {
		close(fd);
		return -1;
	}
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
	int ok = write(fd, b, len) == (ssize_t)len;
	close(fd);
	if (data)
		*data = b;
	else
		free(b);
	return ok ? 0 : -1;
}

static void t_empty(void)
{
	char hex[65];
	CHECK_EQ(hash_str("", 0, 1, hex), 0);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void t_abc(void)
{
	char hex[65];
	CHECK_EQ(hash_str("abc", 3, 3, hex), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ(hash_str("abc", 3, 1, hex), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void t_two_blocks(void)
{
	static const char m[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char want[] =
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
	/* 56 bytes: the length no longer fits, padding spills into a block. */
	for (size_t step = 1; step <= sizeof m; step++) {
		char hex[65];
		CHECK_EQ(hash_str(m, sizeof m - 1, step, hex), 0);
		CHECK_STR(hex, want);
	}
}

static void t_long(void)
{
	static const char m[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char hex[65];
	CHECK_EQ(hash_str(m, sizeof m - 1, 7, hex), 0);
	CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void t_million_a(void)
{
	char *m = malloc(1000000);
	CHECK(m != NULL);
	memset(m, 'a', 1000000);
	char hex[65], hex1[65];
	int rc = hash_str(m, 1000000, 4096 + 13, hex);
	int rc1 = hash_str(m, 1000000, 1000000, hex1);
	free(m);
	CHECK_EQ(rc, 0);
	CHECK_EQ(rc1, 0);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	CHECK_STR(hex1, hex);
}

/* A hash may be dropped unfinished; final releases it, a second final
 * fails instead of touching freed memory. */
static void t_free_and_twice(void)
{
	struct sha256 s;
	CHECK_EQ(sha256_init(&s), 0);
	sha256_update(&s, "abc", 3);
	sha256_free(&s);
	sha256_free(&s);
	CHECK(s.ctx == NULL);
	uint8_t d[32];
	CHECK_EQ(sha256_final(&s, d), -1);
	CHECK_EQ(sha256_init(&s), 0);
	CHECK_EQ(sha256_final(&s, d), 0);
	CHECK_EQ(sha256_final(&s, d), -1);
}

static void t_file(void)
{
	char path[] = "/tmp/test_sha256_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "abc", 3), 3);
	close(fd);
	char hex[65];
	int rc = sha256_file(path, hex);
	unlink(path);
	CHECK_EQ(rc, 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	errno = 0;
	CHECK_EQ(sha256_file("/nonexistent/file", hex), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(sha256_file("/", hex), -1); /* a directory cannot be read */
	CHECK_EQ(errno, EISDIR);
}

/* Larger than sha256_file()'s 1 MiB block, and not a multiple of it. */
static void t_file_big(void)
{
	char path[64], want[65], hex[65];
	CHECK_EQ(temp_file(path, 3 * 1024 * 1024 + 17, 1, NULL), 0);
	int rc = sha256sum(path, want);
	int rc2 = sha256_file(path, hex);
	unlink(path);
	CHECK_EQ(rc, 0);
	CHECK_EQ(rc2, 0);
	CHECK_STR(hex, want);
}

/* ---- The background job -------------------------------------------------- */

/* Starts a job on path, described by its fstat() now. NULL on failure. */
static struct sha256_job *job_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return NULL;
	}
	return sha256_job_start(fd, &sb);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sizes around the 1 MiB block: the digest is sha256sum's, twice. */
static void t_job_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 700 * 1000 + 3, 1024 * 1024,
					3 * 1024 * 1024 + 5 };
	int bad = 0;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && !bad; i++) {
		char path[64], want[65], hex[65] = "", hex2[65] = "";
		if (temp_file(path, sizes[i], 7 + (unsigned)i, NULL) != 0) {
			bad = 1;
			break;
		}
		struct sha256_job *j = job_open(path);
		if (!j || sha256sum(path, want) != 0)
			bad = 2;
		else if (sha256_job_finish(j, hex) != 0 ||
			 strcmp(hex, want) != 0)
			bad = 3;
		else if (sha256_job_finish(j, hex2) != 0 ||
			 strcmp(hex2, want) != 0)
			bad = 4;
		sha256_job_free(j);
		unlink(path);
		if (bad)
			printf("# %zu bytes: %d (%s)\n", sizes[i], bad, hex);
	}
	CHECK_EQ(bad, 0);
}

/* Freed without a finish: at once, and a little later (mid-file or done).
 * No leak, no thread left (the sanitizer build checks both). */
static void t_job_free_unfinished(void)
{
	char path[64];
	CHECK_EQ(temp_file(path, 5 * 1024 * 1024 + 1, 8, NULL), 0);
	int bad = 0;
	for (int i = 0; i < 3 && !bad; i++) {
		struct sha256_job *j = job_open(path);
		if (!j)
			bad = 1;
		if (i)
			usleep(i == 1 ? 1000 : 200000);
		sha256_job_free(j);
	}
	unlink(path);
	sha256_job_free(NULL);
	CHECK_EQ(bad, 0);
}

/* A file of 4 GiB (sparse: no disk used) takes seconds to hash; freeing
 * the job must stop it after the block it is at, not read to the end. */
static void t_job_free_stops(void)
{
	char path[] = "/tmp/test_sha256_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	int rc = ftruncate(fd, (off_t)4 << 30);
	close(fd);
	if (rc != 0)
		unlink(path);
	CHECK_EQ(rc, 0);
	struct sha256_job *j = job_open(path);
	unlink(path);
	CHECK(j != NULL);
	usleep(20000); /* let it run */
	double t0 = now_s();
	sha256_job_free(j);
	double took = now_s() - t0;
	if (took >= 0.5)
		printf("# the stop took %.3f s\n", took);
	CHECK(took < 0.5);
}

/* The file changes after the start: an append, a truncation, a rewrite of
 * the same size (another mtime), before or after the thread is done. The
 * finish says ESTALE and leaves hex alone. */
static void t_job_changed(void)
{
	for (int kind = 0; kind < 3; kind++) {
		for (int late = 0; late < 2; late++) {
			char path[64], hex[65] = "untouched";
			CHECK_EQ(temp_file(path, 2 * 1024 * 1024 + 9, 9, NULL), 0);
			struct sha256_job *j = job_open(path);
			if (late)
				usleep(200000); /* the thread is done by now */
			int fd = open(path, O_WRONLY | O_APPEND);
			int ok = j && fd >= 0;
			if (ok && kind == 0)
				ok = write(fd, "x", 1) == 1;
			else if (ok && kind == 1)
				ok = ftruncate(fd, 1000) == 0;
			else if (ok) {
				const struct timespec ts[2] = { { 1000000000, 0 },
								{ 1000000000, 0 } };
				ok = futimens(fd, ts) == 0;
			}
			if (fd >= 0)
				close(fd);
			errno = 0;
			int rc = j ? sha256_job_finish(j, hex) : 0;
			int e = errno;
			sha256_job_free(j);
			unlink(path);
			if (rc != -1 || e != ESTALE)
				printf("# change %d, late %d: rc %d, %s\n", kind,
				       late, rc, strerror(e));
			CHECK(ok);
			CHECK_EQ(rc, -1);
			CHECK_EQ(e, ESTALE);
			CHECK_STR(hex, "untouched");
		}
	}
}

/* ref describes another file than fd's: ESTALE, nothing hashed. */
static void t_job_other_file(void)
{
	char a[64], b[64], hex[65] = "untouched";
	CHECK_EQ(temp_file(a, 1000, 10, NULL), 0);
	CHECK_EQ(temp_file(b, 1000, 11, NULL), 0);
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	struct stat sb;
	int ok = fa >= 0 && fb >= 0 && fstat(fb, &sb) == 0;
	if (fb >= 0)
		close(fb);
	unlink(a);
	unlink(b);
	CHECK(ok);
	struct sha256_job *j = sha256_job_start(fa, &sb);
	CHECK(j != NULL);
	errno = 0;
	int rc = sha256_job_finish(j, hex);
	int e = errno;
	sha256_job_free(j);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, ESTALE);
	CHECK_STR(hex, "untouched");
}

/* A descriptor that cannot be read (open for writing only): the read's
 * error, EBADF, and hex is left alone. */
static void t_job_read_error(void)
{
	char path[64], hex[65] = "untouched";
	CHECK_EQ(temp_file(path, 5000, 12, NULL), 0);
	int fd = open(path, O_WRONLY);
	unlink(path);
	CHECK(fd >= 0);
	struct stat sb;
	CHECK_EQ(fstat(fd, &sb), 0);
	struct sha256_job *j = sha256_job_start(fd, &sb);
	CHECK(j != NULL);
	errno = 0;
	int rc = sha256_job_finish(j, hex);
	int e = errno;
	sha256_job_free(j);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EBADF);
	CHECK_STR(hex, "untouched");
}

static const struct unit_test tests[] = {
	UNIT(t_empty),
	UNIT(t_abc),
	UNIT(t_two_blocks),
	UNIT(t_long),
	UNIT(t_million_a),
	UNIT(t_free_and_twice),
	UNIT(t_file),
	UNIT(t_file_big),
	UNIT(t_job_sizes),
	UNIT(t_job_free_unfinished),
	UNIT(t_job_free_stops),
	UNIT(t_job_changed),
	UNIT(t_job_other_file),
	UNIT(t_job_read_error),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
