/*
 * cmd.h - the subcommands of tcpscope. Each lives in its own cmd_*.c file
 * and is listed in the table in main.c. A command returns the process exit
 * status (one of the EX_ values below); only commands and main.c print.
 */
#ifndef CMD_H
#define CMD_H

/* Exit status, documented in tcpscope(1). */
#define EX_OK 0      /* success */
#define EX_FAIL 1    /* the command ran but found a problem (e.g. no match) */
#define EX_USAGE 2   /* bad flags or arguments */
#define EX_INPUT 3   /* a capture could not be read, or was damaged */
#define EX_DB 4      /* the database could not be opened, read or written */
#define EX_NOTFOUND 5 /* the flow asked for does not exist */

/* Each takes argc/argv with argv[0] the command name. */
int cmd_read(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_states(int argc, char **argv);
int cmd_tui(int argc, char **argv);

struct store;

/* Prints the summary of `tcpscope report` for the database st to stdout:
 * only capture capture_id when it is > 0, else every complete capture; as
 * one JSON object when json is 1. For `read` after an import. Returns EX_OK,
 * EX_DB on a database error or EX_FAIL on a write error; messages go to
 * stderr. (cmd_report.c) */
int report_print(struct store *st, long long capture_id, int json);

#endif /* CMD_H */
