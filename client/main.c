/* simbudget: the command line client of simbudgetd. */
#define G_LOG_DOMAIN "simbudget"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sb-cli.h"

typedef int (*SbCliVerbFunc) (SbCli *cli, int argc, char **argv);

static const struct {
  const char    *name;
  SbCliVerbFunc  run;
} verbs[] = {
#ifdef SB_CLI_MODIFY
  { "set", sb_cli_set },
  { "unset", sb_cli_unset },
  { "override", sb_cli_override },
  { "set-used", sb_cli_set_used },
#else
  { "status", sb_cli_status },
  { "history", sb_cli_history },
  { "monitor", sb_cli_monitor },
  { "set", sb_cli_run_modify },
  { "unset", sb_cli_run_modify },
  { "override", sb_cli_run_modify },
  { "set-used", sb_cli_run_modify },
#endif
};

void
sb_cli_print_usage (FILE *stream)
{
  fprintf (stream, "%s\n",
           _("Usage:\n"
             "  simbudget [--json] status [PROFILE]\n"
             "  simbudget [--json] history PROFILE [--by hour|day|week|month]\n"
             "                     [--since DATE] [--until DATE] [--csv]\n"
             "  simbudget [--json] set CONNECTION [limit SIZE] [period SPEC] [start WHEN]\n"
             "                     [timezone TZ] [warn P,P] [action disconnect|warn]\n"
             "                     [sim-id ICCID]\n"
             "  simbudget unset CONNECTION\n"
             "  simbudget [--json] override PROFILE [SIZE|unlimited]\n"
             "  simbudget [--json] set-used PROFILE SIZE\n"
             "  simbudget [--json] monitor\n"
             "\n"
             "PROFILE  an ICCID, a unique ending of one, or the id of the connection\n"
             "         bound to it\n"
             "SIZE     5GB, 500MB, 1.5G, 2GiB (kB, MB, GB decimal; KiB, MiB, GiB binary)\n"
             "SPEC     monthly, monthly:DAY, weekly, weekly:mon…sun, daily, days:N, none\n"
             "WHEN     first-use, now, or an ISO 8601 date or date-time\n"
             "DATE     YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][±HH:MM], today, yesterday, now;\n"
             "         --until includes a whole day\n"
             "\n"
             "Options:\n"
             "  --json     output for scripts (before or after the command)\n"
             "  --help     show this help\n"
             "  --version  show the version"));
}

/* "simbudget: <message>" on stderr. */
static void G_GNUC_PRINTF (1, 0)
print_error (const char *format,
             va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_printerr ("simbudget: %s\n", message);
}

int
sb_cli_usage_error (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_error (format, args);
  va_end (args);
  g_printerr ("\n");
  sb_cli_print_usage (stderr);
  return SB_CLI_EXIT_USAGE;
}

int
sb_cli_bad_value (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_error (format, args);
  va_end (args);
  return SB_CLI_EXIT_USAGE;
}

int
sb_cli_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  print_error (format, args);
  va_end (args);
  return SB_CLI_EXIT_FAILURE;
}

void
sb_cli_print (const char *text)
{
  g_print ("%s", text);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  SbCli cli = { .argv = argv };
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  const char *verb = NULL;
  gboolean options_end = FALSE;
  gboolean help = FALSE;
  gboolean version = FALSE;
  int status;

  setlocale (LC_ALL, "");
  /* SIMBUDGET_LOCALEDIR: for running from the build tree and for tests. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SIMBUDGET_LOCALEDIR") && *g_getenv ("SIMBUDGET_LOCALEDIR") ?
                  g_getenv ("SIMBUDGET_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options may come anywhere; what follows the verb is its own. */
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (!options_end && strcmp (arg, "--") == 0)
        {
          options_end = TRUE;
          if (verb != NULL)
            g_ptr_array_add (rest, argv[i]);
        }
      else if (!options_end && strcmp (arg, "--json") == 0)
        cli.json = TRUE;
      else if (!options_end && (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0))
        help = TRUE;
      else if (!options_end && strcmp (arg, "--version") == 0)
        version = TRUE;
      else if (verb == NULL && !options_end && arg[0] == '-' && arg[1] != '\0')
        return sb_cli_usage_error (_("unknown option “%s”"), arg);
      else if (verb == NULL)
        verb = arg;
      else
        g_ptr_array_add (rest, argv[i]);
    }

  if (help)
    {
      sb_cli_print_usage (stdout);
      return SB_CLI_EXIT_OK;
    }
  if (version)
    {
      g_print ("simbudget %s\n", PACKAGE_VERSION);
      return SB_CLI_EXIT_OK;
    }

  /* Like `nmcli` alone, `simbudget` alone shows the state. */
  if (verb == NULL)
    verb = "status";
  g_ptr_array_add (rest, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (strcmp (verbs[i].name, verb) != 0)
        continue;
      status = verbs[i].run (&cli, (int) rest->len - 1, (char **) rest->pdata);
      g_clear_object (&cli.manager);
      g_clear_object (&cli.bus);
      return status;
    }

  return sb_cli_usage_error (_("unknown command “%s”"), verb);
}
