/* Runs a fuzz harness over files and directories of inputs, for builds
 * without libFuzzer: the seed corpora (and every crash reproducer kept
 * in them) are then regression tests of the ordinary build. */
#define G_LOG_DOMAIN "fuzz-main"

#include "fuzz.h"

static gboolean
run_file (const char *path, guint *count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  g_print ("%s\n", path);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  (*count)++;
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
run_path (const char *path, guint *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (path, count);

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (!run_file (g_ptr_array_index (names, i), count))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint count = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  if (argc < 2)
    {
      g_printerr ("usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    if (!run_path (argv[i], &count))
      return 1;
  if (count == 0)
    {
      g_printerr ("no inputs\n");
      return 1;
    }
  g_print ("%u inputs, no failure\n", count);
  return 0;
}
