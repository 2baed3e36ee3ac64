#define G_LOG_DOMAIN "simbudget"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "sb-cli.h"

#define MODIFY_NAME "simbudget-modify"

/* Next to this program (the build tree), where the install put it
 * relative to this program (DESTDIR, a moved prefix), where it was
 * installed. */
static char *
find_modify (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  char *candidates[3] = { NULL, NULL, NULL };
  char *found = NULL;

  if (dir != NULL)
    {
      candidates[0] = g_build_filename (dir, MODIFY_NAME, NULL);
#ifdef SB_LIBEXECDIR_FROM_BINDIR
      candidates[1] = g_build_filename (dir, SB_LIBEXECDIR_FROM_BINDIR, MODIFY_NAME, NULL);
#endif
    }
  candidates[2] = g_build_filename (SB_LIBEXECDIR, MODIFY_NAME, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (found == NULL && candidates[i] != NULL &&
          g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
        found = g_steal_pointer (&candidates[i]);
      g_free (candidates[i]);
    }
  return found;
}

int
sb_cli_run_modify (SbCli *cli,
                   int    argc,
                   char **argv)
{
  g_autofree char *path = find_modify ();

  if (path == NULL)
    return sb_cli_fail (_("%s is not installed (looked in %s)"), MODIFY_NAME, SB_LIBEXECDIR);
  /* The same process goes on: a polkit agent it registers is for this pid. */
  execv (path, cli->argv);
  return sb_cli_fail (_("cannot run %s: %s"), path, g_strerror (errno));
}
