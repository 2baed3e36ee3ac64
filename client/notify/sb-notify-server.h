/*
 * The session's notification server (org.freedesktop.Notifications),
 * spoken to with GIO directly. One notification per key: a new one for
 * the same key replaces the one on screen. With no server on the bus,
 * notifications wait (the latest per key) until one appears.
 */
#pragma once

#include <gio/gio.h>

#include "sb-notification.h"

G_BEGIN_DECLS

#define SB_TYPE_NOTIFY_SERVER (sb_notify_server_get_type ())
G_DECLARE_FINAL_TYPE (SbNotifyServer, sb_notify_server, SB, NOTIFY_SERVER, GObject)

/*
 * Signals:
 *  "posted" (const char *key, SbNotification *notification): the server
 *    has accepted @notification.
 *  "action-invoked" (const char *key, const char *action): the person
 *    chose @action on the notification shown for @key (only actions that
 *    notification offered are reported).
 */

SbNotifyServer       *sb_notify_server_new      (GDBusConnection *session);

/* Shows @notification for @key, replacing what @key shows or waits to
 * show. */
void                  sb_notify_server_show     (SbNotifyServer  *self,
                                                 const char      *key,
                                                 SbNotification  *notification);

/* Takes down (or drops before it is shown) what @key shows. */
void                  sb_notify_server_withdraw (SbNotifyServer  *self,
                                                 const char      *key);

/* What @key shows or waits to show, or NULL. (transfer none) */
const SbNotification *sb_notify_server_lookup   (SbNotifyServer  *self,
                                                 const char      *key);

G_END_DECLS
