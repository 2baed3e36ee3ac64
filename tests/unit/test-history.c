/* History rows: floor/next in real time zones, aggregation, validation. */
#define G_LOG_DOMAIN "test-history"

#include <string.h>

#include <glib.h>

#include "sb-error.h"
#include "sb-history.h"
#include "sb-store.h"

/* Clock set back 1 h at 00:30 on the first Sunday of November, so the
 * wall clock reads Nov 1 00:00 and then Oct 31 23:30 again: no real zone
 * does this today, but the rules allow it. */
#define BACK_OVER_MIDNIGHT "EST5EDT,M3.2.0/2,M11.1.0/0:30"

static gint64
iso (const char *text)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  if (dt == NULL)
    g_error ("bad time in test table: %s", text);
  return g_date_time_to_unix (dt);
}

static GTimeZone *
zone (const char *identifier)
{
  GTimeZone *tz = g_time_zone_new_identifier (identifier);

  if (tz == NULL)
    g_error ("time zone %s is not installed", identifier);
  return tz;
}

typedef struct {
  const char    *zone;
  SbGranularity  granularity;
  const char    *t;
  const char    *floor;
  const char    *next;
} BoundsCase;

static const BoundsCase bounds_cases[] = {
  /* UTC */
  { "UTC", SB_GRANULARITY_HOUR, "2026-03-29T10:37:12Z", "2026-03-29T10:00:00Z", "2026-03-29T11:00:00Z" },
  { "UTC", SB_GRANULARITY_HOUR, "2026-03-29T10:00:00Z", "2026-03-29T10:00:00Z", "2026-03-29T11:00:00Z" },
  { "UTC", SB_GRANULARITY_HOUR, "2026-12-31T23:59:59Z", "2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z" },
  { "UTC", SB_GRANULARITY_DAY, "2026-03-29T10:37:12Z", "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z" },
  { "UTC", SB_GRANULARITY_WEEK, "2026-03-29T10:37:12Z", "2026-03-23T00:00:00Z", "2026-03-30T00:00:00Z" },
  { "UTC", SB_GRANULARITY_WEEK, "2026-03-30T00:00:00Z", "2026-03-30T00:00:00Z", "2026-04-06T00:00:00Z" },
  { "UTC", SB_GRANULARITY_WEEK, "2026-01-01T12:00:00Z", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z" },
  { "UTC", SB_GRANULARITY_WEEK, "1970-01-01T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z" },
  { "UTC", SB_GRANULARITY_MONTH, "2026-03-29T10:37:12Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z" },
  { "UTC", SB_GRANULARITY_MONTH, "2026-12-15T00:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z" },
  { "UTC", SB_GRANULARITY_MONTH, "2028-02-29T23:59:59Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z" },

  /* Europe/Berlin: 2026-03-29 has 23 hours, 2026-10-25 has 25. */
  { "Europe/Berlin", SB_GRANULARITY_DAY, "2026-03-29T12:00:00+02:00", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_DAY, "2026-03-28T23:00:00Z", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_DAY, "2026-03-28T22:59:59Z", "2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00" },
  { "Europe/Berlin", SB_GRANULARITY_DAY, "2026-10-25T12:00:00+01:00", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00" },
  { "Europe/Berlin", SB_GRANULARITY_HOUR, "2026-03-29T00:59:59Z", "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_HOUR, "2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_HOUR, "2026-10-25T00:30:00Z", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00" },
  { "Europe/Berlin", SB_GRANULARITY_HOUR, "2026-10-25T01:30:00Z", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00" },
  { "Europe/Berlin", SB_GRANULARITY_WEEK, "2026-03-29T12:00:00+02:00", "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_MONTH, "2026-03-31T23:59:59+02:00", "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00" },
  { "Europe/Berlin", SB_GRANULARITY_MONTH, "2026-10-25T02:30:00+01:00", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00" },

  /* America/New_York: 2026-03-08 has 23 hours, 2026-11-01 has 25. */
  { "America/New_York", SB_GRANULARITY_DAY, "2026-03-08T12:00:00-04:00", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00" },
  { "America/New_York", SB_GRANULARITY_DAY, "2026-11-01T12:00:00-05:00", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00" },
  { "America/New_York", SB_GRANULARITY_HOUR, "2026-03-08T06:59:59Z", "2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00" },
  { "America/New_York", SB_GRANULARITY_HOUR, "2026-11-01T05:30:00Z", "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00" },
  { "America/New_York", SB_GRANULARITY_HOUR, "2026-11-01T06:30:00Z", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00" },
  { "America/New_York", SB_GRANULARITY_WEEK, "2026-11-01T12:00:00-05:00", "2026-10-26T00:00:00-04:00", "2026-11-02T00:00:00-05:00" },
  { "America/New_York", SB_GRANULARITY_MONTH, "2026-11-15T12:00:00-05:00", "2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00" },
  { "America/New_York", SB_GRANULARITY_DAY, "1970-01-01T00:00:00Z", "1969-12-31T00:00:00-05:00", "1970-01-01T00:00:00-05:00" },

  /* Asia/Tokyo: no DST, 9 hours ahead. */
  { "Asia/Tokyo", SB_GRANULARITY_HOUR, "2026-03-29T15:30:00Z", "2026-03-29T15:00:00Z", "2026-03-29T16:00:00Z" },
  { "Asia/Tokyo", SB_GRANULARITY_DAY, "2026-03-29T15:30:00Z", "2026-03-30T00:00:00+09:00", "2026-03-31T00:00:00+09:00" },
  { "Asia/Tokyo", SB_GRANULARITY_WEEK, "2026-03-29T15:30:00Z", "2026-03-30T00:00:00+09:00", "2026-04-06T00:00:00+09:00" },
  { "Asia/Tokyo", SB_GRANULARITY_MONTH, "2026-03-31T15:00:00Z", "2026-04-01T00:00:00+09:00", "2026-05-01T00:00:00+09:00" },
  { "Asia/Tokyo", SB_GRANULARITY_MONTH, "2026-03-31T14:59:59Z", "2026-03-01T00:00:00+09:00", "2026-04-01T00:00:00+09:00" },

  /* Asia/Kathmandu: +05:45, so local hours start at :15 UTC. */
  { "Asia/Kathmandu", SB_GRANULARITY_HOUR, "2026-03-29T10:20:00Z", "2026-03-29T10:15:00Z", "2026-03-29T11:15:00Z" },
  { "Asia/Kathmandu", SB_GRANULARITY_HOUR, "2026-03-29T10:14:59Z", "2026-03-29T09:15:00Z", "2026-03-29T10:15:00Z" },
  { "Asia/Kathmandu", SB_GRANULARITY_DAY, "2026-03-29T18:14:59Z", "2026-03-29T00:00:00+05:45", "2026-03-30T00:00:00+05:45" },
  { "Asia/Kathmandu", SB_GRANULARITY_DAY, "2026-03-29T18:15:00Z", "2026-03-30T00:00:00+05:45", "2026-03-31T00:00:00+05:45" },
  { "Asia/Kathmandu", SB_GRANULARITY_MONTH, "2026-02-28T18:15:00Z", "2026-03-01T00:00:00+05:45", "2026-04-01T00:00:00+05:45" },

  /* Australia/Adelaide: +10:30 / +09:30, DST ends 2026-04-05 03:00. */
  { "Australia/Adelaide", SB_GRANULARITY_DAY, "2026-04-05T12:00:00+09:30", "2026-04-05T00:00:00+10:30", "2026-04-06T00:00:00+09:30" },
  { "Australia/Adelaide", SB_GRANULARITY_HOUR, "2026-04-04T16:00:00Z", "2026-04-05T02:00:00+10:30", "2026-04-05T02:00:00+09:30" },
  { "Australia/Adelaide", SB_GRANULARITY_HOUR, "2026-04-04T16:45:00Z", "2026-04-05T02:00:00+09:30", "2026-04-05T03:00:00+09:30" },
  { "Australia/Adelaide", SB_GRANULARITY_HOUR, "2026-10-03T16:29:59Z", "2026-10-04T01:00:00+09:30", "2026-10-04T03:00:00+10:30" },

  /* Australia/Lord_Howe: the clock goes back 30 minutes, at 02:00 to
   * 01:30, cutting an hour row in two. */
  { "Australia/Lord_Howe", SB_GRANULARITY_HOUR, "2026-04-04T14:45:00Z", "2026-04-05T01:00:00+11:00", "2026-04-05T01:30:00+10:30" },
  { "Australia/Lord_Howe", SB_GRANULARITY_HOUR, "2026-04-04T15:10:00Z", "2026-04-05T01:30:00+10:30", "2026-04-05T02:00:00+10:30" },
  { "Australia/Lord_Howe", SB_GRANULARITY_HOUR, "2026-10-03T15:29:59Z", "2026-10-04T01:00:00+10:30", "2026-10-04T02:30:00+11:00" },
  { "Australia/Lord_Howe", SB_GRANULARITY_HOUR, "2026-10-03T15:30:00Z", "2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00" },

  /* America/Santiago skips 2026-09-06 00:00 (the day starts at 01:00),
   * repeats 2026-04-04 23:00 (a 25-hour day). */
  { "America/Santiago", SB_GRANULARITY_DAY, "2026-09-06T12:00:00-03:00", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00" },
  { "America/Santiago", SB_GRANULARITY_DAY, "2026-09-05T12:00:00-04:00", "2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00" },
  { "America/Santiago", SB_GRANULARITY_DAY, "2026-04-04T23:30:00-04:00", "2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00" },
  { "America/Santiago", SB_GRANULARITY_MONTH, "2026-09-20T12:00:00-03:00", "2026-09-01T00:00:00-04:00", "2026-10-01T00:00:00-03:00" },

  /* America/Havana repeats midnight on 2026-11-01: the day starts at the
   * first 00:00 (-04:00). */
  { "America/Havana", SB_GRANULARITY_DAY, "2026-11-01T04:30:00Z", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00" },
  { "America/Havana", SB_GRANULARITY_DAY, "2026-11-01T05:30:00Z", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00" },
  { "America/Havana", SB_GRANULARITY_DAY, "2026-11-01T03:59:59Z", "2026-10-31T00:00:00-04:00", "2026-11-01T00:00:00-04:00" },
  { "America/Havana", SB_GRANULARITY_MONTH, "2026-11-01T04:00:00Z", "2026-11-01T00:00:00-04:00", "2026-12-01T00:00:00-05:00" },
  { "America/Havana", SB_GRANULARITY_DAY, "2026-03-08T12:00:00-04:00", "2026-03-08T01:00:00-04:00", "2026-03-09T00:00:00-04:00" },

  /* Pacific/Apia skipped 2011-12-30 altogether. */
  { "Pacific/Apia", SB_GRANULARITY_DAY, "2011-12-30T09:59:59Z", "2011-12-29T00:00:00-10:00", "2011-12-31T00:00:00+14:00" },
  { "Pacific/Apia", SB_GRANULARITY_DAY, "2011-12-30T10:00:00Z", "2011-12-31T00:00:00+14:00", "2012-01-01T00:00:00+14:00" },

  /* The wall clock reads Nov 1 00:00 at 04:00Z, then Oct 31 23:30 again:
   * Nov 1 has begun, so that half hour belongs to it. */
  { BACK_OVER_MIDNIGHT, SB_GRANULARITY_DAY, "2026-11-01T04:45:00Z", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z" },
  { BACK_OVER_MIDNIGHT, SB_GRANULARITY_DAY, "2026-11-01T03:59:59Z", "2026-10-31T04:00:00Z", "2026-11-01T04:00:00Z" },
  { BACK_OVER_MIDNIGHT, SB_GRANULARITY_MONTH, "2026-11-01T04:45:00Z", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z" },
  { BACK_OVER_MIDNIGHT, SB_GRANULARITY_HOUR, "2026-11-01T04:45:00Z", "2026-11-01T04:30:00Z", "2026-11-01T05:00:00Z" },
  { BACK_OVER_MIDNIGHT, SB_GRANULARITY_HOUR, "2026-11-01T04:15:00Z", "2026-11-01T04:00:00Z", "2026-11-01T04:30:00Z" },
};

static void
test_bounds (gconstpointer data)
{
  const BoundsCase *c = data;
  g_autoptr(GTimeZone) tz = zone (c->zone);
  gint64 t = iso (c->t), floor = iso (c->floor), next = iso (c->next);

  g_assert_cmpint (sb_history_floor (c->granularity, tz, t), ==, floor);
  g_assert_cmpint (sb_history_next (c->granularity, tz, floor), ==, next);
  /* Any time inside the row gives the same next start. */
  g_assert_cmpint (sb_history_next (c->granularity, tz, t), ==, next);
  g_assert_cmpint (sb_history_floor (c->granularity, tz, next - 1), ==, floor);
  g_assert_cmpint (sb_history_floor (c->granularity, tz, next), ==, next);
}

/* floor/next tile time without gaps or overlaps: around every offset
 * change of the zones above (in all of them) and at random times. */
static void
test_bounds_consistent (void)
{
  static const char *const zones[] = {
    "UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kathmandu",
    "Australia/Adelaide", "Australia/Lord_Howe", "America/Santiago",
    "America/Havana", "Pacific/Apia", BACK_OVER_MIDNIGHT,
  };
  static const char *const changes[] = {
    "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z",
    "2026-11-01T06:00:00Z", "2026-04-04T16:30:00Z", "2026-10-03T16:30:00Z",
    "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z", "2026-04-05T03:00:00Z",
    "2026-09-06T04:00:00Z", "2026-03-08T05:00:00Z", "2026-11-01T05:00:00Z",
    "2011-12-30T10:00:00Z", "2026-11-01T04:30:00Z",
  };
  guint z, i;
  SbGranularity g;

  for (z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GTimeZone) tz = zone (zones[z]);

      for (g = SB_GRANULARITY_HOUR; g <= SB_GRANULARITY_MONTH; g++)
        {
          for (i = 0; i < G_N_ELEMENTS (changes) * 40 + 100; i++)
            {
              gint64 t, floor, next;

              /* Every 11 minutes from 3.5 hours before each change on. */
              if (i < G_N_ELEMENTS (changes) * 40)
                t = iso (changes[i / 40]) + ((gint64) (i % 40) - 20) * 660 + g_test_rand_int_range (0, 60);
              else
                t = (gint64) g_test_rand_double_range (0, 4102444800.0);

              floor = sb_history_floor (g, tz, t);
              next = sb_history_next (g, tz, t);
              if (!(floor <= t && t < next &&
                    sb_history_floor (g, tz, floor) == floor &&
                    sb_history_next (g, tz, floor) == next &&
                    sb_history_floor (g, tz, next) == next &&
                    sb_history_floor (g, tz, next - 1) == floor))
                g_error ("%s %s t=%" G_GINT64_FORMAT ": floor %" G_GINT64_FORMAT
                         " next %" G_GINT64_FORMAT,
                         zones[z], sb_granularity_to_string (g), t, floor, next);
            }
        }
    }
}

static void
test_granularity_names (void)
{
  static const struct {
    const char    *text;
    SbGranularity  granularity;
  } names[] = {
    { "hour", SB_GRANULARITY_HOUR },
    { "day", SB_GRANULARITY_DAY },
    { "week", SB_GRANULARITY_WEEK },
    { "month", SB_GRANULARITY_MONTH },
    { "Month", SB_GRANULARITY_MONTH },
  };
  static const char *const bad[] = { "fortnight", "", "hours", "daily", "d", "month ", "\xff" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      SbGranularity g = SB_GRANULARITY_HOUR + SB_GRANULARITY_MONTH - names[i].granularity;

      g_assert_true (sb_granularity_from_string (names[i].text, &g, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g, ==, names[i].granularity);
      g_assert_cmpint (g_ascii_strcasecmp (sb_granularity_to_string (g), names[i].text), ==, 0);
    }

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      SbGranularity g;

      g_assert_false (sb_granularity_from_string (bad[i], &g, &error));
      g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, "use hour, day, week or month"));
    }

  {
    g_autoptr(GError) error = NULL;
    SbGranularity g;

    g_assert_false (sb_granularity_from_string ("fortnight", &g, &error));
    g_assert_cmpstr (error->message, ==, "“fortnight” is not a granularity: use hour, day, week or month");
  }
}

static GArray *
buckets_new (void)
{
  return g_array_new (FALSE, TRUE, sizeof (SbBucketRow));
}

static void
add_bucket (GArray *buckets, gint64 start, guint64 rx, guint64 tx)
{
  SbBucketRow b = { .start = start, .rx = rx, .tx = tx, .roaming_rx = rx, .roaming_tx = tx };

  g_array_append_val (buckets, b);
}

typedef struct {
  gint64  start;
  guint64 rx;
  guint64 tx;
} ExpectedRow;

static void
assert_rows (const GArray *rows, const ExpectedRow *expected, guint n)
{
  guint i;

  g_assert_nonnull (rows);
  g_assert_cmpuint (g_array_get_element_size ((GArray *) rows), ==, sizeof (SbHistoryRow));
  g_assert_cmpuint (rows->len, ==, n);
  for (i = 0; i < n; i++)
    {
      const SbHistoryRow *row = &g_array_index (rows, SbHistoryRow, i);

      g_assert_cmpint (row->start, ==, expected[i].start);
      g_assert_cmpuint (row->rx, ==, expected[i].rx);
      g_assert_cmpuint (row->tx, ==, expected[i].tx);
    }
}

static void
test_aggregate_hours (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from = iso ("2026-05-01T10:00:00Z");
  ExpectedRow expected[] = {
    { from, 1 + 3, 2 + 4 },
    { from + 3600, 0, 0 },          /* empty rows are included */
    { from + 7200, 5, 6 },
  };

  add_bucket (buckets, from - 900, 100, 100);        /* ends at from: outside */
  add_bucket (buckets, from, 1, 2);
  add_bucket (buckets, from + 2700, 3, 4);
  add_bucket (buckets, from + 7200 + 900, 5, 6);
  add_bucket (buckets, from + 3 * 3600, 100, 100);   /* starts at to: outside */

  rows = sb_history_aggregate (SB_GRANULARITY_HOUR, tz, from, from + 3 * 3600, buckets, &error);
  g_assert_no_error (error);
  assert_rows (rows, expected, G_N_ELEMENTS (expected));
}

static void
test_aggregate_partial_rows (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 day = iso ("2026-05-01T00:00:00Z");
  gint64 from = iso ("2026-05-01T10:10:00Z"), to = iso ("2026-05-02T00:00:01Z");
  ExpectedRow expected[] = {
    { day, 2 + 4, 0 },
    { day + 86400, 8, 0 },
  };

  /* Not in order, to show order does not matter. */
  add_bucket (buckets, iso ("2026-05-02T00:00:00Z"), 8, 0);  /* intersects [to - 1, to) */
  add_bucket (buckets, iso ("2026-05-01T10:00:00Z"), 2, 0);  /* straddles from */
  add_bucket (buckets, iso ("2026-05-01T09:45:00Z"), 1, 0);  /* before from */
  add_bucket (buckets, iso ("2026-05-01T23:45:00Z"), 4, 0);
  add_bucket (buckets, iso ("2026-05-02T00:15:00Z"), 16, 0); /* after to */

  rows = sb_history_aggregate (SB_GRANULARITY_DAY, tz, from, to, buckets, &error);
  g_assert_no_error (error);
  assert_rows (rows, expected, G_N_ELEMENTS (expected));
}

/* Buckets exactly at a local midnight open the new day; the one before
 * closes the old one. */
static void
test_aggregate_boundaries (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mar28 = iso ("2026-03-28T00:00:00+01:00");
  gint64 mar29 = iso ("2026-03-29T00:00:00+01:00");
  gint64 mar30 = iso ("2026-03-30T00:00:00+02:00");
  ExpectedRow expected[] = {
    { mar28, 1, 10 },
    { mar29, 2 + 4, 20 + 40 },
    { mar30, 8, 80 },
  };

  add_bucket (buckets, mar29 - 900, 1, 10);
  add_bucket (buckets, mar29, 2, 20);
  add_bucket (buckets, mar30 - 900, 4, 40);
  add_bucket (buckets, mar30, 8, 80);

  rows = sb_history_aggregate (SB_GRANULARITY_DAY, tz, mar28, mar30 + 1, buckets, &error);
  g_assert_no_error (error);
  assert_rows (rows, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (mar30 - mar29, ==, 23 * 3600);
}

/* Hour rows across the short and the long day. */
static void
test_aggregate_dst_hours (void)
{
  static const struct {
    const char *zone;
    const char *day;
    const char *next_day;
    guint       hours;
  } days[] = {
    { "Europe/Berlin", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 },
    { "Europe/Berlin", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25 },
    { "America/New_York", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23 },
    { "America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25 },
    { "Asia/Kathmandu", "2026-03-29T00:00:00+05:45", "2026-03-30T00:00:00+05:45", 24 },
  };
  guint d, i;

  for (d = 0; d < G_N_ELEMENTS (days); d++)
    {
      g_autoptr(GTimeZone) tz = zone (days[d].zone);
      g_autoptr(GArray) buckets = buckets_new ();
      g_autoptr(GArray) rows = NULL;
      g_autoptr(GArray) day_rows = NULL;
      g_autoptr(GError) error = NULL;
      gint64 from = iso (days[d].day), to = iso (days[d].next_day), t;

      for (t = from; t < to; t += SB_BUCKET_SECONDS)
        add_bucket (buckets, t, 1, 2);

      rows = sb_history_aggregate (SB_GRANULARITY_HOUR, tz, from, to, buckets, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, days[d].hours);
      for (i = 0; i < rows->len; i++)
        {
          const SbHistoryRow *row = &g_array_index (rows, SbHistoryRow, i);

          g_assert_cmpint (row->start, ==, from + (gint64) i * 3600);
          g_assert_cmpuint (row->rx, ==, 4);
          g_assert_cmpuint (row->tx, ==, 8);
        }

      day_rows = sb_history_aggregate (SB_GRANULARITY_DAY, tz, from, to, buckets, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (day_rows->len, ==, 1);
      g_assert_cmpuint (g_array_index (day_rows, SbHistoryRow, 0).rx, ==, days[d].hours * 4);
    }
}

/* A leap year by month in Berlin, one byte per 15 minutes. */
static void
test_aggregate_months (void)
{
  static const guint days_in_month[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 from = iso ("2028-01-01T00:00:00+01:00"), to = iso ("2029-01-01T00:00:00+01:00"), t;
  guint m;

  for (t = from - 86400; t < to + 86400; t += SB_BUCKET_SECONDS)
    add_bucket (buckets, t, 1, 0);

  rows = sb_history_aggregate (SB_GRANULARITY_MONTH, tz, from, to, buckets, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 12);
  for (m = 0; m < 12; m++)
    {
      const SbHistoryRow *row = &g_array_index (rows, SbHistoryRow, m);
      g_autofree char *start = g_strdup_printf ("2028-%02u-01T00:00:00%s", m + 1,
                                                m >= 3 && m <= 9 ? "+02:00" : "+01:00");
      /* Four quarter hours fewer in March (DST starts), more in October. */
      guint64 quarters = days_in_month[m] * 96 - (m == 2 ? 4 : 0) + (m == 9 ? 4 : 0);

      g_assert_cmpint (row->start, ==, iso (start));
      g_assert_cmpuint (row->rx, ==, quarters);
    }
}

static void
test_aggregate_weeks (void)
{
  g_autoptr(GTimeZone) tz = zone ("Asia/Tokyo");
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  /* 2026-12-31 is a Thursday: its ISO week began on Monday 12-28. */
  rows = sb_history_aggregate (SB_GRANULARITY_WEEK, tz, iso ("2026-12-31T12:00:00+09:00"),
                               iso ("2027-01-12T00:00:00+09:00"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (g_array_index (rows, SbHistoryRow, 0).start, ==, iso ("2026-12-28T00:00:00+09:00"));
  g_assert_cmpint (g_array_index (rows, SbHistoryRow, 1).start, ==, iso ("2027-01-04T00:00:00+09:00"));
  g_assert_cmpint (g_array_index (rows, SbHistoryRow, 2).start, ==, iso ("2027-01-11T00:00:00+09:00"));
}

static void
test_aggregate_saturates (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  add_bucket (buckets, 0, G_MAXUINT64 - 1, 7);
  add_bucket (buckets, 900, 5, G_MAXUINT64);
  rows = sb_history_aggregate (SB_GRANULARITY_DAY, tz, 0, 86400, buckets, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpuint (g_array_index (rows, SbHistoryRow, 0).rx, ==, G_MAXUINT64);
  g_assert_cmpuint (g_array_index (rows, SbHistoryRow, 0).tx, ==, G_MAXUINT64);
}

static void
test_aggregate_empty_range (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  g_autoptr(GArray) buckets = buckets_new ();
  gint64 t = iso ("2026-05-01T10:00:00Z");
  SbGranularity g;

  add_bucket (buckets, t, 1, 1);
  for (g = SB_GRANULARITY_HOUR; g <= SB_GRANULARITY_MONTH; g++)
    {
      g_autoptr(GArray) rows = NULL;
      g_autoptr(GError) error = NULL;

      rows = sb_history_aggregate (g, tz, t, t, buckets, &error);
      g_assert_no_error (error);
      g_assert_nonnull (rows);
      g_assert_cmpuint (rows->len, ==, 0);
    }
}

/* The last representable rows: 9999-12 by month in UTC. */
static void
test_aggregate_year_9999 (void)
{
  g_autoptr(GTimeZone) utc = zone ("UTC");
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = iso ("9999-12-31T23:59:59Z") + 1;

  rows = sb_history_aggregate (SB_GRANULARITY_MONTH, utc, iso ("9999-01-01T00:00:00Z"), end, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 12);
  g_assert_cmpint (g_array_index (rows, SbHistoryRow, 11).start, ==, iso ("9999-12-01T00:00:00Z"));
  g_assert_cmpint (sb_history_next (SB_GRANULARITY_MONTH, utc, iso ("9999-12-01T00:00:00Z")), ==, G_MAXINT64);
}

typedef struct {
  const char    *zone;
  SbGranularity  granularity;
  const char    *from;
  const char    *to;
  const char    *diagnosis;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "UTC", SB_GRANULARITY_DAY, "2026-05-02T00:00:00Z", "2026-05-01T00:00:00Z", "is after the end" },
  { "UTC", SB_GRANULARITY_HOUR, "2026-05-01T00:00:01Z", "2026-05-01T00:00:00Z", "is after the end" },
  { "UTC", SB_GRANULARITY_DAY, "1969-12-31T23:59:59Z", "2026-05-01T00:00:00Z", "before 1970-01-01" },
  { "UTC", SB_GRANULARITY_MONTH, "9999-01-01T00:00:00Z", "9999-12-31T23:59:59Z", NULL }, /* to + 2 s below */
  { "Asia/Tokyo", SB_GRANULARITY_MONTH, "9999-01-01T00:00:00Z", "9999-12-31T15:00:01Z", "after 9999-12-31" },
  /* 1970 to 9999 by hour is refused from the estimate alone. */
  { "UTC", SB_GRANULARITY_HOUR, "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "is about" },
  { "Europe/Berlin", SB_GRANULARITY_DAY, "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "is about" },
  { "UTC", SB_GRANULARITY_MONTH, "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "is about" },
  /* Exactly one row too many. */
  { "UTC", SB_GRANULARITY_HOUR, "2026-01-01T00:00:00Z", "2028-04-13T08:00:01Z", "20001 rows" },
  { "UTC", SB_GRANULARITY_MONTH, "1970-01-01T00:00:00Z", "3636-09-01T00:00:01Z", "20001 rows" },
};

static void
test_aggregate_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  g_autoptr(GTimeZone) tz = zone (c->zone);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 to = iso (c->to);

  if (c->diagnosis == NULL)
    {
      /* 10000-01-01T00:00:00Z would be fine as an end, one second more is not. */
      rows = sb_history_aggregate (c->granularity, tz, iso (c->from), to + 1, NULL, &error);
      g_assert_no_error (error);
      g_clear_pointer (&rows, g_array_unref);
      rows = sb_history_aggregate (c->granularity, tz, iso (c->from), to + 2, NULL, &error);
      g_assert_null (rows);
      g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
      g_assert_nonnull (strstr (error->message, "after 9999-12-31"));
      return;
    }

  rows = sb_history_aggregate (c->granularity, tz, iso (c->from), to, NULL, &error);
  g_assert_null (rows);
  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (strstr (error->message, c->diagnosis) == NULL)
    g_error ("“%s” lacks “%s”", error->message, c->diagnosis);

  /* Too many rows: the advice names a coarser granularity, if any. */
  if (strstr (c->diagnosis, "about") != NULL || strstr (c->diagnosis, "rows") != NULL)
    {
      if (c->granularity == SB_GRANULARITY_MONTH)
        g_assert_nonnull (strstr (error->message, "use a shorter span"));
      else
        g_assert_nonnull (strstr (error->message,
                                  sb_granularity_to_string (c->granularity + 1)));
    }
}

/* The limit itself is allowed. */
static void
test_aggregate_max_rows (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  g_autoptr(GArray) hours = NULL;
  g_autoptr(GArray) months = NULL;
  g_autoptr(GError) error = NULL;

  hours = sb_history_aggregate (SB_GRANULARITY_HOUR, tz, iso ("2026-01-01T00:00:00Z"),
                                iso ("2028-04-13T08:00:00Z"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hours->len, ==, SB_HISTORY_MAX_ROWS);

  months = sb_history_aggregate (SB_GRANULARITY_MONTH, tz, 0,
                                 iso ("3636-09-01T00:00:00Z"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (months->len, ==, SB_HISTORY_MAX_ROWS);
}

/* The rows of a long range are exactly those that sb_history_floor() and
 * sb_history_next() define, one after the other: in zones with DST,
 * skipped and repeated midnights, half-hour changes and a skipped day,
 * over years of offset changes and in small windows around them. */
typedef struct {
  const char *zone;
  const char *from;
  const char *to;
} WalkCase;

static const WalkCase walk_cases[] = {
  { "UTC", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "Europe/Berlin", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "America/New_York", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "Asia/Kathmandu", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "Australia/Lord_Howe", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "America/Santiago", "2025-06-15T07:10:00Z", "2026-06-15T07:10:00Z" },
  { "America/Havana", "2025-06-15T07:10:00Z", "2026-12-15T07:10:00Z" },
  { "Pacific/Apia", "2011-06-15T00:00:00Z", "2012-06-15T00:00:00Z" },
  { "Africa/Casablanca", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z" },
  { BACK_OVER_MIDNIGHT, "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z" },
  { "Europe/Berlin", "1970-01-01T00:00:00Z", "1972-01-01T00:00:00Z" },
  { "Europe/Berlin", "2026-03-29T00:59:59Z", "2026-03-29T01:00:01Z" },
  { "Australia/Lord_Howe", "2026-04-04T14:59:00Z", "2026-04-04T15:01:00Z" },
  { "UTC", "9998-01-01T00:00:00Z", "9999-12-31T23:59:59Z" },
};

static void
test_aggregate_walk (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (walk_cases); i++)
    {
      const WalkCase *c = &walk_cases[i];
      g_autoptr(GTimeZone) tz = zone (c->zone);
      gint64 from = iso (c->from), to = iso (c->to);

      for (SbGranularity g = SB_GRANULARITY_HOUR; g <= SB_GRANULARITY_MONTH; g++)
        {
          g_autoptr(GArray) rows = NULL;
          g_autoptr(GError) error = NULL;
          guint n = 0;

          g_test_message ("%s %s from %s", c->zone, sb_granularity_to_string (g), c->from);
          rows = sb_history_aggregate (g, tz, from, to, NULL, &error);
          g_assert_no_error (error);
          for (gint64 start = sb_history_floor (g, tz, from); start < to;
               start = sb_history_next (g, tz, start), n++)
            {
              g_assert_cmpuint (n, <, rows->len);
              g_assert_cmpint (g_array_index (rows, SbHistoryRow, n).start, ==, start);
            }
          g_assert_cmpuint (n, ==, rows->len);
        }
    }
}

/* Buckets one at a time, in any order, come to what the array gives;
 * a range the array refuses, the aggregator refuses alike. */
static void
test_aggregator (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  g_autoptr(GArray) buckets = buckets_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gint64 from = iso ("2026-03-20T10:20:00+01:00"), to = iso ("2026-04-03T00:00:00+02:00"), t;

  for (t = from - 7200; t < to + 7200; t += SB_BUCKET_SECONDS)
    add_bucket (buckets, t, g_rand_int_range (rand, 0, 1000), 1);
  add_bucket (buckets, from, G_MAXUINT64, 0);   /* saturates its row */

  for (SbGranularity g = SB_GRANULARITY_HOUR; g <= SB_GRANULARITY_MONTH; g++)
    {
      g_autoptr(GArray) expected = NULL;
      g_autoptr(GArray) rows = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SbHistoryAggregator) aggregator = NULL;
      g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

      expected = sb_history_aggregate (g, tz, from, to, buckets, &error);
      g_assert_no_error (error);

      for (guint i = 0; i < buckets->len; i++)
        g_array_append_val (order, i);
      for (guint i = order->len - 1; i > 0; i--)
        {
          guint j = g_rand_int_range (rand, 0, (gint32) i + 1);
          guint swap = g_array_index (order, guint, i);

          g_array_index (order, guint, i) = g_array_index (order, guint, j);
          g_array_index (order, guint, j) = swap;
        }

      aggregator = sb_history_aggregator_new (g, tz, from, to, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < order->len; i++)
        sb_history_aggregator_add_bucket (&g_array_index (buckets, SbBucketRow,
                                                          g_array_index (order, guint, i)),
                                          aggregator);
      rows = sb_history_aggregator_finish (g_steal_pointer (&aggregator));

      g_assert_cmpuint (rows->len, ==, expected->len);
      g_assert_cmpmem (rows->data, rows->len * sizeof (SbHistoryRow),
                       expected->data, expected->len * sizeof (SbHistoryRow));
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GTimeZone) case_tz = zone (c->zone);
      g_autoptr(GError) array_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) rows = NULL;
      g_autoptr(SbHistoryAggregator) aggregator = NULL;
      gint64 case_to = iso (c->to) + (c->diagnosis == NULL ? 2 : 0);

      rows = sb_history_aggregate (c->granularity, case_tz, iso (c->from), case_to, NULL, &array_error);
      aggregator = sb_history_aggregator_new (c->granularity, case_tz, iso (c->from), case_to, &error);
      g_assert_null (rows);
      g_assert_null (aggregator);
      g_assert_nonnull (array_error);
      g_assert_error (error, array_error->domain, array_error->code);
      g_assert_cmpstr (error->message, ==, array_error->message);
    }
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (bounds_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/history/bounds/%u-%s-%s", i,
                                               sb_granularity_to_string (bounds_cases[i].granularity),
                                               bounds_cases[i].t);

      g_test_add_data_func (path, &bounds_cases[i], test_bounds);
    }
  g_test_add_func ("/history/bounds/consistent", test_bounds_consistent);
  g_test_add_func ("/history/granularity-names", test_granularity_names);
  g_test_add_func ("/history/aggregate/hours", test_aggregate_hours);
  g_test_add_func ("/history/aggregate/partial-rows", test_aggregate_partial_rows);
  g_test_add_func ("/history/aggregate/boundaries", test_aggregate_boundaries);
  g_test_add_func ("/history/aggregate/dst-hours", test_aggregate_dst_hours);
  g_test_add_func ("/history/aggregate/months-leap-year", test_aggregate_months);
  g_test_add_func ("/history/aggregate/iso-weeks", test_aggregate_weeks);
  g_test_add_func ("/history/aggregate/saturates", test_aggregate_saturates);
  g_test_add_func ("/history/aggregate/from-equals-to", test_aggregate_empty_range);
  g_test_add_func ("/history/aggregate/year-9999", test_aggregate_year_9999);
  g_test_add_func ("/history/aggregate/max-rows", test_aggregate_max_rows);
  g_test_add_func ("/history/aggregate/walk-matches-floor-next", test_aggregate_walk);
  g_test_add_func ("/history/aggregator/one-by-one", test_aggregator);
  for (i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/history/aggregate/invalid/%u", i);

      g_test_add_data_func (path, &invalid_cases[i], test_aggregate_invalid);
    }

  return g_test_run ();
}
