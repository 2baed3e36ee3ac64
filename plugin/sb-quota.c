#define G_LOG_DOMAIN "sb-quota"

#include "sb-quota.h"
#include "sb-error.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>
#include <nftables/libnftables.h>

/*
 * Every command string below is built only from validated pieces: the
 * instance ([A-Za-z0-9_]), escaped profile keys ([A-Za-z0-9_]), interface
 * names ([A-Za-z0-9_.-]) and numbers. Nothing a user or a peer controls
 * reaches nft unchecked.
 *
 * Where the chains sit: prerouting at raw priority (-300) counts what
 * arrived, before conntrack, whatever a later firewall does with it (the
 * carrier has counted it already); postrouting at 400, after source NAT
 * and the conntrack helpers (300) that may still change a packet's length,
 * counts what actually leaves.
 *
 * Known gap: the counter adds skb->len. A TCP GSO aggregate (output) or a
 * GRO-merged packet (input) is one skb carrying one set of IP/TCP headers
 * for up to 64 KiB of payload, while the wire carries headers for every
 * segment; bulk TCP is then undercounted by roughly 52 bytes per 1448
 * (3.5 %, IPv4). Interfaces with GSO/GRO off, or a quota re-set from the
 * modem's own statistics now and then, close the gap.
 */

#define TABLE_PREFIX "simbudget_"
#define OWNER_TAG "simbudgetd pid="
#define PRE_PRIORITY "-300"
#define POST_PRIORITY "400"
#define MAX_INSTANCE_LEN 32
#define MAX_ESCAPED_KEY_LEN 128

typedef struct nft_ctx SbNftCtx;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNftCtx, nft_ctx_free)

struct _SbQuota {
  char    *table;   /* (owned) "simbudget_<instance>" */
  char    *comment; /* (owned) the owner record written into the table */
};

typedef enum {
  OWNER_GONE,
  OWNER_ALIVE,
  OWNER_UNKNOWN,
} OwnerState;

/* ---- names ------------------------------------------------------------ */

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static gboolean
instance_is_valid (const char *instance)
{
  gsize len = 0;

  if (instance == NULL)
    return FALSE;
  for (const char *p = instance; *p; p++, len++)
    if (!is_word_char (*p))
      return FALSE;
  return len > 0 && len <= MAX_INSTANCE_LEN;
}

gboolean
sb_quota_ifname_is_valid (const char *ifname)
{
  gsize len = 0;

  if (ifname == NULL)
    return FALSE;
  for (const char *p = ifname; *p; p++, len++)
    if (!is_word_char (*p) && *p != '-' && *p != '.')
      return FALSE;
  return len > 0 && len < 16 && strcmp (ifname, ".") != 0 &&
         strcmp (ifname, "..") != 0;
}

char *
sb_quota_escape_key (const char *profile_key)
{
  GString *s;

  if (profile_key == NULL || *profile_key == '\0')
    return NULL;
  s = g_string_new (NULL);
  for (const guchar *p = (const guchar *) profile_key; *p; p++)
    {
      /* '_' is escaped too, so "_41" and "A" stay distinct. */
      if (g_ascii_isalnum (*p))
        g_string_append_c (s, (char) *p);
      else
        g_string_append_printf (s, "_%02x", *p);
      if (s->len > MAX_ESCAPED_KEY_LEN)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
    }
  return g_string_free (s, FALSE);
}

char *
sb_quota_instance_from_state_dir (const char *state_dir)
{
  g_autofree char *canonical = g_canonicalize_filename (state_dir, "/");
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                        canonical, -1);

  return g_strndup (sum, 12);
}

const char *
sb_quota_get_table (SbQuota *q)
{
  return q->table;
}

/* ---- parsing what nft prints ------------------------------------------ */

/* nft prints a byte count in the largest unit that divides it exactly
 * ("1 mbytes" is 1048576 bytes), so the text is as exact as the number. */
static gboolean
parse_size (const char *number, const char *unit, guint64 *out)
{
  static const char *const units[] = { "bytes", "kbytes", "mbytes", "gbytes",
                                       "tbytes" };
  guint64 value;

  if (number == NULL || unit == NULL ||
      !g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64, &value, NULL))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (strcmp (unit, units[i]) == 0)
        {
          *out = value;
          return TRUE;
        }
      if (value > G_MAXUINT64 / 1024)
        return FALSE;
      value *= 1024;
    }
  return FALSE;
}

gboolean
sb_quota_parse_listing (const char  *listing,
                        guint64     *out_limit,
                        guint64     *out_used)
{
  g_auto(GStrv) raw = NULL;
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  const char **w;
  guint64 limit = 0, used = 0;
  guint n, i;

  if (listing == NULL)
    return FALSE;
  raw = g_strsplit_set (listing, " \t\r\n", -1);
  for (i = 0; raw[i]; i++)
    if (*raw[i])
      g_ptr_array_add (words, raw[i]);
  n = words->len;
  g_ptr_array_add (words, NULL);
  w = (const char **) words->pdata;

  for (i = 0; i < n && strcmp (w[i], "over") != 0; i++)
    ;
  if (i + 2 >= n || !parse_size (w[i + 1], w[i + 2], &limit))
    return FALSE;
  /* nft leaves out "used 0 bytes". */
  if (i + 3 < n && strcmp (w[i + 3], "used") == 0 &&
      !parse_size (w[i + 4], i + 5 <= n ? w[i + 5] : NULL, &used))
    return FALSE;

  *out_limit = limit;
  *out_used = used;
  return TRUE;
}

static gboolean
parse_number_after (const char *text, const char *tag, guint64 *out)
{
  const char *p = text ? strstr (text, tag) : NULL;
  char *end = NULL;

  if (p == NULL)
    return FALSE;
  p += strlen (tag);
  if (!g_ascii_isdigit (*p))
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoull (p, &end, 10);
  return errno == 0 && end != p;
}

/* From `list table` with handles: "table inet NAME { # handle H" and, if
 * one of ours, `comment "simbudgetd pid=P start=S"`. */
static gboolean
parse_table_listing (const char *listing,
                     guint64    *out_handle,
                     gboolean   *out_has_owner,
                     guint64    *out_pid,
                     guint64    *out_start)
{
  const char *owner;

  if (!parse_number_after (listing, "# handle ", out_handle))
    return FALSE;
  owner = strstr (listing, "comment \"" OWNER_TAG);
  *out_has_owner = owner != NULL &&
                   parse_number_after (owner, OWNER_TAG, out_pid) &&
                   parse_number_after (owner, " start=", out_start);
  return TRUE;
}

/* ---- processes -------------------------------------------------------- */

/* Field 22 of /proc/PID/stat (clock ticks after boot): with the PID it
 * names one process, so a recycled PID is not taken for the owner. */
static gboolean
read_proc_stat (guint64 pid, char *out_state, guint64 *out_start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT "/stat",
                                           pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* The command name may hold spaces and parentheses: skip past the last ')'. */
  p = strrchr (text, ')');
  if (p == NULL || p[1] != ' ')
    return FALSE;
  fields = g_strsplit (p + 2, " ", 21);
  if (g_strv_length (fields) < 21 ||
      !g_ascii_string_to_unsigned (fields[19], 10, 0, G_MAXUINT64, out_start,
                                   NULL))
    return FALSE;
  *out_state = fields[0][0];
  return TRUE;
}

static OwnerState
owner_state (guint64 pid, guint64 start)
{
  guint64 actual_start;
  char state;

  if (pid == 0 || pid > G_MAXINT)
    return OWNER_UNKNOWN;
  if (read_proc_stat (pid, &state, &actual_start))
    {
      if (state == 'Z' || state == 'X' || actual_start != start)
        return OWNER_GONE;
      return OWNER_ALIVE;
    }
  /* /proc may hide other users' processes: ask the kernel whether the PID
   * exists at all, and keep the table when we cannot tell. */
  if (kill ((pid_t) pid, 0) == 0 || errno == EPERM)
    return OWNER_ALIVE;
  return errno == ESRCH ? OWNER_GONE : OWNER_UNKNOWN;
}

/* ---- running nft ------------------------------------------------------ */

/* Asked before the kernel so that a daemon without the capability gets a
 * plain answer, and libnftables no "(you must be root)" on stderr. The
 * kernel still has the last word (a user namespace's capabilities do not
 * count for the host's network namespace): see set_nft_error(). */
static gboolean
check_net_admin (GError **error)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { 0 } };

  if (syscall (SYS_capget, &hdr, data) != 0 ||
      (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               "The nftables quota needs CAP_NET_ADMIN");
  return FALSE;
}

static void
set_nft_error (const char *text, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  const char *first = NULL;
  int code = SB_ERROR_FAILED;
  GQuark domain = SB_ERROR;

  /* nft reports the kernel's errno with strerror(): the only way to tell
   * a missing capability or object from other failures. */
  if (text && strstr (text, g_strerror (EPERM)))
    {
      domain = G_IO_ERROR;
      code = G_IO_ERROR_PERMISSION_DENIED;
    }
  else if (text && strstr (text, g_strerror (ENOENT)))
    {
      domain = G_IO_ERROR;
      code = G_IO_ERROR_NOT_FOUND;
    }

  for (guint i = 0; lines[i]; i++)
    {
      if (first == NULL && *g_strstrip (lines[i]))
        first = lines[i];
      if (strstr (lines[i], "Error:"))
        {
          first = lines[i];
          break;
        }
    }
  g_set_error (error, domain, code, "nftables: %s",
               first ? first : "command failed");
}

static gboolean
nft_run (const char   *commands,
         unsigned int  flags,
         char        **out_text,
         GError      **error)
{
  /* A fresh context per call: its output buffers are only rewound between
   * commands, and a command that prints nothing would leave old text. */
  g_autoptr(SbNftCtx) ctx = nft_ctx_new (NFT_CTX_DEFAULT);

  if (ctx == NULL || nft_ctx_buffer_output (ctx) != 0 ||
      nft_ctx_buffer_error (ctx) != 0)
    {
      g_set_error (error, SB_ERROR, SB_ERROR_FAILED,
                   "Cannot create an nftables context");
      return FALSE;
    }
  nft_ctx_output_set_flags (ctx, flags);
  g_debug ("nft: %s", commands);
  if (nft_run_cmd_from_buffer (ctx, commands) != 0)
    {
      set_nft_error (nft_ctx_get_error_buffer (ctx), error);
      return FALSE;
    }
  if (out_text)
    *out_text = g_strdup (nft_ctx_get_output_buffer (ctx));
  return TRUE;
}

/* ---- table ------------------------------------------------------------ */

static OwnerState
table_owner (const char *listing, guint64 *out_handle, guint64 *out_pid)
{
  gboolean has_owner = FALSE;
  guint64 start = 0;

  *out_pid = 0;
  if (!parse_table_listing (listing, out_handle, &has_owner, out_pid, &start))
    return OWNER_UNKNOWN;
  return has_owner ? owner_state (*out_pid, start) : OWNER_UNKNOWN;
}

SbQuota *
sb_quota_new (const char *instance, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *table = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *list_cmd = NULL;
  g_autofree char *create_cmd = NULL;
  g_autofree char *replace = NULL;
  SbQuota *q;
  guint64 start = 0;
  char state;

  if (!instance_is_valid (instance))
    {
      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   "Invalid quota instance “%s”", instance ? instance : "");
      return NULL;
    }
  if (!check_net_admin (error))
    return NULL;
  table = g_strconcat (TABLE_PREFIX, instance, NULL);
  if (!read_proc_stat ((guint64) getpid (), &state, &start))
    start = 0;
  comment = g_strdup_printf (OWNER_TAG "%d start=%" G_GUINT64_FORMAT,
                             (int) getpid (), start);

  list_cmd = g_strdup_printf ("list table inet %s", table);
  if (nft_run (list_cmd, NFT_CTX_OUTPUT_HANDLE, &listing, &local_error))
    {
      guint64 handle = 0, pid = 0;

      if (table_owner (listing, &handle, &pid) != OWNER_GONE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       "nftables table inet %s is in use (owner: %s%" G_GUINT64_FORMAT ")",
                       table, pid ? "process " : "unknown, ", pid);
          return NULL;
        }
      /* By handle: a table someone re-created meanwhile is not touched. */
      replace = g_strdup_printf ("delete table inet handle %" G_GUINT64_FORMAT "\n",
                                 handle);
      g_message ("Replacing nftables table inet %s left by process %" G_GUINT64_FORMAT,
                 table, pid);
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* "create" fails if another daemon made the table since we looked. */
  create_cmd = g_strdup_printf ("%screate table inet %s { comment \"%s\"; }",
                                replace ? replace : "", table, comment);
  if (!nft_run (create_cmd, 0, NULL, error))
    return NULL;

  q = g_new0 (SbQuota, 1);
  q->table = g_steal_pointer (&table);
  q->comment = g_steal_pointer (&comment);
  return q;
}

void
sb_quota_free (SbQuota *q)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cmd = NULL;

  if (q == NULL)
    return;
  /* The add makes this succeed when the table is already gone. */
  cmd = g_strdup_printf ("add table inet %s\ndelete table inet %s",
                         q->table, q->table);
  if (!nft_run (cmd, 0, NULL, &error))
    g_warning ("Cannot delete nftables table inet %s: %s", q->table,
               error->message);
  g_free (q->table);
  g_free (q->comment);
  g_free (q);
}

gboolean
sb_quota_remove_stale_tables (GError **error)
{
  g_autofree char *tables = NULL;
  g_auto(GStrv) lines = NULL;

  if (!check_net_admin (error) ||
      !nft_run ("list tables", 0, &tables, error))
    return FALSE;
  lines = g_strsplit (tables, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *cmd = NULL;
      g_autofree char *listing = NULL;
      guint64 handle = 0, pid = 0;
      const char *name;

      if (g_strv_length (words) != 3 || strcmp (words[0], "table") != 0 ||
          strcmp (words[1], "inet") != 0)
        continue;
      name = words[2];
      if (!g_str_has_prefix (name, TABLE_PREFIX) ||
          !instance_is_valid (name + strlen (TABLE_PREFIX)))
        continue;

      cmd = g_strdup_printf ("list table inet %s", name);
      if (!nft_run (cmd, NFT_CTX_OUTPUT_HANDLE, &listing, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            continue; /* gone meanwhile */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (table_owner (listing, &handle, &pid) != OWNER_GONE)
        continue;

      g_free (cmd);
      cmd = g_strdup_printf ("delete table inet handle %" G_GUINT64_FORMAT, handle);
      if (!nft_run (cmd, 0, NULL, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_message ("Removed stale nftables table inet %s of process %" G_GUINT64_FORMAT,
                 name, pid);
    }
  return TRUE;
}

/* ---- quotas ----------------------------------------------------------- */

static char *
escaped_key_or_error (const char *profile_key, GError **error)
{
  char *key = sb_quota_escape_key (profile_key);

  if (key == NULL)
    g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                 "Profile key unusable for a quota name");
  return key;
}

gboolean
sb_quota_set (SbQuota     *q,
              const char  *profile_key,
              const char  *ifname,
              guint64      remaining_bytes,
              GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *cmd = NULL;
  const char *t = q->table;

  if (!sb_quota_ifname_is_valid (ifname))
    {
      g_autofree char *shown = g_strescape (ifname ? ifname : "", NULL);

      g_set_error (error, SB_ERROR, SB_ERROR_INVALID_ARGS,
                   "Unsafe interface name “%s” for a quota", shown);
      return FALSE;
    }
  key = escaped_key_or_error (profile_key, error);
  if (key == NULL)
    return FALSE;

  /* One buffer is one transaction: packets see the old rules or the new
   * ones, never none. The quota is deleted and added again because an
   * update would keep its counter; the dummy add makes the delete valid
   * the first time. The table is re-added in case someone flushed the
   * ruleset under us. */
  cmd = g_strdup_printf (
    "add table inet %1$s { comment \"%2$s\"; }\n"
    "add chain inet %1$s pre_%3$s { type filter hook prerouting priority " PRE_PRIORITY "; policy accept; }\n"
    "add chain inet %1$s post_%3$s { type filter hook postrouting priority " POST_PRIORITY "; policy accept; }\n"
    "flush chain inet %1$s pre_%3$s\n"
    "flush chain inet %1$s post_%3$s\n"
    "add quota inet %1$s q_%3$s { over 0 bytes }\n"
    "delete quota inet %1$s q_%3$s\n"
    "add quota inet %1$s q_%3$s { over %4$" G_GUINT64_FORMAT " bytes }\n"
    "add rule inet %1$s pre_%3$s iifname \"%5$s\" quota name \"q_%3$s\" drop\n"
    "add rule inet %1$s post_%3$s oifname \"%5$s\" quota name \"q_%3$s\" drop\n",
    t, q->comment, key, MIN (remaining_bytes, (guint64) G_MAXINT64), ifname);
  return nft_run (cmd, 0, NULL, error);
}

gboolean
sb_quota_set_limit (SbQuota     *q,
                    const char  *profile_key,
                    guint64      limit_bytes,
                    GError     **error)
{
  g_autofree char *key = NULL;
  g_autofree char *cmd = NULL;

  key = escaped_key_or_error (profile_key, error);
  if (key == NULL)
    return FALSE;
  /* Adding a quota object that exists updates its limit in place; its
   * consumed counter carries on. */
  cmd = g_strdup_printf ("add quota inet %s q_%s { over %" G_GUINT64_FORMAT " bytes }",
                         q->table, key, MIN (limit_bytes, (guint64) G_MAXINT64));
  return nft_run (cmd, 0, NULL, error);
}

gboolean
sb_quota_get_consumed (SbQuota     *q,
                       const char  *profile_key,
                       guint64     *out_bytes,
                       gboolean    *out_exceeded,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *listing = NULL;
  guint64 limit, used;

  key = escaped_key_or_error (profile_key, error);
  if (key == NULL)
    return FALSE;
  cmd = g_strdup_printf ("list quota inet %s q_%s", q->table, key);
  if (!nft_run (cmd, 0, &listing, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "No quota installed for this profile");
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!sb_quota_parse_listing (listing, &limit, &used))
    {
      g_set_error (error, SB_ERROR, SB_ERROR_FAILED,
                   "Unexpected quota listing from nftables");
      return FALSE;
    }
  /* The kernel caps the figure at the limit once a packet was refused. */
  if (out_bytes)
    *out_bytes = used;
  if (out_exceeded)
    *out_exceeded = used >= limit;
  return TRUE;
}

gboolean
sb_quota_clear (SbQuota *q, const char *profile_key, GError **error)
{
  g_autofree char *key = NULL;
  g_autofree char *cmd = NULL;

  key = escaped_key_or_error (profile_key, error);
  if (key == NULL)
    return FALSE;
  /* Each delete is preceded by an add so that clearing what is not there
   * succeeds; deleting a chain deletes its rules, which frees the quota. */
  cmd = g_strdup_printf (
    "add table inet %1$s { comment \"%2$s\"; }\n"
    "add chain inet %1$s pre_%3$s\n"
    "delete chain inet %1$s pre_%3$s\n"
    "add chain inet %1$s post_%3$s\n"
    "delete chain inet %1$s post_%3$s\n"
    "add quota inet %1$s q_%3$s { over 0 bytes }\n"
    "delete quota inet %1$s q_%3$s\n",
    q->table, q->comment, key);
  return nft_run (cmd, 0, NULL, error);
}
