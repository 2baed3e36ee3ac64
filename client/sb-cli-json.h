/*
 * A small streaming JSON writer for `--json` output. Our own because sizes
 * are unsigned 64-bit (an unlimited allowance is 2^64 - 1), which JSON
 * libraries built on gint64 cannot write.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbJson SbJson;

/* Pretty (indented, multi-line) unless @compact: one line, for streams. */
SbJson *sb_json_new (gboolean compact);
void    sb_json_free (SbJson *json);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbJson, sb_json_free)

void sb_json_begin_object (SbJson *json);
void sb_json_end_object   (SbJson *json);
void sb_json_begin_array  (SbJson *json);
void sb_json_end_array    (SbJson *json);

/* Inside an object, names the next value. */
void sb_json_key (SbJson *json, const char *key);

void sb_json_string (SbJson *json, const char *value); /* NULL writes null */
void sb_json_int    (SbJson *json, gint64 value);
void sb_json_uint   (SbJson *json, guint64 value);
void sb_json_bool   (SbJson *json, gboolean value);
void sb_json_null   (SbJson *json);

/* The document so far, with a final newline when complete. */
char *sb_json_to_string (SbJson *json);

G_END_DECLS
