/*
 * The `simbudget` command line client: what the verbs share.
 */
#pragma once

#include <gio/gio.h>
#include <stdio.h>

#include "sb-dbus-generated.h"

G_BEGIN_DECLS

#define SB_CLI_BUS_NAME     "org.simbudget.SimBudget1"
#define SB_CLI_MANAGER_PATH "/org/simbudget/SimBudget1"

typedef enum {
  SB_CLI_EXIT_OK = 0,
  SB_CLI_EXIT_FAILURE = 1,  /* the request failed */
  SB_CLI_EXIT_USAGE = 2,    /* the command line was wrong */
} SbCliExit;

typedef struct {
  char              **argv;     /* the whole command line, as given */
  gboolean            json;
  GDBusConnection    *bus;      /* (owned) (nullable) until connected */
  GDBusObjectManager *manager;  /* (owned) (nullable) until connected */
} SbCli;

/* main.c */
void sb_cli_print_usage (FILE *stream);
/* Prints "simbudget: MESSAGE" and the usage to stderr; returns 2. */
int  sb_cli_usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* A well-formed command line with a value that is not: prints
 * "simbudget: MESSAGE" to stderr and returns 2. */
int  sb_cli_bad_value (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Prints "simbudget: MESSAGE" to stderr; returns 1. */
int  sb_cli_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Writes @text to stdout and flushes it (monitor output is read live). */
void sb_cli_print (const char *text);

/* sb-cli-bus.c: the daemon */
gboolean             sb_cli_connect        (SbCli *cli, GError **error);
/* Profiles sorted by ICCID. (element-type SbSimBudget1Profile) (transfer full) */
GList               *sb_cli_list_profiles  (SbCli *cli);
/* The profile @query names (see PROFILE in the usage); NoSuchProfile with
 * a message when none or several do. */
SbSimBudget1Profile *sb_cli_find_profile   (SbCli *cli, const char *query, GError **error);
/* Reloads the profile's properties into its proxy after a method call. */
gboolean             sb_cli_refresh_profile (SbSimBudget1Profile *profile, GError **error);
/* Prints @error for a person ("simbudget: …") and returns the exit code.
 * @query: the PROFILE argument the request was about, if any. */
int                  sb_cli_report_error   (const GError *error, const char *query);

/* The verbs: @argv holds the arguments after the verb, without --json. */
int sb_cli_status   (SbCli *cli, int argc, char **argv);
int sb_cli_history  (SbCli *cli, int argc, char **argv);
int sb_cli_set      (SbCli *cli, int argc, char **argv);
int sb_cli_unset    (SbCli *cli, int argc, char **argv);
int sb_cli_override (SbCli *cli, int argc, char **argv);
int sb_cli_set_used (SbCli *cli, int argc, char **argv);
int sb_cli_monitor  (SbCli *cli, int argc, char **argv);

/* sb-cli-modify.c: the verbs that change something (set, unset, override,
 * set-used) live in simbudget-modify, so that reading does not load
 * libnm and polkit. Replaces this process with it, same command line. */
int sb_cli_run_modify (SbCli *cli, int argc, char **argv);

G_END_DECLS
