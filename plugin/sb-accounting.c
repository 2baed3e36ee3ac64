#define G_LOG_DOMAIN "sb-accounting"

#include "sb-accounting.h"

#include <string.h>

typedef struct {
  char    *iccid;
  gint64   bucket;
  gboolean roaming;
  guint64  rx;
  guint64  tx;
} Pending;

struct _SbAccounting {
  SbStore    *store;      /* (unowned) */
  GHashTable *snapshots;  /* source key → SbSnapshotRow (owned) */
  GHashTable *dirty;      /* source keys whose snapshot must be written */
  GHashTable *pending;    /* "iccid|bucket|roaming" → Pending */
  GHashTable *dropped;    /* source keys to forget once written */
};

static void
pending_free (Pending *p)
{
  g_free (p->iccid);
  g_free (p);
}

SbAccounting *
sb_accounting_new (SbStore *store)
{
  SbAccounting *acc = g_new0 (SbAccounting, 1);

  acc->store = store;
  acc->snapshots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) sb_snapshot_row_free);
  acc->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  acc->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) pending_free);
  acc->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return acc;
}

void
sb_accounting_free (SbAccounting *acc)
{
  if (!acc)
    return;
  g_hash_table_unref (acc->dropped);
  g_hash_table_unref (acc->pending);
  g_hash_table_unref (acc->dirty);
  g_hash_table_unref (acc->snapshots);
  g_free (acc);
}

void
sb_accounting_set_store (SbAccounting *acc, SbStore *store)
{
  acc->store = store;
}

static guint64
sat_add (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static void
add_pending (SbAccounting *acc, const char *iccid, gint64 now, gboolean roaming,
             guint64 rx, guint64 tx)
{
  gint64 bucket = now - (((now % SB_BUCKET_SECONDS) + SB_BUCKET_SECONDS) % SB_BUCKET_SECONDS);
  g_autofree char *key = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%d", iccid, bucket, roaming);
  Pending *p = g_hash_table_lookup (acc->pending, key);

  if (!p)
    {
      p = g_new0 (Pending, 1);
      p->iccid = g_strdup (iccid);
      p->bucket = bucket;
      p->roaming = roaming;
      g_hash_table_insert (acc->pending, g_steal_pointer (&key), p);
    }
  p->rx = sat_add (p->rx, rx);
  p->tx = sat_add (p->tx, tx);
}

/* The snapshot of @source_key: from memory, else the database, else a new
 * one (the session is then counted from its start). */
static SbSnapshotRow *
lookup_snapshot (SbAccounting  *acc,
                 const char    *source_key,
                 const char    *profile_key,
                 GError       **error)
{
  SbSnapshotRow *row = g_hash_table_lookup (acc->snapshots, source_key);

  if (row)
    return row;

  row = sb_store_get_snapshot (acc->store, source_key, error);
  if (!row && error && *error)
    return NULL;
  if (!row)
    {
      row = g_new0 (SbSnapshotRow, 1);
      row->bearer_key = g_strdup (source_key);
      row->iccid = g_strdup (profile_key);
    }
  g_hash_table_insert (acc->snapshots, row->bearer_key, row);
  return row;
}

gboolean
sb_accounting_reading (SbAccounting          *acc,
                       const char            *source_key,
                       const char            *profile_key,
                       const SbCounterSample *sample,
                       gboolean               roaming,
                       gint64                 now,
                       guint64               *out_rx,
                       guint64               *out_tx,
                       gboolean              *out_urgent)
{
  g_autoptr(GError) error = NULL;
  SbSnapshotRow *row;
  SbCounterSnapshot before;
  SbCounterEvent ev;
  guint64 rx = 0, tx = 0;

  *out_rx = *out_tx = 0;
  *out_urgent = FALSE;
  row = lookup_snapshot (acc, source_key, profile_key, &error);
  if (!row)
    {
      /* Counting without the snapshot could count a session twice; the
       * next reading will try again and loses nothing. */
      g_warning ("Skipping a reading of %s: %s", source_key, error->message);
      return FALSE;
    }

  if (g_strcmp0 (row->iccid, profile_key) != 0)
    {
      /* The same session going on: its bytes so far were the other
       * profile's. Counters that went back mean a new session that
       * started in the same second. */
      if (row->snap.valid && row->snap.last.session == sample->session &&
          sample->rx >= row->snap.last.rx && sample->tx >= row->snap.last.tx)
        sb_counter_rebase (&row->snap, sample);
      else
        row->snap.valid = FALSE;
      g_info ("%s moved from profile %s to %s", source_key, row->iccid, profile_key);
      g_free (row->iccid);
      row->iccid = g_strdup (profile_key);
      g_hash_table_add (acc->dirty, g_strdup (source_key));
      *out_urgent = TRUE;
    }

  before = row->snap;
  ev = sb_counter_advance (&row->snap, sample, &rx, &tx);
  if (ev == SB_COUNTER_SAME)
    g_debug ("%s: +%" G_GUINT64_FORMAT " rx, +%" G_GUINT64_FORMAT " tx", source_key, rx, tx);
  else
    g_info ("%s: %s (+%" G_GUINT64_FORMAT " rx, +%" G_GUINT64_FORMAT " tx)",
            source_key, sb_counter_event_to_string (ev), rx, tx);

  if (!before.valid || memcmp (&before.last, &row->snap.last, sizeof before.last) != 0)
    {
      row->updated = now;
      g_hash_table_add (acc->dirty, g_strdup (source_key));
    }
  if (rx || tx)
    add_pending (acc, profile_key, now, roaming, rx, tx);
  if (ev == SB_COUNTER_RESET || ev == SB_COUNTER_WRAP32 || ev == SB_COUNTER_NEW_SESSION)
    *out_urgent = TRUE;

  *out_rx = rx;
  *out_tx = tx;
  return g_hash_table_contains (acc->dirty, source_key) || rx || tx;
}

void
sb_accounting_add_usage (SbAccounting *acc, const char *profile_key, gint64 now,
                         gboolean roaming, guint64 rx, guint64 tx)
{
  if (rx || tx)
    add_pending (acc, profile_key, now, roaming, rx, tx);
}

void
sb_accounting_drop_source (SbAccounting *acc, const char *source_key)
{
  /* Unwritten snapshots stay until the next flush writes them. */
  if (g_hash_table_contains (acc->dirty, source_key))
    g_hash_table_add (acc->dropped, g_strdup (source_key));
  else
    g_hash_table_remove (acc->snapshots, source_key);
}

void
sb_accounting_forget_profile (SbAccounting *acc, const char *profile_key)
{
  GHashTableIter iter;
  Pending *p;
  SbSnapshotRow *row;

  g_hash_table_iter_init (&iter, acc->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    if (g_str_equal (p->iccid, profile_key))
      g_hash_table_iter_remove (&iter);

  /* Snapshots survive a Forget: without them the running session would be
   * counted again from its start. Rewrite them after the deletion. */
  g_hash_table_iter_init (&iter, acc->snapshots);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    if (g_strcmp0 (row->iccid, profile_key) == 0)
      g_hash_table_add (acc->dirty, g_strdup (row->bearer_key));
}

gboolean
sb_accounting_has_pending (SbAccounting *acc)
{
  return g_hash_table_size (acc->pending) > 0 || g_hash_table_size (acc->dirty) > 0;
}

gboolean
sb_accounting_flush (SbAccounting           *acc,
                     GPtrArray              *profile_rows,
                     SbAccountingExtraWrites extra,
                     gpointer                extra_data,
                     GError                **error)
{
  GHashTableIter iter;
  Pending *p;
  const char *key;

  if (!sb_accounting_has_pending (acc) && (!profile_rows || profile_rows->len == 0))
    return TRUE;

  if (!sb_store_begin (acc->store, error))
    return FALSE;

  g_hash_table_iter_init (&iter, acc->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    if (!sb_store_add_usage (acc->store, p->iccid, p->bucket, p->roaming, p->rx, p->tx, error))
      goto fail;

  g_hash_table_iter_init (&iter, acc->dirty);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      SbSnapshotRow *row = g_hash_table_lookup (acc->snapshots, key);
      if (row && !sb_store_put_snapshot (acc->store, row, error))
        goto fail;
    }

  for (guint i = 0; profile_rows && i < profile_rows->len; i++)
    if (!sb_store_put_profile (acc->store, g_ptr_array_index (profile_rows, i), error))
      goto fail;

  if (extra && !extra (acc->store, extra_data, error))
    goto fail;

  if (!sb_store_commit (acc->store, error))
    goto fail;

  g_hash_table_remove_all (acc->pending);
  g_hash_table_remove_all (acc->dirty);
  g_hash_table_iter_init (&iter, acc->dropped);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    g_hash_table_remove (acc->snapshots, key);
  g_hash_table_remove_all (acc->dropped);
  return TRUE;

fail:
  sb_store_rollback (acc->store);
  return FALSE;
}
