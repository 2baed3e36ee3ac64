/*
 * Cut-off and lifting through NetworkManager. What is changed is recorded
 * (persisted) before it is changed: the block outlives a restart of the
 * daemon or NetworkManager and is lifted by restoring exactly what was
 * changed. The connection's own autoconnect is never touched: only the
 * device's runtime Autoconnect, which NetworkManager forgets on restart.
 */
#pragma once

#include <glib.h>

#include "sb-nm.h"
#include "sb-profile.h"
#include "sb-store.h"

G_BEGIN_DECLS

typedef struct _SbEnforcer SbEnforcer;

SbEnforcer *sb_enforcer_new  (SbNm *nm, SbStore *store);
void        sb_enforcer_free (SbEnforcer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbEnforcer, sb_enforcer_free)

void        sb_enforcer_set_store (SbEnforcer *self, SbStore *store);

/*
 * Brings NetworkManager in line with @profile's state: cut when over budget
 * with action disconnect, cut again when the connection came back, lift
 * when no longer over. @connection is the bound connection (nullable),
 * @modem_path the modem carrying the profile (nullable), @bearer_active
 * whether ModemManager has it connected.
 */
void        sb_enforcer_update (SbEnforcer           *self,
                                SbProfile            *profile,
                                const SbNmConnection *connection,
                                const char           *modem_path,
                                gboolean              bearer_active);

gboolean    sb_enforcer_is_blocked (SbEnforcer *self, const char *profile_key);

G_END_DECLS
