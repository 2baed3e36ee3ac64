/* Shared by the fuzz harnesses: input as a C string, checks that abort
 * (a crash is what libFuzzer and the replay driver report). */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "sb-error.h"

/* Longest message a parser may put into a D-Bus error or ConfigError. */
#define FUZZ_MESSAGE_MAX 1024

#define FUZZ_CHECK(cond)                                                     \
  G_STMT_START {                                                             \
    if (G_UNLIKELY (!(cond)))                                                \
      {                                                                      \
        g_printerr ("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                            \
      }                                                                      \
  } G_STMT_END

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Warnings and criticals are bugs here, as under G_DEBUG in the tests;
 * zones and windows are computed in a fixed system zone. */
static inline void
fuzz_init (void)
{
  g_setenv ("TZ", "UTC", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* The input up to its first NUL, NUL-terminated. */
static inline char *
fuzz_string (const uint8_t *data, size_t size)
{
  return g_strndup ((const char *) data, size);
}

/* What a parser refusing input must give: our domain and code, and a
 * message that may cross D-Bus (valid UTF-8) and stays short. */
static inline void
fuzz_check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == SB_ERROR);
  FUZZ_CHECK (error->code == SB_ERROR_INVALID_ARGS);
  FUZZ_CHECK (error->message != NULL && *error->message != '\0');
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
  FUZZ_CHECK (strlen (error->message) < FUZZ_MESSAGE_MAX);
}
