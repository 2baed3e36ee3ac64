/*
 * NetworkManager through libnm: the modem devices' data interfaces (for
 * PPP the device's IpInterface, ppp0, not ModemManager's serial port).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbNm SbNm;

typedef struct {
  /* Devices, connections or NetworkManager's presence changed. */
  void (*changed) (gpointer user_data);
} SbNmCallbacks;

SbNm       *sb_nm_new  (const SbNmCallbacks *callbacks, gpointer user_data);
void        sb_nm_free (SbNm *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbNm, sb_nm_free)

gboolean    sb_nm_running (SbNm *self);

/* The IP interface of the NetworkManager device whose Udi is the
 * ModemManager modem @modem_path, or NULL. */
const char *sb_nm_ip_iface_for_modem (SbNm *self, const char *modem_path);

G_END_DECLS
