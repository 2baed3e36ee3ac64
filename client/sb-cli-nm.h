/* The NetworkManager side of `set` and `unset`: connections, commits. */
#pragma once

#include <NetworkManager.h>

G_BEGIN_DECLS

/* A client of a running NetworkManager (SB_ERROR_FAILED when it is not). */
NMClient           *sb_cli_nm_client_new      (GError **error);
/* Drops @client once its pending D-Bus calls have finished. */
void                sb_cli_nm_client_free     (NMClient *client);

/* For g_autoptr(): libnm's own cleanup for NMClient would not wait. */
typedef NMClient SbCliNmClient;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbCliNmClient, sb_cli_nm_client_free)

/* The connection whose UUID or id is @name; fails when none or several
 * match, or when it is not a mobile broadband (gsm) connection.
 * (transfer none) */
NMRemoteConnection *sb_cli_nm_find_connection (NMClient    *client,
                                               const char  *name,
                                               GError     **error);

/* Saves the local changes made to @connection (to disk). */
gboolean            sb_cli_nm_commit          (NMRemoteConnection *connection,
                                               GError            **error);

/* The simbudget.* keys of @connection's user data, key → value (copied). */
GHashTable         *sb_cli_nm_budget_data     (NMConnection *connection);

G_END_DECLS
