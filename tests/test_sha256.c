/*
 * test_sha256.c - SHA-256 against the FIPS 180-2 / NIST example vectors,
 * fed whole and in awkward pieces, and sha256_file() against sha256sum's
 * answer for a file written here.
 */
#include <stdlib.h>
#include <unistd.h>

#include "../analyzer/sha256.h"
#include "unit.h"

static void hash_str(const char *s, size_t len, size_t step, char hex[65])
{
	struct sha256 c;
	uint8_t d[32];
	sha256_init(&c);
	for (size_t i = 0; i < len; i += step)
		sha256_update(&c, s + i, len - i < step ? len - i : step);
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

static void t_empty(void)
{
	char hex[65];
	hash_str("", 0, 1, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void t_abc(void)
{
	char hex[65];
	hash_str("abc", 3, 3, hex);
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
		hash_str(m, sizeof m - 1, step, hex);
		CHECK_STR(hex, want);
	}
}

static void t_long(void)
{
	static const char m[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char hex[65];
	hash_str(m, sizeof m - 1, 7, hex);
	CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void t_million_a(void)
{
	char *m = malloc(1000000);
	CHECK(m != NULL);
	memset(m, 'a', 1000000);
	char hex[65];
	hash_str(m, 1000000, 4096 + 13, hex);
	free(m);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
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
	CHECK_EQ(sha256_file("/nonexistent/file", hex), -1);
}

static const struct unit_test tests[] = {
	UNIT(t_empty),	   UNIT(t_abc),	 UNIT(t_two_blocks),
	UNIT(t_long),	   UNIT(t_million_a), UNIT(t_file),
	{ 0 },
};

int main(int argc, char **argv)
{
	return unit_main(tests, argc, argv);
}
