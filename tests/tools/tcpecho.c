/*
 * tcpecho.c - a tiny TCP echo server and client for tests/t_live.sh, which
 * needs a bounded, known TCP exchange between two network namespaces and
 * cannot count on nc being installed.
 *
 *   tcpecho -l ADDR PORT        accept one connection, echo until EOF,
 *                               close, exit
 *   tcpecho -c ADDR PORT N      connect, send N lines, read each echo back,
 *                               close (FIN), wait for the peer's FIN, exit
 *   tcpecho -c ADDR PORT N HOLD the same, but keep the connection open
 *                               (established, idle) HOLD seconds (0-20)
 *                               before closing
 *
 * Everything is bounded by alarm(10 + HOLD): a test never hangs on it. Exit 0 on
 * success, 1 on any failure (with a message on stderr).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 1;
}

static int addr_of(const char *ip, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(port));
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int serve(const struct sockaddr_in *sa)
{
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		return fail("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (const struct sockaddr *)sa, sizeof *sa) < 0)
		return fail("bind");
	if (listen(ls, 1) < 0)
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	int s = accept(ls, NULL, NULL);
	if (s < 0)
		return fail("accept");
	char buf[4096];
	ssize_t n;
	while ((n = read(s, buf, sizeof buf)) > 0)
		if (write(s, buf, (size_t)n) != n)
			return fail("write");
	if (n < 0)
		return fail("read");
	close(s);
	close(ls);
	return 0;
}

static int client(const struct sockaddr_in *sa, int lines, int hold)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return fail("socket");
	if (connect(s, (const struct sockaddr *)sa, sizeof *sa) < 0)
		return fail("connect");
	for (int i = 0; i < lines; i++) {
		char msg[64], back[64];
		int len = snprintf(msg, sizeof msg, "line %d\n", i);
		if (write(s, msg, (size_t)len) != len)
			return fail("write");
		int got = 0;
		while (got < len) {
			ssize_t n = read(s, back + got, (size_t)(len - got));
			if (n <= 0)
				return fail("read echo");
			got += (int)n;
		}
		if (memcmp(msg, back, (size_t)len) != 0) {
			fprintf(stderr, "tcpecho: echo differs\n");
			return 1;
		}
	}
	if (hold > 0)
		sleep((unsigned)hold);
	shutdown(s, SHUT_WR);
	char c;
	if (read(s, &c, 1) != 0) /* wait for the server's FIN */
		return fail("read at close");
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int hold = argc == 6 ? atoi(argv[5]) : 0;
	if (hold < 0 || hold > 20)
		hold = 0;
	alarm(10 + (unsigned)hold);
	if (argc == 4 && strcmp(argv[1], "-l") == 0 &&
	    addr_of(argv[2], argv[3], &sa) == 0)
		return serve(&sa);
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "-c") == 0 &&
	    addr_of(argv[2], argv[3], &sa) == 0)
		return client(&sa, atoi(argv[4]), hold);
	fprintf(stderr,
		"usage: tcpecho -l ADDR PORT | -c ADDR PORT LINES [HOLD]\n");
	return 2;
}
