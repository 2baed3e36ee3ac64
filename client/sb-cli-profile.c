#define G_LOG_DOMAIN "sb-cli-profile"

#include "config.h"

#include "sb-cli-profile.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-cli-util.h"
#include "sb-units.h"

#define RELATIVE_HORIZON (7 * 24 * 60 * 60)

char *
sb_cli_profile_title (SbSimBudget1Profile *profile)
{
  const char *iccid = sb_sim_budget1_profile_get_iccid (profile);
  const char *id = sb_sim_budget1_profile_get_connection_id (profile);

  if (id != NULL && *id != '\0')
    return g_strdup_printf ("%s (%s)", iccid, id);
  return g_strdup (iccid);
}

const char *
sb_cli_profile_state (SbSimBudget1Profile *profile)
{
  const char *state = sb_sim_budget1_profile_get_state (profile);

  return state && *state ? state : "unknown";
}

GTimeZone *
sb_cli_profile_timezone (SbSimBudget1Profile *profile)
{
  return sb_cli_timezone_new (sb_sim_budget1_profile_get_time_zone (profile));
}

char *
sb_cli_profile_limit (SbSimBudget1Profile *profile)
{
  guint64 limit = sb_sim_budget1_profile_get_limit (profile);

  if (limit == 0)
    return g_strdup (C_("limit", "none"));
  return sb_size_format (limit, TRUE);
}

char *
sb_cli_profile_percent (SbSimBudget1Profile *profile)
{
  guint64 limit = sb_sim_budget1_profile_get_limit (profile);
  guint64 used = sb_sim_budget1_profile_get_used_bytes (profile);

  if (limit == 0)
    return g_strdup ("—");
  /* Rounded down: "100%" only once the budget is spent. */
  return g_strdup_printf ("%" G_GUINT64_FORMAT "%%",
                          (guint64) ((long double) used * 100.0L / (long double) limit));
}

char *
sb_cli_profile_resets (SbSimBudget1Profile *profile,
                       gint64               now,
                       gboolean             detailed)
{
  gint64 end = sb_sim_budget1_profile_get_period_end (profile);
  gint64 start = sb_sim_budget1_profile_get_period_start (profile);
  const char *period = sb_sim_budget1_profile_get_period (profile);
  g_autoptr(GTimeZone) tz = sb_cli_profile_timezone (profile);
  g_autofree char *absolute = NULL;
  g_autofree char *relative = NULL;

  if (end == 0)
    {
      if (start == 0 && period != NULL && g_str_has_prefix (period, "days:"))
        return g_strdup (_("after first use"));
      return g_strdup (C_("resets", "never"));
    }
  if (g_strcmp0 (sb_sim_budget1_profile_get_state (profile), "expired") == 0 && !detailed)
    return g_strdup (_("expired"));

  absolute = sb_cli_format_time (end, tz, now);
  relative = sb_cli_format_relative (end, now);
  if (detailed)
    return g_strdup_printf ("%s (%s)", absolute, relative);
  if (end > now && end - now < RELATIVE_HORIZON)
    return g_steal_pointer (&relative);
  return g_steal_pointer (&absolute);
}

gboolean
sb_cli_profile_remaining (SbSimBudget1Profile *profile,
                          guint64             *out_bytes)
{
  guint64 limit = sb_sim_budget1_profile_get_limit (profile);
  guint64 extra = sb_sim_budget1_profile_get_extra_allowance (profile);
  guint64 used = sb_sim_budget1_profile_get_used_bytes (profile);
  guint64 cutoff;

  if (limit == 0)
    return FALSE;
  cutoff = sb_cli_add_saturating (limit, extra);
  *out_bytes = cutoff > used ? cutoff - used : 0;
  return TRUE;
}

char *
sb_cli_allowance_text (guint64 extra)
{
  if (extra == 0)
    return g_strdup (C_("allowance", "none"));
  if (extra == G_MAXUINT64)
    return g_strdup (_("unlimited until the period ends"));
  return sb_size_format (extra, TRUE);
}

char *
sb_cli_thresholds_text (GVariant *thresholds)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GVariantIter iter;
  guint32 percent;

  if (thresholds == NULL || !g_variant_is_of_type (thresholds, G_VARIANT_TYPE ("au")))
    return g_strdup ("");
  g_variant_iter_init (&iter, thresholds);
  while (g_variant_iter_next (&iter, "u", &percent))
    g_string_append_printf (text, "%s%u%%", text->len ? ", " : "", percent);
  return g_strdup (text->str);
}

const char *
sb_cli_yes_no (gboolean value)
{
  return value ? _("yes") : _("no");
}

void
sb_cli_json_time (SbJson     *json,
                  const char *name,
                  gint64      when,
                  GTimeZone  *tz)
{
  g_autofree char *iso_name = g_strconcat (name, "_iso", NULL);
  g_autofree char *iso = when != 0 ? sb_cli_format_iso8601 (when, tz) : NULL;

  sb_json_key (json, name);
  sb_json_int (json, when);
  sb_json_key (json, iso_name);
  sb_json_string (json, iso);
}

static void
json_string (SbJson *json, const char *name, const char *value)
{
  sb_json_key (json, name);
  sb_json_string (json, value);
}

static void
json_uint (SbJson *json, const char *name, guint64 value)
{
  sb_json_key (json, name);
  sb_json_uint (json, value);
}

void
sb_cli_profile_to_json (SbSimBudget1Profile *profile,
                        SbJson              *json)
{
  g_autoptr(GTimeZone) tz = sb_cli_profile_timezone (profile);
  GVariant *thresholds = sb_sim_budget1_profile_get_thresholds (profile);
  guint64 limit = sb_sim_budget1_profile_get_limit (profile);
  guint64 remaining;

  sb_json_begin_object (json);
  json_string (json, "object_path", g_dbus_proxy_get_object_path (G_DBUS_PROXY (profile)));
  json_string (json, "iccid", sb_sim_budget1_profile_get_iccid (profile));
  json_string (json, "eid", sb_sim_budget1_profile_get_eid (profile));
  json_string (json, "sim_type", sb_sim_budget1_profile_get_sim_type (profile));
  json_string (json, "operator_name", sb_sim_budget1_profile_get_operator_name (profile));
  sb_json_key (json, "active");
  sb_json_bool (json, sb_sim_budget1_profile_get_active (profile));
  json_string (json, "interface", sb_sim_budget1_profile_get_interface (profile));
  json_string (json, "connection_uuid", sb_sim_budget1_profile_get_connection_uuid (profile));
  json_string (json, "connection_id", sb_sim_budget1_profile_get_connection_id (profile));
  json_uint (json, "limit", limit);
  json_string (json, "period", sb_sim_budget1_profile_get_period (profile));
  json_string (json, "time_zone", sb_sim_budget1_profile_get_time_zone (profile));

  sb_json_key (json, "thresholds");
  sb_json_begin_array (json);
  if (thresholds != NULL && g_variant_is_of_type (thresholds, G_VARIANT_TYPE ("au")))
    {
      GVariantIter iter;
      guint32 percent;

      g_variant_iter_init (&iter, thresholds);
      while (g_variant_iter_next (&iter, "u", &percent))
        sb_json_uint (json, percent);
    }
  sb_json_end_array (json);

  json_string (json, "action", sb_sim_budget1_profile_get_action (profile));
  sb_cli_json_time (json, "period_start", sb_sim_budget1_profile_get_period_start (profile), tz);
  sb_cli_json_time (json, "period_end", sb_sim_budget1_profile_get_period_end (profile), tz);
  json_uint (json, "used_bytes", sb_sim_budget1_profile_get_used_bytes (profile));
  json_uint (json, "rx_bytes", sb_sim_budget1_profile_get_rx_bytes (profile));
  json_uint (json, "tx_bytes", sb_sim_budget1_profile_get_tx_bytes (profile));
  json_uint (json, "total_bytes", sb_sim_budget1_profile_get_total_bytes (profile));
  json_uint (json, "extra_allowance", sb_sim_budget1_profile_get_extra_allowance (profile));

  sb_json_key (json, "remaining_bytes");
  if (sb_cli_profile_remaining (profile, &remaining))
    sb_json_uint (json, remaining);
  else
    sb_json_null (json);

  json_string (json, "state", sb_sim_budget1_profile_get_state (profile));
  json_string (json, "config_error", sb_sim_budget1_profile_get_config_error (profile));
  json_string (json, "enforcement", sb_sim_budget1_profile_get_enforcement (profile));
  sb_json_end_object (json);
}
