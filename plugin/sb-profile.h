/*
 * One SIM profile on the bus: its identity, this period's usage, its
 * budget (plan, allowance, thresholds, state) and the Profile D-Bus
 * interface. Usage arrives as deltas from the daemon; enforcement is the
 * daemon's, told through the host's state_changed.
 */
#pragma once

#include <gio/gio.h>

#include "sb-budget.h"
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
  void     (*flush)         (gpointer host);
  SbStore *(*store)         (gpointer host);
  /* The row or the budget state changed and must be persisted. */
  void     (*dirty)         (gpointer host, SbProfile *profile);
  /* State, limit or allowance changed: time to (re)consider enforcement. */
  void     (*state_changed) (gpointer host, SbProfile *profile);
  /* Forget was granted: drop what the daemon holds for the profile. */
  void     (*forget)        (gpointer host, SbProfile *profile);
} SbProfileHost;

/* Takes ownership of @row. */
SbProfile   *sb_profile_new (SbProfileRow *row, const SbProfileHost *host, gpointer host_data);

const char  *sb_profile_get_key (SbProfile *self);
const char  *sb_profile_get_path (SbProfile *self);
const SbProfileRow *sb_profile_get_row (SbProfile *self);
const SbPlan *sb_profile_get_plan (SbProfile *self);
SbState      sb_profile_get_state (SbProfile *self);
guint64      sb_profile_get_used (SbProfile *self);
/* Bytes before the cut-off, from the authoritative usage. */
guint64      sb_profile_get_remaining (SbProfile *self);
/* Kernel bytes ModemManager has not reported yet: they count towards the
 * budget now and are replaced by its next figure. */
void         sb_profile_set_provisional (SbProfile *self, guint64 bytes, gint64 now);

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
/* The next moment the state changes by time alone (period end, validity
 * end), 0 = none: when the daemon's alarm fires. */
gint64       sb_profile_get_next_boundary (SbProfile *self);
/* Time passed (an alarm, a clock change): period and validity re-checked. */
void         sb_profile_tick (SbProfile *self, gint64 now);

/*
 * The configuration from NetworkManager: @plan (NULL = keep the previous
 * valid one), @config_error ("" = none), the bound connection, and the
 * fingerprint of (connection, simbudget.* values): a change clears a
 * recorded first use. @user_data (may be NULL) is persisted so the plan
 * outlives NetworkManager's absence.
 */
void         sb_profile_apply_config (SbProfile *self, const SbPlan *plan,
                                      GHashTable *user_data, const char *config_error,
                                      const char *uuid, const char *id,
                                      const char *fingerprint, gint64 now);
/* /etc/localtime changed: a plan without a zone of its own follows. */
void         sb_profile_system_zone_changed (SbProfile *self, gint64 now);
/* Connection binding alone (no plan change). */
void         sb_profile_set_connection (SbProfile *self, const char *uuid, const char *id);
const char  *sb_profile_get_connection_uuid (SbProfile *self);

void         sb_profile_set_enforcement (SbProfile *self, const char *enforcement);

/* Emits BudgetExhausted once per period (@force: again, after a re-cut). */
void         sb_profile_announce_exhausted (SbProfile *self, gboolean disconnected, gboolean force);

/* Budget state as a GVariant a{sv} for the store, and back. */
GVariant    *sb_profile_save_budget (SbProfile *self);
void         sb_profile_load_budget (SbProfile *self, GVariant *saved, gint64 now);

G_END_DECLS
