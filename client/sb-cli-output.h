/*
 * Terminal output: the terminal's width, aligned tables and key: value
 * views, all measured in terminal cells.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Width of the terminal in cells: $COLUMNS when it is a positive number,
 * else the size of the terminal on stdout. 0 when neither is known (output
 * to a pipe or a file).
 */
guint sb_cli_terminal_width (void);

typedef struct _SbCliTable SbCliTable;

/* @headers: NULL-terminated; @right_aligned: one flag per column, or NULL. */
SbCliTable *sb_cli_table_new      (const char *const *headers,
                                   const gboolean    *right_aligned);
void        sb_cli_table_free     (SbCliTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbCliTable, sb_cli_table_free)

/* @cells: one string per column (copied). */
void        sb_cli_table_add_row  (SbCliTable *table, const char *const *cells);
/* Width in cells of the widest rendered line. */
guint       sb_cli_table_width    (SbCliTable *table);
/* Header and rows, columns two spaces apart, no trailing spaces. */
char       *sb_cli_table_render   (SbCliTable *table);

typedef struct _SbCliFields SbCliFields;

SbCliFields *sb_cli_fields_new    (void);
void         sb_cli_fields_free   (SbCliFields *fields);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbCliFields, sb_cli_fields_free)

/* Adds "label: value"; a NULL or empty value shows as "—". */
void         sb_cli_fields_add    (SbCliFields *fields,
                                   const char  *label,
                                   const char  *value);
/* Labels padded so that the values line up. */
char        *sb_cli_fields_render (SbCliFields *fields);

G_END_DECLS
