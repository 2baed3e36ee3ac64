/* Counter sequences: every byte counted once. */
#include "sb-counter.h"

#define U32 (G_GUINT64_CONSTANT (1) << 32)

typedef struct {
  guint64 session, rx, tx;
  gboolean has_totals;
  guint64 total_rx, total_tx;
  /* expected */
  guint64 d_rx, d_tx;
  SbCounterEvent event;
} Step;

typedef struct {
  const char *name;
  const Step steps[8];
  guint64 sum_rx, sum_tx;   /* expected over the sequence */
} Sequence;

#define T TRUE
#define F FALSE
#define END { .session = G_MAXUINT64 }

static const Sequence sequences[] = {
  { "first-sample-counts-whole-session", {
      { 100, 5000, 700, T, 5000, 700, 5000, 700, SB_COUNTER_FIRST },
      END }, 5000, 700 },
  { "steady-growth", {
      { 100, 0, 0, T, 0, 0, 0, 0, SB_COUNTER_FIRST },
      { 100, 1000, 10, T, 1000, 10, 1000, 10, SB_COUNTER_SAME },
      { 100, 1000, 10, T, 1000, 10, 0, 0, SB_COUNTER_SAME },
      { 100, 9000, 90, T, 9000, 90, 8000, 80, SB_COUNTER_SAME },
      END }, 9000, 90 },
  { "reconnect-uses-totals-for-unseen-tail", {
      /* 3000 rx of session 100 happened after the last reading */
      { 100, 1000, 100, T, 1000, 100, 1000, 100, SB_COUNTER_FIRST },
      { 200, 500, 50, T, 4500, 250, 3500, 150, SB_COUNTER_NEW_SESSION },
      { 200, 800, 60, T, 4800, 260, 300, 10, SB_COUNTER_SAME },
      END }, 4800, 260 },
  { "reconnect-without-totals-counts-new-session", {
      { 100, 1000, 100, F, 0, 0, 1000, 100, SB_COUNTER_FIRST },
      { 200, 500, 50, F, 0, 0, 500, 50, SB_COUNTER_NEW_SESSION },
      END }, 1500, 150 },
  { "reconnect-with-totals-behind-new-session", {
      /* totals inconsistent (smaller than the new session): ignore them */
      { 100, 1000, 100, T, 1000, 100, 1000, 100, SB_COUNTER_FIRST },
      { 200, 500, 50, T, 1200, 120, 500, 50, SB_COUNTER_NEW_SESSION },
      END }, 1500, 150 },
  { "reconnect-with-totals-gone-backwards", {
      { 100, 1000, 100, T, 9000, 900, 1000, 100, SB_COUNTER_FIRST },
      { 200, 500, 50, T, 500, 50, 500, 50, SB_COUNTER_NEW_SESSION },
      END }, 1500, 150 },
  { "modem-reset-same-session", {
      { 100, 1000000, 1000, F, 0, 0, 1000000, 1000, SB_COUNTER_FIRST },
      { 100, 2000, 10, F, 0, 0, 2000, 10, SB_COUNTER_RESET },
      { 100, 5000, 20, F, 0, 0, 3000, 10, SB_COUNTER_SAME },
      END }, 1005000, 1020 },
  { "reset-in-one-direction-only", {
      { 100, 1000000, 1000, F, 0, 0, 1000000, 1000, SB_COUNTER_FIRST },
      { 100, 1000500, 10, F, 0, 0, 500, 10, SB_COUNTER_RESET },
      END }, 1000500, 1010 },
  { "wrap-32-bit", {
      { 7, U32 - 1000, 10, F, 0, 0, U32 - 1000, 10, SB_COUNTER_FIRST },
      { 7, 500, 20, F, 0, 0, 1500, 10, SB_COUNTER_WRAP32 },
      { 7, 700, 30, F, 0, 0, 200, 10, SB_COUNTER_SAME },
      END }, U32 + 700, 30 },
  { "low-32-bit-value-going-back-is-reset-not-wrap", {
      { 7, 1000000, 10, F, 0, 0, 1000000, 10, SB_COUNTER_FIRST },
      { 7, 10, 10, F, 0, 0, 10, 0, SB_COUNTER_RESET },
      END }, 1000010, 10 },
  { "64-bit-values-going-back-are-reset", {
      { 7, U32 * 10, 10, F, 0, 0, U32 * 10, 10, SB_COUNTER_FIRST },
      { 7, 5, 10, F, 0, 0, 5, 0, SB_COUNTER_RESET },
      END }, U32 * 10 + 5, 10 },
  { "huge-values-no-overflow", {
      { 1, G_MAXUINT64 - 10, 0, F, 0, 0, G_MAXUINT64 - 10, 0, SB_COUNTER_FIRST },
      { 1, G_MAXUINT64, 0, F, 0, 0, 10, 0, SB_COUNTER_SAME },
      END }, G_MAXUINT64, 0 },
  { "session-zero-then-real", {
      /* a disconnected bearer shows session 0 with old counters */
      { 0, 0, 0, T, 0, 0, 0, 0, SB_COUNTER_FIRST },
      { 300, 10, 1, T, 10, 1, 10, 1, SB_COUNTER_NEW_SESSION },
      END }, 10, 1 },
};

static void
test_sequence (gconstpointer data)
{
  const Sequence *seq = data;
  SbCounterSnapshot snap = { 0 };
  guint64 sum_rx = 0, sum_tx = 0;

  for (guint i = 0; seq->steps[i].session != G_MAXUINT64; i++)
    {
      const Step *st = &seq->steps[i];
      SbCounterSample s = {
        .session = st->session, .rx = st->rx, .tx = st->tx,
        .has_totals = st->has_totals,
        .total_rx = st->total_rx, .total_tx = st->total_tx,
      };
      guint64 d_rx = G_MAXUINT64, d_tx = G_MAXUINT64;
      SbCounterEvent ev = sb_counter_advance (&snap, &s, &d_rx, &d_tx);

      g_test_message ("%s step %u: %s rx+%" G_GUINT64_FORMAT " tx+%" G_GUINT64_FORMAT,
                      seq->name, i, sb_counter_event_to_string (ev), d_rx, d_tx);
      g_assert_cmpstr (sb_counter_event_to_string (ev), ==,
                       sb_counter_event_to_string (st->event));
      g_assert_cmpuint (d_rx, ==, st->d_rx);
      g_assert_cmpuint (d_tx, ==, st->d_tx);
      g_assert_true (snap.valid);
      g_assert_cmpuint (snap.last.rx, ==, st->rx);
      sum_rx += d_rx;
      sum_tx += d_tx;
    }

  g_assert_cmpuint (sum_rx, ==, seq->sum_rx);
  g_assert_cmpuint (sum_tx, ==, seq->sum_tx);
}

/* A restart resumes from the persisted snapshot: replaying the same sample
 * counts nothing; the bytes after it count once. */
static void
test_resume (void)
{
  SbCounterSnapshot snap = { 0 };
  SbCounterSample a = { 42, 1000, 100, TRUE, 1000, 100 };
  SbCounterSample b = { 42, 1500, 150, TRUE, 1500, 150 };
  SbCounterSnapshot persisted;
  guint64 rx, tx;

  sb_counter_advance (&snap, &a, &rx, &tx);
  persisted = snap;
  /* the daemon dies before b is persisted; after restart it sees b again */
  sb_counter_advance (&snap, &b, &rx, &tx);
  g_assert_cmpuint (rx, ==, 500);
  snap = persisted;
  g_assert_cmpint (sb_counter_advance (&snap, &b, &rx, &tx), ==, SB_COUNTER_SAME);
  g_assert_cmpuint (rx, ==, 500);
  g_assert_cmpuint (tx, ==, 50);
  g_assert_cmpint (sb_counter_advance (&snap, &b, &rx, &tx), ==, SB_COUNTER_SAME);
  g_assert_cmpuint (rx, ==, 0);
  g_assert_cmpuint (tx, ==, 0);
}

/* After an eSIM switch the new profile starts from the current counters. */
static void
test_rebase (void)
{
  SbCounterSnapshot snap = { 0 };
  SbCounterSample s = { 9, 7000, 700, TRUE, 7000, 700 };
  SbCounterSample t = { 9, 7100, 710, TRUE, 7100, 710 };
  guint64 rx, tx;

  sb_counter_rebase (&snap, &s);
  g_assert_cmpint (sb_counter_advance (&snap, &t, &rx, &tx), ==, SB_COUNTER_SAME);
  g_assert_cmpuint (rx, ==, 100);
  g_assert_cmpuint (tx, ==, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sequences); i++)
    {
      g_autofree char *path = g_strdup_printf ("/counter/sequence/%s", sequences[i].name);
      g_test_add_data_func (path, &sequences[i], test_sequence);
    }
  g_test_add_func ("/counter/resume", test_resume);
  g_test_add_func ("/counter/rebase", test_rebase);

  return g_test_run ();
}
