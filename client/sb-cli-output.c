#define G_LOG_DOMAIN "sb-cli-output"

#include "sb-cli-output.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sb-cli-util.h"

guint
sb_cli_terminal_width (void)
{
  const char *columns = g_getenv ("COLUMNS");
  struct winsize size = { 0 };

  if (columns != NULL && *columns != '\0')
    {
      guint64 value;

      if (g_ascii_string_to_unsigned (columns, 10, 1, 10000, &value, NULL))
        return (guint) value;
    }

  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col > 0)
    return size.ws_col;
  return 0;
}

struct _SbCliTable {
  guint      n_columns;
  gboolean  *right_aligned;
  GPtrArray *rows;           /* (element-type GStrv), the header first */
};

SbCliTable *
sb_cli_table_new (const char *const *headers,
                  const gboolean    *right_aligned)
{
  SbCliTable *table = g_new0 (SbCliTable, 1);

  table->n_columns = g_strv_length ((char **) headers);
  table->right_aligned = g_new0 (gboolean, table->n_columns);
  if (right_aligned != NULL)
    memcpy (table->right_aligned, right_aligned, table->n_columns * sizeof (gboolean));
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (table->rows, g_strdupv ((char **) headers));
  return table;
}

void
sb_cli_table_free (SbCliTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->rows);
  g_free (table->right_aligned);
  g_free (table);
}

void
sb_cli_table_add_row (SbCliTable *table, const char *const *cells)
{
  char **row = g_new0 (char *, table->n_columns + 1);

  for (guint i = 0; i < table->n_columns; i++)
    row[i] = g_strdup (cells[i] ? cells[i] : "");
  g_ptr_array_add (table->rows, row);
}

static guint *
column_widths (SbCliTable *table)
{
  guint *widths = g_new0 (guint, table->n_columns);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], sb_cli_text_width (row[c]));
    }
  return widths;
}

guint
sb_cli_table_width (SbCliTable *table)
{
  g_autofree guint *widths = column_widths (table);
  guint total = 0;

  for (guint c = 0; c < table->n_columns; c++)
    total += widths[c] + (c > 0 ? 2 : 0);
  return total;
}

char *
sb_cli_table_render (SbCliTable *table)
{
  g_autofree guint *widths = column_widths (table);
  GString *out = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      gsize line_start = out->len;

      for (guint c = 0; c < table->n_columns; c++)
        {
          if (c > 0)
            g_string_append (out, "  ");
          sb_cli_append_padded (out, row[c], widths[c], table->right_aligned[c]);
        }
      /* The last column is usually left-aligned: no padding at line end. */
      while (out->len > line_start && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

struct _SbCliFields {
  GPtrArray *labels;
  GPtrArray *values;
};

SbCliFields *
sb_cli_fields_new (void)
{
  SbCliFields *fields = g_new0 (SbCliFields, 1);

  fields->labels = g_ptr_array_new_with_free_func (g_free);
  fields->values = g_ptr_array_new_with_free_func (g_free);
  return fields;
}

void
sb_cli_fields_free (SbCliFields *fields)
{
  if (fields == NULL)
    return;
  g_ptr_array_unref (fields->labels);
  g_ptr_array_unref (fields->values);
  g_free (fields);
}

void
sb_cli_fields_add (SbCliFields *fields,
                   const char  *label,
                   const char  *value)
{
  g_ptr_array_add (fields->labels, g_strconcat (label, ":", NULL));
  g_ptr_array_add (fields->values, g_strdup (value && *value ? value : "—"));
}

char *
sb_cli_fields_render (SbCliFields *fields)
{
  GString *out = g_string_new (NULL);
  guint width = 0;

  for (guint i = 0; i < fields->labels->len; i++)
    width = MAX (width, sb_cli_text_width (g_ptr_array_index (fields->labels, i)));

  for (guint i = 0; i < fields->labels->len; i++)
    {
      sb_cli_append_padded (out, g_ptr_array_index (fields->labels, i), width + 1, FALSE);
      g_string_append (out, g_ptr_array_index (fields->values, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
