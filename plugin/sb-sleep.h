/*
 * Suspend and resume through logind: a delay inhibitor held while awake,
 * so the last reading is taken and written before the machine sleeps;
 * after resume, periods and readings are checked at once.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SbSleep SbSleep;

typedef struct {
  /* About to sleep: read and write everything now (the inhibitor is
   * released right after this returns). */
  void (*before_sleep) (gpointer user_data);
  /* Woke up: time may have jumped. */
  void (*after_resume) (gpointer user_data);
} SbSleepCallbacks;

SbSleep *sb_sleep_new  (GDBusConnection *bus, const SbSleepCallbacks *callbacks, gpointer user_data);
void     sb_sleep_free (SbSleep *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbSleep, sb_sleep_free)

G_END_DECLS
