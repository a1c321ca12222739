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
 * Per-connection rules (tests/kernel/record.sh; a connection is a 4-tuple,
 * its counts start again at a client SYN with a new sequence number):
 *
 *   -k DIR:KIND:N[:ACT]  the Nth segment (from 1; * = every one) of KIND
 *           in direction DIR (c2s or s2c) of each connection: ACT drop
 *           (default), hold (swap it with the next segment of the same
 *           connection and direction) or rst (forward it, then send a
 *           forged RST+ACK after it, in window but 100 bytes beyond the
 *           segment's end: not at RCV.NXT). KIND is syn (SYN without
 *           ACK), synack, data (payload > 0), fin, rst, ack (no payload,
 *           no SYN/FIN/RST) or lastack (an ack sent after this direction's
 *           FIN and the other's: the final ACK of a close)
 *   -p DIR:PERMILLE  drop each data segment of DIR with that probability
 *           (a xorshift generator seeded by -s SEED, default 1)
 *   -b DIR:AFTER:LEN  blackhole: drop every segment of DIR between AFTER
 *           and AFTER+LEN ms after the connection's first data segment
 *   -q MS   bufferbloat: the delay of a data segment grows by MS/100 ms
 *           for each data segment still queued ahead of it (both ways)
 *   -a LOG  log every TCP segment, one line each:
 *           MONO_NS DIR FATE SADDR SPORT DADDR DPORT SEQ ACK LEN FLAGS
 *           (FATE fwd, drop, hold, rel, inj; FLAGS as tcpdump: S F R P .)
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
#define MAXCONN 512

enum kind { K_SYN, K_SYNACK, K_DATA, K_FIN, K_RST, K_ACK, K_LASTACK, NKIND };
static const char *const kind_names[NKIND] = { "syn", "synack", "data", "fin",
					       "rst", "ack", "lastack" };
enum act { A_DROP, A_HOLD, A_RST };

struct rule {
	int dir;   /* 0 c2s, 1 s2c */
	int kind;
	long n;    /* 0: every one */
	int act;
};

/* One connection, oriented client (IF_C side) first. */
struct conn {
	int used;
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
	uint32_t isn;
	long count[2][NKIND];
	int fin[2];
	int64_t first_data;
	long lru;
};

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
	uint32_t ack;
	uint32_t len;
	uint8_t flags;
	int v6;
	const uint8_t *src, *dst; /* addresses in the frame */
	uint16_t sport, dport;
	size_t iphl, thl;
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
	ti->ack = (uint32_t)t[8] << 24 | (uint32_t)t[9] << 16 |
		  (uint32_t)t[10] << 8 | t[11];
	ti->flags = t[13];
	ti->len = (uint32_t)(iplen - iphl - thl);
	ti->v6 = et == 0x86dd;
	ti->src = ti->v6 ? ip + 8 : ip + 12;
	ti->dst = ti->v6 ? ip + 24 : ip + 16;
	ti->sport = (uint16_t)(t[0] << 8 | t[1]);
	ti->dport = (uint16_t)(t[2] << 8 | t[3]);
	ti->iphl = iphl;
	ti->thl = thl;
	return 1;
}

static int has(const long *list, int n, long v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

static struct conn conns[MAXCONN];
static long lru_clock;

/* The connection of a segment going in direction dir (0 c2s). */
static struct conn *conn_of(const struct tcpinfo *ti, int dir)
{
	size_t al = ti->v6 ? 16 : 4;
	const uint8_t *ca = dir ? ti->dst : ti->src, *sa = dir ? ti->src : ti->dst;
	uint16_t cp = dir ? ti->dport : ti->sport, sp = dir ? ti->sport : ti->dport;
	struct conn *victim = &conns[0];
	for (int i = 0; i < MAXCONN; i++) {
		struct conn *c = &conns[i];
		if (c->used && c->cport == cp && c->sport == sp &&
		    memcmp(c->caddr, ca, al) == 0 && memcmp(c->saddr, sa, al) == 0) {
			c->lru = ++lru_clock;
			return c;
		}
		if (!c->used || c->lru < victim->lru)
			victim = c;
	}
	memset(victim, 0, sizeof(*victim));
	victim->used = 1;
	memcpy(victim->caddr, ca, al);
	memcpy(victim->saddr, sa, al);
	victim->cport = cp;
	victim->sport = sp;
	victim->lru = ++lru_clock;
	return victim;
}

static uint32_t rng_state = 1;

static uint32_t rng(void)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

/* Makes in out[] a RST+ACK from the segment f (parsed as ti), without
 * payload, at sequence number seq; returns its length. */
static size_t forge_rst(const uint8_t *f, const struct tcpinfo *ti,
			uint32_t seq, uint8_t *out)
{
	size_t hl = 14 + ti->iphl + ti->thl;
	memcpy(out, f, hl);
	uint8_t *ip = out + 14, *t = ip + ti->iphl;
	if (ti->v6) {
		ip[4] = (uint8_t)(ti->thl >> 8);
		ip[5] = (uint8_t)ti->thl;
	} else {
		size_t tl = ti->iphl + ti->thl;
		ip[2] = (uint8_t)(tl >> 8);
		ip[3] = (uint8_t)tl;
		ip[10] = ip[11] = 0;
		uint16_t c = csum_fold(csum_add(0, ip, ti->iphl));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	}
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	t[13] = 0x14; /* RST ACK */
	t[16] = t[17] = 0;
	size_t al = ti->v6 ? 16 : 4;
	uint32_t sum = csum_add(0, ti->v6 ? ip + 8 : ip + 12, 2 * al);
	sum += 6 + (uint32_t)ti->thl;
	uint16_t c = csum_fold(csum_add(sum, t, ti->thl));
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return hl;
}

static FILE *allfp;

static void log_seg(const char *fate, int dir, const struct tcpinfo *ti,
		    uint32_t seq)
{
	if (!allfp)
		return;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], fl[8];
	int af = ti->v6 ? AF_INET6 : AF_INET;
	inet_ntop(af, ti->src, a, sizeof(a));
	inet_ntop(af, ti->dst, b, sizeof(b));
	int k = 0;
	if (ti->flags & 0x02) fl[k++] = 'S';
	if (ti->flags & 0x01) fl[k++] = 'F';
	if (ti->flags & 0x04) fl[k++] = 'R';
	if (ti->flags & 0x08) fl[k++] = 'P';
	if (ti->flags & 0x10) fl[k++] = '.';
	fl[k] = 0;
	fprintf(allfp, "%lld %s %s %s %u %s %u %u %u %u %s\n",
		(long long)mono_ns(), dir ? "s2c" : "c2s", fate, a, ti->sport,
		b, ti->dport, seq, ti->ack, ti->len, fl);
}

static int parse_rule(const char *arg, struct rule *r)
{
	char d[8], k[16], n[16], a[8] = "drop";
	if (sscanf(arg, "%7[^:]:%15[^:]:%15[^:]:%7s", d, k, n, a) < 3)
		return -1;
	r->dir = strcmp(d, "s2c") == 0;
	if (!r->dir && strcmp(d, "c2s") != 0)
		return -1;
	r->kind = -1;
	for (int i = 0; i < NKIND; i++)
		if (strcmp(k, kind_names[i]) == 0)
			r->kind = i;
	r->n = strcmp(n, "*") == 0 ? 0 : atol(n);
	r->act = strcmp(a, "hold") == 0 ? A_HOLD : strcmp(a, "rst") == 0 ? A_RST :
		 strcmp(a, "drop") == 0 ? A_DROP : -1;
	return r->kind < 0 || r->act < 0 || (r->n <= 0 && n[0] != '*') ? -1 : 0;
}

struct queue {
	struct frame q[MAXF];
	size_t head, n;
	int64_t last_due;
	long data; /* data segments queued */
};

static void enqueue(struct queue *qu, int fd_out, int out, const uint8_t *d,
		    size_t len, int64_t delay_ns, int data)
{
	if (delay_ns <= 0 || qu->n == MAXF) {
		send(fd_out, d, len, 0);
		return;
	}
	struct frame *fr = &qu->q[(qu->head + qu->n) % MAXF];
	fr->data = malloc(len);
	if (!fr->data)
		return;
	memcpy(fr->data, d, len);
	fr->len = len;
	fr->out = out | (data ? 2 : 0);
	fr->due = mono_ns() + delay_ns;
	if (fr->due < qu->last_due) /* FIFO */
		fr->due = qu->last_due;
	qu->last_due = fr->due;
	qu->data += data;
	qu->n++;
}

int main(int argc, char **argv)
{
	long delay_ms = 0, secs = 60, bloat = 0;
	long drops[MAXRULES], holds[MAXRULES];
	struct rule rules[MAXRULES];
	int ndrop = 0, nhold = 0, nrule = 0;
	long permille[2] = { 0, 0 };
	long bh_after[2] = { -1, -1 }, bh_len[2] = { 0, 0 };
	const char *logpath = NULL, *allpath = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "D:d:r:t:l:k:p:s:b:q:a:")) != -1) {
		char d[8];
		long x, y;
		switch (opt) {
		case 'D': delay_ms = atol(optarg); break;
		case 'd': if (ndrop < MAXRULES) drops[ndrop++] = atol(optarg); break;
		case 'r': if (nhold < MAXRULES) holds[nhold++] = atol(optarg); break;
		case 't': secs = atol(optarg); break;
		case 'l': logpath = optarg; break;
		case 'a': allpath = optarg; break;
		case 's': rng_state = (uint32_t)atol(optarg) | 1; break;
		case 'q': bloat = atol(optarg); break;
		case 'k':
			if (nrule == MAXRULES || parse_rule(optarg, &rules[nrule]) != 0) {
				fprintf(stderr, "fwd: bad rule %s\n", optarg);
				return 2;
			}
			nrule++;
			break;
		case 'p':
			if (sscanf(optarg, "%7[^:]:%ld", d, &x) != 2)
				return 2;
			permille[strcmp(d, "s2c") == 0] = x;
			break;
		case 'b':
			if (sscanf(optarg, "%7[^:]:%ld:%ld", d, &x, &y) != 3)
				return 2;
			bh_after[strcmp(d, "s2c") == 0] = x;
			bh_len[strcmp(d, "s2c") == 0] = y;
			break;
		default:
			fprintf(stderr, "usage: fwd [-D MS] [-d N]... [-r N]... "
					"[-k DIR:KIND:N[:ACT]]... [-p DIR:PERMILLE] "
					"[-s SEED] [-b DIR:AFTER:LEN] [-q MS] "
					"[-t S] [-l LOG] [-a LOG] IF_C IF_S\n");
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
	if (allpath) {
		allfp = fopen(allpath, "w");
		if (!allfp) {
			perror(allpath);
			return 1;
		}
		setvbuf(allfp, NULL, _IOLBF, 0);
	}
	fprintf(logfp, "# fwd delay=%ldms drops=%d holds=%d %s -> %s\n",
		delay_ms, ndrop, nhold, argv[optind], argv[optind + 1]);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);

	int fds[2] = { open_if(argv[optind]), open_if(argv[optind + 1]) };
	static struct queue qu;
	/* The held segment: a legacy -r one (released after the next c2s
	 * data segment) or a -k ...:hold one (after the next segment of its
	 * connection and direction). */
	uint8_t *held = NULL;
	size_t held_len = 0;
	struct tcpinfo held_ti;
	memset(&held_ti, 0, sizeof(held_ti));
	long held_n = 0;
	int held_legacy = 0, held_dir = 0;
	struct conn *held_conn = NULL;
	int64_t held_since = 0;
	long ndata = 0;
	uint32_t isn = 0;
	int64_t end = mono_ns() + secs * 1000000000LL;
	static uint8_t buf[FRAME], forged[256];

	while (!stop && mono_ns() < end) {
		int64_t now = mono_ns();
		/* Release due frames (FIFO). */
		while (qu.n > 0 && qu.q[qu.head].due <= now) {
			struct frame *fr = &qu.q[qu.head];
			if (send(fds[fr->out & 1], fr->data, fr->len, 0) < 0 &&
			    errno != ENOBUFS)
				perror("fwd: send");
			if (fr->out & 2)
				qu.data--;
			free(fr->data);
			qu.head = (qu.head + 1) % MAXF;
			qu.n--;
		}
		/* A held segment with no successor for 200 ms goes anyway. */
		if (held && now - held_since > 200000000LL) {
			fprintf(logfp, "release %s n=%ld seq=%u rel=%u len=%u "
				      "after timeout\n", held_dir ? "s2c" : "c2s",
				held_n, held_ti.seq, held_ti.seq - isn, held_ti.len);
			send(fds[!held_dir], held, held_len, 0);
			free(held);
			held = NULL;
		}
		int timeout = 50;
		if (qu.n > 0) {
			int64_t w = (qu.q[qu.head].due - now) / 1000000LL;
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
			int out = !i, dir = i;
			struct tcpinfo ti;
			int tcp = parse(buf, (size_t)n, &ti);
			int release_held = 0, inject = 0;
			int64_t dl = delay_ms * 1000000LL;
			if (!tcp) {
				enqueue(&qu, fds[out], out, buf, (size_t)n, dl, 0);
				continue;
			}
			/* Per-connection bookkeeping. */
			struct conn *c = conn_of(&ti, dir);
			int syn = ti.flags & 0x02, ack = ti.flags & 0x10;
			int fin = ti.flags & 0x01, rst = ti.flags & 0x04;
			if (dir == 0 && syn && !ack && c->isn != ti.seq) {
				memset(c->count, 0, sizeof(c->count));
				memset(c->fin, 0, sizeof(c->fin));
				c->first_data = 0;
				c->isn = ti.seq;
			}
			int is[NKIND] = { 0 };
			is[K_SYN] = syn && !ack;
			is[K_SYNACK] = syn && ack;
			is[K_DATA] = ti.len > 0;
			is[K_FIN] = fin != 0;
			is[K_RST] = rst != 0;
			is[K_ACK] = !syn && !fin && !rst && ti.len == 0;
			is[K_LASTACK] = is[K_ACK] && c->fin[dir] && c->fin[!dir];
			if (fin)
				c->fin[dir] = 1;
			if (ti.len > 0 && !c->first_data)
				c->first_data = mono_ns();
			int act = -1;
			for (int k = 0; k < NKIND; k++) {
				if (!is[k])
					continue;
				c->count[dir][k]++;
				for (int r = 0; r < nrule; r++)
					if (rules[r].dir == dir && rules[r].kind == k &&
					    (rules[r].n == 0 || rules[r].n == c->count[dir][k]) &&
					    act < 0)
						act = rules[r].act;
			}
			if (act < 0 && ti.len > 0 && permille[dir] > 0 &&
			    (long)(rng() % 1000) < permille[dir])
				act = A_DROP;
			if (act < 0 && bh_after[dir] >= 0 && c->first_data) {
				int64_t since = (mono_ns() - c->first_data) / 1000000LL;
				if (since >= bh_after[dir] && since < bh_after[dir] + bh_len[dir])
					act = A_DROP;
			}
			if (dir == 0 && syn)
				isn = ti.seq + 1;
			if (dir == 0 && ti.len > 0) {
				ndata++;
				if (act < 0 && has(drops, ndrop, ndata)) {
					fprintf(logfp, "drop c2s n=%ld seq=%u rel=%u len=%u\n",
						ndata, ti.seq, ti.seq - isn, ti.len);
					act = A_DROP;
				} else if (act < 0 && !held && has(holds, nhold, ndata)) {
					act = A_HOLD;
					held_legacy = 1;
				} else if (held && held_legacy) {
					release_held = 1;
				}
			}
			if (held && !held_legacy && held_conn == c && held_dir == dir &&
			    act != A_HOLD)
				release_held = 1;
			if (act == A_HOLD && held)
				act = -1; /* one held at a time */
			if (act == A_DROP) {
				log_seg("drop", dir, &ti, ti.seq);
				if (nrule || permille[dir] || bh_after[dir] >= 0)
					fprintf(logfp, "drop %s %u>%u seq=%u len=%u flags=%02x\n",
						dir ? "s2c" : "c2s", ti.sport, ti.dport,
						ti.seq, ti.len, ti.flags);
				continue;
			}
			if (act == A_HOLD) {
				held = malloc((size_t)n);
				if (!held)
					continue;
				memcpy(held, buf, (size_t)n);
				held_len = (size_t)n;
				held_ti = ti;
				held_n = dir == 0 && ti.len > 0 ? ndata : c->count[dir][K_DATA];
				held_since = mono_ns();
				held_dir = dir;
				held_conn = c;
				if (held_legacy && dir == 0 && has(holds, nhold, ndata))
					held_legacy = 1;
				else
					held_legacy = 0;
				fprintf(logfp, "hold %s n=%ld seq=%u rel=%u len=%u\n",
					dir ? "s2c" : "c2s", held_n, ti.seq,
					ti.seq - isn, ti.len);
				log_seg("hold", dir, &ti, ti.seq);
				continue;
			}
			if (act == A_RST)
				inject = 1;
			log_seg("fwd", dir, &ti, ti.seq);
			if (bloat > 0)
				dl += qu.data * bloat * 10000LL; /* MS/100 ms each */
			enqueue(&qu, fds[out], out, buf, (size_t)n, dl, ti.len > 0);
			if (release_held) {
				fprintf(logfp, "release %s n=%ld seq=%u rel=%u len=%u after n=%ld\n",
					held_dir ? "s2c" : "c2s", held_n, held_ti.seq,
					held_ti.seq - isn, held_ti.len,
					dir == 0 && ti.len > 0 ? ndata : c->count[dir][K_DATA]);
				struct tcpinfo hti;
				if (parse(held, held_len, &hti))
					log_seg("rel", held_dir, &hti, hti.seq);
				enqueue(&qu, fds[!held_dir], !held_dir, held, held_len, dl,
					held_ti.len > 0);
				free(held);
				held = NULL;
			}
			if (inject) {
				uint32_t seq = ti.seq + ti.len + (fin ? 1 : 0) + 100;
				size_t fl2 = forge_rst(buf, &ti, seq, forged);
				struct tcpinfo fti;
				if (parse(forged, fl2, &fti))
					log_seg("inj", dir, &fti, fti.seq);
				fprintf(logfp, "inject %s rst %u>%u seq=%u\n",
					dir ? "s2c" : "c2s", ti.sport, ti.dport, seq);
				enqueue(&qu, fds[out], out, forged, fl2, dl, 0);
			}
		}
	}
	if (allfp)
		fclose(allfp);
	return 0;
}
