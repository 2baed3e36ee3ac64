/* simbudget status [PROFILE]: a table of all profiles, or one in detail. */
#define G_LOG_DOMAIN "sb-cli-status"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-cli.h"
#include "sb-cli-json.h"
#include "sb-cli-output.h"
#include "sb-cli-profile.h"
#include "sb-cli-util.h"
#include "sb-units.h"

/* The manager object: Version and StorageState. */
static SbSimBudget1 *
manager_proxy (SbCli *cli, GError **error)
{
  return sb_sim_budget1_proxy_new_sync (cli->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                        SB_CLI_BUS_NAME, SB_CLI_MANAGER_PATH,
                                        NULL, error);
}

static SbCliTable *
build_table (GList *profiles, gint64 now, gboolean short_iccid)
{
  const char *headers[] = {
    _("PROFILE"), _("CONNECTION"), _("TYPE"), _("OPERATOR"), _("ACTIVE"),
    _("USED"), _("LIMIT"), "%", _("STATE"), _("RESETS"), _("TOTAL"), NULL,
  };
  const gboolean right[] = {
    FALSE, FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, TRUE, FALSE, FALSE, TRUE,
  };
  SbCliTable *table = sb_cli_table_new (headers, right);

  for (GList *l = profiles; l != NULL; l = l->next)
    {
      SbSimBudget1Profile *p = l->data;
      const char *iccid = sb_sim_budget1_profile_get_iccid (p);
      const char *id = sb_sim_budget1_profile_get_connection_id (p);
      const char *op = sb_sim_budget1_profile_get_operator_name (p);
      g_autofree char *name = short_iccid ? sb_cli_shorten_iccid (iccid) : g_strdup (iccid);
      g_autofree char *used = sb_size_format (sb_sim_budget1_profile_get_used_bytes (p), TRUE);
      g_autofree char *limit = sb_cli_profile_limit (p);
      g_autofree char *percent = sb_cli_profile_percent (p);
      g_autofree char *resets = sb_cli_profile_resets (p, now, FALSE);
      g_autofree char *total = sb_size_format (sb_sim_budget1_profile_get_total_bytes (p), TRUE);
      const char *row[] = {
        name,
        id && *id ? id : "—",
        sb_sim_budget1_profile_get_sim_type (p),
        op && *op ? op : "—",
        sb_cli_yes_no (sb_sim_budget1_profile_get_active (p)),
        used, limit, percent,
        sb_cli_profile_state (p),
        resets, total,
      };

      sb_cli_table_add_row (table, row);
    }
  return table;
}

static int
print_table (SbCli *cli, GList *profiles)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint columns = sb_cli_terminal_width ();
  g_autoptr(SbCliTable) table = build_table (profiles, now, FALSE);
  g_autoptr(SbSimBudget1) manager = manager_proxy (cli, NULL);
  const char *storage = manager ? sb_sim_budget1_get_storage_state (manager) : NULL;
  g_autofree char *text = NULL;

  /* Usage that is not being saved is worth knowing before anything else. */
  if (storage != NULL && *storage != '\0' && g_strcmp0 (storage, "ok") != 0)
    g_printerr (_("simbudget: warning: the service cannot save usage: %s\n"), storage);

  if (profiles == NULL)
    {
      g_print ("%s\n", _("No SIM profile has been seen yet."));
      return SB_CLI_EXIT_OK;
    }

  /* Full ICCIDs unless they do not fit: they are what people copy. */
  if (columns > 0 && sb_cli_table_width (table) > columns)
    {
      sb_cli_table_free (table);
      table = build_table (profiles, now, TRUE);
    }
  text = sb_cli_table_render (table);
  g_print ("%s", text);

  for (GList *l = profiles; l != NULL; l = l->next)
    {
      const char *config_error = sb_sim_budget1_profile_get_config_error (l->data);

      if (config_error != NULL && *config_error != '\0')
        g_print (_("%s: budget not applied: %s\n"),
                 sb_sim_budget1_profile_get_iccid (l->data), config_error);
    }
  return SB_CLI_EXIT_OK;
}

static char *
format_detail (SbSimBudget1Profile *p)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GTimeZone) tz = sb_cli_profile_timezone (p);
  g_autoptr(SbCliFields) fields = sb_cli_fields_new ();
  const char *uuid = sb_sim_budget1_profile_get_connection_uuid (p);
  const char *id = sb_sim_budget1_profile_get_connection_id (p);
  const char *iface = sb_sim_budget1_profile_get_interface (p);
  gboolean active = sb_sim_budget1_profile_get_active (p);
  gint64 start = sb_sim_budget1_profile_get_period_start (p);
  guint64 remaining;
  g_autofree char *connection = NULL;
  g_autofree char *active_text = NULL;
  g_autofree char *limit = sb_cli_profile_limit (p);
  g_autofree char *extra = sb_cli_allowance_text (sb_sim_budget1_profile_get_extra_allowance (p));
  g_autofree char *used = sb_size_format (sb_sim_budget1_profile_get_used_bytes (p), TRUE);
  g_autofree char *percent = sb_cli_profile_percent (p);
  g_autofree char *used_text = NULL;
  g_autofree char *remaining_text = NULL;
  g_autofree char *rx = sb_size_format (sb_sim_budget1_profile_get_rx_bytes (p), TRUE);
  g_autofree char *tx = sb_size_format (sb_sim_budget1_profile_get_tx_bytes (p), TRUE);
  g_autofree char *total = sb_size_format (sb_sim_budget1_profile_get_total_bytes (p), TRUE);
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = sb_cli_profile_resets (p, now, TRUE);
  g_autofree char *thresholds = sb_cli_thresholds_text (sb_sim_budget1_profile_get_thresholds (p));

  if (id && *id && uuid && *uuid)
    connection = g_strdup_printf ("%s (%s)", id, uuid);
  else
    connection = g_strdup (id && *id ? id : uuid);
  if (active && iface && *iface)
    active_text = g_strdup_printf ("%s (%s)", sb_cli_yes_no (TRUE), iface);
  else
    active_text = g_strdup (sb_cli_yes_no (active));
  if (sb_sim_budget1_profile_get_limit (p) > 0)
    used_text = g_strdup_printf ("%s (%s)", used, percent);
  else
    used_text = g_strdup (used);
  if (sb_cli_profile_remaining (p, &remaining))
    remaining_text = sb_size_format (remaining, TRUE);
  if (start != 0)
    start_text = sb_cli_format_time (start, tz, now);
  else
    start_text = g_strdup (_("not started"));

  sb_cli_fields_add (fields, _("ICCID"), sb_sim_budget1_profile_get_iccid (p));
  sb_cli_fields_add (fields, _("EID"), sb_sim_budget1_profile_get_eid (p));
  sb_cli_fields_add (fields, _("type"), sb_sim_budget1_profile_get_sim_type (p));
  sb_cli_fields_add (fields, _("operator"), sb_sim_budget1_profile_get_operator_name (p));
  sb_cli_fields_add (fields, _("active"), active_text);
  sb_cli_fields_add (fields, _("connection"), connection);
  sb_cli_fields_add (fields, _("state"), sb_sim_budget1_profile_get_state (p));
  sb_cli_fields_add (fields, _("used"), used_text);
  sb_cli_fields_add (fields, _("received"), rx);
  sb_cli_fields_add (fields, _("sent"), tx);
  sb_cli_fields_add (fields, _("limit"), limit);
  sb_cli_fields_add (fields, _("extra allowance"), extra);
  sb_cli_fields_add (fields, _("remaining"), remaining_text);
  sb_cli_fields_add (fields, _("period"), sb_sim_budget1_profile_get_period (p));
  sb_cli_fields_add (fields, _("time zone"), sb_sim_budget1_profile_get_time_zone (p));
  sb_cli_fields_add (fields, _("period start"), start_text);
  sb_cli_fields_add (fields, _("period end"), end_text);
  sb_cli_fields_add (fields, _("warn at"), thresholds);
  sb_cli_fields_add (fields, _("action"), sb_sim_budget1_profile_get_action (p));
  sb_cli_fields_add (fields, _("enforcement"), sb_sim_budget1_profile_get_enforcement (p));
  sb_cli_fields_add (fields, _("config error"), sb_sim_budget1_profile_get_config_error (p));
  sb_cli_fields_add (fields, _("total (all time)"), total);
  return sb_cli_fields_render (fields);
}

static int
print_json (SbCli *cli, GList *profiles)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSimBudget1) manager = NULL;
  g_autoptr(SbJson) json = sb_json_new (FALSE);
  g_autofree char *text = NULL;

  manager = manager_proxy (cli, &error);
  if (manager == NULL)
    return sb_cli_report_error (error, NULL);

  sb_json_begin_object (json);
  sb_json_key (json, "version");
  sb_json_string (json, sb_sim_budget1_get_version (manager));
  sb_json_key (json, "storage_state");
  sb_json_string (json, sb_sim_budget1_get_storage_state (manager));
  sb_json_key (json, "profiles");
  sb_json_begin_array (json);
  for (GList *l = profiles; l != NULL; l = l->next)
    sb_cli_profile_to_json (l->data, json);
  sb_json_end_array (json);
  sb_json_end_object (json);

  text = sb_json_to_string (json);
  g_print ("%s", text);
  return SB_CLI_EXIT_OK;
}

int
sb_cli_status (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *query = NULL;
  gboolean options_end = FALSE;

  for (int i = 0; i < argc; i++)
    {
      if (!options_end && strcmp (argv[i], "--") == 0)
        options_end = TRUE;
      else if (!options_end && argv[i][0] == '-' && argv[i][1] != '\0')
        return sb_cli_usage_error (_("unknown option “%s”"), argv[i]);
      else if (query == NULL)
        query = argv[i];
      else
        return sb_cli_usage_error (_("unexpected argument “%s”"), argv[i]);
    }

  if (!sb_cli_connect (cli, &error))
    return sb_cli_report_error (error, NULL);

  if (query != NULL)
    {
      g_autoptr(SbSimBudget1Profile) profile = sb_cli_find_profile (cli, query, &error);
      g_autofree char *text = NULL;

      if (profile == NULL)
        return sb_cli_report_error (error, NULL);
      if (cli->json)
        {
          g_autoptr(SbJson) json = sb_json_new (FALSE);

          sb_cli_profile_to_json (profile, json);
          text = sb_json_to_string (json);
        }
      else
        {
          text = format_detail (profile);
        }
      g_print ("%s", text);
      return SB_CLI_EXIT_OK;
    }
  else
    {
      GList *profiles = sb_cli_list_profiles (cli);
      int status = cli->json ? print_json (cli, profiles) : print_table (cli, profiles);

      g_list_free_full (profiles, g_object_unref);
      return status;
    }
}
