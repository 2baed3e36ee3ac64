#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "sb-daemon.h"

int
main (int argc, char **argv)
{
  g_autofree char *state_dir = NULL;
  gboolean verbose = FALSE, replace = FALSE, version = FALSE, no_quota = FALSE;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SbDaemon) daemon = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("Where usage is stored (default: $STATE_DIRECTORY, else /var/lib/simbudget)"), N_("DIR") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log debugging information"), NULL },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace, N_("Replace a running instance"), NULL },
    { "no-quota", 0, 0, G_OPTION_ARG_NONE, &no_quota,
      N_("Do not install an nftables quota; cut off by precise polling only"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  ctx = g_option_context_new (_("- mobile data budget service"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("simbudgetd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("simbudgetd %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (verbose)
    g_log_set_debug_enabled (TRUE);

  if (!state_dir)
    {
      /* systemd's StateDirectory= may list several, colon-separated. */
      const char *env = g_getenv ("STATE_DIRECTORY");
      if (env && *env)
        state_dir = g_strndup (env, strcspn (env, ":"));
      else
        state_dir = g_strdup (SB_DEFAULT_STATE_DIR);
    }

  daemon = sb_daemon_new (state_dir, !no_quota);
  return sb_daemon_run (daemon, replace);
}
