/* The packed day of history: what is written reads back, what was not
 * written is refused. */
#include "sb-day-slots.h"

#define DAY SB_SECONDS_PER_DAY
#define SLOT SB_BUCKET_SECONDS

static void
test_day_and_key (void)
{
  static const struct {
    gint64 start;
    gboolean roaming;
    gint64 day;
    guint key;
  } cases[] = {
    { 0, FALSE, 0, 0 },
    { 0, TRUE, 0, 1 },
    { DAY - SLOT, TRUE, 0, SB_SLOT_KEYS - 1 },
    { DAY, FALSE, 1, 0 },
    { -SLOT, FALSE, -1, SB_SLOT_KEYS - 2 },      /* before 1970 */
    { -DAY, TRUE, -1, 1 },
    { 1795132800 + 13 * SLOT, FALSE, 20777, 26 }, /* 2026-11-24 03:15 UTC */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 day;
      guint key;

      sb_day_slot_key (cases[i].start, cases[i].roaming, &day, &key);
      g_assert_cmpint (day, ==, cases[i].day);
      g_assert_cmpuint (key, ==, cases[i].key);
      g_assert_cmpint (sb_day_of (cases[i].start), ==, cases[i].day);
    }
  g_assert_cmpint (sb_day_of (G_MININT64), ==, G_MININT64 / DAY - 1);
  g_assert_cmpint (sb_day_of (G_MAXINT64), ==, G_MAXINT64 / DAY);
}

static void
test_round_trip (void)
{
  static const SbSlotEntry entries[] = {
    { 0, 0, 0 },                         /* a bucket with nothing in it still exists */
    { 1, 127, 128 },                     /* one and two varint bytes */
    { 40, 16383, 16384 },
    { 41, G_MAXUINT32, (guint64) G_MAXUINT32 + 1 },
    { SB_SLOT_KEYS - 1, G_MAXUINT64, G_MAXUINT64 - 1 },
  };
  SbDaySlots day = { 0 }, back = { 0 };
  guint8 buffer[SB_DAY_SLOTS_MAX_BYTES];
  gsize length;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    day.entries[day.n++] = entries[i];
  length = sb_day_slots_encode (&day, buffer);
  /* key, then 1+1, 1+2, 1+2+3, 1+5+5, 1+10+10 bytes */
  g_assert_cmpuint (length, ==, 3 + 4 + 6 + 11 + 21);
  g_assert_true (sb_day_slots_decode (buffer, length, &back));
  g_assert_cmpuint (back.n, ==, day.n);
  g_assert_cmpmem (back.entries, back.n * sizeof (SbSlotEntry), day.entries, day.n * sizeof (SbSlotEntry));

  /* a full day, every key */
  day.n = 0;
  for (guint k = 0; k < SB_SLOT_KEYS; k++)
    day.entries[day.n++] = (SbSlotEntry) { k, G_MAXUINT64 - k, k };
  length = sb_day_slots_encode (&day, buffer);
  g_assert_cmpuint (length, <=, SB_DAY_SLOTS_MAX_BYTES);
  g_assert_true (sb_day_slots_decode (buffer, length, &back));
  g_assert_cmpuint (back.n, ==, SB_SLOT_KEYS);
  g_assert_cmpuint (back.entries[SB_SLOT_KEYS - 1].rx, ==, G_MAXUINT64 - (SB_SLOT_KEYS - 1));

  g_assert_true (sb_day_slots_decode (buffer, 0, &back));
  g_assert_cmpuint (back.n, ==, 0);
}

static void
test_refused (void)
{
  static const struct {
    const char *name;
    guint8 data[24];
    gsize length;
  } cases[] = {
    { "key out of range", { SB_SLOT_KEYS, 1, 1 }, 3 },
    { "keys not ascending", { 5, 1, 1, 4, 1, 1 }, 6 },
    { "key twice", { 5, 1, 1, 5, 1, 1 }, 6 },
    { "tx missing", { 5, 1 }, 2 },
    { "varint cut short", { 5, 0x80, 0x80 }, 3 },
    { "varint past 64 bits", { 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0 }, 12 },
    { "eleven varint bytes", { 5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0 }, 13 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SbDaySlots day;

      g_test_message ("%s", cases[i].name);
      g_assert_false (sb_day_slots_decode (cases[i].data, cases[i].length, &day));
    }
}

static void
test_merge (void)
{
  SbDaySlots a = { 3, { { 0, 1, 2 }, { 7, 10, 20 }, { 9, G_MAXUINT64, 1 } } };
  SbDaySlots b = { 3, { { 1, 5, 5 }, { 7, 1, 2 }, { 9, 1, 1 } } };
  SbDaySlots out;

  sb_day_slots_merge (&a, &b, &out);
  g_assert_cmpuint (out.n, ==, 4);
  g_assert_cmpuint (out.entries[0].key, ==, 0);
  g_assert_cmpuint (out.entries[1].key, ==, 1);
  g_assert_cmpuint (out.entries[2].rx, ==, 11);
  g_assert_cmpuint (out.entries[2].tx, ==, 22);
  /* saturates, never wraps */
  g_assert_cmpuint (out.entries[3].rx, ==, G_MAXUINT64);
  g_assert_cmpuint (out.entries[3].tx, ==, 2);
}

typedef struct {
  SbBucketRow rows[8];
  guint n;
} Collected;

static void
collect (const SbBucketRow *bucket, gpointer user_data)
{
  Collected *c = user_data;

  g_assert_cmpuint (c->n, <, G_N_ELEMENTS (c->rows));
  c->rows[c->n++] = *bucket;
}

static void
test_foreach (void)
{
  /* day 2: slot 0 home, slot 3 home and roaming, slot 95 roaming only */
  SbDaySlots day = { 4, { { 0, 100, 10 }, { 6, 200, 20 }, { 7, 50, 5 }, { 191, 7, 1 } } };
  guint8 buffer[SB_DAY_SLOTS_MAX_BYTES];
  gsize length = sb_day_slots_encode (&day, buffer);
  gint64 midnight = 2 * DAY;
  Collected c = { 0 };

  g_assert_true (sb_day_slots_foreach (2, 357, 36, buffer, length, G_MININT64, G_MAXINT64, collect, &c));
  g_assert_cmpuint (c.n, ==, 3);
  g_assert_cmpint (c.rows[0].start, ==, midnight);
  g_assert_cmpuint (c.rows[0].rx, ==, 100);
  g_assert_cmpuint (c.rows[0].roaming_rx, ==, 0);
  g_assert_cmpint (c.rows[1].start, ==, midnight + 3 * SLOT);
  g_assert_cmpuint (c.rows[1].rx, ==, 250);
  g_assert_cmpuint (c.rows[1].tx, ==, 25);
  g_assert_cmpuint (c.rows[1].roaming_rx, ==, 50);
  g_assert_cmpuint (c.rows[1].roaming_tx, ==, 5);
  g_assert_cmpint (c.rows[2].start, ==, midnight + DAY - SLOT);
  g_assert_cmpuint (c.rows[2].roaming_rx, ==, 7);

  /* only the buckets that start in [from, to) */
  c.n = 0;
  g_assert_true (sb_day_slots_foreach (2, 357, 36, buffer, length, midnight + SLOT, midnight + DAY - SLOT,
                                       collect, &c));
  g_assert_cmpuint (c.n, ==, 1);
  g_assert_cmpint (c.rows[0].start, ==, midnight + 3 * SLOT);

  /* totals that do not add up: a row not written by the store */
  c.n = 0;
  g_assert_false (sb_day_slots_foreach (2, 358, 36, buffer, length, G_MININT64, G_MAXINT64, collect, &c));

  /* the last day gint64 can hold: starts past G_MAXINT64 are refused */
  c.n = 0;
  g_assert_false (sb_day_slots_foreach (G_MAXINT64 / DAY, 357, 36, buffer, length, G_MININT64, G_MAXINT64,
                                        collect, &c));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/day-slots/day-and-key", test_day_and_key);
  g_test_add_func ("/day-slots/round-trip", test_round_trip);
  g_test_add_func ("/day-slots/refused", test_refused);
  g_test_add_func ("/day-slots/merge", test_merge);
  g_test_add_func ("/day-slots/foreach", test_foreach);
  return g_test_run ();
}
