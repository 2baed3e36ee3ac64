#define G_LOG_DOMAIN "sb-ifstats"

#include "sb-ifstats.h"

#include <errno.h>
#include <gio/gio.h>

/* Interface names come from ModemManager and NetworkManager: never let one
 * walk out of /sys/class/net. */
static gboolean
ifname_valid (const char *ifname)
{
  return ifname && *ifname && strlen (ifname) < 16 &&
         !strchr (ifname, '/') && strcmp (ifname, ".") != 0 &&
         strcmp (ifname, "..") != 0;
}

static gboolean
read_u64 (const char *path, guint64 *out, GError **error)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text || (*end != '\n' && *end != '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Unexpected content in %s", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
sb_ifstats_exists (const char *ifname)
{
  g_autofree char *path = NULL;

  if (!ifname_valid (ifname))
    return FALSE;
  path = g_build_filename ("/sys/class/net", ifname, NULL);
  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

gboolean
sb_ifstats_read (const char *ifname, SbIfStats *out, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *p_index = NULL;
  g_autofree char *p_rx = NULL;
  g_autofree char *p_tx = NULL;
  guint64 ifindex;

  if (!sb_ifstats_exists (ifname))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No network interface “%s”", ifname ? ifname : "");
      return FALSE;
    }
  dir = g_build_filename ("/sys/class/net", ifname, NULL);
  p_index = g_build_filename (dir, "ifindex", NULL);
  p_rx = g_build_filename (dir, "statistics", "rx_bytes", NULL);
  p_tx = g_build_filename (dir, "statistics", "tx_bytes", NULL);

  if (!read_u64 (p_index, &ifindex, error) ||
      !read_u64 (p_rx, &out->rx_bytes, error) ||
      !read_u64 (p_tx, &out->tx_bytes, error))
    return FALSE;
  out->ifindex = (int) ifindex;
  return TRUE;
}
