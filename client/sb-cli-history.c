/* simbudget history PROFILE: usage per hour, day, week or month. */
#define G_LOG_DOMAIN "sb-cli-history"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-cli.h"
#include "sb-cli-json.h"
#include "sb-cli-output.h"
#include "sb-cli-profile.h"
#include "sb-cli-util.h"
#include "sb-error.h"
#include "sb-history.h"
#include "sb-units.h"

#define DEFAULT_WIDTH 80
#define MIN_BAR_CELLS 10

typedef enum {
  FORMAT_CHART,
  FORMAT_CSV,
  FORMAT_JSON,
} Format;

typedef struct {
  gint64  start;
  guint64 rx;
  guint64 tx;
} Row;

/* GDBus hands the reply over as a tree of values, one per row and field:
 * reading the fields directly is several times cheaper than an iterator
 * with a format string or a flat copy, which would serialise the tree
 * first (a year by hour is 8,760 rows). */
static GArray *
rows_from_variant (GVariant *reply)
{
  g_autoptr(GVariant) array = g_variant_get_child_value (reply, 0);
  gsize n = g_variant_n_children (array);
  GArray *rows = g_array_sized_new (FALSE, FALSE, sizeof (Row), (guint) n);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) tuple = g_variant_get_child_value (array, i);
      g_autoptr(GVariant) start = g_variant_get_child_value (tuple, 0);
      g_autoptr(GVariant) rx = g_variant_get_child_value (tuple, 1);
      g_autoptr(GVariant) tx = g_variant_get_child_value (tuple, 2);
      Row row = {
        .start = g_variant_get_int64 (start),
        .rx = g_variant_get_uint64 (rx),
        .tx = g_variant_get_uint64 (tx),
      };

      g_array_append_val (rows, row);
    }
  return rows;
}

/* The g_date_time_format() format of a row's label. */
static const char *
label_format (SbGranularity granularity, gboolean with_year)
{
  switch (granularity)
    {
    case SB_GRANULARITY_HOUR:
      /* Translators: an hour's row in `simbudget history`, see
       * g_date_time_format() */
      /* xgettext:no-c-format */
      return with_year ? _("%Y %b %-d %H:%M") : _("%a %b %-d %H:%M");
    case SB_GRANULARITY_DAY:
      /* xgettext:no-c-format */
      return with_year ? _("%a %Y %b %-d") : _("%a %b %-d");
    case SB_GRANULARITY_WEEK:
      /* Translators: a week's row, named by its Monday */
      /* xgettext:no-c-format */
      return with_year ? _("week of %Y %b %-d") : _("week of %b %-d");
    case SB_GRANULARITY_MONTH:
    default:
      /* xgettext:no-c-format */
      return _("%B %Y");
    }
}

static char *
format_label (GTimeZone *tz, gint64 start, const char *format)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, format);
}

static const char *
per_granularity (SbGranularity granularity)
{
  switch (granularity)
    {
    case SB_GRANULARITY_HOUR:
      return _("per hour");
    case SB_GRANULARITY_DAY:
      return _("per day");
    case SB_GRANULARITY_WEEK:
      return _("per week");
    case SB_GRANULARITY_MONTH:
    default:
      return _("per month");
    }
}

static int
local_year (GTimeZone *tz, gint64 t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_get_year (local);
}

static gboolean
rows_span_years (GArray *rows, GTimeZone *tz, gint64 now)
{
  gint64 first = G_MAXINT64, last = G_MININT64;
  int year;

  if (rows->len == 0)
    return FALSE;

  /* Years only grow with time: the earliest and the latest row tell. */
  for (guint i = 0; i < rows->len; i++)
    {
      first = MIN (first, g_array_index (rows, Row, i).start);
      last = MAX (last, g_array_index (rows, Row, i).start);
    }
  year = local_year (tz, now);
  return local_year (tz, first) != year || local_year (tz, last) != year;
}

static void
print_chart (SbSimBudget1Profile *profile, SbGranularity granularity,
             GTimeZone *tz, GArray *rows)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *format = label_format (granularity, rows_span_years (rows, tz, now));
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sizes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *title = sb_cli_profile_title (profile);
  g_autofree char *total_text = NULL;
  g_autofree char *rx_text = NULL;
  g_autofree char *tx_text = NULL;
  guint label_width = 0, size_width = 0, columns, cells;
  guint64 max = 0, total_rx = 0, total_tx = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      guint64 total = sb_cli_add_saturating (row->rx, row->tx);
      char *label = format_label (tz, row->start, format);
      char *size = sb_size_format (total, TRUE);

      label_width = MAX (label_width, sb_cli_text_width (label));
      size_width = MAX (size_width, sb_cli_text_width (size));
      g_ptr_array_add (labels, label);
      g_ptr_array_add (sizes, size);
      max = MAX (max, total);
      total_rx = sb_cli_add_saturating (total_rx, row->rx);
      total_tx = sb_cli_add_saturating (total_tx, row->tx);
    }

  columns = sb_cli_terminal_width ();
  if (columns == 0)
    columns = DEFAULT_WIDTH;
  cells = columns > label_width + size_width + 4 + MIN_BAR_CELLS
    ? columns - label_width - size_width - 4 : MIN_BAR_CELLS;

  /* Translators: "PROFILE, per day, ZONE" above the chart */
  g_string_append_printf (out, _("%s, %s, %s\n"), title, per_granularity (granularity),
                          g_time_zone_get_identifier (tz));
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      g_autofree char *bar = sb_cli_bar (sb_cli_add_saturating (row->rx, row->tx), max, cells);

      sb_cli_append_padded (out, g_ptr_array_index (labels, i), label_width, FALSE);
      g_string_append (out, "  ");
      g_string_append (out, bar);
      g_string_append (out, "  ");
      sb_cli_append_padded (out, g_ptr_array_index (sizes, i), size_width, TRUE);
      g_string_append_c (out, '\n');
    }

  total_text = sb_size_format (sb_cli_add_saturating (total_rx, total_tx), TRUE);
  rx_text = sb_size_format (total_rx, TRUE);
  tx_text = sb_size_format (total_tx, TRUE);
  g_string_append_printf (out, _("Total: %s (received %s, sent %s)\n"),
                          total_text, rx_text, tx_text);
  sb_cli_print (out->str);
}

static void
print_csv (GTimeZone *tz, GArray *rows)
{
  g_autoptr(GString) out = g_string_new ("start,start_iso,rx_bytes,tx_bytes,total_bytes\n");

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      g_autofree char *iso = sb_cli_format_iso8601 (row->start, tz);

      g_string_append_printf (out, "%" G_GINT64_FORMAT ",%s,%" G_GUINT64_FORMAT ",%"
                              G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
                              row->start, iso ? iso : "", row->rx, row->tx,
                              sb_cli_add_saturating (row->rx, row->tx));
    }
  sb_cli_print (out->str);
}

static void
print_json (SbSimBudget1Profile *profile, SbGranularity granularity,
            GTimeZone *tz, gint64 from, gint64 to, GArray *rows)
{
  g_autoptr(SbJson) json = sb_json_new (FALSE);
  g_autofree char *text = NULL;
  guint64 total = 0;

  sb_json_begin_object (json);
  sb_json_key (json, "iccid");
  sb_json_string (json, sb_sim_budget1_profile_get_iccid (profile));
  sb_json_key (json, "granularity");
  sb_json_string (json, sb_granularity_to_string (granularity));
  sb_json_key (json, "time_zone");
  sb_json_string (json, sb_sim_budget1_profile_get_time_zone (profile));
  sb_cli_json_time (json, "from", from, tz);
  sb_cli_json_time (json, "to", to, tz);
  sb_json_key (json, "rows");
  sb_json_begin_array (json);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      guint64 sum = sb_cli_add_saturating (row->rx, row->tx);

      sb_json_begin_object (json);
      sb_cli_json_time (json, "start", row->start, tz);
      sb_json_key (json, "rx_bytes");
      sb_json_uint (json, row->rx);
      sb_json_key (json, "tx_bytes");
      sb_json_uint (json, row->tx);
      sb_json_key (json, "total_bytes");
      sb_json_uint (json, sum);
      sb_json_end_object (json);
      total = sb_cli_add_saturating (total, sum);
    }
  sb_json_end_array (json);
  sb_json_key (json, "total_bytes");
  sb_json_uint (json, total);
  sb_json_end_object (json);

  text = sb_json_to_string (json);
  sb_cli_print (text);
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past it. */
static gboolean
take_value (int argc, char **argv, int *i, const char *name,
            const char **out_value, gboolean *out_missing)
{
  size_t len = strlen (name);
  const char *arg = argv[*i];

  if (strncmp (arg, name, len) != 0)
    return FALSE;
  if (arg[len] == '=')
    {
      *out_value = arg + len + 1;
      return TRUE;
    }
  if (arg[len] != '\0')
    return FALSE;
  if (*i + 1 >= argc)
    {
      *out_missing = TRUE;
      return TRUE;
    }
  *out_value = argv[++(*i)];
  return TRUE;
}

int
sb_cli_history (SbCli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSimBudget1Profile) profile = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GArray) rows = NULL;
  const char *query = NULL, *by = "day", *since = NULL, *until = NULL;
  gboolean csv = FALSE, options_end = FALSE;
  SbGranularity granularity;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 from, to;

  for (int i = 0; i < argc; i++)
    {
      gboolean missing = FALSE;

      if (!options_end && strcmp (argv[i], "--") == 0)
        options_end = TRUE;
      else if (!options_end && strcmp (argv[i], "--csv") == 0)
        csv = TRUE;
      else if (!options_end && (take_value (argc, argv, &i, "--by", &by, &missing) ||
                                take_value (argc, argv, &i, "--since", &since, &missing) ||
                                take_value (argc, argv, &i, "--until", &until, &missing)))
        {
          if (missing)
            return sb_cli_usage_error (_("option “%s” needs a value"), argv[i]);
        }
      else if (!options_end && argv[i][0] == '-' && argv[i][1] != '\0')
        return sb_cli_usage_error (_("unknown option “%s”"), argv[i]);
      else if (query == NULL)
        query = argv[i];
      else
        return sb_cli_usage_error (_("unexpected argument “%s”"), argv[i]);
    }

  if (query == NULL)
    return sb_cli_usage_error (_("history needs a PROFILE"));
  if (csv && cli->json)
    return sb_cli_usage_error (_("--csv and --json cannot be used together"));
  if (!sb_granularity_from_string (by, &granularity, &error))
    return sb_cli_bad_value ("%s", error->message);

  /* Without sb_cli_connect(): history follows no changes, so one
   * GetManagedObjects call finds the profile (see sb-cli-bus.c). */
  profile = sb_cli_find_profile (cli, query, &error);
  if (profile == NULL)
    return sb_cli_report_error (error, NULL);

  /* Dates are read in the profile's zone, where its buckets are cut. */
  tz = sb_cli_profile_timezone (profile);
  to = now;
  if (until != NULL && !sb_cli_parse_date (until, tz, now, TRUE, &to, &error))
    return sb_cli_bad_value ("--until: %s", error->message);
  if (since != NULL)
    {
      if (!sb_cli_parse_date (since, tz, now, FALSE, &from, &error))
        return sb_cli_bad_value ("--since: %s", error->message);
    }
  else
    {
      from = sb_cli_history_default_from (granularity, tz, to);
    }

  reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (profile), "GetHistory",
                                  g_variant_new ("(sxx)", sb_granularity_to_string (granularity),
                                                 from, to),
                                  G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  if (reply == NULL)
    return sb_cli_report_error (error, query);
  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a(xtt))")))
    return sb_cli_fail (_("the service answered GetHistory with “%s”"),
                        g_variant_get_type_string (reply));
  rows = rows_from_variant (reply);

  if (csv)
    print_csv (tz, rows);
  else if (cli->json)
    print_json (profile, granularity, tz, from, to, rows);
  else
    print_chart (profile, granularity, tz, rows);
  return SB_CLI_EXIT_OK;
}
