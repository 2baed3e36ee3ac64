/* What the notifications say, for people. */
#define G_LOG_DOMAIN "sb-notify-text"

#include "config.h"

#include "sb-notify-text.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-units.h"

#define ICON_USAGE   "network-cellular-symbolic"
#define ICON_WARNING "dialog-warning-symbolic"

/* Characters of the ICCID shown when nothing better names the profile. */
#define ICCID_TAIL 4

typedef enum {
  PERIOD_NONE,       /* never resets, or no end known */
  PERIOD_RECURRING,  /* monthly, weekly, daily: usage resets at the end */
  PERIOD_VALIDITY,   /* days:N: the plan itself ends */
} PeriodKind;

static gboolean
is_empty (const char *text)
{
  return text == NULL || text[0] == '\0';
}

static PeriodKind
period_kind (const SbNotifyProfile *profile)
{
  if (profile->period_end == 0 || is_empty (profile->period) ||
      strcmp (profile->period, "none") == 0)
    return PERIOD_NONE;
  if (g_str_has_prefix (profile->period, "days:"))
    return PERIOD_VALIDITY;
  return PERIOD_RECURRING;
}

char *
sb_notify_profile_name (const SbNotifyProfile *profile)
{
  gboolean esim = g_strcmp0 (profile->sim_type, "esim") == 0;
  gboolean physical = g_strcmp0 (profile->sim_type, "physical") == 0;
  const char *iccid = profile->iccid != NULL ? profile->iccid : "";
  size_t len = strlen (iccid);
  const char *tail = iccid + (len > ICCID_TAIL ? len - ICCID_TAIL : 0);

  if (!is_empty (profile->connection_id))
    return g_strdup (profile->connection_id);

  if (!is_empty (profile->operator_name))
    {
      if (esim)
        /* Translators: an eSIM profile named by its operator, "Rakuten eSIM". */
        return g_strdup_printf (_("%s eSIM"), profile->operator_name);
      if (physical)
        /* Translators: a SIM card named by its operator, "Vodafone SIM". */
        return g_strdup_printf (_("%s SIM"), profile->operator_name);
      return g_strdup (profile->operator_name);
    }

  if (esim)
    /* Translators: an eSIM profile named by the last digits of its ICCID. */
    return g_strdup_printf (_("eSIM …%s"), tail);
  /* Translators: a SIM named by the last digits of its ICCID. */
  return g_strdup_printf (_("SIM …%s"), tail);
}

static GTimeZone *
zone_or_local (const char *zone)
{
  GTimeZone *tz = NULL;

  if (!is_empty (zone))
    tz = g_time_zone_new_identifier (zone);
  return tz != NULL ? tz : g_time_zone_new_local ();
}

char *
sb_notify_format_time (gint64 when, const char *zone)
{
  g_autoptr(GTimeZone) tz = zone_or_local (zone);
  g_autoptr(GTimeZone) local_tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) there = NULL;
  g_autoptr(GDateTime) here = NULL;
  g_autofree char *text = NULL;
  g_autofree char *abbreviation = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  there = g_date_time_to_timezone (utc, tz);
  here = g_date_time_to_timezone (utc, local_tz);

  /* Translators: when a period resets or a plan ends, in the
   * g_date_time_format() syntax; "%-d %b at %H:%M" gives "2 Dec at 00:00".
   * Month names come from the system's locale (LC_TIME), which may differ
   * from the language of these messages: a numeric month is safest. */
  /* xgettext:no-c-format */
  text = g_date_time_format (there, _("%-d %b at %H:%M"));
  if (text == NULL)
    text = g_date_time_format (there, "%Y-%m-%d %H:%M");

  if (g_date_time_get_utc_offset (there) == g_date_time_get_utc_offset (here))
    return g_steal_pointer (&text);
  abbreviation = g_date_time_format (there, "%Z");
  return g_strdup_printf ("%s %s", text, abbreviation);
}

SbNotification *
sb_notify_threshold_new (const SbNotifyProfile *profile,
                         guint                  percent,
                         guint64                used,
                         guint64                limit)
{
  g_autofree char *name = sb_notify_profile_name (profile);
  g_autofree char *used_text = sb_size_format (used, TRUE);
  g_autofree char *limit_text = sb_size_format (limit, TRUE);
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  g_autofree char *when = NULL;

  /* Translators: the title of a warning; %u is the percentage of the
   * budget that is used ("Mobile data: 80% used"). */
  summary = g_strdup_printf (_("Mobile data: %u%% used"), percent);

  switch (period_kind (profile))
    {
    case PERIOD_RECURRING:
      when = sb_notify_format_time (profile->period_end, profile->time_zone);
      /* Translators: profile name, used, budget, date:
       * "Japan Travel: 4 GB of 5 GB used. Resets on 2 Dec at 00:00." */
      body = g_strdup_printf (_("%s: %s of %s used. Resets on %s."),
                              name, used_text, limit_text, when);
      break;
    case PERIOD_VALIDITY:
      when = sb_notify_format_time (profile->period_end, profile->time_zone);
      /* Translators: profile name, used, budget, the date the plan ends:
       * "Japan Travel: 4 GB of 5 GB used. Valid until 2 Dec at 00:00." */
      body = g_strdup_printf (_("%s: %s of %s used. Valid until %s."),
                              name, used_text, limit_text, when);
      break;
    case PERIOD_NONE:
    default:
      /* Translators: profile name, used, budget: "Home: 4 GB of 5 GB used." */
      body = g_strdup_printf (_("%s: %s of %s used."), name, used_text, limit_text);
      break;
    }

  return sb_notification_new (SB_URGENCY_NORMAL, ICON_USAGE, "network", summary, body);
}

static char *
exhausted_body (const SbNotifyProfile *profile,
                const char            *name,
                gboolean               cut)
{
  g_autofree char *limit_text = sb_size_format (profile->limit, TRUE);
  g_autofree char *when = NULL;

  if (!cut)
    /* Translators: profile name, budget: "Home has used its 5 GB budget." */
    return g_strdup_printf (_("%s has used its %s budget."), name, limit_text);

  if (period_kind (profile) != PERIOD_RECURRING)
    /* Translators: profile name, budget. */
    return g_strdup_printf (_("%s has used its %s budget; the connection was turned off."),
                            name, limit_text);

  when = sb_notify_format_time (profile->period_end, profile->time_zone);
  /* Translators: profile name, budget, when the period resets: "Home has
   * used its 5 GB budget; the connection was turned off until 1 Dec at
   * 00:00." */
  return g_strdup_printf (_("%s has used its %s budget; the connection was turned off until %s."),
                          name, limit_text, when);
}

static char *
expired_body (const SbNotifyProfile *profile,
              const char            *name,
              gboolean               cut)
{
  g_autofree char *when = NULL;

  if (profile->period_end == 0)
    {
      if (cut)
        /* Translators: profile name. */
        return g_strdup_printf (_("The %s plan has ended; the connection was turned off."), name);
      /* Translators: profile name. */
      return g_strdup_printf (_("The %s plan has ended."), name);
    }

  when = sb_notify_format_time (profile->period_end, profile->time_zone);
  if (cut)
    /* Translators: profile name, date: "The Japan Travel plan ended on 2 Dec
     * at 00:00; the connection was turned off." */
    return g_strdup_printf (_("The %s plan ended on %s; the connection was turned off."),
                            name, when);
  /* Translators: profile name, date. */
  return g_strdup_printf (_("The %s plan ended on %s."), name, when);
}

/* The label of the second action: what "no cut-off until the period
 * ends" (Override 0) means for this plan. */
static const char *
allow_period_label (const SbNotifyProfile *profile, gboolean expired)
{
  if (expired)
    return _("Allow without a limit");
  switch (period_kind (profile))
    {
    case PERIOD_RECURRING:
      return _("Allow until the period ends");
    case PERIOD_VALIDITY:
      return _("Allow until the plan ends");
    case PERIOD_NONE:
    default:
      return _("Allow without a limit");
    }
}

SbNotification *
sb_notify_exhausted_new (const SbNotifyProfile *profile,
                         gboolean               expired,
                         gboolean               cut)
{
  g_autofree char *name = sb_notify_profile_name (profile);
  g_autofree char *body = NULL;
  g_autofree char *more = NULL;
  g_autofree char *more_label = NULL;
  const char *summary;
  SbNotification *notification;

  if (expired)
    {
      summary = _("Mobile data plan ended");
      body = expired_body (profile, name, cut);
    }
  else
    {
      summary = cut ? _("Mobile data stopped") : _("Mobile data budget used up");
      body = exhausted_body (profile, name, cut);
    }

  notification = sb_notification_new (SB_URGENCY_CRITICAL, ICON_WARNING,
                                      cut ? "network.disconnected" : "network",
                                      summary, body);
  if (cut)
    {
      more = sb_size_format (SB_NOTIFY_MORE_BYTES, TRUE);
      /* Translators: a button; %s is a size, "Allow 500 MB more". */
      more_label = g_strdup_printf (_("Allow %s more"), more);
      sb_notification_add_action (notification, SB_NOTIFY_ACTION_ALLOW_MORE, more_label);
      sb_notification_add_action (notification, SB_NOTIFY_ACTION_ALLOW_PERIOD,
                                  allow_period_label (profile, expired));
    }
  return notification;
}

SbNotification *
sb_notify_refused_new (const SbNotifyProfile *profile,
                       const char            *reason)
{
  g_autofree char *name = sb_notify_profile_name (profile);
  g_autofree char *body = NULL;

  if (reason == NULL)
    /* Translators: profile name; polkit refused, or the password prompt
     * was cancelled. */
    body = g_strdup_printf (_("%s stays turned off: permission to allow more data was refused."),
                            name);
  else
    /* Translators: profile name, then why allowing more data failed. */
    body = g_strdup_printf (_("%s stays turned off: %s"), name, reason);

  return sb_notification_new (SB_URGENCY_NORMAL, ICON_WARNING, "network.error",
                              _("More data was not allowed"), body);
}
