/*===- Profile.c - timing each kernel of a run ------------------------------===*\
 *
 * The generated entry calls tessera_profile_kernel_done after every kernel
 * (tessera-profile-kernels), so a kernel's time is the span between two
 * such calls. The profile being filled is found through a thread-local
 * pointer, as the running context is in Context.c: the hook takes only the
 * kernel's index.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local tessera_rt_profile_t *running_profile;

static int64_t now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* kernel_ns's length: at least one, so that no count is a zero-size
 * allocation. */
static size_t counted_kernels(int32_t num_kernels) {
  return num_kernels > 0 ? (size_t)num_kernels : 1;
}

int tessera_rt_profile_init(tessera_rt_profile_t *profile,
                            int32_t num_kernels) {
  tessera_rt_profile_t fresh = {0};
  fresh.num_kernels = num_kernels;
  fresh.kernel_ns = calloc(counted_kernels(num_kernels), sizeof(int64_t));
  if (!fresh.kernel_ns)
    return -1;
  *profile = fresh;
  return 0;
}

void tessera_rt_profile_reset(tessera_rt_profile_t *profile) {
  profile->runs = profile->run_ns = 0;
  memset(profile->kernel_ns, 0,
         counted_kernels(profile->num_kernels) * sizeof(int64_t));
}

void tessera_rt_profile_free(tessera_rt_profile_t *profile) {
  free(profile->kernel_ns);
  profile->kernel_ns = NULL;
}

tessera_rt_profile_t *tessera_rt_profile_enter(tessera_rt_profile_t *profile) {
  tessera_rt_profile_t *previous = running_profile;
  running_profile = profile;
  if (profile)
    profile->started_ns = profile->last_ns = now_ns();
  return previous;
}

void tessera_rt_profile_leave(tessera_rt_profile_t *previous) {
  tessera_rt_profile_t *profile = running_profile;
  if (profile) {
    ++profile->runs;
    profile->run_ns += now_ns() - profile->started_ns;
  }
  running_profile = previous;
}

void tessera_profile_kernel_done(int32_t kernel) {
  tessera_rt_profile_t *profile = running_profile;
  if (!profile)
    return;
  int64_t now = now_ns();
  /* An index past the metadata's kernels would be a compiler bug; the time
   * then counts towards the next kernel rather than outside the array. */
  if (kernel >= 0 && kernel < profile->num_kernels) {
    profile->kernel_ns[kernel] += now - profile->last_ns;
    profile->last_ns = now;
  }
}
