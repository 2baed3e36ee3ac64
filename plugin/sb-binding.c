#define G_LOG_DOMAIN "sb-binding"

#include "sb-binding.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

void
sb_binding_clear (SbBinding *b)
{
  g_clear_pointer (&b->conflict, g_free);
  b->connection = NULL;
}

static gboolean
claims (const SbNmConnection *c, const char *key, const char *modem_path, GHashTable *last_bound)
{
  if (c->sim_id)
    return g_strcmp0 (c->sim_id, key) == 0;
  if (c->active && modem_path && g_strcmp0 (c->active_udi, modem_path) == 0)
    return TRUE;
  /* Inactive and unbound by sim-id: the profile it was last active with. */
  return !c->active && last_bound && g_strcmp0 (g_hash_table_lookup (last_bound, c->uuid), key) == 0;
}

void
sb_binding_find (GPtrArray   *connections,
                 const char  *profile_key,
                 const char  *modem_path,
                 GHashTable  *last_bound,
                 SbBinding   *out)
{
  g_autoptr(GPtrArray) cands = g_ptr_array_new ();
  const SbNmConnection *best = NULL;
  GString *others;

  out->connection = NULL;
  out->conflict = NULL;
  for (guint i = 0; connections && i < connections->len; i++)
    {
      const SbNmConnection *c = g_ptr_array_index (connections, i);
      if (claims (c, profile_key, modem_path, last_bound))
        g_ptr_array_add (cands, (gpointer) c);
    }
  if (cands->len == 0)
    return;

  /* The active one wins; else a sim-id match; else the first by uuid. */
  for (guint i = 0; i < cands->len; i++)
    {
      const SbNmConnection *c = g_ptr_array_index (cands, i);
      if (!best ||
          (c->active && !best->active) ||
          (c->active == best->active && c->sim_id && !best->sim_id) ||
          (c->active == best->active && !!c->sim_id == !!best->sim_id &&
           g_strcmp0 (c->uuid, best->uuid) < 0))
        best = c;
    }
  out->connection = best;
  if (cands->len == 1)
    return;

  others = g_string_new (NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      const SbNmConnection *c = g_ptr_array_index (cands, i);
      if (c == best)
        continue;
      g_string_append_printf (others, "%s“%s”", others->len ? ", " : "", c->id);
    }
  out->conflict = g_strdup_printf (_("connections “%s” and %s both apply to this SIM; "
                                     "using “%s”%s. Set gsm.sim-id on the one you mean "
                                     "(simbudget set CONNECTION sim-id ICCID)"),
                                   best->id, others->str, best->id,
                                   best->active ? _(" (active)") : "");
  g_string_free (others, TRUE);
}

static int
cmp_key (const void *a, const void *b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

char *
sb_binding_fingerprint (const SbNmConnection *c)
{
  g_autofree gpointer *keys = NULL;
  GString *s = g_string_new (c->uuid);
  guint n = 0;

  keys = g_hash_table_get_keys_as_array (c->user_data, &n);
  qsort (keys, n, sizeof (gpointer), cmp_key);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "|%s=%s", (char *) keys[i],
                            (char *) g_hash_table_lookup (c->user_data, keys[i]));
  return g_string_free (s, FALSE);
}
