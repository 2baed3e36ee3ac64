/* sb_percent_list_parse: any text is refused cleanly or gives a sorted
 * list of distinct percentages that formats and parses back to itself. */
#define G_LOG_DOMAIN "fuzz-percent"

#include "fuzz.h"
#include "sb-units.h"

#define MAX_ITEMS 10

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = sb_percent_list_parse (text, &error);
  g_autoptr(GArray) back = NULL;
  g_autofree char *formatted = NULL;
  guint i;

  if (list == NULL)
    {
      fuzz_check_error (error);
      return 0;
    }

  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (list->len <= MAX_ITEMS);
  for (i = 0; i < list->len; i++)
    {
      guint p = g_array_index (list, guint, i);

      FUZZ_CHECK (p >= 1 && p <= 100);
      FUZZ_CHECK (i == 0 || g_array_index (list, guint, i - 1) < p);
    }

  formatted = sb_percent_list_format (list);
  back = sb_percent_list_parse (formatted, NULL);
  FUZZ_CHECK (back != NULL);
  FUZZ_CHECK (back->len == list->len);
  FUZZ_CHECK (list->len == 0 ||
              memcmp (back->data, list->data, list->len * sizeof (guint)) == 0);
  return 0;
}
