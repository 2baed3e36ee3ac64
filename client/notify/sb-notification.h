/* One desktop notification as org.freedesktop.Notifications takes it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The spec's "urgency" hint values. */
typedef enum {
  SB_URGENCY_LOW = 0,
  SB_URGENCY_NORMAL = 1,
  SB_URGENCY_CRITICAL = 2,
} SbUrgency;

typedef struct {
  char      *summary;     /* (owned) */
  char      *body;        /* (owned) */
  char      *icon;        /* (owned) icon name */
  char      *category;    /* (owned) the spec's "category" hint */
  SbUrgency  urgency;
  GPtrArray *actions;     /* (owned) (element-type utf8) key, label, key, label… */
  /* What the agent remembers once the notification is on screen, so that
   * a restart does not show it again: an event name for the period that
   * starts at @memo_period. NULL: nothing to remember. */
  char      *memo;        /* (owned) (nullable) */
  gint64     memo_period;
} SbNotification;

SbNotification *sb_notification_new         (SbUrgency       urgency,
                                             const char     *icon,
                                             const char     *category,
                                             const char     *summary,
                                             const char     *body);
void            sb_notification_free        (SbNotification *notification);
void            sb_notification_add_action  (SbNotification *notification,
                                             const char     *key,
                                             const char     *label);
gboolean        sb_notification_has_action  (const SbNotification *notification,
                                             const char           *key);
void            sb_notification_set_memo    (SbNotification *notification,
                                             const char     *memo,
                                             gint64          period);
/* Whether @notification carries exactly this memo. */
gboolean        sb_notification_memo_equal  (const SbNotification *notification,
                                             const char           *memo,
                                             gint64                period);

/*
 * The parameters of Notify (susssasa{sv}i), floating. Critical
 * notifications never expire (the spec lets servers keep them anyway);
 * the others take the server's default timeout.
 */
GVariant       *sb_notification_to_parameters (const SbNotification *notification,
                                               guint32               replaces_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNotification, sb_notification_free)

G_END_DECLS
