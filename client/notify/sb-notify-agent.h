/*
 * The agent: follows simbudgetd on the system bus (whenever it is there)
 * and turns its signals and profile states into desktop notifications.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SbNotifyAgent SbNotifyAgent;

/* @session: where notifications go; @memory_path: the key file of what
 * was shown (sb-notify-memory.h). Starts following at once. */
SbNotifyAgent *sb_notify_agent_new  (GDBusConnection *session,
                                     const char      *memory_path);
void           sb_notify_agent_free (SbNotifyAgent   *agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNotifyAgent, sb_notify_agent_free)

G_END_DECLS
