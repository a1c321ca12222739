/*
 * tcpactor.c - the client and server behaviours that tests/capture/record.sh
 * records between network namespaces. One small program, the mode chosen
 * by argv; both ends of a scenario use the same MODE name.
 *
 *   tcpactor server ADDR PORT MODE [COUNT]
 *       listens on ADDR:PORT and serves COUNT connections (default 1), one
 *       after the other, each with the server half of MODE.
 *   tcpactor client ADDR PORT MODE [LPORT [ARG]]
 *       connects from local port LPORT (0: any) with the client half of
 *       MODE; ARG is a size or count for the modes that take one.
 *   tcpactor simopen LADDR LPORT RADDR RPORT T_NS FIRST
 *       simultaneous open: binds LADDR:LPORT, waits until the absolute
 *       CLOCK_REALTIME instant T_NS, connects to RADDR:RPORT. FIRST=1 sends
 *       the request and closes first, FIRST=0 answers.
 *
 * Modes (client half / server half):
 *   close-client  send 100, read 300, close     / read 100, send 300, read EOF, close
 *   close-server  send 100, read to EOF, close  / read 100, send 300, close
 *   refused       connect, expect ECONNREFUSED  / (no server)
 *   unanswered    connect, expect ETIMEDOUT     / (no server)
 *   abort         as close-client, then SO_LINGER 0 close (RST)
 *   half-close    send 100, shutdown(WR), read to EOF / read to EOF, send 3x1000 50 ms apart, close
 *   simclose      read 8-byte instant T, close at T / send T = now + 300 ms, close at T
 *   bulk          send ARG bytes (200000), shutdown(WR), read to EOF / read to EOF, send 100, close
 *   zerowin       small SO_SNDBUF, send ARG bytes (300000), shutdown, read EOF / small SO_RCVBUF, sleep 3 s, read to EOF, close
 *   keepalive     keep-alive idle 1 s interval 1 s, send 100, read 300, idle 3.5 s, close / as close-client
 *   reuse         ARG times (3): bind LPORT, close-server exchange / close-server
 *   slow          20 x (send 100, read 100) 100 ms apart, close / echo to EOF, close
 *   tfo           two connections with MSG_FASTOPEN: cookie request, then data on SYN / TCP_FASTOPEN listener, close-client
 *   many          ARG connections (20) close-client style, 50 bytes each way / close-client with 50 bytes
 *   rst-unseen    send 100, read to EOF, send 50, SO_LINGER 0 close (RST) / read 100, send 300, shutdown(WR), expect ECONNRESET
 *   slowread      send ARG bytes (300000), shutdown(WR), read to EOF / SO_RCVBUF 4096, read 2000-byte chunks 20 ms apart, send 100, close
 *   bursts        ARG bursts (8) of 16000 bytes 250 ms apart, shutdown(WR), read to EOF / read to EOF, send 100, close
 *   abort-server  as close-client, the server closes with SO_LINGER 0 (RST) after sending its 300 / -
 *
 * tcpactor server ... COUNT fork serves the connections in parallel (a
 * child process each). TCPACTOR_CC=NAME sets every socket's congestion
 * control (TCP_CONGESTION; as root, any the kernel has). With TCPACTOR_INFO=FILE in the environment every
 * connection socket appends, just before it is closed, one line of its
 * TCP_INFO to FILE: "tcpinfo ROLE SADDR SPORT DADDR DPORT busy_us=
 * rwnd_limited_us= sndbuf_limited_us= snd_cwnd= total_retrans= state=".
 *
 * Everything is bounded: alarm(60) ends a stuck process, sockets have 10 s
 * send and receive timeouts. Exit status 0 when the mode's expectations
 * held (e.g. "refused" really got ECONNREFUSED), 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static void die(const char *what)
{
	fprintf(stderr, "tcpactor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000LL),
			       (long)(t % 1000000000LL) };
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* Fills *ss from ADDR and PORT (IPv4 or IPv6); returns its length. */
static socklen_t mkaddr(struct sockaddr_storage *ss, const char *addr,
			unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	fprintf(stderr, "tcpactor: bad address %s\n", addr);
	exit(2);
}

static int mksock(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* TCPACTOR_CC=NAME: that congestion control (an accepted socket
	 * inherits its listener's), whatever the host's default. */
	const char *cc = getenv("TCPACTOR_CC");
	if (cc && *cc &&
	    setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)) != 0)
		die("TCP_CONGESTION");
	return fd;
}

static void bind_local(int fd, int family, unsigned lport)
{
	if (!lport)
		return;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)lport);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)lport);
		len = sizeof(*s6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		die("bind");
}

static void send_n(int fd, size_t n)
{
	char buf[16384];
	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		ssize_t w = send(fd, buf, k, MSG_NOSIGNAL);
		if (w <= 0)
			die("send");
		n -= (size_t)w;
	}
}

/* Reads exactly n bytes (or to EOF when n is 0); returns bytes read. */
static size_t recv_n(int fd, size_t n)
{
	char buf[16384];
	size_t got = 0;
	for (int i = 0; i < 100000; i++) {
		size_t want = sizeof(buf);
		if (n && n - got < want)
			want = n - got;
		ssize_t r = recv(fd, buf, want, 0);
		if (r < 0)
			die("recv");
		if (r == 0)
			break;
		got += (size_t)r;
		if (n && got >= n)
			break;
	}
	return got;
}

/* Closes a connection socket, logging its TCP_INFO first (see above). */
static const char *role = "?";
static char names[2][INET6_ADDRSTRLEN + 8] = { "? 0", "? 0" };

/* Notes the connection's addresses (getpeername fails once it is closed). */
static void note_names(int fd)
{
	struct sockaddr_storage a[2];
	for (int k = 0; k < 2; k++) {
		socklen_t l = sizeof(a[k]);
		char h[INET6_ADDRSTRLEN] = "?";
		unsigned port = 0;
		if ((k ? getpeername(fd, (struct sockaddr *)&a[k], &l)
		       : getsockname(fd, (struct sockaddr *)&a[k], &l)) != 0)
			continue;
		if (a[k].ss_family == AF_INET) {
			struct sockaddr_in *x = (struct sockaddr_in *)&a[k];
			inet_ntop(AF_INET, &x->sin_addr, h, sizeof(h));
			port = ntohs(x->sin_port);
		} else {
			struct sockaddr_in6 *x = (struct sockaddr_in6 *)&a[k];
			inet_ntop(AF_INET6, &x->sin6_addr, h, sizeof(h));
			port = ntohs(x->sin6_port);
		}
		snprintf(names[k], sizeof(names[k]), "%s %u", h, port);
	}
}

static void closeinfo(int fd)
{
	const char *path = getenv("TCPACTOR_INFO");
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (path && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0) {
		FILE *f = fopen(path, "a");
		if (f) {
			fprintf(f, "tcpinfo %s %s %s busy_us=%llu rwnd_limited_us=%llu "
				   "sndbuf_limited_us=%llu snd_cwnd=%u total_retrans=%u state=%u\n",
				role, names[0], names[1], (unsigned long long)ti.tcpi_busy_time,
				(unsigned long long)ti.tcpi_rwnd_limited,
				(unsigned long long)ti.tcpi_sndbuf_limited, ti.tcpi_snd_cwnd,
				ti.tcpi_total_retrans, (unsigned)ti.tcpi_state);
			fclose(f);
		}
	}
	close(fd);
}

static void linger0(int fd)
{
	struct linger l = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Connects; returns the socket, or -1 with errno set. */
static int dial(const char *addr, unsigned port, unsigned lport)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, addr, port);
	int fd = mksock(ss.ss_family);
	bind_local(fd, ss.ss_family, lport);
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	note_names(fd);
	return fd;
}

static int must_dial(const char *addr, unsigned port, unsigned lport)
{
	int fd = dial(addr, port, lport);
	if (fd < 0)
		die("connect");
	return fd;
}

/* ---- Client halves ------------------------------------------------------ */

static int client(const char *addr, unsigned port, const char *mode,
		  unsigned lport, long arg)
{
	int fd;
	if (strcmp(mode, "refused") == 0 || strcmp(mode, "unanswered") == 0) {
		int want = mode[0] == 'r' ? ECONNREFUSED : ETIMEDOUT;
		fd = dial(addr, port, lport);
		if (fd >= 0) {
			fprintf(stderr, "tcpactor: connected, expected %s\n",
				strerror(want));
			return 1;
		}
		if (errno != want) {
			fprintf(stderr, "tcpactor: got %s, expected %s\n",
				strerror(errno), strerror(want));
			return 1;
		}
		return 0;
	}
	if (strcmp(mode, "close-client") == 0 || strcmp(mode, "abort") == 0 ||
	    strcmp(mode, "keepalive") == 0) {
		fd = must_dial(addr, port, lport);
		if (mode[0] == 'k') {
			int one = 1, idle = 1, intvl = 1, cnt = 5;
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one,
				   sizeof(one));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
				   sizeof(idle));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
				   sizeof(intvl));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt,
				   sizeof(cnt));
		}
		send_n(fd, 100);
		if (recv_n(fd, 300) != 300)
			return 1;
		if (mode[0] == 'k')
			sleep_ms(3500);
		if (mode[0] == 'a') {
			sleep_ms(100);
			linger0(fd);
		}
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "rst-unseen") == 0) {
		/* The server waits in FIN-WAIT-2; the 50 bytes (dropped by
		 * the forwarder) put the RST beyond its RCV.NXT. */
		fd = must_dial(addr, port, lport);
		send_n(fd, 100);
		size_t got = recv_n(fd, 0);
		send_n(fd, 50);
		linger0(fd);
		closeinfo(fd);
		return got == 300 ? 0 : 1;
	}
	if (strcmp(mode, "close-server") == 0 || strcmp(mode, "reuse") == 0) {
		long times = mode[0] == 'r' ? (arg ? arg : 3) : 1;
		for (long i = 0; i < times; i++) {
			if (i)
				sleep_ms(200);
			fd = must_dial(addr, port, lport);
			send_n(fd, 100);
			size_t got = recv_n(fd, 0);
			closeinfo(fd);
			if (got != 300)
				return 1;
		}
		return 0;
	}
	if (strcmp(mode, "half-close") == 0) {
		fd = must_dial(addr, port, lport);
		send_n(fd, 100);
		shutdown(fd, SHUT_WR);
		size_t got = recv_n(fd, 0);
		closeinfo(fd);
		return got == 3000 ? 0 : 1;
	}
	if (strcmp(mode, "simclose") == 0) {
		fd = must_dial(addr, port, lport);
		unsigned char t[8];
		if (recv(fd, t, 8, MSG_WAITALL) != 8)
			die("recv instant");
		int64_t at = 0;
		for (int i = 0; i < 8; i++)
			at = at << 8 | t[i];
		sleep_until(at);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "bursts") == 0) {
		fd = must_dial(addr, port, lport);
		for (long i = 0; i < (arg ? arg : 8); i++) {
			if (i)
				sleep_ms(250);
			send_n(fd, 16000);
		}
		shutdown(fd, SHUT_WR);
		size_t got = recv_n(fd, 0);
		closeinfo(fd);
		return got == 100 ? 0 : 1;
	}
	if (strcmp(mode, "abort-server") == 0) {
		fd = must_dial(addr, port, lport);
		send_n(fd, 100);
		size_t got = recv_n(fd, 300);
		char c;
		ssize_t r = recv(fd, &c, 1, 0);
		int e = errno;
		closeinfo(fd);
		return got == 300 && r < 0 && e == ECONNRESET ? 0 : 1;
	}
	if (strcmp(mode, "bulk") == 0 || strcmp(mode, "zerowin") == 0 ||
	    strcmp(mode, "slowread") == 0) {
		size_t size = (size_t)(arg ? arg : mode[0] == 'b' ? 200000 : 300000);
		struct sockaddr_storage ss;
		socklen_t len = mkaddr(&ss, addr, port);
		fd = mksock(ss.ss_family);
		if (mode[0] == 'z') {
			int sb = 16384;
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
		}
		bind_local(fd, ss.ss_family, lport);
		if (connect(fd, (struct sockaddr *)&ss, len) != 0)
			die("connect");
		note_names(fd);
		send_n(fd, size);
		shutdown(fd, SHUT_WR);
		size_t got = recv_n(fd, 0);
		closeinfo(fd);
		return got == 100 ? 0 : 1;
	}
	if (strcmp(mode, "slow") == 0) {
		fd = must_dial(addr, port, lport);
		for (int i = 0; i < 20; i++) {
			send_n(fd, 100);
			if (recv_n(fd, 100) != 100)
				return 1;
			sleep_ms(100);
		}
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "tfo") == 0) {
		for (int i = 0; i < 2; i++) {
			struct sockaddr_storage ss;
			socklen_t len = mkaddr(&ss, addr, port);
			fd = mksock(ss.ss_family);
			bind_local(fd, ss.ss_family, lport ? lport + (unsigned)i : 0);
			char buf[100];
			memset(buf, 'q', sizeof(buf));
			ssize_t w = sendto(fd, buf, sizeof(buf), MSG_FASTOPEN,
					   (struct sockaddr *)&ss, len);
			if (w != (ssize_t)sizeof(buf))
				die("sendto MSG_FASTOPEN");
			if (recv_n(fd, 300) != 300)
				return 1;
			closeinfo(fd);
			sleep_ms(300);
		}
		return 0;
	}
	if (strcmp(mode, "many") == 0) {
		long n = arg ? arg : 20;
		for (long i = 0; i < n; i++) {
			fd = must_dial(addr, port, lport ? lport + (unsigned)i : 0);
			send_n(fd, 50);
			if (recv_n(fd, 50) != 50)
				return 1;
			closeinfo(fd);
			sleep_ms(20);
		}
		return 0;
	}
	fprintf(stderr, "tcpactor: unknown client mode %s\n", mode);
	return 2;
}

/* ---- Server halves ------------------------------------------------------ */

static int serve_one(int fd, const char *mode)
{
	if (strcmp(mode, "close-client") == 0 || strcmp(mode, "keepalive") == 0 ||
	    strcmp(mode, "tfo") == 0) {
		if (recv_n(fd, 100) != 100)
			return 1;
		send_n(fd, 300);
		recv_n(fd, 0);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "many") == 0) {
		if (recv_n(fd, 50) != 50)
			return 1;
		send_n(fd, 50);
		recv_n(fd, 0);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "rst-unseen") == 0) {
		if (recv_n(fd, 100) != 100)
			return 1;
		send_n(fd, 300);
		shutdown(fd, SHUT_WR);
		char c;
		ssize_t r = recv(fd, &c, 1, 0);
		closeinfo(fd);
		return r < 0 && errno == ECONNRESET ? 0 : 1;
	}
	if (strcmp(mode, "abort") == 0) {
		if (recv_n(fd, 100) != 100)
			return 1;
		send_n(fd, 300);
		char c;
		ssize_t r = recv(fd, &c, 1, 0);
		closeinfo(fd);
		return r < 0 && errno == ECONNRESET ? 0 : 1;
	}
	if (strcmp(mode, "close-server") == 0 || strcmp(mode, "reuse") == 0) {
		if (recv_n(fd, 100) != 100)
			return 1;
		send_n(fd, 300);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "half-close") == 0) {
		recv_n(fd, 0);
		for (int i = 0; i < 3; i++) {
			send_n(fd, 1000);
			sleep_ms(50);
		}
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "simclose") == 0) {
		int64_t at = now_ns() + 300 * 1000000LL;
		unsigned char t[8];
		for (int i = 0; i < 8; i++)
			t[i] = (unsigned char)(at >> (56 - 8 * i));
		if (send(fd, t, 8, 0) != 8)
			die("send instant");
		sleep_until(at);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "abort-server") == 0) {
		if (recv_n(fd, 100) != 100)
			return 1;
		send_n(fd, 300);
		sleep_ms(100);
		linger0(fd);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "slowread") == 0) {
		char buf[2000];
		for (int i = 0; i < 100000; i++) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			if (r <= 0)
				break;
			sleep_ms(20);
		}
		send_n(fd, 100);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "bulk") == 0 || strcmp(mode, "zerowin") == 0 ||
	    strcmp(mode, "bursts") == 0) {
		if (mode[0] == 'z')
			sleep_ms(3000);
		recv_n(fd, 0);
		send_n(fd, 100);
		closeinfo(fd);
		return 0;
	}
	if (strcmp(mode, "slow") == 0) {
		char buf[4096];
		for (int i = 0; i < 10000; i++) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			if (r <= 0)
				break;
			if (send(fd, buf, (size_t)r, MSG_NOSIGNAL) != r)
				break;
		}
		closeinfo(fd);
		return 0;
	}
	fprintf(stderr, "tcpactor: unknown server mode %s\n", mode);
	return 2;
}

static int server(const char *addr, unsigned port, const char *mode,
		  long count, int forks)
{
	role = "server";
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, addr, port);
	int lfd = mksock(ss.ss_family);
	if (strcmp(mode, "zerowin") == 0 || strcmp(mode, "slowread") == 0) {
		int rb = 4096; /* inherited by accepted sockets */
		setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	}
	if (strcmp(mode, "tfo") == 0) {
		int q = 16;
		if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &q, sizeof(q)) != 0)
			die("TCP_FASTOPEN");
	}
	if (bind(lfd, (struct sockaddr *)&ss, len) != 0)
		die("bind");
	if (listen(lfd, 16) != 0)
		die("listen");
	int rc = 0;
	for (long i = 0; i < (count > 0 ? count : 1); i++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		note_names(fd);
		struct timeval tv = { 10, 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (forks) {
			pid_t p = fork();
			if (p == 0) {
				close(lfd);
				_exit(serve_one(fd, mode));
			}
			close(fd);
			if (p < 0)
				rc = 1;
			continue;
		}
		if (serve_one(fd, mode) != 0)
			rc = 1;
	}
	close(lfd);
	for (int i = 0; forks && i < 100000; i++) {
		int st;
		pid_t p = wait(&st);
		if (p < 0)
			break;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}

/* ---- Simultaneous open -------------------------------------------------- */

static int simopen(const char *laddr, unsigned lport, const char *raddr,
		   unsigned rport, int64_t at, int first)
{
	struct sockaddr_storage ls, rs;
	socklen_t llen = mkaddr(&ls, laddr, lport);
	socklen_t rlen = mkaddr(&rs, raddr, rport);
	int fd = mksock(ls.ss_family);
	if (bind(fd, (struct sockaddr *)&ls, llen) != 0)
		die("bind");
	sleep_until(at);
	if (connect(fd, (struct sockaddr *)&rs, rlen) != 0)
		die("connect");
	if (first) {
		send_n(fd, 100);
		if (recv_n(fd, 200) != 200)
			return 1;
		close(fd);
		return 0;
	}
	if (recv_n(fd, 100) != 100)
		return 1;
	send_n(fd, 200);
	recv_n(fd, 0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(60);
	if (argc >= 5 && strcmp(argv[1], "server") == 0)
		return server(argv[2], (unsigned)atoi(argv[3]), argv[4],
			      argc > 5 ? atol(argv[5]) : 1,
			      argc > 6 && strcmp(argv[6], "fork") == 0);
	if (argc >= 5 && strcmp(argv[1], "client") == 0 && (role = "client"))
		return client(argv[2], (unsigned)atoi(argv[3]), argv[4],
			      argc > 5 ? (unsigned)atoi(argv[5]) : 0,
			      argc > 6 ? atol(argv[6]) : 0);
	if (argc == 8 && strcmp(argv[1], "simopen") == 0)
		return simopen(argv[2], (unsigned)atoi(argv[3]), argv[4],
			       (unsigned)atoi(argv[5]), atoll(argv[6]),
			       atoi(argv[7]));
	fprintf(stderr,
		"usage: tcpactor server ADDR PORT MODE [COUNT [fork]]\n"
		"       tcpactor client ADDR PORT MODE [LPORT [ARG]]\n"
		"       tcpactor simopen LADDR LPORT RADDR RPORT T_NS FIRST\n");
	return 2;
}
