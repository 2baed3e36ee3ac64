/*
 * simbudget set CONNECTION [KEYWORD VALUE]…, simbudget unset CONNECTION:
 * the budget lives in the connection's user data (simbudget.* keys),
 * written through NetworkManager like `nmcli connection modify`.
 */
#define G_LOG_DOMAIN "sb-cli-set"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-cli.h"
#include "sb-cli-json.h"
#include "sb-cli-nm.h"
#include "sb-cli-output.h"
#include "sb-cli-profile.h"
#include "sb-cli-util.h"
#include "sb-error.h"
#include "sb-plan.h"
#include "sb-units.h"

#define KEYWORD_SIM_ID "sim-id"

static const struct {
  const char *keyword;
  const char *key;
} keywords[] = {
  { "limit", SB_KEY_LIMIT },
  { "period", SB_KEY_PERIOD },
  { "start", SB_KEY_START },
  { "timezone", SB_KEY_TIMEZONE },
  { "warn", SB_KEY_WARN },
  { "action", SB_KEY_ACTION },
  /* An extension: binds the connection to one SIM (gsm.sim-id). */
  { KEYWORD_SIM_ID, NULL },
};

/* The user-data key of @word ("limit" or "simbudget.limit"); "" for
 * sim-id; NULL when unknown. */
static const char *
key_of (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      if (strcmp (word, keywords[i].keyword) == 0)
        return keywords[i].key ? keywords[i].key : "";
      if (keywords[i].key && strcmp (word, keywords[i].key) == 0)
        return keywords[i].key;
    }
  return NULL;
}

/* An ICCID as gsm.sim-id holds it: 18 to 22 digits, perhaps an "F". */
static gboolean
valid_iccid (const char *text)
{
  size_t len = strlen (text);
  size_t digits = len > 0 && (text[len - 1] == 'F' || text[len - 1] == 'f') ? len - 1 : len;

  if (len < 18 || len > 22)
    return FALSE;
  for (size_t i = 0; i < digits; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static const char *
sim_id_of (NMConnection *connection)
{
  NMSettingGsm *gsm = nm_connection_get_setting_gsm (connection);
  const char *sim_id = gsm ? nm_setting_gsm_get_sim_id (gsm) : NULL;

  return sim_id && *sim_id ? sim_id : NULL;
}

/* "Travel", or 'My SIM' quoted for the shell. */
static char *
shell_word (const char *text)
{
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("._-+:@%/", *p))
      return g_shell_quote (text);
  return g_strdup (text);
}

/* When the plan's current period ends, for people. */
/* The object --json prints, opened with the connection it is about. */
static void
json_begin_connection (SbJson       *json,
                       NMConnection *connection)
{
  sb_json_begin_object (json);
  sb_json_key (json, "connection_id");
  sb_json_string (json, nm_connection_get_id (connection));
  sb_json_key (json, "connection_uuid");
  sb_json_string (json, nm_connection_get_uuid (connection));
}

static char *
next_reset_text (const SbPlan *plan, gint64 now, gint64 *out_end)
{
  gint64 start, end;

  sb_plan_window (plan, now, 0, &start, &end);
  *out_end = end;
  if (plan->kind == SB_PERIOD_DAYS && plan->start_first_use)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u day after the first use",
                                         "%u days after the first use", plan->day),
                            plan->day);
  if (end == 0)
    return g_strdup (C_("resets", "never"));
  else
    {
      g_autofree char *when = sb_cli_format_time (end, plan->tz, now);
      g_autofree char *relative = sb_cli_format_relative (end, now);

      if (end <= now)
        /* Translators: a days:N plan whose validity has ended */
        return g_strdup_printf (_("expired %s (%s)"), when, relative);
      return g_strdup_printf ("%s (%s)", when, relative);
    }
}

static void
print_plan (SbCli *cli, NMConnection *connection, const SbPlan *plan)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *period = sb_plan_period_to_string (plan);
  g_autofree char *warn = sb_percent_list_format (plan->warn);
  g_autofree char *start = plan->start_first_use ? g_strdup ("first-use")
                                                 : sb_cli_format_iso8601 (plan->start, plan->tz);
  gint64 end = 0;
  g_autofree char *reset = next_reset_text (plan, now, &end);
  const char *sim_id = sim_id_of (connection);

  if (cli->json)
    {
      g_autoptr(SbJson) json = sb_json_new (FALSE);
      g_autofree char *text = NULL;

      json_begin_connection (json, connection);
      sb_json_key (json, "sim_id");
      sb_json_string (json, sim_id);
      sb_json_key (json, "limit");
      sb_json_uint (json, plan->limit);
      sb_json_key (json, "period");
      sb_json_string (json, period);
      sb_json_key (json, "start");
      sb_json_string (json, start);
      sb_json_key (json, "time_zone");
      sb_json_string (json, sb_plan_timezone_id (plan));
      sb_json_key (json, "warn");
      sb_json_begin_array (json);
      for (guint i = 0; i < plan->warn->len; i++)
        sb_json_uint (json, g_array_index (plan->warn, guint, i));
      sb_json_end_array (json);
      sb_json_key (json, "action");
      sb_json_string (json, sb_action_to_string (plan->action));
      if (end != 0 && !(plan->kind == SB_PERIOD_DAYS && plan->start_first_use))
        sb_cli_json_time (json, "next_reset", end, plan->tz);
      else
        {
          sb_json_key (json, "next_reset");
          sb_json_null (json);
          sb_json_key (json, "next_reset_iso");
          sb_json_null (json);
        }
      sb_json_end_object (json);
      text = sb_json_to_string (json);
      g_print ("%s", text);
    }
  else
    {
      g_autoptr(SbCliFields) fields = sb_cli_fields_new ();
      g_autofree char *title = g_strdup_printf ("%s (%s)", nm_connection_get_id (connection),
                                                nm_connection_get_uuid (connection));
      g_autofree char *limit = plan->limit ? sb_size_format (plan->limit, TRUE)
                                           : g_strdup (C_("limit", "none"));
      g_autofree char *warn_text = NULL;
      g_autofree char *text = NULL;

      if (plan->warn->len > 0)
        {
          g_auto(GStrv) parts = g_strsplit (warn, ",", -1);
          g_autofree char *joined = g_strjoinv ("%, ", parts);

          warn_text = g_strconcat (joined, "%", NULL);
        }

      sb_cli_fields_add (fields, _("connection"), title);
      sb_cli_fields_add (fields, _("SIM"), sim_id ? sim_id : _("the SIM it was last active with"));
      sb_cli_fields_add (fields, _("limit"), limit);
      sb_cli_fields_add (fields, _("period"), period);
      sb_cli_fields_add (fields, _("start"), start);
      sb_cli_fields_add (fields, _("time zone"), sb_plan_timezone_id (plan));
      sb_cli_fields_add (fields, _("warn at"), warn_text);
      sb_cli_fields_add (fields, _("action"), sb_action_to_string (plan->action));
      sb_cli_fields_add (fields, _("next reset"), reset);
      text = sb_cli_fields_render (fields);
      g_print ("%s", text);
    }

  if (sim_id == NULL)
    {
      g_autofree char *word = shell_word (nm_connection_get_id (connection));

      g_printerr (_("Note: “%s” has no gsm.sim-id, so its budget applies to the SIM it was last active with.\n"
                    "To bind it to one SIM: simbudget set %s sim-id ICCID\n"),
                  nm_connection_get_id (connection), word);
    }
}

/* The current time as "start now" writes it: ISO 8601 with the offset of
 * the plan's zone, whole seconds. */
static char *
start_now (GHashTable *merged)
{
  g_autoptr(GTimeZone) tz = sb_cli_timezone_new (g_hash_table_lookup (merged, SB_KEY_TIMEZONE));

  return sb_cli_format_iso8601 (g_get_real_time () / G_USEC_PER_SEC, tz);
}

int
sb_cli_set (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbCliNmClient) client = NULL;
  g_autoptr(GHashTable) changes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) merged = NULL;
  g_autoptr(SbPlan) plan = NULL;
  NMRemoteConnection *remote;
  NMConnection *connection;
  NMSettingUser *user;
  const char *name, *sim_id = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (argc < 1)
    return sb_cli_usage_error (_("set needs a CONNECTION"));
  name = argv[0];

  /* Everything is checked before anything is written. */
  for (int i = 1; i < argc; i += 2)
    {
      const char *k = key_of (argv[i]);

      if (k == NULL)
        return sb_cli_usage_error (_("unknown setting “%s” (limit, period, start, timezone, warn, action, sim-id)"),
                                   argv[i]);
      if (i + 1 >= argc)
        return sb_cli_usage_error (_("“%s” needs a value"), argv[i]);
      if (*k == '\0')
        {
          if (!valid_iccid (argv[i + 1]))
            return sb_cli_bad_value (_("sim-id: “%s” is not an ICCID (18 to 22 digits)"), argv[i + 1]);
          sim_id = argv[i + 1];
          continue;
        }
      if (!(strcmp (k, SB_KEY_START) == 0 && g_ascii_strcasecmp (argv[i + 1], "now") == 0) &&
          !sb_plan_check_value (k, argv[i + 1], &error))
        return sb_cli_bad_value ("%s", error->message);
      g_hash_table_insert (changes, (gpointer) k, argv[i + 1]);
    }

  client = sb_cli_nm_client_new (&error);
  if (client == NULL)
    return sb_cli_report_error (error, NULL);
  remote = sb_cli_nm_find_connection (client, name, &error);
  if (remote == NULL)
    return sb_cli_report_error (error, NULL);
  connection = NM_CONNECTION (remote);

  merged = sb_cli_nm_budget_data (connection);
  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (merged, g_strdup (key), g_strdup (value));
  if (g_hash_table_contains (changes, SB_KEY_START) &&
      g_ascii_strcasecmp (g_hash_table_lookup (changes, SB_KEY_START), "now") == 0)
    g_hash_table_replace (merged, g_strdup (SB_KEY_START), start_now (merged));

  /* The keys together must make a plan, or the daemon would refuse it. */
  plan = sb_plan_parse (merged, &error);
  if (plan == NULL && g_hash_table_size (changes) == 0 && sim_id == NULL)
    return sb_cli_fail (_("the budget of “%s” is not valid: %s"), name, error->message);
  if (plan == NULL)
    return sb_cli_fail (_("not saved: %s"), error->message);

  if (g_hash_table_size (changes) == 0 && sim_id == NULL)
    {
      print_plan (cli, connection, plan);
      return SB_CLI_EXIT_OK;
    }

  user = NM_SETTING_USER (nm_connection_get_setting (connection, NM_TYPE_SETTING_USER));
  if (user == NULL)
    {
      user = NM_SETTING_USER (nm_setting_user_new ());
      nm_connection_add_setting (connection, NM_SETTING (user));
    }
  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!nm_setting_user_set_data (user, key, g_hash_table_lookup (merged, key), &error))
        return sb_cli_fail (_("not saved: %s"), error->message);
    }
  if (sim_id != NULL)
    {
      NMSettingGsm *gsm = nm_connection_get_setting_gsm (connection);

      if (gsm == NULL)
        {
          gsm = NM_SETTING_GSM (nm_setting_gsm_new ());
          nm_connection_add_setting (connection, NM_SETTING (gsm));
        }
      g_object_set (gsm, NM_SETTING_GSM_SIM_ID, sim_id, NULL);
    }

  if (!sb_cli_nm_commit (remote, &error))
    {
      g_dbus_error_strip_remote_error (error);
      return sb_cli_fail (_("could not save “%s”: %s"), name, error->message);
    }

  print_plan (cli, connection, plan);
  return SB_CLI_EXIT_OK;
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
sb_cli_unset (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbCliNmClient) client = NULL;
  g_autoptr(GHashTable) data = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  NMRemoteConnection *remote;
  NMConnection *connection;
  NMSettingUser *user;
  GHashTableIter iter;
  gpointer key;
  guint n_left = 0;

  if (argc < 1)
    return sb_cli_usage_error (_("unset needs a CONNECTION"));
  if (argc > 1)
    return sb_cli_usage_error (_("unexpected argument “%s”"), argv[1]);

  client = sb_cli_nm_client_new (&error);
  if (client == NULL)
    return sb_cli_report_error (error, NULL);
  remote = sb_cli_nm_find_connection (client, argv[0], &error);
  if (remote == NULL)
    return sb_cli_report_error (error, NULL);
  connection = NM_CONNECTION (remote);

  data = sb_cli_nm_budget_data (connection);
  user = NM_SETTING_USER (nm_connection_get_setting (connection, NM_TYPE_SETTING_USER));
  g_hash_table_iter_init (&iter, data);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!nm_setting_user_set_data (user, key, NULL, &error))
        return sb_cli_fail (_("not saved: %s"), error->message);
      g_ptr_array_add (removed, key);
    }
  g_ptr_array_sort (removed, compare_keys);

  if (removed->len > 0)
    {
      /* Other programs' user data stays; an empty setting goes. */
      nm_setting_user_get_keys (user, &n_left);
      if (n_left == 0)
        nm_connection_remove_setting (connection, NM_TYPE_SETTING_USER);
      if (!sb_cli_nm_commit (remote, &error))
        {
          g_dbus_error_strip_remote_error (error);
          return sb_cli_fail (_("could not save “%s”: %s"), argv[0], error->message);
        }
    }

  if (cli->json)
    {
      g_autoptr(SbJson) json = sb_json_new (FALSE);
      g_autofree char *text = NULL;

      json_begin_connection (json, connection);
      sb_json_key (json, "removed");
      sb_json_begin_array (json);
      for (guint i = 0; i < removed->len; i++)
        sb_json_string (json, g_ptr_array_index (removed, i));
      sb_json_end_array (json);
      sb_json_end_object (json);
      text = sb_json_to_string (json);
      g_print ("%s", text);
    }
  else if (removed->len > 0)
    g_print (_("Removed the budget of “%s”.\n"), nm_connection_get_id (connection));
  else
    g_print (_("“%s” has no budget.\n"), nm_connection_get_id (connection));
  return SB_CLI_EXIT_OK;
}
