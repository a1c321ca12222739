/*
 * cmd.h - the subcommands of tcpscope. Each lives in its own cmd/cmd_*.c file
 * and is listed in the table in main.c. A command returns the process exit
 * status (one of the EX_ values of status.h). No command calls another: what two
 * commands print alike lives in a module of its own (summary.c, report.c,
 * out.c).
 */
#ifndef CMD_H
#define CMD_H

#include "status.h" /* EX_*: what a command returns */

/* Each takes argc/argv with argv[0] the command name. */
int cmd_read(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_states(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif /* CMD_H */
