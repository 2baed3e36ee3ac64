#define G_LOG_DOMAIN "simbudgetd"

#include "config.h"

#include "sb-storage.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#define REOPEN_MIN_S 5
#define REOPEN_MAX_S 300

struct _SbStorage {
  char                     *state_dir;
  char                     *db_path;
  SbStore                  *store;          /* (owned) */
  char                     *problem;        /* (nullable) */
  gboolean                  write_failed;   /* problem is a failed write */
  guint                     reopen_source;  /* counting in memory until the file takes writes */
  guint                     reopen_delay;
  const SbStorageCallbacks *callbacks;
  gpointer                  user_data;
};

static void
set_problem (SbStorage *self, const char *problem, gboolean write_failed)
{
  self->write_failed = write_failed;
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  if (problem)
    g_warning ("Storage: %s", problem);
  else
    g_message ("Storage: ok again");
  if (self->callbacks->problem_changed)
    self->callbacks->problem_changed (self->user_data);
}

static char *
keep_aside (const char *db_path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  char *aside = g_strdup_printf ("%s.corrupt-%s", db_path, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  if (g_rename (db_path, aside) != 0)
    {
      g_warning ("Cannot move %s aside: %s", db_path, g_strerror (errno));
      g_free (aside);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (db_path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);
      if (g_file_test (from, G_FILE_TEST_EXISTS))
        (void) g_rename (from, to);
    }
  return aside;
}

static gboolean reopen_cb (gpointer user_data);

static void
schedule_reopen (SbStorage *self)
{
  self->reopen_delay = self->reopen_delay ? MIN (self->reopen_delay * 2, REOPEN_MAX_S) : REOPEN_MIN_S;
  self->reopen_source = g_timeout_add_seconds (self->reopen_delay, reopen_cb, self);
}

/* The state directory may take writes again (remounted read-write, space
 * freed): everything counted in memory goes into the file, which takes
 * over. */
static gboolean
reopen_cb (gpointer user_data)
{
  SbStorage *self = user_data;
  g_autoptr(GError) error = NULL;
  SbStore *file;

  self->reopen_source = 0;
  if (self->callbacks->before_reopen)
    self->callbacks->before_reopen (self->user_data);
  file = sb_store_open (self->db_path, &error);
  if (file && !sb_store_copy_into (self->store, file, &error))
    g_clear_pointer (&file, sb_store_free);
  if (!file)
    {
      g_debug ("Storage: %s still not usable: %s", self->db_path, error->message);
      schedule_reopen (self);
      return G_SOURCE_REMOVE;
    }
  if (self->callbacks->store_replaced)
    self->callbacks->store_replaced (self->user_data, file);
  sb_store_free (self->store);
  self->store = file;
  g_message ("Storage: everything counted in memory is now in %s", self->db_path);
  set_problem (self, NULL, FALSE);
  return G_SOURCE_REMOVE;
}

/* Opens the file, or says why not and what is used instead. */
static char *
open_store (SbStorage *self)
{
  g_autoptr(GError) error = NULL;
  char *problem = NULL;

  if (g_mkdir_with_parents (self->state_dir, 0755) != 0)
    g_warning ("Cannot create %s: %s", self->state_dir, g_strerror (errno));

  self->store = sb_store_open (self->db_path, &error);
  if (self->store)
    return NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    {
      g_autofree char *aside = keep_aside (self->db_path);
      g_autoptr(GError) error2 = NULL;

      if (aside)
        {
          problem = g_strdup_printf ("corrupt database kept aside as %s (%s); started afresh",
                                     aside, error->message);
          self->store = sb_store_open (self->db_path, &error2);
        }
      if (!self->store)
        g_clear_error (&error), error = g_steal_pointer (&error2);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      problem = g_strdup_printf ("%s has a newer schema (a downgrade?); left untouched, "
                                 "counting in memory only", self->db_path);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    {
      g_autoptr(GError) copy_error = NULL;

      /* Go on from what the file holds, in memory, until it can be
       * written again. */
      if (g_file_test (self->db_path, G_FILE_TEST_EXISTS))
        self->store = sb_store_open_copy (self->db_path, &copy_error);
      else
        self->store = sb_store_open (NULL, &copy_error);
      if (self->store)
        {
          problem = g_strdup_printf ("%s cannot be written (%s); counting in memory and retrying",
                                     self->db_path, error->message);
          schedule_reopen (self);
        }
      else
        g_message ("Cannot read %s either: %s", self->db_path, copy_error->message);
    }

  if (!self->store)
    {
      if (!problem)
        problem = g_strdup_printf ("cannot open %s: %s; counting in memory only",
                                   self->db_path, error ? error->message : "unknown error");
      self->store = sb_store_open (NULL, NULL);
    }
  g_assert (self->store);
  return problem;
}

SbStorage *
sb_storage_open (const char               *state_dir,
                 const SbStorageCallbacks *callbacks,
                 gpointer                  user_data)
{
  SbStorage *self = g_new0 (SbStorage, 1);

  self->state_dir = g_strdup (state_dir);
  self->db_path = g_build_filename (state_dir, "simbudget.db", NULL);
  self->callbacks = callbacks;
  self->user_data = user_data;
  /* Said in the log now; StorageState shows it once it is published. */
  self->problem = open_store (self);
  if (self->problem)
    g_warning ("Storage: %s", self->problem);
  return self;
}

void
sb_storage_free (SbStorage *self)
{
  if (!self)
    return;
  g_clear_handle_id (&self->reopen_source, g_source_remove);
  g_clear_pointer (&self->store, sb_store_free);
  g_free (self->problem);
  g_free (self->db_path);
  g_free (self->state_dir);
  g_free (self);
}

SbStore *
sb_storage_get_store (SbStorage *self)
{
  return self->store;
}

const char *
sb_storage_get_problem (SbStorage *self)
{
  return self->problem;
}

void
sb_storage_report_write (SbStorage    *self,
                         const GError *error)
{
  g_autofree char *problem = NULL;

  if (!error)
    {
      if (self->write_failed)
        set_problem (self, NULL, FALSE);
      return;
    }
  problem = g_strdup_printf ("cannot write %s: %s; keeping the counts in memory and retrying",
                             self->db_path, error->message);
  set_problem (self, problem, TRUE);
}
