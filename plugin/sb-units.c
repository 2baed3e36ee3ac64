/* Sizes and percent lists: strict parsing, exact integer arithmetic. */
#define G_LOG_DOMAIN "sb-units"

#include "sb-units.h"

#include <langinfo.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "sb-error.h"

#define MAX_FRACTION_DIGITS 9
#define MAX_PERCENTS 10
/* Longest piece of user input repeated in an error message. */
#define MAX_QUOTED_CHARS 40

typedef struct {
  const char *name;
  guint64     multiplier;
} SbUnit;

/* Compared case-insensitively; "" and "B" are bytes. */
static const SbUnit units[] = {
  { "", 1 },
  { "B", 1 },
  { "k", G_GUINT64_CONSTANT (1000) },
  { "kB", G_GUINT64_CONSTANT (1000) },
  { "KiB", G_GUINT64_CONSTANT (1) << 10 },
  { "M", G_GUINT64_CONSTANT (1000000) },
  { "MB", G_GUINT64_CONSTANT (1000000) },
  { "MiB", G_GUINT64_CONSTANT (1) << 20 },
  { "G", G_GUINT64_CONSTANT (1000000000) },
  { "GB", G_GUINT64_CONSTANT (1000000000) },
  { "GiB", G_GUINT64_CONSTANT (1) << 30 },
  { "T", G_GUINT64_CONSTANT (1000000000000) },
  { "TB", G_GUINT64_CONSTANT (1000000000000) },
  { "TiB", G_GUINT64_CONSTANT (1) << 40 },
  /* So that whatever sb_size_format() prints parses back. */
  { "P", G_GUINT64_CONSTANT (1000000000000000) },
  { "PB", G_GUINT64_CONSTANT (1000000000000000) },
  { "PiB", G_GUINT64_CONSTANT (1) << 50 },
  { "E", G_GUINT64_CONSTANT (1000000000000000000) },
  { "EB", G_GUINT64_CONSTANT (1000000000000000000) },
  { "EiB", G_GUINT64_CONSTANT (1) << 60 },
};

/* User input goes into messages that cross D-Bus, which wants valid UTF-8;
 * a pasted megabyte should not become a megabyte-long message either. */
static char *
quote_input (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  const char *p;
  glong n = 0;

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == MAX_QUOTED_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static const char *
skip_space (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

static void
set_not_a_size (GError **error, const char *text)
{
  g_autofree char *quoted = quote_input (text);

  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
               _("“%s” is not a size: use a number with an optional unit such as 500MB, 5GB, 1.5GiB"),
               quoted);
}

static void
set_too_large (GError **error, const char *text)
{
  g_autofree char *quoted = quote_input (text);

  g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
               _("“%s” is too large: the largest size is 18446744073709551615 bytes (about 18.4 EB)"),
               quoted);
}

static const SbUnit *
lookup_unit (const char *name, gsize len)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (units); i++)
    if (strlen (units[i].name) == len &&
        g_ascii_strncasecmp (units[i].name, name, len) == 0)
      return &units[i];
  return NULL;
}

/* fraction / 10^digits × multiplier, rounded half up, without overflow:
 * with multiplier = a × D + b (D = 10^digits), the product is
 * fraction × a + fraction × b / D, and fraction, b < D ≤ 10^9. */
static guint64
scale_fraction (guint64 fraction, guint digits, guint64 multiplier)
{
  guint64 denominator = 1;
  guint64 a, b, whole, rest;
  guint i;

  for (i = 0; i < digits; i++)
    denominator *= 10;

  a = multiplier / denominator;
  b = multiplier % denominator;
  whole = fraction * a + (fraction * b) / denominator;
  rest = (fraction * b) % denominator;
  if (rest >= denominator - rest)
    whole++;
  return whole;
}

gboolean
sb_size_parse (const char *text, guint64 *out_bytes, GError **error)
{
  const char *p, *unit_start, *unit_end;
  const SbUnit *unit;
  guint64 integer = 0, fraction = 0, bytes, extra;
  guint fraction_digits = 0;
  gboolean has_fraction = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  p = skip_space (text);
  if (*p == '\0')
    {
      g_set_error_literal (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                           _("The size is empty: use a number with an optional unit such as 500MB, 5GB, 1.5GiB"));
      return FALSE;
    }
  if (*p == '-')
    {
      g_autofree char *quoted = quote_input (text);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("“%s” is not a size: sizes cannot be negative"), quoted);
      return FALSE;
    }

  /* Digits on both sides of the point: "1." and ".5G" are refused, so a
   * mistyped value is never guessed at. */
  if (!g_ascii_isdigit (*p))
    {
      set_not_a_size (error, text);
      return FALSE;
    }
  for (; g_ascii_isdigit (*p); p++)
    {
      if (!g_uint64_checked_mul (&integer, integer, 10) ||
          !g_uint64_checked_add (&integer, integer, (guint64) (*p - '0')))
        {
          set_too_large (error, text);
          return FALSE;
        }
    }

  if (*p == '.')
    {
      p++;
      has_fraction = TRUE;
      if (!g_ascii_isdigit (*p))
        {
          set_not_a_size (error, text);
          return FALSE;
        }
      for (; g_ascii_isdigit (*p); p++)
        {
          if (++fraction_digits > MAX_FRACTION_DIGITS)
            {
              g_autofree char *quoted = quote_input (text);

              g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                           _("“%s” has too many decimal places: use at most %d"),
                           quoted, MAX_FRACTION_DIGITS);
              return FALSE;
            }
          fraction = fraction * 10 + (guint64) (*p - '0');
        }
    }

  unit_start = skip_space (p);
  unit_end = unit_start;
  while (*unit_end != '\0' && !g_ascii_isspace (*unit_end))
    unit_end++;
  if (*skip_space (unit_end) != '\0')
    {
      set_not_a_size (error, text);
      return FALSE;
    }
  unit = lookup_unit (unit_start, (gsize) (unit_end - unit_start));
  if (unit == NULL)
    {
      set_not_a_size (error, text);
      return FALSE;
    }

  /* "1.5" with no unit is almost surely a forgotten unit; a budget of two
   * bytes would cut the connection at once. */
  if (unit->multiplier == 1 && fraction != 0)
    {
      g_autofree char *quoted = quote_input (text);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("“%s” is not a whole number of bytes: add a unit, such as 1.5GB"),
                   quoted);
      return FALSE;
    }

  extra = has_fraction ? scale_fraction (fraction, fraction_digits, unit->multiplier) : 0;
  if (!g_uint64_checked_mul (&bytes, integer, unit->multiplier) ||
      !g_uint64_checked_add (&bytes, bytes, extra))
    {
      set_too_large (error, text);
      return FALSE;
    }

  if (out_bytes != NULL)
    *out_bytes = bytes;
  return TRUE;
}

char *
sb_size_format (guint64 bytes, gboolean localized)
{
  static const char *const prefixes[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  guint64 divisor = 1, rounded, rest, pow10 = 1;
  guint n_digits = 0, exponent, unit, decimals, i;
  const char *point = ".";
  char fraction[4];
  guint64 v;

  if (bytes < 1000)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);

  for (v = bytes; v > 0; v /= 10)
    n_digits++;

  /* Round to three significant digits, half up, in integers: exact up to
   * G_MAXUINT64, unlike a double. */
  exponent = n_digits - 3;
  for (i = 0; i < exponent; i++)
    divisor *= 10;
  rounded = bytes / divisor;
  rest = bytes % divisor;
  if (rest >= divisor - rest)
    rounded++;
  if (rounded == 1000)
    {
      rounded = 100;
      exponent++;
      n_digits++;
    }

  /* value = rounded × 10^exponent; unit 10^(3 × unit) holds the leading
   * digit, so 0 to 2 of the three digits are decimals. */
  unit = (n_digits - 1) / 3;
  decimals = 3 * unit - exponent;
  for (i = 0; i < decimals; i++)
    pow10 *= 10;

  fraction[0] = '\0';
  if (decimals > 0)
    g_snprintf (fraction, sizeof fraction, "%0*" G_GUINT64_FORMAT,
                (int) decimals, rounded % pow10);
  /* "1 kB", not "1.00 kB": round plan sizes stay round. */
  for (i = decimals; i > 0 && fraction[i - 1] == '0'; i--)
    fraction[i - 1] = '\0';

  if (localized)
    {
      const char *radix = nl_langinfo (RADIXCHAR);

      if (radix != NULL && *radix != '\0')
        point = radix;
    }

  if (fraction[0] == '\0')
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", rounded / pow10, prefixes[unit]);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "%s%s %s",
                          rounded / pow10, point, fraction, prefixes[unit]);
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Whole number 1..100 from @item (already trimmed), one of the items of
 * @text, or its only one when @alone. */
static gboolean
parse_percent (const char *text, const char *item, gboolean alone,
               guint *out, GError **error)
{
  const char *p;
  guint value = 0;

  if (*item == '\0')
    {
      g_autofree char *quoted = quote_input (text);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("“%s” has an empty item: use whole numbers from 1 to 100 separated by commas, such as 80,95"),
                   quoted);
      return FALSE;
    }

  for (p = item; g_ascii_isdigit (*p); p++)
    value = MIN (value * 10 + (guint) (*p - '0'), 1000);

  if (*p != '\0')
    {
      g_autofree char *quoted = quote_input (text);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   _("“%s” is not a list of percentages: use whole numbers from 1 to 100 separated by commas, such as 80,95"),
                   quoted);
      return FALSE;
    }

  if (value < 1 || value > 100)
    {
      g_autofree char *quoted_item = quote_input (item);
      g_autofree char *quoted = quote_input (text);

      if (alone)
        g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                     _("“%s” is out of range: use whole numbers from 1 to 100, such as 80,95"),
                     quoted_item);
      else
        g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                     _("“%s” in “%s” is out of range: use whole numbers from 1 to 100, such as 80,95"),
                     quoted_item, quoted);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

GArray *
sb_percent_list_parse (const char *text, GError **error)
{
  g_autoptr(GArray) percents = NULL;
  g_autofree char *trimmed = NULL;
  g_auto(GStrv) items = NULL;
  guint n_items, i, kept;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  percents = g_array_new (FALSE, FALSE, sizeof (guint));
  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0' || g_ascii_strcasecmp (trimmed, "none") == 0)
    return g_steal_pointer (&percents);

  items = g_strsplit (trimmed, ",", -1);
  n_items = g_strv_length (items);
  if (n_items > MAX_PERCENTS)
    {
      g_autofree char *quoted = quote_input (text);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   g_dngettext (GETTEXT_PACKAGE,
                                "“%s” has %u percentage: use at most %u",
                                "“%s” has %u percentages: use at most %u",
                                n_items),
                   quoted, n_items, (guint) MAX_PERCENTS);
      return NULL;
    }

  for (i = 0; i < n_items; i++)
    {
      guint value;

      if (!parse_percent (text, g_strstrip (items[i]), n_items == 1, &value, error))
        return NULL;
      g_array_append_val (percents, value);
    }

  g_array_sort (percents, compare_uint);
  kept = MIN (percents->len, 1);
  for (i = 1; i < percents->len; i++)
    {
      guint value = g_array_index (percents, guint, i);

      if (value != g_array_index (percents, guint, kept - 1))
        g_array_index (percents, guint, kept++) = value;
    }
  g_array_set_size (percents, kept);

  return g_steal_pointer (&percents);
}

char *
sb_percent_list_format (const GArray *percents)
{
  GString *out;
  guint i;

  g_return_val_if_fail (percents != NULL, NULL);

  out = g_string_new (NULL);
  for (i = 0; i < percents->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "%u", g_array_index (percents, guint, i));
    }
  return g_string_free (out, FALSE);
}
