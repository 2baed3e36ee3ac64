/* Kernel counters of a network interface (sysfs), for bearers that report
 * no statistics of their own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int     ifindex;
  guint64 rx_bytes;
  guint64 tx_bytes;
} SbIfStats;

/* Reads /sys/class/net/@ifname/{ifindex,statistics/rx_bytes,tx_bytes}.
 * G_IO_ERROR_NOT_FOUND when the interface does not exist. */
gboolean sb_ifstats_read (const char *ifname, SbIfStats *out, GError **error);

/* TRUE when @ifname names a network interface (not a serial port). */
gboolean sb_ifstats_exists (const char *ifname);

G_END_DECLS
