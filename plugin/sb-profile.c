#define G_LOG_DOMAIN "sb-profile"

#include "sb-profile-private.h"

#include "sb-clock.h"
#include "sb-history.h"

struct _SbProfile {
  SbSimBudget1ProfileSkeleton parent;

  SbProfileRow        *row;          /* (owned) persisted usage */
  char                *path;
  SbPlan              *plan;         /* (owned) last valid plan */
  GHashTable          *plan_data;    /* (owned) (nullable) its user data */
  SbProfileHost        host;
  gpointer             host_data;
  gint64               period_end;

  /* Budget state of the current period, persisted with the profile. */
  guint64              extra;        /* ExtraAllowance */
  GArray              *fired;        /* (owned) thresholds announced */
  gboolean             exhausted_announced;
  gint64               first_use;    /* first byte under a first-use plan */
  char                *fingerprint;  /* connection + keys first_use belongs to */
  char                *conn_uuid;
  char                *conn_id;
  SbState              state;

  guint64              provisional;  /* kernel bytes not yet in ModemManager's figure */
  guint64              published;    /* UsedBytes shown: never down within a period */
};

G_DEFINE_TYPE_WITH_CODE (SbProfile, sb_profile, SB_TYPE_SIM_BUDGET1_PROFILE_SKELETON,
                         G_IMPLEMENT_INTERFACE (SB_TYPE_SIM_BUDGET1_PROFILE,
                                                sb_profile_methods_iface_init))

char *
sb_profile_path_for_key (const char *key)
{
  GString *s = g_string_new (SB_PROFILE_PATH_PREFIX);

  for (const guchar *p = (const guchar *) key; p && *p; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '_')
        g_string_append_c (s, (char) *p);
      else
        g_string_append_printf (s, "_%02x", *p);
    }
  if (!key || !*key)
    g_string_append (s, "_");
  return g_string_free (s, FALSE);
}

static guint64
sat_add (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static guint64
used_bytes (const SbProfileRow *row)
{
  guint64 counted = sat_add (row->period_rx, row->period_tx);

  if (row->period_correction < 0)
    {
      guint64 minus = (guint64) (-(row->period_correction + 1)) + 1;
      return counted > minus ? counted - minus : 0;
    }
  return sat_add (counted, (guint64) row->period_correction);
}

static void
add_event (SbProfile *self, const char *kind, gint64 value, const char *detail)
{
  g_autoptr(GError) error = NULL;
  SbEventRow ev = {
    .time = sb_clock_now (),
    .iccid = self->row->iccid,
    .kind = (char *) kind,
    .value = value,
    .detail = (char *) detail,
  };

  if (!sb_store_add_event (self->host.store (self->host_data), &ev, &error))
    g_message ("Could not record the %s event: %s", kind, error->message);
}

static void
mark_dirty (SbProfile *self)
{
  if (self->host.dirty)
    self->host.dirty (self->host_data, self);
}

static gboolean
first_use_plan (const SbPlan *plan)
{
  return plan->limit > 0 && plan->start_first_use &&
         (plan->kind == SB_PERIOD_DAYS || plan->kind == SB_PERIOD_NONE);
}

/* ---- publishing ------------------------------------------------------- */

static void
publish_usage (SbProfile *self)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  SbProfileRow *row = self->row;

  guint64 used = sat_add (used_bytes (row), self->provisional);

  if (used > self->published)
    self->published = used;
  sb_sim_budget1_profile_set_rx_bytes (iface, row->period_rx);
  sb_sim_budget1_profile_set_tx_bytes (iface, row->period_tx);
  sb_sim_budget1_profile_set_used_bytes (iface, self->published);
  sb_sim_budget1_profile_set_total_bytes (iface, sat_add (row->total_rx, row->total_tx));
  sb_sim_budget1_profile_set_period_start (iface, row->period_start);
  sb_sim_budget1_profile_set_period_end (iface, self->period_end);
  sb_sim_budget1_profile_set_extra_allowance (iface, self->extra);
}

static void
publish_plan (SbProfile *self)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  g_autofree char *period = sb_plan_period_to_string (self->plan);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < self->plan->warn->len; i++)
    g_variant_builder_add (&b, "u", g_array_index (self->plan->warn, guint, i));

  sb_sim_budget1_profile_set_limit (iface, self->plan->limit);
  sb_sim_budget1_profile_set_period (iface, period);
  sb_sim_budget1_profile_set_time_zone (iface, sb_plan_timezone_id (self->plan));
  sb_sim_budget1_profile_set_thresholds (iface, g_variant_builder_end (&b));
  sb_sim_budget1_profile_set_action (iface, sb_action_to_string (self->plan->action));
}

/* ---- budget evaluation ------------------------------------------------ */

static void
evaluate (SbProfile *self, gint64 now)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  /* Provisional bytes vanish when their bearer disconnects (ModemManager
   * reports nothing after that): what was shown still counts. */
  guint64 used = MAX (self->published, sat_add (used_bytes (self->row), self->provisional));
  gboolean expired = self->plan->limit > 0 &&
                     sb_plan_expired (self->plan, now, self->first_use);
  g_autoptr(GArray) crossed = NULL;
  SbState state;

  crossed = sb_budget_new_thresholds (self->plan->limit, used, self->plan->warn, self->fired);
  for (guint i = 0; i < crossed->len; i++)
    {
      guint p = g_array_index (crossed, guint, i);
      g_autofree char *detail = g_strdup_printf ("%u%%", p);

      g_message ("Profile %s: %u %% of the budget used", self->row->iccid, p);
      add_event (self, "threshold", p, detail);
      sb_sim_budget1_profile_emit_threshold_reached (iface, p, used, self->plan->limit);
    }
  if (crossed->len)
    mark_dirty (self);

  state = sb_budget_state (self->plan->limit, self->extra, used, expired, self->plan->warn);
  if (state != self->state)
    {
      g_info ("Profile %s: %s → %s", self->row->iccid,
              sb_state_to_string (self->state), sb_state_to_string (state));
      self->state = state;
      sb_sim_budget1_profile_set_state (iface, sb_state_to_string (state));
    }
  /* Always: a limit, allowance or connection change may need enforcing
   * even when the state name stays. */
  if (self->host.state_changed)
    self->host.state_changed (self->host_data, self);
}

static void
start_period (SbProfile *self, gint64 start)
{
  SbProfileRow *row = self->row;

  row->period_start = start;
  row->period_rx = 0;
  row->period_tx = 0;
  row->period_correction = 0;
  self->published = 0;
  self->extra = 0;
  g_array_set_size (self->fired, 0);
  self->exhausted_announced = FALSE;
  mark_dirty (self);
}

gboolean
sb_profile_check_period (SbProfile *self, gint64 now)
{
  SbProfileRow *row = self->row;
  gint64 start = 0, end = 0;
  gboolean rolled = FALSE;

  sb_plan_window (self->plan, now, self->first_use, &start, &end);

  /* Only forward: a wall clock set back must not hand out a fresh period
   * (usage never goes down within a period). */
  if (start > row->period_start)
    {
      if (row->period_start != 0)
        {
          g_autofree char *detail = g_strdup_printf ("%" G_GINT64_FORMAT, row->period_start);
          g_message ("Profile %s: new period from %" G_GINT64_FORMAT, row->iccid, start);
          add_event (self, "rollover", start, detail);
          rolled = TRUE;
        }
      start_period (self, start);
    }
  else if (start < row->period_start)
    {
      /* The clock went back: the later period stays, with its own end. */
      gint64 s2 = 0;
      sb_plan_window (self->plan, row->period_start, self->first_use, &s2, &end);
    }
  self->period_end = end;
  publish_usage (self);
  if (rolled)
    evaluate (self, now);
  return rolled;
}

void
sb_profile_add_usage (SbProfile *self, gint64 now, guint64 rx, guint64 tx)
{
  SbProfileRow *row = self->row;

  if ((rx || tx) && self->first_use == 0 && first_use_plan (self->plan))
    {
      /* The validity of a top-up starts with its first byte. */
      self->first_use = now;
      g_message ("Profile %s: first use of the budget", row->iccid);
      add_event (self, "first-use", now, self->fingerprint);
      mark_dirty (self);
    }
  sb_profile_check_period (self, now);
  if (rx == 0 && tx == 0)
    return;

  row->period_rx = sat_add (row->period_rx, rx);
  row->period_tx = sat_add (row->period_tx, tx);
  row->total_rx = sat_add (row->total_rx, rx);
  row->total_tx = sat_add (row->total_tx, tx);
  row->last_seen = now;
  mark_dirty (self);
  publish_usage (self);
  evaluate (self, now);
}

gint64
sb_profile_get_next_boundary (SbProfile *self)
{
  return self->period_end;
}

void
sb_profile_tick (SbProfile *self, gint64 now)
{
  if (!sb_profile_check_period (self, now))
    evaluate (self, now);
}

/* A new plan: the period is recomputed from the 15-minute buckets where
 * its start lies on one (every calendar boundary does); a start inside a
 * bucket includes that whole bucket (never under-counts a budget). */
static void
recompute_period (SbProfile *self, gint64 now)
{
  SbProfileRow *row = self->row;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) buckets = NULL;
  gint64 start = 0, end = 0;
  guint64 rx = 0, tx = 0;

  sb_plan_window (self->plan, now, self->first_use, &start, &end);
  if (start == row->period_start)
    return;
  if (start == 0 || start > now)
    {
      start_period (self, start);
      return;
    }
  if (self->host.flush)
    self->host.flush (self->host_data);
  buckets = sb_store_get_buckets (self->host.store (self->host_data), row->iccid,
                                  start - ((start % SB_BUCKET_SECONDS) + SB_BUCKET_SECONDS) % SB_BUCKET_SECONDS,
                                  now + SB_BUCKET_SECONDS, &error);
  if (!buckets)
    {
      g_message ("Cannot recompute the period of %s: %s", row->iccid, error->message);
      start_period (self, start);
      return;
    }
  for (guint i = 0; i < buckets->len; i++)
    {
      SbBucketRow *b = &g_array_index (buckets, SbBucketRow, i);
      rx = sat_add (rx, b->rx);
      tx = sat_add (tx, b->tx);
    }
  start_period (self, start);
  row->period_rx = rx;
  row->period_tx = tx;
}

void
sb_profile_apply_config (SbProfile   *self,
                         const SbPlan *plan,
                         GHashTable  *user_data,
                         const char  *config_error,
                         const char  *uuid,
                         const char  *id,
                         const char  *fingerprint,
                         gint64       now)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  gboolean plan_changed = plan && !sb_plan_equal (plan, self->plan);

  sb_sim_budget1_profile_set_config_error (iface, config_error ? config_error : "");
  sb_profile_set_connection (self, uuid, id);

  if (fingerprint && g_strcmp0 (fingerprint, self->fingerprint) != 0)
    {
      /* Re-setting a top-up starts afresh. */
      if (self->first_use)
        g_message ("Profile %s: budget changed, first use cleared", self->row->iccid);
      self->first_use = 0;
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (fingerprint);
      plan_changed = TRUE;
      mark_dirty (self);
    }

  if (plan && plan_changed)
    {
      g_autofree char *period = sb_plan_period_to_string (plan);
      g_message ("Profile %s: plan limit %" G_GUINT64_FORMAT " period %s zone %s",
                 self->row->iccid, plan->limit, period, sb_plan_timezone_id (plan));
      sb_plan_free (self->plan);
      self->plan = sb_plan_copy (plan);
      g_clear_pointer (&self->plan_data, g_hash_table_unref);
      if (user_data)
        self->plan_data = g_hash_table_ref (user_data);
      publish_plan (self);
      recompute_period (self, now);
      mark_dirty (self);
    }
  sb_profile_check_period (self, now);
  evaluate (self, now);
}

void
sb_profile_system_zone_changed (SbProfile *self, gint64 now)
{
  if (self->plan->timezone != NULL)
    return;
  sb_plan_refresh_system_zone (self->plan);
  g_message ("Profile %s: the system's zone is now %s", self->row->iccid,
             sb_plan_timezone_id (self->plan));
  publish_plan (self);
  /* Calendar boundaries in the new zone: recount the period from the
   * buckets (no byte lost or counted twice). */
  recompute_period (self, now);
  sb_profile_check_period (self, now);
  evaluate (self, now);
}

void
sb_profile_set_connection (SbProfile *self, const char *uuid, const char *id)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);

  if (g_strcmp0 (uuid ? uuid : "", self->conn_uuid) == 0 &&
      g_strcmp0 (id ? id : "", self->conn_id) == 0)
    return;
  g_free (self->conn_uuid);
  g_free (self->conn_id);
  self->conn_uuid = g_strdup (uuid ? uuid : "");
  self->conn_id = g_strdup (id ? id : "");
  sb_sim_budget1_profile_set_connection_uuid (iface, self->conn_uuid);
  sb_sim_budget1_profile_set_connection_id (iface, self->conn_id);
  mark_dirty (self);
}

const char *
sb_profile_get_connection_uuid (SbProfile *self)
{
  return self->conn_uuid;
}

void
sb_profile_set_enforcement (SbProfile *self, const char *enforcement)
{
  sb_sim_budget1_profile_set_enforcement (SB_SIM_BUDGET1_PROFILE (self), enforcement);
}

void
sb_profile_announce_exhausted (SbProfile *self, gboolean disconnected, gboolean force)
{
  guint64 used = sat_add (used_bytes (self->row), self->provisional);

  if (self->exhausted_announced && !force)
    return;
  self->exhausted_announced = TRUE;
  mark_dirty (self);
  add_event (self, disconnected ? "cutoff" : "exhausted", (gint64) MIN (used, (guint64) G_MAXINT64),
             force ? "reconnected while exhausted" : NULL);
  sb_sim_budget1_profile_emit_budget_exhausted (SB_SIM_BUDGET1_PROFILE (self), used,
                                                self->plan->limit, disconnected);
}

/* ---- persistence of the budget state ---------------------------------- */

GVariant *
sb_profile_save_budget (SbProfile *self)
{
  GVariantBuilder b, au, data;
  GHashTableIter iter;
  gpointer k, v;

  g_variant_builder_init (&au, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < self->fired->len; i++)
    g_variant_builder_add (&au, "u", g_array_index (self->fired, guint, i));
  g_variant_builder_init (&data, G_VARIANT_TYPE ("a{ss}"));
  if (self->plan_data)
    {
      g_hash_table_iter_init (&iter, self->plan_data);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_variant_builder_add (&data, "{ss}", k, v);
    }

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "period", g_variant_new_int64 (self->row->period_start));
  g_variant_builder_add (&b, "{sv}", "extra", g_variant_new_uint64 (self->extra));
  g_variant_builder_add (&b, "{sv}", "fired", g_variant_builder_end (&au));
  g_variant_builder_add (&b, "{sv}", "exhausted", g_variant_new_boolean (self->exhausted_announced));
  g_variant_builder_add (&b, "{sv}", "first-use", g_variant_new_int64 (self->first_use));
  g_variant_builder_add (&b, "{sv}", "fingerprint", g_variant_new_string (self->fingerprint ? self->fingerprint : ""));
  g_variant_builder_add (&b, "{sv}", "plan", g_variant_builder_end (&data));
  g_variant_builder_add (&b, "{sv}", "uuid", g_variant_new_string (self->conn_uuid ? self->conn_uuid : ""));
  g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (self->conn_id ? self->conn_id : ""));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

void
sb_profile_load_budget (SbProfile *self, GVariant *saved, gint64 now)
{
  g_autoptr(GVariantDict) d = g_variant_dict_new (saved);
  g_autoptr(GVariant) fired = NULL;
  g_autoptr(GVariant) data = NULL;
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(SbPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  gint64 period = 0;
  const char *s;

  g_variant_dict_lookup (d, "first-use", "x", &self->first_use);
  if (g_variant_dict_lookup (d, "fingerprint", "&s", &s))
    {
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (s);
    }
  if (g_variant_dict_lookup (d, "uuid", "&s", &s))
    {
      const char *id = "";
      g_variant_dict_lookup (d, "id", "&s", &id);
      sb_profile_set_connection (self, s, id);
    }

  data = g_variant_dict_lookup_value (d, "plan", G_VARIANT_TYPE ("a{ss}"));
  if (data && g_variant_n_children (data) > 0)
    {
      GVariantIter it;
      const char *k, *v;

      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_variant_iter_init (&it, data);
      while (g_variant_iter_next (&it, "{&s&s}", &k, &v))
        g_hash_table_insert (table, g_strdup (k), g_strdup (v));
      plan = sb_plan_parse (table, &error);
      if (plan)
        {
          sb_plan_free (self->plan);
          self->plan = g_steal_pointer (&plan);
          self->plan_data = g_hash_table_ref (table);
          publish_plan (self);
        }
      else
        g_message ("Saved plan of %s no longer parses: %s", self->row->iccid, error->message);
    }

  /* Allowance and announcements belong to the period they were made in. */
  g_variant_dict_lookup (d, "period", "x", &period);
  if (period == self->row->period_start)
    {
      g_variant_dict_lookup (d, "extra", "t", &self->extra);
      g_variant_dict_lookup (d, "exhausted", "b", &self->exhausted_announced);
      fired = g_variant_dict_lookup_value (d, "fired", G_VARIANT_TYPE ("au"));
      for (gsize i = 0; fired && i < g_variant_n_children (fired); i++)
        {
          guint p;
          g_variant_get_child (fired, i, "u", &p);
          g_array_append_val (self->fired, p);
        }
    }
  sb_profile_check_period (self, now);
  publish_usage (self);
  evaluate (self, now);
}

/* ---- identity --------------------------------------------------------- */

static gboolean
set_str (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value ? value : "");
  return TRUE;
}

void
sb_profile_set_identity (SbProfile   *self,
                         const char  *eid,
                         const char  *sim_type,
                         const char  *operator_name,
                         gint64       now)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  SbProfileRow *row = self->row;
  gboolean changed = FALSE;

  changed |= set_str (&row->eid, eid);
  changed |= set_str (&row->sim_type, sim_type);
  /* Keep the last known operator when the SIM stops telling. */
  if (operator_name && *operator_name)
    changed |= set_str (&row->operator_name, operator_name);
  if (changed)
    {
      row->last_seen = now;
      mark_dirty (self);
    }
  sb_sim_budget1_profile_set_eid (iface, row->eid);
  sb_sim_budget1_profile_set_sim_type (iface, row->sim_type);
  sb_sim_budget1_profile_set_operator_name (iface, row->operator_name);
}

void
sb_profile_set_active (SbProfile *self, gboolean active, const char *iface_name)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);

  sb_sim_budget1_profile_set_active (iface, active);
  sb_sim_budget1_profile_set_interface (iface, active && iface_name ? iface_name : "");
}

const char *
sb_profile_get_key (SbProfile *self)
{
  return self->row->iccid;
}

const char *
sb_profile_get_path (SbProfile *self)
{
  return self->path;
}

const SbProfileRow *
sb_profile_get_row (SbProfile *self)
{
  return self->row;
}

const SbPlan *
sb_profile_get_plan (SbProfile *self)
{
  return self->plan;
}

SbState
sb_profile_get_state (SbProfile *self)
{
  return self->state;
}

guint64
sb_profile_get_used (SbProfile *self)
{
  return used_bytes (self->row);
}

void
sb_profile_set_provisional (SbProfile *self, guint64 bytes, gint64 now)
{
  if (bytes == self->provisional)
    return;
  self->provisional = bytes;
  publish_usage (self);
  if (bytes)
    evaluate (self, now);
}

guint64
sb_profile_get_remaining (SbProfile *self)
{
  guint64 cutoff = sb_budget_cutoff (self->plan->limit, self->extra);
  guint64 used = used_bytes (self->row);

  return cutoff > used ? cutoff - used : 0;
}

/* ---- what the D-Bus methods change ------------------------------------ */

gboolean
sb_profile_fill_history (SbProfile           *self,
                         SbHistoryAggregator *history,
                         gint64               from,
                         gint64               to,
                         GError             **error)
{
  if (self->host.flush)
    self->host.flush (self->host_data);
  /* The buckets that intersect [from, to), straight into the rows. */
  return sb_store_foreach_bucket (self->host.store (self->host_data), self->row->iccid,
                                  from - SB_BUCKET_SECONDS + 1, to,
                                  sb_history_aggregator_add_bucket, history, error);
}

void
sb_profile_override (SbProfile *self, guint64 extra_bytes)
{
  g_autofree char *detail = NULL;
  gint64 now = sb_clock_now ();

  sb_profile_check_period (self, now);
  self->extra = extra_bytes == 0 ? G_MAXUINT64 : sat_add (self->extra, extra_bytes);
  detail = g_strdup_printf ("allowance now %" G_GUINT64_FORMAT, self->extra);
  g_message ("Profile %s: override, %s", self->row->iccid, detail);
  add_event (self, "override", (gint64) MIN (extra_bytes, (guint64) G_MAXINT64), detail);
  self->exhausted_announced = FALSE;
  mark_dirty (self);
  publish_usage (self);
  evaluate (self, now);
}

void
sb_profile_set_used (SbProfile *self, guint64 used)
{
  SbProfileRow *row = self->row;
  gint64 now = sb_clock_now ();
  guint64 counted;
  g_autofree char *detail = NULL;

  sb_profile_check_period (self, now);
  counted = sat_add (row->period_rx, row->period_tx);
  /* @used is below 2^60; counters may hold garbage up to 2^64-1: the
   * difference is clamped to what the column holds, never wrapped. */
  if (used >= counted)
    row->period_correction = (gint64) (used - counted);
  else if (counted - used > (guint64) G_MAXINT64)
    row->period_correction = -G_MAXINT64;
  else
    row->period_correction = -(gint64) (counted - used);
  self->published = 0;   /* a correction may lower what is shown */
  detail = g_strdup_printf ("counted %" G_GUINT64_FORMAT ", carrier says %" G_GUINT64_FORMAT,
                            counted, used);
  g_message ("Profile %s: correction, %s", row->iccid, detail);
  add_event (self, "correction", row->period_correction, detail);
  mark_dirty (self);
  publish_usage (self);
  evaluate (self, now);
}

void
sb_profile_forget (SbProfile *self)
{
  gint64 now = sb_clock_now ();

  g_message ("Profile %s: history forgotten", self->row->iccid);
  if (self->host.forget)
    self->host.forget (self->host_data, self);
  self->row->total_rx = self->row->total_tx = 0;
  self->row->period_start = 0;
  start_period (self, 0);
  sb_profile_check_period (self, now);
  publish_usage (self);
  evaluate (self, now);
}

/* ---- GObject ---------------------------------------------------------- */

static void
sb_profile_finalize (GObject *object)
{
  SbProfile *self = SB_PROFILE (object);

  sb_profile_row_free (self->row);
  sb_plan_free (self->plan);
  g_clear_pointer (&self->plan_data, g_hash_table_unref);
  g_array_unref (self->fired);
  g_free (self->fingerprint);
  g_free (self->conn_uuid);
  g_free (self->conn_id);
  g_free (self->path);
  G_OBJECT_CLASS (sb_profile_parent_class)->finalize (object);
}

static void
sb_profile_class_init (SbProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sb_profile_finalize;
}

static void
sb_profile_init (SbProfile *self)
{
  self->fired = g_array_new (FALSE, FALSE, sizeof (guint));
  self->conn_uuid = g_strdup ("");
  self->conn_id = g_strdup ("");
}

SbProfile *
sb_profile_new (SbProfileRow *row, const SbProfileHost *host, gpointer host_data)
{
  SbProfile *self = g_object_new (SB_TYPE_PROFILE, NULL);
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);

  self->row = row;
  self->host = *host;
  self->host_data = host_data;
  self->path = sb_profile_path_for_key (row->iccid);
  self->plan = sb_plan_new_default ();
  self->state = SB_STATE_UNTRACKED;

  sb_sim_budget1_profile_set_iccid (iface, row->iccid);
  sb_sim_budget1_profile_set_eid (iface, row->eid ? row->eid : "");
  sb_sim_budget1_profile_set_sim_type (iface, row->sim_type ? row->sim_type : "unknown");
  sb_sim_budget1_profile_set_operator_name (iface, row->operator_name ? row->operator_name : "");
  sb_sim_budget1_profile_set_state (iface, "untracked");
  sb_sim_budget1_profile_set_enforcement (iface, "none");
  sb_sim_budget1_profile_set_config_error (iface, "");
  sb_sim_budget1_profile_set_connection_uuid (iface, "");
  sb_sim_budget1_profile_set_connection_id (iface, "");
  sb_sim_budget1_profile_set_interface (iface, "");
  publish_plan (self);
  return self;
}
