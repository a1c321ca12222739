/*
 * pcapsend.c - sends the frames of a capture out of an interface as fast
 * as it can, for tests/bench.sh's `live --fanout` rows (a veth pair in
 * namespaces the bench makes; never a real network).
 *
 *   pcapsend IFACE FILE [SECONDS]
 *
 * Each frame goes out at its length on the wire: a capture cut by its
 * snapshot length (the kit's mix.pcap keeps 96 bytes) is padded with zero
 * bytes back to it, so lengths in the headers hold (at most 65,549 bytes:
 * the interface's MTU must allow the largest). Sends stop at the end of the
 * file or after SECONDS (default 60): bounded. A send the kernel refuses
 * for want of buffers (ENOBUFS) is retried a bounded number of times, then
 * counted as failed. On stdout: "sent N failed F seconds S".
 * Exit 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXFRAME 65549 /* ETH_MAX_MTU plus an Ethernet header */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	double limit = 60;
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: pcapsend IFACE FILE [SECONDS]\n");
		return 1;
	}
	if (argc == 4) {
		char *end;
		limit = strtod(argv[3], &end);
		if (end == argv[3] || *end || !(limit > 0) || limit > 3600) {
			fprintf(stderr, "pcapsend: bad SECONDS '%s'\n", argv[3]);
			return 1;
		}
	}
	pcap_t *in = pcap_open_offline(argv[2], err);
	if (!in) {
		fprintf(stderr, "pcapsend: %s\n", err);
		return 1;
	}
	pcap_t *out = pcap_open_live(argv[1], 96, 0, 100, err);
	if (!out) {
		fprintf(stderr, "pcapsend: %s\n", err);
		pcap_close(in);
		return 1;
	}
	static unsigned char frame[MAXFRAME];
	struct pcap_pkthdr *h;
	const unsigned char *data;
	unsigned long long sent = 0, failed = 0;
	double t0 = now_s();
	int rc;
	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		size_t len = h->len < MAXFRAME ? h->len : MAXFRAME;
		size_t cap = h->caplen < len ? h->caplen : len;
		memcpy(frame, data, cap);
		if (cap < len)
			memset(frame + cap, 0, len - cap);
		int tries = 0, ok = 1;
		while (pcap_inject(out, frame, len) < 0) {
			if (++tries > 1000 ||
			    (errno != ENOBUFS && errno != EAGAIN)) {
				ok = 0;
				break;
			}
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
		if (ok)
			sent++;
		else
			failed++;
		if (((sent + failed) & 4095) == 0 && now_s() - t0 > limit)
			break;
	}
	double secs = now_s() - t0;
	if (rc == -1)
		fprintf(stderr, "pcapsend: %s: %s\n", argv[2], pcap_geterr(in));
	printf("sent %llu failed %llu seconds %.6f\n", sent, failed, secs);
	pcap_close(out);
	pcap_close(in);
	return rc == -1 ? 1 : 0;
}
