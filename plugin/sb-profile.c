#define G_LOG_DOMAIN "sb-profile"

#include "sb-profile.h"

#include <glib/gi18n-lib.h>

#include "sb-error.h"
#include "sb-history.h"

struct _SbProfile {
  SbSimBudget1ProfileSkeleton parent;

  SbProfileRow        *row;       /* (owned) persisted state */
  char                *path;
  SbPlan              *plan;      /* (owned) */
  SbProfileHost        host;
  gpointer             host_data;
  gint64               period_end;
};

static void sb_profile_iface_init (SbSimBudget1ProfileIface *iface);

G_DEFINE_TYPE_WITH_CODE (SbProfile, sb_profile, SB_TYPE_SIM_BUDGET1_PROFILE_SKELETON,
                         G_IMPLEMENT_INTERFACE (SB_TYPE_SIM_BUDGET1_PROFILE, sb_profile_iface_init))

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
publish_usage (SbProfile *self)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  SbProfileRow *row = self->row;

  sb_sim_budget1_profile_set_rx_bytes (iface, row->period_rx);
  sb_sim_budget1_profile_set_tx_bytes (iface, row->period_tx);
  sb_sim_budget1_profile_set_used_bytes (iface, used_bytes (row));
  sb_sim_budget1_profile_set_total_bytes (iface, sat_add (row->total_rx, row->total_tx));
  sb_sim_budget1_profile_set_period_start (iface, row->period_start);
  sb_sim_budget1_profile_set_period_end (iface, self->period_end);
}

static void
publish_plan (SbProfile *self)
{
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (self);
  g_autofree char *period = sb_plan_period_to_string (self->plan);
  g_autoptr(GVariantBuilder) b = g_variant_builder_new (G_VARIANT_TYPE ("au"));

  for (guint i = 0; i < self->plan->warn->len; i++)
    g_variant_builder_add (b, "u", g_array_index (self->plan->warn, guint, i));

  sb_sim_budget1_profile_set_limit (iface, self->plan->limit);
  sb_sim_budget1_profile_set_period (iface, period);
  sb_sim_budget1_profile_set_time_zone (iface, sb_plan_timezone_id (self->plan));
  sb_sim_budget1_profile_set_thresholds (iface, g_variant_builder_end (b));
  sb_sim_budget1_profile_set_action (iface, sb_action_to_string (self->plan->action));
  if (self->plan->limit == 0)
    sb_sim_budget1_profile_set_state (iface, "untracked");
}

static void
mark_dirty (SbProfile *self)
{
  if (self->host.dirty)
    self->host.dirty (self->host_data, self);
}

gboolean
sb_profile_check_period (SbProfile *self, gint64 now)
{
  SbProfileRow *row = self->row;
  gint64 start = 0, end = 0;
  gboolean rolled = FALSE;

  sb_plan_window (self->plan, now, row->period_start, &start, &end);

  /* Only forward: a wall clock set back must not hand out a fresh period
   * (usage never goes down within a period). */
  if (start > row->period_start)
    {
      if (row->period_start != 0)
        g_info ("Profile %s: new period from %" G_GINT64_FORMAT " (was %" G_GINT64_FORMAT ")",
                row->iccid, start, row->period_start);
      rolled = row->period_start != 0;
      row->period_start = start;
      row->period_rx = 0;
      row->period_tx = 0;
      row->period_correction = 0;
      mark_dirty (self);
    }
  self->period_end = end;
  publish_usage (self);
  return rolled;
}

void
sb_profile_add_usage (SbProfile *self, gint64 now, guint64 rx, guint64 tx)
{
  SbProfileRow *row = self->row;

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
}

gint64
sb_profile_get_period_end (SbProfile *self)
{
  return self->period_end;
}

void
sb_profile_set_plan (SbProfile *self, const SbPlan *plan, gint64 now)
{
  g_clear_pointer (&self->plan, sb_plan_free);
  self->plan = plan ? sb_plan_copy (plan) : sb_plan_new_default ();
  publish_plan (self);
  sb_profile_check_period (self, now);
}

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

void
sb_profile_reset (SbProfile *self, gint64 now)
{
  SbProfileRow *row = self->row;

  row->total_rx = row->total_tx = 0;
  row->period_rx = row->period_tx = 0;
  row->period_correction = 0;
  row->period_start = 0;
  mark_dirty (self);
  sb_profile_check_period (self, now);
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

/* ---- D-Bus methods ---------------------------------------------------- */

static gboolean
handle_get_history (SbSimBudget1Profile   *iface,
                    GDBusMethodInvocation *invocation,
                    const char            *granularity_str,
                    gint64                 from,
                    gint64                 to)
{
  SbProfile *self = SB_PROFILE (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) empty = g_array_new (FALSE, FALSE, sizeof (SbBucketRow));
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) buckets = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  GVariantBuilder b;
  SbGranularity gran;
  gint64 first, last;

  tz = g_time_zone_ref (self->plan->tz);
  if (!sb_granularity_from_string (granularity_str, &gran, &error))
    goto fail;
  /* Validates the range and its size before touching the database. */
  rows = sb_history_aggregate (gran, tz, from, to, empty, &error);
  if (!rows)
    goto fail;
  g_clear_pointer (&rows, g_array_unref);

  if (from < to)
    {
      if (self->host.flush)
        self->host.flush (self->host_data);
      first = sb_history_floor (gran, tz, from);
      last = sb_history_next (gran, tz, sb_history_floor (gran, tz, to - 1));
      buckets = sb_store_get_buckets (self->host.store (self->host_data),
                                      self->row->iccid, first, last, &error);
      if (!buckets)
        {
          g_dbus_method_invocation_return_error (invocation, SB_ERROR, SB_ERROR_FAILED,
                                                 _("Cannot read the history: %s"),
                                                 error->message);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
    }
  rows = sb_history_aggregate (gran, tz, from, to, buckets ? buckets : empty, &error);
  if (!rows)
    goto fail;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(xtt)"));
  for (guint i = 0; i < rows->len; i++)
    {
      SbHistoryRow *r = &g_array_index (rows, SbHistoryRow, i);
      g_variant_builder_add (&b, "(xtt)", r->start, r->rx, r->tx);
    }
  sb_sim_budget1_profile_complete_get_history (iface, invocation, g_variant_builder_end (&b));
  return G_DBUS_METHOD_INVOCATION_HANDLED;

fail:
  g_dbus_method_invocation_return_gerror (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- GObject ---------------------------------------------------------- */

static void
sb_profile_finalize (GObject *object)
{
  SbProfile *self = SB_PROFILE (object);

  sb_profile_row_free (self->row);
  sb_plan_free (self->plan);
  g_free (self->path);
  G_OBJECT_CLASS (sb_profile_parent_class)->finalize (object);
}

static void
sb_profile_iface_init (SbSimBudget1ProfileIface *iface)
{
  iface->handle_get_history = handle_get_history;
}

static void
sb_profile_class_init (SbProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sb_profile_finalize;
}

static void
sb_profile_init (SbProfile *self)
{
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
