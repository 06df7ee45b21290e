/*===- pointwise_depthwise_test.c - the fused 1 x 1 + depthwise kernel ------===*\
 *
 * Runs tessera_pointwise_depthwise_conv2d_avx512 / _avx2 (whichever this
 * CPU supports) and compares its output, bit for bit, with the kernel's
 * definition: the 1 x 1 product computed here (fmaf in k order from zero)
 * into a whole tensor, then tessera_depthwise_conv2d_<isa> on that tensor
 * (tested against a reference by depthwise_test.c). The shapes span
 * bands: MobileNetV2's wide stride-1 and stride-2 layers (several bands a
 * thread), narrow planes (split by channel groups), channel counts that
 * are not a multiple of the register block, pixel counts that end inside
 * a vector, asymmetric pads, batches, with and without the bias, clamp and
 * input transform, zero and other pad values. Outputs start on a cache
 * line with rows a multiple of 16 floats apart (wide planes then split by
 * rows, as in a model's arena) or off a line (split by channels), and are
 * guarded: every element between and around the output rows must be left
 * as it was. Each case runs on 1 thread and on a pool of 2, for the same
 * bits. The first cases run with the band's scratch allocation failing
 * (this file's aligned_alloc takes the runtime's calls, and counts the
 * failures it caused): the kernel then computes element by element, and
 * must agree with the definition to rounding.
\*===----------------------------------------------------------------------===*/

#define _ISOC11_SOURCE
#include "tessera/Runtime/tessera_package_abi.h"

#include "test_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tessera_thread_pool tessera_thread_pool_t;
tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads);
void tessera_thread_pool_destroy(tessera_thread_pool_t *pool);
tessera_thread_pool_t *tessera_thread_pool_enter(tessera_thread_pool_t *pool);

typedef void (*fused_t)(TESSERA_POINTWISE_DEPTHWISE_CONV2D_PARAMETERS);
typedef void (*depthwise_t)(TESSERA_DEPTHWISE_CONV2D_PARAMETERS);

void *__libc_memalign(size_t alignment, size_t size);
static int fail_aligned_alloc, failed_aligned_allocs;
void *aligned_alloc(size_t alignment, size_t size) {
  if (fail_aligned_alloc) {
    ++failed_aligned_allocs;
    return NULL;
  }
  return __libc_memalign(alignment, size);
}

static int failures, cases;
static const float guard = 12345.0f;

typedef struct shape {
  int64_t batch, channels, sources, height, width, kh, kw, sh, sw;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int bias, clamp, input_transform;
  float pad_value;
} shape_t;

static float *values(size_t count) {
  float *v = malloc(count * sizeof(float));
  for (size_t i = 0; i < count; ++i)
    v[i] = next_value();
  return v;
}

/* `aligned`: the output starts a cache line and its rows are a multiple
 * of 16 floats apart, so that the kernel splits wide planes by rows (else
 * by channels). */
static void check_case(fused_t fused, depthwise_t depthwise, const char *isa,
                       shape_t s, tessera_thread_pool_t *pool,
                       int without_scratch, int aligned) {
  const int64_t oh = (s.height + s.pad_top + s.pad_bottom - s.kh) / s.sh + 1;
  const int64_t ow = (s.width + s.pad_left + s.pad_right - s.kw) / s.sw + 1;
  const int64_t pixels = s.height * s.width;
  /* Source planes and weight rows a little apart, as views are. */
  const int64_t scs = pixels + 3, sbs = s.sources * scs + 5;
  const int64_t pws = s.sources + 2;
  const int64_t ors = aligned ? (ow + 15) / 16 * 16 : ow + 2;
  const int64_t ocs = aligned ? oh * ors : oh * ors + 3;
  const int64_t obs = aligned ? s.channels * ocs : s.channels * ocs + 1;
  const int64_t offset = aligned ? 0 : 1;
  float *source = values((size_t)(s.batch * sbs));
  float *pointwise = values((size_t)(s.channels * pws));
  float *weights = values((size_t)(s.channels * s.kh * s.kw));
  float *bias = values((size_t)s.channels * 2);
  float *input_bias = values((size_t)s.channels * 3);
  const float lower = s.clamp ? 0.0f : -INFINITY;
  const float upper = s.clamp ? 6.0f : INFINITY;
  const float input_lower = s.input_transform ? 0.0f : -INFINITY;
  const float input_upper = s.input_transform ? 0.5f : INFINITY;
  const float *ib = s.input_transform ? input_bias : NULL;
  const float *b = s.bias ? bias : NULL;

  /* The definition: the product, then the depthwise kernel on it. */
  float *product = malloc((size_t)(s.batch * s.channels * pixels) *
                          sizeof(float));
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t c = 0; c < s.channels; ++c)
      for (int64_t p = 0; p < pixels; ++p) {
        float sum = 0.0f;
        for (int64_t k = 0; k < s.sources; ++k)
          sum = fmaf(pointwise[c * pws + k], source[n * sbs + k * scs + p],
                     sum);
        product[(n * s.channels + c) * pixels + p] = sum;
      }
  const size_t floats = (size_t)(s.batch * obs + 2);
  float *expected = malloc(floats * sizeof(float));
  for (size_t i = 0; i < floats; ++i)
    expected[i] = guard;
  depthwise(s.batch, s.channels, product, s.channels * pixels, pixels,
            s.width, s.height, s.width, weights, s.kh, s.kw, b, 2,
            expected + offset, obs, ocs, ors, oh, ow, s.sh, s.sw, s.pad_top,
            s.pad_left, s.pad_value, lower, upper, ib, 3, input_lower,
            input_upper);

  for (int threads = 1; threads <= 2; ++threads) {
    float *got = __libc_memalign(64, floats * sizeof(float));
    for (size_t i = 0; i < floats; ++i)
      got[i] = guard;
    tessera_thread_pool_t *previous =
        tessera_thread_pool_enter(threads == 2 ? pool : NULL);
    fail_aligned_alloc = without_scratch;
    const int failed_before = failed_aligned_allocs;
    fused(s.batch, s.channels, source, sbs, scs, s.sources, pointwise, pws,
          s.height, s.width, weights, s.kh, s.kw, b, 2, got + offset, obs, ocs,
          ors, oh, ow, s.sh, s.sw, s.pad_top, s.pad_left, s.pad_value, lower,
          upper, ib, 3, input_lower, input_upper);
    fail_aligned_alloc = 0;
    tessera_thread_pool_enter(previous);
    ++cases;
    /* Without scratch, the kernel must have asked for it (and so taken
     * the element-by-element path). */
    if (without_scratch && failed_aligned_allocs == failed_before) {
      ++failures;
      fprintf(stderr, "%s: the no-scratch case allocated nothing\n", isa);
    }
    size_t first_bad = floats;
    for (size_t i = 0; i < floats && first_bad == floats; ++i) {
      int same = memcmp(&got[i], &expected[i], sizeof(float)) == 0;
      /* Element by element, the sums round as the vectors' do but for
       * where the depthwise kernel adds its bias. */
      if (without_scratch && expected[i] != guard)
        same = fabsf(got[i] - expected[i]) <=
               1e-5f * (1.0f + fabsf(expected[i]));
      if (!same)
        first_bad = i;
    }
    if (first_bad != floats) {
      ++failures;
      fprintf(stderr,
              "%s: %lld x %lld <- %lld channels, %lld x %lld, %lld x %lld "
              "stride %lld, %d thread(s)%s%s: element %zu is %g, expected "
              "%g\n",
              isa, (long long)s.batch, (long long)s.channels,
              (long long)s.sources, (long long)s.height, (long long)s.width,
              (long long)s.kh, (long long)s.kw, (long long)s.sh, threads,
              aligned ? ", aligned" : "", without_scratch ? ", no scratch" : "",
              first_bad,
              got[first_bad], expected[first_bad]);
    }
    free(got);
    if (without_scratch)
      break;
  }
  free(source), free(pointwise), free(weights), free(bias), free(input_bias);
  free(product), free(expected);
}

int main(void) {
#if defined(__x86_64__)
  struct {
    const char *name;
    fused_t fused;
    depthwise_t depthwise;
    int supported;
  } isas[] = {
      {"avx512", tessera_pointwise_depthwise_conv2d_avx512,
       tessera_depthwise_conv2d_avx512, __builtin_cpu_supports("avx512f")},
      {"avx2", tessera_pointwise_depthwise_conv2d_avx2,
       tessera_depthwise_conv2d_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
  };
  /* batch, channels, sources, height, width, kernel, strides, pads (top,
   * left, bottom, right), bias, clamp, input transform. */
  static const shape_t without_scratch[] = {
      {1, 12, 5, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.0f},
      {2, 9, 3, 9, 9, 3, 3, 2, 2, 0, 0, 1, 1, 1, 0, 1, 0.5f},
  };
  static const shape_t shapes[] = {
      /* MobileNetV2's: 16 -> 96 at 112 x 112 stride 2 (bands of 11 output
       * rows), 24 -> 144 at 56 x 56, 32 -> 192 at 28 x 28, 64 -> 384 at
       * 14 x 14 (narrow on AVX-512), and 160 -> 96 at 7 x 7. */
      {1, 96, 16, 112, 112, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 1},
      {1, 144, 24, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 192, 32, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
      {1, 384, 64, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 96, 160, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1},
      /* Channels past the register block (13 = 8 + 5 = 3 * 4 + 1), pixel
       * counts ending inside a vector, batches, no transform or clamp. */
      {2, 13, 7, 30, 37, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0},
      {3, 21, 4, 33, 19, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 1},
      {1, 5, 1, 17, 70, 3, 3, 2, 2, 0, 0, 1, 1, 0, 1, 0},
      /* Stride-1 rows of 28 outputs (two AVX-512 vectors, taps by lane
       * shifts) in bands of 7 output rows, with a pad value. */
      {1, 1024, 8, 40, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.25f},
      /* A 5 x 5 window, and rows so wide that a band holds 2 rows. */
      {1, 16, 8, 40, 40, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1},
      {1, 32, 3, 12, 2000, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 1},
  };
  tessera_thread_pool_t *pool = tessera_thread_pool_create(2);
  int ran = 0;
  /* Before any case has grown the main thread's scratch. */
  for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); ++i)
    for (size_t k = 0;
         isas[i].supported &&
         k < sizeof(without_scratch) / sizeof(without_scratch[0]);
         ++k)
      for (int aligned = 0; aligned < 2; ++aligned)
        check_case(isas[i].fused, isas[i].depthwise, isas[i].name,
                   without_scratch[k], pool, 1, aligned);
  for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); ++i) {
    if (!isas[i].supported)
      continue;
    ran = 1;
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); ++k)
      for (int aligned = 0; aligned < 2; ++aligned)
        check_case(isas[i].fused, isas[i].depthwise, isas[i].name,
                   shapes[k], pool, 0, aligned);
  }
  tessera_thread_pool_destroy(pool);
  if (!ran) {
    printf("pointwise depthwise tests skipped: no AVX-512 or AVX2\n");
    return 0;
  }
  printf("%d of %d pointwise depthwise cases failed\n", failures, cases);
  if (failures)
    return 1;
  printf("pointwise depthwise tests passed\n");
  return 0;
#else
  printf("pointwise depthwise tests skipped: not x86-64\n");
  return 0;
#endif
}
