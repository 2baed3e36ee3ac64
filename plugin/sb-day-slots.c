#include "sb-day-slots.h"

/* The days holding G_MININT64 and G_MAXINT64. */
#define MIN_DAY (G_MININT64 / SB_SECONDS_PER_DAY - 1)
#define MAX_DAY (G_MAXINT64 / SB_SECONDS_PER_DAY)

G_STATIC_ASSERT (SB_SECONDS_PER_DAY % SB_BUCKET_SECONDS == 0);
G_STATIC_ASSERT (SB_SLOT_KEYS <= 256);

gint64
sb_day_of (gint64 when)
{
  gint64 q = when / SB_SECONDS_PER_DAY;

  return (when % SB_SECONDS_PER_DAY < 0) ? q - 1 : q;
}

void
sb_day_slot_key (gint64    start,
                 gboolean  roaming,
                 gint64   *out_day,
                 guint    *out_key)
{
  gint64 second = start % SB_SECONDS_PER_DAY;

  if (second < 0)
    second += SB_SECONDS_PER_DAY;
  *out_day = sb_day_of (start);
  *out_key = (guint) (second / SB_BUCKET_SECONDS) * 2 + (roaming ? 1 : 0);
}

/* The start of slot key @key of @day; FALSE when it is not a gint64 (a
 * damaged row: the store never writes one). */
static gboolean
slot_start (gint64  day,
            guint   key,
            gint64 *out)
{
  gint64 second = (gint64) (key / 2) * SB_BUCKET_SECONDS;

  if (day < MIN_DAY || day > MAX_DAY)
    return FALSE;
  if (day >= 0)
    {
      gint64 midnight = day * SB_SECONDS_PER_DAY;

      if (midnight > G_MAXINT64 - second)
        return FALSE;
      *out = midnight + second;
    }
  else
    {
      /* Counted back from the next midnight, which is representable. */
      gint64 next = (day + 1) * SB_SECONDS_PER_DAY;
      gint64 back = SB_SECONDS_PER_DAY - second;

      if (next < G_MININT64 + back)
        return FALSE;
      *out = next - back;
    }
  return TRUE;
}

static inline gboolean
varint_read (const guint8 **p,
             const guint8  *end,
             guint64       *out)
{
  const guint8 *q = *p;
  guint64 value = 0;

  /* Most counts of 15 minutes take one to three bytes: read those
   * without the loop, which is most of reading a year back. */
  if (end - q >= 3)
    {
      if (q[0] < 0x80)
        {
          *out = q[0];
          *p = q + 1;
          return TRUE;
        }
      if (q[1] < 0x80)
        {
          *out = (q[0] & 0x7fu) | (guint64) q[1] << 7;
          *p = q + 2;
          return TRUE;
        }
      if (q[2] < 0x80)
        {
          *out = (q[0] & 0x7fu) | (guint64) (q[1] & 0x7fu) << 7 | (guint64) q[2] << 14;
          *p = q + 3;
          return TRUE;
        }
    }

  for (guint shift = 0; shift <= 63 && q < end; shift += 7)
    {
      guint8 byte = *q++;

      value |= (guint64) (byte & 0x7f) << shift;
      if (byte < 0x80)
        {
          /* The tenth byte holds bit 63 only. */
          if (shift == 63 && byte > 1)
            return FALSE;
          *p = q;
          *out = value;
          return TRUE;
        }
    }
  return FALSE;
}

static guint8 *
varint_write (guint8  *p,
              guint64  value)
{
  while (value >= 0x80)
    {
      *p++ = (guint8) (value & 0x7f) | 0x80;
      value >>= 7;
    }
  *p++ = (guint8) value;
  return p;
}

gboolean
sb_day_slots_decode (const guint8 *data,
                     gsize         length,
                     SbDaySlots   *day)
{
  const guint8 *p = data, *end = data + length;

  day->n = 0;
  while (p < end)
    {
      SbSlotEntry *entry;

      if (day->n == SB_SLOT_KEYS ||
          *p >= SB_SLOT_KEYS ||
          (day->n > 0 && *p <= day->entries[day->n - 1].key))
        return FALSE;
      entry = &day->entries[day->n];
      entry->key = *p++;
      if (!varint_read (&p, end, &entry->rx) || !varint_read (&p, end, &entry->tx))
        return FALSE;
      day->n++;
    }
  return TRUE;
}

gsize
sb_day_slots_encode (const SbDaySlots *day,
                     guint8           *buffer)
{
  guint8 *p = buffer;

  for (guint i = 0; i < day->n; i++)
    {
      *p++ = day->entries[i].key;
      p = varint_write (p, day->entries[i].rx);
      p = varint_write (p, day->entries[i].tx);
    }
  return (gsize) (p - buffer);
}

void
sb_day_slots_merge (const SbDaySlots *a,
                    const SbDaySlots *b,
                    SbDaySlots       *out)
{
  guint i = 0, j = 0;

  out->n = 0;
  while (i < a->n || j < b->n)
    {
      SbSlotEntry *entry = &out->entries[out->n++];

      if (j == b->n || (i < a->n && a->entries[i].key < b->entries[j].key))
        *entry = a->entries[i++];
      else if (i == a->n || b->entries[j].key < a->entries[i].key)
        *entry = b->entries[j++];
      else
        {
          entry->key = a->entries[i].key;
          entry->rx = sb_u64_add_sat (a->entries[i].rx, b->entries[j].rx);
          entry->tx = sb_u64_add_sat (a->entries[i].tx, b->entries[j].tx);
          i++;
          j++;
        }
    }
}

/* The hot loop of reading history: it decodes as sb_day_slots_decode()
 * does, in one pass. */
gboolean
sb_day_slots_foreach (gint64        day,
                      guint64       day_rx,
                      guint64       day_tx,
                      const guint8 *data,
                      gsize         length,
                      gint64        from,
                      gint64        to,
                      SbBucketFunc  func,
                      gpointer      user_data)
{
  const guint8 *p = data, *end = data + length;
  SbBucketRow bucket = { 0 };
  guint64 rx_sum = 0, tx_sum = 0;
  gboolean pending = FALSE;
  /* Inside these days no start is near the ends of gint64. */
  gboolean plain = day > MIN_DAY && day < MAX_DAY;
  gint64 midnight = plain ? day * SB_SECONDS_PER_DAY : 0;
  int last_key = -1;

  while (p < end)
    {
      guint key = *p++;
      gboolean roaming = (key & 1) != 0;
      guint64 rx, tx;
      gint64 start;

      if ((int) key <= last_key || key >= SB_SLOT_KEYS ||
          !varint_read (&p, end, &rx) || !varint_read (&p, end, &tx))
        return FALSE;
      last_key = (int) key;
      rx_sum = sb_u64_add_sat (rx_sum, rx);
      tx_sum = sb_u64_add_sat (tx_sum, tx);

      if (plain)
        start = midnight + (gint64) (key / 2) * SB_BUCKET_SECONDS;
      else if (!slot_start (day, key, &start))
        return FALSE;
      if (start < from || start >= to)
        continue;

      /* A roaming entry (odd key) follows the home entry of its slot. */
      if (pending && !(roaming && bucket.start == start))
        {
          func (&bucket, user_data);
          pending = FALSE;
        }
      if (!pending)
        {
          bucket = (SbBucketRow) { .start = start };
          pending = TRUE;
        }
      bucket.rx = sb_u64_add_sat (bucket.rx, rx);
      bucket.tx = sb_u64_add_sat (bucket.tx, tx);
      if (roaming)
        {
          bucket.roaming_rx = rx;
          bucket.roaming_tx = tx;
        }
    }
  if (pending)
    func (&bucket, user_data);
  return rx_sum == day_rx && tx_sum == day_tx;
}
