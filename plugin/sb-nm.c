#define G_LOG_DOMAIN "sb-nm"

#include "sb-nm.h"

#include <NetworkManager.h>


struct _SbNm {
  NMClient      *client;      /* (owned) (nullable) until ready */
  GCancellable  *cancellable;
  SbNmCallbacks  cb;
  gpointer       user_data;
  guint          idle;
};

void
sb_nm_connection_free (SbNmConnection *c)
{
  if (!c)
    return;
  g_free (c->uuid);
  g_free (c->id);
  g_free (c->sim_id);
  g_free (c->active_path);
  g_free (c->active_udi);
  g_free (c->ip_iface);
  g_clear_pointer (&c->user_data, g_hash_table_unref);
  g_free (c);
}

static gboolean
changed_idle_cb (gpointer user_data)
{
  SbNm *self = user_data;

  self->idle = 0;
  if (self->cb.changed)
    self->cb.changed (self->user_data);
  return G_SOURCE_REMOVE;
}

/* Many signals arrive in bursts (a restart, an activation): one report. */
static void
emit_changed (SbNm *self)
{
  if (!self->idle)
    self->idle = g_idle_add (changed_idle_cb, self);
}

static void
object_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  emit_changed (user_data);
}

static void
connection_changed_cb (NMConnection *connection, gpointer user_data)
{
  emit_changed (user_data);
}

static void
watch_device (SbNm *self, NMDevice *device)
{
  g_signal_handlers_disconnect_by_data (device, self);
  g_signal_connect (device, "notify::" NM_DEVICE_IP_INTERFACE, G_CALLBACK (object_notify_cb), self);
  g_signal_connect (device, "notify::" NM_DEVICE_STATE, G_CALLBACK (object_notify_cb), self);
  g_signal_connect (device, "notify::" NM_DEVICE_ACTIVE_CONNECTION, G_CALLBACK (object_notify_cb), self);
}

static void
watch_connection (SbNm *self, NMRemoteConnection *conn)
{
  g_signal_handlers_disconnect_by_data (conn, self);
  g_signal_connect (conn, NM_CONNECTION_CHANGED, G_CALLBACK (connection_changed_cb), self);
}

static void
watch_active (SbNm *self, NMActiveConnection *ac)
{
  g_signal_handlers_disconnect_by_data (ac, self);
  g_signal_connect (ac, "notify::" NM_ACTIVE_CONNECTION_STATE, G_CALLBACK (object_notify_cb), self);
  g_signal_connect (ac, "notify::" NM_ACTIVE_CONNECTION_DEVICES, G_CALLBACK (object_notify_cb), self);
}

static void
device_added_cb (NMClient *client, NMDevice *device, gpointer user_data)
{
  watch_device (user_data, device);
  emit_changed (user_data);
}

static void
connection_added_cb (NMClient *client, NMRemoteConnection *conn, gpointer user_data)
{
  watch_connection (user_data, conn);
  emit_changed (user_data);
}

static void
active_added_cb (NMClient *client, NMActiveConnection *ac, gpointer user_data)
{
  watch_active (user_data, ac);
  emit_changed (user_data);
}

static void
object_removed_cb (NMClient *client, GObject *object, gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (object, user_data);
  emit_changed (user_data);
}

static void
nm_running_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  SbNm *self = user_data;

  g_message ("NetworkManager %s", nm_client_get_nm_running (self->client) ? "is running" : "is gone");
  emit_changed (self);
}

static void
watch_all (SbNm *self)
{
  const GPtrArray *a;

  a = nm_client_get_devices (self->client);
  for (guint i = 0; a && i < a->len; i++)
    watch_device (self, g_ptr_array_index (a, i));
  a = nm_client_get_connections (self->client);
  for (guint i = 0; a && i < a->len; i++)
    watch_connection (self, g_ptr_array_index (a, i));
  a = nm_client_get_active_connections (self->client);
  for (guint i = 0; a && i < a->len; i++)
    watch_active (self, g_ptr_array_index (a, i));
}

static void
client_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  NMClient *client = nm_client_new_finish (res, &error);
  SbNm *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (!client)
    {
      g_message ("Cannot follow NetworkManager: %s", error->message);
      return;
    }
  self->client = client;
  g_signal_connect (client, "notify::" NM_CLIENT_NM_RUNNING, G_CALLBACK (nm_running_cb), self);
  g_signal_connect (client, NM_CLIENT_DEVICE_ADDED, G_CALLBACK (device_added_cb), self);
  g_signal_connect (client, NM_CLIENT_DEVICE_REMOVED, G_CALLBACK (object_removed_cb), self);
  g_signal_connect (client, NM_CLIENT_CONNECTION_ADDED, G_CALLBACK (connection_added_cb), self);
  g_signal_connect (client, NM_CLIENT_CONNECTION_REMOVED, G_CALLBACK (object_removed_cb), self);
  g_signal_connect (client, NM_CLIENT_ACTIVE_CONNECTION_ADDED, G_CALLBACK (active_added_cb), self);
  g_signal_connect (client, NM_CLIENT_ACTIVE_CONNECTION_REMOVED, G_CALLBACK (object_removed_cb), self);
  watch_all (self);
  emit_changed (self);
}

SbNm *
sb_nm_new (const SbNmCallbacks *callbacks, gpointer user_data)
{
  SbNm *self = g_new0 (SbNm, 1);

  self->cb = *callbacks;
  self->user_data = user_data;
  self->cancellable = g_cancellable_new ();
  nm_client_new_async (self->cancellable, client_ready_cb, self);
  return self;
}

gboolean
sb_nm_running (SbNm *self)
{
  return self->client && nm_client_get_nm_running (self->client);
}

static NMDevice *
device_for_modem (SbNm *self, const char *modem_path)
{
  const GPtrArray *devices;

  if (!sb_nm_running (self) || !modem_path)
    return NULL;
  devices = nm_client_get_devices (self->client);
  for (guint i = 0; devices && i < devices->len; i++)
    {
      NMDevice *dev = g_ptr_array_index (devices, i);
      if (NM_IS_DEVICE_MODEM (dev) && g_strcmp0 (nm_device_get_udi (dev), modem_path) == 0)
        return dev;
    }
  return NULL;
}

const char *
sb_nm_ip_iface_for_modem (SbNm *self, const char *modem_path)
{
  NMDevice *dev = device_for_modem (self, modem_path);

  return dev ? nm_device_get_ip_iface (dev) : NULL;
}

static gboolean
ac_is_up (NMActiveConnection *ac)
{
  NMActiveConnectionState st = nm_active_connection_get_state (ac);

  return st == NM_ACTIVE_CONNECTION_STATE_ACTIVATING || st == NM_ACTIVE_CONNECTION_STATE_ACTIVATED;
}

static GHashTable *
read_user_data (NMConnection *conn)
{
  GHashTable *data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  NMSettingUser *s = NM_SETTING_USER (nm_connection_get_setting_by_name (conn, NM_SETTING_USER_SETTING_NAME));
  const char *const *keys;
  guint n = 0;

  if (!s)
    return data;
  keys = nm_setting_user_get_keys (s, &n);
  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix (keys[i], "simbudget."))
      g_hash_table_insert (data, g_strdup (keys[i]), g_strdup (nm_setting_user_get_data (s, keys[i])));
  return data;
}

GPtrArray *
sb_nm_list_gsm_connections (SbNm *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_nm_connection_free);
  const GPtrArray *conns, *acs;

  if (!sb_nm_running (self))
    return out;
  conns = nm_client_get_connections (self->client);
  acs = nm_client_get_active_connections (self->client);
  for (guint i = 0; conns && i < conns->len; i++)
    {
      NMConnection *conn = g_ptr_array_index (conns, i);
      NMSettingGsm *gsm;
      SbNmConnection *c;

      if (!nm_connection_is_type (conn, NM_SETTING_GSM_SETTING_NAME))
        continue;
      gsm = nm_connection_get_setting_gsm (conn);
      c = g_new0 (SbNmConnection, 1);
      c->uuid = g_strdup (nm_connection_get_uuid (conn));
      c->id = g_strdup (nm_connection_get_id (conn));
      c->sim_id = gsm && nm_setting_gsm_get_sim_id (gsm) && *nm_setting_gsm_get_sim_id (gsm) ?
                  g_strdup (nm_setting_gsm_get_sim_id (gsm)) : NULL;
      c->user_data = read_user_data (conn);
      for (guint j = 0; acs && j < acs->len; j++)
        {
          NMActiveConnection *ac = g_ptr_array_index (acs, j);
          const GPtrArray *devs;

          if (g_strcmp0 (nm_active_connection_get_uuid (ac), c->uuid) != 0 || !ac_is_up (ac))
            continue;
          c->active = TRUE;
          g_free (c->active_path);
          c->active_path = g_strdup (nm_object_get_path (NM_OBJECT (ac)));
          devs = nm_active_connection_get_devices (ac);
          if (devs && devs->len > 0)
            {
              NMDevice *dev = g_ptr_array_index (devs, 0);
              c->active_udi = g_strdup (nm_device_get_udi (dev));
              c->ip_iface = g_strdup (nm_device_get_ip_iface (dev));
            }
        }
      if (c->uuid)
        g_ptr_array_add (out, c);
      else
        sb_nm_connection_free (c);
    }
  return out;
}

gboolean
sb_nm_get_device_autoconnect (SbNm *self, const char *modem_path, gboolean *out)
{
  NMDevice *dev = device_for_modem (self, modem_path);

  if (!dev)
    return FALSE;
  *out = nm_device_get_autoconnect (dev);
  return TRUE;
}

static void
set_property_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *what = user_data;

  if (!nm_client_dbus_set_property_finish (NM_CLIENT (source), res, &error))
    g_message ("Could not set %s: %s", what, error->message);
  else
    g_info ("Set %s", what);
}

void
sb_nm_set_device_autoconnect (SbNm *self, const char *modem_path, gboolean autoconnect)
{
  NMDevice *dev = device_for_modem (self, modem_path);

  if (!dev)
    return;
  nm_client_dbus_set_property (self->client, nm_object_get_path (NM_OBJECT (dev)),
                               NM_DBUS_INTERFACE_DEVICE, "Autoconnect",
                               g_variant_new_boolean (autoconnect), 5000, NULL,
                               set_property_cb,
                               g_strdup_printf ("Autoconnect=%s on %s",
                                                autoconnect ? "true" : "false",
                                                nm_device_get_iface (dev)));
}

static void
deactivate_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = user_data;

  if (!nm_client_deactivate_connection_finish (NM_CLIENT (source), res, &error))
    g_message ("Could not deactivate %s: %s", uuid, error->message);
  else
    g_info ("Deactivated %s", uuid);
}

/* NetworkManager 1.42 aborts when a modem's connect result comes back to a
 * device that is no longer preparing (an assertion in nm-device-modem.c,
 * modem_prepare_result). Nothing flows before the modem is connected, so
 * an activation is taken down once its device is known to be past
 * PREPARE; libnm may show the new activation before its device's state.
 * The device's state change brings another look. */
static gboolean
modem_maybe_preparing (NMActiveConnection *ac)
{
  const GPtrArray *devs = nm_active_connection_get_devices (ac);

  if (nm_active_connection_get_state (ac) != NM_ACTIVE_CONNECTION_STATE_ACTIVATING)
    return FALSE;
  if (!devs || devs->len == 0)
    return TRUE;
  for (guint i = 0; i < devs->len; i++)
    {
      NMDevice *dev = g_ptr_array_index (devs, i);

      if (NM_IS_DEVICE_MODEM (dev) && nm_device_get_state (dev) <= NM_DEVICE_STATE_PREPARE)
        return TRUE;
    }
  return FALSE;
}

gboolean
sb_nm_deactivate (SbNm *self, const char *uuid)
{
  const GPtrArray *acs;
  gboolean any = FALSE;

  if (!sb_nm_running (self))
    return FALSE;
  acs = nm_client_get_active_connections (self->client);
  for (guint i = 0; acs && i < acs->len; i++)
    {
      NMActiveConnection *ac = g_ptr_array_index (acs, i);
      if (g_strcmp0 (nm_active_connection_get_uuid (ac), uuid) != 0)
        continue;
      if (nm_active_connection_get_state (ac) >= NM_ACTIVE_CONNECTION_STATE_DEACTIVATING)
        continue;
      any = TRUE;
      if (modem_maybe_preparing (ac))
        {
          g_debug ("Taking %s down once its modem has connected", uuid);
          continue;
        }
      nm_client_deactivate_connection_async (self->client, ac, NULL, deactivate_cb, g_strdup (uuid));
    }
  return any;
}

static void
activate_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = user_data;
  g_autoptr(NMActiveConnection) ac = nm_client_activate_connection_finish (NM_CLIENT (source), res, &error);

  if (!ac)
    g_message ("Could not re-activate %s: %s", uuid, error->message);
  else
    g_message ("Re-activated %s", uuid);
}

gboolean
sb_nm_activate (SbNm *self, const char *uuid, const char *modem_path)
{
  NMRemoteConnection *conn;

  if (!sb_nm_running (self))
    return FALSE;
  conn = nm_client_get_connection_by_uuid (self->client, uuid);
  if (!conn)
    return FALSE;
  nm_client_activate_connection_async (self->client, NM_CONNECTION (conn),
                                       device_for_modem (self, modem_path), NULL, NULL,
                                       activate_cb, g_strdup (uuid));
  return TRUE;
}

void
sb_nm_free (SbNm *self)
{
  if (!self)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle, g_source_remove);
  if (self->client)
    {
      const GPtrArray *lists[3] = {
        nm_client_get_devices (self->client),
        nm_client_get_connections (self->client),
        nm_client_get_active_connections (self->client),
      };
      g_signal_handlers_disconnect_by_data (self->client, self);
      for (guint l = 0; l < 3; l++)
        for (guint i = 0; lists[l] && i < lists[l]->len; i++)
          g_signal_handlers_disconnect_by_data (g_ptr_array_index (lists[l], i), self);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_free (self);
}
