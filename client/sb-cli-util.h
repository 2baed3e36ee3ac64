/*
 * Pure helpers of the command line client: naming a profile, reading dates,
 * drawing bars, measuring text in terminal cells, phrasing times.
 */
#pragma once

#include <glib.h>

#include "sb-history.h"

G_BEGIN_DECLS

typedef struct {
  const char *iccid;
  const char *connection_id; /* (nullable) */
} SbCliProfileKey;

/*
 * Which of @keys @query names: an exact ICCID, else the exact id of the
 * connection bound to one, else a unique ending of an ICCID. Returns the
 * index, or -1 when none or several match; with several, @out_candidates
 * (if not NULL) receives their indices (guint) and is set to NULL otherwise.
 */
int sb_cli_match_profile (const SbCliProfileKey *keys,
                          guint                  n_keys,
                          const char            *query,
                          GArray               **out_candidates);

/*
 * A date on the command line, in @tz: "YYYY-MM-DD", an ISO 8601 date-time
 * (with or without an offset; "T" or a space between date and time),
 * "today", "yesterday" or "now". A whole day names its first second, or,
 * with @end_of_range, the second after its last (so "--until 2024-11-30"
 * includes November 30).
 */
gboolean sb_cli_parse_date (const char *text,
                            GTimeZone  *tz,
                            gint64      now,
                            gboolean    end_of_range,
                            gint64     *out_time,
                            GError    **error);

/* How many buckets `history` shows when no --since is given. */
guint sb_cli_history_default_count (SbGranularity granularity);

/* The start of the bucket @count - 1 buckets before the one holding
 * @to - 1, so that [result, @to) covers @count buckets. */
gint64 sb_cli_history_default_from (SbGranularity granularity,
                                    GTimeZone    *tz,
                                    gint64        to);

/* A bar of @value against @max, @cells terminal cells wide, drawn with
 * eighth blocks and padded with spaces to exactly @cells cells. A value
 * above zero always shows at least one eighth. */
char *sb_cli_bar (guint64 value, guint64 max, guint cells);

/* Terminal cells @text takes: wide (CJK) characters count two, combining
 * marks none. */
guint sb_cli_text_width (const char *text);

/* Appends @text padded with spaces to @width cells. */
void sb_cli_append_padded (GString    *out,
                           const char *text,
                           guint       width,
                           gboolean    align_right);

/* "…12345678": the last 8 characters of an ICCID, for narrow terminals. */
char *sb_cli_shorten_iccid (const char *iccid);

/* "in 3 days", "in 5 hours", "in 12 minutes", "3 days ago", … */
char *sb_cli_format_relative (gint64 when, gint64 now);

/* "Dec 1 00:00 JST" in @tz; the year is added when it is not @now's. */
char *sb_cli_format_time (gint64 when, GTimeZone *tz, gint64 now);

/* ISO 8601 with the offset of @tz, no fraction: "2024-12-01T00:00:00+09:00". */
char *sb_cli_format_iso8601 (gint64 when, GTimeZone *tz);

/* The zone named @id, or the local zone when @id is NULL, empty or unknown. */
GTimeZone *sb_cli_timezone_new (const char *id);

/* "UsedBytes" → "used_bytes": D-Bus property names as JSON keys. */
char *sb_cli_snake_case (const char *camel);

/* a + b, stopping at G_MAXUINT64. */
guint64 sb_cli_add_saturating (guint64 a, guint64 b);

G_END_DECLS
