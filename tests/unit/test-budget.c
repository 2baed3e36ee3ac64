/* Budget states and thresholds. */
#include "sb-budget.h"

#define GB G_GUINT64_CONSTANT (1000000000)

typedef struct {
  guint64 limit, extra, used;
  gboolean expired;
  const char *state;
} StateCase;

static const StateCase state_cases[] = {
  { 0, 0, 123, FALSE, "untracked" },
  { 0, 0, 123, TRUE, "untracked" },
  { 5 * GB, 0, 0, FALSE, "ok" },
  { 5 * GB, 0, 4 * GB - 1, FALSE, "ok" },
  { 5 * GB, 0, 4 * GB, FALSE, "warning" },            /* 80 % exactly */
  { 5 * GB, 0, 5 * GB - 1, FALSE, "warning" },
  { 5 * GB, 0, 5 * GB, FALSE, "exhausted" },           /* the limit itself */
  { 5 * GB, 500000000, 5 * GB, FALSE, "overridden" },
  { 5 * GB, 500000000, 5 * GB + 499999999, FALSE, "overridden" },
  { 5 * GB, 500000000, 5 * GB + 500000000, FALSE, "exhausted" },
  { 5 * GB, G_MAXUINT64, G_MAXUINT64, FALSE, "exhausted" },
  { 5 * GB, G_MAXUINT64, G_MAXUINT64 - 1, FALSE, "overridden" },
  { 5 * GB, 0, 1, TRUE, "expired" },
  { 5 * GB, 100, 5 * GB + 50, TRUE, "overridden" },
  { 5 * GB, 100, 5 * GB + 100, TRUE, "exhausted" },
  { 1, 0, 1, FALSE, "exhausted" },
  { G_MAXUINT64, 0, G_MAXUINT64 - 1, FALSE, "warning" },
};

static void
test_states (void)
{
  g_autoptr(GArray) warn = g_array_new (FALSE, FALSE, sizeof (guint));
  guint w[] = { 80, 95 };

  g_array_append_vals (warn, w, 2);
  for (guint i = 0; i < G_N_ELEMENTS (state_cases); i++)
    {
      const StateCase *c = &state_cases[i];
      SbState s = sb_budget_state (c->limit, c->extra, c->used, c->expired, warn);
      g_test_message ("case %u", i);
      g_assert_cmpstr (sb_state_to_string (s), ==, c->state);
    }
  /* no thresholds: ok until the limit */
  g_assert_cmpint (sb_budget_state (100, 0, 99, FALSE, NULL), ==, SB_STATE_OK);
}

static void
test_threshold_bytes (void)
{
  g_assert_cmpuint (sb_budget_threshold_bytes (5 * GB, 80), ==, 4 * GB);
  g_assert_cmpuint (sb_budget_threshold_bytes (3, 50), ==, 2);   /* ceil */
  g_assert_cmpuint (sb_budget_threshold_bytes (G_MAXUINT64, 100), ==, G_MAXUINT64);
  g_assert_cmpuint (sb_budget_threshold_bytes (G_MAXUINT64, 1), ==, G_MAXUINT64 / 100 + 1);
  g_assert_cmpuint (sb_budget_cutoff (G_MAXUINT64 - 1, 5), ==, G_MAXUINT64);
  g_assert_cmpuint (sb_budget_cutoff (10, 5), ==, 15);
}

static void
test_thresholds_once (void)
{
  g_autoptr(GArray) warn = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) fired = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GArray) c = NULL;
  guint w[] = { 50, 80, 95 };

  g_array_append_vals (warn, w, 3);
  a = sb_budget_new_thresholds (1000, 799, warn, fired);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpuint (g_array_index (a, guint, 0), ==, 50);
  /* jumping past two at once reports both, in order */
  b = sb_budget_new_thresholds (1000, 2000, warn, fired);
  g_assert_cmpuint (b->len, ==, 2);
  g_assert_cmpuint (g_array_index (b, guint, 0), ==, 80);
  g_assert_cmpuint (g_array_index (b, guint, 1), ==, 95);
  c = sb_budget_new_thresholds (1000, 3000, warn, fired);
  g_assert_cmpuint (c->len, ==, 0);
  g_assert_cmpuint (fired->len, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/budget/states", test_states);
  g_test_add_func ("/budget/threshold-bytes", test_threshold_bytes);
  g_test_add_func ("/budget/thresholds-once", test_thresholds_once);
  return g_test_run ();
}
