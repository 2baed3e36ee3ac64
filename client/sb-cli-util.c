#define G_LOG_DOMAIN "sb-cli-util"

#include "config.h"

#include "sb-cli-util.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sb-error.h"

static gboolean
iccid_has_suffix (const char *iccid, const char *suffix)
{
  size_t len = strlen (iccid);
  size_t slen = strlen (suffix);

  return slen <= len && g_ascii_strcasecmp (iccid + len - slen, suffix) == 0;
}

int
sb_cli_match_profile (const SbCliProfileKey *keys,
                      guint                  n_keys,
                      const char            *query,
                      GArray               **out_candidates)
{
  g_autoptr(GArray) by_id = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) by_suffix = g_array_new (FALSE, FALSE, sizeof (guint));
  GArray *found;

  if (out_candidates)
    *out_candidates = NULL;
  if (query == NULL || *query == '\0')
    return -1;

  for (guint i = 0; i < n_keys; i++)
    if (g_ascii_strcasecmp (keys[i].iccid, query) == 0)
      return (int) i;

  /* A connection id is what people remember; an ICCID ending is what they
   * read off the SIM card's holder. The id wins when both fit. */
  for (guint i = 0; i < n_keys; i++)
    {
      if (keys[i].connection_id && g_strcmp0 (keys[i].connection_id, query) == 0)
        g_array_append_val (by_id, i);
      if (iccid_has_suffix (keys[i].iccid, query))
        g_array_append_val (by_suffix, i);
    }

  found = by_id->len > 0 ? by_id : by_suffix;
  if (found->len == 1)
    return (int) g_array_index (found, guint, 0);
  if (found->len > 1 && out_candidates)
    *out_candidates = g_array_ref (found);
  return -1;
}

static gboolean
parse_digits (const char *text, guint n, int *out)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
    }
  *out = value;
  return TRUE;
}

/* Strictly "YYYY-MM-DD", a real calendar day. */
static gboolean
parse_day (const char *text, int *year, int *month, int *day)
{
  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  if (!parse_digits (text, 4, year) || !parse_digits (text + 5, 2, month) ||
      !parse_digits (text + 8, 2, day))
    return FALSE;
  return g_date_valid_dmy (*day, *month, *year);
}

static gint64
local_midnight (GTimeZone *tz, int year, int month, int day, int add_days)
{
  g_autoptr(GDateTime) midnight = g_date_time_new (tz, year, month, day, 0, 0, 0);
  g_autoptr(GDateTime) shifted = NULL;

  if (midnight == NULL)
    return 0;
  shifted = g_date_time_add_days (midnight, add_days);
  return g_date_time_to_unix (shifted);
}

gboolean
sb_cli_parse_date (const char *text,
                   GTimeZone  *tz,
                   gint64      now,
                   gboolean    end_of_range,
                   gint64     *out_time,
                   GError    **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  int year, month, day;
  int shift = end_of_range ? 1 : 0;

  if (g_ascii_strcasecmp (stripped, "now") == 0)
    {
      *out_time = now;
      return TRUE;
    }

  if (g_ascii_strcasecmp (stripped, "today") == 0 ||
      g_ascii_strcasecmp (stripped, "yesterday") == 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);

      if (g_ascii_strcasecmp (stripped, "yesterday") == 0)
        shift--;
      g_date_time_get_ymd (local, &year, &month, &day);
      *out_time = local_midnight (tz, year, month, day, shift);
      return TRUE;
    }

  if (parse_day (stripped, &year, &month, &day))
    {
      *out_time = local_midnight (tz, year, month, day, shift);
      return TRUE;
    }

  /* ISO 8601 date-time; a space instead of "T" is what people type. */
  if (strlen (stripped) > 10 && stripped[10] == ' ')
    stripped[10] = 'T';
  if (strlen (stripped) > 10 && stripped[10] == 'T')
    {
      g_autoptr(GDateTime) dt = NULL;

      /* GLib wants seconds; "08:30" is what people type. */
      if (strlen (stripped) >= 16 && stripped[13] == ':' && stripped[16] != ':')
        {
          g_autofree char *head = g_strndup (stripped, 16);
          g_autofree char *full = g_strconcat (head, ":00", stripped + 16, NULL);

          g_free (stripped);
          stripped = g_steal_pointer (&full);
        }
      dt = g_date_time_new_from_iso8601 (stripped, tz);

      if (dt != NULL)
        {
          *out_time = g_date_time_to_unix (dt);
          return TRUE;
        }
    }

  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
               _("“%s” is not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][±HH:MM], today, yesterday or now)"),
               text);
  return FALSE;
}

guint
sb_cli_history_default_count (SbGranularity granularity)
{
  switch (granularity)
    {
    case SB_GRANULARITY_HOUR:
      return 24;
    case SB_GRANULARITY_DAY:
      return 30;
    case SB_GRANULARITY_WEEK:
    case SB_GRANULARITY_MONTH:
    default:
      return 12;
    }
}

gint64
sb_cli_history_default_from (SbGranularity granularity,
                             GTimeZone    *tz,
                             gint64        to)
{
  gint64 from = sb_history_floor (granularity, tz, to - 1);
  guint count = sb_cli_history_default_count (granularity);

  /* Step back bucket by bucket: lengths vary with months and DST. */
  for (guint i = 1; i < count; i++)
    from = sb_history_floor (granularity, tz, from - 1);
  return from;
}

char *
sb_cli_bar (guint64 value, guint64 max, guint cells)
{
  /* Index n: n eighths of a cell. */
  static const char *const partial[] = {
    "", "▏", "▎", "▍", "▌", "▋", "▊", "▉",
  };
  GString *bar = g_string_new (NULL);
  guint64 eighths = 0;
  guint used;

  if (value > 0 && max > 0 && cells > 0)
    {
      long double ratio = (long double) MIN (value, max) / (long double) max;

      eighths = (guint64) (ratio * cells * 8 + 0.5L);
      eighths = CLAMP (eighths, 1, (guint64) cells * 8);
    }

  used = (guint) (eighths / 8);
  for (guint i = 0; i < used; i++)
    g_string_append (bar, "█");
  if (eighths % 8 != 0)
    {
      g_string_append (bar, partial[eighths % 8]);
      used++;
    }
  for (guint i = used; i < cells; i++)
    g_string_append_c (bar, ' ');
  return g_string_free (bar, FALSE);
}

guint
sb_cli_text_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          width++;
          break;
        }
      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

void
sb_cli_append_padded (GString    *out,
                      const char *text,
                      guint       width,
                      gboolean    align_right)
{
  guint text_width = sb_cli_text_width (text);
  guint pad = text_width < width ? width - text_width : 0;

  if (!align_right)
    g_string_append (out, text);
  for (guint i = 0; i < pad; i++)
    g_string_append_c (out, ' ');
  if (align_right)
    g_string_append (out, text);
}

char *
sb_cli_shorten_iccid (const char *iccid)
{
  size_t len = strlen (iccid);

  if (len <= 9)
    return g_strdup (iccid);
  return g_strconcat ("…", iccid + len - 8, NULL);
}

char *
sb_cli_format_relative (gint64 when, gint64 now)
{
  gint64 diff = when - now;
  gboolean future = diff >= 0;
  guint64 span = future ? (guint64) diff : (guint64) (now - when);
  gulong n;

  if (span < 60)
    return g_strdup (future ? _("in less than a minute") : _("less than a minute ago"));

  if (span < 60 * 60)
    {
      n = span / 60;
      return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %lu minute", "in %lu minutes", n)
                                     : g_dngettext (GETTEXT_PACKAGE, "%lu minute ago", "%lu minutes ago", n),
                              n);
    }

  if (span < 48 * 60 * 60)
    {
      n = span / (60 * 60);
      return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %lu hour", "in %lu hours", n)
                                     : g_dngettext (GETTEXT_PACKAGE, "%lu hour ago", "%lu hours ago", n),
                              n);
    }

  n = span / (24 * 60 * 60);
  return g_strdup_printf (future ? g_dngettext (GETTEXT_PACKAGE, "in %lu day", "in %lu days", n)
                                 : g_dngettext (GETTEXT_PACKAGE, "%lu day ago", "%lu days ago", n),
                          n);
}

char *
sb_cli_format_time (gint64 when, GTimeZone *tz, gint64 now)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now_utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) now_local = NULL;

  if (utc == NULL || now_utc == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, when);
  local = g_date_time_to_timezone (utc, tz);
  now_local = g_date_time_to_timezone (now_utc, tz);

  if (g_date_time_get_year (local) == g_date_time_get_year (now_local))
    /* Translators: a date and time with the zone's abbreviation, see
     * g_date_time_format(); e.g. "Dec 1 00:00 JST". */
    /* xgettext:no-c-format */
    return g_date_time_format (local, _("%b %-d %H:%M %Z"));
  /* Translators: the same with the year, e.g. "Jan 3 2025 00:00 JST". */
  /* xgettext:no-c-format */
  return g_date_time_format (local, _("%b %-d %Y %H:%M %Z"));
}

char *
sb_cli_format_iso8601 (gint64 when, GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return NULL;
  local = g_date_time_to_timezone (utc, tz);
  /* Not g_date_time_format_iso8601(): it writes "Z" for UTC, while a fixed
   * shape is easier on scripts. */
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

GTimeZone *
sb_cli_timezone_new (const char *id)
{
  GTimeZone *tz = NULL;

  if (id != NULL && *id != '\0')
    tz = g_time_zone_new_identifier (id);
  return tz ? tz : g_time_zone_new_local ();
}

guint64
sb_cli_add_saturating (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

char *
sb_cli_snake_case (const char *camel)
{
  GString *out = g_string_new (NULL);

  for (const char *p = camel; *p; p++)
    {
      /* A capital starts a word, except within a run of capitals. */
      if (g_ascii_isupper (*p) && p != camel &&
          (!g_ascii_isupper (p[-1]) || (p[1] != '\0' && g_ascii_islower (p[1]))))
        g_string_append_c (out, '_');
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  return g_string_free (out, FALSE);
}
