/* What reaches nft: escaped keys, checked interface names, parsed listings.
 * No kernel needed. */
#include "sb-quota.h"
#include "sb-error.h"

#include <gio/gio.h>

typedef struct {
  const char *key;
  const char *escaped;   /* NULL: refused */
} KeyCase;

static const KeyCase key_cases[] = {
  { "89811000222233334444", "89811000222233334444" },
  { "8981100022223333444F", "8981100022223333444F" },
  { "A", "A" },
  { "_41", "_5f41" },            /* must not collide with "A" */
  { "A_b", "A_5fb" },
  { "a b", "a_20b" },
  { "\"; flush ruleset; \"", "_22_3b_20flush_20ruleset_3b_20_22" },
  { "caf\xc3\xa9", "caf_c3_a9" },
  { "line\nbreak", "line_0abreak" },
  { "", NULL },
  { NULL, NULL },
};

static void
test_escape_key (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);
  g_autofree char *long_ok = g_strnfill (128, 'x');
  g_autofree char *too_long = g_strnfill (129, 'x');
  g_autofree char *too_long_escaped = g_strnfill (43, '-');   /* 129 escaped */
  g_autofree char *e_ok = NULL, *e_long = NULL, *e_long2 = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_autofree char *got = sb_quota_escape_key (key_cases[i].key);

      g_test_message ("key %u", i);
      g_assert_cmpstr (got, ==, key_cases[i].escaped);
      if (got == NULL)
        continue;
      for (const char *p = got; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '_');
      /* injective over the table */
      g_assert_false (g_hash_table_contains (seen, got));
      g_hash_table_add (seen, g_steal_pointer (&got));
    }

  e_ok = sb_quota_escape_key (long_ok);
  g_assert_cmpstr (e_ok, ==, long_ok);
  e_long = sb_quota_escape_key (too_long);
  g_assert_null (e_long);
  e_long2 = sb_quota_escape_key (too_long_escaped);
  g_assert_null (e_long2);
}

typedef struct {
  const char *ifname;
  gboolean valid;
} IfCase;

static const IfCase if_cases[] = {
  { "wwan0", TRUE },
  { "ppp0", TRUE },
  { "wwp0s20f0u6i12", TRUE },
  { "rmnet_data0", TRUE },
  { "enx0011.100", TRUE },
  { "usb-0", TRUE },
  { "abcdefghijklmno", TRUE },          /* 15: the kernel's limit */
  { "abcdefghijklmnop", FALSE },        /* 16 */
  { "", FALSE },
  { NULL, FALSE },
  { ".", FALSE },
  { "..", FALSE },
  { "eth0\" ; flush ruleset", FALSE },
  { "eth0\"", FALSE },
  { "eth 0", FALSE },
  { "eth0\n", FALSE },
  { "eth0;", FALSE },
  { "eth*", FALSE },                    /* nft wildcard */
  { "a/b", FALSE },
  { "a'b", FALSE },
  { "a\\b", FALSE },
  { "a{b}", FALSE },
  { "a$b", FALSE },
  { "w\xc3\xa9", FALSE },
};

static void
test_ifname (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (if_cases); i++)
    {
      g_test_message ("ifname %u", i);
      g_assert_cmpint (sb_quota_ifname_is_valid (if_cases[i].ifname), ==,
                       if_cases[i].valid);
    }
}

static void
test_instance (void)
{
  static const char *const same[] = {
    "/var/lib/simbudget", "/var/lib/simbudget/", "/var/lib//simbudget",
    "/var/lib/./simbudget",
  };
  static const char *const bad[] = { "", "a-b", "x;y", "a b", "é",
                                     "123456789012345678901234567890123" };
  g_autofree char *first = sb_quota_instance_from_state_dir (same[0]);
  g_autofree char *other = sb_quota_instance_from_state_dir ("/tmp/sb-test-1");
  g_autofree char *other2 = sb_quota_instance_from_state_dir ("/tmp/sb-test-2");

  g_assert_cmpuint (strlen (first), ==, 12);
  for (const char *p = first; *p; p++)
    g_assert_true (g_ascii_isxdigit (*p));
  for (guint i = 1; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *id = sb_quota_instance_from_state_dir (same[i]);
      g_assert_cmpstr (id, ==, first);
    }
  g_assert_cmpstr (first, !=, other);
  g_assert_cmpstr (other, !=, other2);

  /* Refused before anything reaches the kernel, so no privileges needed. */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbQuota) q = sb_quota_new (bad[i], &error);

      g_assert_null (q);
      g_assert_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS);
    }
}

typedef struct {
  const char *listing;
  gboolean ok;
  guint64 limit, used;
} ParseCase;

#define KIB G_GUINT64_CONSTANT (1024)

static const ParseCase parse_cases[] = {
  { "table inet t {\n\tquota q {\n\t\tover 10000 bytes used 10000 bytes\n\t}\n}\n",
    TRUE, 10000, 10000 },
  { "table inet t {\n\tquota q {\n\t\tover 1000000 bytes\n\t}\n}\n", TRUE, 1000000, 0 },
  { "over 1 mbytes used 2 kbytes", TRUE, KIB * KIB, 2 * KIB },
  { "over 1048576 mbytes used 1024 mbytes", TRUE, KIB * KIB * KIB * KIB, KIB * KIB * KIB },
  { "over 3 gbytes", TRUE, 3 * KIB * KIB * KIB, 0 },
  { "over 9223372036854775807 bytes", TRUE, G_MAXINT64, 0 },
  { "over 0 bytes", TRUE, 0, 0 },
  { "quota q { over 5 bytes used 3 bytes }", TRUE, 5, 3 },
  { "over 17179869184 gbytes", FALSE, 0, 0 },      /* 2^64: overflow */
  { "over 18446744073709551616 bytes", FALSE, 0, 0 },
  { "over x bytes", FALSE, 0, 0 },
  { "over -5 bytes", FALSE, 0, 0 },
  { "over 5 furlongs", FALSE, 0, 0 },
  { "over 5", FALSE, 0, 0 },
  { "over 5 bytes used", FALSE, 0, 0 },
  { "over 5 bytes used 3", FALSE, 0, 0 },
  { "over 5 bytes used 3 parsecs", FALSE, 0, 0 },
  { "until 5 bytes", FALSE, 0, 0 },
  { "", FALSE, 0, 0 },
  { NULL, FALSE, 0, 0 },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      guint64 limit = 7, used = 7;
      gboolean ok = sb_quota_parse_listing (parse_cases[i].listing, &limit, &used);

      g_test_message ("listing %u", i);
      g_assert_cmpint (ok, ==, parse_cases[i].ok);
      if (!ok)
        continue;
      g_assert_cmpuint (limit, ==, parse_cases[i].limit);
      g_assert_cmpuint (used, ==, parse_cases[i].used);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quota/names/escape-key", test_escape_key);
  g_test_add_func ("/quota/names/ifname", test_ifname);
  g_test_add_func ("/quota/names/instance", test_instance);
  g_test_add_func ("/quota/names/parse", test_parse);
  return g_test_run ();
}
