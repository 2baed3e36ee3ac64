/* History rows: 15-minute UTC buckets summed into hours, days, ISO weeks
 * and months of a time zone. */
#define G_LOG_DOMAIN "sb-history"

#include "sb-history.h"

#include <glib/gi18n-lib.h>

#include "sb-error.h"
#include "sb-local-day.h"
#include "sb-store.h"

#define SECONDS_PER_HOUR 3600

static const char *const granularity_names[] = {
  [SB_GRANULARITY_HOUR] = "hour",
  [SB_GRANULARITY_DAY] = "day",
  [SB_GRANULARITY_WEEK] = "week",
  [SB_GRANULARITY_MONTH] = "month",
};

/* Nominal row lengths for the fast row-count estimate. Real rows are
 * never longer than twice these (a 25-hour day, a 31-day month). */
static const gint64 nominal_seconds[] = {
  [SB_GRANULARITY_HOUR] = SECONDS_PER_HOUR,
  [SB_GRANULARITY_DAY] = 86400,
  [SB_GRANULARITY_WEEK] = 7 * 86400,
  [SB_GRANULARITY_MONTH] = 2629746, /* 365.2425 / 12 days */
};

gboolean
sb_granularity_from_string (const char *text, SbGranularity *out, GError **error)
{
  guint i;

  g_return_val_if_fail (text != NULL, FALSE);

  for (i = 0; i < G_N_ELEMENTS (granularity_names); i++)
    {
      if (g_ascii_strcasecmp (text, granularity_names[i]) == 0)
        {
          if (out != NULL)
            *out = (SbGranularity) i;
          return TRUE;
        }
    }

  {
    /* Messages cross D-Bus: valid UTF-8, and short. */
    g_autofree char *valid = g_utf8_make_valid (text, -1);
    glong length = g_utf8_strlen (valid, -1);
    g_autofree char *head = g_utf8_substring (valid, 0, MIN (length, 40));
    g_autofree char *shown = g_strconcat (head, length > 40 ? "…" : "", NULL);

    g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                 _("“%s” is not a granularity: use hour, day, week or month"),
                 shown);
  }
  return FALSE;
}

const char *
sb_granularity_to_string (SbGranularity granularity)
{
  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), NULL);

  return granularity_names[granularity];
}

static gint
offset_at (GTimeZone *tz, gint64 t)
{
  return g_time_zone_get_offset (tz, g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t));
}

/* The first instant in (@lo, @hi] whose UTC offset differs from @lo's,
 * given that @hi's does. Offsets change at most once within an hour. */
static gint64
find_offset_change (GTimeZone *tz, gint64 lo, gint64 hi)
{
  gint lo_offset = offset_at (tz, lo);

  while (hi - lo > 1)
    {
      gint64 mid = lo + (hi - lo) / 2;

      if (offset_at (tz, mid) == lo_offset)
        lo = mid;
      else
        hi = mid;
    }
  return hi;
}

static gint64
positive_mod (gint64 a, gint64 m)
{
  gint64 r = a % m;

  return r < 0 ? r + m : r;
}

/* Hour rows are runs of one local hour at one UTC offset: when the clock
 * goes back, 01:00–02:00 happens twice and gives two rows (a 25-hour day
 * has 25 hour rows); a change of a non-whole hour cuts a row short. */
static gint64
hour_floor (GTimeZone *tz, gint64 t)
{
  gint offset = offset_at (tz, t);
  gint64 start = t - positive_mod (t + offset, SECONDS_PER_HOUR);

  if (offset_at (tz, start) != offset)
    start = find_offset_change (tz, start, t);
  return start;
}

static gint64
hour_next (GTimeZone *tz, gint64 t)
{
  gint64 start = hour_floor (tz, t);
  gint offset = offset_at (tz, start);
  gint64 next = start - positive_mod (start + offset, SECONDS_PER_HOUR) + SECONDS_PER_HOUR;

  if (offset_at (tz, next - 1) != offset)
    next = find_offset_change (tz, start, next - 1);
  return next;
}

static void
period_first_day (SbGranularity granularity, GDate *date)
{
  switch (granularity)
    {
    case SB_GRANULARITY_WEEK:
      g_date_subtract_days (date, g_date_get_weekday (date) - G_DATE_MONDAY);
      break;
    case SB_GRANULARITY_MONTH:
      g_date_set_day (date, 1);
      break;
    case SB_GRANULARITY_HOUR:
    case SB_GRANULARITY_DAY:
    default:
      break;
    }
}

static void
period_advance (SbGranularity granularity, GDate *date)
{
  switch (granularity)
    {
    case SB_GRANULARITY_WEEK:
      g_date_add_days (date, 7);
      break;
    case SB_GRANULARITY_MONTH:
      g_date_add_months (date, 1);
      break;
    case SB_GRANULARITY_HOUR:
    case SB_GRANULARITY_DAY:
    default:
      g_date_add_days (date, 1);
      break;
    }
}

/* Start of the day/week/month row containing @t and of the next one.
 * FALSE when @t's local date is beyond what GDateTime represents. */
static gboolean
calendar_bounds (SbGranularity granularity, GTimeZone *tz, gint64 t,
                 gint64 *out_start, gint64 *out_next)
{
  GDate date;
  gint64 start, next;

  if (!sb_local_date (tz, t, &date))
    return FALSE;
  period_first_day (granularity, &date);
  start = sb_local_midnight (tz, &date);
  period_advance (granularity, &date);
  next = sb_local_midnight (tz, &date);

  /* After the clock went back across midnight, @t may read yesterday's
   * date although today has begun (and a skipped day makes two periods
   * start together): the row is the latest one that has started. */
  while (next <= t)
    {
      start = next;
      period_advance (granularity, &date);
      next = sb_local_midnight (tz, &date);
    }

  *out_start = start;
  *out_next = next;
  return TRUE;
}

gint64
sb_history_floor (SbGranularity granularity, GTimeZone *tz, gint64 t)
{
  gint64 start, next;

  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), t);
  g_return_val_if_fail (tz != NULL, t);

  if (granularity == SB_GRANULARITY_HOUR)
    return hour_floor (tz, t);
  if (!calendar_bounds (granularity, tz, t, &start, &next))
    return t;
  return start;
}

gint64
sb_history_next (SbGranularity granularity, GTimeZone *tz, gint64 start)
{
  gint64 floor, next;

  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), G_MAXINT64);
  g_return_val_if_fail (tz != NULL, G_MAXINT64);

  if (granularity == SB_GRANULARITY_HOUR)
    return hour_next (tz, start);
  if (!calendar_bounds (granularity, tz, start, &floor, &next))
    return G_MAXINT64;
  return next;
}

/* ISO 8601 in @tz for messages, the raw number when out of range. */
static char *
describe_time (GTimeZone *tz, gint64 t)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;

  if (local == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, t);
  return g_date_time_format_iso8601 (local);
}

static void
set_too_many_rows (GError **error, SbGranularity granularity, GTimeZone *tz,
                   gint64 from, gint64 to, guint rows, gboolean estimated)
{
  g_autofree char *from_text = describe_time (tz, from);
  g_autofree char *to_text = describe_time (tz, to);
  g_autofree char *summary = NULL;
  g_autofree char *advice = NULL;
  const char *name = granularity_names[granularity];

  if (estimated)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "From %s to %s by %s is about %u row, more than the %u allowed",
                                            "From %s to %s by %s is about %u rows, more than the %u allowed",
                                            rows),
                               from_text, to_text, name, rows, (guint) SB_HISTORY_MAX_ROWS);
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "From %s to %s by %s is %u row, more than the %u allowed",
                                            "From %s to %s by %s is %u rows, more than the %u allowed",
                                            rows),
                               from_text, to_text, name, rows, (guint) SB_HISTORY_MAX_ROWS);

  if (granularity == SB_GRANULARITY_MONTH)
    advice = g_strdup (_("use a shorter span"));
  else
    advice = g_strdup_printf (_("use a coarser granularity such as %s, or a shorter span"),
                              granularity_names[granularity + 1]);

  /* TRANSLATORS: a sentence about a request, then advice */
  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS, _("%s: %s"), summary, advice);
}

static gboolean
validate_range (GTimeZone *tz, gint64 from, gint64 to, GError **error)
{
  g_autoptr(GDateTime) last_utc = NULL;
  g_autoptr(GDateTime) last = NULL;

  if (from < 0)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autofree char *from_text = describe_time (utc, from);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("The start %s is before 1970-01-01: use a time from 1970 on"),
                   from_text);
      return FALSE;
    }

  if (from > to)
    {
      g_autofree char *from_text = describe_time (tz, from);
      g_autofree char *to_text = describe_time (tz, to);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("The start %s is after the end %s: give the earlier time first"),
                   from_text, to_text);
      return FALSE;
    }

  /* Rows are cut with GDateTime, which ends at 9999-12-31 local time. */
  if (to > 0)
    {
      last_utc = g_date_time_new_from_unix_utc (to - 1);
      last = last_utc != NULL ? g_date_time_to_timezone (last_utc, tz) : NULL;
    }
  if (to > 0 && last == NULL)
    {
      g_autofree char *to_text = describe_time (tz, to);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("The end %s is after 9999-12-31 in the time zone %s: use an earlier time"),
                   to_text, g_time_zone_get_identifier (tz));
      return FALSE;
    }

  return TRUE;
}

/* ---- walking rows ------------------------------------------------------
 * sb_history_floor() and sb_history_next() are the definition of a row;
 * each asks GTimeZone, which looks intervals up by a linear scan, many
 * times. A year by hour is 8,760 rows. The walk below asks only where
 * the UTC offset stays the same: inside such a stretch the next row
 * starts at plain arithmetic distance, and wherever the stretch ends or
 * the row does not start on the local grid, the definition answers. */

/* [first, last]: seconds of one interval of the zone, one UTC offset. */
typedef struct {
  GTimeZone *tz;
  gint64     first;
  gint64     last;
  gint       interval;
  gint       offset;
} Stretch;

static gint
interval_at (GTimeZone *tz, gint64 t)
{
  return g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, t);
}

/* Points @s at the interval containing @t, from @t to its last second.
 * Intervals are ordered in time, so their index never falls as t grows:
 * the end is found by doubling steps, then bisection. */
static void
stretch_find (Stretch *s, gint64 t)
{
  gint64 in = t, out = G_MAXINT64, step = SECONDS_PER_HOUR;

  s->first = t;
  s->interval = interval_at (s->tz, t);
  s->offset = g_time_zone_get_offset (s->tz, s->interval);

  for (;;)
    {
      gint64 probe = in > G_MAXINT64 - step ? G_MAXINT64 : in + step;

      if (interval_at (s->tz, probe) != s->interval)
        {
          out = probe;
          break;
        }
      if (probe == G_MAXINT64)
        {
          s->last = G_MAXINT64;
          return;
        }
      in = probe;
      step = step > G_MAXINT64 / 2 ? G_MAXINT64 : 2 * step;
    }
  while (out - in > 1)
    {
      gint64 mid = in + (out - in) / 2;

      if (interval_at (s->tz, mid) == s->interval)
        in = mid;
      else
        out = mid;
    }
  s->last = in;
}

/* TRUE when the offset is the same from @a to @b (a <= b), @a's offset
 * in *@offset. */
static gboolean
stretch_covers (Stretch *s, gint64 a, gint64 b, gint *offset)
{
  if (a < s->first || a > s->last)
    stretch_find (s, a);
  *offset = s->offset;
  return b <= s->last;
}

/* The row after the one starting at @start, which a walk from
 * sb_history_floor() reached. */
static gint64
walk_next (SbGranularity granularity, Stretch *s, gint64 start)
{
  gint64 local, next;
  gint offset;
  GDate date, first;

  if (granularity == SB_GRANULARITY_HOUR)
    {
      next = start + SECONDS_PER_HOUR;
      /* On the hour and one offset for the whole hour. */
      if (start <= G_MAXINT64 - SECONDS_PER_HOUR &&
          stretch_covers (s, start, next, &offset) &&
          positive_mod (start + offset, SECONDS_PER_HOUR) == 0)
        return next;
      return sb_history_next (granularity, s->tz, start);
    }

  /* A calendar row from local midnight of its first day. */
  if (!stretch_covers (s, start, start, &offset))
    return sb_history_next (granularity, s->tz, start);
  local = start + offset;
  if (positive_mod (local, 86400) != 0)
    return sb_history_next (granularity, s->tz, start);

  g_date_clear (&date, 1);
  /* Julian day 719163 is 1970-01-01; rows start after 1969-12-28. */
  g_date_set_julian (&date, (guint32) (local / 86400 + 719163));
  first = date;
  period_first_day (granularity, &first);
  if (g_date_compare (&first, &date) != 0)
    return sb_history_next (granularity, s->tz, start);
  period_advance (granularity, &date);
  if (g_date_get_year (&date) > 9999)
    return sb_history_next (granularity, s->tz, start);

  next = start + (gint64) (g_date_get_julian (&date) - g_date_get_julian (&first)) * 86400;
  if (stretch_covers (s, start, next, &offset))
    return next;
  return sb_history_next (granularity, s->tz, start);
}

/* Index of the row holding @t (rows[0].start <= t), starting the search
 * at *@hint: sorted buckets move it forward a row at a time. */
static guint
find_row (const GArray *rows, gint64 t, guint *hint)
{
  guint lo = 0, hi = rows->len;
  guint r = *hint;

  if (r < rows->len && g_array_index (rows, SbHistoryRow, r).start <= t)
    {
      if (r + 1 == rows->len || t < g_array_index (rows, SbHistoryRow, r + 1).start)
        return r;
      if (r + 2 == rows->len || t < g_array_index (rows, SbHistoryRow, r + 2).start)
        return *hint = r + 1;
      lo = r + 2;
    }

  /* Last row whose start is <= t. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (rows, SbHistoryRow, mid).start <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return *hint = lo - 1;
}

static guint64
add_saturating (guint64 a, guint64 b)
{
  guint64 sum;

  return g_uint64_checked_add (&sum, a, b) ? sum : G_MAXUINT64;
}

/* SbHistoryRow is laid out as the D-Bus type (xtt). */
G_STATIC_ASSERT (sizeof (SbHistoryRow) == 3 * sizeof (guint64));
G_STATIC_ASSERT (G_STRUCT_OFFSET (SbHistoryRow, rx) == sizeof (guint64));
G_STATIC_ASSERT (G_STRUCT_OFFSET (SbHistoryRow, tx) == 2 * sizeof (guint64));

struct _SbHistoryAggregator {
  GArray *rows;   /* (owned) SbHistoryRow */
  gint64  from;
  gint64  to;
  guint   hint;   /* row of the last bucket */
};

SbHistoryAggregator *
sb_history_aggregator_new (SbGranularity granularity, GTimeZone *tz,
                           gint64 from, gint64 to, GError **error)
{
  g_autoptr(SbHistoryAggregator) self = NULL;
  Stretch stretch = { .tz = tz, .first = 1, .last = 0 };
  gint64 start, estimate;
  guint n_rows = 0;

  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), NULL);
  g_return_val_if_fail (tz != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_range (tz, from, to, error))
    return NULL;

  self = g_new0 (SbHistoryAggregator, 1);
  self->from = from;
  self->to = to;
  if (from == to)
    {
      self->rows = g_array_new (FALSE, TRUE, sizeof (SbHistoryRow));
      return g_steal_pointer (&self);
    }

  /* Refuse 1970..9999 by hour without walking 70 million hours: no row
   * is longer than twice its nominal length, so this is a safe bound. */
  estimate = (to - from) / nominal_seconds[granularity];
  if (estimate > 2 * SB_HISTORY_MAX_ROWS)
    {
      set_too_many_rows (error, granularity, tz, from, to, (guint) estimate, TRUE);
      return NULL;
    }

  /* One walk: rows are kept up to the limit, counted to the end for
   * the message. */
  self->rows = g_array_sized_new (FALSE, TRUE, sizeof (SbHistoryRow),
                                  (guint) MIN (estimate + 2, SB_HISTORY_MAX_ROWS));
  for (start = sb_history_floor (granularity, tz, from); start < to;
       start = walk_next (granularity, &stretch, start))
    {
      if (++n_rows <= SB_HISTORY_MAX_ROWS)
        {
          SbHistoryRow row = { .start = start };

          g_array_append_val (self->rows, row);
        }
    }
  if (n_rows > SB_HISTORY_MAX_ROWS)
    {
      set_too_many_rows (error, granularity, tz, from, to, n_rows, FALSE);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
sb_history_aggregator_add (SbHistoryAggregator *self, const SbBucketRow *bucket)
{
  SbHistoryRow *row;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bucket != NULL);

  /* Only buckets that intersect [from, to) count, each in the row that
   * contains its start. */
  if (self->rows->len == 0 || bucket->start >= self->to ||
      bucket->start <= self->from - SB_BUCKET_SECONDS ||
      bucket->start < g_array_index (self->rows, SbHistoryRow, 0).start)
    return;
  row = &g_array_index (self->rows, SbHistoryRow,
                        find_row (self->rows, bucket->start, &self->hint));
  row->rx = add_saturating (row->rx, bucket->rx);
  row->tx = add_saturating (row->tx, bucket->tx);
}

void
sb_history_aggregator_add_bucket (const SbBucketRow *bucket, gpointer aggregator)
{
  sb_history_aggregator_add (aggregator, bucket);
}

GArray *
sb_history_aggregator_finish (SbHistoryAggregator *self)
{
  GArray *rows;

  g_return_val_if_fail (self != NULL, NULL);

  rows = g_steal_pointer (&self->rows);
  sb_history_aggregator_free (self);
  return rows;
}

void
sb_history_aggregator_free (SbHistoryAggregator *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->rows, g_array_unref);
  g_free (self);
}

GArray *
sb_history_aggregate (SbGranularity granularity, GTimeZone *tz,
                      gint64 from, gint64 to,
                      const GArray *buckets, GError **error)
{
  SbHistoryAggregator *self;

  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), NULL);
  g_return_val_if_fail (tz != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = sb_history_aggregator_new (granularity, tz, from, to, error);
  if (self == NULL)
    return NULL;
  for (guint i = 0; buckets != NULL && i < buckets->len; i++)
    sb_history_aggregator_add (self, &g_array_index (buckets, SbBucketRow, i));
  return sb_history_aggregator_finish (self);
}
