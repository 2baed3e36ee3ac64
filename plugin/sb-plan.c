#define G_LOG_DOMAIN "sb-plan"

#include "sb-plan.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sb-error.h"
#include "sb-units.h"

#define KEY_PREFIX         "simbudget."
#define SHOWN_VALUE_MAX    64    /* characters of a value quoted in a message */
#define TZ_ID_MAX          128
#define MONTHLY_DAY_MAX    31
#define DAYS_MAX           3650
#define START_YEAR_MIN     2000
#define START_YEAR_MAX     2200
#define OFFSET_MIN         (-12 * 3600)
#define OFFSET_MAX         (14 * 3600)

static const char *const weekday_short[] = {
  "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};
static const char *const weekday_long[] = {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* ---- Messages ---- */

/* The value as it may appear in a message: at most SHOWN_VALUE_MAX
 * characters, with invalid UTF-8 and non-printable characters escaped, so
 * the message is always valid UTF-8 and of bounded length. */
static char *
shown_value (const char *value)
{
  GString *s = g_string_new (NULL);
  const char *p = value;
  guint n;

  for (n = 0; *p != '\0'; n++)
    {
      gunichar c;

      if (n == SHOWN_VALUE_MAX)
        {
          g_string_append (s, "…");
          break;
        }

      c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (s, "\\x%02X", (guint) (guchar) *p);
          p++;
          continue;
        }

      if (g_unichar_isprint (c))
        g_string_append_len (s, p, g_utf8_next_char (p) - p);
      else if (c < 0x80)
        g_string_append_printf (s, "\\x%02X", (guint) c);
      else
        g_string_append_printf (s, "\\u%04X", (guint) c);
      p = g_utf8_next_char (p);
    }

  return g_string_free (s, FALSE);
}

/* A parser's own message is passed on only when it can quote the value
 * verbatim; otherwise ours, which quotes it safely, is used. */
static gboolean
value_is_shown_verbatim (const char *value)
{
  g_autofree char *shown = shown_value (value);

  return strcmp (shown, value) == 0;
}

/* ---- Small parsers ---- */

/* Decimal digits only (no sign, no spaces); FALSE when not a number or
 * larger than @max. */
static gboolean
parse_uint (const char *text, guint max, guint *out)
{
  guint64 v = 0;
  const char *p;

  if (*text == '\0')
    return FALSE;
  for (p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
      if (v > max)
        return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
is_none (const char *value)
{
  return g_ascii_strcasecmp (value, "none") == 0;
}

/* ---- simbudget.limit ---- */

static gboolean
apply_limit (SbPlan *plan, const char *key, const char *value, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 bytes;

  if (is_none (value))
    {
      plan->limit = 0;
      return TRUE;
    }

  if (!sb_size_parse (value, &bytes, &local_error))
    {
      if (value_is_shown_verbatim (value))
        g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                     _("%s: %s (or 0 or none for no budget)"),
                     key, local_error->message);
      else
        {
          g_autofree char *shown = shown_value (value);

          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s” is not a size (accepted: a size such as 5GB, "
                         "5GiB, 500MB or 1.5G; 0 or none for no budget)"),
                       key, shown);
        }
      return FALSE;
    }

  plan->limit = bytes;
  return TRUE;
}

/* ---- simbudget.period ---- */

static gboolean
parse_weekday (const char *text, guint *out_day)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (weekday_short); i++)
    {
      if (g_ascii_strcasecmp (text, weekday_short[i]) == 0 ||
          g_ascii_strcasecmp (text, weekday_long[i]) == 0)
        {
          *out_day = i + 1;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
apply_period (SbPlan *plan, const char *key, const char *value, GError **error)
{
  g_autofree char *shown = shown_value (value);
  g_auto(GStrv) parts = g_strsplit (value, ":", 2);
  const char *kind = parts[0];
  const char *arg = parts[1];   /* NULL when there is no ':' */

  if (g_ascii_strcasecmp (kind, "monthly") == 0)
    {
      guint day = 1;

      if (arg != NULL && !parse_uint (arg, MONTHLY_DAY_MAX, &day))
        day = 0;
      if (day == 0)
        {
          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s”: the billing day must be a number from 1 to 31 "
                         "(monthly:DAY; a short month ends the period on its last day)"),
                       key, shown);
          return FALSE;
        }
      plan->kind = SB_PERIOD_MONTHLY;
      plan->day = day;
      return TRUE;
    }

  if (g_ascii_strcasecmp (kind, "weekly") == 0)
    {
      guint day = 1;   /* weekly alone means Monday */

      if (arg != NULL && !parse_weekday (arg, &day))
        {
          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s”: the day must be one of mon, tue, wed, thu, fri, "
                         "sat, sun (or the full English name)"),
                       key, shown);
          return FALSE;
        }
      plan->kind = SB_PERIOD_WEEKLY;
      plan->day = day;
      return TRUE;
    }

  if (g_ascii_strcasecmp (kind, "days") == 0)
    {
      guint days = 0;

      if (arg == NULL || !parse_uint (arg, DAYS_MAX, &days) || days == 0)
        {
          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s”: the number of days must be a whole number from 1 "
                         "to %u (days:N)"),
                       key, shown, (guint) DAYS_MAX);
          return FALSE;
        }
      plan->kind = SB_PERIOD_DAYS;
      plan->day = days;
      return TRUE;
    }

  if (arg == NULL && g_ascii_strcasecmp (kind, "daily") == 0)
    {
      plan->kind = SB_PERIOD_DAILY;
      plan->day = 0;
      return TRUE;
    }

  if (arg == NULL && is_none (kind))
    {
      plan->kind = SB_PERIOD_NONE;
      plan->day = 0;
      return TRUE;
    }

  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
               _("%s: “%s” is not a period (monthly, monthly:DAY, weekly, "
                 "weekly:mon…sun, daily, days:N, none)"),
               key, shown);
  return FALSE;
}

/* ---- simbudget.timezone ---- */

/* IANA ids: components of [A-Za-z0-9_+-] separated by single slashes. This
 * also keeps the id from naming a file outside the zoneinfo directory. */
static gboolean
tz_id_well_formed (const char *id)
{
  const char *p;

  if (*id == '\0' || *id == '/' || strlen (id) > TZ_ID_MAX ||
      strstr (id, "..") != NULL || strstr (id, "//") != NULL ||
      g_str_has_suffix (id, "/"))
    return FALSE;

  for (p = id; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '+' && *p != '-' && *p != '/')
        return FALSE;
    }
  return TRUE;
}

static const char *
zoneinfo_dir (void)
{
  /* The directory GLib itself loads zones from. */
  const char *dir = g_getenv ("TZDIR");

  return dir != NULL && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

/* GTimeZone falls back to UTC, or reads the id as a POSIX TZ rule ("JST-9"),
 * when no such zone exists: only a compiled zone file counts. */
static gboolean
tz_file_exists (const char *id)
{
  g_autofree char *path = g_build_filename (zoneinfo_dir (), id, NULL);
  char magic[4];
  FILE *f;
  gboolean ok;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;

  f = fopen (path, "rbe");
  if (f == NULL)
    return FALSE;
  ok = fread (magic, 1, sizeof magic, f) == sizeof magic &&
       memcmp (magic, "TZif", sizeof magic) == 0;
  fclose (f);
  return ok;
}

static GTimeZone *
tz_new_checked (const char *id)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (strcmp (id, "UTC") == 0)
    return g_time_zone_new_utc ();

  if (!tz_id_well_formed (id) || !tz_file_exists (id))
    return NULL;

  tz = g_time_zone_new_identifier (id);
  if (tz == NULL || g_strcmp0 (g_time_zone_get_identifier (tz), id) != 0)
    return NULL;
  return g_steal_pointer (&tz);
}

static gboolean
apply_timezone (SbPlan *plan, const char *key, const char *value, GError **error)
{
  GTimeZone *tz = tz_new_checked (value);

  if (tz == NULL)
    {
      g_autofree char *shown = shown_value (value);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: “%s” is not a known time zone (accepted: an IANA time "
                     "zone such as Asia/Tokyo or Europe/Berlin, or UTC)"),
                   key, shown);
      return FALSE;
    }

  g_clear_pointer (&plan->tz, g_time_zone_unref);
  plan->tz = tz;
  g_free (plan->timezone);
  plan->timezone = g_strdup (value);
  return TRUE;
}

/* ---- simbudget.start ---- */

/* "YYYY-MM-DD" */
static gboolean
parse_date_only (const char *text, guint *y, guint *m, guint *d)
{
  char buf[5];

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;

  memcpy (buf, text, 4);
  buf[4] = '\0';
  if (!parse_uint (buf, 9999, y))
    return FALSE;
  memcpy (buf, text + 5, 2);
  buf[2] = '\0';
  if (!parse_uint (buf, 12, m))
    return FALSE;
  memcpy (buf, text + 8, 2);
  if (!parse_uint (buf, 31, d))
    return FALSE;

  return *y >= 1 && *m >= 1 && *d >= 1 &&
         g_date_valid_dmy ((GDateDay) *d, (GDateMonth) *m, (GDateYear) *y);
}

/* GLib 2.74 wants seconds; people write "2026-11-20 09:00". "hh:mm" right
 * after the date gets ":00"; everything else (a 'T' or a space between date
 * and time, offsets) is left for g_date_time_new_from_iso8601 to judge. */
static char *
iso8601_for_glib (const char *text)
{
  GString *s = g_string_new (text);
  const char *sep = strpbrk (s->str, "Tt ");
  const char *t;

  if (sep == NULL)
    return g_string_free (s, FALSE);

  t = sep + 1;
  if (g_ascii_isdigit (t[0]) && g_ascii_isdigit (t[1]) && t[2] == ':' &&
      g_ascii_isdigit (t[3]) && g_ascii_isdigit (t[4]) &&
      (t[5] == '\0' || t[5] == 'Z' || t[5] == '+' || t[5] == '-'))
    g_string_insert (s, (t + 5) - s->str, ":00");

  return g_string_free (s, FALSE);
}

static gboolean
parse_start (const char  *key,
             const char  *value,
             GTimeZone   *tz,
             gboolean    *out_first_use,
             gint64      *out_start,
             GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *shown = NULL;
  guint y, m, d;

  if (g_ascii_strcasecmp (value, "first-use") == 0)
    {
      *out_first_use = TRUE;
      *out_start = 0;
      return TRUE;
    }

  if (parse_date_only (value, &y, &m, &d))
    {
      if (y >= START_YEAR_MIN && y <= START_YEAR_MAX)
        /* Midnight may not exist on a DST day; GDateTime then moves it
         * forward to the first moment of the day. */
        dt = g_date_time_new (tz, (int) y, (int) m, (int) d, 0, 0, 0);
    }
  else
    {
      g_autofree char *iso = iso8601_for_glib (value);

      dt = g_date_time_new_from_iso8601 (iso, tz);
      if (dt == NULL)
        {
          shown = shown_value (value);
          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s” is not a start (accepted: first-use, or an ISO 8601 "
                         "date or date-time such as 2026-11-20, 2026-11-20T09:00 or "
                         "2026-11-20T09:00:00+09:00)"),
                       key, shown);
          return FALSE;
        }
      y = (guint) MAX (g_date_time_get_year (dt), 0);
    }

  shown = shown_value (value);
  if (y < START_YEAR_MIN || y > START_YEAR_MAX)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: “%s”: the year must be from %d to %d"),
                   key, shown, START_YEAR_MIN, START_YEAR_MAX);
      return FALSE;
    }
  if (dt == NULL)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: “%s” is not a time in the plan’s time zone"), key, shown);
      return FALSE;
    }
  if (g_date_time_get_utc_offset (dt) < (GTimeSpan) OFFSET_MIN * G_TIME_SPAN_SECOND ||
      g_date_time_get_utc_offset (dt) > (GTimeSpan) OFFSET_MAX * G_TIME_SPAN_SECOND)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: “%s”: the UTC offset must be from -12:00 to +14:00"),
                   key, shown);
      return FALSE;
    }

  *out_first_use = FALSE;
  *out_start = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
apply_start (SbPlan *plan, const char *key, const char *value, GError **error)
{
  return parse_start (key, value, plan->tz, &plan->start_first_use, &plan->start, error);
}

/* ---- simbudget.warn ---- */

static gboolean
apply_warn (SbPlan *plan, const char *key, const char *value, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GArray *warn;

  if (is_none (value))
    warn = g_array_new (FALSE, FALSE, sizeof (guint));
  else
    warn = sb_percent_list_parse (value, &local_error);

  if (warn == NULL)
    {
      if (value_is_shown_verbatim (value))
        g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                     _("%s: %s (or none for no warnings)"),
                     key, local_error->message);
      else
        {
          g_autofree char *shown = shown_value (value);

          g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                       _("%s: “%s” is not a list of percentages (accepted: whole "
                         "numbers from 1 to 100 such as 80,95, or none)"),
                       key, shown);
        }
      return FALSE;
    }

  g_clear_pointer (&plan->warn, g_array_unref);
  plan->warn = warn;
  return TRUE;
}

/* ---- simbudget.action ---- */

static gboolean
apply_action (SbPlan *plan, const char *key, const char *value, GError **error)
{
  if (g_ascii_strcasecmp (value, "disconnect") == 0)
    plan->action = SB_ACTION_DISCONNECT;
  else if (g_ascii_strcasecmp (value, "warn") == 0)
    plan->action = SB_ACTION_WARN;
  else
    {
      g_autofree char *shown = shown_value (value);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: “%s” is not an action (accepted: disconnect, warn)"),
                   key, shown);
      return FALSE;
    }
  return TRUE;
}

/* ---- Keys ---- */

typedef gboolean (*ApplyFunc) (SbPlan *plan, const char *key, const char *value,
                               GError **error);

typedef struct {
  const char *key;
  ApplyFunc   apply;
  const char *accepted;   /* for an empty value */
} PlanKey;

static const PlanKey plan_keys[] = {
  /* The zone first: a start without an offset is read in it. */
  { SB_KEY_TIMEZONE, apply_timezone,
    N_("an IANA time zone such as Asia/Tokyo, or UTC") },
  { SB_KEY_LIMIT, apply_limit,
    N_("a size such as 5GB, 5GiB, 500MB or 1.5G; 0 or none for no budget") },
  { SB_KEY_PERIOD, apply_period,
    N_("monthly, monthly:DAY, weekly, weekly:mon…sun, daily, days:N, none") },
  { SB_KEY_START, apply_start,
    N_("first-use, or an ISO 8601 date or date-time such as 2026-11-20 or 2026-11-20T09:00") },
  { SB_KEY_WARN, apply_warn,
    N_("percentages such as 80,95, or none") },
  { SB_KEY_ACTION, apply_action,
    N_("disconnect, warn") },
};

static const PlanKey *
find_key (const char *key)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (plan_keys); i++)
    {
      if (strcmp (plan_keys[i].key, key) == 0)
        return &plan_keys[i];
    }
  return NULL;
}

/* A misspelt key must not silently leave a budget unapplied. */
static void
set_unknown_key_error (const char *key, GError **error)
{
  g_autofree char *shown = shown_value (key);

  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
               _("%s: unknown key (accepted: %s, %s, %s, %s, %s, %s)"),
               shown, SB_KEY_LIMIT, SB_KEY_PERIOD, SB_KEY_START,
               SB_KEY_TIMEZONE, SB_KEY_WARN, SB_KEY_ACTION);
}

static gboolean
apply_value (SbPlan *plan, const char *key, const char *value, GError **error)
{
  const PlanKey *pk = find_key (key);
  g_autofree char *stripped = NULL;

  if (pk == NULL)
    {
      set_unknown_key_error (key, error);
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (value));
  if (*stripped == '\0')
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("%s: the value is empty (accepted: %s; or remove the key for "
                     "the default)"),
                   key, _(pk->accepted));
      return FALSE;
    }

  return pk->apply (plan, key, stripped, error);
}

/* ---- Plans ---- */

SbPlan *
sb_plan_new_default (void)
{
  SbPlan *plan = g_new0 (SbPlan, 1);
  guint defaults[] = { 80, 95 };

  plan->limit = 0;
  plan->kind = SB_PERIOD_MONTHLY;
  plan->day = 1;
  plan->start_first_use = TRUE;
  plan->start = 0;
  plan->timezone = NULL;
  plan->tz = g_time_zone_new_local ();
  plan->warn = g_array_sized_new (FALSE, FALSE, sizeof (guint), G_N_ELEMENTS (defaults));
  g_array_append_vals (plan->warn, defaults, G_N_ELEMENTS (defaults));
  plan->action = SB_ACTION_DISCONNECT;
  return plan;
}

SbPlan *
sb_plan_copy (const SbPlan *plan)
{
  SbPlan *copy;

  g_return_val_if_fail (plan != NULL, NULL);

  copy = g_new0 (SbPlan, 1);
  *copy = *plan;
  copy->timezone = g_strdup (plan->timezone);
  copy->tz = g_time_zone_ref (plan->tz);
  copy->warn = g_array_copy (plan->warn);
  return copy;
}

void
sb_plan_free (SbPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->timezone);
  g_clear_pointer (&plan->tz, g_time_zone_unref);
  g_clear_pointer (&plan->warn, g_array_unref);
  g_free (plan);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

SbPlan *
sb_plan_parse (GHashTable *user_data, GError **error)
{
  g_autoptr(SbPlan) plan = sb_plan_new_default ();
  g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
  guint i;

  if (user_data == NULL)
    return g_steal_pointer (&plan);

  for (i = 0; i < G_N_ELEMENTS (plan_keys); i++)
    {
      const char *value = g_hash_table_lookup (user_data, plan_keys[i].key);

      if (value != NULL && !apply_value (plan, plan_keys[i].key, value, error))
        return NULL;
    }

  /* Report a stray simbudget.* key; sorted, so the same data always gives
   * the same message. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, user_data);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        if (g_str_has_prefix (key, KEY_PREFIX) && find_key (key) == NULL)
          g_ptr_array_add (unknown, key);
      }
  }
  if (unknown->len > 0)
    {
      g_ptr_array_sort (unknown, compare_strings);
      set_unknown_key_error (g_ptr_array_index (unknown, 0), error);
      return NULL;
    }

  return g_steal_pointer (&plan);
}

gboolean
sb_plan_check_value (const char *key, const char *value, GError **error)
{
  g_autoptr(SbPlan) plan = NULL;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  /* Alone, a start is read in the system's zone: only its validity counts. */
  plan = sb_plan_new_default ();
  return apply_value (plan, key, value, error);
}

char *
sb_plan_period_to_string (const SbPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);

  switch (plan->kind)
    {
    case SB_PERIOD_MONTHLY:
      return g_strdup_printf ("monthly:%u", plan->day);
    case SB_PERIOD_WEEKLY:
      g_return_val_if_fail (plan->day >= 1 && plan->day <= 7, NULL);
      return g_strdup_printf ("weekly:%s", weekday_short[plan->day - 1]);
    case SB_PERIOD_DAILY:
      return g_strdup ("daily");
    case SB_PERIOD_DAYS:
      return g_strdup_printf ("days:%u", plan->day);
    case SB_PERIOD_NONE:
      return g_strdup ("none");
    }
  g_return_val_if_reached (NULL);
}

/* The zone /etc/localtime links to, or "UTC". */
static const char *
localtime_zone_id (void)
{
  g_autofree char *target = g_file_read_link ("/etc/localtime", NULL);
  const char *id;

  if (target == NULL)
    return "UTC";

  id = g_strrstr (target, "zoneinfo/");
  if (id == NULL)
    return "UTC";
  id += strlen ("zoneinfo/");
  if (g_str_has_prefix (id, "posix/"))
    id += strlen ("posix/");

  if (!tz_id_well_formed (id))
    return "UTC";
  /* Interned: the answer outlives this call and is shared, like a constant. */
  return g_intern_string (id);
}

void
sb_plan_refresh_system_zone (SbPlan *plan)
{
  const char *tzenv = g_getenv ("TZ");

  g_return_if_fail (plan != NULL);
  if (plan->timezone != NULL)
    return;
  g_clear_pointer (&plan->tz, g_time_zone_unref);
  /* GLib caches the local zone for the life of the process: name the zone
   * /etc/localtime points to now. */
  if (tzenv && *tzenv)
    plan->tz = g_time_zone_new_identifier (tzenv);
  else
    plan->tz = g_time_zone_new_identifier (localtime_zone_id ());
  if (plan->tz == NULL)
    plan->tz = g_time_zone_new_utc ();
}

const char *
sb_plan_timezone_id (const SbPlan *plan)
{
  const char *id;

  g_return_val_if_fail (plan != NULL, NULL);

  if (plan->timezone != NULL)
    return plan->timezone;

  id = g_time_zone_get_identifier (plan->tz);
  /* TZ=":Area/City" names a zone file, like TZ="Area/City". */
  if (id != NULL && *id == ':')
    id++;
  if (id == NULL || *id == '\0' || strcmp (id, "Local") == 0)
    return localtime_zone_id ();
  return id;
}

const char *
sb_action_to_string (SbAction action)
{
  switch (action)
    {
    case SB_ACTION_DISCONNECT:
      return "disconnect";
    case SB_ACTION_WARN:
      return "warn";
    }
  g_return_val_if_reached (NULL);
}

static gboolean
percents_equal (const GArray *a, const GArray *b)
{
  guint i;

  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    {
      if (g_array_index (a, guint, i) != g_array_index (b, guint, i))
        return FALSE;
    }
  return TRUE;
}

/* Equal configuration: the zone compares as configured, so two plans that
 * follow the system's zone are equal even if it changed in between. */
gboolean
sb_plan_equal (const SbPlan *a, const SbPlan *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return a->limit == b->limit &&
         a->kind == b->kind &&
         a->day == b->day &&
         a->start_first_use == b->start_first_use &&
         (a->start_first_use || a->start == b->start) &&
         g_strcmp0 (a->timezone, b->timezone) == 0 &&
         percents_equal (a->warn, b->warn) &&
         a->action == b->action;
}
