#include "sb-clock.h"

#include <stdlib.h>

gint64
sb_clock_offset (void)
{
  static gsize once = 0;
  static gint64 offset = 0;

  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("SIMBUDGET_TIME_OFFSET");
      if (env && *env)
        offset = g_ascii_strtoll (env, NULL, 10);
      g_once_init_leave (&once, 1);
    }
  return offset;
}

gint64
sb_clock_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + sb_clock_offset ();
}
