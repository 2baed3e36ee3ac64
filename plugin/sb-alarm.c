#define G_LOG_DOMAIN "sb-alarm"

#include "sb-alarm.h"

#include "sb-clock.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct _SbAlarm {
  int          fd;
  guint        source;
  gint64       when;
  SbAlarmFunc  func;
  gpointer     user_data;
};

static void arm (SbAlarm *self);

static gboolean
alarm_ready_cb (int fd, GIOCondition cond, gpointer user_data)
{
  SbAlarm *self = user_data;
  uint64_t expirations;
  gboolean clock_changed = FALSE;
  ssize_t n = read (fd, &expirations, sizeof expirations);

  if (n < 0 && errno == ECANCELED)
    clock_changed = TRUE;
  else if (n < 0)
    return G_SOURCE_CONTINUE; /* EAGAIN: spurious */

  if (!clock_changed)
    self->when = 0;
  else
    arm (self);  /* cancel-on-set disarmed it; keep the same target */
  self->func (self->user_data, clock_changed);
  return G_SOURCE_CONTINUE;
}

static void
arm (SbAlarm *self)
{
  struct itimerspec its = { 0 };
  int flags = 0;

  if (self->when > 0)
    {
      its.it_value.tv_sec = self->when - sb_clock_offset ();
      flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET;
    }
  if (timerfd_settime (self->fd, flags, &its, NULL) < 0)
    g_warning ("Cannot arm the period timer: %s", g_strerror (errno));
}

SbAlarm *
sb_alarm_new (SbAlarmFunc func, gpointer user_data)
{
  SbAlarm *self = g_new0 (SbAlarm, 1);

  self->func = func;
  self->user_data = user_data;
  self->fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->fd < 0)
    g_error ("timerfd_create: %s", g_strerror (errno));
  self->source = g_unix_fd_add (self->fd, G_IO_IN, alarm_ready_cb, self);
  return self;
}

void
sb_alarm_set (SbAlarm *self, gint64 when)
{
  self->when = when > 0 ? when : 0;
  arm (self);
}

gint64
sb_alarm_get (SbAlarm *self)
{
  return self->when;
}

void
sb_alarm_free (SbAlarm *self)
{
  if (!self)
    return;
  g_source_remove (self->source);
  close (self->fd);
  g_free (self);
}
