/* Unit tests of the client's pure helpers: naming profiles, dates, bars,
 * text widths, phrasing times, JSON, tables. */
#include <glib.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "sb-cli-json.h"
#include "sb-cli-output.h"
#include "sb-cli-util.h"
#include "sb-error.h"

/* 2024-03-15 12:34:56 UTC = 21:34:56 in Tokyo, a Friday. */
#define NOW G_GINT64_CONSTANT (1710506096)

static gint64
tokyo (int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Tokyo");
  g_autoptr(GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt);
}

static void
test_match_profile (void)
{
  static const SbCliProfileKey keys[] = {
    { "8981100022152233440", "Travel" },
    { "8944500102198304826", "Home" },
    { "8981100022152299440", NULL },
    { "898110002215229944F", "4826" },
  };
  static const struct {
    const char *query;
    int         expected;
    guint       n_candidates;
  } cases[] = {
    { "8981100022152233440", 0, 0 },   /* exact */
    { "8944500102198304826", 1, 0 },
    { "233440", 0, 0 },                /* unique ending */
    { "3440", 0, 0 },
    { "99440", 2, 0 },
    { "9944f", 3, 0 },                 /* case does not matter in ICCIDs */
    { "Travel", 0, 0 },                /* connection id */
    { "travel", -1, 0 },               /* ids are case-sensitive, as in nmcli */
    { "4826", 3, 0 },                  /* an id wins over an ending */
    { "440", -1, 2 },                  /* ambiguous ending */
    { "0", -1, 2 },
    { "2215", -1, 0 },                 /* a middle part is not an ending */
    { "", -1, 0 },
    { "89811000221522334400", -1, 0 }, /* longer than any */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GArray) candidates = NULL;
      int index = sb_cli_match_profile (keys, G_N_ELEMENTS (keys), cases[i].query, &candidates);

      g_test_message ("query “%s”", cases[i].query);
      g_assert_cmpint (index, ==, cases[i].expected);
      if (cases[i].n_candidates == 0)
        g_assert_null (candidates);
      else
        g_assert_cmpuint (candidates->len, ==, cases[i].n_candidates);
    }

  /* Candidates name the matching profiles. */
  {
    g_autoptr(GArray) candidates = NULL;

    g_assert_cmpint (sb_cli_match_profile (keys, G_N_ELEMENTS (keys), "440", &candidates), ==, -1);
    g_assert_cmpuint (g_array_index (candidates, guint, 0), ==, 0);
    g_assert_cmpuint (g_array_index (candidates, guint, 1), ==, 2);
  }
  g_assert_cmpint (sb_cli_match_profile (keys, 0, "440", NULL), ==, -1);
}

static void
test_parse_date (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Tokyo");
  const struct {
    const char *text;
    gboolean    end;
    gint64      expected;  /* 0: refused */
  } cases[] = {
    { "2024-03-10", FALSE, tokyo (2024, 3, 10, 0, 0, 0) },
    { "2024-03-10", TRUE, tokyo (2024, 3, 11, 0, 0, 0) },   /* the whole day */
    { "2024-02-29", TRUE, tokyo (2024, 3, 1, 0, 0, 0) },
    { "2023-12-31", TRUE, tokyo (2024, 1, 1, 0, 0, 0) },
    { " 2024-03-10 ", FALSE, tokyo (2024, 3, 10, 0, 0, 0) },
    { "today", FALSE, tokyo (2024, 3, 15, 0, 0, 0) },
    { "Today", TRUE, tokyo (2024, 3, 16, 0, 0, 0) },
    { "yesterday", FALSE, tokyo (2024, 3, 14, 0, 0, 0) },
    { "yesterday", TRUE, tokyo (2024, 3, 15, 0, 0, 0) },
    { "now", TRUE, NOW },
    { "2024-03-10T08:30:00", FALSE, tokyo (2024, 3, 10, 8, 30, 0) },
    { "2024-03-10T08:30:00", TRUE, tokyo (2024, 3, 10, 8, 30, 0) }, /* exact */
    { "2024-03-10 08:30", FALSE, tokyo (2024, 3, 10, 8, 30, 0) },
    { "2024-03-10T08:30:00Z", FALSE, tokyo (2024, 3, 10, 17, 30, 0) },
    { "2024-03-10T08:30:00+02:00", FALSE, tokyo (2024, 3, 10, 15, 30, 0) },
    { "2024-02-30", FALSE, 0 },
    { "2024-3-10", FALSE, 0 },
    { "20240310", FALSE, 0 },
    { "tomorrow", FALSE, 0 },
    { "2024-03-10T25:00:00", FALSE, 0 },
    { "2024-03-10Tfoo", FALSE, 0 },
    { "", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t = -1;
      gboolean ok = sb_cli_parse_date (cases[i].text, tz, NOW, cases[i].end, &t, &error);

      g_test_message ("date “%s”", cases[i].text);
      if (cases[i].expected == 0)
        {
          g_assert_false (ok);
          g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
          g_assert_nonnull (strstr (error->message, "is not a date"));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (t, ==, cases[i].expected);
        }
    }
}

static void
test_default_range (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Tokyo");
  g_autoptr(GTimeZone) london = g_time_zone_new_identifier ("Europe/London");
  const struct {
    SbGranularity  granularity;
    GTimeZone     *tz;
    gint64         to;
    gint64         expected;
  } cases[] = {
    /* 30 days including today */
    { SB_GRANULARITY_DAY, tz, NOW, tokyo (2024, 2, 15, 0, 0, 0) },
    /* 24 hours including this one */
    { SB_GRANULARITY_HOUR, tz, NOW, tokyo (2024, 3, 14, 22, 0, 0) },
    /* 12 weeks from Monday */
    { SB_GRANULARITY_WEEK, tz, NOW, tokyo (2023, 12, 25, 0, 0, 0) },
    /* 12 months */
    { SB_GRANULARITY_MONTH, tz, NOW, tokyo (2023, 4, 1, 0, 0, 0) },
    /* the end is exclusive: a range ending at midnight covers the day before */
    { SB_GRANULARITY_DAY, tz, tokyo (2024, 3, 15, 0, 0, 0), tokyo (2024, 2, 14, 0, 0, 0) },
    /* 30 days across the spring-forward night in London: 2024-04-01 12:00
     * BST back to 2024-03-03 00:00 GMT, one 23-hour day included */
    { SB_GRANULARITY_DAY, london, 1711969200, 1709424000 },
    /* hours stay 3600 s across it: 2024-03-31 02:00 BST, 24 buckets back */
    { SB_GRANULARITY_HOUR, london, 1711846800, 1711846800 - 24 * 3600 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpint (sb_cli_history_default_from (cases[i].granularity, cases[i].tz, cases[i].to),
                       ==, cases[i].expected);
    }
  g_assert_cmpuint (sb_cli_history_default_count (SB_GRANULARITY_HOUR), ==, 24);
  g_assert_cmpuint (sb_cli_history_default_count (SB_GRANULARITY_DAY), ==, 30);
  g_assert_cmpuint (sb_cli_history_default_count (SB_GRANULARITY_WEEK), ==, 12);
  g_assert_cmpuint (sb_cli_history_default_count (SB_GRANULARITY_MONTH), ==, 12);
}

static void
test_bar (void)
{
  static const struct {
    guint64     value;
    guint64     max;
    guint       cells;
    const char *expected;
  } cases[] = {
    { 10, 10, 4, "████" },
    { 5, 10, 4, "██  " },
    { 0, 10, 4, "    " },
    { 1, 1000000, 4, "▏   " },     /* something shows something */
    { 1, 8, 1, "▏" },
    { 3, 8, 1, "▍" },
    { 7, 8, 1, "▉" },
    { 9, 16, 2, "█▏" },
    { 15, 16, 2, "█▉" },           /* 15 of 16 eighths */
    { 13, 16, 2, "█▋" },
    { 10, 0, 3, "   " },
    { G_MAXUINT64, G_MAXUINT64, 3, "███" },
    { G_MAXUINT64 / 2, G_MAXUINT64, 2, "█ " },
    { 5, 10, 0, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bar = sb_cli_bar (cases[i].value, cases[i].max, cases[i].cells);

      g_test_message ("case %u", i);
      g_assert_cmpstr (bar, ==, cases[i].expected);
      g_assert_cmpuint (sb_cli_text_width (bar), ==, cases[i].cells);
    }
}

static void
test_text_width (void)
{
  static const struct {
    const char *text;
    guint       width;
  } cases[] = {
    { "", 0 },
    { "PROFILE", 7 },
    { "—", 1 },
    { "…52233440", 9 },
    { "使用量", 6 },
    { "e\xcc\x81t\xc3\xa9", 3 },  /* combining acute, precomposed é */
    { "流量 5 GB", 9 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (sb_cli_text_width (cases[i].text), ==, cases[i].width);
}

static void
test_shorten_iccid (void)
{
  g_autofree char *a = sb_cli_shorten_iccid ("8981100022152233440");
  g_autofree char *b = sb_cli_shorten_iccid ("123456789");
  g_autofree char *c = sb_cli_shorten_iccid ("1234567890");

  g_assert_cmpstr (a, ==, "…52233440");
  g_assert_cmpstr (b, ==, "123456789");
  g_assert_cmpstr (c, ==, "…34567890");
}

static void
test_relative (void)
{
  static const struct {
    gint64      delta;
    const char *expected;
  } cases[] = {
    { 0, "in less than a minute" },
    { 59, "in less than a minute" },
    { 60, "in 1 minute" },
    { 45 * 60, "in 45 minutes" },
    { 3600, "in 1 hour" },
    { 47 * 3600 + 3599, "in 47 hours" },
    { 48 * 3600, "in 2 days" },
    { 3 * 86400 + 600, "in 3 days" },
    { -30, "less than a minute ago" },
    { -2 * 3600, "2 hours ago" },
    { -86400 * 10, "10 days ago" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sb_cli_format_relative (NOW + cases[i].delta, NOW);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_format_time (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Tokyo");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *same_year = sb_cli_format_time (tokyo (2024, 12, 1, 0, 0, 0), tz, NOW);
  g_autofree char *next_year = sb_cli_format_time (tokyo (2025, 1, 3, 9, 5, 0), tz, NOW);
  g_autofree char *iso = sb_cli_format_iso8601 (tokyo (2024, 12, 1, 0, 0, 0), tz);
  g_autofree char *iso_utc = sb_cli_format_iso8601 (NOW, utc);

  g_assert_cmpstr (same_year, ==, "Dec 1 00:00 JST");
  g_assert_cmpstr (next_year, ==, "Jan 3 2025 09:05 JST");
  g_assert_cmpstr (iso, ==, "2024-12-01T00:00:00+09:00");
  g_assert_cmpstr (iso_utc, ==, "2024-03-15T12:34:56+00:00");
}

static void
test_timezone (void)
{
  g_autoptr(GTimeZone) tokyo_tz = sb_cli_timezone_new ("Asia/Tokyo");
  g_autoptr(GTimeZone) bogus = sb_cli_timezone_new ("Mars/Olympus");
  g_autoptr(GTimeZone) empty = sb_cli_timezone_new ("");
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();

  g_assert_cmpstr (g_time_zone_get_identifier (tokyo_tz), ==, "Asia/Tokyo");
  /* TZ=UTC in the tests: the fallback is the local zone */
  g_assert_cmpstr (g_time_zone_get_identifier (bogus), ==, g_time_zone_get_identifier (local));
  g_assert_cmpstr (g_time_zone_get_identifier (empty), ==, g_time_zone_get_identifier (local));
}

static void
test_snake_case (void)
{
  static const char *const cases[][2] = {
    { "UsedBytes", "used_bytes" },
    { "Iccid", "iccid" },
    { "TimeZone", "time_zone" },
    { "ConnectionUuid", "connection_uuid" },
    { "SimType", "sim_type" },
    { "PeriodEnd", "period_end" },
    { "EID", "eid" },
    { "IPAddress", "ip_address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *snake = sb_cli_snake_case (cases[i][0]);

      g_assert_cmpstr (snake, ==, cases[i][1]);
    }
}

static void
test_add_saturating (void)
{
  g_assert_cmpuint (sb_cli_add_saturating (1, 2), ==, 3);
  g_assert_cmpuint (sb_cli_add_saturating (G_MAXUINT64, 1), ==, G_MAXUINT64);
  g_assert_cmpuint (sb_cli_add_saturating (G_MAXUINT64 - 1, 1), ==, G_MAXUINT64);
  g_assert_cmpuint (sb_cli_add_saturating (G_MAXUINT64 / 2 + 1, G_MAXUINT64 / 2 + 1), ==, G_MAXUINT64);
}

static void
write_document (SbJson *json)
{
  sb_json_begin_object (json);
  sb_json_key (json, "name");
  sb_json_string (json, "a \"quoted\"\\\n\x01 名");
  sb_json_key (json, "big");
  sb_json_uint (json, G_MAXUINT64);
  sb_json_key (json, "negative");
  sb_json_int (json, -5);
  sb_json_key (json, "list");
  sb_json_begin_array (json);
  sb_json_uint (json, 80);
  sb_json_bool (json, TRUE);
  sb_json_null (json);
  sb_json_string (json, NULL);
  sb_json_begin_object (json);
  sb_json_end_object (json);
  sb_json_end_array (json);
  sb_json_key (json, "empty");
  sb_json_begin_array (json);
  sb_json_end_array (json);
  sb_json_end_object (json);
}

static void
test_json (void)
{
  g_autoptr(SbJson) compact = sb_json_new (TRUE);
  g_autoptr(SbJson) pretty = sb_json_new (FALSE);
  g_autofree char *compact_text = NULL;
  g_autofree char *pretty_text = NULL;

  write_document (compact);
  write_document (pretty);
  compact_text = sb_json_to_string (compact);
  pretty_text = sb_json_to_string (pretty);

  g_assert_cmpstr (compact_text, ==,
                   "{\"name\":\"a \\\"quoted\\\"\\\\\\n\\u0001 名\",\"big\":18446744073709551615,"
                   "\"negative\":-5,\"list\":[80,true,null,null,{}],\"empty\":[]}\n");
  g_assert_cmpstr (pretty_text, ==,
                   "{\n"
                   "  \"name\": \"a \\\"quoted\\\"\\\\\\n\\u0001 名\",\n"
                   "  \"big\": 18446744073709551615,\n"
                   "  \"negative\": -5,\n"
                   "  \"list\": [\n"
                   "    80,\n"
                   "    true,\n"
                   "    null,\n"
                   "    null,\n"
                   "    {}\n"
                   "  ],\n"
                   "  \"empty\": []\n"
                   "}\n");
}

static void
test_table (void)
{
  const char *headers[] = { "NAME", "SIZE", "NOTE", NULL };
  const gboolean right[] = { FALSE, TRUE, FALSE };
  const char *row1[] = { "Travel", "1.23 GB", "ok" };
  const char *row2[] = { "流量", "5 MB", "" };
  g_autoptr(SbCliTable) table = sb_cli_table_new (headers, right);
  g_autofree char *text = NULL;

  sb_cli_table_add_row (table, row1);
  sb_cli_table_add_row (table, row2);
  text = sb_cli_table_render (table);
  g_assert_cmpstr (text, ==,
                   "NAME       SIZE  NOTE\n"
                   "Travel  1.23 GB  ok\n"
                   "流量       5 MB\n");
  g_assert_cmpuint (sb_cli_table_width (table), ==, 21);
}

static void
test_fields (void)
{
  g_autoptr(SbCliFields) fields = sb_cli_fields_new ();
  g_autofree char *text = NULL;

  sb_cli_fields_add (fields, "ICCID", "8981");
  sb_cli_fields_add (fields, "time zone", "Asia/Tokyo");
  sb_cli_fields_add (fields, "config error", "");
  sb_cli_fields_add (fields, "EID", NULL);
  text = sb_cli_fields_render (fields);
  g_assert_cmpstr (text, ==,
                   "ICCID:        8981\n"
                   "time zone:    Asia/Tokyo\n"
                   "config error: —\n"
                   "EID:          —\n");
}

static void
test_terminal_width (void)
{
  g_setenv ("COLUMNS", "123", TRUE);
  g_assert_cmpuint (sb_cli_terminal_width (), ==, 123);
  /* garbage is ignored: not a terminal under the test runner */
  g_setenv ("COLUMNS", "wide", TRUE);
  if (!isatty (STDOUT_FILENO))
    g_assert_cmpuint (sb_cli_terminal_width (), ==, 0);
  g_setenv ("COLUMNS", "0", TRUE);
  if (!isatty (STDOUT_FILENO))
    g_assert_cmpuint (sb_cli_terminal_width (), ==, 0);
  g_unsetenv ("COLUMNS");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/match-profile", test_match_profile);
  g_test_add_func ("/cli/parse-date", test_parse_date);
  g_test_add_func ("/cli/default-range", test_default_range);
  g_test_add_func ("/cli/bar", test_bar);
  g_test_add_func ("/cli/text-width", test_text_width);
  g_test_add_func ("/cli/shorten-iccid", test_shorten_iccid);
  g_test_add_func ("/cli/relative", test_relative);
  g_test_add_func ("/cli/format-time", test_format_time);
  g_test_add_func ("/cli/timezone", test_timezone);
  g_test_add_func ("/cli/snake-case", test_snake_case);
  g_test_add_func ("/cli/add-saturating", test_add_saturating);
  g_test_add_func ("/cli/json", test_json);
  g_test_add_func ("/cli/table", test_table);
  g_test_add_func ("/cli/fields", test_fields);
  g_test_add_func ("/cli/terminal-width", test_terminal_width);
  return g_test_run ();
}
