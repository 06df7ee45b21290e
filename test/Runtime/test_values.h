/*===- test_values.h - operand values for the runtime kernel tests ----------===*\
 *
 * A fixed xorshift sequence of values in [-1, 1] in steps of 0.001, so that
 * every run of a test checks the same operands.
\*===----------------------------------------------------------------------===*/

#ifndef TESSERA_TEST_RUNTIME_TEST_VALUES_H
#define TESSERA_TEST_RUNTIME_TEST_VALUES_H

#include <stddef.h>

static unsigned long long rng = 88172645463325252ull;
static float next_value(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)((rng >> 40) % 2001) / 1000.0f - 1.0f;
}

/* The next `count` values into `values`. */
static inline void fill_values(float *values, size_t count) {
  for (size_t i = 0; i < count; ++i)
    values[i] = next_value();
}

#endif
