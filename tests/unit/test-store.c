/* SQLite store: every row type round-trips, buckets floor and sum right,
 * files that are not ours (newer, corrupt, damaged) are refused. */
#define _GNU_SOURCE   /* unshare () */
#include "sb-store.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#define BIT63 (G_GUINT64_CONSTANT (1) << 63)

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;     /* dir/state.db, not created */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "state.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* state.db and whatever SQLite left next to it (-wal, -shm, -journal) */
  dir = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_remove (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static SbStore *
open_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  SbStore *store = sb_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Opening @path fails with @code and a message that holds @part. */
static void
assert_open_refused (const char *path,
                     gint        code,
                     const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbStore) store = sb_store_open (path, &error);

  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, part));
}

/* A second, plain SQLite connection, to shape files behind the store. */
static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* The first column of @sql's first row, read on a plain connection. */
static void
assert_query (const char *path,
              const char *sql,
              const char *expected)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (text, ==, expected);
}

static char *
file_checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, length, &error);
  g_assert_no_error (error);
}

static void
assert_profile_equal (const SbProfileRow *a,
                      const SbProfileRow *b)
{
  g_assert_cmpstr (a->iccid, ==, b->iccid);
  g_assert_cmpstr (a->eid, ==, b->eid);
  g_assert_cmpstr (a->sim_type, ==, b->sim_type);
  g_assert_cmpstr (a->operator_name, ==, b->operator_name);
  g_assert_cmpint (a->first_seen, ==, b->first_seen);
  g_assert_cmpint (a->last_seen, ==, b->last_seen);
  g_assert_cmpuint (a->total_rx, ==, b->total_rx);
  g_assert_cmpuint (a->total_tx, ==, b->total_tx);
  g_assert_cmpint (a->period_start, ==, b->period_start);
  g_assert_cmpuint (a->period_rx, ==, b->period_rx);
  g_assert_cmpuint (a->period_tx, ==, b->period_tx);
  g_assert_cmpint (a->period_correction, ==, b->period_correction);
}

static void
assert_snapshot_equal (const SbSnapshotRow *a,
                       const SbSnapshotRow *b)
{
  g_assert_cmpstr (a->bearer_key, ==, b->bearer_key);
  g_assert_cmpstr (a->iccid, ==, b->iccid);
  g_assert_cmpint (a->snap.valid, ==, b->snap.valid);
  g_assert_cmpuint (a->snap.last.session, ==, b->snap.last.session);
  g_assert_cmpuint (a->snap.last.rx, ==, b->snap.last.rx);
  g_assert_cmpuint (a->snap.last.tx, ==, b->snap.last.tx);
  g_assert_cmpint (a->snap.last.has_totals, ==, b->snap.last.has_totals);
  g_assert_cmpuint (a->snap.last.total_rx, ==, b->snap.last.total_rx);
  g_assert_cmpuint (a->snap.last.total_tx, ==, b->snap.last.total_tx);
  g_assert_cmpint (a->updated, ==, b->updated);
}

static void
assert_event_equal (const SbEventRow *a,
                    const SbEventRow *b)
{
  g_assert_cmpint (a->time, ==, b->time);
  g_assert_cmpstr (a->iccid, ==, b->iccid);
  g_assert_cmpstr (a->kind, ==, b->kind);
  g_assert_cmpint (a->value, ==, b->value);
  g_assert_cmpstr (a->detail, ==, b->detail);
}

static void
assert_buckets_equal (GArray            *got,
                      const SbBucketRow *expected,
                      guint              n)
{
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < got->len; i++)
    {
      const SbBucketRow *a = &g_array_index (got, SbBucketRow, i);

      g_assert_cmpint (a->start, ==, expected[i].start);
      g_assert_cmpuint (a->rx, ==, expected[i].rx);
      g_assert_cmpuint (a->tx, ==, expected[i].tx);
      g_assert_cmpuint (a->roaming_rx, ==, expected[i].roaming_rx);
      g_assert_cmpuint (a->roaming_tx, ==, expected[i].roaming_tx);
    }
}

static GArray *
get_buckets_ok (SbStore    *store,
                const char *iccid,
                gint64      from,
                gint64      to)
{
  g_autoptr(GError) error = NULL;
  GArray *rows = sb_store_get_buckets (store, iccid, from, to, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

static void
add_usage_ok (SbStore    *store,
              const char *iccid,
              gint64      when,
              gboolean    roaming,
              guint64     rx,
              guint64     tx)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sb_store_add_usage (store, iccid, when, roaming, rx, tx, &error));
  g_assert_no_error (error);
}

/* ---- data ------------------------------------------------------------- */

static const SbProfileRow profiles[] = {
  { "8981100000000000003", "89049032000000000000000000000001", "esim", "Telia",
    1700000000, 1700003600, 12345, 678, 1698796800, 1000, 200, -300 },
  { "8981100000000000001", NULL, "physical", NULL,
    0, 0, G_MAXUINT64, G_MAXUINT64, 0, G_MAXUINT64, G_MAXUINT64 - 1, G_MININT64 },
  { "8981100000000000002", "", "unknown", "Op\xc3\xa9rateur 'quoted' \"x\"",
    G_MININT64, G_MAXINT64, BIT63, BIT63 - 1, -1, BIT63 + 1, 1, G_MAXINT64 },
};

static const SbSnapshotRow snapshots[] = {
  { "mm:1.7:/org/freedesktop/ModemManager1/Bearer/0", "8981100000000000001",
    { TRUE, { 1700000000, 5000, 700, TRUE, 9000, 1200 } }, 1700000100 },
  { "if:wwan0:3", "8981100000000000002",
    { TRUE, { G_MAXUINT64, G_MAXUINT64, G_MAXUINT64 - 1, FALSE, BIT63, G_MAXUINT64 } },
    G_MAXINT64 },
  { "if:ppp0:12", "8981100000000000001",
    { FALSE, { 0, 0, 0, FALSE, 0, 0 } }, -5 },
};

static const SbEventRow events[] = {
  { 100, "A", "threshold", 80, "80%" },
  { 50, "B", "cutoff", 0, NULL },
  { 100, NULL, "storage", -1, "disk full" },
  { 100, "A", "override", G_MAXINT64, NULL },
  { 200, "A", "correction", G_MININT64, "SetUsed" },
};

/* ---- fixture rows ----------------------------------------------------- */

static void
put_profiles (SbStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sb_store_put_profile (store, &profiles[i], &error));
      g_assert_no_error (error);
    }
}

static void
put_snapshots (SbStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (snapshots); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sb_store_put_snapshot (store, &snapshots[i], &error));
      g_assert_no_error (error);
    }
}

static void
add_events (SbStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sb_store_add_event (store, &events[i], &error));
      g_assert_no_error (error);
    }
}

static void
assert_profiles_kept (SbStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbProfileRow) row = sb_store_get_profile (store, profiles[i].iccid, &error);

      g_assert_no_error (error);
      g_assert_nonnull (row);
      assert_profile_equal (row, &profiles[i]);
    }
}

static void
assert_snapshots_kept (SbStore *store)
{
  for (guint i = 0; i < G_N_ELEMENTS (snapshots); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbSnapshotRow) row = sb_store_get_snapshot (store, snapshots[i].bearer_key, &error);

      g_assert_no_error (error);
      g_assert_nonnull (row);
      assert_snapshot_equal (row, &snapshots[i]);
    }
}

/* Newest last; equal times in the order they were logged. */
static void
assert_events_kept (SbStore *store)
{
  static const guint order[] = { 1, 0, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) all_events = sb_store_list_events (store, NULL, G_MININT64, &error);

  G_STATIC_ASSERT (G_N_ELEMENTS (order) == G_N_ELEMENTS (events));
  g_assert_no_error (error);
  g_assert_cmpuint (all_events->len, ==, G_N_ELEMENTS (events));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    assert_event_equal (&g_array_index (all_events, SbEventRow, i), &events[order[i]]);
}

/* Every fixture row and the plan:A state, whichever way they got there. */
static void
assert_rows_kept (SbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = NULL;

  assert_profiles_kept (store);
  assert_snapshots_kept (store);
  assert_events_kept (store);
  plan = sb_store_get_state (store, "plan:A", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plan, ==, "5GB");
}

/* ---- profiles --------------------------------------------------------- */

static void
test_profile_round_trip (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(SbProfileRow) absent = NULL;
  SbProfileRow replacement;

  put_profiles (store);
  assert_profiles_kept (store);

  /* Sorted by ICCID, whatever the insertion order. */
  list = sb_store_list_profiles (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (profiles));
  for (guint i = 0; i < list->len; i++)
    {
      const SbProfileRow *row = g_ptr_array_index (list, i);
      const SbProfileRow *expected = NULL;

      for (guint j = 0; j < G_N_ELEMENTS (profiles); j++)
        if (g_strcmp0 (profiles[j].iccid, row->iccid) == 0)
          expected = &profiles[j];
      g_assert_nonnull (expected);
      assert_profile_equal (row, expected);
      if (i > 0)
        g_assert_cmpstr (((SbProfileRow *) g_ptr_array_index (list, i - 1))->iccid, <, row->iccid);
    }

  /* Putting replaces the whole row, NULL strings included. */
  replacement = profiles[1];
  replacement.iccid = profiles[0].iccid;
  g_assert_true (sb_store_put_profile (store, &replacement, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SbProfileRow) row = sb_store_get_profile (store, profiles[0].iccid, &error);

    g_assert_no_error (error);
    assert_profile_equal (row, &replacement);
  }

  absent = sb_store_get_profile (store, "8981100000000000009", &error);
  g_assert_no_error (error);
  g_assert_null (absent);
}

/* ---- buckets ---------------------------------------------------------- */

typedef struct {
  gint64 when;
  gint64 start;     /* expected floor; ignored when !valid */
  gboolean valid;
} FloorCase;

static const FloorCase floor_cases[] = {
  { 0, 0, TRUE },
  { 1, 0, TRUE },
  { 899, 0, TRUE },
  { 900, 900, TRUE },
  { 901, 900, TRUE },
  { 1799, 900, TRUE },
  { -1, -900, TRUE },
  { -899, -900, TRUE },
  { -900, -900, TRUE },
  { -901, -1800, TRUE },
  { 1700000000, 1699999200, TRUE },
  { G_MAXINT64, G_MAXINT64 - 7, TRUE },     /* 10248191152060862 * 900 */
  { G_MININT64 + 8, G_MININT64 + 8, TRUE }, /* -10248191152060862 * 900 */
  { G_MININT64 + 7, 0, FALSE },             /* floor below G_MININT64 */
  { G_MININT64, 0, FALSE },
};

static void
test_bucket_floor (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (floor_cases); i++)
    {
      const FloorCase *c = &floor_cases[i];
      g_autofree char *iccid = g_strdup_printf ("case%u", i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) rows = NULL;
      gboolean ok;

      g_test_message ("when %" G_GINT64_FORMAT, c->when);
      ok = sb_store_add_usage (store, iccid, c->when, FALSE, i + 1, 2 * i + 1, &error);
      rows = get_buckets_ok (store, iccid, G_MININT64, G_MAXINT64);
      if (!c->valid)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          g_assert_false (ok);
          g_assert_cmpuint (rows->len, ==, 0);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (rows->len, ==, 1);
      g_assert_cmpint (g_array_index (rows, SbBucketRow, 0).start, ==, c->start);
      g_assert_cmpuint (g_array_index (rows, SbBucketRow, 0).rx, ==, i + 1);
      g_assert_cmpuint (g_array_index (rows, SbBucketRow, 0).tx, ==, 2 * i + 1);
    }
}

typedef struct {
  const char *name;
  gboolean roaming[4];
  guint64 add[4];
  guint n;
  guint64 total;
  guint64 roaming_total;
} SumCase;

static const SumCase sum_cases[] = {
  { "small", { FALSE, FALSE, FALSE }, { 1, 2, 3 }, 3, 6, 0 },
  { "max", { FALSE }, { G_MAXUINT64 }, 1, G_MAXUINT64, 0 },
  { "max-minus-one", { TRUE }, { G_MAXUINT64 - 1 }, 1, G_MAXUINT64 - 1, G_MAXUINT64 - 1 },
  { "exactly-max", { FALSE, FALSE }, { BIT63, BIT63 - 1 }, 2, G_MAXUINT64, 0 },
  { "saturates-in-bucket", { FALSE, FALSE }, { BIT63, BIT63 }, 2, G_MAXUINT64, 0 },
  { "saturates-past-max", { TRUE, TRUE }, { G_MAXUINT64, 1 }, 2, G_MAXUINT64, G_MAXUINT64 },
  { "saturates-home-plus-roaming", { FALSE, TRUE }, { G_MAXUINT64, 5 }, 2, G_MAXUINT64, 5 },
  { "home-and-roaming", { FALSE, TRUE, FALSE, TRUE }, { 100, 30, 1, 2 }, 4, 133, 32 },
};

static void
test_bucket_sums (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sum_cases); i++)
    {
      const SumCase *c = &sum_cases[i];
      g_autoptr(GArray) rows = NULL;
      const SbBucketRow *row;

      g_test_message ("%s", c->name);
      /* rx gets the values, tx the values halved: both columns are summed
       * on their own. All adds fall into the bucket starting at 1800. */
      for (guint j = 0; j < c->n; j++)
        add_usage_ok (store, c->name, 1800 + 100 * j, c->roaming[j], c->add[j], c->add[j] / 2);

      rows = get_buckets_ok (store, c->name, 0, 3600);
      g_assert_cmpuint (rows->len, ==, 1);
      row = &g_array_index (rows, SbBucketRow, 0);
      g_assert_cmpint (row->start, ==, 1800);
      g_assert_cmpuint (row->rx, ==, c->total);
      g_assert_cmpuint (row->roaming_rx, ==, c->roaming_total);
      if (c->total < G_MAXUINT64)
        {
          guint64 tx = 0, roaming_tx = 0;

          for (guint j = 0; j < c->n; j++)
            {
              tx += c->add[j] / 2;
              if (c->roaming[j])
                roaming_tx += c->add[j] / 2;
            }
          g_assert_cmpuint (row->tx, ==, tx);
          g_assert_cmpuint (row->roaming_tx, ==, roaming_tx);
        }
    }
}

static void
test_bucket_profiles_apart (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;

  add_usage_ok (store, "A", 1000, FALSE, 10, 1);
  add_usage_ok (store, "B", 1000, TRUE, 20, 2);
  add_usage_ok (store, "A", 1000, TRUE, 0, 0);   /* no bucket for nothing */

  a = get_buckets_ok (store, "A", 0, 3600);
  b = get_buckets_ok (store, "B", 0, 3600);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpuint (g_array_index (a, SbBucketRow, 0).rx, ==, 10);
  g_assert_cmpuint (g_array_index (a, SbBucketRow, 0).roaming_rx, ==, 0);
  g_assert_cmpuint (b->len, ==, 1);
  g_assert_cmpuint (g_array_index (b, SbBucketRow, 0).rx, ==, 20);
  g_assert_cmpuint (g_array_index (b, SbBucketRow, 0).roaming_tx, ==, 2);
}

typedef struct {
  gint64 from, to;
  gint64 starts[5];
  guint n;
} RangeCase;

/* Buckets exist at -900, 0, 900, 2700 (not 1800). */
static const RangeCase range_cases[] = {
  { G_MININT64, G_MAXINT64, { -900, 0, 900, 2700 }, 4 },
  { 0, 2700, { 0, 900 }, 2 },
  { 0, 2701, { 0, 900, 2700 }, 3 },
  { 1, 2700, { 900 }, 1 },
  { -1, 1, { 0 }, 1 },
  { -900, -899, { -900 }, 1 },
  { 1800, 2700, { 0 }, 0 },
  { 900, 900, { 0 }, 0 },
  { 2700, 900, { 0 }, 0 },
};

static void
test_bucket_range (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);

  add_usage_ok (store, "A", 2700 + 899, FALSE, 4, 4);
  add_usage_ok (store, "A", 900, TRUE, 3, 3);
  add_usage_ok (store, "A", 0, FALSE, 2, 2);
  add_usage_ok (store, "A", -1, FALSE, 1, 1);
  add_usage_ok (store, "B", 1800, FALSE, 9, 9);

  for (guint i = 0; i < G_N_ELEMENTS (range_cases); i++)
    {
      const RangeCase *c = &range_cases[i];
      g_autoptr(GArray) rows = get_buckets_ok (store, "A", c->from, c->to);

      g_test_message ("[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", c->from, c->to);
      g_assert_cmpuint (rows->len, ==, c->n);
      for (guint j = 0; j < c->n; j++)
        g_assert_cmpint (g_array_index (rows, SbBucketRow, j).start, ==, c->starts[j]);
    }
}

/* Buckets either side of UTC midnight land in different day rows; home
 * and roaming of one slot come back as one bucket, roaming alone too. */
static void
test_bucket_days (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GArray) rows = NULL;
  static const struct {
    gint64 when;
    gboolean roaming;
    guint64 rx, tx;
  } adds[] = {
    { 86400 - 1, FALSE, 1, 10 },
    { 86400, TRUE, 2, 20 },
    { 86400 + 899, FALSE, 4, 40 },
    { 2 * 86400 - 900, TRUE, 8, 80 },
    { -1, TRUE, 16, 160 },
    { -86400, FALSE, 32, 320 },
  };
  static const SbBucketRow expected[] = {
    { -86400, 32, 320, 0, 0 },
    { -900, 16, 160, 16, 160 },
    { 86400 - 900, 1, 10, 0, 0 },
    { 86400, 6, 60, 2, 20 },
    { 2 * 86400 - 900, 8, 80, 8, 80 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (adds); i++)
    add_usage_ok (store, "A", adds[i].when, adds[i].roaming, adds[i].rx, adds[i].tx);

  rows = get_buckets_ok (store, "A", G_MININT64, G_MAXINT64);
  assert_buckets_equal (rows, expected, G_N_ELEMENTS (expected));
}

static void
append_bucket (const SbBucketRow *bucket,
               gpointer           user_data)
{
  g_array_append_vals (user_data, bucket, 1);
}

/* The callback sees what sb_store_get_buckets() returns, in its order. */
static void
test_bucket_foreach (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);

  for (gint64 t = -2 * 86400; t < 3 * 86400; t += 7 * SB_BUCKET_SECONDS)
    add_usage_ok (store, "A", t, (t / SB_BUCKET_SECONDS) % 3 == 0, (guint64) (t + 2 * 86400), 1);
  add_usage_ok (store, "A", 0, TRUE, 5, 5);
  add_usage_ok (store, "B", 0, FALSE, 9, 9);

  for (guint i = 0; i < G_N_ELEMENTS (range_cases) + 3; i++)
    {
      static const gint64 more[][2] = { { -86400, 86400 }, { 899, 86401 }, { 0, 0 } };
      gint64 from = i < G_N_ELEMENTS (range_cases) ? range_cases[i].from : more[i - G_N_ELEMENTS (range_cases)][0];
      gint64 to = i < G_N_ELEMENTS (range_cases) ? range_cases[i].to : more[i - G_N_ELEMENTS (range_cases)][1];
      g_autoptr(GArray) expected = get_buckets_ok (store, "A", from, to);
      g_autoptr(GArray) seen = g_array_new (FALSE, TRUE, sizeof (SbBucketRow));
      g_autoptr(GError) error = NULL;

      g_assert_true (sb_store_foreach_bucket (store, "A", from, to, append_bucket, seen, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (seen->len, ==, expected->len);
      if (expected->len > 0)
        g_assert_cmpmem (seen->data, seen->len * sizeof (SbBucketRow),
                         expected->data, expected->len * sizeof (SbBucketRow));
      for (guint j = 1; j < seen->len; j++)
        g_assert_cmpint (g_array_index (seen, SbBucketRow, j - 1).start, <,
                         g_array_index (seen, SbBucketRow, j).start);
    }
}

/* ---- snapshots -------------------------------------------------------- */

static void
test_snapshot_round_trip (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbSnapshotRow) absent = NULL;
  SbSnapshotRow replacement;

  put_snapshots (store);
  assert_snapshots_kept (store);

  /* Putting replaces, keyed by bearer. */
  replacement = snapshots[1];
  replacement.bearer_key = snapshots[0].bearer_key;
  g_assert_true (sb_store_put_snapshot (store, &replacement, &error));
  g_assert_no_error (error);
  {
    g_autoptr(SbSnapshotRow) row = sb_store_get_snapshot (store, snapshots[0].bearer_key, &error);

    g_assert_no_error (error);
    assert_snapshot_equal (row, &replacement);
  }

  g_assert_true (sb_store_delete_snapshot (store, snapshots[2].bearer_key, &error));
  g_assert_no_error (error);
  absent = sb_store_get_snapshot (store, snapshots[2].bearer_key, &error);
  g_assert_no_error (error);
  g_assert_null (absent);
  {
    g_autoptr(SbSnapshotRow) kept = sb_store_get_snapshot (store, snapshots[1].bearer_key, &error);

    g_assert_no_error (error);
    g_assert_nonnull (kept);
  }
}

static void
test_snapshot_prune (void)
{
  static const gint64 updated[] = { 10, 20, 30 };
  static const struct {
    gint64 before;
    gboolean kept[3];
  } steps[] = {
    { 10, { TRUE, TRUE, TRUE } },
    { 20, { FALSE, TRUE, TRUE } },   /* "not updated since 20": < 20 */
    { 31, { FALSE, FALSE, FALSE } },
  };
  g_autoptr(SbStore) store = open_ok (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (updated); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("if:x:%u", i);
      SbSnapshotRow row = { key, "A", { TRUE, { 1, 2, 3, FALSE, 0, 0 } }, updated[i] };

      g_assert_true (sb_store_put_snapshot (store, &row, &error));
      g_assert_no_error (error);
    }

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sb_store_prune_snapshots (store, steps[s].before, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (updated); i++)
        {
          g_autofree char *key = g_strdup_printf ("if:x:%u", i);
          g_autoptr(SbSnapshotRow) row = sb_store_get_snapshot (store, key, &error);

          g_assert_no_error (error);
          g_assert_cmpint (row != NULL, ==, steps[s].kept[i]);
        }
    }
}

/* ---- events ----------------------------------------------------------- */

typedef struct {
  const char *iccid;
  gint64 since;
  guint expected[G_N_ELEMENTS (events)];   /* indexes into events[] */
  guint n;
} EventCase;

static const EventCase event_cases[] = {
  /* newest last; equal times in insertion order */
  { "A", G_MININT64, { 0, 3, 4 }, 3 },
  { "A", 100, { 0, 3, 4 }, 3 },
  { "A", 101, { 4 }, 1 },
  { "B", 0, { 1 }, 1 },
  { "Z", 0, { 0 }, 0 },
  { NULL, 0, { 1, 0, 2, 3, 4 }, 5 },
  { NULL, 100, { 0, 2, 3, 4 }, 4 },
  { NULL, 201, { 0 }, 0 },
};

static void
test_events (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);

  add_events (store);

  for (guint i = 0; i < G_N_ELEMENTS (event_cases); i++)
    {
      const EventCase *c = &event_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) rows = sb_store_list_events (store, c->iccid, c->since, &error);

      g_test_message ("events of %s since %" G_GINT64_FORMAT, c->iccid, c->since);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, c->n);
      for (guint j = 0; j < c->n; j++)
        assert_event_equal (&g_array_index (rows, SbEventRow, j), &events[c->expected[j]]);
    }
}

/* ---- state ------------------------------------------------------------ */

static void
test_state (void)
{
  static const struct {
    const char *key;
    const char *set;      /* NULL: delete */
  } steps[] = {
    { "plan:A", "5GB/monthly" },
    { "block:A", "" },
    { "plan:A", "unlimited \xe2\x9c\x93" },
    { "block:A", NULL },
    { "never-set", NULL },
  };
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GHashTable) model = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GError) error = NULL;

      if (steps[i].set != NULL)
        {
          g_assert_true (sb_store_set_state (store, steps[i].key, steps[i].set, &error));
          g_hash_table_insert (model, (char *) steps[i].key, (char *) steps[i].set);
        }
      else
        {
          g_assert_true (sb_store_delete_state (store, steps[i].key, &error));
          g_hash_table_remove (model, steps[i].key);
        }
      g_assert_no_error (error);

      /* After every step, every key reads back what the model says. */
      for (guint j = 0; j < G_N_ELEMENTS (steps); j++)
        {
          g_autofree char *value = sb_store_get_state (store, steps[j].key, &error);

          g_assert_no_error (error);
          g_assert_cmpstr (value, ==, g_hash_table_lookup (model, steps[j].key));
        }
    }
}

/* ---- forget and transactions ------------------------------------------ */

static void
populate (SbStore    *store,
          const char *iccid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("if:%s:1", iccid);
  SbProfileRow profile = { (char *) iccid, NULL, "esim", "Op", 1, 2, 3, 4, 5, 6, 7, 8 };
  SbSnapshotRow snapshot = { key, (char *) iccid, { TRUE, { 9, 1, 1, FALSE, 0, 0 } }, 100 };
  SbEventRow event = { 100, (char *) iccid, "threshold", 50, NULL };

  g_assert_true (sb_store_put_profile (store, &profile, &error));
  add_usage_ok (store, iccid, 0, FALSE, 1, 1);
  add_usage_ok (store, iccid, 900, TRUE, 1, 1);
  g_assert_true (sb_store_put_snapshot (store, &snapshot, &error));
  g_assert_true (sb_store_add_event (store, &event, &error));
  g_assert_no_error (error);
}

/* Everything the store knows about @iccid, counted. */
static guint
count_rows (SbStore    *store,
            const char *iccid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("if:%s:1", iccid);
  g_autoptr(SbProfileRow) profile = sb_store_get_profile (store, iccid, &error);
  g_autoptr(SbSnapshotRow) by_key = sb_store_get_snapshot (store, key, &error);
  g_autoptr(GArray) buckets = sb_store_get_buckets (store, iccid, G_MININT64, G_MAXINT64, &error);
  g_autoptr(GArray) own_events = sb_store_list_events (store, iccid, G_MININT64, &error);
  g_autoptr(GArray) all_events = sb_store_list_events (store, NULL, G_MININT64, &error);
  guint in_all = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < all_events->len; i++)
    if (g_strcmp0 (g_array_index (all_events, SbEventRow, i).iccid, iccid) == 0)
      in_all++;
  g_assert_cmpuint (in_all, ==, own_events->len);

  return (profile != NULL) + (by_key != NULL) +
         buckets->len + own_events->len;
}

#define POPULATED_ROWS 5   /* profile, snapshot, 2 buckets, 1 event */

static void
test_forget (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GError) error = NULL;
  guint64 commits;

  populate (store, "A");
  populate (store, "B");
  g_assert_cmpuint (count_rows (store, "A"), ==, POPULATED_ROWS);

  /* Inside the caller's transaction it is part of that transaction. */
  g_assert_true (sb_store_begin (store, &error));
  g_assert_true (sb_store_forget_profile (store, "A", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_rows (store, "A"), ==, 0);
  sb_store_rollback (store);
  g_assert_cmpuint (count_rows (store, "A"), ==, POPULATED_ROWS);

  /* On its own it is one transaction. */
  commits = sb_store_commit_count (store);
  g_assert_true (sb_store_forget_profile (store, "A", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sb_store_commit_count (store), ==, commits + 1);
  g_assert_cmpuint (count_rows (store, "A"), ==, 0);
  g_assert_cmpuint (count_rows (store, "B"), ==, POPULATED_ROWS);

  /* Forgetting what is not there is not an error. */
  g_assert_true (sb_store_forget_profile (store, "A", &error));
  g_assert_no_error (error);
}

typedef enum { OP_PUT_PROFILE, OP_ADD_USAGE, OP_ADD_NOTHING, OP_PUT_SNAPSHOT,
               OP_DELETE_SNAPSHOT, OP_PRUNE, OP_ADD_EVENT, OP_SET_STATE,
               OP_DELETE_STATE, OP_READS } Op;

static const struct {
  Op op;
  guint commits;   /* outside an explicit transaction */
} op_cases[] = {
  { OP_PUT_PROFILE, 1 },
  { OP_ADD_USAGE, 1 },
  { OP_ADD_NOTHING, 0 },
  { OP_PUT_SNAPSHOT, 1 },
  { OP_DELETE_SNAPSHOT, 1 },
  { OP_PRUNE, 1 },
  { OP_ADD_EVENT, 1 },
  { OP_SET_STATE, 1 },
  { OP_DELETE_STATE, 1 },
  { OP_READS, 0 },
};

static void
run_op (SbStore *store,
        Op       op)
{
  g_autoptr(GError) error = NULL;
  SbProfileRow profile = { "A", NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0 };
  SbSnapshotRow snapshot = { "if:a:1", "A", { TRUE, { 1, 1, 1, FALSE, 0, 0 } }, 5 };
  SbEventRow event = { 1, "A", "cutoff", 0, NULL };
  gboolean ok = TRUE;

  switch (op)
    {
    case OP_PUT_PROFILE: ok = sb_store_put_profile (store, &profile, &error); break;
    case OP_ADD_USAGE: ok = sb_store_add_usage (store, "A", 0, FALSE, 1, 1, &error); break;
    case OP_ADD_NOTHING: ok = sb_store_add_usage (store, "A", 0, FALSE, 0, 0, &error); break;
    case OP_PUT_SNAPSHOT: ok = sb_store_put_snapshot (store, &snapshot, &error); break;
    case OP_DELETE_SNAPSHOT: ok = sb_store_delete_snapshot (store, "if:a:1", &error); break;
    case OP_PRUNE: ok = sb_store_prune_snapshots (store, 0, &error); break;
    case OP_ADD_EVENT: ok = sb_store_add_event (store, &event, &error); break;
    case OP_SET_STATE: ok = sb_store_set_state (store, "k", "v", &error); break;
    case OP_DELETE_STATE: ok = sb_store_delete_state (store, "k", &error); break;
    case OP_READS:
      {
        g_autoptr(GPtrArray) list = sb_store_list_profiles (store, &error);
        g_autofree char *value = sb_store_get_state (store, "k", &error);
        g_autoptr(GArray) rows = sb_store_get_buckets (store, "A", 0, 900, &error);

        ok = list != NULL && rows != NULL;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
test_transactions (void)
{
  g_autoptr(SbStore) store = open_ok (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  guint64 commits;

  /* Opening (and migrating) is not counted. */
  g_assert_cmpuint (sb_store_commit_count (store), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (op_cases); i++)
    {
      commits = sb_store_commit_count (store);
      run_op (store, op_cases[i].op);
      g_assert_cmpuint (sb_store_commit_count (store), ==, commits + op_cases[i].commits);
    }

  /* All of them in an explicit transaction: one commit. */
  commits = sb_store_commit_count (store);
  g_assert_true (sb_store_begin (store, &error));
  for (guint i = 0; i < G_N_ELEMENTS (op_cases); i++)
    run_op (store, op_cases[i].op);
  g_assert_cmpuint (sb_store_commit_count (store), ==, commits);
  g_assert_true (sb_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sb_store_commit_count (store), ==, commits + 1);

  /* Rolled back: nothing stored, nothing counted. */
  rows = get_buckets_ok (store, "A", 0, 900);
  g_assert_cmpuint (g_array_index (rows, SbBucketRow, 0).rx, ==, 2);
  g_clear_pointer (&rows, g_array_unref);
  g_assert_true (sb_store_begin (store, &error));
  add_usage_ok (store, "A", 0, FALSE, 1000, 1000);
  add_usage_ok (store, "R", 0, FALSE, 1000, 1000);
  sb_store_rollback (store);
  g_assert_cmpuint (sb_store_commit_count (store), ==, commits + 1);
  rows = get_buckets_ok (store, "A", 0, 900);
  g_assert_cmpuint (g_array_index (rows, SbBucketRow, 0).rx, ==, 2);
  g_clear_pointer (&rows, g_array_unref);
  rows = get_buckets_ok (store, "R", 0, 900);
  g_assert_cmpuint (rows->len, ==, 0);

  /* Rolling back with no transaction open does nothing. */
  sb_store_rollback (store);
  g_assert_true (sb_store_begin (store, &error));
  g_assert_true (sb_store_commit (store, &error));
  g_assert_no_error (error);
}

/* ---- files ------------------------------------------------------------ */

static void
write_everything (SbStore *store)
{
  g_autoptr(GError) error = NULL;

  put_profiles (store);
  put_snapshots (store);
  add_events (store);
  g_assert_true (sb_store_set_state (store, "plan:A", "5GB", &error));
  g_assert_no_error (error);
  add_usage_ok (store, "A", 1000, FALSE, G_MAXUINT64, 1);
  add_usage_ok (store, "A", 1000, TRUE, 5, BIT63);
  add_usage_ok (store, "A", -1000, FALSE, 7, 8);
}

static void
check_everything (SbStore *store)
{
  static const SbBucketRow expected[] = {
    { -1800, 7, 8, 0, 0 },
    { 900, G_MAXUINT64, BIT63 + 1, 5, BIT63 },
  };
  g_autoptr(GArray) buckets = NULL;

  assert_rows_kept (store);
  buckets = get_buckets_ok (store, "A", G_MININT64, G_MAXINT64);
  assert_buckets_equal (buckets, expected, G_N_ELEMENTS (expected));
}

/* A closed store file holding what write_everything() writes. */
static void
make_written_store (const char *path)
{
  g_autoptr(SbStore) store = open_ok (path);

  write_everything (store);
}

static void
test_file_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SbStore) store = open_ok (fixture->path);

  g_assert_cmpint (sb_store_schema_version (store), ==, 2);
  g_assert_cmpint (sb_store_schema_version (store), ==, SB_STORE_SCHEMA_VERSION);
  g_clear_pointer (&store, sb_store_free);

  assert_query (fixture->path, "PRAGMA user_version", "2");
  /* The steps' rebuilt tables left no free pages behind. */
  assert_query (fixture->path, "PRAGMA freelist_count", "0");
  assert_query (fixture->path, "PRAGMA journal_mode", "wal");
}

static void
test_file_reopen (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SbStore) store = open_ok (fixture->path);

  write_everything (store);
  check_everything (store);
  g_clear_pointer (&store, sb_store_free);

  store = open_ok (fixture->path);
  g_assert_cmpint (sb_store_schema_version (store), ==, SB_STORE_SCHEMA_VERSION);
  check_everything (store);
}

/* The child commits, starts another transaction and is killed in the
 * middle of it: committed data must be there, the rest must not. */
static void
test_file_durability (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SbStore) store = NULL;
  g_autoptr(GArray) committed = NULL;
  g_autoptr(GArray) lost = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      SbStore *child = sb_store_open (fixture->path, NULL);

      if (child == NULL ||
          !sb_store_begin (child, NULL) ||
          !sb_store_add_usage (child, "A", 0, FALSE, 111, 222, NULL) ||
          !sb_store_commit (child, NULL) ||
          !sb_store_set_state (child, "implicit", "yes", NULL) ||
          !sb_store_begin (child, NULL) ||
          !sb_store_add_usage (child, "A", 0, FALSE, 1000, 1000, NULL) ||
          !sb_store_add_usage (child, "lost", 0, FALSE, 1, 1, NULL))
        _exit (1);
      raise (SIGKILL);
      _exit (2);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  store = open_ok (fixture->path);
  committed = get_buckets_ok (store, "A", 0, 900);
  g_assert_cmpuint (committed->len, ==, 1);
  g_assert_cmpuint (g_array_index (committed, SbBucketRow, 0).rx, ==, 111);
  g_assert_cmpuint (g_array_index (committed, SbBucketRow, 0).tx, ==, 222);
  lost = get_buckets_ok (store, "lost", 0, 900);
  g_assert_cmpuint (lost->len, ==, 0);
  state = sb_store_get_state (store, "implicit", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "yes");
}

typedef struct {
  gint64 version;
  const char *journal;
} NewerCase;

/* In rollback-journal mode, switching to WAL would change the header:
 * the checksum catches any write before the version check. */
static const NewerCase newer_cases[] = {
  { SB_STORE_SCHEMA_VERSION + 1, "wal" },
  { SB_STORE_SCHEMA_VERSION + 1, "delete" },
  { 99, "delete" },
  { G_MAXINT32, "wal" },
};

static void
test_file_newer_version (Fixture       *fixture,
                         gconstpointer  data)
{
  const NewerCase *c = data;
  g_autofree char *sql = g_strdup_printf ("PRAGMA journal_mode = %s;"
                                          "PRAGMA user_version = %" G_GINT64_FORMAT,
                                          c->journal, c->version);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, c->version);

  make_written_store (fixture->path);
  raw_exec (fixture->path, sql);
  assert_query (fixture->path, "PRAGMA journal_mode", c->journal);
  before = file_checksum (fixture->path);

  assert_open_refused (fixture->path, G_IO_ERROR_NOT_SUPPORTED, number);

  after = file_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

typedef void (*MakeFile) (const char *path);

/* @length bytes from a seeded generator; @header, its NUL included, over
 * the first of them unless NULL. */
static void
write_random_file (const char *path,
                   guint32     seed,
                   gsize       length,
                   const char *header)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *bytes = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    bytes[i] = g_rand_int_range (rand, 0, 256);
  if (header != NULL)
    memcpy (bytes, header, strlen (header) + 1);
  write_file (path, bytes, length);
}

static void
make_random (const char *path)
{
  write_random_file (path, 42, 16384, NULL);
}

static void
make_header_then_garbage (const char *path)
{
  write_random_file (path, 7, 8192, "SQLite format 3");
}

/* A real store with enough rows to span many pages. */
static void
make_full_store (const char *path)
{
  g_autoptr(SbStore) store = open_ok (path);
  g_autoptr(GError) error = NULL;

  write_everything (store);
  g_assert_true (sb_store_begin (store, &error));
  for (guint i = 0; i < 3000; i++)
    add_usage_ok (store, i % 2 ? "8981100000000000001" : "8981100000000000002",
                  i * SB_BUCKET_SECONDS, i % 3 == 0, i, i);
  g_assert_true (sb_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
make_truncated (const char *path)
{
  GStatBuf st;

  make_full_store (path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 8 * 4096);
  g_assert_cmpint (truncate (path, st.st_size / 2), ==, 0);
}

static void
make_corrupt_page (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  make_full_store (path);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  /* Page 3 is inside the schema's tables (a fresh store has no free
   * pages); 0xa5 is not a valid b-tree page type. */
  g_assert_cmpuint (length, >, 4 * 4096);
  memset (contents + 2 * 4096, 0xa5, 4096);
  write_file (path, (const guint8 *) contents, length);
}

#define MAKE_DAMAGED(name, sql) \
  static void \
  make_##name (const char *path) \
  { \
    make_full_store (path); \
    raw_exec (path, sql); \
  }

MAKE_DAMAGED (missing_profiles, "DROP TABLE profiles")
MAKE_DAMAGED (missing_buckets, "DROP TABLE buckets")
MAKE_DAMAGED (missing_snapshots, "DROP TABLE snapshots")
MAKE_DAMAGED (missing_events, "DROP TABLE events")
MAKE_DAMAGED (missing_state, "DROP TABLE state")
MAKE_DAMAGED (missing_column, "ALTER TABLE snapshots DROP COLUMN has_totals")
MAKE_DAMAGED (missing_key,
              "DROP TABLE buckets;"
              "CREATE TABLE buckets (iccid TEXT, day INTEGER, rx INTEGER,"
              " tx INTEGER, slots BLOB)")
MAKE_DAMAGED (negative_version, "PRAGMA user_version = -1")

static void
make_unversioned_tables (const char *path)
{
  raw_exec (path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi')");
}

typedef struct {
  const char *name;
  MakeFile make;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "random-bytes", make_random },
  { "header-then-garbage", make_header_then_garbage },
  { "truncated", make_truncated },
  { "corrupt-page", make_corrupt_page },
  { "missing-table-profiles", make_missing_profiles },
  { "missing-table-buckets", make_missing_buckets },
  { "missing-table-snapshots", make_missing_snapshots },
  { "missing-table-events", make_missing_events },
  { "missing-table-state", make_missing_state },
  { "missing-column", make_missing_column },
  { "missing-primary-key", make_missing_key },
  { "negative-version", make_negative_version },
  { "tables-without-version", make_unversioned_tables },
};

static void
test_file_invalid (Fixture       *fixture,
                   gconstpointer  data)
{
  const InvalidCase *c = data;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  c->make (fixture->path);
  before = file_checksum (fixture->path);

  /* The message names the file, which the caller moves aside intact. */
  assert_open_refused (fixture->path, G_IO_ERROR_INVALID_DATA, fixture->path);
  after = file_checksum (fixture->path);
  g_assert_cmpstr (before, ==, after);
}

static void
make_empty_file (const char *path)
{
  write_file (path, (const guint8 *) "", 0);
}

static void
make_empty_database (const char *path)
{
  /* A valid SQLite file at user_version 0, rollback journal, no tables. */
  raw_exec (path, "PRAGMA page_size = 1024; CREATE TABLE t (x); DROP TABLE t");
}

static void
make_nothing (const char *path)
{
}

static const InvalidCase fresh_cases[] = {
  { "no-file", make_nothing },
  { "empty-file", make_empty_file },
  { "empty-database", make_empty_database },
};

static void
test_file_migrate (Fixture       *fixture,
                   gconstpointer  data)
{
  const InvalidCase *c = data;
  g_autoptr(SbStore) store = NULL;

  c->make (fixture->path);
  if (g_file_test (fixture->path, G_FILE_TEST_EXISTS))
    assert_query (fixture->path, "PRAGMA user_version", "0");

  store = open_ok (fixture->path);
  g_assert_cmpint (sb_store_schema_version (store), ==, SB_STORE_SCHEMA_VERSION);
  write_everything (store);
  g_clear_pointer (&store, sb_store_free);

  assert_query (fixture->path, "PRAGMA user_version", G_STRINGIFY (SB_STORE_SCHEMA_VERSION));
  assert_query (fixture->path, "PRAGMA journal_mode", "wal");

  store = open_ok (fixture->path);
  check_everything (store);
}

/* ---- version 1 files --------------------------------------------------
 * Version 1 as it shipped: its schema (migrations[0]) and rows as its code
 * wrote them, one per bucket and guint64 bit-cast into INTEGER. */

static const char v1_schema[] =
  "CREATE TABLE profiles ("
  "  iccid TEXT NOT NULL PRIMARY KEY,"
  "  eid TEXT,"
  "  sim_type TEXT,"
  "  operator_name TEXT,"
  "  first_seen INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL,"
  "  total_rx INTEGER NOT NULL,"
  "  total_tx INTEGER NOT NULL,"
  "  period_start INTEGER NOT NULL,"
  "  period_rx INTEGER NOT NULL,"
  "  period_tx INTEGER NOT NULL,"
  "  period_correction INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE buckets ("
  "  iccid TEXT NOT NULL,"
  "  start INTEGER NOT NULL,"
  "  roaming INTEGER NOT NULL CHECK (roaming IN (0, 1)),"
  "  rx INTEGER NOT NULL,"
  "  tx INTEGER NOT NULL,"
  "  PRIMARY KEY (iccid, start, roaming)"
  ") WITHOUT ROWID;"
  "CREATE TABLE snapshots ("
  "  bearer_key TEXT NOT NULL PRIMARY KEY,"
  "  iccid TEXT NOT NULL,"
  "  valid INTEGER NOT NULL,"
  "  session INTEGER NOT NULL,"
  "  rx INTEGER NOT NULL,"
  "  tx INTEGER NOT NULL,"
  "  has_totals INTEGER NOT NULL,"
  "  total_rx INTEGER NOT NULL,"
  "  total_tx INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE INDEX snapshots_by_session ON snapshots (iccid, session, updated);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  time INTEGER NOT NULL,"
  "  iccid TEXT,"
  "  kind TEXT NOT NULL,"
  "  value INTEGER NOT NULL,"
  "  detail TEXT"
  ");"
  "CREATE INDEX events_by_iccid ON events (iccid, time);"
  "CREATE TABLE state ("
  "  key TEXT NOT NULL PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "PRAGMA user_version = 1;";

typedef struct {
  const char *iccid;
  gint64      start;
  gboolean    roaming;
  guint64     rx;
  guint64     tx;
} V1Bucket;

/* Both ends of time, both sides of midnight, home and roaming apart and
 * together, counts past 2^63, a profile without a profile row. */
static const V1Bucket v1_buckets[] = {
  { "8981100000000000003", G_MININT64 + 8, FALSE, 1, 2 },
  { "8981100000000000003", -86400 - 900, FALSE, 7, 8 },
  { "8981100000000000003", -900, TRUE, 1, 2 },
  { "8981100000000000003", 0, FALSE, 10, 20 },
  { "8981100000000000003", 0, TRUE, 3, 4 },
  { "8981100000000000003", 86400 - 900, FALSE, G_MAXUINT64, 1 },
  { "8981100000000000003", 86400 - 900, TRUE, 2, BIT63 },
  { "8981100000000000003", 86400, TRUE, BIT63, BIT63 + 5 },
  { "8981100000000000003", 1699999200, FALSE, 123456789, 7890 },
  { "8981100000000000003", G_MAXINT64 - 7, TRUE, 3, 4 },
  { "8981100000000000001", 900, FALSE, 100, 200 },
  { "8981100000000000001", 1800, TRUE, 1000, 2000 },
  { "B", 0, FALSE, 5, 6 },
};

static gint64
bit_cast (guint64 value)
{
  gint64 stored;

  memcpy (&stored, &value, sizeof stored);
  return stored;
}

static void
bind_or_null (sqlite3_stmt *stmt,
              int           index,
              const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

static void
v1_insert (sqlite3    *db,
           const char *sql,
           void      (*bind) (sqlite3_stmt *stmt, gconstpointer row),
           gconstpointer rows,
           gsize       row_size,
           guint       n)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      bind (stmt, (const guint8 *) rows + i * row_size);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);
}

static void
v1_bind_profile (sqlite3_stmt *stmt, gconstpointer data)
{
  const SbProfileRow *p = data;

  bind_or_null (stmt, 1, p->iccid);
  bind_or_null (stmt, 2, p->eid);
  bind_or_null (stmt, 3, p->sim_type);
  bind_or_null (stmt, 4, p->operator_name);
  sqlite3_bind_int64 (stmt, 5, p->first_seen);
  sqlite3_bind_int64 (stmt, 6, p->last_seen);
  sqlite3_bind_int64 (stmt, 7, bit_cast (p->total_rx));
  sqlite3_bind_int64 (stmt, 8, bit_cast (p->total_tx));
  sqlite3_bind_int64 (stmt, 9, p->period_start);
  sqlite3_bind_int64 (stmt, 10, bit_cast (p->period_rx));
  sqlite3_bind_int64 (stmt, 11, bit_cast (p->period_tx));
  sqlite3_bind_int64 (stmt, 12, p->period_correction);
}

static void
v1_bind_snapshot (sqlite3_stmt *stmt, gconstpointer data)
{
  const SbSnapshotRow *s = data;

  bind_or_null (stmt, 1, s->bearer_key);
  bind_or_null (stmt, 2, s->iccid);
  sqlite3_bind_int (stmt, 3, s->snap.valid ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, bit_cast (s->snap.last.session));
  sqlite3_bind_int64 (stmt, 5, bit_cast (s->snap.last.rx));
  sqlite3_bind_int64 (stmt, 6, bit_cast (s->snap.last.tx));
  sqlite3_bind_int (stmt, 7, s->snap.last.has_totals ? 1 : 0);
  sqlite3_bind_int64 (stmt, 8, bit_cast (s->snap.last.total_rx));
  sqlite3_bind_int64 (stmt, 9, bit_cast (s->snap.last.total_tx));
  sqlite3_bind_int64 (stmt, 10, s->updated);
}

static void
v1_bind_event (sqlite3_stmt *stmt, gconstpointer data)
{
  const SbEventRow *e = data;

  sqlite3_bind_int64 (stmt, 1, e->time);
  bind_or_null (stmt, 2, e->iccid);
  bind_or_null (stmt, 3, e->kind);
  sqlite3_bind_int64 (stmt, 4, e->value);
  bind_or_null (stmt, 5, e->detail);
}

static void
v1_bind_bucket (sqlite3_stmt *stmt, gconstpointer data)
{
  const V1Bucket *b = data;

  bind_or_null (stmt, 1, b->iccid);
  sqlite3_bind_int64 (stmt, 2, b->start);
  sqlite3_bind_int (stmt, 3, b->roaming ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, bit_cast (b->rx));
  sqlite3_bind_int64 (stmt, 5, bit_cast (b->tx));
}

/* A version 1 file in WAL mode, as the daemon left it, holding
 * profiles[], snapshots[], events[], a state key and @buckets. */
static void
make_v1_file (const char     *path,
              const V1Bucket *buckets,
              guint           n_buckets)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = WAL; BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1_schema, NULL, NULL, NULL), ==, SQLITE_OK);
  v1_insert (db, "INSERT INTO profiles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
             v1_bind_profile, profiles, sizeof profiles[0], G_N_ELEMENTS (profiles));
  v1_insert (db, "INSERT INTO snapshots VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
             v1_bind_snapshot, snapshots, sizeof snapshots[0], G_N_ELEMENTS (snapshots));
  v1_insert (db, "INSERT INTO events (time, iccid, kind, value, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
             v1_bind_event, events, sizeof events[0], G_N_ELEMENTS (events));
  v1_insert (db, "INSERT INTO buckets VALUES (?1, ?2, ?3, ?4, ?5)",
             v1_bind_bucket, buckets, sizeof buckets[0], n_buckets);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO state VALUES ('plan:A', '5GB'); COMMIT",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static guint64
sat_add (guint64 a,
         guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* What version 1 answered for @iccid: its rows merged per start. */
static GArray *
v1_expected_buckets (const char *iccid)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (SbBucketRow));

  /* v1_buckets[] is ordered by start within a profile. */
  for (guint i = 0; i < G_N_ELEMENTS (v1_buckets); i++)
    {
      const V1Bucket *b = &v1_buckets[i];
      SbBucketRow *row;

      if (g_strcmp0 (b->iccid, iccid) != 0)
        continue;
      if (rows->len == 0 || g_array_index (rows, SbBucketRow, rows->len - 1).start != b->start)
        {
          g_array_set_size (rows, rows->len + 1);
          g_array_index (rows, SbBucketRow, rows->len - 1).start = b->start;
        }
      row = &g_array_index (rows, SbBucketRow, rows->len - 1);
      row->rx = sat_add (row->rx, b->rx);
      row->tx = sat_add (row->tx, b->tx);
      if (b->roaming)
        {
          row->roaming_rx = sat_add (row->roaming_rx, b->rx);
          row->roaming_tx = sat_add (row->roaming_tx, b->tx);
        }
    }
  return rows;
}

/* Every row of a version 1 file is there after the upgrade, read through
 * the same calls; the old table is gone and no page is left free. */
static void
test_file_migrate_v1 (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char *const iccids[] = { "8981100000000000003", "8981100000000000001", "B" };
  g_autoptr(SbStore) store = NULL;
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *n_days = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (v1_buckets); i++)
    {
      gint64 start = v1_buckets[i].start;
      /* floor (start / 86400), for negative starts too */
      gint64 day = start / 86400 - (start % 86400 < 0 ? 1 : 0);

      g_hash_table_add (days, g_strdup_printf ("%s %" G_GINT64_FORMAT, v1_buckets[i].iccid, day));
    }
  n_days = g_strdup_printf ("%u", g_hash_table_size (days));

  make_v1_file (fixture->path, v1_buckets, G_N_ELEMENTS (v1_buckets));
  store = open_ok (fixture->path);
  g_assert_cmpint (sb_store_schema_version (store), ==, 2);

  assert_rows_kept (store);

  for (guint i = 0; i < G_N_ELEMENTS (iccids); i++)
    {
      g_autoptr(GArray) got = get_buckets_ok (store, iccids[i], G_MININT64, G_MAXINT64);
      g_autoptr(GArray) expected = v1_expected_buckets (iccids[i]);

      g_test_message ("buckets of %s", iccids[i]);
      assert_buckets_equal (got, (const SbBucketRow *) expected->data, expected->len);
    }

  /* Usage goes on into the days the upgrade wrote. */
  add_usage_ok (store, "8981100000000000001", 900, TRUE, 1, 1);
  {
    g_autoptr(GArray) got = get_buckets_ok (store, "8981100000000000001", 900, 1800);

    g_assert_cmpuint (got->len, ==, 1);
    g_assert_cmpuint (g_array_index (got, SbBucketRow, 0).rx, ==, 101);
    g_assert_cmpuint (g_array_index (got, SbBucketRow, 0).roaming_rx, ==, 1);
  }
  g_clear_pointer (&store, sb_store_free);

  assert_query (fixture->path, "PRAGMA user_version", "2");
  assert_query (fixture->path, "PRAGMA freelist_count", "0");
  assert_query (fixture->path,
                "SELECT count(*) FROM sqlite_schema WHERE name = 'buckets_v1'", "0");
  /* One row per profile and day; the day's totals read in plain SQL. */
  assert_query (fixture->path, "SELECT count(*) FROM buckets", n_days);
  assert_query (fixture->path,
                "SELECT sum(rx) || ' ' || sum(tx) FROM buckets "
                "WHERE iccid = '8981100000000000001'", "1101 2201");
}

/* A bucket off the 15-minute grid, which version 1 never wrote, stops
 * the upgrade rather than being moved: the data stays at version 1. */
static void
test_file_migrate_v1_off_grid (Fixture       *fixture,
                               gconstpointer  data)
{
  static const V1Bucket off_grid[] = {
    { "A", 0, FALSE, 1, 1 },
    { "A", 1000, FALSE, 2, 2 },
  };

  make_v1_file (fixture->path, off_grid, G_N_ELEMENTS (off_grid));
  assert_open_refused (fixture->path, G_IO_ERROR_FAILED, "schema version 2");

  assert_query (fixture->path, "PRAGMA user_version", "1");
  assert_query (fixture->path, "SELECT count(*) || ' ' || sum(start) FROM buckets", "2 1000");
}

typedef struct {
  const char *name;
  const char *sql;        /* applied to a file with days 0 and 1 */
  gboolean    add_fails;  /* adding to day 1 fails too */
} DamagedDayCase;

/* Day 1 holds one bucket, key 2: x'020101'. */
static const DamagedDayCase damaged_day_cases[] = {
  { "key-out-of-range", "UPDATE buckets SET slots = x'c00101' WHERE day = 1", TRUE },
  { "keys-out-of-order", "UPDATE buckets SET slots = x'020101000101' WHERE day = 1", TRUE },
  { "key-twice", "UPDATE buckets SET slots = x'000101000101' WHERE day = 1", TRUE },
  { "cut-short", "UPDATE buckets SET slots = x'0201' WHERE day = 1", TRUE },
  { "varint-unterminated", "UPDATE buckets SET slots = x'020181' WHERE day = 1", TRUE },
  { "varint-past-64-bits", "UPDATE buckets SET slots = x'02ffffffffffffffffff7f01' WHERE day = 1", TRUE },
  { "not-a-blob", "UPDATE buckets SET slots = 'text' WHERE day = 1", TRUE },
  /* The slots still decode: adding keeps the difference, reading
   * reports it. */
  { "totals-disagree", "UPDATE buckets SET rx = rx + 1 WHERE day = 1", FALSE },
};

/* A day row the store did not write is reported, not guessed at; the
 * other days still read and write. */
static void
test_file_damaged_day (Fixture       *fixture,
                       gconstpointer  data)
{
  const DamagedDayCase *c = data;
  g_autoptr(SbStore) store = open_ok (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) day0 = NULL;

  add_usage_ok (store, "A", 0, FALSE, 1, 1);
  add_usage_ok (store, "A", 86400 + 900, FALSE, 1, 1);
  g_clear_pointer (&store, sb_store_free);
  raw_exec (fixture->path, c->sql);

  store = open_ok (fixture->path);
  rows = sb_store_get_buckets (store, "A", G_MININT64, G_MAXINT64, &error);
  g_assert_null (rows);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "day 1"));
  g_clear_error (&error);

  if (c->add_fails)
    {
      g_assert_false (sb_store_add_usage (store, "A", 86400, FALSE, 1, 1, &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }

  day0 = get_buckets_ok (store, "A", 0, 86400);
  g_assert_cmpuint (day0->len, ==, 1);
  add_usage_ok (store, "A", 0, FALSE, 1, 1);
  g_clear_pointer (&store, sb_store_free);
  assert_query (fixture->path, "SELECT rx FROM buckets WHERE day = 0", "2");
}

/* A year of a phone's 15-minute buckets takes a few hundred bytes a
 * day: well under the 1.2 MB that tools/bench-footprint allows. */
static void
test_file_year_size (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SbStore) store = open_ok (fixture->path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  const gint64 first = 1704067200;   /* 2024-01-01T00:00:00Z */
  const guint n = 365 * 96;
  guint64 rx_total = 0, rx_read = 0;
  GStatBuf st;

  g_assert_true (sb_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      gint64 t = first + (gint64) i * SB_BUCKET_SECONDS;
      gboolean day_time = (t % 86400) >= 8 * 3600 && (t % 86400) < 23 * 3600;
      guint64 rx = g_rand_int_range (rand, 1000, day_time ? 3600000 : 200000);

      add_usage_ok (store, "8981100000000000099", t, FALSE, rx, rx / g_rand_int_range (rand, 5, 20));
      rx_total += rx;
    }
  g_assert_true (sb_store_commit (store, &error));
  g_assert_no_error (error);

  rows = get_buckets_ok (store, "8981100000000000099", first, first + 365 * 86400);
  g_assert_cmpuint (rows->len, ==, n);
  for (guint i = 0; i < rows->len; i++)
    rx_read += g_array_index (rows, SbBucketRow, i).rx;
  g_assert_cmpuint (rx_read, ==, rx_total);
  g_clear_pointer (&store, sb_store_free);

  /* Closed: the write-ahead log is in the file and gone. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_test_message ("a year of buckets: %" G_GINT64_FORMAT " bytes", (gint64) st.st_size);
  g_assert_cmpint (st.st_size, <=, 1200000);
}

/* Read-only storage. As root, file modes do not stop writes, so the
 * files are made immutable (chattr +i, needs CAP_LINUX_IMMUTABLE and a
 * file system that supports it); other users get chmod. Everything is
 * made writable again before any assertion, so a failure leaves no
 * undeletable files behind. */
static gboolean
set_read_only (const char *path,
               gboolean    read_only)
{
  if (geteuid () == 0)
    {
      const char *argv[] = { "chattr", read_only ? "+i" : "-i", path, NULL };
      int status;

      if (!g_spawn_sync (NULL, (char **) argv, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                         G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, NULL))
        return FALSE;
      return g_spawn_check_wait_status (status, NULL);
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_chmod (path, read_only ? 0555 : 0755) == 0;
  return g_chmod (path, read_only ? 0444 : 0644) == 0;
}

/* A read-only database opens, reads, and refuses writes with READ_ONLY
 * and the operation named. */
static void
test_file_read_only_file (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SbStore) store = NULL;
  g_autoptr(GError) open_error = NULL;
  g_autoptr(GError) add_error = NULL;
  g_autoptr(GError) batch_error = NULL;
  g_autoptr(GArray) buckets = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean added = TRUE, batched = TRUE;

  make_written_store (fixture->path);
  before = file_checksum (fixture->path);

  if (!set_read_only (fixture->path, TRUE))
    {
      g_test_skip ("cannot make a file read-only here");
      return;
    }
  store = sb_store_open (fixture->path, &open_error);
  if (store != NULL)
    {
      buckets = sb_store_get_buckets (store, "A", G_MININT64, G_MAXINT64, NULL);
      added = sb_store_add_usage (store, "8981100000000000001", 0, FALSE, 1, 1, &add_error);
      /* The daemon's flush: the batch fails the same way. */
      batched = sb_store_begin (store, &batch_error) &&
                sb_store_add_usage (store, "A", 0, FALSE, 1, 1, &batch_error);
      sb_store_rollback (store);
      g_clear_pointer (&store, sb_store_free);
    }
  g_assert_true (set_read_only (fixture->path, FALSE));
  after = file_checksum (fixture->path);

  g_assert_no_error (open_error);
  g_assert_nonnull (buckets);
  g_assert_cmpuint (buckets->len, ==, 2);
  g_assert_false (added);
  g_assert_error (add_error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_test_message ("%s", add_error->message);
  g_assert_true (g_str_has_prefix (add_error->message,
                                   "Could not add usage for 8981100000000000001: "));
  g_assert_false (batched);
  g_assert_error (batch_error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_cmpstr (before, ==, after);
}

/* A new database in a read-only directory cannot be created; an existing
 * one cannot get its write-ahead log. */
static void
test_file_read_only_dir (Fixture       *fixture,
                         gconstpointer  data)
{
  gboolean existing = GPOINTER_TO_INT (data);
  g_autoptr(SbStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (existing)
    make_written_store (fixture->path);

  if (!set_read_only (fixture->dir, TRUE))
    {
      g_test_skip ("cannot make a directory read-only here");
      return;
    }
  store = sb_store_open (fixture->path, &error);
  g_clear_pointer (&store, sb_store_free);
  g_assert_true (set_read_only (fixture->dir, FALSE));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fixture->path));
}

/* Runs in a child with its own mount namespace: a small tmpfs over the
 * test directory fills up for real. Returns 77 when it cannot be set up. */
static int
disk_full_child (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "state.db", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autofree char *zeros = g_malloc0 (64 * 1024);
  g_autoptr(SbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  guint64 committed = 0, stored = 0;
  gboolean full = FALSE;

  if (unshare (CLONE_NEWNS) != 0 ||
      /* type and source are ignored here; valgrind wants them set */
      mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount ("tmpfs", dir, "tmpfs", 0, "size=256k") != 0)
    return 77;

  write_file (filler, (const guint8 *) zeros, 64 * 1024);
  store = open_ok (path);

  /* Batches of new buckets until the disk is full. */
  for (guint batch = 0; batch < 1000 && !full; batch++)
    {
      gboolean ok = sb_store_begin (store, &error);

      for (guint i = 0; ok && i < 100; i++)
        ok = sb_store_add_usage (store, "A", (batch * 100 + i) * SB_BUCKET_SECONDS,
                                 FALSE, 1, 1, &error);
      if (ok)
        ok = sb_store_commit (store, &error);
      if (ok)
        committed += 100;
      else
        sb_store_rollback (store);
      full = !ok;
    }
  g_assert_true (full);
  g_assert_cmpuint (committed, >, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_true (g_str_has_prefix (error->message, "Could not "));
  g_clear_error (&error);

  /* Nothing of the failed batch was kept, everything before it was. */
  rows = sb_store_get_buckets (store, "A", G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    stored += g_array_index (rows, SbBucketRow, i).rx;
  g_assert_cmpuint (stored, ==, committed);

  /* With space freed, writing works again. */
  g_assert_cmpint (g_remove (filler), ==, 0);
  g_assert_true (sb_store_add_usage (store, "A", 0, FALSE, 1, 1, &error));
  g_assert_no_error (error);
  return 0;
}

static void
test_file_disk_full (Fixture       *fixture,
                     gconstpointer  data)
{
  int status;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("mounting a small file system needs root");
      return;
    }

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (disk_full_child (fixture->dir));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) == 77)
    {
      g_test_skip ("cannot mount a tmpfs here");
      return;
    }
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

typedef void (*FileTest) (Fixture       *fixture,
                          gconstpointer  data);

static void add_file_test (gconstpointer  data,
                           FileTest       test,
                           const char    *format,
                           ...) G_GNUC_PRINTF (3, 4);

/* A test in a directory of its own, with the path @format names. */
static void
add_file_test (gconstpointer  data,
               FileTest       test,
               const char    *format,
               ...)
{
  g_autofree char *path = NULL;
  va_list args;

  va_start (args, format);
  path = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_add (path, Fixture, data, fixture_setup, test, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/profile/round-trip", test_profile_round_trip);
  g_test_add_func ("/store/buckets/floor", test_bucket_floor);
  g_test_add_func ("/store/buckets/sums", test_bucket_sums);
  g_test_add_func ("/store/buckets/profiles-apart", test_bucket_profiles_apart);
  g_test_add_func ("/store/buckets/range", test_bucket_range);
  g_test_add_func ("/store/buckets/days", test_bucket_days);
  g_test_add_func ("/store/buckets/foreach", test_bucket_foreach);
  g_test_add_func ("/store/snapshot/round-trip", test_snapshot_round_trip);
  g_test_add_func ("/store/snapshot/prune", test_snapshot_prune);
  g_test_add_func ("/store/events", test_events);
  g_test_add_func ("/store/state", test_state);
  g_test_add_func ("/store/forget", test_forget);
  g_test_add_func ("/store/transactions", test_transactions);

  add_file_test (NULL, test_file_fresh, "/store/file/fresh");
  add_file_test (NULL, test_file_reopen, "/store/file/reopen");
  add_file_test (NULL, test_file_durability, "/store/file/durability");
  for (guint i = 0; i < G_N_ELEMENTS (newer_cases); i++)
    add_file_test (&newer_cases[i], test_file_newer_version,
                   "/store/file/newer-version/%" G_GINT64_FORMAT "-%s",
                   newer_cases[i].version, newer_cases[i].journal);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    add_file_test (&invalid_cases[i], test_file_invalid,
                   "/store/file/invalid/%s", invalid_cases[i].name);
  for (guint i = 0; i < G_N_ELEMENTS (fresh_cases); i++)
    add_file_test (&fresh_cases[i], test_file_migrate,
                   "/store/file/migrate/%s", fresh_cases[i].name);
  add_file_test (NULL, test_file_migrate_v1, "/store/file/migrate-v1/all-rows");
  add_file_test (NULL, test_file_migrate_v1_off_grid, "/store/file/migrate-v1/off-grid");
  for (guint i = 0; i < G_N_ELEMENTS (damaged_day_cases); i++)
    add_file_test (&damaged_day_cases[i], test_file_damaged_day,
                   "/store/file/damaged-day/%s", damaged_day_cases[i].name);
  add_file_test (NULL, test_file_year_size, "/store/file/year-size");
  add_file_test (NULL, test_file_disk_full, "/store/file/disk-full");
  add_file_test (NULL, test_file_read_only_file, "/store/file/read-only-file");
  add_file_test (GINT_TO_POINTER (FALSE), test_file_read_only_dir,
                 "/store/file/read-only-dir/new");
  add_file_test (GINT_TO_POINTER (TRUE), test_file_read_only_dir,
                 "/store/file/read-only-dir/existing");

  return g_test_run ();
}
