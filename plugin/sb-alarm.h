/*
 * A one-shot alarm on the wall clock (CLOCK_REALTIME, absolute), fired at
 * the right moment even across suspend, and reported when the clock is set
 * (so period boundaries are re-armed and never drift). No periodic wake-up.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbAlarm SbAlarm;

/* @func runs when the alarm time is reached (@clock_changed FALSE) or when
 * the wall clock was set (@clock_changed TRUE); it re-arms as it wants. */
typedef void (*SbAlarmFunc) (gpointer user_data, gboolean clock_changed);

SbAlarm *sb_alarm_new (SbAlarmFunc func, gpointer user_data);
void     sb_alarm_free (SbAlarm *alarm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbAlarm, sb_alarm_free)

/* Arms at Unix time @when (seconds); 0 disarms (clock changes are still
 * reported while armed only). */
void     sb_alarm_set (SbAlarm *alarm, gint64 when);
gint64   sb_alarm_get (SbAlarm *alarm);

G_END_DECLS
