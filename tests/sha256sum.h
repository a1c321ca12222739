/*
 * sha256sum.h - for the tests that check a digest against coreutils:
 * sha256sum() runs `sha256sum PATH` as a program. Header-only (static),
 * included by tests/test_sha256.c and tests/test_caphash.c.
 */
#ifndef TESTS_SHA256SUM_H
#define TESTS_SHA256SUM_H

#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* `sha256sum path`, run as a program: 0 with the digest in hex, or -1. */
static int sha256sum(const char *path, char hex[65])
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("sha256sum", "sha256sum", "--", path, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	char out[128];
	size_t n = 0;
	ssize_t got;
	while (n < sizeof out &&
	       (got = read(pfd[0], out + n, sizeof out - n)) > 0)
		n += (size_t)got;
	close(pfd[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 || n < 64)
		return -1;
	memcpy(hex, out, 64);
	hex[64] = '\0';
	return 0;
}

#endif /* TESTS_SHA256SUM_H */
