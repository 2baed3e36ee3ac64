/*
 * Counter samples to byte deltas. Pure logic, no I/O.
 *
 * A sample is one reading of a bearer's (or data interface's) counters:
 * the session identity (ModemManager's start-date, or the ifindex of a
 * kernel interface), the session counters, and, where ModemManager gives
 * them, the bearer's totals over all its sessions. The snapshot is the last
 * sample already counted; it is persisted with the bytes it accounts for, so
 * a restart resumes exactly where the database left off.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64  session;      /* start-date or ifindex; 0 = unknown */
  guint64  rx;           /* bytes this session */
  guint64  tx;
  gboolean has_totals;   /* total_* are meaningful (ModemManager stats) */
  guint64  total_rx;     /* bytes over all sessions of this bearer object */
  guint64  total_tx;
} SbCounterSample;

typedef struct {
  gboolean        valid; /* FALSE: nothing counted for this bearer yet */
  SbCounterSample last;
} SbCounterSnapshot;

typedef enum {
  SB_COUNTER_FIRST,        /* no snapshot: the session counted from its start */
  SB_COUNTER_SAME,         /* same session, counters moved forward (or not) */
  SB_COUNTER_NEW_SESSION,  /* session changed */
  SB_COUNTER_RESET,        /* same session, a counter went backwards */
  SB_COUNTER_WRAP32,       /* same session, a 32-bit counter wrapped */
} SbCounterEvent;

/*
 * Computes the bytes @sample adds to @snap and advances @snap to @sample.
 * Never returns a negative or double-counted delta:
 *  - first sample of an unknown session: its whole session counters;
 *  - new session with totals that moved consistently: the totals' delta
 *    (covers the tail of the previous session and sessions never seen);
 *    otherwise the new session's counters;
 *  - a counter that went backwards in the same session: 32-bit wrap when
 *    the previous value was in the top quarter of the 32-bit range and the
 *    new one fits the wrap, otherwise a reset (the new value is all new).
 */
SbCounterEvent sb_counter_advance (SbCounterSnapshot     *snap,
                                   const SbCounterSample *sample,
                                   guint64               *out_rx,
                                   guint64               *out_tx);

/* Re-bases @snap on @sample without counting anything (the bytes so far
 * belong to someone else, e.g. the profile before an eSIM switch). */
void sb_counter_rebase (SbCounterSnapshot     *snap,
                        const SbCounterSample *sample);

const char *sb_counter_event_to_string (SbCounterEvent event);

G_END_DECLS
