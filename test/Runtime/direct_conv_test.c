/*===- direct_conv_test.c - the direct convolution against double sums -----===*\
 *
 * tessera_conv2d_direct_avx512 and _avx2 (lib/Runtime/DirectConv.c; each
 * that the CPU runs) against a double-precision convolution: 1 to 4
 * channels, filter counts off the register block (1, 5, 13, 40), square
 * and oblong kernels up to 7x7, strides 1, 2 and 3 (unequal too), zero
 * padding on every side (more on the left than a vector), output widths
 * across the 48- and 24-column blocks, strided planes, per-channel and
 * per-pixel addends and clamps. The kernel sums in float, so each output
 * may differ by a few float epsilons of the sum of its terms' magnitudes
 * (a wrong tap is off by a whole term). Writes outside the output's rows
 * are caught by a guard value. Some cases run on 3 threads.
 * tessera_conv2d_direct_max_pool2d_* must give the values that the
 * convolution followed by tessera_max_pool2d_* gives (a max is exact):
 * 3 x 3 stride-2 pools (the vector path) and others, padded pools, pool
 * clamps, and threads; some with the scratch memory failing (one value
 * at a time).
 * With --bench C F H W K S P it times one shape, AVX-512 (microseconds on
 * stdout; no assertion).
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200112L
#include "tessera/Runtime/tessera_package_abi.h"

#include "failing_aligned_alloc.h"
#include "test_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct tessera_thread_pool tessera_thread_pool_t;
tessera_thread_pool_t *tessera_thread_pool_create(int32_t num_threads);
void tessera_thread_pool_destroy(tessera_thread_pool_t *pool);
tessera_thread_pool_t *tessera_thread_pool_enter(tessera_thread_pool_t *pool);

static const float guard = 12345.0f;

typedef struct test_case {
  int64_t channels, filters, in_height, in_width;
  int64_t kernel_height, kernel_width, stride_height, stride_width;
  int64_t pad_top, pad_bottom, pad_left, pad_right;
  int bias, residual, clamp;
} test_case_t;

static int failures, cases;

typedef void (*direct_t)(TESSERA_DIRECT_CONV2D_PARAMETERS);
typedef void (*direct_pool_t)(TESSERA_DIRECT_CONV2D_MAX_POOL2D_PARAMETERS);
typedef void (*max_pool_t)(TESSERA_MAX_POOL2D_PARAMETERS);
/* The variant under test. */
static direct_t direct;
static direct_pool_t direct_pool;
static max_pool_t max_pool;
static const char *variant_name;

/* The case's variant and convolution, for a failure's line. */
static void print_convolution(test_case_t t) {
  printf("%s C=%lld F=%lld in %lldx%lld kernel %lldx%lld stride %lldx%lld "
         "pad %lld,%lld,%lld,%lld",
         variant_name, (long long)t.channels, (long long)t.filters,
         (long long)t.in_height, (long long)t.in_width,
         (long long)t.kernel_height, (long long)t.kernel_width,
         (long long)t.stride_height, (long long)t.stride_width,
         (long long)t.pad_top, (long long)t.pad_bottom, (long long)t.pad_left,
         (long long)t.pad_right);
}

static void check(test_case_t t) {
  const int64_t height = (t.in_height + t.pad_top + t.pad_bottom -
                          t.kernel_height) / t.stride_height + 1,
                width = (t.in_width + t.pad_left + t.pad_right -
                         t.kernel_width) / t.stride_width + 1;
  if (height <= 0 || width <= 0)
    return;
  const int64_t window = t.channels * t.kernel_height * t.kernel_width;
  const int64_t in_row_stride = t.in_width + 3,
                in_channel_stride = t.in_height * in_row_stride + 5;
  const int64_t out_row_stride = width + 1,
                out_channel_stride = height * out_row_stride + 7;
  const size_t in_floats = (size_t)(t.channels * in_channel_stride),
               out_floats = (size_t)(t.filters * out_channel_stride),
               w_floats = (size_t)(t.filters * window);
  float *input = malloc(in_floats * sizeof(float));
  float *weights = malloc(w_floats * sizeof(float));
  float *output = malloc(out_floats * sizeof(float));
  float *bias = malloc((size_t)t.filters * sizeof(float));
  float *residual = malloc((size_t)(t.filters * height * width) *
                           sizeof(float));
  for (size_t i = 0; i < in_floats; ++i)
    input[i] = next_value();
  for (size_t i = 0; i < w_floats; ++i)
    weights[i] = next_value();
  for (int64_t i = 0; i < t.filters; ++i)
    bias[i] = next_value();
  for (int64_t i = 0; i < t.filters * height * width; ++i)
    residual[i] = next_value();
  for (size_t i = 0; i < out_floats; ++i)
    output[i] = guard;
  const float lower = t.clamp ? 0.0f : -__builtin_inff();
  const float upper = t.clamp ? 6.0f : __builtin_inff();
  direct(t.channels, t.filters, input, in_channel_stride, in_row_stride,
         t.in_height, t.in_width, t.pad_top, t.pad_left, t.kernel_height,
         t.kernel_width, t.stride_height, t.stride_width, weights, output,
         out_channel_stride, out_row_stride, height, width,
         t.bias ? bias : NULL, 1, 0, 0, t.residual ? residual : NULL,
         height * width, width, 1, lower, upper);
  int bad = 0;
  for (int64_t f = 0; f < t.filters; ++f)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < out_row_stride; ++x) {
        const float got =
            output[f * out_channel_stride + y * out_row_stride + x];
        if (x >= width) {
          bad += got != guard;
          continue;
        }
        double sum = 0.0, magnitude = 0.0;
        for (int64_t c = 0; c < t.channels; ++c)
          for (int64_t i = 0; i < t.kernel_height; ++i)
            for (int64_t j = 0; j < t.kernel_width; ++j) {
              const int64_t row = y * t.stride_height + i - t.pad_top,
                            column = x * t.stride_width + j - t.pad_left;
              if (row < 0 || row >= t.in_height || column < 0 ||
                  column >= t.in_width)
                continue;
              const double term =
                  (double)input[c * in_channel_stride + row * in_row_stride +
                                column] *
                  weights[((f * t.channels + c) * t.kernel_height + i) *
                              t.kernel_width +
                          j];
              sum += term;
              magnitude += fabs(term);
            }
        if (t.bias)
          sum += bias[f];
        if (t.residual)
          sum += residual[(f * height + y) * width + x];
        magnitude += 2.0;
        if (sum < lower)
          sum = lower;
        if (sum > upper)
          sum = upper;
        if (!(fabs(got - sum) <= 4 * 1.1920929e-7 * magnitude)) {
          if (bad < 3) {
            print_convolution(t);
            printf(" bias %d residual %d clamp %d: (%lld, %lld, %lld) got "
                   "%.8g, expected %.8g\n",
                   t.bias, t.residual, t.clamp, (long long)f, (long long)y,
                   (long long)x, got, sum);
          }
          ++bad;
        }
      }
  for (int64_t f = 0; f < t.filters; ++f)
    for (int64_t i = height * out_row_stride; i < out_channel_stride; ++i)
      bad += output[f * out_channel_stride + i] != guard;
  failures += bad != 0;
  ++cases;
  free(input);
  free(weights);
  free(output);
  free(bias);
  free(residual);
}

/* A pool: kernel, strides, pads (top, bottom, left, right), clamp, and
 * what positions outside the convolution's output read (-inf, or a value
 * as when the pool reads a padded copy). */
typedef struct pool_case {
  int64_t kernel_height, kernel_width, stride_height, stride_width;
  int64_t pad_top, pad_bottom, pad_left, pad_right;
  int clamp;
  float pad_value;
} pool_case_t;

/* Convolution `t` (bias and ReLU) pooled by `p`, fused, against the
 * convolution and then tessera_max_pool2d_* (same instruction set). */
static void check_pooled(test_case_t t, pool_case_t p) {
  const int64_t height = (t.in_height + t.pad_top + t.pad_bottom -
                          t.kernel_height) / t.stride_height + 1,
                width = (t.in_width + t.pad_left + t.pad_right -
                         t.kernel_width) / t.stride_width + 1;
  const int64_t pooled_height = (height + p.pad_top + p.pad_bottom -
                                 p.kernel_height) / p.stride_height + 1,
                pooled_width = (width + p.pad_left + p.pad_right -
                                p.kernel_width) / p.stride_width + 1;
  if (height <= 0 || width <= 0 || pooled_height <= 0 || pooled_width <= 0)
    return;
  const int64_t window = t.channels * t.kernel_height * t.kernel_width;
  const size_t in_floats = (size_t)(t.channels * t.in_height * t.in_width),
               conv_floats = (size_t)(t.filters * height * width),
               w_floats = (size_t)(t.filters * window);
  const int64_t row_stride = pooled_width + 2,
                channel_stride = pooled_height * row_stride + 3;
  const size_t pooled_floats = (size_t)(t.filters * channel_stride);
  float *input = malloc(in_floats * sizeof(float));
  float *weights = malloc(w_floats * sizeof(float));
  float *bias = malloc((size_t)t.filters * sizeof(float));
  float *conv = malloc(conv_floats * sizeof(float));
  float *expected = malloc(pooled_floats * sizeof(float));
  float *pooled = malloc(pooled_floats * sizeof(float));
  fill_values(input, in_floats);
  fill_values(weights, w_floats);
  fill_values(bias, (size_t)t.filters);
  for (size_t i = 0; i < pooled_floats; ++i)
    expected[i] = pooled[i] = guard;
  const float lower = p.clamp ? -0.25f : -__builtin_inff();
  const float upper = p.clamp ? 0.5f : __builtin_inff();
  direct(t.channels, t.filters, input, t.in_height * t.in_width, t.in_width,
         t.in_height, t.in_width, t.pad_top, t.pad_left, t.kernel_height,
         t.kernel_width, t.stride_height, t.stride_width, weights, conv,
         height * width, width, height, width, bias, 1, 0, 0, NULL, 0, 0, 0,
         0.0f, __builtin_inff());
  max_pool(1, t.filters, conv, 0, height * width, width, height, width,
           p.kernel_height, p.kernel_width, expected, 0, channel_stride,
           row_stride, pooled_height, pooled_width, p.stride_height,
           p.stride_width, p.pad_top, p.pad_left, p.pad_value, lower, upper);
  direct_pool(t.channels, t.filters, input, t.in_height * t.in_width,
              t.in_width, t.in_height, t.in_width, t.pad_top, t.pad_left,
              t.kernel_height, t.kernel_width, t.stride_height,
              t.stride_width, weights, height, width, bias, 1, 0, 0, NULL, 0,
              0, 0, 0.0f, __builtin_inff(), p.kernel_height, p.kernel_width,
              p.stride_height, p.stride_width, p.pad_top, p.pad_left,
              p.pad_value, pooled, channel_stride, row_stride,
              pooled_height, pooled_width, lower, upper);
  int bad = 0;
  for (size_t i = 0; i < pooled_floats; ++i)
    if (pooled[i] != expected[i]) {
      if (bad < 3) {
        print_convolution(t);
        printf(", pool %lldx%lld stride %lldx%lld pad %lld,%lld,%lld,%lld "
               "clamp %d: value %zu got %.8g, expected %.8g\n",
               (long long)p.kernel_height, (long long)p.kernel_width,
               (long long)p.stride_height, (long long)p.stride_width,
               (long long)p.pad_top, (long long)p.pad_bottom,
               (long long)p.pad_left, (long long)p.pad_right, p.clamp, i,
               pooled[i], expected[i]);
      }
      ++bad;
    }
  failures += bad != 0;
  ++cases;
  free(input);
  free(weights);
  free(bias);
  free(conv);
  free(expected);
  free(pooled);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best of 50 calls on one thread, a bias and ReLU epilogue. */
static void bench(int64_t channels, int64_t filters, int64_t in_height,
                  int64_t in_width, int64_t kernel, int64_t stride,
                  int64_t pad) {
  const int64_t height = (in_height + 2 * pad - kernel) / stride + 1,
                width = (in_width + 2 * pad - kernel) / stride + 1;
  const size_t in_floats = (size_t)(channels * in_height * in_width),
               out_floats = (size_t)(filters * height * width),
               w_floats = (size_t)(filters * channels * kernel * kernel);
  float *input = malloc(in_floats * sizeof(float));
  float *weights = malloc(w_floats * sizeof(float));
  float *output = malloc(out_floats * sizeof(float));
  float *bias = malloc((size_t)filters * sizeof(float));
  for (size_t i = 0; i < in_floats; ++i)
    input[i] = next_value();
  for (size_t i = 0; i < w_floats; ++i)
    weights[i] = next_value();
  for (int64_t i = 0; i < filters; ++i)
    bias[i] = next_value();
  double best = 1e30;
  for (int run = 0; run < 50; ++run) {
    const double start = now();
    tessera_conv2d_direct_avx512(
        channels, filters, input, in_height * in_width, in_width, in_height,
        in_width, pad, pad, kernel, kernel, stride, stride, weights, output,
        height * width, width, height, width, bias, 1, 0, 0, NULL, 0, 0, 0,
        0.0f, __builtin_inff());
    const double elapsed = now() - start;
    best = elapsed < best ? elapsed : best;
  }
  printf("direct %.1f us (%.1f GFLOP/s)\n", best * 1e6,
         2e-9 * (double)(filters * height * width) * (double)(w_floats /
                                                              filters) /
             best);
  free(input);
  free(weights);
  free(output);
  free(bias);
}

int main(int argc, char **argv) {
  if (argc == 9 && strcmp(argv[1], "--bench") == 0) {
    if (!__builtin_cpu_supports("avx512f")) {
      printf("no AVX-512\n");
      return 0;
    }
    bench(atoll(argv[2]), atoll(argv[3]), atoll(argv[4]), atoll(argv[5]),
          atoll(argv[6]), atoll(argv[7]), atoll(argv[8]));
    return 0;
  }
  const struct {
    const char *name;
    direct_t kernel;
    direct_pool_t pooled;
    max_pool_t max_pool;
    int supported;
  } variants[] = {
      {"avx512", tessera_conv2d_direct_avx512,
       tessera_conv2d_direct_max_pool2d_avx512, tessera_max_pool2d_avx512,
       __builtin_cpu_supports("avx512f")},
      {"avx2", tessera_conv2d_direct_avx2,
       tessera_conv2d_direct_max_pool2d_avx2, tessera_max_pool2d_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")}};
  /* Convolutions (as `shapes`) and the pools after them. */
  const int64_t pooled_shapes[][12] = {
      /* SqueezeNet's stem and pool, shrunk in height; ResNet-18's. */
      {3, 64, 23, 224, 3, 3, 2, 2, 0, 0, 0, 0},
      {3, 40, 29, 61, 7, 7, 2, 2, 3, 3, 3, 3},
      {2, 9, 12, 100, 5, 3, 1, 2, 2, 0, 1, 2},
      {3, 13, 17, 35, 3, 3, 2, 2, 1, 1, 1, 1}};
  const float inf = __builtin_inff();
  const pool_case_t pools[] = {
      {3, 3, 2, 2, 0, 0, 0, 0, 0, -inf}, {3, 3, 2, 2, 1, 1, 1, 1, 0, 0.1f},
      {3, 3, 2, 2, 0, 1, 0, 1, 1, -inf}, {2, 2, 2, 2, 0, 0, 0, 0, 0, -inf},
      {3, 3, 1, 1, 1, 1, 1, 1, 1, 0.1f}, {2, 3, 1, 2, 0, 1, 1, 0, 0, -inf},
      {5, 3, 3, 2, 2, 2, 0, 0, 1, -inf}, {3, 3, 2, 2, 1, 1, 1, 1, 0, -inf},
      /* Taller than the ring's vector path takes: one value at a time. */
      {17, 3, 1, 2, 4, 4, 0, 0, 0, -inf}};
  /* channels, filters, input height, width, kernel height, width, strides,
   * pads (top, bottom, left, right). */
  const int64_t shapes[][12] = {
      {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
      {3, 8, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1},
      {3, 13, 17, 35, 3, 3, 2, 2, 0, 0, 0, 0},
      {3, 5, 16, 50, 3, 3, 2, 2, 1, 1, 1, 1},
      /* SqueezeNet's and MobileNetV2's stems, shrunk in height. */
      {3, 64, 9, 224, 3, 3, 2, 2, 0, 0, 0, 0},
      {3, 32, 8, 224, 3, 3, 2, 2, 1, 1, 1, 1},
      /* ResNet's 7x7 stem, shrunk. */
      {3, 40, 13, 61, 7, 7, 2, 2, 3, 3, 3, 3},
      {2, 9, 11, 100, 5, 3, 1, 2, 2, 0, 1, 2},
      {4, 16, 10, 33, 3, 5, 3, 3, 0, 2, 2, 0},
      {1, 7, 6, 97, 1, 1, 2, 2, 0, 0, 0, 0},
      {3, 6, 7, 120, 3, 3, 1, 3, 1, 1, 1, 1},
      /* More columns of padding on the left than a vector. */
      {2, 9, 5, 40, 3, 3, 1, 1, 0, 0, 20, 3},
      {2, 9, 5, 40, 3, 3, 2, 2, 1, 0, 35, 0},
      /* Output widths 47, 48, 49, 95 and 97: the blocks' edges. */
      {3, 8, 5, 49, 3, 3, 1, 1, 0, 0, 0, 0},
      {3, 8, 5, 49, 3, 3, 1, 1, 0, 0, 1, 0},
      {3, 8, 5, 49, 3, 3, 1, 1, 1, 1, 1, 1},
      {3, 8, 5, 191, 3, 3, 2, 2, 0, 0, 0, 0},
      {3, 8, 5, 195, 3, 3, 2, 2, 1, 1, 1, 1}};
  const size_t count = sizeof(shapes) / sizeof(*shapes);
  int tested = 0;
  for (size_t v = 0; v < sizeof(variants) / sizeof(*variants); ++v) {
    if (!variants[v].supported) {
      printf("direct %s: skipped (the CPU lacks it)\n", variants[v].name);
      continue;
    }
    ++tested;
    direct = variants[v].kernel;
    direct_pool = variants[v].pooled;
    max_pool = variants[v].max_pool;
    variant_name = variants[v].name;
    const int before = failures;
    for (int threads = 1; threads <= 3; threads += 2) {
      tessera_thread_pool_t *pool = NULL;
      if (threads > 1) {
        pool = tessera_thread_pool_create(threads);
        if (!pool) {
          printf("cannot start threads\n");
          return 1;
        }
        tessera_thread_pool_enter(pool);
      }
      for (size_t s = 0; s < count; ++s)
        for (int epilogue = 0; epilogue < (threads > 1 ? 2 : 5); ++epilogue) {
          const int64_t *shape = shapes[s];
          test_case_t t = {shape[0],  shape[1], shape[2], shape[3],
                           shape[4],  shape[5], shape[6], shape[7],
                           shape[8],  shape[9], shape[10], shape[11],
                           epilogue == 1 || epilogue == 4,
                           epilogue >= 2, epilogue >= 3};
          check(t);
        }
      for (size_t s = 0; s < sizeof(pooled_shapes) / sizeof(*pooled_shapes);
           ++s)
        for (size_t k = 0; k < sizeof(pools) / sizeof(*pools); ++k) {
          const int64_t *shape = pooled_shapes[s];
          test_case_t t = {shape[0], shape[1], shape[2],  shape[3],
                           shape[4], shape[5], shape[6],  shape[7],
                           shape[8], shape[9], shape[10], shape[11],
                           1,        0,        1};
          /* First, without scratch for the ring (no call before has
           * grown its slot): pooled one value at a time. */
          if (threads == 1 && s == 0 && k == 0) {
            fail_aligned_alloc = 1;
            check_pooled(t, pools[1]);
            fail_aligned_alloc = 0;
          }
          check_pooled(t, pools[k]);
        }
      if (pool) {
        tessera_thread_pool_enter(NULL);
        tessera_thread_pool_destroy(pool);
      }
    }
    printf("direct %s: %d failing cases\n", variants[v].name,
           failures - before);
  }
  if (!tested) {
    printf("direct convolution tests skipped: no AVX-512 or AVX2\n");
    return 0;
  }
  if (failures) {
    printf("direct convolution tests FAILED: %d of %d cases\n", failures,
           cases);
    return 1;
  }
  printf("direct convolution tests passed: %d cases\n", cases);
  return 0;
}
