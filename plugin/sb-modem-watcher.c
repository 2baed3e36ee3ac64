#define G_LOG_DOMAIN "sb-modem-watcher"

#include "sb-modem-watcher.h"

#include <libmm-glib.h>

typedef struct _Modem Modem;

typedef struct {
  Modem        *modem;     /* (unowned) */
  char         *path;
  char         *key;
  MMBearer     *bearer;    /* (owned) NULL until loaded */
  GCancellable *cancellable;
} Bearer;

struct _Modem {
  SbModemWatcher *self;        /* (unowned) */
  char           *path;
  char           *owner;       /* ModemManager's unique name when added */
  MMModem        *modem;       /* (owned) */
  MMModem3gpp    *modem3gpp;   /* (owned) (nullable) */
  MMSim          *sim;         /* (owned) (nullable) the active SIM */
  char           *sim_path;    /* the SIM being loaded or loaded */
  char           *profile_key; /* NULL until the SIM is known */
  gboolean        sim_loading; /* the Sim changed; its ICCID is not read yet */
  GHashTable     *bearers;     /* path → Bearer */
  GCancellable   *cancellable; /* modem lifetime */
  guint           bearers_retry; /* source: asking for Bearers again */
  guint           bearers_tries;
  GCancellable   *sim_cancellable;
};

struct _SbModemWatcher {
  GDBusConnection         *bus;
  SbModemWatcherCallbacks  cb;
  gpointer                 user_data;
  GCancellable            *cancellable;
  MMManager               *manager;
  GHashTable              *modems; /* path → Modem */
  gboolean                 present;
};

static void modem_report_bearer (Modem *m, Bearer *b);

char *
sb_modem_fallback_key (const char *equipment_id, const char *modem_path)
{
  if (equipment_id && *equipment_id)
    return g_strdup_printf ("modem-%s", equipment_id);
  return g_strdup_printf ("modem-%s", modem_path ? modem_path : "unknown");
}

static const char *
sim_type_string (MMSimType type)
{
  switch (type)
    {
    case MM_SIM_TYPE_ESIM:
      return "esim";
    case MM_SIM_TYPE_PHYSICAL:
      return "physical";
    default:
      return "unknown";
    }
}

static gboolean
modem_roaming (Modem *m)
{
  if (!m->modem3gpp)
    return FALSE;
  switch (mm_modem_3gpp_get_registration_state (m->modem3gpp))
    {
    case MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING:
    case MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING_SMS_ONLY:
    case MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING_CSFB_NOT_PREFERRED:
      return TRUE;
    default:
      return FALSE;
    }
}

/* ---- bearers ---------------------------------------------------------- */

static void
bearer_free (Bearer *b)
{
  g_cancellable_cancel (b->cancellable);
  g_clear_object (&b->cancellable);
  if (b->bearer)
    g_signal_handlers_disconnect_by_data (b->bearer, b);
  g_clear_object (&b->bearer);
  g_free (b->path);
  g_free (b->key);
  g_free (b);
}

static void
bearer_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Bearer *b = user_data;

  modem_report_bearer (b->modem, b);
}

static void
bearer_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = NULL;
  Bearer *b;

  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  b = user_data;
  if (!object)
    {
      g_message ("Cannot follow bearer %s: %s", b->path, error->message);
      return;
    }
  b->bearer = MM_BEARER (g_steal_pointer (&object));
  g_debug ("Bearer %s loaded", b->path);
  /* Each of these carries part of the reading; Stats also moves every 30 s
   * while connected, which paces kernel-counter readings too. */
  g_signal_connect (b->bearer, "notify::connected", G_CALLBACK (bearer_notify_cb), b);
  g_signal_connect (b->bearer, "notify::interface", G_CALLBACK (bearer_notify_cb), b);
  g_signal_connect (b->bearer, "notify::stats", G_CALLBACK (bearer_notify_cb), b);
  g_signal_connect (b->bearer, "notify::reload-stats-supported", G_CALLBACK (bearer_notify_cb), b);
  modem_report_bearer (b->modem, b);
}

static void
modem_add_bearer (Modem *m, const char *path)
{
  Bearer *b = g_new0 (Bearer, 1);

  b->modem = m;
  b->path = g_strdup (path);
  b->key = g_strdup_printf ("mm:%s:%s", m->owner ? m->owner : "", path);
  b->cancellable = g_cancellable_new ();
  g_hash_table_insert (m->bearers, b->path, b);

  g_async_initable_new_async (MM_TYPE_BEARER, G_PRIORITY_DEFAULT, b->cancellable,
                              bearer_ready_cb, b,
                              "g-flags", G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                              "g-name", MM_DBUS_SERVICE,
                              "g-connection", m->self->bus,
                              "g-object-path", path,
                              "g-interface-name", "org.freedesktop.ModemManager1.Bearer",
                              NULL);
}

static void
modem_remove_bearer (Modem *m, Bearer *b)
{
  SbModemWatcher *self = m->self;
  g_autofree char *key = g_strdup (b->key);

  g_hash_table_steal (m->bearers, b->path);
  bearer_free (b);
  if (m->profile_key && self->cb.bearer_removed)
    self->cb.bearer_removed (self->user_data, key, m->profile_key);
}

static void
modem_sync_bearers (Modem *m)
{
  const char *const *paths = mm_modem_get_bearer_paths (m->modem);
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  Bearer *b;

  g_hash_table_iter_init (&iter, m->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    if (!paths || !g_strv_contains (paths, b->path))
      g_ptr_array_add (gone, b);
  for (guint i = 0; i < gone->len; i++)
    modem_remove_bearer (m, g_ptr_array_index (gone, i));

  for (guint i = 0; paths && paths[i]; i++)
    if (!g_hash_table_contains (m->bearers, paths[i]))
      modem_add_bearer (m, paths[i]);
}

static void modem_ask_bearers (Modem *m);

static gboolean
ask_bearers_again_cb (gpointer user_data)
{
  Modem *m = user_data;

  m->bearers_retry = 0;
  modem_ask_bearers (m);
  return G_SOURCE_REMOVE;
}

/* The cached Bearers property can miss a change made just as the modem
 * appeared (the signal came before the object was known): ask
 * ModemManager once for the value it has now. */
static void
bearers_get_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), res, &error);
  g_autoptr(GVariant) value = NULL;
  g_autofree const char **paths = NULL;
  Modem *m;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  m = user_data;
  if (!reply)
    {
      /* A ModemManager that is still starting may not answer yet. */
      g_info ("Cannot read the bearers of %s: %s", m->path, error->message);
      if (m->bearers_tries < 5 && !m->bearers_retry)
        m->bearers_retry = g_timeout_add (200 << m->bearers_tries, ask_bearers_again_cb, m);
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH_ARRAY))
    return;
  paths = g_variant_get_objv (value, NULL);
  for (guint i = 0; paths[i]; i++)
    if (!g_hash_table_contains (m->bearers, paths[i]))
      modem_add_bearer (m, paths[i]);
}

static void
modem_report_bearer (Modem *m, Bearer *b)
{
  SbModemWatcher *self = m->self;
  g_autoptr(MMBearerStats) stats = NULL;
  SbBearerInfo info = { 0 };
  const char *iface;

  /* While a new SIM is read, readings wait: they belong to it. */
  if (!b->bearer || !m->profile_key || m->sim_loading || !self->cb.bearer_changed)
    {
      g_debug ("Bearer %s: reading deferred (%s)", b->path,
               !b->bearer ? "loading" : m->sim_loading || !m->profile_key ? "SIM loading" : "no receiver");
      return;
    }

  stats = mm_bearer_get_stats (b->bearer);
  iface = mm_bearer_get_interface (b->bearer);

  info.bearer_key = b->key;
  info.profile_key = m->profile_key;
  info.modem_path = m->path;
  info.connected = mm_bearer_get_connected (b->bearer);
  info.interface = iface ? iface : "";
  info.stats_supported = mm_bearer_get_reload_stats_supported (b->bearer);
  info.roaming = modem_roaming (m);
  if (stats)
    {
      info.sample.session = mm_bearer_stats_get_start_date (stats);
      info.sample.rx = mm_bearer_stats_get_rx_bytes (stats);
      info.sample.tx = mm_bearer_stats_get_tx_bytes (stats);
      info.sample.total_rx = mm_bearer_stats_get_total_rx_bytes (stats);
      info.sample.total_tx = mm_bearer_stats_get_total_tx_bytes (stats);
      info.sample.has_totals = TRUE;
      info.has_stats = info.sample.session != 0;
    }
  self->cb.bearer_changed (self->user_data, &info);
}

/* ---- SIM / profile ---------------------------------------------------- */

static void
modem_set_profile (Modem *m)
{
  SbModemWatcher *self = m->self;
  g_autofree char *key = NULL;
  const char *iccid = m->sim ? mm_sim_get_identifier (m->sim) : NULL;
  SbSimInfo info = { 0 };
  GHashTableIter iter;
  Bearer *b;

  if (iccid && *iccid)
    key = g_strdup (iccid);
  else
    key = sb_modem_fallback_key (mm_modem_get_equipment_identifier (m->modem), m->path);

  info.key = key;
  info.iccid = iccid ? iccid : "";
  info.eid = m->sim && mm_sim_get_eid (m->sim) ? mm_sim_get_eid (m->sim) : "";
  info.sim_type = m->sim ? sim_type_string (mm_sim_get_sim_type (m->sim)) : "unknown";
  info.operator_name = m->sim && mm_sim_get_operator_name (m->sim) ?
                       mm_sim_get_operator_name (m->sim) : "";
  if (!*info.operator_name && m->modem3gpp && mm_modem_3gpp_get_operator_name (m->modem3gpp))
    info.operator_name = mm_modem_3gpp_get_operator_name (m->modem3gpp);
  info.modem_path = m->path;

  if (g_strcmp0 (m->profile_key, key) != 0)
    g_info ("Modem %s: profile %s → %s", m->path,
            m->profile_key ? m->profile_key : "(none)", key);
  g_free (m->profile_key);
  m->profile_key = g_steal_pointer (&key);

  if (self->cb.profile_seen)
    self->cb.profile_seen (self->user_data, &info);

  /* The bearers now report to the (possibly new) profile; the receiver
   * decides whether the bytes so far belong to the old one. */
  g_hash_table_iter_init (&iter, m->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    modem_report_bearer (m, b);
}

static void
sim_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Modem *m = user_data;

  /* The SIM being loaded will report itself. */
  if (!m->sim_loading)
    modem_set_profile (m);
}

static void
sim_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = NULL;
  Modem *m;

  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  m = user_data;
  m->sim_loading = FALSE;
  if (!object)
    {
      g_message ("Cannot read SIM %s: %s", m->sim_path, error->message);
      modem_set_profile (m);
      return;
    }
  if (m->sim)
    g_signal_handlers_disconnect_by_data (m->sim, m);
  g_clear_object (&m->sim);
  m->sim = MM_SIM (g_steal_pointer (&object));
  g_signal_connect (m->sim, "notify::sim-identifier", G_CALLBACK (sim_notify_cb), m);
  g_signal_connect (m->sim, "notify::eid", G_CALLBACK (sim_notify_cb), m);
  g_signal_connect (m->sim, "notify::operator-name", G_CALLBACK (sim_notify_cb), m);
  modem_set_profile (m);
}

static void
modem_load_sim (Modem *m)
{
  const char *path = mm_modem_get_sim_path (m->modem);

  if (m->sim_path && g_strcmp0 (path, m->sim_path) == 0)
    return;

  g_cancellable_cancel (m->sim_cancellable);
  g_clear_object (&m->sim_cancellable);
  g_free (m->sim_path);
  m->sim_path = g_strdup (path);

  if (!path || !*path || g_str_equal (path, "/"))
    {
      m->sim_loading = FALSE;
      if (m->sim)
        g_signal_handlers_disconnect_by_data (m->sim, m);
      g_clear_object (&m->sim);
      modem_set_profile (m);
      return;
    }

  m->sim_cancellable = g_cancellable_new ();
  m->sim_loading = TRUE;
  g_async_initable_new_async (MM_TYPE_SIM, G_PRIORITY_DEFAULT, m->sim_cancellable,
                              sim_ready_cb, m,
                              "g-flags", G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                              "g-name", MM_DBUS_SERVICE,
                              "g-connection", m->self->bus,
                              "g-object-path", path,
                              "g-interface-name", "org.freedesktop.ModemManager1.Sim",
                              NULL);
}

/* ---- modems ----------------------------------------------------------- */

static void
modem_sim_changed_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  modem_load_sim (user_data);
}

static void
modem_bearers_changed_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  modem_sync_bearers (user_data);
}

static void
modem_registration_changed_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Modem *m = user_data;
  GHashTableIter iter;
  Bearer *b;

  /* Report so the next bytes land in the right (home/roaming) bucket. */
  g_hash_table_iter_init (&iter, m->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    modem_report_bearer (m, b);
}

static void
modem_ask_bearers (Modem *m)
{
  m->bearers_tries++;
  g_dbus_proxy_call (G_DBUS_PROXY (m->modem), "org.freedesktop.DBus.Properties.Get",
                     g_variant_new ("(ss)", "org.freedesktop.ModemManager1.Modem", "Bearers"),
                     G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, m->cancellable, bearers_get_cb, m);
}

static void
modem_free (Modem *m)
{
  g_clear_handle_id (&m->bearers_retry, g_source_remove);
  g_cancellable_cancel (m->cancellable);
  g_cancellable_cancel (m->sim_cancellable);
  g_clear_object (&m->cancellable);
  g_clear_object (&m->sim_cancellable);
  g_hash_table_unref (m->bearers);
  if (m->sim)
    g_signal_handlers_disconnect_by_data (m->sim, m);
  if (m->modem3gpp)
    g_signal_handlers_disconnect_by_data (m->modem3gpp, m);
  g_signal_handlers_disconnect_by_data (m->modem, m);
  g_clear_object (&m->sim);
  g_clear_object (&m->modem3gpp);
  g_clear_object (&m->modem);
  g_free (m->sim_path);
  g_free (m->profile_key);
  g_free (m->owner);
  g_free (m->path);
  g_free (m);
}

static void
watcher_add_object (SbModemWatcher *self, MMObject *object)
{
  const char *path = mm_object_get_path (object);
  MMModem *modem = mm_object_get_modem (object);
  Modem *m;

  if (!modem)
    return;
  if (g_hash_table_contains (self->modems, path))
    {
      g_object_unref (modem);
      return;
    }

  m = g_new0 (Modem, 1);
  m->self = self;
  m->path = g_strdup (path);
  m->owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));
  m->modem = modem;
  m->modem3gpp = mm_object_get_modem_3gpp (object);
  m->bearers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) bearer_free);
  m->cancellable = g_cancellable_new ();
  g_hash_table_insert (self->modems, m->path, m);
  g_info ("Modem %s added", path);

  g_signal_connect (m->modem, "notify::sim", G_CALLBACK (modem_sim_changed_cb), m);
  g_signal_connect (m->modem, "notify::bearers", G_CALLBACK (modem_bearers_changed_cb), m);
  if (m->modem3gpp)
    {
      g_signal_connect (m->modem3gpp, "notify::registration-state",
                        G_CALLBACK (modem_registration_changed_cb), m);
      g_signal_connect (m->modem3gpp, "notify::operator-name",
                        G_CALLBACK (sim_notify_cb), m);
    }

  modem_load_sim (m);
  modem_sync_bearers (m);
  modem_ask_bearers (m);
}

static void
watcher_remove_path (SbModemWatcher *self, const char *path)
{
  Modem *m = g_hash_table_lookup (self->modems, path);
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) bearers = NULL;
  GHashTableIter iter;
  Bearer *b;

  if (!m)
    return;

  bearers = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, m->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    g_ptr_array_add (bearers, b);
  for (guint i = 0; i < bearers->len; i++)
    modem_remove_bearer (m, g_ptr_array_index (bearers, i));

  key = g_strdup (m->profile_key);
  g_hash_table_steal (self->modems, path);
  modem_free (m);
  g_info ("Modem %s removed", path);
  if (self->cb.modem_removed)
    self->cb.modem_removed (self->user_data, path, key);
}

static void
object_added_cb (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  watcher_add_object (user_data, MM_OBJECT (object));
}

static void
object_removed_cb (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  watcher_remove_path (user_data, g_dbus_object_get_object_path (object));
}

static void
watcher_remove_all (SbModemWatcher *self)
{
  g_autofree gpointer *paths = NULL;
  guint n = 0;

  paths = g_hash_table_get_keys_as_array (self->modems, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup (paths[i]);
      watcher_remove_path (self, path);
    }
}

static void
name_owner_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  SbModemWatcher *self = user_data;
  g_autofree char *owner = NULL;
  g_autolist(GDBusObject) objects = NULL;
  gboolean present;

  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->manager));
  present = owner != NULL;
  if (!present)
    watcher_remove_all (self);
  if (present != self->present)
    {
      self->present = present;
      g_info ("ModemManager %s", present ? "appeared" : "vanished");
      if (self->cb.presence)
        self->cb.presence (self->user_data, present);
    }
  if (present)
    {
      objects = g_dbus_object_manager_get_objects (G_DBUS_OBJECT_MANAGER (self->manager));
      for (GList *l = objects; l; l = l->next)
        watcher_add_object (self, MM_OBJECT (l->data));
    }
}

static void
manager_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  MMManager *manager = mm_manager_new_finish (res, &error);
  SbModemWatcher *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (!manager)
    {
      g_warning ("Cannot follow ModemManager: %s", error->message);
      return;
    }
  self->manager = manager;
  g_signal_connect (manager, "object-added", G_CALLBACK (object_added_cb), self);
  g_signal_connect (manager, "object-removed", G_CALLBACK (object_removed_cb), self);
  g_signal_connect (manager, "notify::name-owner", G_CALLBACK (name_owner_cb), self);
  name_owner_cb (NULL, NULL, self);
}

SbModemWatcher *
sb_modem_watcher_new (GDBusConnection               *bus,
                      const SbModemWatcherCallbacks *callbacks,
                      gpointer                       user_data)
{
  SbModemWatcher *self = g_new0 (SbModemWatcher, 1);

  self->bus = g_object_ref (bus);
  self->cb = *callbacks;
  self->user_data = user_data;
  self->cancellable = g_cancellable_new ();
  self->modems = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) modem_free);

  mm_manager_new (bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                  self->cancellable, manager_ready_cb, self);
  return self;
}

void
sb_modem_watcher_refresh (SbModemWatcher *self)
{
  GHashTableIter miter, biter;
  Modem *m;
  Bearer *b;

  g_hash_table_iter_init (&miter, self->modems);
  while (g_hash_table_iter_next (&miter, NULL, (gpointer *) &m))
    {
      g_hash_table_iter_init (&biter, m->bearers);
      while (g_hash_table_iter_next (&biter, NULL, (gpointer *) &b))
        modem_report_bearer (m, b);
    }
}

void
sb_modem_watcher_free (SbModemWatcher *self)
{
  if (!self)
    return;
  g_cancellable_cancel (self->cancellable);
  if (self->manager)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  /* No callbacks while tearing down: the receiver is going away too. */
  memset (&self->cb, 0, sizeof self->cb);
  g_hash_table_unref (self->modems);
  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bus);
  g_free (self);
}
