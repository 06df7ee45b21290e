/*===- failing_aligned_alloc.h - an aligned_alloc a test can make fail -----===*\
 *
 * The runtime takes its packing buffers, packed copies and per-thread
 * scratch from aligned_alloc. A test that includes this header defines
 * aligned_alloc (the runtime's calls take it): while `fail_aligned_alloc`
 * is set it fails, so that the kernels' paths without memory run.
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_TEST_RUNTIME_FAILING_ALIGNED_ALLOC_H
#define TESSERA_TEST_RUNTIME_FAILING_ALIGNED_ALLOC_H

#include <stdlib.h>

static int fail_aligned_alloc;
void *aligned_alloc(size_t alignment, size_t size) {
  void *memory = NULL;
  if (fail_aligned_alloc || posix_memalign(&memory, alignment, size) != 0)
    return NULL;
  return memory;
}

#endif
