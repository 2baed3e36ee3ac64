/*
 * Follows ModemManager through libmm-glib: modems → active SIM (the
 * profile) → bearers → counter samples. Knows nothing of budgets.
 */
#pragma once

#include <gio/gio.h>

#include "sb-counter.h"

G_BEGIN_DECLS

typedef struct {
  const char *key;            /* ICCID, or a fallback key while unknown */
  const char *iccid;          /* "" when unknown */
  const char *eid;            /* "" unless an eUICC */
  const char *sim_type;       /* "esim", "physical", "unknown" */
  const char *operator_name;
  const char *modem_path;
} SbSimInfo;

typedef struct {
  const char      *bearer_key;      /* "mm:<owner>:<path>", stable per MM instance */
  const char      *profile_key;
  const char      *modem_path;
  gboolean         connected;
  const char      *interface;       /* ModemManager's Interface, "" when down */
  gboolean         stats_supported; /* ReloadStatsSupported */
  gboolean         roaming;
  gboolean         has_stats;       /* Stats carried a start-date */
  SbCounterSample  sample;          /* session = start-date */
} SbBearerInfo;

typedef struct {
  /* A modem's active SIM profile became known or changed. */
  void (*profile_seen)   (gpointer user_data, const SbSimInfo *sim);
  /* Connected, Interface, Stats or the profile of a bearer changed. */
  void (*bearer_changed) (gpointer user_data, const SbBearerInfo *bearer);
  /* The bearer object is gone (or ModemManager is). */
  void (*bearer_removed) (gpointer user_data, const char *bearer_key,
                          const char *profile_key);
  /* The modem carrying @profile_key is gone; @profile_key may be NULL. */
  void (*modem_removed)  (gpointer user_data, const char *modem_path,
                          const char *profile_key);
  /* ModemManager appeared on or left the bus. */
  void (*presence)       (gpointer user_data, gboolean present);
} SbModemWatcherCallbacks;

typedef struct _SbModemWatcher SbModemWatcher;

SbModemWatcher *sb_modem_watcher_new (GDBusConnection               *bus,
                                      const SbModemWatcherCallbacks *callbacks,
                                      gpointer                       user_data);
void            sb_modem_watcher_free (SbModemWatcher *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbModemWatcher, sb_modem_watcher_free)

/* Re-reports every known bearer (e.g. to take a reading now). */
void            sb_modem_watcher_refresh (SbModemWatcher *self);

/* The fallback profile key of a modem without a readable ICCID. */
char           *sb_modem_fallback_key (const char *equipment_id, const char *modem_path);

G_END_DECLS
