#define G_LOG_DOMAIN "sb-auth"

#include "sb-auth.h"

#include <glib/gi18n-lib.h>
#include <polkit/polkit.h>

#include "sb-error.h"

typedef struct {
  char                  *action_id;
  PolkitSubject         *subject;
  PolkitCheckAuthorizationFlags flags;
} Check;

static void
check_free (Check *c)
{
  g_free (c->action_id);
  g_clear_object (&c->subject);
  g_free (c);
}

static void
refuse (GTask *task, const char *action_id, const char *why)
{
  g_task_return_new_error (task, SB_ERROR, SB_ERROR_NOT_AUTHORIZED,
                           _("Not authorized to %s: %s"),
                           g_str_equal (action_id, "org.simbudget.override") ?
                             _("allow more data") : _("change the recorded usage"),
                           why);
}

static void
checked_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) result = NULL;

  result = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), res, &error);
  if (!result)
    {
      g_message ("polkit check of %s failed: %s", c->action_id, error->message);
      refuse (task, c->action_id, _("the authorization service could not be asked"));
      return;
    }
  if (polkit_authorization_result_get_is_authorized (result))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  refuse (task, c->action_id,
          polkit_authorization_result_get_is_challenge (result) ?
            _("authentication is required") : _("the request was denied"));
}

static void
authority_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthority) authority = polkit_authority_get_finish (res, &error);

  if (!authority)
    {
      g_message ("No polkit authority: %s", error->message);
      refuse (task, c->action_id, _("the authorization service is not available"));
      return;
    }
  polkit_authority_check_authorization (authority, c->subject, c->action_id, NULL,
                                        c->flags, NULL, checked_cb, g_steal_pointer (&task));
}

void
sb_auth_check_async (GDBusMethodInvocation *invocation,
                     const char            *action_id,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Check *c = g_new0 (Check, 1);
  GDBusMessage *msg = g_dbus_method_invocation_get_message (invocation);

  c->action_id = g_strdup (action_id);
  c->subject = polkit_system_bus_name_new (g_dbus_method_invocation_get_sender (invocation));
  if (g_dbus_message_get_flags (msg) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    c->flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
  g_task_set_task_data (task, c, (GDestroyNotify) check_free);
  polkit_authority_get_async (NULL, authority_cb, task);
}

gboolean
sb_auth_check_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
