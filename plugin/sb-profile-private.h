/*
 * What the Profile D-Bus methods (sb-profile-methods.c) need of a profile:
 * its history and the budget changes they make once the caller is
 * authorised. The daemon uses sb-profile.h only.
 */
#pragma once

#include "sb-history.h"
#include "sb-profile.h"

G_BEGIN_DECLS

/* The handlers of the Profile interface's methods. */
void     sb_profile_methods_iface_init (SbSimBudget1ProfileIface *iface);

/* Writes what is counted, then adds the buckets that intersect
 * [@from, @to) to @history. */
gboolean sb_profile_fill_history (SbProfile *self, SbHistoryAggregator *history,
                                  gint64 from, gint64 to, GError **error);
/* Override: @extra_bytes more this period; 0 = no cut-off until its end. */
void     sb_profile_override (SbProfile *self, guint64 extra_bytes);
/* SetUsed: the period's usage becomes @used (the carrier's figure). */
void     sb_profile_set_used (SbProfile *self, guint64 used);
/* Forget: usage, totals and history start from nothing. */
void     sb_profile_forget (SbProfile *self);

G_END_DECLS
