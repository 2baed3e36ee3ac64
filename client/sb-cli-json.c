#define G_LOG_DOMAIN "sb-cli-json"

#include "sb-cli-json.h"

struct _SbJson {
  GString  *out;
  gboolean  compact;
  GArray   *counts;     /* gsize: values written in each open container */
  gboolean  after_key;  /* the next value completes a "key": pair */
};

SbJson *
sb_json_new (gboolean compact)
{
  SbJson *json = g_new0 (SbJson, 1);

  json->out = g_string_new (NULL);
  json->compact = compact;
  json->counts = g_array_new (FALSE, TRUE, sizeof (gsize));
  return json;
}

void
sb_json_free (SbJson *json)
{
  if (json == NULL)
    return;
  g_string_free (json->out, TRUE);
  g_array_unref (json->counts);
  g_free (json);
}

static void
newline_indent (SbJson *json)
{
  if (json->compact)
    return;
  g_string_append_c (json->out, '\n');
  for (guint i = 0; i < json->counts->len; i++)
    g_string_append (json->out, "  ");
}

/* Separator and indentation before a value or a key. */
static void
before_item (SbJson *json)
{
  gsize *count;

  if (json->after_key)
    {
      json->after_key = FALSE;
      return;
    }
  if (json->counts->len == 0)
    return;
  count = &g_array_index (json->counts, gsize, json->counts->len - 1);
  if (*count > 0)
    g_string_append_c (json->out, ',');
  (*count)++;
  newline_indent (json);
}

static void
append_escaped (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
begin (SbJson *json, char bracket)
{
  gsize zero = 0;

  before_item (json);
  g_string_append_c (json->out, bracket);
  g_array_append_val (json->counts, zero);
}

static void
end (SbJson *json, char bracket)
{
  gsize count;

  g_return_if_fail (json->counts->len > 0);
  count = g_array_index (json->counts, gsize, json->counts->len - 1);
  g_array_set_size (json->counts, json->counts->len - 1);
  if (count > 0)
    newline_indent (json);
  g_string_append_c (json->out, bracket);
}

void
sb_json_begin_object (SbJson *json)
{
  begin (json, '{');
}

void
sb_json_end_object (SbJson *json)
{
  end (json, '}');
}

void
sb_json_begin_array (SbJson *json)
{
  begin (json, '[');
}

void
sb_json_end_array (SbJson *json)
{
  end (json, ']');
}

void
sb_json_key (SbJson *json, const char *key)
{
  before_item (json);
  append_escaped (json->out, key);
  g_string_append (json->out, json->compact ? ":" : ": ");
  json->after_key = TRUE;
}

void
sb_json_string (SbJson *json, const char *value)
{
  before_item (json);
  if (value == NULL)
    g_string_append (json->out, "null");
  else
    append_escaped (json->out, value);
}

void
sb_json_int (SbJson *json, gint64 value)
{
  before_item (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
sb_json_uint (SbJson *json, guint64 value)
{
  before_item (json);
  g_string_append_printf (json->out, "%" G_GUINT64_FORMAT, value);
}

void
sb_json_bool (SbJson *json, gboolean value)
{
  before_item (json);
  g_string_append (json->out, value ? "true" : "false");
}

void
sb_json_null (SbJson *json)
{
  before_item (json);
  g_string_append (json->out, "null");
}

char *
sb_json_to_string (SbJson *json)
{
  if (json->counts->len == 0)
    return g_strconcat (json->out->str, "\n", NULL);
  return g_strdup (json->out->str);
}
