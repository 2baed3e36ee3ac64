/* Sizes, percent lists: parsing and formatting shared by daemon and CLI. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Parses "5GB", "5 GiB", "500M", "1.5G", "123" (bytes), "0".
 * kB/MB/GB/TB and K/M/G/T are decimal; KiB/MiB/GiB/TiB binary; "B" optional;
 * PB/EB (P/E) and PiB/EiB are accepted too, so formatted sizes parse back;
 * case-insensitive units ("gb", "Gib"); surrounding whitespace allowed.
 * Refuses negatives, empty strings, unknown units, overflow past 2^64-1,
 * more than 9 fraction digits, NaN/inf, trailing garbage. Fractions are
 * exact (no floating point): "1.5GB" = 1500000000; a fraction of a byte
 * is rounded half up ("1.0005kB" = 1001), but a bare number or "B" with a
 * non-zero fraction ("1.5") is refused as a probably forgotten unit. A
 * point needs digits on both sides: "1." and ".5G" are refused, as are
 * "1e9", "0x10", "+5" and a space inside the unit ("5 G B").
 * On error sets SB_ERROR_INVALID_ARGS with a message naming @text.
 */
gboolean sb_size_parse (const char *text, guint64 *out_bytes, GError **error);

/* Human size with decimal units (B, kB, MB, GB, TB, PB, EB): below 1000
 * the exact byte count ("0 B", "999 B"); otherwise rounded half up to 3
 * significant digits in the largest unit that keeps the number below
 * 1000, trailing zeros dropped: 1000 → "1 kB", 1200 → "1.2 kB",
 * 1234 → "1.23 kB", 12345678 → "12.3 MB", 999500 → "1 MB",
 * G_MAXUINT64 → "18.4 EB". Uses "." as the decimal point unless
 * @localized, which uses the current LC_NUMERIC locale's. */
char *sb_size_format (guint64 bytes, gboolean localized);

/* Parses "80,95" into a sorted, de-duplicated array of guint (1..100).
 * Spaces around items are allowed. Refuses empty items ("80,", ",80"),
 * values outside 1..100, more than 10 items (counted before
 * de-duplication), garbage. The empty (or all-space) string and "none"
 * (any case) give an empty array. */
GArray *sb_percent_list_parse (const char *text, GError **error);

/* "80,95" from an array of guint; "" for an empty array. */
char *sb_percent_list_format (const GArray *percents);

G_END_DECLS
