/* simbudget-notify: the per-user desktop notification agent. */
#define G_LOG_DOMAIN "sb-notify"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "sb-notify-agent.h"

/* Owned on the session bus so that the autostart entry and the systemd
 * user unit never run two agents in one session. */
#define AGENT_BUS_NAME "org.simbudget.SimBudget1.Notify"

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* FALSE when another agent already runs in this session. */
static gboolean
claim_name (GDBusConnection *session, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 result;

  reply = g_dbus_connection_call_sync (session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", AGENT_BUS_NAME,
                                                      0x4 /* DBUS_NAME_FLAG_DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &result);
  if (result == 1 /* PRIMARY_OWNER */ || result == 4 /* ALREADY_OWNER */)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("simbudget-notify is already running in this session"));
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SbNotifyAgent) agent = NULL;
  g_autofree char *memory_path = NULL;
  const char *localedir;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  /* For the tests and for running from the build directory: the .mo
   * files meson builds under po/. */
  localedir = g_getenv ("SIMBUDGET_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  /* Notification texts travel over D-Bus, which is UTF-8 whatever the locale. */
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Shows desktop notifications as mobile data usage nears its budget,\n"
                                  "and when the connection is cut at the limit."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("simbudget-notify: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("simbudget-notify: %s\n", _("this command takes no arguments"));
      return 2;
    }
  if (version)
    {
      g_print ("simbudget-notify %s\n", PACKAGE_VERSION);
      return 0;
    }

  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (session == NULL)
    {
      g_printerr ("simbudget-notify: %s: %s\n", _("no session bus"), error->message);
      return 1;
    }
  if (!claim_name (session, &error))
    {
      g_printerr ("simbudget-notify: %s\n", error->message);
      /* Not a failure: the session has its agent. */
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) ? 0 : 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  /* The session ending closes the bus, and GDBus then raises SIGTERM. */
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGHUP, on_quit_signal, loop);

  memory_path = g_build_filename (g_get_user_state_dir (), "simbudget", "notify.ini", NULL);
  agent = sb_notify_agent_new (session, memory_path);
  g_main_loop_run (loop);
  return 0;
}
