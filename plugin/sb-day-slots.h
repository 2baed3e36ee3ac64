/*
 * The packed form of one day of history (schema version 2 and later). A
 * row of `buckets` is one UTC day of one profile: day = floor(start /
 * 86400), rx and tx the day's totals (saturating, home and roaming), slots
 * its buckets. slots is a list of entries in strictly ascending key order,
 * key = slot * 2 + roaming with slot = (start mod 86400) / 900 (0..95): the
 * key as one byte, then rx and tx as unsigned LEB128 varints. An entry is a
 * bucket that exists, even if both counts are 0; a day has at most 192
 * entries.
 */
#pragma once

#include <glib.h>

#include "sb-store.h"

G_BEGIN_DECLS

#define SB_SECONDS_PER_DAY 86400
#define SB_SLOTS_PER_DAY (SB_SECONDS_PER_DAY / SB_BUCKET_SECONDS)
#define SB_SLOT_KEYS (2 * SB_SLOTS_PER_DAY)
/* A key byte and two varints of at most ten bytes each, per entry. */
#define SB_DAY_SLOTS_MAX_BYTES (SB_SLOT_KEYS * (1 + 2 * 10))

typedef struct {
  guint8  key;
  guint64 rx;
  guint64 tx;
} SbSlotEntry;

typedef struct {
  guint       n;
  SbSlotEntry entries[SB_SLOT_KEYS];
} SbDaySlots;

static inline guint64
sb_u64_add_sat (guint64 a,
                guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* floor(@when / 86400): the day of @when, also before 1970. */
gint64   sb_day_of               (gint64 when);
/* The day and slot key of the bucket starting at @start (a multiple of
 * SB_BUCKET_SECONDS). */
void     sb_day_slot_key         (gint64 start, gboolean roaming, gint64 *out_day, guint *out_key);

/* FALSE for anything sb_day_slots_encode() did not write. */
gboolean sb_day_slots_decode     (const guint8 *data, gsize length, SbDaySlots *day);
/* Writes @day to @buffer (SB_DAY_SLOTS_MAX_BYTES); returns the length. */
gsize    sb_day_slots_encode     (const SbDaySlots *day, guint8 *buffer);
/* @a and @b merged into @out, counts of one key added. */
void     sb_day_slots_merge      (const SbDaySlots *a, const SbDaySlots *b, SbDaySlots *out);

/* Calls @func for the buckets of the packed day @data that start in
 * [@from, @to), home and roaming of one slot merged. FALSE for a row that
 * was not written by sb_day_slots_encode() or whose entries do not add up
 * to @day_rx and @day_tx, possibly after calls for some of it. */
gboolean sb_day_slots_foreach    (gint64 day, guint64 day_rx, guint64 day_tx,
                                  const guint8 *data, gsize length,
                                  gint64 from, gint64 to,
                                  SbBucketFunc func, gpointer user_data);

G_END_DECLS
