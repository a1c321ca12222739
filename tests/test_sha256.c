/*
 * test_sha256.c - SHA-256 (libcrypto underneath) against the FIPS 180-2 /
 * NIST example vectors, fed whole and in awkward pieces; sha256_file()
 * against sha256sum's answer for files written here (one larger than its
 * 1 MiB read block); and the hashing reader (sha256_reader_*): read whole,
 * in part, not at all, seeked forward and backward, past the end, read on
 * after finishing, on an empty file and on a descriptor that cannot be
 * read. Its digest must always be sha256sum's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../analyzer/sha256.h"
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

/* ---- The hashing reader ------------------------------------------------- */

/* Opens path with a hashing reader with a bufsize-byte buffer. */
static struct sha256_reader *rd_open(const char *path, size_t bufsize,
				     FILE **f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	return sha256_reader_open(fd, bufsize, f);
}

#define RD_LEN (700 * 1000 + 3)

/* Reads the whole file in irregular pieces, through a small buffer (many
 * read calls) and a large one; the bytes are the file's, ftell() follows,
 * the digest is sha256sum's. */
static void t_reader_whole(void)
{
	char path[64], want[65];
	uint8_t *data = NULL;
	CHECK_EQ(temp_file(path, RD_LEN, 2, &data), 0);
	CHECK_EQ(sha256sum(path, want), 0);
	static const size_t bufs[] = { 4096, 256 * 1024, 4 * 1024 * 1024 };
	int bad = 0;
	for (size_t b = 0; b < sizeof bufs / sizeof bufs[0] && !bad; b++) {
		FILE *f;
		struct sha256_reader *r = rd_open(path, bufs[b], &f);
		if (!r) {
			bad = 1;
			break;
		}
		uint8_t chunk[70000];
		size_t off = 0, step = 1;
		for (;;) {
			size_t n = fread(chunk, 1, step, f);
			if (n == 0)
				break;
			if (memcmp(chunk, data + off, n) != 0)
				bad = 2;
			off += n;
			if (ftell(f) != (long)off)
				bad = 3;
			step = step * 7 % 65521 + 1;
		}
		if (off != RD_LEN || ferror(f) || !feof(f))
			bad = 4;
		char hex[65];
		if (sha256_reader_finish(r, hex) != 0 || strcmp(hex, want) != 0)
			bad = 5;
		fclose(f);
		sha256_reader_free(r);
	}
	unlink(path);
	free(data);
	CHECK_EQ(bad, 0);
}

/* Reads a little, or nothing, then finishes: the rest is read by the
 * finish. The stream, still open, goes on reading the right bytes
 * afterwards (no longer hashed); a second finish gives the same digest. */
static void t_reader_partial(void)
{
	char path[64], want[65];
	uint8_t *data = NULL;
	CHECK_EQ(temp_file(path, RD_LEN, 3, &data), 0);
	CHECK_EQ(sha256sum(path, want), 0);
	static const size_t first[] = { 0, 1, 1000, 4096, 300000, RD_LEN };
	int bad = 0;
	for (size_t i = 0; i < sizeof first / sizeof first[0] && !bad; i++) {
		FILE *f;
		struct sha256_reader *r = rd_open(path, 4096, &f);
		if (!r) {
			bad = 1;
			break;
		}
		uint8_t *chunk = malloc(RD_LEN);
		if (!chunk || fread(chunk, 1, first[i], f) != first[i] ||
		    memcmp(chunk, data, first[i]) != 0)
			bad = 2;
		char hex[65], hex2[65];
		if (sha256_reader_finish(r, hex) != 0 || strcmp(hex, want) != 0)
			bad = 3;
		size_t rest = RD_LEN - first[i];
		if (chunk && (fread(chunk, 1, RD_LEN, f) != rest ||
			      memcmp(chunk, data + first[i], rest) != 0))
			bad = 4;
		if (sha256_reader_finish(r, hex2) != 0 || strcmp(hex2, want) != 0)
			bad = 5;
		free(chunk);
		fclose(f);
		/* Finishing after the stream is closed works too. */
		if (!bad && first[i] == 1000) {
			sha256_reader_free(r);
			r = rd_open(path, 4096, &f);
			if (!r || fread(hex2, 1, 10, f) != 10)
				bad = 6;
			if (r) {
				fclose(f);
				if (sha256_reader_finish(r, hex2) != 0 ||
				    strcmp(hex2, want) != 0)
					bad = 7;
			}
		}
		sha256_reader_free(r);
	}
	unlink(path);
	free(data);
	CHECK_EQ(bad, 0);
}

/* Seeks: forward past unread (unhashed) bytes, back to bytes already
 * hashed, relative to the end, and past the end. The bytes read are the
 * file's at the position asked; the digest covers each byte once. */
static void t_reader_seek(void)
{
	char path[64], want[65];
	uint8_t *data = NULL;
	CHECK_EQ(temp_file(path, RD_LEN, 4, &data), 0);
	CHECK_EQ(sha256sum(path, want), 0);
	struct step {
		long off;
		int whence;
		size_t len;
	};
	static const struct step plan[][6] = {
		{ { 100000, SEEK_SET, 10 }, { 0, SEEK_SET, 50000 },
		  { 90000, SEEK_SET, 30000 }, { -5, SEEK_END, 100 },
		  { 0, SEEK_SET, 1 } },
		{ { 5, SEEK_SET, 1 }, { 3, SEEK_CUR, 8000 },
		  { -4000, SEEK_CUR, 9000 }, { 400000, SEEK_CUR, 2 } },
		{ { RD_LEN + 5000, SEEK_SET, 10 }, { 10, SEEK_SET, 10 } },
		{ { -1, SEEK_END, 1 }, { 0, SEEK_SET, RD_LEN } },
	};
	int bad = 0;
	for (size_t p = 0; p < sizeof plan / sizeof plan[0] && !bad; p++) {
		FILE *f;
		struct sha256_reader *r = rd_open(path, 4096, &f);
		if (!r) {
			bad = 1;
			break;
		}
		uint8_t *chunk = malloc(RD_LEN);
		for (size_t s = 0; s < 6 && plan[p][s].len && chunk; s++) {
			const struct step *st = &plan[p][s];
			if (fseek(f, st->off, st->whence) != 0) {
				bad = 10 + (int)s;
				break;
			}
			long at = ftell(f);
			if (at < 0) {
				bad = 30 + (int)s;
				break;
			}
			size_t avail = at >= RD_LEN ? 0 : (size_t)(RD_LEN - at);
			size_t want_n = st->len < avail ? st->len : avail;
			if (fread(chunk, 1, st->len, f) != want_n ||
			    memcmp(chunk, data + at, want_n) != 0 ||
			    ftell(f) != at + (long)want_n) {
				bad = 20 + (int)s;
				break;
			}
		}
		char hex[65];
		if (!chunk || sha256_reader_finish(r, hex) != 0 ||
		    strcmp(hex, want) != 0)
			bad = bad ? bad : 2;
		if (!bad && fseek(f, -1, SEEK_SET) == 0) /* before the start */
			bad = 3;
		free(chunk);
		fclose(f);
		sha256_reader_free(r);
		if (bad)
			printf("# seek plan %zu failed (%d)\n", p, bad);
	}
	unlink(path);
	free(data);
	CHECK_EQ(bad, 0);
}

static void t_reader_empty(void)
{
	char path[64], hex[65];
	CHECK_EQ(temp_file(path, 0, 5, NULL), 0);
	FILE *f;
	struct sha256_reader *r = rd_open(path, 0, &f);
	unlink(path);
	CHECK(r != NULL);
	CHECK_EQ(fgetc(f), EOF);
	CHECK(feof(f));
	CHECK_EQ(sha256_reader_finish(r, hex), 0);
	fclose(f);
	sha256_reader_free(r);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* A read error reaches the stream's user (ferror) and the finish (errno);
 * the hex is left alone. A directory cannot be read: EISDIR. */
static void t_reader_error(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	FILE *f;
	struct sha256_reader *r = sha256_reader_open(fd, 4096, &f);
	CHECK(r != NULL);
	char buf[16], hex[65] = "untouched";
	size_t n = fread(buf, 1, sizeof buf, f);
	int fe = ferror(f);
	errno = 0;
	int rc = sha256_reader_finish(r, hex);
	int e = errno;
	fclose(f);
	sha256_reader_free(r);
	CHECK_EQ(n, 0);
	CHECK(fe);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EISDIR);
	CHECK_STR(hex, "untouched");
	/* Also when the stream was never read: the finish's own read. */
	fd = open("/", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	r = sha256_reader_open(fd, 4096, &f);
	CHECK(r != NULL);
	errno = 0;
	rc = sha256_reader_finish(r, hex);
	e = errno;
	fclose(f);
	sha256_reader_free(r);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EISDIR);
	sha256_reader_free(NULL);
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
	UNIT(t_reader_whole),
	UNIT(t_reader_partial),
	UNIT(t_reader_seek),
	UNIT(t_reader_empty),
	UNIT(t_reader_error),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
