/* Reaching simbudgetd: connecting, listing and naming profiles, errors. */
#define G_LOG_DOMAIN "sb-cli-bus"

#include "config.h"

#include <glib/gi18n.h>

#include "sb-cli.h"
#include "sb-cli-util.h"
#include "sb-error.h"

#define NOT_RUNNING_MESSAGE \
  N_("the simbudget service is not running (org.simbudget.SimBudget1 is not on the system bus)")

#define SB_CLI_PROFILE_IFACE "org.simbudget.SimBudget1.Profile"

static gboolean
connect_bus (SbCli *cli, GError **error)
{
  /* Registers our D-Bus error names, so the daemon's errors map back to
   * SB_ERROR codes. */
  (void) sb_error_quark ();

  cli->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (cli->bus == NULL)
    {
      g_prefix_error (error, _("cannot reach the system bus: "));
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_cli_connect (SbCli *cli, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *owner = NULL;
  gboolean running = FALSE;

  if (!connect_bus (cli, error))
    return FALSE;

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

/* The index of the profile @query names among @keys, or -1 with the
 * reason in @error. */
static int
match_profile (const SbCliProfileKey *keys, guint n, const char *query, GError **error)
{
  g_autoptr(GArray) candidates = NULL;
  int index;

  index = sb_cli_match_profile (keys, n, query, &candidates);
  if (index >= 0)
    return index;

  if (candidates != NULL)
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
  return -1;
}

static SbSimBudget1Profile *
find_in_manager (SbCli *cli, const char *query, GError **error)
{
  GList *profiles = sb_cli_list_profiles (cli);
  guint n = g_list_length (profiles);
  g_autofree SbCliProfileKey *keys = g_new0 (SbCliProfileKey, MAX (n, 1));
  SbSimBudget1Profile *found = NULL;
  guint i = 0;
  int index;

  for (GList *l = profiles; l != NULL; l = l->next, i++)
    {
      keys[i].iccid = sb_sim_budget1_profile_get_iccid (l->data);
      keys[i].connection_id = sb_sim_budget1_profile_get_connection_id (l->data);
    }

  index = match_profile (keys, n, query, error);
  if (index >= 0)
    found = g_object_ref (g_list_nth_data (profiles, (guint) index));

  g_list_free_full (profiles, g_object_unref);
  return found;
}

typedef struct {
  const char *path;
  GVariant   *properties;  /* a{sv} (owned) */
  SbCliProfileKey key;     /* strings point into properties */
} ProfileEntry;

static void
profile_entry_clear (ProfileEntry *entry)
{
  g_clear_pointer (&entry->properties, g_variant_unref);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (((const ProfileEntry *) a)->key.iccid, ((const ProfileEntry *) b)->key.iccid);
}

/* A proxy for the profile at @path of @owner, its properties taken from
 * @properties: no call, no signal subscription. */
static SbSimBudget1Profile *
profile_proxy_new (GDBusConnection *bus, const char *owner, const char *path,
                   GVariant *properties, GError **error)
{
  SbSimBudget1Profile *profile;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  profile = g_initable_new (SB_TYPE_SIM_BUDGET1_PROFILE_PROXY, NULL, error,
                            "g-flags", G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                       G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                                       G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                            "g-name", owner,
                            "g-connection", bus,
                            "g-object-path", path,
                            "g-interface-name", SB_CLI_PROFILE_IFACE,
                            "g-interface-info", sb_sim_budget1_profile_interface_info (),
                            NULL);
  if (profile == NULL)
    return NULL;

  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_dbus_proxy_set_cached_property (G_DBUS_PROXY (profile), name, value);
      g_variant_unref (value);
    }
  return profile;
}

/* For a command that follows no changes: the profiles from one
 * GetManagedObjects call, which starts the service if it can be
 * started. Without an object manager client, that is three round trips
 * (Hello, GetManagedObjects, the command's own call) instead of seven,
 * and no match rules. */
static SbSimBudget1Profile *
find_once (SbCli *cli, const char *query, GError **error)
{
  g_autoptr(GDBusMessage) call = NULL;
  g_autoptr(GDBusMessage) reply = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autofree SbCliProfileKey *keys = NULL;
  GVariant *body;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  int index;

  if (cli->bus == NULL && !connect_bus (cli, error))
    return NULL;

  call = g_dbus_message_new_method_call (SB_CLI_BUS_NAME, SB_CLI_MANAGER_PATH,
                                         "org.freedesktop.DBus.ObjectManager",
                                         "GetManagedObjects");
  reply = g_dbus_connection_send_message_with_reply_sync (cli->bus, call,
                                                          G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                          -1, NULL, NULL, error);
  if (reply == NULL || g_dbus_message_to_gerror (reply, error))
    return NULL;
  /* An answer of another shape holds no profile of ours. */
  body = g_dbus_message_get_body (reply);
  if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(a{oa{sa{sv}}})")))
    objects = g_variant_get_child_value (body, 0);
  else
    objects = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{oa{sa{sv}}}"), NULL, 0));

  entries = g_array_new (FALSE, TRUE, sizeof (ProfileEntry));
  g_array_set_clear_func (entries, (GDestroyNotify) profile_entry_clear);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      ProfileEntry entry = { .path = path };

      entry.properties = g_variant_lookup_value (interfaces, SB_CLI_PROFILE_IFACE,
                                                 G_VARIANT_TYPE_VARDICT);
      g_variant_unref (interfaces);
      if (entry.properties == NULL)
        continue;
      if (!g_variant_lookup (entry.properties, "Iccid", "&s", &entry.key.iccid))
        {
          profile_entry_clear (&entry);
          continue;
        }
      if (!g_variant_lookup (entry.properties, "ConnectionId", "&s", &entry.key.connection_id))
        entry.key.connection_id = NULL;
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_entries);

  keys = g_new0 (SbCliProfileKey, MAX (entries->len, 1));
  for (guint i = 0; i < entries->len; i++)
    keys[i] = g_array_index (entries, ProfileEntry, i).key;
  index = match_profile (keys, entries->len, query, error);
  if (index < 0)
    return NULL;

  {
    const ProfileEntry *entry = &g_array_index (entries, ProfileEntry, index);

    /* The unique name that answered: a well-known name would cost a
     * GetNameOwner call. */
    return profile_proxy_new (cli->bus, g_dbus_message_get_sender (reply), entry->path,
                              entry->properties, error);
  }
}

/* With an object manager (after sb_cli_connect()), from its objects;
 * without one, from a single call (see find_once()), connecting first if
 * need be. */
SbSimBudget1Profile *
sb_cli_find_profile (SbCli *cli, const char *query, GError **error)
{
  if (cli->manager != NULL)
    return find_in_manager (cli, query, error);
  return find_once (cli, query, error);
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
