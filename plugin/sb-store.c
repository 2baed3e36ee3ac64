/*
 * SQLite persistence for the daemon; see sb-store.h.
 *
 * Storage conventions:
 *  - guint64 values (byte counts, session ids) are stored in SQLite's
 *    signed 64-bit INTEGER by bit-casting (guint64 <-> gint64), so every
 *    value up to 2^64-1 round-trips exactly. Values >= 2^63 therefore read
 *    as negative numbers in the sqlite3 shell, and SQL arithmetic on them
 *    is meaningless: sums are done in C (or by sb_uadd_sat() below), and
 *    they saturate at 2^64-1 instead of wrapping.
 *  - Times are gint64 seconds since the epoch, UTC.
 *  - Every commit is durable (WAL, synchronous=FULL): the daemon commits at
 *    most once per second, and usage it has acted on must survive SIGKILL
 *    and power loss.
 */
#define G_LOG_DOMAIN "sb-store"

#include "sb-store.h"

#include "sb-day-slots.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

/* Long enough to ride out a checkpoint or a reader holding a lock. */
#define BUSY_TIMEOUT_MS 5000

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_PUT_PROFILE,
  STMT_GET_PROFILE,
  STMT_LIST_PROFILES,
  STMT_DELETE_PROFILE,
  STMT_DELETE_PROFILE_BUCKETS,
  STMT_DELETE_PROFILE_SNAPSHOTS,
  STMT_DELETE_PROFILE_EVENTS,
  STMT_ADD_USAGE,
  STMT_GET_BUCKETS,
  STMT_PUT_SNAPSHOT,
  STMT_GET_SNAPSHOT,
  STMT_DELETE_SNAPSHOT,
  STMT_PRUNE_SNAPSHOTS,
  STMT_ADD_EVENT,
  STMT_LIST_EVENTS,
  STMT_LIST_ALL_EVENTS,
  STMT_SET_STATE,
  STMT_GET_STATE,
  STMT_DELETE_STATE,
  N_STMTS
} StmtId;

#define PROFILE_COLUMNS \
  "iccid, eid, sim_type, operator_name, first_seen, last_seen, total_rx, " \
  "total_tx, period_start, period_rx, period_tx, period_correction"
#define SNAPSHOT_COLUMNS \
  "bearer_key, iccid, valid, session, rx, tx, has_totals, total_rx, " \
  "total_tx, updated"
#define EVENT_COLUMNS "time, iccid, kind, value, detail"
/* Adds the day row `excluded` into the stored one. */
#define DAY_MERGE \
  "rx = sb_uadd_sat (rx, excluded.rx), tx = sb_uadd_sat (tx, excluded.tx), " \
  "slots = sb_slots_merge (slots, excluded.slots)"

/* Every statement is compiled at open: a table or column missing from the
 * file fails there, which is how a damaged schema is detected. The
 * upserts name their conflict target, so a missing primary key fails too. */
static const char *const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_PUT_PROFILE] =
    "INSERT INTO profiles (" PROFILE_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (iccid) DO UPDATE SET eid = excluded.eid, "
    "sim_type = excluded.sim_type, operator_name = excluded.operator_name, "
    "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
    "total_rx = excluded.total_rx, total_tx = excluded.total_tx, "
    "period_start = excluded.period_start, period_rx = excluded.period_rx, "
    "period_tx = excluded.period_tx, "
    "period_correction = excluded.period_correction",
  [STMT_GET_PROFILE] =
    "SELECT " PROFILE_COLUMNS " FROM profiles WHERE iccid = ?1",
  [STMT_LIST_PROFILES] =
    "SELECT " PROFILE_COLUMNS " FROM profiles ORDER BY iccid",
  [STMT_DELETE_PROFILE] = "DELETE FROM profiles WHERE iccid = ?1",
  [STMT_DELETE_PROFILE_BUCKETS] = "DELETE FROM buckets WHERE iccid = ?1",
  [STMT_DELETE_PROFILE_SNAPSHOTS] = "DELETE FROM snapshots WHERE iccid = ?1",
  [STMT_DELETE_PROFILE_EVENTS] = "DELETE FROM events WHERE iccid = ?1",
  [STMT_ADD_USAGE] =
    "INSERT INTO buckets (iccid, day, rx, tx, slots) "
    "VALUES (?1, ?2, ?4, ?5, sb_slots_entry (?3, ?4, ?5)) "
    "ON CONFLICT (iccid, day) DO UPDATE SET " DAY_MERGE,
  [STMT_GET_BUCKETS] =
    "SELECT day, rx, tx, slots FROM buckets "
    "WHERE iccid = ?1 AND day >= ?2 AND day <= ?3 "
    "ORDER BY day",
  [STMT_PUT_SNAPSHOT] =
    "INSERT INTO snapshots (" SNAPSHOT_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (bearer_key) DO UPDATE SET iccid = excluded.iccid, "
    "valid = excluded.valid, session = excluded.session, rx = excluded.rx, "
    "tx = excluded.tx, has_totals = excluded.has_totals, "
    "total_rx = excluded.total_rx, total_tx = excluded.total_tx, "
    "updated = excluded.updated",
  [STMT_GET_SNAPSHOT] =
    "SELECT " SNAPSHOT_COLUMNS " FROM snapshots WHERE bearer_key = ?1",
  [STMT_DELETE_SNAPSHOT] = "DELETE FROM snapshots WHERE bearer_key = ?1",
  [STMT_PRUNE_SNAPSHOTS] = "DELETE FROM snapshots WHERE updated < ?1",
  [STMT_ADD_EVENT] =
    "INSERT INTO events (" EVENT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)",
  [STMT_LIST_EVENTS] =
    "SELECT " EVENT_COLUMNS " FROM events WHERE iccid = ?1 AND time >= ?2 "
    "ORDER BY time, id",
  [STMT_LIST_ALL_EVENTS] =
    "SELECT " EVENT_COLUMNS " FROM events WHERE time >= ?1 ORDER BY time, id",
  [STMT_SET_STATE] =
    "INSERT INTO state (key, value) VALUES (?1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  [STMT_GET_STATE] = "SELECT value FROM state WHERE key = ?1",
  [STMT_DELETE_STATE] = "DELETE FROM state WHERE key = ?1",
};

/* migrations[n] takes a database from user_version n to n + 1. Append
 * only; never edit a step that has shipped. */
static const char *const migrations[] = {
  /* 0 → 1 */
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
  /* Small rows looked up by their key: clustering on the key halves the
   * storage and every read is a range scan of one profile. */
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
  /* updated as the last column answers "newest of this session" from the
   * index alone. */
  "CREATE INDEX snapshots_by_session ON snapshots (iccid, session, updated);"
  /* AUTOINCREMENT: ids of forgotten profiles' events are never reused. */
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
  ") WITHOUT ROWID;",

  /* 1 → 2: one row per profile and UTC day instead of one per bucket.
   * A year of one profile shrinks from 35,040 rows of ~44 bytes to 365
   * of ~700, and reading it back from 35,040 steps to 365. rx and tx
   * are the day's totals (home and roaming), so the table still reads
   * in the sqlite3 shell; slots holds the buckets (see "Day rows").
   * day is floor(start / 86400) and the slot key (start mod 86400) /
   * 900 * 2 + roaming, both written so that no value overflows. A start
   * off the 15-minute grid, which version 1 never wrote, fails the step
   * (key -1) rather than being moved. */
  "ALTER TABLE buckets RENAME TO buckets_v1;"
  "CREATE TABLE buckets ("
  "  iccid TEXT NOT NULL,"
  "  day INTEGER NOT NULL,"
  "  rx INTEGER NOT NULL,"
  "  tx INTEGER NOT NULL,"
  "  slots BLOB NOT NULL,"
  "  PRIMARY KEY (iccid, day)"
  ") WITHOUT ROWID;"
  "INSERT INTO buckets (iccid, day, rx, tx, slots)"
  "  SELECT iccid,"
  "    CASE WHEN start >= 0 THEN start / 86400"
  "      ELSE -1 - (-1 - start) / 86400 END,"
  "    rx, tx,"
  "    sb_slots_entry (CASE WHEN start % 900 = 0"
  "      THEN (start % 86400 + 86400) % 86400 / 900 * 2 + roaming"
  "      ELSE -1 END, rx, tx)"
  "  FROM buckets_v1 WHERE true"
  "  ON CONFLICT (iccid, day) DO UPDATE SET"
  "    rx = sb_uadd_sat (rx, excluded.rx), tx = sb_uadd_sat (tx, excluded.tx),"
  "    slots = sb_slots_merge (slots, excluded.slots);"
  "DROP TABLE buckets_v1;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SB_STORE_SCHEMA_VERSION);

struct _SbStore {
  sqlite3      *db;                /* (owned) */
  char         *path;              /* (owned) for messages */
  sqlite3_stmt *stmts[N_STMTS];    /* (owned) */
  int           version;
  gboolean      in_transaction;    /* an explicit sb_store_begin() is open */
  guint64       commit_count;
};

/* A cached statement in use: releasing it resets it, so no read
 * transaction stays open and no binding outlives the call. */
typedef sqlite3_stmt SbStmtInUse;

static void
stmt_release (SbStmtInUse *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbStmtInUse, stmt_release)

static SbStmtInUse *
stmt_acquire (SbStore *store,
              StmtId   id)
{
  return store->stmts[id];
}

static inline gint64
u64_to_db (guint64 value)
{
  gint64 stored;

  memcpy (&stored, &value, sizeof stored);
  return stored;
}

static inline guint64
db_to_u64 (gint64 stored)
{
  guint64 value;

  memcpy (&value, &stored, sizeof value);
  return value;
}

/* Binding only fails for a wrong index (a bug here) or a string over a
 * gigabyte, so the results are not checked. Text is bound SQLITE_STATIC:
 * statements are reset before the caller's strings go away. */
static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static void
bind_u64 (sqlite3_stmt *stmt,
          int           index,
          guint64       value)
{
  sqlite3_bind_int64 (stmt, index, u64_to_db (value));
}

static char *
column_text_dup (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static guint64
column_u64 (sqlite3_stmt *stmt,
            int           column)
{
  return db_to_u64 (sqlite3_column_int64 (stmt, column));
}

static GIOErrorEnum
io_error_from_sqlite (int rc,
                      int sys_errno)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return G_IO_ERROR_NO_SPACE;
    case SQLITE_READONLY:
      return G_IO_ERROR_READ_ONLY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return G_IO_ERROR_INVALID_DATA;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return G_IO_ERROR_PERMISSION_DENIED;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return G_IO_ERROR_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      /* The OS error says why: read-only file system, permissions, … */
#ifdef EDQUOT
      if (sys_errno == EDQUOT)
        return G_IO_ERROR_NO_SPACE;
#endif
      return sys_errno != 0 ? g_io_error_from_errno (sys_errno) : G_IO_ERROR_FAILED;
    default:
      return G_IO_ERROR_FAILED;
    }
}

/* The OS error behind a failed open or I/O, 0 if none applies. */
static int
system_errno (SbStore *store,
              int      rc)
{
  int sys_errno;

  if (store->db == NULL ||
      ((rc & 0xff) != SQLITE_CANTOPEN && (rc & 0xff) != SQLITE_IOERR))
    return 0;

  sys_errno = sqlite3_system_errno (store->db);
  /* In a read-only directory, creating the database or its -wal fails
   * (EROFS, EACCES), then SQLite's retry without O_CREAT fails with
   * ENOENT, which is the errno it keeps. The directory tells why. */
  if ((rc & 0xff) == SQLITE_CANTOPEN && sys_errno == ENOENT)
    {
      g_autofree char *dir = g_path_get_dirname (store->path);

      if (g_access (dir, W_OK) != 0)
        sys_errno = errno;
    }
  return sys_errno;
}

/* Sets "<operation>: <sqlite's message>" from the connection's last error;
 * call it before anything else touches the connection (a ROLLBACK would
 * replace the message). */
static void G_GNUC_PRINTF (4, 0)
set_sql_error_valist (SbStore    *store,
                      GError    **error,
                      int         rc,
                      const char *format,
                      va_list     args)
{
  g_autofree char *operation = NULL;
  const char *message;
  int sys_errno;

  if (error == NULL)
    return;

  operation = g_strdup_vprintf (format, args);
  message = store->db != NULL ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc);
  sys_errno = system_errno (store, rc);
  if (sys_errno != 0)
    g_set_error (error, G_IO_ERROR, io_error_from_sqlite (rc, sys_errno),
                 "%s: %s (%s)", operation, message, g_strerror (sys_errno));
  else
    g_set_error (error, G_IO_ERROR, io_error_from_sqlite (rc, 0),
                 "%s: %s", operation, message);
}

static void G_GNUC_PRINTF (4, 5)
set_sql_error (SbStore    *store,
               GError    **error,
               int         rc,
               const char *format,
               ...)
{
  va_list args;

  va_start (args, format);
  set_sql_error_valist (store, error, rc, format, args);
  va_end (args);
}

/* SQLite rolls a transaction back by itself after some errors (disk full,
 * I/O error). Writing on in autocommit mode would then persist part of a
 * batch the caller believes failed as a whole. */
static gboolean
transaction_lost (SbStore *store)
{
  return store->in_transaction && sqlite3_get_autocommit (store->db);
}

#define TRANSACTION_LOST_MESSAGE "the transaction was rolled back after an earlier error"

/* Runs a bound write statement to completion. @format names the
 * operation for the error message. */
static gboolean G_GNUC_PRINTF (4, 5)
step_write (SbStore      *store,
            sqlite3_stmt *stmt,
            GError      **error,
            const char   *format,
            ...)
{
  va_list args;
  int rc;

  if (transaction_lost (store))
    {
      g_autofree char *operation = NULL;

      va_start (args, format);
      operation = g_strdup_vprintf (format, args);
      va_end (args);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: " TRANSACTION_LOST_MESSAGE, operation);
      return FALSE;
    }

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      va_start (args, format);
      set_sql_error_valist (store, error, rc, format, args);
      va_end (args);
      return FALSE;
    }

  /* Outside an explicit transaction the statement was its own one. */
  if (!store->in_transaction)
    store->commit_count++;
  return TRUE;
}

/* Steps a bound statement that returns at most one row: the row as
 * @from_row makes it, or NULL when there is none (no error) or reading
 * failed (@error set, @format naming the operation). */
typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

static gpointer G_GNUC_PRINTF (5, 6)
step_read_one (SbStore      *store,
               sqlite3_stmt *stmt,
               RowFunc       from_row,
               GError      **error,
               const char   *format,
               ...)
{
  va_list args;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return from_row (stmt);
  if (rc != SQLITE_DONE)
    {
      va_start (args, format);
      set_sql_error_valist (store, error, rc, format, args);
      va_end (args);
    }
  return NULL;
}

/* sb_uadd_sat(a, b): saturating unsigned addition of two bit-cast
 * guint64 values, so bucket upserts stay one statement and never wrap or
 * overflow into a REAL as SQLite's own + would. */
static void
sql_uadd_sat (sqlite3_context *context,
              int              argc,
              sqlite3_value  **argv)
{
  guint64 a = db_to_u64 (sqlite3_value_int64 (argv[0]));
  guint64 b = db_to_u64 (sqlite3_value_int64 (argv[1]));

  sqlite3_result_int64 (context, u64_to_db (sb_u64_add_sat (a, b)));
}

static gboolean
value_day_slots (sqlite3_value *value,
                 SbDaySlots    *day)
{
  if (sqlite3_value_type (value) != SQLITE_BLOB)
    return FALSE;
  /* A zero-length blob comes back as NULL. */
  return sb_day_slots_decode (sqlite3_value_blob (value), (gsize) sqlite3_value_bytes (value), day);
}

static void
result_day_slots (sqlite3_context *context,
                  const SbDaySlots *day)
{
  guint8 buffer[SB_DAY_SLOTS_MAX_BYTES];
  gsize length = sb_day_slots_encode (day, buffer);

  sqlite3_result_blob (context, buffer, (int) length, SQLITE_TRANSIENT);
}

/* sb_slots_entry(key, rx, tx): the slots of a day with one bucket. */
static void
sql_slots_entry (sqlite3_context *context,
                 int              argc,
                 sqlite3_value  **argv)
{
  sqlite3_int64 key = sqlite3_value_int64 (argv[0]);
  SbDaySlots day = { .n = 1 };

  if (sqlite3_value_type (argv[0]) != SQLITE_INTEGER || key < 0 || key >= SB_SLOT_KEYS)
    {
      sqlite3_result_error (context, "sb_slots_entry: not a bucket of a day", -1);
      return;
    }
  day.entries[0].key = (guint8) key;
  day.entries[0].rx = db_to_u64 (sqlite3_value_int64 (argv[1]));
  day.entries[0].tx = db_to_u64 (sqlite3_value_int64 (argv[2]));
  result_day_slots (context, &day);
}

/* sb_slots_merge(a, b): both days' buckets, counts of one bucket added. */
static void
sql_slots_merge (sqlite3_context *context,
                 int              argc,
                 sqlite3_value  **argv)
{
  SbDaySlots days[3];

  if (!value_day_slots (argv[0], &days[0]) || !value_day_slots (argv[1], &days[1]))
    {
      sqlite3_result_error (context, "sb_slots_merge: damaged bucket slots", -1);
      return;
    }
  sb_day_slots_merge (&days[0], &days[1], &days[2]);
  result_day_slots (context, &days[2]);
}

/* Runs @sql, which returns one row, and gives its first column. */
static gboolean
query_int (SbStore    *store,
           const char *sql,
           gint64     *out,
           GError    **error,
           const char *operation)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sql_error (store, error, rc, "%s", operation);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
check_integrity (SbStore *store,
                 GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *result;
  int rc;

  rc = sqlite3_prepare_v2 (store->db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      GIOErrorEnum code = io_error_from_sqlite (rc, system_errno (store, rc));

      /* Not even able to run the check: the file is unusable, unless the
       * OS said why (permissions, read-only file system, …). */
      g_set_error (error, G_IO_ERROR,
                   code == G_IO_ERROR_FAILED ? G_IO_ERROR_INVALID_DATA : code,
                   "Could not check database %s: %s",
                   store->path, sqlite3_errmsg (store->db));
      sqlite3_finalize (stmt);
      return FALSE;
    }

  /* "ok", or a report of many lines after a "*** in database main ***"
   * heading: its first problem is enough for the message. */
  result = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_auto(GStrv) lines = g_strsplit (result != NULL ? result : "", "\n", -1);
      const char *problem = "unknown problem";

      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "***"))
          {
            problem = lines[i];
            break;
          }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Database %s is corrupt: %s", store->path, problem);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
exec (SbStore    *store,
      const char *sql,
      GError    **error,
      const char *operation)
{
  int rc;

  rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (store, error, rc, "%s", operation);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_journal (SbStore *store,
             GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *mode;
  int rc;

  /* Changing the mode writes the header: done only after the version
   * check, so a newer file is left alone. */
  rc = sqlite3_prepare_v2 (store->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sql_error (store, error, rc, "Could not set up %s", store->path);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  /* An in-memory database reports "memory"; a file system without
   * shared memory keeps the rollback journal, which is durable too. */
  if (g_strcmp0 (mode, "wal") != 0 && g_strcmp0 (mode, "memory") != 0)
    g_message ("Database %s stays in journal mode %s", store->path, mode);
  sqlite3_finalize (stmt);

  return exec (store, "PRAGMA synchronous = FULL", error, "Could not set up database");
}

/* Version 0 is an empty file. Tables without a version were not made by
 * us (or lost their version): not ours to build on. */
static gboolean
check_unversioned_is_empty (SbStore *store,
                            GError **error)
{
  gint64 objects;

  if (!query_int (store, "SELECT count(*) FROM sqlite_schema", &objects, error,
                  "Could not read the schema of the database"))
    return FALSE;
  if (objects > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Database %s has tables but no schema version", store->path);
      return FALSE;
    }
  return TRUE;
}

/* Steps that rebuild a table leave its old pages free: give them back,
 * so the file is as small as the data and a fresh store has no free
 * pages. Only an optimisation: a failure (no room for the copy) leaves a
 * sound file. */
static void
compact (SbStore *store)
{
  gint64 free_pages = 0;
  char *message = NULL;

  if (!query_int (store, "PRAGMA freelist_count", &free_pages, NULL, "") || free_pages == 0)
    return;
  if (sqlite3_exec (store->db, "VACUUM", NULL, NULL, &message) != SQLITE_OK)
    g_message ("Could not compact %s after the upgrade: %s", store->path, message);
  sqlite3_free (message);
}

static gboolean
migrate (SbStore *store,
         int      from,
         GError **error)
{
  if (sqlite3_db_readonly (store->db, "main") == 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                   "Database %s needs an upgrade from schema version %d but is read-only",
                   store->path, from);
      return FALSE;
    }

  for (int version = from; version < SB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d",
                                                      version + 1);
      g_autofree char *operation = g_strdup_printf ("Could not upgrade %s to schema version %d",
                                                    store->path, version + 1);

      /* One transaction per step: a crash leaves a consistent version. */
      if (!exec (store, "BEGIN IMMEDIATE", error, operation))
        return FALSE;
      if (!exec (store, migrations[version], error, operation) ||
          !exec (store, set_version, error, operation) ||
          !exec (store, "COMMIT", error, operation))
        {
          if (!sqlite3_get_autocommit (store->db))
            sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  compact (store);
  return TRUE;
}

/* The SQL functions the statements and migrations use. A migration
 * that has shipped relies on its functions: never change what they do. */
static gboolean
create_functions (SbStore *store,
                  GError **error)
{
  static const struct {
    const char *name;
    int n_args;
    void (*func) (sqlite3_context *, int, sqlite3_value **);
  } functions[] = {
    { "sb_uadd_sat", 2, sql_uadd_sat },
    { "sb_slots_entry", 3, sql_slots_entry },
    { "sb_slots_merge", 2, sql_slots_merge },
  };

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    {
      int rc = sqlite3_create_function (store->db, functions[i].name, functions[i].n_args,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, functions[i].func, NULL, NULL);

      if (rc != SQLITE_OK)
        {
          set_sql_error (store, error, rc, "Could not set up %s", store->path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
prepare_statements (SbStore *store,
                    GError **error)
{
  for (guint i = 0; i < N_STMTS; i++)
    {
      int rc;

      g_assert (stmt_sql[i] != NULL);
      rc = sqlite3_prepare_v3 (store->db, stmt_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &store->stmts[i], NULL);
      if (rc != SQLITE_OK)
        {
          /* The migrations made this schema; if a statement does not
           * compile against it, tables or columns were lost. */
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Database %s has a damaged schema: %s",
                       store->path, sqlite3_errmsg (store->db));
          return FALSE;
        }
    }
  return TRUE;
}

static SbStore *
store_open (const char *path,
            const char *uri,
            GError    **error)
{
  g_autoptr(SbStore) store = g_new0 (SbStore, 1);
  g_autofree char *operation = NULL;
  gint64 version;
  int rc;

  store->path = g_strdup (path != NULL ? path : ":memory:");

  /* A file that cannot be opened for writing is opened read-only by
   * SQLite: reading still works and writes fail with READ_ONLY, so the
   * daemon keeps the usage it has and reports the storage problem. */
  rc = uri != NULL ? sqlite3_open_v2 (uri, &store->db,
                                      SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL)
                   : sqlite3_open_v2 (store->path, &store->db,
                                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                      /* One thread at a time: no lock around every call. */
                                      SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (store, error, rc, "Could not open database %s", store->path);
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);
  /* Only the migrations change the schema; nothing may corrupt it. */
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);

  /* Reading the version writes nothing: a newer file is left as it is. */
  operation = g_strdup_printf ("Could not read the schema version of %s", store->path);
  if (!query_int (store, "PRAGMA user_version", &version, error, operation))
    return NULL;
  if (version > SB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Database %s has schema version %" G_GINT64_FORMAT
                   ", newer than the supported %d; it was left untouched",
                   store->path, version, SB_STORE_SCHEMA_VERSION);
      return NULL;
    }
  if (version < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Database %s has an invalid schema version %" G_GINT64_FORMAT,
                   store->path, version);
      return NULL;
    }

  if (uri != NULL && version != SB_STORE_SCHEMA_VERSION)
    {
      /* Read-only: no migration can happen. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Database %s has schema version %" G_GINT64_FORMAT " and cannot be "
                   "upgraded while it is read-only", store->path, version);
      return NULL;
    }
  if (!check_integrity (store, error))
    return NULL;
  if (version == 0 && !check_unversioned_is_empty (store, error))
    return NULL;

  if (!create_functions (store, error))
    return NULL;
  /* At the current version, compiling the statements is the schema
   * check, done while the file is still untouched. */
  if (version == SB_STORE_SCHEMA_VERSION && !prepare_statements (store, error))
    return NULL;

  /* All checks passed: from here on the file may be written. */
  if (sqlite3_db_readonly (store->db, "main") != 1 && !set_journal (store, error))
    return NULL;
  if (version < SB_STORE_SCHEMA_VERSION &&
      (!migrate (store, (int) version, error) || !prepare_statements (store, error)))
    return NULL;

  store->version = SB_STORE_SCHEMA_VERSION;
  return g_steal_pointer (&store);
}

SbStore *
sb_store_open (const char *path,
               GError    **error)
{
  return store_open (path, NULL, error);
}

/* Replaces everything in @dest with the content of @src. */
static gboolean
copy_database (SbStore *src,
               SbStore *dest,
               GError **error)
{
  sqlite3_backup *backup;
  int rc;

  backup = sqlite3_backup_init (dest->db, "main", src->db, "main");
  if (backup == NULL)
    {
      set_sql_error (dest, error, sqlite3_errcode (dest->db), "Could not copy %s into %s",
                     src->path, dest->path);
      return FALSE;
    }
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      set_sql_error (dest, error, rc, "Could not copy %s into %s", src->path, dest->path);
      return FALSE;
    }
  dest->commit_count++;
  return TRUE;
}

SbStore *
sb_store_open_copy (const char *path,
                    GError    **error)
{
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(SbStore) file = NULL;
  g_autoptr(SbStore) memory = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* immutable: no locks and no -shm, so nothing is created beside a file
   * in a read-only directory (a WAL left by a crash is not read). */
  escaped = g_uri_escape_string (path, "/", FALSE);
  uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);
  file = store_open (path, uri, error);
  if (file == NULL)
    return NULL;
  memory = sb_store_open (NULL, error);
  if (memory == NULL || !copy_database (file, memory, error))
    return NULL;
  return g_steal_pointer (&memory);
}

gboolean
sb_store_copy_into (SbStore *src,
                    SbStore *dest,
                    GError **error)
{
  g_return_val_if_fail (src != NULL && dest != NULL, FALSE);
  g_return_val_if_fail (!src->in_transaction && !dest->in_transaction, FALSE);

  return copy_database (src, dest, error);
}

void
sb_store_free (SbStore *store)
{
  if (store == NULL)
    return;

  if (store->in_transaction && store->db != NULL &&
      !sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (store->stmts[i]);
  /* Closing the last connection checkpoints and removes the WAL. */
  sqlite3_close (store->db);
  g_free (store->path);
  g_free (store);
}

int
sb_store_schema_version (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);

  return store->version;
}

gboolean
sb_store_begin (SbStore *store,
                GError **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (!store->in_transaction, FALSE);

  stmt = stmt_acquire (store, STMT_BEGIN);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sql_error (store, error, rc, "Could not begin a transaction on %s", store->path);
      return FALSE;
    }
  store->in_transaction = TRUE;
  return TRUE;
}

gboolean
sb_store_commit (SbStore *store,
                 GError **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (store->in_transaction, FALSE);

  if (transaction_lost (store))
    {
      store->in_transaction = FALSE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not commit to %s: " TRANSACTION_LOST_MESSAGE, store->path);
      return FALSE;
    }

  stmt = stmt_acquire (store, STMT_COMMIT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sql_error (store, error, rc, "Could not commit to %s", store->path);
      /* A failed commit never leaves a half-open transaction behind:
       * nothing of it is stored, and the caller may retry the batch. */
      sb_store_rollback (store);
      return FALSE;
    }
  store->in_transaction = FALSE;
  store->commit_count++;
  return TRUE;
}

void
sb_store_rollback (SbStore *store)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_if_fail (store != NULL);

  if (!store->in_transaction)
    return;
  store->in_transaction = FALSE;

  /* SQLite may have rolled back already, after an I/O error. */
  if (sqlite3_get_autocommit (store->db))
    return;
  stmt = stmt_acquire (store, STMT_ROLLBACK);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_debug ("Rollback on %s failed: %s", store->path, sqlite3_errmsg (store->db));
}

guint64
sb_store_commit_count (SbStore *store)
{
  g_return_val_if_fail (store != NULL, 0);

  return store->commit_count;
}

void
sb_profile_row_free (SbProfileRow *row)
{
  if (row == NULL)
    return;

  g_free (row->iccid);
  g_free (row->eid);
  g_free (row->sim_type);
  g_free (row->operator_name);
  g_free (row);
}

void
sb_snapshot_row_free (SbSnapshotRow *row)
{
  if (row == NULL)
    return;

  g_free (row->bearer_key);
  g_free (row->iccid);
  g_free (row);
}

void
sb_event_row_clear (SbEventRow *row)
{
  g_clear_pointer (&row->iccid, g_free);
  g_clear_pointer (&row->kind, g_free);
  g_clear_pointer (&row->detail, g_free);
}

gboolean
sb_store_put_profile (SbStore            *store,
                      const SbProfileRow *row,
                      GError            **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (row != NULL && row->iccid != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_PUT_PROFILE);
  bind_text (stmt, 1, row->iccid);
  bind_text (stmt, 2, row->eid);
  bind_text (stmt, 3, row->sim_type);
  bind_text (stmt, 4, row->operator_name);
  sqlite3_bind_int64 (stmt, 5, row->first_seen);
  sqlite3_bind_int64 (stmt, 6, row->last_seen);
  bind_u64 (stmt, 7, row->total_rx);
  bind_u64 (stmt, 8, row->total_tx);
  sqlite3_bind_int64 (stmt, 9, row->period_start);
  bind_u64 (stmt, 10, row->period_rx);
  bind_u64 (stmt, 11, row->period_tx);
  sqlite3_bind_int64 (stmt, 12, row->period_correction);
  return step_write (store, stmt, error, "Could not store profile %s", row->iccid);
}

static SbProfileRow *
profile_from_stmt (sqlite3_stmt *stmt)
{
  SbProfileRow *row = g_new0 (SbProfileRow, 1);

  row->iccid = column_text_dup (stmt, 0);
  row->eid = column_text_dup (stmt, 1);
  row->sim_type = column_text_dup (stmt, 2);
  row->operator_name = column_text_dup (stmt, 3);
  row->first_seen = sqlite3_column_int64 (stmt, 4);
  row->last_seen = sqlite3_column_int64 (stmt, 5);
  row->total_rx = column_u64 (stmt, 6);
  row->total_tx = column_u64 (stmt, 7);
  row->period_start = sqlite3_column_int64 (stmt, 8);
  row->period_rx = column_u64 (stmt, 9);
  row->period_tx = column_u64 (stmt, 10);
  row->period_correction = sqlite3_column_int64 (stmt, 11);
  return row;
}

GPtrArray *
sb_store_list_profiles (SbStore *store,
                        GError **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_profile_row_free);
  stmt = stmt_acquire (store, STMT_LIST_PROFILES);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, profile_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sql_error (store, error, rc, "Could not list profiles");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

SbProfileRow *
sb_store_get_profile (SbStore    *store,
                      const char *iccid,
                      GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (iccid != NULL, NULL);

  stmt = stmt_acquire (store, STMT_GET_PROFILE);
  bind_text (stmt, 1, iccid);
  return step_read_one (store, stmt, (RowFunc) profile_from_stmt, error,
                        "Could not read profile %s", iccid);
}

gboolean
sb_store_forget_profile (SbStore    *store,
                         const char *iccid,
                         GError    **error)
{
  static const StmtId deletes[] = {
    STMT_DELETE_PROFILE_BUCKETS,
    STMT_DELETE_PROFILE_SNAPSHOTS,
    STMT_DELETE_PROFILE_EVENTS,
    STMT_DELETE_PROFILE,
  };
  gboolean own_transaction;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (iccid != NULL, FALSE);

  /* All or nothing: a half-forgotten profile would resurface with stale
   * usage. */
  own_transaction = !store->in_transaction;
  if (own_transaction && !sb_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (deletes); i++)
    {
      g_autoptr(SbStmtInUse) stmt = stmt_acquire (store, deletes[i]);

      bind_text (stmt, 1, iccid);
      if (!step_write (store, stmt, error, "Could not forget profile %s", iccid))
        {
          if (own_transaction)
            sb_store_rollback (store);
          return FALSE;
        }
    }

  return own_transaction ? sb_store_commit (store, error) : TRUE;
}

/* Start of the SB_BUCKET_SECONDS bucket containing @when, rounding down
 * for negative times too. */
static gboolean
bucket_start (gint64  when,
              gint64 *out)
{
  gint64 quotient = when / SB_BUCKET_SECONDS;

  if (when % SB_BUCKET_SECONDS < 0)
    {
      /* The floor of the earliest times is below G_MININT64. */
      if (quotient <= G_MININT64 / SB_BUCKET_SECONDS)
        return FALSE;
      quotient--;
    }
  *out = quotient * SB_BUCKET_SECONDS;
  return TRUE;
}

gboolean
sb_store_add_usage (SbStore    *store,
                    const char *iccid,
                    gint64      when,
                    gboolean    roaming,
                    guint64     rx,
                    guint64     tx,
                    GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  gint64 start, day;
  guint key;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (iccid != NULL, FALSE);

  if (!bucket_start (when, &start))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Could not add usage for %s: time %" G_GINT64_FORMAT " out of range",
                   iccid, when);
      return FALSE;
    }
  /* Nothing to add: no empty bucket, no write. */
  if (rx == 0 && tx == 0)
    return TRUE;

  sb_day_slot_key (start, roaming, &day, &key);
  stmt = stmt_acquire (store, STMT_ADD_USAGE);
  bind_text (stmt, 1, iccid);
  sqlite3_bind_int64 (stmt, 2, day);
  sqlite3_bind_int (stmt, 3, (int) key);
  bind_u64 (stmt, 4, rx);
  bind_u64 (stmt, 5, tx);
  return step_write (store, stmt, error, "Could not add usage for %s", iccid);
}

gboolean
sb_store_foreach_bucket (SbStore      *store,
                         const char   *iccid,
                         gint64        from,
                         gint64        to,
                         SbBucketFunc  func,
                         gpointer      user_data,
                         GError      **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (iccid != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (from >= to)
    return TRUE;

  stmt = stmt_acquire (store, STMT_GET_BUCKETS);
  bind_text (stmt, 1, iccid);
  sqlite3_bind_int64 (stmt, 2, sb_day_of (from));
  sqlite3_bind_int64 (stmt, 3, sb_day_of (to - 1));

  /* Days come in order and each day's slots in order: so do the
   * buckets. Sums are done here, in guint64, saturating. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 day = sqlite3_column_int64 (stmt, 0);

      if (sqlite3_column_type (stmt, 3) != SQLITE_BLOB ||
          !sb_day_slots_foreach (day, column_u64 (stmt, 1), column_u64 (stmt, 2),
                     sqlite3_column_blob (stmt, 3), (gsize) sqlite3_column_bytes (stmt, 3),
                     from, to, func, user_data))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Could not read usage of %s: the row of day %" G_GINT64_FORMAT
                       " in %s is damaged", iccid, day, store->path);
          return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (store, error, rc, "Could not read usage of %s", iccid);
      return FALSE;
    }
  return TRUE;
}

static void
append_bucket (const SbBucketRow *bucket,
               gpointer           user_data)
{
  g_array_append_vals (user_data, bucket, 1);
}

GArray *
sb_store_get_buckets (SbStore    *store,
                      const char *iccid,
                      gint64      from,
                      gint64      to,
                      GError    **error)
{
  g_autoptr(GArray) rows = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (iccid != NULL, NULL);

  rows = g_array_new (FALSE, TRUE, sizeof (SbBucketRow));
  if (!sb_store_foreach_bucket (store, iccid, from, to, append_bucket, rows, error))
    return NULL;
  return g_steal_pointer (&rows);
}

gboolean
sb_store_put_snapshot (SbStore             *store,
                       const SbSnapshotRow *row,
                       GError             **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (row != NULL && row->bearer_key != NULL && row->iccid != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_PUT_SNAPSHOT);
  bind_text (stmt, 1, row->bearer_key);
  bind_text (stmt, 2, row->iccid);
  sqlite3_bind_int (stmt, 3, row->snap.valid ? 1 : 0);
  bind_u64 (stmt, 4, row->snap.last.session);
  bind_u64 (stmt, 5, row->snap.last.rx);
  bind_u64 (stmt, 6, row->snap.last.tx);
  sqlite3_bind_int (stmt, 7, row->snap.last.has_totals ? 1 : 0);
  bind_u64 (stmt, 8, row->snap.last.total_rx);
  bind_u64 (stmt, 9, row->snap.last.total_tx);
  sqlite3_bind_int64 (stmt, 10, row->updated);
  return step_write (store, stmt, error, "Could not store the snapshot of %s",
                     row->bearer_key);
}

static SbSnapshotRow *
snapshot_from_stmt (sqlite3_stmt *stmt)
{
  SbSnapshotRow *row = g_new0 (SbSnapshotRow, 1);

  row->bearer_key = column_text_dup (stmt, 0);
  row->iccid = column_text_dup (stmt, 1);
  row->snap.valid = sqlite3_column_int (stmt, 2) != 0;
  row->snap.last.session = column_u64 (stmt, 3);
  row->snap.last.rx = column_u64 (stmt, 4);
  row->snap.last.tx = column_u64 (stmt, 5);
  row->snap.last.has_totals = sqlite3_column_int (stmt, 6) != 0;
  row->snap.last.total_rx = column_u64 (stmt, 7);
  row->snap.last.total_tx = column_u64 (stmt, 8);
  row->updated = sqlite3_column_int64 (stmt, 9);
  return row;
}

SbSnapshotRow *
sb_store_get_snapshot (SbStore    *store,
                       const char *bearer_key,
                       GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (bearer_key != NULL, NULL);

  stmt = stmt_acquire (store, STMT_GET_SNAPSHOT);
  bind_text (stmt, 1, bearer_key);
  return step_read_one (store, stmt, (RowFunc) snapshot_from_stmt, error,
                        "Could not read the snapshot of %s", bearer_key);
}

gboolean
sb_store_delete_snapshot (SbStore    *store,
                          const char *bearer_key,
                          GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (bearer_key != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_DELETE_SNAPSHOT);
  bind_text (stmt, 1, bearer_key);
  return step_write (store, stmt, error, "Could not delete the snapshot of %s", bearer_key);
}

gboolean
sb_store_prune_snapshots (SbStore *store,
                          gint64   before,
                          GError **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_PRUNE_SNAPSHOTS);
  sqlite3_bind_int64 (stmt, 1, before);
  return step_write (store, stmt, error, "Could not prune snapshots");
}

gboolean
sb_store_add_event (SbStore          *store,
                    const SbEventRow *event,
                    GError          **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (event != NULL && event->kind != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_ADD_EVENT);
  sqlite3_bind_int64 (stmt, 1, event->time);
  bind_text (stmt, 2, event->iccid);
  bind_text (stmt, 3, event->kind);
  sqlite3_bind_int64 (stmt, 4, event->value);
  bind_text (stmt, 5, event->detail);
  return step_write (store, stmt, error, "Could not log a %s event for %s",
                     event->kind, event->iccid != NULL ? event->iccid : "all profiles");
}

GArray *
sb_store_list_events (SbStore    *store,
                      const char *iccid,
                      gint64      since,
                      GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;
  g_autoptr(GArray) rows = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);

  rows = g_array_new (FALSE, TRUE, sizeof (SbEventRow));
  g_array_set_clear_func (rows, (GDestroyNotify) sb_event_row_clear);

  /* Two statements rather than "iccid = ?1 OR ?1 IS NULL", which would
   * keep SQLite from using the (iccid, time) index. */
  if (iccid != NULL)
    {
      stmt = stmt_acquire (store, STMT_LIST_EVENTS);
      bind_text (stmt, 1, iccid);
      sqlite3_bind_int64 (stmt, 2, since);
    }
  else
    {
      stmt = stmt_acquire (store, STMT_LIST_ALL_EVENTS);
      sqlite3_bind_int64 (stmt, 1, since);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SbEventRow row = {
        .time = sqlite3_column_int64 (stmt, 0),
        .iccid = column_text_dup (stmt, 1),
        .kind = column_text_dup (stmt, 2),
        .value = sqlite3_column_int64 (stmt, 3),
        .detail = column_text_dup (stmt, 4),
      };

      g_array_append_val (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (store, error, rc, "Could not list events of %s",
                     iccid != NULL ? iccid : "all profiles");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static char *
state_value_from_stmt (sqlite3_stmt *stmt)
{
  return column_text_dup (stmt, 0);
}

gboolean
sb_store_set_state (SbStore    *store,
                    const char *key,
                    const char *value,
                    GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_SET_STATE);
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_write (store, stmt, error, "Could not store state %s", key);
}

char *
sb_store_get_state (SbStore    *store,
                    const char *key,
                    GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = stmt_acquire (store, STMT_GET_STATE);
  bind_text (stmt, 1, key);
  return step_read_one (store, stmt, (RowFunc) state_value_from_stmt, error,
                        "Could not read state %s", key);
}

gboolean
sb_store_delete_state (SbStore    *store,
                       const char *key,
                       GError    **error)
{
  g_autoptr(SbStmtInUse) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  stmt = stmt_acquire (store, STMT_DELETE_STATE);
  bind_text (stmt, 1, key);
  return step_write (store, stmt, error, "Could not delete state %s", key);
}
