/* One profile as people and scripts see it: shared by the verbs. */
#pragma once

#include <glib.h>

#include "sb-cli-json.h"
#include "sb-dbus-generated.h"

G_BEGIN_DECLS

/* "8981100022152233440 (Travel)", or the ICCID alone. */
char       *sb_cli_profile_title     (SbSimBudget1Profile *profile);
/* State, "unknown" when the service did not say. */
const char *sb_cli_profile_state     (SbSimBudget1Profile *profile);
/* The profile's zone (local when it names none). (transfer full) */
GTimeZone  *sb_cli_profile_timezone  (SbSimBudget1Profile *profile);
/* "5 GB", or "none" without a budget. */
char       *sb_cli_profile_limit     (SbSimBudget1Profile *profile);
/* "24%", or "—" without a budget. */
char       *sb_cli_profile_percent   (SbSimBudget1Profile *profile);
/* When the period ends: "in 3 days" when near, "Dec 1 00:00 JST" when
 * not (both with @detailed), "never", "expired", "after first use". */
char       *sb_cli_profile_resets    (SbSimBudget1Profile *profile,
                                      gint64               now,
                                      gboolean             detailed);
/* Bytes left before the cut-off; FALSE without a budget. */
gboolean    sb_cli_profile_remaining (SbSimBudget1Profile *profile,
                                      guint64             *out_bytes);

/* "none", "unlimited" or a size. */
char       *sb_cli_allowance_text    (guint64 extra);
/* "80%, 95%" from an "au" (may be NULL). */
char       *sb_cli_thresholds_text   (GVariant *thresholds);
/* "yes" or "no". */
const char *sb_cli_yes_no            (gboolean value);

/* "name": value and "name_iso": "…" (null for 0) in @tz. */
void        sb_cli_json_time         (SbJson     *json,
                                      const char *name,
                                      gint64      when,
                                      GTimeZone  *tz);
/* The profile as a JSON object: its D-Bus properties in snake_case. */
void        sb_cli_profile_to_json   (SbSimBudget1Profile *profile,
                                      SbJson              *json);

G_END_DECLS
