/*
 * One SIM profile on the bus: its identity, this period's usage and the
 * Profile D-Bus interface. Usage arrives as deltas from the daemon.
 */
#pragma once

#include <gio/gio.h>

#include "sb-dbus-generated.h"
#include "sb-plan.h"
#include "sb-store.h"

G_BEGIN_DECLS

#define SB_TYPE_PROFILE (sb_profile_get_type ())
G_DECLARE_FINAL_TYPE (SbProfile, sb_profile, SB, PROFILE, SbSimBudget1ProfileSkeleton)

#define SB_PROFILE_PATH_PREFIX "/org/simbudget/SimBudget1/Profile/"

/* What a profile needs from the daemon that owns it. */
typedef struct {
  /* Make everything counted so far durable now (before history reads). */
  void     (*flush)   (gpointer host);
  SbStore *(*store)   (gpointer host);
  /* The row changed and must be persisted with the next flush. */
  void     (*dirty)   (gpointer host, SbProfile *profile);
} SbProfileHost;

/* Takes ownership of @row. */
SbProfile   *sb_profile_new (SbProfileRow *row, const SbProfileHost *host, gpointer host_data);

const char  *sb_profile_get_key (SbProfile *self);
const char  *sb_profile_get_path (SbProfile *self);
const SbProfileRow *sb_profile_get_row (SbProfile *self);

/* Escapes @key for an object path: [A-Za-z0-9_] kept, other bytes _XX. */
char        *sb_profile_path_for_key (const char *key);

void         sb_profile_set_identity (SbProfile *self, const char *eid,
                                      const char *sim_type, const char *operator_name,
                                      gint64 now);
void         sb_profile_set_active (SbProfile *self, gboolean active, const char *iface);

/* Rolls the period over if @now left it; TRUE if it did. */
gboolean     sb_profile_check_period (SbProfile *self, gint64 now);
/* Counts @rx/@tx used at @now (the period is checked first). */
void         sb_profile_add_usage (SbProfile *self, gint64 now, guint64 rx, guint64 tx);
/* End of the current period (0 = none): when the daemon's timer fires. */
gint64       sb_profile_get_period_end (SbProfile *self);

void         sb_profile_set_plan (SbProfile *self, const SbPlan *plan, gint64 now);

/* Clears history and usage (Forget). */
void         sb_profile_reset (SbProfile *self, gint64 now);

G_END_DECLS
