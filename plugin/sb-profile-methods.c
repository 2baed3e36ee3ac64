/* The Profile interface's methods: GetHistory at once; Override, SetUsed
 * and Forget once polkit has authorised the caller. */
#define G_LOG_DOMAIN "sb-profile"

#include "sb-profile-private.h"

#include <glib/gi18n-lib.h>

#include "sb-auth.h"
#include "sb-error.h"

/* SetUsed beyond this is a typo, not a carrier's figure (1 EB). */
#define MAX_PLAUSIBLE_USAGE G_GUINT64_CONSTANT (1000000000000000000)

static gboolean
handle_get_history (SbSimBudget1Profile   *iface,
                    GDBusMethodInvocation *invocation,
                    const char            *granularity_str,
                    gint64                 from,
                    gint64                 to)
{
  SbProfile *self = SB_PROFILE (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbHistoryAggregator) history = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_ref (sb_profile_get_plan (self)->tz);
  SbGranularity gran;

  if (!sb_granularity_from_string (granularity_str, &gran, &error))
    goto fail;
  /* Validates the range and its size before touching the database. */
  history = sb_history_aggregator_new (gran, tz, from, to, &error);
  if (!history)
    goto fail;

  if (from < to && !sb_profile_fill_history (self, history, from, to, &error))
    {
      g_dbus_method_invocation_return_error (invocation, SB_ERROR, SB_ERROR_FAILED,
                                             _("Cannot read the history: %s"),
                                             error->message);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  rows = sb_history_aggregator_finish (g_steal_pointer (&history));

  /* SbHistoryRow is laid out as (xtt): the reply is the rows as they are. */
  sb_sim_budget1_profile_complete_get_history (iface, invocation,
                                               g_variant_new_fixed_array (G_VARIANT_TYPE ("(xtt)"),
                                                                          rows->data, rows->len,
                                                                          sizeof (SbHistoryRow)));
  return G_DBUS_METHOD_INVOCATION_HANDLED;

fail:
  g_dbus_method_invocation_return_gerror (invocation, error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef enum { CALL_OVERRIDE, CALL_SET_USED, CALL_FORGET } CallKind;

typedef struct {
  SbProfile             *self;       /* (owned) */
  GDBusMethodInvocation *invocation; /* (owned) completing it consumes it */
  CallKind               kind;
  guint64                value;
} Call;

static void
authorized_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Call *c = user_data;
  g_autoptr(GError) error = NULL;
  SbSimBudget1Profile *iface = SB_SIM_BUDGET1_PROFILE (c->self);

  if (!sb_auth_check_finish (res, &error))
    g_dbus_method_invocation_return_gerror (g_steal_pointer (&c->invocation), error);
  else
    {
      switch (c->kind)
        {
        case CALL_OVERRIDE:
          sb_profile_override (c->self, c->value);
          sb_sim_budget1_profile_complete_override (iface, g_steal_pointer (&c->invocation));
          break;
        case CALL_SET_USED:
          sb_profile_set_used (c->self, c->value);
          sb_sim_budget1_profile_complete_set_used (iface, g_steal_pointer (&c->invocation));
          break;
        case CALL_FORGET:
          sb_profile_forget (c->self);
          sb_sim_budget1_profile_complete_forget (iface, g_steal_pointer (&c->invocation));
          break;
        }
    }
  g_object_unref (c->self);
  g_free (c);
}

static void
authorize (SbProfile *self, GDBusMethodInvocation *invocation, CallKind kind, guint64 value)
{
  Call *c = g_new0 (Call, 1);

  c->self = g_object_ref (self);
  c->invocation = invocation;
  c->kind = kind;
  c->value = value;
  sb_auth_check_async (invocation, kind == CALL_OVERRIDE ? SB_ACTION_OVERRIDE : SB_ACTION_MANAGE,
                       authorized_cb, c);
}

static gboolean
handle_override (SbSimBudget1Profile *iface, GDBusMethodInvocation *invocation, guint64 extra)
{
  authorize (SB_PROFILE (iface), invocation, CALL_OVERRIDE, extra);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_used (SbSimBudget1Profile *iface, GDBusMethodInvocation *invocation, guint64 used)
{
  if (used > MAX_PLAUSIBLE_USAGE)
    {
      g_autofree char *figure = g_strdup_printf ("%" G_GUINT64_FORMAT, used);
      g_dbus_method_invocation_return_error (invocation, SB_ERROR, SB_ERROR_INVALID_ARGS,
                                             _("%s bytes is not a plausible usage figure "
                                               "(more than 1 EB); give the carrier's figure in bytes"),
                                             figure);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (SB_PROFILE (iface), invocation, CALL_SET_USED, used);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_forget (SbSimBudget1Profile *iface, GDBusMethodInvocation *invocation)
{
  authorize (SB_PROFILE (iface), invocation, CALL_FORGET, 0);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
sb_profile_methods_iface_init (SbSimBudget1ProfileIface *iface)
{
  iface->handle_get_history = handle_get_history;
  iface->handle_override = handle_override;
  iface->handle_set_used = handle_set_used;
  iface->handle_forget = handle_forget;
}
