/*
 * Keeps the cut-off precise between ModemManager's 30-second refreshes:
 * provisional readings of the bearers' data interfaces (kernel counters),
 * polled at a rate that rises only as the remaining budget shrinks against
 * recent throughput, and an nftables quota on the data interface for the
 * bytes that remain, so the kernel stops traffic at the byte.
 *
 * Provisional bytes are never persisted: ModemManager's next figure is
 * authoritative and replaces them (nothing is counted twice).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbLimiter SbLimiter;

typedef struct {
  /* The provisional bytes of @profile_key changed. */
  void (*provisional) (gpointer user_data, const char *profile_key, guint64 bytes);
  /* Time for a reading of bearers without statistics of their own. */
  void (*poll)        (gpointer user_data);
} SbLimiterCallbacks;

/* @use_quota FALSE: precise polling only (the --no-quota option). */
SbLimiter  *sb_limiter_new  (const char *state_dir, gboolean use_quota,
                             const SbLimiterCallbacks *callbacks, gpointer user_data);
void        sb_limiter_free (SbLimiter *self);   /* removes the quota table */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbLimiter, sb_limiter_free)

/* "quota", or why there is none ("disabled", "no CAP_NET_ADMIN", …). */
const char *sb_limiter_quota_status (SbLimiter *self);

/* An authoritative reading of @bearer_key arrived (or it connected, or its
 * data interface changed): the kernel baseline moves to now. @auth_bytes:
 * the bytes that reading added (for the throughput estimate). */
void        sb_limiter_bearer_update (SbLimiter *self, const char *bearer_key,
                                      const char *profile_key, const char *data_iface,
                                      gboolean connected, gboolean provisional_capable,
                                      guint64 auth_bytes);
void        sb_limiter_bearer_gone   (SbLimiter *self, const char *bearer_key);

/* The bearer's session ended: ModemManager publishes no figure after a
 * disconnect, so the bytes the kernel counted since its last one are
 * handed over (rx and tx) to be recorded for good; FALSE when none. */
gboolean    sb_limiter_take_provisional (SbLimiter *self, const char *bearer_key,
                                         guint64 *out_rx, guint64 *out_tx);

/*
 * The budget of @profile_key: @remaining bytes before the cut-off, counted
 * from the authoritative usage; @enforce FALSE removes any quota and
 * polling. @rebase_quota: the quota is re-installed (after a reading,
 * override, correction or plan change); otherwise only the polling rate is
 * re-considered.
 */
void        sb_limiter_set_budget (SbLimiter *self, const char *profile_key,
                                   gboolean enforce, guint64 remaining, gboolean rebase_quota);

gboolean    sb_limiter_quota_active (SbLimiter *self, const char *profile_key);

/* Pure: milliseconds until the next provisional reading, 0 = none needed
 * (idle, or far enough from the limit for ModemManager's refresh). */
guint       sb_limiter_interval_ms (guint64 remaining, double bytes_per_s);

G_END_DECLS
