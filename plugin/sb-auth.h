/* polkit checks of D-Bus callers, asynchronous (never on the main loop's
 * critical path). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SB_ACTION_OVERRIDE "org.simbudget.override"
#define SB_ACTION_MANAGE   "org.simbudget.manage"

/* Asks polkit whether the sender of @invocation may do @action_id;
 * interactive authentication only if the caller allowed it. */
void     sb_auth_check_async  (GDBusMethodInvocation *invocation,
                               const char            *action_id,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data);
/* FALSE with SB_ERROR_NOT_AUTHORIZED when refused or polkit is absent. */
gboolean sb_auth_check_finish (GAsyncResult *result, GError **error);

G_END_DECLS
