/*===- Error.c - the per-thread last error ----------------------------------===*\
 *
 * Every failing call formats a message into the calling thread's buffer;
 * tessera_last_error returns it. Successful calls leave it alone, so the
 * message stays valid until the next failing call on the same thread.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Long enough for a message naming two file paths. */
#define TESSERA_ERROR_BUFFER_SIZE 4096

static _Thread_local char last_error[TESSERA_ERROR_BUFFER_SIZE];

tessera_status_t tessera_rt_fail(tessera_status_t status, const char *format,
                                 ...) {
  va_list args;
  va_start(args, format);
  int length = vsnprintf(last_error, sizeof(last_error), format, args);
  va_end(args);
  if (length < 0)
    snprintf(last_error, sizeof(last_error), "error %d", (int)status);
  return status;
}

const char *tessera_rt_strerror(int errnum, char *buffer, size_t size) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return strerror_r(errnum, buffer, size); /* GNU: may return a static string */
#else
  if (strerror_r(errnum, buffer, size) != 0)
    snprintf(buffer, size, "error %d", errnum);
  return buffer;
#endif
}

TESSERA_EXPORT const char *tessera_last_error(void) { return last_error; }

TESSERA_EXPORT int32_t tessera_abi_version(void) { return TESSERA_ABI_VERSION; }
