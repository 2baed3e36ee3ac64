#define G_LOG_DOMAIN "sb-cli-nm"

#include "config.h"

#include "sb-cli-nm.h"

#include <glib/gi18n.h>

#include "sb-error.h"

/* libnm is asynchronous only (its sync calls are deprecated): the CLI
 * waits on the default main context for each result. */
static void
on_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

NMClient *
sb_cli_nm_client_new (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  NMClient *client;

  nm_client_new_async (NULL, on_result, &result);
  client = nm_client_new_finish (wait_for (&result), error);
  /* The result holds the client; freeing it below would wait forever. */
  g_clear_object (&result);
  if (client == NULL)
    return NULL;

  if (!nm_client_get_nm_running (client))
    {
      sb_cli_nm_client_free (client);
      g_set_error_literal (error, SB_ERROR, SB_ERROR_FAILED,
                           _("NetworkManager is not running; budgets are kept in its connection profiles"));
      return NULL;
    }
  return client;
}

static void
on_watcher_gone (gpointer user_data, GObject *where_the_object_was)
{
  gboolean *gone = user_data;

  *gone = TRUE;
}

void
sb_cli_nm_client_free (NMClient *client)
{
  gboolean gone = FALSE;

  if (client == NULL)
    return;
  g_object_weak_ref (nm_client_get_context_busy_watcher (client), on_watcher_gone, &gone);
  g_object_unref (client);
  while (!gone)
    g_main_context_iteration (NULL, TRUE);
}

NMRemoteConnection *
sb_cli_nm_find_connection (NMClient    *client,
                           const char  *name,
                           GError     **error)
{
  NMRemoteConnection *found = nm_client_get_connection_by_uuid (client, name);
  const GPtrArray *all = nm_client_get_connections (client);
  g_autoptr(GString) candidates = g_string_new (NULL);
  guint matches = 0;
  const char *type;

  if (found == NULL)
    {
      for (guint i = 0; i < all->len; i++)
        {
          NMConnection *connection = g_ptr_array_index (all, i);

          if (g_strcmp0 (nm_connection_get_id (connection), name) != 0)
            continue;
          found = NM_REMOTE_CONNECTION (connection);
          matches++;
          g_string_append_printf (candidates, "\n  %s (%s)", nm_connection_get_uuid (connection),
                                  nm_connection_get_connection_type (connection));
        }
    }

  if (matches > 1)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("several connections are called “%s”; give the UUID of one:%s"),
                   name, candidates->str);
      return NULL;
    }
  if (found == NULL)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("no connection “%s”; see `nmcli connection show`"), name);
      return NULL;
    }

  /* A budget follows a SIM: only mobile broadband connections have one. */
  type = nm_connection_get_connection_type (NM_CONNECTION (found));
  if (g_strcmp0 (type, NM_SETTING_GSM_SETTING_NAME) != 0)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("“%s” is a %s connection, not a mobile broadband (gsm) one"),
                   name, type ? type : "?");
      return NULL;
    }
  return found;
}

gboolean
sb_cli_nm_commit (NMRemoteConnection *connection,
                  GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nm_remote_connection_commit_changes_async (connection, TRUE, NULL, on_result, &result);
  return nm_remote_connection_commit_changes_finish (connection, wait_for (&result), error);
}

GHashTable *
sb_cli_nm_budget_data (NMConnection *connection)
{
  GHashTable *data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  NMSettingUser *setting = NM_SETTING_USER (nm_connection_get_setting (connection, NM_TYPE_SETTING_USER));
  const char *const *keys;
  guint n_keys = 0;

  if (setting == NULL)
    return data;
  keys = nm_setting_user_get_keys (setting, &n_keys);
  for (guint i = 0; i < n_keys; i++)
    if (g_str_has_prefix (keys[i], "simbudget."))
      g_hash_table_insert (data, g_strdup (keys[i]),
                           g_strdup (nm_setting_user_get_data (setting, keys[i])));
  return data;
}
