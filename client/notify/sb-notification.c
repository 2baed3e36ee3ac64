/* One desktop notification and its Notify parameters. */
#define G_LOG_DOMAIN "sb-notification"

#include "config.h"

#include "sb-notification.h"

#include <glib/gi18n.h>
#include <string.h>

/* The installed XDG autostart entry, which servers use for the app's
 * name, icon and per-app settings. */
#define DESKTOP_ENTRY "simbudget-notify"

SbNotification *
sb_notification_new (SbUrgency   urgency,
                     const char *icon,
                     const char *category,
                     const char *summary,
                     const char *body)
{
  SbNotification *notification = g_new0 (SbNotification, 1);

  notification->urgency = urgency;
  notification->icon = g_strdup (icon);
  notification->category = g_strdup (category);
  notification->summary = g_strdup (summary);
  notification->body = g_strdup (body);
  notification->actions = g_ptr_array_new_with_free_func (g_free);
  return notification;
}

void
sb_notification_free (SbNotification *notification)
{
  if (notification == NULL)
    return;
  g_free (notification->summary);
  g_free (notification->body);
  g_free (notification->icon);
  g_free (notification->category);
  g_ptr_array_unref (notification->actions);
  g_free (notification->memo);
  g_free (notification);
}

void
sb_notification_add_action (SbNotification *notification,
                            const char     *key,
                            const char     *label)
{
  g_ptr_array_add (notification->actions, g_strdup (key));
  g_ptr_array_add (notification->actions, g_strdup (label));
}

gboolean
sb_notification_has_action (const SbNotification *notification,
                            const char           *key)
{
  for (guint i = 0; i + 1 < notification->actions->len; i += 2)
    {
      if (strcmp (g_ptr_array_index (notification->actions, i), key) == 0)
        return TRUE;
    }
  return FALSE;
}

void
sb_notification_set_memo (SbNotification *notification,
                          const char     *memo,
                          gint64          period)
{
  g_free (notification->memo);
  notification->memo = g_strdup (memo);
  notification->memo_period = period;
}

gboolean
sb_notification_memo_equal (const SbNotification *notification,
                            const char           *memo,
                            gint64                period)
{
  return notification->memo != NULL &&
         notification->memo_period == period &&
         g_strcmp0 (notification->memo, memo) == 0;
}

GVariant *
sb_notification_to_parameters (const SbNotification *notification,
                               guint32               replaces_id)
{
  GVariantBuilder actions;
  GVariantBuilder hints;
  gboolean critical = notification->urgency == SB_URGENCY_CRITICAL;

  g_variant_builder_init (&actions, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < notification->actions->len; i++)
    g_variant_builder_add (&actions, "s", g_ptr_array_index (notification->actions, i));

  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "urgency",
                         g_variant_new_byte ((guchar) notification->urgency));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry",
                         g_variant_new_string (DESKTOP_ENTRY));
  if (notification->category != NULL)
    g_variant_builder_add (&hints, "{sv}", "category",
                           g_variant_new_string (notification->category));
  /* Once an action was chosen the notification has done its job. */
  g_variant_builder_add (&hints, "{sv}", "resident", g_variant_new_boolean (FALSE));

  return g_variant_new ("(susssasa{sv}i)",
                        /* Translators: the application name some
                         * notification servers show with each notification. */
                        _("Mobile Data Budget"),
                        replaces_id,
                        notification->icon != NULL ? notification->icon : "",
                        notification->summary,
                        notification->body != NULL ? notification->body : "",
                        &actions,
                        &hints,
                        critical ? 0 : -1);
}
