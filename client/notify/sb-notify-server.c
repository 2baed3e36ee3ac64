/* The session's notification server, through GIO. */
#define G_LOG_DOMAIN "sb-notify-server"

#include "sb-notify-server.h"

#include <string.h>

#define NOTIFY_NAME  "org.freedesktop.Notifications"
#define NOTIFY_PATH  "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"

/* A server that is there but fails a call is retried with back-off; a
 * notification it keeps refusing is given up. */
#define RETRY_FIRST_SECONDS 1
#define RETRY_MAX_SECONDS   60
#define MAX_FAILURES        5

typedef struct {
  char           *key;            /* (owned) */
  SbNotification *wanted;         /* (owned) (nullable) to post next */
  SbNotification *sending;        /* (owned) (nullable) in a Notify call */
  SbNotification *shown;          /* (owned) (nullable) on screen as @id */
  guint32         id;             /* the server's id of @shown, 0 = none */
  guint           failures;
  gboolean        withdraw_after; /* withdrawn while @sending was in flight */
} Entry;

struct _SbNotifyServer {
  GObject          parent_instance;

  GDBusConnection *session;       /* (owned) */
  GCancellable    *cancellable;   /* (owned) */
  GHashTable      *entries;       /* (owned) key → Entry */
  char            *owner;         /* (owned) (nullable) the server's unique name */
  gboolean         absent;        /* a call found no server: wait for one */
  guint            watch_id;
  guint            action_sub;    /* signal subscriptions, 0 = none */
  guint            closed_sub;
  guint            retry_source;
  guint            retry_seconds;
};

enum {
  SIGNAL_POSTED,
  SIGNAL_ACTION_INVOKED,
  N_SIGNALS,
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SbNotifyServer, sb_notify_server, G_TYPE_OBJECT)

typedef struct {
  SbNotifyServer *self; /* (unowned): the call is cancelled before it goes */
  char           *key;  /* (owned) */
} CallData;

static void kick (SbNotifyServer *self, Entry *entry);

static void
entry_free (Entry *entry)
{
  g_free (entry->key);
  sb_notification_free (entry->wanted);
  sb_notification_free (entry->sending);
  sb_notification_free (entry->shown);
  g_free (entry);
}

static Entry *
entry_get (SbNotifyServer *self, const char *key)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->key = g_strdup (key);
      g_hash_table_insert (self->entries, entry->key, entry);
    }
  return entry;
}

static Entry *
entry_by_id (SbNotifyServer *self, guint32 id)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (entry->id != 0 && entry->id == id && entry->shown != NULL)
        return entry;
    }
  return NULL;
}

static void
call_data_free (CallData *data)
{
  g_free (data->key);
  g_free (data);
}

static void
kick_all (SbNotifyServer *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    kick (self, entry);
}

static gboolean
retry_cb (gpointer user_data)
{
  SbNotifyServer *self = user_data;

  self->retry_source = 0;
  kick_all (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (SbNotifyServer *self)
{
  if (self->retry_source != 0)
    return;
  self->retry_seconds = self->retry_seconds == 0 ? RETRY_FIRST_SECONDS
                        : MIN (self->retry_seconds * 2, RETRY_MAX_SECONDS);
  self->retry_source = g_timeout_add_seconds (self->retry_seconds, retry_cb, self);
}

/* Errors that mean nobody serves notifications on this bus (activation
 * included), as opposed to a server that failed the call. */
static gboolean
is_no_server (const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         (name != NULL && g_str_has_prefix (name, "org.freedesktop.DBus.Error.Spawn."));
}

static void
close_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  /* Servers answer with an error when it was already closed. */
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    g_debug ("CloseNotification: %s", error->message);
}

static void
close_now (SbNotifyServer *self, Entry *entry)
{
  if (entry->id != 0 && self->owner != NULL)
    g_dbus_connection_call (self->session, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE,
                            "CloseNotification", g_variant_new ("(u)", entry->id),
                            NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                            self->cancellable, close_cb, NULL);
  entry->id = 0;
  g_clear_pointer (&entry->shown, sb_notification_free);
}

static void
notify_failed (SbNotifyServer *self, Entry *entry, const GError *error)
{
  /* A newer notification supersedes the one that failed. */
  if (entry->wanted == NULL && !entry->withdraw_after)
    entry->wanted = g_steal_pointer (&entry->sending);
  g_clear_pointer (&entry->sending, sb_notification_free);
  entry->withdraw_after = FALSE;

  if (is_no_server (error))
    {
      /* Wait for a server to appear rather than asking again; unless one
       * appeared while the call was on its way. */
      g_debug ("No notification server: %s", error->message);
      if (self->owner == NULL)
        self->absent = TRUE;
      else
        kick (self, entry);
      return;
    }

  g_message ("Could not show a notification: %s", error->message);
  if (entry->wanted != NULL && ++entry->failures >= MAX_FAILURES)
    {
      g_message ("Giving up on “%s”", entry->wanted->summary);
      g_clear_pointer (&entry->wanted, sb_notification_free);
      entry->failures = 0;
      return;
    }
  schedule_retry (self);
}

static void
notify_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  SbNotifyServer *self;
  Entry *entry;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      call_data_free (data);
      return;
    }
  self = data->self;
  entry = entry_get (self, data->key);
  call_data_free (data);

  if (reply == NULL)
    {
      notify_failed (self, entry, error);
      return;
    }

  g_clear_pointer (&entry->shown, sb_notification_free);
  entry->shown = g_steal_pointer (&entry->sending);
  g_variant_get (reply, "(u)", &entry->id);
  entry->failures = 0;
  self->retry_seconds = 0;
  g_signal_emit (self, signals[SIGNAL_POSTED], 0, entry->key, entry->shown);

  if (entry->withdraw_after)
    {
      entry->withdraw_after = FALSE;
      close_now (self, entry);
    }
  kick (self, entry);
}

static void
kick (SbNotifyServer *self, Entry *entry)
{
  CallData *data;

  if (entry->sending != NULL || entry->wanted == NULL ||
      self->absent || self->retry_source != 0)
    return;

  entry->sending = g_steal_pointer (&entry->wanted);
  data = g_new0 (CallData, 1);
  data->self = self;
  data->key = g_strdup (entry->key);
  /* Auto-start is allowed: many servers are D-Bus activated. */
  g_dbus_connection_call (self->session, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE, "Notify",
                          sb_notification_to_parameters (entry->sending, entry->id),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, notify_cb, data);
}

static void
on_action_invoked (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  SbNotifyServer *self = user_data;
  g_autofree char *key = NULL;
  const char *action;
  guint32 id;
  Entry *entry;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(us)")))
    return;
  g_variant_get (parameters, "(u&s)", &id, &action);
  /* The signal goes to every client: most ids are someone else's. */
  entry = entry_by_id (self, id);
  if (entry == NULL || !sb_notification_has_action (entry->shown, action))
    return;
  key = g_strdup (entry->key);
  g_signal_emit (self, signals[SIGNAL_ACTION_INVOKED], 0, key, action);
}

static void
on_notification_closed (GDBusConnection *connection,
                        const char      *sender,
                        const char      *path,
                        const char      *interface,
                        const char      *signal,
                        GVariant        *parameters,
                        gpointer         user_data)
{
  SbNotifyServer *self = user_data;
  guint32 id;
  guint32 reason;
  Entry *entry;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uu)")))
    return;
  g_variant_get (parameters, "(uu)", &id, &reason);
  entry = entry_by_id (self, id);
  if (entry == NULL)
    return;
  entry->id = 0;
  g_clear_pointer (&entry->shown, sb_notification_free);
}

static void
unsubscribe (SbNotifyServer *self)
{
  if (self->action_sub != 0)
    g_dbus_connection_signal_unsubscribe (self->session, self->action_sub);
  if (self->closed_sub != 0)
    g_dbus_connection_signal_unsubscribe (self->session, self->closed_sub);
  self->action_sub = 0;
  self->closed_sub = 0;
}

/* A new server (or none) knows nothing of the old one's ids. */
static void
forget_shown (SbNotifyServer *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      entry->id = 0;
      g_clear_pointer (&entry->shown, sb_notification_free);
    }
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  SbNotifyServer *self = user_data;

  if (g_strcmp0 (self->owner, owner) != 0)
    {
      forget_shown (self);
      unsubscribe (self);
      g_free (self->owner);
      self->owner = g_strdup (owner);
      /* Subscribing to the unique name: nobody else can fake an action. */
      self->action_sub =
        g_dbus_connection_signal_subscribe (connection, owner, NOTIFY_IFACE, "ActionInvoked",
                                            NOTIFY_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                            on_action_invoked, self, NULL);
      self->closed_sub =
        g_dbus_connection_signal_subscribe (connection, owner, NOTIFY_IFACE, "NotificationClosed",
                                            NOTIFY_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                            on_notification_closed, self, NULL);
    }
  g_debug ("Notification server %s appeared", owner);
  self->absent = FALSE;
  kick_all (self);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  SbNotifyServer *self = user_data;

  if (self->owner != NULL)
    g_debug ("Notification server %s went away", self->owner);
  forget_shown (self);
  unsubscribe (self);
  g_clear_pointer (&self->owner, g_free);
}

SbNotifyServer *
sb_notify_server_new (GDBusConnection *session)
{
  SbNotifyServer *self = g_object_new (SB_TYPE_NOTIFY_SERVER, NULL);

  self->session = g_object_ref (session);
  self->watch_id = g_bus_watch_name_on_connection (session, NOTIFY_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, on_name_vanished,
                                                   self, NULL);
  return self;
}

void
sb_notify_server_show (SbNotifyServer *self,
                       const char     *key,
                       SbNotification *notification)
{
  Entry *entry = entry_get (self, key);

  sb_notification_free (entry->wanted);
  entry->wanted = notification;
  entry->withdraw_after = FALSE;
  kick (self, entry);
}

void
sb_notify_server_withdraw (SbNotifyServer *self,
                           const char     *key)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    return;
  g_clear_pointer (&entry->wanted, sb_notification_free);
  if (entry->sending != NULL)
    entry->withdraw_after = TRUE;
  close_now (self, entry);
}

const SbNotification *
sb_notify_server_lookup (SbNotifyServer *self,
                         const char     *key)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    return NULL;
  if (entry->wanted != NULL)
    return entry->wanted;
  if (entry->sending != NULL && !entry->withdraw_after)
    return entry->sending;
  return entry->shown;
}

static void
sb_notify_server_dispose (GObject *object)
{
  SbNotifyServer *self = SB_NOTIFY_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  if (self->session != NULL)
    unsubscribe (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  G_OBJECT_CLASS (sb_notify_server_parent_class)->dispose (object);
}

static void
sb_notify_server_finalize (GObject *object)
{
  SbNotifyServer *self = SB_NOTIFY_SERVER (object);

  g_hash_table_unref (self->entries);
  g_free (self->owner);
  g_clear_object (&self->session);
  g_object_unref (self->cancellable);
  G_OBJECT_CLASS (sb_notify_server_parent_class)->finalize (object);
}

static void
sb_notify_server_class_init (SbNotifyServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sb_notify_server_dispose;
  object_class->finalize = sb_notify_server_finalize;

  signals[SIGNAL_POSTED] =
    g_signal_new ("posted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
  signals[SIGNAL_ACTION_INVOKED] =
    g_signal_new ("action-invoked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
sb_notify_server_init (SbNotifyServer *self)
{
  self->cancellable = g_cancellable_new ();
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) entry_free);
}
