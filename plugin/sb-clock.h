/* The daemon's notion of now (Unix seconds, wall clock). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $SIMBUDGET_TIME_OFFSET (seconds, read once) shifts the clock: integration
 * tests use it to stand just before a period boundary. */
gint64 sb_clock_offset (void);
gint64 sb_clock_now (void);

G_END_DECLS
