/*
 * fwd.c - a tiny Layer-2 forwarder with deterministic impairments, for
 * recording loss, delay and reordering without sch_netem.
 *
 *   fwd [-D MS] [-d N]... [-r N]... [-t SECONDS] [-l LOG] IF_C IF_S
 *
 * It runs in the middle namespace of tests/capture/record.sh: an AF_PACKET
 * raw socket on each middle interface (IF_C faces the client, IF_S the
 * server), every frame read on one is written on the other. Frames going
 * from IF_C to IF_S are "c2s", the others "s2c". Impairments:
 *
 *   -D MS   delay every frame (both directions, ARP too) by MS milliseconds
 *   -d N    drop the Nth c2s TCP data segment (payload > 0), counted from 1
 *           over the whole run; may be repeated
 *   -r N    hold the Nth c2s data segment back and release it right after
 *           the next c2s data segment (a swap); may be repeated
 *   -t S    exit after S seconds (default 60); SIGTERM/SIGINT end it too
 *
 * The log (stdout or -l LOG) starts with a "# fwd ..." line giving the
 * settings, then has one line per impaired segment, and is the truth for
 * the retransmission and out-of-order counts of the capture:
 *
 *   drop c2s n=5 seq=3253356789 rel=5793 len=1448
 *   hold c2s n=9 seq=... rel=... len=...
 *   release c2s n=9 seq=... rel=... len=... after n=10
 *
 * rel is the sequence number relative to the client's last SYN (ISN + 1 is
 * rel 1, the first data byte). Ethernet with IPv4 or IPv6 (no extension
 * headers) is parsed; other frames are only forwarded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define MAXF 2048      /* frames in flight (delay queue) */
#define FRAME 65536
#define MAXRULES 32

struct frame {
	int64_t due;   /* ns, CLOCK_MONOTONIC */
	int out;       /* index of the output socket */
	size_t len;
	uint8_t *data;
};

static volatile sig_atomic_t stop;
static FILE *logfp;

static void on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_if(const char *name)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		exit(1);
	}
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(name);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "fwd: cannot bind to %s: %s\n", name,
			strerror(errno));
		exit(1);
	}
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	struct packet_mreq mr;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = sll.sll_ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	return fd;
}

/* TCP facts of a frame; returns 1 if it is TCP over Ethernet/IP. */
struct tcpinfo {
	uint32_t seq;
	uint32_t len;
	uint8_t flags;
};

static int parse(const uint8_t *f, size_t n, struct tcpinfo *ti)
{
	if (n < 14)
		return 0;
	unsigned et = (unsigned)(f[12] << 8 | f[13]);
	const uint8_t *ip = f + 14;
	size_t rem = n - 14;
	size_t iphl, iplen;
	if (et == 0x0800) {
		if (rem < 20 || ip[9] != 6)
			return 0;
		iphl = (size_t)(ip[0] & 0x0f) * 4;
		iplen = (size_t)(ip[2] << 8 | ip[3]);
	} else if (et == 0x86dd) {
		if (rem < 40 || ip[6] != 6)
			return 0;
		iphl = 40;
		iplen = 40 + (size_t)(ip[4] << 8 | ip[5]);
	} else {
		return 0;
	}
	if (iplen > rem || iphl + 20 > iplen)
		return 0;
	const uint8_t *t = ip + iphl;
	size_t thl = (size_t)(t[12] >> 4) * 4;
	if (thl < 20 || iphl + thl > iplen)
		return 0;
	ti->seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 |
		  (uint32_t)t[6] << 8 | t[7];
	ti->flags = t[13];
	ti->len = (uint32_t)(iplen - iphl - thl);
	return 1;
}

static int has(const long *list, int n, long v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long delay_ms = 0, secs = 60;
	long drops[MAXRULES], holds[MAXRULES];
	int ndrop = 0, nhold = 0;
	const char *logpath = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "D:d:r:t:l:")) != -1) {
		switch (opt) {
		case 'D': delay_ms = atol(optarg); break;
		case 'd': if (ndrop < MAXRULES) drops[ndrop++] = atol(optarg); break;
		case 'r': if (nhold < MAXRULES) holds[nhold++] = atol(optarg); break;
		case 't': secs = atol(optarg); break;
		case 'l': logpath = optarg; break;
		default:
			fprintf(stderr, "usage: fwd [-D MS] [-d N]... [-r N]... "
					"[-t S] [-l LOG] IF_C IF_S\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "fwd: need IF_C and IF_S\n");
		return 2;
	}
	logfp = logpath ? fopen(logpath, "w") : stdout;
	if (!logfp) {
		perror(logpath);
		return 1;
	}
	setvbuf(logfp, NULL, _IOLBF, 0);
	fprintf(logfp, "# fwd delay=%ldms drops=%d holds=%d %s -> %s\n",
		delay_ms, ndrop, nhold, argv[optind], argv[optind + 1]);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);

	int fds[2] = { open_if(argv[optind]), open_if(argv[optind + 1]) };
	static struct frame q[MAXF];
	size_t qhead = 0, qn = 0;
	uint8_t *held = NULL;
	size_t held_len = 0;
	struct tcpinfo held_ti = { 0, 0, 0 };
	long held_n = 0;
	int64_t held_since = 0;
	long ndata = 0;
	uint32_t isn = 0;
	int64_t end = mono_ns() + secs * 1000000000LL;
	static uint8_t buf[FRAME];

	while (!stop && mono_ns() < end) {
		int64_t now = mono_ns();
		/* Release due frames (FIFO: the delay is constant). */
		while (qn > 0 && q[qhead].due <= now) {
			struct frame *fr = &q[qhead];
			if (send(fds[fr->out], fr->data, fr->len, 0) < 0 &&
			    errno != ENOBUFS)
				perror("fwd: send");
			free(fr->data);
			qhead = (qhead + 1) % MAXF;
			qn--;
		}
		/* A held segment with no successor for 200 ms goes anyway. */
		if (held && now - held_since > 200000000LL) {
			fprintf(logfp, "release c2s n=%ld seq=%u rel=%u len=%u "
				      "after timeout\n", held_n, held_ti.seq,
				held_ti.seq - isn, held_ti.len);
			send(fds[1], held, held_len, 0);
			free(held);
			held = NULL;
		}
		int timeout = 50;
		if (qn > 0) {
			int64_t w = (q[qhead].due - now) / 1000000LL;
			if (w < timeout)
				timeout = w < 0 ? 0 : (int)w;
		}
		struct pollfd pf[2] = { { fds[0], POLLIN, 0 },
					{ fds[1], POLLIN, 0 } };
		if (poll(pf, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!(pf[i].revents & POLLIN))
				continue;
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fds[i], buf, sizeof(buf),
					     MSG_DONTWAIT,
					     (struct sockaddr *)&from, &fl);
			if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
				continue;
			int out = !i;
			struct tcpinfo ti;
			int tcp = parse(buf, (size_t)n, &ti);
			int release_held = 0;
			if (tcp && i == 0 && (ti.flags & 0x02))
				isn = ti.seq + 1;
			if (tcp && i == 0 && ti.len > 0) {
				ndata++;
				if (has(drops, ndrop, ndata)) {
					fprintf(logfp, "drop c2s n=%ld seq=%u rel=%u len=%u\n",
						ndata, ti.seq, ti.seq - isn, ti.len);
					continue;
				}
				if (!held && has(holds, nhold, ndata)) {
					held = malloc((size_t)n);
					if (!held)
						continue;
					memcpy(held, buf, (size_t)n);
					held_len = (size_t)n;
					held_ti = ti;
					held_n = ndata;
					held_since = mono_ns();
					fprintf(logfp, "hold c2s n=%ld seq=%u rel=%u len=%u\n",
						ndata, ti.seq, ti.seq - isn, ti.len);
					continue;
				}
				if (held)
					release_held = 1;
			}
			/* Enqueue (or send at once without delay). */
			for (int k = 0; k < 1 + release_held; k++) {
				const uint8_t *d = k ? held : buf;
				size_t len = k ? held_len : (size_t)n;
				if (k)
					fprintf(logfp, "release c2s n=%ld seq=%u rel=%u len=%u after n=%ld\n",
						held_n, held_ti.seq, held_ti.seq - isn,
						held_ti.len, ndata);
				if (delay_ms == 0 || qn == MAXF) {
					send(fds[out], d, len, 0);
				} else {
					struct frame *fr = &q[(qhead + qn) % MAXF];
					fr->data = malloc(len);
					if (!fr->data)
						continue;
					memcpy(fr->data, d, len);
					fr->len = len;
					fr->out = out;
					fr->due = mono_ns() + delay_ms * 1000000LL;
					qn++;
				}
			}
			if (release_held) {
				free(held);
				held = NULL;
			}
		}
	}
	return 0;
}
