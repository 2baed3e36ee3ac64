/*
 * Which NetworkManager connection configures which SIM profile: the one
 * whose gsm.sim-id is the ICCID; else one without a sim-id that is (or was
 * last) active on the profile's modem. Where two claim one profile, the
 * active one wins and the conflict is reported. Pure logic.
 */
#pragma once

#include <glib.h>

#include "sb-nm.h"

G_BEGIN_DECLS

typedef struct {
  const SbNmConnection *connection; /* (nullable) the winner, borrowed */
  char                 *conflict;   /* (nullable) message naming the others */
} SbBinding;

void sb_binding_clear (SbBinding *b);

/*
 * @connections: SbNmConnection*; @profile_key: the ICCID; @modem_path: the
 * modem now carrying the profile (NULL when absent); @last_bound: uuid →
 * ICCID learned from earlier activations (persisted by the caller).
 */
void sb_binding_find (GPtrArray   *connections,
                      const char  *profile_key,
                      const char  *modem_path,
                      GHashTable  *last_bound,
                      SbBinding   *out);

/* "uuid|key=value|…" over the sorted simbudget.* keys: what a recorded
 * first use belongs to. */
char *sb_binding_fingerprint (const SbNmConnection *connection);

G_END_DECLS
