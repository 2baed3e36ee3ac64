/*
 * Readings to counted bytes: keeps the counter snapshot of every source
 * (a ModemManager bearer, or a kernel interface), attributes deltas to a
 * profile and a 15-minute bucket, and writes counted bytes together with
 * the snapshots that account for them in one transaction: after a crash
 * the database is either before or after a reading, never half.
 */
#pragma once

#include <glib.h>

#include "sb-counter.h"
#include "sb-store.h"

G_BEGIN_DECLS

typedef struct _SbAccounting SbAccounting;

/* @store is borrowed and may be replaced with sb_accounting_set_store. */
SbAccounting *sb_accounting_new  (SbStore *store);
void          sb_accounting_free (SbAccounting *acc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbAccounting, sb_accounting_free)

void          sb_accounting_set_store (SbAccounting *acc, SbStore *store);

/*
 * Counts @sample of @source_key for @profile_key at @now. Returns TRUE
 * when anything changed that must be written (bytes or the snapshot);
 * @out_urgent: write at once — ModemManager's counters no longer hold
 * what was counted (a reset, a new session, a move to another profile),
 * so a crash before the write would lose it.
 * A source seen under another profile before (an eSIM switch) re-bases
 * when the session continues: those bytes were the other profile's.
 */
gboolean      sb_accounting_reading (SbAccounting          *acc,
                                     const char            *source_key,
                                     const char            *profile_key,
                                     const SbCounterSample *sample,
                                     gboolean               roaming,
                                     gint64                 now,
                                     guint64               *out_rx,
                                     guint64               *out_tx,
                                     gboolean              *out_urgent);

/* Bytes known only from the kernel (the tail of a session ModemManager
 * never reported): counted for @profile_key, with no snapshot. */
void          sb_accounting_add_usage (SbAccounting *acc, const char *profile_key, gint64 now,
                                       gboolean roaming, guint64 rx, guint64 tx);

/* Forgets the in-memory state of @source_key (kept in the database). */
void          sb_accounting_drop_source (SbAccounting *acc, const char *source_key);

/* Drops pending bytes and snapshots of @profile_key (Forget). */
void          sb_accounting_forget_profile (SbAccounting *acc, const char *profile_key);

gboolean      sb_accounting_has_pending (SbAccounting *acc);

typedef gboolean (*SbAccountingExtraWrites) (SbStore *store, gpointer user_data, GError **error);

/* Writes pending buckets and snapshots plus @profile_rows (SbProfileRow*,
 * borrowed) and whatever @extra writes, in one transaction. On error
 * nothing is lost: everything stays pending for the next attempt. */
gboolean      sb_accounting_flush (SbAccounting           *acc,
                                   GPtrArray              *profile_rows,
                                   SbAccountingExtraWrites extra,
                                   gpointer                extra_data,
                                   GError                **error);

G_END_DECLS
