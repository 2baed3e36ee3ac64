/* Reaching simbudgetd: connecting, listing and naming profiles, errors. */
#define G_LOG_DOMAIN "sb-cli-bus"

#include "config.h"

#include <glib/gi18n.h>

#include "sb-cli.h"
#include "sb-cli-util.h"
#include "sb-error.h"

#define NOT_RUNNING_MESSAGE \
  N_("the simbudget service is not running (org.simbudget.SimBudget1 is not on the system bus)")

gboolean
sb_cli_connect (SbCli *cli, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *owner = NULL;
  gboolean running = FALSE;

  /* Registers our D-Bus error names, so the daemon's errors map back to
   * SB_ERROR codes. */
  (void) sb_error_quark ();

  cli->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (cli->bus == NULL)
    {
      g_prefix_error (error, _("cannot reach the system bus: "));
      return FALSE;
    }

  reply = g_dbus_connection_call_sync (cli->bus,
                                       "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus",
                                       "NameHasOwner",
                                       g_variant_new ("(s)", SB_CLI_BUS_NAME),
                                       G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(b)", &running);
  g_clear_pointer (&reply, g_variant_unref);

  /* Starts the service when it is D-Bus activatable; ServiceUnknown when
   * it is not. (dbus-daemon answers ServiceUnknown for a name without a
   * .service file even while it is owned: hence the check above.) */
  if (!running)
    {
      reply = g_dbus_connection_call_sync (cli->bus,
                                           "org.freedesktop.DBus",
                                           "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus",
                                           "StartServiceByName",
                                           g_variant_new ("(su)", SB_CLI_BUS_NAME, 0),
                                           G_VARIANT_TYPE ("(u)"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
      if (reply == NULL)
        return FALSE;
    }

  cli->manager = sb_object_manager_client_new_sync (cli->bus,
                                                    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                                    SB_CLI_BUS_NAME,
                                                    SB_CLI_MANAGER_PATH,
                                                    NULL, error);
  if (cli->manager == NULL)
    return FALSE;

  /* It may have gone away since it was started. */
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (cli->manager));
  if (owner == NULL)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN,
                           _(NOT_RUNNING_MESSAGE));
      return FALSE;
    }
  return TRUE;
}

static int
compare_profiles (gconstpointer a, gconstpointer b)
{
  SbSimBudget1Profile *pa = SB_SIM_BUDGET1_PROFILE ((gpointer) a);
  SbSimBudget1Profile *pb = SB_SIM_BUDGET1_PROFILE ((gpointer) b);

  return g_strcmp0 (sb_sim_budget1_profile_get_iccid (pa),
                    sb_sim_budget1_profile_get_iccid (pb));
}

GList *
sb_cli_list_profiles (SbCli *cli)
{
  GList *objects = g_dbus_object_manager_get_objects (cli->manager);
  GList *profiles = NULL;

  for (GList *l = objects; l != NULL; l = l->next)
    {
      SbSimBudget1Profile *profile = sb_object_get_sim_budget1_profile (SB_OBJECT (l->data));

      if (profile != NULL && sb_sim_budget1_profile_get_iccid (profile) != NULL)
        profiles = g_list_prepend (profiles, profile);
      else
        g_clear_object (&profile);
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_sort (profiles, compare_profiles);
}

SbSimBudget1Profile *
sb_cli_find_profile (SbCli *cli, const char *query, GError **error)
{
  GList *profiles = sb_cli_list_profiles (cli);
  guint n = g_list_length (profiles);
  g_autofree SbCliProfileKey *keys = g_new0 (SbCliProfileKey, MAX (n, 1));
  g_autoptr(GArray) candidates = NULL;
  SbSimBudget1Profile *found = NULL;
  guint i = 0;
  int index;

  for (GList *l = profiles; l != NULL; l = l->next, i++)
    {
      keys[i].iccid = sb_sim_budget1_profile_get_iccid (l->data);
      keys[i].connection_id = sb_sim_budget1_profile_get_connection_id (l->data);
    }

  index = sb_cli_match_profile (keys, n, query, &candidates);
  if (index >= 0)
    {
      found = g_object_ref (g_list_nth_data (profiles, (guint) index));
    }
  else if (candidates != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint c = 0; c < candidates->len; c++)
        {
          const SbCliProfileKey *key = &keys[g_array_index (candidates, guint, c)];

          g_string_append_printf (names, "\n  %s", key->iccid);
          if (key->connection_id && *key->connection_id)
            g_string_append_printf (names, " (%s)", key->connection_id);
        }
      g_set_error (error, SB_ERROR, SB_ERROR_NO_SUCH_PROFILE,
                   _("“%s” matches several profiles; give more of the ICCID:%s"),
                   query, names->str);
    }
  else
    {
      g_set_error (error, SB_ERROR, SB_ERROR_NO_SUCH_PROFILE,
                   _("no profile matches “%s”; see `simbudget status`"), query);
    }

  g_list_free_full (profiles, g_object_unref);
  return found;
}

gboolean
sb_cli_refresh_profile (SbSimBudget1Profile *profile, GError **error)
{
  GDBusProxy *proxy = G_DBUS_PROXY (profile);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) properties = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  reply = g_dbus_connection_call_sync (g_dbus_proxy_get_connection (proxy),
                                       g_dbus_proxy_get_name (proxy),
                                       g_dbus_proxy_get_object_path (proxy),
                                       "org.freedesktop.DBus.Properties",
                                       "GetAll",
                                       g_variant_new ("(s)", g_dbus_proxy_get_interface_name (proxy)),
                                       G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, error);
  if (reply == NULL)
    return FALSE;

  /* The PropertiesChanged signals may still be on their way: take the
   * state as of now, so what we print follows what we did. */
  properties = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_dbus_proxy_set_cached_property (proxy, name, value);
      g_variant_unref (value);
    }
  return TRUE;
}

int
sb_cli_report_error (const GError *error, const char *query)
{
  g_autoptr(GError) copy = g_error_copy (error);

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    return sb_cli_fail ("%s", _(NOT_RUNNING_MESSAGE));

  /* A profile that went away while we talked to it: the daemon answers
   * NoSuchProfile, GDBus UnknownObject. */
  if (query != NULL &&
      (g_dbus_error_is_remote_error (error) || error->domain == G_DBUS_ERROR) &&
      (g_error_matches (error, SB_ERROR, SB_ERROR_NO_SUCH_PROFILE) ||
       g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)))
    return sb_cli_fail (_("no profile matches “%s”; see `simbudget status`"), query);

  g_dbus_error_strip_remote_error (copy);
  return sb_cli_fail ("%s", copy->message);
}
