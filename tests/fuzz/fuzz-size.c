/* sb_size_parse and sb_size_format: any text is refused cleanly or gives
 * a size whose formatted form parses back to nearly the same size. */
#define G_LOG_DOMAIN "fuzz-size"

#include "fuzz.h"
#include "sb-units.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static guint64
power_of_ten (guint n)
{
  guint64 p = 1;

  while (n-- > 0)
    p *= 10;
  return p;
}

/* sb_size_format keeps three significant digits, rounded half up: the
 * text parses back to within half a unit of the third digit. */
static void
check_round_trip (guint64 bytes)
{
  g_autofree char *text = sb_size_format (bytes, FALSE);
  g_autoptr(GError) error = NULL;
  guint64 back = 0, slack = 0, diff;
  guint digits = 0;
  guint64 v;

  for (v = bytes; v > 0; v /= 10)
    digits++;
  if (digits > 3)
    slack = power_of_ten (digits - 3) / 2;

  if (!sb_size_parse (text, &back, &error))
    {
      g_printerr ("%" G_GUINT64_FORMAT " formats as “%s”, which does not parse: %s\n",
                  bytes, text, error->message);
      abort ();
    }
  diff = back > bytes ? back - bytes : bytes - back;
  if (diff > slack)
    {
      g_printerr ("%" G_GUINT64_FORMAT " formats as “%s”, which parses as %" G_GUINT64_FORMAT "\n",
                  bytes, text, back);
      abort ();
    }
}

/* A plain decimal number (spaces around allowed) is that many bytes. */
static void
check_plain_number (const char *text, guint64 bytes)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  const char *p;

  if (*stripped == '\0')
    return;
  for (p = stripped; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return;
  FUZZ_CHECK (g_ascii_strtoull (stripped, NULL, 10) == bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string (data, size);
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;

  if (sb_size_parse (text, &bytes, &error))
    {
      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (sb_size_parse (text, NULL, NULL));
      check_plain_number (text, bytes);
      check_round_trip (bytes);
    }
  else
    {
      fuzz_check_error (error);
      FUZZ_CHECK (!sb_size_parse (text, NULL, NULL));
    }

  /* The raw bytes as a number, for the formatter. */
  if (size >= sizeof (guint64))
    {
      guint64 raw;

      memcpy (&raw, data, sizeof raw);
      check_round_trip (raw);
    }
  return 0;
}
