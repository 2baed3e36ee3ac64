/*
 * Bearer readings to counted bytes: follows every bearer ModemManager
 * reports (its profile, data interface, connection) and turns its figures,
 * or the kernel counters of its data interface where it has none, into
 * accounting readings and profile usage.
 */
#pragma once

#include <glib.h>

#include "sb-accounting.h"
#include "sb-limiter.h"
#include "sb-modem-watcher.h"
#include "sb-nm.h"
#include "sb-profile.h"

G_BEGIN_DECLS

typedef struct _SbReadings SbReadings;

/* What the readings need from the daemon that owns them. */
typedef struct {
  /* The profile of @key, created when new: usage is counted into it. */
  SbProfile *(*profile)         (gpointer host, const char *key);
  /* Make what is counted durable: at once (@now) or soon. */
  void       (*flush)           (gpointer host, gboolean now);
  /* A bearer of @profile_key (may be NULL) changed or went: whether the
   * profile is active, and on which interface, may have changed. */
  void       (*bearers_changed) (gpointer host, const char *profile_key);
} SbReadingsHost;

/* @acc is borrowed. */
SbReadings *sb_readings_new  (SbAccounting *acc, const SbReadingsHost *host, gpointer host_data);
void        sb_readings_free (SbReadings *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbReadings, sb_readings_free)

/* Once on the bus, before any bearer: NetworkManager names PPP interfaces,
 * the limiter follows the bearers. Both borrowed. */
void        sb_readings_attach (SbReadings *self, SbNm *nm, SbLimiter *limiter);

/* The watcher's bearer_changed and bearer_removed. */
void        sb_readings_bearer_changed (SbReadings *self, const SbBearerInfo *info);
void        sb_readings_bearer_removed (SbReadings *self, const char *bearer_key);

/* Whether a bearer of @profile_key is connected; @out_iface (nullable):
 * the data interface of the last one found. */
gboolean    sb_readings_profile_connected (SbReadings  *self,
                                           const char  *profile_key,
                                           const char **out_iface);

G_END_DECLS
