/* simbudget monitor: a line for every change, until interrupted. */
#define G_LOG_DOMAIN "sb-cli-monitor"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "sb-cli.h"
#include "sb-cli-json.h"
#include "sb-cli-profile.h"
#include "sb-cli-util.h"
#include "sb-units.h"

typedef struct {
  SbCli      *cli;
  GMainLoop  *loop;  /* (owned) */
  GHashTable *used;  /* (owned) object path → guint64 *: last UsedBytes seen */
} Monitor;

/* Properties whose changes a person reads: the byte counters other than
 * UsedBytes move with it and would only repeat it. */
static const struct {
  const char *name;
  const char *label;
} labels[] = {
  { "Iccid", N_("ICCID") },
  { "Eid", N_("EID") },
  { "SimType", N_("type") },
  { "OperatorName", N_("operator") },
  { "Active", N_("active") },
  { "Interface", N_("interface") },
  { "ConnectionUuid", N_("connection UUID") },
  { "ConnectionId", N_("connection") },
  { "Limit", N_("limit") },
  { "Period", N_("period") },
  { "TimeZone", N_("time zone") },
  { "Thresholds", N_("warn at") },
  { "Action", N_("action") },
  { "PeriodStart", N_("period start") },
  { "PeriodEnd", N_("period end") },
  { "UsedBytes", N_("used") },
  { "ExtraAllowance", N_("extra allowance") },
  { "State", N_("state") },
  { "ConfigError", N_("config error") },
  { "Enforcement", N_("enforcement") },
};

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static SbSimBudget1Profile *
profile_of (GDBusObject *object)
{
  return sb_object_peek_sim_budget1_profile (SB_OBJECT (object));
}

static void
remember_used (Monitor *monitor, SbSimBudget1Profile *profile)
{
  guint64 *used = g_new (guint64, 1);

  *used = sb_sim_budget1_profile_get_used_bytes (profile);
  g_hash_table_replace (monitor->used,
                        g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (profile))),
                        used);
}

/* "2024-11-28 14:05:12  8981… (Travel)  what" */
static void
print_line (SbSimBudget1Profile *profile, const char *what)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *title = profile ? sb_cli_profile_title (profile) : NULL;
  g_autofree char *line = NULL;

  if (title != NULL)
    line = g_strdup_printf ("%s  %s  %s\n", stamp, title, what);
  else
    line = g_strdup_printf ("%s  %s\n", stamp, what);
  sb_cli_print (line);
}

/* One compact JSON object per line: {"time": …, "event": …, …}. */
static SbJson *
json_event (SbSimBudget1Profile *profile, const char *event)
{
  SbJson *json = sb_json_new (TRUE);
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();

  sb_json_begin_object (json);
  sb_cli_json_time (json, "time", now_seconds (), local);
  sb_json_key (json, "event");
  sb_json_string (json, event);
  if (profile != NULL)
    {
      sb_json_key (json, "object_path");
      sb_json_string (json, g_dbus_proxy_get_object_path (G_DBUS_PROXY (profile)));
      sb_json_key (json, "iccid");
      sb_json_string (json, sb_sim_budget1_profile_get_iccid (profile));
    }
  return json;
}

static void
json_finish (SbJson *json)
{
  g_autofree char *text = NULL;

  sb_json_end_object (json);
  text = sb_json_to_string (json);
  sb_cli_print (text);
  sb_json_free (json);
}

static char *
describe_profile (SbSimBudget1Profile *profile)
{
  g_autofree char *used = sb_size_format (sb_sim_budget1_profile_get_used_bytes (profile), TRUE);
  const char *state = sb_cli_profile_state (profile);

  if (sb_sim_budget1_profile_get_limit (profile) > 0)
    {
      g_autofree char *limit = sb_cli_profile_limit (profile);
      g_autofree char *percent = sb_cli_profile_percent (profile);

      /* Translators: "used 1.2 GB of 5 GB (24%), state ok" */
      return g_strdup_printf (_("used %s of %s (%s), state %s"), used, limit, percent, state);
    }
  /* Translators: "used 1.2 GB, state untracked" */
  return g_strdup_printf (_("used %s, state %s"), used, state);
}

static void
show_profile (Monitor *monitor, SbSimBudget1Profile *profile, const char *event, const char *verb)
{
  if (monitor->cli->json)
    {
      SbJson *json = json_event (profile, event);

      sb_json_key (json, "profile");
      sb_cli_profile_to_json (profile, json);
      json_finish (json);
    }
  else
    {
      g_autofree char *description = describe_profile (profile);
      g_autofree char *what = verb ? g_strdup_printf ("%s: %s", verb, description)
                                   : g_steal_pointer (&description);

      print_line (profile, what);
    }
}

static void
json_value (SbJson *json, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    sb_json_string (json, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    sb_json_bool (json, g_variant_get_boolean (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    sb_json_uint (json, g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    sb_json_int (json, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    sb_json_uint (json, g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY))
    {
      sb_json_begin_array (json);
      for (gsize i = 0; i < g_variant_n_children (value); i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

          json_value (json, child);
        }
      sb_json_end_array (json);
    }
  else
    {
      g_autofree char *printed = g_variant_print (value, FALSE);

      sb_json_string (json, printed);
    }
}

/* "used 1.2 GB (+12 MB)", "state warning", … or NULL to say nothing. */
static char *
describe_change (Monitor *monitor, SbSimBudget1Profile *profile,
                 const char *name, GVariant *value)
{
  const char *label = NULL;
  g_autoptr(GTimeZone) tz = sb_cli_profile_timezone (profile);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (strcmp (labels[i].name, name) == 0)
      label = _(labels[i].label);
  if (label == NULL)
    return NULL;

  if (strcmp (name, "UsedBytes") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    {
      guint64 used = g_variant_get_uint64 (value);
      const guint64 *before = g_hash_table_lookup (monitor->used,
                                                   g_dbus_proxy_get_object_path (G_DBUS_PROXY (profile)));
      g_autofree char *size = sb_size_format (used, TRUE);
      g_autofree char *delta = NULL;

      if (before == NULL || *before == used)
        return g_strdup_printf ("%s %s", label, size);
      /* A correction (set-used) can lower it. */
      delta = sb_size_format (used > *before ? used - *before : *before - used, TRUE);
      return g_strdup_printf ("%s %s (%s%s)", label, size, used > *before ? "+" : "−", delta);
    }

  if (strcmp (name, "Limit") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    {
      guint64 limit = g_variant_get_uint64 (value);
      g_autofree char *size = limit ? sb_size_format (limit, TRUE) : g_strdup (C_("limit", "none"));

      return g_strdup_printf ("%s %s", label, size);
    }

  if (strcmp (name, "ExtraAllowance") == 0 && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    {
      g_autofree char *text = sb_cli_allowance_text (g_variant_get_uint64 (value));

      return g_strdup_printf ("%s %s", label, text);
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    {
      gint64 when = g_variant_get_int64 (value);
      g_autofree char *text = when ? sb_cli_format_time (when, tz, now_seconds ()) : g_strdup ("—");

      return g_strdup_printf ("%s %s", label, text);
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup_printf ("%s %s", label, sb_cli_yes_no (g_variant_get_boolean (value)));

  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("au")))
    {
      g_autofree char *text = sb_cli_thresholds_text (value);

      return g_strdup_printf ("%s %s", label, *text ? text : "—");
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      const char *text = g_variant_get_string (value, NULL);

      if (strcmp (name, "ConfigError") == 0)
        return *text ? g_strdup_printf (_("config error: %s"), text)
                     : g_strdup (_("config error cleared"));
      return g_strdup_printf ("%s %s", label, *text ? text : "—");
    }

  return NULL;
}

static void
on_properties_changed (GDBusObjectManagerClient *manager,
                       GDBusObjectProxy         *object,
                       GDBusProxy               *proxy,
                       GVariant                 *changed,
                       const char *const        *invalidated,
                       gpointer                  user_data)
{
  Monitor *monitor = user_data;
  SbSimBudget1Profile *profile;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  if (!SB_IS_SIM_BUDGET1_PROFILE (proxy))
    return;
  profile = SB_SIM_BUDGET1_PROFILE (proxy);

  if (monitor->cli->json)
    {
      SbJson *json = json_event (profile, "changed");

      sb_json_key (json, "changes");
      sb_json_begin_object (json);
      g_variant_iter_init (&iter, changed);
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          g_autofree char *key = sb_cli_snake_case (name);

          sb_json_key (json, key);
          json_value (json, value);
          g_variant_unref (value);
        }
      sb_json_end_object (json);
      json_finish (json);
    }
  else
    {
      g_autoptr(GString) what = g_string_new (NULL);

      g_variant_iter_init (&iter, changed);
      while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
        {
          g_autofree char *change = describe_change (monitor, profile, name, value);

          if (change != NULL)
            g_string_append_printf (what, "%s%s", what->len ? ", " : "", change);
          g_variant_unref (value);
        }
      if (what->len > 0)
        print_line (profile, what->str);
    }
  remember_used (monitor, profile);
}

static void
on_signal (GDBusObjectManagerClient *manager,
           GDBusObjectProxy         *object,
           GDBusProxy               *proxy,
           const char               *sender,
           const char               *signal_name,
           GVariant                 *parameters,
           gpointer                  user_data)
{
  Monitor *monitor = user_data;
  SbSimBudget1Profile *profile;

  if (!SB_IS_SIM_BUDGET1_PROFILE (proxy))
    return;
  profile = SB_SIM_BUDGET1_PROFILE (proxy);

  if (strcmp (signal_name, "ThresholdReached") == 0 &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(utt)")))
    {
      guint32 percent;
      guint64 used, limit;

      g_variant_get (parameters, "(utt)", &percent, &used, &limit);
      if (monitor->cli->json)
        {
          SbJson *json = json_event (profile, "threshold_reached");

          sb_json_key (json, "percent");
          sb_json_uint (json, percent);
          sb_json_key (json, "used");
          sb_json_uint (json, used);
          sb_json_key (json, "limit");
          sb_json_uint (json, limit);
          json_finish (json);
        }
      else
        {
          g_autofree char *used_text = sb_size_format (used, TRUE);
          g_autofree char *limit_text = sb_size_format (limit, TRUE);
          g_autofree char *what = NULL;

          /* Translators: "threshold 80% reached: 4 GB of 5 GB" */
          what = g_strdup_printf (_("threshold %u%% reached: %s of %s"), percent, used_text, limit_text);
          print_line (profile, what);
        }
    }
  else if (strcmp (signal_name, "BudgetExhausted") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ttb)")))
    {
      guint64 used, limit;
      gboolean disconnected;

      g_variant_get (parameters, "(ttb)", &used, &limit, &disconnected);
      if (monitor->cli->json)
        {
          SbJson *json = json_event (profile, "budget_exhausted");

          sb_json_key (json, "used");
          sb_json_uint (json, used);
          sb_json_key (json, "limit");
          sb_json_uint (json, limit);
          sb_json_key (json, "disconnected");
          sb_json_bool (json, disconnected);
          json_finish (json);
        }
      else
        {
          g_autofree char *used_text = sb_size_format (used, TRUE);
          g_autofree char *limit_text = sb_size_format (limit, TRUE);
          g_autofree char *what = NULL;

          what = g_strdup_printf (disconnected
                                  ? _("budget exhausted: %s of %s; disconnected")
                                  : _("budget exhausted: %s of %s; still connected"),
                                  used_text, limit_text);
          print_line (profile, what);
        }
    }
}

static void
on_object_added (GDBusObjectManager *manager,
                 GDBusObject        *object,
                 gpointer            user_data)
{
  Monitor *monitor = user_data;
  SbSimBudget1Profile *profile = profile_of (object);

  if (profile == NULL)
    return;
  show_profile (monitor, profile, "profile_added", _("profile added"));
  remember_used (monitor, profile);
}

static void
on_object_removed (GDBusObjectManager *manager,
                   GDBusObject        *object,
                   gpointer            user_data)
{
  Monitor *monitor = user_data;
  SbSimBudget1Profile *profile = profile_of (object);
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));

  /* When the service goes away every profile does: one line says it. */
  if (profile == NULL || owner == NULL)
    return;

  if (monitor->cli->json)
    json_finish (json_event (profile, "profile_removed"));
  else
    print_line (profile, _("profile removed"));
  g_hash_table_remove (monitor->used, g_dbus_proxy_get_object_path (G_DBUS_PROXY (profile)));
}

static void
on_name_owner (GObject    *manager,
               GParamSpec *pspec,
               gpointer    user_data)
{
  Monitor *monitor = user_data;
  g_autofree char *owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));
  const char *event = owner ? "service_started" : "service_stopped";

  if (monitor->cli->json)
    json_finish (json_event (NULL, event));
  else
    print_line (NULL, owner ? _("the simbudget service started")
                            : _("the simbudget service stopped"));
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Monitor *monitor = user_data;

  g_main_loop_quit (monitor->loop);
  return G_SOURCE_CONTINUE;
}

int
sb_cli_monitor (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  Monitor monitor = { .cli = cli };
  GList *profiles;
  guint sigint_id, sigterm_id;

  for (int i = 0; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        continue;
      if (argv[i][0] == '-' && argv[i][1] != '\0')
        return sb_cli_usage_error (_("unknown option “%s”"), argv[i]);
      return sb_cli_usage_error (_("unexpected argument “%s”"), argv[i]);
    }

  if (!sb_cli_connect (cli, &error))
    return sb_cli_report_error (error, NULL);

  monitor.loop = g_main_loop_new (NULL, FALSE);
  monitor.used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* The state as it is now, then every change: the manager subscribed to
   * the signals before it fetched the objects, so nothing falls between. */
  profiles = sb_cli_list_profiles (cli);
  for (GList *l = profiles; l != NULL; l = l->next)
    {
      show_profile (&monitor, l->data, "profile", NULL);
      remember_used (&monitor, l->data);
    }
  g_list_free_full (profiles, g_object_unref);

  g_signal_connect (cli->manager, "interface-proxy-properties-changed",
                    G_CALLBACK (on_properties_changed), &monitor);
  g_signal_connect (cli->manager, "interface-proxy-signal",
                    G_CALLBACK (on_signal), &monitor);
  g_signal_connect (cli->manager, "object-added",
                    G_CALLBACK (on_object_added), &monitor);
  g_signal_connect (cli->manager, "object-removed",
                    G_CALLBACK (on_object_removed), &monitor);
  g_signal_connect (cli->manager, "notify::name-owner",
                    G_CALLBACK (on_name_owner), &monitor);

  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &monitor);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &monitor);

  g_main_loop_run (monitor.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (cli->manager, &monitor);
  g_hash_table_unref (monitor.used);
  g_main_loop_unref (monitor.loop);
  return SB_CLI_EXIT_OK;
}
