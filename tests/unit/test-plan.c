/* Plans: parsing every key, normalisation, and period windows in the plan's
 * zone across month ends, leap years and DST changes. Runs with TZ=UTC. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sb-error.h"
#include "sb-plan.h"

/* A moment written with its UTC offset; the expectations below never go
 * through the code under test to become Unix times. */
static gint64
at (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;

  g_assert_true (strchr (iso + 10, 'Z') != NULL || strchr (iso + 10, '+') != NULL ||
                 strchr (iso + 10, '-') != NULL);
  dt = g_date_time_new_from_iso8601 (iso, NULL);
  if (dt == NULL)
    g_error ("bad time in test table: %s", iso);
  return g_date_time_to_unix (dt);
}

static gint64
at_or_zero (const char *iso)
{
  return iso != NULL ? at (iso) : 0;
}

/* key, value, …, NULL */
static GHashTable *
user_data_new (const char *first_key, ...)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *key;
  va_list ap;

  va_start (ap, first_key);
  for (key = first_key; key != NULL; key = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);

      if (value != NULL)
        g_hash_table_insert (table, g_strdup (key), g_strdup (value));
    }
  va_end (ap);
  return table;
}

static SbPlan *
plan_parse_ok (GHashTable *user_data)
{
  g_autoptr(GError) error = NULL;
  SbPlan *plan = sb_plan_parse (user_data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  return plan;
}

static SbPlan *
plan_new (const char *period, const char *timezone, const char *start)
{
  g_autoptr(GHashTable) ud = user_data_new (SB_KEY_PERIOD, period,
                                            SB_KEY_TIMEZONE, timezone,
                                            SB_KEY_START, start, NULL);

  return plan_parse_ok (ud);
}

static void
set_tz (const char *tz)
{
  if (tz != NULL)
    g_setenv ("TZ", tz, TRUE);
  else
    g_unsetenv ("TZ");
  tzset ();
}

/* @check of a case, with the system in UTC and, when the plan has a zone
 * of its own, in UTC+14 and UTC−8 too: such a plan ignores the system's. */
static void
check_in_system_zones (GTestDataFunc  check,
                       gconstpointer  data,
                       const char    *plan_zone)
{
  static const char *const zones[] = { "Pacific/Kiritimati", "America/Los_Angeles" };

  check (data);
  if (plan_zone == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      set_tz (zones[i]);
      check (data);
    }
  set_tz ("UTC");
}

/* ---- Windows ---- */

typedef struct {
  const char *name;
  const char *period;
  const char *timezone;   /* NULL: the system's (UTC here) */
  const char *start;      /* NULL: first-use */
  const char *first_use;  /* NULL: none yet */
  const char *now;
  const char *exp_start;  /* NULL: 0 */
  const char *exp_end;    /* NULL: 0 */
  int exp_hours;          /* window length to check, 0: not checked */
  gboolean expired;
} WindowCase;

static const WindowCase window_cases[] = {
  /* monthly:1 */
  { "monthly-1/mid-february", "monthly:1", NULL, NULL, NULL, "2027-02-15T12:00:00Z",
    "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", 28 * 24, FALSE },
  { "monthly-1/last-second", "monthly:1", NULL, NULL, NULL, "2027-02-28T23:59:59Z",
    "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", 28 * 24, FALSE },
  { "monthly-1/on-boundary", "monthly:1", NULL, NULL, NULL, "2027-03-01T00:00:00Z",
    "2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z", 31 * 24, FALSE },
  { "monthly-1/year-end", "monthly:1", NULL, NULL, NULL, "2026-12-31T23:59:59Z",
    "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", 31 * 24, FALSE },
  { "monthly/plain-is-day-1", "monthly", NULL, NULL, NULL, "2026-11-20T08:00:00Z",
    "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", 30 * 24, FALSE },
  { "monthly-1/berlin-spring-forward", "monthly:1", "Europe/Berlin", NULL, NULL,
    "2026-03-15T12:00:00+01:00",
    "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00", 31 * 24 - 1, FALSE },
  { "monthly-1/explicit-start-does-not-move-it", "monthly:1", NULL, "2026-11-20", NULL,
    "2026-11-25T00:00:00Z",
    "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", 30 * 24, FALSE },

  /* monthly:15 in Tokyo: boundaries at 15:00 UTC the day before */
  { "monthly-15/tokyo-before", "monthly:15", "Asia/Tokyo", NULL, NULL, "2026-12-14T14:59:59Z",
    "2026-11-15T00:00:00+09:00", "2026-12-15T00:00:00+09:00", 30 * 24, FALSE },
  { "monthly-15/tokyo-on-boundary", "monthly:15", "Asia/Tokyo", NULL, NULL, "2026-12-14T15:00:00Z",
    "2026-12-15T00:00:00+09:00", "2027-01-15T00:00:00+09:00", 31 * 24, FALSE },
  { "monthly-15/tokyo-new-year", "monthly:15", "Asia/Tokyo", NULL, NULL, "2027-01-05T00:00:00Z",
    "2026-12-15T00:00:00+09:00", "2027-01-15T00:00:00+09:00", 31 * 24, FALSE },

  /* monthly:31: clamped in short months, back to the 31st after them */
  { "monthly-31/january", "monthly:31", NULL, NULL, NULL, "2027-01-30T12:00:00Z",
    "2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z", 31 * 24, FALSE },
  { "monthly-31/2027-feb-27", "monthly:31", NULL, NULL, NULL, "2027-02-27T12:00:00Z",
    "2027-01-31T00:00:00Z", "2027-02-28T00:00:00Z", 28 * 24, FALSE },
  { "monthly-31/2027-feb-28", "monthly:31", NULL, NULL, NULL, "2027-02-28T00:00:00Z",
    "2027-02-28T00:00:00Z", "2027-03-31T00:00:00Z", 31 * 24, FALSE },
  { "monthly-31/2027-mar-30", "monthly:31", NULL, NULL, NULL, "2027-03-30T23:59:59Z",
    "2027-02-28T00:00:00Z", "2027-03-31T00:00:00Z", 31 * 24, FALSE },
  { "monthly-31/2027-mar-31", "monthly:31", NULL, NULL, NULL, "2027-03-31T00:00:00Z",
    "2027-03-31T00:00:00Z", "2027-04-30T00:00:00Z", 30 * 24, FALSE },
  { "monthly-31/2027-may-1", "monthly:31", NULL, NULL, NULL, "2027-05-01T00:00:00Z",
    "2027-04-30T00:00:00Z", "2027-05-31T00:00:00Z", 31 * 24, FALSE },
  { "monthly-31/2028-feb-28-leap", "monthly:31", NULL, NULL, NULL, "2028-02-28T23:59:59Z",
    "2028-01-31T00:00:00Z", "2028-02-29T00:00:00Z", 29 * 24, FALSE },
  { "monthly-31/2028-feb-29-leap", "monthly:31", NULL, NULL, NULL, "2028-02-29T00:00:00Z",
    "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z", 31 * 24, FALSE },
  { "monthly-31/new-york-feb-to-dst", "monthly:31", "America/New_York", NULL, NULL,
    "2027-03-01T04:00:00Z",
    "2027-02-28T00:00:00-05:00", "2027-03-31T00:00:00-04:00", 31 * 24 - 1, FALSE },

  /* monthly:30 in February */
  { "monthly-30/2027-feb-27", "monthly:30", NULL, NULL, NULL, "2027-02-27T23:59:59Z",
    "2027-01-30T00:00:00Z", "2027-02-28T00:00:00Z", 29 * 24, FALSE },
  { "monthly-30/2027-feb-28", "monthly:30", NULL, NULL, NULL, "2027-02-28T00:00:00Z",
    "2027-02-28T00:00:00Z", "2027-03-30T00:00:00Z", 30 * 24, FALSE },
  { "monthly-30/2028-feb-28-leap", "monthly:30", NULL, NULL, NULL, "2028-02-28T12:00:00Z",
    "2028-01-30T00:00:00Z", "2028-02-29T00:00:00Z", 30 * 24, FALSE },
  { "monthly-30/2028-feb-29-leap", "monthly:30", NULL, NULL, NULL, "2028-02-29T00:00:00Z",
    "2028-02-29T00:00:00Z", "2028-03-30T00:00:00Z", 30 * 24, FALSE },

  /* weekly (2026-11-20 is a Friday) */
  { "weekly-mon/friday", "weekly:mon", NULL, NULL, NULL, "2026-11-20T12:00:00Z",
    "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 7 * 24, FALSE },
  { "weekly-mon/on-boundary", "weekly:mon", NULL, NULL, NULL, "2026-11-16T00:00:00Z",
    "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 7 * 24, FALSE },
  { "weekly-mon/sunday-night", "weekly:mon", NULL, NULL, NULL, "2026-11-15T23:59:59Z",
    "2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z", 7 * 24, FALSE },
  { "weekly/plain-is-monday", "weekly", NULL, NULL, NULL, "2026-11-20T12:00:00Z",
    "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 7 * 24, FALSE },
  { "weekly-sun/friday", "weekly:sun", NULL, NULL, NULL, "2026-11-20T12:00:00Z",
    "2026-11-15T00:00:00Z", "2026-11-22T00:00:00Z", 7 * 24, FALSE },
  { "weekly-sun/berlin-fall-back", "weekly:sun", "Europe/Berlin", NULL, NULL,
    "2026-10-25T12:00:00+01:00",
    "2026-10-25T00:00:00+02:00", "2026-11-01T00:00:00+01:00", 7 * 24 + 1, FALSE },
  { "weekly-sun/berlin-before-fall-back", "weekly:sun", "Europe/Berlin", NULL, NULL,
    "2026-10-24T23:59:59+02:00",
    "2026-10-18T00:00:00+02:00", "2026-10-25T00:00:00+02:00", 7 * 24, FALSE },
  { "weekly-mon/berlin-spring-forward", "weekly:mon", "Europe/Berlin", NULL, NULL,
    "2026-03-29T12:00:00+02:00",
    "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 7 * 24 - 1, FALSE },

  /* daily across DST changes */
  { "daily/berlin-23h", "daily", "Europe/Berlin", NULL, NULL, "2026-03-29T12:00:00+02:00",
    "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23, FALSE },
  { "daily/berlin-25h", "daily", "Europe/Berlin", NULL, NULL, "2026-10-25T12:00:00+01:00",
    "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25, FALSE },
  { "daily/berlin-repeated-hour-first", "daily", "Europe/Berlin", NULL, NULL,
    "2026-10-25T02:30:00+02:00",
    "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25, FALSE },
  { "daily/berlin-repeated-hour-second", "daily", "Europe/Berlin", NULL, NULL,
    "2026-10-25T02:30:00+01:00",
    "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25, FALSE },
  { "daily/new-york-23h", "daily", "America/New_York", NULL, NULL, "2026-03-08T12:00:00-04:00",
    "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23, FALSE },
  { "daily/new-york-25h", "daily", "America/New_York", NULL, NULL, "2026-11-01T12:00:00-05:00",
    "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25, FALSE },
  { "daily/tokyo-before-15-utc", "daily", "Asia/Tokyo", NULL, NULL, "2026-11-20T14:59:59Z",
    "2026-11-19T15:00:00Z", "2026-11-20T15:00:00Z", 24, FALSE },
  { "daily/tokyo-at-15-utc", "daily", "Asia/Tokyo", NULL, NULL, "2026-11-20T15:00:00Z",
    "2026-11-20T15:00:00Z", "2026-11-21T15:00:00Z", 24, FALSE },
  /* Havana springs forward at midnight: the day begins at 01:00. */
  { "daily/havana-midnight-gap", "daily", "America/Havana", NULL, NULL,
    "2026-03-08T12:00:00-04:00",
    "2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00", 23, FALSE },
  { "daily/havana-before-gap", "daily", "America/Havana", NULL, NULL,
    "2026-03-07T23:59:59-05:00",
    "2026-03-07T00:00:00-05:00", "2026-03-08T01:00:00-04:00", 24, FALSE },
  /* Havana falls back across midnight: the day begins at the first one,
   * as a history row of that day does. */
  { "daily/havana-first-midnight", "daily", "America/Havana", NULL, NULL,
    "2026-11-01T04:30:00Z",
    "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25, FALSE },
  { "daily/havana-second-midnight", "daily", "America/Havana", NULL, NULL,
    "2026-11-01T05:30:00Z",
    "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25, FALSE },
  { "daily/system-utc", "daily", NULL, NULL, NULL, "2026-11-20T00:00:00Z",
    "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 24, FALSE },

  /* days:N from the first use or the start */
  { "days-8/before-first-use", "days:8", NULL, NULL, NULL, "2026-11-21T00:00:00Z",
    NULL, NULL, 0, FALSE },
  { "days-8/from-first-use", "days:8", NULL, NULL, "2026-11-20T09:30:00Z", "2026-11-21T00:00:00Z",
    "2026-11-20T09:30:00Z", "2026-11-28T09:30:00Z", 8 * 24, FALSE },
  { "days-8/last-second", "days:8", NULL, NULL, "2026-11-20T09:30:00Z", "2026-11-28T09:29:59Z",
    "2026-11-20T09:30:00Z", "2026-11-28T09:30:00Z", 8 * 24, FALSE },
  { "days-8/expired-at-end", "days:8", NULL, NULL, "2026-11-20T09:30:00Z", "2026-11-28T09:30:00Z",
    "2026-11-20T09:30:00Z", "2026-11-28T09:30:00Z", 8 * 24, TRUE },
  { "days-8/expired-long-after", "days:8", NULL, NULL, "2026-11-20T09:30:00Z", "2027-06-01T00:00:00Z",
    "2026-11-20T09:30:00Z", "2026-11-28T09:30:00Z", 8 * 24, TRUE },
  { "days-8/berlin-spring-forward", "days:8", "Europe/Berlin", NULL,
    "2026-03-25T10:00:00+01:00", "2026-03-26T00:00:00Z",
    "2026-03-25T10:00:00+01:00", "2026-04-02T10:00:00+02:00", 7 * 24 + 23, FALSE },
  { "days-8/berlin-fall-back", "days:8", "Europe/Berlin", NULL,
    "2026-10-20T10:00:00+02:00", "2026-10-21T00:00:00Z",
    "2026-10-20T10:00:00+02:00", "2026-10-28T10:00:00+01:00", 8 * 24 + 1, FALSE },
  /* 02:30 does not exist on 2026-03-29 in Berlin: GDateTime moves it to 03:00 */
  { "days-1/berlin-into-dst-gap", "days:1", "Europe/Berlin", "2026-03-28T02:30", NULL,
    "2026-03-28T12:00:00Z",
    "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", 0, FALSE },
  /* 02:30 happens twice on 2026-10-25 there: the one in summer time, like the start */
  { "days-7/berlin-onto-repeated-hour", "days:7", "Europe/Berlin", "2026-10-18T02:30", NULL,
    "2026-10-20T12:00:00Z",
    "2026-10-18T02:30:00+02:00", "2026-10-25T02:30:00+02:00", 7 * 24, FALSE },
  { "days-8/explicit-start", "days:8", "Asia/Tokyo", "2026-11-20", NULL, "2026-11-25T00:00:00Z",
    "2026-11-20T00:00:00+09:00", "2026-11-28T00:00:00+09:00", 8 * 24, FALSE },
  { "days-8/explicit-start-beats-first-use", "days:8", "Asia/Tokyo", "2026-11-20",
    "2026-11-22T00:00:00Z", "2026-11-25T00:00:00Z",
    "2026-11-20T00:00:00+09:00", "2026-11-28T00:00:00+09:00", 8 * 24, FALSE },
  { "days-8/explicit-start-in-future", "days:8", "Asia/Tokyo", "2026-12-01T09:00", NULL,
    "2026-11-20T00:00:00Z",
    "2026-12-01T09:00:00+09:00", "2026-12-09T09:00:00+09:00", 8 * 24, FALSE },
  { "days-8/explicit-start-expired", "days:8", "Asia/Tokyo", "2026-11-20", NULL,
    "2026-11-27T15:00:00Z",
    "2026-11-20T00:00:00+09:00", "2026-11-28T00:00:00+09:00", 8 * 24, TRUE },

  /* none never ends */
  { "none/nothing-yet", "none", NULL, NULL, NULL, "2026-11-20T00:00:00Z",
    NULL, NULL, 0, FALSE },
  { "none/from-first-use", "none", NULL, NULL, "2026-11-20T09:30:00Z", "2030-01-01T00:00:00Z",
    "2026-11-20T09:30:00Z", NULL, 0, FALSE },
  { "none/from-start", "none", "Europe/Berlin", "2026-11-20T09:00:00+09:00",
    "2026-11-22T00:00:00Z", "2030-01-01T00:00:00Z",
    "2026-11-20T09:00:00+09:00", NULL, 0, FALSE },
};

static void
check_window (gconstpointer data)
{
  const WindowCase *c = data;
  g_autoptr(SbPlan) plan = plan_new (c->period, c->timezone, c->start);
  gint64 now = at (c->now);
  gint64 first_use = at_or_zero (c->first_use);
  gint64 start = -1, end = -1;

  sb_plan_window (plan, now, first_use, &start, &end);
  g_assert_cmpint (start, ==, at_or_zero (c->exp_start));
  g_assert_cmpint (end, ==, at_or_zero (c->exp_end));
  if (c->exp_hours > 0)
    g_assert_cmpint (end - start, ==, (gint64) c->exp_hours * 3600);
  if (end != 0 && plan->kind != SB_PERIOD_DAYS)
    {
      /* Calendar windows contain now. */
      g_assert_cmpint (start, <=, now);
      g_assert_cmpint (now, <, end);
    }
  g_assert_cmpint (sb_plan_expired (plan, now, first_use), ==, c->expired);
}

static void
test_window (gconstpointer data)
{
  const WindowCase *c = data;

  check_in_system_zones (check_window, c, c->timezone);
}

/* ---- The system's zone ---- */

/* A system in UTC−8 must not move plans with their own zone; a plan without
 * one follows the system's zone as it was when the plan was parsed.
 * g_time_zone_new_local() caches the zone but re-reads it when TZ differs
 * from the cached identifier, which is what TZ changes here rely on. */
static void
test_system_zone (void)
{
  g_autoptr(SbPlan) before = plan_new ("daily", NULL, NULL);
  g_autoptr(SbPlan) tokyo = plan_new ("daily", "Asia/Tokyo", "2026-11-20");
  g_autoptr(SbPlan) tokyo_days = plan_new ("days:8", "Asia/Tokyo", NULL);
  g_autoptr(SbPlan) local = NULL;
  g_autoptr(SbPlan) local_start = NULL;
  gint64 start, end;

  g_assert_cmpstr (sb_plan_timezone_id (before), ==, "UTC");

  set_tz ("America/Los_Angeles");
  local = plan_new ("daily", NULL, NULL);
  local_start = plan_new ("days:8", NULL, "2026-11-20");

  g_assert_cmpstr (sb_plan_timezone_id (local), ==, "America/Los_Angeles");
  g_assert_cmpstr (sb_plan_timezone_id (tokyo), ==, "Asia/Tokyo");
  g_assert_cmpstr (sb_plan_timezone_id (before), ==, "UTC");

  sb_plan_window (local, at ("2026-11-20T12:00:00Z"), 0, &start, &end);
  g_assert_cmpint (start, ==, at ("2026-11-20T00:00:00-08:00"));
  g_assert_cmpint (end, ==, at ("2026-11-21T00:00:00-08:00"));

  sb_plan_window (tokyo, at ("2026-11-20T15:00:00Z"), 0, &start, &end);
  g_assert_cmpint (start, ==, at ("2026-11-20T15:00:00Z"));
  g_assert_cmpint (end, ==, at ("2026-11-21T15:00:00Z"));
  g_assert_false (tokyo->start_first_use);
  g_assert_cmpint (tokyo->start, ==, at ("2026-11-20T00:00:00+09:00"));

  sb_plan_window (before, at ("2026-11-20T12:00:00Z"), 0, &start, &end);
  g_assert_cmpint (start, ==, at ("2026-11-20T00:00:00Z"));
  g_assert_cmpint (end, ==, at ("2026-11-21T00:00:00Z"));

  /* A date without a zone is the system's midnight. */
  g_assert_cmpint (local_start->start, ==, at ("2026-11-20T00:00:00-08:00"));

  /* Los Angeles leaves DST on 2026-11-01; Tokyo has none: exactly 8 days. */
  sb_plan_window (tokyo_days, at ("2026-10-30T00:00:00Z"), at ("2026-10-29T03:00:00Z"),
                  &start, &end);
  g_assert_cmpint (end - start, ==, 8 * 24 * 3600);

  set_tz (":America/Los_Angeles");
  g_clear_pointer (&local, sb_plan_free);
  local = plan_new ("daily", NULL, NULL);
  g_assert_cmpstr (sb_plan_timezone_id (local), ==, "America/Los_Angeles");

  set_tz ("UTC");
}

/* Without TZ the system's zone is /etc/localtime's. */
static void
test_system_zone_localtime (void)
{
  g_autofree char *target = g_file_read_link ("/etc/localtime", NULL);
  const char *expected = target != NULL ? g_strrstr (target, "zoneinfo/") : NULL;
  g_autoptr(SbPlan) plan = NULL;

  if (expected == NULL)
    {
      g_test_skip ("/etc/localtime is not a link into a zoneinfo directory");
      return;
    }
  expected += strlen ("zoneinfo/");

  set_tz (NULL);
  plan = sb_plan_new_default ();
  g_assert_cmpstr (sb_plan_timezone_id (plan), ==, expected);
  set_tz ("UTC");
}

/* ---- Parsing ---- */

static void
test_defaults (void)
{
  g_autoptr(SbPlan) plan = sb_plan_new_default ();
  g_autoptr(SbPlan) from_null = NULL;
  g_autoptr(SbPlan) from_empty = NULL;
  g_autoptr(SbPlan) from_foreign = NULL;
  g_autoptr(GHashTable) empty = user_data_new (NULL);
  g_autoptr(GHashTable) foreign = user_data_new ("other.limit", "garbage",
                                                 "SimBudget.limit", "garbage",
                                                 "simbudget", "garbage", NULL);
  g_autofree char *period = sb_plan_period_to_string (plan);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (plan->limit, ==, 0);
  g_assert_cmpint (plan->kind, ==, SB_PERIOD_MONTHLY);
  g_assert_cmpuint (plan->day, ==, 1);
  g_assert_cmpstr (period, ==, "monthly:1");
  g_assert_true (plan->start_first_use);
  g_assert_null (plan->timezone);
  g_assert_nonnull (plan->tz);
  g_assert_cmpstr (sb_plan_timezone_id (plan), ==, "UTC");
  g_assert_cmpuint (plan->warn->len, ==, 2);
  g_assert_cmpuint (g_array_index (plan->warn, guint, 0), ==, 80);
  g_assert_cmpuint (g_array_index (plan->warn, guint, 1), ==, 95);
  g_assert_cmpint (plan->action, ==, SB_ACTION_DISCONNECT);
  g_assert_cmpstr (sb_action_to_string (SB_ACTION_DISCONNECT), ==, "disconnect");
  g_assert_cmpstr (sb_action_to_string (SB_ACTION_WARN), ==, "warn");

  from_null = sb_plan_parse (NULL, &error);
  g_assert_no_error (error);
  from_empty = plan_parse_ok (empty);
  from_foreign = plan_parse_ok (foreign);
  g_assert_true (sb_plan_equal (plan, from_null));
  g_assert_true (sb_plan_equal (plan, from_empty));
  g_assert_true (sb_plan_equal (plan, from_foreign));
}

typedef struct {
  const char *key;
  const char *value;
} KeyValue;

/* Values that parse, each alone through sb_plan_check_value and
 * sb_plan_parse. */
static const KeyValue valid_values[] = {
  { SB_KEY_LIMIT, "5GB" }, { SB_KEY_LIMIT, "5 GiB" }, { SB_KEY_LIMIT, " 1.5G " },
  { SB_KEY_LIMIT, "0" }, { SB_KEY_LIMIT, "none" }, { SB_KEY_LIMIT, "NONE" },
  { SB_KEY_PERIOD, "monthly" }, { SB_KEY_PERIOD, "monthly:31" },
  { SB_KEY_PERIOD, "weekly:Sunday" }, { SB_KEY_PERIOD, "daily" },
  { SB_KEY_PERIOD, "days:3650" }, { SB_KEY_PERIOD, "none" },
  { SB_KEY_START, "first-use" }, { SB_KEY_START, "2026-11-20" },
  { SB_KEY_START, "2026-11-20T09:00" }, { SB_KEY_START, "2026-11-20 09:00" },
  { SB_KEY_START, "2026-11-20T09:00:00+09:00" }, { SB_KEY_START, "2026-11-20T09:00Z" },
  { SB_KEY_START, "2000-01-01" }, { SB_KEY_START, "2200-12-31T23:59:59" },
  { SB_KEY_TIMEZONE, "UTC" }, { SB_KEY_TIMEZONE, "Asia/Tokyo" },
  { SB_KEY_TIMEZONE, "America/Argentina/Buenos_Aires" },
  { SB_KEY_TIMEZONE, "America/Port-au-Prince" }, { SB_KEY_TIMEZONE, "Etc/GMT+5" },
  { SB_KEY_TIMEZONE, " Europe/Berlin " },
  { SB_KEY_WARN, "80,95" }, { SB_KEY_WARN, "50" }, { SB_KEY_WARN, "none" },
  { SB_KEY_ACTION, "disconnect" }, { SB_KEY_ACTION, "warn" }, { SB_KEY_ACTION, " WARN " },
};

static void
test_valid_value (gconstpointer data)
{
  const KeyValue *kv = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) ud = user_data_new (kv->key, kv->value, NULL);
  g_autoptr(SbPlan) plan = NULL;

  g_assert_true (sb_plan_check_value (kv->key, kv->value, &error));
  g_assert_no_error (error);
  plan = plan_parse_ok (ud);
}

typedef struct {
  const char *key;
  const char *value;
  const char *hint;   /* the message also contains this */
} BadValue;

static const BadValue bad_values[] = {
  { SB_KEY_LIMIT, "", "empty" },
  { SB_KEY_LIMIT, "   ", "empty" },
  { SB_KEY_LIMIT, "garbage", "“garbage”" },
  { SB_KEY_LIMIT, "-5GB", "“-5GB”" },
  { SB_KEY_LIMIT, "5XB", "“5XB”" },
  { SB_KEY_LIMIT, "5\001GB", "“5\\x01GB”" },
  { SB_KEY_PERIOD, "", "empty" },
  { SB_KEY_PERIOD, "fortnightly", "days:N" },
  { SB_KEY_PERIOD, "monthly:0", "1 to 31" },
  { SB_KEY_PERIOD, "monthly:32", "1 to 31" },
  { SB_KEY_PERIOD, "monthly:", "1 to 31" },
  { SB_KEY_PERIOD, "monthly:x", "1 to 31" },
  { SB_KEY_PERIOD, "monthly: 5", "1 to 31" },
  { SB_KEY_PERIOD, "weekly:xyz", "mon, tue" },
  { SB_KEY_PERIOD, "weekly:", "mon, tue" },
  { SB_KEY_PERIOD, "weekly:8", "mon, tue" },
  { SB_KEY_PERIOD, "days:0", "1 to 3650" },
  { SB_KEY_PERIOD, "days:-1", "1 to 3650" },
  { SB_KEY_PERIOD, "days:+8", "1 to 3650" },
  { SB_KEY_PERIOD, "days:3651", "1 to 3650" },
  { SB_KEY_PERIOD, "days:99999", "1 to 3650" },
  { SB_KEY_PERIOD, "days:99999999999999999999", "1 to 3650" },
  { SB_KEY_PERIOD, "days", "1 to 3650" },
  { SB_KEY_PERIOD, "days:8x", "1 to 3650" },
  { SB_KEY_PERIOD, "daily:1", "days:N" },
  { SB_KEY_PERIOD, "none:1", "days:N" },
  { SB_KEY_START, "", "empty" },
  { SB_KEY_START, "now", "ISO 8601" },
  { SB_KEY_START, "tomorrow", "ISO 8601" },
  { SB_KEY_START, "2026-02-30", "ISO 8601" },
  { SB_KEY_START, "2026-11-20T25:00", "ISO 8601" },
  { SB_KEY_START, "2026-11-20T09", "ISO 8601" },
  { SB_KEY_START, "2026-11-20  09:00", "ISO 8601" },
  { SB_KEY_START, "2026-11-20T09:00:00+09:00x", "ISO 8601" },
  { SB_KEY_START, "1999-12-31", "2000 to 2200" },
  { SB_KEY_START, "2201-01-01", "2000 to 2200" },
  { SB_KEY_START, "1970-01-01T00:00:00Z", "2000 to 2200" },
  { SB_KEY_START, "2026-11-20T09:00:00+24:00", "-12:00 to +14:00" },
  { SB_KEY_TIMEZONE, "", "empty" },
  { SB_KEY_TIMEZONE, "Mars/Olympus", "IANA" },
  { SB_KEY_TIMEZONE, "../etc/passwd", "IANA" },
  { SB_KEY_TIMEZONE, "/etc/passwd", "IANA" },
  { SB_KEY_TIMEZONE, "Asia/../Asia/Tokyo", "IANA" },
  { SB_KEY_TIMEZONE, "Asia//Tokyo", "IANA" },
  { SB_KEY_TIMEZONE, "Asia/Tokyo/", "IANA" },
  { SB_KEY_TIMEZONE, "asia/tokyo", "IANA" },
  { SB_KEY_TIMEZONE, "Asia", "IANA" },
  { SB_KEY_TIMEZONE, "JST-9", "IANA" },
  { SB_KEY_TIMEZONE, "+09:00", "IANA" },
  { SB_KEY_TIMEZONE, "leapseconds", "IANA" },
  { SB_KEY_TIMEZONE, "Asia/Tokyo Europe/Berlin", "IANA" },
  { SB_KEY_WARN, "", "empty" },
  { SB_KEY_WARN, "150", "“150”" },
  { SB_KEY_WARN, "0", "“0”" },
  { SB_KEY_WARN, "abc", "“abc”" },
  { SB_KEY_WARN, "80,,95", "“80,,95”" },
  { SB_KEY_ACTION, "", "empty" },
  { SB_KEY_ACTION, "shutdown", "disconnect, warn" },
  { SB_KEY_ACTION, "disconnect,warn", "disconnect, warn" },
  { "simbudget.limt", "5GB", "unknown key" },
};

static void
assert_bad_value_error (const GError *error, const char *key, const char *hint)
{
  g_autofree char *prefix = g_strconcat (key, ": ", NULL);

  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_cmpuint (strlen (error->message), <, 512);
  if (hint != NULL && strstr (error->message, hint) == NULL)
    g_error ("“%s” not in message: %s", hint, error->message);
}

static void
test_bad_value (gconstpointer data)
{
  const BadValue *bv = data;
  g_autoptr(GError) check_error = NULL;
  g_autoptr(GError) parse_error = NULL;
  /* Valid neighbours: the bad key alone decides. */
  g_autoptr(GHashTable) ud = user_data_new (SB_KEY_LIMIT, "5GB", SB_KEY_PERIOD, "daily",
                                            SB_KEY_ACTION, "warn", NULL);
  g_autoptr(SbPlan) plan = NULL;

  g_assert_false (sb_plan_check_value (bv->key, bv->value, &check_error));
  assert_bad_value_error (check_error, bv->key, bv->hint);
  g_test_message ("%s", check_error->message);

  g_hash_table_insert (ud, g_strdup (bv->key), g_strdup (bv->value));
  plan = sb_plan_parse (ud, &parse_error);
  g_assert_null (plan);
  assert_bad_value_error (parse_error, bv->key, bv->hint);
  g_assert_cmpstr (parse_error->message, ==, check_error->message);
}

static const char *const all_keys[] = {
  SB_KEY_LIMIT, SB_KEY_PERIOD, SB_KEY_START, SB_KEY_TIMEZONE, SB_KEY_WARN, SB_KEY_ACTION,
};

/* 8 KiB values are refused with a message that quotes only their start. */
static void
test_long_values (void)
{
  g_autofree char *digits = g_strnfill (8192, '9');
  g_autofree char *letters = g_strnfill (8192, 'a');
  g_autofree char *zone = g_strconcat ("Asia/", letters, NULL);
  g_autofree char *shown = g_strnfill (64, 'a');
  guint i;

  for (i = 0; i < G_N_ELEMENTS (all_keys); i++)
    {
      const char *values[] = { digits, letters, zone };
      guint j;

      for (j = 0; j < G_N_ELEMENTS (values); j++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_false (sb_plan_check_value (all_keys[i], values[j], &error));
          assert_bad_value_error (error, all_keys[i], "…");
          g_assert_null (strstr (error->message, letters + 8192 - 65));
          g_assert_null (strstr (error->message, digits + 8192 - 65));
        }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = g_strconcat ("“", shown, "…”", NULL);

    g_assert_false (sb_plan_check_value (SB_KEY_ACTION, letters, &error));
    assert_bad_value_error (error, SB_KEY_ACTION, expected);
  }
}

/* Bytes that are not UTF-8 are escaped: the message stays valid UTF-8. */
static void
test_non_utf8_values (void)
{
  const char *values[] = { "\xff\xfe", "5\xffGB", "Asia/T\xc3kyo", "80,\xe9", "w\xc3\x28rn" };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (all_keys); i++)
    {
      for (j = 0; j < G_N_ELEMENTS (values); j++)
        {
          g_autoptr(GError) error = NULL;

          g_assert_false (sb_plan_check_value (all_keys[i], values[j], &error));
          assert_bad_value_error (error, all_keys[i], "\\x");
        }
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sb_plan_check_value (SB_KEY_PERIOD, "da\xffly", &error));
    assert_bad_value_error (error, SB_KEY_PERIOD, "“da\\xFFly”");
  }
}

/* A misspelt simbudget.* key is reported, the first in sorted order. */
static void
test_unknown_keys (void)
{
  g_autoptr(GHashTable) ud = user_data_new ("simbudget.zzz", "1", "simbudget.limt", "5GB",
                                            "simbudget.Limit", "5GB", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbPlan) plan = sb_plan_parse (ud, &error);

  g_assert_null (plan);
  assert_bad_value_error (error, "simbudget.Limit", "unknown key");
  g_clear_error (&error);

  g_assert_false (sb_plan_check_value ("limit", "5GB", &error));
  assert_bad_value_error (error, "limit", "simbudget.limit");
}

/* ---- Values ---- */

typedef struct {
  const char *input;
  const char *normalised;
  SbPeriodKind kind;
  guint day;
} PeriodCase;

static const PeriodCase period_cases[] = {
  { "monthly", "monthly:1", SB_PERIOD_MONTHLY, 1 },
  { "monthly:1", "monthly:1", SB_PERIOD_MONTHLY, 1 },
  { "monthly:15", "monthly:15", SB_PERIOD_MONTHLY, 15 },
  { "MONTHLY:015", "monthly:15", SB_PERIOD_MONTHLY, 15 },
  { "monthly:31", "monthly:31", SB_PERIOD_MONTHLY, 31 },
  { "weekly", "weekly:mon", SB_PERIOD_WEEKLY, 1 },
  { "weekly:mon", "weekly:mon", SB_PERIOD_WEEKLY, 1 },
  { "weekly:TUE", "weekly:tue", SB_PERIOD_WEEKLY, 2 },
  { "weekly:Wednesday", "weekly:wed", SB_PERIOD_WEEKLY, 3 },
  { "weekly:thursday", "weekly:thu", SB_PERIOD_WEEKLY, 4 },
  { "weekly:fri", "weekly:fri", SB_PERIOD_WEEKLY, 5 },
  { "weekly:SATURDAY", "weekly:sat", SB_PERIOD_WEEKLY, 6 },
  { "weekly:sun", "weekly:sun", SB_PERIOD_WEEKLY, 7 },
  { "daily", "daily", SB_PERIOD_DAILY, 0 },
  { "Daily", "daily", SB_PERIOD_DAILY, 0 },
  { "days:8", "days:8", SB_PERIOD_DAYS, 8 },
  { "  days:8\t", "days:8", SB_PERIOD_DAYS, 8 },
  { "days:1", "days:1", SB_PERIOD_DAYS, 1 },
  { "days:3650", "days:3650", SB_PERIOD_DAYS, 3650 },
  { "none", "none", SB_PERIOD_NONE, 0 },
};

static void
test_period_round_trip (gconstpointer data)
{
  const PeriodCase *c = data;
  g_autoptr(SbPlan) plan = plan_new (c->input, NULL, NULL);
  g_autofree char *text = sb_plan_period_to_string (plan);
  g_autoptr(SbPlan) again = NULL;
  g_autofree char *text_again = NULL;

  g_assert_cmpint (plan->kind, ==, c->kind);
  g_assert_cmpuint (plan->day, ==, c->day);
  g_assert_cmpstr (text, ==, c->normalised);

  again = plan_new (text, NULL, NULL);
  text_again = sb_plan_period_to_string (again);
  g_assert_cmpstr (text_again, ==, text);
  g_assert_true (sb_plan_equal (plan, again));
}

typedef struct {
  const char *timezone;
  const char *start;
  const char *expected;   /* with offset; NULL: first-use */
} StartCase;

static const StartCase start_cases[] = {
  { NULL, "first-use", NULL },
  { "Asia/Tokyo", "First-Use", NULL },
  { NULL, "2026-11-20", "2026-11-20T00:00:00Z" },
  { "Asia/Tokyo", "2026-11-20", "2026-11-20T00:00:00+09:00" },
  { "Asia/Tokyo", "2026-11-20T09:00", "2026-11-20T09:00:00+09:00" },
  { "Asia/Tokyo", "2026-11-20 09:00", "2026-11-20T09:00:00+09:00" },
  { "Asia/Tokyo", "2026-11-20T09:00:00", "2026-11-20T09:00:00+09:00" },
  { "Asia/Tokyo", " 2026-11-20T09:00:30 ", "2026-11-20T09:00:30+09:00" },
  { "Europe/Berlin", "2026-11-20T09:00:00+09:00", "2026-11-20T09:00:00+09:00" },
  { "Europe/Berlin", "2026-11-20T09:00Z", "2026-11-20T09:00:00Z" },
  { "Europe/Berlin", "2026-11-20 09:00-05:00", "2026-11-20T09:00:00-05:00" },
  { "Europe/Berlin", "2026-03-29", "2026-03-29T00:00:00+01:00" },
  { "Europe/Berlin", "2026-07-01", "2026-07-01T00:00:00+02:00" },
  /* Midnight does not exist there that day: the day begins at 01:00. */
  { "America/Havana", "2026-03-08", "2026-03-08T01:00:00-04:00" },
  { "UTC", "2000-01-01", "2000-01-01T00:00:00Z" },
  { "UTC", "2200-12-31T23:59:59", "2200-12-31T23:59:59Z" },
};

static void
check_start (gconstpointer data)
{
  const StartCase *c = data;
  g_autoptr(SbPlan) plan = plan_new ("days:8", c->timezone, c->start);

  if (c->expected == NULL)
    {
      g_assert_true (plan->start_first_use);
      return;
    }
  g_assert_false (plan->start_first_use);
  g_assert_cmpint (plan->start, ==, at (c->expected));
}

static void
test_start (gconstpointer data)
{
  const StartCase *c = data;

  check_in_system_zones (check_start, c, c->timezone);
}

static void
test_values (void)
{
  g_autoptr(GHashTable) ud = user_data_new (SB_KEY_LIMIT, " 1.5G ",
                                            SB_KEY_TIMEZONE, "Asia/Tokyo",
                                            SB_KEY_WARN, "95,50,80",
                                            SB_KEY_ACTION, "warn", NULL);
  g_autoptr(SbPlan) plan = plan_parse_ok (ud);
  g_autoptr(GHashTable) none = user_data_new (SB_KEY_LIMIT, "none", SB_KEY_WARN, "none", NULL);
  g_autoptr(SbPlan) plan_none = plan_parse_ok (none);

  g_assert_cmpuint (plan->limit, ==, G_GUINT64_CONSTANT (1500000000));
  g_assert_cmpstr (plan->timezone, ==, "Asia/Tokyo");
  g_assert_cmpstr (sb_plan_timezone_id (plan), ==, "Asia/Tokyo");
  g_assert_cmpuint (plan->warn->len, ==, 3);
  g_assert_cmpuint (g_array_index (plan->warn, guint, 0), ==, 50);
  g_assert_cmpuint (g_array_index (plan->warn, guint, 1), ==, 80);
  g_assert_cmpuint (g_array_index (plan->warn, guint, 2), ==, 95);
  g_assert_cmpint (plan->action, ==, SB_ACTION_WARN);

  g_assert_cmpuint (plan_none->limit, ==, 0);
  g_assert_cmpuint (plan_none->warn->len, ==, 0);
}

/* ---- Equality and copies ---- */

static SbPlan *
full_plan (const char *key, const char *value)
{
  g_autoptr(GHashTable) ud = user_data_new (SB_KEY_LIMIT, "5GB", SB_KEY_PERIOD, "days:8",
                                            SB_KEY_START, "2026-11-20",
                                            SB_KEY_TIMEZONE, "Asia/Tokyo",
                                            SB_KEY_WARN, "80,95",
                                            SB_KEY_ACTION, "disconnect", NULL);

  if (key != NULL)
    g_hash_table_insert (ud, g_strdup (key), g_strdup (value));
  return plan_parse_ok (ud);
}

/* @base against full_plan() with each of @changes, both ways round. */
static void
assert_changes_equal (const SbPlan   *base,
                      const KeyValue *changes,
                      guint           n,
                      gboolean        equal)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SbPlan) other = full_plan (changes[i].key, changes[i].value);

      g_test_message ("%s=%s", changes[i].key, changes[i].value);
      g_assert_cmpint (sb_plan_equal (base, other), ==, equal);
      g_assert_cmpint (sb_plan_equal (other, base), ==, equal);
    }
}

static void
test_equal (void)
{
  g_autoptr(SbPlan) base = full_plan (NULL, NULL);
  const KeyValue same[] = {
    { SB_KEY_LIMIT, "5000MB" }, { SB_KEY_PERIOD, " DAYS:008 " },
    { SB_KEY_START, "2026-11-20T00:00:00+09:00" }, { SB_KEY_WARN, "95,80" },
    { SB_KEY_ACTION, "Disconnect" },
  };
  const KeyValue different[] = {
    { SB_KEY_LIMIT, "5GiB" }, { SB_KEY_LIMIT, "none" }, { SB_KEY_PERIOD, "days:7" },
    { SB_KEY_PERIOD, "monthly:8" }, { SB_KEY_START, "first-use" },
    { SB_KEY_START, "2026-11-20T00:00:01+09:00" }, { SB_KEY_TIMEZONE, "Asia/Seoul" },
    { SB_KEY_TIMEZONE, "UTC" }, { SB_KEY_WARN, "80" }, { SB_KEY_WARN, "none" },
    { SB_KEY_ACTION, "warn" },
  };
  g_autoptr(SbPlan) first_use_a = plan_new ("daily", NULL, "first-use");
  g_autoptr(SbPlan) first_use_b = plan_new ("daily", NULL, NULL);
  g_autoptr(SbPlan) system_zone = plan_new ("daily", NULL, NULL);
  g_autoptr(SbPlan) utc_zone = plan_new ("daily", "UTC", NULL);

  g_assert_true (sb_plan_equal (base, base));
  g_assert_true (sb_plan_equal (NULL, NULL));
  g_assert_false (sb_plan_equal (base, NULL));
  g_assert_false (sb_plan_equal (NULL, base));

  assert_changes_equal (base, same, G_N_ELEMENTS (same), TRUE);
  assert_changes_equal (base, different, G_N_ELEMENTS (different), FALSE);

  /* The start of a first-use plan is not part of its configuration. */
  first_use_b->start = 12345;
  g_assert_true (sb_plan_equal (first_use_a, first_use_b));

  /* "The system's zone" is not "UTC", even on a system in UTC. */
  g_assert_false (sb_plan_equal (system_zone, utc_zone));
}

static void
test_copy (void)
{
  SbPlan *plan = full_plan (NULL, NULL);
  g_autoptr(SbPlan) copy = sb_plan_copy (plan);
  g_autoptr(SbPlan) reference = full_plan (NULL, NULL);
  gint64 start, end;
  guint one = 1;

  g_assert_true (sb_plan_equal (plan, copy));
  g_assert_true (copy->timezone != plan->timezone);
  g_assert_cmpstr (copy->timezone, ==, plan->timezone);
  g_assert_true (copy->warn != plan->warn);

  /* Independent: changing the copy leaves the original alone. */
  g_array_append_val (copy->warn, one);
  g_assert_false (sb_plan_equal (plan, copy));
  g_assert_cmpuint (plan->warn->len, ==, 2);
  g_array_set_size (copy->warn, 2);
  g_assert_true (sb_plan_equal (plan, copy));

  /* The copy owns what it holds. */
  sb_plan_free (plan);
  g_assert_true (sb_plan_equal (reference, copy));
  g_assert_cmpstr (sb_plan_timezone_id (copy), ==, "Asia/Tokyo");
  sb_plan_window (copy, at ("2026-11-25T00:00:00Z"), 0, &start, &end);
  g_assert_cmpint (start, ==, at ("2026-11-20T00:00:00+09:00"));
  g_assert_cmpint (end, ==, at ("2026-11-28T00:00:00+09:00"));

  sb_plan_free (NULL);
}

int
main (int argc, char **argv)
{
  guint i;

  /* The system's zone in these tests is UTC, whatever the caller's is. */
  set_tz ("UTC");
  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (window_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/window/%s", window_cases[i].name);

      g_test_add_data_func (path, &window_cases[i], test_window);
    }
  g_test_add_func ("/plan/system-zone/tz", test_system_zone);
  g_test_add_func ("/plan/system-zone/localtime", test_system_zone_localtime);
  g_test_add_func ("/plan/defaults", test_defaults);

  for (i = 0; i < G_N_ELEMENTS (valid_values); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/valid/%s/%u", valid_values[i].key, i);

      g_test_add_data_func (path, &valid_values[i], test_valid_value);
    }
  for (i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/error/%s/%u", bad_values[i].key, i);

      g_test_add_data_func (path, &bad_values[i], test_bad_value);
    }
  g_test_add_func ("/plan/error/long-values", test_long_values);
  g_test_add_func ("/plan/error/non-utf8-values", test_non_utf8_values);
  g_test_add_func ("/plan/error/unknown-keys", test_unknown_keys);

  for (i = 0; i < G_N_ELEMENTS (period_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/period/%u", i);

      g_test_add_data_func (path, &period_cases[i], test_period_round_trip);
    }
  for (i = 0; i < G_N_ELEMENTS (start_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/start/%u", i);

      g_test_add_data_func (path, &start_cases[i], test_start);
    }
  g_test_add_func ("/plan/values", test_values);
  g_test_add_func ("/plan/equal", test_equal);
  g_test_add_func ("/plan/copy", test_copy);

  return g_test_run ();
}
