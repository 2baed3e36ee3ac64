/* What simbudget-notify's notifications say (C locale, TZ=UTC). */
#include <glib.h>
#include <locale.h>

#include "sb-notify-text.h"

#define GB G_GUINT64_CONSTANT (1000000000)
/* 2024-12-02 00:00 UTC, and the same wall time in Tokyo. */
#define DEC2_UTC   G_GINT64_CONSTANT (1733097600)
#define DEC2_TOKYO G_GINT64_CONSTANT (1733065200)

static const SbNotifyProfile travel = {
  .iccid = "8981100022152233440",
  .connection_id = "Japan Travel eSIM",
  .operator_name = "Rakuten",
  .sim_type = "esim",
  .period = "monthly:2",
  .time_zone = "UTC",
  .limit = 5 * GB,
  .period_end = DEC2_UTC,
};

static void
test_profile_name (void)
{
  static const struct {
    const char *connection_id;
    const char *operator_name;
    const char *sim_type;
    const char *iccid;
    const char *expected;
  } cases[] = {
    { "Japan Travel eSIM", "Rakuten", "esim", "8981100022152233440", "Japan Travel eSIM" },
    { "", "Rakuten", "esim", "8981100022152233440", "Rakuten eSIM" },
    { NULL, "Vodafone", "physical", "8944500102198304826", "Vodafone SIM" },
    { "", "Vodafone", "unknown", "8944500102198304826", "Vodafone" },
    { "", "", "esim", "8981100022152233440", "eSIM …3440" },
    { NULL, NULL, "physical", "8944500102198304826", "SIM …4826" },
    { NULL, NULL, NULL, "123", "SIM …123" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SbNotifyProfile profile = {
        .iccid = cases[i].iccid,
        .connection_id = cases[i].connection_id,
        .operator_name = cases[i].operator_name,
        .sim_type = cases[i].sim_type,
      };
      g_autofree char *name = sb_notify_profile_name (&profile);

      g_assert_cmpstr (name, ==, cases[i].expected);
    }
}

static void
test_format_time (void)
{
  static const struct {
    gint64      when;
    const char *zone;
    const char *expected;
  } cases[] = {
    { DEC2_UTC, "UTC", "2 Dec at 00:00" },
    /* No zone, or one that does not exist: the local one (TZ=UTC). */
    { DEC2_UTC, "", "2 Dec at 00:00" },
    { DEC2_UTC, NULL, "2 Dec at 00:00" },
    { DEC2_UTC, "Not/A_Zone", "2 Dec at 00:00" },
    /* Another offset than the local one: its abbreviation is added. */
    { DEC2_TOKYO, "Asia/Tokyo", "2 Dec at 00:00 JST" },
    /* London is UTC in winter, not in summer. */
    { G_GINT64_CONSTANT (1735031100), "Europe/London", "24 Dec at 09:05" },
    { G_GINT64_CONSTANT (1719788400), "Europe/London", "1 Jul at 00:00 BST" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sb_notify_format_time (cases[i].when, cases[i].zone);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_threshold (void)
{
  static const struct {
    const char *period;
    gint64      period_end;
    guint       percent;
    guint64     used;
    const char *summary;
    const char *body;
  } cases[] = {
    { "monthly:2", DEC2_UTC, 80, 4 * GB, "Mobile data: 80% used",
      "Japan Travel eSIM: 4 GB of 5 GB used. Resets on 2 Dec at 00:00." },
    { "days:8", DEC2_UTC, 95, G_GUINT64_CONSTANT (4750000000), "Mobile data: 95% used",
      "Japan Travel eSIM: 4.75 GB of 5 GB used. Valid until 2 Dec at 00:00." },
    { "none", 0, 50, G_GUINT64_CONSTANT (2500000000), "Mobile data: 50% used",
      "Japan Travel eSIM: 2.5 GB of 5 GB used." },
    /* A first-use plan before its first byte has no end yet. */
    { "days:8", 0, 1, 50000000, "Mobile data: 1% used",
      "Japan Travel eSIM: 50 MB of 5 GB used." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SbNotifyProfile profile = travel;
      g_autoptr(SbNotification) n = NULL;

      profile.period = cases[i].period;
      profile.period_end = cases[i].period_end;
      n = sb_notify_threshold_new (&profile, cases[i].percent, cases[i].used, 5 * GB);
      g_assert_cmpstr (n->summary, ==, cases[i].summary);
      g_assert_cmpstr (n->body, ==, cases[i].body);
      g_assert_cmpint (n->urgency, ==, SB_URGENCY_NORMAL);
      g_assert_cmpstr (n->category, ==, "network");
      g_assert_cmpuint (n->actions->len, ==, 0);
    }
}

static void
test_exhausted (void)
{
  static const struct {
    const char *period;
    gint64      period_end;
    gboolean    expired;
    gboolean    cut;
    const char *summary;
    const char *body;
    const char *allow_period; /* NULL: no actions */
  } cases[] = {
    { "monthly:2", DEC2_UTC, FALSE, TRUE, "Mobile data stopped",
      "Japan Travel eSIM has used its 5 GB budget; the connection was turned off until 2 Dec at 00:00.",
      "Allow until the period ends" },
    { "days:8", DEC2_UTC, FALSE, TRUE, "Mobile data stopped",
      "Japan Travel eSIM has used its 5 GB budget; the connection was turned off.",
      "Allow until the plan ends" },
    { "none", 0, FALSE, TRUE, "Mobile data stopped",
      "Japan Travel eSIM has used its 5 GB budget; the connection was turned off.",
      "Allow without a limit" },
    { "monthly:2", DEC2_UTC, FALSE, FALSE, "Mobile data budget used up",
      "Japan Travel eSIM has used its 5 GB budget.", NULL },
    { "days:8", DEC2_UTC, TRUE, TRUE, "Mobile data plan ended",
      "The Japan Travel eSIM plan ended on 2 Dec at 00:00; the connection was turned off.",
      "Allow without a limit" },
    { "days:8", DEC2_UTC, TRUE, FALSE, "Mobile data plan ended",
      "The Japan Travel eSIM plan ended on 2 Dec at 00:00.", NULL },
    { "days:8", 0, TRUE, TRUE, "Mobile data plan ended",
      "The Japan Travel eSIM plan has ended; the connection was turned off.",
      "Allow without a limit" },
    { "days:8", 0, TRUE, FALSE, "Mobile data plan ended",
      "The Japan Travel eSIM plan has ended.", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SbNotifyProfile profile = travel;
      g_autoptr(SbNotification) n = NULL;

      profile.period = cases[i].period;
      profile.period_end = cases[i].period_end;
      n = sb_notify_exhausted_new (&profile, cases[i].expired, cases[i].cut);
      g_assert_cmpstr (n->summary, ==, cases[i].summary);
      g_assert_cmpstr (n->body, ==, cases[i].body);
      g_assert_cmpint (n->urgency, ==, SB_URGENCY_CRITICAL);
      g_assert_cmpstr (n->category, ==, cases[i].cut ? "network.disconnected" : "network");
      if (cases[i].allow_period == NULL)
        {
          g_assert_cmpuint (n->actions->len, ==, 0);
          continue;
        }
      g_assert_cmpuint (n->actions->len, ==, 4);
      g_assert_cmpstr (g_ptr_array_index (n->actions, 0), ==, SB_NOTIFY_ACTION_ALLOW_MORE);
      g_assert_cmpstr (g_ptr_array_index (n->actions, 1), ==, "Allow 500 MB more");
      g_assert_cmpstr (g_ptr_array_index (n->actions, 2), ==, SB_NOTIFY_ACTION_ALLOW_PERIOD);
      g_assert_cmpstr (g_ptr_array_index (n->actions, 3), ==, cases[i].allow_period);
      g_assert_true (sb_notification_has_action (n, "allow-500mb"));
      g_assert_true (sb_notification_has_action (n, "allow-period"));
      /* Labels are not keys. */
      g_assert_false (sb_notification_has_action (n, "Allow 500 MB more"));
    }
}

static void
test_refused (void)
{
  static const struct {
    const char *reason;
    const char *body;
  } cases[] = {
    { NULL, "Japan Travel eSIM stays turned off: permission to allow more data was refused." },
    { "the simbudget service is not running.",
      "Japan Travel eSIM stays turned off: the simbudget service is not running." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SbNotification) n = sb_notify_refused_new (&travel, cases[i].reason);

      g_assert_cmpstr (n->summary, ==, "More data was not allowed");
      g_assert_cmpstr (n->body, ==, cases[i].body);
      g_assert_cmpint (n->urgency, ==, SB_URGENCY_NORMAL);
      g_assert_cmpuint (n->actions->len, ==, 0);
    }
}

static void
test_parameters (void)
{
  static const struct {
    gboolean expired;
    gboolean cut;
    gboolean threshold;
    guint32  replaces_id;
    guchar   urgency;
    gint32   timeout;
    guint    n_actions;
  } cases[] = {
    { FALSE, FALSE, TRUE, 0, 1, -1, 0 },
    { FALSE, FALSE, TRUE, 7, 1, -1, 0 },
    { FALSE, TRUE, FALSE, 7, 2, 0, 4 },
    { TRUE, FALSE, FALSE, 42, 2, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SbNotification) n = cases[i].threshold
        ? sb_notify_threshold_new (&travel, 80, 4 * GB, 5 * GB)
        : sb_notify_exhausted_new (&travel, cases[i].expired, cases[i].cut);
      g_autoptr(GVariant) params = g_variant_ref_sink (sb_notification_to_parameters (n, cases[i].replaces_id));
      g_autoptr(GVariant) actions = NULL;
      g_autoptr(GVariant) hints = NULL;
      const char *app, *icon, *summary, *body, *text;
      guint32 replaces_id;
      gint32 timeout;
      guchar urgency;
      gboolean resident = TRUE;

      g_assert_cmpstr (g_variant_get_type_string (params), ==, "(susssasa{sv}i)");
      g_variant_get (params, "(&su&s&s&s@as@a{sv}i)", &app, &replaces_id, &icon, &summary,
                     &body, &actions, &hints, &timeout);
      g_assert_cmpstr (app, !=, "");
      g_assert_cmpuint (replaces_id, ==, cases[i].replaces_id);
      g_assert_cmpstr (icon, ==, n->icon);
      g_assert_cmpstr (summary, ==, n->summary);
      g_assert_cmpstr (body, ==, n->body);
      g_assert_cmpint (timeout, ==, cases[i].timeout);
      g_assert_cmpuint (g_variant_n_children (actions), ==, cases[i].n_actions);

      g_assert_true (g_variant_lookup (hints, "urgency", "y", &urgency));
      g_assert_cmpuint (urgency, ==, cases[i].urgency);
      g_assert_true (g_variant_lookup (hints, "desktop-entry", "&s", &text));
      g_assert_cmpstr (text, ==, "simbudget-notify");
      g_assert_true (g_variant_lookup (hints, "category", "&s", &text));
      g_assert_cmpstr (text, ==, n->category);
      g_assert_true (g_variant_lookup (hints, "resident", "b", &resident));
      g_assert_false (resident);
    }
}

static void
test_memo (void)
{
  g_autoptr(SbNotification) n = sb_notify_threshold_new (&travel, 80, 4 * GB, 5 * GB);

  g_assert_false (sb_notification_memo_equal (n, "threshold:80", 100));
  sb_notification_set_memo (n, "threshold:80", 100);
  g_assert_true (sb_notification_memo_equal (n, "threshold:80", 100));
  g_assert_false (sb_notification_memo_equal (n, "threshold:80", 101));
  g_assert_false (sb_notification_memo_equal (n, "threshold:95", 100));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/notify/text/profile-name", test_profile_name);
  g_test_add_func ("/notify/text/format-time", test_format_time);
  g_test_add_func ("/notify/text/threshold", test_threshold);
  g_test_add_func ("/notify/text/exhausted", test_exhausted);
  g_test_add_func ("/notify/text/refused", test_refused);
  g_test_add_func ("/notify/text/parameters", test_parameters);
  g_test_add_func ("/notify/text/memo", test_memo);
  return g_test_run ();
}
