#define G_LOG_DOMAIN "sb-sleep"

#include "sb-sleep.h"

#include <gio/gunixfdlist.h>
#include <unistd.h>

#define LOGIND_BUS   "org.freedesktop.login1"
#define LOGIND_PATH  "/org/freedesktop/login1"
#define LOGIND_IFACE "org.freedesktop.login1.Manager"

struct _SbSleep {
  GDBusConnection  *bus;
  SbSleepCallbacks  cb;
  gpointer          user_data;
  guint             signal_id;
  guint             watch_id;
  int               inhibit_fd;
  GCancellable     *cancellable;
};

static void
release (SbSleep *self)
{
  if (self->inhibit_fd >= 0)
    {
      close (self->inhibit_fd);
      self->inhibit_fd = -1;
      g_debug ("Sleep inhibitor released");
    }
}

static void
inhibit_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  SbSleep *self;
  gint32 idx;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds, res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (!reply)
    {
      g_info ("No sleep inhibitor: %s", error->message);
      return;
    }
  g_variant_get (reply, "(h)", &idx);
  release (self);
  self->inhibit_fd = fds ? g_unix_fd_list_get (fds, idx, NULL) : -1;
  g_debug ("Sleep inhibitor taken");
}

static void
take (SbSleep *self)
{
  if (self->inhibit_fd >= 0)
    return;
  g_dbus_connection_call_with_unix_fd_list (self->bus, LOGIND_BUS, LOGIND_PATH, LOGIND_IFACE, "Inhibit",
                                            g_variant_new ("(ssss)", "sleep", "simbudget",
                                                           "Recording mobile data usage before sleep",
                                                           "delay"),
                                            G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                            5000, NULL, self->cancellable, inhibit_cb, self);
}

static void
prepare_for_sleep_cb (GDBusConnection *bus, const char *sender, const char *path,
                      const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  SbSleep *self = user_data;
  gboolean sleeping = FALSE;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (params, "(b)", &sleeping);
  if (sleeping)
    {
      g_message ("Going to sleep: taking a last reading");
      if (self->cb.before_sleep)
        self->cb.before_sleep (self->user_data);
      release (self);
    }
  else
    {
      g_message ("Resumed");
      take (self);
      if (self->cb.after_resume)
        self->cb.after_resume (self->user_data);
    }
}

static void
appeared_cb (GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
  take (user_data);
}

static void
vanished_cb (GDBusConnection *bus, const char *name, gpointer user_data)
{
  release (user_data);
}

SbSleep *
sb_sleep_new (GDBusConnection *bus, const SbSleepCallbacks *callbacks, gpointer user_data)
{
  SbSleep *self = g_new0 (SbSleep, 1);

  self->bus = g_object_ref (bus);
  self->cb = *callbacks;
  self->user_data = user_data;
  self->inhibit_fd = -1;
  self->cancellable = g_cancellable_new ();
  self->signal_id = g_dbus_connection_signal_subscribe (bus, LOGIND_BUS, LOGIND_IFACE, "PrepareForSleep",
                                                        LOGIND_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                        prepare_for_sleep_cb, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (bus, LOGIND_BUS, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   appeared_cb, vanished_cb, self, NULL);
  return self;
}

void
sb_sleep_free (SbSleep *self)
{
  if (!self)
    return;
  g_cancellable_cancel (self->cancellable);
  g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  g_bus_unwatch_name (self->watch_id);
  release (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bus);
  g_free (self);
}
