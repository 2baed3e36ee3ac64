#include "sb-local-day.h"

gboolean
sb_local_date (GTimeZone *tz,
               gint64     t,
               GDate     *out)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return FALSE;
  local = g_date_time_to_timezone (utc, tz);
  if (local == NULL)
    return FALSE;

  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
  return TRUE;
}

gint64
sb_local_midnight (GTimeZone   *tz,
                   const GDate *date)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 start, wall, earlier;
  gint interval;

  if (g_date_get_year (date) > 9999)
    return G_MAXINT64;
  dt = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                        g_date_get_day (date), 0, 0, 0);
  if (dt == NULL)
    return G_MAXINT64;

  /* A skipped midnight already comes back as the end of the gap. A
   * midnight that happens twice (the clock set back across it) comes back
   * as the later one; the day begins at the first. */
  start = g_date_time_to_unix (dt);
  interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, start);
  if (interval > 0)
    {
      wall = start + g_time_zone_get_offset (tz, interval);
      earlier = wall - g_time_zone_get_offset (tz, interval - 1);
      if (earlier < start &&
          g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, earlier) == interval - 1)
        start = earlier;
    }
  return start;
}
