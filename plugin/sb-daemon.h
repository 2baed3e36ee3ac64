/* simbudgetd: wiring of the watchers, accounting, storage and the bus. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SB_BUS_NAME     "org.simbudget.SimBudget1"
#define SB_MANAGER_PATH "/org/simbudget/SimBudget1"

typedef struct _SbDaemon SbDaemon;

/* @use_quota FALSE: no nftables quota, precise polling only. */
SbDaemon *sb_daemon_new  (const char *state_dir, gboolean use_quota);
void      sb_daemon_free (SbDaemon *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbDaemon, sb_daemon_free)

/* Owns the bus name and runs until SIGTERM/SIGINT (returns 0) or the name
 * is lost or the bus cannot be reached (returns 1). */
int       sb_daemon_run (SbDaemon *self, gboolean replace);

G_END_DECLS
