/* The period window of a plan at a moment: calendar periods in the plan's
 * zone, days:N from its start or first use. See sb_plan_window(). */
#define G_LOG_DOMAIN "sb-plan"

#include "sb-plan.h"

#include "sb-local-day.h"

/* Day @day of the month of @date, clamped to the month's last day. */
static void
set_billing_day (GDate *date, GDateYear year, GDateMonth month, guint day)
{
  guint last = g_date_get_days_in_month (month, year);

  g_date_set_dmy (date, (GDateDay) MIN (day, last), month, year);
}

/* The first date of the calendar period containing @date. */
static void
period_first_date (const SbPlan *plan, const GDate *date, GDate *out)
{
  *out = *date;

  switch (plan->kind)
    {
    case SB_PERIOD_MONTHLY:
      {
        GDateYear y = g_date_get_year (date);
        GDateMonth m = g_date_get_month (date);

        set_billing_day (out, y, m, plan->day);
        if (g_date_compare (out, date) > 0)
          {
            /* Before this month's billing day: the period began last month. */
            if (m == G_DATE_JANUARY)
              set_billing_day (out, y - 1, G_DATE_DECEMBER, plan->day);
            else
              set_billing_day (out, y, m - 1, plan->day);
          }
      }
      break;
    case SB_PERIOD_WEEKLY:
      g_date_subtract_days (out, (g_date_get_weekday (date) - plan->day + 7) % 7);
      break;
    case SB_PERIOD_DAILY:
    case SB_PERIOD_DAYS:
    case SB_PERIOD_NONE:
      break;
    }
}

/* The first date of the calendar period after the one beginning at @first. */
static void
period_next_date (const SbPlan *plan, const GDate *first, GDate *out)
{
  *out = *first;

  switch (plan->kind)
    {
    case SB_PERIOD_MONTHLY:
      {
        GDateYear y = g_date_get_year (first);
        GDateMonth m = g_date_get_month (first);

        /* From the configured day, not from @first: after a short month
         * monthly:31 returns to the 31st. */
        if (m == G_DATE_DECEMBER)
          set_billing_day (out, y + 1, G_DATE_JANUARY, plan->day);
        else
          set_billing_day (out, y, m + 1, plan->day);
      }
      break;
    case SB_PERIOD_WEEKLY:
      g_date_add_days (out, 7);
      break;
    case SB_PERIOD_DAILY:
    case SB_PERIOD_DAYS:
    case SB_PERIOD_NONE:
      g_date_add_days (out, 1);
      break;
    }
}

static void
calendar_window (const SbPlan *plan, gint64 now, gint64 *out_start, gint64 *out_end)
{
  GDate today, first, next;
  gint64 start, end;

  *out_start = *out_end = 0;
  if (!sb_local_date (plan->tz, now, &today))
    return;

  period_first_date (plan, &today, &first);
  period_next_date (plan, &first, &next);
  start = sb_local_midnight (plan->tz, &first);
  end = sb_local_midnight (plan->tz, &next);
  if (start == G_MAXINT64 || end == G_MAXINT64)
    return;

  /* Only a DST change moving a boundary could break start <= now < end;
   * then the neighbouring period is the one containing @now. */
  if (start > now && g_date_get_julian (&first) > 1)
    {
      GDate before = first;

      g_date_subtract_days (&before, 1);
      period_first_date (plan, &before, &first);
      period_next_date (plan, &first, &next);
      start = sb_local_midnight (plan->tz, &first);
      end = sb_local_midnight (plan->tz, &next);
    }
  else if (end <= now)
    {
      first = next;
      period_next_date (plan, &first, &next);
      start = sb_local_midnight (plan->tz, &first);
      end = sb_local_midnight (plan->tz, &next);
    }

  if (start == G_MAXINT64 || end == G_MAXINT64)
    return;
  *out_start = start;
  *out_end = end;
}

/* @start plus @days local days at the same wall time in @tz. If that time
 * does not exist on the last day (a DST gap), GDateTime moves it forward by
 * the gap, e.g. 02:30 becomes 03:00 on a spring-forward night in Berlin; if
 * it exists twice (autumn), GDateTime takes the one with the start's DST
 * state. */
static gint64
add_local_days (GTimeZone *tz, gint64 start, guint days)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) end = NULL;

  if (utc == NULL)
    return 0;
  local = g_date_time_to_timezone (utc, tz);
  if (local == NULL)
    return 0;
  end = g_date_time_add_days (local, (gint) days);
  if (end == NULL)
    return 0;
  return g_date_time_to_unix (end);
}

void
sb_plan_window (const SbPlan *plan,
                gint64        now,
                gint64        first_use,
                gint64       *out_start,
                gint64       *out_end)
{
  gint64 start, end;

  g_return_if_fail (plan != NULL);

  start = plan->start_first_use ? first_use : plan->start;

  switch (plan->kind)
    {
    case SB_PERIOD_MONTHLY:
    case SB_PERIOD_WEEKLY:
    case SB_PERIOD_DAILY:
      /* A start does not move calendar periods. */
      calendar_window (plan, now, &start, &end);
      break;
    case SB_PERIOD_DAYS:
      /* An explicit start still in the future gives its window anyway;
       * what usage before it means is the caller's decision. */
      if (plan->start_first_use && first_use == 0)
        start = end = 0;
      else
        {
          end = add_local_days (plan->tz, start, plan->day);
          if (end == 0)
            start = 0;
        }
      break;
    case SB_PERIOD_NONE:
    default:
      end = 0;
      break;
    }

  if (out_start != NULL)
    *out_start = start;
  if (out_end != NULL)
    *out_end = end;
}

gboolean
sb_plan_expired (const SbPlan *plan, gint64 now, gint64 first_use)
{
  gint64 start, end;

  g_return_val_if_fail (plan != NULL, FALSE);

  if (plan->kind != SB_PERIOD_DAYS)
    return FALSE;
  sb_plan_window (plan, now, first_use, &start, &end);
  return end != 0 && end <= now;
}
