/* Shares the daemon's log domain: its messages are the daemon's. */
#define G_LOG_DOMAIN "simbudgetd"

#include "sb-readings.h"

#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#include "sb-clock.h"
#include "sb-ifstats.h"

typedef struct {
  char            *bearer_key;
  char            *profile_key;
  char            *modem_path;
  char            *data_iface;   /* last data interface seen, for the final reading */
  gboolean         connected;
  gboolean         stats_supported;
} Track;

struct _SbReadings {
  SbAccounting   *acc;        /* borrowed */
  SbNm           *nm;         /* borrowed; NULL until attached */
  SbLimiter      *limiter;    /* borrowed; NULL until attached */
  SbReadingsHost  host;
  gpointer        host_data;
  GHashTable     *tracks;     /* bearer key → Track */
};

static void
track_free (Track *t)
{
  g_free (t->bearer_key);
  g_free (t->profile_key);
  g_free (t->modem_path);
  g_free (t->data_iface);
  g_free (t);
}

static void
count (SbReadings *self, Track *t, const char *source_key, const SbCounterSample *sample,
       gboolean roaming, gboolean capable)
{
  SbProfile *profile = self->host.profile (self->host_data, t->profile_key);
  gint64 now = sb_clock_now ();
  guint64 rx = 0, tx = 0;
  gboolean changed, urgent = FALSE;

  changed = sb_accounting_reading (self->acc, source_key, t->profile_key, sample, roaming, now,
                                   &rx, &tx, &urgent);
  /* The kernel baseline moves first: these bytes are no longer provisional. */
  if (self->limiter)
    sb_limiter_bearer_update (self->limiter, t->bearer_key, t->profile_key, t->data_iface,
                              t->connected, capable, rx + tx);
  if (changed)
    {
      if (rx || tx)
        sb_profile_add_usage (profile, now, rx, tx);
      self->host.flush (self->host_data, urgent);
    }
}

/* This boot and this network namespace, read once. */
static const char *
host_instance (void)
{
  static char *instance = NULL;

  if (!instance)
    {
      g_autofree char *boot = NULL;
      guint64 ns = 0;
      socklen_t len = sizeof ns;
      int fd;

      if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
        g_strstrip (boot);
      /* The namespace cookie is never reused within a boot (an nsfs inode
       * number is). */
      fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd >= 0)
        {
          if (getsockopt (fd, SOL_SOCKET, SO_NETNS_COOKIE, &ns, &len) != 0)
            ns = 0;
          close (fd);
        }
      instance = g_strdup_printf ("%.8s:%" G_GUINT64_FORMAT, boot ? boot : "noboot", ns);
    }
  return instance;
}

/* Bearers without statistics of their own: the data interface's kernel
 * counters; the interface's index tells its sessions apart. */
static void
count_kernel (SbReadings *self, Track *t, gboolean roaming)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source_key = NULL;
  SbIfStats st;
  SbCounterSample sample = { 0 };

  if (!t->data_iface)
    return;
  if (!sb_ifstats_read (t->data_iface, &st, &error))
    {
      g_debug ("No kernel counters for %s: %s", t->data_iface, error->message);
      return;
    }
  /* An interface index is reused after a reboot (or in another network
   * namespace): the boot and the namespace are part of the session. */
  source_key = g_strdup_printf ("if:%s:%d:%s", t->data_iface, st.ifindex, host_instance ());
  sample.session = ((guint64) g_str_hash (host_instance ()) << 32) | (guint32) st.ifindex;
  sample.rx = st.rx_bytes;
  sample.tx = st.tx_bytes;
  count (self, t, source_key, &sample, roaming, FALSE);
}

static const char *
resolve_data_iface (SbReadings *self, const SbBearerInfo *info)
{
  const char *nm_iface;

  if (info->interface && *info->interface && sb_ifstats_exists (info->interface))
    return info->interface;
  /* PPP: ModemManager names the serial port; NetworkManager knows ppp0. */
  nm_iface = sb_nm_ip_iface_for_modem (self->nm, info->modem_path);
  if (nm_iface && sb_ifstats_exists (nm_iface))
    return nm_iface;
  /* Not a network interface here (yet): still the best name to show. */
  return info->interface && *info->interface ? info->interface : NULL;
}

void
sb_readings_bearer_changed (SbReadings *self, const SbBearerInfo *info)
{
  Track *t = g_hash_table_lookup (self->tracks, info->bearer_key);
  g_autofree char *old_profile = NULL;
  gboolean was_connected;

  if (!t)
    {
      t = g_new0 (Track, 1);
      t->bearer_key = g_strdup (info->bearer_key);
      g_hash_table_insert (self->tracks, t->bearer_key, t);
    }
  was_connected = t->connected;
  if (g_strcmp0 (t->profile_key, info->profile_key) != 0)
    {
      old_profile = g_steal_pointer (&t->profile_key);
      t->profile_key = g_strdup (info->profile_key);
    }
  g_free (t->modem_path);
  t->modem_path = g_strdup (info->modem_path);
  t->connected = info->connected;
  t->stats_supported = info->stats_supported;
  if (info->connected)
    {
      const char *iface = resolve_data_iface (self, info);
      if (iface && g_strcmp0 (iface, t->data_iface) != 0)
        {
          g_free (t->data_iface);
          t->data_iface = g_strdup (iface);
        }
    }

  /* The end of a session ModemManager counted: its figures stop at the
   * last refresh; the kernel counted the rest. */
  if (info->stats_supported && was_connected && !info->connected && self->limiter)
    {
      guint64 rx = 0, tx = 0;

      if (sb_limiter_take_provisional (self->limiter, t->bearer_key, &rx, &tx))
        {
          SbProfile *profile = self->host.profile (self->host_data, t->profile_key);
          gint64 now = sb_clock_now ();

          g_info ("%s: +%" G_GUINT64_FORMAT " rx, +%" G_GUINT64_FORMAT " tx after ModemManager's "
                  "last figure (kernel counters)", t->bearer_key, rx, tx);
          sb_accounting_add_usage (self->acc, t->profile_key, now, info->roaming, rx, tx);
          sb_profile_add_usage (profile, now, rx, tx);
        }
    }

  if (info->stats_supported)
    {
      if (info->has_stats)
        count (self, t, info->bearer_key, &info->sample, info->roaming,
               t->data_iface && sb_ifstats_exists (t->data_iface));
    }
  else if (info->connected || was_connected)
    count_kernel (self, t, info->roaming);

  if (old_profile)
    self->host.bearers_changed (self->host_data, old_profile);
  self->host.bearers_changed (self->host_data, t->profile_key);

  /* The last reading of a session is made durable at once. */
  if (was_connected && !info->connected)
    self->host.flush (self->host_data, TRUE);
}

void
sb_readings_bearer_removed (SbReadings *self, const char *bearer_key)
{
  Track *t = g_hash_table_lookup (self->tracks, bearer_key);
  g_autofree char *profile = NULL;

  if (!t)
    return;
  if (!t->stats_supported && t->connected)
    count_kernel (self, t, FALSE);
  profile = g_strdup (t->profile_key);
  if (t->data_iface && !t->stats_supported)
    {
      SbIfStats st;
      if (sb_ifstats_read (t->data_iface, &st, NULL))
        {
          g_autofree char *key = g_strdup_printf ("if:%s:%d:%s", t->data_iface, st.ifindex, host_instance ());
          sb_accounting_drop_source (self->acc, key);
        }
    }
  sb_accounting_drop_source (self->acc, bearer_key);
  if (self->limiter)
    sb_limiter_bearer_gone (self->limiter, bearer_key);
  g_hash_table_remove (self->tracks, bearer_key);
  self->host.bearers_changed (self->host_data, profile);
  self->host.flush (self->host_data, TRUE);
}

gboolean
sb_readings_profile_connected (SbReadings  *self,
                               const char  *profile_key,
                               const char **out_iface)
{
  GHashTableIter iter;
  Track *t;
  gboolean connected = FALSE;

  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    if (t->connected && g_strcmp0 (t->profile_key, profile_key) == 0)
      {
        connected = TRUE;
        if (out_iface)
          *out_iface = t->data_iface;
      }
  return connected;
}

SbReadings *
sb_readings_new (SbAccounting *acc, const SbReadingsHost *host, gpointer host_data)
{
  SbReadings *self = g_new0 (SbReadings, 1);

  self->acc = acc;
  self->host = *host;
  self->host_data = host_data;
  self->tracks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) track_free);
  return self;
}

void
sb_readings_attach (SbReadings *self, SbNm *nm, SbLimiter *limiter)
{
  self->nm = nm;
  self->limiter = limiter;
}

void
sb_readings_free (SbReadings *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->tracks);
  g_free (self);
}
