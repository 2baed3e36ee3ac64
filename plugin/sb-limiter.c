#define G_LOG_DOMAIN "sb-limiter"

#include "sb-limiter.h"

#include <gio/gio.h>

#include "sb-ifstats.h"
#include "sb-quota.h"

/* ModemManager refreshes every 30 s: a limit further away than this (at
 * the current rate) is its business, and no extra wake-up is needed. */
#define MM_REFRESH_S 30.0
#define MIN_INTERVAL_MS 50
#define MAX_INTERVAL_MS 5000

typedef struct {
  char     *key;
  char     *profile;
  char     *iface;
  gboolean  connected;
  gboolean  capable;      /* authoritative figures come from elsewhere */
  gboolean  base_valid;
  int       base_ifindex;
  guint64   base;         /* kernel rx+tx that ModemManager's figures cover */
  guint64   receipt;      /* kernel rx+tx when the last figure arrived */
  guint64   receipt_rx;   /* its parts, to split provisional bytes */
  guint64   receipt_tx;
  guint64   provisional;
  gint64    last_us;      /* last measurement, for the rate */
  double    bps;
} Bearer;

typedef struct {
  gboolean  enforce;
  guint64   remaining;
  char     *quota_iface;  /* (nullable) where the quota is installed */
  char     *last_iface;   /* (nullable) the profile's last data interface */
  gboolean  exceeded;     /* the kernel refused a packet: the budget is spent */
} Budget;

struct _SbLimiter {
  SbQuota            *quota;   /* (nullable) */
  char               *status;
  SbLimiterCallbacks  cb;
  gpointer            user_data;
  GHashTable         *bearers; /* key → Bearer */
  GHashTable         *budgets; /* profile → Budget */
  guint               poll_source;
  gint64              poll_deadline_us;
  gboolean            busy;    /* in set_budget: callbacks re-enter */
};

static void reschedule (SbLimiter *self);

static void
bearer_free (Bearer *b)
{
  g_free (b->key);
  g_free (b->profile);
  g_free (b->iface);
  g_free (b);
}

static void
budget_free (Budget *b)
{
  g_free (b->quota_iface);
  g_free (b->last_iface);
  g_free (b);
}

guint
sb_limiter_interval_ms (guint64 remaining, double bytes_per_s)
{
  double to_limit;

  if (bytes_per_s <= 0.0)
    return 0;
  to_limit = (double) remaining / bytes_per_s;
  if (to_limit > MM_REFRESH_S)
    return 0;
  /* Four readings before the limit would be reached at this rate. */
  return (guint) CLAMP (to_limit * 1000.0 / 4.0, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
}

SbLimiter *
sb_limiter_new (const char *state_dir, gboolean use_quota,
                const SbLimiterCallbacks *callbacks, gpointer user_data)
{
  SbLimiter *self = g_new0 (SbLimiter, 1);
  g_autoptr(GError) error = NULL;

  self->cb = *callbacks;
  self->user_data = user_data;
  self->bearers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) bearer_free);
  self->budgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) budget_free);

  if (!use_quota)
    {
      self->status = g_strdup ("disabled");
      g_message ("Kernel quota disabled: the cut-off relies on precise polling");
      return self;
    }
  if (!sb_quota_remove_stale_tables (&error))
    {
      g_info ("Could not look for stale quota tables: %s", error->message);
      g_clear_error (&error);
    }
  {
    g_autofree char *instance = sb_quota_instance_from_state_dir (state_dir);
    self->quota = sb_quota_new (instance, &error);
  }
  if (self->quota)
    self->status = g_strdup ("quota");
  else
    {
      self->status = g_strdup (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ?
                               "no CAP_NET_ADMIN" : "quota unavailable");
      g_message ("No kernel quota (%s): the cut-off relies on precise polling", error->message);
    }
  return self;
}

void
sb_limiter_free (SbLimiter *self)
{
  if (!self)
    return;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_pointer (&self->quota, sb_quota_free);
  g_hash_table_unref (self->bearers);
  g_hash_table_unref (self->budgets);
  g_free (self->status);
  g_free (self);
}

const char *
sb_limiter_quota_status (SbLimiter *self)
{
  return self->status;
}

gboolean
sb_limiter_quota_active (SbLimiter *self, const char *profile_key)
{
  Budget *b = g_hash_table_lookup (self->budgets, profile_key);

  return b && b->quota_iface != NULL;
}

static guint64
profile_provisional (SbLimiter *self, const char *profile)
{
  Budget *bud = g_hash_table_lookup (self->budgets, profile);
  GHashTableIter iter;
  Bearer *b;
  guint64 sum = 0;

  g_hash_table_iter_init (&iter, self->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    if (g_strcmp0 (b->profile, profile) == 0)
      sum += b->provisional;
  /* Packets the quota refused on the way out never reach the interface's
   * counters: once it refused one, what remained is spent. */
  if (bud && bud->exceeded && sum < bud->remaining)
    sum = bud->remaining;
  return sum;
}

static double
profile_rate (SbLimiter *self, const char *profile)
{
  GHashTableIter iter;
  Bearer *b;
  double sum = 0;

  g_hash_table_iter_init (&iter, self->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    if (b->connected && g_strcmp0 (b->profile, profile) == 0)
      sum += b->bps;
  return sum;
}

static const char *
profile_iface (SbLimiter *self, const char *profile)
{
  GHashTableIter iter;
  Bearer *b;

  g_hash_table_iter_init (&iter, self->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    if (b->connected && b->iface && g_strcmp0 (b->profile, profile) == 0 &&
        sb_ifstats_exists (b->iface))
      return b->iface;
  return NULL;
}

static void
rate_sample (Bearer *b, guint64 bytes, gint64 now_us)
{
  if (b->last_us > 0 && now_us > b->last_us)
    {
      double bps = (double) bytes * G_USEC_PER_SEC / (double) (now_us - b->last_us);
      /* Rises at once, falls gently: near a limit, caution is cheaper. */
      b->bps = bps > b->bps ? bps : (b->bps + bps) / 2.0;
    }
  b->last_us = now_us;
}

void
sb_limiter_bearer_update (SbLimiter  *self,
                          const char *bearer_key,
                          const char *profile_key,
                          const char *data_iface,
                          gboolean    connected,
                          gboolean    provisional_capable,
                          guint64     auth_bytes)
{
  Bearer *b = g_hash_table_lookup (self->bearers, bearer_key);
  gint64 now_us = g_get_monotonic_time ();
  gboolean same_session;
  SbIfStats st;

  if (!b)
    {
      b = g_new0 (Bearer, 1);
      b->key = g_strdup (bearer_key);
      g_hash_table_insert (self->bearers, b->key, b);
    }
  if (g_strcmp0 (b->profile, profile_key) != 0)
    {
      g_free (b->profile);
      b->profile = g_strdup (profile_key);
    }
  if (g_strcmp0 (b->iface, data_iface) != 0)
    {
      g_free (b->iface);
      b->iface = g_strdup (data_iface);
    }
  same_session = b->connected && connected && b->base_valid;
  b->connected = connected;
  b->capable = provisional_capable;
  rate_sample (b, auth_bytes, now_us);
  if (!connected)
    b->bps = 0;

  b->provisional = 0;
  b->base_valid = FALSE;
  if (connected && provisional_capable && data_iface && sb_ifstats_read (data_iface, &st, NULL))
    {
      guint64 k = st.rx_bytes + st.tx_bytes;

      /* ModemManager read the modem before its figure reached us: the
       * figure covers @auth_bytes past the old base, and what the kernel
       * counted since is still provisional. A gap older than the previous
       * figure is the two counting differently, not delay: dropped. */
      if (same_session && st.ifindex == b->base_ifindex && b->base <= k)
        b->base = CLAMP (b->base + auth_bytes, MIN (b->receipt, k), k);
      else
        b->base = k;
      b->base_valid = TRUE;
      b->base_ifindex = st.ifindex;
      b->receipt = k;
      b->receipt_rx = st.rx_bytes;
      b->receipt_tx = st.tx_bytes;
      b->provisional = k - b->base;
    }
  if (self->cb.provisional)
    self->cb.provisional (self->user_data, profile_key, profile_provisional (self, profile_key));
  reschedule (self);
}

gboolean
sb_limiter_take_provisional (SbLimiter  *self,
                             const char *bearer_key,
                             guint64    *out_rx,
                             guint64    *out_tx)
{
  Bearer *b = g_hash_table_lookup (self->bearers, bearer_key);
  SbIfStats st;
  guint64 k, total, drx, dtx;

  *out_rx = *out_tx = 0;
  if (!b || !b->base_valid || !b->iface || !sb_ifstats_read (b->iface, &st, NULL) ||
      st.ifindex != b->base_ifindex)
    return FALSE;
  k = st.rx_bytes + st.tx_bytes;
  if (k <= b->base)
    return FALSE;
  total = k - b->base;
  /* Split as the kernel saw the traffic since the last figure. */
  drx = st.rx_bytes >= b->receipt_rx ? st.rx_bytes - b->receipt_rx : 0;
  dtx = st.tx_bytes >= b->receipt_tx ? st.tx_bytes - b->receipt_tx : 0;
  if (drx + dtx > 0)
    *out_rx = (guint64) ((unsigned __int128) total * drx / (drx + dtx));
  else
    *out_rx = total;
  *out_tx = total - *out_rx;
  b->base = k;
  b->receipt = k;
  b->receipt_rx = st.rx_bytes;
  b->receipt_tx = st.tx_bytes;
  b->provisional = 0;
  return TRUE;
}

void
sb_limiter_bearer_gone (SbLimiter *self, const char *bearer_key)
{
  Bearer *b = g_hash_table_lookup (self->bearers, bearer_key);
  g_autofree char *profile = NULL;

  if (!b)
    return;
  profile = g_strdup (b->profile);
  g_hash_table_remove (self->bearers, bearer_key);
  if (self->cb.provisional && profile)
    self->cb.provisional (self->user_data, profile, profile_provisional (self, profile));
  reschedule (self);
}

static void
quota_clear (SbLimiter *self, const char *profile, Budget *bud)
{
  g_autoptr(GError) error = NULL;

  if (!bud->quota_iface)
    return;
  if (self->quota && !sb_quota_clear (self->quota, profile, &error))
    g_message ("Could not remove the quota of %s: %s", profile, error->message);
  g_info ("Quota of %s removed", profile);
  g_clear_pointer (&bud->quota_iface, g_free);
}

/* Reads the kernel counters of @profile's bearers now: the bytes a quota
 * counted are about to be discarded by its replacement. TRUE if changed. */
static gboolean
refresh_provisional (SbLimiter *self, const char *profile)
{
  GHashTableIter iter;
  Bearer *b;
  gboolean changed = FALSE;

  g_hash_table_iter_init (&iter, self->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    {
      SbIfStats st;
      guint64 k;

      if (!b->connected || !b->capable || !b->base_valid || g_strcmp0 (b->profile, profile) != 0)
        continue;
      if (!sb_ifstats_read (b->iface, &st, NULL) || st.ifindex != b->base_ifindex)
        continue;
      k = st.rx_bytes + st.tx_bytes;
      if (k > b->base && k - b->base != b->provisional)
        {
          b->provisional = k - b->base;
          changed = TRUE;
        }
    }
  return changed;
}

void
sb_limiter_set_budget (SbLimiter  *self,
                       const char *profile_key,
                       gboolean    enforce,
                       guint64     remaining,
                       gboolean    rebase_quota)
{
  Budget *bud = g_hash_table_lookup (self->budgets, profile_key);
  const char *iface = enforce ? profile_iface (self, profile_key) : NULL;
  guint64 prov;
  gboolean changed, more, prov_changed = FALSE;

  if (self->busy)
    return;
  if (!bud)
    {
      bud = g_new0 (Budget, 1);
      g_hash_table_insert (self->budgets, g_strdup (profile_key), bud);
    }
  if (iface && g_strcmp0 (iface, bud->last_iface) != 0)
    {
      g_free (bud->last_iface);
      bud->last_iface = g_strdup (iface);
    }
  /* Spent and cut: the rule stays on the interface's name, so a line that
   * comes back before the daemon can stop it carries nothing. */
  if (!iface && enforce && remaining == 0)
    iface = bud->last_iface;
  more = remaining > bud->remaining;
  changed = bud->enforce != enforce || bud->remaining != remaining;
  /* More allowed (override, raised limit, new period): no longer spent.
   * Less remaining (a reading of what did pass): still spent. */
  if (!enforce || remaining > bud->remaining)
    bud->exceeded = FALSE;
  bud->enforce = enforce;
  bud->remaining = remaining;

  if (!self->quota || !iface)
    quota_clear (self, profile_key, bud);
  else if (rebase_quota || changed || g_strcmp0 (iface, bud->quota_iface) != 0)
    {
      g_autoptr(GError) error = NULL;
      guint64 left, consumed = 0;
      gboolean counted = FALSE, refused = FALSE, moved = FALSE;

      /* What the installed quota counted is read before the kernel
       * counters: bytes in between are counted twice at worst, never
       * missed. Did it refuse a packet? */
      if (bud->quota_iface)
        counted = sb_quota_get_consumed (self->quota, profile_key, &consumed, &refused, NULL);
      if (counted && refused && !bud->exceeded && !more)
        {
          g_message ("Quota of %s reached: the kernel refused a packet", profile_key);
          bud->exceeded = TRUE;
          prov_changed = TRUE;
        }
      prov_changed |= refresh_provisional (self, profile_key);
      prov = profile_provisional (self, profile_key);
      left = remaining > prov ? remaining - prov : 0;

      /* Move the limit and keep the count: a replacement would let the
       * packets that pass while it is made through uncounted. A quota that
       * refused packets counted those too: it is installed afresh. */
      if (counted && !refused && left > 0 && g_strcmp0 (iface, bud->quota_iface) == 0)
        {
          moved = sb_quota_set_limit (self->quota, profile_key, consumed + left, &error);
          if (moved)
            g_debug ("Quota of %s on %s: %" G_GUINT64_FORMAT " bytes more", profile_key, iface, left);
          else
            {
              g_message ("Could not move the quota of %s: %s", profile_key, error->message);
              g_clear_error (&error);
            }
        }
      if (!moved)
        {
          if (bud->quota_iface && g_strcmp0 (iface, bud->quota_iface) != 0)
            quota_clear (self, profile_key, bud);
          if (sb_quota_set (self->quota, profile_key, iface, left, &error))
            {
              g_debug ("Quota of %s on %s: %" G_GUINT64_FORMAT " bytes", profile_key, iface, left);
              if (!bud->quota_iface)
                bud->quota_iface = g_strdup (iface);
            }
          else
            {
              g_message ("Could not set the quota of %s on %s: %s", profile_key, iface, error->message);
              g_clear_pointer (&bud->quota_iface, g_free);
            }
        }
    }
  if (prov_changed && self->cb.provisional)
    {
      self->busy = TRUE;
      self->cb.provisional (self->user_data, profile_key, profile_provisional (self, profile_key));
      self->busy = FALSE;
    }
  reschedule (self);
}

static gboolean
poll_cb (gpointer user_data)
{
  SbLimiter *self = user_data;
  g_autoptr(GHashTable) touched = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now_us = g_get_monotonic_time ();
  gboolean want_poll = FALSE;
  GHashTableIter iter;
  Bearer *b;
  const char *profile;

  self->poll_source = 0;
  g_hash_table_iter_init (&iter, self->bearers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &b))
    {
      SbIfStats st;
      guint64 k, prov;

      if (!b->connected)
        continue;
      if (!b->capable)
        {
          want_poll = TRUE;   /* the daemon's own kernel reading */
          continue;
        }
      if (!b->base_valid || !sb_ifstats_read (b->iface, &st, NULL) || st.ifindex != b->base_ifindex)
        continue;
      k = st.rx_bytes + st.tx_bytes;
      prov = k >= b->base ? k - b->base : 0;
      rate_sample (b, prov - MIN (prov, b->provisional), now_us);
      if (prov != b->provisional)
        {
          b->provisional = prov;
          g_hash_table_add (touched, b->profile);
        }
    }
  if (self->quota)
    {
      Budget *bud;

      g_hash_table_iter_init (&iter, self->budgets);
      while (g_hash_table_iter_next (&iter, (gpointer *) &profile, (gpointer *) &bud))
        {
          guint64 consumed = 0;
          gboolean exceeded = FALSE;

          if (!bud->quota_iface || bud->exceeded || bud->remaining == 0)
            continue;
          if (sb_quota_get_consumed (self->quota, profile, &consumed, &exceeded, NULL) && exceeded)
            {
              g_message ("Quota of %s reached: the kernel refused a packet", profile);
              bud->exceeded = TRUE;
              g_hash_table_add (touched, (gpointer) profile);
            }
        }
    }
  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, (gpointer *) &profile, NULL))
    if (self->cb.provisional)
      self->cb.provisional (self->user_data, profile, profile_provisional (self, profile));
  if (want_poll && self->cb.poll)
    self->cb.poll (self->user_data);
  reschedule (self);
  return G_SOURCE_REMOVE;
}

/* One timer for all: the soonest any enforced budget needs a reading. */
static void
reschedule (SbLimiter *self)
{
  GHashTableIter iter;
  const char *profile;
  Budget *bud;
  guint next = 0;

  g_hash_table_iter_init (&iter, self->budgets);
  while (g_hash_table_iter_next (&iter, (gpointer *) &profile, (gpointer *) &bud))
    {
      guint64 prov = profile_provisional (self, profile);
      guint ms;

      /* Nothing to anticipate once the limit is reached: the quota (or
       * the cut-off) holds it. */
      if (!bud->enforce || bud->remaining <= prov)
        continue;
      ms = sb_limiter_interval_ms (bud->remaining > prov ? bud->remaining - prov : 0,
                                   profile_rate (self, profile));
      if (ms && (next == 0 || ms < next))
        next = ms;
    }
  if (!next)
    {
      g_clear_handle_id (&self->poll_source, g_source_remove);
      return;
    }
  /* Keep a sooner reading already planned: frequent updates must not
   * push it away. */
  if (self->poll_source && self->poll_deadline_us <= g_get_monotonic_time () + (gint64) next * 1000)
    return;
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_deadline_us = g_get_monotonic_time () + (gint64) next * 1000;
  self->poll_source = g_timeout_add (next, poll_cb, self);
}
