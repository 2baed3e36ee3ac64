#define G_LOG_DOMAIN "sb-enforcer"

#include "sb-enforcer.h"

#include "sb-clock.h"

typedef struct {
  char     *uuid;               /* the connection that was cut */
  char     *modem_path;         /* its device's Udi when cut */
  gboolean  autoconnect_changed;
  gboolean  autoconnect_before;
  gboolean  was_active;         /* re-activate when lifted */
  gint64    since;
  char     *taken_down;         /* (not persisted) the activation last taken down */
} Block;

struct _SbEnforcer {
  SbNm       *nm;       /* (unowned) */
  SbStore    *store;    /* (unowned) */
  GHashTable *blocks;   /* profile key → Block (loaded lazily) */
  GHashTable *loaded;   /* profile keys looked up in the store */
};

static void
block_free (Block *b)
{
  g_free (b->uuid);
  g_free (b->modem_path);
  g_free (b->taken_down);
  g_free (b);
}

SbEnforcer *
sb_enforcer_new (SbNm *nm, SbStore *store)
{
  SbEnforcer *self = g_new0 (SbEnforcer, 1);

  self->nm = nm;
  self->store = store;
  self->blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) block_free);
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
sb_enforcer_free (SbEnforcer *self)
{
  if (!self)
    return;
  g_hash_table_unref (self->blocks);
  g_hash_table_unref (self->loaded);
  g_free (self);
}

void
sb_enforcer_set_store (SbEnforcer *self, SbStore *store)
{
  self->store = store;
}

static char *
state_key (const char *profile_key)
{
  return g_strconcat ("block:", profile_key, NULL);
}

static Block *
load_block (SbEnforcer *self, const char *key)
{
  g_autofree char *skey = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GError) error = NULL;
  Block *b;

  if (g_hash_table_contains (self->loaded, key))
    return g_hash_table_lookup (self->blocks, key);
  g_hash_table_add (self->loaded, g_strdup (key));

  skey = state_key (key);
  text = sb_store_get_state (self->store, skey, &error);
  if (!text)
    {
      if (error)
        g_message ("Cannot read the block of %s: %s", key, error->message);
      return NULL;
    }
  v = g_variant_parse (G_VARIANT_TYPE ("(ssbbbx)"), text, NULL, NULL, &error);
  if (!v)
    {
      g_warning ("Ignoring an unreadable block record of %s: %s", key, error->message);
      return NULL;
    }
  b = g_new0 (Block, 1);
  g_variant_get (v, "(ssbbbx)", &b->uuid, &b->modem_path, &b->autoconnect_changed,
                 &b->autoconnect_before, &b->was_active, &b->since);
  g_hash_table_insert (self->blocks, g_strdup (key), b);
  g_message ("Profile %s: cut-off of %s in force since %" G_GINT64_FORMAT, key, b->uuid, b->since);
  return b;
}

static void
save_block (SbEnforcer *self, const char *key, Block *b)
{
  g_autofree char *skey = state_key (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autofree char *text = NULL;

  if (b)
    {
      v = g_variant_ref_sink (g_variant_new ("(ssbbbx)", b->uuid, b->modem_path,
                                             b->autoconnect_changed, b->autoconnect_before,
                                             b->was_active, b->since));
      text = g_variant_print (v, TRUE);
      if (!sb_store_set_state (self->store, skey, text, &error))
        g_warning ("Cannot record the cut-off of %s: %s", key, error->message);
    }
  else if (!sb_store_delete_state (self->store, skey, &error))
    g_warning ("Cannot clear the cut-off of %s: %s", key, error->message);
}

gboolean
sb_enforcer_is_blocked (SbEnforcer *self, const char *profile_key)
{
  return load_block (self, profile_key) != NULL;
}

/* The device forgets a runtime Autoconnect=false when NetworkManager
 * restarts: set it again, remembering the original only once. */
static void
hold_autoconnect (SbEnforcer *self, const char *key, Block *b)
{
  gboolean ac;

  if (!b->modem_path || !sb_nm_get_device_autoconnect (self->nm, b->modem_path, &ac) || !ac)
    return;
  if (!b->autoconnect_changed)
    {
      b->autoconnect_changed = TRUE;
      b->autoconnect_before = TRUE;
      save_block (self, key, b);
    }
  sb_nm_set_device_autoconnect (self->nm, b->modem_path, FALSE);
}

static void
cut (SbEnforcer *self, SbProfile *profile, const SbNmConnection *conn,
     const char *modem_path, gboolean bearer_active)
{
  const char *key = sb_profile_get_key (profile);
  Block *b = g_new0 (Block, 1);

  b->uuid = g_strdup (conn ? conn->uuid : sb_profile_get_connection_uuid (profile));
  b->modem_path = g_strdup (modem_path ? modem_path : conn && conn->active_udi ? conn->active_udi : "");
  b->was_active = (conn && conn->active) || bearer_active;
  b->since = sb_clock_now ();
  b->taken_down = g_strdup (conn && conn->active ? conn->active_path : NULL);
  /* Recorded before anything changes. */
  g_hash_table_insert (self->blocks, g_strdup (key), b);
  save_block (self, key, b);

  g_message ("Profile %s: budget spent, taking %s down", key, b->uuid);
  if (sb_nm_running (self->nm))
    {
      hold_autoconnect (self, key, b);
      sb_nm_deactivate (self->nm, b->uuid);
    }
  sb_profile_announce_exhausted (profile, sb_nm_running (self->nm) && b->uuid[0], FALSE);
}

static void
lift (SbEnforcer *self, SbProfile *profile, Block *b)
{
  const char *key = sb_profile_get_key (profile);
  g_autofree char *uuid = g_strdup (b->uuid);
  g_autofree char *modem = g_strdup (b->modem_path);
  gboolean restore = b->autoconnect_changed, before = b->autoconnect_before, reactivate = b->was_active;

  if (!sb_nm_running (self->nm))
    return; /* kept until NetworkManager can be told */

  g_message ("Profile %s: lifting the cut-off of %s", key, uuid);
  /* Forgotten first: a crash in between leaves the line usable. */
  g_hash_table_remove (self->blocks, key);
  save_block (self, key, NULL);
  if (restore && *modem)
    sb_nm_set_device_autoconnect (self->nm, modem, before);
  if (reactivate && *uuid)
    sb_nm_activate (self->nm, uuid, *modem ? modem : NULL);
}

void
sb_enforcer_update (SbEnforcer           *self,
                    SbProfile            *profile,
                    const SbNmConnection *conn,
                    const char           *modem_path,
                    gboolean              bearer_active)
{
  const char *key = sb_profile_get_key (profile);
  const SbPlan *plan = sb_profile_get_plan (profile);
  gboolean over = sb_state_is_over (sb_profile_get_state (profile));
  gboolean cutting = plan->limit > 0 && plan->action == SB_ACTION_DISCONNECT;
  Block *b = load_block (self, key);

  if (!cutting)
    sb_profile_set_enforcement (profile, "none");
  else if (!sb_nm_running (self->nm))
    sb_profile_set_enforcement (profile, "no-networkmanager");
  else if (!conn && !(b && b->uuid[0]))
    sb_profile_set_enforcement (profile, "no-connection");
  else
    sb_profile_set_enforcement (profile, "disconnect");

  if (over && !cutting)
    {
      sb_profile_announce_exhausted (profile, FALSE, FALSE);
      if (b)
        lift (self, profile, b);
      return;
    }
  if (!over)
    {
      if (b)
        lift (self, profile, b);
      return;
    }

  if (!b)
    {
      cut (self, profile, conn, modem_path, bearer_active);
      return;
    }

  /* Over and blocked: keep it so. The connection may have been bound only
   * now (it was unknown while NetworkManager was away). */
  if (!b->uuid[0] && conn)
    {
      g_free (b->uuid);
      b->uuid = g_strdup (conn->uuid);
      save_block (self, key, b);
    }
  if (!b->modem_path[0] && (modem_path || (conn && conn->active_udi)))
    {
      g_free (b->modem_path);
      b->modem_path = g_strdup (modem_path ? modem_path : conn->active_udi);
      save_block (self, key, b);
    }
  if (!sb_nm_running (self->nm))
    {
      /* Its activations went with it: whatever comes up later is new. */
      g_free (b->taken_down);
      b->taken_down = g_strdup ("");
      return;
    }
  hold_autoconnect (self, key, b);
  if (conn && g_strcmp0 (conn->uuid, b->uuid) == 0 && conn->active)
    {
      /* Came up again: an activation other than the one taken down last,
       * whose deactivation may still be on its way. One first seen after
       * the cut (NetworkManager listed late, the daemon restarted) is
       * taken down without a second announcement. */
      gboolean again = b->taken_down != NULL && g_strcmp0 (conn->active_path, b->taken_down) != 0;

      if (sb_nm_deactivate (self->nm, b->uuid) && again)
        {
          g_message ("Profile %s: %s came up while the budget is spent; taken down again",
                     key, b->uuid);
          sb_profile_announce_exhausted (profile, TRUE, TRUE);
        }
      g_free (b->taken_down);
      b->taken_down = g_strdup (conn->active_path);
    }
}
