/* History aggregation: 15-minute buckets to hour/day/week/month rows cut in
 * a time zone. Pure logic. */
#pragma once

#include <glib.h>

#include "sb-store.h"

G_BEGIN_DECLS

typedef enum {
  SB_GRANULARITY_HOUR,
  SB_GRANULARITY_DAY,
  SB_GRANULARITY_WEEK,   /* ISO weeks, Monday 00:00 */
  SB_GRANULARITY_MONTH,
} SbGranularity;

#define SB_HISTORY_MAX_ROWS 20000

/* Laid out as the D-Bus type (xtt): an array of rows is a reply of
 * GetHistory as it is (g_variant_new_fixed_array()). */
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

/* sb_history_aggregate() a bucket at a time, for buckets that come one
 * by one (sb_store_foreach_bucket()) rather than in an array.
 * _new() validates exactly as sb_history_aggregate() does (NULL and the
 * same error) and lays out the empty rows, so the range is refused
 * before anything is read; _add() counts one bucket under the same
 * rules, in any order; _finish() gives the SbHistoryRow elements and
 * frees the aggregator. */
typedef struct _SbHistoryAggregator SbHistoryAggregator;

SbHistoryAggregator *sb_history_aggregator_new    (SbGranularity granularity, GTimeZone *tz,
                                                   gint64 from, gint64 to, GError **error);
void                 sb_history_aggregator_add    (SbHistoryAggregator *self,
                                                   const SbBucketRow   *bucket);
/* sb_history_aggregator_add() as an SbBucketFunc: @aggregator is the
 * SbHistoryAggregator. */
void                 sb_history_aggregator_add_bucket (const SbBucketRow *bucket,
                                                       gpointer           aggregator);
GArray              *sb_history_aggregator_finish (SbHistoryAggregator *self);
void                 sb_history_aggregator_free   (SbHistoryAggregator *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbHistoryAggregator, sb_history_aggregator_free)

G_END_DECLS
