/*
 * segscript.h - the compact segment scripts of the tracker tests
 * (test_tcpcore.c, test_analysis.c): one segment a line,
 *
 *     c S 100 0                         client -> server, flags, seq, ack
 *     s SA 300 101 len=0 win=0 ws=7 mss=1460 ts=10/5 sack=90-100
 *     C A 101 301 t=40 us=500 id=7 hash=3 tfo vlan=100 bad
 *
 * side: c (client 10.0.0.1:40000 -> server 10.0.0.2:80), s (the reverse),
 * C and S the same for a second client port, 40001. Flags are letters of
 * S A F R P, and E (ECE) W (CWR) as tcpdump writes them. t= sets the time in ms since the start, us= in microseconds;
 * by default each line comes 1 ms after the previous one (the first at 1 ms). sack= repeats, a
 * block each. With seg_parse()'s `auto_ids`, a segment without id= gets a
 * fresh IP ID (a counter per side) and one without hash= a payload hash
 * derived from seq and length; otherwise both stay 0.
 */
#ifndef TESTS_SEGSCRIPT_H
#define TESTS_SEGSCRIPT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tcpcore/tcpcore.h"

struct seg_clock {
	int64_t us;          /* time of the last line, since the start */
	uint16_t ipid[2];    /* next IP ID per side, for auto_ids */
	int auto_ids;
};

static inline void seg_clock_init(struct seg_clock *k, int auto_ids)
{
	memset(k, 0, sizeof(*k));
	k->ipid[0] = 1000;
	k->ipid[1] = 5000;
	k->auto_ids = auto_ids;
}

/* Parses one line into *s; returns 0 for a line that is no segment. */
static inline int seg_parse(const char *line, struct tc_segment *s,
			    struct seg_clock *k)
{
	char side, flags[8];
	unsigned long long seq, ack;
	int off = 0;
	if (sscanf(line, " %c %7s %llu %llu%n", &side, flags, &seq, &ack,
		   &off) != 4)
		return 0;
	memset(s, 0, sizeof(*s));
	int c = side == 'c' || side == 'C';
	uint16_t cport = (side == 'C' || side == 'S') ? 40001 : 40000;
	struct tc_addr a = { 4, { 10, 0, 0, 1 } }, b = { 4, { 10, 0, 0, 2 } };
	s->src = c ? a : b;
	s->dst = c ? b : a;
	s->sport = c ? cport : 80;
	s->dport = c ? 80 : cport;
	s->seq = (uint32_t)seq;
	s->ack = (uint32_t)ack;
	for (const char *f = flags; *f; f++)
		s->flags |= *f == 'S' ? TC_SYN : *f == 'A' ? TC_ACK
			  : *f == 'F' ? TC_FIN : *f == 'R' ? TC_RST
			  : *f == 'P' ? TC_PSH : *f == 'E' ? TC_ECE
			  : *f == 'W' ? TC_CWR : 0;
	s->window = 65535;
	k->us += 1000;
	int hash_set = 0, id_set = 0;
	const char *p = line + off;
	char tok[48];
	int n;
	while (sscanf(p, " %47s%n", tok, &n) == 1) {
		p += n;
		if (strncmp(tok, "len=", 4) == 0)
			s->payload_len = s->payload_caplen =
				(uint32_t)strtoul(tok + 4, NULL, 10);
		else if (strncmp(tok, "win=", 4) == 0)
			s->window = (uint16_t)strtoul(tok + 4, NULL, 10);
		else if (strncmp(tok, "t=", 2) == 0)
			k->us = strtoll(tok + 2, NULL, 10) * 1000;
		else if (strncmp(tok, "us=", 3) == 0)
			k->us = strtoll(tok + 3, NULL, 10);
		else if (strncmp(tok, "ws=", 3) == 0) {
			s->opt.present |= TC_OPT_WSCALE;
			s->opt.wscale = (uint8_t)strtoul(tok + 3, NULL, 10);
		} else if (strncmp(tok, "mss=", 4) == 0) {
			s->opt.present |= TC_OPT_MSS;
			s->opt.mss = (uint16_t)strtoul(tok + 4, NULL, 10);
		} else if (strncmp(tok, "ts=", 3) == 0) {
			s->opt.present |= TC_OPT_TS;
			char *e;
			s->opt.tsval = (uint32_t)strtoul(tok + 3, &e, 10);
			s->opt.tsecr = (uint32_t)strtoul(e + 1, NULL, 10);
		} else if (strncmp(tok, "sack=", 5) == 0) {
			s->opt.present |= TC_OPT_SACK;
			char *e;
			int j = s->opt.nsack < TC_MAX_SACK ? s->opt.nsack
							   : TC_MAX_SACK - 1;
			s->opt.sack[j][0] = (uint32_t)strtoul(tok + 5, &e, 10);
			s->opt.sack[j][1] = (uint32_t)strtoul(e + 1, NULL, 10);
			s->opt.nsack = (uint8_t)(j + 1);
		} else if (strncmp(tok, "id=", 3) == 0) {
			s->ip_id = (uint16_t)strtoul(tok + 3, NULL, 10);
			id_set = 1;
		} else if (strncmp(tok, "hash=", 5) == 0) {
			s->payload_hash = (uint32_t)strtoul(tok + 5, NULL, 10);
			hash_set = 1;
		} else if (strcmp(tok, "tfo") == 0) {
			s->opt.present |= TC_OPT_TFO;
			s->opt.tfo_cookie_len = 8;
		} else if (strncmp(tok, "vlan=", 5) == 0) {
			s->vlan[0] = (uint16_t)strtoul(tok + 5, NULL, 10);
		} else if (strcmp(tok, "bad") == 0) {
			s->csum = TC_CSUM_BAD;
		}
	}
	if (k->auto_ids && !id_set)
		s->ip_id = ++k->ipid[!c];
	if (k->auto_ids && !hash_set && s->payload_len)
		s->payload_hash = s->seq * 2654435761u + s->payload_len;
	s->ts_ns = 1700000000000000000LL + k->us * 1000LL;
	return 1;
}

/* Copies the next line of *script into line (at most n - 1 bytes) and
 * moves *script past it. Returns 0 at the end of the script. */
static inline int seg_next_line(const char **script, char *line, size_t n)
{
	const char *p = *script;
	if (!*p)
		return 0;
	size_t len = strcspn(p, "\n");
	size_t c = len < n - 1 ? len : n - 1;
	memcpy(line, p, c);
	line[c] = '\0';
	*script = p + len + (p[len] == '\n');
	return 1;
}

/* Feeds script, line by line, to a new tracker with the default
 * configuration and automatic IP IDs and hashes (packet numbers from 1),
 * then finishes it; on_event(ev, ctx) sees every event. Aborts when the
 * tracker runs out of memory. */
static inline void seg_run(const char *script,
			   void (*on_event)(const struct tc_event *, void *),
			   void *ctx)
{
	struct tc_config cfg;
	tc_config_default(&cfg);
	struct tc_tracker *tr = tc_tracker_new(&cfg);
	if (!tr)
		abort();
	struct seg_clock clk;
	seg_clock_init(&clk, 1);
	uint64_t pkt = 0;
	struct tc_event ev;
	char line[200];
	const char *p = script;
	while (seg_next_line(&p, line, sizeof(line))) {
		struct tc_segment s;
		if (!seg_parse(line, &s, &clk))
			continue;
		s.pkt = ++pkt;
		if (tc_feed(tr, &s) != 0)
			abort();
		while (tc_next_event(tr, &ev))
			on_event(&ev, ctx);
	}
	tc_finish(tr);
	while (tc_next_event(tr, &ev))
		on_event(&ev, ctx);
	tc_tracker_free(tr);
}

#endif /* TESTS_SEGSCRIPT_H */
