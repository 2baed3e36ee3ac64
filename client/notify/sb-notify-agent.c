/* Follows simbudgetd and decides what to notify. */
#define G_LOG_DOMAIN "sb-notify-agent"

#include "config.h"

#include "sb-notify-agent.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-dbus-generated.h"
#include "sb-notify-memory.h"
#include "sb-notify-server.h"
#include "sb-notify-text.h"

#define SB_BUS_NAME "org.simbudget.SimBudget1"
#define SB_PATH     "/org/simbudget/SimBudget1"
#define SB_NOT_AUTHORIZED "org.simbudget.SimBudget1.Error.NotAuthorized"

struct _SbNotifyAgent {
  SbNotifyServer     *server;      /* (owned) */
  SbNotifyMemory     *memory;      /* (owned) */
  GCancellable       *cancellable; /* (owned) for Override calls */
  guint               watch_id;
  GDBusObjectManager *manager;     /* (owned) (nullable) while simbudgetd runs */
  GHashTable         *profiles;    /* (owned) object path → Profile */
};

typedef struct {
  SbNotifyAgent       *agent;  /* (unowned) */
  SbSimBudget1Profile *proxy;  /* (owned) */
} Profile;

typedef struct {
  SbNotifyAgent       *agent;  /* (unowned): cancelled before it goes */
  SbSimBudget1Profile *proxy;  /* (owned) */
} OverrideCall;

static void
profile_free (Profile *profile)
{
  g_signal_handlers_disconnect_by_data (profile->proxy, profile);
  g_object_unref (profile->proxy);
  g_free (profile);
}

static const char *
nonnull (const char *text)
{
  return text != NULL ? text : "";
}

static const char *
profile_key (SbSimBudget1Profile *proxy)
{
  return nonnull (sb_sim_budget1_profile_get_iccid (proxy));
}

/* The properties the texts need; valid until the proxy's cache changes. */
static void
profile_facts (SbSimBudget1Profile *proxy, SbNotifyProfile *out)
{
  out->iccid = profile_key (proxy);
  out->connection_id = sb_sim_budget1_profile_get_connection_id (proxy);
  out->operator_name = sb_sim_budget1_profile_get_operator_name (proxy);
  out->sim_type = sb_sim_budget1_profile_get_sim_type (proxy);
  out->period = sb_sim_budget1_profile_get_period (proxy);
  out->time_zone = sb_sim_budget1_profile_get_time_zone (proxy);
  out->limit = sb_sim_budget1_profile_get_limit (proxy);
  out->period_end = sb_sim_budget1_profile_get_period_end (proxy);
}

static gboolean
is_cut_off_state (const char *state)
{
  return g_strcmp0 (state, "exhausted") == 0 || g_strcmp0 (state, "expired") == 0;
}

/* Shown before (this run or an earlier one), or about to be. */
static gboolean
already_shown (SbNotifyAgent *agent, const char *key, const char *memo, gint64 period)
{
  const SbNotification *current = sb_notify_server_lookup (agent->server, key);

  if (current != NULL && sb_notification_memo_equal (current, memo, period))
    return TRUE;
  return sb_notify_memory_has (agent->memory, key, period, memo);
}

static void
show_cut_off (Profile *profile, gboolean expired, gboolean cut)
{
  SbSimBudget1Profile *proxy = profile->proxy;
  const char *key = profile_key (proxy);
  gint64 period = sb_sim_budget1_profile_get_period_start (proxy);
  guint64 limit = sb_sim_budget1_profile_get_limit (proxy);
  guint64 extra = sb_sim_budget1_profile_get_extra_allowance (proxy);
  /* Each cut-off point is its own event: running out again after
   * "Allow 500 MB more" is news. */
  guint64 cut_off = extra > G_MAXUINT64 - limit ? G_MAXUINT64 : limit + extra;
  g_autofree char *memo = g_strdup_printf ("%s:%" G_GUINT64_FORMAT,
                                           expired ? "expired" : "exhausted", cut_off);
  SbNotifyProfile facts;
  SbNotification *notification;

  if (already_shown (profile->agent, key, memo, period))
    return;
  profile_facts (proxy, &facts);
  notification = sb_notify_exhausted_new (&facts, expired, cut);
  sb_notification_set_memo (notification, memo, period);
  sb_notify_server_show (profile->agent->server, key, notification);
}

/* The State property decides for a profile seen at start-up and backs up
 * the signals: a cut-off is shown once per cut-off point and period; one
 * that no longer holds is taken down. Warnings come from signals only, so
 * thresholds passed while nobody was logged in stay quiet. */
static void
check_state (Profile *profile)
{
  SbSimBudget1Profile *proxy = profile->proxy;
  const char *state = sb_sim_budget1_profile_get_state (proxy);
  const SbNotification *current;

  if (is_cut_off_state (state))
    {
      gboolean cut = g_strcmp0 (sb_sim_budget1_profile_get_action (proxy), "disconnect") == 0 &&
                     g_str_has_prefix (nonnull (sb_sim_budget1_profile_get_enforcement (proxy)),
                                       "disconnect");

      show_cut_off (profile, g_strcmp0 (state, "expired") == 0, cut);
      return;
    }

  current = sb_notify_server_lookup (profile->agent->server, profile_key (proxy));
  if (current != NULL && current->urgency == SB_URGENCY_CRITICAL)
    sb_notify_server_withdraw (profile->agent->server, profile_key (proxy));
}

static void
on_threshold_reached (SbSimBudget1Profile *proxy,
                      guint                percent,
                      guint64              used,
                      guint64              limit,
                      Profile             *profile)
{
  const char *key = profile_key (proxy);
  gint64 period = sb_sim_budget1_profile_get_period_start (proxy);
  g_autofree char *memo = g_strdup_printf ("threshold:%u", percent);
  SbNotifyProfile facts;
  SbNotification *notification;

  /* A late warning must not cover the cut-off notification. */
  if (is_cut_off_state (sb_sim_budget1_profile_get_state (proxy)) ||
      already_shown (profile->agent, key, memo, period))
    return;
  profile_facts (proxy, &facts);
  notification = sb_notify_threshold_new (&facts, percent, used, limit);
  sb_notification_set_memo (notification, memo, period);
  sb_notify_server_show (profile->agent->server, key, notification);
}

static void
on_budget_exhausted (SbSimBudget1Profile *proxy,
                     guint64              used,
                     guint64              limit,
                     gboolean             disconnected,
                     Profile             *profile)
{
  gboolean expired = g_strcmp0 (sb_sim_budget1_profile_get_state (proxy), "expired") == 0;

  show_cut_off (profile, expired, disconnected);
}

static void
on_properties_changed (GDBusProxy         *proxy,
                       GVariant           *changed,
                       const char * const *invalidated,
                       Profile            *profile)
{
  g_autoptr(GVariant) state = g_variant_lookup_value (changed, "State", NULL);

  if (state != NULL || g_strv_contains (invalidated, "State"))
    check_state (profile);
}

static void
track (SbNotifyAgent *agent, GDBusObject *object)
{
  const char *path = g_dbus_object_get_object_path (object);
  SbSimBudget1Profile *proxy;
  Profile *profile;

  if (!SB_IS_OBJECT (object) || g_hash_table_contains (agent->profiles, path))
    return;
  proxy = sb_object_get_sim_budget1_profile (SB_OBJECT (object));
  if (proxy == NULL)
    return;

  profile = g_new0 (Profile, 1);
  profile->agent = agent;
  profile->proxy = proxy;
  g_signal_connect (proxy, "threshold-reached", G_CALLBACK (on_threshold_reached), profile);
  g_signal_connect (proxy, "budget-exhausted", G_CALLBACK (on_budget_exhausted), profile);
  g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), profile);
  g_hash_table_insert (agent->profiles, g_strdup (path), profile);
  g_debug ("Following %s", path);
  check_state (profile);
}

static void
on_object_added (GDBusObjectManager *manager, GDBusObject *object, SbNotifyAgent *agent)
{
  track (agent, object);
}

static void
on_interface_added (GDBusObjectManager *manager,
                    GDBusObject        *object,
                    GDBusInterface     *interface,
                    SbNotifyAgent      *agent)
{
  track (agent, object);
}

static void
on_object_removed (GDBusObjectManager *manager, GDBusObject *object, SbNotifyAgent *agent)
{
  const char *path = g_dbus_object_get_object_path (object);

  if (g_hash_table_remove (agent->profiles, path))
    g_debug ("No longer following %s", path);
}

static void
drop_manager (SbNotifyAgent *agent)
{
  g_hash_table_remove_all (agent->profiles);
  if (agent->manager == NULL)
    return;
  g_signal_handlers_disconnect_by_data (agent->manager, agent);
  g_clear_object (&agent->manager);
}

static void
on_daemon_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *owner,
                    gpointer         user_data)
{
  SbNotifyAgent *agent = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GDBusObject) objects = NULL;

  g_debug ("simbudgetd appeared as %s", owner);
  drop_manager (agent);
  /* Synchronous on purpose: the handlers below are connected before the
   * main loop dispatches any signal, so none emitted after
   * GetManagedObjects is lost. The daemon answers locally and fast. */
  agent->manager = sb_object_manager_client_new_sync (connection,
                                                      G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                                      SB_BUS_NAME, SB_PATH, NULL, &error);
  if (agent->manager == NULL)
    {
      g_message ("Could not follow simbudgetd: %s", error->message);
      return;
    }
  g_signal_connect (agent->manager, "object-added", G_CALLBACK (on_object_added), agent);
  g_signal_connect (agent->manager, "interface-added", G_CALLBACK (on_interface_added), agent);
  g_signal_connect (agent->manager, "object-removed", G_CALLBACK (on_object_removed), agent);

  objects = g_dbus_object_manager_get_objects (agent->manager);
  for (GList *l = objects; l != NULL; l = l->next)
    track (agent, l->data);
}

static void
on_daemon_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  SbNotifyAgent *agent = user_data;

  /* Notifications on screen stay: a restarting daemon keeps its cut-offs. */
  if (connection == NULL)
    g_debug ("No system bus");
  else
    g_debug ("simbudgetd is not running");
  drop_manager (agent);
}

static Profile *
find_profile (SbNotifyAgent *agent, const char *key)
{
  GHashTableIter iter;
  Profile *profile;

  g_hash_table_iter_init (&iter, agent->profiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &profile))
    {
      if (strcmp (profile_key (profile->proxy), key) == 0)
        return profile;
    }
  return NULL;
}

/* Why Override failed, for people; NULL when polkit said no. The daemon's
 * own errors carry messages meant for people; D-Bus's do not. @remote:
 * the D-Bus error name, read before @error was stripped of it. */
static const char *
refusal_reason (const GError *error, const char *remote)
{
  if (g_strcmp0 (remote, SB_NOT_AUTHORIZED) == 0 ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    return NULL;
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    return _("the simbudget service is not running.");
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    return _("simbudget no longer knows this SIM profile.");
  return error->message;
}

static void
override_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OverrideCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *remote = NULL;
  SbNotifyProfile facts;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      remote = g_dbus_error_get_remote_error (error);
      g_dbus_error_strip_remote_error (error);
      g_message ("Override refused: %s", error->message);
      profile_facts (call->proxy, &facts);
      /* Replaces the cut-off notification, whose buttons were used. */
      sb_notify_server_show (call->agent->server, facts.iccid,
                             sb_notify_refused_new (&facts, refusal_reason (error, remote)));
    }
  g_object_unref (call->proxy);
  g_free (call);
}

static void
on_action_invoked (SbNotifyServer *server,
                   const char     *key,
                   const char     *action,
                   SbNotifyAgent  *agent)
{
  Profile *profile = find_profile (agent, key);
  OverrideCall *call;
  guint64 extra;

  if (strcmp (action, SB_NOTIFY_ACTION_ALLOW_MORE) == 0)
    extra = SB_NOTIFY_MORE_BYTES;
  else if (strcmp (action, SB_NOTIFY_ACTION_ALLOW_PERIOD) == 0)
    extra = 0;  /* no cut-off until the period ends */
  else
    return;

  if (profile == NULL)
    {
      SbNotifyProfile facts = { .iccid = key };
      const char *reason = agent->manager == NULL
                           ? _("the simbudget service is not running.")
                           : _("simbudget no longer knows this SIM profile.");

      sb_notify_server_show (server, key, sb_notify_refused_new (&facts, reason));
      return;
    }

  call = g_new0 (OverrideCall, 1);
  call->agent = agent;
  call->proxy = g_object_ref (profile->proxy);
  /* polkit may ask for a password: no timeout while the person decides. */
  g_dbus_proxy_call (G_DBUS_PROXY (profile->proxy), "Override", g_variant_new ("(t)", extra),
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT,
                     agent->cancellable, override_cb, call);
}

static void
on_posted (SbNotifyServer *server,
           const char     *key,
           SbNotification *notification,
           SbNotifyAgent  *agent)
{
  g_autoptr(GError) error = NULL;

  if (notification->memo == NULL)
    return;
  if (!sb_notify_memory_remember (agent->memory, key, notification->memo_period,
                                  notification->memo, &error))
    g_message ("Could not save what was shown: %s", error->message);
}

SbNotifyAgent *
sb_notify_agent_new (GDBusConnection *session,
                     const char      *memory_path)
{
  SbNotifyAgent *agent = g_new0 (SbNotifyAgent, 1);

  agent->memory = sb_notify_memory_new (memory_path);
  agent->cancellable = g_cancellable_new ();
  agent->profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) profile_free);
  agent->server = sb_notify_server_new (session);
  g_signal_connect (agent->server, "posted", G_CALLBACK (on_posted), agent);
  g_signal_connect (agent->server, "action-invoked", G_CALLBACK (on_action_invoked), agent);
  /* Not auto-started: whether simbudgetd runs is the administrator's call. */
  agent->watch_id = g_bus_watch_name (G_BUS_TYPE_SYSTEM, SB_BUS_NAME,
                                      G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      on_daemon_appeared, on_daemon_vanished,
                                      agent, NULL);
  return agent;
}

void
sb_notify_agent_free (SbNotifyAgent *agent)
{
  if (agent == NULL)
    return;
  g_cancellable_cancel (agent->cancellable);
  g_bus_unwatch_name (agent->watch_id);
  drop_manager (agent);
  g_signal_handlers_disconnect_by_data (agent->server, agent);
  g_object_unref (agent->server);
  g_hash_table_unref (agent->profiles);
  sb_notify_memory_free (agent->memory);
  g_object_unref (agent->cancellable);
  g_free (agent);
}
