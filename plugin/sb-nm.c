#define G_LOG_DOMAIN "sb-nm"

#include "sb-nm.h"

#include <NetworkManager.h>

struct _SbNm {
  NMClient      *client;      /* (owned) (nullable) until ready */
  GCancellable  *cancellable;
  SbNmCallbacks  cb;
  gpointer       user_data;
};

static void
emit_changed (SbNm *self)
{
  if (self->cb.changed)
    self->cb.changed (self->user_data);
}

static void
device_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  emit_changed (user_data);
}

static void
watch_device (SbNm *self, NMDevice *device)
{
  if (!NM_IS_DEVICE_MODEM (device))
    return;
  g_signal_handlers_disconnect_by_data (device, self);
  g_signal_connect (device, "notify::" NM_DEVICE_IP_INTERFACE, G_CALLBACK (device_notify_cb), self);
  g_signal_connect (device, "notify::" NM_DEVICE_STATE, G_CALLBACK (device_notify_cb), self);
}

static void
device_added_cb (NMClient *client, NMDevice *device, gpointer user_data)
{
  watch_device (user_data, device);
  emit_changed (user_data);
}

static void
device_removed_cb (NMClient *client, NMDevice *device, gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (device, user_data);
  emit_changed (user_data);
}

static void
nm_running_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  SbNm *self = user_data;

  g_info ("NetworkManager %s", nm_client_get_nm_running (self->client) ? "running" : "not running");
  emit_changed (self);
}

static void
client_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  NMClient *client = nm_client_new_finish (res, &error);
  SbNm *self;
  const GPtrArray *devices;

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
  g_signal_connect (client, NM_CLIENT_DEVICE_REMOVED, G_CALLBACK (device_removed_cb), self);
  devices = nm_client_get_devices (client);
  for (guint i = 0; devices && i < devices->len; i++)
    watch_device (self, g_ptr_array_index (devices, i));
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

const char *
sb_nm_ip_iface_for_modem (SbNm *self, const char *modem_path)
{
  const GPtrArray *devices;

  if (!sb_nm_running (self) || !modem_path)
    return NULL;
  devices = nm_client_get_devices (self->client);
  for (guint i = 0; devices && i < devices->len; i++)
    {
      NMDevice *dev = g_ptr_array_index (devices, i);
      if (NM_IS_DEVICE_MODEM (dev) && g_strcmp0 (nm_device_get_udi (dev), modem_path) == 0)
        return nm_device_get_ip_iface (dev);
    }
  return NULL;
}

void
sb_nm_free (SbNm *self)
{
  const GPtrArray *devices;

  if (!self)
    return;
  g_cancellable_cancel (self->cancellable);
  if (self->client)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      devices = nm_client_get_devices (self->client);
      for (guint i = 0; devices && i < devices->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (devices, i), self);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_free (self);
}
