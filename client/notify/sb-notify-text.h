/* What the notifications say, for people: pure, no D-Bus. */
#pragma once

#include <glib.h>

#include "sb-notification.h"

G_BEGIN_DECLS

/* Action keys of the notification that says the connection was cut. */
#define SB_NOTIFY_ACTION_ALLOW_MORE   "allow-500mb"
#define SB_NOTIFY_ACTION_ALLOW_PERIOD "allow-period"
/* What "Allow … more" adds to the allowance, in bytes. */
#define SB_NOTIFY_MORE_BYTES G_GUINT64_CONSTANT (500000000)

/* The profile properties the texts use; strings may be NULL or "". */
typedef struct {
  const char *iccid;
  const char *connection_id;
  const char *operator_name;
  const char *sim_type;     /* "esim", "physical", "unknown" */
  const char *period;       /* normalised spec: "monthly:1", "days:8", "none" */
  const char *time_zone;    /* IANA zone; empty: the local one */
  guint64     limit;
  gint64      period_end;   /* 0 = none */
} SbNotifyProfile;

/*
 * The name people know the profile by: the connection's id, else the
 * operator with the kind of SIM ("Rakuten eSIM"), else the kind of SIM
 * with the end of the ICCID ("SIM …3440").
 */
char *sb_notify_profile_name (const SbNotifyProfile *profile);

/*
 * @when in @zone (the local zone when NULL, empty or unknown), in the
 * translated form, e.g. "2 Dec at 00:00". The zone's abbreviation is
 * added when its offset at @when differs from the local zone's, so that
 * a traveller's plan in Tokyo reads right on a laptop set to London.
 */
char *sb_notify_format_time (gint64 when, const char *zone);

/* "Mobile data: 80% used" at a warning threshold. Normal urgency. */
SbNotification *sb_notify_threshold_new (const SbNotifyProfile *profile,
                                         guint                  percent,
                                         guint64                used,
                                         guint64                limit);

/*
 * The budget is spent (@expired: a days:N plan ran out of time instead).
 * Critical. With @cut (the connection was taken down) it offers the two
 * SB_NOTIFY_ACTION_* actions.
 */
SbNotification *sb_notify_exhausted_new (const SbNotifyProfile *profile,
                                         gboolean               expired,
                                         gboolean               cut);

/*
 * Allowing more failed: @reason says why, for people; NULL means polkit
 * refused (or the person cancelled the password prompt).
 */
SbNotification *sb_notify_refused_new   (const SbNotifyProfile *profile,
                                         const char            *reason);

G_END_DECLS
