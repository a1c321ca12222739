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

#endif /* STATUS_H */
