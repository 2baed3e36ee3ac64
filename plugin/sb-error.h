/* Project error domain; codes map to org.simbudget.SimBudget1.Error.* */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SB_ERROR_INVALID_ARGS,     /*< nick=org.simbudget.SimBudget1.Error.InvalidArgs >*/
  SB_ERROR_NOT_AUTHORIZED,   /*< nick=org.simbudget.SimBudget1.Error.NotAuthorized >*/
  SB_ERROR_NO_SUCH_PROFILE,  /*< nick=org.simbudget.SimBudget1.Error.NoSuchProfile >*/
  SB_ERROR_FAILED,           /*< nick=org.simbudget.SimBudget1.Error.Failed >*/
} SbError;

#define SB_ERROR (sb_error_quark ())
GQuark sb_error_quark (void);

G_END_DECLS
