/* What the agent has shown, kept across restarts in a key file. */
#define G_LOG_DOMAIN "sb-notify-memory"

#include "sb-notify-memory.h"

#include <errno.h>
#include <glib/gstdio.h>

#define KEY_PERIOD "period-start"
#define KEY_SHOWN  "shown"

struct _SbNotifyMemory {
  char     *path;  /* (owned) */
  GKeyFile *file;  /* (owned) */
};

SbNotifyMemory *
sb_notify_memory_new (const char *path)
{
  g_autoptr(GError) error = NULL;
  SbNotifyMemory *memory = g_new0 (SbNotifyMemory, 1);

  memory->path = g_strdup (path);
  memory->file = g_key_file_new ();
  if (!g_key_file_load_from_file (memory->file, path, G_KEY_FILE_NONE, &error))
    {
      /* Forgetting costs at most one repeated notification. */
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("Ignoring %s: %s", path, error->message);
      g_key_file_free (memory->file);
      memory->file = g_key_file_new ();
    }
  return memory;
}

void
sb_notify_memory_free (SbNotifyMemory *memory)
{
  if (memory == NULL)
    return;
  g_key_file_free (memory->file);
  g_free (memory->path);
  g_free (memory);
}

/* Group names may not hold "[", "]" or control characters; a fallback
 * profile key might. */
static char *
group_name (const char *profile)
{
  g_autofree char *escaped = g_uri_escape_string (profile, NULL, TRUE);

  return g_strconcat ("profile ", escaped, NULL);
}

/* The period the group holds, FALSE when absent or not a number. */
static gboolean
group_period (GKeyFile *file, const char *group, gint64 *out_period)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = g_key_file_get_value (file, group, KEY_PERIOD, NULL);

  if (value == NULL)
    return FALSE;
  return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, out_period, &error);
}

gboolean
sb_notify_memory_has (SbNotifyMemory *memory,
                      const char     *profile,
                      gint64          period_start,
                      const char     *event)
{
  g_autofree char *group = group_name (profile);
  g_auto(GStrv) shown = NULL;
  gint64 period;

  if (!group_period (memory->file, group, &period) || period != period_start)
    return FALSE;
  shown = g_key_file_get_string_list (memory->file, group, KEY_SHOWN, NULL, NULL);
  return shown != NULL && g_strv_contains ((const char * const *) shown, event);
}

static gboolean
save (SbNotifyMemory *memory, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (memory->path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  return g_key_file_save_to_file (memory->file, memory->path, error);
}

gboolean
sb_notify_memory_remember (SbNotifyMemory *memory,
                           const char     *profile,
                           gint64          period_start,
                           const char     *event,
                           GError        **error)
{
  g_autofree char *group = group_name (profile);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) shown = NULL;
  g_auto(GStrv) updated = NULL;
  gint64 period;

  if (group_period (memory->file, group, &period) && period == period_start)
    shown = g_key_file_get_string_list (memory->file, group, KEY_SHOWN, NULL, NULL);
  if (shown != NULL && g_strv_contains ((const char * const *) shown, event))
    return TRUE;

  if (shown != NULL)
    g_strv_builder_addv (builder, (const char **) shown);
  g_strv_builder_add (builder, event);
  updated = g_strv_builder_end (builder);

  /* A new period (or a corrupt group): start the group afresh. */
  g_key_file_remove_group (memory->file, group, NULL);
  g_key_file_set_int64 (memory->file, group, KEY_PERIOD, period_start);
  g_key_file_set_string_list (memory->file, group, KEY_SHOWN,
                              (const char * const *) updated,
                              g_strv_length (updated));
  return save (memory, error);
}
