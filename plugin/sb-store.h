/*
 * SQLite persistence: profiles, 15-minute usage buckets (home and roaming
 * apart), per-bearer counter snapshots, period usage and an event log.
 * One SbStore is one database connection; all calls are synchronous and
 * fast (the daemon batches them into one transaction per flush). Use a
 * store from one thread at a time: the connection takes no locks.
 */
#pragma once

#include <glib.h>

#include "sb-counter.h"

G_BEGIN_DECLS

#define SB_STORE_SCHEMA_VERSION 2
#define SB_BUCKET_SECONDS 900

typedef struct _SbStore SbStore;

typedef struct {
  char    *iccid;
  char    *eid;
  char    *sim_type;       /* "esim", "physical", "unknown" */
  char    *operator_name;
  gint64   first_seen;
  gint64   last_seen;
  guint64  total_rx;       /* all time */
  guint64  total_tx;
  gint64   period_start;   /* start of the period period_* count, 0 = none */
  guint64  period_rx;      /* counted this period, before corrections */
  guint64  period_tx;
  gint64   period_correction; /* SetUsed: signed bytes added to rx + tx */
} SbProfileRow;

typedef struct {
  char              *bearer_key; /* "mm:<owner>:<path>" or "if:<name>:<ifindex>" */
  char              *iccid;      /* profile the counted bytes went to */
  SbCounterSnapshot  snap;
  gint64             updated;
} SbSnapshotRow;

typedef struct {
  gint64  start;    /* multiple of SB_BUCKET_SECONDS, UTC */
  guint64 rx;
  guint64 tx;
  guint64 roaming_rx; /* part of rx/tx while roaming */
  guint64 roaming_tx;
} SbBucketRow;

typedef struct {
  gint64  time;
  char   *iccid;
  char   *kind;       /* "threshold", "cutoff", "override", "correction", … */
  gint64  value;
  char   *detail;
} SbEventRow;

void sb_profile_row_free (SbProfileRow *row);
void sb_snapshot_row_free (SbSnapshotRow *row);
void sb_event_row_clear (SbEventRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbProfileRow, sb_profile_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbSnapshotRow, sb_snapshot_row_free)

/* Opens (creating, migrating) the database at @path, or in memory when
 * @path is NULL. WAL mode, synchronous=FULL for durability.
 * Fails with G_IO_ERROR_INVALID_DATA for a file that is not a database
 * or has a damaged schema, G_IO_ERROR_NOT_SUPPORTED for a newer schema
 * version (the file is left untouched). */
SbStore *sb_store_open (const char *path, GError **error);

/* A database in memory holding a copy of the file at @path, read without
 * writing anything (a read-only directory). The file must be at the
 * current schema version. */
SbStore *sb_store_open_copy (const char *path, GError **error);

/* Replaces the whole content of @dest with that of @src: moves what was
 * counted in memory into the file once it can be written. */
gboolean sb_store_copy_into (SbStore *src, SbStore *dest, GError **error);
void     sb_store_free (SbStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbStore, sb_store_free)

int      sb_store_schema_version (SbStore *store);

gboolean sb_store_begin    (SbStore *store, GError **error);
gboolean sb_store_commit   (SbStore *store, GError **error);
void     sb_store_rollback (SbStore *store);
/* Number of committed write transactions since open (for benchmarks). */
guint64  sb_store_commit_count (SbStore *store);

/* Profiles: insert or replace the whole row. */
gboolean      sb_store_put_profile   (SbStore *store, const SbProfileRow *row, GError **error);
/* Array of SbProfileRow*, owned; sorted by iccid. */
GPtrArray    *sb_store_list_profiles (SbStore *store, GError **error);
/* Returns NULL without error when absent. */
SbProfileRow *sb_store_get_profile   (SbStore *store, const char *iccid, GError **error);
/* Deletes the profile row, its buckets, snapshots and events. */
gboolean      sb_store_forget_profile (SbStore *store, const char *iccid, GError **error);

/* Adds to the bucket containing @when (floor to 15 minutes). */
gboolean sb_store_add_usage (SbStore *store, const char *iccid, gint64 when,
                             gboolean roaming, guint64 rx, guint64 tx,
                             GError **error);
/* Buckets with start in [from, to), ascending, SbBucketRow elements;
 * only buckets that exist. */
GArray  *sb_store_get_buckets (SbStore *store, const char *iccid,
                               gint64 from, gint64 to, GError **error);
/* The same buckets, in the same order, handed to @func one by one
 * without building an array (a year is 35,040 of them). @bucket is only
 * valid during the call. On error, @func may have seen some of the
 * buckets: discard what it made of them. */
typedef void (*SbBucketFunc) (const SbBucketRow *bucket, gpointer user_data);
gboolean sb_store_foreach_bucket (SbStore *store, const char *iccid,
                                  gint64 from, gint64 to,
                                  SbBucketFunc func, gpointer user_data,
                                  GError **error);

/* Snapshots, keyed by bearer_key. Returns NULL without error when absent. */
gboolean       sb_store_put_snapshot (SbStore *store, const SbSnapshotRow *row, GError **error);
SbSnapshotRow *sb_store_get_snapshot (SbStore *store, const char *bearer_key, GError **error);
gboolean       sb_store_delete_snapshot (SbStore *store, const char *bearer_key, GError **error);
/* Deletes snapshots not updated since @before. */
gboolean       sb_store_prune_snapshots (SbStore *store, gint64 before, GError **error);

/* Event log. */
gboolean sb_store_add_event (SbStore *store, const SbEventRow *event, GError **error);
/* SbEventRow elements (cleared with sb_event_row_clear), newest last, for
 * @iccid (NULL = all) with time >= @since. */
GArray  *sb_store_list_events (SbStore *store, const char *iccid, gint64 since, GError **error);

/* Key/value state (plans, blocks, first-use) for later features. */
gboolean sb_store_set_state (SbStore *store, const char *key, const char *value, GError **error);
/* NULL without error when absent. */
char    *sb_store_get_state (SbStore *store, const char *key, GError **error);
gboolean sb_store_delete_state (SbStore *store, const char *key, GError **error);

G_END_DECLS
