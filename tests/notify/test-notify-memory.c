/* What simbudget-notify remembers between runs. */
#include <glib.h>
#include <glib/gstdio.h>

#include "sb-notify-memory.h"

#define TRAVEL "8981100022152233440"
#define HOME   "8944500102198304826"

typedef struct {
  char *dir;   /* (owned) */
  char *path;  /* (owned) dir/simbudget/notify.ini, directory not created */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("sb-notify-memory-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "simbudget", "notify.ini", NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
remember (SbNotifyMemory *memory, const char *profile, gint64 period, const char *event)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sb_notify_memory_remember (memory, profile, period, event, &error));
  g_assert_no_error (error);
}

/* Each case: events remembered in order (profile, period, event), then
 * what must and must not be known, in the same run and after reloading. */
typedef struct {
  const char *profile;
  gint64      period;
  const char *event;
} Record;

static void
test_remember (Fixture *f, gconstpointer data)
{
  static const struct {
    Record done[4];
    Record known[4];
    Record unknown[4];
  } cases[] = {
    /* The basic case; other events, periods and profiles stay unknown. */
    { { { TRAVEL, 100, "threshold:80" } },
      { { TRAVEL, 100, "threshold:80" } },
      { { TRAVEL, 100, "threshold:95" }, { TRAVEL, 200, "threshold:80" },
        { HOME, 100, "threshold:80" } } },
    /* Several events in one period; remembering twice is harmless. */
    { { { TRAVEL, 100, "threshold:80" }, { TRAVEL, 100, "exhausted:5000000000" },
        { TRAVEL, 100, "threshold:80" } },
      { { TRAVEL, 100, "threshold:80" }, { TRAVEL, 100, "exhausted:5000000000" } },
      { { TRAVEL, 100, "exhausted:5500000000" } } },
    /* A new period forgets the old one. */
    { { { TRAVEL, 100, "threshold:80" }, { TRAVEL, 200, "threshold:95" } },
      { { TRAVEL, 200, "threshold:95" } },
      { { TRAVEL, 100, "threshold:80" }, { TRAVEL, 200, "threshold:80" } } },
    /* Profiles are apart; a fallback key with characters a group name
     * cannot hold; a period before first use (0) and a negative one. */
    { { { TRAVEL, 0, "threshold:80" }, { "imei:35[1]\n", 100, "expired:0" },
        { HOME, -5, "threshold:80" } },
      { { TRAVEL, 0, "threshold:80" }, { "imei:35[1]\n", 100, "expired:0" },
        { HOME, -5, "threshold:80" } },
      { { "imei:35[1]", 100, "expired:0" }, { HOME, 5, "threshold:80" } } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SbNotifyMemory) memory = NULL;

      g_unlink (f->path);
      memory = sb_notify_memory_new (f->path);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].done) && cases[i].done[j].profile; j++)
        remember (memory, cases[i].done[j].profile, cases[i].done[j].period,
                  cases[i].done[j].event);

      for (guint pass = 0; pass < 2; pass++)
        {
          for (guint j = 0; j < G_N_ELEMENTS (cases[i].known) && cases[i].known[j].profile; j++)
            g_assert_true (sb_notify_memory_has (memory, cases[i].known[j].profile,
                                                 cases[i].known[j].period,
                                                 cases[i].known[j].event));
          for (guint j = 0; j < G_N_ELEMENTS (cases[i].unknown) && cases[i].unknown[j].profile; j++)
            g_assert_false (sb_notify_memory_has (memory, cases[i].unknown[j].profile,
                                                  cases[i].unknown[j].period,
                                                  cases[i].unknown[j].event));
          /* Second pass: as the next run reads it. */
          sb_notify_memory_free (memory);
          memory = sb_notify_memory_new (f->path);
        }
    }
}

static void
test_damaged_file (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *contents;
    gboolean    complains;  /* not a key file at all */
  } cases[] = {
    { "\xff\xfe[garbage\n=", TRUE },
    { "[profile " TRAVEL "\n", TRUE },
    { "", FALSE },
    /* Valid key files with nonsense in them. */
    { "[profile " TRAVEL "]\nperiod-start=soon\nshown=threshold:80;\n", FALSE },
    { "[profile " TRAVEL "]\nshown=threshold:80;\n", FALSE },
    { "[profile " TRAVEL "]\nperiod-start=99999999999999999999999\nshown=threshold:80;\n", FALSE },
  };
  g_autofree char *dir = g_path_get_dirname (f->path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbNotifyMemory) memory = NULL;
      g_autoptr(SbNotifyMemory) reloaded = NULL;

      g_file_set_contents (f->path, cases[i].contents, -1, &error);
      g_assert_no_error (error);
      if (cases[i].complains)
        g_test_expect_message ("sb-notify-memory", G_LOG_LEVEL_MESSAGE, "Ignoring *");
      memory = sb_notify_memory_new (f->path);
      g_test_assert_expected_messages ();

      /* Nothing usable was read, and remembering repairs the file. */
      g_assert_false (sb_notify_memory_has (memory, TRAVEL, 0, "threshold:80"));
      g_assert_false (sb_notify_memory_has (memory, TRAVEL, 100, "threshold:80"));
      remember (memory, TRAVEL, 100, "threshold:95");
      reloaded = sb_notify_memory_new (f->path);
      g_assert_true (sb_notify_memory_has (reloaded, TRAVEL, 100, "threshold:95"));
      g_assert_false (sb_notify_memory_has (reloaded, TRAVEL, 100, "threshold:80"));
    }
}

static void
test_unwritable (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbNotifyMemory) memory = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);

  /* A file where the directory should be. */
  g_file_set_contents (dir, "not a directory", -1, &error);
  g_assert_no_error (error);
  /* Unlike a first run's missing file, worth a word in the journal. */
  g_test_expect_message ("sb-notify-memory", G_LOG_LEVEL_MESSAGE, "Ignoring *Not a directory*");
  memory = sb_notify_memory_new (f->path);
  g_test_assert_expected_messages ();

  g_assert_false (sb_notify_memory_remember (memory, TRAVEL, 100, "threshold:80", &error));
  g_assert_nonnull (error);
  /* Still known for the rest of this run. */
  g_assert_true (sb_notify_memory_has (memory, TRAVEL, 100, "threshold:80"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/notify/memory/remember", Fixture, NULL,
              fixture_set_up, test_remember, fixture_tear_down);
  g_test_add ("/notify/memory/damaged-file", Fixture, NULL,
              fixture_set_up, test_damaged_file, fixture_tear_down);
  g_test_add ("/notify/memory/unwritable", Fixture, NULL,
              fixture_set_up, test_unwritable, fixture_tear_down);
  return g_test_run ();
}
