/*
 * Kernel-exact cut-off: an nftables quota on a bearer's data interface,
 * installed through libnftables (never by running nft).
 *
 * Each daemon instance owns one table, `inet simbudget_<instance>`, whose
 * comment records the owner's PID and start time so that a later daemon can
 * tell a stale table from a live one. Per profile the table holds a named
 * quota `q_<key>` and two base chains: `pre_<key>` (prerouting, `iifname`)
 * and `post_<key>` (postrouting, `oifname`). Both reference the one quota,
 * so download and upload count against it, and so does traffic routed
 * through the interface (connection sharing), which passes prerouting and
 * postrouting but neither input nor output.
 *
 * What the kernel does (net/netfilter/nft_quota.c, measured in
 * tests/quota): every packet a rule with `quota name … drop` sees adds its
 * length to the quota's counter, dropped packets included; a packet is
 * dropped when the counter *including that packet* reaches the limit. So
 * the bytes let through stay strictly below the limit (no overshoot, at
 * most one packet short), a packet once refused is never followed by a
 * smaller one, and the kernel reports the counter capped at the limit.
 *
 * The length counted is the IP packet (L3): no link-layer header, which is
 * what raw-IP WWAN and PPP interfaces carry anyway. A GSO/GRO aggregate is
 * counted as one packet with one set of headers (see sb-quota.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbQuota SbQuota;

/* A short, stable instance id for @state_dir (12 hex digits of a SHA-256),
 * so daemons with different state directories use different tables. */
char     *sb_quota_instance_from_state_dir (const char *state_dir);

/* Creates the table `inet simbudget_@instance` owned by this process,
 * replacing a table of that name whose owner is gone.
 * Errors: G_IO_ERROR_PERMISSION_DENIED without CAP_NET_ADMIN;
 * G_IO_ERROR_EXISTS when a live process (or an unknown owner) holds it;
 * SB_ERROR_INVALID_ARGS when @instance is not [A-Za-z0-9_]{1,32}. */
SbQuota  *sb_quota_new                 (const char  *instance,
                                        GError     **error);

/* Deletes the table (and with it every quota of this instance). */
void      sb_quota_free                (SbQuota     *q);

const char *sb_quota_get_table         (SbQuota     *q);

/* Removes every `inet simbudget_*` table whose recorded owner process no
 * longer exists. Tables without a readable owner record are left alone. */
gboolean  sb_quota_remove_stale_tables (GError     **error);

/* Installs or atomically replaces the quota of @profile_key on @ifname:
 * @remaining_bytes may pass from now on, counted from zero (the old
 * counter is discarded). 0 blocks the interface at once. Values above
 * G_MAXINT64 (the kernel's limit) mean G_MAXINT64.
 * SB_ERROR_INVALID_ARGS for an unsafe @ifname or an unusable @profile_key. */
gboolean  sb_quota_set                 (SbQuota     *q,
                                        const char  *profile_key,
                                        const char  *ifname,
                                        guint64      remaining_bytes,
                                        GError     **error);

/* Moves the limit of @profile_key's installed quota to @limit_bytes
 * counted since its sb_quota_set(), keeping what it has counted: packets
 * are counted while the change is made. Needs nftables object update in
 * the kernel (Linux 5.x; checked on 6.18): older ones ignore the change. */
gboolean  sb_quota_set_limit           (SbQuota     *q,
                                        const char  *profile_key,
                                        guint64      limit_bytes,
                                        GError     **error);

/* Bytes counted since the last sb_quota_set(), capped by the kernel at the
 * limit; @out_exceeded is TRUE once a packet has been refused (or the limit
 * is 0). G_IO_ERROR_NOT_FOUND when @profile_key has no quota. */
gboolean  sb_quota_get_consumed        (SbQuota     *q,
                                        const char  *profile_key,
                                        guint64     *out_bytes,
                                        gboolean    *out_exceeded,
                                        GError     **error);

/* Removes the quota and rules of @profile_key; no error when there are
 * none. */
gboolean  sb_quota_clear               (SbQuota     *q,
                                        const char  *profile_key,
                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbQuota, sb_quota_free)

/* Exposed for the tests. */

/* 1–15 bytes of [A-Za-z0-9_.-], not "." or "..": safe inside an nft
 * string (no quote, space, newline or `*` wildcard). */
gboolean  sb_quota_ifname_is_valid     (const char  *ifname);

/* @profile_key with every byte outside [A-Za-z0-9] written as _XX (hex),
 * an injective map onto nft identifiers; NULL when empty or longer than
 * 128 characters once escaped. */
char     *sb_quota_escape_key          (const char  *profile_key);

/* Reads `over N UNIT [used M UNIT]` from the text nft prints for a quota.
 * FALSE when there is no such clause. */
gboolean  sb_quota_parse_listing       (const char  *listing,
                                        guint64     *out_limit,
                                        guint64     *out_used);

G_END_DECLS
