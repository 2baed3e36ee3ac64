/* simbudget override PROFILE [SIZE|unlimited], simbudget set-used PROFILE SIZE */
#define G_LOG_DOMAIN "sb-cli-override"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-cli.h"
#include "sb-cli-agent.h"
#include "sb-cli-json.h"
#include "sb-cli-profile.h"
#include "sb-units.h"

/* PROFILE and a value; @default_value (nullable) when the value is left out. */
static int
parse_two (int argc, char **argv, const char *verb, const char *default_value,
           const char **out_profile, const char **out_value)
{
  gboolean options_end = FALSE;

  *out_profile = NULL;
  *out_value = NULL;
  for (int i = 0; i < argc; i++)
    {
      if (!options_end && strcmp (argv[i], "--") == 0)
        options_end = TRUE;
      else if (!options_end && argv[i][0] == '-' && argv[i][1] != '\0')
        return sb_cli_usage_error (_("unknown option “%s”"), argv[i]);
      else if (*out_profile == NULL)
        *out_profile = argv[i];
      else if (*out_value == NULL)
        *out_value = argv[i];
      else
        return sb_cli_usage_error (_("unexpected argument “%s”"), argv[i]);
    }
  if (*out_value == NULL && *out_profile != NULL)
    *out_value = default_value;
  if (*out_value == NULL)
    return sb_cli_usage_error (_("%s needs a PROFILE and a SIZE"), verb);
  return SB_CLI_EXIT_OK;
}

/* Calls @method on the profile @query names; the profile as it is
 * afterwards goes to @out_profile. */
static int
call_method (SbCli *cli, const char *query, const char *method,
             GVariant *parameters, SbSimBudget1Profile **out_profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSimBudget1Profile) profile = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (parameters);

  if (!sb_cli_connect (cli, &error))
    return sb_cli_report_error (error, NULL);
  profile = sb_cli_find_profile (cli, query, &error);
  if (profile == NULL)
    return sb_cli_report_error (error, NULL);

  reply = sb_cli_call_interactive (G_DBUS_PROXY (profile), method, owned, &error);
  if (reply == NULL)
    return sb_cli_report_error (error, query);

  if (!sb_cli_refresh_profile (profile, &error))
    g_debug ("Could not read the profile back: %s", error->message);
  *out_profile = g_steal_pointer (&profile);
  return SB_CLI_EXIT_OK;
}

/* @done: what was done, for people; --json shows the profile instead. */
static void
show_result (SbCli *cli, SbSimBudget1Profile *profile, const char *done)
{
  if (cli->json)
    {
      g_autoptr(SbJson) json = sb_json_new (FALSE);
      g_autofree char *text = NULL;

      sb_cli_profile_to_json (profile, json);
      text = sb_json_to_string (json);
      g_print ("%s", text);
    }
  else
    {
      g_autofree char *used = sb_size_format (sb_sim_budget1_profile_get_used_bytes (profile), TRUE);
      g_autofree char *extra = sb_cli_allowance_text (sb_sim_budget1_profile_get_extra_allowance (profile));

      g_print ("%s\n", done);
      g_print (_("Used this period: %s; extra allowance: %s; state: %s\n"),
               used, extra, sb_cli_profile_state (profile));
    }
}

int
sb_cli_override (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSimBudget1Profile) profile = NULL;
  g_autofree char *title = NULL;
  g_autofree char *done = NULL;
  const char *query, *value;
  gboolean unlimited;
  guint64 bytes = 0;
  int status;

  /* The same step as the notification's "Allow 500 MB more". */
  status = parse_two (argc, argv, "override", "500MB", &query, &value);
  if (status != SB_CLI_EXIT_OK)
    return status;

  /* Override(0) means no cut-off until the period ends. */
  unlimited = g_ascii_strcasecmp (value, "unlimited") == 0;
  if (!unlimited)
    {
      if (!sb_size_parse (value, &bytes, &error))
        return sb_cli_bad_value ("%s", error->message);
      if (bytes == 0)
        return sb_cli_bad_value (_("“%s” adds nothing; give a size, or “unlimited” for no cut-off until the period ends"),
                                   value);
    }

  status = call_method (cli, query, "Override", g_variant_new ("(t)", bytes), &profile);
  if (status != SB_CLI_EXIT_OK)
    return status;

  title = sb_cli_profile_title (profile);
  if (unlimited)
    {
      done = g_strdup_printf (_("No cut-off for %s until the period ends."), title);
    }
  else
    {
      g_autofree char *size = sb_size_format (bytes, TRUE);

      /* Translators: "Allowed 500 MB more for PROFILE." */
      done = g_strdup_printf (_("Allowed %s more for %s."), size, title);
    }
  show_result (cli, profile, done);
  return SB_CLI_EXIT_OK;
}

int
sb_cli_set_used (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSimBudget1Profile) profile = NULL;
  g_autofree char *title = NULL;
  g_autofree char *size = NULL;
  g_autofree char *done = NULL;
  const char *query, *value;
  guint64 bytes = 0;
  int status;

  status = parse_two (argc, argv, "set-used", NULL, &query, &value);
  if (status != SB_CLI_EXIT_OK)
    return status;
  if (!sb_size_parse (value, &bytes, &error))
    return sb_cli_bad_value ("%s", error->message);

  status = call_method (cli, query, "SetUsed", g_variant_new ("(t)", bytes), &profile);
  if (status != SB_CLI_EXIT_OK)
    return status;

  title = sb_cli_profile_title (profile);
  size = sb_size_format (bytes, TRUE);
  /* Translators: "Recorded 1.2 GB as used this period by PROFILE." */
  done = g_strdup_printf (_("Recorded %s as used this period by %s."), size, title);
  show_result (cli, profile, done);
  return SB_CLI_EXIT_OK;
}
