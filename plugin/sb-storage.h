/*
 * The database file and what to do when it cannot be used: a corrupt file
 * is kept aside and started afresh, a newer schema is left untouched, an
 * unwritable one is read into memory and taken over again once it can be
 * written. There is always a store to count into; what went wrong is one
 * line for StorageState.
 */
#pragma once

#include <glib.h>

#include "sb-store.h"

G_BEGIN_DECLS

typedef struct _SbStorage SbStorage;

typedef struct {
  /* sb_storage_get_problem() changed. */
  void (*problem_changed) (gpointer user_data);
  /* About to copy the store in memory into the file: write what is pending. */
  void (*before_reopen)   (gpointer user_data);
  /* The file took over; the old store is freed after this returns. */
  void (*store_replaced)  (gpointer user_data, SbStore *store);
} SbStorageCallbacks;

SbStorage  *sb_storage_open        (const char *state_dir, const SbStorageCallbacks *callbacks,
                                    gpointer user_data);
void        sb_storage_free        (SbStorage *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbStorage, sb_storage_free)

SbStore    *sb_storage_get_store   (SbStorage *self);
/* NULL while everything is written to the file. */
const char *sb_storage_get_problem (SbStorage *self);
/* The outcome of a write: @error set says the counts stay in memory, NULL
 * clears an earlier write failure. */
void        sb_storage_report_write (SbStorage *self, const GError *error);

G_END_DECLS
