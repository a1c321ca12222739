/*
 * test_plot.c - unit tests of analyzer/output/svg.c (escaping, layers in
 * order, balanced elements) and analyzer/output/plot.c (segments merged
 * per pixel column but never a labelled one, one mark per label event,
 * sequence numbers unwrapped across 2^32, bounded output for many
 * segments). Pictures are written to memory with open_memstream().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/output/plot.h"
#include "../analyzer/output/svg.h"
#include "../tcpcore/tcpcore.h"
#include "unit.h"

static void t_svg_esc(void)
{
	char b[64];
	CHECK(strcmp(svg_esc("a&b<c>\"d'e", b, sizeof b),
		     "a&amp;b&lt;c&gt;&quot;d&apos;e") == 0);
	CHECK(strcmp(svg_esc("x\001\033\177y\t\n", b, sizeof b), "xy") == 0);
	/* Valid UTF-8 stays, bad bytes become U+FFFD, C1 controls go. */
	CHECK(strcmp(svg_esc("\xe2\x86\x92", b, sizeof b), "\xe2\x86\x92") == 0);
	CHECK(strcmp(svg_esc("a\xff" "b", b, sizeof b), "a\xef\xbf\xbd" "b") == 0);
	CHECK(strcmp(svg_esc("a\xc2\x85" "b", b, sizeof b), "ab") == 0);
	CHECK(strcmp(svg_esc("\xed\xa0\x80", b, sizeof b),
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") == 0);
	CHECK(strcmp(svg_esc(NULL, b, sizeof b), "") == 0);
	/* Cut on an entity boundary, never in the middle of one. */
	CHECK(strcmp(svg_esc("&&&", b, 9), "&amp;") == 0);
}

/* Counts the occurrences of needle in hay. */
static int occurs(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void t_svg_layers(void)
{
	char err[128], *buf = NULL;
	size_t len = 0;
	struct svg *s = svg_new(400, 300, 2, ".a { }\n", "t<i>", err, sizeof err);
	CHECK(s != NULL);
	svg_line(s, 1, "upper", 0, 0, 1, 1);
	svg_path_begin(s, 0, "lower");
	svg_path_to(s, 0, 1, 2);
	svg_rect(s, 1, "upper2", 0, 0, 5, 5);
	svg_path_to(s, 0, 3, 4);
	FILE *f = open_memstream(&buf, &len);
	CHECK(svg_finish(s, f) == 0);
	fclose(f);
	svg_free(s);
	/* The path (layer 0) is closed at the end and comes first. */
	char *lo = strstr(buf, "class=\"lower\" d=\"M1.0 2.0 L3.0 4.0\"/>");
	char *hi = strstr(buf, "class=\"upper\"");
	CHECK(lo != NULL && hi != NULL && lo < hi);
	CHECK(strstr(buf, "<title>t&lt;i&gt;</title>") != NULL);
	CHECK(strstr(buf, "width=\"400\" height=\"300\"") != NULL);
	CHECK(occurs(buf, "<svg") == 1 && occurs(buf, "</svg>") == 1);
	free(buf);
}

struct pic {
	struct plot *p;
};

/* A flow from the client: n data segments of 100 bytes, 1 us apart,
 * starting at seq isn + 1, every tenth labelled retransmission (as
 * events), and the server's ACK after each. Draws it into a string. */
static char *draw_flow(int n, uint32_t isn, int *elements)
{
	char err[128];
	struct plot_opts o = { PLOT_TSG, PLOT_C2S, 1000, 600 };
	struct plot_conn c = { 7, "10.0.0.1:1", "10.0.0.2:2", "x.pcap", 0,
			       (int64_t)n * 2000 + 1000, { 0, 0 } };
	struct plot *p = plot_new(&o, &c, err, sizeof err);
	if (!p)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		if (plot_pass(p, pass, err, sizeof err) != 0) {
			plot_free(p);
			return NULL;
		}
		struct plot_seg g;
		memset(&g, 0, sizeof g);
		g.cwnd = -1;
		g.flags = TC_SYN;
		g.seq = isn;
		g.pkt = 1;
		plot_segment(p, &g);
		for (int i = 0; i < n; i++) {
			memset(&g, 0, sizeof g);
			g.cwnd = -1;
			g.ts_ns = 1000 + (int64_t)i * 2000;
			g.pkt = 2 + 2 * i;
			g.flags = TC_ACK | TC_PSH;
			g.seq = isn + 1 + (uint32_t)i * 100;
			g.len = 100;
			g.labelled = i % 10 == 9;
			plot_segment(p, &g);
			if (g.labelled) {
				struct plot_event e = { g.ts_ns, g.pkt, 0,
							TC_LB_RETRANSMISSION,
							g.seq, 0, 100, 0 };
				plot_event(p, &e);
			}
			memset(&g, 0, sizeof g);
			g.cwnd = -1;
			g.ts_ns = 2000 + (int64_t)i * 2000;
			g.pkt = 3 + 2 * i;
			g.dir = 1;
			g.flags = TC_ACK;
			g.ack = isn + 1 + (uint32_t)(i + 1) * 100;
			g.win = 1000;
			plot_segment(p, &g);
		}
		if (pass == 1)
			plot_transition(p, 0, 0, "CLOSED", "SYN-SENT");
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = plot_finish(p, f, err, sizeof err);
	fclose(f);
	*elements = (int)plot_elements(p);
	plot_free(p);
	if (rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void t_plot_merge(void)
{
	int el;
	/* Few segments: one bar each (no two share a column). */
	char *a = draw_flow(20, 1000, &el);
	CHECK(a != NULL);
	CHECK_EQ(occurs(a, "class=\"data c2s\""), 21); /* and the SYN */
	CHECK_EQ(occurs(a, "class=\"mark retransmission c2s\""), 2);
	CHECK_EQ(occurs(a, "class=\"state client\""), 1);
	CHECK(strstr(a, ">-") == NULL); /* no tick below zero */
	free(a);
	/* Many: merged per column, but each labelled segment alone. */
	a = draw_flow(20000, 1000, &el);
	CHECK(a != NULL);
	int bars = occurs(a, "class=\"data c2s\"");
	CHECK(bars <= 1000 + 2000); /* a bar per column, and the labelled */
	CHECK(bars >= 2000); /* the 2000 labelled ones */
	CHECK_EQ(occurs(a, "class=\"mark retransmission c2s\""), 2000);
	CHECK(strlen(a) < 2000000);
	free(a);
}

/* Sequence numbers across 2^32: the y axis climbs from 0, never jumps
 * to gigabytes or below zero. */
static void t_plot_wrap(void)
{
	int el;
	char *a = draw_flow(100, 0xffffff00u, &el);
	CHECK(a != NULL);
	CHECK(strstr(a, "GB") == NULL);
	CHECK(strstr(a, ">-") == NULL);
	CHECK(strstr(a, ">10 kB<") != NULL || strstr(a, ">10.0 kB<") != NULL);
	free(a);
}

static const struct unit_test tests[] = {
	UNIT(t_svg_esc),
	UNIT(t_svg_layers),
	UNIT(t_plot_merge),
	UNIT(t_plot_wrap),
	{ 0 },
};

int main(int argc, char **argv) { return unit_main(tests, argc, argv); }
