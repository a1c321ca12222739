/*
 * pcapngmeta.c - writes a pcap capture again as pcapng with what a file
 * may say of itself, for tests/t_inputs.sh (issue 15, pcapng details):
 *
 *   pcapngmeta IN OUT
 *
 * Two sections, the second beginning at the middle packet. Each section
 * header has a comment, shb_hardware, shb_os and shb_userappl; each has
 * one interface (the capture's link type, microsecond stamps) with a
 * name, a description and a comment; every third packet has a comment.
 * Texts carry terminal escapes (ESC, BEL, a C1 byte) that tcpscope must
 * never print raw. Prints the number of packet comments written.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static FILE *out;

static void w32(uint32_t v) { fwrite(&v, 4, 1, out); }
static void w16(uint16_t v) { fwrite(&v, 2, 1, out); }

static size_t opt_len(const char *s) { return 4 + ((strlen(s) + 3) & ~3u); }

static void opt(uint16_t code, const char *s)
{
	static const uint8_t zero[4];
	size_t n = strlen(s);
	w16(code);
	w16((uint16_t)n);
	fwrite(s, 1, n, out);
	fwrite(zero, 1, ((n + 3) & ~3u) - n, out);
}

static void section(int k)
{
	const char *c = k ? "second section, \x1b]0;retitled\x07" :
			    "taken at the tap \x1b[2J\xc2\x9b" "31m";
	const char *hw = "x86_64 \x1b[5m", *os = "Linux 6.1", *app = "pcapngmeta";
	uint32_t len = 28 + (uint32_t)(opt_len(c) + opt_len(hw) + opt_len(os) +
				       opt_len(app)) + 4;
	w32(0x0A0D0D0A);
	w32(len);
	w32(0x1A2B3C4D);
	w16(1);
	w16(0);
	w32(0xffffffff);
	w32(0xffffffff);
	opt(1, c);
	opt(2, hw);
	opt(3, os);
	opt(4, app);
	w32(0); /* opt_endofopt */
	w32(len);
}

static void iface(int k, int linktype)
{
	const char *name = k ? "mirror0" : "eth0";
	const char *desc = k ? "SPAN of \x1b[31mcore" : "uplink";
	const char *com = k ? "second" : "first interface \x07";
	uint32_t len = 20 + (uint32_t)(opt_len(name) + opt_len(desc) +
				       opt_len(com)) + 4;
	w32(1);
	w32(len);
	w16((uint16_t)linktype);
	w16(0);
	w32(262144);
	opt(2, name);
	opt(3, desc);
	opt(1, com);
	w32(0);
	w32(len);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: pcapngmeta IN OUT\n");
		return 2;
	}
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcapngmeta: %s\n", err);
		return 1;
	}
	/* Count first, to split in the middle. */
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long total = 0, n = 0, comments = 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		total++;
	pcap_close(p);
	p = pcap_open_offline(argv[1], err);
	out = p ? fopen(argv[2], "wb") : NULL;
	if (!out) {
		fprintf(stderr, "pcapngmeta: cannot write %s\n", argv[2]);
		return 1;
	}
	int lt = pcap_datalink(p);
	section(0);
	iface(0, lt);
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (n == total / 2) {
			section(1);
			iface(1, lt);
		}
		n++;
		char com[64] = "";
		if (n % 3 == 0) {
			snprintf(com, sizeof com, "packet %lu \x1b[1m", n);
			comments++;
		}
		uint32_t pad = ((h->caplen + 3) & ~3u) - h->caplen;
		uint32_t len = 32 + h->caplen + pad +
			       (com[0] ? (uint32_t)opt_len(com) + 4 : 0);
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u +
			      (uint64_t)h->ts.tv_usec;
		w32(6);
		w32(len);
		w32(0);
		w32((uint32_t)(ts >> 32));
		w32((uint32_t)ts);
		w32(h->caplen);
		w32(h->len);
		fwrite(d, 1, h->caplen, out);
		static const uint8_t zero[4];
		fwrite(zero, 1, pad, out);
		if (com[0]) {
			opt(1, com);
			w32(0);
		}
		w32(len);
	}
	pcap_close(p);
	if (fclose(out) != 0)
		return 1;
	printf("%lu\n", comments);
	return 0;
}
