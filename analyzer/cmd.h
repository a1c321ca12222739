/*
 * cmd.h - the subcommands of tcpscope. Each lives in its own cmd_*.c file
 * and is listed in the table in main.c. A command returns the process exit
 * status (one of the EX_ values below). No command calls another: what two
 * commands print alike lives in a module of its own (summary.c, report.c,
 * out.c).
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

#endif /* CMD_H */
