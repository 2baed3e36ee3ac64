/*
 * Budget plans: NetworkManager user-data strings to a validated plan, and a
 * plan plus a time to the period window in the plan's time zone. Pure logic.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SB_KEY_LIMIT    "simbudget.limit"
#define SB_KEY_PERIOD   "simbudget.period"
#define SB_KEY_START    "simbudget.start"
#define SB_KEY_TIMEZONE "simbudget.timezone"
#define SB_KEY_WARN     "simbudget.warn"
#define SB_KEY_ACTION   "simbudget.action"

typedef enum {
  SB_PERIOD_MONTHLY,  /* day = billing day 1..31, clamped to the month's end */
  SB_PERIOD_WEEKLY,   /* day = 1 (Monday) .. 7 (Sunday) */
  SB_PERIOD_DAILY,
  SB_PERIOD_DAYS,     /* day = N, validity of N days from the start */
  SB_PERIOD_NONE,     /* never resets */
} SbPeriodKind;

typedef enum {
  SB_ACTION_DISCONNECT,
  SB_ACTION_WARN,
} SbAction;

typedef struct {
  guint64       limit;           /* bytes, 0 = no budget */
  SbPeriodKind  kind;
  guint         day;
  gboolean      start_first_use; /* TRUE: "first-use" */
  gint64        start;           /* explicit start (Unix time) when !start_first_use */
  char         *timezone;        /* IANA id as configured, NULL = the system's */
  GTimeZone    *tz;              /* (owned) resolved zone */
  GArray       *warn;            /* (owned) guint percents, sorted */
  SbAction      action;
} SbPlan;

/* The plan of a profile without any simbudget.* keys: no limit, monthly:1,
 * first-use, system zone, warn 80,95, disconnect. */
SbPlan  *sb_plan_new_default (void);
SbPlan  *sb_plan_copy (const SbPlan *plan);
void     sb_plan_free (SbPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbPlan, sb_plan_free)

/*
 * Builds a plan from @user_data (key → value strings; keys other than
 * simbudget.* are ignored; missing keys take their defaults). Every value
 * is validated; nothing is guessed. On error returns NULL and sets
 * SB_ERROR_INVALID_ARGS whose message names the key and the value and says
 * what is accepted, e.g.
 *   "simbudget.period: “fortnightly” is not a period (monthly, monthly:DAY,
 *    weekly, weekly:mon…sun, daily, days:N, none)".
 * Whitespace around values is ignored; key names are case-sensitive.
 */
SbPlan  *sb_plan_parse (GHashTable *user_data, GError **error);

/* Validates a single key/value pair as sb_plan_parse would (for the CLI). */
gboolean sb_plan_check_value (const char *key, const char *value, GError **error);

/* Normalised period: "monthly:15", "weekly:mon", "daily", "days:8", "none". */
char    *sb_plan_period_to_string (const SbPlan *plan);
/* A plan without a zone of its own follows the system's: re-read it
 * (after /etc/localtime changed). */
void     sb_plan_refresh_system_zone (SbPlan *plan);
/* IANA id of the plan's zone (the system's resolved id when unset). */
const char *sb_plan_timezone_id (const SbPlan *plan);
const char *sb_action_to_string (SbAction action);
gboolean sb_plan_equal (const SbPlan *a, const SbPlan *b);

/*
 * The period window containing @now. @first_use is the recorded moment of
 * first use for first-use plans (0 = none yet).
 *  - monthly/weekly/daily: the calendar window containing @now.
 *  - days:N: [start, start + N local days). Before a first use: 0, 0.
 *    After the validity has ended the window is still that one (end <= now:
 *    the plan has expired).
 *  - none: [start or first use or 0, 0).
 * Boundaries are local midnights (or the start's local time for days:N) in
 * the plan's zone, correct across DST changes and month ends.
 */
void     sb_plan_window (const SbPlan *plan, gint64 now, gint64 first_use,
                         gint64 *out_start, gint64 *out_end);

/* TRUE when a days:N plan's validity has ended at @now. */
gboolean sb_plan_expired (const SbPlan *plan, gint64 now, gint64 first_use);

G_END_DECLS
