/* sb_plan_parse over NetworkManager user data. The input is lines of
 * KEY=VALUE; limit, period, start, timezone, warn and action stand for
 * their simbudget.* keys, any other key is taken as written. A plan that
 * parses must describe itself consistently and give period windows that
 * contain the moment asked about. */
#define G_LOG_DOMAIN "fuzz-plan"

#include "fuzz.h"
#include "sb-plan.h"

static const char *const short_keys[] = {
  "limit", "period", "start", "timezone", "warn", "action",
};

/* Moments to cut windows at: 2000, 2023, a DST spring in 2026, 2100,
 * and a month before GDateTime's end. */
static const gint64 moments[] = {
  946684800, 1700000000, 1774746000, 4102444800, 253399622400,
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static GHashTable *
user_data_from (const char *text)
{
  GHashTable *data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      char *key;

      if (eq == NULL)
        continue;
      *eq = '\0';
      key = g_strdup (lines[i]);
      for (guint k = 0; k < G_N_ELEMENTS (short_keys); k++)
        if (strcmp (lines[i], short_keys[k]) == 0)
          {
            g_free (key);
            key = g_strconcat ("simbudget.", lines[i], NULL);
          }
      g_hash_table_insert (data, key, g_strdup (eq + 1));
    }
  return data;
}

static void
check_window (const SbPlan *plan, gint64 now)
{
  gint64 start = -1, end = -1;

  sb_plan_window (plan, now, now - 1000, &start, &end);
  switch (plan->kind)
    {
    case SB_PERIOD_MONTHLY:
    case SB_PERIOD_WEEKLY:
    case SB_PERIOD_DAILY:
      if (start == 0 && end == 0)
        break;   /* past what GDateTime represents */
      if (!(start <= now && now < end))
        {
          g_printerr ("window [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") misses %"
                      G_GINT64_FORMAT "\n", start, end, now);
          abort ();
        }
      {
        gint64 next_start = -1, next_end = -1;

        /* The next window begins where this one ends. */
        sb_plan_window (plan, end, 0, &next_start, &next_end);
        FUZZ_CHECK ((next_start == 0 && next_end == 0) || next_start == end);
      }
      break;
    case SB_PERIOD_DAYS:
      FUZZ_CHECK (end == 0 || end > start);
      FUZZ_CHECK (sb_plan_expired (plan, now, now - 1000) == (end != 0 && end <= now));
      break;
    case SB_PERIOD_NONE:
      FUZZ_CHECK (end == 0);
      break;
    default:
      FUZZ_CHECK (!"unknown period kind");
    }
}

static void
check_plan (const SbPlan *plan, GHashTable *data, const char *text)
{
  g_autoptr(SbPlan) copy = sb_plan_copy (plan);
  g_autofree char *period = sb_plan_period_to_string (plan);
  g_autoptr(GHashTable) again = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SbPlan) reparsed = NULL;
  GHashTableIter iter;
  gpointer key, value;

  FUZZ_CHECK (sb_plan_equal (plan, copy));
  FUZZ_CHECK (period != NULL);
  FUZZ_CHECK (sb_plan_timezone_id (plan) != NULL);
  FUZZ_CHECK (sb_action_to_string (plan->action) != NULL);
  for (guint i = 0; i < plan->warn->len; i++)
    {
      guint p = g_array_index (plan->warn, guint, i);

      FUZZ_CHECK (p >= 1 && p <= 100);
      FUZZ_CHECK (i == 0 || g_array_index (plan->warn, guint, i - 1) < p);
    }

  /* Every value accepted in the plan is accepted alone; a start alone is
   * read in the system's zone, so it may differ. */
  g_hash_table_iter_init (&iter, data);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, "simbudget.") && strcmp (key, SB_KEY_START) != 0)
      FUZZ_CHECK (sb_plan_check_value (key, value, NULL));

  /* The normalised description parses back to the same plan. */
  g_hash_table_iter_init (&iter, data);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (again, key, value);
  g_hash_table_insert (again, (gpointer) SB_KEY_PERIOD, period);
  reparsed = sb_plan_parse (again, NULL);
  FUZZ_CHECK (reparsed != NULL);
  FUZZ_CHECK (sb_plan_equal (plan, reparsed));

  for (guint i = 0; i < G_N_ELEMENTS (moments); i++)
    check_window (plan, moments[i]);
  /* and one moment of the input's own, 1970..2242 */
  check_window (plan, (gint64) (g_str_hash (text) % (G_GUINT64_CONSTANT (1) << 33)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string (data, size);
  g_autoptr(GHashTable) user_data = user_data_from (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbPlan) plan = sb_plan_parse (user_data, &error);

  if (plan == NULL)
    fuzz_check_error (error);
  else
    {
      FUZZ_CHECK (error == NULL);
      check_plan (plan, user_data, text);
    }
  return 0;
}
