/*
 * svg.h - a streaming writer of self-contained SVG files: shapes, text
 * and paths, each carrying a class, written into layers that are joined
 * in order when the picture is finished. Prefix: svg_.
 *
 * A picture is drawn in one pass over data that is not held in memory
 * (a million segments): a shape is written out when it is drawn, into
 * the temporary file of its layer (tmpfile(3)), so that what is drawn
 * later (the ACK line, marks) can still lie above what is drawn first
 * (the data) and a path can grow point by point while other shapes are
 * written. svg_finish() copies the layers in their order into the output.
 * Memory is constant: a few buffers per layer.
 *
 * Every string given to svg_text() (and the title) is escaped here: XML
 * escaping, control characters dropped and bytes that are not UTF-8
 * replaced by U+FFFD, so that a capture's file name or an address cannot
 * break the document. Class names are the caller's constants and are
 * written as they are.
 *
 * Errors: a write error (a full disk) is remembered and reported by
 * svg_finish(); the drawing calls themselves return nothing.
 */
#ifndef SVG_H
#define SVG_H

#include <stddef.h>
#include <stdio.h>

struct svg;

#define SVG_MAX_LAYERS 16

/* A picture of w x h pixels with nlayers layers (1..SVG_MAX_LAYERS),
 * layer 0 drawn first (lowest). style is the CSS of the <style> element
 * (the caller's constant, written as it is), title the document's title
 * (escaped). Returns NULL when out of memory or when a temporary file
 * cannot be made (then err says why). Free with svg_free(). */
struct svg *svg_new(int w, int h, int nlayers, const char *style,
		    const char *title, char *err, size_t errlen);

/* Closes the temporary files and frees s; NULL is fine. */
void svg_free(struct svg *s);

/* Writes the document to out: the header, the layers in order, the end.
 * Returns 0, or -1 after a write error (here or in a layer). s stays to
 * be freed. */
int svg_finish(struct svg *s, FILE *out);

/* ---- Grouping ----------------------------------------------------------- */

/* Opens <g> in layer with an id (may be NULL) and a class (may be NULL);
 * svg_group_end() closes the last one opened in that layer. */
void svg_group(struct svg *s, int layer, const char *id, const char *cls);
void svg_group_end(struct svg *s, int layer);

/* ---- Shapes ------------------------------------------------------------- */

void svg_line(struct svg *s, int layer, const char *cls, double x1, double y1,
	      double x2, double y2);
void svg_rect(struct svg *s, int layer, const char *cls, double x, double y,
	      double w, double h);
void svg_circle(struct svg *s, int layer, const char *cls, double cx,
		double cy, double r);

/* A closed polygon of n points (xy[2*i], xy[2*i+1]). */
void svg_polygon(struct svg *s, int layer, const char *cls, const double *xy,
		 size_t n);

/* Text at (x, y); anchor "start", "middle" or "end"; rotate (degrees)
 * turns it about (x, y) when not 0. text is escaped. */
void svg_text(struct svg *s, int layer, const char *cls, double x, double y,
	      const char *anchor, double rotate, const char *text);

/* ---- Paths -------------------------------------------------------------- */

/* Opens a path in layer (one per layer at a time): svg_path_move() starts
 * a subpath, svg_path_to() draws a line to a point, svg_path_end() closes
 * the element. A path with no point is written as an empty "d". */
void svg_path_begin(struct svg *s, int layer, const char *cls);
void svg_path_move(struct svg *s, int layer, double x, double y);
void svg_path_to(struct svg *s, int layer, double x, double y);
void svg_path_end(struct svg *s, int layer);

/* A <title> child (a tooltip) of the group just opened; text escaped. */
void svg_tooltip(struct svg *s, int layer, const char *text);


/* ---- Escaping ----------------------------------------------------------- */

/* s escaped for XML text or an attribute value into buf (always
 * NUL-terminated, cut at len on a character boundary): & < > " ' as
 * entities, control characters (C0 but none, DEL, C1) dropped, bytes
 * that are not UTF-8 replaced by U+FFFD. Returns buf. */
const char *svg_esc(const char *s, char *buf, size_t len);

#endif /* SVG_H */
