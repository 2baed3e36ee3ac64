/*
 * NetworkManager through libnm: GSM connections and their simbudget.*
 * user data, which connection is active on which modem, the modem devices'
 * data interfaces (for PPP the device's IpInterface, ppp0, not
 * ModemManager's serial port), and the cut-off: deactivate, block and
 * restore a device's Autoconnect, re-activate.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbNm SbNm;

typedef struct {
  /* Devices, connections, their settings, active connections or
   * NetworkManager's presence changed. Coalesced: called from an idle. */
  void (*changed) (gpointer user_data);
} SbNmCallbacks;

typedef struct {
  char       *uuid;
  char       *id;
  char       *sim_id;       /* gsm.sim-id, NULL when unset */
  GHashTable *user_data;    /* simbudget.* key → value */
  gboolean    active;       /* activating or activated */
  char       *active_path;  /* its active connection object: one per activation */
  char       *active_udi;   /* Udi (ModemManager modem path) of its device */
  char       *ip_iface;
} SbNmConnection;

void sb_nm_connection_free (SbNmConnection *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNmConnection, sb_nm_connection_free)

SbNm       *sb_nm_new  (const SbNmCallbacks *callbacks, gpointer user_data);
void        sb_nm_free (SbNm *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNm, sb_nm_free)

gboolean    sb_nm_running (SbNm *self);

/* The IP interface of the NetworkManager device whose Udi is the
 * ModemManager modem @modem_path, or NULL. */
const char *sb_nm_ip_iface_for_modem (SbNm *self, const char *modem_path);

/* Every GSM connection (SbNmConnection*, owned by the array). */
GPtrArray  *sb_nm_list_gsm_connections (SbNm *self);

/* Device Autoconnect of the modem's device; FALSE when there is none. */
gboolean    sb_nm_get_device_autoconnect (SbNm *self, const char *modem_path, gboolean *out);
void        sb_nm_set_device_autoconnect (SbNm *self, const char *modem_path, gboolean autoconnect);

/* Deactivates every active connection of @uuid (a user request to
 * NetworkManager, which also blocks its autoconnect). TRUE if any is being
 * taken down: one whose modem is still connecting is taken down on a later
 * call, once it has connected. */
gboolean    sb_nm_deactivate (SbNm *self, const char *uuid);
/* Activates @uuid on the device of @modem_path (or any, when NULL). */
gboolean    sb_nm_activate (SbNm *self, const char *uuid, const char *modem_path);

G_END_DECLS
