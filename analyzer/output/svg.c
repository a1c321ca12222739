/*
 * svg.c - the SVG writer of svg.h.
 *
 * Layers are temporary files: each shape is formatted with fprintf into
 * its layer's file as it is drawn, so nothing grows with the number of
 * shapes. svg_finish() writes
 *
 *   <?xml ...?><svg width= height= viewBox=>
 *   <title>...</title><style>...</style>
 *   <rect class="background" .../>
 *   layer 0 ... layer n-1
 *   </svg>
 *
 * copying each layer with fread/fwrite. Coordinates are written with one
 * decimal (a tenth of a pixel is finer than any renderer shows), which
 * keeps a million-segment picture tens of megabytes, not hundreds.
 */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct svg_layer {
	FILE *f;
	int in_path;   /* a path element is open */
	int path_pts;  /* points written into it */
};

struct svg {
	int w, h, nlayers;
	int failed;    /* a write failed */
	char *head;    /* title and style, formatted once */
	struct svg_layer layer[SVG_MAX_LAYERS];
};

/* Length of the UTF-8 sequence at p (1..4), or 0 when it is not one (an
 * overlong form, a surrogate, beyond U+10FFFF, or cut short). */
static size_t utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	if (cp >= 0x80 && cp <= 0x9f) /* C1 controls */
		return 0;
	return n;
}

const char *svg_esc(const char *s, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		const char *rep = NULL;
		char one[5];
		size_t n = 1;
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				rep = ""; /* dropped */
			} else if ((n = utf8_seq(p)) == 0) {
				/* A C1 control encoded in UTF-8 is dropped;
				 * other bad bytes become U+FFFD. */
				rep = p[0] == 0xc2 && p[1] >= 0x80 &&
						      p[1] <= 0x9f
					      ? ""
					      : "\xef\xbf\xbd";
				n = rep[0] ? 1 : 2;
			} else {
				memcpy(one, p, n);
				one[n] = '\0';
				rep = one;
			}
		}
		size_t rl = strlen(rep);
		if (o + rl >= len)
			break;
		memcpy(buf + o, rep, rl);
		o += rl;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

static FILE *lf(struct svg *s, int layer)
{
	if (layer < 0 || layer >= s->nlayers)
		layer = s->nlayers - 1;
	return s->layer[layer].f;
}

static void put(struct svg *s, int layer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(struct svg *s, int layer, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(lf(s, layer), fmt, ap) < 0)
		s->failed = 1;
	va_end(ap);
}

/* A coordinate, finite and within reason: NaN and infinities become 0,
 * huge values are clamped (a bug upstream must not break the file). */
static double c(double v)
{
	if (!isfinite(v))
		return 0;
	if (v > 1e7)
		return 1e7;
	if (v < -1e7)
		return -1e7;
	return v;
}

struct svg *svg_new(int w, int h, int nlayers, const char *style,
		    const char *title, char *err, size_t errlen)
{
	if (nlayers < 1 || nlayers > SVG_MAX_LAYERS) {
		snprintf(err, errlen, "bad number of layers %d", nlayers);
		return NULL;
	}
	struct svg *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->w = w;
	s->h = h;
	s->nlayers = nlayers;
	char t[1024];
	svg_esc(title, t, sizeof t);
	size_t hl = strlen(t) + strlen(style ? style : "") + 64;
	s->head = malloc(hl);
	if (!s->head) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	snprintf(s->head, hl, "<title>%s</title>\n<style>\n%s</style>\n", t,
		 style ? style : "");
	for (int i = 0; i < nlayers; i++) {
		if (!(s->layer[i].f = tmpfile())) {
			snprintf(err, errlen, "cannot make a temporary file: %s",
				 strerror(errno));
			svg_free(s);
			return NULL;
		}
	}
	return s;
}

void svg_free(struct svg *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nlayers; i++)
		if (s->layer[i].f)
			fclose(s->layer[i].f);
	free(s->head);
	free(s);
}

int svg_finish(struct svg *s, FILE *out)
{
	for (int i = 0; i < s->nlayers; i++)
		if (s->layer[i].in_path)
			svg_path_end(s, i);
	if (fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n%s"
			 "<rect class=\"background\" x=\"0\" y=\"0\" "
			 "width=\"%d\" height=\"%d\"/>\n",
		    s->w, s->h, s->w, s->h, s->head, s->w, s->h) < 0)
		return -1;
	char buf[65536];
	for (int i = 0; i < s->nlayers; i++) {
		FILE *f = s->layer[i].f;
		if (fflush(f) != 0 || ferror(f)) {
			s->failed = 1;
			break;
		}
		rewind(f);
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			if (fwrite(buf, 1, n, out) != n)
				return -1;
		if (ferror(f))
			s->failed = 1;
	}
	if (fputs("</svg>\n", out) < 0 || fflush(out) != 0 || ferror(out))
		return -1;
	return s->failed ? -1 : 0;
}

void svg_group(struct svg *s, int layer, const char *id, const char *cls)
{
	put(s, layer, "<g%s%s%s%s%s%s>\n", id ? " id=\"" : "", id ? id : "",
	    id ? "\"" : "", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
}

void svg_group_end(struct svg *s, int layer)
{
	put(s, layer, "</g>\n");
}

void svg_line(struct svg *s, int layer, const char *cls, double x1, double y1,
	      double x2, double y2)
{
	put(s, layer,
	    "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	    cls, c(x1), c(y1), c(x2), c(y2));
}

void svg_rect(struct svg *s, int layer, const char *cls, double x, double y,
	      double w, double h)
{
	put(s, layer,
	    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
	    cls, c(x), c(y), c(w) < 0 ? 0 : c(w), c(h) < 0 ? 0 : c(h));
}

void svg_circle(struct svg *s, int layer, const char *cls, double cx,
		double cy, double r)
{
	put(s, layer, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n",
	    cls, c(cx), c(cy), c(r));
}

void svg_polygon(struct svg *s, int layer, const char *cls, const double *xy,
		 size_t n)
{
	put(s, layer, "<polygon class=\"%s\" points=\"", cls);
	for (size_t i = 0; i < n; i++)
		put(s, layer, "%s%.1f,%.1f", i ? " " : "", c(xy[2 * i]),
		    c(xy[2 * i + 1]));
	put(s, layer, "\"/>\n");
}

void svg_text(struct svg *s, int layer, const char *cls, double x, double y,
	      const char *anchor, double rotate, const char *text)
{
	char t[1024];
	svg_esc(text, t, sizeof t);
	if (rotate != 0)
		put(s, layer,
		    "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
		    "transform=\"rotate(%.0f %.1f %.1f)\">%s</text>\n",
		    cls, c(x), c(y), anchor, rotate, c(x), c(y), t);
	else
		put(s, layer,
		    "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
		    cls, c(x), c(y), anchor, t);
}

void svg_path_begin(struct svg *s, int layer, const char *cls)
{
	if (layer < 0 || layer >= s->nlayers)
		layer = s->nlayers - 1;
	if (s->layer[layer].in_path)
		svg_path_end(s, layer);
	put(s, layer, "<path class=\"%s\" d=\"", cls);
	s->layer[layer].in_path = 1;
	s->layer[layer].path_pts = 0;
}

static void path_pt(struct svg *s, int layer, char op, double x, double y)
{
	if (layer < 0 || layer >= s->nlayers)
		layer = s->nlayers - 1;
	struct svg_layer *l = &s->layer[layer];
	if (!l->in_path)
		return;
	if (l->path_pts == 0)
		op = 'M';
	/* A line break now and then keeps lines short for diff and grep. */
	put(s, layer, "%s%c%.1f %.1f",
	    l->path_pts == 0 ? "" : l->path_pts % 8 ? " " : "\n", op, c(x),
	    c(y));
	l->path_pts++;
}

void svg_path_move(struct svg *s, int layer, double x, double y)
{
	path_pt(s, layer, 'M', x, y);
}

void svg_path_to(struct svg *s, int layer, double x, double y)
{
	path_pt(s, layer, 'L', x, y);
}

void svg_path_end(struct svg *s, int layer)
{
	if (layer < 0 || layer >= s->nlayers)
		layer = s->nlayers - 1;
	if (!s->layer[layer].in_path)
		return;
	put(s, layer, "\"/>\n");
	s->layer[layer].in_path = 0;
}

void svg_tooltip(struct svg *s, int layer, const char *text)
{
	char t[1024];
	put(s, layer, "<title>%s</title>\n", svg_esc(text, t, sizeof t));
}

