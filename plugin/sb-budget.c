#define G_LOG_DOMAIN "sb-budget"

#include "sb-budget.h"

const char *
sb_state_to_string (SbState state)
{
  static const char *const names[] = {
    "untracked", "ok", "warning", "exhausted", "overridden", "expired",
  };

  return state < G_N_ELEMENTS (names) ? names[state] : "untracked";
}

guint64
sb_budget_cutoff (guint64 limit, guint64 extra)
{
  return limit > G_MAXUINT64 - extra ? G_MAXUINT64 : limit + extra;
}

guint64
sb_budget_threshold_bytes (guint64 limit, guint percent)
{
  unsigned __int128 b = (unsigned __int128) limit * percent;

  return (guint64) ((b + 99) / 100);
}

gboolean
sb_state_is_over (SbState state)
{
  return state == SB_STATE_EXHAUSTED || state == SB_STATE_EXPIRED;
}

SbState
sb_budget_state (guint64       limit,
                 guint64       extra,
                 guint64       used,
                 gboolean      expired,
                 const GArray *warn)
{
  if (limit == 0)
    return SB_STATE_UNTRACKED;
  if (expired)
    {
      /* An allowance granted after the validity ended counts from the
       * limit, like any other. */
      if (extra == 0)
        return SB_STATE_EXPIRED;
      return used >= sb_budget_cutoff (limit, extra) ? SB_STATE_EXHAUSTED : SB_STATE_OVERRIDDEN;
    }
  if (used >= sb_budget_cutoff (limit, extra))
    return SB_STATE_EXHAUSTED;
  if (used >= limit)
    return SB_STATE_OVERRIDDEN;
  if (warn && warn->len > 0 &&
      used >= sb_budget_threshold_bytes (limit, g_array_index (warn, guint, 0)))
    return SB_STATE_WARNING;
  return SB_STATE_OK;
}

static gboolean
contains (const GArray *a, guint v)
{
  for (guint i = 0; a && i < a->len; i++)
    if (g_array_index (a, guint, i) == v)
      return TRUE;
  return FALSE;
}

GArray *
sb_budget_new_thresholds (guint64       limit,
                          guint64       used,
                          const GArray *warn,
                          GArray       *fired)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  if (limit == 0 || !warn)
    return out;
  for (guint i = 0; i < warn->len; i++)
    {
      guint p = g_array_index (warn, guint, i);
      if (used >= sb_budget_threshold_bytes (limit, p) && !contains (fired, p))
        {
          g_array_append_val (out, p);
          g_array_append_val (fired, p);
        }
    }
  return out;
}
