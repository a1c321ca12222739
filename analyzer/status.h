/*
 * status.h - tcpscope's exit statuses, documented in tcpscope(1): what a
 * command returns, and what the modules under it report a failure as.
 */
#ifndef STATUS_H
#define STATUS_H

#define EX_OK 0      /* success */
#define EX_FAIL 1    /* the command ran but found a problem (e.g. no match) */
#define EX_USAGE 2   /* bad flags or arguments */
#define EX_INPUT 3   /* a capture could not be read, or was damaged */
#define EX_DB 4      /* the database could not be opened, read or written */
#define EX_NOTFOUND 5 /* the flow asked for does not exist */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Writes a one-line message into err (of len bytes) and returns code: how
 * the modules under the commands report a failure. */
static inline int ex_fail(char *err, size_t len, int code, const char *fmt,
			  ...) __attribute__((format(printf, 4, 5)));
static inline int ex_fail(char *err, size_t len, int code, const char *fmt,
			  ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return code;
}

#endif /* STATUS_H */
