/*
 * What the agent has shown, per profile and period, kept in a small key
 * file so that restarting the agent or logging in again does not repeat a
 * warning. Only the current period of each profile is kept.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbNotifyMemory SbNotifyMemory;

/* Reads @path; a missing, unreadable or corrupt file is an empty memory
 * (the next save replaces it). */
SbNotifyMemory *sb_notify_memory_new      (const char     *path);
void            sb_notify_memory_free     (SbNotifyMemory *memory);

/* Whether @event ("threshold:80", "exhausted:5000000000") was shown for
 * @profile (its ICCID) in the period that starts at @period_start. */
gboolean        sb_notify_memory_has      (SbNotifyMemory *memory,
                                           const char     *profile,
                                           gint64          period_start,
                                           const char     *event);

/* Records @event and writes the file (creating its directory). A new
 * @period_start forgets the profile's earlier period. The record is kept
 * in memory even when writing fails (returns FALSE with @error). */
gboolean        sb_notify_memory_remember (SbNotifyMemory *memory,
                                           const char     *profile,
                                           gint64          period_start,
                                           const char     *event,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNotifyMemory, sb_notify_memory_free)

G_END_DECLS
