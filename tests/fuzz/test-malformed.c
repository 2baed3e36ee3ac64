/* Bytes that are not UTF-8, control characters and megabyte-long values
 * at the parser level. NetworkManager and D-Bus refuse invalid UTF-8
 * before it reaches the daemon, but the CLI and the daemon's own state
 * may still hand such bytes to the parsers: each must refuse them with
 * a message that is valid UTF-8 (it crosses D-Bus) and short. */
#define G_LOG_DOMAIN "test-malformed"

#include <string.h>

#include <glib.h>

#include "sb-error.h"
#include "sb-history.h"
#include "sb-plan.h"
#include "sb-units.h"

#define MESSAGE_MAX 1024

typedef enum { SIZE, PERCENT, PLAN_VALUE, PLAN_KEY, GRANULARITY } Parser;

typedef struct {
  const char *name;
  Parser      parser;
  const char *key;      /* PLAN_VALUE: the key */
  const char *input;    /* NULL: a long run of @fill bytes */
  char        fill;
  const char *shown;    /* expected in the message */
} Case;

static const Case cases[] = {
  { "size-ff", SIZE, NULL, "5\xff" "GB", 0, "5\xef\xbf\xbd" "GB" },
  { "size-overlong", SIZE, NULL, "5\xc0\xaf", 0, "5\xef\xbf\xbd" },
  { "size-surrogate", SIZE, NULL, "\xed\xa0\x80", 0, "\xef\xbf\xbd" },
  { "size-control", SIZE, NULL, "5\x01GB", 0, "5?GB" },
  { "size-long", SIZE, NULL, NULL, '\xff', "…" },
  { "percent-ff", PERCENT, NULL, "80,\xff", 0, "80,\xef\xbf\xbd" },
  { "percent-long", PERCENT, NULL, NULL, '9', "…" },
  { "limit-ff", PLAN_VALUE, SB_KEY_LIMIT, "5\xff" "GB", 0, "5\\xFFGB" },
  { "limit-long", PLAN_VALUE, SB_KEY_LIMIT, NULL, '\xfe', "\\xFE…" },
  { "period-truncated", PLAN_VALUE, SB_KEY_PERIOD, "weekly:\xc3", 0, "weekly:\\xC3" },
  { "period-control", PLAN_VALUE, SB_KEY_PERIOD, "daily\x1b[2J", 0, "daily\\x1B[2J" },
  { "start-ff", PLAN_VALUE, SB_KEY_START, "2026-11-20T09:00\xff", 0, "2026-11-20T09:00\\xFF" },
  { "timezone-ff", PLAN_VALUE, SB_KEY_TIMEZONE, "Asia/\xff", 0, "Asia/\\xFF" },
  { "timezone-not-ascii", PLAN_VALUE, SB_KEY_TIMEZONE, "Asia/T\xc5\x8dky\xc5\x8d", 0, "Asia/T\xc5\x8dky\xc5\x8d" },
  { "timezone-long", PLAN_VALUE, SB_KEY_TIMEZONE, NULL, 'A', "AAAA…" },
  { "warn-ff", PLAN_VALUE, SB_KEY_WARN, "80,\xff", 0, "80,\\xFF" },
  { "action-ff", PLAN_VALUE, SB_KEY_ACTION, "warn\xff", 0, "warn\\xFF" },
  { "key-ff", PLAN_KEY, NULL, "simbudget.\xff\xfe", 0, "simbudget.\\xFF\\xFE" },
  { "granularity-ff", GRANULARITY, NULL, "ho\xffur", 0, "ho\xef\xbf\xbdur" },
  { "granularity-long", GRANULARITY, NULL, NULL, '\x80', "…" },
};

static gboolean
run_parser (const Case *c, const char *input, GError **error)
{
  switch (c->parser)
    {
    case SIZE:
      return sb_size_parse (input, NULL, error);
    case PERCENT:
      {
        g_autoptr(GArray) list = sb_percent_list_parse (input, error);

        return list != NULL;
      }
    case PLAN_VALUE:
    case PLAN_KEY:
      {
        g_autoptr(GHashTable) data = g_hash_table_new (g_str_hash, g_str_equal);
        g_autoptr(SbPlan) plan = NULL;

        if (c->parser == PLAN_KEY)
          g_hash_table_insert (data, (gpointer) input, (gpointer) "1");
        else
          g_hash_table_insert (data, (gpointer) c->key, (gpointer) input);
        plan = sb_plan_parse (data, error);
        return plan != NULL;
      }
    case GRANULARITY:
      return sb_granularity_from_string (input, NULL, error);
    }
  g_assert_not_reached ();
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *input = NULL;
  g_autoptr(GError) error = NULL;

  if (c->input != NULL)
    input = g_strdup (c->input);
  else
    {
      /* a megabyte, as a pasted file would be */
      input = g_malloc (1024 * 1024 + 1);
      memset (input, c->fill, 1024 * 1024);
      input[1024 * 1024] = '\0';
    }

  g_assert_false (run_parser (c, input, &error));
  g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <, MESSAGE_MAX);
  if (strstr (error->message, c->shown) == NULL)
    g_error ("“%s” not in the message: %s", c->shown, error->message);
  /* the plan's single-value check says the same */
  if (c->parser == PLAN_VALUE)
    {
      g_autoptr(GError) alone = NULL;

      g_assert_false (sb_plan_check_value (c->key, input, &alone));
      g_assert_cmpstr (alone->message, ==, error->message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/malformed/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  return g_test_run ();
}
