#define G_LOG_DOMAIN "sb-counter"

#include "sb-counter.h"

#define WRAP32 (G_GUINT64_CONSTANT (1) << 32)

/* A 32-bit counter that wrapped was near the top of its range and is now
 * smaller than what a wrap could have produced in one reading. */
static gboolean
looks_like_wrap32 (guint64 prev, guint64 cur)
{
  return prev < WRAP32 && prev >= (WRAP32 / 4) * 3 && cur < prev;
}

static guint64
same_session_delta (guint64 prev, guint64 cur, SbCounterEvent *event)
{
  if (cur >= prev)
    return cur - prev;

  if (looks_like_wrap32 (prev, cur))
    {
      if (*event == SB_COUNTER_SAME)
        *event = SB_COUNTER_WRAP32;
      return WRAP32 - prev + cur;
    }

  /* The counter restarted (modem reset): everything it shows is new. */
  *event = SB_COUNTER_RESET;
  return cur;
}

/* Totals cover every session of the bearer object: when they moved at
 * least as far as the new session's own counters, their delta also holds
 * the bytes of the previous session after the last reading. */
static gboolean
totals_usable (const SbCounterSample *prev, const SbCounterSample *cur)
{
  return prev->has_totals && cur->has_totals &&
         cur->total_rx >= prev->total_rx &&
         cur->total_tx >= prev->total_tx &&
         cur->total_rx - prev->total_rx >= cur->rx &&
         cur->total_tx - prev->total_tx >= cur->tx;
}

SbCounterEvent
sb_counter_advance (SbCounterSnapshot     *snap,
                    const SbCounterSample *sample,
                    guint64               *out_rx,
                    guint64               *out_tx)
{
  SbCounterEvent event;
  guint64 rx, tx;

  g_return_val_if_fail (snap != NULL && sample != NULL, SB_COUNTER_SAME);

  if (!snap->valid)
    {
      event = SB_COUNTER_FIRST;
      rx = sample->rx;
      tx = sample->tx;
    }
  else if (sample->session != snap->last.session)
    {
      event = SB_COUNTER_NEW_SESSION;
      if (totals_usable (&snap->last, sample))
        {
          rx = sample->total_rx - snap->last.total_rx;
          tx = sample->total_tx - snap->last.total_tx;
        }
      else
        {
          rx = sample->rx;
          tx = sample->tx;
        }
    }
  else
    {
      event = SB_COUNTER_SAME;
      rx = same_session_delta (snap->last.rx, sample->rx, &event);
      tx = same_session_delta (snap->last.tx, sample->tx, &event);
    }

  snap->valid = TRUE;
  snap->last = *sample;
  if (out_rx)
    *out_rx = rx;
  if (out_tx)
    *out_tx = tx;
  return event;
}

void
sb_counter_rebase (SbCounterSnapshot     *snap,
                   const SbCounterSample *sample)
{
  g_return_if_fail (snap != NULL && sample != NULL);

  snap->valid = TRUE;
  snap->last = *sample;
}

const char *
sb_counter_event_to_string (SbCounterEvent event)
{
  switch (event)
    {
    case SB_COUNTER_FIRST:
      return "first";
    case SB_COUNTER_SAME:
      return "same";
    case SB_COUNTER_NEW_SESSION:
      return "new-session";
    case SB_COUNTER_RESET:
      return "reset";
    case SB_COUNTER_WRAP32:
      return "wrap32";
    default:
      return "unknown";
    }
}
