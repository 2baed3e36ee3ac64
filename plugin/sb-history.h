/* History aggregation: 15-minute buckets to hour/day/week/month rows cut in
 * a time zone. Pure logic. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SB_GRANULARITY_HOUR,
  SB_GRANULARITY_DAY,
  SB_GRANULARITY_WEEK,   /* ISO weeks, Monday 00:00 */
  SB_GRANULARITY_MONTH,
} SbGranularity;

#define SB_HISTORY_MAX_ROWS 20000

typedef struct {
  gint64  start;
  guint64 rx;
  guint64 tx;
} SbHistoryRow;

/* "hour", "day", "week", "month", matched case-insensitively. */
gboolean sb_granularity_from_string (const char *text, SbGranularity *out, GError **error);
const char *sb_granularity_to_string (SbGranularity granularity);

/* Start of the bucket of @granularity containing @t, in @tz.
 * Hour rows follow the local clock at one UTC offset: when the clock goes
 * back, the repeated hour gives a second row (a 25-hour day has 25 hour
 * rows), and an offset change of a non-whole hour (Australia/Lord_Howe)
 * cuts a row short. Days, weeks and months start at the first instant
 * the wall clock reads 00:00 of their first day, or the end of the gap
 * when that midnight is skipped. For those, returns @t when its local
 * date is past 9999-12-31. */
gint64 sb_history_floor (SbGranularity granularity, GTimeZone *tz, gint64 t);
/* Start of the next bucket after the one starting at @start (any time in
 * the bucket gives the same answer); G_MAXINT64 when that start would be
 * past 9999-12-31 local time. */
gint64 sb_history_next  (SbGranularity granularity, GTimeZone *tz, gint64 start);

/* Validates [@from, @to) (from <= to, row count <= SB_HISTORY_MAX_ROWS,
 * times within years 1970..9999) and sums @buckets (SbBucketRow from
 * sb-store.h, ascending) into rows covering every bucket that intersects
 * the range, empty ones included: first row starts at floor(@from), last
 * row is the one containing @to - 1. from == to gives no rows.
 * Returns SbHistoryRow elements. A bucket counts when [start, start + 15
 * min) intersects [@from, @to), in the row containing its start; others
 * are ignored; @buckets may be NULL (all rows empty) and its order is
 * not relied on. Sums saturate at G_MAXUINT64. Valid times: @from >= 0
 * (1970-01-01 UTC) and @to - 1 no later than 9999-12-31 in @tz.
 * Errors: SB_ERROR_INVALID_ARGS with a message a person can act on. */
GArray *sb_history_aggregate (SbGranularity granularity, GTimeZone *tz,
                              gint64 from, gint64 to,
                              const GArray *buckets, GError **error);

G_END_DECLS
