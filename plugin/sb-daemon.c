#define G_LOG_DOMAIN "simbudgetd"

#include "config.h"

#include "sb-daemon.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "sb-accounting.h"
#include "sb-alarm.h"
#include "sb-binding.h"
#include "sb-enforcer.h"
#include "sb-clock.h"
#include "sb-dbus-generated.h"
#include "sb-error.h"
#include "sb-limiter.h"
#include "sb-modem-watcher.h"
#include "sb-nm.h"
#include "sb-profile.h"
#include "sb-readings.h"
#include "sb-sleep.h"
#include "sb-storage.h"
#include "sb-store.h"

#define FLUSH_DELAY_MS 1000
#define RETRY_MIN_S 5
#define RETRY_MAX_S 300
#define SNAPSHOT_KEEP_S (30 * 24 * 3600)

struct _SbDaemon {
  char                     *state_dir;
  SbStorage                *storage;        /* (owned) */
  SbAccounting             *acc;            /* (owned) */

  GDBusConnection          *bus;
  GDBusObjectManagerServer *objman;
  SbSimBudget1             *manager;        /* (owned) skeleton */
  GHashTable               *profiles;       /* key → SbProfile (owned) */
  GHashTable               *dirty_profiles; /* keys */
  SbReadings               *readings;       /* (owned) bearers and their readings */

  SbModemWatcher           *watcher;
  SbNm                     *nm;
  SbEnforcer               *enforcer;
  SbLimiter                *limiter;
  SbSleep                  *sleep;
  GFileMonitor             *localtime_monitor;
  gboolean                  use_quota;
  SbAlarm                  *alarm;
  GHashTable               *modems;         /* modem path → profile key */
  GPtrArray                *connections;    /* SbNmConnection, last seen */
  GHashTable               *nm_seen;        /* uuids this NetworkManager listed */
  GHashTable               *last_bound;     /* uuid → profile key */
  gboolean                  nm_was_running;

  guint                     flush_source;
  guint                     retry_source;
  guint                     retry_delay;
  guint                     owner_id;
  GMainLoop                *loop;
  int                       exit_code;
};

static gint64
now_s (void)
{
  return sb_clock_now ();
}

/* ---- storage ---------------------------------------------------------- */

static void flush_now (SbDaemon *self);

static void
publish_storage_state (gpointer user_data)
{
  SbDaemon *self = user_data;
  const char *problem = sb_storage_get_problem (self->storage);

  if (self->manager)
    sb_sim_budget1_set_storage_state (self->manager, problem ? problem : "ok");
}

static void
storage_before_reopen_cb (gpointer user_data)
{
  flush_now (user_data);
}

static void
storage_replaced_cb (gpointer user_data, SbStore *store)
{
  SbDaemon *self = user_data;

  sb_accounting_set_store (self->acc, store);
  if (self->enforcer)
    sb_enforcer_set_store (self->enforcer, store);
}

static const SbStorageCallbacks storage_callbacks = {
  .problem_changed = publish_storage_state,
  .before_reopen = storage_before_reopen_cb,
  .store_replaced = storage_replaced_cb,
};

static SbStore *
store_of (SbDaemon *self)
{
  return sb_storage_get_store (self->storage);
}

/* ---- flushing --------------------------------------------------------- */

static gboolean flush_timeout_cb (gpointer user_data);

static char *
budget_key (const char *profile_key)
{
  return g_strconcat ("budget:", profile_key, NULL);
}

/* Budget state of dirty profiles, written with the counted bytes. */
static gboolean
write_budgets (SbStore *store, gpointer user_data, GError **error)
{
  SbDaemon *self = user_data;
  GHashTableIter iter;
  const char *key;

  g_hash_table_iter_init (&iter, self->dirty_profiles);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      SbProfile *p = g_hash_table_lookup (self->profiles, key);
      g_autoptr(GVariant) v = NULL;
      g_autofree char *text = NULL;
      g_autofree char *skey = NULL;

      if (!p)
        continue;
      v = sb_profile_save_budget (p);
      text = g_variant_print (v, TRUE);
      skey = budget_key (key);
      if (!sb_store_set_state (store, skey, text, error))
        return FALSE;
    }
  return TRUE;
}

static void
flush_now (SbDaemon *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GHashTableIter iter;
  const char *key;

  g_clear_handle_id (&self->flush_source, g_source_remove);

  g_hash_table_iter_init (&iter, self->dirty_profiles);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      SbProfile *p = g_hash_table_lookup (self->profiles, key);
      if (p)
        g_ptr_array_add (rows, (gpointer) sb_profile_get_row (p));
    }

  if (!sb_accounting_flush (self->acc, rows, write_budgets, self, &error))
    {
      sb_storage_report_write (self->storage, error);
      if (!self->retry_source)
        {
          self->retry_delay = self->retry_delay ? MIN (self->retry_delay * 2, RETRY_MAX_S) : RETRY_MIN_S;
          self->retry_source = g_timeout_add_seconds (self->retry_delay, flush_timeout_cb, self);
        }
      return;
    }

  g_hash_table_remove_all (self->dirty_profiles);
  g_debug ("Flushed: %" G_GUINT64_FORMAT " write transactions so far",
           sb_store_commit_count (store_of (self)));
  self->retry_delay = 0;
  sb_storage_report_write (self->storage, NULL);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  self->flush_source = 0;
  self->retry_source = 0;
  flush_now (self);
  return G_SOURCE_REMOVE;
}

/* Coalesces writes: at most one transaction a second, none while idle. */
static void
schedule_flush (SbDaemon *self)
{
  if (self->flush_source || self->retry_source)
    return;
  if (!sb_accounting_has_pending (self->acc) && g_hash_table_size (self->dirty_profiles) == 0)
    return;
  self->flush_source = g_timeout_add (FLUSH_DELAY_MS, flush_timeout_cb, self);
}

/* ---- profiles --------------------------------------------------------- */

static void
profile_host_flush (gpointer host)
{
  SbDaemon *self = host;

  if (sb_accounting_has_pending (self->acc) || g_hash_table_size (self->dirty_profiles))
    flush_now (self);
}

static SbStore *
profile_host_store (gpointer host)
{
  return store_of (host);
}

static void
profile_host_dirty (gpointer host, SbProfile *profile)
{
  SbDaemon *self = host;

  g_hash_table_add (self->dirty_profiles, g_strdup (sb_profile_get_key (profile)));
  schedule_flush (self);
}

static void enforce_profile (SbDaemon *self, SbProfile *profile);
static void apply_configs (SbDaemon *self);
static void rearm_alarm (SbDaemon *self);

static void
profile_host_state_changed (gpointer host, SbProfile *profile)
{
  SbDaemon *self = host;

  enforce_profile (self, profile);
  rearm_alarm (self);
}

static void
profile_host_forget (gpointer host, SbProfile *profile)
{
  SbDaemon *self = host;
  g_autoptr(GError) error = NULL;
  const char *key = sb_profile_get_key (profile);

  flush_now (self);
  sb_accounting_forget_profile (self->acc, key);
  if (!sb_store_forget_profile (store_of (self), key, &error))
    g_warning ("Cannot forget %s: %s", key, error->message);
}

static const SbProfileHost profile_host = {
  .flush = profile_host_flush,
  .store = profile_host_store,
  .dirty = profile_host_dirty,
  .state_changed = profile_host_state_changed,
  .forget = profile_host_forget,
};

static void
rearm_alarm (SbDaemon *self)
{
  GHashTableIter iter;
  SbProfile *p;
  gint64 next = 0, now = now_s ();

  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      gint64 end = sb_profile_get_next_boundary (p);
      if (end > now && (next == 0 || end < next))
        next = end;
    }
  sb_alarm_set (self->alarm, next);
}

static void
alarm_cb (gpointer user_data, gboolean clock_changed)
{
  SbDaemon *self = user_data;
  gint64 now = now_s ();
  GHashTableIter iter;
  SbProfile *p;

  if (clock_changed)
    g_message ("The wall clock was set; re-checking periods");
  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    sb_profile_tick (p, now);
  rearm_alarm (self);
}

static void
export_profile (SbDaemon *self, SbProfile *profile)
{
  g_autoptr(SbObjectSkeleton) object = sb_object_skeleton_new (sb_profile_get_path (profile));

  sb_object_skeleton_set_sim_budget1_profile (object, SB_SIM_BUDGET1_PROFILE (profile));
  g_dbus_object_manager_server_export (self->objman, G_DBUS_OBJECT_SKELETON (object));
}

static SbProfile *
add_profile (SbDaemon *self, SbProfileRow *row, gboolean is_new)
{
  SbProfile *profile = sb_profile_new (row, &profile_host, self);

  g_autofree char *skey = budget_key (sb_profile_get_key (profile));
  g_autofree char *saved = sb_store_get_state (store_of (self), skey, NULL);
  g_autoptr(GVariant) budget = saved ? g_variant_parse (G_VARIANT_TYPE_VARDICT, saved,
                                                         NULL, NULL, NULL) : NULL;

  g_hash_table_insert (self->profiles, g_strdup (sb_profile_get_key (profile)), profile);
  if (is_new)
    profile_host_dirty (self, profile);
  if (budget)
    sb_profile_load_budget (profile, budget, now_s ());
  else
    sb_profile_check_period (profile, now_s ());
  export_profile (self, profile);
  rearm_alarm (self);
  return profile;
}

static SbProfile *
ensure_profile (SbDaemon *self, const char *key)
{
  SbProfile *profile = g_hash_table_lookup (self->profiles, key);
  SbProfileRow *row;

  if (profile)
    return profile;

  row = g_new0 (SbProfileRow, 1);
  row->iccid = g_strdup (key);
  row->eid = g_strdup ("");
  row->sim_type = g_strdup ("unknown");
  row->operator_name = g_strdup ("");
  row->first_seen = row->last_seen = now_s ();
  g_info ("New profile %s", key);
  return add_profile (self, row, TRUE);
}

static void
load_profiles (SbDaemon *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = sb_store_list_profiles (store_of (self), &error);

  if (!rows)
    {
      g_warning ("Cannot list profiles: %s", error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    add_profile (self, g_steal_pointer (&rows->pdata[i]), FALSE);
}

static void
update_active (SbDaemon *self, const char *profile_key)
{
  SbProfile *profile = profile_key ? g_hash_table_lookup (self->profiles, profile_key) : NULL;
  const char *iface = NULL;
  gboolean active;

  if (!profile)
    return;
  active = sb_readings_profile_connected (self->readings, profile_key, &iface);
  sb_profile_set_active (profile, active, iface);
  /* The quota follows the data interface. */
  enforce_profile (self, profile);
}

/* ---- budgets from NetworkManager -------------------------------------- */

static const char *
modem_of_profile (SbDaemon *self, const char *key)
{
  GHashTableIter iter;
  const char *modem, *k;

  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, (gpointer *) &modem, (gpointer *) &k))
    if (g_str_equal (k, key))
      return modem;
  return NULL;
}

static void
enforce_profile (SbDaemon *self, SbProfile *profile)
{
  const char *key = sb_profile_get_key (profile);
  const char *modem = modem_of_profile (self, key);
  SbBinding binding = { 0 };

  if (!self->enforcer)
    return;
  sb_binding_find (self->connections, key, modem, self->last_bound, &binding);
  sb_enforcer_update (self->enforcer, profile, binding.connection, modem,
                      sb_readings_profile_connected (self->readings, key, NULL));
  sb_binding_clear (&binding);

  if (self->limiter)
    {
      const SbPlan *plan = sb_profile_get_plan (profile);
      gboolean enforce = plan->limit > 0 && plan->action == SB_ACTION_DISCONNECT &&
                         !sb_state_is_over (sb_profile_get_state (profile));
      const char *now_enforcing = sb_sim_budget1_profile_get_enforcement (SB_SIM_BUDGET1_PROFILE (profile));

      /* Over budget the kernel stops everything at once. */
      if (plan->limit > 0 && plan->action == SB_ACTION_DISCONNECT && !enforce)
        sb_limiter_set_budget (self->limiter, key, TRUE, 0, FALSE);
      else
        sb_limiter_set_budget (self->limiter, key, enforce, sb_profile_get_remaining (profile), FALSE);
      if (g_str_equal (now_enforcing, "disconnect") && sb_limiter_quota_active (self->limiter, key))
        sb_profile_set_enforcement (profile, "disconnect+quota");
    }
}

/* Connections without gsm.sim-id bind to the profile they are active with,
 * and keep that binding while inactive (persisted). */
static void
learn_bindings (SbDaemon *self)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      SbNmConnection *c = g_ptr_array_index (self->connections, i);
      const char *key;
      g_autofree char *skey = NULL;

      if (c->sim_id || !c->active || !c->active_udi)
        continue;
      key = g_hash_table_lookup (self->modems, c->active_udi);
      if (!key || g_strcmp0 (g_hash_table_lookup (self->last_bound, c->uuid), key) == 0)
        continue;
      g_message ("Connection %s (%s) is used with profile %s", c->id, c->uuid, key);
      g_hash_table_insert (self->last_bound, g_strdup (c->uuid), g_strdup (key));
      skey = g_strconcat ("bind:", c->uuid, NULL);
      if (!sb_store_set_state (store_of (self), skey, key, NULL))
        g_message ("Cannot record the binding of %s", c->uuid);
    }
}

static void
load_bindings (SbDaemon *self)
{
  g_autoptr(GPtrArray) conns = NULL;

  /* Only bindings of connections seen later matter; they are read when
   * a connection without sim-id shows up. */
  conns = sb_nm_list_gsm_connections (self->nm);
  for (guint i = 0; i < conns->len; i++)
    {
      SbNmConnection *c = g_ptr_array_index (conns, i);
      g_autofree char *skey = NULL;
      g_autofree char *key = NULL;

      if (c->sim_id || g_hash_table_contains (self->last_bound, c->uuid))
        continue;
      skey = g_strconcat ("bind:", c->uuid, NULL);
      key = sb_store_get_state (store_of (self), skey, NULL);
      if (key)
        g_hash_table_insert (self->last_bound, g_strdup (c->uuid), g_steal_pointer (&key));
    }
}

static void
apply_config (SbDaemon *self, SbProfile *profile)
{
  const char *key = sb_profile_get_key (profile);
  const char *uuid = sb_profile_get_connection_uuid (profile);
  SbBinding binding = { 0 };
  g_autoptr(SbPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fp = NULL;
  g_autofree char *message = NULL;
  const SbNmConnection *c;
  gint64 now = now_s ();

  sb_binding_find (self->connections, key, modem_of_profile (self, key), self->last_bound, &binding);
  c = binding.connection;
  if (c)
    {
      plan = g_hash_table_size (c->user_data) ? sb_plan_parse (c->user_data, &error)
                                              : sb_plan_new_default ();
      if (error)
        message = binding.conflict ? g_strdup_printf ("%s; %s", error->message, binding.conflict)
                                   : g_strdup (error->message);
      else
        message = g_strdup (binding.conflict ? binding.conflict : "");
      if (error)
        g_message ("Profile %s: %s", key, message);
      fp = sb_binding_fingerprint (c);
      sb_profile_apply_config (profile, plan, c->user_data, message, c->uuid, c->id, fp, now);
    }
  else if (*uuid && !g_hash_table_contains (self->nm_seen, uuid))
    {
      /* Its connection is not (yet) listed by this NetworkManager: keep
       * the plan rather than lift a cut-off on a partial view. */
      enforce_profile (self, profile);
    }
  else
    {
      plan = sb_plan_new_default ();
      sb_profile_apply_config (profile, plan, NULL, "", "", "", NULL, now);
    }
  sb_binding_clear (&binding);
}

static void
apply_configs (SbDaemon *self)
{
  GHashTableIter iter;
  SbProfile *p;
  gboolean running = sb_nm_running (self->nm);

  if (running != self->nm_was_running)
    {
      /* A new NetworkManager lists its connections afresh. */
      g_hash_table_remove_all (self->nm_seen);
      self->nm_was_running = running;
    }
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  self->connections = sb_nm_list_gsm_connections (self->nm);

  if (running)
    {
      load_bindings (self);
      learn_bindings (self);
      for (guint i = 0; i < self->connections->len; i++)
        g_hash_table_add (self->nm_seen,
                          g_strdup (((SbNmConnection *) g_ptr_array_index (self->connections, i))->uuid));
    }

  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    {
      if (running)
        apply_config (self, p);
      else
        enforce_profile (self, p);
    }
}

/* ---- readings --------------------------------------------------------- */

static SbProfile *
readings_host_profile (gpointer host, const char *key)
{
  return ensure_profile (host, key);
}

static void
readings_host_flush (gpointer host, gboolean now)
{
  if (now)
    flush_now (host);
  else
    schedule_flush (host);
}

static void
readings_host_bearers_changed (gpointer host, const char *profile_key)
{
  update_active (host, profile_key);
}

static const SbReadingsHost readings_host = {
  .profile = readings_host_profile,
  .flush = readings_host_flush,
  .bearers_changed = readings_host_bearers_changed,
};

static void
bearer_changed_cb (gpointer user_data, const SbBearerInfo *info)
{
  SbDaemon *self = user_data;

  sb_readings_bearer_changed (self->readings, info);
}

static void
bearer_removed_cb (gpointer user_data, const char *bearer_key, const char *profile_key)
{
  SbDaemon *self = user_data;

  sb_readings_bearer_removed (self->readings, bearer_key);
}

static void
profile_seen_cb (gpointer user_data, const SbSimInfo *sim)
{
  SbDaemon *self = user_data;
  SbProfile *profile = ensure_profile (self, sim->key);
  g_autofree char *old = g_strdup (g_hash_table_lookup (self->modems, sim->modem_path));

  g_hash_table_insert (self->modems, g_strdup (sim->modem_path), g_strdup (sim->key));
  sb_profile_set_identity (profile, sim->eid, sim->sim_type, sim->operator_name, now_s ());
  /* The connection active on this modem may configure the new profile. */
  apply_configs (self);
  if (old && !g_str_equal (old, sim->key) && g_hash_table_lookup (self->profiles, old))
    enforce_profile (self, g_hash_table_lookup (self->profiles, old));
}

static void
modem_removed_cb (gpointer user_data, const char *modem_path, const char *profile_key)
{
  SbDaemon *self = user_data;

  g_hash_table_remove (self->modems, modem_path);
  update_active (self, profile_key);
  flush_now (self);
}

static void
presence_cb (gpointer user_data, gboolean present)
{
  SbDaemon *self = user_data;

  if (!present)
    flush_now (self);
}

static const SbModemWatcherCallbacks watcher_callbacks = {
  .profile_seen = profile_seen_cb,
  .bearer_changed = bearer_changed_cb,
  .bearer_removed = bearer_removed_cb,
  .modem_removed = modem_removed_cb,
  .presence = presence_cb,
};

static void
nm_changed_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  /* A PPP interface may only now be known: take a reading with it. */
  if (self->watcher)
    sb_modem_watcher_refresh (self->watcher);
  apply_configs (self);
}

static void
limiter_provisional_cb (gpointer user_data, const char *profile_key, guint64 bytes)
{
  SbDaemon *self = user_data;
  SbProfile *profile = g_hash_table_lookup (self->profiles, profile_key);

  if (profile)
    sb_profile_set_provisional (profile, bytes, now_s ());
}

static void
limiter_poll_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  if (self->watcher)
    sb_modem_watcher_refresh (self->watcher);
}

static void alarm_cb (gpointer user_data, gboolean clock_changed);

static void
before_sleep_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  /* Readings of every bearer (kernel counters where ModemManager has no
   * figures), written before the inhibitor goes. */
  if (self->watcher)
    sb_modem_watcher_refresh (self->watcher);
  flush_now (self);
}

static void
after_resume_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  alarm_cb (self, TRUE);
  if (self->watcher)
    sb_modem_watcher_refresh (self->watcher);
}

static void
localtime_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other,
                      GFileMonitorEvent event, gpointer user_data)
{
  SbDaemon *self = user_data;
  GHashTableIter iter;
  SbProfile *p;
  gint64 now = now_s ();

  if (event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT && event != G_FILE_MONITOR_EVENT_CREATED &&
      event != G_FILE_MONITOR_EVENT_RENAMED && event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_DELETED)
    return;
  g_hash_table_iter_init (&iter, self->profiles);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    sb_profile_system_zone_changed (p, now);
  rearm_alarm (self);
}

static const SbSleepCallbacks sleep_callbacks = {
  .before_sleep = before_sleep_cb,
  .after_resume = after_resume_cb,
};

static const SbLimiterCallbacks limiter_callbacks = {
  .provisional = limiter_provisional_cb,
  .poll = limiter_poll_cb,
};

static const SbNmCallbacks nm_callbacks = {
  .changed = nm_changed_cb,
};

/* ---- manager interface ------------------------------------------------ */

static gboolean
handle_connection_event (SbSimBudget1          *iface,
                         GDBusMethodInvocation *invocation,
                         const char            *action,
                         const char            *uuid,
                         const char            *interface,
                         gpointer               user_data)
{
  SbDaemon *self = user_data;

  if (strlen (action) > 64 || strlen (uuid) > 64 || strlen (interface) > 64)
    {
      g_dbus_method_invocation_return_error (invocation, SB_ERROR, SB_ERROR_INVALID_ARGS,
                                             _("Arguments longer than 64 bytes"));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_info ("Connection event %s for %s (%s)", action, uuid, interface);
  if (self->watcher)
    sb_modem_watcher_refresh (self->watcher);
  sb_sim_budget1_complete_connection_event (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- lifecycle -------------------------------------------------------- */

static void
bus_acquired_cb (GDBusConnection *bus, const char *name, gpointer user_data)
{
  SbDaemon *self = user_data;
  g_autoptr(GError) error = NULL;

  self->bus = g_object_ref (bus);
  self->manager = sb_sim_budget1_skeleton_new ();
  sb_sim_budget1_set_version (self->manager, PACKAGE_VERSION);
  publish_storage_state (self);
  g_signal_connect (self->manager, "handle-connection-event",
                    G_CALLBACK (handle_connection_event), self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager),
                                         bus, SB_MANAGER_PATH, &error))
    {
      g_critical ("Cannot export %s: %s", SB_MANAGER_PATH, error->message);
      self->exit_code = 1;
      g_main_loop_quit (self->loop);
      return;
    }

  self->objman = g_dbus_object_manager_server_new (SB_MANAGER_PATH);
  load_profiles (self);
  g_dbus_object_manager_server_set_connection (self->objman, bus);

  self->nm = sb_nm_new (&nm_callbacks, self);
  self->enforcer = sb_enforcer_new (self->nm, store_of (self));
  self->limiter = sb_limiter_new (self->state_dir, self->use_quota, &limiter_callbacks, self);
  sb_sim_budget1_set_quota_state (self->manager, sb_limiter_quota_status (self->limiter));
  sb_readings_attach (self->readings, self->nm, self->limiter);
  self->watcher = sb_modem_watcher_new (bus, &watcher_callbacks, self);
  self->sleep = sb_sleep_new (bus, &sleep_callbacks, self);
  {
    /* timedated replaces the link: follow it (inotify, no polling). */
    g_autoptr(GFile) lt = g_file_new_for_path ("/etc/localtime");
    self->localtime_monitor = g_file_monitor_file (lt, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
    if (self->localtime_monitor)
      g_signal_connect (self->localtime_monitor, "changed", G_CALLBACK (localtime_changed_cb), self);
  }
  /* Persisted plans and cut-offs are in force before anything connects. */
  apply_configs (self);
}

static void
name_acquired_cb (GDBusConnection *bus, const char *name, gpointer user_data)
{
  g_info ("Owning %s", name);
}

static void
name_lost_cb (GDBusConnection *bus, const char *name, gpointer user_data)
{
  SbDaemon *self = user_data;

  if (bus)
    g_message ("Lost the bus name %s; exiting", name);
  else
    g_warning ("Cannot connect to the system bus; exiting");
  self->exit_code = 1;
  g_main_loop_quit (self->loop);
}

static gboolean
quit_signal_cb (gpointer user_data)
{
  SbDaemon *self = user_data;

  g_message ("Exiting on signal");
  self->exit_code = 0;
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

SbDaemon *
sb_daemon_new (const char *state_dir, gboolean use_quota)
{
  SbDaemon *self = g_new0 (SbDaemon, 1);

  self->use_quota = use_quota;
  self->state_dir = g_strdup (state_dir);
  self->profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->dirty_profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->modems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->nm_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->last_bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_nm_connection_free);
  self->loop = g_main_loop_new (NULL, FALSE);
  self->alarm = sb_alarm_new (alarm_cb, self);

  self->storage = sb_storage_open (state_dir, &storage_callbacks, self);
  self->acc = sb_accounting_new (store_of (self));
  self->readings = sb_readings_new (self->acc, &readings_host, self);
  if (!sb_store_prune_snapshots (store_of (self), now_s () - SNAPSHOT_KEEP_S, NULL))
    g_info ("Could not prune old snapshots");
  return self;
}

int
sb_daemon_run (SbDaemon *self, gboolean replace)
{
  GBusNameOwnerFlags flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT;
  guint sigterm, sigint;

  if (replace)
    flags |= G_BUS_NAME_OWNER_FLAGS_REPLACE;

  sigterm = g_unix_signal_add (SIGTERM, quit_signal_cb, self);
  sigint = g_unix_signal_add (SIGINT, quit_signal_cb, self);
  self->owner_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, SB_BUS_NAME, flags,
                                   bus_acquired_cb, name_acquired_cb, name_lost_cb,
                                   self, NULL);
  g_main_loop_run (self->loop);

  /* Everything counted is written before exit. */
  flush_now (self);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_bus_unown_name (self->owner_id);
  self->owner_id = 0;
  return self->exit_code;
}

void
sb_daemon_free (SbDaemon *self)
{
  if (!self)
    return;
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_pointer (&self->sleep, sb_sleep_free);
  if (self->localtime_monitor)
    g_signal_handlers_disconnect_by_data (self->localtime_monitor, self);
  g_clear_object (&self->localtime_monitor);
  g_clear_pointer (&self->watcher, sb_modem_watcher_free);
  g_clear_pointer (&self->enforcer, sb_enforcer_free);
  g_clear_pointer (&self->limiter, sb_limiter_free);
  g_clear_pointer (&self->nm, sb_nm_free);
  g_clear_pointer (&self->alarm, sb_alarm_free);
  g_clear_pointer (&self->readings, sb_readings_free);
  g_hash_table_unref (self->modems);
  g_hash_table_unref (self->nm_seen);
  g_hash_table_unref (self->last_bound);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_hash_table_unref (self->dirty_profiles);
  g_hash_table_unref (self->profiles);
  g_clear_object (&self->objman);
  if (self->manager)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager));
  g_clear_object (&self->manager);
  g_clear_object (&self->bus);
  g_clear_pointer (&self->acc, sb_accounting_free);
  g_clear_pointer (&self->storage, sb_storage_free);
  g_main_loop_unref (self->loop);
  g_free (self->state_dir);
  g_free (self);
}
