/*
 * Calendar days on a zone's wall clock: which day an instant falls on and
 * when a day begins. Shared by the budget periods and the history rows so
 * that both start a day at the same instant.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The local calendar date of @t in @tz; FALSE outside GDateTime's range. */
gboolean sb_local_date     (GTimeZone *tz, gint64 t, GDate *out);

/* The earliest instant at which the wall clock in @tz reads @date 00:00 or
 * later: the end of the gap when midnight is skipped, the first of two
 * when it happens twice. G_MAXINT64 past the years GDateTime represents. */
gint64   sb_local_midnight (GTimeZone *tz, const GDate *date);

G_END_DECLS
