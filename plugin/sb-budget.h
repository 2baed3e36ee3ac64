/* Budget arithmetic: state, thresholds and the cut-off point. Pure logic. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SB_STATE_UNTRACKED,   /* no budget */
  SB_STATE_OK,
  SB_STATE_WARNING,     /* past the lowest threshold */
  SB_STATE_EXHAUSTED,   /* past Limit + ExtraAllowance */
  SB_STATE_OVERRIDDEN,  /* past Limit, within the allowance */
  SB_STATE_EXPIRED,     /* a days:N validity ended, no allowance */
} SbState;

const char *sb_state_to_string (SbState state);

/* Limit + extra, saturating at 2^64-1. */
guint64  sb_budget_cutoff (guint64 limit, guint64 extra);

/* Bytes at which @percent of @limit is reached: ceil(limit * percent / 100). */
guint64  sb_budget_threshold_bytes (guint64 limit, guint percent);

SbState  sb_budget_state (guint64 limit, guint64 extra, guint64 used,
                          gboolean expired, const GArray *warn);

/* TRUE when the state takes the connection away (exhausted or expired). */
gboolean sb_state_is_over (SbState state);

/* The thresholds of @warn (ascending guint) reached by @used and not in
 * @fired; appends them to @fired and returns them (ascending). */
GArray  *sb_budget_new_thresholds (guint64 limit, guint64 used,
                                   const GArray *warn, GArray *fired);

G_END_DECLS
