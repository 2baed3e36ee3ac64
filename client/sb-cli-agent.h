/* Asking for a password when polkit wants one, as pkexec and nmcli do. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Calls @method on @proxy allowing interactive authorisation. When stdin
 * is a terminal, a text authentication agent for this process is
 * registered for the duration of the call (and the call waits as long as
 * the person types); otherwise polkit answers without asking.
 */
GVariant *sb_cli_call_interactive (GDBusProxy  *proxy,
                                   const char  *method,
                                   GVariant    *parameters,
                                   GError     **error);

G_END_DECLS
