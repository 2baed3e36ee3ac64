/* sb_history_aggregate with fuzzed arguments. The input is text:
 *   GRANULARITY ZONE FROM TO
 *   START RX TX        (one 15-minute bucket per line, up to 64)
 * ZONE is an IANA id (validated as simbudget.timezone is) or, without a
 * slash, a POSIX TZ rule such as the daemon's own TZ may hold. Rows must
 * tile [floor(FROM), TO) with each bucket summed into the row holding its
 * start, as a plain linear scan finds it. */
#define G_LOG_DOMAIN "fuzz-history"

#include "fuzz.h"
#include "sb-history.h"
#include "sb-plan.h"
#include "sb-store.h"

#define MAX_BUCKETS 64
#define ZONE_MAX    64

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static GTimeZone *
zone_from (const char *id)
{
  g_autoptr(GHashTable) data = NULL;
  g_autoptr(SbPlan) plan = NULL;

  if (*id == '\0' || strlen (id) > ZONE_MAX)
    return NULL;
  if (strchr (id, '/') == NULL && strcmp (id, "UTC") != 0)
    return g_time_zone_new_identifier (id);

  data = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (data, (gpointer) SB_KEY_TIMEZONE, (gpointer) id);
  plan = sb_plan_parse (data, NULL);
  return plan != NULL ? g_time_zone_ref (plan->tz) : NULL;
}

static guint64
add_saturating (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* Each row runs up to the next one; the last one covers TO - 1. */
static void
check_rows (SbGranularity gran, GTimeZone *tz, gint64 from, gint64 to, const GArray *rows)
{
  const SbHistoryRow *first, *last;

  FUZZ_CHECK (rows->len <= SB_HISTORY_MAX_ROWS);
  if (from == to)
    {
      FUZZ_CHECK (rows->len == 0);
      return;
    }
  FUZZ_CHECK (rows->len > 0);
  first = &g_array_index (rows, SbHistoryRow, 0);
  last = &g_array_index (rows, SbHistoryRow, rows->len - 1);
  FUZZ_CHECK (first->start == sb_history_floor (gran, tz, from));
  FUZZ_CHECK (first->start <= from);
  FUZZ_CHECK (last->start < to);
  FUZZ_CHECK (sb_history_next (gran, tz, last->start) >= to);
  for (guint i = 0; i + 1 < rows->len; i++)
    {
      gint64 start = g_array_index (rows, SbHistoryRow, i).start;
      gint64 next = g_array_index (rows, SbHistoryRow, i + 1).start;

      FUZZ_CHECK (start < next);
      FUZZ_CHECK (sb_history_next (gran, tz, start) == next);
      FUZZ_CHECK (sb_history_floor (gran, tz, next - 1) == start);
      FUZZ_CHECK (sb_history_floor (gran, tz, next) == next);
    }
}

static void
check_sums (gint64 from, gint64 to, const GArray *buckets, const GArray *rows)
{
  g_autofree guint64 *rx = g_new0 (guint64, rows->len + 1);
  g_autofree guint64 *tx = g_new0 (guint64, rows->len + 1);

  for (guint b = 0; b < buckets->len; b++)
    {
      const SbBucketRow *bucket = &g_array_index (buckets, SbBucketRow, b);
      guint found = rows->len;

      if (bucket->start >= to || bucket->start + SB_BUCKET_SECONDS <= from)
        continue;
      for (guint r = 0; r < rows->len; r++)
        if (g_array_index (rows, SbHistoryRow, r).start <= bucket->start)
          found = r;
      if (found == rows->len)
        continue;
      rx[found] = add_saturating (rx[found], bucket->rx);
      tx[found] = add_saturating (tx[found], bucket->tx);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      const SbHistoryRow *row = &g_array_index (rows, SbHistoryRow, r);

      if (row->rx != rx[r] || row->tx != tx[r])
        {
          g_printerr ("row %u at %" G_GINT64_FORMAT ": %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                      ", a scan gives %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\n",
                      r, row->start, row->rx, row->tx, rx[r], tx[r]);
          abort ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string (data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", MAX_BUCKETS + 2);
  g_auto(GStrv) head = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GArray) buckets = g_array_new (FALSE, TRUE, sizeof (SbBucketRow));
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  SbGranularity gran;
  gint64 from, to;

  if (lines[0] == NULL)
    return 0;
  head = g_strsplit (lines[0], " ", 4);
  if (g_strv_length (head) != 4)
    return 0;
  if (!sb_granularity_from_string (head[0], &gran, &error))
    {
      fuzz_check_error (error);
      return 0;
    }
  tz = zone_from (head[1]);
  if (tz == NULL)
    return 0;
  from = g_ascii_strtoll (head[2], NULL, 10);
  to = g_ascii_strtoll (head[3], NULL, 10);

  for (guint i = 1; lines[i] != NULL && i <= MAX_BUCKETS; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 3);
      SbBucketRow bucket = { 0 };

      if (g_strv_length (f) != 3)
        continue;
      bucket.start = g_ascii_strtoll (f[0], NULL, 10);
      bucket.rx = g_ascii_strtoull (f[1], NULL, 10);
      bucket.tx = g_ascii_strtoull (f[2], NULL, 10);
      g_array_append_val (buckets, bucket);
    }

  rows = sb_history_aggregate (gran, tz, from, to, buckets, &error);
  if (rows == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  check_rows (gran, tz, from, to, rows);
  check_sums (from, to, buckets, rows);
  return 0;
}
