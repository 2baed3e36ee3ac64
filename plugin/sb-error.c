#include "sb-error.h"

#include <gio/gio.h>

static const GDBusErrorEntry sb_error_entries[] = {
  { SB_ERROR_INVALID_ARGS, "org.simbudget.SimBudget1.Error.InvalidArgs" },
  { SB_ERROR_NOT_AUTHORIZED, "org.simbudget.SimBudget1.Error.NotAuthorized" },
  { SB_ERROR_NO_SUCH_PROFILE, "org.simbudget.SimBudget1.Error.NoSuchProfile" },
  { SB_ERROR_FAILED, "org.simbudget.SimBudget1.Error.Failed" },
};

GQuark
sb_error_quark (void)
{
  static gsize quark = 0;

  /* Registering maps the codes to D-Bus names for both ends of the bus. */
  g_dbus_error_register_error_domain ("sb-error-quark", &quark,
                                      sb_error_entries,
                                      G_N_ELEMENTS (sb_error_entries));
  return (GQuark) quark;
}
