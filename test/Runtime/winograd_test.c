/*===- winograd_test.c - the Winograd 3x3 convolution against direct sums ----===*\
 *
 * The Winograd kernels (lib/Runtime/WinogradConv.c; AVX-512 and AVX2, each
 * that the CPU runs), F(2x2, 3x3) and F(4x4, 3x3) each, against a
 * double-precision direct convolution: odd and even sizes (partial
 * tiles), widths across 16-tile vectors, channel counts off the
 * micro-kernel's panels, strided input and output planes, per-channel and
 * per-pixel addends, clamps, weights registered as constants (their
 * transform kept and reused) or not, inputs already padded or padded by
 * the kernel (on every side, unevenly, or by more columns on the left
 * than a vector). Winograd's sums are not the direct ones: each output may
 * differ by at most 64 float epsilons of the sum of its terms' magnitudes,
 * for F(4x4, 3x3) the largest such sum in its 4x4 tile (a wrong transform
 * entry is off by whole terms; F(4x4, 3x3)'s outputs of a tile share the
 * rounding of its larger transforms, so that an output whose window holds
 * only padding is not exactly 0 beside one that holds inputs). Writes
 * outside the output's planes are caught by a guard value. Some cases run
 * on 3 threads, splitting tile rows or filter panels. The ABI's entry
 * points must give the bits of F(2x2, 3x3), and their _4x4 variants those
 * of F(4x4, 3x3) from 24 x 24 outputs on and of F(2x2, 3x3) below.
 * With --bench C F H W [TILE] it times one shape by F(TILE x TILE, 3x3)
 * (2, the default, or 4) against im2col + the GEMM micro-kernel, AVX-512
 * (microseconds on stdout; no assertion).
\*===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200112L
#include "tessera/Runtime/tessera_package_abi.h"

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
int tessera_rt_gemm_add_constants(const void *begin, size_t bytes);
void tessera_rt_gemm_remove_constants(const void *begin, size_t bytes);

static const float guard = 12345.0f;

typedef struct test_case {
  int64_t channels, filters, height, width; /* output height, width */
  int bias, residual, relu, constants;
  /* Which of check()'s pads: 0, the input is already padded; 1, the kernel
   * pads each side by 1; 2 and 3, unevenly; 4 and 5, by more columns on
   * the left than one and two AVX-512 vectors (widths of at least 19 and
   * 33). */
  int pad;
} test_case_t;

static int failures, cases;

typedef void (*winograd_t)(TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
typedef void (*tiled_winograd_t)(int tile,
                                  TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_rt_conv3x3_winograd_tiled_avx512(
    int tile, TESSERA_WINOGRAD_CONV3X3_PARAMETERS);
void tessera_rt_conv3x3_winograd_tiled_avx2(
    int tile, TESSERA_WINOGRAD_CONV3X3_PARAMETERS);

/* The variant under test: an instruction set's kernel with `tile` (2 or
 * 4). */
static tiled_winograd_t winograd;
static int tile;
static const char *variant_name;

static void check(test_case_t t) {
  static const int64_t pads[6][4] = {/* top, bottom, left, right */
                                     {0, 0, 0, 0}, {1, 1, 1, 1},
                                     {0, 1, 2, 0}, {2, 0, 1, 1},
                                     {1, 1, 20, 0}, {0, 2, 34, 0}};
  const int64_t *pad = pads[t.pad];
  const int64_t in_rows = t.height + 2 - pad[0] - pad[1],
                in_cols = t.width + 2 - pad[2] - pad[3];
  const int64_t in_row_stride = in_cols + 3,
                in_channel_stride = in_rows * in_row_stride + 5;
  const int64_t out_row_stride = t.width + 1,
                out_channel_stride = t.height * out_row_stride + 7;
  const size_t in_floats = (size_t)(t.channels * in_channel_stride),
               out_floats = (size_t)(t.filters * out_channel_stride);
  const size_t w_floats = (size_t)(t.filters * t.channels * 9);
  float *input = malloc(in_floats * sizeof(float));
  float *weights = malloc(w_floats * sizeof(float));
  float *output = malloc(out_floats * sizeof(float));
  float *bias = malloc((size_t)t.filters * sizeof(float));
  float *residual = malloc((size_t)(t.filters * t.height * t.width) *
                           sizeof(float));
  for (size_t i = 0; i < in_floats; ++i)
    input[i] = next_value();
  for (size_t i = 0; i < w_floats; ++i)
    weights[i] = next_value();
  for (int64_t i = 0; i < t.filters; ++i)
    bias[i] = next_value();
  for (int64_t i = 0; i < t.filters * t.height * t.width; ++i)
    residual[i] = next_value();
  for (size_t i = 0; i < out_floats; ++i)
    output[i] = guard;
  if (t.constants)
    tessera_rt_gemm_add_constants(weights, w_floats * sizeof(float));
  const float lower = t.relu ? 0.0f : -__builtin_inff();
  const float upper = t.relu ? 6.0f : __builtin_inff();
  /* Twice: with constants, the second call reuses the kept transform. */
  for (int call = 0; call < 2; ++call)
    winograd(
        tile, t.channels, t.filters, input, in_channel_stride, in_row_stride,
        in_rows, in_cols, pad[0], pad[2], weights, output,
        out_channel_stride, out_row_stride, t.height,
        t.width, t.bias ? bias : NULL, 1, 0, 0,
        t.residual ? residual : NULL, t.height * t.width, t.width, 1, lower,
        upper);
  if (t.constants)
    tessera_rt_gemm_remove_constants(weights, w_floats * sizeof(float));
  int bad = 0;
  const int64_t pixels = t.height * t.width;
  double *sums = malloc((size_t)(t.filters * pixels) * sizeof(double));
  double *magnitudes = malloc((size_t)(t.filters * pixels) * sizeof(double));
  for (int64_t f = 0; f < t.filters; ++f)
    for (int64_t y = 0; y < t.height; ++y)
      for (int64_t x = 0; x < t.width; ++x) {
        double sum = 0.0, magnitude = 0.0;
        for (int64_t c = 0; c < t.channels; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              const int64_t row = y + i - pad[0], column = x + j - pad[2];
              if (row < 0 || row >= in_rows || column < 0 ||
                  column >= in_cols)
                continue;
              double term = (double)input[c * in_channel_stride +
                                          row * in_row_stride + column] *
                            weights[((f * t.channels + c) * 3 + i) * 3 + j];
              sum += term;
              magnitude += fabs(term);
            }
        if (t.bias)
          sum += bias[f];
        if (t.residual)
          sum += residual[(f * t.height + y) * t.width + x];
        magnitude += 2.0;
        if (sum < lower)
          sum = lower;
        if (sum > upper)
          sum = upper;
        sums[f * pixels + y * t.width + x] = sum;
        magnitudes[f * pixels + y * t.width + x] = magnitude;
      }
  for (int64_t f = 0; f < t.filters; ++f)
    for (int64_t y = 0; y < t.height; ++y)
      for (int64_t x = 0; x < out_row_stride; ++x) {
        const float got = output[f * out_channel_stride + y * out_row_stride + x];
        if (x >= t.width) {
          bad += got != guard;
          continue;
        }
        const double sum = sums[f * pixels + y * t.width + x];
        double magnitude = magnitudes[f * pixels + y * t.width + x];
        if (tile == 4)
          for (int64_t ty = y / 4 * 4; ty < y / 4 * 4 + 4 && ty < t.height;
               ++ty)
            for (int64_t tx = x / 4 * 4; tx < x / 4 * 4 + 4 && tx < t.width;
                 ++tx)
              magnitude =
                  fmax(magnitude, magnitudes[f * pixels + ty * t.width + tx]);
        if (!(fabs(got - sum) <= 64 * 1.1920929e-7 * magnitude)) {
          if (bad < 3)
            printf("%s F(%dx%d) C=%lld F=%lld %lldx%lld bias %d residual %d "
                   "relu %d constants %d pad %d: (%lld, %lld, %lld) got "
                   "%.8g, expected %.8g\n",
                   variant_name, tile, tile, (long long)t.channels,
                   (long long)t.filters,
                   (long long)t.height, (long long)t.width, t.bias,
                   t.residual, t.relu, t.constants, t.pad, (long long)f,
                   (long long)y, (long long)x, got, sum);
          ++bad;
        }
      }
  for (int64_t f = 0; f < t.filters; ++f)
    for (int64_t i = t.height * out_row_stride; i < out_channel_stride; ++i)
      bad += output[f * out_channel_stride + i] != guard;
  failures += bad != 0;
  ++cases;
  free(sums);
  free(magnitudes);
  free(input);
  free(weights);
  free(output);
  free(bias);
  free(residual);
}

/* Whether the ABI's entry point `entry` gives the bits of `kernel` with
 * the tile shape[4] on the shape (channels, filters, height, width). */
static int same_bits(winograd_t entry, const char *entry_name,
                     tiled_winograd_t kernel, const int64_t shape[5]) {
  const int64_t channels = shape[0], filters = shape[1], height = shape[2],
                width = shape[3];
  const int64_t in_plane = (height + 2) * (width + 2),
                out_plane = height * width;
  float *input = malloc((size_t)(channels * in_plane) * sizeof(float));
  float *weights = malloc((size_t)(filters * channels * 9) * sizeof(float));
  float *outputs[2];
  for (int64_t i = 0; i < channels * in_plane; ++i)
    input[i] = next_value();
  for (int64_t i = 0; i < filters * channels * 9; ++i)
    weights[i] = next_value();
  for (int k = 0; k < 2; ++k) {
    outputs[k] = malloc((size_t)(filters * out_plane) * sizeof(float));
    if (k == 0)
      entry(channels, filters, input, in_plane, width + 2, height + 2,
            width + 2, 0, 0, weights, outputs[k], out_plane, width, height,
            width, NULL, 0, 0, 0, NULL, 0, 0, 0, -__builtin_inff(),
            __builtin_inff());
    else
      kernel((int)shape[4], channels, filters, input, in_plane, width + 2,
             height + 2, width + 2, 0, 0, weights, outputs[k], out_plane,
             width, height, width, NULL, 0, 0, 0, NULL, 0, 0, 0,
             -__builtin_inff(), __builtin_inff());
  }
  const int same = memcmp(outputs[0], outputs[1],
                          (size_t)(filters * out_plane) * sizeof(float)) == 0;
  if (!same)
    printf("%s: %s's %lldx%lld is not F(%lldx%lld, 3x3)'s\n", variant_name,
           entry_name, (long long)height, (long long)width,
           (long long)shape[4], (long long)shape[4]);
  ++cases;
  free(input);
  free(weights);
  free(outputs[0]);
  free(outputs[1]);
  return same;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Microseconds per call, Winograd F(tile x tile, 3x3) and im2col + GEMM,
 * best of 20. */
static void bench(int64_t channels, int64_t filters, int64_t height,
                  int64_t width, int tile) {
  const int64_t in_rows = height + 2, in_cols = width + 2,
                pixels = height * width;
  float *input = calloc((size_t)(channels * in_rows * in_cols), 4);
  float *weights = calloc((size_t)(filters * channels * 9), 4);
  float *output = calloc((size_t)(filters * pixels), 4);
  float *columns = calloc((size_t)(channels * 9 * pixels), 4);
  for (int64_t i = 0; i < filters * channels * 9; ++i)
    weights[i] = next_value();
  tessera_rt_gemm_add_constants(weights,
                                (size_t)(filters * channels * 9) * 4);
  double best[2] = {1e30, 1e30};
  for (int r = 0; r < 20; ++r) {
    double t0 = now();
    tessera_rt_conv3x3_winograd_tiled_avx512(
        tile, channels, filters, input, in_rows * in_cols, in_cols, in_rows,
        in_cols, 0, 0, weights, output, pixels, width, height, width, NULL,
        0, 0, 0, NULL, 0, 0, 0, -__builtin_inff(),
                                    __builtin_inff());
    double t1 = now();
    for (int64_t c = 0; c < channels; ++c)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          for (int64_t y = 0; y < height; ++y)
            memcpy(columns + ((c * 9 + i * 3 + j) * height + y) * width,
                   input + (c * in_rows + y + i) * in_cols + j,
                   (size_t)width * 4);
    tessera_sgemm_avx512(1, filters, pixels, channels * 9, weights, 0,
                         channels * 9, columns, 0, pixels, output, 0, pixels,
                         TESSERA_SGEMM_OVERWRITE);
    double t2 = now();
    if (t1 - t0 < best[0])
      best[0] = t1 - t0;
    if (t2 - t1 < best[1])
      best[1] = t2 - t1;
  }
  printf("%lldx%lldx%lld -> %lld: winograd F(%dx%d) %.1f us, im2col + gemm "
         "%.1f us\n",
         (long long)channels, (long long)height, (long long)width,
         (long long)filters, tile, tile, best[0] * 1e6, best[1] * 1e6);
}

int main(int argc, char **argv) {
  if ((argc == 6 || argc == 7) && strcmp(argv[1], "--bench") == 0) {
    if (!__builtin_cpu_supports("avx512f")) {
      printf("no AVX-512\n");
      return 0;
    }
    bench(atoll(argv[2]), atoll(argv[3]), atoll(argv[4]), atoll(argv[5]),
          argc == 7 ? atoi(argv[6]) : 2);
    return 0;
  }
  const struct {
    const char *name;
    tiled_winograd_t kernel;
    winograd_t entries[2]; /* the ABI's: F(2x2, 3x3); by the map's size */
    int supported;
  } variants[] = {
      {"avx512",
       tessera_rt_conv3x3_winograd_tiled_avx512,
       {tessera_conv3x3_winograd_avx512, tessera_conv3x3_winograd_4x4_avx512},
       __builtin_cpu_supports("avx512f")},
      {"avx2",
       tessera_rt_conv3x3_winograd_tiled_avx2,
       {tessera_conv3x3_winograd_avx2, tessera_conv3x3_winograd_4x4_avx2},
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")}};
  const int64_t shapes[][4] = {
      {1, 1, 1, 1},    {3, 5, 2, 2},    {2, 3, 3, 5},   {8, 8, 7, 7},
      {9, 17, 14, 14}, {5, 12, 13, 33}, {4, 9, 6, 64},  {16, 24, 31, 34},
      {33, 40, 9, 2},  {70, 20, 5, 6},  {300, 16, 4, 4},
      /* Tile rows of 14 and 7 tiles, which blocks pad to 16 and 8 or cut
       * to fewer rows where their edge would be copied; 128 channels split
       * into blocks of tile rows. */
      {6, 10, 8, 28},  {128, 16, 28, 28}, {6, 10, 6, 14},
      /* Tile rows of 28 tiles: by F(2x2, 3x3) on AVX-512, 7 rows (196 =
       * 6 x 32 + 4) would end in a narrow kernel's edge, so blocks take 4
       * (112 = 3 x 32 + 16) and the last the 3 left. */
      {4, 8, 13, 55},
      /* Rows of more than one vector of F(4x4, 3x3)'s tiles (64 outputs
       * on AVX-512). */
      {5, 7, 9, 70},   {3, 33, 13, 131}};
  /* Split over 3 threads: along tile rows (8 or more), else along filter
   * panels, whose outputs and addends then start past filter 0. */
  const int64_t split[][4] = {
      {5, 12, 13, 33}, {16, 24, 31, 34}, {7, 40, 14, 14}, {9, 17, 7, 7},
      {20, 25, 4, 9},  {128, 16, 28, 28}};
  int tested = 0;
  for (size_t v = 0; v < sizeof(variants) / sizeof(*variants); ++v) {
    if (!variants[v].supported) {
      printf("winograd %s: skipped (the CPU lacks it)\n", variants[v].name);
      continue;
    }
    ++tested;
    winograd = variants[v].kernel;
    variant_name = variants[v].name;
    const int before = failures;
    for (tile = 2; tile <= 4; tile += 2) {
      for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); ++s)
        for (int variant = 0; variant < 6; ++variant) {
          test_case_t t = {shapes[s][0], shapes[s][1], shapes[s][2],
                           shapes[s][3], variant & 1, (variant >> 1) & 1,
                           variant >= 3, variant != 4, 0};
          check(t);
        }
      /* The kernel's padding, on every shape wide enough for it, without
       * and with an epilogue. */
      for (size_t s = 0; s < sizeof(shapes) / sizeof(*shapes); ++s)
        for (int pad = 1; pad < 6; ++pad)
          for (int epilogue = 0; epilogue < 2; ++epilogue) {
            if ((pad == 4 && shapes[s][3] < 19) ||
                (pad == 5 && shapes[s][3] < 33))
              continue;
            test_case_t t = {shapes[s][0], shapes[s][1], shapes[s][2],
                             shapes[s][3], epilogue, epilogue, epilogue,
                             1,            pad};
            check(t);
          }
      tessera_thread_pool_t *pool = tessera_thread_pool_create(3);
      if (!pool) {
        printf("cannot start threads\n");
        return 1;
      }
      tessera_thread_pool_enter(pool);
      for (size_t s = 0; s < sizeof(split) / sizeof(*split); ++s)
        for (int variant = 0; variant < 2; ++variant) {
          test_case_t t = {split[s][0], split[s][1], split[s][2], split[s][3],
                           1, variant, variant, 1, variant};
          check(t);
        }
      tessera_thread_pool_enter(NULL);
      tessera_thread_pool_destroy(pool);
    }
    /* The entry points' tiles: the _4x4 ones take F(4x4, 3x3) for 31 x
     * 34, 28 x 28 and 24 x 24, F(2x2, 3x3) for 24 x 23, 23 x 30 and 6 x
     * 64; the others F(2x2, 3x3) for all (entry, shape, tile). */
    const int64_t by_size[][6] = {
        {1, 16, 24, 31, 34, 4}, {1, 128, 16, 28, 28, 4}, {1, 3, 8, 24, 24, 4},
        {1, 3, 8, 24, 23, 2},   {1, 3, 8, 23, 30, 2},    {1, 4, 9, 6, 64, 2},
        {0, 16, 24, 31, 34, 2}, {0, 3, 8, 24, 24, 2}};
    for (size_t s = 0; s < sizeof(by_size) / sizeof(*by_size); ++s)
      failures += !same_bits(
          variants[v].entries[by_size[s][0]],
          by_size[s][0] ? "the _4x4 entry point" : "the entry point",
          variants[v].kernel, by_size[s] + 1);
    printf("winograd %s: %d failing cases\n", variants[v].name,
           failures - before);
  }
  if (!tested) {
    printf("winograd tests skipped: no AVX-512 or AVX2\n");
    return 0;
  }
  if (failures) {
    printf("winograd tests FAILED: %d of %d cases\n", failures, cases);
    return 1;
  }
  printf("winograd tests passed: %d cases\n", cases);
  return 0;
}
