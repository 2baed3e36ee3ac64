/* Sizes and percent lists: parsing, formatting, error messages. */
#define G_LOG_DOMAIN "test-units"

#include <locale.h>
#include <string.h>

#include <glib.h>

#include "sb-error.h"
#include "sb-units.h"

#define U64MAX G_MAXUINT64

typedef struct {
  const char *text;
  gboolean    ok;
  guint64     bytes;
  const char *diagnosis; /* substring of the message when refused */
} SizeCase;

static const SizeCase size_cases[] = {
  /* Plain bytes. */
  { "0", TRUE, 0 },
  { "123", TRUE, 123 },
  { "007", TRUE, 7 },
  { "123B", TRUE, 123 },
  { "123 b", TRUE, 123 },
  { "1.0", TRUE, 1 },
  { "18446744073709551615", TRUE, U64MAX },
  { "18446744073709551615B", TRUE, U64MAX },

  /* Every unit, in several cases. */
  { "1k", TRUE, 1000 },
  { "1K", TRUE, 1000 },
  { "1kB", TRUE, 1000 },
  { "1KB", TRUE, 1000 },
  { "1kb", TRUE, 1000 },
  { "1KiB", TRUE, 1024 },
  { "1kib", TRUE, 1024 },
  { "1KIB", TRUE, 1024 },
  { "1M", TRUE, 1000000 },
  { "1m", TRUE, 1000000 },
  { "1MB", TRUE, 1000000 },
  { "1mb", TRUE, 1000000 },
  { "1MiB", TRUE, 1048576 },
  { "1mib", TRUE, 1048576 },
  { "1G", TRUE, 1000000000 },
  { "1g", TRUE, 1000000000 },
  { "1GB", TRUE, 1000000000 },
  { "1gb", TRUE, 1000000000 },
  { "1Gb", TRUE, 1000000000 },
  { "1GiB", TRUE, 1073741824 },
  { "1gib", TRUE, 1073741824 },
  { "1Gib", TRUE, 1073741824 },
  { "1T", TRUE, G_GUINT64_CONSTANT (1000000000000) },
  { "1t", TRUE, G_GUINT64_CONSTANT (1000000000000) },
  { "1TB", TRUE, G_GUINT64_CONSTANT (1000000000000) },
  { "1tb", TRUE, G_GUINT64_CONSTANT (1000000000000) },
  { "1TiB", TRUE, G_GUINT64_CONSTANT (1099511627776) },
  { "1tib", TRUE, G_GUINT64_CONSTANT (1099511627776) },
  { "1PB", TRUE, G_GUINT64_CONSTANT (1000000000000000) },
  { "1PiB", TRUE, G_GUINT64_CONSTANT (1125899906842624) },
  { "1EB", TRUE, G_GUINT64_CONSTANT (1000000000000000000) },
  { "1eib", TRUE, G_GUINT64_CONSTANT (1152921504606846976) },

  /* Typical budgets and exact fractions. */
  { "5GB", TRUE, G_GUINT64_CONSTANT (5000000000) },
  { "5 GiB", TRUE, G_GUINT64_CONSTANT (5368709120) },
  { "500M", TRUE, 500000000 },
  { "1.5G", TRUE, 1500000000 },
  { "1.5GB", TRUE, 1500000000 },
  { "1.5GiB", TRUE, 1610612736 },
  { "0.5KiB", TRUE, 512 },
  { "0.3MiB", TRUE, 314573 },          /* 314572.8 */
  { "0.1KiB", TRUE, 102 },             /* 102.4 */
  { "0.15KiB", TRUE, 154 },            /* 153.6 */
  { "1.0005kB", TRUE, 1001 },          /* 1000.5, half up */
  { "1.0004kB", TRUE, 1000 },
  { "1.000000001GB", TRUE, 1000000001 },
  { "0.000000001GB", TRUE, 1 },
  { "0.000000001TiB", TRUE, 1100 },    /* 1099.511627776 */
  { "18446744073.709551615GB", TRUE, U64MAX },
  { "18446744073709551.615kB", TRUE, U64MAX },
  { "17179869183.999999999GiB", TRUE, U64MAX }, /* .999999999 GiB rounds to 2^30 - 1 */
  { "16777215.999999999TiB", TRUE, G_GUINT64_CONSTANT (18446744073709550516) },
  { "15.999999999EiB", TRUE, G_GUINT64_CONSTANT (18446744072556630111) },

  /* Whitespace around the number and between number and unit. */
  { "  5GB  ", TRUE, G_GUINT64_CONSTANT (5000000000) },
  { "\t5GB\n", TRUE, G_GUINT64_CONSTANT (5000000000) },
  { "5   GB", TRUE, G_GUINT64_CONSTANT (5000000000) },

  /* Overflow at exactly 2^64. */
  { "18446744073709551616", FALSE, 0, "too large" },
  { "18446744073709551616B", FALSE, 0, "too large" },
  { "99999999999999999999999", FALSE, 0, "too large" },
  { "18446744073.709551616GB", FALSE, 0, "too large" },
  { "18446744073709552kB", FALSE, 0, "too large" },
  { "18446744073709551.6155kB", FALSE, 0, "too large" }, /* rounds up to 2^64 */
  { "16777216TiB", FALSE, 0, "too large" },
  { "16EiB", FALSE, 0, "too large" },

  /* Refused shapes. */
  { "-1", FALSE, 0, "negative" },
  { "-0", FALSE, 0, "negative" },
  { " -5GB", FALSE, 0, "negative" },
  { "", FALSE, 0, "empty" },
  { " ", FALSE, 0, "empty" },
  { "\t\n", FALSE, 0, "empty" },
  { "1.5", FALSE, 0, "whole number of bytes" },
  { "1.5B", FALSE, 0, "whole number of bytes" },
  { "1.0000000001GB", FALSE, 0, "decimal places" },
  { "0.0000000000", FALSE, 0, "decimal places" },
  { "1e9", FALSE, 0, "is not a size" },
  { "nan", FALSE, 0, "is not a size" },
  { "NaN", FALSE, 0, "is not a size" },
  { "inf", FALSE, 0, "is not a size" },
  { "infinity", FALSE, 0, "is not a size" },
  { "5 G B", FALSE, 0, "is not a size" },
  { "5GB x", FALSE, 0, "is not a size" },
  { "0x10", FALSE, 0, "is not a size" },
  { "1.", FALSE, 0, "is not a size" },
  { "1.G", FALSE, 0, "is not a size" },
  { ".5G", FALSE, 0, "is not a size" },
  { "1..5G", FALSE, 0, "is not a size" },
  { "1.5.G", FALSE, 0, "is not a size" },
  { "1,5G", FALSE, 0, "is not a size" },
  { "5XB", FALSE, 0, "is not a size" },
  { "5 XB", FALSE, 0, "is not a size" },
  { "5iB", FALSE, 0, "is not a size" },
  { "5GBs", FALSE, 0, "is not a size" },
  { "5GB5", FALSE, 0, "is not a size" },
  { "GB", FALSE, 0, "is not a size" },
  { "+5", FALSE, 0, "is not a size" },
  { "\xef\xbc\x91GB", FALSE, 0, "is not a size" }, /* fullwidth digit one */
  { "5\xff", FALSE, 0, "is not a size" },
  { "\xff\xfeGB", FALSE, 0, "is not a size" },
};

static void
test_size_parse (gconstpointer data)
{
  const SizeCase *c = data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 42;
  gboolean ok;

  ok = sb_size_parse (c->text, &bytes, &error);
  if (c->ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (bytes, ==, c->bytes);
      return;
    }

  g_assert_false (ok);
  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, c->diagnosis));

  /* The message names the input, made valid UTF-8, unless it was blank. */
  if (strcmp (c->diagnosis, "empty") != 0)
    {
      g_autofree char *valid = g_utf8_make_valid (c->text, -1);
      g_autofree char *quoted = g_strdup_printf ("“%s”", valid);

      g_assert_nonnull (strstr (error->message, quoted));
    }
}

static void
test_size_parse_long_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (100000, 'x');

  /* A pasted blob is not echoed whole into the message. */
  g_assert_false (sb_size_parse (text, NULL, &error));
  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_cmpuint (strlen (error->message), <, 300);
}

typedef struct {
  guint64     bytes;
  const char *text;
} FormatCase;

static const FormatCase format_cases[] = {
  { 0, "0 B" },
  { 1, "1 B" },
  { 999, "999 B" },
  { 1000, "1 kB" },
  { 1001, "1 kB" },
  { 1004, "1 kB" },
  { 1005, "1.01 kB" },       /* half up */
  { 1010, "1.01 kB" },
  { 1100, "1.1 kB" },
  { 1200, "1.2 kB" },
  { 1234, "1.23 kB" },
  { 1235, "1.24 kB" },
  { 1999, "2 kB" },
  { 9994, "9.99 kB" },
  { 9995, "10 kB" },
  { 10000, "10 kB" },
  { 12345, "12.3 kB" },
  { 99949, "99.9 kB" },
  { 99950, "100 kB" },
  { 123456, "123 kB" },
  { 999499, "999 kB" },
  { 999500, "1 MB" },
  { 1000000, "1 MB" },
  { 1048576, "1.05 MB" },
  { 12345678, "12.3 MB" },
  { 1073741824, "1.07 GB" },
  { G_GUINT64_CONSTANT (1500000000), "1.5 GB" },
  { G_GUINT64_CONSTANT (5000000000), "5 GB" },
  { G_GUINT64_CONSTANT (20000000000), "20 GB" },
  { G_GUINT64_CONSTANT (123000000000), "123 GB" },
  { G_GUINT64_CONSTANT (1000000000000), "1 TB" },
  { G_GUINT64_CONSTANT (1000000000000000), "1 PB" },
  { G_GUINT64_CONSTANT (999999999999999999), "1 EB" },
  { G_GUINT64_CONSTANT (1000000000000000000), "1 EB" },
  { G_GUINT64_CONSTANT (10000000000000000000), "10 EB" },
  { G_MAXUINT64, "18.4 EB" },
};

static void
test_size_format (gconstpointer data)
{
  const FormatCase *c = data;
  g_autofree char *text = sb_size_format (c->bytes, FALSE);

  g_assert_cmpstr (text, ==, c->text);
}

/* Whatever is printed parses back to within the 0.5 % of 3-digit rounding. */
static void
test_size_format_round_trip (void)
{
  guint i;

  for (i = 0; i < 2000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint64 bytes, parsed, difference;
      guint bits = (guint) g_test_rand_int_range (1, 65);

      bytes = ((guint64) g_test_rand_int () << 32 | (guint32) g_test_rand_int ());
      if (bits < 64)
        bytes &= (G_GUINT64_CONSTANT (1) << bits) - 1;

      text = sb_size_format (bytes, FALSE);
      g_assert_true (sb_size_parse (text, &parsed, &error));
      g_assert_no_error (error);
      difference = parsed > bytes ? parsed - bytes : bytes - parsed;
      if (difference > bytes / 200)
        g_error ("%" G_GUINT64_FORMAT " → “%s” → %" G_GUINT64_FORMAT, bytes, text, parsed);
    }
}

static void
test_size_format_localized (void)
{
  static const char *const comma_locales[] = {
    "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
  };
  g_autofree char *old = g_strdup (setlocale (LC_NUMERIC, NULL));
  g_autofree char *c_text = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *localized = NULL;
  guint i;

  /* In the C locale both forms agree. */
  g_assert_nonnull (setlocale (LC_NUMERIC, "C"));
  c_text = sb_size_format (1234, TRUE);
  g_assert_cmpstr (c_text, ==, "1.23 kB");

  for (i = 0; i < G_N_ELEMENTS (comma_locales); i++)
    if (setlocale (LC_NUMERIC, comma_locales[i]) != NULL)
      break;
  if (i == G_N_ELEMENTS (comma_locales))
    {
      setlocale (LC_NUMERIC, old);
      g_test_skip ("no locale with a decimal comma is installed");
      return;
    }

  plain = sb_size_format (1234, FALSE);
  localized = sb_size_format (1234, TRUE);
  setlocale (LC_NUMERIC, old);
  g_assert_cmpstr (plain, ==, "1.23 kB");
  g_assert_cmpstr (localized, ==, "1,23 kB");
}

typedef struct {
  const char *text;
  gboolean    ok;
  const char *normalized;  /* sb_percent_list_format() of the result */
  const char *diagnosis;   /* substring of the message when refused */
} PercentCase;

static const PercentCase percent_cases[] = {
  { "80,95", TRUE, "80,95" },
  { "95,80", TRUE, "80,95" },
  { "80,80", TRUE, "80" },
  { "50,50,50", TRUE, "50" },
  { "1", TRUE, "1" },
  { "100", TRUE, "100" },
  { "080", TRUE, "80" },
  { " 80 , 95 ", TRUE, "80,95" },
  { "1,2,3,4,5,6,7,8,9,10", TRUE, "1,2,3,4,5,6,7,8,9,10" },
  { "10,9,8,7,6,5,4,3,2,1", TRUE, "1,2,3,4,5,6,7,8,9,10" },
  { "", TRUE, "" },
  { "  ", TRUE, "" },
  { "none", TRUE, "" },
  { "None", TRUE, "" },

  { "0", FALSE, NULL, "out of range" },
  { "101", FALSE, NULL, "out of range" },
  { "80,101", FALSE, NULL, "out of range" },
  { "99999999999999999999", FALSE, NULL, "out of range" },
  { "80,", FALSE, NULL, "empty item" },
  { ",80", FALSE, NULL, "empty item" },
  { "80,,95", FALSE, NULL, "empty item" },
  { ",", FALSE, NULL, "empty item" },
  { "abc", FALSE, NULL, "not a list of percentages" },
  { "80;95", FALSE, NULL, "not a list of percentages" },
  { "80 95", FALSE, NULL, "not a list of percentages" },
  { "80%", FALSE, NULL, "not a list of percentages" },
  { "80.5", FALSE, NULL, "not a list of percentages" },
  { "-5", FALSE, NULL, "not a list of percentages" },
  { "+5", FALSE, NULL, "not a list of percentages" },
  { "none,80", FALSE, NULL, "not a list of percentages" },
  { "8\xff", FALSE, NULL, "not a list of percentages" },
  { "1,2,3,4,5,6,7,8,9,10,11", FALSE, NULL, "at most 10" },
  { "80,80,80,80,80,80,80,80,80,80,80", FALSE, NULL, "at most 10" },
};

static void
test_percent_parse (gconstpointer data)
{
  const PercentCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) percents = NULL;

  percents = sb_percent_list_parse (c->text, &error);
  if (c->ok)
    {
      g_autofree char *text = NULL;
      g_autoptr(GArray) again = NULL;
      guint i;

      g_assert_no_error (error);
      g_assert_nonnull (percents);
      g_assert_cmpuint (g_array_get_element_size (percents), ==, sizeof (guint));
      for (i = 1; i < percents->len; i++)
        g_assert_cmpuint (g_array_index (percents, guint, i - 1), <,
                          g_array_index (percents, guint, i));

      text = sb_percent_list_format (percents);
      g_assert_cmpstr (text, ==, c->normalized);

      /* The formatted list is itself valid input. */
      again = sb_percent_list_parse (text, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (again->data, again->len * sizeof (guint),
                       percents->data, percents->len * sizeof (guint));
      return;
    }

  g_assert_null (percents);
  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, c->diagnosis));
}

static void
test_percent_format (void)
{
  g_autoptr(GArray) percents = g_array_new (FALSE, FALSE, sizeof (guint));
  guint values[] = { 5, 50, 100 };
  g_autofree char *empty = sb_percent_list_format (percents);
  g_autofree char *three = NULL;

  g_assert_cmpstr (empty, ==, "");
  g_array_append_vals (percents, values, G_N_ELEMENTS (values));
  three = sb_percent_list_format (percents);
  g_assert_cmpstr (three, ==, "5,50,100");
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  for (i = 0; i < G_N_ELEMENTS (size_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/units/size-parse/%u", i);

      g_test_add_data_func (path, &size_cases[i], test_size_parse);
    }
  g_test_add_func ("/units/size-parse/long-input", test_size_parse_long_input);

  for (i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/units/size-format/%" G_GUINT64_FORMAT,
                                               format_cases[i].bytes);

      g_test_add_data_func (path, &format_cases[i], test_size_format);
    }
  g_test_add_func ("/units/size-format/round-trip", test_size_format_round_trip);
  g_test_add_func ("/units/size-format/localized", test_size_format_localized);

  for (i = 0; i < G_N_ELEMENTS (percent_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/units/percent-parse/%u", i);

      g_test_add_data_func (path, &percent_cases[i], test_percent_parse);
    }
  g_test_add_func ("/units/percent-format", test_percent_format);

  return g_test_run ();
}
